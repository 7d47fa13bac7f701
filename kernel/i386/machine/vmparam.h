/*
 * i386 virtual memory layout (no PAE: 4 KiB pages, 32-bit physical
 * addresses, no NX):
 *
 *   0x00000000 .. KERNBASE   unmapped (no user space), NULL page included
 *   KERNBASE + 1 MiB         kernel image, then boot allocations (page
 *                            tables, the vm_page array), at KERNBASE +
 *                            physical address: the kernel-linear region
 *   ... up to KVA_MAX        KVA arena (sf_buf, pbuf, UBC, kmem)
 *   KVA_MAX .. 4 GiB         pmap's private per-CPU mapping slots
 *
 * There is no direct map: a page outside the kernel-linear region is
 * reachable only through a temporary mapping.
 */
#ifndef _MACHINE_VMPARAM_H_
#define _MACHINE_VMPARAM_H_

#define	PMAP_HAS_DMAP		0
#define	KVA_MAX_ADDRESS		0xffc00000UL
/* The page allocator manages RAM below 4 GiB; the rest is reported. */
#define	VM_MAX_PHYS		0x100000000ULL

/*
 * The least RAM this kernel boots with, in MiB (QEMU -m), one CPU: the
 * boot allocations and every self-test fit (README, "Requirements").  With
 * less, kmain stops at once with one line (ram_check in kernel/main.c).
 */
#define	VM_MIN_RAM_MB		4

/* UBC windows (mm/ubc.h): 8 KiB x 1024 = 8 MiB of KVA (NetBSD's generic choice). */
#define	UBC_WINSHIFT_DEFAULT	13
#define	UBC_NWINS_DEFAULT	1024

#endif /* !_MACHINE_VMPARAM_H_ */
