/*
 * Suite "md", continued: I/O from every CPU at once, md waiting on its
 * own pbuf counter, and the misuse panics.
 */
#include <kernel/systm.h>
#include <kernel/errno.h>
#include <kernel/ktest.h>
#include <kernel/lock.h>
#include <kernel/md.h>
#include <kernel/pcpu.h>
#include <kernel/smp.h>
#include <kernel/thread.h>
#include <lib/string.h>
#include <mm/malloc.h>
#include <mm/pbuf.h>

#define	SECT		MD_SECTORSIZE
#define	PER_CPU		1		/* threads per CPU */
#define	REGION		(64 * 1024)	/* each thread's own part of the disk */
#define	SHARED		(128 * 1024)	/* written once, read by all */
/*
 * Rounds per thread: about 24 in all, at least 3 each.  Every transfer
 * costs two TLB shootdowns (pmap_qenter and pmap_qremove), which are
 * slow in wall time when QEMU's CPUs share few host cores.
 */
#define	ITERS		MAX(3, 24 / mp_ncpus)

static struct md_softc	*cmd;
static volatile int	 c_bad, c_ops;

/* The shared region's byte at disk offset o. */
static uint8_t
shared_byte(uint64_t o)
{
	return ((uint8_t)(o * 7 + (o >> 9)));
}

static uint8_t
own_byte(uint64_t o, int id, int iter)
{
	return ((uint8_t)(o ^ (uint64_t)id * 31 ^ (uint64_t)iter * 17));
}

static uint32_t
c_rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return (*s);
}

/* Check n bytes read at disk offset o; f gives the expected byte. */
static void
c_expect(const uint8_t *p, uint64_t o, size_t n, int id, int iter,
    bool shared)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != (shared ? shared_byte(o + i) :
		    own_byte(o + i, id, iter))) {
			__atomic_add_fetch(&c_bad, 1, __ATOMIC_RELAXED);
			return;
		}
}

/*
 * Write a random piece of its own region with a pattern of (id, iter),
 * read it back; read a random piece of the shared region.
 */
static void
c_worker(void *arg)
{
	int id = (int)(intptr_t)arg, iter;
	uint64_t base = SHARED + (uint64_t)id * REGION, off;
	uint8_t *buf = malloc(REGION + PAGE_SIZE, M_WAITOK), *p;
	uint32_t seed = 0x9e3779b9u * (id + 1);
	size_t len, i;

	for (iter = 0; iter < ITERS; iter++) {
		off = (c_rnd(&seed) % (REGION / SECT)) * SECT;
		/* Not inside MIN(), which evaluates its arguments twice. */
		len = (c_rnd(&seed) % 40 + 1) * SECT;
		len = MIN(REGION - off, len);
		p = buf + c_rnd(&seed) % PAGE_SIZE;
		for (i = 0; i < len; i++)
			p[i] = own_byte(base + off + i, id, iter);
		if (md_write(cmd, base + off, p, len) != 0)
			__atomic_add_fetch(&c_bad, 1, __ATOMIC_RELAXED);
		memset(p, 0, len);
		if (md_read(cmd, base + off, p, len) != 0)
			__atomic_add_fetch(&c_bad, 1, __ATOMIC_RELAXED);
		c_expect(p, base + off, len, id, iter, false);
		off = (c_rnd(&seed) % (SHARED / SECT)) * SECT;
		len = (c_rnd(&seed) % 64 + 1) * SECT;
		len = MIN(SHARED - off, len);
		if (md_read(cmd, off, p, len) != 0)
			__atomic_add_fetch(&c_bad, 1, __ATOMIC_RELAXED);
		c_expect(p, off, len, id, iter, true);
		__atomic_add_fetch(&c_ops, 1, __ATOMIC_RELAXED);
	}
	free(buf);
}

KTEST(md, concurrent_io_from_every_cpu)
{
	struct thread *td[PER_CPU * MAXCPU];
	int i, n = PER_CPU * mp_ncpus;
	uint8_t *buf;
	uint64_t o;

	KT_ASSERT_NOTNULL(cmd = md_create(SHARED + (uint64_t)n * REGION));
	buf = malloc(SHARED, M_WAITOK);
	for (o = 0; o < SHARED; o++)
		buf[o] = shared_byte(o);
	KT_ASSERT_EQ(md_write(cmd, 0, buf, SHARED), 0);
	free(buf);
	c_bad = c_ops = 0;
	for (i = 0; i < n; i++)
		KT_ASSERT_NOTNULL(td[i] = thread_create_on("md io", c_worker,
		    (void *)(intptr_t)i, i % mp_ncpus));
	for (i = 0; i < n; i++)
		thread_join(td[i]);
	KT_EXPECT_EQ(c_ops, n * ITERS);
	KT_EXPECT_EQ(c_bad, 0);
	KT_EXPECT_EQ(md_pbuf_freecnt, nswbuf / 2);
	KT_EXPECT_EQ(pbuf_nfree(), nswbuf);
	md_destroy(cmd);
}

/* ------------------------------------------------ md's own counter */

static struct md_softc	*wmd;
static volatile int	 w_result = -1;

static void
w_reader(void *arg __unused)
{
	uint8_t buf[SECT];

	w_result = md_read(wmd, 0, buf, SECT);
}

static void
do_md_destroy(void *arg)
{
	md_destroy(arg);
}

/*
 * With md's counter used up, md I/O sleeps although the pool has plenty
 * (other subsystems are not starved by md, nor md by them); destroying
 * the disk meanwhile panics; a unit given back lets the reader finish.
 */
KTEST(md, io_waits_on_its_own_counter)
{
	struct buf *bp[NSWBUF_MAX / 2];
	int i, n = md_pbuf_freecnt;
	struct thread *td;

	KT_ASSERT_NOTNULL(wmd = md_create(PAGE_SIZE));
	for (i = 0; i < n; i++)
		bp[i] = getpbuf(&md_pbuf_freecnt);
	KT_EXPECT_EQ(md_pbuf_freecnt, 0);
	KT_EXPECT_GT(pbuf_nfree(), 0);
	KT_ASSERT_NOTNULL(td = thread_create("md reader", w_reader, NULL));
	for (i = 0; i < 5 * hz && !(td->td_state == TDS_SLEEPING &&
	    strcmp(td->td_wmesg, "pfreecnt") == 0); i++)
		pause_ticks(1);
	KT_EXPECT_EQ(td->td_state, TDS_SLEEPING);
	KT_EXPECT_EQ(w_result, -1);
	KT_EXPECT_PANIC(do_md_destroy, wmd, "transfers in progress");
	relpbuf(bp[--n], &md_pbuf_freecnt);
	thread_join(td);
	KT_EXPECT_EQ(w_result, 0);
	while (n > 0)
		relpbuf(bp[--n], &md_pbuf_freecnt);
	KT_EXPECT_EQ(md_pbuf_freecnt, nswbuf / 2);
	md_destroy(wmd);
}

static volatile bool in_crit;

static void
md_read_in_critical(void *arg)
{
	uint8_t buf[SECT];

	critical_enter();
	in_crit = true;
	(void)md_read(arg, 0, buf, SECT);
	in_crit = false;
	critical_exit();
}

/* md I/O may sleep: from a critical section it panics at once. */
KTEST(md, io_where_sleep_is_forbidden_panics)
{
	struct md_softc *md = md_create(PAGE_SIZE);

	KT_EXPECT_PANIC(md_read_in_critical, md, "may sleep");
	if (in_crit) {
		in_crit = false;
		critical_exit();
	}
	KT_EXPECT_EQ(md_pbuf_freecnt, nswbuf / 2);
	md_destroy(md);			/* nothing was left in progress */
}
