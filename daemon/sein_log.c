/*  sein_log.c - level filter in front of czmq's log functions */
#include "sein_log.h"

#include <stdatomic.h>

static atomic_int s_level = LOG_INFO;

void
sein_log_init (const char *ident, bool foreground)
{
    zsys_set_logident (ident);
    zsys_set_logstream (foreground ? stderr : NULL);
    zsys_set_logsystem (!foreground);
}

void
sein_log_set_level (const char *name)
{
    static const struct {
        const char *name;
        int priority;
    } levels[] = {{"notice", LOG_NOTICE},
                  {"info", LOG_INFO},   {"debug", LOG_DEBUG}};
    for (size_t index = 0; index < sizeof levels / sizeof levels[0]; index++)
        if (streq (levels[index].name, name))
            atomic_store (&s_level, levels[index].priority);
}

bool
sein_log_wants (int priority)
{
    return priority <= atomic_load (&s_level);
}
