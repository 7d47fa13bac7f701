/*
 * Suite "ubc" (part 2): what must not work is caught (two writers, a
 * purge of a window in use, a fault in a window nobody uses or past the
 * object's end, a fault with interrupts off), and what must work under
 * load does: more windows wanted than exist (LRU reuse, sleeping for a
 * free window) and readers and writers on every CPU.
 */
#include <kernel/systm.h>
#include <kernel/errno.h>
#include <kernel/ktest.h>
#include <kernel/pcpu.h>
#include <kernel/smp.h>
#include <kernel/thread.h>
#include <kernel/trap.h>
#include <kernel/uio.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <machine/cpufunc.h>
#include <mm/malloc.h>
#include <mm/ubc.h>
#include <mm/uvm_object.h>
#include <mm/vm_page.h>
#include <kernel/md.h>
#include <mm/uvm_mdobj.h>
#include "tests/ubc_tpager.h"
#include "tests/ubc_util.h"

static void
said(const struct kcatch *kc, const char *what)
{
	if (strstr(kc->kc_msg, what) == NULL)
		ktest_diag("message \"%s\" lacks \"%s\"", kc->kc_msg, what);
	KT_EXPECT_NOTNULL(strstr(kc->kc_msg, what));
}

KTEST(ubc, second_writer_on_a_window_panics)
{
	struct uvm_object *uobj = uao_create(ubc_winsize(), 0);
	vsize_t len = 10, len2 = 10;
	void *va;
	struct kcatch kc;

	va = ubc_alloc(uobj, 0, &len, UVM_ADV_NORMAL, UBC_WRITE);
	kcatch_arm(&kc, KCATCH_PANIC);
	if (setjmp(kc.kc_jb) == 0) {
		ubc_alloc(uobj, 100, &len2, UVM_ADV_NORMAL, UBC_WRITE);
		KT_FAIL("second writer was not caught");
	}
	kcatch_disarm(&kc);
	KT_EXPECT_EQ(kc.kc_count, 1);
	said(&kc, "second writer");
	/* A reader may share it; after the writer leaves, a writer may come. */
	len2 = 10;
	ubc_release(ubc_alloc(uobj, 100, &len2, 0, UBC_READ), 0);
	ubc_release(va, 0);
	len2 = 10;
	ubc_release(ubc_alloc(uobj, 100, &len2, 0, UBC_WRITE), 0);
	uao_detach(uobj);
}

KTEST(ubc, purge_with_window_in_use_panics)
{
	struct uvm_object *uobj = uao_create(ubc_winsize(), 0);
	vsize_t len = 10;
	struct kcatch kc;
	void *va;

	va = ubc_alloc(uobj, 0, &len, UVM_ADV_NORMAL, UBC_READ);
	kcatch_arm(&kc, KCATCH_PANIC);
	if (setjmp(kc.kc_jb) == 0) {
		ubc_purge(uobj);
		KT_FAIL("purge of a window in use was not caught");
	}
	kcatch_disarm(&kc);
	said(&kc, "in use");
	ubc_release(va, 0);
	ubc_purge(uobj);
	KT_EXPECT_TRUE(LIST_EMPTY(&uobj->uo_ubc));
	uao_detach(uobj);
}

KTEST(ubc, purge_of_object_with_pages_panics)
{
	struct uvm_object *uobj = uao_create(PAGE_SIZE, 0);
	uint8_t b[4] = { 1, 2, 3, 4 };
	struct kcatch kc;

	KT_EXPECT_EQ(ubc_rw(uobj, b, 4, 0, UIO_WRITE, 0, 0, NULL), 0);
	kcatch_arm(&kc, KCATCH_PANIC);
	if (setjmp(kc.kc_jb) == 0) {
		ubc_purge(uobj);
		KT_FAIL("purge of an object with pages was not caught");
	}
	kcatch_disarm(&kc);
	said(&kc, "still has 1 pages");
	uao_detach(uobj);
}

KTEST(ubc, freeing_pages_a_window_maps_panics)
{
	struct uvm_object *uobj = uao_create(PAGE_SIZE, 0);
	vsize_t len = 4;
	struct kcatch kc;
	char *va, b[4];

	va = ubc_alloc(uobj, 0, &len, UVM_ADV_NORMAL, UBC_READ);
	KT_EXPECT_EQ(kcopy(va, b, 4), 0);	/* the page is entered */
	mtx_lock(&uobj->vmobjlock);
	kcatch_arm(&kc, KCATCH_PANIC);
	if (setjmp(kc.kc_jb) == 0) {
		uobj->pgops->pgo_put(uobj, 0, PAGE_SIZE, PGO_FREE);
		KT_FAIL("freeing a page a window in use maps was not caught");
	}
	kcatch_disarm(&kc);
	mtx_unlock(&uobj->vmobjlock);
	said(&kc, "while UBC window");
	KT_EXPECT_EQ(uobj->uo_npages, 1);	/* nothing was freed */
	ubc_release(va, 0);
	uao_detach(uobj);
}

KTEST(ubc, release_of_unused_window_panics)
{
	struct uvm_object *uobj = uao_create(PAGE_SIZE, 0);
	vsize_t len = 1;
	struct kcatch kc;
	char *va = ubc_alloc(uobj, 0, &len, UVM_ADV_NORMAL, UBC_READ);

	ubc_release(va, 0);
	kcatch_arm(&kc, KCATCH_PANIC);
	if (setjmp(kc.kc_jb) == 0) {
		ubc_release(va, 0);
		KT_FAIL("a second release was not caught");
	}
	kcatch_disarm(&kc);
	said(&kc, "not in use");
	uao_detach(uobj);
}

/* A released, unmapped window: its address belongs to nobody now. */
static char *
dead_window(void)
{
	struct uvm_object *uobj = uao_create(PAGE_SIZE, 0);
	vsize_t len = 1;
	char *va = ubc_alloc(uobj, 0, &len, UVM_ADV_NORMAL, UBC_READ);

	ubc_release(va, UBC_UNMAP);
	uao_detach(uobj);
	return (va);
}

KTEST(ubc, fault_in_unused_window_is_reported)
{
	char *va = dead_window(), b[4];
	struct kcatch kc;

	/* kcopy gets the error... */
	KT_EXPECT_EQ(kcopy(va, b, 4), EFAULT);
	/* ...any other access is a crash report naming the window. */
	kcatch_arm(&kc, KCATCH_PANIC);
	if (setjmp(kc.kc_jb) == 0) {
		(void)*(volatile char *)va;
		KT_FAIL("read of an unused window did not fault");
	}
	kcatch_disarm(&kc);
	said(&kc, "UBC window range");
	said(&kc, "not in use");
}

KTEST(ubc, fault_past_object_end_is_reported)
{
	struct uvm_object *uobj = uao_create(PAGE_SIZE, 0);
	vsize_t len = 2 * PAGE_SIZE;
	struct kcatch kc;
	char *va, b[4], name[64];

	if (ubc_winsize() < 2 * PAGE_SIZE)
		KT_SKIP("windows of one page");
	va = ubc_alloc(uobj, 0, &len, UVM_ADV_NORMAL, UBC_READ);
	KT_EXPECT_EQ(len, 2 * PAGE_SIZE);	/* clipped to the window only */
	KT_EXPECT_EQ(kcopy(va, b, 4), 0);
	KT_EXPECT_EQ(kcopy(va + PAGE_SIZE, b, 4), EFAULT);
	kcatch_arm(&kc, KCATCH_PANIC);
	if (setjmp(kc.kc_jb) == 0) {
		(void)*(volatile char *)(va + PAGE_SIZE + 8);
		KT_FAIL("read past the object did not fault");
	}
	kcatch_disarm(&kc);
	snprintf(name, sizeof(name), "object %p", (void *)uobj);
	said(&kc, name);
	said(&kc, "offset 0x1008");
	said(&kc, "past the end of the object");
	said(&kc, "pager aobj");
	ubc_release(va, 0);
	uao_detach(uobj);
}

/* A pager error outside kcopy: the crash report names object, offset, error. */
KTEST(ubc, pager_error_without_recovery_is_reported)
{
	struct uvm_object *uobj = tpager_create(4 * PAGE_SIZE);
	vsize_t len = PAGE_SIZE;
	struct kcatch kc;
	char *va, name[64];

	tpager_set_error(uobj, 2, UIO_READ);
	va = ubc_alloc(uobj, 2 * PAGE_SIZE, &len, UVM_ADV_RANDOM, UBC_READ);
	kcatch_arm(&kc, KCATCH_PANIC);
	if (setjmp(kc.kc_jb) == 0) {
		(void)*(volatile char *)(va + 0x10);
		KT_FAIL("a read the pager failed did not crash");
	}
	kcatch_disarm(&kc);
	snprintf(name, sizeof(name), "object %p", (void *)uobj);
	said(&kc, name);
	said(&kc, "pager tpager");
	said(&kc, "offset 0x2010");
	said(&kc, "vm_fault error 5");
	ubc_release(va, 0);
	uao_detach(uobj);
}

/* The pager may sleep: with interrupts off the fault is refused. */
KTEST(ubc, fault_with_interrupts_off_is_refused)
{
	struct uvm_object *uobj = uao_create(PAGE_SIZE, 0);
	vsize_t len = 4;
	uintptr_t s;
	char *va, b[4];
	int error;

	va = ubc_alloc(uobj, 0, &len, UVM_ADV_NORMAL, UBC_READ);
	s = intr_disable();
	error = kcopy(va, b, 4);
	intr_restore(s);
	KT_EXPECT_EQ(error, EDEADLK);
	KT_EXPECT_EQ(kcopy(va, b, 4), 0);	/* interrupts on: served */
	ubc_release(va, 0);
	uao_detach(uobj);
}

/* More windows than the pool: idle ones are reused, oldest first. */
KTEST(ubc, lru_reuses_windows_when_more_are_wanted)
{
	struct ubc_config uc;
	struct ubc_stats s0, s1;
	struct uvm_object *uobj;
	int i, n;
	uint8_t b;

	ubc_get_config(&uc);
	ubc_keep_path();
	n = uc.uc_nwins + 8;
	/*
	 * Every window written keeps a page: the point needs more pages
	 * than windows.  The default pool is sized for that (ubc_nwins_for);
	 * only a larger ubc_nwins= on a small machine runs short.
	 */
	if (vm_cnt.v_free_count < (unsigned long)n + n / 8 + 16)
		KT_SKIP("fewer free pages than ubc_nwins + 8 (ubc_nwins=)");
	uobj = uao_create((voff_t)n << uc.uc_winshift, 0);
	ubc_set_direct(false);
	ubc_get_stats(&s0);
	for (i = 0; i < n; i++) {
		b = (uint8_t)i;
		KT_EXPECT_EQ(ubc_rw(uobj, &b, 1, (voff_t)i << uc.uc_winshift,
		    UIO_WRITE, UVM_ADV_RANDOM, 0, NULL), 0);
	}
	ubc_get_stats(&s1);
	KT_EXPECT_EQ(s1.us_misses - s0.us_misses, n);
	KT_EXPECT_GE(s1.us_unmaps - s0.us_unmaps, 8);	/* reused windows */
	for (i = 0; i < n; i += n / 7) {
		KT_EXPECT_EQ(ubc_rw(uobj, &b, 1, (voff_t)i << uc.uc_winshift,
		    UIO_READ, UVM_ADV_RANDOM, 0, NULL), 0);
		KT_EXPECT_EQ(b, (uint8_t)i);
	}
	ubc_set_direct(uc.uc_direct);
	uao_detach(uobj);
}

static struct uvm_object *wait_obj;
static volatile int wait_done;

static void
window_waiter(void *arg)
{
	vsize_t len = 1;
	void *va = ubc_alloc(wait_obj, (voff_t)(uintptr_t)arg, &len, 0,
	    UBC_READ);

	wait_done = 1;
	ubc_release(va, 0);
}

/* Every window in use: ubc_alloc sleeps until a release wakes it. */
KTEST(ubc, alloc_sleeps_for_a_free_window)
{
	struct ubc_config uc;
	struct ubc_stats s0, s1;
	struct thread *td;
	void **va;
	vsize_t len;
	int i;

	ubc_get_config(&uc);
	wait_obj = uao_create((voff_t)(uc.uc_nwins + 1) << uc.uc_winshift, 0);
	va = malloc(uc.uc_nwins * sizeof(void *), 0);
	for (i = 0; i < uc.uc_nwins; i++) {
		len = 1;
		va[i] = ubc_alloc(wait_obj, (voff_t)i << uc.uc_winshift, &len,
		    0, UBC_READ);
	}
	ubc_get_stats(&s0);
	wait_done = 0;
	KT_ASSERT_NOTNULL(td = thread_create("ubcwait", window_waiter,
	    (void *)((uintptr_t)uc.uc_nwins << uc.uc_winshift)));
	for (i = 0; i < 100 && td->td_state != TDS_SLEEPING; i++)
		pause_ticks(1);
	KT_EXPECT_EQ(td->td_state, TDS_SLEEPING);
	KT_EXPECT_EQ(wait_done, 0);
	ubc_release(va[3], 0);
	thread_join(td);
	KT_EXPECT_EQ(wait_done, 1);
	ubc_get_stats(&s1);
	KT_EXPECT_EQ(s1.us_waits - s0.us_waits, 1);
	for (i = 0; i < uc.uc_nwins; i++)
		if (i != 3)
			ubc_release(va[i], 0);
	free(va);
	uao_detach(wait_obj);
}

/*
 * Readers and writers on every CPU over one object.  Writer w owns the
 * windows w, w + W, ... (one writer per window) and stamps whole pages
 * with (page index, generation); readers check every word carries its
 * page's index and a generation not beyond the last written.
 */
#define	CC_GENS		4
static struct uvm_object *cc_obj;
static int cc_writers, cc_wins_per;
static volatile int cc_bad;
static volatile int cc_what, cc_err;	/* the first failure, for a diag */
static volatile voff_t cc_off;
static volatile uint32_t cc_w0, cc_w1;

static void
cc_fail(int what, int err, voff_t off, uint32_t w0, uint32_t w1)
{
	if (__atomic_fetch_add(&cc_bad, 1, __ATOMIC_RELAXED) == 0) {
		cc_what = what;
		cc_err = err;
		cc_off = off;
		cc_w0 = w0;
		cc_w1 = w1;
	}
}

static void
cc_stamp(uint32_t *w, size_t words, uint32_t page, uint32_t gen)
{
	size_t i;

	for (i = 0; i < words; i += 2) {
		w[i] = page;
		w[i + 1] = gen;
	}
}

static void
cc_writer(void *arg)
{
	int me = (int)(intptr_t)arg, g, k, e;
	vsize_t ws = ubc_winsize();
	uint32_t *buf = malloc(ws, 0);
	voff_t off;
	vsize_t p;

	for (g = 1; g <= CC_GENS; g++)
		for (k = 0; k < cc_wins_per; k++) {
			off = (voff_t)(me + k * cc_writers) * (voff_t)ws;
			for (p = 0; p < ws; p += PAGE_SIZE)
				cc_stamp(buf + p / 4, PAGE_SIZE / 4,
				    (uint32_t)((off + (voff_t)p) >> PAGE_SHIFT),
				    (uint32_t)g);
			if ((e = ubc_rw(cc_obj, buf, ws, off, UIO_WRITE, 0,
			    0, NULL)) != 0)
				cc_fail(1, e, off, 0, 0);
		}
	free(buf);
}

static void
cc_reader(void *arg)
{
	size_t size = (size_t)cc_obj->uo_size, len = 3 * PAGE_SIZE, i;
	uint32_t *buf = malloc(len, 0);
	voff_t off;
	int r, e;

	for (r = 0; r < 16; r++) {
		off = (voff_t)((r * 5 + (int)(intptr_t)arg * 3) %
		    (int)(size / PAGE_SIZE - 3)) * PAGE_SIZE;
		if ((e = ubc_rw(cc_obj, buf, len, off, UIO_READ, 0, 0,
		    NULL)) != 0)
			cc_fail(2, e, off, 0, 0);
		for (i = 0; i < len / 4; i += 2)
			/*
			 * A copy racing the writer's may see the page word
			 * still 0 and the generation word already written
			 * (both are copied in order): only a page word of
			 * another page, or a generation never written, is
			 * wrong.
			 */
			if ((buf[i] != 0 && buf[i] != (uint32_t)((off +
			    (voff_t)(i * 4)) >> PAGE_SHIFT)) ||
			    buf[i + 1] > CC_GENS) {
				cc_fail(3, 0, off + (voff_t)(i * 4), buf[i],
				    buf[i + 1]);
				break;
			}
	}
	free(buf);
}

static const char *
ubc_direct_name(void)
{
	struct ubc_config uc;

	ubc_get_config(&uc);
	return (uc.uc_direct ? "direct" : "window");
}

/* Over the test pager (slow: I/O yields), or over an md disk. */
static void
concurrent_run(bool on_md)
{
	struct thread *td[2 * MAXCPU];
	size_t ws = ubc_winsize(), i;
	voff_t size;
	struct md_softc *md = NULL;
	uint32_t *buf;
	int c, n = 0, bad = 0;

	cc_writers = mp_ncpus;
	cc_wins_per = 2;
	while ((size_t)cc_writers * cc_wins_per * ws < 8 * PAGE_SIZE)
		cc_wins_per++;		/* readers want a few pages */
	size = (voff_t)cc_writers * cc_wins_per * (voff_t)ws;
	if (on_md) {
		md = md_create((uint64_t)size);
		cc_obj = mdobj_create(md, size);
	} else {
		cc_obj = tpager_create(size);
		tpager_set_slow(cc_obj, true);
	}
	cc_bad = 0;
	for (c = 0; c < mp_ncpus; c++) {
		td[n++] = thread_create_on("ubcw", cc_writer,
		    (void *)(intptr_t)c, c);
		td[n++] = thread_create_on("ubcr", cc_reader,
		    (void *)(intptr_t)c, (c + 1) % mp_ncpus);
	}
	for (c = 0; c < n; c++)
		thread_join(td[c]);
	if (cc_bad != 0)
		ktest_diag("%s, %s path: %d failures, first: %s error %d at "
		    "%#llx words %#x %#x", on_md ? "md" : "tpager",
		    ubc_direct_name(), cc_bad, cc_what == 1 ? "write" :
		    cc_what == 2 ? "read" : "content", cc_err,
		    (long long)cc_off, cc_w0, cc_w1);
	KT_EXPECT_EQ(cc_bad, 0);
	/* Every page ends with the last generation. */
	buf = malloc((size_t)cc_obj->uo_size, 0);
	KT_EXPECT_EQ(ubc_rw(cc_obj, buf, (size_t)cc_obj->uo_size, 0, UIO_READ,
	    0, 0, NULL), 0);
	for (i = 0; i < (size_t)cc_obj->uo_size / 4; i += 2)
		bad += buf[i] != i * 4 / PAGE_SIZE || buf[i + 1] != CC_GENS;
	KT_EXPECT_EQ(bad, 0);
	/* And what reaches the backing store reads back the same. */
	KT_EXPECT_EQ(uvm_obj_flush(cc_obj, PGO_CLEANIT | PGO_FREE), 0);
	memset(buf, 0, (size_t)size);
	KT_EXPECT_EQ(ubc_rw(cc_obj, buf, (size_t)size, 0, UIO_READ,
	    UVM_ADV_SEQUENTIAL, 0, NULL), 0);
	for (i = 0, bad = 0; i < (size_t)size / 4; i += 2)
		bad += buf[i] != i * 4 / PAGE_SIZE || buf[i + 1] != CC_GENS;
	KT_EXPECT_EQ(bad, 0);
	free(buf);
	uvm_obj_detach(cc_obj);
	if (md != NULL)
		md_destroy(md);
}

KTEST(ubc, concurrent_readers_writers_every_cpu)
{
	struct ubc_config uc;

	ubc_get_config(&uc);
	ubc_keep_path();
	concurrent_run(true);		/* md: once, on the boot's path */
	ubc_set_direct(false);
	concurrent_run(false);
	if (ubc_set_direct(true))
		concurrent_run(false);
	ubc_set_direct(uc.uc_direct);
}
