// SPDX-License-Identifier: MPL-2.0
/*  sein_features.h - the learned theme model's view of a signal

    The model (sein_model) never sees text: it sees a sparse vector built
    here from what sein_text and sein_rules already computed. Features:

      w  the Snowball stem of each content word in the text's language
         ("~" before it when the sentence sets the word aside: "geen
         overlast meer" says nothing for overlast)
      b  word bigrams of stems within a clause ("los hond")
      c  character n-grams of 3 to 5 bytes inside each word of 4 letters
         or more, with '<' and '>' marking its ends: typos and compounds
         nobody wrote a rule for still share most of their n-grams
      r  every rule the text matched, by its pattern: this is how Dutch
         compound members reach the model ("rattenplaag" hits the rule
         "ratten" as a compound member)

    each hashed with 32-bit FNV-1a over the kind letter and the bytes,
    into 2^BITS buckets (index = hash mod 2^BITS, plus 1: liblinear counts
    from 1). A bucket's count is scaled per kind and by where its word
    stands (1.4 for the first word of the text down to 0.6 for the last),
    its value is 1 + ln(count) (the count itself below 1), times the
    bucket's IDF weight (the square root of 1 + ln((1 + N) / (1 + df)),
    df of the N training signals having the bucket; sein_model keeps the
    table), and the text's vector is L2-normalised after weighting. Then the rules become a prior: the
    rule score of each of the model's labels is one more feature, at index
    2^BITS + 1 + label, valued 0.15 tanh(score / 3), outside the normalisation,
    and the last feature, 2^BITS + 1 + labels, is always 1: the intercept.

    sein_features_t is scratch: one per classifying thread (it lives in
    sein_classify_scratch_t), reused from call to call.
*/
#ifndef SEIN_FEATURES_H_INCLUDED
#define SEIN_FEATURES_H_INCLUDED

#include "sein_rules.h"
#include "sein_text.h"

#include <linear.h>

//  The feature configuration a model file names in its header; a model
//  trained with another one is refused.
#define SEIN_FEATURES_CONFIG "w1,b.7,c3-5.3,r.5,prior.15tanh3,pos.8,idf.5"

typedef struct _sein_features_t sein_features_t;

//  Create empty scratch. Never NULL (sein_alloc.h).
sein_features_t *
    sein_features_new (void);

//  Destroy; idempotent, nulls the pointer.
void
    sein_features_destroy (sein_features_t **self_p);

//  FNV-1a (32 bits) of KIND followed by LEN bytes of TEXT: the documented
//  hash of every text feature (docs/CLASSIFICATION.md).
uint32_t
    sein_features_hash (char kind, const char *text, size_t len);

//  Build the features of TEXT (analysed by sein_text, matched by the theme
//  rules into HITS) in LANGUAGE (SEIN_NL.., the language the rules weighed
//  the hits in; SEIN_LANG_NONE reads it as Dutch), stemming with STEMMER,
//  into 2^BITS buckets weighted by IDF (2^BITS + 1 weights by feature
//  index, sein_model_idf; NULL weighs every bucket 1, as training reads
//  its rows), plus NPRIORS rule scores PRIORS (one per model label, may be
//  NULL when 0). Replaces what SELF held. TEXT must stay alive while
//  SELF's features are read (sein_features_strongest).
void
    sein_features_extract (sein_features_t *self, int bits, const float *idf,
                           sein_text_t *text,
                           sein_stemmer_t *stemmer, int language,
                           const sein_rule_hits_t *hits, const double *priors,
                           size_t npriors);

//  The features of the last extraction, as liblinear reads them: *COUNT_P
//  nodes, followed by one with index -1. Borrowed until the next call.
const struct feature_node *
    sein_features_nodes (const sein_features_t *self, size_t *count_p);

//  A feature's weight for one class, as the caller's model knows it.
typedef double (sein_features_coef_fn) (void *arg, int index);

//  The words that pushed hardest toward a class: each text feature's
//  weight (COEF) times its value is credited to the word(s) it came from,
//  and the words with the largest positive sums are written to WORDS
//  (their folded form, borrowed from the extracted text), strongest
//  first. Returns how many, at most MAX.
size_t
    sein_features_strongest (const sein_features_t *self, sein_features_coef_fn *coef,
                             void *arg, const char **words, size_t max);

#endif
