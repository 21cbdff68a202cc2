// SPDX-License-Identifier: MPL-2.0
/*  test_classify.c - the classifier as seind uses it

    Signals go through sein_signal_parse first, exactly as in the daemon,
    and the shipped data in conf/ is loaded through a configuration. The
    tests pin the order of area evidence, the triage cases (no evidence, a
    point outside every area, a tie, too little evidence), negation, event
    attributes, priorities, the detail object, and that every data file's
    errors come back as "file:line: message" while an existing classifier
    keeps working.
*/
#include "sein_classify.h"
#include "sein_harness.h"
#include "sein_settings.h"

#include <jansson.h>
#include "sein_json.h"
#include "sein_text.h"

#include <czmq.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>


//  The detail of the last s_classify, parsed back from the text the
//  classifier rendered (which also proves it is valid JSON and UTF-8).
static json_t *s_parsed;

//  The test thread's scratch; it serves every classifier a test builds.
static sein_classify_scratch_t *s_scratch;

//  A classifier on conf/, with EXTRA overrides ("setting=value", NULL-ended).
static sein_classifier_t *
s_classifier (const char **extra, char **error_p)
{
    char *error = NULL;
    sein_config_t *config = sein_harness_data_config (extra, &error);
    assert_non_null (config);
    sein_classifier_t *classifier = sein_classifier_new (config, &error);
    sein_config_destroy (&config);
    if (error_p)
        *error_p = error;
    else {
        if (error)
            fail_msg ("%s", error);
        free (error);
    }
    return classifier;
}

static int
s_setup (void **state)
{
    s_scratch = sein_classify_scratch_new ();
    *state = s_classifier (NULL, NULL);
    return *state && s_scratch ? 0 : -1;
}

static int
s_teardown (void **state)
{
    sein_classifier_t *classifier = (sein_classifier_t *) *state;
    sein_classifier_destroy (&classifier);
    sein_classifier_destroy (&classifier);
    sein_classify_scratch_destroy (&s_scratch);
    sein_classify_scratch_destroy (&s_scratch);
    json_decref (s_parsed);
    s_parsed = NULL;
    return 0;
}

//  Classify the submission JSON; the caller clears *result.
static void
s_classify (sein_classifier_t *classifier, const char *json, sein_classification_t *result)
{
    sein_signal_t signal;
    sein_error_t error;
    sein_signal_limits_t limits = {4000, 65536};
    if (sein_signal_parse (&signal, json, strlen (json), &limits, &error))
        fail_msg ("bad test signal: %s", error.message);
    sein_classifier_classify (classifier, s_scratch, &signal, result, true);
    sein_signal_clear (&signal);
    assert_non_null (result->detail);
    assert_int_equal (strlen (result->detail), result->detail_size);
    json_decref (s_parsed);
    json_error_t json_error;
    s_parsed = json_loads (result->detail, 0, &json_error);
    if (!json_is_object (s_parsed))
        fail_msg ("the detail is no JSON object: %s\n%s", json_error.text,
                  result->detail);
}

//  A string at SECTION.KEY ("theme", "by") of the last detail, or NULL.
static const char *
s_detail (const char *section, const char *key)
{
    json_t *object = section ? json_object_get (s_parsed, section) : s_parsed;
    return json_string_value (json_object_get (object, key));
}

static void
test_area_evidence (void **state)
{
    sein_classifier_t *classifier = (sein_classifier_t *) *state;
    sein_classification_t result;

    //  Explicit beats everything, even an address elsewhere.
    s_classify (classifier,
                "{\"description\": \"hangplek\", \"source\": \"staff\", \"area\": "
                "\"hoogland\", \"address_string\": \"Koetsweg 10\"}",
                &result);
    assert_string_equal (result.area, "hoogland");
    assert_string_equal (result.wijk, "kessel-lo");
    assert_string_equal (s_detail ("area", "by"), "explicit");
    assert_true (result.has_point); //  the street's point, though Koetsweg did not decide
    sein_classification_clear (&result);

    //  A point in a zone: the zone, its wijk recorded.
    s_classify (classifier,
                "{\"description\": \"x\", \"source\": \"system\", \"lat\": 50.8857, "
                "\"long\": 4.7031}",
                &result);
    assert_string_equal (result.area, "burgemeestersstraat");
    assert_string_equal (result.wijk, "binnenstad");
    assert_string_equal (s_detail ("area", "by"), "point");
    assert_string_equal (s_detail ("area", "polygon"), "burgemeestersstraat");
    assert_string_equal (json_string_value (json_array_get (
                             json_object_get (json_object_get (s_parsed, "area"), "within"),
                             0)),
                         "binnenstad");
    assert_true (result.has_point && result.lat == 50.8857 && result.lon == 4.7031);
    sein_classification_clear (&result);

    //  On the line between two wijken: in both polygons, but the one
    //  chosen is not within the other.
    s_classify (classifier,
                "{\"description\": \"x\", \"source\": \"system\", \"lat\": 50.884, "
                "\"long\": 4.716}",
                &result);
    assert_string_equal (result.area, "binnenstad");
    assert_true (json_is_true (json_object_get (json_object_get (s_parsed, "area"), "on_edge")));
    assert_null (json_object_get (json_object_get (s_parsed, "area"), "within"));
    assert_non_null (strstr (s_detail ("area", "reason"), "kessel-lo"));
    sein_classification_clear (&result);

    //  The point beats a street in another area.
    s_classify (classifier,
                "{\"description\": \"x\", \"source\": \"citizen\", \"address_string\": "
                "\"Lolanden 3\", \"lat\": 50.885, \"long\": 4.736}",
                &result);
    assert_string_equal (result.area, "kessel-lo");
    assert_true (result.lat == 50.885);
    sein_classification_clear (&result);

    //  A point outside every area: triage with the reason, address or not.
    s_classify (classifier,
                "{\"description\": \"x\", \"source\": \"citizen\", \"address_string\": "
                "\"Tiensestraat 5\", \"lat\": 50.6, \"long\": 4.9}",
                &result);
    assert_string_equal (result.area, SEIN_TRIAGE);
    assert_string_equal (result.wijk, SEIN_TRIAGE);
    assert_non_null (strstr (s_detail ("area", "reason"), "outside every area"));
    assert_string_equal (s_detail ("area", "address_street"), "Tiensestraat");
    assert_true (result.lat == 50.6); //  the given point stays
    sein_classification_clear (&result);

    //  Address and house-number ranges; the register's point comes along.
    s_classify (classifier,
                "{\"description\": \"x\", \"source\": \"citizen\", \"address_string\": "
                "\"Burgemeestersstraat 12\"}",
                &result);
    assert_string_equal (result.area, "burgemeestersstraat");
    assert_string_equal (s_detail ("area", "by"), "address");
    assert_string_equal (s_detail ("area", "street"), "Burgemeestersstraat");
    assert_true (result.has_point && result.lat == 50.8860 && result.lon == 4.7030);
    sein_classification_clear (&result);
    s_classify (classifier,
                "{\"description\": \"x\", \"source\": \"citizen\", \"address_string\": "
                "\"Burgemeestersstraat 61\"}",
                &result);
    assert_string_equal (result.area, "binnenstad");
    assert_true (result.lat == 50.8868);
    sein_classification_clear (&result);
    //  No number on a street split between a zone and its wijk: the wijk.
    s_classify (classifier,
                "{\"description\": \"x\", \"source\": \"citizen\", \"address_string\": "
                "\"Burgemeestersstraat\"}",
                &result);
    assert_string_equal (result.area, "binnenstad");
    assert_non_null (strstr (s_detail ("area", "reason"), "wijk binnenstad"));
    sein_classification_clear (&result);

    //  An unknown street falls through to a street named in the text.
    s_classify (classifier,
                "{\"description\": \"zwerfvuil op de Oude Markt\", \"source\": "
                "\"citizen\", \"address_string\": \"Dekenstraat 5\"}",
                &result);
    assert_string_equal (result.area, "binnenstad");
    assert_string_equal (s_detail ("area", "by"), "description");
    sein_classification_clear (&result);

    //  Nothing usable.
    s_classify (classifier,
                "{\"description\": \"zwerfvuil bij de bakker\", \"source\": \"citizen\", "
                "\"address_string\": \"Dekenstraat 5\"}",
                &result);
    assert_string_equal (result.area, SEIN_TRIAGE);
    assert_string_equal (s_detail ("area", "by"), "none");
    assert_non_null (strstr (s_detail ("area", "reason"), "Dekenstraat"));
    assert_false (result.has_point);
    sein_classification_clear (&result);
}

//  The area's confidence in the last detail.
static double
s_area_confidence (void)
{
    return json_real_value (json_object_get (json_object_get (s_parsed, "area"), "confidence"));
}

//  Classify a citizen's DESCRIPTION with ADDRESS (NULL: none); returns the
//  area into AREA (SEIN_CODE_MAX bytes).
static void
s_place (sein_classifier_t *classifier, const char *description, const char *address,
         char *area)
{
    json_t *body = json_pack ("{s:s,s:s}", "description", description, "source", "citizen");
    if (address)
        json_object_set_new (body, "address_string", json_string (address));
    char *text = json_dumps (body, JSON_COMPACT);
    json_decref (body);
    sein_classification_t result;
    s_classify (classifier, text, &result);
    free (text);
    snprintf (area, SEIN_CODE_MAX, "%s", result.area);
    sein_classification_clear (&result);
}

static void
test_places (void **state)
{
    sein_classifier_t *classifier = (sein_classifier_t *) *state;
    char area[SEIN_CODE_MAX];
    //  A wijk, zone or deelgemeente name, a postcode, a landmark.
    s_place (classifier, "Wijgmaal: de vuilbakken puilen uit", NULL, area);
    assert_string_equal (area, "wijgmaal");
    assert_string_equal (s_detail ("area", "by"), "description");
    assert_string_equal (s_detail ("area", "place"), "Wijgmaal");
    assert_string_equal (s_detail ("area", "place_kind"), "area");
    assert_non_null (strstr (s_detail (NULL, "explanation"), "place Wijgmaal in the text"));
    s_place (classifier, "ratten in de kelder", "3001", area);
    assert_string_equal (area, "heverlee");
    assert_string_equal (s_detail ("area", "place_kind"), "postcode");
    double postcode_alone = s_area_confidence ();
    //  A name and its postcode agree: surer than the postcode alone.
    s_place (classifier, "ratten in de kelder", "3010 Kessel-Lo", area);
    assert_string_equal (area, "kessel-lo");
    assert_true (s_area_confidence () > postcode_alone);
    s_place (classifier, "fietsen op de trappen aan Gasthuisberg", NULL, area);
    assert_string_equal (area, "heverlee");
    //  3000 spans the centre and more: it places nothing by itself.
    s_place (classifier, "ratten in de kelder", "3000 Leuven", area);
    assert_string_equal (area, SEIN_TRIAGE);
    //  A zone inside the wijk a street gives: the zone.
    s_place (classifier, "Casablanca, Kessel-Lo: zwerfvuil", NULL, area);
    assert_string_equal (area, "casablanca");
    s_place (classifier, "Project Burgemeestersstraat: nachtwinkel tot 4u open", NULL, area);
    assert_string_equal (area, "burgemeestersstraat");
    //  A street beats a place, and a count is no house number.
    s_place (classifier, "Burgemeestersstraat 15 gasten op de stoep", NULL, area);
    assert_string_equal (area, "binnenstad"); //  the wijk: no number decides
    assert_null (json_object_get (json_object_get (s_parsed, "area"), "number"));
}

static void
test_other_towns (void **state)
{
    sein_classifier_t *classifier = (sein_classifier_t *) *state;
    char area[SEIN_CODE_MAX];
    //  Another town, even with a street Leuven has too.
    s_place (classifier, "Lichten kapot op de Grote Markt in Tienen", NULL, area);
    assert_string_equal (area, SEIN_TRIAGE);
    assert_string_equal (s_detail ("area", "outside"), "Tienen");
    assert_non_null (strstr (s_detail ("area", "reason"), "outside the city"));
    assert_non_null (strstr (s_detail (NULL, "explanation"), "Tienen is outside the city"));
    s_place (classifier, "lichten kapot", "Grote Markt 1, 3300 Tienen", area);
    assert_string_equal (area, SEIN_TRIAGE);
    assert_string_equal (s_detail ("area", "by"), "address");
    s_place (classifier, "déchets partout, rue de la Loi à Bruxelles", NULL, area);
    assert_string_equal (area, SEIN_TRIAGE);
    //  Where something goes is not where it is.
    s_place (classifier, "de bus naar Tienen stopt niet meer op de Grote Markt", NULL, area);
    assert_string_equal (area, "binnenstad");
    //  The address names the city: the text's town contradicts, no more.
    s_place (classifier, "ik werk in Tienen, maar hier staat alles vol fietsen",
             "Naamsestraat 45, Leuven", area);
    assert_string_equal (area, "binnenstad");
    assert_non_null (strstr (s_detail ("area", "contradiction"), "Tienen"));
    assert_true (s_area_confidence () <= 0.5);
    //  Leuven's streets named after towns are Leuven's.
    s_place (classifier, "zwerfvuil in de Tiensestraat", NULL, area);
    assert_string_equal (area, "binnenstad");
}

static void
test_contradictions (void **state)
{
    sein_classifier_t *classifier = (sein_classifier_t *) *state;
    char area[SEIN_CODE_MAX];
    s_place (classifier, "fietswrakken", "Naamsestraat 45", area);
    assert_string_equal (area, "binnenstad");
    double alone = s_area_confidence ();
    assert_null (json_object_get (json_object_get (s_parsed, "area"), "contradiction"));
    //  The text names another area: the address still decides, but says so.
    s_place (classifier, "fietswrakken hier in Kessel-Lo", "Naamsestraat 45", area);
    assert_string_equal (area, "binnenstad");
    const char *contradiction = s_detail ("area", "contradiction");
    assert_non_null (contradiction);
    assert_non_null (strstr (contradiction, "text place Kessel-Lo → kessel-lo"));
    assert_true (s_area_confidence () < alone);
    assert_non_null (strstr (s_detail (NULL, "explanation"), "(but text place Kessel-Lo"));
    //  The text agrees: surer than the address alone.
    s_place (classifier, "fietswrakken aan de Oude Markt", "Naamsestraat 45", area);
    assert_string_equal (area, "binnenstad");
    assert_true (s_area_confidence () > alone);
    assert_int_equal (json_integer_value (json_object_get (json_object_get (s_parsed, "area"),
                                                           "agreeing")),
                      1);
    //  A point and an address in different areas: the point, less sure.
    sein_classification_t result;
    s_classify (classifier,
                "{\"description\": \"x\", \"source\": \"citizen\", \"address_string\": "
                "\"Lolanden 3\", \"lat\": 50.885, \"long\": 4.736}",
                &result);
    assert_string_equal (result.area, "kessel-lo"); //  casablanca is inside kessel-lo
    sein_classification_clear (&result);
    s_classify (classifier,
                "{\"description\": \"x\", \"source\": \"citizen\", \"address_string\": "
                "\"Naamsestraat 45\", \"lat\": 50.885, \"long\": 4.736}",
                &result);
    assert_string_equal (result.area, "kessel-lo");
    assert_non_null (strstr (s_detail ("area", "contradiction"), "address street Naamsestraat"));
    assert_true (s_area_confidence () <= 0.5);
    sein_classification_clear (&result);
    //  Two places in different areas of one text.
    s_place (classifier, "verhuisd van Heverlee naar Wilsele, nu ligt daar afval", NULL, area);
    assert_non_null (s_detail ("area", "contradiction"));
}

static void
test_theme (void **state)
{
    sein_classifier_t *classifier = (sein_classifier_t *) *state;
    sein_classification_t result;
    s_classify (classifier,
                "{\"description\": \"Geen overlast meer sinds het café gesloten is, maar nu "
                "wel zwerfvuil: elke ochtend liggen er frietzakken en blikjes.\", "
                "\"source\": \"citizen\", \"address_string\": \"Tiensestraat 80\"}",
                &result);
    assert_string_equal (result.theme, "afval");
    json_t *theme = json_object_get (s_parsed, "theme");
    assert_string_equal (s_detail ("theme", "by"), "words");
    assert_string_equal (json_string_value (json_array_get (json_object_get (theme, "negated"), 0)),
                         "overlast");
    assert_true (json_array_size (json_object_get (theme, "words")) >= 2);
    assert_string_equal (s_detail ("theme", "runner_up"), "overlast");
    const char *explanation = s_detail (NULL, "explanation");
    assert_non_null (strstr (explanation, "street Tiensestraat 80 → binnenstad"));
    assert_non_null (strstr (explanation, "(not: overlast"));
    assert_non_null (strstr (explanation, ") → afval 0."));
    assert_true (result.confidence > 0 && result.confidence <= 1);
    assert_true (json_real_value (json_object_get (s_parsed, "confidence")) ==
                 result.confidence);
    assert_true (json_is_real (json_object_get (theme, "score")));
    json_t *scores = json_object_get (theme, "scores");
    assert_true (json_is_real (json_object_get (scores, "afval")));
    sein_classification_clear (&result);

    //  Explicit wins over words.
    s_classify (classifier,
                "{\"description\": \"ratten\", \"source\": \"staff\", \"theme\": \"wonen\"}",
                &result);
    assert_string_equal (result.theme, "wonen");
    assert_string_equal (s_detail ("theme", "by"), "explicit");
    sein_classification_clear (&result);

    //  Nothing scores: triage.
    s_classify (classifier,
                "{\"description\": \"Please call me back, thanks\", \"source\": \"citizen\"}",
                &result);
    assert_string_equal (result.theme, SEIN_TRIAGE);
    assert_string_equal (s_detail ("theme", "reason"), "no theme words");
    assert_true (result.confidence == 0);
    sein_classification_clear (&result);

    //  A dog that barks is noise, dog dirt is waste: phrases and weights.
    s_classify (classifier,
                "{\"description\": \"Our neighbours' dog barks all day\", \"source\": "
                "\"citizen\"}",
                &result);
    assert_string_equal (result.theme, "overlast");
    sein_classification_clear (&result);
    s_classify (classifier,
                "{\"description\": \"Dog poop all over the pavement\", \"source\": "
                "\"citizen\"}",
                &result);
    assert_string_equal (result.theme, "afval");
    sein_classification_clear (&result);

    //  Function words leave the language open ("en" is Dutch and French):
    //  the rule words settle it, and French "vol" (theft) is then a foreign
    //  word too short to count.
    s_classify (classifier,
                "{\"description\": \"fietspad ligt vol scheuren en putten\", \"source\": "
                "\"citizen\"}",
                &result);
    assert_null (json_object_get (json_object_get (json_object_get (s_parsed, "theme"),
                                                   "scores"),
                                  "veiligheid"));
    assert_string_equal (s_detail (NULL, "language"), "nl");
    sein_classification_clear (&result);
    s_classify (classifier, "{\"description\": \"vol vélo\", \"source\": \"citizen\"}",
                &result);
    assert_string_equal (result.theme, "veiligheid");
    assert_string_equal (s_detail (NULL, "language"), "fr");
    sein_classification_clear (&result);

    //  Folding makes "garé" (parked) "gare" (station), and the Dutch stemmer
    //  makes "kots" (vomit) "kot" (student room): such words are rules only
    //  as phrases or exact forms.
    s_classify (classifier,
                "{\"description\": \"devant la gare\", \"source\": \"citizen\"}", &result);
    assert_string_equal (result.theme, SEIN_TRIAGE);
    sein_classification_clear (&result);
    s_classify (classifier,
                "{\"description\": \"kots op de stoep\", \"source\": \"citizen\"}", &result);
    assert_string_equal (result.theme, "afval");
    sein_classification_clear (&result);

    //  Only dismissed words: nothing is said to be wrong, a person looks.
    s_classify (classifier,
                "{\"description\": \"geen sluikstort meer\", \"source\": \"citizen\"}",
                &result);
    assert_string_equal (result.theme, SEIN_TRIAGE);
    assert_non_null (strstr (s_detail ("theme", "reason"), "sets aside"));
    sein_classification_clear (&result);
    s_classify (classifier,
                "{\"description\": \"geen sluikstort meer, wel ratten\", \"source\": "
                "\"citizen\"}",
                &result);
    assert_string_equal (result.theme, "dieren");
    sein_classification_clear (&result);

    //  Compounds: the theme word inside a Dutch compound.
    s_classify (classifier,
                "{\"description\": \"Veel wespenoverlast aan het schoolplein\", \"source\": "
                "\"citizen\"}",
                &result);
    assert_string_equal (result.theme, "dieren");
    sein_classification_clear (&result);
    //  The longest first member: "struikel(en)" (openbaar-domein), not
    //  "struik" (groen).
    s_classify (classifier,
                "{\"description\": \"struikelgevaar op het voetpad\", \"source\": "
                "\"citizen\"}",
                &result);
    assert_string_equal (result.theme, "openbaar-domein");
    assert_null (json_object_get (json_object_get (json_object_get (s_parsed, "theme"),
                                                   "scores"),
                                  "groen"));
    sein_classification_clear (&result);
}

static void
test_events (void **state)
{
    sein_classifier_t *classifier = (sein_classifier_t *) *state;
    sein_classification_t result;
    s_classify (classifier,
                "{\"description\": \"threshold exceeded\", \"source\": \"system\", "
                "\"attributes\": {\"bin_fill\": \"97\"}, \"lat\": 50.882, \"long\": 4.728}",
                &result);
    assert_string_equal (result.theme, "afval");
    assert_string_equal (result.area, "casablanca");
    assert_string_equal (s_detail ("theme", "by"), "attributes");
    sein_classification_clear (&result);
    s_classify (classifier,
                "{\"description\": \"noise_level Leq=78dB(A) sensor NM-04\", \"source\": "
                "\"system\"}",
                &result);
    assert_string_equal (result.theme, "overlast");
    sein_classification_clear (&result);
    //  An attribute comparison in the priority rules.
    s_classify (classifier,
                "{\"description\": \"reading\", \"source\": \"system\", \"attributes\": "
                "{\"gas_ppm\": \"120\"}}",
                &result);
    assert_string_equal (result.priority, "urgent");
    sein_classification_clear (&result);
    s_classify (classifier,
                "{\"description\": \"reading\", \"source\": \"system\", \"attributes\": "
                "{\"gas_ppm\": \"3\"}}",
                &result);
    assert_string_equal (result.priority, "normal");
    sein_classification_clear (&result);
}

//  Labels and reasons are cut to a length; a cut must never split a UTF-8
//  character, or the detail (and the event around it) is no valid JSON.
static void
test_utf8_cuts (void **state)
{
    sein_classifier_t *classifier = (sein_classifier_t *) *state;
    for (int shift = 0; shift < 4; shift++) {
        char *json = zsys_sprintf (
            "{\"description\": \"bin_fill=%.*s97ééééééééééééééééééééé ratten\", "
            "\"source\": \"system\", \"address_string\": \"%.*s"
            "éééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé 12\"}",
            shift, "xxx", shift, "yyy");
        sein_classification_t result;
        s_classify (classifier, json, &result); //  parses the detail back
        char *dump = json_dumps (s_parsed, 0);
        assert_non_null (dump);
        free (dump);
        sein_classification_clear (&result);
        zstr_free (&json);
    }
}

//  The detail is JSON text in the shape docs/CLASSIFICATION.md shows:
//  keys in that order, reals with at most two decimals ("1.0" stays real).
static void
test_detail_text (void **state)
{
    sein_classifier_t *classifier = (sein_classifier_t *) *state;
    sein_classification_t result;
    s_classify (classifier,
                "{\"description\": \"ratten\", \"source\": \"staff\", \"area\": "
                "\"hoogland\", \"theme\": \"wonen\", \"priority\": \"low\"}",
                &result);
    assert_string_equal (result.detail,
                         "{\"area\":{\"by\":\"explicit\",\"code\":\"hoogland\",\"wijk\":"
                         "\"kessel-lo\",\"confidence\":1.0},\"theme\":{\"by\":\"explicit\","
                         "\"code\":\"wonen\",\"confidence\":1.0},\"priority\":{\"by\":"
                         "\"explicit\",\"code\":\"low\"},\"confidence\":1.0,\"explanation\":"
                         "\"explicit area hoogland; explicit theme wonen; explicit priority "
                         "low\"}");
    sein_classification_clear (&result);

    //  The fixed-point writer prints what jansson printed for the rounded
    //  reals before, without printf.
    struct {
        double value;
        const char *text;
    } numbers[] = {{0, "0.0"},        {1, "1.0"},          {0.85, "0.85"},
                   {0.8, "0.8"},      {7.5, "7.5"},        {-2.25, "-2.25"},
                   {0.05, "0.05"},    {0.004, "0.0"},      {0.005, "0.01"},
                   {123.456, "123.46"}, {-0.3, "-0.3"},    {1e6, "1000000.0"}};
    sein_buf_t buf = {0};
    for (size_t index = 0; index < sizeof numbers / sizeof numbers[0]; index++) {
        sein_buf_reset (&buf);
        sein_buf_fixed (&buf, numbers[index].value);
        assert_string_equal (buf.data, numbers[index].text);
    }
    sein_buf_reset (&buf);
    sein_buf_raw (&buf, "{", 1);
    sein_buf_field_int (&buf, "a", -1234567890123);
    sein_buf_field_int (&buf, "b", 0);
    sein_buf_field_raw (&buf, "c", "[1]", 3);
    assert_string_equal (buf.data, "{\"a\":-1234567890123,\"b\":0,\"c\":[1]");
    sein_buf_free (&buf);
}

//  The word-at-a-time paths (JSON escaping, ASCII folding) and the stem
//  cache give what the plain byte-by-byte versions give, wherever the
//  special bytes fall.
static void
test_fast_paths (void **state)
{
    (void) state;
    static const char specials[] = {'"', '\\', '\n', '\t', '\r', 1, 0x1f, 'A', 'Z', 0x7f};
    sein_buf_t buf = {0};
    char text[80], expect[600];
    for (size_t len = 0; len < 70; len++)
        for (size_t at = 0; at <= len; at++)
            for (size_t which = 0; which < sizeof specials; which++) {
                for (size_t index = 0; index < len; index++)
                    text[index] = (char) ('a' + index % 26);
                if (at < len)
                    text[at] = specials[which];
                text[len] = 0;
                //  Escaped one byte at a time
                size_t used = 0;
                expect[used++] = '"';
                for (size_t index = 0; index < len; index++) {
                    unsigned char c = (unsigned char) text[index];
                    if (c == '"' || c == '\\')
                        used += (size_t) sprintf (expect + used, "\\%c", c);
                    else if (c == '\n')
                        used += (size_t) sprintf (expect + used, "\\n");
                    else if (c == '\t')
                        used += (size_t) sprintf (expect + used, "\\t");
                    else if (c == '\r')
                        used += (size_t) sprintf (expect + used, "\\r");
                    else if (c < 0x20)
                        used += (size_t) sprintf (expect + used, "\\u%04x", c);
                    else
                        expect[used++] = (char) c;
                }
                expect[used++] = '"';
                expect[used] = 0;
                sein_buf_reset (&buf);
                sein_buf_string (&buf, text);
                assert_string_equal (buf.data, expect);
                assert_int_equal (buf.size, used);

                //  Folded one byte at a time; "É" folds to "e"
                char input[96], folded[96], reference[96];
                size_t input_len = 0, reference_len = 0;
                for (size_t index = 0; index < len; index++) {
                    unsigned char c = (unsigned char) text[index];
                    if (index == len / 2 && which % 2) {
                        memcpy (input + input_len, "\xc3\x89", 2); //  É
                        input_len += 2;
                        reference[reference_len++] = 'e';
                    }
                    input[input_len++] = (char) c;
                    reference[reference_len++] =
                        c >= 'A' && c <= 'Z'             ? (char) (c - 'A' + 'a')
                        : c == '\n'                      ? '\n'
                        : c < 0x20 || c == 0x7f          ? ' '
                                                         : (char) c;
                }
                reference[reference_len] = 0;
                long folded_len =
                    sein_text_fold (input, input_len, folded, sizeof folded);
                assert_int_equal (folded_len, (long) reference_len);
                assert_string_equal (folded, reference);
                //  Too small a buffer is refused, not overrun
                if (reference_len > 0) {
                    folded_len = sein_text_fold (input, input_len, folded, reference_len);
                    assert_int_equal (folded_len, -1);
                }
            }
    sein_buf_free (&buf);

    //  Many more words than the cache holds, stemmed twice in another order
    sein_stemmer_t *stemmer = sein_stemmer_new ();
    assert_non_null (stemmer);
    const char *endings[] = {"en", "ingen", "s", "heden", "lijk", "e", "baar", "tjes"};
    char (*first)[40] = (char (*)[40]) calloc (6000, 40);
    assert_non_null (first);
    for (int round = 0; round < 2; round++)
        for (int index = 0; index < 6000; index++) {
            int word = round ? 5999 - index : index;
            char input[40], out[64];
            int len = snprintf (input, sizeof input, "%cwoord%d%s", 'a' + word % 26, word,
                                endings[word % 8]);
            int stem_len = sein_stemmer_stem (stemmer, word % 3, input, (size_t) len, out,
                                              sizeof out);
            assert_true (stem_len > 0);
            if (round == 0)
                memcpy (first[word], out, (size_t) stem_len + 1);
            else
                assert_string_equal (out, first[word]);
        }
    free (first);
    sein_stemmer_destroy (&stemmer);
}

static void
test_priority (void **state)
{
    sein_classifier_t *classifier = (sein_classifier_t *) *state;
    sein_classification_t result;
    struct {
        const char *json, *priority;
    } cases[] = {
        {"{\"description\": \"Gaslek in de kelder, het ruikt overal\", \"source\": "
         "\"citizen\"}",
         "urgent"},
        {"{\"description\": \"De boom helt gevaarlijk over het fietspad\", \"source\": "
         "\"citizen\"}",
         "high"},
        {"{\"description\": \"Er is geen gevaar, maar het gras is te hoog\", \"source\": "
         "\"citizen\"}",
         "normal"},
        {"{\"description\": \"Is dat niet gevaarlijk?\", \"source\": \"citizen\"}", "high"},
        {"{\"description\": \"Brandnetels op het pad\", \"source\": \"citizen\"}", "normal"},
        {"{\"description\": \"Autobrand in de straat\", \"source\": \"citizen\"}", "urgent"},
        {"{\"description\": \"The brand new bench is broken\", \"source\": \"citizen\"}",
         "normal"},
        {"{\"description\": \"test test, niet behandelen\", \"source\": \"citizen\"}", "low"},
        //  "test" is no last member: a certificate is no test message.
        {"{\"description\": \"Het conformiteitsattest ontbreekt\", \"source\": "
         "\"citizen\"}",
         "normal"},
        {"{\"description\": \"Hij werd in elkaar geslagen\", \"source\": \"citizen\"}",
         "high"},
        {"{\"description\": \"Blootliggende kabels naast de speeltuin\", \"source\": "
         "\"citizen\"}",
         "high"},
        {"{\"description\": \"Il y a le feu dans la cave\", \"source\": \"citizen\"}",
         "urgent"},
        {"{\"description\": \"Le feu rouge est en panne\", \"source\": \"citizen\"}",
         "normal"},
        {"{\"description\": \"Gaslek!\", \"source\": \"staff\", \"priority\": \"low\"}",
         "low"},
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        s_classify (classifier, cases[index].json, &result);
        if (strcmp (result.priority, cases[index].priority) != 0)
            fail_msg ("case %zu: %s, expected %s (%s)", index, result.priority,
                      cases[index].priority, s_detail (NULL, "explanation"));
        sein_classification_clear (&result);
    }
    s_classify (classifier, cases[0].json, &result);
    assert_string_equal (s_detail ("priority", "by"), "rule");
    assert_non_null (s_detail ("priority", "rule"));
    sein_classification_clear (&result);
    s_classify (classifier, cases[13].json, &result);
    assert_string_equal (s_detail ("priority", "by"), "explicit");
    sein_classification_clear (&result);
}

//  A classifier on the bundled data with RULES (theme-rules TSV text) as
//  its theme rules, and one more setting EXTRA (or NULL).
static sein_classifier_t *
s_classifier_rules (const char *rules, const char *extra)
{
    char *path = strdup (sein_harness_write ("theme-rules.tsv", rules));
    char *setting = zsys_sprintf ("data.theme_rules=%s", path);
    const char *overrides[] = {setting, extra, NULL};
    sein_classifier_t *classifier = s_classifier (overrides, NULL);
    unlink (path); //  read at load
    free (path);
    free (setting);
    return classifier;
}

static void
test_ties (void **state)
{
    (void) state;
    //  Words count x1.2 at the start of a text, x0.8 at its end: in "lawaai
    //  van jongeren" 2 x 1.2 ties 3 x 0.8.
    const char *rules = "theme\tlang\tpattern\tweight\n"
                        "overlast\tnl\tlawaai\t2\n"
                        "jeugd\tnl\tjongeren\t3\n"
                        "jeugd\tnl\thangjongeren\t4\n";
    sein_classifier_t *classifier = s_classifier_rules (rules, NULL);
    sein_classification_t result;
    s_classify (classifier,
                "{\"description\": \"lawaai van jongeren\", \"source\": \"citizen\"}",
                &result);
    assert_string_equal (result.theme, SEIN_TRIAGE);
    assert_non_null (strstr (s_detail ("theme", "reason"), "tie"));
    assert_non_null (strstr (s_detail (NULL, "explanation"), "→ triage"));
    sein_classification_clear (&result);
    //  A clear lead (3.2 against 2.4 is 25%, more than the 20% margin) wins.
    s_classify (classifier,
                "{\"description\": \"lawaai van hangjongeren\", \"source\": \"citizen\"}",
                &result);
    assert_string_equal (result.theme, "jeugd");
    sein_classification_clear (&result);
    sein_classifier_destroy (&classifier);

    //  Too little evidence under a higher bar.
    classifier = s_classifier_rules (rules, "classify.theme_min_score=300");
    s_classify (classifier, "{\"description\": \"lawaai\", \"source\": \"citizen\"}", &result);
    assert_string_equal (result.theme, SEIN_TRIAGE);
    assert_non_null (strstr (s_detail ("theme", "reason"), "too little evidence"));
    sein_classification_clear (&result);
    sein_classifier_destroy (&classifier);
}

//  A word that counts for two themes, or for one through two rules, is
//  listed once in the words and the explanation.
static void
test_explanation (void **state)
{
    (void) state;
    sein_classifier_t *classifier = s_classifier_rules ("theme\tlang\tpattern\tweight\n"
                                                        "verkeer\tnl\tfietspad\t2\n"
                                                        "openbaar-domein\tnl\tfietspad\t2\n"
                                                        "afval\tnl\tglas\t2\n"
                                                        "afval\t*\t=glas\t1\n",
                                                        NULL);
    sein_classification_t result;
    s_classify (classifier,
                "{\"description\": \"het fietspad\", \"source\": \"citizen\"}", &result);
    assert_string_equal (result.theme, SEIN_TRIAGE);
    const char *explanation = s_detail (NULL, "explanation");
    assert_non_null (strstr (explanation, "words: fietspad;"));
    assert_int_equal (json_array_size (json_object_get (json_object_get (s_parsed, "theme"),
                                                        "words")),
                      1);
    sein_classification_clear (&result);
    s_classify (classifier,
                "{\"description\": \"glas op het fietspad, glas overal\", \"source\": "
                "\"citizen\"}",
                &result);
    assert_string_equal (result.theme, "afval");
    assert_non_null (strstr (s_detail (NULL, "explanation"), "words: glas →"));
    sein_classification_clear (&result);
    sein_classifier_destroy (&classifier);
}

//  A word that matched one rule as written is still stemmed for the
//  others: another theme may know it in another inflection. Within one
//  theme, the form as written keeps its own weight.
static void
test_inflections (void **state)
{
    (void) state;
    sein_classifier_t *classifier = s_classifier_rules ("theme\tlang\tpattern\tweight\n"
                                                        "verkeer\tnl\tscheuren\t2\n"
                                                        "openbaar-domein\tnl\tscheur\t3\n"
                                                        "overlast\tnl\tnacht\t1\n"
                                                        "overlast\tnl\tnachten\t2\n",
                                                        NULL);
    sein_classification_t result;
    s_classify (classifier,
                "{\"description\": \"het fietspad ligt vol scheuren\", \"source\": "
                "\"citizen\"}",
                &result);
    json_t *scores = json_object_get (json_object_get (s_parsed, "theme"), "scores");
    assert_non_null (json_object_get (scores, "verkeer"));
    assert_non_null (json_object_get (scores, "openbaar-domein"));
    assert_string_equal (result.theme, "openbaar-domein");
    sein_classification_clear (&result);
    s_classify (classifier, "{\"description\": \"nacht\", \"source\": \"citizen\"}",
                &result);
    assert_true (json_real_value (json_object_get (json_object_get (s_parsed, "theme"),
                                                   "score")) < 1.5);
    sein_classification_clear (&result);
    s_classify (classifier, "{\"description\": \"nachten\", \"source\": \"citizen\"}",
                &result);
    assert_true (json_real_value (json_object_get (json_object_get (s_parsed, "theme"),
                                                   "score")) > 1.5);
    sein_classification_clear (&result);
    sein_classifier_destroy (&classifier);
}

//  Themes are as many as the file lists. Rules report phrases before
//  single words, so here the 40th theme's words come after 78 phrase hits
//  for the other 39 (more hits than are kept inline), and still win.
static void
test_many_themes (void **state)
{
    (void) state;
    char *themes = strdup ("code\tname_nl\n");
    char *rules = strdup ("theme\tlang\tpattern\tweight\n");
    char *text = strdup ("");
    //  Made-up words, matched as written: "zorqaa", "zorqab", ...
    char words[158][8];
    for (int word = 0; word < 158; word++) {
        snprintf (words[word], sizeof words[word], "zorq%c%c", 'a' + word / 26,
                  'a' + word % 26);
        char *more = zsys_sprintf ("%s%s%s", text, word ? " " : "", words[word]);
        free (text);
        text = more;
    }
    for (int theme = 1; theme <= 40; theme++) {
        char *more = zsys_sprintf ("%st%02d\tT%d\n", themes, theme, theme);
        free (themes);
        themes = more;
        for (int rule = 0; rule < 2; rule++) {
            int first = 4 * (theme - 1) + 2 * rule;
            if (theme < 40)
                more = zsys_sprintf ("%st%02d\t*\t=%s =%s\t1\n", rules, theme,
                                     words[first], words[first + 1]);
            else
                more = zsys_sprintf ("%st40\t*\t=%s\t5\n", rules, words[156 + rule]);
            free (rules);
            rules = more;
        }
    }
    char *path = strdup (sein_harness_write ("themes.tsv", themes));
    char *setting = zsys_sprintf ("data.themes=%s", path);
    sein_classifier_t *classifier = s_classifier_rules (rules, setting);
    unlink (path);
    assert_non_null (classifier);
    char *summary = sein_classifier_summary (classifier);
    if (!strstr (summary, " 40 themes, 80 theme rules"))
        fail_msg ("summary: %s", summary);
    free (summary);
    zlistx_t *codes = sein_classifier_codes (classifier, false);
    assert_int_equal (zlistx_size (codes), 41); //  and triage
    assert_string_equal ((const char *) zlistx_last (codes), SEIN_TRIAGE);
    zlistx_destroy (&codes);
    assert_true (sein_classifier_known_theme (classifier, "t40"));

    char *json =
        zsys_sprintf ("{\"description\": \"%s\", \"source\": \"citizen\"}", text);
    sein_classification_t result;
    s_classify (classifier, json, &result);
    assert_string_equal (result.theme, "t40");
    json_t *theme = json_object_get (s_parsed, "theme");
    assert_int_equal (json_object_size (json_object_get (theme, "scores")), 40);
    assert_int_equal (json_array_size (json_object_get (theme, "words")), 2);
    sein_classification_clear (&result);
    sein_classifier_destroy (&classifier);
    free (json);
    free (setting);
    free (path);
    free (text);
    free (rules);
    free (themes);
}

//  What one classifying thread gets: the shared classifier and signals,
//  the details a single thread rendered for them, and where to start.
typedef struct {
    const sein_classifier_t *classifier;
    const sein_signal_t *signals;
    char *const *expected;
    size_t count;
    size_t start;
} s_worker_t;

#define S_WORKER_ROUNDS 40

//  Classify every signal S_WORKER_ROUNDS times with this thread's own
//  scratch; reply with how many details differ from the expected ones.
//  (cmocka cannot fail a test from another thread: the main one counts.)
static void
s_worker (zsock_t *pipe, void *args)
{
    const s_worker_t *work = (const s_worker_t *) args;
    sein_classify_scratch_t *scratch = sein_classify_scratch_new ();
    zsock_signal (pipe, 0);
    int differ = scratch ? 0 : -1;
    for (size_t call = 0; scratch && call < S_WORKER_ROUNDS * work->count; call++) {
        size_t index = (work->start + call) % work->count;
        sein_classification_t result;
        sein_classifier_classify (work->classifier, scratch, &work->signals[index], &result,
                                  true);
        if (strcmp (result.detail, work->expected[index]) != 0)
            differ++;
        sein_classification_clear (&result);
    }
    sein_classify_scratch_destroy (&scratch);
    zsock_send (pipe, "i", differ);
    char *command = zstr_recv (pipe); //  $TERM
    zstr_free (&command);
}

//  Threads may share a classifier, each with its own scratch: two
//  classifying the dev set at once, out of step, get what one alone does.
static void
test_threads (void **state)
{
    const sein_classifier_t *classifier = (const sein_classifier_t *) *state;
    char *path = zsys_sprintf ("%s/tests/data/signals-dev.jsonl", SEIN_SOURCE_DIR);
    FILE *file = fopen (path, "r");
    assert_non_null (file);
    sein_signal_t signals[100];
    char *expected[100];
    size_t count = 0;
    char *line = NULL;
    size_t capacity = 0;
    sein_signal_limits_t limits = {4000, 65536};
    while (count < 100 && getline (&line, &capacity, file) >= 0) {
        json_t *entry = json_loads (line, 0, NULL);
        char *body = json_dumps (json_object_get (entry, "input"), JSON_COMPACT);
        json_decref (entry);
        sein_error_t error;
        if (!body ||
            sein_signal_parse (&signals[count], body, strlen (body), &limits, &error))
            fail_msg ("%s: bad signal %zu", path, count + 1);
        free (body);
        sein_classification_t result;
        sein_classifier_classify (classifier, s_scratch, &signals[count], &result, true);
        expected[count++] = result.detail; //  taken over
    }
    free (line);
    fclose (file);
    assert_true (count >= 50);
    s_worker_t work[2] = {{classifier, signals, expected, count, 0},
                          {classifier, signals, expected, count, count / 2}};
    zactor_t *workers[2];
    for (int index = 0; index < 2; index++)
        workers[index] = zactor_new (s_worker, &work[index]);
    for (int index = 0; index < 2; index++) {
        int differ = -1;
        assert_int_equal (zsock_recv (workers[index], "i", &differ), 0);
        assert_int_equal (differ, 0);
        zactor_destroy (&workers[index]);
    }
    for (size_t index = 0; index < count; index++) {
        sein_signal_clear (&signals[index]);
        free (expected[index]);
    }
    free (path);
}

//  Load with SETTING pointing at a file holding CONTENT; return the error.
static char *
s_bad (const char *setting, const char *content)
{
    char *path = strdup (sein_harness_write ("bad-data", content));
    char *override = zsys_sprintf ("%s=%s", setting, path);
    const char *extra[] = {override, NULL};
    char *error = NULL;
    sein_classifier_t *classifier = s_classifier (extra, &error);
    assert_null (classifier);
    unlink (path);
    free (override);
    free (path);
    return error;
}

static void
test_bad_data (void **state)
{
    sein_classifier_t *running = (sein_classifier_t *) *state;
    struct {
        const char *setting, *content, *expect;
    } cases[] = {
        {"data.areas", "code\tname\tkind\tparent\na\tA\twijk\t\na\tA\twijk\t\n",
         ":3: duplicate area 'a'"},
        {"data.areas", "code\tname\tkind\tparent\nz\tZ\tregie\tw\n",
         ":2: parent 'w' of 'z' is not listed above it"},
        {"data.areas", "code\tname\tkind\tparent\nw\tW\tplanet\t\n",
         ":2: area 'w' of kind 'planet' needs a parent wijk"},
        {"data.areas", "code\tname\tkind\tparent\nw\tW\twijk\t\nv\tV\twijk\tw\n",
         ":3: wijk 'v' cannot have a parent ('w')"},
        {"data.themes", "code\tname_nl\tname_en\tcovers\nAfval\tAfval\tWaste\tx\n",
         ":2: bad theme code"},
        {"data.theme_rules", "theme\tlang\tpattern\tweight\nafval\tnl\tvuil\t2\n"
                             "# a comment\nrommel\tnl\trommel\t1\n",
         ":4: unknown theme 'rommel'"},
        {"data.theme_rules", "theme\tlang\tpattern\tweight\nafval\tnl\tvuil\tzwaar\n",
         ":2: weight must be a number"},
        {"data.theme_rules", "theme\tlang\tpattern\tweight\nafval\tde\tmüll\t1\n",
         ":2: lang must be nl, fr, en, * or attr"},
        {"data.theme_rules", "theme\tlang\tpattern\tweight\nafval\tnl\tVuil\t1\n"
                             "afval\tnl\tvuil\t3\n",
         ":3: 'vuil' repeats the rule on line 2"},
        {"data.theme_rules", "theme\tlang\tpattern\tweight\nafval\tattr\tfill>=lots\t1\n",
         ":2: 'fill>=lots': <, <=, > and >= need a number"},
        {"data.theme_rules", "theme\tlang\tpattern\tweight\nafval\tnl\tvu\xffil\t1\n",
         ":2: not valid UTF-8 at byte 12"},
        {"data.theme_rules", "theme\tlang\tpattern\n", ":1: expected a header line"},
        {"data.theme_rules", "", ":0: no header line"},
        {"data.priority_rules", "priority\tlang\tpattern\nasap\tnl\tbrand\n",
         ":2: unknown priority 'asap'"},
        {"data.priority_rules", "priority\tlang\tpattern\nhigh\tnl\tbrand\t2\n",
         ":2: expected at most 3"},
        {"data.streets", "street\tfrom\tto\tarea\tlat\tlon\nAstraat\t\t\tnergens\t50\t4\n",
         ":2: unknown area 'nergens'"},
        {"data.polygons",
         "{\"type\": \"FeatureCollection\", \"features\": [\n{\"type\": \"Feature\", "
         "\"properties\": {\"code\": \"nergens\"}, \"geometry\": {\"type\": \"Polygon\", "
         "\"coordinates\": [[[0,0],[1,0],[1,1],[0,0]]]}}]}",
         ":2: feature 0: nergens: unknown area"},
        {"data.polygons",
         "{\"type\": \"FeatureCollection\", \"features\": [\n{\"type\": \"Feature\", "
         "\"properties\": {\"code\": \"casablanca\", \"parent\": \"heverlee\"}, "
         "\"geometry\": {\"type\": \"Polygon\", "
         "\"coordinates\": [[[0,0],[1,0],[1,1],[0,0]]]}}]}",
         ":2: feature 0: casablanca: parent 'heverlee' differs from the areas file"},
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        char *error = s_bad (cases[index].setting, cases[index].content);
        if (!error || !strstr (error, "bad-data") || !strstr (error, cases[index].expect))
            fail_msg ("case %zu: got '%s'", index, error ? error : "no error");
        free (error);
    }
    //  The classifier already running is untouched by failed loads.
    sein_classification_t result;
    s_classify (running, "{\"description\": \"ratten\", \"source\": \"citizen\"}", &result);
    assert_string_equal (result.theme, "dieren");
    sein_classification_clear (&result);
}

static void
test_lookups (void **state)
{
    sein_classifier_t *classifier = (sein_classifier_t *) *state;
    assert_true (sein_classifier_known_area (classifier, "heilig-hart"));
    assert_true (sein_classifier_known_area (classifier, SEIN_TRIAGE));
    assert_false (sein_classifier_known_area (classifier, "leuven"));
    assert_true (sein_classifier_known_theme (classifier, "openbaar-domein"));
    assert_false (sein_classifier_known_theme (classifier, "parking"));
    assert_string_equal (sein_classifier_wijk_of (classifier, "heilig-hart"), "heverlee");
    assert_string_equal (sein_classifier_wijk_of (classifier, "heverlee"), "heverlee");
    assert_string_equal (sein_classifier_wijk_of (classifier, SEIN_TRIAGE), SEIN_TRIAGE);
    assert_null (sein_classifier_wijk_of (classifier, "leuven"));
    char *summary = sein_classifier_summary (classifier);
    if (!strstr (summary, "9 areas, 9 polygons, 38 streets, ") ||
        !strstr (summary, " places, 10 themes"))
        fail_msg ("summary: %s", summary);
    free (summary);
    sein_classification_t zeroed;
    memset (&zeroed, 0, sizeof zeroed);
    sein_classification_clear (&zeroed);
    sein_classification_clear (NULL);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_area_evidence), cmocka_unit_test (test_theme),
        cmocka_unit_test (test_places),        cmocka_unit_test (test_other_towns),
        cmocka_unit_test (test_contradictions),
        cmocka_unit_test (test_events),        cmocka_unit_test (test_utf8_cuts),
        cmocka_unit_test (test_detail_text),   cmocka_unit_test (test_fast_paths),
        cmocka_unit_test (test_priority),
        cmocka_unit_test (test_ties),          cmocka_unit_test (test_explanation),
        cmocka_unit_test (test_inflections),
        cmocka_unit_test (test_many_themes),
        cmocka_unit_test (test_threads),
        cmocka_unit_test (test_bad_data),
        cmocka_unit_test (test_lookups),
    };
    return cmocka_run_group_tests (tests, s_setup, s_teardown);
}
