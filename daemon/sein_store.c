// SPDX-License-Identifier: MPL-2.0
/*  sein_store.c - signals and events in SQLite

    Schema changes are versioned migrations applied in order at open and
    recorded in PRAGMA user_version, so a database written by an older
    seind is upgraded in place and one written by a newer seind is refused
    rather than misread.

    Durability: WAL with synchronous=FULL by default, so a COMMIT returns
    only after the WAL is fsynced. The server takes the fsync out of the
    COMMIT (sein_store_defer_sync) and issues it itself on another thread
    (sein_store_sync), so that storing the next batch overlaps the disk;
    it acks a batch only after both returned 0. Statements are prepared
    once at open.
*/
#include "sein_store.h"

#include "sein_alloc.h"
#include "sein_json.h"

#define SEIN_STORE_TIME_MAX 40

#include <assert.h>
#include <czmq.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

//  The open states (sein_lifecycle.h), as the housekeeping timer's
//  search and its partial index must both spell them. Comparisons, not
//  IN: SQLite builds an ephemeral table for an IN list each time it tests
//  a partial index's terms, which every new signal paid twice (measured,
//  about a tenth of storing one); in a query's WHERE it reads the same.
#define S_OPEN_STATES                                                                 \
    "(status = 'new' OR status = 'acknowledged' OR status = 'in_progress'"           \
    " OR status = 'referred' OR status = 'reopened')"
//  As migration 3 spelled them: what a store of schema 3 or 4 has.
#define S_OPEN_STATES_3                                                               \
    "status IN ('new', 'acknowledged', 'in_progress', 'referred', 'reopened')"

//  A nearby report looks at most at its theme's this many newest open
//  cases in the window: a bound on what one new signal costs, whatever a
//  bulk import of scattered signals leaves open.
#define S_NEARBY_MAX 1000
//  How long a connection waits for another's lock (ms) before SQLITE_BUSY.
#define S_BUSY_WAIT 5000
#define S_STRING_(x) #x
#define S_STRING(x) S_STRING_ (x)

//  The milliseconds from a signal's receipt to the time AT (an SQL
//  expression), as an integer; NULL when AT is.
#define S_MS_AFTER(at)                                                                \
    "CAST (round ((julianday (" at ") - julianday (received_at)) * 86400000) AS INTEGER)"

//  The wijk's index: a wijk's signals in seq order with everything a
//  STATS reads, so that one reads the index alone. It takes the place of
//  signals_wijk (wijk, seq): ingest still writes one entry there, a wider
//  one, and a lifecycle change now rewrites it (status, durations).
#define S_STATS_COLUMNS                                                               \
    "wijk, seq, area, theme, received_at, status, overdue, acknowledge_ms, resolve_ms,"  \
    " street, lat, lon"

//  Migration N brings the schema from user_version N to N + 1.
static const char *s_migrations[] = {
    //  1: signals with their workflow status and personal data, and the
    //  event history. A signal's public fields live once, in its creation
    //  event (the body as published, and the codes that filters and counts
    //  use); the signal row keeps what changes and what must never be
    //  published. Every byte here is written twice per signal (log and
    //  checkpoint), which is what bounds durable ingest.
    "CREATE TABLE signals ("
    "  seq INTEGER PRIMARY KEY," //  the event that created it
    "  id TEXT NOT NULL UNIQUE,"
    "  submitter TEXT NOT NULL,"
    "  external_id TEXT,"
    "  status TEXT NOT NULL,"
    "  reporter_name TEXT, reporter_email TEXT, reporter_phone TEXT);"
    "CREATE UNIQUE INDEX signals_key ON signals (submitter, external_id)"
    "  WHERE external_id IS NOT NULL;"
    "CREATE TABLE events ("
    "  seq INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL,"
    "  at TEXT NOT NULL,"
    "  area TEXT NOT NULL, wijk TEXT NOT NULL, theme TEXT NOT NULL,"
    "  priority TEXT NOT NULL, source TEXT NOT NULL, teams TEXT NOT NULL,"
    "  body TEXT NOT NULL);",
    //  2: the store's identity, a random id made once, which its marker
    //  repeats (sein_store_open): a database put in the place of another
    //  is told apart even when its head happens to match. The application
    //  id ("SEIN") marks the file as a sein store for file(1) and for us.
    "CREATE TABLE store (id TEXT NOT NULL, created TEXT NOT NULL);"
    "INSERT INTO store VALUES (lower(hex(randomblob(16))),"
    "  strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));"
    "PRAGMA application_id = 1397049678;",
    //  3: the lifecycle (docs/PROTOCOL.md, "Lifecycle"). A signal's codes
    //  are copied onto its row, so that lists and counts read one table
    //  without a join, and the row keeps what the workflow changes. Every
    //  event names the signal it is about (its creation seq), so a
    //  signal's history is one index search; a signal's own creation event
    //  is found by its seq, so the index leaves those out and ingest pays
    //  for it only on changes.
    "ALTER TABLE signals ADD COLUMN received_at TEXT;"
    "ALTER TABLE signals ADD COLUMN area TEXT;"
    "ALTER TABLE signals ADD COLUMN wijk TEXT;"
    "ALTER TABLE signals ADD COLUMN theme TEXT;"
    "ALTER TABLE signals ADD COLUMN priority TEXT;"
    "ALTER TABLE signals ADD COLUMN source TEXT;"
    "ALTER TABLE signals ADD COLUMN teams TEXT;"
    "ALTER TABLE signals ADD COLUMN street TEXT;"
    "ALTER TABLE signals ADD COLUMN lat REAL;"
    "ALTER TABLE signals ADD COLUMN lon REAL;"
    "ALTER TABLE signals ADD COLUMN due_at TEXT;"
    "ALTER TABLE signals ADD COLUMN updated_at TEXT;"
    "ALTER TABLE signals ADD COLUMN acknowledged_at TEXT;"
    "ALTER TABLE signals ADD COLUMN resolved_at TEXT;"
    "ALTER TABLE signals ADD COLUMN closed_at TEXT;"
    "ALTER TABLE signals ADD COLUMN assigned_team TEXT;"
    "ALTER TABLE signals ADD COLUMN assignee TEXT;"
    "ALTER TABLE signals ADD COLUMN related_to INTEGER;"
    "ALTER TABLE signals ADD COLUMN reports INTEGER NOT NULL DEFAULT 1;"
    "ALTER TABLE signals ADD COLUMN overdue INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE events ADD COLUMN signal INTEGER;"
    "UPDATE signals SET (received_at, area, wijk, theme, priority, source, teams, street,"
    "  lat, lon, updated_at) = (SELECT e.at, e.area, e.wijk, e.theme, e.priority,"
    "  e.source, e.teams, json_extract (e.body, '$.classification.area.street'),"
    "  json_extract (e.body, '$.lat'), json_extract (e.body, '$.long'), e.at"
    "  FROM events e WHERE e.seq = signals.seq);"
    "UPDATE events SET signal = seq WHERE kind = 'signal';"
    "CREATE INDEX signals_area ON signals (area, seq);"
    "CREATE INDEX signals_wijk ON signals (wijk, seq);"
    "CREATE INDEX signals_theme ON signals (theme, seq);"
    "CREATE INDEX signals_status ON signals (status, seq);"
    //  Only open signals that have a deadline and no overdue event yet:
    //  the housekeeping timer's search reads just the ones due.
    "CREATE INDEX signals_due ON signals (due_at) WHERE overdue = 0 AND due_at IS NOT NULL"
    "  AND " S_OPEN_STATES_3 ";"
    "CREATE INDEX events_signal ON events (signal, seq) WHERE kind <> 'signal';"
    //  The cases a nearby report may join: open, not linked themselves,
    //  with a point; by theme and seq, so that a new signal adds its entry
    //  at the end of its theme's range (a key by position would dirty a
    //  page anywhere in the index for every signal: measured, a third of
    //  ingest), and the search reads the theme's newest cases with their
    //  point from the index alone. The reports that joined a case are not
    //  in it, so a flood at one spot costs one entry, not one per report.
    "CREATE INDEX signals_cases ON signals (theme, seq, lat, lon) WHERE related_to IS NULL"
    "  AND lat IS NOT NULL AND " S_OPEN_STATES_3 ";",
    //  4: personal data apart (docs/SECURITY.md, "Personal data"). A
    //  reporter's details leave the signal row for a table of their own,
    //  keyed by the signal's seq, which no list, count or event reads:
    //  only the REPORTER command, retention and erasure touch it. Every
    //  such read is recorded in access_log (who, which signal, what), and
    //  every erasure in erasures (when, who, how many signals; never what).
    //  A signal without details has no row, so ingest pays only for those
    //  that carry them.
    "CREATE TABLE reporters (signal INTEGER PRIMARY KEY, name TEXT, email TEXT, phone TEXT);"
    "INSERT INTO reporters SELECT seq, reporter_name, reporter_email, reporter_phone"
    "  FROM signals WHERE coalesce (reporter_name, reporter_email, reporter_phone)"
    "  IS NOT NULL;"
    "ALTER TABLE signals DROP COLUMN reporter_name;"
    "ALTER TABLE signals DROP COLUMN reporter_email;"
    "ALTER TABLE signals DROP COLUMN reporter_phone;"
    "CREATE TABLE access_log (at TEXT NOT NULL, who TEXT NOT NULL, signal INTEGER NOT NULL,"
    "  what TEXT NOT NULL);"
    //  The submitter key's teams, who alone (with those who see every
    //  team) see a signal's external_id: a partner's own case number.
    "ALTER TABLE events ADD COLUMN owners TEXT;"
    "CREATE TABLE erasures (at TEXT NOT NULL, who TEXT NOT NULL, signals INTEGER NOT NULL);"
    //  Signals whose words changed (an erasure) or went (retention), in
    //  order, for the text index to follow (sein_store_index_text): it
    //  lives in its own file, which the writer never touches.
    //  `purge` (an erasure) asks it to rewrite itself, so that no deleted
    //  words stay behind in its segments.
    "CREATE TABLE reindex (id INTEGER PRIMARY KEY, signal INTEGER NOT NULL,"
    "  purge INTEGER NOT NULL DEFAULT 0);",
    //  5: the two partial indexes on open signals test the states by
    //  comparisons (S_OPEN_STATES), which ingest pays less for than IN.
    "DROP INDEX signals_due;"
    "CREATE INDEX signals_due ON signals (due_at) WHERE overdue = 0 AND due_at IS NOT NULL"
    "  AND " S_OPEN_STATES ";"
    "DROP INDEX signals_cases;"
    "CREATE INDEX signals_cases ON signals (theme, seq, lat, lon) WHERE related_to IS NULL"
    "  AND lat IS NOT NULL AND " S_OPEN_STATES ";",
    //  6: a STATS reads its rows from an index alone. The times to
    //  acknowledge and to resolve are kept as milliseconds on the row,
    //  worked out once when the lifecycle changes (S_UPDATE) where a
    //  STATS parsed two pairs of dates per row; and the wijk's index
    //  carries every column a STATS reads (sein_store_analyses), in the
    //  order of its filters, so that a wijk's year is a range of that
    //  index, some 1,700 pages, where it was 66,000 row lookups spread
    //  over most of the table's pages.
    "ALTER TABLE signals ADD COLUMN acknowledge_ms INTEGER;"
    "ALTER TABLE signals ADD COLUMN resolve_ms INTEGER;"
    "UPDATE signals SET acknowledge_ms = " S_MS_AFTER ("acknowledged_at") ","
    "  resolve_ms = " S_MS_AFTER ("resolved_at")
    "  WHERE acknowledged_at IS NOT NULL OR resolved_at IS NOT NULL;"
    "DROP INDEX signals_wijk;"
    "CREATE INDEX signals_wijk ON signals (" S_STATS_COLUMNS ");",
};
#define S_SCHEMA_VERSION ((int) (sizeof (s_migrations) / sizeof (s_migrations[0])))
#define S_APPLICATION_ID 1397049678 //  0x5345494e, "SEIN"
#define S_ID_SIZE 33                //  32 hex digits and a NUL

typedef enum {
    S_BEGIN,
    S_COMMIT,
    S_ROLLBACK,
    S_FIND_KEY,
    S_ADD_SIGNAL,
    S_ADD_EVENT,
    S_UNDO_SIGNAL,
    S_EVENTS,
    S_AT,
    S_GET,
    S_GET_SEQ,
    S_GET_KEY,
    S_FIND_ID,
    S_FIND_SEQ,
    S_UPDATE,
    S_BUMP,
    S_MARK_OVERDUE,
    S_RECLASSIFY,
    S_NEARBY,
    S_OVERDUE,
    S_HISTORY,
    S_ADD_REPORTER,
    S_UNDO_REPORTER,
    S_REPORTER,
    S_LOG_ACCESS,
    S_OWNERS,
    S_NSTATEMENTS
} s_statement_t;

//  The columns of a sein_store_row_t, in s_row's order.
#define S_ROW_COLUMNS                                                                 \
    "seq, id, status, received_at, area, wijk, theme, priority, source, teams, due_at," \
    " assigned_team, assignee, coalesce (related_to, 0), reports, overdue, lat, lon"

//  The workflow state sein_store_get adds to a signal's published body.
#define S_STATE_COLUMNS                                                               \
    "s.status, s.submitter, s.external_id, s.seq, s.due_at,"                         \
    " s.updated_at, s.acknowledged_at, s.resolved_at, s.closed_at, s.assigned_team,"   \
    " s.assignee, s.related_to, r.id, s.reports, s.overdue, s.area, s.wijk, s.theme,"   \
    " s.teams"
#define S_GET_FROM                                                                    \
    " FROM signals s JOIN events e ON e.seq = s.seq"                                  \
    " LEFT JOIN signals r ON r.seq = s.related_to WHERE "

static const char *s_sql[S_NSTATEMENTS] = {
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
    [S_FIND_KEY] = "SELECT e.seq, e.body FROM signals s JOIN events e ON e.seq = s.seq"
                   " WHERE s.submitter = ?1 AND s.external_id = ?2",
    //  The street is the classifier's, read out of the body it rendered.
    [S_ADD_SIGNAL] =
        "INSERT INTO signals (seq, id, submitter, external_id, status,"
        " received_at, area, wijk, theme, priority,"
        " source, teams, street, lat, lon, due_at, updated_at, related_to)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
        " json_extract (?16, '$.classification.area.street'), ?17, ?18, ?19, ?9, ?20)"
        " ON CONFLICT (submitter, external_id) WHERE external_id IS NOT NULL DO NOTHING",
    [S_ADD_EVENT] = "INSERT INTO events (seq, kind, at, area, wijk, theme, priority,"
                    " source, teams, body, signal, owners) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
                    " ?8, ?9, ?10, ?11, nullif (?12, ''))",
    [S_UNDO_SIGNAL] = "DELETE FROM signals WHERE seq = ?1",
    [S_EVENTS] = "SELECT seq, kind, at, area, wijk, theme, priority, source, teams, body,"
                 " owners FROM events WHERE seq >= ?1 ORDER BY seq LIMIT ?2",
    [S_AT] = "SELECT at FROM events WHERE seq >= ?1 ORDER BY seq LIMIT 1",
    //  One statement per key, each an index search.
    [S_GET] = "SELECT e.body, " S_STATE_COLUMNS S_GET_FROM "s.id = ?1",
    [S_GET_SEQ] = "SELECT e.body, " S_STATE_COLUMNS S_GET_FROM "s.seq = ?1",
    [S_GET_KEY] = "SELECT e.body, " S_STATE_COLUMNS S_GET_FROM
                  "s.submitter = ?1 AND s.external_id = ?2",
    [S_FIND_ID] = "SELECT " S_ROW_COLUMNS " FROM signals WHERE id = ?1",
    [S_FIND_SEQ] = "SELECT " S_ROW_COLUMNS " FROM signals WHERE seq = ?1",
    [S_UPDATE] =
        "UPDATE signals SET status = coalesce (?2, status), updated_at = coalesce (?3, updated_at),"
        " acknowledged_at = coalesce (acknowledged_at, ?4),"
        " acknowledge_ms = coalesce (acknowledge_ms, " S_MS_AFTER ("?4") "),"
        " resolved_at = coalesce (?5, resolved_at),"
        " resolve_ms = coalesce (" S_MS_AFTER ("?5") ", resolve_ms),"
        " closed_at = coalesce (?6, closed_at),"
        " assigned_team = coalesce (?7, assigned_team),"
        " assignee = CASE WHEN ?8 THEN ?9 ELSE assignee END,"
        " related_to = CASE WHEN ?10 THEN nullif (?11, 0) ELSE related_to END,"
        " reports = reports + ?12, overdue = max (overdue, ?13) WHERE seq = ?1",
    //  A link's count, and the overdue mark, are their own statements:
    //  SQLite updates every index whose columns or WHERE an UPDATE
    //  assigns, even to the same value, and S_UPDATE assigns status,
    //  related_to and overdue (three partial indexes' terms).
    [S_BUMP] = "UPDATE signals SET reports = reports + ?2,"
               " updated_at = coalesce (?3, updated_at) WHERE seq = ?1",
    [S_MARK_OVERDUE] = "UPDATE signals SET overdue = 1 WHERE seq = ?1",
    //  A correction's new codes: its own statement, so that no other
    //  change rewrites the indexes on theme and area.
    [S_RECLASSIFY] = "UPDATE signals SET area = ?2, wijk = ?3, theme = ?4, teams = ?5,"
                     " due_at = ?6 WHERE seq = ?1",
    //  The theme's newest open cases inside the window (at most
    //  S_NEARBY_MAX), from the index alone; the caller keeps those in a
    //  box around the point and its radius decides within it.
    [S_NEARBY] = "SELECT seq, lat, lon FROM signals INDEXED BY signals_cases"
                 " WHERE theme = ?1 AND seq >= ?2 AND related_to IS NULL"
                 " AND lat IS NOT NULL AND " S_OPEN_STATES
                 " ORDER BY seq DESC LIMIT " S_STRING (S_NEARBY_MAX),
    //  The same terms as the partial index signals_due, named: the
    //  planner would otherwise walk every open signal by status.
    [S_OVERDUE] = "SELECT " S_ROW_COLUMNS " FROM signals INDEXED BY signals_due"
                  " WHERE overdue = 0"
                  " AND due_at IS NOT NULL AND " S_OPEN_STATES
                  " AND due_at < ?1 ORDER BY due_at LIMIT ?2",
    [S_HISTORY] = "SELECT seq, kind, at, area, wijk, theme, priority, source, teams, body,"
                  " owners FROM events WHERE seq = ?1 AND seq <= ?2 UNION ALL"
                  " SELECT * FROM (SELECT seq, kind, at, area, wijk, theme, priority, source,"
                  " teams, body, owners FROM events WHERE signal = ?1 AND kind <> 'signal'"
                  " AND seq <= ?2 ORDER BY seq)",
    [S_ADD_REPORTER] = "INSERT INTO reporters (signal, name, email, phone)"
                       " VALUES (?1, ?2, ?3, ?4)",
    [S_UNDO_REPORTER] = "DELETE FROM reporters WHERE signal = ?1",
    [S_REPORTER] = "SELECT name, email, phone FROM reporters WHERE signal = ?1",
    [S_OWNERS] = "SELECT owners FROM events WHERE seq = ?1",
    [S_LOG_ACCESS] = "INSERT INTO access_log (at, who, signal, what) VALUES (?1, ?2, ?3, ?4)",
};

struct _sein_store_t {
    sqlite3 *db;
    bool full; //  opened with synchronous=full
    sqlite3_stmt *statements[S_NSTATEMENTS];
    bool readonly;
    bool in_transaction;
    int wal_frames;    //  frames in the write-ahead log after the last commit
    int wal_behind;    //  frames the last checkpoint could not copy
    int64_t head;      //  highest seq, including the open transaction's
    int64_t committed; //  highest committed seq
    int64_t text_upto; //  the text index's watermark; -1: none attached
    //  Why the open batch failed, kept because ROLLBACK (and undoing a
    //  half-added signal) overwrite SQLite's own last message.
    char failure[256];
    //  Why the disk failed under this connection (sein_store_fault), or "".
    char fault[256];
    //  The writer's: the latest `at` stored, a floor for the next one.
    char last_at[SEIN_STORE_TIME_MAX];
    //  The owner's (sein_store_open): flock on the database file, the
    //  marker, and what is written into it; -1 and "" otherwise.
    int lock;
    int mark;
    char *path;
    char id[S_ID_SIZE];
};

//  Run one statement that returns no rows of interest; 0 or -1.
static int
s_step_done (sqlite3_stmt *statement)
{
    int rc = sqlite3_step (statement);
    sqlite3_reset (statement);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

static int64_t
s_query_int (sqlite3 *db, const char *sql)
{
    sqlite3_stmt *statement;
    int64_t value = -1;
    if (sqlite3_prepare_v2 (db, sql, -1, &statement, NULL) == SQLITE_OK &&
        sqlite3_step (statement) == SQLITE_ROW)
        value = sqlite3_column_int64 (statement, 0);
    sqlite3_finalize (statement);
    return value;
}

//  Why the database open on DB (at PATH) cannot be a store this seind
//  opens, by its schema version and application id, as a fresh message;
//  NULL when it can. Without CREATE, a database with no schema yet is not
//  made into one.
static char *
s_schema_problem (sqlite3 *db, const char *path, bool create)
{
    int64_t version = s_query_int (db, "PRAGMA user_version");
    int64_t application = s_query_int (db, "PRAGMA application_id");
    if (version < 0)
        return sein_sprintf ("%s: cannot read schema version: %s", path,
                                sqlite3_errmsg (db));
    if (version > S_SCHEMA_VERSION)
        return sein_sprintf ("%s: schema version %lld is newer than this seind "
                                "understands (%d): run the seind that wrote it, or a "
                                "newer one",
                                path, (long long) version, S_SCHEMA_VERSION);
    if (application != 0 && application != S_APPLICATION_ID)
        return sein_sprintf ("%s: an SQLite database of another program (application "
                             "id %lld), not a sein store",
                             path, (long long) application);
    if (version == 0 && !create)
        return sein_sprintf ("%s holds no sein store (an empty database): seind --init "
                             "makes one",
                             path);
    return NULL;
}

//  Bring the schema up to date (see s_schema_problem for CREATE). Sets
//  *REFUSED_P when the database itself is the problem, not the system.
static char *
s_migrate (sqlite3 *db, const char *path, bool create, bool *refused_p)
{
    char *problem = s_schema_problem (db, path, create);
    *refused_p = problem != NULL;
    if (problem)
        return problem;
    int64_t version = s_query_int (db, "PRAGMA user_version");
    for (int step = (int) version; step < S_SCHEMA_VERSION; step++) {
        char pragma[64];
        snprintf (pragma, sizeof pragma, "PRAGMA user_version = %d", step + 1);
        if (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec (db, s_migrations[step], NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec (db, pragma, NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec (db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
            char *error = sein_sprintf ("%s: migration %d failed: %s", path, step + 1,
                                           sqlite3_errmsg (db));
            sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
            return error;
        }
    }
    return NULL;
}

static int
s_wal_hook (void *arg, sqlite3 *db, const char *name, int frames)
{
    (void) db;
    (void) name;
    ((sein_store_t *) arg)->wal_frames = frames;
    return SQLITE_OK;
}

//  PATH as a read-only SQLite URI, percent-encoding what a URI reserves.
//  Fresh.
static char *
s_uri_readonly (const char *path)
{
    size_t size = strlen (path);
    char *uri = (char *) zmalloc (3 * size + 16), *end = uri;
    end += sprintf (end, "file:");
    for (const char *from = path; *from; from++)
        if (*from == '%' || *from == '?' || *from == '#')
            end += sprintf (end, "%%%02X", (unsigned char) *from);
        else
            *end++ = *from;
    strcpy (end, "?mode=ro");
    return uri;
}

//  Open a connection; with CREATE a database without a schema gets one.
//  On failure *REFUSED_P tells whether the database itself is at fault
//  (not a database, damaged, newer, no schema) rather than the system.
static sein_store_t *
s_open (const char *path, bool readonly, const char *synchronous, bool create,
        bool *refused_p, char **error_p)
{
    assert (path);
    assert (error_p);
    *error_p = NULL;
    *refused_p = false;
    sein_store_t *self = (sein_store_t *) zmalloc (sizeof *self);
    self->lock = -1;
    self->mark = -1;
    self->readonly = readonly;
    self->full = synchronous && streq (synchronous, "full");
    self->text_upto = -1;
    int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    //  A query connection reads the store through a read-only URI and
    //  writes only the text index it attaches (sein_store_new_query).
    char *uri = NULL;
    if (readonly && synchronous && streq (synchronous, "query")) {
        uri = s_uri_readonly (path);
        flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI;
    }
    char *error = NULL;
    int opened = sqlite3_open_v2 (uri ? uri : path, &self->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    free (uri);
    if (opened != SQLITE_OK)
        error = sein_sprintf ("%s: %s", path,
                                 self->db ? sqlite3_errmsg (self->db) : "out of memory");
    if (!error) {
        //  A reader may meet the writer mid-checkpoint; wait rather than fail.
        sqlite3_busy_timeout (self->db, S_BUSY_WAIT);
        sqlite3_extended_result_codes (self->db, 1);
    }
    if (!error && !readonly) {
        char pragmas[128];
        snprintf (pragmas, sizeof pragmas, "PRAGMA synchronous = %s", synchronous);
        char *mode = NULL;
        sqlite3_stmt *statement;
        //  8 KiB pages: a signal's event is about a kilobyte, and larger
        //  pages log fewer, fuller pages per signal (measured: 15% less
        //  written and 15% less time per batch than 4 KiB). Only takes
        //  effect on a new database.
        sqlite3_exec (self->db, "PRAGMA page_size = 8192", NULL, NULL, NULL);
        if (sqlite3_prepare_v2 (self->db, "PRAGMA journal_mode = WAL", -1, &statement,
                                NULL) == SQLITE_OK &&
            sqlite3_step (statement) == SQLITE_ROW)
            mode = sein_strdup ((const char *) sqlite3_column_text (statement, 0));
        sqlite3_finalize (statement);
        if (!mode || strcmp (mode, "wal") != 0)
            error = sein_sprintf ("%s: cannot switch to WAL mode: %s", path,
                                     sqlite3_errmsg (self->db));
        free (mode);
        if (!error && sqlite3_exec (self->db, pragmas, NULL, NULL, NULL) != SQLITE_OK)
            error = sein_sprintf ("%s: %s", path, sqlite3_errmsg (self->db));
        if (!error)
            error = s_migrate (self->db, path, create, refused_p);
        //  Our hook replaces SQLite's automatic checkpoint, which would run
        //  inside a COMMIT and hold up that batch's acks for as long as it
        //  takes to copy and fsync the log; see sein_store_checkpoint.
        if (!error)
            sqlite3_wal_hook (self->db, s_wal_hook, self);
    } else if (!error) {
        int64_t version = s_query_int (self->db, "PRAGMA user_version");
        if (version != S_SCHEMA_VERSION)
            error = sein_sprintf ("%s: schema version %lld, expected %d", path,
                                     (long long) version, S_SCHEMA_VERSION);
    }
    for (int index = 0; !error && index < S_NSTATEMENTS; index++) {
        if (readonly && (index == S_ADD_SIGNAL || index == S_ADD_EVENT ||
                         index == S_UNDO_SIGNAL || index == S_UPDATE || index == S_BUMP ||
                         index == S_MARK_OVERDUE || index == S_ADD_REPORTER ||
                         index == S_UNDO_REPORTER || index == S_LOG_ACCESS ||
                         index == S_RECLASSIFY))
            continue;
        if (sqlite3_prepare_v3 (self->db, s_sql[index], -1, SQLITE_PREPARE_PERSISTENT,
                                &self->statements[index], NULL) != SQLITE_OK)
            error = sein_sprintf ("%s: preparing statement %d: %s", path, index,
                                     sqlite3_errmsg (self->db));
    }
    if (!error) {
        self->head = s_query_int (self->db, "SELECT coalesce(max(seq), 0) FROM events");
        self->committed = self->head;
        if (self->head < 0)
            error = sein_sprintf ("%s: %s", path, sqlite3_errmsg (self->db));
    }
    if (error) {
        //  SQLite found the file is no database, or a damaged one.
        int code = self->db ? sqlite3_errcode (self->db) & 0xff : SQLITE_OK;
        if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
            *refused_p = true;
        *error_p = error;
        sein_store_destroy (&self);
    }
    return self;
}

sein_store_t *
sein_store_new (const char *path, const char *synchronous, char **error_p)
{
    assert (synchronous);
    bool refused;
    return s_open (path, false, synchronous, true, &refused, error_p);
}

sein_store_t *
sein_store_new_reader (const char *path, char **error_p)
{
    bool refused;
    return s_open (path, true, NULL, false, &refused, error_p);
}

void
sein_store_destroy (sein_store_t **self_p)
{
    assert (self_p);
    sein_store_t *self = *self_p;
    if (self) {
        if (self->in_transaction)
            sein_store_rollback (self);
        if (self->fault[0])
            //  After a failed write or sync, what the log and the database
            //  hold is for SQLite's recovery at the next start to read
            //  from the disk: no checkpoint on close copies pages the
            //  kernel may have dropped, and the marker keeps the last head
            //  known to be on disk.
            sqlite3_db_config (self->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
        else if (self->mark >= 0) {
            //  The owner's last word: what the log holds, once on disk.
            int64_t head =
                s_query_int (self->db, "SELECT coalesce(max(seq), 0) FROM events");
            int log_fd = -1;
            int synced = sein_store_sync (self->path, &log_fd);
            if (log_fd >= 0)
                close (log_fd);
            if (head >= 0 && (synced == 0 || synced == ENOENT))
                sein_store_mark (self, head);
        }
        if (self->mark >= 0)
            close (self->mark);
        for (int index = 0; index < S_NSTATEMENTS; index++)
            sqlite3_finalize (self->statements[index]);
        sqlite3_close (self->db);
        //  Only now: closing any descriptor of the database file drops
        //  this process's POSIX locks on it, SQLite's included.
        if (self->lock >= 0)
            close (self->lock);
        free (self->path);
        free (self);
        *self_p = NULL;
    }
}

bool
sein_store_defer_sync (sein_store_t *self)
{
    assert (self);
    //  NORMAL in WAL mode writes the log at COMMIT and syncs it only at
    //  checkpoints, after which the header of a restarted log is synced
    //  too: FULL minus the one fsync at each COMMIT, which
    //  sein_store_sync puts back.
    return self->full && !self->in_transaction &&
           sqlite3_exec (self->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL) ==
               SQLITE_OK;
}

//  fsync the directory holding the file PATH, so that a file just created
//  there survives a power loss. Returns 0 or the errno.
static int
s_sync_dir (const char *path)
{
    char *dir = sein_strdup (path);
    char *slash = strrchr (dir, '/');
    if (slash)
        slash[slash == dir ? 1 : 0] = 0;
    int dir_fd = open (slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = dir_fd < 0 ? -1 : fsync (dir_fd);
    int error = rc ? (errno ? errno : EIO) : 0;
    if (dir_fd >= 0)
        close (dir_fd);
    free (dir);
    return error;
}

int
sein_store_sync (const char *path, int *log_fd)
{
    assert (path);
    assert (log_fd);
    if (*log_fd < 0) {
        //  The log exists once a commit returned. SQLite keeps using the
        //  same file while any connection is open (a restart rewrites it
        //  from its start, it is not replaced), and the writer's is open
        //  as long as seind runs, so the descriptor stays valid.
        char *wal = sein_sprintf ("%s-wal", path);
        *log_fd = open (wal, O_RDONLY | O_CLOEXEC);
        int error = errno;
        zstr_free (&wal);
        if (*log_fd < 0)
            return error ? error : EIO;
        //  As SQLite does at the first sync of a new log: make its
        //  directory entry durable too.
        error = s_sync_dir (path);
        if (error) {
            close (*log_fd);
            *log_fd = -1;
            return error;
        }
    }
    return fdatasync (*log_fd) == 0 ? 0 : errno ? errno : EIO;
}

//  ---------------------------------------------------------------------
//  The owner: the lock, the checks at start, the marker

//  The marker, PATH.mark, in fixed-width lines: every update is one pwrite
//  of the same length over the same bytes. The sum (FNV-1a of the lines
//  above it) tells a torn or garbled marker from a sound one.
//      sein store mark 1
//      store <32 hex digits>
//      head <20 digits>
//      pid <10 digits>
//      sum <8 hex digits>
typedef struct {
    char id[S_ID_SIZE];
    int64_t head;
    long pid; //  of the seind that wrote it, named when another is refused
} s_mark_t;

#define S_MARK_MAX 160

static uint32_t
s_fnv1a (const char *data, size_t size)
{
    uint32_t hash = 2166136261u;
    for (size_t index = 0; index < size; index++)
        hash = (hash ^ (uint8_t) data[index]) * 16777619u;
    return hash;
}

static int
s_mark_format (const s_mark_t *mark, char text[S_MARK_MAX])
{
    int size = snprintf (text, S_MARK_MAX,
                         "sein store mark 1\nstore %-32s\nhead %020lld\npid %010ld\n", mark->id,
                         (long long) mark->head, mark->pid);
    return size + snprintf (text + size, (size_t) (S_MARK_MAX - size), "sum %08x\n",
                            s_fnv1a (text, (size_t) size));
}

//  Read the marker of the store at PATH: 1 when read, 0 when there is none
//  (or it is empty: created, but its first write was lost), -1 when it is
//  damaged, -2 when it cannot be read (errno).
static int
s_mark_read (const char *path, s_mark_t *mark)
{
    char *name = sein_sprintf ("%s.mark", path);
    int fd = open (name, O_RDONLY | O_CLOEXEC);
    zstr_free (&name);
    if (fd < 0)
        return errno == ENOENT ? 0 : -2;
    char text[S_MARK_MAX + 1];
    ssize_t size = read (fd, text, S_MARK_MAX);
    int error = errno;
    close (fd);
    if (size < 0) {
        errno = error;
        return -2;
    }
    if (size == 0)
        return 0;
    text[size] = 0;
    char *sum = strstr (text, "sum ");
    unsigned int check;
    long long head;
    if (!sum || sscanf (sum, "sum %8x", &check) != 1 ||
        check != s_fnv1a (text, (size_t) (sum - text)) ||
        sscanf (text, "sein store mark 1\nstore %32s\nhead %lld\npid %ld\n", mark->id, &head,
                &mark->pid) != 3 ||
        strlen (mark->id) != S_ID_SIZE - 1)
        return -1;
    mark->head = head;
    return 1;
}

static uint32_t
s_be32 (const unsigned char *bytes)
{
    return (uint32_t) bytes[0] << 24 | (uint32_t) bytes[1] << 16 |
           (uint32_t) bytes[2] << 8 | bytes[3];
}

//  What is wrong with the header of the database open on FD, SIZE bytes
//  long, as a fresh message; NULL when nothing. Without a log (LOGGED) to
//  make up for it, a file shorter than its header says lost its end.
static char *
s_check_header (const char *path, int fd, off_t size, bool logged)
{
    unsigned char header[100];
    if (size < 100 || pread (fd, header, sizeof header, 0) != sizeof header ||
        memcmp (header, "SQLite format 3", 16) != 0)
        return sein_sprintf ("%s is not an SQLite database (%lld bytes, its header is "
                             "damaged or it is another kind of file)",
                             path, (long long) size);
    uint32_t page = (uint32_t) header[16] << 8 | header[17];
    if (page == 1)
        page = 65536;
    if (page < 512 || (page & (page - 1)))
        return sein_sprintf ("%s: damaged header (page size %u)", path, page);
    if (size % page)
        return sein_sprintf ("%s is truncated or damaged: %lld bytes is no whole number of "
                             "%u-byte pages",
                             path, (long long) size, page);
    //  The page count is valid when the change counter matches the
    //  version it was written for.
    off_t pages = s_be32 (header + 28);
    if (!logged && pages && s_be32 (header + 24) == s_be32 (header + 92) &&
        size < pages * page)
        return sein_sprintf ("%s is truncated: %lld bytes, its header says %lld", path,
                             (long long) size, (long long) (pages * page));
    return NULL;
}

//  The first rows of PRAGMA (integrity_check or quick_check) joined, as a
//  fresh string; NULL when SQLite says "ok".
static char *
s_integrity (sqlite3 *db, const char *pragma)
{
    char *sql = sein_sprintf ("PRAGMA %s (20)", pragma);
    sqlite3_stmt *statement;
    char *problems = NULL;
    int rc = sqlite3_prepare_v2 (db, sql, -1, &statement, NULL);
    zstr_free (&sql);
    if (rc != SQLITE_OK)
        return sein_sprintf ("%s: %s", pragma, sqlite3_errmsg (db));
    while ((rc = sqlite3_step (statement)) == SQLITE_ROW) {
        const char *row = (const char *) sqlite3_column_text (statement, 0);
        if (row && streq (row, "ok"))
            continue;
        char *more = sein_sprintf ("%s%s%s", problems ? problems : "", problems ? "; " : "",
                                   row ? row : "?");
        zstr_free (&problems);
        problems = more;
    }
    if (rc != SQLITE_DONE && !problems)
        problems = sein_strdup (sqlite3_errmsg (db));
    sqlite3_finalize (statement);
    return problems;
}

//  Why the store with ID and HEAD does not fit MARK (read as MARKED by
//  s_mark_read), as a fresh message for whoever must decide; NULL when it
//  fits. PATH names the database.
static char *
s_mark_mismatch (const char *path, const char *id, int64_t head, int marked,
                 const s_mark_t *mark)
{
    if (marked == -1)
        return sein_sprintf ("%s.mark is damaged, so what was on disk is unknown", path);
    if (marked != 1)
        return NULL;
    if (!*id)
        return sein_sprintf ("%s holds no store (it was replaced, or all of it was in a "
                             "lost -wal), but %s.mark says store %s held events up to seq "
                             "%lld",
                             path, path, mark->id, (long long) mark->head);
    if (strcmp (id, mark->id) != 0)
        return sein_sprintf ("%s is store %s, but %s.mark belongs to store %s (up to "
                             "seq %lld): the database was replaced",
                             path, id, path, mark->id, (long long) mark->head);
    if (head < mark->head)
        return sein_sprintf ("%s ends at seq %lld, but seq %lld was on disk (%s.mark): "
                             "%lld acknowledged events are missing (a -wal deleted after "
                             "a crash, a restored backup, a truncated file)",
                             path, (long long) head, (long long) mark->head, path,
                             (long long) (mark->head - head));
    return NULL;
}

//  What sein_store_open and sein_store_check look at in a database.
typedef struct {
    int64_t version;      //  PRAGMA user_version
    int64_t head;         //  highest seq, 0 when none
    int64_t events;       //  how many events
    char id[S_ID_SIZE];   //  the store's id, "" before schema 2
} s_facts_t;

//  Copy the text SQL selects into VALUE (SIZE bytes); "" when none.
static void
s_query_text (sqlite3 *db, const char *sql, char *value, size_t size)
{
    sqlite3_stmt *statement;
    *value = 0;
    if (sqlite3_prepare_v2 (db, sql, -1, &statement, NULL) == SQLITE_OK &&
        sqlite3_step (statement) == SQLITE_ROW && sqlite3_column_text (statement, 0))
        snprintf (value, size, "%s", (const char *) sqlite3_column_text (statement, 0));
    sqlite3_finalize (statement);
}

//  Open the database at PATH to look at it (READONLY for seinctl check),
//  refuse what s_schema_problem refuses (CREATE as there), run PRAGMA
//  quick_check when CHECK, and collect its FACTS, the count of events
//  only when COUNT: that reads every page of the table, which a start
//  (--fast-start above all) does not need. Closing it never
//  checkpoints, so a refused store is left as it was found. Returns a
//  fresh message, or NULL when it may be opened; *FAILED_P when the file
//  could not be opened at all (the system, not the store).
static char *
s_probe (const char *path, bool readonly, bool create, bool check, bool count,
         s_facts_t *facts, bool *failed_p)
{
    memset (facts, 0, sizeof *facts);
    sqlite3 *db = NULL;
    char *error = NULL;
    int flags =
        (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX;
    *failed_p = sqlite3_open_v2 (path, &db, flags, NULL) != SQLITE_OK;
    if (*failed_p)
        error = sein_sprintf ("%s: %s", path, db ? sqlite3_errmsg (db) : "out of memory");
    else {
        sqlite3_db_config (db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
        sqlite3_busy_timeout (db, S_BUSY_WAIT);
        error = s_schema_problem (db, path, create);
    }
    if (!error && check) {
        char *problems = s_integrity (db, "quick_check");
        if (problems)
            error = sein_sprintf ("%s is damaged (PRAGMA quick_check: %s); seinctl check "
                                  "tells more",
                                  path, problems);
        zstr_free (&problems);
    }
    if (!error) {
        facts->version = s_query_int (db, "PRAGMA user_version");
        if (facts->version >= 1) {
            facts->head = s_query_int (db, "SELECT coalesce(max(seq), 0) FROM events");
            if (count)
                facts->events = s_query_int (db, "SELECT count(*) FROM events");
            if (facts->head < 0 || facts->events < 0)
                error = sein_sprintf ("%s: %s", path, sqlite3_errmsg (db));
        }
    }
    if (!error && facts->version >= 2)
        s_query_text (db, "SELECT id FROM store", facts->id, sizeof facts->id);
    sqlite3_close (db);
    return error;
}

//  Give the file PATH, open as FD, MODE, and its -wal and -shm when they
//  exist; a failure is logged, not fatal (a file seind does not own).
static void
s_private (const char *path, int fd, mode_t mode)
{
    if (fchmod (fd, mode))
        zsys_warning ("%s: cannot set mode %04o: %s", path, (unsigned) mode, strerror (errno));
    static const char *suffixes[] = {"-wal", "-shm"};
    for (size_t index = 0; index < 2; index++) {
        char *name = sein_sprintf ("%s%s", path, suffixes[index]);
        if (chmod (name, mode) && errno != ENOENT)
            zsys_warning ("%s: cannot set mode %04o: %s", name, (unsigned) mode,
                          strerror (errno));
        zstr_free (&name);
    }
}

sein_store_t *
sein_store_open (const char *path, const char *synchronous, int flags,
                 sein_store_status_t *status_p, char **error_p)
{
    assert (path);
    assert (synchronous);
    assert (status_p);
    assert (error_p);
    *error_p = NULL;
    *status_p = SEIN_STORE_REFUSED;
    bool init = flags & SEIN_STORE_INIT, accept = flags & SEIN_STORE_ACCEPT;
    s_mark_t mark = {.head = 0};
    int marked = s_mark_read (path, &mark);
    if (marked == -2) {
        *status_p = SEIN_STORE_FAILED;
        *error_p = sein_sprintf ("%s.mark: %s", path, strerror (errno));
        return NULL;
    }
    //  The lock is on the database file itself; only a new store may
    //  create it.
    int lock = open (path, O_RDWR | O_CLOEXEC);
    mode_t mode = flags & SEIN_STORE_GROUP ? 0640 : 0600;
    if (lock < 0 && errno == ENOENT && init && (marked != 1 || accept))
        lock = open (path, O_RDWR | O_CLOEXEC | O_CREAT, mode);
    if (lock < 0) {
        if (errno != ENOENT)
            *status_p = SEIN_STORE_FAILED;
        if (errno != ENOENT)
            *error_p = sein_sprintf ("%s: %s", path, strerror (errno));
        else if (marked == 1)
            *error_p = sein_sprintf ("%s is missing, but %s.mark says store %s held events "
                                     "up to seq %lld: restore the database, or start "
                                     "a new, empty store with --init --accept-store",
                                     path, path, mark.id, (long long) mark.head);
        else
            *error_p = sein_sprintf ("no store at %s (storage.dir/storage.file): seind "
                                     "--init creates one",
                                     path);
        return NULL;
    }
    if (flock (lock, LOCK_EX | LOCK_NB)) {
        *status_p = errno == EWOULDBLOCK ? SEIN_STORE_BUSY : SEIN_STORE_FAILED;
        //  The marker names the pid of the seind that holds it.
        if (*status_p == SEIN_STORE_BUSY && s_mark_read (path, &mark) == 1)
            *error_p = sein_sprintf ("another seind (pid %ld) is using %s", mark.pid, path);
        else
            *error_p = sein_sprintf ("cannot lock %s: %s", path, strerror (errno));
        close (lock);
        return NULL;
    }
    //  Personal data: private to seind's user (and its group with
    //  SEIN_STORE_GROUP), however the file was made; before SQLite
    //  opens it, so that the log and shared memory it creates get the
    //  same mode.
    s_private (path, lock, mode);
    struct stat file, log;
    char *wal = sein_sprintf ("%s-wal", path);
    bool logged = stat (wal, &log) == 0 && log.st_size > 0;
    zstr_free (&wal);
    char *error = NULL;
    if (fstat (lock, &file)) {
        *status_p = SEIN_STORE_FAILED;
        error = sein_sprintf ("%s: %s", path, strerror (errno));
    } else if (file.st_size == 0 && !logged) {
        if (marked == 1 && !accept)
            error = sein_sprintf ("%s is empty, but %s.mark says store %s held events up "
                                  "to seq %lld: restore the database, or start a new, "
                                  "empty store with --init --accept-store",
                                  path, path, mark.id, (long long) mark.head);
        else if (!init)
            error = sein_sprintf ("%s is empty: seind --init makes it a new store", path);
    } else
        error = s_check_header (path, lock, file.st_size, logged);

    //  Look before changing anything: a refused store is left as it was
    //  found (no migration, no checkpoint when the probe closes).
    s_facts_t facts;
    bool failed = false;
    //  A database without a schema where the marker says a store was is
    //  for the marker to explain; accepted, it becomes a new store.
    bool create = init || marked == 1;
    if (!error)
        error = s_probe (path, false, create, !(flags & SEIN_STORE_FAST), false, &facts,
                         &failed);
    if (failed)
        *status_p = SEIN_STORE_FAILED;
    if (!error) {
        char *mismatch = s_mark_mismatch (path, facts.id, facts.head, marked, &mark);
        if (mismatch && !accept)
            error = sein_sprintf ("%s; seinctl check tells more, --accept-store starts on "
                                  "this store as it is",
                                  mismatch);
        else if (mismatch)
            zsys_warning ("accepting the store as it is (--accept-store): %s", mismatch);
        zstr_free (&mismatch);
    }
    sein_store_t *self = NULL;
    if (!error) {
        bool refused;
        self = s_open (path, false, synchronous, create, &refused, &error);
        if (!self && !refused)
            *status_p = SEIN_STORE_FAILED;
    }
    if (!error) {
        //  A new or just migrated store has its id only now.
        s_query_text (self->db, "SELECT id FROM store", self->id, sizeof self->id);
        if (strlen (self->id) != S_ID_SIZE - 1)
            error = sein_sprintf ("%s: the store has no id: %s", path,
                                  sqlite3_errmsg (self->db));
        else if (marked != 1)
            zsys_notice ("%s: store %s, head %lld, recorded in %s.mark", path, self->id,
                         (long long) self->committed, path);
    }
    //  What the log holds was acked, or may be soon: on disk before the
    //  marker says so.
    int log_fd = -1;
    int synced = error ? 0 : sein_store_sync (path, &log_fd);
    if (log_fd >= 0)
        close (log_fd);
    if (synced && synced != ENOENT) {
        *status_p = SEIN_STORE_FAILED;
        error = sein_sprintf ("%s-wal: fdatasync: %s", path, strerror (synced));
    }
    if (!error) {
        char *name = sein_sprintf ("%s.mark", path);
        self->mark = open (name, O_RDWR | O_CREAT | O_CLOEXEC, mode);
        if (self->mark >= 0)
            s_private (name, self->mark, mode);
        self->path = sein_strdup (path);
        //  A new or rewritten marker is synced with its directory entry:
        //  the identity must outlive a power loss. Updates are not.
        if (self->mark < 0 || (marked != 1 && ftruncate (self->mark, 0)) ||
            sein_store_mark (self, self->committed) || fsync (self->mark) ||
            (marked != 1 && s_sync_dir (name))) {
            *status_p = SEIN_STORE_FAILED;
            error = sein_sprintf ("%s: %s", name, strerror (errno));
        }
        zstr_free (&name);
    }
    if (error) {
        sein_store_destroy (&self);
        close (lock);
        *error_p = error;
        return NULL;
    }
    self->lock = lock;
    *status_p = SEIN_STORE_OPENED;
    return self;
}

int
sein_store_mark (sein_store_t *self, int64_t head)
{
    assert (self);
    assert (self->mark >= 0);
    s_mark_t mark = {.head = head, .pid = (long) getpid ()};
    memcpy (mark.id, self->id, sizeof mark.id);
    char text[S_MARK_MAX];
    int size = s_mark_format (&mark, text);
    ssize_t written = pwrite (self->mark, text, (size_t) size, 0);
    if (written == size)
        return 0;
    if (written >= 0)
        errno = ENOSPC;
    return -1;
}

int64_t
sein_store_head (sein_store_t *self)
{
    assert (self);
    if (self->readonly) {
        //  A reader's head moves with the writer's commits.
        int64_t head = s_query_int (self->db, "SELECT coalesce(max(seq), 0) FROM events");
        if (head >= 0)
            self->head = head;
    }
    return self->head;
}

//  After a statement on the writer failed: when SQLite's error says the
//  disk failed (an I/O error) or the file is damaged, record it for good
//  (sein_store_fault). SQLITE_FULL is not among them: it passes when space
//  returns.
static void
s_note_fault (sein_store_t *self)
{
    int code = sqlite3_extended_errcode (self->db);
    int primary = code & 0xff;
    if (self->fault[0] ||
        (primary != SQLITE_IOERR && primary != SQLITE_CORRUPT && primary != SQLITE_NOTADB))
        return;
    int error = sqlite3_system_errno (self->db);
    snprintf (self->fault, sizeof self->fault, "%s (SQLite code %d%s%s)",
              sqlite3_errmsg (self->db), code, error ? ", " : "", error ? strerror (error) : "");
}

const char *
sein_store_fault (sein_store_t *self)
{
    assert (self);
    return self->fault[0] ? self->fault : NULL;
}

void
sein_store_set_fault (sein_store_t *self, const char *why)
{
    assert (self);
    assert (why);
    if (!self->fault[0])
        snprintf (self->fault, sizeof self->fault, "%s", why);
}

int
sein_store_begin (sein_store_t *self)
{
    assert (self);
    assert (!self->readonly);
    assert (!self->in_transaction);
    self->failure[0] = 0;
    if (self->fault[0]) {
        snprintf (self->failure, sizeof self->failure, "the disk failed: %.200s", self->fault);
        return -1;
    }
    if (s_step_done (self->statements[S_BEGIN])) {
        s_note_fault (self);
        snprintf (self->failure, sizeof self->failure, "%s", sqlite3_errmsg (self->db));
        return -1;
    }
    self->in_transaction = true;
    return 0;
}

int
sein_store_commit (sein_store_t *self)
{
    assert (self);
    assert (self->in_transaction);
    //  A signal found last (sein_store_find_signal) is done with.
    sqlite3_reset (self->statements[S_FIND_ID]);
    sqlite3_reset (self->statements[S_FIND_SEQ]);
    if (s_step_done (self->statements[S_COMMIT])) {
        sein_store_rollback (self);
        return -1;
    }
    self->in_transaction = false;
    self->committed = self->head;
    return 0;
}

void
sein_store_rollback (sein_store_t *self)
{
    assert (self);
    if (self->in_transaction) {
        if (!self->failure[0]) {
            s_note_fault (self);
            snprintf (self->failure, sizeof self->failure, "%s", sqlite3_errmsg (self->db));
        }
        sqlite3_reset (self->statements[S_FIND_ID]);
        sqlite3_reset (self->statements[S_FIND_SEQ]);
        //  A failed COMMIT may already have rolled back; ROLLBACK then
        //  errors harmlessly.
        s_step_done (self->statements[S_ROLLBACK]);
        self->in_transaction = false;
    }
    self->head = self->committed;
}

int64_t
sein_store_next_seq (sein_store_t *self)
{
    assert (self);
    return self->head + 1;
}

//  Bind text or NULL.
static void
s_bind (sqlite3_stmt *statement, int index, const char *value)
{
    if (value)
        sqlite3_bind_text (statement, index, value, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null (statement, index);
}

int
sein_store_find_key (sein_store_t *self, const char *submitter, const char *external_id,
                     int64_t *seq_p, char **body_p)
{
    assert (self);
    assert (submitter);
    assert (external_id);
    self->failure[0] = 0;
    sqlite3_stmt *statement = self->statements[S_FIND_KEY];
    s_bind (statement, 1, submitter);
    s_bind (statement, 2, external_id);
    int rc = sqlite3_step (statement);
    int result = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
    if (result == 1) {
        *seq_p = sqlite3_column_int64 (statement, 0);
        *body_p = sein_strdup ((const char *) sqlite3_column_text (statement, 1));
        if (!*body_p)
            result = -1;
    }
    sqlite3_reset (statement);
    sqlite3_clear_bindings (statement);
    return result;
}

static int
s_time_of (sein_store_t *self, int64_t seq, char at[SEIN_STORE_TIME_MAX]);

static int
s_add_event (sein_store_t *self, sein_event_t *event)
{
    sqlite3_stmt *statement = self->statements[S_ADD_EVENT];
    event->seq = self->head + 1;
    //  `at` never goes back along seq, whatever the wall clock does (NTP
    //  stepping it back, an admin setting it): sein_store_seq_at's search
    //  by seq relies on it. After a step back, events keep the time of the
    //  latest one until the clock has caught up; their bodies keep the
    //  clock's own received_at.
    if (!self->last_at[0] && self->head > 0 && s_time_of (self, self->head, self->last_at))
        self->last_at[0] = 0;
    const char *at = event->at;
    if (at && strcmp (at, self->last_at) < 0)
        at = self->last_at;
    sqlite3_bind_int64 (statement, 1, event->seq);
    s_bind (statement, 2, event->kind);
    s_bind (statement, 3, at);
    s_bind (statement, 4, event->area);
    s_bind (statement, 5, event->wijk);
    s_bind (statement, 6, event->theme);
    s_bind (statement, 7, event->priority);
    s_bind (statement, 8, event->source);
    s_bind (statement, 9, event->teams);
    sqlite3_bind_text (statement, 10, event->body, (int) event->body_size, SQLITE_STATIC);
    if (event->signal == 0)
        event->signal = event->seq; //  a creation event is about itself
    sqlite3_bind_int64 (statement, 11, event->signal);
    s_bind (statement, 12, event->owners);
    if (s_step_done (statement))
        return -1;
    self->head = event->seq;
    if (at && at != self->last_at)
        snprintf (self->last_at, sizeof self->last_at, "%s", at);
    return 0;
}

int
sein_store_add_signal (sein_store_t *self, sein_store_signal_t *signal)
{
    assert (self);
    assert (signal);
    assert (self->in_transaction);
    sqlite3_stmt *statement = self->statements[S_ADD_SIGNAL];
    sein_event_t *event = &signal->event;
    sqlite3_bind_int64 (statement, 1, self->head + 1);
    s_bind (statement, 2, signal->id);
    s_bind (statement, 3, signal->submitter);
    s_bind (statement, 4, signal->external_id);
    s_bind (statement, 5, signal->status);
    s_bind (statement, 9, event->at);
    s_bind (statement, 10, event->area);
    s_bind (statement, 11, event->wijk);
    s_bind (statement, 12, event->theme);
    s_bind (statement, 13, event->priority);
    s_bind (statement, 14, event->source);
    s_bind (statement, 15, event->teams);
    sqlite3_bind_text (statement, 16, event->body, (int) event->body_size, SQLITE_STATIC);
    if (signal->has_point) {
        sqlite3_bind_double (statement, 17, signal->lat);
        sqlite3_bind_double (statement, 18, signal->lon);
    }
    s_bind (statement, 19, signal->due_at);
    if (signal->related_to > 0)
        sqlite3_bind_int64 (statement, 20, signal->related_to);
    int rc = s_step_done (statement);
    sqlite3_clear_bindings (statement);
    if (rc)
        return -1;
    //  The key is taken: one index search told, where a lookup first
    //  would have cost a second one for every new signal.
    if (sqlite3_changes (self->db) == 0)
        return 1;
    //  Personal data goes to its own table, only when there is some.
    if (signal->reporter_name || signal->reporter_email || signal->reporter_phone) {
        statement = self->statements[S_ADD_REPORTER];
        sqlite3_bind_int64 (statement, 1, self->head + 1);
        s_bind (statement, 2, signal->reporter_name);
        s_bind (statement, 3, signal->reporter_email);
        s_bind (statement, 4, signal->reporter_phone);
        rc = s_step_done (statement);
        sqlite3_clear_bindings (statement);
    }
    if (rc || s_add_event (self, event)) {
        snprintf (self->failure, sizeof self->failure, "%s", sqlite3_errmsg (self->db));
        //  Take the signal row out again: left in, it would be committed
        //  without its event and block the next add on the same seq.
        statement = self->statements[S_UNDO_SIGNAL];
        sqlite3_bind_int64 (statement, 1, self->head + 1);
        s_step_done (statement);
        statement = self->statements[S_UNDO_REPORTER];
        sqlite3_bind_int64 (statement, 1, self->head + 1);
        s_step_done (statement);
        return -1;
    }
    return 0;
}

//  Visit the events STATEMENT (bound) selects, as sein_store_events.
static int
s_visit_events (sqlite3_stmt *statement, sein_store_event_fn *fn, void *arg)
{
    int visited = 0, rc;
    while ((rc = sqlite3_step (statement)) == SQLITE_ROW) {
        sein_event_t event = {
            .seq = sqlite3_column_int64 (statement, 0),
            .kind = (const char *) sqlite3_column_text (statement, 1),
            .at = (const char *) sqlite3_column_text (statement, 2),
            .area = (const char *) sqlite3_column_text (statement, 3),
            .wijk = (const char *) sqlite3_column_text (statement, 4),
            .theme = (const char *) sqlite3_column_text (statement, 5),
            .priority = (const char *) sqlite3_column_text (statement, 6),
            .source = (const char *) sqlite3_column_text (statement, 7),
            .teams = (const char *) sqlite3_column_text (statement, 8),
            .body = (const char *) sqlite3_column_text (statement, 9),
            .body_size = (size_t) sqlite3_column_bytes (statement, 9),
            .owners = (const char *) sqlite3_column_text (statement, 10),
        };
        visited++;
        if (fn (&event, arg))
            break;
    }
    bool failed = rc != SQLITE_ROW && rc != SQLITE_DONE;
    sqlite3_reset (statement);
    return failed ? -1 : visited;
}

int
sein_store_events (sein_store_t *self, int64_t from, int limit, sein_store_event_fn *fn,
                   void *arg)
{
    assert (self);
    assert (fn);
    self->failure[0] = 0;
    sqlite3_stmt *statement = self->statements[S_EVENTS];
    sqlite3_bind_int64 (statement, 1, from);
    sqlite3_bind_int (statement, 2, limit);
    return s_visit_events (statement, fn, arg);
}

int
sein_store_history (sein_store_t *self, int64_t seq, int64_t head, sein_store_event_fn *fn,
                    void *arg)
{
    assert (self);
    assert (fn);
    self->failure[0] = 0;
    sqlite3_stmt *statement = self->statements[S_HISTORY];
    sqlite3_bind_int64 (statement, 1, seq);
    sqlite3_bind_int64 (statement, 2, head);
    return s_visit_events (statement, fn, arg);
}

//  The time of the first event at or after SEQ into AT; 0, 1 when there
//  is none, -1 on error.
static int
s_time_of (sein_store_t *self, int64_t seq, char at[SEIN_STORE_TIME_MAX])
{
    sqlite3_stmt *statement = self->statements[S_AT];
    sqlite3_bind_int64 (statement, 1, seq);
    int rc = sqlite3_step (statement);
    if (rc == SQLITE_ROW)
        snprintf (at, SEIN_STORE_TIME_MAX, "%s",
                  (const char *) sqlite3_column_text (statement, 0));
    sqlite3_reset (statement);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int64_t
sein_store_seq_at (sein_store_t *self, const char *time)
{
    assert (self);
    assert (time);
    self->failure[0] = 0;
    //  Events are stored in time order (the batch's arrival time), so a
    //  binary search over seq finds the first at or after TIME in a few
    //  point reads, where an index on `at` would cost every insert.
    int64_t low = 1, high = sein_store_head (self) + 1;
    while (low < high) {
        int64_t middle = low + (high - low) / 2;
        char at[SEIN_STORE_TIME_MAX];
        int rc = s_time_of (self, middle, at);
        if (rc < 0)
            return -1;
        if (rc == 0 && strcmp (at, time) < 0)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

//  The signal on STATEMENT's current row (S_GET*): its body and state.
static json_t *
s_signal_of (sqlite3_stmt *statement)
{
    json_t *result = json_loads ((const char *) sqlite3_column_text (statement, 0), 0, NULL);
    if (!result)
        return NULL;
    //  Columns 1.. are S_STATE_COLUMNS; 2..4 (submitter, external_id,
    //  seq) are for the caller, not shown.
    static const char *names[] = {"status",        "",         "",
                                  "",              "due_at",   "updated_at",
                                  "acknowledged_at", "resolved_at", "closed_at",
                                  "assigned_team", "assignee"};
    //  The row has the last word: a correction can change or remove the
    //  deadline the creation event names.
    for (int index = 0; index < (int) (sizeof names / sizeof names[0]); index++)
        if (*names[index] && sqlite3_column_type (statement, 1 + index) != SQLITE_NULL)
            json_object_set_new (result, names[index],
                                 json_string ((const char *) sqlite3_column_text (
                                     statement, 1 + index)));
        else if (*names[index])
            json_object_del (result, names[index]);
    //  The row has the last word: a link can be undone.
    json_object_del (result, "related_to");
    if (sqlite3_column_type (statement, 12) != SQLITE_NULL)
        json_object_set_new (result, "related_to",
                             json_pack ("{s:s?,s:I}", "id",
                                        (const char *) sqlite3_column_text (statement, 13),
                                        "seq",
                                        (json_int_t) sqlite3_column_int64 (statement, 12)));
    json_object_set_new (result, "reports",
                         json_integer (sqlite3_column_int64 (statement, 14)));
    json_object_set_new (result, "overdue",
                         json_boolean (sqlite3_column_int (statement, 15)));
    //  A correction (RECLASSIFY) changes the codes and teams after the
    //  body was written: the row's are the current ones. The
    //  "classification" object keeps what the classifier said.
    static const char *codes[] = {"area", "wijk", "theme"};
    for (int index = 0; index < 3; index++)
        if (sqlite3_column_type (statement, 16 + index) != SQLITE_NULL)
            json_object_set_new (result, codes[index],
                                 json_string ((const char *) sqlite3_column_text (
                                     statement, 16 + index)));
    const char *teams = (const char *) sqlite3_column_text (statement, 19);
    if (teams && *teams == ',') {
        json_t *list = json_array ();
        for (const char *team = teams + 1, *end; (end = strchr (team, ',')); team = end + 1)
            json_array_append_new (list, json_stringn (team, (size_t) (end - team)));
        json_object_set_new (result, "teams", list);
    }
    return result;
}

json_t *
sein_store_get (sein_store_t *self, const char *id, bool personal)
{
    assert (id);
    return sein_store_get_by (self, id, 0, NULL, NULL, personal);
}

json_t *
sein_store_get_by (sein_store_t *self, const char *id, int64_t seq, const char *submitter,
                   const char *external_id, bool personal)
{
    assert (self);
    assert (id || seq > 0 || (submitter && external_id));
    self->failure[0] = 0;
    sqlite3_stmt *statement;
    if (id) {
        statement = self->statements[S_GET];
        s_bind (statement, 1, id);
    } else if (seq > 0) {
        statement = self->statements[S_GET_SEQ];
        sqlite3_bind_int64 (statement, 1, seq);
    } else {
        statement = self->statements[S_GET_KEY];
        s_bind (statement, 1, submitter);
        s_bind (statement, 2, external_id);
    }
    json_t *result = NULL;
    int64_t found = 0;
    if (sqlite3_step (statement) == SQLITE_ROW) {
        result = s_signal_of (statement);
        found = sqlite3_column_int64 (statement, 4);
    }
    sqlite3_reset (statement);
    sqlite3_clear_bindings (statement);
    json_t *reporter = result && personal ? sein_store_reporter (self, found) : NULL;
    if (reporter)
        json_object_set_new (result, "reporter", reporter);
    else if (personal) {
        json_decref (result); //  the details could not be read
        result = NULL;
    }
    return result;
}

json_t *
sein_store_reporter (sein_store_t *self, int64_t seq)
{
    assert (self);
    sqlite3_stmt *statement = self->statements[S_REPORTER];
    sqlite3_bind_int64 (statement, 1, seq);
    int rc = sqlite3_step (statement);
    json_t *reporter = rc == SQLITE_ROW || rc == SQLITE_DONE ? json_object () : NULL;
    static const char *fields[] = {"name", "email", "phone"};
    for (int index = 0; rc == SQLITE_ROW && index < 3; index++)
        if (sqlite3_column_type (statement, index) != SQLITE_NULL)
            json_object_set_new (reporter, fields[index],
                                 json_string ((const char *) sqlite3_column_text (statement,
                                                                                 index)));
    sqlite3_reset (statement);
    return reporter;
}

int
sein_store_log_access (sein_store_t *self, const char *at, const char *who, int64_t seq,
                       const char *what)
{
    assert (self);
    assert (self->in_transaction);
    sqlite3_stmt *statement = self->statements[S_LOG_ACCESS];
    s_bind (statement, 1, at);
    s_bind (statement, 2, who);
    sqlite3_bind_int64 (statement, 3, seq);
    s_bind (statement, 4, what);
    int rc = s_step_done (statement);
    sqlite3_clear_bindings (statement);
    return rc;
}

//  ---------------------------------------------------------------------
//  Personal data: erasure and retention (docs/SECURITY.md)

//  Retention counts from the moment a signal was closed (the last time,
//  when it was reopened and closed again); a signal in any other state
//  may still be worked on.
#define S_DONE_STATES "status = 'closed'"

//  Run SQL (no values) on the writer; 0 or -1 with the failure kept.
static int
s_exec (sein_store_t *self, const char *sql)
{
    if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) == SQLITE_OK)
        return 0;
    snprintf (self->failure, sizeof self->failure, "%s", sqlite3_errmsg (self->db));
    return -1;
}

//  Prepare SQL, bind TEXT (when not NULL) to ?1, step it to the end.
//  Returns the rows it changed, or -1.
static int64_t
s_change (sein_store_t *self, const char *sql, const char *text)
{
    sqlite3_stmt *statement;
    if (sqlite3_prepare_v2 (self->db, sql, -1, &statement, NULL) != SQLITE_OK) {
        snprintf (self->failure, sizeof self->failure, "%s", sqlite3_errmsg (self->db));
        return -1;
    }
    if (text)
        s_bind (statement, 1, text);
    int rc = s_step_done (statement);
    sqlite3_finalize (statement);
    return rc ? -1 : sqlite3_changes64 (self->db);
}

char *
sein_store_scrub (const char *json, const char *contact)
{
    assert (json);
    assert (contact);
    size_t len = strlen (contact);
    if (len == 0)
        return NULL;
    static const char erased[] = "[erased]";
    sein_buf_t out = {0};
    bool inside = false, changed = false;
    for (const char *at = json; *at;) {
        if (inside && *at == '\\' && at[1]) {
            sein_buf_raw (&out, at, 2);
            at += 2;
        } else if (inside && strncasecmp (at, contact, len) == 0) {
            //  CONTACT holds no quote or backslash: the match lies inside
            //  this string.
            sein_buf_raw (&out, erased, sizeof erased - 1);
            at += len;
            changed = true;
        } else {
            if (*at == '"')
                inside = !inside;
            sein_buf_raw (&out, at++, 1);
        }
    }
    char *result = changed ? sein_strndup (out.data, out.size) : NULL;
    sein_buf_free (&out);
    return result;
}

int64_t
sein_store_erase (sein_store_t *self, const char *contact, const char *at, const char *who)
{
    assert (self);
    assert (contact && at && who);
    assert (self->in_transaction);
    self->failure[0] = 0;
    //  Freed pages and cells are overwritten with zeros while erasing, so
    //  the details do not linger in the file's free space.
    if (s_exec (self, "PRAGMA secure_delete = ON;"
                      "CREATE TEMP TABLE IF NOT EXISTS erase (signal INTEGER PRIMARY KEY);"
                      "DELETE FROM temp.erase") ||
        s_change (self,
                  "INSERT OR IGNORE INTO temp.erase SELECT signal FROM reporters"
                  " WHERE lower (email) = lower (?1) OR phone = ?1",
                  contact) < 0)
        return -1;
    //  Every copy in an event: the description, attributes, notes, also
    //  of signals someone else reported (a description that names the
    //  person, a note), which nothing marks: so a scan of every event,
    //  in the writer's transaction so that no event escapes it. LIKE
    //  folds ASCII case as lower () does, without a lowered copy of each
    //  body: half the time of instr (lower (body), ...) (docs/SECURITY.md).
    //  The contact's own % and _ are escaped; it holds no backslash.
    sqlite3_stmt *find;
    if (sqlite3_prepare_v2 (self->db,
                            "SELECT seq, signal, body FROM events WHERE body LIKE"
                            " '%' || replace (replace (?1, '%', '\\%'), '_', '\\_') || '%'"
                            " ESCAPE '\\'",
                            -1, &find, NULL) != SQLITE_OK) {
        snprintf (self->failure, sizeof self->failure, "%s", sqlite3_errmsg (self->db));
        return -1;
    }
    s_bind (find, 1, contact);
    zlist_t *scrubbed = zlist_new (); //  seq, signal, new body, in turn
    zlist_autofree (scrubbed);
    int rc;
    while ((rc = sqlite3_step (find)) == SQLITE_ROW) {
        char *body = sein_store_scrub ((const char *) sqlite3_column_text (find, 2), contact);
        if (body) {
            char number[2][24];
            snprintf (number[0], sizeof number[0], "%lld",
                      (long long) sqlite3_column_int64 (find, 0));
            snprintf (number[1], sizeof number[1], "%lld",
                      (long long) sqlite3_column_int64 (find, 1));
            zlist_append (scrubbed, number[0]);
            zlist_append (scrubbed, number[1]);
            zlist_append (scrubbed, body);
            free (body);
        }
    }
    sqlite3_finalize (find);
    sqlite3_stmt *update = NULL, *mark = NULL;
    if (rc != SQLITE_DONE ||
        sqlite3_prepare_v2 (self->db, "UPDATE events SET body = ?2 WHERE seq = ?1", -1,
                            &update, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2 (self->db, "INSERT OR IGNORE INTO temp.erase VALUES (?1)", -1,
                            &mark, NULL) != SQLITE_OK)
        rc = -1;
    else
        rc = 0;
    for (char *seq = (char *) zlist_first (scrubbed); rc == 0 && seq;
         seq = (char *) zlist_next (scrubbed)) {
        char *signal = (char *) zlist_next (scrubbed), *body = (char *) zlist_next (scrubbed);
        sqlite3_bind_int64 (update, 1, atoll (seq));
        s_bind (update, 2, body);
        sqlite3_bind_int64 (mark, 1, atoll (signal));
        rc = s_step_done (update) || s_step_done (mark) ? -1 : 0;
    }
    if (rc)
        snprintf (self->failure, sizeof self->failure, "%s", sqlite3_errmsg (self->db));
    sqlite3_finalize (update);
    sqlite3_finalize (mark);
    zlist_destroy (&scrubbed);
    int64_t signals = rc ? -1 : s_query_int (self->db, "SELECT count(*) FROM temp.erase");
    char *record = signals < 0 ? NULL
                               : sqlite3_mprintf ("INSERT INTO erasures VALUES (%Q, %Q, %lld)",
                                                  at, who, (long long) signals);
    if (signals < 0 ||
        s_change (self,
                  "DELETE FROM reporters WHERE lower (email) = lower (?1) OR phone = ?1",
                  contact) < 0 ||
        s_exec (self, "INSERT INTO reindex (signal, purge) SELECT signal, 1 FROM temp.erase") ||
        s_exec (self, record))
        signals = -1;
    sqlite3_free (record);
    s_exec (self, "PRAGMA secure_delete = OFF");
    return signals;
}

int
sein_store_retain (sein_store_t *self, const char *anonymise_before,
                   const char *delete_before, int limit, sein_store_retained_t *counts)
{
    assert (self);
    assert (counts);
    assert (self->in_transaction);
    self->failure[0] = 0;
    memset (counts, 0, sizeof *counts);
    char *sql = NULL;
    int rc = s_exec (self, "PRAGMA secure_delete = ON;"
                           "CREATE TEMP TABLE IF NOT EXISTS retire (seq INTEGER PRIMARY KEY);"
                           "DELETE FROM temp.retire");
    if (rc == 0 && anonymise_before) {
        sql = sqlite3_mprintf ("DELETE FROM reporters WHERE signal IN (SELECT seq FROM"
                               " signals WHERE " S_DONE_STATES " AND closed_at < ?1"
                               " AND seq IN (SELECT signal FROM reporters) LIMIT %d)",
                               limit);
        counts->anonymised = s_change (self, sql, anonymise_before);
        sqlite3_free (sql);
        rc = counts->anonymised < 0 ? -1 : 0;
    }
    if (rc == 0 && delete_before) {
        sql = sqlite3_mprintf ("INSERT INTO temp.retire SELECT seq FROM signals WHERE "
                               S_DONE_STATES " AND closed_at < ?1 LIMIT %d",
                               limit);
        counts->deleted = s_change (self, sql, delete_before);
        sqlite3_free (sql);
        //  The events stay, as tombstones keeping their seq and codes:
        //  a watcher replaying from before finds no gap (docs/PROTOCOL.md,
        //  "Retention").
        if (counts->deleted < 0 ||
            s_exec (self,
                    "UPDATE events SET kind = 'deleted', body = json_object ('seq', seq,"
                    " 'event', 'deleted', 'at', at, 'signal', json_object ('seq', signal))"
                    " WHERE seq IN (SELECT seq FROM temp.retire)"
                    " OR (kind <> 'signal' AND signal IN (SELECT seq FROM temp.retire));"
                    "DELETE FROM reporters WHERE signal IN (SELECT seq FROM temp.retire);"
                    "DELETE FROM signals WHERE seq IN (SELECT seq FROM temp.retire);"
                    "INSERT INTO reindex (signal) SELECT seq FROM temp.retire"))
            rc = -1;
    }
    s_exec (self, "PRAGMA secure_delete = OFF");
    return rc;
}

//  The row STATEMENT (selecting S_ROW_COLUMNS) is on.
static void
s_row (sqlite3_stmt *statement, sein_store_row_t *row)
{
    const char **strings[] = {&row->id,     &row->status, &row->received_at, &row->area,
                              &row->wijk,   &row->theme,  &row->priority,    &row->source,
                              &row->teams,  &row->due_at, &row->assigned_team,
                              &row->assignee};
    memset (row, 0, sizeof *row);
    row->seq = sqlite3_column_int64 (statement, 0);
    for (int index = 0; index < (int) (sizeof strings / sizeof strings[0]); index++)
        *strings[index] = (const char *) sqlite3_column_text (statement, 1 + index);
    //  Rows migrated from schema 1 have every code; guard the few that a
    //  damaged row could lack, so callers need not.
    if (!row->teams)
        row->teams = ",";
    row->related_to = sqlite3_column_int64 (statement, 13);
    row->reports = sqlite3_column_int64 (statement, 14);
    row->overdue = sqlite3_column_int (statement, 15) != 0;
    row->has_point = sqlite3_column_type (statement, 16) != SQLITE_NULL &&
                     sqlite3_column_type (statement, 17) != SQLITE_NULL;
    row->lat = sqlite3_column_double (statement, 16);
    row->lon = sqlite3_column_double (statement, 17);
}

int
sein_store_find_signal (sein_store_t *self, const char *id, int64_t seq,
                        sein_store_row_t *row)
{
    assert (self);
    assert (row);
    sqlite3_stmt *statement = self->statements[id ? S_FIND_ID : S_FIND_SEQ];
    //  The row's strings live until the statement's next use: reset at
    //  the start, not the end.
    sqlite3_reset (statement);
    if (id)
        s_bind (statement, 1, id);
    else
        sqlite3_bind_int64 (statement, 1, seq);
    int rc = sqlite3_step (statement);
    if (rc == SQLITE_ROW) {
        s_row (statement, row);
        return 1;
    }
    sqlite3_reset (statement);
    return rc == SQLITE_DONE ? 0 : -1;
}

char *
sein_store_owners (sein_store_t *self, int64_t seq)
{
    assert (self);
    sqlite3_stmt *statement = self->statements[S_OWNERS];
    sqlite3_bind_int64 (statement, 1, seq);
    char *owners = NULL;
    if (sqlite3_step (statement) == SQLITE_ROW && sqlite3_column_text (statement, 0))
        owners = sein_strdup ((const char *) sqlite3_column_text (statement, 0));
    sqlite3_reset (statement);
    return owners;
}

void
sein_store_release (sein_store_t *self)
{
    assert (self);
    sqlite3_reset (self->statements[S_FIND_ID]);
    sqlite3_reset (self->statements[S_FIND_SEQ]);
}

int
sein_store_add_change (sein_store_t *self, sein_event_t *event,
                       const sein_store_update_t *update)
{
    assert (self);
    assert (event || update);
    assert (self->in_transaction);
    assert (!event || event->signal > 0);
    if (event && s_add_event (self, event)) {
        s_note_fault (self);
        snprintf (self->failure, sizeof self->failure, "%s", sqlite3_errmsg (self->db));
        return -1;
    }
    if (!update)
        return 0;
    if (update->theme) {
        sqlite3_stmt *codes = self->statements[S_RECLASSIFY];
        sqlite3_bind_int64 (codes, 1, update->seq);
        s_bind (codes, 2, update->area);
        s_bind (codes, 3, update->wijk);
        s_bind (codes, 4, update->theme);
        s_bind (codes, 5, update->teams);
        s_bind (codes, 6, update->due_at);
        int rc = s_step_done (codes);
        sqlite3_clear_bindings (codes);
        if (rc) {
            s_note_fault (self);
            snprintf (self->failure, sizeof self->failure, "%s", sqlite3_errmsg (self->db));
            return -1;
        }
    }
    bool bump = !update->status && !update->acknowledged_at && !update->resolved_at &&
                !update->closed_at && !update->assigned_team && !update->set_assignee &&
                !update->set_related;
    sqlite3_stmt *statement = self->statements[S_UPDATE];
    if (bump && !update->overdue)
        statement = self->statements[S_BUMP];
    else if (bump && update->reports_delta == 0 && !update->updated_at)
        statement = self->statements[S_MARK_OVERDUE];
    if (statement != self->statements[S_UPDATE]) {
        sqlite3_bind_int64 (statement, 1, update->seq);
        if (statement == self->statements[S_BUMP]) {
            sqlite3_bind_int64 (statement, 2, update->reports_delta);
            s_bind (statement, 3, update->updated_at);
        }
        int rc = s_step_done (statement);
        sqlite3_clear_bindings (statement);
        if (rc) {
            s_note_fault (self);
            snprintf (self->failure, sizeof self->failure, "%s", sqlite3_errmsg (self->db));
        }
        return rc;
    }
    sqlite3_bind_int64 (statement, 1, update->seq);
    s_bind (statement, 2, update->status);
    s_bind (statement, 3, update->updated_at);
    s_bind (statement, 4, update->acknowledged_at);
    s_bind (statement, 5, update->resolved_at);
    s_bind (statement, 6, update->closed_at);
    s_bind (statement, 7, update->assigned_team);
    sqlite3_bind_int (statement, 8, update->set_assignee);
    s_bind (statement, 9, update->assignee);
    sqlite3_bind_int (statement, 10, update->set_related);
    sqlite3_bind_int64 (statement, 11, update->related_to);
    sqlite3_bind_int64 (statement, 12, update->reports_delta);
    sqlite3_bind_int (statement, 13, update->overdue);
    int rc = s_step_done (statement);
    sqlite3_clear_bindings (statement);
    if (rc) {
        s_note_fault (self);
        snprintf (self->failure, sizeof self->failure, "%s", sqlite3_errmsg (self->db));
        return -1;
    }
    return 0;
}

#define S_EARTH_RADIUS 6371008.8 //  metres, the mean radius

//  Great-circle distance in metres (haversine): exact enough for the few
//  hundred metres a link spans.
static double
s_distance (double lat1, double lon1, double lat2, double lon2)
{
    double rad = M_PI / 180.0;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double a = sin (dlat / 2) * sin (dlat / 2) +
               cos (lat1 * rad) * cos (lat2 * rad) * sin (dlon / 2) * sin (dlon / 2);
    return 2 * S_EARTH_RADIUS * asin (fmin (1.0, sqrt (a)));
}

int
sein_store_find_nearby (sein_store_t *self, const char *theme, int64_t from, double lat,
                        double lon, double radius, sein_store_row_t *row)
{
    assert (self);
    assert (theme);
    assert (row);
    sqlite3_stmt *statement = self->statements[S_NEARBY];
    sqlite3_reset (statement);
    double dlat = radius / S_EARTH_RADIUS * 180.0 / M_PI;
    double scale = cos (lat * M_PI / 180.0);
    double dlon = scale > 1e-6 ? dlat / scale : 180.0;
    s_bind (statement, 1, theme);
    sqlite3_bind_int64 (statement, 2, from);
    int rc;
    int64_t best = 0;
    double nearest = radius;
    while ((rc = sqlite3_step (statement)) == SQLITE_ROW) {
        double case_lat = sqlite3_column_double (statement, 1);
        double case_lon = sqlite3_column_double (statement, 2);
        //  The box first: most cases are far away.
        if (fabs (case_lat - lat) > dlat || fabs (case_lon - lon) > dlon)
            continue;
        double distance = s_distance (lat, lon, case_lat, case_lon);
        int64_t seq = sqlite3_column_int64 (statement, 0);
        //  On a tie the newer one wins.
        if (distance <= radius &&
            (!best || distance < nearest || (distance == nearest && seq > best))) {
            nearest = distance;
            best = seq;
        }
    }
    sqlite3_reset (statement);
    if (rc != SQLITE_DONE)
        return -1;
    return best ? sein_store_find_signal (self, NULL, best, row) : 0;
}

int
sein_store_overdue (sein_store_t *self, const char *now, int limit, sein_store_row_fn *fn,
                    void *arg)
{
    assert (self);
    assert (now);
    assert (fn);
    sqlite3_stmt *statement = self->statements[S_OVERDUE];
    s_bind (statement, 1, now);
    sqlite3_bind_int (statement, 2, limit);
    int visited = 0, rc;
    while ((rc = sqlite3_step (statement)) == SQLITE_ROW) {
        sein_store_row_t row;
        s_row (statement, &row);
        visited++;
        if (fn (&row, arg))
            break;
    }
    bool failed = rc != SQLITE_ROW && rc != SQLITE_DONE;
    sqlite3_reset (statement);
    return failed ? -1 : visited;
}

json_t *
sein_store_stats (sein_store_t *self)
{
    assert (self);
    self->failure[0] = 0;
    json_t *stats = json_object ();
    //  Codes are counted over the signals' creation events, the workflow
    //  status over the signals themselves. Columns come from this fixed
    //  list, never from input.
    static const char *counts[][2] = {
        {"by_area", "SELECT area, count(*) FROM events WHERE kind = 'signal' GROUP BY 1"},
        {"by_wijk", "SELECT wijk, count(*) FROM events WHERE kind = 'signal' GROUP BY 1"},
        {"by_theme", "SELECT theme, count(*) FROM events WHERE kind = 'signal' GROUP BY 1"},
        {"by_priority",
         "SELECT priority, count(*) FROM events WHERE kind = 'signal' GROUP BY 1"},
        {"by_source", "SELECT source, count(*) FROM events WHERE kind = 'signal' GROUP BY 1"},
        {"by_status", "SELECT status, count(*) FROM signals GROUP BY 1"}};
    int64_t total = s_query_int (self->db, "SELECT count(*) FROM signals");
    if (!stats || total < 0) {
        json_decref (stats);
        return NULL;
    }
    json_object_set_new (stats, "total", json_integer (total));
    json_object_set_new (stats, "head", json_integer (sein_store_head (self)));
    for (size_t index = 0; index < sizeof counts / sizeof counts[0]; index++) {
        sqlite3_stmt *statement;
        json_t *group = json_object ();
        if (sqlite3_prepare_v2 (self->db, counts[index][1], -1, &statement, NULL) !=
            SQLITE_OK) {
            json_decref (group);
            json_decref (stats);
            return NULL;
        }
        while (sqlite3_step (statement) == SQLITE_ROW)
            json_object_set_new (group, (const char *) sqlite3_column_text (statement, 0),
                                 json_integer (sqlite3_column_int64 (statement, 1)));
        sqlite3_finalize (statement);
        json_object_set_new (stats, counts[index][0], group);
    }
    return stats;
}

int
sein_store_wal_frames (sein_store_t *self)
{
    assert (self);
    return self->wal_frames;
}

int
sein_store_checkpoint (sein_store_t *self, bool block)
{
    assert (self);
    assert (!self->readonly);
    int logged = 0, copied = 0;
    if (block)
        sqlite3_busy_timeout (self->db, SEIN_STORE_RESTART_WAIT);
    int rc = sqlite3_wal_checkpoint_v2 (
        self->db, NULL, block ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE,
        &logged, &copied);
    if (block)
        sqlite3_busy_timeout (self->db, S_BUSY_WAIT);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        s_note_fault (self);
    if (rc == SQLITE_OK && !block && copied > 0 && copied < logged) {
        //  SQLite syncs the database only after a checkpoint that copied
        //  the whole log. Under sustained load none does, so the pages
        //  copied piled up unsynced until the writer's forced checkpoint
        //  had to sync them all, every ack waiting: under bench_fair's
        //  flood it took 90-97 ms with only 150-280 pages left to copy,
        //  and 2-31 ms once synced here, beside the writer. A failure is
        //  the disk's, as in any checkpoint.
        sqlite3_file *file = NULL;
        int synced = sqlite3_file_control (self->db, "main", SQLITE_FCNTL_FILE_POINTER, &file);
        if (synced == SQLITE_OK && file && file->pMethods)
            synced = file->pMethods->xSync (file, SQLITE_SYNC_NORMAL);
        if (synced != SQLITE_OK && !self->fault[0])
            snprintf (self->fault, sizeof self->fault,
                      "fsync of the database after a checkpoint failed (SQLite code %d)",
                      synced);
        if (synced != SQLITE_OK)
            rc = SQLITE_IOERR;
    }
    if (rc == SQLITE_OK && block)
        self->wal_frames = 0;
    //  SQLite reports -1 for both when the store is not in WAL mode.
    self->wal_behind = logged > copied ? logged - copied : 0;
    //  BUSY only means a reader or the writer kept part of the log for now.
    return rc == SQLITE_OK || rc == SQLITE_BUSY ? 0 : -1;
}

int
sein_store_checkpoint_behind (sein_store_t *self)
{
    assert (self);
    return self->wal_behind;
}

const char *
sein_store_error (sein_store_t *self)
{
    assert (self);
    return self->failure[0] ? self->failure : sqlite3_errmsg (self->db);
}

//  Make what was written to the file at PATH (and its name, in DIR)
//  durable. Returns 0, or -1 with errno set.
static int
s_sync_file (const char *path, const char *dir)
{
    int fd = open (path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync (fd)) {
        int error = errno;
        if (fd >= 0)
            close (fd);
        errno = error;
        return -1;
    }
    close (fd);
    fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync (fd); //  not every file system syncs a directory; the rename stands
        close (fd);
    }
    return 0;
}

int
sein_store_backup (const char *path, const char *target, int64_t *head_p, char **error_p)
{
    assert (path && target && head_p && error_p);
    *error_p = NULL;
    *head_p = 0;
    char *part = sein_sprintf ("%s.part", target);
    char *dir = sein_strdup (target);
    char *slash = strrchr (dir, '/');
    if (slash)
        slash[slash == dir ? 1 : 0] = 0;
    else
        strcpy (dir, ".");
    char *error = NULL;
    sqlite3 *source = NULL, *copy = NULL;
    if (access (target, F_OK) == 0)
        error = sein_sprintf ("%s exists: name a new file, or remove it first", target);
    else if (sqlite3_open_v2 (path, &source, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                              NULL) != SQLITE_OK)
        error = sein_sprintf ("%s: %s", path, source ? sqlite3_errmsg (source) : "out of memory");
    if (!error) {
        sqlite3_db_config (source, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
        sqlite3_busy_timeout (source, S_BUSY_WAIT);
        error = s_schema_problem (source, path, false);
    }
    if (!error && s_query_int (source, "PRAGMA user_version") < 1)
        error = sein_sprintf ("%s holds no store", path);
    //  A leftover of an interrupted backup is ours to replace.
    unlink (part);
    if (!error && sqlite3_open_v2 (part, &copy,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                       SQLITE_OPEN_NOMUTEX,
                                   NULL) != SQLITE_OK)
        error = sein_sprintf ("%s: %s", part, copy ? sqlite3_errmsg (copy) : "out of memory");
    if (!error) {
        //  Every page in one step, so in one read transaction: one
        //  snapshot of the log, however fast seind commits meanwhile (in
        //  steps, a write between two would start the copy over). A WAL
        //  reader neither blocks the writer nor needs seind's flock.
        sqlite3_backup *backup = sqlite3_backup_init (copy, "main", source, "main");
        int rc = backup ? sqlite3_backup_step (backup, -1) : sqlite3_errcode (copy);
        for (int tries = 0; (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && tries < 50; tries++) {
            sqlite3_sleep (100);
            rc = sqlite3_backup_step (backup, -1);
        }
        if (backup)
            sqlite3_backup_finish (backup);
        if (rc != SQLITE_DONE)
            error = sein_sprintf ("cannot copy %s: %s", path,
                                  backup ? sqlite3_errstr (rc) : sqlite3_errmsg (copy));
    }
    if (!error) {
        char *problems = s_integrity (copy, "quick_check");
        if (problems)
            error = sein_sprintf ("the copy of %s is damaged (%s)", path, problems);
        zstr_free (&problems);
        *head_p = s_query_int (copy, "SELECT coalesce(max(seq), 0) FROM events");
    }
    sqlite3_close (copy);
    sqlite3_close (source);
    if (!error && s_sync_file (part, dir))
        error = sein_sprintf ("%s: %s", part, strerror (errno));
    if (!error && rename (part, target))
        error = sein_sprintf ("cannot rename %s to %s: %s", part, target, strerror (errno));
    if (error) {
        unlink (part);
        char *journal = sein_sprintf ("%s-journal", part);
        unlink (journal);
        zstr_free (&journal);
    }
    zstr_free (&part);
    zstr_free (&dir);
    *error_p = error;
    return error ? -1 : 0;
}

int
sein_store_check (const char *path, char **report_p)
{
    assert (path);
    assert (report_p);
    char *text = NULL;
    size_t size = 0;
    FILE *report = open_memstream (&text, &size);
    assert (report);
    int problems = 0;
    //  The header first, through a descriptor closed before SQLite opens
    //  the file (closing one drops the process's POSIX locks on it).
    int fd = open (path, O_RDONLY | O_CLOEXEC);
    struct stat file, log;
    char *wal = sein_sprintf ("%s-wal", path);
    bool logged = stat (wal, &log) == 0 && log.st_size > 0;
    zstr_free (&wal);
    char *problem = NULL;
    if (fd < 0 || fstat (fd, &file))
        problem = sein_sprintf ("%s: %s", path, strerror (errno));
    else if (file.st_size == 0 && !logged)
        problem = sein_sprintf ("%s is empty", path);
    else
        problem = s_check_header (path, fd, file.st_size, logged);
    if (fd >= 0)
        close (fd);
    s_facts_t facts = {.version = 0};
    bool failed = fd < 0;
    if (!problem)
        problem = s_probe (path, true, false, false, true, &facts, &failed);
    if (problem) {
        fprintf (report, "%s\n", problem);
        problems++;
        zstr_free (&problem);
    }
    //  What a damaged file still lets SQLite tell, in any case.
    if (!failed) {
        sqlite3 *db = NULL;
        if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
            sqlite3_busy_timeout (db, S_BUSY_WAIT);
            problem = s_integrity (db, "integrity_check");
            if (problem) {
                char *more = sein_sprintf ("%s: PRAGMA integrity_check: %s", path, problem);
                zstr_free (&problem);
                problem = more;
            }
        } else
            problem = sein_sprintf ("%s: %s", path, sqlite3_errmsg (db));
        sqlite3_close (db);
    }
    if (problem) {
        fprintf (report, "%s\n", problem);
        problems++;
        zstr_free (&problem);
    } else if (!problems) {
        fprintf (report, "%s: store %s, schema version %lld, head seq %lld, %lld events\n",
                 path, *facts.id ? facts.id : "(no id before schema 2)",
                 (long long) facts.version, (long long) facts.head,
                 (long long) facts.events);
        if (facts.events != facts.head) {
            fprintf (report, "%s: %lld events up to seq %lld: seq has gaps\n", path,
                     (long long) facts.events, (long long) facts.head);
            problems++;
        }
    }
    s_mark_t mark = {.head = 0};
    int marked = s_mark_read (path, &mark);
    if (marked == 1)
        fprintf (report, "%s.mark: store %s, head seq %lld, written by pid %ld\n", path,
                 mark.id, (long long) mark.head, mark.pid);
    else if (marked == 0)
        fprintf (report, "%s.mark: none\n", path);
    else if (marked == -2) {
        fprintf (report, "%s.mark: %s\n", path, strerror (errno));
        problems++;
    }
    if (facts.version > 0) {
        problem = s_mark_mismatch (path, facts.id, facts.head, marked, &mark);
        if (problem) {
            fprintf (report, "%s\n", problem);
            problems++;
        }
        zstr_free (&problem);
    }
    if (problems)
        fprintf (report, "%d problem%s\n", problems, problems == 1 ? "" : "s");
    else
        fprintf (report, "ok\n");
    fclose (report);
    *report_p = text;
    return problems;
}

//  ---------------------------------------------------------------------
//  Analysis: the text index, lists and grouped counts (the query actor's)

//  The text index: FTS5 over a signal's public words, in a database of
//  its own beside the store. Indexing inside the ingest transaction would
//  cost every durable commit (docs/DESIGN.md has the figures); here the
//  query actor fills it when idle, in small transactions of its own
//  file, up to a watermark that LIST reports. It keeps a copy of the
//  words (not contentless) so that erasure can delete a signal's entry.
static const char *s_text_schema =
    "PRAGMA fts.journal_mode = WAL;"
    "PRAGMA fts.synchronous = NORMAL;"
    //  Pages an erasure frees are zeroed, not left with the words.
    "PRAGMA fts.secure_delete = ON;"
    "CREATE TABLE IF NOT EXISTS fts.indexed (store TEXT NOT NULL, upto INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS fts.followed (upto INTEGER NOT NULL);"
    "CREATE VIRTUAL TABLE IF NOT EXISTS fts.signals_text USING fts5 ("
    "  description, address, street, tokenize = 'unicode61 remove_diacritics 2');";

//  Bind the text index's watermark to the store: an index made for
//  another store, or ahead of this one (a restored backup), starts over.
static char *
s_text_attach (sein_store_t *self, const char *text_path)
{
    sqlite3_stmt *statement = NULL;
    int rc = sqlite3_prepare_v2 (self->db, "ATTACH ?1 AS fts", -1, &statement, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text (statement, 1, text_path, -1, SQLITE_STATIC);
        rc = sqlite3_step (statement) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize (statement);
    if (rc != SQLITE_OK ||
        sqlite3_exec (self->db, s_text_schema, NULL, NULL, NULL) != SQLITE_OK)
        return sein_sprintf ("%s: %s", text_path, sqlite3_errmsg (self->db));
    char id[S_ID_SIZE] = "", indexed[S_ID_SIZE] = "";
    s_query_text (self->db, "SELECT id FROM store", id, sizeof id);
    s_query_text (self->db, "SELECT store FROM fts.indexed", indexed, sizeof indexed);
    int64_t upto = s_query_int (self->db, "SELECT upto FROM fts.indexed");
    if (strcmp (id, indexed) != 0 || upto < 0 || upto > self->head) {
        //  Rebuilt from today's bodies, it has every erasure already.
        char *reset = sein_sprintf ("BEGIN; DELETE FROM fts.signals_text;"
                                    " DELETE FROM fts.indexed;"
                                    " INSERT INTO fts.indexed VALUES ('%s', 0);"
                                    " DELETE FROM fts.followed;"
                                    " INSERT INTO fts.followed SELECT coalesce (max (id), 0)"
                                    " FROM main.reindex; COMMIT;",
                                    id);
        rc = sqlite3_exec (self->db, reset, NULL, NULL, NULL);
        zstr_free (&reset);
        if (rc != SQLITE_OK) {
            sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
            return sein_sprintf ("%s: %s", text_path, sqlite3_errmsg (self->db));
        }
        upto = 0;
    }
    //  An index made before the store had a reindex queue follows it
    //  from its start.
    if (s_query_int (self->db, "SELECT count(*) FROM fts.followed") == 0 &&
        sqlite3_exec (self->db, "INSERT INTO fts.followed VALUES (0)", NULL, NULL, NULL) !=
            SQLITE_OK)
        return sein_sprintf ("%s: %s", text_path, sqlite3_errmsg (self->db));
    self->text_upto = upto;
    return NULL;
}

//  Inside the text index's transaction: follow the store's reindex queue
//  (erasures and deletions since the last time). Each signal named leaves
//  the index and, when it is still stored and was indexed, comes back
//  with its words as they are now. Returns 0 or -1.
static int
s_text_follow (sein_store_t *self)
{
    static const char *sql =
        "CREATE TEMP TABLE IF NOT EXISTS follow (signal INTEGER PRIMARY KEY);"
        "DELETE FROM temp.follow;"
        "INSERT OR IGNORE INTO temp.follow SELECT signal FROM main.reindex"
        "  WHERE id > (SELECT upto FROM fts.followed);"
        "DELETE FROM fts.signals_text WHERE rowid IN (SELECT signal FROM temp.follow);"
        "INSERT INTO fts.signals_text (rowid, description, address, street)"
        "  SELECT seq, json_extract (body, '$.description'),"
        "  json_extract (body, '$.address_string'),"
        "  json_extract (body, '$.classification.area.street') FROM events"
        "  WHERE seq IN (SELECT signal FROM temp.follow) AND kind = 'signal'"
        "  AND seq <= (SELECT upto FROM fts.indexed);";
    //  FTS5 keeps a deleted document's terms in its segments until they
    //  are merged: after an erasure the index is merged whole, so the
    //  words erased are gone from the file, not only from the results.
    int64_t purge = s_query_int (self->db, "SELECT count(*) FROM main.reindex WHERE purge"
                                           " AND id > (SELECT upto FROM fts.followed)");
    if (purge < 0 || sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK ||
        (purge > 0 &&
         sqlite3_exec (self->db,
                       "INSERT INTO fts.signals_text (signals_text) VALUES ('optimize')",
                       NULL, NULL, NULL) != SQLITE_OK))
        return -1;
    return sqlite3_exec (self->db,
                         "UPDATE fts.followed SET upto = (SELECT coalesce (max (id), upto)"
                         " FROM main.reindex)",
                         NULL, NULL, NULL) == SQLITE_OK
               ? 0
               : -1;
}

//  A reader's long read lets a waiting thread run every S_GIVE_WAY_EVERY
//  SQLite VM steps (some 70 µs of a STATS): a thread the server wakes to
//  answer an ack may be queued behind the reader on its core until the
//  next tick, which at nice 10 alone a STATS of 60 ms kept doing. A yield
//  with nobody waiting returns at once (docs/DESIGN.md, "Sixth look").
#define S_GIVE_WAY_EVERY 4000

static int
s_give_way (void *arg)
{
    (void) arg;
    sched_yield ();
    return 0;
}

sein_store_t *
sein_store_new_query (const char *path, const char *text_path, char **error_p)
{
    assert (text_path);
    bool refused;
    sein_store_t *self = s_open (path, true, "query", false, &refused, error_p);
    if (self)
        sqlite3_progress_handler (self->db, S_GIVE_WAY_EVERY, s_give_way, NULL);
    //  The index holds the signals' words, personal data among them: it
    //  gets the store's mode (sein_store_open), made before SQLite opens
    //  it and again after, for its log.
    struct stat store;
    int fd = -1;
    if (self && stat (path, &store) == 0)
        fd = open (text_path, O_RDONLY | O_CREAT | O_CLOEXEC, store.st_mode & 0640);
    if (self) {
        *error_p = s_text_attach (self, text_path);
        if (*error_p)
            sein_store_destroy (&self);
    }
    if (fd >= 0) {
        if (self)
            s_private (text_path, fd, store.st_mode & 0640);
        close (fd);
    }
    return self;
}

int64_t
sein_store_text_upto (sein_store_t *self)
{
    assert (self);
    return self->text_upto;
}

int
sein_store_index_text (sein_store_t *self, int limit)
{
    assert (self);
    assert (self->text_upto >= 0);
    assert (limit > 0);
    self->failure[0] = 0;
    //  The signals after the watermark, at most LIMIT; the new watermark
    //  is the last of them, or the head when there are fewer (changes
    //  after the last signal need no words).
    sqlite3_stmt *last = NULL, *insert = NULL, *mark = NULL;
    int added = -1;
    if (sqlite3_exec (self->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    if (s_text_follow (self) == 0 &&
        sqlite3_prepare_v2 (self->db,
                            "SELECT count(*), max(seq) FROM (SELECT seq FROM events"
                            " WHERE seq > ?1 AND kind = 'signal' ORDER BY seq LIMIT ?2)",
                            -1, &last, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2 (
            self->db,
            "INSERT INTO fts.signals_text (rowid, description, address, street)"
            " SELECT seq, json_extract (body, '$.description'),"
            " json_extract (body, '$.address_string'),"
            " json_extract (body, '$.classification.area.street') FROM events"
            " WHERE seq > ?1 AND seq <= ?2 AND kind = 'signal'",
            -1, &insert, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2 (self->db, "UPDATE fts.indexed SET upto = ?1", -1, &mark,
                            NULL) == SQLITE_OK) {
        sqlite3_bind_int64 (last, 1, self->text_upto);
        sqlite3_bind_int (last, 2, limit);
        if (sqlite3_step (last) == SQLITE_ROW) {
            int count = sqlite3_column_int (last, 0);
            int64_t upto =
                count < limit ? s_query_int (self->db, "SELECT coalesce (max (seq), 0) FROM events")
                              : sqlite3_column_int64 (last, 1);
            sqlite3_bind_int64 (insert, 1, self->text_upto);
            sqlite3_bind_int64 (insert, 2, upto);
            sqlite3_bind_int64 (mark, 1, upto);
            if (upto >= self->text_upto && sqlite3_step (insert) == SQLITE_DONE &&
                sqlite3_step (mark) == SQLITE_DONE &&
                sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK) {
                self->text_upto = upto;
                added = count;
            }
        }
    }
    if (added < 0)
        snprintf (self->failure, sizeof self->failure, "%s", sqlite3_errmsg (self->db));
    sqlite3_finalize (last);
    sqlite3_finalize (insert);
    sqlite3_finalize (mark);
    if (added < 0)
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
    return added;
}

//  A WHERE clause being built from fixed fragments, with its values bound
//  later: the SQL never holds input.
#define S_BINDS_MAX 16
typedef struct {
    char sql[2048];
    size_t size;
    int nbinds;
    struct {
        const char *text; //  NULL: NUMBER
        int64_t number;
    } binds[S_BINDS_MAX];
    const char *search; //  the FTS5 query, which drives the search when set
    char scope[SEIN_STORE_SCOPE_MAX * 3 + 8]; //  filter->scope as a JSON array
} s_where_t;

static void
s_where_add (s_where_t *where, const char *term)
{
    size_t left = sizeof where->sql - where->size;
    int size = snprintf (where->sql + where->size, left, "%s%s",
                         where->size ? " AND " : " WHERE ", term);
    assert (size > 0 && (size_t) size < left);
    where->size += (size_t) size;
}

//  One more value for the last term added.
static void
s_where_bind (s_where_t *where, const char *value)
{
    assert (where->nbinds < S_BINDS_MAX);
    where->binds[where->nbinds].text = value;
    where->binds[where->nbinds++].number = 0;
}

static void
s_where_text (s_where_t *where, const char *term, const char *value)
{
    s_where_add (where, term);
    s_where_bind (where, value);
}

static void
s_where_number (s_where_t *where, const char *term, int64_t value)
{
    assert (where->nbinds < S_BINDS_MAX);
    where->binds[where->nbinds].text = NULL;
    where->binds[where->nbinds++].number = value;
    s_where_add (where, term);
}

//  WHERE terms for FILTER into WHERE; TEAM holds the ",team," pattern.
//  0, or -1 on a database error. A wijk's code matches its zones by the
//  wijk column (every zone's row carries its wijk, a wijk's its own), a
//  zone's by the area column: each an index search by seq.
static int
s_where_filter (sein_store_t *self, const sein_store_filter_t *filter, s_where_t *where,
                char *team, size_t team_size)
{
    memset (where, 0, sizeof *where);
    if (filter->area) {
        sqlite3_stmt *statement;
        if (sqlite3_prepare_v2 (self->db, "SELECT 1 FROM signals WHERE wijk = ?1 LIMIT 1", -1,
                                &statement, NULL) != SQLITE_OK)
            return -1;
        s_bind (statement, 1, filter->area);
        bool wijk = sqlite3_step (statement) == SQLITE_ROW;
        sqlite3_finalize (statement);
        s_where_text (where, wijk ? "wijk = ?" : "area = ?", filter->area);
    }
    if (filter->theme)
        s_where_text (where, "theme = ?", filter->theme);
    if (filter->status && streq (filter->status, "open"))
        s_where_add (where, S_OPEN_STATES);
    else if (filter->status && streq (filter->status, "finished"))
        s_where_add (where, "NOT " S_OPEN_STATES);
    else if (filter->status)
        s_where_text (where, "status = ?", filter->status);
    if (filter->team) {
        snprintf (team, team_size, ",%s,", filter->team);
        s_where_text (where, "(instr (teams, ?) > 0 OR assigned_team = ?)", team);
        s_where_bind (where, filter->team);
    }
    if (filter->scope) {
        //  The teams ",a,b," as the JSON array ["a","b"], one value to
        //  bind however many teams a key has. Team names are tokens
        //  (letters, digits, '-', '_': sein_router.h), nothing to escape.
        size_t size = 0;
        where->scope[size++] = '[';
        for (const char *at = filter->scope; *at;) {
            size_t len = strcspn (at, ",");
            if (len && size + len + 4 < sizeof where->scope) {
                if (size > 1)
                    where->scope[size++] = ',';
                where->scope[size++] = '"';
                memcpy (where->scope + size, at, len);
                size += len;
                where->scope[size++] = '"';
            }
            at += len + (at[len] == ',');
        }
        where->scope[size++] = ']';
        where->scope[size] = 0;
        s_where_text (where, "EXISTS (SELECT 1 FROM json_each (?) j WHERE"
                             " instr (teams, ',' || j.value || ',') > 0"
                             " OR assigned_team = j.value)", where->scope);
    }
    if (filter->source)
        s_where_text (where, "source = ?", filter->source);
    if (filter->priority)
        s_where_text (where, "priority = ?", filter->priority);
    if (filter->overdue >= 0)
        s_where_add (where, filter->overdue ? "overdue = 1" : "overdue = 0");
    //  Signals are stored in time order, so a time range is a seq range:
    //  every index here ends in seq.
    if (filter->from) {
        int64_t seq = sein_store_seq_at (self, filter->from);
        if (seq < 0)
            return -1;
        s_where_number (where, "seq >= ?", seq);
    }
    if (filter->until) {
        int64_t seq = sein_store_seq_at (self, filter->until);
        if (seq < 0)
            return -1;
        s_where_number (where, "seq < ?", seq);
    }
    if (filter->upto != 0)
        s_where_number (where, "seq <= ?", filter->upto > 0 ? filter->upto : 0);
    where->search = filter->text;
    return 0;
}

//  Prepare SELECT COLUMNS FROM signals WHERE ... ORDER BY seq (DESCENDING)
//  TAIL, with WHERE's values bound. With a text search the matches drive
//  it, in seq order from the index itself: a page of the newest that also
//  pass the other filters stops early, where a set of every match (a
//  common word matches a quarter of a million signals) would be built
//  first. NULL on error.
static sqlite3_stmt *
s_where_prepare (sein_store_t *self, const char *columns, const s_where_t *where,
                 bool descending, const char *tail)
{
    const char *order = descending ? "DESC" : "ASC";
    char *sql = where->search
                    ? sein_sprintf ("SELECT %s FROM fts.signals_text (?) AS t JOIN signals"
                                    " ON signals.seq = t.rowid%s ORDER BY t.rowid %s %s",
                                    columns, where->sql, order, tail)
                    : sein_sprintf ("SELECT %s FROM signals%s ORDER BY seq %s %s", columns,
                                    where->sql, order, tail);
    sqlite3_stmt *statement = NULL;
    int rc = sqlite3_prepare_v2 (self->db, sql, -1, &statement, NULL);
    zstr_free (&sql);
    if (rc != SQLITE_OK)
        return NULL;
    int first = 1;
    if (where->search)
        s_bind (statement, first++, where->search);
    for (int index = 0; index < where->nbinds; index++)
        if (where->binds[index].text)
            s_bind (statement, first + index, where->binds[index].text);
        else
            sqlite3_bind_int64 (statement, first + index, where->binds[index].number);
    return statement;
}

//  Keep why a list or count failed. FTS5 refuses a query it cannot read
//  with a plain SQLITE_ERROR, which nothing else here returns once the
//  statement is prepared: that one is the text's fault.
static void
s_search_failed (sein_store_t *self, const sein_store_filter_t *filter)
{
    bool text = filter->text && (sqlite3_errcode (self->db) & 0xff) == SQLITE_ERROR;
    snprintf (self->failure, sizeof self->failure, "%s%s", text ? SEIN_STORE_SEARCH : "",
              sqlite3_errmsg (self->db));
}

int
sein_store_list (sein_store_t *self, const sein_store_filter_t *filter, bool ascending,
                 int64_t after, int limit, sein_store_signal_fn *fn, void *arg)
{
    assert (self);
    assert (filter);
    assert (fn);
    assert (!filter->text || self->text_upto >= 0);
    self->failure[0] = 0;
    s_where_t where;
    char team[80];
    if (s_where_filter (self, filter, &where, team, sizeof team))
        return -1;
    if (after > 0)
        s_where_number (&where, ascending ? "seq > ?" : "seq < ?", after);
    char tail[64];
    snprintf (tail, sizeof tail, "LIMIT %d", limit);
    sqlite3_stmt *statement = s_where_prepare (self, "signals.seq", &where, !ascending, tail);
    if (!statement)
        return -1;
    int visited = 0, rc;
    while ((rc = sqlite3_step (statement)) == SQLITE_ROW) {
        json_t *signal = sein_store_get_by (self, NULL, sqlite3_column_int64 (statement, 0),
                                            NULL, NULL, false);
        if (!signal) {
            rc = SQLITE_ERROR;
            break;
        }
        visited++;
        int stop = fn (signal, arg);
        json_decref (signal);
        if (stop) {
            rc = SQLITE_DONE;
            break;
        }
    }
    if (rc != SQLITE_DONE)
        s_search_failed (self, filter);
    sqlite3_finalize (statement);
    return rc == SQLITE_DONE ? visited : -1;
}

//  A group of STATS: its counts and the durations its median come from.
typedef struct {
    json_t *keys;
    int64_t count, open, overdue;
    double *acknowledge, *resolve; //  seconds
    size_t nacknowledge, nresolve, capacity;
} s_group_t;

static void
s_group_destroy (void **item)
{
    s_group_t *group = (s_group_t *) *item;
    *item = NULL;
    json_decref (group->keys);
    free (group->acknowledge);
    free (group->resolve);
    free (group);
}

static void
s_free_count (void **item)
{
    free (*item);
    *item = NULL;
}

//  The K-th smallest of VALUES (COUNT > K), moving them about so that
//  those before K are no larger and those after no smaller: a median in
//  linear time where sorting each group's durations took a tenth of a
//  STATS (bench_query).
static double
s_select (double *values, size_t count, size_t k)
{
    size_t low = 0, high = count - 1;
    while (low < high) {
        //  The middle one as the pivot: durations come in time order,
        //  about sorted already, where the first would be the worst.
        double pivot = values[low + (high - low) / 2];
        size_t left = low, right = high;
        while (left <= right) {
            while (values[left] < pivot)
                left++;
            while (values[right] > pivot)
                right--;
            if (left <= right) {
                double value = values[left];
                values[left++] = values[right];
                values[right] = value;
                if (right == 0)
                    break;
                right--;
            }
        }
        //  [low, right] <= pivot <= [left, high]; between them, the pivot.
        if (k <= right)
            high = right;
        else if (k >= left)
            low = left;
        else
            return values[k];
    }
    return values[k];
}

static json_t *
s_median (double *values, size_t count)
{
    if (count == 0)
        return json_null ();
    size_t middle = count / 2;
    double median = s_select (values, count, middle);
    if (count % 2 == 0) {
        //  The largest of the lower half, which s_select left before it.
        double below = values[0];
        for (size_t index = 1; index < middle; index++)
            below = values[index] > below ? values[index] : below;
        median = (below + median) / 2;
    }
    return json_integer ((json_int_t) llround (median));
}

static void
s_group_add (s_group_t *group, sqlite3_stmt *statement, int column)
{
    group->count++;
    group->open += sqlite3_column_int (statement, column);
    group->overdue += sqlite3_column_int (statement, column + 1);
    if (group->nacknowledge == group->capacity || group->nresolve == group->capacity) {
        group->capacity = group->capacity ? 2 * group->capacity : 16;
        group->acknowledge = (double *) sein_realloc (
            group->acknowledge, group->capacity * sizeof (double));
        group->resolve =
            (double *) sein_realloc (group->resolve, group->capacity * sizeof (double));
    }
    //  The durations are stored in milliseconds (S_MS_AFTER).
    if (sqlite3_column_type (statement, column + 2) != SQLITE_NULL)
        group->acknowledge[group->nacknowledge++] =
            (double) sqlite3_column_int64 (statement, column + 2) / 1000;
    if (sqlite3_column_type (statement, column + 3) != SQLITE_NULL)
        group->resolve[group->nresolve++] =
            (double) sqlite3_column_int64 (statement, column + 3) / 1000;
}

//  The group's figures into OBJECT (its keys already there); takes OBJECT.
static json_t *
s_group_json (s_group_t *group, json_t *object)
{
    json_object_set_new (object, "count", json_integer (group->count));
    json_object_set_new (object, "open", json_integer (group->open));
    json_object_set_new (object, "overdue", json_integer (group->overdue));
    json_object_set_new (object, "share_overdue",
                         json_real (group->count ? (double) group->overdue / group->count : 0));
    json_object_set_new (object, "acknowledge_median",
                         s_median (group->acknowledge, group->nacknowledge));
    json_object_set_new (object, "resolve_median", s_median (group->resolve, group->nresolve));
    return object;
}

//  Most signals first, then by name.
static int
s_compare_street (const void *a, const void *b)
{
    json_t *x = *(json_t *const *) a, *y = *(json_t *const *) b;
    json_int_t left = json_integer_value (json_object_get (x, "count")),
               right = json_integer_value (json_object_get (y, "count"));
    if (left != right)
        return left > right ? -1 : 1;
    return strcmp (json_string_value (json_object_get (x, "street")),
                   json_string_value (json_object_get (y, "street")));
}

static int
s_compare_group (const void *a, const void *b)
{
    const s_group_t *x = *(s_group_t *const *) a, *y = *(s_group_t *const *) b;
    size_t index;
    json_t *value;
    json_array_foreach (x->keys, index, value) {
        int order = strcmp (json_string_value (value),
                            json_string_value (json_array_get (y->keys, index)));
        if (order)
            return order;
    }
    return 0;
}

//  The SQL of each grouping key: a column, or a period of received_at.
//  An ISO week belongs to the year of its Thursday.
static const char *s_group_keys[][2] = {
    {"area", "area"},
    {"wijk", "wijk"},
    {"theme", "theme"},
    {"priority", "priority"},
    {"source", "source"},
    {"month", "substr (received_at, 1, 7)"},
    //  The day: its ISO week is worked out here (s_iso_week), once per
    //  day rather than with four date functions per signal in SQL.
    {"week", "substr (received_at, 1, 10)"},
};
#define S_NGROUP_KEYS (sizeof s_group_keys / sizeof s_group_keys[0])

//  DAY ("YYYY-MM-DD") as its ISO week, "2026-W48", into WEEK. An ISO week
//  belongs to the year of its Thursday.
static void
s_iso_week (const char *day, char week[16])
{
    struct tm tm = {0};
    if (!strptime (day, "%Y-%m-%d", &tm)) {
        snprintf (week, 16, "%.15s", day);
        return;
    }
    time_t when = timegm (&tm);
    gmtime_r (&when, &tm);
    int monday_based = (tm.tm_wday + 6) % 7; //  0: Monday
    time_t thursday = when + (time_t) (3 - monday_based) * 86400;
    struct tm thu;
    gmtime_r (&thursday, &thu);
    snprintf (week, 16, "%04d-W%02d", (thu.tm_year + 1900) % 10000, (thu.tm_yday / 7 + 1) % 100);
}

bool
sein_store_group_key (const char *key)
{
    for (size_t index = 0; index < S_NGROUP_KEYS; index++)
        if (streq (key, s_group_keys[index][0]))
            return true;
    return false;
}

//  One grouping of an analysis: its keys, their columns, its groups.
typedef struct {
    const char *const *by;
    int nkeys;
    int columns[7]; //  of each key, among the statement's key columns
    zhashx_t *groups;
} s_grouping_t;

//  GROUPING's groups as a list in the order of their keys, so that a week
//  follows the one before it; a fresh array.
static json_t *
s_grouping_json (s_grouping_t *grouping)
{
    size_t ngroups = zhashx_size (grouping->groups), index = 0;
    s_group_t **sorted = (s_group_t **) sein_calloc (ngroups + 1, sizeof *sorted);
    for (s_group_t *group = (s_group_t *) zhashx_first (grouping->groups); group;
         group = (s_group_t *) zhashx_next (grouping->groups))
        sorted[index++] = group;
    qsort (sorted, ngroups, sizeof *sorted, s_compare_group);
    json_t *list = json_array ();
    for (index = 0; index < ngroups; index++) {
        json_t *object = json_object ();
        for (int number = 0; number < grouping->nkeys; number++)
            json_object_set (object, grouping->by[number],
                             json_array_get (sorted[index]->keys, number));
        json_array_append_new (list, s_group_json (sorted[index], object));
    }
    free (sorted);
    return list;
}

//  The STREETS busiest of STREET_COUNTS: most signals first, then by name.
static json_t *
s_streets_json (zhashx_t *street_counts, int streets)
{
    json_t *street_list = json_array ();
    for (int64_t *count = (int64_t *) zhashx_first (street_counts); count;
         count = (int64_t *) zhashx_next (street_counts))
        json_array_append_new (street_list,
                               json_pack ("{s:s,s:I}", "street",
                                          (const char *) zhashx_cursor (street_counts),
                                          "count", (json_int_t) *count));
    size_t nstreets = json_array_size (street_list);
    json_t **items = (json_t **) sein_calloc (nstreets + 1, sizeof *items);
    for (size_t index = 0; index < nstreets; index++)
        items[index] = json_incref (json_array_get (street_list, index));
    json_decref (street_list);
    qsort (items, nstreets, sizeof *items, s_compare_street);
    street_list = json_array ();
    for (size_t index = 0; index < nstreets; index++)
        if ((int) index < streets)
            json_array_append_new (street_list, items[index]);
        else
            json_decref (items[index]);
    free (items);
    return street_list;
}

json_t *
sein_store_analysis (sein_store_t *self, const sein_store_filter_t *filter,
                     const char *const *by, int streets, int points)
{
    const char *const *groupings[] = {by, NULL};
    return sein_store_analyses (self, filter, groupings, streets, points);
}

json_t *
sein_store_analyses (sein_store_t *self, const sein_store_filter_t *filter,
                     const char *const *const *groupings, int streets, int points)
{
    assert (self);
    assert (filter);
    assert (groupings && groupings[0]);
    self->failure[0] = 0;
    s_where_t where;
    char team[80];
    if (s_where_filter (self, filter, &where, team, sizeof team))
        return NULL;
    //  Columns: the keys of every grouping, each once, then open,
    //  overdue, the two durations, street, lat, lon, theme.
    char columns[1024] = "";
    int nkeys = 0, week_key = -1;
    int column_of[S_NGROUP_KEYS];
    for (size_t index = 0; index < S_NGROUP_KEYS; index++)
        column_of[index] = -1;
    s_grouping_t grouping[SEIN_STORE_GROUPINGS_MAX];
    int ngroupings = 0;
    for (; groupings[ngroupings]; ngroupings++) {
        if (ngroupings == SEIN_STORE_GROUPINGS_MAX)
            return NULL;
        s_grouping_t *one = &grouping[ngroupings];
        one->by = groupings[ngroupings];
        for (one->nkeys = 0; one->by[one->nkeys]; one->nkeys++) {
            if (one->nkeys == 7)
                return NULL;
            size_t index = 0;
            while (index < S_NGROUP_KEYS && !streq (one->by[one->nkeys], s_group_keys[index][0]))
                index++;
            if (index == S_NGROUP_KEYS)
                return NULL;
            if (column_of[index] < 0) {
                if (streq (s_group_keys[index][0], "week"))
                    week_key = nkeys;
                column_of[index] = nkeys++;
                strncat (columns, s_group_keys[index][1], sizeof columns - strlen (columns) - 1);
                strncat (columns, ", ", sizeof columns - strlen (columns) - 1);
            }
            one->columns[one->nkeys] = column_of[index];
        }
    }
    //  The last day turned into a week, and that week: signals come by
    //  seq, so by day, and the conversion runs once per day.
    char last_day[16] = "", last_week[16] = "";
    strncat (columns,
             S_OPEN_STATES ", overdue,"
             " acknowledge_ms, resolve_ms,"
             " signals.street, lat, lon, theme",
             sizeof columns - strlen (columns) - 1);
    sqlite3_stmt *statement = s_where_prepare (self, columns, &where, true, "");
    if (!statement)
        return NULL;
    for (int index = 0; index < ngroupings; index++) {
        grouping[index].groups = zhashx_new ();
        zhashx_set_key_duplicator (grouping[index].groups, (zhashx_duplicator_fn *) sein_strdup);
        zhashx_set_destructor (grouping[index].groups, s_group_destroy);
    }
    zhashx_t *street_counts = zhashx_new ();
    zhashx_set_key_duplicator (street_counts, (zhashx_duplicator_fn *) sein_strdup);
    zhashx_set_destructor (street_counts, s_free_count);
    s_group_t total = {0};
    json_t *points_list = json_array ();
    int rc;
    char key[512];
    while ((rc = sqlite3_step (statement)) == SQLITE_ROW) {
        const char *values[S_NGROUP_KEYS];
        for (int index = 0; index < nkeys; index++) {
            values[index] = (const char *) sqlite3_column_text (statement, index);
            if (index == week_key && values[index]) {
                if (strcmp (values[index], last_day) != 0) {
                    snprintf (last_day, sizeof last_day, "%.15s", values[index]);
                    s_iso_week (last_day, last_week);
                }
                values[index] = last_week;
            }
        }
        for (int which = 0; which < ngroupings; which++) {
            s_grouping_t *one = &grouping[which];
            //  The values joined by 0x1f, cut to fit: copied, not
            //  printed, as this runs once per signal.
            size_t size = 0;
            for (int index = 0; index < one->nkeys; index++) {
                const char *value = values[one->columns[index]];
                value = value ? value : "";
                size_t len = strnlen (value, sizeof key - 2 - size);
                memcpy (key + size, value, len);
                size += len;
                if (size < sizeof key - 2)
                    key[size++] = '\x1f';
            }
            key[size] = 0;
            s_group_t *group = (s_group_t *) zhashx_lookup (one->groups, key);
            if (!group) {
                group = (s_group_t *) sein_calloc (1, sizeof *group);
                group->keys = json_array ();
                for (int index = 0; index < one->nkeys; index++) {
                    const char *value = values[one->columns[index]];
                    json_array_append_new (group->keys, json_string (value ? value : ""));
                }
                zhashx_insert (one->groups, key, group);
            }
            s_group_add (group, statement, nkeys);
        }
        s_group_add (&total, statement, nkeys);
        const char *street = (const char *) sqlite3_column_text (statement, nkeys + 4);
        if (street) {
            int64_t *count = (int64_t *) zhashx_lookup (street_counts, street);
            if (!count) {
                count = (int64_t *) sein_calloc (1, sizeof *count);
                zhashx_insert (street_counts, street, count);
            }
            (*count)++;
        }
        if ((int) json_array_size (points_list) < points &&
            sqlite3_column_type (statement, nkeys + 5) != SQLITE_NULL)
            json_array_append_new (
                points_list,
                json_pack ("[f,f,s,b]", sqlite3_column_double (statement, nkeys + 5),
                           sqlite3_column_double (statement, nkeys + 6),
                           (const char *) sqlite3_column_text (statement, nkeys + 7),
                           sqlite3_column_int (statement, nkeys)));
    }
    if (rc != SQLITE_DONE)
        s_search_failed (self, filter);
    sqlite3_finalize (statement);
    json_t *result = NULL;
    if (rc == SQLITE_DONE) {
        result = json_pack ("{s:o,s:o,s:o}", "groups", s_grouping_json (&grouping[0]), "total",
                            s_group_json (&total, json_object ()), "streets",
                            s_streets_json (street_counts, streets));
        if (points > 0)
            json_object_set (result, "points", points_list);
        if (ngroupings > 1) {
            json_t *also = json_array ();
            for (int which = 1; which < ngroupings; which++) {
                json_t *by = json_array ();
                for (int index = 0; index < grouping[which].nkeys; index++)
                    json_array_append_new (by, json_string (grouping[which].by[index]));
                json_array_append_new (also, json_pack ("{s:o,s:o}", "by", by, "groups",
                                                        s_grouping_json (&grouping[which])));
            }
            json_object_set_new (result, "also", also);
        }
    }
    json_decref (points_list);
    free (total.acknowledge);
    free (total.resolve);
    for (int index = 0; index < ngroupings; index++)
        zhashx_destroy (&grouping[index].groups);
    zhashx_destroy (&street_counts);
    return result;
}

//  Visit the rows of STATEMENT (area, wijk, theme, recent, baseline,
//  newest) as rates, then finalize it.
static int
s_visit_rates (sein_store_t *self, sqlite3_stmt *statement, sein_store_rate_fn *fn, void *arg)
{
    int visited = 0, rc;
    while ((rc = sqlite3_step (statement)) == SQLITE_ROW) {
        sein_store_rate_t rate = {(const char *) sqlite3_column_text (statement, 0),
                                  (const char *) sqlite3_column_text (statement, 1),
                                  (const char *) sqlite3_column_text (statement, 2),
                                  sqlite3_column_int64 (statement, 3),
                                  sqlite3_column_int64 (statement, 4),
                                  sqlite3_column_int64 (statement, 5)};
        visited++;
        if (!rate.area || !rate.wijk || !rate.theme || fn (&rate, arg)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    if (rc != SQLITE_DONE)
        snprintf (self->failure, sizeof self->failure, "%s", sqlite3_errmsg (self->db));
    sqlite3_finalize (statement);
    return rc == SQLITE_DONE ? visited : -1;
}

int
sein_store_rates (sein_store_t *self, int64_t base_from, int64_t recent_from, int64_t until,
                  sein_store_rate_fn *fn, void *arg)
{
    assert (self);
    assert (fn);
    self->failure[0] = 0;
    sqlite3_stmt *statement;
    //  One range read by seq (the rowid), grouped in memory: a few weeks
    //  of signals, whatever the store's size.
    if (sqlite3_prepare_v2 (
            self->db,
            "SELECT area, max (wijk), theme, sum (seq >= ?2), sum (seq < ?2), max (seq)"
            " FROM signals WHERE seq >= ?1 AND seq < ?3 AND theme <> 'triage'"
            " AND area <> 'triage' GROUP BY area, theme",
            -1, &statement, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64 (statement, 1, base_from);
    sqlite3_bind_int64 (statement, 2, recent_from);
    sqlite3_bind_int64 (statement, 3, until);
    return s_visit_rates (self, statement, fn, arg);
}

int
sein_store_alerted (sein_store_t *self, int64_t from, sein_store_rate_fn *fn, void *arg)
{
    assert (self);
    assert (fn);
    self->failure[0] = 0;
    sqlite3_stmt *statement;
    if (sqlite3_prepare_v2 (self->db,
                            "SELECT area, wijk, theme, 0, 0, seq FROM events"
                            " WHERE seq >= ?1 AND kind = 'alert' ORDER BY seq",
                            -1, &statement, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64 (statement, 1, from);
    return s_visit_rates (self, statement, fn, arg);
}
