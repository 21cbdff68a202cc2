/*  sein_dict.h - a flat string -> integer map for the classifier's hot lookups

    Classifying a signal looks up every word a few times (rule index,
    function words, the street typo index). zhashx chains items and keys
    through separate allocations, so on a large register most lookups are
    cache misses spent in strcmp. This map is one array of slots that keep
    the key's hash (a mismatch never touches the key) and one arena of keys,
    filled at load and only read afterwards. It stores integers, which
    callers use as indexes into their own arrays.
*/
#ifndef SEIN_DICT_H_INCLUDED
#define SEIN_DICT_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#define SEIN_DICT_NONE UINT32_MAX

typedef struct _sein_dict_t sein_dict_t;

//  Create an empty map; NULL when memory runs out.
sein_dict_t *
    sein_dict_new (void);

//  Destroy; idempotent, nulls the pointer.
void
    sein_dict_destroy (sein_dict_t **self_p);

//  Map KEY (LEN bytes, need not be NUL-terminated) to VALUE (not
//  SEIN_DICT_NONE), replacing an earlier value. Returns 0, or -1 when memory
//  runs out (the map is unchanged then).
int
    sein_dict_set (sein_dict_t *self, const char *key, size_t len, uint32_t value);

//  The value of KEY (LEN bytes), or SEIN_DICT_NONE.
uint32_t
    sein_dict_get (const sein_dict_t *self, const char *key, size_t len);

//  Number of keys.
size_t
    sein_dict_size (const sein_dict_t *self);

#endif
