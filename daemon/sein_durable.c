// SPDX-License-Identifier: MPL-2.0
/*  sein_durable.c - when a commit is on disk: fsync tickets and the sync actor */
#include "sein_durable.h"

#include "sein_alloc.h"
#include "sein_store.h"

#define S_TIMINGS 8

//  The sync actors: the group commit's, and the hurry's (sein_durable_hurry).
#define S_GROUP 0
#define S_HURRY 1
#define S_ACTORS 2

struct _sein_durable_t {
    char *path;
    int fd;                     //  the log, for syncs on the caller's thread
    zactor_t *actors[S_ACTORS]; //  for syncs that overlap the next batch
    uint64_t commits;           //  tickets handed out
    uint64_t synced;            //  tickets on disk
    uint64_t syncing[S_ACTORS]; //  what each actor's sync in flight covers, 0: none
    int failed;                 //  errno of the failed sync, or 0
    //  How long the syncs not yet taken by sein_durable_timing took, in
    //  microseconds, oldest first; beyond S_TIMINGS the oldest are dropped.
    int64_t timings[S_TIMINGS];
    size_t ntimings;
};

//  The sync actor: each SYNC is one sein_store_sync on its own descriptor;
//  answers the errno and how long the sync took, in microseconds.
static void
s_actor (zsock_t *pipe, void *args)
{
    const char *path = (const char *) args;
    int fd = -1;
    zsock_signal (pipe, 0);
    char *command;
    while ((command = zstr_recv (pipe)) && !streq (command, "$TERM")) {
        int64_t start = zclock_usecs ();
        int error = sein_store_sync (path, &fd);
        zsock_send (pipe, "i8", error, (uint64_t) (zclock_usecs () - start));
        zstr_free (&command);
    }
    zstr_free (&command);
    if (fd >= 0)
        close (fd);
}

sein_durable_t *
sein_durable_new (const char *path)
{
    sein_durable_t *self = (sein_durable_t *) sein_calloc (1, sizeof *self);
    self->path = sein_strdup (path);
    self->fd = -1;
    for (size_t index = 0; index < S_ACTORS; index++)
        self->actors[index] = zactor_new (s_actor, self->path);
    return self;
}

void
sein_durable_destroy (sein_durable_t **self_p)
{
    sein_durable_t *self = *self_p;
    if (self) {
        for (size_t index = 0; index < S_ACTORS; index++)
            zactor_destroy (&self->actors[index]); //  waits for a sync in flight
        if (self->fd >= 0)
            close (self->fd);
        free (self->path);
        free (self);
        *self_p = NULL;
    }
}

uint64_t
sein_durable_commit (sein_durable_t *self)
{
    return ++self->commits;
}

uint64_t
sein_durable_last (sein_durable_t *self)
{
    return self->commits;
}

//  A sync that covered the first TARGET tickets returned ERROR after US
//  microseconds. Whichever began later covers more: SYNCED only grows.
static void
s_synced (sein_durable_t *self, uint64_t target, int error, int64_t us)
{
    if (self->ntimings == S_TIMINGS)
        memmove (self->timings, self->timings + 1, --self->ntimings * sizeof self->timings[0]);
    self->timings[self->ntimings++] = us;
    if (error) {
        if (!self->failed)
            zsys_error ("storage: fdatasync of %s-wal failed: %s; stopping", self->path,
                        strerror (error));
        self->failed = error;
    } else if (!self->failed && target > self->synced)
        self->synced = target;
}

//  The highest ticket that is on disk or that a sync in flight covers.
static uint64_t
s_covered (sein_durable_t *self)
{
    uint64_t covered = self->synced;
    for (size_t index = 0; index < S_ACTORS; index++)
        if (self->syncing[index] > covered)
            covered = self->syncing[index];
    return covered;
}

//  Start a sync of every commit so far on actor INDEX.
static void
s_start (sein_durable_t *self, size_t index)
{
    self->syncing[index] = self->commits;
    zstr_send (self->actors[index], "SYNC");
}

//  Take the result of actor INDEX's sync (waits for it).
static void
s_collect (sein_durable_t *self, size_t index)
{
    int error = EIO; //  an interrupted receive is not a confirmation
    uint64_t us = 0;
    zsock_recv (self->actors[index], "i8", &error, &us);
    uint64_t target = self->syncing[index];
    self->syncing[index] = 0;
    s_synced (self, target, error, (int64_t) us);
}

void
sein_durable_sync (sein_durable_t *self, bool overlap)
{
    if (self->syncing[S_GROUP] || self->failed || s_covered (self) >= self->commits)
        return;
    if (overlap)
        s_start (self, S_GROUP);
    else {
        int64_t start = zclock_usecs ();
        int error = sein_store_sync (self->path, &self->fd);
        s_synced (self, self->commits, error, zclock_usecs () - start);
    }
}

void
sein_durable_hurry (sein_durable_t *self)
{
    if (!self->syncing[S_HURRY] && !self->failed && s_covered (self) < self->commits)
        s_start (self, S_HURRY);
}

int
sein_durable_sync_now (sein_durable_t *self)
{
    for (size_t index = 0; index < S_ACTORS; index++)
        if (self->syncing[index])
            s_collect (self, index);
    int64_t start = zclock_usecs ();
    int error = sein_store_sync (self->path, &self->fd);
    s_synced (self, self->commits, error, zclock_usecs () - start);
    return error;
}

void
sein_durable_poll (sein_durable_t *self, zpoller_t *poller)
{
    for (size_t index = 0; index < S_ACTORS; index++)
        zpoller_add (poller, self->actors[index]);
}

//  Whether actor INDEX's sync returned and waits to be collected.
static bool
s_ready (sein_durable_t *self, size_t index)
{
    return self->syncing[index] && (zsock_events (self->actors[index]) & ZMQ_POLLIN);
}

void
sein_durable_collect (sein_durable_t *self)
{
    for (size_t index = 0; index < S_ACTORS; index++)
        if (s_ready (self, index))
            s_collect (self, index);
}

bool
sein_durable_ready (sein_durable_t *self)
{
    for (size_t index = 0; index < S_ACTORS; index++)
        if (s_ready (self, index))
            return true;
    return false;
}

bool
sein_durable_settled (sein_durable_t *self, uint64_t ticket)
{
    //  After a failure every ticket is settled, also those taken later:
    //  none of them will ever be confirmed, and none may wait for it.
    return ticket <= self->synced || self->failed;
}

int
sein_durable_error (sein_durable_t *self, uint64_t ticket)
{
    return ticket <= self->synced ? 0 : self->failed;
}

int
sein_durable_failed (sein_durable_t *self)
{
    return self->failed;
}

bool
sein_durable_timing (sein_durable_t *self, int64_t *us_p)
{
    if (self->ntimings == 0)
        return false;
    *us_p = self->timings[0];
    memmove (self->timings, self->timings + 1, --self->ntimings * sizeof self->timings[0]);
    return true;
}
