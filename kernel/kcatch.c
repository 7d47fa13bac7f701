/*
 * Trap catches (kernel/trap.h): a per-CPU stack of armed catches that
 * trap() and panic() consult before treating an event as fatal.
 */
#include <kernel/systm.h>
#include <kernel/trap.h>
#include <kernel/pcpu.h>
#include <lib/string.h>
#include <lib/printf.h>
#include <machine/frame.h>

static void
kcatch_push(struct kcatch *kc, uint32_t mask, int flags)
{
	memset(kc, 0, sizeof(*kc));
	kc->kc_mask = mask;
	kc->kc_flags = flags;
	kc->kc_vector = -2;
	kc->kc_prev = curcpu()->pc_catch;
	curcpu()->pc_catch = kc;
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
	struct pcpu *pc = curcpu();

	if (pc->pc_catch == kc) {
		pc->pc_catch = kc->kc_prev;
		return;
	}
	for (struct kcatch *k = pc->pc_catch; k != NULL; k = k->kc_prev)
		KASSERT(k != kc, ("kcatch_disarm: %p is not innermost",
		    (void *)kc));
}

bool
kcatch_armed(void)
{
	return (curcpu()->pc_catch != NULL);
}

void
kcatch_reset(void)
{
	curcpu()->pc_catch = NULL;
}

/* Find the innermost catch for the event; only that one may take it. */
static struct kcatch *
kcatch_find(uint32_t bit)
{
	struct kcatch *kc = curcpu()->pc_catch;

	return (kc != NULL && (kc->kc_mask & bit) != 0 ? kc : NULL);
}

bool
kcatch_trap(struct trapframe *tf, int vector, uintptr_t addr)
{
	struct kcatch *kc;

	if (vector >= 31 || (kc = kcatch_find(KCATCH_VEC(vector))) == NULL)
		return (false);
	kc->kc_count++;
	kc->kc_vector = vector;
	kc->kc_err = tf->tf_err;
	kc->kc_addr = addr;
	kc->kc_pc = TF_PC(tf);
	if (kc->kc_flags & KCATCH_RESUME)
		return (true);
	curcpu()->pc_catch = kc->kc_prev;
	longjmp(kc->kc_jb, 1);
}

void
kcatch_panic(const char *msg)
{
	struct kcatch *kc;

	if ((kc = kcatch_find(KCATCH_PANIC)) == NULL)
		return;
	kc->kc_count++;
	kc->kc_vector = -1;
	kc->kc_pc = (uintptr_t)__builtin_return_address(0);
	strlcpy(kc->kc_msg, msg, sizeof(kc->kc_msg));
	curcpu()->pc_catch = kc->kc_prev;
	longjmp(kc->kc_jb, 1);
}
