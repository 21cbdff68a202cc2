// SPDX-License-Identifier: MPL-2.0
/*  bench_watch - delivery, latency and replay of the real seind's watch stream

    (a) Live: W watchers (threads, each a sein_watcher_t) follow the stream
        while one submitter sends signals at a fixed rate for some seconds.
        Each signal carries its send time (zclock_usecs, this process's
        clock) in an attribute, which every event repeats, so a watcher
        measures submit -> delivery latency when libsein hands it the event.
        Prints delivery throughput, latency percentiles, ack latency for
        scale, seind's CPU and peak RSS, and checks every watcher got every
        event it was due, in order.
    (b) Replay: a store of N signals is written straight through
        sein_store (the daemon's own class, before the daemon starts; much
        faster than submitting), from real events: signals submitted to and
        classified by seind first, then repeated with fresh seq, id and
        time, and its text index brought up to date, as a running seind
        keeps it (else seind's query actor indexes the whole store during
        the rounds, at about a fifth of their CPU, more in some rounds than
        in others). Then one new watcher reads from seq 1 to the last event;
        prints events/s, seind's CPU and peak RSS, and for scale how fast
        the store alone reads the same rows and how fast libsein's JSON
        parsing alone goes.

        bench_watch [-w WATCHERS] [-r RATE] [-t SECONDS] [-f all|mix]
                    [-n REPLAY] [-c CREDIT] [-p PORT] [-s SYNC] [-a|-b] [-l] [-C]
                    [-k ROUNDS] [-o SETTING=VALUE ...]

    The live watchers speak the protocol straight over TCP (ZMTP by hand,
    up to 100 in one thread, reading only the seq and the send time): on
    a small machine that runs seind and 100 clients on the same cores, the
    clients' JSON parsing and libzmq's thread hand-offs are otherwise what
    is measured, not seind. -l makes them sein_watcher_t instead, a thread
    each, as a dashboard on libsein would be. -s normal takes the fsync
    of each commit out of the submit -> watcher latency (default full, as
    shipped).

    -o SETTING=VALUE (up to 4) goes to every seind started, as its own -o
    does: watch.credit_max=4000 with -c 4000, say.

    -C turns security on (CURVE) for both parts; the replay then runs
    ROUNDS times (-k, default 3) without and with security in turn, seind
    restarted on the same store each time, and prints the medians and
    their ratio.

    Targets (issue 4): p99 submit -> watcher < 10 ms at 1,000 signals/s
    with 100 watchers; replay >= 200,000 events/s. Issue 12: the replay
    with security reaches >= 80% of its rate without.
*/
#include "../sein_harness.h"
#include "sein.h"
#include "sein_store.h"

#include <czmq.h>
#include <getopt.h>
#include <pthread.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/un.h>

//  Explicit areas, so a filtered watcher knows what it is due: the five
//  wijken and the four project zones.
//  -C: seind with security on (sein_harness_secure), every client on
//  CURVE with the harness's key; NULL without. The bare ZMTP watchers
//  cannot speak CURVE: -C implies -l.
static sein_keys_t *s_keys;
static bool s_secure;
//  -o: settings for every seind started here, as its -o takes them.
static const char *s_settings[4]; //  the harness takes 16 overrides in all
static int s_nsettings;

static void
s_settings_apply (sein_harness_t *daemon)
{
    for (int index = 0; index < s_nsettings; index++)
        sein_harness_set (daemon, s_settings[index]);
}

static const char *s_areas[] = {"binnenstad", "kessel-lo",   "heverlee",
                                "wilsele",    "wijgmaal",    "casablanca",
                                "hoogland",   "heilig-hart", "burgemeestersstraat"};
#define S_AREAS (sizeof s_areas / sizeof s_areas[0])

//  The filters of -f mix, in turn: what team dashboards would follow.
static const char *s_mix[] = {
    NULL,
    "{\"area\":[\"heverlee\"]}",
    "{\"theme\":[\"jeugd\"]}",
    "{\"team\":[\"regie-heilig-hart\"]}",
    "{\"area\":[\"binnenstad\",\"kessel-lo\"]}",
    "{\"priority\":[\"high\",\"urgent\"]}",
    "{\"team\":[\"dienst-reiniging\"]}",
    "{\"area\":[\"kessel-lo\"],\"theme\":[\"afval\",\"overlast\"]}",
};
#define S_MIX (sizeof s_mix / sizeof s_mix[0])

static int
s_compare (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return x < y ? -1 : x > y;
}


static double
s_percentile (int64_t *sorted, size_t count, double fraction)
{
    if (count == 0)
        return -1;
    size_t index = (size_t) (fraction * (double) count);
    return (double) sorted[index < count ? index : count - 1];
}

//  ---------------------------------------------------------------------
//  (a) Live delivery

typedef struct {
    const char *endpoint;
    json_t *filter;
    int credit;
    bool raw;         //  speak the protocol directly instead of libsein
    volatile int *ready;
    volatile bool *stop;
    int64_t *latency; //  µs, one per event received
    int64_t *index;   //  which submission each was, for the ack delta
    int64_t *at;      //  when it arrived (zclock_usecs)
    size_t capacity;
    size_t received;
    volatile long due; //  set by main once the submitter is done; -1: give up
    long disorder;    //  events not in increasing seq order
    int64_t last_seq;
    int64_t last_at;  //  zclock_usecs of the last event
} s_watcher_t;

//  Note one event: SEQ, and STAMP, its attribute "bench_sent" that says
//  "<send time in µs>-<index>".
static void
s_note (s_watcher_t *self, int64_t seq, const char *stamp)
{
    int64_t now = zclock_usecs ();
    if (seq <= self->last_seq)
        self->disorder++;
    self->last_seq = seq;
    if (stamp && self->received < self->capacity) {
        char *dash = NULL;
        self->latency[self->received] = now - strtoll (stamp, &dash, 10);
        self->index[self->received] = dash && *dash == '-' ? atol (dash + 1) : -1;
        self->at[self->received++] = now;
    }
    self->last_at = now;
}

static bool
s_watching (s_watcher_t *self)
{
    return !*self->stop || (self->due >= 0 && (long) self->received < self->due);
}

//  The send time in an event's text: "bench_sent":"<µs>-<index>".
static const char *
s_stamp (const char *body, size_t size)
{
    const char *stamp = (const char *) memmem (body, size, "\"bench_sent\":\"", 14);
    return stamp ? stamp + 14 : NULL;
}

//  A dashboard on libsein that passes events on as text, as sein-watch
//  --json does (sein_watcher_recv_raw: no JSON parse per event).
static void
s_watch_libsein (s_watcher_t *self)
{
    sein_watcher_t *watcher =
        sein_watcher_new (self->endpoint, self->filter, 0, NULL, self->credit);
    sein_watcher_set_keys (watcher, s_keys);
    //  Live only: open the session before the submitter starts.
    int64_t deadline = zclock_mono () + 30000;
    while (!sein_watcher_connected (watcher) && zclock_mono () < deadline)
        sein_watcher_recv_raw (watcher, 20, NULL);
    __atomic_add_fetch (self->ready, 1, __ATOMIC_SEQ_CST);
    while (s_watching (self)) {
        size_t size;
        const char *body = sein_watcher_recv_raw (watcher, 50, &size);
        if (body)
            s_note (self, sein_watcher_last_seq (watcher), s_stamp (body, size));
    }
    sein_watcher_destroy (&watcher);
}

//  Sessions spoken straight over TCP: ZMTP 3.0 (rfc.zeromq.org/spec/23)
//  with the NULL mechanism, written by hand, all sessions of a group in
//  one thread with epoll. Each behaves as libsein does (WATCH, CREDIT after
//  half the credit, HEARTBEAT every second) but reads only the seq and the
//  send time out of each body. With libzmq, each delivery would also cost
//  a hand-off from the client's I/O thread to the reading thread; on a
//  2-core machine that shares its cores with seind, those clients, not
//  seind, are then what is measured.
#define S_GROUP 100
#define S_BUFFER 65536

typedef struct {
    int fd;
    char *buffer;     //  bytes read and not yet parsed
    size_t filled;
    int frame;        //  index of the next frame in the current message
    char command[16]; //  frame 2 of the current message
    long consumed;
    int64_t last_sent;
    bool open;
} s_session_t;

//  Write SIZE bytes or give up: the socket is blocking, sends are small.
static void
s_write_all (s_session_t *session, const void *data, size_t size)
{
    const char *cursor = (const char *) data;
    while (size > 0) {
        ssize_t done = write (session->fd, cursor, size);
        if (done <= 0 && errno != EINTR) {
            fprintf (stderr, "bench_watch: write: %s\n", strerror (errno));
            return;
        }
        if (done > 0) {
            cursor += done;
            size -= (size_t) done;
        }
    }
}

//  One protocol message: [SEIN/1] [command] [tag] [body], frames of at
//  most 255 bytes (short frames).
static void
s_send_raw (s_session_t *session, const char *command, const char *body)
{
    const char *parts[4] = {SEIN_PROTOCOL, command, "raw", body};
    char wire[1200];
    size_t size = 0;
    for (int index = 0; index < 4; index++) {
        size_t length = strlen (parts[index]);
        assert (length < 256 && size + 2 + length <= sizeof wire);
        wire[size++] = index < 3 ? 0x01 : 0x00; //  MORE, short
        wire[size++] = (char) length;
        memcpy (wire + size, parts[index], length);
        size += length;
    }
    s_write_all (session, wire, size);
    session->last_sent = zclock_mono ();
}

//  Connect to ENDPOINT (tcp://host:port or ipc://path) and greet.
static int
s_connect_raw (s_session_t *session, const char *endpoint)
{
    struct sockaddr_in tcp = {.sin_family = AF_INET};
    struct sockaddr_un ipc = {.sun_family = AF_UNIX};
    struct sockaddr *address = (struct sockaddr *) &ipc;
    socklen_t address_size = sizeof ipc;
    if (strncmp (endpoint, "tcp://", 6) == 0) {
        char host[64];
        int port = 0;
        if (sscanf (endpoint + 6, "%63[^:]:%d", host, &port) != 2
            || inet_pton (AF_INET, host, &tcp.sin_addr) != 1)
            return -1;
        tcp.sin_port = htons ((uint16_t) port);
        address = (struct sockaddr *) &tcp;
        address_size = sizeof tcp;
    } else
        snprintf (ipc.sun_path, sizeof ipc.sun_path, "%s", endpoint + 6);
    int fd = socket (address->sa_family, SOCK_STREAM, 0);
    int on = 1;
    if (address->sa_family == AF_INET)
        setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on); //  as libzmq
    if (fd < 0 || connect (fd, address, address_size)) {
        if (fd >= 0)
            close (fd);
        return -1;
    }
    session->fd = fd;
    //  Greeting: signature, version 3.0, mechanism NULL, as-server 0,
    //  filler; then the READY command with our socket type. libzmq resets
    //  a connection whose first message arrives before its handshake is
    //  done, so wait for the peer's greeting and READY, as libzmq does.
    unsigned char greeting[64] = {0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 3, 0, 'N', 'U', 'L', 'L'};
    s_write_all (session, greeting, sizeof greeting);
    static const char ready[] = "\x04\x1c\x05READY\x0bSocket-Type\x00\x00\x00\x06" "DEALER";
    s_write_all (session, ready, sizeof ready - 1);
    //  The peer's READY is a short command frame: 64 + 2 + its size.
    while (session->filled < 66 || session->filled < 66 + (size_t) (unsigned char) session->buffer[65]) {
        ssize_t got = read (fd, session->buffer + session->filled, S_BUFFER - session->filled);
        if (got <= 0)
            return -1;
        session->filled += (size_t) got;
    }
    assert (session->buffer[64] == 0x04); //  a short command: READY
    size_t handshake = 66 + (size_t) (unsigned char) session->buffer[65];
    memmove (session->buffer, session->buffer + handshake, session->filled - handshake);
    session->filled -= handshake;
    return 0;
}

//  One complete frame of the current message: FLAGS, DATA, SIZE.
static void
s_frame_raw (s_watcher_t *self, s_session_t *session, int flags, const char *data,
             size_t size)
{
    if (flags & 0x04)
        return; //  a command (the peer's READY): nothing to do
    int frame = session->frame;
    session->frame = flags & 0x01 ? frame + 1 : 0;
    if (frame == 1) {
        size_t length = size < 15 ? size : 15;
        memcpy (session->command, data, length);
        session->command[length] = 0;
    } else if (frame == 3) {
        if (streq (session->command, SEIN_WATCH) && !session->open) {
            session->open = true;
            __atomic_add_fetch (self->ready, 1, __ATOMIC_SEQ_CST);
        } else if (streq (session->command, SEIN_EVENT)) {
            //  {"seq":N,... and "bench_sent":"...
            s_note (self, strtoll (data + 7, NULL, 10), s_stamp (data, size));
            if (++session->consumed >= self->credit / 2) {
                char grant[32];
                snprintf (grant, sizeof grant, "{\"credit\":%ld}", session->consumed);
                s_send_raw (session, SEIN_CREDIT, grant);
                session->consumed = 0;
            }
        }
    }
}

//  Read what SESSION has waiting and handle every complete frame; false
//  when the connection is gone.
static bool
s_drain_raw (s_watcher_t *self, s_session_t *session)
{
    ssize_t got = read (session->fd, session->buffer + session->filled,
                        S_BUFFER - session->filled);
    if (got < 0 && errno == EINTR)
        return true;
    if (got <= 0) {
        //  seind closed it: this watcher will come up short.
        fprintf (stderr, "bench_watch: session lost: %s\n", got ? strerror (errno) : "closed");
        return false;
    }
    session->filled += (size_t) got;
    size_t at = 0;
    while (session->filled - at >= 2) {
        unsigned char flags = (unsigned char) session->buffer[at];
        size_t header = flags & 0x02 ? 9 : 2, size = 0;
        if (session->filled - at < header)
            break;
        for (size_t byte = 1; byte < header; byte++)
            size = size << 8 | (unsigned char) session->buffer[at + byte];
        assert (size < S_BUFFER / 2);
        if (session->filled - at < header + size)
            break;
        s_frame_raw (self, session, flags, session->buffer + at + header, size);
        at += header + size;
    }
    memmove (session->buffer, session->buffer + at, session->filled - at);
    session->filled -= at;
    return true;
}

static void
s_watch_raw (s_watcher_t *group, int size)
{
    s_session_t sessions[S_GROUP];
    int epoll = epoll_create1 (0);
    assert (epoll >= 0);
    for (int index = 0; index < size; index++) {
        s_watcher_t *self = &group[index];
        s_session_t *session = &sessions[index];
        *session = (s_session_t){.buffer = (char *) zmalloc (S_BUFFER)};
        if (s_connect_raw (session, self->endpoint)) {
            fprintf (stderr, "bench_watch: cannot connect to %s\n", self->endpoint);
            exit (69);
        }
        json_t *request = json_pack (
            "{s:o,s:i,s:i}", "filter", self->filter ? json_incref (self->filter) : json_object (),
            "since", 0, "credit", self->credit);
        char *text = json_dumps (request, JSON_COMPACT);
        s_send_raw (session, SEIN_WATCH, text);
        free (text);
        json_decref (request);
        struct epoll_event event = {.events = EPOLLIN, .data.u32 = (uint32_t) index};
        epoll_ctl (epoll, EPOLL_CTL_ADD, session->fd, &event);
    }
    int64_t next_beat = zclock_mono () + 1000;
    while (true) {
        bool watching = false;
        for (int index = 0; index < size; index++)
            watching |= s_watching (&group[index]);
        if (!watching)
            break;
        struct epoll_event events[S_GROUP];
        int ready = epoll_wait (epoll, events, S_GROUP, 50);
        for (int at = 0; at < ready; at++) {
            int index = (int) events[at].data.u32;
            if (!s_drain_raw (&group[index], &sessions[index]))
                epoll_ctl (epoll, EPOLL_CTL_DEL, sessions[index].fd, NULL);
        }
        if (zclock_mono () >= next_beat) {
            for (int index = 0; index < size; index++)
                if (zclock_mono () - sessions[index].last_sent >= 1000)
                    s_send_raw (&sessions[index], SEIN_HEARTBEAT, "{}");
            next_beat = zclock_mono () + 100;
        }
    }
    close (epoll);
    for (int index = 0; index < size; index++) {
        s_send_raw (&sessions[index], SEIN_CLOSE, "{}");
        close (sessions[index].fd);
        free (sessions[index].buffer);
    }
}

typedef struct {
    s_watcher_t *first;
    int size;
} s_thread_t;

static void *
s_watcher (void *arg)
{
    s_thread_t *thread = (s_thread_t *) arg;
    if (thread->first->raw)
        s_watch_raw (thread->first, thread->size);
    else
        s_watch_libsein (thread->first);
    return NULL;
}

typedef struct {
    int64_t *ack_latency;
    int64_t *ack_at;  //  when the ack of each submission arrived, 0 if none
    long total;
    long acks;
    long unreadable;
    int64_t first_sent;
} s_submitted_t;

//  One submitter at RATE per second for SECONDS, pipelined.
static void
s_submit (const char *endpoint, int rate, int seconds, s_submitted_t *result)
{
    sein_client_t *client = sein_client_new_secure (endpoint, s_keys);
    long total = (long) rate * seconds;
    int64_t *sent_at = (int64_t *) zmalloc (sizeof (int64_t) * (size_t) total);
    result->ack_latency = (int64_t *) zmalloc (sizeof (int64_t) * (size_t) total);
    result->ack_at = (int64_t *) zmalloc (sizeof (int64_t) * (size_t) total);
    result->total = total;
    long sent = 0, received = 0;
    int64_t start = zclock_usecs ();
    result->first_sent = start;
    while (received < total) {
        int64_t now = zclock_usecs ();
        int64_t due = start + sent * 1000000 / rate;
        if (sent < total && now >= due) {
            sent_at[sent] = zclock_usecs ();
            char *body = zsys_sprintf (
                "{\"description\":\"%s\",\"source\":\"citizen\",\"channel\":\"app\","
                "\"area\":\"%s\",\"external_id\":\"L%lld-%ld\",\"reporter\":{\"name\":"
                "\"Jan Peeters\",\"email\":\"jan@example.org\"},"
                "\"attributes\":{\"bench_sent\":\"%lld-%ld\"}}",
                sein_harness_texts[sent % SEIN_HARNESS_TEXTS],
                s_areas[(sent / SEIN_HARNESS_TEXTS) % S_AREAS], (long long)sent_at[sent],
                sent, (long long)sent_at[sent], sent);
            char corr[24];
            snprintf (corr, sizeof corr, "%ld", sent);
            sein_client_send_raw (client, SEIN_SUBMIT, corr, body, strlen (body), 5000);
            zstr_free (&body);
            sent++;
            continue;
        }
        //  Rounded up: a wait of 0 would spin and take a core from seind.
        int wait = sent < total ? (int) ((due - now + 999) / 1000) : 30000;
        char *corr = NULL;
        json_t *reply = sein_client_recv (client, wait, &corr, NULL);
        if (reply) {
            long index = corr ? atol (corr) : -1;
            const char *status = json_string_value (json_object_get (reply, "status"));
            if (index >= 0 && index < total && status && streq (status, "accepted")) {
                result->ack_at[index] = zclock_usecs ();
                result->ack_latency[result->acks++] = result->ack_at[index] - sent_at[index];
            }
            received++;
        } else if (corr) {
            result->unreadable++; //  a reply, but not JSON
            received++;
        } else if (sent >= total)
            break; //  30 s without a reply: the rest will not come
        zstr_free (&corr);
        json_decref (reply);
    }
    free (sent_at);
    sein_client_destroy (&client);
}

//  Every stored event (EVENTS in pages), to know what each watcher is due.
static json_t *
s_stored (const char *endpoint)
{
    sein_client_t *client = sein_client_new_secure (endpoint, s_keys);
    json_t *all = json_array ();
    json_int_t from = 1;
    while (true) {
        json_t *request = json_pack ("{s:I,s:i}", "from", from, "limit", 1000);
        json_t *reply = sein_client_call (client, SEIN_EVENTS, request, 10000);
        json_decref (request); //  the call does not take it
        json_t *events = json_object_get (reply, "events");
        size_t count = json_array_size (events);
        json_array_extend (all, events);
        json_decref (reply);
        if (count == 0)
            break;
        from += (json_int_t) count;
    }
    sein_client_destroy (&client);
    return all;
}

static int
s_live (sein_harness_t *daemon, int watchers, int rate, int seconds, bool mix, int credit,
        bool raw)
{
    printf ("(a) live: %d watchers (%s, %s), %d signals/s for %d s, credit %d\n", watchers,
            raw ? "bare ZMTP sessions, 100 to a thread" : "sein_watcher_t, a thread each",
            mix ? "mixed filters" : "no filter", rate, seconds, credit);
    volatile int ready = 0;
    volatile bool stop = false;
    s_watcher_t *args = (s_watcher_t *) zmalloc (sizeof (s_watcher_t) * (size_t) watchers);
    pthread_t *threads = (pthread_t *) zmalloc (sizeof (pthread_t) * (size_t) watchers);
    s_thread_t *groups = (s_thread_t *) zmalloc (sizeof (s_thread_t) * (size_t) watchers);
    int nthreads = 0;
    size_t capacity = (size_t) rate * (size_t) seconds + 16;
    for (int index = 0; index < watchers; index++) {
        const char *filter = mix ? s_mix[index % S_MIX] : NULL;
        s_watcher_t *watcher = &args[index];
        watcher->endpoint = daemon->watch;
        watcher->filter = filter ? json_loads (filter, 0, NULL) : NULL;
        watcher->credit = credit;
        watcher->raw = raw;
        watcher->ready = &ready;
        watcher->stop = &stop;
        watcher->latency = (int64_t *) zmalloc (sizeof (int64_t) * capacity);
        watcher->index = (int64_t *) zmalloc (sizeof (int64_t) * capacity);
        watcher->at = (int64_t *) zmalloc (sizeof (int64_t) * capacity);
        watcher->capacity = capacity;
        watcher->due = -1;
    }
    //  libsein's watcher blocks: one thread each. Bare sessions: S_GROUP
    //  to a thread.
    for (int index = 0; index < watchers; index += raw ? S_GROUP : 1) {
        int size = raw ? (watchers - index < S_GROUP ? watchers - index : S_GROUP) : 1;
        groups[nthreads] = (s_thread_t){&args[index], size};
        pthread_create (&threads[nthreads], NULL, s_watcher, &groups[nthreads]);
        nthreads++;
    }
    int64_t deadline = zclock_mono () + 30000;
    while (ready < watchers && zclock_mono () < deadline)
        zclock_sleep (10);
    if (ready < watchers) {
        fprintf (stderr, "bench_watch: only %d of %d watchers connected\n", ready, watchers);
        return -1;
    }
    double cpu_before = sein_harness_cpu (daemon->pid);
    double own_before = sein_harness_cpu (getpid ());
    s_submitted_t submitted = {0};
    s_submit (daemon->intake, rate, seconds, &submitted);
    //  What each watcher is due: every stored event its filter selects.
    json_t *stored = s_stored (daemon->intake);
    long due_total = 0;
    for (int index = 0; index < watchers; index++) {
        long due = 0;
        size_t position;
        json_t *event;
        json_array_foreach (stored, position, event) due +=
            sein_harness_selects (args[index].filter, event);
        args[index].due = due;
        due_total += due;
    }
    stop = true;
    int64_t drain = zclock_mono () + 30000;
    for (int index = 0; index < watchers; index++) {
        //  A watcher that misses events would run forever: give up on it.
        while (zclock_mono () < drain && (long) args[index].received < args[index].due)
            zclock_sleep (5);
        if ((long) args[index].received < args[index].due)
            args[index].due = -1;
    }
    for (int index = 0; index < nthreads; index++)
        pthread_join (threads[index], NULL);
    double cpu = sein_harness_cpu (daemon->pid) - cpu_before;
    double own = sein_harness_cpu (getpid ()) - own_before;
    size_t delivered = 0;
    long short_watchers = 0, disorder = 0;
    int64_t last_at = 0;
    for (int index = 0; index < watchers; index++) {
        delivered += args[index].received;
        disorder += args[index].disorder;
        if (args[index].due < 0)
            short_watchers++;
        if (args[index].last_at > last_at)
            last_at = args[index].last_at;
    }
    int64_t *all = (int64_t *) zmalloc (sizeof (int64_t) * (delivered + 1));
    //  Delivery after the ack: the ack goes out right after the commit and
    //  just before the event is published, so this is the watch path's own
    //  share (it can be below 0: two threads of this process race).
    int64_t *after_ack = (int64_t *) zmalloc (sizeof (int64_t) * (delivered + 1));
    size_t count = 0, acked = 0;
    int64_t worst_p99 = 0;
    for (int index = 0; index < watchers; index++) {
        s_watcher_t *watcher = &args[index];
        for (size_t event = 0; event < watcher->received; event++) {
            int64_t which = watcher->index[event];
            if (which >= 0 && which < submitted.total && submitted.ack_at[which])
                after_ack[acked++] = watcher->at[event] - submitted.ack_at[which];
        }
        qsort (watcher->latency, watcher->received, sizeof (int64_t), s_compare);
        int64_t p99 = (int64_t) s_percentile (watcher->latency, watcher->received, 0.99);
        if (p99 > worst_p99)
            worst_p99 = p99;
        memcpy (all + count, watcher->latency, watcher->received * sizeof (int64_t));
        count += watcher->received;
        free (watcher->latency);
        free (watcher->index);
        free (watcher->at);
        json_decref (watcher->filter);
    }
    qsort (all, count, sizeof (int64_t), s_compare);
    qsort (after_ack, acked, sizeof (int64_t), s_compare);
    qsort (submitted.ack_latency, (size_t) submitted.acks, sizeof (int64_t), s_compare);
    double elapsed = (double) (last_at - submitted.first_sent) / 1e6;
    if (submitted.unreadable)
        printf ("    %ld replies were not JSON\n", submitted.unreadable);
    printf ("    %ld of %ld submissions acked, %zu stored; delivered %zu of %ld due (%ld "
            "watchers short, %ld events out of order)\n",
            submitted.acks, submitted.total, json_array_size (stored), delivered, due_total,
            short_watchers, disorder);
    printf ("    delivery throughput: %.0f events/s in total over %.1f s\n",
            (double) delivered / elapsed, elapsed);
    //  Which watchers the p99 is of, beside the target: the bare sessions'
    //  figure is seind's, not what a dashboard on libsein sees.
    printf ("    submit -> watcher latency (%s): p50 %.0f us, p90 %.0f us, p99 %.0f us "
            "(target < 10000), p99.9 %.0f us, max %.0f us; worst watcher's p99 %lld us\n",
            raw ? "bare ZMTP watchers" : "libsein sein_watcher_t watchers",
            s_percentile (all, count, 0.50), s_percentile (all, count, 0.90),
            s_percentile (all, count, 0.99), s_percentile (all, count, 0.999),
            s_percentile (all, count, 1.0), (long long) worst_p99);
    if (raw)
        printf ("    libsein's own p99 (sein_watcher_t, a thread each) is not measured in "
                "this run: bench_watch -a -l measures it\n");
    printf ("    ack -> watcher (the watch path's share): p50 %.0f us, p99 %.0f us, "
            "max %.0f us\n",
            s_percentile (after_ack, acked, 0.50), s_percentile (after_ack, acked, 0.99),
            s_percentile (after_ack, acked, 1.0));
    printf ("    submit -> ack latency (for scale): p50 %.0f us, p99 %.0f us\n",
            s_percentile (submitted.ack_latency, (size_t) submitted.acks, 0.50),
            s_percentile (submitted.ack_latency, (size_t) submitted.acks, 0.99));
    printf ("    seind: %.2f CPU s (%.0f%% of a core), peak RSS %ld kB; this process "
            "(watchers + submitter): %.0f%% of a core\n",
            cpu, 100 * cpu / elapsed, sein_harness_memory (daemon, true),
            100 * own / elapsed);
    free (all);
    free (after_ack);
    free (submitted.ack_latency);
    free (submitted.ack_at);
    json_decref (stored);
    free (args);
    free (threads);
    free (groups);
    return short_watchers || disorder ? -1 : 0;
}

//  ---------------------------------------------------------------------
//  (b) Replay

typedef struct {
    char *tail;           //  the stored body after its "seq" and "id"
    size_t tail_size;
    size_t time_offset;   //  where received_at's value starts in tail
    char area[32], wijk[32], theme[32], priority[16], source[16];
    char teams[256];      //  ",a,b,"
} s_template_t;

//  Real events to copy: submit one signal per text and area to a running
//  seind and read back what it stored. Returns the number of templates.
static int
s_templates (sein_harness_t *daemon, s_template_t *templates, int max)
{
    sein_client_t *client = sein_client_new_secure (daemon->intake, s_keys);
    int count = 0;
    for (size_t text = 0; text < SEIN_HARNESS_TEXTS; text++)
        for (size_t area = 0; area < S_AREAS && count < max; area++) {
            //  Some with an explicit area, some placed by their address.
            json_t *body = json_pack (
                "{s:s,s:s,s:s,s:{s:s,s:s}}", "description", sein_harness_texts[text],
                "source", text % 3 ? "citizen" : "partner", "channel", "web", "reporter",
                "name", "Jan Peeters", "email", "jan@example.org");
            if ((text + area) % 2)
                json_object_set_new (body, "area", json_string (s_areas[area]));
            else
                json_object_set_new (body, "address_string",
                                     json_sprintf ("Naamsestraat %zu, Leuven", 1 + area * 7));
            json_t *ack = sein_client_call (client, SEIN_SUBMIT, body, 5000);
            json_decref (body);
            json_t *request =
                json_pack ("{s:O,s:i}", "from", json_object_get (ack, "seq"), "limit", 1);
            json_t *reply = sein_client_call (client, SEIN_EVENTS, request, 5000);
            json_decref (request);
            json_t *event = json_array_get (json_object_get (reply, "events"), 0);
            if (event) {
                s_template_t *template = &templates[count++];
                json_t *copy = json_deep_copy (event);
                json_object_del (copy, "seq");
                json_object_del (copy, "id");
                json_object_del (copy, "external_id");
                //  A placeholder of the length of every RFC 3339 time here.
                json_object_set_new (copy, "received_at",
                                     json_string ("0000-00-00T00:00:00.000Z"));
                char *text_json = json_dumps (copy, JSON_COMPACT);
                template->tail = strdup (text_json + 1);
                template->tail_size = strlen (template->tail);
                template->time_offset =
                    (size_t) (strstr (template->tail, "0000-00-00T") - template->tail);
                free (text_json);
                snprintf (template->area, sizeof template->area, "%s",
                          json_string_value (json_object_get (event, "area")));
                snprintf (template->wijk, sizeof template->wijk, "%s",
                          json_string_value (json_object_get (event, "wijk")));
                snprintf (template->theme, sizeof template->theme, "%s",
                          json_string_value (json_object_get (event, "theme")));
                snprintf (template->priority, sizeof template->priority, "%s",
                          json_string_value (json_object_get (event, "priority")));
                snprintf (template->source, sizeof template->source, "%s",
                          json_string_value (json_object_get (event, "source")));
                snprintf (template->teams, sizeof template->teams, ",");
                size_t index;
                json_t *team;
                json_array_foreach (json_object_get (event, "teams"), index, team)
                    snprintf (template->teams + strlen (template->teams),
                              sizeof template->teams - strlen (template->teams), "%s,",
                              json_string_value (team));
                json_decref (copy);
            }
            json_decref (reply);
            json_decref (ack);
        }
    sein_client_destroy (&client);
    return count;
}

static void
s_rfc3339 (char out[32], int64_t ms)
{
    time_t seconds = (time_t) (ms / 1000);
    struct tm tm;
    gmtime_r (&seconds, &tm);
    size_t len = strftime (out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf (out + len, 32 - len, ".%03dZ", (int) (ms % 1000));
}

//  Write COUNT signals into the store at PATH, cycling through TEMPLATES,
//  one per millisecond up to now. Counts those of the zone heilig-hart and
//  the last of them into *zone_count, *zone_last. Returns 0 or -1.
static int
s_fill (const char *path, s_template_t *templates, int ntemplates, long count,
        long *zone_count, int64_t *zone_last)
{
    char *error = NULL;
    sein_store_t *store = sein_store_new (path, "normal", &error);
    if (!store) {
        fprintf (stderr, "bench_watch: %s\n", error);
        free (error);
        return -1;
    }
    int64_t start_ms = zclock_time () - count;
    char *body = (char *) malloc (64 * 1024);
    int rc = 0;
    *zone_count = 0;
    for (long index = 0; rc == 0 && index < count; index++) {
        if (index % 50000 == 0 && (rc = sein_store_begin (store)))
            break;
        s_template_t *template = &templates[index % ntemplates];
        int64_t seq = sein_store_next_seq (store);
        int64_t ms = start_ms + index;
        //  A UUIDv7 like the daemon's: time first, then unique bits.
        char id[64], at[32], key[32];
        snprintf (id, sizeof id, "%08llx-%04llx-7%03lx-8%03lx-%012llx",
                  (unsigned long long) ((ms >> 16) & 0xffffffff),
                  (unsigned long long) (ms & 0xffff), (unsigned long) (index & 0xfff),
                  (unsigned long) ((index >> 12) & 0xfff),
                  (unsigned long long) index & 0xffffffffffffULL);
        s_rfc3339 (at, ms);
        snprintf (key, sizeof key, "r%ld", index);
        int head = snprintf (body, 128, "{\"seq\":%lld,\"id\":\"%s\",", (long long) seq, id);
        memcpy (body + head, template->tail, template->tail_size + 1);
        memcpy (body + head + template->time_offset, at, 24);
        sein_store_signal_t signal = {
            .id = id,
            .submitter = "bench",
            .external_id = key,
            .reporter_name = "Jan Peeters",
            .reporter_email = "jan@example.org",
            .status = "new",
            .event = {.kind = "signal",
                      .at = at,
                      .area = template->area,
                      .wijk = template->wijk,
                      .theme = template->theme,
                      .priority = template->priority,
                      .source = template->source,
                      .teams = template->teams,
                      .body = body,
                      .body_size = (size_t) head + template->tail_size}};
        if (sein_store_add_signal (store, &signal))
            rc = -1;
        if (streq (template->area, "heilig-hart")) {
            (*zone_count)++;
            *zone_last = seq;
        }
        if (rc == 0 && (index % 50000 == 49999 || index == count - 1))
            rc = sein_store_commit (store);
    }
    if (rc)
        fprintf (stderr, "bench_watch: filling the store: %s\n", sein_store_error (store));
    free (body);
    sein_store_destroy (&store);
    return rc;
}

//  Bring the text index of the store at PATH up to date, as a running
//  seind keeps it (its query actor indexes what is new when idle).
//  Without this, that actor would index the whole store during the
//  timed rounds and take a varying share of the CPU from what they
//  measure. Returns 0 or -1.
static int
s_index (const char *path)
{
    char *error = NULL;
    char *text_path = zsys_sprintf ("%s.text", path);
    sein_store_t *store = sein_store_new_query (path, text_path, &error);
    zstr_free (&text_path);
    int added = store ? 1 : -1;
    while (added > 0)
        added = sein_store_index_text (store, 5000);
    if (added < 0)
        fprintf (stderr, "bench_watch: indexing the store: %s\n",
                 store ? sein_store_error (store) : error);
    free (error);
    sein_store_destroy (&store);
    return added;
}

static int
s_count_event (const sein_event_t *event, void *arg)
{
    int64_t *last = (int64_t *) arg;
    *last = event->seq;
    return 0;
}

//  The CPU seconds of PID's libzmq I/O threads (named ZMQbg/IO/N): with
//  CURVE, where each message is sealed and opened, apart from the
//  threads that read the store or split batches.
static double
s_io_cpu (pid_t pid)
{
    char path[64];
    snprintf (path, sizeof path, "/proc/%d/task", (int) pid);
    DIR *tasks = opendir (path);
    double seconds = 0;
    struct dirent *task;
    while (tasks && (task = readdir (tasks))) {
        char comm[32] = "";
        snprintf (path, sizeof path, "/proc/%d/task/%.16s/comm", (int) pid, task->d_name);
        FILE *file = fopen (path, "r");
        if (file) {
            if (!fgets (comm, sizeof comm, file))
                comm[0] = 0;
            fclose (file);
        }
        if (strncmp (comm, "ZMQbg/IO/", 9))
            continue;
        //  The thread's own: /proc/TID/stat would be the whole process's.
        snprintf (path, sizeof path, "/proc/%d/task/%.16s/stat", (int) pid, task->d_name);
        file = fopen (path, "r");
        char line[1024];
        if (file && fgets (line, sizeof line, file)) {
            //  Fields 14 and 15 (utime, stime) follow the ")" closing the name.
            char *cursor = strrchr (line, ')');
            unsigned long utime = 0, stime = 0;
            if (cursor && sscanf (cursor + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
                                  "%lu %lu", &utime, &stime) == 2)
                seconds += (double) (utime + stime) / (double) sysconf (_SC_CLK_TCK);
        }
        if (file)
            fclose (file);
    }
    if (tasks)
        closedir (tasks);
    return seconds;
}

//  One new watcher with FILTER from seq 1 until it has seen LAST. Returns
//  events per second, or -1 when it did not get there or saw a gap.
//  *CPU_P gets seind's CPU seconds, *CLIENT_P (when not NULL) this
//  process's: the watcher's thread and libzmq's I/O threads; IO_P (when
//  not NULL) the share of libzmq's I/O threads in each, seind's first.
static double
s_replay_watcher (sein_harness_t *daemon, const char *filter_text, long due, int64_t last,
                  int credit, double *cpu_p, double *client_p, double io_p[2])
{
    json_t *filter = filter_text ? json_loads (filter_text, 0, NULL) : NULL;
    double cpu_before = sein_harness_cpu (daemon->pid);
    double client_before = sein_harness_cpu (getpid ());
    double io_before[2] = {s_io_cpu (daemon->pid), s_io_cpu (getpid ())};
    int64_t start = zclock_usecs ();
    sein_watcher_t *watcher = sein_watcher_new (daemon->watch, filter, 1, NULL, credit);
    sein_watcher_set_keys (watcher, s_keys);
    long received = 0;
    int64_t previous = 0;
    bool ordered = true;
    int64_t deadline = zclock_mono () + 300000;
    while (previous < last && zclock_mono () < deadline) {
        if (!sein_watcher_recv_raw (watcher, 1000, NULL))
            continue;
        int64_t seq = sein_watcher_last_seq (watcher);
        if (seq <= previous || (!filter && seq != previous + 1))
            ordered = false;
        previous = seq;
        received++;
    }
    double seconds = (double) (zclock_usecs () - start) / 1e6;
    *cpu_p = sein_harness_cpu (daemon->pid) - cpu_before;
    if (client_p)
        *client_p = sein_harness_cpu (getpid ()) - client_before;
    if (io_p) {
        io_p[0] = s_io_cpu (daemon->pid) - io_before[0];
        io_p[1] = s_io_cpu (getpid ()) - io_before[1];
    }
    sein_watcher_destroy (&watcher);
    json_decref (filter);
    if (received != due || !ordered) {
        fprintf (stderr, "bench_watch: replay got %ld of %ld events%s\n", received, due,
                 ordered ? "" : ", out of order");
        return -1;
    }
    return (double) received / seconds;
}

//  The daemon's side alone: the watch protocol spoken straight over a
//  DEALER (WATCH, then CREDIT as events arrive, as libsein does), reading
//  only the seq at the start of each body instead of parsing the JSON.
static double
s_replay_raw (sein_harness_t *daemon, long count, int credit, double *cpu_p)
{
    double cpu_before = sein_harness_cpu (daemon->pid);
    int64_t start = zclock_usecs ();
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    sein_keys_apply (s_keys, dealer);
    zsock_connect (dealer, "%s", daemon->watch);
    zsock_set_rcvtimeo (dealer, 5000);
    char *body = zsys_sprintf ("{\"since\":1,\"credit\":%d}", credit);
    zstr_sendx (dealer, SEIN_PROTOCOL, SEIN_WATCH, "raw", body, NULL);
    zstr_free (&body);
    long received = 0, consumed = 0;
    int64_t previous = 0;
    bool ordered = true;
    zmq_msg_t part;
    zmq_msg_init (&part);
    void *handle = zsock_resolve (dealer);
    while (received < count) {
        //  [SEIN/1] [command] [tag] [body]
        if (zmq_msg_recv (&part, handle, 0) < 0)
            break;
        zmq_msg_recv (&part, handle, 0);
        bool event = zmq_msg_size (&part) == 5 && memcmp (zmq_msg_data (&part), "EVENT", 5) == 0;
        zmq_msg_recv (&part, handle, 0);
        zmq_msg_recv (&part, handle, 0);
        if (!event)
            continue;
        //  {"seq":N,...
        int64_t seq = strtoll ((const char *) zmq_msg_data (&part) + 7, NULL, 10);
        if (seq != previous + 1)
            ordered = false;
        previous = seq;
        received++;
        if (++consumed >= credit / 2) {
            char grant[32];
            snprintf (grant, sizeof grant, "{\"credit\":%ld}", consumed);
            zstr_sendx (dealer, SEIN_PROTOCOL, SEIN_CREDIT, "raw", grant, NULL);
            consumed = 0;
        }
    }
    zmq_msg_close (&part);
    double seconds = (double) (zclock_usecs () - start) / 1e6;
    *cpu_p = sein_harness_cpu (daemon->pid) - cpu_before;
    zstr_sendx (dealer, SEIN_PROTOCOL, SEIN_CLOSE, "raw", "{}", NULL);
    zsock_destroy (&dealer);
    if (received != count || !ordered) {
        fprintf (stderr, "bench_watch: raw replay got %ld of %ld events%s\n", received, count,
                 ordered ? "" : ", out of order");
        return -1;
    }
    return (double) received / seconds;
}

static double
s_median (double *values, int count)
{
    double sorted[32];
    memcpy (sorted, values, sizeof (double) * (size_t) count);
    for (int index = 1; index < count; index++)
        for (int at = index; at > 0 && sorted[at - 1] > sorted[at]; at--) {
            double swap = sorted[at];
            sorted[at] = sorted[at - 1];
            sorted[at - 1] = swap;
        }
    int half = count / 2;
    return count % 2 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
}

//  The replay with no filter, ROUNDS times; with -C each round twice,
//  security off then on, seind restarted on the same store in between
//  (PLAIN and SECURE are its config files, KEYS its keys; DAEMON is left
//  running on the last). On a shared machine one run can be far off the
//  next: alternating and taking medians compares like with like. Returns the
//  median rate with security on (with -C) or off, -1 when a run failed.
static double
s_replay_rounds (sein_harness_t *daemon, const char *plain, const char *secure,
                 sein_keys_t *keys, long count, int credit, int rounds)
{
    double rates[2][16], cpus[2][16], clients[2][16], ios[2][2][16];
    int modes = s_secure ? 2 : 1;
    for (int round = 0; round < rounds; round++)
        for (int mode = 0; mode < modes; mode++) {
            bool on = mode == 1 || (modes == 1 && s_secure);
            if (daemon->pid > 0)
                sein_harness_stop (daemon, SIGTERM);
            snprintf (daemon->config, sizeof daemon->config, "%s", on ? secure : plain);
            s_keys = daemon->keys = on ? keys : NULL; //  the harness PINGs with them
            int started = sein_harness_start (daemon);
            daemon->keys = keys;
            if (started) {
                fprintf (stderr,
                         "bench_watch: seind did not start on the store (see %s)\n",
                         daemon->log);
                return -1;
            }
            double cpu, client, io[2];
            double rate =
                s_replay_watcher (daemon, NULL, count, count, credit, &cpu, &client, io);
            if (rate < 0)
                return -1;
            rates[mode][round] = rate;
            cpus[mode][round] = cpu * 1e6 / (double) count;
            clients[mode][round] = client * 1e6 / (double) count;
            for (int side = 0; side < 2; side++)
                ios[mode][side][round] = io[side] * 1e6 / (double) count;
            printf ("    replay, no filter, security %s: %.0f events/s (target 200000); "
                    "seind %.1f us/event (I/O threads %.1f), client %.1f (I/O %.1f)\n",
                    on ? "on " : "off", rate, cpus[mode][round], ios[mode][0][round],
                    clients[mode][round], ios[mode][1][round]);
        }
    if (modes == 1)
        return s_median (rates[0], rounds);
    double off = s_median (rates[0], rounds), on = s_median (rates[1], rounds);
    printf ("    replay medians of %d: %.0f events/s with security, %.0f without: %.0f%% "
            "(target >= 80%%); seind %.1f / %.1f us/event (I/O threads %.1f / %.1f), "
            "client %.1f / %.1f (I/O %.1f / %.1f)\n",
            rounds, on, off, 100 * on / off, s_median (cpus[1], rounds),
            s_median (cpus[0], rounds), s_median (ios[1][0], rounds),
            s_median (ios[0][0], rounds), s_median (clients[1], rounds),
            s_median (clients[0], rounds), s_median (ios[1][1], rounds),
            s_median (ios[0][1], rounds));
    return on;
}

static int
s_replay (int port, long count, int credit, int rounds)
{
    printf ("(b) replay: %ld stored signals to one new watcher, credit %d\n", count, credit);
    sein_harness_t daemon;
    char plain[300];
    if (sein_harness_init (&daemon, port) ||
        (s_settings_apply (&daemon), snprintf (plain, sizeof plain, "%s", daemon.config),
         s_secure && sein_harness_secure (&daemon)) ||
        sein_harness_start (&daemon)) {
        fprintf (stderr, "bench_watch: seind did not start (see %s)\n", daemon.log);
        return -1;
    }
    s_keys = daemon.keys;
    s_template_t templates[SEIN_HARNESS_TEXTS * S_AREAS];
    int ntemplates =
        s_templates (&daemon, templates, (int)(SEIN_HARNESS_TEXTS * S_AREAS));
    sein_harness_stop (&daemon, SIGTERM);
    if (ntemplates == 0) {
        fprintf (stderr, "bench_watch: no templates\n");
        return -1;
    }
    size_t size = 0;
    for (int index = 0; index < ntemplates; index++)
        size += templates[index].tail_size + 60;
    //  Start over on an empty store: the templates' own events go, and
    //  the marker that would (rightly) refuse another store in its place.
    char *path = zsys_sprintf ("%s/sein.db", daemon.dir);
    char *command =
        zsys_sprintf ("rm -f '%s' '%s-wal' '%s-shm' '%s.mark'", path, path, path, path);
    if (system (command) != 0)
        return -1;
    zstr_free (&command);
    long zone_count = 0;
    int64_t zone_last = 0;
    int64_t start = zclock_usecs ();
    if (s_fill (path, templates, ntemplates, count, &zone_count, &zone_last))
        return -1;
    double fill = (double) (zclock_usecs () - start) / 1e6;
    start = zclock_usecs ();
    if (s_index (path))
        return -1;
    double index = (double) (zclock_usecs () - start) / 1e6;
    struct stat info;
    stat (path, &info);
    printf ("    store written directly in %.1f s (%.0f signals/s): %ld events from %d real "
            "ones, ~%zu bytes each, %lld MB\n",
            fill, (double) count / fill, count, ntemplates, size / (size_t) ntemplates,
            (long long) info.st_size >> 20);
    printf ("    text index brought up to date in %.1f s, before the rounds\n", index);

    //  For scale: the store alone, reading the rows the watch actor reads.
    char *error = NULL;
    sein_store_t *reader = sein_store_new_reader (path, &error);
    int64_t last = 0, from = 1;
    start = zclock_usecs ();
    int visited;
    while ((visited = sein_store_events (reader, from, 512, s_count_event, &last)) > 0)
        from = last + 1;
    double scan = (double) (zclock_usecs () - start) / 1e6;
    sein_store_destroy (&reader);
    free (error);
    printf ("    store alone (sein_store_events, rounds of 512): %.0f events/s\n",
            (double) last / scan);
    //  And libsein's share: it parses every event it hands out.
    s_template_t *template = &templates[0];
    char *body = zsys_sprintf ("{\"seq\":1,\"id\":\"01a21799-39ba-762b-b655-9174d0357f0c\",%s",
                               template->tail);
    long parses = 200000;
    start = zclock_usecs ();
    for (long index = 0; index < parses; index++)
        json_decref (json_loadb (body, strlen (body), 0, NULL));
    double parse = (double) (zclock_usecs () - start) / 1e6;
    zstr_free (&body);
    printf ("    JSON parsing alone (json_loadb, as sein_watcher_recv does): %.0f events/s\n",
            (double) parses / parse);

    sync (); //  the store's writeback, out of the replay's time
    char secure[300];
    snprintf (secure, sizeof secure, "%s", daemon.config);
    double rate =
        s_replay_rounds (&daemon, plain, secure, daemon.keys, count, credit, rounds);
    if (rate < 0) {
        sein_harness_cleanup (&daemon);
        return -1;
    }
    printf ("    seind peak RSS %ld kB\n", sein_harness_memory (&daemon, true));
    double cpu;
    double raw = s_replay_raw (&daemon, count, credit, &cpu);
    printf ("    replay to a bare protocol client (EVENT messages, no JSON parsing): "
            "%.0f events/s; seind %.2f CPU s (%.1f us/event)\n",
            raw, cpu, cpu * 1e6 / (double) count);
    //  A dashboard that follows one zone scans the same history.
    double zone = s_replay_watcher (&daemon, "{\"area\":[\"heilig-hart\"]}", zone_count,
                                    zone_last, credit, &cpu, NULL, NULL);
    printf ("    replay, area heilig-hart (%ld of %ld events): %.0f events/s delivered, "
            "%.0f stored events/s scanned; seind %.2f CPU s\n",
            zone_count, count, zone, zone * (double) count / (double) zone_count, cpu);
    sein_harness_cleanup (&daemon);
    for (int index = 0; index < ntemplates; index++)
        free (templates[index].tail);
    zstr_free (&path);
    return rate < 0 || raw < 0 || zone < 0 ? -1 : 0;
}

int
main (int argc, char **argv)
{
    int watchers = 100, rate = 1000, seconds = 10, credit = 1000, port = 25590;
    int rounds = 0; //  -k; 0: 3 with -C, else 1
    long replay = 1000000;
    bool mix = false, live = true, stored = true, raw = true;
    const char *synchronous = "full";
    int option;
    while ((option = getopt (argc, argv, "w:r:t:f:n:c:p:s:k:o:ablRCh")) != -1) {
        switch (option) {
        case 'w': watchers = atoi (optarg); break;
        case 'r': rate = atoi (optarg); break;
        case 't': seconds = atoi (optarg); break;
        case 'f': mix = streq (optarg, "mix"); break;
        case 'n': replay = atol (optarg); break;
        case 'c': credit = atoi (optarg); break;
        case 'p': port = atoi (optarg); break;
        case 'a': stored = false; break;
        case 'b': live = false; break;
        case 'l': raw = false; break;
        case 'R': raw = true; break; //  the default; once an option
        case 's': synchronous = optarg; break;
        case 'C': s_secure = true; break;
        case 'k': rounds = atoi (optarg); break;
        case 'o':
            if (s_nsettings == (int) (sizeof s_settings / sizeof s_settings[0]))
                return 64;
            s_settings[s_nsettings++] = optarg;
            break;
        default:
            fprintf (stderr,
                     "usage: bench_watch [-w WATCHERS] [-r RATE] [-t SECONDS] [-f all|mix]\n"
                     "                   [-n REPLAY] [-c CREDIT] [-p PORT (0: ipc)] [-s SYNC] [-a|-b] [-l]\n"
                     "                   [-k ROUNDS] [-o SETTING=VALUE ...]\n"
                     "  -a only the live part, -b only the replay; -l live watchers on\n"
                     "  sein_watcher_t instead of bare ZMTP sessions (-R, the default); -s\n"
                     "  sets storage.synchronous for the live part (default full); -C\n"
                     "  security on (CURVE, implies -l), and the replay ROUNDS times\n"
                     "  (-k, default 3) without and with it, in turn, for the ratio; -o a\n"
                     "  setting for every seind started (up to 4, as seind -o)\n");
            return 64;
        }
    }
    if (rounds == 0)
        rounds = s_secure ? 3 : 1;
    if (watchers < 1 || rate < 1 || seconds < 1 || replay < 1 || credit < 2 ||
        rounds < 1 || rounds > 16)
        return 64;
    if (s_secure)
        raw = false;
    zsys_handler_set (NULL);
    signal (SIGPIPE, SIG_IGN); //  a closed session shows as EPIPE
    zsys_set_io_threads (2); //  libzmq spreads the libsein sockets over both
    int rc = 0;
    if (live) {
        //  The live part times fsyncs: first write back what is dirty
        //  (the store of an earlier run's replay is over a gigabyte).
        sync ();
        sein_harness_t daemon;
        char setting[64];
        snprintf (setting, sizeof setting, "storage.synchronous=%s", synchronous);
        if (sein_harness_init (&daemon, port) || (s_secure && sein_harness_secure (&daemon)))
            return 69;
        s_settings_apply (&daemon);
        s_keys = daemon.keys;
        sein_harness_set (&daemon, setting);
        if (sein_harness_start (&daemon)) {
            fprintf (stderr, "bench_watch: seind did not start (see %s)\n", daemon.log);
            return 69;
        }
        printf ("seind on %s, %s%s\n", port ? "tcp loopback" : "ipc", setting,
                s_secure ? ", security on (CURVE)" : "");
        rc |= s_live (&daemon, watchers, rate, seconds, mix, credit, raw);
        sein_harness_cleanup (&daemon);
    }
    if (stored)
        rc |= s_replay (port ? port + 10 : 0, replay, credit, rounds);
    return rc ? 1 : 0;
}
