// SPDX-License-Identifier: MPL-2.0
/*  sein_geo.c - GeoJSON polygons, grid index, point-in-polygon

    Point-in-polygon is the even-odd ray test (a ray to the east crosses
    the boundary an odd number of times from inside), which handles holes
    and MultiPolygon parts in one pass over all rings. Before it runs, a
    grid over the bounding box of all polygons narrows the candidates to
    those whose box touches the point's cell, and each ring keeps its edges
    sorted into horizontal bands so only edges at the point's latitude are
    tested.

    jansson reports syntax errors with a line; for data errors (a missing
    code, an open ring) the line of the offending Feature is found by
    counting "Feature" tokens in the text, which is what an editor needs.
*/
#include "sein_geo.h"
#include "sein_alloc.h"

#include <assert.h>
#include <czmq.h>
#include <jansson.h>
#include <math.h>

//  Boundary tolerance in degrees (about 0.1 mm): coordinates that went
//  through a decimal export still land on the line they came from.
#define S_EPS 1e-9
#define S_GRID_MAX 256
#define S_BAND_MIN_EDGES 16 //  smaller rings are scanned whole
#define S_HITS_MAX 64

typedef struct {
    double *xy;    //  x (long), y (lat) pairs; closed: last point == first
    size_t npoints;
    double ymin, ymax;
    size_t nbands;
    uint32_t *band_start; //  nbands + 1 offsets into band_edges
    uint32_t *band_edges; //  edge i joins point i and i + 1
} s_ring_t;

typedef struct {
    char *code, *parent;
    int depth, feature;
    double area;
    double xmin, ymin, xmax, ymax;
    s_ring_t *rings;
    size_t nrings;
} s_polygon_t;

struct _sein_geo_t {
    s_polygon_t *polygons;
    size_t npolygons;
    double xmin, ymin, xmax, ymax; //  of all polygons
    size_t columns, rows;
    uint32_t *cell_start; //  columns * rows + 1 offsets into cell_polygons
    uint32_t *cell_polygons;
};

//  --------------------------------------------------------------------------
//  Geometry

static bool
s_on_segment (double x, double y, const double *a, const double *b)
{
    double dx = b[0] - a[0], dy = b[1] - a[1];
    if (x < fmin (a[0], b[0]) - S_EPS || x > fmax (a[0], b[0]) + S_EPS ||
        y < fmin (a[1], b[1]) - S_EPS || y > fmax (a[1], b[1]) + S_EPS)
        return false;
    double cross = dx * (y - a[1]) - dy * (x - a[0]);
    double length = sqrt (dx * dx + dy * dy);
    return fabs (cross) <= S_EPS * (length > 0 ? length : 1);
}

//  Test edge I of RING against the point: returns true when the point is on
//  it; flips *inside when the eastward ray crosses it.
static inline bool
s_edge (const s_ring_t *ring, size_t edge, double x, double y, bool *inside)
{
    const double *a = ring->xy + 2 * edge, *b = a + 2;
    if (s_on_segment (x, y, a, b))
        return true;
    if ((a[1] > y) != (b[1] > y)) {
        double cross_x = a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
        if (x < cross_x)
            *inside = !*inside;
    }
    return false;
}

//  Crossings of RING by the ray from (x, y); *edge set when on the boundary.
static bool
s_ring_crosses (const s_ring_t *ring, double x, double y, bool *edge)
{
    bool inside = false;
    if (y < ring->ymin - S_EPS || y > ring->ymax + S_EPS)
        return false;
    if (ring->nbands == 0) {
        for (size_t index = 0; index + 1 < ring->npoints; index++)
            if (s_edge (ring, index, x, y, &inside)) {
                *edge = true;
                return true;
            }
        return inside;
    }
    double height = ring->ymax - ring->ymin;
    size_t band = height > 0 ? (size_t) ((y - ring->ymin) / height * (double) ring->nbands)
                             : 0;
    if (y < ring->ymin)
        band = 0;
    if (band >= ring->nbands)
        band = ring->nbands - 1;
    for (uint32_t at = ring->band_start[band]; at < ring->band_start[band + 1]; at++)
        if (s_edge (ring, ring->band_edges[at], x, y, &inside)) {
            *edge = true;
            return true;
        }
    return inside;
}

static bool
s_contains (const s_polygon_t *polygon, double x, double y, bool *edge)
{
    if (x < polygon->xmin - S_EPS || x > polygon->xmax + S_EPS ||
        y < polygon->ymin - S_EPS || y > polygon->ymax + S_EPS)
        return false;
    bool inside = false;
    *edge = false;
    for (size_t index = 0; index < polygon->nrings; index++) {
        if (s_ring_crosses (&polygon->rings[index], x, y, edge))
            inside = !inside;
        if (*edge)
            return true;
    }
    return inside;
}

static double
s_ring_area (const s_ring_t *ring)
{
    double sum = 0;
    for (size_t index = 0; index + 1 < ring->npoints; index++) {
        const double *a = ring->xy + 2 * index, *b = a + 2;
        sum += a[0] * b[1] - b[0] * a[1];
    }
    return fabs (sum) / 2;
}

static void
s_band_ring (s_ring_t *ring)
{
    size_t nedges = ring->npoints - 1;
    if (nedges < S_BAND_MIN_EDGES)
        return;
    ring->nbands = nedges / 4;
    double height = ring->ymax - ring->ymin;
    if (height <= 0)
        ring->nbands = 1;
    ring->band_start = (uint32_t *) sein_calloc (ring->nbands + 1, sizeof (uint32_t));
    //  Two passes: count, then fill (CSR layout).
    for (int pass = 0; pass < 2; pass++) {
        uint32_t *fill = NULL;
        if (pass == 1) {
            for (size_t band = 0; band < ring->nbands; band++)
                ring->band_start[band + 1] += ring->band_start[band];
            ring->band_edges = (uint32_t *) sein_malloc (
                (ring->band_start[ring->nbands] + 1) * sizeof (uint32_t));
            fill = (uint32_t *) sein_calloc (ring->nbands, sizeof (uint32_t));
        }
        for (size_t edge = 0; edge < nedges; edge++) {
            double y0 = fmin (ring->xy[2 * edge + 1], ring->xy[2 * edge + 3]) - S_EPS;
            double y1 = fmax (ring->xy[2 * edge + 1], ring->xy[2 * edge + 3]) + S_EPS;
            size_t b0 = 0, b1 = ring->nbands - 1;
            if (height > 0) {
                double f0 = (y0 - ring->ymin) / height * (double) ring->nbands;
                double f1 = (y1 - ring->ymin) / height * (double) ring->nbands;
                b0 = f0 <= 0 ? 0 : (size_t) f0;
                b1 = f1 <= 0 ? 0 : (size_t) f1;
                if (b0 >= ring->nbands)
                    b0 = ring->nbands - 1;
                if (b1 >= ring->nbands)
                    b1 = ring->nbands - 1;
            }
            for (size_t band = b0; band <= b1; band++) {
                if (pass == 0)
                    ring->band_start[band + 1]++;
                else
                    ring->band_edges[ring->band_start[band] + fill[band]++] = (uint32_t) edge;
            }
        }
        free (fill);
    }
}

//  --------------------------------------------------------------------------
//  Loading

//  Line of the INDEX-th "Feature" (0-based) in TEXT, or 0.
static int
s_feature_line (const char *text, size_t size, size_t index)
{
    int line = 1;
    size_t seen = 0;
    const char *needle = "\"Feature\"";
    size_t needle_len = strlen (needle);
    for (size_t at = 0; at + needle_len <= size; at++) {
        if (text[at] == '\n')
            line++;
        else if (text[at] == '"' && memcmp (text + at, needle, needle_len) == 0) {
            if (seen++ == index)
                return line;
            at += needle_len - 1;
        }
    }
    return 0;
}

//  Parse one ring (an array of positions) into RING; returns NULL or a
//  fresh message.
static char *
s_parse_ring (json_t *positions, s_ring_t *ring)
{
    if (!json_is_array (positions))
        return sein_strdup ("a ring must be an array of positions");
    size_t count = json_array_size (positions);
    if (count < 4)
        return sein_sprintf ("a ring needs at least 4 positions, this one has %zu", count);
    ring->xy = (double *) sein_malloc (2 * count * sizeof (double));
    ring->npoints = count;
    ring->ymin = INFINITY;
    ring->ymax = -INFINITY;
    for (size_t index = 0; index < count; index++) {
        json_t *position = json_array_get (positions, index);
        json_t *x = json_array_get (position, 0), *y = json_array_get (position, 1);
        if (!json_is_array (position) || !json_is_number (x) || !json_is_number (y))
            return sein_sprintf ("position %zu is not [long, lat]", index);
        double lon = json_number_value (x), lat = json_number_value (y);
        if (!isfinite (lon) || !isfinite (lat) || lon < -180 || lon > 180 || lat < -90 ||
            lat > 90)
            return sein_sprintf ("position %zu [%g, %g] is not a WGS84 [long, lat]", index,
                                 lon, lat);
        ring->xy[2 * index] = lon;
        ring->xy[2 * index + 1] = lat;
        ring->ymin = fmin (ring->ymin, lat);
        ring->ymax = fmax (ring->ymax, lat);
    }
    if (ring->xy[0] != ring->xy[2 * count - 2] || ring->xy[1] != ring->xy[2 * count - 1])
        return sein_strdup ("ring is not closed (first and last position differ)");
    s_band_ring (ring);
    return NULL;
}

//  Add the rings of one Polygon's coordinates to POLYGON.
static char *
s_parse_polygon (json_t *coordinates, s_polygon_t *polygon)
{
    if (!json_is_array (coordinates) || json_array_size (coordinates) == 0)
        return sein_strdup ("Polygon coordinates must be a non-empty array of rings");
    size_t count = json_array_size (coordinates);
    polygon->rings = (s_ring_t *) sein_realloc (polygon->rings,
                                                (polygon->nrings + count) * sizeof (s_ring_t));
    for (size_t index = 0; index < count; index++) {
        s_ring_t *ring = &polygon->rings[polygon->nrings++];
        memset (ring, 0, sizeof *ring);
        char *message = s_parse_ring (json_array_get (coordinates, index), ring);
        if (message)
            return message;
        //  The first ring is the outline, the others are holes in it.
        double area = s_ring_area (ring);
        polygon->area += index == 0 ? area : -area;
    }
    return NULL;
}

static char *
s_parse_feature (json_t *feature, s_polygon_t *polygon, sein_geo_check_fn *check,
                 void *arg)
{
    if (!json_is_object (feature) ||
        !json_is_string (json_object_get (feature, "type")) ||
        strcmp (json_string_value (json_object_get (feature, "type")), "Feature") != 0)
        return sein_strdup ("not a GeoJSON Feature");
    json_t *properties = json_object_get (feature, "properties");
    json_t *code = json_object_get (properties, "code");
    json_t *parent = json_object_get (properties, "parent");
    if (!json_is_string (code) || json_string_length (code) == 0)
        return sein_strdup ("properties.code must be the area code");
    if (parent && !json_is_null (parent) &&
        (!json_is_string (parent) || json_string_length (parent) == 0))
        return sein_sprintf ("%s: properties.parent must be an area code or null",
                             json_string_value (code));
    polygon->code = sein_strdup (json_string_value (code));
    polygon->parent =
        json_is_string (parent) ? sein_strdup (json_string_value (parent)) : NULL;
    if (check) {
        char *message = check (arg, polygon->code, polygon->parent);
        if (message) {
            char *located = sein_sprintf ("%s: %s", polygon->code, message);
            free (message);
            return located;
        }
    }
    json_t *geometry = json_object_get (feature, "geometry");
    json_t *type = json_object_get (geometry, "type");
    json_t *coordinates = json_object_get (geometry, "coordinates");
    char *message = NULL;
    if (!json_is_string (type))
        message = sein_strdup ("geometry must be a Polygon or MultiPolygon");
    else if (strcmp (json_string_value (type), "Polygon") == 0)
        message = s_parse_polygon (coordinates, polygon);
    else if (strcmp (json_string_value (type), "MultiPolygon") == 0) {
        if (!json_is_array (coordinates) || json_array_size (coordinates) == 0)
            message = sein_strdup ("MultiPolygon coordinates must be a non-empty array");
        for (size_t index = 0; !message && index < json_array_size (coordinates); index++)
            message = s_parse_polygon (json_array_get (coordinates, index), polygon);
    } else
        message = sein_sprintf ("geometry type %s is not Polygon or MultiPolygon",
                                json_string_value (type));
    if (message) {
        char *located = sein_sprintf ("%s: %s", polygon->code, message);
        free (message);
        return located;
    }
    polygon->xmin = polygon->ymin = INFINITY;
    polygon->xmax = polygon->ymax = -INFINITY;
    for (size_t index = 0; index < polygon->nrings; index++) {
        const s_ring_t *ring = &polygon->rings[index];
        for (size_t point = 0; point < ring->npoints; point++) {
            polygon->xmin = fmin (polygon->xmin, ring->xy[2 * point]);
            polygon->xmax = fmax (polygon->xmax, ring->xy[2 * point]);
        }
        polygon->ymin = fmin (polygon->ymin, ring->ymin);
        polygon->ymax = fmax (polygon->ymax, ring->ymax);
    }
    return NULL;
}

//  Depth of nesting by following "parent" through the loaded Features; a
//  parent without its own polygon still counts as a level.
static void
s_depths (sein_geo_t *self)
{
    for (size_t index = 0; index < self->npolygons; index++) {
        int depth = 0;
        const char *parent = self->polygons[index].parent;
        while (parent && depth < 16) {
            depth++;
            const char *next = NULL;
            for (size_t other = 0; other < self->npolygons; other++)
                if (strcmp (self->polygons[other].code, parent) == 0) {
                    next = self->polygons[other].parent;
                    break;
                }
            parent = next;
        }
        self->polygons[index].depth = depth;
    }
}

static void
s_cell_range (const sein_geo_t *self, double x0, double y0, double x1, double y1,
              size_t *c0, size_t *r0, size_t *c1, size_t *r1)
{
    double width = self->xmax - self->xmin, height = self->ymax - self->ymin;
    double fc0 = width > 0 ? (x0 - self->xmin) / width * (double) self->columns : 0;
    double fc1 = width > 0 ? (x1 - self->xmin) / width * (double) self->columns : 0;
    double fr0 = height > 0 ? (y0 - self->ymin) / height * (double) self->rows : 0;
    double fr1 = height > 0 ? (y1 - self->ymin) / height * (double) self->rows : 0;
    *c0 = fc0 <= 0 ? 0 : fc0 >= (double) self->columns ? self->columns - 1 : (size_t) fc0;
    *c1 = fc1 <= 0 ? 0 : fc1 >= (double) self->columns ? self->columns - 1 : (size_t) fc1;
    *r0 = fr0 <= 0 ? 0 : fr0 >= (double) self->rows ? self->rows - 1 : (size_t) fr0;
    *r1 = fr1 <= 0 ? 0 : fr1 >= (double) self->rows ? self->rows - 1 : (size_t) fr1;
}

static void
s_build_grid (sein_geo_t *self)
{
    self->xmin = self->ymin = INFINITY;
    self->xmax = self->ymax = -INFINITY;
    for (size_t index = 0; index < self->npolygons; index++) {
        const s_polygon_t *polygon = &self->polygons[index];
        self->xmin = fmin (self->xmin, polygon->xmin);
        self->xmax = fmax (self->xmax, polygon->xmax);
        self->ymin = fmin (self->ymin, polygon->ymin);
        self->ymax = fmax (self->ymax, polygon->ymax);
    }
    size_t side = (size_t) ceil (sqrt ((double) self->npolygons)) * 2;
    side = side < 1 ? 1 : side > S_GRID_MAX ? S_GRID_MAX : side;
    self->columns = self->rows = side;
    size_t cells = side * side;
    self->cell_start = (uint32_t *) sein_calloc (cells + 1, sizeof (uint32_t));
    uint32_t *fill = (uint32_t *) sein_calloc (cells, sizeof (uint32_t));
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            for (size_t cell = 0; cell < cells; cell++)
                self->cell_start[cell + 1] += self->cell_start[cell];
            self->cell_polygons =
                (uint32_t *) sein_malloc ((self->cell_start[cells] + 1) * sizeof (uint32_t));
        }
        for (size_t index = 0; index < self->npolygons; index++) {
            const s_polygon_t *polygon = &self->polygons[index];
            size_t c0, r0, c1, r1;
            s_cell_range (self, polygon->xmin - S_EPS, polygon->ymin - S_EPS,
                          polygon->xmax + S_EPS, polygon->ymax + S_EPS, &c0, &r0, &c1, &r1);
            for (size_t row = r0; row <= r1; row++)
                for (size_t column = c0; column <= c1; column++) {
                    size_t cell = row * self->columns + column;
                    if (pass == 0)
                        self->cell_start[cell + 1]++;
                    else
                        self->cell_polygons[self->cell_start[cell] + fill[cell]++] =
                            (uint32_t) index;
                }
        }
    }
    free (fill);
}

sein_geo_t *
sein_geo_new (const char *path, sein_geo_check_fn *check, void *arg, char **error_p)
{
    assert (path);
    assert (error_p);
    *error_p = NULL;
    char *text = NULL;
    size_t size = 0;
    FILE *file = fopen (path, "r");
    if (!file) {
        *error_p = sein_sprintf ("%s:0: cannot open: %s", path, strerror (errno));
        return NULL;
    }
    //  Read it ourselves: the text is needed again to locate Features.
    size_t capacity = 0;
    while (true) {
        if (size + 4096 > capacity) {
            capacity = capacity ? capacity * 2 : 65536;
            text = (char *) sein_realloc (text, capacity);
        }
        size_t got = fread (text + size, 1, capacity - size, file);
        size += got;
        if (got == 0)
            break;
    }
    bool failed = ferror (file);
    fclose (file);
    if (failed) {
        free (text);
        *error_p = sein_sprintf ("%s:0: cannot read", path);
        return NULL;
    }
    json_error_t json_error;
    json_t *root = json_loadb (text, size, 0, &json_error);
    sein_geo_t *self = (sein_geo_t *) zmalloc (sizeof *self);
    char *error = NULL;
    json_t *features = json_object_get (root, "features");
    if (!root)
        error = sein_sprintf ("%s:%d: %s", path, json_error.line, json_error.text);
    else if (!json_is_object (root) || !json_is_array (features))
        error = sein_sprintf ("%s:1: expected a GeoJSON FeatureCollection with features",
                              path);
    else if (json_array_size (features) == 0)
        error = sein_sprintf ("%s:1: the FeatureCollection has no features", path);
    else
        self->polygons =
            (s_polygon_t *) sein_calloc (json_array_size (features), sizeof (s_polygon_t));
    for (size_t index = 0; !error && index < json_array_size (features); index++) {
        s_polygon_t *polygon = &self->polygons[self->npolygons++];
        polygon->feature = (int) index;
        char *message =
            s_parse_feature (json_array_get (features, index), polygon, check, arg);
        if (message) {
            error = sein_sprintf ("%s:%d: feature %zu: %s", path,
                                  s_feature_line (text, size, index), index, message);
            free (message);
        }
    }
    if (!error) {
        s_depths (self);
        s_build_grid (self);
    }
    json_decref (root);
    free (text);
    if (error) {
        *error_p = error;
        sein_geo_destroy (&self);
    }
    return self;
}

void
sein_geo_destroy (sein_geo_t **self_p)
{
    assert (self_p);
    sein_geo_t *self = *self_p;
    if (self) {
        for (size_t index = 0; index < self->npolygons; index++) {
            s_polygon_t *polygon = &self->polygons[index];
            for (size_t ring = 0; ring < polygon->nrings; ring++) {
                free (polygon->rings[ring].xy);
                free (polygon->rings[ring].band_start);
                free (polygon->rings[ring].band_edges);
            }
            free (polygon->rings);
            free (polygon->code);
            free (polygon->parent);
        }
        free (self->polygons);
        free (self->cell_start);
        free (self->cell_polygons);
        free (self);
        *self_p = NULL;
    }
}

size_t
sein_geo_size (const sein_geo_t *self)
{
    assert (self);
    return self->npolygons;
}

static bool
s_before (const sein_geo_hit_t *a, const sein_geo_hit_t *b)
{
    if (a->depth != b->depth)
        return a->depth > b->depth;
    if (a->area != b->area)
        return a->area < b->area;
    return a->feature < b->feature;
}

size_t
sein_geo_locate (const sein_geo_t *self, double lat, double lon, sein_geo_hit_t *hits,
                 size_t max)
{
    assert (self);
    assert (hits || max == 0);
    double x = lon, y = lat;
    if (x < self->xmin - S_EPS || x > self->xmax + S_EPS || y < self->ymin - S_EPS ||
        y > self->ymax + S_EPS)
        return 0;
    size_t column, row, ignore_column, ignore_row;
    s_cell_range (self, x, y, x, y, &column, &row, &ignore_column, &ignore_row);
    size_t cell = row * self->columns + column;
    sein_geo_hit_t found[S_HITS_MAX];
    size_t nfound = 0;
    for (uint32_t at = self->cell_start[cell]; at < self->cell_start[cell + 1]; at++) {
        const s_polygon_t *polygon = &self->polygons[self->cell_polygons[at]];
        bool edge;
        if (!s_contains (polygon, x, y, &edge))
            continue;
        sein_geo_hit_t hit = {polygon->code, polygon->parent, polygon->depth,
                              polygon->area,  edge,            polygon->feature};
        //  Insertion sort: a point is in a handful of areas at most.
        size_t slot = 0;
        bool duplicate = false;
        for (; slot < nfound; slot++)
            if (strcmp (found[slot].code, hit.code) == 0)
                duplicate = true;
        if (duplicate || nfound == S_HITS_MAX)
            continue;
        for (slot = nfound; slot > 0 && s_before (&hit, &found[slot - 1]); slot--)
            found[slot] = found[slot - 1];
        found[slot] = hit;
        nfound++;
    }
    for (size_t index = 0; index < nfound && index < max; index++)
        hits[index] = found[index];
    return nfound;
}
