// SPDX-License-Identifier: MPL-2.0
/*  test_watch.c - the watch stream against the real daemon (issue 4)

    Every test starts seind through the harness (bundled conf/sein.cfg, a
    fresh store, ipc:// endpoints) and drives it with the real clients:
    sein-watch as a child process that is killed and restarted, or stopped
    with SIGSTOP through a flood of 100,000 signals; sein_watcher_t for the
    filters, the start points, daemon restarts, an expired session and
    refused requests.
    What a watcher received is always compared with what the daemon stored
    (EVENTS) and acked, never with what the test thinks it sent.

    Waits are bounded by deadlines, and a watchdog ends the program (and
    the processes it started) if anything hangs, so a broken daemon makes
    this file fail, not stall ctest.
*/
#include "sein_harness.h"

#include "sein.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <czmq.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/wait.h>

//  What a watcher stopped with SIGSTOP may cost the daemon. By design a
//  session is a cursor plus credit: at most watch.credit_max events (1000
//  by default, and what sein-watch asks for) are sent towards it and not
//  yet covered by credit it returned, whatever else flows meanwhile. The
//  daemon counts them (PING's counters.watch_queued, summed over its
//  counters.watch_sessions), and the test asserts the count, sampled
//  through the flood, never exceeds sessions x credit_max. Unlike the
//  resident memory this used to watch, the count does not depend on the
//  allocator or on the ingest working set, and a daemon that queued what
//  the stopped watcher misses would exceed it at once.
#if defined(__SANITIZE_ADDRESS__)
//  A sanitizer build is 3-5 times slower and does not assert the bound
//  (see test_sigstop): a smaller flood still tests stop, resume and
//  catch-up and keeps the file within its time.
#define S_STOP_SIGNALS 40000
#else
#define S_STOP_SIGNALS 100000
#endif
#define S_STOP_SUBMITTERS   4
#define S_STOP_WINDOW       256
#define S_CREDIT_MAX        1000 //  watch.credit_max, the bundled default

//  The whole file stays well under two minutes; this is the hard stop.
#define S_WATCHDOG_SECONDS 170

//  ---------------------------------------------------------------------
//  Watchdog: whatever this program started goes down with it.

static sein_harness_t *s_daemon;
static pid_t s_children[4];

static void
s_watchdog (int signum)
{
    (void) signum;
    static const char message[] = "test_watch: watchdog expired, killing children\n";
    if (write (STDERR_FILENO, message, sizeof message - 1) < 0) {
    }
    for (int index = 0; index < 4; index++)
        if (s_children[index] > 0) {
            kill (s_children[index], SIGCONT);
            kill (s_children[index], SIGKILL);
        }
    if (s_daemon && s_daemon->pid > 0)
        kill (s_daemon->pid, SIGKILL);
    _exit (1);
}

//  One daemon at a time, in static storage: after a failed assertion
//  cmocka jumps out of the test, and the teardown still finds it.
static sein_harness_t s_harness;

//  Prepare a daemon with the harness defaults and the "path=value"
//  OVERRIDES (NULL ended), and start it.
static sein_harness_t *
s_start_daemon (const char *override, ...)
{
    sein_harness_t *h = &s_harness;
    assert_int_equal (sein_harness_init (h, 0), 0);
    //  These tests count one event per submission; many of theirs share a
    //  spot and a theme, which nearby-report linking would add `linked`
    //  events to (test_lifecycle covers those).
    sein_harness_set (h, "lifecycle.link_radius=0");
    va_list args;
    va_start (args, override);
    for (; override; override = va_arg (args, const char *))
        sein_harness_set (h, override);
    va_end (args);
    s_daemon = h;
    assert_int_equal (sein_harness_start (h), 0);
    return h;
}

//  A sanitizer's report in FILE, if any (a fresh string), else NULL.
static char *
s_sanitizer_report (const char *file)
{
    FILE *input = fopen (file, "r");
    if (!input)
        return NULL;
    char line[512];
    char *report = NULL;
    while (!report && fgets (line, sizeof line, input))
        if (strstr (line, "Sanitizer") || strstr (line, "runtime error:"))
            report = zsys_sprintf ("%s: %s", file, line);
    fclose (input);
    return report;
}

//  Stop the daemon the way systemd does and check it went cleanly: exit
//  status 0 (a sanitizer build exits otherwise on a leak), and no
//  sanitizer report from it or from any sein-watch run.
static void
s_stop_daemon (sein_harness_t *h)
{
    if (h->pid > 0)
        assert_int_equal (sein_harness_stop (h, SIGTERM), 0);
    char *report = s_sanitizer_report (h->log);
    zdir_t *dir = zdir_new (h->dir, NULL);
    zfile_t **files = dir ? (zfile_t **) zdir_flatten (dir) : NULL;
    for (size_t index = 0; files && files[index] && !report; index++) {
        const char *name = zfile_filename (files[index], NULL);
        if (strlen (name) > 4 && streq (name + strlen (name) - 4, ".err"))
            report = s_sanitizer_report (name);
    }
    zdir_flatten_free (&files);
    zdir_destroy (&dir);
    if (report)
        fail_msg ("%s", report);
    sein_harness_cleanup (h);
    s_daemon = NULL;
}

//  After a failed test: whatever it left running or on disk goes.
static int
s_teardown (void **state)
{
    (void) state;
    for (int index = 0; index < 4; index++)
        if (s_children[index] > 0) {
            kill (s_children[index], SIGCONT);
            kill (s_children[index], SIGKILL);
            waitpid (s_children[index], NULL, 0);
            s_children[index] = 0;
        }
    if (s_daemon) {
        fprintf (stderr, "daemon log of the failed test (%s):\n", s_daemon->log);
        char *command = zsys_sprintf ("tail -20 '%s' >&2", s_daemon->log);
        if (system (command) != 0)
            fprintf (stderr, "(no log)\n");
        zstr_free (&command);
        sein_harness_cleanup (s_daemon);
        s_daemon = NULL;
    }
    return 0;
}

//  ---------------------------------------------------------------------
//  Submitting

//  A signal with explicit area, theme and priority (NULL: let the daemon
//  classify), so what a filter must select does not depend on the
//  classifier's judgement.
static json_t *
s_signal (const char *area, const char *theme, const char *priority, const char *key,
          long index)
{
    json_t *body = json_pack ("{s:s,s:s,s:s,s:s,s:s,s:{s:s}}", "description",
                              sein_harness_texts[index % SEIN_HARNESS_TEXTS], "source",
                              "citizen", "channel", "web", "area", area, "external_id",
                              key, "reporter", "name", "Jan Peeters");
    if (theme)
        json_object_set_new (body, "theme", json_string (theme));
    if (priority)
        json_object_set_new (body, "priority", json_string (priority));
    return body;
}

static bool
s_accepted (json_t *reply)
{
    const char *status = json_string_value (json_object_get (reply, "status"));
    return status && streq (status, "accepted") &&
           json_is_false (json_object_get (reply, "duplicate"));
}

//  Submit every signal of BODIES pipelined; returns the acks in the order
//  of BODIES, each asserted to be a fresh "accepted".
static json_t *
s_submit_all (sein_harness_t *h, json_t *bodies)
{
    sein_client_t *client = sein_client_new (h->intake);
    assert_non_null (client);
    size_t total = json_array_size (bodies), sent = 0, received = 0;
    json_t *acks = json_array ();
    for (size_t index = 0; index < total; index++)
        json_array_append_new (acks, json_null ());
    int64_t deadline = zclock_mono () + 30000;
    while (received < total) {
        while (sent < total && sent - received < 256) {
            char corr[24];
            snprintf (corr, sizeof corr, "%zu", sent);
            assert_int_equal (
                sein_client_send (client, SEIN_SUBMIT, corr, json_array_get (bodies, sent),
                                  5000),
                0);
            sent++;
        }
        int64_t left = deadline - zclock_mono ();
        assert_true (left > 0);
        char *corr = NULL;
        json_t *reply = sein_client_recv (client, (int) left, &corr, NULL);
        assert_non_null (reply);
        assert_non_null (corr);
        size_t index = (size_t) atol (corr);
        zstr_free (&corr);
        assert_true (index < total);
        if (!s_accepted (reply))
            fail_msg ("not accepted: %s", json_dumps (reply, JSON_COMPACT));
        json_array_set_new (acks, index, reply);
        received++;
    }
    sein_client_destroy (&client);
    return acks;
}

//  Every stored event, from EVENTS in pages.
static json_t *
s_stored (sein_harness_t *h)
{
    sein_client_t *client = sein_client_new (h->intake);
    assert_non_null (client);
    json_t *all = json_array ();
    json_int_t from = 1;
    while (true) {
        json_t *request = json_pack ("{s:I,s:i}", "from", from, "limit", 1000);
        json_t *reply = sein_client_call (client, SEIN_EVENTS, request, 10000);
        json_decref (request); //  the call does not take it
        assert_non_null (reply);
        json_t *events = json_object_get (reply, "events");
        assert_true (json_is_array (events));
        size_t index;
        json_t *event;
        json_array_foreach (events, index, event) {
            assert_int_equal (json_integer_value (json_object_get (event, "seq")), from);
            json_array_append (all, event);
            from++;
        }
        bool done = json_array_size (events) == 0;
        json_decref (reply);
        if (done)
            break;
    }
    sein_client_destroy (&client);
    return all;
}

static int64_t
s_seq (json_t *event)
{
    return json_integer_value (json_object_get (event, "seq"));
}

static const char *
s_field (json_t *event, const char *key)
{
    const char *value = json_string_value (json_object_get (event, key));
    return value ? value : "";
}

//  Submitters for the flood: each a DEALER with WINDOW requests in flight.
typedef struct {
    const char *endpoint;
    int id;
    long count;
    int window;
    long accepted;
} s_flooder_t;

static void *
s_flooder (void *arg)
{
    s_flooder_t *self = (s_flooder_t *) arg;
    sein_client_t *client = sein_client_new (self->endpoint);
    long sent = 0, received = 0;
    while (received < self->count) {
        while (sent < self->count && sent - received < self->window) {
            char *body = zsys_sprintf (
                "{\"description\":\"%s\",\"source\":\"citizen\",\"channel\":\"web\","
                "\"address_string\":\"Naamsestraat %ld, Leuven\",\"external_id\":\"f%d-%ld\","
                "\"reporter\":{\"name\":\"Jan Peeters\",\"email\":\"jan@example.org\"}}",
                sein_harness_texts[sent % SEIN_HARNESS_TEXTS], 1 + sent % 200, self->id,
                sent);
            int rc = sein_client_send_raw (client, SEIN_SUBMIT, "f", body, strlen (body),
                                           10000);
            zstr_free (&body);
            if (rc)
                goto done;
            sent++;
        }
        json_t *reply = sein_client_recv (client, 30000, NULL, NULL);
        if (!reply)
            break;
        if (s_accepted (reply))
            self->accepted++;
        json_decref (reply);
        received++;
    }
done:
    sein_client_destroy (&client);
    return NULL;
}

//  Submit COUNT signals from THREADS pipelined submitters, each with WINDOW
//  requests in flight; returns how
//  many were accepted. Bodies are built as they go, unlike the benchmark:
//  here only the total matters.
static long
s_flood (sein_harness_t *h, long count, int threads, int window, int id_base)
{
    pthread_t thread[8];
    s_flooder_t flooder[8];
    assert_true (threads <= 8);
    for (int index = 0; index < threads; index++) {
        long share = count / threads + (index < count % threads ? 1 : 0);
        flooder[index] = (s_flooder_t){h->intake, id_base + index, share, window, 0};
        pthread_create (&thread[index], NULL, s_flooder, &flooder[index]);
    }
    long accepted = 0;
    for (int index = 0; index < threads; index++) {
        pthread_join (thread[index], NULL);
        accepted += flooder[index].accepted;
    }
    return accepted;
}

//  ---------------------------------------------------------------------
//  sein-watch as a child process

//  Start sein-watch with the harness configuration and ARGS (NULL ended),
//  its stdout into OUT and its stderr into OUT.err.
static pid_t
s_spawn_watch (sein_harness_t *h, const char *out, ...)
{
    char *argv[64];
    int count = 0;
    argv[count++] = zsys_sprintf ("%s/sein-watch", SEIN_BINARY_DIR);
    argv[count++] = strdup ("-c");
    argv[count++] = strdup (h->config);
    for (int index = 0; index < h->noverrides; index++) {
        argv[count++] = strdup ("-o");
        argv[count++] = strdup (h->overrides[index]);
    }
    va_list args;
    va_start (args, out);
    const char *arg;
    while ((arg = va_arg (args, const char *)) && count < 63)
        argv[count++] = strdup (arg);
    va_end (args);
    argv[count] = NULL;
    char *err = zsys_sprintf ("%s.err", out);
    //  Opened before fork: the child of a threaded process should only
    //  dup2 and exec.
    int out_fd = open (out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err_fd = open (err, O_WRONLY | O_CREAT | O_APPEND, 0644);
    assert_true (out_fd >= 0 && err_fd >= 0);
    pid_t pid = fork ();
    if (pid == 0) {
        dup2 (out_fd, STDOUT_FILENO);
        dup2 (err_fd, STDERR_FILENO);
        execv (argv[0], argv);
        _exit (127);
    }
    close (out_fd);
    close (err_fd);
    for (int index = 0; index < count; index++)
        free (argv[index]);
    zstr_free (&err);
    assert_true (pid > 0);
    s_children[0] = pid;
    return pid;
}

//  Signal PID and reap it; returns the exit status, or 128 + signal.
static int
s_reap (pid_t pid, int signum)
{
    if (signum)
        kill (pid, signum);
    int status = 0;
    assert_int_equal (waitpid (pid, &status, 0), pid);
    if (s_children[0] == pid)
        s_children[0] = 0;
    return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

//  The whole of a file as a fresh string ("" when missing).
static char *
s_slurp (const char *path)
{
    FILE *file = fopen (path, "r");
    if (!file)
        return strdup ("");
    fseek (file, 0, SEEK_END);
    long size = ftell (file);
    fseek (file, 0, SEEK_SET);
    char *text = (char *) zmalloc ((size_t) size + 1);
    size_t got = fread (text, 1, (size_t) size, file);
    text[got] = 0;
    fclose (file);
    return text;
}

//  The seq recorded in a --state-file, 0 when none yet.
static int64_t
s_state (const char *path)
{
    char *text = s_slurp (path);
    int64_t seq = strtoll (text, NULL, 10);
    free (text);
    return seq;
}

//  Wait until the state file says SEQ was handled; false at the deadline.
static bool
s_wait_state (const char *path, int64_t seq, int timeout_ms)
{
    int64_t deadline = zclock_mono () + timeout_ms;
    while (zclock_mono () < deadline) {
        if (s_state (path) >= seq)
            return true;
        zclock_sleep (20);
    }
    return false;
}

//  ---------------------------------------------------------------------
//  Kill and restart: sein-watch --state-file while signals keep flowing

typedef struct {
    const char *endpoint;
    const char *prefix;
    int rate;       //  signals per second
    int duration;   //  ms
    json_t *acks;   //  one per accepted signal
    long failed;    //  replies that were not a fresh accept, or lost
} s_feeder_t;

static const char *s_feed_areas[] = {"heverlee", "heilig-hart", "binnenstad"};

//  Submits at RATE for DURATION, a few in flight, cycling through the
//  areas; the main thread meanwhile kills and restarts the watcher.
static void *
s_feeder (void *arg)
{
    s_feeder_t *self = (s_feeder_t *) arg;
    sein_client_t *client = sein_client_new (self->endpoint);
    int64_t start = zclock_mono ();
    long sent = 0, received = 0;
    while (true) {
        int64_t now = zclock_mono ();
        bool sending = now - start < self->duration;
        if (!sending && received == sent)
            break;
        int64_t due = start + sent * 1000 / self->rate;
        if (sending && now >= due && sent - received < 64) {
            char key[64];
            snprintf (key, sizeof key, "%s-%ld", self->prefix, sent);
            json_t *body = s_signal (s_feed_areas[sent % 3], NULL, NULL, key, sent);
            char corr[24];
            snprintf (corr, sizeof corr, "%ld", sent);
            if (sein_client_send (client, SEIN_SUBMIT, corr, body, 2000) == 0)
                sent++;
            else
                self->failed++;
            json_decref (body);
            continue;
        }
        int wait = sending ? (int) (due > now ? due - now : 1) : 10000;
        json_t *reply = sein_client_recv (client, wait, NULL, NULL);
        if (reply) {
            received++;
            if (s_accepted (reply))
                json_array_append (self->acks, reply);
            else
                self->failed++;
            json_decref (reply);
        } else if (!sending) {
            self->failed += sent - received;
            break;
        }
    }
    sein_client_destroy (&client);
    return NULL;
}

//  One run's output: the seqs of its lines, in order. Every line must be a
//  complete event of the wijk heverlee without personal data.
static void
s_read_run (const char *path, zlistx_t *seqs)
{
    char *text = s_slurp (path);
    size_t len = strlen (text);
    if (len)
        assert_true (text[len - 1] == '\n'); //  no torn last line, even after SIGKILL
    for (char *line = strtok (text, "\n"); line; line = strtok (NULL, "\n")) {
        json_error_t error;
        json_t *event = json_loads (line, 0, &error);
        if (!event)
            fail_msg ("%s: not JSON: %s", path, line);
        assert_string_equal (s_field (event, "wijk"), "heverlee");
        assert_null (json_object_get (event, "reporter"));
        zlistx_add_end (seqs, (void *) (intptr_t) s_seq (event));
        json_decref (event);
    }
    free (text);
}

static void
s_kill_restart (int signum)
{
    sein_harness_t *h = s_start_daemon (NULL);
    unsigned seed = getenv ("SEIN_TEST_SEED") ? (unsigned) atol (getenv ("SEIN_TEST_SEED"))
                                              : (unsigned) zclock_usecs ();
    srand (seed);
    printf ("kill/restart with %s, seed %u\n", signum == SIGKILL ? "SIGKILL" : "SIGTERM",
            seed);
    char state[320], out[8][320];
    snprintf (state, sizeof state, "%s/watch.state", h->dir);
    for (int run = 0; run < 8; run++)
        snprintf (out[run], sizeof out[run], "%s/watch-%d.out", h->dir, run);

    //  --since 1 applies only while the state file is empty: the first run
    //  starts at the beginning, every restart after the recorded seq.
#define S_WATCH(run)                                                                   \
    s_spawn_watch (h, out[run], "--json", "--state-file", state, "--area", "heverlee", \
                   "--since", "1", NULL)
    int runs = 0;
    pid_t watcher = S_WATCH (runs++);
    s_feeder_t feeder = {h->intake, signum == SIGKILL ? "kill" : "term", 1000, 4000,
                         json_array (), 0};
    pthread_t thread;
    pthread_create (&thread, NULL, s_feeder, &feeder);
    //  Kill at random moments of the 4 s of traffic, 3 times, and restart
    //  after a random pause during which signals keep arriving.
    for (int kill_count = 0; kill_count < 3; kill_count++) {
        zclock_sleep (500 + rand () % 600);
        int status = s_reap (watcher, signum);
        if (signum == SIGTERM)
            assert_int_equal (status, 0); //  a clean exit, state written
        else
            assert_int_equal (status, 128 + SIGKILL);
        zclock_sleep (rand () % 300);
        watcher = S_WATCH (runs++);
    }
    pthread_join (thread, NULL);
    assert_int_equal (feeder.failed, 0);

    //  What must come out: every stored event of the wijk heverlee (the
    //  wijk itself and its zone heilig-hart), nothing else.
    json_t *stored = s_stored (h);
    assert_int_equal (json_array_size (stored), json_array_size (feeder.acks));
    zlistx_t *expected = zlistx_new ();
    size_t index;
    json_t *event;
    json_array_foreach (stored, index, event) {
        const char *area = s_field (event, "area");
        if (streq (area, "heverlee") || streq (area, "heilig-hart"))
            zlistx_add_end (expected, (void *) (intptr_t) s_seq (event));
        else
            assert_string_equal (area, "binnenstad");
    }
    //  And the acks agree with the store on where each signal went.
    json_array_foreach (feeder.acks, index, event) {
        json_t *copy = json_array_get (stored, (size_t) s_seq (event) - 1);
        assert_non_null (copy);
        assert_string_equal (s_field (copy, "id"), s_field (event, "id"));
        assert_string_equal (s_field (copy, "area"), s_field (event, "area"));
    }
    assert_true (zlistx_size (expected) > 500);
    int64_t last = (int64_t) (intptr_t) zlistx_last (expected);
    assert_true (s_wait_state (state, last, 20000));
    assert_int_equal (s_reap (watcher, SIGTERM), 0);

    //  The runs one after the other. With SIGTERM sein-watch finishes the
    //  event in hand (printed, then recorded) and exits: nothing repeats.
    //  SIGKILL can land between printing an event and recording its seq;
    //  the restart then prints that one event again, so the only repeat
    //  allowed is the last line of a killed run as the first line of the
    //  next one, at most once per kill.
    zlistx_t *all = zlistx_new ();
    int repeats = 0;
    for (int run = 0; run < runs; run++) {
        zlistx_t *seqs = zlistx_new ();
        s_read_run (out[run], seqs);
        void *first = zlistx_first (seqs);
        if (first && zlistx_size (all) && first == zlistx_last (all)) {
            assert_int_equal (signum, SIGKILL);
            zlistx_delete (seqs, zlistx_cursor (seqs));
            repeats++;
        }
        for (void *seq = zlistx_first (seqs); seq; seq = zlistx_next (seqs))
            zlistx_add_end (all, seq);
        zlistx_destroy (&seqs);
    }
    printf ("%d runs, %zu events of heverlee out of %zu stored, %d repeated at a kill\n",
            runs, zlistx_size (all), json_array_size (stored), repeats);
    assert_true (repeats <= 3);
    assert_int_equal (zlistx_size (all), zlistx_size (expected));
    void *want = zlistx_first (expected);
    for (void *got = zlistx_first (all); got; got = zlistx_next (all)) {
        assert_int_equal ((intptr_t) got, (intptr_t) want);
        want = zlistx_next (expected);
    }
#undef S_WATCH
    zlistx_destroy (&all);
    zlistx_destroy (&expected);
    json_decref (stored);
    json_decref (feeder.acks);
    s_stop_daemon (h);
}

static void
test_kill_restart_sigterm (void **state)
{
    (void) state;
    s_kill_restart (SIGTERM);
}

static void
test_kill_restart_sigkill (void **state)
{
    (void) state;
    s_kill_restart (SIGKILL);
}

//  ---------------------------------------------------------------------
//  SIGSTOP: a watcher that stops reading during a flood

typedef struct {
    sein_harness_t *h;
    volatile bool stop;
    int64_t max_queued, max_sessions; //  PING's watch counters, the largest seen
    int samples;
    bool over; //  queued > sessions x credit_max in some sample
} s_sampler_t;

//  Sample PING's watch counters every 10 ms until told to stop.
static void *
s_sampler (void *arg)
{
    s_sampler_t *self = (s_sampler_t *) arg;
    sein_client_t *client = sein_client_new (self->h->intake);
    while (!self->stop) {
        json_t *reply = sein_client_call (client, SEIN_PING, NULL, 2000);
        json_t *counters = json_object_get (reply, "counters");
        if (counters) {
            int64_t queued = json_integer_value (json_object_get (counters, "watch_queued"));
            int64_t sessions =
                json_integer_value (json_object_get (counters, "watch_sessions"));
            if (queued > self->max_queued)
                self->max_queued = queued;
            if (sessions > self->max_sessions)
                self->max_sessions = sessions;
            if (queued > sessions * S_CREDIT_MAX)
                self->over = true;
            self->samples++;
        }
        json_decref (reply);
        zclock_sleep (10);
    }
    sein_client_destroy (&client);
    return NULL;
}

static void
test_sigstop (void **state)
{
    (void) state;
    //  The session must live through the stop, so credit alone bounds
    //  what it costs (an expired session would free it by other means).
    sein_harness_t *h = s_start_daemon ("watch.timeout=300000", NULL);
    char out[320], progress[320];
    snprintf (out, sizeof out, "%s/stopped.out", h->dir);
    snprintf (progress, sizeof progress, "%s/stopped.state", h->dir);
    //  The readable one-line format: the flood is 16 MB of it, not 150 MB
    //  of JSON.
    pid_t watcher =
        s_spawn_watch (h, out, "--since", "1", "--state-file", progress, NULL);

    //  Warm up with the same traffic, the watcher reading, so SQLite's
    //  caches, the batches and the queues are near their working size.
    long warm = 10000;
    assert_int_equal (s_flood (h, warm, S_STOP_SUBMITTERS, S_STOP_WINDOW, 100), warm);
    assert_true (s_wait_state (progress, warm, 30000));
    zclock_sleep (200);
    long baseline = sein_harness_memory (h, false);

    kill (watcher, SIGSTOP);
    s_sampler_t sampler = {h, false, 0, 0, 0, false};
    pthread_t thread;
    pthread_create (&thread, NULL, s_sampler, &sampler);
    int64_t start = zclock_mono ();
    long accepted = 0;
    for (int quarter = 0; quarter < 4; quarter++)
        accepted += s_flood (h, S_STOP_SIGNALS / 4, S_STOP_SUBMITTERS, S_STOP_WINDOW,
                             200 + 10 * quarter);
    int64_t flooded = zclock_mono ();
    //  Stopped for seconds however fast the flood was; heartbeats go
    //  unanswered meanwhile. Sampling goes on after the flood.
    while (zclock_mono () - start < 3000)
        zclock_sleep (50);
    zclock_sleep (500);
    sampler.stop = true;
    pthread_join (thread, NULL);
    long after = sein_harness_memory (h, false);
    assert_int_equal (accepted, S_STOP_SIGNALS);
    //  Resident memory is printed for the record, not asserted: it moves
    //  with the ingest working set and the allocator.
    printf ("flood of %d in %lld ms, watcher stopped %lld ms; queued events at most %lld "
            "over %lld session(s) in %d samples (bound %d a session); seind RSS %ld kB "
            "warmed up, %ld kB after\n",
            S_STOP_SIGNALS, (long long) (flooded - start),
            (long long) (zclock_mono () - start), (long long) sampler.max_queued,
            (long long) sampler.max_sessions, sampler.samples, S_CREDIT_MAX, baseline,
            after);
    assert_true (sampler.samples > 10);
    assert_int_equal (sampler.max_sessions, 1);
    assert_false (sampler.over);
    //  The stopped watcher had its whole window out: the counter sees it.
    assert_int_equal (sampler.max_queued, S_CREDIT_MAX);

    //  Back: the watcher catches up from the store, every event, in order.
    kill (watcher, SIGCONT);
    int64_t total = warm + S_STOP_SIGNALS;
    int64_t resumed = zclock_mono ();
    bool caught_up = s_wait_state (progress, total, 60000);
    printf ("caught up%s in %lld ms\n", caught_up ? "" : " NOT",
            (long long) (zclock_mono () - resumed));
    assert_true (caught_up);
    assert_int_equal (s_reap (watcher, SIGTERM), 0);
    char *text = s_slurp (out);
    int64_t expected = 1;
    for (char *line = strtok (text, "\n"); line; line = strtok (NULL, "\n")) {
        //  "2026-11-26T10:20:27.123Z  #12  heverlee  ..."
        long long seq = 0;
        if (sscanf (line, "%*s #%lld", &seq) != 1)
            fail_msg ("unreadable line: %s", line);
        if (seq != expected)
            fail_msg ("seq %lld where %lld was due", seq, (long long) expected);
        expected++;
    }
    assert_int_equal (expected - 1, total);
    free (text);
    s_stop_daemon (h);
}


//  Receive from WATCHER until it has COUNT events; with EXACT, then make
//  sure no more come for a while. Returns the events.
static json_t *
s_receive (sein_watcher_t *watcher, size_t count, bool exact, int timeout_ms)
{
    json_t *events = json_array ();
    int64_t deadline = zclock_mono () + timeout_ms;
    while (json_array_size (events) < count && zclock_mono () < deadline) {
        json_t *event = sein_watcher_recv (watcher, 100);
        if (event)
            json_array_append_new (events, event);
    }
    json_t *extra = exact ? sein_watcher_recv (watcher, 300) : NULL;
    if (extra)
        json_array_append_new (events, extra);
    return events;
}

//  Assert EVENTS are exactly WANT (stored events), in order.
static void
s_assert_same (json_t *events, json_t *want, const char *what)
{
    if (json_array_size (events) != json_array_size (want))
        fail_msg ("%s: %zu events where %zu were due", what, json_array_size (events),
                  json_array_size (want));
    for (size_t index = 0; index < json_array_size (want); index++) {
        json_t *got = json_array_get (events, index), *due = json_array_get (want, index);
        if (s_seq (got) != s_seq (due))
            fail_msg ("%s: event %zu is seq %lld where %lld was due", what, index,
                      (long long) s_seq (got), (long long) s_seq (due));
        assert_string_equal (s_field (got, "id"), s_field (due, "id"));
        assert_null (json_object_get (got, "reporter"));
    }
}

//  Open WATCHER and wait until the daemon confirmed its session, so a
//  live-only watcher cannot miss what is submitted next.
static sein_watcher_t *
s_open (sein_harness_t *h, json_t *filter, int64_t since, const char *since_time, int credit)
{
    sein_watcher_t *watcher = sein_watcher_new (h->watch, filter, since, since_time, credit);
    assert_non_null (watcher);
    int64_t deadline = zclock_mono () + 5000;
    while (!sein_watcher_connected (watcher) && zclock_mono () < deadline) {
        json_t *event = sein_watcher_recv (watcher, 50);
        assert_null (event); //  only used on an empty stream
    }
    assert_true (sein_watcher_connected (watcher));
    return watcher;
}

static void
test_filters (void **state)
{
    (void) state;
    sein_harness_t *h = s_start_daemon (NULL);
    struct {
        const char *filter;
        size_t count; //  in the set below, by the routing in conf/sein.cfg
    } cases[] = {
        //  A wijk includes its zones: heverlee and heilig-hart.
        {"{\"area\":[\"heverlee\"]}", 18},
        //  A zone alone is just the zone.
        {"{\"area\":[\"heilig-hart\"]}", 9},
        //  A theme across all wijken.
        {"{\"theme\":[\"jeugd\"]}", 18},
        //  A team: the Heilig Hart project follows its zone.
        {"{\"team\":[\"regie-heilig-hart\"]}", 9},
        //  The care team gets urgent youth matters everywhere (urgent-safety).
        {"{\"team\":[\"wijkzorgteam\"]}", 6},
        {"{\"priority\":[\"urgent\"]}", 18},
        //  Combinations: every dimension must match, any value within one.
        {"{\"area\":[\"heverlee\",\"binnenstad\"],\"theme\":[\"jeugd\",\"afval\"],"
         "\"priority\":[\"urgent\"]}",
         8},
        {"{\"area\":[\"kessel-lo\"],\"team\":[\"focusgroep-hangjongeren\"]}", 6},
        //  A single string is a list of one.
        {"{\"area\":\"binnenstad\"}", 18},
        //  No filter: everything.
        {"{}", 54},
    };
    size_t ncases = sizeof cases / sizeof cases[0];
    //  Live watchers, open before anything is stored; small credit, and
    //  they are read one after the other, so all but the first run out of
    //  credit and are served from the store in between.
    sein_watcher_t *live[16];
    json_t *filters[16];
    for (size_t index = 0; index < ncases; index++) {
        filters[index] = json_loads (cases[index].filter, 0, NULL);
        assert_non_null (filters[index]);
        live[index] = s_open (h, filters[index], 0, NULL, 4);
    }
    //  6 areas (3 wijken, 3 zones) x 3 themes x 3 priorities.
    const char *areas[] = {"heverlee",   "heilig-hart", "binnenstad",
                           "burgemeestersstraat", "kessel-lo", "casablanca"};
    const char *themes[] = {"jeugd", "afval", "verkeer"};
    const char *priorities[] = {"low", "normal", "urgent"};
    json_t *bodies = json_array ();
    for (int area = 0; area < 6; area++)
        for (int theme = 0; theme < 3; theme++)
            for (int priority = 0; priority < 3; priority++) {
                char key[32];
                snprintf (key, sizeof key, "filter-%d-%d-%d", area, theme, priority);
                json_array_append_new (bodies, s_signal (areas[area], themes[theme],
                                                         priorities[priority], key,
                                                         area + theme + priority));
            }
    json_t *acks = s_submit_all (h, bodies);
    //  Explicit codes are kept: the subsets below rest on them.
    for (size_t index = 0; index < json_array_size (bodies); index++) {
        json_t *body = json_array_get (bodies, index), *ack = json_array_get (acks, index);
        assert_string_equal (s_field (ack, "area"), s_field (body, "area"));
        assert_string_equal (s_field (ack, "theme"), s_field (body, "theme"));
        assert_string_equal (s_field (ack, "priority"), s_field (body, "priority"));
    }
    json_t *stored = s_stored (h);
    assert_int_equal (json_array_size (stored), 54);
    for (size_t index = 0; index < ncases; index++) {
        json_t *want = json_array ();
        size_t position;
        json_t *event;
        json_array_foreach (stored, position,
                            event) if (sein_harness_selects (filters[index], event))
            json_array_append (want, event);
        assert_int_equal (json_array_size (want), cases[index].count);
        char what[300];
        snprintf (what, sizeof what, "live %s", cases[index].filter);
        json_t *events = s_receive (live[index], cases[index].count, true, 10000);
        s_assert_same (events, want, what);
        json_decref (events);
        //  The same filter replayed from the store.
        sein_watcher_t *replay = sein_watcher_new (h->watch, filters[index], 1, NULL, 4);
        events = s_receive (replay, cases[index].count, true, 10000);
        snprintf (what, sizeof what, "replay %s", cases[index].filter);
        s_assert_same (events, want, what);
        json_decref (events);
        sein_watcher_destroy (&replay);
        sein_watcher_destroy (&live[index]);
        json_decref (filters[index]);
        json_decref (want);
    }
    json_decref (stored);
    json_decref (acks);
    json_decref (bodies);
    s_stop_daemon (h);
}

//  ---------------------------------------------------------------------
//  Start points: since, since_time, live only

static json_t *
s_batch (const char *prefix, int count)
{
    json_t *bodies = json_array ();
    for (int index = 0; index < count; index++) {
        char key[32];
        snprintf (key, sizeof key, "%s-%d", prefix, index);
        json_array_append_new (bodies, s_signal (s_feed_areas[index % 3], NULL, NULL, key,
                                                 index));
    }
    return bodies;
}

//  Submit COUNT signals; returns the seq of the first.
static int64_t
s_submit_batch (sein_harness_t *h, const char *prefix, int count)
{
    json_t *bodies = s_batch (prefix, count);
    json_t *acks = s_submit_all (h, bodies);
    int64_t first = s_seq (json_array_get (acks, 0));
    json_decref (acks);
    json_decref (bodies);
    return first;
}

//  Receive COUNT events and assert they are FIRST, FIRST + 1, ... and,
//  unless more are on their way (MORE), that nothing follows.
static void
s_expect_run (sein_watcher_t *watcher, int64_t first, size_t count, bool more,
              const char *what)
{
    json_t *events = s_receive (watcher, count, !more, 10000);
    if (json_array_size (events) != count)
        fail_msg ("%s: %zu events where %zu were due", what, json_array_size (events), count);
    for (size_t index = 0; index < count; index++)
        if (s_seq (json_array_get (events, index)) != first + (int64_t) index)
            fail_msg ("%s: seq %lld where %lld was due", what,
                      (long long) s_seq (json_array_get (events, index)),
                      (long long) (first + (int64_t) index));
    json_decref (events);
}

//  RFC 3339 for now + OFFSET ms, in UTC or with a +02:00 zone.
static void
s_time (char *buffer, size_t size, int64_t offset_ms, bool zoned)
{
    struct timespec now;
    clock_gettime (CLOCK_REALTIME, &now);
    int64_t ms = (int64_t) now.tv_sec * 1000 + now.tv_nsec / 1000000 + offset_ms;
    time_t seconds = (time_t) (ms / 1000) + (zoned ? 7200 : 0);
    struct tm tm;
    gmtime_r (&seconds, &tm);
    size_t len = strftime (buffer, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf (buffer + len, size - len, ".%03d%s", (int) (ms % 1000),
              zoned ? "+02:00" : "Z");
}

static void
test_since (void **state)
{
    (void) state;
    sein_harness_t *h = s_start_daemon (NULL);
    assert_int_equal (s_submit_batch (h, "a", 20), 1); //  seqs 1..20
    //  A moment strictly between the two batches: received_at has
    //  milliseconds, so leave a few either side.
    zclock_sleep (30);
    char between[64], zoned[64], past[] = "2000-01-01T00:00:00Z", future[64];
    s_time (between, sizeof between, 0, false);
    s_time (zoned, sizeof zoned, 0, true);
    s_time (future, sizeof future, 3600 * 1000, false);
    zclock_sleep (30);
    assert_int_equal (s_submit_batch (h, "b", 10), 21); //  seqs 21..30

    sein_watcher_t *from_5 = sein_watcher_new (h->watch, NULL, 5, NULL, 8);
    s_expect_run (from_5, 5, 26, false, "since 5");
    sein_watcher_t *from_between = sein_watcher_new (h->watch, NULL, 0, between, 8);
    s_expect_run (from_between, 21, 10, false, "since_time between the batches");
    sein_watcher_t *from_zoned = sein_watcher_new (h->watch, NULL, 0, zoned, 8);
    s_expect_run (from_zoned, 21, 10, false, "since_time with a +02:00 offset");
    sein_watcher_t *from_past = sein_watcher_new (h->watch, NULL, 0, past, 8);
    s_expect_run (from_past, 1, 30, false, "since_time before everything");
    //  Since the next seq: nothing yet, then exactly from there. Beyond
    //  it is refused (a state file from another store, say).
    sein_watcher_t *from_31 = s_open (h, NULL, 31, NULL, 8);
    sein_watcher_t *from_33 = sein_watcher_new (h->watch, NULL, 33, NULL, 8);
    assert_null (sein_watcher_recv (from_33, 3000));
    assert_non_null (sein_watcher_refusal (from_33));
    sein_watcher_destroy (&from_33);
    //  Live only, and a time in the future (nothing stored there yet).
    sein_watcher_t *live = s_open (h, NULL, 0, NULL, 8);
    sein_watcher_t *from_future = s_open (h, NULL, 0, future, 8);
    //  A filtered since: the zone heilig-hart from seq 10 (every third
    //  signal of a batch is heilig-hart, from the second).
    json_t *filter = json_pack ("{s:[s]}", "area", "heilig-hart");
    sein_watcher_t *zone_from_10 = sein_watcher_new (h->watch, filter, 10, NULL, 8);

    assert_int_equal (s_submit_batch (h, "c", 5), 31); //  seqs 31..35
    s_expect_run (from_5, 31, 5, false, "since 5, now live");
    s_expect_run (from_between, 31, 5, false, "since_time, now live");
    s_expect_run (from_zoned, 31, 5, false, "zoned since_time, now live");
    s_expect_run (from_past, 31, 5, false, "past since_time, now live");
    s_expect_run (from_31, 31, 5, false, "since the next seq");
    s_expect_run (live, 31, 5, false, "live only");
    s_expect_run (from_future, 31, 5, false, "since_time in the future");
    //  heilig-hart is index 1, 4, 7, ... of each batch: seqs 11, 14, 17,
    //  20 of a; 22, 25, 28 of b; 32, 35 of c.
    json_t *events = s_receive (zone_from_10, 9, true, 10000);
    int64_t due[] = {11, 14, 17, 20, 22, 25, 28, 32, 35};
    assert_int_equal (json_array_size (events), 9);
    for (size_t index = 0; index < 9; index++)
        assert_int_equal (s_seq (json_array_get (events, index)), due[index]);
    json_decref (events);
    json_decref (filter);
    sein_watcher_destroy (&from_5);
    sein_watcher_destroy (&from_between);
    sein_watcher_destroy (&from_zoned);
    sein_watcher_destroy (&from_past);
    sein_watcher_destroy (&from_31);
    sein_watcher_destroy (&live);
    sein_watcher_destroy (&from_future);
    sein_watcher_destroy (&zone_from_10);
    s_stop_daemon (h);
}

//  ---------------------------------------------------------------------
//  The daemon restarts under a watcher

static void
test_daemon_restart (void **state)
{
    (void) state;
    sein_harness_t *h = s_start_daemon (NULL);
    sein_watcher_t *watcher = sein_watcher_new (h->watch, NULL, 1, NULL, 8);
    int64_t next = 1;
    //  SIGTERM: a clean stop, back at once; the new daemon answers the
    //  watcher's next heartbeat with a session error. SIGKILL: acked
    //  events are on disk all the same; down longer than the watcher's
    //  silence limit (3 heartbeats + 1 s), so it reconnects by itself.
    int signals[] = {SIGTERM, SIGKILL};
    int downtime[] = {300, 4500};
    for (int round = 0; round < 3; round++) {
        char prefix[16];
        snprintf (prefix, sizeof prefix, "r%d", round);
        //  More than the credit: part arrives live, part from the store.
        assert_int_equal (s_submit_batch (h, prefix, 40), next);
        //  Only half is read before the daemon goes: the rest is what the
        //  new session must resume with, from the last seq handed out.
        s_expect_run (watcher, next, 20, true, "before the restart");
        next += 20;
        if (round == 2)
            break;
        int64_t down = zclock_mono ();
        int status = sein_harness_stop (h, signals[round]);
        assert_int_equal (status, signals[round] == SIGTERM ? 0 : 128 + SIGKILL);
        //  The caller keeps reading meanwhile: what was already in flight
        //  (within the credit) arrives, then nothing.
        while (zclock_mono () - down < downtime[round]) {
            json_t *event = sein_watcher_recv (watcher, 100);
            if (event) {
                assert_int_equal (s_seq (event), next);
                next++;
                json_decref (event);
            }
        }
        assert_true (next <= 1 + 40 * round + 20 + 8);
        assert_int_equal (sein_harness_start (h), 0);
        int64_t rest = 40 * (round + 1) + 1 - next;
        s_expect_run (watcher, next, (size_t) rest, false, "after the restart");
        printf ("restart %d (%s, down %d ms): resumed at seq %lld, caught up after %lld ms\n",
                round, signals[round] == SIGTERM ? "SIGTERM" : "SIGKILL", downtime[round],
                (long long) next, (long long) (zclock_mono () - down));
        next += rest;
        assert_true (sein_watcher_connected (watcher));
    }
    s_expect_run (watcher, next, 20, false, "the rest");
    assert_int_equal (sein_watcher_last_seq (watcher), 120);
    sein_watcher_destroy (&watcher);
    s_stop_daemon (h);
}

//  A caller that stops reading for longer than watch.timeout loses its
//  session on the daemon; its next message gets a session error, and the
//  watcher opens a new session after the last seq it handed out, dropping
//  what the expired session had in flight by its tag.
static void
test_expiry (void **state)
{
    (void) state;
    sein_harness_t *h = s_start_daemon ("watch.timeout=1000", "daemon.log_level=debug", NULL);
    sein_watcher_t *watcher = sein_watcher_new (h->watch, NULL, 1, NULL, 4);
    assert_int_equal (s_submit_batch (h, "e0", 20), 1);
    s_expect_run (watcher, 1, 5, true, "before the pause");
    zclock_sleep (2500);
    assert_int_equal (s_submit_batch (h, "e1", 10), 21);
    s_expect_run (watcher, 6, 25, false, "after the session expired");
    assert_true (sein_watcher_connected (watcher));
    char *log = s_slurp (h->log);
    assert_non_null (strstr (log, "expired"));
    free (log);
    sein_watcher_destroy (&watcher);
    s_stop_daemon (h);
}

//  ---------------------------------------------------------------------
//  Refused requests

//  The refusal of a watcher with FILTER and SINCE_TIME, asserted to have
//  CODE and name FIELD.
static void
s_assert_refused (sein_harness_t *h, const char *filter_text, const char *since_time,
                  const char *code, const char *field)
{
    json_t *filter = filter_text ? json_loads (filter_text, 0, NULL) : NULL;
    assert_true (!filter_text || filter);
    sein_watcher_t *watcher = sein_watcher_new (h->watch, filter, 0, since_time, 8);
    assert_null (sein_watcher_recv (watcher, 3000));
    json_t *refusal = sein_watcher_refusal (watcher);
    if (!refusal)
        fail_msg ("not refused: filter %s, since_time %s", filter_text ? filter_text : "-",
                  since_time ? since_time : "-");
    assert_string_equal (s_field (refusal, "status"), "rejected");
    json_t *error = json_object_get (refusal, "error");
    assert_string_equal (s_field (error, "code"), code);
    assert_string_equal (s_field (error, "field"), field);
    assert_true (strlen (s_field (error, "message")) > 0);
    assert_false (sein_watcher_connected (watcher));
    //  Asking again gives the same answer without going back to the server.
    assert_null (sein_watcher_recv (watcher, 10));
    assert_ptr_equal (sein_watcher_refusal (watcher), refusal);
    sein_watcher_destroy (&watcher);
    json_decref (filter);
}

//  One raw request on a fresh DEALER; returns the reply's command and body.
static json_t *
s_raw (sein_harness_t *h, const char *protocol, const char *command, const char *body,
       char **command_p)
{
    zsock_t *dealer = zsock_new_dealer (h->watch);
    zsock_set_rcvtimeo (dealer, 3000);
    zstr_sendx (dealer, protocol, command, "raw-1", body, NULL);
    zmsg_t *msg = zmsg_recv (dealer);
    assert_non_null (msg);
    assert_int_equal (zmsg_size (msg), 4);
    char *version = zmsg_popstr (msg);
    assert_string_equal (version, SEIN_PROTOCOL);
    *command_p = zmsg_popstr (msg);
    char *corr = zmsg_popstr (msg);
    char *text = zmsg_popstr (msg);
    json_t *reply = json_loads (text, 0, NULL);
    assert_non_null (reply);
    zstr_free (&version);
    zstr_free (&corr);
    zstr_free (&text);
    zmsg_destroy (&msg);
    zsock_destroy (&dealer);
    return reply;
}

static void
s_assert_raw (sein_harness_t *h, const char *protocol, const char *command,
              const char *body, const char *reply_command, const char *code,
              const char *field)
{
    char *got = NULL;
    json_t *reply = s_raw (h, protocol, command, body, &got);
    //  Copied out first, so a failed assertion leaks nothing.
    char answer[32], status[32], got_code[32], got_field[32];
    json_t *error = json_object_get (reply, "error");
    snprintf (answer, sizeof answer, "%s", got);
    snprintf (status, sizeof status, "%s", s_field (reply, "status"));
    snprintf (got_code, sizeof got_code, "%s", s_field (error, "code"));
    snprintf (got_field, sizeof got_field, "%s", s_field (error, "field"));
    zstr_free (&got);
    json_decref (reply);
    assert_string_equal (answer, reply_command);
    assert_string_equal (status, "rejected");
    assert_string_equal (got_code, code);
    if (field)
        assert_string_equal (got_field, field);
}

static int
s_count_lines (const char *text)
{
    int lines = 0;
    for (; text && *text; text++)
        lines += *text == '\n';
    return lines;
}

static void
test_refused (void **state)
{
    (void) state;
    sein_harness_t *h = s_start_daemon (NULL);
    assert_int_equal (s_submit_batch (h, "x", 3), 1);
    s_assert_refused (h, "{\"colour\":[\"red\"]}", NULL, "unknown-field", "filter.colour");
    s_assert_refused (h, "{\"area\":[1]}", NULL, "type", "filter.area");
    s_assert_refused (h, "{\"theme\":[\"\"]}", NULL, "empty", "filter.theme");
    s_assert_refused (h, "{\"team\":{\"a\":1}}", NULL, "type", "filter.team");
    //  A key named back is cut at 64 bytes on a character boundary, so the
    //  reply stays UTF-8: it used to carry half of this "é" (as fuzz_wire
    //  found for unknown body fields).
    char ks[64], long_key[128], long_field[80];
    memset (ks, 'k', 63);
    ks[63] = 0;
    snprintf (long_key, sizeof long_key, "{\"%s\xc3\xa9\":[\"x\"]}", ks);
    snprintf (long_field, sizeof long_field, "filter.%s", ks);
    s_assert_refused (h, long_key, NULL, "unknown-field", long_field);
    s_assert_refused (h, NULL, "gisteren", "value", "since_time");
    s_assert_refused (h, NULL, "2026-13-45T25:61:00Z", "value", "since_time");
    s_assert_refused (h, "{\"area\":[\"heverlee\"]}", "2026-11-26", "value", "since_time");
    //  Codes seind does not know: a typo would give a session that never
    //  sees anything. Known ones (a zone, triage) are taken.
    s_assert_refused (h, "{\"area\":[\"heverlee\",\"heverle\"]}", NULL, "unknown-area",
                      "filter.area");
    s_assert_refused (h, "{\"area\":\"Heverlee\"}", NULL, "unknown-area", "filter.area");
    s_assert_refused (h, "{\"theme\":\"afvall\"}", NULL, "unknown-theme", "filter.theme");
    s_assert_refused (h, "{\"team\":\"nobody\"}", NULL, "unknown-team", "filter.team");
    s_assert_refused (h, "{\"priority\":\"URGENT\"}", NULL, "value", "filter.priority");
    json_t *known = json_pack ("{s:[ss],s:[ss],s:s,s:s}", "area", "heilig-hart", "triage",
                               "theme", "afval", "triage", "team", "wijkzorgteam",
                               "priority", "urgent");
    sein_watcher_t *accepted = sein_watcher_new (h->watch, known, 1, NULL, 8);
    int64_t deadline = zclock_mono () + 5000;
    while (!sein_watcher_connected (accepted) && !sein_watcher_refusal (accepted) &&
           zclock_mono () < deadline)
        sein_watcher_recv_raw (accepted, 50, NULL);
    assert_true (sein_watcher_connected (accepted));
    sein_watcher_destroy (&accepted);
    json_decref (known);
    //  33 values where 32 is the limit.
    char many[1024] = "{\"area\":[";
    for (int index = 0; index < 33; index++)
        snprintf (many + strlen (many), sizeof many - strlen (many), "%s\"a%d\"",
                  index ? "," : "", index);
    strcat (many, "]}");
    s_assert_refused (h, many, NULL, "too-long", "filter.area");
    //  What the library never sends, straight on the socket.
    s_assert_raw (h, SEIN_PROTOCOL, SEIN_WATCH, "{\"since\":-1,\"credit\":8}", SEIN_WATCH,
                  "value", "since");
    s_assert_raw (h, SEIN_PROTOCOL, SEIN_WATCH, "{\"since\":\"1\",\"credit\":8}",
                  SEIN_WATCH, "type", "since");
    s_assert_raw (h, SEIN_PROTOCOL, SEIN_WATCH, "{\"credit\":0}", SEIN_WATCH, "value",
                  "credit");
    s_assert_raw (h, SEIN_PROTOCOL, SEIN_WATCH, "{}", SEIN_WATCH, "required", "credit");
    //  A typo in a field name would silently make a replay live only.
    s_assert_raw (h, SEIN_PROTOCOL, SEIN_WATCH, "{\"sinse\":1,\"credit\":8}", SEIN_WATCH,
                  "unknown-field", "sinse");
    //  Three events stored: 4 is the next seq, 5 would wait for ever.
    s_assert_raw (h, SEIN_PROTOCOL, SEIN_WATCH, "{\"since\":5,\"credit\":8}", SEIN_WATCH,
                  "value", "since");
    //  A WATCH is answered WATCH as soon as the command could be read.
    s_assert_raw (h, SEIN_PROTOCOL, SEIN_WATCH, "not json", SEIN_WATCH, "json", NULL);
    s_assert_raw (h, "SEIN/9", SEIN_WATCH, "{\"credit\":8}", SEIN_ERROR, "version", NULL);
    s_assert_raw (h, SEIN_PROTOCOL, "FOO", "{}", SEIN_ERROR, "command", NULL);
    s_assert_raw (h, SEIN_PROTOCOL, SEIN_CREDIT, "{\"credit\":8}", SEIN_ERROR, "session",
                  NULL);
    //  A refused request leaves the daemon serving everyone else.
    sein_watcher_t *watcher = sein_watcher_new (h->watch, NULL, 1, NULL, 8);
    s_expect_run (watcher, 1, 3, false, "after the refusals");
    sein_watcher_destroy (&watcher);
    //  sein-watch reports a refusal as bad data (65).
    char *output = NULL;
    assert_int_equal (
        sein_harness_run (h, NULL, &output, "sein-watch", "--since", "gisteren", NULL),
        SEIN_EXIT_DATAERR);
    zstr_free (&output);
    //  A filter that is not an object is refused for its field too.
    s_assert_raw (h, SEIN_PROTOCOL, SEIN_WATCH, "{\"filter\":[\"heverlee\"],\"credit\":8}",
                  SEIN_WATCH, "type", "filter");
    assert_int_equal (sein_harness_run (h, NULL, &output, "sein-watch", "--area", "heverle",
                                        NULL),
                      SEIN_EXIT_DATAERR);
    zstr_free (&output);
    //  A state file that holds no seq is refused, not read as "live only".
    char path[300];
    snprintf (path, sizeof path, "%s/broken.state", h->dir);
    FILE *file = fopen (path, "w");
    assert_non_null (file);
    fputs ("garbage\n", file);
    fclose (file);
    assert_int_equal (sein_harness_run (h, NULL, &output, "sein-watch", "--state-file", path,
                                        NULL),
                      SEIN_EXIT_DATAERR);
    zstr_free (&output);
    //  Nor a seq sein-watch cannot have written: 0, or one out of range.
    const char *impossible[] = {"0\n", "99999999999999999999999\n", "9223372036854775807\n",
                                "+12\n"};
    for (size_t index = 0; index < sizeof impossible / sizeof impossible[0]; index++) {
        file = fopen (path, "w");
        assert_non_null (file);
        fputs (impossible[index], file);
        fclose (file);
        if (sein_harness_run (h, NULL, &output, "sein-watch", "--state-file", path, NULL) !=
            SEIN_EXIT_DATAERR)
            fail_msg ("state file '%s' was taken", impossible[index]);
        zstr_free (&output);
    }
    //  Credit 1 is a valid window: every event is granted back at once.
    assert_int_equal (sein_harness_run (h, NULL, &output, "sein-watch", "--since", "1",
                                        "--credit", "1", "--count", "3", "--json", NULL),
                      0);
    assert_int_equal (s_count_lines (output), 3);
    zstr_free (&output);
    s_stop_daemon (h);
}

//  A watcher that asks for more credit than watch.credit_max (default
//  1000) gets the maximum, and must grant back by what it was granted:
//  waiting for half of what it asked for stalled it after 1,000 events.
static void
test_credit_over_max (void **state)
{
    (void) state;
    sein_harness_t *h = s_start_daemon (NULL);
    assert_int_equal (s_flood (h, 3000, 2, 256, 700), 3000);
    char *output = NULL;
    int status = sein_harness_run (h, NULL, &output, "sein-watch", "--since", "1", "--credit",
                                   "5000", "--count", "3000", "--idle", "3000", "--json",
                                   NULL);
    //  Every event once, in order, and then the count ends the run.
    int lines = 0;
    int64_t expected = 1;
    bool ordered = true;
    for (char *line = output; line && *line;) {
        char *end = strchr (line, '\n');
        json_t *event = json_loadb (line, end ? (size_t) (end - line) : strlen (line), 0,
                                    NULL);
        ordered = ordered && s_seq (event) == expected++;
        json_decref (event);
        lines++;
        line = end ? end + 1 : line + strlen (line);
    }
    zstr_free (&output);
    assert_int_equal (lines, 3000);
    assert_true (ordered);
    assert_int_equal (status, 0);
    s_stop_daemon (h);
}

//  The grant is taken from every WATCH reply, not just the first: after a
//  restart with a smaller watch.credit_max, a watcher that kept the first
//  session's window would wait for more than the new grant and stall.
static void
test_credit_after_restart (void **state)
{
    (void) state;
    sein_harness_t *h = s_start_daemon (NULL);
    assert_int_equal (s_flood (h, 3000, 2, 256, 800), 3000);
    sein_watcher_t *watcher = sein_watcher_new (h->watch, NULL, 1, NULL, 5000);
    s_expect_run (watcher, 1, 600, true, "the first session (granted 1000)");
    assert_int_equal (sein_harness_stop (h, SIGTERM), 0);
    sein_harness_set (h, "watch.credit_max=100");
    assert_int_equal (sein_harness_start (h), 0);
    s_expect_run (watcher, 601, 2400, false, "the second session (granted 100)");
    sein_watcher_destroy (&watcher);
    s_stop_daemon (h);
}

//  ---------------------------------------------------------------------
//  Batches: a WATCH with "batch" takes replayed events as BATCH messages

//  Descriptions whose braces, brackets, commas, quotes and backslashes a
//  splitter that did not skip strings whole would take for structure.
static const char *s_tricky[] = {
    "Lawaai } ] , {\"seq\":1} bij de \\ \"kerk\" \\\\",
    "Zwerfvuil \\\" }, {\"seq\": 99, \"id\": \"x\"}], [{",
    "Graffiti \\\\\" op de muur {[(,)]}",
};

//  Read from DEALER (WATCH tag "raw-1") until COUNT events came or
//  TIMEOUT_MS passed, appending each to EVENTS; counts EVENT and BATCH
//  messages, and asserts each BATCH holds 2 to MAX events, in 64 KiB.
static void
s_read_raw (zsock_t *dealer, json_t *events, size_t count, int max, int *singles,
            int *batches, int timeout_ms)
{
    int64_t deadline = zclock_mono () + timeout_ms;
    while (json_array_size (events) < count && zclock_mono () < deadline) {
        zmsg_t *msg = zmsg_recv (dealer);
        if (!msg)
            continue;
        assert_int_equal (zmsg_size (msg), 4);
        char *version = zmsg_popstr (msg), *command = zmsg_popstr (msg),
             *tag = zmsg_popstr (msg);
        zframe_t *body = zmsg_pop (msg);
        bool batch = streq (command, SEIN_BATCH), event = streq (command, SEIN_EVENT);
        bool ours = streq (version, SEIN_PROTOCOL) && streq (tag, "raw-1");
        zstr_free (&version);
        zstr_free (&tag);
        if (!batch && !event && !streq (command, SEIN_HEARTBEAT))
            fail_msg ("unexpected %s", command);
        zstr_free (&command);
        assert_true (ours);
        json_t *json = json_loadb ((const char *) zframe_data (body), zframe_size (body),
                                   JSON_REJECT_DUPLICATES, NULL);
        assert_non_null (json);
        if (batch) {
            assert_true (json_is_array (json));
            assert_in_range (json_array_size (json), 2, (size_t) max);
            assert_true (zframe_size (body) <= 65536);
            json_array_extend (events, json);
            (*batches)++;
        } else if (event) {
            assert_true (json_is_object (json));
            json_array_append (events, json);
            (*singles)++;
        }
        json_decref (json);
        zframe_destroy (&body);
        zmsg_destroy (&msg);
    }
}

//  Assert EVENTS are the stored events of WANT from index FROM on, equal
//  as JSON (every field, the tricky descriptions too).
static void
s_assert_equal (json_t *events, json_t *want, size_t from, const char *what)
{
    for (size_t index = 0; index < json_array_size (events); index++)
        if (!json_equal (json_array_get (events, index),
                         json_array_get (want, from + index)))
            fail_msg ("%s: event %zu differs from the stored seq %lld", what, index,
                      (long long) s_seq (json_array_get (want, from + index)));
}

//  A raw session: WATCH with BODY; returns the reply, asserted ok.
static json_t *
s_watch_raw (zsock_t *dealer, const char *body)
{
    zstr_sendx (dealer, SEIN_PROTOCOL, SEIN_WATCH, "raw-1", body, NULL);
    char *version = NULL, *command = NULL, *tag = NULL, *text = NULL;
    assert_int_equal (zstr_recvx (dealer, &version, &command, &tag, &text, NULL), 4);
    json_t *reply = json_loads (text, 0, NULL);
    bool watch = streq (command, SEIN_WATCH);
    zstr_free (&version);
    zstr_free (&command);
    zstr_free (&tag);
    zstr_free (&text);
    assert_true (watch);
    assert_string_equal (s_field (reply, "status"), "ok");
    return reply;
}

static void
test_batch (void **state)
{
    (void) state;
    sein_harness_t *h = s_start_daemon (NULL);
    json_t *bodies = s_batch ("b", 300);
    for (size_t index = 0; index < 300; index += 2)
        json_object_set_new (json_array_get (bodies, index), "description",
                             json_string (s_tricky[index / 2 % 3]));
    json_decref (s_submit_all (h, bodies));
    json_decref (bodies);
    json_t *stored = s_stored (h);
    assert_int_equal (json_array_size (stored), 300);

    //  Batches of at most 16, within the credit: 100 events, then none
    //  until a CREDIT grants more.
    zsock_t *dealer = zsock_new_dealer (h->watch);
    zsock_set_rcvtimeo (dealer, 300);
    json_t *reply = s_watch_raw (dealer, "{\"since\":1,\"credit\":100,\"batch\":16}");
    assert_int_equal (json_integer_value (json_object_get (reply, "batch")), 16);
    json_decref (reply);
    json_t *events = json_array ();
    int singles = 0, batches = 0;
    s_read_raw (dealer, events, 100, 16, &singles, &batches, 10000);
    s_read_raw (dealer, events, 101, 16, &singles, &batches, 500);
    assert_int_equal (json_array_size (events), 100);
    assert_true (batches >= 100 / 16);
    s_assert_equal (events, stored, 0, "batch 16, credit 100");
    zstr_sendx (dealer, SEIN_PROTOCOL, SEIN_CREDIT, "raw-1", "{\"credit\":200}", NULL);
    s_read_raw (dealer, events, 300, 16, &singles, &batches, 10000);
    assert_int_equal (json_array_size (events), 300);
    s_assert_equal (events, stored, 0, "batch 16, after CREDIT");
    zstr_sendx (dealer, SEIN_PROTOCOL, SEIN_CLOSE, "raw-1", "{}", NULL);
    zsock_destroy (&dealer);
    json_array_clear (events);

    //  A larger ask is cut to 1000, and a BATCH to 64 KiB of events.
    dealer = zsock_new_dealer (h->watch);
    zsock_set_rcvtimeo (dealer, 300);
    reply = s_watch_raw (dealer, "{\"since\":1,\"credit\":1000,\"batch\":5000}");
    assert_int_equal (json_integer_value (json_object_get (reply, "batch")), 1000);
    json_decref (reply);
    batches = 0;
    s_read_raw (dealer, events, 300, 1000, &singles, &batches, 10000);
    assert_int_equal (json_array_size (events), 300);
    assert_true (batches >= 2);
    s_assert_equal (events, stored, 0, "batch 1000");
    zsock_destroy (&dealer);
    json_array_clear (events);

    //  Without "batch", EVENT messages only, and the reply as before.
    dealer = zsock_new_dealer (h->watch);
    zsock_set_rcvtimeo (dealer, 300);
    reply = s_watch_raw (dealer, "{\"since\":1,\"credit\":1000}");
    assert_null (json_object_get (reply, "batch"));
    json_decref (reply);
    singles = batches = 0;
    s_read_raw (dealer, events, 300, 1000, &singles, &batches, 10000);
    assert_int_equal (json_array_size (events), 300);
    assert_int_equal (singles, 300);
    assert_int_equal (batches, 0);
    zsock_destroy (&dealer);
    json_decref (events);

    s_assert_raw (h, SEIN_PROTOCOL, SEIN_WATCH, "{\"credit\":8,\"batch\":\"8\"}",
                  SEIN_WATCH, "type", "batch");
    s_assert_raw (h, SEIN_PROTOCOL, SEIN_WATCH, "{\"credit\":8,\"batch\":0}", SEIN_WATCH,
                  "value", "batch");

    //  libsein asks for batches and splits them: every event as stored,
    //  the tricky ones too, across credit grants of a small window.
    sein_watcher_t *watcher = sein_watcher_new (h->watch, NULL, 1, NULL, 50);
    events = s_receive (watcher, 300, true, 10000);
    assert_int_equal (json_array_size (events), 300);
    s_assert_equal (events, stored, 0, "sein_watcher_t");
    json_decref (events);
    sein_watcher_destroy (&watcher);
    json_decref (stored);
    s_stop_daemon (h);
}

//  libsein against a stand-in for seind: the WATCH asks for batches, and a
//  BATCH is split into its events byte for byte, duplicates dropped, a
//  malformed rest dropped without taking the next message with it.
static void
s_fake_send (zsock_t *router, zframe_t *id, const char *tag, const char *command,
             const char *body)
{
    zframe_send (&id, router, ZFRAME_MORE | ZFRAME_REUSE);
    zstr_sendx (router, SEIN_PROTOCOL, command, tag, body, NULL);
}

//  The next event of WATCHER, asserted to be TEXT exactly.
static void
s_expect_raw (sein_watcher_t *watcher, const char *text)
{
    size_t size = 0;
    const char *body = sein_watcher_recv_raw (watcher, 2000, &size);
    if (!body)
        fail_msg ("no event where %s was due", text);
    if (size != strlen (text) || memcmp (body, text, size))
        fail_msg ("event '%.*s' where '%s' was due", (int) size, body, text);
}

static void
test_batch_split (void **state)
{
    (void) state;
    zsock_t *router = zsock_new (ZMQ_ROUTER);
    int port = zsock_bind (router, "tcp://127.0.0.1:*");
    assert_true (port > 0);
    zsock_set_rcvtimeo (router, 2000);
    char endpoint[64];
    snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port);
    sein_watcher_t *watcher = sein_watcher_new (endpoint, NULL, 1, NULL, 100);
    assert_null (sein_watcher_recv_raw (watcher, 50, NULL)); //  connects, sends WATCH
    zmsg_t *msg = zmsg_recv (router);
    assert_non_null (msg);
    assert_int_equal (zmsg_size (msg), 5);
    zframe_t *id = zmsg_pop (msg);
    char *version = zmsg_popstr (msg), *command = zmsg_popstr (msg),
         *tag = zmsg_popstr (msg), *text = zmsg_popstr (msg);
    json_t *watch = json_loads (text, 0, NULL);
    bool asked = streq (command, SEIN_WATCH) &&
                 json_integer_value (json_object_get (watch, "batch")) > 1;
    json_decref (watch);
    zstr_free (&version);
    zstr_free (&command);
    zstr_free (&text);
    zmsg_destroy (&msg);
    assert_true (asked);
    s_fake_send (router, id, tag, SEIN_WATCH,
                 "{\"status\":\"ok\",\"head\":9,\"from\":1,\"credit\":100,"
                 "\"heartbeat\":1000,\"batch\":1000}");
    //  Structure inside strings, an escaped backslash before a quote, a
    //  nested array of objects, whitespace, and seq 2 twice.
    s_fake_send (router, id, tag, SEIN_BATCH,
                 "[{\"seq\":1,\"d\":\"a } ] , {\\\"seq\\\":9}\"},"
                 " {\"seq\":2,\"d\":\"\\\\\"},{\"seq\":2,\"dup\":true},"
                 "{\"seq\":3,\"x\":[{\"seq\":7},[]]}]");
    s_expect_raw (watcher, "{\"seq\":1,\"d\":\"a } ] , {\\\"seq\\\":9}\"}");
    s_expect_raw (watcher, "{\"seq\":2,\"d\":\"\\\\\"}");
    s_expect_raw (watcher, "{\"seq\":3,\"x\":[{\"seq\":7},[]]}");
    assert_int_equal (sein_watcher_last_seq (watcher), 3);
    //  A batch cut short: what is whole comes out, then the next message.
    s_fake_send (router, id, tag, SEIN_BATCH, "[{\"seq\":4},{\"seq\":5,\"d\":\"no end");
    s_fake_send (router, id, tag, SEIN_EVENT, "{\"seq\":6}");
    s_expect_raw (watcher, "{\"seq\":4}");
    s_expect_raw (watcher, "{\"seq\":6}");
    //  A batch of another session's tag is stale.
    s_fake_send (router, id, "w0", SEIN_BATCH, "[{\"seq\":7},{\"seq\":8}]");
    s_fake_send (router, id, tag, SEIN_EVENT, "{\"seq\":9}");
    s_expect_raw (watcher, "{\"seq\":9}");
    zstr_free (&tag);
    zframe_destroy (&id);
    sein_watcher_destroy (&watcher);
    zsock_destroy (&router);
}

int
main (void)
{
    zsys_handler_set (NULL);
    setvbuf (stdout, NULL, _IOLBF, 0);
    signal (SIGALRM, s_watchdog);
    alarm ((unsigned) sein_harness_scale (S_WATCHDOG_SECONDS)); //  slower under SEIN_WRAP
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown (test_refused, s_teardown),
        cmocka_unit_test_teardown (test_filters, s_teardown),
        cmocka_unit_test_teardown (test_since, s_teardown),
        cmocka_unit_test_teardown (test_daemon_restart, s_teardown),
        cmocka_unit_test_teardown (test_expiry, s_teardown),
        cmocka_unit_test_teardown (test_kill_restart_sigterm, s_teardown),
        cmocka_unit_test_teardown (test_kill_restart_sigkill, s_teardown),
        cmocka_unit_test_teardown (test_sigstop, s_teardown),
        cmocka_unit_test_teardown (test_credit_over_max, s_teardown),
        cmocka_unit_test_teardown (test_credit_after_restart, s_teardown),
        cmocka_unit_test_teardown (test_batch, s_teardown),
        cmocka_unit_test (test_batch_split),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
