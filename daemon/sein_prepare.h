/*  sein_prepare.h - everything about a submission that needs no storage

    Parse and validate the body, check explicit area/theme against the
    reference data, classify, route, and render the event as JSON text.
    Kept apart from the server's I/O and storage so it can run on its own
    thread, overlapping the fsync of the previous batch.

    The rendered event lacks the two fields only storage can assign: the
    server writes `{"seq":N,"id":"...",` and appends `tail` after its brace.
    A new signal's workflow status comes last, as SEIN_EVENT_STATUS_NEW, so
    that an ack (whose own "status" is the outcome) can be the event
    without it.
*/
#ifndef SEIN_PREPARE_H_INCLUDED
#define SEIN_PREPARE_H_INCLUDED

#include "sein_json.h"
#include "sein_setup.h"
#include "sein_signal.h"
#include "sein_store.h"

#include <czmq.h>

//  Who asked and how to answer: the ROUTER's routing id, whether a REQ
//  delimiter came with it, and the correlation id, copied out of the
//  request (ZeroMQ bounds routing ids, the protocol correlation ids, to
//  255 bytes).
typedef struct {
    unsigned char routing[256];
    size_t routing_size;
    unsigned char corr[256];
    size_t corr_size;
    bool delimiter;
} sein_envelope_t;

#define SEIN_EVENT_STATUS_NEW ",\"status\":\"new\"}"

typedef struct {
    //  Filled by the server when the request arrives
    sein_envelope_t envelope;
    zmq_msg_t body;
    bool dry_run; //  CLASSIFY: answer, do not store

    //  Filled by sein_prepare
    bool rejected;
    sein_error_t error;
    sein_signal_t signal;
    sein_classification_t classification;
    const char *submitter;
    const char *received_at; //  the batch's
    char *tail; //  the event JSON without "seq" and "id"
    size_t tail_size;
    sein_store_signal_t record; //  borrows from the fields above

    //  Filled by the server while storing
    int64_t seq;
    char id[40];
    char *event;   //  the complete event JSON (new or, for a duplicate, stored)
    size_t event_size;
    bool duplicate;
} sein_pending_t;

//  A batch of requests that arrived together: prepared together on the
//  prepare thread, then stored in one transaction by the server.
typedef struct {
    sein_setup_t *setup; //  borrowed, immutable while the batch is out
    sein_signal_limits_t limits;
    char received_at[SEIN_TIME_MAX]; //  requests read in one round arrived together
    sein_pending_t *items;
    size_t count;
    size_t capacity;
    //  Set by the server while storing
    bool stored;      //  committed (or nothing to store)
    uint64_t ticket;  //  answered once this many deferred commits are on disk
    int sync_error;   //  the errno of a failed sync that covered it, or 0
    int64_t head;     //  the store's head once it was committed
    char failure[160]; //  why it was not stored
} sein_batch_t;

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

//  Release what preparing and storing left in PENDING (not its envelope,
//  body and dry_run) and zero that part. sein_prepare begins with it.
void
    sein_pending_reset (sein_pending_t *pending);

//  Release everything PENDING owns and zero it.
void
    sein_pending_clear (sein_pending_t *pending);

#endif
