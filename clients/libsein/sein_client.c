// SPDX-License-Identifier: MPL-2.0
/*  sein_client.c - libsein: request/reply client and watch client

    Both speak docs/PROTOCOL.md over a DEALER socket. The request client is
    deliberately thin: it frames, sends, receives and matches correlation
    ids; retry policy belongs to the caller, who knows whether a request is
    idempotent (SUBMIT with an external_id is).

    The watch client carries the protocol's state machine so every program
    gets the same guarantees: credit granted as events are consumed,
    heartbeats both ways, and on silence or a lost session a fresh
    connection that resumes after the last seq handed to the caller.
    Stale events of an earlier session are recognised by their tag and
    dropped, duplicates by their seq. It asks for batches: with CURVE,
    each frame costs a crypto_box whatever its size, and a replay in
    BATCH messages of many events costs a fraction of one EVENT each.
*/
#include "sein.h"
#include "sein_alloc.h"
#include "sein_split.h"

#include <assert.h>
#include <czmq.h>

struct _sein_client_t {
    zsock_t *dealer;
    uint64_t calls;     //  for sein_client_call's correlation ids
    int sndtimeo;       //  as last set on the socket, to set it only when it changes
    int rcvtimeo;
    zmq_msg_t parts[5]; //  the last reply received; [4] takes any extra parts
};

//  Receive one message from HANDLE into PARTS, waiting as the socket's
//  receive timeout says (FLAGS ZMQ_DONTWAIT: not at all). Returns its
//  number of parts, of which the first five are kept ([4] takes the fifth
//  and any beyond), or -1 when none came. Raw zmq_msg_recv: a bulk
//  import or a dashboard takes tens of thousands of messages a second,
//  and frame objects for each would cost more than the message.
static int
s_take (void *handle, zmq_msg_t *parts, int flags)
{
    int count = 0;
    bool more = true;
    while (more) {
        zmq_msg_t *part = &parts[count < 4 ? count : 4];
        if (zmq_msg_recv (part, handle, count ? 0 : flags) < 0)
            return count ? count : -1;
        more = zmq_msg_more (part);
        count++;
    }
    return count;
}

static bool
s_part_is (zmq_msg_t *part, const char *text)
{
    size_t len = strlen (text);
    return zmq_msg_size (part) == len && memcmp (zmq_msg_data (part), text, len) == 0;
}

sein_client_t *
sein_client_new (const char *endpoint)
{
    return sein_client_new_secure (endpoint, NULL);
}

sein_client_t *
sein_client_new_secure (const char *endpoint, const sein_keys_t *keys)
{
    assert (endpoint);
    sein_client_t *self = (sein_client_t *) zmalloc (sizeof *self);
    self->dealer = zsock_new (ZMQ_DEALER);
    if (self->dealer) {
        //  Requests wait for a connection instead of piling up unsent.
        zsock_set_immediate (self->dealer, 1);
        zsock_set_sndhwm (self->dealer, 100000);
        zsock_set_rcvhwm (self->dealer, 100000);
        zsock_set_linger (self->dealer, 0);
        self->sndtimeo = self->rcvtimeo = -1; //  libzmq's default
        sein_keys_apply (keys, self->dealer);
    }
    for (int index = 0; index < 5; index++)
        zmq_msg_init (&self->parts[index]);
    if (!self->dealer || zsock_connect (self->dealer, "%s", endpoint) < 0)
        sein_client_destroy (&self);
    return self;
}

void
sein_client_destroy (sein_client_t **self_p)
{
    assert (self_p);
    sein_client_t *self = *self_p;
    if (self) {
        zsock_destroy (&self->dealer);
        for (int index = 0; index < 5; index++)
            zmq_msg_close (&self->parts[index]);
        free (self);
        *self_p = NULL;
    }
}

int
sein_client_send_raw (sein_client_t *self, const char *command, const char *corr,
                      const char *body, size_t size, int timeout_ms)
{
    assert (self);
    assert (command);
    if (timeout_ms != self->sndtimeo) {
        zsock_set_sndtimeo (self->dealer, timeout_ms);
        self->sndtimeo = timeout_ms;
    }
    //  Straight zmq_send: a message object for each of the four frames
    //  would cost a bulk import more than the send. Once the first frame
    //  is queued the others are too (the pipe takes whole messages).
    void *handle = zsock_resolve (self->dealer);
    if (zmq_send (handle, SEIN_PROTOCOL, strlen (SEIN_PROTOCOL), ZMQ_SNDMORE) < 0)
        return -1;
    zmq_send (handle, command, strlen (command), ZMQ_SNDMORE);
    zmq_send (handle, corr ? corr : "", corr ? strlen (corr) : 0, ZMQ_SNDMORE);
    return zmq_send (handle, body, size, 0) < 0 ? -1 : 0;
}

int
sein_client_send (sein_client_t *self, const char *command, const char *corr, json_t *body,
                  int timeout_ms)
{
    char *text = body ? json_dumps (body, JSON_COMPACT) : sein_strdup ("{}");
    if (!text)
        return -1;
    int rc = sein_client_send_raw (self, command, corr, text, strlen (text), timeout_ms);
    free (text);
    return rc;
}

const char *
sein_client_recv_raw (sein_client_t *self, int timeout_ms, size_t *size_p,
                      const char **corr_p, size_t *corr_size_p, const char **command_p,
                      size_t *command_size_p)
{
    assert (self);
    assert (size_p);
    if (corr_p)
        *corr_p = NULL;
    if (corr_size_p)
        *corr_size_p = 0;
    if (command_p)
        *command_p = NULL;
    if (command_size_p)
        *command_size_p = 0;
    int flags = 0;
    if (timeout_ms == 0)
        flags = ZMQ_DONTWAIT;
    else if (timeout_ms != self->rcvtimeo) {
        zsock_set_rcvtimeo (self->dealer, timeout_ms);
        self->rcvtimeo = timeout_ms;
    }
    int count = s_take (zsock_resolve (self->dealer), self->parts, flags);
    //  A reply is "SEIN/1" command corr body; tolerate a leading delimiter.
    int first = count == 5 && zmq_msg_size (&self->parts[0]) == 0 ? 1 : 0;
    if (count - first != 4)
        return NULL;
    zmq_msg_t *command = &self->parts[first + 1], *corr = &self->parts[first + 2],
              *body = &self->parts[first + 3];
    if (corr_p)
        *corr_p = (const char *) zmq_msg_data (corr);
    if (corr_size_p)
        *corr_size_p = zmq_msg_size (corr);
    if (command_p)
        *command_p = (const char *) zmq_msg_data (command);
    if (command_size_p)
        *command_size_p = zmq_msg_size (command);
    if (!s_part_is (&self->parts[first], SEIN_PROTOCOL))
        return NULL;
    *size_p = zmq_msg_size (body);
    return (const char *) zmq_msg_data (body);
}

json_t *
sein_client_recv (sein_client_t *self, int timeout_ms, char **corr_p, char **command_p)
{
    assert (self);
    const char *corr, *command;
    size_t size, corr_size, command_size;
    const char *body = sein_client_recv_raw (self, timeout_ms, &size, &corr, &corr_size,
                                             &command, &command_size);
    if (corr_p)
        *corr_p = corr ? sein_strndup (corr, corr_size) : NULL;
    if (command_p)
        *command_p = command ? sein_strndup (command, command_size) : NULL;
    return body ? json_loadb (body, size, 0, NULL) : NULL;
}

json_t *
sein_client_call (sein_client_t *self, const char *command, json_t *body, int timeout_ms)
{
    assert (self);
    char corr[32];
    snprintf (corr, sizeof corr, "call-%llu", (unsigned long long) ++self->calls);
    int64_t deadline = zclock_mono () + timeout_ms;
    if (sein_client_send (self, command, corr, body, timeout_ms))
        return NULL;
    while (true) {
        int64_t left = deadline - zclock_mono ();
        if (left <= 0)
            return NULL;
        char *reply_corr = NULL;
        json_t *reply = sein_client_recv (self, (int) left, &reply_corr, NULL);
        bool mine = reply_corr && streq (reply_corr, corr);
        zstr_free (&reply_corr);
        if (mine)
            return reply;
        json_decref (reply); //  a late reply to an earlier, timed-out call
    }
}

//  ---------------------------------------------------------------------
//  Watch client

//  Events per message the watcher asks for (docs/PROTOCOL.md, section 3);
//  seind also keeps a BATCH under 64 kB.
#define S_WATCH_BATCH 1000

struct _sein_watcher_t {
    char *endpoint;
    json_t *filter;
    char *since_time;
    int64_t since;     //  where the very first session starts
    int64_t resume;    //  where a new session must start, 0 until known
    int64_t last_seq;  //  last event handed to the caller
    int credit;        //  what the caller asked for, asked again on every WATCH
    int window;        //  what the server granted in its WATCH reply
    int consumed;      //  events received since credit was last granted
    zsock_t *dealer;
    unsigned sessions; //  tag of the current session is "w<sessions>"
    char tag[24];
    int64_t heartbeat; //  the server's interval, from its WATCH reply
    int64_t last_heard;
    int64_t last_sent;
    bool open;
    json_t *refusal;     //  the server's answer when it refused WATCH
    sein_keys_t *keys;   //  CURVE, or NULL
    zmq_msg_t parts[5];  //  the last message received; [4] takes any extra parts
    zmq_msg_t batch;     //  the body of a BATCH being handed out
    size_t batch_at;     //  where its next event starts
};

sein_watcher_t *
sein_watcher_new (const char *endpoint, json_t *filter, int64_t since,
                  const char *since_time, int credit)
{
    assert (endpoint);
    sein_watcher_t *self = (sein_watcher_t *) zmalloc (sizeof *self);
    self->endpoint = sein_strdup (endpoint);
    self->filter = filter ? json_deep_copy (filter) : json_object ();
    self->since = since > 0 ? since : 0;
    self->since_time = since_time ? sein_strdup (since_time) : NULL;
    self->credit = credit > 0 ? credit : 1;
    self->window = self->credit;
    self->heartbeat = 1000;
    for (int index = 0; index < 5; index++)
        zmq_msg_init (&self->parts[index]);
    zmq_msg_init (&self->batch);
    return self;
}

void
sein_watcher_set_keys (sein_watcher_t *self, const sein_keys_t *keys)
{
    assert (self);
    sein_keys_destroy (&self->keys);
    self->keys = sein_keys_dup (keys);
}

static void
s_watcher_send (sein_watcher_t *self, const char *command, json_t *body)
{
    char *text = json_dumps (body, JSON_COMPACT);
    json_decref (body);
    zmsg_t *msg = zmsg_new ();
    zmsg_addstr (msg, SEIN_PROTOCOL);
    zmsg_addstr (msg, command);
    zmsg_addstr (msg, self->tag);
    zmsg_addstr (msg, text ? text : "{}");
    free (text);
    zmsg_send (&msg, self->dealer);
    zmsg_destroy (&msg);
    self->last_sent = zclock_mono ();
}

//  Open a session on the current connection, from where the caller is.
static void
s_watcher_open (sein_watcher_t *self)
{
    snprintf (self->tag, sizeof self->tag, "w%u", ++self->sessions);
    int64_t from = self->last_seq ? self->last_seq + 1 : self->since;
    if (self->resume > from)
        from = self->resume;
    json_t *body = json_pack ("{s:O,s:I,s:i,s:i}", "filter", self->filter, "since",
                              (json_int_t) from, "credit", self->credit, "batch",
                              S_WATCH_BATCH);
    if (from == 0 && self->since_time)
        json_object_set_new (body, "since_time", json_string (self->since_time));
    //  Until the reply says otherwise the window is what we ask for; no
    //  event of this session can come before that reply.
    self->window = self->credit;
    self->consumed = 0;
    self->open = false;
    //  What is left of a batch belongs to the session before: the new one
    //  sends it again from the last seq handed out.
    zmq_msg_close (&self->batch);
    zmq_msg_init (&self->batch);
    self->batch_at = 0;
    s_watcher_send (self, SEIN_WATCH, body);
}

static void
s_watcher_connect (sein_watcher_t *self)
{
    zsock_destroy (&self->dealer);
    self->dealer = zsock_new (ZMQ_DEALER);
    zsock_set_linger (self->dealer, 0);
    zsock_set_sndtimeo (self->dealer, 0);
    sein_keys_apply (self->keys, self->dealer);
    zsock_connect (self->dealer, "%s", self->endpoint);
    self->last_heard = zclock_mono ();
    s_watcher_open (self);
}

void
sein_watcher_destroy (sein_watcher_t **self_p)
{
    assert (self_p);
    sein_watcher_t *self = *self_p;
    if (self) {
        if (self->dealer)
            s_watcher_send (self, SEIN_CLOSE, json_object ());
        zsock_destroy (&self->dealer);
        json_decref (self->filter);
        json_decref (self->refusal);
        sein_keys_destroy (&self->keys);
        for (int index = 0; index < 5; index++)
            zmq_msg_close (&self->parts[index]);
        zmq_msg_close (&self->batch);
        free (self->endpoint);
        free (self->since_time);
        free (self);
        *self_p = NULL;
    }
}

//  An event of the current session: true when it is new to the caller.
static bool
s_watcher_event (sein_watcher_t *self, const char *body, size_t size)
{
    //  Every event cost the server a credit, even one dropped here. Half
    //  of the window the server GRANTED, not of what was asked: seind cuts
    //  a grant to watch.credit_max, and waiting for half of a larger ask
    //  would wait for events that never come.
    if (++self->consumed >= (self->window + 1) / 2) {
        s_watcher_send (self, SEIN_CREDIT, json_pack ("{s:i}", "credit", self->consumed));
        self->consumed = 0;
    }
    int64_t seq = sein_split_seq (body, size);
    if (seq <= self->last_seq)
        return false; //  already handed out
    self->last_seq = seq;
    return true;
}

//  The next new event of the BATCH being handed out, or NULL when it is
//  done. A malformed rest, which seind never sends, is dropped.
static const char *
s_watcher_batched (sein_watcher_t *self, size_t *size_p)
{
    const char *batch = (const char *) zmq_msg_data (&self->batch);
    size_t size = zmq_msg_size (&self->batch), event_size;
    const char *event;
    while ((event = sein_split_next (batch, size, &self->batch_at, &event_size)))
        if (s_watcher_event (self, event, event_size)) {
            *size_p = event_size;
            return event;
        }
    self->batch_at = size;
    return NULL;
}

//  Everything else the server says about the session.
static void
s_watcher_handle (sein_watcher_t *self, const char *command, json_t *body)
{
    if (streq (command, SEIN_WATCH)) {
        json_t *status = json_object_get (body, "status");
        self->open = json_is_string (status) && streq (json_string_value (status), "ok");
        json_int_t from = json_integer_value (json_object_get (body, "from"));
        if (self->open && from > self->resume)
            self->resume = from;
        //  The grant may be less than asked (watch.credit_max), and may
        //  differ from one session to the next after a reload.
        json_int_t granted = json_integer_value (json_object_get (body, "credit"));
        if (self->open && granted > 0)
            self->window = granted < self->credit ? (int) granted : self->credit;
        json_int_t heartbeat = json_integer_value (json_object_get (body, "heartbeat"));
        if (heartbeat > 0)
            self->heartbeat = heartbeat;
        if (!self->open) {
            json_decref (self->refusal);
            self->refusal = json_incref (body);
        }
    } else if (streq (command, SEIN_HEARTBEAT)) {
        //  Everything matching before the cursor was sent before this
        //  heartbeat on this connection, so a new session may start there.
        json_int_t cursor = json_integer_value (json_object_get (body, "cursor"));
        if (cursor > self->resume && self->last_seq < cursor)
            self->resume = cursor;
    } else if (streq (command, SEIN_ERROR)) {
        const char *code =
            json_string_value (json_object_get (json_object_get (body, "error"), "code"));
        if (code && streq (code, "forbidden")) {
            //  A revoked key: asking again would be refused again.
            json_decref (self->refusal);
            self->refusal = json_incref (body);
        } else if (code && streq (code, "session"))
            s_watcher_open (self); //  the server restarted or expired us
    }
}

const char *
sein_watcher_recv_raw (sein_watcher_t *self, int timeout_ms, size_t *size_p)
{
    assert (self);
    int64_t deadline = zclock_mono () + timeout_ms;
    if (self->refusal)
        return NULL; //  asking again would be refused again
    if (!self->dealer)
        s_watcher_connect (self);
    while (true) {
        size_t batched;
        const char *event = s_watcher_batched (self, &batched);
        if (event) {
            if (size_p)
                *size_p = batched;
            return event;
        }
        int count = s_take (zsock_resolve (self->dealer), self->parts, ZMQ_DONTWAIT);
        int64_t now = zclock_mono ();
        if (count >= 0)
            self->last_heard = now;
        if (count == 4 && s_part_is (&self->parts[0], SEIN_PROTOCOL)) {
            zmq_msg_t *command = &self->parts[1], *tag = &self->parts[2],
                      *payload = &self->parts[3];
            //  Messages of an earlier session are stale, except a session
            //  error, which concerns whatever we send now.
            bool current = s_part_is (tag, self->tag) || s_part_is (command, SEIN_ERROR);
            if (current && s_part_is (command, SEIN_EVENT)) {
                const char *body = (const char *) zmq_msg_data (payload);
                if (s_watcher_event (self, body, zmq_msg_size (payload))) {
                    //  Handed out as it came, valid until the next call:
                    //  no parsing, no copy.
                    if (size_p)
                        *size_p = zmq_msg_size (payload);
                    return body;
                }
            } else if (current && s_part_is (command, SEIN_BATCH)) {
                zmq_msg_move (&self->batch, payload);
                self->batch_at = 0;
                continue; //  hand out its first event
            } else if (current) {
                json_t *body = json_loadb ((const char *) zmq_msg_data (payload),
                                           zmq_msg_size (payload), 0, NULL);
                char name[16] = "";
                memcpy (name, zmq_msg_data (command),
                        zmq_msg_size (command) < 15 ? zmq_msg_size (command) : 15);
                if (json_is_object (body))
                    s_watcher_handle (self, name, body);
                json_decref (body);
            }
        }
        if (now - self->last_sent >= self->heartbeat)
            s_watcher_send (self, SEIN_HEARTBEAT, json_object ());
        if (now - self->last_heard > 3 * self->heartbeat + 1000)
            //  Silence: the daemon or the network is gone. A new connection
            //  gets a new session that resumes after the last seq.
            s_watcher_connect (self);
        if (now >= deadline || self->refusal)
            return NULL;
        if (count < 0) {
            //  Nothing waiting: sleep until something arrives, the next
            //  heartbeat is due, or the caller's time is up.
            int64_t wait = self->heartbeat - (now - self->last_sent);
            if (wait > deadline - now)
                wait = deadline - now;
            zmq_pollitem_t item = {zsock_resolve (self->dealer), 0, ZMQ_POLLIN, 0};
            zmq_poll (&item, 1, wait > 0 ? (long) wait : 0);
        }
    }
}

json_t *
sein_watcher_recv (sein_watcher_t *self, int timeout_ms)
{
    size_t size;
    const char *body = sein_watcher_recv_raw (self, timeout_ms, &size);
    return body ? json_loadb (body, size, 0, NULL) : NULL;
}

int64_t
sein_watcher_last_seq (sein_watcher_t *self)
{
    assert (self);
    return self->last_seq;
}

bool
sein_watcher_connected (sein_watcher_t *self)
{
    assert (self);
    return self->open && zclock_mono () - self->last_heard <= 3 * self->heartbeat + 1000;
}

json_t *
sein_watcher_refusal (sein_watcher_t *self)
{
    assert (self);
    return self->refusal;
}
