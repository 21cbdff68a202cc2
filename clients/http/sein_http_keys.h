// SPDX-License-Identifier: MPL-2.0
/*  sein_http_keys.h - the gateway's API keys, and the role each one has

    sein-http answers HTTP clients that cannot hold a CURVE key (web forms,
    city systems, browsers). Each request names itself with an API key
    (header X-API-Key, or the api_key parameter) listed in the
    configuration's `http.api_keys`:

        http = { api_keys = ( { key = "…"; name = "fixmystreet";
                                role = "submitter"; teams = [ … ]; } ); };

    A key maps to a sein_principal_t with the rights of its role, from
    seind's own role table (daemon/sein_auth.c), so the gateway forwards
    only what seind would let that role do itself. A request without a key
    has `http.anonymous_role` ("none": refused).
*/
#ifndef SEIN_HTTP_KEYS_H_INCLUDED
#define SEIN_HTTP_KEYS_H_INCLUDED

#include "sein_auth.h"
#include "sein_config.h"

typedef struct _sein_http_keys_t sein_http_keys_t;

//  Read `http.api_keys` and `http.anonymous_role` from CONFIG. NULL with
//  *error_p set (fresh, "file:line: message") for a malformed entry: a
//  key shorter than 16 bytes, a repeated key, an unknown role, a name
//  that is not a token; or when the file lists keys and its group or
//  others may read it (mode 0600 is needed).
sein_http_keys_t *
    sein_http_keys_new (sein_config_t *config, char **error_p);

//  Destroy; idempotent, nulls the pointer.
void
    sein_http_keys_destroy (sein_http_keys_t **self_p);

//  Fill PRINCIPAL for API key KEY (NULL: none given). Returns 0, or -1
//  when KEY is not listed, or is NULL and anonymous requests are refused.
//  The anonymous principal is named "open311".
int
    sein_http_keys_lookup (sein_http_keys_t *self, const char *key,
                           sein_principal_t *principal);

//  The number of keys listed.
size_t
    sein_http_keys_size (sein_http_keys_t *self);

#endif
