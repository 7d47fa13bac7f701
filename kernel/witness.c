/*
 * Lock-order checking (see kernel/witness.h for what it checks and how to
 * leave it out).
 *
 * The order table w_order[a] is a bit set of classes: bit b says class a
 * was held while class b was acquired, directly or through a chain of
 * such acquisitions (the transitive closure, kept up to date as edges are
 * added).  So "does acquiring b while holding a reverse an order" is one
 * bit test, w_order[b] has a.  Bits are only ever set, one 32-bit word at
 * a time, so the common case (an order seen before) reads the table
 * without a lock; new classes and new edges, which stop appearing soon
 * after boot, take w_lock.
 *
 * w_lock is a bare flag, not a struct spinlock (that would recurse into
 * witness), taken with interrupts off so that an interrupt handler's spin
 * lock, checked on the same CPU, cannot spin on it.
 */
#include <kernel/systm.h>
#include <kernel/witness.h>

#ifdef WITNESS

#include <kernel/lock.h>
#include <kernel/pcpu.h>
#include <kernel/thread.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <machine/cpufunc.h>

#define	W_WORDS		(WITNESS_NCLASS / 32)
#define	W_NAMELEN	32

static volatile uint32_t w_lock;
static char		 w_name[WITNESS_NCLASS][W_NAMELEN];
static int		 w_nclass;
static bool		 w_full_said;
/* a before b: w_order (closure), w_direct (as seen; for the message) */
static uint32_t		 w_order[WITNESS_NCLASS][W_WORDS];
static uint32_t		 w_direct[WITNESS_NCLASS][W_WORDS];
/* Spin locks each CPU holds. */
static struct witness_stack witness_cpu[MAXCPU];

static uintptr_t
w_lock_enter(void)
{
	uintptr_t flags = intr_disable();

	while (__atomic_exchange_n(&w_lock, 1, __ATOMIC_ACQUIRE) != 0)
		while (w_lock != 0)
			cpu_spinwait();
	return (flags);
}

static void
w_lock_exit(uintptr_t flags)
{
	__atomic_store_n(&w_lock, 0, __ATOMIC_RELEASE);
	intr_restore(flags);
}

static bool
w_isset(uint32_t (*set)[W_WORDS], int a, int b)
{
	return ((__atomic_load_n(&set[a][b / 32], __ATOMIC_RELAXED) &
	    (1u << (b % 32))) != 0);
}

/* => w_lock held (the only writer) */
static void
w_set(uint32_t (*set)[W_WORDS], int a, int w, uint32_t bits)
{
	__atomic_store_n(&set[a][w], set[a][w] | bits, __ATOMIC_RELAXED);
}

/*
 * The class called name, made on first sight.  -1 when the table is
 * full: such locks are not checked.
 */
static int
witness_class_lookup(const char *name)
{
	int c;

	if (name == NULL)
		name = "(unnamed)";
	for (c = 0; c < w_nclass; c++)
		if (strncmp(w_name[c], name, W_NAMELEN - 1) == 0)
			return (c);
	if (w_nclass == WITNESS_NCLASS)
		return (-1);
	strlcpy(w_name[w_nclass], name, W_NAMELEN);
	return (w_nclass++);
}

/* The first time a lock is taken: find its class, cache it in the lock. */
static int __attribute__((noinline))
witness_class_slow(int *cachep, const char *name)
{
	uintptr_t flags;
	int c;
	bool say = false;

	flags = w_lock_enter();
	c = witness_class_lookup(name);
	if (c < 0 && !w_full_said)
		say = w_full_said = true;
	__atomic_store_n(cachep, c >= 0 ? c + 1 : -1, __ATOMIC_RELAXED);
	w_lock_exit(flags);
	if (say)
		kprintf("witness: more than %d lock classes; \"%s\" and later "
		    "ones are not checked\n", WITNESS_NCLASS, name);
	return (c);
}

/* The lock's class (*cachep: class + 1, -1 untracked, 0 not known yet). */
static inline int
witness_class(int *cachep, const char *name)
{
	int c = __atomic_load_n(cachep, __ATOMIC_RELAXED);

	if (__predict_true(c > 0))
		return (c - 1);
	return (c < 0 ? -1 : witness_class_slow(cachep, name));
}

/*
 * Record a before b and everything that implies: every class that comes
 * before a (and a itself) now comes before b and all that follows b.
 * Returns false, recording nothing, if b before a is already known (a
 * racing CPU may have added it since the caller looked).
 */
static bool
witness_add(int a, int b)
{
	uintptr_t flags = w_lock_enter();
	int x, w;

	if (w_isset(w_order, b, a)) {
		w_lock_exit(flags);
		return (false);
	}
	w_set(w_direct, a, b / 32, 1u << (b % 32));
	for (x = 0; x < w_nclass; x++) {
		if (x != a && !w_isset(w_order, x, a))
			continue;
		for (w = 0; w < W_WORDS; w++)
			w_set(w_order, x, w, w_order[b][w]);
		w_set(w_order, x, b / 32, 1u << (b % 32));
	}
	w_lock_exit(flags);
	return (true);
}

static void __noreturn
witness_reversal(int a, int b)
{
	panic("lock order reversal: \"%s\" then \"%s\"; earlier \"%s\" then "
	    "\"%s\"%s", w_name[a], w_name[b], w_name[b], w_name[a],
	    w_isset(w_direct, b, a) ? "" : " (through other locks)");
}

/* A held class that must come after b, or -1. */
static int
witness_reversed(const struct witness_stack *ws, int b)
{
	int i, a;

	for (i = 0; ws != NULL && i < ws->ws_depth; i++) {
		a = ws->ws_held[i].wh_class;
		if (a >= 0 && a != b && w_isset(w_order, b, a))
			return (a);
	}
	return (-1);
}

/* Record every held class before b; a reversal found meanwhile, or -1. */
static int
witness_record(const struct witness_stack *ws, int b)
{
	int i, a;

	for (i = 0; ws != NULL && i < ws->ws_depth; i++) {
		a = ws->ws_held[i].wh_class;
		if (a < 0 || a == b || w_isset(w_order, a, b))
			continue;
		if (!witness_add(a, b))
			return (a);
	}
	return (-1);
}

/*
 * Acquiring class b with the thread's mutexes tm and the CPU's spin locks
 * cs held: check all of them first, so a panic records nothing.
 * => interrupts off (cs stays this CPU's)
 */
static void __attribute__((noinline))
witness_check(const struct witness_stack *tm, const struct witness_stack *cs,
    int b)
{
	int a;

	if (b < 0)
		return;
	if ((a = witness_reversed(tm, b)) >= 0 ||
	    (a = witness_reversed(cs, b)) >= 0 ||
	    (a = witness_record(tm, b)) >= 0 ||
	    (a = witness_record(cs, b)) >= 0)
		witness_reversal(a, b);
}

/* Nothing held (the common case): no order to check. */
static inline bool
witness_none(const struct witness_stack *tm, const struct witness_stack *cs)
{
	return ((tm == NULL || tm->ws_depth == 0) && cs->ws_depth == 0);
}

/*
 * The running thread's mutexes, NULL before the scheduler has a thread
 * (early boot: nobody can hold a mutex yet).
 */
static struct witness_stack *
witness_thread(void)
{
	struct thread *td = curthread;

	return (td != NULL ? &td->td_witness : NULL);
}

/*
 * An interrupt on this CPU may read the stack while it changes: the
 * entry is written before the depth that makes it visible.
 */
static void
witness_push(struct witness_stack *ws, const void *lock, int class)
{
	int n = ws->ws_depth;

	ws->ws_held[n].wh_lock = lock;
	ws->ws_held[n].wh_class = class;
	__asm__ volatile("" ::: "memory");
	ws->ws_depth = n + 1;
}

/* Locks may be released in any order: take lock out wherever it is. */
static void
witness_pop(struct witness_stack *ws, const void *lock, const char *name)
{
	int i = ws->ws_depth - 1;

	if (__predict_true(i >= 0 && ws->ws_held[i].wh_lock == lock)) {
		ws->ws_depth = i;	/* the last one taken: the common case */
		return;
	}
	for (; i >= 0; i--)
		if (ws->ws_held[i].wh_lock == lock)
			break;
	KASSERT(i >= 0, ("witness: \"%s\" released but not held", name));
	for (; i < ws->ws_depth - 1; i++)
		ws->ws_held[i] = ws->ws_held[i + 1];
	__asm__ volatile("" ::: "memory");
	ws->ws_depth--;
}

void
witness_spin_lock(struct spinlock *sl)
{
	struct witness_stack *cs = &witness_cpu[curcpu()->pc_cpuid], *tm;
	int b;

	if (cs->ws_depth == WITNESS_DEPTH)
		panic("witness: more than %d spin locks held, taking \"%s\"",
		    WITNESS_DEPTH, sl->sl_name);
	b = witness_class(&sl->sl_witness, sl->sl_name);
	tm = witness_thread();
	if (!witness_none(tm, cs))
		witness_check(tm, cs, b);
	witness_push(cs, sl, b);
}

void
witness_spin_unlock(struct spinlock *sl)
{
	witness_pop(&witness_cpu[curcpu()->pc_cpuid], sl, sl->sl_name);
}

void
witness_mtx_check(struct mtx *m, bool try)
{
	struct witness_stack *tm = witness_thread();
	uintptr_t flags;
	int b;

	KASSERT(tm != NULL, ("mutex \"%s\" taken before threads exist",
	    m->mtx_name));
	if (tm->ws_depth == WITNESS_DEPTH)
		panic("witness: more than %d mutexes held, taking \"%s\"",
		    WITNESS_DEPTH, m->mtx_name);
	b = witness_class(&m->mtx_witness, m->mtx_name);
	/*
	 * Holding no spin lock, the thread may move between CPUs, but any
	 * CPU it reads then holds none for it either: "none held" needs no
	 * interrupts off.  Checking does, so the spin locks read are its own.
	 */
	if (try || witness_none(tm, &witness_cpu[curcpu()->pc_cpuid]))
		return;
	flags = intr_disable();
	witness_check(tm, &witness_cpu[curcpu()->pc_cpuid], b);
	intr_restore(flags);
}

void
witness_mtx_lock(struct mtx *m)
{
	witness_push(witness_thread(), m,
	    witness_class(&m->mtx_witness, m->mtx_name));
}

void
witness_mtx_unlock(struct mtx *m)
{
	witness_pop(witness_thread(), m, m->mtx_name);
}

int
witness_held_count(void)
{
	struct witness_stack *tm = witness_thread();
	uintptr_t flags;
	int n;

	/* Interrupts off before curcpu(): the entry must be this CPU's. */
	flags = intr_disable();
	n = witness_cpu[curcpu()->pc_cpuid].ws_depth;
	intr_restore(flags);
	return (n + (tm != NULL ? tm->ws_depth : 0));
}

#endif /* WITNESS */
