/* x86_64 kernel setjmp buffer: rbx rbp r12-r15 rsp rip rflags. */
#ifndef _MACHINE_SETJMP_H_
#define _MACHINE_SETJMP_H_
#define	_JB_WORDS	9
#endif
