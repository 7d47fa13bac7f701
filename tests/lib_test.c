/*
 * Suite "lib": the freestanding string and printf code (lib/string.c,
 * lib/printf.c) checked inside the kernel, with the kernel's compiler
 * flags, on both architectures (lists and bitmaps: lib_list_test.c).
 * Expected values are those of the C standard or of our headers'
 * contracts.  tests/host/test_lib.c compares
 * the same string and printf code with glibc on millions of generated
 * cases; these are the readable, targeted checks of each rule.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kernel/ktest.h>
#include <lib/printf.h>
#include <lib/string.h>

/* No <limits.h> in the kernel: gcc's predefined macros give the same. */
#define	INT_MAX		__INT_MAX__
#define	INT_MIN		(-__INT_MAX__ - 1)
#define	UINT_MAX	(__INT_MAX__ * 2U + 1U)
#define	LP64		(sizeof(long) == 8)
#define	PTR64		(sizeof(void *) == 8)

static char	tb[256];

/* snprintf into tb, checked by the compiler's format warnings; yields tb. */
#define	FMT(...)	(snprintf(tb, sizeof(tb), __VA_ARGS__), tb)

/*
 * The same without the compiler's check, for formats it rightly warns
 * about but whose result C (or lib/printf.h) still defines.
 */
static const char *
ufmt(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tb, sizeof(tb), fmt, ap);
	va_end(ap);
	return (tb);
}

/* "0x" and every hex digit of v, built without printf: %p's contract. */
static const char *
ptr_text(char *buf, uintptr_t v)
{
	size_t i, n = sizeof(void *) * 2;

	buf[0] = '0';
	buf[1] = 'x';
	for (i = 0; i < n; i++)
		buf[2 + i] = "0123456789abcdef"[(v >> (4 * (n - 1 - i))) & 0xf];
	buf[2 + n] = '\0';
	return (buf);
}

/* ------------------------------------------------------------ string */

KTEST(lib, memcpy_and_memset_write_exactly_n)
{
	char d[12];
	size_t zero = 0;

	memset(d, 'x', sizeof(d));
	KT_EXPECT_TRUE(memcpy(d + 1, "abcdef", 5) == d + 1);
	KT_EXPECT_TRUE(memcpy(d, "zzz", zero) == d);
	KT_EXPECT_EQ(memcmp(d, "xabcdexxxxxx", sizeof(d)), 0);
	KT_EXPECT_TRUE(memset(d + 2, 0x1a5, 4) == d + 2);	/* low byte */
	KT_EXPECT_EQ(memcmp(d, "xa\xa5\xa5\xa5\xa5xxxxxx", sizeof(d)), 0);
	memset(d, -1, 1);
	memset(d + 1, 'q', zero);
	KT_EXPECT_EQ(memcmp(d, "\xff" "a\xa5\xa5\xa5\xa5xxxxxx", sizeof(d)), 0);
}

KTEST(lib, memmove_overlap_both_directions)
{
	char b[11] = "0123456789";

	KT_EXPECT_TRUE(memmove(b + 2, b, 6) == b + 2);	/* dst above src */
	KT_EXPECT_STREQ(b, "0101234589");
	memcpy(b, "0123456789", 10);
	KT_EXPECT_TRUE(memmove(b, b + 2, 6) == b);	/* dst below src */
	KT_EXPECT_STREQ(b, "2345676789");
	memmove(b, b, 10);
	KT_EXPECT_STREQ(b, "2345676789");
	memmove(b + 1, b, 0);
	KT_EXPECT_STREQ(b, "2345676789");
}

/* Every source/destination offset and length in a small window. */
KTEST(lib, memmove_matches_reference_for_all_overlaps)
{
	char b[40], tmp[16], want[40];
	int s, d, n, i, bad = 0;

	for (s = 0; s < 16; s++) {
		for (d = 0; d < 16; d++) {
			for (n = 0; n <= 16; n++) {
				for (i = 0; i < 40; i++)
					b[i] = want[i] = (char)('A' + i);
				for (i = 0; i < n; i++)
					tmp[i] = want[s + i];
				for (i = 0; i < n; i++)
					want[d + i] = tmp[i];
				memmove(b + d, b + s, (size_t)n);
				bad += memcmp(b, want, sizeof(b)) != 0;
			}
		}
	}
	KT_EXPECT_EQ(bad, 0);
}

KTEST(lib, memcmp_and_memchr)
{
	const char *s = "hello\0\x80z";

	KT_EXPECT_EQ(memcmp("abc", "abc", 3), 0);
	KT_EXPECT_SLT(memcmp("abcX", "abdA", 4), 0);
	KT_EXPECT_SLT(0, memcmp("\x80", "\x7f", 1));	/* unsigned bytes */
	KT_EXPECT_EQ(memcmp("a", "b", 0), 0);
	KT_EXPECT_TRUE(memchr(s, 'l', 8) == s + 2);
	KT_EXPECT_NULL(memchr(s, 'l', 2));
	KT_EXPECT_TRUE(memchr(s, 'l' + 256, 8) == s + 2);
	KT_EXPECT_TRUE(memchr(s, '\0', 8) == s + 5);
	KT_EXPECT_TRUE(memchr(s, 0x80, 8) == s + 6);
	KT_EXPECT_TRUE(memchr(s, -128, 8) == s + 6);
	KT_EXPECT_NULL(memchr(s, 'h', 0));
}

KTEST(lib, strlen_and_strnlen)
{
	const char raw[4] = { 'a', 'b', 'c', 'd' };	/* no NUL */

	KT_EXPECT_EQ(strlen(""), 0);
	KT_EXPECT_EQ(strlen("abc"), 3);
	KT_EXPECT_EQ(strnlen("abc", 0), 0);
	KT_EXPECT_EQ(strnlen("abc", 2), 2);
	KT_EXPECT_EQ(strnlen("abc", 3), 3);
	KT_EXPECT_EQ(strnlen("abc", 100), 3);
	KT_EXPECT_EQ(strnlen(raw, sizeof(raw)), 4);
}

KTEST(lib, strcmp_and_strncmp_order)
{
	KT_EXPECT_EQ(strcmp("", ""), 0);
	KT_EXPECT_EQ(strcmp("abc", "abc"), 0);
	KT_EXPECT_SLT(strcmp("abc", "abd"), 0);
	KT_EXPECT_SLT(0, strcmp("abd", "abc"));
	KT_EXPECT_SLT(strcmp("ab", "abc"), 0);
	KT_EXPECT_SLT(0, strcmp("\x80", "a"));		/* unsigned chars */
	KT_EXPECT_EQ(strncmp("abcd", "abce", 3), 0);
	KT_EXPECT_SLT(strncmp("abcd", "abce", 4), 0);
	KT_EXPECT_EQ(strncmp("x", "y", 0), 0);
	KT_EXPECT_SLT(strncmp("ab", "abc", 5), 0);
	KT_EXPECT_EQ(strncmp("ab\0x", "ab\0y", 4), 0);	/* stops at NUL */
}

KTEST(lib, strchr_and_strrchr)
{
	const char *s = "a/b/c";

	KT_EXPECT_TRUE(strchr(s, '/') == s + 1);
	KT_EXPECT_TRUE(strrchr(s, '/') == s + 3);
	KT_EXPECT_TRUE(strchr(s, '/' + 256) == s + 1);	/* (char)c */
	KT_EXPECT_NULL(strchr(s, 'z'));
	KT_EXPECT_NULL(strrchr(s, 'z'));
	KT_EXPECT_TRUE(strchr(s, '\0') == s + 5);	/* the terminator */
	KT_EXPECT_TRUE(strrchr(s, '\0') == s + 5);
	KT_EXPECT_NULL(strchr("", 'a'));
	KT_EXPECT_TRUE(strrchr("\x80x\x80", 0x80) != NULL);
}

KTEST(lib, strstr_finds_first_occurrence)
{
	const char *h = "abcabcab";

#define	OFF(p)	((p) == NULL ? -1 : (intptr_t)((p) - h))
	KT_EXPECT_SEQ(OFF(strstr(h, "cab")), 2);	/* first of two */
	KT_EXPECT_SEQ(OFF(strstr(h, "abcab")), 0);
	KT_EXPECT_SEQ(OFF(strstr(h, "b")), 1);
	KT_EXPECT_SEQ(OFF(strstr(h, "")), 0);		/* empty needle */
#undef	OFF
	KT_EXPECT_NOTNULL(strstr("", ""));
	KT_EXPECT_NULL(strstr(h, "abd"));		/* partial match */
	KT_EXPECT_NULL(strstr(h, "abcabcabc"));	/* longer than h */
	KT_EXPECT_NULL(strstr("", "a"));
}

KTEST(lib, strlcpy_truncates_and_returns_source_length)
{
	char d[8];

	KT_EXPECT_EQ(strlcpy(d, "hello", sizeof(d)), 5);
	KT_EXPECT_STREQ(d, "hello");
	KT_EXPECT_EQ(strlcpy(d, "1234567", sizeof(d)), 7);	/* fits */
	KT_EXPECT_STREQ(d, "1234567");
	KT_EXPECT_EQ(strlcpy(d, "hello world", sizeof(d)), 11);
	KT_EXPECT_STREQ(d, "hello w");
	KT_EXPECT_EQ(strlcpy(d, "hello", 1), 5);
	KT_EXPECT_STREQ(d, "");
	memset(d, 'Z', sizeof(d));
	KT_EXPECT_EQ(strlcpy(d, "abc", 0), 3);		/* writes nothing */
	KT_EXPECT_EQ(d[0], 'Z');
}

KTEST(lib, strlcat_truncates_and_returns_total_length)
{
	char d[8] = "abc";

	KT_EXPECT_EQ(strlcat(d, "de", sizeof(d)), 5);
	KT_EXPECT_STREQ(d, "abcde");
	KT_EXPECT_EQ(strlcat(d, "fghij", sizeof(d)), 10);
	KT_EXPECT_STREQ(d, "abcdefg");
	KT_EXPECT_EQ(strlcat(d, "x", sizeof(d)), 8);	/* already full */
	KT_EXPECT_STREQ(d, "abcdefg");
	/* No NUL within size: size + strlen(src), dst left alone. */
	KT_EXPECT_EQ(strlcat(d, "xy", 4), 6);
	KT_EXPECT_STREQ(d, "abcdefg");
	KT_EXPECT_EQ(strlcat(d, "xy", 0), 2);
	strlcpy(d, "ab", sizeof(d));
	KT_EXPECT_EQ(strlcat(d, "", sizeof(d)), 2);
	KT_EXPECT_STREQ(d, "ab");
}

/* Value and end pointer (as the unparsed rest) for each base. */
KTEST(lib, strtoull_bases_prefixes_and_end_pointer)
{
	static const struct {
		const char	*s;
		int		 base;
		uint64_t	 v;
		const char	*rest;
	} c[] = {
		{ "0", 10, 0, "" }, { "12345", 10, 12345, "" },
		{ "ff", 16, 255, "" }, { "FF", 16, 255, "" },
		{ "777", 8, 511, "" }, { "101", 2, 5, "" },
		{ "zZ", 36, 1295, "" },
		{ "18446744073709551615", 10, UINT64_MAX, "" },
		{ "ffffffffffffffff", 16, UINT64_MAX, "" },
		{ "1777777777777777777777", 8, UINT64_MAX, "" },
		{ "129", 2, 1, "29" },		/* 2 is no binary digit */
		{ "123", 1, 0, "123" }, { "123", 37, 0, "123" },  /* bad */
		{ "0x1A", 0, 26, "" }, { "0X1a", 0, 26, "" },
		{ "017", 0, 15, "" }, { "0", 0, 0, "" }, { "08", 0, 0, "8" },
		{ "9z", 0, 9, "z" }, { "0x", 0, 0, "x" },
		{ "0xg", 16, 0, "xg" },
		{ "0x10", 16, 16, "" }, { "0x10", 10, 0, "x10" },
		{ "", 10, 0, "" }, { "z", 10, 0, "z" },
		/* Neither leading space nor sign is accepted. */
		{ " 1", 10, 0, " 1" }, { "-1", 10, 0, "-1" },
		{ "+1", 10, 0, "+1" },
	};
	char *end;
	size_t i;

	KT_EXPECT_EQ(strtoull("42", NULL, 10), 42);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		end = NULL;
		KT_EXPECT_EQ(strtoull(c[i].s, &end, c[i].base), c[i].v);
		KT_EXPECT_STREQ(end, c[i].rest);
	}
}

KTEST(lib, strtoull_overflow_saturates)
{
	char *end;
	const char *s;

	s = "18446744073709551616";
	KT_EXPECT_EQ(strtoull(s, &end, 10), UINT64_MAX);
	KT_EXPECT_TRUE(end == s + 20);		/* every digit consumed */
	s = "99999999999999999999999x";
	KT_EXPECT_EQ(strtoull(s, &end, 0), UINT64_MAX);
	KT_EXPECT_STREQ(end, "x");
	KT_EXPECT_EQ(strtoull("0x10000000000000000", NULL, 0), UINT64_MAX);
	KT_EXPECT_EQ(strtoull("18446744073709551614", NULL, 10),
	    UINT64_MAX - 1);
}

/* ------------------------------------------------------------ printf */

KTEST(lib, printf_signed_decimal)
{
	KT_EXPECT_STREQ(FMT("%d", 0), "0");
	KT_EXPECT_STREQ(FMT("%d", -1), "-1");
	KT_EXPECT_STREQ(FMT("%i", 42), "42");
	KT_EXPECT_STREQ(FMT("%d", INT_MAX), "2147483647");
	KT_EXPECT_STREQ(FMT("%d", INT_MIN), "-2147483648");
	KT_EXPECT_EQ(snprintf(tb, sizeof(tb), "%d", INT_MIN), 11);
	KT_EXPECT_STREQ(FMT("a%db%dc", 1, 1000000), "a1b1000000c");
}

KTEST(lib, printf_unsigned_octal_hex)
{
	KT_EXPECT_STREQ(FMT("%u", 0U), "0");
	KT_EXPECT_STREQ(FMT("%u", UINT_MAX), "4294967295");
	KT_EXPECT_STREQ(FMT("%o", 8U), "10");
	KT_EXPECT_STREQ(FMT("%o", UINT_MAX), "37777777777");
	KT_EXPECT_STREQ(FMT("%x", 255U), "ff");
	KT_EXPECT_STREQ(FMT("%X", 255U), "FF");
	KT_EXPECT_STREQ(FMT("%x", 0xdeadbeefU), "deadbeef");
	KT_EXPECT_STREQ(FMT("%x", UINT_MAX), "ffffffff");
	KT_EXPECT_STREQ(FMT("%x", 0U), "0");
	KT_EXPECT_STREQ(FMT("%u", (unsigned)-1), "4294967295");
}

/* 64-bit values: the i386 build must not truncate them to 32 bits. */
KTEST(lib, printf_64bit_values)
{
	KT_EXPECT_STREQ(FMT("%lld", (long long)INT64_MIN),
	    "-9223372036854775808");
	KT_EXPECT_STREQ(FMT("%lld", (long long)INT64_MAX),
	    "9223372036854775807");
	KT_EXPECT_STREQ(FMT("%llu", (unsigned long long)UINT64_MAX),
	    "18446744073709551615");
	KT_EXPECT_STREQ(FMT("%llx", (unsigned long long)UINT64_MAX),
	    "ffffffffffffffff");
	KT_EXPECT_STREQ(FMT("%llo", (unsigned long long)UINT64_MAX),
	    "1777777777777777777777");
	KT_EXPECT_STREQ(FMT("%jd", INTMAX_MIN), "-9223372036854775808");
	KT_EXPECT_STREQ(FMT("%ju", UINTMAX_MAX), "18446744073709551615");
	KT_EXPECT_STREQ(FMT("%llu", 4294967296ULL), "4294967296");
	KT_EXPECT_STREQ(FMT("%llu", 10000000000000000000ULL),
	    "10000000000000000000");
	KT_EXPECT_STREQ(FMT("%lld", -4294967296LL), "-4294967296");
	KT_EXPECT_STREQ(FMT("%llX", 0x0123456789abcdefULL),
	    "123456789ABCDEF");
}

/* hh and h convert the int argument to char or short first. */
KTEST(lib, printf_length_modifiers)
{
	KT_EXPECT_STREQ(ufmt("%hhd", 255), "-1");
	KT_EXPECT_STREQ(ufmt("%hhu", -1), "255");
	KT_EXPECT_STREQ(ufmt("%hhx", 0x1234), "34");
	KT_EXPECT_STREQ(ufmt("%hd", 65535), "-1");
	KT_EXPECT_STREQ(ufmt("%hu", -1), "65535");
	KT_EXPECT_STREQ(ufmt("%hx", 0x12345), "2345");
	KT_EXPECT_STREQ(FMT("%ld", -1L), "-1");
	KT_EXPECT_STREQ(FMT("%lu", (unsigned long)-1),
	    LP64 ? "18446744073709551615" : "4294967295");
	KT_EXPECT_STREQ(FMT("%zu", SIZE_MAX),
	    PTR64 ? "18446744073709551615" : "4294967295");
	KT_EXPECT_STREQ(FMT("%zx", (size_t)0x1000), "1000");
	KT_EXPECT_STREQ(FMT("%zd", (ptrdiff_t)-5), "-5");
	KT_EXPECT_STREQ(FMT("%td", (ptrdiff_t)-7), "-7");
	KT_EXPECT_STREQ(ufmt("%tx", (ptrdiff_t)-1),
	    PTR64 ? "ffffffffffffffff" : "ffffffff");
	KT_EXPECT_STREQ(FMT("%jx", UINTMAX_MAX), "ffffffffffffffff");
}

KTEST(lib, printf_flags)
{
	KT_EXPECT_STREQ(FMT("%+d", 5), "+5");
	KT_EXPECT_STREQ(FMT("%+d", -5), "-5");
	KT_EXPECT_STREQ(FMT("%+d", 0), "+0");
	KT_EXPECT_STREQ(FMT("% d", 5), " 5");
	KT_EXPECT_STREQ(FMT("% d", -5), "-5");
	KT_EXPECT_STREQ(ufmt("%+ d", 5), "+5");		/* '+' wins */
	KT_EXPECT_STREQ(FMT("%-5d|", 42), "42   |");
	KT_EXPECT_STREQ(FMT("%5d|", -42), "  -42|");
	KT_EXPECT_STREQ(FMT("%05d", 42), "00042");
	KT_EXPECT_STREQ(FMT("%05d", -42), "-0042");
	KT_EXPECT_STREQ(ufmt("%-05d|", 42), "42   |");	/* '-' wins */
	KT_EXPECT_STREQ(FMT("%+05d", 42), "+0042");
	KT_EXPECT_STREQ(FMT("% 05d", 42), " 0042");
	KT_EXPECT_STREQ(FMT("%2d", 12345), "12345");	/* never cuts */
	KT_EXPECT_STREQ(FMT("%#o", 8U), "010");
	KT_EXPECT_STREQ(FMT("%#o", 0U), "0");
	KT_EXPECT_STREQ(FMT("%#x", 255U), "0xff");
	KT_EXPECT_STREQ(FMT("%#X", 255U), "0XFF");
	KT_EXPECT_STREQ(FMT("%#x", 0U), "0");		/* no 0x for 0 */
	KT_EXPECT_STREQ(FMT("%#010x", 255U), "0x000000ff");
	KT_EXPECT_STREQ(FMT("%#5x|%-#6x|", 1U, 1U), "  0x1|0x1   |");
	KT_EXPECT_STREQ(ufmt("%+u % u", 5U, 5U), "5 5");	/* ignored */
}

KTEST(lib, printf_precision)
{
	KT_EXPECT_STREQ(FMT("%.0d", 0), "");		/* no digit at all */
	KT_EXPECT_STREQ(FMT("%.d", 0), "");
	KT_EXPECT_STREQ(FMT("%5.0d|", 0), "     |");
	KT_EXPECT_STREQ(FMT("%.0x", 0U), "");
	KT_EXPECT_STREQ(FMT("%#.0x", 0U), "");
	KT_EXPECT_STREQ(FMT("%#.0o", 0U), "0");		/* '#' keeps it */
	KT_EXPECT_STREQ(FMT("%+.0d", 0), "+");
	KT_EXPECT_STREQ(FMT("%.1d", 0), "0");
	KT_EXPECT_STREQ(FMT("%.0d", 3), "3");
	KT_EXPECT_STREQ(FMT("%.3d", 7), "007");
	KT_EXPECT_STREQ(FMT("%.3d", -7), "-007");
	KT_EXPECT_STREQ(FMT("%-8.3d|", -7), "-007    |");
	KT_EXPECT_STREQ(ufmt("%08.3d", 7), "     007");	/* '0' ignored */
	KT_EXPECT_STREQ(FMT("%.10u", 1U), "0000000001");
	KT_EXPECT_STREQ(FMT("%#.3o", 8U), "010");
	KT_EXPECT_STREQ(FMT("%#.5x", 255U), "0x000ff");
	KT_EXPECT_STREQ(FMT("%.20llu", (unsigned long long)UINT64_MAX),
	    "18446744073709551615");
}

KTEST(lib, printf_star_width_and_precision)
{
	KT_EXPECT_STREQ(FMT("%*d|", 5, 42), "   42|");
	KT_EXPECT_STREQ(FMT("%*d|", -5, 42), "42   |");	/* '-' flag */
	KT_EXPECT_STREQ(FMT("%-*d|", -5, 42), "42   |");
	KT_EXPECT_STREQ(FMT("%0*d", 5, -3), "-0003");
	KT_EXPECT_STREQ(FMT("%.*d", 3, 7), "007");
	KT_EXPECT_STREQ(FMT("%.*d", -1, 7), "7");	/* as if omitted */
	KT_EXPECT_STREQ(FMT("%.*d", -1, 0), "0");
	KT_EXPECT_STREQ(ufmt("%0*.*d|", 5, -1, 7), "00007|");
	KT_EXPECT_STREQ(FMT("%*.*d|", 6, 3, 7), "   007|");
	KT_EXPECT_STREQ(FMT("%*s|", -4, "ab"), "ab  |");
	KT_EXPECT_STREQ(FMT("%.*s|", 2, "abcdef"), "ab|");
	KT_EXPECT_STREQ(FMT("%.*s|", -1, "abc"), "abc|");
}

KTEST(lib, printf_char_and_string)
{
	const char raw[3] = { 'a', 'b', 'c' };		/* no NUL */

	KT_EXPECT_STREQ(FMT("%c%c%c", 'a', 'b', 'c'), "abc");
	KT_EXPECT_STREQ(FMT("%3c|%-3c|", 'x', 'y'), "  x|y  |");
	KT_EXPECT_STREQ(FMT("%c", 0x141), "A");		/* unsigned char */
	KT_EXPECT_EQ(snprintf(tb, sizeof(tb), "a%cb", 0), 3);
	KT_EXPECT_EQ(memcmp(tb, "a\0b\0", 4), 0);
	KT_EXPECT_STREQ(FMT("%s", ""), "");
	KT_EXPECT_STREQ(FMT("%5s|", ""), "     |");
	KT_EXPECT_STREQ(FMT("%10s|", "hello"), "     hello|");
	KT_EXPECT_STREQ(FMT("%-10s|", "hello"), "hello     |");
	KT_EXPECT_STREQ(FMT("%2s", "hello"), "hello");
	KT_EXPECT_STREQ(FMT("%.3s|%.0s|%.10s", "hello", "hello", "hello"),
	    "hel||hello");
	KT_EXPECT_STREQ(FMT("%8.3s|", "hello"), "     hel|");
	KT_EXPECT_STREQ(FMT("%.3s", raw), "abc");	/* reads 3 only */
	KT_EXPECT_STREQ(ufmt("%s|%8s", NULL, NULL), "(null)|  (null)");
}

KTEST(lib, printf_pointer)
{
	static int object;
	char want[24], buf[48];

	KT_EXPECT_STREQ(FMT("%p", NULL),
	    PTR64 ? "0x0000000000000000" : "0x00000000");
	KT_EXPECT_STREQ(FMT("%p", (void *)UINTPTR_MAX),
	    PTR64 ? "0xffffffffffffffff" : "0xffffffff");
	KT_EXPECT_STREQ(FMT("%p", (void *)0xc0ffee),
	    PTR64 ? "0x0000000000c0ffee" : "0x00c0ffee");
	KT_EXPECT_STREQ(FMT("%p", (void *)&object),
	    ptr_text(want, (uintptr_t)&object));
	KT_EXPECT_STREQ(FMT("%p", (void *)ptr_text),
	    ptr_text(want, (uintptr_t)ptr_text));
	/* Width pads with spaces; '-' puts them after. */
	ptr_text(want, 0x1234);
	snprintf(buf, sizeof(buf), "%*s|%-*s|", 20, want, 20, want);
	KT_EXPECT_STREQ(FMT("%20p|%-20p|", (void *)0x1234, (void *)0x1234),
	    buf);
}

KTEST(lib, printf_percent_and_unknown_conversions)
{
	KT_EXPECT_STREQ(FMT("%%"), "%");
	KT_EXPECT_STREQ(FMT("100%% of %d%%", 42), "100% of 42%");
	/* Unknown: echoed from the '%', and no argument is consumed. */
	KT_EXPECT_STREQ(ufmt("%q"), "%q");
	KT_EXPECT_STREQ(ufmt("%-08.3lq|%d", 7), "%-08.3lq|7");
	KT_EXPECT_STREQ(ufmt("%n|%d", 3), "%n|3");	/* never stores */
	KT_EXPECT_STREQ(ufmt("%f|%d", 4), "%f|4");
	KT_EXPECT_STREQ(ufmt("%Lf"), "%Lf");
	KT_EXPECT_STREQ(ufmt("%*q|%d", 4, 9), "%*q|9");	/* '*' is used */
	/* A format that ends inside a specification. */
	KT_EXPECT_STREQ(ufmt("abc%"), "abc%");
	KT_EXPECT_STREQ(ufmt("x%-08.3"), "x%-08.3");
	KT_EXPECT_STREQ(ufmt("%ll"), "%ll");
}

/* vsnprintf through a variadic wrapper, as every caller reaches it. */
static int
vsn(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return (n);
}

KTEST(lib, vsnprintf_truncates_and_returns_full_length)
{
	char b[8];

	memset(b, 'Z', sizeof(b));
	KT_EXPECT_EQ(vsn(b, 0, "hello"), 5);		/* writes nothing */
	KT_EXPECT_EQ(b[0], 'Z');
	KT_EXPECT_EQ(vsn(NULL, 0, "%d", 12345), 5);
	KT_EXPECT_EQ(vsn(b, 1, "hello"), 5);
	KT_EXPECT_EQ(b[0], '\0');
	KT_EXPECT_EQ(b[1], 'Z');
	KT_EXPECT_EQ(vsn(b, 5, "%s", "hello"), 5);
	KT_EXPECT_STREQ(b, "hell");
	KT_EXPECT_EQ(b[5], 'Z');
	KT_EXPECT_EQ(vsn(b, 6, "%s", "hello"), 5);	/* exact fit */
	KT_EXPECT_STREQ(b, "hello");
	KT_EXPECT_EQ(vsn(b, sizeof(b), "%020d", 1), 20);
	KT_EXPECT_STREQ(b, "0000000");
	KT_EXPECT_EQ(vsn(b, sizeof(b), ""), 0);
	KT_EXPECT_STREQ(b, "");
}

struct sink {
	char	buf[320];
	int	n;
};

static void
sink_putc(int c, void *arg)
{
	struct sink *s = arg;

	if (s->n < (int)sizeof(s->buf))
		s->buf[s->n] = (char)c;
	s->n++;
}

static int
sink_format(struct sink *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	s->n = 0;
	va_start(ap, fmt);
	n = kvformat(sink_putc, s, fmt, ap);
	va_end(ap);
	return (n);
}

KTEST(lib, kvformat_sends_every_char_to_callback)
{
	static struct sink s;
	int i, spaces = 0;

	KT_EXPECT_EQ(sink_format(&s, "x=%d;%s", -12, "ok"), 8);
	KT_EXPECT_EQ(s.n, 8);
	KT_EXPECT_EQ(memcmp(s.buf, "x=-12;ok", 8), 0);
	KT_EXPECT_EQ(sink_format(&s, "%c", 0), 1);	/* NUL passes too */
	KT_EXPECT_EQ(s.n, 1);
	KT_EXPECT_EQ(s.buf[0], '\0');
	/* No internal buffer limits a field. */
	KT_EXPECT_EQ(sink_format(&s, "%300d", 7), 300);
	KT_ASSERT_EQ(s.n, 300);
	for (i = 0; i < 299; i++)
		spaces += s.buf[i] == ' ';
	KT_EXPECT_EQ(spaces, 299);
	KT_EXPECT_EQ(s.buf[299], '7');
	KT_EXPECT_EQ(sink_format(&s, ""), 0);
	KT_EXPECT_EQ(s.n, 0);
}

