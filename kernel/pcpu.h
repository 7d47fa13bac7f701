/*
 * Per-CPU data: one struct pcpu per CPU, in pcpu_array[cpuid].  curcpu()
 * is the running CPU's record, found through a segment base that each CPU
 * points at its own record (<machine/pcpu.h>: %gs on x86_64, %fs on
 * i386), so it costs one load.  A thread that may be preempted and moved
 * must not keep the pointer across a switch (sched_pin() first, or
 * interrupts off before curcpu(): see __PCPU_GET for single fields).
 *
 * Lock keys of the fields (as in FreeBSD's vm/vm_page.h):
 *	(b) set before the CPU runs threads (by the boot CPU preparing it,
 *	    or by the CPU itself on its way up); constant afterwards
 *	(o) written only by the CPU itself, from interrupt handlers or
 *	    with interrupts off; other CPUs may read it (racy: statistics)
 *	(t) the running thread's, carried across switches in struct thread;
 *	    touched only with interrupts off
 *	(s) written by the CPU itself with sched_lock held (sched_switch)
 *	(v) pc_vmcache_lock, taken with interrupts off: by the CPU itself,
 *	    or by another CPU draining the cache (mm/vm_page_alloc.c)
 *	(a) atomic operations only
 */
#ifndef _KERNEL_PCPU_H_
#define _KERNEL_PCPU_H_

#include <kernel/systm.h>
#include <machine/pcpu.h>

#define	MAXCPU		64

struct kcatch;
struct thread;
struct vm_page;

struct pcpu {
	struct pcpu	*pc_self;	/* (b) first: curcpu() loads it */
	int		 pc_cpuid;	/* (b) */
	struct kcatch	*pc_catch;	/* (t) innermost armed trap catch */
	vaddr_t		 pc_qmap_addr;	/* (b) its quick-map slot (mm/pmap.h) */
	uintptr_t	*pc_qmap_pte;	/* (b) the slot's PTE (pointer-sized
					   on both pmaps: mm/x86/pmap_quick.h) */
	vaddr_t		 pc_qmap_held;	/* (o) quick map held now, 0: none
					   (in a critical section) */
	int		 pc_intr_nesting; /* (o) interrupt handlers running */
	int		 pc_spin_count;	/* (o) spin locks held (kernel/lock.c) */
	uintptr_t	 pc_spin_flags;	/* (o) interrupt flag before the first;
					   (t) across a switch (sched.c) */
	uint32_t	 pc_apic_id;	/* (b) hardware (local APIC) ID */
	struct thread	*pc_curthread;	/* (s) running thread (NULL before
					   sched); read it with curthread */
	struct thread	*pc_idlethread;	/* (b) */
	/* 64-bit counters: on i386 read another CPU's only when it is quiet. */
	volatile uint64_t pc_ticks;	/* (o) timer interrupts taken */
	volatile uint64_t pc_ipi_sent;	/* (o) IPIs this CPU sent */
	volatile uint64_t pc_ipi_recv;	/* (o) IPIs this CPU took */
	/* Free single pages kept by mm/vm_page_alloc.c. */
	uint32_t	 pc_vmcache_lock; /* (a) guards the two below */
	int		 pc_vmcache_n;	/* (v) pages in pc_vmcache */
	struct vm_page	*pc_vmcache[32]; /* (v) */
	PCPU_MD_FIELDS;			/* (b) GDT, TSS, trap stacks (the
					   CPU itself writes a TSS) */
};

extern struct pcpu pcpu_array[MAXCPU];
#define	pcpu0		(pcpu_array[0])

static inline struct pcpu *
curcpu(void)
{
	return (__curcpu());
}

static inline struct pcpu *
pcpu_find(int cpuid)
{
	KASSERT(cpuid >= 0 && cpuid < MAXCPU, ("pcpu_find: cpu %d", cpuid));
	return (&pcpu_array[cpuid]);
}

#endif /* !_KERNEL_PCPU_H_ */
