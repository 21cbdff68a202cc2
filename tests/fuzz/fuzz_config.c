// SPDX-License-Identifier: MPL-2.0
/*  fuzz_config.c - libFuzzer target: the configuration loader

    The input is the bytes of a sein.cfg. It goes through the clients'
    settings table (sein_config_load) and seind's (sein_settings_load), and
    when that loads, through the teams and routing lists (sein_router_new,
    against the classifier on conf/), the way seind reads its file at start
    and on SIGHUP. A router that loads must route every signal to at least
    one known team.
*/
#include "sein_router.h"
#include "sein_fuzz.h"
#include "sein_settings.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *s_null;
static sein_config_t *s_defaults;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    (void) argc;
    (void) argv;
    sein_fuzz_classifier (true);
    s_null = fopen ("/dev/null", "w");
    char *error = NULL;
    s_defaults = sein_settings_load (NULL, NULL, 0, &error);
    sein_fuzz_check (s_null && s_defaults);
    return 0;
}

static const sein_route_input_t s_inputs[] = {
    {"binnenstad", "binnenstad", "overlast", "normal", "citizen", "web"},
    {"casablanca", "kessel-lo", "afval", "high", "system", NULL},
    {"heilig-hart", "heverlee", "veiligheid", "urgent", "staff", "phone"},
    {"triage", "triage", "triage", "low", "partner", NULL},
};

static void
s_route (sein_router_t *router)
{
    for (size_t index = 0; index < sizeof s_inputs / sizeof s_inputs[0]; index++) {
        sein_route_t route;
        sein_router_route (router, &s_inputs[index], &route);
        sein_fuzz_check (route.rule && route.count >= 1);
        size_t length = strlen (route.teams);
        sein_fuzz_check (length >= 2 && route.teams[0] == ',' &&
                         route.teams[length - 1] == ',');
        json_t *teams = sein_router_team_list (route.teams);
        sein_fuzz_check (json_array_size (teams) == (size_t) route.count);
        size_t item;
        json_t *name;
        json_array_foreach (teams, item, name)
            sein_fuzz_check (sein_router_known_team (router, json_string_value (name)));
        json_decref (teams);
    }
    json_t *teams = sein_router_teams (router);
    sein_fuzz_check (json_array_size (teams) >= 1);
    json_decref (teams);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    char *error = NULL;
    const char *path = sein_fuzz_file (data, size);
    //  The clients read the same file, for their settings only.
    sein_config_t *config = sein_config_load (path, NULL, 0, &error);
    if (config)
        sein_config_destroy (&config);
    else {
        sein_fuzz_check (error && *error);
        free (error);
        error = NULL;
    }
    config = sein_settings_load (path, NULL, 0, &error);
    if (!config) {
        sein_fuzz_check (error && *error);
        free (error);
        return 0;
    }
    sein_fuzz_check (!error);
    sein_config_print (config, s_null);
    free (sein_config_unreloadable (s_defaults, config));
    sein_router_t *router = sein_router_new (config, sein_fuzz_classifier (true), &error);
    if (router) {
        s_route (router);
        sein_router_destroy (&router);
    } else {
        sein_fuzz_check (error && *error);
        free (error);
    }
    sein_config_destroy (&config);
    return 0;
}
