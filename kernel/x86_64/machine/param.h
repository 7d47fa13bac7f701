/*
 * x86_64 machine parameters.  Safe to include from assembly.
 * The kernel image runs in the top 2 GiB (-mcmodel=kernel): virtual
 * KERNBASE + x is physical x.
 */
#ifndef _MACHINE_PARAM_H_
#define _MACHINE_PARAM_H_

#define	MACHINE_ARCH	"x86_64"
#define	KERNBASE	0xffffffff80000000
#define	KERNLOAD	0x100000	/* physical load address */
#define	PAGE_SHIFT	12
#define	PAGE_SIZE	(1 << PAGE_SHIFT)
#define	PAGE_MASK	(PAGE_SIZE - 1)
#define	KSTACK_SIZE	(4 * PAGE_SIZE)
/* Boot allocations must end below this physical address (boot tables). */
#define	KERNLINEAR_MAX	0x80000000ULL

/* The boot page tables identity-map physical 0 .. BOOT_IDMAP_END. */
#define	BOOT_IDMAP_END	0x100000000ULL

#endif /* !_MACHINE_PARAM_H_ */
