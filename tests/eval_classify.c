/*  eval_classify.c - run labelled signals through the real classifier

    Reads JSON lines {"input": {submission}, "expect": {"area", "theme"},
    "note"} (null = triage), validates each input with sein_signal_parse
    and classifies it with the data files in conf/, exactly as seind does,
    then prints area and theme accuracy and every miss with the
    classifier's explanation, every theme's score and every rule that
    matched (it classifies as a dry run, with the trace). Exits 1 when area accuracy is below 97% or
    theme accuracy below 92% (the project's targets on the dev set), so
    ctest fails when a rule change makes things worse.

    It also prints how far the area confidence can be trusted: a
    reliability table of confidence bins against the share of right
    answers in each, and exits 1 when the answers at 0.9 or more are right
    less than 97% of the time (the calibration target).

    Usage: eval_classify [-v] [-o setting=value]... [FILE.jsonl]...
    Several files are read as one set (the corpus comes in chunks).
      -v   print every signal, not only the misses
      -o   override a setting, e.g. -o data.theme_rules=/tmp/rules.tsv
*/
#include "sein_classify.h"
#include "sein_reliability.h"
#include "sein_settings.h"

#include <czmq.h>
#include <jansson.h>

#define S_AREA_TARGET  97.0
#define S_THEME_TARGET 92.0
#define S_OVERRIDES_MAX 32
#define S_FILES_MAX    64

static const char *s_data[][2] = {
    {"data.areas", "areas.tsv"},          {"data.polygons", "areas.geojson"},
    {"data.streets", "streets.tsv"},      {"data.places", "places.tsv"},
    {"data.themes", "themes.tsv"},        {"data.theme_rules", "theme-rules.tsv"},
    {"data.priority_rules", "priority-rules.tsv"}};
#define S_DATA (sizeof s_data / sizeof s_data[0])

int
main (int argc, char **argv)
{
    const char *overrides[S_OVERRIDES_MAX];
    int noverrides = 0;
    char *owned[S_DATA];
    for (size_t index = 0; index < S_DATA; index++) {
        owned[index] = zsys_sprintf ("%s=%s/conf/%s", s_data[index][0], SEIN_SOURCE_DIR,
                                     s_data[index][1]);
        overrides[noverrides++] = owned[index];
    }
    const char *paths[S_FILES_MAX] = {SEIN_SOURCE_DIR "/tests/data/signals-dev.jsonl"};
    int npaths = 0;
    bool verbose = false;
    for (int arg = 1; arg < argc; arg++) {
        if (strcmp (argv[arg], "-v") == 0)
            verbose = true;
        else if (strcmp (argv[arg], "-o") == 0 && arg + 1 < argc &&
                 noverrides < S_OVERRIDES_MAX)
            overrides[noverrides++] = argv[++arg];
        else if (argv[arg][0] == '-') {
            fprintf (stderr, "usage: eval_classify [-v] [-o setting=value]... [FILE]\n");
            return 64;
        } else if (npaths < S_FILES_MAX)
            paths[npaths++] = argv[arg];
    }
    npaths = npaths ? npaths : 1;
    char *error = NULL;
    sein_config_t *config = sein_settings_load (NULL, overrides, noverrides, &error);
    sein_classifier_t *classifier = config ? sein_classifier_new (config, &error) : NULL;
    for (size_t index = 0; index < S_DATA; index++)
        free (owned[index]);
    if (!classifier) {
        fprintf (stderr, "eval_classify: %s\n", error);
        free (error);
        sein_config_destroy (&config);
        return 78;
    }
    sein_signal_limits_t limits = {65536, 1 << 20};
    sein_classify_scratch_t *scratch = sein_classify_scratch_new ();
    if (!scratch) {
        fprintf (stderr, "eval_classify: libstemmer lacks dutch, french or english\n");
        return 70;
    }
    char *line = NULL;
    size_t capacity = 0;
    int total = 0, area_ok = 0, theme_ok = 0;
    sein_reliability_t reliability;
    memset (&reliability, 0, sizeof reliability);
    for (int which = 0; which < npaths; which++) {
        const char *path = paths[which];
        FILE *file = fopen (path, "r");
        if (!file) {
            fprintf (stderr, "eval_classify: cannot open %s\n", path);
            return 66;
        }
        int lineno = 0;
        while (getline (&line, &capacity, file) >= 0) {
            lineno++;
            json_error_t json_error;
            json_t *entry = json_loads (line, 0, &json_error);
            if (!entry)
                continue; //  blank line
            json_t *input = json_object_get (entry, "input");
            json_t *expect = json_object_get (entry, "expect");
            const char *want_area = json_string_value (json_object_get (expect, "area"));
            const char *want_theme = json_string_value (json_object_get (expect, "theme"));
            want_area = want_area ? want_area : SEIN_TRIAGE;
            want_theme = want_theme ? want_theme : SEIN_TRIAGE;
            char *body = json_dumps (input, JSON_COMPACT);
            sein_signal_t signal;
            sein_error_t signal_error;
            if (!body || sein_signal_parse (&signal, body, strlen (body), &limits, &signal_error)) {
                printf ("%s:%d: invalid input: %s\n", path, lineno,
                        body ? signal_error.message : "out of memory");
                total++;
                free (body);
                json_decref (entry);
                continue;
            }
            //  A dry run's detail: the misses print every theme's score and
            //  every rule that matched, which is what whoever tunes the rules
            //  needs (stored events leave them out).
            sein_classification_t result;
            sein_classifier_classify (classifier, scratch, &signal, &result, true);
            bool area_hit = strcmp (result.area, want_area) == 0;
            bool theme_hit = strcmp (result.theme, want_theme) == 0;
            total++;
            area_ok += area_hit;
            theme_ok += theme_hit;
            double confidence = sein_reliability_add (&reliability, &result, area_hit);
            if (!area_hit && confidence >= SEIN_RELIABILITY_SURE)
                printf ("%s:%d: SURE AND WRONG (area %.2f)\n", path, lineno, confidence);
            if (verbose || !area_hit || !theme_hit) {
                printf ("%s:%d: %s%s\n  %.100s\n", path, lineno,
                        area_hit ? "" : "AREA MISS ", theme_hit ? "" : "THEME MISS ",
                        signal.description);
                if (!area_hit)
                    printf ("  area  %s, expected %s\n", result.area, want_area);
                if (!theme_hit)
                    printf ("  theme %s, expected %s\n", result.theme, want_theme);
                //  The detail is rendered text; parse it back to pick fields.
                json_t *detail = json_loads (result.detail, 0, NULL);
                printf ("  why   %s\n",
                        json_string_value (json_object_get (detail, "explanation")));
                if (!theme_hit) {
                    json_t *theme = json_object_get (detail, "theme");
                    char *scores = json_dumps (json_object_get (theme, "scores"),
                                               JSON_COMPACT | JSON_REAL_PRECISION (4));
                    printf ("  score %s\n", scores ? scores : "{}");
                    free (scores);
                    const char *matches = json_string_value (json_object_get (theme, "matches"));
                    printf ("  rules %s\n", matches ? matches : "none");
                }
                json_decref (detail);
            }
            sein_classification_clear (&result);
            sein_signal_clear (&signal);
            free (body);
            json_decref (entry);
        }
        fclose (file);
    }
    free (line);
    double area = total ? 100.0 * area_ok / total : 0;
    double theme = total ? 100.0 * theme_ok / total : 0;
    printf ("signals %d\narea accuracy  %5.1f%% (%d/%d, target %.0f%%)\n"
            "theme accuracy %5.1f%% (%d/%d, target %.0f%%)\n",
            total, area, area_ok, total, S_AREA_TARGET, theme, theme_ok, total,
            S_THEME_TARGET);
    sein_classify_scratch_destroy (&scratch);
    sein_classifier_destroy (&classifier);
    sein_config_destroy (&config);
    double sure = sein_reliability_print (&reliability, "all signals");
    bool pass = total > 0 && area >= S_AREA_TARGET && theme >= S_THEME_TARGET &&
                sure >= SEIN_RELIABILITY_TARGET;
    printf ("%s\n", pass ? "PASS" : "FAIL: below target");
    return pass ? 0 : 1;
}
