/*  sein_json.c - a growable buffer that writes JSON text */
#include "sein_json.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
s_reserve (sein_buf_t *buf, size_t more)
{
    if (buf->size + more + 1 <= buf->capacity)
        return;
    size_t capacity = buf->capacity ? buf->capacity : 1024;
    while (capacity < buf->size + more + 1)
        capacity *= 2;
    char *data = (char *) realloc (buf->data, capacity);
    assert (data); //  a daemon out of memory cannot answer anyone anyway
    buf->data = data;
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

void
sein_buf_raw (sein_buf_t *buf, const char *text, size_t size)
{
    s_reserve (buf, size);
    memcpy (buf->data + buf->size, text, size);
    buf->size += size;
    buf->data[buf->size] = 0;
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
    s_reserve (buf, len * 6 + 2); //  worst case: every byte as \u00XX
    char *out = buf->data + buf->size;
    *out++ = '"';
    for (const unsigned char *c = (const unsigned char *) text; *c; c++) {
        if (*c == '"' || *c == '\\') {
            *out++ = '\\';
            *out++ = (char) *c;
        } else if (*c >= 0x20)
            *out++ = (char) *c; //  UTF-8 passes through: input was validated
        else if (*c == '\n') {
            *out++ = '\\';
            *out++ = 'n';
        } else if (*c == '\t') {
            *out++ = '\\';
            *out++ = 't';
        } else if (*c == '\r') {
            *out++ = '\\';
            *out++ = 'r';
        } else {
            memcpy (out, "\\u00", 4);
            out[4] = hex[*c >> 4];
            out[5] = hex[*c & 15];
            out += 6;
        }
    }
    *out++ = '"';
    *out = 0;
    buf->size = (size_t) (out - buf->data);
}

void
sein_buf_key (sein_buf_t *buf, const char *key)
{
    size_t len = strlen (key);
    s_reserve (buf, len + 4);
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

void
sein_buf_field_string (sein_buf_t *buf, const char *key, const char *value)
{
    if (value) {
        sein_buf_key (buf, key);
        sein_buf_string (buf, value);
    }
}

void
sein_buf_field_int (sein_buf_t *buf, const char *key, int64_t value)
{
    char text[24];
    int len = snprintf (text, sizeof text, "%lld", (long long) value);
    sein_buf_key (buf, key);
    sein_buf_raw (buf, text, (size_t) len);
}

void
sein_buf_field_real (sein_buf_t *buf, const char *key, double value)
{
    //  The shortest of %.15g and %.17g that reads back as the same double;
    //  the ".0" keeps integral values typed as reals.
    char text[40];
    int len = snprintf (text, sizeof text, "%.15g", value);
    if (strtod (text, NULL) != value)
        len = snprintf (text, sizeof text, "%.17g", value);
    if (!strpbrk (text, ".eEn"))
        len += snprintf (text + len, sizeof text - (size_t) len, ".0");
    sein_buf_key (buf, key);
    sein_buf_raw (buf, text, (size_t) len);
}

void
sein_buf_field_bool (sein_buf_t *buf, const char *key, bool value)
{
    sein_buf_key (buf, key);
    sein_buf_raw (buf, value ? "true" : "false", value ? 4 : 5);
}

void
sein_buf_field_ratio (sein_buf_t *buf, const char *key, double value)
{
    int hundredths = value <= 0 ? 0 : value >= 1 ? 100 : (int) (value * 100 + 0.5);
    char text[8] = {(char) ('0' + hundredths / 100), '.', (char) ('0' + hundredths / 10 % 10),
                    (char) ('0' + hundredths % 10), 0};
    sein_buf_key (buf, key);
    sein_buf_raw (buf, text, 4);
}

void
sein_buf_field_json (sein_buf_t *buf, const char *key, json_t *value)
{
    sein_buf_key (buf, key);
    //  Dump straight into the free space; only when it does not fit (the
    //  dump then reports the size it needs) grow and dump again.
    s_reserve (buf, 1024);
    size_t room = buf->capacity - buf->size - 1;
    size_t size = json_dumpb (value, buf->data + buf->size, room,
                              JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION (15));
    if (size > room) {
        s_reserve (buf, size);
        json_dumpb (value, buf->data + buf->size, size, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION (15));
    }
    buf->size += size;
    buf->data[buf->size] = 0;
}
