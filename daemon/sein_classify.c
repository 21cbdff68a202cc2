/*  sein_classify.c - area, theme and priority for a signal, and why

    The classifier ties the reference data together: areas.tsv (codes and
    nesting), themes.tsv, the polygons (sein_geo), the street register
    (sein_streets), and the two rule files (sein_rules). It is built whole
    at load and never changed, so the daemon can build a new one on SIGHUP
    and keep the old one when any file is bad.

    Area evidence is taken strongest first and the first that decides
    wins; weaker evidence never overrides stronger (a point outside every
    polygon goes to triage even when the address names a street, because
    the two disagree and a person should look). Theme scores are the sum of
    the matched rule weights per theme; a negated word counts a quarter.
    The leader wins only with a clear lead, otherwise triage.

    Everything a reader needs to check the decision goes into the detail
    object and a one-line explanation, e.g.
    "street Tiensestraat 80 → binnenstad; words: zwerfvuil, blikjes (not:
    overlast) → afval 0.85; priority normal".
*/
#include "sein_classify.h"
#include "sein_geo.h"
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

//  Confidence of each kind of area evidence.
#define S_CONF_EXPLICIT     1.0
#define S_CONF_POINT        0.95
#define S_CONF_POINT_EDGE   0.8
#define S_CONF_ADDRESS      0.9
#define S_CONF_ADDRESS_TYPO 0.75
#define S_CONF_STREET_WIJK  0.7 //  street known, number does not decide: its wijk
#define S_CONF_DESCRIPTION  0.6

#define S_LEVELS 4
static const char *s_levels[S_LEVELS] = {"low", "normal", "high", "urgent"};

typedef struct {
    char *code, *name, *kind, *parent, *wijk;
} s_area_t;

struct _sein_classifier_t {
    zhashx_t *areas;  //  code -> s_area_t
    zhashx_t *themes; //  code -> name
    sein_lang_t *lang;
    sein_geo_t *geo;
    sein_streets_t *streets;
    sein_rules_t *theme_rules;
    sein_rules_t *priority_rules;
    double min_score; //  below this the best theme is no evidence
    double margin;    //  the leader must lead by this share of its score
};

//  --------------------------------------------------------------------------
//  Loading

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

static char *
s_area_row (void *arg, char **fields, int nfields, int line)
{
    (void) line;
    sein_classifier_t *self = (sein_classifier_t *) arg;
    const char *code = fields[0], *parent = nfields > 3 ? fields[3] : "";
    if (!s_valid_code (code))
        return zsys_sprintf ("bad area code '%s' (lowercase letters, digits, '-')", code);
    if (strcmp (code, SEIN_TRIAGE) == 0)
        return zsys_sprintf ("'%s' is reserved", SEIN_TRIAGE);
    if (zhashx_lookup (self->areas, code))
        return zsys_sprintf ("duplicate area '%s'", code);
    if (!*fields[2])
        return zsys_sprintf ("area '%s' has no kind", code);
    const s_area_t *up = *parent ? (const s_area_t *) zhashx_lookup (self->areas, parent)
                                 : NULL;
    if (*parent && !up)
        return zsys_sprintf ("parent '%s' of '%s' is not listed above it", parent, code);
    s_area_t *area = (s_area_t *) zmalloc (sizeof *area);
    area->code = strdup (code);
    area->name = strdup (fields[1]);
    area->kind = strdup (fields[2]);
    area->parent = *parent ? strdup (parent) : NULL;
    //  The wijk is the top of the chain, however deep zones nest.
    area->wijk = strdup (up ? up->wijk : code);
    if (!area->code || !area->name || !area->kind || !area->wijk ||
        (*parent && !area->parent)) {
        s_area_destroy (&area);
        return strdup ("out of memory");
    }
    zhashx_insert (self->areas, code, area);
    return NULL;
}

static char *
s_theme_row (void *arg, char **fields, int nfields, int line)
{
    (void) nfields;
    (void) line;
    sein_classifier_t *self = (sein_classifier_t *) arg;
    if (!s_valid_code (fields[0]))
        return zsys_sprintf ("bad theme code '%s' (lowercase letters, digits, '-')",
                             fields[0]);
    if (strcmp (fields[0], SEIN_TRIAGE) == 0)
        return zsys_sprintf ("'%s' is reserved", SEIN_TRIAGE);
    if (zhashx_lookup (self->themes, fields[0]))
        return zsys_sprintf ("duplicate theme '%s'", fields[0]);
    zhashx_insert (self->themes, fields[0], fields[1]);
    return NULL;
}

static bool
s_known_area (void *arg, const char *code)
{
    return zhashx_lookup (((sein_classifier_t *) arg)->areas, code) != NULL;
}

static bool
s_known_theme (void *arg, const char *code)
{
    return zhashx_lookup (((sein_classifier_t *) arg)->themes, code) != NULL;
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
    sein_classifier_t *self = (sein_classifier_t *) arg;
    const s_area_t *area = (const s_area_t *) zhashx_lookup (self->areas, code);
    if (!area)
        return zsys_sprintf ("unknown area '%s' (not in the areas file)", code);
    const char *listed = area->parent ? area->parent : "";
    if (strcmp (parent ? parent : "", listed) != 0)
        return zsys_sprintf ("parent '%s' differs from the areas file ('%s')",
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
    self->areas = zhashx_new ();
    self->themes = zhashx_new ();
    self->lang = sein_lang_new ();
    if (!self->areas || !self->themes || !self->lang) {
        *error_p = strdup (self->lang ? "out of memory"
                                      : "libstemmer lacks dutch, french or english");
        sein_classifier_destroy (&self);
        return NULL;
    }
    zhashx_set_destructor (self->areas, (zhashx_destructor_fn *) s_area_destroy);
    zhashx_set_duplicator (self->themes, (zhashx_duplicator_fn *) strdup);
    zhashx_set_destructor (self->themes, (zhashx_destructor_fn *) zstr_free);
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
        self->theme_rules =
            sein_rules_new (sein_config_str (config, "data.theme_rules"), "theme",
                            SEIN_RULES_WEIGHTED | SEIN_RULES_MODIFIERS, s_known_theme, self,
                            self->lang, &error);
    if (!error)
        self->priority_rules =
            sein_rules_new (sein_config_str (config, "data.priority_rules"), "priority", 0,
                            s_known_priority, self, self->lang, &error);
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
        sein_rules_destroy (&self->priority_rules);
        sein_rules_destroy (&self->theme_rules);
        sein_streets_destroy (&self->streets);
        sein_geo_destroy (&self->geo);
        sein_lang_destroy (&self->lang);
        zhashx_destroy (&self->areas);
        zhashx_destroy (&self->themes);
        free (self);
        *self_p = NULL;
    }
}

bool
sein_classifier_known_area (sein_classifier_t *self, const char *code)
{
    assert (self);
    return strcmp (code, SEIN_TRIAGE) == 0 || zhashx_lookup (self->areas, code);
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
    const s_area_t *entry = (const s_area_t *) zhashx_lookup (self->areas, area);
    return entry ? entry->wijk : NULL;
}

char *
sein_classifier_summary (sein_classifier_t *self)
{
    assert (self);
    return zsys_sprintf ("%zu areas, %zu polygons, %zu streets, %zu themes, %zu theme "
                         "rules, %zu priority rules",
                         zhashx_size (self->areas), sein_geo_size (self->geo),
                         sein_streets_size (self->streets), zhashx_size (self->themes),
                         sein_rules_size (self->theme_rules),
                         sein_rules_size (self->priority_rules));
}

//  --------------------------------------------------------------------------
//  Classifying

//  A growing line of text that truncates rather than fails. Built by
//  appending, not printf: formatting is a large part of a classification.
typedef struct {
    char text[1024];
    size_t len;
} s_line_t;

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

static void
s_add (s_line_t *line, const char *text)
{
    size_t len = s_fit (text, strlen (text), sizeof line->text - 1 - line->len);
    memcpy (line->text + line->len, text, len);
    line->len += len;
    line->text[line->len] = 0;
}

static void
s_add_int (s_line_t *line, long value)
{
    char digits[24];
    size_t at = sizeof digits;
    digits[--at] = 0;
    unsigned long magnitude = value < 0 ? 0 - (unsigned long) value : (unsigned long) value;
    do
        digits[--at] = (char) ('0' + magnitude % 10);
    while ((magnitude /= 10) > 0);
    if (value < 0)
        digits[--at] = '-';
    s_add (line, digits + at);
}

//  VALUE with DECIMALS digits after the point.
static void
s_add_fixed (s_line_t *line, double value, int decimals)
{
    long scale = 1;
    for (int digit = 0; digit < decimals; digit++)
        scale *= 10;
    long scaled = lround (fabs (value) * (double) scale);
    if (value < 0 && scaled)
        s_add (line, "-");
    s_add_int (line, scaled / scale);
    char fraction[24];
    long rest = scaled % scale;
    for (int digit = decimals - 1; digit >= 0; digit--, rest /= 10)
        fraction[digit] = (char) ('0' + rest % 10);
    fraction[decimals] = 0;
    s_add (line, ".");
    s_add (line, fraction);
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

//  Set KEY of OBJECT to a new value; false when memory ran out. Keys are
//  ours and every string is valid UTF-8 (input was validated, truncation
//  respects characters), so jansson need not check them again.
static bool
s_set (json_t *object, const char *key, json_t *value)
{
    return value && json_object_set_new_nocheck (object, key, value) == 0;
}

#define s_string json_string_nocheck

typedef struct {
    const char *by;   //  explicit | point | address | description | none
    const char *code; //  area or triage
    double confidence;
    s_line_t reason;
} s_area_decision_t;

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
s_from_street (sein_classifier_t *self, const sein_street_match_t *match,
               s_area_decision_t *decision, json_t *detail, double confidence)
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
    s_set (detail, "street", s_string (match->name));
    if (match->number >= 0)
        s_set (detail, "number", json_integer (match->number));
    if (match->how != SEIN_STREET_EXACT)
        s_set (detail, "match",
               s_string (match->how == SEIN_STREET_TYPO ? "typo" : "abbreviation"));
    return true;
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

static int
s_level (const char *code)
{
    for (int level = 0; level < S_LEVELS; level++)
        if (strcmp (code, s_levels[level]) == 0)
            return level;
    return 1;
}

//  The area: explicit, point, address, description, else triage.
static int
s_area (sein_classifier_t *self, const sein_signal_t *signal, sein_text_t *description,
        sein_classification_t *result, json_t *area_detail, s_line_t *line)
{
    s_area_decision_t decision = {"none", NULL, 0, {"", 0}};
    bool point_outside = false;
    //  Reserve the leading keys so they come first when printed.
    s_set (area_detail, "by", json_null ());
    s_set (area_detail, "code", json_null ());
    s_set (area_detail, "wijk", json_null ());
    if (signal->area && sein_classifier_known_area (self, signal->area)) {
        decision.by = "explicit";
        decision.code = signal->area;
        decision.confidence = S_CONF_EXPLICIT;
        s_say (line, "explicit area ", signal->area, NULL);
    }
    if (!decision.code && signal->has_point) {
        sein_geo_hit_t hits[4];
        size_t count = sein_geo_locate (self->geo, signal->lat, signal->lon, hits, 4);
        decision.by = "point";
        if (count > 0) {
            decision.code = hits[0].code;
            decision.confidence = hits[0].on_edge ? S_CONF_POINT_EDGE : S_CONF_POINT;
            s_set (area_detail, "polygon", s_string (hits[0].code));
            if (hits[0].on_edge) {
                s_set (area_detail, "on_edge", json_true ());
                s_say (&decision.reason, "point on the boundary of ", hits[0].code, NULL);
            }
            if (count > 1) {
                json_t *within = json_array ();
                for (size_t index = 1; index < count && index < 4; index++)
                    json_array_append_new (within, s_string (hits[index].code));
                s_set (area_detail, "within", within);
            }
            s_say_point (line, signal->lat, signal->lon);
            s_say (line, " in ", hits[0].code, NULL);
        } else {
            point_outside = true;
            s_say_point (&decision.reason, signal->lat, signal->lon);
            s_add (&decision.reason, " is outside every area");
            s_add (line, decision.reason.text);
        }
    }
    //  The address: decides when nothing stronger did, and gives a point.
    if (signal->address_string && (!decision.code || !signal->has_point)) {
        sein_text_t address;
        if (sein_text_analyse (&address, NULL, signal->address_string,
                               strlen (signal->address_string)))
            return -1;
        sein_street_match_t match;
        if (sein_streets_find (self->streets, &address, true, &match)) {
            if (!signal->has_point)
                s_point_of (&match, result);
            if (!decision.code && !point_outside) {
                decision.by = "address";
                if (s_from_street (self, &match, &decision, area_detail, S_CONF_ADDRESS)) {
                    s_say (line, "street ", match.name, NULL);
                    if (match.number >= 0) {
                        s_add (line, " ");
                        s_add_int (line, match.number);
                    }
                    s_say (line, " → ", decision.code, NULL);
                } else
                    decision.by = "none";
            } else if (point_outside)
                s_set (area_detail, "address_street", s_string (match.name));
        } else if (!decision.code && !point_outside) {
            char quoted[112];
            s_copy (quoted, sizeof quoted, signal->address_string);
            s_say (&decision.reason, "address '", quoted, "' names no street in the register",
                   NULL);
        }
        sein_text_release (&address);
    }
    if (!decision.code && !point_outside) {
        sein_street_match_t match;
        if (sein_streets_find (self->streets, description, false, &match)) {
            s_area_decision_t named = {"description", NULL, 0, {"", 0}};
            if (s_from_street (self, &match, &named, area_detail, S_CONF_DESCRIPTION)) {
                decision = named;
                s_say (line, "street ", match.name, " in the text → ", decision.code, NULL);
                if (!result->has_point)
                    s_point_of (&match, result);
            } else
                decision.reason = named.reason;
        }
    }
    if (!decision.code) {
        decision.code = SEIN_TRIAGE;
        decision.confidence = 0;
        if (!decision.reason.len)
            s_add (&decision.reason, "no area, point, address or known street");
        if (!point_outside)
            s_add (line, decision.reason.text);
        s_add (line, " → triage");
    }
    s_copy (result->area, sizeof result->area, decision.code);
    const char *wijk = sein_classifier_wijk_of (self, decision.code);
    s_copy (result->wijk, sizeof result->wijk, wijk ? wijk : SEIN_TRIAGE);
    if (strcmp (result->wijk, result->area) != 0 && strcmp (decision.by, "point") == 0)
        s_say (line, " (wijk ", result->wijk, ")", NULL);
    s_set (area_detail, "by", s_string (decision.by));
    s_set (area_detail, "code", s_string (result->area));
    s_set (area_detail, "wijk", s_string (result->wijk));
    if (decision.reason.len)
        s_set (area_detail, "reason", s_string (decision.reason.text));
    s_set (area_detail, "confidence", json_real (s_round (decision.confidence)));
    result->confidence = decision.confidence;
    return 0;
}

//  The theme: explicit, else the rules' scores.
static int
s_theme (sein_classifier_t *self, const sein_signal_t *signal, sein_text_t *text,
         sein_classification_t *result, json_t *detail, s_line_t *line, double *confidence)
{
    s_add (line, "; ");
    if (signal->theme && sein_classifier_known_theme (self, signal->theme)) {
        s_copy (result->theme, sizeof result->theme, signal->theme);
        s_set (detail, "by", s_string ("explicit"));
        s_set (detail, "code", s_string (signal->theme));
        s_set (detail, "confidence", json_real (1.0));
        s_say (line, "explicit theme ", signal->theme, NULL);
        *confidence = 1;
        return 0;
    }
    sein_rule_hits_t hits;
    if (sein_rules_match (self->theme_rules, text, self->lang, signal->attributes,
                          signal->description, &hits))
        return -1;
    //  Sum per theme; themes are few, so a small linear table.
    const char *themes[32];
    double scores[32];
    size_t nthemes = 0;
    bool by_attribute = false;
    for (size_t index = 0; index < hits.count; index++) {
        const sein_rule_hit_t *hit = &hits.hits[index];
        size_t slot = 0;
        while (slot < nthemes && strcmp (themes[slot], hit->target) != 0)
            slot++;
        if (slot == nthemes) {
            if (nthemes == 32)
                continue;
            themes[nthemes] = hit->target;
            scores[nthemes++] = 0;
        }
        double weight = hit->dismissed ? hit->weight * S_NEGATED_FACTOR : hit->weight;
        if (hit->how != SEIN_RULE_ATTRIBUTE && text->ntokens > 1)
            weight *= S_POSITION_FIRST - (S_POSITION_FIRST - S_POSITION_LAST) *
                                             (double) hit->token /
                                             (double) (text->ntokens - 1);
        scores[slot] += weight;
    }
    int best = -1, second = -1;
    for (size_t slot = 0; slot < nthemes; slot++) {
        if (best < 0 || scores[slot] > scores[best]) {
            second = best;
            best = (int) slot;
        } else if (second < 0 || scores[slot] > scores[second])
            second = (int) slot;
    }
    double top = best >= 0 ? scores[best] : 0, next = second >= 0 ? scores[second] : 0;
    const char *code = SEIN_TRIAGE;
    s_line_t reason = {"", 0};
    if (best < 0 || top <= 0)
        s_add (&reason, "no theme words");
    else if (top < self->min_score) {
        s_add (&reason, "too little evidence (");
        s_add_fixed (&reason, top, 2);
        s_add (&reason, ")");
    } else if (next > 0 && top - next < self->margin * top) {
        s_say (&reason, themes[best], " and ", themes[second], " tie (", NULL);
        s_add_fixed (&reason, top, 2);
        s_add (&reason, ", ");
        s_add_fixed (&reason, next, 2);
        s_add (&reason, ")");
    } else
        code = themes[best];
    s_copy (result->theme, sizeof result->theme, code);
    *confidence = 0;
    if (strcmp (code, SEIN_TRIAGE) != 0) {
        double strength = 1 - exp (-top / 2);
        *confidence = strength * top / (top + (next > 0 ? next : 0));
    }

    //  Say which words counted for the winner (all when triage), and which
    //  the sentence set aside, whatever their theme.
    json_t *words = json_array (), *negated = json_array ();
    json_t *scores_json = json_object ();
    s_line_t said = {"", 0}, unsaid = {"", 0}, matches = {"", 0};
    for (size_t index = 0; index < hits.count; index++) {
        const sein_rule_hit_t *hit = &hits.hits[index];
        const char *label = s_hit_label (text, hit);
        by_attribute |= hit->how == SEIN_RULE_ATTRIBUTE && strcmp (hit->target, code) == 0;
        //  Every match, for whoever tunes the rules file: "frietzakken →
        //  afval +2.00 (rule frietzakken, line 563); ...".
        s_say (&matches, matches.len ? "; " : "", label, " → ", hit->target,
               hit->weight < 0 ? " " : " +", NULL);
        s_add_fixed (&matches, hit->weight, 2);
        s_say (&matches, " (rule ", hit->pattern, ", line ", NULL);
        s_add_int (&matches, hit->line);
        s_add (&matches, hit->dismissed ? ", set aside)" : ")");
        bool counts = strcmp (code, SEIN_TRIAGE) == 0 || strcmp (hit->target, code) == 0;
        if (hit->dismissed) {
            json_array_append_new (negated, s_string (label));
            s_say (&unsaid, unsaid.len ? ", " : "", label, NULL);
        } else if (counts) {
            json_array_append_new (words, s_string (label));
            s_say (&said, said.len ? ", " : "", label, NULL);
        }
    }
    for (size_t slot = 0; slot < nthemes; slot++)
        s_set (scores_json, themes[slot], json_real (s_round (scores[slot])));
    s_set (detail, "by",
           s_string (strcmp (code, SEIN_TRIAGE) == 0 ? "none"
                        : by_attribute                  ? "attributes"
                                                        : "words"));
    s_set (detail, "code", s_string (code));
    s_set (detail, "words", words);
    if (json_array_size (negated))
        s_set (detail, "negated", negated);
    else
        json_decref (negated);
    s_set (detail, "score", json_real (s_round (top)));
    if (second >= 0 && strcmp (code, SEIN_TRIAGE) != 0)
        s_set (detail, "runner_up", s_string (themes[second]));
    s_set (detail, "scores", scores_json);
    if (matches.len)
        s_set (detail, "matches", s_string (matches.text));
    if (reason.len)
        s_set (detail, "reason", s_string (reason.text));
    s_set (detail, "confidence", json_real (s_round (*confidence)));
    if (said.len)
        s_say (line, by_attribute ? "event: " : "words: ", said.text, NULL);
    if (unsaid.len)
        s_say (line, said.len ? " " : "", "(not: ", unsaid.text, ")", NULL);
    if (strcmp (code, SEIN_TRIAGE) == 0)
        s_say (line, said.len || unsaid.len ? "; " : "", reason.text, " → triage", NULL);
    else {
        s_say (line, " → ", code, " ", NULL);
        s_add_fixed (line, *confidence, 2);
    }
    sein_rule_hits_release (&hits);
    return 0;
}

static int
s_priority (sein_classifier_t *self, const sein_signal_t *signal, sein_text_t *text,
            sein_classification_t *result, json_t *detail, s_line_t *line)
{
    if (signal->priority) {
        s_copy (result->priority, sizeof result->priority, signal->priority);
        s_set (detail, "by", s_string ("explicit"));
        s_set (detail, "code", s_string (signal->priority));
        s_say (line, "; explicit priority ", signal->priority, NULL);
        return 0;
    }
    sein_rule_hits_t hits;
    if (sein_rules_match (self->priority_rules, text, self->lang, signal->attributes,
                         signal->description, &hits))
        return -1;
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
    s_set (detail, "by", s_string (decisive ? "rule" : "default"));
    s_set (detail, "code", s_string (s_levels[level]));
    if (decisive) {
        s_set (detail, "rule", s_string (decisive->pattern));
        s_set (detail, "line", json_integer (decisive->line));
        s_say (line, "; priority ", s_levels[level], " (", s_hit_label (text, decisive), ")",
               NULL);
    }
    sein_rule_hits_release (&hits);
    return 0;
}

//  Words from short attribute keys and values join the description, so a
//  sensor's {"kind": "noise"} counts like the word "noise".
static char *
s_text_of (const sein_signal_t *signal, char *buffer, size_t capacity)
{
    size_t len = strlen (signal->description);
    if (!signal->attributes || json_object_size (signal->attributes) == 0)
        return (char *) signal->description;
    size_t need = len + 2;
    const char *key;
    json_t *value;
    json_object_foreach (signal->attributes, key, value)
        need += strlen (key) + json_string_length (value) + 4;
    char *text = need <= capacity ? buffer : (char *) malloc (need);
    if (!text)
        return NULL;
    memcpy (text, signal->description, len);
    text[len++] = '\n';
    json_object_foreach (signal->attributes, key, value) {
        size_t key_len = strlen (key), value_len = json_string_length (value);
        memcpy (text + len, key, key_len);
        len += key_len;
        text[len++] = ' ';
        if (value_len <= 64) {
            memcpy (text + len, json_string_value (value), value_len);
            len += value_len;
        }
        text[len++] = '.';
        text[len++] = '\n';
    }
    text[len] = 0;
    return text;
}

int
sein_classifier_classify (sein_classifier_t *self, const sein_signal_t *signal,
                          sein_classification_t *result)
{
    assert (self);
    assert (signal);
    assert (signal->description);
    assert (result);
    memset (result, 0, sizeof *result);
    result->has_point = signal->has_point;
    result->lat = signal->lat;
    result->lon = signal->lon;
    json_t *detail = json_object ();
    json_t *area = json_object (), *theme = json_object (), *priority = json_object ();
    bool ok = detail && area && theme && priority;
    ok = s_set (detail, "area", area) && ok;
    ok = s_set (detail, "theme", theme) && ok;
    ok = s_set (detail, "priority", priority) && ok;

    //  The analyses live on this stack: a typical signal allocates only
    //  its detail object.
    char buffer[2048];
    char *input = ok ? s_text_of (signal, buffer, sizeof buffer) : NULL;
    sein_text_t analysis, *text = &analysis;
    ok = ok && input && sein_text_analyse (text, self->lang, input, strlen (input)) == 0;
    if (!ok) {
        if (input && input != buffer && input != signal->description)
            free (input);
        json_decref (detail);
        return -1;
    }
    s_line_t line = {"", 0};
    double theme_confidence = 0;
    int rc = s_area (self, signal, text, result, area, &line);
    if (rc == 0)
        rc = s_theme (self, signal, text, result, theme, &line, &theme_confidence);
    if (rc == 0)
        rc = s_priority (self, signal, text, result, priority, &line);
    if (rc == 0) {
        result->confidence = s_round (result->confidence * theme_confidence);
        if (text->lang >= 0)
            s_set (detail, "language", s_string (sein_lang_code (text->lang)));
        s_set (detail, "confidence", json_real (result->confidence));
        if (!s_set (detail, "explanation", s_string (line.text)))
            rc = -1;
    }
    sein_text_release (text);
    if (input != buffer && input != signal->description)
        free (input);
    if (rc) {
        json_decref (detail);
        memset (result, 0, sizeof *result);
        return -1;
    }
    result->detail = detail;
    return 0;
}

void
sein_classification_clear (sein_classification_t *result)
{
    if (result) {
        json_decref (result->detail);
        result->detail = NULL;
    }
}
