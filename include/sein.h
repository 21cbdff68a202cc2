// SPDX-License-Identifier: MPL-2.0
/*  sein.h - libsein, the client library for the sein signal router

    The wire protocol is documented in docs/PROTOCOL.md; this header holds
    its constants and a small client on top of czmq and jansson:

    - sein_client_t speaks the request/reply protocol of the intake socket
      over a DEALER, so a caller can pipeline many requests (each carries a
      correlation id) or make one call at a time.
    - sein_watcher_t follows the event stream of the watch socket: it opens
      a session with filters, grants credit as it consumes, answers and
      checks heartbeats, and after a reconnect resumes from the last seq it
      handed out, so its caller sees every matching event once, in order.

    Ownership: functions returning `json_t *` give the caller a reference to
    release with json_decref; `const char *` results are borrowed.
*/
#ifndef SEIN_H_INCLUDED
#define SEIN_H_INCLUDED

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

//  The first frame of every message, both ways. A peer that sends another
//  value gets an ERROR reply with error code "version".
#define SEIN_PROTOCOL "SEIN/1"

//  Commands on the intake socket (frame 2 of a request; the reply repeats it).
#define SEIN_SUBMIT   "SUBMIT"   //  store one signal, reply with the ack
#define SEIN_CLASSIFY "CLASSIFY" //  dry run: validate, classify, route; store nothing
#define SEIN_PING     "PING"     //  health: version, head seq, counters
#define SEIN_METRICS  "METRICS"  //  PING's answer and every counter behind it
#define SEIN_GET      "GET"      //  one stored signal by id
#define SEIN_EVENTS   "EVENTS"   //  stored events from a seq, for gap filling
#define SEIN_STATS    "STATS"    //  counts by area, theme, priority, status
#define SEIN_HISTORY  "HISTORY"  //  every event about one signal
#define SEIN_LIST     "LIST"     //  signals by area, theme, status, ..., text; paged
#define SEIN_STATUS   "STATUS"   //  change a signal's workflow status
#define SEIN_NOTE     "NOTE"     //  add a note to a signal
#define SEIN_ASSIGN   "ASSIGN"   //  assign a signal to a team (and a person)
#define SEIN_UNLINK   "UNLINK"   //  undo the link of a nearby report
#define SEIN_RECLASSIFY "RECLASSIFY" //  correct a signal's theme or area (re-routes it)
#define SEIN_RELOAD   "RELOAD"   //  admin: reload the configuration, reply with the outcome
#define SEIN_ERROR    "ERROR"    //  reply to a request that could not be read

//  Commands on the watch socket.
#define SEIN_WATCH     "WATCH"     //  open a session: filter, start point, credit
#define SEIN_CREDIT    "CREDIT"    //  client grants more credit
#define SEIN_EVENT     "EVENT"     //  server delivers one event (costs one credit)
#define SEIN_BATCH     "BATCH"     //  server delivers several events (one credit each)
#define SEIN_HEARTBEAT "HEARTBEAT" //  either side, when it has nothing else to say
#define SEIN_CLOSE     "CLOSE"     //  client ends its session

//  The longest prefix a broadcast SUB may subscribe to, in bytes. seind
//  refuses any message over twice that on the broadcast socket (room for
//  CURVE's handshake and box) and drops the connection (PROTOCOL.md).
#define SEIN_SUBSCRIPTION_MAX 1024

//  Exit statuses of the programs (sysexits.h values).
#define SEIN_EXIT_OK          0
#define SEIN_EXIT_USAGE       64
#define SEIN_EXIT_DATAERR     65
#define SEIN_EXIT_UNAVAILABLE 69
#define SEIN_EXIT_SOFTWARE    70
#define SEIN_EXIT_IOERR       74
#define SEIN_EXIT_CONFIG      78

//  ---------------------------------------------------------------------
//  Keys (security.enabled: CURVE on every connection, docs/SECURITY.md)

typedef struct _sein_keys_t sein_keys_t;

//  Load the client's certificate NAME from the directory DIR (NAME.key and
//  NAME.key_secret, which only its owner may read) and seind's public
//  certificate SERVER (SERVER.key). NULL with *error_p set (fresh, naming
//  the file and what to do) when one is missing or the secret is readable
//  by group or others.
sein_keys_t *
    sein_keys_new (const char *dir, const char *name, const char *server, char **error_p);

//  Destroy; idempotent, nulls the pointer.
void
    sein_keys_destroy (sein_keys_t **self_p);

//  A copy of SELF (NULL for NULL).
sein_keys_t *
    sein_keys_dup (const sein_keys_t *self);

//  Make SOCKET (a zsock_t, not yet connected) a CURVE client with SELF;
//  nothing when SELF is NULL.
void
    sein_keys_apply (const sein_keys_t *self, void *socket);

//  ---------------------------------------------------------------------
//  Request/reply client

typedef struct _sein_client_t sein_client_t;

//  Connect to ENDPOINT (e.g. the `endpoints.intake` setting). The
//  connection is made in the background; NULL only on a malformed endpoint.
sein_client_t *
    sein_client_new (const char *endpoint);

//  The same over CURVE with KEYS (borrowed; NULL: as sein_client_new).
//  An unknown key never gets a reply: seind refuses the connection.
sein_client_t *
    sein_client_new_secure (const char *endpoint, const sein_keys_t *keys);

//  Destroy; idempotent, nulls the pointer. Unsent requests are dropped.
void
    sein_client_destroy (sein_client_t **self_p);

//  Queue one request without waiting for its reply. BODY is not stolen;
//  NULL sends "{}". CORR is the caller's correlation id (at most 64
//  bytes), echoed in the reply. Returns 0, or -1 if the request could not
//  be queued within TIMEOUT_MS.
int
    sein_client_send (sein_client_t *self, const char *command, const char *corr,
                      json_t *body, int timeout_ms);

//  Same as sein_client_send, with the body already serialised.
int
    sein_client_send_raw (sein_client_t *self, const char *command, const char *corr,
                          const char *body, size_t size, int timeout_ms);

//  Wait up to TIMEOUT_MS for the next reply. Returns the reply body, and
//  fresh copies of the echoed correlation id and command in *corr_p and
//  *command_p when those are non-NULL. NULL on timeout, or for a reply that
//  is not valid JSON (then *corr_p is still set, if it could be read).
json_t *
    sein_client_recv (sein_client_t *self, int timeout_ms, char **corr_p,
                      char **command_p);

//  The same without parsing or copying, for clients that pass replies on
//  or need only part of them: returns the body of the next reply, not
//  NUL-terminated, *SIZE_P bytes, and points *CORR_P and *COMMAND_P (when
//  non-NULL) at its correlation id and command, sizes in *CORR_SIZE_P and
//  *COMMAND_SIZE_P; all borrowed until the next call on the client.
//  TIMEOUT_MS 0 does not wait, -1 waits for ever. NULL on timeout, or for
//  a message that is not a SEIN/1 reply (then the correlation id is still
//  set, if the message had one).
const char *
    sein_client_recv_raw (sein_client_t *self, int timeout_ms, size_t *size_p,
                          const char **corr_p, size_t *corr_size_p, const char **command_p,
                          size_t *command_size_p);

//  One request, one reply: waits up to TIMEOUT_MS for the reply that
//  carries this call's own correlation id, discarding stale replies to
//  earlier calls. NULL on timeout.
json_t *
    sein_client_call (sein_client_t *self, const char *command, json_t *body,
                      int timeout_ms);

//  ---------------------------------------------------------------------
//  Watch client

typedef struct _sein_watcher_t sein_watcher_t;

//  Follow the event stream at ENDPOINT (the `endpoints.watch` setting).
//  FILTER is a JSON object {"area": [...], "theme": [...], "team": [...],
//  "priority": [...]} (each optional; NULL for everything); it is copied.
//  SINCE is the first seq wanted: 0 for live only, N to replay from N.
//  SINCE_TIME (RFC 3339, or NULL) replays from the first event at or after
//  that time and is used only when SINCE is 0. CREDIT is how many events
//  may be in flight towards this client; seind may grant fewer (it cuts a
//  grant to watch.credit_max), and the watcher then works with the grant.
sein_watcher_t *
    sein_watcher_new (const char *endpoint, json_t *filter, int64_t since,
                      const char *since_time, int credit);

//  Connect with KEYS (copied; NULL: without). Call before the first
//  sein_watcher_recv. With a revoked key, seind ends the session with an
//  ERROR `forbidden`: the watcher stops, and sein_watcher_refusal holds it.
void
    sein_watcher_set_keys (sein_watcher_t *self, const sein_keys_t *keys);

//  Destroy; idempotent, nulls the pointer. Tells the server when it can.
void
    sein_watcher_destroy (sein_watcher_t **self_p);

//  Wait up to TIMEOUT_MS for the next event; NULL on timeout. Events come
//  in increasing seq order without duplicates, across reconnects.
json_t *
    sein_watcher_recv (sein_watcher_t *self, int timeout_ms);

//  The same, without parsing: the event's JSON text as seind sent it, not
//  NUL-terminated, *size_p bytes long, borrowed until the next call on the
//  watcher. For consumers that pass events on (a parse costs far more
//  than the delivery).
const char *
    sein_watcher_recv_raw (sein_watcher_t *self, int timeout_ms, size_t *size_p);

//  The seq of the last event returned, 0 before the first.
int64_t
    sein_watcher_last_seq (sein_watcher_t *self);

//  When the server refused the session (a bad filter or start point), its
//  answer {"status":"rejected","error":{...}}; NULL otherwise. Borrowed.
json_t *
    sein_watcher_refusal (sein_watcher_t *self);

//  True while the server's heartbeats or events keep arriving.
bool
    sein_watcher_connected (sein_watcher_t *self);

//  ---------------------------------------------------------------------
//  Metrics

//  Render REPLY, seind's answer to METRICS (a PING answer renders too,
//  with fewer samples), in the Prometheus text exposition format 0.0.4:
//  # HELP and # TYPE lines, sein_* names in base units (seconds, bytes),
//  counters ending in _total, label values escaped. REPLY NULL (seind did
//  not answer) renders `sein_up 0` alone. docs/PROTOCOL.md, "METRICS",
//  lists the names. Returns a fresh string for the caller to free.
char *
    sein_metrics_text (json_t *reply);

#ifdef __cplusplus
}
#endif

#endif
