// SPDX-License-Identifier: MPL-2.0
/*  sein_split.h - a watch BATCH's events, without parsing them

    seind sends a watcher many events in one BATCH message, a JSON array
    of event objects (docs/PROTOCOL.md section 3), and libsein's watcher
    hands each one out as the bytes it came in: a client that forwards or
    filters them (sein-watch, sein-http) parses only what it needs. These
    two read just enough structure for that, where each object ends and
    its seq, from bytes the network delivered: they never read outside
    them, whatever they hold. Part of libsein but not of its installed API
    (sein.h); a class of its own so that tests/fuzz/fuzz_split.c drives
    the same code the watcher runs.
*/
#ifndef SEIN_SPLIT_H_INCLUDED
#define SEIN_SPLIT_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

//  The next element of the JSON array of SIZE bytes at BATCH, from byte
//  *AT: an object's start, with *SIZE_P its size and *AT moved just past
//  it. NULL at the array's end, or at anything that is not an object
//  (a malformed rest, which seind never sends: the caller drops it).
//  Strings are skipped whole, so a brace or a comma in a description is
//  never taken for structure; nothing is parsed or copied. For an input
//  that is a JSON array of objects, the elements come back one by one,
//  exactly. BATCH may hold NUL bytes; it is not NUL-terminated.
const char *
    sein_split_next (const char *batch, size_t size, size_t *at, size_t *size_p);

//  The seq of the event of SIZE bytes at BODY: a positive integer, or 0
//  when it has none. seind writes every event as {"seq":N,...}, which is
//  read without parsing; anything else is parsed in full.
int64_t
    sein_split_seq (const char *body, size_t size);

#endif
