// SPDX-License-Identifier: MPL-2.0
/*  sein_watch.h - the watch actor: filtered, gapless event sessions

    Serves the watch socket (docs/PROTOCOL.md, "Watch"). A client opens a
    session with filters and a starting point; the actor replays stored
    events from its own read-only store connection, then continues live
    from the feed the server publishes after each commit (sein_feed.h), always in seq
    order, never sending more than the credit the client granted. A client
    that stops reading costs a cursor, not a queue: when it comes back it is
    served from the store again.

        sein_watch_args_t args = {config, "inproc://feed", db_path};
        zactor_t *watch = zactor_new (sein_watch_actor, &args);
        char *status = zstr_recv (watch);   //  "OK" or "ERROR message"
        zsock_send (watch, "s88888s", "SETTINGS", credit_max, heartbeat,
                    timeout, sessions_max, message_max, codes);

    CODES is what filters may name, as JSON: {"area":[...],"theme":[...],
    "team":[...]} (priorities are fixed); a WATCH naming anything else is
    refused. Until the first SETTINGS every value is taken.

    When its counts change (checked every 100 ms) the actor tells its
    owner, who answers PING with them, in two frames: "COUNTERS" and two
    int64 in host order, the open sessions and the events queued (sent on
    a session and not yet covered by a CREDIT; at most watch.credit_max a
    session). sein_watch_counters reads them.

    ARGS is read only while the actor starts (zactor_new waits for it).
*/
#ifndef SEIN_WATCH_H_INCLUDED
#define SEIN_WATCH_H_INCLUDED

#include "sein_config.h"
#include "sein_store.h"
#include <czmq.h>

typedef struct {
    sein_config_t *config; //  endpoints.watch and the watch.* settings
    const char *feed;      //  the server's inproc PUB of committed events
    const char *db_path;   //  the store, opened read-only
} sein_watch_args_t;

void
    sein_watch_actor (zsock_t *pipe, void *args);

//  Read one message from the actor WATCH; when it is COUNTERS, store the
//  sessions and queued events in COUNTERS. Returns 0, or -1 for anything
//  else (read and dropped).
int
    sein_watch_counters (zactor_t *watch, int64_t counters[2]);

#endif
