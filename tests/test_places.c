// SPDX-License-Identifier: MPL-2.0
/*  test_places.c - the gazetteer: names and their variants, postcodes,
    other towns, and the data file's errors

    The gazetteer below has what a city's has: an area's name written
    three ways, a landmark that a longer name refines ("station" and
    "station Heverlee"), postcodes with and without an area, the city
    itself, and other towns.
*/
#include "sein_places.h"
#include "sein_harness.h"

#include <czmq.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

static const char *s_gazetteer =
    "# comments and a note column are fine\n"
    "name\tarea\tkind\tnote\n"
    "Kessel-Lo\tkessel-lo\tdeelgemeente\n"
    "Heverlee\theverlee\tdeelgemeente\n"
    "Casablanca\tcasablanca\tzone\n"
    "station\tbinnenstad\tplace\tLeuven's\n"
    "station Heverlee\theverlee\tplace\n"
    "Abdij van Park\theverlee\tplace\n"
    "3000\t\tpostcode\tspans several areas\n"
    "3010\tkessel-lo\tpostcode\n"
    "Leuven\t\tcity\n"
    "Tienen\t\toutside\n"
    "Landen\t\toutside\n"
    "Oud-Heverlee\t\toutside\n";

static int
s_setup (void **state)
{
    const char *path = sein_harness_write ("places.tsv", s_gazetteer);
    char *error = NULL;
    *state = sein_places_new (path, NULL, NULL, &error);
    if (!*state)
        fprintf (stderr, "%s\n", error);
    free (error);
    return *state ? 0 : -1;
}

static int
s_teardown (void **state)
{
    sein_places_t *places = (sein_places_t *) *state;
    sein_places_destroy (&places);
    sein_places_destroy (&places);
    return 0;
}

//  Find the places in TEXT into FOUND (at most 8); returns how many.
static size_t
s_find (sein_places_t *places, const char *text, bool address, sein_place_t *found)
{
    sein_text_t analysis;
    sein_text_analyse (&analysis, NULL, text, strlen (text));
    size_t count = sein_places_find (places, &analysis, address, found, 8);
    sein_text_release (&analysis);
    return count;
}

//  The area of the only place in TEXT, "-" when it names none, "?" when
//  it names no place or more than one.
static const char *
s_only (sein_places_t *places, const char *text, bool address)
{
    sein_place_t found[8];
    if (s_find (places, text, address, found) != 1)
        return "?";
    return found[0].area ? found[0].area : "-";
}

static void
test_names_and_variants (void **state)
{
    sein_places_t *places = (sein_places_t *) *state;
    assert_int_equal (sein_places_size (places), 12);
    //  One name however it is written.
    const char *texts[] = {"ratten in Kessel-Lo", "ratten in kessel lo", "KESSELLO: ratten",
                           "Kessel-Lô", "kessel-lo's speelplein"};
    for (size_t index = 0; index < sizeof texts / sizeof texts[0]; index++)
        if (strcmp (s_only (places, texts[index], false), "kessel-lo") != 0)
            fail_msg ("'%s' did not find Kessel-Lo", texts[index]);
    //  Never across a comma, nor inside a longer word.
    assert_string_equal (s_only (places, "Kessel, Lo", false), "?");
    assert_string_equal (s_only (places, "Kesselstraat", false), "?");
    assert_string_equal (s_only (places, "Heverleestraat 4", true), "?");
    //  The longest name wins: a landmark a longer name refines.
    sein_place_t found[8];
    assert_int_equal (s_find (places, "fietsen aan het station Heverlee", false, found), 1);
    assert_string_equal (found[0].name, "station Heverlee");
    assert_string_equal (found[0].area, "heverlee");
    assert_int_equal (found[0].kind, SEIN_PLACE_LANDMARK);
    assert_int_equal (found[0].token, 3);
    assert_int_equal (found[0].ntokens, 2);
    assert_string_equal (s_only (places, "fietsen aan het station", false), "binnenstad");
    assert_string_equal (s_only (places, "aan de abdij van Park", false), "heverlee");
    //  A landmark that another area's name qualifies is that area's: the
    //  bare landmark is left out. Not across a clause, nor further away,
    //  nor when the name is the landmark's own area or no area at all.
    const char *qualified[] = {"fietsen gestolen aan het station in Kessel-Lo",
                               "vélos volés à la station de Kessel-Lo",
                               "bikes stolen at the station in Casablanca"};
    for (size_t index = 0; index < sizeof qualified / sizeof qualified[0]; index++)
        if (s_find (places, qualified[index], false, found) != 1 ||
            found[0].kind != SEIN_PLACE_AREA)
            fail_msg ("'%s' kept the bare landmark", qualified[index]);
    assert_int_equal (s_find (places, "aan het station, ik woon in Kessel-Lo", false, found), 2);
    assert_string_equal (found[0].area, "binnenstad");
    assert_string_equal (found[1].area, "kessel-lo");
    assert_int_equal (s_find (places, "het station vanuit het oosten van Kessel-Lo", false, found),
                      2);
    assert_string_equal (found[0].area, "binnenstad");
    assert_int_equal (s_find (places, "het station Heverlee in Heverlee", false, found), 2);
    assert_string_equal (found[0].name, "station Heverlee");
    assert_int_equal (s_find (places, "het station in Leuven", false, found), 2);
    assert_string_equal (found[0].area, "binnenstad");
    //  A town's name as a time or a common noun is no town.
    const char *no_town[] = {"lawaai tot tegen tienen", "muziek na tienen 's avonds",
                             "studenten uit alle landen"};
    for (size_t index = 0; index < sizeof no_town / sizeof no_town[0]; index++)
        if (s_find (places, no_town[index], false, found) != 1 || !found[0].directional)
            fail_msg ("'%s' named a town", no_town[index]);
    //  In text order, and the city places nothing.
    assert_int_equal (s_find (places, "Casablanca, Kessel-Lo (Leuven)", false, found), 3);
    assert_string_equal (found[0].area, "casablanca");
    assert_int_equal (found[0].kind, SEIN_PLACE_AREA);
    assert_string_equal (found[1].area, "kessel-lo");
    assert_null (found[2].area);
    assert_int_equal (found[2].kind, SEIN_PLACE_CITY);
    assert_string_equal (sein_place_kind_name (SEIN_PLACE_OUTSIDE), "outside");
}

static void
test_postcodes (void **state)
{
    sein_places_t *places = (sein_places_t *) *state;
    //  In an address a postcode counts alone.
    assert_string_equal (s_only (places, "3010", true), "kessel-lo");
    assert_string_equal (s_only (places, "Dorpstraat 5, 3000", true), "-");
    //  In prose, with a name after it, or heading a sentence alone.
    sein_place_t found[8];
    assert_int_equal (s_find (places, "hier in 3010 Kessel-Lo", false, found), 2);
    assert_int_equal (found[0].kind, SEIN_PLACE_POSTCODE);
    assert_string_equal (s_only (places, "3010: duiven op de daken", false), "kessel-lo");
    //  A bare number in prose is a count, a price, a year.
    assert_string_equal (s_only (places, "al 3010 keer gemeld", false), "?");
    assert_string_equal (s_only (places, "het kostte 3000 euro", false), "?");
    assert_string_equal (s_only (places, "sinds 3000", false), "?");
}

static void
test_other_towns (void **state)
{
    sein_places_t *places = (sein_places_t *) *state;
    sein_place_t found[8];
    assert_int_equal (s_find (places, "Grote Markt in Tienen", false, found), 1);
    assert_int_equal (found[0].kind, SEIN_PLACE_OUTSIDE);
    assert_null (found[0].area);
    assert_false (found[0].directional);
    //  Where something goes or comes from is not where it is.
    const char *going[] = {"de bus naar Tienen", "richting Tienen", "venant de Tienen",
                           "the train to Tienen"};
    for (size_t index = 0; index < sizeof going / sizeof going[0]; index++) {
        assert_int_equal (s_find (places, going[index], false, found), 1);
        if (!found[0].directional)
            fail_msg ("'%s' is not directional", going[index]);
    }
    //  A town whose name holds one of the city's: the longer name.
    assert_int_equal (s_find (places, "in Oud-Heverlee", false, found), 1);
    assert_int_equal (found[0].kind, SEIN_PLACE_OUTSIDE);
    assert_int_equal (s_find (places, "in oud heverlee", false, found), 1);
    assert_int_equal (found[0].kind, SEIN_PLACE_OUTSIDE);
}

static bool
s_known (void *arg, const char *code)
{
    (void) arg;
    return strcmp (code, "nergens") != 0;
}

static void
test_bad_files (void **state)
{
    (void) state;
    static const struct {
        const char *content, *expect;
    } cases[] = {
        {"name\tarea\tkind\nWilsele\twilsele\tdorp\n", ":2: unknown kind 'dorp'"},
        {"name\tarea\tkind\nWilsele\t\twijk\n", ":2: a wijk needs an area"},
        {"name\tarea\tkind\nTienen\tbinnenstad\toutside\n", ":2: a outside has no area"},
        {"name\tarea\tkind\nLeuven\tbinnenstad\tcity\n", ":2: a city has no area"},
        {"name\tarea\tkind\n301\tkessel-lo\tpostcode\n", ":2: postcode '301' is not four"},
        {"name\tarea\tkind\nKessel\tkessel-lo\tpostcode\n", ":2: postcode 'Kessel' is not"},
        {"name\tarea\tkind\n3010 Kessel-Lo\tkessel-lo\tplace\n", ":2: place name '3010 "
                                                                 "Kessel-Lo' starts with a digit"},
        {"name\tarea\tkind\nKessel-Lo\tkessel-lo\twijk\n\nKessel Lo\tkessel-lo\twijk\n",
         ":4: place 'Kessel Lo' repeats 'Kessel-Lo' of line 2"},
        {"name\tarea\tkind\nNergens\tnergens\twijk\n", ":2: unknown area 'nergens'"},
        {"name\tarea\tkind\nde oude markt van leuven\tbinnenstad\tplace\n",
         ":2: place name 'de oude markt van leuven' is longer than 4 words"},
        {"name\tarea\tkind\n--\tbinnenstad\tplace\n", ":2: place name '--' has no letters"},
        {"name\tarea\tkind\nA\tb\tplace\textra\tfield\n", ":2: expected at most 4"},
        {"street\tfrom\tto\tarea\n", ":1: expected a header line"},
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        const char *path = sein_harness_write ("bad-places.tsv", cases[index].content);
        char *error = NULL;
        sein_places_t *places = sein_places_new (path, s_known, NULL, &error);
        assert_null (places);
        if (!error || !strstr (error, "bad-places.tsv") || !strstr (error, cases[index].expect))
            fail_msg ("case %zu: got '%s'", index, error ? error : "no error");
        free (error);
    }
    char *error = NULL;
    assert_null (sein_places_new ("/nonexistent/places.tsv", NULL, NULL, &error));
    assert_non_null (strstr (error, "/nonexistent/places.tsv:0: cannot open"));
    free (error);
}

//  The bundled gazetteer loads, and agrees with the areas it names.
static void
test_bundled (void **state)
{
    (void) state;
    char *error = NULL;
    sein_places_t *places =
        sein_places_new (SEIN_SOURCE_DIR "/conf/places.tsv", NULL, NULL, &error);
    if (!places)
        fail_msg ("%s", error);
    assert_true (sein_places_size (places) > 100);
    assert_string_equal (s_only (places, "in Wijgmaal", false), "wijgmaal");
    assert_string_equal (s_only (places, "aan Gasthuisberg", false), "heverlee");
    assert_string_equal (s_only (places, "3018", true), "wijgmaal");
    assert_string_equal (s_only (places, "3012", true), "wilsele");
    assert_string_equal (s_only (places, "3001", true), "heverlee");
    assert_string_equal (s_only (places, "3000", true), "-");
    sein_place_t found[8];
    assert_int_equal (s_find (places, "à Bruxelles", false, found), 1);
    assert_int_equal (found[0].kind, SEIN_PLACE_OUTSIDE);
    sein_places_destroy (&places);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_names_and_variants),
        cmocka_unit_test (test_postcodes),
        cmocka_unit_test (test_other_towns),
        cmocka_unit_test (test_bad_files),
        cmocka_unit_test (test_bundled),
    };
    return cmocka_run_group_tests (tests, s_setup, s_teardown);
}
