/*
 * Kernel setjmp/longjmp (kernel/<arch>/setjmp.S).  Unlike C's, they also
 * save and restore the flags register, so a longjmp out of a trap handler
 * (which runs with interrupts off) restores the interrupt state of the
 * setjmp caller.  Used by the test framework and by trap catches.
 */
#ifndef _KERNEL_SETJMP_H_
#define _KERNEL_SETJMP_H_

#include <stdint.h>
#include <machine/setjmp.h>

typedef struct {
	uintptr_t	jb_regs[_JB_WORDS];
} jmp_buf[1];

int	setjmp(jmp_buf) __attribute__((returns_twice));
void	longjmp(jmp_buf, int) __attribute__((noreturn));

#endif /* !_KERNEL_SETJMP_H_ */
