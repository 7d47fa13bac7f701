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
	cmdline_init(bootinfo.bi_cmdline);
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
	kprintf("Minnow is up.  Nothing more to do: boot with \"ktest\" to "
	    "run the self-tests.\nQuit QEMU with Ctrl-A X.\n");
	machine_halt();
}
