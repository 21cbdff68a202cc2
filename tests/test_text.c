// SPDX-License-Identifier: MPL-2.0
/*  test_text.c - folding, tokens, language, negation scope, compounds

    sein_text decides what the classifier can see at all, so these tests
    pin the cases the rules depend on: accents and ligatures fold away,
    boundaries stop a negation and a house number, "geen overlast meer,
    maar wel zwerfvuil" sets aside only the overlast, a question denies
    nothing, and compounds split into real members only.
*/
#include "sein_text.h"

#include <czmq.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

//  The shared function words and this thread's stemmer.
typedef struct {
    sein_lang_t *lang;
    sein_stemmer_t *stemmer;
} s_fixture_t;

static int
s_setup (void **state)
{
    s_fixture_t *fixture = (s_fixture_t *) zmalloc (sizeof *fixture);
    fixture->lang = sein_lang_new ();
    fixture->stemmer = sein_stemmer_new ();
    *state = fixture;
    return fixture->lang && fixture->stemmer ? 0 : -1;
}

static int
s_teardown (void **state)
{
    s_fixture_t *fixture = (s_fixture_t *) *state;
    sein_lang_destroy (&fixture->lang);
    sein_lang_destroy (&fixture->lang); //  idempotent
    sein_stemmer_destroy (&fixture->stemmer);
    sein_stemmer_destroy (&fixture->stemmer);
    free (fixture);
    return 0;
}

static char *
s_fold (const char *text)
{
    static char out[512];
    long len = sein_text_fold (text, strlen (text), out, sizeof out);
    assert_true (len >= 0);
    assert_int_equal ((size_t) len, strlen (out));
    return out;
}

static void
test_fold (void **state)
{
    (void) state;
    assert_string_equal (s_fold ("ÉPÉE Épée epee"), "epee epee epee");
    assert_string_equal (s_fold ("Straße"), "strasse");
    assert_string_equal (s_fold ("cœur Ærø"), "coeur aero");
    assert_string_equal (s_fold ("ﬁets"), "fiets"); //  ligature, compatibility
    assert_string_equal (s_fold ("they’re"), "they're"); //  curly apostrophe lumped
    assert_string_equal (s_fold ("a–b"), "a-b");          //  en dash lumped
    assert_string_equal (s_fold ("ĲZER"), "ijzer");
    assert_string_equal (s_fold ("dépôt clandestin"), "depot clandestin");
    assert_string_equal (s_fold ("10€ & 5°"), "10  & 5 "); //  symbols become spaces
    assert_string_equal (s_fold ("a\tb\x01" "c"), "a b c");
    //  An invalid byte becomes a space, the rest survives.
    assert_string_equal (s_fold ("ab\xff" "cd"), "ab cd");
    //  Too small a buffer is refused, not overrun.
    char tiny[4];
    assert_int_equal (sein_text_fold ("abcdef", 6, tiny, sizeof tiny), -1);
    assert_int_equal (sein_text_fold ("é", 2, tiny, 2), 1);
    assert_true (sein_text_fold_bound (3) >= 34);
}

static void
test_tokens (void **state)
{
    sein_lang_t *lang = ((s_fixture_t *) *state)->lang;
    sein_text_t text;
    const char *input = "Naamsestr. 10, Leuven. 's Nachts Prins-Regentplein - hoek?";
    sein_text_analyse (&text, lang, input, strlen (input));
    const char *words[] = {"naamsestr", "10", "leuven", "s", "nachts", "prins",
                           "regentplein", "hoek"};
    assert_int_equal (text.ntokens, 8);
    for (size_t index = 0; index < 8; index++)
        assert_string_equal (sein_text_word (&text, index), words[index]);
    const sein_token_t *t = text.tokens;
    assert_true (t[0].flags & SEIN_TOKEN_DOT);      //  "Naamsestr."
    assert_true (t[1].flags & SEIN_TOKEN_SENTENCE); //  ". " starts a sentence
    assert_true (t[1].flags & SEIN_TOKEN_NUMBER);
    assert_true (t[2].flags & SEIN_TOKEN_CLAUSE); //  after the comma
    assert_false (t[2].flags & SEIN_TOKEN_SENTENCE);
    assert_true (t[3].flags & SEIN_TOKEN_APOS); //  "'s"
    assert_int_equal (t[5].clause, t[6].clause); //  a hyphen inside a name
    assert_true (t[7].flags & SEIN_TOKEN_CLAUSE); //  " - " between words
    assert_true (t[7].flags & SEIN_TOKEN_QUESTION);
    assert_false (t[2].flags & SEIN_TOKEN_QUESTION);
    assert_int_equal (t[0].sentence, 0);
    assert_int_equal (t[7].sentence, 2);
    sein_text_release (&text);
    sein_text_release (&text); //  twice is fine

    //  Without a language model: tokens only, no function words.
    sein_text_analyse (&text, NULL, "de kat", 6);
    assert_int_equal (text.ntokens, 2);
    assert_false (text.tokens[0].flags & SEIN_TOKEN_FUNCTION);
    assert_int_equal (text.lang, SEIN_LANG_NONE);
    sein_text_release (&text);
}

static void
test_long_text (void **state)
{
    //  Beyond the inline buffers: tokens, folding and stems go to the heap.
    sein_lang_t *lang = ((s_fixture_t *) *state)->lang;
    sein_stemmer_t *stemmer = ((s_fixture_t *) *state)->stemmer;
    size_t size = 40000;
    char *input = (char *) malloc (size + 1);
    assert_non_null (input);
    for (size_t at = 0; at < size; at++)
        input[at] = "rattenplaag "[at % 12];
    input[size] = 0;
    sein_text_t text;
    sein_text_analyse (&text, lang, input, size);
    assert_int_equal (text.ntokens, size / 12 + (size % 12 != 0));
    for (size_t index = 0; index < text.ntokens; index += 97)
        assert_string_equal (sein_text_stem (&text, stemmer, index, SEIN_NL),
                             "rattenplag");
    sein_text_release (&text);
    free (input);
    //  A word longer than any word is skipped, not truncated.
    char junk[200];
    memset (junk, 'x', sizeof junk - 1);
    junk[sizeof junk - 1] = 0;
    char *mixed = zsys_sprintf ("ratten %s muizen", junk);
    sein_text_analyse (&text, lang, mixed, strlen (mixed));
    assert_int_equal (text.ntokens, 2);
    sein_text_release (&text);
    zstr_free (&mixed);
}

static void
test_language (void **state)
{
    sein_lang_t *lang = ((s_fixture_t *) *state)->lang;
    struct {
        const char *text;
        int lang;
    } cases[] = {
        {"ratten in de achtertuin, ze graven onder het terras door", SEIN_NL},
        {"Les pigeons ont envahi le grenier de l'immeuble", SEIN_FR},
        {"There's a wasps nest in the wall next to our front door", SEIN_EN},
        {"bin_fill=97% container 1123", SEIN_LANG_NONE},
        {"de la", SEIN_FR},  //  "de" votes nl and fr, "la" decides
        {"de", SEIN_LANG_NONE}, //  a tie decides nothing
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        sein_text_t text;
        sein_text_analyse (&text, lang, cases[index].text, strlen (cases[index].text));
        assert_int_equal (text.lang, cases[index].lang);
        sein_text_release (&text);
    }
    assert_string_equal (sein_lang_code (SEIN_FR), "fr");
    assert_string_equal (sein_lang_code (SEIN_LANG_NONE), "");
    assert_int_equal (sein_lang_from_code ("en"), SEIN_EN);
    assert_int_equal (sein_lang_from_code ("de"), SEIN_LANG_NONE);
}

static void
test_stem (void **state)
{
    sein_lang_t *lang = ((s_fixture_t *) *state)->lang;
    sein_stemmer_t *stemmer = ((s_fixture_t *) *state)->stemmer;
    sein_text_t text;
    const char *input = "ratten pigeons guêpes de";
    sein_text_analyse (&text, lang, input, strlen (input));
    assert_string_equal (sein_text_stem (&text, stemmer, 0, SEIN_NL), "rat");
    assert_string_equal (sein_text_stem (&text, stemmer, 1, SEIN_EN), "pigeon");
    assert_string_equal (sein_text_stem (&text, stemmer, 2, SEIN_FR), "guep");
    //  A function word is its own stem; a second call returns the kept one.
    assert_string_equal (sein_text_stem (&text, stemmer, 3, SEIN_NL), "de");
    const char *first = sein_text_stem (&text, stemmer, 0, SEIN_NL);
    assert_ptr_equal (sein_text_stem (&text, stemmer, 0, SEIN_NL), first);
    sein_text_release (&text);
    char out[8];
    assert_int_equal (sein_stemmer_stem (stemmer, SEIN_NL, "ratten", 6, out, sizeof out),
                      3);
    assert_int_equal (
        sein_stemmer_stem (stemmer, SEIN_NL, "verkeerslichten", 15, out, sizeof out),
        -1); //  does not fit
}

//  The flags of WORD (its first occurrence) in TEXT.
static int
s_flags (sein_lang_t *lang, const char *input, const char *word)
{
    sein_text_t text;
    sein_text_analyse (&text, lang, input, strlen (input));
    int flags = -1;
    for (size_t index = 0; index < text.ntokens && flags < 0; index++)
        if (strcmp (sein_text_word (&text, index), word) == 0)
            flags = text.tokens[index].flags;
    sein_text_release (&text);
    assert_true (flags >= 0);
    return flags;
}

#define NEG  SEIN_TOKEN_NEGATED
#define DISM SEIN_TOKEN_DISMISSED

static void
test_negation (void **state)
{
    sein_lang_t *lang = ((s_fixture_t *) *state)->lang;
    const char *text = "Geen overlast meer sinds het café gesloten is, maar nu wel zwerfvuil";
    assert_true ((s_flags (lang, text, "overlast") & (NEG | DISM)) == (NEG | DISM));
    assert_false (s_flags (lang, text, "zwerfvuil") & NEG); //  a clause later
    assert_true (s_flags (lang, text, "geen") & SEIN_TOKEN_CUE);
    //  A complaint about an absence: negated, not set aside.
    text = "geen verlichting in de straat sinds 3 dagen";
    assert_true (s_flags (lang, text, "verlichting") & NEG);
    assert_false (s_flags (lang, text, "verlichting") & DISM);
    //  A contrast sets it aside even without "meer".
    text = "Er is geen probleem met lawaai, wel met de vele ratten";
    assert_true (s_flags (lang, text, "lawaai") & DISM);
    assert_false (s_flags (lang, text, "ratten") & NEG);
    //  A question denies nothing.
    assert_false (s_flags (lang, "Is dat niet gevaarlijk?", "gevaarlijk") & NEG);
    //  The scope ends after six words.
    text = "niet een twee drie vier vijf zes zeven";
    assert_true (s_flags (lang, text, "zes") & NEG);
    assert_false (s_flags (lang, text, "zeven") & NEG);
    //  French: "pas", "ne ... plus", and "Plus de X" opening a clause.
    text = "Plus de bruit depuis que le bar a fermé, mais la rue est sale";
    assert_true (s_flags (lang, text, "bruit") & DISM);
    assert_false (s_flags (lang, text, "sale") & NEG);
    text = "il y a plus de voitures dans la rue et plus de bruit";
    assert_false (s_flags (lang, text, "voitures") & NEG); //  "plus" = more here
    assert_true (s_flags (lang, "On n'arrive plus à dormir la nuit", "dormir") & NEG);
    //  Dutch "pas" (only just) is no negation.
    assert_false (s_flags (lang, "het gras is pas gemaaid in de wijk", "gemaaid") & NEG);
    //  English: "don't" folds to don + t; "no one" is a subject; "no more".
    assert_true (s_flags (lang, "they don't empty the bins in the street", "empty") & NEG);
    assert_false (s_flags (lang, "no one mows the grass in the park", "mows") & NEG);
    text = "no more noise from the site, but the road is full of potholes";
    assert_true (s_flags (lang, text, "noise") & DISM);
    assert_false (s_flags (lang, text, "potholes") & NEG);
}

//  A denial of what the problem is sets its words aside; what the sentence
//  says instead counts in full.
static void
test_negation_contrast (void **state)
{
    sein_lang_t *lang = ((s_fixture_t *) *state)->lang;
    //  Restated with "het is", "ce sont", "it's" after a comma
    const char *text = "Het is geen sluikstort, het is een gat in de weg";
    assert_true ((s_flags (lang, text, "sluikstort") & (NEG | DISM)) == (NEG | DISM));
    assert_false (s_flags (lang, text, "gat") & NEG);
    text = "Ce n'est pas le bruit, ce sont les déchets";
    assert_true (s_flags (lang, text, "bruit") & DISM);
    assert_false (s_flags (lang, text, "dechets") & NEG);
    text = "It's not the noise, it's the rubbish";
    assert_true (s_flags (lang, text, "noise") & DISM);
    assert_false (s_flags (lang, text, "rubbish") & NEG);
    text = "This isn't about rubbish: somebody is stealing the bins";
    assert_true (s_flags (lang, text, "rubbish") & DISM);
    assert_false (s_flags (lang, text, "stealing") & NEG);
    text = "c'est pas les chiens, c'est le chat du voisin";
    assert_true (s_flags (lang, text, "chiens") & DISM);
    //  With no comma, the restating clause ends the scope.
    text = "het is geen sluikstort het is een gat in de stoep";
    assert_true (s_flags (lang, text, "sluikstort") & DISM);
    assert_false (s_flags (lang, text, "gat") & NEG);
    //  A denial followed by any clause of its sentence; the next sentence
    //  only when it restates.
    text = "Het is geen burenruzie, mijn verhuurder weigert de verwarming te herstellen";
    assert_true (s_flags (lang, text, "burenruzie") & DISM);
    assert_false (s_flags (lang, text, "verwarming") & NEG);
    assert_true (s_flags (lang, "Het is geen sluikstort. Het is een put.", "sluikstort") &
                 DISM);
    assert_false (s_flags (lang, "Het is geen sluikstort. Er ligt afval.", "sluikstort") &
                  DISM);
    //  A contrast word, and a definite noun restated.
    text = "niet de honden maar de katten";
    assert_true (s_flags (lang, text, "honden") & DISM);
    assert_false (s_flags (lang, text, "katten") & NEG);
    text = "niet de honden, het zijn de katten van de buren";
    assert_true (s_flags (lang, text, "honden") & DISM);
    assert_false (s_flags (lang, text, "katten") & NEG);
    //  An absence stays a complaint: "er is geen" denies nothing's identity,
    //  and "het is" after it describes, it does not restate.
    text = "Er is geen verlichting, het is er pikdonker";
    assert_true (s_flags (lang, text, "verlichting") & NEG);
    assert_false (s_flags (lang, text, "verlichting") & DISM);
    text = "there is no lighting, it's pitch dark at night";
    assert_false (s_flags (lang, text, "lighting") & DISM);
    //  "wat het is" inside a clause is no new clause.
    text = "ik weet niet wat het is dat daar stinkt";
    assert_true (s_flags (lang, text, "stinkt") & NEG);
    assert_false (s_flags (lang, text, "stinkt") & DISM);
    //  A denial that ends the text sets nothing aside.
    assert_false (s_flags (lang, "Dit is geen grap", "grap") & DISM);
}

//  A word of the lexicon; one written ">word" is known as a first member
//  only (the form a verb takes there).
static bool
s_known (void *arg, const char *part, size_t len, bool first)
{
    const char **words = (const char **) arg;
    for (; *words; words++) {
        const char *word = *words;
        if (*word == '>') {
            if (!first)
                continue;
            word++;
        }
        if (strlen (word) == len && memcmp (word, part, len) == 0)
            return true;
    }
    return false;
}

static void
test_compound (void **state)
{
    (void) state;
    const char *lexicon[] = {"overlast", "geluid", "zwerfvuil", "hond", "lamp", "afval",
                             "tuin", "licht", "verkeer", "park", "rijd", "struik",
                             ">struikel", NULL};
    sein_compound_t split;
    const char *word = "geluidsoverlast";
    assert_true (sein_text_compound (word, strlen (word), s_known, lexicon, &split));
    assert_int_equal (split.head_start, 7); //  "overlast"
    assert_int_equal (split.head_len, 8);
    assert_int_equal (split.modifier_len, 7); //  "geluids", known as "geluid"
    assert_int_equal (split.modifier_match_len, 6);

    word = "zwerfvuilactie"; //  no known head: a modifier with room after it
    assert_true (sein_text_compound (word, strlen (word), s_known, lexicon, &split));
    assert_int_equal (split.head_len, 0);
    assert_int_equal (split.modifier_match_len, 9);

    word = "verkeerslichten"; //  the longest head wins: lichten is unknown, licht
    assert_true (sein_text_compound (word, strlen (word), s_known, lexicon, &split));
    assert_int_equal (split.modifier_match_len, 7); //  "verkeer" + link s

    word = "straatlamp";
    assert_true (sein_text_compound (word, strlen (word), s_known, lexicon, &split));
    assert_int_equal (split.head_start, 6);

    //  Prefixes that are words by accident are not members.
    word = "honderden";
    assert_false (sein_text_compound (word, strlen (word), s_known, lexicon, &split));
    word = "parkeerprobleem";
    assert_false (sein_text_compound (word, strlen (word), s_known, lexicon, &split));
    //  A modifier must reach the head when there is one: "tuin" (4 letters)
    //  is too short to count in "tuinafval", the head does.
    word = "tuinafval";
    assert_true (sein_text_compound (word, strlen (word), s_known, lexicon, &split));
    assert_int_equal (split.head_start, 4);
    assert_int_equal (split.modifier_len, 0);
    //  The longest first member wins: "struikel(en)", not "struik".
    word = "struikelgevaar";
    assert_true (sein_text_compound (word, strlen (word), s_known, lexicon, &split));
    assert_int_equal (split.modifier_match_len, 8);
    word = "struikgewas";
    assert_true (sein_text_compound (word, strlen (word), s_known, lexicon, &split));
    assert_int_equal (split.modifier_match_len, 6);
    //  A verb's first-member form is no last member.
    word = "omstruikel";
    assert_false (sein_text_compound (word, strlen (word), s_known, lexicon, &split));
    //  The whole word is never its own member.
    word = "overlast";
    assert_false (sein_text_compound (word, strlen (word), s_known, lexicon, &split));
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_fold),
        cmocka_unit_test (test_tokens),
        cmocka_unit_test (test_long_text),
        cmocka_unit_test (test_language),
        cmocka_unit_test (test_stem),
        cmocka_unit_test (test_negation),
        cmocka_unit_test (test_negation_contrast),
        cmocka_unit_test (test_compound),
    };
    return cmocka_run_group_tests (tests, s_setup, s_teardown);
}
