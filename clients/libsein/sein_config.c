// SPDX-License-Identifier: MPL-2.0
/*  sein_config.c - the loader of sein's settings, and libsein's own table

    Like Redis's standardConfig table, each setting is declared exactly once
    in a table: its name (a libconfig path), type, default, bounds and whether
    a running daemon can apply a change on SIGHUP. This file declares the
    settings libsein and the clients use (endpoints.*, client.*, and the
    store's place for seinctl check); seind declares the rest in
    daemon/sein_settings.c and hands its table to sein_config_load_with. Loading walks the file and refuses anything
    undeclared, checks types and bounds, then applies the `-o path=value`
    overrides with the same checks. All errors are reported as
    "file:line: message" so an operator can jump straight to the line.

    The clients read seind's file, so the groups seind declares settings in
    are known here by name (s_seind_groups): when only this table is loaded,
    what they hold beyond this table's settings is left unread. A client
    refuses a misspelt group or client setting, and leaves a misspelt
    daemon setting to seind --check.
*/
#include "sein_config.h"
#include "sein_alloc.h"

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
#include <sys/stat.h>
#include <unistd.h>

//  Durations are milliseconds, sizes bytes. Keep docs/CONFIG.md in step.
const sein_setting_t sein_config_settings[] = {
    {"endpoints.intake", SEIN_SETTING_ENDPOINT, "tcp://127.0.0.1:5570", 0, 0, NULL, false,
     "the intake ROUTER's bind"},
    {"endpoints.publish", SEIN_SETTING_ENDPOINT, "tcp://127.0.0.1:5571", 0, 0, NULL,
     false, "the broadcast PUB's bind"},
    {"endpoints.watch", SEIN_SETTING_ENDPOINT, "tcp://127.0.0.1:5572", 0, 0, NULL, false,
     "the watch ROUTER's bind"},
    //  seinctl check reads the store; storage.synchronous is seind's alone.
    {"storage.dir", SEIN_SETTING_PATH, "/var/lib/sein", 0, 0, NULL, false, NULL},
    {"storage.file", SEIN_SETTING_STRING, "sein.db", 0, 0, NULL, false, NULL},
    //  Read by the clients only, once when they start; seind ignores them.
    {"client.name", SEIN_SETTING_STRING, "default", 0, 0, NULL, true, NULL},
    {"client.timeout", SEIN_SETTING_INT, "5000", 1, 3600000, NULL, true, NULL},
    //  Half of what seind queues for one client by default (2 x (intake_hwm
    //  + 2 x batch_max) = 10192), all libzmq guarantees: a larger window
    //  would have replies dropped. 2048 keeps a bulk import's batches full.
    {"client.window", SEIN_SETTING_INT, "2048", 1, 4096, NULL, true, NULL},
    //  The client's own certificate in security.keys (docs/SECURITY.md).
    {"client.key", SEIN_SETTING_STRING, "client", 0, 0, NULL, true, NULL},
    //  CURVE on every endpoint: seind and every client must agree, so the
    //  clients read these too. The sockets are made at start: restart-only.
    {"security.enabled", SEIN_SETTING_BOOL, "false", 0, 0, NULL, false,
     "CURVE on the intake, watch and broadcast sockets"},
    {"security.keys", SEIN_SETTING_PATH, "/etc/sein/keys", 0, 0, NULL, false, NULL},
    {"security.server_key", SEIN_SETTING_STRING, "seind", 0, 0, NULL, false, NULL},
    //  The HTTP gateway, sein-http (docs/OPEN311.md). Declared here, not in
    //  a table of the gateway's, so that seind and every client accept the
    //  `http` group of the shared file. Read once when sein-http starts.
    {"http.enabled", SEIN_SETTING_BOOL, "false", 0, 0, NULL, false, NULL},
    {"http.address", SEIN_SETTING_STRING, "127.0.0.1", 0, 0, NULL, false,
     "the gateway's listening address"},
    {"http.port", SEIN_SETTING_INT, "8311", 1, 65535, NULL, false,
     "the gateway's listening port"},
    {"http.dashboard", SEIN_SETTING_BOOL, "true", 0, 0, NULL, false, NULL},
    //  The gateway's own certificate in security.keys.
    {"http.key", SEIN_SETTING_STRING, "http", 0, 0, NULL, false, NULL},
    //  auto: admin without security (what seind gives every client then),
    //  none with it, so that turning security on closes the gateway too.
    {"http.anonymous_role", SEIN_SETTING_ENUM, "auto", 0, 0,
     "auto|none|submitter|watcher|staff|system|admin", false, NULL},
    {"http.connections_max", SEIN_SETTING_INT, "1024", 1, 65536, NULL, false,
     "MHD_OPTION_CONNECTION_LIMIT, one thread each"},
    {"http.credit", SEIN_SETTING_INT, "64", 1, 1000, NULL, false,
     "the credit of each /events watch session"},
    //  Below the gateway's 120 s idle timeout, which would cut a quiet stream.
    {"http.heartbeat", SEIN_SETTING_INT, "15000", 100, 60000, NULL, false, NULL},
    {NULL}};

//  The groups of daemon/sein_settings.c. A client loads only the table
//  above and skips what these hold beyond it unread; sein_config_load_with
//  refuses a table that declares a setting in any other group, so that the
//  clients never refuse a file seind accepts.
static const char *s_seind_groups[] = {"daemon", "storage",  "data",      "classify", "limits",
                                       "watch",  "security", "lifecycle", "alerts",   "retention", NULL};

//  Sections that are lists owned and validated by their readers (seind's
//  router and deadlines, the gateway), in every program.
//  `http.api_keys` is the gateway's (clients/http/sein_http_keys.c).
static const char *s_sections[] = {"teams", "routing", "deadlines", "http.api_keys", NULL};

static char *
s_included (config_setting_t *group, const char *file, const char *dir, const char *prefix);

typedef struct {
    char *str; //  strings, paths and enums
    int64_t num;
    int line; //  where it was set, 0 for default or override
} s_value_t;

struct _sein_config_t {
    char *file;
    char *dir;
    config_t cfg;
    //  The settings of libsein's table, then the program's, and a value
    //  for each.
    const sein_setting_t **settings;
    s_value_t *values;
    size_t count;
    //  Groups skipped unread: seind's, when its table is not loaded.
    const char **foreign;
};

static int
s_index (sein_config_t *self, const char *name)
{
    for (size_t index = 0; index < self->count; index++)
        if (strcmp (self->settings[index]->name, name) == 0)
            return (int) index;
    return -1;
}

//  True when some declared setting lives under the group PATH.
static bool
s_is_group (sein_config_t *self, const char *path)
{
    size_t len = strlen (path);
    for (size_t index = 0; index < self->count; index++)
        if (strncmp (self->settings[index]->name, path, len) == 0 &&
            self->settings[index]->name[len] == '.')
            return true;
    return false;
}

//  True when NAME (a top-level name) is in the NULL-terminated LIST.
static bool
s_listed (const char **list, const char *name)
{
    for (; list && *list; list++)
        if (streq (*list, name))
            return true;
    return false;
}

//  True when PATH (a group or a setting) lies in a group of seind's that
//  a client leaves unread where it declares nothing itself.
static bool
s_foreign (sein_config_t *self, const char *path)
{
    size_t length = strcspn (path, ".");
    char group[32];
    if (length >= sizeof group)
        return false;
    snprintf (group, sizeof group, "%.*s", (int) length, path);
    return s_listed (self->foreign, group);
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
    const sein_setting_t *setting = self->settings[index];
    s_value_t *value = &self->values[index];
    if (setting->type == SEIN_SETTING_INT) {
        errno = 0;
        char *end;
        long long number = strtoll (text, &end, 10);
        if (errno || end == text || *end)
            return sein_sprintf ("%s: '%s' is not an integer", setting->name, text);
        if (number < setting->min || number > setting->max)
            return sein_sprintf ("%s: %lld is out of range %" PRId64 "..%" PRId64,
                                    setting->name, number, setting->min, setting->max);
        value->num = number;
        return NULL;
    }
    if (setting->type == SEIN_SETTING_BOOL) {
        if (strcmp (text, "true") == 0)
            value->num = 1;
        else if (strcmp (text, "false") == 0)
            value->num = 0;
        else
            return sein_sprintf ("%s: '%s' is not true or false", setting->name, text);
        return NULL;
    }
    if (setting->type == SEIN_SETTING_ENUM && !s_in_choices (setting->choices, text))
        return sein_sprintf ("%s: '%s' is not one of %s", setting->name, text,
                                setting->choices);
    //  A setting whose default is empty (data.theme_model: no model) may
    //  be set empty again; any other must name something.
    if (*text == 0 && *setting->def == 0)
        ;
    else if (*text == 0)
        return sein_sprintf ("%s: must not be empty", setting->name);
    if (setting->type == SEIN_SETTING_ENDPOINT && !s_endpoint_valid (text))
        return sein_sprintf ("%s: '%s' is not a ZeroMQ endpoint (tcp://HOST:PORT, "
                             "ipc://PATH, inproc://NAME)",
                             setting->name, text);
    char *copy;
    if (setting->type == SEIN_SETTING_PATH && *text && *text != '/') {
        char cwd[PATH_MAX];
        const char *base = relative_to_file ? self->dir : getcwd (cwd, sizeof cwd);
        copy = sein_sprintf ("%s/%s", base ? base : ".", text);
    } else
        copy = sein_strdup (text);
    free (value->str);
    value->str = copy;
    return NULL;
}

//  Render a libconfig scalar as the text an override would use. SETTING
//  passed s_type_matches: a string, an integer or a boolean.
static char *
s_scalar_text (config_setting_t *setting)
{
    int type = config_setting_type (setting);
    sein_require (type == CONFIG_TYPE_STRING || type == CONFIG_TYPE_INT ||
                  type == CONFIG_TYPE_INT64 || type == CONFIG_TYPE_BOOL);
    if (type == CONFIG_TYPE_STRING)
        return sein_strdup (config_setting_get_string (setting));
    if (type == CONFIG_TYPE_BOOL)
        return sein_strdup (config_setting_get_bool (setting) ? "true" : "false");
    return sein_sprintf ("%lld", config_setting_get_int64 (setting));
}

static const char *
s_type_name (sein_setting_type_t type)
{
    return type == SEIN_SETTING_INT    ? "an integer"
           : type == SEIN_SETTING_BOOL ? "true or false"
                                       : "a string";
}

static bool
s_type_matches (sein_setting_type_t type, int libconfig_type)
{
    if (type == SEIN_SETTING_INT)
        return libconfig_type == CONFIG_TYPE_INT || libconfig_type == CONFIG_TYPE_INT64;
    if (type == SEIN_SETTING_BOOL)
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
        char *path = *prefix ? sein_sprintf ("%s.%s", prefix, name) : sein_strdup (name);
        int line = config_setting_source_line (setting);
        char *error = NULL;
        bool section = s_listed (s_sections, path);
        bool declared = config_setting_is_group (setting) ? s_is_group (self, path)
                                                           : s_index (self, path) >= 0;
        if (section)
            ; //  validated by its owner
        else if (!declared && s_foreign (self, path))
            ; //  seind's, read by seind
        else if (config_setting_is_group (setting) && !declared)
            //  Caught here, not by its leaves: a misspelt empty section
            //  has none.
            error = sein_sprintf ("%s:%d: unknown setting '%s'", self->file, line,
                                     path);
        else if (config_setting_is_group (setting))
            error = s_walk (self, setting, path);
        else {
            int index = s_index (self, path);
            if (index < 0)
                error = sein_sprintf ("%s:%d: unknown setting '%s'", self->file, line,
                                         path);
            else if (!s_type_matches (self->settings[index]->type,
                                      config_setting_type (setting)))
                error = sein_sprintf ("%s:%d: %s must be %s", self->file, line, path,
                                      s_type_name (self->settings[index]->type));
            else {
                char *text = s_scalar_text (setting);
                char *message = s_parse (self, (size_t) index, text, true);
                free (text);
                if (message) {
                    error = sein_sprintf ("%s:%d: %s", self->file, line, message);
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

//  Check that TABLE, a program's own, can sit beside libsein's: each of
//  its settings new and in one of seind's groups, so that a client, which
//  skips those groups, never refuses what the program accepts. Returns NULL
//  or a fresh message: a programmer error, reported like a bad file so that
//  every test and `seind --check` shows it at once.
static char *
s_check_table (const sein_setting_t *table)
{
    for (const sein_setting_t *setting = table; setting->name; setting++) {
        for (const sein_setting_t *mine = sein_config_settings; mine->name; mine++)
            if (streq (mine->name, setting->name))
                return sein_sprintf ("%s is declared twice (sein_config.c)",
                                     setting->name);
        const char *dot = strchr (setting->name, '.');
        bool known = false;
        for (const char **group = s_seind_groups; dot && *group; group++)
            known |= strlen (*group) == (size_t) (dot - setting->name) &&
                     memcmp (*group, setting->name, strlen (*group)) == 0;
        if (!known)
            return sein_sprintf ("%s is in a group the clients do not know "
                                 "(s_seind_groups in sein_config.c)",
                                 setting->name);
    }
    return NULL;
}

//  Declare the settings of libsein's table and TABLE (may be NULL) in SELF.
static char *
s_declare (sein_config_t *self, const sein_setting_t *table)
{
    char *error = table ? s_check_table (table) : NULL;
    if (error)
        return error;
    size_t count = 0;
    for (const sein_setting_t *setting = sein_config_settings; setting->name; setting++)
        count++;
    for (const sein_setting_t *setting = table; setting && setting->name; setting++)
        count++;
    self->settings = sein_calloc (count, sizeof *self->settings);
    self->values = sein_calloc (count, sizeof *self->values);
    for (const sein_setting_t *setting = sein_config_settings; setting->name; setting++)
        self->settings[self->count++] = setting;
    for (const sein_setting_t *setting = table; setting && setting->name; setting++)
        self->settings[self->count++] = setting;
    self->foreign = table ? NULL : s_seind_groups;
    return NULL;
}

sein_config_t *
sein_config_load (const char *file, const char **overrides, int noverrides,
                  char **error_p)
{
    return sein_config_load_with (NULL, file, overrides, noverrides, error_p);
}

sein_config_t *
sein_config_load_with (const sein_setting_t *table, const char *file,
                       const char **overrides, int noverrides, char **error_p)
{
    assert (error_p);
    *error_p = NULL;
    sein_config_t *self = sein_calloc (1, sizeof *self);
    char cwd[PATH_MAX];
    char *dircopy = sein_strdup (file ? file : getcwd (cwd, sizeof cwd) ? cwd : ".");
    self->file = sein_strdup (file ? file : "(built-in defaults)");
    //  Anchor the directory now: seind changes to / when it detaches, and
    //  "./areas.tsv" would then name a different file.
    const char *dir = file ? dirname (dircopy) : dircopy;
    if (*dir == '/' || !getcwd (cwd, sizeof cwd))
        self->dir = sein_strdup (dir);
    else if (strcmp (dir, ".") == 0)
        self->dir = sein_strdup (cwd);
    else
        self->dir = sein_sprintf ("%s/%s", cwd, dir);
    free (dircopy);
    config_init (&self->cfg);
    //  @include "sein.cfg" names a file beside this one, wherever seind
    //  runs (conf/sein-secure.cfg is sein.cfg with security on).
    config_set_include_dir (&self->cfg, self->dir);
    char *error = s_declare (self, table);
    for (size_t index = 0; !error && index < self->count; index++)
        error = s_parse (self, index, self->settings[index]->def, true);
    if (!error && file && !config_read_file (&self->cfg, file)) {
        if (config_error_type (&self->cfg) == CONFIG_ERR_FILE_IO)
            error = sein_sprintf ("%s:0: cannot read: %s", file, strerror (errno));
        else
            error = sein_sprintf (
                "%s:%d: %s",
                config_error_file (&self->cfg) ? config_error_file (&self->cfg) : file,
                config_error_line (&self->cfg), config_error_text (&self->cfg));
    }
    if (!error)
        error = s_walk (self, config_root_setting (&self->cfg), "");
    for (int item = 0; !error && item < noverrides; item++) {
        const char *equals = strchr (overrides[item], '=');
        if (!equals) {
            error = sein_sprintf ("-o %s: expected path=value", overrides[item]);
            break;
        }
        char *name = sein_strndup (overrides[item], (size_t) (equals - overrides[item]));
        int index = s_index (self, name);
        if (index < 0 && s_foreign (self, name))
            ; //  seind's, read by seind
        else if (index < 0)
            error = sein_sprintf ("-o %s: unknown setting", overrides[item]);
        else {
            char *message = s_parse (self, (size_t) index, equals + 1, false);
            if (message) {
                error = sein_sprintf ("-o %s", message);
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
                error = sein_sprintf ("%s:0: %s and %s are both %s", file ? file : "-o",
                                      endpoints[one], endpoints[other],
                                      sein_config_str (self, endpoints[one]));
    //  A file that turns security on names the keys: only its owner may
    //  read it (OpenSMTPD refuses such files too).
    if (!error && file && sein_config_bool (self, "security.enabled") &&
        sein_config_private (file, "configuration file", &error) == 0)
        error = s_included (config_root_setting (&self->cfg), file, self->dir, "");
    if (error) {
        *error_p = error;
        sein_config_destroy (&self);
    }
    return self;
}

//  With security on, the files the top file FILE @includes, as GROUP
//  (PREFIX its path) shows them: none may be writable by group or
//  others (it could turn security off, or point it at other keys), and
//  one that holds `security` settings is private as the top file is.
//  libconfig names an included file as the @include wrote it, relative
//  to DIR, the include directory. A fresh message, or NULL.
static char *
s_included (config_setting_t *group, const char *file, const char *dir, const char *prefix)
{
    char *error = NULL;
    int count = config_setting_length (group);
    for (int item = 0; !error && item < count; item++) {
        config_setting_t *setting = config_setting_get_elem (group, item);
        const char *named = config_setting_source_file (setting);
        const char *name = config_setting_name (setting);
        bool security = streq (*prefix ? prefix : name ? name : "", "security");
        char *source = !named || streq (named, file) ? NULL
                       : *named == '/'               ? sein_strdup (named)
                                                     : sein_sprintf ("%s/%s", dir, named);
        struct stat info;
        if (source) {
            if (stat (source, &info) == 0 && (info.st_mode & (S_IWGRP | S_IWOTH)))
                error = sein_sprintf ("%s: the configuration file @included by %s is mode "
                                      "%04o, writable by group or others: refused; make it "
                                      "0644 or stricter (chmod go-w %s)",
                                      source, file, (unsigned) (info.st_mode & 07777), source);
            else if (security)
                sein_config_private (source, "configuration file with security settings",
                                     &error);
        }
        free (source);
        if (!error && config_setting_is_group (setting) && !*prefix && name)
            error = s_included (setting, file, dir, name);
    }
    return error;
}

int
sein_config_private (const char *path, const char *what, char **error_p)
{
    struct stat info;
    if (stat (path, &info)) {
        *error_p = sein_sprintf ("%s: cannot read the %s: %s", path, what, strerror (errno));
        return -1;
    }
    if (info.st_mode & (S_IRWXG | S_IRWXO)) {
        *error_p = sein_sprintf ("%s: the %s is mode %04o, open to group or others: "
                                 "refused; make it 0600 (chmod 600 %s)",
                                 path, what, (unsigned) (info.st_mode & 07777), path);
        return -1;
    }
    return 0;
}

void
sein_config_destroy (sein_config_t **self_p)
{
    assert (self_p);
    sein_config_t *self = *self_p;
    if (self) {
        for (size_t index = 0; self->values && index < self->count; index++)
            free (self->values[index].str);
        free (self->values);
        free (self->settings);
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
    int index = s_index (self, name);
    //  A programmer error, but not one to leave to assert (compiled out in
    //  release builds): a client asking for seind's settings would read
    //  out of bounds.
    if (index < 0 || numeric != (self->settings[index]->type == SEIN_SETTING_INT ||
                                 self->settings[index]->type == SEIN_SETTING_BOOL)) {
        fprintf (stderr, "sein_config: '%s' is not a declared %s setting\n", name,
                 numeric ? "numeric" : "string");
        abort ();
    }
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
    //  Both loaded with the same table, or the values below are read out
    //  of bounds: checked in release builds too.
    sein_require (self->count == other->count);
    for (size_t index = 0; index < self->count; index++) {
        sein_require (self->settings[index] == other->settings[index]);
        if (self->settings[index]->reloadable)
            continue;
        const s_value_t *mine = &self->values[index], *theirs = &other->values[index];
        bool same = mine->str ? strcmp (mine->str, theirs->str) == 0
                              : mine->num == theirs->num;
        if (!same)
            return sein_strdup (self->settings[index]->name);
    }
    return NULL;
}

void
sein_config_print (sein_config_t *self, FILE *out)
{
    assert (self);
    for (size_t index = 0; index < self->count; index++) {
        const s_value_t *value = &self->values[index];
        const char *name = self->settings[index]->name;
        if (value->str)
            fprintf (out, "%s = \"%s\"\n", name, value->str);
        else if (self->settings[index]->type == SEIN_SETTING_BOOL)
            fprintf (out, "%s = %s\n", name, value->num ? "true" : "false");
        else
            fprintf (out, "%s = %" PRId64 "\n", name, value->num);
    }
}
