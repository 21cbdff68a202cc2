// SPDX-License-Identifier: MPL-2.0
/*  sein_table.c - rows for people or spreadsheets: aligned columns or CSV */
#include "sein_table.h"

#include "sein_alloc.h"

#include <czmq.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct _sein_table_t {
    const char *const *headers;
    int ncolumns;
    zlistx_t *rows; //  of char ** (ncolumns strings, NULL for none)
};

static void
s_row_destroy (void **item)
{
    char **cells = (char **) *item;
    //  The column count is stored in front of the cells.
    size_t count = (size_t) (intptr_t) cells[-1];
    for (size_t index = 0; index < count; index++)
        free (cells[index]);
    free (cells - 1);
    *item = NULL;
}

sein_table_t *
sein_table_new (const char *const *headers, int ncolumns)
{
    assert (headers && ncolumns > 0);
    sein_table_t *self = (sein_table_t *) zmalloc (sizeof *self);
    self->headers = headers;
    self->ncolumns = ncolumns;
    self->rows = zlistx_new ();
    zlistx_set_destructor (self->rows, s_row_destroy);
    return self;
}

void
sein_table_destroy (sein_table_t **self_p)
{
    assert (self_p);
    if (*self_p) {
        zlistx_destroy (&(*self_p)->rows);
        free (*self_p);
        *self_p = NULL;
    }
}

void
sein_table_add (sein_table_t *self, const char *const *cells)
{
    assert (self);
    char **row = (char **) zmalloc ((size_t) (self->ncolumns + 1) * sizeof *row);
    row[0] = (char *) (intptr_t) self->ncolumns;
    for (int index = 0; index < self->ncolumns; index++)
        row[index + 1] = cells[index] ? sein_strdup (cells[index]) : NULL;
    zlistx_add_end (self->rows, row + 1);
}

//  Characters (not bytes) in TEXT: what a terminal gives it, near enough.
static size_t
s_width (const char *text)
{
    size_t width = 0;
    for (; *text; text++)
        width += ((unsigned char) *text & 0xc0) != 0x80;
    return width;
}

//  Print TEXT in WIDTH characters: padded, or cut with an ellipsis.
static void
s_cell (FILE *out, const char *text, size_t width, bool right, bool last)
{
    size_t have = s_width (text);
    if (have > width) {
        //  Cut at a character boundary, leaving room for the ellipsis.
        size_t keep = width ? width - 1 : 0, chars = 0;
        const char *end = text;
        while (*end && chars < keep) {
            end++;
            while (((unsigned char) *end & 0xc0) == 0x80)
                end++;
            chars++;
        }
        fprintf (out, "%.*s%s", (int) (end - text), text, width ? "…" : "");
        return;
    }
    if (right)
        fprintf (out, "%*s%s", (int) (width - have), "", text);
    else
        fprintf (out, "%s%*s", text, last ? 0 : (int) (width - have), "");
}

static void
s_csv (FILE *out, const char *text)
{
    if (!strpbrk (text, ",\"\r\n")) {
        fputs (text, out);
        return;
    }
    fputc ('"', out);
    for (; *text; text++) {
        if (*text == '"')
            fputc ('"', out);
        fputc (*text, out);
    }
    fputc ('"', out);
}

void
sein_table_print (sein_table_t *self, FILE *out, bool csv)
{
    assert (self);
    int columns = self->ncolumns;
    if (csv) {
        for (int index = 0; index < columns; index++) {
            const char *header = self->headers[index];
            s_csv (out, header + (*header == '>'));
            fputs (index + 1 < columns ? "," : "\r\n", out);
        }
        for (char **row = (char **) zlistx_first (self->rows); row;
             row = (char **) zlistx_next (self->rows))
            for (int index = 0; index < columns; index++) {
                s_csv (out, row[index] ? row[index] : "");
                fputs (index + 1 < columns ? "," : "\r\n", out);
            }
        fflush (out);
        return;
    }
    size_t *widths = (size_t *) zmalloc ((size_t) columns * sizeof *widths);
    for (int index = 0; index < columns; index++) {
        const char *header = self->headers[index];
        widths[index] = s_width (header + (*header == '>'));
    }
    for (char **row = (char **) zlistx_first (self->rows); row;
         row = (char **) zlistx_next (self->rows))
        for (int index = 0; index < columns; index++) {
            size_t width = s_width (row[index] ? row[index] : "-");
            if (width > widths[index])
                widths[index] = width;
        }
    //  On a terminal the line fits it: the widest columns give way, the
    //  last first (a description), none below 8 characters.
    struct winsize size;
    if (isatty (fileno (out)) && ioctl (fileno (out), TIOCGWINSZ, &size) == 0 &&
        size.ws_col > 20) {
        size_t total = 0;
        for (int index = 0; index < columns; index++)
            total += widths[index] + (index ? 2 : 0);
        for (int index = columns - 1; index >= 0 && total > size.ws_col; index--) {
            size_t spare = widths[index] > 8 ? widths[index] - 8 : 0;
            size_t cut = total - size.ws_col < spare ? total - size.ws_col : spare;
            widths[index] -= cut;
            total -= cut;
        }
    }
    for (int index = 0; index < columns; index++) {
        const char *header = self->headers[index];
        if (index)
            fputs ("  ", out);
        s_cell (out, header + (*header == '>'), widths[index], *header == '>',
                index + 1 == columns);
    }
    fputc ('\n', out);
    for (char **row = (char **) zlistx_first (self->rows); row;
         row = (char **) zlistx_next (self->rows)) {
        for (int index = 0; index < columns; index++) {
            if (index)
                fputs ("  ", out);
            s_cell (out, row[index] ? row[index] : "-", widths[index],
                    *self->headers[index] == '>', index + 1 == columns);
        }
        fputc ('\n', out);
    }
    free (widths);
    fflush (out);
}
