/*
 * x86_64 CPU set-up: the GDT (64-bit ring-0 code, data) and the IDT,
 * whose 256 gates point at the stubs in trap_asm.S; and the register dump
 * used by crash reports.
 */
#include <kernel/systm.h>
#include <kernel/machdep.h>
#include <machine/frame.h>
#include <x86/cpufunc.h>

#define	SEL_KCODE	0x08
#define	SEL_KDATA	0x10
#define	GATE_INTR	0x8e		/* present, DPL 0, 64-bit interrupt gate */

struct gate_desc {
	uint16_t	gd_off_lo;
	uint16_t	gd_sel;
	uint8_t		gd_ist;
	uint8_t		gd_type;
	uint16_t	gd_off_mid;
	uint32_t	gd_off_hi;
	uint32_t	gd_zero;
} __packed;

struct region_desc {
	uint16_t	rd_limit;
	uint64_t	rd_base;
} __packed;

static const uint64_t gdt[] __aligned(8) = {
	0,
	0x00209a0000000000ULL,		/* SEL_KCODE: 64-bit, r-x */
	0x0000920000000000ULL,		/* SEL_KDATA: rw- */
};

static struct gate_desc idt[256] __aligned(16);
extern char trap_stubs[];

/* Reload CS with a far return: there is no direct far jump in long mode. */
static void
gdt_load(void)
{
	struct region_desc rd = { sizeof(gdt) - 1, (uint64_t)gdt };

	__asm__ volatile(
	    "lgdt %0\n\t"
	    "pushq %1\n\t"
	    "leaq 1f(%%rip), %%rax\n\t"
	    "pushq %%rax\n\t"
	    "lretq\n"
	    "1:\tmovw %w2, %%ax\n\t"
	    "movw %%ax, %%ds; movw %%ax, %%es; movw %%ax, %%ss\n\t"
	    "movw %%ax, %%fs; movw %%ax, %%gs"
	    : : "m"(rd), "i"(SEL_KCODE), "i"(SEL_KDATA) : "rax", "memory");
}

static void
idt_load(void)
{
	struct region_desc rd = { sizeof(idt) - 1, (uint64_t)idt };
	uint64_t stub;
	int v;

	for (v = 0; v < 256; v++) {
		stub = (uint64_t)trap_stubs + 16 * v;
		idt[v].gd_off_lo = stub & 0xffff;
		idt[v].gd_sel = SEL_KCODE;
		idt[v].gd_ist = 0;
		idt[v].gd_type = GATE_INTR;
		idt[v].gd_off_mid = (stub >> 16) & 0xffff;
		idt[v].gd_off_hi = stub >> 32;
		idt[v].gd_zero = 0;
	}
	__asm__ volatile("lidt %0" : : "m"(rd));
}

void
cpu_init(void)
{
	gdt_load();
	idt_load();
}

void
trap_dump_regs(const struct trapframe *tf)
{
	kprintf("  rax %016llx  rbx %016llx  rcx %016llx\n",
	    (unsigned long long)tf->tf_rax, (unsigned long long)tf->tf_rbx,
	    (unsigned long long)tf->tf_rcx);
	kprintf("  rdx %016llx  rsi %016llx  rdi %016llx\n",
	    (unsigned long long)tf->tf_rdx, (unsigned long long)tf->tf_rsi,
	    (unsigned long long)tf->tf_rdi);
	kprintf("  rbp %016llx  rsp %016llx  r8  %016llx\n",
	    (unsigned long long)tf->tf_rbp, (unsigned long long)tf->tf_rsp,
	    (unsigned long long)tf->tf_r8);
	kprintf("  r9  %016llx  r10 %016llx  r11 %016llx\n",
	    (unsigned long long)tf->tf_r9, (unsigned long long)tf->tf_r10,
	    (unsigned long long)tf->tf_r11);
	kprintf("  r12 %016llx  r13 %016llx  r14 %016llx\n",
	    (unsigned long long)tf->tf_r12, (unsigned long long)tf->tf_r13,
	    (unsigned long long)tf->tf_r14);
	kprintf("  r15 %016llx  rip %016llx  rflags %08llx  cs %llx\n",
	    (unsigned long long)tf->tf_r15, (unsigned long long)tf->tf_rip,
	    (unsigned long long)tf->tf_rflags, (unsigned long long)tf->tf_cs);
}

uintptr_t
machine_kva_min(void)
{
	return (0xffff800000000000UL);
}
