/*
 * Host test of lib/string.c against glibc (run by tests/host/test_lib.c).
 *
 * Randomised inputs from the harness's fixed seed, compared with glibc
 * (with a reference strlcpy/strlcat, which glibc 2.36 lacks), and reads
 * near an unmapped page for strnlen and "%.*s".
 */
#define	_DEFAULT_SOURCE		/* MAP_ANONYMOUS, strnlen */

#include <lib/printf.h>
#include <lib/string.h>
#define	MINNOW_UNRENAME
#include "rename.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "test_lib.h"

#define	SBUF	600
#define	SIGN(x)	(((x) > 0) - ((x) < 0))

/* Bytes from a small alphabet, so searches hit and compares tie often. */
static void
fill(char *b, size_t n, bool nul)
{
	static const char alpha[] = "ab\x80\xfe";
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = alpha[rng_below(nul ? 5 : 4)];	/* 5: the NUL too */
}

/* One random memcpy, memmove (often overlapping) or memset. */
static void
test_copies(void)
{
	static const char *name[] = { "memcpy", "memmove", "memset" };
	char a[SBUF], b[SBUF], src[SBUF];
	size_t i, n, so, d;
	void *r;
	int c = 0;

	for (i = 0; i < 30000; i++) {
		fill(a, SBUF, true);
		fill(src, SBUF, true);
		memcpy(b, a, SBUF);
		n = rng_below(i % 2 ? 300 : 12);
		so = rng_below(SBUF - n);
		d = i % 4 ? rng_below(SBUF - n) : so + rng_below(8);
		d = d > SBUF - n ? SBUF - n : d;
		if (i % 3 == 0) {
			r = minnow_memcpy(a + d, src + so, n);
			memcpy(b + d, src + so, n);
		} else if (i % 3 == 1) {
			r = minnow_memmove(a + d, a + so, n);
			memmove(b + d, b + so, n);
		} else {
			c = (int)rng_below(1024) - 300;
			r = minnow_memset(a + d, c, n);
			memset(b + d, c, n);
		}
		record(r == a + d && memcmp(a, b, SBUF) == 0, "%s n=%zu "
		    "src=%zu dst=%zu c=%d", name[i % 3], n, so, d, c);
	}
}

static const int	search_chars[] = { 'a', 0x80, 0xfe, -2, 0x180, 0, 'z' };
#define	NSEARCH	(sizeof(search_chars) / sizeof(search_chars[0]))

static void
test_mem_search(void)
{
	char a[64], b[64];
	size_t i, n;
	int c;
	const char *pm, *pg;

	for (i = 0; i < 30000; i++) {
		n = rng_below(sizeof(a));
		fill(a, sizeof(a), true);
		memcpy(b, a, sizeof(a));
		if (i % 3 != 0)
			fill(b + rng_below(n + 1), 1, true);
		record(SIGN(minnow_memcmp(a, b, n)) == SIGN(memcmp(a, b, n)),
		    "memcmp %s %s %zu", esc(a, n), esc(b, n), n);
		c = search_chars[i % NSEARCH];
		pm = minnow_memchr(a, c, n);
		pg = memchr(a, c, n);
		record(pm == pg, "memchr %s %d %zu: expected %td, got %td",
		    esc(a, n), c, n, pg ? pg - a : -1, pm ? pm - a : -1);
	}
}

/* Random strings, often sharing a prefix: length, compare, search. */
static void
test_str_basic(void)
{
	char a[48], b[48];
	size_t i, n, la;
	int c;

	for (i = 0; i < 30000; i++) {
		fill(a, sizeof(a), false);
		la = rng_below(40);
		a[la] = '\0';
		memcpy(b, a, sizeof(b));
		b[rng_below(sizeof(b) - 1)] = i % 2 ? '\0' : 'b';
		b[sizeof(b) - 1] = '\0';
		n = rng_below(50);
		c = search_chars[i % NSEARCH];
		record(minnow_strlen(a) == strlen(a) &&
		    minnow_strnlen(a, n) == strnlen(a, n) &&
		    SIGN(minnow_strcmp(a, b)) == SIGN(strcmp(a, b)) &&
		    SIGN(minnow_strncmp(a, b, n)) == SIGN(strncmp(a, b, n)) &&
		    minnow_strchr(a, c) == strchr(a, c) &&
		    minnow_strrchr(a, c) == strrchr(a, c),
		    "str* on %s %s n=%zu c=%d", esc(a, la), esc(b, strlen(b)),
		    n, c);
	}
}

/*
 * strstr against glibc: needles cut from the haystack (found), mutated by
 * one byte (usually not), and empty; small alphabets make partial matches
 * and repeats common.
 */
static void
test_strstr(void)
{
	char a[40], nd[8];
	size_t i, j, la, off, k;

	for (i = 0; i < 30000; i++) {
		la = rng_below(sizeof(a) - 1);
		for (j = 0; j < la; j++)
			a[j] = "aab"[rng_below(3)];
		a[la] = '\0';
		off = la > 0 ? rng_below(la) : 0;
		k = rng_below(sizeof(nd) - 1);
		if (k > la - off)
			k = la - off;
		memcpy(nd, a + off, k);
		nd[k] = '\0';
		if (k > 0 && i % 3 == 0)
			nd[rng_below(k)] = 'c' - (char)rng_below(3);
		record(minnow_strstr(a, nd) == strstr(a, nd),
		    "strstr(%s, %s)", esc(a, la), esc(nd, k));
	}
}

/* References for strlcpy and strlcat, which glibc 2.36 does not have. */
static size_t
ref_strlcpy(char *d, const char *s, size_t size)
{
	size_t len = strlen(s), i;

	for (i = 0; size > 0 && i < size - 1 && i < len; i++)
		d[i] = s[i];
	if (size > 0)
		d[i] = '\0';
	return (len);
}

static size_t
ref_strlcat(char *d, const char *s, size_t size)
{
	size_t dl = 0;

	while (dl < size && d[dl] != '\0')
		dl++;
	if (dl == size)
		return (size + strlen(s));
	return (dl + ref_strlcpy(d + dl, s, size - dl));
}

static void
test_strlcpy_strlcat(void)
{
	char src[40], a[48], b[48];
	size_t i, size, rm, rr;

	for (i = 0; i < 30000; i++) {
		fill(src, sizeof(src), false);
		src[rng_below(sizeof(src))] = '\0';
		fill(a, sizeof(a), false);
		a[rng_below(sizeof(a))] = '\0';
		memcpy(b, a, sizeof(a));
		size = rng_below(41);
		if (i % 2) {
			rm = minnow_strlcpy(a, src, size);
			rr = ref_strlcpy(b, src, size);
		} else {
			rm = minnow_strlcat(a, src, size);
			rr = ref_strlcat(b, src, size);
		}
		record(rm == rr && memcmp(a, b, sizeof(a)) == 0, "%s size %zu "
		    "src %s: expected %zu, got %zu", i % 2 ? "strlcpy" :
		    "strlcat", size, esc(src, strlen(src)), rr, rm);
	}
}

/* A prefix, digits of every base (often too many), then junk. */
static void
make_number(char *buf, size_t size)
{
	static const char *pre[] = { "", "0", "0x", "0X", "00", "0x0", "1" };
	static const char *post[] = { "", " ", "-", "g", ".5", "x1", "0x" };
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyzAFXZ";
	char mid[32];
	size_t i, n = rng_below(sizeof(mid)), p;

	for (i = 0; i < n; i++)
		mid[i] = digits[rng_below(sizeof(digits) - 1)];
	mid[n] = '\0';
	p = rng_below(7);	/* not in the call: keep the draw order fixed */
	snprintf(buf, size, "%s%s%s", pre[p], mid, post[rng_below(7)]);
}

static void
test_strtoull(void)
{
	static const int bases[] = { 0, 2, 8, 10, 16, 36 };
	char s[64], *em, *eg;
	unsigned long long vm, vg;
	size_t i;
	int base;

	for (i = 0; i < 60000; i++) {
		make_number(s, sizeof(s));
		base = i % 7 < 6 ? bases[i % 7] : 2 + (int)rng_below(35);
		vm = minnow_strtoull(s, &em, base);
		vg = strtoull(s, &eg, base);
		record(vm == vg && em == eg, "strtoull(\"%s\", %d): expected "
		    "%llu end %td, got %llu end %td", s, base, vg, eg - s, vm,
		    em - s);
	}
	/* Bad bases: glibc leaves endp alone; we point it at the string. */
	for (base = -1; base <= 37; base += 38) {
		em = NULL;
		vm = minnow_strtoull("123", &em, base);
		record(vm == 0 && em != NULL && strcmp(em, "123") == 0,
		    "strtoull base %d", base);
	}
	vm = minnow_strtoull("42", NULL, 10);
	record(vm == 42, "strtoull with NULL endp");
}

/*
 * Bounded reads must stay in bounds: "abc" without its NUL is put just
 * before an unmapped page, where one byte too far is a crash.
 */
static void
test_guard_page(void)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	char buf[16], *m, *s;

	m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!record(m != MAP_FAILED && mprotect(m + pg, pg, PROT_NONE) == 0,
	    "mmap guard page"))
		return;
	s = m + pg - 3;
	memcpy(s, "abc", 3);
	record(minnow_strnlen(s, 3) == 3, "strnlen at a page end");
	record(minnow_memchr(s, 'z', 3) == NULL, "memchr at a page end");
	record(minnow_memcmp(s, "abc", 3) == 0, "memcmp at a page end");
	record(minnow_strncmp(s, "abc", 3) == 0, "strncmp at a page end");
	record(minnow_snprintf(buf, sizeof(buf), "%.3s|%.*s", s, 2, s) == 6 &&
	    strcmp(buf, "abc|ab") == 0, "%%.3s at a page end");
	munmap(m, 2 * pg);
}

/*
 * test_strings: every string and memory function against glibc.
 * => draws from the harness's random sequence: call it where main() does.
 */
void
test_strings(void)
{
	test_copies();
	test_mem_search();
	test_str_basic();
	test_strstr();
	test_strlcpy_strlcat();
	test_strtoull();
	test_guard_page();
}
