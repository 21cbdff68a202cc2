// SPDX-License-Identifier: MPL-2.0
/*  test_security.c - CURVE keys, roles and revocation (issue 12)

    The real seind with security on (sein_harness_secure: a private config
    file, seind's key and the harness's admin key made by `seinctl
    keygen`), and keys of every role made the same way:

    - a client without a key, or with a key seind does not know, gets no
      answer at all: the handshake fails, nothing is read;
    - a key of the wrong role gets `forbidden`, on the intake and on the
      watch socket;
    - the submitter stored is the key's name, whatever the body says;
    - a watcher of team X never receives team Y's signals, with no filter
      or with a filter that asks for them (refused);
    - the broadcast admits keys of role system, no others;
    - a config file or secret key that group or others can read is
      refused, by seind and by the clients, with the file and mode named;
    - deleting a key's certificate and SIGHUP ends its watch session and
      refuses its requests on the connection it already has.
*/
#include "sein_harness.h"

#include "sein.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <czmq.h>
#include <sqlite3.h>
#include <sys/stat.h>

#define S_SILENT_MS 1500 //  no answer within this: refused
#define S_TEAM "wijkmanager-heverlee"
#define S_OTHER_TEAM "wijkmanager-kessel-lo"

static sein_harness_t *s_daemon;

static sein_client_t *
s_client (sein_harness_t *h, const char *name)
{
    sein_keys_t *keys = sein_harness_keys (h, name);
    assert_non_null (keys);
    sein_client_t *client = sein_client_new_secure (h->intake, keys);
    sein_keys_destroy (&keys);
    return client;
}

//  The error code of REPLY, or NULL when it is not a rejection.
static const char *
s_code (json_t *reply)
{
    return json_string_value (json_object_get (json_object_get (reply, "error"), "code"));
}

static json_t *
s_signal (const char *area, const char *theme, const char *external_id, const char *submitter)
{
    json_t *body = json_pack ("{s:s,s:s,s:s,s:s,s:s,s:s}", "description",
                              sein_harness_texts[0], "source", "citizen", "channel", "web",
                              "area", area, "theme", theme, "external_id", external_id);
    if (submitter)
        json_object_set_new (body, "submitter", json_string (submitter));
    return body;
}

static json_t *
s_submit (sein_client_t *client, json_t *body)
{
    json_t *reply = sein_client_call (client, SEIN_SUBMIT, body, 5000);
    json_decref (body);
    assert_non_null (reply);
    return reply;
}

static int
s_setup (void **state)
{
    sein_harness_t *h = (sein_harness_t *) zmalloc (sizeof *h);
    assert_int_equal (sein_harness_init (h, 0), 0);
    assert_int_equal (sein_harness_secure (h), 0);
    assert_int_equal (sein_harness_keygen (h, "desk", "submitter", NULL), 0);
    assert_int_equal (sein_harness_keygen (h, "dash", "watcher", S_TEAM), 0);
    assert_int_equal (sein_harness_keygen (h, "staff", "staff", S_TEAM), 0);
    assert_int_equal (sein_harness_keygen (h, "gis", "system", NULL), 0);
    s_daemon = h;
    *state = h;
    return 0;
}

static int
s_teardown (void **state)
{
    sein_harness_t *h = (sein_harness_t *) *state;
    sein_harness_cleanup (h);
    free (h);
    s_daemon = NULL;
    return 0;
}

static int
s_start (void **state)
{
    s_setup (state);
    assert_int_equal (sein_harness_start ((sein_harness_t *) *state), 0);
    return 0;
}

//  ---------------------------------------------------------------------

//  Connect a DEALER with KEYS (NULL: no CURVE) to ENDPOINT and watch its
//  handshake for up to S_SILENT_MS: the libzmq monitor events seen.
static int
s_handshake (const char *endpoint, const sein_keys_t *keys)
{
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    sein_keys_apply (keys, dealer);
    char monitor[64];
    snprintf (monitor, sizeof monitor, "inproc://handshake-%p", (void *) dealer);
    assert_int_equal (zmq_socket_monitor (zsock_resolve (dealer), monitor,
                                          ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
                                              ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                                              ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                                              ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL),
                      0);
    zsock_t *events = zsock_new_pair (monitor);
    zsock_connect (dealer, "%s", endpoint);
    zpoller_t *poller = zpoller_new (events, NULL);
    int seen = 0;
    int64_t deadline = zclock_mono () + S_SILENT_MS;
    while (zclock_mono () < deadline &&
           zpoller_wait (poller, (int) (deadline - zclock_mono ())) == events) {
        zframe_t *head = zframe_recv (events);
        char *address = zstr_recv (events);
        if (head && zframe_size (head) >= 2)
            seen |= *(uint16_t *) zframe_data (head);
        zframe_destroy (&head);
        zstr_free (&address);
    }
    zpoller_destroy (&poller);
    zmq_socket_monitor (zsock_resolve (dealer), NULL, 0);
    zsock_destroy (&events);
    zsock_destroy (&dealer);
    return seen;
}

static void
test_unknown_refused (void **state)
{
    sein_harness_t *h = (sein_harness_t *) *state;
    //  The harness's own key gets answers: the daemon is there.
    sein_client_t *admin = s_client (h, "harness");
    json_t *reply = sein_client_call (admin, SEIN_PING, NULL, 5000);
    assert_non_null (reply);
    json_decref (reply);
    sein_client_destroy (&admin);
    //  No key: seind speaks CURVE only.
    sein_client_t *plain = sein_client_new (h->intake);
    assert_null (sein_client_call (plain, SEIN_PING, NULL, S_SILENT_MS));
    sein_client_destroy (&plain);
    //  A key made in another directory, with seind's public key beside it:
    //  a valid certificate seind has never seen.
    char *elsewhere = zsys_sprintf ("%s/elsewhere", h->dir);
    zsys_dir_create ("%s", elsewhere);
    zcert_t *stranger = zcert_new ();
    zcert_set_meta (stranger, "name", "harness");
    zcert_set_meta (stranger, "role", "admin");
    char *path = zsys_sprintf ("%s/stranger.key", elsewhere);
    assert_int_equal (zcert_save (stranger, path), 0);
    zstr_free (&path);
    path = zsys_sprintf ("%s/keys/seind.key", h->dir);
    zcert_t *server = zcert_load (path);
    zstr_free (&path);
    path = zsys_sprintf ("%s/seind.key", elsewhere);
    zcert_save_public (server, path);
    zstr_free (&path);
    zcert_destroy (&server);
    zcert_destroy (&stranger);
    char *error = NULL;
    sein_keys_t *keys = sein_keys_new (elsewhere, "stranger", "seind", &error);
    assert_non_null (keys);
    sein_client_t *client = sein_client_new_secure (h->intake, keys);
    assert_null (sein_client_call (client, SEIN_PING, NULL, S_SILENT_MS));
    sein_client_destroy (&client);
    //  The handshake says why: seind's ZAP handler refused the key. A
    //  known key's handshake succeeds; a client without a key never
    //  gets that far.
    int seen = s_handshake (h->intake, keys);
    assert_true (seen & ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
    assert_false (seen & ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
    sein_keys_t *known = sein_harness_keys (h, "desk");
    assert_non_null (known);
    assert_true (s_handshake (h->intake, known) & ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
    sein_keys_destroy (&known);
    assert_false (s_handshake (h->intake, NULL) & ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
    //  Nor may it watch.
    sein_watcher_t *watcher = sein_watcher_new (h->watch, NULL, 0, NULL, 4);
    sein_watcher_set_keys (watcher, keys);
    assert_null (sein_watcher_recv (watcher, S_SILENT_MS));
    assert_false (sein_watcher_connected (watcher));
    sein_watcher_destroy (&watcher);
    sein_keys_destroy (&keys);
    zstr_free (&elsewhere);
}

static void
test_wrong_role (void **state)
{
    sein_harness_t *h = (sein_harness_t *) *state;
    struct {
        const char *key, *command;
        json_t *body;
        bool allowed;
    } rows[] = {
        {"desk", SEIN_PING, NULL, true},
        {"desk", SEIN_STATS, NULL, false},
        {"desk", SEIN_GET, json_pack ("{s:s}", "id", "x"), false},
        {"desk", SEIN_EVENTS, json_pack ("{s:i}", "from", 1), false},
        {"dash", SEIN_SUBMIT, s_signal ("heverlee", "afval", "w1", NULL), false},
        {"dash", SEIN_CLASSIFY, s_signal ("heverlee", "afval", "w2", NULL), false},
        {"dash", SEIN_STATS, NULL, false},
        {"staff", SEIN_SUBMIT, s_signal ("heverlee", "afval", "s1", NULL), false},
        {"staff", SEIN_STATS, NULL, true},
        {"gis", SEIN_EVENTS, json_pack ("{s:i}", "from", 1), false},
        {"harness", SEIN_STATS, NULL, true},
        //  METRICS shows deliveries per team: not for a desk or a system.
        {"desk", SEIN_METRICS, NULL, false},
        {"gis", SEIN_METRICS, NULL, false},
        {"dash", SEIN_METRICS, NULL, true},
        {"staff", SEIN_METRICS, NULL, true},
        {"harness", SEIN_METRICS, NULL, true},
    };
    for (size_t index = 0; index < sizeof rows / sizeof rows[0]; index++) {
        sein_client_t *client = s_client (h, rows[index].key);
        json_t *reply = sein_client_call (client, rows[index].command, rows[index].body, 5000);
        assert_non_null (reply);
        const char *code = s_code (reply);
        if (rows[index].allowed != !(code && streq (code, "forbidden")))
            fail_msg ("%s %s: %s", rows[index].key, rows[index].command,
                      json_dumps (reply, JSON_COMPACT));
        json_decref (reply);
        json_decref (rows[index].body);
        sein_client_destroy (&client);
    }
    //  The watch socket: a submitter may not open a session.
    sein_keys_t *keys = sein_harness_keys (h, "desk");
    assert_non_null (keys);
    sein_watcher_t *watcher = sein_watcher_new (h->watch, NULL, 0, NULL, 4);
    sein_watcher_set_keys (watcher, keys);
    sein_keys_destroy (&keys);
    int64_t deadline = zclock_mono () + 5000;
    while (!sein_watcher_refusal (watcher) && zclock_mono () < deadline)
        json_decref (sein_watcher_recv (watcher, 100));
    assert_non_null (sein_watcher_refusal (watcher));
    assert_string_equal (s_code (sein_watcher_refusal (watcher)), "forbidden");
    sein_watcher_destroy (&watcher);
}

static void
test_submitter_from_key (void **state)
{
    sein_harness_t *h = (sein_harness_t *) *state;
    sein_client_t *client = s_client (h, "desk");
    json_t *first = s_submit (client, s_signal ("heverlee", "afval", "k-1", "mallory"));
    assert_string_equal (json_string_value (json_object_get (first, "status")), "accepted");
    assert_true (json_is_false (json_object_get (first, "duplicate")));
    //  Another declared submitter, the same key: the same (submitter,
    //  external_id), so the stored original comes back.
    json_t *second = s_submit (client, s_signal ("heverlee", "afval", "k-1", "eve"));
    assert_true (json_is_true (json_object_get (second, "duplicate")));
    assert_int_equal (json_integer_value (json_object_get (first, "seq")),
                      json_integer_value (json_object_get (second, "seq")));
    json_decref (first);
    json_decref (second);
    sein_client_destroy (&client);
    //  In the store, the key's name.
    char *path = zsys_sprintf ("%s/sein.db", h->dir);
    sqlite3 *db = NULL;
    assert_int_equal (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *statement = NULL;
    assert_int_equal (sqlite3_prepare_v2 (db,
                                          "SELECT submitter FROM signals WHERE external_id = "
                                          "'k-1'",
                                          -1, &statement, NULL),
                      SQLITE_OK);
    assert_int_equal (sqlite3_step (statement), SQLITE_ROW);
    assert_string_equal ((const char *) sqlite3_column_text (statement, 0), "desk");
    assert_int_equal (sqlite3_step (statement), SQLITE_DONE);
    sqlite3_finalize (statement);
    sqlite3_close (db);
    zstr_free (&path);
}

//  True when EVENT's teams include TEAM.
static bool
s_has_team (json_t *event, const char *team)
{
    size_t index;
    json_t *value;
    json_array_foreach (json_object_get (event, "teams"), index, value)
        if (streq (json_string_value (value), team))
            return true;
    return false;
}

//  The next seq seind will give.
static int64_t
s_next_seq (sein_harness_t *h)
{
    sein_client_t *client = s_client (h, "harness");
    json_t *reply = sein_client_call (client, SEIN_PING, NULL, 5000);
    assert_non_null (reply);
    int64_t next = json_integer_value (json_object_get (reply, "head")) + 1;
    json_decref (reply);
    sein_client_destroy (&client);
    return next;
}

//  A watcher with KEY and FILTER (JSON text or NULL) from seq SINCE.
static sein_watcher_t *
s_watcher (sein_harness_t *h, const char *key, const char *filter_text, int64_t since)
{
    json_t *filter = filter_text ? json_loads (filter_text, 0, NULL) : NULL;
    sein_watcher_t *watcher = sein_watcher_new (h->watch, filter, since, NULL, 64);
    json_decref (filter);
    sein_keys_t *keys = sein_harness_keys (h, key);
    assert_non_null (keys);
    sein_watcher_set_keys (watcher, keys);
    sein_keys_destroy (&keys);
    return watcher;
}

static void
test_watcher_narrowed (void **state)
{
    sein_harness_t *h = (sein_harness_t *) *state;
    //  Half to the dashboard's team, half to another's; the cleaning
    //  department (dienst-reiniging, theme afval) gets them all.
    int64_t since = s_next_seq (h);
    sein_client_t *client = s_client (h, "desk");
    const int each = 20;
    for (int index = 0; index < 2 * each; index++) {
        char external_id[32];
        snprintf (external_id, sizeof external_id, "n-%d", index);
        json_t *ack =
            s_submit (client, s_signal (index % 2 ? "kessel-lo" : "heverlee", "afval",
                                        external_id, NULL));
        assert_string_equal (json_string_value (json_object_get (ack, "status")), "accepted");
        json_decref (ack);
    }
    sein_client_destroy (&client);
    //  No filter, a filter on another dimension only, and one that asks
    //  for a team that receives everything, theirs included.
    sein_watcher_t *none = s_watcher (h, "dash", NULL, since);
    sein_watcher_t *theme = s_watcher (h, "staff", "{\"theme\":\"afval\"}", since);
    sein_watcher_t *greedy =
        s_watcher (h, "dash", "{\"team\":[\"" S_TEAM "\",\"dienst-reiniging\"]}", since);
    sein_watcher_t *admin =
        s_watcher (h, "harness", "{\"team\":\"dienst-reiniging\"}", since);
    sein_watcher_t *narrowed[] = {none, theme};
    for (int which = 0; which < 2; which++) {
        int seen = 0;
        json_t *event;
        while ((event = sein_watcher_recv (narrowed[which], 1500))) {
            if (!s_has_team (event, S_TEAM) || s_has_team (event, S_OTHER_TEAM))
                fail_msg ("watcher %d got %s", which, json_dumps (event, JSON_COMPACT));
            seen++;
            json_decref (event);
        }
        assert_int_equal (seen, each);
    }
    //  The admin is not narrowed: every signal went to the cleaners.
    int seen = 0;
    json_t *event;
    while ((event = sein_watcher_recv (admin, 1500))) {
        seen++;
        json_decref (event);
    }
    assert_int_equal (seen, 2 * each);
    //  Asking for a team outside its own is refused, not narrowed.
    assert_null (sein_watcher_recv (greedy, 1000));
    assert_non_null (sein_watcher_refusal (greedy));
    assert_string_equal (s_code (sein_watcher_refusal (greedy)), "forbidden");
    sein_watcher_destroy (&none);
    sein_watcher_destroy (&theme);
    sein_watcher_destroy (&greedy);
    sein_watcher_destroy (&admin);
}

//  A SUB on the broadcast with KEY; true when it receives the signal the
//  harness's key submits meanwhile.
static bool
s_broadcast_reaches (sein_harness_t *h, const char *key, int number)
{
    sein_keys_t *keys = sein_harness_keys (h, key);
    assert_non_null (keys);
    zsock_t *sub = zsock_new (ZMQ_SUB);
    sein_keys_apply (keys, sub);
    zsock_set_subscribe (sub, "");
    zsock_connect (sub, "%s", h->publish);
    sein_keys_destroy (&keys);
    zclock_sleep (300); //  a subscription takes effect after the handshake
    sein_client_t *client = s_client (h, "desk");
    char external_id[32];
    snprintf (external_id, sizeof external_id, "b-%d", number);
    json_decref (s_submit (client, s_signal ("heverlee", "afval", external_id, NULL)));
    sein_client_destroy (&client);
    zpoller_t *poller = zpoller_new (sub, NULL);
    bool reached = zpoller_wait (poller, S_SILENT_MS) == sub;
    zpoller_destroy (&poller);
    zsock_destroy (&sub);
    return reached;
}

static void
test_broadcast_trusted (void **state)
{
    sein_harness_t *h = (sein_harness_t *) *state;
    assert_true (s_broadcast_reaches (h, "gis", 1));
    assert_false (s_broadcast_reaches (h, "dash", 2));
    assert_false (s_broadcast_reaches (h, "desk", 3));
}

//  ---------------------------------------------------------------------
//  File modes

static bool
s_log_has (sein_harness_t *h, const char *text)
{
    zfile_t *file = zfile_new (NULL, h->log);
    bool found = false;
    if (file && zfile_input (file) == 0) {
        zchunk_t *chunk = zfile_read (file, zfile_cursize (file), 0);
        char *log = zchunk_strdup (chunk);
        found = strstr (log, text) != NULL;
        free (log);
        zchunk_destroy (&chunk);
    }
    zfile_destroy (&file);
    return found;
}

static void
test_file_modes (void **state)
{
    sein_harness_t *h = (sein_harness_t *) *state;
    //  A config file others can read.
    chmod (h->config, 0644);
    assert_int_equal (sein_harness_run (h, NULL, NULL, "seinctl", "ping", NULL), 78);
    assert_int_equal (sein_harness_run (h, NULL, NULL, "sein-submit", "-d", "x", "-s", "citizen",
                                        NULL),
                      78);
    assert_int_not_equal (sein_harness_start (h), 0);
    char *expected = zsys_sprintf ("%s: the configuration file is mode 0644", h->config);
    assert_true (s_log_has (h, expected));
    assert_true (s_log_has (h, "make it 0600"));
    zstr_free (&expected);
    chmod (h->config, 0600);
    //  seind's secret key readable by its group.
    char *secret = zsys_sprintf ("%s/keys/seind.key_secret", h->dir);
    chmod (secret, 0640);
    assert_int_not_equal (sein_harness_start (h), 0);
    expected = zsys_sprintf ("%s: the secret key is mode 0640", secret);
    assert_true (s_log_has (h, expected));
    zstr_free (&expected);
    chmod (secret, 0600);
    zstr_free (&secret);
    //  A client's secret key readable by others; its public one may be.
    secret = zsys_sprintf ("%s/keys/desk.key_secret", h->dir);
    chmod (secret, 0644);
    assert_int_equal (sein_harness_start (h), 0);
    assert_int_equal (sein_harness_run (h, NULL, NULL, "seinctl", "-o", "client.key=desk",
                                        "ping", NULL),
                      78);
    char *error = NULL, *dir = zsys_sprintf ("%s/keys", h->dir);
    assert_null (sein_keys_new (dir, "desk", "seind", &error));
    assert_non_null (strstr (error, "desk.key_secret: the secret key is mode 0644"));
    zstr_free (&error);
    chmod (secret, 0600);
    sein_keys_t *keys = sein_keys_new (dir, "desk", "seind", &error);
    assert_non_null (keys);
    sein_keys_destroy (&keys);
    assert_int_equal (sein_harness_run (h, NULL, NULL, "seinctl", "-o", "client.key=desk",
                                        "ping", NULL),
                      0);
    zstr_free (&secret);
    zstr_free (&dir);
}

//  ---------------------------------------------------------------------
//  Revocation

static void
test_revoke (void **state)
{
    sein_harness_t *h = (sein_harness_t *) *state;
    assert_int_equal (sein_harness_keygen (h, "leaver", "watcher", S_TEAM), 0);
    assert_int_equal (sein_harness_keygen (h, "old-desk", "submitter", NULL), 0);
    //  New keys are admitted after a reload.
    kill (h->pid, SIGHUP);
    zclock_sleep (500);
    sein_client_t *desk = s_client (h, "old-desk");
    json_t *ack = s_submit (desk, s_signal ("heverlee", "afval", "r-1", NULL));
    assert_string_equal (json_string_value (json_object_get (ack, "status")), "accepted");
    json_decref (ack);
    sein_watcher_t *watcher = s_watcher (h, "leaver", NULL, 1);
    json_t *event = sein_watcher_recv (watcher, 5000);
    assert_non_null (event);
    json_decref (event);
    //  Revoke both: delete the public certificates, reload.
    char *path = zsys_sprintf ("%s/keys/leaver.key", h->dir);
    assert_int_equal (unlink (path), 0);
    zstr_free (&path);
    path = zsys_sprintf ("%s/keys/old-desk.key", h->dir);
    assert_int_equal (unlink (path), 0);
    zstr_free (&path);
    kill (h->pid, SIGHUP);
    //  The watch session ends with an ERROR forbidden.
    int64_t deadline = zclock_mono () + 5000;
    while (!sein_watcher_refusal (watcher) && zclock_mono () < deadline)
        json_decref (sein_watcher_recv (watcher, 100));
    assert_non_null (sein_watcher_refusal (watcher));
    assert_string_equal (s_code (sein_watcher_refusal (watcher)), "forbidden");
    sein_watcher_destroy (&watcher);
    //  The submitter's open connection is refused...
    json_t *reply = s_submit (desk, s_signal ("heverlee", "afval", "r-2", NULL));
    assert_string_equal (s_code (reply), "forbidden");
    json_decref (reply);
    sein_client_destroy (&desk);
    //  ... and a new one is not admitted (its secret key is still there).
    desk = s_client (h, "old-desk");
    assert_null (sein_client_call (desk, SEIN_PING, NULL, S_SILENT_MS));
    sein_client_destroy (&desk);
    //  The others carry on.
    sein_client_t *staff = s_client (h, "staff");
    reply = sein_client_call (staff, SEIN_STATS, NULL, 5000);
    assert_non_null (reply);
    assert_null (s_code (reply));
    json_decref (reply);
    sein_client_destroy (&staff);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_unknown_refused),
        cmocka_unit_test (test_wrong_role),
        cmocka_unit_test (test_submitter_from_key),
        cmocka_unit_test (test_watcher_narrowed),
        cmocka_unit_test (test_broadcast_trusted),
        cmocka_unit_test (test_revoke),
    };
    const struct CMUnitTest alone[] = {
        cmocka_unit_test_setup_teardown (test_file_modes, s_setup, s_teardown),
    };
    int failed = cmocka_run_group_tests_name ("security", tests, s_start, s_teardown);
    return failed + cmocka_run_group_tests_name ("security-files", alone, NULL, NULL);
}
