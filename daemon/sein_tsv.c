// SPDX-License-Identifier: MPL-2.0
/*  sein_tsv.c - the one reader behind every TSV data file

    See sein_tsv.h for the rules. Rows are split in place in the line
    buffer getline gives us, so loading a 10,000-line register allocates
    one line buffer.
*/
#include "sein_tsv.h"
#include "sein_alloc.h"
#include "sein_signal.h"

#include <assert.h>
#include <czmq.h>
#include <errno.h>
#include <math.h>

static char *
s_trim (char *text)
{
    while (*text == ' ')
        text++;
    size_t len = strlen (text);
    while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\r'))
        text[--len] = 0;
    return text;
}

//  Split LINE at tabs into FIELDS; returns the count, or -1 when there are
//  more than SEIN_TSV_FIELDS_MAX.
static int
s_split (char *line, char **fields)
{
    int nfields = 0;
    char *cursor = line;
    while (true) {
        if (nfields == SEIN_TSV_FIELDS_MAX)
            return -1;
        char *tab = strchr (cursor, '\t');
        if (tab)
            *tab = 0;
        fields[nfields++] = s_trim (cursor);
        if (!tab)
            break;
        cursor = tab + 1;
    }
    return nfields;
}

//  Does the header in FIELDS start with the names in EXPECTED?
static char *
s_check_header (char **fields, int nfields, const char *expected)
{
    char *copy = sein_strdup (expected);
    char *names[SEIN_TSV_FIELDS_MAX];
    int nnames = s_split (copy, names);
    char *message = NULL;
    for (int index = 0; !message && index < nnames; index++)
        if (index >= nfields || strcmp (fields[index], names[index]) != 0) {
            char *shown = sein_strdup (expected);
            for (char *c = shown; *c; c++)
                if (*c == '\t')
                    *c = ' ';
            message = sein_sprintf ("expected a header line with columns: %s", shown);
            free (shown);
        }
    free (copy);
    return message;
}

char *
sein_tsv_load (const char *path, const char *header, int min_fields, int max_fields,
               sein_tsv_row_fn *row, void *arg)
{
    assert (path);
    assert (header);
    assert (row);
    FILE *file = fopen (path, "r");
    if (!file)
        return sein_sprintf ("%s:0: cannot open: %s", path, strerror (errno));
    char *line = NULL;
    size_t capacity = 0;
    ssize_t length;
    int lineno = 0;
    bool seen_header = false;
    char *error = NULL;
    while (!error && (length = getline (&line, &capacity, file)) >= 0) {
        lineno++;
        char *text = line;
        if (lineno == 1 && length >= 3 && memcmp (text, "\xEF\xBB\xBF", 3) == 0)
            text += 3;
        if (memchr (line, 0, (size_t) length)) {
            error = sein_sprintf ("%s:%d: NUL byte in the line", path, lineno);
            break;
        }
        text[strcspn (text, "\r\n")] = 0;
        //  Names and patterns end up in stored JSON: they must be UTF-8.
        size_t offset;
        if (!sein_utf8_valid (text, strlen (text), &offset)) {
            error = sein_sprintf ("%s:%d: not valid UTF-8 at byte %zu", path, lineno,
                                  offset + 1);
            break;
        }
        char *trimmed = text;
        while (*trimmed == ' ' || *trimmed == '\t')
            trimmed++;
        if (*trimmed == 0 || *trimmed == '#')
            continue;
        char *fields[SEIN_TSV_FIELDS_MAX];
        int nfields = s_split (text, fields);
        char *message = NULL;
        if (nfields < 0)
            message = sein_sprintf ("more than %d tab-separated fields",
                                    SEIN_TSV_FIELDS_MAX);
        else if (!seen_header) {
            message = s_check_header (fields, nfields, header);
            seen_header = true;
        } else if (nfields < min_fields)
            message = sein_sprintf ("expected at least %d tab-separated fields, got %d",
                                    min_fields, nfields);
        else if (nfields > max_fields)
            message = sein_sprintf ("expected at most %d tab-separated fields, got %d",
                                    max_fields, nfields);
        else
            message = row (arg, fields, nfields, lineno);
        if (message) {
            error = sein_sprintf ("%s:%d: %s", path, lineno, message);
            zstr_free (&message);
        }
    }
    //  getline stops on a read error and, for a line it has no memory for,
    //  with ENOMEM and no error flag: either way the file was not read to
    //  its end, and a register cut short must not load.
    if (!error && !feof (file))
        error = sein_sprintf ("%s:%d: read error: %s", path, lineno, strerror (errno));
    if (!error && !seen_header)
        error = sein_sprintf ("%s:%d: no header line (file is empty)", path, lineno);
    free (line);
    fclose (file);
    return error;
}

int
sein_tsv_double (const char *text, double min, double max, double *value)
{
    assert (text);
    assert (value);
    if (*text == 0)
        return -1;
    errno = 0;
    char *end;
    double number = strtod (text, &end);
    if (errno || *end || !isfinite (number) || number < min || number > max)
        return -1;
    *value = number;
    return 0;
}

int
sein_tsv_int (const char *text, long min, long max, long *value)
{
    assert (text);
    assert (value);
    if (*text == 0)
        return -1;
    errno = 0;
    char *end;
    long number = strtol (text, &end, 10);
    if (errno || *end || number < min || number > max)
        return -1;
    *value = number;
    return 0;
}
