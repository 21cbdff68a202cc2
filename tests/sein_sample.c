// SPDX-License-Identifier: MPL-2.0
/*  sein_sample.c - write a backdated history of signals straight into a store */
#include "sein_sample.h"

#include <czmq.h>
#include <time.h>

//  One event of the history: a sample's creation or one of its changes.
typedef enum { S_CREATE, S_ACKNOWLEDGE, S_RESOLVE, S_OVERDUE } s_kind_t;
typedef struct {
    const char *at;
    size_t sample;
    s_kind_t kind;
} s_entry_t;

//  Per transaction: large enough that the fsyncs do not dominate.
#define S_BATCH 5000

static int
s_compare_entry (const void *a, const void *b)
{
    const s_entry_t *x = (const s_entry_t *) a, *y = (const s_entry_t *) b;
    int order = strcmp (x->at, y->at);
    if (order)
        return order;
    if (x->kind != y->kind)
        return (int) x->kind - (int) y->kind;
    return x->sample < y->sample ? -1 : x->sample > y->sample;
}

void
sein_sample_time (int64_t seconds, char *buffer)
{
    time_t when = (time_t) (1704067200 + seconds); //  2024-01-01T00:00:00Z
    struct tm tm;
    gmtime_r (&when, &tm);
    strftime (buffer, 32, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

static json_t *
s_teams (const char *teams)
{
    json_t *list = json_array ();
    char copy[256];
    snprintf (copy, sizeof copy, "%s", teams);
    for (char *save = NULL, *team = strtok_r (copy, ",", &save); team;
         team = strtok_r (NULL, ",", &save))
        json_array_append_new (list, json_string (team));
    return list;
}

static void
s_codes (sein_event_t *event, const sein_sample_t *sample)
{
    event->area = sample->area;
    event->wijk = sample->wijk;
    event->theme = sample->theme;
    event->priority = sample->priority;
    event->source = sample->source;
    event->teams = sample->teams;
}

static int
s_create (sein_store_t *store, sein_sample_t *sample, size_t index)
{
    (void) index;
    char id[40];
    int64_t seq = sein_store_next_seq (store);
    //  Unique in the store however many calls wrote it.
    snprintf (id, sizeof id, "00000000-0000-7000-8000-%012llx", (unsigned long long) seq);
    json_t *body = json_pack (
        "{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:{s:{s:s?}},s:s}", "seq",
        (json_int_t) seq,
        "id", id, "event", "signal", "received_at", sample->received_at, "source",
        sample->source, "description", sample->description, "area", sample->area, "wijk",
        sample->wijk, "theme", sample->theme, "priority", sample->priority, "teams",
        s_teams (sample->teams), "classification", "area", "street", sample->street, "status",
        "new");
    if (sample->has_point) {
        json_object_set_new (body, "lat", json_real (sample->lat));
        json_object_set_new (body, "long", json_real (sample->lon));
    }
    char *text = json_dumps (body, JSON_COMPACT);
    json_decref (body);
    sein_store_signal_t signal = {.id = id,
                                  .submitter = "sample",
                                  .status = "new",
                                  .has_point = sample->has_point,
                                  .lat = sample->lat,
                                  .lon = sample->lon};
    signal.event.kind = "signal";
    signal.event.at = sample->received_at;
    s_codes (&signal.event, sample);
    signal.event.body = text;
    signal.event.body_size = strlen (text);
    int rc = sein_store_add_signal (store, &signal);
    free (text);
    sample->seq = seq;
    return rc;
}

static int
s_change (sein_store_t *store, const sein_sample_t *sample, s_kind_t kind, const char *at)
{
    int64_t seq = sein_store_next_seq (store);
    const char *from = kind == S_RESOLVE && sample->acknowledged_at ? "acknowledged" : "new";
    json_t *body =
        kind == S_OVERDUE
            ? json_pack ("{s:I,s:s,s:s,s:{s:I},s:s}", "seq", (json_int_t) seq, "event",
                         "overdue", "at", at, "signal", "seq", (json_int_t) sample->seq, "by",
                         "seind")
            : json_pack ("{s:I,s:s,s:s,s:{s:I},s:s,s:s,s:s}", "seq", (json_int_t) seq,
                         "event", "status", "at", at, "signal", "seq",
                         (json_int_t) sample->seq, "by", "sample", "from",
                         kind == S_ACKNOWLEDGE ? "new" : from, "to",
                         kind == S_ACKNOWLEDGE ? "acknowledged" : "resolved");
    char *text = json_dumps (body, JSON_COMPACT);
    json_decref (body);
    sein_event_t event = {.kind = kind == S_OVERDUE ? "overdue" : "status",
                          .at = at,
                          .body = text,
                          .body_size = strlen (text),
                          .signal = sample->seq};
    s_codes (&event, sample);
    sein_store_update_t update = {.seq = sample->seq, .updated_at = at};
    if (kind == S_OVERDUE)
        update.overdue = true;
    else {
        //  As the workflow does: the first change out of new acknowledges.
        update.acknowledged_at = at;
        update.status = kind == S_ACKNOWLEDGE ? "acknowledged" : "resolved";
        if (kind == S_RESOLVE)
            update.resolved_at = at;
    }
    int rc = sein_store_add_change (store, &event, &update);
    free (text);
    return rc;
}

int
sein_sample_write (sein_store_t *store, sein_sample_t *samples, size_t count)
{
    s_entry_t *entries = (s_entry_t *) calloc (4 * count + 1, sizeof *entries);
    assert (entries);
    size_t size = 0;
    for (size_t index = 0; index < count; index++) {
        entries[size++] = (s_entry_t) {samples[index].received_at, index, S_CREATE};
        if (samples[index].acknowledged_at)
            entries[size++] =
                (s_entry_t) {samples[index].acknowledged_at, index, S_ACKNOWLEDGE};
        if (samples[index].resolved_at)
            entries[size++] = (s_entry_t) {samples[index].resolved_at, index, S_RESOLVE};
        if (samples[index].overdue_at)
            entries[size++] = (s_entry_t) {samples[index].overdue_at, index, S_OVERDUE};
    }
    qsort (entries, size, sizeof *entries, s_compare_entry);
    int rc = 0;
    for (size_t index = 0; rc == 0 && index < size; index++) {
        if (index % S_BATCH == 0 && sein_store_begin (store))
            rc = -1;
        s_entry_t *entry = &entries[index];
        if (rc == 0)
            rc = entry->kind == S_CREATE
                     ? s_create (store, &samples[entry->sample], entry->sample)
                     : s_change (store, &samples[entry->sample], entry->kind, entry->at);
        if (rc == 0 && (index % S_BATCH == S_BATCH - 1 || index == size - 1)) {
            rc = sein_store_commit (store);
            //  The store never checkpoints by itself (seind asks another
            //  connection to): without this the log would hold it all.
            if (rc == 0 && index / S_BATCH % 20 == 19)
                rc = sein_store_checkpoint (store, true);
        }
    }
    if (rc)
        sein_store_rollback (store);
    free (entries);
    return rc;
}
