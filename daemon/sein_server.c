// SPDX-License-Identifier: MPL-2.0
/*  sein_server.c - intake: collect, store, ack, publish

    The server reads every request already waiting on the intake socket
    (up to limits.batch_max) into a batch (sein_batch.h), answers PING at
    once, hands queries to the query actor (sein_query.h) and the
    submissions to the prepare actor (validate, classify, route, render;
    sein_prepare.h). When the batch comes back, the server first sends the
    next one off, so preparing it overlaps what follows here: storing the
    whole batch in one transaction (group commit), and only after that
    commit is on disk (sein_durable.h), acking each submitter and
    publishing the events on the broadcast PUB and on the feed to the watch
    actor (sein_feed.h). An ack therefore always means "on disk", and
    nothing is published that could still be rolled back.

    This file is the loop and the wiring: reading and checking requests is
    sein_wire's, making commits durable sein_durable's, keeping the log
    short sein_checkpoint's, answering queries sein_query's.
*/
#include "sein_server.h"

#include "sein.h"
#include "sein_accept.h"
#include "sein_alloc.h"
#include "sein_batch.h"
#include "sein_checkpoint.h"
#include "sein_counters.h"
#include "sein_durable.h"
#include "sein_feed.h"
#include "sein_ids.h"
#include "sein_lifecycle.h"
#include "sein_log.h"
#include "sein_prepare.h"
#include "sein_privacy.h"
#include "sein_alerts.h"
#include "sein_query.h"
#include "sein_store.h"
#include "sein_version.h"
#include "sein_watch.h"
#include "sein_wire.h"

#include <systemd/sd-daemon.h>

#define S_PREPARE_HERE 8   //  batches this small skip an idle prepare actor
#define S_DRAIN_QUIET 1000 //  ms of silence on intake that ends a stop
#define S_DRAIN_MAX 5000   //  ms a stop waits for that at most
//  Prepared, stored, two waiting for their sync, and the fast lane's
//  (s_collect): S_BATCHES - 1 for what a flood fills.
#define S_BATCHES 5
//  Signals stored between looks at the sync actor: an ack waits for the
//  next look after its fsync returned; a look costs a few getsockopt.
#define S_SYNC_CHECK 16
#define S_QUERIES_MAX 64   //  queries handed to the query actor and not answered
#define S_SWEEP_MAX 256    //  overdue events one search stores at most
#define S_ALERTS_MAX 16    //  alerts one batch stores at most (the rest wait)
#define S_RETAIN_MAX 1000  //  signals one retention run anonymises, and deletes, at most
#define S_LOG_EVERY 10000  //  ms between two lines about the same storage trouble
#define S_STATUS_EVERY 5000 //  ms between two STATUS= lines to systemd
#define S_RELOADS_MAX 64   //  RELOAD requests waiting for their outcome, at most
//  Submissions of one client a batch takes, at most. A batch is prepared,
//  stored and synced as one, so every request in it waits for all of it:
//  a share of 64 keeps a batch that a flood fills at about 1.5 ms of work
//  (tests/bench/bench_fair.c; docs/DESIGN.md, "Fairness"). While others
//  take the fast lane (in the last S_FAST_RECENT ms), the share is
//  halved: their requests wait for the flood's batch being stored.
#define S_CLIENT_SHARE 64
#define S_FAST_RECENT 1000
//  A client alone, when no other client has submitted anything for
//  S_ALONE_QUIET ms, may fill a batch up to S_ALONE_SHARE: fewer, larger
//  commits for a bulk import through one connection (sein-submit --file),
//  which the share would hold to a quarter of what four connections get.
//  Only a newcomer's first request can then wait behind a large batch:
//  from its arrival on, the share is S_CLIENT_SHARE again (docs/DESIGN.md,
//  "Fairness").
#define S_ALONE_SHARE 256
#define S_ALONE_QUIET 1000
//  While a flood fills the batches, a client with at most this many
//  requests in the batch being collected takes the fast lane: its batch
//  is prepared on the server thread and stored next, ahead of the flood's
//  batch that waits to be stored when none of its clients is in that one
//  (docs/DESIGN.md, "Fairness").
#define S_LONE 4
//  ms between two HOLDs to the text indexer (s_hold_index): well within
//  the time one keeps it waiting (sein_query.c).
#define S_HOLD_AGAIN 100

//  A client's part of the batch being collected: a slot of an
//  open-addressing table on a hash of its routing id.
typedef struct {
    uint64_t hash; //  0: a free slot
    const sein_envelope_t *envelope; //  its first request in the batch
    size_t count;
    size_t slot; //  its index in the table
} s_share_t;

static const char *const s_no_fields[] = {NULL};

//  A case that nearby reports joined in the batch being stored, whose
//  `linked` event is not stored yet: one per case and run of submissions
//  (s_links_flush), not one per report.
typedef struct {
    int64_t case_seq;
    const sein_pending_t *newest; //  the last report that joined it
    int64_t joined;
} s_link_t;

//  A RELOAD request waiting for the outcome of a reload that begins after
//  it: seind numbers its asks, and says which it has covered.
typedef struct {
    sein_envelope_t envelope;
    uint64_t ask;
} s_reload_t;

typedef struct {
    zsock_t *pipe;
    zpoller_t *poller;
    zsock_t *intake;
    zsock_t *publish;
    zsock_t *feed;
    sein_accept_t *guards[2]; //  intake's and publish's (sein_accept.h)
    zactor_t *watch;
    zactor_t *prepare;
    zactor_t *query;
    zactor_t *alerts; //  the early warning's reader (sein_alerts.h)
    zlist_t *alerts_due; //  alerts it found, JSON texts, for the next batches
    sein_checkpoint_t *checkpoint;
    zactor_t *zap;             //  the ZAP handler, with security on
    zcert_t *cert;             //  seind's own key, with security on
    sein_keyring_t *keyring;   //  who may ask what; NULL: security off
    sein_durable_t *durable; //  NULL: every COMMIT syncs by itself
    sein_server_args_t *args;
    char *path;         //  the database
    sein_setup_t *setup;
    sein_setup_t *next_setup; //  a reload waiting for the last one to retire
    sein_setup_t *retired;    //  replaced, but batches in flight still use it
    sein_store_t *store; //  the owner's (args->store)
    sein_signal_limits_t limits;
    size_t batch_max;
    int64_t events_max;
    sein_wire_command_t commands[32]; //  what the intake socket accepts
    size_t ncommands;
    sein_request_t request;          //  the one being read
    sein_batch_t batches[S_BATCHES]; //  empty (count 0) when free
    sein_batch_t *preparing; //  the batch out at the prepare actor, or NULL
    sein_batch_t *fast;      //  the fast lane's, until answered, or NULL
    int64_t fast_at;         //  zclock_mono () when it was last taken
    bool fast_due;           //  and it waits to be stored with the busy one
    bool fast_first;         //  before it (none of its clients is there)
    sein_envelope_t sole;    //  the client whose submission was read last
    int64_t sole_at;         //  zclock_mono () of its last batch
    int64_t crowd_at;        //  zclock_mono () when another client's came, 0: never
    int64_t held_at;         //  zclock_mono () of the last HOLD to the indexer, 0: none
    sein_prepare_scratch_t *scratch; //  for batches prepared on this thread
    sein_batch_t *stored[S_BATCHES]; //  to answer after a sync, oldest first
    s_share_t *shares; //  per client, for the batch being collected
    size_t nshares;    //  slots: a power of two, at least 2 x batch_max
    size_t *taken;     //  the slots the batch being collected took
    size_t ntaken;
    size_t nstored;
    size_t queries;    //  out at the query actor
    int64_t durable_head; //  the highest seq on disk
    int64_t marked;       //  the head last recorded in the store's marker
    bool marks;           //  record the head after each commit (synchronous=extra)
    char *fault;          //  why the disk failed (s_fail), or NULL
    sein_ids_t ids;
    sein_buf_t buf;
    sein_buf_t render; //  lifecycle events, while storing
    sein_link_scope_t link; //  nearby reports: radius, and the window's first seq
    s_link_t *links;        //  cases joined since the last s_links_flush
    size_t nlinks, links_max;
    int64_t link_window;    //  ms, 0: never link
    int64_t anonymise_ms;   //  retention: after a signal is finished (0: never)
    int64_t delete_ms;
    int64_t retention_check; //  ms between retention runs (0: none)
    int64_t next_retention;  //  zclock_mono () of the next one
    bool retention_due;      //  the next batch carries one
    char *reporter_roles;    //  security.reporter_roles
    int64_t overdue_check;  //  ms between overdue searches
    int64_t next_sweep;     //  zclock_mono () of the next one
    bool sweep_due;         //  the next batch carries one
    time_t started;
    bool terminating;
    bool term_received; //  the pipe said $TERM
    bool draining; //  stopping: submissions get `unavailable` (s_drain)
    struct {
        uint64_t received, accepted, duplicates, rejected, batches, largest, storage_errors,
            replies_dropped;
        int64_t watch[2]; //  sessions, queued events: the watch actor's
        //  zclock_mono of the last dropped reply and storage error, 0: none
        //  yet; health (seinctl health) asks how long ago.
        int64_t dropped_at, failed_at;
    } counters;
    sein_counters_t *metrics; //  the rest of what METRICS tells
    zlist_t *reloads;      //  s_reload_t, oldest first
    uint64_t asks;         //  RELOAD-ASKED sent to seind
    int64_t next_beat;     //  zclock_mono () of the next STATUS= (and WATCHDOG=1)
    int64_t beat_every;    //  ms: S_STATUS_EVERY, or half the watchdog's interval
    bool watchdog;         //  systemd expects WATCHDOG=1
    time_t dropped_warned; //  when a full reply queue was last logged
    int64_t storage_logged;   //  zclock_mono of the last batch-not-stored line
    uint64_t storage_unlogged; //  batches not stored since that line
    int64_t mark_logged;      //  zclock_mono of the last failed marker update line
    char *error; //  startup failure, reported to the caller
} s_server_t;

//  ---------------------------------------------------------------------
//  Replies

//  Count a reply that could not be sent (sein_wire_send returned RC).
static void
s_sent (s_server_t *self, int rc)
{
    if (rc == 0)
        return;
    //  Gone, or so far behind on its replies that its queue is full
    //  (more than 2 x (limits.intake_hwm + 2 x batch_max) unread): waiting would
    //  stall everyone else. The request itself was handled; a client that
    //  times out resubmits, and external_id makes that safe.
    self->counters.replies_dropped++;
    self->counters.dropped_at = zclock_mono ();
    if (zmq_errno () == EAGAIN && time (NULL) - self->dropped_warned > 10) {
        zsys_warning ("a client is not reading its replies: %llu replies dropped",
                      (unsigned long long) self->counters.replies_dropped);
        self->dropped_warned = time (NULL);
    }
}

static void
s_reject (s_server_t *self, const sein_envelope_t *envelope, const char *command,
          const char *external_id, const sein_error_t *error)
{
    self->counters.rejected++;
    sein_counters_reject (self->metrics, error->code);
    sein_debug ("rejected %s: %s (%s)", command, error->code, error->message);
    s_sent (self, sein_wire_reject (zsock_resolve (self->intake), envelope, command,
                                    external_id, error, &self->buf));
}

//  The ack, or the dry run's answer: the event with the outcome in front,
//  {"status":S,["duplicate":D,]FIELDS}, where FIELDS is the event's JSON
//  between its opening brace and its trailing workflow status.
static void
s_reply_event (s_server_t *self, sein_pending_t *pending, const char *status,
               const char *event, size_t size, bool duplicate)
{
    size_t suffix = strlen (SEIN_EVENT_STATUS_NEW);
    //  Every signal event sein renders ends so; anything else is a bug.
    assert (size > suffix && memcmp (event + size - suffix, SEIN_EVENT_STATUS_NEW,
                                     suffix) == 0);
    sein_buf_t *buf = &self->buf;
    sein_buf_reset (buf);
    sein_buf_raw (buf, "{", 1);
    sein_buf_field_string (buf, "status", status);
    if (pending->kind == SEIN_PENDING_SUBMIT)
        sein_buf_field_bool (buf, "duplicate", duplicate);
    sein_buf_raw (buf, ",", 1);
    sein_buf_raw (buf, event + 1, size - 1 - suffix);
    sein_buf_raw (buf, "}", 1);
    s_sent (self, sein_wire_send (zsock_resolve (self->intake), &pending->envelope,
                                  pending->kind == SEIN_PENDING_CLASSIFY ? SEIN_CLASSIFY
                                                                         : SEIN_SUBMIT,
                                  buf->data, buf->size));
}

//  The ack of a change: its first stored event with the outcome in front,
//  {"status":"accepted",FIELDS}.
static void
s_reply_change (s_server_t *self, sein_pending_t *pending)
{
    assert (pending->events.count > 0);
    const sein_event_t *event = &pending->events.items[0].event;
    sein_buf_t *buf = &self->buf;
    sein_buf_reset (buf);
    sein_buf_raw (buf, "{", 1);
    sein_buf_field_string (buf, "status", "accepted");
    sein_buf_raw (buf, ",", 1);
    sein_buf_raw (buf, event->body + 1, event->body_size - 1);
    s_sent (self, sein_wire_send (zsock_resolve (self->intake), &pending->envelope,
                                  pending->command, buf->data, buf->size));
}

//  ---------------------------------------------------------------------
//  Group commit

//  {"seq":N,"id":"...",["related_to":{"id","seq"},] + the tail after its
//  brace. RELATED is the open signal it is linked to, or NULL.
static void
s_complete_event (s_server_t *self, sein_pending_t *pending, const sein_store_row_t *related)
{
    sein_ids_next (&self->ids, pending->id);
    pending->seq = sein_store_next_seq (self->store);
    sein_buf_t *buf = &self->buf;
    sein_buf_reset (buf);
    sein_buf_raw (buf, "{", 1);
    sein_buf_field_int (buf, "seq", pending->seq);
    sein_buf_field_string (buf, "id", pending->id);
    if (related) {
        //  Linked to an open signal nearby (docs/PROTOCOL.md, "Nearby
        //  reports"): said up front, where every reader sees it.
        sein_buf_key (buf, "related_to");
        sein_buf_raw (buf, "{", 1);
        sein_buf_field_string (buf, "id", related->id);
        sein_buf_field_int (buf, "seq", related->seq);
        sein_buf_raw (buf, "}", 1);
        pending->record.related_to = related->seq;
    }
    sein_buf_raw (buf, ",", 1);
    sein_buf_raw (buf, pending->tail + 1, pending->tail_size - 1);
    pending->event_size = buf->size;
    pending->event = sein_strndup (buf->data, buf->size);
    pending->record.id = pending->id;
    pending->record.event.body = pending->event;
    pending->record.event.body_size = pending->event_size;
}

static void
s_release (s_server_t *self);

//  A sync came back: answer the batches it put on disk before anything
//  else, then start the next sync for what was committed meanwhile. That
//  one goes to the actor even when nothing is being prepared: a sync
//  came back from there because the server is busy, and an inline one
//  would hold the next batch (and the acks after it) for an fsync.
static void
s_synced (s_server_t *self)
{
    sein_durable_collect (self->durable);
    s_release (self);
    sein_durable_sync (self->durable, true);
}

static void
s_fail (s_server_t *self, const char *why);

//  What the actors beside the pipeline tell: a sync that returned (its
//  batches are answered, so that their submitters can send more), a
//  checkpoint done (the next can begin). Looked at every S_SYNC_CHECK
//  signals while storing, and after everything the loop handles: the
//  poller names one readable socket, the first, and under load that is
//  the prepare actor every time (measured: a checkpoint's DONE read
//  120-200 ms late, while the log grew to where the writer is forced to
//  copy what is left).
static void
s_aside (s_server_t *self)
{
    if (self->durable && sein_durable_ready (self->durable))
        s_synced (self);
    if (sein_checkpoint_ready (self->checkpoint)) {
        char *fault = sein_checkpoint_done (self->checkpoint);
        if (fault)
            s_fail (self, fault);
        zstr_free (&fault);
    }
}

//  Store the new signal of PENDING, linked to an open one nearby when
//  there is one (docs/PROTOCOL.md, "Nearby reports"). Returns as
//  sein_store_add_signal.
static int
s_store_signal (s_server_t *self, sein_batch_t *batch, sein_pending_t *pending)
{
    sein_store_row_t related;
    int found = 0;
    const sein_classification_t *result = &pending->classification;
    if (self->link.radius > 0 && self->link_window > 0 && result->has_point) {
        if (self->link.from == 0) {
            //  Once per batch: the first seq inside the window.
            char since[SEIN_TIME_MAX];
            sein_time_add (batch->received_at, -self->link_window, since, sizeof since);
            self->link.from = sein_store_seq_at (self->store, since);
        }
        found = self->link.from < 0 ? -1
                                    : sein_lifecycle_find_case (self->store, &self->link,
                                                                result->theme, result->lat,
                                                                result->lon, &related);
        if (found < 0)
            return -1;
    }
    s_complete_event (self, pending, found ? &related : NULL);
    int rc = sein_store_add_signal (self->store, &pending->record);
    if (rc == 0 && found) {
        //  Counted now, told once the run of submissions ends.
        size_t index = 0;
        while (index < self->nlinks && self->links[index].case_seq != related.seq)
            index++;
        if (index == self->nlinks) {
            if (self->nlinks == self->links_max) {
                self->links_max = self->links_max ? 2 * self->links_max : 16;
                self->links = (s_link_t *) sein_realloc (
                    self->links, self->links_max * sizeof self->links[0]);
            }
            self->links[self->nlinks++] = (s_link_t){related.seq, NULL, 0};
        }
        self->links[index].newest = pending;
        self->links[index].joined++;
    }
    return rc;
}

//  Store the `linked` event of every case joined since the last flush,
//  after LAST, the item stored last: they get the next seqs and are
//  published after it. Before a change (which may be about the case, or
//  unlink a report) and at the end of a batch. Returns 0, or -1 when the
//  store failed.
static int
s_links_flush (s_server_t *self, sein_batch_t *batch, sein_pending_t *last)
{
    int rc = 0;
    for (size_t index = 0; rc == 0 && index < self->nlinks; index++) {
        s_link_t *link = &self->links[index];
        assert (last);
        if (sein_lifecycle_link (self->store, link->case_seq, link->newest->seq,
                                 link->newest->id, link->joined, batch->received_at,
                                 &last->events, &self->render) != SEIN_LIFECYCLE_STORED)
            rc = -1;
    }
    self->nlinks = 0;
    return rc;
}

//  Store a change or the overdue search. Returns 0, or -1 when the store
//  failed (a refusal only rejects the item).
//  The housekeeping timer's retention run (docs/SECURITY.md,
//  "Retention"), logged with its counts when it did something.
static int
s_store_retention (s_server_t *self, sein_batch_t *batch)
{
    char anonymise[SEIN_TIME_MAX], erase[SEIN_TIME_MAX];
    if (self->anonymise_ms)
        sein_time_add (batch->received_at, -self->anonymise_ms, anonymise, sizeof anonymise);
    if (self->delete_ms)
        sein_time_add (batch->received_at, -self->delete_ms, erase, sizeof erase);
    sein_store_retained_t counts;
    if (sein_store_retain (self->store, self->anonymise_ms ? anonymise : NULL,
                           self->delete_ms ? erase : NULL, S_RETAIN_MAX, &counts))
        return -1;
    if (counts.anonymised || counts.deleted)
        zsys_notice ("retention: %lld signals anonymised, %lld deleted",
                     (long long) counts.anonymised, (long long) counts.deleted);
    //  A full run leaves more for the next one, soon.
    if (counts.anonymised == S_RETAIN_MAX || counts.deleted == S_RETAIN_MAX)
        self->next_retention = 0;
    return 0;
}

static int
s_store_change (s_server_t *self, sein_batch_t *batch, sein_pending_t *pending)
{
    if (pending->kind == SEIN_PENDING_RETENTION)
        return s_store_retention (self, batch);
    if (pending->kind == SEIN_PENDING_PRIVACY) {
        int rc = sein_privacy_run (self->store, pending->command, pending->request,
                                   &pending->principal, batch->received_at,
                                   &pending->answer, &pending->error);
        if (rc == SEIN_LIFECYCLE_REFUSED)
            pending->rejected = true;
        return rc == SEIN_LIFECYCLE_FAILED ? -1 : 0;
    }
    if (pending->kind == SEIN_PENDING_ALERT)
        return sein_alerts_store (self->store, pending->request, batch->received_at,
                                  &pending->events, &self->render) == SEIN_LIFECYCLE_FAILED
                   ? -1
                   : 0;
    int rc = pending->kind == SEIN_PENDING_SWEEP
                 ? sein_lifecycle_sweep (self->store, batch->received_at, S_SWEEP_MAX,
                                         &pending->events, &self->render)
                 : sein_lifecycle_apply (self->store, &pending->change, batch->received_at,
                                         &pending->events, &self->render, &pending->error);
    if (rc == SEIN_LIFECYCLE_REFUSED)
        pending->rejected = true;
    return rc == SEIN_LIFECYCLE_FAILED ? -1 : 0;
}

//  Store, in one transaction, every new signal and change of BATCH.
//  Returns 0 when the batch was committed.
static int
s_store_batch (s_server_t *self, sein_batch_t *batch)
{
    if (sein_store_begin (self->store))
        return -1;
    int rc = 0;
    self->link.from = 0;
    self->nlinks = 0;
    sein_pending_t *last = NULL; //  the item stored last, whose events are published last
    for (size_t index = 0; rc == 0 && index < batch->count; index++) {
        if (index % S_SYNC_CHECK == 0)
            s_aside (self);
        sein_pending_t *pending = &batch->items[index];
        if (pending->rejected || pending->kind == SEIN_PENDING_CLASSIFY)
            continue;
        if (pending->kind != SEIN_PENDING_SUBMIT) {
            rc = s_links_flush (self, batch, last);
            if (rc == 0)
                rc = s_store_change (self, batch, pending);
            if (!pending->rejected)
                last = pending;
            continue;
        }
        last = pending;
        rc = s_store_signal (self, batch, pending);
        if (rc == 1) {
            //  (submitter, external_id) is stored already, earlier in this
            //  batch or before: answer with the original.
            zstr_free (&pending->event);
            pending->record.event.body = NULL;
            int found = sein_store_find_key (self->store, pending->submitter,
                                             pending->signal.external_id, &pending->seq,
                                             &pending->event);
            rc = found == 1 ? 0 : -1;
            pending->event_size = pending->event ? strlen (pending->event) : 0;
            pending->duplicate = true;
        }
    }
    if (rc == 0)
        rc = s_links_flush (self, batch, last);
    if (rc == 0)
        return sein_store_commit (self->store);
    sein_store_rollback (self->store);
    return -1;
}

static void
s_free_event (void *data, void *hint)
{
    (void) hint;
    free (data);
}

//  Publish EVENT, whose body is TEXT of SIZE bytes (taken).
static void
s_publish (s_server_t *self, const sein_event_t *event, char *text, size_t size)
{
    //  Broadcast topic <event>/<wijk>/<theme>/<area>/: a SUB prefix picks a
    //  wijk with its zones, or a wijk and a theme. A change to a signal
    //  carries the signal's codes, so it goes where the signal went.
    char topic[4 * SEIN_CODE_MAX + 16];
    int len = snprintf (topic, sizeof topic, "%s/%s/%s/%s/", event->kind, event->wijk,
                        event->theme, event->area);
    //  The event text goes to ZeroMQ as it is (publishing is its last use)
    //  and both sockets send copies of that one message: no memcpy.
    zmq_msg_t body, copy;
    zmq_msg_init_data (&body, text, size, s_free_event, NULL);
    zmq_msg_init (&copy);
    zmq_msg_copy (&copy, &body);
    sein_counters_deliver (self->metrics, event->teams);
    void *publish = self->publish ? zsock_resolve (self->publish) : NULL;
    if (!publish || zmq_send (publish, topic, (size_t) len, ZMQ_SNDMORE) < 0 ||
        zmq_msg_send (&body, publish, 0) < 0)
        zmq_msg_close (&body);
    if (sein_feed_send (zsock_resolve (self->feed), event, &copy))
        zmq_msg_close (&copy);
}

//  Answer every item of BATCH (stored, or not), publish its new signals,
//  empty it.
static void
s_answer_batch (s_server_t *self, sein_batch_t *batch)
{
    if (sein_log_wants (LOG_INFO) && batch->committed_at) {
        //  The sync's time is from the commit to now, the batch's answer.
        zsys_info ("batch of %zu: %s, commit %.1f ms, fsync %.1f ms", batch->count,
                   !batch->stored      ? "not stored"
                   : batch->sync_error ? "not confirmed on disk"
                                       : "stored",
                   batch->commit_us / 1000.0,
                   self->durable ? (zclock_usecs () - batch->committed_at) / 1000.0 : 0.0);
        batch->committed_at = 0;
    }
    for (size_t index = 0; index < batch->count; index++) {
        sein_pending_t *pending = &batch->items[index];
        if (pending->kind == SEIN_PENDING_SWEEP || pending->kind == SEIN_PENDING_ALERT ||
            pending->kind == SEIN_PENDING_RETENTION)
            continue; //  nobody asked
        bool change = pending->kind == SEIN_PENDING_CHANGE ||
                      pending->kind == SEIN_PENDING_PRIVACY;
        if (pending->rejected && change)
            s_reject (self, &pending->envelope, pending->command, NULL, &pending->error);
        else if (pending->rejected)
            //  Echo the external id if the body was readable enough.
            s_reject (self, &pending->envelope,
                      pending->kind == SEIN_PENDING_CLASSIFY ? SEIN_CLASSIFY : SEIN_SUBMIT,
                      pending->signal.external_id ? pending->signal.external_id
                      : *pending->error.external_id ? pending->error.external_id
                                                    : NULL,
                      &pending->error);
        else if (pending->kind == SEIN_PENDING_CLASSIFY)
            s_reply_event (self, pending, "classified", pending->tail, pending->tail_size,
                           false);
        else if (!batch->stored || batch->sync_error) {
            sein_error_t error;
            if (batch->sync_error)
                sein_error_set (&error, "storage", NULL,
                                "written but not confirmed on disk (%s): submit again, "
                                "with the same external_id",
                                strerror (batch->sync_error));
            else
                sein_error_set (&error, "storage", NULL, "not stored, try again later: %s",
                                batch->failure);
            if (change)
                s_reject (self, &pending->envelope, pending->command, NULL, &error);
            else
                s_reject (self, &pending->envelope, SEIN_SUBMIT, pending->signal.external_id,
                          &error);
        } else if (pending->kind == SEIN_PENDING_PRIVACY)
            s_sent (self, sein_wire_send (zsock_resolve (self->intake), &pending->envelope,
                                          pending->command, pending->answer,
                                          strlen (pending->answer)));
        else if (pending->kind == SEIN_PENDING_CHANGE)
            s_reply_change (self, pending);
        else {
            if (pending->duplicate)
                self->counters.duplicates++;
            else
                self->counters.accepted++;
            //  Never personal data: codes and the rule only.
            sein_debug ("signal seq %lld%s: area %s, theme %s, priority %s, rule %s",
                        (long long) pending->seq, pending->duplicate ? " (duplicate)" : "",
                        pending->classification.area, pending->classification.theme,
                        pending->classification.priority,
                        pending->rule ? pending->rule : "-");
            s_reply_event (self, pending, "accepted", pending->event, pending->event_size,
                           pending->duplicate);
        }
    }
    for (size_t index = 0; batch->stored && !batch->sync_error && index < batch->count;
         index++) {
        sein_pending_t *pending = &batch->items[index];
        if (pending->rejected || pending->kind == SEIN_PENDING_CLASSIFY)
            continue;
        if (pending->kind == SEIN_PENDING_SUBMIT && !pending->duplicate) {
            s_publish (self, &pending->record.event, pending->event, pending->event_size);
            pending->event = NULL;
        }
        //  In seq order: a linked signal's own event comes before the
        //  `linked` event about the case it joined.
        for (size_t at = 0; at < pending->events.count; at++) {
            sein_lifecycle_event_t *kept = &pending->events.items[at];
            s_publish (self, &kept->event, kept->body, kept->event.body_size);
            kept->body = NULL;
        }
    }
    //  The rest of each item is freed when its slot is prepared again
    //  (sein_pending_reset), off this thread.
    for (size_t index = 0; index < batch->count; index++) {
        zmq_msg_close (&batch->items[index].body);
        zmq_msg_init (&batch->items[index].body);
        //  The change borrows from the request until its slot is reset.
        memset (&batch->items[index].change, 0, sizeof batch->items[index].change);
        json_decref (batch->items[index].request);
        batch->items[index].request = NULL;
        batch->items[index].kind = SEIN_PENDING_SUBMIT;
    }
    batch->count = 0;
    self->link.from = 0;
    if (batch == self->fast)
        self->fast = NULL;
}

//  The disk failed (WHY): a failed fsync, seind's or SQLite's, or a write
//  SQLite saw fail. Nothing written from now on can be vouched for
//  (sein_durable.h), so seind stops: it takes no more submissions,
//  answers what it holds, publishes nothing more, and leaves with
//  EX_IOERR (seind.c), so that at the next start SQLite's recovery reads
//  what the disk really holds. The first reason is kept.
static void
s_fail (s_server_t *self, const char *why)
{
    if (self->fault)
        return;
    self->fault = sein_strdup (why);
    sein_store_set_fault (self->store, why);
    self->counters.storage_errors++;
    self->counters.failed_at = zclock_mono ();
    self->terminating = true;
    zsys_error ("storage: the disk failed: %s; stopping", why);
}

//  Whether seind's own fsync or the writer's last statement found the disk
//  failed.
static void
s_check_failed (s_server_t *self)
{
    int failed = self->durable ? sein_durable_failed (self->durable) : 0;
    if (failed) {
        char why[128];
        snprintf (why, sizeof why, "fdatasync of the write-ahead log failed: %s",
                  strerror (failed));
        s_fail (self, why);
    }
    if (sein_store_fault (self->store))
        s_fail (self, sein_store_fault (self->store));
}

//  Record the durable head in the store's marker (sein_store_mark): one
//  pwrite, so that a lost -wal is noticed at the next start for all that
//  was acked. A marker that cannot be written only makes that check
//  coarser: logged, at most every S_LOG_EVERY ms.
static void
s_mark (s_server_t *self)
{
    if (self->durable_head <= self->marked || self->fault)
        return;
    if (sein_store_mark (self->store, self->durable_head) == 0)
        self->marked = self->durable_head;
    else if (zclock_mono () - self->mark_logged >= S_LOG_EVERY) {
        zsys_warning ("storage: cannot update %s.mark: %s", self->path, strerror (errno));
        self->mark_logged = zclock_mono ();
    }
}

//  A batch not stored while the disk works (full, busy): on a full disk
//  that is every batch, so one line at most every S_LOG_EVERY ms, with the
//  count since the last one.
static void
s_log_not_stored (s_server_t *self, sein_batch_t *batch)
{
    self->storage_unlogged++;
    if (self->storage_logged && zclock_mono () - self->storage_logged < S_LOG_EVERY)
        return;
    zsys_error ("storage: %llu batch(es) not stored since the last such line, the last "
                "of %zu: %s",
                (unsigned long long) self->storage_unlogged, batch->count, batch->failure);
    self->storage_logged = zclock_mono ();
    self->storage_unlogged = 0;
}

//  Answer, oldest first, the stored batches that are on disk (or that a
//  failed sync left unconfirmed).
static void
s_release (s_server_t *self)
{
    s_check_failed (self);
    int64_t us;
    while (sein_durable_timing (self->durable, &us))
        sein_counters_fsync (self->metrics, us);
    while (self->nstored && sein_durable_settled (self->durable, self->stored[0]->ticket)) {
        sein_batch_t *batch = self->stored[0];
        batch->sync_error = sein_durable_error (self->durable, batch->ticket);
        if (!batch->sync_error)
            self->durable_head = batch->head;
        s_answer_batch (self, batch);
        memmove (self->stored, self->stored + 1, --self->nstored * sizeof self->stored[0]);
    }
    s_mark (self);
}

//  Hold the text indexer while the log nears its forced restart, and let
//  it go once the log started over (sein_checkpoint_holds). A HOLD lapses
//  by itself, so it is repeated every S_HOLD_AGAIN ms while wanted.
static void
s_hold_index (s_server_t *self)
{
    bool hold = sein_checkpoint_holds (self->store);
    if (hold && (!self->held_at || zclock_mono () - self->held_at >= S_HOLD_AGAIN)) {
        if (!self->held_at)
            zsys_info ("write-ahead log at %d pages: text indexing waits for it to start over",
                       sein_store_wal_frames (self->store));
        sein_query_hold (self->query, true);
        self->held_at = zclock_mono ();
    } else if (!hold && self->held_at) {
        sein_query_hold (self->query, false);
        self->held_at = 0;
    }
}

//  Store BATCH, then answer it: now, or once a sync has put it on disk.
static void
s_finish_batch (s_server_t *self, sein_batch_t *batch)
{
    bool any = false;
    for (size_t index = 0; index < batch->count; index++)
        any |= !batch->items[index].rejected &&
               batch->items[index].kind != SEIN_PENDING_CLASSIFY;
    batch->sync_error = 0;
    batch->committed_at = 0;
    int64_t started = zclock_usecs ();
    s_check_failed (self);
    if (any && self->fault) {
        batch->stored = false;
        snprintf (batch->failure, sizeof batch->failure,
                  "the disk failed, seind is stopping: %s", self->fault);
    } else if (!any)
        batch->stored = true;
    else {
        batch->stored = s_store_batch (self, batch) == 0;
        if (batch->stored)
            sein_counters_commit (self->metrics, zclock_usecs () - started);
        else {
            //  Kept: the store's own message is gone once the next batch began.
            snprintf (batch->failure, sizeof batch->failure, "%s",
                      sein_store_error (self->store));
            self->counters.storage_errors++;
            self->counters.failed_at = zclock_mono ();
            s_check_failed (self);
            if (!self->fault)
                s_log_not_stored (self, batch);
        }
    }
    if (any) {
        batch->committed_at = zclock_usecs ();
        batch->commit_us = batch->committed_at - started;
        self->counters.batches++;
        if (batch->count > self->counters.largest)
            self->counters.largest = batch->count;
    }
    if (any && batch->stored) {
        sein_checkpoint_after_commit (self->checkpoint, self->store);
        s_check_failed (self); //  a checkpoint in line may have failed
        s_hold_index (self);
    }
    batch->head = sein_store_head (self->store);
    if (!self->durable) {
        self->durable_head = batch->head;
        if (self->marks)
            s_mark (self);
        s_answer_batch (self, batch);
        return;
    }
    //  In order behind the batches before it, even with nothing to sync.
    batch->ticket = any && batch->stored ? sein_durable_commit (self->durable)
                                         : sein_durable_last (self->durable);
    self->stored[self->nstored++] = batch;
    //  Right here when nothing else is in the pipeline (no thread to wake,
    //  no batch to overlap), else on the sync actor. The fast lane's commit
    //  does not wait for the sync in flight: it gets its own at once.
    sein_durable_sync (self->durable, self->preparing != NULL);
    if (batch == self->fast)
        sein_durable_hurry (self->durable);
    s_release (self);
}

//  ---------------------------------------------------------------------
//  Reading requests

//  Seconds since zclock_mono AT, or -1 for never (0).
static json_int_t
s_age (int64_t at)
{
    return at ? (json_int_t) ((zclock_mono () - at) / 1000) : -1;
}

//  PING, and with DETAIL METRICS: PING's answer and every counter behind
//  it (docs/PROTOCOL.md).
static void
s_cmd_ping (s_server_t *self, sein_request_t *request, bool detail)
{
    json_t *reply = json_pack (
        "{s:s,s:s,s:s,s:I,s:I,s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I},s:{s:I,s:I}}",
        "status", "ok", "server", "seind", "version", SEIN_VERSION, "head",
        (json_int_t) self->durable_head, "uptime", (json_int_t) (time (NULL) - self->started),
        "counters", "accepted", (json_int_t) self->counters.accepted, "duplicates",
        (json_int_t) self->counters.duplicates, "rejected",
        (json_int_t) self->counters.rejected, "batches", (json_int_t) self->counters.batches,
        "largest_batch", (json_int_t) self->counters.largest, "storage_errors",
        (json_int_t) self->counters.storage_errors, "replies_dropped",
        (json_int_t) self->counters.replies_dropped, "watch_sessions",
        (json_int_t) self->counters.watch[0], "watch_queued",
        (json_int_t) self->counters.watch[1], "received",
        (json_int_t) self->counters.received, "since", "storage_error",
        s_age (self->counters.failed_at), "reply_dropped", s_age (self->counters.dropped_at));
    sein_counters_json (self->metrics, reply, detail);
    if (detail) {
        //  What waits inside seind. The intake socket's own queue and the
        //  reply queues are libzmq's, which does not tell their depth.
        json_int_t syncing = 0;
        for (size_t index = 0; index < self->nstored; index++)
            syncing += (json_int_t) self->stored[index]->count;
        json_object_set_new (
            reply, "queues",
            json_pack ("{s:I,s:I,s:I,s:I,s:I}", "prepare",
                       (json_int_t) (self->preparing ? self->preparing->count : 0), "sync",
                       syncing, "queries", (json_int_t) self->queries, "alerts",
                       (json_int_t) zlist_size (self->alerts_due), "watch",
                       (json_int_t) self->counters.watch[1]));
    }
    char *text = json_dumps (reply, JSON_COMPACT);
    json_decref (reply);
    s_sent (self, sein_wire_send (zsock_resolve (self->intake), &request->envelope,
                                  detail ? SEIN_METRICS : SEIN_PING, text, strlen (text)));
    free (text);
}

//  RELOAD: seind loads the configuration afresh (seind.c) and the request
//  is answered with the outcome (s_reloaded). Stopping, nothing reloads.
static void
s_cmd_reload (s_server_t *self, sein_request_t *request)
{
    sein_error_t error;
    if (self->draining || self->terminating || self->fault) {
        sein_error_set (&error, "unavailable", NULL, "seind is stopping: nothing reloads");
        s_reject (self, &request->envelope, SEIN_RELOAD, NULL, &error);
    } else if (zlist_size (self->reloads) >= S_RELOADS_MAX) {
        sein_error_set (&error, "busy", NULL, "%d reloads are waiting; try again later",
                        S_RELOADS_MAX);
        s_reject (self, &request->envelope, SEIN_RELOAD, NULL, &error);
    } else {
        s_reload_t *reload = (s_reload_t *) sein_malloc (sizeof *reload);
        reload->envelope = request->envelope;
        reload->ask = ++self->asks;
        zlist_append (self->reloads, reload);
        zsock_send (self->pipe, "s8", "RELOAD-ASKED", self->asks);
    }
}

//  A reload up to ask COVERED ended with STATUS ("OK" or "ERROR why"):
//  answer the RELOAD requests it covers.
static void
s_reloaded (s_server_t *self, const char *status, uint64_t covered)
{
    s_reload_t *reload;
    while ((reload = (s_reload_t *) zlist_first (self->reloads)) && reload->ask <= covered) {
        zlist_remove (self->reloads, reload);
        if (streq (status, "OK")) {
            const char *text = "{\"status\":\"ok\",\"reloaded\":true}";
            s_sent (self, sein_wire_send (zsock_resolve (self->intake), &reload->envelope,
                                          SEIN_RELOAD, text, strlen (text)));
        } else {
            sein_error_t error;
            sein_error_set (&error, "refused", NULL,
                            "reload refused, the running configuration stays: %s",
                            strlen (status) > 6 ? status + 6 : status);
            s_reject (self, &reload->envelope, SEIN_RELOAD, NULL, &error);
        }
        free (reload);
    }
}

//  Answer one request or add it to BATCH. Returns -1 when nothing was
//  waiting.
static int
s_handle (s_server_t *self, sein_batch_t *batch)
{
    sein_request_t *request = &self->request;
    if (sein_wire_recv (zsock_resolve (self->intake), self->commands, self->ncommands,
                        self->limits.message_max, self->keyring, request))
        return -1;
    self->counters.received++;
    const char *command = request->command ? request->command->name : NULL;
    sein_error_t error;
    if (request->rejected)
        s_reject (self, &request->envelope, request->reply, NULL, &request->error);
    else if (streq (command, SEIN_PING) || streq (command, SEIN_METRICS))
        s_cmd_ping (self, request, streq (command, SEIN_METRICS));
    else if (streq (command, SEIN_RELOAD))
        s_cmd_reload (self, request);
    else if (sein_privacy_command (command) && !self->draining) {
        //  Through the batch as well: the access log row of a read is on
        //  disk before the details leave (sein_privacy.h).
        if (sein_privacy_allowed (&request->principal, command, self->reporter_roles,
                                  &error))
            s_reject (self, &request->envelope, command, NULL, &error);
        else {
            sein_pending_t *pending = &batch->items[batch->count++];
            pending->envelope = request->envelope;
            pending->kind = SEIN_PENDING_PRIVACY;
            pending->command = request->command->name;
            pending->principal = request->principal;
            pending->request = request->json;
            request->json = NULL;
        }
    } else if (sein_lifecycle_command (command) && !self->draining) {
        //  A change goes through the batch like a submission: its own seq,
        //  acked after its commit is on disk, then published.
        sein_pending_t *pending = &batch->items[batch->count++];
        pending->envelope = request->envelope;
        pending->kind = SEIN_PENDING_CHANGE;
        pending->command = request->command->name;
        pending->principal = request->principal;
        pending->request = request->json;
        request->json = NULL;
    } else if (!request->command->raw && !sein_lifecycle_command (command) &&
               !sein_privacy_command (command)) {
        if (self->queries >= S_QUERIES_MAX) {
            sein_error_set (&error, "busy", NULL,
                            "%d queries are in progress; try again later", S_QUERIES_MAX);
            s_reject (self, &request->envelope, command, NULL, &error);
        } else {
            sein_query_send (self->query, &request->envelope, &request->principal, command,
                             &request->body, self->durable_head, self->events_max);
            self->queries++;
        }
    } else if (self->draining) {
        sein_error_set (&error, "unavailable", NULL,
                        "seind is stopping: not stored, submit again later");
        s_reject (self, &request->envelope, command, NULL, &error);
    } else {
        sein_pending_t *pending = &batch->items[batch->count++];
        pending->envelope = request->envelope;
        pending->kind = streq (command, SEIN_CLASSIFY) ? SEIN_PENDING_CLASSIFY
                                                        : SEIN_PENDING_SUBMIT;
        //  The key's name is the submitter, whatever the body declares.
        pending->principal = request->principal;
        zmq_msg_move (&pending->body, &request->body); //  the batch's now
    }
    sein_request_clear (request);
    return 0;
}

//  A batch that is neither being prepared nor stored nor waiting for a
//  sync, or NULL when the sync has fallen that far behind. The fast lane
//  (FAST) has a slot of its own: the rest never hold more than
//  S_BATCHES - 1.
static sein_batch_t *
s_free_batch (s_server_t *self, bool fast)
{
    size_t used = 0;
    sein_batch_t *free_batch = NULL;
    for (size_t index = 0; index < S_BATCHES; index++)
        if (self->batches[index].count == 0)
            free_batch = free_batch ? free_batch : &self->batches[index];
        else if (&self->batches[index] != self->fast)
            used++;
    if (fast ? self->fast != NULL : used >= S_BATCHES - 1)
        return NULL;
    return free_batch;
}

//  Empty the share table, with room for a batch of distinct clients.
static void
s_shares_reset (s_server_t *self)
{
    if (self->nshares < 2 * self->batch_max) {
        while (self->nshares < 2 * self->batch_max)
            self->nshares = self->nshares ? 2 * self->nshares : 64;
        free (self->shares);
        free (self->taken);
        self->shares = (s_share_t *) sein_calloc (self->nshares, sizeof (s_share_t));
        self->taken = (size_t *) sein_malloc (self->nshares * sizeof (size_t));
        self->ntaken = 0;
    }
    //  Only the slots the last batch took: a batch of one signal should not
    //  clear a table sized for thousands of clients.
    for (size_t index = 0; index < self->ntaken; index++)
        self->shares[self->taken[index]].hash = 0;
    self->ntaken = 0;
}

//  Whether envelopes A and B came from the same client.
static bool
s_same_client (const sein_envelope_t *a, const sein_envelope_t *b)
{
    return a->routing_size == b->routing_size &&
           memcmp (a->routing, b->routing, a->routing_size) == 0;
}

//  The share table's slot of ENVELOPE's client: its own, or the free one
//  where it goes.
static s_share_t *
s_share_find (s_server_t *self, const sein_envelope_t *envelope)
{
    uint64_t hash = 14695981039346656037ULL; //  FNV-1a
    for (size_t index = 0; index < envelope->routing_size; index++)
        hash = (hash ^ envelope->routing[index]) * 1099511628211ULL;
    hash |= 1;
    size_t slot = (size_t) hash & (self->nshares - 1);
    for (;; slot = (slot + 1) & (self->nshares - 1)) {
        s_share_t *share = &self->shares[slot];
        if (share->hash == 0) {
            share->hash = hash;
            share->envelope = envelope;
            share->count = 0;
            share->slot = slot;
            return share;
        }
        if (share->hash == hash && s_same_client (share->envelope, envelope))
            return share;
    }
}

//  Count one more submission of ENVELOPE's client in the batch being
//  collected; returns how many it has there now.
static size_t
s_share_add (s_server_t *self, const sein_envelope_t *envelope)
{
    s_share_t *share = s_share_find (self, envelope);
    if (share->count == 0)
        self->taken[self->ntaken++] = share->slot;
    return ++share->count;
}

//  Whether a client with a request in FAST has one in BUSY too.
static bool
s_shares_client (const sein_batch_t *fast, const sein_batch_t *busy)
{
    for (size_t index = 0; index < fast->count; index++)
        for (size_t at = 0; at < busy->count; at++)
            if (s_same_client (&fast->items[index].envelope, &busy->items[at].envelope))
                return true;
    return false;
}

//  How many submissions of one client the batch being collected takes:
//  S_CLIENT_SHARE, halved while the fast lane is in use, and
//  S_ALONE_SHARE while one client has been the only one to submit for
//  S_ALONE_QUIET ms.
static size_t
s_share (s_server_t *self)
{
    int64_t now = zclock_mono ();
    if (self->fast_at && now - self->fast_at < S_FAST_RECENT)
        return S_CLIENT_SHARE / 2;
    if (!self->crowd_at || now - self->crowd_at >= S_ALONE_QUIET)
        return S_ALONE_SHARE;
    return S_CLIENT_SHARE;
}

//  A submission of ENVELOPE's client, its first in the batch being
//  collected: when another client submitted last, less than
//  S_ALONE_QUIET ms ago, there is a crowd. One that left does not count.
static void
s_note_client (s_server_t *self, const sein_envelope_t *envelope)
{
    int64_t now = zclock_mono ();
    if (!s_same_client (&self->sole, envelope)) {
        if (self->sole.routing_size && now - self->sole_at < S_ALONE_QUIET)
            self->crowd_at = now;
        memcpy (self->sole.routing, envelope->routing, envelope->routing_size);
        self->sole.routing_size = envelope->routing_size;
    }
    self->sole_at = now;
}

//  A flood filled BATCH: move the requests of the clients that have at
//  most S_LONE in it to the fast lane, a batch prepared here and now and
//  stored before BATCH, so that they do not wait for a flood's batch to be
//  prepared and stored ahead of them. A client's requests all go one way,
//  so each client's stay in the order it sent them; the fast lane goes
//  ahead of BUSY, the batch waiting to be stored (or NULL), too, unless
//  one of its clients has requests there (self->fast_first). Returns the
//  fast lane's batch, or NULL when nothing moved.
static sein_batch_t *
s_split_fast (s_server_t *self, sein_batch_t *batch, const sein_batch_t *busy)
{
    sein_batch_t *fast = s_free_batch (self, true);
    if (!fast)
        return NULL;
    //  Decided first: the table points at envelopes that moving shifts.
    bool *lone = (bool *) sein_malloc (batch->count * sizeof (bool));
    size_t moving = 0;
    for (size_t index = 0; index < batch->count; index++) {
        //  The housekeeping's items have no client: they stay.
        sein_pending_kind_t kind = batch->items[index].kind;
        lone[index] = (kind == SEIN_PENDING_SUBMIT || kind == SEIN_PENDING_CLASSIFY ||
                       kind == SEIN_PENDING_CHANGE || kind == SEIN_PENDING_PRIVACY) &&
                      s_share_find (self, &batch->items[index].envelope)->count <= S_LONE;
        moving += lone[index];
    }
    if (moving == 0 || moving == batch->count) {
        free (lone);
        return NULL;
    }
    sein_batch_reserve (fast, moving);
    //  Slots are swapped, not copied: each owns what its last request left
    //  (sein_batch.h), which goes with it.
    size_t kept = 0;
    for (size_t index = 0; index < batch->count; index++) {
        sein_pending_t slot = batch->items[index];
        sein_pending_t *to = lone[index] ? &fast->items[fast->count++] : &batch->items[kept++];
        batch->items[index] = *to;
        *to = slot;
    }
    batch->count = kept;
    free (lone);
    memcpy (fast->received_at, batch->received_at, sizeof fast->received_at);
    fast->setup = batch->setup;
    fast->limits = batch->limits;
    for (size_t index = 0; index < fast->count; index++)
        sein_prepare (fast, index, self->scratch);
    self->fast = fast;
    self->fast_at = zclock_mono ();
    self->fast_first = !busy || !s_shares_client (fast, busy);
    return fast;
}

//  Fill a free batch with what is waiting and send it to be prepared; BUSY
//  is the batch about to be stored, or NULL. Returns true when a batch
//  went out.
static bool
s_collect (s_server_t *self, sein_batch_t *busy)
{
    sein_batch_t *batch = s_free_batch (self, false);
    if (!batch)
        return false;
    bool flooded = false;
    //  And the overdue search, and the alerts found since the last batch.
    sein_batch_reserve (batch, self->batch_max + 2 + S_ALERTS_MAX);
    s_shares_reset (self);
    //  Everything already queued, up to a batch: these arrived together
    //  and will share one commit. But no client takes more than its share
    //  of it: a batch's size sets how long every request in it waits, and
    //  one client pipelining thousands would otherwise make every batch
    //  full, so that a request arriving from anyone else waits behind a
    //  full batch (ZeroMQ reads the clients' queues in turn, so each gets
    //  its turn first). What a client sends beyond its share waits, unread,
    //  for the next batch. A client alone gets a larger share
    //  (s_share), not a whole batch: every client that arrives would then
    //  find a full batch ahead of it (measured: a lone client's p99 rose
    //  62-fold against a flood).
    size_t share = s_share (self);
    for (size_t reads = 0; reads < self->batch_max; reads++) {
        size_t count = batch->count;
        if (s_handle (self, batch))
            break;
        if (batch->count == count)
            continue;
        size_t has = s_share_add (self, &batch->items[count].envelope);
        if (has == 1) {
            s_note_client (self, &batch->items[count].envelope);
            share = s_share (self);
        }
        if (has >= share) {
            flooded = true;
            break;
        }
    }
    if (self->sweep_due && !self->draining) {
        //  The housekeeping timer's search rides along with the requests:
        //  its overdue events get their seqs, fsync and publication there.
        batch->items[batch->count++].kind = SEIN_PENDING_SWEEP;
        self->sweep_due = false;
    }
    if (self->retention_due && !self->draining) {
        batch->items[batch->count++].kind = SEIN_PENDING_RETENTION;
        self->retention_due = false;
    }
    //  Alerts ride along the same way: stored, fsynced and published
    //  like the overdue events.
    for (int taken = 0; taken < S_ALERTS_MAX && !self->draining && zlist_size (self->alerts_due);
         taken++) {
        char *text = (char *) zlist_pop (self->alerts_due);
        sein_pending_t *pending = &batch->items[batch->count++];
        pending->kind = SEIN_PENDING_ALERT;
        pending->request = json_loads (text, 0, NULL);
        free (text);
        if (!pending->request)
            batch->count--; //  the actor writes it: cannot happen
    }
    if (batch->count == 0)
        return false;
    sein_time_now (batch->received_at, sizeof batch->received_at);
    batch->setup = self->setup;
    batch->limits = self->limits;
    sein_batch_t *fast = flooded ? s_split_fast (self, batch, busy) : NULL;
    if (fast && busy) {
        self->fast_due = true; //  stored by s_prepared, with BUSY
        fast = NULL;
    }
    if (!busy && batch->count <= S_PREPARE_HERE) {
        //  Nothing is being stored, so there is no commit to overlap: a
        //  few signals are prepared here rather than handed to the actor
        //  and back, two thread wake-ups that cost more than they save.
        for (size_t index = 0; index < batch->count; index++)
            sein_prepare (batch, index, self->scratch);
        if (fast)
            s_finish_batch (self, fast);
        s_finish_batch (self, batch);
        return true;
    }
    self->preparing = batch;
    zsock_send (self->prepare, "sp", "PREPARE", batch);
    //  Stored while the rest is being prepared.
    if (fast)
        s_finish_batch (self, fast);
    return true;
}

//  ---------------------------------------------------------------------
//  Configuration, startup and the pipe

//  The codes a watch filter may name, for the watch actor to check WATCH
//  requests against: {"area":[...],"theme":[...],"team":[...]}. Fresh.
static char *
s_filter_codes (s_server_t *self)
{
    json_t *codes = json_object ();
    for (int areas = 0; areas < 2; areas++) {
        zlistx_t *list = sein_classifier_codes (self->setup->classifier, areas);
        json_t *array = json_array ();
        for (char *code = (char *) zlistx_first (list); code;
             code = (char *) zlistx_next (list))
            json_array_append_new (array, json_string (code));
        zlistx_destroy (&list);
        json_object_set_new (codes, areas ? "area" : "theme", array);
    }
    json_t *teams = sein_router_teams (self->setup->router), *names = json_array ();
    size_t index;
    json_t *team;
    json_array_foreach (teams, index, team)
        json_array_append (names, json_object_get (team, "name"));
    json_decref (teams);
    json_object_set_new (codes, "team", names);
    char *text = json_dumps (codes, JSON_COMPACT);
    json_decref (codes);
    return text;
}

//  The reply queue per intake client: one batch can answer up to
//  batch_max requests of one client at once, and a client may have
//  intake_hwm more queued. Twice that, because libzmq's sender learns what
//  the client has read only every half queue: with the queue at exactly
//  that sum, a client pipelining client.window = 4096 lost replies in 3 of
//  5 runs (measured), although every signal was stored.
static int
s_reply_hwm (s_server_t *self)
{
    return 2 * ((int) sein_config_int (self->setup->config, "limits.intake_hwm") +
                2 * (int) self->batch_max);
}

//  With security on, (re)load the keyring and have the ZAP handler do the
//  same: a deleted certificate is revoked for requests on open connections
//  here, and for new connections there. A directory that cannot be read
//  keeps the keys loaded before.
static void
s_load_keys (s_server_t *self)
{
    char *error = NULL;
    sein_keyring_t *keyring =
        sein_keyring_new (sein_config_str (self->setup->config, "security.keys"), &error);
    if (keyring) {
        sein_keyring_destroy (&self->keyring);
        self->keyring = keyring;
        zsys_info ("security: %zu keys", sein_keyring_size (keyring));
    } else
        zsys_error ("%s; the keys loaded before stay", error);
    zstr_free (&error);
    if (self->zap) {
        zstr_send (self->zap, "KEYS");
        char *status = zstr_recv (self->zap);
        zstr_free (&status);
    }
}

//  Take the settings of the current setup, and apply what derives from
//  them to the sockets and actors (also on reload).
static void
s_apply_settings (s_server_t *self)
{
    sein_config_t *config = self->setup->config;
    self->limits.description_max =
        (size_t) sein_config_int (config, "limits.description_max");
    self->limits.message_max = (size_t) sein_config_int (config, "limits.message_max");
    self->batch_max = (size_t) sein_config_int (config, "limits.batch_max");
    self->events_max = sein_config_int (config, "limits.events_max");
    self->link.radius = (double) sein_config_int (config, "lifecycle.link_radius");
    self->link_window = sein_config_int (config, "lifecycle.link_window") * 3600000;
    self->overdue_check = sein_config_int (config, "lifecycle.overdue_check");
    int64_t day = sein_config_int (config, "retention.day");
    self->anonymise_ms = sein_config_int (config, "retention.anonymise_days") * day;
    self->delete_ms = sein_config_int (config, "retention.delete_days") * day;
    self->retention_check = sein_config_int (config, "retention.check");
    self->next_retention = zclock_mono (); //  a changed setting applies at once
    free (self->reporter_roles);
    self->reporter_roles = sein_strdup (sein_config_str (config, "security.reporter_roles"));
    sein_log_set_level (sein_config_str (config, "daemon.log_level"));
    if (self->cert)
        s_load_keys (self);
    //  limits.message_max and limits.batch_max also size the intake socket
    //  (ZMQ_MAXMSGSIZE, the reply queue), which libzmq fixes for every
    //  connection when it binds: both are restart-only (sein_settings.c).
    if (self->watch) {
        char *codes = s_filter_codes (self);
        zsock_send (self->watch, "s88888s", "SETTINGS",
                    (uint64_t) sein_config_int (config, "watch.credit_max"),
                    (uint64_t) sein_config_int (config, "watch.heartbeat"),
                    (uint64_t) sein_config_int (config, "watch.timeout"),
                    (uint64_t) sein_config_int (config, "watch.sessions_max"),
                    (uint64_t) self->limits.message_max, codes);
        free (codes);
    }
    if (self->alerts)
        zsock_send (self->alerts, "siiiii", "SETTINGS",
                    (int) sein_config_int (config, "alerts.check"),
                    (int) sein_config_int (config, "alerts.weeks"),
                    (int) sein_config_int (config, "alerts.factor"),
                    (int) sein_config_int (config, "alerts.minimum"),
                    (int) sein_config_int (config, "alerts.window"));
    if (self->query) {
        json_t *teams = sein_router_teams (self->setup->router);
        char *text = json_dumps (teams, JSON_COMPACT);
        json_decref (teams);
        zsock_send (self->query, "ss", "TEAMS", text);
        free (text);
    }
}

//  Destroy the retired setup once no batch uses it, and swap in a
//  reloaded one, the current one retiring, when there is none.
static void
s_swap_setup (s_server_t *self)
{
    bool used = false;
    for (size_t index = 0; self->retired && index < S_BATCHES; index++)
        used |= self->batches[index].count && self->batches[index].setup == self->retired;
    if (!used)
        sein_setup_destroy (&self->retired);
    if (self->next_setup && !self->retired) {
        self->retired = self->setup;
        self->setup = self->next_setup;
        self->next_setup = NULL;
        s_apply_settings (self); //  seind.c logs the reload
    }
}

//  A PUB bound to ENDPOINT; with CERT, a CURVE server in the broadcast's
//  ZAP domain, which admits only keys with the broadcast right.
static zsock_t *
s_bind_pub (s_server_t *self, const char *endpoint, int hwm, zcert_t *cert)
{
    zsock_t *socket = zsock_new (ZMQ_PUB);
    //  The broadcast fans out like the watch sessions do.
    sein_wire_pin (socket, SEIN_IO_WATCH);
    zsock_set_sndhwm (socket, hwm);
    //  What a PUB reads are subscriptions, each kept for as long as its SUB
    //  stays: one far longer than any topic drops the connection before
    //  libzmq allocates it (issue 14). The bound applies to CURVE's
    //  handshake (INITIATE: some 300 bytes) and box too, hence twice.
    zsock_set_maxmsgsize (socket, 2 * SEIN_SUBSCRIPTION_MAX);
    if (cert)
        sein_auth_apply (cert, socket, SEIN_AUTH_DOMAIN_PUBLISH);
    if (zsock_bind (socket, "%s", endpoint) < 0) {
        self->error =
            sein_sprintf ("cannot bind %s: %s", endpoint, zmq_strerror (zmq_errno ()));
        zsock_destroy (&socket);
    }
    return socket;
}

//  Start ACTOR with ARGS, which answers "OK" or "ERROR message" first.
static zactor_t *
s_start_actor (s_server_t *self, zactor_fn *actor, void *args, const char *what)
{
    zactor_t *started = zactor_new (actor, args);
    char *status = zstr_recv (started);
    if (!status || !streq (status, "OK"))
        self->error = sein_sprintf ("%s: %s", what,
                                    status && strlen (status) > 6 ? status + 6
                                                                  : "did not start");
    zstr_free (&status);
    return started;
}

static void
s_start (s_server_t *self)
{
    sein_config_t *config = self->setup->config;
    self->path = sein_sprintf ("%s/%s", sein_config_str (config, "storage.dir"),
                               sein_config_str (config, "storage.file"));
    self->metrics = sein_counters_new (self->path);
    //  Locked and checked by seind (sein_store_open), which also made what
    //  the log held durable, in case a previous run was killed between a
    //  COMMIT and its sync.
    self->store = self->args->store;
    const char *synchronous = sein_config_str (config, "storage.synchronous");
    if (sein_store_defer_sync (self->store))
        self->durable = sein_durable_new (self->path);
    //  With synchronous=normal a commit is not on disk until a checkpoint
    //  syncs it, so the marker keeps the head of the start or clean stop:
    //  it may lag the disk, never lead it.
    self->marks = streq (synchronous, "extra");
    self->marked = sein_store_head (self->store);
    bool secure = sein_config_bool (config, "security.enabled");
    if (!self->error && secure) {
        //  The ZAP handler must answer before the first CURVE socket binds.
        const char *keys = sein_config_str (config, "security.keys");
        self->cert = sein_auth_server_cert (keys, sein_config_str (config, "security.server_key"),
                                            &self->error);
        if (!self->error)
            self->zap = s_start_actor (self, sein_auth_zap_actor, (void *) keys, "security");
        //  The keyring is loaded by s_apply_settings, once the sockets exist.
    }
    if (!self->error)
        self->intake = sein_wire_bind (
            sein_config_str (config, "endpoints.intake"), self->limits.message_max,
            s_reply_hwm (self), (int) sein_config_int (config, "limits.intake_hwm"),
            //  Acks still queued when seind stops get two seconds to get out.
            2000, SEIN_IO_INTAKE, self->cert, SEIN_AUTH_DOMAIN_INTAKE, &self->error);
    //  With security, the broadcast is for trusted systems, or not there.
    if (!self->error &&
        (!secure || streq (sein_config_str (config, "security.broadcast"), "trusted")))
        self->publish = s_bind_pub (self, sein_config_str (config, "endpoints.publish"),
                                    (int) sein_config_int (config, "limits.publish_hwm"),
                                    self->cert);
    //  Out of descriptors, new connections are refused, not spun on.
    if (!self->error)
        self->guards[0] =
            sein_accept_new (self->intake, sein_config_str (config, "endpoints.intake"));
    if (!self->error && self->publish)
        self->guards[1] =
            sein_accept_new (self->publish, sein_config_str (config, "endpoints.publish"));
    char *feed = sein_sprintf ("inproc://sein-feed-%p", (void *) self);
    if (!self->error)
        self->feed = s_bind_pub (self, feed, (int) sein_config_int (config, "limits.publish_hwm"),
                                 NULL);
    if (!self->error) {
        sein_watch_args_t args = {config, feed, self->path};
        self->watch = s_start_actor (self, sein_watch_actor, &args, "watch");
    }
    if (!self->error)
        self->query = s_start_actor (self, sein_query_actor, self->path, "queries");
    if (!self->error) {
        self->alerts = s_start_actor (self, sein_alerts_actor, self->path, "alerts");
        self->alerts_due = zlist_new ();
        zlist_autofree (self->alerts_due);
    }
    if (!self->error) {
        //  Each thread that prepares has its own scratch; the actor takes one.
        self->scratch = sein_prepare_scratch_new ();
        sein_prepare_scratch_t *scratch = sein_prepare_scratch_new ();
        if (!self->scratch || !scratch) {
            sein_prepare_scratch_destroy (&scratch);
            self->error = sein_strdup ("libstemmer lacks dutch, french or english");
        } else
            self->prepare = zactor_new (sein_prepare_actor, scratch);
        self->checkpoint =
            sein_checkpoint_new (self->path, sein_config_str (config, "storage.synchronous"));
        self->durable_head = sein_store_head (self->store);
    }
    zstr_free (&feed);
}

static void
s_pipe_ready (s_server_t *self)
{
    char *command = NULL, *why = NULL;
    void *pointer = NULL;
    uint64_t covered = 0;
    if (zsock_recv (self->pipe, "sps8", &command, &pointer, &why, &covered) || !command ||
        streq (command, "$TERM")) {
        self->terminating = true; //  the batch in flight is finished first
        self->term_received = true;
    }
    else if (streq (command, "RELOAD")) {
        //  The new setup, or why seind could not load one (WHY); COVERED:
        //  the last RELOAD request this load began after.
        sein_setup_t *setup = (sein_setup_t *) pointer;
        char *fixed = setup ? sein_config_unreloadable (self->setup->config, setup->config)
                            : NULL;
        char *status;
        if (!setup)
            status = sein_sprintf ("ERROR %s", why && *why ? why : "no setup");
        else if (fixed) {
            status = sein_sprintf ("ERROR %s cannot change without a restart", fixed);
            sein_setup_destroy (&setup);
        } else {
            sein_setup_destroy (&self->next_setup);
            self->next_setup = setup;
            s_swap_setup (self);
            status = sein_strdup ("OK");
        }
        s_reloaded (self, status, covered);
        zstr_send (self->pipe, status);
        zstr_free (&status);
        zstr_free (&fixed);
    } else
        zsys_warning ("server: unknown pipe command '%s'", command);
    zstr_free (&command);
    zstr_free (&why);
}

//  Tell systemd the live counters (STATUS=) and, when it watches, that
//  this loop still turns (WATCHDOG=1). Without NOTIFY_SOCKET sd_notify
//  does nothing.
static void
s_beat (s_server_t *self)
{
    sd_notifyf (0,
                "%sSTATUS=serving: head %lld, accepted %llu, duplicates %llu, rejected %llu, "
                "batches %llu, watch sessions %lld, storage errors %llu",
                self->watchdog ? "WATCHDOG=1\n" : "", (long long) self->durable_head,
                (unsigned long long) self->counters.accepted,
                (unsigned long long) self->counters.duplicates,
                (unsigned long long) self->counters.rejected,
                (unsigned long long) self->counters.batches,
                (long long) self->counters.watch[0],
                (unsigned long long) self->counters.storage_errors);
    self->next_beat = zclock_mono () + self->beat_every;
}

//  A batch is back from the prepare actor: send the next one off first,
//  then store and answer this one.
static void
s_prepared (s_server_t *self)
{
    char *command = NULL;
    void *pointer = NULL;
    zsock_recv (self->prepare, "sp", &command, &pointer);
    zstr_free (&command);
    sein_batch_t *batch = (sein_batch_t *) pointer;
    assert (batch == self->preparing);
    self->preparing = NULL;
    if (!self->terminating)
        s_collect (self, batch);
    if (self->fast_due && self->fast_first) {
        self->fast_due = false;
        s_finish_batch (self, self->fast);
    }
    s_finish_batch (self, batch);
    if (self->fast_due) {
        self->fast_due = false;
        s_finish_batch (self, self->fast);
    }
}

static void
s_run (s_server_t *self)
{
    self->poller = zpoller_new (self->pipe, self->prepare, self->query, self->alerts,
                                sein_checkpoint_actor (self->checkpoint), self->intake, NULL);
    if (self->durable)
        sein_durable_poll (self->durable, self->poller);
    zpoller_add (self->poller, self->watch);
    bool polling_intake = true;
    self->next_sweep = zclock_mono () + self->overdue_check;
    uint64_t watchdog_us = 0;
    self->watchdog = sd_watchdog_enabled (0, &watchdog_us) > 0;
    self->beat_every = S_STATUS_EVERY;
    if (self->watchdog && (int64_t) (watchdog_us / 2000) < self->beat_every)
        self->beat_every = watchdog_us / 2000 ? (int64_t) (watchdog_us / 2000) : 1;
    s_beat (self);
    while (!self->terminating || self->preparing || self->nstored || self->queries) {
        int64_t wait = self->next_sweep - zclock_mono ();
        if (self->retention_check && (self->anonymise_ms || self->delete_ms) &&
            self->next_retention - zclock_mono () < wait)
            wait = self->next_retention - zclock_mono ();
        if (self->next_beat - zclock_mono () < wait)
            wait = self->next_beat - zclock_mono ();
        void *which = zpoller_wait (self->poller, wait < 0 ? 0 : (int) wait);
        if (!self->terminating && zclock_mono () >= self->next_sweep) {
            //  Housekeeping: look for signals past their deadline. The
            //  index holds only open ones not yet reported, so this reads
            //  just what is due.
            self->sweep_due = true;
            self->next_sweep = zclock_mono () + self->overdue_check;
        }
        if (!self->terminating && self->retention_check &&
            (self->anonymise_ms || self->delete_ms) && zclock_mono () >= self->next_retention) {
            self->retention_due = true;
            self->next_retention = zclock_mono () + self->retention_check;
        }
        //  Also while stopping: the drain may outlast a watchdog interval.
        if (zclock_mono () >= self->next_beat)
            s_beat (self);
        if (which == self->pipe)
            s_pipe_ready (self);
        else if (which == self->prepare)
            s_prepared (self);
        else if (which == self->query) {
            s_sent (self, sein_query_recv (self->query, zsock_resolve (self->intake)));
            self->queries--;
        } else if (which == self->alerts) {
            char *command = NULL, *alert = NULL;
            if (zsock_recv (self->alerts, "ss", &command, &alert) == 0 && command &&
                streq (command, "ALERT") && alert) {
                zlist_append (self->alerts_due, alert);
                self->sweep_due = true; //  a batch soon, even when intake is quiet
            }
            zstr_free (&command);
            zstr_free (&alert);
        } else if (which == self->watch)
            sein_watch_counters (self->watch, self->counters.watch);
        else if (which == self->intake && !self->preparing)
            s_collect (self, NULL);
        s_aside (self); //  the sync and checkpoint actors, whichever woke us
        if ((self->sweep_due || self->retention_due) && !self->preparing &&
            !self->terminating)
            s_collect (self, NULL);
        s_swap_setup (self);
        //  Read intake only while the prepare actor is idle: requests that
        //  arrive meanwhile queue up and form the next, larger batch.
        bool wanted = !self->preparing && !self->terminating && s_free_batch (self, false);
        if (wanted && !polling_intake)
            zpoller_add (self->poller, self->intake);
        else if (!wanted && polling_intake)
            zpoller_remove (self->poller, self->intake);
        polling_intake = wanted;
    }
    zpoller_destroy (&self->poller);
}

//  Stopping, with everything taken in stored and answered. Requests that
//  still arrive are answered too, submissions with `unavailable`, until
//  intake has been quiet for S_DRAIN_QUIET ms (S_DRAIN_MAX at most): a
//  pipelining client learns to stop, and the connection is not closed
//  with its requests unread, which makes the kernel reset it and throw
//  away the acks still on their way. Queries are still answered.
static void
s_drain (s_server_t *self)
{
    self->draining = true;
    sein_batch_t *batch = &self->batches[0];
    sein_batch_reserve (batch, self->batch_max); //  the envelope of each request goes there
    zpoller_t *poller = zpoller_new (self->intake, self->query, NULL);
    int64_t deadline = zclock_mono () + S_DRAIN_MAX;
    void *which;
    while (zclock_mono () < deadline &&
           ((which = zpoller_wait (poller, S_DRAIN_QUIET)) || self->queries)) {
        if (which == self->query) {
            s_sent (self, sein_query_recv (self->query, zsock_resolve (self->intake)));
            self->queries--;
        } else
            while (zclock_mono () < deadline && s_handle (self, batch) == 0)
                ;
    }
    zpoller_destroy (&poller);
}

static void
s_intake_commands (s_server_t *self)
{
    const sein_wire_command_t own[] = {
        {SEIN_SUBMIT, NULL, true},
        {SEIN_CLASSIFY, NULL, true},
        {SEIN_PING, s_no_fields, false},
        {SEIN_METRICS, s_no_fields, false},
        {SEIN_RELOAD, s_no_fields, false}};
    size_t count = sizeof own / sizeof own[0];
    memcpy (self->commands, own, sizeof own);
    memcpy (self->commands + count, sein_query_commands,
            sein_query_ncommands * sizeof sein_query_commands[0]);
    count += sein_query_ncommands;
    memcpy (self->commands + count, sein_lifecycle_commands,
            sein_lifecycle_ncommands * sizeof sein_lifecycle_commands[0]);
    count += sein_lifecycle_ncommands;
    memcpy (self->commands + count, sein_privacy_commands,
            sein_privacy_ncommands * sizeof sein_privacy_commands[0]);
    self->ncommands = count + sein_privacy_ncommands;
    assert (self->ncommands <= sizeof self->commands / sizeof self->commands[0]);
}

void
sein_server_actor (zsock_t *pipe, void *args)
{
    s_server_t *self = (s_server_t *) sein_calloc (1, sizeof *self);
    self->pipe = pipe;
    self->args = (sein_server_args_t *) args;
    self->args->status = 0;
    self->setup = self->args->setup;
    self->started = time (NULL);
    sein_ids_init (&self->ids);
    sein_request_init (&self->request);
    self->reloads = zlist_new ();
    s_intake_commands (self);
    s_apply_settings (self);
    zsock_signal (pipe, 0);
    s_start (self);
    if (self->error)
        zstr_sendf (pipe, "ERROR %s", self->error);
    else {
        s_apply_settings (self); //  now that the sockets and actors exist
        zstr_send (pipe, "OK");
        zsys_notice ("seind %s: intake %s, publish %s, watch %s, store head %lld",
                     SEIN_VERSION, sein_config_str (self->setup->config, "endpoints.intake"),
                     sein_config_str (self->setup->config, "endpoints.publish"),
                     sein_config_str (self->setup->config, "endpoints.watch"),
                     (long long) sein_store_head (self->store));
        s_run (self);
        s_drain (self);
        s_check_failed (self);
        if (self->fault) {
            //  Also when a $TERM came first: a supervisor must see it.
            self->args->status = SEIN_EXIT_IOERR;
            zstr_sendf (pipe, "FATAL %s", self->fault);
        }
    }
    //  On a startup error or a failed disk, stay until $TERM so the
    //  caller's zactor_destroy does not wait forever; once it came, it
    //  will not come again. A RELOAD that crossed the FATAL (seind read
    //  FATAL as its answer) still hands its setup over: destroyed here,
    //  and answered for a caller that waits.
    while ((self->error || self->fault) && !self->term_received) {
        char *command = NULL, *why = NULL;
        void *pointer = NULL;
        uint64_t covered = 0;
        bool term = zsock_recv (pipe, "sps8", &command, &pointer, &why, &covered) ||
                    !command || streq (command, "$TERM");
        zstr_free (&why);
        if (!term && streq (command, "RELOAD")) {
            sein_setup_t *setup = (sein_setup_t *) pointer;
            sein_setup_destroy (&setup);
            zstr_sendf (pipe, "FATAL %s", self->fault ? self->fault : self->error);
            zsys_notice ("reload ignored: seind is stopping");
        }
        zstr_free (&command);
        if (term)
            break;
    }
    zactor_destroy (&self->prepare);
    sein_prepare_scratch_destroy (&self->scratch);
    zactor_destroy (&self->query);
    zactor_destroy (&self->alerts);
    zlist_destroy (&self->alerts_due);
    sein_durable_destroy (&self->durable);
    sein_counters_destroy (&self->metrics);
    sein_checkpoint_destroy (&self->checkpoint);
    zactor_destroy (&self->watch);
    zsock_destroy (&self->intake);
    zsock_destroy (&self->publish);
    zsock_destroy (&self->feed);
    sein_accept_destroy (&self->guards[0]);
    sein_accept_destroy (&self->guards[1]);
    //  After every CURVE socket: they ask it until they close.
    zactor_destroy (&self->zap);
    zcert_destroy (&self->cert);
    sein_keyring_destroy (&self->keyring);
    //  The store is seind's, destroyed after every other connection.
    sein_setup_destroy (&self->setup);
    sein_setup_destroy (&self->next_setup);
    sein_setup_destroy (&self->retired);
    for (int index = 0; index < S_BATCHES; index++)
        sein_batch_free (&self->batches[index]);
    sein_request_clear (&self->request);
    free (self->shares);
    free (self->links);
    free (self->taken);
    sein_buf_free (&self->buf);
    sein_buf_free (&self->render);
    s_reload_t *reload;
    while ((reload = (s_reload_t *) zlist_pop (self->reloads)))
        free (reload);
    zlist_destroy (&self->reloads);
    zstr_free (&self->path);
    zstr_free (&self->error);
    zstr_free (&self->reporter_roles);
    zstr_free (&self->fault);
    free (self);
}
