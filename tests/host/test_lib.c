/*
 * Host test of lib/printf.c and lib/string.c: the kernel's own code, built
 * with the host compiler, compared with glibc on generated cases.  This
 * file is the harness and main(); the cases are in test_printf.c and
 * test_string.c.
 *
 * Build and run (tests/host/host.mk does this for "make host-test"):
 *
 *	cc -std=c11 -O1 -Wall -Wextra -Werror -I. -fno-builtin \
 *	    -include tests/host/rename.h -o build/host/test_lib \
 *	    tests/host/test_lib.c tests/host/test_printf.c \
 *	    tests/host/test_string.c lib/printf.c lib/string.c
 *	build/host/test_lib
 *
 * (host.mk also builds the same with -m32, to cover the i386 paths.)
 * rename.h turns our memcpy, snprintf... into minnow_memcpy,
 * minnow_snprintf... so both implementations live in one program.
 *
 * Every case draws its random inputs from one sequence with a fixed seed,
 * in the order main() runs the families: the same cases on every libc.
 *
 * Prints the first 20 mismatches and "host lib: N passed, N failed".
 */
#include <lib/printf.h>
#include <lib/string.h>
#define	MINNOW_UNRENAME
#include "rename.h"

#include <stdarg.h>
#include <stdio.h>

#include "test_lib.h"

#define	MAX_SHOWN	20

unsigned long		npass, nfail;
static unsigned long	nshown;
static uint64_t		rng_state = 0x9e3779b97f4a7c15ULL;

/* xorshift64*: the same sequence on every libc, so failures reproduce. */
uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (rng_state * 0x2545f4914f6cdd1dULL);
}

size_t
rng_below(size_t n)
{
	return (n == 0 ? 0 : (size_t)(rng() % n));
}

static bool
vcheck(bool ok, const char *fmt, va_list ap)
{
	if (!ok && nshown++ < MAX_SHOWN) {
		fputs("MISMATCH ", stdout);
		vprintf(fmt, ap);
		fputc('\n', stdout);
	}
	return (ok);
}

/* One check of a case: describe a failure, but only the first few. */
bool
check(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ok = vcheck(ok, fmt, ap);
	va_end(ap);
	return (ok);
}

/* A whole case: counted once, however many checks it made. */
bool
tally(bool ok)
{
	if (ok)
		npass++;
	else
		nfail++;
	return (ok);
}

/* A case that is a single check. */
bool
record(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ok = vcheck(ok, fmt, ap);
	va_end(ap);
	return (tally(ok));
}

/*
 * s quoted, with unprintable bytes as \xNN, for a mismatch report.  Four
 * static buffers in turn, so that one report can quote several strings.
 */
const char *
esc(const char *s, size_t n)
{
	static char out[4][BUFSZ * 4 + 3];
	static int slot;
	char *o = out[slot = (slot + 1) % 4], *p = o;
	size_t i;

	*p++ = '"';
	for (i = 0; i < n && i < BUFSZ; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"')
			*p++ = s[i];
		else
			p += sprintf(p, "\\x%02x", (unsigned char)s[i]);
	}
	*p++ = '"';
	*p = '\0';
	return (o);
}


int
main(void)
{
	test_printf();
	test_strings();
	printf("host lib: %lu passed, %lu failed\n", npass, nfail);
	return (nfail != 0);
}
