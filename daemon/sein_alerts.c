// SPDX-License-Identifier: MPL-2.0
/*  sein_alerts.c - early warning: more signals of a theme in an area than usual */
#include "sein_alerts.h"

#include "sein_alloc.h"
#include "sein_ids.h"
#include "sein_query.h"
#include "sein_signal.h"

struct _sein_alerts_t {
    zhashx_t *running; //  "area theme" of the episodes still running
    bool started;      //  the stored alerts were read
};

sein_alerts_t *
sein_alerts_new (void)
{
    sein_alerts_t *self = (sein_alerts_t *) sein_calloc (1, sizeof *self);
    self->running = zhashx_new ();
    zhashx_set_key_duplicator (self->running, (zhashx_duplicator_fn *) sein_strdup);
    return self;
}

void
sein_alerts_destroy (sein_alerts_t **self_p)
{
    assert (self_p);
    if (*self_p) {
        zhashx_destroy (&(*self_p)->running);
        free (*self_p);
        *self_p = NULL;
    }
}

typedef struct {
    sein_alerts_t *self;
    const sein_alerts_settings_t *settings;
    zhashx_t *seen; //  the pairs above their threshold in this check
    sein_alerts_fn *fn;
    void *arg;
    int count;
} s_check_t;

static void
s_key (const sein_store_rate_t *rate, char *key, size_t size)
{
    snprintf (key, size, "%s %s", rate->area, rate->theme);
}

static int
s_running (const sein_store_rate_t *rate, void *arg)
{
    char key[2 * SEIN_TOKEN_MAX + 8];
    s_key (rate, key, sizeof key);
    zhashx_update ((zhashx_t *) arg, key, (void *) 1);
    return 0;
}

static int
s_judge (const sein_store_rate_t *rate, void *arg)
{
    s_check_t *check = (s_check_t *) arg;
    const sein_alerts_settings_t *settings = check->settings;
    //  The baseline per window: its weekly mean, times the window in weeks.
    double baseline = (double) rate->baseline / (double) settings->weeks *
                      (double) settings->window / 7.0;
    bool above = rate->recent >= settings->minimum &&
                 (double) rate->recent * 100.0 > (double) settings->factor * baseline;
    if (!above)
        return 0;
    char key[2 * SEIN_TOKEN_MAX + 8];
    s_key (rate, key, sizeof key);
    zhashx_update (check->seen, key, (void *) 1);
    if (zhashx_lookup (check->self->running, key))
        return 0; //  the episode goes on: said already
    zhashx_update (check->self->running, key, (void *) 1);
    check->count++;
    check->fn (json_pack ("{s:s,s:s,s:s,s:I,s:I,s:f,s:I,s:I}", "area", rate->area, "wijk",
                          rate->wijk, "theme", rate->theme, "signal",
                          (json_int_t) rate->newest, "recent", (json_int_t) rate->recent,
                          "baseline", round (baseline * 100) / 100, "window",
                          (json_int_t) settings->window, "weeks",
                          (json_int_t) settings->weeks),
               check->arg);
    return 0;
}

int
sein_alerts_check (sein_alerts_t *self, sein_store_t *store, const char *now,
                   const sein_alerts_settings_t *settings, sein_alerts_fn *fn, void *arg)
{
    assert (self);
    assert (settings->weeks > 0 && settings->window > 0);
    char recent_at[SEIN_TIME_MAX], base_at[SEIN_TIME_MAX];
    if (sein_time_add (now, -settings->window * 86400000, recent_at, sizeof recent_at) ||
        sein_time_add (recent_at, -settings->weeks * 7 * 86400000, base_at, sizeof base_at))
        return -1;
    //  Signals are stored in time order: each time is a seq.
    int64_t recent_from = sein_store_seq_at (store, recent_at);
    int64_t base_from = sein_store_seq_at (store, base_at);
    int64_t until = sein_store_seq_at (store, now);
    if (recent_from < 0 || base_from < 0 || until < 0)
        return -1;
    if (!self->started) {
        if (sein_store_alerted (store, recent_from, s_running, self->running) < 0)
            return -1;
        self->started = true;
    }
    s_check_t check = {self, settings, zhashx_new (), fn, arg, 0};
    zhashx_set_key_duplicator (check.seen, (zhashx_duplicator_fn *) sein_strdup);
    int rc = sein_store_rates (store, base_from, recent_from, until, s_judge, &check);
    //  An episode ends when its pair is back at or under its threshold.
    zlistx_t *keys = zhashx_keys (self->running);
    for (const char *key = (const char *) zlistx_first (keys); rc >= 0 && key;
         key = (const char *) zlistx_next (keys))
        if (!zhashx_lookup (check.seen, key))
            zhashx_delete (self->running, key);
    zlistx_destroy (&keys);
    zhashx_destroy (&check.seen);
    return rc < 0 ? -1 : check.count;
}

int
sein_alerts_store (sein_store_t *store, json_t *alert, const char *at,
                   sein_lifecycle_events_t *out, sein_buf_t *buf)
{
    sein_store_row_t row;
    int found = sein_store_find_signal (
        store, NULL, json_integer_value (json_object_get (alert, "signal")), &row);
    if (found <= 0)
        return found < 0 ? SEIN_LIFECYCLE_FAILED : SEIN_LIFECYCLE_STORED;
    //  {"seq","event","at","signal":{"id","seq"},"by", then its own fields
    //  and the codes: the area and theme it is about, the newest signal's
    //  teams (those the area's signals of that theme go to).
    sein_buf_reset (buf);
    sein_buf_raw (buf, "{", 1);
    sein_buf_field_int (buf, "seq", sein_store_next_seq (store));
    sein_buf_field_string (buf, "event", "alert");
    sein_buf_field_string (buf, "at", at);
    sein_buf_key (buf, "signal");
    sein_buf_raw (buf, "{", 1);
    sein_buf_field_string (buf, "id", row.id);
    sein_buf_field_int (buf, "seq", row.seq);
    sein_buf_raw (buf, "}", 1);
    sein_buf_field_string (buf, "by", "seind");
    sein_buf_field_int (buf, "recent", json_integer_value (json_object_get (alert, "recent")));
    char baseline[32];
    snprintf (baseline, sizeof baseline, "%.2f",
              json_number_value (json_object_get (alert, "baseline")));
    sein_buf_key (buf, "baseline");
    sein_buf_raw (buf, baseline, strlen (baseline));
    sein_buf_field_int (buf, "window", json_integer_value (json_object_get (alert, "window")));
    sein_buf_field_int (buf, "weeks", json_integer_value (json_object_get (alert, "weeks")));
    sein_buf_field_string (buf, "area", row.area);
    sein_buf_field_string (buf, "wijk", row.wijk);
    sein_buf_field_string (buf, "theme", row.theme);
    sein_buf_field_teams (buf, "teams", row.teams);
    sein_buf_raw (buf, "}", 1);
    sein_event_t event = {.kind = "alert",
                          .at = at,
                          .area = row.area,
                          .wijk = row.wijk,
                          .theme = row.theme,
                          .priority = "",
                          .source = "",
                          .teams = row.teams,
                          .body = buf->data,
                          .body_size = buf->size,
                          .signal = row.seq};
    if (sein_store_add_change (store, &event, NULL))
        return SEIN_LIFECYCLE_FAILED;
    sein_lifecycle_keep (out, &event, buf);
    return SEIN_LIFECYCLE_STORED;
}

typedef struct {
    zsock_t *pipe;
} s_actor_t;

static void
s_send_alert (json_t *alert, void *arg)
{
    char *text = json_dumps (alert, JSON_COMPACT);
    json_decref (alert);
    zsock_send (((s_actor_t *) arg)->pipe, "ss", "ALERT", text);
    free (text);
}

void
sein_alerts_actor (zsock_t *pipe, void *db_path)
{
    sein_query_background ();
    char *error = NULL;
    sein_store_t *store = sein_store_new_reader ((const char *) db_path, &error);
    zsock_signal (pipe, 0);
    if (error)
        zstr_sendf (pipe, "ERROR %s", error);
    else
        zstr_send (pipe, "OK");
    zstr_free (&error);
    sein_alerts_t *alerts = sein_alerts_new ();
    sein_alerts_settings_t settings = {0};
    s_actor_t actor = {pipe};
    zpoller_t *poller = zpoller_new (pipe, NULL);
    zpoller_set_nonstop (poller, true);
    int64_t next = 0;
    while (true) {
        int64_t wait = settings.check > 0 ? next - zclock_mono () : -1;
        void *which = zpoller_wait (poller, settings.check > 0 ? (wait < 0 ? 0 : (int) wait) : -1);
        if (which == pipe) {
            zmsg_t *msg = zmsg_recv (pipe);
            if (!msg)
                break;
            char *command = zmsg_popstr (msg);
            bool term = !command || streq (command, "$TERM");
            if (!term && streq (command, "SETTINGS")) {
                int64_t values[5] = {0, 4, 300, 10, 7};
                for (int index = 0; index < 5; index++) {
                    char *value = zmsg_popstr (msg);
                    if (value)
                        values[index] = atoll (value);
                    zstr_free (&value);
                }
                settings = (sein_alerts_settings_t) {values[0], values[1], values[2],
                                                     values[3], values[4]};
                next = zclock_mono () + settings.check;
            }
            zstr_free (&command);
            zmsg_destroy (&msg);
            if (term)
                break;
        } else if (settings.check > 0 && store && zclock_mono () >= next) {
            char now[SEIN_TIME_MAX];
            sein_time_now (now, sizeof now);
            //  A failed check (the store busy, a full disk) is tried again
            //  at the next one.
            sein_alerts_check (alerts, store, now, &settings, s_send_alert, &actor);
            next = zclock_mono () + settings.check;
        }
    }
    zpoller_destroy (&poller);
    sein_alerts_destroy (&alerts);
    sein_store_destroy (&store);
}
