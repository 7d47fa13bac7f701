/*
 * Freestanding formatted output.
 *
 * kvformat() is the one formatting engine; it sends each character to a
 * callback, so the console, snprintf and the test framework share it.
 * Conversions: d i u o x X c s p %, flags "-+ #0", width and precision
 * (also '*'), length modifiers hh h l ll z j t.  %p prints "0x" and the
 * address in lowercase hex zero-padded to the pointer's width ("0x" and
 * 8 or 16 digits).  %s of NULL prints "(null)".  Floating point is not
 * supported (the kernel is built without SSE/x87).  An unknown conversion
 * is printed as-is, with its '%', so a typo shows in the output.
 */
#ifndef _LIB_PRINTF_H_
#define _LIB_PRINTF_H_

#include <stdarg.h>
#include <stddef.h>

typedef void (*kvformat_putc_t)(int c, void *arg);

/* Returns the number of characters emitted. */
int	kvformat(kvformat_putc_t putc, void *arg, const char *fmt, va_list ap);
/*
 * C99 semantics: always NUL-terminates when size > 0, returns the length
 * the full output would have had.
 */
int	vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int	snprintf(char *buf, size_t size, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#endif /* !_LIB_PRINTF_H_ */
