/*
 * kbench: in-kernel micro-benchmarks, run with the "bench" option.
 *
 * A benchmark is registered with KBENCH(name, ops) into the linker
 * section "kbenches"; they run in link order, a file's in source order.
 * Its body runs `ops` operations and brackets the part to measure with
 * kbench_start()/kbench_stop(); the framework runs it several rounds and
 * prints, for each benchmark, one line
 *
 *	bench: NAME MEDIAN MIN MAX
 *
 * in rdtsc ticks per operation.  Under QEMU with "-icount shift=0",
 * rdtsc counts guest instructions and is identical from run to run, so
 * `make bench` reports instructions per operation.  Never assert on
 * speed in a test: record it here.
 *
 * A body that does not call kbench_start() in its first run is not
 * timed: it runs once and prints no timing line.  That is how one that
 * needs more CPUs than are online reports nothing, and how one that only
 * reports figures (kbench_report) prints them once.
 */
#ifndef _KERNEL_KBENCH_H_
#define _KERNEL_KBENCH_H_

#include <kernel/systm.h>

struct kbench {
	const char	*kb_name;
	const char	*kb_file;
	int		 kb_line;
	unsigned long	 kb_ops;
	void		(*kb_fn)(unsigned long ops);
} __attribute__((aligned(8)));

#define	KBENCH(name, ops)						\
	static void kbench_##name(unsigned long);			\
	static const struct kbench kbench_rec_##name			\
	    __attribute__((section("kbenches"), used, aligned(8))) = {	\
		#name, __FILE__, __LINE__, ops, kbench_##name		\
	};								\
	static void kbench_##name(unsigned long nops __unused)

void	kbench_start(void);
void	kbench_stop(void);
/* Report an extra figure of a benchmark: "bench: NAME.what VALUE". */
void	kbench_report(const char *name, const char *what, uint64_t value);
/* Run the benchmarks the filter selects ("" = all), then exit. */
void	kbench_main(const char *filter) __noreturn;

#endif /* !_KERNEL_KBENCH_H_ */
