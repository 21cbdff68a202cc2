// SPDX-License-Identifier: MPL-2.0
/*  test_signal.c - unit tests for sein_signal: parsing and validating one
    submission

    Covers valid signals (minimal, every field, nulls as absent), the precise
    {code, field, message} of each rejection: the body as a whole (too large,
    invalid UTF-8 with its byte offset, malformed JSON, duplicate keys, not
    an object, NUL and raw control characters), each field (required,
    empty, blank, too long, wrong type, unknown values, tokens, coordinate
    range and pairing, reporter, attributes, unknown fields), and the
    helpers sein_utf8_valid, sein_error_set and sein_rfc3339_utc (offsets
    converted to UTC, fractions, calendar checks, trailing garbage).

    The SUBMIT table and error codes of docs/PROTOCOL.md are a contract an
    independent client is written from: every limit there is tested at
    the limit and one over, every field with every wrong type, and the
    cases such a client found (a byte-order mark, an escaped NUL naming
    its field, Unicode blanks, attribute errors naming attributes.<key>,
    area/theme strings that are no code, the point given back exactly).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sein_json.h"
#include "sein_signal.h"

#include <cjson/cJSON.h>

static const sein_signal_limits_t s_limits = {4000, 65536};

//  Parse a NUL-terminated BODY with the default limits.
static int s_parse (sein_signal_t *signal, const char *body, sein_error_t *error)
{
    return sein_signal_parse (signal, body, strlen (body), &s_limits, error);
}

//  Expect BODY (SIZE bytes) to be rejected with CODE and FIELD (NULL: the
//  body as a whole) and a message containing MESSAGE.
static void s_reject_n (const char *body, size_t size, const sein_signal_limits_t *limits,
                        const char *code, const char *field, const char *message)
{
    sein_signal_t signal;
    sein_error_t error;
    memset (&error, 0, sizeof error);
    int rc = sein_signal_parse (&signal, body, size, limits, &error);
    if (rc == 0) {
        sein_signal_clear (&signal);
        fail_msg ("accepted: %.*s", (int)size, body);
    }
    assert_int_equal (rc, -1);
    //  Nothing half-parsed is left behind.
    assert_null (signal.tree);
    assert_null (signal.description);
    assert_null (signal.source);
    assert_non_null (error.code);
    if (strcmp (error.code, code) != 0)
        fail_msg ("%.*s: code '%s' (%s), expected '%s'", (int)size, body, error.code,
                  error.message, code);
    if (field) {
        assert_non_null (error.field);
        assert_string_equal (error.field, field);
    } else
        assert_null (error.field);
    if (!strstr (error.message, message))
        fail_msg ("message '%s' lacks '%s'", error.message, message);
}

static void s_reject (const char *body, const char *code, const char *field,
                      const char *message)
{
    s_reject_n (body, strlen (body), &s_limits, code, field, message);
}

//  Expect BODY to be accepted; the signal is released again.
static void s_accept (const char *body)
{
    sein_signal_t signal;
    sein_error_t error;
    if (s_parse (&signal, body, &error))
        fail_msg ("%s: %s %s: %s", body, error.code, error.field ? error.field : "-",
                  error.message);
    sein_signal_clear (&signal);
}

static void test_minimal_signal (void **state)
{
    (void)state;
    sein_signal_t signal;
    sein_error_t error;
    assert_int_equal (s_parse (&signal,
                               "{\"description\": \"Zwerfvuil aan de bushalte\","
                               " \"source\": \"citizen\"}",
                               &error),
                      0);
    assert_non_null (signal.tree);
    assert_string_equal (signal.description, "Zwerfvuil aan de bushalte");
    assert_string_equal (signal.source, "citizen");
    assert_null (signal.channel);
    assert_null (signal.external_id);
    assert_null (signal.address_string);
    assert_null (signal.area);
    assert_null (signal.theme);
    assert_null (signal.priority);
    assert_null (signal.occurred_at);
    assert_null (signal.submitter);
    assert_null (signal.reporter_name);
    assert_null (signal.reporter_email);
    assert_null (signal.reporter_phone);
    assert_null (signal.attributes);
    assert_false (signal.has_point);
    sein_signal_clear (&signal);
    assert_null (signal.tree);
    assert_null (signal.description);
    sein_signal_clear (&signal); //  safe on a cleared signal
    sein_signal_clear (NULL);
}

static void test_full_signal (void **state)
{
    (void)state;
    const char *body =
        "{\"description\": \"Hangjongeren bij het speelplein, al de hele avond\\n"
        "Héél luid.\","
        " \"source\": \"partner\", \"channel\": \"intake-desk\","
        " \"external_id\": \"CRM-2026/0042\","
        " \"address_string\": \"Naamsestraat 45, Leuven\","
        " \"lat\": 50.8771, \"long\": 4.7005,"
        " \"area\": \"heilig-hart\", \"theme\": \"jeugd\", \"priority\": \"high\","
        " \"reporter\": {\"name\": \"An Peeters\", \"email\": \"an@example.be\","
        " \"phone\": \"+32 16 00 00 00\"},"
        " \"occurred_at\": \"2026-05-01T22:30:00+02:00\","
        " \"attributes\": {\"sensor\": \"geluid-7\", \"db\": \"81\"},"
        " \"submitter\": \"politie.leuven\"}";
    sein_signal_t signal;
    sein_error_t error;
    if (s_parse (&signal, body, &error))
        fail_msg ("%s %s: %s", error.code, error.field, error.message);
    assert_string_equal (signal.description,
                         "Hangjongeren bij het speelplein, al de hele avond\nHéél luid.");
    assert_string_equal (signal.source, "partner");
    assert_string_equal (signal.channel, "intake-desk");
    assert_string_equal (signal.external_id, "CRM-2026/0042");
    assert_string_equal (signal.address_string, "Naamsestraat 45, Leuven");
    assert_true (signal.has_point);
    assert_float_equal (signal.lat, 50.8771, 1e-9);
    assert_float_equal (signal.lon, 4.7005, 1e-9);
    assert_string_equal (signal.area, "heilig-hart");
    assert_string_equal (signal.theme, "jeugd");
    assert_string_equal (signal.priority, "high");
    assert_string_equal (signal.reporter_name, "An Peeters");
    assert_string_equal (signal.reporter_email, "an@example.be");
    assert_string_equal (signal.reporter_phone, "+32 16 00 00 00");
    //  occurred_at is kept as written; conversion is sein_rfc3339_utc's job.
    assert_string_equal (signal.occurred_at, "2026-05-01T22:30:00+02:00");
    assert_string_equal (signal.submitter, "politie.leuven");
    assert_non_null (signal.attributes);
    assert_int_equal (signal.nattributes, 2);
    //  In body order.
    assert_string_equal (signal.attributes[0].key, "sensor");
    assert_string_equal (signal.attributes[0].value, "geluid-7");
    assert_string_equal (signal.attributes[1].key, "db");
    assert_string_equal (signal.attributes[1].value, "81");
    //  The strings are borrowed from the owned tree.
    assert_ptr_equal (signal.source,
                      cJSON_GetObjectItemCaseSensitive ((cJSON *) signal.tree, "source")
                          ->valuestring);
    sein_signal_clear (&signal);
}

static void test_every_source_and_priority (void **state)
{
    (void)state;
    const char *sources[] = {"citizen", "partner", "staff", "system"};
    const char *priorities[] = {"low", "normal", "high", "urgent"};
    for (int index = 0; index < 4; index++) {
        char body[256];
        snprintf (body, sizeof body,
                  "{\"description\": \"x\", \"source\": \"%s\", \"priority\": \"%s\"}",
                  sources[index], priorities[index]);
        sein_signal_t signal;
        sein_error_t error;
        assert_int_equal (s_parse (&signal, body, &error), 0);
        assert_string_equal (signal.source, sources[index]);
        assert_string_equal (signal.priority, priorities[index]);
        sein_signal_clear (&signal);
    }
}

static void test_nulls_are_absent (void **state)
{
    (void)state;
    sein_signal_t signal;
    sein_error_t error;
    assert_int_equal (s_parse (&signal,
                               "{\"description\": \"x\", \"source\": \"staff\","
                               " \"channel\": null, \"lat\": null, \"long\": null,"
                               " \"reporter\": null, \"attributes\": null,"
                               " \"occurred_at\": null, \"priority\": null}",
                               &error),
                      0);
    assert_null (signal.channel);
    assert_null (signal.priority);
    assert_null (signal.occurred_at);
    assert_null (signal.attributes);
    assert_null (signal.reporter_name);
    assert_false (signal.has_point);
    sein_signal_clear (&signal);
}

static void test_description (void **state)
{
    (void)state;
    s_reject ("{\"source\": \"citizen\"}", "required", "description",
              "description is required");
    s_reject ("{\"description\": null, \"source\": \"citizen\"}", "required",
              "description", "description is required");
    s_reject ("{\"description\": \"\", \"source\": \"citizen\"}", "empty", "description",
              "must not be empty");
    s_reject ("{\"description\": \" \\t\\n\\r \", \"source\": \"citizen\"}", "empty",
              "description", "must not be blank");
    s_reject ("{\"description\": 42, \"source\": \"citizen\"}", "type", "description",
              "description must be a string");
    s_reject ("{\"description\": [\"x\"], \"source\": \"citizen\"}", "type",
              "description", "must be a string");
    s_reject ("{\"description\": \"a\\u0001b\", \"source\": \"citizen\"}", "value",
              "description", "control characters");
    s_reject ("{\"description\": \"escape \\u001b[31m\", \"source\": \"citizen\"}",
              "value", "description", "control characters");
    //  DEL and the C1 controls (U+0080..U+009F) too, escaped or raw; the
    //  letters around them (é is C3 A9, U+0100 is C4 80) are text.
    s_reject ("{\"description\": \"del\\u007fx\", \"source\": \"citizen\"}", "value",
              "description", "control characters");
    s_reject ("{\"description\": \"nel\\u0085x\", \"source\": \"citizen\"}", "value",
              "description", "control characters");
    s_reject ("{\"description\": \"csi\xc2\x9b\", \"source\": \"citizen\"}", "value",
              "description", "control characters");
    sein_signal_t signal;
    sein_error_t error;
    assert_int_equal (s_parse (&signal,
                               "{\"description\": \"caf\xc3\xa9 \\u00a0\\u0100\","
                               " \"source\": \"citizen\"}",
                               &error),
                      0);
    assert_string_equal (signal.description, "caf\xc3\xa9 \xc2\xa0\xc4\x80");
    sein_signal_clear (&signal);
    //  Required fields are checked before the body's other fields.
    s_reject ("{\"lat\": \"x\"}", "required", "description", "required");
}

static void test_description_length_in_bytes (void **state)
{
    (void)state;
    sein_signal_limits_t limits = {10, 65536};
    sein_signal_t signal;
    sein_error_t error;
    //  Exactly at the limit: fine.
    const char *ten = "{\"description\": \"0123456789\", \"source\": \"citizen\"}";
    assert_int_equal (sein_signal_parse (&signal, ten, strlen (ten), &limits, &error), 0);
    sein_signal_clear (&signal);
    const char *eleven = "{\"description\": \"0123456789A\", \"source\": \"citizen\"}";
    s_reject_n (eleven, strlen (eleven), &limits, "too-long", "description",
                "description is 11 bytes, at most 10 allowed");
    //  The limit counts bytes, not characters: five "é" are ten bytes.
    const char *five = "{\"description\": \"ééééé\", \"source\": \"citizen\"}";
    assert_int_equal (sein_signal_parse (&signal, five, strlen (five), &limits, &error),
                      0);
    sein_signal_clear (&signal);
    const char *six = "{\"description\": \"éééééé\", \"source\": \"citizen\"}";
    s_reject_n (six, strlen (six), &limits, "too-long", "description",
                "description is 12 bytes");
    //  An escaped character counts as its UTF-8 bytes too.
    const char *escaped = "{\"description\": \"\\u20ac\\u20ac\\u20ac\\u20ac\","
                          " \"source\": \"citizen\"}";
    s_reject_n (escaped, strlen (escaped), &limits, "too-long", "description",
                "description is 12 bytes");
    //  Tabs and newlines are text, not control characters.
    const char *multiline =
        "{\"description\": \"a\\tb\\r\\nc\", \"source\": \"citizen\"}";
    assert_int_equal (
        sein_signal_parse (&signal, multiline, strlen (multiline), &limits, &error), 0);
    assert_string_equal (signal.description, "a\tb\r\nc");
    sein_signal_clear (&signal);
}

static void test_source (void **state)
{
    (void)state;
    s_reject ("{\"description\": \"x\"}", "required", "source", "source is required");
    s_reject ("{\"description\": \"x\", \"source\": null}", "required", "source",
              "source is required");
    s_reject ("{\"description\": \"x\", \"source\": \"bot\"}", "value", "source",
              "source must be citizen, partner, staff or system");
    s_reject ("{\"description\": \"x\", \"source\": \"Citizen\"}", "value", "source",
              "citizen, partner, staff or system");
    s_reject ("{\"description\": \"x\", \"source\": 1}", "type", "source",
              "source must be a string");
    s_reject ("{\"description\": \"x\", \"source\": \"\"}", "empty", "source",
              "source must not be empty");
}

static void test_tokens_and_priority (void **state)
{
    (void)state;
    s_reject (
        "{\"description\": \"x\", \"source\": \"citizen\", \"priority\": \"critical\"}",
        "value", "priority", "priority must be low, normal, high or urgent");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"priority\": \"HIGH\"}",
              "value", "priority", "priority must be low, normal, high or urgent");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"priority\": 3}",
              "type", "priority", "priority must be a string");
    s_reject (
        "{\"description\": \"x\", \"source\": \"citizen\", \"channel\": \"web form\"}",
        "value", "channel", "channel must be lowercase letters");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"submitter\": \"a b\"}",
              "value", "submitter", "submitter must be lowercase");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"channel\": \"\"}",
              "empty", "channel", "channel must not be empty");
    //  Tokens stop at 63 bytes (SEIN_TOKEN_MAX: they fit a code buffer).
    char body[256], token[70];
    memset (token, 'a', 64);
    token[64] = 0;
    snprintf (body, sizeof body,
              "{\"description\": \"x\", \"source\": \"citizen\", "
              "\"channel\": \"%s\"}",
              token);
    s_reject (body, "too-long", "channel", "channel is 64 bytes, at most 63 allowed");
    snprintf (body, sizeof body,
              "{\"description\": \"x\", \"source\": \"citizen\", "
              "\"submitter\": \"%s\"}",
              token);
    s_reject (body, "too-long", "submitter", "submitter is 64 bytes, at most 63 allowed");
    token[63] = 0;
    snprintf (body, sizeof body,
              "{\"description\": \"x\", \"source\": \"citizen\", "
              "\"area\": \"%s\"}",
              token);
    sein_signal_t signal;
    sein_error_t error;
    assert_int_equal (s_parse (&signal, body, &error), 0);
    assert_int_equal (strlen (signal.area), 63);
    assert_true (sein_token_valid (signal.area));
    assert_false (sein_token_valid ("Heverlee"));
    assert_false (sein_token_valid (""));
    sein_signal_clear (&signal);
    //  Digits, '-', '_' and '.' are allowed.
    assert_int_equal (s_parse (&signal,
                               "{\"description\": \"x\", \"source\": \"citizen\","
                               " \"channel\": \"app_v2.1-beta\"}",
                               &error),
                      0);
    assert_string_equal (signal.channel, "app_v2.1-beta");
    sein_signal_clear (&signal);
}

static void test_free_text_fields (void **state)
{
    (void)state;
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"external_id\": 42}",
              "type", "external_id", "external_id must be a string");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"external_id\": "
              "\"a\\u0007\"}",
              "value", "external_id", "control characters");
    //  Reporter fields and attribute values are refused control characters
    //  too (C1 included); attribute values are published.
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"reporter\": "
              "{\"name\": \"An\\u0085\"}}",
              "value", "reporter.name", "control characters");
    s_reject ("{\"description\": \"x\", \"source\": \"system\", \"attributes\": "
              "{\"fill\": \"97\\u001b[31m\"}}",
              "value", "attributes.fill", "attributes.fill contains control characters");
    //  An id is no free text: not even a tab or a line break.
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"external_id\": "
              "\"a\\tb\"}",
              "value", "external_id", "control characters");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"external_id\": "
              "\"a\\r\\n\"}",
              "value", "external_id", "control characters");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"address_string\":"
              " \"Naamsestraat\\u0000 45\"}",
              "value", "address_string", "address_string contains a NUL character");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"address_string\":"
              " \"Naamsestraat\\u0002 45\"}",
              "value", "address_string", "control characters");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"address_string\": {}}",
              "type", "address_string", "must be a string");
    char body[1024], text[600];
    memset (text, 'x', 129);
    text[129] = 0;
    snprintf (
        body, sizeof body,
        "{\"description\": \"x\", \"source\": \"citizen\", \"external_id\": \"%s\"}",
        text);
    s_reject (body, "too-long", "external_id", "external_id is 129 bytes, at most 128");
    memset (text, 'x', 513);
    text[513] = 0;
    snprintf (
        body, sizeof body,
        "{\"description\": \"x\", \"source\": \"citizen\", \"address_string\": \"%s\"}",
        text);
    s_reject (body, "too-long", "address_string", "at most 512 allowed");
}

static void test_occurred_at (void **state)
{
    (void)state;
    sein_signal_t signal;
    sein_error_t error;
    assert_int_equal (s_parse (&signal,
                               "{\"description\": \"x\", \"source\": \"citizen\","
                               " \"occurred_at\": \"2026-05-01T20:30:00.5Z\"}",
                               &error),
                      0);
    assert_string_equal (signal.occurred_at, "2026-05-01T20:30:00.5Z");
    sein_signal_clear (&signal);
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"occurred_at\": "
              "\"yesterday\"}",
              "value", "occurred_at", "occurred_at must be an RFC 3339 date-time");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"occurred_at\": "
              "\"2026-05-01\"}",
              "value", "occurred_at", "RFC 3339");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"occurred_at\": "
              "\"2026-02-30T10:00:00Z\"}",
              "value", "occurred_at", "RFC 3339");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"occurred_at\": "
              "1777660200}",
              "type", "occurred_at", "occurred_at must be a string");
}

static void test_coordinates (void **state)
{
    (void)state;
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"lat\": \"50.8\","
              " \"long\": 4.7}",
              "type", "lat", "lat must be a number");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"lat\": 50.8,"
              " \"long\": true}",
              "type", "long", "long must be a number");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"lat\": 90.0001,"
              " \"long\": 4.7}",
              "value", "lat", "lat must be between -90 and 90");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"lat\": -91,"
              " \"long\": 4.7}",
              "value", "lat", "between -90 and 90");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"lat\": 50.8,"
              " \"long\": -180.5}",
              "value", "long", "long must be between -180 and 180");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"lat\": 50.8,"
              " \"long\": 1e300}",
              "value", "long", "between -180 and 180");
    //  Half a point is refused, naming the missing half.
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"lat\": 50.8}",
              "required", "long", "lat and long go together");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"long\": 4.7}",
              "required", "lat", "lat and long go together");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"lat\": 50.8,"
              " \"long\": null}",
              "required", "long", "go together");
    //  JSON has no NaN or Infinity: jansson refuses them as malformed.
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"lat\": NaN,"
              " \"long\": 4.7}",
              "json", NULL, "malformed JSON");

    //  The corners are inclusive, and integers are numbers too.
    sein_signal_t signal;
    sein_error_t error;
    assert_int_equal (s_parse (&signal,
                               "{\"description\": \"x\", \"source\": \"citizen\","
                               " \"lat\": -90, \"long\": 180}",
                               &error),
                      0);
    assert_true (signal.has_point);
    assert_float_equal (signal.lat, -90.0, 0);
    assert_float_equal (signal.lon, 180.0, 0);
    sein_signal_clear (&signal);
    assert_int_equal (s_parse (&signal,
                               "{\"description\": \"x\", \"source\": \"citizen\","
                               " \"lat\": 0, \"long\": 0}",
                               &error),
                      0);
    //  (0, 0) is a point, not "no point".
    assert_true (signal.has_point);
    sein_signal_clear (&signal);
}

static void test_reporter (void **state)
{
    (void)state;
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"reporter\": \"An\"}",
              "type", "reporter", "reporter must be an object");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"reporter\": [\"An\"]}",
              "type", "reporter", "reporter must be an object");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"reporter\":"
              " {\"name\": \"An\", \"adres\": \"x\"}}",
              "unknown-field", "reporter.adres", "'reporter.adres' is not a known field");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"reporter\":"
              " {\"name\": 7}}",
              "type", "reporter.name", "name must be a string");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"reporter\":"
              " {\"email\": \"\"}}",
              "empty", "reporter.email", "must not be empty");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"reporter\":"
              " {\"email\": \"an.example.be\"}}",
              "value", "reporter.email", "not an e-mail address");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"reporter\":"
              " {\"phone\": false}}",
              "type", "reporter.phone", "phone must be a string");
    char body[512], phone[300];
    memset (phone, '1', 257);
    phone[257] = 0;
    snprintf (body, sizeof body,
              "{\"description\": \"x\", \"source\": \"citizen\", \"reporter\":"
              " {\"phone\": \"%s\"}}",
              phone);
    s_reject (body, "too-long", "reporter.phone", "257 bytes, at most 256");

    //  A partial reporter is fine.
    sein_signal_t signal;
    sein_error_t error;
    assert_int_equal (s_parse (&signal,
                               "{\"description\": \"x\", \"source\": \"citizen\","
                               " \"reporter\": {\"phone\": \"016 00 00 00\"}}",
                               &error),
                      0);
    assert_null (signal.reporter_name);
    assert_null (signal.reporter_email);
    assert_string_equal (signal.reporter_phone, "016 00 00 00");
    sein_signal_clear (&signal);
}

//  A system signal with ATTRIBUTES (the JSON object's inside) in BODY.
static const char *s_with_attributes (char *body, size_t size, const char *attributes)
{
    snprintf (body, size,
              "{\"description\": \"x\", \"source\": \"system\", \"attributes\": {%s}}",
              attributes);
    return body;
}

static void test_attributes (void **state)
{
    (void)state;
    //  The object as a whole is "attributes"...
    s_reject ("{\"description\": \"x\", \"source\": \"system\", \"attributes\": \"a=b\"}",
              "type", "attributes", "attributes must be a flat object of strings");
    s_reject ("{\"description\": \"x\", \"source\": \"system\", \"attributes\": [\"a\"]}",
              "type", "attributes", "flat object of strings");
    //  ...one attribute is "attributes.<key>", whatever is wrong with it:
    //  type for a value that is no string, too-long for a name or value
    //  over its limit, empty for an empty name, value for control
    //  characters and NULs.
    char *body = malloc (8192);
    assert_non_null (body);
    s_reject (s_with_attributes (body, 8192, "\"db\": 81"), "type", "attributes.db",
              "attributes.db must be a string");
    s_reject (s_with_attributes (body, 8192, "\"a\": \"1\", \"nested\": {\"b\": \"c\"}"),
              "type", "attributes.nested", "attributes.nested must be a string");
    s_reject (s_with_attributes (body, 8192, "\"list\": [\"x\"]"), "type",
              "attributes.list", "attributes.list must be a string");
    s_reject (s_with_attributes (body, 8192, "\"on\": true"), "type", "attributes.on",
              "must be a string");
    s_reject (s_with_attributes (body, 8192, "\"none\": null"), "type", "attributes.none",
              "must be a string");
    s_reject (s_with_attributes (body, 8192, "\"\": \"v\""), "empty", "attributes.",
              "attribute names must not be empty");
    s_reject (s_with_attributes (body, 8192, "\"a\\u0001\": \"v\""), "value",
              "attributes.a\x01", "attribute names must not contain control characters");
    s_reject (s_with_attributes (body, 8192, "\"a\\u0085\": \"v\""), "value",
              "attributes.a\xc2\x85", "control characters");
    s_reject (s_with_attributes (body, 8192, "\"fill\": \"9\\u007f7\""), "value",
              "attributes.fill", "attributes.fill contains control characters");
    s_reject (s_with_attributes (body, 8192, "\"fill\": \"97\\u0000\""), "value",
              "attributes.fill", "attributes.fill contains a NUL character");
    //  A NUL in the name itself: the object that has the name.
    s_reject (s_with_attributes (body, 8192, "\"ok\": \"1\", \"f\\u0000ll\": \"97\""),
              "value", "attributes", "a name in attributes contains a NUL character");
    s_reject (s_with_attributes (body, 8192, "\"k\": \"1\", \"k\": \"2\""), "json", NULL,
              "duplicate key attributes.k");
    //  Values may hold tabs and line breaks, and may be empty.
    sein_signal_t signal;
    sein_error_t error;
    assert_int_equal (
        s_parse (&signal,
                 s_with_attributes (body, 8192, "\"log\": \"a\\tb\\r\\nc\", \"e\": \"\""),
                 &error),
        0);
    assert_int_equal (signal.nattributes, 2);
    assert_string_equal (signal.attributes[0].value, "a\tb\r\nc");
    assert_string_equal (signal.attributes[1].value, "");
    sein_signal_clear (&signal);

    //  Bounds: 64 keys, 64-byte names, 1024-byte values; at each bound
    //  accepted, one over refused.
    char list[2048];
    for (int keys = 64; keys <= 65; keys++) {
        int len = 0;
        for (int key = 0; key < keys; key++)
            len += snprintf (list + len, sizeof list - (size_t)len, "%s\"k%d\": \"v\"",
                             key ? ", " : "", key);
        s_with_attributes (body, 8192, list);
        if (keys == 64) {
            assert_int_equal (s_parse (&signal, body, &error), 0);
            assert_int_equal (signal.nattributes, 64);
            sein_signal_clear (&signal);
        } else
            s_reject (body, "too-long", "attributes",
                      "attributes has 65 keys, at most 64");
    }
    char value[1100];
    memset (value, 'v', 1025);
    value[1025] = 0;
    snprintf (list, sizeof list, "\"k\": \"%s\"", value);
    s_reject (s_with_attributes (body, 8192, list), "too-long", "attributes.k",
              "attributes.k is 1025 bytes, at most 1024 allowed");
    char name[70];
    memset (name, 'n', 65);
    name[65] = 0;
    snprintf (list, sizeof list, "\"%s\": \"v\"", name);
    //  The field names the key cut to 64 bytes: the error's name buffer.
    char field[80];
    snprintf (field, sizeof field, "attributes.%.64s", name);
    s_reject (s_with_attributes (body, 8192, list), "too-long", field,
              "attribute name is 65 bytes, at most 64 allowed");
    //  Cut at a character boundary: 21 "€" are 63 bytes, a 22nd would end
    //  at byte 66, so the field keeps 21 of 22 and stays UTF-8.
    char euros[80] = "";
    for (int index = 0; index < 22; index++)
        strcat (euros, "\xe2\x82\xac");
    snprintf (list, sizeof list, "\"%s\": \"v\"", euros);
    snprintf (field, sizeof field, "attributes.%.63s", euros);
    s_reject (s_with_attributes (body, 8192, list), "too-long", field, "66 bytes");
    assert_true (sein_utf8_valid (field, strlen (field), NULL));

    //  At the bounds it is accepted.
    value[1024] = 0;
    name[64] = 0;
    snprintf (list, sizeof list, "\"%s\": \"%s\"", name, value);
    assert_int_equal (s_parse (&signal, s_with_attributes (body, 8192, list), &error), 0);
    assert_int_equal (signal.nattributes, 1);
    assert_int_equal (strlen (signal.attributes[0].key), 64);
    assert_int_equal (strlen (signal.attributes[0].value), 1024);
    sein_signal_clear (&signal);
    assert_int_equal (s_parse (&signal, s_with_attributes (body, 8192, ""), &error), 0);
    //  An empty object is no attributes at all.
    assert_null (signal.attributes);
    assert_int_equal (signal.nattributes, 0);
    sein_signal_clear (&signal);
    free (body);
}

static void test_unknown_fields (void **state)
{
    (void)state;
    s_reject (
        "{\"description\": \"x\", \"source\": \"citizen\", \"adress_string\": \"y\"}",
        "unknown-field", "adress_string", "'adress_string' is not a signal field");
    //  Fields the daemon adds may not be submitted.
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"seq\": 5}",
              "unknown-field", "seq", "'seq'");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"status\": \"closed\"}",
              "unknown-field", "status", "'status'");
    //  Field names are case sensitive.
    s_reject ("{\"Description\": \"x\", \"source\": \"citizen\"}", "unknown-field",
              "Description", "'Description'");
}

static void test_body_size (void **state)
{
    (void)state;
    sein_signal_limits_t limits = {4000, 64};
    char body[128];
    //  Pad with spaces to an exact size.
    const char *json = "{\"description\": \"x\", \"source\": \"citizen\"}";
    memset (body, ' ', sizeof body);
    memcpy (body, json, strlen (json));
    sein_signal_t signal;
    sein_error_t error;
    assert_int_equal (sein_signal_parse (&signal, body, 64, &limits, &error), 0);
    sein_signal_clear (&signal);
    s_reject_n (body, 65, &limits, "too-large", NULL,
                "body is 65 bytes, at most 64 allowed");
    //  Size is checked first: a huge body is not even scanned.
    memset (body, 0xff, sizeof body);
    s_reject_n (body, 100, &limits, "too-large", NULL, "body is 100 bytes");
}

static void test_body_utf8 (void **state)
{
    (void)state;
    //  byte 17 is the bad one: {"description": " is 17 bytes
    s_reject ("{\"description\": \"\xff\", \"source\": \"citizen\"}", "utf8", NULL,
              "body is not valid UTF-8 at byte 17");
    //  After valid multi-byte characters the offset still counts bytes.
    s_reject ("{\"description\": \"é€\xc3(\", \"source\": \"citizen\"}", "utf8", NULL,
              "at byte 22");
    //  Overlong encoding of '/'
    s_reject ("{\"description\": \"\xc0\xaf\", \"source\": \"citizen\"}", "utf8", NULL,
              "at byte 17");
    //  A UTF-16 surrogate encoded in UTF-8
    s_reject ("{\"description\": \"\xed\xa0\x80\", \"source\": \"citizen\"}", "utf8",
              NULL, "at byte 17");
    //  Truncated at the very end of the body
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\"}\xe2\x82", "utf8", NULL,
              "at byte 41");
    //  Above U+10FFFF
    s_reject ("{\"description\": \"\xf4\x90\x80\x80\", \"source\": \"citizen\"}", "utf8",
              NULL, "at byte 17");
}

static void test_body_json (void **state)
{
    (void)state;
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\"", "json", NULL,
              "malformed JSON at byte");
    s_reject ("{\"description\": 'x'}", "json", NULL, "malformed JSON");
    s_reject ("", "json", NULL, "malformed JSON");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\"} {}", "json", NULL,
              "malformed JSON");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"description\": \"y\"}",
              "json", NULL, "duplicate");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"reporter\":"
              " {\"name\": \"a\", \"name\": \"b\"}}",
              "json", NULL, "duplicate");
    s_reject ("[{\"description\": \"x\", \"source\": \"citizen\"}]", "json", NULL,
              "body must be a JSON object");
    s_reject ("\"description\"", "json", NULL, "body must be a JSON object");
    s_reject ("42", "json", NULL, "body must be a JSON object");
    s_reject ("null", "json", NULL, "body must be a JSON object");
    //  A raw control character inside a string is not JSON.
    s_reject ("{\"description\": \"a\x01z\", \"source\": \"citizen\"}", "json", NULL,
              "malformed JSON");
    //  Size zero with no buffer at all.
    s_reject_n (NULL, 0, &s_limits, "json", NULL, "malformed JSON");
}

//  A UTF-8 byte-order mark is no JSON (RFC 8259, 8.1): cJSON would skip
//  it, the watch socket's jansson refuses it; SUBMIT refuses it too.
static void test_byte_order_mark (void **state)
{
    (void)state;
    s_reject ("\xef\xbb\xbf{\"description\": \"x\", \"source\": \"citizen\"}", "json",
              NULL, "byte-order mark");
    //  Anywhere else it is no white space either.
    s_reject (" \xef\xbb\xbf{\"description\": \"x\", \"source\": \"citizen\"}", "json",
              NULL, "malformed JSON");
    assert_true (sein_body_has_bom ("\xef\xbb\xbf{}", 5));
    assert_true (sein_body_has_bom ("\xef\xbb\xbf", 3));
    assert_false (sein_body_has_bom ("\xef\xbb", 2)); //  SIZE is honoured
    assert_false (sein_body_has_bom ("{}", 2));
    assert_false (sein_body_has_bom (NULL, 0));
    //  Inside a string U+FEFF is a character like any other.
    s_accept ("{\"description\": \"\xef\xbb\xbfx\", \"source\": \"citizen\"}");
}

//  An escaped NUL is valid JSON, but no C string holds it: refused as a
//  value, naming the field that holds it.
static void test_nul_names_its_field (void **state)
{
    (void)state;
    s_reject ("{\"description\": \"ab\\u0000cd\", \"source\": \"citizen\"}", "value",
              "description", "description contains a NUL character (\\u0000)");
    //  Even at the start, where the string would look empty.
    s_reject ("{\"source\": \"citizen\", \"description\": \"\\u0000abc\"}", "value",
              "description", "NUL");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"reporter\":"
              " {\"email\": \"a@b\", \"name\": \"\\u0000\"}}",
              "value", "reporter.name", "reporter.name contains a NUL");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"external_id\": "
              "\"a\\u0000\"}",
              "value", "external_id", "NUL");
    //  In an array or deeper: the member of the body (or of reporter,
    //  attributes) that holds it.
    s_reject ("{\"description\": [\"a\", \"\\u0000\"], \"source\": \"citizen\"}", "value",
              "description", "NUL");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"attributes\":"
              " {\"a\": \"1\", \"b\": {\"c\": [\"\\u0000\"]}}}",
              "value", "attributes.b", "NUL");
    //  Before unknown fields are looked for: the NUL names the field.
    s_reject (
        "{\"description\": \"x\", \"source\": \"citizen\", \"colour\": \"\\u0000\"}",
        "value", "colour", "colour contains a NUL");
    //  In a member's name: the object it is in, NULL for the body.
    s_reject ("{\"description\": \"x\", \"sou\\u0000rce\": \"citizen\"}", "value", NULL,
              "a name in the body contains a NUL character");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"reporter\":"
              " {\"na\\u0000me\": \"An\"}}",
              "value", "reporter", "a name in reporter");
    //  Colons and commas inside strings do not move the count.
    s_reject ("{\"description\": \"a, b: c\", \"source\": \"citizen\", \"channel\":"
              " \"{[,:\\\"\", \"address_string\": \"x\\u0000\"}",
              "value", "address_string", "NUL");
    //  An escaped backslash before u0000 is no NUL.
    sein_signal_t signal;
    sein_error_t error;
    assert_int_equal (
        s_parse (&signal, "{\"description\": \"a\\\\u0000\", \"source\": \"citizen\"}",
                 &error),
        0);
    assert_string_equal (signal.description, "a\\u0000");
    sein_signal_clear (&signal);
    //  Errors of the body as a whole come first.
    s_reject ("{\"description\": \"\\u0000\", \"source\": \"citizen\"} x", "json", NULL,
              "malformed JSON");
    s_reject ("{\"description\": \"\\u0000\", \"source\": \"\xff\"}", "utf8", NULL,
              "byte");
}

//  Blank is blank in any script: White_Space and zero-width characters.
//  sein_json_without: the top-level member only, with one comma, whatever
//  its value holds; nested or quoted lookalikes stay.
static void test_json_without (void **state)
{
    (void) state;
    const char *cases[][2] = {
        {"{\"seq\":1,\"external_id\":\"A,\\\"}b\",\"x\":2}", "{\"seq\":1,\"x\":2}"},
        {"{\"external_id\":\"A\",\"x\":2}", "{\"x\":2}"},
        {"{\"x\":2,\"external_id\":\"A\"}", "{\"x\":2}"},
        {"{\"external_id\":{\"a\":[1,{\"b\":\"}\"}]}}", "{}"},
        {"{\"a\":{\"external_id\":\"keep\"},\"d\":\"external_id\",\"external_id\":null}",
         "{\"a\":{\"external_id\":\"keep\"},\"d\":\"external_id\"}"},
    };
    sein_buf_t out = {0};
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        assert_true (sein_json_without (cases[index][0], strlen (cases[index][0]),
                                        "external_id", &out));
        assert_string_equal (out.data, cases[index][1]);
    }
    const char *none = "{\"a\":{\"external_id\":1},\"b\":\"external_id\"}";
    assert_false (sein_json_without (none, strlen (none), "external_id", &out));
    sein_buf_free (&out);
}

static void test_unicode_blank_description (void **state)
{
    (void)state;
    const char *blanks[] = {
        "\\u00a0",                                      //  no-break space
        "\\u3000\\u3000",                               //  ideographic space
        "\\u200b",                                      //  zero-width space
        "\xe2\x80\x8b",                                 //  the same, raw
        " \\u2002\\u2003\\u2009\\u200a\\u202f\\u205f ", //  en, em, thin, hair, narrow,
                                                        //  math
        "\\u1680",                                      //  ogham space mark
        "\\u2028\\u2029",                               //  line and paragraph separators
        "\\u200c\\u200d\\u2060\\ufeff",                 //  ZWNJ, ZWJ, word joiner, ZWNBSP
        "\\u3164",                                      //  Hangul filler
        "\\u00ad",                                      //  soft hyphen
        "\\t\\u00a0\\n\\u200b\\r",                      //  mixed with the ASCII blanks
        "\\u000b\\u000c", //  vertical tab, form feed: White_Space
    };
    for (size_t index = 0; index < sizeof blanks / sizeof blanks[0]; index++) {
        char body[256];
        snprintf (body, sizeof body, "{\"description\": \"%s\", \"source\": \"citizen\"}",
                  blanks[index]);
        s_reject (body, "empty", "description", "description must not be blank");
    }
    //  One visible character is enough, wherever it is.
    const char *visible[] = {"\\u00a0x", "\\u200b\\u3000\xe2\x80\x8b.", "\\u2800",
                             "\\u3000\xe6\x9c\xa8"};
    for (size_t index = 0; index < sizeof visible / sizeof visible[0]; index++) {
        char body[256];
        snprintf (body, sizeof body, "{\"description\": \"%s\", \"source\": \"citizen\"}",
                  visible[index]);
        s_accept (body);
    }
    //  A control character is no blank: it is refused as one.
    s_reject ("{\"description\": \"\\u00a0\\u0001\", \"source\": \"citizen\"}", "value",
              "description", "control characters");
}

//  area and theme: any string that is not a known code is unknown, also
//  one that cannot be a code at all; only a non-string is a wrong type.
static void test_area_and_theme_codes (void **state)
{
    (void)state;
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"area\": \"Heverlee\"}",
              "unknown-area", "area", "unknown area 'Heverlee'");
    s_reject (
        "{\"description\": \"x\", \"source\": \"citizen\", \"area\": \"heilig hart\"}",
        "unknown-area", "area", "unknown area 'heilig hart'");
    s_reject (
        "{\"description\": \"x\", \"source\": \"citizen\", \"theme\": \"afval/zwerf\"}",
        "unknown-theme", "theme", "unknown theme 'afval/zwerf'");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"theme\": "
              "\"\xc3\xa9t\xc3\xa9\"}",
              "unknown-theme", "theme", "unknown theme");
    //  Longer than any code: still unknown, and the message stays bounded
    //  and UTF-8 (the echo is cut to 64 bytes at a character boundary).
    char body[4096], text[3000] = "";
    for (int index = 0; index < 900; index++)
        strcat (text, "\xe2\x82\xac");
    snprintf (body, sizeof body,
              "{\"description\": \"x\", \"source\": \"citizen\", "
              "\"area\": \"%s\"}",
              text);
    sein_signal_t signal;
    sein_error_t error;
    assert_int_equal (s_parse (&signal, body, &error), -1);
    assert_string_equal (error.code, "unknown-area");
    assert_true (sein_utf8_valid (error.message, strlen (error.message), NULL));
    assert_non_null (strstr (error.message, "'\xe2\x82\xac"));
    assert_null (strstr (error.message, text + 66)); //  cut
    memset (text, 'a', 64);
    text[64] = 0;
    snprintf (body, sizeof body,
              "{\"description\": \"x\", \"source\": \"citizen\", "
              "\"theme\": \"%s\"}",
              text);
    s_reject (body, "unknown-theme", "theme", "unknown theme 'aaaa");
    //  Types and emptiness as for every string field.
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"area\": 3000}", "type",
              "area", "area must be a string");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"theme\": [\"afval\"]}",
              "type", "theme", "theme must be a string");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"area\": \"\"}",
              "empty", "area", "area must not be empty");
    //  A code is passed on for sein_prepare to look up.
    assert_int_equal (s_parse (&signal,
                               "{\"description\": \"x\", \"source\": \"citizen\","
                               " \"area\": \"triage\", \"theme\": \"afval\"}",
                               &error),
                      0);
    assert_string_equal (signal.area, "triage");
    assert_string_equal (signal.theme, "afval");
    sein_signal_clear (&signal);
}

//  Check one string FIELD (a JSON path: "reporter.name" is nested) against
//  its limit of MAX bytes: MAX bytes of TEXT_CHAR accepted, one more
//  refused as too-long naming the field.
static void s_check_limit (const char *field, size_t max, char text_char)
{
    size_t size = 2 * max + 256;
    char *body = malloc (size), *text = malloc (max + 2);
    assert_non_null (body);
    assert_non_null (text);
    const char *dot = strchr (field, '.');
    for (size_t len = max; len <= max + 1; len++) {
        memset (text, text_char, len);
        text[len] = 0;
        if (strcmp (field, "description") == 0)
            snprintf (body, size, "{\"description\": \"%s\", \"source\": \"citizen\"}",
                      text);
        else if (dot)
            snprintf (
                body, size,
                "{\"description\": \"x\", \"source\": \"citizen\", \"%.*s\": {\"%s\": "
                "\"%s\"}}",
                (int)(dot - field), field, dot + 1, text);
        else
            snprintf (body, size,
                      "{\"description\": \"x\", \"source\": \"citizen\", "
                      "\"%s\": \"%s\"}",
                      field, text);
        if (len == max)
            s_accept (body);
        else {
            char message[128];
            snprintf (message, sizeof message, "%s is %zu bytes, at most %zu allowed",
                      field, len, max);
            s_reject (body, "too-long", field, message);
        }
    }
    free (body);
    free (text);
}

//  Every limit the SUBMIT table of docs/PROTOCOL.md states, at the limit
//  and one over (attributes: test_attributes; tokens:
//  test_tokens_and_priority).
static void test_documented_limits (void **state)
{
    (void)state;
    s_check_limit ("description", 4000, 'd');
    s_check_limit ("external_id", 128, 'e');
    s_check_limit ("address_string", 512, 'a');
    s_check_limit ("reporter.name", 256, 'n');
    s_check_limit ("reporter.phone", 256, '1');
    s_check_limit ("channel", 63, 'c');
    s_check_limit ("submitter", 63, 's');
    //  reporter.email needs its '@'.
    char body[1024], email[300];
    memset (email, 'm', 257);
    email[0] = '@';
    email[256] = 0;
    snprintf (
        body, sizeof body,
        "{\"description\": \"x\", \"source\": \"citizen\", \"reporter\": {\"email\": "
        "\"%s\"}}",
        email);
    s_accept (body);
    email[256] = 'm';
    email[257] = 0;
    snprintf (
        body, sizeof body,
        "{\"description\": \"x\", \"source\": \"citizen\", \"reporter\": {\"email\": "
        "\"%s\"}}",
        email);
    s_reject (body, "too-long", "reporter.email", "257 bytes, at most 256 allowed");
    //  occurred_at: at most 64 bytes (an RFC 3339 time with a long fraction).
    char when[80] = "2026-05-01T20:30:00.";
    size_t len = strlen (when);
    memset (when + len, '5', 64 - len - 1);
    strcpy (when + 63, "Z");
    snprintf (
        body, sizeof body,
        "{\"description\": \"x\", \"source\": \"citizen\", \"occurred_at\": \"%s\"}",
        when);
    s_accept (body);
    strcpy (when + 63, "5Z");
    snprintf (
        body, sizeof body,
        "{\"description\": \"x\", \"source\": \"citizen\", \"occurred_at\": \"%s\"}",
        when);
    s_reject (body, "too-long", "occurred_at", "occurred_at is 65 bytes, at most 64");
    //  source and priority are one of a list: any other string, however
    //  long, is a wrong value, not a long one.
    char text[200];
    memset (text, 'x', 100);
    text[100] = 0;
    snprintf (body, sizeof body, "{\"description\": \"x\", \"source\": \"%s\"}", text);
    s_reject (body, "value", "source", "citizen, partner, staff or system");
    snprintf (body, sizeof body,
              "{\"description\": \"x\", \"source\": \"staff\", \"priority\": \"%s\"}",
              text);
    s_reject (body, "value", "priority", "low, normal, high or urgent");
    s_reject ("{\"description\": \"x\", \"source\": \"staff\", \"priority\": \"\"}",
              "empty", "priority", "must not be empty");
    //  Strings are 1.. bytes: "" is empty, not absent.
    s_reject ("{\"description\": \"x\", \"source\": \"staff\", \"address_string\": \"\"}",
              "empty", "address_string", "must not be empty");
    s_reject ("{\"description\": \"x\", \"source\": \"staff\", \"external_id\": \"\"}",
              "empty", "external_id", "must not be empty");
    s_reject (
        "{\"description\": \"x\", \"source\": \"staff\", \"reporter\": {\"name\": \"\"}}",
        "empty", "reporter.name", "must not be empty");
}

//  Every field refuses every wrong JSON type with code type, naming it.
static void test_wrong_types (void **state)
{
    (void)state;
    const char *fields[] = {"description",    "source",        "channel",
                            "external_id",    "submitter",     "address_string",
                            "area",           "theme",         "priority",
                            "occurred_at",    "lat",           "long",
                            "reporter",       "attributes",    "reporter.name",
                            "reporter.email", "reporter.phone"};
    const char *numbers[] = {"lat", "long"}, *objects[] = {"reporter", "attributes"};
    const char *wrongs[] = {"\"50.8\"", "42",      "-1.5e3", "true",          "false",
                            "[]",       "[\"x\"]", "{}",     "{\"a\": \"b\"}"};
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
        for (size_t w = 0; w < sizeof wrongs / sizeof wrongs[0]; w++) {
            const char *wrong = wrongs[w];
            bool number = strcmp (fields[f], numbers[0]) == 0 ||
                          strcmp (fields[f], numbers[1]) == 0;
            bool object = strcmp (fields[f], objects[0]) == 0 ||
                          strcmp (fields[f], objects[1]) == 0;
            //  Skip the right types.
            if ((number && (wrong[0] == '-' || (wrong[0] >= '0' && wrong[0] <= '9'))) ||
                (object && wrong[0] == '{') || (!number && !object && wrong[0] == '"'))
                continue;
            char body[512];
            const char *dot = strchr (fields[f], '.');
            //  Both coordinates, so that pairing is not what fails.
            const char *pair = strcmp (fields[f], "lat") == 0    ? ", \"long\": 4.7"
                               : strcmp (fields[f], "long") == 0 ? ", \"lat\": 50.8"
                                                                 : "";
            if (strcmp (fields[f], "description") == 0)
                snprintf (body, sizeof body,
                          "{\"description\": %s, \"source\": \"staff\"}", wrong);
            else if (strcmp (fields[f], "source") == 0)
                snprintf (body, sizeof body, "{\"description\": \"x\", \"source\": %s}",
                          wrong);
            else if (dot)
                snprintf (
                    body, sizeof body,
                    "{\"description\": \"x\", \"source\": \"staff\", \"%.*s\": {\"%s\": "
                    "%s}}",
                    (int)(dot - fields[f]), fields[f], dot + 1, wrong);
            else
                snprintf (body, sizeof body,
                          "{\"description\": \"x\", \"source\": \"staff\", \"%s\": %s%s}",
                          fields[f], wrong, pair);
            s_reject (body, "type", fields[f], "must be");
        }
    }
}

//  Numbers: what JSON has not (NaN, Infinity) is malformed; what a double
//  cannot hold is out of range; a long number is read in full.
static void test_numbers (void **state)
{
    (void)state;
    const char *malformed[] = {"NaN",  "-NaN", "Infinity", "-Infinity", "inf",
                               "+4.7", "4.",   ".7",       "04.7",      "0x10",
                               "4.7e", "1e+",  "--4"};
    for (size_t index = 0; index < sizeof malformed / sizeof malformed[0]; index++) {
        char body[256];
        snprintf (body, sizeof body,
                  "{\"description\": \"x\", \"source\": \"citizen\", \"lat\": 50.8, "
                  "\"long\": %s}",
                  malformed[index]);
        s_reject (body, "json", NULL, "malformed JSON");
    }
    //  Beyond a double: infinite once read, so out of range.
    s_reject (
        "{\"description\": \"x\", \"source\": \"citizen\", \"lat\": 1e400, \"long\": 4}",
        "value", "lat", "between -90 and 90");
    s_reject (
        "{\"description\": \"x\", \"source\": \"citizen\", \"lat\": 4, \"long\": -1e400}",
        "value", "long", "between -180 and 180");
    s_reject (
        "{\"description\": \"x\", \"source\": \"citizen\", \"lat\": "
        "123456789012345678901234567890123456789012345678901234567890123456789012345678,"
        " \"long\": 4}",
        "value", "lat", "between -90 and 90");
    //  Tiny and long numbers are read in full (more than 63 characters).
    sein_signal_t signal;
    sein_error_t error;
    assert_int_equal (
        s_parse (&signal,
                 "{\"description\": \"x\", \"source\": \"citizen\", \"lat\": "
                 "50.8771000000000000000000000000000000000000000000000000000000"
                 "00000000001, \"long\": -1e-400}",
                 &error),
        0);
    assert_float_equal (signal.lat, 50.8771, 0);
    assert_float_equal (signal.lon, 0, 0);
    sein_signal_clear (&signal);
    //  A number where a string belongs is a type error, however large.
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\", \"external_id\": 1e999}",
              "type", "external_id", "must be a string");
}

//  Nesting: a signal is two levels deep; up to SEIN_JSON_DEPTH_MAX levels
//  the field says what is wrong, deeper the body is refused before it is
//  parsed.
static void test_nesting (void **state)
{
    (void)state;
    char body[8192];
    for (int depth = SEIN_JSON_DEPTH_MAX; depth <= SEIN_JSON_DEPTH_MAX + 1; depth++) {
        //  The body and attributes are two levels; the rest are arrays.
        int len = snprintf (body, sizeof body,
                            "{\"description\": \"x\", \"source\": \"system\", "
                            "\"attributes\": {\"deep\": ");
        for (int level = 2; level < depth; level++)
            body[len++] = '[';
        for (int level = 2; level < depth; level++)
            body[len++] = ']';
        snprintf (body + len, sizeof body - (size_t)len, "}}");
        if (depth == SEIN_JSON_DEPTH_MAX)
            s_reject (body, "type", "attributes.deep", "must be a string");
        else
            s_reject (body, "json", NULL, "nested deeper than 32 levels");
    }
    //  Far deeper than cJSON's own limit: the same answer, no recursion.
    int len = snprintf (body, sizeof body,
                        "{\"description\": \"x\", \"source\": \"staff\", "
                        "\"reporter\": ");
    memset (body + len, '[', 5000);
    snprintf (body + len + 5000, sizeof body - (size_t)len - 5000, "}");
    s_reject (body, "json", NULL, "nested deeper than");
    //  Brackets inside strings are text.
    char text[100];
    memset (text, '[', 60);
    text[60] = 0;
    snprintf (body, sizeof body, "{\"description\": \"%s\", \"source\": \"staff\"}",
              text);
    s_accept (body);
}

//  Between tokens JSON allows space, tab, LF and CR only; cJSON would skip
//  any byte up to 0x20.
static void test_control_outside_strings (void **state)
{
    (void)state;
    s_reject ("{\x01\"description\": \"x\", \"source\": \"citizen\"}", "json", NULL,
              "control character outside a string");
    s_reject ("{\"description\":\x0b\"x\", \"source\": \"citizen\"}", "json", NULL,
              "at byte 15");
    s_reject ("{\"description\": \"x\", \"source\": \"citizen\"}\x0c", "json", NULL,
              "control character outside a string");
    //  A raw NUL byte, with the body's real size.
    const char nul[] = "{\"description\": \"x\",\0 \"source\": \"citizen\"}";
    s_reject_n (nul, sizeof nul - 1, &s_limits, "json", NULL, "at byte 20");
    //  The four JSON blanks are fine anywhere between tokens.
    s_accept (" \t\r\n{ \"description\"\t:\r\n\"x\" ,\"source\":\"citizen\"}\r\n");
}

//  The stored, acknowledged and published point is the given one: the
//  shortest text that reads back as the same double, always a JSON real.
static void test_point_round_trip (void **state)
{
    (void)state;
    struct {
        double value;
        const char *text;
    } known[] = {{50.8771, "50.8771"},
                 {4.7005, "4.7005"},
                 {0, "0.0"},
                 {-90, "-90.0"},
                 {180, "180.0"},
                 {0.1, "0.1"},
                 {50.87712345678, "50.87712345678"},
                 {1e-7, "1e-07"},
                 {-0.0000001234, "-1.234e-07"},
                 {4.123456789012345, "4.123456789012345"}};
    sein_buf_t buf = {0};
    for (size_t index = 0; index < sizeof known / sizeof known[0]; index++) {
        sein_buf_reset (&buf);
        sein_buf_double (&buf, known[index].value);
        assert_string_equal (buf.data, known[index].text);
    }
    //  Every double reads back as itself, from the body's text to the
    //  event's: some need 16 or 17 digits.
    const char *given[] = {"50.877123456789012",
                           "4.7005000000000001",
                           "-33.868820000000003",
                           "0.30000000000000004",
                           "89.999999999999986",
                           "-89.999999999999972",
                           "50.1",
                           "4.70050000000000034",
                           "1e-300",
                           "5e-324"};
    for (size_t index = 0; index < sizeof given / sizeof given[0]; index++) {
        char body[256];
        snprintf (body, sizeof body,
                  "{\"description\": \"x\", \"source\": \"citizen\", \"lat\": %s, "
                  "\"long\": %s}",
                  given[index], given[index]);
        sein_signal_t signal;
        sein_error_t error;
        assert_int_equal (s_parse (&signal, body, &error), 0);
        sein_buf_reset (&buf);
        sein_buf_raw (&buf, "{", 1);
        sein_buf_field_degrees (&buf, "lat", signal.lat);
        sein_buf_raw (&buf, "}", 1);
        //  The rendered event is JSON and holds the very same double.
        cJSON *json = cJSON_Parse (buf.data);
        assert_non_null (json);
        cJSON *lat = cJSON_GetObjectItemCaseSensitive (json, "lat");
        assert_non_null (lat);
        if (lat->valuedouble != signal.lat)
            fail_msg ("%s rendered as %s", given[index], buf.data);
        //  And no longer than it must be: 17 significant digits at most.
        assert_true (strlen (buf.data) <= strlen ("{\"lat\":-1.2345678901234567e-308}"));
        cJSON_Delete (json);
        sein_signal_clear (&signal);
    }
    //  A non-finite value (never a coordinate) still writes JSON.
    sein_buf_reset (&buf);
    sein_buf_double (&buf, 1.0 / 0.0);
    assert_string_equal (buf.data, "0.0");
    sein_buf_free (&buf);
}

static void test_utf8_valid (void **state)
{
    (void)state;
    size_t offset = 12345;
    const char *good = "plain, é, €, 𝄞";
    assert_true (sein_utf8_valid (good, strlen (good), &offset));
    assert_int_equal (offset, 12345); //  untouched on success
    assert_true (sein_utf8_valid ("", 0, NULL));
    //  The size is honoured: the bad byte past SIZE is not looked at.
    assert_true (sein_utf8_valid ("ab\xff", 2, &offset));
    assert_false (sein_utf8_valid ("ab\xff", 3, &offset));
    assert_int_equal (offset, 2);
    //  A sequence cut by SIZE is invalid even if the buffer continues.
    assert_false (sein_utf8_valid ("x\xe2\x82\xac", 3, &offset));
    assert_int_equal (offset, 1);
    assert_true (sein_utf8_valid ("x\xe2\x82\xac", 4, &offset));
    //  A lone continuation byte
    assert_false (sein_utf8_valid ("abc\x80", 4, &offset));
    assert_int_equal (offset, 3);
    //  Overlong NUL
    assert_false (sein_utf8_valid ("\xc0\x80", 2, &offset));
    assert_int_equal (offset, 0);
    //  An embedded NUL byte is valid UTF-8 (the JSON parser rejects it).
    assert_true (sein_utf8_valid ("a\0b", 3, NULL));
    assert_false (sein_utf8_valid ("\xed\xbf\xbf", 3, NULL)); //  low surrogate
    assert_true (sein_utf8_valid ("\xef\xbf\xbd", 3, NULL));  //  U+FFFD
}

//  A version frame is any bytes; the error echoes them as UTF-8 a client
//  can parse (found by fuzz_wire: "\xad\xad\xad\xad/1" made the reply
//  invalid UTF-8).
static void test_error_version_echo (void **state)
{
    (void)state;
    sein_error_t error;
    assert_int_equal (sein_error_version (&error, "\xad\xad\xe2\x82/1\0x\n", 9), -1);
    assert_string_equal (error.code, "version");
    assert_null (error.field);
    assert_true (sein_utf8_valid (error.message, strlen (error.message), NULL));
    assert_non_null (strstr (error.message, "'\?\?\?\?/1?x?'"));
    //  Long frames are cut to 32 bytes.
    char frame[100];
    memset (frame, 'v', sizeof frame);
    sein_error_version (&error, frame, sizeof frame);
    assert_non_null (strstr (error.message, "'vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv'"));
}

static void test_error_set (void **state)
{
    (void)state;
    sein_error_t error;
    assert_int_equal (sein_error_set (&error, "value", "lat", "lat is %d", 91), -1);
    assert_string_equal (error.code, "value");
    assert_string_equal (error.field, "lat");
    assert_string_equal (error.message, "lat is 91");
    //  Long messages are cut, never overflow.
    char long_text[600];
    memset (long_text, 'm', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = 0;
    assert_int_equal (sein_error_set (&error, "json", NULL, "%s", long_text), -1);
    assert_null (error.field);
    assert_int_equal (strlen (error.message), sizeof error.message - 1);
    //  Cut at a character boundary: 100 "€" are 300 bytes; 85 fit in 255.
    char euros[400] = "";
    for (int index = 0; index < 100; index++)
        strcat (euros, "\xe2\x82\xac");
    sein_error_set (&error, "value", NULL, "%s", euros);
    assert_int_equal (strlen (error.message), 255);
    assert_true (sein_utf8_valid (error.message, strlen (error.message), NULL));
    sein_error_set (&error, "value", NULL, "x%s", euros); //  254 bytes of whole ones
    assert_int_equal (strlen (error.message), 253);
    assert_true (sein_utf8_valid (error.message, strlen (error.message), NULL));
    //  Unknown field names too: 30 "€" (90 bytes) keep 21 (63 bytes).
    char body[512];
    snprintf (body, sizeof body,
              "{\"description\": \"x\", \"source\": \"staff\", \"%.90s\": 1}", euros);
    char field[80];
    snprintf (field, sizeof field, "%.63s", euros);
    s_reject (body, "unknown-field", field, "is not a signal field");
}

static void test_rfc3339_to_utc (void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"2026-05-01T22:30:00+02:00", "2026-05-01T20:30:00.000Z"},
        {"2026-05-01T20:30:00Z", "2026-05-01T20:30:00.000Z"},
        {"2026-05-01t20:30:00z", "2026-05-01T20:30:00.000Z"},
        {"2026-05-01 20:30:00Z", "2026-05-01T20:30:00.000Z"},
        {"2026-05-01T20:30:00.5Z", "2026-05-01T20:30:00.500Z"},
        {"2026-05-01T20:30:00.07Z", "2026-05-01T20:30:00.070Z"},
        {"2026-05-01T20:30:00.123Z", "2026-05-01T20:30:00.123Z"},
        {"2026-05-01T20:30:00.123999Z", "2026-05-01T20:30:00.123Z"},
        {"2026-05-01T20:30:00.250+02:00", "2026-05-01T18:30:00.250Z"},
        {"2026-05-01T22:30:00-05:30", "2026-05-02T04:00:00.000Z"},
        {"2026-05-01T20:30:00+00:00", "2026-05-01T20:30:00.000Z"},
        {"2026-05-01T20:30:00-00:00", "2026-05-01T20:30:00.000Z"},
        {"2026-01-01T00:30:00+01:00", "2025-12-31T23:30:00.000Z"},
        {"2025-12-31T23:30:00-01:00", "2026-01-01T00:30:00.000Z"},
        {"2024-02-29T12:00:00Z", "2024-02-29T12:00:00.000Z"},
        {"2000-02-29T00:00:00+01:00", "2000-02-28T23:00:00.000Z"},
        {"2024-03-01T00:00:00+00:01", "2024-02-29T23:59:00.000Z"},
        {"2026-04-30T23:59:59Z", "2026-04-30T23:59:59.000Z"},
        {"2026-12-31T23:59:59.999+23:59", "2026-12-31T00:00:59.999Z"},
        //  Early years keep four digits so stored times sort as strings.
        {"0999-05-01T00:00:00Z", "0999-05-01T00:00:00.000Z"},
        {"0001-01-01T00:00:00+01:00", "0000-12-31T23:00:00.000Z"},
        {"9999-12-31T23:59:59Z", "9999-12-31T23:59:59.000Z"},
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        char utc[SEIN_TIME_MAX];
        memset (utc, '#', sizeof utc);
        if (sein_rfc3339_utc (cases[index][0], utc))
            fail_msg ("'%s' refused", cases[index][0]);
        if (strcmp (utc, cases[index][1]) != 0)
            fail_msg ("'%s' gave '%s', expected '%s'", cases[index][0], utc,
                      cases[index][1]);
        //  Validation alone needs no buffer.
        assert_int_equal (sein_rfc3339_utc (cases[index][0], NULL), 0);
    }
}

static void test_rfc3339_invalid (void **state)
{
    (void)state;
    const char *cases[] = {
        "",
        "2026-05-01",
        "2026-05-01T20:30:00",        //  no zone
        "2026-05-01T20:30Z",          //  no seconds
        "2026-5-01T20:30:00Z",        //  one-digit month
        "26-05-01T20:30:00Z",         //  two-digit year
        "+2026-05-01T20:30:00Z",      //  sign
        " 2026-05-01T20:30:00Z",      //  leading blank
        "2026-05-01X20:30:00Z",       //  wrong separator
        "2026/05/01T20:30:00Z",       //  wrong separator
        "2026-13-01T00:00:00Z",       //  month 13
        "2026-00-10T00:00:00Z",       //  month 0
        "2026-05-00T00:00:00Z",       //  day 0
        "2026-05-32T00:00:00Z",       //  day 32
        "2026-04-31T00:00:00Z",       //  April has 30 days
        "2026-06-31T00:00:00Z",       //  June has 30 days
        "2026-02-29T00:00:00Z",       //  2026 is no leap year
        "2026-02-30T00:00:00Z",       //  never
        "1900-02-29T00:00:00Z",       //  centuries are no leap years...
        "2026-05-01T24:00:00Z",       //  hour 24
        "2026-05-01T23:60:00Z",       //  minute 60
        "2026-05-01T23:59:61Z",       //  second 61
        "2026-05-01T20:30:00.Z",      //  dot without digits
        "2026-05-01T20:30:00,5Z",     //  comma fraction
        "2026-05-01T20:30:00+0200",   //  offset without colon
        "2026-05-01T20:30:00+02",     //  offset without minutes
        "2026-05-01T20:30:00+24:00",  //  offset hour 24
        "2026-05-01T20:30:00+02:60",  //  offset minute 60
        "2026-05-01T20:30:00ZZ",      //  trailing garbage
        "2026-05-01T20:30:00Z ",      //  trailing blank
        "2026-05-01T20:30:00+02:00x", //  trailing garbage after offset
        "2026-05-01T20:30:00 Z",      //  blank before zone
        "2026-05-01T2a:30:00Z",       //  letter in the time
        "9999-12-31T23:59:59-01:00",  //  year 10000 in UTC
        "0000-01-01T00:30:00+01:00",  //  year -1 in UTC
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        char utc[SEIN_TIME_MAX];
        if (sein_rfc3339_utc (cases[index], utc) == 0)
            fail_msg ("'%s' accepted as '%s'", cases[index], utc);
        assert_int_equal (sein_rfc3339_utc (cases[index], NULL), -1);
    }
    //  ...but every 400 years they are.
    assert_int_equal (sein_rfc3339_utc ("2000-02-29T00:00:00Z", NULL), 0);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_minimal_signal),
        cmocka_unit_test (test_full_signal),
        cmocka_unit_test (test_every_source_and_priority),
        cmocka_unit_test (test_nulls_are_absent),
        cmocka_unit_test (test_description),
        cmocka_unit_test (test_description_length_in_bytes),
        cmocka_unit_test (test_source),
        cmocka_unit_test (test_tokens_and_priority),
        cmocka_unit_test (test_free_text_fields),
        cmocka_unit_test (test_occurred_at),
        cmocka_unit_test (test_coordinates),
        cmocka_unit_test (test_reporter),
        cmocka_unit_test (test_attributes),
        cmocka_unit_test (test_unknown_fields),
        cmocka_unit_test (test_body_size),
        cmocka_unit_test (test_body_utf8),
        cmocka_unit_test (test_body_json),
        cmocka_unit_test (test_byte_order_mark),
        cmocka_unit_test (test_nul_names_its_field),
        cmocka_unit_test (test_unicode_blank_description),
        cmocka_unit_test (test_json_without),
        cmocka_unit_test (test_area_and_theme_codes),
        cmocka_unit_test (test_documented_limits),
        cmocka_unit_test (test_wrong_types),
        cmocka_unit_test (test_numbers),
        cmocka_unit_test (test_nesting),
        cmocka_unit_test (test_control_outside_strings),
        cmocka_unit_test (test_point_round_trip),
        cmocka_unit_test (test_utf8_valid),
        cmocka_unit_test (test_error_set),
        cmocka_unit_test (test_error_version_echo),
        cmocka_unit_test (test_rfc3339_to_utc),
        cmocka_unit_test (test_rfc3339_invalid),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
