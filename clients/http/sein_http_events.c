// SPDX-License-Identifier: MPL-2.0
/*  sein_http_events.c - a watch session as a Server-Sent Events stream
    (see sein_http_events.h)
*/
#include "sein_http_events.h"

#include "sein_alloc.h"

#include <czmq.h>
#include <inttypes.h>
#include <stdatomic.h>

//  How long one wait for an event lasts at most: the bound on how late a
//  stream sees sein_http_streams_stop.
#define S_WAIT_MS 250

struct _sein_http_stream_t {
    sein_watcher_t *watcher;
    int heartbeat;    //  ms of silence before a comment
    char *text;       //  what the next reads hand out
    size_t size, offset, room;
    bool opened;      //  counted in s_open
};

static atomic_bool s_stopping;
static atomic_long s_open;
static atomic_uint_fast64_t s_bytes, s_events;

//  Append SIZE bytes of DATA to what the stream hands out next.
static void
s_append (sein_http_stream_t *self, const char *data, size_t size)
{
    if (self->size + size > self->room) {
        self->room = (self->size + size) * 2;
        self->text = (char *) sein_realloc (self->text, self->room);
    }
    memcpy (self->text + self->size, data, size);
    self->size += size;
}

//  One event: its id, and its JSON as data. seind writes compact JSON, one
//  line; should one ever hold a line break, each line is its own `data:`
//  and the browser joins them with the same line break.
static void
s_append_event (sein_http_stream_t *self, int64_t seq, const char *body, size_t size)
{
    char head[48];
    int len = snprintf (head, sizeof head, "id: %" PRId64 "\n", seq);
    s_append (self, head, (size_t) len);
    while (true) {
        const char *newline = (const char *) memchr (body, '\n', size);
        size_t line = newline ? (size_t) (newline - body) : size;
        s_append (self, "data: ", 6);
        s_append (self, body, line);
        s_append (self, "\n", 1);
        if (!newline)
            break;
        body += line + 1;
        size -= line + 1;
    }
    s_append (self, "\n", 1);
    atomic_fetch_add (&s_events, 1);
}

sein_http_stream_t *
sein_http_stream_new (const char *endpoint, const sein_keys_t *keys, json_t *filter,
                      int64_t since, int credit, int heartbeat_ms, int timeout_ms,
                      json_t **refusal_p)
{
    *refusal_p = NULL;
    sein_http_stream_t *self = (sein_http_stream_t *) sein_calloc (1, sizeof *self);
    self->watcher = sein_watcher_new (endpoint, filter, since, NULL, credit);
    sein_watcher_set_keys (self->watcher, keys);
    self->heartbeat = heartbeat_ms;
    //  A browser reconnects a second after a lost stream (the default is
    //  three), and the comment gets the headers out at once.
    s_append (self, "retry: 1000\n: sein\n\n", 20);
    int64_t deadline = zclock_mono () + timeout_ms;
    while (!sein_watcher_connected (self->watcher)) {
        size_t size;
        const char *body = sein_watcher_recv_raw (self->watcher, 50, &size);
        if (body)
            s_append_event (self, sein_watcher_last_seq (self->watcher), body, size);
        else if (sein_watcher_refusal (self->watcher) || zclock_mono () >= deadline) {
            json_t *refusal = sein_watcher_refusal (self->watcher);
            *refusal_p = refusal ? json_incref (refusal) : NULL;
            sein_http_stream_destroy (&self);
            return NULL;
        }
    }
    atomic_fetch_add (&s_open, 1);
    self->opened = true;
    return self;
}

void
sein_http_stream_destroy (sein_http_stream_t **self_p)
{
    sein_http_stream_t *self = *self_p;
    if (self) {
        if (self->opened)
            atomic_fetch_sub (&s_open, 1);
        sein_watcher_destroy (&self->watcher);
        free (self->text);
        free (self);
        *self_p = NULL;
    }
}

ssize_t
sein_http_stream_read (sein_http_stream_t *self, char *buf, size_t max)
{
    if (self->offset == self->size) {
        self->offset = self->size = 0;
        int64_t since = zclock_mono ();
        while (!self->size) {
            if (atomic_load (&s_stopping) || sein_watcher_refusal (self->watcher))
                return -1;
            int64_t idle = zclock_mono () - since;
            int wait = self->heartbeat - idle < S_WAIT_MS ? (int) (self->heartbeat - idle)
                                                          : S_WAIT_MS;
            size_t size;
            const char *body =
                sein_watcher_recv_raw (self->watcher, wait > 0 ? wait : 0, &size);
            //  Whatever else is waiting goes out in the same write, up to
            //  what libmicrohttpd takes at once: credit still follows what
            //  it wrote, a buffer later.
            while (body) {
                s_append_event (self, sein_watcher_last_seq (self->watcher), body, size);
                body = self->size < max ? sein_watcher_recv_raw (self->watcher, 0, &size)
                                        : NULL;
            }
            if (!self->size && zclock_mono () - since >= self->heartbeat)
                s_append (self, ": hb\n\n", 6);
        }
    }
    size_t take = self->size - self->offset < max ? self->size - self->offset : max;
    memcpy (buf, self->text + self->offset, take);
    self->offset += take;
    atomic_fetch_add (&s_bytes, take);
    return (ssize_t) take;
}

void
sein_http_streams_stop (void)
{
    atomic_store (&s_stopping, true);
}

long
sein_http_streams_open (void)
{
    return atomic_load (&s_open);
}

uint64_t
sein_http_streams_bytes (void)
{
    return atomic_load (&s_bytes);
}

uint64_t
sein_http_streams_events (void)
{
    return atomic_load (&s_events);
}
