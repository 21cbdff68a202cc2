// SPDX-License-Identifier: MPL-2.0
/*  bench_classify.c - time per classification, bundled and city-sized data

    Prints the time of one sein_classifier_classify call (with clearing
    its result) as median, p99 and mean over many calls:

      1. the data in conf/ with the signals of tests/data/signals-dev.jsonl;
      2. a generated register of 10,000 streets and 1,000 polygons (250
         wijken of 16 vertices, each with three zones) written to a
         temporary directory, with signals that use those streets (some
         with typos, abbreviations or a street named in the text) and
         points inside them.

    Both with the theme model of conf/theme.model (--no-model: the rules
    alone). Then the time to train a model on conf/corpus and the size of
    conf/theme.model. The target is a median under 20 us for both parts,
    training under 10 s for 3,000 signals, a model under 20 MB. Usage:
      bench_classify [-n ROUNDS] [--check] [--no-model] [--bundled | --generated]
    --check exits 1 when a median misses the target; --bundled and
    --generated run one part only (for profiling).
*/
#include "sein_classify.h"
#include "sein_corpus.h"
#include "sein_settings.h"

#include <czmq.h>
#include <glob.h>
#include <jansson.h>
#include <math.h>
#include <sched.h>
#include <time.h>

#define S_TARGET_US 20.0

static const char *s_rules[][2] = {
    {"data.themes", "themes.tsv"},
    {"data.theme_rules", "theme-rules.tsv"},
    {"data.priority_rules", "priority-rules.tsv"},
    {"data.theme_model", "theme.model"}};
#define S_NRULES 4

static double
s_now (void)
{
    struct timespec now;
    clock_gettime (CLOCK_MONOTONIC, &now);
    return (double) now.tv_sec * 1e9 + (double) now.tv_nsec;
}

static int
s_compare (const void *a, const void *b)
{
    double left = *(const double *) a, right = *(const double *) b;
    return (left > right) - (left < right);
}

static sein_classifier_t *
s_load (const char **overrides, int count)
{
    char *error = NULL;
    sein_config_t *config = sein_settings_load (NULL, overrides, count, &error);
    sein_classifier_t *classifier = config ? sein_classifier_new (config, &error) : NULL;
    sein_config_destroy (&config);
    if (!classifier) {
        fprintf (stderr, "bench_classify: %s\n", error);
        exit (78);
    }
    return classifier;
}

//  Parse every JSON submission in BODIES into SIGNALS.
static size_t
s_parse (zlistx_t *bodies, sein_signal_t *signals)
{
    sein_signal_limits_t limits = {4000, 65536};
    size_t count = 0;
    for (char *body = (char *) zlistx_first (bodies); body;
         body = (char *) zlistx_next (bodies)) {
        sein_error_t error;
        if (sein_signal_parse (&signals[count], body, strlen (body), &limits, &error)) {
            fprintf (stderr, "bench_classify: bad signal: %s\n%s\n", error.message, body);
            exit (65);
        }
        count++;
    }
    return count;
}

//  Time ROUNDS passes over SIGNALS; print and return the median in us.
static double
s_run (const char *label, sein_classifier_t *classifier, sein_classify_scratch_t *scratch,
       sein_signal_t *signals, size_t count, int rounds)
{
    size_t total = count * (size_t) rounds;
    double *times = (double *) malloc (total * sizeof (double));
    assert (times);
    //  Warm up caches and the allocator first.
    for (size_t index = 0; index < count; index++) {
        sein_classification_t result;
        sein_classifier_classify (classifier, scratch, &signals[index], &result, false);
        sein_classification_clear (&result);
    }
    size_t at = 0;
    double sum = 0;
    for (int round = 0; round < rounds; round++)
        for (size_t index = 0; index < count; index++) {
            sein_classification_t result;
            double start = s_now ();
            sein_classifier_classify (classifier, scratch, &signals[index], &result, false);
            sein_classification_clear (&result);
            times[at] = (s_now () - start) / 1000;
            sum += times[at++];
        }
    qsort (times, total, sizeof (double), s_compare);
    double median = times[total / 2];
    printf ("%-28s %7zu calls  median %6.2f us  p99 %6.2f us  mean %6.2f us  max %7.1f us\n",
            label, total, median, times[(size_t) (total * 0.99)], sum / (double) total,
            times[total - 1]);
    free (times);
    return median;
}

//  --------------------------------------------------------------------------
//  Generated data

#define S_COLUMNS 25
#define S_ROWS    10
#define S_WIJKEN  (S_COLUMNS * S_ROWS)
#define S_ZONES   3
#define S_STREETS 10000

static const double s_lon0 = 4.0, s_lat0 = 50.5, s_width = 0.04, s_height = 0.05;

static const char *s_syllables[] = {"ber", "gen", "hof", "lin", "mar", "ste", "vel",
                                    "dor", "kas", "wil", "ro",  "tus", "ven", "aal",
                                    "mol", "bee", "kor", "lan", "pe",  "sin", "tre",
                                    "wou", "zel", "gaar", "bos", "ker", "lei", "nor"};
static const char *s_types[] = {"straat", "laan", "steenweg", "plein", "weg", "baan", "dreef"};

static unsigned int s_seed = 12345;
static unsigned int
s_random (void)
{
    s_seed = s_seed * 1103515245u + 12345u;
    return (s_seed >> 8) & 0xffffff;
}

static double
s_uniform (double low, double high)
{
    return low + (high - low) * (double) s_random () / (double) 0xffffff;
}

//  Write a ring of 16 vertices around the box, slightly irregular.
static void
s_ring (FILE *file, double x0, double y0, double x1, double y1)
{
    fprintf (file, "[[");
    double xs[16], ys[16];
    for (int side = 0, at = 0; side < 4; side++)
        for (int step = 0; step < 4; step++, at++) {
            double t = step / 4.0;
            double jitter = (step == 0) ? 0 : s_uniform (-0.0004, 0.0004);
            if (side == 0)
                xs[at] = x0 + t * (x1 - x0), ys[at] = y0 + jitter;
            else if (side == 1)
                xs[at] = x1 + jitter, ys[at] = y0 + t * (y1 - y0);
            else if (side == 2)
                xs[at] = x1 - t * (x1 - x0), ys[at] = y1 + jitter;
            else
                xs[at] = x0 + jitter, ys[at] = y1 - t * (y1 - y0);
        }
    for (int at = 0; at < 16; at++)
        fprintf (file, "[%.6f,%.6f],", xs[at], ys[at]);
    fprintf (file, "[%.6f,%.6f]]]", xs[0], ys[0]);
}

static void
s_zone_box (int wijk, int zone, double *x0, double *y0, double *x1, double *y1)
{
    double cx = s_lon0 + (wijk % S_COLUMNS) * s_width;
    double cy = s_lat0 + (wijk / S_COLUMNS) * s_height;
    *x0 = cx + s_width * (0.1 + 0.3 * zone);
    *x1 = *x0 + s_width * 0.2;
    *y0 = cy + s_height * 0.3;
    *y1 = *y0 + s_height * 0.3;
}

//  Generate the data files in DIR; fill STREETS with the street names.
static void
s_generate (const char *dir, char **streets)
{
    char *path = zsys_sprintf ("%s/areas.tsv", dir);
    FILE *areas = fopen (path, "w");
    free (path);
    path = zsys_sprintf ("%s/areas.geojson", dir);
    FILE *polygons = fopen (path, "w");
    free (path);
    assert (areas && polygons);
    fprintf (areas, "code\tname\tkind\tparent\n");
    fprintf (polygons, "{\"type\": \"FeatureCollection\", \"features\": [\n");
    for (int wijk = 0; wijk < S_WIJKEN; wijk++) {
        fprintf (areas, "w%d\tWijk %d\twijk\t\n", wijk, wijk);
        double x0 = s_lon0 + (wijk % S_COLUMNS) * s_width;
        double y0 = s_lat0 + (wijk / S_COLUMNS) * s_height;
        fprintf (polygons,
                 "%s{\"type\": \"Feature\", \"properties\": {\"code\": \"w%d\", \"parent\": "
                 "null}, \"geometry\": {\"type\": \"Polygon\", \"coordinates\": ",
                 wijk ? ",\n" : "", wijk);
        s_ring (polygons, x0, y0, x0 + s_width, y0 + s_height);
        fprintf (polygons, "}}");
        for (int zone = 0; zone < S_ZONES; zone++) {
            fprintf (areas, "w%d-z%d\tZone %d.%d\tregie\tw%d\n", wijk, zone, wijk, zone, wijk);
            double zx0, zy0, zx1, zy1;
            s_zone_box (wijk, zone, &zx0, &zy0, &zx1, &zy1);
            fprintf (polygons,
                     ",\n{\"type\": \"Feature\", \"properties\": {\"code\": \"w%d-z%d\", "
                     "\"parent\": \"w%d\"}, \"geometry\": {\"type\": \"Polygon\", "
                     "\"coordinates\": ",
                     wijk, zone, wijk);
            s_ring (polygons, zx0, zy0, zx1, zy1);
            fprintf (polygons, "}}");
        }
    }
    fprintf (polygons, "\n]}\n");
    fclose (areas);
    fclose (polygons);

    //  A gazetteer as big as a real city's: every wijk and zone by name,
    //  and the neighbouring towns.
    path = zsys_sprintf ("%s/places.tsv", dir);
    FILE *places = fopen (path, "w");
    free (path);
    assert (places);
    fprintf (places, "name\tarea\tkind\n");
    for (int wijk = 0; wijk < S_WIJKEN; wijk++) {
        fprintf (places, "Wijk %d\tw%d\twijk\n", wijk, wijk);
        for (int zone = 0; zone < S_ZONES; zone++)
            fprintf (places, "Zone %d.%d\tw%d-z%d\tzone\n", wijk, zone, wijk, zone);
    }
    fprintf (places, "Tienen\t\toutside\nHerent\t\toutside\nBrussel\t\toutside\n");
    fclose (places);

    path = zsys_sprintf ("%s/streets.tsv", dir);
    FILE *register_file = fopen (path, "w");
    free (path);
    assert (register_file);
    fprintf (register_file, "street\tfrom\tto\tarea\tlat\tlon\n");
    zhashx_t *seen = zhashx_new ();
    size_t nsyllables = sizeof s_syllables / sizeof s_syllables[0];
    int count = 0;
    while (count < S_STREETS) {
        char name[64] = "";
        int parts = 2 + (int) (s_random () % 3);
        for (int part = 0; part < parts; part++)
            strcat (name, s_syllables[s_random () % nsyllables]);
        name[0] = (char) toupper ((unsigned char) name[0]);
        strcat (name, s_types[s_random () % 7]);
        if (zhashx_lookup (seen, name))
            continue;
        zhashx_insert (seen, name, (void *) 1);
        streets[count] = strdup (name);
        int wijk = (int) (s_random () % S_WIJKEN);
        double lon = s_lon0 + (wijk % S_COLUMNS + 0.5) * s_width;
        double lat = s_lat0 + (wijk / S_COLUMNS + 0.5) * s_height;
        if (count % 5 == 0) //  split by number between the wijk and a zone
            fprintf (register_file, "%s\t1\t50\tw%d-z%d\t%.5f\t%.5f\n%s\t51\t\tw%d\t%.5f\t%.5f\n",
                     name, wijk, count % S_ZONES, lat, lon, name, wijk, lat, lon);
        else
            fprintf (register_file, "%s\t\t\tw%d\t%.5f\t%.5f\n", name, wijk, lat, lon);
        count++;
    }
    zhashx_destroy (&seen);
    fclose (register_file);
}

//  Submissions that use the generated streets and points.
static zlistx_t *
s_generated_signals (char **streets, zlistx_t *dev_descriptions)
{
    zlistx_t *bodies = zlistx_new ();
    zlistx_set_destructor (bodies, (zlistx_destructor_fn *) zstr_free);
    size_t ndescriptions = zlistx_size (dev_descriptions);
    char **descriptions = (char **) calloc (ndescriptions, sizeof (char *));
    size_t at = 0;
    for (char *text = (char *) zlistx_first (dev_descriptions); text;
         text = (char *) zlistx_next (dev_descriptions))
        descriptions[at++] = text;
    for (int index = 0; index < 1000; index++) {
        json_t *signal = json_object ();
        const char *description = descriptions[index % ndescriptions];
        char *street = strdup (streets[s_random () % S_STREETS]);
        int kind = index % 5;
        if (kind == 0 || kind == 1) {
            char *address = zsys_sprintf ("%s %d", street, 1 + index % 90);
            json_object_set_new (signal, "address_string", json_string (address));
            zstr_free (&address);
        }
        else if (kind == 2) {
            //  a typo: drop the fourth letter
            memmove (street + 3, street + 4, strlen (street + 4) + 1);
            json_object_set_new (signal, "address_string", json_string (street));
        } else if (kind == 3) {
            int wijk = (int) (s_random () % S_WIJKEN);
            json_object_set_new (signal, "lat",
                                 json_real (s_lat0 + (wijk / S_COLUMNS + s_uniform (0.05, 0.95)) *
                                                         s_height));
            json_object_set_new (signal, "long",
                                 json_real (s_lon0 + (wijk % S_COLUMNS + s_uniform (0.05, 0.95)) *
                                                         s_width));
        } else {
            char *text = zsys_sprintf ("%s (aan de %s)", description, street);
            json_object_set_new (signal, "description", json_string (text));
            zstr_free (&text);
        }
        if (!json_object_get (signal, "description"))
            json_object_set_new (signal, "description", json_string (description));
        json_object_set_new (signal, "source", json_string ("citizen"));
        zlistx_add_end (bodies, json_dumps (signal, JSON_COMPACT));
        json_decref (signal);
        free (street);
    }
    free (descriptions);
    return bodies;
}

int
main (int argc, char **argv)
{
    int rounds = 100;
    bool check = false, bundled_part = true, generated_part = true, model = true;
    for (int arg = 1; arg < argc; arg++) {
        if (strcmp (argv[arg], "-n") == 0 && arg + 1 < argc)
            rounds = atoi (argv[++arg]);
        else if (strcmp (argv[arg], "--check") == 0)
            check = true;
        else if (strcmp (argv[arg], "--no-model") == 0)
            model = false;
        else if (strcmp (argv[arg], "--bundled") == 0)
            generated_part = false;
        else if (strcmp (argv[arg], "--generated") == 0)
            bundled_part = false;
        else {
            fprintf (stderr, "usage: bench_classify [-n ROUNDS] [--check] [--no-model] "
                             "[--bundled | --generated]\n");
            return 64;
        }
    }
    if (rounds < 1)
        rounds = 1;
    //  One CPU: a migration in the middle of a call is noise, not cost.
    cpu_set_t cpus;
    CPU_ZERO (&cpus);
    CPU_SET (sched_getcpu () >= 0 ? sched_getcpu () : 0, &cpus);
    sched_setaffinity (0, sizeof cpus, &cpus);

    //  The dev set's submissions, as JSON bodies and as descriptions.
    FILE *file = fopen (SEIN_SOURCE_DIR "/tests/data/signals-dev.jsonl", "r");
    if (!file) {
        fprintf (stderr, "bench_classify: cannot open the dev set\n");
        return 66;
    }
    zlistx_t *bodies = zlistx_new (), *descriptions = zlistx_new ();
    zlistx_set_destructor (bodies, (zlistx_destructor_fn *) zstr_free);
    zlistx_set_destructor (descriptions, (zlistx_destructor_fn *) zstr_free);
    char *line = NULL;
    size_t capacity = 0;
    while (getline (&line, &capacity, file) >= 0) {
        json_t *entry = json_loads (line, 0, NULL);
        json_t *input = json_object_get (entry, "input");
        if (input) {
            zlistx_add_end (bodies, json_dumps (input, JSON_COMPACT));
            zlistx_add_end (descriptions,
                            strdup (json_string_value (json_object_get (input, "description"))));
        }
        json_decref (entry);
    }
    free (line);
    fclose (file);

    //  1. Bundled data.
    const char *overrides[8];
    char *owned[8];
    //  The bundled data (4), the rules and, unless --no-model, the model.
    int noverrides = model ? 4 + S_NRULES : 4 + S_NRULES - 1;
    const char *bundled[][2] = {{"data.areas", "areas.tsv"},
                                {"data.polygons", "areas.geojson"},
                                {"data.streets", "streets.tsv"},
                                {"data.places", "places.tsv"}};
    for (int index = 0; index < 4; index++)
        owned[index] = zsys_sprintf ("%s=%s/conf/%s", bundled[index][0], SEIN_SOURCE_DIR,
                                     bundled[index][1]);
    for (int index = 0; index < S_NRULES; index++)
        owned[4 + index] = zsys_sprintf ("%s=%s/conf/%s", s_rules[index][0], SEIN_SOURCE_DIR,
                                         s_rules[index][1]);
    for (int index = 0; index < 4 + S_NRULES; index++)
        overrides[index] = owned[index];
    double start = s_now ();
    sein_classifier_t *classifier = s_load (overrides, noverrides);
    printf ("bundled data: loaded in %.1f ms\n", (s_now () - start) / 1e6);
    //  A scratch per part, so neither starts with the other's stems.
    sein_classify_scratch_t *scratch = sein_classify_scratch_new ();
    assert (scratch);
    sein_signal_t *signals = (sein_signal_t *) calloc (1000, sizeof (sein_signal_t));
    size_t count = s_parse (bodies, signals);
    double bundled_median = bundled_part ? s_run ("bundled, dev set", classifier, scratch,
                                                  signals, count, rounds)
                                         : 0;
    for (size_t index = 0; index < count; index++)
        sein_signal_clear (&signals[index]);
    sein_classify_scratch_destroy (&scratch);

    //  Training on the corpus, with the rules of conf/, and the model's size.
    if (bundled_part) {
        glob_t found = {0};
        glob (SEIN_SOURCE_DIR "/conf/corpus/*.jsonl", 0, NULL, &found);
        sein_corpus_t *corpus = sein_corpus_new ();
        char *error = NULL;
        for (size_t index = 0; !error && index < found.gl_pathc; index++)
            sein_corpus_add_file (corpus, found.gl_pathv[index], &error);
        start = s_now ();
        sein_model_t *trained =
            error ? NULL
                  : sein_corpus_train (corpus, classifier, NULL, SEIN_MODEL_BITS,
                                       SEIN_MODEL_C, &error);
        if (trained)
            printf ("training on %zu signals: %.2f s\n", sein_corpus_size (corpus),
                    (s_now () - start) / 1e9);
        else
            printf ("training: %s\n", error);
        free (error);
        struct stat status;
        if (stat (SEIN_SOURCE_DIR "/conf/theme.model", &status) == 0)
            printf ("conf/theme.model: %.2f MB\n", (double) status.st_size / 1e6);
        sein_model_destroy (&trained);
        sein_corpus_destroy (&corpus);
        globfree (&found);
    }
    sein_classifier_destroy (&classifier);

    //  2. Generated register.
    double generated_median = 0;
    char dir[] = "/tmp/sein-bench-XXXXXX";
    if (!generated_part)
        goto done;
    if (!mkdtemp (dir)) {
        fprintf (stderr, "bench_classify: cannot make a temporary directory\n");
        return 73;
    }
    char **streets = (char **) calloc (S_STREETS, sizeof (char *));
    s_generate (dir, streets);
    for (int index = 0; index < 4; index++) {
        free (owned[index]);
        owned[index] = zsys_sprintf ("%s=%s/%s", bundled[index][0], dir, bundled[index][1]);
        overrides[index] = owned[index];
    }
    start = s_now ();
    classifier = s_load (overrides, noverrides);
    scratch = sein_classify_scratch_new ();
    assert (scratch);
    char *summary = sein_classifier_summary (classifier);
    printf ("generated data (%s): %s, loaded in %.1f ms\n", dir, summary,
            (s_now () - start) / 1e6);
    free (summary);
    zlistx_t *generated = s_generated_signals (streets, descriptions);
    count = s_parse (generated, signals);
    //  How many of the generated signals found their area (sanity, not speed).
    size_t placed = 0;
    for (size_t index = 0; index < count; index++) {
        sein_classification_t result;
        sein_classifier_classify (classifier, scratch, &signals[index], &result, false);
        placed += strcmp (result.area, SEIN_TRIAGE) != 0;
        sein_classification_clear (&result);
    }
    printf ("generated signals placed in an area: %zu of %zu\n", placed, count);
    generated_median = s_run ("generated 10k streets/1k polygons", classifier, scratch,
                              signals, count, rounds > 8 ? rounds / 8 : 1);
    for (size_t index = 0; index < count; index++)
        sein_signal_clear (&signals[index]);
    sein_classifier_destroy (&classifier);
    sein_classify_scratch_destroy (&scratch);

    const char *names[] = {"areas.tsv", "areas.geojson", "streets.tsv", "places.tsv"};
    for (int index = 0; index < 4; index++) {
        char *path = zsys_sprintf ("%s/%s", dir, names[index]);
        unlink (path);
        free (path);
    }
    rmdir (dir);
    for (int index = 0; index < S_STREETS; index++)
        free (streets[index]);
    free (streets);
    zlistx_destroy (&generated);
done:
    for (int index = 0; index < 4 + S_NRULES; index++)
        free (owned[index]);
    free (signals);
    zlistx_destroy (&bodies);
    zlistx_destroy (&descriptions);
    bool pass = bundled_median < S_TARGET_US && generated_median < S_TARGET_US;
    printf ("target: median under %.0f us: %s\n", S_TARGET_US, pass ? "met" : "MISSED");
    return check && !pass ? 1 : 0;
}
