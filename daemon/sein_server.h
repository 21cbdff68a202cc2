/*  sein_server.h - the seind server actor

    The server is a czmq actor, driven like malamute's mlm_server by
    commands on its pipe. It owns the intake ROUTER, the broadcast PUB, the
    store's writing connection and the watch actor:

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

//  seind runs ZeroMQ with SEIN_IO_THREADS I/O threads (zsys_set_io_threads
//  before the first socket) and pins its sockets with sein_server_pin:
//  intake on I/O thread 0, watch sessions and broadcast on thread 1, so
//  that acks never queue behind the fan-out of every event to every
//  watcher. With fewer threads (a test's context) the pin is skipped.
#define SEIN_IO_THREADS 2
#define SEIN_IO_INTAKE 0
#define SEIN_IO_WATCH 1

void
    sein_server_pin (zsock_t *socket, int io_thread);

#endif
