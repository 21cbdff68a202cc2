// SPDX-License-Identifier: MPL-2.0
/*  test_daemon.c - integration tests of the core path (issue 2) against
    the real seind

    Every test starts seind -f through the harness (bundled conf/sein.cfg,
    store and ipc:// endpoints in a fresh temporary directory) and talks to
    it over ZeroMQ the way clients do. Covered:

    - acks: N pipelined submissions all acked with distinct ids and the
      gapless seqs 1..N; after SIGKILL and a restart every acked signal is
      there (GET, EVENTS); resubmitting a key returns the original id and
      seq and stores nothing, the same key from another submitter is new;
    - the same key several times in one pipelined burst is stored once;
      a burst the size of a batch from one client gets all its acks;
    - bad input: each rejection with its code and field, nothing stored,
      and the daemon keeps serving; CLASSIFY stores nothing; bodies far
      over the limit; protocol errors (frame count, version, command, long
      correlation id) answered with command ERROR; REQ clients; a flood of
      garbage frames does not bring the daemon down;
    - watch: area filters include the zones of a wijk, live and on replay;
      a replay from seq 1 (longer than a store round) comes in seq order
      and continues live; a watcher resumes across a daemon restart;
    - broadcast PUB: topic signal/<wijk>/<theme>/<area>/, no personal data;
    - SIGTERM with thousands of submissions in flight: every answer is an
      ack, and every ack is in the store after a restart;
    - SIGHUP: a changed limit applies, a broken or unreloadable config is
      refused (logged with file:line) and the running settings stay;
      reloads under load lose nothing; a setting that sizes a socket is
      restart-only (libzmq fixes a bound socket's options at bind, shown
      on a bare ROUTER) and holds after a restart: a raised batch_max
      loses no unread acks, a raised credit_max no watch events;
    - one seind per store: a second one refuses to start;
    - exit statuses of sein-submit, seinctl and seind (--check, -V, usage,
      unusable store).

    SEIN_TEST=pattern runs only the matching tests; SEIN_TEST_DEBUG=1 runs
    the daemons at log level debug (their logs are shown on failure).

    Deadlines, not sleeps: every wait polls for the awaited condition and
    fails when its deadline passes.
*/
#include <czmq.h>
#include <sqlite3.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "sein.h"
#include "sein_harness.h"

//  How long a single answer may take, generous for sanitizer builds.
#define S_REPLY_MS 5000

typedef struct {
    sein_harness_t harness;
    sein_client_t *client;
    uint64_t calls;
    bool passed; //  set at the end of each test; else teardown shows the log
} s_test_t;

//  The whole of the file at PATH, fresh; NULL when it cannot be read.
static char *
s_read_file (const char *path)
{
    FILE *file = fopen (path, "r");
    if (!file)
        return NULL;
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    int c;
    while ((c = fgetc (file)) != EOF)
        fputc (c, out);
    fclose (out);
    fclose (file);
    return text;
}

//  Lines of OUTPUT that begin with PREFIX.
static int
s_lines (const char *output, const char *prefix)
{
    int count = 0;
    for (const char *line = output; line && *line;) {
        if (strncmp (line, prefix, strlen (prefix)) == 0)
            count++;
        const char *newline = strchr (line, '\n');
        line = newline ? newline + 1 : NULL;
    }
    return count;
}

//  ---------------------------------------------------------------------
//  Fixture

static int
s_setup_prepared (void **state)
{
    s_test_t *self = (s_test_t *) zmalloc (sizeof *self);
    if (sein_harness_init (&self->harness, 0)) {
        free (self);
        return -1;
    }
    //  SEIN_TEST_DEBUG=1: the daemon logs every request it drops or refuses.
    if (getenv ("SEIN_TEST_DEBUG"))
        sein_harness_set (&self->harness, "daemon.log_level=debug");
    *state = self;
    return 0;
}

//  Start the prepared daemon and connect the test's client.
static int
s_setup_start (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    if (sein_harness_start (&self->harness) == 0)
        self->client = sein_client_new (self->harness.intake);
    if (!self->client) {
        //  cmocka skips the teardown of a failed setup: clean up here.
        fprintf (stderr, "seind did not start on %s\n", self->harness.config);
        sein_harness_cleanup (&self->harness);
        free (self);
        return -1;
    }
    return 0;
}

static int
s_setup (void **state)
{
    return s_setup_prepared (state) ? -1 : s_setup_start (state);
}

//  s_setup, with each batch's size in seind's log (daemon.log_level=info).
static int
s_setup_info (void **state)
{
    if (s_setup_prepared (state))
        return -1;
    s_test_t *self = (s_test_t *) *state;
    sein_harness_set (&self->harness, "daemon.log_level=info");
    return s_setup_start (state);
}

static int
s_teardown (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    sein_client_destroy (&self->client);
    if (!self->passed) {
        //  The daemon's own account is the first thing to read after a failure.
        char *command = zsys_sprintf ("tail -n 40 '%s' >&2", self->harness.log);
        fprintf (stderr, "---- seind log (%s) ----\n", self->harness.log);
        if (system (command) != 0)
            fprintf (stderr, "(no log)\n");
        zstr_free (&command);
    }
    //  A sanitizer report in the daemon fails the test even when the daemon
    //  was killed before its exit status could show it.
    int rc = 0;
    char *log = s_read_file (self->harness.log);
    if (log && (strstr (log, "Sanitizer") || strstr (log, "runtime error:"))) {
        fprintf (stderr, "sanitizer report in %s:\n%s\n", self->harness.log, log);
        rc = -1;
    }
    free (log);
    sein_harness_cleanup (&self->harness);
    free (self);
    return rc;
}

//  (Re)start the daemon on the same store and connect a fresh client.
static void
s_start (s_test_t *self)
{
    sein_client_destroy (&self->client);
    if (sein_harness_start (&self->harness))
        fail_msg ("seind did not start on %s", self->harness.config);
    self->client = sein_client_new (self->harness.intake);
    assert_non_null (self->client);
}

//  Send SIGNUM and wait up to TIMEOUT_MS for the daemon to exit. Returns
//  its exit status (128 + signal when killed); fails the test when it
//  does not exit in time.
static int
s_stop_within (s_test_t *self, int signum, int timeout_ms)
{
    pid_t pid = self->harness.pid;
    assert_true (pid > 0);
    if (signum)
        kill (pid, signum);
    int64_t deadline = zclock_mono () + timeout_ms;
    int status = 0;
    while (waitpid (pid, &status, WNOHANG) == 0) {
        if (zclock_mono () > deadline) {
            kill (pid, SIGKILL);
            waitpid (pid, &status, 0);
            self->harness.pid = -1;
            fail_msg ("seind did not exit within %d ms of signal %d", timeout_ms, signum);
        }
        zclock_sleep (10);
    }
    self->harness.pid = -1;
    return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

static bool
s_alive (s_test_t *self)
{
    int status;
    return self->harness.pid > 0 && waitpid (self->harness.pid, &status, WNOHANG) == 0;
}

//  ---------------------------------------------------------------------
//  Requests

//  One request with a raw BODY of SIZE bytes; waits for the reply that
//  carries this request's correlation id. Returns the reply (NULL when it
//  never came or was not JSON) and, if COMMAND_P, the reply's command.
static json_t *
s_request (s_test_t *self, const char *command, const char *body, size_t size,
           char **command_p)
{
    char corr[32];
    snprintf (corr, sizeof corr, "req-%llu", (unsigned long long) ++self->calls);
    if (command_p)
        *command_p = NULL;
    if (sein_client_send_raw (self->client, command, corr, body, size, S_REPLY_MS))
        return NULL;
    int64_t deadline = zclock_mono () + S_REPLY_MS;
    while (zclock_mono () < deadline) {
        char *reply_corr = NULL, *reply_command = NULL;
        json_t *reply = sein_client_recv (self->client, (int) (deadline - zclock_mono ()),
                                          &reply_corr, &reply_command);
        bool mine = reply_corr && streq (reply_corr, corr);
        zstr_free (&reply_corr);
        if (mine) {
            if (command_p)
                *command_p = reply_command;
            else
                zstr_free (&reply_command);
            return reply;
        }
        zstr_free (&reply_command);
        json_decref (reply);
    }
    return NULL;
}

static json_t *
s_call (s_test_t *self, const char *command, json_t *body)
{
    char *text = body ? json_dumps (body, JSON_COMPACT) : strdup ("{}");
    json_decref (body);
    assert_non_null (text);
    json_t *reply = s_request (self, command, text, strlen (text), NULL);
    free (text);
    return reply;
}

//  SUBMIT a signal given as JSON (stolen); returns the reply.
static json_t *
s_submit (s_test_t *self, json_t *signal)
{
    json_t *reply = s_call (self, SEIN_SUBMIT, signal);
    assert_non_null (reply);
    return reply;
}

static const char *
s_str (json_t *object, const char *key)
{
    return json_string_value (json_object_get (object, key));
}

static int64_t
s_int (json_t *object, const char *key)
{
    return (int64_t) json_integer_value (json_object_get (object, key));
}

static const char *
s_error_code (json_t *reply)
{
    return s_str (json_object_get (reply, "error"), "code");
}

//  True when OBJECT's KEY is the string VALUE (false when absent).
static bool
s_is (json_t *object, const char *key, const char *value)
{
    const char *text = s_str (object, key);
    return text && streq (text, value);
}

//  Fail unless REPLY is an ack of a newly stored signal.
static void
s_assert_accepted (json_t *reply, const char *context)
{
    if (!reply)
        fail_msg ("%s: no reply", context);
    const char *status = s_str (reply, "status");
    if (!status || !streq (status, "accepted")) {
        char *text = json_dumps (reply, JSON_COMPACT);
        fail_msg ("%s: not accepted: %s", context, text);
    }
    assert_non_null (s_str (reply, "id"));
    assert_true (s_int (reply, "seq") > 0);
}

//  The head seq, from PING.
static int64_t
s_head (s_test_t *self)
{
    json_t *reply = s_call (self, SEIN_PING, NULL);
    assert_non_null (reply);
    assert_string_equal (s_str (reply, "status"), "ok");
    assert_true (json_is_integer (json_object_get (reply, "head")));
    int64_t head = s_int (reply, "head");
    json_decref (reply);
    return head;
}

//  A good submission still succeeds: the daemon keeps serving after CONTEXT.
static void
s_assert_serving (s_test_t *self, const char *context)
{
    json_t *reply = s_submit (
        self, json_pack ("{s:s,s:s}", "description",
                         "Sluikstort van matrassen naast de glasbollen, al een week.",
                         "source", "citizen"));
    char *where = zsys_sprintf ("good submission after %s", context);
    s_assert_accepted (reply, where);
    zstr_free (&where);
    json_decref (reply);
}

//  Every stored event from seq FROM on, paging through EVENTS.
static json_t *
s_events (s_test_t *self, int64_t from)
{
    json_t *all = json_array ();
    while (true) {
        json_t *reply =
            s_call (self, SEIN_EVENTS,
                    json_pack ("{s:I,s:i}", "from", (json_int_t) from, "limit", 1000));
        assert_non_null (reply);
        assert_string_equal (s_str (reply, "status"), "ok");
        json_t *events = json_object_get (reply, "events");
        assert_true (json_is_array (events));
        size_t count = json_array_size (events);
        json_array_extend (all, events);
        if (count)
            from = s_int (json_array_get (events, count - 1), "seq") + 1;
        json_decref (reply);
        if (count == 0)
            break;
    }
    return all;
}

//  A signal for AREA with EXTERNAL_ID (may be NULL) from SUBMITTER (may be NULL).
static json_t *
s_signal (const char *description, const char *area, const char *external_id,
          const char *submitter)
{
    json_t *signal =
        json_pack ("{s:s,s:s}", "description", description, "source", "citizen");
    if (area)
        json_object_set_new (signal, "area", json_string (area));
    if (external_id)
        json_object_set_new (signal, "external_id", json_string (external_id));
    if (submitter)
        json_object_set_new (signal, "submitter", json_string (submitter));
    return signal;
}

//  ---------------------------------------------------------------------
//  Raw sockets, for what the client library would never send

static zsock_t *
s_dealer (s_test_t *self)
{
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    assert_non_null (dealer);
    zsock_set_sndhwm (dealer, 100000);
    zsock_set_rcvhwm (dealer, 100000);
    zsock_set_linger (dealer, 0);
    assert_int_equal (zsock_connect (dealer, "%s", self->harness.intake), 0);
    return dealer;
}

static zmsg_t *
s_recv_within (zsock_t *socket, int timeout_ms)
{
    zsock_set_rcvtimeo (socket, timeout_ms);
    return zmsg_recv (socket);
}

//  Send FRAMES (COUNT of them, NUL-terminated strings) as one message.
static void
s_send_frames (zsock_t *socket, const char **frames, int count)
{
    zmsg_t *msg = zmsg_new ();
    for (int index = 0; index < count; index++)
        zmsg_addstr (msg, frames[index]);
    assert_int_equal (zmsg_send (&msg, socket), 0);
}

//  Expect on SOCKET one reply "SEIN/1" ERROR CORR {rejected, code}; a REQ
//  socket has the delimiter removed already.
static void
s_expect_error (zsock_t *socket, const char *corr, const char *code, const char *context)
{
    zmsg_t *msg = s_recv_within (socket, S_REPLY_MS);
    if (!msg)
        fail_msg ("%s: no reply", context);
    if (zmsg_size (msg) != 4)
        fail_msg ("%s: reply has %zu frames, expected 4", context, zmsg_size (msg));
    char *protocol = zmsg_popstr (msg), *command = zmsg_popstr (msg);
    char *reply_corr = zmsg_popstr (msg), *body = zmsg_popstr (msg);
    json_t *json = json_loads (body, 0, NULL);
    bool ok = streq (protocol, SEIN_PROTOCOL) && streq (command, SEIN_ERROR) &&
              streq (reply_corr, corr) && json && s_is (json, "status", "rejected") &&
              s_is (json_object_get (json, "error"), "code", code);
    if (!ok)
        fail_msg ("%s: got [%s][%s][%s][%s], expected [%s][%s][%s] code '%s'", context,
                  protocol, command, reply_corr, body, SEIN_PROTOCOL, SEIN_ERROR, corr,
                  code);
    json_decref (json);
    zstr_free (&protocol);
    zstr_free (&command);
    zstr_free (&reply_corr);
    zstr_free (&body);
    zmsg_destroy (&msg);
}

//  ---------------------------------------------------------------------
//  1. Acks mean stored, through SIGKILL; one signal per key

static void
test_acks_survive_kill (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    enum { N = 200 };
    char *ids[N] = {NULL};
    int64_t seqs[N] = {0};
    for (int index = 0; index < N; index++) {
        char external_id[32], corr[16], description[96];
        snprintf (external_id, sizeof external_id, "ack-%d", index);
        snprintf (corr, sizeof corr, "%d", index);
        snprintf (description, sizeof description,
                  "Zwerfvuil en glasscherven op het pleintje, melding %d", index);
        json_t *signal = s_signal (description, NULL, external_id, "itest");
        assert_int_equal (
            sein_client_send (self->client, SEIN_SUBMIT, corr, signal, 1000), 0);
        json_decref (signal);
    }
    int received = 0;
    int64_t deadline = zclock_mono () + 15000;
    while (received < N && zclock_mono () < deadline) {
        char *corr = NULL, *command = NULL;
        json_t *ack = sein_client_recv (self->client, 500, &corr, &command);
        if (!ack && !corr)
            continue;
        assert_non_null (corr);
        int index = atoi (corr);
        assert_true (index >= 0 && index < N);
        assert_null (ids[index]); //  one reply per request
        assert_string_equal (command, SEIN_SUBMIT);
        s_assert_accepted (ack, "pipelined submission");
        assert_true (json_is_false (json_object_get (ack, "duplicate")));
        char external_id[32];
        snprintf (external_id, sizeof external_id, "ack-%d", index);
        assert_string_equal (s_str (ack, "external_id"), external_id);
        ids[index] = strdup (s_str (ack, "id"));
        seqs[index] = s_int (ack, "seq");
        received++;
        json_decref (ack);
        zstr_free (&corr);
        zstr_free (&command);
    }
    assert_int_equal (received, N);
    //  A fresh store: the acks carry exactly 1..N, each once, and one
    //  connection's submissions keep their order.
    bool seen[N + 1] = {false};
    for (int index = 0; index < N; index++) {
        assert_true (seqs[index] >= 1 && seqs[index] <= N);
        assert_false (seen[seqs[index]]);
        seen[seqs[index]] = true;
        if (index > 0)
            assert_true (seqs[index] > seqs[index - 1]);
        for (int other = 0; other < index; other++)
            assert_string_not_equal (ids[index], ids[other]);
    }

    //  An ack means fsynced: a kill -9 loses none of them.
    assert_int_equal (sein_harness_stop (&self->harness, SIGKILL), 128 + SIGKILL);
    s_start (self);
    assert_int_equal (s_head (self), N);
    json_t *events = s_events (self, 1);
    assert_int_equal (json_array_size (events), N);
    for (int index = 0; index < N; index++) {
        json_t *event = json_array_get (events, (size_t) seqs[index] - 1);
        assert_int_equal (s_int (event, "seq"), seqs[index]);
        assert_string_equal (s_str (event, "id"), ids[index]);
        assert_string_equal (s_str (event, "event"), "signal");
    }
    json_decref (events);
    for (int index = 0; index < N; index += 7) {
        json_t *reply = s_call (self, SEIN_GET, json_pack ("{s:s}", "id", ids[index]));
        assert_non_null (reply);
        assert_string_equal (s_str (reply, "status"), "ok");
        json_t *signal = json_object_get (reply, "signal");
        assert_string_equal (s_str (signal, "id"), ids[index]);
        assert_int_equal (s_int (signal, "seq"), seqs[index]);
        json_decref (reply);
    }

    //  Resubmitting a key, even with other text, returns the original and
    //  stores nothing.
    int again[] = {0, 7, 99, 150, N - 1};
    for (size_t item = 0; item < sizeof again / sizeof again[0]; item++) {
        int index = again[item];
        char external_id[32];
        snprintf (external_id, sizeof external_id, "ack-%d", index);
        json_t *reply = s_submit (
            self, s_signal (item % 2 ? "Zwerfvuil, tweede melding" : "Andere tekst", NULL,
                            external_id, "itest"));
        s_assert_accepted (reply, "resubmission");
        assert_true (json_is_true (json_object_get (reply, "duplicate")));
        assert_string_equal (s_str (reply, "id"), ids[index]);
        assert_int_equal (s_int (reply, "seq"), seqs[index]);
        json_decref (reply);
    }
    assert_int_equal (s_head (self), N);

    //  The key belongs to its submitter: another one's ack-0 is new.
    json_t *reply = s_submit (self, s_signal ("Zwerfvuil", NULL, "ack-0", "other-desk"));
    s_assert_accepted (reply, "same key, other submitter");
    assert_true (json_is_false (json_object_get (reply, "duplicate")));
    assert_string_not_equal (s_str (reply, "id"), ids[0]);
    assert_int_equal (s_int (reply, "seq"), N + 1);
    json_decref (reply);
    assert_int_equal (s_head (self), N + 1);

    for (int index = 0; index < N; index++)
        free (ids[index]);
    self->passed = true;
}

//  ---------------------------------------------------------------------
//  2. The same key several times in one burst

//  Submit SIGNALS (stolen) over the client's DEALER with at most WINDOW
//  in flight (0: all at once) and collect their acks in order of sending.
static void
s_pipeline (s_test_t *self, json_t *signals, json_t **acks, size_t window)
{
    size_t count = json_array_size (signals);
    if (window == 0)
        window = count;
    size_t sent = 0, received = 0;
    //  Overall, and for silence: an ack 3 s late is an ack that got lost.
    int64_t deadline = zclock_mono () + 15000, heard = zclock_mono ();
    while (received < count && zclock_mono () < deadline &&
           zclock_mono () - heard < 3000) {
        while (sent < count && sent - received < window) {
            char corr[32];
            snprintf (corr, sizeof corr, "b%zu", sent);
            assert_int_equal (sein_client_send (self->client, SEIN_SUBMIT, corr,
                                                json_array_get (signals, sent), 1000),
                              0);
            sent++;
        }
        char *corr = NULL;
        json_t *ack = sein_client_recv (self->client, 500, &corr, NULL);
        if (!corr) {
            json_decref (ack);
            continue;
        }
        size_t index = (size_t) atoi (corr + 1);
        assert_true (index < count);
        assert_null (acks[index]);
        s_assert_accepted (ack, corr);
        acks[index] = ack;
        received++;
        heard = zclock_mono ();
        zstr_free (&corr);
    }
    json_decref (signals);
    if (received != count) {
        int64_t head = s_head (self);
        for (size_t index = 0; index < count; index++)
            json_decref (acks[index]);
        fail_msg ("%zu of %zu pipelined submissions (window %zu) acked; the daemon's "
                  "head is now %lld",
                  received, count, window, (long long) head);
    }
}

static void
test_duplicates_in_one_batch (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    enum { N = 12 };
    int64_t head = s_head (self);
    json_t *acks[N] = {NULL};

    //  A new key, many times back to back: whether they share a batch or
    //  not, one is stored and every ack names it.
    json_t *signals = json_array ();
    for (int index = 0; index < N; index++)
        json_array_append_new (signals, s_signal ("Kapotte straatlamp aan de hoek", NULL,
                                                  "burst-1", "itest"));
    s_pipeline (self, signals, acks, 0);
    int fresh = 0;
    for (int index = 0; index < N; index++) {
        assert_string_equal (s_str (acks[index], "id"), s_str (acks[0], "id"));
        assert_int_equal (s_int (acks[index], "seq"), head + 1);
        fresh += json_is_false (json_object_get (acks[index], "duplicate"));
        assert_true (json_is_boolean (json_object_get (acks[index], "duplicate")));
    }
    assert_int_equal (fresh, 1);
    assert_true (json_is_false (json_object_get (acks[0], "duplicate")));
    assert_int_equal (s_head (self), head + 1);
    char *id = strdup (s_str (acks[0], "id"));
    for (int index = 0; index < N; index++)
        json_decref (acks[index]);

    //  The stored key again, many times in one burst: all duplicates.
    memset (acks, 0, sizeof acks);
    signals = json_array ();
    for (int index = 0; index < N; index++)
        json_array_append_new (
            signals, s_signal ("Kapotte straatlamp, nog eens", NULL, "burst-1", "itest"));
    s_pipeline (self, signals, acks, 0);
    for (int index = 0; index < N; index++) {
        assert_true (json_is_true (json_object_get (acks[index], "duplicate")));
        assert_string_equal (s_str (acks[index], "id"), id);
        assert_int_equal (s_int (acks[index], "seq"), head + 1);
        json_decref (acks[index]);
    }
    assert_int_equal (s_head (self), head + 1);

    //  Keys interleaved with each other and with keyless signals:
    //  A B A (none) B C A -> A, B, (none), C stored, in that order.
    const char *keys[] = {"burst-a", "burst-b", "burst-a", NULL,
                          "burst-b", "burst-c", "burst-a"};
    enum { M = sizeof keys / sizeof keys[0] };
    memset (acks, 0, sizeof acks);
    signals = json_array ();
    for (int index = 0; index < M; index++)
        json_array_append_new (
            signals, s_signal ("Fietswrak aan de paal", NULL, keys[index], "itest"));
    s_pipeline (self, signals, acks, 0);
    assert_string_equal (s_str (acks[2], "id"), s_str (acks[0], "id"));
    assert_string_equal (s_str (acks[6], "id"), s_str (acks[0], "id"));
    assert_string_equal (s_str (acks[4], "id"), s_str (acks[1], "id"));
    assert_int_equal (s_int (acks[0], "seq"), head + 2);
    assert_int_equal (s_int (acks[1], "seq"), head + 3);
    assert_int_equal (s_int (acks[3], "seq"), head + 4);
    assert_int_equal (s_int (acks[5], "seq"), head + 5);
    assert_true (json_is_true (json_object_get (acks[2], "duplicate")));
    assert_true (json_is_true (json_object_get (acks[4], "duplicate")));
    assert_true (json_is_true (json_object_get (acks[6], "duplicate")));
    assert_int_equal (s_head (self), head + 5);
    json_t *events = s_events (self, head + 1);
    assert_int_equal (json_array_size (events), 5);
    json_decref (events);
    for (int index = 0; index < M; index++)
        json_decref (acks[index]);
    free (id);
    self->passed = true;
}

//  One client pipelines a burst that fits one batch (limits.batch_max is
//  2048) and reads as the acks come: each of them must reach it. The
//  signals are stored either way; an ack lost on the way is a client
//  left guessing.
static void
test_pipelined_burst (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    enum { ROUNDS = 3, N = 2000 };
    json_t *acks[N] = {NULL};
    //  Whether a burst forms one batch depends on timing: a few tries.
    for (int round = 0; round < ROUNDS; round++) {
        json_t *signals = json_array ();
        for (int index = 0; index < N; index++)
            json_array_append_new (
                signals, s_signal ("Zwerfvuil aan de bushalte", NULL, NULL, NULL));
        s_pipeline (self, signals, acks, 0);
        assert_int_equal (s_head (self), (round + 1) * N);
        for (int index = 0; index < N; index++)
            json_decref (acks[index]);
        memset (acks, 0, sizeof acks);
    }
    self->passed = true;
}

//  ---------------------------------------------------------------------
//  3. Bad input

typedef struct {
    const char *name;
    const char *body;
    const char *code; //  the expected error code
    const char *field; //  NULL: the body as a whole (no field)
    const char *mention; //  the message must contain this, or NULL
} s_bad_t;

static const s_bad_t s_bad[] = {
    {"malformed JSON", "{\"description\": \"x\", ", "json", NULL, NULL},
    {"empty body", "", "json", NULL, NULL},
    {"not an object", "[\"description\", \"x\"]", "json", NULL, NULL},
    {"a bare string", "\"description\"", "json", NULL, NULL},
    {"duplicate keys",
     "{\"description\":\"a\",\"source\":\"citizen\",\"description\":\"b\"}", "json", NULL,
     NULL},
    {"missing description", "{\"source\":\"citizen\"}", "required", "description", NULL},
    {"null description", "{\"description\":null,\"source\":\"citizen\"}", "required",
     "description", NULL},
    {"empty description", "{\"description\":\"\",\"source\":\"citizen\"}", "empty",
     "description", NULL},
    {"blank description", "{\"description\":\" \\t\\n  \",\"source\":\"citizen\"}",
     "empty", "description", NULL},
    {"description a number", "{\"description\":42,\"source\":\"citizen\"}", "type",
     "description", NULL},
    {"missing source", "{\"description\":\"Afval\"}", "required", "source", NULL},
    {"unknown source", "{\"description\":\"Afval\",\"source\":\"martian\"}", "value",
     "source", NULL},
    {"lat as a string",
     "{\"description\":\"Afval\",\"source\":\"citizen\",\"lat\":\"50.87\",\"long\":4.70}",
     "type", "lat", NULL},
    {"lat 91",
     "{\"description\":\"Afval\",\"source\":\"citizen\",\"lat\":91,\"long\":4.7}",
     "value", "lat", NULL},
    {"long 200",
     "{\"description\":\"Afval\",\"source\":\"citizen\",\"lat\":50.87,\"long\":200}",
     "value", "long", NULL},
    {"lat without long",
     "{\"description\":\"Afval\",\"source\":\"citizen\",\"lat\":50.87}", "required",
     "long", NULL},
    {"long without lat",
     "{\"description\":\"Afval\",\"source\":\"citizen\",\"long\":4.7}", "required", "lat",
     NULL},
    {"invalid UTF-8", "{\"description\":\"caf\xc3\x28 kapot\",\"source\":\"citizen\"}",
     "utf8", NULL, NULL},
    {"overlong UTF-8", "{\"description\":\"a\xc0\xaf\",\"source\":\"citizen\"}", "utf8",
     NULL, NULL},
    {"UTF-8 surrogate", "{\"description\":\"a\xed\xa0\x80\",\"source\":\"citizen\"}",
     "utf8", NULL, NULL},
    //  \u0000 is JSON, but a C string would end there: refused, naming the field.
    {"NUL escape", "{\"description\":\"a\\u0000b\",\"source\":\"citizen\"}", "value",
     "description", "NUL"},
    {"control character", "{\"description\":\"a\\u0007b\",\"source\":\"citizen\"}",
     "value", "description", NULL},
    {"unknown field",
     "{\"description\":\"Afval\",\"source\":\"citizen\",\"adress_string\":\"Naamsestraat "
     "1\"}",
     "unknown-field", "adress_string", "adress_string"},
    {"unknown area",
     "{\"description\":\"Afval\",\"source\":\"citizen\",\"area\":\"atlantis\"}",
     "unknown-area", "area", "atlantis"},
    {"unknown theme",
     "{\"description\":\"Afval\",\"source\":\"citizen\",\"theme\":\"weather-control\"}",
     "unknown-theme", "theme", "weather-control"},
    {"bad priority",
     "{\"description\":\"Afval\",\"source\":\"citizen\",\"priority\":\"asap\"}", "value",
     "priority", NULL},
    {"bad occurred_at",
     "{\"description\":\"Afval\",\"source\":\"citizen\",\"occurred_at\":\"2026-02-30T10:"
     "00:00Z\"}",
     "value", "occurred_at", NULL},
    {"reporter not an object",
     "{\"description\":\"Afval\",\"source\":\"citizen\",\"reporter\":\"Jan\"}", "type",
     "reporter", NULL},
};

//  Submit BODY (SIZE bytes) and expect the rejection described by BAD,
//  then a good submission.
static void
s_expect_rejected (s_test_t *self, const char *body, size_t size, const s_bad_t *bad)
{
    char *command = NULL;
    json_t *reply = s_request (self, SEIN_SUBMIT, body, size, &command);
    if (!reply)
        fail_msg ("%s: no reply", bad->name);
    char *text = json_dumps (reply, JSON_COMPACT);
    const char *status = s_str (reply, "status");
    json_t *error = json_object_get (reply, "error");
    const char *code = s_str (error, "code");
    json_t *field = json_object_get (error, "field");
    const char *message = s_str (error, "message");
    if (!streq (command, SEIN_SUBMIT))
        fail_msg ("%s: reply command %s, expected SUBMIT", bad->name, command);
    if (!status || !streq (status, "rejected") || !code || !message)
        fail_msg ("%s: expected a rejection, got %s", bad->name, text);
    if (!streq (code, bad->code))
        fail_msg ("%s: code '%s', expected '%s': %s", bad->name, code, bad->code, text);
    if (bad->field
            ? !json_is_string (field) || !streq (json_string_value (field), bad->field)
            : field && !json_is_null (field))
        fail_msg ("%s: field %s, expected %s: %s", bad->name,
                  json_is_string (field) ? json_string_value (field) : "null",
                  bad->field ? bad->field : "null", text);
    if (bad->mention && !strstr (message, bad->mention))
        fail_msg ("%s: message does not mention '%s': %s", bad->name, bad->mention, text);
    free (text);
    zstr_free (&command);
    json_decref (reply);
    s_assert_serving (self, bad->name);
}

//  A signal whose description is COUNT copies of UNIT.
static char *
s_long_signal (const char *unit, size_t count)
{
    size_t size = strlen (unit) * count;
    char *description = (char *) zmalloc (size + 1);
    for (size_t index = 0; index < count; index++)
        memcpy (description + index * strlen (unit), unit, strlen (unit));
    char *body =
        zsys_sprintf ("{\"description\":\"%s\",\"source\":\"citizen\"}", description);
    free (description);
    return body;
}

static void
test_bad_submissions (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    int64_t head = s_head (self);
    int good = 0;
    for (size_t index = 0; index < sizeof s_bad / sizeof s_bad[0]; index++) {
        s_expect_rejected (self, s_bad[index].body, strlen (s_bad[index].body),
                           &s_bad[index]);
        good++;
    }
    //  Sizes: 4000 bytes is allowed, in ASCII or two-byte characters; one
    //  byte more is not. Over limits.message_max (65536) the body is not
    //  even parsed. (Far over it, ZeroMQ's maxmsgsize drops the connection:
    //  see test_oversized_bodies.)
    const struct {
        const char *unit;
        size_t count;
        const char *code; //  NULL: accepted
    } sizes[] = {{"a", 4000, NULL},
                 {"a", 4001, "too-long"},
                 {"\xc3\xa9", 2000, NULL},
                 {"\xc3\xa9", 2001, "too-long"},
                 {"a", 65600, "too-large"}};
    for (size_t index = 0; index < sizeof sizes / sizeof sizes[0]; index++) {
        char *body = s_long_signal (sizes[index].unit, sizes[index].count);
        char name[64];
        snprintf (name, sizeof name, "description of %zu bytes",
                  strlen (sizes[index].unit) * sizes[index].count);
        if (sizes[index].code) {
            s_bad_t bad = {name, body, sizes[index].code,
                           streq (sizes[index].code, "too-long") ? "description" : NULL,
                           NULL};
            s_expect_rejected (self, body, strlen (body), &bad);
        } else {
            json_t *reply = s_request (self, SEIN_SUBMIT, body, strlen (body), NULL);
            s_assert_accepted (reply, name);
            json_decref (reply);
        }
        good++;
        zstr_free (&body);
    }
    //  Nesting deep enough to exhaust a recursive parser, within the size limit.
    char *deep = (char *) zmalloc (60001);
    memset (deep, '[', 60000);
    s_bad_t nested = {"60000 nested arrays", deep, "json", NULL, NULL};
    s_expect_rejected (self, deep, 60000, &nested);
    good++;
    free (deep);

    //  A rejection echoes the external id when the body could be read.
    const char *keyed =
        "{\"description\":\"\",\"source\":\"citizen\",\"external_id\":\"bad-7\"}";
    json_t *reply = s_request (self, SEIN_SUBMIT, keyed, strlen (keyed), NULL);
    assert_non_null (reply);
    assert_string_equal (s_str (reply, "status"), "rejected");
    assert_string_equal (s_str (reply, "external_id"), "bad-7");
    json_decref (reply);
    //  ...and a rejected key was not taken: the same key, valid, is new.
    reply = s_submit (self, s_signal ("Afval", NULL, "bad-7", NULL));
    s_assert_accepted (reply, "key of an earlier rejection");
    assert_true (json_is_false (json_object_get (reply, "duplicate")));
    json_decref (reply);
    good++;

    //  CLASSIFY is a dry run: the same checks, an answer, nothing stored.
    char *command = NULL;
    const char *dry = "{\"description\":\"Sluikstort\",\"source\":\"citizen\","
                      "\"area\":\"heilig-hart\",\"external_id\":\"dry-1\"}";
    reply = s_request (self, SEIN_CLASSIFY, dry, strlen (dry), &command);
    assert_non_null (reply);
    assert_string_equal (command, SEIN_CLASSIFY);
    assert_string_equal (s_str (reply, "status"), "classified");
    assert_string_equal (s_str (reply, "wijk"), "heverlee");
    assert_null (json_object_get (reply, "seq"));
    json_decref (reply);
    zstr_free (&command);
    const char *dry_bad = "{\"description\":\"Sluikstort\",\"source\":\"martian\"}";
    reply = s_request (self, SEIN_CLASSIFY, dry_bad, strlen (dry_bad), &command);
    assert_non_null (reply);
    assert_string_equal (command, SEIN_CLASSIFY);
    assert_string_equal (s_str (reply, "status"), "rejected");
    assert_string_equal (s_error_code (reply), "value");
    json_decref (reply);
    zstr_free (&command);
    //  The dry run took no key: dry-1 is new.
    reply = s_submit (self, s_signal ("Sluikstort", NULL, "dry-1", NULL));
    s_assert_accepted (reply, "key of a dry run");
    assert_true (json_is_false (json_object_get (reply, "duplicate")));
    json_decref (reply);
    good++;

    //  Nothing half stored: only the good submissions moved the head.
    assert_int_equal (s_head (self), head + good);
    self->passed = true;
}

//  Bodies far over limits.message_max, from a pipelining client: the
//  daemon survives and keeps serving others, and sein-submit answers every
//  line of its file, the big one rejected, not "daemon unavailable".
static void
test_oversized_bodies (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    zsock_t *dealer = s_dealer (self);
    size_t size = 4 * 1024 * 1024;
    char *huge = (char *) zmalloc (size);
    memset (huge, 'x', size);
    zmsg_t *msg = zmsg_new ();
    zmsg_addstr (msg, SEIN_PROTOCOL);
    zmsg_addstr (msg, SEIN_SUBMIT);
    zmsg_addstr (msg, "huge");
    zmsg_addmem (msg, huge, size);
    assert_int_equal (zmsg_send (&msg, dealer), 0);
    free (huge);
    s_assert_serving (self, "a 4 MB body");
    zsock_destroy (&dealer);
    assert_true (s_alive (self));

    char *big = s_long_signal ("x", 100000);
    char *lines =
        zsys_sprintf ("{\"description\":\"Afval een\",\"source\":\"citizen\"}\n%s\n"
                      "{\"description\":\"Afval twee\",\"source\":\"citizen\"}\n",
                      big);
    char *output = NULL;
    int status = sein_harness_run (&self->harness, lines, &output, "sein-submit",
                                   "--file", "-", "-t", "2000", NULL);
    zstr_free (&lines);
    zstr_free (&big);
    bool ok = status == SEIN_EXIT_DATAERR && s_lines (output, "line ") == 3 &&
              s_lines (output, "line 2: rejected: too-large") == 1;
    char message[512];
    snprintf (message, sizeof message,
              "sein-submit --file with a 100 kB line: exit %d (expected 65), output '%s' "
              "(expected 3 answers, line 2 rejected too-large)",
              status, output ? output : "");
    zstr_free (&output);
    if (!ok)
        fail_msg ("%s", message);
    self->passed = true;
}

static void
test_protocol_errors (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    zsock_t *dealer = s_dealer (self);

    const char *two[] = {SEIN_PROTOCOL, SEIN_PING};
    s_send_frames (dealer, two, 2);
    s_expect_error (dealer, "", "frames", "2 frames");
    s_assert_serving (self, "2 frames");

    const char *one[] = {"hello"};
    s_send_frames (dealer, one, 1);
    s_expect_error (dealer, "", "frames", "1 frame");

    const char *three[] = {SEIN_PROTOCOL, SEIN_PING, "c3"};
    s_send_frames (dealer, three, 3);
    s_expect_error (dealer, "c3", "frames", "3 frames");

    const char *six[] = {
        SEIN_PROTOCOL, SEIN_SUBMIT,
        "c6",          "{\"description\":\"Afval\",\"source\":\"citizen\"}",
        "x",           "y"};
    int64_t head = s_head (self);
    s_send_frames (dealer, six, 6);
    s_expect_error (dealer, "c6", "frames", "6 frames");
    assert_int_equal (s_head (self), head); //  a malformed SUBMIT stores nothing
    s_assert_serving (self, "6 frames");

    const char *version[] = {"SEIN/2", SEIN_PING, "cv", "{}"};
    s_send_frames (dealer, version, 4);
    s_expect_error (dealer, "cv", "version", "SEIN/2");
    s_assert_serving (self, "SEIN/2");

    const char *unknown[] = {SEIN_PROTOCOL, "FROBNICATE", "cu", "{}"};
    s_send_frames (dealer, unknown, 4);
    s_expect_error (dealer, "cu", "command", "unknown command");
    //  Commands are case-sensitive.
    const char *lower[] = {SEIN_PROTOCOL, "ping", "cl", "{}"};
    s_send_frames (dealer, lower, 4);
    s_expect_error (dealer, "cl", "command", "lowercase command");

    //  Correlation ids up to 255 bytes are echoed; longer ones are refused.
    char corr[301];
    memset (corr, 'c', 300);
    corr[255] = 0;
    const char *max_corr[] = {SEIN_PROTOCOL, SEIN_PING, corr, "{}"};
    s_send_frames (dealer, max_corr, 4);
    zmsg_t *reply = s_recv_within (dealer, S_REPLY_MS);
    assert_non_null (reply);
    assert_int_equal (zmsg_size (reply), 4);
    zmsg_next (reply);
    assert_true (zframe_streq (zmsg_next (reply), SEIN_PING));
    assert_true (zframe_streq (zmsg_next (reply), corr));
    zmsg_destroy (&reply);
    corr[255] = 'c';
    corr[300] = 0;
    const char *long_corr[] = {SEIN_PROTOCOL, SEIN_PING, corr, "{}"};
    s_send_frames (dealer, long_corr, 4);
    s_expect_error (dealer, "", "frames", "300-byte correlation id");
    s_assert_serving (self, "a long correlation id");
    zsock_destroy (&dealer);

    //  A REQ client sends a delimiter frame first and must get its reply
    //  with one, in the same shape.
    zsock_t *req = zsock_new (ZMQ_REQ);
    assert_non_null (req);
    zsock_set_linger (req, 0);
    assert_int_equal (zsock_connect (req, "%s", self->harness.intake), 0);
    const char *ping[] = {SEIN_PROTOCOL, SEIN_PING, "r1", "{}"};
    s_send_frames (req, ping, 4);
    zmsg_t *msg = s_recv_within (req, S_REPLY_MS);
    assert_non_null (msg);
    assert_int_equal (zmsg_size (msg), 4);
    char *frame = zmsg_popstr (msg);
    assert_string_equal (frame, SEIN_PROTOCOL);
    zstr_free (&frame);
    frame = zmsg_popstr (msg);
    assert_string_equal (frame, SEIN_PING);
    zstr_free (&frame);
    frame = zmsg_popstr (msg);
    assert_string_equal (frame, "r1");
    zstr_free (&frame);
    frame = zmsg_popstr (msg);
    json_t *json = json_loads (frame, 0, NULL);
    assert_string_equal (s_str (json, "status"), "ok");
    json_decref (json);
    zstr_free (&frame);
    zmsg_destroy (&msg);
    //  A submission goes through the batch and must keep the delimiter too.
    const char *submit[] = {SEIN_PROTOCOL, SEIN_SUBMIT, "r2",
                            "{\"description\":\"Fietswrak\",\"source\":\"staff\"}"};
    s_send_frames (req, submit, 4);
    msg = s_recv_within (req, S_REPLY_MS);
    assert_non_null (msg);
    assert_int_equal (zmsg_size (msg), 4);
    zframe_t *protocol = zmsg_pop (msg);
    assert_true (zframe_streq (protocol, SEIN_PROTOCOL));
    zframe_destroy (&protocol);
    frame = zmsg_popstr (msg);
    assert_string_equal (frame, SEIN_SUBMIT);
    zstr_free (&frame);
    frame = zmsg_popstr (msg);
    assert_string_equal (frame, "r2");
    zstr_free (&frame);
    frame = zmsg_popstr (msg);
    json = json_loads (frame, 0, NULL);
    s_assert_accepted (json, "REQ submission");
    json_decref (json);
    zstr_free (&frame);
    zmsg_destroy (&msg);
    //  And its protocol errors as well.
    const char *bad_req[] = {"SEIN/0", SEIN_PING, "r3", "{}"};
    s_send_frames (req, bad_req, 4);
    s_expect_error (req, "r3", "version", "REQ with SEIN/0");
    zsock_destroy (&req);
    self->passed = true;
}

//  xorshift64*: a reproducible flood (the seed is printed on failure).
static uint64_t
s_next (uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

//  Send one random message: random frames, or the protocol's frames with
//  random or damaged content.
static void
s_send_garbage (zsock_t *dealer, uint64_t *seed)
{
    static const char *commands[] = {SEIN_SUBMIT, SEIN_CLASSIFY, SEIN_PING,  SEIN_GET,
                                     SEIN_EVENTS, SEIN_STATS,    SEIN_ERROR, "WATCH"};
    static const char *bodies[] = {
        "{\"description\":\"Afval\",\"source\":\"citizen\",\"lat\":1e999,\"long\":0}",
        "{\"from\":-1}",
        "{\"from\":9223372036854775807,\"limit\":9223372036854775807}",
        "{\"id\":null}",
        "{\"id\":\"\"}",
        "{\"description\":{\"a\":[1,2,{}]},\"source\":[]}",
        "{\"attributes\":{\"\":\"\"},\"description\":\"x\",\"source\":\"system\"}",
        "{\"description\":\"x\",\"source\":\"citizen\",\"reporter\":{\"email\":\"nope\"}"
        "}",
        "{\"from\":1,\"limit\":0}",
        "{\"from\":1.5}"};
    //  A raw NUL inside a string: sent with its real size.
    static const char nul[] = "{\"description\":\"a\0b\",\"source\":\"citizen\"}";
    zmsg_t *msg = zmsg_new ();
    uint64_t kind = s_next (seed) % 4;
    if (kind == 0) {
        //  Anything at all.
        int frames = 1 + (int) (s_next (seed) % 8);
        for (int index = 0; index < frames; index++) {
            size_t size = s_next (seed) % 48;
            byte data[48];
            for (size_t at = 0; at < size; at++)
                data[at] = (byte) s_next (seed);
            zmsg_addmem (msg, data, size);
        }
    } else {
        //  The right envelope, sometimes with a frame missing or extra, and
        //  random or damaged bodies.
        zmsg_addstr (msg, s_next (seed) % 16 ? SEIN_PROTOCOL : "SEIN/1\n");
        zmsg_addstr (msg, commands[s_next (seed) % 8]);
        char corr[320];
        size_t corr_size =
            s_next (seed) % 20 ? s_next (seed) % 24 : 256 + s_next (seed) % 40;
        memset (corr, 'k', corr_size);
        zmsg_addmem (msg, corr, corr_size);
        if (kind == 1) {
            size_t size = s_next (seed) % 200;
            byte data[200];
            for (size_t at = 0; at < size; at++)
                data[at] = (byte) s_next (seed);
            zmsg_addmem (msg, data, size);
        } else if (kind == 2) {
            uint64_t pick = s_next (seed) % 11;
            if (pick == 10)
                zmsg_addmem (msg, nul, sizeof nul - 1);
            else
                zmsg_addstr (msg, bodies[pick]);
        } else {
            //  A valid signal with one byte flipped.
            char body[] =
                "{\"description\":\"Zwerfvuil aan de bushalte\",\"source\":\"citizen\"}";
            body[s_next (seed) % (sizeof body - 1)] = (char) s_next (seed);
            zmsg_addmem (msg, body, sizeof body - 1);
        }
        if (s_next (seed) % 10 == 0)
            zmsg_addstr (msg, "extra");
    }
    zmsg_send (&msg, dealer);
}

static void
test_garbage_flood (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    enum { N = 5000 };
    uint64_t seed = 0x5e1d5e1d5e1dULL ^ (uint64_t) zclock_time ();
    print_message ("garbage flood seed 0x%llx\n", (unsigned long long) seed);
    uint64_t state_ = seed;
    //  A client that vanishes with its requests in flight: the daemon must
    //  drop their replies, not block or fail on them.
    zsock_t *gone = s_dealer (self);
    zsock_set_linger (gone, 1000);
    for (int index = 0; index < 500; index++)
        s_send_garbage (gone, &state_);
    zsock_destroy (&gone);

    //  Every request gets exactly one answer, however bad it was. (At most
    //  500 in flight: more than limits.intake_hwm unread replies is what
    //  test_pipelined_burst is about.)
    zsock_t *dealer = s_dealer (self);
    int sent = 0, replies = 0;
    int64_t deadline = zclock_mono () + 20000, heard = zclock_mono ();
    while (replies < N && zclock_mono () < deadline && zclock_mono () - heard < 3000) {
        for (; sent < N && sent - replies < 500; sent++)
            s_send_garbage (dealer, &state_);
        zmsg_t *msg = s_recv_within (dealer, 500);
        if (!msg)
            continue;
        heard = zclock_mono ();
        //  [delimiter] "SEIN/1" command corr body: the delimiter only when
        //  the request began with an empty frame.
        if (zmsg_size (msg) == 5) {
            zframe_t *delimiter = zmsg_pop (msg);
            assert_int_equal (zframe_size (delimiter), 0);
            zframe_destroy (&delimiter);
        }
        if (zmsg_size (msg) != 4)
            fail_msg ("seed 0x%llx: a reply of %zu frames", (unsigned long long) seed,
                      zmsg_size (msg));
        assert_true (zframe_streq (zmsg_first (msg), SEIN_PROTOCOL));
        zmsg_destroy (&msg);
        replies++;
        if (!s_alive (self))
            fail_msg ("seed 0x%llx: seind died", (unsigned long long) seed);
    }
    zsock_destroy (&dealer);
    if (replies != N)
        fail_msg ("seed 0x%llx: %d replies to %d requests", (unsigned long long) seed,
                  replies, N);
    assert_true (s_alive (self));
    s_head (self);
    s_assert_serving (self, "the garbage flood");
    self->passed = true;
}

//  ---------------------------------------------------------------------
//  4. Watch sessions

//  Wait until WATCHER's session is open; fails after 5 s.
static void
s_watcher_ready (sein_watcher_t *watcher)
{
    int64_t deadline = zclock_mono () + S_REPLY_MS;
    while (!sein_watcher_connected (watcher) && zclock_mono () < deadline) {
        json_t *event = sein_watcher_recv (watcher, 20);
        assert_null (event); //  a live-only session has nothing to replay
    }
    assert_true (sein_watcher_connected (watcher));
}

//  The next event of WATCHER must have EXPECTED's seq and id.
static void
s_expect_event (sein_watcher_t *watcher, json_t *expected, const char *context)
{
    json_t *event = sein_watcher_recv (watcher, S_REPLY_MS);
    if (!event)
        fail_msg ("%s: no event (expected seq %lld)", context,
                  (long long) s_int (expected, "seq"));
    if (s_int (event, "seq") != s_int (expected, "seq"))
        fail_msg ("%s: event seq %lld (area %s), expected %lld (area %s)", context,
                  (long long) s_int (event, "seq"), s_str (event, "area"),
                  (long long) s_int (expected, "seq"), s_str (expected, "area"));
    assert_string_equal (s_str (event, "id"), s_str (expected, "id"));
    assert_string_equal (s_str (event, "area"), s_str (expected, "area"));
    assert_null (json_object_get (event, "reporter"));
    json_decref (event);
}

static void
test_watch (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    json_t *filter = json_pack ("{s:[s]}", "area", "heverlee");
    sein_watcher_t *live = sein_watcher_new (self->harness.watch, filter, 0, NULL, 16);
    assert_non_null (live);
    s_watcher_ready (live);

    //  binnenstad, heilig-hart (a zone of heverlee), binnenstad, heverlee:
    //  the heverlee watcher must see the 2nd and the 4th, in that order,
    //  and therefore not the 3rd, which came between them.
    const char *areas[] = {"binnenstad", "heilig-hart", "binnenstad", "heverlee"};
    json_t *acks[4];
    for (int index = 0; index < 4; index++) {
        json_t *signal = s_signal ("Hangjongeren op het plein, lawaai tot na middernacht",
                                   areas[index], NULL, NULL);
        json_object_set_new (signal, "reporter",
                             json_pack ("{s:s}", "email", "an.peeters@example.org"));
        acks[index] = s_submit (self, signal);
        s_assert_accepted (acks[index], areas[index]);
        assert_string_equal (s_str (acks[index], "area"), areas[index]);
    }
    assert_string_equal (s_str (acks[1], "wijk"), "heverlee");
    s_expect_event (live, acks[1], "live heverlee, zone heilig-hart");
    s_expect_event (live, acks[3], "live heverlee, the wijk itself");

    //  Replay from seq 1: everything stored, in seq order, then live.
    sein_watcher_t *replay = sein_watcher_new (self->harness.watch, NULL, 1, NULL, 2);
    for (int index = 0; index < 4; index++)
        s_expect_event (replay, acks[index], "replay from 1");
    assert_int_equal (sein_watcher_last_seq (replay), s_int (acks[3], "seq"));
    //  Replay with the filter: the store path must filter like the live one.
    sein_watcher_t *filtered = sein_watcher_new (self->harness.watch, filter, 1, NULL, 4);
    s_expect_event (filtered, acks[1], "filtered replay, heilig-hart");
    s_expect_event (filtered, acks[3], "filtered replay, heverlee");
    //  Following a zone is not following its wijk: heilig-hart only.
    json_t *zone_filter = json_pack ("{s:[s]}", "area", "heilig-hart");
    sein_watcher_t *zone =
        sein_watcher_new (self->harness.watch, zone_filter, 1, NULL, 4);
    json_decref (zone_filter);
    s_expect_event (zone, acks[1], "zone replay");

    //  One more of each; every session continues live without a gap.
    json_t *next_b =
        s_submit (self, s_signal ("Afval naast de container", "binnenstad", NULL, NULL));
    json_t *next_h =
        s_submit (self, s_signal ("Afval naast de container", "heilig-hart", NULL, NULL));
    s_assert_accepted (next_b, "binnenstad");
    s_assert_accepted (next_h, "heilig-hart");
    s_expect_event (replay, next_b, "replay continuing live");
    s_expect_event (replay, next_h, "replay continuing live");
    s_expect_event (filtered, next_h, "filtered replay continuing live");
    s_expect_event (zone, next_h, "zone continuing live");
    s_expect_event (live, next_h, "live");

    //  A filter the daemon cannot read is refused, with a reason.
    json_t *nonsense = json_pack ("{s:[s]}", "colour", "red");
    sein_watcher_t *refused =
        sein_watcher_new (self->harness.watch, nonsense, 0, NULL, 4);
    int64_t deadline = zclock_mono () + S_REPLY_MS;
    while (!sein_watcher_refusal (refused) && zclock_mono () < deadline)
        assert_null (sein_watcher_recv (refused, 50));
    json_t *refusal = sein_watcher_refusal (refused);
    assert_non_null (refusal);
    assert_string_equal (s_str (refusal, "status"), "rejected");
    assert_non_null (s_error_code (refusal));

    sein_watcher_destroy (&refused);
    sein_watcher_destroy (&zone);
    sein_watcher_destroy (&filtered);
    sein_watcher_destroy (&replay);
    sein_watcher_destroy (&live);
    for (int index = 0; index < 4; index++)
        json_decref (acks[index]);
    json_decref (next_b);
    json_decref (next_h);
    json_decref (nonsense);
    json_decref (filter);
    self->passed = true;
}

//  A replay longer than one store round (512 rows) with little credit:
//  every matching event once, in seq order, whatever the filter skips.
static void
test_watch_long_replay (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    enum { N = 1500 };
    const char *areas[] = {"binnenstad", "heilig-hart", "kessel-lo", "heverlee",
                           "casablanca"};
    json_t **acks = (json_t **) zmalloc (N * sizeof (json_t *));
    json_t *signals = json_array ();
    for (int index = 0; index < N; index++)
        json_array_append_new (
            signals, s_signal ("Afval naast de container", areas[index % 5], NULL, NULL));
    s_pipeline (self, signals, acks, 200);

    json_t *filter = json_pack ("{s:[s]}", "area", "heverlee");
    sein_watcher_t *heverlee = sein_watcher_new (self->harness.watch, filter, 1, NULL, 8);
    sein_watcher_t *all = sein_watcher_new (self->harness.watch, NULL, 1, NULL, 3);
    sein_watcher_t *late = sein_watcher_new (self->harness.watch, NULL, 1000, NULL, 50);
    int matched = 0;
    for (int index = 0; index < N; index++) {
        s_expect_event (all, acks[index], "unfiltered replay");
        if (s_is (acks[index], "wijk", "heverlee")) {
            s_expect_event (heverlee, acks[index], "heverlee replay");
            matched++;
        }
        if (s_int (acks[index], "seq") >= 1000)
            s_expect_event (late, acks[index], "replay from seq 1000");
    }
    assert_int_equal (matched, 2 * N / 5);
    //  Nothing more: the next event is a new one, live.
    json_t *next = s_submit (self, s_signal ("Afval", "heverlee", NULL, NULL));
    s_assert_accepted (next, "after the replay");
    s_expect_event (heverlee, next, "heverlee after the replay");
    s_expect_event (all, next, "unfiltered after the replay");
    s_expect_event (late, next, "late after the replay");
    json_decref (next);
    sein_watcher_destroy (&late);
    sein_watcher_destroy (&all);
    sein_watcher_destroy (&heverlee);
    json_decref (filter);
    for (int index = 0; index < N; index++)
        json_decref (acks[index]);
    free (acks);
    self->passed = true;
}

//  A watcher outlives a daemon restart: what was stored while it was
//  cut off comes first, then what follows, no gap, no repeat.
static void
test_watch_across_restart (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    sein_watcher_t *watcher = sein_watcher_new (self->harness.watch, NULL, 0, NULL, 8);
    s_watcher_ready (watcher);
    json_t *before = s_submit (self, s_signal ("Afval", "kessel-lo", NULL, NULL));
    s_assert_accepted (before, "before the restart");
    s_expect_event (watcher, before, "before the restart");

    assert_int_equal (s_stop_within (self, SIGTERM, 10000), 0);
    s_start (self);
    //  Submitted at once, before the watcher can have a new session.
    json_t *after[3];
    for (int index = 0; index < 3; index++) {
        after[index] = s_submit (self, s_signal ("Afval", "wilsele", NULL, NULL));
        s_assert_accepted (after[index], "after the restart");
    }
    assert_int_equal (s_int (after[0], "seq"), s_int (before, "seq") + 1);
    //  The watcher notices the new daemon by its heartbeats going
    //  unanswered (at most a few seconds), then resumes.
    for (int index = 0; index < 3; index++) {
        json_t *event = sein_watcher_recv (watcher, 10000);
        if (!event)
            fail_msg ("watcher did not resume after the restart (event %d)", index);
        assert_int_equal (s_int (event, "seq"), s_int (after[index], "seq"));
        assert_string_equal (s_str (event, "id"), s_str (after[index], "id"));
        json_decref (event);
    }
    sein_watcher_destroy (&watcher);
    json_decref (before);
    for (int index = 0; index < 3; index++)
        json_decref (after[index]);
    self->passed = true;
}

//  A second seind on the same store and endpoints (started by mistake
//  next to the service, say) must refuse to start (69), not take over.
static void
test_single_instance (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    sein_harness_t *h = &self->harness;
    char *log = zsys_sprintf ("%s/second.log", h->dir);
    pid_t pid = fork ();
    if (pid == 0) {
        char *argv[40];
        int count = 0;
        argv[count++] = (char *) SEIN_BINARY_DIR "/seind";
        argv[count++] = (char *) "-f";
        argv[count++] = (char *) "-c";
        argv[count++] = h->config;
        for (int index = 0; index < h->noverrides; index++) {
            argv[count++] = (char *) "-o";
            argv[count++] = h->overrides[index];
        }
        argv[count] = NULL;
        int fd = open (log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2 (fd, STDOUT_FILENO);
        dup2 (fd, STDERR_FILENO);
        execv (argv[0], argv);
        _exit (127);
    }
    assert_true (pid > 0);
    //  It either exits, or logs that it is serving.
    int64_t deadline = zclock_mono () + 10000;
    int raw = 0;
    bool exited = false, serving = false;
    while (!exited && !serving && zclock_mono () < deadline) {
        exited = waitpid (pid, &raw, WNOHANG) == pid;
        char *text = s_read_file (log);
        serving = text && strstr (text, "store head");
        free (text);
        if (!exited && !serving)
            zclock_sleep (20);
    }
    if (!exited) {
        kill (pid, SIGKILL);
        waitpid (pid, &raw, 0);
    }
    char *text = s_read_file (log);
    int status = WIFEXITED (raw) ? WEXITSTATUS (raw) : 128 + WTERMSIG (raw);
    if (!exited || status != SEIN_EXIT_UNAVAILABLE)
        fail_msg ("a second seind on the same store and endpoints %s; expected exit 69. "
                  "Its log:\n%s",
                  exited ? "exited with another status" : "started serving (killed now)",
                  text ? text : "");
    free (text);
    zstr_free (&log);
    //  The first one still owns its endpoints and its store.
    assert_true (s_alive (self));
    s_head (self);
    s_assert_serving (self, "a second seind was started");
    self->passed = true;
}

//  ---------------------------------------------------------------------
//  5. Broadcast PUB: topics, and no personal data

static const char *s_personal[] = {"reporter", "Jan Peeters", "jan.peeters@example.org",
                                   "example.org", "+32 470 12 34 56"};

//  Submit a signal for AREA with a reporter; returns the ack.
static json_t *
s_submit_reported (s_test_t *self, const char *area)
{
    json_t *signal =
        s_signal ("Graffiti op de gevel van de parochiezaal", area, NULL, NULL);
    json_object_set_new (signal, "reporter",
                         json_pack ("{s:s,s:s,s:s}", "name", "Jan Peeters", "email",
                                    "jan.peeters@example.org", "phone",
                                    "+32 470 12 34 56"));
    json_t *ack = s_submit (self, signal);
    s_assert_accepted (ack, area ? area : "no area");
    assert_string_equal (s_str (ack, "area"), area ? area : "triage");
    return ack;
}

//  The next broadcast on SUB within TIMEOUT_MS, checked: [topic][json],
//  the topic signal/<wijk>/<theme>/<area>/ of the event, no personal
//  data. Returns the event, or NULL on timeout.
static json_t *
s_broadcast (zsock_t *sub, int timeout_ms)
{
    zmsg_t *msg = s_recv_within (sub, timeout_ms);
    if (!msg)
        return NULL;
    assert_int_equal (zmsg_size (msg), 2);
    char *topic = zmsg_popstr (msg), *body = zmsg_popstr (msg);
    json_t *event = json_loads (body, 0, NULL);
    if (!event)
        fail_msg ("broadcast is not JSON: %s", body);
    char expected[256];
    snprintf (expected, sizeof expected, "signal/%s/%s/%s/", s_str (event, "wijk"),
              s_str (event, "theme"), s_str (event, "area"));
    assert_string_equal (topic, expected);
    assert_null (json_object_get (event, "reporter"));
    for (size_t index = 0; index < sizeof s_personal / sizeof s_personal[0]; index++)
        if (strstr (body, s_personal[index]))
            fail_msg ("broadcast carries '%s': %s", s_personal[index], body);
    zstr_free (&topic);
    zstr_free (&body);
    zmsg_destroy (&msg);
    return event;
}

static void
test_publish (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    zsock_t *heverlee = zsock_new_sub (self->harness.publish, "signal/heverlee/");
    zsock_t *everything = zsock_new_sub (self->harness.publish, "");
    assert_non_null (heverlee);
    assert_non_null (everything);

    //  A subscription takes a moment to reach the PUB (the slow joiner):
    //  submit heilig-hart signals until both subscribers hear one.
    bool heard[2] = {false, false};
    zsock_t *subs[2] = {heverlee, everything};
    int64_t deadline = zclock_mono () + 10000;
    while (!(heard[0] && heard[1]) && zclock_mono () < deadline) {
        json_t *ack = s_submit_reported (self, "heilig-hart");
        for (int sub = 0; sub < 2; sub++) {
            json_t *event;
            while ((event = s_broadcast (subs[sub], heard[sub] ? 0 : 100))) {
                assert_string_equal (s_str (event, "area"), "heilig-hart");
                assert_string_equal (s_str (event, "wijk"), "heverlee");
                heard[sub] = true;
                json_decref (event);
            }
        }
        json_decref (ack);
    }
    assert_true (heard[0] && heard[1]);

    //  Both subscribed now: every signal reaches the catch-all subscriber,
    //  those of the wijk heverlee (zones included) the heverlee one, each
    //  in seq order with the seq and id of its ack.
    //  (NULL: no area, address or point; it goes to triage, topic and all.)
    const char *areas[] = {"binnenstad", "heilig-hart", NULL,
                           "heverlee",   "casablanca",  "heilig-hart"};
    enum { N = sizeof areas / sizeof areas[0] };
    json_t *acks[N];
    for (int index = 0; index < N; index++)
        acks[index] = s_submit_reported (self, areas[index]);
    int64_t first = s_int (acks[0], "seq");
    for (int sub = 0; sub < 2; sub++) {
        for (int index = 0; index < N; index++) {
            if (sub == 0 && !s_is (acks[index], "wijk", "heverlee"))
                continue;
            json_t *event = s_broadcast (subs[sub], S_REPLY_MS);
            //  Late copies of the warm-up signals come first.
            while (event && s_int (event, "seq") < first) {
                json_decref (event);
                event = s_broadcast (subs[sub], S_REPLY_MS);
            }
            if (!event)
                fail_msg ("%s subscriber: no broadcast of seq %lld (%s)",
                          sub ? "catch-all" : "heverlee",
                          (long long) s_int (acks[index], "seq"),
                          s_str (acks[index], "area"));
            assert_int_equal (s_int (event, "seq"), s_int (acks[index], "seq"));
            assert_string_equal (s_str (event, "id"), s_str (acks[index], "id"));
            assert_string_equal (s_str (event, "area"), s_str (acks[index], "area"));
            json_decref (event);
        }
    }

    //  GET without authorisation answers the public record only.
    json_t *reply =
        s_call (self, SEIN_GET, json_pack ("{s:s}", "id", s_str (acks[1], "id")));
    assert_non_null (reply);
    assert_string_equal (s_str (reply, "status"), "ok");
    char *text = json_dumps (reply, JSON_COMPACT);
    for (size_t index = 0; index < sizeof s_personal / sizeof s_personal[0]; index++)
        if (strstr (text, s_personal[index]))
            fail_msg ("GET without a key returns '%s': %s", s_personal[index], text);
    free (text);
    json_decref (reply);
    //  A GET without an id, with one of the wrong type, or of an unknown one.
    struct {
        json_t *body;
        const char *code;
    } bad[] = {{json_object (), "required"},
               {json_pack ("{s:i}", "id", 5), "type"},
               {json_pack ("{s:s}", "id", "01a00000-0000-7000-8000-000000000000"), "not-found"}};
    for (size_t index = 0; index < sizeof bad / sizeof bad[0]; index++) {
        reply = s_call (self, SEIN_GET, bad[index].body);
        assert_non_null (reply);
        assert_string_equal (s_str (reply, "status"), "rejected");
        assert_string_equal (s_str (json_object_get (reply, "error"), "code"), bad[index].code);
        json_decref (reply);
    }
    for (int index = 0; index < N; index++)
        json_decref (acks[index]);
    zsock_destroy (&heverlee);
    zsock_destroy (&everything);
    self->passed = true;
}

//  A SUB speaking ZMTP 3.0 by hand over the ipc:// ENDPOINT: greeting,
//  READY as a SUB, then one subscription to a prefix of SIZE bytes. A
//  libzmq SUB would do, but its own trie of a 1 MB prefix is a million
//  nodes deep and overflows the stack of libzmq's reaper when the socket
//  closes. Returns the connected descriptor.
static int
s_raw_subscriber (const char *endpoint, size_t size)
{
    assert_int_equal (strncmp (endpoint, "ipc://", 6), 0);
    int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true (fd >= 0);
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    snprintf (address.sun_path, sizeof address.sun_path, "%s", endpoint + 6);
    assert_int_equal (connect (fd, (struct sockaddr *) &address, sizeof address), 0);
    byte greeting[64] = {0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 0, 'N', 'U', 'L', 'L'};
    byte ready[] = {0x04, 25,  5,   'R', 'E', 'A', 'D', 'Y', 11,  'S', 'o', 'c', 'k', 'e',
                    't',  '-', 'T', 'y', 'p', 'e', 0,   0,   0,   3,   'S', 'U', 'B'};
    size_t length = 1 + 8 + 1 + size;
    byte *message = (byte *) zmalloc (length);
    message[0] = 0x02; //  a long frame, the last
    for (int index = 0; index < 8; index++)
        message[1 + index] = (byte) ((uint64_t) (size + 1) >> (56 - 8 * index));
    message[9] = 1; //  subscribe
    memset (message + 10, 'x', size);
    memcpy (message + 10, "signal/", size < 7 ? size : 7);
    //  libzmq reads our READY only after its greeting crossed ours.
    assert_int_equal (send (fd, greeting, sizeof greeting, MSG_NOSIGNAL), sizeof greeting);
    size_t heard = 0;
    while (heard < sizeof greeting) {
        zmq_pollitem_t item = {NULL, fd, ZMQ_POLLIN, 0};
        assert_int_equal (zmq_poll (&item, 1, 3000), 1);
        ssize_t rc = recv (fd, greeting, sizeof greeting - heard, 0);
        assert_true (rc > 0);
        heard += (size_t) rc;
    }
    //  A PUB that drops us mid-way fails the rest of the send: no matter.
    if (send (fd, ready, sizeof ready, MSG_NOSIGNAL) == sizeof ready)
        for (size_t sent = 0; sent < length;) {
            ssize_t rc = send (fd, message + sent, length - sent, MSG_NOSIGNAL);
            if (rc <= 0)
                break;
            sent += (size_t) rc;
        }
    free (message);
    return fd;
}

//  Whether the peer of FD closed the connection within TIMEOUT_MS; what
//  it sent meanwhile (its greeting, READY) is read and dropped.
static bool
s_closed_within (int fd, int timeout_ms)
{
    int64_t deadline = zclock_mono () + timeout_ms;
    while (zclock_mono () < deadline) {
        zmq_pollitem_t item = {NULL, fd, ZMQ_POLLIN, 0};
        if (zmq_poll (&item, 1, deadline - zclock_mono ()) <= 0)
            continue;
        byte buffer[512];
        if (recv (fd, buffer, sizeof buffer, 0) <= 0)
            return true;
    }
    return false;
}

//  A SUB's prefix is kept by the PUB for as long as it is connected:
//  without a bound, prefixes of 1 MB cost seind their size (and libzmq's
//  trie of them) for good. A subscription longer than
//  SEIN_SUBSCRIPTION_MAX is refused by ZMQ_MAXMSGSIZE on the broadcast
//  socket, which drops the connection; seind's memory stays flat, and a
//  SUB with a prefix as long as the bound, or a usual one, stays.
static void
test_subscription_bound (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    enum { BIG = 4, PREFIX = 1 << 20 };
    zsock_t *usual = zsock_new_sub (self->harness.publish, "signal/");
    assert_non_null (usual);
    json_t *ack = s_submit_reported (self, "heilig-hart");
    json_t *event = s_broadcast (usual, 0);
    int64_t deadline = zclock_mono () + 10000;
    while (!event && zclock_mono () < deadline) {
        json_decref (ack);
        ack = s_submit_reported (self, "heilig-hart");
        event = s_broadcast (usual, 100);
    }
    assert_non_null (event);
    json_decref (event);
    json_decref (ack);
    long before = sein_harness_memory (&self->harness, false);

    //  As long as may be: kept (no event can match it, it is there to stay).
    int bounded = s_raw_subscriber (self->harness.publish, SEIN_SUBSCRIPTION_MAX);
    int big[BIG];
    for (int index = 0; index < BIG; index++)
        big[index] = s_raw_subscriber (self->harness.publish, PREFIX);
    int dropped = 0;
    for (int index = 0; index < BIG; index++)
        dropped += s_closed_within (big[index], 3000);
    bool kept = !s_closed_within (bounded, 500);
    long after = sein_harness_memory (&self->harness, false);
    for (int index = 0; index < BIG; index++)
        close (big[index]);
    close (bounded);
    if (!kept)
        fail_msg ("a SUB with a prefix of %d bytes was dropped", SEIN_SUBSCRIPTION_MAX);
    if (dropped < BIG || after - before > 2048)
        fail_msg ("%d subscriptions of 1 MB: %d dropped, seind's memory from %ld to %ld kB",
                  BIG, dropped, before, after);
    //  Meanwhile, the usual subscriber hears every event.
    for (int index = 0; index < 5; index++) {
        ack = s_submit_reported (self, "heverlee");
        event = s_broadcast (usual, S_REPLY_MS);
        while (event && s_int (event, "seq") < s_int (ack, "seq")) {
            json_decref (event);
            event = s_broadcast (usual, S_REPLY_MS);
        }
        assert_non_null (event);
        assert_int_equal (s_int (event, "seq"), s_int (ack, "seq"));
        json_decref (event);
        json_decref (ack);
    }
    zsock_destroy (&usual);
    self->passed = true;
}

//  A socket connecting to ENDPOINT (ipc:// or tcp://127.0.0.1:PORT)
//  without waiting: the kernel completes it into the listener's backlog,
//  whatever seind does. Returns the descriptor.
static int
s_raw_connect (const char *endpoint)
{
    struct sockaddr_storage address;
    memset (&address, 0, sizeof address);
    socklen_t size;
    if (strncmp (endpoint, "ipc://", 6) == 0) {
        struct sockaddr_un *local = (struct sockaddr_un *) &address;
        local->sun_family = AF_UNIX;
        snprintf (local->sun_path, sizeof local->sun_path, "%s", endpoint + 6);
        size = sizeof *local;
    } else {
        struct sockaddr_in *inet = (struct sockaddr_in *) &address;
        inet->sin_family = AF_INET;
        inet->sin_addr.s_addr = htonl (INADDR_LOOPBACK);
        inet->sin_port = htons ((uint16_t) atoi (strrchr (endpoint, ':') + 1));
        size = sizeof *inet;
    }
    int fd = socket (address.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    assert_true (fd >= 0);
    if (connect (fd, (struct sockaddr *) &address, size) && errno != EAGAIN &&
        errno != EINPROGRESS)
        fail_msg ("connect to %s: %s", endpoint, strerror (errno));
    return fd;
}

//  Out of file descriptors: libzmq 4.3.4's listeners do not cope. On
//  EMFILE an ipc:// one aborts seind (an errno_assert), a tcp:// one
//  reports ZMQ_EVENT_ACCEPT_FAILED and returns with the connection still
//  pending, so its I/O thread spins (measured: 1.4 s of CPU in 3 s) and no
//  one is told. seind, limited here to S_NOFILE descriptors, logs it and
//  refuses new connections (sein_accept.h): each is closed at once, the
//  CPU stays low, a client connected before goes on being served, and a
//  new one is taken again once descriptors are free. Over tcp:// all the
//  connections come at once; over ipc:// at a pace the guard keeps up
//  with, as an abort is all libzmq does when a burst outruns it.
#define S_NOFILE 160
static void
s_out_of_descriptors (s_test_t *self)
{
    enum { PENDING = 150 };
    sein_client_destroy (&self->client);
    sein_harness_stop (&self->harness, SIGTERM);
    self->harness.nofile = S_NOFILE;
    s_start (self);
    json_t *reply = s_call (self, SEIN_PING, NULL);
    assert_non_null (reply);
    json_decref (reply);
    //  Over ipc://, a burst that outruns the guard still meets libzmq's
    //  abort (sein_accept.h): there the connections come 4 at a time.
    bool paced = strncmp (self->harness.intake, "ipc://", 6) == 0;
    int peers[PENDING];
    for (int index = 0; index < PENDING; index++) {
        peers[index] = s_raw_connect (self->harness.intake);
        if (paced && index % 4 == 3)
            zclock_sleep (25);
    }
    zclock_sleep (500); //  seind at its limit, or what is left pending
    double cpu = sein_harness_cpu (self->harness.pid);
    zclock_sleep (2000);
    cpu = sein_harness_cpu (self->harness.pid) - cpu;
    //  Refused: closed by seind, or never taken. (Counted, asserted below.)
    int refused = 0;
    for (int index = 0; index < PENDING; index++) {
        char buffer[256]; //  libzmq's greeting, then the end, or nothing yet
        ssize_t size;
        while ((size = recv (peers[index], buffer, sizeof buffer, 0)) > 0)
            ;
        refused += size == 0;
    }
    reply = s_call (self, SEIN_PING, NULL);
    bool served = reply != NULL;
    json_decref (reply);
    for (int index = 0; index < PENDING; index++)
        close (peers[index]);
    char *log = s_read_file (self->harness.log);
    bool logged = strstr (log, "too many open files") != NULL;
    free (log);
    print_message ("%s at its limit for 2 s: %.2f s of CPU, %d of %d new connections "
                   "refused\n",
                   self->harness.intake, cpu, refused, PENDING);
    if (cpu > 0.5 || !logged || refused == 0 || !served)
        fail_msg ("at the limit for 2 s: %.2f s of CPU, %slogged, %d of %d new "
                  "connections refused, %sserved",
                  cpu, logged ? "" : "not ", refused, PENDING, served ? "" : "not ");
    //  Descriptors free again: a new client is taken.
    sein_client_t *late = sein_client_new (self->harness.intake);
    reply = sein_client_call (late, SEIN_PING, NULL, S_REPLY_MS);
    assert_non_null (reply);
    json_decref (reply);
    sein_client_destroy (&late);
    self->passed = true;
}

static void
test_out_of_descriptors (void **state)
{
    s_out_of_descriptors ((s_test_t *) *state);
}

static void
test_out_of_descriptors_tcp (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    sein_harness_cleanup (&self->harness);
    //  Ports from the pid, so that tests side by side rarely meet.
    assert_int_equal (sein_harness_init (&self->harness, 30000 + (getpid () % 10000) * 3),
                      0);
    s_out_of_descriptors (self);
}

//  ---------------------------------------------------------------------
//  6. SIGTERM with work in flight

static void
test_sigterm_in_flight (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    enum { N = 2000 };
    //  Open watch sessions (one that reads nothing, with events due) and
    //  subscribers must not hold the stop up.
    sein_watcher_t *watcher = sein_watcher_new (self->harness.watch, NULL, 1, NULL, 4);
    s_watcher_ready (watcher);
    zsock_t *sub = zsock_new_sub (self->harness.publish, "");
    assert_non_null (sub);
    int64_t before = s_head (self);
    for (int index = 0; index < N; index++) {
        char external_id[32], corr[16];
        snprintf (external_id, sizeof external_id, "term-%d", index);
        snprintf (corr, sizeof corr, "%d", index);
        json_t *signal = s_signal ("Fietsen op het voetpad, je kan er niet meer door",
                                   NULL, external_id, "itest");
        assert_int_equal (
            sein_client_send (self->client, SEIN_SUBMIT, corr, signal, 1000), 0);
        json_decref (signal);
    }
    pid_t pid = self->harness.pid;
    assert_int_equal (kill (pid, SIGTERM), 0);

    //  Collect answers until all came, or the daemon is gone and the line
    //  has been quiet for a moment.
    int64_t *seqs = (int64_t *) zmalloc (N * sizeof (int64_t));
    char **ids = (char **) zmalloc (N * sizeof (char *));
    int acked = 0, refused = 0, status = -1;
    bool exited = false;
    int64_t deadline = zclock_mono () + 20000;
    while (acked < N && zclock_mono () < deadline) {
        char *corr = NULL;
        json_t *reply = sein_client_recv (self->client, 200, &corr, NULL);
        if (!reply && !corr) {
            if (exited)
                break;
            int raw;
            if (waitpid (pid, &raw, WNOHANG) == pid) {
                exited = true;
                self->harness.pid = -1;
                status = WIFEXITED (raw) ? WEXITSTATUS (raw) : 128 + WTERMSIG (raw);
            }
            continue;
        }
        int index = corr ? atoi (corr) : -1;
        assert_true (index >= 0 && index < N);
        assert_null (ids[index]);
        //  What seind had taken in is acked; what it reads while stopping
        //  is refused as `unavailable` and not stored.
        const char *code = json_string_value (
            json_object_get (json_object_get (reply, "error"), "code"));
        if (code && streq (code, "unavailable")) {
            refused++;
            json_decref (reply);
            zstr_free (&corr);
            continue;
        }
        s_assert_accepted (reply, "submission in flight at SIGTERM");
        assert_true (json_is_false (json_object_get (reply, "duplicate")));
        seqs[index] = s_int (reply, "seq");
        ids[index] = strdup (s_str (reply, "id"));
        acked++;
        json_decref (reply);
        zstr_free (&corr);
    }
    if (!exited)
        status = s_stop_within (self, 0, 10000);
    assert_int_equal (status, 0);
    sein_watcher_destroy (&watcher);
    zsock_destroy (&sub);
    print_message ("%d of %d submissions acked, %d refused as seind stopped\n", acked, N,
                   refused);
    //  Every submission was answered: a reply cut off by the stop would
    //  leave its client not knowing whether it was stored.
    assert_int_equal (acked + refused, N);

    //  Exactly the acked signals are in the store, under their seq; the
    //  history is gapless.
    s_start (self);
    int64_t head = s_head (self);
    assert_int_equal (head - before, acked);
    json_t *events = s_events (self, 1);
    assert_int_equal ((int64_t) json_array_size (events), head);
    for (int64_t seq = 1; seq <= head; seq++)
        assert_int_equal (s_int (json_array_get (events, (size_t) seq - 1), "seq"), seq);
    for (int index = 0; index < N; index++)
        if (ids[index]) {
            json_t *event = json_array_get (events, (size_t) seqs[index] - 1);
            assert_non_null (event);
            assert_string_equal (s_str (event, "id"), ids[index]);
            free (ids[index]);
        }
    json_decref (events);
    free (ids);
    free (seqs);
    self->passed = true;
}

//  ---------------------------------------------------------------------
//  7. SIGHUP reload

//  TEXT with every FROM replaced by TO; fresh.
static char *
s_replace (const char *text, const char *from, const char *to)
{
    size_t count = 0;
    for (const char *hit = strstr (text, from); hit;
         hit = strstr (hit + strlen (from), from))
        count++;
    char *result = (char *) zmalloc (strlen (text) + count * strlen (to) + 1);
    char *out = result;
    const char *cursor = text;
    for (const char *hit = strstr (cursor, from); hit; hit = strstr (cursor, from)) {
        memcpy (out, cursor, (size_t) (hit - cursor));
        out += hit - cursor;
        memcpy (out, to, strlen (to));
        out += strlen (to);
        cursor = hit + strlen (from);
    }
    strcpy (out, cursor);
    return result;
}

static void
s_write_file (const char *path, const char *text)
{
    //  Written aside and renamed, so the daemon never reads half a file.
    char *temporary = zsys_sprintf ("%s.new", path);
    FILE *file = fopen (temporary, "w");
    assert_non_null (file);
    fputs (text, file);
    assert_int_equal (fclose (file), 0);
    assert_int_equal (chmod (temporary, 0640), 0);
    assert_int_equal (rename (temporary, path), 0);
    zstr_free (&temporary);
}

//  The bundled config with its data files named absolutely (the copy
//  lives elsewhere), with FROM replaced by TO when given.
static char *
s_config_copy (const char *from, const char *to)
{
    char *path = zsys_sprintf ("%s/conf/sein.cfg", SEIN_SOURCE_DIR);
    char *text = s_read_file (path);
    zstr_free (&path);
    assert_non_null (text);
    const char *data[] = {"areas.tsv",  "areas.geojson",   "streets.tsv", "places.tsv",
                          "themes.tsv", "theme-rules.tsv", "priority-rules.tsv",
                          "theme.model"};
    for (size_t index = 0; index < sizeof data / sizeof data[0]; index++) {
        char *quoted = zsys_sprintf ("\"%s\"", data[index]);
        char *absolute = zsys_sprintf ("\"%s/conf/%s\"", SEIN_SOURCE_DIR, data[index]);
        if (!strstr (text, quoted))
            fail_msg ("conf/sein.cfg no longer names %s", quoted);
        char *next = s_replace (text, quoted, absolute);
        free (text);
        text = next;
        zstr_free (&quoted);
        zstr_free (&absolute);
    }
    if (from) {
        if (!strstr (text, from))
            fail_msg ("conf/sein.cfg has no '%s' to change", from);
        char *next = s_replace (text, from, to);
        free (text);
        text = next;
    }
    return text;
}

//  Occurrences of NEEDLE in the daemon's log.
static int
s_log_count (s_test_t *self, const char *needle)
{
    char *text = s_read_file (self->harness.log);
    int count = 0;
    for (const char *hit = text ? strstr (text, needle) : NULL; hit;
         hit = strstr (hit + 1, needle))
        count++;
    free (text);
    return count;
}

//  SIGHUP the daemon and wait until its log has one more NEEDLE.
static void
s_reload (s_test_t *self, const char *needle)
{
    int before = s_log_count (self, needle);
    assert_int_equal (kill (self->harness.pid, SIGHUP), 0);
    int64_t deadline = zclock_mono () + 10000;
    while (s_log_count (self, needle) == before && zclock_mono () < deadline)
        zclock_sleep (20);
    if (s_log_count (self, needle) == before)
        fail_msg ("no '%s' in the log after SIGHUP", needle);
}

//  Submit a description of SIZE bytes; returns the reply.
static json_t *
s_submit_size (s_test_t *self, size_t size)
{
    char *description = (char *) zmalloc (size + 1);
    memset (description, 'x', size);
    json_t *reply = s_submit (self, s_signal (description, NULL, NULL, NULL));
    free (description);
    return reply;
}

static void
s_expect_too_long (s_test_t *self, size_t size, const char *context)
{
    json_t *reply = s_submit_size (self, size);
    char *text = json_dumps (reply, JSON_COMPACT);
    json_t *error = json_object_get (reply, "error");
    if (!s_is (reply, "status", "rejected") || !s_is (error, "code", "too-long") ||
        !s_is (error, "field", "description"))
        fail_msg ("%s: %zu bytes: expected too-long description, got %s", context, size,
                  text);
    free (text);
    json_decref (reply);
}

static void
s_expect_fits (s_test_t *self, size_t size, const char *context)
{
    json_t *reply = s_submit_size (self, size);
    s_assert_accepted (reply, context);
    json_decref (reply);
}

static void
test_sighup_reload (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    snprintf (self->harness.config, sizeof self->harness.config, "%s/sein.cfg",
              self->harness.dir);
    char *text = s_config_copy (NULL, NULL);
    s_write_file (self->harness.config, text);
    free (text);
    s_start (self);
    s_expect_fits (self, 100, "before any reload");

    //  A smaller limit applies from the next submission on.
    text = s_config_copy ("description_max = 4000;", "description_max = 50;");
    s_write_file (self->harness.config, text);
    free (text);
    s_reload (self, "configuration reloaded from");
    s_expect_too_long (self, 100, "after reloading description_max = 50");
    s_expect_fits (self, 40, "after reloading description_max = 50");

    //  A syntax error: refused with file:line, the running settings stay.
    text = s_config_copy ("description_max = 4000;", "description_max = ;");
    int line = 1;
    for (const char *c = text; c < strstr (text, "description_max = ;"); c++)
        line += *c == '\n';
    s_write_file (self->harness.config, text);
    free (text);
    s_reload (self, "reload refused");
    char *location = zsys_sprintf ("%s:%d:", self->harness.config, line);
    if (s_log_count (self, location) == 0)
        fail_msg ("the log does not name %s", location);
    zstr_free (&location);
    assert_true (s_alive (self));
    s_head (self);
    s_expect_too_long (self, 100, "after a broken config");
    s_expect_fits (self, 40, "after a broken config");

    //  A value out of range is refused the same way.
    text = s_config_copy ("description_max = 4000;", "description_max = 0;");
    s_write_file (self->harness.config, text);
    free (text);
    s_reload (self, "reload refused");
    s_expect_too_long (self, 100, "after description_max = 0");

    //  So is a change that needs a restart; nothing of that file applies.
    //  (The file says description_max = 4000, which would let 100 bytes in.)
    text = s_config_copy ("synchronous = \"full\";", "synchronous = \"normal\";");
    s_write_file (self->harness.config, text);
    free (text);
    s_reload (self, "reload refused");
    assert_true (s_log_count (self, "storage.synchronous") >= 1);
    s_expect_too_long (self, 100, "after an unreloadable change");

    //  And a good file after all that is taken again.
    text = s_config_copy (NULL, NULL);
    s_write_file (self->harness.config, text);
    free (text);
    s_reload (self, "configuration reloaded from");
    s_expect_fits (self, 100, "after restoring description_max = 4000");

    //  Reloads while batches are being prepared and stored: the new setup
    //  is swapped in between batches, every submission is still acked.
    enum { CHUNKS = 3, N = 1000 };
    int64_t head = s_head (self);
    int reloads = s_log_count (self, "configuration reloaded from");
    json_t **acks = (json_t **) zmalloc (N * sizeof (json_t *));
    for (int chunk = 0; chunk < CHUNKS; chunk++) {
        json_t *signals = json_array ();
        for (int index = 0; index < N; index++)
            json_array_append_new (signals,
                                   s_signal ("Hondenpoep op het voetpad",
                                             index % 2 ? "heverlee" : NULL, NULL, NULL));
        assert_int_equal (kill (self->harness.pid, SIGHUP), 0);
        s_pipeline (self, signals, acks, 200);
        for (int index = 0; index < N; index++)
            json_decref (acks[index]);
        memset (acks, 0, N * sizeof (json_t *));
        //  One reload at a time: signals of one kind pending together merge.
        int64_t deadline = zclock_mono () + 10000;
        while (s_log_count (self, "configuration reloaded from") < reloads + chunk + 1 &&
               zclock_mono () < deadline)
            zclock_sleep (20);
        assert_int_equal (s_log_count (self, "configuration reloaded from"),
                          reloads + chunk + 1);
    }
    free (acks);
    assert_int_equal (s_head (self), head + CHUNKS * N);
    assert_int_equal (s_stop_within (self, SIGTERM, 10000), 0);
    self->passed = true;
}

//  A DEALER on the intake that buffers as little as it can of what it
//  is sent (one message, besides the kernel's socket buffer), so that
//  replies it has not read wait in seind's queue for it.
static zsock_t *
s_slow_reader (s_test_t *self)
{
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    assert_non_null (dealer);
    zsock_set_sndhwm (dealer, 100000);
    zsock_set_rcvhwm (dealer, 1);
    zsock_set_linger (dealer, 0);
    assert_int_equal (zsock_connect (dealer, "%s", self->harness.intake), 0);
    return dealer;
}

//  Send COUNT submissions over DEALER without reading a reply, wait until
//  seind has stored them all, then read: returns how many acks arrived.
static int
s_flood (s_test_t *self, zsock_t *dealer, int count)
{
    int64_t head = s_head (self);
    const char *body =
        "{\"description\":\"Zwerfvuil aan de bushalte\",\"source\":\"citizen\"}";
    for (int index = 0; index < count; index++) {
        char corr[16];
        snprintf (corr, sizeof corr, "f%d", index);
        const char *frames[] = {"SEIN/1", SEIN_SUBMIT, corr, body};
        s_send_frames (dealer, frames, 4);
    }
    int64_t deadline = zclock_mono () + 30000;
    while (s_head (self) < head + count && zclock_mono () < deadline)
        zclock_sleep (20);
    assert_int_equal (s_head (self), head + count);
    int acks = 0;
    zmsg_t *reply;
    while ((reply = s_recv_within (dealer, 1000))) {
        acks++;
        zmsg_destroy (&reply);
    }
    return acks;
}

//  The seq of the ack MSG (a raw DEALER's reply) to correlation id CORR;
//  fails the test on anything else.
static int64_t
s_ack_seq (zmsg_t *msg, const char *corr)
{
    assert_non_null (msg);
    assert_int_equal (zmsg_size (msg), 4);
    zmsg_first (msg);
    zmsg_next (msg);
    assert_true (zframe_streq (zmsg_next (msg), corr));
    char *body = zframe_strdup (zmsg_next (msg));
    json_t *ack = json_loads (body, 0, NULL);
    assert_non_null (ack);
    assert_string_equal (s_str (ack, "status"), "accepted");
    int64_t seq = s_int (ack, "seq");
    json_decref (ack);
    free (body);
    return seq;
}

//  A client that sends a few requests at a time while another floods
//  takes the fast lane (sein_server.c, S_LONE): its batches are stored
//  apart from the flood's. Each client's submissions must still be stored
//  in the order it sent them, and none lost.
#define S_FLOOD 3000
#define S_LONE_ROUNDS 30

static void
test_fast_lane_order (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    int64_t head = s_head (self);
    const char *body = "{\"description\":\"Zwerfvuil aan de bushalte\",\"source\":\"citizen\"}";
    zsock_t *flood = s_dealer (self), *lone = s_dealer (self);
    for (int index = 0; index < S_FLOOD; index++) {
        char corr[16];
        snprintf (corr, sizeof corr, "f%d", index);
        const char *frames[] = {SEIN_PROTOCOL, SEIN_SUBMIT, corr, body};
        s_send_frames (flood, frames, 4);
    }
    int64_t last = 0;
    for (int round = 0; round < S_LONE_ROUNDS; round++) {
        for (int index = 0; index < 3; index++) {
            char corr[16];
            snprintf (corr, sizeof corr, "l%d", 3 * round + index);
            const char *frames[] = {SEIN_PROTOCOL, SEIN_SUBMIT, corr, body};
            s_send_frames (lone, frames, 4);
        }
        for (int index = 0; index < 3; index++) {
            char corr[16];
            snprintf (corr, sizeof corr, "l%d", 3 * round + index);
            zmsg_t *msg = s_recv_within (lone, S_REPLY_MS);
            int64_t seq = s_ack_seq (msg, corr);
            zmsg_destroy (&msg);
            assert_true (seq > last);
            last = seq;
        }
    }
    last = 0;
    for (int index = 0; index < S_FLOOD; index++) {
        char corr[16];
        snprintf (corr, sizeof corr, "f%d", index);
        zmsg_t *msg = s_recv_within (flood, S_REPLY_MS);
        int64_t seq = s_ack_seq (msg, corr);
        zmsg_destroy (&msg);
        assert_true (seq > last);
        last = seq;
    }
    //  No point, no nearby reports: one event each.
    assert_int_equal (s_head (self), head + S_FLOOD + 3 * S_LONE_ROUNDS);
    zsock_destroy (&flood);
    zsock_destroy (&lone);
    self->passed = true;
}

//  A light client that sends one submission every S_LONE_EVERY µs, up to
//  S_LONE_WINDOW outstanding, while another keeps S_FLOOD_WINDOW
//  outstanding: its requests arrive apart, so some take the fast lane
//  while others ride in the flood's batches (the fast lane taken, or more
//  than S_LONE of them in one). None may be stored ahead of one it sent
//  earlier: each client's acks come in the order sent, with rising seqs,
//  and none is lost. A version of seind that read intake while the
//  prepare actor worked failed this five runs out of five until a
//  request was kept behind its client's one at the actor (docs/DESIGN.md,
//  "Reading intake while the prepare actor works").
#define S_FLOOD_WINDOW 512
#define S_LONE_WINDOW 8
#define S_LONE_EVERY 500
#define S_LONE_SENT 300

static void
test_fast_lane_window (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    int64_t head = s_head (self);
    const char *body = "{\"description\":\"Zwerfvuil aan de bushalte\",\"source\":\"citizen\"}";
    zsock_t *clients[2] = {s_dealer (self), s_dealer (self)}; //  the flood, the light one
    const char *tags[2] = {"f", "l"};
    const int totals[2] = {4 * S_FLOOD, S_LONE_SENT}, windows[2] = {S_FLOOD_WINDOW, S_LONE_WINDOW};
    int sent[2] = {0, 0}, acked[2] = {0, 0};
    int64_t last[2] = {0, 0}, lone_due = 0, deadline = zclock_mono () + S_REPLY_MS;
    zpoller_t *poller = zpoller_new (clients[0], clients[1], NULL);
    while (acked[0] < totals[0] || acked[1] < totals[1]) {
        //  The flood fills its window; the light client adds one at a
        //  time, so that its requests arrive apart, not in one batch.
        for (int which = 0; which < 2; which++)
            while (sent[which] < totals[which] && sent[which] - acked[which] < windows[which] &&
                   (which == 0 || zclock_usecs () >= lone_due)) {
                char corr[16];
                snprintf (corr, sizeof corr, "%s%d", tags[which], sent[which]++);
                const char *frames[] = {SEIN_PROTOCOL, SEIN_SUBMIT, corr, body};
                s_send_frames (clients[which], frames, 4);
                if (which == 1)
                    lone_due = zclock_usecs () + S_LONE_EVERY;
            }
        zsock_t *ready = (zsock_t *) zpoller_wait (poller, 1);
        if (!ready && !zpoller_expired (poller))
            break;
        assert_true (zclock_mono () < deadline); //  an ack at least every S_REPLY_MS
        if (!ready)
            continue;
        deadline = zclock_mono () + S_REPLY_MS;
        int which = ready == clients[1];
        char corr[16];
        snprintf (corr, sizeof corr, "%s%d", tags[which], acked[which]++);
        zmsg_t *msg = zmsg_recv (ready);
        int64_t seq = s_ack_seq (msg, corr);
        zmsg_destroy (&msg);
        assert_true (seq > last[which]);
        last[which] = seq;
    }
    zpoller_destroy (&poller);
    assert_int_equal (s_head (self), head + totals[0] + totals[1]);
    zsock_destroy (&clients[0]);
    zsock_destroy (&clients[1]);
    self->passed = true;
}

//  The largest "batch of N" seind's info log has from byte FROM on; *END_P
//  gets where the log ends now.
static size_t
s_largest_logged (s_test_t *self, size_t from, size_t *end_p)
{
    char *log = s_read_file (self->harness.log);
    assert_non_null (log);
    size_t largest = 0, length = strlen (log);
    const char *needle = "batch of ";
    for (const char *hit = strstr (log + (from < length ? from : length), needle); hit;
         hit = strstr (hit + 1, needle)) {
        size_t count = (size_t) strtoul (hit + strlen (needle), NULL, 10);
        largest = count > largest ? count : largest;
    }
    *end_p = length;
    free (log);
    return largest;
}

//  Send COUNT submissions on DEALER at once, then read their acks; with
//  LONE, that client keeps one submission in flight meanwhile (an ack, the
//  next), as someone typing beside a bulk import would.
static void
s_bulk (zsock_t *dealer, const char *tag, int count, zsock_t *lone)
{
    for (int index = 0; index < count; index++) {
        char corr[32];
        snprintf (corr, sizeof corr, "%s%d", tag, index);
        //  As residents write them, as the benchmarks submit them.
        char *text = zsys_sprintf (
            "{\"description\":\"%s\",\"source\":\"citizen\","
            "\"address_string\":\"Naamsestraat %d, Leuven\"}",
            sein_harness_texts[index % SEIN_HARNESS_TEXTS], 1 + index % 200);
        const char *frames[] = {SEIN_PROTOCOL, SEIN_SUBMIT, corr, text};
        s_send_frames (dealer, frames, 4);
        zstr_free (&text);
    }
    const char *body = "{\"description\":\"Zwerfvuil aan de bushalte\",\"source\":\"citizen\"}";
    const char *lone_frames[] = {SEIN_PROTOCOL, SEIN_SUBMIT, "lone", body};
    if (lone)
        s_send_frames (lone, lone_frames, 4);
    zpoller_t *poller = zpoller_new (dealer, lone, NULL);
    int acks = 0;
    while (acks < count) {
        zsock_t *which = (zsock_t *) zpoller_wait (poller, S_REPLY_MS);
        assert_non_null (which);
        zmsg_t *msg = zmsg_recv (which);
        assert_non_null (msg);
        char *status = zframe_strdup (zmsg_last (msg));
        assert_non_null (strstr (status, "\"status\":\"accepted\""));
        free (status);
        zmsg_destroy (&msg);
        if (which == dealer)
            acks++;
        else
            s_send_frames (lone, lone_frames, 4);
    }
    zpoller_destroy (&poller);
    if (lone) {
        zmsg_t *msg = s_recv_within (lone, S_REPLY_MS);
        assert_non_null (msg);
        zmsg_destroy (&msg);
    }
}

//  A client alone may fill batches beyond its share (sein_server.c,
//  S_ALONE_SHARE), so a bulk import through one connection commits as
//  few times as four connections do; as soon as a second client submits,
//  the share is S_CLIENT_SHARE again, and once that client has been
//  quiet for S_ALONE_QUIET (1 s), the lone client's batches grow again.
#define S_SHARE 64
#define S_BULK 1500

static void
test_alone_share (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    int64_t head = s_head (self);
    zsock_t *bulk = s_dealer (self);
    size_t mark = 0;
    s_bulk (bulk, "a", S_BULK, NULL);
    size_t alone = s_largest_logged (self, 0, &mark);
    //  The second client's first request waits for its ack: from then on
    //  seind knows of two clients.
    zsock_t *lone = s_dealer (self);
    const char *frames[] = {SEIN_PROTOCOL, SEIN_SUBMIT, "first",
                            "{\"description\":\"Een losse stoeptegel\",\"source\":\"citizen\"}"};
    s_send_frames (lone, frames, 4);
    zmsg_t *msg = s_recv_within (lone, S_REPLY_MS);
    assert_non_null (msg);
    zmsg_destroy (&msg);
    s_largest_logged (self, mark, &mark);
    s_bulk (bulk, "b", S_BULK, lone);
    size_t shared = s_largest_logged (self, mark, &mark);
    zsock_destroy (&lone);
    zclock_sleep (1200); //  S_ALONE_QUIET and a little
    s_bulk (bulk, "c", S_BULK, NULL);
    size_t again = s_largest_logged (self, mark, &mark);
    fprintf (stderr, "largest batch: alone %zu, with another client %zu, alone again %zu\n",
             alone, shared, again);
    assert_true (alone > S_SHARE);
    //  The flood's share, the other client's one request, and what may
    //  ride along: an overdue search, a retention run, up to 16 alerts
    //  (sein_server.c, S_ALERTS_MAX). A share of 256 left as it was
    //  would fill batches far beyond that.
    assert_true (shared <= S_SHARE + 2 + 16);
    assert_true (again > S_SHARE);
    assert_true (s_head (self) >= head + 3 * S_BULK);
    zsock_destroy (&bulk);
    self->passed = true;
}

//  A log near its forced restart holds the text indexer
//  (sein_checkpoint_holds): its snapshots made that restart wait for tens
//  of ms, every ack with it. The hold lapses by itself: with no commit
//  after the flood to restart the log, LIST must still find the index
//  complete. A reader of our own keeps the log from starting over while
//  the flood fills it, as a long query would.
#define S_HOLD_CHUNK 1000
#define S_HOLD_MAX 40000

static void
test_index_hold_lapses (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    char *path = zsys_sprintf ("%s/sein.db", self->harness.dir);
    sqlite3 *reader = NULL;
    assert_int_equal (sqlite3_open_v2 (path, &reader, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    zstr_free (&path);
    assert_int_equal (sqlite3_exec (reader, "BEGIN; SELECT count(*) FROM events", NULL, NULL,
                                    NULL),
                      SQLITE_OK);
    zsock_t *bulk = s_dealer (self);
    int sent = 0;
    //  Chunks small enough that the log stops well short of its forced
    //  restart, which would wait for this reader.
    while (s_log_count (self, "text indexing waits") == 0 && sent < S_HOLD_MAX) {
        char tag[16];
        snprintf (tag, sizeof tag, "h%d-", sent);
        s_bulk (bulk, tag, S_HOLD_CHUNK, NULL);
        sent += S_HOLD_CHUNK;
    }
    zsock_destroy (&bulk);
    assert_int_equal (sqlite3_exec (reader, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close (reader);
    assert_true (s_log_count (self, "text indexing waits") > 0);
    int64_t head = s_head (self);
    json_int_t upto = -1;
    int64_t deadline = zclock_mono () + 20000;
    while (upto < head && zclock_mono () < deadline) {
        json_t *reply = s_call (self, SEIN_LIST, json_pack ("{s:i}", "limit", 1));
        assert_non_null (reply);
        upto = json_integer_value (json_object_get (reply, "indexed_upto"));
        json_decref (reply);
        if (upto < head)
            zclock_sleep (100);
    }
    fprintf (stderr, "indexer held after %d signals; indexed up to %lld of %lld\n", sent,
             (long long) upto, (long long) head);
    assert_int_equal (upto, head);
    self->passed = true;
}

//  The settings that size a socket (limits.message_max, limits.batch_max,
//  watch.credit_max) are restart-only because of what this test shows of
//  libzmq 4.3.4: a bound socket gives each connection the options it had
//  when it was bound. A later ZMQ_SNDHWM reaches the connections open at
//  that moment, not those accepted afterwards; a later ZMQ_MAXMSGSIZE
//  reaches none. Should a libzmq release change this, this test fails, and
//  those settings could become reloadable with an apply step.
static void
test_socket_options_fixed_at_bind (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    enum { BOUND = 10, RAISED = 200, SIZE = 65536 };
    char *endpoint = zsys_sprintf ("ipc://%s/probe", self->harness.dir);
    zsock_t *router = zsock_new (ZMQ_ROUTER);
    assert_non_null (router);
    zsock_set_router_mandatory (router, 1);
    zsock_set_sndtimeo (router, 0);
    zsock_set_sndhwm (router, BOUND);
    zsock_set_maxmsgsize (router, 1000);
    assert_int_equal (zsock_bind (router, "%s", endpoint), 0);
    zsock_set_rcvtimeo (router, S_REPLY_MS);
    //  A peer that holds one message and reads nothing.
    zsock_t *peers[2];
    const char *names[2] = {"old", "new"};
    for (int index = 0; index < 2; index++) {
        peers[index] = zsock_new (ZMQ_DEALER);
        zsock_set_rcvhwm (peers[index], 1);
        zsock_set_identity (peers[index], names[index]);
        zsock_set_linger (peers[index], 0);
        if (index == 1) {
            //  "Reload": raise both after the bind, with "old" connected.
            zsock_set_sndhwm (router, RAISED);
            zsock_set_maxmsgsize (router, 1000000);
        }
        assert_int_equal (zsock_connect (peers[index], "%s", endpoint), 0);
        assert_int_equal (zstr_send (peers[index], "hello"), 0);
        zmsg_t *hello = zmsg_recv (router);
        assert_non_null (hello);
        zmsg_destroy (&hello);
    }
    //  How many SIZE-byte messages each connection's queue takes before
    //  the router reports it full (besides what the kernel buffers).
    int taken[2] = {0, 0};
    char *body = (char *) zmalloc (SIZE);
    for (int index = 0; index < 2; index++)
        while (taken[index] < 2 * RAISED) {
            zmsg_t *msg = zmsg_new ();
            zmsg_addstr (msg, names[index]);
            zmsg_addmem (msg, body, SIZE);
            if (zmsg_send (&msg, router)) {
                zmsg_destroy (&msg);
                break;
            }
            taken[index]++;
        }
    if (taken[0] < RAISED || taken[1] >= RAISED / 2)
        fail_msg ("libzmq changed: after raising SNDHWM from %d to %d, the connection "
                  "open at the time took %d, one made later %d",
                  BOUND, RAISED, taken[0], taken[1]);
    //  A frame over the bind-time maximum drops the connection unread,
    //  whatever the socket's maximum is now.
    zsock_set_rcvtimeo (router, 500);
    assert_int_equal (zsock_send (peers[1], "b", body, (size_t) 5000), 0);
    zmsg_t *big = zmsg_recv (router);
    if (big)
        fail_msg ("libzmq changed: a raised ZMQ_MAXMSGSIZE applied to a new connection");
    free (body);
    for (int index = 0; index < 2; index++)
        zsock_destroy (&peers[index]);
    zsock_destroy (&router);
    zstr_free (&endpoint);
    self->passed = true;
}

//  The config file of a test daemon, with FROM replaced by TO.
static void
s_config_write (s_test_t *self, const char *from, const char *to)
{
    char *text = s_config_copy (from, to);
    s_write_file (self->harness.config, text);
    free (text);
}

//  A SIGHUP changing a setting that sizes a socket is refused, naming it;
//  after a restart with it, it holds for the connections made then. A
//  client that pipelines more than the default reply queue holds (2 x
//  (limits.intake_hwm + 2 x limits.batch_max) = 10192) without reading
//  loses acks; with limits.batch_max raised to 4000 (a queue of 18000),
//  none.
static void
test_reload_socket_settings (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    enum { N = 16000 };
    snprintf (self->harness.config, sizeof self->harness.config, "%s/sein.cfg",
              self->harness.dir);
    s_config_write (self, NULL, NULL);
    s_start (self);
    zsock_t *reader = s_slow_reader (self);
    int acks = s_flood (self, reader, N);
    zsock_destroy (&reader);
    if (acks >= N)
        fail_msg ("a client reading none of %d replies got them all: the flood proves "
                  "nothing", N);

    const char *changes[][3] = {
        {"batch_max = 2048;", "batch_max = 4000;", "limits.batch_max"},
        {"batch_max = 2048;", "batch_max = 2048; message_max = 1048576;",
         "limits.message_max"},
        {"limits = {", "watch = { credit_max = 5000; };\nlimits = {", "watch.credit_max"},
    };
    for (size_t index = 0; index < sizeof changes / sizeof changes[0]; index++) {
        s_config_write (self, changes[index][0], changes[index][1]);
        int named = s_log_count (self, changes[index][2]);
        s_reload (self, "reload refused");
        if (s_log_count (self, changes[index][2]) == named)
            fail_msg ("the refused reload does not name %s", changes[index][2]);
    }
    assert_true (s_alive (self));

    s_config_write (self, changes[0][0], changes[0][1]);
    assert_int_equal (s_stop_within (self, SIGTERM, 10000), 0);
    s_start (self);
    reader = s_slow_reader (self);
    acks = s_flood (self, reader, N);
    zsock_destroy (&reader);
    if (acks != N)
        fail_msg ("with limits.batch_max = 4000, %d of %d unread acks arrived", acks, N);
    json_t *stats = s_call (self, SEIN_STATS, NULL);
    assert_non_null (stats);
    assert_int_equal (s_int (stats, "replies_dropped"), 0);
    json_decref (stats);
    self->passed = true;
}

//  A watcher granted a watch.credit_max above the default (5000, a queue
//  of 10,100) receives all of 3,000 stored events without stalling. The
//  queue follows the setting: with the default's queue (2,100) it would
//  fill, and the session's credit drop to 0, after 2,099 events.
static void
test_watch_credit_max_raised (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    enum { N = 3000, CREDIT = 5000 };
    sein_harness_set (&self->harness, "watch.credit_max=5000");
    s_start (self);
    json_t **acks = (json_t **) zmalloc (N * sizeof (json_t *));
    json_t *signals = json_array ();
    for (int index = 0; index < N; index++)
        json_array_append_new (signals,
                               s_signal ("Afval naast de container", NULL, NULL, NULL));
    s_pipeline (self, signals, acks, 500);
    sein_watcher_t *watcher =
        sein_watcher_new (self->harness.watch, NULL, 1, NULL, CREDIT);
    assert_non_null (watcher);
    for (int index = 0; index < N; index++) {
        //  3 s without an event is a stall: heartbeats would keep it so.
        json_t *event = sein_watcher_recv (watcher, 3000);
        if (!event)
            fail_msg ("the watcher stalled after %d of %d events", index, N);
        assert_int_equal (s_int (event, "seq"), s_int (acks[index], "seq"));
        json_decref (event);
    }
    sein_watcher_destroy (&watcher);
    for (int index = 0; index < N; index++)
        json_decref (acks[index]);
    free (acks);
    self->passed = true;
}

//  An ack means "on disk": with the log's fdatasync failing (a shim
//  preloaded into seind, tests/fail_sync.c), the submission is answered
//  `storage`, and so is, or `unavailable`, everything pipelined after it:
//  after a failed fsync no later one can vouch for anything, so seind
//  stops, exit status 74. Restarted on a healthy disk, submitting the same
//  external ids again stores each signal exactly once: those the disk kept
//  come back as duplicates.
static void
test_failed_sync (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    enum { N = 400 };
    char *flag = zsys_sprintf ("%s/fail-sync", self->harness.dir);
    char *options = zsys_sprintf ("%s%sverify_asan_link_order=0",
                                  getenv ("ASAN_OPTIONS") ? getenv ("ASAN_OPTIONS") : "",
                                  getenv ("ASAN_OPTIONS") ? ":" : "");
    char *saved = getenv ("ASAN_OPTIONS") ? strdup (getenv ("ASAN_OPTIONS")) : NULL;
    setenv ("ASAN_OPTIONS", options, 1);
    setenv ("LD_PRELOAD", SEIN_FAIL_SYNC, 1);
    setenv ("SEIN_TEST_FAIL_SYNC", flag, 1);
    s_start (self);
    unsetenv ("LD_PRELOAD");
    unsetenv ("SEIN_TEST_FAIL_SYNC");
    if (saved)
        setenv ("ASAN_OPTIONS", saved, 1);
    else
        unsetenv ("ASAN_OPTIONS");
    s_assert_serving (self, "start with the shim");
    int64_t before = s_head (self);

    s_write_file (flag, "");
    json_t *reply = s_submit (self, s_signal ("Zwerfvuil langs de Dijle", NULL, "sync-0",
                                               "itest"));
    assert_string_equal (s_str (reply, "status"), "rejected");
    assert_string_equal (s_error_code (reply), "storage");
    assert_non_null (strstr (s_str (json_object_get (reply, "error"), "message"),
                             "not confirmed on disk"));
    json_decref (reply);
    for (int index = 1; index < N; index++) {
        char external_id[32], corr[16];
        snprintf (external_id, sizeof external_id, "sync-%d", index);
        snprintf (corr, sizeof corr, "%d", index);
        json_t *signal = s_signal ("Zwerfvuil langs de Dijle", NULL, external_id, "itest");
        assert_int_equal (sein_client_send (self->client, SEIN_SUBMIT, corr, signal, 1000),
                          0);
        json_decref (signal);
    }
    for (int index = 1; index < N; index++) {
        char *corr = NULL;
        reply = sein_client_recv (self->client, S_REPLY_MS, &corr, NULL);
        if (!reply)
            fail_msg ("%d of %d pipelined submissions answered", index - 1, N - 1);
        const char *code = s_error_code (reply);
        if (!s_is (reply, "status", "rejected") || !code ||
            (!streq (code, "storage") && !streq (code, "unavailable")))
            fail_msg ("submission %s after the failed fsync answered %s", corr,
                      s_str (reply, "status"));
        zstr_free (&corr);
        json_decref (reply);
    }
    //  A SIGHUP while seind drains its intake before stopping: the RELOAD
    //  reaches the server only after its FATAL, which seind takes as the
    //  answer. The setup it carried is destroyed (the sanitizer build
    //  counts a leak as a failed exit), and seind still stops with 74.
    assert_int_equal (kill (self->harness.pid, SIGHUP), 0);
    assert_int_equal (s_stop_within (self, 0, 15000), 74);
    char *log = s_read_file (self->harness.log);
    assert_non_null (strstr (log, "fdatasync of the write-ahead log failed"));
    assert_non_null (strstr (log, "reload ignored: seind is stopping"));
    free (log);

    assert_int_equal (unlink (flag), 0);
    s_start (self);
    json_t *signals = json_array ();
    for (int index = 0; index < N; index++) {
        char external_id[32];
        snprintf (external_id, sizeof external_id, "sync-%d", index);
        json_array_append_new (signals, s_signal ("Zwerfvuil langs de Dijle", NULL,
                                                  external_id, "itest"));
    }
    json_t **acks = (json_t **) zmalloc (N * sizeof (json_t *));
    s_pipeline (self, signals, acks, 100);
    for (int index = 0; index < N; index++)
        json_decref (acks[index]);
    free (acks);
    assert_int_equal (s_head (self), before + N);
    s_assert_serving (self, "a restart on a healthy disk");
    zstr_free (&flag);
    zstr_free (&options);
    free (saved);
    self->passed = true;
}

//  ---------------------------------------------------------------------
//  8. Exit statuses of the programs

//  Run seind with ARGUMENTS (a shell fragment), stderr into *ERRORS_P.
//  Under timeout(1): a seind that should have refused to run but did
//  not must fail the test (status 124), not hang it.
static int
s_seind (s_test_t *self, const char *arguments, char **errors_p)
{
    char *errors = zsys_sprintf ("%s/seind.err", self->harness.dir);
    char *command = zsys_sprintf ("timeout 20 '%s/seind' %s >/dev/null 2>'%s'",
                                  SEIN_BINARY_DIR, arguments, errors);
    int status = system (command);
    *errors_p = s_read_file (errors);
    zstr_free (&command);
    zstr_free (&errors);
    return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

static void
test_cli_exit_codes (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    sein_harness_t *h = &self->harness;
    char *output = NULL;

    assert_int_equal (sein_harness_run (h, NULL, &output, "seinctl", "ping", NULL), 0);
    assert_non_null (strstr (output, "head seq"));
    zstr_free (&output);
    assert_int_equal (
        sein_harness_run (h, NULL, &output, "seinctl", "--json", "ping", NULL), 0);
    json_t *json = json_loads (output, 0, NULL);
    assert_string_equal (s_str (json, "status"), "ok");
    json_decref (json);
    zstr_free (&output);

    assert_int_equal (sein_harness_run (h, NULL, &output, "sein-submit", "-d", "x", "-s",
                                        "citizen", NULL),
                      0);
    assert_non_null (strstr (output, "accepted"));
    zstr_free (&output);
    assert_int_equal (sein_harness_run (h, NULL, &output, "sein-submit", "-d", "x", "-s",
                                        "martian", NULL),
                      65);
    assert_non_null (strstr (output, "source"));
    zstr_free (&output);
    assert_int_equal (sein_harness_run (h, NULL, NULL, "sein-submit", "--bogus", NULL),
                      64);
    //  A window beyond what seind queues for one client would lose replies.
    assert_int_equal (sein_harness_run (h, NULL, NULL, "sein-submit", "--file", "-", "-w",
                                        "5000", NULL),
                      64);
    assert_int_equal (sein_harness_run (h, NULL, NULL, "sein-submit", "-d", "x", NULL),
                      65);
    assert_int_equal (sein_harness_run (h, NULL, NULL, "sein-submit", "-c",
                                        "/nonexistent", "-d", "x", "-s", "citizen", NULL),
                      78);
    assert_int_equal (sein_harness_run (h, NULL, NULL, "seinctl", "frobnicate", NULL),
                      64);
    assert_int_equal (sein_harness_run (h, NULL, NULL, "seinctl", "get",
                                        "00000000-0000-7000-8000-000000000000", NULL),
                      65);

    //  Three good lines and a bad one: every line answered, exit 65.
    const char *lines =
        "{\"description\":\"Sluikstort aan de glasbol\",\"source\":\"citizen\"}\n"
        "{\"description\":\"Kapotte lamp\",\"source\":\"martian\"}\n"
        "{\"description\":\"Hondenpoep op de stoep\",\"source\":\"citizen\"}\n"
        "{\"description\":\"Put in het fietspad\",\"source\":\"partner\"}\n";
    assert_int_equal (
        sein_harness_run (h, lines, &output, "sein-submit", "--file", "-", NULL), 65);
    assert_int_equal (s_lines (output, "line "), 4);
    assert_int_equal (s_lines (output, "line 2: rejected"), 1);
    zstr_free (&output);
    assert_int_equal (sein_harness_run (h, lines, &output, "sein-submit", "--json",
                                        "--file", "-", NULL),
                      65);
    int objects = 0, rejected = 0, accepted = 0;
    for (char *line = strtok (output, "\n"); line; line = strtok (NULL, "\n")) {
        json = json_loads (line, 0, NULL);
        if (!json)
            fail_msg ("--json printed a line that is not JSON: %s", line);
        objects++;
        rejected += s_is (json, "status", "rejected");
        accepted += s_is (json, "status", "accepted");
        json_decref (json);
    }
    assert_int_equal (objects, 4);
    assert_int_equal (rejected, 1);
    assert_int_equal (accepted, 3);
    zstr_free (&output);

    //  seind --check: the bundled config is valid; broken ones name file:line.
    char *errors = NULL, *arguments = NULL;
    arguments = zsys_sprintf ("--check -c '%s/conf/sein.cfg'", SEIN_SOURCE_DIR);
    assert_int_equal (s_seind (self, arguments, &errors), 0);
    zstr_free (&arguments);
    free (errors);
    const struct {
        const char *text;
        int line;
    } broken[] = {
        {"daemon = {\n  log_level = \"info\";\n};\nlimits = {\n  description_max = "
         ";\n};\n",
         5},
        {"limits = {\n  description_max = 0;\n};\n", 2},
        {"limits = {\n  batch_max = 10;\n  descripton_max = 10;\n};\n", 3},
        {"daemon = {\n  log_level = \"loud\";\n};\n", 2},
    };
    for (size_t index = 0; index < sizeof broken / sizeof broken[0]; index++) {
        char *path = zsys_sprintf ("%s/broken-%zu.cfg", h->dir, index);
        s_write_file (path, broken[index].text);
        arguments = zsys_sprintf ("--check -c '%s'", path);
        int status = s_seind (self, arguments, &errors);
        char *location = zsys_sprintf ("%s:%d:", path, broken[index].line);
        if (status != 78 || !errors || !strstr (errors, location))
            fail_msg (
                "seind --check on broken-%zu.cfg: status %d, stderr '%s', expected 78 "
                "and '%s'",
                index, status, errors ? errors : "", location);
        zstr_free (&location);
        zstr_free (&arguments);
        zstr_free (&path);
        free (errors);
    }
    assert_int_equal (s_seind (self, "--bogus", &errors), 64);
    free (errors);
    assert_int_equal (s_seind (self, "-f extra", &errors), 64);
    free (errors);
    assert_int_equal (s_seind (self, "-V", &errors), 0);
    free (errors);
    //  An override out of range is a config error too.
    arguments = zsys_sprintf ("--check -c '%s/conf/sein.cfg' -o limits.description_max=0",
                              SEIN_SOURCE_DIR);
    assert_int_equal (s_seind (self, arguments, &errors), 78);
    assert_non_null (strstr (errors, "description_max"));
    zstr_free (&arguments);
    free (errors);
    //  A store it cannot create: cannot start, 69, and says why.
    arguments =
        zsys_sprintf ("-f --init -c '%s/conf/sein.cfg' -o storage.dir=/proc/sein-test "
                      "-o endpoints.intake=ipc://%s/x1 -o endpoints.publish=ipc://%s/x2 "
                      "-o endpoints.watch=ipc://%s/x3",
                      SEIN_SOURCE_DIR, h->dir, h->dir, h->dir);
    assert_int_equal (s_seind (self, arguments, &errors), 69);
    assert_non_null (strstr (errors, "storage.dir"));
    zstr_free (&arguments);
    free (errors);
    assert_int_equal (
        sein_harness_run (h, NULL, NULL, "sein-submit", "--file", "/nonexistent", NULL),
        66);

    //  No daemon: the clients give up after their timeout with 69.
    assert_int_equal (s_stop_within (self, SIGTERM, 10000), 0);
    int64_t started = zclock_mono ();
    assert_int_equal (sein_harness_run (h, NULL, NULL, "sein-submit", "-d", "x", "-s",
                                        "citizen", "-t", "500", NULL),
                      69);
    assert_int_equal (
        sein_harness_run (h, NULL, NULL, "seinctl", "-t", "500", "ping", NULL), 69);
    //  Both within their half second, plus process start-up.
    assert_true (zclock_mono () - started < 5000);
    self->passed = true;
}

//  ---------------------------------------------------------------------
//  9. A store that is not what it was (issue 14)

//  seind's own arguments for the harness's store and endpoints, as a
//  shell fragment, fresh.
static char *
s_seind_arguments (s_test_t *self, const char *extra)
{
    char *arguments = zsys_sprintf ("-f -c '%s'", self->harness.config);
    for (int index = 0; index < self->harness.noverrides; index++) {
        char *more = zsys_sprintf ("%s -o '%s'", arguments, self->harness.overrides[index]);
        zstr_free (&arguments);
        arguments = more;
    }
    char *more = zsys_sprintf ("%s %s", arguments, extra);
    zstr_free (&arguments);
    return more;
}

//  The acked signals of a crashed seind, made durable and recorded by the
//  next start, are missing when the log is lost: seind refuses to start
//  (78) and says how many, rather than serving a store that forgot them;
//  a missing database is refused even with --init.
static void
test_store_refused (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    enum { N = 40 };
    assert_int_equal (s_stop_within (self, SIGTERM, 10000), 0); //  checkpointed
    s_start (self);
    int64_t before = s_head (self);
    json_t *signals = json_array ();
    for (int index = 0; index < N; index++) {
        char external_id[32];
        snprintf (external_id, sizeof external_id, "wal-%d", index);
        json_array_append_new (signals, s_signal ("Zwerfvuil langs de Dijle", NULL,
                                                  external_id, "itest"));
    }
    json_t **acks = (json_t **) zmalloc (N * sizeof (json_t *));
    s_pipeline (self, signals, acks, 16);
    for (int index = 0; index < N; index++)
        json_decref (acks[index]);
    free (acks);
    assert_int_equal (s_stop_within (self, SIGKILL, 5000), 128 + SIGKILL);
    s_start (self);
    assert_int_equal (s_head (self), before + N);
    assert_int_equal (s_stop_within (self, SIGKILL, 5000), 128 + SIGKILL);
    char *path = zsys_sprintf ("%s/sein.db-wal", self->harness.dir);
    assert_int_equal (unlink (path), 0);
    zstr_free (&path);

    char *arguments = s_seind_arguments (self, ""), *errors = NULL;
    assert_int_equal (s_seind (self, arguments, &errors), 78);
    char *missing = zsys_sprintf ("%d acknowledged events are missing", N);
    if (!errors || !strstr (errors, missing))
        fail_msg ("expected '%s' in: %s", missing, errors ? errors : "");
    zstr_free (&missing);
    zstr_free (&arguments);
    free (errors);

    path = zsys_sprintf ("%s/sein.db", self->harness.dir);
    assert_int_equal (unlink (path), 0);
    zstr_free (&path);
    arguments = s_seind_arguments (self, "--init");
    assert_int_equal (s_seind (self, arguments, &errors), 78);
    assert_non_null (strstr (errors, "is missing, but"));
    zstr_free (&arguments);
    free (errors);
    self->passed = true;
}

//  The text a shell COMMAND prints, trimmed; fresh.
static char *
s_shell (const char *command)
{
    FILE *pipe = popen (command, "r");
    assert_non_null (pipe);
    char line[256] = "";
    if (!fgets (line, sizeof line, pipe))
        line[0] = 0;
    pclose (pipe);
    line[strcspn (line, "\n")] = 0;
    return strdup (line);
}

//  A replay that meets a damaged page of events ends the watch session
//  with ERROR, code storage, instead of stalling at that page for good
//  (issue 14). The page is garbled in a stopped store, one leaf of the
//  events table halfway, where neither the head nor new writes look;
//  --fast-start skips the quick_check that would refuse the store.
static void
test_replay_damaged_page (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    enum { N = 600 };
    json_t *signals = json_array ();
    for (int index = 0; index < N; index++) {
        char external_id[32];
        snprintf (external_id, sizeof external_id, "page-%d", index);
        json_array_append_new (signals, s_signal ("Zwerfvuil langs de Dijle", NULL,
                                                  external_id, "itest"));
    }
    json_t **acks = (json_t **) zmalloc (N * sizeof (json_t *));
    s_pipeline (self, signals, acks, 64);
    for (int index = 0; index < N; index++)
        json_decref (acks[index]);
    free (acks);
    int64_t head = s_head (self);
    assert_int_equal (s_stop_within (self, SIGTERM, 10000), 0);

    char *path = zsys_sprintf ("%s/sein.db", self->harness.dir);
    char *query = zsys_sprintf (
        "sqlite3 '%s' \"SELECT (SELECT page_size FROM pragma_page_size), pageno FROM "
        "dbstat WHERE name = 'events' AND pagetype = 'leaf' ORDER BY pageno\" | "
        "awk -F'|' '{ pages[NR] = $0 } END { print pages[int (NR / 2) + 1] }'",
        path);
    char *page = s_shell (query);
    long size = 0, number = 0;
    if (sscanf (page, "%ld|%ld", &size, &number) != 2 || size <= 0 || number <= 1)
        fail_msg ("no leaf page of events in %s: '%s'", path, page);
    FILE *file = fopen (path, "r+");
    assert_non_null (file);
    assert_int_equal (fseek (file, (number - 1) * size, SEEK_SET), 0);
    for (long index = 0; index < size; index++)
        fputc ((int) ((index * 7919) & 0xff), file);
    assert_int_equal (fclose (file), 0);

    self->harness.flag = "--fast-start";
    s_start (self);
    zsock_t *dealer = zsock_new_dealer (self->harness.watch);
    assert_non_null (dealer);
    zstr_sendx (dealer, SEIN_PROTOCOL, SEIN_WATCH, "damaged",
                "{\"since\": 1, \"credit\": 100000}", NULL);
    int events = 0;
    char code[32] = "";
    int64_t deadline = zclock_mono () + 10000;
    while (!*code && zclock_mono () < deadline) {
        zmsg_t *msg = s_recv_within (dealer, 1000);
        if (!msg)
            continue;
        zmsg_first (msg);
        zframe_t *command = zmsg_next (msg);
        if (command && zframe_streq (command, SEIN_EVENT))
            events++;
        else if (command && zframe_streq (command, SEIN_ERROR)) {
            char *text = zframe_strdup (zmsg_last (msg));
            json_t *body = json_loads (text, 0, NULL);
            const char *got = s_str (json_object_get (body, "error"), "code");
            snprintf (code, sizeof code, "%s", got ? got : "?");
            json_decref (body);
            zstr_free (&text);
        }
        zmsg_destroy (&msg);
    }
    zsock_destroy (&dealer);
    if (!streq (code, "storage"))
        fail_msg ("replay over a damaged page: %d events, then '%s' instead of "
                  "ERROR storage",
                  events, code);
    assert_true (events < head);
    char *log = s_read_file (self->harness.log);
    assert_non_null (strstr (log, "; ending session "));
    free (log);
    //  The rest of seind runs on.
    json_t *reply = s_call (self, SEIN_PING, NULL);
    assert_non_null (reply);
    json_decref (reply);
    zstr_free (&page);
    zstr_free (&query);
    zstr_free (&path);
    self->passed = true;
}

//  sein-submit --file passes each line through as the request body and
//  reads acks without parsing them. What a tree used to guarantee must
//  hold: the submitter (client.name, "default") is added to an object
//  that has none, and only then; strings with escapes arrive intact; a
//  key spelled with escapes is still seen; lines that are no object get
//  seind's own answer. And the readable line of an ack, read from its
//  text, says what the ack itself (--json) says.
static void
test_submit_passthrough (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    sein_harness_t *h = &self->harness;
    static const char *lines[] = {
        "{\"description\":\"Sluikstort aan de glasbol\",\"source\":\"citizen\","
        "\"external_id\":\"pass-1\"}",
        "  { \"description\" : \"Kapotte lamp in de Naamsestraat\" , \"source\":\"citizen\","
        " \"external_id\":\"pass-2\", \"submitter\":\"desk-9\" }  ",
        "{\"description\":\"Afval \\\"zakken\\\" aan de glasbol \\u00e9\\/\","
        "\"source\":\"citizen\",\"external_id\":\"pass-3\","
        "\"attributes\":{\"submitter\":\"x\"}}",
        "{\"submitt\\u0065r\":\"desk-9\",\"description\":\"Hondenpoep op de stoep\","
        "\"source\":\"citizen\",\"external_id\":\"pass-4\"}",
        "{}",
        "[1,2]",
        "{\"description\":\"Put in het fietspad\",\"source\":\"citizen\"",
        "{\"description\":\"Put in het fietspad\",\"source\":\"citizen\",}",
        "{\"description\":\"Put in het fietspad\",\"source\":\"citizen\"} and more",
    };
    const char *keys[] = {"pass-1", "pass-2", "pass-3", "pass-4"};
    char *input = strdup ("");
    for (size_t index = 0; index < sizeof lines / sizeof lines[0]; index++) {
        char *more = zsys_sprintf ("%s%s\n", input, lines[index]);
        zstr_free (&input);
        input = more;
    }
    char *output = NULL;
    int status = sein_harness_run (h, input, &output, "sein-submit", "--file", "-", NULL);
    char *copy = strdup (output ? output : "");
    zstr_free (&output);
    static const char *answers[] = {
        "line 1: accepted",       "line 2: accepted",       "line 3: accepted",
        "line 4: accepted",       "line 5: rejected: required", "line 6: rejected: json",
        "line 7: rejected: json", "line 8: rejected: json", "line 9: rejected: json"};
    bool answered = status == 65 && s_lines (copy, "line ") == 9;
    for (size_t index = 0; index < sizeof answers / sizeof answers[0]; index++)
        answered = answered && s_lines (copy, answers[index]) == 1;
    if (!answered)
        fail_msg ("sein-submit --file: exit %d, output '%s'", status, copy);
    zstr_free (&copy);

    //  Stored under the submitter each line named, or client.name.
    const char *submitters[] = {"default", "desk-9", "default", "desk-9"};
    for (int index = 0; index < 4; index++) {
        json_t *reply = s_submit (
            self, json_pack ("{s:s,s:s,s:s,s:s}", "description", "Opnieuw", "source",
                             "citizen", "external_id", keys[index], "submitter",
                             submitters[index]));
        if (!json_is_true (json_object_get (reply, "duplicate")))
            fail_msg ("%s was not stored under %s", keys[index], submitters[index]);
        if (index == 2)
            assert_string_equal (s_str (reply, "description"),
                                 "Afval \"zakken\" aan de glasbol \xc3\xa9/");
        json_decref (reply);
    }

    //  The same file again: duplicates, with the original acks. Once as
    //  JSON, once readable; each readable line must say what its ack says.
    status = sein_harness_run (h, input, &output, "sein-submit", "--json", "--file", "-",
                               NULL);
    assert_int_equal (status, 65);
    json_t *acks = json_object ();
    for (char *line = strtok (output, "\n"); line; line = strtok (NULL, "\n")) {
        json_t *ack = json_loads (line, 0, NULL);
        if (!ack)
            fail_msg ("--json printed a line that is not JSON: %s", line);
        if (s_str (ack, "external_id"))
            json_object_set (acks, s_str (ack, "external_id"), ack);
        json_decref (ack);
    }
    zstr_free (&output);
    assert_int_equal (json_object_size (acks), 4);
    status = sein_harness_run (h, input, &output, "sein-submit", "--file", "-", NULL);
    assert_int_equal (status, 65);
    for (int index = 0; index < 4; index++) {
        json_t *ack = json_object_get (acks, keys[index]);
        assert_true (json_is_true (json_object_get (ack, "duplicate")));
        char teams[512] = "";
        size_t at;
        json_t *team;
        json_array_foreach (json_object_get (ack, "teams"), at, team)
            snprintf (teams + strlen (teams), sizeof teams - strlen (teams), "%s%s",
                      at ? "," : "", json_string_value (team));
        const char *explanation = json_string_value (
            json_object_get (json_object_get (ack, "classification"), "explanation"));
        char *expected = zsys_sprintf (
            "line %d: duplicate %s seq %lld  area %s (%s)  theme %s  priority %s  teams %s "
            "(rule %s)\n    %s\n",
            index + 1, s_str (ack, "id"), (long long) s_int (ack, "seq"), s_str (ack, "area"),
            s_str (ack, "wijk"), s_str (ack, "theme"), s_str (ack, "priority"), teams,
            s_str (ack, "routing_rule"), explanation ? explanation : "");
        bool found = strstr (output, expected) != NULL;
        if (!found)
            fail_msg ("expected '%s' in '%s'", expected, output);
        zstr_free (&expected);
    }
    zstr_free (&output);
    json_decref (acks);
    zstr_free (&input);
    self->passed = true;
}

int
main (void)
{
    //  Our children's SIGTERM/SIGHUP are not ours: keep czmq's handler out.
    zsys_handler_set (NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_acks_survive_kill, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_duplicates_in_one_batch, s_setup,
                                         s_teardown),
        cmocka_unit_test_setup_teardown (test_pipelined_burst, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_bad_submissions, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_oversized_bodies, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_protocol_errors, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_garbage_flood, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_watch, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_watch_long_replay, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_watch_across_restart, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_publish, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_subscription_bound, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_out_of_descriptors, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_out_of_descriptors_tcp, s_setup_prepared,
                                         s_teardown),
        cmocka_unit_test_setup_teardown (test_sigterm_in_flight, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_failed_sync, s_setup_prepared, s_teardown),
        cmocka_unit_test_setup_teardown (test_sighup_reload, s_setup_prepared,
                                         s_teardown),
        cmocka_unit_test_setup_teardown (test_socket_options_fixed_at_bind,
                                         s_setup_prepared, s_teardown),
        cmocka_unit_test_setup_teardown (test_reload_socket_settings, s_setup_prepared,
                                         s_teardown),
        cmocka_unit_test_setup_teardown (test_watch_credit_max_raised, s_setup_prepared,
                                         s_teardown),
        cmocka_unit_test_setup_teardown (test_single_instance, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_cli_exit_codes, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_store_refused, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_replay_damaged_page, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_submit_passthrough, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_fast_lane_order, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_fast_lane_window, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_alone_share, s_setup_info, s_teardown),
        cmocka_unit_test_setup_teardown (test_index_hold_lapses, s_setup_info, s_teardown),
    };
    //  SEIN_TEST=test_watch* runs only the matching tests.
    if (getenv ("SEIN_TEST"))
        cmocka_set_test_filter (getenv ("SEIN_TEST"));
    int failed = cmocka_run_group_tests_name ("daemon", tests, NULL, NULL);
    zsys_shutdown ();
    return failed;
}
