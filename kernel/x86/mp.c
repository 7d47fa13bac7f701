/*
 * Multiprocessor start-up and inter-processor interrupts (kernel/smp.h).
 *
 * mp_start() runs on the boot CPU (BSP): it reads the CPUs from the ACPI
 * MADT (or, without ACPI, the MP table), turns on the BSP's local APIC
 * and timer, and starts each other CPU (AP) in turn: the real-mode trampoline (boot/<arch>/ap_tramp.S) is
 * copied below 1 MiB and identity-mapped, and an INIT then two STARTUP
 * IPIs (Intel SDM vol. 3A 9.4.4, "MP initialization example") send the AP
 * there.  The trampoline enters the kernel's paging mode on a stack the
 * BSP allocated and calls ap_main(), which loads the AP's own GDT, TSS
 * and IDT, enables its local APIC and timer, marks it online and hands it
 * to the scheduler.  The BSP waits for each AP before the next, so one
 * parameter block and one trampoline page serve them all.
 *
 * CPU ids are dense: 0 is the BSP, then the APs in the firmware's order,
 * skipping any that fail to start (each is sent INIT again, which parks
 * it).
 */
#include <kernel/systm.h>
#include <kernel/intr.h>
#include <kernel/machdep.h>
#include <kernel/pcpu.h>
#include <kernel/smp.h>
#include <lib/string.h>
#include <mm/malloc.h>
#include <mm/pmap.h>
#include <x86/cpufunc.h>
#include <x86/x86_var.h>

#define	AP_WAIT_MS	2000		/* for an AP to come online */
#define	EFER_LME	0x100
#define	EFER_NXE	0x800

_Static_assert(offsetof(struct ap_tramp_params, tp_stack) == TP_STACK &&
    offsetof(struct ap_tramp_params, tp_entry) == TP_ENTRY &&
    sizeof(struct ap_tramp_params) == TP_SIZE,
    "the trampolines' TP_* offsets do not match struct ap_tramp_params");

struct pcpu		 pcpu_array[MAXCPU];
int			 mp_ncpus = 1;
int			 mp_ncpus_listed = 1;
volatile cpuset_t	 cpu_online;

static struct pcpu *volatile ap_boot_pc;	/* the AP being started */
static uintptr_t	 ap_stack_top[MAXCPU];	/* each AP's boot stack */

void	ap_main(void) __noreturn;

/* Weak: the scheduler (kernel/sched.c) provides the real one. */
__attribute__((weak)) void
sched_ap_main(void)
{
	enable_intr();
	for (;;)
		halt();
}

/*
 * An AP, from the trampoline, on its boot stack, interrupts off.  Nothing
 * may use curcpu() (or panic) before cpu_init_ap() points the segment at
 * this CPU's pcpu, and a fault before its IDT is loaded is a triple fault.
 */
void
ap_main(void)
{
	struct pcpu *pc = ap_boot_pc;

	cpu_init_ap(pc);
	lapic_enable(false);
	if (lapic_id() != pc->pc_apic_id)
		panic("mp: CPU %d started with APIC ID %u, expected %u",
		    pc->pc_cpuid, lapic_id(), pc->pc_apic_id);
	lapic_timer_start();
	CPU_SET_ATOMIC(pc->pc_cpuid, &cpu_online);
	sched_ap_main();
}

uint32_t
cpu_hwid(void)
{
	uint32_t r[4];

	cpuid_count(1, 0, r);
	return (r[1] >> 24);		/* initial APIC ID */
}

/*
 * Set up the pcpu of an AP that has not run yet, and its stacks (boot,
 * #DF, NMI; kept if it fails to start: the next AP takes its slot).
 */
static bool
ap_prepare(int cpu, uint32_t apic_id, uintptr_t *stack_top)
{
	struct pcpu *pc = pcpu_find(cpu);
	char *ks, *ist;

	if (pc->pc_self == NULL) {
		ks = kmem_alloc(KSTACK_SIZE, M_NOWAIT | M_ZERO);
		ist = kmem_alloc(2 * IST_STACK_SIZE, M_NOWAIT | M_ZERO);
		if (ks == NULL || ist == NULL) {
			kprintf("mp: no memory for CPU %d's stacks\n", cpu);
			return (false);
		}
		pc->pc_self = pc;
		pc->pc_dfstack = (uintptr_t)ist + IST_STACK_SIZE;
		pc->pc_nmistack = (uintptr_t)ist + 2 * IST_STACK_SIZE;
		ap_stack_top[cpu] = (uintptr_t)ks + KSTACK_SIZE;
	}
	pc->pc_cpuid = cpu;
	pc->pc_apic_id = apic_id;
	pc->pc_curthread = NULL;
	pc->pc_idlethread = NULL;
	pmap_pcpu_init(pc);		/* its quick-map slot */
	*stack_top = ap_stack_top[cpu];
	return (true);
}

/*
 * Copy the trampoline to AP_TRAMP_PA (through a temporary mapping: low
 * memory is not mapped) and map that page at its own address for the
 * moment the APs turn paging on.  Returns the copy's parameter block.
 */
static struct ap_tramp_params *
ap_tramp_install(void **mapping)
{
	size_t len = (size_t)(ap_tramp_end - ap_tramp_start);
	struct ap_tramp_params *tp;
	char *va;

	KASSERT(len <= PAGE_SIZE, ("mp: trampoline of %zu bytes", len));
	KASSERT(rcr3() < 0x100000000ULL, ("mp: CR3 above 4 GiB"));
	if ((va = pmap_mapdev(AP_TRAMP_PA, PAGE_SIZE)) == NULL)
		return (NULL);
	memcpy(va, ap_tramp_start, len);
	tp = (struct ap_tramp_params *)(va +
	    (ap_tramp_params - ap_tramp_start));
	tp->tp_cr3 = rcr3();
	tp->tp_cr4 = rcr4();
#ifdef __x86_64__
	tp->tp_efer = rdmsr(MSR_EFER) & (EFER_LME | EFER_NXE);
#endif
	tp->tp_entry = (uintptr_t)ap_main;
	pmap_identity_enter(AP_TRAMP_PA);
	*mapping = va;
	return (tp);
}

/* Every CPU may still hold the identity mapping in its TLB. */
static void
ap_tramp_flush(void *arg __unused)
{
	invlpg(AP_TRAMP_PA);
}

static void
ap_tramp_remove(void *mapping)
{
	pmap_identity_remove(AP_TRAMP_PA);
	pmap_unmapdev(mapping, PAGE_SIZE);
	smp_rendezvous(cpu_online, ap_tramp_flush, NULL);
}

/*
 * INIT, 10 ms, STARTUP, 200 us, STARTUP (a CPU already started ignores
 * the second), then wait for the AP to come online.
 */
static bool
ap_start(struct ap_tramp_params *tp, struct pcpu *pc, uintptr_t stack_top)
{
	int ms;

	tp->tp_stack = stack_top;
	ap_boot_pc = pc;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	lapic_ipi_init(pc->pc_apic_id);
	DELAY(10000);
	lapic_ipi_startup(pc->pc_apic_id, AP_TRAMP_PA);
	DELAY(200);
	lapic_ipi_startup(pc->pc_apic_id, AP_TRAMP_PA);
	for (ms = 0; ms < AP_WAIT_MS; ms++) {
		if (CPU_ISSET(pc->pc_cpuid, cpu_online))
			return (true);
		DELAY(1000);
	}
	kprintf("mp: CPU %d (APIC ID %u) did not come online within %d ms; "
	    "going on without it\n", pc->pc_cpuid, pc->pc_apic_id,
	    AP_WAIT_MS);
	/* Park it: a late start would share the next AP's stack. */
	lapic_ipi_init(pc->pc_apic_id);
	return (false);
}

static void
mp_start_aps(const struct acpi_cpus *ac)
{
	struct ap_tramp_params *tp;
	uintptr_t stack_top;
	void *mapping;
	int i;

	if ((tp = ap_tramp_install(&mapping)) == NULL) {
		kprintf("mp: cannot map the AP trampoline; boot CPU only\n");
		return;
	}
	for (i = 0; i < ac->ac_ncpus; i++) {
		if (ac->ac_apic_id[i] == pcpu0.pc_apic_id)
			continue;
		if (ap_prepare(mp_ncpus, ac->ac_apic_id[i], &stack_top) &&
		    ap_start(tp, pcpu_find(mp_ncpus), stack_top))
			mp_ncpus++;
	}
	ap_tramp_remove(mapping);
}

static bool
madt_has(const struct acpi_cpus *ac, uint32_t apic_id)
{
	int i;

	for (i = 0; i < ac->ac_ncpus; i++)
		if (ac->ac_apic_id[i] == apic_id)
			return (true);
	return (false);
}

/*
 * smp_rendezvous().  One rendezvous at a time, behind rv_busy.  Its holder
 * publishes fn, arg and mask under a sequence count (odd while it writes,
 * with interrupts off so that nothing on its CPU can wait for the count),
 * then interrupts the others.  A CPU serves a published rendezvous once:
 * from the IPI, or by polling while it waits for rv_busy itself (so a
 * caller with interrupts off cannot deadlock with the holder), whichever
 * comes first; rv_seen[] remembers the last one it served.
 */
static struct {
	void		(*fn)(void *);
	void		*arg;
	cpuset_t	 mask;
	volatile unsigned int gen;	/* odd while fn, arg, mask change */
	volatile int	 ndone;		/* CPUs that ran fn */
	volatile int	 busy;
} rv;
static unsigned int rv_seen[MAXCPU];

/* => interrupts disabled. */
static void
rv_serve(void)
{
	int me = curcpu()->pc_cpuid;
	void (*fn)(void *);
	unsigned int g;
	void *arg;
	bool in;

	for (;;) {
		g = __atomic_load_n(&rv.gen, __ATOMIC_ACQUIRE);
		if (g == rv_seen[me])
			return;
		if (g & 1) {
			ia32_pause();
			continue;
		}
		fn = rv.fn;
		arg = rv.arg;
		in = CPU_ISSET(me, rv.mask);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&rv.gen, __ATOMIC_RELAXED) != g)
			continue;	/* a new one began meanwhile: reread */
		rv_seen[me] = g;
		if (in) {
			fn(arg);
			__atomic_fetch_add(&rv.ndone, 1, __ATOMIC_RELEASE);
		}
		return;
	}
}

static void
ipi_rendezvous_intr(void *arg __unused)
{
	rv_serve();
}

/* Take rv_busy, serving the rendezvous in progress while we wait. */
static uintptr_t
rv_lock(void)
{
	uintptr_t flags;

	for (;;) {
		flags = intr_disable();
		if (!__atomic_exchange_n(&rv.busy, 1, __ATOMIC_ACQUIRE))
			return (flags);
		rv_serve();
		intr_restore(flags);
		ia32_pause();
	}
}

/*
 * => see kernel/smp.h.  The caller waits with interrupts off: a handler
 *    on this CPU calling smp_rendezvous would wait for itself.
 */
void
smp_rendezvous(cpuset_t mask, void (*fn)(void *), void *arg)
{
	uintptr_t flags;
	int me, n;

	flags = rv_lock();		/* interrupts off before curcpu() */
	me = curcpu()->pc_cpuid;
	mask &= cpu_online;
	n = CPU_COUNT(mask);
	__atomic_store_n(&rv.gen, rv.gen + 1, __ATOMIC_SEQ_CST);
	rv.fn = fn;
	rv.arg = arg;
	rv.mask = mask;
	rv.ndone = 0;
	__atomic_store_n(&rv.gen, rv.gen + 1, __ATOMIC_RELEASE);
	ipi_send(mask & ~CPU_MASK(me), IPI_RENDEZVOUS);
	rv_serve();
	while (__atomic_load_n(&rv.ndone, __ATOMIC_ACQUIRE) < n)
		ia32_pause();
	__atomic_store_n(&rv.busy, 0, __ATOMIC_RELEASE);
	intr_restore(flags);
}

/* sched_add marked this CPU as needing a switch: sched_ast makes it. */
static void
ipi_resched_intr(void *arg __unused)
{
}

/* Another CPU is reporting a crash: stop here, touching nothing. */
static void
ipi_stop_intr(void *arg __unused)
{
	machine_halt();
}

void
mp_stop_others(void)
{
	cpuset_t others = cpu_online & ~CPU_MASK(curcpu()->pc_cpuid);

	if (!CPU_EMPTY(others))
		ipi_send(others, IPI_STOP);
}

/*
 * The boot CPU's local APIC, at the firmware's address (or the MSR's,
 * without a CPU list), with the 8259s out of the way.  The CPU list comes
 * from the ACPI MADT, else from the MP table (as FreeBSD).  Returns
 * whether the list can be used: it must include the boot CPU.
 */
static bool
mp_bsp_lapic(struct acpi_cpus *ac)
{
	bool listed = acpi_find_cpus(ac) || mptable_find_cpus(ac);

	lapic_init(listed ? ac->ac_lapic_pa : lapic_msr_base());
	i8259_disable();
	lapic_enable(true);
	pcpu0.pc_apic_id = lapic_id();
	if (listed && !madt_has(ac, pcpu0.pc_apic_id)) {
		kprintf("mp: the boot CPU (APIC ID %u) is not in the firmware's "
		    "CPU list; using it only\n", pcpu0.pc_apic_id);
		listed = false;
	}
	/* As FreeBSD: run on the first MAXCPU, and say so. */
	if (listed && ac->ac_nbeyond > 0)
		kprintf("mp: Minnow runs on at most %d CPUs (MAXCPU): %d "
		    "more left off\n", MAXCPU, ac->ac_nbeyond);
	return (listed);
}

/* The BSP's local APIC, timer and IPI handlers; then the APs. */
void
mp_start(void)
{
	struct acpi_cpus ac;

	KASSERT(curcpu() == &pcpu0 && mp_ncpus == 1, ("mp_start: twice"));
	pcpu0.pc_apic_id = cpu_hwid();
	CPU_SET_ATOMIC(0, &cpu_online);
	if (!lapic_present()) {
		kprintf("mp: no local APIC: 1 CPU, no timer interrupts\n");
		return;
	}
	mp_ncpus_listed = mp_bsp_lapic(&ac) ? ac.ac_ncpus : 1;
	cpu_sync_cr3(&pcpu0);
	intr_register(IPI_RENDEZVOUS, ipi_rendezvous_intr, NULL, "rendezvous");
	intr_register(IPI_RESCHED, ipi_resched_intr, NULL, "resched");
	intr_register(IPI_STOP, ipi_stop_intr, NULL, "stop");
	lapic_timer_calibrate();
	lapic_timer_start();
	if (mp_ncpus_listed > 1)
		mp_start_aps(&ac);
	kprintf("mp: %d of %d CPU%s online\n", mp_ncpus, mp_ncpus_listed,
	    mp_ncpus_listed == 1 ? "" : "s");
	enable_intr();
}

void
ipi_send(cpuset_t mask, int vector)
{
	struct pcpu *pc;
	uintptr_t flags;
	int cpu;

	KASSERT(vector >= IPI_FIRST && vector <= IPI_LAST,
	    ("ipi_send: vector %#x is not an IPI", vector));
	flags = intr_disable();
	pc = curcpu();
	for (mask &= cpu_online; !CPU_EMPTY(mask); mask &= mask - 1) {
		cpu = CPU_FFS(mask);
		lapic_ipi(pcpu_find(cpu)->pc_apic_id, vector);
		pc->pc_ipi_sent++;
	}
	intr_restore(flags);
}

void
ipi_broadcast(int vector)
{
	uintptr_t flags = intr_disable();

	ipi_send(cpu_online & ~CPU_MASK(curcpu()->pc_cpuid), vector);
	intr_restore(flags);
}
