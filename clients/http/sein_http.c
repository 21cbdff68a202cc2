// SPDX-License-Identifier: MPL-2.0
/*  sein_http.c - sein-http, the HTTP gateway: Open311, a live stream for
    browsers, the dashboard, health and metrics

    A client of seind like the others: it speaks only the ZeroMQ protocol
    (docs/PROTOCOL.md), so seind stays the single writer. libmicrohttpd
    parses HTTP (its post processor reads form bodies); this file routes a
    request to the command it needs, checks the caller's role first
    (sein_http_keys.h) and turns seind's replies into the spec's JSON
    (sein_open311.h). docs/OPEN311.md is the contract.

    Threads: libmicrohttpd runs a thread per connection. Each connection
    owns its own DEALER to seind (made at its first request, closed with
    it), so keep-alive clients pipeline nothing and share nothing; a
    /events stream blocks its own thread in the watcher
    (sein_http_events.h). No state is shared between threads but the
    configuration, read-only after the start, and atomic counters.
*/
#include "sein_classify.h"
#include "sein_cli.h"
#include "sein_http_events.h"
#include "sein_http_keys.h"
#include "sein_open311.h"
#include "sein_settings.h"
#include "sein_signal.h"
#include "sein_tsv.h"

#include "sein_alloc.h"

#include <czmq.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <time.h>

//  The dashboard page, embedded at build time (embed.cmake).
extern const unsigned char sein_http_dashboard[];
extern const size_t sein_http_dashboard_size;

#define S_FORM_MAX   65536 //  bytes of a POSTed form, in all
#define S_LIST_LIMIT 1000  //  LIST's own page limit

//  The routes, for dispatch and for the metrics' `path` label.
typedef enum {
    R_DASHBOARD,
    R_AREAS,
    R_SERVICES,
    R_REQUESTS,
    R_REQUEST,
    R_EVENTS,
    R_SIGNALS,
    R_SUMMARY,
    R_HEALTHZ,
    R_METRICS,
    R_OTHER,
    R_COUNT
} s_route_t;

static const char *s_route_names[R_COUNT] = {
    "/", "/areas.geojson", "/open311/v2/services.json", "/open311/v2/requests.json",
    "/open311/v2/requests/{id}.json", "/events", "/api/signals", "/api/summary",
    "/healthz", "/metrics", "other"};

//  The status codes counted apart; any other is counted as the last.
static const int s_codes[] = {200, 400, 403, 404, 405, 413, 500, 503, 0};
#define S_CODES (sizeof s_codes / sizeof s_codes[0])

//  The dashboard filters the gateway checks itself, in this order: each
//  a query parameter (area: or else wijk) and the codes it may name.
typedef enum { K_AREA, K_THEME, K_PRIORITY, K_TEAM, K_COUNT } s_known_t;
static const char *s_known_names[K_COUNT] = {"area", "theme", "priority", "team"};

typedef struct {
    sein_config_t *config; //  borrowed from the CLI core
    sein_keys_t *keys;     //  the gateway's own, NULL without security
    sein_http_keys_t *api_keys;
    json_t *services;      //  the themes as Open311 services
    char *areas;           //  the areas' GeoJSON
    size_t areas_size;
    //  The codes of data.areas and data.themes (each with triage), the
    //  priorities and the configured teams: seind's known codes
    //  (s_filter_codes in seind).
    zhashx_t *known[K_COUNT];
    const char *intake, *watch;
    int timeout, credit, heartbeat;
    bool dashboard;
    atomic_uint_fast64_t requests[R_COUNT][S_CODES];
    atomic_uint_fast64_t bytes; //  response bodies, streams apart
} s_gateway_t;

//  One request in progress: the form a POST is read into.
typedef struct {
    struct MHD_PostProcessor *post;
    json_t *fields;
    size_t bytes;
    bool too_large;
    bool post_refused; //  a body libmicrohttpd cannot read as a form
} s_request_t;

//  ---------------------------------------------------------------------
//  Answers

static void
s_count (s_gateway_t *self, s_route_t route, int status)
{
    size_t index = 0;
    while (s_codes[index] && s_codes[index] != status)
        index++;
    atomic_fetch_add (&self->requests[route][index], 1);
}

//  Queue TEXT (SIZE bytes, taken: freed by libmicrohttpd) as the answer.
static enum MHD_Result
s_answer (s_gateway_t *self, struct MHD_Connection *connection, s_route_t route, int status,
          const char *type, char *text, size_t size)
{
    struct MHD_Response *response =
        MHD_create_response_from_buffer (size, text, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header (response, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (route != R_DASHBOARD && route != R_AREAS)
        MHD_add_response_header (response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    //  A 405 says what is allowed (RFC 9110).
    if (status == 405)
        MHD_add_response_header (response, MHD_HTTP_HEADER_ALLOW,
                                 route == R_REQUESTS ? "GET, HEAD, POST" : "GET, HEAD");
    enum MHD_Result result = MHD_queue_response (connection, (unsigned) status, response);
    MHD_destroy_response (response);
    s_count (self, route, status);
    atomic_fetch_add (&self->bytes, size);
    return result;
}

//  Answer JSON (stolen).
static enum MHD_Result
s_json (s_gateway_t *self, struct MHD_Connection *connection, s_route_t route, int status,
        json_t *json)
{
    char *text = json_dumps (json, JSON_COMPACT | JSON_REAL_PRECISION (15));
    json_decref (json);
    sein_require (text);
    return s_answer (self, connection, route, status, "application/json; charset=utf-8", text,
                     strlen (text));
}

//  Answer the spec's error, [{"code": STATUS, "description": ...}].
static enum MHD_Result
s_error (s_gateway_t *self, struct MHD_Connection *connection, s_route_t route, int status,
         const char *format, ...) __attribute__ ((format (printf, 5, 6)));

static enum MHD_Result
s_error (s_gateway_t *self, struct MHD_Connection *connection, s_route_t route, int status,
         const char *format, ...)
{
    va_list args;
    va_start (args, format);
    char *text = NULL;
    if (vasprintf (&text, format, args) < 0)
        text = NULL;
    va_end (args);
    sein_require (text);
    json_t *error = sein_open311_error (status, text);
    free (text);
    return s_json (self, connection, route, status, error);
}

//  Answer seind's refusal REPLY (borrowed) with the status its code has.
static enum MHD_Result
s_refused (s_gateway_t *self, struct MHD_Connection *connection, s_route_t route,
           json_t *reply)
{
    json_t *error = json_object_get (reply, "error");
    const char *code = json_string_value (json_object_get (error, "code"));
    const char *message = json_string_value (json_object_get (error, "message"));
    const char *field =
        sein_open311_field (json_string_value (json_object_get (error, "field")));
    return s_error (self, connection, route, sein_open311_http_status (code), "%s%s%s",
                    field ? field : "", field ? ": " : "", message ? message : "refused");
}

//  ---------------------------------------------------------------------
//  Talking to seind

//  The connection's own client, made at its first call.
static sein_client_t *
s_client (s_gateway_t *self, struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info (connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    sein_client_t **client = (sein_client_t **) info->socket_context;
    if (!*client)
        *client = sein_client_new_secure (self->intake, self->keys);
    return *client;
}

//  One request to seind with BODY (stolen; NULL: {}): its reply (fresh),
//  or NULL when seind did not answer within client.timeout.
static json_t *
s_call (s_gateway_t *self, struct MHD_Connection *connection, const char *command,
        json_t *body)
{
    sein_client_t *client = s_client (self, connection);
    json_t *reply = client ? sein_client_call (client, command, body, self->timeout) : NULL;
    json_decref (body);
    return reply;
}

//  SUBMIT BODY (stolen) and wait for the ack. seind writes an accepted
//  ack as {"status":"accepted","duplicate":…,"seq":…,"id":"…",…}
//  (docs/PROTOCOL.md, *SUBMIT*): its id is copied into ID (ID_SIZE bytes)
//  without parsing the rest, a third of the gateway's work per POST
//  otherwise. Returns NULL then; else seind's refusal, parsed (fresh), or
//  NULL with ID empty when seind did not answer within client.timeout.
static json_t *
s_submit (s_gateway_t *self, struct MHD_Connection *connection, json_t *body, char *id,
          size_t id_size)
{
    static const char accepted[] = "{\"status\":\"accepted\",";
    static __thread uint64_t calls;
    *id = 0;
    char *text = json_dumps (body, JSON_COMPACT);
    json_decref (body);
    sein_require (text);
    char corr[32];
    int corr_len = snprintf (corr, sizeof corr, "http-%" PRIu64, ++calls);
    sein_client_t *client = s_client (self, connection);
    int64_t deadline = zclock_mono () + self->timeout;
    int sent = sein_client_send_raw (client, SEIN_SUBMIT, corr, text, strlen (text),
                                     self->timeout);
    free (text);
    while (!sent) {
        int64_t left = deadline - zclock_mono ();
        size_t size, corr_size;
        const char *mine;
        const char *reply = left > 0 ? sein_client_recv_raw (client, (int) left, &size, &mine,
                                                             &corr_size, NULL, NULL)
                                     : NULL;
        if (!reply && left <= 0)
            break;
        if (!reply || corr_size != (size_t) corr_len || memcmp (mine, corr, corr_size))
            continue; //  a late reply to an earlier call on this connection
        bool ok = size > sizeof accepted && memcmp (reply, accepted, sizeof accepted - 1) == 0;
        const char *key = ok ? (const char *) memmem (reply, size, "\"id\":\"", 6) : NULL;
        const char *value = key ? key + 6 : NULL;
        const char *end =
            value ? (const char *) memchr (value, '"', size - (size_t) (value - reply)) : NULL;
        if (end && (size_t) (end - value) < id_size) {
            memcpy (id, value, (size_t) (end - value));
            id[end - value] = 0;
            return NULL;
        }
        json_t *refusal = json_loadb (reply, size, 0, NULL);
        return refusal ? refusal : json_pack ("{s:s}", "status", "unreadable");
    }
    return NULL;
}

static bool
s_accepted (json_t *reply)
{
    const char *status = json_string_value (json_object_get (reply, "status"));
    return status && (streq (status, "ok") || streq (status, "accepted"));
}

//  ---------------------------------------------------------------------
//  Who is asking

static const char *
s_arg (struct MHD_Connection *connection, const char *name)
{
    const char *value = MHD_lookup_connection_value (connection, MHD_GET_ARGUMENT_KIND, name);
    return value && *value ? value : NULL;
}

//  The caller's principal, or -1 when its key is unknown (or it has none
//  and anonymous requests are refused).
static int
s_principal (s_gateway_t *self, struct MHD_Connection *connection, s_request_t *request,
             sein_principal_t *principal)
{
    const char *key = MHD_lookup_connection_value (connection, MHD_HEADER_KIND, "X-API-Key");
    if (!key)
        key = s_arg (connection, "api_key");
    if (!key && request->fields)
        key = json_string_value (json_object_get (request->fields, "api_key"));
    return sein_http_keys_lookup (self->api_keys, key, principal);
}

//  The team a query of PRINCIPAL is narrowed to, as seind narrows a
//  watch session (docs/PROTOCOL.md section 3): its own when it has one
//  and asked for none, the one asked for when it is its own. Returns NULL
//  with *team_p set (NULL: every team), or why not, with the HTTP status
//  in *status_p.
static const char *
s_team_scope (const sein_principal_t *principal, const char *asked, const char **team_p,
              int *status_p)
{
    *team_p = asked;
    *status_p = 403;
    if (principal->rights & SEIN_RIGHT_ALL_TEAMS)
        return NULL;
    if (asked)
        return sein_auth_has_team (principal, asked) ? NULL : "team: not one of this key's teams";
    //  ",a," is one team, ",a,b," several: then the caller must choose.
    const char *teams = principal->teams;
    if (!*teams)
        return "this key has no team to see";
    if (strchr (teams + 1, ',') != teams + strlen (teams) - 1) {
        *status_p = 400;
        return "team: name one of this key's teams";
    }
    static __thread char own[SEIN_AUTH_TEAMS_MAX + 1];
    snprintf (own, sizeof own, "%.*s", (int) strlen (teams) - 2, teams + 1);
    *team_p = own;
    return NULL;
}

//  ---------------------------------------------------------------------
//  Open311

static enum MHD_Result
s_services (s_gateway_t *self, struct MHD_Connection *connection)
{
    return s_json (self, connection, R_SERVICES, 200, json_deep_copy (self->services));
}

static enum MHD_Result
s_post_request (s_gateway_t *self, struct MHD_Connection *connection, s_request_t *request,
                const sein_principal_t *principal)
{
    if (request->too_large)
        return s_error (self, connection, R_REQUESTS, 413, "the form is over %d bytes",
                        S_FORM_MAX);
    if (request->post_refused)
        return s_error (self, connection, R_REQUESTS, 400,
                        "the body must be application/x-www-form-urlencoded or "
                        "multipart/form-data");
    json_t *fields = request->fields ? request->fields : json_object ();
    if (!request->fields)
        request->fields = fields;
    //  The client's retry id, qualified by who sent it so that two API
    //  clients' ids never meet.
    const char *retry = MHD_lookup_connection_value (connection, MHD_HEADER_KIND,
                                                     "Idempotency-Key");
    if (!retry || !*retry)
        retry = json_string_value (json_object_get (fields, "external_id"));
    //  A field that is not UTF-8 is named, not dropped (a description
    //  dropped would be "required", a retry id lost would store twice).
    const char *key;
    json_t *value;
    json_object_foreach (fields, key, value)
        if (!sein_utf8_valid (json_string_value (value), json_string_length (value), NULL))
            return s_error (self, connection, R_REQUESTS, 400, "%s: not UTF-8",
                            sein_utf8_valid (key, strlen (key), NULL) ? key : "a field");
    if (retry && !sein_utf8_valid (retry, strlen (retry), NULL))
        return s_error (self, connection, R_REQUESTS, 400, "Idempotency-Key: not UTF-8");
    char *external_id =
        retry && *retry ? sein_sprintf ("%s:%s", principal->name, retry) : NULL;
    const char *field = NULL;
    char *message = NULL;
    json_t *body = sein_open311_submit (fields, external_id, &field, &message);
    free (external_id);
    if (!body) {
        enum MHD_Result result =
            s_error (self, connection, R_REQUESTS, 400, "%s: %s", field, message);
        free (message);
        return result;
    }
    char id[128];
    json_t *refusal = s_submit (self, connection, body, id, sizeof id);
    enum MHD_Result result;
    if (*id)
        result = s_json (self, connection, R_REQUESTS, 200,
                         json_pack ("[{s:s}]", "service_request_id", id));
    else if (refusal)
        result = s_refused (self, connection, R_REQUESTS, refusal);
    else
        result = s_error (self, connection, R_REQUESTS, 503, "seind did not answer");
    json_decref (refusal);
    return result;
}

//  GET one signal by id as its service request: 0 with *request_p set,
//  or the HTTP status and *reply_p seind's refusal (or NULL).
static int
s_get_one (s_gateway_t *self, struct MHD_Connection *connection,
           const sein_principal_t *principal, const char *id, json_t **request_p,
           json_t **reply_p)
{
    *request_p = *reply_p = NULL;
    json_t *reply = s_call (self, connection, SEIN_GET, json_pack ("{s:s}", "id", id));
    if (!reply)
        return 503;
    if (!s_accepted (reply)) {
        *reply_p = reply;
        return sein_open311_http_status (
            json_string_value (json_object_get (json_object_get (reply, "error"), "code")));
    }
    json_t *signal = json_object_get (reply, "signal");
    //  A signal a narrowed key may not see does not exist for it.
    char teams[SEIN_AUTH_TEAMS_MAX + 1] = ",";
    size_t index;
    json_t *team;
    json_array_foreach (json_object_get (signal, "teams"), index, team)
        if (strlen (teams) + strlen (json_string_value (team)) + 2 < sizeof teams)
            strcat (strcat (teams, json_string_value (team)), ",");
    const char *assigned = json_string_value (json_object_get (signal, "assigned_team"));
    bool sees = sein_auth_sees (principal, teams) ||
                (assigned && sein_auth_has_team (principal, assigned));
    if (sees)
        *request_p = sein_open311_request (signal, self->services);
    json_decref (reply);
    return sees ? 0 : 404;
}

static enum MHD_Result
s_get_request (s_gateway_t *self, struct MHD_Connection *connection,
               const sein_principal_t *principal, const char *id)
{
    json_t *request, *reply;
    int status = s_get_one (self, connection, principal, id, &request, &reply);
    enum MHD_Result result;
    if (status == 0)
        result = s_json (self, connection, R_REQUEST, 200, json_pack ("[o]", request));
    else if (reply && status != 404)
        result = s_refused (self, connection, R_REQUEST, reply);
    else if (status == 404)
        result = s_error (self, connection, R_REQUEST, 404, "no service request %s", id);
    else
        result = s_error (self, connection, R_REQUEST, 503, "seind did not answer");
    json_decref (reply);
    return result;
}

//  RFC 3339 for the time DAYS days ago, in UTC.
static void
s_days_ago (int64_t days, char *text, size_t size)
{
    time_t then = time (NULL) - (time_t) (days * 86400);
    struct tm tm;
    gmtime_r (&then, &tm);
    strftime (text, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

//  COMMAND with BODY (stolen): seind's reply (fresh) when it accepted it;
//  else NULL, with *REFUSAL_P its refusal (fresh), or left NULL when seind
//  did not answer within client.timeout.
static json_t *
s_ask (s_gateway_t *self, struct MHD_Connection *connection, const char *command, json_t *body,
       json_t **refusal_p)
{
    json_t *reply = s_call (self, connection, command, body);
    if (reply && !s_accepted (reply)) {
        *refusal_p = reply;
        return NULL;
    }
    return reply;
}

//  Answer a call that s_ask gave up on: seind's REFUSAL (borrowed), or 503
//  when it is NULL.
static enum MHD_Result
s_failed (s_gateway_t *self, struct MHD_Connection *connection, s_route_t route,
          json_t *refusal)
{
    return refusal ? s_refused (self, connection, route, refusal)
                   : s_error (self, connection, route, 503, "seind did not answer");
}

//  LIST with BODY (stolen) and answer the dashboard's {"head", "signals"}.
static enum MHD_Result
s_list (s_gateway_t *self, struct MHD_Connection *connection, json_t *body)
{
    json_t *refusal = NULL;
    json_t *reply = s_ask (self, connection, SEIN_LIST, body, &refusal);
    enum MHD_Result result =
        reply ? s_json (self, connection, R_SIGNALS, 200,
                        json_pack ("{s:O,s:O}", "head", json_object_get (reply, "head"),
                                   "signals", json_object_get (reply, "signals")))
              : s_failed (self, connection, R_SIGNALS, refusal);
    json_decref (reply);
    json_decref (refusal);
    return result;
}

//  A filter value of the query: "a,b" is ["a","b"].
static json_t *
s_filter_values (const char *text)
{
    json_t *values = json_array ();
    char *copy = sein_strdup (text), *save = NULL;
    for (char *one = strtok_r (copy, ",", &save); one; one = strtok_r (NULL, ",", &save))
        json_array_append_new (values, json_string (one));
    free (copy);
    return values;
}

//  Newest first, for qsort.
static int
s_newer (const void *a, const void *b)
{
    json_int_t one = json_integer_value (json_object_get (*(json_t *const *) a, "seq"));
    json_int_t two = json_integer_value (json_object_get (*(json_t *const *) b, "seq"));
    return one < two ? 1 : one > two ? -1 : 0;
}

//  LIST with BODY (stolen), once for each theme of THEMES (borrowed; NULL
//  or empty: once, as it is), and answer the signals as Open311 requests,
//  newest first, at most S_LIST_LIMIT: the spec's service_code may name
//  several, and LIST takes one.
static enum MHD_Result
s_list_requests (s_gateway_t *self, struct MHD_Connection *connection, json_t *body,
                 json_t *themes)
{
    json_t *signals = json_array (), *refusal = NULL;
    size_t count = json_array_size (themes), index = 0;
    bool answered;
    do {
        json_t *each = json_copy (body);
        if (count)
            json_object_set (each, "theme", json_array_get (themes, index));
        json_t *reply = s_ask (self, connection, SEIN_LIST, each, &refusal);
        answered = reply != NULL;
        json_array_extend (signals, json_object_get (reply, "signals"));
        json_decref (reply);
    } while (answered && ++index < count);
    json_decref (body);
    enum MHD_Result result;
    if (answered) {
        size_t total = json_array_size (signals);
        json_t **sorted = (json_t **) sein_calloc (total + 1, sizeof *sorted);
        for (index = 0; index < total; index++)
            sorted[index] = json_array_get (signals, index);
        qsort (sorted, total, sizeof *sorted, s_newer);
        json_t *requests = json_array ();
        for (index = 0; index < total && json_array_size (requests) < S_LIST_LIMIT; index++)
            if (!index || s_newer (&sorted[index - 1], &sorted[index])) //  a code named twice
                json_array_append_new (requests,
                                       sein_open311_request (sorted[index], self->services));
        free (sorted);
        result = s_json (self, connection, R_REQUESTS, 200, requests);
    } else
        result = s_failed (self, connection, R_REQUESTS, refusal);
    json_decref (signals);
    json_decref (refusal);
    return result;
}

static enum MHD_Result
s_get_requests (s_gateway_t *self, struct MHD_Connection *connection,
                const sein_principal_t *principal)
{
    const char *ids = s_arg (connection, "service_request_id");
    if (ids) {
        //  The spec's list of ids: those that exist, in the order asked.
        json_t *requests = json_array ();
        char *copy = sein_strdup (ids), *save = NULL;
        int count = 0;
        for (char *id = strtok_r (copy, ",", &save); id; id = strtok_r (NULL, ",", &save)) {
            if (++count > S_LIST_LIMIT)
                break;
            json_t *request, *reply;
            int status = s_get_one (self, connection, principal, id, &request, &reply);
            json_decref (reply);
            if (status == 0)
                json_array_append_new (requests, request);
            else if (status == 503 || status == 500) {
                free (copy);
                json_decref (requests);
                return s_error (self, connection, R_REQUESTS, status, "seind did not answer");
            }
        }
        free (copy);
        return s_json (self, connection, R_REQUESTS, 200, requests);
    }
    const char *team = NULL;
    int refused;
    const char *why = s_team_scope (principal, s_arg (connection, "team"), &team, &refused);
    if (why)
        return s_error (self, connection, R_REQUESTS, refused, "%s", why);
    json_t *body = json_pack ("{s:i}", "limit", S_LIST_LIMIT);
    if (team)
        json_object_set_new (body, "team", json_string (team));
    //  The spec's status and service_code are comma-separated lists.
    const char *status = s_arg (connection, "status");
    json_t *states = status ? s_filter_values (status) : NULL;
    bool opened = false, closed = false;
    size_t index;
    json_t *state;
    json_array_foreach (states, index, state) {
        const char *one = json_string_value (state);
        if (!streq (one, "open") && !streq (one, "closed")) {
            json_decref (states);
            json_decref (body);
            return s_error (self, connection, R_REQUESTS, 400,
                            "status must be open, closed or both");
        }
        opened |= streq (one, "open");
        closed |= streq (one, "closed");
    }
    json_decref (states);
    if (opened != closed)
        json_object_set_new (body, "status", json_string (opened ? "open" : "finished"));
    const char *start = s_arg (connection, "start_date"), *end = s_arg (connection, "end_date");
    char since[32];
    if (!start && !end) {
        //  The spec's default window: the last 90 days.
        s_days_ago (90, since, sizeof since);
        start = since;
    }
    if (start)
        json_object_set_new (body, "from", json_string (start));
    if (end)
        json_object_set_new (body, "until", json_string (end));
    //  A service this gateway does not list is refused as the dashboard
    //  refuses an unknown theme: an empty list would hide the typo.
    const char *codes = s_arg (connection, "service_code");
    json_t *themes = codes ? s_filter_values (codes) : NULL;
    json_t *code;
    json_array_foreach (themes, index, code)
        if (!zhashx_lookup (self->known[K_THEME], json_string_value (code))) {
            enum MHD_Result result =
                s_error (self, connection, R_REQUESTS, 400, "service_code: unknown service '%s'",
                         json_string_value (code));
            json_decref (themes);
            json_decref (body);
            return result;
        }
    enum MHD_Result result = s_list_requests (self, connection, body, themes);
    json_decref (themes);
    return result;
}

//  ---------------------------------------------------------------------
//  The dashboard's endpoints

//  The area a dashboard query names: `area`, or else `wijk` (a wijk is
//  an area that includes its zones); NULL when neither. The parameter's
//  name goes to *NAME_P.
static const char *
s_area_arg (struct MHD_Connection *connection, const char **name_p)
{
    *name_p = s_arg (connection, "area") ? "area" : "wijk";
    return s_arg (connection, *name_p);
}

//  The first code of a dashboard query's area, theme or priority (with
//  SEVERAL a comma-separated list, as /events takes) that the gateway
//  does not know, into UNKNOWN (SIZE bytes, cut short); its parameter's
//  name to *NAME_P, what it is (area, theme, priority) to *WHAT_P.
//  Returns true when there is one. Every dashboard endpoint refuses it
//  alike, before asking seind: LIST and STATS match any code, so the
//  list and counts would answer 200 with nothing while the stream was
//  refused, and a page on a typo would retry for ever.
static bool
s_unknown_code (s_gateway_t *self, struct MHD_Connection *connection, bool several,
                const char **name_p, const char **what_p, char *unknown, size_t size)
{
    for (int known = 0; known < K_COUNT; known++) {
        *what_p = *name_p = s_known_names[known];
        const char *text = known == K_AREA ? s_area_arg (connection, name_p)
                                           : s_arg (connection, *name_p);
        json_t *codes = !text ? json_array () : several ? s_filter_values (text)
                                                        : json_pack ("[s]", text);
        size_t index;
        json_t *code;
        bool found = false;
        json_array_foreach (codes, index, code)
            if (!zhashx_lookup (self->known[known], json_string_value (code))) {
                snprintf (unknown, size, "%s", json_string_value (code));
                found = true;
                break;
            }
        json_decref (codes);
        if (found)
            return true;
    }
    return false;
}

//  The filters /api/signals and /api/summary share, from the query, into
//  BODY (a LIST or STATS body), with TEAM (NULL: none), so that the list,
//  the counts and the /events stream a page opens select the same
//  signals. A zone is more precise than its wijk: `area` wins over
//  `wijk`, and seind's area takes either (a wijk includes its zones).
static void
s_dashboard_filters (struct MHD_Connection *connection, const char *team, json_t *body)
{
    const char *name;
    const char *area = s_area_arg (connection, &name);
    if (area)
        json_object_set_new (body, "area", json_string (area));
    const char *names[] = {"theme", "priority"};
    for (size_t index = 0; index < sizeof names / sizeof names[0]; index++) {
        const char *value = s_arg (connection, names[index]);
        if (value)
            json_object_set_new (body, names[index], json_string (value));
    }
    if (team)
        json_object_set_new (body, "team", json_string (team));
}

static enum MHD_Result
s_signals (s_gateway_t *self, struct MHD_Connection *connection,
           const sein_principal_t *principal)
{
    const char *team = NULL;
    int refused;
    const char *why = s_team_scope (principal, s_arg (connection, "team"), &team, &refused);
    if (why)
        return s_error (self, connection, R_SIGNALS, refused, "%s", why);
    const char *text = s_arg (connection, "limit");
    long long limit = text ? sein_cli_number (text) : 200;
    if (limit < 1 || limit > S_LIST_LIMIT)
        return s_error (self, connection, R_SIGNALS, 400, "limit must be 1..%d", S_LIST_LIMIT);
    json_t *body = json_pack ("{s:I}", "limit", (json_int_t) limit);
    s_dashboard_filters (connection, team, body);
    const char *status = s_arg (connection, "status");
    if (status)
        json_object_set_new (body, "status", json_string (status));
    return s_list (self, connection, body);
}

//  Add to THEMES the signals that FILTERS (borrowed) select, received at
//  or after SINCE, with a seq after FROM and up to UPTO: those a STATS
//  answered at head FROM did not count and one at UPTO would have.
//  Returns 0, or -1 with *REFUSAL_P as s_ask sets it.
static int
s_count_between (s_gateway_t *self, struct MHD_Connection *connection, json_t *filters,
                 const char *since, json_int_t from, json_int_t upto, json_t *themes,
                 json_t **refusal_p)
{
    bool more = from < upto;
    while (more) {
        json_t *body = json_pack ("{s:s,s:s,s:i}", "from", since, "order", "seq", "limit",
                                  S_LIST_LIMIT);
        json_object_update (body, filters);
        if (from > 0)
            json_object_set_new (body, "after", json_integer (from));
        json_t *page = s_ask (self, connection, SEIN_LIST, body, refusal_p);
        if (!page)
            return -1;
        //  A full page has a next one, unless it went past UPTO.
        more = json_is_integer (json_object_get (page, "next"));
        size_t index;
        json_t *signal;
        json_array_foreach (json_object_get (page, "signals"), index, signal) {
            json_int_t seq = json_integer_value (json_object_get (signal, "seq"));
            const char *theme = json_string_value (json_object_get (signal, "theme"));
            if (seq > upto) {
                more = false;
                break;
            }
            from = seq;
            if (theme)
                json_object_set_new (
                    themes, theme,
                    json_integer (json_integer_value (json_object_get (themes, theme)) + 1));
        }
        json_decref (page);
    }
    return 0;
}

//  Counts per theme over the last DAYS days, and open and overdue now,
//  all as of one seq, `head`: a page that counts on from the events after
//  it counts nothing twice and misses nothing (docs/DASHBOARD.md).
static enum MHD_Result
s_summary (s_gateway_t *self, struct MHD_Connection *connection,
           const sein_principal_t *principal)
{
    const char *team = NULL;
    int refused;
    const char *why = s_team_scope (principal, s_arg (connection, "team"), &team, &refused);
    if (why)
        return s_error (self, connection, R_SUMMARY, refused, "%s", why);
    const char *text = s_arg (connection, "days");
    long long days = text ? sein_cli_number (text) : 7;
    if (days < 1 || days > 3660)
        return s_error (self, connection, R_SUMMARY, 400, "days must be 1..3660");
    char since[32];
    s_days_ago (days, since, sizeof since);
    json_t *filters = json_object ();
    s_dashboard_filters (connection, team, filters);
    //  Two STATS, each at the head seind has when it answers, which moves
    //  while signals arrive. The counts per theme come first: the signals
    //  stored before the second's head are then counted from a LIST, so
    //  that both reflect the second's head. (Open and overdue cannot be
    //  made up that way: they depend on every signal's state.)
    json_t *recent = json_pack ("{s:s,s:[s],s:i}", "from", since, "by", "theme", "streets", 0);
    json_object_update (recent, filters);
    json_t *refusal = NULL, *second = NULL, *themes = NULL;
    json_t *first = s_ask (self, connection, SEIN_STATS, recent, &refusal);
    if (first) {
        json_t *now = json_pack ("{s:s,s:[s],s:i}", "status", "open", "by", "theme", "streets", 0);
        json_object_update (now, filters);
        second = s_ask (self, connection, SEIN_STATS, now, &refusal);
    }
    json_int_t head = json_integer_value (json_object_get (second, "head"));
    if (second) {
        themes = json_object ();
        size_t index;
        json_t *group;
        json_array_foreach (json_object_get (first, "groups"), index, group)
            json_object_set (themes, json_string_value (json_object_get (group, "theme")),
                             json_object_get (group, "count"));
        json_int_t before = json_integer_value (json_object_get (first, "head"));
        if (s_count_between (self, connection, filters, since, before, head, themes, &refusal)) {
            json_decref (themes);
            themes = NULL;
        }
    }
    enum MHD_Result result;
    if (themes) {
        json_t *total = json_object_get (second, "total");
        result = s_json (self, connection, R_SUMMARY, 200,
                         json_pack ("{s:I,s:I,s:o,s:O,s:O}", "days", (json_int_t) days, "head",
                                    head, "themes", themes, "open",
                                    json_object_get (total, "count"), "overdue",
                                    json_object_get (total, "overdue")));
    } else
        result = s_failed (self, connection, R_SUMMARY, refusal);
    json_decref (filters);
    json_decref (first);
    json_decref (second);
    json_decref (refusal);
    return result;
}

//  ---------------------------------------------------------------------
//  Server-Sent Events

static ssize_t
s_stream_read (void *cls, uint64_t position, char *buf, size_t max)
{
    (void) position;
    return sein_http_stream_read ((sein_http_stream_t *) cls, buf, max);
}

static void
s_stream_free (void *cls)
{
    sein_http_stream_t *stream = (sein_http_stream_t *) cls;
    sein_http_stream_destroy (&stream);
}

static enum MHD_Result
s_events (s_gateway_t *self, struct MHD_Connection *connection,
          const sein_principal_t *principal)
{
    json_t *filter = json_object ();
    const char *name;
    const char *keys[] = {"area", "theme", "team", "priority"};
    for (size_t index = 0; index < 4; index++) {
        const char *value =
            index == 0 ? s_area_arg (connection, &name) : s_arg (connection, keys[index]);
        if (value)
            json_object_set_new (filter, keys[index], s_filter_values (value));
    }
    //  Narrowed as seind narrows a watcher's key: its own teams unless it
    //  names some, and then only those.
    json_t *teams = json_object_get (filter, "team");
    size_t index;
    json_t *team;
    bool foreign = false;
    json_array_foreach (teams, index, team)
        foreign |= !(principal->rights & SEIN_RIGHT_ALL_TEAMS) &&
                   !sein_auth_has_team (principal, json_string_value (team));
    if (!teams && !(principal->rights & SEIN_RIGHT_ALL_TEAMS)) {
        char own[SEIN_AUTH_TEAMS_MAX + 1];
        snprintf (own, sizeof own, "%s", principal->teams);
        json_object_set_new (filter, "team", s_filter_values (own));
        foreign = !*own;
    }
    if (foreign) {
        json_decref (filter);
        return s_error (self, connection, R_EVENTS, 403, "team: not one of this key's teams");
    }
    //  Resume after the last event the browser saw.
    const char *last = MHD_lookup_connection_value (connection, MHD_HEADER_KIND,
                                                    "Last-Event-ID");
    if (!last || !*last)
        last = s_arg (connection, "since");
    long long after = last ? sein_cli_number (last) : -1;
    if (last && after < 0) {
        json_decref (filter);
        return s_error (self, connection, R_EVENTS, 400,
                        "Last-Event-ID or since must be a seq (an integer >= 0)");
    }
    json_t *refusal = NULL;
    sein_http_stream_t *stream =
        sein_http_stream_new (self->watch, self->keys, filter, after >= 0 ? after + 1 : 0,
                              self->credit, self->heartbeat, self->timeout, &refusal);
    json_decref (filter);
    if (!stream) {
        enum MHD_Result result =
            refusal ? s_refused (self, connection, R_EVENTS, refusal)
                    : s_error (self, connection, R_EVENTS, 503, "seind did not answer");
        json_decref (refusal);
        return result;
    }
    struct MHD_Response *response = MHD_create_response_from_callback (
        MHD_SIZE_UNKNOWN, 16384, s_stream_read, stream, s_stream_free);
    MHD_add_response_header (response, MHD_HTTP_HEADER_CONTENT_TYPE,
                             "text/event-stream; charset=utf-8");
    MHD_add_response_header (response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result result = MHD_queue_response (connection, MHD_HTTP_OK, response);
    MHD_destroy_response (response);
    s_count (self, R_EVENTS, 200);
    return result;
}

//  ---------------------------------------------------------------------
//  Health and metrics

static enum MHD_Result
s_healthz (s_gateway_t *self, struct MHD_Connection *connection)
{
    json_t *reply = s_call (self, connection, SEIN_PING, NULL);
    bool ok = reply && s_accepted (reply);
    json_decref (reply);
    return s_answer (self, connection, R_HEALTHZ, ok ? 200 : 503, "text/plain; charset=utf-8",
                     sein_strdup (ok ? "ok\n" : "seind unavailable\n"), ok ? 3 : 18);
}

static enum MHD_Result
s_metrics (s_gateway_t *self, struct MHD_Connection *connection)
{
    //  seind's counters through libsein's renderer, as `seinctl metrics`
    //  prints them, then the gateway's own.
    json_t *reply = s_call (self, connection, SEIN_METRICS, NULL);
    char *seind = sein_metrics_text (reply && s_accepted (reply) ? reply : NULL);
    json_decref (reply);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    sein_require (out);
    fputs (seind, out);
    free (seind);
    fprintf (out, "# HELP sein_http_requests_total HTTP requests answered, by route and status.\n"
                  "# TYPE sein_http_requests_total counter\n");
    for (int route = 0; route < R_COUNT; route++)
        for (size_t index = 0; index < S_CODES; index++) {
            uint64_t count = atomic_load (&self->requests[route][index]);
            if (count)
                fprintf (out, "sein_http_requests_total{path=\"%s\",code=\"%s%.0d\"} %" PRIu64 "\n",
                         s_route_names[route], s_codes[index] ? "" : "other", s_codes[index],
                         count);
        }
    fprintf (out,
             "# HELP sein_http_sse_clients Open /events streams.\n"
             "# TYPE sein_http_sse_clients gauge\nsein_http_sse_clients %ld\n"
             "# HELP sein_http_sse_events_total Events sent on /events streams.\n"
             "# TYPE sein_http_sse_events_total counter\nsein_http_sse_events_total %" PRIu64 "\n"
             "# HELP sein_http_response_bytes_total Bytes of response bodies sent.\n"
             "# TYPE sein_http_response_bytes_total counter\n"
             "sein_http_response_bytes_total{kind=\"plain\"} %" PRIu64 "\n"
             "sein_http_response_bytes_total{kind=\"sse\"} %" PRIu64 "\n",
             sein_http_streams_open (), sein_http_streams_events (),
             (uint64_t) atomic_load (&self->bytes), sein_http_streams_bytes ());
    fclose (out);
    return s_answer (self, connection, R_METRICS, 200, "text/plain; version=0.0.4; charset=utf-8",
                     text, size);
}

//  ---------------------------------------------------------------------
//  Dispatch

static s_route_t
s_route (const char *url, char *id, size_t id_size)
{
    static const char prefix[] = "/open311/v2/requests/";
    if (strncmp (url, prefix, sizeof prefix - 1) == 0) {
        const char *start = url + sizeof prefix - 1;
        size_t len = strlen (start);
        if (len > 5 && len - 5 < id_size && streq (start + len - 5, ".json") &&
            !memchr (start, '/', len)) {
            snprintf (id, id_size, "%.*s", (int) (len - 5), start);
            return R_REQUEST;
        }
        return R_OTHER;
    }
    for (int route = 0; route < R_REQUEST; route++)
        if (streq (url, s_route_names[route]))
            return (s_route_t) route;
    for (int route = R_EVENTS; route < R_OTHER; route++)
        if (streq (url, s_route_names[route]))
            return (s_route_t) route;
    return R_OTHER;
}

//  The right each route needs (seind's command behind it).
static const char *
s_route_command (s_route_t route, bool post)
{
    switch (route) {
    case R_REQUESTS:
        return post ? SEIN_SUBMIT : SEIN_LIST;
    case R_REQUEST:
    case R_SIGNALS:
    case R_SUMMARY:
        return SEIN_LIST;
    case R_EVENTS:
        return SEIN_WATCH;
    case R_METRICS:
        return SEIN_METRICS;
    default:
        return NULL; //  public: the page, the areas, the services, health
    }
}

static enum MHD_Result
s_form_field (void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
              const char *content_type, const char *transfer_encoding, const char *data,
              uint64_t offset, size_t size)
{
    (void) kind, (void) filename, (void) content_type, (void) transfer_encoding;
    s_request_t *request = (s_request_t *) cls;
    request->bytes += size + strlen (key);
    if (request->bytes > S_FORM_MAX) {
        request->too_large = true;
        return MHD_NO;
    }
    const char *before = offset ? json_string_value (json_object_get (request->fields, key)) : "";
    char *value = sein_sprintf ("%s%.*s", before ? before : "", (int) size, data ? data : "");
    //  A field that is not UTF-8 is refused by seind with its field name;
    //  jansson would refuse the string here, so it is kept as it reads.
    json_t *string = json_stringn_nocheck (value, strlen (value));
    json_object_set_new (request->fields, key, string);
    free (value);
    return MHD_YES;
}

//  The name of the first query parameter whose name or value is not
//  UTF-8 (ARG, a const char ** for it), for libmicrohttpd's iterator.
static enum MHD_Result
s_not_utf8 (void *arg, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void) kind;
    if (sein_utf8_valid (key, strlen (key), NULL) &&
        (!value || sein_utf8_valid (value, strlen (value), NULL)))
        return MHD_YES;
    *(const char **) arg = key;
    return MHD_NO;
}

static enum MHD_Result
s_handle (void *cls, struct MHD_Connection *connection, const char *url, const char *method,
          const char *version, const char *upload_data, size_t *upload_data_size,
          void **con_cls)
{
    (void) version;
    s_gateway_t *self = (s_gateway_t *) cls;
    bool post = streq (method, MHD_HTTP_METHOD_POST);
    s_request_t *request = (s_request_t *) *con_cls;
    if (!request) {
        request = (s_request_t *) sein_calloc (1, sizeof *request);
        *con_cls = request;
        if (post) {
            request->fields = json_object ();
            request->post = MHD_create_post_processor (connection, 1024, s_form_field, request);
            request->post_refused = !request->post;
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (request->post && !request->too_large &&
            MHD_post_process (request->post, upload_data, *upload_data_size) != MHD_YES &&
            !request->too_large)
            request->post_refused = true;
        *upload_data_size = 0;
        return MHD_YES;
    }
    char id[256];
    s_route_t route = s_route (url, id, sizeof id);
    bool get = streq (method, MHD_HTTP_METHOD_GET) || streq (method, MHD_HTTP_METHOD_HEAD);
    if (route == R_OTHER || (route == R_DASHBOARD && !self->dashboard))
        return s_error (self, connection, R_OTHER, 404, "no such resource: %s", url);
    if (!(get || (post && route == R_REQUESTS)))
        return s_error (self, connection, route, 405, "%s is not allowed on %s", method, url);
    //  Everything sein stores and matches is UTF-8: a parameter that is
    //  not would otherwise vanish from a filter, and match everything.
    const char *bad = NULL;
    MHD_get_connection_values (connection, MHD_GET_ARGUMENT_KIND, s_not_utf8, &bad);
    if (bad)
        return s_error (self, connection, route, 400, "the parameter %s is not UTF-8",
                        sein_utf8_valid (bad, strlen (bad), NULL) ? bad : "name");
    const char *command = s_route_command (route, post);
    sein_principal_t principal;
    if (command && s_principal (self, connection, request, &principal))
        return s_error (self, connection, route, 403, "an API key this gateway knows is needed");
    if (command && !sein_auth_allows (&principal, command))
        return s_error (self, connection, route, 403, "the role %s may not %s", principal.role,
                        post ? "submit" : route == R_EVENTS ? "watch" : "query");
    const char *name, *what;
    char unknown[72];
    if ((route == R_SIGNALS || route == R_SUMMARY || route == R_EVENTS) &&
        s_unknown_code (self, connection, route == R_EVENTS, &name, &what, unknown,
                        sizeof unknown))
        return s_error (self, connection, route, 400, "%s: unknown %s '%s'", name, what,
                        unknown);
    switch (route) {
    case R_DASHBOARD:
        return s_answer (self, connection, route, 200, "text/html; charset=utf-8",
                         sein_strndup ((const char *) sein_http_dashboard,
                                       sein_http_dashboard_size),
                         sein_http_dashboard_size);
    case R_AREAS:
        return s_answer (self, connection, route, 200, "application/geo+json",
                         sein_strndup (self->areas, self->areas_size), self->areas_size);
    case R_SERVICES:
        return s_services (self, connection);
    case R_REQUESTS:
        return post ? s_post_request (self, connection, request, &principal)
                    : s_get_requests (self, connection, &principal);
    case R_REQUEST:
        return s_get_request (self, connection, &principal, id);
    case R_EVENTS:
        return s_events (self, connection, &principal);
    case R_SIGNALS:
        return s_signals (self, connection, &principal);
    case R_SUMMARY:
        return s_summary (self, connection, &principal);
    case R_HEALTHZ:
        return s_healthz (self, connection);
    case R_METRICS:
        return s_metrics (self, connection);
    default:
        return MHD_NO;
    }
}

static void
s_completed (void *cls, struct MHD_Connection *connection, void **con_cls,
             enum MHD_RequestTerminationCode code)
{
    (void) cls, (void) connection, (void) code;
    s_request_t *request = (s_request_t *) *con_cls;
    if (request) {
        if (request->post)
            MHD_destroy_post_processor (request->post);
        json_decref (request->fields);
        free (request);
        *con_cls = NULL;
    }
}

//  A connection's client to seind lives as long as the connection.
static void
s_connection (void *cls, struct MHD_Connection *connection, void **socket_context,
              enum MHD_ConnectionNotificationCode code)
{
    (void) cls, (void) connection;
    if (code == MHD_CONNECTION_NOTIFY_STARTED)
        *socket_context = sein_calloc (1, sizeof (sein_client_t *));
    else if (*socket_context) {
        sein_client_t **client = (sein_client_t **) *socket_context;
        sein_client_destroy (client);
        free (client);
        *socket_context = NULL;
    }
}

//  ---------------------------------------------------------------------
//  Main

//  An areas file row: its code is one the dashboard's queries may name.
static char *
s_area_code (void *arg, char **fields, int nfields, int line)
{
    (void) nfields, (void) line;
    zhashx_insert ((zhashx_t *) arg, fields[0], (void *) 1);
    return NULL;
}

static int
s_load (s_gateway_t *self, sein_cli_t *cli)
{
    sein_config_t *config = cli->config;
    char *error = NULL;
    self->config = config;
    self->api_keys = sein_http_keys_new (config, &error);
    if (!error)
        self->services = sein_open311_services (sein_config_str (config, "data.themes"), &error);
    //  The codes seind's classifier knows (sein_classifier_known_area,
    //  _theme: triage too) and the priorities seind takes.
    for (int known = 0; known < K_COUNT; known++) {
        self->known[known] = zhashx_new ();
        zhashx_set_key_duplicator (self->known[known], (zhashx_duplicator_fn *) sein_strdup);
        if (known == K_AREA || known == K_THEME)
            zhashx_insert (self->known[known], SEIN_TRIAGE, (void *) 1);
    }
    size_t index;
    json_t *service;
    json_array_foreach (self->services, index, service)
        zhashx_insert (self->known[K_THEME],
                       json_string_value (json_object_get (service, "service_code")), (void *) 1);
    for (index = 0; sein_priorities[index]; index++)
        zhashx_insert (self->known[K_PRIORITY], sein_priorities[index], (void *) 1);
    //  seind refuses a configuration without its teams list, so here a
    //  missing or odd one only leaves the set empty for seind to judge.
    config_setting_t *teams = config_setting_get_member (sein_config_root (config), "teams");
    for (int item = 0; teams && item < config_setting_length (teams); item++) {
        const char *team = NULL;
        if (config_setting_lookup_string (config_setting_get_elem (teams, item), "name", &team))
            zhashx_insert (self->known[K_TEAM], team, (void *) 1);
    }
    if (!error)
        error = sein_tsv_load (sein_config_str (config, "data.areas"), "code\tname\tkind\tparent",
                               3, 5, s_area_code, self->known[K_AREA]);
    if (!error) {
        const char *path = sein_config_str (config, "data.polygons");
        zchunk_t *chunk = NULL;
        FILE *file = fopen (path, "rb");
        if (file) {
            chunk = zchunk_read (file, 64 * 1024 * 1024);
            fclose (file);
        }
        if (!chunk)
            error = sein_sprintf ("%s: cannot read the areas (data.polygons)", path);
        else {
            self->areas_size = zchunk_size (chunk);
            self->areas = sein_strndup ((const char *) zchunk_data (chunk), self->areas_size);
            zchunk_destroy (&chunk);
        }
    }
    if (error) {
        fprintf (stderr, "%s: %s\n", cli->program, error);
        free (error);
        return -1;
    }
    self->intake = sein_config_str (config, "endpoints.intake");
    self->watch = sein_config_str (config, "endpoints.watch");
    self->timeout = (int) sein_config_int (config, "client.timeout");
    self->credit = (int) sein_config_int (config, "http.credit");
    self->heartbeat = (int) sein_config_int (config, "http.heartbeat");
    self->dashboard = sein_config_bool (config, "http.dashboard");
    return 0;
}

//  Listen on ADDRESS until SIGINT or SIGTERM. Returns the exit status.
static int
s_serve (s_gateway_t *self, sein_cli_t *cli, struct sockaddr_in *address)
{
    //  czmq would end zloop-less programs on SIGINT only through its flag;
    //  the main thread waits for the signal itself.
    zsys_handler_set (NULL);
    sigset_t signals;
    sigemptyset (&signals);
    sigaddset (&signals, SIGINT);
    sigaddset (&signals, SIGTERM);
    sigaddset (&signals, SIGHUP);
    //  Blocked before any thread starts, so every thread inherits it and
    //  only sigwait below takes them.
    pthread_sigmask (SIG_BLOCK, &signals, NULL);
    signal (SIGPIPE, SIG_IGN);
    struct MHD_Daemon *daemon = MHD_start_daemon (
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
        0, NULL, NULL, s_handle, self, MHD_OPTION_SOCK_ADDR, (struct sockaddr *) address,
        MHD_OPTION_CONNECTION_LIMIT,
        (unsigned int) sein_config_int (cli->config, "http.connections_max"),
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) 120, MHD_OPTION_NOTIFY_COMPLETED,
        s_completed, self, MHD_OPTION_NOTIFY_CONNECTION, s_connection, self, MHD_OPTION_END);
    int status = SEIN_EXIT_OK;
    const char *host = sein_config_str (cli->config, "http.address");
    if (!daemon) {
        fprintf (stderr, "%s: cannot listen on %s:%d\n", cli->program, host,
                 (int) sein_config_int (cli->config, "http.port"));
        status = SEIN_EXIT_UNAVAILABLE;
    } else {
        fprintf (stderr, "%s: listening on http://%s:%d/\n", cli->program, host,
                 (int) sein_config_int (cli->config, "http.port"));
        int taken = 0;
        while (sigwait (&signals, &taken) == 0 && taken == SIGHUP)
            ; //  nothing to reload: every setting is read at the start
        sein_http_streams_stop ();
        MHD_stop_daemon (daemon);
    }
    return status;
}

int
main (int argc, char **argv)
{
    sein_cli_t cli = {.program = "sein-http",
                      .synopsis = "[OPTIONS]",
                      .summary = "Serve sein over HTTP: Open311 GeoReport v2, Server-Sent "
                                 "Events, the dashboard, /healthz and /metrics.",
                      .table = sein_settings};
    int first = sein_cli_parse (&cli, argc, argv);
    if (first < argc)
        sein_cli_usage_error (&cli, "unexpected argument '%s'", argv[first]);
    if (!sein_config_bool (cli.config, "http.enabled")) {
        fprintf (stderr, "%s: http.enabled is false in %s: set it, or pass -o "
                         "http.enabled=true\n",
                 cli.program, sein_config_file (cli.config));
        sein_cli_finish (&cli);
        return SEIN_EXIT_CONFIG;
    }
    s_gateway_t *self = (s_gateway_t *) sein_calloc (1, sizeof *self);
    int status = s_load (self, &cli) ? SEIN_EXIT_CONFIG : SEIN_EXIT_OK;
    //  With security on the gateway holds its own key (http.key), whose
    //  role must allow what the gateway forwards: docs/OPEN311.md.
    if (!status && sein_config_bool (cli.config, "security.enabled")) {
        char *error = NULL;
        self->keys = sein_keys_new (sein_config_str (cli.config, "security.keys"),
                                    sein_config_str (cli.config, "http.key"),
                                    sein_config_str (cli.config, "security.server_key"), &error);
        if (!self->keys) {
            fprintf (stderr, "%s: http.key: %s\n", cli.program, error);
            free (error);
            status = SEIN_EXIT_CONFIG;
        }
    }
    struct sockaddr_in address = {.sin_family = AF_INET,
                                  .sin_port = htons ((uint16_t) sein_config_int (cli.config,
                                                                                 "http.port"))};
    const char *host = sein_config_str (cli.config, "http.address");
    if (!status && inet_pton (AF_INET, host, &address.sin_addr) != 1) {
        fprintf (stderr, "%s: http.address '%s' is not an IPv4 address\n", cli.program, host);
        status = SEIN_EXIT_CONFIG;
    }
    if (!status)
        status = s_serve (self, &cli, &address);
    sein_http_keys_destroy (&self->api_keys);
    sein_keys_destroy (&self->keys);
    json_decref (self->services);
    for (int known = 0; known < K_COUNT; known++)
        zhashx_destroy (&self->known[known]);
    free (self->areas);
    free (self);
    sein_cli_finish (&cli);
    return status;
}
