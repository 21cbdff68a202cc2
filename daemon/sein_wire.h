// SPDX-License-Identifier: MPL-2.0
/*  sein_wire.h - SEIN/1 on a ROUTER socket: bind, read and check, answer

    Both client-facing ROUTER sockets, intake and watch, speak the same
    framing (docs/PROTOCOL.md, "Framing"):

        [routing id] [empty, from REQ clients] "SEIN/1" command corr body

    This class is the one place that reads it. sein_wire_recv takes one
    message off a socket and checks, in this order, the frame count, the
    protocol version, the correlation id, the command (from the socket's
    own table), the body's size against limits.message_max and, for the
    commands whose body is read here, the body itself: no byte-order mark,
    valid UTF-8, one JSON object without duplicate keys, and only the
    fields the command's table entry names. A command never sees a body
    this class has not bounded. SUBMIT and CLASSIFY bodies are read by the
    signal validator (sein_signal.c) on the prepare thread instead; they
    are only bounded here.

    It also says who asked: with a keyring (security on) the principal is
    the key of the connection, libzmq's "User-Id" of the message (which
    seind's ZAP handler sets to the client's public key) looked up in the
    keyring; a key no longer there (revoked on SIGHUP) has no rights. Right
    after the command is known it is checked against the principal's
    rights (sein_auth.h), and refused `forbidden` when they fall short.

    sein_wire_bind gives both sockets the same guards: a maximum frame
    size that follows limits.message_max, ROUTER_MANDATORY, no blocking.
    libzmq gives every connection the options its socket had when it was
    bound, so the settings behind them are restart-only (sein_settings.c).
*/
#ifndef SEIN_WIRE_H_INCLUDED
#define SEIN_WIRE_H_INCLUDED

#include "sein_auth.h"
#include "sein_json.h"
#include "sein_signal.h"

#include <czmq.h>
#include <jansson.h>

//  Who asked and how to answer: the ROUTER's routing id, whether a REQ
//  delimiter came with it, and the correlation id, copied out of the
//  request (ZeroMQ bounds routing ids, the protocol correlation ids, to
//  255 bytes).
typedef struct {
    unsigned char routing[256];
    size_t routing_size;
    unsigned char corr[256];
    size_t corr_size;
    bool delimiter;
} sein_envelope_t;

//  One command a socket accepts. FIELDS names what its JSON body may
//  hold (NULL-terminated; an empty list: the body must be {}); a command
//  with `raw` set has its body passed on unread, only bounded.
typedef struct {
    const char *name;
    const char *const *fields;
    bool raw;
} sein_wire_command_t;

//  A request as read: on success `command` is its table entry and either
//  `json` (the parsed body, owned) or, for a raw command, `body` holds it.
//  When refused, `rejected` is set, `error` says why and `reply` is the
//  command to answer with (SEIN_ERROR when not even the command could be
//  read).
typedef struct {
    sein_envelope_t envelope;
    sein_principal_t principal; //  who asked (anonymous without security)
    const sein_wire_command_t *command;
    zmq_msg_t body;
    json_t *json;
    bool rejected;
    const char *reply;
    sein_error_t error;
} sein_request_t;

//  Frames longer than limits.message_max by more than this are never read
//  (ZeroMQ's ZMQ_MAXMSGSIZE drops the connection); up to it, a body is
//  read and answered `too-large`.
#define SEIN_WIRE_SLACK 65536

//  A fresh request: its body an empty message. sein_request_clear
//  releases what a read left in it and makes it fresh again.
void
    sein_request_init (sein_request_t *request);
void
    sein_request_clear (sein_request_t *request);

//  Read one request waiting on HANDLE (a ROUTER, raw ZeroMQ), checking it
//  against COMMANDS (NCOMMANDS entries), MESSAGE_MAX and, with KEYRING
//  (NULL: security off, everyone anonymous), the rights of the key that
//  sent it. REQUEST must be fresh (sein_request_init or _clear). Returns
//  -1 when nothing was waiting, 0 when a request was read: check
//  `rejected`.
int
    sein_wire_recv (void *handle, const sein_wire_command_t *commands, size_t ncommands,
                    size_t message_max, sein_keyring_t *keyring, sein_request_t *request);

//  The member KEY of a request's BODY, or NULL when it is absent or
//  null: in every body, null for a field is the same as leaving it out.
json_t *
    sein_wire_field (json_t *body, const char *key);

//  Send one reply of SIZE bytes to ENVELOPE with COMMAND. Never blocks: a
//  client that is gone, or whose reply queue is full, does not get it.
//  Returns 0, or -1 with errno EAGAIN (queue full) or EHOSTUNREACH (gone).
int
    sein_wire_send (void *handle, const sein_envelope_t *envelope, const char *command,
                    const char *text, size_t size);

//  As sein_wire_send, with BODY as the reply's body; BODY is consumed
//  (sent or closed) unless -1 is returned.
int
    sein_wire_send_msg (void *handle, const sein_envelope_t *envelope, const char *command,
                        zmq_msg_t *body);

//  Render {"status":"rejected",["external_id":X,]"error":{"code","field",
//  "message"}} into BUF (reset first). EXTERNAL_ID may be NULL.
void
    sein_wire_render_error (sein_buf_t *buf, const char *external_id,
                            const sein_error_t *error);

//  Render ERROR into BUF and send it to ENVELOPE with COMMAND: the reply to
//  every refused request, on either socket. Returns as sein_wire_send.
int
    sein_wire_reject (void *handle, const sein_envelope_t *envelope, const char *command,
                      const char *external_id, const sein_error_t *error, sein_buf_t *buf);

//  A new ROUTER bound to ENDPOINT with the guards of both client sockets:
//  frames over MESSAGE_MAX + SEIN_WIRE_SLACK never read, unroutable
//  replies reported, no blocking, LINGER ms to flush replies on close,
//  send queue SNDHWM, receive queue RCVHWM, connections on I/O thread
//  IO_THREAD; with CERT (NULL: security off) a CURVE server, its clients
//  admitted by the ZAP handler in DOMAIN (sein_auth.h). NULL with *error_p
//  set (fresh) when it cannot bind.
zsock_t *
    sein_wire_bind (const char *endpoint, size_t message_max, int sndhwm, int rcvhwm,
                    int linger, int io_thread, zcert_t *cert, const char *domain,
                    char **error_p);

//  seind runs ZeroMQ with SEIN_IO_THREADS I/O threads (zsys_set_io_threads
//  before the first socket) and pins its sockets with sein_wire_pin:
//  intake on I/O thread 0, watch sessions and broadcast on thread 1, so
//  that acks never queue behind the fan-out of every event to every
//  watcher. With fewer threads (a test's context) the pin is skipped.
#define SEIN_IO_THREADS 2
#define SEIN_IO_INTAKE 0
#define SEIN_IO_WATCH 1

void
    sein_wire_pin (zsock_t *socket, int io_thread);

#endif
