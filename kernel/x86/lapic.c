/*
 * Local APIC, xAPIC mode: every CPU has one at the same physical address,
 * and each CPU sees its own registers there.  We map the page once,
 * uncached (pmap_mapdev), and use it for interrupt acknowledge (EOI),
 * inter-processor interrupts through the ICR, and the per-CPU timer,
 * periodic at HZ on vector IDT_LAPIC_TIMER.
 *
 * The timer counts the APIC bus clock, whose rate nothing tells us: the
 * boot CPU measures it once against the PIT, and every CPU uses the result
 * (they share the bus clock).  Intel SDM vol. 3A, chapter 11 (APIC).
 */
#include <kernel/systm.h>
#include <kernel/intr.h>
#include <kernel/pcpu.h>
#include <mm/pmap.h>
#include <x86/cpufunc.h>
#include <x86/x86_var.h>

#define	HZ		100		/* timer interrupts per second per CPU */
#define	CALIB_US	5000		/* one calibration window */
#define	CALIB_WINDOWS	5		/* undisturbed ones, median taken */
#define	CALIB_TRIES	200
#define	CALIB_END_GAP	(PIT_HZ / 20000)	/* 50 us: clock reads not
						   back to back */
#define	CALIB_STALL	(PIT_HZ / 1000)	/* 1 ms: the host stalled us */

/* Register offsets (SDM table 11-1). */
#define	LAPIC_ID	0x020
#define	LAPIC_VER	0x030
#define	LAPIC_TPR	0x080
#define	LAPIC_EOI	0x0b0
#define	LAPIC_SVR	0x0f0
#define	LAPIC_ESR	0x280
#define	LAPIC_ICR_LO	0x300
#define	LAPIC_ICR_HI	0x310
#define	LAPIC_LVT_TIMER	0x320
#define	LAPIC_LVT_THERM	0x330
#define	LAPIC_LVT_PMC	0x340
#define	LAPIC_LVT_LINT0	0x350
#define	LAPIC_LVT_LINT1	0x360
#define	LAPIC_LVT_ERROR	0x370
#define	LAPIC_TMR_ICR	0x380		/* timer initial count */
#define	LAPIC_TMR_CCR	0x390		/* timer current count */
#define	LAPIC_TMR_DCR	0x3e0		/* timer divide configuration */

#define	APICBASE_X2APIC	0x400		/* MSR_APICBASE: x2APIC mode */
#define	APICBASE_ENABLE	0x800		/* MSR_APICBASE: global enable */
#define	SVR_ENABLE	0x100
#define	LVT_MASKED	0x10000
#define	LVT_PERIODIC	0x20000
#define	LVT_DM_NMI	0x400
#define	DCR_DIV16	0x3
#define	ICR_DM_INIT	0x500
#define	ICR_DM_STARTUP	0x600
#define	ICR_DELIVS	0x1000		/* send pending */
#define	ICR_ASSERT	0x4000

static volatile uint32_t *lapic;
static uint32_t lapic_timer_count;	/* bus clocks / 16 per tick */

static inline uint32_t
lapic_read(int reg)
{
	return (lapic[reg / 4]);
}

static inline void
lapic_write(int reg, uint32_t v)
{
	lapic[reg / 4] = v;
}

/* Weak: the scheduler (kernel/sched.c) provides the real one. */
__attribute__((weak)) void
sched_clock(void)
{
}

static void
lapic_timer_intr(void *arg __unused)
{
	curcpu()->pc_ticks++;
	sched_clock();
}

/* The error status register must be written before it is read (11.5.3). */
static void
lapic_error_intr(void *arg __unused)
{
	uint32_t esr;

	lapic_write(LAPIC_ESR, 0);
	esr = lapic_read(LAPIC_ESR);
	kprintf("lapic: CPU %d: APIC error, ESR %#x\n", curcpu()->pc_cpuid,
	    esr);
}

bool
lapic_present(void)
{
	uint32_t r[4];

	cpuid_count(1, 0, r);
	return ((r[3] & (1u << 9)) != 0);
}

paddr_t
lapic_msr_base(void)
{
	return (rdmsr(MSR_APICBASE) & 0x000ffffffffff000ULL);
}

void
lapic_init(paddr_t pa)
{
	KASSERT(lapic == NULL, ("lapic_init: twice"));
	if ((lapic = pmap_mapdev(pa, PAGE_SIZE)) == NULL)
		panic("lapic: no kernel address space for the registers");
	intr_register(IDT_LAPIC_TIMER, lapic_timer_intr, NULL, "lapic timer");
	intr_register(IDT_LAPIC_ERROR, lapic_error_intr, NULL, "lapic error");
}

/*
 * Turn this CPU's local APIC on.  LINT0 (the 8259's ExtINT) is masked on
 * every CPU: the PICs are off.  LINT1 carries NMI on the boot CPU only,
 * as firmware wires it.
 */
void
lapic_enable(bool bsp)
{
	uint64_t base = rdmsr(MSR_APICBASE);
	int maxlvt;

	if (base & APICBASE_X2APIC)
		panic("lapic: firmware left x2APIC mode on; not supported");
	if ((base & APICBASE_ENABLE) == 0)
		wrmsr(MSR_APICBASE, base | APICBASE_ENABLE);
	maxlvt = (lapic_read(LAPIC_VER) >> 16) & 0xff;
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, bsp ? LVT_DM_NMI : LVT_MASKED);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | IDT_LAPIC_TIMER);
	if (maxlvt >= 4)
		lapic_write(LAPIC_LVT_PMC, LVT_MASKED);
	if (maxlvt >= 5)
		lapic_write(LAPIC_LVT_THERM, LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, IDT_LAPIC_ERROR);
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_SVR, SVR_ENABLE | IDT_SPURIOUS);
	lapic_eoi();
}

uint32_t
lapic_id(void)
{
	return (lapic_read(LAPIC_ID) >> 24);
}

void
lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

/*
 * Write the ICR, high half (destination) first: the write of the low half
 * sends.  Interrupts stay off in between so that a handler sending an IPI
 * on this CPU cannot change the destination under us; we wait for the
 * previous IPI to leave, and for this one (SDM 11.6.1, delivery status).
 */
static void
lapic_icr_send(uint32_t apic_id, uint32_t lo)
{
	uintptr_t flags = intr_disable();

	while (lapic_read(LAPIC_ICR_LO) & ICR_DELIVS)
		ia32_pause();
	lapic_write(LAPIC_ICR_HI, apic_id << 24);
	lapic_write(LAPIC_ICR_LO, lo);
	while (lapic_read(LAPIC_ICR_LO) & ICR_DELIVS)
		ia32_pause();
	intr_restore(flags);
}

void
lapic_ipi(uint32_t apic_id, int vector)
{
	KASSERT(vector >= IDT_IO_FIRST && vector < NIDT,
	    ("lapic_ipi: vector %d", vector));
	lapic_icr_send(apic_id, ICR_ASSERT | (uint32_t)vector);
}

void
lapic_ipi_init(uint32_t apic_id)
{
	lapic_icr_send(apic_id, ICR_DM_INIT | ICR_ASSERT);
}

/* => pa is page aligned and below 1 MiB: the vector is its page number. */
void
lapic_ipi_startup(uint32_t apic_id, paddr_t pa)
{
	KASSERT((pa & PAGE_MASK) == 0 && pa < 0x100000,
	    ("lapic_ipi_startup: pa %#llx", (unsigned long long)pa));
	lapic_icr_send(apic_id, ICR_DM_STARTUP | ICR_ASSERT |
	    (uint32_t)(pa >> PAGE_SHIFT));
}

/*
 * One calibration window: bus clocks / 16 that the timer counted in
 * CALIB_US of PIT time, interrupts off; 0 if it was disturbed.  Each end
 * reads the APIC counter between two PIT reads, and the window counts
 * half of each end's gap, so an end off by up to CALIB_END_GAP costs at
 * most that.  The PIT wraps every 54.9 ms and pit_ticks cannot see whole
 * wraps: an emulator's vCPU thread descheduled that long would make the
 * window look short and the bus fast (5 times too fast was seen on a
 * loaded host, and every tick 5 times too long).  A poll that took over
 * CALIB_STALL throws the window away; a stall of nearly whole wraps can
 * still slip through, which the median of several windows outvotes.
 */
static uint64_t
lapic_calib_window(void)
{
	uint64_t pit = 0;
	uint32_t c0, c1;
	unsigned int d, g0, g1, worst = 0;
	uint16_t last;
	uintptr_t flags = intr_disable();

	pit_mark(&last);
	c0 = lapic_read(LAPIC_TMR_CCR);
	g0 = pit_ticks(&last);
	while (pit < (uint64_t)CALIB_US * PIT_HZ / 1000000) {
		d = pit_ticks(&last);
		worst = MAX(worst, d);
		pit += d;
	}
	c1 = lapic_read(LAPIC_TMR_CCR);
	g1 = pit_ticks(&last);
	intr_restore(flags);
	if (g0 > CALIB_END_GAP || g1 > CALIB_END_GAP || worst > CALIB_STALL ||
	    c1 >= c0)
		return (0);
	pit += (g0 + g1) / 2;
	return ((uint64_t)(c0 - c1) * CALIB_US * PIT_HZ / 1000000 / pit);
}

/*
 * Count bus clocks / 16 against the PIT, the timer one-shot and masked
 * (from 0xffffffff it runs for over a minute at QEMU's 1 GHz bus): the
 * median of CALIB_WINDOWS undisturbed windows.
 */
void
lapic_timer_calibrate(void)
{
	uint64_t w[CALIB_WINDOWS], t, bus;
	int i, j, n;

	lapic_write(LAPIC_TMR_DCR, DCR_DIV16);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | IDT_LAPIC_TIMER);
	lapic_write(LAPIC_TMR_ICR, 0xffffffff);
	for (i = n = 0; i < CALIB_TRIES && n < CALIB_WINDOWS; i++)
		if ((t = lapic_calib_window()) != 0)
			w[n++] = t;
	lapic_write(LAPIC_TMR_ICR, 0);
	if (n == 0)
		panic("lapic: timer calibration failed: no undisturbed window "
		    "in %d (the timer did not run, or the host never let us)",
		    CALIB_TRIES);
	for (i = 1; i < n; i++)			/* insertion sort */
		for (j = i; j > 0 && w[j - 1] > w[j]; j--) {
			t = w[j];
			w[j] = w[j - 1];
			w[j - 1] = t;
		}
	bus = w[n / 2];				/* per CALIB_US */
	lapic_timer_count = (uint32_t)(bus * 1000000 / ((uint64_t)CALIB_US *
	    HZ));
	kprintf("lapic: timer %llu kHz bus clock, %d Hz (%d of %d windows)\n",
	    (unsigned long long)(bus * 16 * 1000 / CALIB_US), HZ, n, i);
}

/*
 * lapic_timer_read: this CPU's timer, for the smp suite's rate check.
 * => *initial is the count reloaded every tick, *current what is left of
 *    this tick; both in bus clocks / 16.  The counter runs whether or not
 *    the interrupts it raises are taken, so it keeps time even while an
 *    emulator's vCPU is not running.
 */
void
lapic_timer_read(uint32_t *initial, uint32_t *current)
{
	*initial = lapic_read(LAPIC_TMR_ICR);
	*current = lapic_read(LAPIC_TMR_CCR);
}

/* Periodic at HZ on this CPU.  => lapic_timer_calibrate() ran. */
void
lapic_timer_start(void)
{
	KASSERT(lapic_timer_count != 0, ("lapic_timer_start: not calibrated"));
	lapic_write(LAPIC_TMR_DCR, DCR_DIV16);
	lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | IDT_LAPIC_TIMER);
	lapic_write(LAPIC_TMR_ICR, lapic_timer_count);
}
