// SPDX-License-Identifier: MPL-2.0
/*  sein_counters.c - what seind counts beyond PING's plain counters
    (see sein_counters.h)
*/
#include "sein_counters.h"

#include "sein_alloc.h"

#include <czmq.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

//  The histograms' upper bounds, in microseconds: from a commit that only
//  writes the log (well under a millisecond) to a disk in trouble.
static const int64_t s_bounds[] = {500,   1000,   2000,   5000,   10000, 25000,
                                   50000, 100000, 250000, 500000, 1000000};
#define S_BUCKETS (sizeof s_bounds / sizeof s_bounds[0])

//  Error codes are a short, fixed list (docs/PROTOCOL.md); room for all.
#define S_CODES 32

typedef struct {
    uint64_t buckets[S_BUCKETS]; //  per bucket, not cumulative
    uint64_t count;
    int64_t sum;  //  microseconds
    int64_t last; //  microseconds; -1 before the first
} s_histogram_t;

typedef struct {
    const char *code; //  static
    uint64_t count;
} s_code_t;

struct _sein_counters_t {
    char *path, *wal;
    s_code_t codes[S_CODES];
    size_t ncodes;
    uint64_t other_codes; //  codes beyond S_CODES: cannot happen, but counted
    zhashx_t *deliveries; //  team name -> uint64_t *
    s_histogram_t commit, fsync;
    int64_t sized_at; //  zclock_mono of the last look at the files
    int64_t db_bytes, wal_bytes, disk_free, disk_size;
};

static void
s_free_count (void **item)
{
    free (*item);
    *item = NULL;
}

sein_counters_t *
sein_counters_new (const char *path)
{
    sein_counters_t *self = (sein_counters_t *) sein_calloc (1, sizeof *self);
    self->path = sein_strdup (path);
    self->wal = sein_sprintf ("%s-wal", path);
    self->deliveries = zhashx_new ();
    zhashx_set_key_duplicator (self->deliveries, (zhashx_duplicator_fn *) sein_strdup);
    zhashx_set_destructor (self->deliveries, s_free_count);
    self->commit.last = self->fsync.last = -1;
    return self;
}

void
sein_counters_destroy (sein_counters_t **self_p)
{
    sein_counters_t *self = *self_p;
    if (self) {
        zhashx_destroy (&self->deliveries);
        free (self->path);
        free (self->wal);
        free (self);
        *self_p = NULL;
    }
}

void
sein_counters_reject (sein_counters_t *self, const char *code)
{
    for (size_t index = 0; index < self->ncodes; index++)
        if (streq (self->codes[index].code, code)) {
            self->codes[index].count++;
            return;
        }
    if (self->ncodes < S_CODES)
        self->codes[self->ncodes++] = (s_code_t){code, 1};
    else
        self->other_codes++;
}

void
sein_counters_deliver (sein_counters_t *self, const char *teams)
{
    char name[128];
    for (const char *at = teams; at && *at;) {
        at += strspn (at, ",");
        size_t size = strcspn (at, ",");
        if (size == 0)
            break;
        if (size < sizeof name) {
            memcpy (name, at, size);
            name[size] = 0;
            uint64_t *count = (uint64_t *) zhashx_lookup (self->deliveries, name);
            if (!count) {
                count = (uint64_t *) sein_calloc (1, sizeof *count);
                zhashx_insert (self->deliveries, name, count);
            }
            (*count)++;
        }
        at += size;
    }
}

static void
s_observe (s_histogram_t *histogram, int64_t us)
{
    if (us < 0)
        us = 0;
    size_t bucket = 0;
    while (bucket < S_BUCKETS && us > s_bounds[bucket])
        bucket++;
    if (bucket < S_BUCKETS)
        histogram->buckets[bucket]++;
    histogram->count++;
    histogram->sum += us;
    histogram->last = us;
}

void
sein_counters_commit (sein_counters_t *self, int64_t us)
{
    s_observe (&self->commit, us);
}

void
sein_counters_fsync (sein_counters_t *self, int64_t us)
{
    s_observe (&self->fsync, us);
}

//  The histogram as {"le":[ms...],"counts":[cumulative...],"count","sum"}.
static json_t *
s_histogram_json (const s_histogram_t *histogram)
{
    json_t *bounds = json_array (), *counts = json_array ();
    uint64_t cumulative = 0;
    for (size_t index = 0; index < S_BUCKETS; index++) {
        cumulative += histogram->buckets[index];
        json_array_append_new (bounds, json_real ((double) s_bounds[index] / 1000));
        json_array_append_new (counts, json_integer ((json_int_t) cumulative));
    }
    return json_pack ("{s:o,s:o,s:I,s:f}", "le", bounds, "counts", counts, "count",
                      (json_int_t) histogram->count, "sum", (double) histogram->sum / 1000);
}

//  Look at the files and the disk again when the last look is a second old.
static void
s_size (sein_counters_t *self)
{
    int64_t now = zclock_mono ();
    if (self->sized_at && now - self->sized_at < 1000)
        return;
    self->sized_at = now;
    struct stat status;
    self->db_bytes = stat (self->path, &status) == 0 ? (int64_t) status.st_size : 0;
    self->wal_bytes = stat (self->wal, &status) == 0 ? (int64_t) status.st_size : 0;
    struct statvfs disk;
    if (statvfs (self->path, &disk) == 0) {
        self->disk_free = (int64_t) disk.f_bavail * (int64_t) disk.f_frsize;
        self->disk_size = (int64_t) disk.f_blocks * (int64_t) disk.f_frsize;
    }
}

void
sein_counters_json (sein_counters_t *self, json_t *reply, bool detail)
{
    json_t *latency = json_object ();
    if (self->commit.last >= 0)
        json_object_set_new (latency, "commit_ms", json_real ((double) self->commit.last / 1000));
    if (self->fsync.last >= 0)
        json_object_set_new (latency, "fsync_ms", json_real ((double) self->fsync.last / 1000));
    json_object_set_new (reply, "latency", latency);
    s_size (self);
    json_object_set_new (reply, "store",
                         json_pack ("{s:I,s:I}", "db", (json_int_t) self->db_bytes, "wal",
                                    (json_int_t) self->wal_bytes));
    json_object_set_new (reply, "disk",
                         json_pack ("{s:I,s:I}", "free", (json_int_t) self->disk_free, "size",
                                    (json_int_t) self->disk_size));
    if (!detail)
        return;
    json_t *codes = json_object ();
    for (size_t index = 0; index < self->ncodes; index++)
        json_object_set_new (codes, self->codes[index].code,
                             json_integer ((json_int_t) self->codes[index].count));
    if (self->other_codes)
        json_object_set_new (codes, "other", json_integer ((json_int_t) self->other_codes));
    json_object_set_new (reply, "rejected_by_code", codes);
    json_t *deliveries = json_object ();
    for (uint64_t *count = (uint64_t *) zhashx_first (self->deliveries); count;
         count = (uint64_t *) zhashx_next (self->deliveries))
        json_object_set_new (deliveries, (const char *) zhashx_cursor (self->deliveries),
                             json_integer ((json_int_t) *count));
    json_object_set_new (reply, "deliveries", deliveries);
    json_object_set_new (reply, "histograms",
                         json_pack ("{s:o,s:o}", "commit_ms", s_histogram_json (&self->commit),
                                    "fsync_ms", s_histogram_json (&self->fsync)));
}
