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

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

//  Append SIZE bytes as they are.
void
    sein_buf_raw (sein_buf_t *buf, const char *text, size_t size);

//  Append TEXT (valid UTF-8) as a JSON string literal, or null for NULL.
void
    sein_buf_string (sein_buf_t *buf, const char *text);

//  Append `"KEY":` preceded by a comma unless the buffer ends in '{'.
//  KEY must not need escaping (it is always one of sein's field names).
void
    sein_buf_key (sein_buf_t *buf, const char *key);

//  Field shorthands: key, then value. sein_buf_field_string skips the
//  field when VALUE is NULL.
void
    sein_buf_field_string (sein_buf_t *buf, const char *key, const char *value);
void
    sein_buf_field_int (sein_buf_t *buf, const char *key, int64_t value);
void
    sein_buf_field_real (sein_buf_t *buf, const char *key, double value);
void
    sein_buf_field_bool (sein_buf_t *buf, const char *key, bool value);

//  VALUE in 0..1 with two decimals ("0.82"): confidences, without the
//  cost of printf's floating point.
void
    sein_buf_field_ratio (sein_buf_t *buf, const char *key, double value);

//  Append VALUE rendered by jansson (for the small nested objects that
//  are already json_t: classification, attributes).
void
    sein_buf_field_json (sein_buf_t *buf, const char *key, json_t *value);

#endif
