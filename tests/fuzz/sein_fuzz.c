// SPDX-License-Identifier: MPL-2.0
/*  sein_fuzz.c - scratch file, reference data and checks for the fuzz targets */
#include "sein_fuzz.h"

#include "sein_settings.h"

#include <czmq.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
sein_fuzz_fail (const char *file, int line, const char *what)
{
    fprintf (stderr, "%s:%d: fuzz check failed: %s\n", file, line, what);
    abort ();
}

static char s_path[PATH_MAX];
static int s_fd = -1;

static void
s_remove_file (void)
{
    if (s_fd >= 0)
        unlink (s_path);
}

const char *
sein_fuzz_file (const uint8_t *data, size_t size)
{
    if (s_fd < 0) {
        const char *dir = getenv ("TMPDIR");
        snprintf (s_path, sizeof s_path, "%s/sein-fuzz-XXXXXX",
                  dir && *dir ? dir : "/tmp");
        s_fd = mkstemp (s_path);
        if (s_fd < 0) {
            fprintf (stderr, "%s: %s\n", s_path, strerror (errno));
            abort ();
        }
        atexit (s_remove_file);
    }
    //  Rewritten in place: one file for the whole run, no directory churn.
    if (ftruncate (s_fd, 0) || pwrite (s_fd, data, size, 0) != (ssize_t) size) {
        fprintf (stderr, "%s: %s\n", s_path, strerror (errno));
        abort ();
    }
    return s_path;
}

static const char *s_data[][2] = {
    {"data.areas", "areas.tsv"},
    {"data.polygons", "areas.geojson"},
    {"data.streets", "streets.tsv"},
    {"data.places", "places.tsv"},
    {"data.themes", "themes.tsv"},
    {"data.theme_rules", "theme-rules.tsv"},
    {"data.priority_rules", "priority-rules.tsv"}};
#define S_DATA (sizeof s_data / sizeof s_data[0])

sein_config_t *
sein_fuzz_config (const char *setting, const char *path)
{
    //  The theme model is loaded only when it is the file fuzzed: the
    //  bundled one would cost every loader target its parse per input.
    char *owned[S_DATA + 1];
    size_t count = S_DATA;
    if (setting && streq (setting, "data.theme_model"))
        owned[count++] = zsys_sprintf ("data.theme_model=%s", path);
    for (size_t index = 0; index < S_DATA; index++) {
        const char *name = s_data[index][0];
        if (setting && streq (setting, name))
            owned[index] = zsys_sprintf ("%s=%s", name, path);
        else if (setting && streq (name, "data.theme_rules"))
            owned[index] = zsys_sprintf ("%s=%s", name, SEIN_FUZZ_RULES_SLICE);
        else
            owned[index] =
                zsys_sprintf ("%s=%s/conf/%s", name, SEIN_SOURCE_DIR, s_data[index][1]);
    }
    char *error = NULL;
    sein_config_t *config =
        sein_settings_load (NULL, (const char **) owned, (int) count, &error);
    for (size_t index = 0; index < count; index++)
        free (owned[index]);
    if (!config) {
        fprintf (stderr, "fuzz configuration: %s\n", error);
        abort ();
    }
    return config;
}

sein_classifier_t *
sein_fuzz_classifier (bool slice)
{
    static sein_classifier_t *classifier;
    if (!classifier) {
        sein_config_t *config =
            slice ? sein_fuzz_config ("data.theme_rules", SEIN_FUZZ_RULES_SLICE)
                  : sein_fuzz_config (NULL, NULL);
        char *error = NULL;
        classifier = sein_classifier_new (config, &error);
        sein_config_destroy (&config);
        if (!classifier) {
            fprintf (stderr, "conf/: %s\n", error);
            abort ();
        }
    }
    return classifier;
}

static const char *s_bodies[SEIN_FUZZ_SIGNALS] = {
    "{\"description\": \"Geluidsoverlast van een fuif tot 5u, geen slaap meer\", "
    "\"source\": \"citizen\", \"address_string\": \"Naamsestraat 45, Leuven\"}",
    "{\"description\": \"Sluikstort naast de glasbak\", \"source\": \"citizen\", "
    "\"address_string\": \"45 Burgemeesterstraat\"}",
    "{\"description\": \"Musique très forte du bar en face, pas de calme\", "
    "\"source\": \"citizen\", \"lat\": 50.8776, \"long\": 4.6992}",
    "{\"description\": \"Broken streetlight on Tiensesteenweg, not fixed but reported\", "
    "\"source\": \"partner\"}",
    "{\"description\": \"bin_fill=97 container vol\", \"source\": \"system\", "
    "\"attributes\": {\"bin_fill\": \"97\", \"sensor\": \"b-12\"}}",
    "{\"description\": \"Put in het fietspad\", \"source\": \"staff\", "
    "\"area\": \"kessel-lo\", \"theme\": \"verkeer\", \"priority\": \"high\"}",
    "{\"description\": \"Hangjongeren aan het station, geen overlast meer "
    "maar wel afval\", "
    "\"source\": \"citizen\", \"lat\": 50.8818, \"long\": 4.7150, "
    "\"address_string\": \"Martelarenplein\"}",
    "{\"description\": \"Point on the edge\", \"source\": \"citizen\", "
    "\"lat\": 50.878, \"long\": 4.69}",
    //  The gazetteer: a postcode and a name, another town, a count.
    "{\"description\": \"3010: Burgemeestersstraat 15 gasten, Grote Markt in Tienen\", "
    "\"source\": \"citizen\", \"address_string\": \"3010 Kessel-Lo\"}",
    "{\"description\": \"Project Burgemeestersstraat, station van Kessel-Lo, naar "
    "Herent\", \"source\": \"citizen\", \"attributes\": {\"station\": \"OD-11\"}}",
};

const sein_signal_t *
sein_fuzz_signals (void)
{
    static sein_signal_t signals[SEIN_FUZZ_SIGNALS];
    static bool parsed;
    if (!parsed) {
        sein_signal_limits_t limits = {4000, 65536};
        for (size_t index = 0; index < SEIN_FUZZ_SIGNALS; index++) {
            sein_error_t error;
            if (sein_signal_parse (&signals[index], s_bodies[index],
                                   strlen (s_bodies[index]), &limits, &error)) {
                fprintf (stderr, "fuzz signal %zu: %s %s\n", index, error.code,
                         error.message);
                abort ();
            }
        }
        parsed = true;
    }
    return signals;
}

//  A code field: NUL-terminated within its buffer and not empty.
static bool
s_code_valid (const char *code)
{
    size_t len = strnlen (code, SEIN_CODE_MAX);
    return len > 0 && len < SEIN_CODE_MAX;
}

void
sein_fuzz_classify (sein_classifier_t *classifier, const sein_signal_t *signal)
{
    //  The scratch belongs to no classifier: one serves every target's.
    static sein_classify_scratch_t *scratch;
    if (!scratch)
        scratch = sein_classify_scratch_new ();
    sein_fuzz_check (scratch);
    for (int trace = 0; trace < 2; trace++) {
        sein_classification_t result;
        memset (&result, 0, sizeof result);
        sein_classifier_classify (classifier, scratch, signal, &result, trace);
        sein_fuzz_check (s_code_valid (result.area) && s_code_valid (result.theme) &&
                         s_code_valid (result.priority));
        sein_fuzz_check (sein_classifier_known_area (classifier, result.area));
        sein_fuzz_check (sein_classifier_known_theme (classifier, result.theme));
        bool priority_known = false;
        for (const char *const *priority = sein_priorities; *priority; priority++)
            priority_known |= streq (*priority, result.priority);
        sein_fuzz_check (priority_known);
        sein_fuzz_check (result.confidence >= 0 && result.confidence <= 1);
        sein_fuzz_check (result.detail && strlen (result.detail) == result.detail_size);
        json_t *detail = json_loadb (result.detail, result.detail_size, 0, NULL);
        sein_fuzz_check (json_is_object (detail));
        json_decref (detail);
        sein_classification_clear (&result);
    }
}
