// SPDX-License-Identifier: MPL-2.0
/*  fuzz_geo.c - libFuzzer target: polygons built from the input, and the lookups

    fuzz_data_polygons mutates GeoJSON text, and most of its inputs die in
    the parser. This target spends its inputs on geometry instead: the
    bytes pick up to six areas of one or two rings (as Polygon or
    MultiPolygon, with parents, cycles allowed) whose vertices sit on a
    small lattice, so that shared vertices, collinear and horizontal edges,
    zero-area rings, self-intersections and rings long enough for the edge
    bands all come up; the rest of the bytes are points on the lattice and
    between its lines. Each point is located among all the areas (through
    the grid) and in each area loaded alone, and both must agree with a
    plain scan of every edge: the grid and the bands may only narrow the
    search, never change the answer.
*/
#include "sein_geo.h"
#include "sein_fuzz.h"

#include <czmq.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define S_AREAS_MAX 6
#define S_RINGS_MAX 2
#define S_VERTICES_MAX 40
#define S_POINTS_MAX 32
#define S_EPS 1e-9 //  sein_geo.c's tolerance for "on the boundary"

typedef struct {
    size_t nrings;
    size_t nvertices[S_RINGS_MAX]; //  closed: the last repeats the first
    double xy[S_RINGS_MAX][S_VERTICES_MAX + 1][2];
    bool multi;
    int parent; //  -1 for none
} s_area_t;

//  Reads the input a byte at a time; zeros once it runs out.
typedef struct {
    const uint8_t *data;
    size_t size, at;
} s_reader_t;

static unsigned
s_byte (s_reader_t *reader)
{
    return reader->at < reader->size ? reader->data[reader->at++] : 0;
}

//  Exact binary fractions around Leuven: vertices on a 1/256 degree
//  lattice, points on a lattice twice as fine.
static double
s_coordinate (double origin, unsigned steps, double step)
{
    return origin + steps * step;
}

//  The model: on the boundary, or an odd number of crossings of the
//  eastward ray, by the same test sein_geo.c makes, over every edge.
static bool
s_model (const s_area_t *area, double x, double y, bool *edge)
{
    bool inside = false;
    *edge = false;
    for (size_t ring = 0; ring < area->nrings; ring++) {
        bool ring_inside = false;
        for (size_t index = 0; index + 1 < area->nvertices[ring]; index++) {
            const double *a = area->xy[ring][index], *b = area->xy[ring][index + 1];
            double dx = b[0] - a[0], dy = b[1] - a[1];
            if (x >= fmin (a[0], b[0]) - S_EPS && x <= fmax (a[0], b[0]) + S_EPS &&
                y >= fmin (a[1], b[1]) - S_EPS && y <= fmax (a[1], b[1]) + S_EPS) {
                double length = sqrt (dx * dx + dy * dy);
                if (fabs (dx * (y - a[1]) - dy * (x - a[0])) <=
                    S_EPS * (length > 0 ? length : 1)) {
                    *edge = true;
                    return true;
                }
            }
            if ((a[1] > y) != (b[1] > y) && x < a[0] + (y - a[1]) * dx / dy)
                ring_inside = !ring_inside;
        }
        if (ring_inside)
            inside = !inside;
    }
    return inside;
}

static void
s_ring_json (const s_area_t *area, size_t ring, zchunk_t *out)
{
    zchunk_extend (out, "[", 1);
    for (size_t index = 0; index < area->nvertices[ring]; index++) {
        char position[64];
        int length = snprintf (position, sizeof position, "%s[%.17g,%.17g]",
                               index ? "," : "", area->xy[ring][index][0],
                               area->xy[ring][index][1]);
        zchunk_extend (out, position, (size_t) length);
    }
    zchunk_extend (out, "]", 1);
}

//  Areas FIRST..LAST-1 as a FeatureCollection, codes a0, a1, ...
static char *
s_geojson (const s_area_t *areas, size_t first, size_t last)
{
    zchunk_t *out = zchunk_new (NULL, 0);
    const char *head = "{\"type\":\"FeatureCollection\",\"features\":[";
    zchunk_extend (out, head, strlen (head));
    for (size_t index = first; index < last; index++) {
        const s_area_t *area = &areas[index];
        char parent[16] = "null";
        if (area->parent >= 0)
            snprintf (parent, sizeof parent, "\"a%d\"", area->parent);
        char *feature = zsys_sprintf (
            "%s{\"type\":\"Feature\",\"properties\":{\"code\":\"a%zu\",\"parent\":%s},"
            "\"geometry\":{\"type\":\"%s\",\"coordinates\":%s",
            index > first ? "," : "", index, parent,
            area->multi ? "MultiPolygon" : "Polygon", area->multi ? "[[" : "[");
        zchunk_extend (out, feature, strlen (feature));
        free (feature);
        for (size_t ring = 0; ring < area->nrings; ring++) {
            if (ring)
                zchunk_extend (out, ",", 1);
            s_ring_json (area, ring, out);
        }
        zchunk_extend (out, area->multi ? "]]}}" : "]}}", area->multi ? 4 : 3);
    }
    zchunk_extend (out, "]}", 3); //  with the NUL
    char *text = strdup ((char *) zchunk_data (out));
    zchunk_destroy (&out);
    return text;
}

static sein_geo_t *
s_load (const char *json)
{
    char *error = NULL;
    const char *path = sein_fuzz_file ((const uint8_t *) json, strlen (json));
    sein_geo_t *geo = sein_geo_new (path, NULL, NULL, &error);
    //  Every ring here is closed, has 4 positions or more and lies in
    //  WGS84: the loader has no reason to refuse it.
    if (!geo) {
        fprintf (stderr, "refused: %s\n%s\n", error, json);
        sein_fuzz_check (geo);
    }
    return geo;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    s_reader_t reader = {data, size, 0};
    s_area_t areas[S_AREAS_MAX];
    size_t nareas = 1 + s_byte (&reader) % S_AREAS_MAX;
    for (size_t index = 0; index < nareas; index++) {
        s_area_t *area = &areas[index];
        unsigned shape = s_byte (&reader);
        area->nrings = 1 + shape % S_RINGS_MAX;
        area->multi = shape & 2;
        area->parent = shape & 4 ? (int) ((shape >> 3) % nareas) : -1;
        for (size_t ring = 0; ring < area->nrings; ring++) {
            size_t count = 3 + s_byte (&reader) % (S_VERTICES_MAX - 2);
            for (size_t vertex = 0; vertex < count; vertex++) {
                double *xy = area->xy[ring][vertex];
                xy[0] = s_coordinate (4.6, s_byte (&reader) % 32, 1.0 / 256);
                xy[1] = s_coordinate (50.8, s_byte (&reader) % 32, 1.0 / 256);
            }
            memcpy (area->xy[ring][count], area->xy[ring][0], sizeof area->xy[ring][0]);
            area->nvertices[ring] = count + 1;
        }
    }
    double points[S_POINTS_MAX][2];
    size_t npoints = 0;
    while (reader.at + 1 < size && npoints < S_POINTS_MAX) {
        //  From a step west and south of the lattice to a step past it.
        points[npoints][0] = s_coordinate (4.6 - 1.0 / 256, s_byte (&reader) % 68, 1.0 / 512);
        points[npoints][1] = s_coordinate (50.8 - 1.0 / 256, s_byte (&reader) % 68, 1.0 / 512);
        npoints++;
    }

    char *json = s_geojson (areas, 0, nareas);
    sein_geo_t *all = s_load (json);
    free (json);
    sein_fuzz_check (sein_geo_size (all) == nareas);
    sein_geo_t *alone[S_AREAS_MAX];
    for (size_t index = 0; index < nareas; index++) {
        json = s_geojson (areas, index, index + 1);
        alone[index] = s_load (json);
        free (json);
    }
    for (size_t point = 0; point < npoints; point++) {
        double x = points[point][0], y = points[point][1];
        sein_geo_hit_t hits[S_AREAS_MAX];
        size_t count = sein_geo_locate (all, y, x, hits, S_AREAS_MAX);
        sein_fuzz_check (count <= nareas);
        for (size_t index = 0; index < nareas; index++) {
            bool edge;
            bool inside = s_model (&areas[index], x, y, &edge);
            sein_geo_hit_t hit;
            size_t found = sein_geo_locate (alone[index], y, x, &hit, 1);
            sein_fuzz_check (found == (inside ? 1 : 0));
            if (found)
                sein_fuzz_check (hit.on_edge == edge);
            //  Among all the areas: the same answer, once.
            char code[16];
            snprintf (code, sizeof code, "a%zu", index);
            size_t listed = 0;
            for (size_t at = 0; at < count; at++)
                if (streq (hits[at].code, code)) {
                    listed++;
                    sein_fuzz_check (hits[at].on_edge == edge);
                    sein_fuzz_check (hits[at].feature == (int) index);
                }
            sein_fuzz_check (listed == (inside ? 1 : 0));
        }
        //  Most specific first: deeper, then smaller, then file order.
        for (size_t at = 1; at < count; at++) {
            const sein_geo_hit_t *a = &hits[at - 1], *b = &hits[at];
            sein_fuzz_check (a->depth > b->depth ||
                             (a->depth == b->depth &&
                              (a->area < b->area ||
                               (a->area == b->area && a->feature < b->feature))));
        }
    }
    for (size_t index = 0; index < nareas; index++)
        sein_geo_destroy (&alone[index]);
    sein_geo_destroy (&all);
    return 0;
}
