// SPDX-License-Identifier: MPL-2.0
/*  sein_report.h - the neighbourhood report: one self-contained HTML page

    `seinctl report` asks seind for the figures (one STATS, grouped by
    theme and week, and `also` by theme and by area, in one pass) and
    hands the groupings here with the area's polygons; this class only lays them out: every number on the page is
    read from those answers, none is computed from other data, so the
    page says what STATS says. The page needs nothing else: styles and
    charts (SVG) are inline, it prints on A4.
*/
#ifndef SEIN_REPORT_H_INCLUDED
#define SEIN_REPORT_H_INCLUDED

#include <jansson.h>
#include <stdio.h>

typedef struct {
    const char *area;      //  its code
    const char *from;      //  the period, as asked (for people)
    const char *until;
    const char *generated; //  local time the page was made
    json_t *weekly;        //  STATS by theme and week, with streets and points
    json_t *themes;        //  STATS by theme ({"groups": [...]})
    json_t *areas;         //  STATS by area (the wijk's zones), the same
    json_t *polygons;      //  the data.polygons GeoJSON, or NULL
    json_t *names;         //  {code: name} of areas and themes, or NULL
} sein_report_t;

//  Write the page for REPORT (all borrowed) to OUT. Returns 0, or -1 when
//  writing failed.
int
    sein_report_write (const sein_report_t *report, FILE *out);

#endif
