// SPDX-License-Identifier: MPL-2.0
/*  sein-watch - follow signals live for an area, theme, team or priority

    A thin loop around libsein's watcher, which carries the guarantees
    (credit, heartbeats, reconnect and resume without gaps or duplicates).
    With --state-file the seq of every event is recorded right after the
    event was printed, so a restarted sein-watch continues exactly after
    the last event it handled.
*/
#include "sein_cli.h"

#include "sein_alloc.h"

#include <ctype.h>
#include <czmq.h>
#include <fcntl.h>
#include <signal.h>

enum { O_AREA = 256, O_THEME, O_TEAM, O_PRIORITY, O_SINCE, O_STATE_FILE, O_IDLE, O_CREDIT };

static const sein_cli_option_t s_options[] = {
    {"area", O_AREA, "CODE", "only this area; a wijk includes its zones (repeatable)"},
    {"theme", O_THEME, "CODE", "only this theme (repeatable)"},
    {"team", O_TEAM, "NAME", "only signals routed to this team (repeatable)"},
    {"priority", O_PRIORITY, "LEVEL", "only this priority (repeatable)"},
    {"since", O_SINCE, "SEQ|TIME", "replay from this seq or RFC 3339 time, then go live"},
    {"state-file", O_STATE_FILE, "FILE", "record the last seq handled; resume after it"},
    {"count", 'n', "N", "exit after N events"},
    {"idle", O_IDLE, "MS", "exit when no event arrived for MS milliseconds"},
    {"credit", O_CREDIT, "N", "events in flight towards this watcher (default 1000)"},
    {NULL, 0, NULL, NULL}};

typedef struct {
    json_t *filter;
    long long since;
    const char *since_time;
    const char *state_file;
    long long count;
    long long idle;
    long long credit;
} s_args_t;

static int
s_option (void *arg, int key, const char *value)
{
    s_args_t *args = (s_args_t *) arg;
    const char *dimensions[] = {"area", "theme", "team", "priority"};
    switch (key) {
    case O_AREA:
    case O_THEME:
    case O_TEAM:
    case O_PRIORITY: {
        const char *dimension = dimensions[key - O_AREA];
        json_t *list = json_object_get (args->filter, dimension);
        if (!list) {
            list = json_array ();
            json_object_set_new (args->filter, dimension, list);
        }
        json_array_append_new (list, json_string (value));
        return 0;
    }
    case O_SINCE:
        args->since = sein_cli_number (value);
        if (*value == '-')
            return -1; //  neither a seq nor a time
        if (args->since < 0) {
            args->since = 0;
            args->since_time = value; //  checked by the daemon
        }
        return 0;
    case O_STATE_FILE:
        args->state_file = value;
        return 0;
    case 'n':
        args->count = sein_cli_number (value);
        return args->count > 0 ? 0 : -1;
    case O_IDLE:
        args->idle = sein_cli_number (value);
        return args->idle > 0 ? 0 : -1;
    case O_CREDIT:
        args->credit = sein_cli_number (value);
        return args->credit > 0 ? 0 : -1;
    }
    return -1;
}

static volatile sig_atomic_t s_stop = 0;

static void
s_on_signal (int signum)
{
    (void) signum;
    s_stop = 1;
}

//  "2026-11-26T10:20:27.123Z  #12  heilig-hart/heverlee  overlast  high
//   wijk-heverlee,regie-heilig-hart  Elke donderdag fuif ..."
static void
s_print (sein_cli_t *cli, json_t *event)
{
    json_t *teams = json_object_get (event, "teams");
    char list[256] = "";
    size_t index;
    json_t *team;
    json_array_foreach (teams, index, team) {
        if (index)
            strncat (list, ",", sizeof list - strlen (list) - 1);
        strncat (list, json_string_value (team), sizeof list - strlen (list) - 1);
    }
    const char *area = json_string_value (json_object_get (event, "area"));
    const char *wijk = json_string_value (json_object_get (event, "wijk"));
    char where[160];
    snprintf (where, sizeof where, "%s%s%s", area ? area : "-",
              wijk && area && !streq (wijk, area) ? "/" : "",
              wijk && area && !streq (wijk, area) ? wijk : "");
    //  The start of the text, cut on a character boundary.
    const char *text = json_string_value (json_object_get (event, "description"));
    char start[96] = "";
    if (text) {
        size_t len = strlen (text);
        size_t cut = len < 80 ? len : 80;
        while (cut < len && cut > 0 && ((unsigned char) text[cut] & 0xC0) == 0x80)
            cut--;
        snprintf (start, sizeof start, "%.*s%s", (int) cut, text, cut < len ? "…" : "");
        for (char *c = start; *c; c++)
            if (*c == '\n' || *c == '\t' || *c == '\r')
                *c = ' ';
    }
    char *human = sein_sprintf (
        "%s  #%lld  %s  %s  %s  %s  %s",
        json_string_value (json_object_get (event, "received_at")),
        (long long) json_integer_value (json_object_get (event, "seq")), where,
        json_string_value (json_object_get (event, "theme")),
        json_string_value (json_object_get (event, "priority")), list, start);
    sein_cli_print (cli, event, human);
    zstr_free (&human);
}

int
main (int argc, char **argv)
{
    s_args_t args = {.filter = json_object (), .credit = 1000};
    sein_cli_t cli = {.program = "sein-watch",
                      .synopsis = "[OPTIONS]",
                      .summary = "Follow signals as they are stored, without gaps.",
                      .options = s_options,
                      .handler = s_option,
                      .arg = &args};
    int first = sein_cli_parse (&cli, argc, argv);
    if (first < argc)
        sein_cli_usage_error (&cli, "unexpected argument '%s'", argv[first]);

    int state = -1;
    if (args.state_file) {
        state = open (args.state_file, O_RDWR | O_CREAT, 0640);
        if (state < 0) {
            fprintf (stderr, "sein-watch: %s: %s\n", args.state_file, strerror (errno));
            return 73; //  EX_CANTCREAT
        }
        //  Empty (new) means no state yet; anything but a seq is refused
        //  rather than taken as "live only", which would skip what was
        //  stored since.
        char text[32] = "";
        ssize_t size = pread (state, text, sizeof text - 1, 0);
        char *end = text;
        errno = 0;
        long long last = size > 0 ? strtoll (text, &end, 10) : 0;
        //  Digits only, a seq sein-watch could have written (1 or more, not
        //  the largest, which has no next), and a newline at most.
        bool seq = isdigit ((unsigned char) text[0]) && errno == 0 && last >= 1 &&
                   last < INT64_MAX && (*end == 0 || streq (end, "\n"));
        if (size < 0 || (size > 0 && !seq)) {
            fprintf (stderr, "sein-watch: %s: not a state file (a seq on one line)\n",
                     args.state_file);
            close (state);
            json_decref (args.filter);
            sein_cli_finish (&cli);
            return SEIN_EXIT_DATAERR;
        }
        if (last > 0) {
            args.since = last + 1; //  continue exactly after it
            args.since_time = NULL;
        }
    }
    zsys_handler_set (NULL);
    struct sigaction action = {.sa_handler = s_on_signal};
    sigaction (SIGINT, &action, NULL);
    sigaction (SIGTERM, &action, NULL);

    sein_watcher_t *watcher =
        sein_watcher_new (sein_config_str (cli.config, "endpoints.watch"), args.filter,
                          args.since, args.since_time, (int) args.credit);
    sein_watcher_set_keys (watcher, sein_cli_keys (&cli));
    long long seen = 0;
    int status = SEIN_EXIT_OK;
    int64_t last_event = zclock_mono ();
    while (!s_stop && (args.count == 0 || seen < args.count)) {
        size_t size;
        const char *body = sein_watcher_recv_raw (watcher, 200, &size);
        if (!body) {
            json_t *refusal = sein_watcher_refusal (watcher);
            if (refusal) {
                json_t *error = json_object_get (refusal, "error");
                fprintf (stderr, "sein-watch: refused: %s: %s\n",
                         json_string_value (json_object_get (error, "code")),
                         json_string_value (json_object_get (error, "message")));
                status = SEIN_EXIT_DATAERR;
                break;
            }
            if (args.idle && zclock_mono () - last_event >= args.idle)
                break;
            continue;
        }
        last_event = zclock_mono ();
        if (cli.json) {
            //  The event exactly as seind wrote it: one JSON object a line.
            fwrite (body, 1, size, stdout);
            fputc ('\n', stdout);
            fflush (stdout);
        } else {
            json_t *event = json_loadb (body, size, 0, NULL);
            s_print (&cli, event);
            json_decref (event);
        }
        if (state >= 0) {
            char text[32];
            int len = snprintf (text, sizeof text, "%020lld\n",
                                (long long) sein_watcher_last_seq (watcher));
            if (pwrite (state, text, (size_t) len, 0) != len)
                fprintf (stderr, "sein-watch: %s: %s\n", args.state_file, strerror (errno));
        }
        seen++;
    }
    sein_watcher_destroy (&watcher);
    if (state >= 0)
        close (state);
    json_decref (args.filter);
    sein_cli_finish (&cli);
    return status;
}
