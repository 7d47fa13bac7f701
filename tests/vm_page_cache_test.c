/*
 * Suite "vm_page", continued: the per-CPU page caches and running out of
 * memory (mm/vm_page.h).  A cache never holds more than its array; with
 * VM_ALLOC_NOWAIT, NULL comes only when no page is free anywhere, the
 * other CPUs' caches included; without it, an allocator that finds no
 * page sleeps until one is freed, from any CPU, and panics where it
 * cannot sleep.
 *
 * The exhaustion tests take every free page, so nothing here may create
 * a thread (a stack and a struct thread) while memory is out: threads are
 * made first, and told to go.
 */
#include <kernel/systm.h>
#include <kernel/ktest.h>
#include <kernel/lock.h>
#include <kernel/pcpu.h>
#include <kernel/smp.h>
#include <kernel/thread.h>
#include <kernel/trap.h>
#include <lib/string.h>
#include <mm/vm_page.h>
#include <machine/cpufunc.h>
#include "vm_snap.h"

#define	CACHE_SIZE	((int)nitems(((struct pcpu *)0)->pc_vmcache))
#define	NFILL		20		/* pages run through another CPU */

/* Take every page VM_ALLOC_NOWAIT gives onto list; returns how many. */
static unsigned long
take_all(struct pglist *list)
{
	unsigned long n = 0;
	vm_page_t m;

	TAILQ_INIT(list);
	while ((m = vm_page_alloc(VM_ALLOC_NOWAIT)) != NULL) {
		TAILQ_INSERT_TAIL(list, m, plinks);
		n++;
	}
	return (n);
}

static void
give_back(struct pglist *list)
{
	vm_page_t m;

	while ((m = TAILQ_FIRST(list)) != NULL) {
		TAILQ_REMOVE(list, m, plinks);
		vm_page_free(m);
	}
}

/*
 * More than twice the cache size freed on one CPU: the cache spills
 * before it is full, so it never holds more than its array (a store past
 * it would land silently in the next field of struct pcpu), and every
 * page is counted free once.
 */
KTEST(vm_page, cache_never_overflows)
{
	vm_page_t m[2 * CACHE_SIZE + 8];
	unsigned long free0;
	int i, n, over = 0, miscount = 0, maxn = 0;

	sched_pin();
	for (i = 0; i < (int)nitems(m); i++) {
		m[i] = vm_page_alloc(VM_ALLOC_NOWAIT);
		if (m[i] == NULL) {
			while (i-- > 0)
				vm_page_free(m[i]);
			sched_unpin();
			KT_SKIP("not enough free pages");
		}
	}
	free0 = vm_cnt.v_free_count;
	for (i = 0; i < (int)nitems(m); i++) {
		vm_page_free(m[i]);
		n = curcpu()->pc_vmcache_n;
		over += (n > CACHE_SIZE || n < 1);
		maxn = MAX(maxn, n);
		miscount += (vm_cnt.v_free_count != free0 + i + 1);
	}
	sched_unpin();
	KT_EXPECT_EQ(over, 0);
	KT_EXPECT_EQ(maxn, CACHE_SIZE);		/* it did fill up */
	KT_EXPECT_EQ(miscount, 0);
}

/* Run NFILL pages through this CPU's cache: it keeps some of them. */
static void
fill_cache(void *arg __unused)
{
	vm_page_t m[NFILL];
	int i, n;

	for (n = 0; n < NFILL; n++)
		if ((m[n] = vm_page_alloc(VM_ALLOC_NOWAIT)) == NULL)
			break;
	for (i = 0; i < n; i++)
		vm_page_free(m[i]);
	thread_exit(curcpu()->pc_vmcache_n);
}

/*
 * Pages cached by another CPU are free: NOWAIT exhaustion on this CPU
 * drains that cache before it returns NULL, and gets every free page.
 */
KTEST(vm_page, nowait_takes_other_cpus_cached_pages)
{
	struct pglist list;
	struct thread *td;
	unsigned long free0, n;
	int me, other;

	if (mp_ncpus < 2)
		KT_SKIP("needs 2 CPUs");
	sched_pin();
	me = curcpu()->pc_cpuid;
	other = (me + 1) % mp_ncpus;
	td = thread_create_on("fill", fill_cache, NULL, other);
	KT_ASSERT_NOTNULL(td);
	KT_ASSERT_GT(thread_join(td), 0);
	KT_ASSERT_GT(pcpu_find(other)->pc_vmcache_n, 0);
	free0 = vm_cnt.v_free_count;
	n = take_all(&list);
	KT_EXPECT_EQ(n, free0);
	KT_EXPECT_EQ(vm_cnt.v_free_count, 0);
	KT_EXPECT_EQ(pcpu_find(other)->pc_vmcache_n, 0);
	give_back(&list);
	KT_EXPECT_EQ(vm_cnt.v_free_count, free0);
	sched_unpin();
}

struct waiter {
	volatile int	go;
	vm_page_t	got;
};

static void
alloc_waiting(void *arg)
{
	struct waiter *w = arg;

	while (!w->go)
		pause_ticks(1);
	w->got = vm_page_alloc(VM_ALLOC_NORMAL);	/* none free: sleeps */
	thread_exit(0);
}

/* Is td asleep waiting for memory?  Polls for up to 5 s. */
static bool
asleep_in_vmwait(struct thread *td)
{
	int i;

	for (i = 0; i < 5 * hz; i++) {
		if (td->td_state == TDS_SLEEPING && td->td_wmesg != NULL &&
		    strcmp(td->td_wmesg, "vmwait") == 0)
			return (true);
		pause_ticks(1);
	}
	return (false);
}

/*
 * With every page taken, vm_page_alloc without NOWAIT sleeps (it neither
 * returns NULL nor panics), and one page freed on another CPU wakes it:
 * it gets that very page, out of the freeing CPU's cache.
 */
KTEST(vm_page, waiting_alloc_woken_by_free_on_other_cpu)
{
	struct waiter w = { 0, NULL };
	struct pglist list;
	struct thread *td;
	vm_page_t m;
	int me, i;

	sched_pin();
	me = curcpu()->pc_cpuid;
	td = thread_create_on("vmwait", alloc_waiting, &w,
	    (me + 1) % mp_ncpus);
	KT_ASSERT_NOTNULL(td);
	take_all(&list);
	KT_EXPECT_EQ(vm_cnt.v_free_count, 0);
	w.go = 1;
	KT_EXPECT_TRUE(asleep_in_vmwait(td));
	pause_ticks(3);
	KT_EXPECT_EQ(td->td_state, TDS_SLEEPING);	/* and stays asleep */
	KT_EXPECT_NULL(w.got);
	m = TAILQ_FIRST(&list);
	TAILQ_REMOVE(&list, m, plinks);
	vm_page_free(m);			/* on this CPU: wakes it */
	for (i = 0; i < 5 * hz && w.got == NULL; i++)
		pause_ticks(1);
	KT_EXPECT_EQ((uintptr_t)w.got, (uintptr_t)m);
	KT_EXPECT_EQ(vm_cnt.v_free_count, 0);
	if (w.got != NULL)
		vm_page_free(w.got);
	give_back(&list);			/* (wakes it if it slept on) */
	thread_join(td);
	sched_unpin();
}

enum nosleep { NS_SPINLOCK, NS_CRITICAL, NS_INTR_OFF };

/* vm_page_alloc without NOWAIT must panic: how many panics were caught. */
static int __attribute__((noinline))
alloc_caught(char *msg, size_t len)
{
	struct kcatch kc;

	kcatch_arm(&kc, KCATCH_PANIC);
	if (setjmp(kc.kc_jb) == 0)
		(void)vm_page_alloc(VM_ALLOC_NORMAL);
	kcatch_disarm(&kc);
	strlcpy(msg, kc.kc_msg, len);
	return (kc.kc_count);
}

/* vm_page_alloc without NOWAIT, out of memory, where it cannot sleep. */
static int
alloc_where_no_sleep(enum nosleep how, char *msg, size_t len)
{
	static struct spinlock sl = SPINLOCK_INITIALIZER("vmwait test");
	uintptr_t psl = 0;
	int n;

	if (how == NS_SPINLOCK)
		spinlock_acquire(&sl);
	else if (how == NS_CRITICAL)
		critical_enter();
	else
		psl = intr_disable();
	n = alloc_caught(msg, len);
	if (how == NS_SPINLOCK)
		spinlock_release(&sl);
	else if (how == NS_CRITICAL)
		critical_exit();
	else
		intr_restore(psl);
	return (n);
}

/*
 * Asked to wait where it must not sleep (a spin lock held, a critical
 * section, interrupts off), an allocator out of memory panics rather
 * than return NULL or sleep, and says why.
 */
KTEST(vm_page, waiting_alloc_panics_where_it_cannot_sleep)
{
	static const char *const why[] = {
		"with a spin lock held", "in a critical section",
		"with interrupts off",
	};
	struct pglist list;
	char msg[256];
	unsigned long free0 = vm_cnt.v_free_count;
	int how;

	take_all(&list);
	for (how = NS_SPINLOCK; how <= NS_INTR_OFF; how++) {
		KT_EXPECT_EQ(alloc_where_no_sleep(how, msg, sizeof(msg)), 1);
		if (strstr(msg, why[how]) == NULL)
			ktest_diag("panic message: \"%s\"", msg);
		KT_EXPECT_NOTNULL(strstr(msg, why[how]));
	}
	KT_EXPECT_EQ(vm_cnt.v_free_count, 0);
	give_back(&list);
	KT_EXPECT_EQ(vm_cnt.v_free_count, free0);
}
