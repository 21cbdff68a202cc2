// SPDX-License-Identifier: MPL-2.0
/*  sein_places.h - the gazetteer: place names that are not streets

    Residents place a problem by its neighbourhood ("in Wijgmaal",
    "Casablanca:"), by a postcode ("3010 Kessel-Lo") or by a landmark
    (Gasthuisberg, the station), and they name other towns ("Grote Markt in
    Tienen"). The gazetteer (data.places, a TSV file) lists such names with
    their kind and area, so the classifier can use them below street
    evidence, and send a signal about another municipality to triage.

    Names are compared as the text's words, folded (case and accents) and
    joined without spaces or hyphens: "Kessel-Lo", "Kessel Lo" and
    "kessello" are one name. A name spans at most four words, never across
    a comma or a sentence. A name is listed once; a variant that folds to
    another spelling ("Kessel-Loo") is a row of its own.
*/
#ifndef SEIN_PLACES_H_INCLUDED
#define SEIN_PLACES_H_INCLUDED

#include "sein_text.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct _sein_places_t sein_places_t;

//  Kinds of names, the "kind" column in the file.
typedef enum {
    SEIN_PLACE_AREA,     //  "wijk", "zone", "deelgemeente": an area's own name
    SEIN_PLACE_LANDMARK, //  "place": a well-known place inside one area
    SEIN_PLACE_POSTCODE, //  "postcode": four digits; no area when it spans several
    SEIN_PLACE_CITY,     //  "city": the city itself, which places nothing
    SEIN_PLACE_OUTSIDE   //  "outside": another municipality
} sein_place_kind_t;

//  A name found in a text.
typedef struct {
    const char *name;       //  as written in the file (borrowed)
    const char *area;       //  its area, NULL for a city, an outside town or a
                            //  postcode that spans several areas
    sein_place_kind_t kind;
    size_t token, ntokens;  //  the words of the text it spans
    bool directional;       //  an outside town after "naar", "vers", "to", ...:
                            //  where something goes, not where it is; or after
                            //  "tegen", "onze", ...: a time or a common noun
                            //  ("tot tegen tienen", "alle landen")
    int line;               //  line in the file
} sein_place_t;

//  Is CODE a known area? Asked for every row that names one.
typedef bool (sein_places_known_fn) (void *arg, const char *code);

//  Load the gazetteer at PATH (header "name area kind"). KNOWN (may be
//  NULL) vets every area code. Returns NULL on failure and sets *error_p to
//  a fresh "file:line: message".
sein_places_t *
    sein_places_new (const char *path, sein_places_known_fn *known, void *arg,
                     char **error_p);

//  Destroy; idempotent, nulls the pointer.
void
    sein_places_destroy (sein_places_t **self_p);

//  Number of names.
size_t
    sein_places_size (const sein_places_t *self);

//  Find the names in TEXT (analysed by sein_text_analyse), in text order,
//  the longest at each word; fills at most MAX of them into FOUND and
//  returns how many it filled. A postcode counts in an ADDRESS; in free
//  text only when a name follows it ("3010 Kessel-Lo") or it heads a
//  sentence alone ("3010: ..."), since a bare number in prose is rarely a
//  postcode.
size_t
    sein_places_find (const sein_places_t *self, const sein_text_t *text, bool address,
                      sein_place_t *found, size_t max);

//  The kind's name as in the file ("wijk" for SEIN_PLACE_AREA rows reads
//  back as "area"). Borrowed.
const char *
    sein_place_kind_name (sein_place_kind_t kind);

#endif
