// SPDX-License-Identifier: MPL-2.0
/*  sein_counters.h - what seind counts beyond PING's plain counters

    The server thread owns one and is its only user: refusals by error
    code, events delivered per team, the commit and fsync latencies (last
    value and a histogram), and the size of the store's files and its
    disk. sein_counters_json adds them to a PING or METRICS reply
    (docs/PROTOCOL.md); libsein's sein_metrics_text renders that for
    Prometheus. Counting is a few integer operations and, per delivered
    event, a hash lookup per team: cheap enough for every request.
*/
#ifndef SEIN_COUNTERS_H_INCLUDED
#define SEIN_COUNTERS_H_INCLUDED

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct _sein_counters_t sein_counters_t;

//  For the store at PATH (copied): its files are PATH and PATH-wal.
sein_counters_t *
    sein_counters_new (const char *path);

//  Destroy; idempotent, nulls the pointer.
void
    sein_counters_destroy (sein_counters_t **self_p);

//  One request answered with error CODE (a static code, e.g. "validation").
void
    sein_counters_reject (sein_counters_t *self, const char *code);

//  One event published to the teams in TEAMS, a comma-wrapped list
//  ",a,b," (sein_store.h); "" or "," names none.
void
    sein_counters_deliver (sein_counters_t *self, const char *teams);

//  A batch's transaction took US microseconds, to COMMIT returned.
void
    sein_counters_commit (sein_counters_t *self, int64_t us);

//  seind's fdatasync of the log took US microseconds.
void
    sein_counters_fsync (sein_counters_t *self, int64_t us);

//  Add to REPLY (a JSON object): "latency", "store" and "disk" (PING's
//  health fields); with DETAIL also "rejected_by_code", "deliveries" and
//  "histograms" (METRICS). The files' and disk's sizes are looked up at
//  most once a second, not per request.
void
    sein_counters_json (sein_counters_t *self, json_t *reply, bool detail);

#endif
