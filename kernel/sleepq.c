/*
 * Sleep queues (msleep/wakeup, FreeBSD sleep(9)), sleep mutexes, signals
 * and timed sleeps.  Sleeping threads hang on a hash of wait channels;
 * everything here is protected by the scheduler lock, which is what
 * makes releasing the caller's mutex and going to sleep one atomic step
 * as far as wakeup() can tell.
 */
#include <kernel/systm.h>
#include <kernel/errno.h>
#include <kernel/pcpu.h>
#include <kernel/sched_internal.h>

#define	SLEEPQ_SIZE	64
#define	SLEEPQ_HASH(c)	((((uintptr_t)(c)) >> 4) % SLEEPQ_SIZE)

static TAILQ_HEAD(sleepq, thread) sleepq[SLEEPQ_SIZE];

void
sleepq_init(void)
{
	int i;

	for (i = 0; i < SLEEPQ_SIZE; i++)
		TAILQ_INIT(&sleepq[i]);
}

static struct sleepq *
sleepq_of(const void *chan)
{
	return (&sleepq[SLEEPQ_HASH(chan)]);
}

/*
 * => sched_lock held; returns with it held, after being woken.
 */
int
sleep_locked(const void *chan, int flags, const char *wmesg, int timo)
{
	struct thread *td = curthread;

	KASSERT(!td->td_idle, ("the idle thread may not sleep"));
	KASSERT(td->td_critnest == 0, ("sleeping in a critical section"));
	if ((flags & PCATCH) && td->td_sigpending)
		return (EINTR);
	td->td_wchan = chan;
	td->td_wmesg = wmesg;
	td->td_catchable = (flags & PCATCH) != 0;
	td->td_wakeresult = 0;
	td->td_deadline = timo > 0 ? sched_ticks() + timo : 0;
	TAILQ_INSERT_TAIL(sleepq_of(chan), td, td_runq);
	td->td_state = TDS_SLEEPING;
	sched_switch();
	return (td->td_wakeresult);
}

static void
sleepq_remove(struct thread *td, int result)
{
	KASSERT(td->td_state == TDS_SLEEPING, ("waking a thread that is not "
	    "asleep"));
	TAILQ_REMOVE(sleepq_of(td->td_wchan), td, td_runq);
	td->td_wchan = NULL;
	td->td_wakeresult = result;
	td->td_deadline = 0;
	sched_add(td);
}

void
wakeup_locked(const void *chan, bool one)
{
	struct sleepq *sq = sleepq_of(chan);
	struct thread *td, *next;

	TAILQ_FOREACH_SAFE(td, sq, td_runq, next) {
		if (td->td_wchan != chan)
			continue;
		sleepq_remove(td, 0);
		if (one)
			return;
	}
}

/* Called every tick on CPU 0: end the timed sleeps that are due. */
void
sleepq_tick(uint64_t now)
{
	struct thread *td, *next;
	int i;

	for (i = 0; i < SLEEPQ_SIZE; i++)
		TAILQ_FOREACH_SAFE(td, &sleepq[i], td_runq, next)
			if (td->td_deadline != 0 && td->td_deadline <= now)
				sleepq_remove(td, EWOULDBLOCK);
}

void
wakeup(const void *chan)
{
	spinlock_acquire(&sched_lock);
	wakeup_locked(chan, false);
	spinlock_release(&sched_lock);
}

void
wakeup_one(const void *chan)
{
	spinlock_acquire(&sched_lock);
	wakeup_locked(chan, true);
	spinlock_release(&sched_lock);
}

int
msleep(const void *chan, struct mtx *m, int flags, const char *wmesg,
    int timo)
{
	int error;

	/*
	 * pmap_quick_enter_page(9): no sleeping while holding a quick map.
	 * Checked before sched_lock is taken, so a test can catch the panic.
	 * A holder is in a critical section, so curcpu() is stable then.
	 */
	KASSERT(curthread->td_critnest == 0 || curcpu()->pc_qmap_held == 0, ("msleep: sleeping while holding "
	    "the quick map %p", (void *)curcpu()->pc_qmap_held));
	KASSERT(m == NULL || m->mtx_owner == curthread, ("msleep: mutex "
	    "\"%s\" not held", m->mtx_name));
	if (m != NULL)
		WITNESS_MTX_UNLOCK(m);
	spinlock_acquire(&sched_lock);
	if (m != NULL) {
		m->mtx_owner = NULL;
		if (m->mtx_waiters > 0)
			wakeup_locked(m, true);
	}
	error = sleep_locked(chan, flags, wmesg, timo);
	spinlock_release(&sched_lock);
	if (m != NULL)
		mtx_lock(m);
	return (error);
}

/*
 * => sl held, and no other spin lock: the switch may hold only sched_lock.
 * => sched_lock is taken before sl is released, so a waker, which takes
 *    sl and then sched_lock (in wakeup), finds the thread on the queue.
 */
int
msleep_spin(const void *chan, struct spinlock *sl, const char *wmesg,
    int timo)
{
	int error;

	KASSERT(spinlock_owned(sl) && spinlock_count() == 1, ("msleep_spin: "
	    "must hold \"%s\" and no other spin lock", sl->sl_name));
	spinlock_acquire(&sched_lock);
	spinlock_release(sl);
	error = sleep_locked(chan, 0, wmesg, timo);
	spinlock_release(&sched_lock);
	spinlock_acquire(sl);
	return (error);
}

void
pause_ticks(int ticks)
{
	spinlock_acquire(&sched_lock);
	while (sleep_locked(&ticks, 0, "pause", MAX(ticks, 1)) == 0)
		;	/* nobody wakes &ticks: only the timeout ends it */
	spinlock_release(&sched_lock);
}

void
thread_signal(struct thread *td)
{
	spinlock_acquire(&sched_lock);
	td->td_sigpending = true;
	if (td->td_state == TDS_SLEEPING && td->td_catchable)
		sleepq_remove(td, EINTR);
	spinlock_release(&sched_lock);
}

void
thread_sigclear(void)
{
	spinlock_acquire(&sched_lock);
	curthread->td_sigpending = false;
	spinlock_release(&sched_lock);
}

/* Sleep mutexes: their state is under sched_lock too (kernel/lock.h). */
void
mtx_init(struct mtx *m, const char *name)
{
	m->mtx_owner = NULL;
	m->mtx_waiters = 0;
	m->mtx_name = name;
#ifdef WITNESS
	m->mtx_witness = 0;
#endif
}

/*
 * => may sleep: not from an interrupt handler or a spin-locked section.
 */
void
mtx_lock(struct mtx *m)
{
	/* Checked unlocked: only this thread can make the owner itself. */
	KASSERT(m->mtx_owner != curthread, ("mutex \"%s\" acquired "
	    "recursively", m->mtx_name));
	WITNESS_MTX_CHECK(m, false);
	spinlock_acquire(&sched_lock);
	while (m->mtx_owner != NULL) {
		m->mtx_waiters++;
		sleep_locked(m, 0, m->mtx_name, 0);
		m->mtx_waiters--;
	}
	m->mtx_owner = curthread;
	spinlock_release(&sched_lock);
	WITNESS_MTX_LOCK(m);
}

bool
mtx_trylock(struct mtx *m)
{
	bool got;

	WITNESS_MTX_CHECK(m, true);
	spinlock_acquire(&sched_lock);
	if ((got = (m->mtx_owner == NULL)))
		m->mtx_owner = curthread;
	spinlock_release(&sched_lock);
	if (got)
		WITNESS_MTX_LOCK(m);
	return (got);
}

void
mtx_unlock(struct mtx *m)
{
	KASSERT(m->mtx_owner == curthread, ("mutex \"%s\" released by a "
	    "thread that does not own it", m->mtx_name));
	WITNESS_MTX_UNLOCK(m);
	spinlock_acquire(&sched_lock);
	m->mtx_owner = NULL;
	if (m->mtx_waiters > 0)
		wakeup_locked(m, true);
	spinlock_release(&sched_lock);
}

bool
mtx_owned(const struct mtx *m)
{
	return (m->mtx_owner == curthread);
}
