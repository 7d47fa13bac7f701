/*
 * Between the quick-map code shared by both x86 pmaps (mm/x86/pmap_quick.c)
 * and pmap_quick_enter_page/pmap_quick_remove_page in mm/<arch>/pmap.c.
 */
#ifndef _MM_X86_PMAP_QUICK_H_
#define _MM_X86_PMAP_QUICK_H_

#include <kernel/systm.h>

/* Quick-map through this CPU's slot (else the direct map; x86_64 only). */
extern bool	qmap_slot;

/*
 * The contract checks (KASSERT builds), made before any state changes so
 * that a test catching the panic finds the CPU as it was.
 */
void	qmap_check_enter(void);
void	qmap_check_remove(vaddr_t kva);

#ifndef NO_KASSERT
#define	QMAP_CHECK_ENTER()	qmap_check_enter()
#define	QMAP_CHECK_REMOVE(kva)	qmap_check_remove(kva)
#else
#define	QMAP_CHECK_ENTER()	do { } while (0)
#define	QMAP_CHECK_REMOVE(kva)	do { } while (0)
#endif

#endif /* !_MM_X86_PMAP_QUICK_H_ */
