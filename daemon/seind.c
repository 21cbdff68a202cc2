// SPDX-License-Identifier: MPL-2.0
/*  seind - the sein daemon: a thin main around the server actor

    main parses options, loads and validates the whole setup (so a bad
    config fails before anything binds), opens the store as its owner
    (sein_store_open: locked, checked against its marker; a missing or
    damaged store stops seind here, before anything binds), then starts the
    server actor on that store and turns Unix signals into commands for it: SIGHUP loads a new setup and
    hands it over (the running one stays when the new one is bad),
    SIGTERM/SIGINT stop it after the batch in flight is committed and
    acked. Signals are read synchronously from a signalfd, so no handler
    runs at an arbitrary point in czmq or SQLite.

    A RELOAD request on the intake socket (`seinctl reload`, the unit's
    ExecReload) reloads as SIGHUP does, and is answered with the outcome:
    the server asks for it on its pipe ("RELOAD-ASKED"), this file loads
    the setup and hands it, or the reason it could not be loaded, over.

    Under systemd (Type=notify) seind says READY=1 once it serves,
    RELOADING=1 and then READY=1 with a STATUS= line naming the outcome
    around each reload, STOPPING=1 when it stops; the server sends live
    counters as STATUS= and the watchdog's WATCHDOG=1 from its loop.
    Without -f seind detaches, but only once it serves: the parent waits
    on a pipe and exits with the daemon's exit status when it fails to
    start.
*/
#include "sein.h"
#include "sein_log.h"
#include "sein_alloc.h"
#include "sein_server.h"
#include "sein_wire.h"
#include "sein_settings.h"
#include "sein_setup.h"
#include "sein_store.h"
#include "sein_version.h"

#include <getopt.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#define S_DEFAULT_CONFIG SEIN_DEFAULT_CONFIG
#define S_MAX_OVERRIDES  64

static void
s_usage (FILE *out)
{
    fprintf (out,
             "Usage: seind [OPTIONS]\n"
             "The sein signal router daemon.\n\n"
             "  -c, --config FILE      configuration file (default $SEIN_CONFIG, else\n"
             "                         " S_DEFAULT_CONFIG ")\n"
             "  -o, --option P=V       override a setting, e.g. -o storage.dir=/tmp/x\n"
             "  -f, --foreground       stay in the foreground and log to stderr\n"
             "      --check            validate the configuration and data files, then exit;\n"
             "                         with --init, also create the store (and check it)\n"
             "      --init             create the store when there is none\n"
             "      --accept-store     start on a store that does not match its marker\n"
             "                         (acknowledged signals missing, another database)\n"
             "      --fast-start       skip PRAGMA quick_check of the store at start\n"
             "  -h, --help             show this help and exit\n"
             "  -V, --version          show the version and exit\n\n"
             "Signals: SIGHUP reloads the configuration (so does `seinctl reload`, which\n"
             "reports the outcome), SIGTERM/SIGINT stop cleanly.\n"
             "Exit status: 0 ok, 64 usage, 69 cannot start (bind, storage busy or "
             "unreadable),\n74 the disk failed, 78 bad configuration or a store refused "
             "(missing, damaged,\nnot matching its marker).\n");
}

//  --settings (not in --help: for the build and the tests): every setting
//  of both tables, one per line, tab-separated: name, type, default,
//  bounds ("min..max" or the choices), and "yes", "restart" or "clients"
//  (read by the clients only). sein.cfg(5) is generated from it
//  (docs/man/sein.cfg.5.sh), and tests/test_man.sh holds docs/CONFIG.md to
//  it.
static void
s_print_settings (void)
{
    static const char *types[] = {"string", "path", "integer", "boolean", "enum", "endpoint"};
    const sein_setting_t *tables[] = {sein_settings, sein_config_settings};
    for (int table = 0; table < 2; table++)
        for (const sein_setting_t *setting = tables[table]; setting->name; setting++) {
            printf ("%s\t%s\t%s\t", setting->name, types[setting->type], setting->def);
            if (setting->type == SEIN_SETTING_INT)
                printf ("%lld..%lld", (long long) setting->min, (long long) setting->max);
            else if (setting->choices)
                printf ("%s", setting->choices);
            printf ("\t%s\n", strncmp (setting->name, "client.", 7) == 0 ? "clients"
                                : setting->reloadable                  ? "yes"
                                                                       : "restart");
        }
}

//  The write end of the pipe the waiting parent reads seind's start
//  outcome from (s_daemonize), or -1.
static int s_ready_fd = -1;

//  Classic double fork, except that the parent returns to the shell only
//  when the daemon serves, or failed to: it waits on a pipe for one byte,
//  the daemon's exit status (0 once it is ready, s_detach), and exits
//  with it; a daemon that dies before it writes one makes it exit 70.
//  Until then the daemon keeps the caller's stderr, so that why it could
//  not start is printed where it was started. The working directory
//  stays, so relative -c and -o paths mean the same thing on every reload
//  as they did at start.
static void
s_daemonize (void)
{
    int ready[2];
    if (pipe (ready)) {
        perror ("seind: pipe");
        exit (SEIN_EXIT_SOFTWARE);
    }
    pid_t pid = fork ();
    if (pid < 0) {
        perror ("seind: fork");
        exit (SEIN_EXIT_SOFTWARE);
    }
    if (pid > 0) {
        close (ready[1]);
        unsigned char status = SEIN_EXIT_SOFTWARE;
        ssize_t size;
        while ((size = read (ready[0], &status, 1)) < 0 && errno == EINTR)
            ;
        if (size != 1)
            fprintf (stderr, "seind: the daemon ended before it was ready\n");
        _exit (size == 1 ? status : SEIN_EXIT_SOFTWARE);
    }
    close (ready[0]);
    setsid ();
    pid = fork ();
    if (pid < 0)
        exit (SEIN_EXIT_SOFTWARE);
    if (pid > 0)
        _exit (SEIN_EXIT_OK);
    s_ready_fd = ready[1];
}

//  Tell a waiting parent (s_daemonize) the start's outcome STATUS, once;
//  when it is 0, the daemon serves: stdio goes to /dev/null and the log
//  to syslog from now on.
static void
s_detach (int status)
{
    if (s_ready_fd < 0)
        return;
    if (status == 0) {
        sein_log_init ("seind", false);
        int null = open ("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2 (null, STDIN_FILENO);
            dup2 (null, STDOUT_FILENO);
            dup2 (null, STDERR_FILENO);
            if (null > STDERR_FILENO)
                close (null);
        }
    }
    unsigned char byte = (unsigned char) status;
    if (write (s_ready_fd, &byte, 1) != 1) {
        //  The parent is gone: nobody is left to tell.
    }
    close (s_ready_fd);
    s_ready_fd = -1;
}

//  Raise RLIMIT_NOFILE's soft limit to the hard one: each client
//  connection costs a descriptor, and the soft limit is 1024 by default
//  (systemd's hard one 524288). What still runs out is refused cleanly
//  (sein_accept.h).
static void
s_raise_nofile (void)
{
    struct rlimit limit;
    if (getrlimit (RLIMIT_NOFILE, &limit)) {
        zsys_warning ("cannot read the limit on open files: %s", strerror (errno));
        return;
    }
    if (limit.rlim_cur < limit.rlim_max) {
        rlim_t soft = limit.rlim_cur;
        limit.rlim_cur = limit.rlim_max;
        if (setrlimit (RLIMIT_NOFILE, &limit)) {
            zsys_warning ("cannot raise the limit on open files from %llu: %s",
                          (unsigned long long) soft, strerror (errno));
            limit.rlim_cur = soft;
        }
    }
    zsys_notice ("open files: up to %llu", (unsigned long long) limit.rlim_cur);
}

//  Load the setup afresh and hand it to the server, or the reason it could
//  not be loaded: the server answers RELOAD requests waiting for the
//  outcome with it. Logs the outcome and says it in STATUS=. *ASKED is
//  the last RELOAD request the server asked for (RELOAD-ASKED N); the
//  load covers those read before it began, and raises *ASKED when more
//  came meanwhile: their answer must come from a load that begins after
//  them. Returns false when the server answered that it is stopping for
//  good instead (FATAL).
static bool
s_reload (zactor_t *server, const char *file, const char **overrides, int noverrides,
          uint64_t *asked)
{
    bool alive = true;
    uint64_t covered = *asked;
    sd_notify (0, "RELOADING=1");
    char *error = NULL;
    sein_setup_t *setup = sein_setup_load (file, overrides, noverrides, &error);
    zsock_send (server, "sps8", "RELOAD", setup, setup ? "" : error, covered);
    char *status = NULL;
    uint64_t ask = 0;
    while (zsock_recv (server, "s8", &status, &ask) == 0 && status &&
           streq (status, "RELOAD-ASKED")) {
        if (ask > *asked)
            *asked = ask;
        zstr_free (&status);
    }
    char *outcome;
    if (status && streq (status, "OK"))
        outcome = sein_sprintf ("configuration reloaded from %s", file);
    else if (status && strncmp (status, "FATAL ", 6) == 0) {
        outcome = sein_sprintf ("stopping: %s", status + 6);
        alive = false;
    } else
        outcome = sein_sprintf ("reload refused, keeping the running configuration: %s",
                                status && strlen (status) > 6 ? status + 6 : "no answer");
    if (status && streq (status, "OK"))
        zsys_notice ("%s", outcome);
    else
        zsys_error ("%s", outcome);
    sd_notifyf (0, "READY=1\nSTATUS=%s", outcome);
    zstr_free (&outcome);
    zstr_free (&status);
    free (error);
    return alive;
}

//  Open the store named by storage.dir and storage.file as its owner into
//  *STORE_P, with FLAGS (sein_store_open); the server opens its own
//  connections to it. Returns 0, or the exit status when seind must not
//  start.
static int
s_open_store (sein_config_t *config, int flags, sein_store_t **store_p)
{
    const char *dir = sein_config_str (config, "storage.dir");
    if ((flags & SEIN_STORE_INIT) && zsys_dir_create ("%s", dir)) {
        zsys_error ("cannot start: cannot create storage.dir %s: %s", dir, strerror (errno));
        return SEIN_EXIT_UNAVAILABLE;
    }
    char *path = sein_sprintf ("%s/%s", dir, sein_config_str (config, "storage.file"));
    sein_store_status_t status;
    char *error = NULL;
    if (sein_config_bool (config, "storage.group_readable"))
        flags |= SEIN_STORE_GROUP;
    *store_p = sein_store_open (path, sein_config_str (config, "storage.synchronous"),
                                flags, &status, &error);
    int exit_status = SEIN_EXIT_OK;
    if (!*store_p) {
        zsys_error ("cannot start: %s", error);
        //  A refused store is for a person to look at: 78, which the unit
        //  does not restart; busy or unreadable may pass.
        exit_status =
            status == SEIN_STORE_REFUSED ? SEIN_EXIT_CONFIG : SEIN_EXIT_UNAVAILABLE;
    }
    zstr_free (&error);
    zstr_free (&path);
    return exit_status;
}

static int
s_main (int argc, char **argv)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'}, {"option", required_argument, NULL, 'o'},
        {"foreground", no_argument, NULL, 'f'},   {"check", no_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},         {"version", no_argument, NULL, 'V'},
        {"init", no_argument, NULL, 'I'},         {"accept-store", no_argument, NULL, 'A'},
        {"fast-start", no_argument, NULL, 'F'},   {"settings", no_argument, NULL, 'S'},
        {NULL, 0, NULL, 0}};
    //  As the clients do (sein_cli.c): -c, else $SEIN_CONFIG, else the default.
    const char *file = getenv ("SEIN_CONFIG");
    if (!file || !*file)
        file = S_DEFAULT_CONFIG;
    const char *overrides[S_MAX_OVERRIDES];
    int noverrides = 0;
    bool foreground = false, check = false;
    int store_flags = 0;
    int key;
    while ((key = getopt_long (argc, argv, "c:o:fhV", options, NULL)) != -1) {
        switch (key) {
        case 'c':
            file = optarg;
            break;
        case 'o':
            if (noverrides == S_MAX_OVERRIDES) {
                fprintf (stderr, "seind: too many -o options\n");
                return SEIN_EXIT_USAGE;
            }
            overrides[noverrides++] = optarg;
            break;
        case 'f':
            foreground = true;
            break;
        case 'C':
            check = true;
            break;
        case 'I':
            store_flags |= SEIN_STORE_INIT;
            break;
        case 'A':
            store_flags |= SEIN_STORE_ACCEPT;
            break;
        case 'F':
            store_flags |= SEIN_STORE_FAST;
            break;
        case 'S':
            s_print_settings ();
            return SEIN_EXIT_OK;
        case 'h':
            s_usage (stdout);
            return SEIN_EXIT_OK;
        case 'V':
            printf ("seind %s\n", SEIN_VERSION);
            return SEIN_EXIT_OK;
        default:
            s_usage (stderr);
            return SEIN_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf (stderr, "seind: unexpected argument '%s'\n", argv[optind]);
        return SEIN_EXIT_USAGE;
    }
    //  We own SIGINT/SIGTERM; czmq must not install its handler (it would
    //  make every zloop and blocking call quit on the first signal).
    zsys_handler_set (NULL);
    //  Intake and watch sessions each get an I/O thread (sein_wire.h).
    zsys_set_io_threads (SEIN_IO_THREADS);
    sein_alloc_init ();

    char *error = NULL;
    sein_setup_t *setup = sein_setup_load (file, overrides, noverrides, &error);
    if (!setup) {
        fprintf (stderr, "%s\n", error);
        free (error);
        return SEIN_EXIT_CONFIG;
    }
    if (check && !(store_flags & SEIN_STORE_INIT)) {
        printf ("%s: configuration and data files are valid\n", file);
        sein_setup_destroy (&setup);
        return SEIN_EXIT_OK;
    }
    //  The store holds personal data: nothing we create is world-readable.
    umask (027);
    //  --init --check runs in the foreground: it creates the store and exits.
    //  Detached, seind logs to stderr until it serves (s_detach).
    if (!foreground && !check)
        s_daemonize ();
    sein_log_init ("seind", true);
    sein_log_set_level (sein_config_str (setup->config, "daemon.log_level"));
    s_raise_nofile ();

    //  Block the signals in every thread (actors inherit this mask) and
    //  read them here.
    sigset_t mask;
    sigemptyset (&mask);
    sigaddset (&mask, SIGTERM);
    sigaddset (&mask, SIGINT);
    sigaddset (&mask, SIGHUP);
    pthread_sigmask (SIG_BLOCK, &mask, NULL);
    signal (SIGPIPE, SIG_IGN);
    int signals = signalfd (-1, &mask, SFD_CLOEXEC);

    sein_store_t *store = NULL;
    int refused = s_open_store (setup->config, store_flags, &store);
    if (refused || check) {
        //  --init --check: the store exists and is sound, as an admin
        //  makes it once before the service first starts.
        if (!refused)
            printf ("%s: configuration and data files are valid, the store is ready\n",
                    file);
        sein_store_destroy (&store);
        sein_setup_destroy (&setup);
        close (signals);
        return refused;
    }
    //  The server takes the setup over; the store's path for the stop.
    char *path = sein_sprintf ("%s/%s", sein_config_str (setup->config, "storage.dir"),
                               sein_config_str (setup->config, "storage.file"));
    sein_server_args_t args = {setup, store, 0};
    zactor_t *server = zactor_new (sein_server_actor, &args);
    char *status = zstr_recv (server);
    if (!status || !streq (status, "OK")) {
        zsys_error ("cannot start: %s", status ? status + 6 : "server did not answer");
        zstr_free (&status);
        zactor_destroy (&server);
        sein_store_destroy (&store);
        zstr_free (&path);
        return SEIN_EXIT_UNAVAILABLE;
    }
    zstr_free (&status);
    sd_notify (0, "READY=1\nSTATUS=serving");
    s_detach (SEIN_EXIT_OK);

    //  Signals, and the server, which says FATAL when it cannot go on (a
    //  failed fsync): then seind exits EX_IOERR for its supervisor.
    int status_code = SEIN_EXIT_OK;
    bool running = true;
    uint64_t asked = 0, covered = 0; //  RELOAD requests asked for, and answered
    while (running) {
        zmq_pollitem_t items[] = {{zsock_resolve (server), 0, ZMQ_POLLIN, 0},
                                  {NULL, signals, ZMQ_POLLIN, 0}};
        if (zmq_poll (items, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            zsys_error ("waiting for signals: %s", zmq_strerror (errno));
            break;
        }
        if (items[0].revents & ZMQ_POLLIN) {
            char *message = NULL;
            uint64_t ask = 0;
            zsock_recv (server, "s8", &message, &ask);
            if (message && streq (message, "RELOAD-ASKED")) {
                zstr_free (&message);
                if (ask > asked)
                    asked = ask;
                //  Until a load that began after the last request.
                while (running && covered < asked) {
                    covered = asked;
                    if (!s_reload (server, file, overrides, noverrides, &asked)) {
                        status_code = SEIN_EXIT_IOERR;
                        running = false;
                    }
                }
                continue;
            }
            zsys_error ("stopping: %s", message && strlen (message) > 6 ? message + 6 : "?");
            zstr_free (&message);
            status_code = SEIN_EXIT_IOERR;
            break;
        }
        if (!(items[1].revents & ZMQ_POLLIN))
            continue;
        struct signalfd_siginfo info;
        ssize_t size = read (signals, &info, sizeof info);
        if (size != sizeof info) {
            if (errno == EINTR)
                continue;
            zsys_error ("reading signals: %s", strerror (errno));
            break;
        }
        if (info.ssi_signo == SIGHUP) {
            do {
                covered = asked;
                if (!s_reload (server, file, overrides, noverrides, &asked)) {
                    status_code = SEIN_EXIT_IOERR;
                    running = false;
                }
            } while (running && covered < asked);
        } else {
            zsys_notice ("signal %d: finishing work in flight and stopping",
                         (int) info.ssi_signo);
            running = false;
        }
    }
    sd_notify (0, "STOPPING=1\nSTATUS=stopping: finishing the work in flight");
    zactor_destroy (&server);
    //  A disk that failed before or while a signal stopped seind is still
    //  a failure its supervisor must see.
    if (args.status)
        status_code = args.status;
    //  The last sync, before the owner records its final head: when it
    //  fails the disk failed too, even if no batch met it (issue 14).
    int log_fd = -1;
    int synced = args.status ? 0 : sein_store_sync (path, &log_fd);
    if (log_fd >= 0)
        close (log_fd);
    if (synced && synced != ENOENT) {
        char *why = sein_sprintf ("fdatasync of %s-wal at stop: %s", path, strerror (synced));
        zsys_error ("storage: the disk failed: %s", why);
        sein_store_set_fault (store, why);
        zstr_free (&why);
        status_code = SEIN_EXIT_IOERR;
    }
    zstr_free (&path);
    //  Last: closing the owner releases the lock on the database file.
    sein_store_destroy (&store);
    close (signals);
    zsys_notice ("stopped");
    return status_code;
}

int
main (int argc, char **argv)
{
    int status = s_main (argc, argv);
    //  A detached seind that did not get to serve tells its waiting parent.
    s_detach (status ? status : SEIN_EXIT_SOFTWARE);
    return status;
}
