// SPDX-License-Identifier: MPL-2.0
/*  sein_store.h - sein's SQLite store: signals and the ordered event history

    All SQL lives in this class. One writer (the server actor) opens the
    store with sein_store_new; it owns the sequence counter and groups many
    submissions into one transaction (group commit). Readers (the watch
    actor, tools) open their own connection with sein_store_new_reader and
    see a consistent snapshot thanks to WAL mode.

    Every stored event has a `seq`: gapless and increasing, assigned here,
    inside the transaction that stores the event, so a rolled-back batch
    gives its numbers back.
*/
#ifndef SEIN_STORE_H_INCLUDED
#define SEIN_STORE_H_INCLUDED

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct _sein_store_t sein_store_t;

//  One event as stored; all strings borrowed, valid until the next call
//  on the store. `teams` is a comma-wrapped list ",a,b," so a filter can
//  test membership with strstr (",team,"). Fields not relevant to a kind
//  are "".
typedef struct {
    int64_t seq;
    const char *kind; //  "signal", "status", "alert"
    const char *at;   //  RFC 3339 UTC, when the event was stored
    const char *area;
    const char *wijk;
    const char *theme;
    const char *priority;
    const char *source;
    const char *teams;
    const char *body; //  the public JSON as published (no personal data)
    size_t body_size;
    int64_t signal; //  the seq of the signal it is about (its creation event's)
    //  Who may see the signal's external_id (docs/SECURITY.md): NULL or ""
    //  anyone; else the submitter key's teams (",a,b,"; ",": none), and
    //  those who see every team. Only a creation event with an
    //  external_id, submitted with security on, has them.
    const char *owners;
} sein_event_t;

//  A new signal for sein_store_add_signal; all borrowed. Its public fields
//  are in event.body; received_at, source and the codes in event.
typedef struct {
    const char *id;
    const char *submitter;
    const char *external_id; //  may be NULL, as the reporter fields
    const char *reporter_name;
    const char *reporter_email;
    const char *reporter_phone;
    const char *status;
    bool has_point; //  lat/lon: given, or the street's point
    double lat, lon;
    const char *due_at;  //  NULL: no deadline
    int64_t related_to;  //  the open signal it was linked to, or 0
    sein_event_t event; //  its creation event; event.seq (and signal) filled in
} sein_store_signal_t;

//  A stored signal's row as the workflow sees it; strings borrowed, valid
//  until the next call on the store. Optional ones are NULL when unset.
typedef struct {
    int64_t seq;
    const char *id;
    const char *status;
    const char *received_at;
    const char *area, *wijk, *theme, *priority, *source, *teams;
    const char *due_at;
    const char *assigned_team, *assignee;
    int64_t related_to; //  0: not linked
    int64_t reports;
    bool overdue;
    bool has_point;
    double lat, lon;
} sein_store_row_t;

//  What a change writes on a signal's row (sein_store_update). NULL
//  strings and false flags leave a column as it is.
typedef struct {
    int64_t seq; //  the signal's
    const char *status;
    const char *updated_at;
    const char *acknowledged_at; //  set only when still unset
    const char *resolved_at, *closed_at;
    const char *assigned_team;
    bool set_assignee;
    const char *assignee; //  with set_assignee: NULL clears it
    bool set_related;
    int64_t related_to; //  with set_related: 0 clears it
    int64_t reports_delta;
    bool overdue;
    //  A correction (RECLASSIFY): all five together, or theme NULL for
    //  none; due_at NULL there means no deadline.
    const char *area, *wijk, *theme, *teams, *due_at;
} sein_store_update_t;

//  Open (creating if needed) the database at PATH for writing, switch it to
//  WAL, set `synchronous` (normal|full|extra) and apply pending migrations.
//  A second writing connection (checkpoints, tools, tests): it takes no
//  lock and makes no checks; seind opens its store with sein_store_open.
//  NULL on failure with a fresh message in *error_p.
sein_store_t *
    sein_store_new (const char *path, const char *synchronous, char **error_p);

//  How sein_store_open went; seind maps it to its exit status.
typedef enum {
    SEIN_STORE_OPENED,  //  checked, locked, its marker up to date
    SEIN_STORE_BUSY,    //  another process owns the store (its pid is named)
    SEIN_STORE_REFUSED, //  missing, empty, damaged, newer, or not the store
                        //  its marker describes: a person must look
    SEIN_STORE_FAILED   //  could not be read or created (permissions, I/O)
} sein_store_status_t;

//  What sein_store_open may do besides opening a sound store.
#define SEIN_STORE_INIT   1 //  create the store when there is none (and no marker)
#define SEIN_STORE_ACCEPT 2 //  accept a store that does not match its marker
#define SEIN_STORE_FAST   4 //  skip PRAGMA quick_check (a read of the whole file)
#define SEIN_STORE_GROUP  8 //  files mode 0640 (group may read) rather than 0600

//  Open the store at PATH as its one owner, the way seind starts. Beyond
//  sein_store_new it
//  - takes an exclusive flock on the database file itself, so a second
//    seind is refused whatever path leads it there (SQLite's own POSIX
//    locks are independent of it on Linux);
//  - refuses a missing or empty database unless FLAGS has SEIN_STORE_INIT,
//    and even then when the marker says a store existed here;
//  - refuses a file that is not an SQLite database, is truncated (shorter
//    than its header says, with no log to make up for it), fails PRAGMA
//    quick_check (unless SEIN_STORE_FAST), or has a newer schema;
//  - compares the store with its marker, PATH.mark: a small file beside
//    the database holding the store's id (also kept inside the database)
//    and the highest seq known to be on disk. A store with another id, or
//    whose head is below the marker's (a deleted -wal after a crash, a
//    restored backup, a truncated file), is refused unless FLAGS has
//    SEIN_STORE_ACCEPT, which makes the marker describe it from now on;
//  - makes the log durable and records the head in the marker;
//  - sets the mode of the database, its -wal, -shm and marker to 0600,
//    or 0640 with SEIN_STORE_GROUP, whatever the umask: they hold
//    personal data. SQLite gives a log it creates later the database's
//    mode, and the query actor its text index (sein_store_new_query).
//  *STATUS_P says how it went; NULL on failure with a fresh message in
//  *error_p naming the file and what to do. Destroy the owner after every
//  other connection of this process to the same database: closing its
//  lock descriptor drops the process's POSIX locks on the file.
sein_store_t *
    sein_store_open (const char *path, const char *synchronous, int flags,
                     sein_store_status_t *status_p, char **error_p);

//  Record HEAD, a seq known to be on disk (after the fsync that made it
//  durable), in the marker of a store opened with sein_store_open. One
//  pwrite of a hundred bytes, no fsync: the marker may lag after a power
//  loss, never lead. Any thread may call it, one call at a time, with
//  heads that never decrease. Returns 0, or -1 with errno set.
int
    sein_store_mark (sein_store_t *self, int64_t head);

//  Check the database at PATH without changing it, whether or not seind
//  runs on it: PRAGMA integrity_check, the schema version and the store's
//  marker. Returns the number of problems found (0: sound) and in
//  *report_p a fresh text, a line per finding.
int
    sein_store_check (const char *path, char **report_p);

//  Copy the store at PATH into TARGET, a file that must not exist yet,
//  whether or not seind runs on it: one consistent snapshot, with
//  SQLite's online backup API, through a read-only connection that
//  neither takes seind's flock nor blocks its commits. The copy is written
//  to TARGET.part, checked (PRAGMA quick_check), synced and only then
//  renamed, so TARGET is a whole store or absent. *HEAD_P gets the
//  highest seq it holds. Returns 0, or -1 with a fresh message in *ERROR_P.
int
    sein_store_backup (const char *path, const char *target, int64_t *head_p,
                       char **error_p);

//  For a store opened with synchronous=full: from now on a COMMIT writes
//  the log but returns without waiting for it to reach the disk, and the
//  caller makes commits durable with sein_store_sync before it relies on
//  them. Returns false (and changes nothing) for any other setting.
bool
    sein_store_defer_sync (sein_store_t *self);

//  Make every commit to the database at PATH that returned before this
//  call durable: fdatasync of its write-ahead log. *LOG_FD keeps the log's
//  descriptor between calls: -1 at first, the caller closes it at the end.
//  Any thread may call this, one at a time per *LOG_FD. Returns 0, or the
//  errno of what failed (never 0 then).
int
    sein_store_sync (const char *path, int *log_fd);

//  Open an existing database read-only, for replay and queries.
sein_store_t *
    sein_store_new_reader (const char *path, char **error_p);

//  Destroy; idempotent, nulls the pointer. Rolls back an open transaction.
//  A store from sein_store_open first makes its log durable and, when that
//  worked, records the head in its marker; then it releases its lock.
void
    sein_store_destroy (sein_store_t **self_p);

//  The highest seq stored (committed, or added in the open transaction).
int64_t
    sein_store_head (sein_store_t *self);

//  Group commit: begin a transaction, add rows, commit. On a failed commit
//  the transaction is rolled back, the seq counter restored, and -1
//  returned; nothing of the batch is stored.
int
    sein_store_begin (sein_store_t *self);
int
    sein_store_commit (sein_store_t *self);
void
    sein_store_rollback (sein_store_t *self);

//  The seq the next added event will get.
int64_t
    sein_store_next_seq (sein_store_t *self);

//  Look up a signal by submitter and external id. Returns 1 and the
//  creation event's seq and a fresh copy of its body when found, 0 when
//  not, -1 on a database error.
int
    sein_store_find_key (sein_store_t *self, const char *submitter,
                         const char *external_id, int64_t *seq_p, char **body_p);

//  Store a signal and its creation event inside the open transaction; the
//  event gets seq = sein_store_next_seq (). Returns 0; 1 when a signal with
//  the same submitter and external_id is stored already (nothing is added,
//  no seq used: sein_store_find_key tells which); -1 on error.
int
    sein_store_add_signal (sein_store_t *self, sein_store_signal_t *signal);

//  Find a signal by ID (when not NULL) or by SEQ into *ROW. Returns 1 when
//  found, 0 when not, -1 on a database error.
int
    sein_store_find_signal (sein_store_t *self, const char *id, int64_t seq,
                            sein_store_row_t *row);

//  A fresh copy of the owners (sein_event_t) of signal SEQ's external_id;
//  NULL when anyone may see it, or on error.
char *
    sein_store_owners (sein_store_t *self, int64_t seq);

//  Let go of the row sein_store_find_signal found: until then its
//  statement keeps a read open, which on a reader's connection holds its
//  snapshot (later commits stay unseen). The writer need not.
void
    sein_store_release (sein_store_t *self);

//  Inside the open transaction: store EVENT (seq = sein_store_next_seq (),
//  written into it) about the signal event->signal, then apply UPDATE to
//  the row of signal update->seq. Either may be NULL, not both. Returns 0
//  or -1.
int
    sein_store_add_change (sein_store_t *self, sein_event_t *event,
                           const sein_store_update_t *update);

//  The open signal of THEME, stored at seq FROM or later and not linked
//  itself, nearest to (LAT, LON) and at most RADIUS metres from it (the
//  newer on a tie), into *ROW. Only the theme's 1000 newest such signals
//  are looked at, which bounds what one new signal costs. Returns 1 when
//  there is one, 0 when not, -1 on error.
int
    sein_store_find_nearby (sein_store_t *self, const char *theme, int64_t from, double lat,
                            double lon, double radius, sein_store_row_t *row);

//  Visit the open signals whose due_at is before NOW and that had no
//  overdue event yet, earliest due first, at most LIMIT, calling FN with
//  each row until it returns non-zero. Returns the number visited or -1.
typedef int (sein_store_row_fn) (const sein_store_row_t *row, void *arg);
int
    sein_store_overdue (sein_store_t *self, const char *now, int limit,
                        sein_store_row_fn *fn, void *arg);

//  Visit the events about signal SEQ (its creation and every change), in
//  seq order up to HEAD, as sein_store_events. Returns the number visited
//  or -1.
typedef int (sein_store_event_fn) (const sein_event_t *event, void *arg);
int
    sein_store_history (sein_store_t *self, int64_t seq, int64_t head,
                        sein_store_event_fn *fn, void *arg);

//  Visit stored events with seq >= FROM in order, at most LIMIT of them,
//  calling FN for each until it returns non-zero. Returns the number of
//  events visited, or -1 on a database error.
int
    sein_store_events (sein_store_t *self, int64_t from, int limit,
                       sein_store_event_fn *fn, void *arg);

//  The seq of the first event stored at or after TIME (RFC 3339 UTC), or
//  head + 1 when there is none; -1 on error. A search by seq: the writer
//  keeps `at` from going back along seq when the wall clock steps back
//  (such events are stored with the latest earlier `at`), so no later seq
//  is ever skipped.
int64_t
    sein_store_seq_at (sein_store_t *self, const char *time);

//  One signal as a fresh JSON object: the published body plus its
//  workflow state (status, due_at, updated_at, acknowledged_at,
//  resolved_at, closed_at, assigned_team, assignee, related_to {id, seq},
//  reports, overdue); with PERSONAL also `reporter`, the only personal
//  data (the submitter's own external_id is part of the published body).
//  Found by ID. NULL when not found or on error.
json_t *
    sein_store_get (sein_store_t *self, const char *id, bool personal);

//  As sein_store_get, found by ID when not NULL, else by SEQ when > 0,
//  else by SUBMITTER and EXTERNAL_ID.
json_t *
    sein_store_get_by (sein_store_t *self, const char *id, int64_t seq,
                       const char *submitter, const char *external_id, bool personal);

//  The reporter details of signal SEQ as a fresh object {name, email,
//  phone}, each member only when stored: {} when there are none (never
//  given, anonymised or erased). NULL on a database error. Personal
//  data: the caller records the read (sein_store_log_access).
json_t *
    sein_store_reporter (sein_store_t *self, int64_t seq);

//  Inside the open transaction: record that WHO read WHAT ("reporter")
//  of signal SEQ at AT, in the access log. Returns 0 or -1.
int
    sein_store_log_access (sein_store_t *self, const char *at, const char *who, int64_t seq,
                           const char *what);

//  ---------------------------------------------------------------------
//  Personal data: erasure and retention (docs/SECURITY.md)

//  JSON text with every occurrence of CONTACT (compared without case)
//  inside a string replaced by "[erased]"; CONTACT holds no quote or
//  backslash (the caller checks). A fresh string, or NULL when nothing
//  matched.
char *
    sein_store_scrub (const char *json, const char *contact);

//  Inside the open transaction: erase a person, CONTACT being their
//  e-mail address (compared without case) or phone number (exact). Their
//  reporters rows go, every copy in an event body (description,
//  attributes, notes) becomes "[erased]", the signals concerned are
//  queued for the text index to follow, and an erasures row records AT,
//  WHO and how many signals, not what. Returns that number, or -1.
int64_t
    sein_store_erase (sein_store_t *self, const char *contact, const char *at,
                      const char *who);

//  What one retention run did.
typedef struct {
    int64_t anonymised; //  signals whose reporter details were removed
    int64_t deleted;    //  signals deleted (their events left as tombstones)
} sein_store_retained_t;

//  Inside the open transaction: for at most LIMIT signals each, finished
//  (closed, rejected, duplicate) and last changed before ANONYMISE_BEFORE,
//  remove the reporter details; finished and last changed before
//  DELETE_BEFORE, delete the signal and its details, leaving its events
//  as tombstones {"seq","event":"deleted","at","signal":{"seq"}} with
//  their codes, and queue it for the text index to forget. Either time
//  may be NULL (off). Counts into *COUNTS. Returns 0 or -1.
int
    sein_store_retain (sein_store_t *self, const char *anonymise_before,
                       const char *delete_before, int limit, sein_store_retained_t *counts);

//  Counts of stored signals: {"total": n, "head": seq, "by_area": {...},
//  "by_wijk", "by_theme", "by_priority", "by_status", "by_source"}; NULL
//  on error.
json_t *
    sein_store_stats (sein_store_t *self);

//  Frames in the write-ahead log after the writer's last commit. The
//  writer never checkpoints by itself (a checkpoint inside a commit holds
//  up that batch's acks while the log is copied and fsynced): the server
//  asks a second connection to, when this grows.
int
    sein_store_wal_frames (sein_store_t *self);

//  Copy the write-ahead log into the database. Without BLOCK (PASSIVE) it
//  never waits for the writer or readers, so a separate connection can run
//  it beside the writer, and it syncs the database also when it copied
//  only part of the log; with BLOCK (RESTART) it waits until the log can
//  start over, the writer's last resort when checkpoints fall behind, but
//  at most SEIN_STORE_RESTART_WAIT ms: a reader still in the log then
//  keeps it (sein_store_wal_frames stays), and the caller tries later.
//  The writer's acks wait while it waits; with the 5 s that every other
//  wait of the store takes, a stream of reads (the text indexer catching
//  up, a report) held every ack for 5 s (bench_query, docs/DESIGN.md).
//  Returns 0 or -1 on an error other than being kept busy.
#define SEIN_STORE_RESTART_WAIT 50
int
    sein_store_checkpoint (sein_store_t *self, bool block);

//  Frames of the log that this connection's last checkpoint left uncopied
//  (0 before the first): a reader's snapshot still needs them, and no
//  checkpoint can copy them until that read ends.
int
    sein_store_checkpoint_behind (sein_store_t *self);

//  Why the disk under this connection failed, or NULL while it has not:
//  an I/O error (SQLITE_IOERR: a read, write or sync that failed) or
//  damage (SQLITE_CORRUPT, SQLITE_NOTADB) met by a write or a checkpoint.
//  It stays: the kernel may have dropped pages it could not write, so
//  nothing written later can be trusted (sein_durable.h). From then on
//  sein_store_begin fails, and destroying the store neither checkpoints,
//  nor syncs, nor updates the marker. A full disk (SQLITE_FULL) is no
//  fault: it passes when space returns. Borrowed.
const char *
    sein_store_fault (sein_store_t *self);

//  Record that the disk failed, as a failed fsync outside SQLite shows;
//  WHY is copied, the first reason is kept. See sein_store_fault.
void
    sein_store_set_fault (sein_store_t *self, const char *why);

//  The last SQLite error message (borrowed).
const char *
    sein_store_error (sein_store_t *self);

//  ---------------------------------------------------------------------
//  Analysis: lists, grouped counts and the text index (the query actor's)

#define SEIN_STORE_SCOPE_MAX 258 //  a principal's teams, ",a,b,", and its NUL

//  Which signals a LIST or a STATS looks at; every member optional (NULL,
//  or -1 for OVERDUE). All borrowed.
typedef struct {
    const char *area;     //  an area code; a wijk's code includes its zones
    const char *theme;
    const char *status;   //  a state, or "open" (any open one) or "finished"
    const char *team;     //  routed to it at intake, or assigned to it since
    const char *source;
    const char *priority;
    int overdue;          //  1: missed its deadline (had an overdue event); 0: not
    const char *from;     //  received at or after (RFC 3339 UTC)
    const char *until;    //  received before
    const char *text;     //  an FTS5 query over description, address and street
    //  Only signals routed to, or assigned to, one of these teams
    //  (",a,b,", at most SEIN_STORE_SCOPE_MAX bytes): a staff key's view
    //  (sein_auth_scope). "," matches nothing.
    const char *scope;
    int64_t upto;         //  only signals with seq <= upto; 0: every one; < 0: none
} sein_store_filter_t;

//  Open the store at PATH read-only for queries, with its text index in
//  the database TEXT_PATH, which this connection writes (created when
//  missing, rebuilt when it belongs to another store). The index is
//  derived data: it lives beside the store so that filling it never
//  takes the store's write lock from the server. NULL on failure with a
//  fresh message in *error_p.
sein_store_t *
    sein_store_new_query (const char *path, const char *text_path, char **error_p);

//  Index up to LIMIT signals stored after the index's watermark, in one
//  small transaction of the text database. Returns how many were added
//  (0: up to date), -1 on error. Only on a store from sein_store_new_query.
int
    sein_store_index_text (sein_store_t *self, int limit);

//  The highest seq the text index covers: a text filter sees no signal
//  after it. -1 without a text index.
int64_t
    sein_store_text_upto (sein_store_t *self);

//  Visit the signals matching FILTER, newest first (or by seq ascending
//  with ASCENDING), strictly after the cursor AFTER (a seq; 0: from the
//  start), at most LIMIT, calling FN with each signal as GET shows it
//  (borrowed, valid during the call) until it returns non-zero. Returns
//  the number visited, or -1 on error; when the text query was at fault,
//  sein_store_error starts with SEIN_STORE_SEARCH.
#define SEIN_STORE_SEARCH "search: "
typedef int (sein_store_signal_fn) (json_t *signal, void *arg);
int
    sein_store_list (sein_store_t *self, const sein_store_filter_t *filter, bool ascending,
                     int64_t after, int limit, sein_store_signal_fn *fn, void *arg);

//  Grouped counts of the signals matching FILTER. BY lists (at most 7)
//  keys, each one of area, wijk, theme, priority, source, week (ISO
//  week, "2026-W48") or month ("2026-11"), by received_at in UTC. Returns
//  a fresh object {"groups": [{<keys>, count, open, overdue,
//  share_overdue, acknowledge_median, resolve_median}], "total": {the
//  same without keys}, "streets": [{street, count}] (the STREETS busiest,
//  most first)}, medians in seconds (null when nothing was acknowledged
//  or resolved). POINTS > 0 adds "points": [[lat, lon, theme, open]] of
//  up to POINTS newest signals with a point. NULL on error, or on a
//  grouping key not in the list (a programmer's error: the caller checks);
//  a bad text query as for sein_store_list.
//  Whether KEY is one of the grouping keys sein_store_analysis knows.
bool
    sein_store_group_key (const char *key);

json_t *
    sein_store_analysis (sein_store_t *self, const sein_store_filter_t *filter,
                         const char *const *by, int streets, int points);

//  As sein_store_analysis, for several groupings in one pass over the
//  signals: GROUPINGS is a NULL-terminated list of 1 to
//  SEIN_STORE_GROUPINGS_MAX key lists, each as BY. The first is the
//  result's "groups"; the others are in "also": [{"by": [keys], "groups":
//  [...]}] in their order. A report that needs three groupings of the
//  same signals reads them once instead of three times. NULL as
//  sein_store_analysis, and for more groupings than the maximum.
#define SEIN_STORE_GROUPINGS_MAX 4
json_t *
    sein_store_analyses (sein_store_t *self, const sein_store_filter_t *filter,
                         const char *const *const *groupings, int streets, int points);

//  The early warning's counts (sein_alerts.h): for each area and theme
//  (triage left out), the signals stored at seq RECENT_FROM up to before
//  UNTIL, and those from BASE_FROM up to before RECENT_FROM, with the
//  newest one's seq. Calls FN for each until it returns non-zero.
//  Returns the number visited or -1.
typedef struct {
    const char *area, *wijk, *theme;
    int64_t recent, baseline;
    int64_t newest;
} sein_store_rate_t;
typedef int (sein_store_rate_fn) (const sein_store_rate_t *rate, void *arg);
int
    sein_store_rates (sein_store_t *self, int64_t base_from, int64_t recent_from,
                      int64_t until, sein_store_rate_fn *fn, void *arg);

//  Visit the `alert` events stored at seq FROM or later, as the area and
//  theme they were about (rate->recent and ->baseline 0, newest the
//  event's seq). Returns the number visited or -1.
int
    sein_store_alerted (sein_store_t *self, int64_t from, sein_store_rate_fn *fn, void *arg);

#endif
