// SPDX-License-Identifier: MPL-2.0
/*  sein_text.h - fold, tokenise and read free text the way the classifier needs

    Residents write in Dutch, French and English, with or without accents,
    in capitals, with odd spacing. The classifier never looks at raw text:
    it looks at words that went through this class. Folding is Unicode case
    folding plus compatibility decomposition with the marks stripped
    (utf8proc), so "ÉPÉE", "Épée" and "epee" are one word. A text is cut into
    tokens that remember where sentences and clauses end (a negation stops
    there, a house number does not jump over a comma), which tokens a
    negation ("geen", "pas", "not") covers, and which language the function
    words point to, so that the right Snowball stemmer runs.

    Negation has two strengths. A word in the scope of a cue is NEGATED
    ("geen gevaar": no danger). Complaints are often about an absence
    ("niemand ruimt het op", "geen verlichting", "never emptied"), so a
    negated word is also DISMISSED only when the sentence sets it aside: a
    "no more" construction ("geen overlast meer", "no more noise", "plus de
    bruit"), a contrast later in the sentence ("niet X maar Y", "not X but
    Y", "pas X mais Y", "geen X, wel Y"), or a denial of what the problem
    is that goes on to say what it is ("het is geen X, het is Y", "ce n'est
    pas X, ce sont Y", "it's not X, it's Y", "niet de X, het zijn de Y",
    "het is geen X, mijn verhuurder ..."). A scope ends at punctuation, a
    contrast word or a clause that opens with "het is", "c'est", "it's".

    sein_lang_t holds what does not change between texts, the table of
    function words; it is read-only once built, so one serves every
    thread. sein_stemmer_t holds the three Snowball stemmers (libstemmer)
    and a cache of recent stems (words recur from signal to signal).
    Stemming writes into both, so a stemmer is scratch: each thread that
    stems owns one.

    sein_text_t is the analysis of one text. It lives on the caller's stack
    and keeps small texts in inline buffers, so analysing a typical signal
    allocates nothing; sein_text_release frees what a long text needed.
*/
#ifndef SEIN_TEXT_H_INCLUDED
#define SEIN_TEXT_H_INCLUDED

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  Languages with a stemmer, in a fixed order used as array index.
#define SEIN_NL         0
#define SEIN_FR         1
#define SEIN_EN         2
#define SEIN_LANGS      3
#define SEIN_LANG_NONE  (-1) //  no function word decided the language

//  Token flags.
#define SEIN_TOKEN_NUMBER   0x0001 //  starts with a digit
#define SEIN_TOKEN_SENTENCE 0x0002 //  first token of a sentence
#define SEIN_TOKEN_CLAUSE   0x0004 //  first token of a clause (, ; : / ( & and sentences)
#define SEIN_TOKEN_QUESTION 0x0008 //  its sentence ends with '?'
#define SEIN_TOKEN_NEGATED  0x0010 //  inside the scope of a negation
#define SEIN_TOKEN_FUNCTION 0x0020 //  a function word (article, pronoun, ...)
#define SEIN_TOKEN_CUE      0x0040 //  a negation cue itself
#define SEIN_TOKEN_APOS     0x0080 //  glued to an apostrophe before it ('s, n't)
#define SEIN_TOKEN_DOT      0x0100 //  directly followed by '.' (abbreviations)
#define SEIN_TOKEN_DISMISSED 0x0200 //  negated, and the sentence sets it aside: "geen
                                    //  overlast meer", "not X but Y" (see below)

typedef struct {
    uint32_t start;    //  offset of the NUL-terminated word in sein_text_t.folded
    uint16_t len;      //  bytes
    uint16_t flags;    //  SEIN_TOKEN_*
    uint16_t sentence; //  sentence number, from 0
    uint16_t clause;   //  clause number, from 0, across sentences
    uint32_t hash;     //  sein_dict_hash of the word: hashed once, looked up often
    int32_t stem[SEIN_LANGS]; //  offset in the stem arena, -1 until asked
} sein_token_t;

typedef struct _sein_lang_t sein_lang_t;
typedef struct _sein_stemmer_t sein_stemmer_t;

//  The analysis of one text. Fields are read-only for callers.
#define SEIN_TEXT_INLINE_BYTES  4096
#define SEIN_TEXT_INLINE_TOKENS 384
typedef struct {
    char *folded;         //  folded text; every token is NUL-terminated in place
    size_t size;          //  bytes of folded text
    sein_token_t *tokens; //  in text order
    size_t ntokens;
    int lang;             //  SEIN_NL, SEIN_FR, SEIN_EN or SEIN_LANG_NONE; the one
                          //  field a caller may set: an undecided language once
                          //  other evidence settles it (see sein_rules_match)
    int votes[SEIN_LANGS]; //  function words seen per language
    //  private
    char *stems;
    size_t stems_used, stems_capacity;
    size_t tokens_capacity;
    char folded_inline[SEIN_TEXT_INLINE_BYTES];
    char stems_inline[SEIN_TEXT_INLINE_BYTES];
    sein_token_t tokens_inline[SEIN_TEXT_INLINE_TOKENS];
} sein_text_t;

//  --------------------------------------------------------------------------
//  Languages

//  Create the function-word table. Never NULL (sein_alloc.h).
sein_lang_t *
    sein_lang_new (void);

//  Destroy; idempotent, nulls the pointer.
void
    sein_lang_destroy (sein_lang_t **self_p);

//  Create the three stemmers and an empty stem cache (about 256 KB), for
//  one thread. NULL when libstemmer lacks one of the languages. A stemmer
//  depends on no data file: it outlives reloads.
sein_stemmer_t *
    sein_stemmer_new (void);

//  Destroy; idempotent, nulls the pointer.
void
    sein_stemmer_destroy (sein_stemmer_t **self_p);

//  "nl", "fr", "en" for SEIN_NL.., "" for SEIN_LANG_NONE.
const char *
    sein_lang_code (int lang);

//  SEIN_NL.. for "nl", "fr", "en"; SEIN_LANG_NONE for anything else.
int
    sein_lang_from_code (const char *code);

//  Stem the folded WORD of LEN bytes with LANG's Snowball stemmer into OUT
//  (NUL-terminated). Returns the stem's length, or -1 when it does not fit
//  CAPACITY.
int
    sein_stemmer_stem (sein_stemmer_t *self, int lang, const char *word, size_t len,
                       char *out, size_t capacity);

//  --------------------------------------------------------------------------
//  Folding

//  Fold SIZE bytes of UTF-8 TEXT into OUT: Unicode case folding, NFKD with
//  marks stripped, apostrophe and dash look-alikes lumped to ' and -,
//  symbols and non-ASCII punctuation to spaces, control characters to
//  spaces. Invalid UTF-8 bytes become spaces. Writes at most CAPACITY bytes
//  including the NUL; returns the folded length, or -1 when it did not fit
//  (sein_text_fold_bound (SIZE) always fits).
long
    sein_text_fold (const char *text, size_t size, char *out, size_t capacity);

//  A capacity that always suffices for sein_text_fold of SIZE bytes.
size_t
    sein_text_fold_bound (size_t size);

//  --------------------------------------------------------------------------
//  Analysis

//  Fold and tokenise SIZE bytes of TEXT into SELF (which need not be
//  initialised), mark function words, detect the language and mark the
//  scope of negations. LANG may be NULL for text that is no prose (street
//  names): then only folding and tokens. Always pair with sein_text_release.
void
    sein_text_analyse (sein_text_t *self, const sein_lang_t *lang, const char *text,
                       size_t size);

//  Free what an analysis allocated; safe to call twice.
void
    sein_text_release (sein_text_t *self);

//  The folded word of token INDEX (borrowed, NUL-terminated). Inline: the
//  rules ask for it for every token and every phrase word.
static inline const char *
sein_text_word (const sein_text_t *self, size_t index)
{
    assert (index < self->ntokens);
    return self->folded + self->tokens[index].start;
}

//  The stem of token INDEX in LANGUAGE, computed with STEMMER on first use
//  and kept in the analysis (borrowed). Numbers and words of one or two
//  letters are their own stem. Never NULL.
const char *
    sein_text_stem (sein_text_t *self, sein_stemmer_t *stemmer, size_t index,
                    int language);

//  --------------------------------------------------------------------------
//  Dutch compounds

//  Asked by sein_text_compound whether LEN bytes at PART form a known word,
//  as the first member of a compound when FIRST, else as its last. Some
//  words have a form of their own as a first member: a Dutch verb drops
//  its -en ("struikelen", "struikelgevaar").
typedef bool (sein_text_known_fn) (void *arg, const char *part, size_t len, bool first);

//  What sein_text_compound found: offsets into the word, 0 length = none.
typedef struct {
    size_t head_start, head_len;         //  the last member ("overlast")
    size_t modifier_len;                 //  the first member ("geluid"), at 0
    size_t modifier_match_len;           //  its known form, without a link s/e/en
} sein_compound_t;

//  Split a Dutch compound WORD of LEN bytes into known members: the
//  longest known head (a suffix of at least 4 bytes, leaving at least 3),
//  and the longest known modifier: a prefix, possibly followed by a linking
//  "s" or "en", of at least 5 bytes with the link, that ends where the
//  head starts, or (no head known) leaves at least 5 bytes. KNOWN decides
//  what a word is. The longest wins, so "struikelgevaar" is "struikel(en)",
//  not the "struik" it starts with. Returns true when a head or a modifier
//  was found.
bool
    sein_text_compound (const char *word, size_t len, sein_text_known_fn *known,
                        void *arg, sein_compound_t *result);

#endif
