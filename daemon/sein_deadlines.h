// SPDX-License-Identifier: MPL-2.0
/*  sein_deadlines.h - how long a signal may stay open, per theme and priority

    The `deadlines` list of the configuration (docs/CONFIG.md):

        deadlines = (
            { theme = "afval"; hours = 72; },
            { theme = "veiligheid"; priority = "urgent"; hours = 4; }
        );

    is read and checked at load, each error with file:line: a known theme
    (or "triage"), an optional priority, hours > 0 (a fraction is fine:
    0.5 is half an hour), no row twice. The most specific row wins: a
    theme with the signal's priority before the theme alone. Part of the
    setup (sein_setup.h): immutable once loaded, so threads may share it,
    and a reload applies new rules to the signals that arrive after it.
*/
#ifndef SEIN_DEADLINES_H_INCLUDED
#define SEIN_DEADLINES_H_INCLUDED

#include "sein_classify.h"
#include "sein_config.h"

typedef struct _sein_deadlines_t sein_deadlines_t;

//  Read CONFIG's deadlines (none is fine); themes are checked against
//  CLASSIFIER. NULL on error with a fresh "file:line: message".
sein_deadlines_t *
    sein_deadlines_new (sein_config_t *config, const sein_classifier_t *classifier,
                        char **error_p);

//  Destroy; idempotent, nulls the pointer.
void
    sein_deadlines_destroy (sein_deadlines_t **self_p);

//  The handling time in milliseconds for a signal of THEME and PRIORITY,
//  or 0 when no row applies.
int64_t
    sein_deadlines_ms (const sein_deadlines_t *self, const char *theme, const char *priority);

//  The due_at of a signal of THEME and PRIORITY received at RECEIVED_AT
//  (seind's time format) into DUE, SIZE bytes (SEIN_TIME_MAX at least):
//  "" when no row applies. At intake, and again when RECLASSIFY gives the
//  signal another theme.
void
    sein_deadlines_due (const sein_deadlines_t *self, const char *theme, const char *priority,
                        const char *received_at, char *due, size_t size);

#endif
