// SPDX-License-Identifier: MPL-2.0
/*  sein_checkpoint.h - keep the write-ahead log short, off the commit path

    The writer never checkpoints by itself (sein_store_wal_frames): a
    checkpoint inside a commit would hold up that batch's acks while the
    log is copied and fsynced. After each commit the server calls
    sein_checkpoint_after_commit, which hands a checkpoint to this class's
    actor (its own connection, PASSIVE: it never waits for the writer)
    once the log has grown past SQLite's default, and blocks the writer
    once, as a last resort, when it grows to SEIN_CHECKPOINT_FORCE pages
    anyway.

    Under sustained full load the log never starts over by itself: the
    writer appends while it is copied, so it is never all copied when a
    batch begins. At 160 MB (8 KiB pages) the forced restart stalls acks
    for a fraction of a second every few seconds; at 800 MB, measured, it
    was 2.7 s, and lookups in the long log had slowed every batch before it.

    A reader's snapshot (a STATS, a report) keeps the frames logged after
    it from being copied until the read ends. A checkpoint that a reader
    stopped short is not asked for again before SEIN_CHECKPOINT_RETRY ms:
    the next one would copy nothing.
*/
#ifndef SEIN_CHECKPOINT_H_INCLUDED
#define SEIN_CHECKPOINT_H_INCLUDED

#include "sein_store.h"

#include <czmq.h>

#define SEIN_CHECKPOINT_PAGES 1000
#define SEIN_CHECKPOINT_FORCE 20000
#define SEIN_CHECKPOINT_RETRY 20 //  ms
//  A forced restart that a reader kept from starting over (it waits at
//  most SEIN_STORE_RESTART_WAIT ms) is not tried again before this (ms).
#define SEIN_CHECKPOINT_FORCE_AGAIN 250
//  From this many pages on, readers that can wait (the text indexer)
//  should, until the log starts over (sein_checkpoint_holds).
#define SEIN_CHECKPOINT_HOLD 15000

typedef struct _sein_checkpoint_t sein_checkpoint_t;

//  For the database at PATH, opened with SYNCHRONOUS like the writer's.
sein_checkpoint_t *
    sein_checkpoint_new (const char *path, const char *synchronous);

//  Destroy; idempotent, nulls the pointer. Waits for a checkpoint at work.
void
    sein_checkpoint_destroy (sein_checkpoint_t **self_p);

//  The actor, to poll: when it is readable, call sein_checkpoint_done.
zactor_t *
    sein_checkpoint_actor (sein_checkpoint_t *self);

//  True when a checkpoint finished and sein_checkpoint_done has not yet
//  been called for it.
bool
    sein_checkpoint_ready (sein_checkpoint_t *self);

//  A checkpoint finished. Returns NULL, or, when the disk failed under it
//  (sein_store_fault of its connection), why, fresh: the caller stops.
char *
    sein_checkpoint_done (sein_checkpoint_t *self);

//  WRITER just committed: start a checkpoint, or force one, as above.
//  Returns true when it started or ran one.
bool
    sein_checkpoint_after_commit (sein_checkpoint_t *self, sein_store_t *writer);

//  Whether readers that can wait should hold off now, WRITER's log being
//  near SEIN_CHECKPOINT_FORCE pages. A reader's snapshot keeps the frames
//  after it from being copied, and the forced restart waits for every
//  reader in the log with SQLite's busy handler (sleeps of 1, 2, 5, 10,
//  15, 20 ms...). The text indexer, at its low priority under a flood,
//  held snapshots for tens of ms: forced restarts took up to 58 ms, every
//  ack waiting, and 1-4 ms with the indexer held (tests/bench/bench_fair;
//  docs/DESIGN.md, "Why the writer never checkpoints").
bool
    sein_checkpoint_holds (sein_store_t *writer);

#endif
