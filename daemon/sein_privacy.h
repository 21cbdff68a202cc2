// SPDX-License-Identifier: MPL-2.0
/*  sein_privacy.h - reporter details: who may read them, erasure

    Reporter details (name, e-mail, phone) live in their own table
    (sein_store.h), read by nothing that publishes. Two intake commands
    reach them (docs/PROTOCOL.md, "Personal data"):

    - REPORTER {"signal": id|seq}: the details of one signal, for roles
      listed in security.reporter_roles and within the key's team scope
      (sein_auth_scope). Every read is recorded in the access log;
    - ERASE {"reporter": EMAIL|PHONE}: admin only; removes the person's
      details everywhere (sein_store_erase) and records that it happened.

    Both travel like a lifecycle change (sein_batch.h): queued in the
    batch, run by the writer inside its transaction, answered once the
    commit is on disk. So the access log row of a read is durable before
    the details leave seind, and a refused or failed batch reveals
    nothing. Neither stores an event: nothing about them is published.
*/
#ifndef SEIN_PRIVACY_H_INCLUDED
#define SEIN_PRIVACY_H_INCLUDED

#include "sein_auth.h"
#include "sein_store.h"
#include "sein_wire.h"

#define SEIN_REPORTER "REPORTER"
#define SEIN_ERASE    "ERASE"

//  The intake commands of this class, with their fields.
extern const sein_wire_command_t sein_privacy_commands[];
extern const size_t sein_privacy_ncommands;

//  True when COMMAND is one of sein_privacy_commands.
bool
    sein_privacy_command (const char *command);

//  Whether PRINCIPAL may send COMMAND given ROLES, the setting
//  security.reporter_roles ("staff,admin"): REPORTER only for a role
//  listed there (without security the principal's role is "anonymous"),
//  ERASE for admins (the command table, sein_auth.c, says so already).
//  Returns 0, or -1 with ERROR set to `forbidden`.
int
    sein_privacy_allowed (const sein_principal_t *principal, const char *command,
                          const char *roles, sein_error_t *error);

//  Run COMMAND with BODY (checked against sein_privacy_commands) for
//  PRINCIPAL at time AT, inside the store's open transaction. On success
//  *ANSWER_P is the reply's body, fresh JSON text. Returns
//  SEIN_LIFECYCLE_STORED, _REFUSED (ERROR set) or _FAILED (the store
//  failed: the batch rolls back).
int
    sein_privacy_run (sein_store_t *store, const char *command, json_t *body,
                      const sein_principal_t *principal, const char *at, char **answer_p,
                      sein_error_t *error);

#endif
