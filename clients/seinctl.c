// SPDX-License-Identifier: MPL-2.0
/*  seinctl - query and administer a running seind

    Like OpenSMTPD's smtpctl, the commands are a table: name, operands,
    help and a handler. Each handler makes one request on the intake socket
    and prints the answer (or, with --json, the answer itself); `config`
    and `check` need no daemon.
*/
#include "sein_alloc.h"
#include "sein_cli.h"

#include "sein_alloc.h"
#include "sein_corpus.h"
#include "sein_store.h"
#include "sein_report.h"
#include "sein_settings.h"
#include "sein_table.h"

#include <czmq.h>
#include <sys/stat.h>
#include <time.h>

enum {
    O_TIMEOUT = 't',
    O_NOTE = 256,
    O_TO,
    O_OF,
    O_PERSON,
    O_EXTERNAL_ID,
    O_SUBMITTER,
    O_ROLE,
    O_TEAM,
    //  The filters of list, stats and report, in s_filters's order (the
    //  team filter is --team, keygen's).
    O_AREA,
    O_THEME,
    O_STATUS,
    O_SOURCE,
    O_PRIORITY,
    O_FROM,
    O_UNTIL,
    O_TEXT,
    O_ORDER,
    O_BY,
    O_OUTPUT,
    O_AFTER,
    O_LIMIT,
    O_OVERDUE,
    O_ALL,
    O_CSV,
    O_CORPUS,
    O_FOLDS,
    O_FROM_STORE,
    O_BITS,
    O_REPORTER
};

#define S_CORPUS_MAX 64

#define S_TEAMS_MAX 16

//  The filter options, as the LIST and STATS fields they set.
static const char *s_filters[] = {"area",     "theme", "status", "source", "priority",
                                  "from",     "until", "text",   "order",  "by"};
#define S_NFILTERS (sizeof s_filters / sizeof s_filters[0])

static const sein_cli_option_t s_options[] = {
    {"timeout", O_TIMEOUT, "MS", "give up when the daemon is silent this long"},
    {"note", O_NOTE, "TEXT", "set-status, assign, reclassify: a note or the reason"},
    {"to", O_TO, "TEAM", "set-status referred: the team it goes to"},
    {"of", O_OF, "ID|SEQ", "set-status duplicate: the signal it duplicates"},
    {"person", O_PERSON, "NAME", "assign: the person in the team"},
    {"external-id", O_EXTERNAL_ID, "ID", "get: by the submitter's own id"},
    {"submitter", O_SUBMITTER, "NAME", "get --external-id: whose id (default anonymous)"},
    {"role", O_ROLE, "ROLE", "keygen: submitter, watcher, staff, system, admin or server"},
    {"team", O_TEAM, "TEAM",
     "keygen: a team the key watches and works for (repeatable); list, stats: routed or "
     "assigned to the team"},
    {"area", O_AREA, "CODE",
     "list, stats, report: an area (a wijk includes its zones); reclassify: the new area"},
    {"theme", O_THEME, "CODE", "list, stats: a theme; reclassify: the new theme"},
    {"status", O_STATUS, "STATE", "list, stats: a state, open or finished"},
    {"source", O_SOURCE, "SOURCE", "list, stats: citizen, partner, staff or system"},
    {"priority", O_PRIORITY, "PRIORITY", "list, stats: low, normal, high or urgent"},
    {"from", O_FROM, "TIME", "list, stats, report: received at or after (a local date, or RFC 3339)"},
    {"until", O_UNTIL, "TIME", "list, stats, report: received before"},
    {"text", O_TEXT, "WORDS", "list, stats: full text (FTS5: words, \"a phrase\", OR, NOT, prefix*)"},
    {"order", O_ORDER, "newest|seq", "list: newest first (default) or by seq"},
    {"by", O_BY, "KEYS", "stats: group by area,wijk,theme,priority,source,week,month (default area,theme,week)"},
    {"output", O_OUTPUT, "FILE", "report: the HTML file to write; train: the model file"},
    {"corpus", O_CORPUS, "FILE", "train: labelled JSON lines (repeatable)"},
    {"folds", O_FOLDS, "K", "train: first report K-fold cross-validation"},
    {"from-store", O_FROM_STORE, NULL, "train: add the signals staff reclassified"},
    {"bits", O_BITS, "N", "train: hash bits of the features (default 16)"},
    {"after", O_AFTER, "SEQ", "list: the page after this cursor"},
    {"limit", O_LIMIT, "N", "list: signals per page (default 50, at most 1000)"},
    {"overdue", O_OVERDUE, NULL, "list, stats: only signals that missed their deadline"},
    {"all", O_ALL, NULL, "list: every page, not just the first"},
    {"csv", O_CSV, NULL, "list, stats: CSV for a spreadsheet"},
    {"reporter", O_REPORTER, NULL,
     "get: with the reporter's details (logged; security.reporter_roles); erase: a "
     "reporter's e-mail or phone"},
    {NULL, 0, NULL, NULL}};

typedef struct {
    sein_cli_t *cli;
    sein_client_t *client;
    int timeout;
    long long option_timeout;
    const char *note, *to, *of, *person, *external_id, *submitter;
    const char *role;
    const char *teams[S_TEAMS_MAX];
    int nteams;
    const char *filters[S_NFILTERS];
    const char *output;
    long long after, limit;
    bool overdue, all, csv, reporter;
    const char *corpus[S_CORPUS_MAX];
    int ncorpus;
    long long folds, bits;
    bool from_store;
} s_ctl_t;

static int
s_option (void *arg, int key, const char *value)
{
    s_ctl_t *ctl = (s_ctl_t *) arg;
    if (key == O_TIMEOUT) {
        ctl->option_timeout = sein_cli_number (value);
        return ctl->option_timeout > 0 ? 0 : -1;
    }
    const char **texts[] = {&ctl->note,   &ctl->to,          &ctl->of,
                            &ctl->person, &ctl->external_id, &ctl->submitter};
    if (key >= O_NOTE && key <= O_SUBMITTER) {
        *texts[key - O_NOTE] = value;
        return 0;
    }
    if (key == O_ROLE) {
        ctl->role = value;
        return 0;
    }
    //  Teams are joined with commas in the certificate.
    if (key == O_TEAM && ctl->nteams < S_TEAMS_MAX && *value && !strchr (value, ',')) {
        ctl->teams[ctl->nteams++] = value;
        return 0;
    }
    if (key >= O_AREA && key < O_AREA + (int) S_NFILTERS) {
        ctl->filters[key - O_AREA] = value;
        return 0;
    }
    if (key == O_CORPUS && ctl->ncorpus < S_CORPUS_MAX) {
        ctl->corpus[ctl->ncorpus++] = value;
        return 0;
    }
    if (key == O_FOLDS || key == O_BITS) {
        long long number = sein_cli_number (value);
        *(key == O_FOLDS ? &ctl->folds : &ctl->bits) = number;
        return key == O_FOLDS ? (number >= 2 && number <= 100 ? 0 : -1)
                              : (number >= SEIN_MODEL_BITS_MIN &&
                                         number <= SEIN_MODEL_BITS_MAX
                                     ? 0
                                     : -1);
    }
    if (key == O_FROM_STORE) {
        ctl->from_store = true;
        return 0;
    }
    if (key == O_OUTPUT)
        ctl->output = value;
    else if (key == O_AFTER || key == O_LIMIT) {
        long long number = sein_cli_number (value);
        *(key == O_AFTER ? &ctl->after : &ctl->limit) = number;
        return number > 0 ? 0 : -1;
    } else if (key == O_OVERDUE)
        ctl->overdue = true;
    else if (key == O_ALL)
        ctl->all = true;
    else if (key == O_CSV)
        ctl->csv = true;
    else if (key == O_REPORTER)
        ctl->reporter = true;
    else
        return -1;
    return 0;
}

//  A signal as an operand names it: digits are its seq, anything else its
//  id. Fresh JSON.
static json_t *
s_ref (const char *operand)
{
    long long seq = sein_cli_number (operand);
    return seq > 0 ? json_integer (seq) : json_string (operand);
}

//  TIME as seind writes it (UTC) in local time, "2026-11-26 11:20:27";
//  TIME itself when it is not in that form. Writes into BUFFER.
static const char *
s_local (const char *time, char *buffer, size_t size)
{
    struct tm tm = {0};
    if (!time || !strptime (time, "%Y-%m-%dT%H:%M:%S", &tm))
        return time ? time : "-";
    time_t when = timegm (&tm);
    localtime_r (&when, &tm);
    strftime (buffer, size, "%Y-%m-%d %H:%M:%S", &tm);
    return buffer;
}

//  Make one call; print a rejection. Returns the reply or NULL with
//  *status_p set to the exit status.
static json_t *
s_call (s_ctl_t *ctl, const char *command, json_t *body, int *status_p)
{
    json_t *reply = sein_client_call (ctl->client, command, body, ctl->timeout);
    json_decref (body);
    if (!reply) {
        fprintf (stderr, "seinctl: no answer from %s within %d ms\n",
                 sein_config_str (ctl->cli->config, "endpoints.intake"), ctl->timeout);
        *status_p = SEIN_EXIT_UNAVAILABLE;
        return NULL;
    }
    const char *status = json_string_value (json_object_get (reply, "status"));
    if (!status || streq (status, "rejected")) {
        json_t *error = json_object_get (reply, "error");
        if (ctl->cli->json)
            sein_cli_print (ctl->cli, reply, NULL);
        else
            fprintf (stderr, "seinctl: %s: %s\n",
                     json_string_value (json_object_get (error, "code")),
                     json_string_value (json_object_get (error, "message")));
        const char *code = json_string_value (json_object_get (error, "code"));
        //  seind stopping is not the request's fault; a reload refused is
        //  the configuration's (as seind --check says it).
        *status_p = code && streq (code, "unavailable") ? SEIN_EXIT_UNAVAILABLE
                    : code && streq (code, "refused")   ? SEIN_EXIT_CONFIG
                                                        : SEIN_EXIT_DATAERR;
        json_decref (reply);
        return NULL;
    }
    return reply;
}

static int
s_cmd_ping (s_ctl_t *ctl, int argc, char **argv)
{
    (void) argc;
    (void) argv;
    int status = SEIN_EXIT_OK;
    json_t *reply = s_call (ctl, SEIN_PING, NULL, &status);
    if (reply) {
        json_t *counters = json_object_get (reply, "counters");
        char *human = sein_sprintf (
            "seind %s up %llds, head seq %lld, accepted %lld, duplicates %lld, rejected %lld",
            json_string_value (json_object_get (reply, "version")),
            (long long) json_integer_value (json_object_get (reply, "uptime")),
            (long long) json_integer_value (json_object_get (reply, "head")),
            (long long) json_integer_value (json_object_get (counters, "accepted")),
            (long long) json_integer_value (json_object_get (counters, "duplicates")),
            (long long) json_integer_value (json_object_get (counters, "rejected")));
        sein_cli_print (ctl->cli, reply, human);
        zstr_free (&human);
        json_decref (reply);
    }
    return status;
}

//  metrics: every counter in the Prometheus text format, for
//  node_exporter's textfile collector. Without an answer it still prints
//  `sein_up 0` (and exits 69), so a collector publishes that seind is down.
static int
s_cmd_metrics (s_ctl_t *ctl, int argc, char **argv)
{
    (void) argc;
    (void) argv;
    int status = SEIN_EXIT_OK;
    json_t *reply = s_call (ctl, SEIN_METRICS, NULL, &status);
    if (ctl->cli->json && reply)
        sein_cli_print (ctl->cli, reply, NULL);
    else if (reply || status == SEIN_EXIT_UNAVAILABLE) {
        char *text = sein_metrics_text (reply);
        fputs (text, stdout);
        free (text);
    }
    json_decref (reply);
    return status;
}

//  What makes health "degraded" (docs/man/seinctl.1 lists the same).
#define S_HEALTH_RECENT 300       //  s: a storage error or dropped reply this recent
#define S_HEALTH_LATENCY 1000.0   //  ms: a last commit or fsync slower than this
#define S_HEALTH_DISK_FREE 5      //  %: less free on the store's file system

//  health: up, and how well. Exit 0 ok, 1 degraded, 2 down (no answer).
//  PING, which every key may ask, holds all it needs.
static int
s_cmd_health (s_ctl_t *ctl, int argc, char **argv)
{
    (void) argc;
    (void) argv;
    json_t *reply = sein_client_call (ctl->client, SEIN_PING, NULL, ctl->timeout);
    const char *endpoint = sein_config_str (ctl->cli->config, "endpoints.intake");
    json_t *health = json_object ();
    json_t *problems = json_array ();
    json_t *since = json_object_get (reply, "since");
    json_t *latency = json_object_get (reply, "latency");
    json_t *store = json_object_get (reply, "store");
    json_t *disk = json_object_get (reply, "disk");
    const char *status = json_string_value (json_object_get (reply, "status"));
    if (!reply)
        json_array_append_new (problems, json_sprintf ("no answer from %s within %d ms",
                                                       endpoint, ctl->timeout));
    else if (!status || !streq (status, "ok"))
        json_array_append_new (
            problems,
            json_sprintf ("seind refused: %s", json_string_value (json_object_get (
                                                   json_object_get (reply, "error"), "message"))));
    else {
        const char *recent[][2] = {{"storage_error", "a batch was not stored"},
                                   {"reply_dropped", "replies were dropped"}};
        for (size_t index = 0; index < 2; index++) {
            json_int_t age = json_integer_value (json_object_get (since, recent[index][0]));
            if (json_is_integer (json_object_get (since, recent[index][0])) && age >= 0 &&
                age < S_HEALTH_RECENT)
                json_array_append_new (problems, json_sprintf ("%s %llds ago", recent[index][1],
                                                               (long long) age));
        }
        const char *times[] = {"commit_ms", "fsync_ms"};
        for (size_t index = 0; index < 2; index++) {
            double ms = json_number_value (json_object_get (latency, times[index]));
            if (ms > S_HEALTH_LATENCY)
                json_array_append_new (problems, json_sprintf ("the last %.*s took %.0f ms",
                                                               index ? 5 : 6, times[index], ms));
        }
        json_int_t free_bytes = json_integer_value (json_object_get (disk, "free"));
        json_int_t size = json_integer_value (json_object_get (disk, "size"));
        if (size > 0 && free_bytes * 100 < size * S_HEALTH_DISK_FREE)
            json_array_append_new (problems,
                                   json_sprintf ("the store's disk is %lld%% full",
                                                 (long long) (100 - free_bytes * 100 / size)));
    }
    int code = !reply ? 2 : json_array_size (problems) ? 1 : 0;
    const char *verdict = code == 2 ? "down" : code ? "degraded" : "ok";
    json_object_set_new (health, "health", json_string (verdict));
    json_object_set_new (health, "problems", problems);
    if (status && streq (status, "ok")) {
        const char *copied[][2] = {{"version", NULL},        {"uptime", NULL},
                                   {"head", NULL},           {"commit_ms", "latency"},
                                   {"fsync_ms", "latency"},  {"watch_sessions", "counters"},
                                   {"replies_dropped", "counters"},
                                   {"storage_errors", "counters"}};
        for (size_t index = 0; index < sizeof copied / sizeof copied[0]; index++) {
            json_t *from = copied[index][1] ? json_object_get (reply, copied[index][1]) : reply;
            json_t *value = json_object_get (from, copied[index][0]);
            if (value)
                json_object_set (health, copied[index][0], value);
        }
        json_object_set_new (health, "store_bytes",
                             json_integer (json_integer_value (json_object_get (store, "db")) +
                                           json_integer_value (json_object_get (store, "wal"))));
        json_object_set (health, "disk_free", json_object_get (disk, "free"));
    }
    if (ctl->cli->json)
        sein_cli_print (ctl->cli, health, NULL);
    else {
        printf ("%-16s %s\n", "health", verdict);
        size_t index;
        json_t *problem;
        json_array_foreach (problems, index, problem)
            printf ("%-16s %s\n", "problem", json_string_value (problem));
        const char *keys[] = {"version",  "uptime",         "head",
                              "commit_ms", "fsync_ms",      "store_bytes",
                              "disk_free", "watch_sessions", "replies_dropped",
                              "storage_errors"};
        for (index = 0; code < 2 && index < sizeof keys / sizeof keys[0]; index++) {
            json_t *value = json_object_get (health, keys[index]);
            if (json_is_string (value))
                printf ("%-16s %s\n", keys[index], json_string_value (value));
            else if (json_is_real (value))
                printf ("%-16s %.3f\n", keys[index], json_real_value (value));
            else if (json_is_integer (value))
                printf ("%-16s %lld\n", keys[index], (long long) json_integer_value (value));
            else
                printf ("%-16s -\n", keys[index]);
        }
    }
    json_decref (health);
    json_decref (reply);
    return code;
}

//  backup FILE: a consistent copy of the store while seind runs (or not);
//  docs/OPERATIONS.md says how to restore it.
static int
s_cmd_backup (s_ctl_t *ctl, int argc, char **argv)
{
    (void) argc;
    char *path = sein_sprintf ("%s/%s", sein_config_str (ctl->cli->config, "storage.dir"),
                               sein_config_str (ctl->cli->config, "storage.file"));
    int64_t head = 0;
    char *error = NULL;
    int status = SEIN_EXIT_OK;
    if (sein_store_backup (path, argv[0], &head, &error)) {
        fprintf (stderr, "seinctl: backup: %s\n", error);
        status = access (argv[0], F_OK) == 0 ? SEIN_EXIT_DATAERR : SEIN_EXIT_IOERR;
    } else {
        struct stat file;
        json_int_t size = stat (argv[0], &file) == 0 ? (json_int_t) file.st_size : 0;
        json_t *made = json_pack ("{s:s,s:s,s:I,s:I}", "store", path, "backup", argv[0],
                                  "head", (json_int_t) head, "bytes", size);
        char *human = sein_sprintf ("%s: a copy of %s up to seq %lld, %lld bytes", argv[0],
                                    path, (long long) head, (long long) size);
        sein_cli_print (ctl->cli, made, human);
        zstr_free (&human);
        json_decref (made);
    }
    zstr_free (&error);
    zstr_free (&path);
    return status;
}

//  RELOAD: answered once seind has loaded the configuration afresh, with
//  the outcome; a refused reload exits 78, so that systemd's ExecReload
//  (and a script) sees it fail.
static int
s_cmd_reload (s_ctl_t *ctl, int argc, char **argv)
{
    (void) argc;
    (void) argv;
    int status = SEIN_EXIT_OK;
    json_t *reply = s_call (ctl, SEIN_RELOAD, NULL, &status);
    if (reply) {
        sein_cli_print (ctl->cli, reply, "configuration reloaded");
        json_decref (reply);
    }
    return status;
}

//  A signal for people: its workflow first, aligned, times local; then
//  what it said.
static void
s_show_signal (s_ctl_t *ctl, json_t *signal)
{
    if (ctl->cli->json) {
        sein_cli_print (ctl->cli, signal, NULL);
        return;
    }
    static const char *rows[][2] = {
        {"seq", NULL},           {"id", NULL},          {"status", NULL},
        {"received_at", "time"}, {"due_at", "time"},    {"overdue", NULL},
        {"area", NULL},          {"wijk", NULL},        {"theme", NULL},
        {"priority", NULL},      {"teams", NULL},       {"assigned_team", NULL},
        {"assignee", NULL},      {"reports", NULL},     {"related_to", NULL},
        {"acknowledged_at", "time"}, {"resolved_at", "time"}, {"closed_at", "time"},
        {"source", NULL},        {"channel", NULL},     {"external_id", NULL},
        {"address_string", NULL}, {"description", NULL}};
    for (size_t index = 0; index < sizeof rows / sizeof rows[0]; index++) {
        json_t *value = json_object_get (signal, rows[index][0]);
        if (!value)
            continue;
        char buffer[64];
        char *text = json_is_string (value)
                         ? sein_strdup (rows[index][1]
                                       ? s_local (json_string_value (value), buffer,
                                                  sizeof buffer)
                                       : json_string_value (value))
                     : json_is_object (value)
                         ? sein_sprintf ("#%lld %s",
                                         (long long) json_integer_value (
                                             json_object_get (value, "seq")),
                                         json_string_value (json_object_get (value, "id")))
                         : json_dumps (value, JSON_COMPACT | JSON_ENCODE_ANY);
        printf ("%-16s %s\n", rows[index][0], text);
        free (text);
    }
}

static int
s_cmd_get (s_ctl_t *ctl, int argc, char **argv)
{
    json_t *body;
    if (argc == 1 && !ctl->external_id) {
        long long seq = sein_cli_number (argv[0]);
        body = seq > 0 ? json_pack ("{s:I}", "seq", (json_int_t) seq)
                       : json_pack ("{s:s}", "id", argv[0]);
    } else if (argc == 0 && ctl->external_id)
        body = json_pack ("{s:s,s:s}", "external_id", ctl->external_id, "submitter",
                          ctl->submitter ? ctl->submitter : "anonymous");
    else
        return sein_cli_usage (ctl->cli, "get ID|SEQ, or get --external-id ID [--submitter S]");
    int status = SEIN_EXIT_OK;
    json_t *reply = s_call (ctl, SEIN_GET, body, &status);
    json_t *signal = json_object_get (reply, "signal");
    //  The details come from their own command, which seind logs; by
    //  seq, the signal GET found, whichever key named it.
    json_t *personal =
        signal && ctl->reporter
            ? s_call (ctl, "REPORTER",
                      json_pack ("{s:O}", "signal", json_object_get (signal, "seq")), &status)
            : NULL;
    if (signal && (personal || !ctl->reporter)) {
        if (personal)
            json_object_set (signal, "reporter", json_object_get (personal, "reporter"));
        s_show_signal (ctl, signal);
        json_t *reporter = json_object_get (signal, "reporter");
        static const char *fields[] = {"name", "email", "phone"};
        for (size_t index = 0; reporter && !ctl->cli->json && index < 3; index++) {
            json_t *value = json_object_get (reporter, fields[index]);
            printf ("reporter.%-7s %s\n", fields[index], value ? json_string_value (value) : "-");
        }
    }
    json_decref (personal);
    json_decref (reply);
    return status;
}

static int
s_cmd_erase (s_ctl_t *ctl, int argc, char **argv)
{
    (void) argc;
    if (!ctl->reporter)
        return sein_cli_usage (ctl->cli, "erase --reporter EMAIL|PHONE");
    int status = SEIN_EXIT_OK;
    json_t *reply = s_call (ctl, "ERASE", json_pack ("{s:s}", "reporter", argv[0]), &status);
    if (reply) {
        char *human = sein_sprintf (
            "erased from %lld signals",
            (long long) json_integer_value (json_object_get (reply, "signals")));
        sein_cli_print (ctl->cli, reply, human);
        zstr_free (&human);
        json_decref (reply);
    }
    return status;
}

//  One event about a signal, for people: what changed.
static char *
s_event_line (json_t *event)
{
    char when[64];
    const char *kind = json_string_value (json_object_get (event, "event"));
    const char *at = json_string_value (json_object_get (event, "at"));
    if (!at)
        at = json_string_value (json_object_get (event, "received_at"));
    char detail[512] = "";
    static const char *fields[] = {"from", "to",   "team",    "person", "note",
                                   "of",   "related", "reports", "due_at"};
    for (size_t index = 0; index < sizeof fields / sizeof fields[0]; index++) {
        json_t *value = json_object_get (event, fields[index]);
        if (!value)
            continue;
        //  A reference ({"id", "seq"}), or a reclassification's codes.
        char *text = json_is_object (value) && json_object_get (value, "theme")
                         ? sein_sprintf ("%s/%s",
                                         json_string_value (json_object_get (value, "area")),
                                         json_string_value (json_object_get (value, "theme")))
                     : json_is_object (value)
                         ? sein_sprintf ("#%lld", (long long) json_integer_value (
                                                      json_object_get (value, "seq")))
                     : json_is_string (value) ? sein_strdup (json_string_value (value))
                                              : json_dumps (value, JSON_ENCODE_ANY);
        snprintf (detail + strlen (detail), sizeof detail - strlen (detail), "%s%s=%s",
                  *detail ? "  " : "", fields[index], text);
        free (text);
    }
    if (streq (kind, "signal"))
        snprintf (detail, sizeof detail, "%s/%s %s",
                  json_string_value (json_object_get (event, "area")),
                  json_string_value (json_object_get (event, "theme")),
                  json_string_value (json_object_get (event, "priority")));
    const char *by = json_string_value (json_object_get (event, "by"));
    return sein_sprintf ("%8lld  %s  %-9s %-12s %s",
                         (long long) json_integer_value (json_object_get (event, "seq")),
                         s_local (at, when, sizeof when), kind, by ? by : "-", detail);
}

static int
s_cmd_history (s_ctl_t *ctl, int argc, char **argv)
{
    (void) argc;
    int status = SEIN_EXIT_OK;
    json_t *reply = s_call (ctl, SEIN_HISTORY, json_pack ("{s:o}", "signal", s_ref (argv[0])),
                            &status);
    if (reply) {
        if (!ctl->cli->json)
            printf ("%8s  %-19s  %-9s %-12s %s\n", "SEQ", "TIME", "EVENT", "BY", "DETAIL");
        size_t index;
        json_t *event;
        json_array_foreach (json_object_get (reply, "events"), index, event) {
            char *human = s_event_line (event);
            sein_cli_print (ctl->cli, event, human);
            zstr_free (&human);
        }
        json_decref (reply);
    }
    return status;
}

//  Send one change (STATUS, NOTE, ASSIGN, UNLINK, RECLASSIFY) with BODY (taken) and
//  print the event it stored. A refused change exits 65 (s_call).
static int
s_change (s_ctl_t *ctl, const char *command, json_t *body)
{
    //  Who: the declared client name until keys identify people (issue 12).
    json_object_set_new (body, "by",
                         json_string (sein_config_str (ctl->cli->config, "client.name")));
    int status = SEIN_EXIT_OK;
    json_t *reply = s_call (ctl, command, body, &status);
    if (reply) {
        json_object_del (reply, "status");
        char *line = s_event_line (reply);
        char *human = sein_sprintf ("signal #%lld: %s",
                                    (long long) json_integer_value (json_object_get (
                                        json_object_get (reply, "signal"), "seq")),
                                    line);
        sein_cli_print (ctl->cli, reply, human);
        zstr_free (&line);
        zstr_free (&human);
        json_decref (reply);
    }
    return status;
}

static int
s_cmd_set_status (s_ctl_t *ctl, int argc, char **argv)
{
    (void) argc;
    json_t *body = json_pack ("{s:o,s:s}", "signal", s_ref (argv[0]), "status", argv[1]);
    if (ctl->note)
        json_object_set_new (body, "note", json_string (ctl->note));
    if (ctl->to)
        json_object_set_new (body, "team", json_string (ctl->to));
    if (ctl->of)
        json_object_set_new (body, "of", s_ref (ctl->of));
    return s_change (ctl, SEIN_STATUS, body);
}

static int
s_cmd_note (s_ctl_t *ctl, int argc, char **argv)
{
    (void) argc;
    return s_change (ctl, SEIN_NOTE,
                     json_pack ("{s:o,s:s}", "signal", s_ref (argv[0]), "note", argv[1]));
}

static int
s_cmd_assign (s_ctl_t *ctl, int argc, char **argv)
{
    (void) argc;
    json_t *body = json_pack ("{s:o,s:s}", "signal", s_ref (argv[0]), "team", argv[1]);
    if (ctl->person)
        json_object_set_new (body, "person", json_string (ctl->person));
    if (ctl->note)
        json_object_set_new (body, "note", json_string (ctl->note));
    return s_change (ctl, SEIN_ASSIGN, body);
}

//  A staff correction: --theme and/or --area (the filter options' values).
static int
s_cmd_reclassify (s_ctl_t *ctl, int argc, char **argv)
{
    (void) argc;
    const char *area = ctl->filters[0], *theme = ctl->filters[1];
    if (!area && !theme)
        return sein_cli_usage (ctl->cli, "reclassify ID|SEQ: --theme T and/or --area A");
    json_t *body = json_pack ("{s:o}", "signal", s_ref (argv[0]));
    if (theme)
        json_object_set_new (body, "theme", json_string (theme));
    if (area)
        json_object_set_new (body, "area", json_string (area));
    if (ctl->note)
        json_object_set_new (body, "note", json_string (ctl->note));
    return s_change (ctl, SEIN_RECLASSIFY, body);
}

static int
s_cmd_unlink (s_ctl_t *ctl, int argc, char **argv)
{
    (void) argc;
    return s_change (ctl, SEIN_UNLINK, json_pack ("{s:o}", "signal", s_ref (argv[0])));
}

static int
s_cmd_events (s_ctl_t *ctl, int argc, char **argv)
{
    long long from = sein_cli_number (argv[0]);
    long long limit = argc > 1 ? sein_cli_number (argv[1]) : 100;
    if (from < 1 || limit < 1)
        return sein_cli_usage (ctl->cli, "events FROM [LIMIT]: positive numbers");
    int status = SEIN_EXIT_OK;
    json_t *reply = s_call (ctl, SEIN_EVENTS,
                            json_pack ("{s:I,s:I}", "from", (json_int_t) from, "limit",
                                       (json_int_t) limit),
                            &status);
    if (reply) {
        size_t index;
        json_t *event;
        json_array_foreach (json_object_get (reply, "events"), index, event) {
            char *human = sein_sprintf (
                "#%lld %s %s %s/%s %s %s",
                (long long) json_integer_value (json_object_get (event, "seq")),
                json_string_value (json_object_get (event, "received_at")),
                json_string_value (json_object_get (event, "event")),
                json_string_value (json_object_get (event, "area")),
                json_string_value (json_object_get (event, "theme")),
                json_string_value (json_object_get (event, "priority")),
                json_string_value (json_object_get (event, "id")));
            sein_cli_print (ctl->cli, event, human);
            zstr_free (&human);
        }
        json_decref (reply);
    }
    return status;
}

//  A time option as seind wants it: a date (YYYY-MM-DD) is the start of
//  that day here, in local time; anything else goes as it is (RFC 3339).
//  Writes into BUFFER.
static const char *
s_utc (const char *time, char *buffer, size_t size)
{
    struct tm tm = {0};
    const char *end = strptime (time, "%Y-%m-%d", &tm);
    if (!end || *end)
        return time;
    tm.tm_isdst = -1;
    time_t when = mktime (&tm);
    gmtime_r (&when, &tm);
    strftime (buffer, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buffer;
}

//  The body of a LIST (LIST true) or STATS from the filter options. Fresh.
static json_t *
s_filter_body (s_ctl_t *ctl, bool list)
{
    json_t *body = json_object ();
    for (size_t index = 0; index < S_NFILTERS; index++) {
        const char *value = ctl->filters[index];
        const char *name = s_filters[index];
        if (!value || (list && streq (name, "by")) || (!list && streq (name, "order")))
            continue;
        char buffer[64];
        if (streq (name, "from") || streq (name, "until"))
            value = s_utc (value, buffer, sizeof buffer);
        if (streq (name, "by")) {
            json_t *keys = json_array ();
            char *copy = sein_strdup (value);
            for (char *save = NULL, *key = strtok_r (copy, ",", &save); key;
                 key = strtok_r (NULL, ",", &save))
                json_array_append_new (keys, json_string (key));
            free (copy);
            json_object_set_new (body, "by", keys);
        } else
            json_object_set_new (body, name, json_string (value));
    }
    //  --team, keygen's repeatable option: a list or count takes one.
    if (ctl->nteams)
        json_object_set_new (body, "team", json_string (ctl->teams[0]));
    if (ctl->overdue)
        json_object_set_new (body, "overdue", json_true ());
    if (list && ctl->limit)
        json_object_set_new (body, "limit", json_integer (ctl->limit));
    if (!list && !json_object_get (body, "by"))
        json_object_set_new (body, "by", json_pack ("[sss]", "area", "theme", "week"));
    return body;
}

static int
s_cmd_list (s_ctl_t *ctl, int argc, char **argv)
{
    (void) argc;
    (void) argv;
    static const char *headers[] = {">seq", "received", "status", "area",   "theme",
                                    "priority", "due", "street", "description"};
    static const char *csv_headers[] = {"seq",      "id",   "received", "status", "area",
                                        "wijk",     "theme", "priority", "source", "due",
                                        "overdue",  "assigned_team", "street", "description"};
    sein_table_t *table = ctl->csv ? sein_table_new (csv_headers, 14)
                                   : sein_table_new (headers, 9);
    int status = SEIN_EXIT_OK;
    json_int_t after = ctl->after, shown = 0;
    json_t *next = NULL;
    do {
        json_t *body = s_filter_body (ctl, true);
        if (after)
            json_object_set_new (body, "after", json_integer (after));
        json_t *reply = s_call (ctl, SEIN_LIST, body, &status);
        if (!reply)
            break;
        size_t index;
        json_t *signal;
        json_array_foreach (json_object_get (reply, "signals"), index, signal) {
            shown++;
            if (ctl->cli->json && !ctl->csv) {
                sein_cli_print (ctl->cli, signal, NULL);
                continue;
            }
            char seq[24], received[32], due[32];
            snprintf (seq, sizeof seq, "%lld",
                      (long long) json_integer_value (json_object_get (signal, "seq")));
            s_local (json_string_value (json_object_get (signal, "received_at")), received,
                     sizeof received);
            const char *due_at = json_string_value (json_object_get (signal, "due_at"));
            if (due_at)
                s_local (due_at, due, sizeof due);
            const char *street = json_string_value (
                json_object_get (json_object_get (signal, "classification"), "street"));
#define S_FIELD(name) json_string_value (json_object_get (signal, name))
            if (ctl->csv) {
                const char *cells[] = {seq,
                                       S_FIELD ("id"),
                                       received,
                                       S_FIELD ("status"),
                                       S_FIELD ("area"),
                                       S_FIELD ("wijk"),
                                       S_FIELD ("theme"),
                                       S_FIELD ("priority"),
                                       S_FIELD ("source"),
                                       due_at ? due : NULL,
                                       json_is_true (json_object_get (signal, "overdue"))
                                           ? "yes"
                                           : "no",
                                       S_FIELD ("assigned_team"),
                                       street,
                                       S_FIELD ("description")};
                sein_table_add (table, cells);
            } else {
                //  Received to the minute: the seconds only widen the table.
                received[16] = 0;
                if (due_at)
                    due[16] = 0;
                const char *cells[] = {seq,
                                       received,
                                       S_FIELD ("status"),
                                       S_FIELD ("area"),
                                       S_FIELD ("theme"),
                                       S_FIELD ("priority"),
                                       due_at ? due : NULL,
                                       street,
                                       S_FIELD ("description")};
                sein_table_add (table, cells);
            }
#undef S_FIELD
        }
        json_decref (next);
        next = json_incref (json_object_get (reply, "next"));
        after = json_integer_value (next);
        json_decref (reply);
    } while (ctl->all && after);
    if (status == SEIN_EXIT_OK && !(ctl->cli->json && !ctl->csv)) {
        sein_table_print (table, stdout, ctl->csv);
        //  Where the next page starts, for people (not in a CSV file).
        if (after && !ctl->csv)
            fprintf (stderr, "seinctl: %lld shown; more with --after %lld (or --all)\n",
                     (long long) shown, (long long) after);
    }
    json_decref (next);
    sein_table_destroy (&table);
    return status;
}

//  SECONDS as people read a duration: "45m", "3h12m", "2d04h"; "-" for
//  null.
static const char *
s_duration (json_t *seconds, char *buffer, size_t size)
{
    if (!json_is_integer (seconds))
        return "-";
    long long value = json_integer_value (seconds);
    if (value < 3600)
        snprintf (buffer, size, "%lldm", (value + 30) / 60);
    else if (value < 86400)
        snprintf (buffer, size, "%lldh%02lldm", value / 3600, value % 3600 / 60);
    else
        snprintf (buffer, size, "%lldd%02lldh", value / 86400, value % 86400 / 3600);
    return buffer;
}

//  The figures of one STATS group (or the total) as table cells after
//  its keys; CSV keeps seconds and fractions, the table people's units.
static void
s_stats_cells (s_ctl_t *ctl, json_t *group, char cells[6][32])
{
    snprintf (cells[0], 32, "%lld", (long long) json_integer_value (json_object_get (group, "count")));
    snprintf (cells[1], 32, "%lld", (long long) json_integer_value (json_object_get (group, "open")));
    snprintf (cells[2], 32, "%lld", (long long) json_integer_value (json_object_get (group, "overdue")));
    double share = json_real_value (json_object_get (group, "share_overdue"));
    const char *names[] = {"acknowledge_median", "resolve_median"};
    if (ctl->csv) {
        snprintf (cells[3], 32, "%.4f", share);
        for (int index = 0; index < 2; index++) {
            json_t *value = json_object_get (group, names[index]);
            cells[4 + index][0] = 0;
            if (json_is_integer (value))
                snprintf (cells[4 + index], 32, "%lld", (long long) json_integer_value (value));
        }
    } else {
        snprintf (cells[3], 32, "%.0f%%", share * 100);
        for (int index = 0; index < 2; index++) {
            char buffer[32];
            snprintf (cells[4 + index], 32, "%s",
                      s_duration (json_object_get (group, names[index]), buffer, sizeof buffer));
        }
    }
}

static int
s_cmd_stats (s_ctl_t *ctl, int argc, char **argv)
{
    (void) argc;
    (void) argv;
    int status = SEIN_EXIT_OK;
    json_t *reply = s_call (ctl, SEIN_STATS, s_filter_body (ctl, false), &status);
    if (!reply)
        return status;
    if (ctl->cli->json && !ctl->csv) {
        //  One object per group, then the total and the streets.
        size_t index;
        json_t *group;
        json_array_foreach (json_object_get (reply, "groups"), index, group)
            sein_cli_print (ctl->cli, group, NULL);
        json_t *total = json_pack ("{s:O,s:O}", "total", json_object_get (reply, "total"),
                                   "streets", json_object_get (reply, "streets"));
        sein_cli_print (ctl->cli, total, NULL);
        json_decref (total);
        json_decref (reply);
        return status;
    }
    json_t *by = json_object_get (reply, "by");
    size_t nkeys = json_array_size (by);
    static const char *figures[] = {">signals", ">open", ">overdue", ">overdue %",
                                    ">acknowledged in", ">resolved in"};
    static const char *csv_figures[] = {"signals", "open", "overdue", "share_overdue",
                                        "acknowledge_median_s", "resolve_median_s"};
    const char *headers[16];
    for (size_t index = 0; index < nkeys && index < 8; index++)
        headers[index] = json_string_value (json_array_get (by, index));
    for (size_t index = 0; index < 6; index++)
        headers[nkeys + index] = ctl->csv ? csv_figures[index] : figures[index];
    sein_table_t *table = sein_table_new (headers, (int) nkeys + 6);
    json_t *groups = json_object_get (reply, "groups");
    size_t index;
    json_t *group;
    const char *cells[16];
    char figures_text[6][32];
    json_array_foreach (groups, index, group) {
        for (size_t key = 0; key < nkeys; key++)
            cells[key] = json_string_value (json_object_get (group, headers[key]));
        s_stats_cells (ctl, group, figures_text);
        for (size_t figure = 0; figure < 6; figure++)
            cells[nkeys + figure] = figures_text[figure];
        sein_table_add (table, cells);
    }
    //  The total closes the table.
    for (size_t key = 0; key < nkeys; key++)
        cells[key] = key ? "" : "total";
    s_stats_cells (ctl, json_object_get (reply, "total"), figures_text);
    for (size_t figure = 0; figure < 6; figure++)
        cells[nkeys + figure] = figures_text[figure];
    sein_table_add (table, cells);
    sein_table_print (table, stdout, ctl->csv);
    sein_table_destroy (&table);
    if (!ctl->csv) {
        static const char *street_headers[] = {"busiest streets", ">signals"};
        table = sein_table_new (street_headers, 2);
        json_t *street;
        json_array_foreach (json_object_get (reply, "streets"), index, street) {
            char count[24];
            snprintf (count, sizeof count, "%lld",
                      (long long) json_integer_value (json_object_get (street, "count")));
            const char *row[] = {json_string_value (json_object_get (street, "street")), count};
            sein_table_add (table, row);
        }
        putchar ('\n');
        sein_table_print (table, stdout, false);
        sein_table_destroy (&table);
    }
    json_decref (reply);
    return status;
}

//  Add the codes and names (the first two columns) of the TSV file at
//  PATH to NAMES. A file that cannot be read adds nothing: the report
//  then shows codes.
static void
s_names (json_t *names, const char *path)
{
    FILE *file = path ? fopen (path, "r") : NULL;
    char line[2048];
    while (file && fgets (line, sizeof line, file)) {
        char *tab = strchr (line, '\t');
        if (!tab || line[0] == '#')
            continue;
        *tab = 0;
        char *end = strpbrk (tab + 1, "\t\r\n");
        if (end)
            *end = 0;
        json_object_set_new (names, line, json_string (tab + 1));
    }
    if (file)
        fclose (file);
}

//  The groups of the grouping WHICH in STATS's "also", as a STATS reply
//  of its own ({"groups": [...]}, fresh) for the report's layout.
static json_t *
s_also (json_t *stats, size_t which)
{
    json_t *groups =
        json_object_get (json_array_get (json_object_get (stats, "also"), which), "groups");
    return json_pack ("{s:o}", "groups", groups ? json_incref (groups) : json_array ());
}

static int
s_cmd_report (s_ctl_t *ctl, int argc, char **argv)
{
    (void) argc;
    (void) argv;
    if (!ctl->filters[0] || !ctl->output)
        return sein_cli_usage (ctl->cli, "report --area CODE --output FILE [--from] [--until]");
    //  The period: by default the last twelve weeks, to now.
    char from[64], until[64], from_text[32], until_text[32];
    time_t now = time (NULL), start = now - 12 * 7 * 86400;
    struct tm tm;
    if (ctl->filters[5])
        snprintf (from, sizeof from, "%s", s_utc (ctl->filters[5], from_text, sizeof from_text));
    else {
        gmtime_r (&start, &tm);
        strftime (from, sizeof from, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    if (ctl->filters[6])
        snprintf (until, sizeof until, "%s", s_utc (ctl->filters[6], until_text, sizeof until_text));
    else {
        gmtime_r (&now, &tm);
        strftime (until, sizeof until, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    int status = SEIN_EXIT_OK;
    //  One STATS for the three groupings the page shows (by theme and
    //  week, with the streets and the map's points; by theme; by area):
    //  seind reads the period's signals once instead of three times.
    json_t *weekly = s_call (
        ctl, SEIN_STATS,
        json_pack ("{s:s,s:s,s:s,s:[ss],s:[[s][s]],s:i,s:i}", "area", ctl->filters[0], "from",
                   from, "until", until, "by", "theme", "week", "also", "theme", "area",
                   "streets", 10, "points", 5000),
        &status);
    json_t *themes = weekly ? s_also (weekly, 0) : NULL;
    json_t *areas = weekly ? s_also (weekly, 1) : NULL;
    //  The polygons and names, from seind's own data files.
    char *error = NULL;
    sein_config_t *config = areas ? sein_settings_load (ctl->cli->config_file, ctl->cli->overrides,
                                                        ctl->cli->noverrides, &error)
                                  : NULL;
    if (areas && !config) {
        fprintf (stderr, "seinctl: %s\n", error);
        status = SEIN_EXIT_CONFIG;
    }
    zstr_free (&error);
    FILE *out = NULL;
    if (config && !(out = fopen (ctl->output, "w"))) {
        fprintf (stderr, "seinctl: %s: %s\n", ctl->output, strerror (errno));
        status = SEIN_EXIT_IOERR;
    }
    if (out) {
        json_error_t problem;
        json_t *polygons = json_load_file (sein_config_str (config, "data.polygons"), 0, &problem);
        if (!polygons)
            fprintf (stderr, "seinctl: %s: %s: the report has no map\n",
                     sein_config_str (config, "data.polygons"), problem.text);
        json_t *names = json_object ();
        s_names (names, sein_config_str (config, "data.areas"));
        s_names (names, sein_config_str (config, "data.themes"));
        char shown_from[32], shown_until[32], generated[32];
        s_local (from, shown_from, sizeof shown_from);
        s_local (until, shown_until, sizeof shown_until);
        shown_from[16] = shown_until[16] = 0;
        localtime_r (&now, &tm);
        strftime (generated, sizeof generated, "%Y-%m-%d %H:%M", &tm);
        sein_report_t report = {ctl->filters[0], shown_from, shown_until, generated, weekly,
                                themes,          areas,      polygons,    names};
        if (sein_report_write (&report, out) || fclose (out)) {
            fprintf (stderr, "seinctl: %s: %s\n", ctl->output, strerror (errno));
            status = SEIN_EXIT_IOERR;
        }
        json_decref (polygons);
        json_decref (names);
    }
    sein_config_destroy (&config);
    json_decref (weekly);
    json_decref (themes);
    json_decref (areas);
    return status;
}

static int
s_cmd_teams (s_ctl_t *ctl, int argc, char **argv)
{
    (void) argc;
    (void) argv;
    int status = SEIN_EXIT_OK;
    json_t *reply = s_call (ctl, SEIN_STATS, NULL, &status);
    if (reply) {
        size_t index;
        json_t *team;
        json_array_foreach (json_object_get (reply, "teams"), index, team) {
            char *follows = json_dumps (json_object_get (team, "follows"), JSON_COMPACT);
            char *human = sein_sprintf ("%-28s %-14s %s",
                                        json_string_value (json_object_get (team, "name")),
                                        json_string_value (json_object_get (team, "kind")),
                                        follows);
            sein_cli_print (ctl->cli, team, human);
            zstr_free (&human);
            free (follows);
        }
        json_decref (reply);
    }
    return status;
}

//  One signal: a JSON object, or plain text taken as a staff description.
static int
s_classify_one (s_ctl_t *ctl, const char *input)
{
    json_t *signal = json_loads (input, 0, NULL);
    if (!json_is_object (signal)) {
        json_decref (signal);
        signal = json_pack ("{s:s,s:s}", "description", input, "source", "staff");
    }
    int status = SEIN_EXIT_OK;
    json_t *reply = s_call (ctl, SEIN_CLASSIFY, signal, &status);
    if (reply) {
        json_t *classification = json_object_get (reply, "classification");
        char *teams = json_dumps (json_object_get (reply, "teams"), JSON_COMPACT);
        char *human = sein_sprintf (
            "area %s (%s)  theme %s  priority %s  teams %s  rule %s\n    %s",
            json_string_value (json_object_get (reply, "area")),
            json_string_value (json_object_get (reply, "wijk")),
            json_string_value (json_object_get (reply, "theme")),
            json_string_value (json_object_get (reply, "priority")), teams,
            json_string_value (json_object_get (reply, "routing_rule")),
            json_string_value (json_object_get (classification, "explanation")));
        sein_cli_print (ctl->cli, reply, human);
        zstr_free (&human);
        free (teams);
        json_decref (reply);
    }
    return status;
}

static int
s_cmd_classify (s_ctl_t *ctl, int argc, char **argv)
{
    if (argc > 0)
        return s_classify_one (ctl, argv[0]);
    int status = SEIN_EXIT_OK;
    char *line = NULL;
    size_t capacity = 0;
    ssize_t length;
    while ((length = getline (&line, &capacity, stdin)) >= 0) {
        line[strcspn (line, "\r\n")] = 0;
        if (*line == 0)
            continue;
        int rc = s_classify_one (ctl, line);
        if (rc > status)
            status = rc;
        if (rc == SEIN_EXIT_UNAVAILABLE)
            break;
    }
    free (line);
    return status;
}

static int
s_cmd_config (s_ctl_t *ctl, int argc, char **argv)
{
    (void) argc;
    (void) argv;
    sein_config_print (ctl->cli->config, stdout);
    return SEIN_EXIT_OK;
}

//  The store named by storage.dir and storage.file, read on its own: it
//  works while seind runs, and while it refuses to start.
static int
s_cmd_check (s_ctl_t *ctl, int argc, char **argv)
{
    (void) argc;
    (void) argv;
    char *path = sein_sprintf ("%s/%s", sein_config_str (ctl->cli->config, "storage.dir"),
                               sein_config_str (ctl->cli->config, "storage.file"));
    char *report = NULL;
    int problems = sein_store_check (path, &report);
    fputs (report, problems ? stderr : stdout);
    free (report);
    zstr_free (&path);
    return problems ? SEIN_EXIT_DATAERR : SEIN_EXIT_OK;
}

//  seind's settings as this seinctl was told (-c, -o), with no theme
//  model: training must not lean on the model it replaces.
static sein_classifier_t *
s_rules_classifier (s_ctl_t *ctl, const char *model, char **error_p)
{
    const char *overrides[SEIN_CLI_MAX_OVERRIDES + 1];
    int count = 0;
    for (int index = 0; index < ctl->cli->noverrides; index++)
        overrides[count++] = ctl->cli->overrides[index];
    char *setting = sein_sprintf ("data.theme_model=%s", model);
    overrides[count++] = setting;
    sein_config_t *config =
        sein_settings_load (ctl->cli->config_file, overrides, count, error_p);
    sein_classifier_t *classifier = config ? sein_classifier_new (config, error_p) : NULL;
    sein_config_destroy (&config);
    free (setting);
    return classifier;
}

//  What a cross-validation counts.
typedef struct {
    s_ctl_t *ctl;
    const sein_corpus_t *corpus;
    size_t total, right, triage;
} s_folds_t;

static sein_classifier_t *
s_fold_loader (void *arg, const char *model, char **error_p)
{
    return s_rules_classifier (((s_folds_t *) arg)->ctl, model, error_p);
}

static void
s_fold_result (void *arg, size_t entry, const sein_signal_t *signal,
               const sein_classification_t *result)
{
    (void) signal;
    s_folds_t *folds = (s_folds_t *) arg;
    folds->total++;
    folds->right += streq (result->theme, sein_corpus_entry (folds->corpus, entry)->theme);
    folds->triage += streq (result->theme, SEIN_TRIAGE);
}

//  train --corpus FILE... [--from-store] --output MODEL [--folds K]: the
//  theme model from labelled signals (docs/CLASSIFICATION.md).
static int
s_cmd_train (s_ctl_t *ctl, int argc, char **argv)
{
    (void) argc;
    (void) argv;
    if (!ctl->output || (!ctl->ncorpus && !ctl->from_store))
        return sein_cli_usage (ctl->cli, "train --corpus FILE... [--from-store] --output "
                                         "MODEL [--folds K] [--bits N]");
    int bits = ctl->bits ? (int) ctl->bits : SEIN_MODEL_BITS;
    double C = SEIN_MODEL_C;
    int64_t start = zclock_usecs ();
    char *error = NULL;
    int status = SEIN_EXIT_OK;
    sein_corpus_t *corpus = sein_corpus_new ();
    sein_classifier_t *rules = s_rules_classifier (ctl, "", &error);
    if (!rules)
        status = SEIN_EXIT_CONFIG;
    for (int index = 0; !error && index < ctl->ncorpus; index++)
        if (sein_corpus_add_file (corpus, ctl->corpus[index], &error))
            status = SEIN_EXIT_DATAERR;
    int corrected = 0;
    if (!error && ctl->from_store) {
        sein_config_t *config = ctl->cli->config;
        char *path = sein_sprintf ("%s/%s", sein_config_str (config, "storage.dir"),
                                   sein_config_str (config, "storage.file"));
        corrected = sein_corpus_add_store (corpus, path, &error);
        if (corrected < 0)
            status = SEIN_EXIT_IOERR;
        free (path);
    }
    s_folds_t folds = {ctl, corpus, 0, 0, 0};
    if (!error && ctl->folds &&
        sein_corpus_cross_validate (corpus, rules, (int) ctl->folds, 100, bits, C,
                                    s_fold_loader,
                                    s_fold_result, &folds, &error))
        status = SEIN_EXIT_DATAERR;
    if (!error && ctl->folds && !ctl->cli->json)
        printf ("%lld-fold cross-validation: theme %.1f%% right (%zu/%zu), triage %.1f%%\n",
                ctl->folds, folds.total ? 100.0 * folds.right / folds.total : 0, folds.right,
                folds.total, folds.total ? 100.0 * folds.triage / folds.total : 0);
    sein_model_t *model =
        error ? NULL : sein_corpus_train (corpus, rules, NULL, bits, C, &error);
    if (!model && status == SEIN_EXIT_OK)
        status = SEIN_EXIT_DATAERR;
    if (model && sein_model_save (model, ctl->output, &error))
        status = SEIN_EXIT_IOERR;
    if (error)
        fprintf (stderr, "seinctl: %s\n", error);
    else {
        struct stat file;
        double seconds = (double) (zclock_usecs () - start) / 1e6;
        long long size = stat (ctl->output, &file) == 0 ? (long long) file.st_size : -1;
        json_t *made = json_pack (
            "{s:s,s:I,s:I,s:I,s:s,s:I,s:f}", "model", ctl->output, "signals",
            (json_int_t) sein_model_signals (model), "corrections", (json_int_t) corrected,
            "themes", (json_int_t) sein_model_nlabels (model), "corpus",
            sein_model_digest (model), "bytes", (json_int_t) size, "seconds", seconds);
        if (ctl->folds)
            json_object_set_new (made, "cross_validation",
                                 json_real (folds.total ? (double) folds.right / folds.total
                                                        : 0));
        char *human = sein_sprintf (
            "%s: %zu signals (%d corrections from the store), %zu themes, corpus %.12s, "
            "%lld bytes, trained in %.1f s",
            ctl->output, sein_model_signals (model), corrected, sein_model_nlabels (model),
            sein_model_digest (model), size, seconds);
        sein_cli_print (ctl->cli, made, human);
        free (human);
        json_decref (made);
    }
    free (error);
    sein_model_destroy (&model);
    sein_classifier_destroy (&rules);
    sein_corpus_destroy (&corpus);
    return status;
}

//  The roles a key may have (daemon/sein_auth.c's table says what each may
//  do; seind skips a certificate whose role it does not know).
static const char *s_roles[] = {"submitter", "watcher", "staff", "system",
                                "admin",     "server",  NULL};

//  keygen NAME --role ROLE [--team T ...]: a new certificate pair in
//  security.keys, its public half carrying name, role and teams. The
//  secret half is made 0600: seind and the clients refuse it otherwise.
static int
s_cmd_keygen (s_ctl_t *ctl, int argc, char **argv)
{
    (void) argc;
    const char *name = argv[0];
    size_t role = 0;
    while (ctl->role && s_roles[role] && !streq (s_roles[role], ctl->role))
        role++;
    if (!ctl->role || !s_roles[role])
        return sein_cli_usage (ctl->cli, "keygen needs --role submitter|watcher|staff|system|"
                                         "admin|server");
    if (!*name || strlen (name) > 64 || strspn (name, "abcdefghijklmnopqrstuvwxyz"
                                                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                      "0123456789-_.") != strlen (name) ||
        *name == '.')
        return sein_cli_usage (ctl->cli, "a key's name is 1-64 letters, digits, '-', '_', '.'");
    const char *dir = sein_config_str (ctl->cli->config, "security.keys");
    char *public = sein_sprintf ("%s/%s.key", dir, name);
    char *secret = sein_sprintf ("%s/%s.key_secret", dir, name);
    int status = SEIN_EXIT_OK;
    if (zsys_dir_create ("%s", dir) || chmod (dir, 0700)) {
        fprintf (stderr, "seinctl: cannot create %s: %s\n", dir, strerror (errno));
        status = SEIN_EXIT_IOERR;
    } else if (access (public, F_OK) == 0 || access (secret, F_OK) == 0) {
        fprintf (stderr, "seinctl: %s exists: delete %s and %s first to replace the key\n",
                 public, public, secret);
        status = SEIN_EXIT_DATAERR;
    } else {
        zcert_t *cert = zcert_new ();
        zcert_set_meta (cert, "name", "%s", name);
        zcert_set_meta (cert, "role", "%s", s_roles[role]);
        char teams[1024] = "";
        for (int index = 0; index < ctl->nteams; index++)
            snprintf (teams + strlen (teams), sizeof teams - strlen (teams), "%s%s",
                      index ? "," : "", ctl->teams[index]);
        if (*teams)
            zcert_set_meta (cert, "teams", "%s", teams);
        if (zcert_save (cert, public) || chmod (secret, 0600)) {
            fprintf (stderr, "seinctl: cannot write %s: %s\n", public, strerror (errno));
            status = SEIN_EXIT_IOERR;
        } else if (ctl->cli->json) {
            json_t *made = json_pack ("{s:s,s:s,s:s,s:s,s:s}", "name", name, "role",
                                      s_roles[role], "teams", teams, "file", public, "key",
                                      zcert_public_txt (cert));
            sein_cli_print (ctl->cli, made, NULL);
            json_decref (made);
        } else
            printf ("%s: %s (role %s%s%s); secret key in %s, mode 0600\n"
                    "seind admits it after a reload (SIGHUP)\n",
                    name, public, s_roles[role], *teams ? ", teams " : "", teams, secret);
        zcert_destroy (&cert);
    }
    zstr_free (&public);
    zstr_free (&secret);
    return status;
}

typedef int (s_command_fn) (s_ctl_t *ctl, int argc, char **argv);
static const struct {
    const char *name;
    int min_args, max_args;
    const char *operands;
    const char *help;
    s_command_fn *handler;
    bool local; //  needs no daemon
} s_commands[] = {
    {"ping", 0, 0, "", "is the daemon alive: version, head seq, counters", s_cmd_ping, false},
    {"health", 0, 0, "",
     "up, version, latencies, store size; exit 0 ok, 1 degraded, 2 down", s_cmd_health,
     false},
    {"metrics", 0, 0, "", "every counter in Prometheus text format (textfile collector)",
     s_cmd_metrics, false},
    {"stats", 0, 0, "",
     "counts, backlog, overdue share, median times by area x theme x week (--by, filters, "
     "--csv)",
     s_cmd_stats, false},
    {"list", 0, 0, "", "signals, newest first, by the filter options (--all, --csv)",
     s_cmd_list, false},
    {"report", 0, 0, "",
     "an HTML report of --area for --from/--until (default 12 weeks) to --output FILE",
     s_cmd_report, false},
    {"teams", 0, 0, "", "the configured teams and what they follow", s_cmd_teams, false},
    {"get", 0, 1, "ID|SEQ",
     "one signal by id or seq, or by --external-id (public fields; --reporter adds the "
     "reporter's)",
     s_cmd_get, false},
    {"history", 1, 1, "ID|SEQ", "every event about one signal", s_cmd_history, false},
    {"erase", 1, 1, "--reporter EMAIL|PHONE",
     "admin: remove a person's details everywhere (records that it happened)", s_cmd_erase,
     false},
    {"set-status", 2, 2, "ID|SEQ STATE",
     "change the status (--note, --to TEAM for referred, --of for duplicate)",
     s_cmd_set_status, false},
    {"note", 2, 2, "ID|SEQ TEXT", "add a note", s_cmd_note, false},
    {"assign", 2, 2, "ID|SEQ TEAM", "assign to a team (--person NAME, --note)", s_cmd_assign,
     false},
    {"unlink", 1, 1, "ID|SEQ", "undo the link of a nearby report", s_cmd_unlink, false},
    {"reclassify", 1, 1, "ID|SEQ",
     "correct the theme and/or area (--theme T, --area A, --note); re-routes it",
     s_cmd_reclassify, false},
    {"events", 1, 2, "FROM [LIMIT]", "stored events from seq FROM (at most 1000)",
     s_cmd_events, false},
    {"classify", 0, 1, "[TEXT|JSON]",
     "dry run: classify and route without storing (no operand: JSON lines on stdin)",
     s_cmd_classify, false},
    {"reload", 0, 0, "",
     "reload seind's configuration and data files; exit 78 when it refused (admin)",
     s_cmd_reload, false},
    {"config", 0, 0, "", "print the effective settings", s_cmd_config, true},
    {"keygen", 1, 1, "NAME", "make a key in security.keys: --role ROLE [--team T ...]",
     s_cmd_keygen, true},
    {"train", 0, 0, "",
     "the theme model: --corpus FILE... [--from-store] --output MODEL [--folds K]",
     s_cmd_train, true},
    {"check", 0, 0, "",
     "check the store's file (PRAGMA integrity_check, schema, marker); no daemon needed",
     s_cmd_check, true},
    {"backup", 1, 1, "FILE",
     "a consistent copy of the store into FILE, also while seind runs", s_cmd_backup, true},
};
#define S_NCOMMANDS (sizeof s_commands / sizeof s_commands[0])

int
main (int argc, char **argv)
{
    s_ctl_t ctl = {0};
    //  Room for twice the commands there are: strncat would cut the list.
    char synopsis[4096] = "[OPTIONS] COMMAND [ARGS]\n\nCommands:";
    for (size_t index = 0; index < S_NCOMMANDS; index++) {
        char line[256];
        char left[48];
        snprintf (left, sizeof left, "%s %s", s_commands[index].name,
                  s_commands[index].operands);
        snprintf (line, sizeof line, "\n  %-30s %s", left, s_commands[index].help);
        strncat (synopsis, line, sizeof synopsis - strlen (synopsis) - 1);
    }
    sein_cli_t cli = {.program = "seinctl",
                      .synopsis = synopsis,
                      .summary = "\nQuery and administer a running seind.",
                      .options = s_options,
                      .handler = s_option,
                      .arg = &ctl};
    int first = sein_cli_parse (&cli, argc, argv);
    if (first >= argc)
        sein_cli_usage_error (&cli, "which command? (ping, stats, get, classify, ...)");
    size_t index = 0;
    while (index < S_NCOMMANDS && !streq (s_commands[index].name, argv[first]))
        index++;
    if (index == S_NCOMMANDS)
        sein_cli_usage_error (&cli, "unknown command '%s'", argv[first]);
    int operands = argc - first - 1;
    if (operands < s_commands[index].min_args || operands > s_commands[index].max_args)
        sein_cli_usage_error (&cli, "usage: %s %s", s_commands[index].name,
                              s_commands[index].operands);
    zsys_handler_set (NULL);
    ctl.cli = &cli;
    ctl.timeout = (int) (ctl.option_timeout ? ctl.option_timeout
                                            : sein_config_int (cli.config, "client.timeout"));
    int status;
    if (s_commands[index].local)
        status = s_commands[index].handler (&ctl, operands, argv + first + 1);
    else {
        ctl.client = sein_client_new_secure (sein_config_str (cli.config, "endpoints.intake"),
                                             sein_cli_keys (&cli));
        if (!ctl.client) {
            fprintf (stderr, "seinctl: bad endpoint\n");
            status = SEIN_EXIT_CONFIG;
        } else
            status = s_commands[index].handler (&ctl, operands, argv + first + 1);
    }
    sein_client_destroy (&ctl.client);
    sein_cli_finish (&cli);
    return status;
}
