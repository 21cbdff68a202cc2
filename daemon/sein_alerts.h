// SPDX-License-Identifier: MPL-2.0
/*  sein_alerts.h - early warning: more signals of a theme in an area than usual

    For each area and theme, the signals of the last `alerts.window` days
    are compared with a rolling baseline: the same theme's signals in the
    area over the `alerts.weeks` weeks before, scaled to the window. When
    the recent count is at least `alerts.minimum` and more than
    `alerts.factor` percent of the baseline, an episode starts: one
    `alert` event goes to the teams of that area's newest such signal. It
    lasts until the count falls back to the threshold or below; a later
    rise is a new episode, with a new alert.

    The counting runs on a reader of its own (sein_alerts_actor), never on
    the writer; what it finds travels to the server as a message and is
    stored through the same commit path as the lifecycle's overdue events
    (sein_alerts_store), so an alert gets its seq, its fsync and its
    publication like any event.

        zactor_t *alerts = zactor_new (sein_alerts_actor, (void *) db_path);
        char *status = zstr_recv (alerts);                  //  "OK" or "ERROR ..."
        zsock_send (alerts, "s8888", "SETTINGS", check, weeks, factor, minimum, window);
        ...readable: zsock_recv (alerts, "ss", &command, &json)  //  "ALERT", an alert
*/
#ifndef SEIN_ALERTS_H_INCLUDED
#define SEIN_ALERTS_H_INCLUDED

#include "sein_json.h"
#include "sein_lifecycle.h"
#include "sein_store.h"

#include <czmq.h>

typedef struct {
    int64_t check;   //  ms between checks; 0: no early warning
    int64_t weeks;   //  the baseline's length
    int64_t factor;  //  percent of the baseline that starts an episode
    int64_t minimum; //  signals in the window, at least
    int64_t window;  //  days
} sein_alerts_settings_t;

typedef struct _sein_alerts_t sein_alerts_t;

sein_alerts_t *
    sein_alerts_new (void);

void
    sein_alerts_destroy (sein_alerts_t **self_p);

//  Count on STORE (a reader) at time NOW (as the store writes times) with
//  SETTINGS and call FN with each alert that starts an episode: a fresh
//  JSON object {area, wijk, theme, signal (the newest one's seq),
//  recent, baseline (per window), window, weeks} that FN takes. The first
//  check after sein_alerts_new takes the alerts stored in the last window
//  as episodes still running, so a restart does not repeat them. Returns
//  the number of alerts, or -1 on a store error.
typedef void (sein_alerts_fn) (json_t *alert, void *arg);
int
    sein_alerts_check (sein_alerts_t *self, sein_store_t *store, const char *now,
                       const sein_alerts_settings_t *settings, sein_alerts_fn *fn, void *arg);

//  Inside the writer's open transaction: store ALERT (from
//  sein_alerts_check) at time AT as an `alert` event about its newest
//  signal, with that signal's teams, and append it to OUT. BUF is the
//  caller's rendering scratch. Returns SEIN_LIFECYCLE_STORED, or
//  SEIN_LIFECYCLE_FAILED (the batch rolls back); an alert whose signal is
//  gone stores nothing.
int
    sein_alerts_store (sein_store_t *store, json_t *alert, const char *at,
                       sein_lifecycle_events_t *out, sein_buf_t *buf);

//  The actor: a reader on the store at DB_PATH that checks every
//  `check` ms once it has SETTINGS, and sends "ALERT" with each alert's
//  JSON text.
void
    sein_alerts_actor (zsock_t *pipe, void *db_path);

#endif
