/*
 * Credentials (kernel/ucred.h): malloc'd, freed with their last
 * reference, as FreeBSD's kern_prot.c.
 */
#include <kernel/systm.h>
#include <kernel/ucred.h>
#include <mm/malloc.h>

/*
 * crget: a new credential, one reference, IDs 0.
 * => may sleep (malloc M_WAITOK); never NULL.
 */
struct ucred *
crget(void)
{
	struct ucred *cr;

	cr = malloc(sizeof(*cr), M_WAITOK | M_ZERO);
	cr->cr_ref = 1;
	return (cr);
}

/*
 * crhold: one more reference to cr, which must be live (panic if not).
 * => never sleeps; any context.
 */
struct ucred *
crhold(struct ucred *cr)
{
	int old = __atomic_fetch_add(&cr->cr_ref, 1, __ATOMIC_RELAXED);

	if (__predict_false(old <= 0))
		panic("crhold: ucred %p has reference count %d", cr, old);
	return (cr);
}

/*
 * crfree: drop a reference; the last one frees cr.
 * => panics when the count was already 0 or below (a free too many), and
 *    then frees nothing.
 * => the release ordering makes every write through cr done before the
 *    drop visible to the thread that frees it.
 */
void
crfree(struct ucred *cr)
{
	int old = __atomic_fetch_sub(&cr->cr_ref, 1, __ATOMIC_ACQ_REL);

	if (__predict_false(old <= 0))
		panic("crfree: ucred %p reference count %d drops below 0",
		    cr, old - 1);
	if (old == 1)
		free(cr);
}
