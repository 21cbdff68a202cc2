// SPDX-License-Identifier: MPL-2.0
/*  sein_sample.h - write a backdated history of signals straight into a store

    The analysis tests and bench_query need stores whose signals arrived
    over months or years, with their lifecycle (acknowledged, resolved,
    overdue) at known times: seind stamps every event with the time it
    stores it, so such a store is written with the store API instead.
    Events go in time order, as seind writes them (sein_store_seq_at
    relies on it): sein_sample_write sorts every creation and change of
    the samples by time and stores them in transactions of a few thousand.
*/
#ifndef SEIN_SAMPLE_H_INCLUDED
#define SEIN_SAMPLE_H_INCLUDED

#include "sein_store.h"

#include <stdbool.h>
#include <stdint.h>

//  One signal and its life; strings borrowed. Times are "YYYY-MM-DDTHH:
//  MM:SS.mmmZ"; a NULL change time means it never happened. The status
//  it ends in follows: resolved, else acknowledged, else new.
typedef struct {
    const char *received_at;
    const char *area, *wijk, *theme, *priority, *source;
    const char *teams; //  comma-wrapped, ",a,b,"
    const char *street;
    const char *description;
    bool has_point;
    double lat, lon;
    const char *acknowledged_at, *resolved_at;
    const char *overdue_at; //  when its overdue event was stored
    int64_t seq;            //  out: the signal's seq once written
} sein_sample_t;

//  Write the COUNT SAMPLES and their changes into STORE (a writer, no
//  transaction open). Returns 0, or -1 on a store error.
int
    sein_sample_write (sein_store_t *store, sein_sample_t *samples, size_t count);

//  A time COUNT seconds after 2024-01-01T00:00:00Z (UTC) into BUFFER
//  (at least 32 bytes), in the store's form.
void
    sein_sample_time (int64_t seconds, char *buffer);

#endif
