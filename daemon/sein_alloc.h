/*  sein_alloc.h - seind's one out-of-memory policy: abort

    Like czmq (which seind uses everywhere) and Redis, seind does not try
    to carry on without memory: a branch that handles a failed allocation
    is a branch no test reaches, and half-handled it is worse than none.
    These wrappers abort with a message instead of returning NULL, and
    sein_alloc_init points jansson's and cJSON's allocators at them, so
    every parse tree follows the same rule. SQLite reports SQLITE_NOMEM
    through its own return codes, which are checked like any other.
*/
#ifndef SEIN_ALLOC_H_INCLUDED
#define SEIN_ALLOC_H_INCLUDED

#include <stddef.h>

//  Never return NULL: on failure they log and abort ().
void *
    sein_malloc (size_t size);
void *
    sein_calloc (size_t count, size_t size);
void *
    sein_realloc (void *pointer, size_t size);
char *
    sein_strdup (const char *text);
char *
    sein_strndup (const char *text, size_t size);

//  Route jansson's and cJSON's allocations through sein_malloc. Call once,
//  before any thread parses.
void
    sein_alloc_init (void);

#endif
