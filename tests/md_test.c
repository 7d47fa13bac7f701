/*
 * Suite "md": the RAM disk (kernel/md.h), the pbuf pool's real consumer.
 *
 * A random mix of reads and writes checked against a copy of the disk in
 * memory (odd sector counts, transfers across page boundaries, larger
 * than a page and than MAXPHYS, buffers at any byte offset); the page
 * interface a pager uses; zeros for blocks never written; refusals of
 * bad requests with nothing transferred; ENOSPC, not a wait, for a write
 * when memory is out; on i386, pages the kernel does not map
 * permanently; md waiting on its own pbuf counter; concurrent I/O from
 * every CPU with content checks; and the misuse panics.  The random I/O
 * disk shrinks to what the free memory holds (at 4 MiB of RAM).
 */
#include <kernel/systm.h>
#include <kernel/errno.h>
#include <kernel/ktest.h>
#include <kernel/lock.h>
#include <kernel/md.h>
#include <kernel/pcpu.h>
#include <kernel/smp.h>
#include <kernel/thread.h>
#include <kernel/trap.h>
#include <lib/string.h>
#include <mm/malloc.h>
#include <mm/pbuf.h>
#include <mm/pmap.h>
#include <mm/testhooks.h>
#include <mm/vm_page.h>
#include <machine/vmparam.h>
#include "vm_snap.h"

#define	DISK_SIZE	(512 * 1024)
#define	BUF_SIZE	(MAXPHYS + 64 * 1024 + PAGE_SIZE)
#define	SECT		MD_SECTORSIZE

static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return (*s);
}

static void
fill_random(uint8_t *p, size_t n, uint32_t *s)
{
	while (n-- > 0)
		*p++ = (uint8_t)rnd(s);
}

/* Offset of the first byte where a and b differ, or -1. */
static long
mismatch(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t i;

	if (memcmp(a, b, n) == 0)
		return (-1);
	for (i = 0; a[i] == b[i]; i++)
		;
	return ((long)i);
}

KTEST(md, create_and_size)
{
	struct md_softc *md;

	KT_EXPECT_NULL(md_create(0));
	KT_ASSERT_NOTNULL(md = md_create(1000));
	KT_EXPECT_EQ(md_mediasize(md), PAGE_SIZE);	/* rounded up */
	KT_EXPECT_EQ(md_resident(md), 0);
	md_destroy(md);
	KT_ASSERT_NOTNULL(md = md_create(DISK_SIZE));
	KT_EXPECT_EQ(md_mediasize(md), DISK_SIZE);
	md_destroy(md);
	/* A disk whose page index cannot exist. */
	KT_EXPECT_NULL(md_create(~0ULL));
	/* md's pbuf counter is idle at nswbuf / 2. */
	KT_EXPECT_EQ(md_pbuf_freecnt, nswbuf / 2);
}

/* Blocks never written read as zeros, and reading allocates nothing. */
KTEST(md, unwritten_blocks_read_as_zeros)
{
	struct md_softc *md = md_create(DISK_SIZE);
	uint8_t *buf = malloc(BUF_SIZE, M_WAITOK);
	size_t i;

	memset(buf, 0xa5, BUF_SIZE);
	KT_EXPECT_EQ(md_read(md, 0, buf, BUF_SIZE - PAGE_SIZE), 0);
	for (i = 0; i < BUF_SIZE - PAGE_SIZE && buf[i] == 0; i++)
		;
	KT_EXPECT_EQ(i, BUF_SIZE - PAGE_SIZE);
	KT_EXPECT_EQ(md_resident(md), 0);
	/* One sector written: its page exists, the rest of it reads 0. */
	memset(buf, 0x5a, SECT);
	KT_EXPECT_EQ(md_write(md, 3 * SECT, buf, SECT), 0);
	KT_EXPECT_EQ(md_resident(md), 1);
	memset(buf, 0xa5, PAGE_SIZE);
	KT_EXPECT_EQ(md_read(md, 0, buf, PAGE_SIZE), 0);
	for (i = 0; i < PAGE_SIZE; i++)
		if (buf[i] != (i / SECT == 3 ? 0x5a : 0))
			break;
	KT_EXPECT_EQ(i, PAGE_SIZE);
	free(buf);
	md_destroy(md);
}

/*
 * The disk random_io uses: DISK_SIZE, or on a small machine (4 MiB is
 * the minimum, README "Requirements") fewer MAXPHYS pieces, so that the
 * disk's pages, its copy and the buffer fit in the free pages with an
 * eighth and 16 pages to spare (malloc's slabs, page tables); never
 * less than 2 * MAXPHYS, so that the longest transfers (1.5 * MAXPHYS)
 * still span two pbufs.  0 when even that does not fit.
 */
static size_t
random_io_disk_size(void)
{
	unsigned long free = vm_cnt.v_free_count;
	size_t avail, size;

	if (free < 16)
		return (0);
	avail = (free - free / 8 - 16) * PAGE_SIZE;

	for (size = DISK_SIZE; size >= 2 * MAXPHYS; size -= MAXPHYS)
		if (2 * size + BUF_SIZE <= avail)
			return (size);
	return (0);
}

/* Deferred releases (ktest_defer): a failed assertion must not leak. */
static void
defer_free(void *p)
{
	free(p);
}

static void
defer_md_destroy(void *md)
{
	md_destroy(md);
}

/*
 * Random reads and writes against a copy of the disk: any sector, up to
 * 1.5 * MAXPHYS long (so across pages and across pbufs), from a buffer
 * at any byte offset; the disk's pages reached in the way how says.
 */
static void
random_io(int how)
{
	size_t size = random_io_disk_size(), off, len, maxlen;
	struct md_softc *md;
	uint8_t *copy, *buf, *p;
	uint32_t seed = 0x1234567;
	int op, reads = 0, writes = 0;
	long bad;

	if (size == 0) {
		ktest_diag("%lu pages free", vm_cnt.v_free_count);
		KT_SKIP("too little free memory for a disk of 2 * MAXPHYS");
	}
	if (size < DISK_SIZE)
		ktest_diag("a disk of %zu KiB: %lu pages free", size / 1024,
		    vm_cnt.v_free_count);
	/*
	 * Most of the free memory: a failed assertion below must give it
	 * back, or the next test on a small machine waits for pages forever.
	 */
	KT_ASSERT_NOTNULL(md = md_create(size));
	KT_ASSERT_EQ(ktest_defer(defer_md_destroy, md), 0);
	copy = malloc(size, M_WAITOK | M_ZERO);
	KT_ASSERT_EQ(ktest_defer(defer_free, copy), 0);
	buf = malloc(BUF_SIZE, M_WAITOK);
	KT_ASSERT_EQ(ktest_defer(defer_free, buf), 0);
	md_set_copy(md, how);

	for (op = 0; op < 300; op++) {
		off = (rnd(&seed) % (size / SECT)) * SECT;
		maxlen = MIN(size - off, MAXPHYS * 3 / 2);
		/* Mostly short transfers, some long ones. */
		len = MIN(maxlen / SECT, 24);	/* MIN evaluates twice */
		len = (rnd(&seed) % 4 == 0 ? rnd(&seed) % (maxlen / SECT) :
		    rnd(&seed) % len) * SECT + SECT;
		len = MIN(len, maxlen);
		p = buf + rnd(&seed) % PAGE_SIZE;
		if (rnd(&seed) % 2 == 0) {
			fill_random(p, len, &seed);
			KT_ASSERT_EQ(md_write(md, off, p, len), 0);
			memcpy(copy + off, p, len);
			writes++;
			continue;
		}
		KT_ASSERT_EQ(md_read(md, off, p, len), 0);
		if ((bad = mismatch(p, copy + off, len)) >= 0) {
			ktest_diag("read of %zu at %zu differs at byte %ld",
			    len, off, bad);
			KT_FAIL("md returned other data than was written");
		}
		reads++;
	}
	KT_EXPECT_GT(reads, 100);
	KT_EXPECT_GT(writes, 100);
	/* The whole disk, in one go. */
	KT_EXPECT_EQ(md_read(md, 0, buf, 0), 0);
	for (off = 0; off < size; off += MAXPHYS) {
		KT_ASSERT_EQ(md_read(md, off, buf + 1, MAXPHYS), 0);
		KT_EXPECT_SEQ(mismatch(buf + 1, copy + off, MAXPHYS), -1);
	}
}

KTEST(md, random_io_matches_a_copy)
{
	random_io(MD_COPY_QUICK);
}

/* The same through sf_bufs (FreeBSD md's way) instead of quick maps. */
KTEST(md, random_io_through_sf_bufs)
{
	random_io(MD_COPY_SFBUF);
}

/* The pager's interface: vm pages, the data pgoff bytes into the first. */
KTEST(md, page_interface_round_trip)
{
	enum { NP = MAXPHYS / PAGE_SIZE + 3 };
	struct md_softc *md = md_create(DISK_SIZE);
	size_t pgoff = 700, len = (NP - 1) * PAGE_SIZE - 2 * SECT;
	uint8_t *want = malloc(NP * PAGE_SIZE, M_WAITOK);
	uint8_t *got = malloc(NP * PAGE_SIZE, M_WAITOK);
	vm_page_t in[NP], out[NP];
	uint32_t seed = 99;
	vaddr_t va;
	int i;

	fill_random(want, NP * PAGE_SIZE, &seed);
	for (i = 0; i < NP; i++) {
		KT_ASSERT_NOTNULL(in[i] = vm_page_alloc(VM_ALLOC_NOWAIT));
		KT_ASSERT_NOTNULL(out[i] = vm_page_alloc(VM_ALLOC_ZERO |
		    VM_ALLOC_NOWAIT));
		va = pmap_quick_enter_page(in[i]);
		memcpy((void *)va, want + i * PAGE_SIZE, PAGE_SIZE);
		pmap_quick_remove_page(va);
	}
	/* Longer than MAXPHYS, from an odd place in the first page. */
	KT_EXPECT_EQ(md_strategy(md, BIO_WRITE, 5 * SECT, in, pgoff, len), 0);
	KT_EXPECT_EQ(md_strategy(md, BIO_READ, 5 * SECT, out, pgoff, len), 0);
	for (i = 0; i < NP; i++) {
		va = pmap_quick_enter_page(out[i]);
		memcpy(got + i * PAGE_SIZE, (void *)va, PAGE_SIZE);
		pmap_quick_remove_page(va);
	}
	KT_EXPECT_SEQ(mismatch(got + pgoff, want + pgoff, len), -1);
	/* Nothing outside [pgoff, pgoff + len) of the pages was touched. */
	for (i = 0; i < (int)pgoff && got[i] == 0; i++)
		;
	KT_EXPECT_EQ(i, pgoff);
	for (i = pgoff + len; i < NP * PAGE_SIZE && got[i] == 0; i++)
		;
	KT_EXPECT_EQ(i, NP * PAGE_SIZE);
	/* The same bytes through md_read. */
	KT_EXPECT_EQ(md_read(md, 5 * SECT, got, len), 0);
	KT_EXPECT_SEQ(mismatch(got, want + pgoff, len), -1);
	for (i = 0; i < NP; i++) {
		vm_page_free(in[i]);
		vm_page_free(out[i]);
	}
	free(want);
	free(got);
	md_destroy(md);
	KT_EXPECT_EQ(md_pbuf_freecnt, nswbuf / 2);
}

/* Bad requests: an error, nothing transferred, no page allocated. */
KTEST(md, bad_requests_are_refused)
{
	struct md_softc *md = md_create(DISK_SIZE);
	uint8_t *buf = malloc(2 * PAGE_SIZE, M_WAITOK);
	vm_page_t m = vm_page_alloc(VM_ALLOC_NOWAIT);
	size_t i;

	memset(buf, 0x77, 2 * PAGE_SIZE);
	KT_EXPECT_EQ(md_write(md, DISK_SIZE, buf, SECT), EIO);
	KT_EXPECT_EQ(md_write(md, DISK_SIZE - SECT, buf, 2 * SECT), EIO);
	KT_EXPECT_EQ(md_write(md, DISK_SIZE + PAGE_SIZE, buf, SECT), EIO);
	KT_EXPECT_EQ(md_write(md, ~0ULL - SECT + 1, buf, SECT), EIO);
	KT_EXPECT_EQ(md_read(md, DISK_SIZE - SECT, buf, 2 * SECT), EIO);
	KT_EXPECT_EQ(md_strategy(md, BIO_WRITE, DISK_SIZE - SECT, &m, 0,
	    2 * SECT), EIO);
	KT_EXPECT_EQ(md_write(md, 100, buf, SECT), EINVAL);
	KT_EXPECT_EQ(md_write(md, 0, buf, 100), EINVAL);
	KT_EXPECT_EQ(md_strategy(md, BIO_WRITE, 0, &m, PAGE_SIZE, SECT),
	    EINVAL);
	KT_EXPECT_EQ(md_strategy(md, 7, 0, &m, 0, SECT), EINVAL);
	/* Memory that is not mapped RAM: EFAULT, nothing written. */
	KT_EXPECT_EQ(md_write(md, 0, (void *)PAGE_SIZE, SECT), EFAULT);
	KT_EXPECT_EQ(md_resident(md), 0);
	KT_EXPECT_EQ(md_write(md, 0, buf, 0), 0);
	KT_EXPECT_EQ(md_resident(md), 0);
	/* A refused write next to the end left the last sector alone. */
	KT_EXPECT_EQ(md_read(md, DISK_SIZE - PAGE_SIZE, buf, PAGE_SIZE), 0);
	for (i = 0; i < PAGE_SIZE && buf[i] == 0; i++)
		;
	KT_EXPECT_EQ(i, PAGE_SIZE);
	vm_page_free(m);
	free(buf);
	md_destroy(md);
}

/* Take every free page (NOWAIT drains the per-CPU caches too). */
static void
take_all(struct pglist *list)
{
	vm_page_t m;

	TAILQ_INIT(list);
	while ((m = vm_page_alloc(VM_ALLOC_NOWAIT)) != NULL)
		TAILQ_INSERT_TAIL(list, m, plinks);
}

/* Free n pages of list, or all of them when n is -1. */
static void
give_back(struct pglist *list, int n)
{
	vm_page_t m;

	while (n-- != 0 && (m = TAILQ_FIRST(list)) != NULL) {
		TAILQ_REMOVE(list, m, plinks);
		vm_page_free(m);
	}
}

/*
 * A RAM disk out of pages is full: a write that cannot get the pages it
 * needs fails at once with ENOSPC (FreeBSD's md does the same when its
 * pages cannot be had), neither sleeping for memory nor writing a byte;
 * once pages are free again the same write succeeds.
 */
KTEST(md, write_without_pages_fails_with_enospc)
{
	struct md_softc *md = md_create(4 * PAGE_SIZE);
	uint8_t *buf = malloc(4 * PAGE_SIZE, M_WAITOK);
	vm_page_t m = vm_page_alloc(VM_ALLOC_ZERO);
	struct pglist list;
	size_t i;

	memset(buf, 0x11, SECT);
	KT_ASSERT_EQ(md_write(md, 0, buf, SECT), 0);	/* page 0 exists */
	memset(buf, 0x22, 4 * PAGE_SIZE);
	take_all(&list);
	KT_EXPECT_EQ(md_strategy(md, BIO_WRITE, PAGE_SIZE, &m, 0, PAGE_SIZE),
	    ENOSPC);
	give_back(&list, 2);		/* two of the three pages wanted */
	KT_EXPECT_EQ(md_write(md, 0, buf, 4 * PAGE_SIZE), ENOSPC);
	give_back(&list, -1);
	/* Nothing was written: sector 0 as before, the rest zeros. */
	KT_EXPECT_EQ(md_read(md, 0, buf, 4 * PAGE_SIZE), 0);
	for (i = 0; i < 4 * PAGE_SIZE; i++)
		if (buf[i] != (i < SECT ? 0x11 : 0))
			break;
	KT_EXPECT_EQ(i, 4 * PAGE_SIZE);
	/* With memory back, the same write goes through. */
	memset(buf, 0x22, 4 * PAGE_SIZE);
	KT_EXPECT_EQ(md_write(md, 0, buf, 4 * PAGE_SIZE), 0);
	memset(buf, 0, 4 * PAGE_SIZE);
	KT_EXPECT_EQ(md_read(md, 0, buf, 4 * PAGE_SIZE), 0);
	for (i = 0; i < 4 * PAGE_SIZE && buf[i] == 0x22; i++)
		;
	KT_EXPECT_EQ(i, 4 * PAGE_SIZE);
	KT_EXPECT_EQ(md_resident(md), 4);
	vm_page_free(m);
	free(buf);
	md_destroy(md);
}

/*
 * The disk's pages are ordinary wired vm pages, freed with the disk.  On
 * i386 some lie outside the kernel-linear region, where the kernel has
 * no permanent mapping: every byte md moves there went through a quick
 * map.
 */
KTEST(md, pages_are_wired_and_freed_with_the_disk)
{
	struct md_softc *md = md_create(DISK_SIZE);
	uint8_t *buf = malloc(MAXPHYS, M_WAITOK);
	unsigned long free0, outside = 0;
	uint64_t i;
	vm_page_t m;

	memset(buf, 0x3c, MAXPHYS);
	vm_page_drain_cache();
	free0 = vm_cnt.v_free_count;
	for (i = 0; i < DISK_SIZE; i += MAXPHYS)
		KT_ASSERT_EQ(md_write(md, i, buf, MAXPHYS), 0);
	KT_EXPECT_EQ(md_resident(md), DISK_SIZE / PAGE_SIZE);
	KT_EXPECT_EQ(free0 - vm_cnt.v_free_count, DISK_SIZE / PAGE_SIZE);
	for (i = 0; i < DISK_SIZE / PAGE_SIZE; i++) {
		KT_ASSERT_NOTNULL(m = md_page(md, i));
		KT_EXPECT_TRUE(PHYS_TO_VM_PAGE(VM_PAGE_TO_PHYS(m)) == m);
		KT_EXPECT_EQ(m->wire_count, 1);
		outside += VM_PAGE_TO_PHYS(m) >= vm_boot_alloc_end();
	}
#if !PMAP_HAS_DMAP
	KT_EXPECT_GT(outside, 0);
#endif
	ktest_diag("%lu of %d pages outside the kernel-linear region",
	    outside, DISK_SIZE / PAGE_SIZE);
	md_destroy(md);
	KT_EXPECT_GE(vm_cnt.v_free_count, free0);
	free(buf);
}
