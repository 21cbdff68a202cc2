// SPDX-License-Identifier: MPL-2.0
/*  sein_durable.h - when a commit is on disk: fsync tickets and the sync actor

    With storage.synchronous=full the writer's COMMIT returns without
    waiting for the disk (sein_store_defer_sync); this class makes commits
    durable with fdatasync of the write-ahead log (sein_store_sync), either
    right on the caller's thread or on its own actor, so that storing the
    next batch overlaps the disk.

    The group commit keeps one sync in flight: what is committed meanwhile
    waits for it to return and goes with the next. A commit that must not
    wait that long (the fast lane's, sein_server.c) can be hurried: a
    second actor starts a sync of it at once, beside the one in flight.

    Each COMMIT gets a ticket, its number among the deferred commits. One
    fsync covers every commit that returned before it began, so a batch
    can be answered once a sync that began after its commit has returned
    0: sein_durable_covers tells.

    A failed fdatasync is the end of the run: the kernel may have dropped
    the pages it could not write, and every later commit follows them in
    the log, so no later sync can vouch for anything (PostgreSQL's
    "fsyncgate"). From then on every ticket not covered before the failure
    is reported as failed, whenever it was taken, so nothing ever waits for
    a sync that will not come.

    The caller's thread and each actor keep their own descriptor of the
    log: nothing here is shared between threads.
*/
#ifndef SEIN_DURABLE_H_INCLUDED
#define SEIN_DURABLE_H_INCLUDED

#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct _sein_durable_t sein_durable_t;

//  For the database at PATH (copied). Starts the sync actors.
sein_durable_t *
    sein_durable_new (const char *path);

//  Destroy; idempotent, nulls the pointer. Stops the actors.
void
    sein_durable_destroy (sein_durable_t **self_p);

//  A deferred COMMIT returned: its ticket.
uint64_t
    sein_durable_commit (sein_durable_t *self);

//  The last ticket handed out (0 before the first commit).
uint64_t
    sein_durable_last (sein_durable_t *self);

//  If commits are waiting for a sync and the group commit has none in
//  flight, sync them: on its actor when OVERLAP (the caller has other work
//  meanwhile), else right here. Does nothing after a failure.
void
    sein_durable_sync (sein_durable_t *self, bool overlap);

//  If commits are waiting for a sync that no sync in flight covers, sync
//  them now on the second actor, unless that one is busy. For the few
//  commits whose acks should not wait for the sync in flight and then
//  their own. Does nothing after a failure.
void
    sein_durable_hurry (sein_durable_t *self);

//  Sync on the caller's thread, now, whatever is pending (at start: a
//  previous run may have died between a COMMIT and its sync), after the
//  syncs in flight returned. Returns 0 or the errno of the failure (which
//  then also ends the run as above).
int
    sein_durable_sync_now (sein_durable_t *self);

//  Add the actors to POLLER, for the results of the syncs in flight: when
//  one of them is readable, sein_durable_ready is true.
void
    sein_durable_poll (sein_durable_t *self, zpoller_t *poller);

//  Take the results of the syncs that returned; does not wait.
void
    sein_durable_collect (sein_durable_t *self);

//  True when a sync returned and its result waits to be collected.
bool
    sein_durable_ready (sein_durable_t *self);

//  True when TICKET is settled: on disk, or failed (sein_durable_failed).
bool
    sein_durable_settled (sein_durable_t *self, uint64_t ticket);

//  For a settled TICKET: 0 when it is on disk, else the errno of the
//  failed sync that leaves it unconfirmed.
int
    sein_durable_error (sein_durable_t *self, uint64_t ticket);

//  The errno of the failed sync that ended the run, or 0.
int
    sein_durable_failed (sein_durable_t *self);

//  How long a sync that returned since the last call took, in *US_P
//  (microseconds), oldest first: false when there is none left. Only the
//  last few are kept for a caller that does not ask (metrics, not
//  durability, depend on them).
bool
    sein_durable_timing (sein_durable_t *self, int64_t *us_p);

#endif
