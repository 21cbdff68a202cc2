// SPDX-License-Identifier: MPL-2.0
/*  sein_feed.c - committed events, from the server to the watch actor */
#include "sein_feed.h"

#define S_FIELDS 9

int
sein_feed_send (void *handle, const sein_event_t *event, zmq_msg_t *body)
{
    const char *fields[S_FIELDS] = {event->kind,   event->at,       event->area,
                                    event->wijk,   event->theme,    event->priority,
                                    event->source, event->teams,
                                    event->owners ? event->owners : ""};
    //  Sized to the event: a long list of teams is as welcome as a short one.
    size_t size = sizeof event->seq, lengths[S_FIELDS];
    for (size_t index = 0; index < S_FIELDS; index++)
        size += (lengths[index] = strlen (fields[index]) + 1);
    zmq_msg_t header;
    zmq_msg_init_size (&header, size);
    char *cursor = (char *) zmq_msg_data (&header);
    memcpy (cursor, &event->seq, sizeof event->seq);
    cursor += sizeof event->seq;
    for (size_t index = 0; index < S_FIELDS; index++) {
        memcpy (cursor, fields[index], lengths[index]);
        cursor += lengths[index];
    }
    if (zmq_msg_send (&header, handle, ZMQ_SNDMORE) < 0) {
        zmq_msg_close (&header);
        return -1;
    }
    return zmq_msg_send (body, handle, 0) < 0 ? -1 : 0;
}

int
sein_feed_unpack (zmsg_t *msg, sein_event_t *event)
{
    zframe_t *header = zmsg_first (msg);
    zframe_t *body = zmsg_next (msg);
    if (!header || !body || zmsg_size (msg) != 2 || zframe_size (header) < sizeof event->seq)
        return -1;
    const char *cursor = (const char *) zframe_data (header) + sizeof event->seq;
    const char *end = (const char *) zframe_data (header) + zframe_size (header);
    const char **fields[S_FIELDS] = {&event->kind,   &event->at,       &event->area,
                                     &event->wijk,   &event->theme,    &event->priority,
                                     &event->source, &event->teams,    &event->owners};
    for (size_t index = 0; index < S_FIELDS; index++) {
        const char *nul = (const char *) memchr (cursor, 0, (size_t) (end - cursor));
        if (!nul)
            return -1;
        *fields[index] = cursor;
        cursor = nul + 1;
    }
    memcpy (&event->seq, zframe_data (header), sizeof event->seq);
    event->body = (const char *) zframe_data (body);
    event->body_size = zframe_size (body);
    return 0;
}
