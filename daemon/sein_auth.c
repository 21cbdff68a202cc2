// SPDX-License-Identifier: MPL-2.0
/*  sein_auth.c - who is asking, and what they may do (see sein_auth.h)

    The two tables below are the whole authorisation policy; everything
    else (the wire reader, the watch actor, the ZAP handler) asks them.
*/
#include "sein_auth.h"

#include "sein.h"
#include "sein_alloc.h"
#include "sein_config.h"
#include "sein_log.h"

//  The roles. A watcher's and staff's view is narrowed to their teams;
//  `system` is for trusted systems (a GIS, an archive) that take the
//  broadcast or every team's stream; `server` is seind's own key, which
//  no client should hold.
static const struct {
    const char *name;
    unsigned rights;
} s_roles[] = {
    {"submitter", SEIN_RIGHT_SUBMIT | SEIN_RIGHT_PING},
    {"watcher", SEIN_RIGHT_WATCH | SEIN_RIGHT_PING | SEIN_RIGHT_METRICS},
    {"staff", SEIN_RIGHT_QUERY | SEIN_RIGHT_CHANGE | SEIN_RIGHT_WATCH | SEIN_RIGHT_PING |
                  SEIN_RIGHT_METRICS},
    {"system", SEIN_RIGHT_BROADCAST | SEIN_RIGHT_WATCH | SEIN_RIGHT_ALL_TEAMS |
                   SEIN_RIGHT_PING},
    {"admin", SEIN_RIGHTS_ALL},
    {"server", 0},
};

//  The right each command needs. Not listed: SEIN_RIGHT_ADMIN.
static const struct {
    const char *command;
    unsigned right;
} s_commands[] = {
    {SEIN_SUBMIT, SEIN_RIGHT_SUBMIT},   {SEIN_CLASSIFY, SEIN_RIGHT_SUBMIT},
    {SEIN_PING, SEIN_RIGHT_PING},       {SEIN_METRICS, SEIN_RIGHT_METRICS},
    {SEIN_GET, SEIN_RIGHT_QUERY},
    {SEIN_EVENTS, SEIN_RIGHT_QUERY},    {SEIN_STATS, SEIN_RIGHT_QUERY},
    {"HISTORY", SEIN_RIGHT_QUERY},      {"LIST", SEIN_RIGHT_QUERY},
    {"STATUS", SEIN_RIGHT_CHANGE},      {"NOTE", SEIN_RIGHT_CHANGE},
    {"ASSIGN", SEIN_RIGHT_CHANGE},      {"UNLINK", SEIN_RIGHT_CHANGE},
    {"RECLASSIFY", SEIN_RIGHT_CHANGE},
    {SEIN_WATCH, SEIN_RIGHT_WATCH},     {SEIN_CREDIT, SEIN_RIGHT_WATCH},
    {SEIN_HEARTBEAT, SEIN_RIGHT_WATCH}, {SEIN_CLOSE, SEIN_RIGHT_WATCH},
    //  Reporter details: any known key may ask; security.reporter_roles
    //  decides (sein_privacy_allowed). ERASE is not listed: admins only.
    {"REPORTER", SEIN_RIGHT_PING},
};

void
sein_principal_anonymous (sein_principal_t *principal)
{
    memset (principal, 0, sizeof *principal);
    strcpy (principal->role, "anonymous");
    principal->rights = SEIN_RIGHTS_ALL;
}

const char *
sein_auth_who (const char *name, const char *declared)
{
    return name && *name ? name : declared ? declared : "anonymous";
}

unsigned
sein_auth_role_rights (const char *name)
{
    for (size_t index = 0; name && index < sizeof s_roles / sizeof s_roles[0]; index++)
        if (streq (s_roles[index].name, name))
            return s_roles[index].rights;
    return 0;
}

static bool
s_role_known (const char *name)
{
    for (size_t index = 0; name && index < sizeof s_roles / sizeof s_roles[0]; index++)
        if (streq (s_roles[index].name, name))
            return true;
    return false;
}

const char *
sein_auth_roles (void)
{
    return "submitter|watcher|staff|system|admin|server";
}

unsigned
sein_auth_command_right (const char *command)
{
    for (size_t index = 0; index < sizeof s_commands / sizeof s_commands[0]; index++)
        if (streq (s_commands[index].command, command))
            return s_commands[index].right;
    return SEIN_RIGHT_ADMIN;
}

bool
sein_auth_allows (const sein_principal_t *principal, const char *command)
{
    unsigned right = sein_auth_command_right (command);
    return (principal->rights & right) == right;
}

bool
sein_auth_has_team (const sein_principal_t *principal, const char *team)
{
    size_t len = strlen (team);
    for (const char *hit = strstr (principal->teams, team); len && hit;
         hit = strstr (hit + 1, team))
        if (hit > principal->teams && hit[-1] == ',' && hit[len] == ',')
            return true;
    return false;
}

bool
sein_auth_sees (const sein_principal_t *principal, const char *teams)
{
    if (principal->rights & SEIN_RIGHT_ALL_TEAMS)
        return true;
    //  Each of ",a,b," in turn.
    for (const char *at = teams; at && *at == ',' && at[1];) {
        const char *end = strchr (at + 1, ',');
        if (!end)
            break;
        char team[SEIN_AUTH_NAME_MAX + 1];
        size_t len = (size_t) (end - at - 1);
        if (len && len < sizeof team) {
            memcpy (team, at + 1, len);
            team[len] = 0;
            if (sein_auth_has_team (principal, team))
                return true;
        }
        at = end;
    }
    return false;
}

bool
sein_auth_scope (const sein_principal_t *principal, const char *teams,
                 const char *assigned_team)
{
    return sein_auth_sees (principal, teams) ||
           (assigned_team && *assigned_team && sein_auth_has_team (principal, assigned_team));
}

int
sein_auth_out_of_scope (const sein_principal_t *principal, const char *field,
                        sein_error_t *error)
{
    return sein_error_set (error, "forbidden", field,
                           "the key '%s' (role %s) may act only on signals of its teams (%s)",
                           principal->name, principal->role,
                           *principal->teams ? principal->teams : "none");
}

bool
sein_auth_role_listed (const char *role, const char *roles)
{
    size_t len = strlen (role);
    for (const char *at = roles; len && at && *at;) {
        at += strspn (at, " ,");
        size_t word = strcspn (at, " ,");
        if (word == len && memcmp (at, role, len) == 0)
            return true;
        at += word;
    }
    return false;
}

//  ---------------------------------------------------------------------
//  Keyring

struct _sein_keyring_t {
    zhashx_t *keys; //  Z85 public key -> sein_principal_t
};

//  Fill PRINCIPAL from CERT's metadata. Returns 0, or -1 with a warning
//  when the metadata does not make a principal.
static int
s_principal_from (zcert_t *cert, sein_principal_t *principal)
{
    const char *name = zcert_meta (cert, "name");
    const char *role = zcert_meta (cert, "role");
    const char *teams = zcert_meta (cert, "teams");
    memset (principal, 0, sizeof *principal);
    if (!name || !*name || strlen (name) > SEIN_AUTH_NAME_MAX || !s_role_known (role) ||
        (teams && strlen (teams) + 2 > SEIN_AUTH_TEAMS_MAX)) {
        zsys_warning ("security.keys: certificate %s skipped: its metadata needs a name "
                      "(at most %d bytes), a role (%s) and at most %d bytes of teams",
                      zcert_public_txt (cert), SEIN_AUTH_NAME_MAX, sein_auth_roles (),
                      SEIN_AUTH_TEAMS_MAX - 2);
        return -1;
    }
    strcpy (principal->name, name);
    strcpy (principal->role, role);
    principal->rights = sein_auth_role_rights (role);
    if (teams && *teams)
        snprintf (principal->teams, sizeof principal->teams, ",%s,", teams);
    return 0;
}

sein_keyring_t *
sein_keyring_new (const char *dir, char **error_p)
{
    zdir_t *listing = zdir_new (dir, NULL);
    if (!listing) {
        *error_p = sein_sprintf ("security.keys: cannot read the directory %s", dir);
        return NULL;
    }
    sein_keyring_t *self = (sein_keyring_t *) sein_calloc (1, sizeof *self);
    self->keys = zhashx_new ();
    zhashx_set_destructor (self->keys, (zhashx_destructor_fn *) zstr_free);
    //  What zcertstore reads (every certificate but the *_secret files),
    //  without its draft API, and a copied certificate replaces the first
    //  rather than failing zcertstore's assertion.
    zfile_t **files = zdir_flatten (listing);
    for (size_t index = 0; files[index]; index++) {
        const char *path = zfile_filename (files[index], NULL);
        size_t len = strlen (path);
        if (!zfile_is_regular (files[index]) ||
            (len > 7 && streq (path + len - 7, "_secret")))
            continue;
        zcert_t *cert = zcert_load (path);
        sein_principal_t principal;
        if (cert && s_principal_from (cert, &principal) == 0) {
            void *copy = sein_malloc (sizeof principal);
            memcpy (copy, &principal, sizeof principal);
            zhashx_update (self->keys, zcert_public_txt (cert), copy);
        }
        zcert_destroy (&cert);
    }
    zdir_flatten_free (&files);
    zdir_destroy (&listing);
    return self;
}

void
sein_keyring_destroy (sein_keyring_t **self_p)
{
    sein_keyring_t *self = *self_p;
    if (self) {
        zhashx_destroy (&self->keys);
        free (self);
        *self_p = NULL;
    }
}

int
sein_keyring_lookup (sein_keyring_t *self, const char *key, sein_principal_t *principal)
{
    sein_principal_t *found = key ? (sein_principal_t *) zhashx_lookup (self->keys, key) : NULL;
    if (!found)
        return -1;
    *principal = *found;
    snprintf (principal->key, sizeof principal->key, "%s", key);
    return 0;
}

size_t
sein_keyring_size (sein_keyring_t *self)
{
    return zhashx_size (self->keys);
}

//  ---------------------------------------------------------------------
//  Server side of CURVE

zcert_t *
sein_auth_server_cert (const char *dir, const char *name, char **error_p)
{
    char *path = sein_sprintf ("%s/%s.key_secret", dir, name);
    zcert_t *cert = NULL;
    if (access (path, F_OK))
        *error_p = sein_sprintf ("%s: no such file: make the server's key with "
                                 "`seinctl keygen %s --role server`",
                                 path, name);
    else if (sein_config_private (path, "secret key", error_p) == 0) {
        //  zcert_load reads NAME.key and then NAME.key_secret over it.
        char *base = sein_sprintf ("%s/%s.key", dir, name);
        cert = zcert_load (base);
        zstr_free (&base);
        if (!cert || !*zcert_secret_txt (cert) ||
            streq (zcert_secret_txt (cert), "0000000000000000000000000000000000000000"))
            *error_p = sein_sprintf ("%s: not a czmq certificate with a secret key", path);
        if (*error_p)
            zcert_destroy (&cert);
    }
    zstr_free (&path);
    return cert;
}

void
sein_auth_apply (zcert_t *cert, zsock_t *socket, const char *domain)
{
    zcert_apply (cert, socket);
    zsock_set_curve_server (socket, 1);
    zsock_set_zap_domain (socket, domain);
#ifdef ZMQ_ZAP_ENFORCE_DOMAIN
    //  Without a ZAP handler libzmq would admit any CURVE key; seind
    //  starts its handler first, and with this a missing one refuses all.
    int enforce = 1;
    zmq_setsockopt (zsock_resolve (socket), ZMQ_ZAP_ENFORCE_DOMAIN, &enforce, sizeof enforce);
#endif
}

//  ---------------------------------------------------------------------
//  The ZAP handler

typedef struct {
    zsock_t *pipe;
    zsock_t *handler;
    char *dir;
    sein_keyring_t *keyring;
} s_zap_t;

//  Answer one ZAP request (RFC 27): version, request id, domain, address,
//  routing id, mechanism, and for CURVE the client's 32-byte key. The
//  reply's user id is the key in Z85, which libzmq gives every message of
//  the connection as its "User-Id" property.
static void
s_zap_answer (s_zap_t *self)
{
    zmsg_t *request = zmsg_recv (self->handler);
    if (!request)
        return;
    char *version = zmsg_popstr (request), *sequence = zmsg_popstr (request),
         *domain = zmsg_popstr (request), *address = zmsg_popstr (request),
         *identity = zmsg_popstr (request), *mechanism = zmsg_popstr (request);
    zframe_t *key = zmsg_pop (request);
    char z85[41] = "";
    const char *status = "400", *text = "No access";
    sein_principal_t principal;
    if (mechanism && streq (mechanism, "CURVE") && key && zframe_size (key) == 32) {
        zmq_z85_encode (z85, zframe_data (key), 32);
        bool publish = domain && streq (domain, SEIN_AUTH_DOMAIN_PUBLISH);
        bool ours = domain && (publish || streq (domain, SEIN_AUTH_DOMAIN_INTAKE) ||
                               streq (domain, SEIN_AUTH_DOMAIN_WATCH));
        if (!ours)
            text = "Unknown domain";
        else if (sein_keyring_lookup (self->keyring, z85, &principal))
            text = "Unknown key";
        else if (publish && !(principal.rights & SEIN_RIGHT_BROADCAST))
            text = "Role may not subscribe to the broadcast";
        else
            status = "200", text = "OK";
        sein_debug ("zap: %s %s key %s from %s: %s", domain, mechanism, z85,
                    address ? address : "?", text);
    }
    zstr_sendx (self->handler, version ? version : "1.0", sequence ? sequence : "", status,
                text, streq (status, "200") ? z85 : "", "", NULL);
    zframe_destroy (&key);
    zstr_free (&version);
    zstr_free (&sequence);
    zstr_free (&domain);
    zstr_free (&address);
    zstr_free (&identity);
    zstr_free (&mechanism);
    zmsg_destroy (&request);
}

void
sein_auth_zap_actor (zsock_t *pipe, void *args)
{
    s_zap_t *self = (s_zap_t *) sein_calloc (1, sizeof *self);
    self->pipe = pipe;
    self->dir = sein_strdup ((const char *) args);
    char *error = NULL;
    self->keyring = sein_keyring_new (self->dir, &error);
    if (!error) {
        self->handler = zsock_new (ZMQ_REP);
        if (zsock_bind (self->handler, "inproc://zeromq.zap.01") < 0)
            error = sein_sprintf ("cannot bind the ZAP handler: %s",
                                  zmq_strerror (zmq_errno ()));
    }
    zsock_signal (pipe, 0);
    if (error)
        zstr_sendf (pipe, "ERROR %s", error);
    else
        zstr_send (pipe, "OK");
    zpoller_t *poller = zpoller_new (pipe, error ? NULL : self->handler, NULL);
    while (true) {
        void *which = zpoller_wait (poller, -1);
        if (which == self->handler)
            s_zap_answer (self);
        else if (which == pipe) {
            char *command = zstr_recv (pipe);
            bool term = !command || streq (command, "$TERM");
            if (command && streq (command, "KEYS")) {
                char *failure = NULL;
                sein_keyring_t *keyring = sein_keyring_new (self->dir, &failure);
                if (keyring) {
                    sein_keyring_destroy (&self->keyring);
                    self->keyring = keyring;
                    zstr_send (pipe, "OK");
                } else
                    zstr_sendf (pipe, "ERROR %s", failure);
                zstr_free (&failure);
            }
            zstr_free (&command);
            if (term)
                break;
        } else
            break; //  interrupted
    }
    zpoller_destroy (&poller);
    zsock_destroy (&self->handler);
    sein_keyring_destroy (&self->keyring);
    zstr_free (&self->dir);
    zstr_free (&error);
    free (self);
}
