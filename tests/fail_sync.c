/*  fail_sync - an LD_PRELOAD shim for test_daemon: fdatasync fails with
    EIO while the file named by SEIN_TEST_FAIL_SYNC exists, as a failing
    disk would make it. seind's acks must then report that the signals were
    not confirmed on disk instead of `accepted`.
*/
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

int
fdatasync (int fd)
{
    static int (*real) (int);
    if (!real)
        *(void **) &real = dlsym (RTLD_NEXT, "fdatasync");
    const char *flag = getenv ("SEIN_TEST_FAIL_SYNC");
    if (flag && access (flag, F_OK) == 0) {
        errno = EIO;
        return -1;
    }
    return real (fd);
}
