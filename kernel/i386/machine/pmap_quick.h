/*
 * Quick maps' inline fast path for mm/pmap.h (the BSD <machine/...>
 * pattern): on both x86 flavours, the shared x86 one.
 */
#ifndef _MACHINE_PMAP_QUICK_H_
#define _MACHINE_PMAP_QUICK_H_

#include <mm/x86/pmap_quick.h>

#endif /* !_MACHINE_PMAP_QUICK_H_ */
