// SPDX-License-Identifier: MPL-2.0
/*  sein_accept.h - refuse new connections cleanly when descriptors run out

    libzmq 4.3.4's listeners do not cope with a process out of file
    descriptors: on EMFILE an ipc:// listener aborts the process
    (errno_assert in ipc_listener.cpp), and a tcp:// one reports
    ZMQ_EVENT_ACCEPT_FAILED and returns with the connection still pending,
    so its I/O thread spins at 100% CPU while no client is taken and
    nothing is logged (issue 14).

    A guard watches one bound socket through a socket monitor, in its own
    actor, and keeps SEIN_ACCEPT_HEADROOM descriptors free for what seind
    itself must open (SQLite's files, a reload's config): a connection
    accepted on a descriptor within the headroom is shut down at once (its
    client sees the connection close, and libzmq's client reconnects
    later); when an accept fails all the same (a burst that overtook the
    guard), the guard takes the pending connections off the listener with
    a descriptor it keeps in reserve and closes them, so the listener stops
    spinning. Both are logged, at most one line per 10 s with a count. The
    owner's thread never waits for the guard. What it cannot help: an
    ipc:// listener hit by a burst of connections that fills the headroom
    before the guard has shut them down aborts all the same (exit 134, a
    supervisor restarts seind); tcp:// is what serves clients.
*/
#ifndef SEIN_ACCEPT_H_INCLUDED
#define SEIN_ACCEPT_H_INCLUDED

#include <czmq.h>

#define SEIN_ACCEPT_HEADROOM 32 //  descriptors kept free below RLIMIT_NOFILE

typedef struct _sein_accept_t sein_accept_t;

//  Guard SOCKET, bound to ENDPOINT (ipc:// or tcp://; others are not
//  guarded). Call on the thread that owns SOCKET; destroy the guard after
//  the socket. Never NULL (the daemon aborts on allocation failure).
sein_accept_t *
    sein_accept_new (zsock_t *socket, const char *endpoint);

//  Destroy; idempotent, nulls the pointer.
void
    sein_accept_destroy (sein_accept_t **self_p);

#endif
