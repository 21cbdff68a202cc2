// SPDX-License-Identifier: MPL-2.0
/*  test_model.c - the learned theme model: features, files, decisions

    Features (sein_features): the documented hash, the buckets a text
    fills, normalisation, set-aside words, typos sharing n-grams, the rule
    prior and the strongest words. Models (sein_model, sein_corpus): a
    small corpus trained, saved and loaded gives the same predictions and
    the same bytes twice; every kind of broken file is refused with
    "file:line: message"; corrections are read from a store. The
    classifier with a model: the model decides, an explicit theme and a
    machine event still win, the detail explains. seind: a reload with a
    broken model is refused and the old model keeps classifying, and
    seinctl train --from-store learns the corrections seind stored.
*/
#include "sein_classify.h"
#include "sein_corpus.h"
#include "sein_features.h"
#include "sein_harness.h"
#include "sein_model.h"
#include "sein_rules.h"
#include "sein_settings.h"
#include "sein_text.h"

#include <czmq.h>
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>


//  A few signals per theme, in the corpus's format: enough for a model to
//  tell three themes apart by words the rules may not have.
static const char *s_corpus_lines[][2] = {
    {"dieren", "ratten in de kelder van ons blok"},
    {"dieren", "overal muizen in de keuken en de kelder"},
    {"dieren", "rats running around the bins behind the shop"},
    {"dieren", "een wespennest onder het dak van de school"},
    {"dieren", "duiven nestelen op ons balkon, overal uitwerpselen"},
    {"afval", "zwerfvuil en blikjes langs de weg"},
    {"afval", "sluikstort van matrassen naast de glasbol"},
    {"afval", "de vuilbakken puilen uit, afval overal op straat"},
    {"afval", "litter and bottles everywhere after the weekend"},
    {"afval", "iemand heeft zakken huisvuil gedumpt in de berm"},
    {"groen", "de haag is overwoekerd en blokkeert het voetpad"},
    {"groen", "een dode boom dreigt om te vallen in het park"},
    {"groen", "the grass in the park has not been mown for weeks"},
    {"groen", "takken hangen over het fietspad na de storm"},
    {"groen", "onkruid tussen de tegels, het plantsoen verwaarloosd"},
};
#define S_CORPUS_LINES (sizeof s_corpus_lines / sizeof s_corpus_lines[0])

static sein_classify_scratch_t *s_scratch;

//  A classifier on conf/ with EXTRA overrides (NULL-ended).
static sein_classifier_t *
s_classifier (const char **extra, char **error_p)
{
    char *error = NULL;
    sein_config_t *config = sein_harness_data_config (extra, &error);
    if (!config)
        fail_msg ("%s", error);
    sein_classifier_t *classifier = sein_classifier_new (config, &error);
    sein_config_destroy (&config);
    if (error_p)
        *error_p = error;
    else if (error)
        fail_msg ("%s", error);
    return classifier;
}

//  The small corpus as a JSON-lines file; its path is static.
static const char *
s_corpus_file (void)
{
    char *text = zsys_sprintf ("");
    for (size_t index = 0; index < S_CORPUS_LINES; index++) {
        char *line = zsys_sprintf (
            "%s{\"input\": {\"description\": \"%s\", \"source\": \"citizen\"}, "
            "\"expect\": {\"theme\": \"%s\"}, \"lang\": \"nl\"}\n",
            text, s_corpus_lines[index][1], s_corpus_lines[index][0]);
        zstr_free (&text);
        text = line;
    }
    //  A line that expects triage teaches nothing and is skipped.
    char *all = zsys_sprintf ("%s\n{\"input\": {\"description\": \"hallo\", \"source\": "
                              "\"citizen\"}, \"expect\": {\"theme\": null}}\n",
                              text);
    const char *path = sein_harness_write ("corpus.jsonl", all);
    zstr_free (&text);
    zstr_free (&all);
    return path;
}

//  Train the small corpus with the rules of conf/.
static sein_model_t *
s_train (sein_classifier_t *rules, sein_corpus_t **corpus_p)
{
    sein_corpus_t *corpus = sein_corpus_new ();
    char *error = NULL;
    assert_int_equal (sein_corpus_add_file (corpus, s_corpus_file (), &error), 0);
    assert_null (error);
    assert_int_equal (sein_corpus_size (corpus), S_CORPUS_LINES);
    sein_model_t *model = sein_corpus_train (corpus, rules, NULL, 12, 16, &error);
    if (!model)
        fail_msg ("%s", error);
    if (corpus_p)
        *corpus_p = corpus;
    else
        sein_corpus_destroy (&corpus);
    return model;
}

static char *
s_read (const char *path)
{
    FILE *file = fopen (path, "r");
    assert_non_null (file);
    fseek (file, 0, SEEK_END);
    long size = ftell (file);
    rewind (file);
    char *text = (char *) zmalloc ((size_t) size + 1);
    assert_int_equal (fread (text, 1, (size_t) size, file), (size_t) size);
    fclose (file);
    return text;
}

//  --------------------------------------------------------------------------
//  Features

static void
test_hash (void **state)
{
    (void) state;
    //  FNV-1a's published test vectors: the kind letter is the first byte.
    assert_int_equal (sein_features_hash ('a', "", 0), 0xe40c292cu);
    assert_int_equal (sein_features_hash ('f', "oobar", 5), 0xbf9cf968u);
}

//  Is INDEX among the NODES?
static bool
s_has (const struct feature_node *nodes, int index)
{
    for (; nodes->index != -1; nodes++)
        if (nodes->index == index)
            return true;
    return false;
}

//  The value of feature INDEX among the NODES, 0 when absent.
static double
s_value (const struct feature_node *nodes, int index)
{
    for (; nodes->index != -1; nodes++)
        if (nodes->index == index)
            return nodes->value;
    return 0;
}

static int
s_bucket (char kind, const char *text, int bits)
{
    return (int) (sein_features_hash (kind, text, strlen (text)) & ((1u << bits) - 1)) +
           1;
}

static double s_wanted_index;
static double
s_only (void *arg, int index)
{
    (void) arg;
    return index == (int) s_wanted_index ? 1 : 0;
}

static void
test_features (void **state)
{
    (void) state;
    sein_lang_t *lang = sein_lang_new ();
    sein_stemmer_t *stemmer = sein_stemmer_new ();
    sein_features_t *features = sein_features_new ();
    const int bits = 10;
    const char *plain = "Er is veel overlast van de kelder, ratten overal";
    sein_text_t text;
    sein_text_analyse (&text, lang, plain, strlen (plain));
    double priors[3] = {0, 2.5, 0};
    sein_features_extract (features, bits, NULL, &text, stemmer, SEIN_NL, NULL, priors, 3);
    size_t count;
    const struct feature_node *nodes = sein_features_nodes (features, &count);
    assert_int_equal (nodes[count].index, -1);
    //  Text features are buckets 1..2^bits with length 1 together; then the
    //  one rule score that is not 0, then the intercept.
    double norm = 0;
    size_t text_nodes = 0;
    for (size_t index = 0; index < count; index++) {
        if (nodes[index].index <= (1 << bits)) {
            assert_true (nodes[index].index >= 1);
            assert_true (nodes[index].value > 0);
            norm += nodes[index].value * nodes[index].value;
            text_nodes++;
        }
    }
    assert_true (text_nodes > 20); //  words, bigrams, many n-grams
    assert_true (fabs (norm - 1) < 1e-9);
    assert_int_equal (nodes[count - 2].index, (1 << bits) + 2); //  label 1's score
    //  The prior as docs/CLASSIFICATION.md states it: 0.15 tanh(score / 3).
    assert_true (fabs (nodes[count - 2].value - 0.15 * tanh (2.5 / 3)) < 1e-9);
    assert_int_equal (nodes[count - 1].index, (1 << bits) + 1 + 3);
    assert_true (nodes[count - 1].value == 1);
    //  The stem of "ratten", and an n-gram of "kelder" with its end mark.
    const char *stem = NULL;
    for (size_t index = 0; index < text.ntokens; index++)
        if (strcmp (sein_text_word (&text, index), "ratten") == 0)
            stem = sein_text_stem (&text, stemmer, index, SEIN_NL);
    assert_non_null (stem);
    assert_true (s_has (nodes, s_bucket ('w', stem, bits)));
    assert_true (s_has (nodes, s_bucket ('c', "der>", bits)));
    assert_true (s_has (nodes, s_bucket ('w', "overlast", bits)));
    //  The strongest word for a class whose only weight is on "ratten"'s
    //  stem is "ratten".
    s_wanted_index = s_bucket ('w', stem, bits);
    const char *words[3];
    assert_int_equal (sein_features_strongest (features, s_only, NULL, words, 3), 1);
    assert_string_equal (words[0], "ratten");
    sein_text_release (&text);

    //  A word the sentence sets aside is a feature of its own.
    const char *aside = "Geen overlast meer, maar wel ratten in de kelder";
    sein_text_analyse (&text, lang, aside, strlen (aside));
    sein_features_extract (features, bits, NULL, &text, stemmer, SEIN_NL, NULL, NULL, 0);
    nodes = sein_features_nodes (features, &count);
    assert_false (s_has (nodes, s_bucket ('w', "overlast", bits)));
    assert_true (s_has (nodes, s_bucket ('w', "~overlast", bits)));
    sein_text_release (&text);

    //  Where a word stands: the first word of a text counts 1.4 before the
    //  logarithm (1 + ln 1.4), the last 0.6, whichever the word is.
    const char *orders[2] = {"ratten kelder", "kelder ratten"};
    double first_to_last = (1 + log (1.4)) / 0.6;
    for (size_t order = 0; order < 2; order++) {
        sein_text_analyse (&text, lang, orders[order], strlen (orders[order]));
        sein_features_extract (features, 16, NULL, &text, stemmer, SEIN_NL, NULL, NULL, 0);
        nodes = sein_features_nodes (features, &count);
        const char *rats_stem = NULL;
        for (size_t index = 0; index < text.ntokens; index++)
            if (strcmp (sein_text_word (&text, index), "ratten") == 0)
                rats_stem = sein_text_stem (&text, stemmer, index, SEIN_NL);
        assert_non_null (rats_stem);
        double rats = s_value (nodes, s_bucket ('w', rats_stem, 16));
        double cellar = s_value (nodes, s_bucket ('w', "kelder", 16));
        assert_true (rats > 0 && cellar > 0);
        double ratio = order == 0 ? rats / cellar : cellar / rats;
        assert_true (fabs (ratio - first_to_last) < 1e-9);
        sein_text_release (&text);
    }

    //  IDF weights multiply a bucket's value before the normalisation:
    //  "kelder" weighed 3 against "ratten" at 1 is 3 times as strong, and
    //  the text part stays of length 1.
    float *idf = (float *) zmalloc (((1u << 16) + 1) * sizeof (float));
    for (size_t index = 0; index <= (1u << 16); index++)
        idf[index] = 1;
    idf[s_bucket ('w', "kelder", 16)] = 3;
    sein_text_analyse (&text, lang, orders[0], strlen (orders[0]));
    sein_features_extract (features, 16, NULL, &text, stemmer, SEIN_NL, NULL, NULL, 0);
    nodes = sein_features_nodes (features, &count);
    double unweighed = s_value (nodes, s_bucket ('w', "kelder", 16)) /
                   s_value (nodes, s_bucket ('w', "rat", 16));
    sein_features_extract (features, 16, idf, &text, stemmer, SEIN_NL, NULL, NULL, 0);
    nodes = sein_features_nodes (features, &count);
    double weighed = s_value (nodes, s_bucket ('w', "kelder", 16)) /
                     s_value (nodes, s_bucket ('w', "rat", 16));
    assert_true (unweighed > 0 && fabs (weighed / unweighed - 3) < 1e-6);
    double length = 0;
    for (size_t index = 0; index + 1 < count; index++) //  the last is the intercept
        length += nodes[index].value * nodes[index].value;
    assert_true (fabs (length - 1) < 1e-6);
    sein_text_release (&text);
    free (idf);

    //  A typo keeps most of a word's n-grams.
    const char *right = "rattenplaag", *typo = "ratenplaag";
    sein_text_analyse (&text, lang, right, strlen (right));
    sein_features_extract (features, 16, NULL, &text, stemmer, SEIN_NL, NULL, NULL, 0);
    size_t right_count;
    nodes = sein_features_nodes (features, &right_count);
    int *kept = (int *) zmalloc (right_count * sizeof (int));
    for (size_t index = 0; index < right_count; index++)
        kept[index] = nodes[index].index;
    sein_text_release (&text);
    sein_text_analyse (&text, lang, typo, strlen (typo));
    sein_features_extract (features, 16, NULL, &text, stemmer, SEIN_NL, NULL, NULL, 0);
    nodes = sein_features_nodes (features, &count);
    size_t shared = 0;
    for (size_t index = 0; index < right_count; index++)
        shared += s_has (nodes, kept[index]);
    assert_true (shared * 2 > right_count);
    free (kept);
    sein_text_release (&text);

    sein_features_destroy (&features);
    sein_features_destroy (&features);
    sein_stemmer_destroy (&stemmer);
    sein_lang_destroy (&lang);
}

//  --------------------------------------------------------------------------
//  Model files

static void
test_round_trip (void **state)
{
    (void) state;
    sein_classifier_t *rules = s_classifier (NULL, NULL);
    sein_corpus_t *corpus = NULL;
    sein_model_t *model = s_train (rules, &corpus);
    assert_int_equal (sein_model_nlabels (model), 3);
    //  Labels in the themes file's order, not the corpus's.
    assert_string_equal (sein_model_label (model, 0), "afval");
    assert_string_equal (sein_model_label (model, 1), "groen");
    assert_string_equal (sein_model_label (model, 2), "dieren");
    assert_int_equal (sein_model_signals (model), S_CORPUS_LINES);
    char *digest = sein_corpus_digest (corpus);
    assert_int_equal (strlen (digest), 40);
    assert_string_equal (sein_model_digest (model), digest);

    char *path = zsys_sprintf ("%s/test-model-%d.model", SEIN_BINARY_DIR, getpid ());
    char *again = zsys_sprintf ("%s.again", path);
    char *error = NULL;
    assert_int_equal (sein_model_save (model, path, &error), 0);
    sein_model_t *loaded = sein_model_load (path, &error);
    if (!loaded)
        fail_msg ("%s", error);
    assert_int_equal (sein_model_bits (loaded), 12);
    assert_string_equal (sein_model_digest (loaded), digest);
    //  The IDF weights come back exactly (the file keeps integer counts);
    //  a bucket no signal had weighs most, one every signal had weighs 1.
    const float *idf = sein_model_idf (model), *idf_loaded = sein_model_idf (loaded);
    float lowest = idf[1], highest = idf[1];
    for (size_t index = 1; index <= (1u << 12); index++) {
        assert_true (idf[index] == idf_loaded[index]);
        lowest = idf[index] < lowest ? idf[index] : lowest;
        highest = idf[index] > highest ? idf[index] : highest;
    }
    assert_true (fabs (highest - sqrt (1 + log (16.0 / 1))) < 1e-6);
    assert_true (lowest >= 1 && lowest < highest);
    //  Every training signal: the same theme, probabilities within the six
    //  digits the file keeps.
    sein_signal_limits_t limits = {4000, 65536};
    const char *labels[3] = {"afval", "groen", "dieren"};
    for (size_t index = 0; index < sein_corpus_size (corpus); index++) {
        const sein_corpus_entry_t *entry = sein_corpus_entry (corpus, index);
        sein_signal_t signal;
        sein_error_t signal_error;
        assert_int_equal (sein_signal_parse (&signal, entry->input, strlen (entry->input),
                                             &limits, &signal_error),
                          0);
        const struct feature_node *nodes =
            sein_classifier_features (rules, s_scratch, &signal, 12, labels, 3);
        double before[3], after[3];
        size_t best = sein_model_predict (model, nodes, before);
        assert_int_equal (sein_model_predict (loaded, nodes, after), best);
        for (int label = 0; label < 3; label++)
            assert_true (fabs (before[label] - after[label]) < 1e-4);
        //  The model learnt its corpus.
        assert_string_equal (labels[best], entry->theme);
        sein_signal_clear (&signal);
    }
    //  Trained again: the same bytes.
    sein_model_t *second = s_train (rules, NULL);
    assert_int_equal (sein_model_save (second, again, &error), 0);
    char *first_text = s_read (path), *second_text = s_read (again);
    assert_string_equal (first_text, second_text);
    free (first_text);
    free (second_text);
    unlink (again);
    unlink (path);
    sein_model_destroy (&second);
    sein_model_destroy (&loaded);
    sein_model_destroy (&model);
    sein_model_destroy (&model);
    sein_corpus_destroy (&corpus);
    sein_classifier_destroy (&rules);
    free (digest);
    free (path);
    free (again);
}

//  Write a copy of the model at GOOD with the text FROM replaced by TO and
//  expect loading it to fail with "file:LINE: " and NEEDLE.
static void
s_expect_refused (const char *good, const char *from, const char *to, int line,
                  const char *needle)
{
    char *text = s_read (good);
    char *at = strstr (text, from);
    assert_non_null (at);
    *at = 0;
    char *broken = zsys_sprintf ("%s%s%s", text, to, at + strlen (from));
    const char *path = sein_harness_write ("broken.model", broken);
    char *error = NULL;
    sein_model_t *model = sein_model_load (path, &error);
    assert_null (model);
    assert_non_null (error);
    char *location = zsys_sprintf ("%s:%d: ", path, line);
    if (strncmp (error, location, strlen (location)) != 0 || !strstr (error, needle))
        fail_msg ("expected '%s... %s', got '%s'", location, needle, error);
    unlink (path);
    zstr_free (&location);
    free (error);
    zstr_free (&broken);
    free (text);
}

static void
test_bad_files (void **state)
{
    (void) state;
    sein_classifier_t *rules = s_classifier (NULL, NULL);
    sein_model_t *model = s_train (rules, NULL);
    char *good = zsys_sprintf ("%s/test-model-good-%d.model", SEIN_BINARY_DIR, getpid ());
    char *error = NULL;
    assert_int_equal (sein_model_save (model, good, &error), 0);
    sein_model_destroy (&model);

    s_expect_refused (good, "sein-theme-model 2", "liblinear-model 2", 1,
                      "not a sein theme model");
    s_expect_refused (good, "sein-theme-model 2", "sein-theme-model 9", 1,
                      "format version");
    //  A model of before the IDF weights: retrain.
    s_expect_refused (good, "sein-theme-model 2", "sein-theme-model 1", 1,
                      "format version '1', this seind reads 2");
    s_expect_refused (good, "bits=12", "bits=40", 1, "out of range");
    s_expect_refused (good, "features=", "features=x", 1, "retrain");
    s_expect_refused (good, ",idf.5 ", " ", 1, "retrain");
    s_expect_refused (good, "labels=afval,", "labels=afval,afval,", 1, "twice");
    s_expect_refused (good, " corpus=", " colour=", 1, "unknown header field");
    s_expect_refused (good, " signals=15", " signals=0", 1, "not a count of signals");
    s_expect_refused (good, " signals=15", " signals=-3", 1, "not a count of signals");
    s_expect_refused (good, " signals=15", "", 1, "no signals=");
    //  The document counts: present, rising, within the buckets and the
    //  signals.
    s_expect_refused (good, "\ndf ", "\nidf ", 2, "expected the document counts");
    s_expect_refused (good, "\ndf ", "\ndf 4097:1 ", 2, "must rise within 1..4096");
    s_expect_refused (good, "\ndf ", "\ndf 0:1 ", 2, "expected INDEX:COUNT");
    s_expect_refused (good, "\ndf ", "\ndf 1:16 ", 2, "must be 1..15");
    s_expect_refused (good, "\ndf ", "\ndf 1:0 ", 2, "must be 1..15");
    s_expect_refused (good, "\ndf ", "\ndf 1:x ", 2, "must be 1..15");
    s_expect_refused (good, "\ndf ", "\ndf 9999:1 1:1 ", 2, "must rise");
    s_expect_refused (good, "\nsolver_type", " 1:1\nsolver_type", 2, "must rise");
    s_expect_refused (good, "\nsolver_type", " \nsolver_type", 2, "expected INDEX:COUNT");
    s_expect_refused (good, "solver_type L2R_LR\n", "solver_type MCSVM_CS\n", 3,
                      "L2R_LR");
    s_expect_refused (good, "nr_class 3", "nr_class 4", 4, "expected nr_class 3");
    s_expect_refused (good, "label ", "labels ", 5, "expected label");
    s_expect_refused (good, "bias -1", "bias 1", 7, "expected bias -1");
    s_expect_refused (good, "\nw\n", "\nweights\n", 8, "expected w");
    //  Out of liblinear's order: it would read an uninitialised class count.
    s_expect_refused (good, "nr_class 3\nlabel ", "label ", 4, "expected nr_class");
    //  A body that asks for more weights than the header allows: liblinear
    //  would trust it.
    s_expect_refused (good, "nr_feature 4100", "nr_feature 999999999", 6, "nr_feature must be");
    //  A row with one weight too many.
    s_expect_refused (good, "\nw\n0 0 0 \n", "\nw\n0 0 0 0 \n", 9, "expected 3 weights");
    //  Weights cut short.
    char *text = s_read (good);
    *(strchr (text + strlen (text) / 2, '\n') + 1) = 0; //  whole rows
    const char *path = sein_harness_write ("short.model", text);
    model = sein_model_load (path, &error);
    assert_null (model);
    assert_non_null (strstr (error, "rows of weights"));
    assert_int_equal (strncmp (error, path, strlen (path)), 0);
    zstr_free (&error);
    free (text);
    unlink (path);
    //  No file.
    model = sein_model_load ("/nonexistent/theme.model", &error);
    assert_null (model);
    assert_string_equal (error, "/nonexistent/theme.model: cannot read: No such file or "
                                "directory");
    zstr_free (&error);

    //  A label the themes file lacks is refused by the classifier: the
    //  first is named, and a second one leaks no message (the sanitizer
    //  build checks).
    text = s_read (good);
    char *at = strstr (text, "labels=afval,");
    memcpy (at, "labels=zzzzz,", 13);
    at[13] = 'q';
    path = sein_harness_write ("label.model", text);
    char *setting = zsys_sprintf ("data.theme_model=%s", path);
    const char *extra[] = {setting, NULL};
    sein_classifier_t *classifier = s_classifier (extra, &error);
    assert_null (classifier);
    char *expected = zsys_sprintf ("%s:1: label 'zzzzz' is not a theme", path);
    if (strncmp (error, expected, strlen (expected)) != 0)
        fail_msg ("expected '%s', got '%s'", expected, error);
    zstr_free (&expected);
    zstr_free (&error);
    zstr_free (&setting);
    unlink (path);
    free (text);
    unlink (good);
    free (good);
    sein_classifier_destroy (&rules);
}

//  Corrections in a store: the last `reclassified` event of a signal,
//  with its creation event's text (the schema of daemon/sein_store.c, the
//  columns the query reads).
static void
test_from_store (void **state)
{
    (void) state;
    char *path = zsys_sprintf ("%s/test-model-store-%d.db", SEIN_BINARY_DIR, getpid ());
    unlink (path);
    sqlite3 *db;
    assert_int_equal (sqlite3_open (path, &db), SQLITE_OK);
    const char *sql =
        "CREATE TABLE events (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, at TEXT NOT "
        "NULL,"
        " area TEXT NOT NULL, wijk TEXT NOT NULL, theme TEXT NOT NULL,"
        " priority TEXT NOT NULL, source TEXT NOT NULL, teams TEXT NOT NULL,"
        " body TEXT NOT NULL, signal INTEGER);"
        "INSERT INTO events VALUES (1, 'signal', 't', 'a', 'w', 'triage', 'normal', "
        "'citizen',"
        " '', '{\"description\":\"een vos in de tuin\",\"source\":\"citizen\"}', 1);"
        "INSERT INTO events VALUES (2, 'signal', 't', 'a', 'w', 'afval', 'normal', "
        "'citizen',"
        " '', '{\"description\":\"vuilzakken open\",\"source\":\"citizen\","
        " \"attributes\":{\"bin\":\"3\"}}', 2);"
        "INSERT INTO events VALUES (3, 'reclassified', 't', 'a', 'w', 'groen', 'normal',"
        " 'staff', '', '{\"from\":{\"theme\":\"triage\"},\"to\":{\"theme\":\"groen\"}}', 1);"
        "INSERT INTO events VALUES (4, 'reclassified', 't', 'a', 'w', 'dieren', 'normal',"
        " 'staff', '', '{\"from\":{\"theme\":\"groen\"},\"to\":{\"theme\":\"dieren\"}}', 1);"
        "INSERT INTO events VALUES (5, 'reclassified', 't', 'b', 'w', 'dieren', 'normal',"
        " 'staff', '', '{\"from\":{\"theme\":\"dieren\"},\"to\":{\"theme\":\"dieren\"}}', 1);"
        "INSERT INTO events VALUES (6, 'reclassified', 't', 'a', 'w', 'triage', 'normal',"
        " 'staff', '', '{\"from\":{\"theme\":\"afval\"},\"to\":{\"theme\":\"triage\"}}', 2);"
        "INSERT INTO events VALUES (8, 'signal', 't', 'a', 'w', 'wonen', 'normal', 'citizen',"
        " '', '{\"description\":\"leegstand\",\"source\":\"citizen\"}', 8);"
        "INSERT INTO events VALUES (9, 'reclassified', 't', 'b', 'w', 'wonen', 'normal',"
        " 'staff', '', '{\"from\":{\"theme\":\"wonen\"},\"to\":{\"theme\":\"wonen\"}}', 8);"
        "INSERT INTO events VALUES (7, 'note', 't', 'a', 'w', 'afval', 'normal',"
        " 'staff', '', '{}', 2);";
    assert_int_equal (sqlite3_exec (db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close (db);
    sein_corpus_t *corpus = sein_corpus_new ();
    char *error = NULL;
    //  Signal 1's last theme correction (seq 5 moved only its area);
    //  signal 2's sends it to triage, signal 8's changed only the area:
    //  neither teaches a theme.
    int added = sein_corpus_add_store (corpus, path, &error);
    if (added != 1)
        fail_msg ("%d: %s", added, error ? error : "");
    const sein_corpus_entry_t *entry = sein_corpus_entry (corpus, 0);
    assert_string_equal (entry->theme, "dieren");
    json_t *input = json_loads (entry->input, 0, NULL);
    assert_string_equal (json_string_value (json_object_get (input, "description")),
                         "een vos in de tuin");
    json_decref (input);
    sein_corpus_destroy (&corpus);
    unlink (path);
    //  Not a store.
    corpus = sein_corpus_new ();
    assert_int_equal (sein_corpus_add_store (corpus, "/nonexistent/sein.db", &error), -1);
    assert_non_null (strstr (error, "/nonexistent/sein.db: "));
    zstr_free (&error);
    sein_corpus_destroy (&corpus);
    free (path);
}

//  --------------------------------------------------------------------------
//  Deciding with the model

static json_t *
s_classify (sein_classifier_t *classifier, const char *json,
            sein_classification_t *result)
{
    sein_signal_t signal;
    sein_error_t error;
    sein_signal_limits_t limits = {4000, 65536};
    if (sein_signal_parse (&signal, json, strlen (json), &limits, &error))
        fail_msg ("bad test signal: %s", error.message);
    sein_classifier_classify (classifier, s_scratch, &signal, result, false);
    sein_signal_clear (&signal);
    json_t *detail = json_loads (result->detail, 0, NULL);
    assert_non_null (detail);
    return detail;
}

static void
test_decide (void **state)
{
    (void) state;
    //  The bundled model.
    const char *extra[] = {"data.theme_model=" SEIN_SOURCE_DIR "/conf/theme.model", NULL};
    sein_classifier_t *classifier = s_classifier (extra, NULL);
    assert_non_null (sein_classifier_model (classifier));
    char *summary = sein_classifier_summary (classifier);
    assert_non_null (strstr (summary, "a theme model of 10 themes"));
    free (summary);
    sein_classification_t result;
    json_t *detail = s_classify (classifier,
                                 "{\"description\": \"er lopen ratten rond in onze "
                                 "kelder\", \"source\": \"citizen\"}",
                                 &result);
    json_t *theme = json_object_get (detail, "theme");
    assert_string_equal (result.theme, "dieren");
    assert_string_equal (json_string_value (json_object_get (theme, "by")), "model");
    double probability = json_real_value (json_object_get (theme, "probability"));
    assert_true (probability >= 0.5 && probability <= 1);
    assert_true (json_real_value (json_object_get (theme, "runner_up_probability")) <
                 probability);
    //  The explanation names the words, then the rules, then the theme.
    const char *why = json_string_value (json_object_get (detail, "explanation"));
    assert_non_null (strstr (why, "model: "));
    assert_non_null (strstr (why, "ratten"));
    assert_non_null (strstr (why, "→ dieren "));
    assert_true (json_array_size (json_object_get (theme, "words")) >= 1);
    json_decref (detail);
    sein_classification_clear (&result);

    //  An explicit theme wins.
    detail =
        s_classify (classifier,
                    "{\"description\": \"ratten in de kelder\", \"theme\": \"wonen\", "
                    "\"source\": \"citizen\"}",
                    &result);
    assert_string_equal (result.theme, "wonen");
    assert_string_equal (
        json_string_value (json_object_get (json_object_get (detail, "theme"), "by")),
        "explicit");
    json_decref (detail);
    sein_classification_clear (&result);

    //  A machine event the rules read is decisive.
    detail = s_classify (classifier,
                         "{\"description\": \"meting\", \"source\": \"system\", "
                         "\"attributes\": {\"noise_level\": \"82\"}}",
                         &result);
    assert_string_equal (result.theme, "overlast");
    assert_string_equal (
        json_string_value (json_object_get (json_object_get (detail, "theme"), "by")),
        "attributes");
    json_decref (detail);
    sein_classification_clear (&result);
    sein_classifier_destroy (&classifier);

    //  A threshold no probability reaches: triage, and why.
    const char *strict[] = {extra[0], "classify.theme_threshold=100", NULL};
    classifier = s_classifier (strict, NULL);
    detail = s_classify (classifier,
                         "{\"description\": \"er lopen ratten rond in onze kelder\", "
                         "\"source\": \"citizen\"}",
                         &result);
    assert_string_equal (result.theme, "triage");
    theme = json_object_get (detail, "theme");
    assert_string_equal (json_string_value (json_object_get (theme, "model_theme")),
                         "dieren");
    assert_non_null (
        strstr (json_string_value (json_object_get (theme, "reason")), "is below 1.00"));
    assert_non_null (
        strstr (json_string_value (json_object_get (detail, "explanation")), "→ triage"));
    json_decref (detail);
    sein_classification_clear (&result);
    sein_classifier_destroy (&classifier);
}

//  --------------------------------------------------------------------------
//  seind: SIGHUP with a broken model

static void
test_reload (void **state)
{
    (void) state;
    sein_harness_t harness;
    assert_int_equal (sein_harness_init (&harness, 0), 0);
    char *model = zsys_sprintf ("%s/theme.model", harness.dir);
    char *text = s_read (SEIN_SOURCE_DIR "/conf/theme.model");
    FILE *file = fopen (model, "w");
    assert_non_null (file);
    fputs (text, file);
    fclose (file);
    char *setting = zsys_sprintf ("data.theme_model=%s", model);
    sein_harness_set (&harness, setting);
    assert_int_equal (sein_harness_start (&harness), 0);
    char *output = NULL;
    assert_int_equal (sein_harness_run (&harness, NULL, &output, "seinctl", "--json",
                                        "classify", "ratten in de kelder", NULL),
                      0);
    assert_non_null (strstr (output, "\"by\":\"model\""));
    zstr_free (&output);

    //  Broken: refused with file:line, and the old model still decides.
    file = fopen (model, "w");
    assert_non_null (file);
    fputs ("sein-theme-model 2 bits=99\n", file);
    fclose (file);
    assert_int_equal (kill (harness.pid, SIGHUP), 0);
    char *location = zsys_sprintf ("%s:1: bits=99", model);
    int64_t deadline = zclock_mono () + sein_harness_scale (10000);
    bool refused = false;
    while (!refused && zclock_mono () < deadline) {
        char *log = s_read (harness.log);
        refused = strstr (log, "reload refused") && strstr (log, location);
        free (log);
        if (!refused)
            zclock_sleep (20);
    }
    assert_true (refused);
    assert_int_equal (sein_harness_run (&harness, NULL, &output, "seinctl", "--json",
                                        "classify", "ratten in de kelder", NULL),
                      0);
    assert_non_null (strstr (output, "\"by\":\"model\""));
    zstr_free (&output);
    zstr_free (&location);
    zstr_free (&setting);
    free (text);
    free (model);
    sein_harness_cleanup (&harness);
}


//  seinctl train --from-store on a store seind wrote: a theme correction
//  (seinctl reclassify) teaches the model, an area-only one does not.
static void
test_train_from_store (void **state)
{
    (void) state;
    sein_harness_t harness;
    assert_int_equal (sein_harness_init (&harness, 0), 0);
    assert_int_equal (sein_harness_start (&harness), 0);
    const char *texts[] = {"er sluipt elke nacht een vos door onze tuin",
                           "de haag van de buren hangt over het voetpad"};
    long long seqs[2];
    char given[SEIN_CODE_MAX] = "";
    for (int index = 0; index < 2; index++) {
        char *output = NULL;
        assert_int_equal (sein_harness_run (&harness, NULL, &output, "sein-submit", "--json",
                                            "-s", "citizen", "-d", texts[index], NULL),
                          0);
        json_t *ack = json_loads (output, 0, NULL);
        assert_non_null (ack);
        seqs[index] = json_integer_value (json_object_get (ack, "seq"));
        assert_true (seqs[index] > 0);
        if (index == 0)
            snprintf (given, sizeof given, "%s",
                      json_string_value (json_object_get (ack, "theme")));
        json_decref (ack);
        zstr_free (&output);
    }
    //  A correction to another theme than the one seind gave.
    const char *corrected = strcmp (given, "dieren") == 0 ? "groen" : "dieren";
    char first[24], second[24];
    snprintf (first, sizeof first, "%lld", seqs[0]);
    snprintf (second, sizeof second, "%lld", seqs[1]);
    assert_int_equal (sein_harness_run (&harness, NULL, NULL, "seinctl", "reclassify", first,
                                        "--theme", corrected, "--note", "een vos", NULL),
                      0);
    assert_int_equal (sein_harness_run (&harness, NULL, NULL, "seinctl", "reclassify", second,
                                        "--area", "wilsele", NULL),
                      0);
    char *model = zsys_sprintf ("%s/trained.model", harness.dir);
    char *output = NULL;
    assert_int_equal (sein_harness_run (&harness, NULL, &output, "seinctl", "--json", "train",
                                        "--corpus", s_corpus_file (), "--from-store",
                                        "--output", model, NULL),
                      0);
    json_t *made = json_loads (output, 0, NULL);
    assert_non_null (made);
    assert_int_equal (json_integer_value (json_object_get (made, "corrections")), 1);
    assert_int_equal (json_integer_value (json_object_get (made, "signals")),
                      S_CORPUS_LINES + 1);
    json_decref (made);
    zstr_free (&output);
    char *error = NULL;
    sein_model_t *trained = sein_model_load (model, &error);
    if (!trained)
        fail_msg ("%s", error);
    sein_model_destroy (&trained);
    unlink (model);
    zstr_free (&model);
    sein_harness_cleanup (&harness);
}

static int
s_setup (void **state)
{
    (void) state;
    s_scratch = sein_classify_scratch_new ();
    return s_scratch ? 0 : -1;
}

static int
s_teardown (void **state)
{
    (void) state;
    sein_classify_scratch_destroy (&s_scratch);
    return 0;
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_hash),       cmocka_unit_test (test_features),
        cmocka_unit_test (test_round_trip), cmocka_unit_test (test_bad_files),
        cmocka_unit_test (test_from_store), cmocka_unit_test (test_decide),
        cmocka_unit_test (test_reload),    cmocka_unit_test (test_train_from_store),
    };
    return cmocka_run_group_tests (tests, s_setup, s_teardown);
}
