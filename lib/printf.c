/*
 * The formatting engine behind kprintf, snprintf and the test framework
 * (contract in lib/printf.h).
 *
 * A conversion specification is parsed into a struct fmt_spec, its
 * argument fetched at the width the length modifier names, and the result
 * laid out as
 *
 *	[spaces] [sign or 0x] [zeros from '0' flag] [zeros from precision]
 *	digits [spaces if left-justified]
 *
 * Everything is done in uintmax_t with the sign kept apart, so INT64_MIN
 * needs no special case.  On i386, decimal conversion divides in 64 bits
 * only while the value exceeds 32 bits; octal and hex use shifts.
 *
 * Choices where C leaves the behaviour open: '#' is ignored except with o
 * and x/X; '+' and ' ' only affect d and i; '0' only pads integers; %p
 * ignores every flag but '-', and any precision; "%%" takes no width;
 * length modifiers are ignored for c, s and p; "(null)" is cut by a
 * precision like any other string.  An unknown conversion (including %n
 * and the floating point ones) is echoed from its '%' and consumes no
 * argument other than those of a '*'.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lib/printf.h>
#include <lib/string.h>

/* %zd reads a ptrdiff_t and %tu a size_t: they must be the same size. */
_Static_assert(sizeof(size_t) == sizeof(ptrdiff_t),
    "size_t and ptrdiff_t differ in size");

#define	F_MINUS		0x01	/* left-justify in the field */
#define	F_PLUS		0x02	/* '+' before non-negative numbers */
#define	F_SPACE		0x04	/* ' ' before non-negative numbers */
#define	F_ALT		0x08	/* '#': 0x prefix, leading octal zero */
#define	F_ZERO		0x10	/* pad numbers with zeros, not spaces */

/* 64 bits in octal: the longest digit string we produce. */
#define	DIGITS_MAX	22

enum fmt_len {
	LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_J, LEN_T
};

struct fmt_spec {
	unsigned	fs_flags;
	size_t		fs_width;
	int		fs_prec;	/* -1: no precision given */
	enum fmt_len	fs_len;
	char		fs_conv;	/* '\0' if the format ended early */
};

struct fmt_out {
	kvformat_putc_t	fo_putc;
	void		*fo_arg;
	size_t		fo_count;
};

static void
out_char(struct fmt_out *o, char c)
{
	o->fo_putc((unsigned char)c, o->fo_arg);
	o->fo_count++;
}

static void
out_str(struct fmt_out *o, const char *s, size_t n)
{
	while (n-- > 0)
		out_char(o, *s++);
}

static void
out_pad(struct fmt_out *o, char c, size_t n)
{
	while (n-- > 0)
		out_char(o, c);
}

/* Parse digits; absurd values saturate instead of overflowing. */
static int
parse_decimal(const char **fmtp)
{
	const char *p = *fmtp;
	int v = 0;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (v <= (__INT_MAX__ - 9) / 10)
			v = v * 10 + (*p - '0');
		else
			v = __INT_MAX__;
	}
	*fmtp = p;
	return (v);
}

static const char *
parse_flags(const char *p, unsigned *flags)
{
	static const char names[] = "-+ #0";	/* in the order of F_* */
	const char *f;

	for (; *p != '\0' && (f = strchr(names, *p)) != NULL; p++)
		*flags |= 1u << (f - names);
	return (p);
}

/* Width: digits or '*'; a negative '*' width means '-' and its magnitude. */
static const char *
parse_width(const char *p, struct fmt_spec *sp, va_list *ap)
{
	int w;

	if (*p != '*') {
		sp->fs_width = (size_t)parse_decimal(&p);
		return (p);
	}
	w = va_arg(*ap, int);
	if (w < 0) {
		sp->fs_flags |= F_MINUS;
		/* Negate in unsigned arithmetic: -INT_MIN overflows int. */
		sp->fs_width = 0u - (unsigned)w;
	} else
		sp->fs_width = (size_t)w;
	return (p + 1);
}

/* Precision: ".", ".digits" or ".*"; a negative '*' means none given. */
static const char *
parse_prec(const char *p, struct fmt_spec *sp, va_list *ap)
{
	int v;

	sp->fs_prec = -1;
	if (*p != '.')
		return (p);
	p++;
	if (*p == '*') {
		v = va_arg(*ap, int);
		sp->fs_prec = v < 0 ? -1 : v;
		return (p + 1);
	}
	sp->fs_prec = parse_decimal(&p);
	return (p);
}

static const char *
parse_length(const char *p, enum fmt_len *len)
{
	switch (*p) {
	case 'h':
		*len = p[1] == 'h' ? LEN_HH : LEN_H;
		break;
	case 'l':
		*len = p[1] == 'l' ? LEN_LL : LEN_L;
		break;
	case 'z':
		*len = LEN_Z;
		break;
	case 'j':
		*len = LEN_J;
		break;
	case 't':
		*len = LEN_T;
		break;
	default:
		*len = LEN_NONE;
		return (p);
	}
	return (p + (*len == LEN_HH || *len == LEN_LL ? 2 : 1));
}

/*
 * Parse the specification after a '%' (p points past it) and return the
 * position after the conversion character, or at the NUL if the format
 * ends inside the specification.
 */
static const char *
parse_spec(const char *p, struct fmt_spec *sp, va_list *ap)
{
	sp->fs_flags = 0;
	p = parse_flags(p, &sp->fs_flags);
	p = parse_width(p, sp, ap);
	p = parse_prec(p, sp, ap);
	p = parse_length(p, &sp->fs_len);
	sp->fs_conv = *p;
	return (*p != '\0' ? p + 1 : p);
}

static intmax_t
fetch_signed(enum fmt_len len, va_list *ap)
{
	switch (len) {
	case LEN_HH:
		return ((signed char)va_arg(*ap, int));
	case LEN_H:
		return ((short)va_arg(*ap, int));
	case LEN_L:
		return (va_arg(*ap, long));
	case LEN_LL:
		return (va_arg(*ap, long long));
	case LEN_Z:
		return (va_arg(*ap, ptrdiff_t));
	case LEN_J:
		return (va_arg(*ap, intmax_t));
	case LEN_T:
		return (va_arg(*ap, ptrdiff_t));
	default:
		return (va_arg(*ap, int));
	}
}

static uintmax_t
fetch_unsigned(enum fmt_len len, va_list *ap)
{
	switch (len) {
	case LEN_HH:
		return ((unsigned char)va_arg(*ap, unsigned));
	case LEN_H:
		return ((unsigned short)va_arg(*ap, unsigned));
	case LEN_L:
		return (va_arg(*ap, unsigned long));
	case LEN_LL:
		return (va_arg(*ap, unsigned long long));
	case LEN_Z:
		return (va_arg(*ap, size_t));
	case LEN_J:
		return (va_arg(*ap, uintmax_t));
	case LEN_T:
		return (va_arg(*ap, size_t));
	default:
		return (va_arg(*ap, unsigned));
	}
}

/* Write the digits of v backwards, ending just before end; return count. */
static size_t
to_digits(char *end, uintmax_t v, unsigned base, bool upper)
{
	const char *xdigits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned shift = base == 8 ? 3 : 4;
	char *p = end;
	uint32_t w;

	if (base != 10) {
		do {
			*--p = xdigits[v & (base - 1)];
			v >>= shift;
		} while (v != 0);
		return ((size_t)(end - p));
	}
	/* 64-bit division only while the value needs it (libgcc on i386). */
	for (; v > UINT32_MAX; v /= 10)
		*--p = (char)('0' + v % 10);
	w = (uint32_t)v;
	do {
		*--p = (char)('0' + w % 10);
		w /= 10;
	} while (w != 0);
	return ((size_t)(end - p));
}

/*
 * Lay out a number: lead is the sign or "0x" chosen by the caller.  An
 * explicit precision turns the '0' flag off, and precision 0 with value 0
 * prints no digit at all (but '#' with o still prints its zero).
 */
static void
emit_number(struct fmt_out *o, const struct fmt_spec *sp, uintmax_t v,
    unsigned base, const char *lead)
{
	char buf[DIGITS_MAX];
	size_t ndig = 0, nzero = 0, nlead = strlen(lead), len, pad;
	bool zeropad;

	if (v != 0 || sp->fs_prec != 0)
		ndig = to_digits(buf + sizeof(buf), v, base,
		    sp->fs_conv == 'X');
	if (sp->fs_prec > 0 && (size_t)sp->fs_prec > ndig)
		nzero = (size_t)sp->fs_prec - ndig;
	if ((sp->fs_flags & F_ALT) && base == 8 && nzero == 0 &&
	    (ndig == 0 || buf[sizeof(buf) - ndig] != '0'))
		nzero = 1;
	len = nlead + nzero + ndig;
	pad = sp->fs_width > len ? sp->fs_width - len : 0;
	zeropad = (sp->fs_flags & (F_ZERO | F_MINUS)) == F_ZERO &&
	    sp->fs_prec < 0;
	if ((sp->fs_flags & F_MINUS) == 0 && !zeropad)
		out_pad(o, ' ', pad);
	out_str(o, lead, nlead);
	out_pad(o, '0', (zeropad ? pad : 0) + nzero);
	out_str(o, buf + sizeof(buf) - ndig, ndig);
	if (sp->fs_flags & F_MINUS)
		out_pad(o, ' ', pad);
}

static void
format_signed(struct fmt_out *o, const struct fmt_spec *sp, va_list *ap)
{
	intmax_t v = fetch_signed(sp->fs_len, ap);
	const char *lead = "";

	if (v < 0)
		lead = "-";
	else if (sp->fs_flags & F_PLUS)
		lead = "+";
	else if (sp->fs_flags & F_SPACE)
		lead = " ";
	/* Negate as unsigned so that INTMAX_MIN comes out right. */
	emit_number(o, sp, v < 0 ? -(uintmax_t)v : (uintmax_t)v, 10, lead);
}

static void
format_unsigned(struct fmt_out *o, const struct fmt_spec *sp, va_list *ap)
{
	uintmax_t v = fetch_unsigned(sp->fs_len, ap);
	unsigned base;
	const char *lead = "";

	switch (sp->fs_conv) {
	case 'o':
		base = 8;
		break;
	case 'x':
	case 'X':
		base = 16;
		/* C: '#' prefixes nonzero values only. */
		if ((sp->fs_flags & F_ALT) && v != 0)
			lead = sp->fs_conv == 'x' ? "0x" : "0X";
		break;
	default:
		base = 10;
		break;
	}
	emit_number(o, sp, v, base, lead);
}

/* %p: "0x" and every hex digit of the pointer, whatever the flags say. */
static void
format_pointer(struct fmt_out *o, const struct fmt_spec *sp, va_list *ap)
{
	struct fmt_spec ps = *sp;
	uintptr_t v = (uintptr_t)va_arg(*ap, void *);

	ps.fs_flags &= F_MINUS;
	ps.fs_prec = (int)sizeof(void *) * 2;
	ps.fs_conv = 'x';
	emit_number(o, &ps, v, 16, "0x");
}

/* Write n characters of s in the field, padded with spaces. */
static void
emit_field(struct fmt_out *o, const struct fmt_spec *sp, const char *s,
    size_t n)
{
	size_t pad = sp->fs_width > n ? sp->fs_width - n : 0;

	if ((sp->fs_flags & F_MINUS) == 0)
		out_pad(o, ' ', pad);
	out_str(o, s, n);
	if (sp->fs_flags & F_MINUS)
		out_pad(o, ' ', pad);
}

static void
format_string(struct fmt_out *o, const struct fmt_spec *sp, va_list *ap)
{
	const char *s = va_arg(*ap, const char *);
	size_t n;

	if (s == NULL)
		s = "(null)";
	/* With a precision, s need not be terminated: look no further. */
	if (sp->fs_prec >= 0)
		n = strnlen(s, (size_t)sp->fs_prec);
	else
		n = strlen(s);
	emit_field(o, sp, s, n);
}

/* Format one conversion; false if the conversion is not one we know. */
static bool
format_one(struct fmt_out *o, const struct fmt_spec *sp, va_list *ap)
{
	char c;

	switch (sp->fs_conv) {
	case 'd':
	case 'i':
		format_signed(o, sp, ap);
		return (true);
	case 'u':
	case 'o':
	case 'x':
	case 'X':
		format_unsigned(o, sp, ap);
		return (true);
	case 'c':
		c = (char)va_arg(*ap, int);
		emit_field(o, sp, &c, 1);
		return (true);
	case 's':
		format_string(o, sp, ap);
		return (true);
	case 'p':
		format_pointer(o, sp, ap);
		return (true);
	case '%':
		out_char(o, '%');
		return (true);
	default:
		return (false);
	}
}

int
kvformat(kvformat_putc_t putc, void *arg, const char *fmt, va_list ap)
{
	struct fmt_out o = { putc, arg, 0 };
	struct fmt_spec sp;
	const char *spec;
	va_list aq;

	/*
	 * The helpers take a va_list *, and where va_list is an array type
	 * (x86_64) &ap of a parameter is not one: work on a copy.
	 */
	va_copy(aq, ap);
	while (*fmt != '\0') {
		if (*fmt != '%') {
			out_char(&o, *fmt++);
			continue;
		}
		spec = fmt;
		fmt = parse_spec(fmt + 1, &sp, &aq);
		if (!format_one(&o, &sp, &aq))
			out_str(&o, spec, (size_t)(fmt - spec));
	}
	va_end(aq);
	/* C has no way to report more than INT_MAX characters but an error. */
	return (o.fo_count > __INT_MAX__ ? -1 : (int)o.fo_count);
}

struct snbuf {
	char	*sb_p;
	size_t	 sb_room;	/* characters that still fit before the NUL */
};

static void
snbuf_putc(int c, void *arg)
{
	struct snbuf *sb = arg;

	if (sb->sb_room > 0) {
		*sb->sb_p++ = (char)c;
		sb->sb_room--;
	}
}

int
vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct snbuf sb = { buf, size > 0 ? size - 1 : 0 };
	int n;

	n = kvformat(snbuf_putc, &sb, fmt, ap);
	if (size > 0)
		*sb.sb_p = '\0';
	return (n);
}

int
snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return (n);
}
