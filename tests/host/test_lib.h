/*
 * The harness shared by the host tests of lib/ (tests/host/test_lib.c
 * defines it): counting cases, reporting the first mismatches, and one
 * random sequence that the whole run draws from in a fixed order, so
 * that a failure reproduces.
 *
 * Include it after the lib headers and rename.h with MINNOW_UNRENAME
 * (see rename.h), so that memcpy, snprintf... here are glibc's.
 */
#ifndef TESTS_HOST_TEST_LIB_H
#define	TESTS_HOST_TEST_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define	BUFSZ		256	/* the longest text a case prints, and more */

extern unsigned long	npass, nfail;

/* The shared random sequence (xorshift64*): rng() and [0, n). */
uint64_t	rng(void);
size_t		rng_below(size_t n);

/* One check of a case: describe a failure, but only the first few. */
bool		check(bool ok, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
/* A whole case: counted once, however many checks it made. */
bool		tally(bool ok);
/* A case that is a single check. */
bool		record(bool ok, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
/* s quoted, unprintable bytes as \xNN; four buffers in turn. */
const char	*esc(const char *s, size_t n);

/* The test families, run by main() in this order. */
void	test_printf(void);	/* test_printf.c */
void	test_strings(void);	/* test_string.c */

#endif /* !TESTS_HOST_TEST_LIB_H */
