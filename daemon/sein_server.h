/*  sein_server.h - the seind server actor

    The server is a czmq actor, driven like malamute's mlm_server by
    commands on its pipe. It owns the intake ROUTER, the broadcast PUB, the
    store's writing connection and the actors that prepare, sync,
    checkpoint, answer queries and serve watch sessions:

        zactor_t *server = zactor_new (sein_server_actor, setup);
        char *status = zstr_recv (server);    //  "OK" or "ERROR message"
        zsock_send (server, "sp", "RELOAD", new_setup);
        char *result = zstr_recv (server);    //  "OK" or "ERROR message"
        zactor_destroy (&server);             //  $TERM: finish the batch, ack, close

    zactor_new takes ownership of SETUP (a sein_setup_t *); RELOAD takes
    ownership of the new one, keeping whichever it does not use until it
    destroys it.
*/
#ifndef SEIN_SERVER_H_INCLUDED
#define SEIN_SERVER_H_INCLUDED

#include <czmq.h>

void
    sein_server_actor (zsock_t *pipe, void *setup);

#endif
