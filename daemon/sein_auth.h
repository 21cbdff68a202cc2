// SPDX-License-Identifier: MPL-2.0
/*  sein_auth.h - who is asking, and what they may do

    With `security.enabled`, every client endpoint of seind is a CURVE
    server and each client holds a czmq certificate (docs/SECURITY.md).
    This class is the one place that says what a principal may do:

    - the role table: each role (submitter, watcher, staff, system, admin)
      and the rights it has;
    - the command table: the right each command needs, on either socket.
      A command missing from it needs SEIN_RIGHT_ADMIN: a new command is
      closed to everyone but admins until a row here opens it.
    - the keyring: the public certificates of security.keys, each a
      principal {name, role, teams} taken from the certificate's metadata.
      Every thread that reads requests owns a keyring, loaded at start and
      on SIGHUP; a key that is no longer in it is revoked, even on a
      connection that was admitted before.
    - the ZAP handler (sein_auth_zap_actor): admits a CURVE connection
      only when its key is in the keyring and, on the broadcast, when its
      role has SEIN_RIGHT_BROADCAST. czmq's zauth cannot tell sockets apart
      and returns no metadata, so seind answers ZAP itself (RFC 27).

    Without security every request is the anonymous principal, with every
    right: sein as it was.

    The principal of each request is filled in by sein_wire_recv, from the
    message's "User-Id" (zmq_msg_gets) looked up in the reader's keyring.
*/
#ifndef SEIN_AUTH_H_INCLUDED
#define SEIN_AUTH_H_INCLUDED

#include "sein_signal.h"

#include <czmq.h>
#include <stdbool.h>

//  What a principal may do: rights, combined in a role.
#define SEIN_RIGHT_SUBMIT    0x01 //  SUBMIT, CLASSIFY
#define SEIN_RIGHT_PING      0x02 //  PING
#define SEIN_RIGHT_WATCH     0x04 //  the watch socket, narrowed to its teams
#define SEIN_RIGHT_QUERY     0x08 //  GET, EVENTS, STATS, HISTORY, LIST
#define SEIN_RIGHT_CHANGE    0x10 //  STATUS, NOTE, ASSIGN, UNLINK
#define SEIN_RIGHT_ALL_TEAMS 0x20 //  not narrowed to its own teams
#define SEIN_RIGHT_BROADCAST 0x40 //  may subscribe to the broadcast
#define SEIN_RIGHT_ADMIN     0x80 //  operations commands, anything unlisted
#define SEIN_RIGHT_METRICS   0x100 //  METRICS: every counter, deliveries per team
#define SEIN_RIGHTS_ALL      0x1ff

//  ZAP domains of the three endpoints: the ZAP handler admits a key to
//  the broadcast only when its role has SEIN_RIGHT_BROADCAST.
#define SEIN_AUTH_DOMAIN_INTAKE  "sein-intake"
#define SEIN_AUTH_DOMAIN_WATCH   "sein-watch"
#define SEIN_AUTH_DOMAIN_PUBLISH "sein-publish"

#define SEIN_AUTH_NAME_MAX  64  //  bytes of a key's name
#define SEIN_AUTH_TEAMS_MAX 256 //  bytes of its teams, as ",a,b,"

//  The authenticated client of one request: its key's name, role, teams
//  (",a,b,", the form events carry; "" for none) and public key (Z85).
//  The anonymous principal (security off) has an empty name and key; an
//  unknown or revoked key an empty name and role, and no rights. Plain
//  data: copied with the request.
typedef struct {
    char name[SEIN_AUTH_NAME_MAX + 1];
    char key[41];
    char role[16];
    char teams[SEIN_AUTH_TEAMS_MAX + 1];
    unsigned rights;
} sein_principal_t;

//  The principal of every request when security is off: role
//  "anonymous", every right.
void
    sein_principal_anonymous (sein_principal_t *principal);

//  Who did something, for the record: the key's NAME when the request
//  came with one (non-empty), whatever the body DECLARED; without
//  security DECLARED, or "anonymous" when it is NULL. The one place that
//  makes an authenticated name win over a declared one (SUBMIT's
//  `submitter`, the `by` of lifecycle changes).
const char *
    sein_auth_who (const char *name, const char *declared);

//  The rights of role NAME, or 0 for a role sein does not know.
unsigned
    sein_auth_role_rights (const char *name);

//  The roles, for messages and `seinctl keygen`: "submitter|watcher|..."
//  (static).
const char *
    sein_auth_roles (void);

//  The right COMMAND needs (SEIN_RIGHT_ADMIN for one not in the table).
unsigned
    sein_auth_command_right (const char *command);

//  True when PRINCIPAL may send COMMAND.
bool
    sein_auth_allows (const sein_principal_t *principal, const char *command);

//  True when PRINCIPAL may see what is routed to TEAMS (",a,b,"): it has
//  SEIN_RIGHT_ALL_TEAMS, or one of TEAMS is one of its own.
bool
    sein_auth_sees (const sein_principal_t *principal, const char *teams);

//  The team scope of staff (docs/SECURITY.md, "Within its teams"), the
//  one check every command about one signal makes, the lifecycle's
//  changes (sein_lifecycle.c, s_find), the queries (sein_query.c) and
//  REPORTER: true when PRINCIPAL may read or change a signal routed to
//  TEAMS (",a,b,") and assigned to ASSIGNED_TEAM (NULL: none). Admins,
//  systems and the anonymous principal (SEIN_RIGHT_ALL_TEAMS) reach every
//  signal; others one routed or assigned to one of their teams.
bool
    sein_auth_scope (const sein_principal_t *principal, const char *teams,
                     const char *assigned_team);

//  Set ERROR to the `forbidden` refusal of a signal outside PRINCIPAL's
//  teams, FIELD naming it in the request. Returns -1.
int
    sein_auth_out_of_scope (const sein_principal_t *principal, const char *field,
                            sein_error_t *error);

//  True when ROLE is one of ROLES, a list "a,b" (spaces allowed): which
//  roles may read reporter details (security.reporter_roles).
bool
    sein_auth_role_listed (const char *role, const char *roles);

//  True when TEAM (a plain name) is one of PRINCIPAL's teams.
bool
    sein_auth_has_team (const sein_principal_t *principal, const char *team);

//  ---------------------------------------------------------------------
//  Keyring

typedef struct _sein_keyring_t sein_keyring_t;

//  Load the public certificates of directory DIR. A certificate without
//  a valid `role` in its metadata is skipped with a warning. NULL with
//  *error_p set (fresh) when DIR cannot be read.
sein_keyring_t *
    sein_keyring_new (const char *dir, char **error_p);

//  Destroy; idempotent, nulls the pointer.
void
    sein_keyring_destroy (sein_keyring_t **self_p);

//  Fill PRINCIPAL for the Z85 public key KEY. Returns 0, or -1 when the
//  key is not in the keyring (unknown or revoked).
int
    sein_keyring_lookup (sein_keyring_t *self, const char *key,
                         sein_principal_t *principal);

//  The number of keys loaded.
size_t
    sein_keyring_size (sein_keyring_t *self);

//  ---------------------------------------------------------------------
//  Server side of CURVE

//  Load seind's own certificate NAME from DIR (DIR/NAME.key_secret, which
//  must be private to its owner). NULL with *error_p set (fresh) otherwise.
zcert_t *
    sein_auth_server_cert (const char *dir, const char *name, char **error_p);

//  Make SOCKET (not yet bound) a CURVE server with CERT, authenticated by
//  the ZAP handler in DOMAIN.
void
    sein_auth_apply (zcert_t *cert, zsock_t *socket, const char *domain);

//  The ZAP handler (RFC 27), an actor: zactor_new (sein_auth_zap_actor,
//  (void *) keys_dir). It answers "OK" or "ERROR message" first, then
//  takes "KEYS" on its pipe (reload the keyring from the same directory;
//  answers "OK" or "ERROR message", the old keyring staying) and $TERM.
//  Start it before any CURVE socket binds.
void
    sein_auth_zap_actor (zsock_t *pipe, void *args);

#endif
