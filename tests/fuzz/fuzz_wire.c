// SPDX-License-Identifier: MPL-2.0
/*  fuzz_wire.c - libFuzzer target: the request reader of both ROUTER sockets

    The input is one multipart message: a first byte that picks the socket
    (intake or watch) and its limits.message_max, then frames, each a
    two-byte little-endian length and that many bytes (the last one cut
    short when the input ends). A DEALER sends it over inproc to a ROUTER
    bound by sein_wire_bind, and sein_wire_recv reads it against that
    socket's command table. A request it accepts must be bounded and, for
    a parsed command, a JSON object of the command's fields only; a request
    it refuses is answered with sein_wire_reject, and the DEALER must get
    an answer a client can parse: the protocol, the command, its
    correlation id and a JSON body that says rejected, with the same code.
*/
#include "sein_wire.h"
#include "sein_query.h"
#include "sein_fuzz.h"

#include "sein.h"

#include <czmq.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

//  The tables of sein_server.c (intake) and sein_watch.c (watch), which
//  keep theirs private: the commands and the fields each body may hold.
static const char *const s_no_fields[] = {NULL};
static const char *const s_watch_fields[] = {"filter", "since", "since_time",
                                             "credit", "batch", NULL};
static const char *const s_credit_fields[] = {"credit", NULL};
static sein_wire_command_t s_intake[8];
static size_t s_nintake;
static const sein_wire_command_t s_watch[] = {
    {SEIN_WATCH, s_watch_fields, false},
    {SEIN_CREDIT, s_credit_fields, false},
    {SEIN_HEARTBEAT, s_no_fields, false},
    {SEIN_CLOSE, s_no_fields, false},
};

static zsock_t *s_router, *s_dealer;
static sein_buf_t s_buf;

//  libFuzzer ends with exit (): close the sockets before czmq's own exit
//  handler counts them as dangling.
static void
s_close (void)
{
    zsock_destroy (&s_dealer);
    zsock_destroy (&s_router);
    sein_buf_free (&s_buf);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    (void) argc;
    (void) argv;
    const sein_wire_command_t own[] = {
        {SEIN_SUBMIT, NULL, true}, {SEIN_CLASSIFY, NULL, true}, {SEIN_PING, s_no_fields, false}};
    memcpy (s_intake, own, sizeof own);
    memcpy (s_intake + 3, sein_query_commands,
            sein_query_ncommands * sizeof sein_query_commands[0]);
    s_nintake = 3 + sein_query_ncommands;
    zsys_set_linger (0);
    char *error = NULL;
    s_router = sein_wire_bind ("inproc://fuzz-wire", 1 << 20, 1000, 1000, 0, 0, NULL,
                               NULL, &error);
    if (!s_router) {
        fprintf (stderr, "%s\n", error);
        abort ();
    }
    s_dealer = zsock_new_dealer (">inproc://fuzz-wire");
    sein_fuzz_check (s_dealer);
    atexit (s_close);
    return 0;
}

//  Wait up to 5 s for a message on HANDLE. libFuzzer's SIGALRM (its
//  -timeout watchdog) interrupts zmq_poll now and then: poll again.
static void
s_wait (void *handle)
{
    zmq_pollitem_t item = {handle, 0, ZMQ_POLLIN, 0};
    int64_t deadline = zclock_mono () + 5000;
    int rc;
    do
        rc = zmq_poll (&item, 1, deadline - zclock_mono ());
    while (rc < 0 && zmq_errno () == EINTR && zclock_mono () < deadline);
    sein_fuzz_check (rc == 1);
}

//  Read the DEALER's side of a reply: all its frames, into PARTS.
static size_t
s_recv_reply (zmq_msg_t *parts, size_t max)
{
    void *handle = zsock_resolve (s_dealer);
    s_wait (handle);
    size_t count = 0;
    bool more = true;
    while (more) {
        zmq_msg_t part;
        zmq_msg_init (&part);
        int rc;
        do //  a signal can interrupt even a receive that does not wait
            rc = zmq_msg_recv (&part, handle, ZMQ_DONTWAIT);
        while (rc < 0 && zmq_errno () == EINTR);
        sein_fuzz_check (rc >= 0);
        more = zmq_msg_more (&part);
        if (count < max)
            zmq_msg_move (&parts[count], &part);
        count++;
        zmq_msg_close (&part);
    }
    return count;
}

static bool
s_part_is (zmq_msg_t *part, const void *data, size_t size)
{
    return zmq_msg_size (part) == size && memcmp (zmq_msg_data (part), data, size) == 0;
}

//  Answer the refused REQUEST as the daemon does and check what a client gets.
static void
s_check_reject (const sein_request_t *request)
{
    const sein_envelope_t *envelope = &request->envelope;
    sein_fuzz_check (request->reply && request->error.code && *request->error.code);
    sein_fuzz_check (sein_wire_reject (zsock_resolve (s_router), envelope, request->reply,
                                       NULL, &request->error, &s_buf) == 0);
    zmq_msg_t parts[6];
    for (size_t index = 0; index < 6; index++)
        zmq_msg_init (&parts[index]);
    size_t count = s_recv_reply (parts, 6);
    size_t at = envelope->delimiter ? 1 : 0;
    sein_fuzz_check (count == at + 4);
    if (envelope->delimiter)
        sein_fuzz_check (zmq_msg_size (&parts[0]) == 0);
    sein_fuzz_check (s_part_is (&parts[at], SEIN_PROTOCOL, strlen (SEIN_PROTOCOL)));
    sein_fuzz_check (s_part_is (&parts[at + 1], request->reply, strlen (request->reply)));
    sein_fuzz_check (s_part_is (&parts[at + 2], envelope->corr, envelope->corr_size));
    //  The body: JSON a strict client parses (jansson checks UTF-8 too).
    json_error_t error;
    json_t *body = json_loadb ((const char *) zmq_msg_data (&parts[at + 3]),
                               zmq_msg_size (&parts[at + 3]), JSON_REJECT_DUPLICATES, &error);
    if (!body)
        fprintf (stderr, "reply body: %s: %.*s\n", error.text,
                 (int) zmq_msg_size (&parts[at + 3]), (char *) zmq_msg_data (&parts[at + 3]));
    sein_fuzz_check (body);
    sein_fuzz_check (streq (json_string_value (json_object_get (body, "status")) ?: "",
                            "rejected"));
    json_t *code = json_object_get (json_object_get (body, "error"), "code");
    sein_fuzz_check (json_is_string (code) &&
                     streq (json_string_value (code), request->error.code));
    json_decref (body);
    for (size_t index = 0; index < 6; index++)
        zmq_msg_close (&parts[index]);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0; //  a message needs a frame
    bool watch = data[0] & 1;
    size_t message_max = data[0] & 2 ? 1024 : 65536;
    const sein_wire_command_t *commands = watch ? s_watch : s_intake;
    size_t ncommands = watch ? sizeof s_watch / sizeof s_watch[0] : s_nintake;

    void *dealer = zsock_resolve (s_dealer);
    size_t at = 1;
    while (at < size) {
        size_t length = data[at];
        if (at + 1 < size)
            length |= (size_t) data[at + 1] << 8;
        at += 2;
        if (at > size)
            at = size;
        if (length > size - at)
            length = size - at;
        bool last = at + length >= size;
        zmq_send (dealer, data + at, length, last ? 0 : ZMQ_SNDMORE);
        at += length;
    }

    void *router = zsock_resolve (s_router);
    s_wait (router);
    sein_request_t request;
    sein_request_init (&request);
    int rc = sein_wire_recv (router, commands, ncommands, message_max, NULL, &request);
    sein_fuzz_check (rc == 0);
    sein_fuzz_check (request.envelope.corr_size <= 255);
    if (request.rejected)
        s_check_reject (&request);
    else {
        const sein_wire_command_t *command = request.command;
        sein_fuzz_check (command >= commands && command < commands + ncommands);
        sein_fuzz_check (zmq_msg_size (&request.body) <= message_max);
        if (command->raw)
            sein_fuzz_check (!request.json);
        else {
            sein_fuzz_check (json_is_object (request.json));
            const char *key;
            json_t *value;
            json_object_foreach (request.json, key, value) {
                bool known = false;
                for (const char *const *field = command->fields; *field; field++)
                    known |= streq (*field, key);
                sein_fuzz_check (known);
            }
        }
    }
    sein_request_clear (&request);
    //  One message in, nothing left behind.
    rc = sein_wire_recv (router, commands, ncommands, message_max, NULL, &request);
    sein_fuzz_check (rc == -1);
    return 0;
}
