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

#include <assert.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint32_t hash;
    uint32_t key; //  offset in the arena
    uint32_t len;
    uint32_t value;
} s_slot_t;

struct _sein_dict_t {
    s_slot_t *slots;
    size_t capacity; //  a power of two
    size_t size;
    uint64_t *bloom; //  capacity * 4 bits
    char *arena;
    size_t arena_used, arena_capacity;
};

static inline uint32_t
s_hash (const char *key, size_t len)
{
    //  FNV-1a, then a final mix so nearby keys spread over the table.
    uint32_t hash = 2166136261u;
    for (size_t at = 0; at < len; at++)
        hash = (hash ^ (unsigned char) key[at]) * 16777619u;
    hash ^= hash >> 15;
    hash *= 0x2c1b3c6du;
    hash ^= hash >> 12;
    return hash ? hash : 1;
}

sein_dict_t *
sein_dict_new (void)
{
    sein_dict_t *self = (sein_dict_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->capacity = 64;
    self->slots = (s_slot_t *) calloc (self->capacity, sizeof (s_slot_t));
    self->bloom = (uint64_t *) calloc (self->capacity / 16, sizeof (uint64_t));
    if (!self->slots || !self->bloom) {
        free (self->slots);
        free (self->bloom);
        free (self);
        return NULL;
    }
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

//  The two filter bits of HASH in a filter of BITS bits.
static inline void
s_bits (uint32_t hash, size_t bits, size_t *one, size_t *two)
{
    *one = hash & (bits - 1);
    *two = ((hash >> 16) | (hash << 16)) * 0x9e3779b1u & (bits - 1);
}

static inline void
s_bloom_add (uint64_t *bloom, size_t bits, uint32_t hash)
{
    size_t one, two;
    s_bits (hash, bits, &one, &two);
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

static int
s_grow (sein_dict_t *self)
{
    size_t capacity = self->capacity * 2;
    s_slot_t *slots = (s_slot_t *) calloc (capacity, sizeof (s_slot_t));
    uint64_t *bloom = (uint64_t *) calloc (capacity / 16, sizeof (uint64_t));
    if (!slots || !bloom) {
        free (slots);
        free (bloom);
        return -1;
    }
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
    return 0;
}

int
sein_dict_set (sein_dict_t *self, const char *key, size_t len, uint32_t value)
{
    assert (self);
    assert (key || len == 0);
    assert (value != SEIN_DICT_NONE);
    if (len > UINT32_MAX / 2)
        return -1;
    if ((self->size + 1) * 2 > self->capacity && s_grow (self))
        return -1;
    uint32_t hash = s_hash (key, len);
    s_slot_t *slot = s_find (self, key, len, hash);
    if (slot->hash) {
        slot->value = value;
        return 0;
    }
    if (self->arena_used + len > self->arena_capacity) {
        size_t capacity = (self->arena_capacity + len) * 2 + 256;
        char *arena = (char *) realloc (self->arena, capacity);
        if (!arena)
            return -1;
        self->arena = arena;
        self->arena_capacity = capacity;
    }
    if (len)
        memcpy (self->arena + self->arena_used, key, len);
    *slot = (s_slot_t){hash, (uint32_t) self->arena_used, (uint32_t) len, value};
    s_bloom_add (self->bloom, self->capacity * 4, hash);
    self->arena_used += len;
    self->size++;
    return 0;
}

uint32_t
sein_dict_get (const sein_dict_t *self, const char *key, size_t len)
{
    assert (self);
    uint32_t hash = s_hash (key, len);
    size_t one, two;
    s_bits (hash, self->capacity * 4, &one, &two);
    if (!(self->bloom[one >> 6] & ((uint64_t) 1 << (one & 63))) ||
        !(self->bloom[two >> 6] & ((uint64_t) 1 << (two & 63))))
        return SEIN_DICT_NONE;
    const s_slot_t *slot = s_find (self, key, len, hash);
    return slot->hash ? slot->value : SEIN_DICT_NONE;
}

size_t
sein_dict_size (const sein_dict_t *self)
{
    assert (self);
    return self->size;
}
