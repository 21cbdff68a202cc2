// SPDX-License-Identifier: MPL-2.0
/*  sein_query.c - the query actor: GET, EVENTS, STATS, HISTORY and LIST on their own reader

    Besides answering, the actor keeps the text index that LIST searches
    (sein_store_new_query): when no query waits it indexes the signals
    stored since its watermark, a few hundred per small transaction of the
    index's own file, so the server's commits never carry that work.
*/
#include "sein_query.h"

#include "sein.h"
#include "sein_alloc.h"
#include "sein_signal.h"
#include "sein_store.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

//  Signals the text index takes per transaction when idle: a few
//  milliseconds, so a query that arrives meanwhile waits little.
#define S_INDEX_CHUNK 500
//  How often an idle actor looks for new signals to index (ms).
#define S_INDEX_IDLE 200
//  How long one HOLD keeps the indexer waiting (ms): the server repeats it
//  while the log is long, so a server that stops committing (and so
//  never sees the log restart) cannot hold the index back for good.
#define S_HOLD_MS 250
//  LIST pages: the default and largest sizes.
#define S_LIST_DEFAULT 50
#define S_LIST_MAX 1000
//  STATS: the busiest streets shown by default, and most points asked.
#define S_STREETS_DEFAULT 10
#define S_POINTS_MAX 100000

static const char *const s_get_fields[] = {"id", "seq", "external_id", "submitter", NULL};
static const char *const s_events_fields[] = {"from", "limit", NULL};
static const char *const s_history_fields[] = {"signal", NULL};
//  The filters LIST and STATS share come first.
#define S_FILTER_FIELDS                                                               \
    "area", "theme", "status", "team", "source", "priority", "overdue", "from", "until", \
        "text"
static const char *const s_list_fields[] = {S_FILTER_FIELDS, "order", "after", "limit", NULL};
static const char *const s_stats_fields[] = {S_FILTER_FIELDS, "by",     "also",
                                             "streets",       "points", NULL};

const sein_wire_command_t sein_query_commands[] = {
    {SEIN_GET, s_get_fields, false},
    {SEIN_EVENTS, s_events_fields, false},
    {SEIN_STATS, s_stats_fields, false},
    {SEIN_HISTORY, s_history_fields, false},
    {SEIN_LIST, s_list_fields, false},
};
const size_t sein_query_ncommands = sizeof sein_query_commands / sizeof sein_query_commands[0];

typedef struct {
    zsock_t *pipe;
    sein_store_t *store;
    char *teams; //  JSON array of the configured teams, for STATS
    sein_buf_t buf;
    const sein_principal_t *principal; //  who asked the query being answered
} s_query_t;

//  The team scope of the query being answered, for a store filter: the
//  asker's teams, or NULL when it sees every signal.
static const char *
s_scope (s_query_t *self)
{
    if (self->principal->rights & SEIN_RIGHT_ALL_TEAMS)
        return NULL;
    return *self->principal->teams ? self->principal->teams : ",";
}

//  SIGNAL (as GET shows it) without its external_id when the asker is
//  outside the teams of the key that submitted it (docs/SECURITY.md).
static void
s_hide (s_query_t *self, json_t *signal)
{
    if (!s_scope (self) || !json_object_get (signal, "external_id"))
        return;
    char *owners =
        sein_store_owners (self->store, json_integer_value (json_object_get (signal, "seq")));
    if (owners && *owners && !sein_auth_sees (self->principal, owners))
        json_object_del (signal, "external_id");
    free (owners);
}

//  0 when the asker may see the signal SEQ; else -1 with ERROR set
//  (`forbidden`, FIELD naming the signal).
static int
s_in_scope (s_query_t *self, int64_t seq, const char *field, sein_error_t *error)
{
    if (!s_scope (self))
        return 0;
    sein_store_row_t row;
    bool sees = sein_store_find_signal (self->store, NULL, seq, &row) == 1 &&
                sein_auth_scope (self->principal, row.teams, row.assigned_team);
    sein_store_release (self->store); //  or this reader's snapshot stays
    return sees ? 0 : sein_auth_out_of_scope (self->principal, field, error);
}

void
sein_query_send (zactor_t *query, const sein_envelope_t *envelope,
                 const sein_principal_t *principal, const char *command, zmq_msg_t *body,
                 int64_t head, int64_t events_max)
{
    void *handle = zsock_resolve (query);
    int64_t numbers[2] = {head, events_max};
    zmq_send (handle, "QUERY", 5, ZMQ_SNDMORE);
    zmq_send (handle, envelope, sizeof *envelope, ZMQ_SNDMORE);
    zmq_send (handle, principal, sizeof *principal, ZMQ_SNDMORE);
    zmq_send (handle, command, strlen (command), ZMQ_SNDMORE);
    zmq_send (handle, numbers, sizeof numbers, ZMQ_SNDMORE);
    zmq_msg_send (body, handle, 0);
}

void
sein_query_hold (zactor_t *query, bool hold)
{
    zstr_send (query, hold ? "HOLD" : "GO");
}

int
sein_query_recv (zactor_t *query, void *intake)
{
    void *handle = zsock_resolve (query);
    //  Three frames, written by s_answer_text: envelope, command, body.
    sein_envelope_t envelope;
    char command[32];
    zmq_recv (handle, &envelope, sizeof envelope, 0);
    int size = zmq_recv (handle, command, sizeof command - 1, 0);
    command[size > 0 ? size : 0] = 0;
    zmq_msg_t body;
    zmq_msg_init (&body);
    zmq_msg_recv (&body, handle, 0);
    //  The body goes out as it came, without a copy.
    int rc = sein_wire_send_msg (intake, &envelope, command, &body);
    if (rc)
        zmq_msg_close (&body);
    return rc;
}

static void
s_free (void *data, void *hint)
{
    (void) hint;
    free (data);
}

//  Send TEXT (a fresh string, taken) back as the answer to ENVELOPE.
static void
s_answer_text (s_query_t *self, const sein_envelope_t *envelope, const char *command,
               char *text, size_t size)
{
    void *handle = zsock_resolve (self->pipe);
    zmq_msg_t body;
    zmq_msg_init_data (&body, text, size, s_free, NULL);
    zmq_send (handle, envelope, sizeof *envelope, ZMQ_SNDMORE);
    zmq_send (handle, command, strlen (command), ZMQ_SNDMORE);
    zmq_msg_send (&body, handle, 0);
}

static void
s_answer (s_query_t *self, const sein_envelope_t *envelope, const char *command,
          json_t *reply)
{
    char *text = json_dumps (reply, JSON_COMPACT);
    json_decref (reply);
    s_answer_text (self, envelope, command, text, strlen (text));
}

static void
s_fail (s_query_t *self, const sein_envelope_t *envelope, const char *command,
        sein_error_t *error)
{
    sein_wire_render_error (&self->buf, NULL, error);
    s_answer_text (self, envelope, command, sein_strndup (self->buf.data, self->buf.size),
                   self->buf.size);
}

//  Check that VALUE of FIELD is an integer >= MIN and <= MAX (MAX 0: no
//  bound). Returns 0, or -1 with ERROR set.
static int
s_integer (json_t *value, const char *field, int64_t min, int64_t max, sein_error_t *error)
{
    if (!json_is_integer (value))
        return sein_error_set (error, "type", field, "%s must be an integer", field);
    json_int_t number = json_integer_value (value);
    if (number < min || (max && number > max))
        return max ? sein_error_set (error, "value", field, "%s must be %lld..%lld", field,
                                     (long long) min, (long long) max)
                   : sein_error_set (error, "value", field, "%s must be %lld or more",
                                     field, (long long) min);
    return 0;
}

//  An optional string field; 0, or -1 with ERROR set.
static int
s_string (json_t *body, const char *field, const char **value_p, sein_error_t *error)
{
    json_t *value = sein_wire_field (body, field);
    *value_p = NULL;
    if (!value)
        return 0;
    if (!json_is_string (value))
        return sein_error_set (error, "type", field, "%s must be a string", field);
    *value_p = json_string_value (value);
    return 0;
}

static int
s_get (s_query_t *self, json_t *body, json_t **reply_p, sein_error_t *error)
{
    //  One of three keys: the id, the seq, or the submitter's own
    //  external_id (with its submitter, default anonymous, as SUBMIT).
    const char *id, *external_id, *submitter;
    json_t *seq = sein_wire_field (body, "seq");
    if (s_string (body, "id", &id, error) || s_string (body, "external_id", &external_id, error) ||
        s_string (body, "submitter", &submitter, error) ||
        (seq && s_integer (seq, "seq", 1, 0, error)))
        return -1;
    int keys = (id != NULL) + (seq != NULL) + (external_id != NULL);
    if (keys != 1)
        return sein_error_set (error, keys ? "value" : "required", keys ? NULL : "id",
                               "give one of id, seq, or external_id (with submitter)");
    if (submitter && !external_id)
        return sein_error_set (error, "value", "submitter",
                               "submitter goes with external_id");
    //  Never personal data: that is REPORTER's, which logs each read
    //  (sein_privacy.h).
    json_t *signal = sein_store_get_by (self->store, id, seq ? json_integer_value (seq) : 0,
                                        submitter ? submitter : "anonymous", external_id,
                                        false);
    if (!signal)
        return sein_error_set (error, "not-found", id ? "id" : seq ? "seq" : "external_id",
                               "no such signal");
    if (s_in_scope (self, json_integer_value (json_object_get (signal, "seq")),
                    id ? "id" : seq ? "seq" : "external_id", error)) {
        json_decref (signal);
        return -1;
    }
    s_hide (self, signal);
    *reply_p = json_pack ("{s:s,s:o}", "status", "ok", "signal", signal);
    return 0;
}

typedef struct {
    json_t *events;
    int64_t head; //  the last on disk: later ones may not be yet
    const sein_principal_t *scope; //  only events routed to its teams; NULL: all
    const sein_principal_t *viewer; //  whose external_ids it may see
} s_collected_t;

static int
s_collect_event (const sein_event_t *event, void *arg)
{
    s_collected_t *collected = (s_collected_t *) arg;
    if (event->seq > collected->head)
        return 1;
    if (collected->scope && !sein_auth_sees (collected->scope, event->teams))
        return 0;
    json_t *body = json_loadb (event->body, event->body_size, 0, NULL);
    if (body && event->owners && *event->owners &&
        !sein_auth_sees (collected->viewer, event->owners))
        json_object_del (body, "external_id");
    if (body)
        json_array_append_new (collected->events, body);
    return 0;
}

static int
s_events (s_query_t *self, json_t *body, int64_t head, int64_t events_max, json_t **reply_p,
          sein_error_t *error)
{
    json_t *from = sein_wire_field (body, "from"), *limit = sein_wire_field (body, "limit");
    if (!from)
        return sein_error_set (error, "required", "from", "from (a seq >= 1) is required");
    if (s_integer (from, "from", 1, 0, error) ||
        (limit && s_integer (limit, "limit", 1, events_max, error)))
        return -1;
    //  Staff see the events of their teams' signals, as their watch
    //  sessions do: by the teams each event was routed to.
    s_collected_t collected = {json_array (), head, s_scope (self) ? self->principal : NULL,
                               self->principal};
    int count = limit ? (int) json_integer_value (limit) : (int) events_max;
    if (sein_store_events (self->store, json_integer_value (from), count, s_collect_event,
                           &collected) < 0) {
        json_decref (collected.events);
        return sein_error_set (error, "storage", NULL, "%s", sein_store_error (self->store));
    }
    *reply_p = json_pack ("{s:s,s:I,s:o}", "status", "ok", "head", (json_int_t) head,
                          "events", collected.events);
    return 0;
}

static int
s_history (s_query_t *self, json_t *body, int64_t head, json_t **reply_p, sein_error_t *error)
{
    json_t *value = sein_wire_field (body, "signal");
    if (!value)
        return sein_error_set (error, "required", "signal",
                               "signal (a signal's id or seq) is required");
    if (!json_is_string (value) && !json_is_integer (value))
        return sein_error_set (error, "type", "signal",
                               "signal must be a signal's id (string) or seq (integer)");
    if (json_is_integer (value) && s_integer (value, "signal", 1, 0, error))
        return -1;
    //  A copy (sein_store_get_by), so that no statement keeps this
    //  reader's snapshot open after the reply.
    json_t *found = sein_store_get_by (self->store, json_string_value (value),
                                       json_is_integer (value) ? json_integer_value (value) : 0,
                                       NULL, NULL, false);
    json_int_t seq = json_integer_value (json_object_get (found, "seq"));
    //  Not yet on disk counts as not there, as for EVENTS.
    if (!found || seq > head) {
        json_decref (found);
        return sein_error_set (error, "not-found", "signal", "no such signal");
    }
    json_t *signal = json_pack ("{s:O,s:I}", "id", json_object_get (found, "id"), "seq", seq);
    json_decref (found);
    if (s_in_scope (self, seq, "signal", error)) {
        json_decref (signal);
        return -1;
    }
    s_collected_t collected = {json_array (), head, NULL, self->principal};
    if (sein_store_history (self->store, seq, head, s_collect_event, &collected) < 0) {
        json_decref (signal);
        json_decref (collected.events);
        return sein_error_set (error, "storage", NULL, "%s", sein_store_error (self->store));
    }
    *reply_p = json_pack ("{s:s,s:o,s:o}", "status", "ok", "signal", signal, "events",
                          collected.events);
    return 0;
}

//  A time filter: an RFC 3339 date-time, or a date (its start, UTC), into
//  UTC as the store writes it. 0, or -1 with ERROR set.
static int
s_time (json_t *body, const char *field, char utc[SEIN_TIME_MAX], const char **value_p,
        sein_error_t *error)
{
    const char *text;
    if (s_string (body, field, &text, error))
        return -1;
    *value_p = NULL;
    if (!text)
        return 0;
    char full[64];
    if (strlen (text) == 10) {
        snprintf (full, sizeof full, "%sT00:00:00Z", text);
        text = full;
    }
    if (sein_rfc3339_utc (text, utc))
        return sein_error_set (error, "value", field,
                               "%s must be an RFC 3339 date-time or a date (YYYY-MM-DD)",
                               field);
    *value_p = utc;
    return 0;
}

//  The filters LIST and STATS share, from BODY (which keeps the strings).
//  0, or -1 with ERROR set.
static int
s_filter (s_query_t *self, json_t *body, sein_store_filter_t *filter, char from[SEIN_TIME_MAX],
          char until[SEIN_TIME_MAX], sein_error_t *error)
{
    memset (filter, 0, sizeof *filter);
    filter->overdue = -1;
    const char *status;
    json_t *overdue = sein_wire_field (body, "overdue");
    if (s_string (body, "area", &filter->area, error) ||
        s_string (body, "theme", &filter->theme, error) ||
        s_string (body, "status", &status, error) ||
        s_string (body, "team", &filter->team, error) ||
        s_string (body, "source", &filter->source, error) ||
        s_string (body, "priority", &filter->priority, error))
        return -1;
    if (overdue && !json_is_boolean (overdue))
        return sein_error_set (error, "type", "overdue", "overdue must be true or false");
    if (overdue)
        filter->overdue = json_is_true (overdue);
    if (s_time (body, "from", from, &filter->from, error) ||
        s_time (body, "until", until, &filter->until, error) ||
        s_string (body, "text", &filter->text, error))
        return -1;
    static const char *states[] = {"open",     "finished", "new",       "acknowledged",
                                   "in_progress", "referred", "reopened", "resolved",
                                   "closed",   "duplicate", "rejected"};
    if (status) {
        size_t index = 0;
        while (index < sizeof states / sizeof states[0] && !streq (status, states[index]))
            index++;
        if (index == sizeof states / sizeof states[0])
            return sein_error_set (error, "value", "status",
                                   "status must be a state, open or finished");
        filter->status = status;
    }
    //  A team name longer than any configured one matches nothing; refuse
    //  it rather than build a pattern around it.
    if (filter->team && strlen (filter->team) > SEIN_TOKEN_MAX)
        return sein_error_set (error, "too-long", "team", "team is at most %d bytes",
                               SEIN_TOKEN_MAX);
    if (filter->text && !*filter->text)
        return sein_error_set (error, "empty", "text", "text must not be empty");
    filter->scope = s_scope (self);
    return 0;
}

//  A text filter that FTS5 could not read is the request's fault, not the
//  store's.
static int
s_store_failed (s_query_t *self, const sein_store_filter_t *filter, sein_error_t *error)
{
    const char *message = sein_store_error (self->store);
    size_t prefix = strlen (SEIN_STORE_SEARCH);
    if (filter->text && strncmp (message, SEIN_STORE_SEARCH, prefix) == 0)
        return sein_error_set (error, "value", "text", "text is not a valid search: %s",
                               message + prefix);
    return sein_error_set (error, "storage", NULL, "%s", message);
}

typedef struct {
    s_query_t *self;
    json_t *signals;
} s_listed_t;

static int
s_collect_signal (json_t *signal, void *arg)
{
    s_listed_t *listed = (s_listed_t *) arg;
    s_hide (listed->self, signal);
    json_array_append (listed->signals, signal);
    return 0;
}

static int
s_list (s_query_t *self, json_t *body, int64_t head, json_t **reply_p, sein_error_t *error)
{
    sein_store_filter_t filter;
    char from[SEIN_TIME_MAX], until[SEIN_TIME_MAX];
    const char *order;
    json_t *after = sein_wire_field (body, "after"), *limit = sein_wire_field (body, "limit");
    if (s_filter (self, body, &filter, from, until, error) ||
        s_string (body, "order", &order, error) ||
        (after && s_integer (after, "after", 1, 0, error)) ||
        (limit && s_integer (limit, "limit", 1, S_LIST_MAX, error)))
        return -1;
    if (order && !streq (order, "newest") && !streq (order, "seq"))
        return sein_error_set (error, "value", "order", "order must be newest or seq");
    bool ascending = order && streq (order, "seq");
    int count = limit ? (int) json_integer_value (limit) : S_LIST_DEFAULT;
    //  Nothing past the last seq on disk, as for EVENTS.
    filter.upto = head > 0 ? head : -1;
    json_t *signals = json_array ();
    s_listed_t listed = {self, signals};
    int visited = head > 0 ? sein_store_list (self->store, &filter, ascending,
                                              after ? json_integer_value (after) : 0,
                                              count, s_collect_signal, &listed)
                           : 0;
    if (visited < 0) {
        json_decref (signals);
        return s_store_failed (self, &filter, error);
    }
    //  A full page may have a next one: its cursor is the last seq shown.
    json_t *next = visited == count
                       ? json_incref (json_object_get (json_array_get (signals, visited - 1),
                                                       "seq"))
                       : json_null ();
    *reply_p = json_pack ("{s:s,s:I,s:I,s:o,s:o}", "status", "ok", "head", (json_int_t) head,
                          "indexed_upto", (json_int_t) sein_store_text_upto (self->store),
                          "next", next, "signals", signals);
    return 0;
}

//  The grouping keys in VALUE (a list, the request's FIELD) into KEYS,
//  NULL-terminated. 0, or -1 with ERROR set.
static int
s_by (json_t *value, const char *field, const char *keys[8], sein_error_t *error)
{
    if (!json_is_array (value) || json_array_size (value) > 7)
        return sein_error_set (error, "type", field,
                               "%s must be a list of at most 7 grouping keys", field);
    size_t index;
    json_t *key;
    json_array_foreach (value, index, key) {
        if (!json_is_string (key) || !sein_store_group_key (json_string_value (key)))
            return sein_error_set (error, "value", field,
                                   "%s takes area, wijk, theme, priority, source, week, month",
                                   field);
        keys[index] = json_string_value (key);
    }
    keys[json_array_size (value)] = NULL;
    return 0;
}

static int
s_stats (s_query_t *self, json_t *body, int64_t head, json_t **reply_p, sein_error_t *error)
{
    //  The plain body {} answers as it always did: counts over the store.
    if (json_object_size (body) == 0 && !s_scope (self)) {
        json_t *stats = sein_store_stats (self->store);
        if (!stats)
            return sein_error_set (error, "storage", NULL, "%s", sein_store_error (self->store));
        json_object_set_new (stats, "status", json_string ("ok"));
        json_t *teams = self->teams ? json_loads (self->teams, 0, NULL) : NULL;
        json_object_set_new (stats, "teams", teams ? teams : json_array ());
        *reply_p = stats;
        return 0;
    }
    sein_store_filter_t filter;
    char from[SEIN_TIME_MAX], until[SEIN_TIME_MAX];
    json_t *by = sein_wire_field (body, "by"), *also = sein_wire_field (body, "also"),
           *streets = sein_wire_field (body, "streets"), *points = sein_wire_field (body, "points");
    if (s_filter (self, body, &filter, from, until, error) ||
        (streets && s_integer (streets, "streets", 0, 1000, error)) ||
        (points && s_integer (points, "points", 0, S_POINTS_MAX, error)))
        return -1;
    //  The groupings: BY (or the default), then each of ALSO's, worked
    //  out in one pass over the signals.
    const char *keys[SEIN_STORE_GROUPINGS_MAX][8] = {{"area", "theme", "week", NULL}};
    const char *const *groupings[SEIN_STORE_GROUPINGS_MAX + 1] = {keys[0], NULL};
    if (by && s_by (by, "by", keys[0], error))
        return -1;
    if (also) {
        if (!json_is_array (also) || json_array_size (also) > SEIN_STORE_GROUPINGS_MAX - 1)
            return sein_error_set (error, "type", "also",
                                   "also must be a list of at most %d lists of grouping keys",
                                   SEIN_STORE_GROUPINGS_MAX - 1);
        size_t index;
        json_t *more;
        json_array_foreach (also, index, more) {
            if (s_by (more, "also", keys[index + 1], error))
                return -1;
            groupings[index + 1] = keys[index + 1];
        }
        groupings[json_array_size (also) + 1] = NULL;
    }
    filter.upto = head > 0 ? head : -1;
    json_t *stats = sein_store_analyses (
        self->store, &filter, groupings,
        streets ? (int) json_integer_value (streets) : S_STREETS_DEFAULT,
        points ? (int) json_integer_value (points) : 0);
    if (!stats)
        return s_store_failed (self, &filter, error);
    json_t *grouping = json_array ();
    for (int index = 0; keys[0][index]; index++)
        json_array_append_new (grouping, json_string (keys[0][index]));
    json_object_set_new (stats, "by", grouping);
    json_object_set_new (stats, "head", json_integer (head));
    json_object_set_new (stats, "indexed_upto",
                         json_integer (sein_store_text_upto (self->store)));
    json_object_set_new (stats, "status", json_string ("ok"));
    *reply_p = stats;
    return 0;
}

static void
s_query (s_query_t *self, zmsg_t *msg)
{
    zframe_t *envelope = zmsg_first (msg), *principal = zmsg_next (msg),
             *command = zmsg_next (msg), *numbers = zmsg_next (msg), *text = zmsg_next (msg);
    //  Only the server writes here: anything else is a bug.
    assert (text && zframe_size (envelope) == sizeof (sein_envelope_t) &&
            zframe_size (principal) == sizeof (sein_principal_t) &&
            zframe_size (numbers) == 2 * sizeof (int64_t));
    sein_principal_t asker;
    memcpy (&asker, zframe_data (principal), sizeof asker);
    self->principal = &asker;
    int64_t values[2];
    memcpy (values, zframe_data (numbers), sizeof values);
    char *name = zframe_strdup (command);
    //  The wire reader parsed and checked this body already.
    json_t *body = json_loadb ((const char *) zframe_data (text), zframe_size (text), 0, NULL);
    json_t *reply = NULL;
    sein_error_t error;
    int rc = !body ? sein_error_set (&error, "json", NULL, "body must be a JSON object")
             : streq (name, SEIN_GET)    ? s_get (self, body, &reply, &error)
             : streq (name, SEIN_EVENTS) ? s_events (self, body, values[0], values[1], &reply,
                                                     &error)
             : streq (name, SEIN_HISTORY) ? s_history (self, body, values[0], &reply, &error)
             : streq (name, SEIN_LIST)    ? s_list (self, body, values[0], &reply, &error)
                                         : s_stats (self, body, values[0], &reply, &error);
    sein_envelope_t *to = (sein_envelope_t *) zframe_data (envelope);
    if (rc)
        s_fail (self, to, name, &error);
    else
        s_answer (self, to, name, reply);
    json_decref (body);
    free (name);
}

void
sein_query_background (void)
{
    //  Linux gives each thread its own nice value: 10 leaves the CPU to
    //  the server's thread whenever both want it, on a machine with
    //  fewer cores than busy threads. A failure only keeps the default.
    if (setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), 10))
        zsys_debug ("queries run at the default priority: %s", strerror (errno));
}

void
sein_query_actor (zsock_t *pipe, void *db_path)
{
    sein_query_background ();
    s_query_t *self = (s_query_t *) sein_calloc (1, sizeof *self);
    self->pipe = pipe;
    char *error = NULL;
    //  The text index lives beside the store, in a file of its own.
    char *text_path = sein_sprintf ("%s.text", (const char *) db_path);
    self->store = sein_store_new_query ((const char *) db_path, text_path, &error);
    zstr_free (&text_path);
    zsock_signal (pipe, 0);
    if (error)
        zstr_sendf (pipe, "ERROR %s", error);
    else
        zstr_send (pipe, "OK");
    zstr_free (&error);
    zpoller_t *poller = zpoller_new (pipe, NULL);
    //  Only $TERM ends the actor: seind drains its queries on a signal.
    zpoller_set_nonstop (poller, true);
    bool behind = self->store != NULL; //  the index may have signals to catch up on
    int64_t held_until = 0;            //  zclock_mono () when a HOLD lapses
    while (true) {
        int64_t held = held_until - zclock_mono ();
        zsock_t *which = (zsock_t *) zpoller_wait (
            poller, held > 0 ? (int) held : behind ? 0 : S_INDEX_IDLE);
        if (!which && held_until - zclock_mono () > 0)
            continue;
        if (!which) {
            //  Idle: index what is new. A failure (a full disk) is retried
            //  on the next idle round; LIST reports the watermark meanwhile.
            int added = self->store ? sein_store_index_text (self->store, S_INDEX_CHUNK) : 0;
            behind = added == S_INDEX_CHUNK;
            continue;
        }
        zmsg_t *msg = zmsg_recv (pipe);
        if (!msg)
            break;
        char *command = zmsg_popstr (msg);
        bool term = !command || streq (command, "$TERM");
        if (!term && (streq (command, "HOLD") || streq (command, "GO"))) {
            held_until = streq (command, "HOLD") ? zclock_mono () + S_HOLD_MS : 0;
            zstr_free (&command);
            zmsg_destroy (&msg);
            continue;
        }
        if (!term && streq (command, "TEAMS")) {
            free (self->teams);
            self->teams = zmsg_popstr (msg);
        } else if (!term && streq (command, "QUERY"))
            s_query (self, msg);
        zstr_free (&command);
        zmsg_destroy (&msg);
        if (term)
            break;
        behind = self->store != NULL;
    }
    zpoller_destroy (&poller);
    sein_store_destroy (&self->store);
    sein_buf_free (&self->buf);
    free (self->teams);
    free (self);
}
