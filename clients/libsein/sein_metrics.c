// SPDX-License-Identifier: MPL-2.0
/*  sein_metrics.c - libsein: seind's counters as Prometheus text

    seind answers METRICS (and, with fewer fields, PING) with JSON
    (docs/PROTOCOL.md, "METRICS"); monitoring systems read the Prometheus
    text exposition format 0.0.4 instead. This renderer is the one place
    that maps the one onto the other, so that `seinctl metrics` (for
    node_exporter's textfile collector) and the HTTP gateway's /metrics
    print the same names.

    Names follow Prometheus's conventions: a sein_ prefix, base units
    (seconds, bytes: seind's milliseconds are converted), _total for
    counters. A field the reply lacks is left out, its family's HELP and
    TYPE still printed, so that a PING reply renders too.
*/
#include "sein.h"

#include "sein_alloc.h"

#include <stdio.h>
#include <string.h>

//  Plain values: FIELD of the reply's OBJECT (NULL: the reply itself).
static const struct {
    const char *object, *field, *name, *type, *help;
    double scale; //  0: an integer as it is; else multiply (ms to seconds)
} s_scalars[] = {
    {NULL, "uptime", "sein_uptime_seconds", "gauge", "Seconds since seind started.", 0},
    {NULL, "head", "sein_head_seq", "gauge", "The highest seq known to be on disk.", 0},
    {"counters", "received", "sein_requests_received_total", "counter",
     "Requests read on the intake socket, of every command.", 0},
    {"counters", "accepted", "sein_signals_accepted_total", "counter",
     "New signals stored and acknowledged.", 0},
    {"counters", "duplicates", "sein_signals_duplicate_total", "counter",
     "Submissions answered with the signal stored before under the same external_id.", 0},
    {"counters", "batches", "sein_batches_total", "counter",
     "Batches of requests stored, each in one transaction.", 0},
    {"counters", "largest_batch", "sein_batch_largest", "gauge",
     "The most requests one batch held since seind started.", 0},
    {"counters", "storage_errors", "sein_storage_errors_total", "counter",
     "Batches the store refused or could not write (full or failed disk).", 0},
    {"counters", "replies_dropped", "sein_replies_dropped_total", "counter",
     "Replies not sent: the client was gone or not reading its replies.", 0},
    {"counters", "watch_sessions", "sein_watch_sessions", "gauge",
     "Open watch sessions.", 0},
    {"counters", "watch_queued", "sein_watch_queued_events", "gauge",
     "Events queued in watch sessions, waiting for credit.", 0},
    {"disk", "free", "sein_disk_free_bytes", "gauge",
     "Bytes free for seind on the store's file system.", 0},
    {"disk", "size", "sein_disk_size_bytes", "gauge",
     "Size of the store's file system in bytes.", 0},
    {"latency", "commit_ms", "sein_last_commit_seconds", "gauge",
     "How long the last batch's transaction took, to COMMIT returned.", 0.001},
    {"latency", "fsync_ms", "sein_last_fsync_seconds", "gauge",
     "How long seind's last fdatasync of the write-ahead log took.", 0.001},
};

//  Families with one label: each member of the reply's object OBJECT is
//  a sample, its key the value of LABEL. Without OBJECT (a PING reply),
//  the counter TOTAL, when given, is the family's one unlabelled sample.
static const struct {
    const char *object, *name, *type, *label, *help, *total;
} s_labelled[] = {
    {"rejected_by_code", "sein_requests_rejected_total", "counter", "code",
     "Requests answered with an error, by error code.", "rejected"},
    {"deliveries", "sein_deliveries_total", "counter", "team",
     "Events published to a team: new signals and changes routed to it.", NULL},
    {"queues", "sein_queue_depth", "gauge", "queue",
     "Requests or events waiting inside seind, by queue.", NULL},
    {"store", "sein_store_bytes", "gauge", "file",
     "Size of the store's files: the database and its write-ahead log.", NULL},
};

//  Histograms of the reply's "histograms" object, in milliseconds there.
static const struct {
    const char *field, *name, *help;
} s_histograms[] = {
    {"commit_ms", "sein_commit_duration_seconds",
     "Time to store one batch in one transaction, to COMMIT returned."},
    {"fsync_ms", "sein_fsync_duration_seconds",
     "Time of seind's fdatasync of the write-ahead log (storage.synchronous=full)."},
};

static void
s_header (FILE *out, const char *name, const char *type, const char *help)
{
    //  The help texts are ours: no backslash or newline to escape.
    fprintf (out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

//  VALUE as the text format writes numbers; SCALE as in s_scalars.
static void
s_value (FILE *out, const json_t *value, double scale)
{
    if (json_is_integer (value) && scale == 0)
        fprintf (out, "%lld\n", (long long) json_integer_value (value));
    else
        fprintf (out, "%.9g\n", json_number_value (value) * (scale ? scale : 1));
}

//  A label value, escaped as the format says: backslash, double quote
//  and line feed.
static void
s_label_value (FILE *out, const char *text)
{
    for (; *text; text++)
        if (*text == '\\')
            fputs ("\\\\", out);
        else if (*text == '"')
            fputs ("\\\"", out);
        else if (*text == '\n')
            fputs ("\\n", out);
        else
            fputc (*text, out);
}

static void
s_histogram (FILE *out, const char *name, const char *help, json_t *histogram)
{
    s_header (out, name, "histogram", help);
    json_t *bounds = json_object_get (histogram, "le");
    json_t *counts = json_object_get (histogram, "counts");
    json_t *count = json_object_get (histogram, "count");
    json_t *sum = json_object_get (histogram, "sum");
    if (!json_is_array (bounds) || !json_is_array (counts) ||
        json_array_size (bounds) != json_array_size (counts) || !json_is_integer (count) ||
        !json_is_number (sum))
        return;
    for (size_t index = 0; index < json_array_size (bounds); index++) {
        fprintf (out, "%s_bucket{le=\"%.9g\"} ", name,
                 json_number_value (json_array_get (bounds, index)) / 1000);
        s_value (out, json_array_get (counts, index), 0);
    }
    fprintf (out, "%s_bucket{le=\"+Inf\"} ", name);
    s_value (out, count, 0);
    fprintf (out, "%s_sum ", name);
    s_value (out, sum, 0.001);
    fprintf (out, "%s_count ", name);
    s_value (out, count, 0);
}

char *
sein_metrics_text (json_t *reply)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    if (!out) //  for want of memory, the only way it fails
        sein_abort ("out of memory rendering metrics");
    s_header (out, "sein_up", "gauge", "1 when seind answered, 0 when it did not.");
    fprintf (out, "sein_up %d\n", reply ? 1 : 0);
    if (reply) {
        const char *version = json_string_value (json_object_get (reply, "version"));
        s_header (out, "sein_build_info", "gauge", "seind's version, as a label; always 1.");
        fputs ("sein_build_info{version=\"", out);
        s_label_value (out, version ? version : "");
        fputs ("\"} 1\n", out);
        for (size_t index = 0; index < sizeof s_scalars / sizeof s_scalars[0]; index++) {
            json_t *object = s_scalars[index].object
                                 ? json_object_get (reply, s_scalars[index].object)
                                 : reply;
            json_t *value = json_object_get (object, s_scalars[index].field);
            s_header (out, s_scalars[index].name, s_scalars[index].type,
                      s_scalars[index].help);
            if (json_is_number (value)) {
                fprintf (out, "%s ", s_scalars[index].name);
                s_value (out, value, s_scalars[index].scale);
            }
        }
        for (size_t index = 0; index < sizeof s_labelled / sizeof s_labelled[0]; index++) {
            json_t *object = json_object_get (reply, s_labelled[index].object);
            s_header (out, s_labelled[index].name, s_labelled[index].type,
                      s_labelled[index].help);
            const char *key;
            json_t *value;
            json_t *total = s_labelled[index].total
                                ? json_object_get (json_object_get (reply, "counters"),
                                                   s_labelled[index].total)
                                : NULL;
            if (!object && json_is_integer (total)) {
                fprintf (out, "%s ", s_labelled[index].name);
                s_value (out, total, 0);
            }
            json_object_foreach (object, key, value) {
                if (!json_is_number (value))
                    continue;
                fprintf (out, "%s{%s=\"", s_labelled[index].name, s_labelled[index].label);
                s_label_value (out, key);
                fputs ("\"} ", out);
                s_value (out, value, 0);
            }
        }
        json_t *histograms = json_object_get (reply, "histograms");
        for (size_t index = 0; index < sizeof s_histograms / sizeof s_histograms[0]; index++)
            s_histogram (out, s_histograms[index].name, s_histograms[index].help,
                         json_object_get (histograms, s_histograms[index].field));
    }
    if (fclose (out))
        sein_abort ("out of memory rendering metrics");
    return text;
}
