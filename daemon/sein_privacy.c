// SPDX-License-Identifier: MPL-2.0
/*  sein_privacy.c - reporter details: who may read them, erasure

    See sein_privacy.h. The policy is here; the SQL in sein_store.c.
*/
#include "sein_privacy.h"

#include "sein.h"
#include "sein_alloc.h"
#include "sein_lifecycle.h"

//  An e-mail address or phone number to erase: at most this long.
#define S_CONTACT_MAX 256
//  A phone number has at least this many digits: fewer could match the
//  digits of unrelated text.
#define S_PHONE_DIGITS 6

static const char *const s_reporter_fields[] = {"signal", NULL};
static const char *const s_erase_fields[] = {"reporter", NULL};

const sein_wire_command_t sein_privacy_commands[] = {
    {SEIN_REPORTER, s_reporter_fields, false},
    {SEIN_ERASE, s_erase_fields, false},
};
const size_t sein_privacy_ncommands =
    sizeof sein_privacy_commands / sizeof sein_privacy_commands[0];

bool sein_privacy_command (const char *command)
{
    for (size_t index = 0; command && index < sein_privacy_ncommands; index++)
        if (streq (sein_privacy_commands[index].name, command))
            return true;
    return false;
}

int sein_privacy_allowed (const sein_principal_t *principal, const char *command,
                          const char *roles, sein_error_t *error)
{
    if (streq (command, SEIN_REPORTER) && !sein_auth_role_listed (principal->role, roles))
        return sein_error_set (error, "forbidden", NULL,
                               "reporter details are for the roles %s "
                               "(security.reporter_roles), not %s%s%s",
                               *roles ? roles : "(none)", principal->role,
                               *principal->name ? " of key " : "", principal->name);
    return 0;
}

static int s_reveal (sein_store_t *store, json_t *body, const sein_principal_t *principal,
                     const char *at, char **answer_p, sein_error_t *error)
{
    json_t *value = sein_wire_field (body, "signal");
    if (!value) {
        sein_error_set (error, "required", "signal",
                        "signal (a signal's id or seq) is required");
        return SEIN_LIFECYCLE_REFUSED;
    }
    if (!(json_is_string (value) ||
          (json_is_integer (value) && json_integer_value (value) > 0))) {
        sein_error_set (error, "type", "signal",
                        "signal must be a signal's id (string) or seq (integer >= 1)");
        return SEIN_LIFECYCLE_REFUSED;
    }
    sein_store_row_t row;
    int found = sein_store_find_signal (store, json_string_value (value),
                                        json_integer_value (value), &row);
    if (found < 0)
        return SEIN_LIFECYCLE_FAILED;
    if (found == 0) {
        sein_error_set (error, "not-found", "signal", "no such signal");
        return SEIN_LIFECYCLE_REFUSED;
    }
    if (!sein_auth_scope (principal, row.teams, row.assigned_team)) {
        sein_auth_out_of_scope (principal, "signal", error);
        return SEIN_LIFECYCLE_REFUSED;
    }
    int64_t seq = row.seq;
    char id[64];
    snprintf (id, sizeof id, "%s", row.id);
    json_t *reporter = sein_store_reporter (store, seq);
    if (!reporter ||
        sein_store_log_access (store, at, sein_auth_who (principal->name, NULL), seq,
                               "reporter")) {
        json_decref (reporter);
        return SEIN_LIFECYCLE_FAILED;
    }
    json_t *answer = json_pack ("{s:s,s:{s:s,s:I},s:o}", "status", "ok", "signal", "id",
                                id, "seq", (json_int_t)seq, "reporter", reporter);
    *answer_p = json_dumps (answer, JSON_COMPACT);
    json_decref (answer);
    return SEIN_LIFECYCLE_STORED;
}

//  0 when CONTACT is an e-mail address or a phone number sein can erase
//  safely inside JSON text (sein_store_scrub); else -1 with ERROR set.
static int s_contact (const char *contact, sein_error_t *error)
{
    size_t digits = 0, len = strlen (contact);
    for (const char *at = contact; *at; at++) {
        if (*at == '"' || *at == '\\' || (unsigned char)*at < 0x20)
            return sein_error_set (error, "value", "reporter",
                                   "reporter must be an e-mail address or phone number, "
                                   "without quotes, backslashes or control characters");
        digits += *at >= '0' && *at <= '9';
    }
    if (len > S_CONTACT_MAX)
        return sein_error_set (error, "too-long", "reporter",
                               "reporter is at most %d bytes", S_CONTACT_MAX);
    bool email = strchr (contact, '@') && len >= 3;
    if (!email && digits < S_PHONE_DIGITS)
        return sein_error_set (error, "value", "reporter",
                               "reporter must be an e-mail address (with @) or a phone "
                               "number (at least %d digits)",
                               S_PHONE_DIGITS);
    return 0;
}

static int s_erase (sein_store_t *store, json_t *body, const sein_principal_t *principal,
                    const char *at, char **answer_p, sein_error_t *error)
{
    json_t *value = sein_wire_field (body, "reporter");
    if (!value) {
        sein_error_set (error, "required", "reporter",
                        "reporter (an e-mail address or phone number) is required");
        return SEIN_LIFECYCLE_REFUSED;
    }
    if (!json_is_string (value)) {
        sein_error_set (error, "type", "reporter", "reporter must be a string");
        return SEIN_LIFECYCLE_REFUSED;
    }
    if (s_contact (json_string_value (value), error))
        return SEIN_LIFECYCLE_REFUSED;
    const char *who = sein_auth_who (principal->name, NULL);
    int64_t signals = sein_store_erase (store, json_string_value (value), at, who);
    if (signals < 0)
        return SEIN_LIFECYCLE_FAILED;
    //  The log says that an erasure happened, never whose.
    zsys_notice ("erasure by %s: %lld signals", who, (long long)signals);
    json_t *answer =
        json_pack ("{s:s,s:I}", "status", "ok", "signals", (json_int_t)signals);
    *answer_p = json_dumps (answer, JSON_COMPACT);
    json_decref (answer);
    return SEIN_LIFECYCLE_STORED;
}

int sein_privacy_run (sein_store_t *store, const char *command, json_t *body,
                      const sein_principal_t *principal, const char *at, char **answer_p,
                      sein_error_t *error)
{
    assert (store && command && body && principal && at && answer_p);
    *answer_p = NULL;
    return streq (command, SEIN_REPORTER)
               ? s_reveal (store, body, principal, at, answer_p, error)
               : s_erase (store, body, principal, at, answer_p, error);
}
