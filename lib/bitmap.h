/*
 * Fixed-size bitmaps stored in arrays of unsigned long (32 bits on i386,
 * 64 on x86_64), for allocation maps such as the pbuf pool's and the
 * sf_buf slots' to come.  (CPU masks are a cpuset_t, kernel/smp.h.)
 *
 *	unsigned long map[BITMAP_WORDS(NSLOTS)];
 *
 * Bit i lives in word i / BITMAP_WORD_BITS at position i % BITMAP_WORD_BITS.
 * The caller owns the storage and its initialisation (all zero means all
 * clear: use memset or "= { 0 }").  Bit numbers must be below the nbits
 * the map was sized for; set, clear and test do not check.  The search and
 * count functions take nbits and never look at, or report, a bit at or
 * past it, so the unused tail of the last word may hold anything.
 *
 * Nothing here is atomic: a map shared between CPUs or with an interrupt
 * handler needs the caller's lock.
 */
#ifndef _LIB_BITMAP_H_
#define _LIB_BITMAP_H_

#include <stdbool.h>
#include <stddef.h>

#define	BITMAP_WORD_BITS	(sizeof(unsigned long) * 8)
#define	BITMAP_WORDS(nbits)						\
	(((nbits) + BITMAP_WORD_BITS - 1) / BITMAP_WORD_BITS)

static inline void
bitmap_set(unsigned long *map, size_t bit)
{
	map[bit / BITMAP_WORD_BITS] |= 1UL << (bit % BITMAP_WORD_BITS);
}

static inline void
bitmap_clear(unsigned long *map, size_t bit)
{
	map[bit / BITMAP_WORD_BITS] &= ~(1UL << (bit % BITMAP_WORD_BITS));
}

static inline bool
bitmap_test(const unsigned long *map, size_t bit)
{
	return ((map[bit / BITMAP_WORD_BITS] >> (bit % BITMAP_WORD_BITS)) &
	    1);
}

/* First set bit at or after start, or nbits if there is none. */
size_t	bitmap_ffs(const unsigned long *map, size_t nbits, size_t start);
/* First clear bit at or after start, or nbits if there is none. */
size_t	bitmap_ffc(const unsigned long *map, size_t nbits, size_t start);
/* Number of set bits among the first nbits. */
size_t	bitmap_count(const unsigned long *map, size_t nbits);

#endif /* !_LIB_BITMAP_H_ */
