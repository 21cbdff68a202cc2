// SPDX-License-Identifier: MPL-2.0
/*  sein_lifecycle.c - a signal's life after intake: states, changes, events */
#include "sein_lifecycle.h"

#include "sein.h"
#include "sein_alloc.h"

#define S_BIT(state) (1u << (state))
//  The states a signal still being worked on may go to.
#define S_WORK                                                                        \
    (S_BIT (SEIN_STATE_ACKNOWLEDGED) | S_BIT (SEIN_STATE_IN_PROGRESS) |               \
     S_BIT (SEIN_STATE_REFERRED) | S_BIT (SEIN_STATE_RESOLVED) |                      \
     S_BIT (SEIN_STATE_DUPLICATE) | S_BIT (SEIN_STATE_REJECTED))

#define S_NOTE_MAX   2000 //  bytes of a note or reason
#define S_PERSON_MAX 128  //  bytes of a person's name
#define S_ID_MAX     64   //  bytes of a signal id in a request

//  The workflow: every state, in sein_state_t's order, with what a change
//  into it needs and where it may go next. Work goes forward; a finished
//  signal (resolved, duplicate, rejected) is closed or reopened, a closed
//  one only reopened. Referring again (to yet another team) is allowed,
//  acknowledging or starting work again is not.
static const struct {
    const char *name;
    bool open;
    unsigned needs;
    unsigned to;
} s_states[SEIN_NSTATES] = {
    [SEIN_STATE_NEW] = {"new", true, 0, S_WORK},
    [SEIN_STATE_ACKNOWLEDGED] = {"acknowledged", true, 0,
                                 S_WORK & ~S_BIT (SEIN_STATE_ACKNOWLEDGED)},
    [SEIN_STATE_IN_PROGRESS] = {"in_progress", true, 0,
                                S_WORK & ~S_BIT (SEIN_STATE_ACKNOWLEDGED) &
                                    ~S_BIT (SEIN_STATE_IN_PROGRESS)},
    [SEIN_STATE_REFERRED] = {"referred", true, SEIN_NEEDS_NOTE | SEIN_NEEDS_TEAM, S_WORK},
    [SEIN_STATE_RESOLVED] = {"resolved", false, 0,
                             S_BIT (SEIN_STATE_CLOSED) | S_BIT (SEIN_STATE_REOPENED)},
    [SEIN_STATE_CLOSED] = {"closed", false, 0, S_BIT (SEIN_STATE_REOPENED)},
    [SEIN_STATE_DUPLICATE] = {"duplicate", false, SEIN_NEEDS_OF,
                              S_BIT (SEIN_STATE_CLOSED) | S_BIT (SEIN_STATE_REOPENED)},
    [SEIN_STATE_REJECTED] = {"rejected", false, SEIN_NEEDS_NOTE,
                             S_BIT (SEIN_STATE_CLOSED) | S_BIT (SEIN_STATE_REOPENED)},
    [SEIN_STATE_REOPENED] = {"reopened", true, 0, S_WORK},
};

const char *
sein_state_name (sein_state_t state)
{
    assert (state < SEIN_NSTATES);
    return s_states[state].name;
}

int
sein_state_find (const char *name)
{
    for (int state = 0; name && state < SEIN_NSTATES; state++)
        if (streq (s_states[state].name, name))
            return state;
    return -1;
}

bool
sein_state_open (sein_state_t state)
{
    assert (state < SEIN_NSTATES);
    return s_states[state].open;
}

unsigned
sein_state_needs (sein_state_t state)
{
    assert (state < SEIN_NSTATES);
    return s_states[state].needs;
}

bool
sein_state_allowed (sein_state_t from, sein_state_t to)
{
    assert (from < SEIN_NSTATES && to < SEIN_NSTATES);
    return (s_states[from].to & S_BIT (to)) != 0;
}

int
sein_state_check (sein_state_t from, sein_state_t to, sein_error_t *error)
{
    if (sein_state_allowed (from, to))
        return 0;
    char allowed[160] = "";
    for (int state = 0; state < SEIN_NSTATES; state++)
        if (sein_state_allowed (from, (sein_state_t) state))
            snprintf (allowed + strlen (allowed), sizeof allowed - strlen (allowed), "%s%s",
                      *allowed ? ", " : "", s_states[state].name);
    return sein_error_set (error, "transition", "status",
                           "a signal in state %s cannot become %s; it can become: %s",
                           s_states[from].name, s_states[to].name, allowed);
}

//  ---------------------------------------------------------------------
//  The commands and their bodies

static const char *const s_status_fields[] = {"signal", "status", "note", "team",
                                              "of",     "by",     NULL};
static const char *const s_note_fields[] = {"signal", "note", "by", NULL};
static const char *const s_assign_fields[] = {"signal", "team", "person", "note", "by", NULL};
static const char *const s_unlink_fields[] = {"signal", "by", NULL};
static const char *const s_reclassify_fields[] = {"signal", "theme", "area",
                                                  "note",   "by",    NULL};

const sein_wire_command_t sein_lifecycle_commands[] = {
    {SEIN_STATUS, s_status_fields, false},
    {SEIN_NOTE, s_note_fields, false},
    {SEIN_ASSIGN, s_assign_fields, false},
    {SEIN_UNLINK, s_unlink_fields, false},
    {SEIN_RECLASSIFY, s_reclassify_fields, false},
};
const size_t sein_lifecycle_ncommands =
    sizeof sein_lifecycle_commands / sizeof sein_lifecycle_commands[0];

bool
sein_lifecycle_command (const char *command)
{
    for (size_t index = 0; command && index < sein_lifecycle_ncommands; index++)
        if (streq (sein_lifecycle_commands[index].name, command))
            return true;
    return false;
}

//  A signal reference in FIELD: an id (string) or a seq (integer >= 1).
//  Absent is fine when not REQUIRED.
static int
s_ref (json_t *body, const char *field, bool required, sein_ref_t *ref, sein_error_t *error)
{
    json_t *value = sein_wire_field (body, field);
    memset (ref, 0, sizeof *ref);
    if (!value)
        return required ? sein_error_set (error, "required", field,
                                          "%s (a signal's id or seq) is required", field)
                        : 0;
    if (json_is_integer (value)) {
        if (json_integer_value (value) < 1)
            return sein_error_set (error, "value", field, "%s: a seq is 1 or more", field);
        ref->seq = json_integer_value (value);
        return 0;
    }
    if (!json_is_string (value))
        return sein_error_set (error, "type", field,
                               "%s must be a signal's id (string) or seq (integer)", field);
    ref->id = json_string_value (value);
    if (*ref->id == 0)
        return sein_error_set (error, "empty", field, "%s must not be empty", field);
    if (json_string_length (value) > S_ID_MAX)
        return sein_error_set (error, "too-long", field, "%s is longer than %d bytes", field,
                               S_ID_MAX);
    return 0;
}

//  An optional text of at most MAX bytes, no control characters but tab
//  and line breaks when MULTILINE. The wire reader checked UTF-8.
static int
s_text (json_t *body, const char *field, size_t max, bool multiline, const char **text_p,
        sein_error_t *error)
{
    json_t *value = sein_wire_field (body, field);
    *text_p = NULL;
    if (!value)
        return 0;
    if (!json_is_string (value))
        return sein_error_set (error, "type", field, "%s must be a string", field);
    const char *text = json_string_value (value);
    size_t length = json_string_length (value);
    if (length == 0)
        return sein_error_set (error, "empty", field, "%s must not be empty", field);
    if (length > max)
        return sein_error_set (error, "too-long", field, "%s is longer than %zu bytes", field,
                               max);
    for (size_t at = 0; at < length; at++) {
        unsigned char byte = (unsigned char) text[at];
        bool allowed = multiline && (byte == '\t' || byte == '\n' || byte == '\r');
        if ((byte < 0x20 && !allowed) || byte == 0x7f)
            return sein_error_set (error, "value", field,
                                   "%s holds a control character (byte %zu)", field, at);
    }
    *text_p = text;
    return 0;
}

//  A team name that the routing configuration knows.
static int
s_team (json_t *body, const sein_router_t *router, const char **team_p, sein_error_t *error)
{
    if (s_text (body, "team", SEIN_TOKEN_MAX, false, team_p, error))
        return -1;
    if (*team_p && !sein_router_known_team (router, *team_p))
        return sein_error_set (error, "unknown-team", "team", "unknown team '%s'", *team_p);
    return 0;
}

//  An optional area or theme code (FIELD) that CLASSIFIER knows.
static int
s_code (json_t *body, const char *field, const sein_classifier_t *classifier,
        const char **code_p, sein_error_t *error)
{
    if (s_text (body, field, SEIN_TOKEN_MAX, false, code_p, error))
        return -1;
    bool area = streq (field, "area");
    if (*code_p && !(area ? sein_classifier_known_area (classifier, *code_p)
                          : sein_classifier_known_theme (classifier, *code_p)))
        return sein_error_set (error, area ? "unknown-area" : "unknown-theme", field,
                               "unknown %s '%s'", field, *code_p);
    return 0;
}

int
sein_change_parse (sein_change_t *change, const char *command, json_t *body,
                   const sein_setup_t *setup, sein_error_t *error)
{
    assert (change);
    assert (command);
    assert (json_is_object (body));
    assert (setup);
    const sein_router_t *router = setup->router;
    const sein_classifier_t *classifier = setup->classifier;
    memset (change, 0, sizeof *change);
    change->kind = streq (command, SEIN_STATUS)       ? SEIN_CHANGE_STATUS
                   : streq (command, SEIN_NOTE)       ? SEIN_CHANGE_NOTE
                   : streq (command, SEIN_ASSIGN)     ? SEIN_CHANGE_ASSIGN
                   : streq (command, SEIN_RECLASSIFY) ? SEIN_CHANGE_RECLASSIFY
                                                      : SEIN_CHANGE_UNLINK;
    assert (change->kind != SEIN_CHANGE_UNLINK || streq (command, SEIN_UNLINK));
    if (s_ref (body, "signal", true, &change->signal, error))
        return -1;
    //  Who: the declared name for now (a token, like a submitter); the
    //  authenticated key's name once there are keys (issue 12).
    json_t *by = sein_wire_field (body, "by");
    if (by) {
        if (!json_is_string (by))
            return sein_error_set (error, "type", "by", "by must be a string");
        if (!sein_token_valid (json_string_value (by)))
            return sein_error_set (error, "value", "by",
                                   "by must be a token: 1..63 of a-z 0-9 - _ .");
        change->by = json_string_value (by);
    } else
        change->by = "anonymous";
    if (s_text (body, "note", S_NOTE_MAX, true, &change->note, error))
        return -1;
    if (change->kind == SEIN_CHANGE_NOTE && !change->note)
        return sein_error_set (error, "required", "note", "note (a string) is required");
    if (change->kind == SEIN_CHANGE_ASSIGN) {
        if (s_team (body, router, &change->team, error) ||
            s_text (body, "person", S_PERSON_MAX, false, &change->person, error))
            return -1;
        if (!change->team)
            return sein_error_set (error, "required", "team", "team (a team's name) is required");
    }
    if (change->kind == SEIN_CHANGE_RECLASSIFY) {
        if (s_code (body, "area", classifier, &change->area, error) ||
            s_code (body, "theme", classifier, &change->theme, error))
            return -1;
        if (!change->area && !change->theme)
            return sein_error_set (error, "required", "theme",
                                   "theme or area (or both) is required");
        if (change->area) {
            const char *wijk = sein_classifier_wijk_of (classifier, change->area);
            snprintf (change->wijk, sizeof change->wijk, "%s", wijk ? wijk : "triage");
        }
        change->setup = setup;
    }
    if (change->kind != SEIN_CHANGE_STATUS)
        return 0;
    json_t *status = sein_wire_field (body, "status");
    if (!status)
        return sein_error_set (error, "required", "status", "status (a state) is required");
    if (!json_is_string (status))
        return sein_error_set (error, "type", "status", "status must be a string");
    int to = sein_state_find (json_string_value (status));
    if (to < 0 || to == SEIN_STATE_NEW) {
        char names[160] = "";
        for (int state = SEIN_STATE_NEW + 1; state < SEIN_NSTATES; state++)
            snprintf (names + strlen (names), sizeof names - strlen (names), "%s%s",
                      *names ? ", " : "", s_states[state].name);
        return sein_error_set (error, "value", "status", "status must be one of: %s", names);
    }
    change->to = (sein_state_t) to;
    unsigned needs = s_states[to].needs;
    if (s_team (body, router, &change->team, error) ||
        s_ref (body, "of", false, &change->of, error))
        return -1;
    if ((needs & SEIN_NEEDS_NOTE) && !change->note)
        return sein_error_set (error, "required", "note", "a %s signal needs a reason: note",
                               s_states[to].name);
    if ((needs & SEIN_NEEDS_TEAM) && !change->team)
        return sein_error_set (error, "required", "team",
                               "a %s signal needs the team it goes to: team", s_states[to].name);
    if (!(needs & SEIN_NEEDS_TEAM) && change->team)
        return sein_error_set (error, "value", "team", "team is only for status referred");
    if ((needs & SEIN_NEEDS_OF) && !change->of.id && !change->of.seq)
        return sein_error_set (error, "required", "of",
                               "a duplicate needs the signal it duplicates: of");
    if (!(needs & SEIN_NEEDS_OF) && (change->of.id || change->of.seq))
        return sein_error_set (error, "value", "of", "of is only for status duplicate");
    return 0;
}

//  ---------------------------------------------------------------------
//  Stored events

void
sein_lifecycle_events_clear (sein_lifecycle_events_t *events)
{
    for (size_t index = 0; index < events->count; index++) {
        free (events->items[index].text);
        free (events->items[index].body);
    }
    events->count = 0;
}

void
sein_lifecycle_events_free (sein_lifecycle_events_t *events)
{
    sein_lifecycle_events_clear (events);
    free (events->items);
    memset (events, 0, sizeof *events);
}

void
sein_lifecycle_keep (sein_lifecycle_events_t *out, const sein_event_t *event, const sein_buf_t *buf)
{
    if (out->count == out->capacity) {
        out->capacity = out->capacity ? 2 * out->capacity : 2;
        out->items = (sein_lifecycle_event_t *) sein_realloc (
            out->items, out->capacity * sizeof out->items[0]);
    }
    sein_lifecycle_event_t *kept = &out->items[out->count++];
    const char *fields[] = {event->kind,  event->at,       event->area,   event->wijk,
                            event->theme, event->priority, event->source, event->teams};
    const char **copies[] = {&kept->event.kind,  &kept->event.at,       &kept->event.area,
                             &kept->event.wijk,  &kept->event.theme,    &kept->event.priority,
                             &kept->event.source, &kept->event.teams};
    size_t size = 0;
    for (size_t index = 0; index < 8; index++)
        size += strlen (fields[index]) + 1;
    kept->text = (char *) sein_malloc (size);
    char *cursor = kept->text;
    for (size_t index = 0; index < 8; index++) {
        size_t length = strlen (fields[index]) + 1;
        memcpy (cursor, fields[index], length);
        *copies[index] = cursor;
        cursor += length;
    }
    kept->body = sein_strndup (buf->data, buf->size);
    kept->event.seq = event->seq;
    kept->event.signal = event->signal;
    kept->event.body = kept->body;
    kept->event.body_size = buf->size;
    kept->event.owners = NULL; //  only a new signal's event has them
}

static void
s_field_ref (sein_buf_t *buf, const char *key, int64_t seq, const char *id)
{
    sein_buf_key (buf, key);
    sein_buf_raw (buf, "{", 1);
    sein_buf_field_string (buf, "id", id);
    sein_buf_field_int (buf, "seq", seq);
    sein_buf_raw (buf, "}", 1);
}

//  Begin the event of KIND about the signal in ROW at AT by BY:
//  {"seq","event","at","signal":{"id","seq"},"by"
static void
s_begin (sein_buf_t *buf, int64_t seq, const char *kind, const char *at,
         const sein_store_row_t *row, const char *by)
{
    sein_buf_reset (buf);
    sein_buf_raw (buf, "{", 1);
    sein_buf_field_int (buf, "seq", seq);
    sein_buf_field_string (buf, "event", kind);
    sein_buf_field_string (buf, "at", at);
    s_field_ref (buf, "signal", row->seq, row->id);
    sein_buf_field_string (buf, "by", by);
}

//  End it with the signal's codes, store it with UPDATE and keep it.
static int
s_finish (sein_store_t *store, sein_buf_t *buf, const char *kind, const char *at,
          const sein_store_row_t *row, const sein_store_update_t *update,
          sein_lifecycle_events_t *out)
{
    sein_buf_field_string (buf, "area", row->area);
    sein_buf_field_string (buf, "wijk", row->wijk);
    sein_buf_field_string (buf, "theme", row->theme);
    sein_buf_field_string (buf, "priority", row->priority);
    sein_buf_field_string (buf, "source", row->source);
    sein_buf_field_teams (buf, "teams", row->teams);
    sein_buf_raw (buf, "}", 1);
    sein_event_t event = {.kind = kind,
                          .at = at,
                          .area = row->area ? row->area : "",
                          .wijk = row->wijk ? row->wijk : "",
                          .theme = row->theme ? row->theme : "",
                          .priority = row->priority ? row->priority : "",
                          .source = row->source ? row->source : "",
                          .teams = row->teams,
                          .body = buf->data,
                          .body_size = buf->size,
                          .signal = row->seq};
    if (sein_store_add_change (store, &event, update))
        return SEIN_LIFECYCLE_FAILED;
    sein_lifecycle_keep (out, &event, buf);
    return SEIN_LIFECYCLE_STORED;
}

//  Find the signal REF names into ROW; FIELD names it in a refusal.
static int
s_find (sein_store_t *store, const sein_ref_t *ref, const char *field, sein_store_row_t *row,
        sein_error_t *error)
{
    int found = sein_store_find_signal (store, ref->id, ref->seq, row);
    if (found < 0)
        return SEIN_LIFECYCLE_FAILED;
    if (found == 0) {
        if (ref->id)
            sein_error_set (error, "not-found", field, "no signal with id '%s'", ref->id);
        else
            sein_error_set (error, "not-found", field, "no signal with seq %lld",
                            (long long) ref->seq);
        return SEIN_LIFECYCLE_REFUSED;
    }
    return SEIN_LIFECYCLE_STORED;
}

//  Find the signal CHANGE is about into ROW, within the team scope of
//  whoever asked (staff act only on their teams' signals).
static int
s_find_scoped (sein_store_t *store, const sein_change_t *change, sein_store_row_t *row,
               sein_error_t *error)
{
    int rc = s_find (store, &change->signal, "signal", row, error);
    if (rc == SEIN_LIFECYCLE_STORED && change->principal &&
        !sein_auth_scope (change->principal, row->teams, row->assigned_team)) {
        sein_auth_out_of_scope (change->principal, "signal", error);
        return SEIN_LIFECYCLE_REFUSED;
    }
    return rc;
}

static int
s_apply_status (sein_store_t *store, const sein_change_t *change, const char *at,
                sein_store_row_t *row, sein_lifecycle_events_t *out, sein_buf_t *buf,
                sein_error_t *error)
{
    int from = sein_state_find (row->status);
    if (from < 0) {
        sein_error_set (error, "internal", NULL, "signal %lld has an unknown status '%s'",
                        (long long) row->seq, row->status);
        return SEIN_LIFECYCLE_REFUSED;
    }
    if (sein_state_check ((sein_state_t) from, change->to, error))
        return SEIN_LIFECYCLE_REFUSED;
    int64_t of_seq = 0;
    char of_id[S_ID_MAX + 1] = "";
    if (change->to == SEIN_STATE_DUPLICATE) {
        //  Look the original up first: the row of the signal itself is
        //  the statement's current row and would be overwritten, so it
        //  is looked up again afterwards.
        sein_store_row_t of;
        int rc = s_find (store, &change->of, "of", &of, error);
        if (rc != SEIN_LIFECYCLE_STORED)
            return rc;
        of_seq = of.seq;
        snprintf (of_id, sizeof of_id, "%s", of.id);
        sein_ref_t self = {NULL, row->seq};
        if ((rc = s_find (store, &self, "signal", row, error)) != SEIN_LIFECYCLE_STORED)
            return rc;
        if (of_seq == row->seq) {
            sein_error_set (error, "value", "of", "a signal cannot duplicate itself");
            return SEIN_LIFECYCLE_REFUSED;
        }
    }
    sein_store_update_t update = {.seq = row->seq,
                                  .status = sein_state_name (change->to),
                                  .updated_at = at};
    //  The first response of any kind counts as the acknowledgement.
    if (from == SEIN_STATE_NEW)
        update.acknowledged_at = at;
    if (change->to == SEIN_STATE_RESOLVED)
        update.resolved_at = at;
    if (change->to == SEIN_STATE_CLOSED)
        update.closed_at = at;
    if (change->to == SEIN_STATE_REFERRED)
        update.assigned_team = change->team;
    if (change->to == SEIN_STATE_DUPLICATE) {
        update.set_related = true;
        update.related_to = of_seq;
    }
    //  A reopened duplicate stands on its own again.
    if (change->to == SEIN_STATE_REOPENED && from == SEIN_STATE_DUPLICATE) {
        update.set_related = true;
        update.related_to = 0;
    }
    s_begin (buf, sein_store_next_seq (store), "status", at, row, change->by);
    sein_buf_field_string (buf, "from", row->status);
    sein_buf_field_string (buf, "to", sein_state_name (change->to));
    sein_buf_field_string (buf, "note", change->note);
    sein_buf_field_string (buf, "team", change->team);
    if (of_seq)
        s_field_ref (buf, "of", of_seq, of_id);
    return s_finish (store, buf, "status", at, row, &update, out);
}

//  The channel the signal came in by, from its creation event (the row
//  has none), into CHANNEL; "" when it had none.
typedef struct {
    char *channel;
    size_t size;
} s_channel_t;

static int
s_channel_of (const sein_event_t *event, void *arg)
{
    s_channel_t *found = (s_channel_t *) arg;
    if (!streq (event->kind, "signal"))
        return 1;
    json_t *body = json_loadb (event->body, event->body_size, 0, NULL);
    const char *channel = json_string_value (json_object_get (body, "channel"));
    snprintf (found->channel, found->size, "%s", channel ? channel : "");
    json_decref (body);
    return 1;
}

//  ",a,b," and ",b,c," into ",a,b,c," in UNION (SIZE bytes).
static void
s_teams_union (const char *one, const char *other, char *out, size_t size)
{
    snprintf (out, size, "%s", one);
    for (const char *team = other + 1; *team; ) {
        const char *end = strchr (team, ',');
        if (!end)
            break;
        char member[SEIN_TOKEN_MAX + 3];
        int len = snprintf (member, sizeof member, ",%.*s,", (int) (end - team), team);
        size_t used = strlen (out);
        if (!strstr (out, member) && used + (size_t) len < size)
            snprintf (out + used, size - used, "%s", member + 1);
        team = end + 1;
    }
}

//  RECLASSIFY: the row gets the new codes and the teams they route to; the
//  event carries the new codes and the old teams with the new, so that a
//  team that loses the signal sees it go, and the one that gains it sees
//  it come. Every later event carries the new codes from the row.
static int
s_apply_reclassify (sein_store_t *store, const sein_change_t *change, const char *at,
                    sein_store_row_t *row, sein_lifecycle_events_t *out, sein_buf_t *buf,
                    sein_error_t *error)
{
    //  The row's strings last until the next call on the store: the
    //  history is read first, then the row again.
    int64_t seq = row->seq;
    char channel[SEIN_TOKEN_MAX + 1] = "";
    s_channel_t found = {channel, sizeof channel};
    if (sein_store_history (store, seq, INT64_MAX, s_channel_of, &found) < 0)
        return SEIN_LIFECYCLE_FAILED;
    sein_ref_t self = {NULL, seq};
    int rc = s_find (store, &self, "signal", row, error);
    if (rc != SEIN_LIFECYCLE_STORED)
        return rc == SEIN_LIFECYCLE_REFUSED ? SEIN_LIFECYCLE_FAILED : rc;
    const char *area = change->area ? change->area : row->area;
    const char *wijk = change->area ? change->wijk : row->wijk;
    const char *theme = change->theme ? change->theme : row->theme;
    sein_route_input_t input = {area, wijk, theme, row->priority, row->source,
                                *channel ? channel : NULL};
    sein_route_t route;
    sein_router_route (change->setup->router, &input, &route);
    //  A new theme brings its own deadline, counted from when the signal
    //  came in, as at intake, under the rules in force now; without a row
    //  it has none. The overdue search reads the row's, so it follows.
    //  The area alone changes no deadline: the row's stays.
    const char *due_at = row->due_at;
    char due[SEIN_TIME_MAX] = "";
    if (change->theme && !streq (change->theme, row->theme)) {
        sein_deadlines_due (change->setup->deadlines, theme, row->priority, row->received_at,
                            due, sizeof due);
        due_at = *due ? due : NULL;
    }
    char teams[SEIN_ROUTE_TEAMS_SIZE * 2];
    s_teams_union (row->teams, route.teams, teams, sizeof teams);

    s_begin (buf, sein_store_next_seq (store), "reclassified", at, row, change->by);
    sein_buf_key (buf, "from");
    sein_buf_raw (buf, "{", 1);
    sein_buf_field_string (buf, "area", row->area);
    sein_buf_field_string (buf, "theme", row->theme);
    sein_buf_raw (buf, "}", 1);
    sein_buf_key (buf, "to");
    sein_buf_raw (buf, "{", 1);
    sein_buf_field_string (buf, "area", area);
    sein_buf_field_string (buf, "theme", theme);
    sein_buf_raw (buf, "}", 1);
    sein_buf_field_string (buf, "rule", route.rule);
    sein_buf_field_string (buf, "due_at", due_at);
    sein_buf_field_string (buf, "note", change->note);
    sein_store_update_t update = {.seq = seq,
                                  .updated_at = at,
                                  .area = area,
                                  .wijk = wijk,
                                  .theme = theme,
                                  .teams = route.teams,
                                  .due_at = due_at};
    //  The event goes out under the new codes and both sets of teams.
    sein_store_row_t after = *row;
    after.area = area;
    after.wijk = wijk;
    after.theme = theme;
    after.teams = teams;
    return s_finish (store, buf, "reclassified", at, &after, &update, out);
}

int
sein_lifecycle_apply (sein_store_t *store, const sein_change_t *change, const char *at,
                      sein_lifecycle_events_t *out, sein_buf_t *buf, sein_error_t *error)
{
    assert (store);
    assert (change && change->kind != SEIN_CHANGE_SWEEP);
    sein_store_row_t row;
    int rc = s_find_scoped (store, change, &row, error);
    if (rc != SEIN_LIFECYCLE_STORED)
        return rc;
    if (change->kind == SEIN_CHANGE_STATUS)
        return s_apply_status (store, change, at, &row, out, buf, error);
    if (change->kind == SEIN_CHANGE_RECLASSIFY)
        return s_apply_reclassify (store, change, at, &row, out, buf, error);
    sein_store_update_t update = {.seq = row.seq, .updated_at = at};
    if (change->kind == SEIN_CHANGE_NOTE) {
        s_begin (buf, sein_store_next_seq (store), "note", at, &row, change->by);
        sein_buf_field_string (buf, "note", change->note);
        return s_finish (store, buf, "note", at, &row, &update, out);
    }
    if (change->kind == SEIN_CHANGE_ASSIGN) {
        update.assigned_team = change->team;
        update.set_assignee = true;
        update.assignee = change->person;
        s_begin (buf, sein_store_next_seq (store), "assign", at, &row, change->by);
        sein_buf_field_string (buf, "team", change->team);
        sein_buf_field_string (buf, "person", change->person);
        sein_buf_field_string (buf, "note", change->note);
        return s_finish (store, buf, "assign", at, &row, &update, out);
    }
    //  UNLINK: the signal leaves the case it was linked to.
    if (!row.related_to || streq (row.status, "duplicate")) {
        sein_error_set (error, "value", "signal",
                        row.related_to ? "a duplicate is undone by reopening it"
                                       : "this signal is not linked to another");
        return SEIN_LIFECYCLE_REFUSED;
    }
    int64_t seq = row.seq;
    sein_store_row_t case_row;
    sein_ref_t case_ref = {NULL, row.related_to};
    if ((rc = s_find (store, &case_ref, "signal", &case_row, error)) != SEIN_LIFECYCLE_STORED)
        return rc == SEIN_LIFECYCLE_REFUSED ? SEIN_LIFECYCLE_FAILED : rc;
    int64_t case_seq = case_row.seq, reports = case_row.reports - 1;
    char case_id[S_ID_MAX + 1];
    snprintf (case_id, sizeof case_id, "%s", case_row.id);
    sein_store_update_t undo = {.seq = case_seq, .updated_at = at, .reports_delta = -1};
    if (sein_store_add_change (store, NULL, &undo))
        return SEIN_LIFECYCLE_FAILED;
    sein_ref_t self = {NULL, seq};
    if ((rc = s_find (store, &self, "signal", &row, error)) != SEIN_LIFECYCLE_STORED)
        return rc == SEIN_LIFECYCLE_REFUSED ? SEIN_LIFECYCLE_FAILED : rc;
    update.set_related = true;
    update.related_to = 0;
    s_begin (buf, sein_store_next_seq (store), "unlinked", at, &row, change->by);
    s_field_ref (buf, "of", case_seq, case_id);
    sein_buf_field_int (buf, "reports", reports);
    return s_finish (store, buf, "unlinked", at, &row, &update, out);
}

typedef struct {
    sein_store_t *store;
    const char *at;
    sein_lifecycle_events_t *out;
    sein_buf_t *buf;
    int64_t *seqs;
    size_t count;
} s_sweep_t;

static int
s_collect_due (const sein_store_row_t *row, void *arg)
{
    s_sweep_t *sweep = (s_sweep_t *) arg;
    sweep->seqs[sweep->count++] = row->seq;
    return 0;
}

int
sein_lifecycle_sweep (sein_store_t *store, const char *at, int limit,
                      sein_lifecycle_events_t *out, sein_buf_t *buf)
{
    assert (store);
    assert (limit > 0);
    //  Collect first: storing while the search is still reading would
    //  change the index it walks.
    s_sweep_t sweep = {store, at, out, buf,
                       (int64_t *) sein_calloc ((size_t) limit, sizeof (int64_t)), 0};
    int rc = sein_store_overdue (store, at, limit, s_collect_due, &sweep) < 0
                 ? SEIN_LIFECYCLE_FAILED
                 : SEIN_LIFECYCLE_STORED;
    for (size_t index = 0; rc == SEIN_LIFECYCLE_STORED && index < sweep.count; index++) {
        sein_store_row_t row;
        if (sein_store_find_signal (store, NULL, sweep.seqs[index], &row) != 1) {
            rc = SEIN_LIFECYCLE_FAILED;
            break;
        }
        sein_store_update_t update = {.seq = row.seq, .overdue = true};
        s_begin (buf, sein_store_next_seq (store), "overdue", at, &row, "seind");
        sein_buf_field_string (buf, "status", row.status);
        sein_buf_field_string (buf, "due_at", row.due_at);
        sein_buf_field_string (buf, "assigned_team", row.assigned_team);
        rc = s_finish (store, buf, "overdue", at, &row, &update, out);
    }
    free (sweep.seqs);
    return rc;
}

int
sein_lifecycle_find_case (sein_store_t *store, const sein_link_scope_t *scope,
                          const char *theme, double lat, double lon,
                          sein_store_row_t *case_row)
{
    assert (store);
    assert (scope);
    if (scope->radius <= 0 || streq (theme, "triage"))
        return 0;
    return sein_store_find_nearby (store, theme, scope->from, lat, lon, scope->radius,
                                   case_row);
}

int
sein_lifecycle_link (sein_store_t *store, int64_t case_seq, int64_t new_seq,
                     const char *new_id, int64_t joined, const char *at,
                     sein_lifecycle_events_t *out, sein_buf_t *buf)
{
    assert (joined > 0);
    sein_store_row_t row;
    if (sein_store_find_signal (store, NULL, case_seq, &row) != 1)
        return SEIN_LIFECYCLE_FAILED;
    sein_store_update_t update = {.seq = case_seq, .updated_at = at, .reports_delta = joined};
    s_begin (buf, sein_store_next_seq (store), "linked", at, &row, "seind");
    s_field_ref (buf, "related", new_seq, new_id);
    sein_buf_field_int (buf, "reports", row.reports + joined);
    sein_buf_field_int (buf, "joined", joined);
    return s_finish (store, buf, "linked", at, &row, &update, out);
}
