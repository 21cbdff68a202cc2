// SPDX-License-Identifier: MPL-2.0
/*  sein_cli.h - the option core shared by sein-submit, sein-watch, seinctl

    Like Mosquitto's client_shared.c: every tool takes the same common
    options with the same letters, and declares its own in a table that
    also produces its --help text.

        -c, --config FILE     the libconfig file (default $SEIN_CONFIG, then
                              /etc/sein/sein.cfg, else built-in defaults)
        -o, --option P=V      override any setting (repeatable)
            --json            one JSON object per line on stdout
        -h, --help            usage and exit 0
        -V, --version         version and exit 0
*/
#ifndef SEIN_CLI_H_INCLUDED
#define SEIN_CLI_H_INCLUDED

#include "sein.h"
#include "sein_config.h"

#include <getopt.h>
#include <stdio.h>

#define SEIN_CLI_MAX_OVERRIDES 64

//  One tool-specific option. `key` is the short letter, or a value >= 256
//  for long-only options; `arg` names the argument, NULL for a flag.
typedef struct {
    const char *name;
    int key;
    const char *arg;
    const char *help;
} sein_cli_option_t;

//  Called for each tool option; returns 0, or -1 to report a usage error
//  (the handler prints the reason).
typedef int (sein_cli_handler_fn) (void *arg, int key, const char *value);

typedef struct {
    const char *program;
    const char *synopsis; //  "[OPTIONS] ..." after the program name
    const char *summary;  //  one line on what the tool does
    const sein_cli_option_t *options;
    sein_cli_handler_fn *handler;
    void *arg;
    //  The program's own settings beside libsein's (sein_config_load_with),
    //  or NULL: the clients' rule (sein_config.h).
    const sein_setting_t *table;
    //  Filled by sein_cli_parse:
    const char *config_file;
    const char *overrides[SEIN_CLI_MAX_OVERRIDES];
    int noverrides;
    bool json;
    sein_config_t *config;
    sein_keys_t *keys; //  loaded by sein_cli_keys
} sein_cli_t;

//  Parse ARGV; on -h/-V prints and exits 0, on a usage error prints the
//  reason and exits 64, on a config error prints file:line and exits 78.
//  Returns the index of the first operand.
int
    sein_cli_parse (sein_cli_t *cli, int argc, char **argv);

//  The keys to connect with when security.enabled (client.key and
//  security.server_key from security.keys; owned by CLI), NULL when
//  security is off. On a missing or unprotected key prints why and exits
//  78.
sein_keys_t *
    sein_cli_keys (sein_cli_t *cli);

//  Release the configuration and keys.
void
    sein_cli_finish (sein_cli_t *cli);

//  Report a usage error (prefixed with the program name) and exit 64.
void
    sein_cli_usage_error (sein_cli_t *cli, const char *format, ...)
    __attribute__ ((format (printf, 2, 3), noreturn));

//  Report a usage error and return 64, for code that has resources to
//  release before it exits.
int
    sein_cli_usage (sein_cli_t *cli, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

//  Parse a non-negative integer option; -1 when it is not one.
long long
    sein_cli_number (const char *value);

//  Print a reply: the JSON object on one line with --json, else HUMAN's
//  text (when not NULL).
void
    sein_cli_print (sein_cli_t *cli, json_t *reply, const char *human);

#endif
