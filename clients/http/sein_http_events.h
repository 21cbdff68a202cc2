// SPDX-License-Identifier: MPL-2.0
/*  sein_http_events.h - a watch session as a Server-Sent Events stream

    Each GET /events of the gateway holds one libsein watcher (a watch
    session with seind, docs/PROTOCOL.md section 3) and turns what it
    delivers into the text/event-stream format:

        id: <seq>
        data: <the event JSON, exactly as seind sent it>

    with no `event:` field, so a browser's EventSource.onmessage gets them
    all, and a comment line `: hb` when nothing came for http.heartbeat ms.
    The gateway runs a thread per connection, and libmicrohttpd calls
    sein_http_stream_read only when it has written out what the stream gave
    it before: the watcher takes the next event, and grants seind credit
    for it, only then. A browser that reads slowly holds up its own
    session, which costs seind a cursor and nothing more.
*/
#ifndef SEIN_HTTP_EVENTS_H_INCLUDED
#define SEIN_HTTP_EVENTS_H_INCLUDED

#include "sein.h"

#include <stdint.h>
#include <sys/types.h>

typedef struct _sein_http_stream_t sein_http_stream_t;

//  Open a watch session at ENDPOINT with KEYS (borrowed, may be NULL),
//  FILTER (borrowed, may be NULL), starting at seq SINCE (0: live only)
//  with CREDIT, and wait up to TIMEOUT_MS for seind to accept it. Returns
//  the stream, or NULL with *refusal_p set to seind's rejection (fresh;
//  NULL when seind did not answer in time).
sein_http_stream_t *
    sein_http_stream_new (const char *endpoint, const sein_keys_t *keys, json_t *filter,
                          int64_t since, int credit, int heartbeat_ms, int timeout_ms,
                          json_t **refusal_p);

//  Destroy; idempotent, nulls the pointer. Closes the watch session.
void
    sein_http_stream_destroy (sein_http_stream_t **self_p);

//  libmicrohttpd's content reader: fill BUF with up to MAX bytes of the
//  stream, waiting for the next event or heartbeat. Returns the number of
//  bytes, or -1 (end of stream) once sein_http_streams_stop was called or
//  seind ended the session (a revoked key).
ssize_t
    sein_http_stream_read (sein_http_stream_t *self, char *buf, size_t max);

//  End every stream at its next read, for a clean shutdown.
void
    sein_http_streams_stop (void);

//  Streams open now, and the bytes all streams have handed out.
long
    sein_http_streams_open (void);
uint64_t
    sein_http_streams_bytes (void);
uint64_t
    sein_http_streams_events (void);

#endif
