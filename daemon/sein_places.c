// SPDX-License-Identifier: MPL-2.0
/*  sein_places.c - the gazetteer: names of areas, landmarks, postcodes, towns

    Loading analyses every name with sein_text_analyse, the way a signal's
    text is analysed, and keys it by its words joined. Two maps answer a
    lookup: the names by key, and the words a name may start with (its first
    word, and its whole key for a name written as one word), with how many
    words the longest such name spans. A text's word that starts no name
    costs one lookup by the hash its token already carries, so the
    gazetteer adds little to a classification whatever its size.
*/
#include "sein_places.h"
#include "sein_alloc.h"
#include "sein_dict.h"
#include "sein_tsv.h"

#include <assert.h>
#include <czmq.h>

#define S_WORDS_MAX 4   //  words one name may span
#define S_KEY_MAX   256 //  bytes of a joined key
#define S_QUALIFIER_GAP 1 //  words between a landmark and the area that qualifies it

typedef struct {
    char *name, *area;
    sein_place_kind_t kind;
    int line;
} s_place_t;

struct _sein_places_t {
    s_place_t *places;
    size_t nplaces, capacity;
    sein_dict_t *by_key; //  joined words -> index in places
    sein_dict_t *starts; //  a word a name starts with -> words it may span
    sein_places_known_fn *known;
    void *known_arg;
};

static const struct {
    const char *word;
    sein_place_kind_t kind;
} s_kinds[] = {{"wijk", SEIN_PLACE_AREA},         {"zone", SEIN_PLACE_AREA},
               {"deelgemeente", SEIN_PLACE_AREA}, {"place", SEIN_PLACE_LANDMARK},
               {"postcode", SEIN_PLACE_POSTCODE}, {"city", SEIN_PLACE_CITY},
               {"outside", SEIN_PLACE_OUTSIDE},   {NULL, SEIN_PLACE_AREA}};

const char *
sein_place_kind_name (sein_place_kind_t kind)
{
    static const char *names[] = {"area", "place", "postcode", "city", "outside"};
    return names[kind];
}

//  Words before a town that say where something goes or comes from, not
//  where it is: "de bus naar Tienen", "venant de Bruxelles"; or that make
//  its name a time or a common noun: "tot tegen tienen" (ten o'clock in
//  Flemish), "na tienen", "onze landen".
static bool
s_directional (const char *word)
{
    static const char *words[] = {"naar",  "richting", "vanuit", "van",   "uit",    "to",
                                  "towards", "from",   "vers",   "de",    "depuis", "direction",
                                  "tot",   "tegen",    "om",     "rond",  "na",     "vanaf",
                                  "voor",  "onze",     "andere", "alle",  "vele",   "veel",
                                  "deze",  "die",      "beide",  NULL};
    for (const char **entry = words; *entry; entry++)
        if (strcmp (word, *entry) == 0)
            return true;
    return false;
}

//  Join the words FIRST .. FIRST + COUNT - 1 of TEXT into KEY. Returns the
//  length, or -1 when they do not fit or a comma or sentence lies between.
static int
s_join (const sein_text_t *text, size_t first, size_t count, char *key)
{
    size_t len = 0;
    for (size_t index = first; index < first + count; index++) {
        const sein_token_t *token = &text->tokens[index];
        if (index > first && (token->flags & SEIN_TOKEN_CLAUSE))
            return -1;
        if (len + token->len + 1 > S_KEY_MAX)
            return -1;
        memcpy (key + len, text->folded + token->start, token->len);
        len += token->len;
    }
    key[len] = 0;
    return (int) len;
}

static void
s_start (sein_places_t *self, const char *word, size_t len, uint32_t words)
{
    uint32_t known = sein_dict_get (self->starts, word, len);
    if (known == SEIN_DICT_NONE || known < words)
        sein_dict_set (self->starts, word, len, words);
}

static char *
s_row (void *arg, char **fields, int nfields, int line)
{
    (void) nfields;
    sein_places_t *self = (sein_places_t *) arg;
    const char *name = fields[0], *area = fields[1], *kind_word = fields[2];
    int kind = -1;
    for (size_t index = 0; s_kinds[index].word; index++)
        if (strcmp (kind_word, s_kinds[index].word) == 0)
            kind = (int) s_kinds[index].kind;
    if (kind < 0)
        return sein_sprintf ("unknown kind '%s' (wijk, zone, deelgemeente, place, "
                             "postcode, city or outside)",
                             kind_word);
    sein_text_t text;
    sein_text_analyse (&text, NULL, name, strlen (name));
    char key[S_KEY_MAX];
    int len = text.ntokens ? s_join (&text, 0, text.ntokens, key) : -1;
    char *error = NULL;
    if (text.ntokens == 0)
        error = sein_sprintf ("place name '%s' has no letters or digits", name);
    else if (text.ntokens > S_WORDS_MAX || len < 0)
        error = sein_sprintf ("place name '%s' is longer than %d words", name, S_WORDS_MAX);
    else if (kind == SEIN_PLACE_POSTCODE &&
             (text.ntokens != 1 || len != 4 || strspn (key, "0123456789") != 4))
        error = sein_sprintf ("postcode '%s' is not four digits", name);
    else if (kind != SEIN_PLACE_POSTCODE && (text.tokens[0].flags & SEIN_TOKEN_NUMBER))
        error = sein_sprintf ("place name '%s' starts with a digit", name);
    else if ((kind == SEIN_PLACE_CITY || kind == SEIN_PLACE_OUTSIDE) && *area)
        error = sein_sprintf ("a %s has no area ('%s')", kind_word, area);
    else if (kind != SEIN_PLACE_CITY && kind != SEIN_PLACE_OUTSIDE &&
             kind != SEIN_PLACE_POSTCODE && !*area)
        error = sein_sprintf ("a %s needs an area", kind_word);
    else if (*area && self->known && !self->known (self->known_arg, area))
        error = sein_sprintf ("unknown area '%s' (not in the areas file)", area);
    else {
        uint32_t earlier = sein_dict_get (self->by_key, key, (size_t) len);
        if (earlier != SEIN_DICT_NONE)
            error = sein_sprintf ("place '%s' repeats '%s' of line %d", name,
                                  self->places[earlier].name, self->places[earlier].line);
    }
    if (!error) {
        if (self->nplaces == self->capacity) {
            self->capacity = self->capacity ? self->capacity * 2 : 64;
            self->places = (s_place_t *) sein_realloc (self->places,
                                                       self->capacity * sizeof (s_place_t));
        }
        self->places[self->nplaces] = (s_place_t){
            sein_strdup (name), *area ? sein_strdup (area) : NULL, (sein_place_kind_t) kind,
            line};
        sein_dict_set (self->by_key, key, (size_t) len, (uint32_t) self->nplaces++);
        //  "Kessel-Lo" starts at "kessel" (two words) and, written as one
        //  word, at "kessello".
        s_start (self, key, text.tokens[0].len, (uint32_t) text.ntokens);
        s_start (self, key, (size_t) len, 1);
    }
    sein_text_release (&text);
    return error;
}

sein_places_t *
sein_places_new (const char *path, sein_places_known_fn *known, void *arg, char **error_p)
{
    assert (path);
    assert (error_p);
    *error_p = NULL;
    sein_places_t *self = (sein_places_t *) zmalloc (sizeof *self);
    self->known = known;
    self->known_arg = arg;
    self->by_key = sein_dict_new ();
    self->starts = sein_dict_new ();
    char *error = sein_tsv_load (path, "name\tarea\tkind", 3, 4, s_row, self);
    if (error) {
        *error_p = error;
        sein_places_destroy (&self);
    }
    return self;
}

void
sein_places_destroy (sein_places_t **self_p)
{
    assert (self_p);
    sein_places_t *self = *self_p;
    if (self) {
        for (size_t index = 0; index < self->nplaces; index++) {
            free (self->places[index].name);
            free (self->places[index].area);
        }
        free (self->places);
        sein_dict_destroy (&self->by_key);
        sein_dict_destroy (&self->starts);
        free (self);
        *self_p = NULL;
    }
}

size_t
sein_places_size (const sein_places_t *self)
{
    assert (self);
    return self->nplaces;
}

//  How many words a name starting at token INDEX may span, 0 for none.
static uint32_t
s_starts_at (const sein_places_t *self, const sein_text_t *text, size_t index)
{
    const sein_token_t *token = &text->tokens[index];
    uint32_t words = sein_dict_get_hashed (self->starts, text->folded + token->start,
                                           token->len, token->hash);
    return words == SEIN_DICT_NONE ? 0 : words;
}

//  The longest name starting at token INDEX, its span in *SPAN; NULL for
//  none.
static const s_place_t *
s_name_at (const sein_places_t *self, const sein_text_t *text, size_t index, size_t *span)
{
    uint32_t words = s_starts_at (self, text, index);
    for (size_t try = words < text->ntokens - index ? words : text->ntokens - index; try > 0;
         try--) {
        char key[S_KEY_MAX];
        int len = s_join (text, index, try, key);
        uint32_t entry = len > 0 ? sein_dict_get (self->by_key, key, (size_t) len)
                                 : SEIN_DICT_NONE;
        if (entry != SEIN_DICT_NONE) {
            *span = try;
            return &self->places[entry];
        }
    }
    return NULL;
}

//  True when the landmark PLACE, spanning SPAN tokens from INDEX, is
//  qualified by another area's own name at most S_QUALIFIER_GAP words
//  after it in the same clause: "la gare de Wijgmaal", "het station in
//  Kessel-Lo" name that area's station, not the one "station" alone is.
static bool
s_qualified (const sein_places_t *self, const sein_text_t *text, const s_place_t *place,
             size_t index, size_t span)
{
    for (size_t next = index + span;
         next < text->ntokens && next <= index + span + S_QUALIFIER_GAP; next++) {
        if (text->tokens[next].flags & SEIN_TOKEN_CLAUSE)
            return false;
        size_t words;
        const s_place_t *name = s_name_at (self, text, next, &words);
        if (name)
            return name->kind == SEIN_PLACE_AREA && !streq (name->area, place->area);
    }
    return false;
}

size_t
sein_places_find (const sein_places_t *self, const sein_text_t *text, bool address,
                  sein_place_t *found, size_t max)
{
    assert (self);
    assert (text);
    assert (found || max == 0);
    size_t count = 0;
    for (size_t index = 0; index < text->ntokens && count < max;) {
        size_t span = 0;
        const s_place_t *place = s_name_at (self, text, index, &span);
        if (!place || (place->kind == SEIN_PLACE_LANDMARK &&
                       s_qualified (self, text, place, index, span))) {
            index += place ? span : 1;
            continue;
        }
        //  In prose a postcode needs a name after it ("3010 Kessel-Lo"), or
        //  to head a sentence on its own ("3010: ..."): a bare number there
        //  is rarely a postcode.
        if (place->kind == SEIN_PLACE_POSTCODE && !address) {
            bool last = index + 1 >= text->ntokens ||
                        (text->tokens[index + 1].flags & SEIN_TOKEN_CLAUSE);
            bool heads = (text->tokens[index].flags & SEIN_TOKEN_SENTENCE) && last;
            if (!heads && (last || s_starts_at (self, text, index + 1) == 0)) {
                index++;
                continue;
            }
        }
        sein_place_t *out = &found[count++];
        out->name = place->name;
        out->area = place->area;
        out->kind = place->kind;
        out->token = index;
        out->ntokens = span;
        out->line = place->line;
        out->directional = place->kind == SEIN_PLACE_OUTSIDE && index > 0 &&
                           !(text->tokens[index].flags & SEIN_TOKEN_CLAUSE) &&
                           s_directional (sein_text_word (text, index - 1));
        index += span;
    }
    return count;
}
