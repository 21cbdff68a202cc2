// SPDX-License-Identifier: MPL-2.0
/*  sein_alloc.h - sein's one out-of-memory policy: abort

    Like czmq (which sein uses everywhere) and Redis, sein does not try to
    carry on without memory: a branch that handles a failed allocation is
    a branch no test reaches, and half-handled it is worse than none.
    These wrappers abort with a message instead of returning NULL, and
    sein_alloc_init points jansson's and cJSON's allocators at them, so
    every parse tree follows the same rule. SQLite reports SQLITE_NOMEM
    through its own return codes, which are checked like any other.

    The allocator lives in libsein, not in seind, so that the clients and
    the config loader (libsein's own code) follow the same policy without
    linking the daemon.

    What needs no NULL check, therefore:
    - sein_malloc, sein_calloc, sein_realloc, sein_strdup, sein_strndup,
      sein_sprintf;
    - czmq's constructors and zmalloc (zhashx_new, zlistx_new, zchunk_new,
      zframe_new ...): czmq's allocator aborts as well;
    - jansson's constructors (json_object, json_string, json_pack ...) once
      sein_alloc_init has run: they can fail only for want of memory, or for
      bad input (invalid UTF-8, a NULL value), which the caller checks.
    The exceptions in czmq: zsys_sprintf returns NULL when memory runs out
    (use sein_sprintf), and zhashx copies keys with plain strdup (give a
    hash that copies keys zhashx_set_key_duplicator (hash,
    (zhashx_duplicator_fn *) sein_strdup), a list zlistx_set_duplicator).

    assert is for programmer errors only: the default build defines NDEBUG,
    so anything that must hold in a release build (input, file data, a
    library's return code) is a real check.
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

//  A fresh string formatted like printf; never NULL (zsys_sprintf is NULL
//  when memory runs out). The caller frees it.
char *
    sein_sprintf (const char *format, ...) __attribute__ ((format (printf, 1, 2)));

//  Log "program: MESSAGE" and abort (). For what the allocators above
//  cannot see: a library with an allocator of its own (libstemmer) that
//  reports running out of memory, and sein_require.
void
    sein_abort (const char *format, ...)
        __attribute__ ((format (printf, 1, 2), noreturn));

//  Abort with the condition's text and place when CONDITION is false, in
//  release builds too (assert is compiled out there). For an invariant of
//  sein's own code whose failure means a bug, and where carrying on would
//  write out of bounds; never for input, file data or a library's errors,
//  which get a real check and an error.
#define sein_require(condition)                                                        \
    ((condition) ? (void) 0                                                            \
                 : sein_abort ("%s:%d: %s: requirement failed: %s", __FILE__, __LINE__, \
                               __func__, #condition))

//  Route jansson's and cJSON's allocations through sein_malloc. Call once,
//  before any thread parses.
void
    sein_alloc_init (void);

#endif
