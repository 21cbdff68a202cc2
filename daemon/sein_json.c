// SPDX-License-Identifier: MPL-2.0
/*  sein_json.c - a growable buffer that writes JSON text */
#include "sein_json.h"
#include "sein_alloc.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
sein_buf_grow (sein_buf_t *buf, size_t more)
{
    size_t capacity = buf->capacity ? buf->capacity : 1024;
    while (capacity < buf->size + more + 1)
        capacity *= 2;
    buf->data = (char *) sein_realloc (buf->data, capacity);
    buf->capacity = capacity;
}

void
sein_buf_reset (sein_buf_t *buf)
{
    buf->size = 0;
    if (buf->data)
        buf->data[0] = 0;
}

void
sein_buf_free (sein_buf_t *buf)
{
    free (buf->data);
    memset (buf, 0, sizeof *buf);
}

//  The bytes a JSON string must escape: control characters, '"', '\\'.
static const uint8_t s_special[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  //  0x00
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  //  0x10
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  //  0x20
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  //  0x30
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  //  0x40
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,  //  0x50
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  //  0x60
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  //  0x70
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  //  0x80
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  //  0x90
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  //  0xA0
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  //  0xB0
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  //  0xC0
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  //  0xD0
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  //  0xE0
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  //  0xF0
};

//  True when none of the 16 bytes at TEXT needs escaping (a control
//  character, '"' or '\\'). GCC vector code: SSE2 on x86-64, NEON on arm64,
//  plain words elsewhere.
typedef unsigned char s_bytes_t __attribute__ ((vector_size (16)));

static inline bool
s_plain16 (const char *text)
{
    s_bytes_t bytes;
    memcpy (&bytes, text, sizeof bytes);
    s_bytes_t special = (s_bytes_t) ((bytes < 0x20) | (bytes == '"') | (bytes == '\\'));
    uint64_t halves[2];
    memcpy (halves, &special, sizeof halves);
    return (halves[0] | halves[1]) == 0;
}

//  The same for 8 bytes, with the classic "has a byte less than n" and
//  "has a zero byte" tricks, exact for "any" (they only blur which byte).
static inline bool
s_plain (const char *text)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t word;
    memcpy (&word, text, 8);
    uint64_t quote = word ^ (ones * '"'), backslash = word ^ (ones * '\\');
    uint64_t found = ((word - ones * 0x20) & ~word) | ((quote - ones) & ~quote) |
                     ((backslash - ones) & ~backslash);
    return (found & highs) == 0;
}

void
sein_buf_string (sein_buf_t *buf, const char *text)
{
    if (!text) {
        sein_buf_raw (buf, "null", 4);
        return;
    }
    static const char hex[] = "0123456789abcdef";
    size_t len = strlen (text);
    sein_buf_room (buf, len * 6 + 2); //  worst case: every byte as \u00XX
    char *out = buf->data + buf->size;
    *out++ = '"';
    const char *cursor = text, *end = text + len;
    while (cursor < end) {
        //  Most text needs no escaping: find the next byte that does,
        //  sixteen bytes at a time, and copy the run before it at once.
        const char *run = cursor;
        while (cursor + 16 <= end && s_plain16 (cursor))
            cursor += 16;
        if (cursor + 8 <= end && s_plain (cursor))
            cursor += 8;
        while (cursor < end && !s_special[(unsigned char) *cursor])
            cursor++; //  UTF-8 passes through: input was validated
        memcpy (out, run, (size_t) (cursor - run));
        out += cursor - run;
        if (cursor == end)
            break;
        unsigned char c = (unsigned char) *cursor++;
        *out++ = '\\';
        if (c == '"' || c == '\\')
            *out++ = (char) c;
        else if (c == '\n')
            *out++ = 'n';
        else if (c == '\t')
            *out++ = 't';
        else if (c == '\r')
            *out++ = 'r';
        else {
            memcpy (out, "u00", 3);
            out[3] = hex[c >> 4];
            out[4] = hex[c & 15];
            out += 5;
        }
    }
    *out++ = '"';
    *out = 0;
    buf->size = (size_t) (out - buf->data);
}

//  Write the decimal digits of MAGNITUDE ending at END; returns the start.
static char *
s_digits (char *end, uint64_t magnitude)
{
    do
        *--end = (char) ('0' + magnitude % 10);
    while ((magnitude /= 10) > 0);
    return end;
}

void
sein_buf_field_int (sein_buf_t *buf, const char *key, int64_t value)
{
    char text[24];
    char *start = s_digits (text + sizeof text,
                            value < 0 ? 0 - (uint64_t) value : (uint64_t) value);
    if (value < 0)
        *--start = '-';
    sein_buf_key (buf, key);
    sein_buf_raw (buf, start, (size_t) (text + sizeof text - start));
}

void
sein_buf_field_bool (sein_buf_t *buf, const char *key, bool value)
{
    sein_buf_key (buf, key);
    sein_buf_raw (buf, value ? "true" : "false", value ? 4 : 5);
}

//  VALUE rounded to DECIMALS places, trailing zeros dropped but one kept
//  so that the value stays a JSON real. What does not fit an int64 once
//  scaled (never a score or a coordinate) prints as 0.0.
static void
s_fixed (sein_buf_t *buf, double value, int decimals)
{
    static const double scales[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};
    assert (decimals >= 1 && decimals <= 8);
    double scaled = round (value * scales[decimals]);
    if (!(fabs (scaled) < 1e18))
        scaled = 0;
    uint64_t magnitude = (uint64_t) fabs (scaled);
    uint64_t unit = (uint64_t) scales[decimals];
    char text[48];
    char *end = text + sizeof text;
    uint64_t fraction = magnitude % unit;
    int digits = decimals;
    while (digits > 1 && fraction % 10 == 0) {
        fraction /= 10;
        digits--;
    }
    for (int index = 0; index < digits; index++, fraction /= 10)
        *--end = (char) ('0' + fraction % 10);
    *--end = '.';
    char *start = s_digits (end, magnitude / unit);
    if (scaled < 0)
        *--start = '-';
    sein_buf_raw (buf, start, (size_t) (text + sizeof text - start));
}

void
sein_buf_fixed (sein_buf_t *buf, double value)
{
    s_fixed (buf, value, 2);
}

void
sein_buf_double (sein_buf_t *buf, double value)
{
    if (!isfinite (value))
        value = 0;
    //  Most coordinates round-trip at 15 digits, so one printf and one
    //  strtod; 17 always does. (seind never sets a locale: '.' is the
    //  decimal point.)
    char text[40];
    int len = 0;
    for (int digits = 15; digits <= 17; digits++) {
        len = snprintf (text, sizeof text, "%.*g", digits, value);
        if (strtod (text, NULL) == value)
            break;
    }
    //  %g writes 50 for 50.0: keep it a JSON real, as jansson does.
    if (!strpbrk (text, ".e"))
        len += snprintf (text + len, sizeof text - (size_t) len, ".0");
    sein_buf_raw (buf, text, (size_t) len);
}

void
sein_buf_field_degrees (sein_buf_t *buf, const char *key, double value)
{
    sein_buf_key (buf, key);
    sein_buf_double (buf, value);
}

void
sein_buf_field_raw (sein_buf_t *buf, const char *key, const char *value, size_t size)
{
    sein_buf_key (buf, key);
    sein_buf_raw (buf, value, size);
}

void
sein_buf_field_teams (sein_buf_t *buf, const char *key, const char *teams)
{
    sein_buf_key (buf, key);
    sein_buf_raw (buf, "[", 1);
    for (const char *cursor = teams + 1; *cursor;) {
        const char *comma = strchr (cursor, ',');
        if (!comma)
            break;
        if (buf->data[buf->size - 1] != '[')
            sein_buf_raw (buf, ",", 1);
        sein_buf_raw (buf, "\"", 1);
        sein_buf_raw (buf, cursor, (size_t) (comma - cursor));
        sein_buf_raw (buf, "\"", 1);
        cursor = comma + 1;
    }
    sein_buf_raw (buf, "]", 1);
}

//  The end of the JSON string starting at AT (its opening quote), just
//  past its closing quote; END when it has none.
static const char *
s_string_end (const char *at, const char *end)
{
    for (at++; at < end; at++)
        if (*at == '\\')
            at++;
        else if (*at == '"')
            return at + 1;
    return end;
}

bool
sein_json_without (const char *json, size_t size, const char *key, sein_buf_t *out)
{
    const char *end = json + size;
    size_t len = strlen (key);
    int depth = 0;
    for (const char *at = json; at < end; at++) {
        if (*at == '"') {
            const char *after = s_string_end (at, end);
            //  At the top level, a string followed by ':' is a key.
            if (depth == 1 && (size_t) (after - at) == len + 2 && after < end &&
                *after == ':' && memcmp (at + 1, key, len) == 0) {
                //  The value: a string, or anything up to the next ',' or
                //  '}' of this level.
                const char *value = after + 1, *stop = value;
                int nested = 0;
                while (stop < end) {
                    if (*stop == '"')
                        stop = s_string_end (stop, end);
                    else if (*stop == '{' || *stop == '[')
                        nested++, stop++;
                    else if (*stop == '}' || *stop == ']') {
                        if (nested-- == 0)
                            break;
                        stop++;
                    } else if (*stop == ',' && nested == 0)
                        break;
                    else
                        stop++;
                }
                //  Take a comma with it: the one before, or else the one after.
                const char *from = at, *to = stop;
                if (from > json && from[-1] == ',')
                    from--;
                else if (to < end && *to == ',')
                    to++;
                sein_buf_reset (out);
                sein_buf_raw (out, json, (size_t) (from - json));
                sein_buf_raw (out, to, (size_t) (end - to));
                return true;
            }
            at = after - 1;
        } else if (*at == '{' || *at == '[')
            depth++;
        else if (*at == '}' || *at == ']')
            depth--;
    }
    return false;
}
