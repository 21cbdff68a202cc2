// SPDX-License-Identifier: MPL-2.0
/*  bench_ingest - durable ingest throughput and ack latency of the real seind

    Starts seind (bundled config, synchronous=full, tcp loopback) and runs
    these parts, each alone with -P or all by default (about two minutes on
    a quiet two-core machine):

    latency  one submitter at a fixed offered rate on a fresh store: p50
             and p99 ack latency.
    ingest   several pipelined submitters (the benchmark's own client, raw
             zmq_send and a prefix check of each ack): throughput in ROUNDS
             rounds, seind's CPU per signal.
    submit   the shipped `sein-submit --file` once, at its default window
             (client.window), on a file of SIGNALS signals like the
             benchmark's, stdout to a file as a user would: its throughput
             beside the benchmark client's, and the CPU it spends.
    million  fills the store to STORE signals (default 1,000,000) through
             seind itself, by the same pipelined submitters in chunks of
             SIGNALS (about 20 s at the ingest rate; a store written behind
             seind's back would not say how seind keeps up with its own
             data), restarts seind on it, and measures ack latency as in
             `latency`: the figure of a service that has run for a while.
    raw      for scale: the same two things against a bare ZeroMQ ROUTER
             that answers at once (the transport's own cost), and raw
             SQLite inserts of the same rows in WAL + synchronous=FULL.

    Every part that submits prints how many requests failed (no accepted
    ack: rejected, or no answer in time) and how many were lost (acked but
    not in the store: the head seq moved less than the accepted count).

        bench_ingest [-n SIGNALS] [-k ROUNDS] [-s SUBMITTERS] [-w WINDOW]
                     [-r RATE] [-t SECONDS] [-p PORT] [-S SYNC]
                     [-P PARTS] [-m STORE] [-x SEIN-SUBMIT] [-W WINDOW] [-C]

    PARTS is a comma-separated list of the part names above. -x runs
    another sein-submit than the build tree's (an older build, to compare),
    -W runs it with --window WINDOW instead of its default. -C turns
    security on: CURVE on every connection, each request authorised; the
    ingest part then runs each round on a second seind without security
    first, and prints the ratio of the medians.
    Throughput is measured in ROUNDS rounds (default 3) of SIGNALS each,
    and the median printed with the range: on a shared VM one round can
    be 20% off the next. Each submitter keeps WINDOW (default 2048)
    submissions outstanding, as a bulk import with `sein-submit -w 2048`
    would.

    Targets (issue 2): >= 40,000 signals/s with every ack after an fsynced
    commit; p99 ack latency < 5 ms at 1,000 signals/s. Issue 13:
    `sein-submit --file` at its default window reaches >= 80% of the
    benchmark's own client.
*/
#include "../sein_harness.h"
#include "sein.h"

#include <czmq.h>
#include <getopt.h>
#include <pthread.h>
#include <sqlite3.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>

typedef struct {
    const char *endpoint;
    int id;
    int round;
    long count;
    int window;
    pthread_barrier_t *ready; //  bodies built, start the clock
    long accepted;
    long failed;              //  answered, but not accepted
} s_submitter_t;

//  What one part submitted and what became of it.
typedef struct {
    long sent;
    long accepted;
    long stored;  //  how far the head seq moved
    long dropped; //  replies seind dropped (its replies_dropped counter)
} s_tally_t;


//  A realistic submission; the external id makes each one new. Without
//  NAMED the submitter is left out, as in a file for sein-submit, which
//  adds its client.name.
//  -C: seind with security on (sein_harness_secure), every client of the
//  benchmark on CURVE with the harness's key; NULL without.
static sein_keys_t *s_keys;

static char *
s_signal (int round, int submitter, long index, bool named)
{
    return zsys_sprintf (
        "{\"description\":\"%s\",\"source\":\"citizen\",\"channel\":\"web\","
        "\"address_string\":\"Naamsestraat %ld, Leuven\","
        "\"external_id\":\"b%d-%d-%ld\"%s,"
        "\"reporter\":{\"name\":\"Jan Peeters\",\"email\":\"jan@example.org\"}}",
        sein_harness_texts[index % SEIN_HARNESS_TEXTS], 1 + index % 200, round, submitter,
        index, named ? ",\"submitter\":\"bench\"" : "");
}

static char *
s_body (int round, int submitter, long index)
{
    return s_signal (round, submitter, index, true);
}

//  Raw zmq_send / zmq_msg_recv: the submitters should cost the two cores
//  as little as possible, so that what is measured is seind.
static void
s_send (zsock_t *dealer, long corr, const char *body)
{
    sein_harness_submit (zsock_resolve (dealer), corr, body);
}

//  Returns the correlation id of one reply, -1 on timeout; counts it.
static long
s_receive (zsock_t *dealer, s_submitter_t *self)
{
    bool accepted;
    long corr = sein_harness_receive (zsock_resolve (dealer), &accepted);
    if (corr < 0)
        return -1;
    if (accepted)
        self->accepted++;
    else
        self->failed++;
    return corr;
}

static void *
s_submitter (void *arg)
{
    s_submitter_t *self = (s_submitter_t *) arg;
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    zsock_set_rcvtimeo (dealer, 10000);
    zsock_set_sndhwm (dealer, 0);
    zsock_set_rcvhwm (dealer, 0);
    sein_keys_apply (s_keys, dealer);
    zsock_connect (dealer, "%s", self->endpoint);
    //  Bodies are built before the clock starts.
    char **bodies = (char **) zmalloc (sizeof (char *) * (size_t) self->count);
    for (long index = 0; index < self->count; index++)
        bodies[index] = s_body (self->round, self->id, index);
    pthread_barrier_wait (self->ready);
    long sent = 0, outstanding = 0;
    while (sent < self->count || outstanding > 0) {
        while (sent < self->count && outstanding < self->window) {
            s_send (dealer, sent, bodies[sent]);
            sent++;
            outstanding++;
        }
        if (s_receive (dealer, self) < 0)
            break;
        outstanding--;
    }
    for (long index = 0; index < self->count; index++)
        free (bodies[index]);
    free (bodies);
    zsock_destroy (&dealer);
    return NULL;
}


//  From seind's PING: the head seq when COUNTER is NULL, else that
//  counter; -1 when seind does not answer.
static long
s_ping (const char *endpoint, const char *counter)
{
    sein_client_t *client = sein_client_new_secure (endpoint, s_keys);
    json_t *ping = sein_client_call (client, SEIN_PING, NULL, 5000);
    json_t *value = counter ? json_object_get (json_object_get (ping, "counters"), counter)
                            : json_object_get (ping, "head");
    long result = ping ? (long) json_integer_value (value) : -1;
    json_decref (ping);
    sein_client_destroy (&client);
    return result;
}

//  TOTAL signals from SUBMITTERS pipelining threads; signals/s. ROUND
//  keeps the external ids of each call new.
static double
s_throughput (const char *endpoint, int round, int submitters, long total, int window,
              long *accepted, long *sent)
{
    pthread_t threads[64];
    s_submitter_t args[64];
    pthread_barrier_t ready;
    pthread_barrier_init (&ready, NULL, (unsigned) submitters + 1);
    for (int index = 0; index < submitters; index++) {
        args[index] = (s_submitter_t){endpoint, index,  round, total / submitters,
                                      window,   &ready, 0,     0};
        pthread_create (&threads[index], NULL, s_submitter, &args[index]);
    }
    pthread_barrier_wait (&ready);
    int64_t start = zclock_usecs ();
    *accepted = 0;
    *sent = 0;
    for (int index = 0; index < submitters; index++) {
        pthread_join (threads[index], NULL);
        *accepted += args[index].accepted;
        *sent += args[index].count;
    }
    double seconds = (double) (zclock_usecs () - start) / 1e6;
    pthread_barrier_destroy (&ready);
    return (double) *accepted / seconds;
}

static int
s_compare (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return x < y ? -1 : x > y;
}

static int
s_compare_double (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

//  One submitter at RATE per second for SECONDS; fills p50/p99 in µs and
//  counts what it sent and what was accepted into TALLY.
static void
s_latency (const char *endpoint, int rate, int seconds, double *p50, double *p99,
           int tag, s_tally_t *tally)
{
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    sein_keys_apply (s_keys, dealer);
    zsock_connect (dealer, "%s", endpoint);
    long total = (long) rate * seconds;
    int64_t *sent_at = (int64_t *) zmalloc (sizeof (int64_t) * (size_t) total);
    int64_t *latency = (int64_t *) zmalloc (sizeof (int64_t) * (size_t) total);
    s_submitter_t counts = {0};
    long sent = 0, received = 0;
    int64_t start = zclock_usecs ();
    zpoller_t *poller = zpoller_new (dealer, NULL);
    while (received < total) {
        int64_t now = zclock_usecs ();
        int64_t due = start + sent * 1000000 / rate;
        if (sent < total && now >= due) {
            char *body = s_body (1000, tag, sent);
            sent_at[sent] = zclock_usecs ();
            s_send (dealer, sent, body);
            free (body);
            sent++;
            continue;
        }
        //  Round the wait up: spinning until the next send is due would
        //  take a core from seind on a two-core machine.
        int wait = sent < total ? (int) ((due - now + 999) / 1000) : 5000;
        if (zpoller_wait (poller, wait) == dealer) {
            long corr = s_receive (dealer, &counts);
            if (corr >= 0 && corr < total)
                latency[received++] = zclock_usecs () - sent_at[corr];
        } else if (sent >= total && zpoller_expired (poller))
            break;
    }
    tally->sent += sent;
    tally->accepted += counts.accepted;
    qsort (latency, (size_t) received, sizeof (int64_t), s_compare);
    *p50 = received ? (double) latency[received / 2] : -1;
    *p99 = received ? (double) latency[received * 99 / 100] : -1;
    zpoller_destroy (&poller);
    free (sent_at);
    free (latency);
    zsock_destroy (&dealer);
}

//  The transport alone: a ROUTER that answers every request at once.
static void
s_echo_actor (zsock_t *pipe, void *endpoint)
{
    zsock_t *router = zsock_new (ZMQ_ROUTER);
    zsock_set_sndhwm (router, 0);
    zsock_set_rcvhwm (router, 0);
    zsock_bind (router, "%s", (const char *) endpoint);
    zsock_signal (pipe, 0);
    zpoller_t *poller = zpoller_new (pipe, router, NULL);
    while (zpoller_wait (poller, -1) == router) {
        zmsg_t *msg = zmsg_recv (router);
        zframe_t *body = zmsg_last (msg);
        zframe_reset (body, "{\"status\":\"accepted\"}", 21);
        zmsg_send (&msg, router);
    }
    zpoller_destroy (&poller);
    zsock_destroy (&router);
}

//  SQLite alone, storing what seind stores for a signal: a signal row and
//  its event row (EVENT, a real event from the run, as the body), 8 KiB
//  pages, WAL, synchronous=FULL, BATCH signals a commit. No classifying,
//  no network: the storage floor under seind's figure.
static double
s_sqlite (const char *dir, const char *event, long total, int batch, double *p50,
          double *p99)
{
    char *path = zsys_sprintf ("%s/raw.db", dir);
    sqlite3 *db;
    sqlite3_open (path, &db);
    sqlite3_exec (db,
                  "PRAGMA page_size=8192; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                  "CREATE TABLE signals (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
                  " submitter TEXT NOT NULL, external_id TEXT, status TEXT NOT NULL,"
                  " reporter_name TEXT, reporter_email TEXT, reporter_phone TEXT);"
                  "CREATE UNIQUE INDEX signals_key ON signals (submitter, external_id);"
                  "CREATE TABLE events (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
                  " at TEXT NOT NULL, area TEXT NOT NULL, wijk TEXT NOT NULL,"
                  " theme TEXT NOT NULL, priority TEXT NOT NULL, source TEXT NOT NULL,"
                  " teams TEXT NOT NULL, body TEXT NOT NULL)",
                  NULL, NULL, NULL);
    sqlite3_stmt *signal, *insert;
    sqlite3_prepare_v2 (db,
                        "INSERT INTO signals VALUES (?1, ?2, 'bench', ?3, 'new',"
                        " 'Jan Peeters', 'jan@example.org', NULL)",
                        -1, &signal, NULL);
    sqlite3_prepare_v2 (db,
                        "INSERT INTO events VALUES (?1, 'signal', '2026-11-26T10:00:00.000Z',"
                        " 'binnenstad', 'binnenstad', 'overlast', 'normal', 'citizen',"
                        " ',wijkmanager-binnenstad,', ?2)",
                        -1, &insert, NULL);
    long seq = 0;
    int64_t *latency = NULL;
    int samples = 2000;
    double rate = 0;
    //  Round 1: batches; round 2: single-signal durable commits.
    for (int round = 0; round < 2; round++) {
        long count = round ? samples : total;
        int size = round ? 1 : batch;
        if (round)
            latency = (int64_t *) zmalloc (sizeof (int64_t) * (size_t) samples);
        int64_t start = zclock_usecs ();
        for (long index = 0; index < count; index += size) {
            int64_t before = zclock_usecs ();
            sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
            for (int row = 0; row < size; row++) {
                char id[48], key[24];
                seq++;
                snprintf (id, sizeof id, "01a21770-0000-7000-8000-%012ld", seq);
                snprintf (key, sizeof key, "r%ld", seq);
                sqlite3_bind_int64 (signal, 1, seq);
                sqlite3_bind_text (signal, 2, id, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text (signal, 3, key, -1, SQLITE_TRANSIENT);
                sqlite3_step (signal);
                sqlite3_reset (signal);
                sqlite3_bind_int64 (insert, 1, seq);
                sqlite3_bind_text (insert, 2, event, -1, SQLITE_STATIC);
                sqlite3_step (insert);
                sqlite3_reset (insert);
            }
            sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
            if (round)
                latency[index] = zclock_usecs () - before;
        }
        if (!round)
            rate = (double) total / ((double) (zclock_usecs () - start) / 1e6);
    }
    qsort (latency, (size_t) samples, sizeof (int64_t), s_compare);
    *p50 = (double) latency[samples / 2];
    *p99 = (double) latency[samples * 99 / 100];
    free (latency);
    sqlite3_finalize (signal);
    sqlite3_finalize (insert);
    sqlite3_close (db);
    zstr_free (&path);
    return rate;
}

//  How many signals the store holds (STATS total): not the head, which
//  also counts the lifecycle's events, a `linked` one for each case that
//  reports of a batch joined nearby.
static long
s_signals (const char *endpoint)
{
    sein_client_t *client = sein_client_new_secure (endpoint, s_keys);
    json_t *stats = sein_client_call (client, SEIN_STATS, NULL, 30000);
    long result = stats ? (long) json_integer_value (json_object_get (stats, "total")) : -1;
    json_decref (stats);
    sein_client_destroy (&client);
    return result;
}

//  Before a part: how many signals are stored and replies were dropped.
static void
s_tally_start (s_tally_t *tally, const char *endpoint)
{
    tally->stored = s_signals (endpoint);
    tally->dropped = s_ping (endpoint, "replies_dropped");
}

//  After it: how far they moved.
static void
s_tally_end (s_tally_t *tally, const char *endpoint)
{
    tally->stored = s_signals (endpoint) - tally->stored;
    tally->dropped = s_ping (endpoint, "replies_dropped") - tally->dropped;
}

//  "failed F, lost L": requests without an accepted ack, and acks whose
//  signal is not in the store. A request that timed out and was stored
//  anyway shows as stored without an ack.
static void
s_print_tally (const char *who, s_tally_t *tally)
{
    long lost = tally->accepted - tally->stored;
    printf ("%-10s %ld sent, %ld accepted: failed %ld, lost %ld; seind dropped %ld replies",
            who, tally->sent, tally->accepted, tally->sent - tally->accepted,
            lost > 0 ? lost : 0, tally->dropped);
    if (lost < 0)
        printf (", %ld stored without an accepted ack", -lost);
    printf ("\n");
}

//  The latency part: one submitter at RATE for SECONDS; WHAT names the store.
static void
s_latency_part (const char *endpoint, int rate, int seconds, int tag, const char *what)
{
    s_tally_t tally = {0};
    s_tally_start (&tally, endpoint);
    double p50, p99;
    s_latency (endpoint, rate, seconds, &p50, &p99, tag, &tally);
    s_tally_end (&tally, endpoint);
    printf ("seind      ack latency at %d/s, %s: p50 %.0f us, p99 %.0f us\n", rate, what,
            p50, p99);
    s_print_tally ("seind", &tally);
}

//  The ingest part: ROUNDS rounds of SIGNALS from SUBMITTERS. Returns the
//  median rate; *BATCH is the mean signals a commit. With PLAIN (-C: the
//  endpoint of a second seind, security off) each round first runs there
//  too: on a shared machine one round can be far off the next, and
//  rounds in turn compare like with like.
static double
s_ingest_part (const char *endpoint, const char *plain, int rounds, int submitters,
               long signals, int window, pid_t pid, int *batch)
{
    s_tally_t tally = {0};
    s_tally_start (&tally, endpoint);
    long commits_before = s_ping (endpoint, "batches");
    double cpu_before = sein_harness_cpu (pid), own = 0;
    double rates[15], plain_rates[15];
    printf ("seind      ingest rounds%s:", plain ? " (without security / with)" : "");
    for (int round = 0; round < rounds; round++) {
        long accepted, sent;
        if (plain) {
            sein_keys_t *keys = s_keys;
            s_keys = NULL;
            plain_rates[round] = s_throughput (plain, round, submitters, signals, window,
                                               &accepted, &sent);
            s_keys = keys;
            printf (" %.0f /", plain_rates[round]);
        }
        double own_before = sein_harness_cpu (getpid ());
        rates[round] = s_throughput (endpoint, round, submitters, signals, window, &accepted,
                                     &sent);
        own += sein_harness_cpu (getpid ()) - own_before;
        tally.accepted += accepted;
        tally.sent += sent;
        printf (" %.0f", rates[round]);
        fflush (stdout);
    }
    double cpu = sein_harness_cpu (pid) - cpu_before;
    s_tally_end (&tally, endpoint);
    qsort (rates, (size_t) rounds, sizeof rates[0], s_compare_double);
    long accepted = tally.accepted;
    printf ("\nseind      ingest: %9.0f signals/s durable, median of %d rounds (%.0f to "
            "%.0f; %ld accepted)\n",
            rates[rounds / 2], rounds, rates[0], rates[rounds - 1], accepted);
    if (plain) {
        qsort (plain_rates, (size_t) rounds, sizeof plain_rates[0], s_compare_double);
        printf ("seind      ingest without security: %9.0f signals/s, median (%.0f to "
                "%.0f); with security %.0f%% of it (target >= 70%%)\n",
                plain_rates[rounds / 2], plain_rates[0], plain_rates[rounds - 1],
                100 * rates[rounds / 2] / plain_rates[rounds / 2]);
    }
    s_print_tally ("seind", &tally);
    sein_client_t *client = sein_client_new_secure (endpoint, s_keys);
    json_t *ping = sein_client_call (client, SEIN_PING, NULL, 5000);
    json_t *counters = json_object_get (ping, "counters");
    long commits =
        (long) json_integer_value (json_object_get (counters, "batches")) - commits_before;
    printf ("seind      cpu %.1f us/signal (submitters %.1f), %ld commits (%.0f signals "
            "each), largest %lld\n",
            cpu * 1e6 / (double) (accepted ? accepted : 1),
            own * 1e6 / (double) (accepted ? accepted : 1), commits,
            (double) accepted / (double) (commits ? commits : 1),
            (long long) json_integer_value (json_object_get (counters, "largest_batch")));
    json_decref (ping);
    sein_client_destroy (&client);
    *batch = commits ? (int) (accepted / commits) : 256;
    return rates[rounds / 2];
}

//  The submit part: PROGRAM --file on SIGNALS lines, at its default
//  window, its acks into a file. OWN is the benchmark client's rate for
//  comparison (0 when not measured).
static void
s_submit_part (sein_harness_t *daemon, const char *program, const char *window, long signals,
               double own)
{
    char input[320], output[320];
    snprintf (input, sizeof input, "%s/signals.jsonl", daemon->dir);
    snprintf (output, sizeof output, "%s/acks.txt", daemon->dir);
    FILE *file = fopen (input, "w");
    for (long index = 0; file && index < signals; index++) {
        char *body = s_signal (2000, 0, index, false);
        fprintf (file, "%s\n", body);
        zstr_free (&body);
    }
    if (!file || fclose (file)) {
        fprintf (stderr, "bench_ingest: cannot write %s\n", input);
        return;
    }
    //  The harness configuration and overrides, as the tests run clients.
    char *argv[64];
    int count = 0;
    argv[count++] = (char *) program;
    argv[count++] = (char *) "-c";
    argv[count++] = daemon->config;
    for (int index = 0; index < daemon->noverrides && count < 58; index++) {
        argv[count++] = (char *) "-o";
        argv[count++] = daemon->overrides[index];
    }
    if (window) {
        argv[count++] = (char *) "--window";
        argv[count++] = (char *) window;
    }
    argv[count++] = (char *) "--file";
    argv[count++] = input;
    argv[count] = NULL;
    s_tally_t tally = {.sent = signals};
    s_tally_start (&tally, daemon->intake);
    //  How large seind's batches were: a lone client's share (sein_server.c).
    long commits = s_ping (daemon->intake, "batches");
    double cpu_before = sein_harness_cpu (daemon->pid);
    int64_t start = zclock_usecs ();
    pid_t pid = fork ();
    if (pid == 0) {
        int out = open (output, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2 (out, STDOUT_FILENO);
        execv (argv[0], argv);
        _exit (127);
    }
    int status = 0;
    struct rusage usage = {0};
    wait4 (pid, &status, 0, &usage);
    double seconds = (double) (zclock_usecs () - start) / 1e6;
    double cpu = sein_harness_cpu (daemon->pid) - cpu_before;
    double own_cpu = (double) usage.ru_utime.tv_sec + (double) usage.ru_stime.tv_sec +
                     (double) (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    commits = s_ping (daemon->intake, "batches") - commits;
    s_tally_end (&tally, daemon->intake);
    //  One line an ack, "line N: accepted ...", as a user sees them.
    file = fopen (output, "r");
    char line[4096];
    while (file && fgets (line, sizeof line, file))
        if (strncmp (line, "line ", 5) == 0 && strstr (line, ": accepted "))
            tally.accepted++;
    if (file)
        fclose (file);
    double rate = (double) tally.accepted / seconds;
    printf ("sein-submit --file (window %s): %9.0f signals/s, exit %d",
            window ? window : "default", rate,
            WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
    if (own > 0)
        printf (", %.0f%% of the benchmark's own client (%.0f/s; target >= 80%%)",
                100 * rate / own, own);
    printf ("\nsein-submit cpu %.1f us/signal, seind %.1f us/signal, %ld commits (%.0f "
            "signals each) (%s)\n",
            own_cpu * 1e6 / (double) (tally.accepted ? tally.accepted : 1),
            cpu * 1e6 / (double) (tally.accepted ? tally.accepted : 1), commits,
            (double) tally.accepted / (double) (commits > 0 ? commits : 1), program);
    s_print_tally ("sein-submit", &tally);
}

//  The million part: fill the store to STORE signals through seind, in
//  chunks of CHUNK from SUBMITTERS, restart seind on it, and measure.
static int
s_million_part (sein_harness_t *daemon, long store, long chunk, int submitters, int window,
                int rate, int seconds)
{
    int64_t start = zclock_usecs ();
    s_tally_t tally = {0};
    long head = s_signals (daemon->intake);
    s_tally_start (&tally, daemon->intake);
    for (int round = 100; head + tally.sent < store; round++) {
        long accepted, sent;
        long size = store - head - tally.sent < chunk ? store - head - tally.sent : chunk;
        if (size < submitters)
            size = submitters;
        s_throughput (daemon->intake, round, submitters, size, window, &accepted, &sent);
        tally.accepted += accepted;
        tally.sent += sent;
    }
    s_tally_end (&tally, daemon->intake);
    printf ("seind      store filled to %ld signals in %.1f s\n", head + tally.stored,
            (double) (zclock_usecs () - start) / 1e6);
    s_print_tally ("seind", &tally);
    //  A restarted seind: what a service finds after running a while,
    //  without the fill's log still to be checkpointed.
    start = zclock_usecs ();
    if (sein_harness_stop (daemon, SIGTERM) != 0 || sein_harness_start (daemon)) {
        fprintf (stderr, "bench_ingest: seind did not restart (see %s)\n", daemon->log);
        return -1;
    }
    printf ("seind      restarted on it in %.1f s\n",
            (double) (zclock_usecs () - start) / 1e6);
    char what[64];
    snprintf (what, sizeof what, "store of %ld", head + tally.stored);
    s_latency_part (daemon->intake, rate, seconds, 2, what);
    return 0;
}

//  The raw part: the transport and SQLite alone. EVENT is a stored event
//  (or "{}"), BATCH the signals a commit seind made.
static void
s_raw_part (sein_harness_t *daemon, int port, int rounds, int submitters, long signals,
            int window, int rate, int seconds, const char *event, int batch)
{
    char echo_endpoint[300];
    if (port > 0)
        snprintf (echo_endpoint, sizeof echo_endpoint, "tcp://127.0.0.1:%d", port + 10);
    else
        snprintf (echo_endpoint, sizeof echo_endpoint, "ipc://%s/echo", daemon->dir);
    zactor_t *echo = zactor_new (s_echo_actor, echo_endpoint);
    long accepted, sent;
    double zmq_rate = s_throughput (echo_endpoint, rounds, submitters, signals, window,
                                    &accepted, &sent);
    printf ("raw zeromq round trips: %9.0f /s\n", zmq_rate);
    double p50, p99;
    s_tally_t tally = {0};
    s_latency (echo_endpoint, rate, seconds, &p50, &p99, 1, &tally);
    printf ("raw zeromq latency at %d/s: p50 %.0f us, p99 %.0f us\n", rate, p50, p99);
    zactor_destroy (&echo);

    double sqlite_rate = s_sqlite (daemon->dir, event, signals, batch > 0 ? batch : 1, &p50,
                                   &p99);
    printf ("raw sqlite (seind's rows, %zu-byte event, %d a commit, WAL, FULL): %9.0f "
            "signals/s\n",
            strlen (event), batch, sqlite_rate);
    printf ("raw sqlite single-signal commit: p50 %.0f us, p99 %.0f us\n", p50, p99);
}

//  A stored event as text, for the raw SQLite figure; "{}" when none.
static char *
s_stored_event (const char *endpoint)
{
    sein_client_t *client = sein_client_new_secure (endpoint, s_keys);
    json_t *request = json_pack ("{s:i,s:i}", "from", 1, "limit", 1);
    json_t *events = sein_client_call (client, SEIN_EVENTS, request, 5000);
    json_decref (request);
    char *event = json_dumps (json_array_get (json_object_get (events, "events"), 0),
                              JSON_COMPACT | JSON_REAL_PRECISION (15));
    json_decref (events);
    sein_client_destroy (&client);
    return event ? event : strdup ("{}");
}

static const char *s_parts[] = {"latency", "ingest", "submit", "million", "raw", NULL};

//  The bit set of the parts named in LIST (comma-separated); -1 for a
//  name that is not a part.
static int
s_parse_parts (const char *list)
{
    int parts = 0;
    char *copy = strdup (list), *state = NULL;
    for (char *name = strtok_r (copy, ",", &state); name;
         name = strtok_r (NULL, ",", &state)) {
        int index = 0;
        while (s_parts[index] && strcmp (s_parts[index], name))
            index++;
        parts = s_parts[index] && parts >= 0 ? parts | 1 << index : -1;
    }
    free (copy);
    return parts;
}

enum { S_LATENCY = 1, S_INGEST = 2, S_SUBMIT = 4, S_MILLION = 8, S_RAW = 16 };

int
main (int argc, char **argv)
{
    long signals = 200000, store = 1000000;
    int rounds = 3, submitters = 4, window = 2048, rate = 1000, seconds = 5, port = 25570;
    int parts = S_LATENCY | S_INGEST | S_SUBMIT | S_MILLION | S_RAW;
    const char *synchronous = "full";
    char *submit_program = zsys_sprintf ("%s/sein-submit", SEIN_BINARY_DIR);
    const char *submit_window = NULL;
    bool secure = false;
    int option;
    while ((option = getopt (argc, argv, "n:k:s:w:r:t:p:S:P:m:x:W:Ch")) != -1) {
        switch (option) {
        case 'n': signals = atol (optarg); break;
        case 'k': rounds = atoi (optarg); break;
        case 's': submitters = atoi (optarg); break;
        case 'w': window = atoi (optarg); break;
        case 'r': rate = atoi (optarg); break;
        case 't': seconds = atoi (optarg); break;
        case 'p': port = atoi (optarg); break; //  0: ipc:// endpoints
        case 'S': synchronous = optarg; break;
        case 'P': parts = s_parse_parts (optarg); break;
        case 'm': store = atol (optarg); break;
        case 'W': submit_window = optarg; break;
        case 'C': secure = true; break;
        case 'x':
            zstr_free (&submit_program);
            submit_program = strdup (optarg);
            break;
        default:
            fprintf (stderr, "usage: bench_ingest [-n SIGNALS] [-k ROUNDS] [-s SUBMITTERS] "
                             "[-w WINDOW] [-r RATE] [-t SECONDS] [-p PORT] "
                             "[-S normal|full|extra] [-P PARTS] [-m STORE] "
                             "[-x SEIN-SUBMIT] [-W WINDOW] [-C]\n"
                             "  PARTS: comma-separated, of latency,ingest,submit,million,raw "
                             "(default all)\n");
            return 64;
        }
    }
    if (submitters < 1 || submitters > 64 || window < 1 || rate < 1 || seconds < 1 ||
        rounds < 1 || rounds > 15 || signals < submitters || parts <= 0 || store < 1)
        return 64;
    zsys_handler_set (NULL);
    sein_harness_t daemon;
    char setting[64];
    snprintf (setting, sizeof setting, "storage.synchronous=%s", synchronous);
    if (sein_harness_init (&daemon, port) || (secure && sein_harness_secure (&daemon)) ||
        (sein_harness_set (&daemon, setting), sein_harness_start (&daemon))) {
        fprintf (stderr, "bench_ingest: seind did not start (see %s)\n", daemon.log);
        return 69;
    }
    s_keys = daemon.keys;
    printf ("bench_ingest: %d rounds of %ld signals, %d submitters, window %d, "
            "storage.synchronous=%s%s\n",
            rounds, signals, submitters, window, synchronous,
            secure ? ", security on (CURVE)" : "");
    //  Latency first, on a fresh store: after the throughput run the
    //  checkpointer still has the whole flood's log to copy, which is not
    //  the steady state of a service taking 1,000 signals/s.
    if (parts & S_LATENCY)
        s_latency_part (daemon.intake, rate, seconds, 0, "fresh store");
    double own = 0;
    int batch = 256;
    //  -C: a second seind without security, for the ingest part's ratio.
    sein_harness_t plain = {.pid = -1};
    if (secure && (parts & S_INGEST) &&
        (sein_harness_init (&plain, port ? port + 20 : 0) ||
         (sein_harness_set (&plain, setting), sein_harness_start (&plain)))) {
        fprintf (stderr, "bench_ingest: seind without security did not start (see %s)\n",
                 plain.log);
        return 69;
    }
    if (parts & S_INGEST)
        own = s_ingest_part (daemon.intake, secure ? plain.intake : NULL, rounds,
                             submitters, signals, window, daemon.pid, &batch);
    if (secure && (parts & S_INGEST))
        sein_harness_cleanup (&plain);
    if (parts & S_SUBMIT)
        s_submit_part (&daemon, submit_program, submit_window, signals, own);
    int status = 0;
    if (parts & S_MILLION)
        status = s_million_part (&daemon, store, signals, submitters, window, rate, seconds);
    if (status == 0) {
        printf ("seind      memory: peak RSS %ld kB\n", sein_harness_memory (&daemon, true));
        char *event = s_stored_event (daemon.intake);
        sein_harness_stop (&daemon, SIGTERM);
        s_keys = NULL; //  the raw parts are plain ZeroMQ and SQLite
        if (parts & S_RAW)
            s_raw_part (&daemon, port, rounds, submitters, signals, window, rate, seconds,
                        event, batch);
        free (event);
    }
    sein_harness_cleanup (&daemon);
    zstr_free (&submit_program);
    return status ? 69 : 0;
}
