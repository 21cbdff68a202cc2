// SPDX-License-Identifier: MPL-2.0
/*  bench_http - sein-http's throughput: Open311 POSTs through to seind, and
    Server-Sent Events to many browsers

    (a) POST: K keep-alive connections (a thread each) send N Open311
        requests in all, each waiting for its answer (200 with the
        service_request_id, sent after seind's commit), as K web forms or
        city systems would. Prints requests/s, the answers that were not
        200, seind's and the gateway's CPU.
    (b) SSE: S connections follow GET /events (a thread each), then E
        signals are POSTed through the gateway (K connections) at RATE a
        second (0: as fast as they are answered). Each
        signal carries its send time (CLOCK_MONOTONIC, microseconds) in
        media_url, which its event repeats, so a stream measures POST ->
        browser latency as it reads the event. Prints events/s delivered
        (over all streams) and latency percentiles, and checks every stream
        got every event, in seq order.

        bench_http [-n POSTS] [-k CONNECTIONS] [-s STREAMS] [-e EVENTS]
                   [-r RATE] [-y full|normal]

    The load generator writes its requests and reads the answers over
    plain sockets (the status line, Content-Length, and in a stream the
    `id:` and media_url of each event): Python's http.client would cost
    more CPU than the gateway on a 2-core machine, and then that is what
    would be measured. The gateway itself parses with libmicrohttpd.

    Target (issue 16): >= 5,000 POSTs/s on this machine; SSE to 100
    connections.
*/
#include "../sein_harness.h"

#include <arpa/inet.h>
#include <czmq.h>
#include <getopt.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <spawn.h>
#include <stdatomic.h>
#include <sys/wait.h>

extern char **environ;

static int s_port;
static long s_posts = 20000, s_events = 2000;
static int s_connections = 32, s_streams = 100;
static long s_rate = 1000; //  signals/s POSTed while the streams follow

static int64_t
s_usecs (void)
{
    struct timespec now;
    clock_gettime (CLOCK_MONOTONIC, &now);
    return (int64_t) now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

static int
s_connect (void)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons ((uint16_t) s_port)};
    inet_pton (AF_INET, "127.0.0.1", &address.sin_addr);
    int one = 1;
    setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect (fd, (struct sockaddr *) &address, sizeof address)) {
        close (fd);
        return -1;
    }
    return fd;
}

static int
s_write_all (int fd, const char *data, size_t size)
{
    while (size) {
        ssize_t wrote = write (fd, data, size);
        if (wrote <= 0)
            return -1;
        data += wrote;
        size -= (size_t) wrote;
    }
    return 0;
}

//  Read one answer on FD into BUF (SIZE bytes): its status, or -1.
static int
s_answer (int fd, char *buf, size_t size)
{
    size_t have = 0;
    char *end = NULL;
    while (!(end = have ? strstr (buf, "\r\n\r\n") : NULL)) {
        ssize_t got = read (fd, buf + have, size - 1 - have);
        if (got <= 0)
            return -1;
        have += (size_t) got;
        buf[have] = 0;
    }
    const char *length = strcasestr (buf, "Content-Length:");
    size_t body = length ? (size_t) atol (length + 15) : 0;
    size_t want = (size_t) (end + 4 - buf) + body;
    while (have < want && have < size - 1) {
        ssize_t got = read (fd, buf + have, size - 1 - have);
        if (got <= 0)
            return -1;
        have += (size_t) got;
    }
    buf[have] = 0;
    return atoi (buf + 9);
}

//  POST one Open311 request on FD: its status, or -1.
static int
s_post (int fd, long index, const char *tag)
{
    static const char *texts[] = {
        "Sluikstort van vuilniszakken aan de hoek van de straat",
        "Luide muziek tot 3 uur 's nachts in het studentenhuis",
        "Hangjongeren met scooters op het pleintje, elke avond",
        "Fietswrak al weken vastgemaakt aan de paal",
        "Omgewaaide boom blokkeert het fietspad langs de Dijle"};
    char body[512], request[1024], answer[4096];
    int size = snprintf (body, sizeof body,
                         "description=%s+%ld&lat=50.%04ld&long=4.%04ld&external_id=%s-%ld"
                         "&media_url=t%" PRId64,
                         texts[index % 5], index, 8700 + index % 200, 6900 + index % 300, tag,
                         index, s_usecs ());
    for (char *space = strchr (body, ' '); space; space = strchr (space, ' '))
        *space = '+';
    int length = snprintf (request, sizeof request,
                           "POST /open311/v2/requests.json HTTP/1.1\r\nHost: bench\r\n"
                           "Content-Type: application/x-www-form-urlencoded\r\n"
                           "Content-Length: %d\r\n\r\n%s",
                           size, body);
    if (s_write_all (fd, request, (size_t) length))
        return -1;
    return s_answer (fd, answer, sizeof answer);
}

typedef struct {
    long from, to;
    const char *tag;
    long failed;
    int64_t start, interval; //  pacing: request j at start + j * interval (us), 0: none
} s_poster_t;

static void *
s_poster (void *arg)
{
    s_poster_t *self = (s_poster_t *) arg;
    int fd = s_connect ();
    for (long index = self->from; index < self->to; index++) {
        int64_t due = self->start + (index - self->from) * self->interval;
        while (self->interval && s_usecs () < due)
            usleep ((useconds_t) (due - s_usecs ()));
        int status = fd < 0 ? -1 : s_post (fd, index, self->tag);
        if (status != 200) {
            self->failed++;
            if (status < 0) {
                if (fd >= 0)
                    close (fd);
                fd = s_connect ();
            }
        }
    }
    if (fd >= 0)
        close (fd);
    return NULL;
}

//  N requests over K connections, at RATE a second in all (0: as fast as
//  they are answered); returns the seconds it took.
static double
s_post_all (long count, int connections, const char *tag, long rate, long *failed)
{
    pthread_t threads[connections];
    s_poster_t posters[connections];
    int64_t start = s_usecs ();
    for (int index = 0; index < connections; index++) {
        posters[index] = (s_poster_t){count * index / connections,
                                      count * (index + 1) / connections, tag, 0, start,
                                      rate ? 1000000 * (int64_t) connections / rate : 0};
        pthread_create (&threads[index], NULL, s_poster, &posters[index]);
    }
    *failed = 0;
    for (int index = 0; index < connections; index++) {
        pthread_join (threads[index], NULL);
        *failed += posters[index].failed;
    }
    return (double) (s_usecs () - start) / 1e6;
}

//  ---------------------------------------------------------------------
//  Streams

typedef struct {
    int fd;
    long events;     //  received
    long disorder;   //  ids not one more than the one before
    int64_t *latency; //  microseconds, one per event
    int64_t last_at;  //  when the last event came
    atomic_bool ready;
} s_stream_t;

static void *
s_reader (void *arg)
{
    s_stream_t *self = (s_stream_t *) arg;
    //  HTTP/1.0: the stream comes unchunked, and ends with the connection.
    const char *request = "GET /events HTTP/1.0\r\nHost: bench\r\n\r\n";
    s_write_all (self->fd, request, strlen (request));
    size_t room = 1 << 20, have = 0;
    char *buf = (char *) malloc (room);
    long last_id = -1;
    while (self->events < s_events) {
        ssize_t got = read (self->fd, buf + have, room - 1 - have);
        if (got <= 0)
            break;
        have += (size_t) got;
        buf[have] = 0;
        if (!atomic_load (&self->ready) && strstr (buf, ": sein"))
            atomic_store (&self->ready, true);
        //  Each complete event: "id: N\ndata: {...}\n\n".
        char *cursor = buf, *event;
        while ((event = strstr (cursor, "id: ")) && strstr (event, "\n\n")) {
            char *end = strstr (event, "\n\n");
            long id = atol (event + 4);
            if (last_id >= 0 && id != last_id + 1)
                self->disorder++;
            last_id = id;
            *end = 0;
            const char *sent = strstr (event, "\"media_url\":\"t");
            if (sent)
                self->latency[self->events] = s_usecs () - atoll (sent + 14);
            self->events++;
            self->last_at = s_usecs ();
            cursor = end + 2;
        }
        have -= (size_t) (cursor - buf);
        memmove (buf, cursor, have);
    }
    free (buf);
    return NULL;
}

static int
s_compare (const void *one, const void *other)
{
    int64_t a = *(const int64_t *) one, b = *(const int64_t *) other;
    return (a > b) - (a < b);
}

static pid_t
s_start_gateway (sein_harness_t *harness)
{
    char port[64];
    snprintf (port, sizeof port, "http.port=%d", s_port);
    const char *argv[64] = {SEIN_BINARY_DIR "/sein-http", "-c", harness->config, "-o",
                            "http.enabled=true", "-o", port};
    int argc = 7;
    for (int index = 0; index < harness->noverrides && argc < 60; index++) {
        argv[argc++] = "-o";
        argv[argc++] = harness->overrides[index];
    }
    argv[argc] = NULL;
    pid_t pid;
    if (posix_spawn (&pid, argv[0], NULL, NULL, (char **) argv, environ))
        return -1;
    //  Ready when it answers.
    for (int tries = 0; tries < 200; tries++) {
        int fd = s_connect ();
        if (fd >= 0) {
            char answer[1024];
            const char *request = "GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n";
            int status = s_write_all (fd, request, strlen (request))
                             ? -1
                             : s_answer (fd, answer, sizeof answer);
            close (fd);
            if (status == 200)
                return pid;
        }
        zclock_sleep (50);
    }
    kill (pid, SIGKILL);
    return -1;
}

int
main (int argc, char **argv)
{
    const char *sync = "full";
    int option;
    while ((option = getopt (argc, argv, "n:k:s:e:r:y:")) != -1) {
        if (option == 'n')
            s_posts = atol (optarg);
        else if (option == 'k')
            s_connections = atoi (optarg);
        else if (option == 's')
            s_streams = atoi (optarg);
        else if (option == 'e')
            s_events = atol (optarg);
        else if (option == 'r')
            s_rate = atol (optarg);
        else if (option == 'y')
            sync = optarg;
        else {
            fprintf (stderr, "usage: bench_http [-n POSTS] [-k CONNECTIONS] [-s STREAMS] "
                             "[-e EVENTS] [-r RATE] [-y full|normal]\n");
            return 64;
        }
    }
    if (s_connections < 1 || s_connections > 1000 || s_streams < 0 || s_streams > 1000 ||
        s_posts < 1 || s_events < 1 || s_rate < 0)
        return 64;
    sein_harness_t harness;
    if (sein_harness_init (&harness, 0))
        return 1;
    char synchronous[64];
    snprintf (synchronous, sizeof synchronous, "storage.synchronous=%s", sync);
    sein_harness_set (&harness, synchronous);
    //  Many signals a second from a few streets: no nearby-report links,
    //  whose events would be more than the signals.
    sein_harness_set (&harness, "lifecycle.link_radius=0");
    sein_harness_set (&harness, "http.connections_max=2048");
    if (sein_harness_start (&harness)) {
        sein_harness_cleanup (&harness);
        return 1;
    }
    int probe = socket (AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET};
    inet_pton (AF_INET, "127.0.0.1", &address.sin_addr);
    socklen_t length = sizeof address;
    bind (probe, (struct sockaddr *) &address, sizeof address);
    getsockname (probe, (struct sockaddr *) &address, &length);
    s_port = ntohs (address.sin_port);
    close (probe);
    pid_t gateway = s_start_gateway (&harness);
    if (gateway < 0) {
        fprintf (stderr, "bench_http: sein-http did not start\n");
        sein_harness_cleanup (&harness);
        return 1;
    }
    int status = 0;
    printf ("bench_http: storage.synchronous=%s\n", sync);
    //  (a) POSTs.
    long failed;
    double cpu_seind = sein_harness_cpu (harness.pid), cpu_http = sein_harness_cpu (gateway);
    double seconds = s_post_all (s_posts, s_connections, "a", 0, &failed);
    cpu_seind = sein_harness_cpu (harness.pid) - cpu_seind;
    cpu_http = sein_harness_cpu (gateway) - cpu_http;
    //  CPU per request tells more than the rate on a machine that others
    //  share: the rate two free cores would give is about 2 / (the sum).
    printf ("POST: %ld requests over %d connections in %.2f s: %.0f requests/s, %ld not 200; "
            "CPU seind %.2f s (%.0f us/request), sein-http %.2f s (%.0f us/request)\n",
            s_posts, s_connections, seconds, (double) s_posts / seconds, failed, cpu_seind,
            cpu_seind * 1e6 / (double) s_posts, cpu_http, cpu_http * 1e6 / (double) s_posts);
    if (failed)
        status = 1;
    //  (b) Streams.
    if (s_streams) {
        s_stream_t *streams = (s_stream_t *) calloc ((size_t) s_streams, sizeof *streams);
        pthread_t *readers = (pthread_t *) calloc ((size_t) s_streams, sizeof *readers);
        for (int index = 0; index < s_streams; index++) {
            streams[index].fd = s_connect ();
            streams[index].latency = (int64_t *) calloc ((size_t) s_events, sizeof (int64_t));
            pthread_create (&readers[index], NULL, s_reader, &streams[index]);
        }
        for (int index = 0; index < s_streams; index++)
            while (!atomic_load (&streams[index].ready))
                zclock_sleep (10);
        int64_t start = s_usecs ();
        double post_seconds = s_post_all (s_events, s_connections, "b", s_rate, &failed);
        for (int index = 0; index < s_streams; index++)
            pthread_join (readers[index], NULL);
        int64_t last = start;
        long delivered = 0, disorder = 0;
        int64_t *all = (int64_t *) calloc ((size_t) (s_events * s_streams), sizeof (int64_t));
        for (int index = 0; index < s_streams; index++) {
            if (streams[index].last_at > last)
                last = streams[index].last_at;
            memcpy (all + delivered, streams[index].latency,
                    (size_t) streams[index].events * sizeof (int64_t));
            delivered += streams[index].events;
            disorder += streams[index].disorder;
            close (streams[index].fd);
            free (streams[index].latency);
        }
        qsort (all, (size_t) delivered, sizeof (int64_t), s_compare);
        double span = (double) (last - start) / 1e6;
        printf ("SSE: %d streams, %ld signals POSTed (rate %ld/s) in %.2f s; %ld of %ld events "
                "delivered in %.2f s: %.0f events/s; latency POST -> stream p50 %.1f ms, p99 %.1f ms, "
                "max %.1f ms; %ld out of order\n",
                s_streams, s_events, s_rate, post_seconds, delivered, s_events * s_streams, span,
                (double) delivered / span, delivered ? all[delivered / 2] / 1e3 : 0,
                delivered ? all[delivered * 99 / 100] / 1e3 : 0,
                delivered ? all[delivered - 1] / 1e3 : 0, disorder);
        if (delivered != s_events * s_streams || disorder || failed)
            status = 1;
        free (all);
        free (streams);
        free (readers);
    }
    kill (gateway, SIGTERM);
    waitpid (gateway, NULL, 0);
    sein_harness_cleanup (&harness);
    return status;
}
