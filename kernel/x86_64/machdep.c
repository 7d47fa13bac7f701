/*
 * x86_64 CPU set-up: each CPU's GDT (64-bit ring-0 code, data, its TSS)
 * and GS base, both kept in its struct pcpu, and the one IDT all CPUs
 * share, whose 256 gates point at the stubs in trap_asm.S; and the
 * register dump used by crash reports.
 *
 * In long mode the TSS holds no task state, only stack pointers.  Its
 * interrupt stack table gives the double fault (IST1) and NMI (IST2)
 * stacks of their own: a kernel stack overflow into a guard page makes
 * the #PF unable to push its frame, hence a #DF, which must not need the
 * broken stack either, or the CPU triple-faults and resets silently.
 */
#include <kernel/systm.h>
#include <kernel/machdep.h>
#include <kernel/pcpu.h>
#include <kernel/trap.h>
#include <lib/string.h>
#include <machine/frame.h>
#include <x86/cpufunc.h>
#include <x86/intr_machdep.h>
#include <x86/x86_var.h>

#define	SEL_KCODE	0x08
#define	SEL_KDATA	0x10
#define	SEL_TSS		0x18
#define	GATE_INTR	0x8e		/* present, DPL 0, 64-bit interrupt gate */
#define	SEG_TSS		0x89		/* present, DPL 0, available 64-bit TSS */
#define	IST_DF		1
#define	IST_NMI		2

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

static struct gate_desc idt[NIDT] __aligned(16);
static char bsp_dfstack[IST_STACK_SIZE] __aligned(16);
static char bsp_nmistack[IST_STACK_SIZE] __aligned(16);
extern char trap_stubs[];

/* The TSS descriptor is 16 bytes: two GDT slots (SDM 7.2.3). */
static void
gdt_build(struct pcpu *pc)
{
	uint64_t base = (uint64_t)&pc->pc_tss;
	uint64_t limit = sizeof(pc->pc_tss) - 1;

	pc->pc_gdt[0] = 0;
	pc->pc_gdt[1] = 0x00209a0000000000ULL;	/* SEL_KCODE: 64-bit, r-x */
	pc->pc_gdt[2] = 0x0000920000000000ULL;	/* SEL_KDATA: rw- */
	pc->pc_gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
	    ((uint64_t)SEG_TSS << 40) | (((limit >> 16) & 0xf) << 48) |
	    (((base >> 24) & 0xff) << 56);
	pc->pc_gdt[4] = base >> 32;
}

static void
tss_build(struct pcpu *pc)
{
	memset(&pc->pc_tss, 0, sizeof(pc->pc_tss));
	pc->pc_tss.tss_ist[IST_DF - 1] = pc->pc_dfstack;
	pc->pc_tss.tss_ist[IST_NMI - 1] = pc->pc_nmistack;
	pc->pc_tss.tss_iobase = sizeof(pc->pc_tss);
}

/*
 * Load this CPU's GDT and reload CS with a far return (long mode has no
 * direct far jump), the data segments and the task register.  GS base
 * comes last: loading %gs clears it.
 */
static void
gdt_load(struct pcpu *pc)
{
	struct region_desc rd = { sizeof(pc->pc_gdt) - 1,
	    (uint64_t)pc->pc_gdt };

	__asm__ volatile(
	    "lgdt %0\n\t"
	    "pushq %1\n\t"
	    "leaq 1f(%%rip), %%rax\n\t"
	    "pushq %%rax\n\t"
	    "lretq\n"
	    "1:\tmovw %w2, %%ax\n\t"
	    "movw %%ax, %%ds; movw %%ax, %%es; movw %%ax, %%ss\n\t"
	    "movw %%ax, %%fs; movw %%ax, %%gs\n\t"
	    "ltr %w3"
	    : : "m"(rd), "i"(SEL_KCODE), "i"(SEL_KDATA), "r"(SEL_TSS)
	    : "rax", "memory");
	wrmsr(MSR_GS_BASE, (uint64_t)pc);
}

static void
idt_init(void)
{
	uint64_t stub;
	int v;

	for (v = 0; v < NIDT; v++) {
		stub = (uint64_t)trap_stubs + 16 * v;
		idt[v].gd_off_lo = stub & 0xffff;
		idt[v].gd_sel = SEL_KCODE;
		idt[v].gd_ist = 0;
		idt[v].gd_type = GATE_INTR;
		idt[v].gd_off_mid = (stub >> 16) & 0xffff;
		idt[v].gd_off_hi = stub >> 32;
		idt[v].gd_zero = 0;
	}
	idt[T_DOUBLEFLT].gd_ist = IST_DF;
	idt[T_NMI].gd_ist = IST_NMI;
}

static void
cpu_setup(struct pcpu *pc)
{
	struct region_desc rd = { sizeof(idt) - 1, (uint64_t)idt };

	gdt_build(pc);
	tss_build(pc);
	gdt_load(pc);
	__asm__ volatile("lidt %0" : : "m"(rd));
	KASSERT(curcpu() == pc && pc->pc_dfstack != 0 &&
	    pc->pc_nmistack != 0, ("cpu_setup: CPU %d", pc->pc_cpuid));
}

/* The boot CPU, first thing: traps and curcpu() work afterwards. */
void
cpu_init(void)
{
	struct pcpu *pc = &pcpu_array[0];

	pc->pc_self = pc;
	pc->pc_cpuid = 0;
	pc->pc_dfstack = (uintptr_t)bsp_dfstack + sizeof(bsp_dfstack);
	pc->pc_nmistack = (uintptr_t)bsp_nmistack + sizeof(bsp_nmistack);
	idt_init();
	cpu_setup(pc);
}

/* => pc_self, pc_cpuid and the IST stacks are set (kernel/x86/mp.c). */
void
cpu_init_ap(struct pcpu *pc)
{
	cpu_setup(pc);
}

/* Long mode has no hardware task switch: nothing keeps a copy of CR3. */
void
cpu_sync_cr3(struct pcpu *pc __unused)
{
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
