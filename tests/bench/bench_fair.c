// SPDX-License-Identifier: MPL-2.0
/*  bench_fair - does a flood from one client slow down everyone else?

    Issue 13 ("Fairness"): one client pipelining 100,000 signals as fast as
    it can must not push another client's p99 ack latency above 3x its
    unloaded value. This starts the real seind (bundled config,
    synchronous=full, tcp loopback) and measures a "lone" client that
    submits one signal every PERIOD ms and waits for each ack:

      1. unloaded: the lone client alone for SECONDS;
      2. loaded: the same lone client while a flooder keeps WINDOW
         submissions outstanding (as `sein-submit -w 2048` would) until it
         has SIGNALS acks, ROUNDS times.

    It prints both p50/p99, the ratio of the p99s and the flood's own
    throughput, and exits 1 when the ratio is above 3 only with -s
    (strict): on a shared two-core VM a neighbour's build can move a p99.

        bench_fair [-n SIGNALS] [-k ROUNDS] [-w WINDOW] [-i PERIOD_MS]
                   [-t SECONDS] [-p PORT] [-o TRACE] [-s]

    With -o, every lone ack goes to TRACE as a line "phase sent_ms latency_us"
    (phase unloaded or round N, sent_ms since the run began), to line up a
    stall with seind's log (daemon.log_level=info gives each batch's commit
    and fsync times).
*/
#include "../sein_harness.h"
#include "sein.h"

#include <czmq.h>
#include <getopt.h>
#include <pthread.h>

#define S_RATIO_MAX 3.0

static int64_t s_epoch; //  zclock_usecs at the start of the run

typedef struct {
    const char *endpoint;
    long count;
    int window;
    int round;
    pthread_barrier_t *ready;
    volatile bool done; //  set once every ack came back (or the flood gave up)
    long accepted;
    long failed;
    double seconds;
} s_flood_t;

//  A realistic submission; TAG and INDEX make its external id new.
static char *
s_body (const char *tag, long index)
{
    return zsys_sprintf (
        "{\"description\":\"%s\",\"source\":\"citizen\",\"channel\":\"web\","
        "\"address_string\":\"Naamsestraat %ld, Leuven\","
        "\"external_id\":\"%s-%ld\",\"submitter\":\"bench\"}",
        sein_harness_texts[index % SEIN_HARNESS_TEXTS], 1 + index % 200, tag, index);
}

//  The flooder: WINDOW submissions outstanding until COUNT acks are back.
static void *
s_flood (void *arg)
{
    s_flood_t *self = (s_flood_t *) arg;
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    zsock_set_rcvtimeo (dealer, 10000);
    zsock_set_sndhwm (dealer, 0);
    zsock_set_rcvhwm (dealer, 0);
    zsock_connect (dealer, "%s", self->endpoint);
    void *handle = zsock_resolve (dealer);
    char tag[32];
    snprintf (tag, sizeof tag, "flood%d", self->round);
    //  Bodies are built before the clock starts, as a client reading a
    //  file would have them at hand.
    char **bodies = (char **) zmalloc (sizeof (char *) * (size_t) self->count);
    for (long index = 0; index < self->count; index++)
        bodies[index] = s_body (tag, index);
    pthread_barrier_wait (self->ready);
    int64_t start = zclock_usecs ();
    long sent = 0, outstanding = 0;
    while (sent < self->count || outstanding > 0) {
        while (sent < self->count && outstanding < self->window) {
            sein_harness_submit (handle, sent, bodies[sent]);
            sent++;
            outstanding++;
        }
        bool accepted;
        if (sein_harness_receive (handle, &accepted) < 0)
            break;
        outstanding--;
        if (accepted)
            self->accepted++;
        else
            self->failed++;
    }
    self->seconds = (double) (zclock_usecs () - start) / 1e6;
    self->done = true;
    for (long index = 0; index < self->count; index++)
        free (bodies[index]);
    free (bodies);
    zsock_destroy (&dealer);
    return NULL;
}

typedef struct {
    int64_t *samples; //  ack latencies in µs
    int64_t *sent;    //  when each was sent, µs since the start of the run
    long count;
    long capacity;
    long failed; //  answered, but not accepted, or not answered in 10 s
} s_lone_t;

//  The lone client: one signal every PERIOD ms, each ack awaited, until
//  SECONDS have passed (FLOOD NULL) or the flood is done.
static void
s_lone (void *handle, int period, int seconds, const s_flood_t *flood, s_lone_t *lone,
        long *next)
{
    int64_t start = zclock_usecs ();
    int64_t end = start + (int64_t) seconds * 1000000;
    int64_t due = start;
    zpoller_t *poller = zpoller_new (NULL);
    zpoller_add (poller, handle);
    while (flood ? !flood->done : zclock_usecs () < end) {
        int64_t now = zclock_usecs ();
        if (now < due) {
            zclock_sleep ((int) ((due - now + 999) / 1000));
            continue;
        }
        char *body = s_body ("lone", *next);
        int64_t sent_at = zclock_usecs ();
        sein_harness_submit (handle, *next, body);
        free (body);
        bool accepted = false;
        long corr = -1;
        //  Replies to an earlier request (none expected) are skipped.
        while (corr != *next && zpoller_wait (poller, 10000) == handle)
            corr = sein_harness_receive (handle, &accepted);
        int64_t latency = zclock_usecs () - sent_at;
        (*next)++;
        if (corr < 0 || !accepted)
            lone->failed++;
        else if (lone->count < lone->capacity) {
            lone->sent[lone->count] = sent_at - s_epoch;
            lone->samples[lone->count++] = latency;
        }
        //  The next one PERIOD after this one was due, or now when the ack
        //  took longer: a steady rate, no burst to catch up.
        due += (int64_t) period * 1000;
        if (due < zclock_usecs ())
            due = zclock_usecs ();
    }
    zpoller_destroy (&poller);
}

//  Append LONE's samples to TRACE (may be NULL), one line each: PHASE,
//  when it was sent (ms since the start of the run), its latency (µs).
//  Before s_percentiles, which sorts them.
static void
s_trace (FILE *trace, const char *phase, const s_lone_t *lone, long from)
{
    for (long index = from; trace && index < lone->count; index++)
        fprintf (trace, "%s %.3f %lld\n", phase, (double) lone->sent[index] / 1000.0,
                 (long long) lone->samples[index]);
}

static int
s_compare (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return x < y ? -1 : x > y;
}

//  p50, p99 and max of LONE's samples in µs (sorts them).
static void
s_percentiles (s_lone_t *lone, double *p50, double *p99, double *max)
{
    *p50 = *p99 = *max = -1;
    if (lone->count == 0)
        return;
    qsort (lone->samples, (size_t) lone->count, sizeof (int64_t), s_compare);
    *p50 = (double) lone->samples[lone->count / 2];
    *p99 = (double) lone->samples[lone->count * 99 / 100];
    *max = (double) lone->samples[lone->count - 1];
}

int
main (int argc, char **argv)
{
    long signals = 100000;
    int rounds = 3, window = 2048, period = 10, seconds = 10, port = 25590;
    bool strict = false;
    const char *trace_path = NULL;
    int option;
    while ((option = getopt (argc, argv, "n:k:w:i:t:p:o:sh")) != -1) {
        switch (option) {
        case 'n': signals = atol (optarg); break;
        case 'k': rounds = atoi (optarg); break;
        case 'w': window = atoi (optarg); break;
        case 'i': period = atoi (optarg); break;
        case 't': seconds = atoi (optarg); break;
        case 'p': port = atoi (optarg); break; //  0: ipc:// endpoints
        case 'o': trace_path = optarg; break;
        case 's': strict = true; break;
        default:
            fprintf (stderr, "usage: bench_fair [-n SIGNALS] [-k ROUNDS] [-w WINDOW] "
                             "[-i PERIOD_MS] [-t SECONDS] [-p PORT] [-o TRACE] [-s]\n");
            return 64;
        }
    }
    if (signals < 1 || rounds < 1 || window < 1 || period < 1 || seconds < 1)
        return 64;
    FILE *trace = trace_path ? fopen (trace_path, "w") : NULL;
    if (trace_path && !trace) {
        fprintf (stderr, "bench_fair: cannot write %s\n", trace_path);
        return 73;
    }
    s_epoch = zclock_usecs ();
    if (trace)
        fprintf (trace, "# began at %lld us (zclock_usecs)\n", (long long) s_epoch);
    zsys_handler_set (NULL);
    sein_harness_t daemon;
    if (sein_harness_init (&daemon, port) || sein_harness_start (&daemon)) {
        fprintf (stderr, "bench_fair: seind did not start (see %s)\n", daemon.log);
        sein_harness_cleanup (&daemon);
        return 69;
    }
    printf ("bench_fair: lone client every %d ms; flood of %ld signals, window %d, "
            "%d rounds\n",
            period, signals, window, rounds);
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    zsock_connect (dealer, "%s", daemon.intake);
    void *handle = zsock_resolve (dealer);
    long next = 0;
    //  Enough room for a sample per PERIOD however long the floods take.
    s_lone_t unloaded = {0}, loaded = {0};
    unloaded.capacity = (long) seconds * 1000 / period + 16;
    loaded.capacity = 1000000;
    unloaded.samples =
        (int64_t *) zmalloc (sizeof (int64_t) * (size_t) unloaded.capacity);
    loaded.samples = (int64_t *) zmalloc (sizeof (int64_t) * (size_t) loaded.capacity);
    unloaded.sent = (int64_t *) zmalloc (sizeof (int64_t) * (size_t) unloaded.capacity);
    loaded.sent = (int64_t *) zmalloc (sizeof (int64_t) * (size_t) loaded.capacity);

    s_lone (handle, period, seconds, NULL, &unloaded, &next);
    s_trace (trace, "unloaded", &unloaded, 0);
    double u50, u99, umax;
    s_percentiles (&unloaded, &u50, &u99, &umax);
    printf ("unloaded: %ld acks, p50 %.0f us, p99 %.0f us, max %.0f us, %ld failed\n",
            unloaded.count, u50, u99, umax, unloaded.failed);

    long accepted = 0, failed = 0;
    double flood_seconds = 0;
    for (int round = 0; round < rounds; round++) {
        pthread_barrier_t ready;
        pthread_barrier_init (&ready, NULL, 2);
        s_flood_t flood = {daemon.intake, signals, window, round, &ready, false, 0, 0, 0};
        pthread_t thread;
        pthread_create (&thread, NULL, s_flood, &flood);
        pthread_barrier_wait (&ready);
        long before = loaded.count;
        s_lone (handle, period, seconds, &flood, &loaded, &next);
        char phase[16];
        snprintf (phase, sizeof phase, "round%d", round + 1);
        s_trace (trace, phase, &loaded, before);
        pthread_join (thread, NULL);
        pthread_barrier_destroy (&ready);
        accepted += flood.accepted;
        failed += flood.failed;
        flood_seconds += flood.seconds;
        printf ("round %d: flood %ld acks in %.2f s (%.0f/s), lone %ld acks\n", round + 1,
                flood.accepted, flood.seconds, (double) flood.accepted / flood.seconds,
                loaded.count - before);
    }
    double l50, l99, lmax;
    s_percentiles (&loaded, &l50, &l99, &lmax);
    printf ("loaded:   %ld acks, p50 %.0f us, p99 %.0f us, max %.0f us, %ld failed\n",
            loaded.count, l50, l99, lmax, loaded.failed);
    printf ("flood:    %ld accepted, %ld failed, %.0f signals/s\n", accepted, failed,
            (double) accepted / (flood_seconds > 0 ? flood_seconds : 1));
    //  How big the flood made the batches: what every request in one waits for.
    sein_client_t *client = sein_client_new (daemon.intake);
    json_t *ping = sein_client_call (client, SEIN_PING, NULL, 5000);
    json_t *counters = json_object_get (ping, "counters");
    long commits = (long) json_integer_value (json_object_get (counters, "batches"));
    long signals_stored = accepted + unloaded.count + loaded.count;
    printf ("batches:  %ld commits (%.0f signals each), largest %lld\n", commits,
            (double) signals_stored / (double) (commits ? commits : 1),
            (long long) json_integer_value (json_object_get (counters, "largest_batch")));
    json_decref (ping);
    sein_client_destroy (&client);
    double ratio = u99 > 0 && l99 > 0 ? l99 / u99 : -1;
    printf ("p99 ratio loaded/unloaded: %.2f (target <= %.1f)\n", ratio, S_RATIO_MAX);

    zsock_destroy (&dealer);
    free (unloaded.samples);
    free (loaded.samples);
    free (unloaded.sent);
    free (loaded.sent);
    if (trace)
        fclose (trace);
    sein_harness_stop (&daemon, SIGTERM);
    sein_harness_cleanup (&daemon);
    //  Every request must have been answered, whatever the ratio.
    bool broken = ratio < 0 || unloaded.failed || loaded.failed || failed ||
                  accepted != (long) rounds * signals;
    if (broken)
        fprintf (stderr, "bench_fair: requests failed or went unanswered\n");
    return broken ? 2 : strict && ratio > S_RATIO_MAX ? 1 : 0;
}
