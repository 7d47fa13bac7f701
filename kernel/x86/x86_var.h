/*
 * Declarations shared by the x86 machine-dependent files only (machdep,
 * trap dispatch, local APIC, ACPI, AP start-up, the pmaps, and the AP
 * trampolines in boot/<arch>/ap_tramp.S, which include the top part).
 */
#ifndef _X86_X86_VAR_H_
#define _X86_X86_VAR_H_

/*
 * AP trampoline: copied to this physical page, below 1 MiB as a start-up
 * IPI requires (the SIPI vector is the page number).  bootinfo reserves
 * all of low memory from the page allocator, so nothing of ours is there;
 * for the BIOS, 0x8000-0x8fff is free conventional memory (above the IVT,
 * the BIOS data area and the boot sector at 0x7c00, far below the EBDA);
 * whatever a boot loader left there, bootinfo_init() has copied.
 */
#define	AP_TRAMP_PA	0x8000

/* Offsets in struct ap_tramp_params, for the trampolines. */
#define	TP_CR3		0
#define	TP_CR4		8
#define	TP_EFER		16
#define	TP_STACK	24
#define	TP_ENTRY	32
#define	TP_SIZE		40

#define	MSR_APICBASE	0x01b
#define	MSR_EFER	0xc0000080
#define	MSR_GS_BASE	0xc0000101

#ifndef __ASSEMBLY__
#include <kernel/systm.h>
#include <kernel/pcpu.h>

struct trapframe;

/* Filled in by the boot CPU in the copy of the trampoline. */
struct ap_tramp_params {
	uint64_t	tp_cr3;		/* kernel page directory / PML4 */
	uint64_t	tp_cr4;		/* the boot CPU's (PSE or PAE) */
	uint64_t	tp_efer;	/* x86_64: LME and NXE to set */
	uint64_t	tp_stack;	/* top of the AP's boot stack */
	uint64_t	tp_entry;	/* ap_main() */
};

extern char ap_tramp_start[], ap_tramp_end[], ap_tramp_params[];

#define	IST_STACK_SIZE	(2 * PAGE_SIZE)	/* #DF and NMI stacks */

/* machdep.c: load an AP's GDT, TSS, per-CPU segment and the IDT. */
void	cpu_init_ap(struct pcpu *pc);
/* machdep.c: the page tables are final; refresh copies of CR3 (#DF TSS). */
void	cpu_sync_cr3(struct pcpu *pc);

/* intr.c: vectors 32 and up, from trap(). */
void	intr_dispatch(struct trapframe *tf);
/*
 * trap.c: report an exception nothing caught and stop.  addr is CR2 (#PF,
 * #DF), sp the stack pointer when it happened.
 */
void	trap_fatal(struct trapframe *tf, uintptr_t addr, uintptr_t sp)
	    __noreturn;

/* lapic.c */
void	lapic_init(paddr_t pa);
bool	lapic_present(void);
void	lapic_enable(bool bsp);
uint32_t lapic_id(void);
void	lapic_eoi(void);
void	lapic_ipi(uint32_t apic_id, int vector);
void	lapic_ipi_init(uint32_t apic_id);
void	lapic_ipi_startup(uint32_t apic_id, paddr_t pa);
void	lapic_timer_calibrate(void);
void	lapic_timer_start(void);
void	lapic_timer_read(uint32_t *initial, uint32_t *current);
paddr_t	lapic_msr_base(void);

/* acpi.c: the CPUs the firmware lists (the MADT, or the MP table). */
struct acpi_cpus {
	paddr_t		ac_lapic_pa;	/* local APIC registers */
	int		ac_ncpus;	/* enabled processors, at most MAXCPU */
	int		ac_nbeyond;	/* enabled ones past MAXCPU, left off */
	uint32_t	ac_apic_id[MAXCPU];	/* their APIC IDs, table order */
};
bool	acpi_find_cpus(struct acpi_cpus *ac);
void	acpi_cpus_add(struct acpi_cpus *ac, uint32_t apic_id);
/* mptable.c: the same from the Intel MP table, for machines without ACPI. */
bool	mptable_find_cpus(struct acpi_cpus *ac);

/* isa.c: the legacy timer (i8254 PIT) and interrupt controllers. */
#define	PIT_HZ		1193182
void	pit_delay_us(unsigned int us);
void	pit_mark(uint16_t *last);
unsigned int pit_ticks(uint16_t *last);
void	i8259_disable(void);

/*
 * Scheduler hooks (kernel/thread.h), called from the timer, the end of an
 * interrupt and a new AP; weak defaults in lapic.c, intr.c and mp.c let
 * the kernel run without a scheduler.
 */
void	sched_clock(void);
void	sched_ast(void);
void	sched_ap_main(void) __noreturn;

/* mm/<arch>/pmap.c: map one low page at its own address, and undo it. */
void	pmap_identity_enter(paddr_t pa);
/* pmap_kenter, uncached (mm/x86/pmap_dev.c maps devices with it). */
void	pmap_kenter_nocache(vaddr_t va, paddr_t pa);
void	pmap_identity_remove(paddr_t pa);
#endif /* !__ASSEMBLY__ */

#endif /* !_X86_X86_VAR_H_ */
