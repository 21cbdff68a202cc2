// SPDX-License-Identifier: MPL-2.0
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
#include "sein_accept.h"
#include "sein_log.h"
#include "sein_alloc.h"
#include "sein_feed.h"
#include "sein_signal.h"
#include "sein_store.h"
#include "sein_wire.h"

#define S_FILTER_MAX 32  //  values per filter dimension
#define S_ROUND_ROWS 512 //  store rows a behind session may scan per round
//  A BATCH holds at most this many events, and no more bytes than this
//  unless one event alone is larger: with CURVE every frame is a
//  crypto_box of its own, whose fixed cost dwarfs a 1 kB event's bytes.
#define S_BATCH_MAX 1000
#define S_BATCH_BYTES 65536

typedef enum { F_AREA, F_THEME, F_TEAM, F_PRIORITY, F_COUNT } s_dimension_t;
static const char *s_dimensions[F_COUNT] = {"area", "theme", "team", "priority"};

typedef struct {
    char *key;      //  routing id, hex: the session's identity
    sein_envelope_t envelope; //  routing id and the WATCH's tag, on every event
    char *values[F_COUNT][S_FILTER_MAX];
    int count[F_COUNT];
    int64_t cursor;
    int64_t credit;
    //  Events sent that no CREDIT has covered since: what may still wait
    //  in a queue towards the client. credit + queued <= credit_max.
    int64_t queued;
    int64_t last_heard; //  ms, zclock_mono
    int64_t last_sent;
    int64_t batch;      //  events per message the client takes; 1: EVENT only
    char principal[41]; //  the key it was opened with (Z85), "" without security
    //  Who opened it, as it was then: whose external_ids it may see.
    sein_principal_t who;
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
    size_t message_max;
    sein_request_t request; //  the one being read
    sein_buf_t buf;
    bool terminated;
    char *error;
    zhashx_t *known[F_COUNT]; //  codes filters may name; NULL: any
    char *keys;               //  security.keys, with security on
    zcert_t *cert;            //  seind's key, with security on
    sein_keyring_t *keyring;  //  NULL: security off
    int64_t reported[2]; //  sessions and queued events last sent to the server
    //  The event of seq `stripped_seq` without its external_id, made once
    //  for every session that may not see it (docs/SECURITY.md); valid
    //  for one round of the feed or the store.
    sein_buf_t stripped;
    int64_t stripped_seq;
    bool stripped_differs; //  it had one to leave out
    //  The BATCH being filled during one session's round from the store:
    //  empty (batching NULL) outside s_catch_up.
    sein_buf_t batch;
    s_session_t *batching;
    int64_t batch_from; //  seq of its first event
    int64_t batch_count;
} s_watch_t;

static void
s_session_destroy (s_session_t **self_p)
{
    s_session_t *self = *self_p;
    if (self) {
        for (int dimension = 0; dimension < F_COUNT; dimension++)
            for (int index = 0; index < self->count[dimension]; index++)
                free (self->values[dimension][index]);
        free (self->key);
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
    int rc;
    if (shared) {
        zmq_msg_t copy;
        zmq_msg_init (&copy);
        zmq_msg_copy (&copy, shared);
        if ((rc = sein_wire_send_msg (handle, &session->envelope, command, &copy)))
            zmq_msg_close (&copy);
    } else
        rc = sein_wire_send (handle, &session->envelope, command, body, size);
    if (rc == 0)
        session->last_sent = zclock_mono ();
    return rc;
}

//  Send the BATCH being filled, if any (one event alone goes as EVENT).
//  When it cannot go, its session goes back to the batch's first event
//  with no credit, as s_offer does for one event. Returns as s_send.
static int
s_flush (s_watch_t *self)
{
    s_session_t *session = self->batching;
    if (!session)
        return 0;
    int rc;
    if (self->batch_count == 1)
        rc = s_send (self, session, SEIN_EVENT, self->batch.data + 1,
                     self->batch.size - 1, NULL);
    else {
        sein_buf_raw (&self->batch, "]", 1);
        rc = s_send (self, session, SEIN_BATCH, self->batch.data, self->batch.size, NULL);
    }
    if (rc) {
        session->cursor = self->batch_from;
        session->credit = 0;
        session->queued -= self->batch_count;
    }
    self->batching = NULL;
    self->batch_count = 0;
    return rc;
}

//  Send SESSION the event SEQ of SIZE bytes at BODY (SHARED as s_send):
//  into the batch being filled when the session takes batches and this is
//  a replay, alone when it is LIVE (from the feed: at once, and the batch
//  is only ever open inside s_catch_up). Returns as s_send.
static int
s_send_event (s_watch_t *self, s_session_t *session, int64_t seq, const char *body,
              size_t size, zmq_msg_t *shared, bool live)
{
    if (live || session->batch <= 1)
        return s_send (self, session, SEIN_EVENT, body, size, shared);
    assert (!self->batching || self->batching == session);
    if (self->batch_count > 0 && (self->batch_count >= session->batch ||
                                  self->batch.size + size + 2 > S_BATCH_BYTES) &&
        s_flush (self))
        return -1;
    if (self->batch_count == 0) {
        sein_buf_reset (&self->batch);
        sein_buf_raw (&self->batch, "[", 1);
        self->batching = session;
        self->batch_from = seq;
    } else
        sein_buf_raw (&self->batch, ",", 1);
    sein_buf_raw (&self->batch, body, size);
    self->batch_count++;
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
        bool live = shared != NULL; //  only the feed shares its message
        const char *body = event->body;
        size_t size = event->body_size;
        //  A partner's case number only for its submitter's teams.
        if (event->owners && *event->owners && !sein_auth_sees (&session->who, event->owners)) {
            if (self->stripped_seq != event->seq) {
                self->stripped_seq = event->seq;
                self->stripped_differs = sein_json_without (event->body, event->body_size,
                                                            "external_id", &self->stripped);
            }
            if (self->stripped_differs) {
                body = self->stripped.data;
                size = self->stripped.size;
                shared = NULL;
            }
        }
        if (s_send_event (self, session, event->seq, body, size, shared, live)) {
            //  Should not happen while credit <= sndhwm; treat as no credit.
            session->credit = 0;
            return false;
        }
        session->credit--;
        session->queued++;
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
    self->stripped_seq = 0; //  bodies may have changed since (an erasure)
    zlistx_t *failed = NULL; //  keys of the sessions the store failed
    for (s_session_t *session = (s_session_t *) zhashx_first (self->sessions); session;
         session = (s_session_t *) zhashx_next (self->sessions)) {
        if (session->cursor > self->head || session->credit <= 0)
            continue;
        void *args[2] = {self, session};
        int64_t before = session->cursor;
        int visited = sein_store_events (self->store, session->cursor, S_ROUND_ROWS,
                                         s_replay_one, args);
        s_flush (self); //  on failure the session is back at the batch's start
        if (visited < 0) {
            //  A damaged page, or a disk that fails: trying again would
            //  stall the session at this cursor for good. It ends with an
            //  ERROR the client can act on (issue 14).
            zsys_error ("watch: reading events from seq %lld: %s; ending session %s",
                        (long long) session->cursor, sein_store_error (self->store),
                        session->key);
            sein_error_t error;
            sein_error_set (&error, "storage", NULL,
                            "cannot read the events from seq %lld: %s; the session "
                            "ends",
                            (long long) session->cursor, sein_store_error (self->store));
            sein_wire_reject (zsock_resolve (self->router), &session->envelope, SEIN_ERROR,
                              NULL, &error, &self->buf);
            if (!failed)
                failed = zlistx_new ();
            zlistx_add_end (failed, session->key);
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
    for (char *key = failed ? (char *) zlistx_first (failed) : NULL; key;
         key = (char *) zlistx_next (failed))
        zhashx_delete (self->sessions, key);
    zlistx_destroy (&failed);
    return more;
}

//  ---------------------------------------------------------------------
//  The live feed

static void
s_feed_ready (s_watch_t *self)
{
    zmsg_t *msg;
    self->stripped_seq = 0;
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

static const char *const s_watch_fields[] = {"filter", "since", "since_time",
                                             "credit", "batch", NULL};
static const char *const s_credit_fields[] = {"credit", NULL};
static const char *const s_no_fields[] = {NULL};
static const sein_wire_command_t s_commands[] = {
    {SEIN_WATCH, s_watch_fields, false},
    {SEIN_CREDIT, s_credit_fields, false},
    {SEIN_HEARTBEAT, s_no_fields, false},
    {SEIN_CLOSE, s_no_fields, false},
};

static void
s_reply (s_watch_t *self, const sein_envelope_t *envelope, const char *command, json_t *body)
{
    char *text = json_dumps (body, JSON_COMPACT);
    json_decref (body);
    sein_wire_send (zsock_resolve (self->router), envelope, command, text, strlen (text));
    free (text);
}

static void
s_reject (s_watch_t *self, const sein_envelope_t *envelope, const char *command,
          const sein_error_t *error)
{
    sein_debug ("watch: rejected %s: %s (%s)", command, error->code, error->message);
    sein_wire_reject (zsock_resolve (self->router), envelope, command, NULL, error,
                      &self->buf);
}

//  Fill SESSION's filter from FILTER. Returns 0, or -1 with ERROR set.
static int
s_read_filter (s_watch_t *self, s_session_t *session, json_t *filter, sein_error_t *error)
{
    if (!filter)
        return 0;
    if (!json_is_object (filter))
        return sein_error_set (error, "type", "filter", "filter must be an object");
    //  Errors name the member at fault: "filter.area".
    const char *key;
    json_t *value;
    json_object_foreach (filter, key, value) {
        int dimension = 0;
        while (dimension < F_COUNT && !streq (s_dimensions[dimension], key))
            dimension++;
        const char *name = sein_error_name (error, "filter", key);
        if (dimension == F_COUNT)
            return sein_error_set (error, "unknown-field", name,
                                   "'%s' is not a filter key (area, theme, team, priority)",
                                   name);
        if (json_is_null (value))
            continue; //  as if absent
        json_t *list = json_is_string (value) ? json_pack ("[O]", value) : json_incref (value);
        if (!json_is_array (list) || json_array_size (list) > S_FILTER_MAX) {
            bool array = json_is_array (list);
            json_decref (list);
            return sein_error_set (error, array ? "too-long" : "type", name,
                                   "filter values must be a string or an array of at most "
                                   "32 strings");
        }
        size_t index;
        json_t *item;
        json_array_foreach (list, index, item) {
            const char *text = json_string_value (item);
            int rc = 0;
            if (!text)
                rc = sein_error_set (error, "type", name, "filter values must be strings");
            else if (*text == 0)
                rc = sein_error_set (error, "empty", name, "filter values must not be empty");
            else if (strlen (text) > 64)
                rc = sein_error_set (error, "too-long", name,
                                     "filter values are at most 64 bytes");
            else if (self->known[dimension] && !zhashx_lookup (self->known[dimension], text))
                //  A typo would otherwise give a session that never sees anything.
                rc = dimension == F_PRIORITY
                         ? sein_error_set (error, "value", name,
                                           "priority must be low, normal, high or urgent")
                         : sein_error_set (error,
                                           dimension == F_AREA    ? "unknown-area"
                                           : dimension == F_THEME ? "unknown-theme"
                                                                  : "unknown-team",
                                           name, "unknown %s '%s'", s_dimensions[dimension],
                                           text);
            if (rc) {
                json_decref (list);
                return rc;
            }
            session->values[dimension][session->count[dimension]++] = sein_strdup (text);
        }
        json_decref (list);
    }
    return 0;
}

//  Narrow SESSION's filter to what PRINCIPAL may see: its teams, unless
//  it sees them all. A team filter outside them is refused rather than
//  narrowed, so that a dashboard never silently shows less than it asked.
//  Returns 0, or -1 with ERROR set.
static int
s_narrow (s_session_t *session, const sein_principal_t *principal, sein_error_t *error)
{
    if (principal->rights & SEIN_RIGHT_ALL_TEAMS)
        return 0;
    for (int index = 0; index < session->count[F_TEAM]; index++)
        if (!sein_auth_has_team (principal, session->values[F_TEAM][index]))
            return sein_error_set (error, "forbidden", "filter.team",
                                   "the key '%s' may not watch team '%s' (its teams: %s)",
                                   principal->name, session->values[F_TEAM][index],
                                   *principal->teams ? principal->teams : "none");
    if (session->count[F_TEAM])
        return 0;
    //  No team asked for: the key's own, each of ",a,b,".
    for (const char *at = principal->teams; *at && at[1]; ) {
        const char *end = strchr (at + 1, ',');
        if (end > at + 1 && session->count[F_TEAM] < S_FILTER_MAX)
            session->values[F_TEAM][session->count[F_TEAM]++] =
                sein_strndup (at + 1, (size_t) (end - at - 1));
        at = end;
    }
    if (session->count[F_TEAM] == 0)
        return sein_error_set (error, "forbidden", NULL,
                               "the key '%s' has no teams to watch", principal->name);
    return 0;
}

//  The field NAME of BODY, a positive integer or absent when not REQUIRED.
//  Returns 0, or -1 with ERROR set.
static int
s_check_positive (json_t *body, const char *name, bool required, sein_error_t *error)
{
    json_t *value = sein_wire_field (body, name);
    if (!value && required)
        return sein_error_set (error, "required", name,
                               "%s (a positive integer) is required", name);
    if (value && !json_is_integer (value))
        return sein_error_set (error, "type", name, "%s must be an integer", name);
    if (value && json_integer_value (value) < 1)
        return sein_error_set (error, "value", name, "%s must be a positive integer",
                               name);
    return 0;
}

//  Check a WATCH body against the store's HEAD; returns 0, or -1 with
//  ERROR set. *UTC gets since_time.
static int
s_check_watch (s_watch_t *self, s_session_t *session, json_t *body, int64_t head,
               char *utc, sein_error_t *error)
{
    if (s_read_filter (self, session, sein_wire_field (body, "filter"), error))
        return -1;
    json_t *since = sein_wire_field (body, "since");
    json_t *since_time = sein_wire_field (body, "since_time");
    if (since && !json_is_integer (since))
        return sein_error_set (error, "type", "since", "since must be an integer (a seq)");
    if (since && json_integer_value (since) < 0)
        return sein_error_set (error, "value", "since",
                               "since must be a seq (integer >= 0; 0 = live only)");
    //  Beyond the next seq is a client's mistake (a state file from another
    //  store, say): that session would wait for ever.
    if (since && json_integer_value (since) > head + 1)
        return sein_error_set (error, "value", "since",
                               "since %lld is beyond the next event (seq %lld)",
                               (long long) json_integer_value (since), (long long) head + 1);
    if (since_time && !json_is_string (since_time))
        return sein_error_set (error, "type", "since_time",
                               "since_time must be a string (RFC 3339)");
    if (since_time && sein_rfc3339_utc (json_string_value (since_time), utc))
        return sein_error_set (error, "value", "since_time",
                               "since_time must be an RFC 3339 date-time");
    if (s_check_positive (body, "credit", true, error))
        return -1;
    return s_check_positive (body, "batch", false, error);
}

//  Send SESSION a heartbeat. Returns as s_send.
static int
s_heartbeat (s_watch_t *self, s_session_t *session)
{
    char body[96];
    int size = snprintf (body, sizeof body, "{\"head\":%lld,\"cursor\":%lld}",
                         (long long) self->head, (long long) session->cursor);
    return s_send (self, session, SEIN_HEARTBEAT, body, (size_t) size, NULL);
}

//  Drop the sessions whose client is gone. A ROUTER does not say when a
//  peer disconnects, but with ROUTER_MANDATORY a send to it fails with
//  EHOSTUNREACH: a heartbeat to every session finds them. Run when all
//  session slots are taken, so that clients that vanished without CLOSE
//  do not hold their slots until watch.timeout.
static void
s_probe (s_watch_t *self)
{
    zlistx_t *gone = zlistx_new ();
    for (s_session_t *session = (s_session_t *) zhashx_first (self->sessions); session;
         session = (s_session_t *) zhashx_next (self->sessions))
        if (s_heartbeat (self, session) && zmq_errno () == EHOSTUNREACH)
            zlistx_add_end (gone, session->key);
    for (char *key = (char *) zlistx_first (gone); key; key = (char *) zlistx_next (gone))
        zhashx_delete (self->sessions, key);
    zlistx_destroy (&gone);
}

static void
s_cmd_watch (s_watch_t *self, const sein_envelope_t *envelope, const char *key, json_t *body,
             const sein_principal_t *principal)
{
    s_session_t *session = (s_session_t *) sein_calloc (1, sizeof *session);
    sein_error_t error;
    char utc[SEIN_TIME_MAX];
    //  A client may WATCH from a seq it was acked before the feed told us
    //  about it: the store knows.
    int64_t head = sein_store_head (self->store);
    if (head < self->head)
        head = self->head;
    int rc = s_check_watch (self, session, body, head, utc, &error);
    if (rc == 0)
        rc = s_narrow (session, principal, &error);
    bool full = !zhashx_lookup (self->sessions, key) &&
                (int64_t) zhashx_size (self->sessions) >= self->sessions_max;
    if (rc == 0 && full) {
        s_probe (self);
        full = (int64_t) zhashx_size (self->sessions) >= self->sessions_max;
    }
    if (rc == 0 && full)
        rc = sein_error_set (&error, "busy", NULL, "too many watch sessions; try again later");
    if (rc) {
        s_reject (self, envelope, SEIN_WATCH, &error);
        s_session_destroy (&session);
        return;
    }
    json_t *since = sein_wire_field (body, "since");
    int64_t from = since ? json_integer_value (since) : 0;
    if (from == 0 && sein_wire_field (body, "since_time")) {
        from = sein_store_seq_at (self->store, utc);
        if (from < 0)
            from = head + 1;
    }
    json_int_t credit = json_integer_value (json_object_get (body, "credit"));
    session->cursor = from > 0 ? from : head + 1;
    session->credit = credit < self->credit_max ? credit : self->credit_max;
    json_t *batch = sein_wire_field (body, "batch");
    session->batch = batch ? json_integer_value (batch) : 1;
    if (session->batch > S_BATCH_MAX)
        session->batch = S_BATCH_MAX;
    session->key = sein_strdup (key);
    session->envelope = *envelope;
    memcpy (session->principal, principal->key, sizeof session->principal);
    session->who = *principal;
    session->last_heard = session->last_sent = zclock_mono ();
    zhashx_update (self->sessions, key, session); //  replaces an older session
    sein_info ("watch: session %s opened from seq %lld, credit %lld", key,
                (long long) session->cursor, (long long) session->credit);
    json_t *reply = json_pack (
        "{s:s,s:I,s:I,s:I,s:I}", "status", "ok", "head", (json_int_t) self->head, "from",
        (json_int_t) session->cursor, "credit", (json_int_t) session->credit, "heartbeat",
        (json_int_t) self->heartbeat);
    if (batch) //  only to a client that asked: the others' replies stay as they were
        json_object_set_new (reply, "batch", json_integer (session->batch));
    s_reply (self, envelope, SEIN_WATCH, reply);
}

//  CREDIT: add to the session's credit, never beyond credit_max (the sum
//  saturates: a grant can be any integer up to 2^63 - 1).
static void
s_cmd_credit (s_watch_t *self, const sein_envelope_t *envelope, s_session_t *session,
              json_t *body)
{
    sein_error_t error;
    json_t *credit = sein_wire_field (body, "credit");
    if (!credit)
        sein_error_set (&error, "required", "credit", "credit (a positive integer) is required");
    else if (!json_is_integer (credit))
        sein_error_set (&error, "type", "credit", "credit must be an integer");
    else if (json_integer_value (credit) < 1)
        sein_error_set (&error, "value", "credit", "credit must be a positive integer");
    else {
        json_int_t grant = json_integer_value (credit);
        session->credit = grant >= self->credit_max - session->credit
                              ? self->credit_max
                              : session->credit + grant;
        session->queued = grant >= session->queued ? 0 : session->queued - grant;
        return;
    }
    s_reject (self, envelope, SEIN_ERROR, &error);
}

static void
s_router_ready (s_watch_t *self)
{
    sein_request_t *request = &self->request;
    while (sein_wire_recv (zsock_resolve (self->router), s_commands,
                           sizeof s_commands / sizeof s_commands[0], self->message_max,
                           self->keyring, request) == 0) {
        const sein_envelope_t *envelope = &request->envelope;
        const char *command = request->command ? request->command->name : "";
        char key[2 * sizeof envelope->routing + 1];
        for (size_t index = 0; index < envelope->routing_size; index++)
            snprintf (key + 2 * index, 3, "%02X", envelope->routing[index]);
        key[2 * envelope->routing_size] = 0;
        s_session_t *session = (s_session_t *) zhashx_lookup (self->sessions, key);
        if (session)
            session->last_heard = zclock_mono ();
        sein_error_t error;
        if (request->rejected) {
            //  A WATCH is answered WATCH; anything else that is refused ERROR.
            s_reject (self, envelope, streq (command, SEIN_WATCH) ? SEIN_WATCH : SEIN_ERROR,
                      &request->error);
            if (session && streq (request->error.code, "forbidden"))
                zhashx_delete (self->sessions, key); //  its key was revoked
        }
        else if (streq (command, SEIN_WATCH))
            s_cmd_watch (self, envelope, key, request->json, &request->principal);
        else if (streq (command, SEIN_CLOSE)) {
            if (session)
                sein_info ("watch: session %s closed", key);
            zhashx_delete (self->sessions, key);
        }
        else if (!session) {
            //  Unknown after a restart or expiry: the client reopens.
            sein_error_set (&error, "session", NULL, "no watch session here; send WATCH again");
            s_reject (self, envelope, SEIN_ERROR, &error);
        } else if (streq (command, SEIN_CREDIT))
            s_cmd_credit (self, envelope, session, request->json);
        sein_request_clear (request);
    }
}

//  Tell the server COUNTERS (sessions, queued events) for its PING, when
//  they changed. Never blocks: a server that is not reading (stopping)
//  misses an update, not the watch loop a tick.
static void
s_report (s_watch_t *self, const int64_t counters[2])
{
    if (counters[0] == self->reported[0] && counters[1] == self->reported[1])
        return;
    void *handle = zsock_resolve (self->pipe);
    if (zmq_send (handle, "COUNTERS", 8, ZMQ_SNDMORE | ZMQ_DONTWAIT) == 8) {
        zmq_send (handle, counters, 2 * sizeof counters[0], 0);
        memcpy (self->reported, counters, sizeof self->reported);
    }
}

//  Heartbeat idle sessions, expire silent ones; report the counters.
static void
s_tick (s_watch_t *self)
{
    int64_t now = zclock_mono ();
    zlistx_t *expired = zlistx_new ();
    int64_t counters[2] = {(int64_t) zhashx_size (self->sessions), 0};
    for (s_session_t *session = (s_session_t *) zhashx_first (self->sessions); session;
         session = (s_session_t *) zhashx_next (self->sessions)) {
        counters[1] += session->queued;
        if (now - session->last_heard > self->timeout)
            zlistx_add_end (expired, session->key);
        else if (now - session->last_sent >= self->heartbeat) {
            if (s_heartbeat (self, session)) {
                if (zmq_errno () == EHOSTUNREACH)
                    zlistx_add_end (expired, session->key); //  disconnected
                else
                    session->last_sent = now; //  queue full: the client is busy
            }
        }
    }
    for (char *key = (char *) zlistx_first (expired); key;
         key = (char *) zlistx_next (expired)) {
        sein_info ("watch: session %s expired", key);
        zhashx_delete (self->sessions, key);
    }
    zlistx_destroy (&expired);
    s_report (self, counters);
}

//  Credit bounds what is in flight per session; the queue limit is a
//  backstop above it, never the flow control itself. libzmq gives each
//  connection the limit the socket had when it was bound, so a reloaded
//  watch.credit_max could not raise it for new sessions, whose full queue
//  would then cut their credit short: the setting is restart-only.
static int
s_queue_max (s_watch_t *self)
{
    return (int) self->credit_max * 2 + 100;
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
        zhashx_set_key_duplicator (self->known[dimension], (zhashx_duplicator_fn *) sein_strdup);
        size_t index;
        json_t *code;
        json_array_foreach (list, index, code)
            zhashx_insert (self->known[dimension], json_string_value (code), (void *) 1);
        for (index = 0; dimension == F_PRIORITY && sein_priorities[index]; index++)
            zhashx_insert (self->known[dimension], sein_priorities[index], (void *) 1);
    }
    json_decref (json);
}

//  Reload the keyring (on SIGHUP) and end the sessions of every key that
//  is gone from it: an ERROR `forbidden`, then nothing more.
static void
s_reload_keys (s_watch_t *self)
{
    char *error = NULL;
    sein_keyring_t *keyring = sein_keyring_new (self->keys, &error);
    if (!keyring) {
        zsys_error ("watch: %s; the keys loaded before stay", error);
        zstr_free (&error);
        return;
    }
    sein_keyring_destroy (&self->keyring);
    self->keyring = keyring;
    zlistx_t *revoked = zlistx_new ();
    sein_principal_t principal;
    for (s_session_t *session = (s_session_t *) zhashx_first (self->sessions); session;
         session = (s_session_t *) zhashx_next (self->sessions))
        if (sein_keyring_lookup (keyring, session->principal, &principal)) {
            sein_error_t forbidden;
            sein_error_set (&forbidden, "forbidden", NULL,
                            "the key of this session was revoked: session ended");
            s_reject (self, &session->envelope, SEIN_ERROR, &forbidden);
            zlistx_add_end (revoked, session->key);
        }
    for (char *key = (char *) zlistx_first (revoked); key;
         key = (char *) zlistx_next (revoked)) {
        zsys_notice ("watch: session %s ended, its key was revoked", key);
        zhashx_delete (self->sessions, key);
    }
    zlistx_destroy (&revoked);
}

static void
s_pipe_ready (s_watch_t *self)
{
    char *command = NULL, *codes = NULL;
    uint64_t credit_max, heartbeat, timeout, sessions_max, message_max;
    if (zsock_recv (self->pipe, "s88888s", &command, &credit_max, &heartbeat, &timeout,
                    &sessions_max, &message_max, &codes) ||
        !command || streq (command, "$TERM"))
        self->terminated = true;
    else if (streq (command, "SETTINGS")) {
        self->credit_max = (int64_t) credit_max;
        self->heartbeat = (int64_t) heartbeat;
        self->timeout = (int64_t) timeout;
        self->sessions_max = (int64_t) sessions_max;
        //  credit_max and message_max, which size the socket, cannot change
        //  on reload (sein_settings.c); the others are read where used.
        self->message_max = (size_t) message_max;
        s_set_known (self, codes);
        if (self->keys)
            s_reload_keys (self);
    }
    zstr_free (&command);
    zstr_free (&codes);
}

int
sein_watch_counters (zactor_t *watch, int64_t counters[2])
{
    zmsg_t *msg = zmsg_recv (watch);
    zframe_t *name = zmsg_first (msg), *values = zmsg_next (msg);
    int rc = -1;
    if (name && zframe_streq (name, "COUNTERS") && values &&
        zframe_size (values) == 2 * sizeof counters[0]) {
        memcpy (counters, zframe_data (values), 2 * sizeof counters[0]);
        rc = 0;
    }
    zmsg_destroy (&msg);
    return rc;
}

void
sein_watch_actor (zsock_t *pipe, void *args)
{
    sein_watch_args_t *watch_args = (sein_watch_args_t *) args;
    s_watch_t *self = (s_watch_t *) sein_calloc (1, sizeof *self);
    sein_request_init (&self->request);
    self->pipe = pipe;
    sein_config_t *config = watch_args->config;
    self->credit_max = sein_config_int (config, "watch.credit_max");
    self->heartbeat = sein_config_int (config, "watch.heartbeat");
    self->timeout = sein_config_int (config, "watch.timeout");
    self->sessions_max = sein_config_int (config, "watch.sessions_max");
    self->sessions = zhashx_new ();
    zhashx_set_key_duplicator (self->sessions, (zhashx_duplicator_fn *) sein_strdup);
    zhashx_set_destructor (self->sessions, (zhashx_destructor_fn *) s_session_destroy);
    self->store = sein_store_new_reader (watch_args->db_path, &self->error);
    const char *endpoint = sein_config_str (config, "endpoints.watch");
    self->message_max = (size_t) sein_config_int (config, "limits.message_max");
    if (!self->error && sein_config_bool (config, "security.enabled")) {
        self->keys = sein_strdup (sein_config_str (config, "security.keys"));
        self->cert = sein_auth_server_cert (
            self->keys, sein_config_str (config, "security.server_key"), &self->error);
        if (!self->error)
            s_reload_keys (self);
        if (!self->error && !self->keyring)
            self->error = sein_sprintf ("security.keys: cannot read %s", self->keys);
    }
    if (!self->error)
        self->router = sein_wire_bind (endpoint, self->message_max, s_queue_max (self),
                                       (int) sein_config_int (config, "limits.intake_hwm"), 0,
                                       SEIN_IO_WATCH, self->cert, SEIN_AUTH_DOMAIN_WATCH,
                                       &self->error);
    //  Out of descriptors, new connections are refused, not spun on.
    sein_accept_t *guard = self->error ? NULL : sein_accept_new (self->router, endpoint);
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
    sein_accept_destroy (&guard);
    zsock_destroy (&self->feed);
    zcert_destroy (&self->cert);
    sein_keyring_destroy (&self->keyring);
    zstr_free (&self->keys);
    sein_store_destroy (&self->store);
    sein_request_clear (&self->request);
    sein_buf_free (&self->buf);
    sein_buf_free (&self->stripped);
    sein_buf_free (&self->batch);
    zstr_free (&self->error);
    free (self);
}
