// SPDX-License-Identifier: MPL-2.0
/*  fuzz_signal.c - libFuzzer target: the signal validator

    Every submission's bytes reach sein_signal_parse first, so whatever a
    client sends must come back as a signal or an error, never a crash, a
    leak or a read past the body (which is not NUL-terminated here: the
    input is copied to a buffer of exactly its size, so ASan sees an
    overread). An accepted signal must keep the promises the classifier and
    the store rely on.
*/
#include "sein_signal.h"
#include "sein_fuzz.h"

#include <stdlib.h>
#include <string.h>

//  True when VALUE is NULL (absent) or a valid token.
static bool
s_token_or_absent (const char *value)
{
    return !value || sein_token_valid (value);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    //  Small limits too, so the size checks are reached by small inputs.
    sein_signal_limits_t limits = {4000, 65536};
    if (size > 0 && data[0] == ' ')
        limits = (sein_signal_limits_t) {16, 1024};
    char *body = malloc (size ? size : 1);
    memcpy (body, data, size);

    sein_signal_t signal;
    sein_error_t error;
    if (sein_signal_parse (&signal, body, size, &limits, &error) == 0) {
        sein_fuzz_check (size <= limits.message_max);
        sein_fuzz_check (signal.description);
        size_t length = strlen (signal.description);
        sein_fuzz_check (length > 0 && length <= limits.description_max);
        sein_fuzz_check (sein_utf8_valid (signal.description, length, NULL));
        sein_fuzz_check (signal.source && sein_token_valid (signal.source));
        sein_fuzz_check (s_token_or_absent (signal.channel) &&
                         s_token_or_absent (signal.area) &&
                         s_token_or_absent (signal.theme) &&
                         s_token_or_absent (signal.priority) &&
                         s_token_or_absent (signal.submitter));
        if (signal.occurred_at)
            sein_fuzz_check (sein_rfc3339_utc (signal.occurred_at, NULL) == 0);
        if (signal.has_point)
            sein_fuzz_check (signal.lat >= -90 && signal.lat <= 90 &&
                             signal.lon >= -180 && signal.lon <= 180);
        for (size_t index = 0; index < signal.nattributes; index++)
            sein_fuzz_check (signal.attributes[index].key &&
                             signal.attributes[index].value);
        sein_signal_clear (&signal);
    } else {
        sein_fuzz_check (error.code && *error.code);
        //  Rendered into the reply as it is: it must be UTF-8.
        sein_fuzz_check (memchr (error.message, 0, sizeof error.message));
        sein_fuzz_check (sein_utf8_valid (error.message, strlen (error.message), NULL));
        if (error.field)
            sein_fuzz_check (sein_utf8_valid (error.field, strlen (error.field), NULL));
    }
    //  The same bytes as a time string: sein_rfc3339_utc reads every
    //  occurred_at and every watch/EVENTS time bound.
    char *text = strndup (body, size);
    char utc[SEIN_TIME_MAX];
    if (sein_rfc3339_utc (text, utc) == 0)
        sein_fuzz_check (strlen (utc) == 24 && utc[23] == 'Z');
    free (text);
    free (body);
    return 0;
}
