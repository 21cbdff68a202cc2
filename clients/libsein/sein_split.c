// SPDX-License-Identifier: MPL-2.0
/*  sein_split.c - a watch BATCH's events, without parsing them (sein_split.h) */
#include "sein_split.h"

#include <ctype.h>
#include <jansson.h>
#include <stddef.h>
#include <string.h>

//  Not a parser: it follows strings and nesting only, and the watcher
//  runs it for every event of a replay.
const char *
sein_split_next (const char *batch, size_t size, size_t *at, size_t *size_p)
{
    size_t index = *at;
    while (index < size && (batch[index] == '[' || batch[index] == ',' ||
                            isspace ((unsigned char) batch[index])))
        index++;
    if (index >= size || batch[index] != '{')
        return NULL;
    size_t start = index, depth = 0;
    for (; index < size; index++) {
        char c = batch[index];
        if (c == '"') {
            //  The closing quote: one with an even run of backslashes before it.
            const char *quote = batch + index;
            size_t escapes;
            do {
                size_t left = size - (size_t) (quote + 1 - batch);
                quote = (const char *) memchr (quote + 1, '"', left);
                if (!quote)
                    return NULL;
                for (escapes = 0; quote[-1 - (ptrdiff_t) escapes] == '\\'; escapes++)
                    ;
            } while (escapes % 2);
            index = (size_t) (quote - batch);
        } else if (c == '{' || c == '[')
            depth++;
        else if ((c == '}' || c == ']') && --depth == 0) {
            *at = index + 1;
            *size_p = index + 1 - start;
            return batch + start;
        }
    }
    return NULL;
}

//  The fast path takes only what a parse would read the same way: 1 to 18
//  digits (no overflow) ending the value. Anything else (a space, a sign,
//  a fraction, more digits, another first key) is parsed in full.
int64_t
sein_split_seq (const char *body, size_t size)
{
    static const char prefix[] = "{\"seq\":";
    const size_t from = sizeof prefix - 1;
    if (size > from && memcmp (body, prefix, from) == 0 && body[from] != '0') {
        int64_t seq = 0;
        size_t at = from;
        while (at < size && at - from < 18 && isdigit ((unsigned char) body[at]))
            seq = seq * 10 + (body[at++] - '0');
        if (at > from && at < size && (body[at] == ',' || body[at] == '}'))
            return seq;
    }
    json_t *json = json_loadb (body, size, 0, NULL);
    json_t *seq = json_object_get (json, "seq");
    int64_t value = json_is_integer (seq) ? json_integer_value (seq) : 0;
    json_decref (json);
    return value > 0 ? value : 0;
}
