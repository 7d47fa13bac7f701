/*
 * The legacy ISA timer and interrupt controllers that every PC still has.
 *
 * i8254 PIT: channel 2 is the one channel software may use freely (no
 * IRQ; its gate is port 0x61 bit 0, meant for the speaker).  We let it
 * run free in mode 2 with a count of 65536: it counts down at PIT_HZ,
 * wrapping every 54.9 ms, and pit_ticks() adds up how far it went
 * between two reads.  This times the busy-waits (DELAY, the INIT/SIPI
 * delays) and the local APIC timer's calibration.  The count is read by
 * latching it (port 0x43), then two byte reads: a three-step exchange
 * that two CPUs must not interleave, so it holds a spin flag, with
 * interrupts off so that a handler on the same CPU cannot want it too.
 *
 * i8259 PICs: the local APICs take over, so both PICs are remapped away
 * from the exception vectors (the BIOS leaves IRQ 0 on vector 8, #DF) and
 * every line is masked.
 */
#include <kernel/systm.h>
#include <kernel/machdep.h>
#include <x86/cpufunc.h>
#include <x86/intr_machdep.h>
#include <x86/x86_var.h>

#define	PIT_CH2		0x42
#define	PIT_MODE	0x43
#define	PIT_CH2_MODE2	0xb4		/* channel 2, lo/hi byte, mode 2 */
#define	PIT_LATCH2	0x80		/* latch channel 2's count */
#define	PORT_B		0x61		/* NMI status and control */
#define	PORTB_GATE2	0x01
#define	PORTB_SPEAKER	0x02

#define	PIC1_CMD	0x20
#define	PIC1_DATA	0x21
#define	PIC2_CMD	0xa0
#define	PIC2_DATA	0xa1

static volatile int pit_busy;
static bool	    pit_running;

/* Start channel 2 on its first use: count 0 means 65536. */
static void
pit_start(void)
{
	outb(PORT_B, (inb(PORT_B) & ~PORTB_SPEAKER) | PORTB_GATE2);
	outb(PIT_MODE, PIT_CH2_MODE2);
	outb(PIT_CH2, 0);
	outb(PIT_CH2, 0);
	pit_running = true;
}

static uint16_t
pit_read(void)
{
	uintptr_t flags = intr_disable();
	uint16_t count;

	while (__atomic_exchange_n(&pit_busy, 1, __ATOMIC_ACQUIRE))
		ia32_pause();
	if (!pit_running)
		pit_start();
	outb(PIT_MODE, PIT_LATCH2);
	count = inb(PIT_CH2);
	count |= inb(PIT_CH2) << 8;
	__atomic_store_n(&pit_busy, 0, __ATOMIC_RELEASE);
	intr_restore(flags);
	return (count);
}

/*
 * PIT ticks since the last pit_mark() or pit_ticks() with the same *last.
 * Right if called at least every 54.9 ms; a longer gap loses whole wraps,
 * so waits only get longer.
 */
unsigned int
pit_ticks(uint16_t *last)
{
	uint16_t now = pit_read();
	unsigned int d = (uint16_t)(*last - now);

	*last = now;
	return (d);
}

void
pit_mark(uint16_t *last)
{
	*last = pit_read();
}

void
pit_delay_us(unsigned int us)
{
	uint64_t want = (uint64_t)us * PIT_HZ / 1000000 + 1, done = 0;
	uint16_t last;

	pit_mark(&last);
	while (done < want) {
		ia32_pause();
		done += pit_ticks(&last);
	}
}

void
DELAY(unsigned int us)
{
	pit_delay_us(us);
}

/*
 * Initialise both PICs (ICW1-ICW4) with their vectors at IDT_LEGACY_PIC,
 * cascaded on IRQ 2, then mask every line.
 */
void
i8259_disable(void)
{
	outb(PIC1_CMD, 0x11);		/* ICW1: edge, cascade, ICW4 */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, IDT_LEGACY_PIC);	/* ICW2: vector base */
	outb(PIC2_DATA, IDT_LEGACY_PIC + 8);
	outb(PIC1_DATA, 0x04);		/* ICW3: slave on IRQ 2 */
	outb(PIC2_DATA, 0x02);
	outb(PIC1_DATA, 0x01);		/* ICW4: 8086 mode */
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, 0xff);		/* OCW1: mask everything */
	outb(PIC2_DATA, 0xff);
}
