// SPDX-License-Identifier: MPL-2.0
/*  sein_log.h - one logging API for seind

    The daemon logs through czmq's zsys_* functions, which format and
    deliver but have neither a level filter nor the line format a service
    manager wants: czmq writes "N: (seind) 26-12-07 12:48:46 text". This
    class adds the filter (daemon.log_level) and owns the line: czmq
    writes into a stream of ours (fopencookie), which rewrites each line

    - under systemd (JOURNAL_STREAM set, or stderr not a terminal in the
      foreground) as "<N>text", sd-daemon(3)'s priority prefix, so that
      journald files each line at its level and adds the time itself;
    - on a terminal as "N: (seind) 2026-12-07 12:48:46 text".

    Detached (seind without -f) lines go to syslog, as czmq does it. The
    level is the only state shared between threads, a single atomic int
    written on start and reload; czmq writes each line under its own lock.
*/
#ifndef SEIN_LOG_H_INCLUDED
#define SEIN_LOG_H_INCLUDED

#include <czmq.h>
#include <stdbool.h>
#include <syslog.h>

//  Send log lines to stderr (FOREGROUND) or to syslog, tagged IDENT
//  (kept: a string literal or one that outlives the process's logging).
void
    sein_log_init (const char *ident, bool foreground);

//  True when seind's stderr goes to systemd's journal (or another service
//  manager that reads sd-daemon prefixes): JOURNAL_STREAM is set, or
//  stderr is not a terminal. Decides the line format in the foreground.
bool
    sein_log_under_manager (void);

//  Set the level by name: notice, info or debug (warnings and errors are
//  always logged). Unknown names leave it unchanged (the config table only
//  allows those three).
void
    sein_log_set_level (const char *name);

//  True when messages of syslog PRIORITY are wanted.
bool
    sein_log_wants (int priority);

//  Rewrite one czmq log LINE of SIZE bytes (without its newline) for
//  IDENT into OUT (OUT_SIZE bytes, NUL-terminated, truncated to fit), as
//  a manager wants it (MANAGER) or as a terminal does. Returns the length
//  written. A line that is not czmq's is passed through unchanged, at
//  notice. Exposed for the tests.
size_t
    sein_log_format (const char *line, size_t size, const char *ident, bool manager,
                     char *out, size_t out_size);

#define sein_debug(...)                                                                  \
    do {                                                                                 \
        if (sein_log_wants (LOG_DEBUG))                                                  \
            zsys_debug (__VA_ARGS__);                                                    \
    } while (0)
#define sein_info(...)                                                                   \
    do {                                                                                 \
        if (sein_log_wants (LOG_INFO))                                                   \
            zsys_info (__VA_ARGS__);                                                     \
    } while (0)

#endif
