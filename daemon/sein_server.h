// SPDX-License-Identifier: MPL-2.0
/*  sein_server.h - the seind server actor

    The server is a czmq actor, driven like malamute's mlm_server by
    commands on its pipe. It writes to the store seind opened as its owner
    (sein_store_open), and owns the intake ROUTER, the broadcast PUB and
    the actors that prepare, sync, checkpoint, answer queries and serve
    watch sessions:

        sein_server_args_t args = {setup, store};
        zactor_t *server = zactor_new (sein_server_actor, &args);
        char *status = zstr_recv (server);    //  "OK" or "ERROR message"
        zsock_send (server, "sps8", "RELOAD", new_setup, why, covered);
        char *result = zstr_recv (server);    //  "OK", "ERROR message" or
                                              //  "FATAL message"
        zactor_destroy (&server);             //  $TERM: finish the batch, ack, close
        sein_store_destroy (&store);          //  last: it holds the lock

    RELOAD hands over a new setup, or NULL and WHY seind could not load
    one; either way the server answers the RELOAD requests of intake
    (admin: `seinctl reload`) numbered up to COVERED with the outcome. It
    asks seind for such a reload itself, unasked on the pipe:
    "RELOAD-ASKED" and the request's number (uint64, picture "s8"); seind
    answers it with a RELOAD whose load began after it read the ask.

    From its loop the server also sends systemd (sd_notify) a STATUS= line
    with live counters every 5 s, and WATCHDOG=1 at half the watchdog's
    interval when the unit sets one.

    When the disk fails (a failed fsync or write, SQLite's or its own) the
    server stops taking submissions, answers what it holds and sends
    "FATAL message" on its pipe, unasked; after zactor_destroy args.status
    is SEIN_EXIT_IOERR (also when a $TERM came first), else 0.

    The server takes ownership of args.setup; RELOAD takes ownership of the
    new one, keeping whichever it does not use until it destroys it.
    args.store stays the caller's, to destroy after the server, and must
    outlive it.
*/
#ifndef SEIN_SERVER_H_INCLUDED
#define SEIN_SERVER_H_INCLUDED

#include "sein_setup.h"
#include "sein_store.h"

#include <czmq.h>

typedef struct {
    sein_setup_t *setup; //  taken over by the server
    sein_store_t *store; //  the owner's, from sein_store_open: borrowed
    int status;          //  set by the server as it ends: 0 or SEIN_EXIT_IOERR
} sein_server_args_t;

void
    sein_server_actor (zsock_t *pipe, void *args);

#endif
