/*  sein_server.c - intake: validate, classify, route, store, ack, publish

    The actor reads every request that is already waiting on the intake
    socket (up to limits.batch_max), answers the ones that need no storage
    at once, and stores the valid submissions of that round in one
    transaction: group commit. Only after the commit returned do the
    submitters get `accepted`, and only then are the events published, on
    the broadcast PUB and on the internal feed to the watch actor. So an ack
    always means "on disk", and nothing is ever published that could still
    be rolled back.

    Requests on the intake socket (ROUTER) look like
        [routing id] [empty, from REQ clients] "SEIN/1" command corr body
    and every reply repeats the envelope, the command and the correlation
    id, so DEALER clients can pipeline and REQ clients need nothing special.
*/
#include "sein_server.h"

#include "sein.h"
#include "sein_log.h"
#include "sein_setup.h"
#include "sein_signal.h"
#include "sein_store.h"
#include "sein_version.h"
#include "sein_watch.h"

#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#define S_CORR_MAX 255

//  One request of the current batch.
typedef struct {
    zframe_t *routing;
    bool delimiter;
    zframe_t *corr;
    sein_signal_t signal;
    sein_classification_t classification;
    const char *submitter;
    char received_at[32];
    json_t *event;   //  the public event object (fresh, or parsed from the store)
    char *body;      //  event serialised, for new signals
    size_t body_size;
    bool duplicate;
    int original;    //  index in the batch of the first with this key, or -1
    sein_store_signal_t record;
} s_pending_t;

typedef struct {
    zsock_t *pipe;
    zloop_t *loop;
    zsock_t *intake;
    zsock_t *publish;
    zsock_t *feed;
    zactor_t *watch;
    sein_setup_t *setup;
    sein_store_t *store;
    sein_signal_limits_t limits;
    size_t batch_max;
    s_pending_t *pending;
    size_t npending;
    zhashx_t *keys; //  "submitter\x1fexternal_id" -> batch index + 1
    uint64_t random[2];
    time_t started;
    struct {
        uint64_t accepted, duplicates, rejected, batches, largest, storage_errors;
    } counters;
    char *error; //  startup failure, reported to the caller
} s_server_t;

//  ---------------------------------------------------------------------
//  Small helpers

static void
s_now_rfc3339 (char *buffer, size_t size)
{
    struct timespec now;
    clock_gettime (CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r (&now.tv_sec, &tm);
    size_t len = strftime (buffer, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf (buffer + len, size - len, ".%03ldZ", now.tv_nsec / 1000000);
}

//  xorshift128+: ids need to be unique, not secret; seeded from getrandom.
static uint64_t
s_random (s_server_t *self)
{
    uint64_t x = self->random[0];
    const uint64_t y = self->random[1];
    self->random[0] = y;
    x ^= x << 23;
    self->random[1] = x ^ y ^ (x >> 17) ^ (y >> 26);
    return self->random[1] + y;
}

//  A UUIDv7 (RFC 9562): millisecond time first, so ids sort by arrival
//  and the id index grows at its end instead of being written randomly.
static void
s_new_id (s_server_t *self, char id[37])
{
    struct timespec now;
    clock_gettime (CLOCK_REALTIME, &now);
    uint64_t ms = (uint64_t) now.tv_sec * 1000 + (uint64_t) now.tv_nsec / 1000000;
    uint64_t a = s_random (self), b = s_random (self);
    snprintf (id, 37, "%08x-%04x-7%03x-%04x-%012llx", (unsigned) (ms >> 16),
              (unsigned) (ms & 0xffff), (unsigned) (a & 0xfff),
              (unsigned) (0x8000 | ((a >> 12) & 0x3fff)),
              (unsigned long long) (b & 0xffffffffffffULL));
}

static json_t *
s_error_json (const char *external_id, const sein_error_t *error)
{
    json_t *reply = json_pack ("{s:s,s:{s:s,s:s?,s:s}}", "status", "rejected", "error",
                               "code", error->code, "field", error->field, "message",
                               error->message);
    if (reply && !error->field)
        json_object_set_new (json_object_get (reply, "error"), "field", json_null ());
    if (reply && external_id)
        json_object_set_new (reply, "external_id", json_string (external_id));
    return reply;
}

//  Send one reply; REPLY is stolen. A vanished client is not an error.
static void
s_reply (s_server_t *self, zframe_t *routing, bool delimiter, const char *command,
         zframe_t *corr, json_t *reply)
{
    char *text = reply ? json_dumps (reply, JSON_COMPACT) : NULL;
    json_decref (reply);
    zmsg_t *msg = zmsg_new ();
    zmsg_addmem (msg, zframe_data (routing), zframe_size (routing));
    if (delimiter)
        zmsg_addmem (msg, "", 0);
    zmsg_addstr (msg, SEIN_PROTOCOL);
    zmsg_addstr (msg, command);
    if (corr)
        zmsg_addmem (msg, zframe_data (corr), zframe_size (corr));
    else
        zmsg_addmem (msg, "", 0);
    zmsg_addstr (msg, text ? text : "{\"status\":\"error\"}");
    free (text);
    if (zmsg_send (&msg, self->intake))
        sein_debug ("reply dropped: client gone or not reading (%s)",
                    zmq_strerror (zmq_errno ()));
    zmsg_destroy (&msg);
}

static void
s_reject (s_server_t *self, zframe_t *routing, bool delimiter, const char *command,
          zframe_t *corr, const char *external_id, const sein_error_t *error)
{
    self->counters.rejected++;
    sein_debug ("rejected %s: %s (%s)", command, error->code, error->message);
    s_reply (self, routing, delimiter, command, corr, s_error_json (external_id, error));
}

//  ---------------------------------------------------------------------
//  Building the event and the ack

//  Validate against reference data, classify and route P's signal; build
//  its public event object (without seq/id, added when stored).
static int
s_prepare (s_server_t *self, s_pending_t *pending, sein_error_t *error)
{
    sein_signal_t *signal = &pending->signal;
    sein_classifier_t *classifier = self->setup->classifier;
    if (signal->area && !sein_classifier_known_area (classifier, signal->area))
        return sein_error_set (error, "unknown-area", "area", "unknown area '%s'",
                               signal->area);
    if (signal->theme && !sein_classifier_known_theme (classifier, signal->theme))
        return sein_error_set (error, "unknown-theme", "theme", "unknown theme '%s'",
                               signal->theme);
    sein_classification_t *result = &pending->classification;
    if (sein_classifier_classify (classifier, signal, result))
        return sein_error_set (error, "internal", NULL, "out of memory");
    sein_route_input_t input = {result->area,     result->wijk,   result->theme,
                                result->priority, signal->source, signal->channel};
    sein_route_t route;
    sein_router_route (self->setup->router, &input, &route);
    s_now_rfc3339 (pending->received_at, sizeof pending->received_at);
    pending->submitter = signal->submitter ? signal->submitter : "anonymous";

    //  seq and id first, for people reading the JSON; filled when stored.
    json_t *event = json_object ();
    json_object_set_new (event, "seq", json_null ());
    json_object_set_new (event, "id", json_null ());
    json_object_set_new (event, "event", json_string ("signal"));
    json_object_set_new (event, "received_at", json_string (pending->received_at));
    json_object_set_new (event, "source", json_string (signal->source));
    if (signal->channel)
        json_object_set_new (event, "channel", json_string (signal->channel));
    json_object_set_new (event, "description", json_string (signal->description));
    if (signal->address_string)
        json_object_set_new (event, "address_string",
                             json_string (signal->address_string));
    if (result->has_point) {
        json_object_set_new (event, "lat", json_real (result->lat));
        json_object_set_new (event, "long", json_real (result->lon));
    }
    if (signal->occurred_at)
        json_object_set_new (event, "occurred_at", json_string (signal->occurred_at));
    json_object_set_new (event, "area", json_string (result->area));
    json_object_set_new (event, "wijk", json_string (result->wijk));
    json_object_set_new (event, "theme", json_string (result->theme));
    json_object_set_new (event, "priority", json_string (result->priority));
    json_object_set_new (event, "status", json_string ("new"));
    json_object_set_new (event, "teams", sein_router_team_list (route.teams));
    json_object_set_new (event, "routing_rule", json_string (route.rule));
    json_object_set (event, "classification", result->detail);
    if (signal->attributes)
        json_object_set (event, "attributes", signal->attributes);
    pending->event = event;

    sein_store_signal_t *record = &pending->record;
    record->submitter = pending->submitter;
    record->external_id = signal->external_id;
    record->received_at = pending->received_at;
    record->source = signal->source;
    record->channel = signal->channel;
    record->description = signal->description;
    record->address_string = signal->address_string;
    record->occurred_at = signal->occurred_at;
    record->has_point = result->has_point;
    record->lat = result->lat;
    record->lon = result->lon;
    record->reporter_name = signal->reporter_name;
    record->reporter_email = signal->reporter_email;
    record->reporter_phone = signal->reporter_phone;
    record->status = "new";
    //  The route's team string is reused by the router; keep a copy.
    record->event = (sein_event_t){.kind = "signal",
                                   .at = pending->received_at,
                                   .area = result->area,
                                   .wijk = result->wijk,
                                   .theme = result->theme,
                                   .priority = result->priority,
                                   .source = signal->source,
                                   .teams = strdup (route.teams)};
    return record->event.teams ? 0 : sein_error_set (error, "internal", NULL,
                                                     "out of memory");
}

//  The ack (or dry-run answer) for an event object.
static json_t *
s_ack (json_t *event, const char *status, const char *external_id, bool duplicate)
{
    static const char *fields[] = {"id",    "seq",      "received_at", "area",
                                   "wijk",  "theme",    "priority",    "teams",
                                   "routing_rule", "classification", NULL};
    json_t *ack = json_object ();
    json_object_set_new (ack, "status", json_string (status));
    for (const char **field = fields; *field; field++) {
        json_t *value = json_object_get (event, *field);
        if (value)
            json_object_set (ack, *field, value);
    }
    if (external_id)
        json_object_set_new (ack, "external_id", json_string (external_id));
    if (streq (status, "accepted"))
        json_object_set_new (ack, "duplicate", json_boolean (duplicate));
    return ack;
}

static void
s_pending_clear (s_pending_t *pending)
{
    zframe_destroy (&pending->routing);
    zframe_destroy (&pending->corr);
    sein_signal_clear (&pending->signal);
    sein_classification_clear (&pending->classification);
    json_decref (pending->event);
    free (pending->body);
    free ((char *) pending->record.event.teams);
    memset (pending, 0, sizeof *pending);
}

//  ---------------------------------------------------------------------
//  Group commit

static void
s_publish (s_server_t *self, s_pending_t *pending)
{
    const sein_event_t *event = &pending->record.event;
    //  Broadcast: topic signal/<wijk>/<theme>/<area>/ so a SUB prefix picks
    //  a wijk with its zones, or a wijk and a theme.
    char topic[4 * SEIN_CODE_MAX + 16];
    snprintf (topic, sizeof topic, "%s/%s/%s/%s/", event->kind, event->wijk, event->theme,
              event->area);
    zmsg_t *msg = zmsg_new ();
    zmsg_addstr (msg, topic);
    zmsg_addmem (msg, pending->body, pending->body_size);
    zmsg_send (&msg, self->publish);

    msg = zmsg_new ();
    int64_t seq = event->seq;
    zmsg_addmem (msg, &seq, sizeof seq);
    const char *fields[] = {event->kind,     event->at,     event->area,
                            event->wijk,     event->theme,  event->priority,
                            event->source,   event->teams};
    for (size_t index = 0; index < sizeof fields / sizeof fields[0]; index++)
        zmsg_addstr (msg, fields[index]);
    zmsg_addmem (msg, pending->body, pending->body_size);
    zmsg_send (&msg, self->feed);
}

//  Store, in one transaction, every new signal of the batch; then ack all
//  and publish the new ones. Returns 0 when the batch was stored.
static int
s_store_batch (s_server_t *self)
{
    if (sein_store_begin (self->store))
        return -1;
    for (size_t index = 0; index < self->npending; index++) {
        s_pending_t *pending = &self->pending[index];
        pending->original = -1;
        const char *external_id = pending->signal.external_id;
        if (external_id) {
            char *key = zsys_sprintf ("%s\x1f%s", pending->submitter, external_id);
            size_t earlier = (size_t) zhashx_lookup (self->keys, key);
            if (earlier)
                pending->original = (int) earlier - 1;
            else
                zhashx_insert (self->keys, key, (void *) (index + 1));
            zstr_free (&key);
            if (pending->original >= 0)
                continue;
            int64_t seq;
            char *body = NULL;
            int found = sein_store_find_key (self->store, pending->submitter, external_id,
                                             &seq, &body);
            if (found < 0)
                goto failed;
            if (found) {
                json_decref (pending->event);
                pending->event = json_loads (body, 0, NULL);
                free (body);
                pending->duplicate = true;
                if (!pending->event)
                    goto failed;
                continue;
            }
        }
        char id[37];
        s_new_id (self, id);
        json_object_set_new (pending->event, "id", json_string (id));
        json_object_set_new (pending->event, "seq",
                             json_integer (sein_store_next_seq (self->store)));
        pending->body = json_dumps (pending->event, JSON_COMPACT);
        if (!pending->body)
            goto failed;
        pending->body_size = strlen (pending->body);
        pending->record.id = id;
        pending->record.event.body = pending->body;
        pending->record.event.body_size = pending->body_size;
        if (sein_store_add_signal (self->store, &pending->record))
            goto failed;
        pending->record.id = NULL; //  id lives on in the event object
    }
    zhashx_purge (self->keys);
    return sein_store_commit (self->store);
failed:
    zhashx_purge (self->keys);
    sein_store_rollback (self->store);
    return -1;
}

static void
s_flush (s_server_t *self)
{
    if (self->npending == 0)
        return;
    bool stored = s_store_batch (self) == 0;
    if (!stored) {
        self->counters.storage_errors++;
        zsys_error ("storage: batch of %zu not stored: %s", self->npending,
                    sein_store_error (self->store));
    }
    self->counters.batches++;
    if (self->npending > self->counters.largest)
        self->counters.largest = self->npending;
    for (size_t index = 0; index < self->npending; index++) {
        s_pending_t *pending = &self->pending[index];
        const char *external_id = pending->signal.external_id;
        if (!stored) {
            sein_error_t error;
            sein_error_set (&error, "storage", NULL,
                            "not stored, try again later: %s",
                            sein_store_error (self->store));
            s_reject (self, pending->routing, pending->delimiter, SEIN_SUBMIT,
                      pending->corr, external_id, &error);
            continue;
        }
        bool duplicate = pending->duplicate || pending->original >= 0;
        json_t *event = pending->original >= 0 ? self->pending[pending->original].event
                                               : pending->event;
        if (duplicate)
            self->counters.duplicates++;
        else
            self->counters.accepted++;
        s_reply (self, pending->routing, pending->delimiter, SEIN_SUBMIT, pending->corr,
                 s_ack (event, "accepted", external_id, duplicate));
    }
    for (size_t index = 0; stored && index < self->npending; index++) {
        s_pending_t *pending = &self->pending[index];
        if (pending->body)
            s_publish (self, pending);
    }
    for (size_t index = 0; index < self->npending; index++)
        s_pending_clear (&self->pending[index]);
    self->npending = 0;
}

//  ---------------------------------------------------------------------
//  Commands

typedef struct {
    zframe_t *routing;
    bool delimiter;
    const char *command;
    zframe_t *corr;
    zframe_t *body;
} s_request_t;

static void
s_answer (s_server_t *self, s_request_t *request, json_t *reply)
{
    s_reply (self, request->routing, request->delimiter, request->command, request->corr,
             reply);
}

static void
s_fail (s_server_t *self, s_request_t *request, const char *code, const char *field,
        const char *message)
{
    sein_error_t error;
    sein_error_set (&error, code, field, "%s", message);
    s_reject (self, request->routing, request->delimiter, request->command,
              request->corr, NULL, &error);
}

//  SUBMIT and CLASSIFY share everything up to storage.
static void
s_cmd_submit (s_server_t *self, s_request_t *request)
{
    bool dry_run = streq (request->command, SEIN_CLASSIFY);
    s_pending_t *pending = &self->pending[self->npending];
    sein_error_t error;
    if (sein_signal_parse (&pending->signal, (const char *) zframe_data (request->body),
                           zframe_size (request->body), &self->limits, &error) ||
        s_prepare (self, pending, &error)) {
        //  Echo the external id when the body was readable enough to have one.
        json_t *json = json_loadb ((const char *) zframe_data (request->body),
                                   zframe_size (request->body), 0, NULL);
        json_t *external_id = json_object_get (json, "external_id");
        s_reject (self, request->routing, request->delimiter, request->command,
                  request->corr, json_is_string (external_id)
                                     ? json_string_value (external_id) : NULL,
                  &error);
        json_decref (json);
        s_pending_clear (pending);
        return;
    }
    if (dry_run) {
        json_object_del (pending->event, "seq");
        json_object_del (pending->event, "id");
        s_answer (self, request,
                  s_ack (pending->event, "classified", pending->signal.external_id, false));
        s_pending_clear (pending);
        return;
    }
    pending->routing = request->routing;
    pending->delimiter = request->delimiter;
    pending->corr = request->corr;
    request->routing = request->corr = NULL; //  the batch owns them now
    self->npending++;
}

static void
s_cmd_ping (s_server_t *self, s_request_t *request)
{
    s_answer (self, request,
              json_pack ("{s:s,s:s,s:s,s:I,s:I,s:{s:I,s:I,s:I,s:I,s:I,s:I}}", "status",
                         "ok", "server", "seind", "version", SEIN_VERSION, "head",
                         (json_int_t) sein_store_head (self->store), "uptime",
                         (json_int_t) (time (NULL) - self->started), "counters",
                         "accepted", (json_int_t) self->counters.accepted, "duplicates",
                         (json_int_t) self->counters.duplicates, "rejected",
                         (json_int_t) self->counters.rejected, "batches",
                         (json_int_t) self->counters.batches, "largest_batch",
                         (json_int_t) self->counters.largest, "storage_errors",
                         (json_int_t) self->counters.storage_errors));
}

static json_t *
s_request_json (s_server_t *self, s_request_t *request)
{
    json_t *json = json_loadb ((const char *) zframe_data (request->body),
                               zframe_size (request->body), JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object (json)) {
        json_decref (json);
        s_fail (self, request, "json", NULL, "body must be a JSON object");
        return NULL;
    }
    return json;
}

static void
s_cmd_get (s_server_t *self, s_request_t *request)
{
    json_t *json = s_request_json (self, request);
    if (!json)
        return;
    const char *id = json_string_value (json_object_get (json, "id"));
    if (!id)
        s_fail (self, request, "required", "id", "id (a string) is required");
    else {
        //  Personal data needs an authorised key (docs/SECURITY.md); until
        //  then GET answers with the public record only.
        json_t *signal = sein_store_get (self->store, id, false);
        if (signal)
            s_answer (self, request, json_pack ("{s:s,s:o}", "status", "ok", "signal",
                                                signal));
        else
            s_fail (self, request, "not-found", "id", "no signal with this id");
    }
    json_decref (json);
}

static int
s_collect_event (const sein_event_t *event, void *arg)
{
    json_t *body = json_loadb (event->body, event->body_size, 0, NULL);
    if (body)
        json_array_append_new ((json_t *) arg, body);
    return 0;
}

static void
s_cmd_events (s_server_t *self, s_request_t *request)
{
    json_t *json = s_request_json (self, request);
    if (!json)
        return;
    json_t *from = json_object_get (json, "from"), *limit = json_object_get (json, "limit");
    if (!json_is_integer (from) || json_integer_value (from) < 1)
        s_fail (self, request, "type", "from", "from must be a seq (integer >= 1)");
    else if (limit && (!json_is_integer (limit) || json_integer_value (limit) < 1))
        s_fail (self, request, "type", "limit", "limit must be a positive integer");
    else {
        //  Bounded so one request cannot stall intake for long.
        int count = limit && json_integer_value (limit) < 1000
                        ? (int) json_integer_value (limit) : 1000;
        json_t *events = json_array ();
        if (sein_store_events (self->store, json_integer_value (from), count,
                               s_collect_event, events) < 0) {
            json_decref (events);
            s_fail (self, request, "storage", NULL, sein_store_error (self->store));
        } else
            s_answer (self, request,
                      json_pack ("{s:s,s:I,s:o}", "status", "ok", "head",
                                 (json_int_t) sein_store_head (self->store), "events",
                                 events));
    }
    json_decref (json);
}

static void
s_cmd_stats (s_server_t *self, s_request_t *request)
{
    json_t *stats = sein_store_stats (self->store);
    if (!stats)
        s_fail (self, request, "storage", NULL, sein_store_error (self->store));
    else {
        json_object_set_new (stats, "status", json_string ("ok"));
        json_object_set_new (stats, "teams", sein_router_teams (self->setup->router));
        s_answer (self, request, stats);
    }
}

typedef void (s_command_fn) (s_server_t *self, s_request_t *request);
static const struct {
    const char *name;
    s_command_fn *handler;
} s_commands[] = {
    {SEIN_SUBMIT, s_cmd_submit}, {SEIN_CLASSIFY, s_cmd_submit},
    {SEIN_PING, s_cmd_ping},     {SEIN_GET, s_cmd_get},
    {SEIN_EVENTS, s_cmd_events}, {SEIN_STATS, s_cmd_stats},
};

//  Read the envelope and dispatch. Never trusts the frame layout.
static void
s_handle (s_server_t *self, zmsg_t *msg)
{
    s_request_t request = {.command = SEIN_ERROR};
    request.routing = zmsg_pop (msg);
    zframe_t *frame = zmsg_first (msg);
    if (frame && zframe_size (frame) == 0) {
        request.delimiter = true;
        zframe_t *empty = zmsg_pop (msg);
        zframe_destroy (&empty);
    }
    zframe_t *protocol = zmsg_pop (msg);
    zframe_t *command = zmsg_pop (msg);
    request.corr = zmsg_pop (msg);
    request.body = zmsg_pop (msg);
    char message[128];
    if (!request.routing)
        ; //  cannot answer anyone
    else if (!request.body || zmsg_size (msg) > 0) {
        snprintf (message, sizeof message,
                  "expected 4 frames: \"%s\", command, correlation id, JSON body",
                  SEIN_PROTOCOL);
        if (request.corr && zframe_size (request.corr) > S_CORR_MAX)
            zframe_destroy (&request.corr);
        s_fail (self, &request, "frames", NULL, message);
    } else if (!zframe_streq (protocol, SEIN_PROTOCOL)) {
        //  zframe data is not terminated: print a safe copy instead.
        char *seen = zframe_strdup (protocol);
        snprintf (message, sizeof message,
                  "unsupported protocol '%.32s'; this server speaks %s", seen,
                  SEIN_PROTOCOL);
        zstr_free (&seen);
        s_fail (self, &request, "version", NULL, message);
    } else if (zframe_size (request.corr) > S_CORR_MAX) {
        zframe_destroy (&request.corr);
        s_fail (self, &request, "frames", NULL, "correlation id longer than 255 bytes");
    } else {
        size_t index = 0;
        size_t count = sizeof s_commands / sizeof s_commands[0];
        while (index < count && !zframe_streq (command, s_commands[index].name))
            index++;
        if (index == count) {
            char *seen = zframe_strdup (command);
            snprintf (message, sizeof message, "unknown command '%.32s'", seen);
            zstr_free (&seen);
            s_fail (self, &request, "command", NULL, message);
        } else {
            request.command = s_commands[index].name;
            s_commands[index].handler (self, &request);
        }
    }
    zframe_destroy (&request.routing);
    zframe_destroy (&protocol);
    zframe_destroy (&command);
    zframe_destroy (&request.corr);
    zframe_destroy (&request.body);
}

static int
s_intake_ready (zloop_t *loop, zsock_t *intake, void *arg)
{
    (void) loop;
    s_server_t *self = (s_server_t *) arg;
    //  Take everything already queued, up to a batch: these arrived
    //  together and will share one commit.
    while (self->npending < self->batch_max) {
        zmsg_t *msg = zmsg_recv (intake); //  rcvtimeo is 0
        if (!msg)
            break;
        s_handle (self, msg);
        zmsg_destroy (&msg);
    }
    s_flush (self);
    return 0;
}

//  ---------------------------------------------------------------------
//  Configuration, startup and the pipe

static void
s_apply_settings (s_server_t *self)
{
    sein_config_t *config = self->setup->config;
    self->limits.description_max = (size_t) sein_config_int (config, "limits.description_max");
    self->limits.message_max = (size_t) sein_config_int (config, "limits.message_max");
    size_t batch_max = (size_t) sein_config_int (config, "limits.batch_max");
    if (batch_max > self->batch_max) {
        self->pending = (s_pending_t *) realloc (self->pending, batch_max * sizeof (s_pending_t));
        assert (self->pending);
        memset (self->pending + self->batch_max, 0,
                (batch_max - self->batch_max) * sizeof (s_pending_t));
    }
    self->batch_max = batch_max;
    sein_log_set_level (sein_config_str (config, "daemon.log_level"));
    if (self->watch)
        zsock_send (self->watch, "s8888", "SETTINGS",
                    (uint64_t) sein_config_int (config, "watch.credit_max"),
                    (uint64_t) sein_config_int (config, "watch.heartbeat"),
                    (uint64_t) sein_config_int (config, "watch.timeout"),
                    (uint64_t) sein_config_int (config, "watch.sessions_max"));
}

static zsock_t *
s_bind (s_server_t *self, int type, const char *endpoint, int hwm)
{
    zsock_t *socket = zsock_new (type);
    if (!socket)
        return NULL;
    zsock_set_sndhwm (socket, hwm);
    zsock_set_rcvhwm (socket, hwm);
    if (type == ZMQ_ROUTER) {
        zsock_set_router_mandatory (socket, 1);
        zsock_set_sndtimeo (socket, 0);
        zsock_set_rcvtimeo (socket, 0);
        //  czmq's default linger is 0: acks still queued at shutdown would be
        //  dropped. Give them two seconds to get out.
        zsock_set_linger (socket, 2000);
    }
    if (zsock_bind (socket, "%s", endpoint) < 0) {
        if (!self->error)
            self->error = zsys_sprintf ("cannot bind %s: %s", endpoint,
                                        zmq_strerror (zmq_errno ()));
        zsock_destroy (&socket);
    }
    return socket;
}

static int
s_mkdir (const char *path)
{
    char *copy = strdup (path);
    int rc = 0;
    for (char *slash = copy + 1; rc == 0 && slash && *slash; slash = strchr (slash + 1, '/')) {
        if (*slash != '/')
            continue;
        *slash = 0;
        if (mkdir (copy, 0750) && errno != EEXIST)
            rc = -1;
        *slash = '/';
    }
    if (rc == 0 && mkdir (copy, 0750) && errno != EEXIST)
        rc = -1;
    free (copy);
    return rc;
}

static void
s_start (s_server_t *self)
{
    sein_config_t *config = self->setup->config;
    const char *dir = sein_config_str (config, "storage.dir");
    char *path = zsys_sprintf ("%s/%s", dir, sein_config_str (config, "storage.file"));
    if (s_mkdir (dir))
        self->error = zsys_sprintf ("cannot create storage.dir %s: %s", dir,
                                    strerror (errno));
    else
        self->store = sein_store_new (path, sein_config_str (config, "storage.synchronous"),
                                      &self->error);
    int hwm = (int) sein_config_int (config, "limits.intake_hwm");
    if (!self->error)
        self->intake = s_bind (self, ZMQ_ROUTER, sein_config_str (config, "endpoints.intake"),
                               hwm);
    if (!self->error)
        self->publish = s_bind (self, ZMQ_PUB, sein_config_str (config, "endpoints.publish"),
                                (int) sein_config_int (config, "limits.publish_hwm"));
    char *feed = zsys_sprintf ("inproc://sein-feed-%p", (void *) self);
    if (!self->error)
        self->feed = s_bind (self, ZMQ_PUB, feed, hwm);
    if (!self->error) {
        sein_watch_args_t args = {config, feed, path};
        self->watch = zactor_new (sein_watch_actor, &args);
        char *status = zstr_recv (self->watch);
        if (!status || !streq (status, "OK"))
            self->error = status ? strdup (status + (strncmp (status, "ERROR ", 6) ? 0 : 6))
                                 : strdup ("watch actor did not start");
        zstr_free (&status);
    }
    zstr_free (&feed);
    zstr_free (&path);
}

static int
s_pipe_ready (zloop_t *loop, zsock_t *pipe, void *arg)
{
    (void) loop;
    s_server_t *self = (s_server_t *) arg;
    zmsg_t *msg = zmsg_recv (pipe);
    if (!msg)
        return -1;
    char *command = zmsg_popstr (msg);
    int rc = 0;
    if (!command || streq (command, "$TERM"))
        rc = -1; //  the intake handler always finishes its batch first
    else if (streq (command, "RELOAD")) {
        zframe_t *frame = zmsg_pop (msg);
        sein_setup_t *setup = frame && zframe_size (frame) == sizeof (void *)
                                  ? *(sein_setup_t **) zframe_data (frame) : NULL;
        zframe_destroy (&frame);
        char *fixed = setup ? sein_config_unreloadable (self->setup->config, setup->config)
                            : NULL;
        if (!setup)
            zstr_send (pipe, "ERROR no setup");
        else if (fixed) {
            zstr_sendf (pipe, "ERROR %s cannot change without a restart", fixed);
            sein_setup_destroy (&setup);
        } else {
            sein_setup_destroy (&self->setup);
            self->setup = setup;
            s_apply_settings (self);
            zstr_send (pipe, "OK");
        }
        zstr_free (&fixed);
    } else
        zsys_warning ("server: unknown pipe command '%s'", command);
    zstr_free (&command);
    zmsg_destroy (&msg);
    return rc;
}

void
sein_server_actor (zsock_t *pipe, void *args)
{
    s_server_t *self = (s_server_t *) zmalloc (sizeof *self);
    assert (self);
    self->pipe = pipe;
    self->setup = (sein_setup_t *) args;
    self->started = time (NULL);
    self->keys = zhashx_new ();
    if (getrandom (self->random, sizeof self->random, 0) != sizeof self->random)
        self->random[0] = (uint64_t) time (NULL) ^ (uint64_t) getpid ();
    self->random[1] |= 1;
    s_apply_settings (self);
    zsock_signal (pipe, 0);
    s_start (self);
    if (self->error)
        zstr_sendf (pipe, "ERROR %s", self->error);
    else {
        s_apply_settings (self); //  now that the watch actor exists
        zstr_send (pipe, "OK");
        zsys_notice ("seind %s: intake %s, publish %s, store head %lld", SEIN_VERSION,
                     sein_config_str (self->setup->config, "endpoints.intake"),
                     sein_config_str (self->setup->config, "endpoints.publish"),
                     (long long) sein_store_head (self->store));
        self->loop = zloop_new ();
        zloop_set_nonstop (self->loop, true);
        zloop_reader (self->loop, pipe, s_pipe_ready, self);
        zloop_reader (self->loop, self->intake, s_intake_ready, self);
        zloop_start (self->loop);
        zloop_destroy (&self->loop);
    }
    //  On a startup error, stay until $TERM so the caller's zactor_destroy
    //  does not wait forever.
    while (self->error) {
        char *command = zstr_recv (pipe);
        bool term = !command || streq (command, "$TERM");
        zstr_free (&command);
        if (term)
            break;
    }
    zactor_destroy (&self->watch);
    zsock_destroy (&self->intake);
    zsock_destroy (&self->publish);
    zsock_destroy (&self->feed);
    sein_store_destroy (&self->store);
    sein_setup_destroy (&self->setup);
    zhashx_destroy (&self->keys);
    free (self->pending);
    zstr_free (&self->error);
    free (self);
}
