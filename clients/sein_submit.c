// SPDX-License-Identifier: MPL-2.0
/*  sein-submit - submit one signal from flags, or many as JSON lines

    From flags, the signal is built as JSON and every check is left to the
    daemon, so a value the daemon refuses gets its precise error whichever
    way it was submitted. From --file, lines are pipelined: up to --window
    submissions are in flight at once, each tagged with its line number as
    correlation id, and acks are printed as they come back.
*/
#include "sein_cli.h"

#include "sein_alloc.h"

#include <assert.h>
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
        char *name = sein_strndup (value, (size_t) (equals - value));
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
    char *submitter_member; //  `"submitter":"<client.name>"`, escaped once
    char *body;             //  the request being built, reused line after line
    size_t body_capacity;
    int timeout;
    bool many; //  prefix lines with their number
    size_t outstanding;
    size_t rejected;
    bool stopping; //  seind answered `unavailable`: it is shutting down
} s_run_t;

//  ---------------------------------------------------------------------
//  Just enough JSON scanning to pass a line through and to read the few
//  fields of an ack that are printed, without building a tree. Parsing
//  each line, serialising it again and parsing each ack with jansson cost
//  sein-submit about 40 us a signal, twice what seind spends on it; this
//  checks structure only, and seind validates everything.

//  One member of an object: the key's and the value's text.
typedef struct {
    const char *key;
    size_t key_size;
    bool key_escaped; //  holds a backslash: its bytes are not its name
    const char *value;
    size_t value_size;
} s_member_t;

//  An object being scanned: AT is where the next member (or the '}') is.
typedef struct {
    const char *at;
    const char *end;
    bool first;
} s_scan_t;

static const char *
s_skip_space (const char *at, const char *end)
{
    while (at < end && (*at == ' ' || *at == '\t' || *at == '\n' || *at == '\r'))
        at++;
    return at;
}

//  Past the string that opens at AT, NULL when it does not close before
//  END. *ESCAPED tells whether it holds a backslash.
static const char *
s_skip_string (const char *at, const char *end, bool *escaped)
{
    *escaped = false;
    for (at++; at < end;) {
        //  memchr, not a loop over bytes: descriptions are most of a line.
        const char *quote = (const char *) memchr (at, '"', (size_t) (end - at));
        if (!quote)
            return NULL;
        const char *backslash = (const char *) memchr (at, '\\', (size_t) (quote - at));
        if (!backslash)
            return quote + 1;
        *escaped = true;
        at = backslash + 2; //  past the escaped character, which may be a quote
    }
    return NULL;
}

//  Past the value that starts at AT: a string, an object or array (to
//  its matching bracket), or anything else up to the next delimiter.
//  NULL when it does not end before END.
static const char *
s_skip_value (const char *at, const char *end)
{
    bool escaped;
    if (at < end && *at == '"')
        return s_skip_string (at, end, &escaped);
    if (at < end && (*at == '{' || *at == '[')) {
        size_t depth = 0;
        while (at < end) {
            if (*at == '"') {
                at = s_skip_string (at, end, &escaped);
                if (!at)
                    return NULL;
                continue;
            }
            if (*at == '{' || *at == '[')
                depth++;
            else if ((*at == '}' || *at == ']') && --depth == 0)
                return at + 1;
            at++;
        }
        return NULL;
    }
    const char *start = at;
    while (at < end && !strchr (",}] \t\r\n", *at))
        at++;
    return at > start ? at : NULL;
}

//  Start scanning the object at AT; false when AT is not an object.
static bool
s_scan_start (s_scan_t *scan, const char *at, const char *end)
{
    at = s_skip_space (at, end);
    *scan = (s_scan_t){at + 1, end, true};
    return at < end && *at == '{';
}

//  The next member into MEMBER: 1, or 0 at the closing '}' (then
//  scan->at is past it), or -1 when the text is no object after all.
static int
s_scan_next (s_scan_t *scan, s_member_t *member)
{
    const char *at = s_skip_space (scan->at, scan->end);
    //  A '}' may follow the '{' or a member, never a ','.
    if (at < scan->end && *at == '}') {
        scan->at = at + 1;
        return 0;
    }
    if (!scan->first) {
        if (at >= scan->end || *at != ',')
            return -1;
        at = s_skip_space (at + 1, scan->end);
    }
    scan->first = false;
    if (at >= scan->end || *at != '"')
        return -1;
    const char *key_end = s_skip_string (at, scan->end, &member->key_escaped);
    if (!key_end)
        return -1;
    member->key = at + 1;
    member->key_size = (size_t) (key_end - at - 2);
    at = s_skip_space (key_end, scan->end);
    if (at >= scan->end || *at != ':')
        return -1;
    at = s_skip_space (at + 1, scan->end);
    const char *value_end = s_skip_value (at, scan->end);
    if (!value_end)
        return -1;
    member->value = at;
    member->value_size = (size_t) (value_end - at);
    scan->at = value_end;
    return 1;
}

static inline bool
s_member_is (s_member_t *member, const char *key)
{
    return !member->key_escaped && member->key_size == strlen (key) &&
           memcmp (member->key, key, member->key_size) == 0;
}

//  ---------------------------------------------------------------------
//  Printing acks

//  What the readable line of an ack shows; strings NULL when absent, as
//  jansson's getters give them.
typedef struct {
    const char *status;
    bool duplicate;
    const char *id;
    long long seq;
    const char *area, *wijk, *theme, *priority, *rule, *explanation;
    char teams[512]; //  comma-separated
} s_ack_t;

//  "line 12: accepted <id> seq 812  area ... teams ... (rule ...)" and the
//  explanation on a line of its own; a fresh string.
static char *
s_ack_text (s_ack_t *ack, const char *prefix)
{
    char stored[96] = "";
    if (ack->id)
        snprintf (stored, sizeof stored, " %s seq %lld", ack->id, ack->seq);
    return sein_sprintf ("%s%s%s  area %s (%s)  theme %s  priority %s  teams %s (rule %s)"
                         "%s%s",
                         prefix, ack->duplicate ? "duplicate" : ack->status, stored,
                         ack->area, ack->wijk, ack->theme, ack->priority, ack->teams,
                         ack->rule ? ack->rule : "-", ack->explanation ? "\n    " : "",
                         ack->explanation ? ack->explanation : "");
}

static void
s_team_append (s_ack_t *ack, const char *team, size_t size)
{
    size_t used = strlen (ack->teams);
    if (used && used + 1 < sizeof ack->teams)
        ack->teams[used++] = ',';
    size_t room = sizeof ack->teams - used - 1;
    memcpy (ack->teams + used, team, size < room ? size : room);
    ack->teams[used + (size < room ? size : room)] = 0;
}

//  A copy of the string value of MEMBER in SCRATCH (of *LEFT bytes);
//  false when it is not a plain string (escapes need jansson) or does not
//  fit.
static bool
s_plain_string (s_member_t *member, char **scratch, size_t *left, const char **value_p)
{
    bool escaped;
    if (member->value[0] != '"' || member->value_size > *left ||
        !s_skip_string (member->value, member->value + member->value_size, &escaped) ||
        escaped)
        return false;
    size_t size = member->value_size - 2;
    memcpy (*scratch, member->value + 1, size);
    (*scratch)[size] = 0;
    *value_p = *scratch;
    *scratch += size + 1;
    *left -= size + 1;
    return true;
}

//  Read an accepted or classified ack's printed fields from its text
//  into ACK, keeping the strings in SCRATCH (SIZE bytes). False for
//  anything else or anything unusual: jansson reads that.
static bool
s_ack_scan (const char *body, size_t size, s_ack_t *ack, char *scratch, size_t left)
{
    static const char accepted[] = "{\"status\":\"accepted\",";
    static const char classified[] = "{\"status\":\"classified\",";
    if (size > sizeof accepted && memcmp (body, accepted, sizeof accepted - 1) == 0)
        ack->status = "accepted";
    else if (size > sizeof classified &&
             memcmp (body, classified, sizeof classified - 1) == 0)
        ack->status = "classified";
    else
        return false;
    s_scan_t scan;
    s_member_t member;
    s_scan_start (&scan, body, body + size);
    int rc;
    while ((rc = s_scan_next (&scan, &member)) == 1) {
        bool plain = true;
        const char **field = s_member_is (&member, "id")             ? &ack->id
                             : s_member_is (&member, "area")         ? &ack->area
                             : s_member_is (&member, "wijk")         ? &ack->wijk
                             : s_member_is (&member, "theme")        ? &ack->theme
                             : s_member_is (&member, "priority")     ? &ack->priority
                             : s_member_is (&member, "routing_rule") ? &ack->rule
                                                                     : NULL;
        if (field)
            plain = s_plain_string (&member, &scratch, &left, field);
        else if (s_member_is (&member, "duplicate"))
            ack->duplicate =
                member.value_size == 4 && memcmp (member.value, "true", 4) == 0;
        else if (s_member_is (&member, "seq"))
            ack->seq = strtoll (member.value, NULL, 10);
        else if (s_member_is (&member, "teams")) {
            //  An array of plain strings.
            const char *end = member.value + member.value_size;
            const char *at = s_skip_space (member.value + 1, end);
            while (plain && at < end && *at == '"') {
                bool escaped;
                const char *next = s_skip_string (at, end, &escaped);
                plain = next && !escaped;
                if (plain) {
                    s_team_append (ack, at + 1, (size_t) (next - at - 2));
                    at = s_skip_space (next, end);
                    if (at < end && *at == ',')
                        at = s_skip_space (at + 1, end);
                }
            }
            plain = plain && member.value[0] == '[' && at < end && *at == ']';
        } else if (s_member_is (&member, "classification")) {
            s_scan_t inner;
            s_member_t detail;
            if (!s_scan_start (&inner, member.value, member.value + member.value_size))
                return false;
            while ((rc = s_scan_next (&inner, &detail)) == 1)
                if (s_member_is (&detail, "explanation"))
                    plain = s_plain_string (&detail, &scratch, &left, &ack->explanation);
            if (rc < 0)
                return false;
        }
        if (!plain)
            return false;
    }
    return rc == 0;
}

//  The same fields from a parsed reply.
static void
s_ack_read (json_t *reply, s_ack_t *ack)
{
    ack->status = json_string_value (json_object_get (reply, "status"));
    ack->duplicate = json_is_true (json_object_get (reply, "duplicate"));
    ack->id = json_string_value (json_object_get (reply, "id"));
    ack->seq = (long long) json_integer_value (json_object_get (reply, "seq"));
    ack->area = json_string_value (json_object_get (reply, "area"));
    ack->wijk = json_string_value (json_object_get (reply, "wijk"));
    ack->theme = json_string_value (json_object_get (reply, "theme"));
    ack->priority = json_string_value (json_object_get (reply, "priority"));
    ack->rule = json_string_value (json_object_get (reply, "routing_rule"));
    ack->explanation = json_string_value (
        json_object_get (json_object_get (reply, "classification"), "explanation"));
    size_t index;
    json_t *team;
    json_array_foreach (json_object_get (reply, "teams"), index, team) {
        const char *name = json_string_value (team);
        s_team_append (ack, name ? name : "", name ? strlen (name) : 0);
    }
}

static void
s_prefix (s_run_t *run, const char *corr, char *prefix, size_t size)
{
    *prefix = 0;
    if (run->many)
        snprintf (prefix, size, "line %s: ", corr ? corr : "?");
}

//  One line per reply for people; the reply itself with --json.
static void
s_print (s_run_t *run, json_t *reply, const char *corr)
{
    const char *status = json_string_value (json_object_get (reply, "status"));
    char prefix[48];
    s_prefix (run, corr, prefix, sizeof prefix);
    char *human = NULL;
    if (status && streq (status, "rejected")) {
        json_t *error = json_object_get (reply, "error");
        const char *field = json_string_value (json_object_get (error, "field"));
        const char *code = json_string_value (json_object_get (error, "code"));
        human = sein_sprintf ("%srejected: %s%s%s: %s", prefix, code, field ? " " : "",
                              field ? field : "",
                              json_string_value (json_object_get (error, "message")));
        if (code && streq (code, "unavailable"))
            run->stopping = true; //  not the data's fault: exit 69, not 65
        else
            run->rejected++;
    } else if (status) {
        s_ack_t ack = {0};
        s_ack_read (reply, &ack);
        human = s_ack_text (&ack, prefix);
    } else {
        human = sein_sprintf ("%sunreadable reply", prefix);
        run->rejected++;
    }
    sein_cli_print (run->cli, reply, human);
    zstr_free (&human);
}

//  Print an accepted (or classified) ack from its text, without parsing
//  it: as seind wrote it with --json, else its readable line. False for
//  any other reply, which s_print handles.
static bool
s_print_ack (s_run_t *run, const char *body, size_t size, const char *corr)
{
    s_ack_t ack = {0};
    char scratch[2048];
    if (!s_ack_scan (body, size, &ack, scratch, sizeof scratch))
        return false;
    if (run->cli->json) {
        fwrite (body, 1, size, stdout);
        putchar ('\n');
    } else {
        char prefix[48];
        s_prefix (run, corr, prefix, sizeof prefix);
        char *human = s_ack_text (&ack, prefix);
        puts (human);
        zstr_free (&human);
    }
    return true;
}

//  Wait for one reply. Returns -1 when the daemon stayed silent.
static int
s_receive (s_run_t *run)
{
    size_t size, corr_size;
    const char *corr;
    const char *body =
        sein_client_recv_raw (run->client, 0, &size, &corr, &corr_size, NULL, NULL);
    if (!body && !corr) {
        //  Nothing waiting: what was printed is seen before we wait.
        fflush (stdout);
        body = sein_client_recv_raw (run->client, run->timeout, &size, &corr, &corr_size,
                                     NULL, NULL);
        if (!body && !corr)
            return -1;
    }
    char tag[256] = "";
    if (corr)
        memcpy (tag, corr, corr_size < sizeof tag - 1 ? corr_size : sizeof tag - 1);
    if (!body || !s_print_ack (run, body, size, tag)) {
        json_t *reply = body ? json_loadb (body, size, 0, NULL) : NULL;
        s_print (run, reply, corr ? tag : NULL);
        json_decref (reply);
    }
    run->outstanding--;
    return 0;
}

static int
s_send (s_run_t *run, const char *corr, json_t *signal, const char *raw, size_t size)
{
    if (signal && json_is_object (signal) && !json_object_get (signal, "submitter"))
        json_object_set_new (signal, "submitter", json_string (run->submitter));
    int rc = signal ? sein_client_send (run->client, run->command, corr, signal,
                                        run->timeout)
                    : sein_client_send_raw (run->client, run->command, corr, raw, size,
                                            run->timeout);
    if (rc == 0)
        run->outstanding++;
    return rc;
}

//  The request body for LINE (LENGTH bytes) into *BODY_P and *SIZE_P:
//  the line itself, with the submitter added as its last member when it
//  is an object without one (where a tree's json_object_set would put
//  it). Anything that is not an object goes as it is: seind's answer
//  says what is wrong with it. False when a key has escapes (it might
//  spell "submitter"): then jansson reads the line.
static bool
s_line_body (s_run_t *run, char *line, size_t length, const char **body_p, size_t *size_p)
{
    *body_p = line;
    *size_p = length;
    const char *end = line + length;
    s_scan_t scan;
    s_member_t member;
    if (!s_scan_start (&scan, line, end))
        return true;
    int rc;
    bool named = false, empty = true;
    while ((rc = s_scan_next (&scan, &member)) == 1) {
        if (member.key_escaped)
            return false;
        named = named || s_member_is (&member, "submitter");
        empty = false;
    }
    if (rc < 0 || s_skip_space (scan.at, end) != end || named)
        return true;
    size_t close = (size_t) (scan.at - 1 - line); //  the object's '}'
    size_t member_size = strlen (run->submitter_member);
    size_t size = length + member_size + 1;
    if (size + 1 > run->body_capacity) {
        run->body_capacity = size + 1 > 2 * run->body_capacity ? size + 1
                                                                : 2 * run->body_capacity;
        run->body = (char *) sein_realloc (run->body, run->body_capacity);
        assert (run->body);
    }
    char *out = run->body;
    memcpy (out, line, close);
    out += close;
    if (!empty)
        *out++ = ',';
    memcpy (out, run->submitter_member, member_size);
    out += member_size;
    memcpy (out, line + close, length - close);
    out += length - close;
    *body_p = run->body;
    *size_p = (size_t) (out - run->body);
    return true;
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
        const char *body;
        size_t size;
        if (s_line_body (run, line, (size_t) length, &body, &size))
            rc = s_send (run, corr, NULL, body, size);
        else {
            json_t *signal = json_loadb (line, (size_t) length, 0, NULL);
            rc = s_send (run, corr, json_is_object (signal) ? signal : NULL, line,
                         (size_t) length);
            json_decref (signal);
        }
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
                   .client = sein_client_new_secure (endpoint, sein_cli_keys (&cli)),
                   .command = args.dry_run ? SEIN_CLASSIFY : SEIN_SUBMIT,
                   .submitter = sein_config_str (cli.config, "client.name"),
                   .timeout = (int) (args.timeout ? args.timeout
                                                  : sein_config_int (cli.config, "client.timeout")),
                   .many = args.file != NULL};
    json_t *name = json_string (run.submitter);
    char *quoted = json_dumps (name, JSON_ENCODE_ANY);
    run.submitter_member = sein_sprintf ("\"submitter\":%s", quoted);
    free (quoted);
    json_decref (name);
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
            rc = s_send (&run, "1", args.signal, NULL, 0);
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
    zstr_free (&run.submitter_member);
    free (run.body);
    json_decref (args.signal);
    json_decref (args.reporter);
    json_decref (args.attributes);
    sein_cli_finish (&cli);
    return status;
}
