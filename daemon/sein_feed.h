// SPDX-License-Identifier: MPL-2.0
/*  sein_feed.h - committed events, from the server to the watch actor

    After each commit the server publishes every new event on an inproc
    PUB socket, the feed; the watch actor (sein_watch.h) subscribes to it.
    A feed message has two parts: a header holding what filters look at
    (the 8-byte seq, then kind, at, area, wijk, theme, priority, source,
    teams and owners, "" for none, as NUL-terminated strings) and the event's JSON body, so the
    watch actor never parses an event to route it.
*/
#ifndef SEIN_FEED_H_INCLUDED
#define SEIN_FEED_H_INCLUDED

#include "sein_store.h"

#include <czmq.h>

//  Send EVENT on HANDLE (a raw ZeroMQ socket) with BODY, a message holding
//  the event's JSON, which is consumed when sent. Returns 0 or -1 (and
//  BODY is then the caller's to close).
int
    sein_feed_send (void *handle, const sein_event_t *event, zmq_msg_t *body);

//  Read a feed message into EVENT, whose strings then point into MSG and
//  live as long as it. Returns 0, or -1 for a malformed message.
int
    sein_feed_unpack (zmsg_t *msg, sein_event_t *event);

#endif
