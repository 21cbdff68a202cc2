// SPDX-License-Identifier: MPL-2.0
/*  sein_durable.h - when a commit is on disk: fsync tickets and the sync actor

    With storage.synchronous=full the writer's COMMIT returns without
    waiting for the disk (sein_store_defer_sync); this class makes commits
    durable with fdatasync of the write-ahead log (sein_store_sync), either
    right on the caller's thread or on its own actor, so that storing the
    next batch overlaps the disk.

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

    The caller's thread and the actor each keep their own descriptor of
    the log: nothing here is shared between threads.
*/
#ifndef SEIN_DURABLE_H_INCLUDED
#define SEIN_DURABLE_H_INCLUDED

#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct _sein_durable_t sein_durable_t;

//  For the database at PATH (copied). Starts the sync actor.
sein_durable_t *
    sein_durable_new (const char *path);

//  Destroy; idempotent, nulls the pointer. Stops the actor.
void
    sein_durable_destroy (sein_durable_t **self_p);

//  A deferred COMMIT returned: its ticket.
uint64_t
    sein_durable_commit (sein_durable_t *self);

//  The last ticket handed out (0 before the first commit).
uint64_t
    sein_durable_last (sein_durable_t *self);

//  If commits are waiting for a sync and none is in flight, sync them:
//  on the actor when OVERLAP (the caller has other work meanwhile), else
//  right here. Does nothing after a failure.
void
    sein_durable_sync (sein_durable_t *self, bool overlap);

//  Sync on the caller's thread, now, whatever is pending (at start: a
//  previous run may have died between a COMMIT and its sync). Returns 0 or
//  the errno of the failure (which then also ends the run as above).
int
    sein_durable_sync_now (sein_durable_t *self);

//  The actor, to poll for the result of a sync in flight; when it is
//  readable, call sein_durable_collect.
zactor_t *
    sein_durable_actor (sein_durable_t *self);

//  Take the result of the sync in flight (waits for it if need be).
void
    sein_durable_collect (sein_durable_t *self);

//  True when a sync is in flight and its result is waiting to be collected.
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
