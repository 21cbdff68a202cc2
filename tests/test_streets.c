// SPDX-License-Identifier: MPL-2.0
/*  test_streets.c - the street register: look-alikes, ranges, typos, errors

    The register below holds the pairs residents confuse (Naamsestraat and
    Naamsesteenweg, Tiensestraat and Tiensesteenweg, Diestsestraat and
    Diestsesteenweg, Martelarenplein and Martelarenlaan, Waversebaan), a
    street split by house number with an open-ended last range, and two
    streets one letter apart, so a typo between them must match neither.
*/
#include "sein_streets.h"
#include "sein_harness.h"

#include <czmq.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

static const char *s_register =
    "# a comment before the header is fine\n"
    "street\tfrom\tto\tarea\tlat\tlon\n"
    "Naamsestraat\t\t\tbinnenstad\t50.8745\t4.7009\n"
    "Naamsesteenweg\t1\t299\theverlee\t50.8680\t4.7010\n"
    "Naamsesteenweg\t300\t\theverlee-zuid\t50.8450\t4.6940\n"
    "Tiensestraat\t\t\tbinnenstad\t50.8771\t4.7068\n"
    "Tiensesteenweg\t\t\tkessel-lo\t50.8760\t4.7370\n"
    "Diestsestraat\t\t\tbinnenstad\t50.8813\t4.7075\n"
    "Diestsesteenweg\t\t\tkessel-lo\t50.8905\t4.7260\n"
    "Burgemeestersstraat\t1\t60\tburgemeestersstraat\t50.8860\t4.7030\n"
    "Burgemeestersstraat\t61\t\tbinnenstad\t50.8868\t4.7066\n"
    "Martelarenplein\t\t\tbinnenstad\t50.8818\t4.7150\n"
    "Martelarenlaan\t\t\tkessel-lo\t50.8835\t4.7185\n"
    "Waversebaan\t\t\theverlee\t50.8520\t4.7030\n"
    "Heilig-Hartplein\t\t\theilig-hart\t50.8615\t4.6955\n"
    "Kardinaal Mercierlaan\t\t\theverlee\t50.8670\t4.6880\n"
    "Ladeuzeplein\t\t\tbinnenstad\t50.8789\t4.7046\n"
    "Grote Markt\t\t\tbinnenstad\t50.8790\t4.7012\n"
    "Bogaardenstraat\t\t\tbinnenstad\t50.8800\t4.7000\n"
    "Bogaerdenstraat\t\t\tkessel-lo\t50.8900\t4.7300\n"
    "Kom\t\t\tbinnenstad\t50.8800\t4.7000\n";

static char s_path[256];

static int
s_setup (void **state)
{
    snprintf (s_path, sizeof s_path, "%s", sein_harness_write ("streets.tsv", s_register));
    char *error = NULL;
    *state = sein_streets_new (s_path, NULL, NULL, &error);
    if (!*state)
        fprintf (stderr, "%s\n", error);
    free (error);
    return *state ? 0 : -1;
}

static int
s_teardown (void **state)
{
    sein_streets_t *streets = (sein_streets_t *) *state;
    sein_streets_destroy (&streets);
    sein_streets_destroy (&streets);
    unlink (s_path);
    return 0;
}

//  Find a street in TEXT; returns the register name or NULL.
static const char *
s_find (sein_streets_t *streets, const char *input, bool address, sein_street_match_t *match)
{
    sein_text_t text;
    sein_text_analyse (&text, NULL, input, strlen (input));
    bool found = sein_streets_find (streets, &text, address, match);
    sein_text_release (&text);
    return found ? match->name : NULL;
}

static const char *
s_area (sein_streets_t *streets, const char *input)
{
    sein_street_match_t match;
    if (!s_find (streets, input, true, &match) || !match.range)
        return NULL;
    return match.range->area;
}

static void
test_look_alikes (void **state)
{
    sein_streets_t *streets = (sein_streets_t *) *state;
    assert_int_equal (sein_streets_size (streets), 17);
    sein_street_match_t match;
    struct {
        const char *input, *name;
    } cases[] = {
        {"Naamsestraat 45, Leuven", "Naamsestraat"},
        {"Naamsesteenweg 120, Heverlee", "Naamsesteenweg"},
        {"Naamse steenweg 40", "Naamsesteenweg"},
        {"NAAMSE-STRAAT 3", "Naamsestraat"},
        {"Naamsestr. 10", "Naamsestraat"},
        {"Naamsestwg 5", "Naamsesteenweg"},
        {"Naamsestrt 5", "Naamsestraat"},
        {"Tiensestraat 80", "Tiensestraat"},
        {"Tiensesteenweg 200", "Tiensesteenweg"},
        {"Diestse str 4", "Diestsestraat"},
        {"Diestsesteenweg 50", "Diestsesteenweg"},
        {"Martelarenplein", "Martelarenplein"},
        {"Martelarenln 20", "Martelarenlaan"},
        //  Every documented abbreviation; "pln" ends in "ln" but is no laan.
        {"Martelarenpln 3", "Martelarenplein"},
        {"Ladeuzepln 3", "Ladeuzeplein"},
        {"Ladeuzepl. 3", "Ladeuzeplein"},
        {"Naamse stw 8", "Naamsesteenweg"},
        {"Naamsesteenw. 8", "Naamsesteenweg"},
        {"Naamsestnwg 8", "Naamsesteenweg"},
        {"Waversebn 8", "Waversebaan"},
        {"Tiensestr 8", "Tiensestraat"},
        {"Heilig Hartplein 2", "Heilig-Hartplein"},
        {"Kard. Mercierlaan 30", "Kardinaal Mercierlaan"},
        {"hoek Tiensestraat/Diestsestraat", "Tiensestraat"},
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        const char *name = s_find (streets, cases[index].input, true, &match);
        if (!name || strcmp (name, cases[index].name) != 0)
            fail_msg ("'%s' found %s, expected %s", cases[index].input,
                      name ? name : "nothing", cases[index].name);
    }
    assert_int_equal (match.how, SEIN_STREET_EXACT);
    s_find (streets, "Naamsestr. 10", true, &match);
    assert_int_equal (match.how, SEIN_STREET_ABBREV);
    assert_int_equal (match.number, 10); //  across the abbreviation's dot
    //  Expanded before any typo is considered: never the look-alike laan.
    s_find (streets, "Martelarenpln 3", true, &match);
    assert_int_equal (match.how, SEIN_STREET_ABBREV);
    assert_string_equal (s_area (streets, "Martelarenpln 3"), "binnenstad");

    //  Near misses across types never match: a typo may not change the type.
    assert_null (s_find (streets, "Waverselaan 3", true, &match));
    assert_null (s_find (streets, "Naamselaan 3", true, &match));
    assert_null (s_find (streets, "Martelarenstraat 3", true, &match));
    assert_null (s_find (streets, "Dekenstraat 5", true, &match));
}

static void
test_typos (void **state)
{
    sein_streets_t *streets = (sein_streets_t *) *state;
    sein_street_match_t match;
    assert_string_equal (s_find (streets, "Burgemeesterstraat 8", true, &match),
                         "Burgemeestersstraat");
    assert_int_equal (match.how, SEIN_STREET_TYPO);
    assert_string_equal (match.range->area, "burgemeestersstraat");
    //  A swap, a substitution, an extra letter.
    assert_string_equal (s_find (streets, "Tiesnestraat 1", true, &match), "Tiensestraat");
    assert_string_equal (s_find (streets, "Diestsestraet 1", true, &match), "Diestsestraat");
    assert_string_equal (s_find (streets, "Ladeuzzeplein", true, &match), "Ladeuzeplein");
    //  A typo in the type is fine when it makes no other type.
    assert_string_equal (s_find (streets, "Naamsesteeenweg 20", true, &match),
                         "Naamsesteenweg");
    //  ... and never turns one look-alike into the other.
    assert_string_equal (s_find (streets, "Naamsestraaat 20", true, &match), "Naamsestraat");
    assert_string_equal (s_find (streets, "Tiensesteenwg 20", true, &match), "Tiensesteenweg");
    //  One letter from two streets: neither.
    assert_null (s_find (streets, "Bogardenstraat 3", true, &match));
    //  The first letter is never the typo; short names get none.
    assert_null (s_find (streets, "Xaamsestraat 3", true, &match));
    assert_null (s_find (streets, "Koom", true, &match));
    //  Free text is exact: no typos there.
    assert_null (s_find (streets, "wonen in de Burgemeesterstraat", false, &match));
}

static void
test_ranges (void **state)
{
    sein_streets_t *streets = (sein_streets_t *) *state;
    assert_string_equal (s_area (streets, "Burgemeestersstraat 1"), "burgemeestersstraat");
    assert_string_equal (s_area (streets, "Burgemeestersstraat 60"), "burgemeestersstraat");
    assert_string_equal (s_area (streets, "Burgemeestersstraat 61"), "binnenstad");
    assert_string_equal (s_area (streets, "Burgemeestersstraat 5000"), "binnenstad"); //  open end
    assert_string_equal (s_area (streets, "Naamsesteenweg 299"), "heverlee");
    assert_string_equal (s_area (streets, "Naamsesteenweg 300"), "heverlee-zuid");
    assert_string_equal (s_area (streets, "Naamsesteenweg 350 bus 2"), "heverlee-zuid");
    assert_string_equal (s_area (streets, "Naamsesteenweg nr. 12"), "heverlee");
    assert_string_equal (s_area (streets, "45 Naamsesteenweg"), "heverlee"); //  number first
    //  No number, or one outside every range: no range decides.
    assert_null (s_area (streets, "Burgemeestersstraat"));
    assert_null (s_area (streets, "Burgemeestersstraat 0"));
    //  A number past a comma is a postal code, not a house number.
    sein_street_match_t match;
    s_find (streets, "Burgemeestersstraat, 3000 Leuven", true, &match);
    assert_int_equal (match.number, -1);
    assert_int_equal (match.nranges, 2);
    assert_null (match.range);
    //  Further on in the clause, a number word announces the number.
    assert_string_equal (s_area (streets, "Burgemeestersstraat ter hoogte van nr 70"),
                         "binnenstad");
    s_find (streets, "in de Burgemeestersstraat ter hoogte van nr. 12", false, &match);
    assert_int_equal (match.number, 12);
    assert_string_equal (match.range->area, "burgemeestersstraat");
    s_find (streets, "broken glass in the Burgemeestersstraat near no 45", false, &match);
    assert_int_equal (match.number, 45);
    s_find (streets, "Burgemeestersstraat, au numéro 61", true, &match);
    assert_int_equal (match.number, -1); //  not past the comma
    s_find (streets, "dans la Burgemeestersstraat au n° 61", false, &match);
    assert_int_equal (match.number, 61);
    s_find (streets, "Burgemeestersstraat huisnummer 7", true, &match);
    assert_int_equal (match.number, 7);
    //  A bare number further on is no house number.
    s_find (streets, "de Burgemeestersstraat sinds 70 dagen", false, &match);
    assert_int_equal (match.number, -1);
    //  A count or a frequency right after the name is no house number
    //  either, glued to the number or not; a house number's letter is.
    const char *counts[] = {"Burgemeestersstraat 15 gasten",
                            "burgemeestersstraat 2 keer per week",
                            "Burgemeestersstraat 3x per dag",
                            "Burgemeestersstraat 20 jongeren of meer",
                            "Burgemeestersstraat 4 dagen na de ophaling",
                            "Burgemeestersstraat 5 fois cette semaine",
                            "Burgemeestersstraat 12 people shouting",
                            "Burgemeestersstraat 6 auto's op het fietspad",
                            "Burgemeestersstraat 10u 's avonds"};
    for (size_t index = 0; index < sizeof counts / sizeof counts[0]; index++) {
        s_find (streets, counts[index], false, &match);
        if (match.number != -1)
            fail_msg ("'%s': read house number %d", counts[index], match.number);
    }
    assert_null (s_area (streets, "Burgemeestersstraat 15 gasten")); //  no range decides
    s_find (streets, "Burgemeestersstraat 15 is een studentenhuis", false, &match);
    assert_int_equal (match.number, 15);
    s_find (streets, "Burgemeestersstraat 12a", true, &match);
    assert_int_equal (match.number, 12);
    //  A street without numbers has one range that takes any number.
    assert_string_equal (s_area (streets, "Naamsestraat 130"), "binnenstad");
    s_find (streets, "Naamsestraat 130", true, &match);
    assert_true (match.range->lat > 50.87 && match.range->lon > 4.70);
    assert_int_equal (match.range->line, 3);
}

static void
test_in_text (void **state)
{
    sein_streets_t *streets = (sein_streets_t *) *state;
    sein_street_match_t match;
    assert_string_equal (
        s_find (streets, "Teenagers loitering on the Ladeuzeplein every night", false, &match),
        "Ladeuzeplein");
    assert_int_equal (match.token, 4);
    assert_int_equal (match.ntokens, 1);
    assert_string_equal (s_find (streets, "I live near the Grote Markt.", false, &match),
                         "Grote Markt");
    assert_int_equal (match.ntokens, 2);
    assert_string_equal (s_find (streets, "aan de Naamsesteenweg 320 staat", false, &match),
                         "Naamsesteenweg");
    assert_string_equal (match.range->area, "heverlee-zuid");
    //  Short names would match ordinary words: not in free text.
    assert_null (s_find (streets, "de kom koffie", false, &match));
    assert_string_equal (s_find (streets, "Kom 3", true, &match), "Kom");
    //  "bij het station" names no street.
    assert_null (s_find (streets, "hier vlak bij het station", false, &match));
}

static void
test_normalise (void **state)
{
    (void) state;
    char a[128], b[128];
    assert_true (sein_streets_normalise ("Kard. Mercierlaan", a, sizeof a) > 0);
    assert_true (sein_streets_normalise ("kardinaal-mercier laan", b, sizeof b) > 0);
    assert_string_equal (a, b);
    assert_true (sein_streets_normalise ("Sint-Jacobsplein", a, sizeof a) > 0);
    assert_true (sein_streets_normalise ("St. Jacobspl.", b, sizeof b) > 0);
    assert_string_equal (a, b);
    //  Every documented word abbreviation.
    struct {
        const char *short_form, *long_form;
    } words[] = {{"Kol. Begaultln", "Kolonel Begaultlaan"},
                 {"Prof. Van Overstraetenpl.", "Professor Van Overstraetenplein"},
                 {"Mgr. Ladeuzepln", "Monseigneur Ladeuzeplein"},
                 {"Burg. Van Bockstaelestr.", "Burgemeester Van Bockstaelestraat"},
                 {"Kon. Astridln", "Koning Astridlaan"},
                 {"Gen. Lemanstr", "Generaal Lemanstraat"},
                 {"Pr.-Regentpl.", "Prins-Regentplein"},
                 {"Diestsesteenw.", "Diestsesteenweg"},
                 {"Wakkerzeelsebn", "Wakkerzeelsebaan"}};
    for (size_t index = 0; index < sizeof words / sizeof words[0]; index++) {
        assert_true (sein_streets_normalise (words[index].short_form, a, sizeof a) > 0);
        assert_true (sein_streets_normalise (words[index].long_form, b, sizeof b) > 0);
        if (strcmp (a, b) != 0)
            fail_msg ("'%s' is '%s', '%s' is '%s'", words[index].short_form, a,
                      words[index].long_form, b);
    }
    assert_int_equal (sein_streets_normalise ("Ladeuzeplein", a, 4), -1);
}

//  Load CONTENT as a register; returns the error (owned) or NULL.
static char *
s_load_error (const char *content, sein_streets_known_fn *known)
{
    const char *path = sein_harness_write ("bad-streets.tsv", content);
    char *error = NULL;
    sein_streets_t *streets = sein_streets_new (path, known, NULL, &error);
    assert_true ((streets == NULL) == (error != NULL));
    sein_streets_destroy (&streets);
    unlink (path);
    return error;
}

static bool
s_known (void *arg, const char *code)
{
    (void) arg;
    return strcmp (code, "binnenstad") == 0;
}

static void
test_bad_files (void **state)
{
    (void) state;
    struct {
        const char *content, *line, *message;
    } cases[] = {
        {"street\tfrom\tto\tarea\tlat\tlon\nA\t\t\tnowhere\t50\t4\n", ":2: ", "unknown area"},
        {"street\tfrom\tto\tarea\tlat\tlon\nAstraat\t1\t10\tbinnenstad\t50\t4\n"
         "Astraat\t10\t\tbinnenstad\t50\t4\n",
         ":3: ", "overlap line 2"},
        {"street\tfrom\tto\tarea\tlat\tlon\nA\t\t\tbinnenstad\t50\t4\nA\t\t\tbinnenstad\t50\t4\n",
         ":3: ", "overlap"},
        {"street\tfrom\tto\tarea\tlat\tlon\n\nA\t\t5\tbinnenstad\t50\t4\n", ":3: ", "needs 'from'"},
        {"street\tfrom\tto\tarea\tlat\tlon\nA\t9\t5\tbinnenstad\t50\t4\n", ":2: ", "'to'"},
        {"street\tfrom\tto\tarea\tlat\tlon\nA\tten\t\tbinnenstad\t50\t4\n", ":2: ", "'from'"},
        {"street\tfrom\tto\tarea\tlat\tlon\nA\t\t\tbinnenstad\t95\t4\n", ":2: ", "lat"},
        {"street\tfrom\tto\tarea\tlat\tlon\nA\t\t\tbinnenstad\t50\n", ":2: ", "at least 6"},
        {"code\tname\tkind\tparent\n", ":1: ", "header"},
        {"", ":0: ", "empty"},
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        char *error = s_load_error (cases[index].content, s_known);
        if (!error || !strstr (error, cases[index].line) ||
            !strstr (error, cases[index].message))
            fail_msg ("case %zu: got '%s'", index, error ? error : "no error");
        assert_true (strstr (error, "bad-streets.tsv") == error + strlen (SEIN_BINARY_DIR) + 1);
        free (error);
    }
    char *error = NULL;
    assert_null (sein_streets_new ("/nonexistent/streets.tsv", NULL, NULL, &error));
    assert_non_null (strstr (error, "/nonexistent/streets.tsv:0: cannot open"));
    free (error);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_look_alikes), cmocka_unit_test (test_typos),
        cmocka_unit_test (test_ranges),      cmocka_unit_test (test_in_text),
        cmocka_unit_test (test_normalise),   cmocka_unit_test (test_bad_files),
    };
    return cmocka_run_group_tests (tests, s_setup, s_teardown);
}
