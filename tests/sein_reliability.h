// SPDX-License-Identifier: MPL-2.0
/*  sein_reliability.h - how far the area confidence can be trusted

    An evaluation (eval_classify) adds every classified signal with
    whether its area was right; the tally prints a reliability table,
    confidence bins against the share of right answers in each, and says
    whether the answers at SEIN_RELIABILITY_SURE or more are right at
    least SEIN_RELIABILITY_TARGET percent of the time: the calibration
    target of issue 11. A table of its own so that any evaluation (the
    dev set, a corpus, a cross-validation fold) can keep one.
*/
#ifndef SEIN_RELIABILITY_H_INCLUDED
#define SEIN_RELIABILITY_H_INCLUDED

#include "sein_classify.h"

#define SEIN_RELIABILITY_SURE   0.9  //  answers this confident ...
#define SEIN_RELIABILITY_TARGET 97.0 //  ... are right this often (percent)
#define SEIN_RELIABILITY_BINS   6

typedef struct {
    int count, right;
} sein_reliability_cell_t;

//  Zero it to start.
typedef struct {
    sein_reliability_cell_t triage; //  confidence 0: the area is triage
    sein_reliability_cell_t bins[SEIN_RELIABILITY_BINS];
    sein_reliability_cell_t sure;   //  at SEIN_RELIABILITY_SURE or more
} sein_reliability_t;

//  The area confidence RESULT's detail gives (0 when it has none).
double
    sein_reliability_confidence (const sein_classification_t *result);

//  Count RESULT, whose area was RIGHT or not. Returns its area confidence.
double
    sein_reliability_add (sein_reliability_t *self, const sein_classification_t *result,
                          bool right);

//  Print the table under TITLE; returns the share (percent) of right
//  answers at SEIN_RELIABILITY_SURE or more, 100 when there are none.
double
    sein_reliability_print (const sein_reliability_t *self, const char *title);

#endif
