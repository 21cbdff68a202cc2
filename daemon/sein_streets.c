// SPDX-License-Identifier: MPL-2.0
/*  sein_streets.c - street register, normalised-name trie, typo index

    Loading turns every register name into its normalised key (see
    sein_streets.h) and inserts it into a character trie. Finding a street
    in a text walks the trie from each word, joining the following words as
    long as the trie has a path: "Wilselse steenweg" and "Wilselsesteenweg"
    reach the same node. A walk usually dies after two or three letters, so
    a text costs about one step per letter whatever the register's size.

    Typos are looked up in a symmetric-deletion index (the SymSpell idea):
    each street's key is stored with every single letter deleted (except
    the first, which people rarely get wrong). A query's variants meet a
    street's variants when the two are one edit apart, so the index answers
    in a few hash lookups however many streets there are. A candidate then
    has to pass s_typo_allowed, which keeps the street type out of reach.
*/
#include "sein_streets.h"
#include "sein_alloc.h"
#include "sein_dict.h"
#include "sein_tsv.h"

#include <assert.h>
#include <czmq.h>

#define S_KEY_MAX       128 //  bytes of a normalised name
#define S_WINDOW_MAX    6   //  words one street name may span
#define S_TEXT_MIN      6   //  shortest name recognised in free text
#define S_TYPO_STEM_MIN 6   //  shortest name-before-type that tolerates a typo
#define S_NUMBER_MAX    100000
#define S_NUMBER_REACH  8   //  words after a name a number word may come
#define S_PREFIX_BITS   65536

//  While loading, children are a linked list; s_compact then lays every
//  node's children out next to each other, sorted and depth-first, so a
//  lookup scans a few adjacent bytes instead of chasing pointers through
//  the register.
typedef struct {
    uint32_t child;   //  first child, 0 = none
    uint32_t sibling; //  next sibling while loading, 0 = none
    int32_t street;   //  street ending here, -1 = none
    uint16_t count;   //  number of children, after s_compact
    unsigned char c;
} s_node_t;

typedef struct {
    char *name; //  as first written
    char *key;  //  normalised
    size_t type_len;
    sein_street_range_t *ranges;
    size_t nranges, capacity;
} s_street_t;

//  Street ids sharing one typo key, while loading.
typedef struct {
    uint32_t *ids;
    uint32_t count, capacity;
} s_ids_t;

struct _sein_streets_t {
    char *path;
    s_street_t *streets;
    size_t nstreets, capacity;
    zhashx_t *by_key; //  key -> street index + 1, while loading
    s_node_t *nodes;  //  nodes[0] unused: 0 means "none"
    size_t nnodes, nodes_capacity;
    uint32_t root[256];
    sein_dict_t *typos;   //  key with one letter deleted -> list number
    s_ids_t *lists;       //  while loading, by list number
    uint32_t nlists, lists_capacity;
    uint32_t *typo_ids;   //  after loading: all lists, one after the other
    uint32_t *typo_starts; //  list number -> first id; [nlists] = end
    sein_streets_known_fn *known;
    void *known_arg;
    //  First four letters of every key: in free text, a word that starts no
    //  street is skipped without touching the trie (cache misses on a big
    //  register).
    uint64_t prefixes[S_PREFIX_BITS / 64];
};

//  --------------------------------------------------------------------------
//  Normalising

typedef struct {
    const char *abbrev;
    size_t abbrev_len;
    const char *full;
    size_t full_len;
} s_abbrev_t;

#define S_ABBREV(abbrev, full) {abbrev, sizeof abbrev - 1, full, sizeof full - 1}

//  Whole words only: "Kard. Mercierlaan", "St.-Jacobsplein".
static const s_abbrev_t s_words[] = {
    S_ABBREV ("st", "sint"),         S_ABBREV ("kard", "kardinaal"),
    S_ABBREV ("kol", "kolonel"),     S_ABBREV ("prof", "professor"),
    S_ABBREV ("mgr", "monseigneur"), S_ABBREV ("burg", "burgemeester"),
    S_ABBREV ("kon", "koning"),      S_ABBREV ("gen", "generaal"),
    S_ABBREV ("pr", "prins"),        {NULL, 0, NULL, 0}};

//  At the end of a word, or a word by themselves: "Naamsestr.", "Naamse str".
//  One may end another ("pln", "ln"): the longest that fits wins, so the
//  order here does not matter.
static const s_abbrev_t s_suffixes[] = {
    S_ABBREV ("steenw", "steenweg"), S_ABBREV ("stnwg", "steenweg"),
    S_ABBREV ("stwg", "steenweg"),   S_ABBREV ("stw", "steenweg"),
    S_ABBREV ("strt", "straat"),     S_ABBREV ("str", "straat"),
    S_ABBREV ("ln", "laan"),         S_ABBREV ("pln", "plein"),
    S_ABBREV ("pl", "plein"),        S_ABBREV ("bn", "baan"),
    {NULL, 0, NULL, 0}};

//  Street types, longest first where one ends another ("steenweg", "weg").
static const char *s_types[] = {
    "steenweg", "straatje", "straat", "plaats", "singel", "kouter", "velden", "plein",
    "wegel", "dreef", "markt", "vaart", "beemd", "heide", "weide", "poort", "laan",
    "baan", "kaai", "vest", "dijk", "park", "berg", "ring", "gang", "brug", "veld",
    "hoek", "weg", "lei", "hof", "pad", "kom", "dal", "bos", "rei", NULL};

//  Expand WORD (LEN bytes) into OUT when it is or ends in an abbreviation.
//  Returns the expanded length, 0 when there is nothing to expand.
static size_t
s_expand (const char *word, size_t len, char *out, size_t capacity)
{
    //  Runs for every word of every text: cheap tests first. Every
    //  abbreviation ends in one of these letters.
    if (len == 0)
        return 0;
    switch (word[len - 1]) {
    case 'd': case 'f': case 'g': case 'l': case 'n': case 'r': case 't': case 'w':
        break;
    default:
        return 0;
    }
    if (len <= 4)
        for (const s_abbrev_t *entry = s_words; entry->abbrev; entry++)
            if (entry->abbrev_len == len && word[0] == entry->abbrev[0] &&
                memcmp (word, entry->abbrev, len) == 0) {
                if (entry->full_len + 1 > capacity)
                    return 0;
                memcpy (out, entry->full, entry->full_len + 1);
                return entry->full_len;
            }
    const s_abbrev_t *found = NULL;
    for (const s_abbrev_t *entry = s_suffixes; entry->abbrev; entry++) {
        size_t abbrev = entry->abbrev_len;
        //  Abbreviations have two letters or more: the last two first.
        if (len >= abbrev && word[len - 1] == entry->abbrev[abbrev - 1] &&
            word[len - 2] == entry->abbrev[abbrev - 2] &&
            memcmp (word + len - abbrev, entry->abbrev, abbrev) == 0 &&
            (!found || abbrev > found->abbrev_len))
            found = entry;
    }
    if (!found)
        return 0;
    //  "Martelarenpln" read as "...plaan" would be one letter from
    //  Martelarenlaan: a wrong expansion feeds the typo matcher a look-alike.
    size_t stem = len - found->abbrev_len;
    if (stem + found->full_len + 1 > capacity)
        return 0;
    memcpy (out, word, stem);
    memcpy (out + stem, found->full, found->full_len + 1);
    return stem + found->full_len;
}

static size_t
s_type_len (const char *key, size_t len)
{
    for (const char **type = s_types; *type; type++) {
        size_t type_len = strlen (*type);
        if (len > type_len && memcmp (key + len - type_len, *type, type_len) == 0)
            return type_len;
    }
    return 0;
}

int
sein_streets_normalise (const char *name, char *out, size_t capacity)
{
    assert (name);
    assert (out && capacity > 0);
    size_t size = strlen (name);
    char folded_inline[512];
    char *folded = folded_inline;
    size_t folded_capacity = sein_text_fold_bound (size);
    if (folded_capacity > sizeof folded_inline)
        folded = (char *) sein_malloc (folded_capacity);
    long folded_len = sein_text_fold (name, size, folded, folded_capacity);
    size_t used = 0;
    int result = 0;
    for (long at = 0; result == 0 && at < folded_len;) {
        unsigned char c = (unsigned char) folded[at];
        bool word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
        if (!word) {
            at++;
            continue;
        }
        long end = at;
        while (end < folded_len) {
            unsigned char d = (unsigned char) folded[end];
            if (!((d >= 'a' && d <= 'z') || (d >= '0' && d <= '9') || d >= 0x80))
                break;
            end++;
        }
        char expanded[S_KEY_MAX];
        size_t len = s_expand (folded + at, (size_t) (end - at), expanded, sizeof expanded);
        const char *part = len ? expanded : folded + at;
        if (!len)
            len = (size_t) (end - at);
        if (used + len + 1 > capacity)
            result = -1;
        else {
            memcpy (out + used, part, len);
            used += len;
        }
        at = end;
    }
    if (folded != folded_inline)
        free (folded);
    if (result == 0)
        out[used] = 0;
    return result == 0 ? (int) used : -1;
}

//  --------------------------------------------------------------------------
//  Trie

static inline uint32_t
s_prefix_bit (const char *four)
{
    uint32_t hash = 2166136261u;
    for (int index = 0; index < 4; index++)
        hash = (hash ^ (unsigned char) four[index]) * 16777619u;
    return (hash ^ (hash >> 16)) & (S_PREFIX_BITS - 1);
}

static uint32_t
s_new_node (sein_streets_t *self, unsigned char c)
{
    if (self->nnodes >= self->nodes_capacity) {
        size_t capacity = self->nodes_capacity ? self->nodes_capacity * 2 : 1024;
        self->nodes = (s_node_t *) sein_realloc (self->nodes, capacity * sizeof (s_node_t));
        self->nodes_capacity = capacity;
    }
    s_node_t *node = &self->nodes[self->nnodes];
    node->child = node->sibling = 0;
    node->street = -1;
    node->c = c;
    return (uint32_t) self->nnodes++;
}

//  Child C of NODE while loading (linked siblings).
static uint32_t
s_child_linked (const sein_streets_t *self, uint32_t node, unsigned char c)
{
    if (node == 0)
        return self->root[c];
    for (uint32_t child = self->nodes[node].child; child; child = self->nodes[child].sibling)
        if (self->nodes[child].c == c)
            return child;
    return 0;
}

//  Child C of NODE once compact: children are adjacent and sorted.
static inline uint32_t
s_child (const sein_streets_t *self, uint32_t node, unsigned char c)
{
    if (node == 0)
        return self->root[c];
    const s_node_t *parent = &self->nodes[node];
    const s_node_t *child = &self->nodes[parent->child];
    for (uint32_t index = 0; index < parent->count; index++, child++) {
        if (child->c == c)
            return parent->child + index;
        if (child->c > c)
            break;
    }
    return 0;
}

//  Lay out the children of old node OLD (now at index AT) as one sorted
//  block at *USED, then each child's subtree right after it: depth-first,
//  so the nodes one name walks through are close together.
static void
s_place (const sein_streets_t *self, s_node_t *nodes, uint32_t *used, uint32_t at,
         uint32_t old)
{
    uint32_t first = *used;
    for (uint32_t child = self->nodes[old].child; child; child = self->nodes[child].sibling) {
        nodes[*used] = self->nodes[child];
        nodes[*used].sibling = child; //  remember the old index for the descent
        (*used)++;
    }
    uint32_t count = *used - first;
    //  A handful of children: insertion sort by letter.
    for (uint32_t i = first + 1; i < *used; i++)
        for (uint32_t j = i; j > first && nodes[j - 1].c > nodes[j].c; j--) {
            s_node_t node = nodes[j];
            nodes[j] = nodes[j - 1];
            nodes[j - 1] = node;
        }
    nodes[at].child = count ? first : 0;
    nodes[at].count = (uint16_t) count;
    for (uint32_t index = first; index < first + count; index++) {
        uint32_t previous = nodes[index].sibling;
        nodes[index].sibling = 0;
        s_place (self, nodes, used, index, previous);
    }
}

//  Rebuild the trie with each node's children adjacent and sorted.
static void
s_compact (sein_streets_t *self)
{
    s_node_t *nodes = (s_node_t *) sein_calloc (self->nnodes, sizeof (s_node_t));
    uint32_t used = 1; //  index 0 stays "none"
    for (int c = 0; c < 256; c++)
        if (self->root[c]) {
            uint32_t old = self->root[c];
            uint32_t at = used++;
            nodes[at] = self->nodes[old];
            nodes[at].sibling = 0;
            self->root[c] = at;
            s_place (self, nodes, &used, at, old);
        }
    free (self->nodes);
    self->nodes = nodes;
    self->nodes_capacity = self->nnodes;
}

static void
s_insert (sein_streets_t *self, const char *key, int32_t street)
{
    uint32_t node = 0;
    for (const unsigned char *c = (const unsigned char *) key; *c; c++) {
        uint32_t next = s_child_linked (self, node, *c);
        if (!next) {
            next = s_new_node (self, *c);
            if (node == 0)
                self->root[*c] = next;
            else {
                self->nodes[next].sibling = self->nodes[node].child;
                self->nodes[node].child = next;
            }
        }
        node = next;
    }
    self->nodes[node].street = street;
}

static uint32_t
s_descend (const sein_streets_t *self, uint32_t node, const char *text, size_t len)
{
    for (size_t at = 0; at < len; at++) {
        node = s_child (self, node, (unsigned char) text[at]);
        if (!node)
            return 0;
    }
    return node;
}

//  --------------------------------------------------------------------------
//  Typo index

static void
s_typo_add (sein_streets_t *self, const char *key, size_t len, uint32_t id)
{
    uint32_t list = sein_dict_get (self->typos, key, len);
    if (list == SEIN_DICT_NONE) {
        if (self->nlists == self->lists_capacity) {
            uint32_t capacity = self->lists_capacity ? self->lists_capacity * 2 : 4096;
            self->lists = (s_ids_t *) sein_realloc (self->lists, capacity * sizeof (s_ids_t));
            self->lists_capacity = capacity;
        }
        list = self->nlists;
        sein_dict_set (self->typos, key, len, list);
        self->lists[self->nlists++] = (s_ids_t){NULL, 0, 0};
    }
    s_ids_t *ids = &self->lists[list];
    if (ids->count > 0 && ids->ids[ids->count - 1] == id)
        return; //  "burgemeesters" minus either 's' of "ss" is one variant
    if (ids->count == ids->capacity) {
        uint32_t capacity = ids->capacity ? ids->capacity * 2 : 1;
        ids->ids = (uint32_t *) sein_realloc (ids->ids, capacity * sizeof (uint32_t));
        ids->capacity = capacity;
    }
    ids->ids[ids->count++] = id;
}

//  After loading: all id lists into one array.
static void
s_flatten_typos (sein_streets_t *self)
{
    size_t total = 0;
    for (uint32_t list = 0; list < self->nlists; list++)
        total += self->lists[list].count;
    self->typo_ids = (uint32_t *) sein_malloc ((total + 1) * sizeof (uint32_t));
    self->typo_starts = (uint32_t *) sein_malloc ((self->nlists + 1) * sizeof (uint32_t));
    uint32_t at = 0;
    for (uint32_t list = 0; list < self->nlists; list++) {
        self->typo_starts[list] = at;
        memcpy (self->typo_ids + at, self->lists[list].ids,
                self->lists[list].count * sizeof (uint32_t));
        at += self->lists[list].count;
        free (self->lists[list].ids);
    }
    self->typo_starts[self->nlists] = at;
    free (self->lists);
    self->lists = NULL;
}

//  Index the street's key with each letter but the first deleted.
static void
s_typo_index (sein_streets_t *self, const s_street_t *street, uint32_t id)
{
    size_t len = strlen (street->key);
    if (len - street->type_len < S_TYPO_STEM_MIN && !street->type_len)
        return;
    s_typo_add (self, street->key, len, id);
    char variant[S_KEY_MAX];
    for (size_t skip = 1; skip < len; skip++) {
        memcpy (variant, street->key, skip);
        memcpy (variant + skip, street->key + skip + 1, len - skip - 1);
        s_typo_add (self, variant, len - 1, id);
    }
}

//  Is one of s_types exactly TEXT (LEN bytes)?
static bool
s_is_type (const char *text, size_t len)
{
    for (const char **type = s_types; *type; type++)
        if (strlen (*type) == len && memcmp (text, *type, len) == 0)
            return true;
    return false;
}

//  True when A and B (lengths LA, LB) are at most one insertion, deletion,
//  substitution or swap of neighbours apart.
static bool
s_one_edit (const char *a, size_t la, const char *b, size_t lb)
{
    if (la > lb)
        return s_one_edit (b, lb, a, la);
    if (lb - la > 1)
        return false;
    size_t at = 0;
    while (at < la && a[at] == b[at])
        at++;
    if (at == la)
        return true; //  equal, or B has one more letter at the end
    if (la == lb) {
        if (memcmp (a + at + 1, b + at + 1, la - at - 1) == 0)
            return true; //  substitution
        return at + 1 < la && a[at] == b[at + 1] && a[at + 1] == b[at] &&
               memcmp (a + at + 2, b + at + 2, la - at - 2) == 0; //  swap
    }
    return memcmp (a + at, b + at + 1, la - at) == 0; //  B has one more letter
}

//  --------------------------------------------------------------------------
//  Loading

static char *
s_row (void *arg, char **fields, int nfields, int line)
{
    (void) nfields;
    sein_streets_t *self = (sein_streets_t *) arg;
    const char *name = fields[0], *from_text = fields[1], *to_text = fields[2];
    const char *area = fields[3];
    char key[S_KEY_MAX];
    int key_len = sein_streets_normalise (name, key, sizeof key);
    if (key_len < 0)
        return sein_sprintf ("street name '%.64s' is too long", name);
    if (key_len == 0)
        return sein_strdup ("street name is empty");
    long from = 0, to = INT_MAX;
    if (*from_text && sein_tsv_int (from_text, 0, S_NUMBER_MAX, &from))
        return sein_sprintf ("'from' must be a house number 0..%d, not '%s'", S_NUMBER_MAX,
                             from_text);
    if (*to_text) {
        if (!*from_text)
            return sein_strdup ("a range with 'to' needs 'from'");
        if (sein_tsv_int (to_text, from, S_NUMBER_MAX, &to))
            return sein_sprintf ("'to' must be a house number %ld..%d, not '%s'", from,
                                 S_NUMBER_MAX, to_text);
    }
    if (!*area)
        return sein_strdup ("area is empty");
    if (self->known && !self->known (self->known_arg, area))
        return sein_sprintf ("unknown area '%s' (not in the areas file)", area);
    double lat, lon;
    if (sein_tsv_double (fields[4], -90, 90, &lat))
        return sein_sprintf ("lat must be a number -90..90, not '%s'", fields[4]);
    if (sein_tsv_double (fields[5], -180, 180, &lon))
        return sein_sprintf ("lon must be a number -180..180, not '%s'", fields[5]);

    size_t index = (size_t) (uintptr_t) zhashx_lookup (self->by_key, key);
    s_street_t *street;
    if (index) {
        street = &self->streets[index - 1];
        for (size_t other = 0; other < street->nranges; other++) {
            sein_street_range_t *range = &street->ranges[other];
            if (range->from <= to && from <= range->to)
                return sein_sprintf ("numbers of '%s' overlap line %d", name, range->line);
        }
    } else {
        if (self->nstreets == self->capacity) {
            size_t capacity = self->capacity ? self->capacity * 2 : 64;
            self->streets =
                (s_street_t *) sein_realloc (self->streets, capacity * sizeof (s_street_t));
            self->capacity = capacity;
        }
        street = &self->streets[self->nstreets];
        memset (street, 0, sizeof *street);
        street->name = sein_strdup (name);
        street->key = sein_strdup (key);
        street->type_len = s_type_len (key, (size_t) key_len);
        self->nstreets++;
        zhashx_insert (self->by_key, key, (void *) (uintptr_t) self->nstreets);
    }
    if (street->nranges == street->capacity) {
        size_t capacity = street->capacity ? street->capacity * 2 : 2;
        street->ranges = (sein_street_range_t *) sein_realloc (
            street->ranges, capacity * sizeof (sein_street_range_t));
        street->capacity = capacity;
    }
    street->ranges[street->nranges++] = (sein_street_range_t){
        (int) from, (int) to, sein_strdup (area), lat, lon, line};
    return NULL;
}

static int
s_by_from (const void *a, const void *b)
{
    const sein_street_range_t *left = (const sein_street_range_t *) a;
    const sein_street_range_t *right = (const sein_street_range_t *) b;
    return (left->from > right->from) - (left->from < right->from);
}

sein_streets_t *
sein_streets_new (const char *path, sein_streets_known_fn *known, void *arg,
                  char **error_p)
{
    assert (path);
    assert (error_p);
    *error_p = NULL;
    sein_streets_t *self = (sein_streets_t *) zmalloc (sizeof *self);
    self->path = sein_strdup (path);
    self->known = known;
    self->known_arg = arg;
    self->by_key = zhashx_new ();
    zhashx_set_key_duplicator (self->by_key, (zhashx_duplicator_fn *) sein_strdup);
    self->typos = sein_dict_new ();
    self->nnodes = 1; //  node 0 is the root's "none"
    char *error = sein_tsv_load (path, "street\tfrom\tto\tarea\tlat\tlon", 6, 6, s_row,
                                 self);
    for (size_t index = 0; !error && index < self->nstreets; index++) {
        s_street_t *street = &self->streets[index];
        qsort (street->ranges, street->nranges, sizeof *street->ranges, s_by_from);
        if (strlen (street->key) >= 4) {
            uint32_t bit = s_prefix_bit (street->key);
            self->prefixes[bit >> 6] |= (uint64_t) 1 << (bit & 63);
        }
        s_insert (self, street->key, (int32_t) index);
        s_typo_index (self, street, (uint32_t) index);
    }
    if (!error) {
        s_compact (self);
        s_flatten_typos (self);
    }
    zhashx_destroy (&self->by_key); //  the trie answers from now on
    if (error) {
        *error_p = error;
        sein_streets_destroy (&self);
    }
    return self;
}

void
sein_streets_destroy (sein_streets_t **self_p)
{
    assert (self_p);
    sein_streets_t *self = *self_p;
    if (self) {
        for (size_t index = 0; index < self->nstreets; index++) {
            s_street_t *street = &self->streets[index];
            for (size_t range = 0; range < street->nranges; range++)
                free ((char *) street->ranges[range].area);
            free (street->ranges);
            free (street->name);
            free (street->key);
        }
        free (self->streets);
        free (self->nodes);
        zhashx_destroy (&self->by_key);
        sein_dict_destroy (&self->typos);
        for (uint32_t list = 0; self->lists && list < self->nlists; list++)
            free (self->lists[list].ids);
        free (self->lists);
        free (self->typo_ids);
        free (self->typo_starts);
        free (self->path);
        free (self);
        *self_p = NULL;
    }
}

size_t
sein_streets_size (const sein_streets_t *self)
{
    assert (self);
    return self->nstreets;
}

//  --------------------------------------------------------------------------
//  Finding

typedef struct {
    int32_t street;
    size_t token, ntokens;
    size_t key_len;
    int how;
} s_hit_t;

//  May a street name or its number continue from token INDEX - 1 into
//  INDEX? Not across a comma or sentence, except the ". " after an
//  abbreviation ("Naamsestr. 10").
static bool
s_joined (const sein_text_t *text, size_t index)
{
    const sein_token_t *token = &text->tokens[index];
    if (!(token->flags & SEIN_TOKEN_CLAUSE))
        return true;
    return (text->tokens[index - 1].flags & SEIN_TOKEN_DOT) &&
           (token->flags & SEIN_TOKEN_SENTENCE);
}

//  Could a street name (of the six or more letters free text needs) start
//  at token INDEX? Its first four letters, across short words, must start
//  some key; an abbreviated first word ("St.") changes them, so it passes.
static bool
s_may_start (const sein_streets_t *self, const sein_text_t *text, size_t index)
{
    char four[4];
    size_t have = 0;
    for (size_t at = index; at < text->ntokens && have < 4; at++) {
        const sein_token_t *token = &text->tokens[at];
        if (at > index && !s_joined (text, at))
            return false;
        const char *word = text->folded + token->start;
        if (token->len <= 4) {
            char expanded[S_KEY_MAX];
            if (s_expand (word, token->len, expanded, sizeof expanded))
                return true;
        }
        for (size_t letter = 0; letter < token->len && have < 4; letter++)
            four[have++] = word[letter];
    }
    if (have < 4)
        return false;
    uint32_t bit = s_prefix_bit (four);
    return (self->prefixes[bit >> 6] >> (bit & 63)) & 1;
}

//  Walk the trie from NODE through token INDEX (as written, then
//  expanded) and the words after it; keep the longest hit in *best.
static void
s_walk (const sein_streets_t *self, const sein_text_t *text, size_t first, size_t index,
        uint32_t node, size_t key_len, int how, s_hit_t *best)
{
    const sein_token_t *token = &text->tokens[index];
    const char *word = text->folded + token->start;
    char expanded[S_KEY_MAX];
    size_t expanded_len = s_expand (word, token->len, expanded, sizeof expanded);
    for (int variant = 0; variant < (expanded_len ? 2 : 1); variant++) {
        const char *part = variant ? expanded : word;
        size_t part_len = variant ? expanded_len : token->len;
        uint32_t next = s_descend (self, node, part, part_len);
        if (!next)
            continue;
        int next_how = variant ? SEIN_STREET_ABBREV : how;
        size_t next_len = key_len + part_len;
        int32_t street = self->nodes[next].street;
        if (street >= 0 && (next_len > best->key_len ||
                            (next_len == best->key_len && next_how < best->how))) {
            best->street = street;
            best->token = first;
            best->ntokens = index - first + 1;
            best->key_len = next_len;
            best->how = next_how;
        }
        if (index + 1 < text->ntokens && index + 1 - first < S_WINDOW_MAX &&
            self->nodes[next].child && s_joined (text, index + 1) &&
            !(text->tokens[index + 1].flags & SEIN_TOKEN_NUMBER))
            s_walk (self, text, first, index + 1, next, next_len, next_how, best);
    }
}

//  May QUERY (one edit from STREET's key) name STREET? Either the name
//  before the type is intact and the type has a typo that makes it no
//  other type ("Naamsesteeenweg"), or the type is intact and the typo is
//  in a long enough name, not in its first letter ("Burgemeesterstraat").
//  So "Waverselaan" never finds Waversebaan, nor "Naamsestraat"
//  Naamsesteenweg.
static bool
s_typo_allowed (const s_street_t *street, const char *query, size_t len)
{
    size_t key_len = strlen (street->key), stem = key_len - street->type_len;
    if (query[0] != street->key[0])
        return false;
    if (street->type_len && len > stem && memcmp (query, street->key, stem) == 0)
        return !s_is_type (query + stem, len - stem);
    if (len < street->type_len ||
        memcmp (query + len - street->type_len, street->key + stem, street->type_len) != 0)
        return false;
    return stem >= S_TYPO_STEM_MIN;
}

//  One typo away: try the words from FIRST to LAST as a street name.
static int32_t
s_typo (const sein_streets_t *self, const sein_text_t *text, size_t first, size_t last,
        bool *ambiguous)
{
    char query[S_KEY_MAX];
    size_t len = 0;
    for (size_t index = first; index <= last; index++) {
        const sein_token_t *token = &text->tokens[index];
        char expanded[S_KEY_MAX];
        size_t part_len = s_expand (text->folded + token->start, token->len, expanded,
                                    sizeof expanded);
        const char *part = part_len ? expanded : text->folded + token->start;
        if (!part_len)
            part_len = token->len;
        if (len + part_len + 1 > sizeof query)
            return -1;
        memcpy (query + len, part, part_len);
        len += part_len;
    }
    query[len] = 0;
    if (len < S_TYPO_STEM_MIN)
        return -1;
    int32_t found = -1;
    char variant[S_KEY_MAX];
    for (size_t skip = 0; skip < len; skip++) {
        //  skip 0 is the query itself; then each letter but the first deleted
        const char *key = query;
        size_t key_len = len;
        if (skip > 0) {
            memcpy (variant, query, skip);
            memcpy (variant + skip, query + skip + 1, len - skip - 1);
            key = variant;
            key_len = len - 1;
        }
        uint32_t list = sein_dict_get (self->typos, key, key_len);
        if (list == SEIN_DICT_NONE)
            continue;
        for (uint32_t at = self->typo_starts[list]; at < self->typo_starts[list + 1]; at++) {
            uint32_t id = self->typo_ids[at];
            const s_street_t *street = &self->streets[id];
            if (!s_one_edit (street->key, strlen (street->key), query, len) ||
                !s_typo_allowed (street, query, len))
                continue;
            if (found >= 0 && found != (int32_t) id) {
                *ambiguous = true;
                return -1;
            }
            found = (int32_t) id;
        }
    }
    return found;
}

//  Words that announce a house number: "nr.", "no", "n°" (folds to "n"),
//  "nº" (folds to "no"), "numéro", "huisnummer", "number".
static bool
s_number_word (const char *word)
{
    static const char *words[] = {"nr",     "no",     "n",          "nro",    "num",
                                  "nummer", "numero", "huisnummer", "huisnr", "number",
                                  NULL};
    if (word[0] != 'n' && word[0] != 'h')
        return false;
    for (const char **entry = words; *entry; entry++)
        if (strcmp (word, *entry) == 0)
            return true;
    return false;
}

//  Words that count or repeat: after a number they make it a count, not
//  a house number ("Burgemeestersstraat 15 gasten", "2 keer per week",
//  "sinds 3 dagen"). Folded, sorted for bsearch.
static const char *s_counted[] = {
    "ans", "auto", "autos", "avonden", "bikes", "brommers", "buren", "cars", "cats",
    "chiens", "dag", "dagen", "days", "db", "dogs", "duiven", "enfants", "eur", "euro",
    "euros", "fietsen", "fois", "gasten", "gens", "guys", "h", "heures", "honden",
    "hours", "hrs", "jaar", "jaren", "jeunes", "jongens", "jongeren", "jours", "katten",
    "keer", "keren", "kg", "kids", "kinderen", "km", "maal", "maand", "maanden",
    "mannen", "meisjes", "mensen", "meter", "meters", "metres", "min", "mins",
    "minuten", "minutes", "mois", "months", "muizen", "nacht", "nachten", "nights",
    "nuits", "people", "per", "personen", "personnes", "persons", "procent", "rats",
    "ratten", "seconden", "semaines", "studenten", "stuks", "times", "u", "uren", "uur",
    "velos", "voitures", "vrouwen", "wagens", "week", "weeks", "weken", "x", "years",
    "youths", "zakken"};

static int
s_compare_word (const void *key, const void *entry)
{
    return strcmp ((const char *) key, *(const char *const *) entry);
}

static bool
s_counted_word (const char *word)
{
    return bsearch (word, s_counted, sizeof s_counted / sizeof s_counted[0],
                    sizeof s_counted[0], s_compare_word) != NULL;
}

//  The number token INDEX holds, -1 when none or when it counts something:
//  a counted word glued to it ("3x", "15u") or after it ("15 gasten").
static int
s_number_at (const sein_text_t *text, size_t index)
{
    const sein_token_t *token = &text->tokens[index];
    if (!(token->flags & SEIN_TOKEN_NUMBER))
        return -1;
    char *rest;
    long number = strtol (text->folded + token->start, &rest, 10);
    if (*rest && s_counted_word (rest))
        return -1;
    if (index + 1 < text->ntokens && s_joined (text, index + 1) &&
        s_counted_word (sein_text_word (text, index + 1)))
        return -1;
    return number >= 0 && number <= S_NUMBER_MAX ? (int) number : -1;
}

//  The house number after the name, or in an address before it.
static int
s_number (const sein_text_t *text, const s_hit_t *hit, bool address)
{
    size_t after = hit->token + hit->ntokens;
    for (size_t index = after; index < text->ntokens && index < after + 2; index++) {
        if (!s_joined (text, index))
            break;
        int number = s_number_at (text, index);
        if (number >= 0)
            return number;
        if (!s_number_word (text->folded + text->tokens[index].start))
            break;
    }
    //  Further on in the clause a number counts only when a number word
    //  announces it ("in de Burgemeestersstraat ter hoogte van nr 12",
    //  "near no 45"): a bare one there is a count or a time ("sinds 3
    //  dagen").
    for (size_t index = after; index + 1 < text->ntokens && index < after + S_NUMBER_REACH;
         index++) {
        if (!s_joined (text, index))
            break;
        if (s_number_word (text->folded + text->tokens[index].start) &&
            s_joined (text, index + 1)) {
            int number = s_number_at (text, index + 1);
            if (number >= 0)
                return number;
        }
    }
    if (address && hit->token > 0 && s_joined (text, hit->token))
        return s_number_at (text, hit->token - 1);
    return -1;
}

bool
sein_streets_find (const sein_streets_t *self, const sein_text_t *text, bool address,
                   sein_street_match_t *match)
{
    assert (self);
    assert (text);
    assert (match);
    memset (match, 0, sizeof *match);
    s_hit_t hit = {-1, 0, 0, 0, SEIN_STREET_EXACT};
    for (size_t index = 0; index < text->ntokens && hit.street < 0; index++) {
        if (text->tokens[index].flags & SEIN_TOKEN_NUMBER)
            continue;
        if (!address && !s_may_start (self, text, index))
            continue;
        s_hit_t best = {-1, 0, 0, 0, SEIN_STREET_EXACT};
        s_walk (self, text, index, index, 0, 0, SEIN_STREET_EXACT, &best);
        if (best.street >= 0 && (address || best.key_len >= S_TEXT_MIN))
            hit = best;
    }
    for (size_t first = 0; address && hit.street < 0 && first < text->ntokens; first++) {
        for (size_t last = first; last < text->ntokens && last < first + 4; last++) {
            if (last > first && !s_joined (text, last))
                break;
            if (text->tokens[last].flags & SEIN_TOKEN_NUMBER)
                break;
            bool ambiguous = false;
            int32_t street = s_typo (self, text, first, last, &ambiguous);
            if (street >= 0) {
                hit = (s_hit_t){street, first, last - first + 1, 0, SEIN_STREET_TYPO};
                break;
            }
        }
    }
    if (hit.street < 0)
        return false;
    const s_street_t *street = &self->streets[hit.street];
    match->name = street->name;
    match->ranges = street->ranges;
    match->nranges = street->nranges;
    match->how = hit.how;
    match->token = hit.token;
    match->ntokens = hit.ntokens;
    match->number = s_number (text, &hit, address);
    if (match->number >= 0) {
        for (size_t index = 0; index < street->nranges; index++)
            if (street->ranges[index].from <= match->number &&
                match->number <= street->ranges[index].to)
                match->range = &street->ranges[index];
    } else if (street->nranges == 1)
        match->range = &street->ranges[0];
    return true;
}
