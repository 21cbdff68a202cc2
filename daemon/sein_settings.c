// SPDX-License-Identifier: MPL-2.0
/*  sein_settings.c - the table of seind's settings

    Like Redis's standardConfig table: each of seind's settings once, with
    its type, default, bounds, whether a SIGHUP may change it, and what it
    feeds besides its own value. Durations are milliseconds, sizes bytes.
    Keep docs/CONFIG.md in step.

    On reload (sein_config_unreloadable) a changed restart-only setting
    refuses the whole file. Every reloadable one is either read afresh
    where it is used (the data files and classify.*, through the new setup;
    limits.events_max per query) or applied by the server's apply step
    (s_apply_settings: the log level, limits.description_max per batch,
    watch.heartbeat, watch.timeout and watch.sessions_max in the watch
    actor, lifecycle.* for the next batch and the next overdue search,
    alerts.* in the alerts actor from its next check).

    The settings that feed a socket option are restart-only: libzmq 4.3.4
    gives each connection a bound socket accepts the options the socket had
    when it was bound, so a reloaded ZMQ_MAXMSGSIZE or ZMQ_SNDHWM reaches
    no connection made later (ZMQ_SNDHWM reaches those open at the time,
    ZMQ_MAXMSGSIZE none). test_daemon's test_socket_options_fixed_at_bind
    shows it.
*/
#include "sein_settings.h"

#include <stddef.h>

const sein_setting_t sein_settings[] = {
    {"daemon.log_level", SEIN_SETTING_ENUM, "notice", 0, 0, "notice|info|debug", true,
     NULL},
    {"storage.synchronous", SEIN_SETTING_ENUM, "full", 0, 0, "normal|full|extra", false,
     NULL},
    {"data.areas", SEIN_SETTING_PATH, "areas.tsv", 0, 0, NULL, true, NULL},
    {"data.polygons", SEIN_SETTING_PATH, "areas.geojson", 0, 0, NULL, true, NULL},
    {"data.streets", SEIN_SETTING_PATH, "streets.tsv", 0, 0, NULL, true, NULL},
    {"data.places", SEIN_SETTING_PATH, "places.tsv", 0, 0, NULL, true, NULL},
    {"data.themes", SEIN_SETTING_PATH, "themes.tsv", 0, 0, NULL, true, NULL},
    {"data.theme_rules", SEIN_SETTING_PATH, "theme-rules.tsv", 0, 0, NULL, true, NULL},
    {"data.priority_rules", SEIN_SETTING_PATH, "priority-rules.tsv", 0, 0, NULL, true,
     NULL},
    //  The learned theme model (sein_model.h); empty: the rules decide.
    {"data.theme_model", SEIN_SETTING_PATH, "", 0, 0, NULL, true, NULL},
    //  1/100 of a rule weight
    {"classify.theme_min_score", SEIN_SETTING_INT, "150", 1, 10000, NULL, true, NULL},
    //  percent
    {"classify.theme_margin", SEIN_SETTING_INT, "20", 0, 99, NULL, true, NULL},
    //  With a model, percent: the least probability of the chosen theme,
    //  and by how much it must beat the runner-up, or triage.
    {"classify.theme_threshold", SEIN_SETTING_INT, "60", 0, 100, NULL, true, NULL},
    {"classify.theme_model_margin", SEIN_SETTING_INT, "20", 0, 100, NULL, true, NULL},
    {"limits.description_max", SEIN_SETTING_INT, "4000", 1, 65536, NULL, true, NULL},
    {"limits.message_max", SEIN_SETTING_INT, "65536", 1024, 16777216, NULL, false,
     "ZMQ_MAXMSGSIZE of the intake and watch sockets (message_max + 64 KiB)"},
    {"limits.batch_max", SEIN_SETTING_INT, "2048", 1, 100000, NULL, false,
     "the intake's reply queue, ZMQ_SNDHWM = 2 x (intake_hwm + 2 x batch_max)"},
    {"limits.intake_hwm", SEIN_SETTING_INT, "1000", 100, 1000000, NULL, false,
     "ZMQ_RCVHWM of the intake and watch sockets, and the intake's reply queue"},
    {"limits.publish_hwm", SEIN_SETTING_INT, "10000", 100, 1000000, NULL, false,
     "ZMQ_SNDHWM of the broadcast and of the feed to the watch actor"},
    {"limits.events_max", SEIN_SETTING_INT, "1000", 1, 100000, NULL, true, NULL},
    {"watch.credit_max", SEIN_SETTING_INT, "1000", 1, 100000, NULL, false,
     "the watch socket's queue, ZMQ_SNDHWM = 2 x credit_max + 100"},
    {"watch.heartbeat", SEIN_SETTING_INT, "1000", 100, 60000, NULL, true, NULL},
    {"watch.timeout", SEIN_SETTING_INT, "10000", 500, 600000, NULL, true, NULL},
    {"watch.sessions_max", SEIN_SETTING_INT, "1000", 1, 100000, NULL, true, NULL},
    //  With security.enabled: off, or CURVE for keys with the broadcast right.
    {"security.broadcast", SEIN_SETTING_ENUM, "off", 0, 0, "off|trusted", false,
     "whether the broadcast PUB binds, and as a CURVE server"},
    //  Which roles may read reporter details (REPORTER, `seinctl get
    //  --reporter`): role names, comma-separated. Without security every
    //  request is role "anonymous", so it is refused unless listed.
    {"security.reporter_roles", SEIN_SETTING_STRING, "staff,admin", 0, 0, NULL, true, NULL},
    //  Files of the store mode 0640 (group may read) rather than 0600.
    {"storage.group_readable", SEIN_SETTING_BOOL, "false", 0, 0, NULL, false, NULL},
    //  Retention (docs/SECURITY.md): reporter details are removed this
    //  many days after a signal is finished, and finished signals deleted
    //  after this many (0: never), by a run every `check` ms (0: none).
    //  `day` is the length of a day in ms, for tests only.
    {"retention.anonymise_days", SEIN_SETTING_INT, "0", 0, 36500, NULL, true, NULL},
    {"retention.delete_days", SEIN_SETTING_INT, "0", 0, 36500, NULL, true, NULL},
    {"retention.check", SEIN_SETTING_INT, "3600000", 0, 86400000, NULL, true, NULL},
    {"retention.day", SEIN_SETTING_INT, "86400000", 1, 86400000, NULL, true, NULL},
    //  Nearby reports link within this many metres (0: never) and hours.
    {"lifecycle.link_radius", SEIN_SETTING_INT, "150", 0, 10000, NULL, true, NULL},
    {"lifecycle.link_window", SEIN_SETTING_INT, "72", 0, 8784, NULL, true, NULL},
    //  How often the housekeeping timer looks for overdue signals.
    {"lifecycle.overdue_check", SEIN_SETTING_INT, "5000", 100, 3600000, NULL, true, NULL},
    //  Early warning (sein_alerts.h): how often the counts are looked at
    //  (ms, 0: never), the baseline's weeks, the factor over it (percent)
    //  and the least count in the window (days) that start an episode.
    {"alerts.check", SEIN_SETTING_INT, "60000", 0, 86400000, NULL, true, NULL},
    {"alerts.weeks", SEIN_SETTING_INT, "4", 1, 52, NULL, true, NULL},
    {"alerts.factor", SEIN_SETTING_INT, "300", 100, 100000, NULL, true, NULL},
    {"alerts.minimum", SEIN_SETTING_INT, "10", 1, 100000, NULL, true, NULL},
    {"alerts.window", SEIN_SETTING_INT, "7", 1, 90, NULL, true, NULL},
    {NULL}};

sein_config_t *
sein_settings_load (const char *file, const char **overrides, int noverrides,
                    char **error_p)
{
    return sein_config_load_with (sein_settings, file, overrides, noverrides, error_p);
}
