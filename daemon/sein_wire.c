// SPDX-License-Identifier: MPL-2.0
/*  sein_wire.c - SEIN/1 on a ROUTER socket: bind, read and check, answer */
#include "sein_wire.h"

#include "sein.h"
#include "sein_alloc.h"

#include <math.h>

#define S_CORR_MAX 255

void
sein_request_init (sein_request_t *request)
{
    memset (request, 0, sizeof *request);
    zmq_msg_init (&request->body);
}

void
sein_request_clear (sein_request_t *request)
{
    zmq_msg_close (&request->body);
    json_decref (request->json);
    sein_request_init (request);
}

//  Receive the parts of one message after its routing id into PARTS (the
//  first four kept, the rest counted and dropped). Returns the number of
//  parts, or -1 when no message is waiting.
static int
s_recv_parts (void *handle, sein_envelope_t *envelope, zmq_msg_t parts[4])
{
    zmq_msg_t part;
    zmq_msg_init (&part);
    if (zmq_msg_recv (&part, handle, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close (&part);
        return -1;
    }
    //  A ROUTER's routing id is at most 255 bytes.
    envelope->routing_size = zmq_msg_size (&part);
    memcpy (envelope->routing, zmq_msg_data (&part), envelope->routing_size);
    int count = 0;
    bool more = zmq_msg_more (&part);
    while (more) {
        zmq_msg_close (&part);
        zmq_msg_init (&part);
        //  The rest of a message is there, but a signal that lands in
        //  libzmq's command processing fails the receive with EINTR: take
        //  the frame again, or the message would be cut in two.
        while (zmq_msg_recv (&part, handle, 0) < 0 && zmq_errno () == EINTR)
            ;
        more = zmq_msg_more (&part);
        if (count == 0 && !envelope->delimiter && zmq_msg_size (&part) == 0)
            envelope->delimiter = true;
        else if (count < 4) {
            zmq_msg_init (&parts[count]);
            zmq_msg_move (&parts[count++], &part);
        } else
            count++;
    }
    zmq_msg_close (&part);
    return count;
}

static bool
s_part_is (zmq_msg_t *part, const char *text)
{
    size_t len = strlen (text);
    return zmq_msg_size (part) == len && memcmp (zmq_msg_data (part), text, len) == 0;
}

//  What jansson cannot take from valid JSON, found before it parses: an
//  escaped NUL in a name (jansson refuses it as a syntax error) or a
//  string (which no C string can hold), and a number that fits neither a
//  64-bit integer nor a double (jansson refuses both as syntax errors).
//  Each is a `value` error naming the member that holds it, reported
//  after the body has been read as JSON (docs/PROTOCOL.md, "Errors").
typedef struct {
    bool nul, number;          //  found one
    sein_error_t nul_error;    //  the first escaped NUL's
    sein_error_t number_error; //  the first unrepresentable number's
} s_scan_t;

//  Fill ERROR as a `value` error about the member at DEPTH (IN_KEY: in
//  its name) whose names at levels 1 and 2 are KEYS (raw text, NULL where
//  the level is an array). A name is that of the object holding it.
static void
s_scan_error (sein_error_t *error, const char *keys[3], int depth, bool in_key,
              const char *what)
{
    int level = in_key ? depth - 1 : depth;
    const char *field = NULL;
    if (level >= 1 && keys[1])
        field = level >= 2 && keys[2] ? sein_error_name (error, keys[1], keys[2])
                                      : sein_error_name (error, NULL, keys[1]);
    sein_error_set (error, "value", field, "%s %s", field ? field : "the body", what);
}

//  True when the number token TEXT (SIZE bytes, JSON grammar) fits what
//  jansson reads it into: a json_int_t without fraction or exponent,
//  else a finite double.
static bool
s_number_fits (const char *text, size_t size)
{
    bool negative = size && text[0] == '-';
    if (!memchr (text, '.', size) && !memchr (text, 'e', size) &&
        !memchr (text, 'E', size)) {
        uint64_t value = 0, limit = negative ? (uint64_t) INT64_MAX + 1 : INT64_MAX;
        for (size_t at = negative; at < size; at++) {
            unsigned digit = (unsigned) (text[at] - '0');
            if (value > (limit - digit) / 10)
                return false;
            value = value * 10 + digit;
        }
        return true;
    }
    //  A double overflows only through an exponent or 309 digits.
    if (size < 309 && !memchr (text, 'e', size) && !memchr (text, 'E', size))
        return true;
    char *copy = sein_strndup (text, size);
    double value = strtod (copy, NULL);
    free (copy);
    return isfinite (value);
}

//  One pass over BODY (SIZE bytes of valid UTF-8) before it is parsed:
//  refuses nesting deeper than SEIN_JSON_DEPTH_MAX (code `json`) before
//  jansson recurses, and notes in *SCAN what jansson cannot take. With
//  PATCH (a copy of BODY), overwrites each such thing there with what
//  jansson takes (\u0020, or 0 padded with spaces), so that the copy
//  parses where BODY is valid JSON. Returns 0, or -1 with ERROR set.
static int
s_scan (const char *body, size_t size, s_scan_t *scan, char *patch, sein_error_t *error)
{
    bool in_string = false, in_key = false;
    int depth = 0;
    //  Levels 1 and 2: whether an object, whether its ':' was seen (the
    //  next string is a value), and the current member's name.
    bool object[3] = {false}, after_colon[3] = {false};
    char names[3][65] = {"", "", ""};
    const char *keys[3] = {NULL, NULL, NULL};
    size_t key_start = 0;
    for (size_t at = 0; at < size; at++) {
        char c = body[at];
        if (in_string) {
            if (c == '"') {
                in_string = false;
                if (in_key && depth <= 2) {
                    size_t len = at - key_start < 64 ? at - key_start : 64;
                    memcpy (names[depth], body + key_start, len);
                    names[depth][len] = 0;
                    keys[depth] = names[depth];
                }
            } else if (c == '\\') {
                if (size - at >= 6 && memcmp (body + at + 1, "u0000", 5) == 0) {
                    if (!scan->nul)
                        s_scan_error (&scan->nul_error, keys, depth, in_key,
                                      "contains a NUL character (\\u0000)");
                    scan->nul = true;
                    if (patch)
                        memcpy (patch + at + 1, "u0020", 5);
                }
                at++; //  whatever is escaped, jansson checks it
            }
        } else if (c == '"') {
            in_string = true;
            in_key = depth >= 1 && depth <= 2 && object[depth] && !after_colon[depth];
            key_start = at + 1;
        } else if (c == '{' || c == '[') {
            if (++depth > SEIN_JSON_DEPTH_MAX)
                return sein_error_set (error, "json", NULL,
                                       "body is nested deeper than %d levels (byte %zu)",
                                       SEIN_JSON_DEPTH_MAX, at);
            if (depth <= 2) {
                object[depth] = c == '{';
                after_colon[depth] = false;
                keys[depth] = NULL;
            }
        } else if (c == '}' || c == ']') {
            if (depth > 0)
                depth--; //  unbalanced: jansson refuses it
        } else if (c == ':' || c == ',') {
            if (depth >= 1 && depth <= 2)
                after_colon[depth] = c == ':';
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            size_t end = at;
            while (end < size && strchr ("0123456789+-.eE", body[end]) && body[end])
                end++;
            if (!s_number_fits (body + at, end - at)) {
                if (!scan->number)
                    s_scan_error (&scan->number_error, keys, depth, false,
                                  "is a number out of range");
                scan->number = true;
                if (patch) {
                    patch[at] = '0';
                    memset (patch + at + 1, ' ', end - at - 1);
                }
            }
            at = end - 1;
        }
    }
    return 0;
}

//  Copy the error FROM, a member of a scan, into ERROR; its field may
//  point into FROM's own name.
static void
s_take (sein_error_t *error, const sein_error_t *from)
{
    *error = *from;
    if (from->field == from->name)
        error->field = error->name;
}

//  Parse BODY (SIZE bytes, already bounded) as a JSON object with only the
//  FIELDS named. Returns the object, or NULL with ERROR set.
static json_t *
s_parse_body (const char *body, size_t size, const char *const *fields,
              sein_error_t *error)
{
    size_t offset;
    if (sein_body_has_bom (body, size)) {
        sein_error_set (error, "json", NULL, SEIN_BOM_MESSAGE);
        return NULL;
    }
    if (!sein_utf8_valid (body, size, &offset)) {
        sein_error_set (error, "utf8", NULL, "body is not valid UTF-8 (byte %zu)", offset);
        return NULL;
    }
    s_scan_t scan = {false};
    if (s_scan (body, size, &scan, NULL, error))
        return NULL;
    char *patched = NULL;
    if (scan.nul || scan.number) {
        //  Rare: parse a copy in which they are replaced, to report them
        //  after the syntax, as for every other body.
        //  The body may hold NUL bytes (jansson refuses them): copy all
        //  SIZE bytes, not up to the first NUL as strndup would.
        patched = (char *) sein_malloc (size + 1);
        memcpy (patched, body, size);
        patched[size] = 0;
        s_scan (body, size, &scan, patched, error);
    }
    json_error_t parse;
    json_t *json =
        json_loadb (patched ? patched : body, size, JSON_REJECT_DUPLICATES, &parse);
    free (patched);
    if (!json) {
        //  jansson quotes the bytes near the error, which may end inside a
        //  character: keep its text ASCII so the reply stays UTF-8.
        for (char *at = parse.text; *at; at++)
            if ((unsigned char) *at >= 0x80)
                *at = '?';
        sein_error_set (error, "json", NULL, "body is not valid JSON: %s (byte %d)",
                        parse.text, parse.position);
        return NULL;
    }
    if (!json_is_object (json)) {
        json_decref (json);
        sein_error_set (error, "json", NULL, "body must be a JSON object");
        return NULL;
    }
    if (scan.nul) {
        s_take (error, &scan.nul_error);
        json_decref (json);
        return NULL;
    }
    const char *key;
    json_t *value;
    json_object_foreach (json, key, value) {
        size_t index = 0;
        while (fields[index] && !streq (fields[index], key))
            index++;
        if (!fields[index]) {
            const char *name = sein_error_name (error, NULL, key);
            char known[160] = "";
            for (index = 0; fields[index]; index++)
                snprintf (known + strlen (known), sizeof known - strlen (known), "%s%s",
                          index ? ", " : "", fields[index]);
            sein_error_set (error, "unknown-field", name,
                            *known ? "'%s' is not a field of this command (%s)"
                                   : "'%s' is not a field of this command (it takes {})",
                            name, known);
            json_decref (json);
            return NULL;
        }
    }
    if (scan.number) {
        s_take (error, &scan.number_error);
        json_decref (json);
        return NULL;
    }
    return json;
}

//  Check REQUEST, read into PARTS (COUNT of them); sets `rejected` and
//  `error` when it is refused.
static void
s_check (sein_request_t *request, zmq_msg_t *parts, int count,
         const sein_wire_command_t *commands, size_t ncommands, size_t message_max)
{
    sein_error_t *error = &request->error;
    request->reply = SEIN_ERROR;
    request->rejected = true;
    if (count != 4) {
        sein_error_set (error, "frames", NULL,
                        "expected 4 frames: \"%s\", command, correlation id, JSON body",
                        SEIN_PROTOCOL);
        return;
    }
    if (!s_part_is (&parts[0], SEIN_PROTOCOL)) {
        sein_error_version (error, zmq_msg_data (&parts[0]), zmq_msg_size (&parts[0]));
        return;
    }
    if (zmq_msg_size (&parts[2]) > S_CORR_MAX) {
        sein_error_set (error, "frames", NULL, "correlation id longer than 255 bytes");
        return;
    }
    size_t index = 0;
    while (index < ncommands && !s_part_is (&parts[1], commands[index].name))
        index++;
    if (index == ncommands) {
        //  Only printable ASCII of an unknown command is echoed.
        char name[33];
        size_t size = zmq_msg_size (&parts[1]) < 32 ? zmq_msg_size (&parts[1]) : 32;
        const char *data = (const char *) zmq_msg_data (&parts[1]);
        for (size_t at = 0; at < size; at++)
            name[at] = data[at] > 0x20 && data[at] < 0x7f ? data[at] : '?';
        name[size] = 0;
        sein_error_set (error, "command", NULL, "unknown command '%s'", name);
        return;
    }
    request->command = &commands[index];
    request->reply = commands[index].name;
    if (!sein_auth_allows (&request->principal, commands[index].name)) {
        if (*request->principal.role)
            sein_error_set (error, "forbidden", NULL, "the key '%s' (role %s) may not send %s",
                            request->principal.name, request->principal.role,
                            commands[index].name);
        else
            sein_error_set (error, "forbidden", NULL,
                            "this key is not, or no longer, known to seind");
        return;
    }
    size_t size = zmq_msg_size (&parts[3]);
    if (size > message_max) {
        sein_error_set (error, "too-large", NULL,
                        "body of %zu bytes is larger than limits.message_max (%zu)", size,
                        message_max);
        return;
    }
    if (!commands[index].raw &&
        !(request->json = s_parse_body ((const char *) zmq_msg_data (&parts[3]), size,
                                        commands[index].fields, error)))
        return;
    request->rejected = false;
    zmq_msg_move (&request->body, &parts[3]);
}

//  Fill PRINCIPAL for a message whose first part after the routing id is
//  PART (NULL: none): the keyring's entry for its "User-Id", else none.
static void
s_principal (sein_keyring_t *keyring, zmq_msg_t *part, sein_principal_t *principal)
{
    if (!keyring) {
        sein_principal_anonymous (principal);
        return;
    }
    const char *key = part ? zmq_msg_gets (part, "User-Id") : NULL;
    if (!key || sein_keyring_lookup (keyring, key, principal))
        memset (principal, 0, sizeof *principal); //  no name, no rights
}

int
sein_wire_recv (void *handle, const sein_wire_command_t *commands, size_t ncommands,
                size_t message_max, sein_keyring_t *keyring, sein_request_t *request)
{
    zmq_msg_t parts[4];
    int count = s_recv_parts (handle, &request->envelope, parts);
    if (count < 0)
        return -1;
    s_principal (keyring, count > 0 ? &parts[0] : NULL, &request->principal);
    //  The correlation id is echoed whenever it fits, even on a refusal.
    if (count >= 3 && zmq_msg_size (&parts[2]) <= S_CORR_MAX) {
        request->envelope.corr_size = zmq_msg_size (&parts[2]);
        memcpy (request->envelope.corr, zmq_msg_data (&parts[2]),
                request->envelope.corr_size);
    }
    s_check (request, parts, count, commands, ncommands, message_max);
    for (int index = 0; index < count && index < 4; index++)
        zmq_msg_close (&parts[index]);
    return 0;
}

json_t *
sein_wire_field (json_t *body, const char *key)
{
    json_t *value = json_object_get (body, key);
    return json_is_null (value) ? NULL : value;
}

//  Send the frames of a reply before its body. Returns 0, or -1 when the
//  client is gone or its queue is full.
static int
s_send_head (void *handle, const sein_envelope_t *envelope, const char *command)
{
    if (zmq_send (handle, envelope->routing, envelope->routing_size,
                  ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
        return -1;
    //  Once the routing part is taken, the rest of the message is too.
    if (envelope->delimiter)
        zmq_send (handle, "", 0, ZMQ_SNDMORE);
    zmq_send (handle, SEIN_PROTOCOL, strlen (SEIN_PROTOCOL), ZMQ_SNDMORE);
    zmq_send (handle, command, strlen (command), ZMQ_SNDMORE);
    zmq_send (handle, envelope->corr, envelope->corr_size, ZMQ_SNDMORE);
    return 0;
}

int
sein_wire_send (void *handle, const sein_envelope_t *envelope, const char *command,
                const char *text, size_t size)
{
    if (s_send_head (handle, envelope, command))
        return -1;
    zmq_send (handle, text, size, 0);
    return 0;
}

int
sein_wire_send_msg (void *handle, const sein_envelope_t *envelope, const char *command,
                    zmq_msg_t *body)
{
    if (s_send_head (handle, envelope, command))
        return -1;
    if (zmq_msg_send (body, handle, 0) < 0)
        zmq_msg_close (body);
    return 0;
}

void
sein_wire_render_error (sein_buf_t *buf, const char *external_id, const sein_error_t *error)
{
    sein_buf_reset (buf);
    sein_buf_raw (buf, "{", 1);
    sein_buf_field_string (buf, "status", "rejected");
    sein_buf_field_string (buf, "external_id", external_id);
    sein_buf_key (buf, "error");
    sein_buf_raw (buf, "{", 1);
    sein_buf_field_string (buf, "code", error->code);
    sein_buf_key (buf, "field");
    sein_buf_string (buf, error->field);
    sein_buf_field_string (buf, "message", error->message);
    sein_buf_raw (buf, "}}", 2);
}

int
sein_wire_reject (void *handle, const sein_envelope_t *envelope, const char *command,
                  const char *external_id, const sein_error_t *error, sein_buf_t *buf)
{
    sein_wire_render_error (buf, external_id, error);
    return sein_wire_send (handle, envelope, command, buf->data, buf->size);
}

void
sein_wire_pin (zsock_t *socket, int io_thread)
{
    //  Affinity decides the I/O thread of each connection the socket
    //  accepts later; a mask naming no existing thread would fail the bind.
    if (zmq_ctx_get (zsys_init (), ZMQ_IO_THREADS) > io_thread)
        zsock_set_affinity (socket, 1 << io_thread);
}

zsock_t *
sein_wire_bind (const char *endpoint, size_t message_max, int sndhwm, int rcvhwm, int linger,
                int io_thread, zcert_t *cert, const char *domain, char **error_p)
{
    zsock_t *socket = zsock_new (ZMQ_ROUTER);
    if (!socket) {
        *error_p = sein_sprintf ("cannot create a socket for %s: %s", endpoint,
                                 zmq_strerror (zmq_errno ()));
        return NULL;
    }
    sein_wire_pin (socket, io_thread);
    int64_t maxmsgsize = (int64_t) (message_max + SEIN_WIRE_SLACK);
    zmq_setsockopt (zsock_resolve (socket), ZMQ_MAXMSGSIZE, &maxmsgsize, sizeof maxmsgsize);
    zsock_set_sndhwm (socket, sndhwm);
    zsock_set_rcvhwm (socket, rcvhwm);
    zsock_set_router_mandatory (socket, 1);
    zsock_set_sndtimeo (socket, 0);
    zsock_set_rcvtimeo (socket, 0);
    //  czmq's default linger is 0: replies still queued when the socket
    //  closes would be dropped.
    zsock_set_linger (socket, linger);
    if (cert)
        sein_auth_apply (cert, socket, domain);
    if (zsock_bind (socket, "%s", endpoint) < 0) {
        *error_p = sein_sprintf ("cannot bind %s: %s", endpoint, zmq_strerror (zmq_errno ()));
        zsock_destroy (&socket);
    }
    return socket;
}
