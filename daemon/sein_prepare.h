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

//  The prepare actor: receives a batch pointer ("p"), prepares every item,
//  sends the same pointer back. The batch belongs to the sender; the actor
//  keeps nothing between batches.
void
    sein_prepare_actor (zsock_t *pipe, void *args);

//  Prepare item INDEX of BATCH (its body set), using SCRATCH as rendering
//  space. On a bad submission sets `rejected` and `error` and returns -1;
//  otherwise returns 0.
int
    sein_prepare (sein_batch_t *batch, size_t index, sein_buf_t *scratch);

#endif
