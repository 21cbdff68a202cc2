// SPDX-License-Identifier: MPL-2.0
/*  sein_rules.h - word, phrase and machine-event rules a city can edit

    One rules file maps evidence in a signal to a target: a theme
    (theme-rules.tsv) or a priority (priority-rules.tsv). Each line is
    "target  lang  pattern  [weight]"; see docs/CLASSIFICATION.md and the
    files' own header comments for the format. A pattern is

      a word            ratten         any inflection (Snowball stem), also
                                       as a member of a Dutch compound
      an exact word     =park          only as written (folded): "parked"
                                       stems to "park" in English
      a phrase          nid de guêpes  consecutive words, each stemmed
      words together    leeg + pand    all parts in the same sentence
      an event key      bin_fill       (lang "attr") in `attributes` or as
                        bin_fill>=80   key=value in the description; =, !=,
                                       <, <=, >, >= compare the value

    All rule words are folded and stemmed once at load. Matching a text
    (already analysed by sein_text) costs a few hash lookups per word. A
    matched rule is reported once per text (and "dog" and "dogs", one word
    to the stemmer, count once), and a phrase claims its words: "dog poop"
    (afval) hides the "dog" (dieren) inside it.
*/
#ifndef SEIN_RULES_H_INCLUDED
#define SEIN_RULES_H_INCLUDED

#include "sein_signal.h"
#include "sein_text.h"

#include <jansson.h>

typedef struct _sein_rules_t sein_rules_t;

//  How a hit matched; the weight reported already includes the factor.
#define SEIN_RULE_WORD       0 //  the word as written (x1)
#define SEIN_RULE_STEM       1 //  another inflection of it (x1)
#define SEIN_RULE_PHRASE     2 //  consecutive words (x1)
#define SEIN_RULE_COMPOUND   3 //  a member of a Dutch compound (last x0.8, first x0.6)
#define SEIN_RULE_OTHER_LANG 4 //  a rule of another language than the text's, for
                               //  words of 5 letters or more (x0.5)
#define SEIN_RULE_TOGETHER   5 //  "a + b" in one sentence (x1)
#define SEIN_RULE_ATTRIBUTE  6 //  a machine-event key (x1)

typedef struct {
    const char *target;  //  theme code or priority (borrowed from the rules)
    double weight;       //  rule weight times the factor of HOW
    const char *pattern; //  the rule as written (borrowed)
    int line;            //  its line in the rules file
    int group;           //  rules with the same target and stems share it
    int how;             //  SEIN_RULE_*
    bool negated;        //  inside a negation ("geen gevaar")
    bool dismissed;      //  ... that the sentence sets aside ("geen overlast meer")
    size_t token, ntokens; //  the words of the text; ntokens 0 for keys and "a + b"
    char detail[64];     //  for keys: "key=value" as found
} sein_rule_hit_t;

//  The hits of one text; lives on the caller's stack like sein_text_t.
#define SEIN_RULE_HITS_INLINE 48
typedef struct {
    sein_rule_hit_t *hits;
    size_t count;
    //  The language the hits were weighed in: the text's, or when its
    //  function words left it open, the one most matched rule words are
    //  in ("fietspad ligt vol scheuren": Dutch, so French "vol" is a
    //  foreign word). SEIN_LANG_NONE when that is open too.
    int lang;
    //  private
    size_t capacity;
    sein_rule_hit_t hits_inline[SEIN_RULE_HITS_INLINE];
} sein_rule_hits_t;

//  Is TARGET a valid value of the first column? Asked for every rule.
typedef bool (sein_rules_known_fn) (void *arg, const char *target);

//  Flags for sein_rules_new.
#define SEIN_RULES_WEIGHTED  1 //  a fourth column "weight" (-10..10, default 1)
#define SEIN_RULES_MODIFIERS 2 //  a rule word may also be a compound's first
                               //  member ("geluid" in "geluidsoverlast"); without,
                               //  only its last ("autobrand", not "brandnetel")

//  Load the rules file at PATH. Its header must be "COLUMN\tlang\tpattern"
//  followed by "\tweight" when SEIN_RULES_WEIGHTED (otherwise every weight
//  is 1). KNOWN vets the targets; LANG reads the rule words and STEMMER
//  stems them. None of the three is kept: once built, the rules are
//  read-only and any number of threads may match with them at once.
//  Returns NULL on failure and sets *error_p to a fresh "file:line:
//  message".
sein_rules_t *
    sein_rules_new (const char *path, const char *column, int flags,
                    sein_rules_known_fn *known, void *arg, const sein_lang_t *lang,
                    sein_stemmer_t *stemmer, char **error_p);

//  Destroy; idempotent, nulls the pointer.
void
    sein_rules_destroy (sein_rules_t **self_p);

//  Number of rules loaded.
size_t
    sein_rules_size (const sein_rules_t *self);

//  Match TEXT (its words stemmed with STEMMER, the calling thread's: the
//  only thing a match writes besides TEXT and HITS) and the machine-event
//  keys of the NATTRIBUTES ATTRIBUTES (may be NULL when 0) and of DESCRIPTION (the raw
//  text, for "key=value", may be NULL). Fills *hits (initialised here;
//  release with sein_rule_hits_release). When TEXT has no language, the
//  rule words settle one (hits->lang) and rules of the others count as
//  foreign, as they would in a text of that language.
void
    sein_rules_match (const sein_rules_t *self, sein_text_t *text,
                      sein_stemmer_t *stemmer, const sein_attribute_t *attributes,
                      size_t nattributes, const char *description,
                      sein_rule_hits_t *hits);

//  Free what the hits allocated; safe to call twice.
void
    sein_rule_hits_release (sein_rule_hits_t *hits);

#endif
