// SPDX-License-Identifier: MPL-2.0
/*  fail_sync - an LD_PRELOAD shim that makes seind's disk fail on demand,
    for test_daemon and tests/fault/durability.sh.

    Two switches, both read by the process under test:
    - SEIN_TEST_FAIL_SYNC=FILE: every fdatasync fails with EIO while FILE
      exists (the first version of this shim; test_daemon uses it).
    - SEIN_FAULT=FILE: FILE holds the faults now in force, words separated
      by blanks; an absent or empty FILE means a healthy disk. It is read
      again at most every few milliseconds, so a script switches a fault on
      and off while seind runs by writing FILE:
        seind-sync    fdatasync/fsync by seind itself (not SQLite) fails, EIO
        sqlite-sync   fdatasync/fsync by SQLite fails, EIO (checkpoints,
                      a log that starts over)
        write-eio     writes to the database or its -wal fail with EIO
        write-enospc  writes to the database or its -wal fail with ENOSPC
        dead          the disk is gone: every read, write and sync of the
                      database and its -wal fails with EIO, every sync too

    Which library made a sync is told by the return address (dladdr), which
    file a descriptor is by /proc/self/fd, looked up only while a fault is
    in force. SQLite 3.40 on Debian writes with pwrite64, reads with
    pread64 and syncs with fdatasync; pwrite, pread and fsync are covered
    for seind's own calls.
*/
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
    S_SEIND_SYNC = 1,
    S_SQLITE_SYNC = 2,
    S_WRITE_EIO = 4,
    S_WRITE_ENOSPC = 8,
    S_DEAD = 16,
};

//  The faults in force, from SEIN_FAULT; each thread keeps its own copy and
//  reads the file again when it is more than 2 ms old.
static int
s_faults (void)
{
    static __thread int faults;
    static __thread struct timespec read_at;
    const char *control = getenv ("SEIN_FAULT");
    if (!control)
        return 0;
    struct timespec now;
    clock_gettime (CLOCK_MONOTONIC, &now);
    long age = (now.tv_sec - read_at.tv_sec) * 1000000000L + now.tv_nsec - read_at.tv_nsec;
    if (read_at.tv_sec && age < 2000000L)
        return faults;
    read_at = now;
    faults = 0;
    int fd = open (control, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char text[256];
    ssize_t size = read (fd, text, sizeof text - 1);
    close (fd);
    text[size > 0 ? size : 0] = 0;
    static const struct {
        const char *word;
        int fault;
    } words[] = {{"seind-sync", S_SEIND_SYNC},
                 {"sqlite-sync", S_SQLITE_SYNC},
                 {"write-eio", S_WRITE_EIO},
                 {"write-enospc", S_WRITE_ENOSPC},
                 {"dead", S_DEAD}};
    for (char *word = strtok (text, " \t\n"); word; word = strtok (NULL, " \t\n"))
        for (size_t index = 0; index < sizeof words / sizeof words[0]; index++)
            if (strcmp (word, words[index].word) == 0)
                faults |= words[index].fault;
    return faults;
}

//  True when FD is the database or its -wal (a name ending in .db or
//  .db-wal, as storage.file is named).
static bool
s_is_store (int fd)
{
    char link[64], name[4096];
    snprintf (link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t size = readlink (link, name, sizeof name - 1);
    if (size <= 0)
        return false;
    name[size] = 0;
    size_t length = (size_t) size;
    return (length > 3 && strcmp (name + length - 3, ".db") == 0) ||
           (length > 7 && strcmp (name + length - 7, ".db-wal") == 0);
}

//  True when the code at ADDRESS is SQLite's.
static bool
s_from_sqlite (void *address)
{
    Dl_info info;
    return dladdr (address, &info) && info.dli_fname &&
           strstr (info.dli_fname, "libsqlite3");
}

//  The errno a sync from CALLER must fail with, or 0.
static int
s_sync_fault (int fd, void *caller)
{
    const char *flag = getenv ("SEIN_TEST_FAIL_SYNC");
    if (flag && access (flag, F_OK) == 0)
        return EIO;
    int faults = s_faults ();
    if (!faults)
        return 0;
    if (faults & S_DEAD)
        return EIO;
    bool sqlite = s_from_sqlite (caller);
    if ((faults & S_SQLITE_SYNC) && sqlite)
        return EIO;
    if ((faults & S_SEIND_SYNC) && !sqlite && s_is_store (fd))
        return EIO;
    return 0;
}

//  The errno a write (WRITE) or read to FD must fail with, or 0.
static int
s_io_fault (int fd, bool write)
{
    int faults = s_faults ();
    if (!(faults & (write ? S_WRITE_EIO | S_WRITE_ENOSPC | S_DEAD : S_DEAD)) ||
        !s_is_store (fd))
        return 0;
    return (faults & (S_DEAD | S_WRITE_EIO)) ? EIO : ENOSPC;
}

typedef int (s_sync_fn) (int);
typedef ssize_t (s_write_fn) (int, const void *, size_t, off_t);
typedef ssize_t (s_read_fn) (int, void *, size_t, off_t);

//  The libc function NAME, as TYPE *, in a static REAL.
#define S_REAL(name, type)                                                               \
    static type *real;                                                                   \
    if (!real)                                                                           \
    *(void **) &real = dlsym (RTLD_NEXT, name)

int
fdatasync (int fd)
{
    S_REAL ("fdatasync", s_sync_fn);
    int error = s_sync_fault (fd, __builtin_return_address (0));
    if (error) {
        errno = error;
        return -1;
    }
    return real (fd);
}

int
fsync (int fd)
{
    S_REAL ("fsync", s_sync_fn);
    int error = s_sync_fault (fd, __builtin_return_address (0));
    if (error) {
        errno = error;
        return -1;
    }
    return real (fd);
}

ssize_t
pwrite64 (int fd, const void *data, size_t size, off_t offset)
{
    S_REAL ("pwrite64", s_write_fn);
    int error = s_io_fault (fd, true);
    if (error) {
        errno = error;
        return -1;
    }
    return real (fd, data, size, offset);
}

ssize_t
pwrite (int fd, const void *data, size_t size, off_t offset)
{
    return pwrite64 (fd, data, size, offset);
}

ssize_t
pread64 (int fd, void *data, size_t size, off_t offset)
{
    S_REAL ("pread64", s_read_fn);
    int error = s_io_fault (fd, false);
    if (error) {
        errno = error;
        return -1;
    }
    return real (fd, data, size, offset);
}

ssize_t
pread (int fd, void *data, size_t size, off_t offset)
{
    return pread64 (fd, data, size, offset);
}
