// SPDX-License-Identifier: MPL-2.0
/*  sein_ids.h - signal ids and the times seind writes

    A signal's id is a UUIDv7 (RFC 9562): millisecond time first, so ids
    sort by arrival and the id index grows at its end instead of being
    written at random places. The random part only needs to be unique, not
    secret: a xorshift128+ generator seeded once from getrandom. Each
    thread that makes ids owns its own sein_ids_t.
*/
#ifndef SEIN_IDS_H_INCLUDED
#define SEIN_IDS_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t state[2];
} sein_ids_t;

//  Seed IDS from the kernel's random source.
void
    sein_ids_init (sein_ids_t *ids);

//  Write a new UUIDv7 into ID (36 characters and a NUL).
void
    sein_ids_next (sein_ids_t *ids, char id[40]);

//  Write the current UTC time as "YYYY-MM-DDTHH:MM:SS.mmmZ" into BUFFER
//  (at least SEIN_TIME_MAX bytes).
void
    sein_time_now (char *buffer, size_t size);

//  Write TIME ("YYYY-MM-DDTHH:MM:SS.mmmZ", as sein_time_now writes it)
//  moved by MS milliseconds (negative: earlier) into BUFFER, in the same
//  form. Returns 0, or -1 when TIME is not in that form.
int
    sein_time_add (const char *time, int64_t ms, char *buffer, size_t size);

#endif
