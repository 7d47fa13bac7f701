/*
 * Suite "witness": the lock-order checker (kernel/witness.h).
 *
 * Each test takes two locks in one order, then in the other, and expects
 * the second order to panic (caught with kcatch) before the lock is taken:
 * afterwards the lock is free and witness counts only what the test still
 * holds.  The order table is global and never forgets, so every test uses
 * lock names of its own.
 */
#include <kernel/systm.h>
#include <kernel/ktest.h>
#include <kernel/lock.h>
#include <kernel/pcpu.h>
#include <kernel/smp.h>
#include <kernel/thread.h>
#include <kernel/trap.h>
#include <kernel/witness.h>
#include <kernel/errno.h>
#include <lib/string.h>

#ifdef WITNESS
#define	NEED_WITNESS()	do { } while (0)
#else
#define	NEED_WITNESS()	KT_SKIP("witness compiled out")
#define	witness_held_count()	0
#endif

/* Does the caught panic message say msg? */
static bool
said(const struct kcatch *kc, const char *msg)
{
	if (strstr(kc->kc_msg, msg) != NULL)
		return (true);
	ktest_diag("panic message: %s", kc->kc_msg);
	return (false);
}

/* Take a then b, in that order, and let both go. */
static void
spin_pair(struct spinlock *a, struct spinlock *b)
{
	spinlock_acquire(a);
	spinlock_acquire(b);
	spinlock_release(b);
	spinlock_release(a);
}

KTEST(witness, spin_reversal_caught)
{
	static struct spinlock a = SPINLOCK_INITIALIZER("w_spin_a");
	static struct spinlock b = SPINLOCK_INITIALIZER("w_spin_b");
	struct kcatch kc;

	NEED_WITNESS();
	spin_pair(&a, &b);
	spinlock_acquire(&b);
	kcatch_arm(&kc, KCATCH_PANIC);
	if (setjmp(kc.kc_jb) == 0)
		spinlock_acquire(&a);
	kcatch_disarm(&kc);
	KT_EXPECT_EQ(kc.kc_count, 1);
	KT_EXPECT_TRUE(said(&kc, "lock order reversal: \"w_spin_b\" then "
	    "\"w_spin_a\"; earlier \"w_spin_a\" then \"w_spin_b\""));
	KT_EXPECT_EQ(a.sl_locked, 0);
	KT_EXPECT_EQ(spinlock_count(), 1);
	KT_EXPECT_EQ(witness_held_count(), 1);
	spinlock_release(&b);
	KT_EXPECT_EQ(spinlock_count(), 0);
	KT_EXPECT_EQ(witness_held_count(), 0);
	spin_pair(&a, &b);		/* the right order still works */
}

KTEST(witness, mtx_reversal_caught)
{
	struct mtx a, b;
	struct kcatch kc;

	NEED_WITNESS();
	mtx_init(&a, "w_mtx_a");
	mtx_init(&b, "w_mtx_b");
	mtx_lock(&a);
	mtx_lock(&b);
	mtx_unlock(&b);
	mtx_unlock(&a);
	mtx_lock(&b);
	kcatch_arm(&kc, KCATCH_PANIC);
	if (setjmp(kc.kc_jb) == 0)
		mtx_lock(&a);
	kcatch_disarm(&kc);
	KT_EXPECT_EQ(kc.kc_count, 1);
	KT_EXPECT_TRUE(said(&kc, "\"w_mtx_b\" then \"w_mtx_a\"; earlier "
	    "\"w_mtx_a\" then \"w_mtx_b\""));
	KT_EXPECT_NULL(a.mtx_owner);
	KT_EXPECT_EQ(witness_held_count(), 1);
	mtx_unlock(&b);
	KT_EXPECT_NULL(b.mtx_owner);
	KT_EXPECT_EQ(spinlock_count(), 0);
	KT_EXPECT_EQ(witness_held_count(), 0);
}

/* A mutex, then a spin lock inside it; the spin lock, then the mutex. */
KTEST(witness, mtx_spin_reversal_caught)
{
	static struct spinlock s = SPINLOCK_INITIALIZER("w_ms_spin");
	struct mtx m;
	struct kcatch kc;

	NEED_WITNESS();
	mtx_init(&m, "w_ms_mtx");
	mtx_lock(&m);
	spinlock_acquire(&s);
	spinlock_release(&s);
	mtx_unlock(&m);
	spinlock_acquire(&s);
	kcatch_arm(&kc, KCATCH_PANIC);
	if (setjmp(kc.kc_jb) == 0)
		mtx_lock(&m);
	kcatch_disarm(&kc);
	KT_EXPECT_EQ(kc.kc_count, 1);
	KT_EXPECT_TRUE(said(&kc, "\"w_ms_spin\" then \"w_ms_mtx\"; earlier "
	    "\"w_ms_mtx\" then \"w_ms_spin\""));
	KT_EXPECT_NULL(m.mtx_owner);
	spinlock_release(&s);
	KT_EXPECT_EQ(spinlock_count(), 0);
	KT_EXPECT_EQ(witness_held_count(), 0);
}

/* a before b and b before c make c before a a reversal too. */
KTEST(witness, transitive_reversal_caught)
{
	static struct spinlock a = SPINLOCK_INITIALIZER("w_tr_a");
	static struct spinlock b = SPINLOCK_INITIALIZER("w_tr_b");
	static struct spinlock c = SPINLOCK_INITIALIZER("w_tr_c");
	struct kcatch kc;

	NEED_WITNESS();
	spin_pair(&a, &b);
	spin_pair(&b, &c);
	spinlock_acquire(&c);
	kcatch_arm(&kc, KCATCH_PANIC);
	if (setjmp(kc.kc_jb) == 0)
		spinlock_acquire(&a);
	kcatch_disarm(&kc);
	KT_EXPECT_EQ(kc.kc_count, 1);
	KT_EXPECT_TRUE(said(&kc, "\"w_tr_c\" then \"w_tr_a\"; earlier "
	    "\"w_tr_a\" then \"w_tr_c\" (through other locks)"));
	KT_EXPECT_EQ(a.sl_locked, 0);
	spinlock_release(&c);
	KT_EXPECT_EQ(spinlock_count(), 0);
	KT_EXPECT_EQ(witness_held_count(), 0);
}

KTEST(witness, consistent_order_never_panics)
{
	static struct spinlock a = SPINLOCK_INITIALIZER("w_ok_a");
	static struct spinlock b = SPINLOCK_INITIALIZER("w_ok_b");
	struct mtx m;
	struct kcatch kc;
	int i;

	NEED_WITNESS();
	mtx_init(&m, "w_ok_mtx");
	kcatch_arm(&kc, KCATCH_PANIC);
	if (setjmp(kc.kc_jb) == 0) {
		for (i = 0; i < 100; i++) {
			mtx_lock(&m);
			spin_pair(&a, &b);
			spinlock_acquire(&b);	/* b alone: no order */
			spinlock_release(&b);
			mtx_unlock(&m);
		}
	}
	kcatch_disarm(&kc);
	KT_EXPECT_EQ(kc.kc_count, 0);
	KT_EXPECT_EQ(spinlock_count(), 0);
	KT_EXPECT_EQ(witness_held_count(), 0);
}

/* Two locks of one class nest either way round: no self-edges. */
KTEST(witness, same_class_nesting_allowed)
{
	static struct spinlock x = SPINLOCK_INITIALIZER("w_same_spin");
	static struct spinlock y = SPINLOCK_INITIALIZER("w_same_spin");
	struct mtx m, n;
	struct kcatch kc;

	NEED_WITNESS();
	mtx_init(&m, "w_same_mtx");
	mtx_init(&n, "w_same_mtx");
	kcatch_arm(&kc, KCATCH_PANIC);
	if (setjmp(kc.kc_jb) == 0) {
		spin_pair(&x, &y);
		spin_pair(&y, &x);
		mtx_lock(&m);
		mtx_lock(&n);
		mtx_unlock(&m);		/* out of order, too */
		mtx_unlock(&n);
		mtx_lock(&n);
		mtx_lock(&m);
		mtx_unlock(&m);
		mtx_unlock(&n);
	}
	kcatch_disarm(&kc);
	KT_EXPECT_EQ(kc.kc_count, 0);
	KT_EXPECT_EQ(spinlock_count(), 0);
	KT_EXPECT_EQ(witness_held_count(), 0);
}

/* mtx_trylock cannot deadlock: not checked, but held once it succeeds. */
KTEST(witness, trylock_not_checked)
{
	struct mtx a, b;
	struct kcatch kc;

	NEED_WITNESS();
	mtx_init(&a, "w_try_a");
	mtx_init(&b, "w_try_b");
	mtx_lock(&a);
	mtx_lock(&b);
	mtx_unlock(&b);
	mtx_unlock(&a);
	kcatch_arm(&kc, KCATCH_PANIC);
	if (setjmp(kc.kc_jb) == 0) {
		mtx_lock(&b);
		KT_EXPECT_TRUE(mtx_trylock(&a));
		KT_EXPECT_EQ(witness_held_count(), 2);
		mtx_unlock(&a);
		mtx_unlock(&b);
	}
	kcatch_disarm(&kc);
	KT_EXPECT_EQ(kc.kc_count, 0);
	KT_EXPECT_EQ(witness_held_count(), 0);
}

/* msleep lets its mutex go while asleep and holds it again after. */
KTEST(witness, msleep_drops_and_retakes)
{
	static struct spinlock s = SPINLOCK_INITIALIZER("w_sl_spin");
	struct mtx m;
	int chan;

	NEED_WITNESS();
	mtx_init(&m, "w_sl_mtx");
	mtx_lock(&m);
	KT_EXPECT_EQ(witness_held_count(), 1);
	KT_EXPECT_EQ(msleep(&chan, &m, 0, "wtest", 1), EWOULDBLOCK);
	KT_EXPECT_TRUE(mtx_owned(&m));
	KT_EXPECT_EQ(witness_held_count(), 1);
	spinlock_acquire(&s);
	KT_EXPECT_EQ(witness_held_count(), 2);
	spinlock_release(&s);
	mtx_unlock(&m);
	KT_EXPECT_EQ(witness_held_count(), 0);
}

/*
 * Threads on every CPU take a mutex, yield (and may move) while holding
 * it, then nest a spin lock and a second mutex inside, in one order:
 * held mutexes follow their thread, held spin locks stay with the CPU,
 * and nothing panics.
 */
struct churn {
	struct mtx		outer, inner;
	struct spinlock		spin;
	volatile int		caught, leaked;
};

static void
churn_thread(void *arg)
{
	struct churn *ch = arg;
	struct kcatch kc;
	int i;

	kcatch_arm(&kc, KCATCH_PANIC);
	if (setjmp(kc.kc_jb) == 0) {
		for (i = 0; i < 50; i++) {
			mtx_lock(&ch->outer);
			thread_yield();
			spinlock_acquire(&ch->spin);
			spinlock_release(&ch->spin);
			mtx_lock(&ch->inner);
			mtx_unlock(&ch->inner);
			mtx_unlock(&ch->outer);
		}
	}
	kcatch_disarm(&kc);
	__atomic_fetch_add(&ch->caught, kc.kc_count, __ATOMIC_RELAXED);
	if (witness_held_count() != 0 || spinlock_count() != 0)
		__atomic_fetch_add(&ch->leaked, 1, __ATOMIC_RELAXED);
}

KTEST(witness, threads_on_all_cpus_consistent)
{
	static struct churn ch;
	struct thread *td[8];
	int i, n = MIN(mp_ncpus * 2, 8);

	NEED_WITNESS();
	mtx_init(&ch.outer, "w_churn_outer");
	mtx_init(&ch.inner, "w_churn_inner");
	spinlock_init(&ch.spin, "w_churn_spin");
	for (i = 0; i < n; i++) {
		td[i] = thread_create("wchurn", churn_thread, &ch);
		KT_ASSERT_NOTNULL(td[i]);
	}
	for (i = 0; i < n; i++)
		thread_join(td[i]);
	KT_EXPECT_EQ(ch.caught, 0);
	KT_EXPECT_EQ(ch.leaked, 0);
	KT_EXPECT_NULL(ch.outer.mtx_owner);
}
