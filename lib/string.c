/*
 * Freestanding string and memory functions (see lib/string.h).
 *
 * The kernel has no C library, and the compiler itself emits calls to
 * memcpy, memset, memmove and memcmp (structure copies, zeroing of large
 * locals).  Those four must therefore never be compiled into calls to
 * themselves: memcpy and memset are one string instruction each, and the
 * only byte loop that GCC could recognise as a copy (the backward half of
 * memmove) carries a compiler barrier that stops the pattern match.
 *
 * The same file is compiled on the host by tests/host, where the names are
 * remapped (tests/host/rename.h) so it can be compared against glibc.
 */
#include <stdint.h>

#include <lib/string.h>

#if !defined(__i386__) && !defined(__x86_64__)
#error "lib/string.c: only x86 is supported (rep movsb/stosb)"
#endif

/*
 * Forward copy.  With ERMSB (every x86 CPU of the last decade) "rep movsb"
 * is as fast as any hand-unrolled loop, and its byte-at-a-time semantics
 * make it correct for overlapping buffers where dst is below src.
 */
static inline void
copy_forward(void *dst, const void *src, size_t n)
{
	__asm__ __volatile__("rep movsb"
	    : "+D" (dst), "+S" (src), "+c" (n)
	    :
	    : "memory");
}

/*
 * Backward copy, for memmove when dst overlaps the tail of src.  A
 * backward "rep movsb" would need the direction flag set, and an interrupt
 * taken meanwhile would run its handler with DF=1; a plain loop avoids
 * that.  The empty asm keeps GCC from turning the loop into memmove().
 */
static void
copy_backward(unsigned char *dst, const unsigned char *src, size_t n)
{
	while (n > 0) {
		n--;
		dst[n] = src[n];
		__asm__ __volatile__("" : : : "memory");
	}
}

void *
memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	copy_forward(dst, src, n);
	return (dst);
}

void *
memmove(void *dst, const void *src, size_t n)
{
	/*
	 * The unsigned difference is at least n both when dst lies below
	 * src (it wraps around) and when the buffers are disjoint: then a
	 * forward copy never overwrites a source byte before reading it.
	 */
	if ((uintptr_t)dst - (uintptr_t)src >= n)
		copy_forward(dst, src, n);
	else
		copy_backward(dst, src, n);
	return (dst);
}

void *
memset(void *dst, int c, size_t n)
{
	void *d = dst;

	__asm__ __volatile__("rep stosb"
	    : "+D" (d), "+c" (n)
	    : "a" ((unsigned char)c)
	    : "memory");
	return (dst);
}

int
memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] != q[i])
			return (p[i] < q[i] ? -1 : 1);
	}
	return (0);
}

void *
memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;
	unsigned char uc = (unsigned char)c;
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == uc)
			return ((void *)(p + i));
	}
	return (NULL);
}

size_t
strlen(const char *s)
{
	const char *p = s;

	while (*p != '\0')
		p++;
	return ((size_t)(p - s));
}

size_t
strnlen(const char *s, size_t max)
{
	size_t n;

	/* Never look at s[max]: the caller may own only max bytes. */
	for (n = 0; n < max && s[n] != '\0'; n++)
		continue;
	return (n);
}

int
strcmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	/* C orders strings by unsigned char, whatever the sign of char. */
	while (*p != '\0' && *p == *q) {
		p++;
		q++;
	}
	return (*p == *q ? 0 : (*p < *q ? -1 : 1));
}

int
strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] != q[i])
			return (p[i] < q[i] ? -1 : 1);
		if (p[i] == '\0')
			break;
	}
	return (0);
}

char *
strchr(const char *s, int c)
{
	char ch = (char)c;

	/* The terminator is part of the string: strchr(s, 0) finds it. */
	for (;; s++) {
		if (*s == ch)
			return ((char *)s);
		if (*s == '\0')
			return (NULL);
	}
}

char *
strrchr(const char *s, int c)
{
	const char *last = NULL;
	char ch = (char)c;

	for (;; s++) {
		if (*s == ch)
			last = s;
		if (*s == '\0')
			return ((char *)last);
	}
}

/* The first occurrence of needle in haystack; an empty needle matches at once. */
char *
strstr(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	for (; *haystack != '\0' || n == 0; haystack++) {
		if (strncmp(haystack, needle, n) == 0)
			return ((char *)haystack);
		if (*haystack == '\0')
			break;
	}
	return (NULL);
}

size_t
strlcpy(char *restrict dst, const char *restrict src, size_t size)
{
	size_t len, n;

	len = strlen(src);
	if (size > 0) {
		n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return (len);
}

size_t
strlcat(char *restrict dst, const char *restrict src, size_t size)
{
	size_t dlen, slen, n;

	dlen = strnlen(dst, size);
	slen = strlen(src);
	/*
	 * No NUL within size bytes: dst is not a string we may append to,
	 * so leave it alone and report the length we would have needed.
	 */
	if (dlen == size)
		return (size + slen);
	n = slen < size - dlen - 1 ? slen : size - dlen - 1;
	memcpy(dst + dlen, src, n);
	dst[dlen + n] = '\0';
	return (dlen + slen);
}

/* The value of digit c in bases up to 36, or 36 if c is no digit. */
static unsigned
digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return ((unsigned)(c - '0'));
	if (c >= 'a' && c <= 'z')
		return ((unsigned)(c - 'a') + 10);
	if (c >= 'A' && c <= 'Z')
		return ((unsigned)(c - 'A') + 10);
	return (36);
}

/*
 * Skip a 0x/0X prefix allowed by base (0 or 16) and settle base 0.  The
 * prefix counts only when a hex digit follows: "0xg" is the number 0
 * followed by "xg", as in C.
 */
static const char *
number_prefix(const char *p, int *base)
{
	if ((*base == 0 || *base == 16) && p[0] == '0' &&
	    (p[1] == 'x' || p[1] == 'X') && digit_value(p[2]) < 16) {
		*base = 16;
		return (p + 2);
	}
	if (*base == 0)
		*base = p[0] == '0' ? 8 : 10;
	return (p);
}

unsigned long long
strtoull(const char *restrict str, char **restrict endp, int base)
{
	const char *p, *digits;
	unsigned long long v = 0, limit;
	unsigned d;
	int over = 0;

	p = digits = number_prefix(str, &base);
	if (base < 2 || base > 36)
		p = digits = str;
	else {
		/* Past limit, v * base + d no longer fits in 64 bits. */
		limit = UINT64_MAX / (unsigned)base;
		for (; (d = digit_value(*p)) < (unsigned)base; p++) {
			if (v > limit || v * (unsigned)base > UINT64_MAX - d)
				over = 1;
			else
				v = v * (unsigned)base + d;
		}
	}
	/* No digit at all: nothing was parsed, not even a prefix. */
	if (p == digits)
		p = str;
	if (endp != NULL)
		*endp = (char *)p;
	return (over ? UINT64_MAX : v);
}
