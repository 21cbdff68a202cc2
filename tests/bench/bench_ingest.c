/*  bench_ingest - durable ingest throughput and ack latency of the real seind

    Starts seind (bundled config, synchronous=full, tcp loopback) and drives
    it with several pipelined submitters, then with one submitter at a
    fixed offered rate. For scale it measures the same two things against
    a bare ZeroMQ ROUTER that answers at once (the transport's own cost),
    and raw SQLite inserts of the same rows in WAL + synchronous=FULL.

        bench_ingest [-n SIGNALS] [-k ROUNDS] [-s SUBMITTERS] [-w WINDOW]
                     [-r RATE] [-t SECONDS] [-p PORT] [-S SYNC]

    Throughput is measured in ROUNDS rounds (default 3) of SIGNALS each,
    and the median printed with the range: on a shared VM one round can
    be 20% off the next. Each submitter keeps WINDOW (default 2048)
    submissions outstanding, as a bulk import with `sein-submit -w 2048`
    would.

    Targets (issue 2): >= 40,000 signals/s with every ack after an fsynced
    commit; p99 ack latency < 5 ms at 1,000 signals/s.
*/
#include "../sein_harness.h"
#include "sein.h"

#include <czmq.h>
#include <getopt.h>
#include <pthread.h>
#include <sqlite3.h>

typedef struct {
    const char *endpoint;
    int id;
    int round;
    long count;
    int window;
    pthread_barrier_t *ready; //  bodies built, start the clock
    long accepted;
    long failed;
} s_submitter_t;


//  A realistic submission; the external id makes each one new.
static char *
s_body (int round, int submitter, long index)
{
    return zsys_sprintf (
        "{\"description\":\"%s\",\"source\":\"citizen\",\"channel\":\"web\","
        "\"address_string\":\"Naamsestraat %ld, Leuven\","
        "\"external_id\":\"b%d-%d-%ld\",\"submitter\":\"bench\","
        "\"reporter\":{\"name\":\"Jan Peeters\",\"email\":\"jan@example.org\"}}",
        sein_harness_texts[index % SEIN_HARNESS_TEXTS], 1 + index % 200, round, submitter,
        index);
}

//  Raw zmq_send / zmq_msg_recv: the submitters should cost the two cores
//  as little as possible, so that what is measured is seind.
static void
s_send (zsock_t *dealer, long corr, const char *body)
{
    void *handle = zsock_resolve (dealer);
    char tag[24];
    int len = snprintf (tag, sizeof tag, "%ld", corr);
    zmq_send (handle, SEIN_PROTOCOL, strlen (SEIN_PROTOCOL), ZMQ_SNDMORE);
    zmq_send (handle, SEIN_SUBMIT, strlen (SEIN_SUBMIT), ZMQ_SNDMORE);
    zmq_send (handle, tag, (size_t) len, ZMQ_SNDMORE);
    zmq_send (handle, body, strlen (body), 0);
}

//  Returns the correlation id of one reply, -1 on timeout; counts it.
static long
s_receive (zsock_t *dealer, s_submitter_t *self)
{
    void *handle = zsock_resolve (dealer);
    zmq_msg_t part;
    zmq_msg_init (&part);
    long corr = -1;
    bool accepted = false;
    for (int index = 0;; index++) {
        if (zmq_msg_recv (&part, handle, 0) < 0) {
            zmq_msg_close (&part);
            return -1;
        }
        if (index == 2) {
            char tag[24] = "";
            size_t size = zmq_msg_size (&part) < 23 ? zmq_msg_size (&part) : 23;
            memcpy (tag, zmq_msg_data (&part), size);
            corr = atol (tag);
        } else if (index == 3)
            accepted = memmem (zmq_msg_data (&part), zmq_msg_size (&part),
                               "\"accepted\"", 10) != NULL;
        if (!zmq_msg_more (&part))
            break;
    }
    zmq_msg_close (&part);
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


//  How many commits seind has made so far.
static long
s_commits (const char *endpoint)
{
    sein_client_t *client = sein_client_new (endpoint);
    json_t *ping = sein_client_call (client, SEIN_PING, NULL, 5000);
    long commits = (long) json_integer_value (
        json_object_get (json_object_get (ping, "counters"), "batches"));
    json_decref (ping);
    sein_client_destroy (&client);
    return commits;
}

//  TOTAL signals from SUBMITTERS pipelining threads; signals/s. ROUND
//  keeps the external ids of each call new.
static double
s_throughput (const char *endpoint, int round, int submitters, long total, int window,
              long *accepted)
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
    for (int index = 0; index < submitters; index++) {
        pthread_join (threads[index], NULL);
        *accepted += args[index].accepted;
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

//  One submitter at RATE per second for SECONDS; fills p50/p99 in µs.
static void
s_latency (const char *endpoint, int rate, int seconds, double *p50, double *p99,
           int tag)
{
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
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

int
main (int argc, char **argv)
{
    long signals = 200000;
    int rounds = 3, submitters = 4, window = 2048, rate = 1000, seconds = 5, port = 25570;
    const char *synchronous = "full";
    int option;
    while ((option = getopt (argc, argv, "n:k:s:w:r:t:p:S:h")) != -1) {
        switch (option) {
        case 'n': signals = atol (optarg); break;
        case 'k': rounds = atoi (optarg); break;
        case 's': submitters = atoi (optarg); break;
        case 'w': window = atoi (optarg); break;
        case 'r': rate = atoi (optarg); break;
        case 't': seconds = atoi (optarg); break;
        case 'p': port = atoi (optarg); break; //  0: ipc:// endpoints
        case 'S': synchronous = optarg; break;
        default:
            fprintf (stderr, "usage: bench_ingest [-n SIGNALS] [-k ROUNDS] [-s SUBMITTERS] "
                             "[-w WINDOW] [-r RATE] [-t SECONDS] [-p PORT] "
                             "[-S normal|full|extra]\n");
            return 64;
        }
    }
    if (submitters < 1 || submitters > 64 || window < 1 || rate < 1 || seconds < 1 ||
        rounds < 1 || rounds > 15)
        return 64;
    zsys_handler_set (NULL);
    sein_harness_t daemon;
    char setting[64];
    snprintf (setting, sizeof setting, "storage.synchronous=%s", synchronous);
    if (sein_harness_init (&daemon, port) ||
        (sein_harness_set (&daemon, setting), sein_harness_start (&daemon))) {
        fprintf (stderr, "bench_ingest: seind did not start (see %s)\n", daemon.log);
        return 69;
    }
    printf ("bench_ingest: %d rounds of %ld signals, %d submitters, window %d, "
            "storage.synchronous=%s\n",
            rounds, signals, submitters, window, synchronous);
    //  Latency first, on a fresh store: after the throughput run the
    //  checkpointer still has the whole flood's log to copy, which is not
    //  the steady state of a service taking 1,000 signals/s.
    double p50, p99;
    s_latency (daemon.intake, rate, seconds, &p50, &p99, 0);
    printf ("seind      ack latency at %d/s: p50 %.0f us, p99 %.0f us\n", rate, p50, p99);
    long accepted = 0;
    long commits_before = s_commits (daemon.intake);
    double cpu_before = sein_harness_cpu (daemon.pid);
    double own_before = sein_harness_cpu (getpid ());
    double rates[15];
    printf ("seind      ingest rounds:");
    for (int round = 0; round < rounds; round++) {
        long round_accepted;
        rates[round] =
            s_throughput (daemon.intake, round, submitters, signals, window, &round_accepted);
        accepted += round_accepted;
        printf (" %.0f", rates[round]);
        fflush (stdout);
    }
    double cpu = sein_harness_cpu (daemon.pid) - cpu_before;
    double own = sein_harness_cpu (getpid ()) - own_before;
    qsort (rates, (size_t) rounds, sizeof rates[0], s_compare_double);
    printf ("\nseind      ingest: %9.0f signals/s durable, median of %d rounds (%.0f to "
            "%.0f; %ld accepted)\n",
            rates[rounds / 2], rounds, rates[0], rates[rounds - 1], accepted);
    sein_client_t *client = sein_client_new (daemon.intake);
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
    int batch = commits ? (int) (accepted / commits) : 256;
    //  A real stored event, for the raw SQLite figure below.
    json_t *request = json_pack ("{s:i,s:i}", "from", 1, "limit", 1);
    json_t *events = sein_client_call (client, SEIN_EVENTS, request, 5000);
    json_decref (request);
    char *event = json_dumps (json_array_get (json_object_get (events, "events"), 0),
                              JSON_COMPACT | JSON_REAL_PRECISION (15));
    json_decref (events);
    sein_client_destroy (&client);
    printf ("seind      memory: peak RSS %ld kB\n", sein_harness_memory (&daemon, true));
    sein_harness_stop (&daemon, SIGTERM);

    char echo_endpoint[300];
    if (port > 0)
        snprintf (echo_endpoint, sizeof echo_endpoint, "tcp://127.0.0.1:%d", port + 10);
    else
        snprintf (echo_endpoint, sizeof echo_endpoint, "ipc://%s/echo", daemon.dir);
    zactor_t *echo = zactor_new (s_echo_actor, echo_endpoint);
    double zmq_rate =
        s_throughput (echo_endpoint, rounds, submitters, signals, window, &accepted);
    printf ("raw zeromq round trips: %9.0f /s\n", zmq_rate);
    s_latency (echo_endpoint, rate, seconds, &p50, &p99, 1);
    printf ("raw zeromq latency at %d/s: p50 %.0f us, p99 %.0f us\n", rate, p50, p99);
    zactor_destroy (&echo);

    double sqlite_rate = s_sqlite (daemon.dir, event ? event : "{}", signals,
                                   batch > 0 ? batch : 1, &p50, &p99);
    printf ("raw sqlite (seind's rows, %zu-byte event, %d a commit, WAL, FULL): %9.0f "
            "signals/s\n",
            event ? strlen (event) : 2, batch, sqlite_rate);
    printf ("raw sqlite single-signal commit: p50 %.0f us, p99 %.0f us\n", p50, p99);
    free (event);
    sein_harness_cleanup (&daemon);
    return 0;
}
