/*  sein_config.h - sein's settings: one table, one file, one set of overrides

    Every program (seind and the three clients) reads the same libconfig file
    so that clients find the daemon's endpoints and keys. Each setting is
    declared once in a table (sein_config.c) with its type, bounds, default
    and whether a running daemon may change it on SIGHUP. Anything not in
    the table is refused with file:line, so a typo never silently falls back
    to a default.

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

//  Load FILE (NULL: built-in defaults only), then apply OVERRIDES
//  ("path=value" strings, may be NULL when noverrides is 0). Relative paths
//  in path-typed settings are resolved against FILE's directory, in
//  overrides against the current directory. Returns NULL on any error and sets *error_p to
//  a fresh "file:line: message" string the caller frees.
sein_config_t *
    sein_config_load (const char *file, const char **overrides, int noverrides,
                      char **error_p);

//  Destroy; idempotent, nulls the pointer.
void
    sein_config_destroy (sein_config_t **self_p);

//  Value of a declared setting. Asking for an undeclared name or the wrong
//  type is a programmer error (assert). Strings are borrowed from self.
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

//  Compare with the running configuration: returns a fresh string naming
//  the first setting that differs but cannot change without a restart, or
//  NULL when OTHER can be applied live.
char *
    sein_config_unreloadable (sein_config_t *self, sein_config_t *other);

//  Print every setting with its value, one "name = value" per line.
void
    sein_config_print (sein_config_t *self, FILE *out);

#ifdef __cplusplus
}
#endif

#endif
