/*  sein_config.c - the table of settings and the libconfig file behind it

    Like Redis's standardConfig table, each setting is declared exactly once
    below: its name (a libconfig path), type, default, bounds and whether a
    running daemon can apply a change on SIGHUP. Loading walks the file and
    refuses anything undeclared, checks types and bounds, then applies the
    `-o path=value` overrides with the same checks. All errors are reported
    as "file:line: message" so an operator can jump straight to the line.
*/
#include "sein_config.h"

#include <assert.h>
#include <czmq.h>
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef enum { S_STRING, S_PATH, S_INT, S_BOOL, S_ENUM, S_ENDPOINT } s_type_t;

typedef struct {
    const char *name;
    s_type_t type;
    const char *def;     //  default, as it would be written after -o name=
    int64_t min, max;    //  bounds for S_INT
    const char *choices; //  "a|b|c" for S_ENUM
    bool reloadable;     //  may change on SIGHUP without a restart
} s_setting_t;

//  Durations are milliseconds, sizes bytes. Keep docs/CONFIG.md in step.
static const s_setting_t s_settings[] = {
    {"daemon.log_level", S_ENUM, "info", 0, 0, "notice|info|debug", true},
    {"endpoints.intake", S_ENDPOINT, "tcp://127.0.0.1:5570", 0, 0, NULL, false},
    {"endpoints.publish", S_ENDPOINT, "tcp://127.0.0.1:5571", 0, 0, NULL, false},
    {"endpoints.watch", S_ENDPOINT, "tcp://127.0.0.1:5572", 0, 0, NULL, false},
    {"storage.dir", S_PATH, "/var/lib/sein", 0, 0, NULL, false},
    {"storage.file", S_STRING, "sein.db", 0, 0, NULL, false},
    {"storage.synchronous", S_ENUM, "full", 0, 0, "normal|full|extra", false},
    {"data.areas", S_PATH, "areas.tsv", 0, 0, NULL, true},
    {"data.polygons", S_PATH, "areas.geojson", 0, 0, NULL, true},
    {"data.streets", S_PATH, "streets.tsv", 0, 0, NULL, true},
    {"data.themes", S_PATH, "themes.tsv", 0, 0, NULL, true},
    {"data.theme_rules", S_PATH, "theme-rules.tsv", 0, 0, NULL, true},
    {"data.priority_rules", S_PATH, "priority-rules.tsv", 0, 0, NULL, true},
    {"classify.theme_min_score", S_INT, "150", 1, 10000, NULL, true}, //  1/100 weight
    {"classify.theme_margin", S_INT, "20", 0, 99, NULL, true},        //  percent
    {"limits.description_max", S_INT, "4000", 1, 65536, NULL, true},
    {"limits.message_max", S_INT, "65536", 1024, 16777216, NULL, true},
    {"limits.batch_max", S_INT, "2048", 1, 100000, NULL, true},
    {"limits.intake_hwm", S_INT, "1000", 100, 1000000, NULL, false},
    {"limits.publish_hwm", S_INT, "10000", 100, 1000000, NULL, false},
    {"limits.events_max", S_INT, "1000", 1, 100000, NULL, true},
    {"watch.credit_max", S_INT, "1000", 1, 100000, NULL, true},
    {"watch.heartbeat", S_INT, "1000", 100, 60000, NULL, true},
    {"watch.timeout", S_INT, "10000", 500, 600000, NULL, true},
    {"watch.sessions_max", S_INT, "1000", 1, 100000, NULL, true},
    //  Nearby reports link within this many metres (0: never) and hours.
    {"lifecycle.link_radius", S_INT, "150", 0, 10000, NULL, true},
    {"lifecycle.link_window", S_INT, "72", 0, 8784, NULL, true},
    //  How often the housekeeping timer looks for overdue signals.
    {"lifecycle.overdue_check", S_INT, "5000", 100, 3600000, NULL, true},
    {"client.name", S_STRING, "default", 0, 0, NULL, true},
    {"client.timeout", S_INT, "5000", 1, 3600000, NULL, true},
    //  At most what seind queues for one client by default (intake_hwm +
    //  2 x batch_max = 5096): a larger window would have replies dropped.
    {"client.window", S_INT, "256", 1, 4096, NULL, true},
};
#define S_NSETTINGS (sizeof (s_settings) / sizeof (s_settings[0]))

//  Top-level sections that are lists owned and validated by other classes.
static const char *s_sections[] = {"teams", "routing", "deadlines", NULL};

typedef struct {
    char *str; //  strings, paths and enums
    int64_t num;
    int line; //  where it was set, 0 for default or override
} s_value_t;

struct _sein_config_t {
    char *file;
    char *dir;
    config_t cfg;
    s_value_t values[S_NSETTINGS];
};

static int
s_index (const char *name)
{
    for (size_t index = 0; index < S_NSETTINGS; index++)
        if (strcmp (s_settings[index].name, name) == 0)
            return (int) index;
    return -1;
}

//  True when some declared setting lives under the group PATH.
static bool
s_is_group (const char *path)
{
    size_t len = strlen (path);
    for (size_t index = 0; index < S_NSETTINGS; index++)
        if (strncmp (s_settings[index].name, path, len) == 0 &&
            s_settings[index].name[len] == '.')
            return true;
    return false;
}

static bool
s_in_choices (const char *choices, const char *value)
{
    size_t len = strlen (value);
    const char *cursor = choices;
    while (*cursor) {
        const char *bar = strchr (cursor, '|');
        size_t toklen = bar ? (size_t) (bar - cursor) : strlen (cursor);
        if (toklen == len && memcmp (cursor, value, len) == 0)
            return true;
        cursor += toklen + (bar ? 1 : 0);
    }
    return false;
}

//  True when TEXT looks like an endpoint ZeroMQ can bind or connect: the
//  checks that catch typos, not all of libzmq's (the bind has the last word).
static bool
s_endpoint_valid (const char *text)
{
    const char *address = strstr (text, "://");
    if (!address || address[3] == 0)
        return false;
    size_t length = (size_t) (address - text);
    address += 3;
    if (length == 3 && memcmp (text, "tcp", 3) == 0) {
        const char *colon = strrchr (address, ':');
        if (!colon || colon == address || !colon[1] || strchr (address, ' '))
            return false;
        if (streq (colon + 1, "*"))
            return true;
        size_t digits = strspn (colon + 1, "0123456789");
        return digits == strlen (colon + 1) && digits <= 5 && atoi (colon + 1) <= 65535;
    }
    return (length == 3 && memcmp (text, "ipc", 3) == 0) ||
           (length == 6 && memcmp (text, "inproc", 6) == 0);
}

//  Parse TEXT into the value of setting INDEX. Returns NULL when fine, else
//  a fresh message (without location).
static char *
s_parse (sein_config_t *self, size_t index, const char *text, bool relative_to_file)
{
    const s_setting_t *setting = &s_settings[index];
    s_value_t *value = &self->values[index];
    if (setting->type == S_INT) {
        errno = 0;
        char *end;
        long long number = strtoll (text, &end, 10);
        if (errno || end == text || *end)
            return zsys_sprintf ("%s: '%s' is not an integer", setting->name, text);
        if (number < setting->min || number > setting->max)
            return zsys_sprintf ("%s: %lld is out of range %" PRId64 "..%" PRId64,
                                    setting->name, number, setting->min, setting->max);
        value->num = number;
        return NULL;
    }
    if (setting->type == S_BOOL) {
        if (strcmp (text, "true") == 0)
            value->num = 1;
        else if (strcmp (text, "false") == 0)
            value->num = 0;
        else
            return zsys_sprintf ("%s: '%s' is not true or false", setting->name, text);
        return NULL;
    }
    if (setting->type == S_ENUM && !s_in_choices (setting->choices, text))
        return zsys_sprintf ("%s: '%s' is not one of %s", setting->name, text,
                                setting->choices);
    if (*text == 0)
        return zsys_sprintf ("%s: must not be empty", setting->name);
    if (setting->type == S_ENDPOINT && !s_endpoint_valid (text))
        return zsys_sprintf ("%s: '%s' is not a ZeroMQ endpoint (tcp://HOST:PORT, "
                             "ipc://PATH, inproc://NAME)",
                             setting->name, text);
    char *copy;
    if (setting->type == S_PATH && *text != '/') {
        char cwd[PATH_MAX];
        const char *base = relative_to_file ? self->dir : getcwd (cwd, sizeof cwd);
        copy = zsys_sprintf ("%s/%s", base ? base : ".", text);
    } else
        copy = strdup (text);
    if (!copy)
        return strdup ("out of memory");
    free (value->str);
    value->str = copy;
    return NULL;
}

//  Render a libconfig scalar as the text an override would use.
static char *
s_scalar_text (config_setting_t *setting)
{
    switch (config_setting_type (setting)) {
    case CONFIG_TYPE_STRING:
        return strdup (config_setting_get_string (setting));
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        return zsys_sprintf ("%lld", config_setting_get_int64 (setting));
    case CONFIG_TYPE_BOOL:
        return strdup (config_setting_get_bool (setting) ? "true" : "false");
    default:
        return NULL;
    }
}

static const char *
s_type_name (s_type_t type)
{
    return type == S_INT ? "an integer" : type == S_BOOL ? "true or false" : "a string";
}

static bool
s_type_matches (s_type_t type, int libconfig_type)
{
    if (type == S_INT)
        return libconfig_type == CONFIG_TYPE_INT || libconfig_type == CONFIG_TYPE_INT64;
    if (type == S_BOOL)
        return libconfig_type == CONFIG_TYPE_BOOL;
    return libconfig_type == CONFIG_TYPE_STRING;
}

//  Walk a group, checking every leaf against the table. Returns NULL or a
//  fresh "file:line: message".
static char *
s_walk (sein_config_t *self, config_setting_t *group, const char *prefix)
{
    int count = config_setting_length (group);
    for (int item = 0; item < count; item++) {
        config_setting_t *setting = config_setting_get_elem (group, item);
        const char *name = config_setting_name (setting);
        char *path = *prefix ? zsys_sprintf ("%s.%s", prefix, name) : strdup (name);
        if (!path)
            return strdup ("out of memory");
        int line = config_setting_source_line (setting);
        char *error = NULL;
        bool section = false;
        for (const char **owner = s_sections; *owner && !*prefix; owner++)
            section |= strcmp (*owner, name) == 0;
        if (section)
            ; //  validated by its owner
        else if (config_setting_is_group (setting) && !s_is_group (path))
            //  Caught here, not by its leaves: a misspelt empty section
            //  has none.
            error = zsys_sprintf ("%s:%d: unknown setting '%s'", self->file, line,
                                     path);
        else if (config_setting_is_group (setting))
            error = s_walk (self, setting, path);
        else {
            int index = s_index (path);
            if (index < 0)
                error = zsys_sprintf ("%s:%d: unknown setting '%s'", self->file, line,
                                         path);
            else if (!s_type_matches (s_settings[index].type,
                                      config_setting_type (setting)))
                error = zsys_sprintf ("%s:%d: %s must be %s", self->file, line, path,
                                         s_type_name (s_settings[index].type));
            else {
                char *text = s_scalar_text (setting);
                char *message = text ? s_parse (self, (size_t) index, text, true)
                                     : strdup ("out of memory");
                free (text);
                if (message) {
                    error = zsys_sprintf ("%s:%d: %s", self->file, line, message);
                    free (message);
                } else
                    self->values[index].line = line;
            }
        }
        free (path);
        if (error)
            return error;
    }
    return NULL;
}

sein_config_t *
sein_config_load (const char *file, const char **overrides, int noverrides,
                  char **error_p)
{
    assert (error_p);
    *error_p = NULL;
    sein_config_t *self = calloc (1, sizeof *self);
    char cwd[PATH_MAX];
    char *dircopy = file ? strdup (file) : strdup (getcwd (cwd, sizeof cwd) ? cwd : ".");
    if (!self || !dircopy) {
        free (self);
        free (dircopy);
        *error_p = strdup ("out of memory");
        return NULL;
    }
    self->file = strdup (file ? file : "(built-in defaults)");
    //  Anchor the directory now: seind changes to / when it detaches, and
    //  "./areas.tsv" would then name a different file.
    const char *dir = file ? dirname (dircopy) : dircopy;
    if (*dir == '/' || !getcwd (cwd, sizeof cwd))
        self->dir = strdup (dir);
    else if (strcmp (dir, ".") == 0)
        self->dir = strdup (cwd);
    else
        self->dir = zsys_sprintf ("%s/%s", cwd, dir);
    free (dircopy);
    config_init (&self->cfg);
    char *error = NULL;
    if (!self->file || !self->dir)
        error = strdup ("out of memory");
    for (size_t index = 0; !error && index < S_NSETTINGS; index++)
        error = s_parse (self, index, s_settings[index].def, true);
    if (!error && file && !config_read_file (&self->cfg, file)) {
        if (config_error_type (&self->cfg) == CONFIG_ERR_FILE_IO)
            error = zsys_sprintf ("%s:0: cannot read: %s", file, strerror (errno));
        else
            error = zsys_sprintf (
                "%s:%d: %s",
                config_error_file (&self->cfg) ? config_error_file (&self->cfg) : file,
                config_error_line (&self->cfg), config_error_text (&self->cfg));
    }
    if (!error)
        error = s_walk (self, config_root_setting (&self->cfg), "");
    for (int item = 0; !error && item < noverrides; item++) {
        const char *equals = strchr (overrides[item], '=');
        if (!equals) {
            error = zsys_sprintf ("-o %s: expected path=value", overrides[item]);
            break;
        }
        char *name = strndup (overrides[item], (size_t) (equals - overrides[item]));
        int index = name ? s_index (name) : -1;
        if (index < 0)
            error = zsys_sprintf ("-o %s: unknown setting", overrides[item]);
        else {
            char *message = s_parse (self, (size_t) index, equals + 1, false);
            if (message) {
                error = zsys_sprintf ("-o %s", message);
                free (message);
            }
        }
        free (name);
    }
    //  Three sockets cannot bind one address (the second bind would fail).
    const char *endpoints[] = {"endpoints.intake", "endpoints.publish", "endpoints.watch"};
    for (int one = 0; !error && one < 3; one++)
        for (int other = one + 1; !error && other < 3; other++)
            if (streq (sein_config_str (self, endpoints[one]),
                       sein_config_str (self, endpoints[other])))
                error = zsys_sprintf ("%s:0: %s and %s are both %s", file ? file : "-o",
                                      endpoints[one], endpoints[other],
                                      sein_config_str (self, endpoints[one]));
    if (error) {
        *error_p = error;
        sein_config_destroy (&self);
    }
    return self;
}

void
sein_config_destroy (sein_config_t **self_p)
{
    assert (self_p);
    sein_config_t *self = *self_p;
    if (self) {
        for (size_t index = 0; index < S_NSETTINGS; index++)
            free (self->values[index].str);
        config_destroy (&self->cfg);
        free (self->file);
        free (self->dir);
        free (self);
        *self_p = NULL;
    }
}

static const s_value_t *
s_value (sein_config_t *self, const char *name, bool numeric)
{
    assert (self);
    int index = s_index (name);
    assert (index >= 0);
    assert (numeric == (s_settings[index].type == S_INT ||
                        s_settings[index].type == S_BOOL));
    (void) numeric;
    return &self->values[index];
}

const char *
sein_config_str (sein_config_t *self, const char *name)
{
    return s_value (self, name, false)->str;
}

int64_t
sein_config_int (sein_config_t *self, const char *name)
{
    return s_value (self, name, true)->num;
}

bool
sein_config_bool (sein_config_t *self, const char *name)
{
    return s_value (self, name, true)->num != 0;
}

const char *
sein_config_file (sein_config_t *self)
{
    assert (self);
    return self->file;
}

config_setting_t *
sein_config_root (sein_config_t *self)
{
    assert (self);
    return config_root_setting (&self->cfg);
}

char *
sein_config_unreloadable (sein_config_t *self, sein_config_t *other)
{
    assert (self);
    assert (other);
    for (size_t index = 0; index < S_NSETTINGS; index++) {
        if (s_settings[index].reloadable)
            continue;
        const s_value_t *mine = &self->values[index], *theirs = &other->values[index];
        bool same = mine->str ? strcmp (mine->str, theirs->str) == 0
                              : mine->num == theirs->num;
        if (!same)
            return strdup (s_settings[index].name);
    }
    return NULL;
}

void
sein_config_print (sein_config_t *self, FILE *out)
{
    assert (self);
    for (size_t index = 0; index < S_NSETTINGS; index++) {
        const s_value_t *value = &self->values[index];
        if (value->str)
            fprintf (out, "%s = \"%s\"\n", s_settings[index].name, value->str);
        else if (s_settings[index].type == S_BOOL)
            fprintf (out, "%s = %s\n", s_settings[index].name,
                     value->num ? "true" : "false");
        else
            fprintf (out, "%s = %" PRId64 "\n", s_settings[index].name, value->num);
    }
}
