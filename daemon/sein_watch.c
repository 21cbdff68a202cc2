/*  sein_watch.c - watch sessions: replay from the store, then live, by credit

    The design follows the ZeroMQ guide's Clone pattern: every event has a
    seq, a session is a cursor into that history, and the store is the
    snapshot a late or slow client is served from. Each session holds:

        cursor   the next seq this session has not yet considered
        credit   how many more events the client said it can take

    A new event from the feed goes straight out to every session whose
    cursor is exactly at it and that has credit (the live path). A session
    that is behind (new, reconnected, or out of credit for a while) is
    served from the store in bounded rounds until its cursor reaches the
    head, then it is live again. Nothing is queued per session beyond what
    its credit allows, so a stopped client costs the daemon a few hundred
    bytes however long it sleeps.
*/
#include "sein_watch.h"

#include "sein.h"
#include "sein_log.h"
#include "sein_server.h"
#include "sein_signal.h"
#include "sein_store.h"

#define S_FILTER_MAX 32  //  values per filter dimension
#define S_ROUND_ROWS 512 //  store rows a behind session may scan per round

typedef enum { F_AREA, F_THEME, F_TEAM, F_PRIORITY, F_COUNT } s_dimension_t;
static const char *s_dimensions[F_COUNT] = {"area", "theme", "team", "priority"};

typedef struct {
    char *key;      //  routing id, hex: the session's identity
    zframe_t *routing;
    char *tag;      //  the WATCH request's correlation id, on every event
    char *values[F_COUNT][S_FILTER_MAX];
    int count[F_COUNT];
    int64_t cursor;
    int64_t credit;
    int64_t last_heard; //  ms, zclock_mono
    int64_t last_sent;
} s_session_t;

typedef struct {
    zsock_t *pipe;
    zsock_t *router;
    zsock_t *feed;
    zpoller_t *poller;
    sein_store_t *store;
    zhashx_t *sessions; //  key -> s_session_t
    int64_t head;       //  highest committed seq known here
    int64_t credit_max, heartbeat, timeout, sessions_max;
    bool terminated;
    char *error;
    zhashx_t *known[F_COUNT]; //  codes filters may name; NULL: any
} s_watch_t;

static void
s_session_destroy (s_session_t **self_p)
{
    s_session_t *self = *self_p;
    if (self) {
        for (int dimension = 0; dimension < F_COUNT; dimension++)
            for (int index = 0; index < self->count[dimension]; index++)
                free (self->values[dimension][index]);
        zframe_destroy (&self->routing);
        free (self->key);
        free (self->tag);
        free (self);
        *self_p = NULL;
    }
}

//  ---------------------------------------------------------------------
//  Matching

static bool
s_any (const s_session_t *session, int dimension, const char *value)
{
    if (session->count[dimension] == 0)
        return true;
    for (int index = 0; index < session->count[dimension]; index++)
        if (streq (session->values[dimension][index], value))
            return true;
    return false;
}

static bool
s_matches (const s_session_t *session, const sein_event_t *event)
{
    //  A wijk includes its zones: the area filter also matches the wijk.
    if (!s_any (session, F_AREA, event->area) && !s_any (session, F_AREA, event->wijk))
        return false;
    if (!s_any (session, F_THEME, event->theme) ||
        !s_any (session, F_PRIORITY, event->priority))
        return false;
    if (session->count[F_TEAM] == 0)
        return true;
    for (int index = 0; index < session->count[F_TEAM]; index++) {
        //  teams is ",a,b,": look for ",name,".
        const char *name = session->values[F_TEAM][index];
        size_t len = strlen (name);
        for (const char *hit = strstr (event->teams, name); hit;
             hit = strstr (hit + 1, name))
            if (hit > event->teams && hit[-1] == ',' && hit[len] == ',')
                return true;
    }
    return false;
}

//  ---------------------------------------------------------------------
//  Sending

//  Send COMMAND with BODY to SESSION. Returns 0, or -1 when the client's
//  queue is full (EAGAIN) or the client is gone (EHOSTUNREACH).
//  SHARED, when given, holds the same bytes as BODY in a ZeroMQ message:
//  a live event goes to many sessions, and copies of that message share
//  one buffer instead of copying the body for each.
static int
s_send (s_watch_t *self, s_session_t *session, const char *command, const char *body,
        size_t size, zmq_msg_t *shared)
{
    void *handle = zsock_resolve (self->router);
    if (zmq_send (handle, zframe_data (session->routing), zframe_size (session->routing),
                  ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
        return -1;
    //  Once the routing frame is accepted the rest of the message is too.
    zmq_send (handle, SEIN_PROTOCOL, strlen (SEIN_PROTOCOL), ZMQ_SNDMORE);
    zmq_send (handle, command, strlen (command), ZMQ_SNDMORE);
    zmq_send (handle, session->tag, strlen (session->tag), ZMQ_SNDMORE);
    if (shared) {
        zmq_msg_t copy;
        zmq_msg_init (&copy);
        zmq_msg_copy (&copy, shared);
        if (zmq_msg_send (&copy, handle, 0) < 0)
            zmq_msg_close (&copy);
    } else
        zmq_send (handle, body, size, 0);
    session->last_sent = zclock_mono ();
    return 0;
}

//  Offer EVENT to SESSION, whose cursor is at it. Returns false when the
//  session cannot take it now (no credit, or its queue is full).
static bool
s_offer (s_watch_t *self, s_session_t *session, const sein_event_t *event,
         zmq_msg_t *shared)
{
    if (s_matches (session, event)) {
        if (session->credit <= 0)
            return false;
        if (s_send (self, session, SEIN_EVENT, event->body, event->body_size, shared)) {
            //  Should not happen while credit <= sndhwm; treat as no credit.
            session->credit = 0;
            return false;
        }
        session->credit--;
    }
    session->cursor = event->seq + 1;
    return true;
}

//  ---------------------------------------------------------------------
//  Catching up from the store

static int
s_replay_one (const sein_event_t *event, void *arg)
{
    void **args = (void **) arg;
    s_watch_t *self = (s_watch_t *) args[0];
    s_session_t *session = (s_session_t *) args[1];
    //  Only what the feed has announced: a later commit may not be on disk
    //  yet (the server syncs the log after COMMIT returned).
    if (event->seq > self->head)
        return 1;
    return s_offer (self, session, event, NULL) && session->credit > 0 ? 0 : 1;
}

//  One bounded round for every session that is behind and has credit.
//  Returns true when some session is still behind with credit left.
static bool
s_catch_up (s_watch_t *self)
{
    bool more = false;
    for (s_session_t *session = (s_session_t *) zhashx_first (self->sessions); session;
         session = (s_session_t *) zhashx_next (self->sessions)) {
        if (session->cursor > self->head || session->credit <= 0)
            continue;
        void *args[2] = {self, session};
        int64_t before = session->cursor;
        int visited = sein_store_events (self->store, session->cursor, S_ROUND_ROWS,
                                         s_replay_one, args);
        if (visited < 0) {
            zsys_error ("watch: reading events: %s", sein_store_error (self->store));
            continue;
        }
        if (visited == 0 || session->cursor == before) {
            //  The store has nothing at the cursor yet: the feed is ahead
            //  of this reader's snapshot, or events were dropped. Wait for
            //  the next round rather than spin.
            if (visited == 0 && session->cursor <= self->head)
                self->head = sein_store_head (self->store);
            continue;
        }
        if (session->cursor <= self->head && session->credit > 0)
            more = true;
    }
    return more;
}

//  ---------------------------------------------------------------------
//  The live feed

int
sein_feed_send (void *handle, const sein_event_t *event, zmq_msg_t *body)
{
    const char *fields[] = {event->kind,  event->at,       event->area,
                            event->wijk,  event->theme,    event->priority,
                            event->source, event->teams};
    char header[1024];
    size_t size = sizeof event->seq;
    memcpy (header, &event->seq, sizeof event->seq);
    for (size_t index = 0; index < 8; index++) {
        size_t len = strlen (fields[index]) + 1;
        if (size + len > sizeof header)
            return -1; //  codes are short; teams at most a few dozen names
        memcpy (header + size, fields[index], len);
        size += len;
    }
    if (zmq_send (handle, header, size, ZMQ_SNDMORE) < 0)
        return -1;
    return zmq_msg_send (body, handle, 0) < 0 ? -1 : 0;
}

int
sein_feed_unpack (zmsg_t *msg, sein_event_t *event)
{
    zframe_t *header = zmsg_first (msg);
    zframe_t *body = zmsg_next (msg);
    if (!header || !body || zmsg_size (msg) != 2 || zframe_size (header) < sizeof event->seq)
        return -1;
    const char *cursor = (const char *) zframe_data (header) + sizeof event->seq;
    const char *end = (const char *) zframe_data (header) + zframe_size (header);
    const char **fields[] = {&event->kind,  &event->at,       &event->area,
                             &event->wijk,  &event->theme,    &event->priority,
                             &event->source, &event->teams};
    for (size_t index = 0; index < 8; index++) {
        const char *nul = (const char *) memchr (cursor, 0, (size_t) (end - cursor));
        if (!nul)
            return -1;
        *fields[index] = cursor;
        cursor = nul + 1;
    }
    memcpy (&event->seq, zframe_data (header), sizeof event->seq);
    event->body = (const char *) zframe_data (body);
    event->body_size = zframe_size (body);
    return 0;
}

static void
s_feed_ready (s_watch_t *self)
{
    zmsg_t *msg;
    while ((msg = zmsg_recv (self->feed))) {
        sein_event_t event;
        //  A gap (the feed dropped events) leaves the sessions that were
        //  live behind; s_catch_up serves them from the store.
        if (sein_feed_unpack (msg, &event) == 0 && event.seq > self->head) {
            self->head = event.seq;
            zmq_msg_t shared;
            zmq_msg_init_size (&shared, event.body_size);
            memcpy (zmq_msg_data (&shared), event.body, event.body_size);
            for (s_session_t *session = (s_session_t *) zhashx_first (self->sessions);
                 session; session = (s_session_t *) zhashx_next (self->sessions))
                if (session->cursor == event.seq)
                    s_offer (self, session, &event, &shared);
            zmq_msg_close (&shared);
        }
        zmsg_destroy (&msg);
    }
}

//  ---------------------------------------------------------------------
//  Client requests

static void
s_reply (s_watch_t *self, zframe_t *routing, const char *command, zframe_t *corr,
         json_t *body)
{
    char *text = json_dumps (body, JSON_COMPACT);
    json_decref (body);
    zmsg_t *msg = zmsg_new ();
    zmsg_addmem (msg, zframe_data (routing), zframe_size (routing));
    zmsg_addstr (msg, SEIN_PROTOCOL);
    zmsg_addstr (msg, command);
    zmsg_addmem (msg, corr ? (void *) zframe_data (corr) : (void *) "",
                 corr ? zframe_size (corr) : 0);
    zmsg_addstr (msg, text ? text : "{}");
    free (text);
    zmsg_send (&msg, self->router);
    zmsg_destroy (&msg);
}

static void
s_reject (s_watch_t *self, zframe_t *routing, const char *command, zframe_t *corr,
          const char *code, const char *field, const char *message)
{
    json_t *error = json_pack ("{s:s,s:s,s:s}", "code", code, "field", field ? field : "",
                               "message", message);
    if (!field)
        json_object_set_new (error, "field", json_null ());
    s_reply (self, routing, command, corr,
             json_pack ("{s:s,s:o}", "status", "rejected", "error", error));
}

//  Fill SESSION's filter from FILTER. Returns 0, or -1 with ERROR set.
static int
s_read_filter (s_watch_t *self, s_session_t *session, json_t *filter, sein_error_t *error)
{
    if (!filter || json_is_null (filter))
        return 0;
    if (!json_is_object (filter))
        return sein_error_set (error, "type", "filter", "filter must be an object");
    const char *key;
    json_t *value;
    json_object_foreach (filter, key, value) {
        int dimension = 0;
        while (dimension < F_COUNT && !streq (s_dimensions[dimension], key))
            dimension++;
        if (dimension == F_COUNT) {
            snprintf (error->name, sizeof error->name, "filter.%.64s", key);
            return sein_error_set (error, "unknown-field", error->name,
                                   "'%s' is not a filter key (area, theme, team, priority)",
                                   error->name);
        }
        const char *name = s_dimensions[dimension];
        json_t *list = json_is_string (value) ? json_pack ("[O]", value) : json_incref (value);
        if (!json_is_array (list) || json_array_size (list) > S_FILTER_MAX) {
            json_decref (list);
            return sein_error_set (error, "type", name,
                                   "filter values must be a string or an array of at most "
                                   "32 strings");
        }
        size_t index;
        json_t *item;
        json_array_foreach (list, index, item) {
            const char *text = json_string_value (item);
            int rc = 0;
            if (!text || *text == 0 || strlen (text) > 64)
                rc = sein_error_set (error, "type", name,
                                     "filter values must be non-empty strings of at most 64 "
                                     "bytes");
            else if (self->known[dimension] && !zhashx_lookup (self->known[dimension], text))
                //  A typo would otherwise give a session that never sees anything.
                rc = dimension == F_PRIORITY
                         ? sein_error_set (error, "value", name,
                                           "priority must be low, normal, high or urgent")
                         : sein_error_set (error,
                                           dimension == F_AREA    ? "unknown-area"
                                           : dimension == F_THEME ? "unknown-theme"
                                                                  : "unknown-team",
                                           name, "unknown %s '%s'", name, text);
            if (rc) {
                json_decref (list);
                return rc;
            }
            session->values[dimension][session->count[dimension]++] = strdup (text);
        }
        json_decref (list);
    }
    return 0;
}

//  Check a WATCH body against the store's HEAD; returns 0, or -1 with
//  ERROR set. *UTC gets since_time.
static int
s_check_watch (s_watch_t *self, s_session_t *session, json_t *body, int64_t head,
               char *utc, sein_error_t *error)
{
    static const char *fields[] = {"filter", "since", "since_time", "credit", NULL};
    const char *key;
    json_t *value;
    json_object_foreach (body, key, value) {
        int index = 0;
        while (fields[index] && !streq (fields[index], key))
            index++;
        if (!fields[index]) {
            snprintf (error->name, sizeof error->name, "%.64s", key);
            return sein_error_set (error, "unknown-field", error->name,
                                   "'%s' is not a WATCH field (filter, since, since_time, "
                                   "credit)",
                                   error->name);
        }
    }
    if (s_read_filter (self, session, json_object_get (body, "filter"), error))
        return -1;
    json_t *since = json_object_get (body, "since");
    json_t *since_time = json_object_get (body, "since_time");
    json_t *credit = json_object_get (body, "credit");
    if (since && (!json_is_integer (since) || json_integer_value (since) < 0))
        return sein_error_set (error, "value", "since",
                               "since must be a seq (integer >= 0; 0 = live only)");
    //  Beyond the next seq is a client's mistake (a state file from another
    //  store, say): that session would wait for ever.
    if (since && json_integer_value (since) > head + 1)
        return sein_error_set (error, "value", "since",
                               "since %lld is beyond the next event (seq %lld)",
                               (long long) json_integer_value (since), (long long) head + 1);
    if (since_time && (!json_is_string (since_time) ||
                       sein_rfc3339_utc (json_string_value (since_time), utc)))
        return sein_error_set (error, "value", "since_time",
                               "since_time must be an RFC 3339 date-time");
    if (!credit)
        return sein_error_set (error, "required", "credit",
                               "credit (a positive integer) is required");
    if (!json_is_integer (credit) || json_integer_value (credit) < 1)
        return sein_error_set (error, "value", "credit", "credit must be a positive integer");
    return 0;
}

static void
s_cmd_watch (s_watch_t *self, zframe_t *routing, char *key, zframe_t *corr, json_t *body)
{
    s_session_t *session = (s_session_t *) zmalloc (sizeof *session);
    sein_error_t error;
    char utc[SEIN_TIME_MAX];
    //  A client may WATCH from a seq it was acked before the feed told us
    //  about it: the store knows.
    int64_t head = sein_store_head (self->store);
    if (head < self->head)
        head = self->head;
    int rc = s_check_watch (self, session, body, head, utc, &error);
    if (rc == 0 && !zhashx_lookup (self->sessions, key) &&
        (int64_t) zhashx_size (self->sessions) >= self->sessions_max)
        rc = sein_error_set (&error, "busy", NULL, "too many watch sessions; try again later");
    if (rc) {
        s_reject (self, routing, SEIN_WATCH, corr, error.code, error.field, error.message);
        s_session_destroy (&session);
        return;
    }
    json_t *since = json_object_get (body, "since");
    int64_t from = since ? json_integer_value (since) : 0;
    if (from == 0 && json_object_get (body, "since_time")) {
        from = sein_store_seq_at (self->store, utc);
        if (from < 0)
            from = head + 1;
    }
    json_int_t credit = json_integer_value (json_object_get (body, "credit"));
    session->cursor = from > 0 ? from : head + 1;
    session->credit = credit < self->credit_max ? credit : self->credit_max;
    session->key = strdup (key);
    session->routing = zframe_dup (routing);
    session->tag = zframe_strdup (corr);
    session->last_heard = session->last_sent = zclock_mono ();
    zhashx_update (self->sessions, key, session); //  replaces an older session
    sein_debug ("watch: session %s from seq %lld, credit %lld", key,
                (long long) session->cursor, (long long) session->credit);
    s_reply (self, routing, SEIN_WATCH, corr,
             json_pack ("{s:s,s:I,s:I,s:I,s:I}", "status", "ok", "head",
                        (json_int_t) self->head, "from", (json_int_t) session->cursor,
                        "credit", (json_int_t) session->credit, "heartbeat",
                        (json_int_t) self->heartbeat));
}

static void
s_router_ready (s_watch_t *self)
{
    zmsg_t *msg;
    while ((msg = zmsg_recv (self->router))) {
        zframe_t *routing = zmsg_pop (msg);
        zframe_t *first = zmsg_first (msg);
        if (first && zframe_size (first) == 0) {
            zframe_t *empty = zmsg_pop (msg);
            zframe_destroy (&empty);
        }
        zframe_t *protocol = zmsg_pop (msg), *command = zmsg_pop (msg),
                 *corr = zmsg_pop (msg), *payload = zmsg_pop (msg);
        char *key = zframe_strhex (routing);
        s_session_t *session = (s_session_t *) zhashx_lookup (self->sessions, key);
        if (session)
            session->last_heard = zclock_mono ();
        json_t *body = payload ? json_loadb ((const char *) zframe_data (payload),
                                             zframe_size (payload), 0, NULL)
                               : NULL;
        if (!payload || zmsg_size (msg) > 0 || (corr && zframe_size (corr) > 255))
            s_reject (self, routing, SEIN_ERROR, NULL, "frames", NULL,
                      "expected 4 frames: \"SEIN/1\", command, correlation id, JSON body");
        else if (!zframe_streq (protocol, SEIN_PROTOCOL)) {
            sein_error_t error;
            sein_error_version (&error, zframe_data (protocol), zframe_size (protocol));
            s_reject (self, routing, SEIN_ERROR, corr, error.code, error.field, error.message);
        }
        else if (!json_is_object (body))
            s_reject (self, routing, SEIN_ERROR, corr, "json", NULL,
                      "body must be a JSON object");
        else if (zframe_streq (command, SEIN_WATCH))
            s_cmd_watch (self, routing, key, corr, body);
        else if (zframe_streq (command, SEIN_CREDIT) ||
                 zframe_streq (command, SEIN_HEARTBEAT)) {
            json_t *credit = json_object_get (body, "credit");
            if (!session)
                //  Unknown after a restart or expiry: the client reopens.
                s_reject (self, routing, SEIN_ERROR, corr, "session", NULL,
                          "no watch session here; send WATCH again");
            else if (credit && json_is_integer (credit) && json_integer_value (credit) > 0) {
                session->credit += json_integer_value (credit);
                if (session->credit > self->credit_max)
                    session->credit = self->credit_max;
            }
        } else if (zframe_streq (command, SEIN_CLOSE))
            zhashx_delete (self->sessions, key);
        else
            s_reject (self, routing, SEIN_ERROR, corr, "command", NULL,
                      "unknown command on the watch socket");
        json_decref (body);
        zstr_free (&key);
        zframe_destroy (&routing);
        zframe_destroy (&protocol);
        zframe_destroy (&command);
        zframe_destroy (&corr);
        zframe_destroy (&payload);
        zmsg_destroy (&msg);
    }
}

//  Heartbeat idle sessions, expire silent ones.
static void
s_tick (s_watch_t *self)
{
    int64_t now = zclock_mono ();
    zlistx_t *expired = zlistx_new ();
    for (s_session_t *session = (s_session_t *) zhashx_first (self->sessions); session;
         session = (s_session_t *) zhashx_next (self->sessions)) {
        if (now - session->last_heard > self->timeout)
            zlistx_add_end (expired, session->key);
        else if (now - session->last_sent >= self->heartbeat) {
            char body[96];
            int size = snprintf (body, sizeof body, "{\"head\":%lld,\"cursor\":%lld}",
                                 (long long) self->head, (long long) session->cursor);
            if (s_send (self, session, SEIN_HEARTBEAT, body, (size_t) size, NULL))
                session->last_sent = now; //  queue full: the client is busy
        }
    }
    for (char *key = (char *) zlistx_first (expired); key;
         key = (char *) zlistx_next (expired)) {
        sein_debug ("watch: session %s expired", key);
        zhashx_delete (self->sessions, key);
    }
    zlistx_destroy (&expired);
}

//  Take the codes filters may name from CODES (see sein_watch.h).
static void
s_set_known (s_watch_t *self, const char *codes)
{
    json_t *json = codes ? json_loads (codes, 0, NULL) : NULL;
    for (int dimension = 0; dimension < F_COUNT; dimension++) {
        zhashx_destroy (&self->known[dimension]);
        json_t *list = json_object_get (json, s_dimensions[dimension]);
        if (dimension != F_PRIORITY && !json_is_array (list))
            continue;
        self->known[dimension] = zhashx_new ();
        size_t index;
        json_t *code;
        json_array_foreach (list, index, code)
            zhashx_insert (self->known[dimension], json_string_value (code), (void *) 1);
        for (index = 0; dimension == F_PRIORITY && sein_priorities[index]; index++)
            zhashx_insert (self->known[dimension], sein_priorities[index], (void *) 1);
    }
    json_decref (json);
}

static void
s_pipe_ready (s_watch_t *self)
{
    char *command = NULL, *codes = NULL;
    uint64_t credit_max, heartbeat, timeout, sessions_max;
    if (zsock_recv (self->pipe, "s8888s", &command, &credit_max, &heartbeat, &timeout,
                    &sessions_max, &codes) ||
        !command || streq (command, "$TERM"))
        self->terminated = true;
    else if (streq (command, "SETTINGS")) {
        self->credit_max = (int64_t) credit_max;
        self->heartbeat = (int64_t) heartbeat;
        self->timeout = (int64_t) timeout;
        self->sessions_max = (int64_t) sessions_max;
        s_set_known (self, codes);
    }
    zstr_free (&command);
    zstr_free (&codes);
}

void
sein_watch_actor (zsock_t *pipe, void *args)
{
    sein_watch_args_t *watch_args = (sein_watch_args_t *) args;
    s_watch_t *self = (s_watch_t *) zmalloc (sizeof *self);
    self->pipe = pipe;
    sein_config_t *config = watch_args->config;
    self->credit_max = sein_config_int (config, "watch.credit_max");
    self->heartbeat = sein_config_int (config, "watch.heartbeat");
    self->timeout = sein_config_int (config, "watch.timeout");
    self->sessions_max = sein_config_int (config, "watch.sessions_max");
    self->sessions = zhashx_new ();
    zhashx_set_destructor (self->sessions, (zhashx_destructor_fn *) s_session_destroy);
    self->store = sein_store_new_reader (watch_args->db_path, &self->error);
    const char *endpoint = sein_config_str (config, "endpoints.watch");
    if (!self->error) {
        self->router = zsock_new (ZMQ_ROUTER);
        sein_server_pin (self->router, SEIN_IO_WATCH);
        zsock_set_router_mandatory (self->router, 1);
        //  Credit bounds what is in flight per session; the HWM is a
        //  backstop above it, never the flow control itself.
        zsock_set_sndhwm (self->router, (int) self->credit_max * 2 + 100);
        zsock_set_sndtimeo (self->router, 0);
        zsock_set_rcvtimeo (self->router, 0);
        zsock_set_linger (self->router, 0);
        if (zsock_bind (self->router, "%s", endpoint) < 0)
            self->error = zsys_sprintf ("cannot bind %s: %s", endpoint,
                                        zmq_strerror (zmq_errno ()));
    }
    if (!self->error) {
        self->feed = zsock_new_sub (watch_args->feed, "");
        zsock_set_rcvhwm (self->feed, 100000);
        zsock_set_rcvtimeo (self->feed, 0);
        self->head = sein_store_head (self->store);
    }
    zsock_signal (pipe, 0);
    if (self->error)
        zstr_sendf (pipe, "ERROR %s", self->error);
    else
        zstr_send (pipe, "OK");
    if (!self->error) {
        self->poller = zpoller_new (pipe, self->router, self->feed, NULL);
        bool behind = false;
        int64_t next_tick = zclock_mono () + 100;
        while (!self->terminated) {
            int64_t now = zclock_mono ();
            int timeout = behind ? 0 : (int) (next_tick > now ? next_tick - now : 0);
            void *which = zpoller_wait (self->poller, timeout);
            if (which == pipe)
                s_pipe_ready (self);
            else if (which == self->feed)
                s_feed_ready (self);
            else if (which == self->router)
                s_router_ready (self);
            behind = s_catch_up (self);
            if (zclock_mono () >= next_tick) {
                s_tick (self);
                next_tick = zclock_mono () + 100;
            }
        }
        zpoller_destroy (&self->poller);
    } else {
        //  Wait for $TERM so the server's zactor_destroy returns.
        char *command;
        while ((command = zstr_recv (pipe))) {
            bool term = streq (command, "$TERM");
            zstr_free (&command);
            if (term)
                break;
        }
    }
    zhashx_destroy (&self->sessions);
    for (int dimension = 0; dimension < F_COUNT; dimension++)
        zhashx_destroy (&self->known[dimension]);
    zsock_destroy (&self->router);
    zsock_destroy (&self->feed);
    sein_store_destroy (&self->store);
    zstr_free (&self->error);
    free (self);
}
