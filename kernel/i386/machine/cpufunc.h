/*
 * CPU instructions for machine-independent code (the BSD <machine/cpufunc.h>):
 * on both x86 flavours, the shared x86 set.
 */
#ifndef _MACHINE_CPUFUNC_H_
#define _MACHINE_CPUFUNC_H_

#include <x86/cpufunc.h>

#endif /* !_MACHINE_CPUFUNC_H_ */
