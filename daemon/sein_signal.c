// SPDX-License-Identifier: MPL-2.0
/*  sein_signal.c - parse and validate one submission

    Every check that needs no reference data lives here, in the order a
    reader of PRODUCT.md expects: the body as a whole (size, UTF-8, JSON
    object, no duplicate keys), then each field (presence, type, bounds,
    format). The first problem found is reported with the field it concerns;
    unknown fields are refused so that a misspelt "adress_string" is not
    silently dropped.
*/
#include "sein_signal.h"
#include "sein_alloc.h"

#include "sein.h"

#include <assert.h>
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <time.h>
#include <utf8proc.h>

//  Field length limits other than the description's (bytes).
#define S_EXTERNAL_MAX  128  //  external_id
#define S_ADDRESS_MAX   512  //  address_string
#define S_REPORTER_MAX  256  //  each reporter field
#define S_ATTR_KEYS_MAX 64   //  attributes: number of keys
#define S_ATTR_KEY_MAX  64   //  attributes: key length
#define S_ATTR_VAL_MAX  1024 //  attributes: value length
#define S_TIME_MAX      64   //  occurred_at

static const char *s_sources[] = {"citizen", "partner", "staff", "system", NULL};
const char *const sein_priorities[] = {"low", "normal", "high", "urgent", NULL};

//  The length of the longest prefix of TEXT (valid UTF-8, at least LEN
//  bytes) of at most LEN bytes that ends on a character boundary: a reply
//  cut in the middle of a character would not be UTF-8 any more.
static size_t
s_utf8_cut (const char *text, size_t len)
{
    size_t start = len; //  find where the last character starts
    while (start > 0 && ((unsigned char) text[start - 1] & 0xc0) == 0x80)
        start--;
    if (start == 0)
        return 0;
    unsigned char lead = (unsigned char) text[start - 1];
    size_t need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    return len - (start - 1) < need ? start - 1 : len;
}

int
sein_error_set (sein_error_t *error, const char *code, const char *field,
                const char *format, ...)
{
    assert (error);
    error->code = code;
    error->field = field;
    va_list args;
    va_start (args, format);
    int len = vsnprintf (error->message, sizeof error->message, format, args);
    va_end (args);
    if (len >= (int) sizeof error->message) {
        size_t kept = s_utf8_cut (error->message, sizeof error->message - 1);
        error->message[kept] = 0;
    }
    return -1;
}

bool
sein_body_has_bom (const char *body, size_t size)
{
    return size >= 3 && memcmp (body, "\xef\xbb\xbf", 3) == 0;
}

int
sein_error_version (sein_error_t *error, const void *protocol, size_t size)
{
    //  The frame is any bytes: echo only printable ASCII, as the reader
    //  does for an unknown command, so the reply stays UTF-8 (and a NUL
    //  does not cut it short).
    char shown[33];
    size_t len = size < 32 ? size : 32;
    for (size_t at = 0; at < len; at++) {
        unsigned char c = ((const unsigned char *) protocol)[at];
        shown[at] = c >= 0x20 && c < 0x7f ? (char) c : '?';
    }
    shown[len] = 0;
    return sein_error_set (error, "version", NULL,
                           "unsupported protocol '%s'; this server speaks %s", shown,
                           SEIN_PROTOCOL);
}

bool
sein_utf8_valid (const char *text, size_t size, size_t *offset_p)
{
    size_t offset = 0;
    while (offset < size) {
        //  ASCII fast path: most signals are mostly ASCII.
        if ((unsigned char) text[offset] < 0x80) {
            offset++;
            continue;
        }
        utf8proc_int32_t codepoint;
        utf8proc_ssize_t length = utf8proc_iterate (
            (const utf8proc_uint8_t *) text + offset, (utf8proc_ssize_t) (size - offset),
            &codepoint);
        if (length < 0) {
            if (offset_p)
                *offset_p = offset;
            return false;
        }
        offset += (size_t) length;
    }
    return true;
}

//  Index of VALUE in the NULL-terminated LIST, or -1.
static int
s_slot (const char *const *list, const char *value)
{
    for (int index = 0; list[index]; index++)
        if (strcmp (list[index], value) == 0)
            return index;
    return -1;
}

static bool
s_in (const char *const *list, const char *value)
{
    return s_slot (list, value) >= 0;
}

bool
sein_token_valid (const char *value)
{
    assert (value);
    size_t len = strlen (value);
    if (len == 0 || len > SEIN_TOKEN_MAX)
        return false;
    for (const char *c = value; *c; c++)
        if (!(islower ((unsigned char) *c) || isdigit ((unsigned char) *c) || *c == '-' ||
              *c == '_' || *c == '.'))
            return false;
    return true;
}

//  True when VALUE (valid UTF-8) holds a control character: C0, DEL, or
//  C1 (U+0080..U+009F, encoded C2 80..C2 9F). TEXT allows the tab and the
//  line breaks of free text; identifiers and keys have none.
static bool
s_has_control (const char *value, bool text)
{
    for (const unsigned char *c = (const unsigned char *) value; *c; c++)
        if ((*c < 0x20 && !(text && (*c == '\t' || *c == '\n' || *c == '\r'))) ||
            *c == 0x7f || (*c == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f))
            return true;
    return false;
}

//  Write "PARENT.KEY" (or KEY when PARENT is NULL) into error->name and
//  return it. Each is cut to 64 bytes (KEY to less if the buffer is full)
//  at a character boundary, so a field the input named stays bounded and
//  UTF-8.
static const char *
s_name (sein_error_t *error, const char *parent, const char *key)
{
    size_t len = 0;
    if (parent) {
        len = s_utf8_cut (parent, strnlen (parent, 64));
        memcpy (error->name, parent, len);
        error->name[len++] = '.';
    }
    size_t room = sizeof error->name - 1 - len;
    if (room > 64)
        room = 64;
    size_t key_len = s_utf8_cut (key, strnlen (key, room));
    memcpy (error->name + len, key, key_len);
    error->name[len + key_len] = 0;
    return error->name;
}

const char *
sein_error_name (sein_error_t *error, const char *parent, const char *key)
{
    return s_name (error, parent, key);
}

//  KEY (inside PARENT, NULL or "reporter") is not a field we know.
static int
s_unknown_field (sein_error_t *error, const char *parent, const char *key,
                 const char *known)
{
    const char *name = s_name (error, parent, key);
    return sein_error_set (error, "unknown-field", name, "'%s' is not %s", name, known);
}

//  True when TEXT (valid UTF-8) shows nothing: it holds only White_Space
//  characters and default-ignorable (zero-width) ones, such as U+00A0,
//  U+3000, U+200B, U+2060, U+FEFF or U+3164. utf8proc has no White_Space
//  property, but White_Space is exactly the separators (Zs, Zl, Zp) plus
//  U+0009..U+000D and U+0085.
static bool
s_blank (const char *text)
{
    const utf8proc_uint8_t *cursor = (const utf8proc_uint8_t *) text;
    while (*cursor) {
        utf8proc_int32_t codepoint;
        utf8proc_ssize_t len = utf8proc_iterate (cursor, -1, &codepoint);
        if (len < 0)
            return false; //  not reached: the body's UTF-8 was checked
        utf8proc_category_t category = utf8proc_category (codepoint);
        if (!((codepoint >= 0x09 && codepoint <= 0x0d) || codepoint == 0x85 ||
              category == UTF8PROC_CATEGORY_ZS || category == UTF8PROC_CATEGORY_ZL ||
              category == UTF8PROC_CATEGORY_ZP || utf8proc_get_property (codepoint)->ignorable))
            return false;
        cursor += len;
    }
    return true;
}

//  Optional string field NAME with VALUE: absent -> *value_p stays NULL.
//  Present must be a non-empty string of at most MAX bytes. (A body with
//  an escaped NUL is refused before, so strlen is the decoded length.)
static int
s_string (cJSON *value, const char *name, size_t max, const char **value_p,
          sein_error_t *error)
{
    if (!value || cJSON_IsNull (value))
        return 0;
    if (!cJSON_IsString (value))
        return sein_error_set (error, "type", name, "%s must be a string", name);
    size_t len = strlen (value->valuestring);
    if (len == 0)
        return sein_error_set (error, "empty", name, "%s must not be empty", name);
    if (len > max)
        return sein_error_set (error, "too-long", name,
                               "%s is %zu bytes, at most %zu allowed", name, len, max);
    *value_p = value->valuestring;
    return 0;
}

static int
s_coordinate (cJSON *value, const char *name, double min, double max, double *value_p,
              bool *present_p, sein_error_t *error)
{
    *present_p = value && !cJSON_IsNull (value);
    if (!*present_p)
        return 0;
    if (!cJSON_IsNumber (value))
        return sein_error_set (error, "type", name, "%s must be a number", name);
    double number = value->valuedouble;
    if (!isfinite (number) || number < min || number > max)
        return sein_error_set (error, "value", name, "%s must be between %g and %g", name,
                               min, max);
    *value_p = number;
    return 0;
}

int
sein_rfc3339_utc (const char *text, char utc[SEIN_TIME_MAX])
{
    //  YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM), checked character by
    //  character: sscanf alone would accept signs and blanks.
    const char *shape = "dddd-dd-ddTdd:dd:dd";
    const char *c = text;
    for (const char *s = shape; *s; s++, c++) {
        if (*s == 'd' ? !isdigit ((unsigned char) *c)
                      : (*s == 'T' ? (*c != 'T' && *c != 't' && *c != ' ') : *c != *s))
            return -1;
    }
    struct tm tm = {0};
    sscanf (text, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
    sscanf (text + 11, "%2d:%2d:%2d", &tm.tm_hour, &tm.tm_min, &tm.tm_sec);
    //  timegm would quietly turn 2026-02-30 into March 2nd: check the
    //  month's length (RFC 3339 section 5.7).
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int year = tm.tm_year;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
        tm.tm_mday > days[tm.tm_mon - 1] + (tm.tm_mon == 2 && leap) || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60)
        return -1;
    int millis = 0;
    if (*c == '.') {
        if (!isdigit ((unsigned char) *++c))
            return -1;
        int digits = 0;
        for (; isdigit ((unsigned char) *c); c++, digits++)
            if (digits < 3)
                millis = millis * 10 + (*c - '0');
        for (; digits < 3; digits++)
            millis *= 10; //  ".5" is 500 ms
    }
    int offset = 0;
    if (*c == 'Z' || *c == 'z')
        c++;
    else if ((*c == '+' || *c == '-') && isdigit ((unsigned char) c[1]) &&
             isdigit ((unsigned char) c[2]) && c[3] == ':' &&
             isdigit ((unsigned char) c[4]) && isdigit ((unsigned char) c[5])) {
        int hours = (c[1] - '0') * 10 + c[2] - '0', minutes = (c[4] - '0') * 10 + c[5] - '0';
        if (hours > 23 || minutes > 59)
            return -1;
        offset = (*c == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
        c += 6;
    } else
        return -1;
    if (*c)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t seconds = timegm (&tm) - offset;
    struct tm out;
    if (!gmtime_r (&seconds, &out))
        return -1;
    //  Stored times compare as strings, so the year must stay four digits
    //  (strftime's %Y writes 999 and 10000); an offset can push it out.
    int utc_year = out.tm_year + 1900;
    if (utc_year < 0 || utc_year > 9999)
        return -1;
    if (utc) {
        size_t len = (size_t) snprintf (utc, SEIN_TIME_MAX, "%04d", utc_year);
        len += strftime (utc + len, SEIN_TIME_MAX - len, "-%m-%dT%H:%M:%S", &out);
        snprintf (utc + len, SEIN_TIME_MAX - len, ".%03dZ", millis);
    }
    return 0;
}

//  First duplicate key among OBJECT's members, or NULL. Quadratic, but
//  only over objects whose keys were already checked against a short list
//  or counted (attributes: at most 64).
static const char *
s_duplicate_key (cJSON *object)
{
    for (cJSON *one = object->child; one; one = one->next)
        for (cJSON *other = one->next; other; other = other->next)
            if (strcmp (one->string, other->string) == 0)
                return one->string;
    return NULL;
}

static int
s_reporter (sein_signal_t *signal, cJSON *reporter, sein_error_t *error)
{
    if (!reporter || cJSON_IsNull (reporter))
        return 0;
    if (!cJSON_IsObject (reporter))
        return sein_error_set (error, "type", "reporter",
                               "reporter must be an object {name, email, phone}");
    static const char *names[] = {"name", "email", "phone", NULL};
    static const char *paths[] = {"reporter.name", "reporter.email", "reporter.phone"};
    const char **values[] = {&signal->reporter_name, &signal->reporter_email,
                             &signal->reporter_phone};
    cJSON *fields[3] = {NULL, NULL, NULL};
    for (cJSON *member = reporter->child; member; member = member->next) {
        int index = s_slot (names, member->string);
        if (index < 0)
            return s_unknown_field (error, "reporter", member->string,
                                    "a known field (name, email, phone)");
        if (fields[index])
            return sein_error_set (error, "json", NULL, "duplicate key reporter.%s",
                                   member->string);
        fields[index] = member;
    }
    for (int index = 0; index < 3; index++) {
        if (s_string (fields[index], paths[index], S_REPORTER_MAX, values[index], error))
            return -1;
        if (*values[index] && s_has_control (*values[index], false))
            return sein_error_set (error, "value", paths[index],
                                   "%s contains control characters", paths[index]);
    }
    if (signal->reporter_email && !strchr (signal->reporter_email, '@'))
        return sein_error_set (error, "value", "reporter.email",
                               "reporter.email is not an e-mail address");
    return 0;
}

//  Every error about one attribute names it as "attributes.<key>"; the
//  object as a whole (its type, the number of keys) as "attributes".
static int
s_attributes (sein_signal_t *signal, cJSON *attributes, sein_error_t *error)
{
    if (!attributes || cJSON_IsNull (attributes))
        return 0;
    if (!cJSON_IsObject (attributes))
        return sein_error_set (error, "type", "attributes",
                               "attributes must be a flat object of strings");
    size_t count = (size_t) cJSON_GetArraySize (attributes);
    if (count > S_ATTR_KEYS_MAX)
        return sein_error_set (error, "too-long", "attributes",
                               "attributes has %zu keys, at most %d allowed", count,
                               S_ATTR_KEYS_MAX);
    const char *duplicate = s_duplicate_key (attributes);
    if (duplicate)
        return sein_error_set (error, "json", NULL, "duplicate key attributes.%s",
                               duplicate);
    for (cJSON *member = attributes->child; member; member = member->next) {
        const char *key = member->string;
        const char *field = s_name (error, "attributes", key);
        size_t key_len = strlen (key);
        if (key_len == 0)
            return sein_error_set (error, "empty", field,
                                   "attribute names must not be empty");
        if (key_len > S_ATTR_KEY_MAX)
            return sein_error_set (error, "too-long", field,
                                   "attribute name is %zu bytes, at most %d allowed", key_len,
                                   S_ATTR_KEY_MAX);
        if (s_has_control (key, false))
            return sein_error_set (error, "value", field,
                                   "attribute names must not contain control characters");
        if (!cJSON_IsString (member))
            return sein_error_set (error, "type", field, "%s must be a string", field);
        size_t len = strlen (member->valuestring);
        if (len > S_ATTR_VAL_MAX)
            return sein_error_set (error, "too-long", field,
                                   "%s is %zu bytes, at most %d allowed", field, len,
                                   S_ATTR_VAL_MAX);
        if (s_has_control (member->valuestring, true))
            return sein_error_set (error, "value", field, "%s contains control characters",
                                   field);
    }
    if (count == 0)
        return 0;
    signal->attributes =
        (sein_attribute_t *) sein_malloc (count * sizeof (sein_attribute_t));
    for (cJSON *member = attributes->child; member; member = member->next)
        signal->attributes[signal->nattributes++] =
            (sein_attribute_t){member->string, member->valuestring};
    return 0;
}

//  The fields of a signal, in the order of the F_ indexes below.
static const char *s_fields[] = {
    "description", "source",   "channel",     "external_id", "address_string",
    "lat",         "long",     "area",        "theme",       "priority",
    "reporter",    "occurred_at", "attributes", "submitter",  NULL};
enum {
    F_DESCRIPTION, F_SOURCE, F_CHANNEL, F_EXTERNAL_ID, F_ADDRESS, F_LAT, F_LONG, F_AREA,
    F_THEME, F_PRIORITY, F_REPORTER, F_OCCURRED_AT, F_ATTRIBUTES, F_SUBMITTER, F_COUNT
};

static int
s_validate (sein_signal_t *signal, const sein_signal_limits_t *limits,
            sein_error_t *error)
{
    //  One pass puts each member in its field's slot, which also finds the
    //  unknown and the repeated ones.
    cJSON *fields[F_COUNT] = {NULL};
    for (cJSON *member = ((cJSON *) signal->tree)->child; member; member = member->next) {
        int index = s_slot (s_fields, member->string);
        if (index < 0)
            return s_unknown_field (error, NULL, member->string, "a signal field");
        if (fields[index])
            return sein_error_set (error, "json", NULL, "duplicate key '%s'",
                                   member->string);
        fields[index] = member;
    }
    //  description: required, 1..description_max bytes, not only blanks
    if (!fields[F_DESCRIPTION] || cJSON_IsNull (fields[F_DESCRIPTION]))
        return sein_error_set (error, "required", "description",
                               "description is required");
    if (s_string (fields[F_DESCRIPTION], "description", limits->description_max,
                  &signal->description, error))
        return -1;
    if (s_blank (signal->description))
        return sein_error_set (error, "empty", "description",
                               "description must not be blank");
    if (s_has_control (signal->description, true))
        return sein_error_set (error, "value", "description",
                               "description contains control characters");

    //  source: required, one of the four; any other string, however long,
    //  is a wrong value rather than a long one
    if (!fields[F_SOURCE])
        return sein_error_set (error, "required", "source", "source is required");
    if (s_string (fields[F_SOURCE], "source", SIZE_MAX, &signal->source, error))
        return -1;
    if (!signal->source)
        return sein_error_set (error, "required", "source", "source is required");
    if (!s_in (s_sources, signal->source))
        return sein_error_set (error, "value", "source",
                               "source must be citizen, partner, staff or system");

    //  area and theme: a string that is no code at all is as unknown as
    //  one the reference data lacks (sein_prepare checks that)
    struct {
        int field;
        const char **value;
        const char *code;
    } codes[] = {{F_AREA, &signal->area, "unknown-area"},
                 {F_THEME, &signal->theme, "unknown-theme"}};
    for (size_t index = 0; index < sizeof codes / sizeof codes[0]; index++) {
        const char *name = s_fields[codes[index].field];
        const char *value = NULL;
        if (s_string (fields[codes[index].field], name, SIZE_MAX, &value, error))
            return -1;
        if (value && !sein_token_valid (value))
            return sein_error_set (error, codes[index].code, name,
                                   "unknown %s '%.*s': codes are 1..%d lowercase letters, "
                                   "digits, '-', '_' or '.'",
                                   name, (int) s_utf8_cut (value, strnlen (value, 64)), value,
                                   SEIN_TOKEN_MAX);
        *codes[index].value = value;
    }

    //  tokens: channel, submitter
    struct {
        int field;
        const char **value;
    } tokens[] = {{F_CHANNEL, &signal->channel}, {F_SUBMITTER, &signal->submitter}};
    for (size_t index = 0; index < sizeof tokens / sizeof tokens[0]; index++) {
        const char *name = s_fields[tokens[index].field];
        if (s_string (fields[tokens[index].field], name, SEIN_TOKEN_MAX, tokens[index].value,
                      error))
            return -1;
        if (*tokens[index].value && !sein_token_valid (*tokens[index].value))
            return sein_error_set (error, "value", name,
                                   "%s must be lowercase letters, digits, '-', '_' or "
                                   "'.'",
                                   name);
    }
    if (s_string (fields[F_PRIORITY], "priority", SIZE_MAX, &signal->priority, error))
        return -1;
    if (signal->priority && !s_in (sein_priorities, signal->priority))
        return sein_error_set (error, "value", "priority",
                               "priority must be low, normal, high or urgent");

    //  free text
    if (s_string (fields[F_EXTERNAL_ID], "external_id", S_EXTERNAL_MAX,
                  &signal->external_id, error) ||
        s_string (fields[F_ADDRESS], "address_string", S_ADDRESS_MAX,
                  &signal->address_string, error) ||
        s_string (fields[F_OCCURRED_AT], "occurred_at", S_TIME_MAX, &signal->occurred_at,
                  error))
        return -1;
    if (signal->external_id && s_has_control (signal->external_id, false))
        return sein_error_set (error, "value", "external_id",
                               "external_id contains control characters");
    if (signal->address_string && s_has_control (signal->address_string, true))
        return sein_error_set (error, "value", "address_string",
                               "address_string contains control characters");
    if (signal->occurred_at && sein_rfc3339_utc (signal->occurred_at, NULL))
        return sein_error_set (error, "value", "occurred_at",
                               "occurred_at must be an RFC 3339 date-time, e.g. "
                               "2026-05-01T22:30:00+02:00");

    //  coordinates: both or neither, finite, in range
    bool has_lat, has_lon;
    if (s_coordinate (fields[F_LAT], "lat", -90, 90, &signal->lat, &has_lat, error) ||
        s_coordinate (fields[F_LONG], "long", -180, 180, &signal->lon, &has_lon, error))
        return -1;
    if (has_lat != has_lon)
        return sein_error_set (error, "required", has_lat ? "long" : "lat",
                               "lat and long go together");
    signal->has_point = has_lat;

    if (s_reporter (signal, fields[F_REPORTER], error) ||
        s_attributes (signal, fields[F_ATTRIBUTES], error))
        return -1;
    return 0;
}

//  The end of the JSON number starting at BODY[AT], or 0 when it does not
//  follow the grammar -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
static size_t
s_number_end (const char *body, size_t size, size_t at)
{
#define S_DIGIT(i) ((i) < size && isdigit ((unsigned char) body[i]))
    if (body[at] == '-')
        at++;
    if (!S_DIGIT (at))
        return 0;
    if (body[at] == '0')
        at++;
    else
        while (S_DIGIT (at))
            at++;
    if (at < size && body[at] == '.') {
        at++;
        if (!S_DIGIT (at))
            return 0;
        while (S_DIGIT (at))
            at++;
    }
    if (at < size && (body[at] == 'e' || body[at] == 'E')) {
        at++;
        if (at < size && (body[at] == '+' || body[at] == '-'))
            at++;
        if (!S_DIGIT (at))
            return 0;
        while (S_DIGIT (at))
            at++;
    }
    return S_DIGIT (at) ? 0 : at; //  "01": a digit after a leading zero
#undef S_DIGIT
}

//  Where the first escaped NUL is. cJSON would end the string there, and
//  its tree keeps no offsets, so the pre-scan notes the member indexes of
//  the string's first two levels; the error names that field once the
//  tree exists.
typedef struct {
    bool found;
    bool in_key; //  in a member's name rather than in its value
    int depth;   //  1: in a member of the body object, 2: one level down, ...
    int index[2]; //  the member (or element) index at levels 1 and 2
} s_nul_t;

//  What cJSON tolerates and JSON does not: invalid UTF-8, raw control
//  characters inside strings or between tokens, numbers such as 01 or 1.
//  or .5. One pass refuses them before cJSON parses, refuses nesting deeper
//  than SEIN_JSON_DEPTH_MAX before cJSON recurses, and finds the first
//  escaped NUL for *nul (valid JSON, but no C string can hold it).
static int
s_strict (const char *body, size_t size, s_nul_t *nul, sein_error_t *error)
{
    bool in_string = false, in_key = false;
    int depth = 0;
    //  Levels 1 and 2 only: whether an object, the member index, and
    //  whether its ':' was seen (the next string is a value, not a key).
    bool object[3] = {false}, after_colon[3] = {false};
    int index[3] = {0};
    for (size_t at = 0; at < size; at++) {
        unsigned char c = (unsigned char) body[at];
        if (c >= 0x80) {
            //  Outside ASCII, the same pass checks UTF-8 (only strings may
            //  hold such bytes; cJSON refuses them anywhere else).
            utf8proc_int32_t codepoint;
            utf8proc_ssize_t length =
                utf8proc_iterate ((const utf8proc_uint8_t *) body + at,
                                  (utf8proc_ssize_t) (size - at), &codepoint);
            if (length < 0)
                return sein_error_set (error, "utf8", NULL,
                                       "body is not valid UTF-8 at byte %zu", at);
            at += (size_t) length - 1;
        } else if (in_string) {
            if (c == '"')
                in_string = false;
            else if (c == '\\') {
                if (!nul->found && size - at >= 6 && memcmp (body + at + 1, "u0000", 5) == 0)
                    *nul = (s_nul_t){true, in_key, depth, {index[1], index[2]}};
                at++; //  whatever is escaped, cJSON checks it
            } else if (c < 0x20)
                return sein_error_set (error, "json", NULL,
                                       "malformed JSON at byte %zu: control character in "
                                       "a string",
                                       at);
        } else if (c == '"') {
            in_string = true;
            in_key = depth >= 1 && depth <= 2 && object[depth] && !after_colon[depth];
        } else if (c == '{' || c == '[') {
            if (++depth > SEIN_JSON_DEPTH_MAX)
                return sein_error_set (error, "json", NULL,
                                       "malformed JSON at byte %zu: nested deeper than %d "
                                       "levels",
                                       at, SEIN_JSON_DEPTH_MAX);
            if (depth <= 2) {
                object[depth] = c == '{';
                after_colon[depth] = false;
                index[depth] = 0;
            }
        } else if (c == '}' || c == ']') {
            if (depth > 0)
                depth--; //  unbalanced: cJSON refuses it
        } else if (c == ':' || c == ',') {
            if (depth >= 1 && depth <= 2) {
                after_colon[depth] = c == ':';
                index[depth] += c == ',';
            }
        } else if (c == '-' || isdigit (c)) {
            size_t end = s_number_end (body, size, at);
            if (!end)
                return sein_error_set (error, "json", NULL,
                                       "malformed JSON at byte %zu: not a JSON number", at);
            at = end - 1;
        } else if (c < 0x20 && c != ' ' && c != '\t' && c != '\n' && c != '\r')
            //  cJSON skips any byte up to 0x20 between tokens; JSON only these four.
            return sein_error_set (error, "json", NULL,
                                   "malformed JSON at byte %zu: control character outside "
                                   "a string",
                                   at);
    }
    return 0;
}

//  Refuse the escaped NUL that NUL locates in TREE, the parsed body
//  object, naming the field that holds it: a member ("description"), a
//  member of reporter or attributes ("attributes.<key>"), or, for a NUL in
//  a name, the object that has the name (NULL for the body).
static int
s_nul_error (cJSON *tree, const s_nul_t *nul, sein_error_t *error)
{
    const char *field = NULL;
    cJSON *member = cJSON_GetArrayItem (tree, nul->index[0]);
    if (member && !(nul->depth == 1 && nul->in_key)) {
        cJSON *inner = cJSON_IsObject (member) && nul->depth >= 2 &&
                               !(nul->depth == 2 && nul->in_key)
                           ? cJSON_GetArrayItem (member, nul->index[1])
                           : NULL;
        field = inner ? s_name (error, member->string, inner->string)
                      : s_name (error, NULL, member->string);
    }
    if (nul->in_key)
        return sein_error_set (error, "value", field,
                               "a name in %s contains a NUL character (\\u0000)",
                               field ? field : "the body");
    return sein_error_set (error, "value", field, "%s contains a NUL character (\\u0000)",
                           field ? field : "a string");
}

int
sein_signal_parse (sein_signal_t *signal, const char *body, size_t size,
                   const sein_signal_limits_t *limits, sein_error_t *error)
{
    assert (signal);
    assert (body || size == 0);
    assert (limits);
    assert (error);
    memset (signal, 0, sizeof *signal);
    if (size > limits->message_max)
        return sein_error_set (error, "too-large", NULL,
                               "body is %zu bytes, at most %zu allowed", size,
                               limits->message_max);
    if (sein_body_has_bom (body, size))
        return sein_error_set (error, "json", NULL, SEIN_BOM_MESSAGE);
    s_nul_t nul = {false};
    if (s_strict (body, size, &nul, error))
        return -1;
    const char *end = NULL;
    cJSON *json = cJSON_ParseWithLengthOpts (body, size, &end, false);
    //  Only white space may follow the value.
    while (json && end < body + size && isspace ((unsigned char) *end))
        end++;
    if (!json || end < body + size) {
        cJSON_Delete (json);
        return sein_error_set (error, "json", NULL, "malformed JSON at byte %zu",
                               end && end >= body ? (size_t) (end - body) : 0);
    }
    signal->tree = json;
    if (!cJSON_IsObject (json)) {
        sein_signal_clear (signal);
        return sein_error_set (error, "json", NULL, "body must be a JSON object");
    }
    if ((nul.found && s_nul_error (json, &nul, error)) ||
        s_validate (signal, limits, error)) {
        //  Kept for the refusal, unless it is what was wrong.
        cJSON *key = cJSON_GetObjectItemCaseSensitive (json, "external_id");
        error->external_id[0] = 0;
        if (cJSON_IsString (key) && !(error->field && strcmp (error->field, "external_id") == 0))
            snprintf (error->external_id, sizeof error->external_id, "%s", key->valuestring);
        sein_signal_clear (signal);
        return -1;
    }
    return 0;
}

void
sein_signal_clear (sein_signal_t *signal)
{
    if (signal) {
        cJSON_Delete ((cJSON *) signal->tree);
        free (signal->attributes);
        memset (signal, 0, sizeof *signal);
    }
}
