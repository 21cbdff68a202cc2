// SPDX-License-Identifier: MPL-2.0
/*  test_hostile.c - malformed messages on both ROUTER sockets (issue 13)

    The real seind (bundled configuration, fresh store, ipc:// endpoints)
    gets broken messages on its intake and watch sockets, one row of a
    table each: wrong frame counts and empty frames, wrong versions and
    commands, non-JSON, deep nesting, bad UTF-8, NUL bytes, wrong types,
    numbers no C type holds, unknown fields, over-long bodies. Each row
    names the reply docs/PROTOCOL.md promises (reply command, error code,
    field), and the test compares the daemon's answer with it. After the
    table the daemon must still answer PING, the store must be unchanged
    (head and total) and its resident memory flat over repeated rounds.

    Apart from the table: frames too large to be read at all (the
    connection is dropped, seind's memory does not move), bodies just
    over limits.message_max, a credit grant of 2^63 - 1, EVENTS beyond
    limits.events_max, and 2,000 connections at once.
*/
#include "sein_harness.h"

#include "sein.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <czmq.h>
#include <sys/resource.h>

//  The limits this file runs seind with (the bundled defaults, set
//  explicitly so that the rows' sizes follow them).
#define S_MESSAGE_MAX 65536
#define S_SLACK 65536 //  SEIN_WIRE_SLACK: frames beyond max + slack are dropped
#define S_EVENTS_MAX 1000
#define S_CREDIT_MAX 1000
#define S_REPLY_MS 3000
#define S_CONNECTIONS 2000

//  A resident memory that moves more than this over the rounds of the
//  table is growth, not allocator noise (measured: under 1 MB).
#define S_FLAT_KB (4 * 1024)

//  ---------------------------------------------------------------------
//  The table

typedef enum { S_INTAKE, S_WATCH } s_socket_t;

//  Make the body of a row (fresh, *SIZE_P its length) for what a literal
//  cannot say: sizes that follow the limits, deep nesting.
typedef char *(s_make_fn) (size_t *size_p);

typedef struct {
    const char *name;
    s_socket_t socket;
    bool session; //  watch: open a session on the connection first
    int nframes;
    //  The frames; "$" is replaced by the row's correlation id, "$LONG" by
    //  256 bytes (too long to be one). A size of 0 means strlen.
    const char *frames[6];
    size_t sizes[6];
    s_make_fn *make; //  when set, makes the last frame
    const char *reply;
    const char *code;
    const char *field; //  NULL: the error names no field
} s_case_t;

//  A body of SIZE bytes that is a valid JSON object: {"id":"xxx…"}.
static char *
s_object_of (size_t size)
{
    char *body = (char *) zmalloc (size + 1);
    memset (body, 'x', size);
    memcpy (body, "{\"id\":\"", 7);
    memcpy (body + size - 2, "\"}", 2);
    return body;
}

static char *
s_just_over (size_t *size_p)
{
    *size_p = S_MESSAGE_MAX + 1;
    return s_object_of (*size_p);
}

static char *
s_at_max (size_t *size_p)
{
    *size_p = S_MESSAGE_MAX;
    return s_object_of (*size_p);
}

//  The largest frame that is still read (and answered too-large).
static char *
s_at_slack (size_t *size_p)
{
    *size_p = S_MESSAGE_MAX + S_SLACK;
    return s_object_of (*size_p);
}

//  {"id": [[[…]]]} nested LEVELS deep in all (the body is level 1).
static char *
s_nested (size_t levels, size_t *size_p)
{
    size_t inner = levels - 1;
    *size_p = 7 + 2 * inner + 1;
    char *body = (char *) zmalloc (*size_p + 1);
    memcpy (body, "{\"id\": ", 7);
    memset (body + 7, '[', inner);
    memset (body + 7 + inner, ']', inner);
    body[7 + 2 * inner] = '}';
    return body;
}

static char *
s_deep_33 (size_t *size_p)
{
    return s_nested (33, size_p);
}

static char *
s_deep_32 (size_t *size_p)
{
    return s_nested (32, size_p);
}

//  Deep, and still within limits.message_max.
static char *
s_deep_30k (size_t *size_p)
{
    return s_nested (30000, size_p);
}

//  A WATCH filter of 33 areas, one more than a filter takes.
static char *
s_filter_33 (size_t *size_p)
{
    char *body = zsys_sprintf ("{\"credit\":1,\"filter\":{\"area\":[");
    for (int index = 0; index < 33; index++) {
        char *longer = zsys_sprintf ("%s%s\"heverlee\"", body, index ? "," : "");
        zstr_free (&body);
        body = longer;
    }
    char *whole = zsys_sprintf ("%s]}}", body);
    zstr_free (&body);
    *size_p = strlen (whole);
    return whole;
}

#define S_P SEIN_PROTOCOL
#define S_SIGNAL "\"description\":\"Afval op de stoep\",\"source\":\"citizen\""

// clang-format off
static const s_case_t s_cases[] = {
    //  Intake: framing.
    {"one frame", S_INTAKE, false, 1, {"hello"}, {0}, NULL, SEIN_ERROR, "frames", NULL},
    {"two frames", S_INTAKE, false, 2, {S_P, SEIN_PING}, {0}, NULL, SEIN_ERROR, "frames",
     NULL},
    {"three frames", S_INTAKE, false, 3, {S_P, SEIN_PING, "$"}, {0}, NULL, SEIN_ERROR,
     "frames", NULL},
    {"five frames", S_INTAKE, false, 5, {S_P, SEIN_PING, "$", "{}", "{}"}, {0}, NULL,
     SEIN_ERROR, "frames", NULL},
    {"six frames of a SUBMIT", S_INTAKE, false, 6,
     {S_P, SEIN_SUBMIT, "$", "{" S_SIGNAL "}", "x", "y"}, {0}, NULL, SEIN_ERROR, "frames",
     NULL},
    {"four empty frames", S_INTAKE, false, 4, {"", "", "", ""}, {0}, NULL, SEIN_ERROR,
     "frames", NULL},
    {"five empty frames", S_INTAKE, false, 5, {"", "", "", "", ""}, {0}, NULL, SEIN_ERROR,
     "version", NULL},
    {"empty version", S_INTAKE, false, 5, {"", "", SEIN_PING, "$", "{}"}, {0}, NULL,
     SEIN_ERROR, "version", NULL},
    {"SEIN/2", S_INTAKE, false, 4, {"SEIN/2", SEIN_PING, "$", "{}"}, {0}, NULL,
     SEIN_ERROR, "version", NULL},
    {"lowercase version", S_INTAKE, false, 4, {"sein/1", SEIN_PING, "$", "{}"}, {0}, NULL,
     SEIN_ERROR, "version", NULL},
    {"version with a NUL", S_INTAKE, false, 4, {"SEIN/1\0", SEIN_PING, "$", "{}"}, {7},
     NULL, SEIN_ERROR, "version", NULL},
    {"empty command", S_INTAKE, false, 4, {S_P, "", "$", "{}"}, {0}, NULL, SEIN_ERROR,
     "command", NULL},
    {"lowercase command", S_INTAKE, false, 4, {S_P, "ping", "$", "{}"}, {0}, NULL,
     SEIN_ERROR, "command", NULL},
    {"WATCH on intake", S_INTAKE, false, 4, {S_P, SEIN_WATCH, "$", "{\"credit\":1}"}, {0},
     NULL, SEIN_ERROR, "command", NULL},
    {"CREDIT on intake", S_INTAKE, false, 4, {S_P, SEIN_CREDIT, "$", "{\"credit\":1}"},
     {0}, NULL, SEIN_ERROR, "command", NULL},
    {"binary command", S_INTAKE, false, 4, {S_P, "\xff\x01", "$", "{}"}, {0}, NULL,
     SEIN_ERROR, "command", NULL},
    {"256-byte correlation id", S_INTAKE, false, 4, {S_P, SEIN_PING, "$LONG", "{}"}, {0},
     NULL, SEIN_ERROR, "frames",
     NULL}, //  Intake: bodies of commands read by the wire reader.
    {"PING empty body", S_INTAKE, false, 4, {S_P, SEIN_PING, "$", ""}, {0}, NULL,
     SEIN_PING, "json", NULL},
    {"PING not JSON", S_INTAKE, false, 4, {S_P, SEIN_PING, "$", "not json"}, {0}, NULL,
     SEIN_PING, "json", NULL},
    {"PING array", S_INTAKE, false, 4, {S_P, SEIN_PING, "$", "[]"}, {0}, NULL, SEIN_PING,
     "json", NULL},
    {"PING null", S_INTAKE, false, 4, {S_P, SEIN_PING, "$", "null"}, {0}, NULL, SEIN_PING,
     "json", NULL},
    {"PING extra field", S_INTAKE, false, 4, {S_P, SEIN_PING, "$", "{\"verbose\":true}"},
     {0}, NULL, SEIN_PING, "unknown-field", "verbose"},
    {"PING trailing garbage", S_INTAKE, false, 4, {S_P, SEIN_PING, "$", "{} {}"}, {0},
     NULL, SEIN_PING, "json", NULL},
    {"STATS extra field", S_INTAKE, false, 4, {S_P, SEIN_STATS, "$", "{\"group\":\"area\"}"},
     {0}, NULL, SEIN_STATS, "unknown-field", "group"},
    {"STATS by, not a list", S_INTAKE, false, 4, {S_P, SEIN_STATS, "$", "{\"by\":\"area\"}"},
     {0}, NULL, SEIN_STATS, "type", "by"},
    {"LIST extra field", S_INTAKE, false, 4, {S_P, SEIN_LIST, "$", "{\"wijk\":\"heverlee\"}"},
     {0}, NULL, SEIN_LIST, "unknown-field", "wijk"},
    {"STATS string body", S_INTAKE, false, 4, {S_P, SEIN_STATS, "$", "\"{}\""}, {0}, NULL,
     SEIN_STATS, "json", NULL},
    {"GET no id", S_INTAKE, false, 4, {S_P, SEIN_GET, "$", "{}"}, {0}, NULL, SEIN_GET,
     "required", "id"},
    {"GET id a number", S_INTAKE, false, 4, {S_P, SEIN_GET, "$", "{\"id\":5}"}, {0}, NULL,
     SEIN_GET, "type", "id"},
    {"GET id null", S_INTAKE, false, 4, {S_P, SEIN_GET, "$", "{\"id\":null}"}, {0}, NULL,
     SEIN_GET, "required", "id"},
    {"GET unknown id", S_INTAKE, false, 4, {S_P, SEIN_GET, "$", "{\"id\":\"nope\"}"}, {0},
     NULL, SEIN_GET, "not-found", "id"},
    {"GET extra field", S_INTAKE, false, 4,
     {S_P, SEIN_GET, "$", "{\"id\":\"a\",\"ID\":1}"}, {0}, NULL, SEIN_GET,
     "unknown-field", "ID"},
    {"GET duplicate key", S_INTAKE, false, 4,
     {S_P, SEIN_GET, "$", "{\"id\":\"a\",\"id\":\"b\"}"}, {0}, NULL, SEIN_GET, "json",
     NULL},
    {"GET byte-order mark", S_INTAKE, false, 4,
     {S_P, SEIN_GET, "$", "\xef\xbb\xbf{\"id\":\"a\"}"}, {0}, NULL, SEIN_GET, "json",
     NULL},
    {"GET invalid UTF-8", S_INTAKE, false, 4, {S_P, SEIN_GET, "$", "{\"id\":\"\xff\"}"},
     {0}, NULL, SEIN_GET, "utf8", NULL},
    {"GET overlong UTF-8", S_INTAKE, false, 4,
     {S_P, SEIN_GET, "$", "{\"id\":\"\xc0\xaf\"}"}, {0}, NULL, SEIN_GET, "utf8", NULL},
    {"GET UTF-8 surrogate", S_INTAKE, false, 4,
     {S_P, SEIN_GET, "$", "{\"id\":\"\xed\xa0\x80\"}"}, {0}, NULL, SEIN_GET, "utf8",
     NULL},
    {"GET truncated UTF-8", S_INTAKE, false, 4,
     {S_P, SEIN_GET, "$", "{\"id\":\"\xe2\x82\"}"}, {0}, NULL, SEIN_GET, "utf8", NULL},
    {"GET escaped NUL", S_INTAKE, false, 4,
     {S_P, SEIN_GET, "$", "{\"id\":\"a\\u0000b\"}"}, {0}, NULL, SEIN_GET, "value", "id"},
    {"GET escaped NUL in a name", S_INTAKE, false, 4,
     {S_P, SEIN_GET, "$", "{\"i\\u0000d\":\"a\"}"}, {0}, NULL, SEIN_GET, "value", NULL},
    {"GET raw NUL byte", S_INTAKE, false, 4, {S_P, SEIN_GET, "$", "{\"id\":\"a\0b\"}"},
     {0, 0, 0, 12}, NULL, SEIN_GET, "json", NULL},
    {"GET raw control character", S_INTAKE, false, 4,
     {S_P, SEIN_GET, "$", "{\"id\":\"a\x01\"}"}, {0}, NULL, SEIN_GET, "json", NULL},
    {"GET NUL between tokens", S_INTAKE, false, 4,
     {S_P, SEIN_GET, "$", "{\"id\":\0\"a\"}"}, {0, 0, 0, 11}, NULL, SEIN_GET, "json",
     NULL},
    {"GET nested 33 deep", S_INTAKE, false, 4, {S_P, SEIN_GET, "$"}, {0}, s_deep_33,
     SEIN_GET, "json", NULL},
    {"GET nested 32 deep", S_INTAKE, false, 4, {S_P, SEIN_GET, "$"}, {0}, s_deep_32,
     SEIN_GET, "type", "id"},
    {"GET nested 30,000 deep", S_INTAKE, false, 4, {S_P, SEIN_GET, "$"}, {0}, s_deep_30k,
     SEIN_GET, "json", NULL},
    {"GET unclosed", S_INTAKE, false, 4, {S_P, SEIN_GET, "$", "{\"id\":\"a\""}, {0}, NULL,
     SEIN_GET, "json", NULL},
    {"GET just over message_max", S_INTAKE, false, 4, {S_P, SEIN_GET, "$"}, {0},
     s_just_over, SEIN_GET, "too-large", NULL},
    {"GET at message_max", S_INTAKE, false, 4, {S_P, SEIN_GET, "$"}, {0}, s_at_max,
     SEIN_GET, "not-found", "id"},
    {"GET at message_max + slack", S_INTAKE, false, 4, {S_P, SEIN_GET, "$"}, {0},
     s_at_slack, SEIN_GET, "too-large", NULL},
    {"EVENTS no from", S_INTAKE, false, 4, {S_P, SEIN_EVENTS, "$", "{\"limit\":5}"}, {0},
     NULL, SEIN_EVENTS, "required", "from"},
    {"EVENTS from a string", S_INTAKE, false, 4,
     {S_P, SEIN_EVENTS, "$", "{\"from\":\"1\"}"}, {0}, NULL, SEIN_EVENTS, "type", "from"},
    {"EVENTS from a real", S_INTAKE, false, 4, {S_P, SEIN_EVENTS, "$", "{\"from\":1.0}"},
     {0}, NULL, SEIN_EVENTS, "type", "from"},
    {"EVENTS from 0", S_INTAKE, false, 4, {S_P, SEIN_EVENTS, "$", "{\"from\":0}"}, {0},
     NULL, SEIN_EVENTS, "value", "from"},
    {"EVENTS from -2^63", S_INTAKE, false, 4,
     {S_P, SEIN_EVENTS, "$", "{\"from\":-9223372036854775808}"}, {0}, NULL, SEIN_EVENTS,
     "value", "from"},
    {"EVENTS from 2^64", S_INTAKE, false, 4,
     {S_P, SEIN_EVENTS, "$", "{\"from\":18446744073709551616}"}, {0}, NULL, SEIN_EVENTS,
     "value", "from"},
    {"EVENTS from 1e400", S_INTAKE, false, 4, {S_P, SEIN_EVENTS, "$", "{\"from\":1e400}"},
     {0}, NULL, SEIN_EVENTS, "value", "from"},
    {"EVENTS from NaN", S_INTAKE, false, 4, {S_P, SEIN_EVENTS, "$", "{\"from\":NaN}"},
     {0}, NULL, SEIN_EVENTS, "json", NULL},
    {"EVENTS from Infinity", S_INTAKE, false, 4,
     {S_P, SEIN_EVENTS, "$", "{\"from\":-Infinity}"}, {0}, NULL, SEIN_EVENTS, "json",
     NULL},
    {"EVENTS from 01", S_INTAKE, false, 4, {S_P, SEIN_EVENTS, "$", "{\"from\":01}"}, {0},
     NULL, SEIN_EVENTS, "json", NULL},
    {"EVENTS limit 0", S_INTAKE, false, 4,
     {S_P, SEIN_EVENTS, "$", "{\"from\":1,\"limit\":0}"}, {0}, NULL, SEIN_EVENTS, "value",
     "limit"},
    {"EVENTS limit over events_max", S_INTAKE, false, 4,
     {S_P, SEIN_EVENTS, "$", "{\"from\":1,\"limit\":1001}"}, {0}, NULL, SEIN_EVENTS,
     "value", "limit"},
    {"EVENTS limit a bool", S_INTAKE, false, 4,
     {S_P, SEIN_EVENTS, "$", "{\"from\":1,\"limit\":true}"}, {0}, NULL, SEIN_EVENTS,
     "type", "limit"},
    {"EVENTS unknown field", S_INTAKE, false, 4,
     {S_P, SEIN_EVENTS, "$", "{\"from\":1,\"to\":5}"}, {0}, NULL, SEIN_EVENTS,
     "unknown-field", "to"}, //  Intake: submissions, read by the signal validator.
    {"SUBMIT empty body", S_INTAKE, false, 4, {S_P, SEIN_SUBMIT, "$", ""}, {0}, NULL,
     SEIN_SUBMIT, "json", NULL},
    {"SUBMIT array", S_INTAKE, false, 4, {S_P, SEIN_SUBMIT, "$", "[{" S_SIGNAL "}]"}, {0},
     NULL, SEIN_SUBMIT, "json", NULL},
    {"SUBMIT just over message_max", S_INTAKE, false, 4, {S_P, SEIN_SUBMIT, "$"}, {0},
     s_just_over, SEIN_SUBMIT, "too-large", NULL},
    {"SUBMIT byte-order mark", S_INTAKE, false, 4,
     {S_P, SEIN_SUBMIT, "$", "\xef\xbb\xbf{" S_SIGNAL "}"}, {0}, NULL, SEIN_SUBMIT,
     "json", NULL},
    {"SUBMIT invalid UTF-8", S_INTAKE, false, 4,
     {S_P, SEIN_SUBMIT, "$", "{" S_SIGNAL ",\"channel\":\"\xfe\"}"}, {0}, NULL,
     SEIN_SUBMIT, "utf8", NULL},
    {"SUBMIT escaped NUL", S_INTAKE, false, 4,
     {S_P, SEIN_SUBMIT, "$", "{\"description\":\"Afval\\u0000\",\"source\":\"citizen\"}"},
     {0}, NULL, SEIN_SUBMIT, "value", "description"},
    {"SUBMIT lat 1e400", S_INTAKE, false, 4,
     {S_P, SEIN_SUBMIT, "$", "{" S_SIGNAL ",\"lat\":1e400,\"long\":4.7}"}, {0}, NULL,
     SEIN_SUBMIT, "value", "lat"},
    {"SUBMIT lat NaN", S_INTAKE, false, 4,
     {S_P, SEIN_SUBMIT, "$", "{" S_SIGNAL ",\"lat\":NaN,\"long\":4.7}"}, {0}, NULL,
     SEIN_SUBMIT, "json", NULL},
    {"SUBMIT lat a string", S_INTAKE, false, 4,
     {S_P, SEIN_SUBMIT, "$", "{" S_SIGNAL ",\"lat\":\"50.8\",\"long\":4.7}"}, {0}, NULL,
     SEIN_SUBMIT, "type", "lat"},
    {"SUBMIT unknown field", S_INTAKE, false, 4,
     {S_P, SEIN_SUBMIT, "$", "{" S_SIGNAL ",\"colour\":\"red\"}"}, {0}, NULL, SEIN_SUBMIT,
     "unknown-field", "colour"},
    {"SUBMIT nested 33 deep", S_INTAKE, false, 4, {S_P, SEIN_SUBMIT, "$"}, {0}, s_deep_33,
     SEIN_SUBMIT, "json", NULL},
    {"CLASSIFY not JSON", S_INTAKE, false, 4, {S_P, SEIN_CLASSIFY, "$", "description=x"},
     {0}, NULL, SEIN_CLASSIFY, "json", NULL},  //  Watch: framing.
    {"watch: one frame", S_WATCH, false, 1, {S_P}, {0}, NULL, SEIN_ERROR, "frames", NULL},
    {"watch: three frames", S_WATCH, false, 3, {S_P, SEIN_WATCH, "$"}, {0}, NULL,
     SEIN_ERROR, "frames", NULL},
    {"watch: five frames", S_WATCH, false, 5,
     {S_P, SEIN_WATCH, "$", "{\"credit\":1}", ""}, {0}, NULL, SEIN_ERROR, "frames", NULL},
    {"watch: empty frames", S_WATCH, false, 4, {"", "", "", ""}, {0}, NULL, SEIN_ERROR,
     "frames", NULL},
    {"watch: SEIN/2", S_WATCH, false, 4, {"SEIN/2", SEIN_WATCH, "$", "{\"credit\":1}"},
     {0}, NULL, SEIN_ERROR, "version", NULL},
    {"watch: empty version", S_WATCH, false, 5,
     {"", "", SEIN_WATCH, "$", "{\"credit\":1}"}, {0}, NULL, SEIN_ERROR, "version", NULL},
    {"watch: PING", S_WATCH, false, 4, {S_P, SEIN_PING, "$", "{}"}, {0}, NULL, SEIN_ERROR,
     "command", NULL},
    {"watch: SUBMIT", S_WATCH, false, 4, {S_P, SEIN_SUBMIT, "$", "{" S_SIGNAL "}"}, {0},
     NULL, SEIN_ERROR, "command", NULL},
    {"watch: lowercase command", S_WATCH, false, 4, {S_P, "watch", "$", "{\"credit\":1}"},
     {0}, NULL, SEIN_ERROR, "command", NULL},
    {"watch: 256-byte tag", S_WATCH, false, 4,
     {S_P, SEIN_WATCH, "$LONG", "{\"credit\":1}"}, {0}, NULL, SEIN_ERROR, "frames",
     NULL}, //  Watch: WATCH bodies.
    {"WATCH empty body", S_WATCH, false, 4, {S_P, SEIN_WATCH, "$", ""}, {0}, NULL,
     SEIN_WATCH, "json", NULL},
    {"WATCH not JSON", S_WATCH, false, 4, {S_P, SEIN_WATCH, "$", "credit=1"}, {0}, NULL,
     SEIN_WATCH, "json", NULL},
    {"WATCH array", S_WATCH, false, 4, {S_P, SEIN_WATCH, "$", "[{\"credit\":1}]"}, {0},
     NULL, SEIN_WATCH, "json", NULL},
    {"WATCH number", S_WATCH, false, 4, {S_P, SEIN_WATCH, "$", "1"}, {0}, NULL,
     SEIN_WATCH, "json", NULL},
    {"WATCH byte-order mark", S_WATCH, false, 4,
     {S_P, SEIN_WATCH, "$", "\xef\xbb\xbf{\"credit\":1}"}, {0}, NULL, SEIN_WATCH, "json",
     NULL},
    {"WATCH invalid UTF-8", S_WATCH, false, 4,
     {S_P, SEIN_WATCH, "$", "{\"credit\":1,\"since_time\":\"\x80\"}"}, {0}, NULL,
     SEIN_WATCH, "utf8", NULL},
    {"WATCH duplicate key", S_WATCH, false, 4,
     {S_P, SEIN_WATCH, "$", "{\"credit\":1,\"credit\":2}"}, {0}, NULL, SEIN_WATCH, "json",
     NULL},
    {"WATCH nested 33 deep", S_WATCH, false, 4, {S_P, SEIN_WATCH, "$"}, {0}, s_deep_33,
     SEIN_WATCH, "json", NULL},
    {"WATCH just over message_max", S_WATCH, false, 4, {S_P, SEIN_WATCH, "$"}, {0},
     s_just_over, SEIN_WATCH, "too-large", NULL},
    {"WATCH unknown field", S_WATCH, false, 4,
     {S_P, SEIN_WATCH, "$", "{\"credit\":1,\"from\":1}"}, {0}, NULL, SEIN_WATCH,
     "unknown-field", "from"},
    {"WATCH no credit", S_WATCH, false, 4, {S_P, SEIN_WATCH, "$", "{}"}, {0}, NULL,
     SEIN_WATCH, "required", "credit"},
    {"WATCH credit a string", S_WATCH, false, 4,
     {S_P, SEIN_WATCH, "$", "{\"credit\":\"5\"}"}, {0}, NULL, SEIN_WATCH, "type",
     "credit"},
    {"WATCH credit a real", S_WATCH, false, 4, {S_P, SEIN_WATCH, "$", "{\"credit\":1.5}"},
     {0}, NULL, SEIN_WATCH, "type", "credit"},
    {"WATCH credit 0", S_WATCH, false, 4, {S_P, SEIN_WATCH, "$", "{\"credit\":0}"}, {0},
     NULL, SEIN_WATCH, "value", "credit"},
    {"WATCH credit -2^63", S_WATCH, false, 4,
     {S_P, SEIN_WATCH, "$", "{\"credit\":-9223372036854775808}"}, {0}, NULL, SEIN_WATCH,
     "value", "credit"},
    {"WATCH credit 2^63", S_WATCH, false, 4,
     {S_P, SEIN_WATCH, "$", "{\"credit\":9223372036854775808}"}, {0}, NULL, SEIN_WATCH,
     "value", "credit"},
    {"WATCH credit 1e400", S_WATCH, false, 4,
     {S_P, SEIN_WATCH, "$", "{\"credit\":1e400}"}, {0}, NULL, SEIN_WATCH, "value",
     "credit"},
    {"WATCH credit NaN", S_WATCH, false, 4, {S_P, SEIN_WATCH, "$", "{\"credit\":NaN}"},
     {0}, NULL, SEIN_WATCH, "json", NULL},
    {"WATCH credit Infinity", S_WATCH, false, 4,
     {S_P, SEIN_WATCH, "$", "{\"credit\":Infinity}"}, {0}, NULL, SEIN_WATCH, "json",
     NULL},
    {"WATCH since a string", S_WATCH, false, 4,
     {S_P, SEIN_WATCH, "$", "{\"credit\":1,\"since\":\"1\"}"}, {0}, NULL, SEIN_WATCH,
     "type", "since"},
    {"WATCH since negative", S_WATCH, false, 4,
     {S_P, SEIN_WATCH, "$", "{\"credit\":1,\"since\":-1}"}, {0}, NULL, SEIN_WATCH,
     "value", "since"},
    {"WATCH since beyond the head", S_WATCH, false, 4,
     {S_P, SEIN_WATCH, "$", "{\"credit\":1,\"since\":1000000}"}, {0}, NULL, SEIN_WATCH,
     "value", "since"},
    {"WATCH since_time not a time", S_WATCH, false, 4,
     {S_P, SEIN_WATCH, "$", "{\"credit\":1,\"since_time\":\"yesterday\"}"}, {0}, NULL,
     SEIN_WATCH, "value", "since_time"},
    {"WATCH since_time a number", S_WATCH, false, 4,
     {S_P, SEIN_WATCH, "$", "{\"credit\":1,\"since_time\":5}"}, {0}, NULL, SEIN_WATCH,
     "type", "since_time"},
    {"WATCH since_time escaped NUL", S_WATCH, false, 4,
     {S_P, SEIN_WATCH, "$", "{\"credit\":1,\"since_time\":\"2026\\u0000\"}"}, {0}, NULL,
     SEIN_WATCH, "value", "since_time"},
    {"WATCH escaped NUL in a name", S_WATCH, false, 4,
     {S_P, SEIN_WATCH, "$", "{\"cre\\u0000dit\":1}"}, {0}, NULL, SEIN_WATCH, "value",
     NULL},
    {"WATCH filter a string", S_WATCH, false, 4,
     {S_P, SEIN_WATCH, "$", "{\"credit\":1,\"filter\":\"heverlee\"}"}, {0}, NULL,
     SEIN_WATCH, "type", "filter"},
    {"WATCH filter unknown key", S_WATCH, false, 4,
     {S_P, SEIN_WATCH, "$", "{\"credit\":1,\"filter\":{\"colour\":\"red\"}}"}, {0}, NULL,
     SEIN_WATCH, "unknown-field", "filter.colour"},
    {"WATCH filter unknown area", S_WATCH, false, 4,
     {S_P, SEIN_WATCH, "$", "{\"credit\":1,\"filter\":{\"area\":\"atlantis\"}}"}, {0},
     NULL, SEIN_WATCH, "unknown-area", "filter.area"},
    {"WATCH filter unknown theme", S_WATCH, false, 4,
     {S_P, SEIN_WATCH, "$", "{\"credit\":1,\"filter\":{\"theme\":[\"jeugd\",\"pirates\"]}}"},
     {0}, NULL, SEIN_WATCH, "unknown-theme", "filter.theme"},
    {"WATCH filter unknown team", S_WATCH, false, 4,
     {S_P, SEIN_WATCH, "$", "{\"credit\":1,\"filter\":{\"team\":\"nobody\"}}"}, {0}, NULL,
     SEIN_WATCH, "unknown-team", "filter.team"},
    {"WATCH filter bad priority", S_WATCH, false, 4,
     {S_P, SEIN_WATCH, "$", "{\"credit\":1,\"filter\":{\"priority\":\"meh\"}}"}, {0},
     NULL, SEIN_WATCH, "value", "filter.priority"},
    {"WATCH filter value a number", S_WATCH, false, 4,
     {S_P, SEIN_WATCH, "$", "{\"credit\":1,\"filter\":{\"area\":5}}"}, {0}, NULL,
     SEIN_WATCH, "type", "filter.area"},
    {"WATCH filter value empty", S_WATCH, false, 4,
     {S_P, SEIN_WATCH, "$", "{\"credit\":1,\"filter\":{\"area\":\"\"}}"}, {0}, NULL,
     SEIN_WATCH, "empty", "filter.area"},
    {"WATCH filter of 33 values", S_WATCH, false, 4, {S_P, SEIN_WATCH, "$"}, {0},
     s_filter_33, SEIN_WATCH, "too-long", "filter.area"},
    {"WATCH filter escaped NUL", S_WATCH, false, 4,
     {S_P, SEIN_WATCH, "$", "{\"credit\":1,\"filter\":{\"area\":\"a\\u0000\"}}"}, {0},
     NULL, SEIN_WATCH, "value",
     "filter.area"}, //  Watch: CREDIT, HEARTBEAT and CLOSE, with and without a session.
    {"CREDIT without a session", S_WATCH, false, 4,
     {S_P, SEIN_CREDIT, "$", "{\"credit\":5}"}, {0}, NULL, SEIN_ERROR, "session", NULL},
    {"CREDIT empty", S_WATCH, true, 4, {S_P, SEIN_CREDIT, "$", "{}"}, {0}, NULL,
     SEIN_ERROR, "required", "credit"},
    {"CREDIT a string", S_WATCH, true, 4, {S_P, SEIN_CREDIT, "$", "{\"credit\":\"x\"}"},
     {0}, NULL, SEIN_ERROR, "type", "credit"},
    {"CREDIT null", S_WATCH, true, 4, {S_P, SEIN_CREDIT, "$", "{\"credit\":null}"}, {0},
     NULL, SEIN_ERROR, "required", "credit"},
    {"WATCH credit null", S_WATCH, false, 4, {S_P, SEIN_WATCH, "$", "{\"credit\":null}"},
     {0}, NULL, SEIN_WATCH, "required", "credit"},
    {"CREDIT 0", S_WATCH, true, 4, {S_P, SEIN_CREDIT, "$", "{\"credit\":0}"}, {0}, NULL,
     SEIN_ERROR, "value", "credit"},
    {"CREDIT 2^64", S_WATCH, true, 4,
     {S_P, SEIN_CREDIT, "$", "{\"credit\":18446744073709551616}"}, {0}, NULL, SEIN_ERROR,
     "value", "credit"},
    {"CREDIT 1e400", S_WATCH, true, 4, {S_P, SEIN_CREDIT, "$", "{\"credit\":1e400}"}, {0},
     NULL, SEIN_ERROR, "value", "credit"},
    {"CREDIT extra field", S_WATCH, true, 4,
     {S_P, SEIN_CREDIT, "$", "{\"credit\":1,\"more\":2}"}, {0}, NULL, SEIN_ERROR,
     "unknown-field", "more"},
    {"CREDIT array", S_WATCH, true, 4, {S_P, SEIN_CREDIT, "$", "[5]"}, {0}, NULL,
     SEIN_ERROR, "json", NULL},
    {"CREDIT just over message_max", S_WATCH, true, 4, {S_P, SEIN_CREDIT, "$"}, {0},
     s_just_over, SEIN_ERROR, "too-large", NULL},
    {"HEARTBEAT carrying credit", S_WATCH, true, 4,
     {S_P, SEIN_HEARTBEAT, "$", "{\"credit\":5}"}, {0}, NULL, SEIN_ERROR, "unknown-field",
     "credit"},
    {"HEARTBEAT not JSON", S_WATCH, true, 4, {S_P, SEIN_HEARTBEAT, "$", "ping"}, {0},
     NULL, SEIN_ERROR, "json", NULL},
    {"HEARTBEAT without a session", S_WATCH, false, 4, {S_P, SEIN_HEARTBEAT, "$", "{}"},
     {0}, NULL, SEIN_ERROR, "session", NULL},
    {"CLOSE extra field", S_WATCH, true, 4, {S_P, SEIN_CLOSE, "$", "{\"now\":true}"}, {0},
     NULL, SEIN_ERROR, "unknown-field", "now"},
    {"CLOSE invalid UTF-8", S_WATCH, true, 4, {S_P, SEIN_CLOSE, "$", "\"\xc3\""}, {0},
     NULL, SEIN_ERROR, "utf8", NULL},
};
// clang-format on
#define S_CASES (sizeof s_cases / sizeof s_cases[0])

//  ---------------------------------------------------------------------
//  Talking to seind

static sein_harness_t s_harness;

static zsock_t *
s_dealer (const char *endpoint)
{
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    assert_non_null (dealer);
    zsock_set_linger (dealer, 100);
    zsock_set_sndtimeo (dealer, S_REPLY_MS);
    assert_int_equal (zsock_connect (dealer, "%s", endpoint), 0);
    return dealer;
}

//  The next message on SOCKET that is not a watch session's own traffic
//  (EVENT, HEARTBEAT), within TIMEOUT_MS; NULL when none came.
static zmsg_t *
s_reply (zsock_t *socket, int timeout_ms)
{
    int64_t deadline = zclock_mono () + timeout_ms;
    zpoller_t *poller = zpoller_new (socket, NULL);
    zmsg_t *msg = NULL;
    while (!msg && zclock_mono () < deadline) {
        if (!zpoller_wait (poller, (int) (deadline - zclock_mono ())))
            break;
        msg = zmsg_recv (socket);
        zframe_t *command = NULL;
        if (msg && zmsg_size (msg) == 4) {
            zmsg_first (msg);
            command = zmsg_next (msg);
        }
        if (command && (zframe_streq (command, SEIN_EVENT) ||
                        zframe_streq (command, SEIN_HEARTBEAT)))
            zmsg_destroy (&msg);
    }
    zpoller_destroy (&poller);
    return msg;
}

//  Send FRAMES (COUNT, with SIZES, 0 for strlen) as one message.
static void
s_send (zsock_t *socket, const char *const *frames, const size_t *sizes, int count)
{
    zmsg_t *msg = zmsg_new ();
    for (int index = 0; index < count; index++)
        zmsg_addmem (msg, frames[index],
                     sizes[index] ? sizes[index] : strlen (frames[index]));
    assert_int_equal (zmsg_send (&msg, socket), 0);
}

//  Call COMMAND with BODY on SOCKET and return the reply's body, parsed
//  (NULL when none came or it is not JSON).
static json_t *
s_call (zsock_t *socket, const char *command, const char *body)
{
    const char *frames[] = {SEIN_PROTOCOL, command, "call", body};
    size_t sizes[4] = {0};
    s_send (socket, frames, sizes, 4);
    zmsg_t *reply = s_reply (socket, S_REPLY_MS);
    char *text =
        reply && zmsg_size (reply) == 4 ? zframe_strdup (zmsg_last (reply)) : NULL;
    json_t *json = text ? json_loads (text, 0, NULL) : NULL;
    zstr_free (&text);
    zmsg_destroy (&reply);
    return json;
}

//  PING's reply (asserted ok).
static json_t *
s_ping (void)
{
    zsock_t *dealer = s_dealer (s_harness.intake);
    json_t *reply = s_call (dealer, SEIN_PING, "{}");
    zsock_destroy (&dealer);
    assert_non_null (reply);
    assert_string_equal (json_string_value (json_object_get (reply, "status")), "ok");
    return reply;
}

//  What must not change while seind refuses things: head and total.
static void
s_store_state (int64_t state[2])
{
    zsock_t *dealer = s_dealer (s_harness.intake);
    json_t *stats = s_call (dealer, SEIN_STATS, "{}");
    zsock_destroy (&dealer);
    assert_non_null (stats);
    state[0] = json_integer_value (json_object_get (stats, "head"));
    state[1] = json_integer_value (json_object_get (stats, "total"));
    json_decref (stats);
}

//  True when TEXT of SIZE bytes is valid UTF-8 (a round trip through
//  jansson, which refuses anything else).
static bool
s_utf8 (const char *text)
{
    json_t *string = json_string (text);
    json_decref (string);
    return string != NULL;
}

//  Run ROW and fail with its name when the answer is not the one due.
static void
s_run_case (const s_case_t *row, int index)
{
    zsock_t *dealer =
        s_dealer (row->socket == S_INTAKE ? s_harness.intake : s_harness.watch);
    if (row->session) {
        json_t *ok = s_call (dealer, SEIN_WATCH, "{\"credit\":1}");
        if (!ok || !json_object_get (ok, "from"))
            fail_msg ("%s: the session did not open", row->name);
        json_decref (ok);
    }
    char corr[300] = "";
    const char *frames[6];
    size_t sizes[6];
    char *made = NULL;
    for (int at = 0; at < row->nframes; at++) {
        frames[at] = row->frames[at];
        sizes[at] = row->sizes[at];
        if (frames[at] && streq (frames[at], "$")) {
            snprintf (corr, sizeof corr, "c%d", index);
            frames[at] = corr;
        } else if (frames[at] && streq (frames[at], "$LONG")) {
            static char longer[257];
            memset (longer, 'c', 256);
            frames[at] = longer;
            corr[0] = 0; //  too long to be echoed
        }
    }
    if (row->make) {
        made = row->make (&sizes[row->nframes - 1]);
        frames[row->nframes - 1] = made;
    }
    s_send (dealer, frames, sizes, row->nframes);
    free (made);
    zmsg_t *reply = s_reply (dealer, S_REPLY_MS);
    if (!reply)
        fail_msg ("%s: no reply", row->name);
    //  A request with a delimiter frame in front is answered with one.
    if (zmsg_size (reply) == 5 && zframe_size (zmsg_first (reply)) == 0) {
        zframe_t *delimiter = zmsg_pop (reply);
        zframe_destroy (&delimiter);
    }
    if (zmsg_size (reply) != 4)
        fail_msg ("%s: a reply of %zu frames", row->name, zmsg_size (reply));
    char *protocol = zmsg_popstr (reply), *command = zmsg_popstr (reply),
         *tag = zmsg_popstr (reply), *body = zmsg_popstr (reply);
    zmsg_destroy (&reply);
    json_t *json = json_loads (body, 0, NULL);
    json_t *error = json_object_get (json, "error");
    const char *code = json_string_value (json_object_get (error, "code"));
    json_t *field = json_object_get (error, "field");
    const char *message = json_string_value (json_object_get (error, "message"));
    char problem[600] = "";
    if (!streq (protocol, SEIN_PROTOCOL) || !streq (tag, corr))
        snprintf (problem, sizeof problem, "envelope %s/%s, due %s/%s", protocol, tag,
                  SEIN_PROTOCOL, corr);
    else if (!streq (command, row->reply))
        snprintf (problem, sizeof problem, "reply %s, due %s", command, row->reply);
    else if (!code || !streq (code, row->code))
        snprintf (problem, sizeof problem, "code %s, due %s", code ? code : "(none)",
                  row->code);
    else if (!field || (row->field ? !json_is_string (field) ||
                                         !streq (json_string_value (field), row->field)
                                   : !json_is_null (field)))
        snprintf (problem, sizeof problem, "field %s, due %s",
                  field && json_is_string (field) ? json_string_value (field) : "null",
                  row->field ? row->field : "null");
    else if (!message || strlen (message) > 255 || !s_utf8 (message))
        snprintf (problem, sizeof problem, "message missing, too long or not UTF-8");
    if (*problem)
        fail_msg ("%s: %s (body %.300s)", row->name, problem, body);
    json_decref (json);
    zstr_free (&protocol);
    zstr_free (&command);
    zstr_free (&tag);
    zstr_free (&body);
    if (row->session) {
        const char *close[] = {SEIN_PROTOCOL, SEIN_CLOSE, "bye", "{}"};
        size_t none[4] = {0};
        s_send (dealer, close, none, 4);
    }
    zsock_destroy (&dealer);
}

static int
s_setup (void **state)
{
    (void)state;
    assert_int_equal (sein_harness_init (&s_harness, 0), 0);
    char override[64];
    snprintf (override, sizeof override, "limits.message_max=%d", S_MESSAGE_MAX);
    sein_harness_set (&s_harness, override);
    snprintf (override, sizeof override, "limits.events_max=%d", S_EVENTS_MAX);
    sein_harness_set (&s_harness, override);
    snprintf (override, sizeof override, "watch.credit_max=%d", S_CREDIT_MAX);
    sein_harness_set (&s_harness, override);
    assert_int_equal (sein_harness_start (&s_harness), 0);
    return 0;
}

static int
s_teardown (void **state)
{
    (void)state;
    if (s_harness.pid > 0)
        assert_int_equal (sein_harness_stop (&s_harness, SIGTERM), 0);
    sein_harness_cleanup (&s_harness);
    return 0;
}

//  Submit COUNT signals (asserted accepted), so that there is a store to
//  leave unchanged and events to watch.
static void
s_submit (int count)
{
    zsock_t *dealer = s_dealer (s_harness.intake);
    for (int index = 0; index < count; index++) {
        char *body = zsys_sprintf ("{" S_SIGNAL ",\"external_id\":\"h-%d-%lld\"}", index,
                                   (long long) zclock_time ());
        json_t *ack = s_call (dealer, SEIN_SUBMIT, body);
        zstr_free (&body);
        assert_non_null (ack);
        assert_string_equal (json_string_value (json_object_get (ack, "status")),
                             "accepted");
        json_decref (ack);
    }
    zsock_destroy (&dealer);
}

//  ---------------------------------------------------------------------
//  Tests

static void
test_table (void **state)
{
    (void)state;
    s_submit (5);
    int64_t before[2], after[2];
    s_store_state (before);
    size_t rows[2] = {0, 0};
    for (size_t index = 0; index < S_CASES; index++)
        rows[s_cases[index].socket]++;
    printf ("%zu rows: %zu on intake, %zu on watch\n", S_CASES, rows[S_INTAKE],
            rows[S_WATCH]);
    assert_true (rows[S_INTAKE] >= 60 && rows[S_WATCH] >= 60);
    //  Round 0 warms the daemon up; later rounds must not move its memory.
    long rss[4];
    for (int round = 0; round < 4; round++) {
        for (size_t index = 0; index < S_CASES; index++)
            s_run_case (&s_cases[index], (int) index);
        json_decref (s_ping ());
        rss[round] = sein_harness_memory (&s_harness, false);
    }
    s_store_state (after);
    printf ("store head %lld total %lld before, %lld %lld after; seind RSS after each "
            "round %ld/%ld/%ld/%ld kB\n",
            (long long) before[0], (long long) before[1], (long long) after[0],
            (long long) after[1], rss[0], rss[1], rss[2], rss[3]);
    assert_int_equal (after[0], before[0]);
    assert_int_equal (after[1], before[1]);
    assert_true (before[1] == 5);
#if !defined(__SANITIZE_ADDRESS__)
    assert_true (rss[3] - rss[1] < S_FLAT_KB);
#endif
}

//  Send one request with a BODY_SIZE-byte body on DEALER without copying
//  it. Returns the reply's error code, a static string ("" when the reply
//  has none), or NULL when nothing came within WAIT_MS (the connection
//  was dropped).
static const char *
s_big (zsock_t *dealer, const char *command, const char *body, size_t body_size, int wait_ms)
{
    static char code[32];
    void *handle = zsock_resolve (dealer);
    zmq_send (handle, SEIN_PROTOCOL, strlen (SEIN_PROTOCOL), ZMQ_SNDMORE);
    zmq_send (handle, command, strlen (command), ZMQ_SNDMORE);
    zmq_send (handle, "big", 3, ZMQ_SNDMORE);
    zmq_msg_t msg;
    zmq_msg_init_data (&msg, (void *) body, body_size, NULL, NULL);
    assert_true (zmq_msg_send (&msg, handle, 0) >= 0);
    zmsg_t *reply = wait_ms ? s_reply (dealer, wait_ms) : NULL;
    if (!reply)
        return NULL;
    char *text = zframe_strdup (zmsg_last (reply));
    json_t *json = json_loads (text, 0, NULL);
    const char *value =
        json_string_value (json_object_get (json_object_get (json, "error"), "code"));
    snprintf (code, sizeof code, "%s", value ? value : "");
    json_decref (json);
    zstr_free (&text);
    zmsg_destroy (&reply);
    return code;
}

//  Frames beyond limits.message_max + 64 KiB are never read: ZeroMQ drops
//  the connection at the frame's header, so seind's memory does not move
//  however large they are or however many come. Up to that size a body
//  is read and answered too-large. On both sockets.
static void
test_huge_frames (void **state)
{
    (void) state;
    int64_t before[2], after[2];
    s_store_state (before);
    size_t huge = 16 * 1024 * 1024;
    char *body = (char *) zmalloc (huge);
    memset (body, ' ', huge);
    long peak = sein_harness_memory (&s_harness, true);
    const char *endpoints[2] = {s_harness.intake, s_harness.watch};
    const char *commands[2] = {SEIN_GET, SEIN_WATCH};
    for (int socket = 0; socket < 2; socket++) {
        zsock_t *dealer = s_dealer (endpoints[socket]);
        const char *code =
            s_big (dealer, commands[socket], body, S_MESSAGE_MAX + S_SLACK, S_REPLY_MS);
        assert_non_null (code);
        assert_string_equal (code, "too-large");
        //  One byte more is one too many: no answer, the connection goes.
        assert_null (
            s_big (dealer, commands[socket], body, S_MESSAGE_MAX + S_SLACK + 1, 500));
        zsock_destroy (&dealer);
        //  100 frames of 16 MiB from one client, each on a connection
        //  seind drops.
        int64_t start = zclock_mono ();
        for (int index = 0; index < 100; index++) {
            dealer = s_dealer (endpoints[socket]);
            zsock_set_linger (dealer, 0);
            assert_null (s_big (dealer, commands[socket], body, huge, index < 3 ? 300 : 0));
            zsock_destroy (&dealer);
        }
        json_decref (s_ping ());
        printf ("%s: 100 frames of 16 MiB in %lld ms\n", commands[socket],
                (long long) (zclock_mono () - start));
    }
    free (body);
    long peak_after = sein_harness_memory (&s_harness, true);
    s_store_state (after);
    printf ("seind VmHWM %ld kB before the huge frames, %ld kB after\n", peak, peak_after);
    assert_int_equal (after[0], before[0]);
    assert_int_equal (after[1], before[1]);
#if !defined(__SANITIZE_ADDRESS__)
    //  One 16 MiB frame read into memory would show in the peak.
    assert_true (peak_after - peak < 8 * 1024);
#endif
}

//  Many bodies of exactly limits.message_max from one pipelining client:
//  each is read, parsed and answered (a too-long description), and what
//  seind holds for them is bounded in bytes (docs/CONFIG.md, "Memory"):
//  afterwards its resident memory is within S_BODIES_BOUND_KB of where it
//  was.
#define S_BODIES          20000
#define S_BODIES_WINDOW   200
#define S_BODIES_BOUND_KB (48 * 1024)

static void
test_many_bodies (void **state)
{
    (void) state;
    size_t size = S_MESSAGE_MAX;
    char *body = (char *) zmalloc (size + 1);
    memset (body, 'x', size);
    const char *head = "{\"source\":\"citizen\",\"description\":\"";
    memcpy (body, head, strlen (head));
    memcpy (body + size - 2, "\"}", 2);
    long rss = sein_harness_memory (&s_harness, false);
    zsock_t *dealer = s_dealer (s_harness.intake);
    void *handle = zsock_resolve (dealer);
    int sent = 0, answered = 0, too_long = 0;
    int64_t start = zclock_mono ();
    zpoller_t *poller = zpoller_new (dealer, NULL);
    while (answered < S_BODIES && zclock_mono () - start < 60000) {
        while (sent < S_BODIES && sent - answered < S_BODIES_WINDOW) {
            zmq_send (handle, SEIN_PROTOCOL, strlen (SEIN_PROTOCOL), ZMQ_SNDMORE);
            zmq_send (handle, SEIN_SUBMIT, strlen (SEIN_SUBMIT), ZMQ_SNDMORE);
            zmq_send (handle, "b", 1, ZMQ_SNDMORE);
            zmq_msg_t msg;
            zmq_msg_init_data (&msg, body, size, NULL, NULL);
            zmq_msg_send (&msg, handle, 0);
            sent++;
        }
        if (!zpoller_wait (poller, 1000))
            continue;
        zmsg_t *reply = zmsg_recv (dealer);
        char *text = zframe_strdup (zmsg_last (reply));
        answered++;
        too_long += strstr (text, "\"too-long\"") != NULL;
        zstr_free (&text);
        zmsg_destroy (&reply);
    }
    zpoller_destroy (&poller);
    zsock_destroy (&dealer);
    free (body);
    zclock_sleep (300);
    long after = sein_harness_memory (&s_harness, false);
    printf ("%d bodies of %zu bytes answered in %lld ms (%d too-long); seind RSS %ld kB "
            "before, %ld kB after (bound +%d kB)\n",
            answered, size, (long long) (zclock_mono () - start), too_long, rss, after,
            S_BODIES_BOUND_KB);
    assert_int_equal (answered, S_BODIES);
    assert_int_equal (too_long, S_BODIES);
#if !defined(__SANITIZE_ADDRESS__)
    assert_true (after - rss < S_BODIES_BOUND_KB);
#endif
}

//  A credit grant of 2^63 - 1, twice, on a live session saturates at
//  watch.credit_max: delivery goes on, and PING's counter of queued
//  events shows what was sent and not yet covered by credit.
static void
test_credit_overflow (void **state)
{
    (void) state;
    zsock_t *watcher = s_dealer (s_harness.watch);
    json_t *ok = s_call (watcher, SEIN_WATCH, "{\"credit\":1}");
    assert_non_null (ok);
    assert_int_equal (json_integer_value (json_object_get (ok, "credit")), 1);
    json_decref (ok);
    const char *grant[] = {SEIN_PROTOCOL, SEIN_CREDIT, "g",
                           "{\"credit\":9223372036854775807}"};
    size_t sizes[4] = {0};
    s_send (watcher, grant, sizes, 4);
    s_send (watcher, grant, sizes, 4);
    s_submit (20);
    int events = 0;
    int64_t deadline = zclock_mono () + 5000;
    zpoller_t *poller = zpoller_new (watcher, NULL);
    while (events < 20 && zclock_mono () < deadline) {
        if (!zpoller_wait (poller, 200))
            continue;
        zmsg_t *msg = zmsg_recv (watcher);
        zmsg_first (msg);
        zframe_t *command = zmsg_next (msg);
        if (zframe_streq (command, SEIN_ERROR))
            fail_msg ("a CREDIT of 2^63 - 1 was refused");
        events += zframe_streq (command, SEIN_EVENT);
        zmsg_destroy (&msg);
    }
    zpoller_destroy (&poller);
    assert_int_equal (events, 20);
    //  The watch actor reports its counters every 100 ms.
    zclock_sleep (300);
    json_t *ping = s_ping ();
    json_t *counters = json_object_get (ping, "counters");
    int64_t sessions = json_integer_value (json_object_get (counters, "watch_sessions"));
    int64_t queued = json_integer_value (json_object_get (counters, "watch_queued"));
    json_decref (ping);
    printf ("after grants of 2^63 - 1: %d events, %lld sessions, %lld queued\n", events,
            (long long) sessions, (long long) queued);
    assert_int_equal (sessions, 1);
    assert_int_equal (queued, 20);
    zsock_destroy (&watcher);
}

//  EVENTS takes a limit up to limits.events_max and returns what there is.
static void
test_events_max (void **state)
{
    (void) state;
    s_submit (3);
    zsock_t *dealer = s_dealer (s_harness.intake);
    char body[64];
    snprintf (body, sizeof body, "{\"from\":1,\"limit\":%d}", S_EVENTS_MAX);
    json_t *reply = s_call (dealer, SEIN_EVENTS, body);
    assert_string_equal (json_string_value (json_object_get (reply, "status")), "ok");
    assert_int_equal (json_array_size (json_object_get (reply, "events")), 3);
    json_decref (reply);
    snprintf (body, sizeof body, "{\"from\":1,\"limit\":%d}", S_EVENTS_MAX + 1);
    reply = s_call (dealer, SEIN_EVENTS, body);
    json_t *error = json_object_get (reply, "error");
    assert_string_equal (json_string_value (json_object_get (error, "code")), "value");
    assert_string_equal (json_string_value (json_object_get (error, "field")), "limit");
    json_decref (reply);
    zsock_destroy (&dealer);
}

//  2,000 clients connected at once, each with a request in flight, half
//  on each socket: every one gets its answer.
static void
test_connections (void **state)
{
    (void) state;
    zsock_t **dealers = (zsock_t **) zmalloc (S_CONNECTIONS * sizeof *dealers);
    int64_t start = zclock_mono ();
    for (int index = 0; index < S_CONNECTIONS; index++) {
        bool watch = index % 2;
        dealers[index] = s_dealer (watch ? s_harness.watch : s_harness.intake);
        const char *frames[] = {SEIN_PROTOCOL, watch ? SEIN_HEARTBEAT : SEIN_PING, "n",
                                watch ? "{\"x\":1}" : "{}"};
        size_t sizes[4] = {0};
        s_send (dealers[index], frames, sizes, 4);
    }
    int answered = 0;
    for (int index = 0; index < S_CONNECTIONS; index++) {
        zmsg_t *reply = s_reply (dealers[index], 10000);
        if (reply) {
            char *text = zframe_strdup (zmsg_last (reply));
            answered += index % 2 ? strstr (text, "\"unknown-field\"") != NULL
                                  : strstr (text, "\"ok\"") != NULL;
            zstr_free (&text);
        }
        zmsg_destroy (&reply);
    }
    printf ("%d connections, %d answered as due in %lld ms\n", S_CONNECTIONS, answered,
            (long long) (zclock_mono () - start));
    for (int index = 0; index < S_CONNECTIONS; index++)
        zsock_destroy (&dealers[index]);
    free (dealers);
    assert_int_equal (answered, S_CONNECTIONS);
    json_decref (s_ping ());
}

int
main (void)
{
    setvbuf (stdout, NULL, _IONBF, 0);
    //  2,000 connections take 4,000 descriptors here (a socket and its
    //  connection) and 2,000 in seind, which inherits this limit; ZeroMQ
    //  needs its socket limit raised too.
    struct rlimit files;
    getrlimit (RLIMIT_NOFILE, &files);
    rlim_t want = 3 * S_CONNECTIONS + 1000;
    if (files.rlim_cur < want) {
        files.rlim_cur = files.rlim_max < want ? files.rlim_max : want;
        setrlimit (RLIMIT_NOFILE, &files);
    }
    zsys_set_max_sockets (S_CONNECTIONS + 100);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_table, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_huge_frames, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_many_bodies, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_credit_overflow, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_events_max, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_connections, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
