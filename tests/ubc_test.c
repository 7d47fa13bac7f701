/*
 * Suite "ubc" (part 1): uio and kcopy, objects and pagers, data through
 * UBC windows and the direct path, the backing store, I/O errors,
 * FAULTBUSY, advice, hits, UNMAP.  Every data test runs on the window
 * path and, where the machine has a direct map, on the direct path too,
 * whatever the boot chose.  Misuse, faults and concurrency are in
 * tests/ubc_misuse_test.c.
 */
#include <kernel/systm.h>
#include <kernel/cmdline.h>
#include <kernel/errno.h>
#include <kernel/ktest.h>
#include <kernel/pcpu.h>
#include <kernel/thread.h>
#include <kernel/uio.h>
#include <lib/string.h>
#include <machine/cpufunc.h>
#include <machine/vmparam.h>
#include <mm/malloc.h>
#include <mm/ubc.h>
#include <mm/uvm_object.h>
#include <mm/vm_page.h>
#include "tests/ubc_tpager.h"
#include "tests/ubc_util.h"

#define	NPATHS	2
static const char *const path_name[NPATHS] = { "window", "direct" };

/* Select path p; false when the machine cannot (no direct map). */
static bool
use_path(int p)
{
	return (ubc_set_direct(p == 1));
}

static void
restore_path(const struct ubc_config *uc)
{
	ubc_set_direct(uc->uc_direct);
}

KTEST(ubc, uiomove_walks_iovecs)
{
	char src[10] = "abcdefghi", a[4], b[6];
	struct iovec iov[3] = { { a, 4 }, { NULL, 0 }, { b, 6 } };
	struct uio uio = { iov, 3, 100, 10, UIO_SYSSPACE, UIO_READ };

	UIO_SETUP_SYSSPACE(&uio);
	KT_EXPECT_EQ(uiomove(src, 7, &uio), 0);
	KT_EXPECT_EQ(memcmp(a, "abcd", 4), 0);
	KT_EXPECT_EQ(memcmp(b, "efg", 3), 0);
	KT_EXPECT_EQ(uio.uio_resid, 3);
	KT_EXPECT_EQ(uio.uio_offset, 107);
	KT_EXPECT_EQ(uio.uio_iovcnt, 1);
	KT_EXPECT_EQ(iov[2].iov_len, 3);
	/* UIO_WRITE goes the other way: iovecs into the buffer. */
	memcpy(b + 3, "XYZ", 3);
	uio.uio_rw = UIO_WRITE;
	KT_EXPECT_EQ(uiomove(src, 100, &uio), 0);	/* resid bounds it */
	KT_EXPECT_EQ(memcmp(src, "XYZd", 4), 0);
	KT_EXPECT_EQ(uio.uio_offset, 110);
	KT_EXPECT_EQ(uio.uio_resid, 0);
}

KTEST(ubc, kcopy_copies_and_returns_efault_on_bad_address)
{
	char s[8] = "1234567", d[8] = { 0 };

	KT_EXPECT_EQ(kcopy(s, d, 8), 0);
	KT_EXPECT_EQ(memcmp(s, d, 8), 0);
	/* NULL is nobody's pageable memory: EFAULT, not a crash. */
	KT_EXPECT_EQ(kcopy(NULL, d, 8), EFAULT);
	KT_EXPECT_EQ(kcopy(s, (void *)16, 8), EFAULT);
	KT_EXPECT_NULL(curthread->td_onfault);	/* recovery point popped */
}

KTEST(ubc, object_pages_by_offset)
{
	struct uvm_object *uobj = uao_create(3 * PAGE_SIZE + 1, 0);
	struct vm_page *m = vm_page_alloc(0), *pgs[4];
	int n = 4;

	KT_ASSERT_NOTNULL(uobj);
	KT_EXPECT_EQ(uobj->uo_size, 4 * PAGE_SIZE);	/* rounded up */
	mtx_lock(&uobj->vmobjlock);
	KT_EXPECT_NULL(uvm_pagelookup(uobj, PAGE_SIZE));
	uvm_pageinsert(uobj, m, PAGE_SIZE);
	KT_EXPECT_TRUE(uvm_pagelookup(uobj, PAGE_SIZE) == m);
	KT_EXPECT_TRUE(m->object == uobj);
	KT_EXPECT_EQ(uobj->uo_npages, 1);
	uvm_pageremove(uobj, m);
	KT_EXPECT_NULL(uvm_pagelookup(uobj, PAGE_SIZE));
	KT_EXPECT_NULL(m->object);
	/* The aobj pager zero-fills and hands pages out busy. */
	KT_EXPECT_EQ(uobj->pgops->pgo_get(uobj, 0, pgs, &n, 0, 0), 0);
	KT_EXPECT_EQ(n, 4);
	KT_EXPECT_TRUE(pgs[3]->flags & PG_BUSY);
	uvm_page_unbusy(uobj, pgs, n);
	KT_EXPECT_FALSE(pgs[3]->flags & PG_BUSY);
	KT_EXPECT_EQ(uobj->uo_npages, 4);
	mtx_unlock(&uobj->vmobjlock);
	vm_page_free(m);
	uao_detach(uobj);
}

static struct uvm_object *busy_obj;
static volatile int busy_state;

static void
busy_waiter(void *arg)
{
	struct vm_page *pg;
	int n = 1;

	mtx_lock(&busy_obj->vmobjlock);
	busy_state = 1;
	/* Sleeps in uvm_pagewait until the test unbusies the page. */
	busy_obj->pgops->pgo_get(busy_obj, 0, &pg, &n, 0, 0);
	busy_state = 2;
	uvm_page_unbusy(busy_obj, &pg, 1);
	mtx_unlock(&busy_obj->vmobjlock);
}

KTEST(ubc, busy_page_sleeps_until_unbusied)
{
	struct thread *td;
	struct vm_page *pg;
	int i, n = 1;

	busy_obj = uao_create(PAGE_SIZE, 0);
	busy_state = 0;
	mtx_lock(&busy_obj->vmobjlock);
	KT_EXPECT_EQ(busy_obj->pgops->pgo_get(busy_obj, 0, &pg, &n, 0, 0), 0);
	mtx_unlock(&busy_obj->vmobjlock);
	KT_ASSERT_NOTNULL(td = thread_create("pgwait", busy_waiter, NULL));
	for (i = 0; i < 100 && !(busy_state == 1 &&
	    td->td_state == TDS_SLEEPING); i++)
		pause_ticks(1);
	KT_EXPECT_EQ(td->td_state, TDS_SLEEPING);
	KT_EXPECT_TRUE(pg->flags & PG_WANTED);
	KT_EXPECT_EQ(busy_state, 1);
	mtx_lock(&busy_obj->vmobjlock);
	uvm_page_unbusy(busy_obj, &pg, 1);
	mtx_unlock(&busy_obj->vmobjlock);
	thread_join(td);
	KT_EXPECT_EQ(busy_state, 2);
	uao_detach(busy_obj);
}

KTEST(ubc, boot_options_parse)
{
	struct ubc_config uc = { 1024, 13, false };

	KT_EXPECT_EQ(ubc_parse_options(&uc, "window", "64", "16", false), 0);
	KT_EXPECT_EQ(uc.uc_nwins, 64);
	KT_EXPECT_EQ(uc.uc_winshift, 16);
	KT_EXPECT_FALSE(uc.uc_direct);
	KT_EXPECT_EQ(ubc_parse_options(&uc, "bogus", "8", "30", false), 3);
	KT_EXPECT_EQ(uc.uc_nwins, 64);		/* bad values keep the old */
	KT_EXPECT_EQ(uc.uc_winshift, 16);
	KT_EXPECT_EQ(ubc_parse_options(&uc, NULL, "12x", NULL, false), 1);
	KT_EXPECT_EQ(ubc_parse_options(&uc, "direct", NULL, NULL, false),
	    PMAP_HAS_DMAP ? 0 : 1);
	KT_EXPECT_EQ(uc.uc_direct, PMAP_HAS_DMAP);
	ubc_get_config(&uc);
	KT_EXPECT_EQ(uc.uc_direct, PMAP_HAS_DMAP);	/* the default */
	KT_EXPECT_GE(uc.uc_nwins, 16);
	/* The default count: one window per 8 pages, 16 .. 1024. */
	KT_EXPECT_EQ(ubc_nwins_for(736), 92);		/* 4 MiB */
	KT_EXPECT_EQ(ubc_nwins_for(100), 16);
	KT_EXPECT_EQ(ubc_nwins_for(8 * 1024), 1024);
	KT_EXPECT_EQ(ubc_nwins_for(8 * 1024 - 8), 1023);
	KT_EXPECT_EQ(ubc_nwins_for(1UL << 20), 1024);
	if (cmdline_get("ubc_nwins") == NULL)
		KT_EXPECT_EQ(uc.uc_nwins, ubc_nwins_for(vm_cnt.v_page_count));
}

KTEST(ubc, alloc_clips_to_window_end)
{
	struct uvm_object *uobj = uao_create(4 * ubc_winsize(), 0);
	vsize_t ws = ubc_winsize(), len;
	char *va, *va2;

	len = 1000;
	va = ubc_alloc(uobj, ws - 100, &len, UVM_ADV_NORMAL, UBC_READ);
	KT_EXPECT_EQ(len, 100);
	KT_EXPECT_TRUE(ubc_contains((vaddr_t)va));
	ubc_release(va, 0);
	len = 10 * ws;
	va = ubc_alloc(uobj, ws, &len, UVM_ADV_NORMAL, UBC_READ);
	KT_EXPECT_EQ(len, ws);
	len = 5;
	va2 = ubc_alloc(uobj, ws + 7, &len, UVM_ADV_NORMAL, UBC_READ);
	KT_EXPECT_EQ(len, 5);
	KT_EXPECT_TRUE(va2 == va + 7);	/* same window, shared */
	ubc_release(va2, 0);
	ubc_release(va, 0);
	uao_detach(uobj);
}

/* Write a pattern over the whole object, read it back in odd pieces. */
static void
roundtrip(const char *path, struct uvm_object *uobj, int seed)
{
	size_t size = (size_t)uobj->uo_size, done, pos, n;
	uint8_t *buf = malloc(size, 0);

	ubc_fill(buf, size, 0, seed);
	KT_EXPECT_EQ(ubc_rw(uobj, buf, size, 0, UIO_WRITE, 0, 0, &done), 0);
	KT_EXPECT_EQ(done, size);
	memset(buf, 0, size);
	/* Unaligned offsets and lengths that cross windows and pages. */
	for (pos = 0; pos < size; pos += n) {
		n = MIN(size - pos, 3 * PAGE_SIZE + 1234 + pos % 777);
		KT_EXPECT_EQ(ubc_rw(uobj, buf + pos, n, (voff_t)pos, UIO_READ,
		    0, 0, &done), 0);
		KT_EXPECT_EQ(done, n);
	}
	if (ubc_check(buf, size, 0, seed) != -1)
		ktest_diag("%s path: byte %ld differs", path,
		    ubc_check(buf, size, 0, seed));
	KT_EXPECT_SEQ(ubc_check(buf, size, 0, seed), -1);
	free(buf);
}

KTEST(ubc, pattern_round_trip_both_paths)
{
	struct ubc_config uc;
	int p;

	ubc_get_config(&uc);
	ubc_keep_path();
	for (p = 0; p < NPATHS && use_path(p); p++) {
		struct uvm_object *uobj = uao_create(3 * ubc_winsize() +
		    5 * PAGE_SIZE, 0);

		roundtrip(path_name[p], uobj, p + 1);
		uao_detach(uobj);
		uobj = tpager_create(2 * ubc_winsize() + PAGE_SIZE);
		roundtrip(path_name[p], uobj, p + 3);
		uao_detach(uobj);
	}
	restore_path(&uc);
}

KTEST(ubc, unaligned_writes_cross_windows)
{
	struct ubc_config uc;
	size_t size = 2 * ubc_winsize() + 3 * PAGE_SIZE, done;
	voff_t off = (voff_t)ubc_winsize() - 333;
	size_t len = PAGE_SIZE + 1000;
	uint8_t *buf = malloc(size, M_ZERO), *shadow = malloc(size, M_ZERO);
	int p;

	ubc_get_config(&uc);
	ubc_keep_path();
	for (p = 0; p < NPATHS && use_path(p); p++) {
		struct uvm_object *uobj = uao_create(size, 0);

		memset(shadow, 0, size);
		ubc_fill(shadow + off, len, off, p);
		ubc_fill(buf, len, off, p);
		KT_EXPECT_EQ(ubc_rw(uobj, buf, len, off, UIO_WRITE, 0, 0,
		    &done), 0);
		KT_EXPECT_EQ(done, len);
		/* The whole object: holes around the write read as zeros. */
		KT_EXPECT_EQ(ubc_rw(uobj, buf, size, 0, UIO_READ, 0, 0, &done),
		    0);
		KT_EXPECT_EQ(memcmp(buf, shadow, size), 0);
		uao_detach(uobj);
	}
	restore_path(&uc);
	free(buf);
	free(shadow);
}

KTEST(ubc, holes_read_zeros)
{
	struct ubc_config uc;
	size_t size = ubc_winsize() + 2 * PAGE_SIZE, done, i;
	uint8_t *buf = malloc(size, 0);
	int p, bad;

	ubc_get_config(&uc);
	ubc_keep_path();
	for (p = 0; p < NPATHS && use_path(p); p++) {
		struct uvm_object *uobj = p ? uao_create(size, 0) :
		    tpager_create(size);

		memset(buf, 0xa5, size);
		KT_EXPECT_EQ(ubc_rw(uobj, buf, size - 5, 5, UIO_READ, 0, 0,
		    &done), 0);
		for (i = 0, bad = 0; i < size - 5; i++)
			bad += buf[i] != 0;
		KT_EXPECT_EQ(bad, 0);
		KT_EXPECT_EQ(buf[size - 1], 0xa5);	/* not past the end */
		uao_detach(uobj);
	}
	restore_path(&uc);
	free(buf);
}

/* After put + free, a fresh read goes to the backing store. */
KTEST(ubc, data_reaches_backing_store)
{
	struct ubc_config uc;
	size_t size = 2 * ubc_winsize(), done;
	uint8_t *buf = malloc(size, 0);
	unsigned long reads, ios;
	int p;

	ubc_get_config(&uc);
	ubc_keep_path();
	for (p = 0; p < NPATHS && use_path(p); p++) {
		struct uvm_object *uobj = tpager_create(size);

		ubc_fill(buf, size, 0, 40 + p);
		KT_EXPECT_EQ(ubc_rw(uobj, buf, size, 0, UIO_WRITE, 0, 0,
		    &done), 0);
		KT_EXPECT_EQ(tpager_writes(uobj), 0);	/* cached, dirty */
		ios = tpager_ios(uobj);
		KT_EXPECT_EQ(uvm_obj_flush(uobj, PGO_CLEANIT | PGO_FREE), 0);
		KT_EXPECT_EQ(tpager_writes(uobj), size / PAGE_SIZE);
		/* Runs of dirty pages are written whole: 32 pages per I/O. */
		KT_EXPECT_EQ(tpager_ios(uobj) - ios, howmany(size / PAGE_SIZE,
		    32));
		KT_EXPECT_EQ(uobj->uo_npages, 0);
		KT_EXPECT_NOTNULL(tpager_store(uobj, 1));
		reads = tpager_reads(uobj);
		memset(buf, 0, size);
		KT_EXPECT_EQ(ubc_rw(uobj, buf, size, 0, UIO_READ, 0, 0, &done),
		    0);
		KT_EXPECT_EQ(tpager_reads(uobj) - reads, size / PAGE_SIZE);
		KT_EXPECT_SEQ(ubc_check(buf, size, 0, 40 + p), -1);
		/* A second put has nothing dirty to write. */
		KT_EXPECT_EQ(uvm_obj_flush(uobj, PGO_CLEANIT | PGO_FREE), 0);
		KT_EXPECT_EQ(tpager_writes(uobj), size / PAGE_SIZE);
		ubc_purge(uobj);	/* no pages left: succeeds */
		KT_EXPECT_TRUE(LIST_EMPTY(&uobj->uo_ubc));
		uao_detach(uobj);
	}
	restore_path(&uc);
	free(buf);
}

/* An object of npages with the pattern in its backing store, no pages. */
static struct uvm_object *
stored_object(int npages, int seed)
{
	struct uvm_object *uobj = tpager_create((voff_t)npages * PAGE_SIZE);
	size_t size = (size_t)npages * PAGE_SIZE;
	uint8_t *buf = malloc(size, 0);

	ubc_fill(buf, size, 0, seed);
	ubc_rw(uobj, buf, size, 0, UIO_WRITE, 0, 0, NULL);
	uvm_obj_flush(uobj, PGO_CLEANIT | PGO_FREE);
	free(buf);
	return (uobj);
}

#define	ERRPAGE	5
KTEST(ubc, io_error_partialok_stops_at_page)
{
	struct ubc_config uc;
	size_t size = 12 * PAGE_SIZE, done;
	uint8_t *buf = malloc(size, M_ZERO);
	int p;

	ubc_get_config(&uc);
	ubc_keep_path();
	for (p = 0; p < NPATHS && use_path(p); p++) {
		struct uvm_object *uobj = stored_object(12, 7);

		tpager_set_error(uobj, ERRPAGE, UIO_READ);
		KT_EXPECT_EQ(ubc_rw(uobj, buf, size - 10, 10, UIO_READ,
		    UVM_ADV_RANDOM, UBC_PARTIALOK, &done), EIO);
		KT_EXPECT_EQ(done, ERRPAGE * PAGE_SIZE - 10);
		KT_EXPECT_SEQ(ubc_check(buf, done, 10, 7), -1);
		/* Without PARTIALOK: the error, and nothing past page N. */
		KT_EXPECT_EQ(ubc_rw(uobj, buf, size, 0, UIO_READ, 0, 0, &done),
		    EIO);
		KT_EXPECT_LE(done, ERRPAGE * PAGE_SIZE);
		/* Cleared, the same read succeeds: the failure was not kept. */
		tpager_set_error(uobj, -1, UIO_READ);
		KT_EXPECT_EQ(ubc_rw(uobj, buf, size, 0, UIO_READ, 0, 0, &done),
		    0);
		KT_EXPECT_SEQ(ubc_check(buf, size, 0, 7), -1);
		uao_detach(uobj);
	}
	restore_path(&uc);
	free(buf);
}

KTEST(ubc, write_error_keeps_page_dirty)
{
	struct uvm_object *uobj = tpager_create(4 * PAGE_SIZE);
	uint8_t buf[64];
	int i;

	ubc_fill(buf, sizeof(buf), 0, 3);
	for (i = 1; i < 4; i++)
		KT_EXPECT_EQ(ubc_rw(uobj, buf, sizeof(buf), i * PAGE_SIZE,
		    UIO_WRITE, UVM_ADV_RANDOM, 0, NULL), 0);
	tpager_set_error(uobj, 2, UIO_WRITE);
	/* One run of 3 pages: the first goes out, the other two stay. */
	KT_EXPECT_EQ(uvm_obj_flush(uobj, PGO_CLEANIT | PGO_FREE), EIO);
	KT_EXPECT_EQ(tpager_writes(uobj), 1);
	KT_EXPECT_EQ(uobj->uo_npages, 2);
	KT_EXPECT_NOTNULL(tpager_store(uobj, 1));
	KT_EXPECT_NULL(tpager_store(uobj, 3));
	tpager_set_error(uobj, -1, UIO_WRITE);
	KT_EXPECT_EQ(uvm_obj_flush(uobj, PGO_CLEANIT | PGO_FREE), 0);
	KT_EXPECT_EQ(uobj->uo_npages, 0);
	uao_detach(uobj);
}

/* FAULTBUSY: a new page is not read in; what the write misses is zero. */
KTEST(ubc, faultbusy_zeroes_uncovered_part)
{
	struct ubc_config uc;
	uint8_t w[200], *page = malloc(PAGE_SIZE, 0);
	unsigned long reads;
	size_t i, bad;
	int p;

	ubc_get_config(&uc);
	ubc_keep_path();
	for (p = 0; p < NPATHS && use_path(p); p++) {
		struct uvm_object *uobj = stored_object(4, 9);

		reads = tpager_reads(uobj);
		memset(w, 0x77, sizeof(w));
		KT_EXPECT_EQ(ubc_rw(uobj, w, sizeof(w), PAGE_SIZE + 100,
		    UIO_WRITE, 0, UBC_FAULTBUSY, NULL), 0);
		KT_EXPECT_EQ(tpager_reads(uobj), reads);	/* not read */
		KT_EXPECT_EQ(ubc_rw(uobj, page, PAGE_SIZE, PAGE_SIZE, UIO_READ,
		    0, 0, NULL), 0);
		for (i = 0, bad = 0; i < PAGE_SIZE; i++)
			bad += page[i] != (i >= 100 && i < 300 ? 0x77 : 0);
		KT_EXPECT_EQ(bad, 0);
		/* Its neighbour was not touched: read from the store. */
		KT_EXPECT_EQ(ubc_rw(uobj, page, PAGE_SIZE, 0, UIO_READ, 0, 0,
		    NULL), 0);
		KT_EXPECT_SEQ(ubc_check(page, PAGE_SIZE, 0, 9), -1);
		uao_detach(uobj);
	}
	restore_path(&uc);
	free(page);
}

/* Window path: RANDOM faults one page in, SEQUENTIAL reads ahead. */
KTEST(ubc, advice_controls_read_ahead)
{
	struct ubc_config uc;
	struct ubc_stats s0, s1;
	uint8_t b[16];
	int npg = (int)(3 * ubc_winsize() / PAGE_SIZE) + UVM_READAHEAD_PAGES;
	struct uvm_object *uobj = stored_object(npg, 1);
	unsigned long r0 = tpager_reads(uobj), ios;

	ubc_get_config(&uc);
	ubc_keep_path();
	use_path(0);
	ubc_get_stats(&s0);
	KT_EXPECT_EQ(ubc_rw(uobj, b, 16, 0, UIO_READ, UVM_ADV_RANDOM, 0,
	    NULL), 0);
	ubc_get_stats(&s1);
	KT_EXPECT_EQ(tpager_reads(uobj) - r0, 1);
	KT_EXPECT_EQ(s1.us_fault_pages - s0.us_fault_pages, 1);
	/*
	 * NORMAL: the fault maps the rest of the window, read in one run
	 * (one call of the pager's I/O), no read-ahead.
	 */
	ios = tpager_ios(uobj);
	KT_EXPECT_EQ(ubc_rw(uobj, b, 16, ubc_winsize(), UIO_READ,
	    UVM_ADV_NORMAL, 0, NULL), 0);
	KT_EXPECT_EQ(tpager_reads(uobj) - r0, 1 + ubc_winsize() / PAGE_SIZE);
	KT_EXPECT_EQ(tpager_ios(uobj) - ios, 1);
	KT_EXPECT_EQ(uobj->uo_pgahead, 0);
	/* SEQUENTIAL: and the pager reads ahead past what was asked. */
	KT_EXPECT_EQ(ubc_rw(uobj, b, 16, 2 * ubc_winsize(), UIO_READ,
	    UVM_ADV_SEQUENTIAL, 0, NULL), 0);
	KT_EXPECT_EQ(uobj->uo_pgahead, UVM_READAHEAD_PAGES);
	KT_EXPECT_SEQ(ubc_check(b, 16, 2 * ubc_winsize(), 1), -1);
	/* The pages read ahead are served without the pager. */
	r0 = tpager_reads(uobj);
	KT_EXPECT_EQ(ubc_rw(uobj, b, 16, (voff_t)(npg - 1) * PAGE_SIZE,
	    UIO_READ, UVM_ADV_RANDOM, 0, NULL), 0);
	KT_EXPECT_EQ(tpager_reads(uobj), r0);
	restore_path(&uc);
	uao_detach(uobj);
}

/* A released window keeps its mappings: the next use is a hit. */
KTEST(ubc, cached_window_hits_without_faults_unmap_drops)
{
	struct ubc_config uc;
	struct ubc_stats s0, s1;
	struct uvm_object *uobj = uao_create(ubc_winsize(), 0);
	uint8_t b[64];

	ubc_get_config(&uc);
	ubc_keep_path();
	use_path(0);
	KT_EXPECT_EQ(ubc_rw(uobj, b, 64, 0, UIO_READ, 0, 0, NULL), 0);
	ubc_get_stats(&s0);
	KT_EXPECT_EQ(ubc_rw(uobj, b, 64, 100, UIO_READ, 0, 0, NULL), 0);
	ubc_get_stats(&s1);
	KT_EXPECT_EQ(s1.us_hits - s0.us_hits, 1);
	KT_EXPECT_EQ(s1.us_faults, s0.us_faults);
	/* UBC_UNMAP: the mappings go; the next access faults again. */
	KT_EXPECT_EQ(ubc_rw(uobj, b, 64, 0, UIO_READ, 0, UBC_UNMAP, NULL), 0);
	ubc_get_stats(&s0);
	KT_EXPECT_EQ(s0.us_unmaps - s1.us_unmaps, 1);
	KT_EXPECT_EQ(ubc_rw(uobj, b, 64, 0, UIO_READ, 0, 0, NULL), 0);
	ubc_get_stats(&s1);
	KT_EXPECT_EQ(s1.us_misses - s0.us_misses, 1);
	KT_EXPECT_EQ(s1.us_faults - s0.us_faults, 1);
	restore_path(&uc);
	uao_detach(uobj);
}
