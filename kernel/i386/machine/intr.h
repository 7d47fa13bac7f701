/*
 * Interrupt vector numbers for machine-independent code (the BSD
 * <machine/intr_machdep.h>): on both x86 flavours, the shared x86 set.
 */
#ifndef _MACHINE_INTR_H_
#define _MACHINE_INTR_H_

#include <x86/intr_machdep.h>

#endif /* !_MACHINE_INTR_H_ */
