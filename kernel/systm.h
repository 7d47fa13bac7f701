/*
 * Core kernel declarations every file may use: console output, panic and
 * KASSERT, and the small arithmetic helpers of BSD's <sys/param.h>.
 *
 * KASSERT(expr, (fmt, ...)) is compiled in by default (build with
 * -DNO_KASSERT to drop it); a failed assertion panics with the expression,
 * its location and the message.  panic() never returns: it prints a report
 * with a backtrace and exits QEMU with the failure code, unless a test has
 * armed a catch for panics (kernel/trap.h).
 */
#ifndef _KERNEL_SYSTM_H_
#define _KERNEL_SYSTM_H_

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <machine/param.h>

#define	__predict_true(e)	__builtin_expect(!!(e), 1)
#define	__predict_false(e)	__builtin_expect(!!(e), 0)
#define	__unused		__attribute__((unused))
#define	__packed		__attribute__((packed))
#define	__aligned(n)		__attribute__((aligned(n)))
#define	__noreturn		__attribute__((noreturn))
#define	__printflike(f, a)	__attribute__((format(printf, f, a)))

#define	nitems(a)		(sizeof(a) / sizeof((a)[0]))
#define	MIN(a, b)		((a) < (b) ? (a) : (b))
#define	MAX(a, b)		((a) > (b) ? (a) : (b))
#define	howmany(x, y)		(((x) + ((y) - 1)) / (y))
#define	roundup(x, y)		(howmany(x, y) * (y))
#define	rounddown(x, y)		(((x) / (y)) * (y))
#define	roundup2(x, y)		(((x) + ((y) - 1)) & ~((__typeof__(x))(y) - 1))
#define	rounddown2(x, y)	((x) & ~((__typeof__(x))(y) - 1))
#define	powerof2(x)		((((x) - 1) & (x)) == 0)

#define	trunc_page(x)		rounddown2((x), (__typeof__(x))PAGE_SIZE)
#define	round_page(x)		roundup2((x), (__typeof__(x))PAGE_SIZE)
#define	trunc_page64(x)		rounddown2((uint64_t)(x), (uint64_t)PAGE_SIZE)
#define	round_page64(x)		roundup2((uint64_t)(x), (uint64_t)PAGE_SIZE)

typedef uint64_t	paddr_t;	/* physical address: 64 bits even on i386 */
typedef uintptr_t	vaddr_t;	/* kernel virtual address */

int	kprintf(const char *fmt, ...) __printflike(1, 2);
int	vkprintf(const char *fmt, va_list ap);
void	panic(const char *fmt, ...) __printflike(1, 2) __noreturn;
void	kassert_where(const char *expr, const char *file, int line);

#ifndef NO_KASSERT
#define	KASSERT(exp, msg) do {						\
	if (__predict_false(!(exp))) {					\
		kassert_where(#exp, __FILE__, __LINE__);		\
		panic msg;						\
	}								\
} while (0)
#else
/* Still compiled, never run: no "unused" warnings, no stale expressions. */
#define	KASSERT(exp, msg) do {						\
	if (0)								\
		(void)(exp);						\
} while (0)
#endif

#endif /* !_KERNEL_SYSTM_H_ */
