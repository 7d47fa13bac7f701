/* Kernel error numbers (the BSD values for the few the kernel returns). */
#ifndef _KERNEL_ERRNO_H_
#define _KERNEL_ERRNO_H_

#define	EINTR		4	/* interrupted by a signal */
#define	EIO		5	/* input/output error (a pager's) */
#define	EDEADLK		11	/* would sleep where sleeping is forbidden */
#define	ENOMEM		12
#define	EFAULT		14
#define	EBUSY		16
#define	EINVAL		22
#define	ENOSPC		28	/* no space left on device */
#define	EAGAIN		35
#define	EWOULDBLOCK	EAGAIN	/* also: a sleep timed out */

#endif /* !_KERNEL_ERRNO_H_ */
