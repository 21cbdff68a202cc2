/*  sein_server.c - intake: collect, store, ack, publish

    The server reads every request already waiting on the intake socket
    (up to limits.batch_max) into a batch, answers at once the ones that
    need no storage, and hands the submissions to the prepare actor
    (validate, classify, route, render; sein_prepare.c). When the batch
    comes back, the server first sends the next one off, so preparing it
    overlaps what follows here: storing the whole batch in one transaction
    (group commit), and only after that commit is on disk, acking each
    submitter and publishing the events on the broadcast PUB and on the
    internal feed to the watch actor. An ack therefore always means "on
    disk", and nothing is published that could still be rolled back.

    With storage.synchronous=full the fsync is not part of the COMMIT: the
    sync actor issues it (sein_store_sync), and the server goes on storing
    the next batch meanwhile. One fsync covers every batch committed before
    it began, and a batch is answered once one that began after its commit
    returned. When nothing else is in the pipeline, the server syncs itself
    rather than wake a thread for it.

    Requests on the intake socket (ROUTER) look like
        [routing id] [empty, from REQ clients] "SEIN/1" command corr body
    and every reply repeats the envelope, the command and the correlation
    id, so DEALER clients can pipeline and REQ clients need nothing special.
*/
#include "sein_server.h"

#include "sein.h"
#include "sein_log.h"
#include "sein_prepare.h"
#include "sein_store.h"
#include "sein_version.h"
#include "sein_watch.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>

#define S_CORR_MAX 255
#define S_FRAME_MAX (16 * 1024 * 1024 + 4096) //  limits.message_max's bound, and frames
#define S_PREPARE_HERE 8     //  batches this small skip an idle prepare actor
#define S_DRAIN_QUIET 1000   //  ms of silence on intake that ends a stop
#define S_DRAIN_MAX 5000     //  ms a stop waits for that at most
#define S_BATCHES 4          //  prepared, stored, and two waiting for their sync
#define S_SYNC_CHECK 128     //  signals stored between looks at the sync actor

//  Write-ahead log sizes, in pages: hand a checkpoint to the checkpoint
//  actor from the first (SQLite's own default), and when the log grows to
//  the second anyway, block the writer once to start the log over. Under
//  sustained full load the log never starts over by itself: the writer
//  appends while it is copied, so it is never all copied when a batch
//  begins. At 160 MB (8 KiB pages) the stall is a fraction of a second
//  every few seconds; at 800 MB, measured, it was 2.7 s, and lookups in
//  the long log had slowed every batch before it.
#define S_CHECKPOINT_PAGES 1000
#define S_CHECKPOINT_FORCE 20000

//  The database and its write-ahead log's descriptor (sein_store_sync).
//  Used by the server and the sync actor in turn, never at once: the
//  server syncs itself only while no SYNC is out.
typedef struct {
    char *path;
    int fd;
} s_log_t;

typedef struct {
    zsock_t *pipe;
    zpoller_t *poller;
    zsock_t *intake;
    zsock_t *publish;
    zsock_t *feed;
    zactor_t *watch;
    zactor_t *prepare;
    zactor_t *checkpoint;
    bool checkpointing; //  the checkpoint actor is at work
    int lock;           //  flock on storage.dir/seind.lock, or -1
    sein_setup_t *setup;
    sein_setup_t *next_setup; //  a reload waiting for the last one to retire
    sein_setup_t *retired;    //  replaced, but batches in flight still use it
    sein_store_t *store;
    sein_signal_limits_t limits;
    size_t batch_max;
    sein_batch_t batches[S_BATCHES]; //  empty (count 0) when free
    sein_batch_t *preparing; //  the batch out at the prepare actor, or NULL
    sein_prepare_scratch_t *scratch; //  for batches prepared on this thread
    //  Deferred durability (NULL sync: every COMMIT syncs by itself)
    zactor_t *sync;
    s_log_t log;
    sein_batch_t *stored[S_BATCHES]; //  to answer after a sync, oldest first
    size_t nstored;
    uint64_t commits;  //  deferred commits made
    uint64_t synced;   //  of those, how many are on disk
    uint64_t syncing;  //  what the sync in flight covers, 0 when none is
    int sync_failed;   //  the errno of a failed sync: stopping (s_synced)
    int64_t durable;   //  the highest seq on disk
    sein_buf_t buf;
    uint64_t random[2];
    time_t started;
    bool terminating;
    bool draining; //  stopping: submissions get `unavailable` (s_drain)
    struct {
        uint64_t accepted, duplicates, rejected, batches, largest, storage_errors,
            replies_dropped;
    } counters;
    time_t dropped_warned; //  when a full reply queue was last logged
    char *error; //  startup failure, reported to the caller
} s_server_t;

//  ---------------------------------------------------------------------
//  Ids and times

static void
s_now_rfc3339 (char *buffer, size_t size)
{
    struct timespec now;
    clock_gettime (CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r (&now.tv_sec, &tm);
    size_t len = strftime (buffer, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf (buffer + len, size - len, ".%03ldZ", now.tv_nsec / 1000000);
}

//  xorshift128+: ids need to be unique, not secret; seeded from getrandom.
static uint64_t
s_random (s_server_t *self)
{
    uint64_t x = self->random[0];
    const uint64_t y = self->random[1];
    self->random[0] = y;
    x ^= x << 23;
    self->random[1] = x ^ y ^ (x >> 17) ^ (y >> 26);
    return self->random[1] + y;
}

static void
s_hex (char *out, uint64_t value, int digits)
{
    static const char hex[] = "0123456789abcdef";
    for (int index = digits - 1; index >= 0; index--, value >>= 4)
        out[index] = hex[value & 15];
}

//  A UUIDv7 (RFC 9562): millisecond time first, so ids sort by arrival
//  and the id index grows at its end instead of being written randomly.
static void
s_new_id (s_server_t *self, char id[40])
{
    struct timespec now;
    clock_gettime (CLOCK_REALTIME, &now);
    uint64_t ms = (uint64_t) now.tv_sec * 1000 + (uint64_t) now.tv_nsec / 1000000;
    uint64_t a = s_random (self), b = s_random (self);
    //  xxxxxxxx-xxxx-7xxx-[89ab]xxx-xxxxxxxxxxxx
    s_hex (id, ms >> 16, 8);
    id[8] = '-';
    s_hex (id + 9, ms & 0xffff, 4);
    id[13] = '-';
    s_hex (id + 14, 0x7000 | (a & 0xfff), 4);
    id[18] = '-';
    s_hex (id + 19, 0x8000 | ((a >> 12) & 0x3fff), 4);
    id[23] = '-';
    s_hex (id + 24, b, 12);
    id[36] = 0;
}

//  ---------------------------------------------------------------------
//  Replies

//  Send one reply of SIZE bytes to ENVELOPE. Raw zmq_send rather than a
//  zmsg: no frame objects to allocate for the commonest message there is.
//  A vanished client is not an error.
static void
s_send_reply (s_server_t *self, const sein_envelope_t *envelope, const char *command,
              const char *text, size_t size)
{
    void *handle = zsock_resolve (self->intake);
    if (zmq_send (handle, envelope->routing, envelope->routing_size,
                  ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
        //  Gone, or so far behind on its replies that its queue is full
        //  (more than limits.intake_hwm + 2 x batch_max unread): waiting
        //  would stall everyone else. The request itself was handled; a
        //  client that times out resubmits, and external_id makes that safe.
        self->counters.replies_dropped++;
        if (zmq_errno () == EAGAIN && time (NULL) - self->dropped_warned > 10) {
            zsys_warning ("a client is not reading its replies: %llu replies dropped",
                          (unsigned long long) self->counters.replies_dropped);
            self->dropped_warned = time (NULL);
        }
        return;
    }
    //  Once the routing part is taken, the rest of the message is too.
    if (envelope->delimiter)
        zmq_send (handle, "", 0, ZMQ_SNDMORE);
    zmq_send (handle, SEIN_PROTOCOL, strlen (SEIN_PROTOCOL), ZMQ_SNDMORE);
    zmq_send (handle, command, strlen (command), ZMQ_SNDMORE);
    zmq_send (handle, envelope->corr, envelope->corr_size, ZMQ_SNDMORE);
    zmq_send (handle, text, size, 0);
}

//  Send REPLY (stolen), rendered by jansson: for the rare replies.
static void
s_reply_json (s_server_t *self, const sein_envelope_t *envelope, const char *command,
              json_t *reply)
{
    char *text = reply ? json_dumps (reply, JSON_COMPACT) : NULL;
    json_decref (reply);
    if (!text)
        text = strdup ("{\"status\":\"error\"}");
    s_send_reply (self, envelope, command, text, strlen (text));
    free (text);
}

//  {"status":"rejected","external_id":...,"error":{"code","field","message"}}
static void
s_reject (s_server_t *self, const sein_envelope_t *envelope, const char *command,
          const char *external_id, const sein_error_t *error)
{
    self->counters.rejected++;
    sein_debug ("rejected %s: %s (%s)", command, error->code, error->message);
    sein_buf_t *buf = &self->buf;
    sein_buf_reset (buf);
    sein_buf_raw (buf, "{", 1);
    sein_buf_field_string (buf, "status", "rejected");
    sein_buf_field_string (buf, "external_id", external_id);
    sein_buf_key (buf, "error");
    sein_buf_raw (buf, "{", 1);
    sein_buf_field_string (buf, "code", error->code);
    sein_buf_key (buf, "field");
    sein_buf_string (buf, error->field);
    sein_buf_field_string (buf, "message", error->message);
    sein_buf_raw (buf, "}}", 2);
    s_send_reply (self, envelope, command, buf->data, buf->size);
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
    if (!pending->dry_run)
        sein_buf_field_bool (buf, "duplicate", duplicate);
    sein_buf_raw (buf, ",", 1);
    sein_buf_raw (buf, event + 1, size - 1 - suffix);
    sein_buf_raw (buf, "}", 1);
    s_send_reply (self, &pending->envelope, pending->dry_run ? SEIN_CLASSIFY : SEIN_SUBMIT,
                  buf->data, buf->size);
}

//  ---------------------------------------------------------------------
//  Group commit

//  {"seq":N,"id":"...", + the tail after its brace
static void
s_complete_event (s_server_t *self, sein_pending_t *pending)
{
    s_new_id (self, pending->id);
    pending->seq = sein_store_next_seq (self->store);
    sein_buf_t *buf = &self->buf;
    sein_buf_reset (buf);
    sein_buf_raw (buf, "{", 1);
    sein_buf_field_int (buf, "seq", pending->seq);
    sein_buf_field_string (buf, "id", pending->id);
    sein_buf_raw (buf, ",", 1);
    sein_buf_raw (buf, pending->tail + 1, pending->tail_size - 1);
    pending->event_size = buf->size;
    pending->event = (char *) malloc (buf->size + 1);
    assert (pending->event);
    memcpy (pending->event, buf->data, buf->size + 1);
    pending->record.id = pending->id;
    pending->record.event.body = pending->event;
    pending->record.event.body_size = pending->event_size;
}

static void
s_sync_check (s_server_t *self);

//  Store, in one transaction, every new signal of BATCH. Returns 0 when
//  the batch was committed.
static int
s_store_batch (s_server_t *self, sein_batch_t *batch)
{
    if (sein_store_begin (self->store))
        return -1;
    int rc = 0;
    for (size_t index = 0; rc == 0 && index < batch->count; index++) {
        if (index % S_SYNC_CHECK == 0)
            s_sync_check (self);
        sein_pending_t *pending = &batch->items[index];
        if (pending->rejected || pending->dry_run)
            continue;
        s_complete_event (self, pending);
        rc = sein_store_add_signal (self->store, &pending->record);
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

static void
s_publish (s_server_t *self, sein_pending_t *pending)
{
    const sein_event_t *event = &pending->record.event;
    //  Broadcast topic signal/<wijk>/<theme>/<area>/: a SUB prefix picks a
    //  wijk with its zones, or a wijk and a theme.
    char topic[4 * SEIN_CODE_MAX + 16];
    int len = snprintf (topic, sizeof topic, "%s/%s/%s/%s/", event->kind, event->wijk,
                        event->theme, event->area);
    //  The event text goes to ZeroMQ as it is (publishing is its last use)
    //  and both sockets send copies of that one message: no memcpy.
    zmq_msg_t body, copy;
    zmq_msg_init_data (&body, pending->event, pending->event_size, s_free_event, NULL);
    pending->event = NULL;
    zmq_msg_init (&copy);
    zmq_msg_copy (&copy, &body);
    void *publish = zsock_resolve (self->publish);
    if (zmq_send (publish, topic, (size_t) len, ZMQ_SNDMORE) < 0 ||
        zmq_msg_send (&body, publish, 0) < 0)
        zmq_msg_close (&body);
    if (sein_feed_send (zsock_resolve (self->feed), event, &copy))
        zmq_msg_close (&copy);
}

//  Copy the write-ahead log back into the database off the commit path.
static void
s_checkpoint_actor (zsock_t *pipe, void *args)
{
    const char **paths = (const char **) args; //  {db path, synchronous}
    char *error = NULL;
    sein_store_t *store = sein_store_new (paths[0], paths[1], &error);
    zsock_signal (pipe, 0);
    if (!store) {
        zsys_error ("checkpoints: %s", error);
        free (error);
    }
    char *command;
    while ((command = zstr_recv (pipe)) && !streq (command, "$TERM")) {
        if (store && sein_store_checkpoint (store, false))
            zsys_error ("checkpoint: %s", sein_store_error (store));
        zstr_send (pipe, "DONE");
        zstr_free (&command);
    }
    zstr_free (&command);
    sein_store_destroy (&store);
}

static void
s_keep_log_short (s_server_t *self)
{
    int pages = sein_store_wal_frames (self->store);
    if (pages >= S_CHECKPOINT_FORCE) {
        zsys_warning ("write-ahead log at %d pages: checkpointing in line", pages);
        if (sein_store_checkpoint (self->store, true))
            zsys_error ("checkpoint: %s", sein_store_error (self->store));
    } else if (pages >= S_CHECKPOINT_PAGES && !self->checkpointing) {
        zstr_send (self->checkpoint, "CHECKPOINT");
        self->checkpointing = true;
    }
}

//  Answer every item of BATCH (stored, or not), publish its new signals,
//  empty it.
static void
s_answer_batch (s_server_t *self, sein_batch_t *batch)
{
    for (size_t index = 0; index < batch->count; index++) {
        sein_pending_t *pending = &batch->items[index];
        const char *external_id = pending->signal.external_id;
        if (pending->rejected) {
            //  Echo the external id if the body was readable enough.
            json_t *json = json_loadb ((const char *) zmq_msg_data (&pending->body),
                                       zmq_msg_size (&pending->body), 0, NULL);
            s_reject (self, &pending->envelope,
                      pending->dry_run ? SEIN_CLASSIFY : SEIN_SUBMIT,
                      json_string_value (json_object_get (json, "external_id")),
                      &pending->error);
            json_decref (json);
        } else if (pending->dry_run)
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
            s_reject (self, &pending->envelope, SEIN_SUBMIT, external_id, &error);
        } else {
            if (pending->duplicate)
                self->counters.duplicates++;
            else
                self->counters.accepted++;
            s_reply_event (self, pending, "accepted", pending->event, pending->event_size,
                           pending->duplicate);
        }
    }
    for (size_t index = 0; batch->stored && !batch->sync_error && index < batch->count;
         index++) {
        sein_pending_t *pending = &batch->items[index];
        if (!pending->rejected && !pending->dry_run && !pending->duplicate)
            s_publish (self, pending);
    }
    //  The rest of each item is freed when its slot is prepared again
    //  (sein_pending_reset), off this thread.
    for (size_t index = 0; index < batch->count; index++) {
        zmq_msg_close (&batch->items[index].body);
        zmq_msg_init (&batch->items[index].body);
    }
    batch->count = 0;
}

//  Answer, oldest first, the stored batches that are on disk.
static void
s_release (s_server_t *self)
{
    while (self->nstored && self->stored[0]->ticket <= self->synced) {
        if (!self->stored[0]->sync_error)
            self->durable = self->stored[0]->head;
        s_answer_batch (self, self->stored[0]);
        memmove (self->stored, self->stored + 1, --self->nstored * sizeof self->stored[0]);
    }
}

//  A sync that covered the first TARGET deferred commits returned ERROR
//  (an errno, or 0).
//
//  A failed fdatasync is the end of this run. The kernel may have dropped
//  the pages it could not write, and every later commit follows them in
//  the log, so no later sync can vouch for anything (PostgreSQL's lesson
//  from "fsyncgate"). Every batch waiting for a sync, and every one after,
//  is answered `storage`; nothing more is published; seind stops with
//  EX_IOERR, and at the next start SQLite's recovery reads what the disk
//  really holds.
static void
s_synced (s_server_t *self, uint64_t target, int error)
{
    self->synced = target;
    self->syncing = 0;
    if (error && !self->sync_failed) {
        self->counters.storage_errors++;
        zsys_error ("storage: fdatasync of the write-ahead log failed: %s; stopping",
                    strerror (error));
        self->sync_failed = error;
        self->terminating = true;
    }
    if (self->sync_failed) {
        for (size_t index = 0; index < self->nstored; index++)
            self->stored[index]->sync_error = self->sync_failed;
        self->synced = self->commits;
    }
    s_release (self);
}

//  Make the deferred commits durable: right here when nothing else is in
//  the pipeline (no thread to wake, no batch to overlap), else on the sync
//  actor. One sync at a time; the next covers what was committed meanwhile.
static void
s_sync (s_server_t *self)
{
    while (!self->syncing && !self->sync_failed && self->synced < self->commits) {
        if (self->preparing) {
            self->syncing = self->commits;
            zstr_send (self->sync, "SYNC");
            return;
        }
        s_synced (self, self->commits, sein_store_sync (self->log.path, &self->log.fd));
    }
}

//  A sync came back: answer what it covered, start the next.
static void
s_sync_done (s_server_t *self)
{
    int error = 0;
    zsock_recv (self->sync, "i", &error);
    s_synced (self, self->syncing, error);
    s_sync (self);
}

//  While storing a batch: answer the batches whose sync came back
//  meanwhile, so that their submitters can send more in the meantime.
static void
s_sync_check (s_server_t *self)
{
    if (self->syncing && (zsock_events (self->sync) & ZMQ_POLLIN))
        s_sync_done (self);
}

//  Store BATCH, then answer it: now, or once a sync has put it on disk.
static void
s_finish_batch (s_server_t *self, sein_batch_t *batch)
{
    bool any = false;
    for (size_t index = 0; index < batch->count; index++)
        any |= !batch->items[index].rejected && !batch->items[index].dry_run;
    batch->sync_error = 0;
    if (any && self->sync_failed) {
        batch->stored = false;
        snprintf (batch->failure, sizeof batch->failure,
                  "the disk failed (fdatasync: %s), seind is stopping",
                  strerror (self->sync_failed));
    } else if (!(batch->stored = !any || s_store_batch (self, batch) == 0)) {
        //  Kept: the store's own message is gone once the next batch began.
        snprintf (batch->failure, sizeof batch->failure, "%s",
                  sein_store_error (self->store));
        self->counters.storage_errors++;
        zsys_error ("storage: batch of %zu not stored: %s", batch->count, batch->failure);
    }
    if (any) {
        self->counters.batches++;
        if (batch->count > self->counters.largest)
            self->counters.largest = batch->count;
    }
    if (any && batch->stored)
        s_keep_log_short (self);
    batch->head = sein_store_head (self->store);
    if (!self->sync) {
        self->durable = batch->head;
        s_answer_batch (self, batch);
        return;
    }
    //  In order behind the batches before it, even with nothing to sync.
    if (any && batch->stored)
        self->commits++;
    batch->ticket = self->commits;
    self->stored[self->nstored++] = batch;
    s_release (self);
    s_sync (self);
}

//  The sync actor: each SYNC is one sein_store_sync; answers the errno.
static void
s_sync_actor (zsock_t *pipe, void *args)
{
    s_log_t *log = (s_log_t *) args;
    zsock_signal (pipe, 0);
    char *command;
    while ((command = zstr_recv (pipe)) && !streq (command, "$TERM")) {
        zsock_send (pipe, "i", sein_store_sync (log->path, &log->fd));
        zstr_free (&command);
    }
    zstr_free (&command);
}

//  ---------------------------------------------------------------------
//  Commands that need no preparing

typedef struct {
    sein_envelope_t *envelope;
    const char *command;
    zmq_msg_t *body;
} s_request_t;

static void
s_answer (s_server_t *self, s_request_t *request, json_t *reply)
{
    s_reply_json (self, request->envelope, request->command, reply);
}

static void
s_fail (s_server_t *self, s_request_t *request, const char *code, const char *field,
        const char *message)
{
    sein_error_t error;
    sein_error_set (&error, code, field, "%s", message);
    s_reject (self, request->envelope, request->command, NULL, &error);
}

static void
s_cmd_ping (s_server_t *self, s_request_t *request)
{
    s_answer (self, request,
              json_pack ("{s:s,s:s,s:s,s:I,s:I,s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I}}", "status",
                         "ok", "server", "seind", "version", SEIN_VERSION, "head",
                         (json_int_t) self->durable, "uptime",
                         (json_int_t) (time (NULL) - self->started), "counters",
                         "accepted", (json_int_t) self->counters.accepted, "duplicates",
                         (json_int_t) self->counters.duplicates, "rejected",
                         (json_int_t) self->counters.rejected, "batches",
                         (json_int_t) self->counters.batches, "largest_batch",
                         (json_int_t) self->counters.largest, "storage_errors",
                         (json_int_t) self->counters.storage_errors, "replies_dropped",
                         (json_int_t) self->counters.replies_dropped));
}

static json_t *
s_request_json (s_server_t *self, s_request_t *request)
{
    json_t *json = json_loadb ((const char *) zmq_msg_data (request->body),
                               zmq_msg_size (request->body), JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object (json)) {
        json_decref (json);
        s_fail (self, request, "json", NULL, "body must be a JSON object");
        return NULL;
    }
    return json;
}

static void
s_cmd_get (s_server_t *self, s_request_t *request)
{
    json_t *json = s_request_json (self, request);
    if (!json)
        return;
    json_t *value = json_object_get (json, "id");
    const char *id = json_string_value (value);
    if (!value)
        s_fail (self, request, "required", "id", "id (a string) is required");
    else if (!id)
        s_fail (self, request, "type", "id", "id must be a string");
    else {
        //  Personal data will need an authorised (CURVE) key; until that
        //  exists GET answers with the public record only.
        json_t *signal = sein_store_get (self->store, id, false);
        if (signal)
            s_answer (self, request,
                      json_pack ("{s:s,s:o}", "status", "ok", "signal", signal));
        else
            s_fail (self, request, "not-found", "id", "no signal with this id");
    }
    json_decref (json);
}

typedef struct {
    json_t *events;
    int64_t head; //  the last on disk: later ones may not be yet
} s_collected_t;

static int
s_collect_event (const sein_event_t *event, void *arg)
{
    s_collected_t *collected = (s_collected_t *) arg;
    if (event->seq > collected->head)
        return 1;
    json_t *body = json_loadb (event->body, event->body_size, 0, NULL);
    if (body)
        json_array_append_new (collected->events, body);
    return 0;
}

static void
s_cmd_events (s_server_t *self, s_request_t *request)
{
    json_t *json = s_request_json (self, request);
    if (!json)
        return;
    json_t *from = json_object_get (json, "from"), *limit = json_object_get (json, "limit");
    if (!json_is_integer (from) || json_integer_value (from) < 1)
        s_fail (self, request, "type", "from", "from must be a seq (integer >= 1)");
    else if (limit && (!json_is_integer (limit) || json_integer_value (limit) < 1))
        s_fail (self, request, "type", "limit", "limit must be a positive integer");
    else {
        //  Bounded so one request cannot stall intake for long.
        int count = limit && json_integer_value (limit) < 1000
                        ? (int) json_integer_value (limit)
                        : 1000;
        s_collected_t collected = {json_array (), self->durable};
        if (sein_store_events (self->store, json_integer_value (from), count,
                               s_collect_event, &collected) < 0) {
            json_decref (collected.events);
            s_fail (self, request, "storage", NULL, sein_store_error (self->store));
        } else
            s_answer (self, request,
                      json_pack ("{s:s,s:I,s:o}", "status", "ok", "head",
                                 (json_int_t) self->durable, "events", collected.events));
    }
    json_decref (json);
}

static void
s_cmd_stats (s_server_t *self, s_request_t *request)
{
    json_t *stats = sein_store_stats (self->store);
    if (!stats)
        s_fail (self, request, "storage", NULL, sein_store_error (self->store));
    else {
        json_object_set_new (stats, "status", json_string ("ok"));
        json_object_set_new (stats, "teams", sein_router_teams (self->setup->router));
        s_answer (self, request, stats);
    }
}

typedef void (s_command_fn) (s_server_t *self, s_request_t *request);
static const struct {
    const char *name;
    s_command_fn *handler; //  NULL: goes to the prepare actor
} s_commands[] = {
    {SEIN_SUBMIT, NULL},         {SEIN_CLASSIFY, NULL},       {SEIN_PING, s_cmd_ping},
    {SEIN_GET, s_cmd_get},       {SEIN_EVENTS, s_cmd_events}, {SEIN_STATS, s_cmd_stats},
};

//  ---------------------------------------------------------------------
//  Reading requests

//  Receive the parts of one request after its routing id into PARTS (the
//  first four kept, the rest counted and dropped). Returns the number of
//  parts, or -1 when no request is waiting.
static int
s_recv_request (void *handle, sein_envelope_t *envelope, zmq_msg_t parts[4])
{
    zmq_msg_t part;
    zmq_msg_init (&part);
    if (zmq_msg_recv (&part, handle, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close (&part);
        return -1;
    }
    //  A ROUTER's routing id is at most 255 bytes.
    envelope->routing_size = zmq_msg_size (&part);
    memcpy (envelope->routing, zmq_msg_data (&part), envelope->routing_size);
    envelope->delimiter = false;
    envelope->corr_size = 0;
    int count = 0;
    bool more = zmq_msg_more (&part);
    while (more) {
        zmq_msg_close (&part);
        zmq_msg_init (&part);
        zmq_msg_recv (&part, handle, 0); //  the rest of a message is there
        more = zmq_msg_more (&part);
        if (count == 0 && !envelope->delimiter && zmq_msg_size (&part) == 0)
            envelope->delimiter = true;
        else if (count < 4) {
            zmq_msg_init (&parts[count]);
            zmq_msg_move (&parts[count++], &part);
        } else
            count++;
    }
    zmq_msg_close (&part);
    return count;
}

static bool
s_part_is (zmq_msg_t *part, const char *text)
{
    size_t len = strlen (text);
    return zmq_msg_size (part) == len && memcmp (zmq_msg_data (part), text, len) == 0;
}

//  Answer one request or add it to BATCH. Never trusts the frame layout.
//  Returns -1 when nothing was waiting.
static int
s_handle (s_server_t *self, sein_batch_t *batch)
{
    sein_envelope_t *envelope = &batch->items[batch->count].envelope;
    zmq_msg_t parts[4];
    int count = s_recv_request (zsock_resolve (self->intake), envelope, parts);
    if (count < 0)
        return -1;
    s_request_t request = {envelope, SEIN_ERROR, count >= 4 ? &parts[3] : NULL};
    if (count >= 3 && zmq_msg_size (&parts[2]) <= S_CORR_MAX) {
        envelope->corr_size = zmq_msg_size (&parts[2]);
        memcpy (envelope->corr, zmq_msg_data (&parts[2]), envelope->corr_size);
    }
    char message[128];
    if (count != 4) {
        snprintf (message, sizeof message,
                  "expected 4 frames: \"%s\", command, correlation id, JSON body",
                  SEIN_PROTOCOL);
        s_fail (self, &request, "frames", NULL, message);
    } else if (!s_part_is (&parts[0], SEIN_PROTOCOL)) {
        sein_error_t error;
        sein_error_version (&error, zmq_msg_data (&parts[0]), zmq_msg_size (&parts[0]));
        s_fail (self, &request, error.code, error.field, error.message);
    } else if (zmq_msg_size (&parts[2]) > S_CORR_MAX)
        s_fail (self, &request, "frames", NULL, "correlation id longer than 255 bytes");
    else {
        size_t index = 0;
        size_t ncommands = sizeof s_commands / sizeof s_commands[0];
        while (index < ncommands && !s_part_is (&parts[1], s_commands[index].name))
            index++;
        if (index == ncommands) {
            snprintf (message, sizeof message, "unknown command '%.*s'",
                      (int) (zmq_msg_size (&parts[1]) < 32 ? zmq_msg_size (&parts[1]) : 32),
                      (const char *) zmq_msg_data (&parts[1]));
            s_fail (self, &request, "command", NULL, message);
        } else if (s_commands[index].handler) {
            request.command = s_commands[index].name;
            s_commands[index].handler (self, &request);
        } else if (self->draining) {
            request.command = s_commands[index].name;
            s_fail (self, &request, "unavailable", NULL,
                    "seind is stopping: not stored, submit again later");
        } else {
            sein_pending_t *pending = &batch->items[batch->count++];
            pending->dry_run = streq (s_commands[index].name, SEIN_CLASSIFY);
            zmq_msg_init (&pending->body);
            zmq_msg_move (&pending->body, &parts[3]); //  the batch's now
        }
    }
    for (int index = 0; index < count && index < 4; index++)
        zmq_msg_close (&parts[index]);
    return 0;
}

//  Make room in the empty BATCH for batch_max requests.
static void
s_reserve (s_server_t *self, sein_batch_t *batch)
{
    assert (batch->count == 0);
    if (batch->capacity < self->batch_max) {
        batch->items = (sein_pending_t *) realloc (batch->items,
                                                   self->batch_max * sizeof (sein_pending_t));
        assert (batch->items);
        memset (batch->items + batch->capacity, 0,
                (self->batch_max - batch->capacity) * sizeof (sein_pending_t));
        for (size_t index = batch->capacity; index < self->batch_max; index++)
            zmq_msg_init (&batch->items[index].body);
        batch->capacity = self->batch_max;
    }
}

//  A batch that is neither being prepared nor stored nor waiting for a
//  sync, or NULL when the sync has fallen that far behind.
static sein_batch_t *
s_free_batch (s_server_t *self)
{
    for (size_t index = 0; index < S_BATCHES; index++)
        if (self->batches[index].count == 0)
            return &self->batches[index];
    return NULL;
}

//  Fill a free batch with what is waiting and send it to be prepared; BUSY
//  is the batch about to be stored, or NULL. Returns true when a batch
//  went out.
static bool
s_collect (s_server_t *self, sein_batch_t *busy)
{
    sein_batch_t *batch = s_free_batch (self);
    if (!batch)
        return false;
    s_reserve (self, batch);
    //  Everything already queued, up to a batch: these arrived together
    //  and will share one commit.
    while (batch->count < self->batch_max && s_handle (self, batch) == 0)
        ;
    if (batch->count == 0)
        return false;
    s_now_rfc3339 (batch->received_at, sizeof batch->received_at);
    batch->setup = self->setup;
    batch->limits = self->limits;
    if (!busy && batch->count <= S_PREPARE_HERE) {
        //  Nothing is being stored, so there is no commit to overlap: a
        //  few signals are prepared here rather than handed to the actor
        //  and back, two thread wake-ups that cost more than they save.
        for (size_t index = 0; index < batch->count; index++)
            sein_prepare (batch, index, self->scratch);
        s_finish_batch (self, batch);
        return true;
    }
    self->preparing = batch;
    zsock_send (self->prepare, "sp", "PREPARE", batch);
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

static void
s_apply_settings (s_server_t *self)
{
    sein_config_t *config = self->setup->config;
    self->limits.description_max =
        (size_t) sein_config_int (config, "limits.description_max");
    self->limits.message_max = (size_t) sein_config_int (config, "limits.message_max");
    self->batch_max = (size_t) sein_config_int (config, "limits.batch_max");
    sein_log_set_level (sein_config_str (config, "daemon.log_level"));
    if (self->watch) {
        char *codes = s_filter_codes (self);
        zsock_send (self->watch, "s8888s", "SETTINGS",
                    (uint64_t) sein_config_int (config, "watch.credit_max"),
                    (uint64_t) sein_config_int (config, "watch.heartbeat"),
                    (uint64_t) sein_config_int (config, "watch.timeout"),
                    (uint64_t) sein_config_int (config, "watch.sessions_max"), codes);
        free (codes);
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

void
sein_server_pin (zsock_t *socket, int io_thread)
{
    //  Affinity decides the I/O thread of each connection the socket
    //  accepts later; a mask naming no existing thread would fail the bind.
    if (zmq_ctx_get (zsys_init (), ZMQ_IO_THREADS) > io_thread)
        zsock_set_affinity (socket, 1 << io_thread);
}

static zsock_t *
s_bind (s_server_t *self, int type, const char *endpoint, int hwm)
{
    zsock_t *socket = zsock_new (type);
    if (!socket)
        return NULL;
    //  The broadcast fans out like the watch sessions do.
    sein_server_pin (socket, type == ZMQ_ROUTER ? SEIN_IO_INTAKE : SEIN_IO_WATCH);
    zsock_set_sndhwm (socket, hwm);
    zsock_set_rcvhwm (socket, hwm);
    if (type == ZMQ_ROUTER) {
        //  One batch can answer up to batch_max requests of one client at
        //  once; a smaller reply queue would drop acks of a pipelining
        //  client that reads them a moment later.
        zsock_set_sndhwm (socket, hwm + 2 * (int) self->batch_max);
        //  Bodies up to the largest limits.message_max a reload may set are
        //  read and answered `too-large`; a frame beyond that is never read
        //  into memory: ZeroMQ drops the connection that sent it.
        zsock_set_maxmsgsize (socket, S_FRAME_MAX);
        zsock_set_router_mandatory (socket, 1);
        zsock_set_sndtimeo (socket, 0);
        zsock_set_rcvtimeo (socket, 0);
        //  czmq's default linger is 0: acks still queued at shutdown would be
        //  dropped. Give them two seconds to get out.
        zsock_set_linger (socket, 2000);
    }
    if (zsock_bind (socket, "%s", endpoint) < 0) {
        if (!self->error)
            self->error = zsys_sprintf ("cannot bind %s: %s", endpoint,
                                        zmq_strerror (zmq_errno ()));
        zsock_destroy (&socket);
    }
    return socket;
}

static int
s_mkdir (const char *path)
{
    char *copy = strdup (path);
    int rc = 0;
    for (char *slash = strchr (copy + 1, '/'); rc == 0 && slash;
         slash = strchr (slash + 1, '/')) {
        *slash = 0;
        if (mkdir (copy, 0750) && errno != EEXIST)
            rc = -1;
        *slash = '/';
    }
    if (rc == 0 && mkdir (copy, 0750) && errno != EEXIST)
        rc = -1;
    free (copy);
    return rc;
}

//  One seind per store: two writers would interleave seqs, and an ipc://
//  bind silently takes the endpoint over from the first. The lock lives as
//  long as the process (the kernel drops it when seind dies, however).
static char *
s_lock_store (s_server_t *self, const char *dir)
{
    char *path = zsys_sprintf ("%s/seind.lock", dir);
    self->lock = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    char *error = NULL;
    if (self->lock < 0)
        error = zsys_sprintf ("cannot open %s: %s", path, strerror (errno));
    else if (flock (self->lock, LOCK_EX | LOCK_NB)) {
        char pid[32] = "";
        ssize_t size = pread (self->lock, pid, sizeof pid - 1, 0);
        pid[size > 0 ? strcspn (pid, "\n") : 0] = 0;
        error = zsys_sprintf ("another seind (pid %s) is using %s", *pid ? pid : "?", dir);
    } else {
        char pid[32];
        int len = snprintf (pid, sizeof pid, "%d\n", (int) getpid ());
        if (ftruncate (self->lock, 0) || pwrite (self->lock, pid, (size_t) len, 0) != len)
            zsys_warning ("cannot write %s: %s", path, strerror (errno));
    }
    zstr_free (&path);
    return error;
}

static void
s_start (s_server_t *self)
{
    sein_config_t *config = self->setup->config;
    const char *dir = sein_config_str (config, "storage.dir");
    char *path = zsys_sprintf ("%s/%s", dir, sein_config_str (config, "storage.file"));
    if (s_mkdir (dir))
        self->error =
            zsys_sprintf ("cannot create storage.dir %s: %s", dir, strerror (errno));
    else if (!(self->error = s_lock_store (self, dir)))
        self->store = sein_store_new (
            path, sein_config_str (config, "storage.synchronous"), &self->error);
    self->log.path = path;
    bool defer = !self->error && sein_store_defer_sync (self->store);
    //  A previous run may have been killed between a COMMIT and its sync:
    //  make what the log holds durable before anyone is shown it.
    int error = defer ? sein_store_sync (path, &self->log.fd) : 0;
    if (error)
        self->error = zsys_sprintf ("%s-wal: fdatasync: %s", path, strerror (error));
    int hwm = (int) sein_config_int (config, "limits.intake_hwm");
    if (!self->error)
        self->intake =
            s_bind (self, ZMQ_ROUTER, sein_config_str (config, "endpoints.intake"), hwm);
    if (!self->error)
        self->publish =
            s_bind (self, ZMQ_PUB, sein_config_str (config, "endpoints.publish"),
                    (int) sein_config_int (config, "limits.publish_hwm"));
    char *feed = zsys_sprintf ("inproc://sein-feed-%p", (void *) self);
    if (!self->error)
        self->feed = s_bind (self, ZMQ_PUB, feed,
                             (int) sein_config_int (config, "limits.publish_hwm"));
    if (!self->error) {
        sein_watch_args_t args = {config, feed, path};
        self->watch = zactor_new (sein_watch_actor, &args);
        char *status = zstr_recv (self->watch);
        if (!status || !streq (status, "OK"))
            self->error = strdup (status && strlen (status) > 6 ? status + 6
                                                                : "watch actor did not start");
        zstr_free (&status);
    }
    if (!self->error) {
        //  Each thread that prepares has its own scratch; the actor takes one.
        self->scratch = sein_prepare_scratch_new ();
        sein_prepare_scratch_t *scratch = sein_prepare_scratch_new ();
        if (!self->scratch || !scratch) {
            sein_prepare_scratch_destroy (&scratch);
            self->error = strdup ("libstemmer lacks dutch, french or english");
        } else
            self->prepare = zactor_new (sein_prepare_actor, scratch);
    }
    if (!self->error) {
        const char *paths[] = {path, sein_config_str (config, "storage.synchronous")};
        self->checkpoint = zactor_new (s_checkpoint_actor, paths);
        if (defer)
            self->sync = zactor_new (s_sync_actor, &self->log);
        self->durable = sein_store_head (self->store);
    }
    zstr_free (&feed);
}

static void
s_pipe_ready (s_server_t *self)
{
    char *command = NULL;
    void *pointer = NULL;
    if (zsock_recv (self->pipe, "sp", &command, &pointer) || !command ||
        streq (command, "$TERM"))
        self->terminating = true; //  the batch in flight is finished first
    else if (streq (command, "RELOAD")) {
        sein_setup_t *setup = (sein_setup_t *) pointer;
        char *fixed = setup ? sein_config_unreloadable (self->setup->config, setup->config)
                            : NULL;
        if (!setup)
            zstr_send (self->pipe, "ERROR no setup");
        else if (fixed) {
            zstr_sendf (self->pipe, "ERROR %s cannot change without a restart", fixed);
            sein_setup_destroy (&setup);
        } else {
            sein_setup_destroy (&self->next_setup);
            self->next_setup = setup;
            s_swap_setup (self);
            zstr_send (self->pipe, "OK");
        }
        zstr_free (&fixed);
    } else
        zsys_warning ("server: unknown pipe command '%s'", command);
    zstr_free (&command);
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
    s_finish_batch (self, batch);
}

static void
s_run (s_server_t *self)
{
    self->poller = zpoller_new (self->pipe, self->prepare, self->checkpoint, self->intake,
                                NULL);
    if (self->sync)
        zpoller_add (self->poller, self->sync);
    bool polling_intake = true;
    while (!self->terminating || self->preparing || self->nstored) {
        void *which = zpoller_wait (self->poller, -1);
        if (which == self->pipe)
            s_pipe_ready (self);
        else if (which == self->prepare)
            s_prepared (self);
        else if (self->sync && which == self->sync)
            s_sync_done (self);
        else if (which == self->checkpoint) {
            char *done = zstr_recv (self->checkpoint);
            zstr_free (&done);
            self->checkpointing = false;
        }
        else if (which == self->intake && !self->preparing)
            s_collect (self, NULL);
        s_swap_setup (self);
        //  Read intake only while the prepare actor is idle: requests that
        //  arrive meanwhile queue up and form the next, larger batch.
        bool wanted = !self->preparing && !self->terminating && s_free_batch (self);
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
//  away the acks still on their way.
static void
s_drain (s_server_t *self)
{
    self->draining = true;
    sein_batch_t *batch = &self->batches[0];
    s_reserve (self, batch); //  the envelope of each request goes there
    zpoller_t *poller = zpoller_new (self->intake, NULL);
    int64_t deadline = zclock_mono () + S_DRAIN_MAX;
    while (zclock_mono () < deadline && zpoller_wait (poller, S_DRAIN_QUIET) == self->intake)
        while (zclock_mono () < deadline && s_handle (self, batch) == 0)
            ;
    zpoller_destroy (&poller);
}

void
sein_server_actor (zsock_t *pipe, void *args)
{
    s_server_t *self = (s_server_t *) zmalloc (sizeof *self);
    assert (self);
    self->pipe = pipe;
    self->setup = (sein_setup_t *) args;
    self->started = time (NULL);
    self->lock = -1;
    self->log.fd = -1;
    if (getrandom (self->random, sizeof self->random, 0) != sizeof self->random)
        self->random[0] = (uint64_t) time (NULL) ^ (uint64_t) getpid ();
    self->random[1] |= 1;
    s_apply_settings (self);
    zsock_signal (pipe, 0);
    s_start (self);
    if (self->error)
        zstr_sendf (pipe, "ERROR %s", self->error);
    else {
        s_apply_settings (self); //  now that the watch actor exists
        zstr_send (pipe, "OK");
        zsys_notice ("seind %s: intake %s, publish %s, watch %s, store head %lld",
                     SEIN_VERSION, sein_config_str (self->setup->config, "endpoints.intake"),
                     sein_config_str (self->setup->config, "endpoints.publish"),
                     sein_config_str (self->setup->config, "endpoints.watch"),
                     (long long) sein_store_head (self->store));
        s_run (self);
        s_drain (self);
        if (self->sync_failed) {
            self->error = zsys_sprintf ("fdatasync of the write-ahead log failed: %s",
                                        strerror (self->sync_failed));
            zstr_sendf (pipe, "FATAL %s", self->error);
        }
    }
    //  On a startup error, stay until $TERM so the caller's zactor_destroy
    //  does not wait forever.
    while (self->error) {
        char *command = zstr_recv (pipe);
        bool term = !command || streq (command, "$TERM");
        zstr_free (&command);
        if (term)
            break;
    }
    zactor_destroy (&self->prepare);
    sein_prepare_scratch_destroy (&self->scratch);
    zactor_destroy (&self->sync);
    if (self->log.fd >= 0)
        close (self->log.fd);
    zstr_free (&self->log.path);
    zactor_destroy (&self->checkpoint);
    zactor_destroy (&self->watch);
    zsock_destroy (&self->intake);
    zsock_destroy (&self->publish);
    zsock_destroy (&self->feed);
    sein_store_destroy (&self->store);
    if (self->lock >= 0)
        close (self->lock); //  releases the flock
    sein_setup_destroy (&self->setup);
    sein_setup_destroy (&self->next_setup);
    sein_setup_destroy (&self->retired);
    for (int index = 0; index < S_BATCHES; index++) {
        for (size_t item = 0; item < self->batches[index].capacity; item++)
            sein_pending_clear (&self->batches[index].items[item]);
        free (self->batches[index].items);
    }
    sein_buf_free (&self->buf);
    zstr_free (&self->error);
    free (self);
}
