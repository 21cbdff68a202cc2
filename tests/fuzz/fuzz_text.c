// SPDX-License-Identifier: MPL-2.0
/*  fuzz_text.c - libFuzzer target: the text pipeline and the classifier's text path

    The input is a description. It is folded (into a buffer of the promised
    bound, into an exact fit and into one byte less), analysed into tokens
    with their negation scopes, every token stemmed in the three languages
    and split as a Dutch compound. Then, when the bytes can be a
    description at all (UTF-8, no NUL), it goes through the daemon's own
    path: a submission body, the validator, and the classifier on conf/,
    whose rules walk the same analysis.
*/
#include "sein_text.h"
#include "sein_fuzz.h"

#include <czmq.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static sein_lang_t *s_lang;
static sein_stemmer_t *s_stemmer;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    (void) argc;
    (void) argv;
    s_lang = sein_lang_new ();
    s_stemmer = sein_stemmer_new ();
    sein_fuzz_check (s_lang && s_stemmer);
    sein_fuzz_classifier (false); //  loaded now, not inside the first input
    return 0;
}

//  A few Dutch members, enough for sein_text_compound to find heads,
//  modifiers and links in real words ("geluidsoverlast", "struikelgevaar").
static bool
s_known (void *arg, const char *part, size_t len, bool first)
{
    (void) arg;
    static const char *words[] = {"overlast", "geluid", "gevaar", "struikel", "afval",
                                  "fiets",    "straat", "verlichting", "brand", NULL};
    for (const char **word = words; *word; word++)
        if (strlen (*word) == len && memcmp (*word, part, len) == 0)
            return first || len >= 4;
    return false;
}

static void
s_check_fold (const uint8_t *data, size_t size)
{
    size_t bound = sein_text_fold_bound (size);
    char *out = malloc (bound);
    long length = sein_text_fold ((const char *) data, size, out, bound);
    sein_fuzz_check (length >= 0 && (size_t) length < bound);
    sein_fuzz_check (strlen (out) == (size_t) length);
    char *exact = malloc ((size_t) length + 1);
    sein_fuzz_check (sein_text_fold ((const char *) data, size, exact,
                                     (size_t) length + 1) == length);
    sein_fuzz_check (memcmp (exact, out, (size_t) length + 1) == 0);
    if (length > 0)
        sein_fuzz_check (sein_text_fold ((const char *) data, size, exact,
                                         (size_t) length) == -1);
    free (exact);
    free (out);
}

static void
s_check_analysis (sein_text_t *text)
{
    for (size_t index = 0; index < text->ntokens; index++) {
        const sein_token_t *token = &text->tokens[index];
        sein_fuzz_check (token->start + token->len <= text->size);
        const char *word = sein_text_word (text, index);
        sein_fuzz_check (token->len > 0 && strlen (word) == token->len);
        if (index > 0) {
            sein_fuzz_check (token->sentence >= text->tokens[index - 1].sentence);
            sein_fuzz_check (token->clause >= text->tokens[index - 1].clause);
        }
        for (int language = 0; language < SEIN_LANGS; language++) {
            const char *stem = sein_text_stem (text, s_stemmer, index, language);
            sein_fuzz_check (stem);
            //  Asked twice, the cached stem comes back.
            const char *again = sein_text_stem (text, s_stemmer, index, language);
            sein_fuzz_check (streq (stem, again));
        }
        sein_compound_t compound;
        if (sein_text_compound (word, token->len, s_known, NULL, &compound)) {
            sein_fuzz_check (compound.head_start + compound.head_len <= token->len);
            sein_fuzz_check (compound.modifier_len <= token->len);
            sein_fuzz_check (compound.modifier_match_len <= compound.modifier_len);
        }
    }
}

//  The daemon's path: a body with this description (and its first line as
//  the address), validated, then classified.
static void
s_classify (const uint8_t *data, size_t size)
{
    json_t *description = json_stringn ((const char *) data, size);
    if (!description)
        return; //  not UTF-8, or a NUL: no client can send it as a string
    json_t *body =
        json_pack ("{s:o, s:s}", "description", description, "source", "citizen");
    const char *newline = memchr (data, '\n', size);
    if (newline)
        json_object_set_new (body, "address_string",
                             json_stringn ((const char *) data,
                                           (size_t) (newline - (const char *) data)));
    char *text = json_dumps (body, JSON_COMPACT);
    json_decref (body);
    sein_signal_limits_t limits = {65536, 1 << 20};
    sein_signal_t signal;
    sein_error_t error;
    if (sein_signal_parse (&signal, text, strlen (text), &limits, &error) == 0) {
        sein_fuzz_classify (sein_fuzz_classifier (false), &signal);
        sein_signal_clear (&signal);
    }
    free (text);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    s_check_fold (data, size);
    sein_text_t text;
    sein_text_analyse (&text, s_lang, (const char *) data, size);
    sein_fuzz_check (text.lang >= SEIN_LANG_NONE && text.lang < SEIN_LANGS);
    s_check_analysis (&text);
    sein_text_release (&text);
    s_classify (data, size);
    return 0;
}
