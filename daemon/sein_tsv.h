// SPDX-License-Identifier: MPL-2.0
/*  sein_tsv.h - read the tab-separated data files a city edits

    Areas, themes, streets and the rule files are TSV so that a city can
    keep them in a spreadsheet or a GIS export. This reader gives every file
    the same rules: UTF-8 (a byte-order mark is skipped), '#' lines and
    blank lines are comments, the first other line is a header that names
    the columns (so a file given for the wrong setting is refused), fields
    are trimmed, CRLF is fine. Every error comes back as "file:line: what".
*/
#ifndef SEIN_TSV_H_INCLUDED
#define SEIN_TSV_H_INCLUDED

#define SEIN_TSV_FIELDS_MAX 16

//  Called for every data row with its fields (trimmed, NUL-terminated,
//  valid until the next row) and line number. Returns NULL, or a fresh
//  message without location that stops the load.
typedef char *(sein_tsv_row_fn) (void *arg, char **fields, int nfields, int line);

//  Read the file at PATH. HEADER lists the leading column names the header
//  must start with, tab-separated ("street\tfrom\tto"). Rows must have
//  MIN_FIELDS to MAX_FIELDS fields (empty trailing fields count). Returns
//  NULL when every row was accepted, else a fresh "file:line: message".
char *
    sein_tsv_load (const char *path, const char *header, int min_fields, int max_fields,
                   sein_tsv_row_fn *row, void *arg);

//  Parse all of TEXT as a decimal number within [MIN, MAX] into *value.
//  Returns 0, or -1 when TEXT is empty, not a number or out of range.
int
    sein_tsv_double (const char *text, double min, double max, double *value);

//  Parse all of TEXT as a decimal integer within [MIN, MAX] into *value.
int
    sein_tsv_int (const char *text, long min, long max, long *value);

#endif
