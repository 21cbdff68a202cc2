// SPDX-License-Identifier: MPL-2.0
/*  sein_open311.c - Open311 GeoReport v2 in sein's terms (see sein_open311.h) */
#include "sein_open311.h"

#include "sein_alloc.h"
#include "sein_tsv.h"

#include <czmq.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

static char *
s_theme_row (void *arg, char **fields, int nfields, int line)
{
    (void) line;
    json_t *services = (json_t *) arg;
    if (streq (fields[0], "triage"))
        return NULL;
    const char *covers = nfields > 3 ? fields[3] : "";
    //  The spec's service_name is for people: the city's own name (Dutch);
    //  the English one goes to the keywords a client can search, with the
    //  code, and the group says which language the names are in.
    char *keywords = sein_sprintf ("%s, %s", fields[0], fields[2]);
    json_array_append_new (
        services, json_pack ("{s:s,s:s,s:s,s:b,s:s,s:s,s:s}", "service_code", fields[0],
                             "service_name", fields[1], "description",
                             *covers ? covers : fields[2], "metadata", 0, "type",
                             "realtime", "keywords", keywords, "group", "sein"));
    free (keywords);
    return NULL;
}

json_t *
sein_open311_services (const char *path, char **error_p)
{
    json_t *services = json_array ();
    char *error = sein_tsv_load (path, "code\tname_nl\tname_en", 3, 4, s_theme_row, services);
    if (error) {
        *error_p = error;
        json_decref (services);
        return NULL;
    }
    return services;
}

static const char *
s_field (json_t *fields, const char *name)
{
    const char *value = json_string_value (json_object_get (fields, name));
    return value && *value ? value : NULL;
}

//  Parse a coordinate of the form; -1 when it is not a finite number.
static int
s_number (const char *text, double *value)
{
    char *end;
    errno = 0;
    *value = strtod (text, &end);
    return errno || end == text || *end || !isfinite (*value) ? -1 : 0;
}

json_t *
sein_open311_submit (json_t *fields, const char *external_id, const char **field_p,
                     char **error_p)
{
    json_t *body = json_pack ("{s:s,s:s}", "source", "citizen", "channel", "open311");
    //  Absent or empty: seind says `required`, in its own words.
    const char *description = s_field (fields, "description");
    if (description)
        json_object_set_new (body, "description", json_string (description));
    const char *names[] = {"lat", "long"};
    for (int index = 0; index < 2; index++) {
        const char *text = s_field (fields, names[index]);
        double value;
        if (text && s_number (text, &value)) {
            *field_p = names[index];
            *error_p = sein_sprintf ("%s must be a decimal number", names[index]);
            json_decref (body);
            return NULL;
        }
        if (text)
            json_object_set_new (body, names[index], json_real (value));
    }
    const char *address = s_field (fields, "address_string");
    if (address)
        json_object_set_new (body, "address_string", json_string (address));
    const char *code = s_field (fields, "service_code");
    if (code)
        json_object_set_new (body, "theme", json_string (code));
    if (external_id)
        json_object_set_new (body, "external_id", json_string (external_id));
    //  The reporter: personal data, kept by seind for the teams, never in
    //  an event, a GET or a LIST.
    json_t *reporter = json_object ();
    const char *first = s_field (fields, "first_name"), *last = s_field (fields, "last_name");
    if (first || last) {
        char *name = sein_sprintf ("%s%s%s", first ? first : "", first && last ? " " : "",
                                   last ? last : "");
        json_object_set_new (reporter, "name", json_string (name));
        free (name);
    }
    const char *email = s_field (fields, "email"), *phone = s_field (fields, "phone");
    if (email)
        json_object_set_new (reporter, "email", json_string (email));
    if (phone)
        json_object_set_new (reporter, "phone", json_string (phone));
    if (json_object_size (reporter))
        json_object_set (body, "reporter", reporter);
    json_decref (reporter);
    const char *media = s_field (fields, "media_url");
    if (media)
        json_object_set_new (body, "attributes", json_pack ("{s:s}", "media_url", media));
    return body;
}

const char *
sein_open311_status (const char *state)
{
    static const char *open[] = {"new", "acknowledged", "in_progress", "referred", "reopened"};
    for (size_t index = 0; state && index < sizeof open / sizeof open[0]; index++)
        if (streq (state, open[index]))
            return "open";
    return "closed";
}

int
sein_open311_http_status (const char *code)
{
    if (!code)
        return 502;
    if (streq (code, "not-found"))
        return 404;
    if (streq (code, "forbidden"))
        return 403;
    if (streq (code, "busy") || streq (code, "unavailable") || streq (code, "storage"))
        return 503;
    if (streq (code, "internal"))
        return 500;
    return 400;
}

const char *
sein_open311_field (const char *field)
{
    static const char *names[][2] = {{"theme", "service_code"},
                                     {"reporter.email", "email"},
                                     {"reporter.phone", "phone"},
                                     {"reporter.name", "first_name"},
                                     {"attributes.media_url", "media_url"},
                                     {"external_id", "Idempotency-Key"}};
    for (size_t index = 0; field && index < sizeof names / sizeof names[0]; index++)
        if (streq (field, names[index][0]))
            return names[index][1];
    return field;
}

json_t *
sein_open311_error (int status, const char *text)
{
    return json_pack ("[{s:i,s:s}]", "code", status, "description", text ? text : "");
}

//  The value of KEY in SIGNAL, or JSON null: the spec's fields are there
//  in every request, empty when unknown.
static json_t *
s_or_null (json_t *signal, const char *key)
{
    json_t *value = json_object_get (signal, key);
    return value ? json_incref (value) : json_null ();
}

json_t *
sein_open311_request (json_t *signal, json_t *services)
{
    const char *theme = json_string_value (json_object_get (signal, "theme"));
    const char *state = json_string_value (json_object_get (signal, "status"));
    const char *name = theme;
    size_t index;
    json_t *service;
    json_array_foreach (services, index, service)
        if (theme && streq (theme, json_string_value (json_object_get (service, "service_code"))))
            name = json_string_value (json_object_get (service, "service_name"));
    //  The teams working on it: those it was routed to, then the one it
    //  was assigned or referred to, once.
    zlistx_t *teams = zlistx_new ();
    json_t *team;
    json_array_foreach (json_object_get (signal, "teams"), index, team)
        zlistx_add_end (teams, (void *) json_string_value (team));
    const char *assigned = json_string_value (json_object_get (signal, "assigned_team"));
    bool listed = false;
    for (const char *one = (const char *) zlistx_first (teams); one && assigned;
         one = (const char *) zlistx_next (teams))
        listed |= streq (one, assigned);
    if (assigned && !listed)
        zlistx_add_end (teams, (void *) assigned);
    char *agency = sein_strdup ("");
    for (const char *one = (const char *) zlistx_first (teams); one;
         one = (const char *) zlistx_next (teams)) {
        char *longer = sein_sprintf ("%s%s%s", agency, *agency ? ", " : "", one);
        free (agency);
        agency = longer;
    }
    zlistx_destroy (&teams);
    json_t *updated = json_object_get (signal, "updated_at");
    json_t *media = json_object_get (json_object_get (signal, "attributes"), "media_url");
    json_t *request = json_pack (
        "{s:O,s:s,s:s,s:o,s:o,s:o,s:s,s:O,s:O,s:o,s:o,s:o,s:o,s:o,s:o}", "service_request_id",
        json_object_get (signal, "id"), "status", sein_open311_status (state),
        "status_notes", state ? state : "new", "service_name",
        name ? json_string (name) : json_null (), "service_code", s_or_null (signal, "theme"),
        "description", s_or_null (signal, "description"), "agency_responsible", agency,
        "requested_datetime", json_object_get (signal, "received_at"), "updated_datetime",
        updated ? updated : json_object_get (signal, "received_at"), "expected_datetime",
        s_or_null (signal, "due_at"), "address", s_or_null (signal, "address_string"),
        "lat", s_or_null (signal, "lat"), "long", s_or_null (signal, "long"), "media_url",
        media ? json_incref (media) : json_null (), "service_notice", json_null ());
    free (agency);
    return request;
}
