// SPDX-License-Identifier: MPL-2.0
/*  sein_classify.c - area, theme and priority for a signal, and why

    The classifier ties the reference data together: areas.tsv (codes and
    nesting), themes.tsv, the polygons (sein_geo), the street register
    (sein_streets), the gazetteer (sein_places), and the two rule files
    (sein_rules). It is built whole at load and never changed, so the
    daemon can build a new one on SIGHUP and keep the old one when any
    file is bad.

    Area evidence is taken strongest first and the first that decides
    wins; weaker evidence never overrides stronger (a point outside every
    polygon goes to triage even when the address names a street, because
    the two disagree and a person should look), but it is weighed: it
    raises the confidence when it agrees and caps it when it contradicts. Theme scores are the sum of
    the matched rule weights per theme; a negated word counts a quarter.
    The leader wins only with a clear lead, otherwise triage.

    Everything a reader needs to check the decision goes into the detail
    object and a one-line explanation, e.g.
    "street Tiensestraat 80 → binnenstad; words: zwerfvuil, blikjes (not:
    overlast) → afval 0.85; priority normal".
*/
#include "sein_classify.h"
#include "sein_alloc.h"
#include "sein_dict.h"
#include "sein_features.h"
#include "sein_geo.h"
#include "sein_json.h"
#include "sein_model.h"
#include "sein_places.h"
#include "sein_rules.h"
#include "sein_streets.h"
#include "sein_text.h"
#include "sein_tsv.h"

#include <assert.h>
#include <czmq.h>
#include <math.h>

//  Residents name the topic first and add context and symptoms after it
//  ("hangjongeren ... blikjes", "straatverlichting kapot, pikdonker"): a
//  word's weight goes from x1.2 at the start of the text to x0.8 at its end.
#define S_POSITION_FIRST 1.2
#define S_POSITION_LAST  0.8

//  A word the sentence sets aside ("geen overlast meer, maar wel
//  zwerfvuil") still hints, but weakly. A plain negation does not count
//  against a theme: complaints are about what is missing ("geen licht").
#define S_NEGATED_FACTOR 0.25

//  Area confidence comes from the evidence, not from the method alone: a
//  base for the kind of evidence that decided, raised by every other piece
//  that agrees (each halves the doubt), capped when one names another
//  area. The bases are what each kind earned on the training corpus, so
//  that answers at 0.9 or more are right at least 97% of the time
//  (eval_classify prints the reliability table).
#define S_CONF_EXPLICIT      1.0
#define S_CONF_POINT         0.95
#define S_CONF_POINT_EDGE    0.75 //  on a boundary: either side may be meant
#define S_CONF_ADDRESS       0.92 //  the address's street, its number decides
#define S_CONF_ADDRESS_TYPO  0.8
#define S_CONF_STREET_WIJK   0.75 //  street known, number does not decide: its wijk
#define S_CONF_ADDRESS_PLACE 0.85 //  a place of the gazetteer in the address
#define S_CONF_DESCRIPTION   0.8  //  a register street named in the text
#define S_CONF_TEXT_PLACE    0.75 //  a place named in the text
#define S_CONF_POSTCODE      0.7  //  a postcode alone: a deelgemeente is large
#define S_CONF_AGREE         0.5  //  share of the doubt each agreeing piece takes away
#define S_CONF_CONTRADICTED  0.5  //  the most an answer something contradicts gets

#define S_LEVELS 4
static const char *s_levels[S_LEVELS] = {"low", "normal", "high", "urgent"};

typedef struct {
    char *code, *name, *kind, *parent, *wijk;
} s_area_t;

typedef struct {
    char *code, *name;
} s_theme_t;

//  Read-only once built (a zhashx would not do: its lookups write a cached
//  index and may rehash), so any number of threads may classify with one
//  classifier, each with its own sein_classify_scratch_t.
struct _sein_classifier_t {
    s_area_t **areas;        //  in file order
    size_t nareas;
    sein_dict_t *area_index; //  code -> index in areas
    s_theme_t *themes;       //  in file order, as many as the file lists
    size_t nthemes;
    sein_dict_t *theme_index; //  code -> index in themes
    sein_lang_t *lang;        //  the function words
    sein_geo_t *geo;
    sein_streets_t *streets;
    sein_places_t *places;
    sein_rules_t *theme_rules;
    sein_rules_t *priority_rules;
    double min_score; //  below this the best theme is no evidence
    double margin;    //  the leader must lead by this share of its score
    sein_model_t *model;     //  the learned theme model, NULL: rules only
    double model_threshold;  //  least probability of a model's theme
    double model_margin;     //  ... and its least lead over the runner-up
};

//  What a classification writes, owned by one thread.
struct _sein_classify_scratch_t {
    sein_stemmer_t *stemmer;
    sein_features_t *features; //  the model's view of the current signal
    sein_buf_t detail; //  the detail of the current call, as JSON text
};

//  --------------------------------------------------------------------------
//  Loading

static void
s_area_destroy (s_area_t **area_p)
{
    s_area_t *area = *area_p;
    if (area) {
        free (area->code);
        free (area->name);
        free (area->kind);
        free (area->parent);
        free (area->wijk);
        free (area);
        *area_p = NULL;
    }
}

//  The area CODE, or NULL.
static const s_area_t *
s_area_of (const sein_classifier_t *self, const char *code)
{
    uint32_t index = sein_dict_get (self->area_index, code, strlen (code));
    return index == SEIN_DICT_NONE ? NULL : self->areas[index];
}

static bool
s_theme_listed (const sein_classifier_t *self, const char *code)
{
    return sein_dict_get (self->theme_index, code, strlen (code)) != SEIN_DICT_NONE;
}

static char *
s_area_row (void *arg, char **fields, int nfields, int line)
{
    (void) line;
    sein_classifier_t *self = (sein_classifier_t *) arg;
    const char *code = fields[0], *parent = nfields > 3 ? fields[3] : "";
    if (!sein_token_valid (code))
        return sein_sprintf ("bad area code '%s' (lowercase letters, digits, '-')", code);
    if (strcmp (code, SEIN_TRIAGE) == 0)
        return sein_sprintf ("'%s' is reserved", SEIN_TRIAGE);
    if (s_area_of (self, code))
        return sein_sprintf ("duplicate area '%s'", code);
    if (!*fields[2])
        return sein_sprintf ("area '%s' has no kind", code);
    const s_area_t *up = *parent ? s_area_of (self, parent) : NULL;
    if (*parent && !up)
        return sein_sprintf ("parent '%s' of '%s' is not listed above it", parent, code);
    //  A wijk stands alone; every other kind (regie, or a city's own) is a
    //  zone inside one, so a misspelt kind or a forgotten parent shows.
    bool wijk = strcmp (fields[2], "wijk") == 0;
    if (wijk && *parent)
        return sein_sprintf ("wijk '%s' cannot have a parent ('%s')", code, parent);
    if (!wijk && !*parent)
        return sein_sprintf ("area '%s' of kind '%s' needs a parent wijk (only kind "
                             "'wijk' stands alone)",
                             code, fields[2]);
    s_area_t *area = (s_area_t *) zmalloc (sizeof *area);
    area->code = sein_strdup (code);
    area->name = sein_strdup (fields[1]);
    area->kind = sein_strdup (fields[2]);
    area->parent = *parent ? sein_strdup (parent) : NULL;
    //  The wijk is the top of the chain, however deep zones nest.
    area->wijk = sein_strdup (up ? up->wijk : code);
    self->areas =
        (s_area_t **) sein_realloc (self->areas, (self->nareas + 1) * sizeof (s_area_t *));
    sein_dict_set (self->area_index, code, strlen (code), (uint32_t) self->nareas);
    self->areas[self->nareas++] = area;
    return NULL;
}

static char *
s_theme_row (void *arg, char **fields, int nfields, int line)
{
    (void) nfields;
    (void) line;
    sein_classifier_t *self = (sein_classifier_t *) arg;
    if (!sein_token_valid (fields[0]))
        return sein_sprintf ("bad theme code '%s' (lowercase letters, digits, '-')",
                             fields[0]);
    if (strcmp (fields[0], SEIN_TRIAGE) == 0)
        return sein_sprintf ("'%s' is reserved", SEIN_TRIAGE);
    if (s_theme_listed (self, fields[0]))
        return sein_sprintf ("duplicate theme '%s'", fields[0]);
    //  No limit but memory: scoring makes room for every theme a text hits.
    self->themes =
        (s_theme_t *) sein_realloc (self->themes, (self->nthemes + 1) * sizeof (s_theme_t));
    s_theme_t *theme = &self->themes[self->nthemes];
    theme->code = sein_strdup (fields[0]);
    theme->name = sein_strdup (fields[1]);
    sein_dict_set (self->theme_index, fields[0], strlen (fields[0]),
                   (uint32_t) self->nthemes);
    self->nthemes++;
    return NULL;
}

static bool
s_known_area (void *arg, const char *code)
{
    return s_area_of ((const sein_classifier_t *) arg, code) != NULL;
}

static bool
s_known_theme (void *arg, const char *code)
{
    return s_theme_listed ((const sein_classifier_t *) arg, code);
}

static bool
s_known_priority (void *arg, const char *code)
{
    (void) arg;
    for (int level = 0; level < S_LEVELS; level++)
        if (strcmp (code, s_levels[level]) == 0)
            return true;
    return false;
}

//  A polygon must be a listed area and agree with areas.tsv on its parent.
static char *
s_check_polygon (void *arg, const char *code, const char *parent)
{
    const s_area_t *area = s_area_of ((const sein_classifier_t *) arg, code);
    if (!area)
        return sein_sprintf ("unknown area '%s' (not in the areas file)", code);
    const char *listed = area->parent ? area->parent : "";
    if (strcmp (parent ? parent : "", listed) != 0)
        return sein_sprintf ("parent '%s' differs from the areas file ('%s')",
                             parent ? parent : "null", *listed ? listed : "null");
    return NULL;
}

sein_classifier_t *
sein_classifier_new (sein_config_t *config, char **error_p)
{
    assert (config);
    assert (error_p);
    *error_p = NULL;
    sein_classifier_t *self = (sein_classifier_t *) zmalloc (sizeof *self);
    self->area_index = sein_dict_new ();
    self->theme_index = sein_dict_new ();
    self->lang = sein_lang_new ();
    //  Stems the rule words; classifying threads bring their own.
    sein_stemmer_t *stemmer = sein_stemmer_new ();
    if (!stemmer) {
        *error_p = sein_strdup ("libstemmer lacks dutch, french or english");
        sein_stemmer_destroy (&stemmer);
        sein_classifier_destroy (&self);
        return NULL;
    }
    self->min_score = (double) sein_config_int (config, "classify.theme_min_score") / 100;
    self->margin = (double) sein_config_int (config, "classify.theme_margin") / 100;

    char *error = sein_tsv_load (sein_config_str (config, "data.areas"),
                                 "code\tname\tkind\tparent", 3, 5, s_area_row, self);
    if (!error)
        error = sein_tsv_load (sein_config_str (config, "data.themes"), "code\tname_nl", 2,
                               4, s_theme_row, self);
    if (!error)
        self->geo = sein_geo_new (sein_config_str (config, "data.polygons"),
                                  s_check_polygon, self, &error);
    if (!error)
        self->streets = sein_streets_new (sein_config_str (config, "data.streets"),
                                          s_known_area, self, &error);
    if (!error)
        self->places = sein_places_new (sein_config_str (config, "data.places"),
                                        s_known_area, self, &error);
    if (!error)
        self->theme_rules =
            sein_rules_new (sein_config_str (config, "data.theme_rules"), "theme",
                            SEIN_RULES_WEIGHTED | SEIN_RULES_MODIFIERS, s_known_theme, self,
                            self->lang, stemmer, &error);
    if (!error)
        self->priority_rules =
            sein_rules_new (sein_config_str (config, "data.priority_rules"), "priority", 0,
                            s_known_priority, self, self->lang, stemmer, &error);
    sein_stemmer_destroy (&stemmer);
    const char *model = sein_config_str (config, "data.theme_model");
    if (!error && *model) {
        self->model = sein_model_load (model, &error);
        //  The first label that is no theme is named; a second must not
        //  overwrite (and leak) that message.
        for (size_t label = 0;
             !error && self->model && label < sein_model_nlabels (self->model); label++)
            if (!s_theme_listed (self, sein_model_label (self->model, label)))
                error = sein_sprintf ("%s:1: label '%s' is not a theme of %s", model,
                                      sein_model_label (self->model, label),
                                      sein_config_str (config, "data.themes"));
    }
    self->model_threshold =
        (double) sein_config_int (config, "classify.theme_threshold") / 100;
    self->model_margin =
        (double) sein_config_int (config, "classify.theme_model_margin") / 100;
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
        sein_model_destroy (&self->model);
        sein_rules_destroy (&self->priority_rules);
        sein_rules_destroy (&self->theme_rules);
        sein_streets_destroy (&self->streets);
        sein_places_destroy (&self->places);
        sein_geo_destroy (&self->geo);
        sein_lang_destroy (&self->lang);
        for (size_t index = 0; index < self->nareas; index++)
            s_area_destroy (&self->areas[index]);
        free (self->areas);
        for (size_t index = 0; index < self->nthemes; index++) {
            free (self->themes[index].code);
            free (self->themes[index].name);
        }
        free (self->themes);
        sein_dict_destroy (&self->area_index);
        sein_dict_destroy (&self->theme_index);
        free (self);
        *self_p = NULL;
    }
}

bool
sein_classifier_known_area (const sein_classifier_t *self, const char *code)
{
    assert (self);
    return strcmp (code, SEIN_TRIAGE) == 0 || s_area_of (self, code);
}

zlistx_t *
sein_classifier_codes (const sein_classifier_t *self, bool areas)
{
    assert (self);
    zlistx_t *codes = zlistx_new ();
    zlistx_set_duplicator (codes, (zlistx_duplicator_fn *) sein_strdup);
    zlistx_set_destructor (codes, (zlistx_destructor_fn *) zstr_free);
    size_t count = areas ? self->nareas : self->nthemes;
    for (size_t index = 0; index < count; index++)
        zlistx_add_end (codes,
                        areas ? self->areas[index]->code : self->themes[index].code);
    zlistx_add_end (codes, (void *) SEIN_TRIAGE);
    return codes;
}

bool
sein_classifier_known_theme (const sein_classifier_t *self, const char *code)
{
    assert (self);
    return strcmp (code, SEIN_TRIAGE) == 0 || s_theme_listed (self, code);
}

const char *
sein_classifier_wijk_of (const sein_classifier_t *self, const char *area)
{
    assert (self);
    if (strcmp (area, SEIN_TRIAGE) == 0)
        return SEIN_TRIAGE;
    const s_area_t *entry = s_area_of (self, area);
    return entry ? entry->wijk : NULL;
}

char *
sein_classifier_summary (const sein_classifier_t *self)
{
    assert (self);
    char model[160] = "";
    if (self->model)
        snprintf (model, sizeof model, ", a theme model of %zu themes (corpus %.12s, %zu "
                                       "signals)",
                  sein_model_nlabels (self->model), sein_model_digest (self->model),
                  sein_model_signals (self->model));
    return sein_sprintf ("%zu areas, %zu polygons, %zu streets, %zu places, %zu themes, "
                         "%zu theme rules, %zu priority rules%s",
                         self->nareas, sein_geo_size (self->geo),
                         sein_streets_size (self->streets),
                         sein_places_size (self->places), self->nthemes,
                         sein_rules_size (self->theme_rules),
                         sein_rules_size (self->priority_rules), model);
}

const sein_model_t *
sein_classifier_model (const sein_classifier_t *self)
{
    assert (self);
    return self->model;
}

//  --------------------------------------------------------------------------
//  Classifying

//  A growing line of text that truncates rather than fails. Built by
//  appending, not printf: formatting is a large part of a classification.
#define S_LINE_SIZE 1024

typedef struct {
    char text[S_LINE_SIZE];
    size_t len;
} s_line_t;

//  Empty LINE. Not "= {"", 0}", which clears all 1024 bytes, and a call
//  has a handful of lines.
static inline void
s_line_init (s_line_t *line)
{
    line->text[0] = 0;
    line->len = 0;
}

//  How much of TEXT fits in LIMIT bytes without cutting a UTF-8 character
//  (the detail must stay valid UTF-8).
static size_t
s_fit (const char *text, size_t len, size_t limit)
{
    if (len <= limit)
        return len;
    while (limit > 0 && ((unsigned char) text[limit] & 0xC0) == 0x80)
        limit--;
    return limit;
}

//  Append LEN bytes of TEXT, cut to what still fits. The common case, a
//  whole piece, copies exactly LEN bytes: for a literal the compiler then
//  knows the size and emits a move or two instead of a loop.
static inline void
s_add_n (s_line_t *line, const char *text, size_t len)
{
    char *end = line->text + line->len;
    if (len <= sizeof line->text - 1 - line->len)
        memcpy (end, text, len);
    else {
        len = s_fit (text, len, sizeof line->text - 1 - line->len);
        memcpy (end, text, len);
    }
    line->len += len;
    line->text[line->len] = 0;
}

static void
s_add (s_line_t *line, const char *text)
{
    s_add_n (line, text, strlen (text));
}

//  A string literal, measured by the compiler.
#define s_add_literal(line, text) s_add_n ((line), (text), sizeof (text) - 1)

//  Write the digits of MAGNITUDE ending at END; returns where they start.
static char *
s_digits (char *end, unsigned long magnitude)
{
    do
        *--end = (char) ('0' + magnitude % 10);
    while ((magnitude /= 10) > 0);
    return end;
}

static void
s_add_int (s_line_t *line, long value)
{
    char digits[24];
    char *end = digits + sizeof digits;
    unsigned long magnitude = value < 0 ? 0 - (unsigned long) value : (unsigned long) value;
    char *start = s_digits (end, magnitude);
    if (value < 0)
        *--start = '-';
    s_add_n (line, start, (size_t) (end - start));
}

//  Write VALUE with DECIMALS (at most 9) digits after the point, ending at
//  END; returns where it starts. Inline: DECIMALS is a constant.
static inline char *
s_fixed (char *end, double value, int decimals)
{
    long scale = 1;
    for (int digit = 0; digit < decimals; digit++)
        scale *= 10;
    long scaled = lround (fabs (value) * (double) scale);
    char *start = end;
    long rest = scaled % scale;
    for (int digit = 0; digit < decimals; digit++, rest /= 10)
        *--start = (char) ('0' + rest % 10);
    *--start = '.';
    start = s_digits (start, (unsigned long) (scaled / scale));
    if (value < 0 && scaled)
        *--start = '-';
    return start;
}

//  A number is built whole and added at once: ASCII is cut at the same
//  byte however it is split.
static inline void
s_add_fixed (s_line_t *line, double value, int decimals)
{
    char digits[48];
    char *start = s_fixed (digits + sizeof digits, value, decimals);
    s_add_n (line, start, (size_t) (digits + sizeof digits - start));
}

//  Append TEXT pieces (NULL-ended) to LINE.
static void
s_say (s_line_t *line, ...) __attribute__ ((sentinel));

static void
s_say (s_line_t *line, ...)
{
    va_list args;
    va_start (args, line);
    for (const char *piece = va_arg (args, const char *); piece;
         piece = va_arg (args, const char *))
        s_add (line, piece);
    va_end (args);
}

static double
s_round (double value)
{
    return round (value * 100) / 100;
}

//  Append TEXT as the next element of the JSON array the buffer is in.
static void
s_element (sein_buf_t *out, const char *text)
{
    if (out->data[out->size - 1] != '[')
        sein_buf_raw (out, ",", 1);
    sein_buf_string (out, text);
}

//  Label of a rule hit for people: the text's word, the rule's phrase, the
//  event key found.
static const char *
s_hit_label (const sein_text_t *text, const sein_rule_hit_t *hit)
{
    if (hit->how == SEIN_RULE_ATTRIBUTE)
        return hit->detail;
    if (hit->ntokens == 1)
        return sein_text_word (text, hit->token);
    return hit->pattern;
}

//  Would hit INDEX repeat a label an earlier hit already put in the same
//  list (the words for CODE, every word when TRIAGE, or the set-aside
//  ones)? "fietspad" may count for verkeer and openbaar-domein: people
//  read it once.
static bool
s_said_before (const sein_text_t *text, const sein_rule_hits_t *hits, size_t index,
               const char *code, bool triage)
{
    const sein_rule_hit_t *hit = &hits->hits[index];
    const char *label = NULL;
    for (size_t earlier = 0; earlier < index; earlier++) {
        const sein_rule_hit_t *other = &hits->hits[earlier];
        if (other->dismissed != hit->dismissed)
            continue;
        if (!other->dismissed && !triage && other->target != code)
            continue;
        if (!label)
            label = s_hit_label (text, hit);
        if (strcmp (label, s_hit_label (text, other)) == 0)
            return true;
    }
    return false;
}

static int
s_level (const char *code)
{
    for (int level = 0; level < S_LEVELS; level++)
        if (strcmp (code, s_levels[level]) == 0)
            return level;
    return 1;
}

typedef struct {
    const char *by;   //  explicit | point | address | description | none
    const char *code; //  area or triage
    double confidence;
    s_line_t reason;
} s_area_decision_t;

static void
s_decision_init (s_area_decision_t *decision, const char *by)
{
    decision->by = by;
    decision->code = NULL;
    decision->confidence = 0;
    s_line_init (&decision->reason);
}

//  What the area evidence showed, for the detail. The strings are
//  borrowed from the polygons, the register and the gazetteer, which
//  outlive the call.
typedef struct {
    const char *polygon;        //  the point's most specific polygon
    bool on_edge;               //  ... with the point on its boundary
    const char *within[3];      //  the areas around it
    size_t nwithin;
    const char *street;         //  the street that decided
    int number;                 //  its house number, -1 for none
    int how;                    //  SEIN_STREET_*
    const char *address_street; //  the address's street, when the point is outside
    const char *place;          //  the gazetteer name that decided
    const char *place_kind;
    const char *outside;        //  the other municipality named
    bool wijk_only;             //  the street placed it in its wijk only
    int agreeing;               //  other pieces of evidence that agree
    s_line_t contradiction;     //  what names another area, empty when nothing
} s_area_facts_t;

//  Copy a code into a result field.
static void
s_copy (char *target, size_t size, const char *code)
{
    size_t len = s_fit (code, strlen (code), size - 1);
    memcpy (target, code, len);
    target[len] = 0;
}

//  Decide from a street match: its range, or the wijk all its ranges share.
static bool
s_from_street (const sein_classifier_t *self, const sein_street_match_t *match,
               s_area_decision_t *decision, s_area_facts_t *facts, double confidence)
{
    const char *code = match->range ? match->range->area : NULL;
    if (!code) {
        //  No number, or one outside every range: if every range is in one
        //  area (or one wijk), that still places it.
        const char *common = NULL;
        bool same_area = true, same_wijk = true;
        for (size_t index = 0; index < match->nranges; index++) {
            const char *area = match->ranges[index].area;
            if (index > 0 && strcmp (area, match->ranges[0].area) != 0)
                same_area = false;
            const char *wijk = sein_classifier_wijk_of (self, area);
            if (!common)
                common = wijk;
            else if (strcmp (common, wijk) != 0)
                same_wijk = false;
        }
        if (same_area)
            code = match->ranges[0].area;
        else if (same_wijk && common) {
            code = common;
            confidence = fmin (confidence, S_CONF_STREET_WIJK);
            if (facts)
                facts->wijk_only = true;
            s_say (&decision->reason, match->name,
                   match->number >= 0 ? " number outside every range" : " without number",
                   ": its numbers span several areas of wijk ", common, NULL);
        } else {
            s_say (&decision->reason, match->name,
                   " spans several wijken; its number does not decide", NULL);
            return false;
        }
    }
    decision->code = code;
    decision->confidence = match->how == SEIN_STREET_TYPO
                               ? fmin (confidence, S_CONF_ADDRESS_TYPO)
                               : confidence;
    if (facts) {
        facts->street = match->name;
        facts->number = match->number;
        facts->how = match->how;
    }
    return true;
}

//  The area a street match names, NULL when its number does not decide.
static const char *
s_street_area (const sein_classifier_t *self, const sein_street_match_t *match)
{
    s_area_decision_t scratch;
    s_decision_init (&scratch, "");
    return s_from_street (self, match, &scratch, NULL, 0) ? scratch.code : NULL;
}

static void
s_point_of (const sein_street_match_t *match, sein_classification_t *result)
{
    const sein_street_range_t *range = match->range ? match->range : &match->ranges[0];
    result->has_point = true;
    result->lat = range->lat;
    result->lon = range->lon;
}

static void
s_say_point (s_line_t *line, double lat, double lon)
{
    s_add (line, "point ");
    s_add_fixed (line, lat, 5);
    s_add (line, ",");
    s_add_fixed (line, lon, 5);
}

//  Is OUTER above INNER in the nesting of areas.tsv?
static bool
s_encloses (const sein_classifier_t *self, const char *outer, const char *inner)
{
    const s_area_t *area = s_area_of (self, inner);
    for (int depth = 0; area && area->parent && depth < 16; depth++) {
        if (strcmp (area->parent, outer) == 0)
            return true;
        area = s_area_of (self, area->parent);
    }
    return false;
}

//  Do two areas agree: the same, or one inside the other ("casablanca"
//  and its wijk "kessel-lo")?
static bool
s_agree (const sein_classifier_t *self, const char *one, const char *other)
{
    return strcmp (one, other) == 0 || s_encloses (self, one, other) ||
           s_encloses (self, other, one);
}

//  The places a text names, read together.
typedef struct {
    const sein_place_t *place;    //  the most specific place that names an area
    const sein_place_t *conflict; //  a place in an area that does not agree
    const sein_place_t *outside;  //  another town where the signal is (not "naar Tienen")
    bool city;                    //  names a place in the city (the city, a postcode, ...)
    int agreeing;                 //  more places that agree with PLACE ("3010 Kessel-Lo")
} s_places_read_t;

//  STREET (NULL when none) is the register street the same text names: a
//  place within its words ("Oude Markt" is both) is the same mention, not
//  more evidence; a longer one ("project Burgemeestersstraat") says more.
static void
s_read_places (const sein_classifier_t *self, const sein_place_t *places, size_t count,
               const sein_street_match_t *street, s_places_read_t *read)
{
    memset (read, 0, sizeof *read);
    for (size_t index = 0; index < count; index++) {
        const sein_place_t *place = &places[index];
        if (street && place->token >= street->token &&
            place->token + place->ntokens <= street->token + street->ntokens)
            continue;
        if (place->kind == SEIN_PLACE_OUTSIDE) {
            if (!place->directional && !read->outside)
                read->outside = place;
            continue;
        }
        read->city = true;
        if (!place->area)
            continue;
        if (!read->place)
            read->place = place;
        else if (s_agree (self, read->place->area, place->area)) {
            read->agreeing++;
            if (s_encloses (self, read->place->area, place->area))
                read->place = place; //  a zone inside it says more
        } else if (!read->conflict)
            read->conflict = place;
    }
}

//  A base for how a place decides: an area's own name or a landmark is
//  more telling than a postcode alone; an address is more deliberate than
//  prose.
static double
s_place_confidence (const sein_place_t *place, bool address)
{
    if (place->kind == SEIN_PLACE_POSTCODE)
        return S_CONF_POSTCODE;
    return address ? S_CONF_ADDRESS_PLACE : S_CONF_TEXT_PLACE;
}

//  One piece of evidence that did not decide, checked against the answer.
static void
s_check (const sein_classifier_t *self, const char *decided, const char *code,
         const char *from, const char *what, const char *name, s_area_facts_t *facts)
{
    if (!code)
        return;
    if (s_agree (self, decided, code)) {
        facts->agreeing++;
        return;
    }
    if (facts->contradiction.len)
        s_add_literal (&facts->contradiction, "; ");
    s_say (&facts->contradiction, from, " ", what, " ", name, " → ", code, NULL);
}

//  The "area" member of the detail. Keys keep the order readers know:
//  by, code, wijk, then the evidence, the reason, the confidence.
static void
s_render_area (sein_buf_t *out, const sein_classification_t *result,
               const s_area_decision_t *decision, const s_area_facts_t *facts)
{
    sein_buf_key (out, "area");
    sein_buf_raw (out, "{", 1);
    sein_buf_field_string (out, "by", decision->by);
    sein_buf_field_string (out, "code", result->area);
    sein_buf_field_string (out, "wijk", result->wijk);
    sein_buf_field_string (out, "polygon", facts->polygon);
    if (facts->on_edge)
        sein_buf_field_bool (out, "on_edge", true);
    if (facts->nwithin) {
        sein_buf_key (out, "within");
        sein_buf_raw (out, "[", 1);
        for (size_t index = 0; index < facts->nwithin; index++)
            s_element (out, facts->within[index]);
        sein_buf_raw (out, "]", 1);
    }
    if (facts->street) {
        sein_buf_field_string (out, "street", facts->street);
        if (facts->number >= 0)
            sein_buf_field_int (out, "number", facts->number);
        if (facts->how != SEIN_STREET_EXACT)
            sein_buf_field_string (
                out, "match", facts->how == SEIN_STREET_TYPO ? "typo" : "abbreviation");
    }
    sein_buf_field_string (out, "address_street", facts->address_street);
    sein_buf_field_string (out, "place", facts->place);
    sein_buf_field_string (out, "place_kind", facts->place_kind);
    sein_buf_field_string (out, "outside", facts->outside);
    if (facts->agreeing)
        sein_buf_field_int (out, "agreeing", facts->agreeing);
    if (facts->contradiction.len)
        sein_buf_field_string (out, "contradiction", facts->contradiction.text);
    if (decision->reason.len)
        sein_buf_field_string (out, "reason", decision->reason.text);
    sein_buf_field_fixed (out, "confidence", decision->confidence);
    sein_buf_raw (out, "}", 1);
}

//  Analyse STRING (an address, or a machine event's description without
//  its attributes) and find its street and places. Not inlined: its
//  analysis leaves the stack when it returns, and the matches it fills
//  borrow only from the register and the gazetteer.
static __attribute__ ((noinline)) size_t
s_read_string (const sein_classifier_t *self, const char *string, bool address,
               bool *street, sein_street_match_t *match, sein_place_t *places, size_t max)
{
    sein_text_t text;
    sein_text_analyse (&text, NULL, string, strlen (string));
    if (street)
        *street = sein_streets_find (self->streets, &text, address, match);
    size_t count = sein_places_find (self->places, &text, address, places, max);
    sein_text_release (&text);
    return count;
}

//  Decide by a place of the gazetteer.
static void
s_from_place (const sein_place_t *place, bool address, s_area_decision_t *decision,
              s_area_facts_t *facts, s_line_t *line)
{
    decision->by = address ? "address" : "description";
    decision->code = place->area;
    decision->confidence = s_place_confidence (place, address);
    facts->place = place->name;
    facts->place_kind = sein_place_kind_name (place->kind);
    s_say (line, address ? "address place " : "place ", place->name,
           address ? " → " : " in the text → ", place->area, NULL);
}

//  The area: explicit, point, address (street, then place), description
//  (street, then place), else triage. Another municipality in the address,
//  or in the text when the address does not name the city, sends the
//  signal to triage. Evidence that did not decide is checked against the
//  answer: agreeing pieces raise the confidence, one that names another
//  area lowers it and is named in the detail.
static void
s_area (const sein_classifier_t *self, const sein_signal_t *signal,
        sein_text_t *description, sein_classification_t *result, sein_buf_t *out,
        s_line_t *line)
{
    s_area_decision_t decision;
    s_decision_init (&decision, "none");
    s_area_facts_t facts = {NULL, false, {NULL}, 0, NULL, -1, SEIN_STREET_EXACT,
                            NULL, NULL, NULL, NULL, false, 0, {"", 0}};
    bool point_outside = false;
    const sein_place_t *outside = NULL; //  another town that sends it to triage
    if (signal->area && sein_classifier_known_area (self, signal->area)) {
        decision.by = "explicit";
        decision.code = signal->area;
        decision.confidence = S_CONF_EXPLICIT;
        s_say (line, "explicit area ", signal->area, NULL);
    }
    bool explicit = decision.code != NULL; //  staff said so: nothing to weigh
    if (!explicit && signal->has_point) {
        sein_geo_hit_t hits[4];
        size_t count = sein_geo_locate (self->geo, signal->lat, signal->lon, hits, 4);
        decision.by = "point";
        if (count > 0) {
            decision.code = hits[0].code;
            decision.confidence = hits[0].on_edge ? S_CONF_POINT_EDGE : S_CONF_POINT;
            facts.polygon = hits[0].code;
            if (hits[0].on_edge) {
                facts.on_edge = true;
                s_say (&decision.reason, "point on the boundary of ", hits[0].code, NULL);
            }
            //  A point on the line between two wijken is in both polygons,
            //  but only the areas above the chosen one enclose it; a
            //  neighbour it touches is named in the reason instead.
            for (size_t index = 1; index < count && index < 4; index++) {
                if (s_encloses (self, hits[index].code, hits[0].code))
                    facts.within[facts.nwithin++] = hits[index].code;
                else if (hits[0].on_edge && hits[index].on_edge)
                    s_say (&decision.reason, " and ", hits[index].code, NULL);
            }
            s_say_point (line, signal->lat, signal->lon);
            s_add_literal (line, " in ");
            s_add (line, hits[0].code);
        } else {
            point_outside = true;
            s_say_point (&decision.reason, signal->lat, signal->lon);
            s_add (&decision.reason, " is outside every area");
            s_add (line, decision.reason.text);
        }
    }
    //  Every other piece of evidence, read whether or not it decides: what
    //  does not decide may still confirm or contradict.
    sein_street_match_t address_match, text_match;
    bool address_street = false;
    sein_place_t address_places[8], text_places[8];
    s_places_read_t in_address, in_text;
    size_t naddress = 0;
    if (signal->address_string)
        naddress = s_read_string (self, signal->address_string, true, &address_street,
                                  &address_match, address_places, 8);
    s_read_places (self, address_places, naddress, address_street ? &address_match : NULL,
                   &in_address);
    bool text_street = sein_streets_find (self->streets, description, false, &text_match);
    //  Places only from what people wrote: a sensor's {"station": "OD-11"}
    //  names no station.
    size_t ntext = signal->nattributes
                       ? s_read_string (self, signal->description, false, NULL, NULL,
                                        text_places, 8)
                       : sein_places_find (self->places, description, false, text_places, 8);
    s_read_places (self, text_places, ntext, text_street ? &text_match : NULL, &in_text);
    if (address_street && !signal->has_point)
        s_point_of (&address_match, result);
    if (point_outside && address_street)
        facts.address_street = address_match.name;

    //  Another town: the street of that name is not ours.
    if (!decision.code && !point_outside)
        outside = in_address.outside
                      ? in_address.outside
                      : (in_text.outside && !in_address.city ? in_text.outside : NULL);
    if (outside) {
        decision.by = outside == in_address.outside ? "address" : "description";
        facts.outside = outside->name;
        s_say (&decision.reason, outside->name, " is outside the city", NULL);
        s_add (line, decision.reason.text);
    }
    const char *street_decided = NULL, *place_decided = NULL;
    if (!decision.code && !point_outside && !outside && address_street) {
        decision.by = "address";
        if (s_from_street (self, &address_match, &decision, &facts, S_CONF_ADDRESS)) {
            street_decided = "address";
            s_add_literal (line, "street ");
            s_add (line, address_match.name);
            if (address_match.number >= 0) {
                s_add (line, " ");
                s_add_int (line, address_match.number);
            }
            s_add_literal (line, " → ");
            s_add (line, decision.code);
        } else
            decision.by = "none";
    }
    if (!decision.code && !point_outside && !outside && in_address.place) {
        s_decision_init (&decision, "address");
        s_from_place (in_address.place, true, &decision, &facts, line);
        facts.agreeing += in_address.agreeing;
        place_decided = "address";
    }
    if (!decision.code && !point_outside && !outside && !address_street &&
        !in_address.place && signal->address_string) {
        char quoted[112];
        s_copy (quoted, sizeof quoted, signal->address_string);
        s_say (&decision.reason, "address '", quoted, "' names no street in the register",
               NULL);
    }
    if (!decision.code && !point_outside && !outside && text_street) {
        s_area_decision_t named;
        s_decision_init (&named, "description");
        if (s_from_street (self, &text_match, &named, &facts, S_CONF_DESCRIPTION)) {
            decision = named;
            street_decided = "text";
            s_say (line, "street ", text_match.name, " in the text → ", decision.code, NULL);
            if (!result->has_point)
                s_point_of (&text_match, result);
        } else
            decision.reason = named.reason;
    }
    if (!decision.code && !point_outside && !outside && in_text.place) {
        s_decision_init (&decision, "description");
        s_from_place (in_text.place, false, &decision, &facts, line);
        facts.agreeing += in_text.agreeing;
        place_decided = "text";
    }

    //  A street that only gave its wijk, and a place inside that wijk
    //  ("project Burgemeestersstraat", "Diestsesteenweg, Casablanca"): the
    //  place says which part.
    if (decision.code && facts.wijk_only) {
        const sein_place_t *inner =
            in_address.place && s_encloses (self, decision.code, in_address.place->area)
                ? in_address.place
                : (in_text.place && s_encloses (self, decision.code, in_text.place->area)
                       ? in_text.place
                       : NULL);
        if (inner) {
            place_decided = inner == in_address.place ? "address" : "text";
            decision.code = inner->area;
            facts.place = inner->name;
            facts.place_kind = sein_place_kind_name (inner->kind);
            s_add_literal (&decision.reason, "; ");
            s_say (&decision.reason, "place ", inner->name, " names ", inner->area, NULL);
            s_say (line, ", place ", inner->name, " → ", inner->area, NULL);
        }
    }
    if (decision.code && !explicit) {
        //  Weigh what did not decide. The address's street and place, the
        //  text's street and place: each once, never against itself.
        const char *code = decision.code;
        if (address_street && strcmp (street_decided ? street_decided : "", "address") != 0)
            s_check (self, code, s_street_area (self, &address_match), "address", "street",
                     address_match.name, &facts);
        if (in_address.place && strcmp (place_decided ? place_decided : "", "address") != 0)
            s_check (self, code, in_address.place->area, "address", "place",
                     in_address.place->name, &facts);
        if (in_address.conflict)
            s_check (self, code, in_address.conflict->area, "address", "place",
                     in_address.conflict->name, &facts);
        if (text_street && strcmp (street_decided ? street_decided : "", "text") != 0)
            s_check (self, code, s_street_area (self, &text_match), "text", "street",
                     text_match.name, &facts);
        if (in_text.place && strcmp (place_decided ? place_decided : "", "text") != 0)
            s_check (self, code, in_text.place->area, "text", "place", in_text.place->name,
                     &facts);
        if (in_text.conflict)
            s_check (self, code, in_text.conflict->area, "text", "place",
                     in_text.conflict->name, &facts);
        if (in_text.outside && !facts.outside) {
            if (facts.contradiction.len)
                s_add_literal (&facts.contradiction, "; ");
            s_say (&facts.contradiction, "text names ", in_text.outside->name,
                   ", outside the city", NULL);
        }
        for (int piece = 0; piece < facts.agreeing; piece++)
            decision.confidence += (1 - decision.confidence) * S_CONF_AGREE;
        if (facts.contradiction.len) {
            decision.confidence = fmin (decision.confidence, S_CONF_CONTRADICTED);
            s_say (line, " (but ", facts.contradiction.text, ")", NULL);
        }
        decision.confidence = s_round (decision.confidence);
    }
    if (!decision.code) {
        decision.code = SEIN_TRIAGE;
        decision.confidence = 0;
        if (!decision.reason.len)
            s_add (&decision.reason, "no area, point, address or known street or place");
        if (!point_outside && !outside)
            s_add (line, decision.reason.text);
        s_add (line, " → triage");
    }
    s_copy (result->area, sizeof result->area, decision.code);
    const char *wijk = sein_classifier_wijk_of (self, decision.code);
    s_copy (result->wijk, sizeof result->wijk, wijk ? wijk : SEIN_TRIAGE);
    if (strcmp (result->wijk, result->area) != 0 && strcmp (decision.by, "point") == 0) {
        s_add_literal (line, " (wijk ");
        s_add (line, result->wijk);
        s_add_literal (line, ")");
    }
    s_render_area (out, result, &decision, &facts);
    result->confidence = decision.confidence;
}

//  One theme's standing in s_theme.
typedef struct {
    const char *theme; //  interned by the rules
    double score;
    bool standing; //  a word the sentence did not set aside counts for it
} s_score_t;

//  Sum the rule HITS of TEXT per theme into SLOTS (room for hits->count).
//  Returns how many themes were hit.
static size_t
s_scores (const sein_rule_hits_t *hits, const sein_text_t *text, s_score_t *slots)
{
    size_t nthemes = 0;
    for (size_t index = 0; index < hits->count; index++) {
        const sein_rule_hit_t *hit = &hits->hits[index];
        size_t slot = 0;
        //  Targets are interned by the rules: one theme, one pointer.
        while (slot < nthemes && slots[slot].theme != hit->target)
            slot++;
        if (slot == nthemes)
            slots[nthemes++] = (s_score_t){hit->target, 0, false};
        slots[slot].standing |= !hit->dismissed;
        double weight = hit->dismissed ? hit->weight * S_NEGATED_FACTOR : hit->weight;
        if (hit->how != SEIN_RULE_ATTRIBUTE && text->ntokens > 1)
            weight *= S_POSITION_FIRST - (S_POSITION_FIRST - S_POSITION_LAST) *
                                             (double) hit->token /
                                             (double) (text->ntokens - 1);
        slots[slot].score += weight;
    }
    return nthemes;
}

//  The model's features of TEXT into SCRATCH: its words (weighted by IDF,
//  NULL for none), the rule HITS, and the rule scores (SLOTS, NTHEMES) of
//  the NLABELS themes LABELS as the prior.
static void
s_features (sein_classify_scratch_t *scratch, int bits, const float *idf,
            const char *const *labels,
            size_t nlabels, sein_text_t *text, const sein_rule_hits_t *hits,
            const s_score_t *slots, size_t nthemes)
{
    double priors[64];
    assert (nlabels <= 64);
    for (size_t label = 0; label < nlabels; label++) {
        priors[label] = 0;
        for (size_t slot = 0; slot < nthemes; slot++)
            if (strcmp (slots[slot].theme, labels[label]) == 0)
                priors[label] = slots[slot].score;
    }
    sein_features_extract (scratch->features, bits, idf, text, scratch->stemmer, hits->lang,
                           hits, priors, nlabels);
}

typedef struct {
    const sein_model_t *model;
    size_t label;
} s_coef_arg_t;

static double
s_coef (void *arg, int index)
{
    s_coef_arg_t *coef = (s_coef_arg_t *) arg;
    return sein_model_coef (coef->model, index, coef->label);
}

//  The theme by the model: its most probable theme when sure enough,
//  else triage. Says which words weighed most for that theme and which
//  rules agreed, in the detail and in LINE.
static void
s_theme_model (const sein_classifier_t *self, sein_classify_scratch_t *scratch,
               sein_text_t *text, const sein_rule_hits_t *hits, const s_score_t *slots,
               size_t nthemes, const char *rules_code, sein_classification_t *result,
               sein_buf_t *out, s_line_t *line, double *confidence, bool trace)
{
    const sein_model_t *model = self->model;
    size_t nlabels = sein_model_nlabels (model);
    const char *labels[64] = {NULL};
    for (size_t label = 0; label < nlabels; label++)
        labels[label] = sein_model_label (model, label);
    s_features (scratch, sein_model_bits (model), sein_model_idf (model), labels, nlabels,
                text, hits, slots, nthemes);
    double probs[64];
    size_t best = sein_model_predict (model, sein_features_nodes (scratch->features, NULL),
                                      probs);
    size_t second = best == 0 ? 1 : 0;
    for (size_t label = 0; label < nlabels; label++)
        if (label != best && probs[label] > probs[second])
            second = label;
    s_line_t reason;
    s_line_init (&reason);
    const char *code = labels[best];
    if (probs[best] < self->model_threshold) {
        s_say (&reason, labels[best], " ", NULL);
        s_add_fixed (&reason, probs[best], 2);
        s_add_literal (&reason, " is below ");
        s_add_fixed (&reason, self->model_threshold, 2);
        code = SEIN_TRIAGE;
    } else if (probs[best] - probs[second] < self->model_margin) {
        s_say (&reason, labels[best], " and ", labels[second], " are too close (", NULL);
        s_add_fixed (&reason, probs[best], 2);
        s_add_literal (&reason, ", ");
        s_add_fixed (&reason, probs[second], 2);
        s_add_literal (&reason, ")");
        code = SEIN_TRIAGE;
    }
    bool triage = strcmp (code, SEIN_TRIAGE) == 0;
    s_copy (result->theme, sizeof result->theme, code);
    *confidence = triage ? 0 : probs[best];
    //  The words that weighed most for the leading theme, even when it did
    //  not make it: they tell a person where to look.
    const char *words[3];
    s_coef_arg_t arg = {model, best};
    size_t nwords = sein_features_strongest (scratch->features, s_coef, &arg, words, 3);
    sein_buf_field_string (out, "by", triage ? "none" : "model");
    sein_buf_field_string (out, "code", code);
    sein_buf_field_string (out, "model_theme", labels[best]);
    sein_buf_field_string (out, "rules_theme", rules_code);
    sein_buf_field_fixed (out, "probability", probs[best]);
    sein_buf_field_string (out, "runner_up", labels[second]);
    sein_buf_field_fixed (out, "runner_up_probability", probs[second]);
    sein_buf_key (out, "words");
    sein_buf_raw (out, "[", 1);
    for (size_t index = 0; index < nwords; index++)
        s_element (out, words[index]);
    sein_buf_raw (out, "]", 1);
    //  The rule words for the leading theme, and those set aside.
    s_line_t said, unsaid;
    s_line_init (&said);
    s_line_init (&unsaid);
    sein_buf_key (out, "rules");
    sein_buf_raw (out, "[", 1);
    for (size_t index = 0; index < hits->count; index++) {
        const sein_rule_hit_t *hit = &hits->hits[index];
        if (s_said_before (text, hits, index, hit->target, false))
            continue;
        const char *label = s_hit_label (text, hit);
        if (hit->dismissed) {
            if (unsaid.len)
                s_add_literal (&unsaid, ", ");
            s_add (&unsaid, label);
        } else if (strcmp (hit->target, labels[best]) == 0) {
            s_element (out, label);
            if (said.len)
                s_add_literal (&said, ", ");
            s_add (&said, label);
        }
    }
    sein_buf_raw (out, "]", 1);
    if (trace) {
        sein_buf_key (out, "probabilities");
        sein_buf_raw (out, "{", 1);
        for (size_t label = 0; label < nlabels; label++)
            sein_buf_field_fixed (out, labels[label], probs[label]);
        sein_buf_raw (out, "}", 1);
        sein_buf_key (out, "scores");
        sein_buf_raw (out, "{", 1);
        for (size_t slot = 0; slot < nthemes; slot++)
            sein_buf_field_fixed (out, slots[slot].theme, slots[slot].score);
        sein_buf_raw (out, "}", 1);
    }
    if (reason.len)
        sein_buf_field_string (out, "reason", reason.text);
    sein_buf_field_fixed (out, "confidence", *confidence);
    sein_buf_raw (out, "}", 1);
    //  "model: ratten, kelder; rules: ratten → dieren 0.93"
    s_add_literal (line, "model: ");
    for (size_t index = 0; index < nwords; index++) {
        if (index)
            s_add_literal (line, ", ");
        s_add (line, words[index]);
    }
    if (!nwords)
        s_add_literal (line, "no telling words");
    if (said.len) {
        s_add_literal (line, "; rules: ");
        s_add_n (line, said.text, said.len);
    }
    if (unsaid.len) {
        s_add_literal (line, " (not: ");
        s_add_n (line, unsaid.text, unsaid.len);
        s_add_literal (line, ")");
    }
    if (triage)
        s_say (line, "; ", reason.text, " → triage", NULL);
    else {
        s_add_literal (line, " → ");
        s_add (line, code);
        s_add_literal (line, " ");
        s_add_fixed (line, *confidence, 2);
    }
}

//  The theme: explicit, else a decisive machine event, else the model,
//  else the rules' scores.
static void
s_theme (const sein_classifier_t *self, sein_classify_scratch_t *scratch,
         const sein_signal_t *signal, sein_text_t *text, sein_classification_t *result,
         sein_buf_t *out, s_line_t *line, double *confidence, bool trace)
{
    s_add (line, "; ");
    sein_buf_key (out, "theme");
    sein_buf_raw (out, "{", 1);
    if (signal->theme && sein_classifier_known_theme (self, signal->theme)) {
        s_copy (result->theme, sizeof result->theme, signal->theme);
        sein_buf_field_string (out, "by", "explicit");
        sein_buf_field_string (out, "code", signal->theme);
        sein_buf_field_fixed (out, "confidence", 1.0);
        sein_buf_raw (out, "}", 1);
        s_say (line, "explicit theme ", signal->theme, NULL);
        *confidence = 1;
        return;
    }
    sein_rule_hits_t hits;
    sein_rules_match (self->theme_rules, text, scratch->stemmer, signal->attributes,
                      signal->nattributes, signal->description, &hits);
    //  The rule words settled a language the function words left open:
    //  the priority rules read the text in it too.
    text->lang = hits.lang;
    //  Sum per theme in a small linear table: a text hits few themes. It
    //  never hits more themes than it has hits, so that many slots hold
    //  them all, however many themes the file lists.
    s_score_t inline_slots[SEIN_RULE_HITS_INLINE];
    s_score_t *slots = inline_slots;
    if (hits.count > SEIN_RULE_HITS_INLINE)
        slots = (s_score_t *) sein_malloc (hits.count * sizeof *slots);
    size_t nthemes = s_scores (&hits, text, slots);
    //  Only a theme with a word that stands can win: "geen sluikstort meer"
    //  dismisses the dumping it names, and what it is about is unsaid. A
    //  dismissed theme still runs up against the winner.
    int best = -1, second = -1;
    for (size_t slot = 0; slot < nthemes; slot++)
        if (slots[slot].standing && (best < 0 || slots[slot].score > slots[best].score))
            best = (int) slot;
    for (size_t slot = 0; slot < nthemes; slot++)
        if ((int) slot != best && (second < 0 || slots[slot].score > slots[second].score))
            second = (int) slot;
    double top = best >= 0 ? slots[best].score : 0;
    double next = second >= 0 ? slots[second].score : 0;
    const char *code = SEIN_TRIAGE;
    s_line_t reason;
    s_line_init (&reason);
    if (best < 0 && nthemes > 0)
        s_add (&reason, "only words the text sets aside");
    else if (best < 0 || top <= 0)
        s_add (&reason, "no theme words");
    else if (top < self->min_score) {
        s_add (&reason, "too little evidence (");
        s_add_fixed (&reason, top, 2);
        s_add (&reason, ")");
    } else if (next > 0 && top - next < self->margin * top) {
        s_say (&reason, slots[best].theme, " and ", slots[second].theme, " tie (", NULL);
        s_add_fixed (&reason, top, 2);
        s_add (&reason, ", ");
        s_add_fixed (&reason, next, 2);
        s_add (&reason, ")");
    } else
        code = slots[best].theme;
    //  A machine event the rules read ("bin_fill>=80") is decisive; any
    //  other theme is the model's to pick when there is one.
    bool event = false;
    for (size_t index = 0; index < hits.count && strcmp (code, SEIN_TRIAGE); index++)
        event |= hits.hits[index].how == SEIN_RULE_ATTRIBUTE &&
                 hits.hits[index].target == code && !hits.hits[index].dismissed;
    if (self->model && !event) {
        s_theme_model (self, scratch, text, &hits, slots, nthemes, code, result, out, line,
                       confidence, trace);
        if (slots != inline_slots)
            free (slots);
        sein_rule_hits_release (&hits);
        return;
    }
    s_copy (result->theme, sizeof result->theme, code);
    bool triage = strcmp (code, SEIN_TRIAGE) == 0;
    *confidence = 0;
    if (!triage) {
        double strength = 1 - exp (-top / 2);
        *confidence = strength * top / (top + (next > 0 ? next : 0));
    }

    //  Say which words counted for the winner (all when triage), and which
    //  the sentence set aside, whatever their theme. Hits are few: a pass
    //  per list keeps every list in hit order without side buffers.
    bool by_attribute = false, any_negated = false;
    for (size_t index = 0; index < hits.count; index++) {
        const sein_rule_hit_t *hit = &hits.hits[index];
        //  Targets are interned by the rules: one theme, one pointer.
        by_attribute |= hit->how == SEIN_RULE_ATTRIBUTE && hit->target == code;
        any_negated |= hit->dismissed;
    }
    sein_buf_field_string (out, "by",
                           triage ? "none" : by_attribute ? "attributes" : "words");
    sein_buf_field_string (out, "code", code);
    s_line_t said, unsaid;
    s_line_init (&said);
    s_line_init (&unsaid);
    sein_buf_key (out, "words");
    sein_buf_raw (out, "[", 1);
    for (size_t index = 0; index < hits.count; index++) {
        const sein_rule_hit_t *hit = &hits.hits[index];
        const char *label = s_hit_label (text, hit);
        if (s_said_before (text, &hits, index, code, triage))
            continue; //  one word that counted for two themes, or two rules
        if (hit->dismissed) {
            if (unsaid.len)
                s_add_literal (&unsaid, ", ");
            s_add (&unsaid, label);
        } else if (triage || hit->target == code) {
            s_element (out, label);
            if (said.len)
                s_add_literal (&said, ", ");
            s_add (&said, label);
        }
    }
    sein_buf_raw (out, "]", 1);
    if (any_negated) {
        sein_buf_key (out, "negated");
        sein_buf_raw (out, "[", 1);
        for (size_t index = 0; index < hits.count; index++)
            if (hits.hits[index].dismissed &&
                !s_said_before (text, &hits, index, code, triage))
                s_element (out, s_hit_label (text, &hits.hits[index]));
        sein_buf_raw (out, "]", 1);
    }
    sein_buf_field_fixed (out, "score", top);
    if (second >= 0 && !triage)
        sein_buf_field_string (out, "runner_up", slots[second].theme);
    if (trace) {
        sein_buf_key (out, "scores");
        sein_buf_raw (out, "{", 1);
        for (size_t slot = 0; slot < nthemes; slot++)
            sein_buf_field_fixed (out, slots[slot].theme,
                                  slots[slot].score); //  codes need no escaping
        sein_buf_raw (out, "}", 1);
    }
    if (trace && hits.count) {
        //  Every match, for whoever tunes the rules file: "frietzakken →
        //  afval +2.00 (rule frietzakken, line 563); ...".
        s_line_t matches;
        s_line_init (&matches);
        for (size_t index = 0; index < hits.count; index++) {
            const sein_rule_hit_t *hit = &hits.hits[index];
            if (matches.len)
                s_add_literal (&matches, "; ");
            s_add (&matches, s_hit_label (text, hit));
            s_add_literal (&matches, " → ");
            s_add (&matches, hit->target);
            if (hit->weight < 0)
                s_add_literal (&matches, " ");
            else
                s_add_literal (&matches, " +");
            s_add_fixed (&matches, hit->weight, 2);
            s_add_literal (&matches, " (rule ");
            s_add (&matches, hit->pattern);
            s_add_literal (&matches, ", line ");
            s_add_int (&matches, hit->line);
            if (hit->dismissed)
                s_add_literal (&matches, ", set aside)");
            else
                s_add_literal (&matches, ")");
        }
        sein_buf_field_string (out, "matches", matches.text);
    }
    if (reason.len)
        sein_buf_field_string (out, "reason", reason.text);
    sein_buf_field_fixed (out, "confidence", *confidence);
    sein_buf_raw (out, "}", 1);
    if (said.len) {
        if (by_attribute)
            s_add_literal (line, "event: ");
        else
            s_add_literal (line, "words: ");
        s_add_n (line, said.text, said.len);
    }
    if (unsaid.len) {
        if (said.len)
            s_add_literal (line, " ");
        s_add_literal (line, "(not: ");
        s_add_n (line, unsaid.text, unsaid.len);
        s_add_literal (line, ")");
    }
    if (triage)
        s_say (line, said.len || unsaid.len ? "; " : "", reason.text, " → triage", NULL);
    else {
        s_add_literal (line, " → ");
        s_add (line, code);
        s_add_literal (line, " ");
        s_add_fixed (line, *confidence, 2);
    }
    if (slots != inline_slots)
        free (slots);
    sein_rule_hits_release (&hits);
}

static void
s_priority (const sein_classifier_t *self, sein_classify_scratch_t *scratch,
            const sein_signal_t *signal, sein_text_t *text, sein_classification_t *result,
            sein_buf_t *out, s_line_t *line)
{
    sein_buf_key (out, "priority");
    sein_buf_raw (out, "{", 1);
    if (signal->priority) {
        s_copy (result->priority, sizeof result->priority, signal->priority);
        sein_buf_field_string (out, "by", "explicit");
        sein_buf_field_string (out, "code", signal->priority);
        sein_buf_raw (out, "}", 1);
        s_say (line, "; explicit priority ", signal->priority, NULL);
        return;
    }
    sein_rule_hits_t hits;
    sein_rules_match (self->priority_rules, text, scratch->stemmer, signal->attributes,
                      signal->nattributes, signal->description, &hits);
    const sein_rule_hit_t *decisive = NULL;
    int level = 1; //  normal
    for (size_t index = 0; index < hits.count; index++) {
        const sein_rule_hit_t *hit = &hits.hits[index];
        //  "geen gevaar" is no danger; "brand" in English text is no fire.
        if (hit->negated || hit->how == SEIN_RULE_OTHER_LANG)
            continue;
        int hit_level = s_level (hit->target);
        if (!decisive || hit_level > level) {
            decisive = hit;
            level = hit_level;
        }
    }
    s_copy (result->priority, sizeof result->priority, s_levels[level]);
    sein_buf_field_string (out, "by", decisive ? "rule" : "default");
    sein_buf_field_string (out, "code", s_levels[level]);
    if (decisive) {
        sein_buf_field_string (out, "rule", decisive->pattern);
        sein_buf_field_int (out, "line", decisive->line);
        s_say (line, "; priority ", s_levels[level], " (", s_hit_label (text, decisive), ")",
               NULL);
    }
    sein_buf_raw (out, "}", 1);
    sein_rule_hits_release (&hits);
}

//  Words from short attribute keys and values join the description, so a
//  sensor's {"kind": "noise"} counts like the word "noise".
static char *
s_text_of (const sein_signal_t *signal, char *buffer, size_t capacity)
{
    size_t len = strlen (signal->description);
    if (signal->nattributes == 0)
        return (char *) signal->description;
    size_t need = len + 2;
    for (size_t index = 0; index < signal->nattributes; index++)
        need += strlen (signal->attributes[index].key) +
                strlen (signal->attributes[index].value) + 4;
    char *text = need <= capacity ? buffer : (char *) sein_malloc (need);
    memcpy (text, signal->description, len);
    text[len++] = '\n';
    for (size_t index = 0; index < signal->nattributes; index++) {
        const char *key = signal->attributes[index].key;
        const char *value = signal->attributes[index].value;
        size_t key_len = strlen (key), value_len = strlen (value);
        memcpy (text + len, key, key_len);
        len += key_len;
        text[len++] = ' ';
        if (value_len <= 64) {
            memcpy (text + len, value, value_len);
            len += value_len;
        }
        text[len++] = '.';
        text[len++] = '\n';
    }
    text[len] = 0;
    return text;
}

void
sein_classifier_classify (const sein_classifier_t *self, sein_classify_scratch_t *scratch,
                          const sein_signal_t *signal, sein_classification_t *result,
                          bool trace)
{
    assert (self);
    assert (scratch);
    assert (signal);
    assert (signal->description);
    assert (result);
    memset (result, 0, sizeof *result);
    result->has_point = signal->has_point;
    result->lat = signal->lat;
    result->lon = signal->lon;

    //  The analyses live on this stack and the detail is written as JSON
    //  text into the scratch's buffer, which keeps its memory from call to
    //  call: a typical signal allocates only its result's copy.
    char buffer[2048];
    char *input = s_text_of (signal, buffer, sizeof buffer);
    sein_text_t analysis, *text = &analysis;
    sein_text_analyse (text, self->lang, input, strlen (input));
    sein_buf_t *out = &scratch->detail;
    sein_buf_reset (out);
    sein_buf_raw (out, "{", 1);
    s_line_t line;
    s_line_init (&line);
    double theme_confidence = 0;
    s_area (self, signal, text, result, out, &line);
    s_theme (self, scratch, signal, text, result, out, &line, &theme_confidence, trace);
    s_priority (self, scratch, signal, text, result, out, &line);
    result->confidence = s_round (result->confidence * theme_confidence);
    if (text->lang >= 0)
        sein_buf_field_string (out, "language", sein_lang_code (text->lang));
    sein_buf_field_fixed (out, "confidence", result->confidence);
    sein_buf_field_string (out, "explanation", line.text);
    sein_buf_raw (out, "}", 1);
    result->detail = (char *) sein_malloc (out->size + 1);
    memcpy (result->detail, out->data, out->size + 1);
    result->detail_size = out->size;
    sein_text_release (text);
    if (input != buffer && input != signal->description)
        free (input);
}

const struct feature_node *
sein_classifier_features (const sein_classifier_t *self, sein_classify_scratch_t *scratch,
                          const sein_signal_t *signal, int bits,
                          const char *const *labels, size_t nlabels)
{
    assert (self && scratch && signal && labels);
    char buffer[2048];
    char *input = s_text_of (signal, buffer, sizeof buffer);
    sein_text_t text;
    sein_text_analyse (&text, self->lang, input, strlen (input));
    sein_rule_hits_t hits;
    sein_rules_match (self->theme_rules, &text, scratch->stemmer, signal->attributes,
                      signal->nattributes, signal->description, &hits);
    text.lang = hits.lang;
    s_score_t inline_slots[SEIN_RULE_HITS_INLINE];
    s_score_t *slots = inline_slots;
    if (hits.count > SEIN_RULE_HITS_INLINE)
        slots = (s_score_t *) sein_malloc (hits.count * sizeof *slots);
    size_t nthemes = s_scores (&hits, &text, slots);
    s_features (scratch, bits, NULL, labels, nlabels, &text, &hits, slots, nthemes);
    if (slots != inline_slots)
        free (slots);
    sein_rule_hits_release (&hits);
    sein_text_release (&text);
    if (input != buffer && input != signal->description)
        free (input);
    return sein_features_nodes (scratch->features, NULL);
}

sein_classify_scratch_t *
sein_classify_scratch_new (void)
{
    sein_classify_scratch_t *self = (sein_classify_scratch_t *) zmalloc (sizeof *self);
    self->stemmer = sein_stemmer_new ();
    self->features = sein_features_new ();
    if (!self->stemmer)
        sein_classify_scratch_destroy (&self);
    return self;
}

void
sein_classify_scratch_destroy (sein_classify_scratch_t **self_p)
{
    assert (self_p);
    sein_classify_scratch_t *self = *self_p;
    if (self) {
        sein_stemmer_destroy (&self->stemmer);
        sein_features_destroy (&self->features);
        sein_buf_free (&self->detail);
        free (self);
        *self_p = NULL;
    }
}

void
sein_classification_clear (sein_classification_t *result)
{
    if (result) {
        free (result->detail);
        result->detail = NULL;
        result->detail_size = 0;
    }
}
