// SPDX-License-Identifier: MPL-2.0
/*  test_config.c - unit tests for sein_config: the settings tables

    The checks seind makes run through its loader (sein_settings_load,
    libsein's table and seind's): built-in defaults (NULL file), loading a
    libconfig file, the
    `-o path=value` overrides and their precedence, "file:line: message"
    errors for unknown settings, wrong types, bounds, enums, empty strings
    and syntax errors, path settings resolved against the config file's
    directory (overrides against the current directory), the `teams` and
    `routing` sections left to their owners, sein_config_unreloadable and
    sein_config_print. The clients' loader (sein_config_load, libsein's
    table only) accepts every file and override seind accepts, skipping
    seind's groups, yet refuses unknown groups and its own typos; the two
    tables fit together (no setting twice, seind's groups known to the
    clients, a setting that feeds a socket option restart-only). Each test
    writes its file in a fresh mkdtemp directory that the teardown removes.

    libsein's allocator (sein_alloc.h) is tested here too: a failed
    allocation, sein_require and comparing configurations of two tables
    stop the process with a message in the release build (NDEBUG).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sein_alloc.h"
#include "sein_config.h"
#include "sein_settings.h"

typedef struct {
    char dir[64];
    char path[128]; //  dir/sein.cfg
} s_fixture_t;

static int s_setup (void **state)
{
    s_fixture_t *fixture = calloc (1, sizeof *fixture);
    if (!fixture) return -1;
    snprintf (fixture->dir, sizeof fixture->dir, "/tmp/sein-test-config-XXXXXX");
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
    unlink (fixture->path);
    int rc = rmdir (fixture->dir);
    free (fixture);
    return rc;
}

//  Write TEXT as the fixture's config file.
static void s_write (s_fixture_t *fixture, const char *text)
{
    FILE *file = fopen (fixture->path, "w");
    assert_non_null (file);
    assert_int_equal (fputs (text, file) >= 0, 1);
    assert_int_equal (fclose (file), 0);
}

//  Write TEXT as the fixture's config file and load it with OVERRIDES, as
//  seind does.
static sein_config_t *s_load (s_fixture_t *fixture, const char *text,
                              const char **overrides, int noverrides, char **error_p)
{
    s_write (fixture, text);
    return sein_settings_load (fixture->path, overrides, noverrides, error_p);
}

//  The same, as the clients do.
static sein_config_t *s_client_load (s_fixture_t *fixture, const char *text,
                                     const char **overrides, int noverrides,
                                     char **error_p)
{
    s_write (fixture, text);
    return sein_config_load (fixture->path, overrides, noverrides, error_p);
}

//  Expect loading TEXT (with OVERRIDES) to fail with exactly
//  "<config path>:LINE: MESSAGE", or exactly MESSAGE when LINE < 0.
static void s_check_error (s_fixture_t *fixture, bool client, const char *text,
                           const char **overrides, int noverrides, int line,
                           const char *message)
{
    char *error = NULL;
    sein_config_t *config =
        client ? s_client_load (fixture, text, overrides, noverrides, &error)
               : s_load (fixture, text, overrides, noverrides, &error);
    assert_null (config);
    assert_non_null (error);
    char expected[512];
    if (line >= 0)
        snprintf (expected, sizeof expected, "%s:%d: %s", fixture->path, line, message);
    else
        snprintf (expected, sizeof expected, "%s", message);
    assert_string_equal (error, expected);
    free (error);
}

static void s_expect_error (s_fixture_t *fixture, const char *text,
                            const char **overrides, int noverrides, int line,
                            const char *message)
{
    s_check_error (fixture, false, text, overrides, noverrides, line, message);
}

//  As s_expect_error, loading as the clients do.
static void s_expect_client_error (s_fixture_t *fixture, const char *text,
                                   const char **overrides, int noverrides, int line,
                                   const char *message)
{
    s_check_error (fixture, true, text, overrides, noverrides, line, message);
}

//  Expect TEXT with OVERRIDES to load as the clients do; returns the config.
static sein_config_t *s_expect_client_loads (s_fixture_t *fixture, const char *text,
                                             const char **overrides, int noverrides)
{
    char *error = NULL;
    sein_config_t *config = s_client_load (fixture, text, overrides, noverrides, &error);
    if (!config) fail_msg ("the clients refused %s: %s", text, error);
    return config;
}

static void test_defaults_without_file (void **state)
{
    (void)state;
    char *error = (char *)"untouched";
    sein_config_t *config = sein_settings_load (NULL, NULL, 0, &error);
    assert_non_null (config);
    assert_null (error);
    assert_string_equal (sein_config_file (config), "(built-in defaults)");
    assert_string_equal (sein_config_str (config, "daemon.log_level"), "notice");
    assert_int_equal (sein_config_int (config, "watch.heartbeat"), 1000);
    assert_string_equal (sein_config_str (config, "endpoints.intake"),
                         "tcp://127.0.0.1:5570");
    assert_string_equal (sein_config_str (config, "endpoints.publish"),
                         "tcp://127.0.0.1:5571");
    assert_string_equal (sein_config_str (config, "endpoints.watch"),
                         "tcp://127.0.0.1:5572");
    assert_string_equal (sein_config_str (config, "storage.dir"), "/var/lib/sein");
    assert_string_equal (sein_config_str (config, "storage.file"), "sein.db");
    assert_string_equal (sein_config_str (config, "storage.synchronous"), "full");
    assert_int_equal (sein_config_int (config, "limits.description_max"), 4000);
    assert_int_equal (sein_config_int (config, "limits.message_max"), 65536);
    assert_int_equal (sein_config_int (config, "limits.batch_max"), 2048);
    assert_int_equal (sein_config_int (config, "watch.credit_max"), 1000);
    assert_int_equal (sein_config_int (config, "client.timeout"), 5000);
    assert_string_equal (sein_config_str (config, "client.name"), "default");
    //  Without a file, relative default paths hang off the current directory.
    char cwd[PATH_MAX], expected[PATH_MAX + 32];
    assert_non_null (getcwd (cwd, sizeof cwd));
    snprintf (expected, sizeof expected, "%s/areas.tsv", cwd);
    assert_string_equal (sein_config_str (config, "data.areas"), expected);
    snprintf (expected, sizeof expected, "%s/theme-rules.tsv", cwd);
    assert_string_equal (sein_config_str (config, "data.theme_rules"), expected);
    //  An empty tree, not NULL, so owners of `teams` can look and find nothing.
    config_setting_t *root = sein_config_root (config);
    assert_non_null (root);
    assert_null (config_setting_get_member (root, "teams"));
    sein_config_destroy (&config);
    assert_null (config);
    sein_config_destroy (&config); //  idempotent
    assert_null (config);
}

static void test_file_values (void **state)
{
    s_fixture_t *fixture = *state;
    char *error = NULL;
    sein_config_t *config =
        s_load (fixture,
                "daemon = { log_level = \"debug\"; };\nwatch = { heartbeat = 250; };\n"
                "endpoints = { intake = \"ipc:///tmp/intake\"; };\n"
                "storage = { synchronous = \"normal\"; file = \"x.db\"; };\n"
                "limits = { description_max = 10; message_max = 2048L; };\n"
                "client = { name = \"desk-1\"; };\n",
                NULL, 0, &error);
    assert_null (error);
    assert_non_null (config);
    assert_string_equal (sein_config_file (config), fixture->path);
    assert_string_equal (sein_config_str (config, "daemon.log_level"), "debug");
    assert_int_equal (sein_config_int (config, "watch.heartbeat"), 250);
    assert_string_equal (sein_config_str (config, "endpoints.intake"),
                         "ipc:///tmp/intake");
    //  Settings the file leaves out keep their defaults.
    assert_string_equal (sein_config_str (config, "endpoints.publish"),
                         "tcp://127.0.0.1:5571");
    assert_string_equal (sein_config_str (config, "storage.synchronous"), "normal");
    assert_string_equal (sein_config_str (config, "storage.file"), "x.db");
    assert_int_equal (sein_config_int (config, "limits.description_max"), 10);
    assert_int_equal (sein_config_int (config, "limits.message_max"), 2048);
    assert_int_equal (sein_config_int (config, "limits.batch_max"), 2048);
    assert_string_equal (sein_config_str (config, "client.name"), "desk-1");
    sein_config_destroy (&config);
}

static void test_bounds_inclusive (void **state)
{
    s_fixture_t *fixture = *state;
    char *error = NULL;
    sein_config_t *config = s_load (fixture,
                                    "limits = { description_max = 1; message_max = 1024;"
                                    " batch_max = 100000; };\n"
                                    "watch = { timeout = 600000; };\n",
                                    NULL, 0, &error);
    assert_null (error);
    assert_non_null (config);
    assert_int_equal (sein_config_int (config, "limits.description_max"), 1);
    assert_int_equal (sein_config_int (config, "limits.message_max"), 1024);
    assert_int_equal (sein_config_int (config, "limits.batch_max"), 100000);
    assert_int_equal (sein_config_int (config, "watch.timeout"), 600000);
    sein_config_destroy (&config);
}

static void test_paths_relative_to_file (void **state)
{
    s_fixture_t *fixture = *state;
    char *error = NULL;
    sein_config_t *config = s_load (fixture,
                                    "storage = { dir = \"state\"; };\n"
                                    "data = { areas = \"geo/areas.tsv\";"
                                    " streets = \"/srv/gis/streets.tsv\"; };\n",
                                    NULL, 0, &error);
    assert_null (error);
    assert_non_null (config);
    char expected[256];
    snprintf (expected, sizeof expected, "%s/state", fixture->dir);
    assert_string_equal (sein_config_str (config, "storage.dir"), expected);
    snprintf (expected, sizeof expected, "%s/geo/areas.tsv", fixture->dir);
    assert_string_equal (sein_config_str (config, "data.areas"), expected);
    //  Absolute paths stay as written.
    assert_string_equal (sein_config_str (config, "data.streets"),
                         "/srv/gis/streets.tsv");
    //  Defaults the file does not mention sit next to the file too, so the
    //  shipped conf/ directory works as a unit.
    snprintf (expected, sizeof expected, "%s/themes.tsv", fixture->dir);
    assert_string_equal (sein_config_str (config, "data.themes"), expected);
    snprintf (expected, sizeof expected, "%s/priority-rules.tsv", fixture->dir);
    assert_string_equal (sein_config_str (config, "data.priority_rules"), expected);
    //  storage.file is a plain string, never resolved.
    assert_string_equal (sein_config_str (config, "storage.file"), "sein.db");
    sein_config_destroy (&config);
}

static void test_relative_file_gives_absolute_paths (void **state)
{
    //  seind chdirs to / when it detaches: paths from "-c sein.cfg" must
    //  not depend on the directory it was started in.
    s_fixture_t *fixture = *state;
    FILE *file = fopen (fixture->path, "w");
    assert_non_null (file);
    fputs ("data = { areas = \"geo/areas.tsv\"; };\n", file);
    assert_int_equal (fclose (file), 0);
    char saved[PATH_MAX], real[PATH_MAX], expected[PATH_MAX + 32];
    assert_non_null (getcwd (saved, sizeof saved));
    assert_non_null (realpath (fixture->dir, real));
    assert_int_equal (chdir (fixture->dir), 0);
    char *error = NULL;
    sein_config_t *config = sein_settings_load ("sein.cfg", NULL, 0, &error);
    assert_int_equal (chdir (saved), 0);
    assert_null (error);
    assert_non_null (config);
    assert_string_equal (sein_config_file (config), "sein.cfg");
    snprintf (expected, sizeof expected, "%s/geo/areas.tsv", real);
    assert_string_equal (sein_config_str (config, "data.areas"), expected);
    snprintf (expected, sizeof expected, "%s/streets.tsv", real);
    assert_string_equal (sein_config_str (config, "data.streets"), expected);
    sein_config_destroy (&config);
}

static void test_overrides (void **state)
{
    s_fixture_t *fixture = *state;
    const char *overrides[] = {
        "limits.description_max=12",
        "data.areas=mine/areas.tsv",
        "data.themes=/abs/themes.tsv",
        "storage.file=a=b.db", //  only the first '=' splits
        "daemon.log_level=notice",
        "limits.description_max=13", //  later overrides win
    };
    char *error = NULL;
    sein_config_t *config = s_load (fixture,
                                    "limits = { description_max = 99; batch_max = 7; };\n"
                                    "data = { areas = \"file/areas.tsv\"; };\n",
                                    overrides, 6, &error);
    assert_null (error);
    assert_non_null (config);
    assert_int_equal (sein_config_int (config, "limits.description_max"), 13);
    assert_int_equal (sein_config_int (config, "limits.batch_max"), 7);
    //  An override path is relative to where the operator typed it.
    char cwd[PATH_MAX], expected[PATH_MAX + 32];
    assert_non_null (getcwd (cwd, sizeof cwd));
    snprintf (expected, sizeof expected, "%s/mine/areas.tsv", cwd);
    assert_string_equal (sein_config_str (config, "data.areas"), expected);
    assert_string_equal (sein_config_str (config, "data.themes"), "/abs/themes.tsv");
    assert_string_equal (sein_config_str (config, "storage.file"), "a=b.db");
    assert_string_equal (sein_config_str (config, "daemon.log_level"), "notice");
    sein_config_destroy (&config);

    //  Overrides apply to the built-in defaults as well.
    const char *one[] = {"storage.dir=/tmp/x"};
    config = sein_settings_load (NULL, one, 1, &error);
    assert_non_null (config);
    assert_string_equal (sein_config_str (config, "storage.dir"), "/tmp/x");
    sein_config_destroy (&config);
}

static void test_unknown_settings (void **state)
{
    s_fixture_t *fixture = *state;
    s_expect_error (fixture,
                    "daemon = {\n  log_level = \"info\";\n  loglevel = \"debug\";\n};\n",
                    NULL, 0, 3, "unknown setting 'daemon.loglevel'");
    s_expect_error (fixture, "\n\nstorage_dir = \"/tmp\";\n", NULL, 0, 3,
                    "unknown setting 'storage_dir'");
    s_expect_error (fixture, "dayemon = { log_level = \"info\"; };\n", NULL, 0, 1,
                    "unknown setting 'dayemon'");
    //  A known section under the wrong parent is still unknown.
    s_expect_error (fixture, "limits = { storage = { dir = \"/x\"; }; };\n", NULL, 0, 1,
                    "unknown setting 'limits.storage'");
    //  teams/routing are free-form only at the top level.
    s_expect_error (fixture, "daemon = { teams = 1; };\n", NULL, 0, 1,
                    "unknown setting 'daemon.teams'");
    //  A group where a scalar is declared.
    s_expect_error (fixture, "daemon = { log_level = { level = \"info\"; }; };\n", NULL,
                    0, 1, "unknown setting 'daemon.log_level'");
    //  A scalar where a section is declared.
    s_expect_error (fixture, "limits = 5;\n", NULL, 0, 1, "unknown setting 'limits'");
}

static void test_unknown_empty_group (void **state)
{
    //  An empty group has no leaves to complain about, yet a misspelt
    //  section must not pass silently either.
    s_fixture_t *fixture = *state;
    s_expect_error (fixture, "\nstorrage = { };\n", NULL, 0, 2,
                    "unknown setting 'storrage'");
    s_expect_error (fixture, "limits = { extra = { }; };\n", NULL, 0, 1,
                    "unknown setting 'limits.extra'");
    //  Known sections may be empty.
    char *error = NULL;
    sein_config_t *config =
        s_load (fixture, "daemon = { };\nlimits = { };\n", NULL, 0, &error);
    assert_null (error);
    assert_non_null (config);
    sein_config_destroy (&config);
}

static void test_wrong_types (void **state)
{
    s_fixture_t *fixture = *state;
    s_expect_error (fixture, "limits = {\n description_max = \"10\";\n};\n", NULL, 0, 2,
                    "limits.description_max must be an integer");
    s_expect_error (fixture, "limits = { description_max = 10.5; };\n", NULL, 0, 1,
                    "limits.description_max must be an integer");
    s_expect_error (fixture, "limits = { description_max = true; };\n", NULL, 0, 1,
                    "limits.description_max must be an integer");
    s_expect_error (fixture, "limits = { description_max = [10]; };\n", NULL, 0, 1,
                    "limits.description_max must be an integer");
    s_expect_error (fixture, "daemon = { log_level = 3; };\n", NULL, 0, 1,
                    "daemon.log_level must be a string");
    s_expect_error (fixture, "storage = { dir = true; };\n", NULL, 0, 1,
                    "storage.dir must be a string");
}

static void test_bounds (void **state)
{
    s_fixture_t *fixture = *state;
    s_expect_error (fixture, "limits = { description_max = 0; };\n", NULL, 0, 1,
                    "limits.description_max: 0 is out of range 1..65536");
    s_expect_error (fixture, "\nlimits = { description_max = 65537; };\n", NULL, 0, 2,
                    "limits.description_max: 65537 is out of range 1..65536");
    s_expect_error (fixture, "limits = { message_max = 1023; };\n", NULL, 0, 1,
                    "limits.message_max: 1023 is out of range 1024..16777216");
    s_expect_error (fixture, "limits = { message_max = 99999999999L; };\n", NULL, 0, 1,
                    "limits.message_max: 99999999999 is out of range 1024..16777216");
    s_expect_error (fixture, "watch = { heartbeat = -5; };\n", NULL, 0, 1,
                    "watch.heartbeat: -5 is out of range 100..60000");
    //  Endpoints: a typo is found by --check, not at the bind.
    s_expect_error (fixture, "endpoints = { intake = \"garbage\"; };\n", NULL, 0, 1,
                    "endpoints.intake: 'garbage' is not a ZeroMQ endpoint (tcp://HOST:PORT, "
                    "ipc://PATH, inproc://NAME)");
    s_expect_error (fixture, "endpoints = { watch = \"tcp://localhost\"; };\n", NULL, 0, 1,
                    "endpoints.watch: 'tcp://localhost' is not a ZeroMQ endpoint (tcp://HOST:PORT, "
                    "ipc://PATH, inproc://NAME)");
    s_expect_error (fixture,
                    "endpoints = { publish = \"ipc:///tmp/x\"; watch = \"ipc:///tmp/x\"; };\n",
                    NULL, 0, 0,
                    "endpoints.publish and endpoints.watch are both ipc:///tmp/x");
    s_expect_error (fixture, "endpoints = { intake = \"tcp://127.0.0.1:65536\"; };\n", NULL,
                    0, 1,
                    "endpoints.intake: 'tcp://127.0.0.1:65536' is not a ZeroMQ endpoint"
                    " (tcp://HOST:PORT, ipc://PATH, inproc://NAME)");
    s_expect_error (fixture, "endpoints = { publish = \"tcp://127.0.0.1:55x\"; };\n", NULL,
                    0, 1,
                    "endpoints.publish: 'tcp://127.0.0.1:55x' is not a ZeroMQ endpoint (tcp://HOST:PORT, "
                    "ipc://PATH, inproc://NAME)");
}

static void test_enums_and_empty (void **state)
{
    s_fixture_t *fixture = *state;
    s_expect_error (fixture, "storage = { synchronous = \"fast\"; };\n", NULL, 0, 1,
                    "storage.synchronous: 'fast' is not one of normal|full|extra");
    //  Matching is exact: no prefixes, no case folding.
    s_expect_error (fixture, "storage = { synchronous = \"ful\"; };\n", NULL, 0, 1,
                    "storage.synchronous: 'ful' is not one of normal|full|extra");
    s_expect_error (fixture, "daemon = { log_level = \"INFO\"; };\n", NULL, 0, 1,
                    "daemon.log_level: 'INFO' is not one of notice|info|debug");
    s_expect_error (fixture, "storage = { file = \"\"; };\n", NULL, 0, 1,
                    "storage.file: must not be empty");
    s_expect_error (fixture, "data = { areas = \"\"; };\n", NULL, 0, 1,
                    "data.areas: must not be empty");
    //  Every listed choice is accepted.
    const char *choices[] = {"normal", "full", "extra"};
    for (int index = 0; index < 3; index++) {
        char text[128], *error = NULL;
        snprintf (text, sizeof text, "storage = { synchronous = \"%s\"; };\n",
                  choices[index]);
        sein_config_t *config = s_load (fixture, text, NULL, 0, &error);
        assert_null (error);
        assert_non_null (config);
        assert_string_equal (sein_config_str (config, "storage.synchronous"),
                             choices[index]);
        sein_config_destroy (&config);
    }
}

static void test_override_errors (void **state)
{
    s_fixture_t *fixture = *state;
    const char *text = "limits = { batch_max = 5; };\n";
    const char *no_equals[] = {"limits.batch_max"};
    s_expect_error (fixture, text, no_equals, 1, -1,
                    "-o limits.batch_max: expected path=value");
    const char *unknown[] = {"limits.batchmax=5"};
    s_expect_error (fixture, text, unknown, 1, -1,
                    "-o limits.batchmax=5: unknown setting");
    const char *section[] = {"teams=x"};
    s_expect_error (fixture, text, section, 1, -1, "-o teams=x: unknown setting");
    const char *not_int[] = {"limits.batch_max=12abc"};
    s_expect_error (fixture, text, not_int, 1, -1,
                    "-o limits.batch_max: '12abc' is not an integer");
    const char *empty_int[] = {"limits.batch_max="};
    s_expect_error (fixture, text, empty_int, 1, -1,
                    "-o limits.batch_max: '' is not an integer");
    const char *too_big[] = {"limits.batch_max=100001"};
    s_expect_error (fixture, text, too_big, 1, -1,
                    "-o limits.batch_max: 100001 is out of range 1..100000");
    const char *huge[] = {"limits.batch_max=99999999999999999999"};
    s_expect_error (fixture, text, huge, 1, -1,
                    "-o limits.batch_max: '99999999999999999999' is not an integer");
    const char *bad_enum[] = {"storage.synchronous=off"};
    s_expect_error (fixture, text, bad_enum, 1, -1,
                    "-o storage.synchronous: 'off' is not one of normal|full|extra");
    const char *empty[] = {"client.name="};
    s_expect_error (fixture, text, empty, 1, -1, "-o client.name: must not be empty");
    //  The first bad override stops loading even after good ones.
    const char *mixed[] = {"limits.batch_max=9", "nope=1"};
    s_expect_error (fixture, text, mixed, 2, -1, "-o nope=1: unknown setting");
}

static void test_syntax_and_io_errors (void **state)
{
    s_fixture_t *fixture = *state;
    s_expect_error (fixture,
                    "watch = {\n  credit_max = 5\n  heartbeat = ;\n};\n", NULL,
                    0, 3, "syntax error");
    s_expect_error (fixture, "limits = { batch_max = 1; batch_max = 2; };\n", NULL, 0, 1,
                    "duplicate setting name");

    char missing[160], expected[256], *error = NULL;
    snprintf (missing, sizeof missing, "%s/absent.cfg", fixture->dir);
    sein_config_t *config = sein_settings_load (missing, NULL, 0, &error);
    assert_null (config);
    assert_non_null (error);
    snprintf (expected, sizeof expected, "%s:0: cannot read: No such file or directory",
              missing);
    assert_string_equal (error, expected);
    free (error);
}

static void test_sections_left_to_owners (void **state)
{
    s_fixture_t *fixture = *state;
    char *error = NULL;
    sein_config_t *config = s_load (fixture,
                                    "teams = ( { name = \"a\"; whatever = 1; },"
                                    " { name = \"b\"; } );\n"
                                    "routing = ( { name = \"r\"; odd = [1, 2]; } );\n",
                                    NULL, 0, &error);
    assert_null (error);
    assert_non_null (config);
    config_setting_t *teams =
        config_setting_get_member (sein_config_root (config), "teams");
    assert_non_null (teams);
    assert_int_equal (config_setting_is_list (teams), CONFIG_TRUE);
    assert_int_equal (config_setting_length (teams), 2);
    const char *name = NULL;
    assert_int_equal (
        config_setting_lookup_string (config_setting_get_elem (teams, 1), "name", &name),
        CONFIG_TRUE);
    assert_string_equal (name, "b");
    assert_non_null (config_setting_get_member (sein_config_root (config), "routing"));
    sein_config_destroy (&config);
}

static void test_unreloadable (void **state)
{
    s_fixture_t *fixture = *state;
    char *error = NULL;
    sein_config_t *running = sein_settings_load (NULL, NULL, 0, &error);
    assert_non_null (running);

    sein_config_t *same = sein_settings_load (NULL, NULL, 0, &error);
    assert_non_null (same);
    assert_null (sein_config_unreloadable (running, same));
    sein_config_destroy (&same);

    //  Reloadable settings (limits, data files, log level) may change live.
    const char *live[] = {"limits.description_max=10", "daemon.log_level=debug",
                          "data.areas=/other/areas.tsv", "watch.heartbeat=500"};
    sein_config_t *other = sein_settings_load (NULL, live, 4, &error);
    assert_non_null (other);
    assert_null (sein_config_unreloadable (running, other));
    sein_config_destroy (&other);

    //  Each of these needs a restart and is named.
    const char *cases[][2] = {
        {"storage.dir=/tmp/elsewhere", "storage.dir"},
        {"endpoints.intake=tcp://127.0.0.1:6000", "endpoints.intake"},
        {"endpoints.watch=tcp://127.0.0.1:6002", "endpoints.watch"},
        {"storage.synchronous=normal", "storage.synchronous"},
        {"limits.intake_hwm=100", "limits.intake_hwm"},
        {"limits.publish_hwm=100000", "limits.publish_hwm"},
        //  These feed socket options libzmq fixes at bind (sein_settings.c).
        {"limits.message_max=1048576", "limits.message_max"},
        {"limits.batch_max=4000", "limits.batch_max"},
        {"watch.credit_max=5000", "watch.credit_max"},
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        other = sein_settings_load (NULL, &cases[index][0], 1, &error);
        assert_non_null (other);
        char *name = sein_config_unreloadable (running, other);
        assert_non_null (name);
        assert_string_equal (name, cases[index][1]);
        free (name);
        sein_config_destroy (&other);
    }

    //  A reloadable change next to an unreloadable one still reports the latter.
    const char *both[] = {"limits.description_max=3", "storage.file=other.db"};
    other = sein_settings_load (NULL, both, 2, &error);
    assert_non_null (other);
    char *name = sein_config_unreloadable (running, other);
    assert_non_null (name);
    assert_string_equal (name, "storage.file");
    free (name);
    sein_config_destroy (&other);

    //  A file with the same values as the defaults is no change.
    other = s_load (fixture,
                    "storage = { dir = \"/var/lib/sein\"; synchronous = \"full\"; };\n",
                    NULL, 0, &error);
    assert_non_null (other);
    assert_null (sein_config_unreloadable (running, other));
    sein_config_destroy (&other);
    sein_config_destroy (&running);
}

static void test_print (void **state)
{
    (void)state;
    char *error = NULL;
    const char *overrides[] = {"limits.batch_max=77", "client.name=desk"};
    sein_config_t *config = sein_settings_load (NULL, overrides, 2, &error);
    assert_non_null (config);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    assert_non_null (out);
    sein_config_print (config, out);
    assert_int_equal (fclose (out), 0);
    assert_non_null (strstr (text, "limits.batch_max = 77\n"));
    assert_non_null (strstr (text, "client.name = \"desk\"\n"));
    assert_non_null (strstr (text, "storage.synchronous = \"full\"\n"));
    assert_non_null (strstr (text, "watch.heartbeat = 1000\n"));
    //  One line per setting, every line "name = value" with a known name.
    int lines = 0;
    for (char *line = text, *end; *line; line = end + 1, lines++) {
        end = strchr (line, '\n');
        assert_non_null (end);
        char *equals = strstr (line, " = ");
        assert_non_null (equals);
        assert_true (equals < end);
        char name[64];
        snprintf (name, sizeof name, "%.*s", (int)(equals - line), line);
        char override[96];
        snprintf (override, sizeof override, "%s=", name);
        const char *probe[] = {override};
        char *probe_error = NULL;
        sein_config_t *probe_config = sein_settings_load (NULL, probe, 1, &probe_error);
        //  Known names fail on the empty value, never as "unknown setting".
        if (probe_error) assert_null (strstr (probe_error, "unknown setting"));
        free (probe_error);
        sein_config_destroy (&probe_config);
    }
    assert_true (lines >= 26);
    free (text);
    sein_config_destroy (&config);
}

//  The file seind reads, read by a client: seind's groups are skipped
//  unread (seind --check has the last word on them), everything else is
//  checked as strictly as seind checks it.
static void test_client_skips_seind_groups (void **state)
{
    s_fixture_t *fixture = *state;
    //  Mistakes in seind's groups: seind refuses each, a client does not.
    const char *seinds[][2] = {
        {"limits = { batchmax = 3; };\n", "unknown setting 'limits.batchmax'"},
        {"limits = { batch_max = \"3\"; };\n", "limits.batch_max must be an integer"},
        {"limits = 5;\n", "unknown setting 'limits'"},
        {"watch = { credit_max = 0; };\n",
         "watch.credit_max: 0 is out of range 1..100000"},
        {"storage = { synchronous = \"fast\"; };\n",
         "storage.synchronous: 'fast' is not one of normal|full|extra"},
        {"daemon = { extra = { }; };\n", "unknown setting 'daemon.extra'"},
        //  A group both declare settings in: the clients check theirs only.
        {"storage = { dri = \"/x\"; };\n", "unknown setting 'storage.dri'"},
    };
    for (size_t index = 0; index < sizeof seinds / sizeof seinds[0]; index++) {
        s_expect_error (fixture, seinds[index][0], NULL, 0, 1, seinds[index][1]);
        sein_config_t *config =
            s_expect_client_loads (fixture, seinds[index][0], NULL, 0);
        sein_config_destroy (&config);
    }
    //  So are -o overrides of seind's settings, good or bad.
    const char *overrides[] = {"limits.batch_max=abc", "storage.synchronous=off",
                               "daemon.nonsense=1", "limits=3"};
    sein_config_t *config = s_expect_client_loads (fixture, "", overrides, 4);
    sein_config_destroy (&config);
    s_expect_error (fixture, "", overrides, 1, -1,
                    "-o limits.batch_max: 'abc' is not an integer");
    s_expect_error (fixture, "", overrides + 3, 1, -1, "-o limits=3: unknown setting");

    //  An unknown group, or a mistake in the clients' own groups, is
    //  refused by the clients too, with the same message as seind's.
    const char *both[][2] = {
        {"dayemon = { log_level = \"info\"; };\n", "unknown setting 'dayemon'"},
        {"endpoint = { intake = \"tcp://10.0.0.5:5570\"; };\n",
         "unknown setting 'endpoint'"},
        {"endpoints = { intak = \"tcp://10.0.0.5:5570\"; };\n",
         "unknown setting 'endpoints.intak'"},
        {"client = { nmae = \"desk\"; };\n", "unknown setting 'client.nmae'"},
        {"client = { timeout = \"5\"; };\n", "client.timeout must be an integer"},
        {"client = { window = 4097; };\n", "client.window: 4097 is out of range 1..4096"},
        {"endpoints = { watch = \"garbage\"; };\n",
         "endpoints.watch: 'garbage' is not a ZeroMQ endpoint (tcp://HOST:PORT, "
         "ipc://PATH, inproc://NAME)"},
        {"storage_dir = \"/tmp\";\n", "unknown setting 'storage_dir'"},
        {"storage = { dir = true; };\n", "storage.dir must be a string"},
        {"storage = { file = \"\"; };\n", "storage.file: must not be empty"},
    };
    for (size_t index = 0; index < sizeof both / sizeof both[0]; index++) {
        s_expect_error (fixture, both[index][0], NULL, 0, 1, both[index][1]);
        s_expect_client_error (fixture, both[index][0], NULL, 0, 1, both[index][1]);
    }
    s_expect_client_error (fixture,
                           "endpoints = { intake = \"ipc:///tmp/x\"; watch = "
                           "\"ipc:///tmp/x\"; };\n",
                           NULL, 0, 0,
                           "endpoints.intake and endpoints.watch are both ipc:///tmp/x");
    const char *unknown[] = {"limitz.batch_max=3"};
    s_expect_client_error (fixture, "", unknown, 1, -1,
                           "-o limitz.batch_max=3: unknown setting");
    const char *group[] = {"client=3"};
    s_expect_client_error (fixture, "", group, 1, -1, "-o client=3: unknown setting");
    const char *bad[] = {"client.window=0"};
    s_expect_client_error (fixture, "", bad, 1, -1,
                           "-o client.window: 0 is out of range 1..4096");

    //  What a client reads of the file is its own settings.
    config = s_expect_client_loads (fixture,
                                    "client = { name = \"desk\"; };\nlimits = { batch_max "
                                    "= 7; };\nstorage = { file = \"x.db\"; synchronous = "
                                    "\"normal\"; };\n",
                                    NULL, 0);
    assert_string_equal (sein_config_str (config, "client.name"), "desk");
    assert_string_equal (sein_config_str (config, "storage.file"), "x.db");
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    assert_non_null (out);
    sein_config_print (config, out);
    assert_int_equal (fclose (out), 0);
    assert_non_null (strstr (text, "client.name = \"desk\"\n"));
    assert_null (strstr (text, "limits."));
    assert_null (strstr (text, "storage.synchronous"));
    int lines = 0;
    for (const char *cursor = text; *cursor; cursor++)
        lines += *cursor == '\n';
    int declared = 0;
    for (const sein_setting_t *setting = sein_config_settings; setting->name; setting++)
        declared++;
    assert_int_equal (lines, declared);
    free (text);
    //  Asking a client's configuration for one of seind's settings is a
    //  programmer error that stops the process, in release builds too.
    pid_t child = fork ();
    assert_true (child >= 0);
    if (child == 0) {
        fclose (stderr); //  the message is expected
        exit ((int) sein_config_int (config, "limits.batch_max") == 7 ? 0 : 1);
    }
    int status = 0;
    assert_int_equal (waitpid (child, &status, 0), child);
    assert_true (WIFSIGNALED (status));
    assert_int_equal (WTERMSIG (status), SIGABRT);
    sein_config_destroy (&config);
}

//  Write every setting of TABLE into OUT as a libconfig group per group,
//  each at the bound farthest from its default (or its default).
static void s_render_table (const sein_setting_t *table, FILE *out)
{
    for (const sein_setting_t *setting = table; setting->name; setting++) {
        const char *dot = strchr (setting->name, '.');
        assert_non_null (dot);
        fprintf (out, "%.*s = { %s = ", (int)(dot - setting->name), setting->name,
                 dot + 1);
        if (setting->type == SEIN_SETTING_INT) {
            long long def = atoll (setting->def);
            fprintf (out, "%lldL", (long long)(def - setting->min > setting->max - def
                                                   ? setting->min
                                                   : setting->max));
        } else if (setting->type == SEIN_SETTING_BOOL)
            fprintf (out, "%s", setting->def);
        else
            fprintf (out, "\"%s\"", setting->def);
        fprintf (out, "; };\n");
    }
}

//  libsein's table and seind's fit together: a file with every setting of
//  seind's is one every client accepts, and a table that would break the
//  clients' rule is refused by the loader.
static void test_tables_fit (void **state)
{
    s_fixture_t *fixture = *state;
    //  libconfig refuses a group twice: one file per setting.
    for (const sein_setting_t *setting = sein_settings; setting->name; setting++) {
        const sein_setting_t one[] = {*setting, {NULL}};
        char *text = NULL;
        size_t size = 0;
        FILE *out = open_memstream (&text, &size);
        assert_non_null (out);
        s_render_table (one, out);
        assert_int_equal (fclose (out), 0);
        char *error = NULL;
        sein_config_t *config = s_load (fixture, text, NULL, 0, &error);
        if (!config) fail_msg ("seind refused %s: %s", text, error);
        sein_config_destroy (&config);
        config = s_expect_client_loads (fixture, text, NULL, 0);
        sein_config_destroy (&config);
        free (text);
    }
    //  A setting that feeds a socket option is restart-only, in both tables:
    //  libzmq fixes the options of a bound socket's connections at bind.
    const sein_setting_t *tables[] = {sein_config_settings, sein_settings};
    int feeding = 0;
    for (int table = 0; table < 2; table++)
        for (const sein_setting_t *setting = tables[table]; setting->name; setting++) {
            if (setting->feeds && setting->reloadable)
                fail_msg ("%s feeds %s yet is reloadable", setting->name, setting->feeds);
            feeding += setting->feeds != NULL;
        }
    assert_true (feeding >= 8); //  three endpoints, five limits
    //  A program's table that redeclares a client setting, or declares one
    //  in a group the clients would refuse, is refused.
    const sein_setting_t twice[] = {
        {"endpoints.intake", SEIN_SETTING_ENDPOINT, "tcp://127.0.0.1:1", 0, 0, NULL,
         false, NULL},
        {NULL}};
    char *error = NULL;
    assert_null (sein_config_load_with (twice, NULL, NULL, 0, &error));
    assert_string_equal (error, "endpoints.intake is declared twice (sein_config.c)");
    free (error);
    const sein_setting_t stranger[] = {
        {"metrics.port", SEIN_SETTING_INT, "9100", 1, 65535, NULL, false, NULL}, {NULL}};
    assert_null (sein_config_load_with (stranger, NULL, NULL, 0, &error));
    assert_string_equal (error, "metrics.port is in a group the clients do not know "
                                "(s_seind_groups in sein_config.c)");
    free (error);
    //  With a table of its own, a program checks the groups it declares.
    const sein_setting_t own[] = {
        {"limits.batch_max", SEIN_SETTING_INT, "5", 1, 9, NULL, true, NULL}, {NULL}};
    const char *over[] = {"limits.batch_max=10"};
    assert_null (sein_config_load_with (own, NULL, over, 1, &error));
    assert_string_equal (error, "-o limits.batch_max: 10 is out of range 1..9");
    free (error);
}

static void test_shipped_config_loads (void **state)
{
    (void)state;
    char *error = NULL;
    sein_config_t *config =
        sein_settings_load (SEIN_SOURCE_DIR "/conf/sein.cfg", NULL, 0, &error);
    if (!config) fail_msg ("conf/sein.cfg: %s", error);
    assert_string_equal (sein_config_str (config, "data.areas"),
                         SEIN_SOURCE_DIR "/conf/areas.tsv");
    assert_string_equal (sein_config_str (config, "storage.synchronous"), "full");
    assert_int_equal (sein_config_int (config, "limits.description_max"), 4000);
    sein_config_destroy (&config);
    //  The clients read it too.
    config = sein_config_load (SEIN_SOURCE_DIR "/conf/sein.cfg", NULL, 0, &error);
    if (!config) fail_msg ("conf/sein.cfg, as a client: %s", error);
    assert_string_equal (sein_config_str (config, "client.name"), "default");
    sein_config_destroy (&config);
}

//  Run FN (ARG) in a child whose stderr is captured into OUTPUT; returns
//  the child's wait status. A child that returns from FN exits 0.
static int
s_in_child (void (*fn) (void *), void *arg, char *output, size_t capacity)
{
    int fds[2];
    assert_int_equal (pipe (fds), 0);
    fflush (NULL);
    pid_t child = fork ();
    assert_true (child >= 0);
    if (child == 0) {
        dup2 (fds[1], STDERR_FILENO);
        close (fds[0]);
        fn (arg);
        _exit (0);
    }
    close (fds[1]);
    size_t used = 0;
    ssize_t got;
    while (used + 1 < capacity &&
           (got = read (fds[0], output + used, capacity - 1 - used)) > 0)
        used += (size_t) got;
    output[used] = 0;
    close (fds[0]);
    int status = 0;
    assert_int_equal (waitpid (child, &status, 0), child);
    return status;
}

static void
s_allocate_too_much (void *arg)
{
    (void) arg;
    //  More than any address space holds: malloc refuses it at once.
    free (sein_malloc (SIZE_MAX - 4096));
}

static void
s_require_false (void *arg)
{
    int one = *(int *) arg;
    sein_require (one + one == 3);
}

static void
s_compare_two_tables (void *arg)
{
    sein_config_t **configs = (sein_config_t **) arg;
    free (sein_config_unreloadable (configs[0], configs[1]));
}

static void test_alloc_aborts (void **state)
{
    (void) state;
    char output[1024];
    int status = s_in_child (s_allocate_too_much, NULL, output, sizeof output);
#ifdef __SANITIZE_ADDRESS__
    //  The sanitizer's allocator reports the size itself and exits.
    assert_false (WIFEXITED (status) && WEXITSTATUS (status) == 0);
#else
    assert_true (WIFSIGNALED (status));
    assert_int_equal (WTERMSIG (status), SIGABRT);
    assert_non_null (strstr (output, "out of memory"));
#endif
    //  The wrappers that succeed: copies, cut copies, formatting.
    char *copy = sein_strndup ("abcdef", 3);
    assert_string_equal (copy, "abc");
    free (copy);
    copy = sein_strdup ("");
    assert_string_equal (copy, "");
    free (copy);
    char *text = sein_sprintf ("%s:%d: %s", "sein.cfg", 12, "unknown setting");
    assert_string_equal (text, "sein.cfg:12: unknown setting");
    free (text);
}

static void test_require (void **state)
{
    (void) state;
    //  The default build defines NDEBUG, so this is the release behaviour.
    int one = 1;
    sein_require (one + one == 2); //  holds: returns
    char output[1024];
    int status = s_in_child (s_require_false, &one, output, sizeof output);
    assert_true (WIFSIGNALED (status));
    assert_int_equal (WTERMSIG (status), SIGABRT);
    assert_non_null (strstr (output, "requirement failed: one + one == 3"));
    assert_non_null (strstr (output, "test_config.c"));
}

//  Two configurations of different tables cannot be compared: their
//  values would be read out of bounds. This stops, in release builds too.
static void test_unreloadable_tables_differ (void **state)
{
    (void) state;
    char *error = NULL;
    sein_config_t *configs[2];
    configs[0] = sein_settings_load (NULL, NULL, 0, &error);
    assert_non_null (configs[0]);
    configs[1] = sein_config_load (NULL, NULL, 0, &error);
    assert_non_null (configs[1]);
    char output[1024];
    int status = s_in_child (s_compare_two_tables, configs, output, sizeof output);
    assert_true (WIFSIGNALED (status));
    assert_int_equal (WTERMSIG (status), SIGABRT);
    assert_non_null (strstr (output, "requirement failed"));
    sein_config_destroy (&configs[0]);
    sein_config_destroy (&configs[1]);
}

//  Write TEXT to DIR/NAME with MODE.
static void s_write_mode (const char *dir, const char *name, const char *text, mode_t mode)
{
    char path[300];
    snprintf (path, sizeof path, "%s/%s", dir, name);
    FILE *file = fopen (path, "w");
    assert_non_null (file);
    fputs (text, file);
    fclose (file);
    assert_int_equal (chmod (path, mode), 0);
}

//  With security on, an @included file writable by group or others is
//  refused, and one that holds security settings must be private too.
static void test_include_modes (void **state)
{
    (void) state;
    char dir[] = "/tmp/sein-test-include-XXXXXX";
    assert_non_null (mkdtemp (dir));
    char top[300];
    snprintf (top, sizeof top, "%s/top.cfg", dir);
    const char *cases[][3] = {
        //  top, included, the refusal expected ("" none)
        {"@include \"inc.cfg\"\nsecurity = { enabled = true; };\n", "client = { timeout = 7; };\n",
         ""},
        {"@include \"inc.cfg\"\nsecurity = { enabled = true; };\n", "client = { timeout = 7; };\n",
         "writable by group or others"},
        {"@include \"inc.cfg\"\n", "security = { enabled = true; };\n",
         "configuration file with security settings is mode 0644"},
        {"@include \"inc.cfg\"\n", "client = { timeout = 7; };\n", ""},
    };
    mode_t modes[] = {0644, 0664, 0644, 0666};
    for (size_t index = 0; index < 4; index++) {
        s_write_mode (dir, "top.cfg", cases[index][0], 0600);
        s_write_mode (dir, "inc.cfg", cases[index][1], modes[index]);
        char *error = NULL;
        sein_config_t *config = sein_config_load (top, NULL, 0, &error);
        if (*cases[index][2]) {
            assert_null (config);
            if (!strstr (error, cases[index][2]) || !strstr (error, "inc.cfg"))
                fail_msg ("case %zu: %s", index, error);
        } else {
            if (!config)
                fail_msg ("case %zu: %s", index, error);
            assert_int_equal (sein_config_int (config, "client.timeout"), 7);
        }
        free (error);
        sein_config_destroy (&config);
    }
    char path[300];
    snprintf (path, sizeof path, "%s/inc.cfg", dir);
    unlink (path);
    unlink (top);
    rmdir (dir);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_defaults_without_file),
        cmocka_unit_test_setup_teardown (test_file_values, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_bounds_inclusive, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_paths_relative_to_file, s_setup,
                                         s_teardown),
        cmocka_unit_test_setup_teardown (test_relative_file_gives_absolute_paths, s_setup,
                                         s_teardown),
        cmocka_unit_test_setup_teardown (test_overrides, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_unknown_settings, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_unknown_empty_group, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_wrong_types, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_bounds, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_enums_and_empty, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_override_errors, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_syntax_and_io_errors, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_sections_left_to_owners, s_setup,
                                         s_teardown),
        cmocka_unit_test_setup_teardown (test_unreloadable, s_setup, s_teardown),
        cmocka_unit_test (test_print),
        cmocka_unit_test_setup_teardown (test_client_skips_seind_groups, s_setup,
                                         s_teardown),
        cmocka_unit_test_setup_teardown (test_tables_fit, s_setup, s_teardown),
        cmocka_unit_test (test_shipped_config_loads),
        cmocka_unit_test (test_alloc_aborts),
        cmocka_unit_test (test_require),
        cmocka_unit_test (test_unreloadable_tables_differ),
        cmocka_unit_test (test_include_modes),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
