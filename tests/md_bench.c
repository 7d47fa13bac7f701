/*
 * md benchmarks (kernel/kbench.h): reads and writes of 4 KiB and 64 KiB
 * through md_strategy() (the page interface, as a pager calls it), next
 * to memcpy of the same sizes between two kernel buffers, in the same
 * boot.  One "operation" is one KiB moved, so the figures are
 * instructions per KiB; tests/bench.py prints them per byte and as a
 * ratio to memcpy (goal: md at most 1.5x memcpy at 64 KiB on x86_64,
 * without KASSERT).  The *_sf_* ones reach the disk through sf_bufs.  The disk's pages exist before the timed rounds (the
 * warm-up round writes them), so no round allocates.
 */
#include <kernel/systm.h>
#include <kernel/kbench.h>
#include <kernel/md.h>
#include <lib/string.h>
#include <mm/malloc.h>
#include <mm/pbuf.h>
#include <mm/vm_page.h>

#define	BIG		(64 * 1024)
#define	NBIG		(BIG / PAGE_SIZE)
#define	DISK		(16 * BIG)	/* 1 MiB: every round sweeps it */

static struct md_softc	*bmd;
static vm_page_t	 bpages[NBIG];
static char		*bsrc, *bdst;

static void
md_bench_setup(void)
{
	int i;

	if (bmd != NULL)
		return;
	bmd = md_create(DISK);
	for (i = 0; i < NBIG; i++)
		bpages[i] = vm_page_alloc(VM_ALLOC_ZERO);
	bsrc = kmem_alloc(BIG, M_WAITOK | M_ZERO);
	bdst = kmem_alloc(BIG, M_WAITOK | M_ZERO);
}

/* DISK bytes in transfers of size, through md_strategy. */
static void
md_sweep(int iocmd, size_t size, int how)
{
	uint64_t off;

	md_bench_setup();
	md_set_copy(bmd, how);
	kbench_start();
	for (off = 0; off < DISK; off += size)
		(void)md_strategy(bmd, iocmd, off, bpages, 0, size);
	kbench_stop();
}

static void
memcpy_sweep(size_t size)
{
	uint64_t off;

	md_bench_setup();
	kbench_start();
	for (off = 0; off < DISK; off += size)
		memcpy(bdst, bsrc, size);
	kbench_stop();
}

KBENCH(md_write_4k, DISK / 1024)
{
	md_sweep(BIO_WRITE, PAGE_SIZE, MD_COPY_QUICK);
}

KBENCH(md_read_4k, DISK / 1024)
{
	md_sweep(BIO_READ, PAGE_SIZE, MD_COPY_QUICK);
}

KBENCH(memcpy_4k, DISK / 1024)
{
	memcpy_sweep(PAGE_SIZE);
}

KBENCH(md_write_64k, DISK / 1024)
{
	md_sweep(BIO_WRITE, BIG, MD_COPY_QUICK);
}

KBENCH(md_read_64k, DISK / 1024)
{
	md_sweep(BIO_READ, BIG, MD_COPY_QUICK);
}

KBENCH(memcpy_64k, DISK / 1024)
{
	memcpy_sweep(BIG);
}

/* The same through sf_bufs (md_set_copy), for comparison. */
KBENCH(md_read_sf_4k, DISK / 1024)
{
	md_sweep(BIO_READ, PAGE_SIZE, MD_COPY_SFBUF);
}

KBENCH(md_write_sf_4k, DISK / 1024)
{
	md_sweep(BIO_WRITE, PAGE_SIZE, MD_COPY_SFBUF);
}

KBENCH(md_read_sf_64k, DISK / 1024)
{
	md_sweep(BIO_READ, BIG, MD_COPY_SFBUF);
}

KBENCH(md_write_sf_64k, DISK / 1024)
{
	md_sweep(BIO_WRITE, BIG, MD_COPY_SFBUF);
}
