/*
 * Inline wrappers for x86 instructions shared by i386 and x86_64: port I/O,
 * interrupt flag, control registers, CPUID, MSRs, TLB and TSC.
 * Control registers are uintptr_t wide (32 or 64 bits with the mode).
 */
#ifndef _X86_CPUFUNC_H_
#define _X86_CPUFUNC_H_

#include <stdbool.h>
#include <stdint.h>

static inline uint8_t
inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return (v);
}

static inline void
outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void
outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void
outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t
inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return (v);
}

static inline void
disable_intr(void)
{
	__asm__ volatile("cli" : : : "memory");
}

static inline void
enable_intr(void)
{
	__asm__ volatile("sti" : : : "memory");
}

static inline void
halt(void)
{
	__asm__ volatile("hlt" : : : "memory");
}

static inline void
ia32_pause(void)
{
	__asm__ volatile("pause");
}

static inline void
breakpoint(void)
{
	__asm__ volatile("int3");
}

static inline uintptr_t
read_flags(void)
{
	uintptr_t f;

	__asm__ volatile("pushf; pop %0" : "=r"(f) : : "memory");
	return (f);
}

static inline void
write_flags(uintptr_t f)
{
	__asm__ volatile("push %0; popf" : : "r"(f) : "memory", "cc");
}

#define	PSL_I		0x200		/* interrupt enable flag */

static inline uintptr_t
rcr0(void)
{
	uintptr_t v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return (v);
}

static inline void
lcr0(uintptr_t v)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline uintptr_t
rcr2(void)
{
	uintptr_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return (v);
}

static inline uintptr_t
rcr3(void)
{
	uintptr_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return (v);
}

static inline void
lcr3(uintptr_t v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline uintptr_t
rcr4(void)
{
	uintptr_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return (v);
}

static inline void
lcr4(uintptr_t v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static inline void
invlpg(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline void
cpuid_count(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
	    : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
	    : "a"(leaf), "c"(sub));
}

static inline uint64_t
rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (((uint64_t)hi << 32) | lo);
}

static inline void
wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
	    "d"((uint32_t)(v >> 32)) : "memory");
}

static inline uint64_t
rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (((uint64_t)hi << 32) | lo);
}

/*
 * Machine-independent names (as FreeBSD's): intr_disable() turns
 * interrupts off and returns the previous state for intr_restore();
 * intr_enabled() says whether they are on; cpu_ticks() is the cycle counter (guest instructions under QEMU
 * -icount shift=0).
 */
static inline uintptr_t
intr_disable(void)
{
	uintptr_t f = read_flags();

	disable_intr();
	return (f);
}

static inline void
intr_restore(uintptr_t f)
{
	write_flags(f);
}

static inline void
intr_enable(void)
{
	enable_intr();
}

/*
 * Set bit `bit` of the bitmap at map atomically and return its old value
 * (FreeBSD's atomic_testandset_int, for a whole bitmap).  With a register
 * bit offset, lock bts reaches any bit past map, so the caller need not
 * split the index into a word and a bit.  A full barrier, as every locked
 * instruction.  bit < 2^31.
 */
static inline bool
atomic_testandset_bitmap(volatile uint32_t *map, unsigned int bit)
{
	bool old;

	__asm__ volatile("lock btsl %2, %1"
	    : "=@ccc"(old), "+m"(*map) : "r"(bit) : "memory");
	return (old);
}

/* Clear bit `bit` of the bitmap at map likewise; return its old value. */
static inline bool
atomic_testandclear_bitmap(volatile uint32_t *map, unsigned int bit)
{
	bool old;

	__asm__ volatile("lock btrl %2, %1"
	    : "=@ccc"(old), "+m"(*map) : "r"(bit) : "memory");
	return (old);
}

/* Does this CPU take interrupts now? */
static inline bool
intr_enabled(void)
{
	return ((read_flags() & PSL_I) != 0);
}

/* Wait for an interrupt with none lost: sti's shadow covers the hlt. */
static inline void
cpu_idle_wait(void)
{
	__asm__ volatile("sti; hlt" : : : "memory");
}

/*
 * The body of a spin-wait loop (FreeBSD's cpu_spinwait).  Every loop that
 * waits for another CPU, or for time to pass, calls it: PAUSE tells a real
 * CPU the loop is a wait, and under QEMU's -icount (one host thread runs
 * the vCPUs in turn, `make bench`) it is what ends this vCPU's turn.
 * QEMU 7.2 gives each vCPU in turn all the instructions up to the next
 * timer deadline (its fairness fix came in QEMU 8.1), so a wait loop
 * without PAUSE on vCPU j leaves nothing to vCPUs above j: if it waits for
 * one of them, directly or not, the machine live-locks.
 */
static inline void
cpu_spinwait(void)
{
	ia32_pause();
}

static inline uint64_t
cpu_ticks(void)
{
	return (rdtsc());
}

#endif /* !_X86_CPUFUNC_H_ */
