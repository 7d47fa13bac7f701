/*
 * i386 CPU set-up: each CPU's GDT (flat ring-0 code and data, a segment
 * for its struct pcpu, its TSS and double-fault TSS), kept in its struct
 * pcpu, and the one IDT all CPUs share, whose gates point at the stubs in
 * trap_asm.S; and the register dump used by crash reports.
 *
 * Vector 8 is a task gate: a double fault switches to the #DF task, with
 * its own stack, saving the faulting state in the CPU's TSS.  A kernel
 * stack overflow into a guard page makes the #PF unable to push its
 * frame, hence a #DF, which must not need the broken stack either, or the
 * CPU triple-faults and resets silently.  (The i386 counterpart of the
 * x86_64 interrupt stack table.)
 */
#include <kernel/systm.h>
#include <kernel/machdep.h>
#include <kernel/pcpu.h>
#include <kernel/trap.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <machine/frame.h>
#include <x86/cpufunc.h>
#include <x86/intr_machdep.h>
#include <x86/x86_var.h>

#define	SEL_KCODE	0x08
#define	SEL_KDATA	0x10
#define	SEL_PCPU	0x18		/* %fs: base is this CPU's struct pcpu */
#define	SEL_TSS		0x20
#define	SEL_DFTSS	0x28
#define	GATE_INTR	0x8e		/* present, DPL 0, 32-bit interrupt gate */
#define	GATE_TASK	0x85		/* present, DPL 0, task gate */
#define	SEG_DATA	0x92		/* present, DPL 0, read-write data */
#define	SEG_TSS		0x89		/* present, DPL 0, available 32-bit TSS */
#define	SEG_TYPE_MASK	(0xffULL << 40)
#define	SEG_32BIT	0x4		/* flags: 32-bit segment, byte granular */
#define	PSL_NT		0x4000		/* EFLAGS: nested task */

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

static struct gate_desc idt[NIDT] __aligned(8);
static char bsp_dfstack[IST_STACK_SIZE] __aligned(16);
extern char trap_stubs[], dblfault_task[];

void	dblfault_handler(void) __noreturn;

static uint64_t
seg_desc(uint32_t base, uint32_t limit, uint8_t type, uint8_t flags)
{
	return ((limit & 0xffff) | ((uint64_t)(base & 0xffffff) << 16) |
	    ((uint64_t)type << 40) | ((uint64_t)((limit >> 16) & 0xf) << 48) |
	    ((uint64_t)flags << 52) | ((uint64_t)(base >> 24) << 56));
}

static void
gdt_build(struct pcpu *pc)
{
	pc->pc_gdt[0] = 0;
	pc->pc_gdt[1] = 0x00cf9a000000ffffULL;	/* base 0, 4 GiB, r-x */
	pc->pc_gdt[2] = 0x00cf92000000ffffULL;	/* base 0, 4 GiB, rw- */
	pc->pc_gdt[SEL_PCPU >> 3] = seg_desc((uint32_t)pc, sizeof(*pc) - 1,
	    SEG_DATA, SEG_32BIT);
	pc->pc_gdt[SEL_TSS >> 3] = seg_desc((uint32_t)&pc->pc_tss,
	    sizeof(pc->pc_tss) - 1, SEG_TSS, 0);
	pc->pc_gdt[SEL_DFTSS >> 3] = seg_desc((uint32_t)&pc->pc_dftss,
	    sizeof(pc->pc_dftss) - 1, SEG_TSS, 0);
}

/*
 * The CPU's own TSS only receives state at a task switch.  The #DF task
 * starts at dblfault_task on its own stack, with interrupts off and %fs
 * on this CPU's pcpu.
 */
static void
tss_build(struct pcpu *pc)
{
	struct i386_tss *t = &pc->pc_dftss;

	memset(&pc->pc_tss, 0, sizeof(pc->pc_tss));
	pc->pc_tss.tss_iobase = sizeof(pc->pc_tss);
	memset(t, 0, sizeof(*t));
	t->tss_eip = (uint32_t)dblfault_task;
	t->tss_esp = pc->pc_dfstack;
	t->tss_eflags = 0x2;			/* bit 1 is always set */
	t->tss_cs = SEL_KCODE;
	t->tss_ss = t->tss_ds = t->tss_es = t->tss_gs = SEL_KDATA;
	t->tss_fs = SEL_PCPU;
	t->tss_cr3 = rcr3();
	t->tss_iobase = sizeof(*t);
}

static void
gdt_load(struct pcpu *pc)
{
	struct region_desc rd = { sizeof(pc->pc_gdt) - 1,
	    (uint32_t)pc->pc_gdt };

	__asm__ volatile(
	    "lgdt %0\n\t"
	    "ljmp %1, $1f\n"
	    "1:\tmovw %w2, %%ax\n\t"
	    "movw %%ax, %%ds; movw %%ax, %%es; movw %%ax, %%ss\n\t"
	    "movw %%ax, %%gs\n\t"
	    "movw %w3, %%ax; movw %%ax, %%fs\n\t"
	    "ltr %w4"
	    : : "m"(rd), "i"(SEL_KCODE), "i"(SEL_KDATA), "i"(SEL_PCPU),
	    "r"(SEL_TSS) : "eax", "memory");
}

static void
idt_init(void)
{
	uint32_t stub;
	int v;

	for (v = 0; v < NIDT; v++) {
		stub = (uint32_t)trap_stubs + 16 * v;
		idt[v].gd_off_lo = stub & 0xffff;
		idt[v].gd_sel = SEL_KCODE;
		idt[v].gd_zero = 0;
		idt[v].gd_type = GATE_INTR;
		idt[v].gd_off_hi = stub >> 16;
	}
	idt[T_DOUBLEFLT] = (struct gate_desc){ .gd_sel = SEL_DFTSS,
	    .gd_type = GATE_TASK };
}

static void
cpu_setup(struct pcpu *pc)
{
	struct region_desc rd = { sizeof(idt) - 1, (uint32_t)idt };

	gdt_build(pc);
	tss_build(pc);
	gdt_load(pc);
	__asm__ volatile("lidt %0" : : "m"(rd));
	KASSERT(curcpu() == pc && pc->pc_dfstack != 0,
	    ("cpu_setup: CPU %d", pc->pc_cpuid));
}

/* The boot CPU, first thing: traps and curcpu() work afterwards. */
void
cpu_init(void)
{
	struct pcpu *pc = &pcpu_array[0];

	pc->pc_self = pc;
	pc->pc_cpuid = 0;
	pc->pc_dfstack = (uintptr_t)bsp_dfstack + sizeof(bsp_dfstack);
	idt_init();
	cpu_setup(pc);
}

/* => pc_self, pc_cpuid and the #DF stack are set (kernel/x86/mp.c). */
void
cpu_init_ap(struct pcpu *pc)
{
	cpu_setup(pc);
}

/* The #DF task loads CR3 from its TSS: give it the final page tables. */
void
cpu_sync_cr3(struct pcpu *pc)
{
	pc->pc_dftss.tss_cr3 = rcr3();
}

/*
 * Undo the task switch into the #DF task by hand, as no iret will: the
 * CPU's TSS current and not busy, the #DF TSS not busy, NT clear.  Then a
 * catch can longjmp back into the faulting context, and the next double
 * fault finds the #DF task ready again (its TSS was never written: it
 * still holds the initial EIP and ESP).
 */
static void
dblfault_untask(struct pcpu *pc)
{
	uint64_t avail = (uint64_t)SEG_TSS << 40;

	pc->pc_gdt[SEL_TSS >> 3] =
	    (pc->pc_gdt[SEL_TSS >> 3] & ~SEG_TYPE_MASK) | avail;
	__asm__ volatile("ltr %w0" : : "r"(SEL_TSS) : "memory");
	pc->pc_gdt[SEL_DFTSS >> 3] =
	    (pc->pc_gdt[SEL_DFTSS >> 3] & ~SEG_TYPE_MASK) | avail;
	write_flags(read_flags() & ~PSL_NT);
}

/* Rebuild a trap frame from the state the task switch saved. */
static void
dblfault_frame(const struct i386_tss *t, struct trapframe *tf)
{
	memset(tf, 0, sizeof(*tf));
	tf->tf_eax = t->tss_eax;
	tf->tf_ebx = t->tss_ebx;
	tf->tf_ecx = t->tss_ecx;
	tf->tf_edx = t->tss_edx;
	tf->tf_esi = t->tss_esi;
	tf->tf_edi = t->tss_edi;
	tf->tf_ebp = t->tss_ebp;
	tf->tf_isp = t->tss_esp;
	tf->tf_trapno = T_DOUBLEFLT;
	tf->tf_eip = t->tss_eip;
	tf->tf_cs = t->tss_cs;
	tf->tf_eflags = t->tss_eflags;
}

/*
 * The #DF task (dblfault_task in trap_asm.S) lands here, on its own stack.
 * A catch for T_DOUBLEFLT may take it (tests); otherwise it is fatal.
 */
void
dblfault_handler(void)
{
	struct pcpu *pc = curcpu();
	uintptr_t cr2 = rcr2();		/* the #PF behind a stack overflow */
	struct trapframe tf;

	dblfault_frame(&pc->pc_tss, &tf);
	dblfault_untask(pc);
	if (kcatch_trap(&tf, T_DOUBLEFLT, cr2))
		panic("double fault: a catch cannot resume it");
	trap_fatal(&tf, cr2, tf.tf_isp);
}

void
trap_dump_regs(const struct trapframe *tf)
{
	kprintf("  eax %08x  ebx %08x  ecx %08x  edx %08x\n",
	    tf->tf_eax, tf->tf_ebx, tf->tf_ecx, tf->tf_edx);
	/* A #DF frame is rebuilt from the TSS: its ESP is in tf_isp. */
	kprintf("  esi %08x  edi %08x  ebp %08x  esp %08x\n",
	    tf->tf_esi, tf->tf_edi, tf->tf_ebp, tf->tf_trapno == T_DOUBLEFLT ?
	    tf->tf_isp : (uint32_t)TF_SP(tf));
	kprintf("  eip %08x  cs %04x  eflags %08x\n",
	    tf->tf_eip, tf->tf_cs, tf->tf_eflags);
}

uintptr_t
machine_kva_min(void)
{
	return (KERNBASE);
}
