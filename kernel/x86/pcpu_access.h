/*
 * Single-instruction access to a field of this CPU's struct pcpu, for
 * both x86 kernels (FreeBSD's __PCPU_GET/__PCPU_SET).  <machine/pcpu.h>
 * names the segment register that holds the struct's address (%fs on
 * i386, %gs on x86_64), the pointer-sized mov and its operand constraint,
 * then includes this file.
 *
 * Why one instruction: curcpu()->field is two loads, and a thread
 * preempted and moved to another CPU between them reads (or writes) the
 * old CPU's field.  curthread needs this; so does the quick-map fast path,
 * which may touch its fields without reloading the per-CPU base.
 */
#ifndef _X86_PCPU_ACCESS_H_
#define _X86_PCPU_ACCESS_H_

#if !defined(__PCPU_SEG) || !defined(__PCPU_MOV) || !defined(__PCPU_IMM)
#error "include <machine/pcpu.h>, which defines the segment and mov"
#endif

/* Read one pointer-sized field of this CPU's struct pcpu. */
#define	__PCPU_GET(field) __extension__ ({				\
	__typeof__(((struct pcpu *)0)->field) __res;			\
									\
	_Static_assert(sizeof(__res) == sizeof(void *),			\
	    "__PCPU_GET reads pointer-sized fields");			\
	__asm__ volatile(__PCPU_MOV " %%" __PCPU_SEG ":%c1, %0"	\
	    : "=r"(__res)						\
	    : "i"(__builtin_offsetof(struct pcpu, field)));		\
	__res;								\
})

/* Store to one pointer-sized field of this CPU's struct pcpu. */
#define	__PCPU_SET(field, val) do {					\
	__typeof__(((struct pcpu *)0)->field) __val = (val);		\
									\
	_Static_assert(sizeof(__val) == sizeof(void *),			\
	    "__PCPU_SET writes pointer-sized fields");			\
	__asm__ volatile(__PCPU_MOV " %0, %%" __PCPU_SEG ":%c1"	\
	    : : __PCPU_IMM(__val),					\
	    "i"(__builtin_offsetof(struct pcpu, field)) : "memory");	\
} while (0)

#endif /* !_X86_PCPU_ACCESS_H_ */
