// SPDX-License-Identifier: MPL-2.0
/*  test_service.c - seind as a service: log lines, reload outcome, start

    - sein_log_format: czmq's lines become "<N>text" for a service
      manager, and carry a four-digit year on a terminal;
    - under JOURNAL_STREAM every line of the real seind's stderr has an
      sd-daemon priority prefix, info logs each batch, debug each signal's
      codes, and no personal data appears at any level;
    - `seinctl reload` exits 0 when the reload took and 78 when seind
      refused it (a bad value, a restart-only setting changed), and seind
      keeps serving on the running configuration;
    - seind without -f exits with the reason it could not start (69 for a
      store another seind holds, 78 for a missing store) instead of 0;
    - seind reads $SEIN_CONFIG when there is no -c;
    - under systemd (a NOTIFY_SOCKET of the test's) seind says READY=1,
      STATUS= with counters, WATCHDOG=1 at half WATCHDOG_USEC, RELOADING=1
      and the reload's outcome, STOPPING=1.
*/
#include "sein_harness.h"
#include "sein_log.h"

#include <poll.h>
#include <regex.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

//  The whole file at PATH (fresh; "" when empty). A file that cannot be
//  read fails the test.
static char *
s_read (const char *path)
{
    FILE *file = fopen (path, "r");
    assert_non_null (file);
    char *text = NULL;
    size_t size = 0;
    ssize_t length = getdelim (&text, &size, '\0', file);
    fclose (file);
    if (length < 0) {
        free (text);
        return strdup ("");
    }
    return text;
}

static void
s_write (const char *path, const char *text)
{
    FILE *file = fopen (path, "w");
    assert_non_null (file);
    fputs (text, file);
    fclose (file);
}

//  A private copy of the bundled configuration, with the data files of
//  conf/, which the test may edit and reload.
static void
s_private_config (sein_harness_t *harness)
{
    char source[300];
    snprintf (source, sizeof source, "%s/conf/sein.cfg", SEIN_SOURCE_DIR);
    char *text = s_read (source);
    snprintf (harness->config, sizeof harness->config, "%s/sein.cfg", harness->dir);
    s_write (harness->config, text);
    free (text);
    sein_harness_data (harness);
}

//  Replace the first FROM in the harness's config file with TO.
static void
s_edit (sein_harness_t *harness, const char *from, const char *to)
{
    char *text = s_read (harness->config);
    char *at = strstr (text, from);
    assert_non_null (at);
    char *edited = zsys_sprintf ("%.*s%s%s", (int) (at - text), text, to, at + strlen (from));
    s_write (harness->config, edited);
    zstr_free (&edited);
    free (text);
}

static void
test_format (void **state)
{
    (void) state;
    char out[256];
    const char *line = "W: (seind) 26-12-07 12:48:46 a client is not reading";
    size_t size = sein_log_format (line, strlen (line), "seind", true, out, sizeof out);
    assert_string_equal (out, "<4>a client is not reading");
    assert_int_equal (size, strlen (out));
    line = "D: (seind) 26-12-07 12:48:46 signal seq 3";
    sein_log_format (line, strlen (line), "seind", true, out, sizeof out);
    assert_string_equal (out, "<7>signal seq 3");
    //  On a terminal: czmq's letter and ident, the year with its century.
    line = "E: (seind) 26-12-07 12:48:46 cannot start: no store";
    sein_log_format (line, strlen (line), "seind", false, out, sizeof out);
    regex_t pattern;
    assert_int_equal (regcomp (&pattern,
                               "^E: \\(seind\\) [0-9]{4}-[0-9]{2}-[0-9]{2} "
                               "[0-9]{2}:[0-9]{2}:[0-9]{2} cannot start: no store$",
                               REG_EXTENDED | REG_NOSUB),
                      0);
    if (regexec (&pattern, out, 0, NULL, 0))
        fail_msg ("terminal line '%s'", out);
    regfree (&pattern);
    //  Not czmq's: passed on whole, at notice; truncated to fit.
    sein_log_format ("plain", 5, "seind", true, out, sizeof out);
    assert_string_equal (out, "<5>plain");
    size = sein_log_format (line, strlen (line), "seind", true, out, 8);
    assert_int_equal (size, 7);
    assert_string_equal (out, "<3>cann");
}

static void
test_journal_prefixes (void **state)
{
    (void) state;
    sein_harness_t harness;
    assert_int_equal (sein_harness_init (&harness, 0), 0);
    sein_harness_set (&harness, "daemon.log_level=debug");
    setenv ("JOURNAL_STREAM", "8:12345", 1);
    int started = sein_harness_start (&harness);
    unsetenv ("JOURNAL_STREAM");
    assert_int_equal (started, 0);
    const char *secret = "Zwerfvuil bij de glasbollen, Tiensestraat 42";
    char *output = NULL;
    assert_int_equal (sein_harness_run (&harness, NULL, &output, "sein-submit", "-s",
                                        "citizen", "-d", secret, "--reporter-name",
                                        "Jan Vertrouwelijk", "-e", "ext-private-77", NULL),
                      0);
    free (output);
    assert_int_equal (sein_harness_stop (&harness, SIGTERM), 0);
    char *log = s_read (harness.log);
    bool batch = false, signal = false;
    int lines = 0;
    for (char *line = strtok (log, "\n"); line; line = strtok (NULL, "\n")) {
        lines++;
        if (!(line[0] == '<' && line[1] >= '0' && line[1] <= '7' && line[2] == '>'))
            fail_msg ("a line without a priority prefix: '%s'", line);
        batch |= strncmp (line, "<6>batch of 1: stored, commit ", 30) == 0;
        signal |= strncmp (line, "<7>signal seq 1: area ", 22) == 0 &&
                  strstr (line, "rule ") != NULL;
        if (strstr (line, "Zwerfvuil") || strstr (line, "Vertrouwelijk") ||
            strstr (line, "ext-private"))
            fail_msg ("personal data in the log: '%s'", line);
    }
    assert_true (lines >= 3);
    assert_true (batch);
    assert_true (signal);
    free (log);
    sein_harness_cleanup (&harness);
}

static void
test_reload_outcome (void **state)
{
    (void) state;
    sein_harness_t harness;
    assert_int_equal (sein_harness_init (&harness, 0), 0);
    s_private_config (&harness);
    assert_int_equal (sein_harness_start (&harness), 0);
    char *output = NULL;
    assert_int_equal (sein_harness_run (&harness, NULL, &output, "seinctl", "reload", NULL), 0);
    assert_non_null (strstr (output, "reloaded"));
    zstr_free (&output);

    //  A value seind refuses, which the clients do not read.
    s_edit (&harness, "log_level = \"notice\"", "log_level = \"loud\"");
    assert_int_equal (
        sein_harness_run (&harness, NULL, &output, "seinctl", "--json", "reload", NULL),
        SEIN_EXIT_CONFIG);
    json_t *reply = json_loads (output, 0, NULL);
    assert_non_null (reply);
    assert_string_equal (json_string_value (json_object_get (reply, "status")), "rejected");
    json_t *error = json_object_get (reply, "error");
    assert_string_equal (json_string_value (json_object_get (error, "code")), "refused");
    assert_non_null (strstr (json_string_value (json_object_get (error, "message")),
                             "daemon.log_level"));
    json_decref (reply);
    zstr_free (&output);

    //  A restart-only setting changed: refused as well.
    s_edit (&harness, "log_level = \"loud\"", "log_level = \"notice\"");
    s_edit (&harness, "batch_max = 2048;", "batch_max = 17;");
    assert_int_equal (sein_harness_run (&harness, NULL, NULL, "seinctl", "reload", NULL),
                      SEIN_EXIT_CONFIG);
    //  Still serving, on the running configuration; fixed, it reloads.
    assert_int_equal (sein_harness_run (&harness, NULL, NULL, "seinctl", "ping", NULL), 0);
    s_edit (&harness, "batch_max = 17;", "batch_max = 2048;");
    assert_int_equal (sein_harness_run (&harness, NULL, NULL, "seinctl", "reload", NULL), 0);
    assert_int_equal (sein_harness_stop (&harness, SIGTERM), 0);
    char *log = s_read (harness.log);
    assert_non_null (strstr (log, "reload refused"));
    free (log);
    sein_harness_cleanup (&harness);
}

static void
test_detached_start (void **state)
{
    (void) state;
    sein_harness_t harness;
    assert_int_equal (sein_harness_init (&harness, 0), 0);
    assert_int_equal (sein_harness_start (&harness), 0);
    //  A second seind on the same store, detaching: it must say it failed.
    assert_int_equal (sein_harness_run (&harness, NULL, NULL, "seind", NULL),
                      SEIN_EXIT_UNAVAILABLE);
    assert_int_equal (sein_harness_stop (&harness, SIGTERM), 0);
    //  No store at all (seind never creates one without --init).
    char override[320];
    snprintf (override, sizeof override, "storage.dir=%s/none", harness.dir);
    sein_harness_set (&harness, override);
    assert_int_equal (sein_harness_run (&harness, NULL, NULL, "seind", NULL),
                      SEIN_EXIT_CONFIG);
    sein_harness_cleanup (&harness);
}

static void
test_config_from_environment (void **state)
{
    (void) state;
    sein_harness_t harness;
    assert_int_equal (sein_harness_init (&harness, 0), 0);
    s_private_config (&harness);
    s_edit (&harness, "log_level = \"notice\"", "log_level = \"loud\"");
    //  Without -c: $SEIN_CONFIG names the (broken) file, which is refused.
    char *command = zsys_sprintf ("SEIN_CONFIG=%s %s/seind --check 2>&1", harness.config,
                                  SEIN_BINARY_DIR);
    FILE *pipe = popen (command, "r");
    assert_non_null (pipe);
    char line[1024] = "";
    if (!fgets (line, sizeof line, pipe))
        *line = 0;
    int status = pclose (pipe);
    assert_true (WIFEXITED (status));
    assert_int_equal (WEXITSTATUS (status), SEIN_EXIT_CONFIG);
    assert_non_null (strstr (line, harness.config));
    zstr_free (&command);
    sein_harness_cleanup (&harness);
}

//  Read what seind told the notify socket FD until a datagram holds
//  NEEDLE or TIMEOUT ms passed; the datagrams are appended to LOG (of
//  SIZE). Returns true when NEEDLE came.
static bool
s_notified (int fd, const char *needle, int timeout, char *log, size_t size)
{
    int64_t deadline = zclock_mono () + sein_harness_scale (timeout);
    while (zclock_mono () < deadline) {
        struct pollfd item = {fd, POLLIN, 0};
        if (poll (&item, 1, (int) (deadline - zclock_mono ())) <= 0)
            continue;
        char datagram[1024];
        ssize_t length = recv (fd, datagram, sizeof datagram - 1, 0);
        if (length <= 0)
            continue;
        datagram[length] = 0;
        strncat (log, datagram, size - strlen (log) - 2);
        strcat (log, "|");
        if (strstr (datagram, needle))
            return true;
    }
    return false;
}

static void
test_notify (void **state)
{
    (void) state;
    sein_harness_t harness;
    assert_int_equal (sein_harness_init (&harness, 0), 0);
    s_private_config (&harness);
    char path[320];
    snprintf (path, sizeof path, "%s/notify", harness.dir);
    int fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true (fd >= 0);
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    assert_true (strlen (path) < sizeof address.sun_path);
    memcpy (address.sun_path, path, strlen (path) + 1);
    assert_int_equal (bind (fd, (struct sockaddr *) &address, sizeof address), 0);
    setenv ("NOTIFY_SOCKET", path, 1);
    setenv ("WATCHDOG_USEC", "600000", 1); //  a beat every 300 ms
    int started = sein_harness_start (&harness);
    unsetenv ("NOTIFY_SOCKET");
    unsetenv ("WATCHDOG_USEC");
    assert_int_equal (started, 0);
    static char log[16384];
    *log = 0;
    assert_true (s_notified (fd, "READY=1", 5000, log, sizeof log));
    //  The counters, and the watchdog's beat well within its interval.
    assert_true (s_notified (fd, "STATUS=serving: head 0, accepted 0", 2000, log, sizeof log));
    int64_t since = zclock_mono ();
    assert_true (s_notified (fd, "WATCHDOG=1", 2000, log, sizeof log));
    assert_true (s_notified (fd, "WATCHDOG=1", 2000, log, sizeof log));
    if (zclock_mono () - since > sein_harness_scale (1000))
        fail_msg ("the watchdog beat is late: %s", log);
    //  A refused reload: RELOADING=1, then READY=1 with the reason.
    s_edit (&harness, "log_level = \"notice\"", "log_level = \"loud\"");
    assert_int_equal (sein_harness_run (&harness, NULL, NULL, "seinctl", "reload", NULL),
                      SEIN_EXIT_CONFIG);
    assert_true (s_notified (fd, "RELOADING=1", 2000, log, sizeof log));
    if (!s_notified (fd, "STATUS=reload refused", 2000, log, sizeof log))
        fail_msg ("no reload outcome in STATUS: %s", log);
    assert_int_equal (sein_harness_stop (&harness, SIGTERM), 0);
    if (!s_notified (fd, "STOPPING=1", 2000, log, sizeof log))
        fail_msg ("no STOPPING=1: %s", log);
    close (fd);
    sein_harness_cleanup (&harness);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_format),
        cmocka_unit_test (test_journal_prefixes),
        cmocka_unit_test (test_reload_outcome),
        cmocka_unit_test (test_detached_start),
        cmocka_unit_test (test_config_from_environment),
        cmocka_unit_test (test_notify),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
