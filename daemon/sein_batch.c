// SPDX-License-Identifier: MPL-2.0
/*  sein_batch.c - submissions that arrived together, on their way to disk */
#include "sein_batch.h"

#include "sein_alloc.h"

#include <stddef.h>

void
sein_batch_reserve (sein_batch_t *batch, size_t capacity)
{
    assert (batch->count == 0);
    if (batch->capacity < capacity) {
        batch->items = (sein_pending_t *) sein_realloc (batch->items,
                                                        capacity * sizeof (sein_pending_t));
        memset (batch->items + batch->capacity, 0,
                (capacity - batch->capacity) * sizeof (sein_pending_t));
        for (size_t index = batch->capacity; index < capacity; index++)
            zmq_msg_init (&batch->items[index].body);
        batch->capacity = capacity;
    }
}

void
sein_pending_reset (sein_pending_t *pending)
{
    sein_signal_clear (&pending->signal);
    sein_classification_clear (&pending->classification);
    free (pending->tail);
    free (pending->event);
    free ((char *) pending->record.event.teams);
    sein_lifecycle_events_free (&pending->events);
    free (pending->answer);
    size_t from = offsetof (sein_pending_t, rejected);
    memset ((char *) pending + from, 0, sizeof *pending - from);
}

void
sein_batch_free (sein_batch_t *batch)
{
    for (size_t index = 0; index < batch->capacity; index++) {
        zmq_msg_close (&batch->items[index].body);
        json_decref (batch->items[index].request);
        sein_pending_reset (&batch->items[index]);
    }
    free (batch->items);
    memset (batch, 0, sizeof *batch);
}
