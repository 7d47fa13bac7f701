/*
 * Trap catches (kernel/trap.h): a per-CPU stack of armed catches that
 * trap() and panic() consult before treating an event as fatal.
 *
 * The stack belongs to the running thread (sched_switch carries it in
 * td_catch), and lives in struct pcpu's pc_catch: every access is made
 * with interrupts off, or a thread preempted and moved between reading
 * curcpu() and using it would change another CPU's stack.  (A longjmp
 * restores the interrupt flag its setjmp saved.)
 */
#include <kernel/systm.h>
#include <kernel/trap.h>
#include <kernel/pcpu.h>
#include <lib/string.h>
#include <lib/printf.h>
#include <machine/cpufunc.h>
#include <machine/frame.h>

static void
kcatch_push(struct kcatch *kc, uint32_t mask, int flags)
{
	struct pcpu *pc;
	uintptr_t psl;

	memset(kc, 0, sizeof(*kc));
	kc->kc_mask = mask;
	kc->kc_flags = flags;
	kc->kc_vector = -2;
	psl = intr_disable();
	pc = curcpu();
	kc->kc_prev = pc->pc_catch;
	pc->pc_catch = kc;
	intr_restore(psl);
}

void
kcatch_arm(struct kcatch *kc, uint32_t mask)
{
	kcatch_push(kc, mask, 0);
}

void
kcatch_arm_resume(struct kcatch *kc, uint32_t mask)
{
	kcatch_push(kc, mask, KCATCH_RESUME);
}

/*
 * => kc is the innermost armed catch, or was popped by its own longjmp
 *    (then it is no longer on the stack and there is nothing to do).
 */
void
kcatch_disarm(struct kcatch *kc)
{
	struct kcatch *top;
	uintptr_t psl;

	psl = intr_disable();
	if ((top = curcpu()->pc_catch) == kc)
		curcpu()->pc_catch = kc->kc_prev;
	intr_restore(psl);
	if (top == kc)
		return;
	/* The rest of the stack is this thread's: it cannot change now. */
	for (struct kcatch *k = top; k != NULL; k = k->kc_prev)
		KASSERT(k != kc, ("kcatch_disarm: %p is not innermost",
		    (void *)kc));
}

/* The innermost armed catch of the running thread, or NULL. */
static struct kcatch *
kcatch_top(void)
{
	uintptr_t psl;
	struct kcatch *kc;

	psl = intr_disable();
	kc = curcpu()->pc_catch;
	intr_restore(psl);
	return (kc);
}

bool
kcatch_armed(void)
{
	return (kcatch_top() != NULL);
}

void
kcatch_reset(void)
{
	uintptr_t psl;

	psl = intr_disable();
	curcpu()->pc_catch = NULL;
	intr_restore(psl);
}

/*
 * Pop the innermost catch if it takes the event (only that one may);
 * returns it, or NULL.  A RESUME catch stays armed.
 */
static struct kcatch *
kcatch_take(uint32_t bit)
{
	struct kcatch *kc;
	uintptr_t psl;

	psl = intr_disable();
	kc = curcpu()->pc_catch;
	if (kc != NULL && (kc->kc_mask & bit) == 0)
		kc = NULL;
	if (kc != NULL && (kc->kc_flags & KCATCH_RESUME) == 0)
		curcpu()->pc_catch = kc->kc_prev;
	intr_restore(psl);
	return (kc);
}

bool
kcatch_trap(struct trapframe *tf, int vector, uintptr_t addr)
{
	struct kcatch *kc;

	if (vector >= 31 || (kc = kcatch_take(KCATCH_VEC(vector))) == NULL)
		return (false);
	kc->kc_count++;
	kc->kc_vector = vector;
	kc->kc_err = tf->tf_err;
	kc->kc_addr = addr;
	kc->kc_pc = TF_PC(tf);
	if (kc->kc_flags & KCATCH_RESUME)
		return (true);
	longjmp(kc->kc_jb, 1);
}

void
kcatch_panic(const char *msg)
{
	struct kcatch *kc;

	if ((kc = kcatch_take(KCATCH_PANIC)) == NULL)
		return;
	kc->kc_count++;
	kc->kc_vector = -1;
	kc->kc_pc = (uintptr_t)__builtin_return_address(0);
	strlcpy(kc->kc_msg, msg, sizeof(kc->kc_msg));
	longjmp(kc->kc_jb, 1);
}
