// SPDX-License-Identifier: MPL-2.0
/*  sein_features.c - hashed word, bigram, n-gram and rule features

    A classification has a budget of a few microseconds for this, so
    nothing here sorts or allocates per call: features are summed in an
    open-addressing table that remembers its generation instead of being
    cleared, and every array keeps its memory from call to call. liblinear
    needs no order among a row's indices to predict; the trainer sorts its
    copies.
*/
#include "sein_features.h"
#include "sein_alloc.h"

#include <czmq.h>
#include <math.h>

//  Scales per kind: a word is one feature, its n-grams are a dozen, so
//  they count less each, or they would drown the words.
//  Rules count half a word: they are also behind the prior below, and at
//  full weight the model leaned on them twice. Scales tuned by the
//  corpus's 5-fold cross-validation (eval_classify), never on the dev set:
//  n-grams 0.3 of 0.3..0.8, rules 0.5 of 0.5..2.
#define S_SCALE_WORD   1.0
#define S_SCALE_BIGRAM 0.7
#define S_SCALE_NGRAM  0.3
#define S_SCALE_RULE   0.5
//  The rules' scores are strong evidence, but their mistakes are the very
//  ones the model is for: at full strength the model follows them. On the
//  corpus's cross-validation the model's best answer was right 88.3% with
//  no prior, 93.2% at 0.15, 92.5% at 0.3 and 91.3% at 1.
#define S_SCALE_PRIOR 0.15

//  Where a word stands: people name the problem first and add the
//  circumstances after it, so a word's features weigh
//  1 + 0.8 (1/2 - its place in the text, 0 first .. 1 last): 1.4 for the
//  first word down to 0.6 for the last, as the rules' scores lean (1.2 to
//  0.8). Chosen by the corpus's cross-validation (eval_classify, 5 and 10
//  folds), never on the dev set: against none, 0.8 was right 0.6 and 0.8
//  points more often, the model's best answer 0.2 and 1.0 more; 1.2 did
//  as well on right answers and less on the best answer, 0.8 on the
//  words alone (not their bigrams and n-grams) less.
#define S_SCALE_POSITION 0.8

//  Longest word cut into n-grams (URLs and runs of letters are noise).
#define S_NGRAM_WORD_MAX 40
#define S_NGRAM_MIN      3
#define S_NGRAM_MAX      5

typedef struct {
    int node;      //  index in nodes
    int32_t token; //  the text's word it came from, -1 for none
    float share;   //  its part of the node's sum
} s_raw_t;

typedef struct {
    int index; //  feature index (liblinear's)
    uint32_t generation;
    int node;
} s_slot_t;

struct _sein_features_t {
    struct feature_node *nodes; //  nnodes + 1 (the -1 end)
    double *sums;               //  per node: summed scale, then raw share total
    size_t nnodes, nodes_capacity;
    size_t ntext; //  nodes before the priors
    s_raw_t *raw;
    size_t nraw, raw_capacity;
    s_slot_t *slots;
    size_t slots_capacity; //  a power of two
    uint32_t generation;
    double *credit; //  per token, for sein_features_strongest
    size_t credit_capacity;
    const sein_text_t *text;
};

sein_features_t *
sein_features_new (void)
{
    return (sein_features_t *) sein_calloc (1, sizeof (sein_features_t));
}

void
sein_features_destroy (sein_features_t **self_p)
{
    assert (self_p);
    sein_features_t *self = *self_p;
    if (self) {
        free (self->nodes);
        free (self->sums);
        free (self->raw);
        free (self->slots);
        free (self->credit);
        free (self);
        *self_p = NULL;
    }
}

uint32_t
sein_features_hash (char kind, const char *text, size_t len)
{
    uint32_t hash = 2166136261u;
    hash = (hash ^ (unsigned char) kind) * 16777619u;
    for (size_t index = 0; index < len; index++)
        hash = (hash ^ (unsigned char) text[index]) * 16777619u;
    return hash;
}

//  Make room for COUNT more nodes and raw entries, and a table at most
//  half full with them.
static void
s_reserve (sein_features_t *self, size_t count)
{
    if (self->nnodes + count + 1 > self->nodes_capacity) {
        self->nodes_capacity = (self->nnodes + count + 1) * 2;
        self->nodes = (struct feature_node *) sein_realloc (
            self->nodes, self->nodes_capacity * sizeof *self->nodes);
        self->sums = (double *) sein_realloc (self->sums,
                                              self->nodes_capacity * sizeof *self->sums);
    }
    if (self->nraw + count > self->raw_capacity) {
        self->raw_capacity = (self->nraw + count) * 2;
        self->raw =
            (s_raw_t *) sein_realloc (self->raw, self->raw_capacity * sizeof *self->raw);
    }
    size_t need = 64;
    while (need < 2 * (self->nnodes + count))
        need *= 2;
    if (need > self->slots_capacity) {
        //  Grow, then put the nodes so far back in.
        free (self->slots);
        self->slots = (s_slot_t *) sein_calloc (need, sizeof *self->slots);
        self->slots_capacity = need;
        self->generation = 1;
        for (size_t node = 0; node < self->nnodes; node++) {
            size_t mask = need - 1;
            size_t at = ((uint32_t) self->nodes[node].index * 2654435761u) & mask;
            while (self->slots[at].generation == self->generation)
                at = (at + 1) & mask;
            self->slots[at] =
                (s_slot_t){self->nodes[node].index, self->generation, (int) node};
        }
    }
}

//  Count feature INDEX once more, SCALE strong, for TOKEN. Room was made.
static void
s_count (sein_features_t *self, int index, int32_t token, double scale)
{
    size_t mask = self->slots_capacity - 1;
    size_t at = ((uint32_t) index * 2654435761u) & mask;
    while (self->slots[at].generation == self->generation &&
           self->slots[at].index != index)
        at = (at + 1) & mask;
    s_slot_t *slot = &self->slots[at];
    if (slot->generation != self->generation) {
        *slot = (s_slot_t){index, self->generation, (int) self->nnodes};
        self->nodes[self->nnodes] = (struct feature_node){index, 0};
        self->sums[self->nnodes] = 0;
        self->nnodes++;
    }
    self->sums[slot->node] += scale;
    self->raw[self->nraw++] = (s_raw_t){slot->node, token, (float) scale};
}

static void
s_add (sein_features_t *self, uint32_t mask, char kind, const char *text, size_t len,
       int32_t token, double scale)
{
    s_reserve (self, 1);
    s_count (self, (int) (sein_features_hash (kind, text, len) & mask) + 1, token, scale);
}

static bool
s_content (const sein_token_t *token)
{
    return token->len >= 2 &&
           !(token->flags & (SEIN_TOKEN_FUNCTION | SEIN_TOKEN_NUMBER | SEIN_TOKEN_CUE));
}

//  The n-grams of one word, '<' and '>' marking its ends, POSITION strong.
static void
s_ngrams (sein_features_t *self, uint32_t mask, const char *word, size_t len,
          int32_t token, double position)
{
    if (len < 4 || len > S_NGRAM_WORD_MAX)
        return;
    char marked[S_NGRAM_WORD_MAX + 2];
    marked[0] = '<';
    memcpy (marked + 1, word, len);
    marked[len + 1] = '>';
    size_t size = len + 2;
    s_reserve (self, 3 * size);
    for (size_t n = S_NGRAM_MIN; n <= S_NGRAM_MAX; n++)
        for (size_t start = 0; start + n <= size; start++)
            s_count (self, (int) (sein_features_hash ('c', marked + start, n) & mask) + 1,
                     token, S_SCALE_NGRAM * position);
}

void
sein_features_extract (sein_features_t *self, int bits, const float *idf, sein_text_t *text,
                       sein_stemmer_t *stemmer, int language,
                       const sein_rule_hits_t *hits, const double *priors, size_t npriors)
{
    assert (self);
    assert (text);
    assert (bits > 0 && bits < 31);
    self->nnodes = 0;
    self->nraw = 0;
    self->text = text;
    //  A new generation empties the table; on wrap-around, clear it.
    if (++self->generation == 0) {
        memset (self->slots, 0, self->slots_capacity * sizeof *self->slots);
        self->generation = 1;
    }
    s_reserve (self, 16);
    uint32_t mask = (uint32_t) ((1u << bits) - 1);
    int lang = language >= 0 ? language : SEIN_NL;
    char buffer[256];
    int32_t previous = -1; //  the last content word of this clause
    //  A copy of its stem: stemming the next word may move the text's stem
    //  buffer, so a pointer into it would dangle.
    char previous_stem[sizeof buffer];
    for (size_t index = 0; index < text->ntokens; index++) {
        const sein_token_t *token = &text->tokens[index];
        if (token->flags & SEIN_TOKEN_CLAUSE)
            previous = -1;
        if (!s_content (token))
            continue;
        const char *stem = sein_text_stem (text, stemmer, index, lang);
        size_t stem_len = strlen (stem);
        double position =
            text->ntokens > 1
                ? 1 + S_SCALE_POSITION * (0.5 - (double) index / (double) (text->ntokens - 1))
                : 1;
        bool dismissed = (token->flags & SEIN_TOKEN_DISMISSED) != 0;
        if (dismissed) {
            //  Set aside: a word of its own, "~overlast", and no more.
            if (stem_len + 1 < sizeof buffer) {
                buffer[0] = '~';
                memcpy (buffer + 1, stem, stem_len);
                s_add (self, mask, 'w', buffer, stem_len + 1, (int32_t) index,
                       S_SCALE_WORD * position);
            }
            previous = -1;
            continue;
        }
        s_add (self, mask, 'w', stem, stem_len, (int32_t) index, S_SCALE_WORD * position);
        if (previous >= 0) {
            size_t first_len = strlen (previous_stem);
            if (first_len + 1 + stem_len < sizeof buffer) {
                memcpy (buffer, previous_stem, first_len);
                buffer[first_len] = ' ';
                memcpy (buffer + first_len + 1, stem, stem_len);
                s_add (self, mask, 'b', buffer, first_len + 1 + stem_len, (int32_t) index,
                       S_SCALE_BIGRAM * position);
            }
        }
        previous = stem_len < sizeof previous_stem ? (int32_t) index : -1;
        if (previous >= 0)
            memcpy (previous_stem, stem, stem_len + 1);
        s_ngrams (self, mask, sein_text_word (text, index), token->len, (int32_t) index,
                  position);
    }
    for (size_t index = 0; hits && index < hits->count; index++) {
        const sein_rule_hit_t *hit = &hits->hits[index];
        size_t len = strlen (hit->pattern);
        if (len + 1 >= sizeof buffer)
            continue;
        buffer[0] = hit->dismissed ? '~' : '=';
        memcpy (buffer + 1, hit->pattern, len);
        int32_t token = hit->how == SEIN_RULE_ATTRIBUTE || hit->ntokens == 0
                            ? -1
                            : (int32_t) hit->token;
        s_add (self, mask, 'r', buffer, len + 1, token, S_SCALE_RULE);
    }
    //  Values: a log of the count times the bucket's IDF weight, then one
    //  length for every text.
    double norm = 0;
    for (size_t node = 0; node < self->nnodes; node++) {
        double sum = self->sums[node];
        double value = sum > 1 ? 1 + log (sum) : sum;
        if (idf)
            value *= idf[self->nodes[node].index];
        self->nodes[node].value = value;
        norm += value * value;
    }
    norm = norm > 0 ? sqrt (norm) : 1;
    for (size_t node = 0; node < self->nnodes; node++)
        self->nodes[node].value /= norm;
    //  sums keep the scale each node summed, which is also the total of
    //  its raw shares: sein_features_strongest divides by it.
    self->ntext = self->nnodes;
    s_reserve (self, npriors + 2);
    for (size_t label = 0; label < npriors; label++)
        if (priors[label] > 0)
            self->nodes[self->nnodes++] = (struct feature_node){
                (int) (mask + 2 + label), S_SCALE_PRIOR * tanh (priors[label] / 3)};
    //  The intercept, as a feature that is always 1 (liblinear's own bias
    //  term would need the caller to append it to every row anyway).
    self->nodes[self->nnodes++] = (struct feature_node){(int) (mask + 2 + npriors), 1};
    self->nodes[self->nnodes].index = -1;
    self->nodes[self->nnodes].value = 0;
}

const struct feature_node *
sein_features_nodes (const sein_features_t *self, size_t *count_p)
{
    assert (self);
    if (count_p)
        *count_p = self->nnodes;
    return self->nodes;
}

size_t
sein_features_strongest (const sein_features_t *self, sein_features_coef_fn *coef,
                         void *arg, const char **words, size_t max)
{
    assert (self);
    if (!self->text || max == 0)
        return 0;
    size_t ntokens = self->text->ntokens;
    sein_features_t *scratch = (sein_features_t *) self; //  credit is scratch
    if (ntokens > scratch->credit_capacity) {
        scratch->credit_capacity = ntokens * 2;
        scratch->credit = (double *) sein_realloc (
            scratch->credit, scratch->credit_capacity * sizeof (double));
    }
    double *credit = scratch->credit;
    for (size_t token = 0; token < ntokens; token++)
        credit[token] = 0;
    //  Each node's weight x value, once per node, shared out to its words.
    for (size_t raw = 0; raw < self->nraw; raw++) {
        const s_raw_t *entry = &self->raw[raw];
        //  Two letters name nothing a reader needs ("op", "da", "up").
        if (entry->token < 0 || self->sums[entry->node] <= 0 ||
            self->text->tokens[entry->token].len < 3)
            continue;
        const struct feature_node *node = &self->nodes[entry->node];
        credit[entry->token] += coef (arg, node->index) * node->value * entry->share /
                                self->sums[entry->node];
    }
    size_t count = 0;
    while (count < max) {
        int best = -1;
        for (size_t token = 0; token < ntokens; token++)
            if (credit[token] > 0 && (best < 0 || credit[token] > credit[best]))
                best = (int) token;
        if (best < 0)
            break;
        const char *word = sein_text_word (self->text, (size_t) best);
        credit[best] = 0;
        bool repeated = false;
        for (size_t said = 0; said < count; said++)
            repeated |= strcmp (words[said], word) == 0;
        if (!repeated)
            words[count++] = word;
    }
    return count;
}
