// SPDX-License-Identifier: MPL-2.0
/*  test_ops.c - operations against the real seind: metrics, health, backup

    - seinctl metrics, before and after submissions, read by Debian's
      Prometheus text parser (tests/check_metrics.py): the families are
      there with their types, and the counters moved by what was sent.
    - seinctl health: 0 on a healthy seind, 1 while its disk is full (the
      fail_sync shim's write-enospc), 2 once it is gone.
    - seinctl backup while a submitter keeps submitting: the copy, restored
      into a new directory, starts and holds every signal acked before the
      backup began.
*/
#include "sein_harness.h"

#include "sein.h"

#include <czmq.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#define S_REPLY_MS 10000

static json_t *
s_signal (const char *description, const char *external_id)
{
    return json_pack ("{s:s,s:s,s:s}", "description", description, "source", "citizen",
                      "external_id", external_id);
}

//  Submit COUNT signals (external ids PREFIX-N) pipelined on CLIENT and
//  wait for every ack; returns how many were accepted. Their seqs go to
//  SEQS when not NULL.
static int
s_submit_many (sein_client_t *client, const char *prefix, int count, int64_t *seqs)
{
    for (int index = 0; index < count; index++) {
        char external_id[64], corr[16];
        snprintf (external_id, sizeof external_id, "%s-%d", prefix, index);
        snprintf (corr, sizeof corr, "%d", index);
        json_t *signal = s_signal (sein_harness_texts[index % SEIN_HARNESS_TEXTS], external_id);
        assert_int_equal (sein_client_send (client, SEIN_SUBMIT, corr, signal, 1000), 0);
        json_decref (signal);
    }
    int accepted = 0;
    for (int index = 0; index < count; index++) {
        char *corr = NULL;
        json_t *reply = sein_client_recv (client, S_REPLY_MS, &corr, NULL);
        assert_non_null (reply);
        const char *status = json_string_value (json_object_get (reply, "status"));
        if (status && streq (status, "accepted")) {
            if (seqs)
                seqs[accepted] = json_integer_value (json_object_get (reply, "seq"));
            accepted++;
        }
        zstr_free (&corr);
        json_decref (reply);
    }
    return accepted;
}

//  One call; BODY (may be NULL) is released.
static json_t *
s_call (sein_client_t *client, const char *command, json_t *body)
{
    json_t *reply = sein_client_call (client, command, body, S_REPLY_MS);
    json_decref (body);
    assert_non_null (reply);
    return reply;
}

static void
s_write (const char *path, const char *text)
{
    FILE *file = fopen (path, "w");
    assert_non_null (file);
    fputs (text, file);
    assert_int_equal (fclose (file), 0);
}

//  seinctl metrics into DIR/NAME; returns its exit status.
static int
s_metrics (sein_harness_t *harness, const char *name)
{
    char *text = NULL;
    int rc = sein_harness_run (harness, NULL, &text, "seinctl", "metrics", NULL);
    char path[512];
    snprintf (path, sizeof path, "%s/%s", harness->dir, name);
    s_write (path, text ? text : "");
    free (text);
    return rc;
}

static void
test_metrics (void **state)
{
    (void) state;
    enum { ACCEPTED = 20, REJECTED = 3 };
    sein_harness_t harness;
    assert_int_equal (sein_harness_init (&harness, 0), 0);
    assert_int_equal (sein_harness_start (&harness), 0);
    assert_int_equal (s_metrics (&harness, "before.prom"), 0);

    sein_client_t *client = sein_client_new (harness.intake);
    assert_int_equal (s_submit_many (client, "metrics", ACCEPTED, NULL), ACCEPTED);
    for (int index = 0; index < REJECTED; index++) {
        json_t *reply = s_call (
            client, SEIN_SUBMIT, json_pack ("{s:s,s:s}", "description", " ", "source", "citizen"));
        assert_string_equal (json_string_value (json_object_get (
                                 json_object_get (reply, "error"), "code")),
                             "empty");
        json_decref (reply);
    }
    //  An open watch session, counted by the watch actor every 100 ms.
    sein_watcher_t *watcher = sein_watcher_new (harness.watch, NULL, 1, NULL, 100);
    json_t *event = sein_watcher_recv (watcher, S_REPLY_MS);
    assert_non_null (event);
    json_decref (event);
    int64_t deadline = zclock_mono () + S_REPLY_MS;
    int sessions = 0;
    while (sessions < 1 && zclock_mono () < deadline) {
        json_t *reply = s_call (client, SEIN_METRICS, NULL);
        sessions = (int) json_integer_value (
            json_object_get (json_object_get (reply, "counters"), "watch_sessions"));
        json_decref (reply);
        if (sessions < 1)
            zclock_sleep (50);
    }
    assert_int_equal (sessions, 1);
    //  Like PING, METRICS takes no fields.
    json_t *refused = s_call (client, SEIN_METRICS, json_pack ("{s:i}", "team", 1));
    assert_string_equal (json_string_value (json_object_get (
                             json_object_get (refused, "error"), "code")),
                         "unknown-field");
    json_decref (refused);
    assert_int_equal (s_metrics (&harness, "after.prom"), 0);

    char *command = zsys_sprintf ("/usr/bin/python3 %s/tests/check_metrics.py %s/before.prom "
                                  "%s/after.prom %d %d",
                                  SEIN_SOURCE_DIR, harness.dir, harness.dir, ACCEPTED, REJECTED);
    assert_int_equal (system (command), 0);
    zstr_free (&command);

    sein_watcher_destroy (&watcher);
    sein_client_destroy (&client);
    //  Silent: sein_up 0 alone, exit 69.
    assert_int_equal (sein_harness_stop (&harness, SIGTERM), 0);
    char *text = NULL;
    assert_int_equal (sein_harness_run (&harness, NULL, &text, "seinctl", "--timeout", "300",
                                        "metrics", NULL),
                      SEIN_EXIT_UNAVAILABLE);
    assert_non_null (strstr (text, "\nsein_up 0\n"));
    assert_null (strstr (text, "sein_signals_accepted_total"));
    free (text);
    sein_harness_cleanup (&harness);
}

//  seinctl --json health: its exit status, and the object in *health_p.
static int
s_health (sein_harness_t *harness, json_t **health_p)
{
    char *text = NULL;
    int rc = sein_harness_run (harness, NULL, &text, "seinctl", "--timeout", "1000", "--json",
                               "health", NULL);
    *health_p = json_loads (text ? text : "", 0, NULL);
    assert_non_null (*health_p);
    free (text);
    return rc;
}

static void
test_health (void **state)
{
    (void) state;
    sein_harness_t harness;
    assert_int_equal (sein_harness_init (&harness, 0), 0);
    //  seind with the fail_sync shim: its disk fills up when told.
    char *faults = zsys_sprintf ("%s/faults", harness.dir);
    s_write (faults, "");
    char *saved = getenv ("ASAN_OPTIONS") ? strdup (getenv ("ASAN_OPTIONS")) : NULL;
    char *options = zsys_sprintf ("%s%sverify_asan_link_order=0", saved ? saved : "",
                                  saved ? ":" : "");
    setenv ("ASAN_OPTIONS", options, 1);
    setenv ("LD_PRELOAD", SEIN_FAIL_SYNC, 1);
    setenv ("SEIN_FAULT", faults, 1);
    int started = sein_harness_start (&harness);
    unsetenv ("LD_PRELOAD");
    unsetenv ("SEIN_FAULT");
    if (saved)
        setenv ("ASAN_OPTIONS", saved, 1);
    else
        unsetenv ("ASAN_OPTIONS");
    free (saved);
    zstr_free (&options);
    assert_int_equal (started, 0);

    sein_client_t *client = sein_client_new (harness.intake);
    assert_int_equal (s_submit_many (client, "health", 5, NULL), 5);
    json_t *health;
    assert_int_equal (s_health (&harness, &health), 0);
    assert_string_equal (json_string_value (json_object_get (health, "health")), "ok");
    assert_int_equal (json_array_size (json_object_get (health, "problems")), 0);
    assert_int_equal (json_integer_value (json_object_get (health, "head")), 5);
    assert_true (json_integer_value (json_object_get (health, "store_bytes")) > 0);
    assert_true (json_is_number (json_object_get (health, "commit_ms")));
    json_decref (health);

    //  A full disk: the batch is not stored, seind serves on, degraded.
    s_write (faults, "write-enospc");
    json_t *reply = s_call (client, SEIN_SUBMIT, s_signal ("Volle vuilbak", "full-1"));
    assert_string_equal (json_string_value (json_object_get (
                             json_object_get (reply, "error"), "code")),
                         "storage");
    json_decref (reply);
    s_write (faults, "");
    assert_int_equal (s_health (&harness, &health), 1);
    assert_string_equal (json_string_value (json_object_get (health, "health")), "degraded");
    const char *problem =
        json_string_value (json_array_get (json_object_get (health, "problems"), 0));
    assert_non_null (problem);
    assert_non_null (strstr (problem, "not stored"));
    json_decref (health);
    //  The table says the same, and the exit status too.
    char *text = NULL;
    assert_int_equal (sein_harness_run (&harness, NULL, &text, "seinctl", "health", NULL), 1);
    assert_non_null (strstr (text, "degraded"));
    free (text);

    sein_client_destroy (&client);
    assert_int_equal (sein_harness_stop (&harness, SIGTERM), 0);
    assert_int_equal (s_health (&harness, &health), 2);
    assert_string_equal (json_string_value (json_object_get (health, "health")), "down");
    json_decref (health);
    zstr_free (&faults);
    sein_harness_cleanup (&harness);
}

//  Submits until told to stop, so that the backup runs against commits.
typedef struct {
    const char *endpoint;
    volatile int stop;
    int accepted;
} s_submitter_t;

static void *
s_submitter (void *arg)
{
    s_submitter_t *self = (s_submitter_t *) arg;
    sein_client_t *client = sein_client_new (self->endpoint);
    for (int round = 0; !self->stop; round++) {
        char prefix[32];
        snprintf (prefix, sizeof prefix, "during-%d", round);
        self->accepted += s_submit_many (client, prefix, 50, NULL);
    }
    sein_client_destroy (&client);
    return NULL;
}

static void
test_backup (void **state)
{
    (void) state;
    enum { N = 300 };
    sein_harness_t harness;
    assert_int_equal (sein_harness_init (&harness, 0), 0);
    assert_int_equal (sein_harness_start (&harness), 0);
    sein_client_t *client = sein_client_new (harness.intake);
    int64_t seqs[N];
    assert_int_equal (s_submit_many (client, "before", N, seqs), N);
    sein_client_destroy (&client);

    s_submitter_t submitter = {harness.intake, 0, 0};
    pthread_t thread;
    assert_int_equal (pthread_create (&thread, NULL, s_submitter, &submitter), 0);
    zclock_sleep (200); //  commits under way
    char *copy = zsys_sprintf ("%s/backup.db", harness.dir);
    char *text = NULL;
    assert_int_equal (sein_harness_run (&harness, NULL, &text, "seinctl", "--json", "backup",
                                        copy, NULL),
                      0);
    json_t *made = json_loads (text ? text : "", 0, NULL);
    free (text);
    assert_non_null (made);
    int64_t head = json_integer_value (json_object_get (made, "head"));
    assert_true (head >= seqs[N - 1]);
    json_decref (made);
    //  Never over a file that exists.
    assert_int_equal (sein_harness_run (&harness, NULL, NULL, "seinctl", "backup", copy, NULL),
                      SEIN_EXIT_DATAERR);
    submitter.stop = 1;
    pthread_join (thread, NULL);
    assert_true (submitter.accepted > 0);
    assert_int_equal (sein_harness_stop (&harness, SIGTERM), 0);

    //  Restored into a new directory, without the old marker.
    sein_harness_t restored;
    assert_int_equal (sein_harness_init (&restored, 0), 0);
    char *target = zsys_sprintf ("%s/sein.db", restored.dir);
    assert_int_equal (rename (copy, target), 0);
    assert_int_equal (sein_harness_start (&restored), 0);
    client = sein_client_new (restored.intake);
    json_t *reply =
        s_call (client, SEIN_EVENTS, json_pack ("{s:i,s:i}", "from", 1, "limit", 1000));
    assert_int_equal (json_integer_value (json_object_get (reply, "head")), head);
    json_t *events = json_object_get (reply, "events");
    //  Every signal acked before the backup began, in seq order.
    for (int index = 0; index < N; index++) {
        json_t *event = json_array_get (events, (size_t) (seqs[index] - 1));
        assert_non_null (event);
        assert_int_equal (json_integer_value (json_object_get (event, "seq")), seqs[index]);
    }
    json_decref (reply);
    reply = s_call (client, SEIN_GET,
                    json_pack ("{s:s,s:s}", "external_id", "before-7", "submitter", "anonymous"));
    assert_string_equal (json_string_value (json_object_get (reply, "status")), "ok");
    json_decref (reply);
    //  And it takes new signals after them.
    assert_int_equal (s_submit_many (client, "after", 5, seqs), 5);
    assert_int_equal (seqs[0], head + 1);
    sein_client_destroy (&client);
    assert_int_equal (sein_harness_stop (&restored, SIGTERM), 0);
    zstr_free (&copy);
    zstr_free (&target);
    sein_harness_cleanup (&restored);
    sein_harness_cleanup (&harness);
}

int
main (void)
{
    //  Our children's SIGTERM is not ours: keep czmq's handler out.
    zsys_handler_set (NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_metrics),
        cmocka_unit_test (test_health),
        cmocka_unit_test (test_backup),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
