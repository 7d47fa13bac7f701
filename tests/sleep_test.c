/*
 * Suite "sleep": msleep/wakeup/wakeup_one, timeouts, signals and PCATCH,
 * msleep_spin, msleep and msleep_spin letting their lock go only once
 * the thread is on its way to sleep, and a producer/consumer stress over
 * every CPU (kernel/thread.h).
 */
#include <kernel/systm.h>
#include <kernel/errno.h>
#include <kernel/ktest.h>
#include <kernel/lock.h>
#include <kernel/pcpu.h>
#include <kernel/smp.h>
#include <kernel/thread.h>
#include <kernel/sched_internal.h>	/* sched_lock: see ms_grab */
#include <kernel/trap.h>
#include <lib/string.h>

#define	NSLEEPERS	6

static struct mtx	mtx;
static int		chan;		/* its address is the wait channel */
static int		asleep, woken, go;

static void
sleeper(void *arg)
{
	int flags = (int)(intptr_t)arg, error;

	mtx_lock(&mtx);
	asleep++;
	while (!go) {
		error = msleep(&chan, &mtx, flags, "test", 0);
		if (error != 0) {
			asleep--;
			mtx_unlock(&mtx);
			thread_exit(error);
		}
	}
	asleep--;
	woken++;
	mtx_unlock(&mtx);
	thread_exit(0);
}

static void
setup(void)
{
	mtx_init(&mtx, "sleep test");
	asleep = woken = go = 0;
}

/* Wait (sleeping, not spinning) until n threads sleep on chan. */
static bool
wait_asleep(int n)
{
	int i;

	for (i = 0; i < 5 * hz; i++) {
		mtx_lock(&mtx);
		if (asleep == n) {
			mtx_unlock(&mtx);
			return (true);
		}
		mtx_unlock(&mtx);
		pause_ticks(1);
	}
	return (false);
}

/* How many of the threads sleep on chan now (racy: for a snapshot). */
static int
count_on_chan(struct thread **td, int n)
{
	int i, on = 0;

	for (i = 0; i < n; i++)
		on += __atomic_load_n(&td[i]->td_state, __ATOMIC_ACQUIRE) ==
		    TDS_SLEEPING && td[i]->td_wchan == &chan;
	return (on);
}

/* Wait (sleeping) until woken reaches n; false after 5 s of ticks. */
static bool
wait_woken(int n)
{
	int i;

	for (i = 0; i < 5 * hz && __atomic_load_n(&woken, __ATOMIC_ACQUIRE) <
	    n; i++)
		pause_ticks(1);
	return (woken >= n);
}

/*
 * wakeup_one takes exactly one thread off the queue before it returns,
 * which is checked at once.  The woken thread then runs when its CPU
 * lets it, which on a loaded host can take long: the test waits for it,
 * and a few ticks more for a second one that should not come.
 */
KTEST(sleep, wakeup_one_wakes_exactly_one)
{
	struct thread *td[NSLEEPERS];
	int i, before, after;
	bool one;

	setup();
	for (i = 0; i < NSLEEPERS; i++)
		KT_ASSERT_NOTNULL(td[i] = thread_create("sleeper", sleeper,
		    (void *)0));
	KT_ASSERT_TRUE(wait_asleep(NSLEEPERS));
	mtx_lock(&mtx);
	go = 1;
	mtx_unlock(&mtx);
	before = count_on_chan(td, NSLEEPERS);
	wakeup_one(&chan);
	after = count_on_chan(td, NSLEEPERS);
	one = wait_woken(1);
	pause_ticks(5);
	KT_EXPECT_EQ(before, NSLEEPERS);
	KT_EXPECT_EQ(after, NSLEEPERS - 1);
	KT_EXPECT_TRUE(one);
	KT_EXPECT_EQ(count_on_chan(td, NSLEEPERS), NSLEEPERS - 1);
	mtx_lock(&mtx);
	KT_EXPECT_EQ(woken, 1);
	KT_EXPECT_EQ(asleep, NSLEEPERS - 1);
	mtx_unlock(&mtx);
	wakeup(&chan);
	for (i = 0; i < NSLEEPERS; i++)
		KT_EXPECT_EQ(thread_join(td[i]), 0);
	KT_EXPECT_EQ(woken, NSLEEPERS);
}

struct timed {
	int		error;
	bool		owned;
	uint64_t	elapsed;	/* CPU 0's ticks */
};

static void
timed_sleep(void *arg)
{
	struct timed *t = arg;
	uint64_t t0 = sched_ticks();

	mtx_lock(&mtx);
	t->error = msleep(&chan, &mtx, 0, "timeout", 3);
	t->owned = mtx_owned(&mtx);	/* re-acquired */
	mtx_unlock(&mtx);
	t->elapsed = sched_ticks() - t0;
}

/*
 * On CPU 0, which keeps the clock and ends timed sleeps: the sleeper and
 * the ticks it is measured in stop together when the host deschedules
 * that vCPU, so a loaded host cannot make the sleep look long.
 */
KTEST(sleep, timeout_returns_ewouldblock)
{
	struct timed t = { -1, false, 0 };
	struct thread *td;

	mtx_init(&mtx, "timeout");
	td = thread_create_on("timeout", timed_sleep, &t, 0);
	KT_ASSERT_NOTNULL(td);
	thread_join(td);
	KT_EXPECT_TRUE(t.owned);
	KT_EXPECT_EQ(t.error, EWOULDBLOCK);
	KT_EXPECT_GE(t.elapsed, 3);
	KT_EXPECT_LT(t.elapsed, 3 + hz);
}

KTEST(sleep, signal_interrupts_pcatch_sleep)
{
	struct thread *td;

	setup();
	KT_ASSERT_NOTNULL(td = thread_create("pcatch", sleeper,
	    (void *)(intptr_t)PCATCH));
	KT_ASSERT_TRUE(wait_asleep(1));
	thread_signal(td);
	KT_EXPECT_EQ(thread_join(td), EINTR);
	KT_EXPECT_EQ(woken, 0);
}

KTEST(sleep, signal_ignored_without_pcatch)
{
	struct thread *td;

	setup();
	KT_ASSERT_NOTNULL(td = thread_create("plain", sleeper, (void *)0));
	KT_ASSERT_TRUE(wait_asleep(1));
	thread_signal(td);
	pause_ticks(5);
	KT_EXPECT_EQ(td->td_state, TDS_SLEEPING);
	mtx_lock(&mtx);
	go = 1;
	mtx_unlock(&mtx);
	wakeup(&chan);
	KT_EXPECT_EQ(thread_join(td), 0);
	KT_EXPECT_EQ(woken, 1);
}

/* A signal already pending ends a PCATCH sleep before it starts. */
KTEST(sleep, pending_signal_and_sigclear)
{
	thread_signal(curthread);
	KT_EXPECT_EQ(msleep(&chan, NULL, PCATCH, "pending", 0), EINTR);
	KT_EXPECT_EQ(msleep(&chan, NULL, PCATCH, "pending", 0), EINTR);
	thread_sigclear();
	KT_EXPECT_EQ(msleep(&chan, NULL, PCATCH, "pending", 2), EWOULDBLOCK);
}

/* ---------------------------------------------- msleep_spin */

static struct spinlock spin_sl = SPINLOCK_INITIALIZER("msleep_spin test");
static int spin_go;			/* under spin_sl */

static void
spin_sleeper(void *arg __unused)
{
	int error = 0;

	spinlock_acquire(&spin_sl);
	while (!spin_go && error == 0)
		error = msleep_spin(&spin_go, &spin_sl, "spin", 5 * hz);
	spinlock_release(&spin_sl);
	thread_exit(error);
}

/*
 * msleep_spin sleeps with its spin lock released and holds it again when
 * it returns; a waker that sets the condition under the lock (as an
 * interrupt handler could) and calls wakeup is never lost.
 */
KTEST(sleep, msleep_spin_wakeup_and_timeout)
{
	struct thread *td;
	int error, count;
	bool held;

	spin_go = 0;
	td = thread_create_on("spin", spin_sleeper, NULL, mp_ncpus - 1);
	KT_ASSERT_NOTNULL(td);
	pause_ticks(2);
	spinlock_acquire(&spin_sl);
	spin_go = 1;
	wakeup(&spin_go);
	spinlock_release(&spin_sl);
	KT_EXPECT_EQ(thread_join(td), 0);

	spinlock_acquire(&spin_sl);
	error = msleep_spin(&spin_go, &spin_sl, "spin", 2);
	held = spinlock_owned(&spin_sl);
	count = spinlock_count();
	spinlock_release(&spin_sl);
	KT_EXPECT_EQ(error, EWOULDBLOCK);
	KT_EXPECT_TRUE(held);
	KT_EXPECT_EQ(count, 1);
}

/* msleep_spin on a spin lock not held, or with another one held too. */
static int __attribute__((noinline))
msleep_spin_caught(void)
{
	struct kcatch kc;

	kcatch_arm(&kc, KCATCH_PANIC);
	if (setjmp(kc.kc_jb) == 0)
		(void)msleep_spin(&spin_go, &spin_sl, "misuse", 1);
	kcatch_disarm(&kc);
	return (kc.kc_count);
}

KTEST(sleep, msleep_spin_misuse_panics)
{
	static struct spinlock other = SPINLOCK_INITIALIZER("msleep_spin other");

	KT_EXPECT_EQ(msleep_spin_caught(), 1);		/* not held */
	spinlock_acquire(&other);
	spinlock_acquire(&spin_sl);
	KT_EXPECT_EQ(msleep_spin_caught(), 1);		/* two held */
	spinlock_release(&spin_sl);
	spinlock_release(&other);
	KT_EXPECT_EQ(spinlock_count(), 0);
}

/* ---------------------------------------------- msleep's atomicity */

#define	MS_ROUNDS	300
#define	MS_TIMO		(4 * hz)	/* below ms_wait_round's 5 s */

static struct {
	bool		spin;		/* msleep_spin and sl, or msleep and m */
	int		cpu;		/* the sleeper's */
	struct mtx	m;
	struct spinlock	sl;
	int		chan;		/* its address is the wait channel */
	volatile int	ready;		/* round the sleeper is entering msleep */
	volatile int	stop;
} ms;

/* Each round: take the lock, say so, and sleep, letting it go. */
static void
msleep_rounds(void *arg __unused)
{
	int i, error, timeouts = 0;

	for (i = 1; i <= MS_ROUNDS && !ms.stop; i++) {
		if (ms.spin) {
			spinlock_acquire(&ms.sl);
			ms.ready = i;
			error = msleep_spin(&ms.chan, &ms.sl, "atomic",
			    MS_TIMO);
			spinlock_release(&ms.sl);
		} else {
			mtx_lock(&ms.m);
			ms.ready = i;
			error = msleep(&ms.chan, &ms.m, 0, "atomic", MS_TIMO);
			mtx_unlock(&ms.m);
		}
		/*
		 * The timeout only ends a sleep whose wakeup was lost.  It
		 * runs on CPU 0's clock while the waker is another vCPU: long,
		 * so that a host descheduling the waker cannot fake one.
		 */
		timeouts += (error == EWOULDBLOCK);
	}
	thread_exit(timeouts);
}

/* Wait for the sleeper to hold the lock in round i; false after 5 s. */
static bool
ms_wait_round(int i)
{
	uint64_t end = sched_ticks() + 5 * hz;

	while (ms.ready != i)
		if (sched_ticks() > end)
			return (false);
	return (true);
}

static bool
ms_asleep(const struct thread *td)
{
	return (__atomic_load_n(&td->td_state, __ATOMIC_ACQUIRE) ==
	    TDS_SLEEPING && td->td_wchan == &ms.chan);
}

/*
 * Take the lock the moment the sleeper lets it go, and say whether the
 * sleeper was safely on its way to sleep then.  mtx_trylock takes
 * sched_lock, so it can succeed only after the sleeper's switch: the
 * sleeper must be asleep.  A spin lock is let go while the sleeper holds
 * sched_lock, on its way into the sleep queue: its CPU must still hold
 * sched_lock, or (read after) the sleeper must be asleep.
 */
static bool
ms_grab(const struct thread *td)
{
	if (ms.spin) {
		spinlock_acquire(&ms.sl);
		return (__atomic_load_n(&sched_lock.sl_owner,
		    __ATOMIC_ACQUIRE) == ms.cpu || ms_asleep(td));
	}
	while (!mtx_trylock(&ms.m))
		;		/* no pause: catch the first moment */
	return (ms_asleep(td));
}

static void
ms_release(void)
{
	if (ms.spin)
		spinlock_release(&ms.sl);
	else
		mtx_unlock(&ms.m);
}

/*
 * Rounds of: the sleeper, on another CPU, takes the lock and sleeps;
 * this CPU spins for the lock, and wakes the sleeper up at once.
 */
static void
msleep_race(bool spin)
{
	struct thread *td;
	uint64_t end;
	int rounds = 0, early = 0, timeouts;
	bool stalled = false;

	if (mp_ncpus < 2)
		KT_SKIP("needs 2 CPUs: the lock is watched from another one");
	sched_pin();
	ms.spin = spin;
	mtx_init(&ms.m, "msleep atomic");
	spinlock_init(&ms.sl, "msleep_spin atomic");
	ms.ready = ms.stop = 0;
	ms.cpu = (curcpu()->pc_cpuid + 1) % mp_ncpus;
	td = thread_create_on("atomic", msleep_rounds, NULL, ms.cpu);
	if (td == NULL) {
		sched_unpin();
		KT_FAIL("no thread");
	}
	/* A time budget too: with many CPUs on a busy host, rounds are slow. */
	end = sched_ticks() + hz;
	while (!ms.stop) {
		if (!ms_wait_round(rounds + 1)) {
			stalled = true;
			ms.stop = 1;
			break;
		}
		early += !ms_grab(td);
		/* Before the wakeup, so the sleeper sees it and ends. */
		if (++rounds == MS_ROUNDS || early != 0 || sched_ticks() >= end)
			ms.stop = 1;
		wakeup(&ms.chan);
		ms_release();
	}
	timeouts = thread_join(td);
	sched_unpin();
	if (early != 0)
		ktest_diag("round %d: the lock was free before the sleeper "
		    "was on its way to sleep", rounds);
	KT_EXPECT_FALSE(stalled);
	KT_EXPECT_EQ(early, 0);
	KT_EXPECT_EQ(timeouts, 0);
}

/*
 * msleep lets the mutex go only once the thread is on the sleep queue:
 * this CPU spins on mtx_trylock while the sleeper, on another CPU, enters
 * msleep, and the moment the mutex is ours the sleeper must be asleep on
 * the channel.  (If msleep released the mutex first, a wakeup sent right
 * then would be lost: the classic lost-wakeup bug.)
 */
KTEST(sleep, msleep_releases_mutex_only_when_asleep)
{
	msleep_race(false);
}

/* The same for msleep_spin and its spin lock. */
KTEST(sleep, msleep_spin_releases_lock_only_when_asleep)
{
	msleep_race(true);
}

/* ---------------------------------------------- producer/consumer */

#define	PC_ITEMS	2000
#define	PC_SLOTS	4

static struct pc {
	struct mtx	lock;
	int		buf[PC_SLOTS];
	int		head, count;
	uint64_t	sum_in, sum_out;
	int		consumed;
} pc;

static void
producer(void *arg)
{
	int i, base = (int)(intptr_t)arg;

	for (i = 0; i < PC_ITEMS; i++) {
		mtx_lock(&pc.lock);
		while (pc.count == PC_SLOTS)
			msleep(&pc.count, &pc.lock, 0, "full", 0);
		pc.buf[(pc.head + pc.count++) % PC_SLOTS] = base + i;
		pc.sum_in += base + i;
		wakeup_one(&pc.head);
		mtx_unlock(&pc.lock);
	}
}

static void
consumer(void *arg __unused)
{
	int n;

	for (n = 0; n < PC_ITEMS; n++) {
		mtx_lock(&pc.lock);
		while (pc.count == 0)
			msleep(&pc.head, &pc.lock, 0, "empty", 0);
		pc.sum_out += pc.buf[pc.head];
		pc.head = (pc.head + 1) % PC_SLOTS;
		pc.count--;
		pc.consumed++;
		wakeup_one(&pc.count);
		mtx_unlock(&pc.lock);
	}
}

/*
 * One producer and one consumer bound to each CPU, a tiny buffer: lots of
 * sleeps and wakeups across CPUs.  A lost wakeup leaves a thread asleep
 * for ever and the runner's timeout names this test.
 */
KTEST(sleep, producer_consumer_loses_no_wakeup)
{
	struct thread *td[2 * MAXCPU];
	int cpu, n = 0, i;

	memset(&pc, 0, sizeof(pc));
	mtx_init(&pc.lock, "pc");
	for (cpu = 0; cpu < mp_ncpus; cpu++) {
		td[n++] = thread_create_on("producer", producer,
		    (void *)(intptr_t)(cpu * 100000), cpu);
		td[n++] = thread_create_on("consumer", consumer, NULL,
		    (cpu + 1) % mp_ncpus);
	}
	for (i = 0; i < n; i++)
		KT_ASSERT_NOTNULL(td[i]);
	for (i = 0; i < n; i++)
		thread_join(td[i]);
	KT_EXPECT_EQ(pc.consumed, mp_ncpus * PC_ITEMS);
	KT_EXPECT_EQ(pc.sum_in, pc.sum_out);
	KT_EXPECT_EQ(pc.count, 0);
}
