// SPDX-License-Identifier: MPL-2.0
/*  sein_streets.h - the street register: which area a street and number are in

    The register (data.streets, a TSV file) lists streets, optionally split
    by house-number range, each with its area and a point on the street. A
    city drops in its own export; Leuven's illustrative one ships in conf/.

    Names are compared after normalising: folded (case and accents), with
    spaces, hyphens, dots and apostrophes gone and common abbreviations
    expanded ("Naamsestr." = "Naamse straat" = "naamsestraat", "stwg",
    "ln", "pl", "Kard."). Lookups walk a trie of normalised names from every
    word of the text, so the cost does not grow with the register.

    In an address (not in free text) one typing error is tolerated, but
    only inside the part before the street type: "Burgemeesterstraat"
    finds Burgemeestersstraat, while "Naamsestraat" can never become
    Naamsesteenweg, nor "Tiensestraat" Tiensesteenweg, because the type
    (straat, steenweg, laan, plein, ...) must match exactly. A name within
    one edit of two register streets matches neither.
*/
#ifndef SEIN_STREETS_H_INCLUDED
#define SEIN_STREETS_H_INCLUDED

#include "sein_text.h"

#include <limits.h>

typedef struct _sein_streets_t sein_streets_t;

//  How a name matched.
#define SEIN_STREET_EXACT  0 //  same letters after normalising
#define SEIN_STREET_ABBREV 1 //  after expanding an abbreviation
#define SEIN_STREET_TYPO   2 //  one edit away, in the name before its type

//  One line of the register. A street without numbers has from 0, to
//  INT_MAX; an open-ended range ("61" to "") has to INT_MAX.
typedef struct {
    int from, to;
    const char *area;
    double lat, lon;
    int line; //  line in the register file
} sein_street_range_t;

//  A street found in a text.
typedef struct {
    const char *name;                   //  as first written in the register
    const sein_street_range_t *ranges;  //  all ranges of the street, by from
    size_t nranges;
    const sein_street_range_t *range;   //  the range the number falls in, or
                                        //  the only range; NULL otherwise
    int number;                         //  house number read, -1 when none
    int how;                            //  SEIN_STREET_*
    size_t token, ntokens;              //  the words of the text it spans
} sein_street_match_t;

//  Is CODE a known area? Asked for every register line.
typedef bool (sein_streets_known_fn) (void *arg, const char *code);

//  Load the register at PATH (header "street from to area lat lon").
//  KNOWN (may be NULL) vets every area code. Returns NULL on failure and
//  sets *error_p to a fresh "file:line: message".
sein_streets_t *
    sein_streets_new (const char *path, sein_streets_known_fn *known, void *arg,
                      char **error_p);

//  Destroy; idempotent, nulls the pointer.
void
    sein_streets_destroy (sein_streets_t **self_p);

//  Number of distinct streets.
size_t
    sein_streets_size (const sein_streets_t *self);

//  Find the first register street in TEXT (analysed by sein_text_analyse)
//  and the house number that goes with it. ADDRESS true: TEXT is an
//  address field, so one typing error is tolerated and a number may come
//  before the name ("45 Naamsestraat"). ADDRESS false: free text, exact
//  names of at least 6 letters only. Returns true and fills *match when a
//  street was found.
bool
    sein_streets_find (const sein_streets_t *self, const sein_text_t *text, bool address,
                       sein_street_match_t *match);

//  Normalise a street NAME into OUT (capacity bytes): folded, abbreviations
//  expanded, without spaces or punctuation. Returns the length, or -1 when
//  it does not fit. For tests and tools.
int
    sein_streets_normalise (const char *name, char *out, size_t capacity);

#endif
