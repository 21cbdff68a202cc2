// SPDX-License-Identifier: MPL-2.0
/*  sein_router.h - which teams get a signal, and which rule said so

    Teams and routing rules come from the `teams` and `routing` lists of the
    configuration (docs/ROUTING.md has the semantics and conf/sein.cfg the
    Leuven example):

    - A team follows signals by area (a wijk includes its zones), theme,
      priority and source. Each criterion it lists must match; one it omits
      matches everything.
    - Rules are tried in order; the first whose conditions all match
      decides. It names teams outright (`teams`) and/or hands the signal to
      every team that follows it (`followers = true`).
    - When no rule matches or the chosen set is empty, the signal goes to
      the teams of kind "triage" (rule "fallback"), so every signal reaches
      at least one team.
*/
#ifndef SEIN_ROUTER_H_INCLUDED
#define SEIN_ROUTER_H_INCLUDED

#include "sein_classify.h"
#include "sein_config.h"

#include <jansson.h>

typedef struct _sein_router_t sein_router_t;

//  What routing needs to know about a signal; all borrowed.
typedef struct {
    const char *area;
    const char *wijk;
    const char *theme;
    const char *priority;
    const char *source;
    const char *channel; //  may be NULL
} sein_route_input_t;

//  At most this many teams, refused at load with file:line.
#define SEIN_ROUTER_TEAMS_MAX 128

//  Room for every team's name at once, commas included.
#define SEIN_ROUTE_TEAMS_SIZE (SEIN_ROUTER_TEAMS_MAX * (SEIN_TOKEN_MAX + 1) + 2)

//  The outcome, owned by the caller (about 8 KB: it may live on the
//  stack): `teams` is ",a,b," (comma-wrapped for membership tests, ","
//  when empty), `rule` the deciding rule's name, borrowed from the router.
typedef struct {
    char teams[SEIN_ROUTE_TEAMS_SIZE];
    const char *rule;
    int count;
} sein_route_t;

//  Build from CONFIG's teams and routing lists (names are borrowed from
//  CONFIG, which must outlive the router). Area and theme codes must
//  be known to CLASSIFIER. NULL on error with "file:line: message".
sein_router_t *
    sein_router_new (sein_config_t *config, sein_classifier_t *classifier,
                     char **error_p);

//  Destroy; idempotent, nulls the pointer.
void
    sein_router_destroy (sein_router_t **self_p);

//  Route one classified signal into *ROUTE. Writes nothing else: threads
//  may share the router.
void
    sein_router_route (const sein_router_t *self, const sein_route_input_t *input,
                       sein_route_t *route);

//  True when NAME is a configured team.
bool
    sein_router_known_team (const sein_router_t *self, const char *name);

//  The configured teams as a fresh JSON array of {name, kind, follows}.
json_t *
    sein_router_teams (const sein_router_t *self);

//  Turn ",a,b," into a fresh JSON array ["a", "b"].
json_t *
    sein_router_team_list (const char *teams);

#endif
