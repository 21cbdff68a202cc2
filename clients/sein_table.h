// SPDX-License-Identifier: MPL-2.0
/*  sein_table.h - rows for people or spreadsheets: aligned columns or CSV

    seinctl's lists and counts print through one table: for people,
    columns aligned to their widest cell and, on a terminal, cut so that
    a line fits it (the last column gives way first); for a spreadsheet,
    CSV as RFC 4180 writes it (quoted where needed, CRLF lines).

        sein_table_t *table = sein_table_new (columns, 3);
        sein_table_add (table, cells);      //  copies the cells
        sein_table_print (table, stdout, csv);
        sein_table_destroy (&table);
*/
#ifndef SEIN_TABLE_H_INCLUDED
#define SEIN_TABLE_H_INCLUDED

#include <stdbool.h>
#include <stdio.h>

typedef struct _sein_table_t sein_table_t;

//  A table of NCOLUMNS with these HEADERS (borrowed, must outlive it). A
//  header starting with '>' is a column of numbers, aligned right (the
//  '>' is not printed).
sein_table_t *
    sein_table_new (const char *const *headers, int ncolumns);

//  Destroy; idempotent, nulls the pointer.
void
    sein_table_destroy (sein_table_t **self_p);

//  Add a row of NCOLUMNS CELLS (copied; NULL prints as "-", or empty in CSV).
void
    sein_table_add (sein_table_t *self, const char *const *cells);

//  Print the header and rows to OUT: CSV, or aligned columns (cut to the
//  terminal's width when OUT is one).
void
    sein_table_print (sein_table_t *self, FILE *out, bool csv);

#endif
