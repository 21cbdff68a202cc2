// SPDX-License-Identifier: MPL-2.0
/*  sein_router.c - teams, the rules that pick them, and routing

    Both lists are small (tens of entries) and routing runs once per signal,
    so a plain ordered walk is the clearest correct choice; criteria are
    pre-split into string arrays at load so routing itself allocates
    nothing. Routing writes only the caller's result, so threads may share
    a router.
*/
#include "sein_router.h"
#include "sein_alloc.h"

#include <assert.h>
#include <czmq.h>

#define S_TEAMS_MAX SEIN_ROUTER_TEAMS_MAX
#define S_RULES_MAX 128
#define S_LIST_MAX  32

typedef enum { C_AREAS, C_THEMES, C_PRIORITIES, C_SOURCES, C_CHANNELS, C_COUNT } s_criterion_t;

static const char *s_criteria[C_COUNT] = {"areas", "themes", "priorities", "sources",
                                          "channels"};

//  A set of criteria; an empty list matches everything.
typedef struct {
    const char *values[C_COUNT][S_LIST_MAX];
    int count[C_COUNT];
} s_match_t;

typedef struct {
    const char *name;
    const char *kind;
    s_match_t follows;
} s_team_t;

typedef struct {
    const char *name;
    s_match_t when;
    int teams[S_TEAMS_MAX];
    int nteams;
    bool followers;
} s_rule_t;

struct _sein_router_t {
    s_team_t teams[S_TEAMS_MAX];
    int nteams;
    s_rule_t rules[S_RULES_MAX];
    int nrules;
};

static const char *
s_file (config_setting_t *setting, sein_config_t *config)
{
    const char *file = config_setting_source_file (setting);
    return file ? file : sein_config_file (config);
}

static int
s_team_index (const sein_router_t *self, const char *name)
{
    for (int index = 0; index < self->nteams; index++)
        if (streq (self->teams[index].name, name))
            return index;
    return -1;
}

//  Read the criteria lists of GROUP into MATCH, checking codes.
static char *
s_read_match (sein_config_t *config, sein_classifier_t *classifier,
              config_setting_t *group, s_match_t *match)
{
    for (int criterion = 0; criterion < C_COUNT; criterion++) {
        config_setting_t *list = config_setting_get_member (group, s_criteria[criterion]);
        if (!list)
            continue;
        int line = config_setting_source_line (list);
        if (!config_setting_is_array (list))
            return sein_sprintf ("%s:%d: %s must be an array of strings",
                                 s_file (list, config), line, s_criteria[criterion]);
        int count = config_setting_length (list);
        if (count > S_LIST_MAX)
            return sein_sprintf ("%s:%d: %s has more than %d entries",
                                 s_file (list, config), line, s_criteria[criterion],
                                 S_LIST_MAX);
        for (int item = 0; item < count; item++) {
            const char *value = config_setting_get_string_elem (list, item);
            if (!value)
                return sein_sprintf ("%s:%d: %s must be an array of strings",
                                     s_file (list, config), line, s_criteria[criterion]);
            bool known = criterion == C_AREAS    ? sein_classifier_known_area (classifier, value)
                         : criterion == C_THEMES ? sein_classifier_known_theme (classifier, value)
                         : criterion == C_PRIORITIES
                             ? (streq (value, "low") || streq (value, "normal") ||
                                streq (value, "high") || streq (value, "urgent"))
                         : criterion == C_SOURCES
                             ? (streq (value, "citizen") || streq (value, "partner") ||
                                streq (value, "staff") || streq (value, "system"))
                             : sein_token_valid (value);
            if (!known)
                return sein_sprintf ("%s:%d: unknown %s '%s'", s_file (list, config), line,
                                     s_criteria[criterion], value);
            match->values[criterion][match->count[criterion]++] = value;
        }
    }
    return NULL;
}

static bool
s_list_has (const s_match_t *match, int criterion, const char *value)
{
    if (match->count[criterion] == 0)
        return true;
    if (!value)
        return false;
    for (int index = 0; index < match->count[criterion]; index++)
        if (streq (match->values[criterion][index], value))
            return true;
    return false;
}

static bool
s_matches (const s_match_t *match, const sein_route_input_t *input)
{
    //  An area criterion names a wijk or a zone; a wijk includes its zones.
    bool area = s_list_has (match, C_AREAS, input->area) ||
                (input->wijk && s_list_has (match, C_AREAS, input->wijk));
    return area && s_list_has (match, C_THEMES, input->theme) &&
           s_list_has (match, C_PRIORITIES, input->priority) &&
           s_list_has (match, C_SOURCES, input->source) &&
           s_list_has (match, C_CHANNELS, input->channel);
}

//  Check that GROUP has only the members in ALLOWED.
static char *
s_check_members (sein_config_t *config, config_setting_t *group, const char **allowed)
{
    int count = config_setting_length (group);
    for (int item = 0; item < count; item++) {
        config_setting_t *member = config_setting_get_elem (group, item);
        const char *name = config_setting_name (member);
        bool known = false;
        for (const char **cursor = allowed; *cursor && !known; cursor++)
            known = streq (*cursor, name);
        if (!known)
            return sein_sprintf ("%s:%d: unknown setting '%s'", s_file (member, config),
                                 config_setting_source_line (member), name);
    }
    return NULL;
}

static char *
s_name_of (sein_config_t *config, config_setting_t *group, const char *what,
           const char **name_p)
{
    int line = config_setting_source_line (group);
    if (!config_setting_is_group (group))
        return sein_sprintf ("%s:%d: each %s must be a group { name = ...; }",
                             s_file (group, config), line, what);
    if (!config_setting_lookup_string (group, "name", name_p) || !sein_token_valid (*name_p))
        return sein_sprintf ("%s:%d: %s needs a name of lowercase letters, digits, '-', "
                             "'_' or '.'",
                             s_file (group, config), line, what);
    return NULL;
}

static char *
s_load_teams (sein_router_t *self, sein_config_t *config, sein_classifier_t *classifier)
{
    static const char *allowed[] = {"name",     "kind",     "areas", "themes", "priorities",
                                    "sources", "channels", NULL};
    config_setting_t *teams = config_setting_get_member (sein_config_root (config), "teams");
    if (!teams || !config_setting_is_list (teams))
        return sein_sprintf ("%s:%d: a list teams = ( {...}, ... ) is required",
                             sein_config_file (config),
                             teams ? config_setting_source_line (teams) : 0);
    int count = config_setting_length (teams);
    if (count > S_TEAMS_MAX)
        return sein_sprintf ("%s:%d: more than %d teams", sein_config_file (config),
                             config_setting_source_line (teams), S_TEAMS_MAX);
    bool triage = false;
    for (int item = 0; item < count; item++) {
        config_setting_t *group = config_setting_get_elem (teams, item);
        s_team_t *team = &self->teams[self->nteams];
        char *error = s_name_of (config, group, "team", &team->name);
        if (!error)
            error = s_check_members (config, group, allowed);
        if (error)
            return error;
        int line = config_setting_source_line (group);
        if (s_team_index (self, team->name) >= 0)
            return sein_sprintf ("%s:%d: duplicate team '%s'", s_file (group, config),
                                 line, team->name);
        if (!config_setting_lookup_string (group, "kind", &team->kind) ||
            !sein_token_valid (team->kind))
            return sein_sprintf ("%s:%d: team '%s' needs a kind", s_file (group, config),
                                 line, team->name);
        if ((error = s_read_match (config, classifier, group, &team->follows)))
            return error;
        triage |= streq (team->kind, "triage");
        self->nteams++;
    }
    if (!triage)
        return sein_sprintf ("%s:%d: no team of kind \"triage\": unplaced signals would "
                             "reach nobody",
                             sein_config_file (config), config_setting_source_line (teams));
    return NULL;
}

static char *
s_load_rules (sein_router_t *self, sein_config_t *config, sein_classifier_t *classifier)
{
    static const char *allowed[] = {"name",    "areas",    "themes",    "priorities",
                                    "sources", "channels", "teams",     "followers",
                                    NULL};
    config_setting_t *rules =
        config_setting_get_member (sein_config_root (config), "routing");
    if (!rules)
        return NULL; //  no rules: everyone gets what they follow
    if (!config_setting_is_list (rules) || config_setting_length (rules) > S_RULES_MAX)
        return sein_sprintf ("%s:%d: routing must be a list of at most %d rules",
                             sein_config_file (config), config_setting_source_line (rules),
                             S_RULES_MAX);
    int count = config_setting_length (rules);
    for (int item = 0; item < count; item++) {
        config_setting_t *group = config_setting_get_elem (rules, item);
        s_rule_t *rule = &self->rules[self->nrules];
        char *error = s_name_of (config, group, "routing rule", &rule->name);
        if (!error)
            error = s_check_members (config, group, allowed);
        if (!error)
            error = s_read_match (config, classifier, group, &rule->when);
        if (error)
            return error;
        //  Wrong types are refused, not read as "absent": a rule would
        //  otherwise quietly stop reaching the teams it names.
        config_setting_t *followers = config_setting_get_member (group, "followers");
        if (followers && config_setting_type (followers) != CONFIG_TYPE_BOOL)
            return sein_sprintf ("%s:%d: rule '%s': followers must be true or false",
                                 s_file (followers, config),
                                 config_setting_source_line (followers), rule->name);
        rule->followers = followers && config_setting_get_bool (followers);
        config_setting_t *teams = config_setting_get_member (group, "teams");
        if (teams && !config_setting_is_array (teams) && !config_setting_is_list (teams))
            return sein_sprintf ("%s:%d: rule '%s': teams must be an array of team names",
                                 s_file (teams, config), config_setting_source_line (teams),
                                 rule->name);
        int nteams = teams ? config_setting_length (teams) : 0;
        if (nteams > S_TEAMS_MAX)
            return sein_sprintf ("%s:%d: rule '%s' names more than %d teams",
                                 s_file (teams, config), config_setting_source_line (teams),
                                 rule->name, S_TEAMS_MAX);
        for (int index = 0; index < nteams; index++) {
            const char *name = config_setting_get_string_elem (teams, index);
            int team = name ? s_team_index (self, name) : -1;
            if (team < 0)
                return sein_sprintf ("%s:%d: rule '%s' names unknown team '%s'",
                                     s_file (teams, config),
                                     config_setting_source_line (teams), rule->name,
                                     name ? name : "(not a string)");
            rule->teams[rule->nteams++] = team;
        }
        if (!rule->followers && rule->nteams == 0)
            return sein_sprintf ("%s:%d: rule '%s' names no teams and no followers",
                                 s_file (group, config),
                                 config_setting_source_line (group), rule->name);
        self->nrules++;
    }
    return NULL;
}

sein_router_t *
sein_router_new (sein_config_t *config, sein_classifier_t *classifier, char **error_p)
{
    assert (config);
    assert (classifier);
    assert (error_p);
    sein_router_t *self = (sein_router_t *) zmalloc (sizeof *self);
    char *error = s_load_teams (self, config, classifier);
    if (!error)
        error = s_load_rules (self, config, classifier);
    *error_p = error;
    if (error)
        sein_router_destroy (&self);
    return self;
}

void
sein_router_destroy (sein_router_t **self_p)
{
    assert (self_p);
    sein_router_t *self = *self_p;
    if (self) {
        free (self);
        *self_p = NULL;
    }
}

void
sein_router_route (const sein_router_t *self, const sein_route_input_t *input,
                   sein_route_t *route)
{
    assert (self);
    assert (input);
    assert (route);
    bool chosen[S_TEAMS_MAX]; //  which teams the signal gets
    memset (chosen, 0, (size_t) self->nteams);
    route->rule = "fallback";
    route->count = 0;
    for (int index = 0; index < self->nrules; index++) {
        const s_rule_t *rule = &self->rules[index];
        if (!s_matches (&rule->when, input))
            continue;
        for (int team = 0; team < rule->nteams; team++)
            chosen[rule->teams[team]] = true;
        for (int team = 0; rule->followers && team < self->nteams; team++)
            chosen[team] |= s_matches (&self->teams[team].follows, input);
        route->rule = rule->name;
        break;
    }
    //  Without rules, everyone who follows the signal gets it.
    if (self->nrules == 0) {
        route->rule = "followers";
        for (int team = 0; team < self->nteams; team++)
            chosen[team] = s_matches (&self->teams[team].follows, input);
    }
    for (int team = 0; team < self->nteams; team++)
        route->count += chosen[team];
    if (route->count == 0) {
        route->rule = "fallback";
        for (int team = 0; team < self->nteams; team++)
            if (streq (self->teams[team].kind, "triage")) {
                chosen[team] = true;
                route->count++;
            }
    }
    //  Fits: at most S_TEAMS_MAX names of at most SEIN_TOKEN_MAX bytes.
    char *cursor = route->teams;
    *cursor++ = ',';
    for (int team = 0; team < self->nteams; team++)
        if (chosen[team]) {
            size_t len = strlen (self->teams[team].name);
            memcpy (cursor, self->teams[team].name, len);
            cursor += len;
            *cursor++ = ',';
        }
    *cursor = 0;
}

bool
sein_router_known_team (const sein_router_t *self, const char *name)
{
    assert (self);
    return s_team_index (self, name) >= 0;
}

json_t *
sein_router_teams (const sein_router_t *self)
{
    assert (self);
    json_t *teams = json_array ();
    for (int index = 0; index < self->nteams; index++) {
        const s_team_t *team = &self->teams[index];
        json_t *follows = json_object ();
        for (int criterion = 0; criterion < C_COUNT; criterion++) {
            if (team->follows.count[criterion] == 0)
                continue;
            json_t *list = json_array ();
            for (int item = 0; item < team->follows.count[criterion]; item++)
                json_array_append_new (list,
                                       json_string (team->follows.values[criterion][item]));
            json_object_set_new (follows, s_criteria[criterion], list);
        }
        json_array_append_new (teams, json_pack ("{s:s,s:s,s:o}", "name", team->name,
                                                 "kind", team->kind, "follows", follows));
    }
    return teams;
}

json_t *
sein_router_team_list (const char *teams)
{
    json_t *list = json_array ();
    const char *cursor = teams;
    while (cursor && *cursor) {
        if (*cursor == ',') {
            cursor++;
            continue;
        }
        const char *comma = strchr (cursor, ',');
        size_t len = comma ? (size_t) (comma - cursor) : strlen (cursor);
        json_array_append_new (list, json_stringn (cursor, len));
        cursor += len;
    }
    return list;
}
