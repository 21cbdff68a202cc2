// SPDX-License-Identifier: MPL-2.0
/*  sein_deadlines.c - how long a signal may stay open, per theme and priority */
#include "sein_deadlines.h"

#include "sein_alloc.h"
#include "sein_ids.h"
#include "sein_signal.h"

#include <czmq.h>
#include <math.h>

//  A year: longer is a typo rather than a deadline.
#define S_HOURS_MAX 8784.0

typedef struct {
    const char *theme;    //  borrowed from the config
    const char *priority; //  NULL: any
    int64_t ms;
} s_rule_t;

struct _sein_deadlines_t {
    s_rule_t *rules;
    int count;
};

void
sein_deadlines_destroy (sein_deadlines_t **self_p)
{
    assert (self_p);
    sein_deadlines_t *self = *self_p;
    if (self) {
        free (self->rules);
        free (self);
        *self_p = NULL;
    }
}

//  Check row GROUP of the list into RULE; a fresh message on error.
static char *
s_rule (sein_config_t *config, config_setting_t *group, const sein_classifier_t *classifier,
        s_rule_t *rule)
{
    const char *file = sein_config_file (config);
    int line = config_setting_source_line (group);
    if (!config_setting_is_group (group))
        return sein_sprintf ("%s:%d: a deadline is a group { theme = ...; hours = ...; }",
                             file, line);
    config_setting_t *member;
    for (int index = 0; (member = config_setting_get_elem (group, (unsigned) index)); index++) {
        const char *name = config_setting_name (member);
        if (!streq (name, "theme") && !streq (name, "priority") && !streq (name, "hours"))
            return sein_sprintf ("%s:%d: deadline: unknown field '%s' (theme, priority, hours)",
                                 file, config_setting_source_line (member), name);
    }
    if (!config_setting_lookup_string (group, "theme", &rule->theme))
        return sein_sprintf ("%s:%d: deadline: theme (a string) is required", file, line);
    if (!streq (rule->theme, "triage") && !sein_classifier_known_theme (classifier, rule->theme))
        return sein_sprintf ("%s:%d: deadline: unknown theme '%s'", file, line, rule->theme);
    config_setting_t *priority = config_setting_get_member (group, "priority");
    if (priority) {
        rule->priority = config_setting_get_string (priority);
        size_t index = 0;
        while (rule->priority && sein_priorities[index] &&
               !streq (sein_priorities[index], rule->priority))
            index++;
        if (!rule->priority || !sein_priorities[index])
            return sein_sprintf ("%s:%d: deadline: priority must be low, normal, high or urgent",
                                 file, config_setting_source_line (priority));
    }
    config_setting_t *hours = config_setting_get_member (group, "hours");
    double value = NAN;
    if (hours && config_setting_type (hours) == CONFIG_TYPE_INT)
        value = config_setting_get_int (hours);
    else if (hours && config_setting_type (hours) == CONFIG_TYPE_INT64)
        value = (double) config_setting_get_int64 (hours);
    else if (hours && config_setting_type (hours) == CONFIG_TYPE_FLOAT)
        value = config_setting_get_float (hours);
    if (!(value > 0 && value <= S_HOURS_MAX))
        return sein_sprintf ("%s:%d: deadline: hours must be a number above 0, at most %.0f",
                             file, hours ? (int) config_setting_source_line (hours) : line,
                             S_HOURS_MAX);
    rule->ms = (int64_t) llround (value * 3600000.0);
    if (rule->ms < 1)
        rule->ms = 1;
    return NULL;
}

sein_deadlines_t *
sein_deadlines_new (sein_config_t *config, const sein_classifier_t *classifier,
                    char **error_p)
{
    assert (config);
    assert (error_p);
    *error_p = NULL;
    sein_deadlines_t *self = (sein_deadlines_t *) sein_calloc (1, sizeof *self);
    config_setting_t *list =
        config_setting_get_member (sein_config_root (config), "deadlines");
    if (!list)
        return self;
    if (!config_setting_is_list (list)) {
        *error_p = sein_sprintf ("%s:%d: deadlines must be a list ( {...}, ... )",
                                 sein_config_file (config), config_setting_source_line (list));
        sein_deadlines_destroy (&self);
        return NULL;
    }
    int count = config_setting_length (list);
    self->rules = (s_rule_t *) sein_calloc ((size_t) (count ? count : 1), sizeof (s_rule_t));
    for (int item = 0; !*error_p && item < count; item++) {
        config_setting_t *group = config_setting_get_elem (list, (unsigned) item);
        s_rule_t *rule = &self->rules[self->count];
        *error_p = s_rule (config, group, classifier, rule);
        for (int other = 0; !*error_p && other < self->count; other++)
            if (streq (self->rules[other].theme, rule->theme) &&
                (self->rules[other].priority == rule->priority ||
                 (self->rules[other].priority && rule->priority &&
                  streq (self->rules[other].priority, rule->priority))))
                *error_p = sein_sprintf ("%s:%d: deadline: theme '%s'%s%s is listed twice",
                                         sein_config_file (config),
                                         config_setting_source_line (group), rule->theme,
                                         rule->priority ? " with priority " : "",
                                         rule->priority ? rule->priority : "");
        self->count++;
    }
    if (*error_p)
        sein_deadlines_destroy (&self);
    return self;
}

int64_t
sein_deadlines_ms (const sein_deadlines_t *self, const char *theme, const char *priority)
{
    assert (self);
    int64_t any = 0;
    for (int index = 0; index < self->count; index++) {
        const s_rule_t *rule = &self->rules[index];
        if (!streq (rule->theme, theme))
            continue;
        if (!rule->priority)
            any = rule->ms;
        else if (priority && streq (rule->priority, priority))
            return rule->ms; //  the most specific
    }
    return any;
}

void
sein_deadlines_due (const sein_deadlines_t *self, const char *theme, const char *priority,
                    const char *received_at, char *due, size_t size)
{
    assert (due && size);
    *due = 0;
    int64_t handling = sein_deadlines_ms (self, theme, priority);
    if (handling > 0)
        sein_time_add (received_at, handling, due, size);
}
