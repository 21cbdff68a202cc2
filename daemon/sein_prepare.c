// SPDX-License-Identifier: MPL-2.0
/*  sein_prepare.c - validate, classify, route and render one submission */
#include "sein_prepare.h"

#include "sein_alloc.h"
#include "sein_ids.h"

#include <assert.h>
#include <stddef.h>
#include <time.h>

//  The public event, minus seq and id. Field order is the reading order
//  of docs/PROTOCOL.md; reporter details are never part of it.
static void
s_render (sein_pending_t *pending, const sein_route_t *route, sein_buf_t *buf)
{
    const sein_signal_t *signal = &pending->signal;
    const sein_classification_t *result = &pending->classification;
    sein_buf_reset (buf);
    sein_buf_raw (buf, "{", 1);
    sein_buf_field_string (buf, "event", "signal");
    sein_buf_field_string (buf, "received_at", pending->received_at);
    sein_buf_field_string (buf, "source", signal->source);
    sein_buf_field_string (buf, "channel", signal->channel);
    sein_buf_field_string (buf, "external_id", signal->external_id);
    sein_buf_field_string (buf, "description", signal->description);
    sein_buf_field_string (buf, "address_string", signal->address_string);
    if (result->has_point) {
        sein_buf_field_degrees (buf, "lat", result->lat);
        sein_buf_field_degrees (buf, "long", result->lon);
    }
    sein_buf_field_string (buf, "occurred_at", signal->occurred_at);
    sein_buf_field_string (buf, "area", result->area);
    sein_buf_field_string (buf, "wijk", result->wijk);
    sein_buf_field_string (buf, "theme", result->theme);
    sein_buf_field_string (buf, "priority", result->priority);
    sein_buf_field_fixed (buf, "confidence", result->confidence);
    sein_buf_field_teams (buf, "teams", route->teams);
    sein_buf_field_string (buf, "routing_rule", route->rule);
    if (result->detail)
        sein_buf_field_raw (buf, "classification", result->detail, result->detail_size);
    if (signal->nattributes) {
        sein_buf_key (buf, "attributes");
        sein_buf_raw (buf, "{", 1);
        for (size_t index = 0; index < signal->nattributes; index++) {
            //  Attribute names come from the submitter: escape them too.
            if (index)
                sein_buf_raw (buf, ",", 1);
            sein_buf_string (buf, signal->attributes[index].key);
            sein_buf_raw (buf, ":", 1);
            sein_buf_string (buf, signal->attributes[index].value);
        }
        sein_buf_raw (buf, "}", 1);
    }
    if (*pending->due_at)
        sein_buf_field_string (buf, "due_at", pending->due_at);
    //  Last, so an ack can leave it out: there "status" is the outcome.
    sein_buf_raw (buf, SEIN_EVENT_STATUS_NEW, strlen (SEIN_EVENT_STATUS_NEW));
    pending->tail_size = buf->size;
    pending->tail = (char *) sein_malloc (buf->size + 1);
    memcpy (pending->tail, buf->data, buf->size + 1);
}

sein_prepare_scratch_t *
sein_prepare_scratch_new (void)
{
    sein_prepare_scratch_t *self = (sein_prepare_scratch_t *) zmalloc (sizeof *self);
    self->classify = sein_classify_scratch_new ();
    if (!self->classify)
        sein_prepare_scratch_destroy (&self);
    return self;
}

void
sein_prepare_scratch_destroy (sein_prepare_scratch_t **self_p)
{
    assert (self_p);
    sein_prepare_scratch_t *self = *self_p;
    if (self) {
        sein_classify_scratch_destroy (&self->classify);
        sein_buf_free (&self->render);
        free (self);
        *self_p = NULL;
    }
}

int
sein_prepare (sein_batch_t *batch, size_t index, sein_prepare_scratch_t *scratch)
{
    assert (batch);
    assert (index < batch->count);
    sein_setup_t *setup = batch->setup;
    sein_pending_t *pending = &batch->items[index];
    sein_signal_t *signal = &pending->signal;
    sein_error_t *error = &pending->error;
    const sein_classifier_t *classifier = setup->classifier;
    //  What the slot's last request left is freed here, on the prepare
    //  thread, rather than on the server's, which is the busier one.
    sein_pending_reset (pending);
    if (pending->kind == SEIN_PENDING_SWEEP || pending->kind == SEIN_PENDING_ALERT ||
        pending->kind == SEIN_PENDING_PRIVACY || pending->kind == SEIN_PENDING_RETENTION)
        return 0;
    if (pending->kind == SEIN_PENDING_CHANGE) {
        //  Everything that needs no store; the transition itself is
        //  checked against the signal's state when it is stored.
        if (sein_change_parse (&pending->change, pending->command, pending->request,
                               setup, error) == 0) {
            //  With security, who made the change is the key, not the body.
            pending->change.by = sein_auth_who (pending->principal.name, pending->change.by);
            pending->change.principal = &pending->principal;
            return 0;
        }
        pending->rejected = true;
        return -1;
    }
    int rc = sein_signal_parse (signal, (const char *) zmq_msg_data (&pending->body),
                                zmq_msg_size (&pending->body), &batch->limits, error);
    if (rc == 0 && signal->area && !sein_classifier_known_area (classifier, signal->area))
        rc = sein_error_set (error, "unknown-area", "area", "unknown area '%s'",
                             signal->area);
    if (rc == 0 && signal->theme &&
        !sein_classifier_known_theme (classifier, signal->theme))
        rc = sein_error_set (error, "unknown-theme", "theme", "unknown theme '%s'",
                             signal->theme);
    sein_classification_t *result = &pending->classification;
    if (rc == 0)
        sein_classifier_classify (classifier, scratch->classify, signal, result,
                                  pending->kind == SEIN_PENDING_CLASSIFY);
    if (rc) {
        pending->rejected = true;
        return -1;
    }
    sein_route_input_t input = {result->area,     result->wijk,   result->theme,
                                result->priority, signal->source, signal->channel};
    sein_route_t route;
    sein_router_route (setup->router, &input, &route);
    pending->received_at = batch->received_at;
    pending->rule = route.rule;
    pending->submitter = sein_auth_who (pending->principal.name, signal->submitter);
    //  The deadline of the setup it arrived under: a reload applies new
    //  rules to new signals only.
    sein_deadlines_due (setup->deadlines, result->theme, result->priority,
                        pending->received_at, pending->due_at, sizeof pending->due_at);
    s_render (pending, &route, &scratch->render);

    sein_store_signal_t *record = &pending->record;
    record->submitter = pending->submitter;
    record->external_id = signal->external_id;
    record->reporter_name = signal->reporter_name;
    record->reporter_email = signal->reporter_email;
    record->reporter_phone = signal->reporter_phone;
    record->status = "new";
    record->has_point = result->has_point;
    record->lat = result->lat;
    record->lon = result->lon;
    record->due_at = *pending->due_at ? pending->due_at : NULL;
    //  The route lives on this stack: copy its teams.
    record->event = (sein_event_t){.kind = "signal",
                                   .at = pending->received_at,
                                   .area = result->area,
                                   .wijk = result->wijk,
                                   .theme = result->theme,
                                   .priority = result->priority,
                                   .source = signal->source,
                                   .teams = sein_strdup (route.teams)};
    //  A partner's own case number is for the submitter's teams: with
    //  security, the key's teams own it (docs/SECURITY.md).
    if (signal->external_id && *pending->principal.key)
        record->event.owners = *pending->principal.teams ? pending->principal.teams : ",";
    return 0;
}

void
sein_prepare_actor (zsock_t *pipe, void *args)
{
    //  Made by the server, which checked it; this thread's alone from now.
    sein_prepare_scratch_t *scratch = (sein_prepare_scratch_t *) args;
    assert (scratch);
    zsock_signal (pipe, 0);
    while (true) {
        char *command = NULL;
        void *pointer = NULL;
        if (zsock_recv (pipe, "sp", &command, &pointer) || !command ||
            streq (command, "$TERM")) {
            zstr_free (&command);
            break;
        }
        sein_batch_t *batch = (sein_batch_t *) pointer;
        for (size_t index = 0; index < batch->count; index++)
            sein_prepare (batch, index, scratch);
        zstr_free (&command);
        zsock_send (pipe, "sp", "PREPARED", batch);
    }
    sein_prepare_scratch_destroy (&scratch);
}
