// SPDX-License-Identifier: MPL-2.0
/*  sein_query.h - the query actor: GET, EVENTS, STATS, HISTORY on their own reader

    Queries read the store on their own read-only connection, on their own
    thread: in WAL mode a reader sees a consistent snapshot and never
    blocks the writer, so a STATS over a million signals delays no ack.
    The server reads and checks each request (sein_wire.h) and hands it
    over; the actor answers through the server, which owns the socket:

        zactor_t *query = zactor_new (sein_query_actor, (void *) db_path);
        char *status = zstr_recv (query);           //  "OK" or "ERROR message"
        zsock_send (query, "ss", "TEAMS", teams);   //  for STATS: the team list, JSON
        sein_query_send (query, &envelope, &principal, "GET", &body, durable_head,
                         events_max);
        ...query readable:
        sein_query_recv (query, intake);            //  forwards the reply

    BODY was checked by the wire reader against sein_query_commands.
*/
#ifndef SEIN_QUERY_H_INCLUDED
#define SEIN_QUERY_H_INCLUDED

#include "sein_wire.h"

#include <czmq.h>

//  The intake commands answered by the query actor, with their fields.
extern const sein_wire_command_t sein_query_commands[];
extern const size_t sein_query_ncommands;

void
    sein_query_actor (zsock_t *pipe, void *db_path);

//  Lower the calling thread's CPU priority below the server's: readers
//  (this actor, the alerts actor) call it first, so that a long query
//  never holds up an ack on a busy machine. Linux only; elsewhere a no-op
//  that logs.
void
    sein_query_background (void);

//  Hand COMMAND (one of sein_query_commands) from ENVELOPE, asked by
//  PRINCIPAL, with BODY (moved from) to the actor. HEAD is the highest
//  seq on disk: EVENTS shows nothing after it. EVENTS_MAX bounds its
//  `limit`. A principal without SEIN_RIGHT_ALL_TEAMS (staff) sees only
//  its teams' signals (sein_auth_scope): GET and HISTORY of another's
//  are refused `forbidden`, LIST, STATS and EVENTS leave them out.
void
    sein_query_send (zactor_t *query, const sein_envelope_t *envelope,
                     const sein_principal_t *principal, const char *command, zmq_msg_t *body,
                     int64_t head, int64_t events_max);

//  Take one reply from the actor and send it on INTAKE (raw ZeroMQ handle).
//  Returns as sein_wire_send.
int
    sein_query_recv (zactor_t *query, void *intake);

#endif
