// SPDX-License-Identifier: MPL-2.0
/*  test_http.c - unit tests for the gateway's classes: sein_open311 (the
    Open311 <-> sein mapping) and sein_http_keys (API keys to roles), and
    the `http` group in the shared configuration file

    The whole exchange over HTTP is tested against the real seind and
    sein-http in tests/http/ (Python); these tests pin the mapping itself:
    every Open311 field lands where docs/OPEN311.md says, a service
    request is built from a whitelist (a signal's personal fields never
    reach it), and the key list is refused with file:line when it is
    malformed.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sein_http_keys.h"
#include "sein_open311.h"
#include "sein_settings.h"

//  Write TEXT to a fresh file and return its path (static buffer).
static const char *
s_write (const char *name, const char *text)
{
    static char path[256];
    snprintf (path, sizeof path, "%s/%s-%d", SEIN_BINARY_DIR, name, (int) getpid ());
    FILE *file = fopen (path, "w");
    assert_non_null (file);
    fputs (text, file);
    fclose (file);
    chmod (path, 0600);
    return path;
}

static void
test_submit_maps_the_form (void **state)
{
    (void) state;
    json_t *fields = json_pack ("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "service_code",
                                "afval", "lat", "50.879", "long", "4.701", "description",
                                "Sluikstort", "first_name", "Jan", "last_name", "Peeters",
                                "email", "jan@example.be", "phone", "+3216", "media_url",
                                "https://x/1.jpg", "jurisdiction_id", "leuven");
    const char *field = NULL;
    char *error = NULL;
    json_t *body = sein_open311_submit (fields, "open311:k1", &field, &error);
    assert_non_null (body);
    assert_string_equal (json_string_value (json_object_get (body, "source")), "citizen");
    assert_string_equal (json_string_value (json_object_get (body, "channel")), "open311");
    assert_string_equal (json_string_value (json_object_get (body, "theme")), "afval");
    assert_true (json_real_value (json_object_get (body, "lat")) == 50.879);
    assert_true (json_real_value (json_object_get (body, "long")) == 4.701);
    assert_string_equal (json_string_value (json_object_get (body, "external_id")),
                         "open311:k1");
    json_t *reporter = json_object_get (body, "reporter");
    assert_string_equal (json_string_value (json_object_get (reporter, "name")), "Jan Peeters");
    assert_string_equal (json_string_value (json_object_get (reporter, "email")),
                         "jan@example.be");
    assert_string_equal (json_string_value (json_object_get (reporter, "phone")), "+3216");
    assert_string_equal (
        json_string_value (json_object_get (json_object_get (body, "attributes"), "media_url")),
        "https://x/1.jpg");
    //  Fields sein has no place for are left out, not sent to be refused.
    assert_null (json_object_get (body, "jurisdiction_id"));
    json_decref (body);
    //  Without personal fields there is no reporter; without a code no theme.
    json_t *plain = json_pack ("{s:s,s:s}", "description", "Kapotte lamp", "address_string",
                               "Naamsestraat 45");
    body = sein_open311_submit (plain, NULL, &field, &error);
    assert_null (json_object_get (body, "reporter"));
    assert_null (json_object_get (body, "theme"));
    assert_null (json_object_get (body, "external_id"));
    assert_string_equal (json_string_value (json_object_get (body, "address_string")),
                         "Naamsestraat 45");
    json_decref (body);
    json_decref (plain);
    //  A coordinate that is not a number names its field.
    json_object_set_new (fields, "long", json_string ("4.7east"));
    assert_null (sein_open311_submit (fields, NULL, &field, &error));
    assert_string_equal (field, "long");
    assert_non_null (strstr (error, "long"));
    free (error);
    json_object_set_new (fields, "long", json_string ("4.7"));
    json_object_set_new (fields, "lat", json_string ("nan"));
    assert_null (sein_open311_submit (fields, NULL, &field, &error));
    assert_string_equal (field, "lat");
    free (error);
    json_decref (fields);
}

static json_t *
s_services (void)
{
    char *error = NULL;
    json_t *services = sein_open311_services (
        s_write ("themes.tsv", "code\tname_nl\tname_en\tcovers\n"
                               "afval\tAfval en netheid\tWaste\tlitter\n"
                               "triage\tTriage\tTriage\t\n"
                               "groen\tGroen\tGreen space\t\n"),
        &error);
    assert_null (error);
    return services;
}

static void
test_services_are_the_themes (void **state)
{
    (void) state;
    json_t *services = s_services ();
    unlink (s_write ("themes.tsv", ""));
    //  triage is sein's own, not a service a citizen picks.
    assert_int_equal (json_array_size (services), 2);
    json_t *afval = json_array_get (services, 0);
    assert_string_equal (json_string_value (json_object_get (afval, "service_code")), "afval");
    assert_string_equal (json_string_value (json_object_get (afval, "service_name")),
                         "Afval en netheid");
    assert_string_equal (json_string_value (json_object_get (afval, "description")), "litter");
    assert_true (json_is_false (json_object_get (afval, "metadata")));
    assert_string_equal (json_string_value (json_object_get (afval, "type")), "realtime");
    //  No `covers`: the English name describes it.
    assert_string_equal (
        json_string_value (json_object_get (json_array_get (services, 1), "description")),
        "Green space");
    json_decref (services);
    char *error = NULL;
    assert_null (sein_open311_services (s_write ("themes.tsv", "area\tname\n"), &error));
    assert_non_null (strstr (error, "themes.tsv"));
    free (error);
    unlink (s_write ("themes.tsv", ""));
}

static void
test_request_is_a_whitelist (void **state)
{
    (void) state;
    json_t *services = s_services ();
    unlink (s_write ("themes.tsv", ""));
    json_t *signal = json_pack (
        "{s:s,s:I,s:s,s:s,s:s,s:s,s:f,s:f,s:[s,s],s:s,s:s,s:s,s:s,"
        "s:{s:s,s:s},s:s,s:s,s:{s:s}}",
        "id", "01a2-x", "seq", (json_int_t) 7, "theme", "afval", "status", "in_progress",
        "description", "Sluikstort", "address_string", "Naamsestraat 45", "lat", 50.879,
        "long", 4.701, "teams", "wijkmanager-binnenstad", "dienst-reiniging", "assigned_team",
        "dienst-groen", "received_at", "2026-12-01T10:00:00.000Z", "updated_at",
        "2026-12-02T10:00:00.000Z", "due_at", "2026-12-04T10:00:00.000Z", "reporter", "name",
        "Jan", "email", "jan@example.be", "external_id", "open311:k1", "submitter", "desk",
        "attributes", "media_url", "https://x/1.jpg");
    json_t *request = sein_open311_request (signal, services);
    char *text = json_dumps (request, 0);
    assert_null (strstr (text, "jan@example.be"));
    assert_null (strstr (text, "Jan"));
    assert_null (strstr (text, "open311:k1"));
    assert_null (strstr (text, "desk"));
    free (text);
    assert_string_equal (json_string_value (json_object_get (request, "service_request_id")),
                         "01a2-x");
    assert_string_equal (json_string_value (json_object_get (request, "status")), "open");
    assert_string_equal (json_string_value (json_object_get (request, "status_notes")),
                         "in_progress");
    assert_string_equal (json_string_value (json_object_get (request, "service_name")),
                         "Afval en netheid");
    assert_string_equal (json_string_value (json_object_get (request, "agency_responsible")),
                         "wijkmanager-binnenstad, dienst-reiniging, dienst-groen");
    assert_string_equal (json_string_value (json_object_get (request, "updated_datetime")),
                         "2026-12-02T10:00:00.000Z");
    assert_string_equal (json_string_value (json_object_get (request, "expected_datetime")),
                         "2026-12-04T10:00:00.000Z");
    assert_string_equal (json_string_value (json_object_get (request, "address")),
                         "Naamsestraat 45");
    assert_string_equal (json_string_value (json_object_get (request, "media_url")),
                         "https://x/1.jpg");
    json_decref (request);
    //  The assigned team already routed to is named once; no deadline is
    //  null; no update yet is the time it came in.
    json_object_set_new (signal, "assigned_team", json_string ("dienst-reiniging"));
    json_object_del (signal, "due_at");
    json_object_del (signal, "updated_at");
    json_object_set_new (signal, "status", json_string ("duplicate"));
    request = sein_open311_request (signal, services);
    assert_string_equal (json_string_value (json_object_get (request, "agency_responsible")),
                         "wijkmanager-binnenstad, dienst-reiniging");
    assert_true (json_is_null (json_object_get (request, "expected_datetime")));
    assert_string_equal (json_string_value (json_object_get (request, "updated_datetime")),
                         "2026-12-01T10:00:00.000Z");
    assert_string_equal (json_string_value (json_object_get (request, "status")), "closed");
    json_decref (request);
    json_decref (signal);
    json_decref (services);
}

static void
test_states_and_codes (void **state)
{
    (void) state;
    const char *open[] = {"new", "acknowledged", "in_progress", "referred", "reopened"};
    const char *finished[] = {"resolved", "closed", "duplicate", "rejected"};
    for (size_t index = 0; index < 5; index++)
        assert_string_equal (sein_open311_status (open[index]), "open");
    for (size_t index = 0; index < 4; index++)
        assert_string_equal (sein_open311_status (finished[index]), "closed");
    assert_int_equal (sein_open311_http_status ("not-found"), 404);
    assert_int_equal (sein_open311_http_status ("forbidden"), 403);
    assert_int_equal (sein_open311_http_status ("busy"), 503);
    assert_int_equal (sein_open311_http_status ("storage"), 503);
    assert_int_equal (sein_open311_http_status ("internal"), 500);
    assert_int_equal (sein_open311_http_status ("value"), 400);
    assert_string_equal (sein_open311_field ("theme"), "service_code");
    assert_string_equal (sein_open311_field ("reporter.email"), "email");
    assert_string_equal (sein_open311_field ("lat"), "lat");
    json_t *error = sein_open311_error (404, "gone");
    assert_int_equal (json_integer_value (json_object_get (json_array_get (error, 0), "code")),
                      404);
    json_decref (error);
}

static sein_config_t *
s_load (const char *http, char **error_p)
{
    char *text = NULL;
    if (asprintf (&text, "http = {\n%s\n};\n", http) < 0)
        return NULL;
    const char *path = s_write ("http.cfg", text);
    free (text);
    sein_config_t *config = sein_settings_load (path, NULL, 0, error_p);
    return config;
}

static void
test_keys_map_to_roles (void **state)
{
    (void) state;
    char *error = NULL;
    sein_config_t *config = s_load (
        "  anonymous_role = \"none\";\n"
        "  api_keys = (\n"
        "    { key = \"0123456789abcdef\"; name = \"fms\"; role = \"submitter\"; },\n"
        "    { key = \"fedcba9876543210\"; name = \"dash\"; role = \"staff\";\n"
        "      teams = [ \"dienst-groen\", \"dienst-reiniging\" ]; }\n"
        "  );",
        &error);
    assert_null (error);
    sein_http_keys_t *keys = sein_http_keys_new (config, &error);
    assert_null (error);
    assert_int_equal (sein_http_keys_size (keys), 2);
    sein_principal_t principal;
    assert_int_equal (sein_http_keys_lookup (keys, NULL, &principal), -1);
    assert_int_equal (sein_http_keys_lookup (keys, "0123456789abcdeX", &principal), -1);
    assert_int_equal (sein_http_keys_lookup (keys, "0123456789abcdef", &principal), 0);
    assert_string_equal (principal.name, "fms");
    assert_true (sein_auth_allows (&principal, "SUBMIT"));
    assert_false (sein_auth_allows (&principal, "LIST"));
    assert_int_equal (sein_http_keys_lookup (keys, "fedcba9876543210", &principal), 0);
    assert_true (sein_auth_allows (&principal, "LIST"));
    assert_false (sein_auth_allows (&principal, "SUBMIT"));
    assert_true (sein_auth_has_team (&principal, "dienst-groen"));
    assert_true (sein_auth_has_team (&principal, "dienst-reiniging"));
    assert_false (sein_auth_has_team (&principal, "dienst"));
    sein_http_keys_destroy (&keys);
    sein_http_keys_destroy (&keys);
    sein_config_destroy (&config);
    //  Without keys and by default, a request has every right, as a
    //  client of seind without security does.
    config = s_load ("  enabled = true;", &error);
    keys = sein_http_keys_new (config, &error);
    assert_int_equal (sein_http_keys_lookup (keys, NULL, &principal), 0);
    assert_string_equal (principal.role, "admin");
    assert_true (sein_auth_allows (&principal, "SUBMIT"));
    sein_http_keys_destroy (&keys);
    sein_config_destroy (&config);
    unlink (s_write ("http.cfg", ""));
}

static void
test_bad_keys_are_refused (void **state)
{
    (void) state;
    const char *bad[][2] = {
        {"api_keys = ( { key = \"short\"; name = \"a\"; role = \"admin\"; } );", "16 bytes"},
        {"api_keys = ( { key = \"0123456789abcdef\"; name = \"a\"; role = \"boss\"; } );",
         "role"},
        {"api_keys = ( { key = \"0123456789abcdef\"; name = \"A B\"; role = \"admin\"; } );",
         "name"},
        {"api_keys = ( { key = \"0123456789abcdef\"; name = \"a\"; role = \"admin\"; },\n"
         "             { key = \"0123456789abcdef\"; name = \"b\"; role = \"admin\"; } );",
         "twice"},
        {"api_keys = ( { key = \"0123456789abcdef\"; name = \"a\"; role = \"staff\";"
         " teams = \"x\"; } );",
         "teams"}};
    for (size_t index = 0; index < sizeof bad / sizeof bad[0]; index++) {
        char *error = NULL;
        sein_config_t *config = s_load (bad[index][0], &error);
        assert_non_null (config);
        assert_null (sein_http_keys_new (config, &error));
        assert_non_null (error);
        assert_non_null (strstr (error, "http.cfg"));
        assert_non_null (strstr (error, bad[index][1]));
        free (error);
        sein_config_destroy (&config);
    }
    //  Keys are secrets: a file that others may read is refused.
    char *error = NULL;
    sein_config_t *config =
        s_load ("api_keys = ( { key = \"0123456789abcdef\"; name = \"a\"; role = \"admin\"; } );",
                &error);
    chmod (sein_config_file (config), 0640);
    assert_null (sein_http_keys_new (config, &error));
    assert_non_null (strstr (error, "0600"));
    free (error);
    error = NULL;
    sein_config_destroy (&config);
    //  The group's plain settings are checked like any other, by every
    //  program: a typo is refused, the key list is left to the gateway.
    assert_null (s_load ("  enable = true;", &error));
    assert_non_null (strstr (error, "http.enable"));
    free (error);
    config = sein_config_load (
        s_write ("http.cfg", "http = { port = 8080; api_keys = ( { key = \"x\"; } ); };\n"),
        NULL, 0, &error);
    assert_non_null (config);
    assert_int_equal (sein_config_int (config, "http.port"), 8080);
    sein_config_destroy (&config);
    unlink (s_write ("http.cfg", ""));
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_submit_maps_the_form),
        cmocka_unit_test (test_services_are_the_themes),
        cmocka_unit_test (test_request_is_a_whitelist),
        cmocka_unit_test (test_states_and_codes),
        cmocka_unit_test (test_keys_map_to_roles),
        cmocka_unit_test (test_bad_keys_are_refused),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
