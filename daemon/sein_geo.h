// SPDX-License-Identifier: MPL-2.0
/*  sein_geo.h - area polygons: which areas contain a point

    The polygons come from a GeoJSON FeatureCollection (data.polygons): one
    Polygon or MultiPolygon Feature per area, properties "code" and
    "parent" (the wijk of a zone, null for a wijk), coordinates [long, lat]
    in WGS84. Zones nest inside wijken, so a point is usually in more than
    one area; the answer lists them most specific first.

    A point on a boundary counts as inside (and is flagged), so a point on
    the line between two wijken is never lost; the more specific or
    smaller area is listed first. Lookups use a uniform grid over all
    polygons and, per ring, horizontal bands of edges, so the cost stays
    flat with a thousand polygons or rings of thousands of vertices.
*/
#ifndef SEIN_GEO_H_INCLUDED
#define SEIN_GEO_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

typedef struct _sein_geo_t sein_geo_t;

typedef struct {
    const char *code;   //  area code (borrowed from the sein_geo_t)
    const char *parent; //  "parent" property, NULL for none
    int depth;          //  0 for an area without parent, 1 for a zone in it, ...
    double area;        //  polygon area in square degrees, to break ties
    bool on_edge;       //  the point lies on this polygon's boundary
    int feature;        //  index of the Feature in the file, from 0
} sein_geo_hit_t;

//  Asked for every Feature: returns NULL when CODE (with its PARENT
//  property, NULL when none) is acceptable, else a fresh message.
typedef char *(sein_geo_check_fn) (void *arg, const char *code, const char *parent);

//  Load the GeoJSON file at PATH; CHECK (may be NULL) vets each Feature.
//  Returns NULL on failure and sets *error_p to a fresh "file:line:
//  message" (the line of the offending Feature for data errors).
sein_geo_t *
    sein_geo_new (const char *path, sein_geo_check_fn *check, void *arg, char **error_p);

//  Destroy; idempotent, nulls the pointer.
void
    sein_geo_destroy (sein_geo_t **self_p);

//  Number of Features loaded.
size_t
    sein_geo_size (const sein_geo_t *self);

//  Find the areas containing the point (LAT, LON), most specific first:
//  deeper nesting, then smaller area, then file order; an area listed in
//  several Features appears once. Fills at most MAX hits and returns how
//  many areas contain the point (may exceed MAX).
size_t
    sein_geo_locate (const sein_geo_t *self, double lat, double lon, sein_geo_hit_t *hits,
                     size_t max);

#endif
