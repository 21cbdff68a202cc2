// SPDX-License-Identifier: MPL-2.0
/*  sein_dict.c - open addressing, linear probing, keys in one arena

    Slots hold (hash, key offset, key length, value); an empty slot has
    hash 0, so real hashes are forced non-zero. The table doubles at half
    full, which keeps probes short; keys are copied once into the arena and
    never move relative to it (the arena grows by realloc, slots store
    offsets).

    Most lookups are for words no rule has, so a Bloom filter of two bits
    per key (a sixteenth of the slots' size) answers "no" before the slot
    array is touched: a cache hit instead of a miss.
*/
#include "sein_dict.h"
#include "sein_alloc.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint32_t hash;
    uint32_t key; //  offset in the arena
    uint32_t len;
    uint32_t value;
} s_slot_t;

struct _sein_dict_t {
    sein_dict_filter_t filter; //  first: read inline by sein_dict_get_hashed
    s_slot_t *slots;
    size_t capacity; //  a power of two, the same as filter.capacity
    size_t size;
    uint64_t *bloom; //  capacity * 4 bits; filter.bloom
    char *arena;
    size_t arena_used, arena_capacity;
};

//  The filter's view of the map, after it was made or grown.
static void
s_publish (sein_dict_t *self)
{
    self->filter.bloom = self->bloom;
    self->filter.capacity = self->capacity;
}

static inline uint32_t
s_hash (const char *key, size_t len)
{
    uint32_t hash = SEIN_DICT_HASH_START;
    for (size_t at = 0; at < len; at++)
        hash = sein_dict_hash_step (hash, (unsigned char) key[at]);
    return sein_dict_hash_end (hash);
}

sein_dict_t *
sein_dict_new (void)
{
    sein_dict_t *self = (sein_dict_t *) sein_calloc (1, sizeof *self);
    self->capacity = 64;
    self->slots = (s_slot_t *) sein_calloc (self->capacity, sizeof (s_slot_t));
    self->bloom = (uint64_t *) sein_calloc (self->capacity / 16, sizeof (uint64_t));
    s_publish (self);
    return self;
}

void
sein_dict_destroy (sein_dict_t **self_p)
{
    assert (self_p);
    sein_dict_t *self = *self_p;
    if (self) {
        free (self->slots);
        free (self->bloom);
        free (self->arena);
        free (self);
        *self_p = NULL;
    }
}

static inline void
s_bloom_add (uint64_t *bloom, size_t bits, uint32_t hash)
{
    size_t one, two;
    sein_dict_filter_bits (hash, bits, &one, &two);
    bloom[one >> 6] |= (uint64_t) 1 << (one & 63);
    bloom[two >> 6] |= (uint64_t) 1 << (two & 63);
}

static inline s_slot_t *
s_find (const sein_dict_t *self, const char *key, size_t len, uint32_t hash)
{
    size_t mask = self->capacity - 1;
    for (size_t at = hash & mask;; at = (at + 1) & mask) {
        s_slot_t *slot = &self->slots[at];
        if (slot->hash == 0 ||
            (slot->hash == hash && slot->len == len &&
             memcmp (self->arena + slot->key, key, len) == 0))
            return slot;
    }
}

static void
s_grow (sein_dict_t *self)
{
    size_t capacity = self->capacity * 2;
    s_slot_t *slots = (s_slot_t *) sein_calloc (capacity, sizeof (s_slot_t));
    uint64_t *bloom = (uint64_t *) sein_calloc (capacity / 16, sizeof (uint64_t));
    for (size_t index = 0; index < self->capacity; index++) {
        s_slot_t *slot = &self->slots[index];
        if (!slot->hash)
            continue;
        size_t at = slot->hash & (capacity - 1);
        while (slots[at].hash)
            at = (at + 1) & (capacity - 1);
        slots[at] = *slot;
        s_bloom_add (bloom, capacity * 4, slot->hash);
    }
    free (self->slots);
    free (self->bloom);
    self->slots = slots;
    self->bloom = bloom;
    self->capacity = capacity;
    s_publish (self);
}

void
sein_dict_set (sein_dict_t *self, const char *key, size_t len, uint32_t value)
{
    assert (self);
    assert (key || len == 0);
    assert (value != SEIN_DICT_NONE);
    if ((self->size + 1) * 2 > self->capacity)
        s_grow (self);
    uint32_t hash = s_hash (key, len);
    s_slot_t *slot = s_find (self, key, len, hash);
    if (slot->hash) {
        slot->value = value;
        return;
    }
    //  Slots keep 32-bit offsets (16 bytes a slot, four to a cache line).
    //  Keys come from data files, so this is checked in release builds too;
    //  4 GiB of keys is far past any file seind loads, and like memory
    //  running out, it stops the process.
    if (len > UINT32_MAX - self->arena_used) {
        fprintf (stderr, "sein_dict: more than 4 GiB of keys; aborting\n");
        abort ();
    }
    if (self->arena_used + len > self->arena_capacity) {
        self->arena_capacity = (self->arena_capacity + len) * 2 + 256;
        self->arena = (char *) sein_realloc (self->arena, self->arena_capacity);
    }
    if (len)
        memcpy (self->arena + self->arena_used, key, len);
    *slot = (s_slot_t){hash, (uint32_t) self->arena_used, (uint32_t) len, value};
    s_bloom_add (self->bloom, self->capacity * 4, hash);
    self->arena_used += len;
    self->size++;
}

uint32_t
sein_dict_hash (const char *key, size_t len)
{
    return s_hash (key, len);
}

uint32_t
sein_dict_get (const sein_dict_t *self, const char *key, size_t len)
{
    assert (self);
    return sein_dict_get_hashed (self, key, len, s_hash (key, len));
}

uint32_t
sein_dict_probe (const sein_dict_t *self, const char *key, size_t len, uint32_t hash)
{
    const s_slot_t *slot = s_find (self, key, len, hash);
    return slot->hash ? slot->value : SEIN_DICT_NONE;
}

size_t
sein_dict_size (const sein_dict_t *self)
{
    assert (self);
    return self->size;
}
