// SPDX-License-Identifier: MPL-2.0
/*  sein_signal.h - one submitted signal, parsed and validated

    A submission arrives as a JSON object (PRODUCT.md "A signal"). This class
    turns the raw bytes into a sein_signal_t whose fields are checked one by
    one, or into a precise error {code, field, message} that goes back to
    the submitter unchanged. Nothing here knows about areas or storage: the
    checks are the ones that need no reference data.

    This is the one place that parses with cJSON instead of jansson: every
    submission passes here, and on a typical 300-byte body jansson's parser
    costs about 7 us against cJSON's 1.5 us (docs/DESIGN.md). What cJSON
    tolerates and JSON does not (raw control characters, loose numbers, a
    byte-order mark) is refused by a strict pre-scan, which also finds an
    escaped NUL so that its error can name the field holding it.
*/
#ifndef SEIN_SIGNAL_H_INCLUDED
#define SEIN_SIGNAL_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

//  Limits that come from the configuration.
typedef struct {
    size_t description_max; //  bytes
    size_t message_max;     //  bytes of the whole JSON body
} sein_signal_limits_t;

//  A rejected input: code is a static string; field is a static string,
//  or `name` for a field the input named itself (an unknown one, an
//  attribute: "attributes.<key>"), or NULL when the error is about the
//  whole body; message is human text. Both name and message are cut at a
//  character boundary, so they stay valid UTF-8 however long the input.
typedef struct {
    const char *code;
    const char *field;
    char name[80]; //  "attributes." and 64 bytes of a key
    char message[256];
    //  A refused submission's own external_id, when it could be read (the
    //  refusal echoes it); "" otherwise. Only sein_signal_parse sets it.
    char external_id[129];
} sein_error_t;

//  The priorities, lowest first; NULL-terminated.
extern const char *const sein_priorities[];

//  One machine attribute, e.g. {"bin_fill", "97"}.
typedef struct {
    const char *key;
    const char *value;
} sein_attribute_t;

//  A valid submission. All strings are borrowed from `tree`, the parsed
//  body, which the signal owns; NULL means the optional field was absent.
typedef struct {
    void *tree;
    const char *description;
    const char *source;
    const char *channel;
    const char *external_id;
    const char *address_string;
    const char *area;     //  explicit area code, not yet checked against data
    const char *theme;    //  explicit theme code, idem
    const char *priority; //  explicit priority
    const char *occurred_at;
    const char *submitter; //  declared submitter name (CURVE identity wins)
    const char *reporter_name;
    const char *reporter_email;
    const char *reporter_phone;
    sein_attribute_t *attributes; //  owned array of nattributes, in body order
    size_t nattributes;
    bool has_point;
    double lat, lon;
} sein_signal_t;

//  Parse and validate BODY of SIZE bytes. On success returns 0 and fills
//  *signal (release it with sein_signal_clear); on failure returns -1, fills
//  *error and leaves *signal cleared.
int
    sein_signal_parse (sein_signal_t *signal, const char *body, size_t size,
                       const sein_signal_limits_t *limits, sein_error_t *error);

//  Release what a parsed signal owns; safe on a cleared signal.
void
    sein_signal_clear (sein_signal_t *signal);

//  Fill *error; a printf-style message. Returns -1 so callers can
//  `return sein_error_set (...)`.
int
    sein_error_set (sein_error_t *error, const char *code, const char *field,
                    const char *format, ...) __attribute__ ((format (printf, 4, 5)));

//  Write "PARENT.KEY" (KEY alone when PARENT is NULL) into error->name,
//  each cut to 64 bytes at a character boundary, and return it: the
//  `field` of an error about a member the input named itself. PARENT and
//  KEY are valid UTF-8.
const char *
    sein_error_name (sein_error_t *error, const char *parent, const char *key);

//  True when BODY of SIZE bytes starts with a UTF-8 byte-order mark
//  (EF BB BF). JSON text on the wire must not have one (RFC 8259, 8.1) and
//  cJSON would skip it silently; every request reader refuses it with
//  code "json" (see SEIN_BOM_MESSAGE) so that all commands agree.
bool
    sein_body_has_bom (const char *body, size_t size);
#define SEIN_BOM_MESSAGE "a byte-order mark (U+FEFF) before the body is not allowed"

//  The deepest nesting of objects and arrays a body may have: the body
//  object is level 1, `reporter` and `attributes` are level 2. Deeper
//  bodies are refused with code "json" before any parser recurses.
#define SEIN_JSON_DEPTH_MAX 32

//  Fill *error for a request whose first frame, PROTOCOL (SIZE bytes), is
//  not SEIN_PROTOCOL: code "version", naming both versions. Returns -1.
int
    sein_error_version (sein_error_t *error, const void *protocol, size_t size);

//  True when TEXT of SIZE bytes is well-formed UTF-8 (no overlongs, no
//  surrogates); *offset_p, if given, receives the first bad byte's offset.
bool
    sein_utf8_valid (const char *text, size_t size, size_t *offset_p);

//  A token is 1..SEIN_TOKEN_MAX lowercase letters, digits, '-', '_' or '.':
//  area, theme and team codes, source, channel, priority, submitter. Short
//  enough to fit the fixed code buffers of a classification.
#define SEIN_TOKEN_MAX 63

//  True when VALUE is a token.
bool
    sein_token_valid (const char *value);

//  The longest time string sein writes: "2026-11-26T10:20:27.123Z".
#define SEIN_TIME_MAX 32

//  Check that TEXT is an RFC 3339 date-time and, when UTC is not NULL,
//  write the same instant as "YYYY-MM-DDTHH:MM:SS.mmmZ", the form sein
//  stores (so times compare as strings). Returns 0, or -1 when invalid.
int
    sein_rfc3339_utc (const char *text, char utc[SEIN_TIME_MAX]);

#endif
