// SPDX-License-Identifier: MPL-2.0
/*  test_lifecycle.c - a signal's life after intake (issue 10)

    Unit tests of the workflow table (sein_lifecycle.c): every pair of
    states, allowed or refused with `transition` naming the allowed ones,
    and the checks a change's body gets before the store. Then integration
    tests through the real seind: changes acked with their own seq, seen
    by the signal's team's watcher (live and resuming from an earlier seq)
    and not by another team's; refusals (`not-found`, `transition`,
    `value`) that reject only the change; deadlines and one `overdue`
    event per signal, new rules applied by a reload to new signals only;
    nearby reports linked inside the radius, not outside it or across
    themes, and unlinked; history; GET by seq and by external id.
*/
#include "sein_harness.h"
#include "sein.h"
#include "sein_lifecycle.h"
#include "sein_setup.h"

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <czmq.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#define S_REPLY_MS 5000

//  ---------------------------------------------------------------------
//  The workflow table

//  The workflow as docs/PROTOCOL.md states it, written out pair by pair
//  (not derived from the code's table): FROM -> the states it may become.
static const struct {
    const char *from;
    const char *to[8];
} s_spec[] = {
    {"new", {"acknowledged", "in_progress", "referred", "resolved", "duplicate", "rejected"}},
    {"acknowledged", {"in_progress", "referred", "resolved", "duplicate", "rejected"}},
    {"in_progress", {"referred", "resolved", "duplicate", "rejected"}},
    {"referred",
     {"acknowledged", "in_progress", "referred", "resolved", "duplicate", "rejected"}},
    {"resolved", {"closed", "reopened"}},
    {"closed", {"reopened"}},
    {"duplicate", {"closed", "reopened"}},
    {"rejected", {"closed", "reopened"}},
    {"reopened",
     {"acknowledged", "in_progress", "referred", "resolved", "duplicate", "rejected"}},
};

static bool
s_spec_allows (const char *from, const char *to)
{
    for (size_t row = 0; row < sizeof s_spec / sizeof s_spec[0]; row++)
        if (streq (s_spec[row].from, from))
            for (size_t index = 0; index < 8 && s_spec[row].to[index]; index++)
                if (streq (s_spec[row].to[index], to))
                    return true;
    return false;
}

static void
test_every_transition (void **state)
{
    (void) state;
    assert_int_equal (sizeof s_spec / sizeof s_spec[0], SEIN_NSTATES);
    int refused = 0;
    for (int from = 0; from < SEIN_NSTATES; from++) {
        const char *from_name = sein_state_name ((sein_state_t) from);
        assert_int_equal (sein_state_find (from_name), from);
        for (int to = 0; to < SEIN_NSTATES; to++) {
            const char *to_name = sein_state_name ((sein_state_t) to);
            bool expected = s_spec_allows (from_name, to_name);
            sein_error_t error;
            memset (&error, 0, sizeof error);
            int rc = sein_state_check ((sein_state_t) from, (sein_state_t) to, &error);
            if (expected != (rc == 0))
                fail_msg ("%s -> %s: expected %s", from_name, to_name,
                          expected ? "allowed" : "refused");
            if (expected)
                continue;
            refused++;
            assert_string_equal (error.code, "transition");
            //  The message names exactly the states FROM may go to.
            const char *list = strstr (error.message, "it can become: ");
            assert_non_null (list);
            for (int other = 0; other < SEIN_NSTATES; other++) {
                const char *name = sein_state_name ((sein_state_t) other);
                char needle[40];
                char *copy = zsys_sprintf ("%s,", list + strlen ("it can become:"));
                snprintf (needle, sizeof needle, " %s,", name);
                bool named = strstr (copy, needle) != NULL;
                zstr_free (&copy);
                if (named != s_spec_allows (from_name, name))
                    fail_msg ("%s -> %s: message '%s' %s %s", from_name, to_name,
                              error.message, named ? "names" : "lacks", name);
            }
        }
    }
    //  81 pairs, of which the spec allows 34.
    assert_int_equal (refused, SEIN_NSTATES * SEIN_NSTATES - 34);
    assert_true (sein_state_open (SEIN_STATE_NEW));
    assert_true (sein_state_open (SEIN_STATE_REOPENED));
    assert_true (sein_state_open (SEIN_STATE_REFERRED));
    assert_false (sein_state_open (SEIN_STATE_RESOLVED));
    assert_false (sein_state_open (SEIN_STATE_DUPLICATE));
    assert_int_equal (sein_state_find ("done"), -1);
}

//  ---------------------------------------------------------------------
//  Checking a change's body (no store)

typedef struct {
    const char *command;
    const char *body;
    const char *code; //  NULL: accepted
    const char *field;
} s_body_case_t;

static const s_body_case_t s_bodies[] = {
    {SEIN_STATUS, "{\"signal\":\"x\",\"status\":\"acknowledged\"}", NULL, NULL},
    {SEIN_STATUS, "{\"signal\":12,\"status\":\"resolved\",\"by\":\"desk-1\"}", NULL, NULL},
    {SEIN_STATUS, "{\"status\":\"acknowledged\"}", "required", "signal"},
    {SEIN_STATUS, "{\"signal\":0,\"status\":\"acknowledged\"}", "value", "signal"},
    {SEIN_STATUS, "{\"signal\":true,\"status\":\"acknowledged\"}", "type", "signal"},
    {SEIN_STATUS, "{\"signal\":\"\",\"status\":\"acknowledged\"}", "empty", "signal"},
    {SEIN_STATUS, "{\"signal\":\"x\"}", "required", "status"},
    {SEIN_STATUS, "{\"signal\":\"x\",\"status\":\"done\"}", "value", "status"},
    {SEIN_STATUS, "{\"signal\":\"x\",\"status\":\"new\"}", "value", "status"},
    {SEIN_STATUS, "{\"signal\":\"x\",\"status\":3}", "type", "status"},
    {SEIN_STATUS, "{\"signal\":\"x\",\"status\":\"rejected\"}", "required", "note"},
    {SEIN_STATUS, "{\"signal\":\"x\",\"status\":\"rejected\",\"note\":\"spam\"}", NULL, NULL},
    {SEIN_STATUS, "{\"signal\":\"x\",\"status\":\"referred\",\"note\":\"not ours\"}",
     "required", "team"},
    {SEIN_STATUS, "{\"signal\":\"x\",\"status\":\"referred\",\"team\":\"dienst-groen\"}",
     "required", "note"},
    {SEIN_STATUS,
     "{\"signal\":\"x\",\"status\":\"referred\",\"team\":\"dienst-groen\",\"note\":\"n\"}",
     NULL, NULL},
    {SEIN_STATUS,
     "{\"signal\":\"x\",\"status\":\"referred\",\"team\":\"dienst-nope\",\"note\":\"n\"}",
     "unknown-team", "team"},
    {SEIN_STATUS, "{\"signal\":\"x\",\"status\":\"resolved\",\"team\":\"dienst-groen\"}",
     "value", "team"},
    {SEIN_STATUS, "{\"signal\":\"x\",\"status\":\"duplicate\"}", "required", "of"},
    {SEIN_STATUS, "{\"signal\":\"x\",\"status\":\"duplicate\",\"of\":7}", NULL, NULL},
    {SEIN_STATUS, "{\"signal\":\"x\",\"status\":\"closed\",\"of\":7}", "value", "of"},
    {SEIN_STATUS, "{\"signal\":\"x\",\"status\":\"resolved\",\"note\":\"a\\u0007b\"}",
     "value", "note"},
    {SEIN_STATUS, "{\"signal\":\"x\",\"status\":\"resolved\",\"note\":\"line\\nline\"}",
     NULL, NULL},
    {SEIN_STATUS, "{\"signal\":\"x\",\"status\":\"resolved\",\"by\":\"Jan Peeters\"}",
     "value", "by"},
    {SEIN_NOTE, "{\"signal\":\"x\"}", "required", "note"},
    {SEIN_NOTE, "{\"signal\":\"x\",\"note\":\"\"}", "empty", "note"},
    {SEIN_NOTE, "{\"signal\":\"x\",\"note\":\"called back\"}", NULL, NULL},
    {SEIN_ASSIGN, "{\"signal\":\"x\"}", "required", "team"},
    {SEIN_ASSIGN, "{\"signal\":\"x\",\"team\":\"dienst-groen\",\"person\":\"An\"}", NULL,
     NULL},
    {SEIN_ASSIGN, "{\"signal\":\"x\",\"team\":\"dienst-groen\",\"person\":\"A\\tn\"}",
     "value", "person"},
    {SEIN_UNLINK, "{\"signal\":5}", NULL, NULL},
    {SEIN_RECLASSIFY, "{\"signal\":5}", "required", "theme"},
    {SEIN_RECLASSIFY, "{\"signal\":5,\"theme\":\"groen\"}", NULL, NULL},
    {SEIN_RECLASSIFY, "{\"signal\":5,\"area\":\"casablanca\",\"note\":\"Lolanden\"}", NULL,
     NULL},
    {SEIN_RECLASSIFY, "{\"signal\":5,\"area\":\"triage\"}", NULL, NULL},
    {SEIN_RECLASSIFY, "{\"signal\":5,\"theme\":\"parking\"}", "unknown-theme", "theme"},
    {SEIN_RECLASSIFY, "{\"signal\":5,\"theme\":\"groen\",\"area\":\"leuven\"}",
     "unknown-area", "area"},
    {SEIN_RECLASSIFY, "{\"signal\":5,\"theme\":7}", "type", "theme"},
    {SEIN_RECLASSIFY, "{\"theme\":\"groen\"}", "required", "signal"},
};

static void
test_change_bodies (void **state)
{
    (void) state;
    char *error_text = NULL;
    char *config = zsys_sprintf ("%s/conf/sein.cfg", SEIN_SOURCE_DIR);
    sein_setup_t *setup = sein_setup_load (config, NULL, 0, &error_text);
    zstr_free (&config);
    if (!setup)
        fail_msg ("setup: %s", error_text);
    for (size_t index = 0; index < sizeof s_bodies / sizeof s_bodies[0]; index++) {
        const s_body_case_t *item = &s_bodies[index];
        json_t *body = json_loads (item->body, 0, NULL);
        assert_non_null (body);
        sein_change_t change;
        sein_error_t error;
        memset (&error, 0, sizeof error);
        int rc = sein_change_parse (&change, item->command, body, setup, &error);
        if (!item->code && rc != 0)
            fail_msg ("%s %s: refused %s (%s)", item->command, item->body, error.code,
                      error.message);
        if (item->code) {
            if (rc == 0)
                fail_msg ("%s %s: accepted, expected %s", item->command, item->body,
                          item->code);
            if (!streq (error.code, item->code) || !error.field ||
                !streq (error.field, item->field))
                fail_msg ("%s %s: got %s/%s, expected %s/%s", item->command, item->body,
                          error.code, error.field ? error.field : "null", item->code,
                          item->field);
        } else
            assert_non_null (change.by);
        json_decref (body);
    }
    sein_setup_destroy (&setup);
}

//  The bundled configuration with its deadlines list replaced by ROWS
//  (NULL: none), written to PATH; the data files are named where they are.
static void
s_write_config (const char *path, const char *rows)
{
    char *source = zsys_sprintf ("%s/conf/sein.cfg", SEIN_SOURCE_DIR);
    zchunk_t *chunk = zchunk_slurp (source, 0);
    zstr_free (&source);
    assert_non_null (chunk);
    char *text = zchunk_strdup (chunk);
    zchunk_destroy (&chunk);
    char *cut = strstr (text, "\ndeadlines = (");
    assert_non_null (cut);
    *cut = 0;
    //  Relative data paths resolve against the copy's directory.
    char *data = strstr (text, "\ndata = {");
    assert_non_null (data);
    FILE *file = fopen (path, "w");
    assert_non_null (file);
    fprintf (file, "%.*s", (int) (data - text), text);
    fprintf (file, "\ndata = { areas = \"%s/conf/areas.tsv\"; polygons = \"%s/conf/areas.geojson\";"
                   " streets = \"%s/conf/streets.tsv\"; places = \"%s/conf/places.tsv\";"
                   " themes = \"%s/conf/themes.tsv\";"
                   " theme_rules = \"%s/conf/theme-rules.tsv\";"
                   " priority_rules = \"%s/conf/priority-rules.tsv\"; };\n",
             SEIN_SOURCE_DIR, SEIN_SOURCE_DIR, SEIN_SOURCE_DIR, SEIN_SOURCE_DIR,
             SEIN_SOURCE_DIR, SEIN_SOURCE_DIR, SEIN_SOURCE_DIR);
    fprintf (file, "%s", strchr (data + 1, '}') + 2);
    fprintf (file, "\n");
    if (rows)
        fprintf (file, "deadlines = (\n%s\n);\n", rows);
    fclose (file);
    free (text);
}

static void
test_deadline_rules (void **state)
{
    (void) state;
    char *error = NULL;
    char *config = zsys_sprintf ("%s/conf/sein.cfg", SEIN_SOURCE_DIR);
    sein_setup_t *setup = sein_setup_load (config, NULL, 0, &error);
    zstr_free (&config);
    if (!setup)
        fail_msg ("setup: %s", error);
    //  The bundled rows: a priority's row beats the theme's.
    assert_int_equal (sein_deadlines_ms (setup->deadlines, "veiligheid", "urgent"),
                      4 * 3600000);
    assert_int_equal (sein_deadlines_ms (setup->deadlines, "veiligheid", "normal"),
                      48 * 3600000);
    assert_int_equal (sein_deadlines_ms (setup->deadlines, "afval", "urgent"), 72 * 3600000);
    assert_int_equal (sein_deadlines_ms (setup->deadlines, "jeugd", "normal"), 0);
    sein_setup_destroy (&setup);

    //  Each refusal names the file and the line of the row at fault.
    char path[256];
    snprintf (path, sizeof path, "%s/tests/deadlines-%d.cfg", SEIN_BINARY_DIR, (int) getpid ());
    static const struct {
        const char *rows;
        const char *message;
    } bad[] = {
        {"  { theme = \"afval\"; hours = 3; },\n  { theme = \"afvl\"; hours = 3; }",
         ":3: deadline: unknown theme 'afvl'"},
        {"  { theme = \"afval\"; priority = \"soon\"; hours = 3; }",
         ":2: deadline: priority must be"},
        {"  { theme = \"afval\"; hours = 0; }", ":2: deadline: hours must be"},
        {"  { theme = \"afval\"; hours = \"3\"; }", ":2: deadline: hours must be"},
        {"  { theme = \"afval\"; days = 3; }", ":2: deadline: unknown field 'days'"},
        {"  { hours = 3; }", ":2: deadline: theme (a string) is required"},
        {"  { theme = \"afval\"; hours = 3; },\n  { theme = \"afval\"; hours = 4.5; }",
         ":3: deadline: theme 'afval' is listed twice"},
    };
    for (size_t index = 0; index < sizeof bad / sizeof bad[0]; index++) {
        s_write_config (path, bad[index].rows);
        //  Messages below number lines from the list's own line, 1.
        zchunk_t *chunk = zchunk_slurp (path, 0);
        char *text = zchunk_strdup (chunk);
        zchunk_destroy (&chunk);
        char *list = strstr (text, "\ndeadlines = (");
        assert_non_null (list);
        int first = 2; //  the line after the newline in front of it
        for (char *at = text; at < list; at++)
            first += *at == '\n';
        free (text);
        error = NULL;
        setup = sein_setup_load (path, NULL, 0, &error);
        assert_null (setup);
        assert_non_null (error);
        int line = atoi (bad[index].message + 1) + first - 1;
        char *expected = zsys_sprintf ("%s:%d:%s", path, line,
                                       strchr (bad[index].message + 1, ':') + 1);
        if (!strstr (error, expected))
            fail_msg ("row %zu: '%s' lacks '%s'", index, error, expected);
        zstr_free (&expected);
        zstr_free (&error);
    }
    //  No list: no deadlines, and the setup loads.
    s_write_config (path, NULL);
    setup = sein_setup_load (path, NULL, 0, &error);
    if (!setup)
        fail_msg ("no deadlines: %s", error);
    assert_int_equal (sein_deadlines_ms (setup->deadlines, "afval", "normal"), 0);
    sein_setup_destroy (&setup);
    unlink (path);
}

//  ---------------------------------------------------------------------
//  Through the real seind

typedef struct {
    sein_harness_t harness;
    sein_client_t *client;
    uint64_t calls;
    bool passed;
} s_test_t;

//  The afval deadline in this test's config: 2.5 s.
#define S_AFVAL_MS 2520

static int
s_setup (void **state)
{
    s_test_t *self = (s_test_t *) zmalloc (sizeof *self);
    if (sein_harness_init (&self->harness, 0)) {
        free (self);
        return -1;
    }
    //  The bundled config with short deadlines: its own copy, with the
    //  data files named where they are.
    char *path = zsys_sprintf ("%s/conf/sein.cfg", SEIN_SOURCE_DIR);
    zchunk_t *chunk = zchunk_slurp (path, 0);
    zstr_free (&path);
    assert_non_null (chunk);
    char *text = zchunk_strdup (chunk);
    zchunk_destroy (&chunk);
    char *cut = strstr (text, "\ndeadlines = (");
    assert_non_null (cut);
    *cut = 0;
    snprintf (self->harness.config, sizeof self->harness.config, "%s/test.cfg",
              self->harness.dir);
    FILE *file = fopen (self->harness.config, "w");
    assert_non_null (file);
    fprintf (file,
             "%s\ndeadlines = (\n  { theme = \"afval\"; hours = 0.0007; },\n"
             "  { theme = \"groen\"; hours = 100; },\n"
             "  { theme = \"groen\"; priority = \"urgent\"; hours = 0.5; }\n);\n",
             text);
    fclose (file);
    free (text);
    sein_harness_data (&self->harness);
    sein_harness_set (&self->harness, "lifecycle.overdue_check=200");
    if (sein_harness_start (&self->harness) == 0)
        self->client = sein_client_new (self->harness.intake);
    if (!self->client) {
        fprintf (stderr, "seind did not start on %s\n", self->harness.config);
        sein_harness_cleanup (&self->harness);
        free (self);
        return -1;
    }
    *state = self;
    return 0;
}

static int
s_teardown (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    sein_client_destroy (&self->client);
    char *log = NULL;
    zchunk_t *chunk = zchunk_slurp (self->harness.log, 0);
    if (chunk) {
        log = zchunk_strdup (chunk);
        zchunk_destroy (&chunk);
    }
    if (!self->passed && log)
        fprintf (stderr, "---- seind log ----\n%s\n", log);
    int rc = log && (strstr (log, "Sanitizer") || strstr (log, "runtime error:")) ? -1 : 0;
    if (rc)
        fprintf (stderr, "sanitizer report:\n%s\n", log);
    free (log);
    sein_harness_cleanup (&self->harness);
    free (self);
    return rc;
}

static json_t *
s_call (s_test_t *self, const char *command, json_t *body)
{
    json_t *reply = sein_client_call (self->client, command, body, S_REPLY_MS);
    json_decref (body);
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
    return json_integer_value (json_object_get (object, key));
}

static void
s_assert_status (json_t *reply, const char *status, const char *context)
{
    if (!s_str (reply, "status") || !streq (s_str (reply, "status"), status)) {
        char *text = json_dumps (reply, JSON_COMPACT);
        fail_msg ("%s: expected %s, got %s", context, status, text);
    }
}

//  Submit a signal of THEME at LAT/LON (0: none) with KEY as external id.
static json_t *
s_submit (s_test_t *self, const char *theme, double lat, double lon, const char *key)
{
    json_t *body = json_pack ("{s:s,s:s,s:s,s:s,s:s}", "description",
                              "Zwerfvuil en een kapotte bank aan het plein", "source",
                              "citizen", "theme", theme, "external_id", key, "submitter",
                              "test-desk");
    if (lat != 0) {
        json_object_set_new (body, "lat", json_real (lat));
        json_object_set_new (body, "long", json_real (lon));
    } else
        json_object_set_new (body, "area", json_string ("heverlee"));
    json_t *reply = s_call (self, SEIN_SUBMIT, body);
    s_assert_status (reply, "accepted", key);
    return reply;
}

//  A change COMMAND with BODY; returns the reply.
static json_t *
s_change (s_test_t *self, const char *command, json_t *body)
{
    return s_call (self, command, body);
}

static void
s_assert_refused (json_t *reply, const char *code, const char *context)
{
    s_assert_status (reply, "rejected", context);
    const char *got = s_str (json_object_get (reply, "error"), "code");
    if (!got || !streq (got, code))
        fail_msg ("%s: expected %s, got %s", context, code, got ? got : "(none)");
}

//  Events a watcher receives until TIMEOUT_MS of silence, as an array.
static json_t *
s_drain (sein_watcher_t *watcher, int timeout_ms)
{
    json_t *events = json_array ();
    json_t *event;
    while ((event = sein_watcher_recv (watcher, timeout_ms)))
        json_array_append_new (events, event);
    return events;
}

//  The kinds of EVENTS about signal SEQ, joined by spaces.
static char *
s_kinds (json_t *events, int64_t seq)
{
    char kinds[512] = "";
    size_t index;
    json_t *event;
    json_array_foreach (events, index, event) {
        int64_t about = json_object_get (event, "signal")
                            ? s_int (json_object_get (event, "signal"), "seq")
                            : s_int (event, "seq");
        if (about == seq)
            snprintf (kinds + strlen (kinds), sizeof kinds - strlen (kinds), "%s%s",
                      *kinds ? " " : "", s_str (event, "event"));
    }
    return strdup (kinds);
}

static void
test_changes_reach_watchers (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    //  From seq 1 of the empty store: live, whenever the session opens.
    json_t *filter = json_pack ("{s:s}", "team", "dienst-reiniging");
    sein_watcher_t *team = sein_watcher_new (self->harness.watch, filter, 1, NULL, 100);
    json_decref (filter);
    filter = json_pack ("{s:s}", "team", "dienst-groen");
    sein_watcher_t *other = sein_watcher_new (self->harness.watch, filter, 1, NULL, 100);
    json_decref (filter);

    json_t *ack = s_submit (self, "afval", 0, 0, "life-1");
    int64_t seq = s_int (ack, "seq");
    const char *id = s_str (ack, "id");
    assert_non_null (s_str (ack, "due_at"));

    json_t *reply = s_change (self, SEIN_STATUS,
                              json_pack ("{s:s,s:s,s:s}", "signal", id, "status",
                                         "acknowledged", "by", "clerk-an"));
    s_assert_status (reply, "accepted", "acknowledge");
    assert_int_equal (s_int (reply, "seq"), seq + 1);
    assert_string_equal (s_str (reply, "event"), "status");
    assert_string_equal (s_str (reply, "from"), "new");
    assert_string_equal (s_str (reply, "to"), "acknowledged");
    assert_string_equal (s_str (reply, "by"), "clerk-an");
    assert_int_equal (s_int (json_object_get (reply, "signal"), "seq"), seq);
    assert_string_equal (s_str (json_object_get (reply, "signal"), "id"), id);
    assert_string_equal (s_str (reply, "theme"), "afval");
    json_decref (reply);

    //  A refused transition names the allowed ones and stores nothing.
    reply = s_change (self, SEIN_STATUS,
                      json_pack ("{s:I,s:s}", "signal", (json_int_t) seq, "status", "closed"));
    s_assert_refused (reply, "transition", "acknowledged -> closed");
    assert_non_null (strstr (s_str (json_object_get (reply, "error"), "message"),
                             "in_progress, referred, resolved, duplicate, rejected"));
    json_decref (reply);
    reply = s_change (self, SEIN_STATUS,
                      json_pack ("{s:s,s:s}", "signal", "no-such-id", "status", "resolved"));
    s_assert_refused (reply, "not-found", "unknown signal");
    json_decref (reply);
    reply = s_change (self, SEIN_STATUS,
                      json_pack ("{s:I,s:s,s:I}", "signal", (json_int_t) seq, "status",
                                 "duplicate", "of", (json_int_t) seq));
    s_assert_refused (reply, "value", "duplicate of itself");
    json_decref (reply);

    reply = s_change (self, SEIN_NOTE,
                      json_pack ("{s:I,s:s}", "signal", (json_int_t) seq, "note",
                                 "Buurman belde: nog steeds niet opgehaald"));
    s_assert_status (reply, "accepted", "note");
    assert_string_equal (s_str (reply, "by"), "anonymous");
    json_decref (reply);
    reply = s_change (self, SEIN_ASSIGN,
                      json_pack ("{s:I,s:s,s:s}", "signal", (json_int_t) seq, "team",
                                 "dienst-reiniging", "person", "Piet"));
    s_assert_status (reply, "accepted", "assign");
    assert_string_equal (s_str (reply, "person"), "Piet");
    json_decref (reply);
    reply = s_change (self, SEIN_STATUS,
                      json_pack ("{s:I,s:s}", "signal", (json_int_t) seq, "status",
                                 "resolved"));
    s_assert_status (reply, "accepted", "resolve");
    assert_int_equal (s_int (reply, "seq"), seq + 4);
    json_decref (reply);

    json_t *seen = s_drain (team, 500);
    char *kinds = s_kinds (seen, seq);
    assert_string_equal (kinds, "signal status note assign status");
    free (kinds);
    json_decref (seen);
    seen = s_drain (other, 200);
    assert_int_equal (json_array_size (seen), 0);
    json_decref (seen);

    //  A watcher resuming from an earlier seq gets the same, in order.
    filter = json_pack ("{s:s}", "area", "heverlee");
    sein_watcher_t *resumed = sein_watcher_new (self->harness.watch, filter, seq, NULL, 100);
    json_decref (filter);
    seen = s_drain (resumed, 500);
    kinds = s_kinds (seen, seq);
    assert_string_equal (kinds, "signal status note assign status");
    free (kinds);
    json_decref (seen);

    //  The row follows: GET by seq, and by external id.
    reply = s_call (self, SEIN_GET, json_pack ("{s:I}", "seq", (json_int_t) seq));
    s_assert_status (reply, "ok", "get by seq");
    json_t *signal = json_object_get (reply, "signal");
    assert_string_equal (s_str (signal, "status"), "resolved");
    assert_string_equal (s_str (signal, "assigned_team"), "dienst-reiniging");
    assert_string_equal (s_str (signal, "assignee"), "Piet");
    assert_non_null (s_str (signal, "acknowledged_at"));
    assert_non_null (s_str (signal, "resolved_at"));
    assert_string_equal (s_str (signal, "id"), id);
    json_decref (reply);
    reply = s_call (self, SEIN_GET,
                    json_pack ("{s:s,s:s}", "external_id", "life-1", "submitter", "test-desk"));
    s_assert_status (reply, "ok", "get by external id");
    assert_int_equal (s_int (json_object_get (reply, "signal"), "seq"), seq);
    json_decref (reply);
    reply = s_call (self, SEIN_GET, json_pack ("{s:s}", "external_id", "life-1"));
    s_assert_refused (reply, "not-found", "another submitter's key");
    json_decref (reply);
    reply = s_call (self, SEIN_GET, json_pack ("{s:I,s:s}", "seq", (json_int_t) seq, "id", id));
    s_assert_refused (reply, "value", "two keys");
    json_decref (reply);

    //  History: every event about it, in order, by id or seq.
    reply = s_call (self, SEIN_HISTORY, json_pack ("{s:s}", "signal", id));
    s_assert_status (reply, "ok", "history");
    kinds = s_kinds (json_object_get (reply, "events"), seq);
    assert_string_equal (kinds, "signal status note assign status");
    assert_int_equal (json_array_size (json_object_get (reply, "events")), 5);
    free (kinds);
    json_decref (reply);
    reply = s_call (self, SEIN_HISTORY, json_pack ("{s:I}", "signal", (json_int_t) 999999));
    s_assert_refused (reply, "not-found", "history of nothing");
    json_decref (reply);

    sein_watcher_destroy (&resumed);
    sein_watcher_destroy (&team);
    sein_watcher_destroy (&other);
    json_decref (ack);
    self->passed = true;
}

//  Is TEAM among the "teams" of EVENT?
static bool
s_has_team (json_t *event, const char *team)
{
    size_t index;
    json_t *name;
    json_array_foreach (json_object_get (event, "teams"), index, name)
        if (streq (json_string_value (name), team))
            return true;
    return false;
}

static void
test_reclassify_reroutes (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    json_t *filter = json_pack ("{s:s}", "team", "dienst-reiniging");
    sein_watcher_t *old_team = sein_watcher_new (self->harness.watch, filter, 1, NULL, 100);
    json_decref (filter);
    filter = json_pack ("{s:s}", "team", "dienst-groen");
    sein_watcher_t *new_team = sein_watcher_new (self->harness.watch, filter, 1, NULL, 100);
    json_decref (filter);

    json_t *ack = s_submit (self, "afval", 0, 0, "reclassify-1"); //  heverlee
    int64_t seq = s_int (ack, "seq");
    json_decref (ack);

    //  What a correction needs and refuses.
    json_t *reply = s_change (self, SEIN_RECLASSIFY,
                              json_pack ("{s:I}", "signal", (json_int_t) seq));
    s_assert_refused (reply, "required", "neither theme nor area");
    json_decref (reply);
    reply = s_change (self, SEIN_RECLASSIFY,
                      json_pack ("{s:I,s:s}", "signal", (json_int_t) seq, "area", "leuven"));
    s_assert_refused (reply, "unknown-area", "unknown area");
    json_decref (reply);
    reply = s_change (self, SEIN_RECLASSIFY,
                      json_pack ("{s:s,s:s}", "signal", "no-such-id", "theme", "groen"));
    s_assert_refused (reply, "not-found", "unknown signal");
    json_decref (reply);

    reply = s_change (self, SEIN_RECLASSIFY,
                      json_pack ("{s:I,s:s,s:s,s:s,s:s}", "signal", (json_int_t) seq, "theme",
                                 "groen", "area", "casablanca", "note",
                                 "omgewaaide boom, geen afval", "by", "clerk-an"));
    s_assert_status (reply, "accepted", "reclassify");
    assert_int_equal (s_int (reply, "seq"), seq + 1); //  its own seq, on the same stream
    assert_string_equal (s_str (reply, "event"), "reclassified");
    assert_string_equal (s_str (json_object_get (reply, "from"), "theme"), "afval");
    assert_string_equal (s_str (json_object_get (reply, "from"), "area"), "heverlee");
    assert_string_equal (s_str (json_object_get (reply, "to"), "theme"), "groen");
    assert_string_equal (s_str (json_object_get (reply, "to"), "area"), "casablanca");
    assert_string_equal (s_str (reply, "note"), "omgewaaide boom, geen afval");
    assert_string_equal (s_str (reply, "by"), "clerk-an");
    //  The frame's codes are the new ones; its teams the old and the new.
    assert_string_equal (s_str (reply, "theme"), "groen");
    assert_string_equal (s_str (reply, "area"), "casablanca");
    assert_string_equal (s_str (reply, "wijk"), "kessel-lo");
    assert_true (s_has_team (reply, "dienst-reiniging"));
    assert_true (s_has_team (reply, "wijkmanager-heverlee"));
    assert_true (s_has_team (reply, "dienst-groen"));
    assert_true (s_has_team (reply, "regie-casablanca"));
    json_decref (reply);

    //  Later events go to the new teams only.
    reply = s_change (self, SEIN_NOTE,
                      json_pack ("{s:I,s:s}", "signal", (json_int_t) seq, "note", "gezaagd"));
    s_assert_status (reply, "accepted", "note after");
    assert_string_equal (s_str (reply, "theme"), "groen");
    assert_false (s_has_team (reply, "dienst-reiniging"));
    assert_true (s_has_team (reply, "dienst-groen"));
    json_decref (reply);

    json_t *seen = s_drain (old_team, 500);
    char *kinds = s_kinds (seen, seq);
    assert_string_equal (kinds, "signal reclassified");
    free (kinds);
    json_decref (seen);
    seen = s_drain (new_team, 200);
    kinds = s_kinds (seen, seq);
    assert_string_equal (kinds, "reclassified note");
    free (kinds);
    json_decref (seen);

    //  The row has the new codes and teams.
    reply = s_call (self, SEIN_GET, json_pack ("{s:I}", "seq", (json_int_t) seq));
    s_assert_status (reply, "ok", "get");
    json_t *signal = json_object_get (reply, "signal");
    assert_string_equal (s_str (signal, "theme"), "groen");
    assert_string_equal (s_str (signal, "area"), "casablanca");
    assert_string_equal (s_str (signal, "wijk"), "kessel-lo");
    assert_true (s_has_team (signal, "dienst-groen"));
    assert_false (s_has_team (signal, "dienst-reiniging"));
    json_decref (reply);

    //  Theme only: the area stays.
    reply = s_change (self, SEIN_RECLASSIFY,
                      json_pack ("{s:I,s:s}", "signal", (json_int_t) seq, "theme", "afval"));
    s_assert_status (reply, "accepted", "theme only");
    assert_string_equal (s_str (json_object_get (reply, "to"), "area"), "casablanca");
    assert_string_equal (s_str (reply, "theme"), "afval");
    json_decref (reply);

    //  seinctl: the same request, its line, and its refusals.
    char number[24], *output = NULL;
    snprintf (number, sizeof number, "%lld", (long long) seq);
    assert_int_equal (sein_harness_run (&self->harness, NULL, &output, "seinctl", "reclassify",
                                        number, "--area", "wilsele", "--note", "Putkapel",
                                        NULL),
                      0);
    assert_non_null (strstr (output, "reclassified"));
    assert_non_null (strstr (output, "from=casablanca/afval"));
    assert_non_null (strstr (output, "to=wilsele/afval"));
    zstr_free (&output);
    assert_int_equal (
        sein_harness_run (&self->harness, NULL, NULL, "seinctl", "reclassify", number, NULL),
        64);
    assert_int_equal (sein_harness_run (&self->harness, NULL, NULL, "seinctl", "reclassify",
                                        number, "--theme", "parking", NULL),
                      65);

    sein_watcher_destroy (&old_team);
    sein_watcher_destroy (&new_team);
    self->passed = true;
}

//  Count the events of KIND about signal SEQ in the store.
static int
s_count (s_test_t *self, int64_t seq, const char *kind)
{
    json_t *reply = s_call (self, SEIN_HISTORY, json_pack ("{s:I}", "signal", (json_int_t) seq));
    int count = 0;
    size_t index;
    json_t *event;
    json_array_foreach (json_object_get (reply, "events"), index, event)
        count += streq (s_str (event, "event"), kind);
    json_decref (reply);
    return count;
}

static void
test_overdue_once (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    json_t *filter = json_pack ("{s:s}", "team", "dienst-reiniging");
    sein_watcher_t *team = sein_watcher_new (self->harness.watch, filter, 0, NULL, 100);
    json_decref (filter);
    zclock_sleep (300);
    int64_t started = zclock_mono ();
    json_t *late = s_submit (self, "afval", 0, 0, "due-1");
    json_t *done = s_submit (self, "afval", 0, 0, "due-2");
    //  The most specific row wins; a theme without a row has no deadline.
    json_t *groen = s_submit (self, "jeugd", 0, 0, "due-3");
    assert_null (s_str (groen, "due_at"));
    json_t *reply = s_change (self, SEIN_STATUS,
                              json_pack ("{s:I,s:s}", "signal", s_int (done, "seq"), "status",
                                         "resolved"));
    s_assert_status (reply, "accepted", "resolve before due");
    json_decref (reply);
    //  The deadline is received_at + 0.0007 h.
    char *received = strdup (s_str (late, "received_at"));
    assert_int_equal (strlen (s_str (late, "due_at")), strlen (received));
    assert_true (strcmp (s_str (late, "due_at"), received) > 0);

    json_t *overdue = NULL, *event;
    while (!overdue && (event = sein_watcher_recv (team, 8000))) {
        if (streq (s_str (event, "event"), "overdue"))
            overdue = event;
        else
            json_decref (event);
    }
    assert_non_null (overdue);
    //  Not before its time.
    assert_true (zclock_mono () - started >= S_AFVAL_MS - 300);
    assert_int_equal (s_int (json_object_get (overdue, "signal"), "seq"), s_int (late, "seq"));
    assert_string_equal (s_str (overdue, "due_at"), s_str (late, "due_at"));
    assert_true (strcmp (s_str (overdue, "at"), s_str (overdue, "due_at")) >= 0);
    json_decref (overdue);
    //  Several more searches later: still one, and none for the resolved one.
    zclock_sleep (1000);
    assert_int_equal (s_count (self, s_int (late, "seq"), "overdue"), 1);
    assert_int_equal (s_count (self, s_int (done, "seq"), "overdue"), 0);
    assert_int_equal (s_count (self, s_int (groen, "seq"), "overdue"), 0);
    json_t *rest = s_drain (team, 300);
    char *kinds = s_kinds (rest, s_int (late, "seq"));
    assert_string_equal (kinds, "");
    free (kinds);
    json_decref (rest);
    reply = s_call (self, SEIN_GET, json_pack ("{s:I}", "seq", s_int (late, "seq")));
    assert_true (json_is_true (json_object_get (json_object_get (reply, "signal"), "overdue")));
    json_decref (reply);
    free (received);
    json_decref (late);
    json_decref (done);
    json_decref (groen);
    sein_watcher_destroy (&team);
    self->passed = true;
}

//  Milliseconds since the epoch of TIME as seind writes it.
static int64_t
s_ms (const char *time)
{
    struct tm tm = {0};
    const char *rest = strptime (time, "%Y-%m-%dT%H:%M:%S", &tm);
    assert_non_null (rest);
    return (int64_t) timegm (&tm) * 1000 + atoi (rest + 1);
}

//  SIGHUP applies new deadline rules to the signals that arrive after it;
//  those stored keep theirs.
static void
test_reload_deadlines (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    json_t *before = s_submit (self, "afval", 0, 0, "reload-1");
    int64_t handling = s_ms (s_str (before, "due_at")) - s_ms (s_str (before, "received_at"));
    assert_int_equal (handling, S_AFVAL_MS);
    //  The same file with afval at 10 hours.
    zchunk_t *chunk = zchunk_slurp (self->harness.config, 0);
    char *text = zchunk_strdup (chunk);
    zchunk_destroy (&chunk);
    char *rule = strstr (text, "hours = 0.0007;");
    assert_non_null (rule);
    memcpy (rule, "hours = 10.000;", strlen ("hours = 10.000;"));
    FILE *file = fopen (self->harness.config, "w");
    assert_non_null (file);
    fputs (text, file);
    fclose (file);
    free (text);
    kill (self->harness.pid, SIGHUP);
    int64_t deadline = zclock_mono () + 5000;
    json_t *after = NULL;
    for (int index = 0; zclock_mono () < deadline; index++) {
        char key[32];
        snprintf (key, sizeof key, "reload-after-%d", index);
        after = s_submit (self, "afval", 0, 0, key);
        handling = s_ms (s_str (after, "due_at")) - s_ms (s_str (after, "received_at"));
        if (handling != S_AFVAL_MS)
            break;
        json_decref (after);
        after = NULL;
        zclock_sleep (50);
    }
    assert_non_null (after);
    assert_int_equal (handling, 10 * 3600000);
    json_t *reply = s_call (self, SEIN_GET, json_pack ("{s:I}", "seq", s_int (before, "seq")));
    assert_string_equal (s_str (json_object_get (reply, "signal"), "due_at"),
                         s_str (before, "due_at"));
    json_decref (reply);
    json_decref (before);
    json_decref (after);
    self->passed = true;
}

//  The signal SEQ as GET shows it (a fresh reference).
static json_t *
s_get (s_test_t *self, int64_t seq)
{
    json_t *reply = s_call (self, SEIN_GET, json_pack ("{s:I}", "seq", (json_int_t) seq));
    s_assert_status (reply, "ok", "get");
    json_t *signal = json_incref (json_object_get (reply, "signal"));
    json_decref (reply);
    return signal;
}

//  A correction moves the deadline with the theme: the new theme's row
//  from received_at, or none; GET, LIST and the overdue search follow.
static void
test_reclassify_deadline (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    json_t *none = s_submit (self, "jeugd", 0, 0, "redeadline-1");
    json_t *dropped = s_submit (self, "afval", 0, 0, "redeadline-2");
    json_t *longer = s_submit (self, "afval", 0, 0, "redeadline-3");
    assert_null (s_str (none, "due_at"));
    assert_non_null (s_str (dropped, "due_at"));
    int64_t none_seq = s_int (none, "seq"), dropped_seq = s_int (dropped, "seq"),
            longer_seq = s_int (longer, "seq");

    //  No deadline to afval's: received_at + 2.52 s, in the event and on the row.
    json_t *reply = s_change (self, SEIN_RECLASSIFY,
                              json_pack ("{s:I,s:s}", "signal", (json_int_t) none_seq,
                                         "theme", "afval"));
    s_assert_status (reply, "accepted", "to afval");
    assert_non_null (s_str (reply, "due_at"));
    assert_int_equal (s_ms (s_str (reply, "due_at")) - s_ms (s_str (none, "received_at")),
                      S_AFVAL_MS);
    json_t *signal = s_get (self, none_seq);
    assert_string_equal (s_str (signal, "due_at"), s_str (reply, "due_at"));
    json_decref (signal);
    json_decref (reply);

    //  Afval to a theme without a row: the deadline goes.
    reply = s_change (self, SEIN_RECLASSIFY,
                      json_pack ("{s:I,s:s}", "signal", (json_int_t) dropped_seq, "theme",
                                 "jeugd"));
    s_assert_status (reply, "accepted", "to jeugd");
    assert_null (json_object_get (reply, "due_at"));
    signal = s_get (self, dropped_seq);
    assert_null (json_object_get (signal, "due_at"));
    json_decref (signal);
    json_decref (reply);

    //  Afval to groen: 100 hours from received_at; LIST shows it too. An
    //  area alone keeps it.
    reply = s_change (self, SEIN_RECLASSIFY,
                      json_pack ("{s:I,s:s}", "signal", (json_int_t) longer_seq, "theme",
                                 "groen"));
    s_assert_status (reply, "accepted", "to groen");
    int64_t due = s_ms (s_str (reply, "due_at"));
    assert_int_equal (due - s_ms (s_str (longer, "received_at")), (int64_t) 100 * 3600000);
    json_decref (reply);
    reply = s_change (self, SEIN_RECLASSIFY,
                      json_pack ("{s:I,s:s}", "signal", (json_int_t) longer_seq, "area",
                                 "casablanca"));
    s_assert_status (reply, "accepted", "area only");
    assert_int_equal (s_ms (s_str (reply, "due_at")), due);
    json_decref (reply);
    reply = s_call (self, SEIN_LIST, json_pack ("{s:s,s:i}", "theme", "groen", "limit", 10));
    s_assert_status (reply, "ok", "list");
    bool listed = false;
    size_t index;
    json_t *item;
    json_array_foreach (json_object_get (reply, "signals"), index, item)
        if (s_int (item, "seq") == longer_seq) {
            listed = true;
            assert_int_equal (s_ms (s_str (item, "due_at")), due);
        }
    assert_true (listed);
    json_decref (reply);

    //  The overdue search goes by the new deadlines: the one that got
    //  afval's is overdue, the two whose afval deadline went are not.
    int64_t until = zclock_mono () + 8000;
    bool overdue = false;
    while (!overdue && zclock_mono () < until) {
        zclock_sleep (100);
        signal = s_get (self, none_seq);
        overdue = json_is_true (json_object_get (signal, "overdue"));
        json_decref (signal);
    }
    assert_true (overdue);
    assert_int_equal (s_count (self, none_seq, "overdue"), 1);
    //  Past their old deadline by several searches.
    zclock_sleep (800);
    assert_int_equal (s_count (self, dropped_seq, "overdue"), 0);
    assert_int_equal (s_count (self, longer_seq, "overdue"), 0);
    json_decref (none);
    json_decref (dropped);
    json_decref (longer);
    self->passed = true;
}

//  Heverlee, and points north of it at the given distance.
#define S_LAT 50.862
#define S_LON 4.699
#define S_METRE (1.0 / 111195.0) //  degrees of latitude

//  Reports stored in one commit: one `linked` event per case, after
//  them, that counts them all (docs/PROTOCOL.md, "Nearby reports").
#define S_JOINING 40

static void
test_nearby_reports_batched (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    json_t *first = s_submit (self, "groen", S_LAT, S_LON, "batch-case");
    int64_t case_seq = s_int (first, "seq");
    //  Pipelined, so that seind finds them queued together.
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    assert_non_null (dealer);
    zsock_set_rcvtimeo (dealer, S_REPLY_MS);
    assert_int_equal (zsock_connect (dealer, "%s", self->harness.intake), 0);
    for (int index = 0; index < S_JOINING; index++) {
        char *body = zsys_sprintf (
            "{\"description\":\"Zwerfvuil en een kapotte bank aan het plein\","
            "\"source\":\"citizen\",\"theme\":\"groen\",\"lat\":%.7f,\"long\":%.7f,"
            "\"external_id\":\"batch-%d\",\"submitter\":\"test-desk\"}",
            S_LAT + (index % 50) * S_METRE, S_LON, index);
        sein_harness_submit (zsock_resolve (dealer), index, body);
        zstr_free (&body);
    }
    //  Every report names the case up front.
    int64_t newest = 0;
    for (int index = 0; index < S_JOINING; index++) {
        zmsg_t *reply = zmsg_recv (dealer);
        assert_non_null (reply);
        zframe_t *frame = zmsg_last (reply);
        json_t *ack = json_loadb ((const char *) zframe_data (frame), zframe_size (frame), 0,
                                  NULL);
        zmsg_destroy (&reply);
        s_assert_status (ack, "accepted", "batched report");
        assert_int_equal (s_int (json_object_get (ack, "related_to"), "seq"), case_seq);
        if (s_int (ack, "seq") > newest)
            newest = s_int (ack, "seq");
        json_decref (ack);
    }
    zsock_destroy (&dealer);

    json_t *reply = s_call (self, SEIN_HISTORY, json_pack ("{s:I}", "signal", case_seq));
    json_t *events = json_object_get (reply, "events");
    size_t linked = json_array_size (events) - 1;
    //  Fewer events than reports, and together they count every one.
    assert_true (linked >= 1 && linked < S_JOINING);
    int64_t counted = 0, previous = case_seq;
    for (size_t index = 1; index <= linked; index++) {
        json_t *event = json_array_get (events, index);
        assert_string_equal (s_str (event, "event"), "linked");
        int64_t joined = s_int (event, "joined");
        assert_true (joined >= 1);
        counted += joined;
        assert_int_equal (s_int (event, "reports"), 1 + counted);
        //  After the reports it counts, the newest of which it names;
        //  each of those in between is a report that joined it.
        int64_t related = s_int (json_object_get (event, "related"), "seq");
        assert_true (related > previous && s_int (event, "seq") > related);
        assert_true (s_int (event, "seq") - previous - 1 >= joined);
        previous = s_int (event, "seq");
    }
    assert_int_equal (counted, S_JOINING);
    assert_true (previous > newest);
    json_decref (reply);
    reply = s_call (self, SEIN_GET, json_pack ("{s:I}", "seq", case_seq));
    assert_int_equal (s_int (json_object_get (reply, "signal"), "reports"), 1 + S_JOINING);
    json_decref (reply);
    json_decref (first);
    self->passed = true;
}

static void
test_nearby_reports_link (void **state)
{
    s_test_t *self = (s_test_t *) *state;
    json_t *first = s_submit (self, "groen", S_LAT, S_LON, "near-1");
    int64_t first_seq = s_int (first, "seq");
    assert_null (json_object_get (first, "related_to"));
    //  100 m away, same theme: linked, and the case counts two reports.
    json_t *near = s_submit (self, "groen", S_LAT + 100 * S_METRE, S_LON, "near-2");
    json_t *related = json_object_get (near, "related_to");
    assert_non_null (related);
    assert_int_equal (s_int (related, "seq"), first_seq);
    assert_string_equal (s_str (related, "id"), s_str (first, "id"));
    //  200 m away: outside the 150 m radius. Another theme: never.
    json_t *far = s_submit (self, "groen", S_LAT + 200 * S_METRE, S_LON, "near-3");
    assert_null (json_object_get (far, "related_to"));
    json_t *other = s_submit (self, "afval", S_LAT, S_LON + 10 * S_METRE, "near-4");
    assert_null (json_object_get (other, "related_to"));

    json_t *reply = s_call (self, SEIN_HISTORY, json_pack ("{s:I}", "signal", first_seq));
    json_t *events = json_object_get (reply, "events");
    assert_int_equal (json_array_size (events), 2);
    json_t *linked = json_array_get (events, 1);
    assert_string_equal (s_str (linked, "event"), "linked");
    assert_int_equal (s_int (linked, "reports"), 2);
    assert_int_equal (s_int (json_object_get (linked, "related"), "seq"), s_int (near, "seq"));
    //  The linked event is right after the new signal's own.
    assert_int_equal (s_int (linked, "seq"), s_int (near, "seq") + 1);
    json_decref (reply);
    reply = s_call (self, SEIN_GET, json_pack ("{s:I}", "seq", first_seq));
    assert_int_equal (s_int (json_object_get (reply, "signal"), "reports"), 2);
    json_decref (reply);

    //  A resolved signal takes no more reports.
    reply = s_change (self, SEIN_STATUS,
                      json_pack ("{s:I,s:s}", "signal", s_int (far, "seq"), "status", "resolved"));
    s_assert_status (reply, "accepted", "resolve far");
    json_decref (reply);
    //  At the resolved one's spot: it is not open, the first is 200 m off
    //  and near-2, 100 m off, is linked itself. This one stands alone.
    json_t *after = s_submit (self, "groen", S_LAT + 200 * S_METRE, S_LON, "near-5");
    assert_null (json_object_get (after, "related_to"));

    //  UNLINK undoes it: the case counts one again.
    reply = s_change (self, SEIN_UNLINK,
                      json_pack ("{s:I,s:s}", "signal", s_int (near, "seq"), "by", "staff-1"));
    s_assert_status (reply, "accepted", "unlink");
    assert_string_equal (s_str (reply, "event"), "unlinked");
    assert_int_equal (s_int (json_object_get (reply, "of"), "seq"), first_seq);
    assert_int_equal (s_int (reply, "reports"), 1);
    json_decref (reply);
    reply = s_call (self, SEIN_GET, json_pack ("{s:I}", "seq", first_seq));
    assert_int_equal (s_int (json_object_get (reply, "signal"), "reports"), 1);
    json_decref (reply);
    reply = s_call (self, SEIN_GET, json_pack ("{s:I}", "seq", s_int (near, "seq")));
    assert_null (json_object_get (json_object_get (reply, "signal"), "related_to"));
    json_decref (reply);
    reply = s_change (self, SEIN_UNLINK, json_pack ("{s:I}", "signal", s_int (near, "seq")));
    s_assert_refused (reply, "value", "unlink twice");
    json_decref (reply);

    json_decref (first);
    json_decref (near);
    json_decref (far);
    json_decref (other);
    json_decref (after);
    self->passed = true;
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_every_transition),
        cmocka_unit_test (test_change_bodies),
        cmocka_unit_test (test_deadline_rules),
        cmocka_unit_test_setup_teardown (test_changes_reach_watchers, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_reclassify_reroutes, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_overdue_once, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_reload_deadlines, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_reclassify_deadline, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_nearby_reports_link, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_nearby_reports_batched, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
