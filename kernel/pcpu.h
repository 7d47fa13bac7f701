/*
 * Per-CPU data: one struct pcpu per CPU, in pcpu_array[cpuid].  curcpu()
 * is the running CPU's record, found through a segment base that each CPU
 * points at its own record (<machine/pcpu.h>: %gs on x86_64, %fs on
 * i386), so it costs one load.  A thread that may be preempted and moved
 * must not keep the pointer across a switch (sched_pin() first).
 *
 * Fields are written only by their own CPU (except while the boot CPU
 * prepares a CPU that is not running yet); other CPUs may read them.
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
	struct pcpu	*pc_self;	/* first: curcpu() loads it */
	int		 pc_cpuid;
	struct kcatch	*pc_catch;	/* innermost armed trap catch */
	vaddr_t		 pc_qmap_addr;	/* its quick-map slot (mm/pmap.h) */
	vaddr_t		 pc_qmap_held;	/* quick map held now, 0: none */
	int		 pc_intr_nesting; /* interrupt handlers running */
	uint32_t	 pc_apic_id;	/* hardware (local APIC) ID */
	struct thread	*pc_curthread;	/* running thread (NULL before sched) */
	struct thread	*pc_idlethread;
	/* 64-bit counters: on i386 read another CPU's only when it is quiet. */
	volatile uint64_t pc_ticks;	/* timer interrupts taken */
	volatile uint64_t pc_ipi_sent;	/* IPIs this CPU sent */
	volatile uint64_t pc_ipi_recv;	/* IPIs this CPU took */
	/* Free single pages kept by mm/vm_page.c, touched with interrupts off. */
	int		 pc_vmcache_n;
	struct vm_page	*pc_vmcache[32];
	PCPU_MD_FIELDS;
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
