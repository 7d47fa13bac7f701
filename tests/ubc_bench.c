/*
 * UBC benchmarks (kernel/kbench.h): ubc_uiomove of cached data next to
 * memcpy of the same size in the same boot, on the window path and, on
 * x86_64, the direct path; the cost of a window hit, of a miss, of
 * serving a window's faults; and how many faults a window takes.
 * A benchmark of a path the machine lacks prints nothing.
 */
#include <kernel/systm.h>
#include <kernel/kbench.h>
#include <lib/string.h>
#include <mm/malloc.h>
#include <mm/ubc.h>
#include <mm/uvm_object.h>
#include "tests/ubc_util.h"

#define	OBJ_SIZE	(1024 * 1024)
#define	BUF_SIZE	(64 * 1024)

static struct uvm_object *bobj;		/* OBJ_SIZE, every page resident */
static uint8_t *bbuf, *bsrc;

static void
bench_setup(void)
{
	if (bobj != NULL)
		return;
	bobj = uao_create(OBJ_SIZE, 0);
	bbuf = malloc(BUF_SIZE, M_ZERO);
	bsrc = malloc(BUF_SIZE, M_ZERO);
	for (voff_t o = 0; o < OBJ_SIZE; o += BUF_SIZE)
		ubc_rw(bobj, bbuf, BUF_SIZE, o, UIO_WRITE, 0, 0, NULL);
}

static void
bench_memcpy(unsigned long nops, size_t len)
{
	unsigned long i;

	bench_setup();
	kbench_start();
	for (i = 0; i < nops; i++)
		memcpy(bbuf, bsrc, len);
	kbench_stop();
}

/*
 * nops transfers of len bytes of cached data over the object; direct
 * selects the path (nothing timed if the machine has no direct map).
 */
static void
bench_uiomove(unsigned long nops, size_t len, enum uio_rw rw, bool direct)
{
	struct ubc_config uc;
	unsigned long i;

	bench_setup();
	ubc_get_config(&uc);
	if (!ubc_set_direct(direct))
		return;
	/* Touch every window once so that the timed runs hit. */
	for (i = 0; i < OBJ_SIZE / len; i++)
		ubc_rw(bobj, bbuf, len, (voff_t)(i * len), rw, 0, 0, NULL);
	kbench_start();
	for (i = 0; i < nops; i++)
		ubc_rw(bobj, bbuf, len, (voff_t)((i * len) % OBJ_SIZE), rw, 0,
		    0, NULL);
	kbench_stop();
	ubc_set_direct(uc.uc_direct);
}

KBENCH(ubc_memcpy_4k, 256)
{
	bench_memcpy(nops, 4096);
}

KBENCH(ubc_read_4k_window, 256)
{
	bench_uiomove(nops, 4096, UIO_READ, false);
}

KBENCH(ubc_write_4k_window, 256)
{
	bench_uiomove(nops, 4096, UIO_WRITE, false);
}

KBENCH(ubc_read_4k_direct, 256)
{
	bench_uiomove(nops, 4096, UIO_READ, true);
}

KBENCH(ubc_write_4k_direct, 256)
{
	bench_uiomove(nops, 4096, UIO_WRITE, true);
}

KBENCH(ubc_memcpy_64k, 32)
{
	bench_memcpy(nops, BUF_SIZE);
}

KBENCH(ubc_read_64k_window, 32)
{
	bench_uiomove(nops, BUF_SIZE, UIO_READ, false);
}

KBENCH(ubc_write_64k_window, 32)
{
	bench_uiomove(nops, BUF_SIZE, UIO_WRITE, false);
}

KBENCH(ubc_read_64k_direct, 32)
{
	bench_uiomove(nops, BUF_SIZE, UIO_READ, true);
}

KBENCH(ubc_write_64k_direct, 32)
{
	bench_uiomove(nops, BUF_SIZE, UIO_WRITE, true);
}

/* ubc_alloc + ubc_release of a window that is attached and idle. */
KBENCH(ubc_window_hit, 1000)
{
	unsigned long i;
	vsize_t len;

	bench_setup();
	len = 1;
	ubc_release(ubc_alloc(bobj, 0, &len, 0, UBC_READ), 0);
	kbench_start();
	for (i = 0; i < nops; i++) {
		len = 1;
		ubc_release(ubc_alloc(bobj, 0, &len, 0, UBC_READ), 0);
	}
	kbench_stop();
}

/*
 * A miss: the window must be attached anew (ubc_release with UBC_UNMAP
 * detached it), with one byte read, so the fault enters the window's
 * pages, and the mappings removed again.
 */
KBENCH(ubc_window_miss_fault_unmap, 100)
{
	unsigned long i;
	vsize_t len;
	uint8_t b;
	void *va;

	bench_setup();
	kbench_start();
	for (i = 0; i < nops; i++) {
		len = 1;
		va = ubc_alloc(bobj, 0, &len, 0, UBC_READ);
		kcopy(va, &b, 1);
		ubc_release(va, UBC_UNMAP);
	}
	kbench_stop();
}

/* The same without the access: a miss and a release, no fault. */
KBENCH(ubc_window_miss, 100)
{
	unsigned long i;
	vsize_t len;

	bench_setup();
	kbench_start();
	for (i = 0; i < nops; i++) {
		len = 1;
		ubc_release(ubc_alloc(bobj, 0, &len, 0, UBC_READ), UBC_UNMAP);
	}
	kbench_stop();
}

/* Faults to read a whole window fresh, by advice (reported figures). */
KBENCH(ubc_faults_per_window, 1)
{
	static const char *const name[] = { "normal", "random",
	    "sequential" };
	struct ubc_config uc;
	struct ubc_stats s0, s1;
	vsize_t ws = ubc_winsize();
	uint8_t *b = malloc(ws, 0);
	int adv;

	bench_setup();
	ubc_get_config(&uc);
	ubc_set_direct(false);
	for (adv = 0; adv < 3; adv++) {
		ubc_rw(bobj, b, 1, 0, UIO_READ, adv, UBC_UNMAP, NULL);
		ubc_get_stats(&s0);
		ubc_rw(bobj, b, ws, 0, UIO_READ, adv, 0, NULL);
		ubc_get_stats(&s1);
		kbench_report("ubc_faults_per_window", name[adv],
		    s1.us_faults - s0.us_faults);
	}
	ubc_set_direct(uc.uc_direct);
	free(b);
}
