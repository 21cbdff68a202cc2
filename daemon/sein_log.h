/*  sein_log.h - one logging API for seind

    czmq's zsys_* functions format and deliver (stderr in the foreground,
    syslog, i.e. the journal, as a service) but have no level filter; this
    adds one, set from daemon.log_level. The level is the only state shared
    between threads, a single atomic int written on start and reload.
*/
#ifndef SEIN_LOG_H_INCLUDED
#define SEIN_LOG_H_INCLUDED

#include <czmq.h>
#include <stdbool.h>
#include <syslog.h>

//  Send log lines to stderr (FOREGROUND) or to syslog, tagged IDENT.
void
    sein_log_init (const char *ident, bool foreground);

//  Set the level by name: notice, info or debug (warnings and errors are
//  always logged). Unknown
//  names leave it unchanged (the config table only allows those five).
void
    sein_log_set_level (const char *name);

//  True when messages of syslog PRIORITY are wanted.
bool
    sein_log_wants (int priority);

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
