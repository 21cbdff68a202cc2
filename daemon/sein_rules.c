// SPDX-License-Identifier: MPL-2.0
/*  sein_rules.c - load rule files, index their words, match a text

    Every rule word is stored folded and, per language the rule applies to,
    stemmed. One hash table per namespace indexes the first word of every
    rule part:

      surface   "ratten", the folded word as written (any language)
      stem      "rat", its Dutch stem; one table each for French, English
      member    "ratten", a member of a Dutch compound, as written (nl and *)
      first     "struikel", the form of a Dutch verb ("struikelen") as the
                first member of a compound ("struikelgevaar")
      key       "bin_fill", a machine-event key

    so a text word costs one lookup for its surface and one per stem, and
    the surface lookup reuses the hash sein_text computed for the token.
    Compound splitting only runs for long words no rule matched whole, and
    two small bit filters (last and first four letters of every compound
    member) skip it for most of those.

    Matching collects candidates, then accepts them longest span first: a
    phrase claims its words from shorter rules, a word counts once per
    target, a rule once per text.
*/
#include "sein_rules.h"
#include "sein_alloc.h"
#include "sein_dict.h"
#include "sein_tsv.h"

#include <assert.h>
#include <czmq.h>
#include <math.h>

#define S_ANY            (-2) //  lang "*"
#define S_ATTR           (-3) //  lang "attr"
#define S_PART_WORDS_MAX 8
#define S_PARTS_MAX      4
#define S_BLOOM_BITS     65536
#define S_MEMBER_MIN     4
#define S_FIRST_MIN      5 //  a verb's form as a first member ("struikel")
#define S_COMPOUND_MIN   7 //  shortest word worth splitting
#define S_KEY_MAX        160
#define S_WEIGHT_MAX     10.0
#define S_MODIFIER       100 //  internal "how": the first member of a compound

#define S_FACTOR_HEAD       0.8 //  the last member decides a Dutch compound
#define S_FACTOR_MODIFIER   0.6
#define S_FACTOR_OTHER_LANG 0.5
#define S_OTHER_LANG_MIN    5   //  "vol" is Dutch "full", French "theft"

typedef struct {
    char *surface;
    size_t len;              //  of the surface
    uint32_t hash;           //  sein_dict_hash of the surface, as tokens have it
    char *stems[SEIN_LANGS]; //  NULL where the rule does not apply
} s_word_t;

typedef struct {
    s_word_t *words;
    size_t nwords;
    bool exact; //  "=park": as written only, no stems, no compounds
} s_part_t;

enum { S_PRESENT, S_EQ, S_NE, S_LT, S_LE, S_GT, S_GE };

//  The index namespaces, one sein_dict each; S_STEM + language for stems.
enum { S_SURFACE, S_STEM, S_MEMBER = S_STEM + SEIN_LANGS, S_FIRST, S_KEY, S_SPACES };

typedef struct {
    int target;
    int lang;  //  SEIN_NL.., S_ANY, S_ATTR
    int group; //  rules of one target with the same stems ("dog", "dogs")
    double weight;
    char *pattern;
    int line;
    s_part_t parts[S_PARTS_MAX];
    size_t nparts;
    char *key; //  attributes
    int op;
    double number;
    char *value;
} s_rule_t;

typedef struct {
    uint32_t rule;
    uint16_t part;
} s_posting_t;

//  The postings of one key: ITEMS[0 .. COUNT).
typedef struct {
    const s_posting_t *items;
    size_t count;
} s_postings_t;

//  A list of postings while loading.
typedef struct {
    s_posting_t *items;
    uint32_t count, capacity;
} s_list_t;

struct _sein_rules_t {
    char *path;
    bool weighted;
    bool modifiers; //  count the first member of a compound too
    char **targets;
    size_t ntargets;
    s_rule_t *rules;
    size_t nrules, capacity;
    sein_dict_t *index[S_SPACES]; //  per namespace: word -> list number
    s_list_t *lists;       //  while loading, by list number
    uint32_t nlists, lists_capacity;
    s_posting_t *postings; //  after loading: all lists, one after the other
    uint32_t *starts;      //  list number -> first posting; starts[nlists] = end
    zhashx_t *seen;  //  while loading: target, lang, folded pattern -> line
    zhashx_t *groups; //  while loading: target, lang, stems -> group + 1
    uint64_t member_lengths; //  bit n: a compound member of n bytes exists
    uint8_t head_bloom[S_BLOOM_BITS / 8];
    uint8_t modifier_bloom[S_BLOOM_BITS / 8];
    uint8_t stem_bloom[SEIN_LANGS][S_BLOOM_BITS / 8]; //  how rule stems start
    //  While loading only: the rules keep no pointer to anything a
    //  thread could write while another matches.
    sein_rules_known_fn *known;
    void *known_arg;
    const sein_lang_t *lang;
    sein_stemmer_t *stemmer;
};

//  --------------------------------------------------------------------------
//  Index

//  The filter bit of the first LEN (at most 8) bytes of TEXT: those bytes
//  as one number, times a large odd constant, the top bits (Fibonacci
//  hashing). A few instructions, and it runs for most words of a text.
//  The filters only spare work, so no hash changes what matches.
static inline uint32_t
s_gram (const char *text, int len)
{
    uint64_t bytes = 0;
    memcpy (&bytes, text, (size_t) len);
    return (uint32_t) (((bytes + (uint64_t) len) * 0x9e3779b97f4a7c15u) >> 48) &
           (S_BLOOM_BITS - 1);
}

static inline bool
s_bloom_has (const uint8_t *bloom, uint32_t bit)
{
    return bloom[bit >> 3] & (1u << (bit & 7));
}

static inline void
s_bloom_set (uint8_t *bloom, const char *text, int len)
{
    uint32_t bit = s_gram (text, len);
    bloom[bit >> 3] |= (uint8_t) (1u << (bit & 7));
}

static inline bool
s_bloom_test (const uint8_t *bloom, const char *text, int len)
{
    return s_bloom_has (bloom, s_gram (text, len));
}

//  Could a word of LEN (4 or more) bytes stem to some rule's stem? See
//  s_index_rule.
static inline bool
s_may_stem (const uint8_t *bloom, const char *word, size_t len)
{
    return s_bloom_test (bloom, word, 3) || s_bloom_test (bloom, word, 4) ||
           (len >= 5 && s_bloom_test (bloom, word, 5));
}

static void
s_post (sein_rules_t *self, int space, const char *word, uint32_t rule, uint16_t part)
{
    size_t len = strlen (word);
    if (len + 2 > S_KEY_MAX)
        return; //  no text word is this long either
    sein_dict_t *index = self->index[space];
    uint32_t id = sein_dict_get (index, word, len);
    if (id == SEIN_DICT_NONE) {
        if (self->nlists == self->lists_capacity) {
            uint32_t capacity = self->lists_capacity ? self->lists_capacity * 2 : 1024;
            self->lists = (s_list_t *) sein_realloc (self->lists, capacity * sizeof (s_list_t));
            self->lists_capacity = capacity;
        }
        id = self->nlists;
        sein_dict_set (index, word, len, id);
        self->lists[self->nlists++] = (s_list_t){NULL, 0, 0};
    }
    s_list_t *list = &self->lists[id];
    for (uint32_t index = 0; index < list->count; index++)
        if (list->items[index].rule == rule && list->items[index].part == part)
            return;
    if (list->count == list->capacity) {
        uint32_t capacity = list->capacity ? list->capacity * 2 : 2;
        list->items =
            (s_posting_t *) sein_realloc (list->items, capacity * sizeof (s_posting_t));
        list->capacity = capacity;
    }
    list->items[list->count++] = (s_posting_t){rule, part};
}

//  After loading: all lists into one array, read-only from then on.
static void
s_flatten (sein_rules_t *self)
{
    size_t total = 0;
    for (uint32_t id = 0; id < self->nlists; id++)
        total += self->lists[id].count;
    self->postings = (s_posting_t *) sein_malloc ((total + 1) * sizeof (s_posting_t));
    self->starts = (uint32_t *) sein_malloc ((self->nlists + 1) * sizeof (uint32_t));
    uint32_t at = 0;
    for (uint32_t id = 0; id < self->nlists; id++) {
        self->starts[id] = at;
        memcpy (self->postings + at, self->lists[id].items,
                self->lists[id].count * sizeof (s_posting_t));
        at += self->lists[id].count;
        free (self->lists[id].items);
    }
    self->starts[self->nlists] = at;
    free (self->lists);
    self->lists = NULL;
}

//  The postings of WORD (LEN bytes, sein_dict_hash HASH) in namespace SPACE.
static inline s_postings_t
s_lookup_hashed (const sein_rules_t *self, int space, const char *word, size_t len,
                 uint32_t hash)
{
    s_postings_t postings = {NULL, 0};
    if (len + 2 > S_KEY_MAX)
        return postings;
    uint32_t id = sein_dict_get_hashed (self->index[space], word, len, hash);
    if (id != SEIN_DICT_NONE) {
        postings.items = self->postings + self->starts[id];
        postings.count = self->starts[id + 1] - self->starts[id];
    }
    return postings;
}

static inline s_postings_t
s_lookup (const sein_rules_t *self, int space, const char *word, size_t len)
{
    return s_lookup_hashed (self, space, word, len, sein_dict_hash (word, len));
}

static void
s_index_member (sein_rules_t *self, int space, const char *word, size_t len, uint32_t rule)
{
    if (len < S_MEMBER_MIN || len >= 64)
        return;
    self->member_lengths |= (uint64_t) 1 << len;
    s_bloom_set (self->head_bloom, word + len - 4, 4);
    s_bloom_set (self->modifier_bloom, word, 4);
    char key[64];
    memcpy (key, word, len);
    key[len] = 0;
    s_post (self, space, key, rule, 0);
}

//  A Dutch verb opens a compound without its -en: "struikelen" is
//  "struikel" in "struikelgevaar" (a plural cut the same way, "kinder" of
//  "kinderen", is a first member too). Only the plain cut: where Dutch
//  spelling doubles a vowel ("parkeren", "parkeer-") the rule file lists
//  the compounds. Only as a first member, and from 5 letters: as a last
//  one a cut verb reads into words it is no part of ("rijd" in
//  "bestrijding").
static void
s_index_first (sein_rules_t *self, const char *word, uint32_t rule)
{
    size_t len = strlen (word);
    if (len >= S_FIRST_MIN + 2 && memcmp (word + len - 2, "en", 2) == 0)
        s_index_member (self, S_FIRST, word, len - 2, rule);
}

static void
s_index_rule (sein_rules_t *self, uint32_t id)
{
    s_rule_t *rule = &self->rules[id];
    if (rule->lang == S_ATTR) {
        s_post (self, S_KEY, rule->key, id, 0);
        return;
    }
    for (size_t part = 0; part < rule->nparts; part++) {
        s_word_t *first = &rule->parts[part].words[0];
        s_post (self, S_SURFACE, first->surface, id, (uint16_t) part);
        if (rule->parts[part].exact)
            continue;
        for (int lang = 0; lang < SEIN_LANGS; lang++) {
            const char *stem = first->stems[lang];
            if (!stem)
                continue;
            s_post (self, S_STEM + lang, stem, id, (uint16_t) part);
            //  Snowball stems keep a word's first letters: a text word
            //  that starts like no rule stem need not be stemmed. A stem
            //  is filed under its first five letters (all, if shorter), and
            //  under the rule word's first five, since Dutch undoubles
            //  vowels ("gevaarlijk" stems to "gevar"). Text words of three
            //  letters or less are never stemmed.
            size_t stem_len = strlen (stem), surface_len = strlen (first->surface);
            if (stem_len >= 3)
                s_bloom_set (self->stem_bloom[lang], stem, stem_len >= 5 ? 5 : (int) stem_len);
            if (surface_len >= 5)
                s_bloom_set (self->stem_bloom[lang], first->surface, 5);
        }
        bool dutch = rule->lang == SEIN_NL || rule->lang == S_ANY;
        //  Members are indexed as written only: a verb's stem makes a poor
        //  head ("bestrijding" would read as best + rijd(en)). The text's
        //  own stem is still split, so "straatlampen" finds "lamp".
        if (dutch && rule->parts[part].nwords == 1 && rule->nparts == 1 &&
            !rule->parts[part].exact) {
            s_index_member (self, S_MEMBER, first->surface, strlen (first->surface), id);
            if (self->modifiers)
                s_index_first (self, first->surface, id);
        }
    }
}

//  --------------------------------------------------------------------------
//  Loading

static void
s_rule_free (s_rule_t *rule)
{
    for (size_t part = 0; part < rule->nparts; part++) {
        for (size_t word = 0; word < rule->parts[part].nwords; word++) {
            s_word_t *entry = &rule->parts[part].words[word];
            free (entry->surface);
            for (int lang = 0; lang < SEIN_LANGS; lang++)
                free (entry->stems[lang]);
        }
        free (rule->parts[part].words);
    }
    free (rule->pattern);
    free (rule->key);
    free (rule->value);
}

//  Fold and stem one part of a pattern ("nid de guêpes") into PART.
static char *
s_parse_part (sein_rules_t *self, s_rule_t *rule, const char *text, size_t len,
              s_part_t *part)
{
    while (len > 0 && *text == ' ') {
        text++;
        len--;
    }
    if (len > 0 && *text == '=') {
        part->exact = true;
        text++;
        len--;
    }
    sein_text_t *analysis = (sein_text_t *) sein_malloc (sizeof *analysis);
    sein_text_analyse (analysis, self->lang, text, len);
    char *message = NULL;
    if (analysis->ntokens == 0)
        message = sein_strdup ("a pattern part has no words");
    else if (analysis->ntokens > S_PART_WORDS_MAX)
        message = sein_sprintf ("a phrase has at most %d words", S_PART_WORDS_MAX);
    else
        part->words = (s_word_t *) sein_calloc (analysis->ntokens, sizeof (s_word_t));
    for (size_t index = 0; !message && index < analysis->ntokens; index++) {
        s_word_t *word = &part->words[part->nwords++];
        word->surface = sein_strdup (sein_text_word (analysis, index));
        word->len = analysis->tokens[index].len;
        word->hash = analysis->tokens[index].hash;
        for (int lang = 0; !part->exact && lang < SEIN_LANGS; lang++)
            if (rule->lang == lang || rule->lang == S_ANY)
                word->stems[lang] =
                    sein_strdup (sein_text_stem (analysis, self->stemmer, index, lang));
    }
    sein_text_release (analysis);
    free (analysis);
    return message;
}

static char *
s_parse_attribute (s_rule_t *rule, const char *pattern)
{
    size_t key_len = strcspn (pattern, "<>=!");
    char *key = sein_strndup (pattern, key_len);
    //  Keys compare case-insensitively, trimmed.
    while (key_len > 0 && key[key_len - 1] == ' ')
        key[--key_len] = 0;
    for (char *c = key; *c; c++) {
        *c = (char) tolower ((unsigned char) *c);
        if (!(isalnum ((unsigned char) *c) || *c == '_' || *c == '.' || *c == '-')) {
            free (key);
            return sein_sprintf ("attribute key '%s' may hold only letters, digits, "
                                 "'_', '.', '-'",
                                 pattern);
        }
    }
    if (key_len == 0) {
        free (key);
        return sein_sprintf ("'%s' has no attribute key", pattern);
    }
    rule->key = key;
    const char *op = pattern + strcspn (pattern, "<>=!");
    if (*op == 0) {
        rule->op = S_PRESENT;
        return NULL;
    }
    static const struct {
        const char *text;
        int op;
    } ops[] = {{">=", S_GE}, {"<=", S_LE}, {"!=", S_NE}, {"=", S_EQ},
               {">", S_GT},  {"<", S_LT},  {NULL, 0}};
    size_t op_len = 0;
    for (int index = 0; ops[index].text; index++)
        if (strncmp (op, ops[index].text, strlen (ops[index].text)) == 0) {
            rule->op = ops[index].op;
            op_len = strlen (ops[index].text);
            break;
        }
    if (op_len == 0)
        return sein_sprintf ("'%s': the operator must be =, !=, <, <=, > or >=", pattern);
    const char *value = op + op_len;
    while (*value == ' ')
        value++;
    if (*value == 0)
        return sein_sprintf ("'%s' has no value after the operator", pattern);
    rule->value = sein_strdup (value);
    char *end;
    rule->number = strtod (value, &end);
    bool numeric = end != value && *end == 0 && isfinite (rule->number);
    if (!numeric)
        rule->number = NAN;
    if (!numeric && rule->op != S_EQ && rule->op != S_NE)
        return sein_sprintf ("'%s': <, <=, > and >= need a number", pattern);
    return NULL;
}

static char *
s_row (void *arg, char **fields, int nfields, int line)
{
    sein_rules_t *self = (sein_rules_t *) arg;
    const char *target = fields[0], *lang = fields[1], *pattern = fields[2];
    if (self->known && !self->known (self->known_arg, target))
        return sein_sprintf ("unknown %s '%s'", self->weighted ? "theme" : "priority",
                             target);
    s_rule_t rule;
    memset (&rule, 0, sizeof rule);
    rule.line = line;
    rule.weight = 1;
    if (strcmp (lang, "*") == 0)
        rule.lang = S_ANY;
    else if (strcmp (lang, "attr") == 0)
        rule.lang = S_ATTR;
    else if ((rule.lang = sein_lang_from_code (lang)) == SEIN_LANG_NONE)
        return sein_sprintf ("lang must be nl, fr, en, * or attr, not '%s'", lang);
    if (*pattern == 0)
        return sein_strdup ("pattern is empty");
    if (self->weighted && nfields > 3 && *fields[3]) {
        if (sein_tsv_double (fields[3], -S_WEIGHT_MAX, S_WEIGHT_MAX, &rule.weight) ||
            rule.weight == 0)
            return sein_sprintf ("weight must be a number -10..10 other than 0, not '%s'",
                                 fields[3]);
    }
    //  Find each index slot for the target once.
    rule.target = -1;
    for (size_t index = 0; index < self->ntargets; index++)
        if (strcmp (self->targets[index], target) == 0)
            rule.target = (int) index;
    if (rule.target < 0) {
        self->targets =
            (char **) sein_realloc (self->targets, (self->ntargets + 1) * sizeof (char *));
        self->targets[self->ntargets] = sein_strdup (target);
        rule.target = (int) self->ntargets++;
    }
    rule.pattern = sein_strdup (pattern);
    char *message = NULL;
    if (rule.lang == S_ATTR)
        message = s_parse_attribute (&rule, pattern);
    else {
        const char *cursor = pattern;
        while (!message && *cursor) {
            size_t len = strcspn (cursor, "+");
            if (rule.nparts == S_PARTS_MAX)
                message = sein_sprintf ("at most %d parts joined by '+'", S_PARTS_MAX);
            else
                message = s_parse_part (self, &rule, cursor, len, &rule.parts[rule.nparts++]);
            cursor += len;
            if (*cursor == '+' && !message) {
                cursor++;
                if (*cursor == 0)
                    message = sein_strdup ("nothing after '+'");
            }
        }
    }
    //  The same rule twice is an editing slip; say where the first one is.
    if (!message) {
        char key[512];
        size_t used = (size_t) snprintf (key, sizeof key, "%s\t%s", target, lang);
        for (size_t part = 0; part < rule.nparts && used < sizeof key; part++)
            for (size_t word = 0; word < rule.parts[part].nwords && used < sizeof key; word++)
                used += (size_t) snprintf (key + used, sizeof key - used, "%s%s%s",
                                           word ? " " : "\t+",
                                           word == 0 && rule.parts[part].exact ? "=" : "",
                                           rule.parts[part].words[word].surface);
        if (rule.lang == S_ATTR)
            snprintf (key + used, sizeof key - used, "\t%s", pattern);
        int previous = (int) (intptr_t) zhashx_lookup (self->seen, key);
        if (previous)
            message = sein_sprintf ("'%s' repeats the rule on line %d", pattern, previous);
        else
            zhashx_insert (self->seen, key, (void *) (intptr_t) line);
    }
    if (!message && self->nrules == self->capacity) {
        size_t capacity = self->capacity ? self->capacity * 2 : 256;
        self->rules = (s_rule_t *) sein_realloc (self->rules, capacity * sizeof (s_rule_t));
        self->capacity = capacity;
    }
    if (!message) {
        //  "dog" and "dogs" are one word to the stemmer: count it once.
        char key[512];
        size_t used = (size_t) snprintf (key, sizeof key, "%d\t%d", rule.target, rule.lang);
        int stem_lang = rule.lang >= 0 ? rule.lang : SEIN_NL;
        for (size_t part = 0; part < rule.nparts && used < sizeof key; part++)
            for (size_t word = 0; word < rule.parts[part].nwords && used < sizeof key; word++) {
                const s_word_t *entry = &rule.parts[part].words[word];
                const char *stem = rule.parts[part].exact || rule.lang == S_ATTR ||
                                           !entry->stems[stem_lang]
                                       ? entry->surface
                                       : entry->stems[stem_lang];
                used += (size_t) snprintf (key + used, sizeof key - used, "%s%s%s",
                                           word ? " " : "\t+",
                                           rule.parts[part].exact ? "=" : "", stem);
            }
        if (rule.lang == S_ATTR)
            snprintf (key + used, sizeof key - used, "\t%s", rule.pattern);
        int group = (int) (intptr_t) zhashx_lookup (self->groups, key);
        if (!group) {
            group = (int) self->nrules + 1;
            zhashx_insert (self->groups, key, (void *) (intptr_t) group);
        }
        rule.group = group;
    }
    if (message) {
        s_rule_free (&rule);
        return message;
    }
    self->rules[self->nrules] = rule;
    s_index_rule (self, (uint32_t) self->nrules++);
    return NULL;
}

sein_rules_t *
sein_rules_new (const char *path, const char *column, int flags, sein_rules_known_fn *known,
                void *arg, const sein_lang_t *lang, sein_stemmer_t *stemmer,
                char **error_p)
{
    bool weighted = (flags & SEIN_RULES_WEIGHTED) != 0;
    assert (path);
    assert (column);
    assert (lang);
    assert (stemmer);
    assert (error_p);
    *error_p = NULL;
    sein_rules_t *self = (sein_rules_t *) zmalloc (sizeof *self);
    self->path = sein_strdup (path);
    self->weighted = weighted;
    self->modifiers = (flags & SEIN_RULES_MODIFIERS) != 0;
    self->known = known;
    self->known_arg = arg;
    self->lang = lang;
    self->stemmer = stemmer;
    for (int space = 0; space < S_SPACES; space++)
        self->index[space] = sein_dict_new ();
    self->seen = zhashx_new ();
    zhashx_set_key_duplicator (self->seen, (zhashx_duplicator_fn *) sein_strdup);
    self->groups = zhashx_new ();
    zhashx_set_key_duplicator (self->groups, (zhashx_duplicator_fn *) sein_strdup);
    char *header = sein_sprintf ("%s\tlang\tpattern%s", column, weighted ? "\tweight" : "");
    char *error = sein_tsv_load (path, header, 3, weighted ? 4 : 3, s_row, self);
    free (header);
    zhashx_destroy (&self->seen);
    zhashx_destroy (&self->groups);
    self->known = NULL;
    self->known_arg = NULL;
    self->lang = NULL;
    self->stemmer = NULL;
    if (!error)
        s_flatten (self);
    if (error) {
        *error_p = error;
        sein_rules_destroy (&self);
    }
    return self;
}

void
sein_rules_destroy (sein_rules_t **self_p)
{
    assert (self_p);
    sein_rules_t *self = *self_p;
    if (self) {
        for (size_t index = 0; index < self->nrules; index++)
            s_rule_free (&self->rules[index]);
        free (self->rules);
        for (size_t index = 0; index < self->ntargets; index++)
            free (self->targets[index]);
        free (self->targets);
        for (int space = 0; space < S_SPACES; space++)
            sein_dict_destroy (&self->index[space]);
        for (uint32_t id = 0; self->lists && id < self->nlists; id++)
            free (self->lists[id].items);
        free (self->lists);
        free (self->postings);
        free (self->starts);
        zhashx_destroy (&self->seen);
        zhashx_destroy (&self->groups);
        free (self->path);
        free (self);
        *self_p = NULL;
    }
}

size_t
sein_rules_size (const sein_rules_t *self)
{
    assert (self);
    return self->nrules;
}

//  --------------------------------------------------------------------------
//  Matching

typedef struct {
    uint32_t rule;
    uint16_t part;
    uint16_t how;
    uint32_t token, ntokens;
    uint16_t sentence;
    bool negated, dismissed;
    double weight;
    char detail[64];
} s_candidate_t;

#define S_CANDIDATES_INLINE 96

typedef struct {
    const sein_rules_t *rules;
    sein_text_t *text;
    sein_stemmer_t *stemmer; //  the caller's, for this thread
    int langs[SEIN_LANGS]; //  languages whose stems to try
    int nlangs;
    s_candidate_t *items;
    size_t count, capacity;
    s_candidate_t inline_items[S_CANDIDATES_INLINE];
} s_matcher_t;

static s_candidate_t *
s_candidate (s_matcher_t *matcher)
{
    if (matcher->count == matcher->capacity) {
        size_t capacity = matcher->capacity * 2;
        s_candidate_t *items;
        if (matcher->items == matcher->inline_items) {
            items = (s_candidate_t *) sein_malloc (capacity * sizeof *items);
            memcpy (items, matcher->items, matcher->count * sizeof *items);
        } else
            items = (s_candidate_t *) sein_realloc (matcher->items, capacity * sizeof *items);
        matcher->items = items;
        matcher->capacity = capacity;
    }
    s_candidate_t *candidate = &matcher->items[matcher->count++];
    candidate->detail[0] = 0;
    return candidate;
}

//  Is token INDEX rule word WORD as written? Phrases are checked for every
//  occurrence of their first word: the hashes settle nearly every "no".
static inline bool
s_same_word (const sein_text_t *text, size_t index, const s_word_t *word)
{
    const sein_token_t *token = &text->tokens[index];
    return token->hash == word->hash && token->len == word->len &&
           memcmp (text->folded + token->start, word->surface, word->len) == 0;
}

//  Does token INDEX read as rule word WORD?
static bool
s_word_matches (s_matcher_t *matcher, size_t index, const s_word_t *word)
{
    if (s_same_word (matcher->text, index, word))
        return true;
    const char *surface = sein_text_word (matcher->text, index);
    for (int at = 0; at < matcher->nlangs; at++) {
        int lang = matcher->langs[at];
        const char *rule_stem = word->stems[lang];
        //  Stemming only when the first two letters agree, as strncmp
        //  (surface, rule_stem, 2) would say.
        if (!rule_stem || surface[0] != rule_stem[0] ||
            (surface[0] && surface[1] != rule_stem[1]))
            continue;
        const char *stem = sein_text_stem (matcher->text, matcher->stemmer, index, lang);
        if (strcmp (stem, word->stems[lang]) == 0)
            return true;
    }
    return false;
}

//  Posting POSTING matched token INDEX by HOW: verify the rest of a phrase
//  and record a candidate. Returns true when a candidate was recorded.
static bool
s_try (s_matcher_t *matcher, const s_posting_t *posting, size_t index, int how)
{
    const s_rule_t *rule = &matcher->rules->rules[posting->rule];
    const s_part_t *part = &rule->parts[posting->part];
    sein_text_t *text = matcher->text;
    const sein_token_t *first = &text->tokens[index];
    if (part->exact && how != SEIN_RULE_WORD)
        return false; //  reached through a stem or a compound member
    for (size_t word = 1; word < part->nwords; word++) {
        size_t at = index + word;
        if (at >= text->ntokens || text->tokens[at].sentence != first->sentence)
            return false;
        if (part->exact ? !s_same_word (text, at, &part->words[word])
                        : !s_word_matches (matcher, at, &part->words[word]))
            return false;
    }
    double factor = 1;
    if (part->nwords > 1)
        how = SEIN_RULE_PHRASE;
    else if (how == SEIN_RULE_WORD && rule->lang >= 0 && text->lang >= 0 &&
             rule->lang != text->lang) {
        if (first->len < S_OTHER_LANG_MIN)
            return false;
        how = SEIN_RULE_OTHER_LANG;
        factor = S_FACTOR_OTHER_LANG;
    } else if (how == SEIN_RULE_COMPOUND)
        factor = S_FACTOR_HEAD;
    else if (how == S_MODIFIER) {
        how = SEIN_RULE_COMPOUND;
        factor = S_FACTOR_MODIFIER;
    }
    //  One word or phrase start may reach the same rule by surface and stem.
    //  A word that matched a rule as written keeps that rule's weight: the
    //  stem of "nacht" finds "nachten" of the same theme too, but the
    //  writer weighed "nacht" itself.
    for (size_t other = 0; other < matcher->count; other++) {
        s_candidate_t *seen = &matcher->items[other];
        if (seen->token != index)
            continue;
        if (seen->rule == posting->rule && seen->part == posting->part)
            return true;
        if (how == SEIN_RULE_STEM && seen->how == SEIN_RULE_WORD && part->nwords == 1 &&
            matcher->rules->rules[seen->rule].group == rule->group &&
            matcher->rules->rules[seen->rule].nparts == 1 && rule->nparts == 1)
            return true;
    }
    s_candidate_t *candidate = s_candidate (matcher);
    candidate->rule = posting->rule;
    candidate->part = posting->part;
    candidate->how = (uint16_t) how;
    candidate->token = (uint32_t) index;
    candidate->ntokens = (uint32_t) part->nwords;
    candidate->sentence = first->sentence;
    //  A negation inside a phrase ("geen licht") is the phrase's own word.
    candidate->negated = (first->flags & SEIN_TOKEN_NEGATED) != 0;
    candidate->dismissed = (first->flags & SEIN_TOKEN_DISMISSED) != 0;
    candidate->weight = rule->weight * factor;
    return true;
}

static bool
s_try_all (s_matcher_t *matcher, s_postings_t postings, size_t index, int how, bool *single)
{
    bool any = false;
    for (size_t at = 0; at < postings.count; at++) {
        const s_posting_t *posting = &postings.items[at];
        const s_rule_t *rule = &matcher->rules->rules[posting->rule];
        if (s_try (matcher, posting, index, how)) {
            any = true;
            if (rule->parts[posting->part].nwords == 1)
                *single = true;
        }
    }
    return any;
}

static bool
s_known_member (void *arg, const char *part, size_t len, bool first)
{
    const sein_rules_t *self = (const sein_rules_t *) arg;
    if (len >= 64 || !(self->member_lengths & ((uint64_t) 1 << len)))
        return false;
    //  Every member is in both filters (see s_index_member): two cheap
    //  tests spare hashing most of the parts a compound is cut into.
    if (!s_bloom_test (self->modifier_bloom, part, 4) ||
        !s_bloom_test (self->head_bloom, part + len - 4, 4))
        return false;
    uint32_t hash = sein_dict_hash (part, len);
    return s_lookup_hashed (self, S_MEMBER, part, len, hash).count > 0 ||
           (first && s_lookup_hashed (self, S_FIRST, part, len, hash).count > 0);
}

//  A long word no rule matched whole: look for known members.
static void
s_compound (s_matcher_t *matcher, size_t index)
{
    const sein_rules_t *self = matcher->rules;
    sein_text_t *text = matcher->text;
    const char *surface = sein_text_word (text, index);
    for (int form = 0; form < 2; form++) {
        //  The word as written, then its Dutch stem: stemmed only when the
        //  written form found nothing (the stemmer is the costliest step).
        const char *word = form ? sein_text_stem (text, matcher->stemmer, index, SEIN_NL)
                                : surface;
        size_t len = strlen (word);
        if (len < S_COMPOUND_MIN || (form == 1 && strcmp (word, surface) == 0))
            continue;
        bool head = s_bloom_test (self->head_bloom, word + len - 4, 4);
        bool modifier = s_bloom_test (self->modifier_bloom, word, 4);
        if (!head && !modifier)
            continue;
        sein_compound_t compound;
        if (!sein_text_compound (word, len, s_known_member, (void *) self, &compound))
            continue;
        bool single = false;
        if (compound.head_len)
            s_try_all (matcher,
                       s_lookup (self, S_MEMBER, word + compound.head_start,
                                 compound.head_len),
                       index, SEIN_RULE_COMPOUND, &single);
        if (compound.modifier_len && self->modifiers) {
            size_t modifier = compound.modifier_match_len;
            s_postings_t postings = s_lookup (self, S_MEMBER, word, modifier);
            if (!postings.count)
                postings = s_lookup (self, S_FIRST, word, modifier);
            s_try_all (matcher, postings, index, S_MODIFIER, &single);
        }
        return;
    }
}

static bool
s_compare (const s_rule_t *rule, const char *value)
{
    if (rule->op == S_PRESENT)
        return true;
    char *end;
    double number = strtod (value, &end);
    bool numeric = end != value && isfinite (number);
    if (rule->op == S_EQ || rule->op == S_NE) {
        bool equal = (numeric && !isnan (rule->number)) ? number == rule->number
                                                        : strcasecmp (value, rule->value) == 0;
        return rule->op == S_EQ ? equal : !equal;
    }
    if (!numeric)
        return false;
    switch (rule->op) {
    case S_LT: return number < rule->number;
    case S_LE: return number <= rule->number;
    case S_GT: return number > rule->number;
    default: return number >= rule->number;
    }
}

//  How many of LEN bytes of TEXT to keep for at most LIMIT, without
//  cutting a UTF-8 character.
static size_t
s_cut (const char *text, size_t len, size_t limit)
{
    if (len <= limit)
        return len;
    while (limit > 0 && ((unsigned char) text[limit] & 0xC0) == 0x80)
        limit--;
    return limit;
}

//  A machine-event KEY (LEN bytes, any case) with VALUE (may be NULL).
static void
s_attribute (s_matcher_t *matcher, const char *key, size_t len, const char *value,
             size_t value_len)
{
    char folded[S_KEY_MAX];
    if (len == 0 || len + 1 > sizeof folded)
        return;
    for (size_t at = 0; at < len; at++)
        folded[at] = (char) tolower ((unsigned char) key[at]);
    s_postings_t postings = s_lookup (matcher->rules, S_KEY, folded, len);
    if (postings.count == 0)
        return;
    char copy[128];
    snprintf (copy, sizeof copy, "%.*s", (int) s_cut (value ? value : "", value_len, 127),
              value ? value : "");
    for (size_t at = 0; at < postings.count; at++) {
        const s_rule_t *rule = &matcher->rules->rules[postings.items[at].rule];
        if (!s_compare (rule, value ? copy : ""))
            continue;
        if (!value && rule->op != S_PRESENT)
            continue;
        s_candidate_t *candidate = s_candidate (matcher);
        candidate->rule = postings.items[at].rule;
        candidate->part = 0;
        candidate->how = SEIN_RULE_ATTRIBUTE;
        candidate->token = candidate->ntokens = 0;
        candidate->sentence = 0;
        candidate->negated = candidate->dismissed = false;
        candidate->weight = rule->weight;
        //  Shown to people: long keys and values are cut, between
        //  characters (the detail must stay valid UTF-8).
        int key_shown = (int) s_cut (key, len, 40);
        int value_shown = (int) s_cut (copy, strlen (copy), 20);
        if (value)
            snprintf (candidate->detail, sizeof candidate->detail, "%.*s=%.*s", key_shown,
                      key, value_shown, copy);
        else
            snprintf (candidate->detail, sizeof candidate->detail, "%.*s", key_shown, key);
    }
}

static inline bool
s_key_byte (char c)
{
    return isalnum ((unsigned char) c) || c == '_' || c == '.' || c == '-';
}

//  Machine events put "key=value" and snake_case flags in the description.
static void
s_description_keys (s_matcher_t *matcher, const char *text)
{
    const char *cursor = text;
    while (*cursor) {
        if (!s_key_byte (*cursor)) {
            cursor++;
            continue;
        }
        const char *start = cursor;
        bool snake = false;
        while (s_key_byte (*cursor)) {
            snake |= *cursor == '_';
            cursor++;
        }
        size_t len = (size_t) (cursor - start);
        if (*cursor == '=') {
            const char *value = ++cursor;
            while (*cursor && !isspace ((unsigned char) *cursor) && *cursor != ',' &&
                   *cursor != ';')
                cursor++;
            s_attribute (matcher, start, len, value, (size_t) (cursor - value));
            //  a snake_case value ("status=drought_stress") is a flag too
            bool value_snake = memchr (value, '_', (size_t) (cursor - value)) != NULL;
            if (value_snake)
                s_attribute (matcher, value, (size_t) (cursor - value), NULL, 0);
        } else if (snake)
            s_attribute (matcher, start, len, NULL, 0);
    }
}

static int
s_order (const s_candidate_t *left, const s_candidate_t *right)
{
    if (left->ntokens != right->ntokens)
        return left->ntokens > right->ntokens ? -1 : 1;
    if (left->dismissed != right->dismissed)
        return left->dismissed ? 1 : -1;
    if (left->negated != right->negated)
        return left->negated ? 1 : -1;
    if (left->weight != right->weight)
        return left->weight > right->weight ? -1 : 1;
    return (left->token > right->token) - (left->token < right->token);
}

static void
s_emit (sein_rule_hits_t *hits, const sein_rules_t *self, const s_candidate_t *candidate)
{
    if (hits->count == hits->capacity) {
        size_t capacity = hits->capacity * 2;
        sein_rule_hit_t *grown;
        if (hits->hits == hits->hits_inline) {
            grown = (sein_rule_hit_t *) sein_malloc (capacity * sizeof *grown);
            memcpy (grown, hits->hits, hits->count * sizeof *grown);
        } else
            grown = (sein_rule_hit_t *) sein_realloc (hits->hits, capacity * sizeof *grown);
        hits->hits = grown;
        hits->capacity = capacity;
    }
    const s_rule_t *rule = &self->rules[candidate->rule];
    sein_rule_hit_t *hit = &hits->hits[hits->count++];
    hit->target = self->targets[rule->target];
    hit->weight = candidate->weight;
    hit->pattern = rule->pattern;
    hit->line = rule->line;
    hit->group = rule->group;
    hit->how = candidate->how;
    hit->negated = candidate->negated;
    hit->dismissed = candidate->dismissed;
    hit->token = candidate->token;
    hit->ntokens = candidate->how == SEIN_RULE_TOGETHER ? 0 : candidate->ntokens;
    memcpy (hit->detail, candidate->detail, sizeof hit->detail);
}

//  Sort the candidates by s_order, keeping equal ones in the order found.
//  They are a handful, so insertion sort beats qsort (which allocates and
//  sorts indirectly for items this size); it is stable like glibc's merge
//  sort, so hits come out in the same order as they always did.
static void
s_sort (s_candidate_t *items, size_t count)
{
    for (size_t index = 1; index < count; index++) {
        if (s_order (&items[index - 1], &items[index]) <= 0)
            continue;
        s_candidate_t moving = items[index];
        size_t at = index;
        while (at > 0 && s_order (&items[at - 1], &moving) > 0) {
            items[at] = items[at - 1];
            at--;
        }
        items[at] = moving;
    }
}

//  Does an earlier candidate than AT of a LANG rule cover token TOKEN?
static bool
s_voted (const s_matcher_t *matcher, size_t at, int lang, uint32_t token)
{
    for (size_t index = 0; index < at; index++) {
        const s_candidate_t *other = &matcher->items[index];
        if (matcher->rules->rules[other->rule].lang == lang && other->token <= token &&
            token < other->token + other->ntokens)
            return true;
    }
    return false;
}

//  A text whose function words did not decide its language ("fietspad
//  ligt vol scheuren en putten": only "en", Dutch and French) was matched
//  in all three. The words the rules know decide instead: each text word
//  votes for the languages of the rules it matched. Rules of the others
//  then count as they would in a text of the winner: a word as written
//  at half weight and only from 5 letters (French "vol" is Dutch "full"),
//  no foreign stems or compound members. A tie settles nothing.
static int
s_settle_language (s_matcher_t *matcher)
{
    const sein_rules_t *self = matcher->rules;
    int votes[SEIN_LANGS] = {0};
    for (size_t index = 0; index < matcher->count; index++) {
        const s_candidate_t *candidate = &matcher->items[index];
        int lang = self->rules[candidate->rule].lang;
        if (lang < 0 || candidate->how == SEIN_RULE_ATTRIBUTE)
            continue;
        for (uint32_t token = candidate->token;
             token < candidate->token + candidate->ntokens; token++)
            votes[lang] += !s_voted (matcher, index, lang, token);
    }
    int best = SEIN_LANG_NONE, best_votes = 0, second_votes = 0;
    for (int lang = 0; lang < SEIN_LANGS; lang++) {
        if (votes[lang] > best_votes) {
            second_votes = best_votes;
            best_votes = votes[lang];
            best = lang;
        } else if (votes[lang] > second_votes)
            second_votes = votes[lang];
    }
    if (best_votes == second_votes)
        return SEIN_LANG_NONE;
    size_t kept = 0;
    for (size_t index = 0; index < matcher->count; index++) {
        s_candidate_t *candidate = &matcher->items[index];
        const s_rule_t *rule = &self->rules[candidate->rule];
        bool keep = true;
        if (rule->lang >= 0 && rule->lang != best && candidate->how != SEIN_RULE_ATTRIBUTE) {
            if (candidate->how == SEIN_RULE_WORD &&
                matcher->text->tokens[candidate->token].len >= S_OTHER_LANG_MIN) {
                candidate->how = SEIN_RULE_OTHER_LANG;
                candidate->weight *= S_FACTOR_OTHER_LANG;
            } else
                keep = candidate->how == SEIN_RULE_PHRASE;
        }
        if (keep)
            matcher->items[kept++] = *candidate;
    }
    matcher->count = kept;
    return best;
}

//  Accept candidates longest span first; see the file comment.
static void
s_accept (s_matcher_t *matcher, sein_rule_hits_t *hits)
{
    const sein_rules_t *self = matcher->rules;
    s_sort (matcher->items, matcher->count);
    size_t first_hit = hits->count;
    for (size_t index = 0; index < matcher->count; index++) {
        const s_candidate_t *candidate = &matcher->items[index];
        const s_rule_t *rule = &self->rules[candidate->rule];
        if (rule->nparts > 1)
            continue; //  a part of "a + b", settled below
        bool keep = true;
        for (size_t at = first_hit; keep && at < hits->count; at++) {
            const sein_rule_hit_t *hit = &hits->hits[at];
            if (hit->group == rule->group) {
                keep = false; //  this rule, or the same word, already counted
                continue;
            }
            if (candidate->how == SEIN_RULE_ATTRIBUTE || hit->how == SEIN_RULE_ATTRIBUTE)
                continue;
            bool overlap = candidate->token < hit->token + hit->ntokens &&
                           hit->token < candidate->token + candidate->ntokens;
            if (overlap && (hit->ntokens > candidate->ntokens ||
                            hit->target == self->targets[rule->target]))
                keep = false;
        }
        if (keep)
            s_emit (hits, self, candidate);
    }
    //  "a + b": every part in one sentence, best occurrences preferred.
    for (size_t index = 0; index < matcher->count; index++) {
        const s_candidate_t *candidate = &matcher->items[index];
        const s_rule_t *rule = &self->rules[candidate->rule];
        if (rule->nparts < 2 || candidate->part != 0)
            continue;
        bool done = false;
        for (size_t at = first_hit; at < hits->count; at++)
            done |= hits->hits[at].group == rule->group;
        if (done)
            continue;
        bool negated = candidate->negated, dismissed = candidate->dismissed;
        size_t found = 1;
        for (size_t part = 1; part < rule->nparts; part++) {
            for (size_t other = 0; other < matcher->count; other++) {
                const s_candidate_t *peer = &matcher->items[other];
                if (peer->rule == candidate->rule && peer->part == part &&
                    peer->sentence == candidate->sentence) {
                    negated |= peer->negated;
                    dismissed |= peer->dismissed;
                    found++;
                    break;
                }
            }
        }
        if (found == rule->nparts) {
            s_candidate_t together = *candidate;
            together.how = SEIN_RULE_TOGETHER;
            together.negated = negated;
            together.dismissed = dismissed;
            together.weight = rule->weight;
            s_emit (hits, self, &together);
        }
    }
}

void
sein_rules_match (const sein_rules_t *self, sein_text_t *text, sein_stemmer_t *stemmer,
                  const sein_attribute_t *attributes, size_t nattributes,
                  const char *description, sein_rule_hits_t *hits)
{
    assert (self);
    assert (text);
    assert (stemmer);
    assert (hits);
    hits->hits = hits->hits_inline;
    hits->count = 0;
    hits->capacity = SEIN_RULE_HITS_INLINE;
    hits->lang = text->lang;
    //  The matcher is large; it lives here for one call, not in SELF, so
    //  the rules stay immutable.
    s_matcher_t matcher;
    matcher.rules = self;
    matcher.text = text;
    matcher.stemmer = stemmer;
    matcher.items = matcher.inline_items;
    matcher.count = 0;
    matcher.capacity = S_CANDIDATES_INLINE;
    matcher.nlangs = 0;
    if (text->lang >= 0)
        matcher.langs[matcher.nlangs++] = text->lang;
    else
        for (int language = 0; language < SEIN_LANGS; language++)
            matcher.langs[matcher.nlangs++] = language;
    bool dutch = text->lang == SEIN_NL || text->lang == SEIN_LANG_NONE;

    for (size_t index = 0; index < text->ntokens; index++) {
        const sein_token_t *token = &text->tokens[index];
        if (token->flags & SEIN_TOKEN_NUMBER)
            continue;
        const char *word = sein_text_word (text, index);
        bool single = false;
        s_postings_t postings =
            s_lookup_hashed (self, S_SURFACE, word, token->len, token->hash);
        if (postings.count) //  most words are in no rule
            s_try_all (&matcher, postings, index, SEIN_RULE_WORD, &single);
        //  Stemmed even when it matched as written: another theme may know
        //  it in another inflection (verkeer "scheuren", openbaar-domein
        //  "scheur"). Few words match any rule, so this costs little.
        if (token->len > 3 && !(token->flags & SEIN_TOKEN_FUNCTION)) {
            for (int at = 0; at < matcher.nlangs; at++) {
                int language = matcher.langs[at];
                if (!s_may_stem (self->stem_bloom[language], word, token->len))
                    continue;
                const char *stem = sein_text_stem (text, stemmer, index, language);
                s_try_all (&matcher,
                           s_lookup (self, S_STEM + language, stem, strlen (stem)), index,
                           SEIN_RULE_STEM, &single);
            }
        }
        if (!single && dutch && token->len >= S_COMPOUND_MIN &&
            !(token->flags & SEIN_TOKEN_FUNCTION))
            s_compound (&matcher, index);
    }
    for (size_t index = 0; index < nattributes; index++) {
        const char *key = attributes[index].key, *string = attributes[index].value;
        size_t len = strlen (string);
        s_attribute (&matcher, key, strlen (key), string, len);
        //  {"type": "bait_station"}: a snake_case value names an event too
        if (len < 64 && memchr (string, '_', len))
            s_attribute (&matcher, string, len, NULL, 0);
    }
    if (description && (strchr (description, '=') || strchr (description, '_')))
        s_description_keys (&matcher, description);
    hits->lang = text->lang;
    if (text->lang == SEIN_LANG_NONE)
        hits->lang = s_settle_language (&matcher);
    s_accept (&matcher, hits);
    if (matcher.items != matcher.inline_items)
        free (matcher.items);
}

void
sein_rule_hits_release (sein_rule_hits_t *hits)
{
    if (hits && hits->hits && hits->hits != hits->hits_inline)
        free (hits->hits);
    if (hits) {
        hits->hits = hits->hits_inline;
        hits->count = 0;
        hits->capacity = SEIN_RULE_HITS_INLINE;
    }
}
