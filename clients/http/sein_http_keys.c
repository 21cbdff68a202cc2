// SPDX-License-Identifier: MPL-2.0
/*  sein_http_keys.c - the gateway's API keys (see sein_http_keys.h) */
#include "sein_http_keys.h"

#include "sein_alloc.h"

#include <czmq.h>
#include <unistd.h>

#define S_KEY_MIN 16

struct _sein_http_keys_t {
    zhashx_t *keys; //  API key -> sein_principal_t
    bool anonymous;
    sein_principal_t nobody; //  who a request without a key is
};

//  True when TEXT is a token as seind takes a `submitter`: 1..63 bytes
//  of lowercase letters, digits and -_.
static bool
s_token (const char *text)
{
    size_t len = strlen (text);
    return len && len < 64 && strspn (text, "abcdefghijklmnopqrstuvwxyz0123456789-_.") == len;
}

//  A principal of ROLE named NAME with TEAMS (a libconfig array, may be
//  NULL). Returns NULL or a fresh message.
static char *
s_principal (sein_principal_t *principal, const char *name, const char *role,
             config_setting_t *teams)
{
    memset (principal, 0, sizeof *principal);
    if (!role || !sein_auth_role_rights (role))
        return sein_sprintf ("role must be one of submitter|watcher|staff|system|admin");
    if (!name || !s_token (name))
        return sein_sprintf ("name must be a token (a-z, 0-9, -_., at most 63 bytes)");
    snprintf (principal->name, sizeof principal->name, "%s", name);
    snprintf (principal->role, sizeof principal->role, "%s", role);
    principal->rights = sein_auth_role_rights (role);
    for (int index = 0; teams && index < config_setting_length (teams); index++) {
        const char *team = config_setting_get_string_elem (teams, index);
        size_t used = strlen (principal->teams);
        if (!team || !s_token (team) ||
            used + strlen (team) + 2 + (used ? 0 : 1) > SEIN_AUTH_TEAMS_MAX)
            return sein_sprintf ("teams must be team names, at most %d bytes in all",
                                 SEIN_AUTH_TEAMS_MAX - 2);
        snprintf (principal->teams + used, sizeof principal->teams - used, "%s%s,",
                  used ? "" : ",", team);
    }
    return NULL;
}

sein_http_keys_t *
sein_http_keys_new (sein_config_t *config, char **error_p)
{
    sein_http_keys_t *self = (sein_http_keys_t *) sein_calloc (1, sizeof *self);
    self->keys = zhashx_new ();
    zhashx_set_destructor (self->keys, (zhashx_destructor_fn *) zstr_free);
    const char *role = sein_config_str (config, "http.anonymous_role");
    if (streq (role, "auto"))
        role = sein_config_bool (config, "security.enabled") ? "none" : "admin";
    self->anonymous = !streq (role, "none");
    if (self->anonymous)
        s_principal (&self->nobody, "open311", role, NULL);
    config_setting_t *list = config_setting_lookup (sein_config_root (config), "http.api_keys");
    char *error = NULL;
    if (list && !config_setting_is_list (list) && !config_setting_is_array (list))
        error = sein_sprintf ("http.api_keys must be a list ( { key, name, role, teams } )");
    for (int index = 0; !error && list && index < config_setting_length (list); index++) {
        config_setting_t *entry = config_setting_get_elem (list, index);
        const char *key = NULL, *name = NULL, *entry_role = NULL;
        config_setting_t *teams = config_setting_get_member (entry, "teams");
        if (!config_setting_is_group (entry) ||
            !config_setting_lookup_string (entry, "key", &key) || strlen (key) < S_KEY_MIN)
            error = sein_sprintf ("an API key needs key (at least %d bytes)", S_KEY_MIN);
        else if (zhashx_lookup (self->keys, key))
            error = sein_sprintf ("an API key is listed twice");
        else if (teams && !config_setting_is_array (teams))
            error = sein_sprintf ("teams must be an array of team names");
        else {
            config_setting_lookup_string (entry, "name", &name);
            config_setting_lookup_string (entry, "role", &entry_role);
            sein_principal_t principal;
            error = s_principal (&principal, name, entry_role, teams);
            if (!error) {
                void *copy = sein_malloc (sizeof principal);
                memcpy (copy, &principal, sizeof principal);
                zhashx_insert (self->keys, key, copy);
            }
        }
        if (error) {
            char *located = sein_sprintf ("%s:%d: http.api_keys: %s", sein_config_file (config),
                                          config_setting_source_line (entry), error);
            free (error);
            error = located;
        }
    }
    //  The keys are secrets: like a file with security on, one that lists
    //  them may be read by its owner only (its @includes are not checked).
    if (!error && zhashx_size (self->keys) && access (sein_config_file (config), F_OK) == 0)
        sein_config_private (sein_config_file (config), "configuration file (http.api_keys)",
                             &error);
    if (error) {
        *error_p = error;
        sein_http_keys_destroy (&self);
    }
    return self;
}

void
sein_http_keys_destroy (sein_http_keys_t **self_p)
{
    sein_http_keys_t *self = *self_p;
    if (self) {
        zhashx_destroy (&self->keys);
        free (self);
        *self_p = NULL;
    }
}

int
sein_http_keys_lookup (sein_http_keys_t *self, const char *key, sein_principal_t *principal)
{
    if (!key || !*key) {
        if (!self->anonymous)
            return -1;
        *principal = self->nobody;
        return 0;
    }
    sein_principal_t *found = (sein_principal_t *) zhashx_lookup (self->keys, key);
    if (!found)
        return -1;
    *principal = *found;
    return 0;
}

size_t
sein_http_keys_size (sein_http_keys_t *self)
{
    return zhashx_size (self->keys);
}
