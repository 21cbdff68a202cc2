// SPDX-License-Identifier: MPL-2.0
/*  sein_model.c - train, save, load and apply the theme model (liblinear)

    liblinear reads and writes its models by file name only and says
    nothing useful when a file is wrong (its load_model returns NULL, or
    trusts a header that asks for gigabytes). So the file gets a header
    line of ours, and the body's own header (solver_type .. bias) is read
    and checked here before liblinear sees it; liblinear then reads the
    body from a memfd, and writes it into one when saving, so that neither
    path needs a temporary file.
*/
#include "sein_model.h"
#include "sein_alloc.h"
#include "sein_features.h"

#include <czmq.h>
#include <inttypes.h>
#include <math.h>
#include <sys/mman.h>

//  More labels than any city's theme list; the stack holds their
//  probabilities.
#define S_LABELS_MAX 64
//  A model file of 2^22 buckets and 64 labels in liblinear's text is
//  about 6 GB; a sane one is a few MB.
#define S_FILE_MAX ((size_t) 256 << 20)

struct _sein_model_t {
    struct model *linear;
    int bits;
    char **labels;
    size_t nlabels;
    char *digest;
    size_t signals;
    double C;
    int column[S_LABELS_MAX]; //  label -> its index in linear->label
    uint32_t *df;             //  per text feature index 1..2^bits: signals having it
    float *idf;               //  its weight, from df and signals (s_weigh)
};

static void
s_silent (const char *text)
{
    (void) text;
}

void
sein_model_destroy (sein_model_t **self_p)
{
    assert (self_p);
    sein_model_t *self = *self_p;
    if (self) {
        if (self->linear)
            free_and_destroy_model (&self->linear);
        for (size_t index = 0; index < self->nlabels; index++)
            free (self->labels[index]);
        free (self->labels);
        free (self->digest);
        free (self->df);
        free (self->idf);
        free (self);
        *self_p = NULL;
    }
}

//  Where each of our labels (trained as 1..N) sits in liblinear's order,
//  which is the order the labels first occurred in the rows.
static char *
s_map_labels (sein_model_t *self)
{
    if (self->linear->nr_class != (int) self->nlabels)
        return sein_sprintf ("the body has %d classes, the header %zu labels",
                             self->linear->nr_class, self->nlabels);
    for (size_t label = 0; label < self->nlabels; label++)
        self->column[label] = -1;
    for (int column = 0; column < self->linear->nr_class; column++) {
        int label = self->linear->label[column];
        if (label < 1 || label > (int) self->nlabels || self->column[label - 1] >= 0)
            return sein_sprintf ("class %d of the body is no label of the header", label);
        self->column[label - 1] = column;
    }
    return NULL;
}

//  The IDF weights of the text features from their document counts: the
//  square root of 1 + ln ((1 + N) / (1 + df)). A word every signal has
//  weighs 1, one signal in 3,000 about 3; a bucket training never saw
//  weighs most, and its weights are 0, so it only shortens the vector of
//  a text full of unknown words. The square root did better than the IDF
//  itself on the corpus's cross-validation (docs/CLASSIFICATION.md).
static void
s_weigh (sein_model_t *self)
{
    size_t buckets = ((size_t) 1 << self->bits) + 1;
    self->idf = (float *) sein_malloc (buckets * sizeof (float));
    self->idf[0] = 1;
    for (size_t index = 1; index < buckets; index++)
        self->idf[index] = (float) sqrt (
            1 + log ((1.0 + (double) self->signals) / (1.0 + (double) self->df[index])));
}

static int
s_compare_nodes (const void *a, const void *b)
{
    return ((const struct feature_node *) a)->index -
           ((const struct feature_node *) b)->index;
}

sein_model_t *
sein_model_train (struct feature_node *const *x, const int *y, size_t n,
                  const char *const *names, size_t nlabels,
                  const sein_model_options_t *options)
{
    assert (x && y && names && options);
    assert (nlabels >= 2 && nlabels <= S_LABELS_MAX);
    assert (n >= 1);
    set_print_string_function (s_silent);
    //  liblinear's training data: sorted copies of the rows (the order
    //  does not matter to prediction, and sorted is what its files hold).
    struct problem problem = {0};
    problem.l = (int) n;
    problem.n = (1 << options->bits) + 1 + (int) nlabels;
    problem.bias = -1; //  the intercept is a feature of its own
    problem.y = (double *) sein_malloc (n * sizeof (double));
    problem.x = (struct feature_node **) sein_malloc (n * sizeof (struct feature_node *));
    for (size_t row = 0; row < n; row++) {
        assert (y[row] >= 0 && (size_t) y[row] < nlabels);
        problem.y[row] = y[row] + 1;
        size_t count = 0;
        while (x[row][count].index != -1)
            count++;
        problem.x[row] = (struct feature_node *) sein_malloc (
            (count + 1) * sizeof (struct feature_node));
        memcpy (problem.x[row], x[row], (count + 1) * sizeof (struct feature_node));
        qsort (problem.x[row], count, sizeof (struct feature_node), s_compare_nodes);
    }
    //  The rows come unweighted: count in how many each text feature
    //  occurs, weigh, and L2-normalise each row's text part again, as
    //  sein_features_extract does with the model's weights.
    sein_model_t *self = (sein_model_t *) zmalloc (sizeof *self);
    self->bits = options->bits;
    self->signals = n;
    int text_max = 1 << options->bits;
    self->df = (uint32_t *) sein_calloc ((size_t) text_max + 1, sizeof (uint32_t));
    for (size_t row = 0; row < n; row++)
        for (struct feature_node *node = problem.x[row];
             node->index != -1 && node->index <= text_max; node++)
            self->df[node->index]++;
    s_weigh (self);
    for (size_t row = 0; row < n; row++) {
        double norm = 0;
        struct feature_node *node;
        for (node = problem.x[row]; node->index != -1 && node->index <= text_max; node++) {
            node->value *= self->idf[node->index];
            norm += node->value * node->value;
        }
        norm = norm > 0 ? sqrt (norm) : 1;
        for (node = problem.x[row]; node->index != -1 && node->index <= text_max; node++)
            node->value /= norm;
    }
    struct parameter parameter = {0};
    parameter.solver_type = L2R_LR;
    parameter.eps = 0.01;
    parameter.C = options->C;
    parameter.p = 0.1;
    const char *wrong = check_parameter (&problem, &parameter);
    sein_require (!wrong);
    //  liblinear's solvers for logistic regression may shuffle with
    //  rand(): a fixed seed makes training reproducible.
    srand (1);
    self->linear = train (&problem, &parameter);
    sein_require (self->linear);
    self->C = options->C;
    self->nlabels = nlabels;
    self->labels = (char **) sein_malloc (nlabels * sizeof (char *));
    for (size_t label = 0; label < nlabels; label++)
        self->labels[label] = sein_strdup (names[label]);
    self->digest = sein_strdup (options->digest ? options->digest : "none");
    //  A label no row had is missing from liblinear's list.
    char *error = s_map_labels (self);
    sein_require (!error);
    for (size_t row = 0; row < n; row++)
        free (problem.x[row]);
    free (problem.x);
    free (problem.y);
    return self;
}

int
sein_model_save (const sein_model_t *self, const char *path, char **error_p)
{
    assert (self && path && error_p);
    *error_p = NULL;
    int body = memfd_create ("sein-model", 0);
    if (body < 0) {
        *error_p = sein_sprintf ("%s: memfd_create: %s", path, strerror (errno));
        return -1;
    }
    char name[64];
    snprintf (name, sizeof name, "/proc/self/fd/%d", body);
    FILE *file = NULL;
    int rc = -1;
    if (save_model (name, self->linear) != 0)
        *error_p = sein_sprintf ("%s: liblinear could not write the model", path);
    else if (!(file = fopen (path, "w")))
        *error_p = sein_sprintf ("%s: %s", path, strerror (errno));
    else {
        fprintf (file, "%s %d bits=%d features=%s labels=", SEIN_MODEL_MAGIC,
                 SEIN_MODEL_VERSION, self->bits, SEIN_FEATURES_CONFIG);
        for (size_t label = 0; label < self->nlabels; label++)
            fprintf (file, "%s%s", label ? "," : "", self->labels[label]);
        fprintf (file, " corpus=%s signals=%zu C=%g\n", self->digest, self->signals,
                 self->C);
        //  The document counts, for the IDF weights: exact integers, and
        //  only the buckets some signal had.
        fputs ("df", file);
        for (size_t index = 1; index <= ((size_t) 1 << self->bits); index++)
            if (self->df[index])
                fprintf (file, " %zu:%" PRIu32, index, self->df[index]);
        fputc ('\n', file);
        //  liblinear writes 17 digits a weight; 6 keep every prediction
        //  (probabilities are shown with 2) and make the file a third.
        FILE *saved = fdopen (dup (body), "r");
        char *line = NULL;
        size_t capacity = 0;
        bool weights = false;
        ssize_t got = saved ? 0 : -1;
        if (saved)
            rewind (saved);
        while (saved && (got = getline (&line, &capacity, saved)) > 0) {
            if (!weights) {
                fputs (line, file);
                weights = strcmp (line, "w\n") == 0;
                continue;
            }
            char *at = line, *end;
            for (double value = strtod (at, &end); end != at; value = strtod (at, &end)) {
                fprintf (file, "%.6g ", value);
                at = end;
            }
            fputc ('\n', file);
        }
        free (line);
        got = !saved || ferror (saved) ? -1 : 0;
        if (saved)
            fclose (saved);
        if (got < 0 || ferror (file))
            *error_p = sein_sprintf ("%s: %s", path, strerror (errno));
        else
            rc = 0;
        if (fclose (file) != 0 && rc == 0) {
            *error_p = sein_sprintf ("%s: %s", path, strerror (errno));
            rc = -1;
        }
    }
    close (body);
    return rc;
}

//  Parse the header line into SELF. Returns a fresh message or NULL.
static char *
s_parse_header (sein_model_t *self, char *line)
{
    char *save = NULL;
    char *word = strtok_r (line, " ", &save);
    if (!word || strcmp (word, SEIN_MODEL_MAGIC) != 0)
        return sein_sprintf ("not a sein theme model (the first line must start with "
                             "'%s %d')",
                             SEIN_MODEL_MAGIC, SEIN_MODEL_VERSION);
    word = strtok_r (NULL, " ", &save);
    if (!word || atoi (word) != SEIN_MODEL_VERSION)
        return sein_sprintf ("format version '%s', this seind reads %d", word ? word : "",
                             SEIN_MODEL_VERSION);
    bool have_features = false, have_corpus = false;
    self->bits = 0;
    while ((word = strtok_r (NULL, " ", &save))) {
        char *value = strchr (word, '=');
        if (!value)
            return sein_sprintf ("'%s' in the header is not key=value", word);
        *value++ = 0;
        if (strcmp (word, "bits") == 0) {
            self->bits = atoi (value);
            if (self->bits < SEIN_MODEL_BITS_MIN || self->bits > SEIN_MODEL_BITS_MAX)
                return sein_sprintf ("bits=%s is out of range %d..%d", value,
                                     SEIN_MODEL_BITS_MIN, SEIN_MODEL_BITS_MAX);
        } else if (strcmp (word, "features") == 0) {
            if (strcmp (value, SEIN_FEATURES_CONFIG) != 0)
                return sein_sprintf ("features=%s, this seind computes %s: retrain the "
                                     "model (seinctl train)",
                                     value, SEIN_FEATURES_CONFIG);
            have_features = true;
        } else if (strcmp (word, "labels") == 0) {
            char *label_save = NULL;
            for (char *label = strtok_r (value, ",", &label_save); label;
                 label = strtok_r (NULL, ",", &label_save)) {
                if (self->nlabels == S_LABELS_MAX)
                    return sein_sprintf ("more than %d labels", S_LABELS_MAX);
                for (size_t other = 0; other < self->nlabels; other++)
                    if (strcmp (self->labels[other], label) == 0)
                        return sein_sprintf ("label '%s' twice", label);
                self->labels = (char **) sein_realloc (self->labels, (self->nlabels + 1) *
                                                                         sizeof (char *));
                self->labels[self->nlabels++] = sein_strdup (label);
            }
        } else if (strcmp (word, "corpus") == 0) {
            free (self->digest);
            self->digest = sein_strdup (value);
            have_corpus = true;
        } else if (strcmp (word, "signals") == 0) {
            char *end;
            errno = 0;
            unsigned long long signals = strtoull (value, &end, 10);
            if (errno || end == value || *end || *value == '-' || signals < 1 ||
                signals > UINT32_MAX)
                return sein_sprintf ("signals=%s is not a count of signals", value);
            self->signals = (size_t) signals;
        } else if (strcmp (word, "C") == 0)
            self->C = atof (value);
        else
            return sein_sprintf ("unknown header field '%s'", word);
    }
    if (!self->bits)
        return sein_strdup ("the header names no bits=");
    if (!have_features)
        return sein_strdup ("the header names no features=");
    if (self->nlabels < 2)
        return sein_strdup ("the header names fewer than two labels=");
    if (!have_corpus)
        return sein_strdup ("the header names no corpus=");
    if (!self->signals)
        return sein_strdup ("the header names no signals=");
    return NULL;
}

//  Parse the document counts on LINE ("df INDEX:COUNT ...", indices
//  rising within 1..2^bits, counts 1..signals) into SELF and weigh.
//  Returns a fresh message or NULL.
static char *
s_parse_df (sein_model_t *self, const char *line)
{
    if (strncmp (line, "df", 2) != 0 || (line[2] != ' ' && line[2] != 0))
        return sein_strdup ("expected the document counts 'df INDEX:COUNT ...'");
    size_t buckets = (size_t) 1 << self->bits;
    self->df = (uint32_t *) sein_calloc (buckets + 1, sizeof (uint32_t));
    const char *at = line + 2;
    unsigned long last = 0;
    while (*at == ' ') {
        at++;
        char *end;
        errno = 0;
        unsigned long index = *at >= '0' && *at <= '9' ? strtoul (at, &end, 10) : 0;
        if (index == 0 || errno || *end != ':')
            return sein_sprintf ("document count %lu: expected INDEX:COUNT", last + 1);
        if (index <= last || index > buckets)
            return sein_sprintf ("document count index %lu must rise within 1..%zu", index,
                                 buckets);
        at = end + 1;
        unsigned long count = *at >= '0' && *at <= '9' ? strtoul (at, &end, 10) : 0;
        if (errno || count == 0 || count > self->signals || (*end != ' ' && *end != 0))
            return sein_sprintf ("document count of %lu must be 1..%zu", index,
                                 self->signals);
        self->df[index] = (uint32_t) count;
        last = index;
        at = end;
    }
    if (*at)
        return sein_strdup ("expected the document counts 'df INDEX:COUNT ...'");
    s_weigh (self);
    return NULL;
}

//  The number on LINE after its KEY and a space, or -1 when the line is
//  not that (liblinear reads its lines in this order and trusts them).
static long
s_header_number (const char *line, const char *key)
{
    size_t len = strlen (key);
    if (strncmp (line, key, len) != 0 || line[len] != ' ')
        return -1;
    char *end;
    errno = 0;
    long value = strtol (line + len + 1, &end, 10);
    return errno || end == line + len + 1 || *end != '\n' ? -1 : value;
}

//  Check the body before liblinear reads it, as liblinear does not: its
//  header lines in liblinear's order (a line out of order makes it read
//  an uninitialised class count), the solver, the classes and labels,
//  the feature count against the header line, no bias, and one row of
//  weights per feature with one weight per class. *LINE_P is set to the
//  line of a problem. Returns a fresh message or NULL.
static char *
s_check_body (const sein_model_t *self, const char *body, int first, int *line_p)
{
    long nlabels = (long) self->nlabels;
    const char *at = body;
    const char *end[6];
    for (int index = 0; index < 6; index++) {
        *line_p = first + index;
        end[index] = strchr (at, '\n');
        if (!end[index])
            return sein_strdup ("the model ends before its weights");
        if (index == 0 && strcmp (at, "solver_type L2R_LR\n") != 0 &&
            strncmp (at, "solver_type L2R_LR\n", 19) != 0)
            return sein_strdup ("solver_type must be L2R_LR (probabilities)");
        if (index == 1 && s_header_number (at, "nr_class") != nlabels)
            return sein_sprintf ("expected nr_class %ld, as the header has %ld labels",
                                 nlabels, nlabels);
        if (index == 2) {
            if (strncmp (at, "label ", 6) != 0)
                return sein_strdup ("expected label");
            const char *scan = at + 6;
            for (long label = 0; label < nlabels; label++) {
                char *next;
                long value = strtol (scan, &next, 10);
                if (next == scan || value < 1 || value > nlabels)
                    return sein_sprintf ("expected %ld labels 1..%ld", nlabels, nlabels);
                scan = next;
            }
            if (*scan != '\n')
                return sein_sprintf ("expected %ld labels 1..%ld", nlabels, nlabels);
        }
        if (index == 3) {
            long nr_feature = s_header_number (at, "nr_feature");
            long limit = (1L << self->bits) + 1 + nlabels;
            if (nr_feature < 1 || nr_feature > limit)
                return sein_sprintf ("nr_feature must be 1..%ld for bits=%d and %ld labels",
                                     limit, self->bits, nlabels);
        }
        if (index == 4 && strcmp (at, "bias -1\n") != 0 && strncmp (at, "bias -1\n", 8) != 0)
            return sein_strdup ("expected bias -1 (the intercept is a feature)");
        if (index == 5 && strncmp (at, "w\n", 2) != 0)
            return sein_strdup ("expected w");
        at = end[index] + 1;
    }
    long nr_feature = s_header_number (strchr (strchr (strchr (body, '\n') + 1, '\n') + 1,
                                               '\n') + 1, "nr_feature");
    long per_row = nlabels == 2 ? 1 : nlabels;
    int line = first + 6;
    long rows = 0;
    for (; *at; rows++, line++) {
        *line_p = line;
        const char *stop = strchr (at, '\n');
        if (!stop)
            return sein_strdup ("the last row of weights has no end of line");
        //  strtod would skip the newline into the next row: stop before.
        long count = 0;
        const char *scan = at;
        bool number = true;
        while (number) {
            while (*scan == ' ')
                scan++;
            if (scan == stop)
                break;
            char *next;
            strtod (scan, &next);
            number = next != scan && next <= stop;
            count += number;
            scan = next;
        }
        if (scan != stop || count != per_row)
            return sein_sprintf ("expected %ld weights in this row", per_row);
        at = stop + 1;
    }
    *line_p = line;
    if (rows != nr_feature)
        return sein_sprintf ("%ld rows of weights, nr_feature says %ld", rows, nr_feature);
    return NULL;
}

sein_model_t *
sein_model_load (const char *path, char **error_p)
{
    assert (path && error_p);
    *error_p = NULL;
    size_t size = 0;
    char *text = NULL;
    FILE *file = fopen (path, "r");
    if (file) {
        struct stat status;
        if (fstat (fileno (file), &status) == 0 &&
            (size_t) status.st_size <= S_FILE_MAX) {
            size = (size_t) status.st_size;
            text = (char *) sein_malloc (size + 1);
            if (fread (text, 1, size, file) != size) {
                free (text);
                text = NULL;
            } else
                text[size] = 0;
        } else
            errno = EFBIG;
        fclose (file);
    }
    if (!text) {
        *error_p = sein_sprintf ("%s: cannot read: %s", path, strerror (errno));
        return NULL;
    }
    sein_model_t *self = (sein_model_t *) zmalloc (sizeof *self);
    char *newline = strchr (text, '\n');
    char *counts_end = NULL;
    int line = 1;
    char *error = NULL;
    if (strlen (text) != size)
        error = sein_strdup ("a NUL byte: not a model file");
    else if (!newline)
        error = sein_strdup ("no header line");
    else {
        *newline = 0;
        error = s_parse_header (self, text);
    }
    if (!error) {
        line = 2;
        counts_end = strchr (newline + 1, '\n');
        if (!counts_end)
            error = sein_strdup ("the model ends before its document counts");
        else {
            *counts_end = 0;
            error = s_parse_df (self, newline + 1);
        }
    }
    if (!error)
        error = s_check_body (self, counts_end + 1, 3, &line);
    if (!error) {
        int body = memfd_create ("sein-model", 0);
        const char *rest = counts_end + 1;
        size_t left = size - (size_t) (rest - text);
        while (body >= 0 && left > 0) {
            ssize_t put = write (body, rest, left);
            if (put <= 0)
                break;
            rest += put;
            left -= (size_t) put;
        }
        char name[64];
        snprintf (name, sizeof name, "/proc/self/fd/%d", body);
        self->linear = body >= 0 && left == 0 ? load_model (name) : NULL;
        if (body >= 0)
            close (body);
        line = 3;
        if (!self->linear)
            error = sein_strdup ("liblinear could not read the model below the header");
        else if (!check_probability_model (self->linear))
            error = sein_strdup ("not a logistic regression: no probabilities");
        else
            error = s_map_labels (self);
    }
    free (text);
    if (error) {
        *error_p = sein_sprintf ("%s:%d: %s", path, line, error);
        free (error);
        sein_model_destroy (&self);
    }
    return self;
}

int
sein_model_bits (const sein_model_t *self)
{
    assert (self);
    return self->bits;
}

size_t
sein_model_nlabels (const sein_model_t *self)
{
    assert (self);
    return self->nlabels;
}

const char *
sein_model_label (const sein_model_t *self, size_t index)
{
    assert (self && index < self->nlabels);
    return self->labels[index];
}

const char *
sein_model_digest (const sein_model_t *self)
{
    assert (self);
    return self->digest;
}

size_t
sein_model_signals (const sein_model_t *self)
{
    assert (self);
    return self->signals;
}

const float *
sein_model_idf (const sein_model_t *self)
{
    assert (self);
    return self->idf;
}

size_t
sein_model_predict (const sein_model_t *self, const struct feature_node *x, double *probs)
{
    assert (self && x && probs);
    double columns[S_LABELS_MAX];
    predict_probability (self->linear, x, columns);
    size_t best = 0;
    for (size_t label = 0; label < self->nlabels; label++) {
        probs[label] = columns[self->column[label]];
        if (probs[label] > probs[best])
            best = label;
    }
    return best;
}

double
sein_model_coef (const sein_model_t *self, int index, size_t label)
{
    assert (self && label < self->nlabels);
    if (index < 1 || index > self->linear->nr_feature)
        return 0;
    return get_decfun_coef (self->linear, index, self->column[label]);
}
