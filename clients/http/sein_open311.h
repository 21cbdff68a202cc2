// SPDX-License-Identifier: MPL-2.0
/*  sein_open311.h - Open311 GeoReport v2 in sein's terms

    The mapping between the spec's JSON and form fields and sein's
    protocol (docs/PROTOCOL.md), kept apart from the HTTP server so that it
    reads as the table docs/OPEN311.md describes, and is tested without
    sockets. Nothing here talks to seind.

    - services: the themes of `data.themes` (conf/themes.tsv), `triage`
      left out: sein decides that one itself.
    - a POSTed request becomes a SUBMIT body: source `citizen`, channel
      `open311`, the reporter's fields as sein's `reporter` (personal data,
      never returned), media_url as an attribute.
    - a stored signal (GET's shape) becomes a service request, from a
      whitelist of fields: nothing personal can slip through.
*/
#ifndef SEIN_OPEN311_H_INCLUDED
#define SEIN_OPEN311_H_INCLUDED

#include <jansson.h>

//  The services of the themes file PATH: a fresh JSON array of
//  {service_code, service_name, description, metadata, type, keywords,
//  group}. NULL with *error_p set (fresh, "file:line: message").
json_t *
    sein_open311_services (const char *path, char **error_p);

//  The SUBMIT body for the form FIELDS (an object of strings, borrowed).
//  EXTERNAL_ID (may be NULL) is the client's retry id, already qualified
//  by the caller. Returns a fresh object, or NULL with *field_p pointing
//  at the spec's name of the field at fault (static) and *error_p a fresh
//  message: a lat without long, a number that is not one.
json_t *
    sein_open311_submit (json_t *fields, const char *external_id, const char **field_p,
                         char **error_p);

//  The service request for SIGNAL (a signal as GET and LIST show it,
//  borrowed), with service names from SERVICES (sein_open311_services).
//  A fresh object.
json_t *
    sein_open311_request (json_t *signal, json_t *services);

//  "open" for sein's open states (new, acknowledged, in_progress,
//  referred, reopened), "closed" for the finished ones.
const char *
    sein_open311_status (const char *state);

//  The HTTP status for a seind error CODE ("not-found": 404, "forbidden":
//  403, "busy", "unavailable", "storage": 503, "internal": 500, any
//  other refusal of a request's content: 400).
int
    sein_open311_http_status (const char *code);

//  The spec's name of the form field behind seind's FIELD (the path in a
//  refusal: "theme" is "service_code", "reporter.email" "email"); FIELD
//  itself when it has no other. Static or borrowed.
const char *
    sein_open311_field (const char *field);

//  An error answer: the spec's [{"code": STATUS, "description": TEXT}].
//  A fresh array.
json_t *
    sein_open311_error (int status, const char *text);

#endif
