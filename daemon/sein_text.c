// SPDX-License-Identifier: MPL-2.0
/*  sein_text.c - fold, tokenise, language, negation and compounds

    Everything here works on folded text (see sein_text.h), which after
    folding holds only lowercase ASCII letters and digits, letters of other
    scripts as UTF-8, ASCII punctuation and spaces. That keeps tokenising a
    byte loop and lets the classifier compare words with strcmp.

    The function-word table does three jobs at once: it votes for a language
    (so one stemmer runs instead of three), it spares stemming words that
    never carry a theme, and it names the negation cues and the words that
    end their scope ("geen overlast meer, maar wel zwerfvuil").
*/
#include "sein_text.h"
#include "sein_alloc.h"
#include "sein_dict.h"

#include <assert.h>
#include <czmq.h>
#include <libstemmer.h>
#include <utf8proc.h>

//  Function-word flags (values in the table below).
#define S_NL       0x0001 //  votes Dutch
#define S_FR       0x0002 //  votes French
#define S_EN       0x0004 //  votes English
#define S_CUE_NL   0x0010 //  negation cue in Dutch text
#define S_CUE_FR   0x0020 //  negation cue in French text
#define S_CUE_EN   0x0040 //  negation cue in English text
#define S_NE       0x0080 //  French "ne": makes a later "plus" a cue
#define S_NE_PLUS  0x0100 //  French "plus": a cue only after "ne"
#define S_CONTRAST 0x0200 //  ends a negation's scope ("maar", "but")
#define S_NOUN_CUE 0x0400 //  negates a thing ("geen", "no"), not an action
#define S_MORE     0x0800 //  "meer", "more", "longer", "anymore": "no more X"
#define S_CLAUSE_CONTRAST 0x1000 //  a contrast only opening a clause (", wel")
#define S_SUBJECT  0x2000 //  a dummy subject: "het", "c'", "it" in "het is", "c'est", "it's"
#define S_COPULA   0x4000 //  "is", "est", "'s" after such a subject

//  Words of at most this many tokens after a cue are negated.
#define S_SCOPE_MAX 6

typedef struct {
    const char *word;
    int flags;
} s_function_word_t;

//  Kept short on purpose: frequent words that carry no theme. Words that
//  exist in two languages vote for both.
static const s_function_word_t s_function_words[] = {
    //  Dutch
    {"de", S_NL | S_FR}, {"het", S_NL | S_SUBJECT}, {"een", S_NL}, {"en", S_NL | S_FR},
    {"van", S_NL}, {"in", S_NL | S_EN}, {"is", S_NL | S_EN | S_COPULA}, {"op", S_NL},
    {"dat", S_NL | S_SUBJECT}, {"die", S_NL}, {"te", S_NL}, {"met", S_NL}, {"voor", S_NL},
    {"er", S_NL}, {"zijn", S_NL | S_COPULA}, {"aan", S_NL}, {"ook", S_NL}, {"als", S_NL},
    {"om", S_NL}, {"naar", S_NL}, {"bij", S_NL}, {"nog", S_NL}, {"al", S_NL},
    {"ze", S_NL}, {"hij", S_NL}, {"zij", S_NL}, {"we", S_NL | S_EN}, {"wij", S_NL},
    {"ik", S_NL}, {"je", S_NL | S_FR}, {"jij", S_NL}, {"mijn", S_NL}, {"ons", S_NL},
    {"onze", S_NL}, {"hier", S_NL}, {"daar", S_NL}, {"tot", S_NL}, {"uit", S_NL},
    {"dan", S_NL}, {"wordt", S_NL}, {"worden", S_NL}, {"werd", S_NL}, {"heeft", S_NL},
    {"hebben", S_NL}, {"heb", S_NL}, {"waren", S_NL | S_COPULA}, {"wat", S_NL}, {"wie", S_NL},
    {"waar", S_NL}, {"hoe", S_NL}, {"deze", S_NL}, {"dit", S_NL | S_SUBJECT}, {"dus", S_NL},
    {"of", S_NL | S_EN}, {"want", S_NL}, {"omdat", S_NL}, {"sinds", S_NL},
    {"elke", S_NL}, {"iedere", S_NL}, {"alle", S_NL}, {"veel", S_NL}, {"meer", S_NL | S_MORE},
    {"zo", S_NL}, {"heel", S_NL}, {"erg", S_NL}, {"weer", S_NL}, {"nu", S_NL},
    {"toen", S_NL}, {"kan", S_NL}, {"kunnen", S_NL}, {"moet", S_NL}, {"moeten", S_NL},
    {"wil", S_NL}, {"willen", S_NL}, {"zal", S_NL}, {"zou", S_NL}, {"hun", S_NL},
    {"haar", S_NL}, {"hem", S_NL}, {"zich", S_NL}, {"men", S_NL}, {"iets", S_NL},
    {"iemand", S_NL}, {"steeds", S_NL}, {"altijd", S_NL}, {"soms", S_NL},
    {"vaak", S_NL}, {"echt", S_NL}, {"gewoon", S_NL}, {"graag", S_NL},
    {"aub", S_NL}, {"onder", S_NL}, {"tegen", S_NL}, {"zonder", S_NL},
    {"tussen", S_NL}, {"ben", S_NL}, {"bent", S_NL}, {"hebt", S_NL}, {"mij", S_NL},
    {"me", S_NL | S_FR | S_EN}, {"jullie", S_NL}, {"wel", S_NL | S_CLAUSE_CONTRAST},
    {"maar", S_NL | S_CONTRAST}, {"toch", S_NL},
    {"echter", S_NL | S_CONTRAST}, {"doch", S_NL | S_CONTRAST},
    {"geen", S_NL | S_CUE_NL | S_NOUN_CUE}, {"niet", S_NL | S_CUE_NL}, {"nooit", S_NL | S_CUE_NL},
    {"niets", S_NL | S_CUE_NL | S_NOUN_CUE}, {"niks", S_NL | S_CUE_NL | S_NOUN_CUE}, {"noch", S_NL | S_CUE_NL},
    //  French
    {"le", S_FR}, {"la", S_FR}, {"les", S_FR}, {"l", S_FR}, {"un", S_FR},
    {"une", S_FR}, {"des", S_FR}, {"du", S_FR}, {"d", S_FR}, {"et", S_FR},
    {"est", S_FR | S_COPULA}, {"sont", S_FR | S_COPULA}, {"a", S_FR | S_EN}, {"ont", S_FR}, {"il", S_FR},
    {"elle", S_FR}, {"ils", S_FR}, {"elles", S_FR}, {"on", S_FR | S_EN},
    {"nous", S_FR}, {"vous", S_FR}, {"j", S_FR}, {"m", S_FR}, {"se", S_FR},
    {"ce", S_FR | S_SUBJECT}, {"c", S_FR | S_SUBJECT}, {"cette", S_FR}, {"ces", S_FR}, {"qui", S_FR},
    {"que", S_FR}, {"qu", S_FR}, {"dans", S_FR}, {"pour", S_FR}, {"sur", S_FR},
    {"au", S_FR}, {"aux", S_FR}, {"avec", S_FR}, {"par", S_FR}, {"ou", S_FR},
    {"y", S_FR}, {"leur", S_FR}, {"leurs", S_FR}, {"son", S_FR}, {"sa", S_FR},
    {"ses", S_FR}, {"mon", S_FR}, {"ma", S_FR}, {"mes", S_FR}, {"notre", S_FR},
    {"nos", S_FR}, {"votre", S_FR}, {"tres", S_FR}, {"tout", S_FR}, {"tous", S_FR},
    {"toute", S_FR}, {"toutes", S_FR}, {"depuis", S_FR}, {"chaque", S_FR},
    {"quand", S_FR}, {"comme", S_FR}, {"aussi", S_FR}, {"encore", S_FR},
    {"etre", S_FR}, {"avoir", S_FR}, {"ete", S_FR}, {"etait", S_FR | S_COPULA}, {"fait", S_FR},
    {"ca", S_FR | S_SUBJECT}, {"cela", S_FR | S_SUBJECT}, {"moi", S_FR}, {"nuit", S_FR}, {"devant", S_FR},
    {"mais", S_FR | S_CONTRAST}, {"cependant", S_FR | S_CONTRAST},
    {"pourtant", S_FR | S_CONTRAST},
    {"ne", S_FR | S_NE}, {"n", S_FR | S_NE}, {"pas", S_FR | S_CUE_FR},
    {"jamais", S_FR | S_CUE_FR}, {"aucun", S_FR | S_CUE_FR | S_NOUN_CUE},
    {"aucune", S_FR | S_CUE_FR | S_NOUN_CUE}, {"rien", S_FR | S_CUE_FR | S_NOUN_CUE}, {"ni", S_FR | S_CUE_FR},
    {"plus", S_FR | S_NE_PLUS},
    //  English
    {"the", S_EN}, {"an", S_EN}, {"and", S_EN}, {"to", S_EN}, {"are", S_EN | S_COPULA},
    {"was", S_EN | S_NL | S_COPULA}, {"were", S_EN | S_COPULA}, {"be", S_EN}, {"been", S_EN}, {"it", S_EN | S_SUBJECT},
    {"its", S_EN}, {"this", S_EN | S_SUBJECT}, {"that", S_EN | S_SUBJECT}, {"these", S_EN}, {"those", S_EN},
    {"for", S_EN}, {"with", S_EN}, {"my", S_EN}, {"our", S_EN}, {"i", S_EN},
    {"you", S_EN}, {"he", S_EN}, {"she", S_EN}, {"they", S_EN}, {"them", S_EN},
    {"their", S_EN}, {"there", S_EN}, {"here", S_EN}, {"have", S_EN}, {"has", S_EN},
    {"had", S_EN | S_NL}, {"at", S_EN}, {"by", S_EN}, {"from", S_EN}, {"do", S_EN},
    {"does", S_EN}, {"did", S_EN}, {"so", S_EN}, {"as", S_EN}, {"if", S_EN},
    {"when", S_EN}, {"which", S_EN}, {"who", S_EN}, {"what", S_EN}, {"can", S_EN},
    {"could", S_EN}, {"would", S_EN}, {"should", S_EN}, {"will", S_EN},
    {"just", S_EN}, {"very", S_EN}, {"also", S_EN}, {"all", S_EN}, {"every", S_EN},
    {"some", S_EN}, {"any", S_EN}, {"than", S_EN}, {"then", S_EN}, {"into", S_EN},
    {"about", S_EN}, {"after", S_EN}, {"again", S_EN}, {"our", S_EN}, {"us", S_EN},
    {"your", S_EN}, {"his", S_EN}, {"her", S_EN}, {"s", S_EN | S_COPULA}, {"re", S_EN},
    {"ve", S_EN}, {"ll", S_EN}, {"m", S_EN | S_FR}, {"please", S_EN}, {"since", S_EN},
    {"but", S_EN | S_CONTRAST}, {"however", S_EN | S_CONTRAST},
    {"instead", S_EN | S_CONTRAST},
    {"not", S_EN | S_CUE_EN}, {"no", S_EN | S_CUE_EN | S_NOUN_CUE}, {"never", S_EN | S_CUE_EN},
    {"nothing", S_EN | S_CUE_EN | S_NOUN_CUE}, {"none", S_EN | S_CUE_EN | S_NOUN_CUE}, {"nor", S_EN | S_CUE_EN},
    {"cannot", S_EN | S_CUE_EN}, {"cant", S_EN | S_CUE_EN}, {"dont", S_EN | S_CUE_EN},
    {"doesnt", S_EN | S_CUE_EN}, {"didnt", S_EN | S_CUE_EN},
    {"isnt", S_EN | S_CUE_EN | S_COPULA}, {"wasnt", S_EN | S_CUE_EN | S_COPULA},
    {"arent", S_EN | S_CUE_EN | S_COPULA}, {"wont", S_EN | S_CUE_EN},
    {"havent", S_EN | S_CUE_EN}, {"hasnt", S_EN | S_CUE_EN},
    {"more", S_EN | S_MORE}, {"longer", S_EN | S_MORE}, {"anymore", S_EN | S_MORE},
    //  Flemish "'t is": votes for no language, a bare "t" is too often
    //  the end of "n't"
    {"t", S_SUBJECT},
};

//  Snowball's Dutch stemmer costs about 2,500 instructions a word, more
//  than everything else a classification does with that word, and
//  residents use the same few thousand words over and over. So stems are
//  kept in a cache: sets of two slots chosen by the word's hash and
//  language, the word used last first, a new word replacing the other.
//  (One slot per set lost a fifth of the dev set's words to collisions.)
//  Slots hold words of at most S_CACHE_WORD bytes, nearly all of them.
#define S_CACHE_SETS 2048 //  a power of two; 2 x 64 bytes each, 256 KB
#define S_CACHE_WORD 28

typedef struct {
    uint32_t hash;     //  sein_dict_hash of the word; 0 for an empty slot
    uint8_t lang, len, stem_len;
    char word[S_CACHE_WORD];
    char stem[S_CACHE_WORD + 1]; //  NUL-terminated
} s_cached_stem_t;

//  Read-only once built: any number of threads may analyse with it.
struct _sein_lang_t {
    sein_dict_t *words; //  folded word -> flags
};

//  Written by every stem: one per thread.
struct _sein_stemmer_t {
    struct sb_stemmer *stemmers[SEIN_LANGS];
    s_cached_stem_t *cache; //  S_CACHE_SETS x 2 recent stems
};

static const char *s_codes[SEIN_LANGS] = {"nl", "fr", "en"};
static const char *s_algorithms[SEIN_LANGS] = {"dutch", "french", "english"};

sein_lang_t *
sein_lang_new (void)
{
    sein_lang_t *self = (sein_lang_t *) zmalloc (sizeof *self);
    self->words = sein_dict_new ();
    size_t count = sizeof s_function_words / sizeof s_function_words[0];
    for (size_t index = 0; index < count; index++) {
        const s_function_word_t *entry = &s_function_words[index];
        size_t len = strlen (entry->word);
        uint32_t flags = sein_dict_get (self->words, entry->word, len);
        flags = (flags == SEIN_DICT_NONE ? 0 : flags) | (uint32_t) entry->flags;
        sein_dict_set (self->words, entry->word, len, flags);
    }
    return self;
}

void
sein_lang_destroy (sein_lang_t **self_p)
{
    assert (self_p);
    sein_lang_t *self = *self_p;
    if (self) {
        sein_dict_destroy (&self->words);
        free (self);
        *self_p = NULL;
    }
}

sein_stemmer_t *
sein_stemmer_new (void)
{
    sein_stemmer_t *self = (sein_stemmer_t *) zmalloc (sizeof *self);
    bool ok = true;
    for (int lang = 0; lang < SEIN_LANGS; lang++) {
        self->stemmers[lang] = sb_stemmer_new (s_algorithms[lang], NULL);
        ok &= self->stemmers[lang] != NULL;
    }
    self->cache =
        (s_cached_stem_t *) sein_calloc (S_CACHE_SETS * 2, sizeof (s_cached_stem_t));
    if (!ok)
        sein_stemmer_destroy (&self);
    return self;
}

void
sein_stemmer_destroy (sein_stemmer_t **self_p)
{
    assert (self_p);
    sein_stemmer_t *self = *self_p;
    if (self) {
        for (int lang = 0; lang < SEIN_LANGS; lang++)
            sb_stemmer_delete (self->stemmers[lang]);
        free (self->cache);
        free (self);
        *self_p = NULL;
    }
}

const char *
sein_lang_code (int lang)
{
    return lang >= 0 && lang < SEIN_LANGS ? s_codes[lang] : "";
}

int
sein_lang_from_code (const char *code)
{
    for (int lang = 0; code && lang < SEIN_LANGS; lang++)
        if (strcmp (code, s_codes[lang]) == 0)
            return lang;
    return SEIN_LANG_NONE;
}

//  sein_stemmer_stem for a WORD whose sein_dict_hash is HASH.
static int
s_stem (sein_stemmer_t *self, int lang, const char *word, size_t len, uint32_t hash,
        char *out, size_t capacity)
{
    s_cached_stem_t *set = NULL;
    if (len <= S_CACHE_WORD) {
        uint32_t index = (hash ^ (uint32_t) lang * 0x9e3779b9u) & (S_CACHE_SETS - 1);
        set = &self->cache[index * 2];
        for (int way = 0; way < 2; way++) {
            s_cached_stem_t *slot = &set[way];
            if (slot->hash != hash || slot->lang != lang || slot->len != len ||
                memcmp (slot->word, word, len) != 0)
                continue;
            if ((size_t) slot->stem_len + 1 > capacity)
                return -1;
            memcpy (out, slot->stem, (size_t) slot->stem_len + 1);
            if (way) {
                //  Used last: it goes first
                s_cached_stem_t used = set[1];
                set[1] = set[0];
                set[0] = used;
            }
            return (int) set[0].stem_len;
        }
    }
    const sb_symbol *stem =
        sb_stemmer_stem (self->stemmers[lang], (const sb_symbol *) word, (int) len);
    //  libstemmer allocates with malloc, out of sein_alloc's sight, and
    //  returns NULL only when that fails: the same policy applies.
    if (!stem)
        sein_abort ("libstemmer: out of memory");
    int stem_len = sb_stemmer_length (self->stemmers[lang]);
    if (stem_len < 0 || (size_t) stem_len + 1 > capacity)
        return -1;
    memcpy (out, stem, (size_t) stem_len);
    out[stem_len] = 0;
    if (set && stem_len <= S_CACHE_WORD) {
        //  The word used longer ago gives way
        set[1] = set[0];
        s_cached_stem_t *slot = &set[0];
        slot->hash = hash;
        slot->lang = (uint8_t) lang;
        slot->len = (uint8_t) len;
        slot->stem_len = (uint8_t) stem_len;
        memcpy (slot->word, word, len);
        memcpy (slot->stem, out, (size_t) stem_len + 1);
    }
    return stem_len;
}

int
sein_stemmer_stem (sein_stemmer_t *self, int lang, const char *word, size_t len,
                   char *out, size_t capacity)
{
    assert (self);
    assert (lang >= 0 && lang < SEIN_LANGS);
    return s_stem (self, lang, word, len, sein_dict_hash (word, len), out, capacity);
}

//  --------------------------------------------------------------------------
//  Folding

//  Letters utf8proc leaves alone but readers treat as plain Latin letters.
static const char *
s_latin_fallback (utf8proc_int32_t codepoint)
{
    switch (codepoint) {
    case 0x0153: return "oe"; //  œ
    case 0x00E6: return "ae"; //  æ
    case 0x00F8: return "o";  //  ø
    case 0x0142: return "l";  //  ł
    case 0x0111: return "d";  //  đ
    case 0x0131: return "i";  //  dotless i
    case 0x00F0: return "d";  //  ð
    case 0x00FE: return "th"; //  þ
    default: return NULL;
    }
}

//  How ASCII folds: capitals to lowercase, control characters (but the
//  newline, which ends a sentence) and DEL to spaces.
static const unsigned char s_ascii_fold[128] = {
    ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', '\n', ' ', ' ', ' ', ' ', ' ',
    ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ',  ' ', ' ', ' ', ' ', ' ',
    ' ', '!', '"', '#', '$', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/',
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
    '@', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', '[', '\\', ']', '^', '_',
    '`', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', '{', '|', '}', '~', ' '};

size_t
sein_text_fold_bound (size_t size)
{
    //  The longest compatibility decomposition (U+FDFA) turns 3 bytes into
    //  33; 12 times the input always suffices.
    return 12 * size + 1;
}

long
sein_text_fold (const char *text, size_t size, char *out, size_t capacity)
{
    assert (text || size == 0);
    assert (out && capacity > 0);
    const utf8proc_option_t options = UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT |
                                      UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK |
                                      UTF8PROC_LUMP | UTF8PROC_IGNORE;
    size_t used = 0;
    size_t offset = 0;
    while (offset < size) {
        if ((unsigned char) text[offset] < 0x80) {
            //  ASCII fast path, most of every signal: a run of it through
            //  the table, as far as OUT has room (one byte stays for the NUL).
            size_t room = capacity - 1 - used;
            size_t stop = size - offset < room ? size : offset + room;
            //  Eight bytes at a time while none is beyond ASCII, a control
            //  character or DEL: then folding is adding 0x20 to capitals.
            const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
            while (stop - offset >= 8) {
                uint64_t word;
                memcpy (&word, text + offset, 8);
                uint64_t del = word ^ (ones * 0x7f);
                if ((word & highs) || ((word - ones * 0x20) & ~word & highs) ||
                    ((del - ones) & ~del & highs))
                    break;
                uint64_t capitals =
                    (word + ones * (0x80 - 'A')) & ~(word + ones * (0x80 - 'Z' - 1));
                word |= (capitals & highs) >> 2; //  0x80 of a capital becomes its 0x20
                memcpy (out + used, &word, 8);
                used += 8;
                offset += 8;
            }
            unsigned char byte;
            while (offset < stop && (byte = (unsigned char) text[offset]) < 0x80) {
                out[used++] = (char) s_ascii_fold[byte];
                offset++;
            }
            if (offset < size && (unsigned char) text[offset] < 0x80)
                return -1;
            continue;
        }
        utf8proc_int32_t codepoint;
        utf8proc_ssize_t length = utf8proc_iterate ((const utf8proc_uint8_t *) text + offset,
                                                    (utf8proc_ssize_t) (size - offset),
                                                    &codepoint);
        if (length < 0) {
            if (used + 2 > capacity)
                return -1;
            out[used++] = ' ';
            offset++;
            continue;
        }
        offset += (size_t) length;
        utf8proc_int32_t decomposed[32];
        int boundclass = 0;
        utf8proc_ssize_t count =
            utf8proc_decompose_char (codepoint, decomposed, 32, options, &boundclass);
        if (count < 0 || count > 32)
            count = 0;
        for (utf8proc_ssize_t index = 0; index < count; index++) {
            utf8proc_int32_t part = decomposed[index];
            char encoded[8];
            const char *emit = encoded;
            size_t emit_len;
            if (part < 0x80) {
                encoded[0] = part < 0x20 ? ' ' : (char) part;
                emit_len = 1;
            } else if ((emit = s_latin_fallback (part)))
                emit_len = strlen (emit);
            else {
                utf8proc_category_t category = utf8proc_category (part);
                bool word = category >= UTF8PROC_CATEGORY_LU &&
                            category <= UTF8PROC_CATEGORY_NO &&
                            category != UTF8PROC_CATEGORY_MN &&
                            category != UTF8PROC_CATEGORY_MC &&
                            category != UTF8PROC_CATEGORY_ME;
                emit = encoded;
                if (word)
                    emit_len = (size_t) utf8proc_encode_char (part,
                                                              (utf8proc_uint8_t *) encoded);
                else {
                    encoded[0] = ' ';
                    emit_len = 1;
                }
            }
            if (used + emit_len + 1 > capacity)
                return -1;
            memcpy (out + used, emit, emit_len);
            used += emit_len;
        }
    }
    out[used] = 0;
    return (long) used;
}

//  --------------------------------------------------------------------------
//  Analysis

//  Bytes of words in folded text: lowercase letters, digits, and UTF-8.
//  A table, as this is asked for every byte of every text.
static const uint8_t s_word_bytes[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  //  0x00
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  //  0x10
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  //  0x20
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,  //  0x30
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  //  0x40
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  //  0x50
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  //  0x60
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,  //  0x70
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  //  0x80
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  //  0x90
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  //  0xA0
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  //  0xB0
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  //  0xC0
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  //  0xD0
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  //  0xE0
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  //  0xF0
};

static inline bool
s_word_byte (unsigned char c)
{
    return s_word_bytes[c];
}

static void
s_grow_tokens (sein_text_t *self)
{
    size_t capacity = self->tokens_capacity * 2;
    sein_token_t *tokens;
    if (self->tokens == self->tokens_inline) {
        tokens = (sein_token_t *) sein_malloc (capacity * sizeof *tokens);
        memcpy (tokens, self->tokens, self->ntokens * sizeof *tokens);
    } else
        tokens = (sein_token_t *) sein_realloc (self->tokens, capacity * sizeof *tokens);
    self->tokens = tokens;
    self->tokens_capacity = capacity;
}

//  What a separator byte C means, with NEXT the byte after it and SPACED
//  whether a space came before it.
static inline void
s_separator (char c, char next, bool spaced_before, bool *new_sentence, bool *new_clause,
             bool *question)
{
    if (c == ' ')
        return; //  by far the most common, and it means nothing by itself
    bool spaced_after = next == 0 || next == ' ' || next == '\n' || next == '"';
    if (c == '?' || c == '!' || c == '\n' || (c == '.' && spaced_after)) {
        *new_sentence = *new_clause = true;
        *question |= c == '?';
    } else if (c != 0 && strchr (",;:/()[]&+|\"", c))
        *new_clause = true;
    else if (c == '-' && spaced_before && spaced_after)
        *new_clause = true; //  a dash between words, not "Prins-Regent"
}

//  Cut the folded text into tokens, NUL-terminating each in place. What
//  lies between two words decides sentence and clause boundaries; the
//  byte right after a word is read before its NUL overwrites it.
static void
s_tokenise (sein_text_t *self)
{
    char *text = self->folded;
    size_t size = self->size;
    size_t cursor = 0;
    uint16_t sentence = 0, clause = 0;
    size_t sentence_first = 0; //  first token of the current sentence
    bool new_sentence = true, new_clause = true, question = false;
    char last_separator = 0; //  the byte before the current one, even if overwritten
    while (cursor <= size) {
        size_t run = cursor;
        for (; run < size && !s_word_byte ((unsigned char) text[run]); run++) {
            s_separator (text[run], text[run + 1], last_separator == ' ', &new_sentence,
                         &new_clause, &question);
            last_separator = text[run];
        }
        if (question)
            for (size_t index = sentence_first; index < self->ntokens; index++)
                self->tokens[index].flags |= SEIN_TOKEN_QUESTION;
        question = false;
        if (run >= size)
            break;
        //  The word's hash is taken while reading it: the rules and the
        //  function words look every token up by it.
        size_t end = run;
        uint32_t hash = SEIN_DICT_HASH_START;
        while (s_word_byte ((unsigned char) text[end])) { //  text[size] is its NUL
            hash = sein_dict_hash_step (hash, (unsigned char) text[end]);
            end++;
        }
        if (end - run <= 64) { //  no word is longer: a URL, a hash, a key dump
            if (self->ntokens == self->tokens_capacity)
                s_grow_tokens (self);
            if (new_sentence && self->ntokens > 0) {
                sentence_first = self->ntokens;
                if (sentence < UINT16_MAX)
                    sentence++;
            }
            if ((new_sentence || new_clause) && self->ntokens > 0 && clause < UINT16_MAX)
                clause++;
            sein_token_t *token = &self->tokens[self->ntokens++];
            token->start = (uint32_t) run;
            token->len = (uint16_t) (end - run);
            token->flags = 0;
            if (text[run] >= '0' && text[run] <= '9')
                token->flags |= SEIN_TOKEN_NUMBER;
            if (new_sentence)
                token->flags |= SEIN_TOKEN_SENTENCE;
            if (new_sentence || new_clause)
                token->flags |= SEIN_TOKEN_CLAUSE;
            if (last_separator == '\'' && run > 0)
                token->flags |= SEIN_TOKEN_APOS;
            if (end < size && text[end] == '.')
                token->flags |= SEIN_TOKEN_DOT;
            token->sentence = sentence;
            token->clause = clause;
            token->hash = sein_dict_hash_end (hash);
            token->stem[0] = token->stem[1] = token->stem[2] = -1;
            new_sentence = new_clause = false;
        }
        last_separator = 0;
        if (end < size) {
            //  The separator glued to the word, about to become its NUL.
            s_separator (text[end], text[end + 1], false, &new_sentence, &new_clause,
                         &question);
            last_separator = text[end];
            text[end] = 0;
        }
        cursor = end + 1;
    }
}

static void
s_mark_function_words (sein_text_t *self, const sein_lang_t *lang, int *flags_of)
{
    memset (self->votes, 0, sizeof self->votes);
    for (size_t index = 0; index < self->ntokens; index++) {
        sein_token_t *token = &self->tokens[index];
        flags_of[index] = 0;
        if (token->len > 12 || (token->flags & SEIN_TOKEN_NUMBER))
            continue;
        uint32_t flags = sein_dict_get_hashed (lang->words, self->folded + token->start,
                                               token->len, token->hash);
        if (flags == SEIN_DICT_NONE)
            continue;
        flags_of[index] = (int) flags;
        if (flags & (S_NL | S_FR | S_EN))
            token->flags |= SEIN_TOKEN_FUNCTION;
        for (int language = 0; language < SEIN_LANGS; language++)
            if (flags & (S_NL << language))
                self->votes[language]++;
    }
    int best = SEIN_LANG_NONE, best_votes = 0, second_votes = 0;
    for (int language = 0; language < SEIN_LANGS; language++) {
        if (self->votes[language] > best_votes) {
            second_votes = best_votes;
            best_votes = self->votes[language];
            best = language;
        } else if (self->votes[language] > second_votes)
            second_votes = self->votes[language];
    }
    self->lang = best_votes > second_votes ? best : SEIN_LANG_NONE;
}

//  Does token INDEX start a negation, given the text's language?
static bool
s_is_cue (sein_text_t *self, const int *flags_of, size_t index)
{
    int flags = flags_of[index];
    sein_token_t *token = &self->tokens[index];
    int lang = self->lang;
    bool any = lang == SEIN_LANG_NONE;
    if ((flags & S_CUE_NL) && (any || lang == SEIN_NL))
        return true;
    if ((flags & S_CUE_FR) && lang == SEIN_FR)
        return true; //  "pas" is also Dutch ("pas gemaaid"): French text only
    if ((flags & S_CUE_EN) && (any || lang == SEIN_EN)) {
        //  "no one" is a subject, not a negation of what follows
        if (strcmp (self->folded + token->start, "no") == 0 && index + 1 < self->ntokens &&
            strcmp (self->folded + self->tokens[index + 1].start, "one") == 0)
            return false;
        return true;
    }
    if ((flags & S_NE_PLUS) && lang == SEIN_FR) {
        //  "plus" negates after "ne"/"n'" in the same clause, or opening a
        //  clause before "de" ("Plus de bruit depuis ...").
        if ((token->flags & SEIN_TOKEN_CLAUSE) && index + 1 < self->ntokens) {
            const char *next = self->folded + self->tokens[index + 1].start;
            if (strcmp (next, "de") == 0 || strcmp (next, "d") == 0)
                return true;
        }
        for (size_t back = index; back-- > 0;) {
            if (self->tokens[back].clause != token->clause)
                break;
            if (flags_of[back] & S_NE)
                return true;
        }
        return false;
    }
    //  English "n't": "don't" folds to "don" + "t"
    if ((any || lang == SEIN_EN) && (token->flags & SEIN_TOKEN_APOS) && token->len == 1 &&
        self->folded[token->start] == 't' && index > 0) {
        sein_token_t *previous = &self->tokens[index - 1];
        return previous->len > 1 &&
               self->folded[previous->start + previous->len - 1] == 'n';
    }
    return false;
}

//  Is token INDEX a contrast that sets aside what came before?
static bool
s_is_contrast (const sein_text_t *self, const int *flags_of, size_t index)
{
    return (flags_of[index] & S_CONTRAST) ||
           ((flags_of[index] & S_CLAUSE_CONTRAST) &&
            (self->tokens[index].flags & SEIN_TOKEN_CLAUSE));
}

//  Is token INDEX the word WORD?
static bool
s_word_is (const sein_text_t *self, size_t index, const char *word)
{
    return index < self->ntokens && strcmp (self->folded + self->tokens[index].start, word) == 0;
}

//  Does token AT open a clause of its own with a dummy subject and a
//  copula, "het is", "het zijn", "c'est", "ce sont", "it's", "'t is"? After
//  a comma any such subject does ("..., dat is ..."); in the middle of a
//  clause only one that cannot be a relative pronoun, and only after a
//  content word: "geen sluikstort het is een gat", not "wat het is".
static bool
s_opens_clause (const sein_text_t *self, const int *flags_of, size_t at)
{
    if (!(flags_of[at] & S_SUBJECT) || at + 1 >= self->ntokens ||
        !(flags_of[at + 1] & S_COPULA) || self->tokens[at + 1].clause != self->tokens[at].clause)
        return false;
    if (self->tokens[at].flags & SEIN_TOKEN_CLAUSE)
        return true;
    bool pronoun = s_word_is (self, at, "het") || s_word_is (self, at, "t") ||
                   s_word_is (self, at, "c") || s_word_is (self, at, "ce") ||
                   s_word_is (self, at, "it");
    return pronoun && at > 0 && flags_of[at - 1] == 0 &&
           !(self->tokens[at - 1].flags & SEIN_TOKEN_NUMBER);
}

//  Does the cue at INDEX deny what something is, "het is geen X", "dat is
//  niet X", "ce n'est pas X", "c'est pas X", "it's not X", "this isn't X"?
//  Such a sentence names X only to set it aside: whatever it goes on to say
//  is the complaint. "Er is geen verlichting" is no such denial, it
//  complains about an absence.
static bool
s_denies (const sein_text_t *self, const int *flags_of, size_t index)
{
    size_t subject;
    const sein_token_t *cue = &self->tokens[index];
    if (flags_of[index] & S_COPULA) //  "isnt" written without its apostrophe
        subject = index - 1;
    else if ((cue->flags & SEIN_TOKEN_APOS) && flags_of[index] == S_SUBJECT) {
        //  "isn't": "isn" + "t"; only the copulas count
        if (index < 2 || !(s_word_is (self, index - 1, "isn") ||
                           s_word_is (self, index - 1, "wasn") ||
                           s_word_is (self, index - 1, "aren") ||
                           s_word_is (self, index - 1, "weren")))
            return false;
        subject = index - 2;
    } else {
        if (index < 2 || !(flags_of[index - 1] & S_COPULA))
            return false;
        subject = index - 2;
        if ((flags_of[subject] & S_NE) && subject > 0) //  "ce n'est pas"
            subject--;
    }
    if (index == 0 || subject >= index)
        return false; //  no room for a subject before it
    return (flags_of[subject] & S_SUBJECT) && self->tokens[subject].clause == cue->clause;
}

//  Does the sentence set aside what the cue at INDEX negates?
static bool
s_dismissed (const sein_text_t *self, const int *flags_of, size_t index)
{
    const sein_token_t *cue = &self->tokens[index];
    const char *word = self->folded + cue->start;
    //  "Plus de bruit", "il n'y a plus de bruit"
    if ((flags_of[index] & S_NE_PLUS) && index + 1 < self->ntokens) {
        const char *next = self->folded + self->tokens[index + 1].start;
        if (strcmp (next, "de") == 0 || strcmp (next, "d") == 0)
            return true;
    }
    //  "niet de honden, het zijn de katten", "not the noise, it's ...": a
    //  negated definite noun is set aside by a restating clause.
    bool denies = s_denies (self, flags_of, index);
    bool definite = s_word_is (self, index + 1, "de") || s_word_is (self, index + 1, "het") ||
                    s_word_is (self, index + 1, "the") || s_word_is (self, index + 1, "le") ||
                    s_word_is (self, index + 1, "la") || s_word_is (self, index + 1, "les") ||
                    s_word_is (self, index + 1, "l");
    for (size_t at = index + 1; at < self->ntokens; at++) {
        const sein_token_t *token = &self->tokens[at];
        if (token->sentence != cue->sentence)
            //  "Het is geen sluikstort. Het is een gat in de weg."
            return denies && (token->flags & SEIN_TOKEN_SENTENCE) &&
                   s_opens_clause (self, flags_of, at);
        //  "geen overlast meer", "no more noise", "no longer a problem"
        if ((flags_of[index] & S_NOUN_CUE) && (flags_of[at] & S_MORE) &&
            token->clause == cue->clause)
            return true;
        if (strcmp (word, "no") == 0 && at == index + 1 && (flags_of[at] & S_MORE))
            return true;
        if (s_is_contrast (self, flags_of, at))
            return true;
        //  "het is geen burenruzie, mijn verhuurder ...": a denial goes on
        //  to say what it is
        if (denies && token->clause != cue->clause)
            return true;
        if ((denies || definite) && s_opens_clause (self, flags_of, at))
            return true;
    }
    return false;
}

static void
s_negation (sein_text_t *self, const int *flags_of)
{
    for (size_t index = 0; index < self->ntokens; index++) {
        sein_token_t *cue = &self->tokens[index];
        //  Only a function word or the "t" of "n't" can be a cue: most
        //  tokens are neither.
        if (flags_of[index] == 0 && !(cue->flags & SEIN_TOKEN_APOS))
            continue;
        //  "Is dat niet gevaarlijk?" asks for attention, it denies nothing.
        if ((cue->flags & SEIN_TOKEN_QUESTION) || !s_is_cue (self, flags_of, index))
            continue;
        cue->flags |= SEIN_TOKEN_CUE;
        int mark = SEIN_TOKEN_NEGATED;
        if (s_dismissed (self, flags_of, index))
            mark |= SEIN_TOKEN_DISMISSED;
        //  The scope ends with its clause, at a contrast, or where a new
        //  clause starts without a comma ("geen sluikstort het is een gat").
        for (size_t scope = index + 1;
             scope < self->ntokens && scope <= index + S_SCOPE_MAX; scope++) {
            sein_token_t *token = &self->tokens[scope];
            if (token->clause != cue->clause || s_is_contrast (self, flags_of, scope) ||
                s_opens_clause (self, flags_of, scope))
                break;
            token->flags |= mark;
        }
    }
}

void
sein_text_analyse (sein_text_t *self, const sein_lang_t *lang, const char *text,
                   size_t size)
{
    assert (self);
    assert (text || size == 0);
    self->folded = self->folded_inline;
    self->tokens = self->tokens_inline;
    self->tokens_capacity = SEIN_TEXT_INLINE_TOKENS;
    self->stems = self->stems_inline;
    self->stems_capacity = SEIN_TEXT_INLINE_BYTES;
    self->stems_used = 0;
    self->ntokens = 0;
    self->lang = SEIN_LANG_NONE;
    memset (self->votes, 0, sizeof self->votes);

    long folded = sein_text_fold (text, size, self->folded, SEIN_TEXT_INLINE_BYTES);
    if (folded < 0) {
        size_t capacity = sein_text_fold_bound (size);
        self->folded = (char *) sein_malloc (capacity);
        folded = sein_text_fold (text, size, self->folded, capacity);
        //  The bound rests on utf8proc's tables (the longest decomposition):
        //  checked in release builds too, as a wrong bound would read past
        //  the buffer below.
        sein_require (folded >= 0);
    }
    self->size = (size_t) folded;
    s_tokenise (self);
    if (!lang)
        return;
    int flags_inline[SEIN_TEXT_INLINE_TOKENS];
    int *flags_of = flags_inline;
    if (self->ntokens > SEIN_TEXT_INLINE_TOKENS)
        flags_of = (int *) sein_malloc (self->ntokens * sizeof (int));
    s_mark_function_words (self, lang, flags_of);
    s_negation (self, flags_of);
    if (flags_of != flags_inline)
        free (flags_of);
}

void
sein_text_release (sein_text_t *self)
{
    if (!self)
        return;
    if (self->folded && self->folded != self->folded_inline)
        free (self->folded);
    if (self->tokens && self->tokens != self->tokens_inline)
        free (self->tokens);
    if (self->stems && self->stems != self->stems_inline)
        free (self->stems);
    self->folded = self->folded_inline;
    self->tokens = self->tokens_inline;
    self->stems = self->stems_inline;
    self->ntokens = 0;
    self->size = 0;
    self->folded_inline[0] = 0;
}

const char *
sein_text_stem (sein_text_t *self, sein_stemmer_t *stemmer, size_t index, int language)
{
    assert (self);
    assert (index < self->ntokens);
    assert (language >= 0 && language < SEIN_LANGS);
    sein_token_t *token = &self->tokens[index];
    const char *word = self->folded + token->start;
    if (token->len <= 2 || (token->flags & (SEIN_TOKEN_NUMBER | SEIN_TOKEN_FUNCTION)))
        return word;
    if (token->stem[language] >= 0)
        return self->stems + token->stem[language];
    size_t need = (size_t) token->len * 2 + 16;
    if (self->stems_used + need > self->stems_capacity) {
        size_t capacity = (self->stems_capacity + need) * 2;
        char *stems;
        if (self->stems == self->stems_inline) {
            stems = (char *) sein_malloc (capacity);
            memcpy (stems, self->stems, self->stems_used);
        } else
            stems = (char *) sein_realloc (self->stems, capacity);
        self->stems = stems;
        self->stems_capacity = capacity;
    }
    int len = s_stem (stemmer, language, word, token->len, token->hash,
                      self->stems + self->stems_used, need);
    //  No Snowball stemmer lengthens a word by half, let alone twice over.
    sein_require (len >= 0);
    token->stem[language] = (int32_t) self->stems_used;
    self->stems_used += (size_t) len + 1;
    return self->stems + token->stem[language];
}

//  --------------------------------------------------------------------------
//  Compounds

#define S_HEAD_MIN     4
#define S_REST_MIN     3
#define S_MODIFIER_MIN 5 //  with its link: "honden" in "hondenpoep"
#define S_FREE_REST    5 //  what must follow a modifier when no head is known

bool
sein_text_compound (const char *word, size_t len, sein_text_known_fn *known, void *arg,
                    sein_compound_t *result)
{
    assert (word);
    assert (known);
    assert (result);
    memset (result, 0, sizeof *result);
    //  Longest head first: "verkeerslichten" is better read as "verkeers" +
    //  "lichten" than as "verkeerslich" + "ten".
    for (size_t start = S_REST_MIN; start + S_HEAD_MIN <= len; start++) {
        if (known (arg, word + start, len - start, false)) {
            result->head_start = start;
            result->head_len = len - start;
            break;
        }
    }
    //  A modifier must end where the head starts; without a known head,
    //  enough must follow it to be a word. Short prefixes are words by
    //  accident too often: "hond" in "honderd", "park" in "parkeer".
    //  Linking morphemes of today's spelling; a bare "e" would turn "parke"
    //  (in "parkeerprobleem") into "park" + link.
    static const char *links[] = {"", "s", "en", NULL};
    if (!result->head_len && len < S_MODIFIER_MIN + S_FREE_REST)
        return false;
    size_t first = result->head_len ? result->head_start : len - S_FREE_REST;
    size_t last = result->head_len ? result->head_start : S_MODIFIER_MIN;
    for (size_t end = first; end >= last && end >= S_MODIFIER_MIN && end < len; end--) {
        for (const char **link = links; *link; link++) {
            size_t link_len = strlen (*link);
            if (end < link_len + 4)
                continue;
            size_t base = end - link_len;
            if (link_len && memcmp (word + base, *link, link_len) != 0)
                continue;
            if (known (arg, word, base, true)) {
                result->modifier_len = end;
                result->modifier_match_len = base;
                return true;
            }
        }
        if (end == 0)
            break;
    }
    return result->head_len > 0;
}
