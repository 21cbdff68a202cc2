// SPDX-License-Identifier: MPL-2.0
/*  sein_checkpoint.c - keep the write-ahead log short, off the commit path */
#include "sein_checkpoint.h"

#include "sein_alloc.h"

struct _sein_checkpoint_t {
    zactor_t *actor;
    bool busy;       //  a checkpoint is at work
    int64_t held_at; //  zclock_mono when a reader last stopped one short, or 0
    int64_t forced_at; //  zclock_mono of the last forced restart a reader kept from
                       //  starting over, or 0
};

typedef struct {
    const char *path;
    const char *synchronous;
} s_args_t;

static void
s_actor (zsock_t *pipe, void *args)
{
    s_args_t *paths = (s_args_t *) args;
    char *error = NULL;
    sein_store_t *store = sein_store_new (paths->path, paths->synchronous, &error);
    zsock_signal (pipe, 0); //  ARGS are not used after this
    if (!store) {
        zsys_error ("checkpoints: %s", error);
        free (error);
    }
    char *command;
    while ((command = zstr_recv (pipe)) && !streq (command, "$TERM")) {
        if (store && sein_store_checkpoint (store, false))
            zsys_error ("checkpoint: %s", sein_store_error (store));
        //  A sync or write SQLite made in the checkpoint failed: the
        //  server must stop as after its own failed fsync.
        const char *fault = store ? sein_store_fault (store) : NULL;
        if (fault)
            zstr_sendf (pipe, "FAULT %s", fault);
        else
            zstr_sendf (pipe, "DONE %d", store ? sein_store_checkpoint_behind (store) : 0);
        zstr_free (&command);
    }
    zstr_free (&command);
    sein_store_destroy (&store);
}

sein_checkpoint_t *
sein_checkpoint_new (const char *path, const char *synchronous)
{
    sein_checkpoint_t *self = (sein_checkpoint_t *) sein_calloc (1, sizeof *self);
    s_args_t args = {path, synchronous};
    self->actor = zactor_new (s_actor, &args);
    return self;
}

void
sein_checkpoint_destroy (sein_checkpoint_t **self_p)
{
    sein_checkpoint_t *self = *self_p;
    if (self) {
        zactor_destroy (&self->actor);
        free (self);
        *self_p = NULL;
    }
}

zactor_t *
sein_checkpoint_actor (sein_checkpoint_t *self)
{
    return self->actor;
}

bool
sein_checkpoint_ready (sein_checkpoint_t *self)
{
    return self->busy && (zsock_events (self->actor) & ZMQ_POLLIN);
}

char *
sein_checkpoint_done (sein_checkpoint_t *self)
{
    char *done = zstr_recv (self->actor);
    self->busy = false;
    char *fault = done && strncmp (done, "FAULT ", 6) == 0 ? sein_strdup (done + 6) : NULL;
    bool held = done && strncmp (done, "DONE ", 5) == 0 && atoi (done + 5) > 0;
    self->held_at = held ? zclock_mono () : 0;
    zstr_free (&done);
    return fault;
}

bool
sein_checkpoint_after_commit (sein_checkpoint_t *self, sein_store_t *writer)
{
    int pages = sein_store_wal_frames (writer);
    if (pages >= SEIN_CHECKPOINT_FORCE &&
        (!self->forced_at || zclock_mono () - self->forced_at >= SEIN_CHECKPOINT_FORCE_AGAIN)) {
        zsys_warning ("write-ahead log at %d pages: checkpointing in line", pages);
        if (sein_store_checkpoint (writer, true))
            zsys_error ("checkpoint: %s", sein_store_error (writer));
        //  A reader kept the log (the wait is bounded: sein_store_checkpoint):
        //  the log grows on, and the next forced try waits its turn, so that
        //  a long read costs the acks SEIN_STORE_RESTART_WAIT ms now and then,
        //  not on every commit.
        bool kept = sein_store_wal_frames (writer) >= SEIN_CHECKPOINT_FORCE;
        if (kept && !self->forced_at)
            zsys_warning ("write-ahead log: a reader keeps it from starting over; "
                          "trying again every %d ms",
                          SEIN_CHECKPOINT_FORCE_AGAIN);
        self->forced_at = kept ? zclock_mono () : 0;
        return true;
    }
    //  While a reader holds the log, asking again after every commit (a
    //  thousand times a second at 1,000 signals/s, measured) copies
    //  nothing and only takes CPU and wakeups from the commit path.
    if (pages < SEIN_CHECKPOINT_PAGES || self->busy ||
        (self->held_at && zclock_mono () - self->held_at < SEIN_CHECKPOINT_RETRY))
        return false;
    zstr_send (self->actor, "CHECKPOINT");
    self->busy = true;
    return true;
}

bool
sein_checkpoint_holds (sein_store_t *writer)
{
    return sein_store_wal_frames (writer) >= SEIN_CHECKPOINT_HOLD;
}
