// SPDX-License-Identifier: MPL-2.0
/*  sein_corpus.h - labelled signals, and training the theme model on them

    A corpus is what the theme model learns from: JSON lines in the format
    of tests/data/signals-dev.jsonl ({"input": {submission}, "expect":
    {"theme": CODE, ...}, "lang": "nl"}, the files in conf/corpus), and the
    signals staff corrected in a store (`reclassified` events: the last
    correction of a signal gives its theme, its creation event its text).
    Lines that expect no theme (triage) teach nothing and are skipped.

    Training reads every entry through the classifier exactly as seind
    classifies (sein_classifier_features), so the model learns what it
    will see, and hands the rows to sein_model_train. Entries are kept in
    the order they were added; the digest (SHA-1 over each entry's theme
    and input) names the corpus in the model's header.
*/
#ifndef SEIN_CORPUS_H_INCLUDED
#define SEIN_CORPUS_H_INCLUDED

#include "sein_classify.h"
#include "sein_model.h"

typedef struct {
    char *input;  //  the submission, compact JSON
    char *theme;  //  the theme it should get
    char *lang;   //  "nl", "fr", "en", "mixed", ... as labelled; "" unknown
    char *area;   //  the area it should get ("triage" for null); "" not said
    char *where;  //  "file:line", or "store:seq" for a correction
} sein_corpus_entry_t;

typedef struct _sein_corpus_t sein_corpus_t;

//  An empty corpus. Never NULL.
sein_corpus_t *
    sein_corpus_new (void);

//  Destroy; idempotent, nulls the pointer.
void
    sein_corpus_destroy (sein_corpus_t **self_p);

//  Add the labelled lines of the JSON-lines file PATH (blank lines are
//  skipped). Returns 0, or -1 with *error_p a fresh "file:line: message".
int
    sein_corpus_add_file (sein_corpus_t *self, const char *path, char **error_p);

//  Add the signals corrected in the store file PATH (opened read-only, so
//  seind may run). Returns how many, or -1 with *error_p a fresh
//  "file: message".
int
    sein_corpus_add_store (sein_corpus_t *self, const char *path, char **error_p);

//  Entries, and entry INDEX (borrowed).
size_t
    sein_corpus_size (const sein_corpus_t *self);
const sein_corpus_entry_t *
    sein_corpus_entry (const sein_corpus_t *self, size_t index);

//  SHA-1 of the entries, hex; the caller frees it.
char *
    sein_corpus_digest (const sein_corpus_t *self);

//  Train a model on the entries whose SELECT is true (SELECT NULL: all)
//  with CLASSIFIER's rules (its own model, if any, is not used), BITS hash
//  bits and liblinear's C. Labels are the themes of CLASSIFIER the chosen
//  entries have, in the themes file's order. Returns NULL with *error_p a
//  fresh message when an entry is no valid submission, names an unknown
//  theme, or fewer than two themes remain.
sein_model_t *
    sein_corpus_train (const sein_corpus_t *self, const sein_classifier_t *classifier,
                       const bool *select, int bits, double C, char **error_p);

//  Builds a classifier like the one being evaluated, with the model file
//  MODEL; NULL with *error_p a fresh message on failure.
typedef sein_classifier_t *(sein_corpus_loader_fn) (void *arg, const char *model,
                                                    char **error_p);

//  Called with each entry of a fold, its signal and how the classifier
//  trained without the fold classified it.
typedef void (sein_corpus_result_fn) (void *arg, size_t entry, const sein_signal_t *signal,
                                      const sein_classification_t *result);

//  K-fold cross-validation: entry i is in fold i mod FOLDS; for each fold
//  a model is trained on the other folds (as sein_corpus_train, with the
//  rules of RULES), written to a temporary file, loaded by LOAD and every
//  entry of the fold classified and handed to REPORT. Each model is
//  trained on PERCENT (1..100) of its folds' entries, the same ones for
//  every fold that trains on them (a learning curve: would more data
//  help?); 100 trains on all of them. Returns 0, or -1 with *error_p a
//  fresh message.
int
    sein_corpus_cross_validate (const sein_corpus_t *self, const sein_classifier_t *rules,
                                int folds, int percent, int bits, double C,
                                sein_corpus_loader_fn *load,
                                sein_corpus_result_fn *report, void *arg, char **error_p);

#endif
