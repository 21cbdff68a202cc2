// SPDX-License-Identifier: MPL-2.0
/*  sein_setup.h - everything seind reads from files, loaded as one unit

    The settings, the reference data (classifier) and the teams and routing
    rules depend on each other (routing names areas and themes), so they
    are loaded and validated together and replaced together: a SIGHUP
    builds a complete new setup and the server swaps it in only when all of
    it loaded, otherwise the running one stays untouched. A setup is
    immutable once built, so handing it from the main thread to the server
    actor transfers ownership without sharing mutable state, and the server
    and prepare threads may classify and route with it at once. Nothing
    reachable from a setup is written after load (the classify and route
    calls take it const); what they write is the calling thread's own
    scratch (sein_classify_scratch_t, sein_route_t).
*/
#ifndef SEIN_SETUP_H_INCLUDED
#define SEIN_SETUP_H_INCLUDED

#include "sein_classify.h"
#include "sein_config.h"
#include "sein_deadlines.h"
#include "sein_router.h"

typedef struct {
    sein_config_t *config;
    sein_classifier_t *classifier;
    sein_router_t *router;
    sein_deadlines_t *deadlines;
} sein_setup_t;

//  Load FILE with OVERRIDES and everything it names. NULL on failure with
//  a fresh "file:line: message" in *error_p.
sein_setup_t *
    sein_setup_load (const char *file, const char **overrides, int noverrides,
                     char **error_p);

//  Destroy; idempotent, nulls the pointer.
void
    sein_setup_destroy (sein_setup_t **self_p);

#endif
