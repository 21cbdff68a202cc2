// SPDX-License-Identifier: MPL-2.0
/*  fuzz_split.c - libFuzzer target: libsein's BATCH splitter

    The input is the body of a BATCH message as a watcher receives it
    from the network (docs/PROTOCOL.md section 3: a JSON array of event
    objects). sein_split_next takes it apart without parsing, and
    sein_split_seq reads each event's seq, as libsein's watcher does
    before it hands an event out. Whatever the bytes: every element lies
    inside the input, starts with '{', and the cursor only moves forward.
    When the input is a JSON array of objects (the only thing seind
    sends), the elements are exactly the array's, in order, and each seq
    is what a full parse says.
*/
#include "sein_split.h"
#include "sein_fuzz.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

//  What a parser says the seq of EVENT is, as sein_split_seq promises it:
//  a positive integer, else 0.
static int64_t
s_parsed_seq (json_t *event)
{
    json_t *seq = json_object_get (event, "seq");
    return json_is_integer (seq) && json_integer_value (seq) > 0 ? json_integer_value (seq) : 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    //  A copy of the input's exact size, so that any read past it is a
    //  sanitizer report.
    char *batch = (char *) malloc (size ? size : 1);
    sein_fuzz_check (batch);
    memcpy (batch, data, size);
    //  Duplicate keys refused: seind never writes them, and a parser
    //  would keep the last where the splitter reads the first.
    json_t *array = json_loadb (batch, size, JSON_REJECT_DUPLICATES, NULL);
    bool objects = json_is_array (array);
    size_t index;
    json_t *element;
    json_array_foreach (array, index, element)
        objects &= json_is_object (element);

    size_t at = 0, count = 0, event_size = 0;
    const char *event;
    while ((event = sein_split_next (batch, size, &at, &event_size))) {
        sein_fuzz_check (event >= batch && event_size >= 2 && event_size <= size);
        sein_fuzz_check ((size_t) (event - batch) <= size - event_size);
        sein_fuzz_check (batch + at == event + event_size);
        sein_fuzz_check (*event == '{');
        json_t *parsed = json_loadb (event, event_size, JSON_REJECT_DUPLICATES, NULL);
        int64_t seq = sein_split_seq (event, event_size);
        sein_fuzz_check (seq >= 0);
        if (json_is_object (parsed))
            sein_fuzz_check (seq == s_parsed_seq (parsed));
        if (objects) {
            sein_fuzz_check (count < json_array_size (array));
            sein_fuzz_check (json_equal (parsed, json_array_get (array, count)));
        }
        json_decref (parsed);
        count++;
    }
    sein_fuzz_check (at <= size);
    if (objects)
        sein_fuzz_check (count == json_array_size (array));
    json_decref (array);
    free (batch);
    return 0;
}
