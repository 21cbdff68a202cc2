// SPDX-License-Identifier: MPL-2.0
/*  test_geo.c - point in polygon: nesting, shared edges, holes, big rings

    Two wijken A and B share the edge long = 10; zone Z lies in A and zone
    ZZ in Z; H has a hole; M is a MultiPolygon; C is a 256-vertex circle,
    large enough for the per-ring edge bands to be used. Coordinates are
    [long, lat] as in GeoJSON; sein_geo_locate takes (lat, long).
*/
#include "sein_geo.h"
#include "sein_harness.h"

#include <czmq.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

static char s_path[256];

static char *
s_square (double x0, double y0, double x1, double y1)
{
    return zsys_sprintf ("[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]", x0, y0, x1, y0, x1, y1,
                         x0, y1, x0, y0);
}

static char *
s_feature (const char *code, const char *parent, const char *type, const char *coordinates)
{
    return zsys_sprintf ("{\"type\": \"Feature\", \"properties\": {\"code\": \"%s\", "
                         "\"parent\": %s%s%s}, \"geometry\": {\"type\": \"%s\", "
                         "\"coordinates\": %s}}",
                         code, parent ? "\"" : "", parent ? parent : "null",
                         parent ? "\"" : "", type, coordinates);
}

static char *
s_collection (void)
{
    char *a = s_square (0, 0, 10, 10), *b = s_square (10, 0, 20, 10);
    char *z = s_square (2, 2, 4, 4), *zz = s_square (2.5, 2.5, 3, 3);
    char *outer = s_square (30, 0, 40, 10), *hole = s_square (33, 3, 37, 7);
    char *m1 = s_square (50, 0, 51, 1), *m2 = s_square (60, 0, 61, 1);
    char *circle = strdup ("[");
    for (int index = 0; index <= 256; index++) {
        double angle = 2 * M_PI * (index % 256) / 256;
        char *next = zsys_sprintf ("%s%s[%.12f,%.12f]", circle, index ? "," : "",
                                   80 + 4 * cos (angle), 5 + 4 * sin (angle));
        free (circle);
        circle = next;
    }
    char *closed = zsys_sprintf ("%s]", circle);
    char *polygons[7];
    char *wrapped[5];
    wrapped[0] = zsys_sprintf ("[%s]", a);
    wrapped[1] = zsys_sprintf ("[%s]", b);
    wrapped[2] = zsys_sprintf ("[%s]", z);
    wrapped[3] = zsys_sprintf ("[%s]", zz);
    wrapped[4] = zsys_sprintf ("[%s,%s]", outer, hole);
    polygons[0] = s_feature ("a", NULL, "Polygon", wrapped[0]);
    polygons[1] = s_feature ("b", NULL, "Polygon", wrapped[1]);
    polygons[2] = s_feature ("z", "a", "Polygon", wrapped[2]);
    polygons[3] = s_feature ("zz", "z", "Polygon", wrapped[3]);
    polygons[4] = s_feature ("h", NULL, "Polygon", wrapped[4]);
    char *multi = zsys_sprintf ("[[%s],[%s]]", m1, m2);
    polygons[5] = s_feature ("m", NULL, "MultiPolygon", multi);
    char *round = zsys_sprintf ("[%s]", closed);
    polygons[6] = s_feature ("c", NULL, "Polygon", round);
    char *text = zsys_sprintf ("{\"type\": \"FeatureCollection\", \"features\": [\n"
                               "%s,\n%s,\n%s,\n%s,\n%s,\n%s,\n%s\n]}\n",
                               polygons[0], polygons[1], polygons[2], polygons[3],
                               polygons[4], polygons[5], polygons[6]);
    for (int index = 0; index < 7; index++)
        free (polygons[index]);
    for (int index = 0; index < 5; index++)
        free (wrapped[index]);
    free (a), free (b), free (z), free (zz), free (outer), free (hole), free (m1), free (m2);
    free (circle), free (closed), free (multi), free (round);
    return text;
}

static int
s_setup (void **state)
{
    char *text = s_collection ();
    snprintf (s_path, sizeof s_path, "%s", sein_harness_write ("areas.geojson", text));
    free (text);
    char *error = NULL;
    *state = sein_geo_new (s_path, NULL, NULL, &error);
    if (!*state)
        fprintf (stderr, "%s\n", error);
    free (error);
    return *state ? 0 : -1;
}

static int
s_teardown (void **state)
{
    sein_geo_t *geo = (sein_geo_t *) *state;
    sein_geo_destroy (&geo);
    sein_geo_destroy (&geo);
    unlink (s_path);
    return 0;
}

//  The codes containing (lon, lat), most specific first, space-separated;
//  an area whose boundary the point is on is marked with '*'.
static char *
s_at (sein_geo_t *geo, double lon, double lat)
{
    static char codes[128];
    sein_geo_hit_t hits[8];
    size_t count = sein_geo_locate (geo, lat, lon, hits, 8);
    codes[0] = 0;
    for (size_t index = 0; index < count; index++)
        snprintf (codes + strlen (codes), sizeof codes - strlen (codes), "%s%s%s",
                  index ? " " : "", hits[index].code, hits[index].on_edge ? "*" : "");
    return codes;
}

static void
test_nesting (void **state)
{
    sein_geo_t *geo = (sein_geo_t *) *state;
    assert_int_equal (sein_geo_size (geo), 7);
    assert_string_equal (s_at (geo, 5, 5), "a");
    assert_string_equal (s_at (geo, 3.5, 3.5), "z a");     //  the zone first
    assert_string_equal (s_at (geo, 3, 3), "zz* z a");     //  a corner of zz
    assert_string_equal (s_at (geo, 2.7, 2.7), "zz z a"); //  a zone in a zone
    sein_geo_hit_t hits[3];
    assert_int_equal (sein_geo_locate (geo, 2.7, 2.7, hits, 3), 3);
    assert_int_equal (hits[0].depth, 2);
    assert_string_equal (hits[0].parent, "z");
    assert_int_equal (hits[2].depth, 0);
    assert_null (hits[2].parent);
    //  Fewer slots than areas: the count is still the truth.
    assert_int_equal (sein_geo_locate (geo, 2.7, 2.7, hits, 1), 3);
    assert_string_equal (hits[0].code, "zz");
}

static void
test_edges (void **state)
{
    sein_geo_t *geo = (sein_geo_t *) *state;
    //  The shared edge of two wijken: in both, flagged, file order breaks the tie.
    assert_string_equal (s_at (geo, 10, 5), "a* b*");
    assert_string_equal (s_at (geo, 10, 10), "a* b*"); //  a shared corner
    assert_string_equal (s_at (geo, 10, 0), "a* b*");
    assert_string_equal (s_at (geo, 0, 0), "a*");      //  an outer corner
    assert_string_equal (s_at (geo, 2, 3), "z* a");    //  the zone's edge, inside a
    assert_string_equal (s_at (geo, 20, 5), "b*");
    assert_string_equal (s_at (geo, 20.0000001, 5), "");
    assert_string_equal (s_at (geo, 9.9999999, 5), "a");
    assert_string_equal (s_at (geo, 10.0000001, 5), "b");
    //  Within the tolerance of a decimal export: still on the line.
    assert_string_equal (s_at (geo, 10.0000000001, 5), "a* b*");
}

static void
test_holes_and_parts (void **state)
{
    sein_geo_t *geo = (sein_geo_t *) *state;
    assert_string_equal (s_at (geo, 31, 5), "h");
    assert_string_equal (s_at (geo, 35, 5), ""); //  inside the hole
    assert_string_equal (s_at (geo, 33, 5), "h*"); //  on the hole's edge
    assert_string_equal (s_at (geo, 50.5, 0.5), "m");
    assert_string_equal (s_at (geo, 60.5, 0.5), "m");
    assert_string_equal (s_at (geo, 55, 0.5), "");
    assert_string_equal (s_at (geo, 200, 80), ""); //  far away
    assert_string_equal (s_at (geo, -5, -5), "");
}

static void
test_big_ring (void **state)
{
    sein_geo_t *geo = (sein_geo_t *) *state;
    //  Around the circle: just inside and just outside at many angles, so
    //  every band of edges is used.
    for (int step = 0; step < 64; step++) {
        double angle = 2 * M_PI * (step + 0.5) / 64;
        double inside = 3.9, outside = 4.1;
        assert_string_equal (s_at (geo, 80 + inside * cos (angle), 5 + inside * sin (angle)),
                             "c");
        assert_string_equal (
            s_at (geo, 80 + outside * cos (angle), 5 + outside * sin (angle)), "");
    }
    assert_string_equal (s_at (geo, 84, 5), "c*"); //  a vertex
    assert_string_equal (s_at (geo, 80, 5), "c");
}

static char *
s_check (void *arg, const char *code, const char *parent)
{
    (void) arg;
    (void) parent;
    return strcmp (code, "x") == 0 ? strdup ("unknown area 'x'") : NULL;
}

static char *
s_load_error (const char *content)
{
    const char *path = sein_harness_write ("bad.geojson", content);
    char *error = NULL;
    sein_geo_t *geo = sein_geo_new (path, s_check, NULL, &error);
    assert_true ((geo == NULL) == (error != NULL));
    sein_geo_destroy (&geo);
    unlink (path);
    return error;
}

static void
test_bad_files (void **state)
{
    (void) state;
    char *square = s_square (0, 0, 1, 1);
    char *good = s_feature ("a", NULL, "Polygon", square);
    char *wrapped = zsys_sprintf ("[%s]", square);
    char *good2 = s_feature ("a", NULL, "Polygon", wrapped);
    char *unknown = s_feature ("x", NULL, "Polygon", wrapped);
    char *open_ring = s_feature ("b", NULL, "Polygon", "[[[0,0],[1,0],[1,1],[0,1]]]");
    char *point = s_feature ("b", NULL, "Point", "[0,0]");
    char *far = s_feature ("b", NULL, "Polygon", "[[[0,0],[181,0],[1,1],[0,0]]]");
    struct {
        char *content;
        const char *where, *message;
    } cases[] = {
        {zsys_sprintf ("{\"type\": \"FeatureCollection\",\n\"features\": [\n}\n"), ":3: ",
         ""}, //  jansson's own message
        {zsys_sprintf ("[]"), ":1: ", "FeatureCollection"},
        {zsys_sprintf ("{\"features\": []}"), ":1: ", "no features"},
        {zsys_sprintf ("{\"features\": [\n%s,\n%s\n]}", good2, open_ring), ":3: ",
         "feature 1: b: ring is not closed"},
        {zsys_sprintf ("{\"features\": [\n%s,\n\n%s\n]}", good2, unknown), ":4: ",
         "feature 1: x: unknown area 'x'"},
        {zsys_sprintf ("{\"features\": [\n%s]}", point), ":2: ", "not Polygon"},
        {zsys_sprintf ("{\"features\": [\n%s]}", far), ":2: ", "not a WGS84"},
        {zsys_sprintf ("{\"features\": [\n%s]}", good), ":2: ", "ring"},
        {zsys_sprintf ("{\"features\": [{\"type\": \"Feature\", \"properties\": {}}]}"),
         ":1: ", "properties.code"},
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        char *error = s_load_error (cases[index].content);
        if (!error || !strstr (error, cases[index].where) ||
            !strstr (error, cases[index].message))
            fail_msg ("case %zu: got '%s'", index, error ? error : "no error");
        free (error);
        free (cases[index].content);
    }
    free (square), free (good), free (wrapped), free (good2), free (unknown);
    free (open_ring), free (point), free (far);
    char *error = NULL;
    assert_null (sein_geo_new ("/nonexistent.geojson", NULL, NULL, &error));
    assert_non_null (strstr (error, "/nonexistent.geojson:0: cannot open"));
    free (error);
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_nesting),   cmocka_unit_test (test_edges),
        cmocka_unit_test (test_holes_and_parts), cmocka_unit_test (test_big_ring),
        cmocka_unit_test (test_bad_files),
    };
    return cmocka_run_group_tests (tests, s_setup, s_teardown);
}
