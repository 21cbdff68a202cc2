// SPDX-License-Identifier: MPL-2.0
/*  sein_model.h - the learned theme model: liblinear, wrapped

    A model is an L2-regularised logistic regression (liblinear's L2R_LR,
    one class against the rest) over the features of sein_features, with a
    probability for every theme it knows, and the IDF weights of the text
    features. The file is liblinear's own text format after two lines of
    ours, which liblinear cannot check:

      sein-theme-model 2 bits=16 features=w1,b.7,c3-5.3,r.5,prior.15tanh3,pos.8,idf.5
          labels=a,b,... corpus=SHA1 signals=N C=4096
      df 3:17 9:2 ...

    The header (one line): the format version, the hash bits, the feature
    configuration (SEIN_FEATURES_CONFIG), the labels (theme codes, in the
    order of the rule-score features), the SHA-1 of the corpus it was
    trained on, how many signals, and the regularisation. Then the
    document counts: for each text feature index some training signal
    had, in rising order, how many had it; the IDF weights follow from
    them and N. A file whose header, counts or body does not fit is
    refused with "file:line: message".

    Once loaded a model is read-only: any number of threads may predict
    with it at once.
*/
#ifndef SEIN_MODEL_H_INCLUDED
#define SEIN_MODEL_H_INCLUDED

#include <linear.h>
#include <stdbool.h>
#include <stddef.h>

#define SEIN_MODEL_MAGIC   "sein-theme-model"
#define SEIN_MODEL_VERSION 2
#define SEIN_MODEL_BITS_MIN 10
#define SEIN_MODEL_BITS_MAX 22
//  What seinctl train and eval_classify use unless told otherwise: tuned
//  by cross-validation on the corpus (eval_classify -b -C), never on the
//  dev set. On 2,900 signals 14 bits and C 512 did best; on 8,800 the
//  hash space and C had become the limit: 16 bits (fewer signals' words
//  share a bucket) and C 4096 (less regularisation) give 1.5 to 3 points
//  more right answers on a corpus file left out of training as on the
//  cross-validation (docs/CLASSIFICATION.md). 17 bits did no better, for
//  a file half as large again.
#define SEIN_MODEL_BITS 16
#define SEIN_MODEL_C    4096

typedef struct _sein_model_t sein_model_t;

//  How to train.
typedef struct {
    int bits;           //  hash bits of the features
    double C;           //  liblinear's C: less regularisation as it grows
    const char *digest; //  the corpus's SHA-1, for the header
} sein_model_options_t;

//  Load and check the model file PATH. Returns NULL on failure and sets
//  *error_p to a fresh "file:line: message" (or "file: message").
sein_model_t *
    sein_model_load (const char *path, char **error_p);

//  Destroy; idempotent, nulls the pointer.
void
    sein_model_destroy (sein_model_t **self_p);

//  Train on N rows X (each ending with index -1, indices below
//  2^bits + 2 + NLABELS, as sein_classifier_features gives them: text
//  features unweighted and L2-normalised) with labels Y (0..NLABELS-1)
//  named by the theme codes NAMES. Fits the IDF weights on X, weighs and
//  normalises copies of the rows, and trains on them. Deterministic: the
//  same rows give the same model. Never NULL (out of memory aborts);
//  every label should occur in Y.
sein_model_t *
    sein_model_train (struct feature_node *const *x, const int *y, size_t n,
                      const char *const *names, size_t nlabels,
                      const sein_model_options_t *options);

//  Write the model to PATH (header and liblinear's text). Returns 0, or
//  -1 with *error_p set to a fresh "file: message".
int
    sein_model_save (const sein_model_t *self, const char *path, char **error_p);

//  The hash bits, the number of labels, label INDEX's theme code
//  (borrowed), the corpus digest (borrowed), the signals trained on.
int
    sein_model_bits (const sein_model_t *self);
size_t
    sein_model_nlabels (const sein_model_t *self);
const char *
    sein_model_label (const sein_model_t *self, size_t index);
const char *
    sein_model_digest (const sein_model_t *self);
size_t
    sein_model_signals (const sein_model_t *self);

//  The IDF weight of every text feature, by index 1..2^bits (index 0
//  unused), for sein_features_extract. Borrowed.
const float *
    sein_model_idf (const sein_model_t *self);

//  The probability of every label for the features X (ending with index
//  -1), into PROBS (sein_model_nlabels slots, summing to 1). Returns the
//  most probable label. Allocates nothing.
size_t
    sein_model_predict (const sein_model_t *self, const struct feature_node *x,
                        double *probs);

//  The weight of feature INDEX for LABEL (0 for an index the model never
//  saw).
double
    sein_model_coef (const sein_model_t *self, int index, size_t label);

#endif
