// SPDX-License-Identifier: MPL-2.0
/*  sein_fuzz.h - what the libFuzzer targets share

    The loaders read files by path, so a target that fuzzes a file's bytes
    writes each input to one scratch file of its own and loads that. The
    reference data every target needs (a classifier, a street register) is
    the shipped Leuven set in conf/, loaded once per process: it is
    reachable until exit, so LeakSanitizer does not count it.
*/
#ifndef SEIN_FUZZ_H_INCLUDED
#define SEIN_FUZZ_H_INCLUDED

#include "sein_classify.h"
#include "sein_config.h"

#include <stddef.h>
#include <stdint.h>

//  Write SIZE bytes of DATA to this process's scratch file and return its
//  path (borrowed, the same for every call). The file is created on first
//  use in $TMPDIR (or /tmp) and removed at exit. Aborts when it cannot be
//  written: a target that loads a stale file would fuzz nothing.
const char *
    sein_fuzz_file (const uint8_t *data, size_t size);

//  A slice of conf/theme-rules.tsv (every kind of rule, a few hundred of
//  them): the seed of fuzz_data_theme_rules, and the theme rules of
//  targets that load or keep a classifier but do not fuzz its rules.
#define SEIN_FUZZ_RULES_SLICE                                                   \
    SEIN_SOURCE_DIR "/tests/fuzz/corpus/data_theme_rules/theme-rules.tsv"

//  The configuration the targets run on: built-in defaults with every
//  data.* setting naming its file in conf/, except SETTING (may be NULL),
//  which names PATH. With a SETTING other than data.theme_rules, the theme
//  rules are the seed slice of a few hundred rules, not conf/'s 3,000: a
//  target that loads them for every input would spend its time stemming
//  them. Aborts with the error on failure. The caller destroys it.
sein_config_t *
    sein_fuzz_config (const char *setting, const char *path);

//  The classifier on conf/, loaded on first use (aborts when it does not
//  load); borrowed, lives until exit. With SLICE, on the rules slice: a
//  smaller heap for LeakSanitizer to scan after every input that leaks.
sein_classifier_t *
    sein_fuzz_classifier (bool slice);

//  Signals that reach every path of the classifier: an explicit area and
//  theme, a point, addresses with and without a number, a street in the
//  description, machine attributes, Dutch, French and English text. Parsed
//  once; borrowed, SEIN_FUZZ_SIGNALS of them.
#define SEIN_FUZZ_SIGNALS 10
const sein_signal_t *
    sein_fuzz_signals (void);

//  Classify SIGNAL with CLASSIFIER, with and without trace, and abort when
//  the result breaks the header's promises (a code that does not fit, a
//  detail that is not a JSON object).
void
    sein_fuzz_classify (sein_classifier_t *classifier, const sein_signal_t *signal);

//  Abort with a message when CONDITION does not hold: libFuzzer reports a
//  broken invariant as a crash, with the input that broke it. (assert is
//  not used: it would vanish under NDEBUG.)
#define sein_fuzz_check(condition)                                              \
    do {                                                                        \
        if (!(condition))                                                       \
            sein_fuzz_fail (__FILE__, __LINE__, #condition);                    \
    } while (0)

void
    sein_fuzz_fail (const char *file, int line, const char *what)
    __attribute__ ((noreturn));

#endif
