// SPDX-License-Identifier: MPL-2.0
/*  fuzz_data.c - libFuzzer targets: the data-file loaders

    One source, one target per data file: SEIN_FUZZ_SETTING names the
    setting (data.areas, data.polygons, ...) whose file the input replaces,
    the others stay the shipped ones in conf/. The classifier loads them
    all as seind does (sein_tsv, sein_geo, sein_streets, sein_rules and the
    classifier's own row checks). When the input loads, the classifier is
    put to work on signals that reach every lookup, so what the loader
    built (polygon grid, street trie, rule tables) is exercised too.
*/
#include "sein_fuzz.h"

#include <stdlib.h>
#include <string.h>

#ifndef SEIN_FUZZ_SETTING
#   error "SEIN_FUZZ_SETTING must name the data setting to fuzz"
#endif

static sein_config_t *s_config;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    (void) argc;
    (void) argv;
    //  The configuration names the scratch file once; each input rewrites it.
    s_config = sein_fuzz_config (SEIN_FUZZ_SETTING, sein_fuzz_file (NULL, 0));
    sein_fuzz_signals ();
    return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    sein_fuzz_file (data, size);
    char *error = NULL;
    sein_classifier_t *classifier = sein_classifier_new (s_config, &error);
    if (!classifier) {
        sein_fuzz_check (error && *error);
        free (error);
        return 0;
    }
    sein_fuzz_check (!error);
    free (sein_classifier_summary (classifier));
    const sein_signal_t *signals = sein_fuzz_signals ();
    for (size_t index = 0; index < SEIN_FUZZ_SIGNALS; index++) {
        //  seind refuses an explicit area or theme the data does not know
        //  (unknown-area, unknown-theme) before classifying.
        const sein_signal_t *signal = &signals[index];
        if ((signal->area && !sein_classifier_known_area (classifier, signal->area)) ||
            (signal->theme && !sein_classifier_known_theme (classifier, signal->theme)))
            continue;
        sein_fuzz_classify (classifier, signal);
    }
    sein_classifier_destroy (&classifier);
    return 0;
}
