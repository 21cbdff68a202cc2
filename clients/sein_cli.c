// SPDX-License-Identifier: MPL-2.0
/*  sein_cli.c - option parsing, configuration and output for the clients */
#include "sein_cli.h"

#include "sein_alloc.h"
#include "sein_version.h"

#include <assert.h>
#include <czmq.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S_DEFAULT_CONFIG SEIN_DEFAULT_CONFIG

enum { S_JSON = 1000 };

static const sein_cli_option_t s_common[] = {
    {"config", 'c', "FILE", "configuration file (default $SEIN_CONFIG, " S_DEFAULT_CONFIG ")"},
    {"option", 'o', "PATH=VALUE", "override a setting, e.g. -o endpoints.intake=tcp://h:5570"},
    {"json", S_JSON, NULL, "print one JSON object per line"},
    {"help", 'h', NULL, "show this help and exit"},
    {"version", 'V', NULL, "show the version and exit"},
    {NULL, 0, NULL, NULL}};

static void
s_help (sein_cli_t *cli)
{
    printf ("Usage: %s %s\n%s\n\nOptions:\n", cli->program, cli->synopsis, cli->summary);
    const sein_cli_option_t *tables[] = {cli->options, s_common};
    for (int table = 0; table < 2; table++)
        for (const sein_cli_option_t *option = tables[table]; option && option->name;
             option++) {
            char left[64];
            if (option->key < 256)
                snprintf (left, sizeof left, "-%c, --%s%s%s", option->key, option->name,
                          option->arg ? " " : "", option->arg ? option->arg : "");
            else
                snprintf (left, sizeof left, "    --%s%s%s", option->name,
                          option->arg ? " " : "", option->arg ? option->arg : "");
            printf ("  %-30s %s\n", left, option->help);
        }
    printf ("\nExit status: 0 ok, 64 usage, 65 bad data or rejected, 69 daemon "
            "unavailable, 78 configuration error.\n");
}

static void
s_usage (sein_cli_t *cli, const char *format, va_list args)
{
    fprintf (stderr, "%s: ", cli->program);
    vfprintf (stderr, format, args);
    fprintf (stderr, "\nTry '%s --help'.\n", cli->program);
}

void
sein_cli_usage_error (sein_cli_t *cli, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    s_usage (cli, format, args);
    va_end (args);
    exit (SEIN_EXIT_USAGE);
}

int
sein_cli_usage (sein_cli_t *cli, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    s_usage (cli, format, args);
    va_end (args);
    return SEIN_EXIT_USAGE;
}

long long
sein_cli_number (const char *value)
{
    char *end;
    long long number = strtoll (value, &end, 10);
    return end == value || *end || number < 0 ? -1 : number;
}

int
sein_cli_parse (sein_cli_t *cli, int argc, char **argv)
{
    //  czmq's own warnings go to stdout by default, into a --json stream.
    zsys_set_logstream (stderr);
    //  Out of memory the clients stop, as seind does (sein_alloc.h).
    sein_alloc_init ();
    struct option longs[96];
    char shorts[192] = "";
    int count = 0;
    const sein_cli_option_t *tables[] = {cli->options, s_common};
    for (int table = 0; table < 2; table++)
        for (const sein_cli_option_t *option = tables[table]; option && option->name;
             option++) {
            assert (count < 95);
            longs[count++] = (struct option){option->name,
                                             option->arg ? required_argument : no_argument,
                                             NULL, option->key};
            if (option->key < 256) {
                char letter[3] = {(char) option->key, option->arg ? ':' : 0, 0};
                strcat (shorts, letter);
            }
        }
    longs[count] = (struct option){NULL, 0, NULL, 0};
    opterr = 0;
    int key;
    while ((key = getopt_long (argc, argv, shorts, longs, NULL)) != -1) {
        switch (key) {
        case 'c':
            cli->config_file = optarg;
            break;
        case 'o':
            if (cli->noverrides == SEIN_CLI_MAX_OVERRIDES)
                sein_cli_usage_error (cli, "too many -o options");
            cli->overrides[cli->noverrides++] = optarg;
            break;
        case S_JSON:
            cli->json = true;
            break;
        case 'h':
            s_help (cli);
            exit (SEIN_EXIT_OK);
        case 'V':
            printf ("%s %s\n", cli->program, SEIN_VERSION);
            exit (SEIN_EXIT_OK);
        case '?':
        case ':':
            if (optopt && optopt < 256)
                sein_cli_usage_error (cli, "option -%c is unknown or needs a value",
                                      optopt);
            sein_cli_usage_error (cli, "option '%s' is unknown or needs a value",
                                  argv[optind - 1]);
        default:
            if (!cli->handler || cli->handler (cli->arg, key, optarg))
                sein_cli_usage_error (cli, "invalid option value '%s'",
                                      optarg ? optarg : "");
        }
    }
    const char *file = cli->config_file;
    if (!file)
        file = getenv ("SEIN_CONFIG");
    if (!file && access (S_DEFAULT_CONFIG, R_OK) == 0)
        file = S_DEFAULT_CONFIG;
    char *error = NULL;
    cli->config =
        sein_config_load_with (cli->table, file, cli->overrides, cli->noverrides, &error);
    if (!cli->config) {
        fprintf (stderr, "%s: %s\n", cli->program, error);
        free (error);
        exit (SEIN_EXIT_CONFIG);
    }
    return optind;
}

sein_keys_t *
sein_cli_keys (sein_cli_t *cli)
{
    if (cli->keys || !sein_config_bool (cli->config, "security.enabled"))
        return cli->keys;
    char *error = NULL;
    cli->keys = sein_keys_new (sein_config_str (cli->config, "security.keys"),
                               sein_config_str (cli->config, "client.key"),
                               sein_config_str (cli->config, "security.server_key"), &error);
    if (!cli->keys) {
        fprintf (stderr, "%s: %s\n", cli->program, error);
        free (error);
        exit (SEIN_EXIT_CONFIG);
    }
    return cli->keys;
}

void
sein_cli_finish (sein_cli_t *cli)
{
    sein_keys_destroy (&cli->keys);
    sein_config_destroy (&cli->config);
}

void
sein_cli_print (sein_cli_t *cli, json_t *reply, const char *human)
{
    if (cli->json) {
        char *text = json_dumps (reply, JSON_COMPACT | JSON_REAL_PRECISION (15));
        if (text)
            puts (text);
        free (text);
    } else if (human)
        puts (human);
    fflush (stdout);
}
