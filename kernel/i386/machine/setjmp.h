/* i386 kernel setjmp buffer: ebx esi edi ebp esp eip eflags. */
#ifndef _MACHINE_SETJMP_H_
#define _MACHINE_SETJMP_H_
#define	_JB_WORDS	7
#endif
