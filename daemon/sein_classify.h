// SPDX-License-Identifier: MPL-2.0
/*  sein_classify.h - place a signal in an area and a theme, and say why

    The classifier owns the reference data (areas, polygons, streets,
    places, themes and the theme/priority rule files named by the `data.*`
    settings). It is
    built whole from a configuration and never changed afterwards, so a
    reload builds a new one and swaps it in only when every file loaded.
    Nothing in it is written after load, so any number of threads may
    classify with one classifier at once. What a classification writes
    (the Snowball stemmers, their stem cache, the detail being rendered) is
    a sein_classify_scratch_t, which each calling thread owns.

    Evidence for the area, strongest first: a valid explicit `area`, the
    `lat`/`long` point inside the area polygons (the most specific zone wins,
    its wijk is recorded too), the street and house number of
    `address_string` (else a place of the gazetteer in it), a known street
    named in the description (else a place named there). Another town
    named (data.places, kind outside) sends it to triage. Evidence that
    did not decide raises the area confidence when it agrees and caps it
    when it names another area. Nothing usable: area "triage". Theme: a valid explicit `theme`, else a
    decisive machine-event rule, else the learned model (data.theme_model)
    when there is one, else the rules; no clear winner: "triage". Priority: explicit, else rules, else "normal".
    docs/CLASSIFICATION.md describes the data files and the detail object.
*/
#ifndef SEIN_CLASSIFY_H_INCLUDED
#define SEIN_CLASSIFY_H_INCLUDED

#include "sein_config.h"
#include "sein_model.h"
#include "sein_signal.h"

#include <czmq.h>

#define SEIN_TRIAGE "triage"
#define SEIN_CODE_MAX 64

typedef struct _sein_classifier_t sein_classifier_t;
typedef struct _sein_classify_scratch_t sein_classify_scratch_t;

//  The outcome for one signal. Codes are plain strings so the result can
//  outlive the classifier that produced it (a reload may swap it).
typedef struct {
    char area[SEIN_CODE_MAX];     //  most specific area, or "triage"
    char wijk[SEIN_CODE_MAX];     //  the wijk containing `area` (itself for a wijk)
    char theme[SEIN_CODE_MAX];    //  theme code, or "triage"
    char priority[SEIN_CODE_MAX]; //  low | normal | high | urgent
    double confidence;            //  0..1, how sure the whole result is
    bool has_point;               //  a point is known: given, or the street's
    double lat, lon;
    //  Owned: the self-explaining "classification" object, already
    //  rendered as compact JSON text (NUL-terminated, DETAIL_SIZE bytes
    //  without the NUL), ready to append to an event. Reals have at most
    //  two decimals. Parse it (json_loads) to inspect it; seind never does.
    char *detail;
    size_t detail_size;
} sein_classification_t;

//  Load every data file named in CONFIG. Returns NULL on failure and sets
//  *error_p to a fresh "file:line: message". The themes file may list any
//  number of themes.
sein_classifier_t *
    sein_classifier_new (sein_config_t *config, char **error_p);

//  Destroy; idempotent, nulls the pointer.
void
    sein_classifier_destroy (sein_classifier_t **self_p);

//  True when CODE is a known area (including "triage").
bool
    sein_classifier_known_area (const sein_classifier_t *self, const char *code);

//  True when CODE is a known theme (including "triage").
bool
    sein_classifier_known_theme (const sein_classifier_t *self, const char *code);

//  The known area (AREAS true) or theme codes, including "triage", as a
//  fresh list of strings; the caller destroys it.
zlistx_t *
    sein_classifier_codes (const sein_classifier_t *self, bool areas);

//  The wijk an area belongs to: its parent for a zone, itself for a wijk,
//  NULL for an unknown code. Borrowed.
const char *
    sein_classifier_wijk_of (const sein_classifier_t *self, const char *area);

//  One line saying what was loaded ("9 areas, 9 polygons, 38 streets, ...")
//  for the daemon's log after a (re)load. The caller frees it.
char *
    sein_classifier_summary (const sein_classifier_t *self);

//  The learned theme model (data.theme_model), NULL when the rules decide
//  alone. Borrowed, read-only.
const sein_model_t *
    sein_classifier_model (const sein_classifier_t *self);

//  The theme model's features of SIGNAL, as a classification computes
//  them (sein_features.h), in 2^BITS buckets with the rule scores of the
//  NLABELS themes LABELS as the prior, before any IDF weighting (the
//  trainer fits it, sein_model_train): what a trainer learns from. Ends
//  with index -1; borrowed from SCRATCH until its next use.
const struct feature_node *
    sein_classifier_features (const sein_classifier_t *self,
                              sein_classify_scratch_t *scratch,
                              const sein_signal_t *signal, int bits,
                              const char *const *labels, size_t nlabels);

//  Create the scratch one thread classifies with: the three Snowball
//  stemmers, a cache of recent stems (about 256 KB) and a rendering
//  buffer. It belongs to no classifier, so it serves every classifier a
//  reload brings. NULL when libstemmer lacks Dutch, French or English.
sein_classify_scratch_t *
    sein_classify_scratch_new (void);

//  Destroy; idempotent, nulls the pointer.
void
    sein_classify_scratch_destroy (sein_classify_scratch_t **self_p);

//  Classify a validated SIGNAL whose explicit area/theme (if any) are known.
//  Fills *result (release with sein_classification_clear). Returns 0: it
//  cannot fail (out of memory aborts, sein_alloc.h). Writes only SCRATCH and *result: threads may
//  share SELF, never a SCRATCH. Needs about 64 KB of stack. A call
//  allocates only the result's detail text (and more scratch for an
//  unusually long signal). With TRACE the detail also lists every rule
//  match (with its file line) and every theme's score, for dry runs by
//  whoever tunes the rule files; stored and published events carry the
//  compact detail.
void
    sein_classifier_classify (const sein_classifier_t *self,
                              sein_classify_scratch_t *scratch,
                              const sein_signal_t *signal, sein_classification_t *result,
                              bool trace);

//  Release what a result owns; safe on a zeroed result.
void
    sein_classification_clear (sein_classification_t *result);

#endif
