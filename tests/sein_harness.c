// SPDX-License-Identifier: MPL-2.0
/*  sein_harness.c - run the real seind and its clients from tests */
#include "sein_harness.h"

#include "sein.h"
#include "sein_settings.h"

#include <czmq.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

int
sein_harness_init (sein_harness_t *self, int tcp_port)
{
    memset (self, 0, sizeof *self);
    snprintf (self->dir, sizeof self->dir, "/tmp/sein-test-XXXXXX");
    if (!mkdtemp (self->dir))
        return -1;
    snprintf (self->config, sizeof self->config, "%s/conf/sein.cfg", SEIN_SOURCE_DIR);
    snprintf (self->log, sizeof self->log, "%s/seind.log", self->dir);
    if (tcp_port > 0) {
        snprintf (self->intake, sizeof self->intake, "tcp://127.0.0.1:%d", tcp_port);
        snprintf (self->publish, sizeof self->publish, "tcp://127.0.0.1:%d", tcp_port + 1);
        snprintf (self->watch, sizeof self->watch, "tcp://127.0.0.1:%d", tcp_port + 2);
    } else {
        snprintf (self->intake, sizeof self->intake, "ipc://%s/intake", self->dir);
        snprintf (self->publish, sizeof self->publish, "ipc://%s/publish", self->dir);
        snprintf (self->watch, sizeof self->watch, "ipc://%s/watch", self->dir);
    }
    char override[320];
    snprintf (override, sizeof override, "storage.dir=%s", self->dir);
    sein_harness_set (self, override);
    snprintf (override, sizeof override, "endpoints.intake=%s", self->intake);
    sein_harness_set (self, override);
    snprintf (override, sizeof override, "endpoints.publish=%s", self->publish);
    sein_harness_set (self, override);
    snprintf (override, sizeof override, "endpoints.watch=%s", self->watch);
    sein_harness_set (self, override);
    self->pid = -1;
    return 0;
}

void
sein_harness_set (sein_harness_t *self, const char *override)
{
    assert (self->noverrides < 16);
    snprintf (self->overrides[self->noverrides++], sizeof self->overrides[0], "%s",
              override);
}

//  argv for PROGRAM with -c and every override, then ARGS.
static char **
s_argv (sein_harness_t *self, const char *program, va_list args)
{
    char **argv = (char **) zmalloc (sizeof (char *) * 64);
    int count = 0;
    argv[count++] = zsys_sprintf ("%s/%s", SEIN_BINARY_DIR, program);
    argv[count++] = strdup ("-c");
    argv[count++] = strdup (self->config);
    for (int index = 0; index < self->noverrides; index++) {
        argv[count++] = strdup ("-o");
        argv[count++] = strdup (self->overrides[index]);
    }
    const char *arg;
    while ((arg = va_arg (args, const char *)) && count < 62)
        argv[count++] = strdup (arg);
    return argv;
}

static void
s_argv_free (char **argv)
{
    for (char **arg = argv; *arg; arg++)
        free (*arg);
    free (argv);
}

static pid_t
s_spawn (char **argv, int in, int out, int err, int nofile)
{
    pid_t pid = fork ();
    if (pid == 0) {
        struct rlimit limit = {(rlim_t) nofile, (rlim_t) nofile};
        if (nofile > 0 && setrlimit (RLIMIT_NOFILE, &limit))
            _exit (126);
        if (in >= 0)
            dup2 (in, STDIN_FILENO);
        if (out >= 0)
            dup2 (out, STDOUT_FILENO);
        if (err >= 0)
            dup2 (err, STDERR_FILENO);
        execvp (argv[0], argv); //  a SEIN_WRAP command is found on PATH
        _exit (127);
    }
    return pid;
}

int64_t
sein_harness_scale (int64_t ms)
{
    const char *scale = getenv ("SEIN_TIMEOUT_SCALE");
    long factor = scale ? atol (scale) : 1;
    return factor > 1 ? ms * factor : ms;
}

//  ARGV behind the words of SEIN_WRAP, if set; ARGV is consumed.
static char **
s_wrap (char **argv)
{
    const char *wrap = getenv ("SEIN_WRAP");
    if (!wrap || !*wrap)
        return argv;
    char **wrapped = (char **) zmalloc (sizeof (char *) * 128);
    char *words = strdup (wrap), *cursor = NULL;
    int count = 0;
    for (char *word = strtok_r (words, " ", &cursor); word && count < 60;
         word = strtok_r (NULL, " ", &cursor))
        wrapped[count++] = strdup (word);
    free (words);
    for (int index = 0; argv[index]; index++)
        wrapped[count++] = argv[index];
    free (argv); //  its strings are wrapped's now
    return wrapped;
}

static int
s_start (sein_harness_t *self, ...)
{
    va_list args;
    va_start (args, self);
    char **argv = s_wrap (s_argv (self, "seind", args));
    va_end (args);
    int log = open (self->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    self->pid = s_spawn (argv, -1, log, log, self->nofile);
    close (log);
    s_argv_free (argv);
    if (self->pid < 0)
        return -1;
    //  Ready when it answers PING.
    sein_client_t *client = sein_client_new_secure (self->intake, self->keys);
    int64_t deadline = zclock_mono () + sein_harness_scale (10000);
    int rc = -1;
    while (rc && zclock_mono () < deadline) {
        json_t *reply =
            sein_client_call (client, SEIN_PING, NULL, (int) sein_harness_scale (200));
        if (reply)
            rc = 0;
        json_decref (reply);
        int status;
        if (waitpid (self->pid, &status, WNOHANG) == self->pid) {
            self->pid = -1;
            break;
        }
    }
    sein_client_destroy (&client);
    return rc;
}

int
sein_harness_start (sein_harness_t *self)
{
    //  --init: the harness's store is new at first, and its own later.
    return s_start (self, "-f", "--init", self->flag, NULL);
}

int
sein_harness_stop (sein_harness_t *self, int signum)
{
    if (self->pid <= 0)
        return -1;
    kill (self->pid, signum);
    int status = 0;
    waitpid (self->pid, &status, 0);
    self->pid = -1;
    return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

long
sein_harness_memory (sein_harness_t *self, bool peak)
{
    char path[64];
    snprintf (path, sizeof path, "/proc/%d/status", (int) self->pid);
    FILE *file = fopen (path, "r");
    if (!file)
        return -1;
    char line[256];
    long value = -1;
    const char *key = peak ? "VmHWM:" : "VmRSS:";
    while (fgets (line, sizeof line, file))
        if (strncmp (line, key, strlen (key)) == 0)
            value = strtol (line + strlen (key), NULL, 10);
    fclose (file);
    return value;
}

double
sein_harness_cpu (pid_t pid)
{
    char path[64];
    snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
    FILE *file = fopen (path, "r");
    if (!file)
        return 0;
    char line[1024];
    double seconds = 0;
    if (fgets (line, sizeof line, file)) {
        //  Fields 14 and 15 (utime, stime) follow the ")" closing the name.
        char *cursor = strrchr (line, ')');
        unsigned long utime = 0, stime = 0;
        if (cursor && sscanf (cursor + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                              &utime, &stime) == 2)
            seconds = (double) (utime + stime) / (double) sysconf (_SC_CLK_TCK);
    }
    fclose (file);
    return seconds;
}

void
sein_harness_submit (void *handle, long corr, const char *body)
{
    char tag[24];
    int len = snprintf (tag, sizeof tag, "%ld", corr);
    zmq_send (handle, SEIN_PROTOCOL, strlen (SEIN_PROTOCOL), ZMQ_SNDMORE);
    zmq_send (handle, SEIN_SUBMIT, strlen (SEIN_SUBMIT), ZMQ_SNDMORE);
    zmq_send (handle, tag, (size_t) len, ZMQ_SNDMORE);
    zmq_send (handle, body, strlen (body), 0);
}

long
sein_harness_receive (void *handle, bool *accepted)
{
    zmq_msg_t part;
    zmq_msg_init (&part);
    long corr = -1;
    *accepted = false;
    for (int index = 0;; index++) {
        if (zmq_msg_recv (&part, handle, 0) < 0) {
            zmq_msg_close (&part);
            return -1;
        }
        if (index == 2) {
            char tag[24] = "";
            size_t size = zmq_msg_size (&part) < 23 ? zmq_msg_size (&part) : 23;
            memcpy (tag, zmq_msg_data (&part), size);
            corr = atol (tag);
        } else if (index == 3)
            *accepted = memmem (zmq_msg_data (&part), zmq_msg_size (&part),
                                "\"accepted\"", 10) != NULL;
        if (!zmq_msg_more (&part))
            break;
    }
    zmq_msg_close (&part);
    return corr;
}

sein_config_t *
sein_harness_data_config (const char **extra, char **error_p)
{
    static const char *files[][2] = {
        {"data.areas", "areas.tsv"},     {"data.polygons", "areas.geojson"},
        {"data.streets", "streets.tsv"}, {"data.places", "places.tsv"},
        {"data.themes", "themes.tsv"},   {"data.theme_rules", "theme-rules.tsv"},
        {"data.priority_rules", "priority-rules.tsv"}};
    enum { S_NFILES = sizeof files / sizeof files[0], S_EXTRA_MAX = 24 };
    const char *overrides[S_NFILES + S_EXTRA_MAX];
    char *owned[S_NFILES];
    int count = 0;
    for (size_t index = 0; index < S_NFILES; index++) {
        owned[index] = zsys_sprintf ("%s=%s/conf/%s", files[index][0], SEIN_SOURCE_DIR,
                                     files[index][1]);
        overrides[count++] = owned[index];
    }
    for (; extra && *extra && count < S_NFILES + S_EXTRA_MAX; extra++)
        overrides[count++] = *extra;
    sein_config_t *config = sein_settings_load (NULL, overrides, count, error_p);
    for (size_t index = 0; index < S_NFILES; index++)
        zstr_free (&owned[index]);
    return config;
}

void
sein_harness_data (sein_harness_t *self)
{
    const char *data[][2] = {{"areas", "areas.tsv"},
                             {"polygons", "areas.geojson"},
                             {"streets", "streets.tsv"},
                             {"places", "places.tsv"},
                             {"themes", "themes.tsv"},
                             {"theme_rules", "theme-rules.tsv"},
                             {"priority_rules", "priority-rules.tsv"},
                             {"theme_model", "theme.model"}};
    for (size_t index = 0; index < sizeof data / sizeof data[0]; index++) {
        char override[320];
        snprintf (override, sizeof override, "data.%s=%s/conf/%s", data[index][0],
                  SEIN_SOURCE_DIR, data[index][1]);
        sein_harness_set (self, override);
    }
}

int
sein_harness_secure (sein_harness_t *self)
{
    snprintf (self->config, sizeof self->config, "%s/sein.cfg", self->dir);
    FILE *file = fopen (self->config, "w");
    if (!file)
        return -1;
    //  libconfig puts the file's own directory (sein_config.c's include
    //  dir) before every @include path, absolute ones too: go up from the
    //  harness's directory, /tmp/sein-test-XXXXXX, to the root.
    fprintf (file,
             "@include \"../..%s/conf/sein.cfg\"\n"
             "security = { enabled = true; keys = \"keys\"; broadcast = \"trusted\"; };\n",
             SEIN_SOURCE_DIR);
    fclose (file);
    chmod (self->config, 0600);
    //  The data files are relative to conf/sein.cfg, the file here includes it.
    sein_harness_data (self);
    if (sein_harness_keygen (self, "seind", "server", NULL) ||
        sein_harness_keygen (self, "harness", "admin", NULL))
        return -1;
    sein_harness_set (self, "client.key=harness");
    self->keys = sein_harness_keys (self, "harness");
    return self->keys ? 0 : -1;
}

int
sein_harness_keygen (sein_harness_t *self, const char *name, const char *role,
                     const char *team)
{
    return team ? sein_harness_run (self, NULL, NULL, "seinctl", "keygen", name, "--role", role,
                                    "--team", team, NULL)
                : sein_harness_run (self, NULL, NULL, "seinctl", "keygen", name, "--role", role,
                                    NULL);
}

sein_keys_t *
sein_harness_keys (sein_harness_t *self, const char *name)
{
    char *dir = zsys_sprintf ("%s/keys", self->dir), *error = NULL;
    sein_keys_t *keys = sein_keys_new (dir, name, "seind", &error);
    if (!keys)
        fprintf (stderr, "sein_harness_keys: %s\n", error);
    zstr_free (&dir);
    zstr_free (&error);
    return keys;
}

void
sein_harness_cleanup (sein_harness_t *self)
{
    sein_keys_destroy (&self->keys);
    const char *wrap = getenv ("SEIN_WRAP");
    if (self->pid > 0 && wrap && *wrap) {
        //  A wrapper such as valgrind reports when seind exits, not when it
        //  is killed: ask it to stop first, and wait for it.
        kill (self->pid, SIGTERM);
        int64_t deadline = zclock_mono () + sein_harness_scale (10000);
        int status;
        while (self->pid > 0 && zclock_mono () < deadline) {
            if (waitpid (self->pid, &status, WNOHANG) != 0)
                self->pid = -1; //  gone (or not ours to wait for)
            else
                zclock_sleep (20);
        }
    }
    if (self->pid > 0)
        sein_harness_stop (self, SIGKILL);
    if (*self->dir) {
        char *command = zsys_sprintf ("rm -rf '%s'", self->dir);
        if (system (command) != 0)
            fprintf (stderr, "could not remove %s\n", self->dir);
        zstr_free (&command);
    }
}

int
sein_harness_run (sein_harness_t *self, const char *input, char **output_p,
                  const char *program, ...)
{
    va_list args;
    va_start (args, program);
    char **argv = s_argv (self, program, args);
    va_end (args);
    char in_path[320], out_path[320];
    snprintf (in_path, sizeof in_path, "%s/stdin-%d", self->dir, (int) getpid ());
    snprintf (out_path, sizeof out_path, "%s/stdout-%d", self->dir, (int) getpid ());
    FILE *file = fopen (in_path, "w");
    if (input)
        fputs (input, file);
    fclose (file);
    int in = open (in_path, O_RDONLY);
    int out = open (out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = s_spawn (argv, in, out, -1, 0);
    close (in);
    close (out);
    s_argv_free (argv);
    int status = 0;
    waitpid (pid, &status, 0);
    if (output_p) {
        zfile_t *result = zfile_new (NULL, out_path);
        *output_p = NULL;
        if (result && zfile_input (result) == 0) {
            zchunk_t *chunk = zfile_read (result, zfile_cursize (result), 0);
            *output_p = (char *) zmalloc (zchunk_size (chunk) + 1);
            memcpy (*output_p, zchunk_data (chunk), zchunk_size (chunk));
            zchunk_destroy (&chunk);
        }
        zfile_destroy (&result);
    }
    unlink (in_path);
    unlink (out_path);
    return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

const char *
sein_harness_write (const char *name, const char *content)
{
    static char path[256];
    snprintf (path, sizeof path, "%s/%s-%d", SEIN_BINARY_DIR, name, (int) getpid ());
    FILE *file = fopen (path, "w");
    if (!file || fputs (content, file) < 0 || fclose (file)) {
        fprintf (stderr, "%s: %s\n", path, strerror (errno));
        abort ();
    }
    return path;
}

const char *const sein_harness_texts[SEIN_HARNESS_TEXTS] = {
    "Elke donderdag fuif in het studentenhuis naast ons, bassen tot 5u 's ochtends.",
    "Sluikstort van matrassen en zakken naast de glasbollen, al een week.",
    "Hangjongeren met scooters op het plein, roepen en toeteren tot na middernacht.",
    "Put in het fietspad, gevaarlijk voor fietsers, al twee keer iemand gevallen.",
    "Rats near the bins behind the block, we see them every evening.",
    "Dépôt clandestin de sacs poubelles devant l'école depuis lundi.",
    "Boom dreigt om te vallen na de storm, takken hangen over de stoep.",
    "Auto's parkeren elke avond op het zebrapad aan de school.",
};

//  Whether the string VALUE is one of FILTER's KEY values (a string or a
//  list of them).
static bool
s_listed (json_t *filter, const char *key, json_t *value)
{
    json_t *list = json_object_get (filter, key);
    if (json_is_string (list))
        return json_equal (list, value);
    size_t index;
    json_t *item;
    json_array_foreach (list, index, item)
        if (json_equal (item, value))
            return true;
    return false;
}

bool
sein_harness_selects (json_t *filter, json_t *event)
{
    if (!filter)
        return true;
    //  An area matches the event's area or its wijk: a wijk has its zones.
    if (json_object_get (filter, "area") &&
        !s_listed (filter, "area", json_object_get (event, "area")) &&
        !s_listed (filter, "area", json_object_get (event, "wijk")))
        return false;
    if (json_object_get (filter, "theme") &&
        !s_listed (filter, "theme", json_object_get (event, "theme")))
        return false;
    if (json_object_get (filter, "priority") &&
        !s_listed (filter, "priority", json_object_get (event, "priority")))
        return false;
    if (!json_object_get (filter, "team"))
        return true;
    size_t index;
    json_t *team;
    json_array_foreach (json_object_get (event, "teams"), index, team)
        if (s_listed (filter, "team", team))
            return true;
    return false;
}
