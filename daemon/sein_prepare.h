// SPDX-License-Identifier: MPL-2.0
/*  sein_prepare.h - everything about a submission that needs no storage

    Parse and validate the body, check explicit area/theme against the
    reference data, classify, route, and render the event as JSON text.
    Kept apart from the server's I/O and storage so it can run on its own
    thread, overlapping the fsync of the previous batch.

    The rendered event lacks the two fields only storage can assign: the
    server writes `{"seq":N,"id":"...",` and appends `tail` after its brace.
    A new signal's workflow status comes last, as SEIN_EVENT_STATUS_NEW
    (sein_batch.h), so that an ack (whose own "status" is the outcome) can
    be the event without it.
*/
#ifndef SEIN_PREPARE_H_INCLUDED
#define SEIN_PREPARE_H_INCLUDED

#include "sein_batch.h"
#include "sein_json.h"

#include <czmq.h>

//  What preparing writes besides the batch: classifier scratch and the
//  rendering buffer. Each thread that calls sein_prepare owns one; the
//  setup it prepares with is shared and read-only. Independent of any
//  setup, so one serves across reloads.
typedef struct {
    sein_classify_scratch_t *classify;
    sein_buf_t render;
} sein_prepare_scratch_t;

//  NULL when libstemmer lacks Dutch, French or English.
sein_prepare_scratch_t *
    sein_prepare_scratch_new (void);

//  Destroy; idempotent, nulls the pointer.
void
    sein_prepare_scratch_destroy (sein_prepare_scratch_t **self_p);

//  The prepare actor: receives a batch pointer ("p"), prepares every item,
//  sends the same pointer back. The batch belongs to the sender; the actor
//  keeps nothing between batches. ARGS is a sein_prepare_scratch_t the
//  actor takes over (and destroys when it ends): the thread's own.
void
    sein_prepare_actor (zsock_t *pipe, void *args);

//  Prepare item INDEX of BATCH (its body set) with the calling thread's
//  SCRATCH. On a bad submission sets `rejected` and `error` and returns -1;
//  otherwise returns 0.
int
    sein_prepare (sein_batch_t *batch, size_t index, sein_prepare_scratch_t *scratch);

#endif
