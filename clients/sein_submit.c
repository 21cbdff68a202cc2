/*  sein-submit - submit one signal from flags, or many as JSON lines

    From flags, the signal is built as JSON and every check is left to the
    daemon, so a value the daemon refuses gets its precise error whichever
    way it was submitted. From --file, lines are pipelined: up to --window
    submissions are in flight at once, each tagged with its line number as
    correlation id, and acks are printed as they come back.
*/
#include "sein_cli.h"

#include <czmq.h>

//  What seind queues for one client with the default limits (intake_hwm +
//  2 x batch_max = 5096 replies), with room to spare: beyond it replies
//  would be dropped. client.window has the same bound.
#define S_WINDOW_MAX 4096

enum {
    O_CHANNEL = 256,
    O_LAT,
    O_LONG,
    O_AREA,
    O_THEME,
    O_REPORTER_NAME,
    O_REPORTER_EMAIL,
    O_REPORTER_PHONE,
    O_OCCURRED_AT,
    O_ATTRIBUTE,
};

static const sein_cli_option_t s_options[] = {
    {"description", 'd', "TEXT", "what is going on (required, 1..4000 bytes)"},
    {"source", 's', "SOURCE", "citizen, partner, staff or system (required)"},
    {"channel", O_CHANNEL, "CHANNEL", "intake-desk, phone, email, web, app, sensor, ..."},
    {"address", 'a', "TEXT", "free address, e.g. \"Naamsestraat 45, Leuven\""},
    {"lat", O_LAT, "DEG", "latitude (WGS84), with --long"},
    {"long", O_LONG, "DEG", "longitude (WGS84), with --lat"},
    {"area", O_AREA, "CODE", "explicit area code"},
    {"theme", O_THEME, "CODE", "explicit theme code"},
    {"priority", 'p', "LEVEL", "low, normal, high or urgent"},
    {"external-id", 'e', "ID", "your own id for this signal: resubmitting it is safe"},
    {"reporter-name", O_REPORTER_NAME, "NAME", "reporter's name (personal data)"},
    {"reporter-email", O_REPORTER_EMAIL, "EMAIL", "reporter's e-mail (personal data)"},
    {"reporter-phone", O_REPORTER_PHONE, "PHONE", "reporter's phone (personal data)"},
    {"occurred-at", O_OCCURRED_AT, "TIME", "when it happened, RFC 3339"},
    {"attribute", O_ATTRIBUTE, "KEY=VALUE", "machine attribute (repeatable)"},
    {"file", 'f', "FILE", "submit JSON lines from FILE ('-' for stdin)"},
    {"window", 'w', "N",
     "submissions in flight at once with --file, 1..4096 (default client.window)"},
    {"timeout", 't', "MS", "give up when the daemon is silent this long (default client.timeout)"},
    {"dry-run", 'n', NULL, "classify and route only, store nothing"},
    {NULL, 0, NULL, NULL}};

typedef struct {
    json_t *signal; //  built from flags
    json_t *reporter;
    json_t *attributes;
    const char *file;
    long long window;
    long long timeout;
    bool dry_run;
} s_args_t;

static int
s_option (void *arg, int key, const char *value)
{
    s_args_t *args = (s_args_t *) arg;
    const char *fields[] = {['d'] = "description",  ['s'] = "source", ['a'] = "address_string",
                            ['p'] = "priority",      ['e'] = "external_id"};
    switch (key) {
    case 'd':
    case 's':
    case 'a':
    case 'p':
    case 'e':
        json_object_set_new (args->signal, fields[key], json_string (value));
        return 0;
    case O_CHANNEL:
        json_object_set_new (args->signal, "channel", json_string (value));
        return 0;
    case O_AREA:
        json_object_set_new (args->signal, "area", json_string (value));
        return 0;
    case O_THEME:
        json_object_set_new (args->signal, "theme", json_string (value));
        return 0;
    case O_OCCURRED_AT:
        json_object_set_new (args->signal, "occurred_at", json_string (value));
        return 0;
    case O_LAT:
    case O_LONG: {
        //  Not a number: send it as text and let the daemon say why.
        char *end;
        double number = strtod (value, &end);
        json_t *json = *value && !*end ? json_real (number) : NULL;
        json_object_set_new (args->signal, key == O_LAT ? "lat" : "long",
                             json ? json : json_string (value));
        return 0;
    }
    case O_REPORTER_NAME:
    case O_REPORTER_EMAIL:
    case O_REPORTER_PHONE:
        json_object_set_new (args->reporter,
                             key == O_REPORTER_NAME    ? "name"
                             : key == O_REPORTER_EMAIL ? "email"
                                                       : "phone",
                             json_string (value));
        return 0;
    case O_ATTRIBUTE: {
        const char *equals = strchr (value, '=');
        if (!equals || equals == value)
            return -1;
        char *name = strndup (value, (size_t) (equals - value));
        json_object_set_new (args->attributes, name, json_string (equals + 1));
        free (name);
        return 0;
    }
    case 'f':
        args->file = value;
        return 0;
    case 'w':
        args->window = sein_cli_number (value);
        return args->window > 0 && args->window <= S_WINDOW_MAX ? 0 : -1;
    case 't':
        args->timeout = sein_cli_number (value);
        return args->timeout > 0 ? 0 : -1;
    case 'n':
        args->dry_run = true;
        return 0;
    }
    return -1;
}

typedef struct {
    sein_cli_t *cli;
    sein_client_t *client;
    const char *command;
    const char *submitter;
    int timeout;
    bool many; //  prefix lines with their number
    size_t outstanding;
    size_t rejected;
    bool stopping; //  seind answered `unavailable`: it is shutting down
} s_run_t;

//  One line per reply for people; the reply itself with --json.
static void
s_print (s_run_t *run, json_t *reply, const char *corr)
{
    const char *status = json_string_value (json_object_get (reply, "status"));
    char prefix[48] = "";
    if (run->many)
        snprintf (prefix, sizeof prefix, "line %s: ", corr ? corr : "?");
    char *human = NULL;
    if (status && streq (status, "rejected")) {
        json_t *error = json_object_get (reply, "error");
        const char *field = json_string_value (json_object_get (error, "field"));
        const char *code = json_string_value (json_object_get (error, "code"));
        human = zsys_sprintf ("%srejected: %s%s%s: %s", prefix, code, field ? " " : "",
                              field ? field : "",
                              json_string_value (json_object_get (error, "message")));
        if (code && streq (code, "unavailable"))
            run->stopping = true; //  not the data's fault: exit 69, not 65
        else
            run->rejected++;
    } else if (status) {
        json_t *teams = json_object_get (reply, "teams");
        char list[512] = "";
        size_t index;
        json_t *team;
        json_array_foreach (teams, index, team) {
            if (index)
                strncat (list, ",", sizeof list - strlen (list) - 1);
            strncat (list, json_string_value (team), sizeof list - strlen (list) - 1);
        }
        const char *explanation = json_string_value (
            json_object_get (json_object_get (reply, "classification"), "explanation"));
        bool duplicate = json_is_true (json_object_get (reply, "duplicate"));
        const char *rule = json_string_value (json_object_get (reply, "routing_rule"));
        const char *id = json_string_value (json_object_get (reply, "id"));
        char stored[96] = "";
        if (id)
            snprintf (stored, sizeof stored, " %s seq %lld", id,
                      (long long) json_integer_value (json_object_get (reply, "seq")));
        human = zsys_sprintf (
            "%s%s%s  area %s (%s)  theme %s  priority %s  teams %s (rule %s)%s%s", prefix,
            duplicate ? "duplicate" : status, stored,
            json_string_value (json_object_get (reply, "area")),
            json_string_value (json_object_get (reply, "wijk")),
            json_string_value (json_object_get (reply, "theme")),
            json_string_value (json_object_get (reply, "priority")), list,
            rule ? rule : "-",
            explanation ? "\n    " : "", explanation ? explanation : "");
    } else {
        human = zsys_sprintf ("%sunreadable reply", prefix);
        run->rejected++;
    }
    sein_cli_print (run->cli, reply, human);
    zstr_free (&human);
}

//  Wait for one reply. Returns -1 when the daemon stayed silent.
static int
s_receive (s_run_t *run)
{
    char *corr = NULL;
    json_t *reply = sein_client_recv (run->client, run->timeout, &corr, NULL);
    if (!reply && !corr)
        return -1;
    s_print (run, reply, corr);
    json_decref (reply);
    zstr_free (&corr);
    run->outstanding--;
    return 0;
}

static int
s_send (s_run_t *run, const char *corr, json_t *signal, const char *raw)
{
    if (signal && json_is_object (signal) && !json_object_get (signal, "submitter"))
        json_object_set_new (signal, "submitter", json_string (run->submitter));
    int rc = signal ? sein_client_send (run->client, run->command, corr, signal,
                                        run->timeout)
                    : sein_client_send_raw (run->client, run->command, corr, raw,
                                            strlen (raw), run->timeout);
    if (rc == 0)
        run->outstanding++;
    return rc;
}

static int
s_submit_file (s_run_t *run, FILE *input, size_t window)
{
    char *line = NULL;
    size_t capacity = 0;
    ssize_t length;
    long long lineno = 0;
    int rc = 0;
    //  Once seind says it is stopping, send nothing more.
    while (rc == 0 && !run->stopping && (length = getline (&line, &capacity, input)) >= 0) {
        lineno++;
        while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r'))
            line[--length] = 0;
        if (length == 0)
            continue;
        char corr[24];
        snprintf (corr, sizeof corr, "%lld", lineno);
        //  Lines that are not JSON objects go as they are: the daemon's
        //  answer says what is wrong with them.
        json_t *signal = json_loadb (line, (size_t) length, 0, NULL);
        rc = s_send (run, corr, json_is_object (signal) ? signal : NULL, line);
        json_decref (signal);
        while (rc == 0 && run->outstanding >= window)
            rc = s_receive (run);
    }
    free (line);
    while (rc == 0 && run->outstanding > 0)
        rc = s_receive (run);
    return rc;
}

int
main (int argc, char **argv)
{
    s_args_t args = {.signal = json_object (), .reporter = json_object (),
                     .attributes = json_object ()};
    sein_cli_t cli = {.program = "sein-submit",
                      .synopsis = "[OPTIONS] (--description TEXT --source SOURCE ... | --file FILE)",
                      .summary = "Submit signals to seind and print each ack.",
                      .options = s_options,
                      .handler = s_option,
                      .arg = &args};
    int first = sein_cli_parse (&cli, argc, argv);
    if (first < argc)
        sein_cli_usage_error (&cli, "unexpected argument '%s'", argv[first]);
    if (!args.file && json_object_size (args.signal) == 0 &&
        json_object_size (args.reporter) == 0)
        sein_cli_usage_error (&cli, "give a signal with --description and --source, or --file");
    if (args.file && json_object_size (args.signal) > 0)
        sein_cli_usage_error (&cli, "--file cannot be combined with signal fields");
    if (json_object_size (args.reporter))
        json_object_set (args.signal, "reporter", args.reporter);
    if (json_object_size (args.attributes))
        json_object_set (args.signal, "attributes", args.attributes);

    zsys_handler_set (NULL);
    const char *endpoint = sein_config_str (cli.config, "endpoints.intake");
    s_run_t run = {.cli = &cli,
                   .client = sein_client_new (endpoint),
                   .command = args.dry_run ? SEIN_CLASSIFY : SEIN_SUBMIT,
                   .submitter = sein_config_str (cli.config, "client.name"),
                   .timeout = (int) (args.timeout ? args.timeout
                                                  : sein_config_int (cli.config, "client.timeout")),
                   .many = args.file != NULL};
    size_t window = (size_t) (args.window ? args.window
                                          : sein_config_int (cli.config, "client.window"));
    int status = SEIN_EXIT_OK;
    if (!run.client) {
        fprintf (stderr, "sein-submit: bad endpoint %s\n", endpoint);
        status = SEIN_EXIT_CONFIG;
    } else {
        int rc;
        if (args.file) {
            FILE *input = streq (args.file, "-") ? stdin : fopen (args.file, "r");
            if (!input) {
                fprintf (stderr, "sein-submit: %s: %s\n", args.file, strerror (errno));
                status = 66; //  EX_NOINPUT
                rc = 0;
            } else {
                rc = s_submit_file (&run, input, window);
                if (input != stdin)
                    fclose (input);
            }
        } else {
            rc = s_send (&run, "1", args.signal, NULL);
            if (rc == 0)
                rc = s_receive (&run);
        }
        if (rc && run.outstanding == 0) {
            fprintf (stderr, "sein-submit: could not send to %s within %d ms\n", endpoint,
                     run.timeout);
            status = SEIN_EXIT_UNAVAILABLE;
        } else if (rc) {
            fprintf (stderr, "sein-submit: no answer from %s within %d ms (%zu unanswered)\n",
                     endpoint, run.timeout, run.outstanding);
            status = SEIN_EXIT_UNAVAILABLE;
        } else if (run.stopping) {
            fprintf (stderr, "sein-submit: seind is stopping; submit again when it is back"
                             " (what was accepted is recognised by its external_id)\n");
            status = SEIN_EXIT_UNAVAILABLE;
        } else if (status == SEIN_EXIT_OK && run.rejected)
            status = SEIN_EXIT_DATAERR;
    }
    sein_client_destroy (&run.client);
    json_decref (args.signal);
    json_decref (args.reporter);
    json_decref (args.attributes);
    sein_cli_finish (&cli);
    return status;
}
