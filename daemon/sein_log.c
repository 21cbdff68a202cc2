// SPDX-License-Identifier: MPL-2.0
/*  sein_log.c - level filter and line format in front of czmq's log functions */
#include "sein_log.h"

#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static atomic_int s_level = LOG_INFO;

//  Written once by sein_log_init, before any other thread logs.
static const char *s_ident = "seind";
static bool s_manager;

//  czmq's level letters, in the order of syslog's priorities from LOG_ERR.
static const char s_letters[] = "EWNID";

size_t
sein_log_format (const char *line, size_t size, const char *ident, bool manager, char *out,
                 size_t out_size)
{
    //  czmq: "%c: (%s) %s %s", the date "%y-%m-%d %H:%M:%S" (17 bytes).
    size_t prefix = strlen (ident) + 24;
    const char *letter = size ? strchr (s_letters, line[0]) : NULL;
    bool czmq = letter && *letter && size >= prefix && line[1] == ':' && line[3] == '(' &&
                strncmp (line + 4, ident, strlen (ident)) == 0;
    int priority = czmq ? LOG_ERR + (int) (letter - s_letters) : LOG_NOTICE;
    const char *text = czmq ? line + prefix : line;
    int length = (int) (czmq ? size - prefix : size);
    int written;
    if (manager)
        written = snprintf (out, out_size, "<%d>%.*s", priority, length, text);
    else {
        //  The time of writing, with its century: czmq's has two digits.
        char date[32];
        time_t now = time (NULL);
        struct tm local;
        strftime (date, sizeof date, "%Y-%m-%d %H:%M:%S", localtime_r (&now, &local));
        written = snprintf (out, out_size, "%c: (%s) %s %.*s", s_letters[priority - LOG_ERR],
                            ident, date, length, text);
    }
    return written < 0 ? 0 : (size_t) written >= out_size ? out_size - 1 : (size_t) written;
}

//  The stream czmq writes to: each fprintf of a line is followed by a
//  fflush, so a write holds whole lines (czmq caps one at 1024 bytes).
static ssize_t
s_write (void *cookie, const char *data, size_t size)
{
    (void) cookie;
    char out[1200];
    size_t done = 0;
    while (done < size) {
        const char *end = (const char *) memchr (data + done, '\n', size - done);
        size_t length = end ? (size_t) (end - data - done) : size - done;
        size_t used = sein_log_format (data + done, length, s_ident, s_manager, out,
                                       sizeof out - 1);
        out[used++] = '\n';
        //  Nothing useful to do when stderr itself fails.
        if (write (STDERR_FILENO, out, used) < 0) {
        }
        done += length + (end ? 1 : 0);
    }
    return (ssize_t) size;
}

bool
sein_log_under_manager (void)
{
    const char *journal = getenv ("JOURNAL_STREAM");
    return (journal && *journal) || !isatty (STDERR_FILENO);
}

void
sein_log_init (const char *ident, bool foreground)
{
    s_ident = ident;
    s_manager = sein_log_under_manager ();
    zsys_set_logident (ident);
    if (foreground) {
        static FILE *stream;
        if (!stream) {
            stream = fopencookie (NULL, "w", (cookie_io_functions_t){NULL, s_write, NULL, NULL});
            //  Line buffered: czmq flushes after each line anyway.
            if (stream)
                setvbuf (stream, NULL, _IOLBF, 0);
        }
        zsys_set_logstream (stream ? stream : stderr);
    } else
        zsys_set_logstream (NULL);
    zsys_set_logsystem (!foreground);
}

void
sein_log_set_level (const char *name)
{
    static const struct {
        const char *name;
        int priority;
    } levels[] = {{"notice", LOG_NOTICE}, {"info", LOG_INFO}, {"debug", LOG_DEBUG}};
    for (size_t index = 0; index < sizeof levels / sizeof levels[0]; index++)
        if (streq (levels[index].name, name))
            atomic_store (&s_level, levels[index].priority);
}

bool
sein_log_wants (int priority)
{
    return priority <= atomic_load (&s_level);
}
