/*
 * Trap catches: how kernel code (above all, the self-tests) provokes an
 * exception or a panic on purpose and survives it.
 *
 *	struct kcatch kc;
 *
 *	kcatch_arm(&kc, KCATCH_VEC(T_PAGEFLT));
 *	if (setjmp(kc.kc_jb) == 0) {
 *		*(volatile int *)bad = 1;	   (faults)
 *	}
 *	kcatch_disarm(&kc);
 *	... kc.kc_count, kc.kc_vector, kc.kc_addr say what was caught ...
 *
 * Rules:
 *  - A caught fault or panic longjmps back to the setjmp with the catch
 *    already disarmed; a catch armed with KCATCH_RESUME instead records the
 *    trap and returns from it (for #BP, whose saved PC is the next
 *    instruction), and stays armed.
 *  - Catches nest (a stack per thread: it lives in the running CPU's
 *    struct pcpu, and a context switch carries it in td_catch);
 *    kcatch_disarm() pops the top one, which must be kc, unless a
 *    longjmp already popped it.
 *  - Locals changed between setjmp and the longjmp must be volatile.
 *  - Only what the mask names is caught; anything else is fatal as usual.
 */
#ifndef _KERNEL_TRAP_H_
#define _KERNEL_TRAP_H_

#include <kernel/systm.h>
#include <kernel/setjmp.h>

/* x86 exception vectors (the names FreeBSD uses, in machine/trap.h). */
#define	T_DIVIDE	0
#define	T_TRCTRAP	1
#define	T_NMI		2
#define	T_BPTFLT	3
#define	T_OFLOW		4
#define	T_BOUND		5
#define	T_PRIVINFLT	6
#define	T_DNA		7
#define	T_DOUBLEFLT	8
#define	T_TSSFLT	10
#define	T_SEGNPFLT	11
#define	T_STKFLT	12
#define	T_PROTFLT	13
#define	T_PAGEFLT	14
#define	T_ARITHTRAP	16
#define	T_ALIGNFLT	17
#define	T_MCHK		18
#define	T_XMMFLT	19

/* Page-fault error code bits. */
#define	PGEX_P		0x01	/* protection violation (else not present) */
#define	PGEX_W		0x02	/* write access */
#define	PGEX_U		0x04	/* user mode */
#define	PGEX_RSV	0x08	/* reserved bit set in a page-table entry */
#define	PGEX_I		0x10	/* instruction fetch */

#define	KCATCH_VEC(v)	(1u << (v))	/* catch exception vector v (< 31) */
#define	KCATCH_PANIC	(1u << 31)	/* catch panic() and KASSERT */
#define	KCATCH_RESUME	0x1		/* kc_flags: record and return */

struct kcatch {
	jmp_buf		 kc_jb;
	uint32_t	 kc_mask;
	int		 kc_flags;
	int		 kc_count;	/* events caught so far */
	int		 kc_vector;	/* last vector caught; -1 for panic */
	uintptr_t	 kc_err;	/* its error code */
	uintptr_t	 kc_addr;	/* CR2, for a page or double fault */
	uintptr_t	 kc_pc;		/* where it happened */
	char		 kc_msg[256];	/* the panic message (as panic() formats it) */
	struct kcatch	*kc_prev;
};

void	kcatch_arm(struct kcatch *kc, uint32_t mask);
void	kcatch_arm_resume(struct kcatch *kc, uint32_t mask);
void	kcatch_disarm(struct kcatch *kc);
/* True if the running thread has a catch armed (the test framework checks). */
bool	kcatch_armed(void);
/* Drop every armed catch (the test framework, after a sloppy test). */
void	kcatch_reset(void);

/*
 * For trap() and panic(): if an armed catch takes this event, record it
 * and either return true (resume) or longjmp (never returns).  False if
 * nothing catches it.
 */
struct trapframe;
bool	kcatch_trap(struct trapframe *tf, int vector, uintptr_t addr);
void	kcatch_panic(const char *msg);

/* Fatal end of a trap or panic: report, backtrace, exit.  Never returns. */
void	crash(const char *what, const struct trapframe *tf, uintptr_t pc,
	    uintptr_t fp) __noreturn;

#endif /* !_KERNEL_TRAP_H_ */
