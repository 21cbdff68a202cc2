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
    sein_event_t event; //  its creation event; event.seq is filled in
} sein_store_signal_t;

//  Open (creating if needed) the database at PATH for writing, switch it to
//  WAL, set `synchronous` (normal|full|extra) and apply pending migrations.
//  NULL on failure with a fresh message in *error_p.
sein_store_t *
    sein_store_new (const char *path, const char *synchronous, char **error_p);

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

//  Visit stored events with seq >= FROM in order, at most LIMIT of them,
//  calling FN for each until it returns non-zero. Returns the number of
//  events visited, or -1 on a database error.
typedef int (sein_store_event_fn) (const sein_event_t *event, void *arg);
int
    sein_store_events (sein_store_t *self, int64_t from, int limit,
                       sein_store_event_fn *fn, void *arg);

//  The seq of the first event stored at or after TIME (RFC 3339 UTC), or
//  head + 1 when there is none; -1 on error.
int64_t
    sein_store_seq_at (sein_store_t *self, const char *time);

//  One signal by id as a fresh JSON object: the published body plus its
//  current status; with PERSONAL also `reporter`, the only personal data
//  (the submitter's own external_id is part of the published body). NULL
//  when not found or on error.
json_t *
    sein_store_get (sein_store_t *self, const char *id, bool personal);

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
//  it beside the writer; with BLOCK (RESTART) it waits until the log can
//  start over, the writer's last resort when checkpoints fall behind.
//  Returns 0 or -1 on an error other than being kept busy.
int
    sein_store_checkpoint (sein_store_t *self, bool block);

//  The last SQLite error message (borrowed).
const char *
    sein_store_error (sein_store_t *self);

#endif
