/*
 * Searching and counting in bitmaps (see lib/bitmap.h).  Whole words are
 * skipped at a time; within a word the compiler's count-trailing-zeros
 * builtin becomes one bsf/tzcnt instruction.
 */
#include <stdbool.h>
#include <stddef.h>

#include <lib/bitmap.h>

/*
 * First bit at or after start whose value, XORed with flip, is 1: flip 0
 * finds set bits, flip ~0 clear ones.  A hit in the tail of the last word
 * (past nbits) is no hit.
 */
static size_t
find_bit(const unsigned long *map, size_t nbits, size_t start,
    unsigned long flip)
{
	size_t i, bit, nwords;
	unsigned long w;

	if (start >= nbits)
		return (nbits);
	nwords = BITMAP_WORDS(nbits);
	i = start / BITMAP_WORD_BITS;
	/* Ignore the bits of the first word that lie below start. */
	w = (map[i] ^ flip) & (~0UL << (start % BITMAP_WORD_BITS));
	while (w == 0) {
		if (++i == nwords)
			return (nbits);
		w = map[i] ^ flip;
	}
	bit = i * BITMAP_WORD_BITS + (size_t)__builtin_ctzl(w);
	return (bit < nbits ? bit : nbits);
}

size_t
bitmap_ffs(const unsigned long *map, size_t nbits, size_t start)
{
	return (find_bit(map, nbits, start, 0));
}

size_t
bitmap_ffc(const unsigned long *map, size_t nbits, size_t start)
{
	return (find_bit(map, nbits, start, ~0UL));
}

/*
 * Set bits in one word, by adding neighbouring fields in parallel.  Not
 * __builtin_popcountl: without the popcnt instruction it becomes a call
 * into libgcc, which the x86_64 kernel does not link.
 */
static size_t
word_weight(unsigned long w)
{
	const unsigned long m1 = ~0UL / 3;	/* 0x5555... */
	const unsigned long m2 = ~0UL / 5;	/* 0x3333... */
	const unsigned long m4 = ~0UL / 17;	/* 0x0f0f... */
	const unsigned long b1 = ~0UL / 255;	/* 0x0101... */

	w -= (w >> 1) & m1;			/* 2-bit sums */
	w = (w & m2) + ((w >> 2) & m2);		/* 4-bit sums */
	w = (w + (w >> 4)) & m4;		/* byte sums */
	/* The multiply adds every byte into the top one. */
	return ((size_t)((w * b1) >> (BITMAP_WORD_BITS - 8)));
}

size_t
bitmap_count(const unsigned long *map, size_t nbits)
{
	size_t i, n = 0, full = nbits / BITMAP_WORD_BITS;
	size_t rest = nbits % BITMAP_WORD_BITS;

	for (i = 0; i < full; i++)
		n += word_weight(map[i]);
	/* Only the low rest bits of a partial last word belong to the map. */
	if (rest != 0)
		n += word_weight(map[full] & ((1UL << rest) - 1));
	return (n);
}
