// SPDX-License-Identifier: MPL-2.0
/*  sein_reliability.c - area confidence bins against accuracy */
#include "sein_reliability.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>

//  Lower bounds of the bins; the last bin includes 1.
static const double s_bins[SEIN_RELIABILITY_BINS + 1] = {0.01, 0.5, 0.7, 0.8, 0.9, 0.95, 1.01};

double
sein_reliability_confidence (const sein_classification_t *result)
{
    //  The detail is rendered text: parse it back for the area's part.
    json_t *detail = json_loads (result->detail, 0, NULL);
    double confidence =
        json_number_value (json_object_get (json_object_get (detail, "area"), "confidence"));
    json_decref (detail);
    return confidence;
}

double
sein_reliability_add (sein_reliability_t *self, const sein_classification_t *result,
                      bool right)
{
    double confidence = sein_reliability_confidence (result);
    sein_reliability_cell_t *cell = &self->triage;
    for (int bin = 0; confidence > 0 && bin < SEIN_RELIABILITY_BINS; bin++)
        if (confidence < s_bins[bin + 1]) {
            cell = &self->bins[bin];
            break;
        }
    cell->count++;
    cell->right += right;
    if (confidence >= SEIN_RELIABILITY_SURE) {
        self->sure.count++;
        self->sure.right += right;
    }
    return confidence;
}

static void
s_row (const char *label, const sein_reliability_cell_t *cell)
{
    if (cell->count)
        printf ("  %-16s %7d  %5.1f%%\n", label, cell->count, 100.0 * cell->right / cell->count);
    else
        printf ("  %-16s %7d       -\n", label, 0);
}

double
sein_reliability_print (const sein_reliability_t *self, const char *title)
{
    printf ("%s: area confidence   signals  right\n", title);
    s_row ("triage (0)", &self->triage);
    for (int bin = 0; bin < SEIN_RELIABILITY_BINS; bin++) {
        char label[32];
        snprintf (label, sizeof label, "%.2f .. %.2f", bin ? s_bins[bin] : 0.0,
                  fmin (s_bins[bin + 1], 1.0));
        s_row (label, &self->bins[bin]);
    }
    char label[32];
    snprintf (label, sizeof label, ">= %.2f", SEIN_RELIABILITY_SURE);
    s_row (label, &self->sure);
    double share = self->sure.count ? 100.0 * self->sure.right / self->sure.count : 100;
    printf ("  target: %.0f%% right at >= %.2f: %s\n", SEIN_RELIABILITY_TARGET,
            SEIN_RELIABILITY_SURE, share >= SEIN_RELIABILITY_TARGET ? "met" : "NOT MET");
    return share;
}
