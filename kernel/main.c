/*
 * kmain: where the entry code (boot/<arch>/entry.S) lands, in the higher
 * half, on the boot stack, with interrupts off.
 */
#include <kernel/systm.h>
#include <kernel/bootinfo.h>
#include <kernel/cmdline.h>
#include <kernel/console.h>
#include <kernel/kbench.h>
#include <kernel/ktest.h>
#include <kernel/thread.h>
#include <kernel/machdep.h>
#include <kernel/md.h>
#include <kernel/smp.h>
#include <mm/kva.h>
#include <mm/malloc.h>
#include <mm/pbuf.h>
#include <mm/pmap.h>
#include <mm/sf_buf.h>
#include <mm/ubc.h>
#include <mm/vm_page.h>
#include <machine/cpufunc.h>
#include <machine/vmparam.h>

void	kmain(uint32_t magic, uint32_t info);

static void
vm_print_summary(void)
{
	char total[24], avail[24];

	format_size(total, sizeof(total), (uint64_t)vm_cnt.v_page_count *
	    PAGE_SIZE);
	format_size(avail, sizeof(avail), (uint64_t)vm_cnt.v_free_count *
	    PAGE_SIZE);
	kprintf("vm: %s managed, %s free\n", total, avail);
	pmap_print_layout();
}

/*
 * Stop, with one line and a failure exit, below VM_MIN_RAM_MB: the boot
 * allocations would panic, or the self-tests run out of memory.  A PC's
 * memory map loses up to 1 MiB of what QEMU's -m gives to the hole below
 * 1 MiB and to firmware tables: that much is allowed for.
 */
static void
ram_check(void)
{
	uint64_t avail = memmap_total(bootinfo.bi_mem, bootinfo.bi_nmem,
	    MEMSEG_AVAILABLE);
	char have[24];

	if (avail + (1 << 20) >= (uint64_t)VM_MIN_RAM_MB << 20)
		return;
	format_size(have, sizeof(have), avail);
	kprintf("Minnow needs at least %d MiB of RAM (QEMU -m %dM); this "
	    "machine has %s usable.  Stopping.\n", VM_MIN_RAM_MB,
	    VM_MIN_RAM_MB, have);
	machine_exit(KEXIT_FAIL);
}

void
kmain(uint32_t magic, uint32_t info)
{
	const char *opt;
	vaddr_t kva_start, kva_end;
	uint64_t t0;

	cons_init();
	cpu_init();
	bootinfo_init(magic, info);
	kprintf("\nMinnow teaching kernel, %s\n", MACHINE_ARCH);
	if (bootinfo.bi_proto == 0)
		panic("unknown boot loader magic %#x: boot through multiboot",
		    magic);
	bootinfo_print();
	ram_check();
	t0 = cpu_ticks();
	vm_page_bootstrap();
	pmap_bootstrap();
	vm_page_startup();
	pmap_kva_bounds(&kva_start, &kva_end);
	kva_init(kva_start, kva_end);
	malloc_init();
	t0 = cpu_ticks() - t0;
	vm_print_summary();
	sched_init();		/* this code becomes thread0 */
	mp_start();		/* the other CPUs; interrupts on from here */
	cmdline_init(bootinfo.bi_cmdline, bootinfo.bi_cmdline_len);
	pmap_quick_init();
	sf_buf_init();
	pbuf_init();		/* reads nswbuf= */
	md_init();
	ubc_init();		/* after cmdline: its windows are boot options */
	if ((opt = cmdline_get("ktest")) != NULL)
		ktest_main(opt);
	if ((opt = cmdline_get("bench")) != NULL) {
		/* Memory set-up cost, to plot against the RAM size. */
		kbench_report("boot", "vm_init_ticks", t0);
		kbench_report("boot", "managed_kib", vm_cnt.v_page_count *
		    (PAGE_SIZE / 1024));
		kbench_main(opt);
	}
	/* Idling would leave a harness waiting on a typo: stop instead. */
	if (cmdline_problems() != 0) {
		kprintf("cmdline: %d problem(s), see above; exiting\n",
		    cmdline_problems());
		machine_exit(KEXIT_FAIL);
	}
	kprintf("Minnow is up.  Nothing more to do: boot with \"ktest\" to "
	    "run the self-tests.\n");
	/*
	 * Leave QEMU (exit 33) rather than halt: "make run" and a CI job end
	 * when the kernel has nothing more to do.  Without the exit device
	 * (GRUB on a real machine) this halts.
	 */
	machine_exit(KEXIT_PASS);
}
