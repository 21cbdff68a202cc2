// SPDX-License-Identifier: MPL-2.0
/*  sein_keys.c - libsein: the CURVE keys a client connects with

    With security.enabled, a client holds its own czmq certificate (public
    and secret key, NAME.key and NAME.key_secret in security.keys) and
    seind's public one (security.server_key). The secret file must be
    private to its owner (sein_config_private): a key others can read is
    a key others can use. docs/SECURITY.md has the whole setup.
*/
#include "sein.h"

#include "sein_alloc.h"
#include "sein_config.h"

#include <czmq.h>

struct _sein_keys_t {
    zcert_t *own;
    char server[41]; //  seind's public key, Z85
};

//  What zcert_load leaves as the secret key when there is none.
static bool
s_has_secret (zcert_t *cert)
{
    const char *secret = zcert_secret_txt (cert);
    return *secret && !streq (secret, "0000000000000000000000000000000000000000");
}

sein_keys_t *
sein_keys_new (const char *dir, const char *name, const char *server, char **error_p)
{
    assert (dir && name && server && error_p);
    *error_p = NULL;
    char *secret = sein_sprintf ("%s/%s.key_secret", dir, name);
    char *own = sein_sprintf ("%s/%s.key", dir, name);
    char *public = sein_sprintf ("%s/%s.key", dir, server);
    zcert_t *cert = NULL, *theirs = NULL;
    if (access (secret, F_OK))
        *error_p = sein_sprintf ("%s: no such file (client.key is '%s'; make a key with "
                                 "`seinctl keygen %s --role ROLE`)",
                                 secret, name, name);
    else if (sein_config_private (secret, "secret key", error_p) == 0 &&
             (!(cert = zcert_load (own)) || !s_has_secret (cert)))
        *error_p = sein_sprintf ("%s: not a czmq certificate with a secret key", secret);
    else if (!*error_p && !(theirs = zcert_load (public)))
        *error_p = sein_sprintf ("%s: cannot read seind's public key "
                                 "(security.server_key is '%s')",
                                 public, server);
    sein_keys_t *self = NULL;
    if (!*error_p) {
        self = (sein_keys_t *) zmalloc (sizeof *self);
        self->own = cert;
        cert = NULL;
        snprintf (self->server, sizeof self->server, "%s", zcert_public_txt (theirs));
    }
    zcert_destroy (&cert);
    zcert_destroy (&theirs);
    zstr_free (&secret);
    zstr_free (&own);
    zstr_free (&public);
    return self;
}

void
sein_keys_destroy (sein_keys_t **self_p)
{
    assert (self_p);
    sein_keys_t *self = *self_p;
    if (self) {
        zcert_destroy (&self->own);
        free (self);
        *self_p = NULL;
    }
}

sein_keys_t *
sein_keys_dup (const sein_keys_t *self)
{
    if (!self)
        return NULL;
    sein_keys_t *copy = (sein_keys_t *) zmalloc (sizeof *copy);
    copy->own = zcert_dup (self->own);
    memcpy (copy->server, self->server, sizeof copy->server);
    return copy;
}

void
sein_keys_apply (const sein_keys_t *self, void *socket)
{
    if (self) {
        zcert_apply (self->own, socket);
        zsock_set_curve_serverkey (socket, self->server);
    }
}
