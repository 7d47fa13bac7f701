/*
 * i386 CPU set-up: the GDT (flat ring-0 code and data) and the IDT, whose
 * 256 gates point at the stubs in trap_asm.S; and the register dump used
 * by crash reports.
 */
#include <kernel/systm.h>
#include <kernel/machdep.h>
#include <machine/frame.h>
#include <x86/cpufunc.h>

#define	SEL_KCODE	0x08
#define	SEL_KDATA	0x10
#define	GATE_INTR	0x8e		/* present, DPL 0, 32-bit interrupt gate */

struct gate_desc {
	uint16_t	gd_off_lo;
	uint16_t	gd_sel;
	uint8_t		gd_zero;
	uint8_t		gd_type;
	uint16_t	gd_off_hi;
} __packed;

struct region_desc {
	uint16_t	rd_limit;
	uint32_t	rd_base;
} __packed;

static const uint64_t gdt[] __aligned(8) = {
	0,
	0x00cf9a000000ffffULL,		/* SEL_KCODE: base 0, 4 GiB, r-x */
	0x00cf92000000ffffULL,		/* SEL_KDATA: base 0, 4 GiB, rw- */
};

static struct gate_desc idt[256] __aligned(8);
extern char trap_stubs[];

static void
gdt_load(void)
{
	struct region_desc rd = { sizeof(gdt) - 1, (uint32_t)gdt };

	__asm__ volatile(
	    "lgdt %0\n\t"
	    "ljmp %1, $1f\n"
	    "1:\tmovw %w2, %%ax\n\t"
	    "movw %%ax, %%ds; movw %%ax, %%es; movw %%ax, %%ss\n\t"
	    "movw %%ax, %%fs; movw %%ax, %%gs"
	    : : "m"(rd), "i"(SEL_KCODE), "i"(SEL_KDATA) : "eax", "memory");
}

static void
idt_load(void)
{
	struct region_desc rd = { sizeof(idt) - 1, (uint32_t)idt };
	uint32_t stub;
	int v;

	for (v = 0; v < 256; v++) {
		stub = (uint32_t)trap_stubs + 16 * v;
		idt[v].gd_off_lo = stub & 0xffff;
		idt[v].gd_sel = SEL_KCODE;
		idt[v].gd_zero = 0;
		idt[v].gd_type = GATE_INTR;
		idt[v].gd_off_hi = stub >> 16;
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
	kprintf("  eax %08x  ebx %08x  ecx %08x  edx %08x\n",
	    tf->tf_eax, tf->tf_ebx, tf->tf_ecx, tf->tf_edx);
	kprintf("  esi %08x  edi %08x  ebp %08x  esp %08x\n",
	    tf->tf_esi, tf->tf_edi, tf->tf_ebp, (uint32_t)TF_SP(tf));
	kprintf("  eip %08x  cs %04x  eflags %08x\n",
	    tf->tf_eip, tf->tf_cs, tf->tf_eflags);
}

uintptr_t
machine_kva_min(void)
{
	return (KERNBASE);
}
