// SPDX-License-Identifier: MPL-2.0
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

//  Create an empty map. Aborts when memory runs out (sein_alloc.h).
sein_dict_t *
    sein_dict_new (void);

//  Destroy; idempotent, nulls the pointer.
void
    sein_dict_destroy (sein_dict_t **self_p);

//  Map KEY (LEN bytes, need not be NUL-terminated) to VALUE (not
//  SEIN_DICT_NONE), replacing an earlier value. Aborts when memory runs out,
//  or when the keys would pass 4 GiB in all (offsets are 32-bit).
void
    sein_dict_set (sein_dict_t *self, const char *key, size_t len, uint32_t value);

//  The value of KEY (LEN bytes), or SEIN_DICT_NONE.
uint32_t
    sein_dict_get (const sein_dict_t *self, const char *key, size_t len);

//  The hash every map uses for KEY (LEN bytes). A word looked up in
//  several maps (function words, theme rules, priority rules) is hashed
//  once, when it is tokenised, and looked up with sein_dict_get_hashed.
uint32_t
    sein_dict_hash (const char *key, size_t len);

//  The same hash in steps, for a caller that hashes a word while it reads
//  it: START, a STEP per byte, END. (FNV-1a, then a final mix so nearby
//  keys spread over the table; never 0, which marks an empty slot.)
#define SEIN_DICT_HASH_START 2166136261u

static inline uint32_t
sein_dict_hash_step (uint32_t hash, unsigned char byte)
{
    return (hash ^ byte) * 16777619u;
}

static inline uint32_t
sein_dict_hash_end (uint32_t hash)
{
    hash ^= hash >> 15;
    hash *= 0x2c1b3c6du;
    hash ^= hash >> 12;
    return hash ? hash : 1;
}

//  sein_dict_get for a KEY whose sein_dict_hash is HASH. Inline, below.
static inline uint32_t
    sein_dict_get_hashed (const sein_dict_t *self, const char *key, size_t len,
                          uint32_t hash);

//  Number of keys.
size_t
    sein_dict_size (const sein_dict_t *self);

//  --------------------------------------------------------------------------
//  Private: what sein_dict_get_hashed needs inline. Most lookups are for
//  words a map lacks, and the filter answers those in a few instructions,
//  fewer than a call costs; only the rest go on to the slots.

//  The first member of every map.
typedef struct {
    const uint64_t *bloom; //  the filter: capacity * 4 bits
    size_t capacity;       //  slots, a power of two
} sein_dict_filter_t;

//  The filter's two bits for HASH in a filter of BITS bits.
static inline void
sein_dict_filter_bits (uint32_t hash, size_t bits, size_t *one, size_t *two)
{
    *one = hash & (bits - 1);
    *two = ((hash >> 16) | (hash << 16)) * 0x9e3779b1u & (bits - 1);
}

//  The slots' answer for a KEY that passed the filter.
uint32_t
    sein_dict_probe (const sein_dict_t *self, const char *key, size_t len, uint32_t hash);

static inline uint32_t
sein_dict_get_hashed (const sein_dict_t *self, const char *key, size_t len, uint32_t hash)
{
    const sein_dict_filter_t *filter = (const sein_dict_filter_t *) self;
    size_t one, two;
    sein_dict_filter_bits (hash, filter->capacity * 4, &one, &two);
    if (!((filter->bloom[one >> 6] >> (one & 63)) & 1) ||
        !((filter->bloom[two >> 6] >> (two & 63)) & 1))
        return SEIN_DICT_NONE;
    return sein_dict_probe (self, key, len, hash);
}

#endif
