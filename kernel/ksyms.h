/*
 * Kernel symbol table for backtraces.  The build links the kernel twice:
 * kernel/gen_ksyms.sh turns the first link's function symbols into a
 * sorted table that the second link embeds (section .ksyms).
 */
#ifndef _KERNEL_KSYMS_H_
#define _KERNEL_KSYMS_H_

#include <kernel/systm.h>

/*
 * Name of the function containing pc, and pc's offset in it; NULL if pc
 * is outside kernel text.
 */
const char	*ksyms_lookup(uintptr_t pc, uintptr_t *offp);
/* Return addresses of the callers, walking frame pointers from fp. */
int		 backtrace_collect(uintptr_t fp, uintptr_t *pcs, int max);
/* Print a frame-pointer backtrace starting at pc with frame pointer fp. */
void		 backtrace_print(uintptr_t pc, uintptr_t fp);

#endif /* !_KERNEL_KSYMS_H_ */
