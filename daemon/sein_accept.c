// SPDX-License-Identifier: MPL-2.0
/*  sein_accept.c - refuse new connections cleanly when descriptors run out

    See sein_accept.h. The guard's actor reads the monitor's events: for
    ACCEPTED, the new connection's descriptor number tells how many are in
    use (the kernel hands out the lowest free one); for ACCEPT_FAILED, the
    errno. A descriptor is acted upon only while it is a socket with the
    endpoint's own local address, so a number reused in the meantime by
    anything else (a file, another listener) is left alone.
*/
#include "sein_accept.h"

#include "sein_alloc.h"

#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>

#define S_LOG_EVERY 10000 //  ms between two lines about refused connections

struct _sein_accept_t {
    zactor_t *actor;
    char *endpoint;
    char *path;  //  ipc://: the socket file; NULL for tcp://
    int port;    //  tcp://: the port; 0 for ipc://
    int limit;   //  RLIMIT_NOFILE's soft limit at start
    int spare;   //  held in reserve, given up to take pending connections off
    int listener; //  the listening descriptor, found on the first failed accept
    uint64_t refused;   //  since the last line
    int64_t logged;     //  zclock_mono of the last line, 0: none yet
};

//  Whether FD is a socket whose local address is the endpoint's; when
//  LISTENING, also that it listens.
static bool
s_ours (sein_accept_t *self, int fd, bool listening)
{
    struct sockaddr_storage address;
    socklen_t size = sizeof address;
    if (getsockname (fd, (struct sockaddr *) &address, &size))
        return false;
    int accepting = 0;
    socklen_t length = sizeof accepting;
    if (getsockopt (fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) ||
        (accepting != 0) != listening)
        return false;
    if (self->path && address.ss_family == AF_UNIX)
        return streq (((struct sockaddr_un *) &address)->sun_path, self->path);
    if (self->port && address.ss_family == AF_INET)
        return ntohs (((struct sockaddr_in *) &address)->sin_port) == self->port;
    if (self->port && address.ss_family == AF_INET6)
        return ntohs (((struct sockaddr_in6 *) &address)->sin6_port) == self->port;
    return false;
}

//  The listening descriptor of the endpoint, or -1. It is made
//  non-blocking, which libzmq does not need (it accepts when epoll says
//  so, and takes EAGAIN in its stride) and s_drain does: libzmq may take
//  a pending connection between two of its accepts.
static int
s_find_listener (sein_accept_t *self)
{
    DIR *dir = opendir ("/proc/self/fd");
    int found = -1;
    struct dirent *entry;
    while (dir && found < 0 && (entry = readdir (dir))) {
        int fd = atoi (entry->d_name);
        if (fd > STDERR_FILENO && fd != dirfd (dir) && s_ours (self, fd, true))
            found = fd;
    }
    if (dir)
        closedir (dir);
    int flags = found >= 0 ? fcntl (found, F_GETFL) : -1;
    if (flags >= 0 && fcntl (found, F_SETFL, flags | O_NONBLOCK) == 0)
        return found;
    return -1;
}

static void
s_log (sein_accept_t *self, bool now)
{
    if (!self->refused || (!now && zclock_mono () - self->logged < S_LOG_EVERY))
        return;
    if (!self->logged)
        zsys_warning ("%s: too many open files (%d allowed, %d kept free): refusing new "
                      "connections",
                      self->endpoint, self->limit, SEIN_ACCEPT_HEADROOM);
    else
        zsys_warning ("%s: too many open files: %llu new connections refused since the "
                      "last such line",
                      self->endpoint, (unsigned long long) self->refused);
    self->refused = 0;
    self->logged = zclock_mono ();
}

//  The listener failed to accept for want of descriptors and left the
//  connection pending: take the pending ones off it with the spare
//  descriptor and close them, so that it stops spinning.
static void
s_drain (sein_accept_t *self)
{
    //  The spare first: looking for the listener takes a descriptor too.
    if (self->spare >= 0)
        close (self->spare);
    if (self->listener < 0 || !s_ours (self, self->listener, true))
        self->listener = s_find_listener (self);
    int fd;
    while (self->listener >= 0 &&
           (fd = accept4 (self->listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
        close (fd);
        self->refused++;
    }
    //  libzmq may take the slot first: then the next failure spins until
    //  a descriptor frees up, as without a guard.
    self->spare = open ("/dev/null", O_RDONLY | O_CLOEXEC);
}

static void
s_event (sein_accept_t *self, zsock_t *events)
{
    zmsg_t *msg = zmsg_recv (events);
    zframe_t *frame = msg ? zmsg_first (msg) : NULL;
    if (frame && zframe_size (frame) == 6) {
        uint16_t event;
        uint32_t value;
        memcpy (&event, zframe_data (frame), 2);
        memcpy (&value, zframe_data (frame) + 2, 4);
        if (event == ZMQ_EVENT_ACCEPTED &&
            (int) value >= self->limit - SEIN_ACCEPT_HEADROOM &&
            s_ours (self, (int) value, false)) {
            //  libzmq closes it when it sees the end; closing it here
            //  would pull the descriptor from under libzmq.
            shutdown ((int) value, SHUT_RDWR);
            self->refused++;
        } else if (event == ZMQ_EVENT_ACCEPT_FAILED && (value == EMFILE || value == ENFILE)) {
            self->refused++;
            s_drain (self);
        }
    }
    zmsg_destroy (&msg);
    s_log (self, !self->logged);
}

static void
s_actor (zsock_t *pipe, void *args)
{
    sein_accept_t *self = (sein_accept_t *) args;
    //  The monitor is bound already (sein_accept_new): this cannot fail.
    zsock_t *events = zsock_new_pair (NULL);
    zsock_connect (events, "inproc://sein-accept-%p", (void *) self);
    zsock_signal (pipe, 0);
    zpoller_t *poller = zpoller_new (pipe, events, NULL);
    while (true) {
        void *which = zpoller_wait (poller, self->refused ? S_LOG_EVERY : -1);
        if (which == pipe)
            break; //  $TERM, the only command
        if (which == events)
            s_event (self, events);
        else if (zpoller_terminated (poller))
            break;
        else
            s_log (self, false); //  the count of the last quiet while
    }
    zpoller_destroy (&poller);
    zsock_destroy (&events);
}

sein_accept_t *
sein_accept_new (zsock_t *socket, const char *endpoint)
{
    assert (socket);
    assert (endpoint);
    sein_accept_t *self = (sein_accept_t *) sein_calloc (1, sizeof *self);
    self->endpoint = sein_strdup (endpoint);
    self->listener = -1;
    self->spare = -1;
    if (strncmp (endpoint, "ipc://", 6) == 0)
        self->path = sein_strdup (endpoint + 6);
    else if (strncmp (endpoint, "tcp://", 6) == 0 && strrchr (endpoint, ':'))
        self->port = atoi (strrchr (endpoint, ':') + 1);
    struct rlimit limit;
    self->limit = getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < INT_MAX
                      ? (int) limit.rlim_cur
                      : INT_MAX;
    if (!self->path && !self->port)
        return self; //  inproc://: no descriptors
    self->spare = open ("/dev/null", O_RDONLY | O_CLOEXEC);
    //  libzmq made the listener in zmq_bind: found now, while there are
    //  descriptors to look with.
    self->listener = s_find_listener (self);
    char *monitor = sein_sprintf ("inproc://sein-accept-%p", (void *) self);
    if (zmq_socket_monitor (zsock_resolve (socket), monitor,
                            ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_ACCEPT_FAILED) == 0)
        self->actor = zactor_new (s_actor, self);
    else
        zsys_warning ("%s: cannot watch for running out of descriptors: %s", endpoint,
                      zmq_strerror (zmq_errno ()));
    zstr_free (&monitor);
    return self;
}

void
sein_accept_destroy (sein_accept_t **self_p)
{
    assert (self_p);
    sein_accept_t *self = *self_p;
    if (!self)
        return;
    zactor_destroy (&self->actor);
    if (self->spare >= 0)
        close (self->spare);
    zstr_free (&self->endpoint);
    zstr_free (&self->path);
    free (self);
    *self_p = NULL;
}
