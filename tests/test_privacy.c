// SPDX-License-Identifier: MPL-2.0
/*  test_privacy.c - personal data on the real seind (issue 12)

    With security on (sein_harness_secure) and keys of every role:

    - 10,000 signals with reporter details unique per signal: no ack,
      broadcast, watch event, EVENTS or GET reply holds any of them,
      searched byte by byte (the details share markers, so one search per
      marker covers every signal);
    - REPORTER (`seinctl get --reporter`) answers the roles of
      security.reporter_roles within their teams, records every read in
      the access log, and is `forbidden` for others;
    - staff of team X can neither read nor change team Y's signal, and
      their lists, counts and events leave it out;
    - SQL metacharacters in every field are stored and returned literally;
    - ERASE (`seinctl erase --reporter`) removes every trace from the
      tables and the text index and records that it happened;
    - the store's files are mode 0600, or 0640 with storage.group_readable;
    - retention, with days shortened by retention.day, anonymises and then
      deletes closed signals on schedule, leaving tombstones at their seqs.
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

#define S_TEAM "wijkmanager-heverlee"
#define S_OTHER_TEAM "wijkmanager-kessel-lo"
#define S_CLEANERS "dienst-reiniging" //  gets every signal of theme afval
#define S_SIGNALS 10000
#define S_WINDOW 500 //  submissions in flight
#define S_QUERY_WINDOW 48 //  queries in flight: seind takes 64 at most

//  The markers every reporter detail of the 10,000 carries.
static const char *s_markers[] = {"Rptr-", "@rptr.example", "+32 499 7"};

//  A client with key NAME, or without security when NAME is NULL.
static sein_client_t *
s_client (sein_harness_t *h, const char *name)
{
    if (!name)
        return sein_client_new (h->intake);
    sein_keys_t *keys = sein_harness_keys (h, name);
    assert_non_null (keys);
    sein_client_t *client = sein_client_new_secure (h->intake, keys);
    sein_keys_destroy (&keys);
    return client;
}

//  One call by key NAME; BODY is taken. Never NULL.
static json_t *
s_call (sein_harness_t *h, const char *name, const char *command, json_t *body)
{
    sein_client_t *client = s_client (h, name);
    json_t *reply = sein_client_call (client, command, body, 5000);
    json_decref (body);
    sein_client_destroy (&client);
    if (!reply)
        fail_msg ("%s by %s: no answer", command, name ? name : "anonymous");
    return reply;
}

//  The error code of REPLY, or "" when it is not a rejection.
static const char *
s_code (json_t *reply)
{
    const char *code =
        json_string_value (json_object_get (json_object_get (reply, "error"), "code"));
    return code ? code : "";
}

//  Submit a signal in AREA with reporter details by key NAME; its seq.
static int64_t
s_submit (sein_harness_t *h, const char *name, const char *area, const char *description,
          const char *email)
{
    json_t *body = json_pack ("{s:s,s:s,s:s,s:s,s:s,s:{s:s,s:s}}", "description", description,
                              "source", "citizen", "channel", "web", "area", area, "theme",
                              "afval", "reporter", "name", "Test Persoon", "email", email);
    json_t *ack = s_call (h, name, SEIN_SUBMIT, body);
    if (!json_is_integer (json_object_get (ack, "seq")))
        fail_msg ("not accepted: %s", json_dumps (ack, JSON_COMPACT));
    int64_t seq = json_integer_value (json_object_get (ack, "seq"));
    json_decref (ack);
    return seq;
}

//  A status change by key NAME; the reply's error code ("" when accepted).
static char *
s_status (sein_harness_t *h, const char *name, int64_t seq, const char *to)
{
    json_t *reply = s_call (h, name, SEIN_STATUS,
                            json_pack ("{s:I,s:s}", "signal", (json_int_t) seq, "status", to));
    char *code = strdup (s_code (reply));
    json_decref (reply);
    return code;
}

static int64_t
s_next_seq (sein_harness_t *h, const char *name)
{
    json_t *reply = s_call (h, name, SEIN_PING, NULL);
    int64_t next = json_integer_value (json_object_get (reply, "head")) + 1;
    json_decref (reply);
    return next;
}

//  The first row's first column of SQL on the store (or its text index
//  with TEXT), as text; fresh, "" for NULL.
static char *
s_sql (sein_harness_t *h, bool text, const char *sql)
{
    char *path = zsys_sprintf ("%s/sein.db%s", h->dir, text ? ".text" : "");
    sqlite3 *db = NULL;
    assert_int_equal (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout (db, 5000);
    sqlite3_stmt *statement = NULL;
    if (sqlite3_prepare_v2 (db, sql, -1, &statement, NULL) != SQLITE_OK)
        fail_msg ("%s: %s", sql, sqlite3_errmsg (db));
    char *value = strdup (sqlite3_step (statement) == SQLITE_ROW &&
                                  sqlite3_column_text (statement, 0)
                              ? (const char *) sqlite3_column_text (statement, 0)
                              : "");
    sqlite3_finalize (statement);
    sqlite3_close (db);
    zstr_free (&path);
    return value;
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
    assert_int_equal (sein_harness_keygen (h, "staff2", "staff", S_OTHER_TEAM), 0);
    assert_int_equal (sein_harness_keygen (h, "gis", "system", NULL), 0);
    assert_int_equal (sein_harness_keygen (h, "desk2", "submitter", S_TEAM), 0);
    assert_int_equal (sein_harness_keygen (h, "cleaner", "watcher", S_CLEANERS), 0);
    assert_int_equal (sein_harness_keygen (h, "cleanstaff", "staff", S_CLEANERS), 0);
    assert_int_equal (sein_harness_start (h), 0);
    *state = h;
    return 0;
}

static int
s_teardown (void **state)
{
    sein_harness_t *h = (sein_harness_t *) *state;
    sein_harness_cleanup (h);
    free (h);
    return 0;
}

//  ---------------------------------------------------------------------

//  Everything one channel carried, appended.
typedef struct {
    const char *what;
    zchunk_t *bytes;
    size_t messages;
} s_capture_t;

static void
s_capture (s_capture_t *capture, const void *data, size_t size)
{
    zchunk_extend (capture->bytes, data, size);
    capture->messages++;
}

static void
s_drain_sub (zsock_t *sub, s_capture_t *capture)
{
    zmsg_t *msg;
    while (zsock_events (sub) & ZMQ_POLLIN && (msg = zmsg_recv (sub))) {
        for (zframe_t *frame = zmsg_first (msg); frame; frame = zmsg_next (msg))
            s_capture (capture, zframe_data (frame), zframe_size (frame));
        zmsg_destroy (&msg);
    }
}

//  Send REQUESTS (JSON texts by index) of COMMAND pipelined, WINDOW in
//  flight, capturing the replies; SUB (may be NULL) drained meanwhile.
static void
s_pipeline (sein_client_t *client, const char *command, int requests,
            char *(*make) (int index), s_capture_t *replies, zsock_t *sub,
            s_capture_t *broadcast)
{
    int window = streq (command, SEIN_SUBMIT) ? S_WINDOW : S_QUERY_WINDOW;
    int sent = 0, received = 0;
    while (received < requests) {
        while (sent < requests && sent - received < window) {
            char corr[16], *body = make (sent);
            snprintf (corr, sizeof corr, "%d", sent);
            assert_int_equal (sein_client_send_raw (client, command, corr, body, strlen (body),
                                                    5000),
                              0);
            free (body);
            sent++;
        }
        size_t size;
        const char *reply = sein_client_recv_raw (client, 10000, &size, NULL, NULL, NULL, NULL);
        if (!reply)
            fail_msg ("%s: %d of %d replies", command, received, requests);
        s_capture (replies, reply, size);
        received++;
        if (sub)
            s_drain_sub (sub, broadcast);
    }
}

static int64_t s_first; //  the seq of the first of the 10,000

static char *
s_make_signal (int index)
{
    char external_id[32], name[48], email[48], phone[32];
    snprintf (external_id, sizeof external_id, "ext-%05d", index);
    snprintf (name, sizeof name, "Rptr-%05d Janssens", index);
    snprintf (email, sizeof email, "r%05d@rptr.example", index);
    snprintf (phone, sizeof phone, "+32 499 7%05d", index);
    json_t *body = json_pack ("{s:s,s:s,s:s,s:s,s:s,s:s,s:{s:s,s:s,s:s}}", "description",
                              sein_harness_texts[index % SEIN_HARNESS_TEXTS], "source",
                              "citizen", "channel", "web", "area",
                              index % 2 ? "kessel-lo" : "heverlee", "theme", "afval",
                              "external_id", external_id, "reporter", "name", name, "email",
                              email, "phone", phone);
    char *text = json_dumps (body, JSON_COMPACT);
    json_decref (body);
    return text;
}

static char *
s_make_get (int index)
{
    return zsys_sprintf ("{\"seq\":%lld}", (long long) (s_first + index));
}

static char *
s_make_events (int index)
{
    return zsys_sprintf ("{\"from\":%lld,\"limit\":1000}", (long long) (s_first + index * 1000));
}

static void
test_no_leak (void **state)
{
    sein_harness_t *h = (sein_harness_t *) *state;
    s_first = s_next_seq (h, "harness");
    s_capture_t captures[] = {
        {"acks", zchunk_new (NULL, 0), 0},      {"broadcast", zchunk_new (NULL, 0), 0},
        {"watch", zchunk_new (NULL, 0), 0},     {"team watch", zchunk_new (NULL, 0), 0},
        {"EVENTS", zchunk_new (NULL, 0), 0},    {"GET", zchunk_new (NULL, 0), 0},
        {"staff GET", zchunk_new (NULL, 0), 0},
    };
    sein_keys_t *keys = sein_harness_keys (h, "gis");
    assert_non_null (keys);
    zsock_t *sub = zsock_new (ZMQ_SUB);
    zsock_set_rcvhwm (sub, 0);
    sein_keys_apply (keys, sub);
    zsock_set_subscribe (sub, "");
    zsock_connect (sub, "%s", h->publish);
    sein_keys_destroy (&keys);
    zclock_sleep (300); //  a subscription takes effect after the handshake
    sein_client_t *desk = s_client (h, "desk");
    s_pipeline (desk, SEIN_SUBMIT, S_SIGNALS, s_make_signal, &captures[0], sub, &captures[1]);
    sein_client_destroy (&desk);
    //  The last events may still be on their way.
    zpoller_t *poller = zpoller_new (sub, NULL);
    while (zpoller_wait (poller, 500) == sub)
        s_drain_sub (sub, &captures[1]);
    zpoller_destroy (&poller);
    zsock_destroy (&sub);
    //  An unnarrowed watcher (admin) and a team's, replaying all of them.
    const char *watchers[] = {"harness", "dash"};
    for (int which = 0; which < 2; which++) {
        sein_watcher_t *watcher = sein_watcher_new (h->watch, NULL, s_first, NULL, 1000);
        keys = sein_harness_keys (h, watchers[which]);
        assert_non_null (keys);
        sein_watcher_set_keys (watcher, keys);
        sein_keys_destroy (&keys);
        size_t size;
        const char *event;
        while ((event = sein_watcher_recv_raw (watcher, 1500, &size)))
            s_capture (&captures[2 + which], event, size);
        sein_watcher_destroy (&watcher);
    }
    sein_client_t *admin = s_client (h, "harness");
    s_pipeline (admin, SEIN_EVENTS, S_SIGNALS / 1000, s_make_events, &captures[4], NULL, NULL);
    s_pipeline (admin, SEIN_GET, S_SIGNALS, s_make_get, &captures[5], NULL, NULL);
    sein_client_destroy (&admin);
    sein_client_t *staff = s_client (h, "staff");
    s_pipeline (staff, SEIN_GET, S_SIGNALS, s_make_get, &captures[6], NULL, NULL);
    sein_client_destroy (&staff);

    //  Every channel carried the signals; none a byte of their reporters.
    size_t expected[] = {S_SIGNALS, 1, S_SIGNALS, S_SIGNALS / 2, S_SIGNALS / 1000, S_SIGNALS,
                         S_SIGNALS};
    for (size_t index = 0; index < sizeof captures / sizeof captures[0]; index++) {
        s_capture_t *capture = &captures[index];
        if (capture->messages < expected[index])
            fail_msg ("%s: %zu messages, %zu expected", capture->what, capture->messages,
                      expected[index]);
        for (size_t marker = 0; marker < 3; marker++)
            if (memmem (zchunk_data (capture->bytes), zchunk_size (capture->bytes),
                        s_markers[marker], strlen (s_markers[marker])))
                fail_msg ("%s holds '%s'", capture->what, s_markers[marker]);
        //  The acks and the admin's GETs were all answered in full.
        if ((index == 0 || index == 5) &&
            memmem (zchunk_data (capture->bytes), zchunk_size (capture->bytes), "rejected", 8))
            fail_msg ("%s: a request was rejected", capture->what);
        zchunk_destroy (&capture->bytes);
    }
    //  They were stored: the last one's details, for an allowed role.
    json_t *reply = s_call (h, "harness", "REPORTER",
                            json_pack ("{s:I}", "signal", (json_int_t) (s_first + S_SIGNALS - 1)));
    assert_string_equal (json_string_value (json_object_get (json_object_get (reply, "reporter"),
                                                             "email")),
                         "r09999@rptr.example");
    json_decref (reply);
}

//  ---------------------------------------------------------------------

static void
test_reporter_roles (void **state)
{
    sein_harness_t *h = (sein_harness_t *) *state;
    int64_t ours = s_submit (h, "desk", "heverlee", "Kapotte lantaarnpaal", "roles@x.example");
    int64_t theirs = s_submit (h, "desk", "kessel-lo", "Kapotte bank", "other@x.example");
    //  Staff of the signal's team, and the admin: the details, logged.
    const char *allowed[] = {"staff", "harness"};
    for (int which = 0; which < 2; which++) {
        json_t *reply = s_call (h, allowed[which], "REPORTER",
                                json_pack ("{s:I}", "signal", (json_int_t) ours));
        assert_string_equal (json_string_value (json_object_get (reply, "status")), "ok");
        json_t *reporter = json_object_get (reply, "reporter");
        assert_string_equal (json_string_value (json_object_get (reporter, "email")),
                             "roles@x.example");
        assert_string_equal (json_string_value (json_object_get (reporter, "name")),
                             "Test Persoon");
        json_decref (reply);
        char *sql = zsys_sprintf ("SELECT count(*) FROM access_log WHERE who = '%s'"
                                  " AND signal = %lld AND what = 'reporter'",
                                  allowed[which], (long long) ours);
        char *count = s_sql (h, false, sql);
        assert_string_equal (count, "1");
        free (count);
        zstr_free (&sql);
    }
    //  Other roles, and staff outside the signal's teams: forbidden, and
    //  nothing logged.
    struct {
        const char *key;
        int64_t seq;
    } refused[] = {{"desk", ours}, {"dash", ours}, {"gis", ours}, {"staff2", ours},
                   {"staff", theirs}};
    for (size_t index = 0; index < sizeof refused / sizeof refused[0]; index++) {
        json_t *reply = s_call (h, refused[index].key, "REPORTER",
                                json_pack ("{s:I}", "signal", (json_int_t) refused[index].seq));
        if (!streq (s_code (reply), "forbidden"))
            fail_msg ("REPORTER by %s: %s", refused[index].key, json_dumps (reply, 0));
        assert_null (json_object_get (reply, "reporter"));
        json_decref (reply);
    }
    char *count = s_sql (h, false, "SELECT count(*) FROM access_log WHERE who IN"
                                   " ('desk', 'dash', 'gis', 'staff2')");
    assert_string_equal (count, "0");
    free (count);
    //  seinctl: get shows no details without --reporter, and does with it.
    char *seq = zsys_sprintf ("%lld", (long long) ours), *output = NULL;
    assert_int_equal (sein_harness_run (h, NULL, &output, "seinctl", "get", seq, NULL), 0);
    assert_null (strstr (output, "roles@x.example"));
    zstr_free (&output);
    assert_int_equal (sein_harness_run (h, NULL, &output, "seinctl", "get", seq, "--reporter",
                                        NULL),
                      0);
    assert_non_null (strstr (output, "roles@x.example"));
    zstr_free (&output);
    assert_int_equal (sein_harness_run (h, NULL, &output, "seinctl", "-o", "client.key=desk",
                                        "get", seq, "--reporter", NULL),
                      65);
    zstr_free (&output);
    zstr_free (&seq);
}

//  Staff of one team can neither read nor change another team's signal,
//  and do not see it in lists, counts or events.
static void
test_team_scope (void **state)
{
    sein_harness_t *h = (sein_harness_t *) *state;
    int64_t ours = s_submit (h, "desk", "heverlee", "Graffiti op de muur", "scope@x.example");
    char *code = s_status (h, "staff2", ours, "acknowledged");
    assert_string_equal (code, "forbidden");
    free (code);
    code = s_status (h, "staff", ours, "acknowledged");
    assert_string_equal (code, "");
    free (code);
    json_t *replies[] = {
        s_call (h, "staff2", SEIN_GET, json_pack ("{s:I}", "seq", (json_int_t) ours)),
        s_call (h, "staff2", SEIN_HISTORY, json_pack ("{s:I}", "signal", (json_int_t) ours)),
        s_call (h, "staff2", SEIN_NOTE,
                json_pack ("{s:I,s:s}", "signal", (json_int_t) ours, "note", "mine now")),
        s_call (h, "staff2", "RECLASSIFY",
                json_pack ("{s:I,s:s}", "signal", (json_int_t) ours, "area", "kessel-lo")),
    };
    for (int index = 0; index < 4; index++) {
        assert_string_equal (s_code (replies[index]), "forbidden");
        json_decref (replies[index]);
    }
    json_t *reply = s_call (h, "staff", SEIN_GET, json_pack ("{s:I}", "seq", (json_int_t) ours));
    assert_string_equal (json_string_value (json_object_get (reply, "status")), "ok");
    json_decref (reply);
    //  Lists, events and counts of the other team's staff leave it out.
    reply = s_call (h, "staff2", SEIN_LIST, json_pack ("{s:i}", "limit", 1000));
    json_t *signals = json_object_get (reply, "signals"), *signal;
    assert_true (json_array_size (signals) > 0);
    size_t index;
    json_array_foreach (signals, index, signal) {
        char *text = json_dumps (json_object_get (signal, "teams"), 0);
        if (!strstr (text, S_OTHER_TEAM))
            fail_msg ("staff2 listed %s", json_dumps (signal, JSON_COMPACT));
        free (text);
    }
    json_decref (reply);
    reply = s_call (h, "staff2", SEIN_EVENTS, json_pack ("{s:I}", "from", (json_int_t) ours));
    json_t *event;
    json_array_foreach (json_object_get (reply, "events"), index, event) {
        char *text = json_dumps (json_object_get (event, "teams"), 0);
        if (!strstr (text, S_OTHER_TEAM))
            fail_msg ("staff2 got event %s", json_dumps (event, JSON_COMPACT));
        free (text);
    }
    json_decref (reply);
    json_t *totals[2];
    const char *askers[] = {"harness", "staff2"};
    for (int which = 0; which < 2; which++) {
        reply = s_call (h, askers[which], SEIN_STATS, json_pack ("{s:[s]}", "by", "area"));
        totals[which] = json_incref (json_object_get (json_object_get (reply, "total"), "count"));
        json_decref (reply);
    }
    assert_true (json_integer_value (totals[1]) > 0);
    assert_true (json_integer_value (totals[1]) < json_integer_value (totals[0]));
    json_decref (totals[0]);
    json_decref (totals[1]);
}

//  SQL's metacharacters in every field a client fills are stored and
//  returned as they were sent.
static void
test_metacharacters (void **state)
{
    sein_harness_t *h = (sein_harness_t *) *state;
    const char *nasty = "x' OR '1'='1\"; DROP TABLE signals; -- 100% _a_ \\ end";
    json_t *body = json_pack (
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:{s:s,s:s,s:s},s:{s:s}}", "description", nasty,
        "source", "citizen", "channel", "web", "area", "heverlee", "theme", "afval",
        "external_id", nasty, "address_string", nasty, "reporter", "name", nasty, "email",
        "o'brien\"%_--;\\@x.example", "phone", nasty, "attributes", "note", nasty);
    json_t *ack = s_call (h, "desk", SEIN_SUBMIT, body);
    assert_string_equal (json_string_value (json_object_get (ack, "status")), "accepted");
    json_int_t seq = json_integer_value (json_object_get (ack, "seq"));
    json_decref (ack);
    json_t *reply = s_call (h, "harness", SEIN_GET, json_pack ("{s:I}", "seq", seq));
    json_t *signal = json_object_get (reply, "signal");
    const char *fields[] = {"description", "external_id", "address_string"};
    for (int index = 0; index < 3; index++)
        assert_string_equal (json_string_value (json_object_get (signal, fields[index])), nasty);
    assert_string_equal (
        json_string_value (json_object_get (json_object_get (signal, "attributes"), "note")),
        nasty);
    json_decref (reply);
    //  The key is found again by its literal external_id.
    reply = s_call (h, "harness", SEIN_GET,
                    json_pack ("{s:s,s:s}", "external_id", nasty, "submitter", "desk"));
    assert_int_equal (json_integer_value (json_object_get (json_object_get (reply, "signal"),
                                                           "seq")),
                      seq);
    json_decref (reply);
    reply = s_call (h, "harness", "REPORTER", json_pack ("{s:I}", "signal", seq));
    json_t *reporter = json_object_get (reply, "reporter");
    assert_string_equal (json_string_value (json_object_get (reporter, "name")), nasty);
    assert_string_equal (json_string_value (json_object_get (reporter, "phone")), nasty);
    assert_string_equal (json_string_value (json_object_get (reporter, "email")),
                         "o'brien\"%_--;\\@x.example");
    json_decref (reply);
    //  A text search with LIKE's wildcards finds nothing by accident.
    reply = s_call (h, "harness", SEIN_LIST, json_pack ("{s:s}", "team", "%"));
    assert_int_equal (json_array_size (json_object_get (reply, "signals")), 0);
    json_decref (reply);
    //  A NUL inside a string is refused, not cut short.
    sein_client_t *client = s_client (h, "desk");
    const char nul[] = "{\"description\":\"a\\u0000b\",\"source\":\"citizen\",\"channel\":"
                       "\"web\",\"area\":\"heverlee\",\"theme\":\"afval\"}";
    assert_int_equal (sein_client_send_raw (client, SEIN_SUBMIT, "nul", nul, strlen (nul), 5000),
                      0);
    reply = sein_client_recv (client, 5000, NULL, NULL);
    assert_non_null (reply);
    assert_string_equal (json_string_value (json_object_get (reply, "status")), "rejected");
    json_decref (reply);
    sein_client_destroy (&client);
    char *tables = s_sql (h, false, "SELECT count(*) FROM sqlite_master WHERE name = 'signals'");
    assert_string_equal (tables, "1");
    free (tables);
}

//  Erasure: every trace of a person goes, from the tables and the text
//  index, and the erasure is recorded without what was erased.
static void
test_erase (void **state)
{
    sein_harness_t *h = (sein_harness_t *) *state;
    const char *email = "Erase.Qwxzorro@example.org";
    int64_t seqs[] = {
        s_submit (h, "desk", "heverlee", "Zwerfvuil", email),
        s_submit (h, "desk", "kessel-lo", "Sluikstort", "erase.qwxzorro@example.org"),
        s_submit (h, "desk", "heverlee", "Bel mij: erase.qwxzorro@example.org, qwxzorro",
                  "someone@else.example"),
    };
    //  Indexed: the address is found by its words.
    json_t *reply = NULL;
    int64_t deadline = zclock_mono () + 5000;
    do {
        json_decref (reply);
        zclock_sleep (50);
        reply = s_call (h, "harness", SEIN_LIST, json_pack ("{s:s}", "text", "qwxzorro"));
    } while (json_integer_value (json_object_get (reply, "indexed_upto")) < seqs[2] &&
             zclock_mono () < deadline);
    assert_int_equal (json_array_size (json_object_get (reply, "signals")), 1);
    json_decref (reply);
    //  Staff may not erase.
    reply = s_call (h, "staff", "ERASE", json_pack ("{s:s}", "reporter", email));
    assert_string_equal (s_code (reply), "forbidden");
    json_decref (reply);
    reply = s_call (h, "harness", "ERASE", json_pack ("{s:s}", "reporter", "12"));
    assert_string_equal (s_code (reply), "value");
    json_decref (reply);
    char *output = NULL;
    assert_int_equal (sein_harness_run (h, NULL, &output, "seinctl", "erase", "--reporter",
                                        email, NULL),
                      0);
    assert_non_null (strstr (output, "erased from 3 signals"));
    zstr_free (&output);
    //  Gone from the tables, a case-insensitive search included.
    const char *checks[] = {
        "SELECT count(*) FROM reporters WHERE instr (lower (coalesce (email, '')),"
        " 'qwxzorro') > 0",
        "SELECT count(*) FROM events WHERE instr (lower (body), 'erase.qwxzorro') > 0",
        "SELECT count(*) FROM signals WHERE instr (lower (coalesce (external_id, '') ||"
        " coalesce (street, '')), 'qwxzorro') > 0",
    };
    for (int index = 0; index < 3; index++) {
        char *count = s_sql (h, false, checks[index]);
        assert_string_equal (count, "0");
        free (count);
    }
    //  Someone else's details on the third signal stay.
    char *sql = zsys_sprintf ("SELECT email FROM reporters WHERE signal = %lld",
                              (long long) seqs[2]);
    char *kept = s_sql (h, false, sql);
    assert_string_equal (kept, "someone@else.example");
    free (kept);
    zstr_free (&sql);
    char *record = s_sql (h, false, "SELECT who || '|' || signals FROM erasures");
    assert_string_equal (record, "harness|3");
    free (record);
    //  The text index follows: the address's words are gone, the rest stay.
    deadline = zclock_mono () + 5000;
    char *count = NULL;
    do {
        free (count);
        zclock_sleep (100);
        count = s_sql (h, true, "SELECT count(*) FROM signals_text WHERE signals_text"
                                " MATCH 'erase'");
    } while (!streq (count, "0") && zclock_mono () < deadline);
    assert_string_equal (count, "0");
    free (count);
    count = s_sql (h, true, "SELECT count(*) FROM signals_text WHERE signals_text"
                            " MATCH 'qwxzorro'");
    assert_string_equal (count, "1");
    free (count);
    reply = s_call (h, "harness", SEIN_LIST, json_pack ("{s:s}", "text", "erase"));
    assert_int_equal (json_array_size (json_object_get (reply, "signals")), 0);
    json_decref (reply);
}

//  A partner's case number (external_id) reaches only the submitter's
//  teams, and those who see every team; others get the event without it.
static void
test_external_id (void **state)
{
    sein_harness_t *h = (sein_harness_t *) *state;
    int64_t since = s_next_seq (h, "harness");
    json_t *body = json_pack ("{s:s,s:s,s:s,s:s,s:s,s:s}", "description", "Zwerfvuil",
                              "source", "partner", "channel", "api", "area", "heverlee",
                              "theme", "afval", "external_id", "CASE-7731-QX");
    json_t *ack = s_call (h, "desk2", SEIN_SUBMIT, body);
    char *own = json_dumps (ack, JSON_COMPACT);
    assert_non_null (strstr (own, "CASE-7731-QX")); //  its own ack carries it
    free (own);
    json_int_t seq = json_integer_value (json_object_get (ack, "seq"));
    json_decref (ack);
    //  Watchers: the signal's team sees it, the cleaners (also routed to)
    //  get the event without it; live and replayed alike.
    const char *keys[] = {"dash", "cleaner", "harness"};
    bool sees[] = {true, false, true};
    for (int which = 0; which < 3; which++) {
        sein_watcher_t *watcher = sein_watcher_new (h->watch, NULL, since, NULL, 10);
        sein_keys_t *key = sein_harness_keys (h, keys[which]);
        assert_non_null (key);
        sein_watcher_set_keys (watcher, key);
        sein_keys_destroy (&key);
        size_t size;
        const char *event = sein_watcher_recv_raw (watcher, 3000, &size);
        if (!event)
            fail_msg ("%s got no event", keys[which]);
        char *text = strndup (event, size);
        assert_non_null (strstr (text, "\"seq\":"));
        if ((strstr (text, "CASE-7731-QX") != NULL) != sees[which])
            fail_msg ("%s: %s", keys[which], text);
        //  Still a whole event: JSON, with its description.
        json_t *parsed = json_loads (text, 0, NULL);
        assert_non_null (parsed);
        assert_string_equal (json_string_value (json_object_get (parsed, "description")),
                             "Zwerfvuil");
        json_decref (parsed);
        free (text);
        sein_watcher_destroy (&watcher);
    }
    //  Live too: a cleaner following the stream (libsein asks for batches,
    //  and a live event must still go out at once, stripped) gets the next
    //  one without it.
    sein_watcher_t *live = sein_watcher_new (h->watch, NULL, 0, NULL, 10);
    sein_keys_t *cleaner = sein_harness_keys (h, "cleaner");
    assert_non_null (cleaner);
    sein_watcher_set_keys (live, cleaner);
    sein_keys_destroy (&cleaner);
    int64_t deadline = zclock_mono () + 5000;
    while (!sein_watcher_connected (live) && zclock_mono () < deadline)
        sein_watcher_recv_raw (live, 50, NULL);
    assert_true (sein_watcher_connected (live));
    json_decref (s_call (h, "desk2", SEIN_SUBMIT,
                         json_pack ("{s:s,s:s,s:s,s:s,s:s,s:s}", "description", "Zwerfvuil",
                                    "source", "partner", "channel", "api", "area",
                                    "heverlee", "theme", "afval", "external_id",
                                    "CASE-7732-QX")));
    size_t live_size = 0;
    const char *live_event = sein_watcher_recv_raw (live, 3000, &live_size);
    bool arrived = live_event != NULL,
         leaked = arrived && memmem (live_event, live_size, "CASE-7732-QX", 12);
    sein_watcher_destroy (&live);
    assert_true (arrived);
    assert_false (leaked);
    //  Queries: GET, HISTORY, EVENTS and LIST by staff of the cleaners
    //  leave it out; by staff of the signal's team they do not.
    const char *staff[] = {"staff", "cleanstaff"};
    for (int which = 0; which < 2; which++) {
        json_t *replies[] = {
            s_call (h, staff[which], SEIN_GET, json_pack ("{s:I}", "seq", seq)),
            s_call (h, staff[which], SEIN_HISTORY, json_pack ("{s:I}", "signal", seq)),
            s_call (h, staff[which], SEIN_EVENTS, json_pack ("{s:I,s:i}", "from", seq,
                                                             "limit", 1)),
            s_call (h, staff[which], SEIN_LIST, json_pack ("{s:s}", "theme", "afval")),
        };
        for (int index = 0; index < 4; index++) {
            char *text = json_dumps (replies[index], JSON_COMPACT);
            assert_string_equal (json_string_value (json_object_get (replies[index], "status")),
                                 "ok");
            if ((strstr (text, "CASE-7731-QX") != NULL) != (which == 0))
                fail_msg ("%s, query %d: %.300s", staff[which], index, text);
            free (text);
            json_decref (replies[index]);
        }
    }
}

//  The store's files are private to seind's user.
static void
test_file_modes (void **state)
{
    sein_harness_t *h = (sein_harness_t *) *state;
    const char *suffixes[] = {"", "-wal", "-shm", ".mark", ".text"};
    for (int index = 0; index < 5; index++) {
        char *path = zsys_sprintf ("%s/sein.db%s", h->dir, suffixes[index]);
        struct stat info;
        assert_int_equal (stat (path, &info), 0);
        if ((info.st_mode & 0777) != 0600)
            fail_msg ("%s is mode %04o", path, (unsigned) (info.st_mode & 0777));
        zstr_free (&path);
    }
}

//  ---------------------------------------------------------------------
//  Retention, without security, days of 300 ms

static int
s_setup_retention (void **state)
{
    sein_harness_t *h = (sein_harness_t *) zmalloc (sizeof *h);
    assert_int_equal (sein_harness_init (h, 0), 0);
    sein_harness_set (h, "retention.day=300");
    sein_harness_set (h, "retention.anonymise_days=1");
    sein_harness_set (h, "retention.delete_days=8");
    sein_harness_set (h, "retention.check=50");
    sein_harness_set (h, "security.reporter_roles=anonymous");
    sein_harness_set (h, "storage.group_readable=true");
    assert_int_equal (sein_harness_start (h), 0);
    *state = h;
    return 0;
}

static json_t *
s_reporter (sein_harness_t *h, int64_t seq)
{
    json_t *reply = s_call (h, NULL, "REPORTER", json_pack ("{s:I}", "signal", (json_int_t) seq));
    json_t *reporter = json_incref (json_object_get (reply, "reporter"));
    json_decref (reply);
    return reporter;
}

static void
test_retention (void **state)
{
    sein_harness_t *h = (sein_harness_t *) *state;
    int64_t closed = s_submit (h, NULL, "heverlee", "Zwerfvuil", "old@x.example");
    int64_t open = s_submit (h, NULL, "heverlee", "Sluikstort", "open@x.example");
    int64_t start = zclock_mono ();
    const char *path[] = {"resolved", "closed"};
    for (int index = 0; index < 2; index++) {
        char *code = s_status (h, NULL, closed, path[index]);
        assert_string_equal (code, "");
        free (code);
    }
    //  Details anonymised about a day (300 ms) after closing, not before.
    json_t *reporter = s_reporter (h, closed);
    assert_int_equal (json_object_size (reporter), 2);
    json_decref (reporter);
    int64_t anonymised = 0;
    while (!anonymised && zclock_mono () < start + 5000) {
        zclock_sleep (50);
        reporter = s_reporter (h, closed);
        if (json_object_size (reporter) == 0)
            anonymised = zclock_mono () - start;
        json_decref (reporter);
    }
    assert_true (anonymised >= 250 && anonymised < 2000);
    reporter = s_reporter (h, open);
    assert_string_equal (json_string_value (json_object_get (reporter, "email")),
                         "open@x.example");
    json_decref (reporter);
    //  Deleted after eight days (2.4 s): GET finds nothing, the events
    //  are tombstones at their seqs, the open signal stays.
    json_t *reply = NULL;
    do {
        json_decref (reply);
        zclock_sleep (100);
        reply = s_call (h, NULL, SEIN_GET, json_pack ("{s:I}", "seq", (json_int_t) closed));
    } while (!streq (s_code (reply), "not-found") && zclock_mono () < start + 10000);
    assert_string_equal (s_code (reply), "not-found");
    json_decref (reply);
    assert_true (zclock_mono () - start >= 2400);
    reply = s_call (h, NULL, SEIN_EVENTS, json_pack ("{s:I}", "from", (json_int_t) closed));
    json_t *events = json_object_get (reply, "events"), *event;
    size_t index, tombstones = 0;
    int64_t last = closed - 1;
    json_array_foreach (events, index, event) {
        int64_t seq = json_integer_value (json_object_get (event, "seq"));
        assert_int_equal (seq, last + 1); //  gapless
        last = seq;
        if (streq (json_string_value (json_object_get (event, "event")), "deleted")) {
            tombstones++;
            assert_int_equal (
                json_integer_value (json_object_get (json_object_get (event, "signal"), "seq")),
                closed);
            assert_null (json_object_get (event, "description"));
        }
    }
    assert_int_equal (tombstones, 3); //  the signal, resolved, closed
    json_decref (reply);
    reply = s_call (h, NULL, SEIN_GET, json_pack ("{s:I}", "seq", (json_int_t) open));
    assert_string_equal (json_string_value (json_object_get (reply, "status")), "ok");
    json_decref (reply);
    //  Each run that did something is logged with its counts.
    char log[65536] = "";
    FILE *file = fopen (h->log, "r");
    assert_non_null (file);
    size_t size = fread (log, 1, sizeof log - 1, file);
    log[size] = 0;
    fclose (file);
    assert_non_null (strstr (log, "retention: 1 signals anonymised, 0 deleted"));
    assert_non_null (strstr (log, "retention: 0 signals anonymised, 1 deleted"));
    //  storage.group_readable: the group may read the store.
    const char *suffixes[] = {"", "-wal", "-shm", ".mark", ".text"};
    for (index = 0; index < 5; index++) {
        char *name = zsys_sprintf ("%s/sein.db%s", h->dir, suffixes[index]);
        struct stat info;
        assert_int_equal (stat (name, &info), 0);
        if ((info.st_mode & 0777) != 0640)
            fail_msg ("%s is mode %04o", name, (unsigned) (info.st_mode & 0777));
        zstr_free (&name);
    }
}

int
main (void)
{
    zsys_init ();
    zsys_set_logstream (stderr);
    const struct CMUnitTest secure[] = {
        cmocka_unit_test (test_no_leak),    cmocka_unit_test (test_reporter_roles),
        cmocka_unit_test (test_team_scope), cmocka_unit_test (test_metacharacters),
        cmocka_unit_test (test_erase),      cmocka_unit_test (test_external_id),
        cmocka_unit_test (test_file_modes),
    };
    const struct CMUnitTest plain[] = {
        cmocka_unit_test (test_retention),
    };
    int failed = cmocka_run_group_tests_name ("secure", secure, s_setup, s_teardown);
    return failed + cmocka_run_group_tests_name ("retention", plain, s_setup_retention,
                                                 s_teardown);
}
