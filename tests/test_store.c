// SPDX-License-Identifier: MPL-2.0
/*  test_store.c - unit tests for sein_store: signals and events in SQLite

    Covers creation and migration (PRAGMA user_version set, WAL mode, a
    newer schema or a non-database refused with a message), group commit
    with gapless increasing seq, rollback giving the numbers back (also on
    destroy with an open transaction), the (submitter, external_id) key,
    event replay from a seq with a limit and early stop, a reader
    connection that sees committed data only and whose head follows the
    writer, seq_at by time, get with and without personal data, stats,
    deferred syncs, persistence across close and reopen, the upgrade from
    schema 1 and the lifecycle's searches (nearby, overdue, history), a
    checkpoint held back by a reader's snapshot (and not asked for again
    after every commit meanwhile). The owner's
    open (issue 14): a missing store refused unless INIT, the marker
    written and following sein_store_mark, a store behind its marker (a
    lost -wal after a crash) or another store in its place refused unless
    ACCEPT, a damaged marker, the lock on the file (BUSY, naming the pid),
    a newer schema refused and left as it was, and sein_store_check on a
    sound and a damaged file. Each test works in its own
    mkdtemp directory, removed by the teardown.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sein_checkpoint.h"
#include "sein_store.h"

typedef struct {
    char dir[64];
    char path[128]; //  dir/sein.db
} s_fixture_t;

static int s_setup (void **state)
{
    s_fixture_t *fixture = calloc (1, sizeof *fixture);
    if (!fixture) return -1;
    snprintf (fixture->dir, sizeof fixture->dir, "/tmp/sein-test-store-XXXXXX");
    if (!mkdtemp (fixture->dir)) {
        free (fixture);
        return -1;
    }
    snprintf (fixture->path, sizeof fixture->path, "%s/sein.db", fixture->dir);
    *state = fixture;
    return 0;
}

static int s_teardown (void **state)
{
    s_fixture_t *fixture = *state;
    const char *suffixes[] = {"", "-wal", "-shm", "-journal", ".mark"};
    for (int index = 0; index < 5; index++) {
        char path[160];
        snprintf (path, sizeof path, "%s%s", fixture->path, suffixes[index]);
        unlink (path);
    }
    int rc = rmdir (fixture->dir);
    free (fixture);
    return rc;
}

static sein_store_t *s_open (s_fixture_t *fixture)
{
    char *error = NULL;
    sein_store_t *store = sein_store_new (fixture->path, "full", &error);
    if (!store) fail_msg ("sein_store_new: %s", error);
    assert_null (error);
    return store;
}

static sein_store_t *s_open_reader (s_fixture_t *fixture)
{
    char *error = NULL;
    sein_store_t *store = sein_store_new_reader (fixture->path, &error);
    if (!store) fail_msg ("sein_store_new_reader: %s", error);
    return store;
}

//  What a test says about a signal; NULL fields take the defaults below.
typedef struct {
    const char *id;
    const char *submitter;
    const char *external_id;
    const char *at;
    const char *area;
    const char *wijk;
    const char *theme;
    const char *priority;
    const char *source;
    const char *teams;
    const char *status;
    const char *reporter_name;
    const char *reporter_email;
    const char *reporter_phone;
    double lat, lon; //  both 0: no point
    const char *due_at;
    const char *description; //  NULL: a fixed one
} s_spec_t;

#define S_OR(value, fallback) ((value) ? (value) : (fallback))

//  Add one signal in the open transaction. Returns what add_signal
//  returned; *seq_p gets the event's seq.
static int s_add (sein_store_t *store, const s_spec_t *spec, int64_t *seq_p)
{
    sein_store_signal_t signal;
    memset (&signal, 0, sizeof signal);
    signal.id = spec->id;
    signal.submitter = S_OR (spec->submitter, "desk");
    signal.external_id = spec->external_id;
    signal.reporter_name = spec->reporter_name;
    signal.reporter_email = spec->reporter_email;
    signal.reporter_phone = spec->reporter_phone;
    signal.status = S_OR (spec->status, "new");
    signal.has_point = spec->lat != 0 || spec->lon != 0;
    signal.lat = spec->lat;
    signal.lon = spec->lon;
    signal.due_at = spec->due_at;
    sein_event_t *event = &signal.event;
    event->kind = "signal";
    event->at = S_OR (spec->at, "2026-05-01T10:00:00.000Z");
    event->area = S_OR (spec->area, "heilig-hart");
    event->wijk = S_OR (spec->wijk, "heverlee");
    event->theme = S_OR (spec->theme, "afval");
    event->priority = S_OR (spec->priority, "normal");
    event->source = S_OR (spec->source, "citizen");
    event->teams = S_OR (spec->teams, ",regie-heilig-hart,dienst-reiniging,");
    //  The public body carries no personal data.
    json_t *body = json_pack ("{s:s,s:s,s:s,s:s,s:s}", "id", spec->id, "description",
                              S_OR (spec->description, "Zwerfvuil aan de bushalte"), "area", event->area, "theme",
                              event->theme, "priority", event->priority);
    assert_non_null (body);
    char *text = json_dumps (body, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref (body);
    assert_non_null (text);
    event->body = text;
    event->body_size = strlen (text);
    event->seq = -7; //  must be overwritten on success
    int rc = sein_store_add_signal (store, &signal);
    if (seq_p) *seq_p = event->seq;
    free (text);
    return rc;
}

//  Add a signal with only an id and return its seq.
static int64_t s_add_id (sein_store_t *store, const char *id)
{
    s_spec_t spec = {.id = id};
    int64_t seq = -1;
    assert_int_equal (s_add (store, &spec, &seq), 0);
    return seq;
}

//  Collects visited events.
typedef struct {
    int64_t seqs[64];
    char ids[64][32];
    char teams[64][64];
    int count;
    int stop_after; //  0: never stop
} s_seen_t;

static int s_collect (const sein_event_t *event, void *arg)
{
    s_seen_t *seen = arg;
    assert_true (seen->count < 64);
    seen->seqs[seen->count] = event->seq;
    json_t *body = json_loadb (event->body, event->body_size, 0, NULL);
    assert_non_null (body);
    snprintf (seen->ids[seen->count], sizeof seen->ids[0], "%s",
              json_string_value (json_object_get (body, "id")));
    json_decref (body);
    snprintf (seen->teams[seen->count], sizeof seen->teams[0], "%s", event->teams);
    seen->count++;
    return seen->stop_after && seen->count == seen->stop_after;
}

//  Run one query returning text on a separate connection; fresh string.
static char *s_sql_text (const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL),
                      SQLITE_OK);
    sqlite3_stmt *statement = NULL;
    assert_int_equal (sqlite3_prepare_v2 (db, sql, -1, &statement, NULL), SQLITE_OK);
    char *value = NULL;
    if (sqlite3_step (statement) == SQLITE_ROW && sqlite3_column_text (statement, 0))
        value = strdup ((const char *)sqlite3_column_text (statement, 0));
    sqlite3_finalize (statement);
    sqlite3_close (db);
    return value;
}

//  The query plan of SQL on a separate connection: every step's detail,
//  joined by ';'. Fresh string.
static char *s_plan (const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL),
                      SQLITE_OK);
    char *explain = NULL;
    assert_true (asprintf (&explain, "EXPLAIN QUERY PLAN %s", sql) > 0);
    sqlite3_stmt *statement = NULL;
    assert_int_equal (sqlite3_prepare_v2 (db, explain, -1, &statement, NULL), SQLITE_OK);
    char plan[1024] = "";
    while (sqlite3_step (statement) == SQLITE_ROW)
        snprintf (plan + strlen (plan), sizeof plan - strlen (plan), "%s;",
                  (const char *) sqlite3_column_text (statement, 3));
    sqlite3_finalize (statement);
    sqlite3_close (db);
    free (explain);
    return strdup (plan);
}

static void s_sql_exec (const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL),
                      SQLITE_OK);
    if (sqlite3_exec (db, sql, NULL, NULL, NULL) != SQLITE_OK)
        fail_msg ("%s: %s", sql, sqlite3_errmsg (db));
    sqlite3_close (db);
}

static void test_create_and_migrate (void **state)
{
    s_fixture_t *fixture = *state;
    sein_store_t *store = s_open (fixture);
    assert_int_equal (sein_store_head (store), 0);
    assert_int_equal (sein_store_next_seq (store), 1);
    //  Migrations ran and were recorded; the file is in WAL mode.
    char *version = s_sql_text (fixture->path, "PRAGMA user_version");
    assert_non_null (version);
    assert_true (atoi (version) >= 1);
    char *mode = s_sql_text (fixture->path, "PRAGMA journal_mode");
    assert_non_null (mode);
    assert_string_equal (mode, "wal");
    free (mode);
    char *tables =
        s_sql_text (fixture->path, "SELECT group_concat(name, ',') FROM (SELECT name FROM"
                                   " sqlite_master WHERE type = 'table' ORDER BY name)");
    assert_non_null (tables);
    assert_string_equal (tables,
                         "access_log,erasures,events,reindex,reporters,signals,store");
    free (tables);
    sein_store_destroy (&store);
    assert_null (store);
    sein_store_destroy (&store); //  idempotent

    //  Reopening does not migrate again or change the version.
    store = s_open (fixture);
    char *again = s_sql_text (fixture->path, "PRAGMA user_version");
    assert_string_equal (again, version);
    free (again);
    free (version);
    sein_store_destroy (&store);

    //  Every synchronous level opens.
    const char *levels[] = {"normal", "extra"};
    for (int index = 0; index < 2; index++) {
        char *error = NULL;
        store = sein_store_new (fixture->path, levels[index], &error);
        assert_non_null (store);
        assert_null (error);
        sein_store_destroy (&store);
    }
}

static void test_newer_schema_refused (void **state)
{
    s_fixture_t *fixture = *state;
    sein_store_t *store = s_open (fixture);
    sein_store_destroy (&store);
    s_sql_exec (fixture->path, "PRAGMA user_version = 1000");

    char *error = NULL;
    store = sein_store_new (fixture->path, "full", &error);
    assert_null (store);
    assert_non_null (error);
    assert_non_null (strstr (error, fixture->path));
    assert_non_null (strstr (error, "schema version 1000 is newer"));
    free (error);

    error = NULL;
    store = sein_store_new_reader (fixture->path, &error);
    assert_null (store);
    assert_non_null (error);
    assert_non_null (strstr (error, "schema version 1000"));
    free (error);

    //  Refusing did not touch the version.
    char *version = s_sql_text (fixture->path, "PRAGMA user_version");
    assert_string_equal (version, "1000");
    free (version);
}

static void test_open_errors (void **state)
{
    s_fixture_t *fixture = *state;
    //  A reader never creates the file.
    char *error = NULL;
    sein_store_t *store = sein_store_new_reader (fixture->path, &error);
    assert_null (store);
    assert_non_null (error);
    assert_non_null (strstr (error, fixture->path));
    free (error);
    assert_int_equal (access (fixture->path, F_OK), -1);

    //  A file that is not a database.
    FILE *file = fopen (fixture->path, "w");
    assert_non_null (file);
    for (int line = 0; line < 100; line++)
        fputs ("this is not an SQLite database at all, just text\n", file);
    fclose (file);
    error = NULL;
    store = sein_store_new (fixture->path, "full", &error);
    assert_null (store);
    assert_non_null (error);
    assert_non_null (strstr (error, fixture->path));
    free (error);

    //  A directory that does not exist.
    char missing[200];
    snprintf (missing, sizeof missing, "%s/no/such/dir/sein.db", fixture->dir);
    error = NULL;
    store = sein_store_new (missing, "full", &error);
    assert_null (store);
    assert_non_null (error);
    free (error);
}

static void test_gapless_seq (void **state)
{
    s_fixture_t *fixture = *state;
    sein_store_t *store = s_open (fixture);
    assert_int_equal (sein_store_begin (store), 0);
    assert_int_equal (sein_store_next_seq (store), 1);
    assert_int_equal (s_add_id (store, "a"), 1);
    assert_int_equal (s_add_id (store, "b"), 2);
    assert_int_equal (s_add_id (store, "c"), 3);
    //  head counts the open transaction's events.
    assert_int_equal (sein_store_head (store), 3);
    assert_int_equal (sein_store_next_seq (store), 4);
    assert_int_equal (sein_store_commit (store), 0);
    assert_int_equal (sein_store_head (store), 3);

    assert_int_equal (sein_store_begin (store), 0);
    assert_int_equal (s_add_id (store, "d"), 4);
    assert_int_equal (s_add_id (store, "e"), 5);
    assert_int_equal (sein_store_commit (store), 0);

    //  An empty batch commits and moves nothing.
    assert_int_equal (sein_store_begin (store), 0);
    assert_int_equal (sein_store_commit (store), 0);
    assert_int_equal (sein_store_head (store), 5);

    s_seen_t seen = {.count = 0};
    assert_int_equal (sein_store_events (store, 1, 100, s_collect, &seen), 5);
    const char *ids[] = {"a", "b", "c", "d", "e"};
    for (int index = 0; index < 5; index++) {
        assert_int_equal (seen.seqs[index], index + 1);
        assert_string_equal (seen.ids[index], ids[index]);
    }
    sein_store_destroy (&store);
}

static void test_rollback_gives_seq_back (void **state)
{
    s_fixture_t *fixture = *state;
    sein_store_t *store = s_open (fixture);
    assert_int_equal (sein_store_begin (store), 0);
    s_spec_t kept = {.id = "kept", .external_id = "K-1"};
    int64_t seq;
    assert_int_equal (s_add (store, &kept, &seq), 0);
    assert_int_equal (seq, 1);
    assert_int_equal (sein_store_commit (store), 0);

    assert_int_equal (sein_store_begin (store), 0);
    s_spec_t lost = {.id = "lost", .external_id = "L-1"};
    assert_int_equal (s_add (store, &lost, &seq), 0);
    assert_int_equal (seq, 2);
    assert_int_equal (s_add_id (store, "lost-too"), 3);
    sein_store_rollback (store);
    assert_int_equal (sein_store_head (store), 1);
    assert_int_equal (sein_store_next_seq (store), 2);

    //  Nothing of the rolled-back batch remains.
    char *body = NULL;
    assert_int_equal (sein_store_find_key (store, "desk", "L-1", &seq, &body), 0);
    assert_null (sein_store_get (store, "lost", false));
    assert_null (sein_store_get (store, "lost-too", false));

    //  The next signal reuses number 2, and may reuse the key.
    assert_int_equal (sein_store_begin (store), 0);
    s_spec_t again = {.id = "again", .external_id = "L-1"};
    assert_int_equal (s_add (store, &again, &seq), 0);
    assert_int_equal (seq, 2);
    assert_int_equal (sein_store_commit (store), 0);

    s_seen_t seen = {.count = 0};
    assert_int_equal (sein_store_events (store, 0, 100, s_collect, &seen), 2);
    assert_int_equal (seen.seqs[1], 2);
    assert_string_equal (seen.ids[1], "again");

    //  Rolling back with no open transaction changes nothing.
    sein_store_rollback (store);
    assert_int_equal (sein_store_head (store), 2);
    sein_store_destroy (&store);
}

static void test_destroy_rolls_back (void **state)
{
    s_fixture_t *fixture = *state;
    sein_store_t *store = s_open (fixture);
    assert_int_equal (sein_store_begin (store), 0);
    s_add_id (store, "one");
    assert_int_equal (sein_store_commit (store), 0);
    assert_int_equal (sein_store_begin (store), 0);
    s_add_id (store, "two");
    s_add_id (store, "three");
    sein_store_destroy (&store);

    store = s_open (fixture);
    assert_int_equal (sein_store_head (store), 1);
    assert_null (sein_store_get (store, "two", false));
    //  The transaction's lock is gone: a new batch can start.
    assert_int_equal (sein_store_begin (store), 0);
    assert_int_equal (s_add_id (store, "two"), 2);
    assert_int_equal (sein_store_commit (store), 0);
    sein_store_destroy (&store);
}

static void test_find_key (void **state)
{
    s_fixture_t *fixture = *state;
    sein_store_t *store = s_open (fixture);
    int64_t seq = -1;
    char *body = NULL;
    assert_int_equal (sein_store_find_key (store, "desk", "X-1", &seq, &body), 0);

    assert_int_equal (sein_store_begin (store), 0);
    s_add_id (store, "first");
    s_spec_t keyed = {.id = "keyed", .submitter = "desk", .external_id = "X-1"};
    int64_t keyed_seq;
    assert_int_equal (s_add (store, &keyed, &keyed_seq), 0);
    assert_int_equal (keyed_seq, 2);
    //  The writer sees its own open batch: a key repeated inside one
    //  group commit is still caught.
    assert_int_equal (sein_store_find_key (store, "desk", "X-1", &seq, &body), 1);
    assert_int_equal (seq, 2);
    free (body);
    body = NULL;
    assert_int_equal (sein_store_commit (store), 0);

    assert_int_equal (sein_store_find_key (store, "desk", "X-1", &seq, &body), 1);
    assert_int_equal (seq, 2);
    assert_non_null (body);
    json_t *json = json_loads (body, 0, NULL);
    assert_non_null (json);
    assert_string_equal (json_string_value (json_object_get (json, "id")), "keyed");
    json_decref (json);
    free (body);
    body = NULL;
    //  Neither part of the key alone matches.
    assert_int_equal (sein_store_find_key (store, "desk", "X-2", &seq, &body), 0);
    assert_int_equal (sein_store_find_key (store, "partner", "X-1", &seq, &body), 0);
    assert_null (body);

    assert_int_equal (sein_store_begin (store), 0);
    //  The same external_id from another submitter is another key.
    s_spec_t other = {.id = "other", .submitter = "partner", .external_id = "X-1"};
    assert_int_equal (s_add (store, &other, &seq), 0);
    assert_int_equal (seq, 3);
    //  The same key again adds nothing and costs no seq.
    s_spec_t twice = {.id = "twice", .submitter = "desk", .external_id = "X-1"};
    assert_int_equal (s_add (store, &twice, &seq), 1);
    assert_int_equal (sein_store_head (store), 3);
    assert_int_equal (sein_store_next_seq (store), 4);
    //  So is a second signal with the same id.
    s_spec_t same_id = {.id = "other", .submitter = "x", .external_id = "Y"};
    assert_int_equal (s_add (store, &same_id, &seq), -1);
    assert_int_equal (sein_store_next_seq (store), 4);
    //  Signals without an external_id never collide.
    assert_int_equal (s_add_id (store, "anon-1"), 4);
    assert_int_equal (s_add_id (store, "anon-2"), 5);
    assert_int_equal (sein_store_commit (store), 0);

    assert_int_equal (sein_store_find_key (store, "partner", "X-1", &seq, &body), 1);
    assert_int_equal (seq, 3);
    free (body);
    assert_null (sein_store_get (store, "twice", false));
    s_seen_t seen = {.count = 0};
    assert_int_equal (sein_store_events (store, 1, 100, s_collect, &seen), 5);
    for (int index = 0; index < 5; index++)
        assert_int_equal (seen.seqs[index], index + 1);
    sein_store_destroy (&store);
}

static void test_failed_add_is_undone (void **state)
{
    //  A signal whose event cannot be stored must leave nothing behind in
    //  the batch: no orphan row, no lost seq, and the batch goes on.
    s_fixture_t *fixture = *state;
    sein_store_t *store = s_open (fixture);
    assert_int_equal (sein_store_begin (store), 0);
    assert_int_equal (s_add_id (store, "before"), 1);
    sein_store_signal_t signal;
    memset (&signal, 0, sizeof signal);
    signal.id = "orphan";
    signal.submitter = "desk";
    signal.external_id = "O-1";
    signal.status = "new";
    signal.event = (sein_event_t){.kind = "signal",
                                  .at = "2026-05-01T10:00:00.000Z",
                                  .area = "triage",
                                  .wijk = "triage",
                                  .theme = "triage",
                                  .priority = "normal",
                                  .source = "citizen",
                                  .teams = NULL, //  events.teams is NOT NULL
                                  .body = "{}",
                                  .body_size = 2};
    assert_int_equal (sein_store_add_signal (store, &signal), -1);
    assert_non_null (strstr (sein_store_error (store), "NOT NULL"));
    assert_int_equal (sein_store_head (store), 1);
    assert_int_equal (sein_store_next_seq (store), 2);
    int64_t seq;
    char *body = NULL;
    assert_int_equal (sein_store_find_key (store, "desk", "O-1", &seq, &body), 0);
    assert_int_equal (s_add_id (store, "after"), 2);
    assert_int_equal (sein_store_commit (store), 0);
    json_t *stats = sein_store_stats (store);
    assert_non_null (stats);
    assert_int_equal (json_integer_value (json_object_get (stats, "total")), 2);
    json_decref (stats);
    sein_store_destroy (&store);
}

static void test_error_survives_rollback (void **state)
{
    //  The server reports sein_store_error after rolling the batch back;
    //  it must still say what went wrong, not "not an error".
    s_fixture_t *fixture = *state;
    sein_store_t *store = s_open (fixture);
    assert_int_equal (sein_store_begin (store), 0);
    s_spec_t first = {.id = "k1", .external_id = "K"};
    s_spec_t second = {.id = "k1", .external_id = "K2"}; //  the same id
    assert_int_equal (s_add (store, &first, NULL), 0);
    assert_int_equal (s_add (store, &second, NULL), -1);
    sein_store_rollback (store);
    assert_non_null (strstr (sein_store_error (store), "UNIQUE constraint failed"));
    //  A new batch starts with a clean slate.
    assert_int_equal (sein_store_begin (store), 0);
    assert_null (strstr (sein_store_error (store), "UNIQUE"));
    assert_int_equal (s_add (store, &first, NULL), 0);
    assert_int_equal (sein_store_commit (store), 0);
    sein_store_destroy (&store);
}

typedef struct {
    sein_event_t event;
    char strings[10][128];
    char body[512];
} s_copy_t;

static int s_copy_first (const sein_event_t *event, void *arg)
{
    s_copy_t *copy = arg;
    copy->event = *event;
    const char *fields[] = {event->kind,  event->at,       event->area,   event->wijk,
                            event->theme, event->priority, event->source, event->teams};
    for (int index = 0; index < 8; index++)
        snprintf (copy->strings[index], sizeof copy->strings[0], "%s", fields[index]);
    assert_true (event->body_size < sizeof copy->body);
    memcpy (copy->body, event->body, event->body_size);
    copy->body[event->body_size] = 0;
    return 1;
}

static void test_events (void **state)
{
    s_fixture_t *fixture = *state;
    sein_store_t *store = s_open (fixture);
    s_seen_t seen = {.count = 0};
    assert_int_equal (sein_store_events (store, 1, 10, s_collect, &seen), 0);

    assert_int_equal (sein_store_begin (store), 0);
    s_spec_t first = {.id = "s1",
                      .at = "2026-05-01T10:00:00.000Z",
                      .area = "casablanca",
                      .wijk = "kessel-lo",
                      .theme = "jeugd",
                      .priority = "high",
                      .source = "partner",
                      .teams = ",regie-casablanca,focusgroep-hangjongeren,"};
    assert_int_equal (s_add (store, &first, NULL), 0);
    char id[16];
    for (int index = 2; index <= 10; index++) {
        snprintf (id, sizeof id, "s%d", index);
        s_add_id (store, id);
    }
    assert_int_equal (sein_store_commit (store), 0);

    //  Every field of the event comes back.
    s_copy_t copy;
    memset (&copy, 0, sizeof copy);
    assert_int_equal (sein_store_events (store, 1, 10, s_copy_first, &copy), 1);
    assert_int_equal (copy.event.seq, 1);
    assert_string_equal (copy.strings[0], "signal");
    assert_string_equal (copy.strings[1], "2026-05-01T10:00:00.000Z");
    assert_string_equal (copy.strings[2], "casablanca");
    assert_string_equal (copy.strings[3], "kessel-lo");
    assert_string_equal (copy.strings[4], "jeugd");
    assert_string_equal (copy.strings[5], "high");
    assert_string_equal (copy.strings[6], "partner");
    assert_string_equal (copy.strings[7], ",regie-casablanca,focusgroep-hangjongeren,");
    assert_int_equal (copy.event.body_size, strlen (copy.body));
    json_t *body = json_loads (copy.body, 0, NULL);
    assert_non_null (body);
    assert_string_equal (json_string_value (json_object_get (body, "id")), "s1");
    json_decref (body);

    //  From the middle, with a limit.
    memset (&seen, 0, sizeof seen);
    assert_int_equal (sein_store_events (store, 4, 3, s_collect, &seen), 3);
    assert_int_equal (seen.count, 3);
    assert_int_equal (seen.seqs[0], 4);
    assert_int_equal (seen.seqs[2], 6);
    assert_string_equal (seen.ids[0], "s4");

    //  The limit reaches past the end: what is there.
    memset (&seen, 0, sizeof seen);
    assert_int_equal (sein_store_events (store, 8, 100, s_collect, &seen), 3);
    assert_int_equal (seen.seqs[2], 10);

    //  From 0 means from the start.
    memset (&seen, 0, sizeof seen);
    assert_int_equal (sein_store_events (store, 0, 2, s_collect, &seen), 2);
    assert_int_equal (seen.seqs[0], 1);

    //  Past the head: nothing, not an error.
    memset (&seen, 0, sizeof seen);
    assert_int_equal (sein_store_events (store, 11, 100, s_collect, &seen), 0);
    assert_int_equal (seen.count, 0);

    //  The callback stops the walk; the stopping event counts as visited.
    memset (&seen, 0, sizeof seen);
    seen.stop_after = 2;
    assert_int_equal (sein_store_events (store, 5, 100, s_collect, &seen), 2);
    assert_int_equal (seen.count, 2);
    assert_int_equal (seen.seqs[1], 6);

    //  A stopped walk leaves the statement reusable.
    memset (&seen, 0, sizeof seen);
    assert_int_equal (sein_store_events (store, 9, 100, s_collect, &seen), 2);
    assert_int_equal (seen.seqs[0], 9);
    sein_store_destroy (&store);
}

static void test_body_size_honoured (void **state)
{
    //  The body is stored by its size, not up to a NUL: the server hands
    //  over slices of bigger buffers.
    s_fixture_t *fixture = *state;
    sein_store_t *store = s_open (fixture);
    assert_int_equal (sein_store_begin (store), 0);
    sein_store_signal_t signal;
    memset (&signal, 0, sizeof signal);
    signal.id = "slice";
    signal.submitter = "desk";
    signal.status = "new";
    signal.event = (sein_event_t){.kind = "signal",
                                  .at = "2026-05-01T10:00:00.000Z",
                                  .area = "triage",
                                  .wijk = "triage",
                                  .theme = "triage",
                                  .priority = "normal",
                                  .source = "staff",
                                  .teams = ",triage,",
                                  .body = "{\"id\":\"slice\"}GARBAGE",
                                  .body_size = 14};
    assert_int_equal (sein_store_add_signal (store, &signal), 0);
    assert_int_equal (signal.event.seq, 1);
    assert_int_equal (sein_store_commit (store), 0);
    s_copy_t copy;
    memset (&copy, 0, sizeof copy);
    assert_int_equal (sein_store_events (store, 1, 1, s_copy_first, &copy), 1);
    assert_int_equal (copy.event.body_size, 14);
    assert_string_equal (copy.body, "{\"id\":\"slice\"}");
    //  Optional fields left NULL are fine; get still works.
    json_t *got = sein_store_get (store, "slice", true);
    assert_non_null (got);
    assert_string_equal (json_string_value (json_object_get (got, "status")), "new");
    assert_null (json_object_get (got, "external_id"));
    json_decref (got);
    sein_store_destroy (&store);
}

static void test_reader (void **state)
{
    s_fixture_t *fixture = *state;
    sein_store_t *writer = s_open (fixture);
    assert_int_equal (sein_store_begin (writer), 0);
    s_spec_t keyed = {.id = "r1", .external_id = "R-1"};
    assert_int_equal (s_add (writer, &keyed, NULL), 0);
    assert_int_equal (sein_store_commit (writer), 0);

    sein_store_t *reader = s_open_reader (fixture);
    assert_int_equal (sein_store_head (reader), 1);

    //  An open batch is invisible to the reader.
    assert_int_equal (sein_store_begin (writer), 0);
    s_spec_t pending = {.id = "r2", .external_id = "R-2"};
    assert_int_equal (s_add (writer, &pending, NULL), 0);
    s_add_id (writer, "r3");
    assert_int_equal (sein_store_head (writer), 3);
    assert_int_equal (sein_store_head (reader), 1);
    s_seen_t seen = {.count = 0};
    assert_int_equal (sein_store_events (reader, 1, 100, s_collect, &seen), 1);
    int64_t seq;
    char *body = NULL;
    assert_int_equal (sein_store_find_key (reader, "desk", "R-2", &seq, &body), 0);
    assert_null (sein_store_get (reader, "r2", false));
    assert_int_equal (sein_store_seq_at (reader, "2000-01-01T00:00:00.000Z"), 1);

    //  Once committed, the reader's head follows and it sees the events.
    assert_int_equal (sein_store_commit (writer), 0);
    assert_int_equal (sein_store_head (reader), 3);
    memset (&seen, 0, sizeof seen);
    assert_int_equal (sein_store_events (reader, 2, 100, s_collect, &seen), 2);
    assert_string_equal (seen.ids[0], "r2");
    assert_string_equal (seen.ids[1], "r3");
    assert_int_equal (sein_store_find_key (reader, "desk", "R-2", &seq, &body), 1);
    assert_int_equal (seq, 2);
    free (body);
    json_t *got = sein_store_get (reader, "r3", false);
    assert_non_null (got);
    json_decref (got);

    //  A rolled-back batch never shows.
    assert_int_equal (sein_store_begin (writer), 0);
    s_add_id (writer, "r4");
    sein_store_rollback (writer);
    assert_int_equal (sein_store_head (reader), 3);
    assert_int_equal (sein_store_seq_at (reader, "2100-01-01T00:00:00.000Z"), 4);
    json_t *stats = sein_store_stats (reader);
    assert_non_null (stats);
    assert_int_equal (json_integer_value (json_object_get (stats, "total")), 3);
    json_decref (stats);
    sein_store_destroy (&reader);

    //  A reader also opens while the writer is gone (tools on a stopped daemon).
    sein_store_destroy (&writer);
    reader = s_open_reader (fixture);
    assert_int_equal (sein_store_head (reader), 3);
    sein_store_destroy (&reader);
}

static void test_seq_at (void **state)
{
    s_fixture_t *fixture = *state;
    sein_store_t *store = s_open (fixture);
    //  Empty store: the first seq there will ever be.
    assert_int_equal (sein_store_seq_at (store, "2026-05-01T00:00:00.000Z"), 1);
    assert_int_equal (sein_store_begin (store), 0);
    s_spec_t one = {.id = "t1", .at = "2026-05-01T10:00:00.000Z"};
    s_spec_t two = {.id = "t2", .at = "2026-05-01T11:00:00.000Z"};
    s_spec_t three = {.id = "t3", .at = "2026-05-01T12:00:00.500Z"};
    assert_int_equal (s_add (store, &one, NULL), 0);
    assert_int_equal (s_add (store, &two, NULL), 0);
    assert_int_equal (s_add (store, &three, NULL), 0);
    assert_int_equal (sein_store_commit (store), 0);

    assert_int_equal (sein_store_seq_at (store, "2026-04-30T23:59:59.999Z"), 1);
    assert_int_equal (sein_store_seq_at (store, "2026-05-01T10:00:00.000Z"), 1);
    assert_int_equal (sein_store_seq_at (store, "2026-05-01T10:00:00.001Z"), 2);
    assert_int_equal (sein_store_seq_at (store, "2026-05-01T11:00:00.000Z"), 2);
    assert_int_equal (sein_store_seq_at (store, "2026-05-01T12:00:00.000Z"), 3);
    assert_int_equal (sein_store_seq_at (store, "2026-05-01T12:00:00.500Z"), 3);
    //  After the last event: head + 1, where a watcher would resume.
    assert_int_equal (sein_store_seq_at (store, "2026-05-01T12:00:00.501Z"), 4);
    assert_int_equal (sein_store_seq_at (store, "2027-01-01T00:00:00.000Z"), 4);
    sein_store_destroy (&store);
}

//  The `at` of each event from FROM on, into AT (up to 16).
typedef struct {
    char at[16][32];
    int count;
} s_ats_t;

static int s_collect_at (const sein_event_t *event, void *arg)
{
    s_ats_t *ats = arg;
    assert_true (ats->count < 16);
    snprintf (ats->at[ats->count++], sizeof ats->at[0], "%s", event->at);
    return 0;
}

//  The wall clock stepping back (NTP, an admin) hands the store earlier
//  times than it stamped before: `at` must still never go back along seq,
//  or seq_at's search by seq skips events stored later (issue 14). Such
//  events take the latest earlier `at`, also on a connection opened after
//  a restart, until the clock catches up.
static void test_at_never_goes_back (void **state)
{
    s_fixture_t *fixture = *state;
    sein_store_t *store = s_open (fixture);
    s_spec_t specs[] = {
        {.id = "c1", .at = "2026-05-01T12:00:00.000Z"},
        {.id = "c2", .at = "2026-05-01T10:00:00.000Z"}, //  stepped back 2 h
        {.id = "c3", .at = "2026-05-01T11:30:00.000Z"},
        {.id = "c4", .at = "2026-05-01T12:00:00.250Z"}, //  caught up
    };
    assert_int_equal (sein_store_begin (store), 0);
    for (int index = 0; index < 4; index++)
        assert_int_equal (s_add (store, &specs[index], NULL), 0);
    assert_int_equal (sein_store_commit (store), 0);
    sein_store_destroy (&store);

    //  After a restart the floor is the last event's `at`, read back.
    store = s_open (fixture);
    s_spec_t late = {.id = "c5", .at = "2026-05-01T09:00:00.000Z"};
    assert_int_equal (sein_store_begin (store), 0);
    assert_int_equal (s_add (store, &late, NULL), 0);
    assert_int_equal (sein_store_commit (store), 0);

    s_ats_t ats = {.count = 0};
    assert_int_equal (sein_store_events (store, 1, 16, s_collect_at, &ats), 5);
    const char *expected[] = {"2026-05-01T12:00:00.000Z", "2026-05-01T12:00:00.000Z",
                              "2026-05-01T12:00:00.000Z", "2026-05-01T12:00:00.250Z",
                              "2026-05-01T12:00:00.250Z"};
    for (int index = 0; index < 5; index++)
        assert_string_equal (ats.at[index], expected[index]);
    //  No time skips an event stored at or after it: the times the clock
    //  gave, before and after the step, all find seq 1 or the caught-up one.
    assert_int_equal (sein_store_seq_at (store, "2026-05-01T09:00:00.000Z"), 1);
    assert_int_equal (sein_store_seq_at (store, "2026-05-01T11:00:00.000Z"), 1);
    assert_int_equal (sein_store_seq_at (store, "2026-05-01T12:00:00.000Z"), 1);
    assert_int_equal (sein_store_seq_at (store, "2026-05-01T12:00:00.001Z"), 4);
    assert_int_equal (sein_store_seq_at (store, "2026-05-01T12:00:00.251Z"), 6);
    sein_store_destroy (&store);
}

static void test_get (void **state)
{
    s_fixture_t *fixture = *state;
    sein_store_t *store = s_open (fixture);
    assert_int_equal (sein_store_begin (store), 0);
    s_spec_t full = {.id = "p1",
                     .external_id = "CRM-9",
                     .status = "in-progress",
                     .reporter_name = "An Peeters",
                     .reporter_email = "an@example.be",
                     .reporter_phone = "016 00 00 00"};
    assert_int_equal (s_add (store, &full, NULL), 0);
    s_spec_t partial = {.id = "p2", .reporter_email = "bob@example.be"};
    assert_int_equal (s_add (store, &partial, NULL), 0);
    assert_int_equal (sein_store_commit (store), 0);

    //  Public view: the published body plus status, nothing personal.
    json_t *got = sein_store_get (store, "p1", false);
    assert_non_null (got);
    assert_string_equal (json_string_value (json_object_get (got, "id")), "p1");
    assert_string_equal (json_string_value (json_object_get (got, "area")),
                         "heilig-hart");
    assert_string_equal (json_string_value (json_object_get (got, "status")),
                         "in-progress");
    assert_null (json_object_get (got, "reporter"));
    assert_null (json_object_get (got, "external_id"));
    json_decref (got);

    //  Personal view adds the reporter, and only that: the store adds
    //  nothing else to the published body.
    got = sein_store_get (store, "p1", true);
    assert_non_null (got);
    assert_string_equal (json_string_value (json_object_get (got, "status")),
                         "in-progress");
    assert_null (json_object_get (got, "external_id"));
    json_t *reporter = json_object_get (got, "reporter");
    assert_true (json_is_object (reporter));
    assert_int_equal (json_object_size (reporter), 3);
    assert_string_equal (json_string_value (json_object_get (reporter, "name")),
                         "An Peeters");
    assert_string_equal (json_string_value (json_object_get (reporter, "email")),
                         "an@example.be");
    assert_string_equal (json_string_value (json_object_get (reporter, "phone")),
                         "016 00 00 00");
    json_decref (got);

    //  Only the fields given come back; no external_id when there is none.
    got = sein_store_get (store, "p2", true);
    assert_non_null (got);
    assert_string_equal (json_string_value (json_object_get (got, "status")), "new");
    assert_null (json_object_get (got, "external_id"));
    reporter = json_object_get (got, "reporter");
    assert_int_equal (json_object_size (reporter), 1);
    assert_string_equal (json_string_value (json_object_get (reporter, "email")),
                         "bob@example.be");
    json_decref (got);

    assert_null (sein_store_get (store, "nope", false));
    assert_null (sein_store_get (store, "nope", true));
    //  Ids match exactly.
    assert_null (sein_store_get (store, "P1", false));
    assert_null (sein_store_get (store, "p", false));
    sein_store_destroy (&store);
}

static int64_t s_count (json_t *stats, const char *group, const char *key)
{
    char name[32];
    snprintf (name, sizeof name, "by_%s", group);
    json_t *value = json_object_get (json_object_get (stats, name), key);
    return value ? json_integer_value (value) : -1;
}

static void test_stats (void **state)
{
    s_fixture_t *fixture = *state;
    sein_store_t *store = s_open (fixture);
    json_t *stats = sein_store_stats (store);
    assert_non_null (stats);
    assert_int_equal (json_integer_value (json_object_get (stats, "total")), 0);
    assert_int_equal (json_object_size (json_object_get (stats, "area")), 0);
    json_decref (stats);

    assert_int_equal (sein_store_begin (store), 0);
    s_spec_t specs[] = {
        {.id = "a", .area = "heilig-hart", .theme = "afval", .priority = "normal"},
        {.id = "b", .area = "heilig-hart", .theme = "jeugd", .priority = "high"},
        {.id = "c",
         .area = "casablanca",
         .wijk = "kessel-lo",
         .theme = "jeugd",
         .priority = "urgent",
         .status = "closed",
         .source = "staff"},
        {.id = "d",
         .area = "triage",
         .wijk = "triage",
         .theme = "triage",
         .priority = "normal"},
    };
    for (size_t index = 0; index < 4; index++)
        assert_int_equal (s_add (store, &specs[index], NULL), 0);
    assert_int_equal (sein_store_commit (store), 0);
    //  A rolled-back signal is not counted.
    assert_int_equal (sein_store_begin (store), 0);
    s_add_id (store, "e");
    sein_store_rollback (store);

    stats = sein_store_stats (store);
    assert_non_null (stats);
    assert_int_equal (json_integer_value (json_object_get (stats, "total")), 4);
    assert_int_equal (s_count (stats, "area", "heilig-hart"), 2);
    assert_int_equal (s_count (stats, "area", "casablanca"), 1);
    assert_int_equal (s_count (stats, "area", "triage"), 1);
    assert_int_equal (json_object_size (json_object_get (stats, "by_area")), 3);
    assert_int_equal (s_count (stats, "theme", "jeugd"), 2);
    assert_int_equal (s_count (stats, "theme", "afval"), 1);
    assert_int_equal (s_count (stats, "priority", "normal"), 2);
    assert_int_equal (s_count (stats, "priority", "high"), 1);
    assert_int_equal (s_count (stats, "priority", "urgent"), 1);
    assert_int_equal (s_count (stats, "status", "new"), 3);
    assert_int_equal (s_count (stats, "status", "closed"), 1);
    assert_int_equal (s_count (stats, "area", "nowhere"), -1);
    json_decref (stats);
    sein_store_destroy (&store);
}

//  synchronous=full with the sync taken out of COMMIT: commits are
//  visible at once, sein_store_sync fdatasyncs the log through one cached
//  descriptor; other settings and an open transaction do not defer.
static void test_deferred_sync (void **state)
{
    s_fixture_t *fixture = *state;
    int fd = -1;
    assert_int_equal (sein_store_sync (fixture->path, &fd), ENOENT);
    assert_int_equal (fd, -1);

    sein_store_t *store = s_open (fixture);
    assert_int_equal (sein_store_begin (store), 0);
    assert_false (sein_store_defer_sync (store));
    s_add_id (store, "d1");
    assert_int_equal (sein_store_commit (store), 0);
    assert_true (sein_store_defer_sync (store));
    assert_int_equal (sein_store_begin (store), 0);
    s_add_id (store, "d2");
    assert_int_equal (sein_store_commit (store), 0);
    sein_store_t *reader = s_open_reader (fixture);
    assert_int_equal (sein_store_head (reader), 2);
    assert_int_equal (sein_store_sync (fixture->path, &fd), 0);
    assert_true (fd >= 0);
    int first = fd;
    assert_int_equal (sein_store_sync (fixture->path, &fd), 0);
    assert_int_equal (fd, first);
    close (fd);
    sein_store_destroy (&reader);
    sein_store_destroy (&store);

    char *error = NULL;
    store = sein_store_new (fixture->path, "normal", &error);
    assert_non_null (store);
    assert_false (sein_store_defer_sync (store));
    sein_store_destroy (&store);
}

//  Commit one signal in a transaction of its own; NEXT numbers the ids.
static void s_log_one (sein_store_t *store, int *next)
{
    char id[32];
    snprintf (id, sizeof id, "w%d", (*next)++);
    assert_int_equal (sein_store_begin (store), 0);
    s_add_id (store, id);
    assert_int_equal (sein_store_commit (store), 0);
}

//  Commit signals one by one until the log holds at least PAGES frames.
static void s_log_until (sein_store_t *store, int pages, int *next)
{
    while (sein_store_wal_frames (store) < pages)
        s_log_one (store, next);
}

//  Wait for the checkpoint actor's answer and take it.
static void s_checkpoint_done (sein_checkpoint_t *checkpoint)
{
    zpoller_t *poller = zpoller_new (sein_checkpoint_actor (checkpoint), NULL);
    assert_non_null (zpoller_wait (poller, 5000));
    zpoller_destroy (&poller);
    assert_null (sein_checkpoint_done (checkpoint));
}

//  A reader's snapshot keeps the frames logged after it from being
//  copied: the checkpoint says how many it left, and the checkpoint actor
//  is not asked again until SEIN_CHECKPOINT_RETRY ms have passed, rather
//  than after every commit.
//  A read transaction on PATH that stays open, as a long STATS does, until
//  the caller commits and closes it.
static sqlite3 *
s_hold_snapshot (const char *path)
{
    sqlite3 *db = NULL;
    assert_int_equal (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal (sqlite3_exec (db, "BEGIN; SELECT count(*) FROM events", NULL, NULL, NULL),
                      SQLITE_OK);
    return db;
}

//  The writer's forced restart waits for a reader only so long: the log
//  stays, and the acks behind it are not held for the 5 s of every other
//  wait. It starts over once the read has ended.
static void test_restart_wait_bounded (void **state)
{
    s_fixture_t *fixture = *state;
    char *error = NULL;
    sein_store_t *store = sein_store_new (fixture->path, "normal", &error);
    assert_non_null (store);
    int next = 0;
    s_log_until (store, 10, &next);
    sqlite3 *db = s_hold_snapshot (fixture->path);
    s_log_until (store, sein_store_wal_frames (store) + 20, &next);
    int frames = sein_store_wal_frames (store);
    int64_t started = zclock_mono ();
    assert_int_equal (sein_store_checkpoint (store, true), 0);
    int64_t waited = zclock_mono () - started;
    assert_true (waited >= SEIN_STORE_RESTART_WAIT / 2);
    assert_true (waited < 1000);
    assert_int_equal (sein_store_wal_frames (store), frames);
    assert_int_equal (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close (db);
    assert_int_equal (sein_store_checkpoint (store, true), 0);
    assert_int_equal (sein_store_wal_frames (store), 0);
    sein_store_destroy (&store);
}

static void test_checkpoint_held_by_reader (void **state)
{
    s_fixture_t *fixture = *state;
    char *error = NULL;
    sein_store_t *store = sein_store_new (fixture->path, "normal", &error);
    assert_non_null (store);
    sein_store_t *second = sein_store_new (fixture->path, "normal", &error);
    assert_non_null (second);
    int next = 0;
    s_log_until (store, 10, &next);
    assert_int_equal (sein_store_checkpoint (second, false), 0);
    assert_int_equal (sein_store_checkpoint_behind (second), 0);

    sqlite3 *db = s_hold_snapshot (fixture->path);
    s_log_until (store, sein_store_wal_frames (store) + 20, &next);
    assert_int_equal (sein_store_checkpoint (second, false), 0);
    assert_true (sein_store_checkpoint_behind (second) >= 20);

    sein_checkpoint_t *checkpoint = sein_checkpoint_new (fixture->path, "normal");
    s_log_until (store, SEIN_CHECKPOINT_PAGES, &next);
    int64_t asked = zclock_mono ();
    assert_true (sein_checkpoint_after_commit (checkpoint, store));
    assert_false (sein_checkpoint_after_commit (checkpoint, store)); //  still at work
    s_checkpoint_done (checkpoint);
    s_log_one (store, &next);
    if (zclock_mono () - asked < SEIN_CHECKPOINT_RETRY)
        assert_false (sein_checkpoint_after_commit (checkpoint, store));
    zclock_sleep (SEIN_CHECKPOINT_RETRY + 5);
    s_log_one (store, &next);
    assert_true (sein_checkpoint_after_commit (checkpoint, store));
    s_checkpoint_done (checkpoint);

    //  The read ends: the next checkpoint copies everything, the log
    //  starts over at the next commit, and once it has grown again a
    //  checkpoint is asked for at once.
    assert_int_equal (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close (db);
    zclock_sleep (SEIN_CHECKPOINT_RETRY + 5);
    s_log_one (store, &next);
    assert_true (sein_checkpoint_after_commit (checkpoint, store));
    s_checkpoint_done (checkpoint);
    s_log_one (store, &next);
    assert_true (sein_store_wal_frames (store) < SEIN_CHECKPOINT_PAGES);
    assert_false (sein_checkpoint_after_commit (checkpoint, store));
    s_log_until (store, SEIN_CHECKPOINT_PAGES, &next);
    assert_true (sein_checkpoint_after_commit (checkpoint, store));
    s_checkpoint_done (checkpoint);
    assert_int_equal (sein_store_checkpoint (second, false), 0);
    assert_int_equal (sein_store_checkpoint_behind (second), 0);
    sein_checkpoint_destroy (&checkpoint);
    sein_store_destroy (&second);
    sein_store_destroy (&store);
}

static void test_persistence (void **state)
{
    s_fixture_t *fixture = *state;
    sein_store_t *store = s_open (fixture);
    assert_int_equal (sein_store_begin (store), 0);
    s_spec_t keyed = {.id = "old", .external_id = "OLD-1", .reporter_name = "An"};
    assert_int_equal (s_add (store, &keyed, NULL), 0);
    s_add_id (store, "old-2");
    assert_int_equal (sein_store_commit (store), 0);
    sein_store_destroy (&store);

    store = s_open (fixture);
    assert_int_equal (sein_store_head (store), 2);
    assert_int_equal (sein_store_next_seq (store), 3);
    int64_t seq;
    char *body = NULL;
    assert_int_equal (sein_store_find_key (store, "desk", "OLD-1", &seq, &body), 1);
    assert_int_equal (seq, 1);
    free (body);
    json_t *got = sein_store_get (store, "old", true);
    assert_non_null (got);
    assert_string_equal (
        json_string_value (json_object_get (json_object_get (got, "reporter"), "name")),
        "An");
    json_decref (got);
    //  The history continues where it stopped.
    assert_int_equal (sein_store_begin (store), 0);
    assert_int_equal (s_add_id (store, "new"), 3);
    assert_int_equal (sein_store_commit (store), 0);
    //  The key survives the restart.
    assert_int_equal (sein_store_begin (store), 0);
    s_spec_t again = {.id = "dup", .external_id = "OLD-1"};
    assert_int_equal (s_add (store, &again, &seq), 1);
    sein_store_rollback (store);
    sein_store_destroy (&store);

    store = s_open (fixture);
    assert_int_equal (sein_store_head (store), 3);
    s_seen_t seen = {.count = 0};
    assert_int_equal (sein_store_events (store, 1, 100, s_collect, &seen), 3);
    assert_string_equal (seen.ids[0], "old");
    assert_string_equal (seen.ids[2], "new");
    sein_store_destroy (&store);
}


//  A store written by a seind of schema 1 is upgraded in place: the
//  codes are copied onto the signal rows, each creation event names its
//  signal, and the searches the lifecycle runs use their indexes.
static void test_migrate_from_1 (void **state)
{
    s_fixture_t *fixture = *state;
    //  Schema 1 as the first seind wrote it.
    sqlite3 *db = NULL;
    assert_int_equal (sqlite3_open (fixture->path, &db), SQLITE_OK);
    assert_int_equal (sqlite3_exec (db,
                "PRAGMA journal_mode = WAL;"
                "CREATE TABLE signals (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
                " submitter TEXT NOT NULL, external_id TEXT, status TEXT NOT NULL,"
                " reporter_name TEXT, reporter_email TEXT, reporter_phone TEXT);"
                "CREATE UNIQUE INDEX signals_key ON signals (submitter, external_id)"
                " WHERE external_id IS NOT NULL;"
                "CREATE TABLE events (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
                " at TEXT NOT NULL, area TEXT NOT NULL, wijk TEXT NOT NULL,"
                " theme TEXT NOT NULL, priority TEXT NOT NULL, source TEXT NOT NULL,"
                " teams TEXT NOT NULL, body TEXT NOT NULL);"
                "INSERT INTO signals VALUES (1, 'a', 'desk', 'A-1', 'new', 'An', NULL, NULL);"
                "INSERT INTO signals VALUES (2, 'b', 'desk', NULL, 'new', NULL, NULL, NULL);"
                "INSERT INTO events VALUES (1, 'signal', '2026-05-01T10:00:00.000Z',"
                " 'heilig-hart', 'heverlee', 'afval', 'high', 'citizen', ',dienst-reiniging,',"
                " '{\"seq\":1,\"id\":\"a\",\"lat\":50.862,\"long\":4.699,"
                "\"classification\":{\"area\":{\"street\":\"Naamsestraat\"}}}');"
                "INSERT INTO events VALUES (2, 'signal', '2026-05-01T11:00:00.000Z',"
                " 'kessel-lo', 'kessel-lo', 'groen', 'low', 'partner', ',dienst-groen,',"
                " '{\"seq\":2,\"id\":\"b\"}');"
                "PRAGMA user_version = 1;",
                                    NULL, NULL, NULL),
                      SQLITE_OK);
    sqlite3_close (db);
    sein_store_t *store = s_open (fixture);
    char *version = s_sql_text (fixture->path, "PRAGMA user_version");
    assert_string_equal (version, "6");
    free (version);
    //  Schema 5: the partial indexes on open signals test the states by
    //  comparisons; an IN list there costs every insert a temporary table.
    char *partial = s_sql_text (fixture->path,
                                "SELECT group_concat (name, ',') FROM (SELECT name FROM"
                                " sqlite_master WHERE name IN ('signals_due', 'signals_cases')"
                                " AND sql LIKE '%status = ''reopened''%' AND sql NOT LIKE"
                                " '% IN (%' ORDER BY name)");
    assert_string_equal (partial, "signals_cases,signals_due");
    free (partial);
    //  Schema 4: the reporter details moved to their own table, only for
    //  the signal that had some, and left the signal rows.
    char *moved = s_sql_text (fixture->path, "SELECT group_concat (signal || '|' ||"
                                             " coalesce (name, '-') || '|' ||"
                                             " coalesce (email, '-'), ',') FROM reporters");
    assert_string_equal (moved, "1|An|-");
    free (moved);
    moved = s_sql_text (fixture->path, "SELECT count(*) FROM pragma_table_info ('signals')"
                                       " WHERE name LIKE 'reporter%'");
    assert_string_equal (moved, "0");
    free (moved);
    char *row = s_sql_text (fixture->path,
                            "SELECT received_at || '|' || area || '|' || wijk || '|' || theme"
                            " || '|' || priority || '|' || source || '|' || teams || '|' ||"
                            " street || '|' || lat || '|' || lon || '|' || reports || '|' ||"
                            " overdue || '|' || updated_at FROM signals WHERE seq = 1");
    assert_string_equal (row, "2026-05-01T10:00:00.000Z|heilig-hart|heverlee|afval|high|"
                              "citizen|,dienst-reiniging,|Naamsestraat|50.862|4.699|1|0|"
                              "2026-05-01T10:00:00.000Z");
    free (row);
    row = s_sql_text (fixture->path, "SELECT coalesce (lat, 'none') || '|' || area"
                                     " FROM signals WHERE seq = 2");
    assert_string_equal (row, "none|kessel-lo");
    free (row);
    row = s_sql_text (fixture->path, "SELECT group_concat (signal, ',') FROM events");
    assert_string_equal (row, "1,2");
    free (row);
    //  The overdue search (which names its index) can search the partial
    //  index by due_at alone; the history reads the events' index.
    row = s_plan (fixture->path,
                  "SELECT seq FROM signals INDEXED BY signals_due WHERE overdue = 0"
                  " AND due_at IS NOT NULL AND (status = 'new' OR status = 'acknowledged'"
                  " OR status = 'in_progress' OR status = 'referred' OR status = 'reopened')"
                  " AND due_at < '2027' ORDER BY due_at LIMIT 10");
    assert_non_null (strstr (row, "SEARCH signals USING INDEX signals_due (due_at"));
    free (row);
    row = s_plan (fixture->path, "SELECT seq FROM events WHERE signal = 1 AND"
                                 " kind <> 'signal' ORDER BY seq");
    assert_non_null (strstr (row, "events_signal"));
    free (row);
    json_t *got = sein_store_get_by (store, NULL, 1, NULL, NULL, false);
    assert_non_null (got);
    assert_string_equal (json_string_value (json_object_get (got, "status")), "new");
    assert_int_equal (json_integer_value (json_object_get (got, "reports")), 1);
    json_decref (got);
    got = sein_store_get_by (store, NULL, 0, "desk", "A-1", false);
    assert_non_null (got);
    assert_string_equal (json_string_value (json_object_get (got, "id")), "a");
    json_decref (got);
    assert_null (sein_store_get_by (store, NULL, 0, "other", "A-1", false));
    assert_null (sein_store_get_by (store, NULL, 3, NULL, NULL, false));
    sein_store_destroy (&store);
}

static int s_collect_json (json_t *signal, void *arg)
{
    json_array_append (arg, signal);
    return 0;
}

//  The scan that finds an erased person's copies: a contact's % and _
//  are themselves, not LIKE's wildcards, matched without case; nothing
//  else changes.
static void test_erase_wildcards (void **state)
{
    s_fixture_t *fixture = *state;
    sein_store_t *store = s_open (fixture);
    s_spec_t specs[] = {
        {.id = "w1", .description = "Mail A_B%C@x.be of a_bx%c@x.be", .teams = ","},
        {.id = "w2", .description = "Mail ab%c@x.be of axbyc@x.be", .teams = ","},
    };
    assert_int_equal (sein_store_begin (store), 0);
    for (size_t index = 0; index < 2; index++)
        assert_int_equal (s_add (store, &specs[index], NULL), 0);
    assert_int_equal (sein_store_erase (store, "a_b%c@X.be", "2026-06-01T00:00:00.000Z", "admin"),
                      1);
    assert_int_equal (sein_store_commit (store), 0);
    char *text = s_sql_text (fixture->path, "SELECT group_concat (json_extract (body,"
                                            " '$.description'), '|') FROM events");
    assert_string_equal (text, "Mail [erased] of a_bx%c@x.be|Mail ab%c@x.be of axbyc@x.be");
    free (text);
    sein_store_destroy (&store);
}

//  Personal data (docs/SECURITY.md): the scrub of JSON text, erasure
//  everywhere including the text index, retention on schedule, and the
//  team scope of lists.
static void test_personal_data (void **state)
{
    s_fixture_t *fixture = *state;
    //  Only inside strings, without case, escapes left alone.
    char *scrubbed = sein_store_scrub ("{\"a\":\"mail AN@x.be, an@x.be\",\"an@x.be\":1,"
                                       "\"b\":\"q\\\"an@x.be\"}",
                                       "an@x.be");
    assert_string_equal (scrubbed, "{\"a\":\"mail [erased], [erased]\",\"[erased]\":1,"
                                   "\"b\":\"q\\\"[erased]\"}");
    free (scrubbed);
    assert_null (sein_store_scrub ("{\"a\":\"nothing\"}", "an@x.be"));

    sein_store_t *store = s_open (fixture);
    assert_int_equal (sein_store_begin (store), 0);
    s_spec_t specs[] = {
        {.id = "e1", .reporter_name = "An", .reporter_email = "An@X.be",
         .description = "Bel an@x.be terug, qwxzorro", .teams = ",team-a,"},
        {.id = "e2", .reporter_phone = "0470 11 22 33", .reporter_email = "an@x.be",
         .teams = ",team-b,"},
        {.id = "e3", .reporter_name = "Bob", .reporter_email = "bob@x.be",
         .description = "qwxzorro ook hier", .teams = ",team-b,"},
        {.id = "e4", .reporter_name = "Cas", .teams = ",team-a,"},
    };
    for (size_t index = 0; index < 4; index++)
        assert_int_equal (s_add (store, &specs[index], NULL), 0);
    assert_int_equal (sein_store_commit (store), 0);
    //  Only signals with details have a reporters row.
    char *text = s_sql_text (fixture->path, "SELECT count(*) FROM reporters");
    assert_string_equal (text, "4");
    free (text);

    //  The text index has the description's words.
    char *text_path = zsys_sprintf ("%s.text", fixture->path), *error = NULL;
    sein_store_t *query = sein_store_new_query (fixture->path, text_path, &error);
    assert_non_null (query);
    assert_int_equal (sein_store_index_text (query, 100), 4);
    sein_store_filter_t filter = {.overdue = -1, .text = "qwxzorro"};
    json_t *found = json_array ();
    assert_int_equal (sein_store_list (query, &filter, true, 0, 10, s_collect_json, found), 2);
    json_decref (found);

    //  The team scope: ",team-a," sees e1 and e4; "," nothing.
    sein_store_filter_t scoped = {.overdue = -1, .scope = ",team-a,"};
    found = json_array ();
    assert_int_equal (sein_store_list (query, &scoped, true, 0, 10, s_collect_json, found), 2);
    assert_string_equal (json_string_value (json_object_get (json_array_get (found, 1), "id")),
                         "e4");
    json_decref (found);
    scoped.scope = ",team-x,team-b,";
    found = json_array ();
    assert_int_equal (sein_store_list (query, &scoped, true, 0, 10, s_collect_json, found), 2);
    json_decref (found);
    scoped.scope = ",";
    found = json_array ();
    assert_int_equal (sein_store_list (query, &scoped, true, 0, 10, s_collect_json, found), 0);
    json_decref (found);

    //  Erase an@x.be: both signals' details go (the e-mail matched
    //  without case), and the copy in e1's description.
    assert_int_equal (sein_store_begin (store), 0);
    assert_int_equal (sein_store_erase (store, "an@x.be", "2026-06-01T00:00:00.000Z", "admin"),
                      2);
    assert_int_equal (sein_store_commit (store), 0);
    text = s_sql_text (fixture->path, "SELECT group_concat (signal, ',') FROM reporters");
    assert_string_equal (text, "3,4");
    free (text);
    text = s_sql_text (fixture->path, "SELECT count(*) FROM events"
                                      " WHERE instr (lower (body), 'an@x.be') > 0");
    assert_string_equal (text, "0");
    free (text);
    text = s_sql_text (fixture->path, "SELECT json_extract (body, '$.description')"
                                      " FROM events WHERE seq = 1");
    assert_string_equal (text, "Bel [erased] terug, qwxzorro");
    free (text);
    //  What was recorded: when, who, how many; not what.
    text = s_sql_text (fixture->path, "SELECT at || '|' || who || '|' || signals FROM erasures");
    assert_string_equal (text, "2026-06-01T00:00:00.000Z|admin|2");
    free (text);
    json_t *reporter = sein_store_reporter (store, 1);
    assert_int_equal (json_object_size (reporter), 0);
    json_decref (reporter);
    //  The text index follows: the erased words are gone, the rest stay.
    assert_int_equal (sein_store_index_text (query, 100), 0);
    char *fts = zsys_sprintf ("SELECT count(*) FROM signals_text WHERE signals_text MATCH 'an'");
    text = s_sql_text (text_path, fts);
    assert_string_equal (text, "0");
    free (text);
    zstr_free (&fts);
    text = s_sql_text (text_path, "SELECT group_concat (rowid, ',') FROM signals_text"
                                  " WHERE signals_text MATCH 'qwxzorro'");
    assert_string_equal (text, "1,3");
    free (text);

    //  Retention: nothing before a signal is closed; then, once closed
    //  before the times given, its details, and then the signal itself.
    sein_store_retained_t counts;
    assert_int_equal (sein_store_begin (store), 0);
    assert_int_equal (sein_store_retain (store, "2027-01-01T00:00:00.000Z",
                                         "2027-01-01T00:00:00.000Z", 1000, &counts),
                      0);
    assert_int_equal (counts.anonymised + counts.deleted, 0);
    sein_store_update_t close = {.seq = 3, .status = "closed",
                                 .closed_at = "2026-06-02T00:00:00.000Z"};
    assert_int_equal (sein_store_add_change (store, NULL, &close), 0);
    close.seq = 4;
    close.closed_at = "2026-06-10T00:00:00.000Z";
    assert_int_equal (sein_store_add_change (store, NULL, &close), 0);
    assert_int_equal (sein_store_retain (store, "2026-06-05T00:00:00.000Z", NULL, 1000, &counts),
                      0);
    assert_int_equal (counts.anonymised, 1);
    assert_int_equal (counts.deleted, 0);
    assert_int_equal (sein_store_commit (store), 0);
    text = s_sql_text (fixture->path, "SELECT group_concat (signal, ',') FROM reporters");
    assert_string_equal (text, "4");
    free (text);
    assert_int_equal (sein_store_begin (store), 0);
    assert_int_equal (sein_store_retain (store, NULL, "2026-06-05T00:00:00.000Z", 1000, &counts),
                      0);
    assert_int_equal (counts.deleted, 1);
    assert_int_equal (sein_store_commit (store), 0);
    //  Signal 3 is gone, its event a tombstone at the same seq; the seq
    //  stays gapless.
    assert_null (sein_store_get_by (store, NULL, 3, NULL, NULL, false));
    text = s_sql_text (fixture->path, "SELECT kind || '|' || body FROM events WHERE seq = 3");
    assert_string_equal (text, "deleted|{\"seq\":3,\"event\":\"deleted\","
                               "\"at\":\"2026-05-01T10:00:00.000Z\",\"signal\":{\"seq\":3}}");
    free (text);
    text = s_sql_text (fixture->path, "SELECT group_concat (seq, ',') FROM events");
    assert_string_equal (text, "1,2,3,4");
    free (text);
    assert_int_equal (sein_store_index_text (query, 100), 0);
    text = s_sql_text (text_path, "SELECT group_concat (rowid, ',') FROM signals_text"
                                  " WHERE signals_text MATCH 'qwxzorro'");
    assert_string_equal (text, "1");
    free (text);
    sein_store_destroy (&query);
    sein_store_destroy (&store);
    char *suffixes[] = {"", "-wal", "-shm"};
    for (int index = 0; index < 3; index++) {
        char *name = zsys_sprintf ("%s%s", text_path, suffixes[index]);
        unlink (name);
        zstr_free (&name);
    }
    zstr_free (&text_path);
}

//  The owner's files are private: 0600, or 0640 with SEIN_STORE_GROUP,
//  whatever the umask; the text index follows the store's mode.
static void test_file_modes (void **state)
{
    s_fixture_t *fixture = *state;
    mode_t old = umask (0);
    for (int group = 0; group < 2; group++) {
        sein_store_status_t status;
        char *error = NULL;
        sein_store_t *store = sein_store_open (
            fixture->path, "full", SEIN_STORE_INIT | (group ? SEIN_STORE_GROUP : 0), &status,
            &error);
        assert_non_null (store);
        char *text_path = zsys_sprintf ("%s.text", fixture->path);
        sein_store_t *query = sein_store_new_query (fixture->path, text_path, &error);
        assert_non_null (query);
        assert_int_equal (sein_store_begin (store), 0);
        s_add_id (store, group ? "g2" : "g1");
        assert_int_equal (sein_store_commit (store), 0);
        assert_true (sein_store_index_text (query, 10) >= 0);
        const char *suffixes[] = {"", "-wal", "-shm", ".mark", ".text", ".text-wal"};
        for (int index = 0; index < 6; index++) {
            char *name = zsys_sprintf ("%s%s", fixture->path, suffixes[index]);
            struct stat info;
            assert_int_equal (stat (name, &info), 0);
            if ((info.st_mode & 0777) != (group ? 0640u : 0600u))
                fail_msg ("%s is mode %04o", name, (unsigned) (info.st_mode & 0777));
            zstr_free (&name);
        }
        sein_store_destroy (&query);
        sein_store_destroy (&store);
        zstr_free (&text_path);
    }
    umask (old);
    const char *more[] = {".mark", ".text", ".text-wal", ".text-shm"};
    for (int index = 0; index < 4; index++) {
        char *name = zsys_sprintf ("%s%s", fixture->path, more[index]);
        unlink (name);
        zstr_free (&name);
    }
}

static int s_collect_row (const sein_store_row_t *row, void *arg)
{
    s_seen_t *seen = arg;
    seen->seqs[seen->count++] = row->seq;
    return 0;
}

//  The lifecycle's searches: a signal by id or seq, changes with their
//  row updates, history, nearby open signals inside a radius and a time
//  window, and the overdue ones.
static void test_lifecycle_searches (void **state)
{
    s_fixture_t *fixture = *state;
    sein_store_t *store = s_open (fixture);
    assert_int_equal (sein_store_begin (store), 0);
    //  1 and 2 at the same spot, 48 h apart; 3 about 300 m north of them;
    //  4 there too, another theme. 5 without a point.
    s_spec_t specs[] = {
        {.id = "old", .at = "2026-05-01T10:00:00.000Z", .lat = 50.862, .lon = 4.699,
         .due_at = "2026-05-01T12:00:00.000Z"},
        {.id = "new", .at = "2026-05-03T10:00:00.000Z", .lat = 50.862, .lon = 4.699,
         .due_at = "2026-05-03T11:00:00.000Z"},
        {.id = "north", .at = "2026-05-03T10:00:00.000Z", .lat = 50.8647, .lon = 4.699},
        {.id = "groen", .at = "2026-05-03T10:00:00.000Z", .lat = 50.862, .lon = 4.699,
         .theme = "groen"},
        {.id = "nowhere", .at = "2026-05-03T10:00:00.000Z",
         .due_at = "2026-05-09T00:00:00.000Z"},
    };
    for (size_t index = 0; index < 5; index++)
        assert_int_equal (s_add (store, &specs[index], NULL), 0);
    assert_int_equal (sein_store_commit (store), 0);

    sein_store_row_t row;
    assert_int_equal (sein_store_find_signal (store, "new", 0, &row), 1);
    assert_int_equal (row.seq, 2);
    assert_string_equal (row.theme, "afval");
    assert_string_equal (row.due_at, "2026-05-03T11:00:00.000Z");
    assert_true (row.has_point);
    assert_int_equal (sein_store_find_signal (store, NULL, 5, &row), 1);
    assert_false (row.has_point);
    assert_int_equal (sein_store_find_signal (store, "none", 0, &row), 0);

    //  Within 150 m of the first spot: both afval ones; the newer wins the
    //  tie.
    assert_int_equal (sein_store_find_nearby (store, "afval", 1, 50.8621, 4.699, 150, &row), 1);
    assert_int_equal (row.seq, 2);
    assert_int_equal (sein_store_find_nearby (store, "afval", 1, 50.8625, 4.699, 150, &row), 1);
    //  50.8625 is 55 m from 1 and 2, 245 m from 3.
    assert_true (row.seq == 1 || row.seq == 2);
    int64_t from = sein_store_seq_at (store, "2026-05-02T10:00:00.000Z");
    assert_int_equal (from, 2);
    assert_int_equal (sein_store_find_nearby (store, "groen", from, 50.862, 4.699, 150, &row),
                      1);
    assert_int_equal (row.seq, 4);
    //  100 m short of north: inside 150 m only for it.
    assert_int_equal (sein_store_find_nearby (store, "afval", 3, 50.8638, 4.699, 150, &row), 1);
    assert_int_equal (row.seq, 3);
    assert_int_equal (sein_store_find_nearby (store, "afval", 3, 50.8638, 4.699, 50, &row), 0);

    //  A change: the event is about its signal; the row follows.
    assert_int_equal (sein_store_begin (store), 0);
    const char *body = "{\"seq\":6,\"event\":\"status\"}";
    sein_event_t event = {.kind = "status", .at = "2026-05-03T12:00:00.000Z",
                          .area = "heilig-hart", .wijk = "heverlee", .theme = "afval",
                          .priority = "normal", .source = "citizen", .teams = ",a,",
                          .body = body, .body_size = strlen (body), .signal = 2};
    sein_store_update_t update = {.seq = 2, .status = "resolved",
                                  .updated_at = event.at, .resolved_at = event.at,
                                  .acknowledged_at = event.at, .reports_delta = 1};
    assert_int_equal (sein_store_add_change (store, &event, &update), 0);
    assert_int_equal (event.seq, 6);
    assert_int_equal (sein_store_commit (store), 0);
    assert_int_equal (sein_store_find_signal (store, NULL, 2, &row), 1);
    assert_string_equal (row.status, "resolved");
    assert_int_equal (row.reports, 2);
    s_seen_t seen = {.count = 0};
    assert_int_equal (sein_store_history (store, 2, 6, s_collect, &seen), 2);
    assert_int_equal (seen.seqs[0], 2);
    assert_int_equal (seen.seqs[1], 6);
    seen.count = 0;
    //  Up to a head: the change is not there yet.
    assert_int_equal (sein_store_history (store, 2, 5, s_collect, &seen), 1);
    //  A resolved signal is no case to join.
    assert_int_equal (sein_store_find_nearby (store, "afval", 2, 50.862, 4.699, 150, &row), 0);

    //  Overdue: open ones past due, earliest first; not resolved ones,
    //  not those already reported, not those due later.
    seen.count = 0;
    assert_int_equal (sein_store_overdue (store, "2026-05-04T00:00:00.000Z", 10, s_collect_row,
                                          &seen),
                      1);
    assert_int_equal (seen.seqs[0], 1);
    assert_int_equal (sein_store_begin (store), 0);
    sein_store_update_t mark = {.seq = 1, .overdue = true};
    assert_int_equal (sein_store_add_change (store, NULL, &mark), 0);
    assert_int_equal (sein_store_commit (store), 0);
    seen.count = 0;
    assert_int_equal (sein_store_overdue (store, "2026-05-10T00:00:00.000Z", 10, s_collect_row,
                                          &seen),
                      1);
    assert_int_equal (seen.seqs[0], 5);
    sein_store_destroy (&store);
}

//  ---------------------------------------------------------------------
//  The owner's open, the marker, the check

static sein_store_t *s_own (s_fixture_t *fixture, int flags, sein_store_status_t expected,
                            const char *message)
{
    char *error = NULL;
    sein_store_status_t status = SEIN_STORE_OPENED;
    sein_store_t *store = sein_store_open (fixture->path, "full", flags, &status, &error);
    if (status != expected || (message && (!error || !strstr (error, message))))
        fail_msg ("sein_store_open: status %d, expected %d; error '%s', expected '%s'",
                  (int) status, (int) expected, error ? error : "", message ? message : "");
    assert_true ((store != NULL) == (expected == SEIN_STORE_OPENED));
    free (error);
    return store;
}

//  What sein_store_check reports; its problem count in *PROBLEMS_P.
static char *s_check (s_fixture_t *fixture, int *problems_p)
{
    char *report = NULL;
    *problems_p = sein_store_check (fixture->path, &report);
    assert_non_null (report);
    return report;
}

static void test_owner_needs_init (void **state)
{
    s_fixture_t *fixture = *state;
    assert_null (s_own (fixture, 0, SEIN_STORE_REFUSED, "--init"));
    assert_int_equal (access (fixture->path, F_OK), -1);
    //  An empty file is no store either.
    FILE *file = fopen (fixture->path, "w");
    fclose (file);
    assert_null (s_own (fixture, 0, SEIN_STORE_REFUSED, "is empty"));

    sein_store_t *store = s_own (fixture, SEIN_STORE_INIT, SEIN_STORE_OPENED, NULL);
    assert_int_equal (sein_store_head (store), 0);
    assert_int_equal (sein_store_begin (store), 0);
    s_add_id (store, "a");
    s_add_id (store, "b");
    assert_int_equal (sein_store_commit (store), 0);
    assert_int_equal (sein_store_mark (store, 2), 0);
    int problems;
    char *report = s_check (fixture, &problems);
    assert_int_equal (problems, 0);
    assert_non_null (strstr (report, "head seq 2, 2 events"));
    assert_non_null (strstr (report, ".mark: store "));
    assert_non_null (strstr (report, "ok\n"));
    free (report);
    //  One owner: a second open, even from this process, is refused and
    //  names the owner.
    char pid[32];
    snprintf (pid, sizeof pid, "pid %d", (int) getpid ());
    assert_null (s_own (fixture, SEIN_STORE_INIT, SEIN_STORE_BUSY, pid));
    sein_store_destroy (&store);
    //  Reopened as it is, without --init.
    store = s_own (fixture, 0, SEIN_STORE_OPENED, NULL);
    assert_int_equal (sein_store_head (store), 2);
    sein_store_destroy (&store);
    //  A missing database where the marker says a store was is refused,
    //  even with INIT; with ACCEPT too it starts over.
    unlink (fixture->path);
    assert_null (s_own (fixture, SEIN_STORE_INIT, SEIN_STORE_REFUSED, "held events up to seq 2"));
    store = s_own (fixture, SEIN_STORE_INIT | SEIN_STORE_ACCEPT, SEIN_STORE_OPENED, NULL);
    assert_int_equal (sein_store_head (store), 0);
    sein_store_destroy (&store);
}

static void test_owner_behind_marker (void **state)
{
    s_fixture_t *fixture = *state;
    sein_store_t *store = s_own (fixture, SEIN_STORE_INIT, SEIN_STORE_OPENED, NULL);
    assert_int_equal (sein_store_begin (store), 0);
    s_add_id (store, "kept");
    assert_int_equal (sein_store_commit (store), 0);
    sein_store_destroy (&store); //  checkpointed: in the database file
    //  A seind that commits, syncs, marks and dies: its signals are in the
    //  log only.
    pid_t pid = fork ();
    if (pid == 0) {
        char *error = NULL;
        sein_store_status_t status;
        store = sein_store_open (fixture->path, "full", 0, &status, &error);
        if (!store || sein_store_begin (store))
            _exit (1);
        for (int index = 0; index < 3; index++) {
            char id[16];
            snprintf (id, sizeof id, "lost-%d", index);
            s_spec_t spec = {.id = id};
            if (s_add (store, &spec, NULL))
                _exit (1);
        }
        int fd = -1;
        if (sein_store_commit (store) || sein_store_sync (fixture->path, &fd) ||
            sein_store_mark (store, 4))
            _exit (1);
        _exit (0);
    }
    int raw;
    assert_int_equal (waitpid (pid, &raw, 0), pid);
    assert_true (WIFEXITED (raw) && WEXITSTATUS (raw) == 0);
    char wal[160], shm[160];
    snprintf (wal, sizeof wal, "%s-wal", fixture->path);
    snprintf (shm, sizeof shm, "%s-shm", fixture->path);
    assert_int_equal (unlink (wal), 0);
    unlink (shm);
    assert_null (s_own (fixture, 0, SEIN_STORE_REFUSED,
                        "ends at seq 1, but seq 4 was on disk"));
    int problems;
    char *report = s_check (fixture, &problems);
    assert_int_equal (problems, 1);
    assert_non_null (strstr (report, "3 acknowledged events are missing"));
    free (report);
    //  Accepted, the marker describes the store as it is from then on.
    store = s_own (fixture, SEIN_STORE_ACCEPT, SEIN_STORE_OPENED, NULL);
    assert_int_equal (sein_store_head (store), 1);
    sein_store_destroy (&store);
    store = s_own (fixture, 0, SEIN_STORE_OPENED, NULL);
    sein_store_destroy (&store);
}

static void test_owner_other_store (void **state)
{
    s_fixture_t *fixture = *state;
    s_fixture_t other;
    snprintf (other.path, sizeof other.path, "%s/other.db", fixture->dir);
    sein_store_t *store = s_own (&other, SEIN_STORE_INIT, SEIN_STORE_OPENED, NULL);
    sein_store_destroy (&store);
    store = s_own (fixture, SEIN_STORE_INIT, SEIN_STORE_OPENED, NULL);
    sein_store_destroy (&store);
    assert_int_equal (rename (other.path, fixture->path), 0);
    assert_null (s_own (fixture, 0, SEIN_STORE_REFUSED, "belongs to store"));
    //  A damaged marker tells nothing: refused too, unless accepted.
    char mark[160];
    snprintf (mark, sizeof mark, "%s.mark", fixture->path);
    FILE *file = fopen (mark, "r+");
    assert_non_null (file);
    fputs ("sein store mark 1\nstore -", file); //  no id starts with -
    fclose (file);
    assert_null (s_own (fixture, 0, SEIN_STORE_REFUSED, "mark is damaged"));
    store = s_own (fixture, SEIN_STORE_ACCEPT, SEIN_STORE_OPENED, NULL);
    sein_store_destroy (&store);
    store = s_own (fixture, 0, SEIN_STORE_OPENED, NULL);
    sein_store_destroy (&store);
    snprintf (mark, sizeof mark, "%s.mark", other.path);
    unlink (mark);
}

static void test_owner_damage (void **state)
{
    s_fixture_t *fixture = *state;
    sein_store_t *store = s_own (fixture, SEIN_STORE_INIT, SEIN_STORE_OPENED, NULL);
    assert_int_equal (sein_store_begin (store), 0);
    for (int index = 0; index < 200; index++) {
        char id[16];
        snprintf (id, sizeof id, "s-%d", index);
        s_add_id (store, id);
    }
    assert_int_equal (sein_store_commit (store), 0);
    sein_store_destroy (&store);
    //  A newer schema is refused and left as it was.
    s_sql_exec (fixture->path, "PRAGMA user_version = 1000");
    assert_null (s_own (fixture, 0, SEIN_STORE_REFUSED, "newer than this seind"));
    char *version = s_sql_text (fixture->path, "PRAGMA user_version");
    assert_string_equal (version, "1000");
    free (version);
    int problems;
    char *report = s_check (fixture, &problems);
    assert_true (problems > 0);
    free (report);
    s_sql_exec (fixture->path, "PRAGMA user_version = 2");

    //  A garbled page of events, inside the file where opening never looks.
    FILE *file = fopen (fixture->path, "r+");
    assert_non_null (file);
    fseek (file, 0, SEEK_END);
    long size = ftell (file);
    fseek (file, size - 3 * 8192, SEEK_SET);
    for (int index = 0; index < 8192; index++)
        fputc ((index * 7919) & 0xff, file);
    fclose (file);
    assert_null (s_own (fixture, 0, SEIN_STORE_REFUSED, "quick_check"));
    report = s_check (fixture, &problems);
    assert_true (problems > 0);
    assert_non_null (strstr (report, "integrity_check"));
    free (report);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_create_and_migrate, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_newer_schema_refused, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_open_errors, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_gapless_seq, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_rollback_gives_seq_back, s_setup,
                                         s_teardown),
        cmocka_unit_test_setup_teardown (test_destroy_rolls_back, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_find_key, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_failed_add_is_undone, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_error_survives_rollback, s_setup,
                                         s_teardown),
        cmocka_unit_test_setup_teardown (test_events, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_body_size_honoured, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_reader, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_seq_at, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_at_never_goes_back, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_get, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_stats, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_deferred_sync, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_persistence, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_migrate_from_1, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_lifecycle_searches, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_personal_data, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_erase_wildcards, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_checkpoint_held_by_reader, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_restart_wait_bounded, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_file_modes, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_owner_needs_init, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_owner_behind_marker, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_owner_other_store, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_owner_damage, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
