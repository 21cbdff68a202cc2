// SPDX-License-Identifier: MPL-2.0
/*  sein_harness.h - start and stop the real seind for integration tests
    and benchmarks

    The daemon runs on the bundled conf/sein.cfg with -o overrides that put
    its store and ipc:// endpoints (or tcp:// ones when asked) in a fresh
    temporary directory, so tests exercise the shipped configuration, can
    run side by side and leave nothing behind. Clients started through
    sein_harness_run get the same overrides.
*/
#ifndef SEIN_HARNESS_H_INCLUDED
#define SEIN_HARNESS_H_INCLUDED

#include "sein.h"
#include "sein_config.h"

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

typedef struct {
    char dir[256];       //  temporary directory (store + sockets)
    char intake[300];    //  endpoints.intake
    char publish[300];   //  endpoints.publish
    char watch[300];     //  endpoints.watch
    char config[300];    //  the config file the daemon runs on
    char log[300];       //  its stderr
    char overrides[16][320]; //  -o values for daemon and clients
    int noverrides;
    const char *flag; //  one more seind option (--fast-start), or NULL
    int nofile;       //  > 0: seind's RLIMIT_NOFILE, soft and hard
    pid_t pid;
    sein_keys_t *keys;   //  the harness's own admin key, with security on
} sein_harness_t;

//  Prepare a daemon in a fresh temporary directory; TCP_PORT > 0 uses
//  tcp://127.0.0.1:TCP_PORT..+2 instead of ipc://. Returns 0 or -1.
int
    sein_harness_init (sein_harness_t *self, int tcp_port);

//  Add a "path=value" override for the daemon and the clients.
void
    sein_harness_set (sein_harness_t *self, const char *override);

//  Turn security on, before the start: a private config file in the
//  directory (conf/sein.cfg and security.enabled, security.broadcast
//  trusted), a key directory with seind's key and the harness's own,
//  "harness" (role admin), which the harness and the clients it runs use
//  (client.key; a later -o client.key=NAME picks another). Returns 0 or -1.
int
    sein_harness_secure (sein_harness_t *self);

//  Make key NAME of ROLE (and TEAM, or NULL) in the harness's key
//  directory with seinctl keygen. Returns seinctl's exit status.
int
    sein_harness_keygen (sein_harness_t *self, const char *name, const char *role,
                         const char *team);

//  Load key NAME from the harness's key directory, to talk to seind (its
//  key "seind"). NULL, with the reason on standard error, when it cannot.
sein_keys_t *
    sein_harness_keys (sein_harness_t *self, const char *name);

//  Send BODY as a SUBMIT with correlation id CORR on HANDLE (a raw DEALER),
//  with plain zmq_send: the benchmarks' submitters should cost the cores
//  as little as possible.
void
    sein_harness_submit (void *handle, long corr, const char *body);

//  The settings with conf/'s data files (areas, polygons, streets, places,
//  themes, theme and priority rules; not the theme model) named by their
//  absolute paths, then EXTRA overrides ("setting=value", NULL-ended, at
//  most 24). NULL, with *ERROR_P set, when they do not load.
sein_config_t *
    sein_harness_data_config (const char **extra, char **error_p);

//  Read one reply to sein_harness_submit from HANDLE: its correlation id,
//  or -1 on timeout; *ACCEPTED says whether it was an ack. Reads the
//  frames as they come, without parsing the body.
long
    sein_harness_receive (void *handle, bool *accepted);

//  Override every data.* setting with the bundled file in conf/, for a
//  configuration file written elsewhere that starts from conf/sein.cfg.
void
    sein_harness_data (sein_harness_t *self);

//  Start seind (SEIN_BINARY_DIR/seind -f, and self->flag, under
//  self->nofile) and wait until it answers PING, up to 10 s (scaled,
//  below). Returns 0 or -1.
//  When the environment sets SEIN_WRAP, seind runs under that command: its
//  words (split at spaces, no quoting) go before seind's own argv, as
//  tests/valgrind.sh does with SEIN_WRAP="valgrind --error-exitcode=99 ...".
int
    sein_harness_start (sein_harness_t *self);

//  MS scaled by SEIN_TIMEOUT_SCALE (a positive integer, default 1), for
//  waits on a seind that runs slower than usual, under SEIN_WRAP.
int64_t
    sein_harness_scale (int64_t ms);

//  Send SIGNUM and wait for the process to exit; returns its exit status
//  (128 + signal when killed), -1 when not running.
int
    sein_harness_stop (sein_harness_t *self, int signum);

//  Peak resident memory (VmHWM) and current (VmRSS) of the daemon, in kB.
long
    sein_harness_memory (sein_harness_t *self, bool peak);

//  User + system CPU seconds process PID has used so far (0 if unknown).
double
    sein_harness_cpu (pid_t pid);

//  Stop if running (SIGKILL; under SEIN_WRAP SIGTERM first, so that the
//  wrapper's report at exit gets written) and remove the directory.
void
    sein_harness_cleanup (sein_harness_t *self);

//  Run a client program from the build tree (sein-submit, sein-watch,
//  seinctl) with the harness config, feeding INPUT (may be NULL) to stdin
//  and capturing stdout into *output_p (fresh, may be NULL). ARGS ends
//  with NULL. Returns the exit status.
int
    sein_harness_run (sein_harness_t *self, const char *input, char **output_p,
                      const char *program, ...);

//  Write CONTENT to a fresh file NAME-PID in the build directory, for the
//  tests of data files. Returns its path (static: valid until the next
//  call); a file that cannot be written ends the program.
const char *
    sein_harness_write (const char *name, const char *content);

//  Signals as residents write them, in the three languages: realistic
//  text for the tests and benchmarks that submit many.
extern const char *const sein_harness_texts[];
#define SEIN_HARNESS_TEXTS 8

//  True when a watch FILTER (NULL: none) selects EVENT, a stored event as
//  JSON, by the rules of docs/PROTOCOL.md: a model of seind's filtering to
//  know what a watcher is due.
bool
    sein_harness_selects (json_t *filter, json_t *event);

#endif
