// SPDX-License-Identifier: MPL-2.0
/*  fuzz_streets.c - libFuzzer target: the address and street matcher

    The input is one text, read both as an address_string (typos tolerated,
    number before or after the name) and as a description (exact names
    only), against the shipped street register, the way the classifier
    reads a signal. Then the same bytes as a street name to normalise, the
    step every register line and every lookup key goes through. A match
    must point inside the text and the register.
*/
#include "sein_streets.h"
#include "sein_fuzz.h"

#include <czmq.h>
#include <stdlib.h>
#include <string.h>

static sein_streets_t *s_streets;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    (void) argc;
    (void) argv;
    char *error = NULL;
    s_streets =
        sein_streets_new (SEIN_SOURCE_DIR "/conf/streets.tsv", NULL, NULL, &error);
    if (!s_streets) {
        fprintf (stderr, "conf/streets.tsv: %s\n", error);
        abort ();
    }
    return 0;
}

static void
s_check_match (const sein_text_t *text, const sein_street_match_t *match)
{
    sein_fuzz_check (match->name && match->ranges && match->nranges > 0);
    sein_fuzz_check (match->ntokens > 0);
    sein_fuzz_check (match->token + match->ntokens <= text->ntokens);
    sein_fuzz_check (match->how >= SEIN_STREET_EXACT && match->how <= SEIN_STREET_TYPO);
    sein_fuzz_check (match->number >= -1);
    if (match->range) {
        sein_fuzz_check (match->range >= match->ranges &&
                         match->range < match->ranges + match->nranges);
        if (match->number >= 0)
            sein_fuzz_check (match->number >= match->range->from &&
                             match->number <= match->range->to);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    sein_text_t text;
    sein_text_analyse (&text, NULL, (const char *) data, size);
    for (int address = 0; address < 2; address++) {
        sein_street_match_t match;
        if (sein_streets_find (s_streets, &text, address, &match))
            s_check_match (&text, &match);
    }
    sein_text_release (&text);

    //  Normalise into an exact fit and into one byte less, where it must
    //  refuse rather than overflow.
    char *name = strndup ((const char *) data, size);
    char key[256];
    int length = sein_streets_normalise (name, key, sizeof key);
    if (length >= 0) {
        sein_fuzz_check ((size_t) length < sizeof key && strlen (key) == (size_t) length);
        char *exact = malloc ((size_t) length + 1);
        int again = sein_streets_normalise (name, exact, (size_t) length + 1);
        sein_fuzz_check (again == length);
        sein_fuzz_check (memcmp (exact, key, (size_t) length + 1) == 0);
        if (length > 0)
            sein_fuzz_check (sein_streets_normalise (name, exact, (size_t) length) == -1);
        free (exact);
    }
    free (name);
    return 0;
}
