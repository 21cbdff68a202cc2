/*  sein_classify.c - area, theme and priority for a signal

    Minimal classifier: explicit area/theme when valid, else triage.
    The reference tables (areas, themes) are loaded from the TSV files the
    configuration names, with file:line errors.
*/
#include "sein_classify.h"

#include <assert.h>
#include <czmq.h>

struct _sein_classifier_t {
    zhashx_t *parents; //  area code -> parent wijk code ("" for a wijk)
    zhashx_t *themes;  //  theme code -> name
};

//  Read a TSV file with a header line. Calls ROW for every data row with
//  its fields split in place; ROW returns NULL or a fresh error message.
typedef char *(s_row_fn) (void *arg, char **fields, int nfields);

static char *
s_load_tsv (const char *path, int min_fields, s_row_fn *row, void *arg)
{
    FILE *file = fopen (path, "r");
    if (!file)
        return zsys_sprintf ("%s:0: cannot open: %s", path, strerror (errno));
    char *line = NULL;
    size_t capacity = 0;
    int lineno = 0;
    char *error = NULL;
    while (!error && getline (&line, &capacity, file) >= 0) {
        if (++lineno == 1)
            continue; //  header
        line[strcspn (line, "\r\n")] = 0;
        if (*line == 0 || *line == '#')
            continue;
        char *fields[16];
        int nfields = 0;
        char *cursor = line;
        while (nfields < 16) {
            fields[nfields++] = cursor;
            char *tab = strchr (cursor, '\t');
            if (!tab)
                break;
            *tab = 0;
            cursor = tab + 1;
        }
        char *message = NULL;
        if (nfields < min_fields)
            message = zsys_sprintf ("expected at least %d tab-separated fields, got %d",
                                    min_fields, nfields);
        else
            message = row (arg, fields, nfields);
        if (message) {
            error = zsys_sprintf ("%s:%d: %s", path, lineno, message);
            zstr_free (&message);
        }
    }
    if (!error && lineno == 0)
        error = zsys_sprintf ("%s:0: file is empty", path);
    free (line);
    fclose (file);
    return error;
}

static bool
s_valid_code (const char *code)
{
    size_t len = strlen (code);
    if (len == 0 || len >= SEIN_CODE_MAX)
        return false;
    for (const char *c = code; *c; c++)
        if (!(islower ((unsigned char) *c) || isdigit ((unsigned char) *c) || *c == '-'))
            return false;
    return true;
}

static char *
s_area_row (void *arg, char **fields, int nfields)
{
    sein_classifier_t *self = (sein_classifier_t *) arg;
    const char *code = fields[0], *parent = nfields > 3 ? fields[3] : "";
    if (!s_valid_code (code))
        return zsys_sprintf ("bad area code '%s' (lowercase letters, digits, '-')", code);
    if (strcmp (code, SEIN_TRIAGE) == 0)
        return zsys_sprintf ("'%s' is reserved", SEIN_TRIAGE);
    if (zhashx_lookup (self->parents, code))
        return zsys_sprintf ("duplicate area '%s'", code);
    if (*parent && !zhashx_lookup (self->parents, parent))
        return zsys_sprintf ("parent '%s' of '%s' is not listed above it", parent, code);
    zhashx_insert (self->parents, code, (void *) parent);
    return NULL;
}

static char *
s_theme_row (void *arg, char **fields, int nfields)
{
    (void) nfields;
    sein_classifier_t *self = (sein_classifier_t *) arg;
    if (!s_valid_code (fields[0]))
        return zsys_sprintf ("bad theme code '%s'", fields[0]);
    if (strcmp (fields[0], SEIN_TRIAGE) == 0)
        return zsys_sprintf ("'%s' is reserved", SEIN_TRIAGE);
    if (zhashx_lookup (self->themes, fields[0]))
        return zsys_sprintf ("duplicate theme '%s'", fields[0]);
    zhashx_insert (self->themes, fields[0], fields[1]);
    return NULL;
}

sein_classifier_t *
sein_classifier_new (sein_config_t *config, char **error_p)
{
    assert (config);
    assert (error_p);
    *error_p = NULL;
    sein_classifier_t *self = (sein_classifier_t *) zmalloc (sizeof *self);
    assert (self);
    self->parents = zhashx_new ();
    self->themes = zhashx_new ();
    zhashx_set_duplicator (self->parents, (zhashx_duplicator_fn *) strdup);
    zhashx_set_destructor (self->parents, (zhashx_destructor_fn *) zstr_free);
    zhashx_set_duplicator (self->themes, (zhashx_duplicator_fn *) strdup);
    zhashx_set_destructor (self->themes, (zhashx_destructor_fn *) zstr_free);
    char *error = s_load_tsv (sein_config_str (config, "data.areas"), 3, s_area_row, self);
    if (!error)
        error = s_load_tsv (sein_config_str (config, "data.themes"), 2, s_theme_row, self);
    if (error) {
        *error_p = error;
        sein_classifier_destroy (&self);
    }
    return self;
}

void
sein_classifier_destroy (sein_classifier_t **self_p)
{
    assert (self_p);
    sein_classifier_t *self = *self_p;
    if (self) {
        zhashx_destroy (&self->parents);
        zhashx_destroy (&self->themes);
        free (self);
        *self_p = NULL;
    }
}

bool
sein_classifier_known_area (sein_classifier_t *self, const char *code)
{
    assert (self);
    return strcmp (code, SEIN_TRIAGE) == 0 || zhashx_lookup (self->parents, code);
}

bool
sein_classifier_known_theme (sein_classifier_t *self, const char *code)
{
    assert (self);
    return strcmp (code, SEIN_TRIAGE) == 0 || zhashx_lookup (self->themes, code);
}

const char *
sein_classifier_wijk_of (sein_classifier_t *self, const char *area)
{
    assert (self);
    if (strcmp (area, SEIN_TRIAGE) == 0)
        return SEIN_TRIAGE;
    const char *parent = (const char *) zhashx_lookup (self->parents, area);
    if (!parent)
        return NULL;
    return *parent ? parent : area;
}

int
sein_classifier_classify (sein_classifier_t *self, const sein_signal_t *signal,
                          sein_classification_t *result)
{
    assert (self);
    assert (signal);
    assert (result);
    memset (result, 0, sizeof *result);
    const char *area = signal->area ? signal->area : SEIN_TRIAGE;
    const char *theme = signal->theme ? signal->theme : SEIN_TRIAGE;
    snprintf (result->area, sizeof result->area, "%s", area);
    snprintf (result->wijk, sizeof result->wijk, "%s",
              sein_classifier_wijk_of (self, area));
    snprintf (result->theme, sizeof result->theme, "%s", theme);
    snprintf (result->priority, sizeof result->priority, "%s",
              signal->priority ? signal->priority : "normal");
    result->has_point = signal->has_point;
    result->lat = signal->lat;
    result->lon = signal->lon;
    result->confidence = signal->area && signal->theme ? 1.0 : 0.0;
    result->detail = json_pack (
        "{s:{s:s,s:s},s:{s:s,s:s},s:f,s:s}", "area", "by",
        signal->area ? "explicit" : "none", "value", result->area, "theme", "by",
        signal->theme ? "explicit" : "none", "value", result->theme, "confidence",
        result->confidence, "explanation",
        signal->area || signal->theme ? "explicit area/theme" : "no evidence: triage");
    return result->detail ? 0 : -1;
}

void
sein_classification_clear (sein_classification_t *result)
{
    if (result)
        json_decref (result->detail);
    if (result)
        result->detail = NULL;
}
