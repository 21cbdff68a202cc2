// SPDX-License-Identifier: MPL-2.0
/*  bench_query - the read side on a store of a million signals (issue 10)

    Writes (once, then reuses) a store of SIGNALS signals received over
    three years up to an hour ago, with their lifecycle (most acknowledged
    within two days, most of those resolved within ten, one in ten
    overdue), straight through the store API with sein_sample: seind
    stamps events with the time it stores them, so a backdated history
    cannot go through it. Areas, streets and points come from the bundled
    conf/ data, so the report's map has its points inside the polygons.
    Then these parts, each alone with -P or all by default:

    index    the text index filled from scratch, as the query actor
             does when idle: signals per second.
    list     a filtered LIST page (a wijk, a theme, open, newest 50), and
             one with a text search: median and slowest of 20.
    stats    a year of STATS for one wijk by area x theme x week: median
             and slowest of 5; then the report's STATS (three groupings
             in one pass, the map's 5,000 points), the same.
    report   `seinctl report` for that wijk and year against seind on
             the store, end to end: median and slowest of 3; and the CPU
             seinctl itself used.
    ack      ack latency at RATE signals/s for SECONDS, without queries,
             then with a STATS (the wijk's year) and a report alternating
             every second: p50 and p99 of each, and the difference; ROUNDS
             such pairs back to back, and the medians over them, with the
             queries' median time and the largest size the write-ahead
             log's file reached by the end of each run (seind keeps the
             file at that size, so a later run shows at least as much). -L stats or -L report runs only
             that one every second. Two loads take the query apart:
             -L pin holds a read snapshot of the store for half of each
             second and does nothing else (the log cannot restart, no
             CPU is used); -L burn spins a thread at nice 10, as the
             readers run, for half of each second (CPU, no snapshot).

        bench_query [-n SIGNALS] [-P PARTS] [-r RATE] [-t SECONDS] [-R ROUNDS]
                    [-L stats|report|both|pin|burn] [-f | -m STORE] [-o FILE]

    -f writes the store again; -m uses the store STORE that an earlier
    run wrote (another build's: it is gigabytes and takes minutes to
    write), never writing it anew; -o keeps the report in FILE. Targets (issue 10): list < 20 ms, stats
    < 200 ms, report < 1 s, ack p99 with queries within 2 ms of without.
*/
#include "../sein_harness.h"
#include "../sein_sample.h"
#include "sein.h"
#include "sein_store.h"

#include <czmq.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define S_YEARS 3
#define S_WIJK "heverlee"
//  Where the ack part's signals go: not into the wijk the queries read,
//  nor the theme or the words they filter by (its signals stay open, and
//  once they were "zwerfvuil": the text search's newest matches then were
//  the runs before, in another wijk, and a list page took 90 ms), so
//  that the store stays the same from run to run where it is measured.
#define S_ELSEWHERE "wijgmaal"
#define S_ELSEWHERE_TEXT "Takken van de haag hangen over de stoep"

typedef struct {
    char street[64], area[64], wijk[64];
    double lat, lon;
} s_street_t;

static const char *s_themes[] = {"overlast", "jeugd",     "afval",      "verkeer",
                                 "openbaar-domein", "groen", "veiligheid", "wonen",
                                 "samenleven", "dieren"};

//  Split LINE at tabs (and its line end) into at most MAX FIELDS; returns
//  how many.
static int
s_split (char *line, char **fields, int max)
{
    line[strcspn (line, "\r\n")] = 0;
    int count = 0;
    for (char *cursor = line; cursor && count < max; count++) {
        fields[count] = cursor;
        cursor = strchr (cursor, '\t');
        if (cursor)
            *cursor++ = 0;
    }
    return count;
}

//  The bundled streets with their area and its wijk. Returns the count.
static int
s_streets (s_street_t *streets, int max)
{
    char parents[32][2][64];
    int nareas = 0, count = 0;
    char line[1024];
    char *fields[6];
    FILE *file = fopen (SEIN_SOURCE_DIR "/conf/areas.tsv", "r");
    assert (file);
    //  code, name, kind, parent, note
    while (fgets (line, sizeof line, file) && nareas < 32)
        if (s_split (line, fields, 5) >= 4 && !streq (fields[0], "code")) {
            snprintf (parents[nareas][0], 64, "%.63s", fields[0]);
            snprintf (parents[nareas][1], 64, "%.63s", *fields[3] ? fields[3] : fields[0]);
            nareas++;
        }
    fclose (file);
    file = fopen (SEIN_SOURCE_DIR "/conf/streets.tsv", "r");
    assert (file);
    //  street, from, to, area, lat, lon
    while (fgets (line, sizeof line, file) && count < max) {
        if (s_split (line, fields, 6) < 6 || streq (fields[0], "street"))
            continue;
        s_street_t *row = &streets[count++];
        snprintf (row->street, sizeof row->street, "%.63s", fields[0]);
        snprintf (row->area, sizeof row->area, "%.63s", fields[3]);
        snprintf (row->wijk, sizeof row->wijk, "%.63s", fields[3]);
        for (int index = 0; index < nareas; index++)
            if (streq (parents[index][0], row->area))
                snprintf (row->wijk, sizeof row->wijk, "%s", parents[index][1]);
        row->lat = atof (fields[4]);
        row->lon = atof (fields[5]);
    }
    fclose (file);
    return count;
}

//  A small, fast, seeded generator: the same store every time.
static uint64_t s_state = 0x9e3779b97f4a7c15ull;
static uint64_t
s_random (void)
{
    s_state ^= s_state << 13;
    s_state ^= s_state >> 7;
    s_state ^= s_state << 17;
    return s_state;
}

static double
s_uniform (void)
{
    return (double) (s_random () >> 11) / 9007199254740992.0;
}

static void
s_generate (const char *path, long count)
{
    s_street_t streets[64];
    int nstreets = s_streets (streets, 64);
    assert (nstreets > 0);
    //  Times as the store writes them, in one pool: four per signal.
    char *pool = (char *) malloc ((size_t) count * 4 * 25);
    sein_sample_t *samples = (sein_sample_t *) calloc ((size_t) count, sizeof *samples);
    char (*teams)[160] = (char (*)[160]) calloc (64 * 10, 160);
    assert (pool && samples && teams);
    for (int street = 0; street < nstreets; street++)
        for (int theme = 0; theme < 10; theme++)
            snprintf (teams[street * 10 + theme], 160, ",wijkmanager-%s,dienst-%s,",
                      streets[street].wijk, s_themes[theme]);
    //  Seconds after 2024-01-01 of an hour ago, and three years before.
    int64_t end = (int64_t) time (NULL) - 1704067200 - 3600;
    int64_t span = (int64_t) S_YEARS * 365 * 86400;
    for (long index = 0; index < count; index++) {
        sein_sample_t *sample = &samples[index];
        char *times = pool + (size_t) index * 100;
        int64_t received = end - span + (int64_t) ((double) span * index / count);
        int street = (int) (s_random () % (uint64_t) nstreets);
        int theme = (int) (s_random () % 10);
        s_street_t *where = &streets[street];
        sein_sample_time (received, times);
        sample->received_at = times;
        sample->area = where->area;
        sample->wijk = where->wijk;
        sample->theme = s_themes[theme];
        sample->priority = s_random () % 10 == 0 ? "high" : "normal";
        sample->source = s_random () % 5 == 0 ? "staff" : "citizen";
        sample->teams = teams[street * 10 + theme];
        sample->street = where->street;
        sample->description = sein_harness_texts[s_random () % SEIN_HARNESS_TEXTS];
        sample->has_point = true;
        sample->lat = where->lat + (s_uniform () - 0.5) * 0.004;
        sample->lon = where->lon + (s_uniform () - 0.5) * 0.006;
        int64_t acknowledged = received + 600 + (int64_t) (s_uniform () * 48 * 3600);
        if (s_random () % 10 && acknowledged < end) {
            sein_sample_time (acknowledged, times + 25);
            sample->acknowledged_at = times + 25;
            int64_t resolved = acknowledged + 3600 + (int64_t) (s_uniform () * 10 * 86400);
            if (s_random () % 4 && resolved < end) {
                sein_sample_time (resolved, times + 50);
                sample->resolved_at = times + 50;
            }
        }
        if (s_random () % 10 == 0 && received + 3 * 86400 < end) {
            sein_sample_time (received + 3 * 86400, times + 75);
            sample->overdue_at = times + 75;
        }
    }
    char *error = NULL;
    sein_store_t *store = sein_store_new (path, "normal", &error);
    if (!store) {
        fprintf (stderr, "bench_query: %s\n", error);
        exit (1);
    }
    int64_t started = zclock_mono ();
    if (sein_sample_write (store, samples, (size_t) count)) {
        fprintf (stderr, "bench_query: %s\n", sein_store_error (store));
        exit (1);
    }
    printf ("store      %ld signals over %d years, %lld events, written in %.1f s\n", count,
            S_YEARS, (long long) sein_store_head (store),
            (double) (zclock_mono () - started) / 1000);
    sein_store_checkpoint (store, true);
    sein_store_destroy (&store);
    free (samples);
    free (pool);
    free (teams);
}

static int
s_compare_ms (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

//  The calling thread's CPU time in microseconds.
static int64_t
s_cpu_usecs (void)
{
    struct timespec now;
    clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now);
    return (int64_t) now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

static int
s_nothing (json_t *signal, void *arg)
{
    (void) signal;
    (*(int *) arg)++;
    return 0;
}

//  The date a year ago, UTC, as the store writes times.
static void
s_year_ago (char *buffer)
{
    sein_sample_time ((int64_t) time (NULL) - 1704067200 - 365 * 86400, buffer);
}

//  TARGET 0: a figure without a target of its own.
static void
s_print (const char *what, double *values, int count, double target)
{
    qsort (values, (size_t) count, sizeof *values, s_compare_ms);
    printf ("%-10s median %.1f ms, slowest %.1f ms of %d", what, values[count / 2],
            values[count - 1], count);
    printf (target > 0 ? " (target < %.0f ms)\n" : "\n", target);
}

static void
s_list_part (sein_store_t *store)
{
    sein_store_filter_t filter = {.area = S_WIJK, .theme = "afval", .status = "open",
                                  .overdue = -1};
    double times[20];
    for (int round = 0; round < 20; round++) {
        int seen = 0;
        int64_t started = zclock_usecs ();
        sein_store_list (store, &filter, false, 0, 50, s_nothing, &seen);
        times[round] = (double) (zclock_usecs () - started) / 1000;
        assert (seen == 50);
    }
    s_print ("list", times, 20, 20);
    sein_store_filter_t text = {.area = S_WIJK, .text = "fietspad OR zwerfvuil", .overdue = -1};
    for (int round = 0; round < 20; round++) {
        int seen = 0;
        int64_t started = zclock_usecs ();
        sein_store_list (store, &text, false, 0, 50, s_nothing, &seen);
        times[round] = (double) (zclock_usecs () - started) / 1000;
    }
    s_print ("list text", times, 20, 20);
}

static void
s_stats_part (sein_store_t *store)
{
    char from[32];
    s_year_ago (from);
    sein_store_filter_t filter = {.area = S_WIJK, .from = from, .overdue = -1};
    const char *by[] = {"area", "theme", "week", NULL};
    double times[5], cpu[5];
    for (int round = 0; round < 5; round++) {
        int64_t started = zclock_usecs (), cpu_started = s_cpu_usecs ();
        json_t *stats = sein_store_analysis (store, &filter, by, 10, 0);
        times[round] = (double) (zclock_usecs () - started) / 1000;
        cpu[round] = (double) (s_cpu_usecs () - cpu_started) / 1000;
        if (round == 0)
            printf ("stats      %lld signals in %s's year, %zu groups\n",
                    (long long) json_integer_value (
                        json_object_get (json_object_get (stats, "total"), "count")),
                    S_WIJK, json_array_size (json_object_get (stats, "groups")));
        json_decref (stats);
    }
    s_print ("stats", times, 5, 200);
    //  The CPU it takes, which the machine's other load does not stretch.
    s_print ("stats cpu", cpu, 5, 200);
    //  The report's three groupings, in one pass as seinctl asks them.
    const char *weekly[] = {"theme", "week", NULL}, *themes[] = {"theme", NULL},
               *areas[] = {"area", NULL};
    const char *const *groupings[] = {weekly, themes, areas, NULL};
    for (int round = 0; round < 5; round++) {
        int64_t started = zclock_usecs (), cpu_started = s_cpu_usecs ();
        json_decref (sein_store_analyses (store, &filter, groupings, 10, 5000));
        times[round] = (double) (zclock_usecs () - started) / 1000;
        cpu[round] = (double) (s_cpu_usecs () - cpu_started) / 1000;
    }
    s_print ("report's", times, 5, 0);
    s_print ("its cpu", cpu, 5, 0);
}

//  Ack latency at RATE for SECONDS: p50 and p99 in ms.
typedef struct {
    const char *endpoint;
    const char *wal; //  the store's -wal, whose size is watched
    int rate, seconds;
    double p50, p99, max;
    long acked;
    double wal_mb; //  the largest size seen
} s_latency_t;

//  Size of the file PATH in MB, 0 when there is none.
static double
s_file_mb (const char *path)
{
    struct stat info;
    return stat (path, &info) == 0 ? (double) info.st_size / 1e6 : 0;
}

static void
s_latency (s_latency_t *self)
{
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    zsock_connect (dealer, "%s", self->endpoint);
    long total = (long) self->rate * self->seconds;
    int64_t *sent_at = (int64_t *) calloc ((size_t) total, sizeof (int64_t));
    double *latency = (double *) calloc ((size_t) total, sizeof (double));
    long sent = 0, received = 0;
    int64_t start = zclock_usecs ();
    zpoller_t *poller = zpoller_new (dealer, NULL);
    void *handle = zsock_resolve (dealer);
    while (received < total) {
        int64_t now = zclock_usecs ();
        int64_t due = start + sent * 1000000 / self->rate;
        if (sent < total && now >= due) {
            char tag[24], body[256];
            int len = snprintf (tag, sizeof tag, "%ld", sent);
            snprintf (body, sizeof body,
                      "{\"description\":\"%s\",\"source\":\"citizen\",\"area\":\"" S_ELSEWHERE
                      "\"}",
                      S_ELSEWHERE_TEXT);
            sent_at[sent++] = zclock_usecs ();
            zmq_send (handle, SEIN_PROTOCOL, strlen (SEIN_PROTOCOL), ZMQ_SNDMORE);
            zmq_send (handle, SEIN_SUBMIT, strlen (SEIN_SUBMIT), ZMQ_SNDMORE);
            zmq_send (handle, tag, (size_t) len, ZMQ_SNDMORE);
            zmq_send (handle, body, strlen (body), 0);
            continue;
        }
        int wait = sent < total ? (int) ((due - now + 999) / 1000) : 5000;
        if (zpoller_wait (poller, wait) == dealer) {
            zmsg_t *msg = zmsg_recv (dealer);
            //  protocol, command, correlation id, body
            zframe_t *frame = zmsg_first (msg);
            frame = zmsg_next (msg);
            frame = zmsg_next (msg);
            char *tag = frame ? zframe_strdup (frame) : NULL;
            long corr = tag ? atol (tag) : -1;
            if (corr >= 0 && corr < total)
                latency[received++] = (double) (zclock_usecs () - sent_at[corr]) / 1000;
            //  Ten looks a second: how far the log grows while reads hold it.
            if (received % (self->rate / 10 + 1) == 0) {
                double size = s_file_mb (self->wal);
                self->wal_mb = size > self->wal_mb ? size : self->wal_mb;
            }
            free (tag);
            zmsg_destroy (&msg);
        } else if (sent >= total && zpoller_expired (poller))
            break;
    }
    qsort (latency, (size_t) received, sizeof *latency, s_compare_ms);
    self->p50 = received ? latency[received / 2] : -1;
    self->p99 = received ? latency[received * 99 / 100] : -1;
    self->max = received ? latency[received - 1] : -1;
    self->acked = received;
    zpoller_destroy (&poller);
    free (sent_at);
    free (latency);
    zsock_destroy (&dealer);
}

static void *
s_latency_thread (void *arg)
{
    s_latency ((s_latency_t *) arg);
    return NULL;
}

//  `seinctl report` for the wijk's year against DAEMON; ms, or -1.
static double
s_report (sein_harness_t *daemon, const char *output)
{
    char from[32];
    s_year_ago (from);
    from[10] = 0;
    int64_t started = zclock_usecs ();
    int rc = sein_harness_run (daemon, NULL, NULL, "seinctl", "report", "--area", S_WIJK,
                               "--from", from, "--output", output, NULL);
    return rc == 0 ? (double) (zclock_usecs () - started) / 1000 : -1;
}

//  The pin and burn loads' half second, in ms.
#define S_HALF 500

//  Hold a read snapshot of the store at PATH for MS and do nothing else:
//  the log cannot restart meanwhile, as under a long STATS.
static void
s_pin (const char *path, int ms)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL);
    //  A read transaction starts at its first read, not at BEGIN.
    if (rc == SQLITE_OK)
        rc = sqlite3_exec (db, "BEGIN; SELECT max (seq) FROM events", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        fprintf (stderr, "bench_query: %s: %s\n", path, sqlite3_errmsg (db));
        exit (1);
    }
    zclock_sleep (ms);
    sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
    sqlite3_close (db);
}

//  Spin for MS at nice 10, as the readers run, on a thread of our own:
//  CPU as a query takes it, without its snapshot.
static void *
s_burn_thread (void *arg)
{
    setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), 10);
    int64_t until = zclock_mono () + *(int *) arg;
    volatile uint64_t sum = 0;
    while (zclock_mono () < until)
        for (int step = 0; step < 100000; step++)
            sum += (uint64_t) step;
    return NULL;
}

static void
s_burn (int ms)
{
    pthread_t thread;
    pthread_create (&thread, NULL, s_burn_thread, &ms);
    pthread_join (thread, NULL);
}

//  Ack latency into BUSY for SECONDS while LOAD runs every second: a STATS
//  (the wijk's year) and a report alternating, or one of them, or a pin or
//  burn of the store at STORE; the slowest query in ms, how many ran into
//  QUERIES, and the median of their times into MEDIAN.
static double
s_busy (sein_harness_t *daemon, const char *store, s_latency_t *busy, int seconds,
        const char *output, const char *load, int *queries, double *median)
{
    double *took_ms = (double *) calloc ((size_t) seconds + 1, sizeof (double));
    pthread_t thread;
    pthread_create (&thread, NULL, s_latency_thread, busy);
    sein_client_t *client = sein_client_new (daemon->intake);
    char from[32];
    s_year_ago (from);
    double slowest = 0;
    for (int second = 0; second < seconds; second++) {
        int64_t started = zclock_mono ();
        bool stats = streq (load, "stats") || (!streq (load, "report") && second % 2 == 0);
        if (streq (load, "pin"))
            s_pin (store, S_HALF);
        else if (streq (load, "burn"))
            s_burn (S_HALF);
        else if (stats) {
            json_t *body = json_pack ("{s:s,s:s,s:[sss]}", "area", S_WIJK, "from", from, "by",
                                      "area", "theme", "week");
            json_t *reply = sein_client_call (client, SEIN_STATS, body, 10000);
            json_decref (body);
            json_decref (reply);
        } else
            s_report (daemon, output);
        int64_t took = zclock_mono () - started;
        slowest = took > slowest ? (double) took : slowest;
        took_ms[(*queries)++] = (double) took;
        if (took < 1000)
            zclock_sleep ((int) (1000 - took));
    }
    pthread_join (thread, NULL);
    sein_client_destroy (&client);
    qsort (took_ms, (size_t) *queries, sizeof (double), s_compare_ms);
    *median = *queries ? took_ms[*queries / 2] : 0;
    free (took_ms);
    return slowest;
}

static void
s_daemon_parts (const char *dir, const char *file, bool report, bool ack, int rate,
                int seconds, int rounds, const char *load, const char *keep)
{
    sein_harness_t daemon = {0};
    if (sein_harness_init (&daemon, 0)) {
        fprintf (stderr, "bench_query: no temporary directory\n");
        exit (1);
    }
    char *override = zsys_sprintf ("storage.dir=%s", dir);
    sein_harness_set (&daemon, override);
    zstr_free (&override);
    override = zsys_sprintf ("storage.file=%s", file);
    sein_harness_set (&daemon, override);
    zstr_free (&override);
    //  The store is the bench's own cache: a quick_check of its 1.6 GB at
    //  every start is seconds of CPU, and on a loaded machine longer than
    //  the harness waits for seind to answer.
    daemon.flag = "--fast-start";
    if (sein_harness_start (&daemon)) {
        fprintf (stderr, "bench_query: seind did not start (see %s)\n", daemon.log);
        exit (1);
    }
    char *output = keep ? strdup (keep) : zsys_sprintf ("%s/report.html", daemon.dir);
    if (report) {
        double times[3], cpu[3];
        for (int round = 0; round < 3; round++) {
            //  seinctl's own CPU: the harness waits for it, so it is a
            //  child's usage by the time s_report returns.
            struct rusage before, after;
            getrusage (RUSAGE_CHILDREN, &before);
            times[round] = s_report (&daemon, output);
            getrusage (RUSAGE_CHILDREN, &after);
            cpu[round] = (double) (after.ru_utime.tv_sec - before.ru_utime.tv_sec +
                                   after.ru_stime.tv_sec - before.ru_stime.tv_sec) * 1000 +
                         (double) (after.ru_utime.tv_usec - before.ru_utime.tv_usec +
                                   after.ru_stime.tv_usec - before.ru_stime.tv_usec) / 1000;
        }
        s_print ("report", times, 3, 1000);
        s_print ("seinctl cpu", cpu, 3, 0);
        struct stat info;
        if (stat (output, &info) == 0)
            printf ("report     %s, %lld bytes\n", output, (long long) info.st_size);
    }
    if (ack) {
        //  Rounds of a quiet run then a busy one, back to back, so that
        //  the machine's other load falls on both alike; the medians over
        //  the rounds are the figures.
        double figures[7][16] = {{0}};
        char *store = zsys_sprintf ("%s/%s", dir, file);
        char *wal = zsys_sprintf ("%s-wal", store);
        double loadavg[3] = {0};
        rounds = rounds < 1 ? 1 : rounds > 16 ? 16 : rounds;
        //  One report first, not counted: the first read after seind
        //  starts faults the store's pages in from disk (a report of 3.5
        //  s, a busy p99 of 850 ms), which says nothing about the reads
        //  that follow.
        if (!report && (streq (load, "stats") || streq (load, "report") ||
                        streq (load, "both")))
            s_report (&daemon, output);
        for (int round = 0; round < rounds; round++) {
            s_latency_t quiet = {.endpoint = daemon.intake, .wal = wal, .rate = rate,
                                 .seconds = seconds};
            s_latency (&quiet);
            s_latency_t busy = quiet;
            busy.wal_mb = 0;
            int queries = 0;
            double median = 0;
            double slowest =
                s_busy (&daemon, store, &busy, seconds, output, load, &queries, &median);
            printf ("ack        round %d, %d/s for %d s, no queries:  p50 %.2f ms, p99 %.2f "
                    "ms, max %.1f ms (%ld acked), log up to %.1f MB\n",
                    round + 1, rate, seconds, quiet.p50, quiet.p99, quiet.max, quiet.acked,
                    quiet.wal_mb);
            printf ("ack        round %d, with %d %s (median %.0f ms, slowest %.0f ms): p50 %.2f "
                    "ms, p99 %.2f ms, max %.1f ms (%ld acked), log up to %.1f MB\n",
                    round + 1, queries, load, median, slowest, busy.p50, busy.p99, busy.max,
                    busy.acked, busy.wal_mb);
            figures[0][round] = quiet.p50;
            figures[1][round] = quiet.p99;
            figures[2][round] = busy.p50;
            figures[3][round] = busy.p99;
            figures[4][round] = median;
            figures[5][round] = quiet.wal_mb;
            figures[6][round] = busy.wal_mb;
        }
        zstr_free (&wal);
        zstr_free (&store);
        getloadavg (loadavg, 3);
        double difference[16];
        for (int round = 0; round < rounds; round++)
            difference[round] = figures[3][round] - figures[1][round];
        for (int which = 0; which < 7; which++)
            qsort (figures[which], (size_t) rounds, sizeof (double), s_compare_ms);
        qsort (difference, (size_t) rounds, sizeof (double), s_compare_ms);
        printf ("ack        median of %d rounds: no queries p50 %.2f ms, p99 %.2f ms; with "
                "queries p50 %.2f ms, p99 %.2f ms\n",
                rounds, figures[0][rounds / 2], figures[1][rounds / 2], figures[2][rounds / 2],
                figures[3][rounds / 2]);
        printf ("ack        queries median %.0f ms; log up to %.1f MB quiet, %.1f MB with "
                "queries (medians)\n",
                figures[4][rounds / 2], figures[5][rounds / 2], figures[6][rounds / 2]);
        printf ("ack        p99 difference, median of the rounds' %+.2f ms (target within 2 "
                "ms); load average %.2f %.2f %.2f\n",
                difference[rounds / 2], loadavg[0], loadavg[1], loadavg[2]);
    }
    zstr_free (&output);
    sein_harness_stop (&daemon, SIGTERM);
    //  Keep the store (it is the bench's cache); remove only the harness's
    //  directory.
    daemon.pid = 0;
    sein_harness_cleanup (&daemon);
}

int
main (int argc, char **argv)
{
    long count = 1000000;
    const char *parts = "index,list,stats,report,ack";
    int rate = 1000, seconds = 10, rounds = 1, option;
    const char *load = "both";
    bool fresh = false, usage = false;
    const char *keep = NULL, *made = NULL;
    while ((option = getopt (argc, argv, "n:P:r:t:R:L:fm:o:")) != -1) {
        if (option == 'n')
            count = atol (optarg);
        else if (option == 'P')
            parts = optarg;
        else if (option == 'r')
            rate = atoi (optarg);
        else if (option == 't')
            seconds = atoi (optarg);
        else if (option == 'L')
            load = optarg;
        else if (option == 'R')
            rounds = atoi (optarg);
        else if (option == 'f')
            fresh = true;
        else if (option == 'm')
            made = optarg;
        else if (option == 'o')
            keep = optarg;
        else
            usage = true;
        if (usage || (fresh && made)) {
            fprintf (stderr, "usage: bench_query [-n SIGNALS] [-P PARTS] [-r RATE] "
                             "[-t SECONDS] [-R ROUNDS] [-L stats|report|both|pin|burn] "
                             "[-f | -m STORE] [-o FILE]\n");
            return 64;
        }
    }
    if (!streq (load, "stats") && !streq (load, "report") && !streq (load, "both") &&
        !streq (load, "pin") && !streq (load, "burn")) {
        fprintf (stderr, "bench_query: -L takes stats, report, both, pin or burn\n");
        return 64;
    }
    zsys_init ();
    setvbuf (stdout, NULL, _IOLBF, 0);
    zsys_set_logstream (stderr);
    char *file = made ? strdup (strrchr (made, '/') ? strrchr (made, '/') + 1 : made)
                      : zsys_sprintf ("bench_query-%ld.db", count);
    char *dir = made ? strndup (made, strrchr (made, '/') ? (size_t) (strrchr (made, '/') - made)
                                                          : 0)
                     : strdup (SEIN_BINARY_DIR);
    if (!*dir) {
        free (dir);
        dir = strdup (".");
    }
    char *path = zsys_sprintf ("%s/%s", dir, file);
    char *text_path = zsys_sprintf ("%s.text", path);
    struct stat info;
    if (made && stat (path, &info) != 0) {
        //  Someone else's store is theirs to write: say so, do not.
        fprintf (stderr, "bench_query: %s: %s (write one with -f, without -m)\n", path,
                 strerror (errno));
        return 1;
    }
    if (fresh || stat (path, &info) != 0) {
        const char *suffixes[] = {"", "-wal", "-shm", ".mark", ".text", ".text-wal",
                                  ".text-shm"};
        for (size_t index = 0; index < 7; index++) {
            char *name = zsys_sprintf ("%s%s", path, suffixes[index]);
            unlink (name);
            zstr_free (&name);
        }
        s_generate (path, count);
    }
    char *error = NULL;
    //  A store an older build wrote is brought up to this build's schema
    //  by opening it once for writing, as seind would; the query side
    //  opens it read-only and would refuse it.
    sein_store_t *store = sein_store_new (path, "normal", &error);
    if (!store) {
        fprintf (stderr, "bench_query: %s\n", error);
        return 1;
    }
    sein_store_destroy (&store);
    store = sein_store_new_query (path, text_path, &error);
    if (!store) {
        fprintf (stderr, "bench_query: %s\n", error);
        return 1;
    }
    if (strstr (parts, "index") || strstr (parts, "list")) {
        int64_t started = zclock_mono ();
        int64_t before = sein_store_text_upto (store);
        long added = 0;
        int rc;
        while ((rc = sein_store_index_text (store, 500)) > 0)
            added += rc;
        double took = (double) (zclock_mono () - started) / 1000;
        if (added)
            printf ("index      %ld signals from seq %lld in %.1f s: %.0f signals/s\n", added,
                    (long long) before, took, added / (took > 0 ? took : 1));
    }
    if (strstr (parts, "list"))
        s_list_part (store);
    if (strstr (parts, "stats"))
        s_stats_part (store);
    sein_store_destroy (&store);
    if (strstr (parts, "report") || strstr (parts, "ack"))
        s_daemon_parts (dir, file, strstr (parts, "report") != NULL,
                        strstr (parts, "ack") != NULL, rate, seconds, rounds, load, keep);
    free (file);
    free (dir);
    zstr_free (&path);
    zstr_free (&text_path);
    return 0;
}
