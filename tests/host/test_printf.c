/*
 * Host test of lib/printf.c against glibc (run by tests/host/test_lib.c).
 *
 * Every combination of flags, width, precision (digits and '*'), length
 * modifier and integer conversion over edge values, plus %c, %s, %p, %%
 * and unknown conversions.  glibc's snprintf is the reference, except
 * where lib/printf.h defines something C does not: %p (always 0x and
 * every digit) and unknown conversions (echoed), whose expected text is
 * built with glibc from the documented rule.  Combinations C leaves
 * undefined are not generated: '#' with d, i, u; flags other than '-' and
 * precision with c; '0' '+' ' ' '#' with s; NULL for %s with a precision
 * below 6.  Each case also checks kvformat() directly and vsnprintf
 * truncation (size 0 with a NULL buffer, 1, half, exact).
 */
#include <lib/printf.h>
#include <lib/string.h>
#define	MINNOW_UNRENAME
#include "rename.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "test_lib.h"

#define	SPECSZ		64

enum argtype {
	A_INT, A_UINT, A_SCHAR, A_UCHAR, A_SHORT, A_USHORT, A_LONG, A_ULONG,
	A_LLONG, A_ULLONG, A_SSIZE, A_SIZE, A_INTMAX, A_UINTMAX, A_PTRDIFF,
	A_UPTRDIFF, A_STR, A_PTR
};

/* One call: our format and glibc's (often the same) with one argument. */
struct pcase {
	char		 fmt[SPECSZ];
	char		 ref[SPECSZ];
	enum argtype	 type, rtype;
	uint64_t	 bits;		/* integer argument, cut to type */
	const void	*ptr, *rptr;	/* pointer/string argument */
	int		 nstar;		/* '*' ints passed before it */
	int		 star[2];
};

typedef int (*fmt_fn)(char *, size_t, const char *, ...);

#define	CALL(f, b, n, fmt, pc, arg)					\
	((pc)->nstar == 0 ? f(b, n, fmt, arg) :				\
	    (pc)->nstar == 1 ? f(b, n, fmt, (pc)->star[0], arg) :	\
	    f(b, n, fmt, (pc)->star[0], (pc)->star[1], arg))

static int
call_signed(fmt_fn f, char *b, size_t n, const char *fmt,
    const struct pcase *pc, enum argtype t)
{
	switch (t) {
	case A_SCHAR:
		return (CALL(f, b, n, fmt, pc, (signed char)pc->bits));
	case A_SHORT:
		return (CALL(f, b, n, fmt, pc, (short)pc->bits));
	case A_LONG:
		return (CALL(f, b, n, fmt, pc, (long)pc->bits));
	case A_LLONG:
		return (CALL(f, b, n, fmt, pc, (long long)pc->bits));
	case A_SSIZE:
	case A_PTRDIFF:
		return (CALL(f, b, n, fmt, pc, (ptrdiff_t)pc->bits));
	case A_INTMAX:
		return (CALL(f, b, n, fmt, pc, (intmax_t)pc->bits));
	default:
		return (CALL(f, b, n, fmt, pc, (int)pc->bits));
	}
}

static int
call_fmt(fmt_fn f, char *b, size_t n, const char *fmt,
    const struct pcase *pc, enum argtype t, const void *ptr)
{
	switch (t) {
	case A_UINT:
		return (CALL(f, b, n, fmt, pc, (unsigned)pc->bits));
	case A_UCHAR:
		return (CALL(f, b, n, fmt, pc, (unsigned char)pc->bits));
	case A_USHORT:
		return (CALL(f, b, n, fmt, pc, (unsigned short)pc->bits));
	case A_ULONG:
		return (CALL(f, b, n, fmt, pc, (unsigned long)pc->bits));
	case A_ULLONG:
		return (CALL(f, b, n, fmt, pc, (unsigned long long)pc->bits));
	case A_SIZE:
	case A_UPTRDIFF:
		return (CALL(f, b, n, fmt, pc, (size_t)pc->bits));
	case A_UINTMAX:
		return (CALL(f, b, n, fmt, pc, (uintmax_t)pc->bits));
	case A_STR:
		return (CALL(f, b, n, fmt, pc, (const char *)ptr));
	case A_PTR:
		return (CALL(f, b, n, fmt, pc, ptr));
	default:
		return (call_signed(f, b, n, fmt, pc, t));
	}
}

struct collect {
	char	*buf;
	size_t	 len;
};

static void
collect_putc(int c, void *arg)
{
	struct collect *cl = arg;

	if (cl->len < BUFSZ - 1)
		cl->buf[cl->len++] = (char)c;
}

/* kvformat() straight into buf (BUFSZ bytes), in snprintf's shape. */
static int
kv_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	struct collect cl = { buf, 0 };
	va_list ap;
	int r;

	(void)size;
	va_start(ap, fmt);
	r = kvformat(collect_putc, &cl, fmt, ap);
	va_end(ap);
	buf[cl.len] = '\0';
	return (r);
}

/* snprintf into a small size: the prefix, a NUL, nothing written past. */
static bool
check_trunc(const struct pcase *pc, const char *want, int rw, size_t size)
{
	char buf[BUFSZ];
	size_t keep, i;
	bool ok;
	int r;

	keep = size == 0 ? 0 : ((size_t)rw < size ? (size_t)rw : size - 1);
	memset(buf, 0x5a, sizeof(buf));
	r = call_fmt(minnow_snprintf, size == 0 ? NULL : buf, size, pc->fmt,
	    pc, pc->type, pc->ptr);
	ok = r == rw && memcmp(buf, want, keep) == 0 &&
	    (size == 0 || buf[keep] == '\0');
	for (i = keep + (size != 0); i < sizeof(buf) && ok; i++)
		ok = (unsigned char)buf[i] == 0x5a;
	return (check(ok, "snprintf size %zu: fmt \"%s\": expected %d %s, "
	    "got %d %s", size, pc->fmt, rw, esc(want, keep), r,
	    esc(buf, keep + 1)));
}

/*
 * Our snprintf and kvformat against the reference, then one truncated
 * size, rotating over 0 (NULL buffer), 1, half and exact.
 */
static void
run_pcase(const struct pcase *pc)
{
	static unsigned rot;
	char want[BUFSZ], got[BUFSZ], kv[BUFSZ];
	size_t sizes[4];
	int rw, rg, rk;

	rw = call_fmt(snprintf, want, sizeof(want), pc->ref, pc, pc->rtype,
	    pc->rptr);
	rg = call_fmt(minnow_snprintf, got, sizeof(got), pc->fmt, pc,
	    pc->type, pc->ptr);
	rk = call_fmt(kv_snprintf, kv, sizeof(kv), pc->fmt, pc, pc->type,
	    pc->ptr);
	sizes[0] = 0;
	sizes[1] = 1;
	sizes[2] = (size_t)rw / 2 + 1;
	sizes[3] = (size_t)rw;
	tally(check(rw >= 0 && rw < BUFSZ - 1, "bad case \"%s\"", pc->ref) &&
	    check(rg == rw && memcmp(want, got, (size_t)rw + 1) == 0,
	    "fmt \"%s\" (glibc \"%s\"): expected %d %s, got %d %s", pc->fmt,
	    pc->ref, rw, esc(want, (size_t)rw), rg, esc(got, (size_t)rg)) &&
	    check(rk == rw && memcmp(want, kv, (size_t)rw) == 0,
	    "kvformat \"%s\": expected %d %s, got %d %s", pc->fmt, rw,
	    esc(want, (size_t)rw), rk, esc(kv, (size_t)rk)) &&
	    check_trunc(pc, want, rw, sizes[rot++ % 4]));
}

/* Parts of a conversion spec; width and precision may be these or >= 0. */
#define	NONE		(-1)
#define	STAR		(-2)
#define	DOT		(-3)	/* precision "." alone: zero */

struct spec {
	const char	*flags;
	int		 width, prec;
	const char	*len;
};

static const int	wstars[] = { -9, 0, 9 };
static const int	pstars[] = { -3, 0, 5 };

/* "<%" spec conv ">": text around it checks the literal copying too. */
static void
spec_text(char *buf, const struct spec *sp, char conv)
{
	char w[16] = "", p[16] = "";

	if (sp->width == STAR)
		strcpy(w, "*");
	else if (sp->width >= 0)
		snprintf(w, sizeof(w), "%d", sp->width);
	if (sp->prec == STAR || sp->prec == DOT)
		strcpy(p, sp->prec == STAR ? ".*" : ".");
	else if (sp->prec >= 0)
		snprintf(p, sizeof(p), ".%d", sp->prec);
	snprintf(buf, SPECSZ, "<%%%s%s%s%s%c>", sp->flags, w, p, sp->len,
	    conv);
}

/* Run pc once per value of each '*' in sp (both formats share them). */
static void
run_stars(struct pcase *pc, const struct spec *sp)
{
	size_t i, j, nw, np;

	nw = sp->width == STAR ? sizeof(wstars) / sizeof(wstars[0]) : 1;
	np = sp->prec == STAR ? sizeof(pstars) / sizeof(pstars[0]) : 1;
	for (i = 0; i < nw; i++) {
		for (j = 0; j < np; j++) {
			pc->nstar = 0;
			if (sp->width == STAR)
				pc->star[pc->nstar++] = wstars[i];
			if (sp->prec == STAR)
				pc->star[pc->nstar++] = pstars[j];
			run_pcase(pc);
		}
	}
}

/* The value an argument of type t has after the caller's conversion. */
static uint64_t
cut(enum argtype t, uint64_t v)
{
	switch (t) {
	case A_SCHAR:
		return ((uint64_t)(int64_t)(signed char)v);
	case A_UCHAR:
		return ((unsigned char)v);
	case A_SHORT:
		return ((uint64_t)(int64_t)(short)v);
	case A_USHORT:
		return ((unsigned short)v);
	case A_INT:
		return ((uint64_t)(int64_t)(int)v);
	case A_UINT:
		return ((unsigned)v);
	case A_LONG:
	case A_SSIZE:
	case A_PTRDIFF:
		return ((uint64_t)(int64_t)(long)v);
	case A_ULONG:
	case A_SIZE:
	case A_UPTRDIFF:
		return ((unsigned long)v);
	default:
		return (v);
	}
}

static const uint64_t	edge_values[] = {
	0, 1, 2, 7, 8, 9, 10, 15, 16, 63, 64, 99, 100, 127, 128, 255, 256,
	1000, 4095, 32767, 32768, 65535, 65536, 999999999, 1000000000,
	0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 9999999999,
	0x123456789abcdef0, 0x8ac7230489e7ffff, 0x8ac7230489e80000,
	0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000001,
	0xfffffffffffffffe, 0xffffffffffffffff, (uint64_t)-9, (uint64_t)-10,
	(uint64_t)-100, (uint64_t)-128, (uint64_t)-129, (uint64_t)-32768,
	(uint64_t)-32769, (uint64_t)-2147483647 - 1, (uint64_t)-2147483649,
};
#define	NEDGE	(sizeof(edge_values) / sizeof(edge_values[0]))
#define	NRANDOM	4
#define	NVALUES	(NEDGE + NRANDOM)

/* The distinct values of each argument type, edge and random ones. */
static uint64_t	type_values[A_UPTRDIFF + 1][NVALUES];
static size_t	type_nvalues[A_UPTRDIFF + 1];

static void
init_values(void)
{
	uint64_t all[NVALUES], v;
	size_t i, j, t;

	memcpy(all, edge_values, sizeof(edge_values));
	for (i = NEDGE; i < NVALUES; i++) {
		v = rng();
		all[i] = v >> rng_below(64);	/* all magnitudes */
	}
	for (t = 0; t <= A_UPTRDIFF; t++) {
		for (i = 0; i < NVALUES; i++) {
			v = cut((enum argtype)t, all[i]);
			for (j = 0; j < type_nvalues[t]; j++)
				if (type_values[t][j] == v)
					break;
			if (j == type_nvalues[t])
				type_values[t][type_nvalues[t]++] = v;
		}
	}
}

static const char	*flag_sets[32];

/* Every subset of the five flags, as the strings "", "-", "+", "-+"... */
static void
init_flag_sets(void)
{
	static char store[32][6];
	int m, b, n;

	for (m = 0; m < 32; m++) {
		for (b = n = 0; b < 5; b++)
			if (m & (1 << b))
				store[m][n++] = "-+ #0"[b];
		store[m][n] = '\0';
		flag_sets[m] = store[m];
	}
}

static const int	int_widths[] = { NONE, 1, 6, 23, STAR };
static const int	int_precs[] = { NONE, DOT, 0, 1, 4, 25, STAR };

/* All widths, precisions and values for one conversion, length, flags. */
static void
gen_int_fields(char conv, const char *len, enum argtype t, const char *flags)
{
	struct pcase pc = { .type = t, .rtype = t };
	struct spec sp = { flags, NONE, NONE, len };
	size_t w, p, v;

	for (w = 0; w < sizeof(int_widths) / sizeof(int_widths[0]); w++) {
		for (p = 0; p < sizeof(int_precs) / sizeof(int_precs[0]); p++) {
			sp.width = int_widths[w];
			sp.prec = int_precs[p];
			spec_text(pc.fmt, &sp, conv);
			strcpy(pc.ref, pc.fmt);
			for (v = 0; v < type_nvalues[t]; v++) {
				pc.bits = type_values[t][v];
				run_stars(&pc, &sp);
			}
		}
	}
}

static void
gen_integers(void)
{
	static const char *lens[] = { "", "hh", "h", "l", "ll", "z", "j", "t" };
	static const enum argtype stype[] = { A_INT, A_SCHAR, A_SHORT, A_LONG,
	    A_LLONG, A_SSIZE, A_INTMAX, A_PTRDIFF };
	static const enum argtype utype[] = { A_UINT, A_UCHAR, A_USHORT,
	    A_ULONG, A_ULLONG, A_SIZE, A_UINTMAX, A_UPTRDIFF };
	const char *conv;
	bool sgn;
	int l, f;

	for (conv = "diuoxX"; *conv != '\0'; conv++) {
		sgn = *conv == 'd' || *conv == 'i';
		for (l = 0; l < 8; l++) {
			for (f = 0; f < 32; f++) {
				/* C: '#' with d, i, u is undefined. */
				if (strchr(flag_sets[f], '#') != NULL &&
				    strchr("diu", *conv) != NULL)
					continue;
				gen_int_fields(*conv, lens[l],
				    sgn ? stype[l] : utype[l], flag_sets[f]);
			}
		}
	}
}

/* %c: width and '-' only (other flags and precision are undefined). */
static void
gen_chars(void)
{
	static const int widths[] = { NONE, 1, 4, STAR };
	static const int chars[] = { 'A', 'z', ' ', '%', 0, 0x80, 0xff,
	    0x141, -1 };
	struct pcase pc = { .type = A_INT, .rtype = A_INT };
	struct spec sp = { "", NONE, NONE, "" };
	size_t f, w, c;

	for (f = 0; f < 2; f++) {
		for (w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
			sp.flags = f ? "-" : "";
			sp.width = widths[w];
			spec_text(pc.fmt, &sp, 'c');
			strcpy(pc.ref, pc.fmt);
			for (c = 0; c < sizeof(chars) / sizeof(chars[0]); c++) {
				pc.bits = (uint64_t)(int64_t)chars[c];
				run_stars(&pc, &sp);
			}
		}
	}
}

static const char	*const strings[] = {
	"", "a", "hello", "hello, world!", NULL
};

/* glibc prints "" for NULL when the precision is below 6; we do not. */
static bool
null_ok(int prec)
{
	return (prec == NONE || prec >= 6);
}

static void
gen_strings(void)
{
	static const int widths[] = { NONE, 1, 5, 14, STAR };
	static const int precs[] = { NONE, DOT, 0, 2, 5, 6, 20, STAR };
	struct pcase pc = { .type = A_STR, .rtype = A_STR };
	struct spec sp = { "", NONE, NONE, "" };
	size_t n, i;

	for (n = 0; n < 2 * 5 * 8; n++) {
		sp.flags = n % 2 ? "-" : "";
		sp.width = widths[n / 2 % 5];
		sp.prec = precs[n / 10];
		spec_text(pc.fmt, &sp, 's');
		strcpy(pc.ref, pc.fmt);
		for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
			if (strings[i] == NULL && !null_ok(sp.prec))
				continue;
			pc.ptr = pc.rptr = strings[i];
			run_stars(&pc, &sp);
		}
	}
}

/*
 * %p against "%s" of the documented text: "0x" and 2 * sizeof(void *)
 * digits; only '-' and the width count, other flags and a precision are
 * ignored.
 */
static void
gen_pointers(void)
{
	static const int widths[] = { NONE, 1, 10, 18, 20, STAR };
	const void *ptrs[] = { NULL, (void *)1, &npass,
	    (void *)(uintptr_t)0xdeadbeef, (void *)UINTPTR_MAX,
	    (void *)(uintptr_t)rng() };
	static char text[sizeof(ptrs) / sizeof(ptrs[0])][40];
	struct pcase pc = { .type = A_PTR, .rtype = A_STR };
	struct spec sp = { "", NONE, NONE, "" }, rsp;
	size_t n, i;

	for (i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++)
		snprintf(text[i], sizeof(text[i]), "0x%0*jx",
		    (int)(2 * sizeof(void *)), (uintmax_t)(uintptr_t)ptrs[i]);
	for (n = 0; n < 32 * 6 * 2; n++) {
		sp.flags = flag_sets[n % 32];
		sp.width = widths[n / 32 % 6];
		sp.prec = n / 192 ? 3 : NONE;
		rsp = (struct spec){ strchr(sp.flags, '-') ? "-" : "", sp.width,
		    NONE, "" };
		spec_text(pc.fmt, &sp, 'p');
		spec_text(pc.ref, &rsp, 's');
		for (i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++) {
			pc.ptr = ptrs[i];
			pc.rptr = text[i];
			run_stars(&pc, &sp);
		}
	}
}

/* Our format, and glibc's with every '%' doubled: the echoed text. */
static void
run_echo(const char *fmt, int nstar)
{
	struct pcase pc = { .type = A_INT, .rtype = A_INT, .bits = 77 };
	char *r = pc.ref;
	const char *p;

	snprintf(pc.fmt, sizeof(pc.fmt), "%s", fmt);
	for (p = fmt; *p != '\0'; p++) {
		if (*p == '%')
			*r++ = '%';
		*r++ = *p;
	}
	*r = '\0';
	pc.nstar = nstar;
	pc.star[0] = pc.star[1] = 12;
	run_pcase(&pc);
}

/* Unknown conversions, and formats that end inside a specification. */
static void
gen_unknown(void)
{
	static const char *pre[] = { "", "-", "08", "-+ #0", "5", ".3",
	    "-10.4l", "l", "ll", "hh", "z", "j", "*", ".*", "*.*" };
	static const char *ends[] = { "%", "a%", "%-", "%5", "%.", "%08.3",
	    "%l", "%hh" };
	char fmt[SPECSZ];
	const char *conv;
	size_t i;

	for (i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		for (conv = "qkbwyLmnfeEgGaA"; *conv != '\0'; conv++) {
			snprintf(fmt, sizeof(fmt), "<%%%s%c>", pre[i], *conv);
			run_echo(fmt, (int)(strchr(pre[i], '*') != NULL) +
			    (int)(strstr(pre[i], "*.*") != NULL));
		}
	}
	for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
		run_echo(ends[i], 0);
}

/* Several conversions in one format, literal text, "%%". */
static void
gen_mixed(void)
{
	char want[BUFSZ], got[BUFSZ];
	int rw, rg;

#define	MIXED(...) do {							\
	rw = snprintf(want, sizeof(want), __VA_ARGS__);			\
	rg = minnow_snprintf(got, sizeof(got), __VA_ARGS__);		\
	record(rw == rg && strcmp(want, got) == 0,			\
	    "mixed: expected %d %s, got %d %s", rw, esc(want, strlen(want)),\
	    rg, esc(got, strlen(got)));					\
} while (0)
	MIXED("%%");
	MIXED("100%% of %d%%", 42);
	MIXED("%d|%s|%5.2x|%c|%%|%-4u|", -5, "str", 0xabu, 'q', 7u);
	MIXED("%lld %llu %llx", (long long)INT64_MIN, (unsigned long long)
	    UINT64_MAX, 0x1234567890abcdefULL);
	MIXED("%jd %ju %zd %zu %td", INTMAX_MIN, UINTMAX_MAX, (ptrdiff_t)-1,
	    SIZE_MAX, PTRDIFF_MIN);
	MIXED("%*d|%-*d|%.*s|%*.*d", 6, 1, 6, 2, 3, "abcdef", -8, 4, 3);
	MIXED("%hhd %hhu %hd %hu", (signed char)-1, (unsigned char)0xff,
	    (short)-2, (unsigned short)0xfffe);
	MIXED("no conversions at all");
	MIXED("%s", "");
#undef	MIXED
}

/*
 * test_printf: every generated printf case, in a fixed order.
 * => draws from the harness's random sequence: call it where main() does.
 */
void
test_printf(void)
{
	init_flag_sets();
	init_values();
	gen_integers();
	gen_chars();
	gen_strings();
	gen_pointers();
	gen_unknown();
	gen_mixed();
}
