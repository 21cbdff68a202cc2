// SPDX-License-Identifier: MPL-2.0
/*  sein_report.c - the neighbourhood report: one self-contained HTML page

    Layout, top to bottom: a header with the area and the period; five key
    figures; the weekly trend of the busiest themes (SVG lines); backlog
    and handling times per theme beside the busiest streets (SVG bars);
    the zones; the map (the area's polygons and the signals' points, SVG).
    Every key figure carries data-figure="…" so a test can read the page
    back and hold it against STATS.
*/
#include "sein_report.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define S_TREND_THEMES 6
static const char *s_palette[] = {"#1f6fb2", "#e07b00", "#2a9d58", "#c0392b", "#7b4fa8",
                                  "#8c6d31", "#d6569b", "#5f6b73", "#1aa3a3", "#b5a000"};

//  TEXT with HTML's special characters escaped.
static void
s_text (FILE *out, const char *text)
{
    for (; text && *text; text++)
        switch (*text) {
        case '<': fputs ("&lt;", out); break;
        case '>': fputs ("&gt;", out); break;
        case '&': fputs ("&amp;", out); break;
        case '"': fputs ("&quot;", out); break;
        default: fputc (*text, out);
        }
}

static const char *
s_name (const sein_report_t *report, const char *code)
{
    const char *name = json_string_value (json_object_get (report->names, code));
    return name ? name : code;
}

static json_int_t
s_int (json_t *object, const char *key)
{
    return json_integer_value (json_object_get (object, key));
}

//  A median in seconds as people read it; "–" when there is none.
static void
s_duration (FILE *out, json_t *seconds)
{
    if (!json_is_integer (seconds)) {
        fputs ("–", out);
        return;
    }
    long long value = json_integer_value (seconds);
    if (value < 3600)
        fprintf (out, "%lld min", (value + 30) / 60);
    else if (value < 2 * 86400)
        fprintf (out, "%.1f u", (double) value / 3600);
    else
        fprintf (out, "%.1f d", (double) value / 86400);
}

static void
s_head (const sein_report_t *report, FILE *out)
{
    fputs ("<!DOCTYPE html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
           "<title>Wijkrapport ",
           out);
    s_text (out, s_name (report, report->area));
    fputs ("</title><style>\n"
           "@page{size:A4;margin:12mm}\n"
           "*{box-sizing:border-box}\n"
           "body{margin:0;font:13px/1.45 'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;"
           "color:#1c2430;background:#f3f5f8}\n"
           ".page{max-width:900px;margin:0 auto;background:#fff;padding:0 0 24px}\n"
           "header{background:#14365d;color:#fff;padding:22px 32px 18px;"
           "border-bottom:5px solid #d7263d}\n"
           "header .kicker{text-transform:uppercase;letter-spacing:.12em;font-size:11px;"
           "opacity:.8}\n"
           "header h1{margin:4px 0 2px;font-size:28px;font-weight:600}\n"
           "header .period{font-size:14px;opacity:.9}\n"
           "header .meta{float:right;text-align:right;font-size:11px;opacity:.75;"
           "margin-top:6px}\n"
           "section{padding:14px 32px 4px}\n"
           "h2{font-size:15px;color:#14365d;margin:8px 0 8px;border-bottom:1px solid #dde3ea;"
           "padding-bottom:4px}\n"
           ".cards{display:grid;grid-template-columns:repeat(5,1fr);gap:10px;"
           "padding:18px 32px 4px}\n"
           ".card{background:#f3f6fa;border-radius:6px;padding:10px 12px;"
           "border-left:4px solid #14365d}\n"
           ".card.warn{border-left-color:#d7263d}\n"
           ".card .v{font-size:22px;font-weight:600;color:#14365d}\n"
           ".card .l{font-size:11px;color:#5a6675}\n"
           ".two{display:grid;grid-template-columns:1.25fr 1fr;gap:22px}\n"
           "table{border-collapse:collapse;width:100%;font-size:12px}\n"
           "th{text-align:left;font-weight:600;color:#5a6675;border-bottom:1px solid #c9d2dc;"
           "padding:4px 6px}\n"
           "td{padding:4px 6px;border-bottom:1px solid #eef1f5}\n"
           "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\n"
           ".dot{display:inline-block;width:9px;height:9px;border-radius:50%;"
           "margin-right:6px;vertical-align:middle}\n"
           ".legend{font-size:11px;color:#3a4654;margin-top:4px}\n"
           ".legend span{margin-right:12px;white-space:nowrap}\n"
           "svg text{font-family:inherit}\n"
           "footer{padding:10px 32px 0;font-size:10.5px;color:#6b7785}\n"
           "@media print{body{background:#fff}.page{max-width:none}"
           "section,.cards{break-inside:avoid}}\n"
           "</style></head><body><div class=\"page\">\n",
           out);
}

static void
s_header (const sein_report_t *report, FILE *out)
{
    fputs ("<header><div class=\"meta\">Gemaakt ", out);
    s_text (out, report->generated);
    fprintf (out, "<br>Bron: sein, meldingen t/m nr. %lld</div>",
             (long long) s_int (report->weekly, "head"));
    fputs ("<div class=\"kicker\">Wijkrapport meldingen</div><h1>", out);
    s_text (out, s_name (report, report->area));
    fputs ("</h1><div class=\"period\">", out);
    s_text (out, report->from);
    fputs (" tot ", out);
    s_text (out, report->until);
    fputs ("</div></header>\n", out);
}

static void
s_cards (const sein_report_t *report, FILE *out)
{
    json_t *total = json_object_get (report->weekly, "total");
    fputs ("<div class=\"cards\">", out);
    fprintf (out,
             "<div class=\"card\"><div class=\"v\" data-figure=\"count\">%lld</div>"
             "<div class=\"l\">meldingen ontvangen</div></div>",
             (long long) s_int (total, "count"));
    fprintf (out,
             "<div class=\"card\"><div class=\"v\" data-figure=\"open\">%lld</div>"
             "<div class=\"l\">daarvan nog open</div></div>",
             (long long) s_int (total, "open"));
    fprintf (out,
             "<div class=\"card warn\"><div class=\"v\"><span data-figure=\"overdue\">%lld"
             "</span> <small>(%.0f%%)</small></div><div class=\"l\">termijn overschreden"
             "</div></div>",
             (long long) s_int (total, "overdue"),
             100 * json_number_value (json_object_get (total, "share_overdue")));
    fputs ("<div class=\"card\"><div class=\"v\">", out);
    s_duration (out, json_object_get (total, "acknowledge_median"));
    fprintf (out,
             "</div><div class=\"l\" data-figure=\"acknowledge_median\" data-value=\"%lld\">"
             "mediaan tot bevestiging</div></div>",
             (long long) s_int (total, "acknowledge_median"));
    fputs ("<div class=\"card\"><div class=\"v\">", out);
    s_duration (out, json_object_get (total, "resolve_median"));
    fprintf (out,
             "</div><div class=\"l\" data-figure=\"resolve_median\" data-value=\"%lld\">"
             "mediaan tot oplossing</div></div>",
             (long long) s_int (total, "resolve_median"));
    fputs ("</div>\n", out);
}

//  The themes of THEMES (STATS by theme) by count, most first: their
//  indexes into its groups, at most MAX. Returns how many.
static int
s_top_themes (json_t *themes, int *order, int max)
{
    json_t *groups = json_object_get (themes, "groups");
    int count = (int) json_array_size (groups);
    for (int index = 0; index < count; index++)
        order[index] = index;
    for (int index = 1; index < count; index++)
        for (int at = index; at > 0 &&
                             s_int (json_array_get (groups, (size_t) order[at]), "count") >
                                 s_int (json_array_get (groups, (size_t) order[at - 1]), "count");
             at--) {
            int swap = order[at];
            order[at] = order[at - 1];
            order[at - 1] = swap;
        }
    return count < max ? count : max;
}

static const char *
s_colour (const sein_report_t *report, const char *theme)
{
    json_t *groups = json_object_get (report->themes, "groups");
    size_t index;
    json_t *group;
    json_array_foreach (groups, index, group)
        if (strcmp (json_string_value (json_object_get (group, "theme")), theme) == 0)
            return s_palette[index % 10];
    return "#888";
}

static int
s_compare_text (const void *a, const void *b)
{
    return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static void
s_trend (const sein_report_t *report, FILE *out)
{
    json_t *groups = json_object_get (report->weekly, "groups");
    //  The weeks in order (the groups come by theme, then week).
    const char *weeks[600];
    int nweeks = 0;
    size_t index;
    json_t *group;
    json_array_foreach (groups, index, group) {
        const char *week = json_string_value (json_object_get (group, "week"));
        int at = 0;
        while (at < nweeks && strcmp (weeks[at], week) != 0)
            at++;
        if (at == nweeks && nweeks < 600)
            weeks[nweeks++] = week;
    }
    for (int one = 1; one < nweeks; one++)
        for (int at = one; at > 0 && strcmp (weeks[at], weeks[at - 1]) < 0; at--) {
            const char *swap = weeks[at];
            weeks[at] = weeks[at - 1];
            weeks[at - 1] = swap;
        }
    int order[64];
    int ntop = s_top_themes (report->themes, order, S_TREND_THEMES);
    json_int_t most = 1;
    json_array_foreach (groups, index, group)
        if (s_int (group, "count") > most)
            most = s_int (group, "count");
    //  The axis ends at a round number (1, 2 or 5 times a power of ten,
    //  in four steps) above the busiest week.
    double base = pow (10, floor (log10 ((double) most / 4))), step = 1;
    static const double factors[] = {1, 2, 2.5, 5, 10};
    for (size_t factor = 0; factor < 5; factor++)
        if (base * factors[factor] * 4 >= (double) most) {
            step = base * factors[factor];
            break;
        }
    double peak = (step < 1 ? 1 : step) * 4;
    const double width = 836, height = 220, left = 36, bottom = 22, top = 8;
    double plot_w = width - left - 8, plot_h = height - bottom - top;
    fputs ("<section><h2>Trend per thema (meldingen per week)</h2>", out);
    fprintf (out, "<svg viewBox=\"0 0 %.0f %.0f\" width=\"100%%\" role=\"img\">", width, height);
    //  Grid: four lines with their counts.
    for (int line = 0; line <= 4; line++) {
        double y = top + plot_h - plot_h * line / 4;
        fprintf (out,
                 "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e8ee\"/>"
                 "<text x=\"%.0f\" y=\"%.1f\" font-size=\"10\" fill=\"#6b7785\" "
                 "text-anchor=\"end\">%.0f</text>",
                 left, width - 8, y, y, left - 5, y + 3, peak * line / 4);
    }
    //  A label every few weeks, so that they do not overlap.
    int every = nweeks > 13 ? (nweeks + 12) / 13 : 1;
    for (int week = 0; week < nweeks; week += every) {
        double x = left + (nweeks > 1 ? plot_w * week / (nweeks - 1) : plot_w / 2);
        fprintf (out,
                 "<text x=\"%.1f\" y=\"%.0f\" font-size=\"10\" fill=\"#6b7785\" "
                 "text-anchor=\"middle\">%s</text>",
                 x, height - 6, weeks[week] + 2);
    }
    //  Each line's weekly counts, in one pass over the groups (a year is
    //  some 530 of them): a search of every group for every point of
    //  every line was the page's costliest part.
    const char *top_themes[S_TREND_THEMES];
    for (int rank = 0; rank < ntop; rank++)
        top_themes[rank] = json_string_value (json_object_get (
            json_array_get (json_object_get (report->themes, "groups"), (size_t) order[rank]),
            "theme"));
    json_int_t counts[S_TREND_THEMES][600] = {{0}};
    json_array_foreach (groups, index, group) {
        const char *theme = json_string_value (json_object_get (group, "theme"));
        const char *week = json_string_value (json_object_get (group, "week"));
        int rank = 0;
        while (rank < ntop && strcmp (top_themes[rank], theme) != 0)
            rank++;
        const char **at = rank < ntop ? (const char **) bsearch (&week, weeks, (size_t) nweeks,
                                                                 sizeof *weeks, s_compare_text)
                                      : NULL;
        if (at)
            counts[rank][at - weeks] = s_int (group, "count");
    }
    for (int rank = 0; rank < ntop; rank++) {
        fprintf (out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
                      "stroke-linejoin=\"round\" points=\"",
                 s_colour (report, top_themes[rank]));
        for (int week = 0; week < nweeks; week++) {
            json_int_t count = counts[rank][week];
            double x = left + (nweeks > 1 ? plot_w * week / (nweeks - 1) : plot_w / 2);
            double y = top + plot_h - plot_h * (double) count / peak;
            fprintf (out, "%.1f,%.1f ", x, y);
        }
        fputs ("\"/>", out);
    }
    fputs ("</svg><div class=\"legend\">", out);
    for (int rank = 0; rank < ntop; rank++) {
        const char *theme = json_string_value (json_object_get (
            json_array_get (json_object_get (report->themes, "groups"), (size_t) order[rank]),
            "theme"));
        fprintf (out, "<span><i class=\"dot\" style=\"background:%s\"></i>",
                 s_colour (report, theme));
        s_text (out, s_name (report, theme));
        fputs ("</span>", out);
    }
    fputs ("<br>De zes drukste thema's. De eerste en de laatste week van de periode kunnen "
           "onvolledig zijn.</div></section>\n",
           out);
}

static void
s_backlog (const sein_report_t *report, FILE *out)
{
    fputs ("<section class=\"two\"><div><h2>Achterstand en termijnen per thema</h2>"
           "<table><tr><th>thema</th><th class=\"n\">meldingen</th><th class=\"n\">open</th>"
           "<th class=\"n\">te laat</th><th class=\"n\">bevestigd na</th>"
           "<th class=\"n\">opgelost na</th></tr>",
           out);
    int order[64];
    int count = s_top_themes (report->themes, order, 64);
    json_t *groups = json_object_get (report->themes, "groups");
    for (int rank = 0; rank < count; rank++) {
        json_t *group = json_array_get (groups, (size_t) order[rank]);
        const char *theme = json_string_value (json_object_get (group, "theme"));
        fprintf (out, "<tr data-theme=\"%s\"><td><i class=\"dot\" style=\"background:%s\"></i>",
                 theme, s_colour (report, theme));
        s_text (out, s_name (report, theme));
        fprintf (out,
                 "</td><td class=\"n\" data-figure=\"theme-count\">%lld</td>"
                 "<td class=\"n\" data-figure=\"theme-open\">%lld</td>"
                 "<td class=\"n\">%.0f%%</td><td class=\"n\">",
                 (long long) s_int (group, "count"), (long long) s_int (group, "open"),
                 100 * json_number_value (json_object_get (group, "share_overdue")));
        s_duration (out, json_object_get (group, "acknowledge_median"));
        fputs ("</td><td class=\"n\">", out);
        s_duration (out, json_object_get (group, "resolve_median"));
        fputs ("</td></tr>", out);
    }
    fputs ("</table></div>", out);
    //  The busiest streets as bars.
    json_t *streets = json_object_get (report->weekly, "streets");
    json_int_t most = s_int (json_array_get (streets, 0), "count");
    size_t nstreets = json_array_size (streets);
    fputs ("<div><h2>Drukste straten</h2>", out);
    fprintf (out, "<svg viewBox=\"0 0 340 %zu\" width=\"100%%\" role=\"img\">",
             nstreets * 22 + 4);
    size_t index;
    json_t *street;
    json_array_foreach (streets, index, street) {
        double bar = most ? 150.0 * (double) s_int (street, "count") / (double) most : 0;
        fprintf (out, "<text x=\"0\" y=\"%zu\" font-size=\"11.5\" fill=\"#1c2430\">",
                 index * 22 + 15);
        s_text (out, json_string_value (json_object_get (street, "street")));
        fprintf (out,
                 "</text><rect x=\"150\" y=\"%zu\" width=\"%.1f\" height=\"14\" rx=\"2\" "
                 "fill=\"#14365d\" opacity=\"%.2f\"/><text x=\"%.1f\" y=\"%zu\" "
                 "font-size=\"11\" fill=\"#3a4654\" data-figure=\"street\">%lld</text>",
                 index * 22 + 4, bar, 0.45 + 0.55 * bar / 150, 150 + bar + 5, index * 22 + 15,
                 (long long) s_int (street, "count"));
    }
    fputs ("</svg></div></section>\n", out);
}

static void
s_zones (const sein_report_t *report, FILE *out)
{
    json_t *groups = json_object_get (report->areas, "groups");
    if (json_array_size (groups) < 2)
        return; //  a zone on its own: nothing to split
    fputs ("<section><h2>Per deelgebied</h2><table><tr><th>gebied</th>"
           "<th class=\"n\">meldingen</th><th class=\"n\">open</th><th class=\"n\">te laat</th>"
           "<th class=\"n\">opgelost na</th></tr>",
           out);
    size_t index;
    json_t *group;
    json_array_foreach (groups, index, group) {
        fputs ("<tr><td>", out);
        s_text (out, s_name (report, json_string_value (json_object_get (group, "area"))));
        fprintf (out,
                 "</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td>"
                 "<td class=\"n\">%.0f%%</td><td class=\"n\">",
                 (long long) s_int (group, "count"), (long long) s_int (group, "open"),
                 100 * json_number_value (json_object_get (group, "share_overdue")));
        s_duration (out, json_object_get (group, "resolve_median"));
        fputs ("</td></tr>", out);
    }
    fputs ("</table></section>\n", out);
}

//  The polygons to draw: the area's own and its zones'.
static bool
s_mapped (const sein_report_t *report, json_t *feature)
{
    json_t *properties = json_object_get (feature, "properties");
    const char *code = json_string_value (json_object_get (properties, "code"));
    const char *parent = json_string_value (json_object_get (properties, "parent"));
    return (code && strcmp (code, report->area) == 0) ||
           (parent && strcmp (parent, report->area) == 0);
}

//  Each outer ring of FEATURE's geometry (Polygon or MultiPolygon).
typedef void (s_ring_fn) (json_t *ring, void *arg);
static void
s_rings (json_t *feature, s_ring_fn *fn, void *arg)
{
    json_t *geometry = json_object_get (feature, "geometry");
    const char *type = json_string_value (json_object_get (geometry, "type"));
    json_t *coordinates = json_object_get (geometry, "coordinates");
    if (type && strcmp (type, "Polygon") == 0)
        fn (json_array_get (coordinates, 0), arg);
    else if (type && strcmp (type, "MultiPolygon") == 0) {
        size_t index;
        json_t *polygon;
        json_array_foreach (coordinates, index, polygon)
            fn (json_array_get (polygon, 0), arg);
    }
}

typedef struct {
    double min_lon, max_lon, min_lat, max_lat;
    double scale, x0, y0, kx;
    FILE *out;
    double sum_x, sum_y; //  s_centre_ring's sums
    int n;
} s_map_t;

static void
s_bound (json_t *ring, void *arg)
{
    s_map_t *map = (s_map_t *) arg;
    size_t index;
    json_t *point;
    json_array_foreach (ring, index, point) {
        double lon = json_number_value (json_array_get (point, 0));
        double lat = json_number_value (json_array_get (point, 1));
        map->min_lon = fmin (map->min_lon, lon);
        map->max_lon = fmax (map->max_lon, lon);
        map->min_lat = fmin (map->min_lat, lat);
        map->max_lat = fmax (map->max_lat, lat);
    }
}

static double
s_x (const s_map_t *map, double lon)
{
    return map->x0 + (lon - map->min_lon) * map->kx * map->scale;
}

static double
s_y (const s_map_t *map, double lat)
{
    return map->y0 + (map->max_lat - lat) * map->scale;
}

static void
s_draw_ring (json_t *ring, void *arg)
{
    s_map_t *map = (s_map_t *) arg;
    fputs ("<polygon points=\"", map->out);
    size_t index;
    json_t *point;
    json_array_foreach (ring, index, point) {
        double x = s_x (map, json_number_value (json_array_get (point, 0)));
        double y = s_y (map, json_number_value (json_array_get (point, 1)));
        fprintf (map->out, "%.1f,%.1f ", x, y);
    }
    fputs ("\"/>", map->out);
}

static void
s_centre_ring (json_t *ring, void *arg)
{
    s_map_t *map = (s_map_t *) arg;
    size_t index;
    json_t *point;
    json_array_foreach (ring, index, point) {
        map->sum_x += s_x (map, json_number_value (json_array_get (point, 0)));
        map->sum_y += s_y (map, json_number_value (json_array_get (point, 1)));
        map->n++;
    }
}

static void
s_map (const sein_report_t *report, FILE *out)
{
    json_t *features = json_object_get (report->polygons, "features");
    json_t *points = json_object_get (report->weekly, "points");
    s_map_t map = {1e9, -1e9, 1e9, -1e9, 0, 0, 0, 0, out, 0, 0, 0};
    size_t index;
    json_t *feature, *point;
    json_array_foreach (features, index, feature)
        if (s_mapped (report, feature))
            s_rings (feature, s_bound, &map);
    if (map.min_lon > map.max_lon)
        json_array_foreach (points, index, point) {
            json_t *ring = json_pack ("[[f,f]]", json_number_value (json_array_get (point, 1)),
                                      json_number_value (json_array_get (point, 0)));
            s_bound (ring, &map);
            json_decref (ring);
        }
    if (map.min_lon > map.max_lon)
        return; //  nothing to draw
    const double width = 836, height = 440, pad = 16;
    //  Equirectangular, a degree of longitude shortened by cos(latitude).
    map.kx = cos ((map.min_lat + map.max_lat) / 2 * M_PI / 180);
    double span_x = fmax ((map.max_lon - map.min_lon) * map.kx, 1e-6);
    double span_y = fmax (map.max_lat - map.min_lat, 1e-6);
    map.scale = fmin ((width - 2 * pad) / span_x, (height - 2 * pad) / span_y);
    map.x0 = (width - span_x * map.scale) / 2;
    map.y0 = (height - span_y * map.scale) / 2;
    fputs ("<section><h2>Kaart: meldingen in de periode</h2>", out);
    fprintf (out,
             "<svg viewBox=\"0 0 %.0f %.0f\" width=\"100%%\" role=\"img\" "
             "style=\"background:#eef3f7;border-radius:6px\">",
             width, height);
    fputs ("<g fill=\"#ffffff\" fill-opacity=\".75\" stroke=\"#14365d\" stroke-width=\"1.4\">",
           out);
    json_array_foreach (features, index, feature)
        if (s_mapped (report, feature))
            s_rings (feature, s_draw_ring, &map);
    fputs ("</g><g>", out);
    //  Finished ones light, open ones solid with an outline.
    json_array_foreach (points, index, point) {
        const char *theme = json_string_value (json_array_get (point, 2));
        bool open = json_is_true (json_array_get (point, 3));
        double lat = json_number_value (json_array_get (point, 0));
        double lon = json_number_value (json_array_get (point, 1));
        fprintf (out,
                 "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\" fill-opacity=\"%.2f\"%s/>",
                 s_x (&map, lon), s_y (&map, lat), open ? 3.2 : 2.2, s_colour (report, theme),
                 open ? 0.9 : 0.35, open ? " stroke=\"#fff\" stroke-width=\".8\"" : "");
    }
    fputs ("</g><g font-size=\"12\" font-weight=\"600\" fill=\"#14365d\" "
           "text-anchor=\"middle\" paint-order=\"stroke\" stroke=\"#fff\" stroke-width=\"3\">",
           out);
    //  The zones are named on the map; the area itself is in the header
    //  (a wijk's name at its middle would sit on one of its zones).
    bool zones = json_array_size (json_object_get (report->areas, "groups")) > 1;
    json_array_foreach (features, index, feature)
        if (s_mapped (report, feature) &&
            !(zones && strcmp (json_string_value (json_object_get (
                                   json_object_get (feature, "properties"), "code")),
                               report->area) == 0)) {
            //  The name at the mean of the outline's corners.
            s_map_t probe = map;
            probe.sum_x = probe.sum_y = 0;
            probe.n = 0;
            s_rings (feature, s_centre_ring, &probe);
            if (probe.n) {
                fprintf (out, "<text x=\"%.1f\" y=\"%.1f\">", probe.sum_x / probe.n,
                         probe.sum_y / probe.n);
                s_text (out, json_string_value (json_object_get (
                                 json_object_get (feature, "properties"), "name")));
                fputs ("</text>", out);
            }
        }
    fprintf (out,
             "</g></svg><div class=\"legend\">%zu meest recente meldingen met een plaats; "
             "open meldingen groter en vol, afgehandelde licht.</div></section>\n",
             json_array_size (points));
}

int
sein_report_write (const sein_report_t *report, FILE *out)
{
    s_head (report, out);
    s_header (report, out);
    s_cards (report, out);
    s_trend (report, out);
    s_backlog (report, out);
    s_zones (report, out);
    s_map (report, out);
    fputs ("<footer>Alle cijfers komen uit de STATS-vraag aan seind voor dit gebied en deze "
           "periode. <em>Open</em>: nu nog niet afgehandeld. <em>Te laat</em>: de "
           "behandeltermijn van het thema verstreek voor de melding was afgehandeld. "
           "Medianen over de meldingen die bevestigd of opgelost zijn.</footer>"
           "</div></body></html>\n",
           out);
    return ferror (out) ? -1 : 0;
}
