// SPDX-License-Identifier: MPL-2.0
/*  sein_config.h - sein's settings: tables of declarations, one file, one
    set of overrides

    Every program (seind and the three clients) reads the same libconfig file
    so that clients find the daemon's endpoints and keys. Each setting is
    declared once, in the table of the part that uses it, with its type,
    bounds, default and whether a running daemon may change it on SIGHUP:
    libsein's table (sein_config.c) declares what the library and the
    clients read, `endpoints.*`, `client.*`, `storage.dir` and
    `storage.file` (seinctl check opens the store), and the `security.*`
    settings a client connects with; seind's table
    (daemon/sein_settings.c) every other setting, and seind loads both
    (sein_config_load_with). Anything undeclared is refused with file:line,
    so a typo never silently falls back to a default.

    The rule for the clients, which load libsein's table only: they check
    every setting of libsein's table and refuse an unknown group and an
    unknown setting in the groups only libsein declares (`endpoints`,
    `client`); what else the groups seind declares settings in hold
    (`daemon`, `storage`, `data`, `classify`, `limits`, `watch`, in the
    file and in `-o`) they leave unread, for `seind --check`. So a client
    accepts every file seind accepts.

    Lists that are not plain settings (`teams`, `routing`) are left for
    their owners to validate through sein_config_root ().
*/
#ifndef SEIN_CONFIG_H_INCLUDED
#define SEIN_CONFIG_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>
#include <libconfig.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _sein_config_t sein_config_t;

typedef enum {
    SEIN_SETTING_STRING,
    SEIN_SETTING_PATH, //  a string; relative ones resolved on load
    SEIN_SETTING_INT,
    SEIN_SETTING_BOOL,
    SEIN_SETTING_ENUM, //  a string, one of `choices`
    SEIN_SETTING_ENDPOINT //  a string ZeroMQ can bind
} sein_setting_type_t;

//  One declared setting. A table is an array of them ending with {NULL}.
typedef struct {
    const char *name;    //  libconfig path, "group.name"
    sein_setting_type_t type;
    const char *def;     //  default, as it would be written after -o name=
    int64_t min, max;    //  bounds for SEIN_SETTING_INT
    const char *choices; //  "a|b|c" for SEIN_SETTING_ENUM
    bool reloadable;     //  may change on SIGHUP without a restart
    //  The socket option or derived bound the setting feeds, or NULL. A
    //  setting that feeds one is restart-only unless an apply step keeps it
    //  in step on reload (docs/CONFIG.md says which).
    const char *feeds;
} sein_setting_t;

//  libsein's table: endpoints.*, client.*, storage.dir and storage.file.
extern const sein_setting_t sein_config_settings[];

//  Load FILE (NULL: built-in defaults only), then apply OVERRIDES
//  ("path=value" strings, may be NULL when noverrides is 0), with libsein's
//  table: the clients' loader (see the rule above). Relative paths in
//  path-typed settings are resolved against FILE's directory, in overrides
//  against the current directory. Returns NULL on any error and sets
//  *error_p to a fresh "file:line: message" string the caller frees.
sein_config_t *
    sein_config_load (const char *file, const char **overrides, int noverrides,
                      char **error_p);

//  As sein_config_load, with the program's own TABLE declared beside
//  libsein's (seind: sein_settings, daemon/sein_settings.h); every group is
//  then checked. A TABLE that redeclares a setting of libsein's, or declares
//  one in a group the clients do not know as seind's, is refused (an
//  error, as for a bad file).
sein_config_t *
    sein_config_load_with (const sein_setting_t *table, const char *file,
                           const char **overrides, int noverrides, char **error_p);

//  Destroy; idempotent, nulls the pointer.
void
    sein_config_destroy (sein_config_t **self_p);

//  Value of a declared setting. Asking for an undeclared name (a client
//  asking for one of seind's, say) or the wrong type is a programmer
//  error: the process aborts. Strings are borrowed from self.
const char *
    sein_config_str (sein_config_t *self, const char *name);
int64_t
    sein_config_int (sein_config_t *self, const char *name);
bool
    sein_config_bool (sein_config_t *self, const char *name);

//  The file this configuration came from (borrowed).
const char *
    sein_config_file (sein_config_t *self);

//  The parsed libconfig tree, for list sections such as `teams` (borrowed).
config_setting_t *
    sein_config_root (sein_config_t *self);

//  Compare with the running configuration, loaded with the same table:
//  returns a fresh string naming the first setting that differs but cannot
//  change without a restart, or NULL when OTHER can be applied live.
char *
    sein_config_unreloadable (sein_config_t *self, sein_config_t *other);

//  Print every declared setting with its value, one "name = value" per
//  line (a client's: libsein's settings only).
void
    sein_config_print (sein_config_t *self, FILE *out);

//  Check that only its owner can read or write PATH (mode 0600 or
//  stricter): secret keys, and a configuration file with security on.
//  WHAT names the file in the message ("secret key"). Returns 0, or -1
//  with *error_p set to a fresh message naming the file, its mode and the
//  mode to use.
int
    sein_config_private (const char *path, const char *what, char **error_p);

#ifdef __cplusplus
}
#endif

#endif
