// SPDX-License-Identifier: MPL-2.0
/*  test_router.c - unit tests for sein_router: teams, rules and routing

    Covers the routing semantics of sein_router.h: a wijk criterion
    includes its zones, the first matching rule decides, rules name teams
    and/or hand the signal to followers, the triage fallback when nothing
    matches or nobody is chosen, routing without rules; the "file:line"
    errors for unknown areas, themes, priorities, sources and teams,
    unknown keys, duplicate teams, a missing triage team and malformed
    lists; sein_router_teams, sein_router_known_team and
    sein_router_team_list; and a few routes through the shipped Leuven
    configuration (conf/sein.cfg). The classifier is built from the real
    reference data in conf/ so codes are checked as seind checks them.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sein_router.h"
#include "sein_settings.h"

//  Every data file the classifier may want, on one line so that line N of
//  a test's text is line N + 1 of the file.
#define S_CONF SEIN_SOURCE_DIR "/conf/"
#define S_DATA                                                                           \
    "data = { areas = \"" S_CONF "areas.tsv\"; polygons = \"" S_CONF                     \
    "areas.geojson\"; streets = \"" S_CONF "streets.tsv\"; places = \"" S_CONF            \
    "places.tsv\"; themes = \"" S_CONF                                                   \
    "themes.tsv\"; theme_rules = \"" S_CONF                                              \
    "theme-rules.tsv\"; priority_rules = \"" S_CONF "priority-rules.tsv\"; };\n"

typedef struct {
    char dir[64];
    char path[128];
    sein_config_t *config;
    sein_classifier_t *classifier;
    sein_router_t *router;
} s_fixture_t;

static void s_release (s_fixture_t *fixture)
{
    sein_router_destroy (&fixture->router);
    sein_classifier_destroy (&fixture->classifier);
    sein_config_destroy (&fixture->config);
}

static int s_setup (void **state)
{
    s_fixture_t *fixture = calloc (1, sizeof *fixture);
    if (!fixture) return -1;
    snprintf (fixture->dir, sizeof fixture->dir, "/tmp/sein-test-router-XXXXXX");
    if (!mkdtemp (fixture->dir)) {
        free (fixture);
        return -1;
    }
    snprintf (fixture->path, sizeof fixture->path, "%s/sein.cfg", fixture->dir);
    *state = fixture;
    return 0;
}

static int s_teardown (void **state)
{
    s_fixture_t *fixture = *state;
    s_release (fixture);
    unlink (fixture->path);
    int rc = rmdir (fixture->dir);
    free (fixture);
    return rc;
}

//  Load FILE with a classifier, then try to build a router. Returns the
//  router (kept in the fixture) or NULL with *error_p set.
static sein_router_t *s_build_file (s_fixture_t *fixture, const char *file,
                                    char **error_p)
{
    s_release (fixture);
    char *error = NULL;
    fixture->config = sein_settings_load (file, NULL, 0, &error);
    if (!fixture->config) fail_msg ("config: %s", error);
    fixture->classifier = sein_classifier_new (fixture->config, &error);
    if (!fixture->classifier) fail_msg ("classifier: %s", error);
    *error_p = NULL;
    fixture->router = sein_router_new (fixture->config, fixture->classifier, error_p);
    if (fixture->router)
        assert_null (*error_p);
    else
        assert_non_null (*error_p);
    return fixture->router;
}

//  Write S_DATA + TEXT as the fixture's config and build from it.
static sein_router_t *s_build (s_fixture_t *fixture, const char *text, char **error_p)
{
    FILE *file = fopen (fixture->path, "w");
    assert_non_null (file);
    fputs (S_DATA, file);
    fputs (text, file);
    assert_int_equal (fclose (file), 0);
    return s_build_file (fixture, fixture->path, error_p);
}

static sein_router_t *s_build_ok (s_fixture_t *fixture, const char *text)
{
    char *error = NULL;
    sein_router_t *router = s_build (fixture, text, &error);
    if (!router) fail_msg ("router: %s", error);
    return router;
}

//  Expect TEXT to be refused with "<file>:<LINE of TEXT + 1>: MESSAGE".
static void s_expect_error (s_fixture_t *fixture, const char *text, int line,
                            const char *message)
{
    char *error = NULL;
    sein_router_t *router = s_build (fixture, text, &error);
    assert_null (router);
    char expected[512];
    snprintf (expected, sizeof expected, "%s:%d: %s", fixture->path, line + 1, message);
    assert_string_equal (error, expected);
    free (error);
}

//  Route a signal; the wijk comes from the classifier as in seind.
static const char *s_route (s_fixture_t *fixture, const char *area, const char *theme,
                            const char *priority, const char *source, const char *channel,
                            sein_route_t *route)
{
    const char *wijk = sein_classifier_wijk_of (fixture->classifier, area);
    assert_non_null (wijk);
    sein_route_input_t input = {.area = area,
                                .wijk = wijk,
                                .theme = theme,
                                .priority = priority,
                                .source = source,
                                .channel = channel};
    memset (route, 0, sizeof *route);
    sein_router_route (fixture->router, &input, route);
    assert_int_equal (route->teams[0], ','); //  comma-wrapped, "," for none
    assert_non_null (route->rule);
    //  count agrees with the list.
    json_t *list = sein_router_team_list (route->teams);
    assert_int_equal ((int)json_array_size (list), route->count);
    json_decref (list);
    return route->teams;
}

//  Shorthand for the common case: citizen, normal, no channel.
static const char *s_route_at (s_fixture_t *fixture, const char *area, const char *theme,
                               sein_route_t *route)
{
    return s_route (fixture, area, theme, "normal", "citizen", NULL, route);
}

static void test_wijk_includes_zones (void **state)
{
    s_fixture_t *fixture = *state;
    s_build_ok (
        fixture,
        "teams = (\n"
        "  { name = \"wm-heverlee\"; kind = \"wijkmanager\"; areas = [\"heverlee\"]; },\n"
        "  { name = \"regie-hh\"; kind = \"regie\"; areas = [\"heilig-hart\"]; },\n"
        "  { name = \"desk\"; kind = \"triage\"; areas = [\"triage\"]; }\n"
        ");\n"
        "routing = ( { name = \"all\"; followers = true; } );\n");
    sein_route_t route;
    //  A signal in the zone reaches both the zone's and the wijk's team.
    assert_string_equal (s_route_at (fixture, "heilig-hart", "afval", &route),
                         ",wm-heverlee,regie-hh,");
    assert_string_equal (route.rule, "all");
    assert_int_equal (route.count, 2);
    //  One placed in the wijk only does not reach the zone's team.
    assert_string_equal (s_route_at (fixture, "heverlee", "afval", &route),
                         ",wm-heverlee,");
    assert_int_equal (route.count, 1);
    //  Another wijk's zone reaches neither: the triage desk gets it.
    assert_string_equal (s_route_at (fixture, "casablanca", "afval", &route), ",desk,");
    assert_string_equal (route.rule, "fallback");
    assert_string_equal (s_route_at (fixture, "triage", "afval", &route), ",desk,");
    assert_string_equal (route.rule, "all");
}

static void test_first_rule_wins (void **state)
{
    s_fixture_t *fixture = *state;
    s_build_ok (fixture,
                "teams = (\n"
                "  { name = \"a\"; kind = \"x\"; },\n"
                "  { name = \"b\"; kind = \"x\"; },\n"
                "  { name = \"c\"; kind = \"x\"; },\n"
                "  { name = \"desk\"; kind = \"triage\"; }\n"
                ");\n"
                "routing = (\n"
                "  { name = \"waste\"; themes = [\"afval\"]; teams = [\"a\"]; },\n"
                "  { name = \"heverlee\"; areas = [\"heverlee\"]; teams = [\"b\"]; },\n"
                "  { name = \"urgent\"; priorities = [\"urgent\"]; teams = [\"c\"]; }\n"
                ");\n");
    sein_route_t route;
    //  Matches all three rules; only the first counts.
    assert_string_equal (
        s_route (fixture, "heilig-hart", "afval", "urgent", "citizen", NULL, &route),
        ",a,");
    assert_string_equal (route.rule, "waste");
    assert_string_equal (
        s_route (fixture, "heilig-hart", "groen", "urgent", "citizen", NULL, &route),
        ",b,");
    assert_string_equal (route.rule, "heverlee");
    assert_string_equal (
        s_route (fixture, "wilsele", "groen", "urgent", "citizen", NULL, &route), ",c,");
    assert_string_equal (route.rule, "urgent");
    //  None matches: the triage team, rule "fallback".
    assert_string_equal (
        s_route (fixture, "wilsele", "groen", "high", "citizen", NULL, &route), ",desk,");
    assert_string_equal (route.rule, "fallback");
    assert_int_equal (route.count, 1);
}

static void test_every_condition_must_match (void **state)
{
    s_fixture_t *fixture = *state;
    s_build_ok (
        fixture,
        "teams = ( { name = \"a\"; kind = \"x\"; }, { name = \"desk\"; kind = "
        "\"triage\"; } );\n"
        "routing = ( { name = \"narrow\"; areas = [\"binnenstad\", \"wilsele\"];"
        " themes = [\"verkeer\"]; priorities = [\"high\", \"urgent\"];"
        " sources = [\"partner\"]; channels = [\"phone\"]; teams = [\"a\"]; } );\n");
    sein_route_t route;
    assert_string_equal (
        s_route (fixture, "wilsele", "verkeer", "high", "partner", "phone", &route),
        ",a,");
    assert_string_equal (route.rule, "narrow");
    //  A zone inside a listed wijk counts as that wijk.
    assert_string_equal (s_route (fixture, "burgemeestersstraat", "verkeer", "urgent",
                                  "partner", "phone", &route),
                         ",a,");
    //  Each condition on its own can fail the rule.
    const char *misses[][5] = {
        {"heverlee", "verkeer", "high", "partner", "phone"},
        {"wilsele", "groen", "high", "partner", "phone"},
        {"wilsele", "verkeer", "normal", "partner", "phone"},
        {"wilsele", "verkeer", "high", "citizen", "phone"},
        {"wilsele", "verkeer", "high", "partner", "email"},
        {"wilsele", "verkeer", "high", "partner", NULL}, //  no channel at all
    };
    for (size_t index = 0; index < sizeof misses / sizeof misses[0]; index++) {
        s_route (fixture, misses[index][0], misses[index][1], misses[index][2],
                 misses[index][3], misses[index][4], &route);
        assert_string_equal (route.teams, ",desk,");
        assert_string_equal (route.rule, "fallback");
    }
}

static void test_teams_and_followers (void **state)
{
    s_fixture_t *fixture = *state;
    s_build_ok (
        fixture,
        "teams = (\n"
        "  { name = \"desk\"; kind = \"triage\"; areas = [\"triage\"]; },\n"
        "  { name = \"police\"; kind = \"zorg\"; themes = [\"veiligheid\"]; },\n"
        "  { name = \"youth\"; kind = \"focus\"; themes = [\"jeugd\"]; },\n"
        "  { name = \"wm-kessel-lo\"; kind = \"wm\"; areas = [\"kessel-lo\"]; },\n"
        "  { name = \"urgent-only\"; kind = \"x\"; priorities = [\"urgent\"];"
        " sources = [\"staff\", \"partner\"]; }\n"
        ");\n"
        "routing = (\n"
        "  { name = \"named\"; themes = [\"jeugd\"]; teams = [\"police\", \"desk\"];"
        " followers = true; },\n"
        "  { name = \"named-only\"; themes = [\"veiligheid\"]; teams = [\"youth\"]; },\n"
        "  { name = \"followers\"; followers = true; }\n"
        ");\n");
    sein_route_t route;
    //  Named teams plus followers, in the order teams are declared, each once.
    assert_string_equal (s_route_at (fixture, "casablanca", "jeugd", &route),
                         ",desk,police,youth,wm-kessel-lo,");
    assert_string_equal (route.rule, "named");
    assert_int_equal (route.count, 4);
    //  Without followers only the named teams get it, not those following.
    assert_string_equal (s_route_at (fixture, "casablanca", "veiligheid", &route),
                         ",youth,");
    assert_int_equal (route.count, 1);
    //  Followers' criteria combine: urgent-only wants urgent from staff or partner.
    assert_string_equal (
        s_route (fixture, "casablanca", "afval", "urgent", "staff", NULL, &route),
        ",wm-kessel-lo,urgent-only,");
    assert_string_equal (
        s_route (fixture, "casablanca", "afval", "urgent", "citizen", NULL, &route),
        ",wm-kessel-lo,");
    //  A matching rule that chooses nobody still falls back to triage.
    assert_string_equal (s_route_at (fixture, "wilsele", "afval", &route), ",desk,");
    assert_string_equal (route.rule, "fallback");
    assert_int_equal (route.count, 1);
}

static void test_fallback_to_every_triage_team (void **state)
{
    s_fixture_t *fixture = *state;
    s_build_ok (
        fixture,
        "teams = (\n"
        "  { name = \"desk-north\"; kind = \"triage\"; areas = [\"wilsele\"]; },\n"
        "  { name = \"green\"; kind = \"dienst\"; themes = [\"groen\"]; },\n"
        "  { name = \"desk-south\"; kind = \"triage\"; areas = [\"heverlee\"]; }\n"
        ");\n"
        "routing = ( { name = \"green\"; themes = [\"groen\"]; teams = [\"green\"]; } "
        ");\n");
    sein_route_t route;
    assert_string_equal (s_route_at (fixture, "heverlee", "groen", &route), ",green,");
    //  Every team of kind triage, whatever it follows.
    assert_string_equal (s_route_at (fixture, "kessel-lo", "afval", &route),
                         ",desk-north,desk-south,");
    assert_string_equal (route.rule, "fallback");
    assert_int_equal (route.count, 2);
}

static void test_without_rules (void **state)
{
    s_fixture_t *fixture = *state;
    //  No routing list: everyone who follows the signal gets it.
    s_build_ok (fixture,
                "teams = (\n"
                "  { name = \"desk\"; kind = \"triage\"; areas = [\"triage\"]; },\n"
                "  { name = \"waste\"; kind = \"dienst\"; themes = [\"afval\"]; },\n"
                "  { name = \"all\"; kind = \"observer\"; sources = [\"system\"]; }\n"
                ");\n");
    sein_route_t route;
    assert_string_equal (s_route_at (fixture, "wijgmaal", "afval", &route), ",waste,");
    assert_string_equal (route.rule, "followers");
    assert_string_equal (
        s_route (fixture, "wijgmaal", "afval", "low", "system", NULL, &route),
        ",waste,all,");
    assert_string_equal (s_route_at (fixture, "wijgmaal", "groen", &route), ",desk,");
    assert_string_equal (route.rule, "fallback");

    //  An empty routing list behaves the same.
    s_build_ok (fixture,
                "teams = ( { name = \"desk\"; kind = \"triage\"; areas = [\"triage\"]; },"
                " { name = \"waste\"; kind = \"d\"; themes = [\"afval\"]; } );\n"
                "routing = ( );\n");
    assert_string_equal (s_route_at (fixture, "wijgmaal", "afval", &route), ",waste,");
    assert_string_equal (route.rule, "followers");
}

static void test_route_buffer_holds_every_team (void **state)
{
    //  Every team chosen at once: the result buffer is sized exactly for
    //  this, so a sanitizer build catches an off-by-one.
    s_fixture_t *fixture = *state;
    s_build_ok (
        fixture,
        "teams = ( { name = \"a\"; kind = \"triage\"; },"
        " { name = \"a-much-longer-team-name-to-fill-the-buffer\"; kind = \"x\"; },"
        " { name = \"c\"; kind = \"x\"; } );\n"
        "routing = ( { name = \"everyone\"; followers = true; } );\n");
    sein_route_t route;
    assert_string_equal (s_route_at (fixture, "heverlee", "afval", &route),
                         ",a,a-much-longer-team-name-to-fill-the-buffer,c,");
    assert_int_equal (route.count, 3);
    //  The next route reuses the buffer without leftovers.
    s_build_ok (fixture, "teams = ( { name = \"a\"; kind = \"triage\"; },"
                         " { name = \"b\"; kind = \"x\"; themes = [\"groen\"]; } );\n"
                         "routing = ( { name = \"everyone\"; followers = true; } );\n");
    assert_string_equal (s_route_at (fixture, "heverlee", "afval", &route), ",a,");
    assert_string_equal (s_route_at (fixture, "heverlee", "groen", &route), ",a,b,");
    assert_string_equal (s_route_at (fixture, "heverlee", "afval", &route), ",a,");
}

static void test_triage_team_required (void **state)
{
    s_fixture_t *fixture = *state;
    s_expect_error (fixture,
                    "\nteams = (\n  { name = \"a\"; kind = \"wijkmanager\"; }\n);\n", 2,
                    "no team of kind \"triage\": unplaced signals would reach nobody");
    //  Naming a team "triage" is not enough; its kind decides.
    s_expect_error (fixture, "teams = ( { name = \"triage\"; kind = \"desk\"; } );\n", 1,
                    "no team of kind \"triage\": unplaced signals would reach nobody");
}

static void test_teams_list_required (void **state)
{
    s_fixture_t *fixture = *state;
    char *error = NULL;
    assert_null (s_build (fixture, "", &error));
    char expected[256];
    snprintf (expected, sizeof expected,
              "%s:0: a list teams = ( {...}, ... ) is required", fixture->path);
    assert_string_equal (error, expected);
    free (error);
    s_expect_error (fixture, "\nteams = [ \"a\" ];\n", 2,
                    "a list teams = ( {...}, ... ) is required");
    s_expect_error (fixture, "teams = ( \"a\" );\n", 1,
                    "each team must be a group { name = ...; }");
}

static void test_unknown_codes (void **state)
{
    s_fixture_t *fixture = *state;
    s_expect_error (fixture,
                    "teams = (\n"
                    "  { name = \"desk\"; kind = \"triage\"; },\n"
                    "  { name = \"a\"; kind = \"x\";\n"
                    "    areas = [\"heverlee\", \"nowhere\"]; }\n"
                    ");\n",
                    4, "unknown areas 'nowhere'");
    s_expect_error (
        fixture,
        "teams = ( { name = \"desk\"; kind = \"triage\"; themes = [\"garbage\"]; } );\n",
        1, "unknown themes 'garbage'");
    s_expect_error (
        fixture,
        "teams = ( { name = \"desk\"; kind = \"triage\"; } );\n"
        "routing = (\n"
        "  { name = \"r\"; priorities = [\"critical\"]; teams = [\"desk\"]; }\n"
        ");\n",
        3, "unknown priorities 'critical'");
    s_expect_error (
        fixture,
        "teams = ( { name = \"desk\"; kind = \"triage\"; sources = [\"bot\"]; } );\n", 1,
        "unknown sources 'bot'");
    s_expect_error (fixture,
                    "teams = ( { name = \"desk\"; kind = \"triage\"; } );\n"
                    "routing = ( { name = \"r\"; channels = [\"Phone Line\"];"
                    " teams = [\"desk\"]; } );\n",
                    2, "unknown channels 'Phone Line'");
    //  Areas are checked against the areas data, themes against the themes:
    //  a theme code is no area.
    s_expect_error (
        fixture,
        "teams = ( { name = \"desk\"; kind = \"triage\"; areas = [\"afval\"]; } );\n", 1,
        "unknown areas 'afval'");
    s_expect_error (fixture,
                    "teams = ( { name = \"desk\"; kind = \"triage\"; } );\n"
                    "routing = (\n"
                    "  { name = \"ok\"; teams = [\"desk\"]; },\n"
                    "  { name = \"r\";\n"
                    "    teams = [\"desk\", \"ghost\"]; }\n"
                    ");\n",
                    5, "rule 'r' names unknown team 'ghost'");
    s_expect_error (fixture,
                    "teams = ( { name = \"desk\"; kind = \"triage\"; } );\n"
                    "routing = ( { name = \"r\"; teams = ( \"desk\", 3 ); } );\n",
                    2, "rule 'r' names unknown team '(not a string)'");
    //  "triage" is a valid area and theme code in criteria.
    sein_router_t *router = s_build_ok (
        fixture, "teams = ( { name = \"desk\"; kind = \"triage\"; areas = [\"triage\"];"
                 " themes = [\"triage\"]; } );\n");
    assert_non_null (router);
}

static void test_unknown_keys_and_duplicates (void **state)
{
    s_fixture_t *fixture = *state;
    s_expect_error (fixture,
                    "teams = (\n"
                    "  { name = \"desk\"; kind = \"triage\";\n"
                    "    area = [\"heverlee\"]; }\n"
                    ");\n",
                    3, "unknown setting 'area'");
    s_expect_error (fixture,
                    "teams = ( { name = \"desk\"; kind = \"triage\"; } );\n"
                    "routing = ( { name = \"r\"; team = [\"desk\"]; } );\n",
                    2, "unknown setting 'team'");
    //  A team may not carry rule-only keys.
    s_expect_error (
        fixture,
        "teams = ( { name = \"desk\"; kind = \"triage\"; followers = true; } );\n", 1,
        "unknown setting 'followers'");
    s_expect_error (fixture,
                    "teams = (\n"
                    "  { name = \"desk\"; kind = \"triage\"; },\n"
                    "  { name = \"a\"; kind = \"x\"; },\n"
                    "  { name = \"desk\"; kind = \"x\"; }\n"
                    ");\n",
                    4, "duplicate team 'desk'");
}

static void test_malformed_entries (void **state)
{
    s_fixture_t *fixture = *state;
    s_expect_error (fixture, "teams = ( { kind = \"triage\"; } );\n", 1,
                    "team needs a name of lowercase letters, digits, '-', '_' or '.'");
    s_expect_error (fixture, "teams = ( { name = \"Desk 1\"; kind = \"triage\"; } );\n",
                    1, "team needs a name of lowercase letters, digits, '-', '_' or '.'");
    s_expect_error (fixture, "teams = ( { name = 5; kind = \"triage\"; } );\n", 1,
                    "team needs a name of lowercase letters, digits, '-', '_' or '.'");
    s_expect_error (fixture, "teams = ( { name = \"desk\"; } );\n", 1,
                    "team 'desk' needs a kind");
    s_expect_error (
        fixture,
        "teams = ( { name = \"desk\"; kind = \"triage\"; areas = \"heverlee\"; } );\n", 1,
        "areas must be an array of strings");
    s_expect_error (
        fixture,
        "teams = ( { name = \"desk\"; kind = \"triage\"; themes = [1, 2]; } );\n", 1,
        "themes must be an array of strings");
    s_expect_error (fixture,
                    "teams = ( { name = \"desk\"; kind = \"triage\"; } );\n"
                    "routing = ( { name = \"r\"; themes = [\"afval\"]; } );\n",
                    2, "rule 'r' names no teams and no followers");
    s_expect_error (
        fixture,
        "teams = ( { name = \"desk\"; kind = \"triage\"; } );\n"
        "routing = ( { teams = [\"desk\"]; } );\n",
        2, "routing rule needs a name of lowercase letters, digits, '-', '_' or '.'");
    s_expect_error (fixture,
                    "teams = ( { name = \"desk\"; kind = \"triage\"; } );\n"
                    "routing = { name = \"r\"; };\n",
                    2, "routing must be a list of at most 128 rules");
}

static void test_rule_values_checked (void **state)
{
    //  A rule's `teams` and `followers` must have the right type: a silently
    //  ignored value would route signals away from the teams it names.
    s_fixture_t *fixture = *state;
    s_expect_error (fixture,
                    "teams = ( { name = \"desk\"; kind = \"triage\"; },"
                    " { name = \"a\"; kind = \"x\"; } );\n"
                    "routing = ( { name = \"r\"; teams = \"a\"; followers = true; } );\n",
                    2, "rule 'r': teams must be an array of team names");
    s_expect_error (
        fixture,
        "teams = ( { name = \"desk\"; kind = \"triage\"; },"
        " { name = \"a\"; kind = \"x\"; } );\n"
        "routing = ( { name = \"r\"; teams = [\"a\"]; followers = \"yes\"; } );\n",
        2, "rule 'r': followers must be true or false");
    //  More names than the rule can hold (repeats included) are refused,
    //  not written past the end.
    char *text = malloc (4096);
    assert_non_null (text);
    int len = snprintf (text, 4096,
                        "teams = ( { name = \"desk\"; kind = \"triage\"; } );\n"
                        "routing = ( { name = \"r\"; teams = [");
    for (int index = 0; index < 129; index++)
        len += snprintf (text + len, 4096 - (size_t)len, "%s\"desk\"", index ? ", " : "");
    snprintf (text + len, 4096 - (size_t)len, "]; } );\n");
    s_expect_error (fixture, text, 2, "rule 'r' names more than 128 teams");
    free (text);
    //  A criterion list has a bound too.
    text = malloc (4096);
    assert_non_null (text);
    len = snprintf (text, 4096,
                    "teams = ( { name = \"desk\"; kind = \"triage\"; areas = [");
    for (int index = 0; index < 33; index++)
        len += snprintf (text + len, 4096 - (size_t)len, "%s\"heverlee\"",
                         index ? ", " : "");
    snprintf (text + len, 4096 - (size_t)len, "]; } );\n");
    s_expect_error (fixture, text, 1, "areas has more than 32 entries");
    free (text);
}

static void test_teams_json (void **state)
{
    s_fixture_t *fixture = *state;
    sein_router_t *router = s_build_ok (
        fixture, "teams = (\n"
                 "  { name = \"desk\"; kind = \"triage\"; areas = [\"triage\"]; },\n"
                 "  { name = \"youth\"; kind = \"focusgroep\"; themes = [\"jeugd\"];"
                 " priorities = [\"high\", \"urgent\"]; },\n"
                 "  { name = \"everything\"; kind = \"observer\"; }\n"
                 ");\n");
    json_t *teams = sein_router_teams (router);
    assert_true (json_is_array (teams));
    assert_int_equal (json_array_size (teams), 3);
    json_t *youth = json_array_get (teams, 1);
    assert_string_equal (json_string_value (json_object_get (youth, "name")), "youth");
    assert_string_equal (json_string_value (json_object_get (youth, "kind")),
                         "focusgroep");
    json_t *follows = json_object_get (youth, "follows");
    assert_int_equal (json_object_size (follows), 2); //  only what it lists
    json_t *priorities = json_object_get (follows, "priorities");
    assert_int_equal (json_array_size (priorities), 2);
    assert_string_equal (json_string_value (json_array_get (priorities, 1)), "urgent");
    assert_string_equal (
        json_string_value (json_array_get (json_object_get (follows, "themes"), 0)),
        "jeugd");
    json_t *everything = json_array_get (teams, 2);
    assert_int_equal (json_object_size (json_object_get (everything, "follows")), 0);
    json_decref (teams);

    assert_true (sein_router_known_team (router, "youth"));
    assert_true (sein_router_known_team (router, "desk"));
    assert_false (sein_router_known_team (router, "yout"));
    assert_false (sein_router_known_team (router, "youth2"));
    assert_false (sein_router_known_team (router, ""));
}

static void s_expect_list (const char *teams, int count, const char **names)
{
    json_t *list = sein_router_team_list (teams);
    assert_true (json_is_array (list));
    assert_int_equal ((int)json_array_size (list), count);
    for (int index = 0; index < count; index++)
        assert_string_equal (json_string_value (json_array_get (list, (size_t)index)),
                             names[index]);
    json_decref (list);
}

static void test_team_list (void **state)
{
    (void)state;
    const char *two[] = {"wijkzorgteam", "dienst-reiniging"};
    s_expect_list (",wijkzorgteam,dienst-reiniging,", 2, two);
    const char *one[] = {"triage"};
    s_expect_list (",triage,", 1, one);
    s_expect_list (",", 0, NULL);
    s_expect_list ("", 0, NULL);
    s_expect_list (NULL, 0, NULL);
    //  Tolerant of missing wrappers and empty items.
    s_expect_list ("wijkzorgteam,dienst-reiniging", 2, two);
    s_expect_list (",,triage,,", 1, one);
}

//  Does ",a,b," contain TEAM?
static bool s_has (const char *teams, const char *team)
{
    char needle[80];
    snprintf (needle, sizeof needle, ",%s,", team);
    return strstr (teams, needle) != NULL;
}

static void test_leuven_routes (void **state)
{
    s_fixture_t *fixture = *state;
    char *error = NULL;
    if (!s_build_file (fixture, SEIN_SOURCE_DIR "/conf/sein.cfg", &error))
        fail_msg ("conf/sein.cfg: %s", error);
    sein_route_t route;

    //  Litter in the Heilig Hart project zone: the wijk's manager, the
    //  project team and the cleaning department.
    assert_string_equal (s_route_at (fixture, "heilig-hart", "afval", &route),
                         ",wijkmanager-heverlee,regie-heilig-hart,dienst-reiniging,");
    assert_string_equal (route.rule, "followers");

    //  Not placed: the triage desk, and the theme's department can start.
    s_route_at (fixture, "triage", "afval", &route);
    assert_string_equal (route.rule, "unplaced");
    assert_true (s_has (route.teams, "triage"));
    assert_true (s_has (route.teams, "dienst-reiniging"));
    assert_false (s_has (route.teams, "wijkmanager-heverlee"));

    //  Neither placed nor understood: only the desk.
    assert_string_equal (s_route_at (fixture, "triage", "triage", &route), ",triage,");

    //  Not understood but placed: the desk and the area's manager.
    assert_string_equal (s_route_at (fixture, "binnenstad", "triage", &route),
                         ",wijkmanager-binnenstad,triage,");
    assert_string_equal (route.rule, "unclassified");

    //  Serious youth nuisance: the care team and the focus group join the
    //  area's own teams.
    s_route (fixture, "casablanca", "jeugd", "high", "citizen", NULL, &route);
    assert_string_equal (route.rule, "urgent-safety");
    assert_true (s_has (route.teams, "wijkzorgteam"));
    assert_true (s_has (route.teams, "focusgroep-hangjongeren"));
    assert_true (s_has (route.teams, "wijkmanager-kessel-lo"));
    assert_true (s_has (route.teams, "regie-casablanca"));
    assert_false (s_has (route.teams, "triage"));
    assert_int_equal (route.count, 4);

    //  Urgent youth matters reach the care team even before they are
    //  placed; the triage desk, which follows area triage, gets them too.
    s_route (fixture, "triage", "jeugd", "urgent", "staff", NULL, &route);
    assert_string_equal (route.rule, "urgent-safety");
    assert_true (s_has (route.teams, "wijkzorgteam"));
    assert_true (s_has (route.teams, "triage"));
    assert_true (s_has (route.teams, "focusgroep-hangjongeren"));

    //  The same theme at normal priority: no care team.
    s_route_at (fixture, "casablanca", "jeugd", &route);
    assert_string_equal (route.rule, "followers");
    assert_false (s_has (route.teams, "wijkzorgteam"));
    assert_true (s_has (route.teams, "focusgroep-hangjongeren"));

    //  A theme nobody follows still reaches the wijk's manager.
    assert_string_equal (s_route_at (fixture, "wilsele", "overlast", &route),
                         ",wijkmanager-wilsele,");

    //  Every team configured there is known.
    const char *names[] = {"wijkmanager-wijgmaal", "regie-burgemeestersstraat",
                           "dienst-dierenwelzijn", "triage"};
    for (int index = 0; index < 4; index++)
        assert_true (sein_router_known_team (fixture->router, names[index]));
    json_t *teams = sein_router_teams (fixture->router);
    assert_int_equal (json_array_size (teams), 19);
    json_decref (teams);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_wijk_includes_zones, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_first_rule_wins, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_every_condition_must_match, s_setup,
                                         s_teardown),
        cmocka_unit_test_setup_teardown (test_teams_and_followers, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_fallback_to_every_triage_team, s_setup,
                                         s_teardown),
        cmocka_unit_test_setup_teardown (test_without_rules, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_route_buffer_holds_every_team, s_setup,
                                         s_teardown),
        cmocka_unit_test_setup_teardown (test_triage_team_required, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_teams_list_required, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_unknown_codes, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_unknown_keys_and_duplicates, s_setup,
                                         s_teardown),
        cmocka_unit_test_setup_teardown (test_malformed_entries, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_rule_values_checked, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_teams_json, s_setup, s_teardown),
        cmocka_unit_test (test_team_list),
        cmocka_unit_test_setup_teardown (test_leuven_routes, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
