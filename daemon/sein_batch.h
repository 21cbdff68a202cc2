// SPDX-License-Identifier: MPL-2.0
/*  sein_batch.h - submissions that arrived together, on their way to disk

    The server reads every request already waiting into a batch; the
    prepare actor fills in each submission (sein_prepare.h); the server
    stores the whole batch in one transaction (group commit) and answers it
    once the commit is on disk (sein_durable.h). A batch's slots are reused:
    what a slot's last request left is freed when it is prepared again, on
    the prepare thread.
*/
#ifndef SEIN_BATCH_H_INCLUDED
#define SEIN_BATCH_H_INCLUDED

#include "sein_classify.h"
#include "sein_lifecycle.h"
#include "sein_setup.h"
#include "sein_signal.h"
#include "sein_store.h"
#include "sein_wire.h"

//  A new signal's event ends with its workflow status; an ack, whose own
//  "status" is the outcome, is the event without it.
#define SEIN_EVENT_STATUS_NEW ",\"status\":\"new\"}"

//  What a pending item is.
typedef enum {
    SEIN_PENDING_SUBMIT,   //  a new signal: store, ack, publish
    SEIN_PENDING_CLASSIFY, //  a dry run: answer, store nothing
    SEIN_PENDING_CHANGE,   //  STATUS, NOTE, ASSIGN, UNLINK (sein_lifecycle.h)
    SEIN_PENDING_SWEEP,    //  the housekeeping timer's overdue search: no reply
    SEIN_PENDING_ALERT,    //  an early warning (sein_alerts.h) in `request`: no reply
    SEIN_PENDING_PRIVACY,  //  REPORTER, ERASE (sein_privacy.h): answered with `answer`
    SEIN_PENDING_RETENTION //  the housekeeping timer's retention run: no reply
} sein_pending_kind_t;

typedef struct {
    //  Filled by the server when the request arrives
    sein_envelope_t envelope;
    zmq_msg_t body;     //  SUBMIT, CLASSIFY: bounded, unread
    json_t *request;    //  CHANGE, PRIVACY: the body the wire reader parsed (owned)
    const char *command; //  CHANGE, PRIVACY: its name, static
    sein_pending_kind_t kind;
    //  Who asked: the key's name ("" without security), role and teams,
    //  for the record and the team scope (sein_auth_scope).
    sein_principal_t principal;

    //  Filled by sein_prepare
    bool rejected;
    sein_error_t error;
    sein_change_t change; //  CHANGE: borrows from `request`
    char due_at[SEIN_TIME_MAX]; //  SUBMIT: "" without a deadline
    sein_signal_t signal;
    sein_classification_t classification;
    const char *submitter;
    const char *rule;        //  the routing rule that decided, the setup's
    const char *received_at; //  the batch's
    char *tail; //  the event JSON without "seq" and "id"
    size_t tail_size;
    sein_store_signal_t record; //  borrows from the fields above

    //  Filled by the server while storing
    sein_lifecycle_events_t events; //  CHANGE, SWEEP, a linked SUBMIT: stored events
    int64_t seq;
    char id[40];
    char *event;   //  the complete event JSON (new or, for a duplicate, stored)
    size_t event_size;
    bool duplicate;
    char *answer; //  PRIVACY: the reply's body (fresh JSON text)
} sein_pending_t;

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
    int64_t commit_us;    //  how long storing and committing it took
    int64_t committed_at; //  zclock_usecs () when the commit returned
    char failure[160]; //  why it was not stored
} sein_batch_t;

//  Make room in the empty BATCH for CAPACITY requests.
void
    sein_batch_reserve (sein_batch_t *batch, size_t capacity);

//  Release everything BATCH owns and zero it.
void
    sein_batch_free (sein_batch_t *batch);

//  Release what preparing and storing left in PENDING (not its envelope,
//  body, request, command and kind) and zero that part. sein_prepare begins with it.
void
    sein_pending_reset (sein_pending_t *pending);

#endif
