// SPDX-License-Identifier: MPL-2.0
/*  sein_corpus.c - read labelled signals from files and corrections

    See sein_corpus.h. The store is read with its own read-only SQLite
    connection and nothing else of sein_store: a corpus needs two columns
    of one query, and seinctl train must work while seind holds the
    store.
*/
#include "sein_corpus.h"
#include "sein_alloc.h"

#include <czmq.h>
#include <jansson.h>
#include <sqlite3.h>

struct _sein_corpus_t {
    sein_corpus_entry_t *entries;
    size_t count, capacity;
};

sein_corpus_t *
sein_corpus_new (void)
{
    return (sein_corpus_t *) sein_calloc (1, sizeof (sein_corpus_t));
}

void
sein_corpus_destroy (sein_corpus_t **self_p)
{
    assert (self_p);
    sein_corpus_t *self = *self_p;
    if (self) {
        for (size_t index = 0; index < self->count; index++) {
            free (self->entries[index].input);
            free (self->entries[index].theme);
            free (self->entries[index].lang);
            free (self->entries[index].area);
            free (self->entries[index].where);
        }
        free (self->entries);
        free (self);
        *self_p = NULL;
    }
}

//  Take INPUT and WHERE (fresh), copy THEME, LANG and AREA.
static void
s_add (sein_corpus_t *self, char *input, const char *theme, const char *lang,
       const char *area, char *where)
{
    if (self->count == self->capacity) {
        self->capacity = self->capacity ? self->capacity * 2 : 1024;
        self->entries = (sein_corpus_entry_t *) sein_realloc (
            self->entries, self->capacity * sizeof *self->entries);
    }
    self->entries[self->count++] = (sein_corpus_entry_t){
        input, sein_strdup (theme), sein_strdup (lang ? lang : ""),
        sein_strdup (area ? area : ""), where};
}

int
sein_corpus_add_file (sein_corpus_t *self, const char *path, char **error_p)
{
    assert (self && path && error_p);
    *error_p = NULL;
    FILE *file = fopen (path, "r");
    if (!file) {
        *error_p = sein_sprintf ("%s:0: cannot read: %s", path, strerror (errno));
        return -1;
    }
    char *line = NULL;
    size_t capacity = 0;
    int lineno = 0;
    while (!*error_p && getline (&line, &capacity, file) >= 0) {
        lineno++;
        if (strspn (line, " \t\r\n") == strlen (line))
            continue;
        json_error_t json_error;
        json_t *entry = json_loads (line, JSON_REJECT_DUPLICATES, &json_error);
        json_t *input = json_object_get (entry, "input");
        json_t *theme = json_object_get (json_object_get (entry, "expect"), "theme");
        if (!entry)
            *error_p = sein_sprintf ("%s:%d: %s", path, lineno, json_error.text);
        else if (!json_is_object (input))
            *error_p = sein_sprintf ("%s:%d: no \"input\" object", path, lineno);
        else if (theme && !json_is_null (theme) && !json_is_string (theme))
            *error_p = sein_sprintf (
                "%s:%d: \"expect\".\"theme\" is not a string or null", path, lineno);
        else if (json_is_string (theme) && strcmp (json_string_value (theme), SEIN_TRIAGE)) {
            //  The area it expects, for evaluations: null is triage.
            json_t *area = json_object_get (json_object_get (entry, "expect"), "area");
            s_add (self, json_dumps (input, JSON_COMPACT), json_string_value (theme),
                   json_string_value (json_object_get (entry, "lang")),
                   json_is_string (area) ? json_string_value (area)
                   : area                ? SEIN_TRIAGE
                                         : "",
                   sein_sprintf ("%s:%d", path, lineno));
        }
        json_decref (entry);
    }
    free (line);
    fclose (file);
    return *error_p ? -1 : 0;
}

int
sein_corpus_add_store (sein_corpus_t *self, const char *path, char **error_p)
{
    assert (self && path && error_p);
    *error_p = NULL;
    //  The last correction of each signal's theme (the event's theme is
    //  the new one; an area-only correction confirms no theme), with the
    //  signal's own text.
    static const char *query =
        "SELECT r.signal, r.theme, json_object ('description',"
        "  json_extract (s.body, '$.description'), 'source', json_extract (s.body, "
        "'$.source'),"
        "  'attributes', json (coalesce (json_extract (s.body, '$.attributes'), '{}')))"
        " FROM events r JOIN events s ON s.seq = r.signal"
        " WHERE r.kind = 'reclassified' AND r.theme <> 'triage'"
        "  AND json_extract (s.body, '$.description') IS NOT NULL"
        "  AND r.seq = (SELECT max (x.seq) FROM events x WHERE x.kind = 'reclassified'"
        "   AND x.signal = r.signal AND json_extract (x.body, '$.from.theme')"
        "   IS NOT json_extract (x.body, '$.to.theme'))"
        " ORDER BY r.signal";
    sqlite3 *db = NULL;
    sqlite3_stmt *statement = NULL;
    int rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout (db, 5000);
        rc = sqlite3_prepare_v2 (db, query, -1, &statement, NULL);
    }
    int added = 0;
    if (rc == SQLITE_OK)
        rc = SQLITE_ROW;
    while (rc == SQLITE_ROW && (rc = sqlite3_step (statement)) == SQLITE_ROW) {
        s_add (self, sein_strdup ((const char *) sqlite3_column_text (statement, 2)),
               (const char *) sqlite3_column_text (statement, 1), "", "",
               sein_sprintf ("%s:seq %lld", path,
                             (long long) sqlite3_column_int64 (statement, 0)));
        added++;
    }
    if (rc != SQLITE_DONE) {
        *error_p =
            sein_sprintf ("%s: %s", path, db ? sqlite3_errmsg (db) : "out of memory");
        added = -1;
    }
    sqlite3_finalize (statement);
    sqlite3_close (db);
    return added;
}

size_t
sein_corpus_size (const sein_corpus_t *self)
{
    assert (self);
    return self->count;
}

const sein_corpus_entry_t *
sein_corpus_entry (const sein_corpus_t *self, size_t index)
{
    assert (self && index < self->count);
    return &self->entries[index];
}

char *
sein_corpus_digest (const sein_corpus_t *self)
{
    assert (self);
    zdigest_t *digest = zdigest_new ();
    for (size_t index = 0; index < self->count; index++) {
        const sein_corpus_entry_t *entry = &self->entries[index];
        zdigest_update (digest, (const byte *) entry->theme, strlen (entry->theme) + 1);
        zdigest_update (digest, (const byte *) entry->input, strlen (entry->input) + 1);
    }
    char *text = sein_strdup (zdigest_string (digest));
    zdigest_destroy (&digest);
    //  zdigest writes capitals; a header reads better in lower case.
    for (char *at = text; *at; at++)
        *at = (char) tolower ((unsigned char) *at);
    return text;
}

sein_model_t *
sein_corpus_train (const sein_corpus_t *self, const sein_classifier_t *classifier,
                   const bool *select, int bits, double C, char **error_p)
{
    assert (self && classifier && error_p);
    *error_p = NULL;
    //  The labels: the classifier's themes that some chosen entry has.
    zlistx_t *themes = sein_classifier_codes (classifier, false);
    size_t nthemes = zlistx_size (themes) - 1; //  without triage
    const char **codes = (const char **) sein_malloc (nthemes * sizeof (char *));
    bool *used = (bool *) sein_calloc (nthemes, sizeof (bool));
    size_t index = 0;
    for (const char *code = (const char *) zlistx_first (themes); index < nthemes;
         code = (const char *) zlistx_next (themes))
        codes[index++] = code;
    int *label_of = (int *) sein_malloc ((self->count + 1) * sizeof (int));
    size_t chosen = 0;
    for (size_t entry = 0; entry < self->count && !*error_p; entry++) {
        label_of[entry] = -1;
        if (select && !select[entry])
            continue;
        size_t theme = 0;
        while (theme < nthemes && strcmp (codes[theme], self->entries[entry].theme))
            theme++;
        if (theme == nthemes)
            *error_p =
                sein_sprintf ("%s: theme '%s' is not in the themes file",
                              self->entries[entry].where, self->entries[entry].theme);
        else {
            used[theme] = true;
            label_of[entry] = (int) theme;
            chosen++;
        }
    }
    //  Renumber the themes that occur, in the file's order.
    const char **labels = (const char **) sein_malloc ((nthemes + 1) * sizeof (char *));
    int *renumber = (int *) sein_malloc ((nthemes + 1) * sizeof (int));
    size_t nlabels = 0;
    for (size_t theme = 0; theme < nthemes; theme++) {
        renumber[theme] = used[theme] ? (int) nlabels : -1;
        if (used[theme])
            labels[nlabels++] = codes[theme];
    }
    if (!*error_p && nlabels < 2)
        *error_p = sein_strdup ("the corpus has fewer than two themes to tell apart");
    sein_model_t *model = NULL;
    struct feature_node **rows =
        (struct feature_node **) sein_calloc (chosen + 1, sizeof (struct feature_node *));
    int *y = (int *) sein_malloc ((chosen + 1) * sizeof (int));
    size_t nrows = 0;
    sein_classify_scratch_t *scratch = *error_p ? NULL : sein_classify_scratch_new ();
    sein_signal_limits_t limits = {65536, 1 << 20};
    for (size_t entry = 0; scratch && entry < self->count && !*error_p; entry++) {
        if (label_of[entry] < 0)
            continue;
        const sein_corpus_entry_t *item = &self->entries[entry];
        sein_signal_t signal;
        sein_error_t signal_error;
        if (sein_signal_parse (&signal, item->input, strlen (item->input), &limits,
                               &signal_error)) {
            *error_p = sein_sprintf ("%s: not a valid submission: %s", item->where,
                                     signal_error.message);
            break;
        }
        const struct feature_node *nodes = sein_classifier_features (
            classifier, scratch, &signal, bits, labels, nlabels);
        size_t count = 0;
        while (nodes[count].index != -1)
            count++;
        rows[nrows] = (struct feature_node *) sein_malloc ((count + 1) * sizeof **rows);
        memcpy (rows[nrows], nodes, (count + 1) * sizeof **rows);
        y[nrows++] = renumber[label_of[entry]];
        sein_signal_clear (&signal);
    }
    if (!*error_p) {
        sein_model_options_t options = {bits, C, NULL};
        char *digest = sein_corpus_digest (self);
        options.digest = digest;
        model = sein_model_train (rows, y, nrows, labels, nlabels, &options);
        free (digest);
    }
    sein_classify_scratch_destroy (&scratch);
    for (size_t row = 0; row < nrows; row++)
        free (rows[row]);
    free (rows);
    free (y);
    free (renumber);
    free (labels);
    free (label_of);
    free (used);
    free (codes);
    zlistx_destroy (&themes);
    return model;
}

int
sein_corpus_cross_validate (const sein_corpus_t *self, const sein_classifier_t *rules,
                            int folds, int percent, int bits, double C,
                            sein_corpus_loader_fn *load,
                            sein_corpus_result_fn *report, void *arg, char **error_p)
{
    assert (self && rules && load && report && error_p);
    assert (folds >= 2);
    assert (percent >= 1 && percent <= 100);
    *error_p = NULL;
    bool *select = (bool *) sein_malloc ((self->count + 1) * sizeof (bool));
    sein_classify_scratch_t *scratch = sein_classify_scratch_new ();
    sein_signal_limits_t limits = {65536, 1 << 20};
    for (int fold = 0; fold < folds && !*error_p; fold++) {
        //  A part of the entries by a hash of their place, not every n-th:
        //  the files group signals by style and language, and a stride
        //  could keep or drop a whole group.
        for (size_t entry = 0; entry < self->count; entry++)
            select[entry] =
                (int) (entry % (size_t) folds) != fold &&
                (int) ((((uint32_t) entry * 2654435761u) >> 8) % 100) < percent;
        sein_model_t *model = sein_corpus_train (self, rules, select, bits, C, error_p);
        char path[] = "/tmp/sein-fold-XXXXXX";
        int fd = model ? mkstemp (path) : -1;
        if (model && fd < 0)
            *error_p = sein_sprintf ("%s: %s", path, strerror (errno));
        if (fd >= 0) {
            close (fd);
            sein_model_save (model, path, error_p);
        }
        sein_model_destroy (&model);
        sein_classifier_t *classifier = *error_p ? NULL : load (arg, path, error_p);
        if (fd >= 0)
            unlink (path);
        for (size_t entry = (size_t) fold; classifier && entry < self->count;
             entry += (size_t) folds) {
            const sein_corpus_entry_t *item = &self->entries[entry];
            sein_signal_t signal;
            sein_error_t signal_error;
            if (sein_signal_parse (&signal, item->input, strlen (item->input), &limits,
                                   &signal_error))
                continue; //  training said so already
            sein_classification_t result;
            sein_classifier_classify (classifier, scratch, &signal, &result, false);
            report (arg, entry, &signal, &result);
            sein_classification_clear (&result);
            sein_signal_clear (&signal);
        }
        sein_classifier_destroy (&classifier);
    }
    sein_classify_scratch_destroy (&scratch);
    free (select);
    return *error_p ? -1 : 0;
}
