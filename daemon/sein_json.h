// SPDX-License-Identifier: MPL-2.0
/*  sein_json.h - render JSON text on the hot path

    jansson parses every request and builds the rarely used replies, but
    its json_dumps costs about 10 ns a byte (9.4 us for a 600-byte event on
    the reference machine), a quarter of a signal's whole budget at 40,000
    signals/s. Events and acks are rendered with this small writer
    instead: escape strings, append numbers and fragments, one growable
    buffer reused for every signal.
*/
#ifndef SEIN_JSON_H_INCLUDED
#define SEIN_JSON_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    char *data; //  NUL-terminated
    size_t size;
    size_t capacity;
} sein_buf_t;

//  Empty the buffer, keeping its memory.
void
    sein_buf_reset (sein_buf_t *buf);

//  Release the memory; the buffer is empty and reusable afterwards.
void
    sein_buf_free (sein_buf_t *buf);

//  Append SIZE bytes as they are. Inline, below, like sein_buf_key and
//  sein_buf_field_string: a classification writes some forty fields, and
//  inlined, a literal key or fragment is copied by a move or two.
static inline void
    sein_buf_raw (sein_buf_t *buf, const char *text, size_t size);

//  Append TEXT (valid UTF-8) as a JSON string literal, or null for NULL.
void
    sein_buf_string (sein_buf_t *buf, const char *text);

//  Append `"KEY":` preceded by a comma unless the buffer ends in '{'.
//  KEY must not need escaping (it is always one of sein's field names).
static inline void
    sein_buf_key (sein_buf_t *buf, const char *key);

//  Field shorthands: key, then value. sein_buf_field_string skips the
//  field when VALUE is NULL.
static inline void
    sein_buf_field_string (sein_buf_t *buf, const char *key, const char *value);
void
    sein_buf_field_int (sein_buf_t *buf, const char *key, int64_t value);
void
    sein_buf_field_bool (sein_buf_t *buf, const char *key, bool value);

//  Append VALUE rounded to two decimals, in the shortest form that keeps
//  it a JSON real: "0.85", "7.5", "1.0", "-2.25". That is what jansson
//  prints for round (VALUE * 100) / 100, without printf's floating point
//  (about 1 us a number). For scores and weights, any magnitude below
//  about 10^16; a non-finite VALUE prints as 0.0.
void
    sein_buf_fixed (sein_buf_t *buf, double value);
static inline void
    sein_buf_field_fixed (sein_buf_t *buf, const char *key, double value);

//  Append VALUE in the shortest text that reads back as the same double
//  (the first of 15, 16 and 17 significant digits that does), always a
//  JSON real: "50.8776", "4.0", "1e-07". A non-finite VALUE prints as 0.0.
//  About a microsecond a number: for the few reals that must be exact.
void
    sein_buf_double (sein_buf_t *buf, double value);

//  A WGS84 coordinate, exactly the given point (sein_buf_double), e.g.
//  50.8776.
void
    sein_buf_field_degrees (sein_buf_t *buf, const char *key, double value);

//  Append TEAMS, a comma-wrapped list of team names (",a,b,", "," for
//  none), as the array value of KEY: ["a","b"]. Team names are tokens
//  and need no escaping.
void
    sein_buf_field_teams (sein_buf_t *buf, const char *key, const char *teams);

//  Append SIZE bytes of already rendered JSON as the value of KEY.
void
    sein_buf_field_raw (sein_buf_t *buf, const char *key, const char *value, size_t size);

//  --------------------------------------------------------------------------
//  Private: the inline writers.

//  Grow the buffer for MORE bytes and a NUL; the slow path of sein_buf_room.
void
    sein_buf_grow (sein_buf_t *buf, size_t more);

static inline void
sein_buf_room (sein_buf_t *buf, size_t more)
{
    if (buf->size + more + 1 > buf->capacity)
        sein_buf_grow (buf, more);
}

static inline void
sein_buf_raw (sein_buf_t *buf, const char *text, size_t size)
{
    sein_buf_room (buf, size);
    memcpy (buf->data + buf->size, text, size);
    buf->size += size;
    buf->data[buf->size] = 0;
}

static inline void
sein_buf_key (sein_buf_t *buf, const char *key)
{
    size_t len = strlen (key);
    sein_buf_room (buf, len + 4);
    char *out = buf->data + buf->size;
    if (buf->size && out[-1] != '{')
        *out++ = ',';
    *out++ = '"';
    memcpy (out, key, len);
    out += len;
    *out++ = '"';
    *out++ = ':';
    *out = 0;
    buf->size = (size_t) (out - buf->data);
}

static inline void
sein_buf_field_string (sein_buf_t *buf, const char *key, const char *value)
{
    if (value) {
        sein_buf_key (buf, key);
        sein_buf_string (buf, value);
    }
}

static inline void
sein_buf_field_fixed (sein_buf_t *buf, const char *key, double value)
{
    sein_buf_key (buf, key);
    sein_buf_fixed (buf, value);
}

//  Copy the JSON object text JSON (SIZE bytes) into OUT (reset first)
//  without its top-level member KEY (a plain name, nothing to escape).
//  Returns true when there was one to leave out; else OUT is untouched.
//  For a field some readers may not see (docs/SECURITY.md, external_id),
//  without parsing the event.
bool
    sein_json_without (const char *json, size_t size, const char *key, sein_buf_t *out);

#endif
