// SPDX-License-Identifier: MPL-2.0
/*  sein_alloc.c - sein's one out-of-memory policy: abort (see sein_alloc.h) */
#include "sein_alloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void
s_out_of_memory (size_t size)
{
    //  No allocation from here on: stderr is unbuffered, and under systemd
    //  it goes to the journal.
    sein_abort ("out of memory (%zu bytes)", size);
}

void *
sein_malloc (size_t size)
{
    void *pointer = malloc (size ? size : 1);
    if (!pointer)
        s_out_of_memory (size);
    return pointer;
}

void *
sein_calloc (size_t count, size_t size)
{
    void *pointer = calloc (count ? count : 1, size ? size : 1);
    if (!pointer)
        //  The product may have wrapped (calloc refuses it): say so.
        s_out_of_memory (size && count > SIZE_MAX / size ? SIZE_MAX : count * size);
    return pointer;
}

void *
sein_realloc (void *pointer, size_t size)
{
    void *result = realloc (pointer, size ? size : 1);
    if (!result)
        s_out_of_memory (size);
    return result;
}

char *
sein_strdup (const char *text)
{
    size_t size = strlen (text) + 1;
    return (char *) memcpy (sein_malloc (size), text, size);
}

char *
sein_strndup (const char *text, size_t size)
{
    size_t len = strnlen (text, size);
    char *copy = (char *) sein_malloc (len + 1);
    memcpy (copy, text, len);
    copy[len] = 0;
    return copy;
}

char *
sein_sprintf (const char *format, ...)
{
    va_list args;
    va_start (args, format);
    char *string = NULL;
    int size = vasprintf (&string, format, args);
    va_end (args);
    if (size < 0)
        s_out_of_memory (0);   //  the size is unknown: vasprintf failed
    return string;
}

void
sein_abort (const char *format, ...)
{
    fprintf (stderr, "%s: ", program_invocation_short_name);
    va_list args;
    va_start (args, format);
    vfprintf (stderr, format, args);
    va_end (args);
    fprintf (stderr, "; aborting\n");
    abort ();
}

void
sein_alloc_init (void)
{
    json_set_alloc_funcs (sein_malloc, free);
    cJSON_Hooks hooks = {sein_malloc, free};
    cJSON_InitHooks (&hooks);
}
