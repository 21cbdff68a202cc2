// SPDX-License-Identifier: MPL-2.0
/*  sein_lifecycle.h - a signal's life after intake: states, changes, events

    One table holds the workflow (sein_lifecycle.c): each state, whether
    it is open, what a change into it needs (a note, a team, the signal it
    duplicates) and the states it may go to. Everything else asks it.

    A change travels like a submission (sein_batch.h): the server reads
    the request (STATUS, NOTE, ASSIGN, UNLINK, RECLASSIFY, rows of
    sein_lifecycle_commands) and queues it in the batch; the prepare step
    checks its body without the store (sein_change_parse); the store step,
    on the writer inside the batch's transaction, looks the signal up,
    checks the transition against its current state, stores the event and
    updates the signal's row (sein_lifecycle_apply). A refusal there
    rejects that change only. The events it stores are appended to a list
    (sein_lifecycle_events_t) that the server publishes after the commit
    is on disk, like a new signal's.

    Every event about a signal carries that signal's codes (area, wijk,
    theme, priority, source, teams), so the broadcast topic and the watch
    filters treat it as they treat the signal: a team's watcher sees its
    signals' changes. The event shapes are in docs/PROTOCOL.md, "Events".

    Who made a change is one value, `by`, resolved per request in
    sein_change_parse: today the name the body declares (default
    "anonymous"); with authentication the key's name.
*/
#ifndef SEIN_LIFECYCLE_H_INCLUDED
#define SEIN_LIFECYCLE_H_INCLUDED

#include "sein_json.h"
#include "sein_setup.h"
#include "sein_signal.h"
#include "sein_store.h"
#include "sein_wire.h"

typedef enum {
    SEIN_STATE_NEW,
    SEIN_STATE_ACKNOWLEDGED,
    SEIN_STATE_IN_PROGRESS,
    SEIN_STATE_REFERRED,
    SEIN_STATE_RESOLVED,
    SEIN_STATE_CLOSED,
    SEIN_STATE_DUPLICATE,
    SEIN_STATE_REJECTED,
    SEIN_STATE_REOPENED,
    SEIN_NSTATES
} sein_state_t;

//  What a change into a state needs besides the state.
#define SEIN_NEEDS_NOTE 1u //  a reason: `note`
#define SEIN_NEEDS_TEAM 2u //  the team it goes to: `team`
#define SEIN_NEEDS_OF   4u //  the signal it duplicates: `of`

//  The state's name ("in_progress"); STATE must be valid.
const char *
    sein_state_name (sein_state_t state);

//  The state named NAME, or -1 when there is none.
int
    sein_state_find (const char *name);

//  True for the states in which a signal still needs work (new,
//  acknowledged, in_progress, referred, reopened): deadlines run and
//  nearby reports link only to these.
bool
    sein_state_open (sein_state_t state);

//  SEIN_NEEDS_* for a change into STATE.
unsigned
    sein_state_needs (sein_state_t state);

//  True when a signal in FROM may go to TO.
bool
    sein_state_allowed (sein_state_t from, sein_state_t to);

//  0 when FROM may go to TO; else -1 with ERROR set to code `transition`
//  and a message naming the states FROM may go to.
int
    sein_state_check (sein_state_t from, sein_state_t to, sein_error_t *error);

//  The intake commands that change signals, with the body fields each
//  takes: one row each (a role column goes here once keys have roles).
extern const sein_wire_command_t sein_lifecycle_commands[];
extern const size_t sein_lifecycle_ncommands;

//  True when COMMAND is one of sein_lifecycle_commands.
bool
    sein_lifecycle_command (const char *command);

typedef enum {
    SEIN_CHANGE_STATUS,
    SEIN_CHANGE_NOTE,
    SEIN_CHANGE_ASSIGN,
    SEIN_CHANGE_UNLINK,
    SEIN_CHANGE_RECLASSIFY,
    SEIN_CHANGE_SWEEP //  the housekeeping timer's overdue search, no request
} sein_change_kind_t;

//  A signal as a request names it: its id, or else its seq.
typedef struct {
    const char *id;
    int64_t seq;
} sein_ref_t;

//  One checked change; strings borrow from the body it was parsed from.
typedef struct {
    sein_change_kind_t kind;
    sein_ref_t signal;
    sein_state_t to;  //  STATUS
    const char *note; //  NULL when absent, as the others
    const char *team;
    const char *person;
    sein_ref_t of;
    const char *by; //  who: never NULL once parsed
    //  Who asked, for the team scope (sein_auth_scope); NULL: no scope
    //  (tests, the housekeeping timer).
    const sein_principal_t *principal;
    //  RECLASSIFY: the new codes, NULL for the one kept; the area's wijk;
    //  the setup whose router re-routes it and whose deadlines date it (the
    //  batch's, immutable while it is out)
    const char *area, *theme;
    char wijk[SEIN_CODE_MAX];
    const sein_setup_t *setup;
} sein_change_t;

//  Check BODY of a change COMMAND (the wire reader has bounded it and
//  checked its field names) into *CHANGE without the store: types,
//  values, the state's name and what the state needs, team names against
//  SETUP's router, area and theme codes against its classifier. SETUP
//  (borrowed) must outlive the change. Returns 0, or -1 with ERROR set.
int
    sein_change_parse (sein_change_t *change, const char *command, json_t *body,
                       const sein_setup_t *setup, sein_error_t *error);

//  An event stored by the lifecycle, owned: its strings point into
//  `text` and `body`, which it owns.
typedef struct {
    sein_event_t event;
    char *text;
    char *body;
} sein_lifecycle_event_t;

//  The events one pending item stored, in seq order.
typedef struct {
    sein_lifecycle_event_t *items;
    size_t count;
    size_t capacity;
} sein_lifecycle_events_t;

//  Free every event and empty the list; keeps its array.
void
    sein_lifecycle_events_clear (sein_lifecycle_events_t *events);

//  Free the list and its array; zero it.
void
    sein_lifecycle_events_free (sein_lifecycle_events_t *events);

//  Keep a copy of EVENT, whose body is BUF, at the end of OUT: for
//  another class's events on the same path (sein_alerts.h).
void
    sein_lifecycle_keep (sein_lifecycle_events_t *out, const sein_event_t *event,
                         const sein_buf_t *buf);

//  Outcomes of the store step.
#define SEIN_LIFECYCLE_STORED  0
#define SEIN_LIFECYCLE_REFUSED 1  //  ERROR set (not-found, transition, value)
#define SEIN_LIFECYCLE_FAILED  -1 //  the store failed: the batch rolls back

//  Store CHANGE (not a sweep) at time AT inside the store's open
//  transaction: find the signal, check the change against its state,
//  store the event and update its row. A RECLASSIFY writes the new codes
//  and teams on the row, and with a new theme the due_at that theme's
//  deadline gives (none without one); its event carries the new codes,
//  the due_at, and the teams of before and after, so both see it. Appends the stored event to OUT;
//  BUF is the caller's rendering scratch.
int
    sein_lifecycle_apply (sein_store_t *store, const sein_change_t *change, const char *at,
                          sein_lifecycle_events_t *out, sein_buf_t *buf,
                          sein_error_t *error);

//  Inside the open transaction: one `overdue` event for each open signal
//  whose due_at is before AT and that had none yet, at most LIMIT, marked
//  on its row so it never gets a second. Appends them to OUT. Returns
//  SEIN_LIFECYCLE_STORED or _FAILED.
int
    sein_lifecycle_sweep (sein_store_t *store, const char *at, int limit,
                          sein_lifecycle_events_t *out, sein_buf_t *buf);

//  Where nearby reports link (docs/CONFIG.md, lifecycle.*).
typedef struct {
    double radius;   //  metres; 0: never link
    int64_t from;    //  the first seq inside the time window
} sein_link_scope_t;

//  For a new signal of THEME at (LAT, LON): the open signal it belongs
//  with, per SCOPE, into *CASE_ROW. Triage never links. Returns 1 when
//  found, 0 when not, -1 on a store error.
int
    sein_lifecycle_find_case (sein_store_t *store, const sein_link_scope_t *scope,
                              const char *theme, double lat, double lon,
                              sein_store_row_t *case_row);

//  JOINED (at least 1) new signals, the newest NEW_SEQ / NEW_ID, were
//  stored linked to CASE_SEQ: count them and store one `linked` event
//  about the case (docs/PROTOCOL.md, "Nearby reports"), appended to OUT.
//  Returns SEIN_LIFECYCLE_STORED, or SEIN_LIFECYCLE_FAILED on a store error.
int
    sein_lifecycle_link (sein_store_t *store, int64_t case_seq, int64_t new_seq,
                         const char *new_id, int64_t joined, const char *at,
                         sein_lifecycle_events_t *out, sein_buf_t *buf);

#endif
