// SPDX-License-Identifier: MPL-2.0
/*  sein_ids.c - signal ids and the times seind writes */
#include "sein_ids.h"

#include <stdio.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

void
sein_ids_init (sein_ids_t *ids)
{
    if (getrandom (ids->state, sizeof ids->state, 0) != sizeof ids->state)
        ids->state[0] = (uint64_t) time (NULL) ^ (uint64_t) getpid ();
    ids->state[1] |= 1; //  xorshift's state must not be all zero
}

//  xorshift128+
static uint64_t
s_random (sein_ids_t *ids)
{
    uint64_t x = ids->state[0];
    const uint64_t y = ids->state[1];
    ids->state[0] = y;
    x ^= x << 23;
    ids->state[1] = x ^ y ^ (x >> 17) ^ (y >> 26);
    return ids->state[1] + y;
}

static void
s_hex (char *out, uint64_t value, int digits)
{
    static const char hex[] = "0123456789abcdef";
    for (int index = digits - 1; index >= 0; index--, value >>= 4)
        out[index] = hex[value & 15];
}

void
sein_ids_next (sein_ids_t *ids, char id[40])
{
    struct timespec now;
    clock_gettime (CLOCK_REALTIME, &now);
    uint64_t ms = (uint64_t) now.tv_sec * 1000 + (uint64_t) now.tv_nsec / 1000000;
    uint64_t a = s_random (ids), b = s_random (ids);
    //  xxxxxxxx-xxxx-7xxx-[89ab]xxx-xxxxxxxxxxxx
    s_hex (id, ms >> 16, 8);
    id[8] = '-';
    s_hex (id + 9, ms & 0xffff, 4);
    id[13] = '-';
    s_hex (id + 14, 0x7000 | (a & 0xfff), 4);
    id[18] = '-';
    s_hex (id + 19, 0x8000 | ((a >> 12) & 0x3fff), 4);
    id[23] = '-';
    s_hex (id + 24, b, 12);
    id[36] = 0;
}

void
sein_time_now (char *buffer, size_t size)
{
    struct timespec now;
    clock_gettime (CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r (&now.tv_sec, &tm);
    size_t len = strftime (buffer, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf (buffer + len, size - len, ".%03ldZ", now.tv_nsec / 1000000);
}

int
sein_time_add (const char *time, int64_t ms, char *buffer, size_t size)
{
    struct tm tm = {0};
    int millis = 0, used = 0;
    if (sscanf (time, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &millis, &used) != 7 ||
        used != 24 || time[used])
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    int64_t total = (int64_t) timegm (&tm) * 1000 + millis + ms;
    time_t seconds = (time_t) (total >= 0 ? total / 1000 : (total - 999) / 1000);
    long rest = (long) (total - (int64_t) seconds * 1000);
    gmtime_r (&seconds, &tm);
    size_t len = strftime (buffer, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf (buffer + len, size - len, ".%03ldZ", rest);
    return 0;
}
