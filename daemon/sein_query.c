/*  sein_query.c - the query actor: GET, EVENTS and STATS on their own reader */
#include "sein_query.h"

#include "sein.h"
#include "sein_alloc.h"
#include "sein_store.h"

static const char *const s_no_fields[] = {NULL};
static const char *const s_get_fields[] = {"id", NULL};
static const char *const s_events_fields[] = {"from", "limit", NULL};

const sein_wire_command_t sein_query_commands[] = {
    {SEIN_GET, s_get_fields, false},
    {SEIN_EVENTS, s_events_fields, false},
    {SEIN_STATS, s_no_fields, false},
};
const size_t sein_query_ncommands = sizeof sein_query_commands / sizeof sein_query_commands[0];

typedef struct {
    zsock_t *pipe;
    sein_store_t *store;
    char *teams; //  JSON array of the configured teams, for STATS
    sein_buf_t buf;
} s_query_t;

void
sein_query_send (zactor_t *query, const sein_envelope_t *envelope, const char *command,
                 zmq_msg_t *body, int64_t head, int64_t events_max)
{
    void *handle = zsock_resolve (query);
    int64_t numbers[2] = {head, events_max};
    zmq_send (handle, "QUERY", 5, ZMQ_SNDMORE);
    zmq_send (handle, envelope, sizeof *envelope, ZMQ_SNDMORE);
    zmq_send (handle, command, strlen (command), ZMQ_SNDMORE);
    zmq_send (handle, numbers, sizeof numbers, ZMQ_SNDMORE);
    zmq_msg_send (body, handle, 0);
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

static int
s_get (s_query_t *self, json_t *body, json_t **reply_p, sein_error_t *error)
{
    json_t *value = sein_wire_field (body, "id");
    if (!value)
        return sein_error_set (error, "required", "id", "id (a string) is required");
    if (!json_is_string (value))
        return sein_error_set (error, "type", "id", "id must be a string");
    //  Personal data needs an authorised (CURVE) key; until that exists
    //  GET answers with the public record only.
    json_t *signal = sein_store_get (self->store, json_string_value (value), false);
    if (!signal)
        return sein_error_set (error, "not-found", "id", "no signal with this id");
    *reply_p = json_pack ("{s:s,s:o}", "status", "ok", "signal", signal);
    return 0;
}

typedef struct {
    json_t *events;
    int64_t head; //  the last on disk: later ones may not be yet
} s_collected_t;

static int
s_collect_event (const sein_event_t *event, void *arg)
{
    s_collected_t *collected = (s_collected_t *) arg;
    if (event->seq > collected->head)
        return 1;
    json_t *body = json_loadb (event->body, event->body_size, 0, NULL);
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
    s_collected_t collected = {json_array (), head};
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
s_stats (s_query_t *self, json_t **reply_p, sein_error_t *error)
{
    json_t *stats = sein_store_stats (self->store);
    if (!stats)
        return sein_error_set (error, "storage", NULL, "%s", sein_store_error (self->store));
    json_object_set_new (stats, "status", json_string ("ok"));
    json_t *teams = self->teams ? json_loads (self->teams, 0, NULL) : NULL;
    json_object_set_new (stats, "teams", teams ? teams : json_array ());
    *reply_p = stats;
    return 0;
}

static void
s_query (s_query_t *self, zmsg_t *msg)
{
    zframe_t *envelope = zmsg_first (msg), *command = zmsg_next (msg),
             *numbers = zmsg_next (msg), *text = zmsg_next (msg);
    //  Only the server writes here: anything else is a bug.
    assert (text && zframe_size (envelope) == sizeof (sein_envelope_t) &&
            zframe_size (numbers) == 2 * sizeof (int64_t));
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
                                         : s_stats (self, &reply, &error);
    sein_envelope_t *to = (sein_envelope_t *) zframe_data (envelope);
    if (rc)
        s_fail (self, to, name, &error);
    else
        s_answer (self, to, name, reply);
    json_decref (body);
    free (name);
}

void
sein_query_actor (zsock_t *pipe, void *db_path)
{
    s_query_t *self = (s_query_t *) sein_calloc (1, sizeof *self);
    self->pipe = pipe;
    char *error = NULL;
    self->store = sein_store_new_reader ((const char *) db_path, &error);
    zsock_signal (pipe, 0);
    if (error)
        zstr_sendf (pipe, "ERROR %s", error);
    else
        zstr_send (pipe, "OK");
    zstr_free (&error);
    zmsg_t *msg;
    while ((msg = zmsg_recv (pipe))) {
        char *command = zmsg_popstr (msg);
        bool term = !command || streq (command, "$TERM");
        if (!term && streq (command, "TEAMS")) {
            free (self->teams);
            self->teams = zmsg_popstr (msg);
        } else if (!term && streq (command, "QUERY"))
            s_query (self, msg);
        zstr_free (&command);
        zmsg_destroy (&msg);
        if (term)
            break;
    }
    sein_store_destroy (&self->store);
    sein_buf_free (&self->buf);
    free (self->teams);
    free (self);
}
