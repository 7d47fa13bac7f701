/*
 * x86_64 virtual memory layout (one PML4 slot is 512 GiB):
 *
 *   0xffff800000000000  direct map of all physical memory (slot 256), NX
 *   0xfffffe0000000000  KVA arena, at most KVA_SIZE bytes (slot 508; less
 *                       on a small machine: pmap_kva_bounds)
 *   0xfffffe0100000000  pmap's private per-CPU quick-map slots, one page
 *                       per CPU (QMAP_MIN_ADDRESS, same slot)
 *   0xffffffff80000000  kernel image + boot allocations (slot 511), at
 *                       KERNBASE + physical address
 *
 * Everything below 0xffff800000000000 is unmapped, the NULL page included.
 */
#ifndef _MACHINE_VMPARAM_H_
#define _MACHINE_VMPARAM_H_

#define	PMAP_HAS_DMAP		1
#define	DMAP_MIN_ADDRESS	0xffff800000000000UL
#define	DMAP_MAX_SIZE		(512UL << 30)
#define	PHYS_TO_DMAP(pa)	((vaddr_t)(pa) + DMAP_MIN_ADDRESS)
#define	DMAP_TO_PHYS(va)	((paddr_t)((vaddr_t)(va) - DMAP_MIN_ADDRESS))
#define	KVA_MIN_ADDRESS		0xfffffe0000000000UL
#define	KVA_SIZE		(4UL << 30)
#define	QMAP_MIN_ADDRESS	(KVA_MIN_ADDRESS + KVA_SIZE)
/* The page allocator manages RAM below this physical address. */
#define	VM_MAX_PHYS		((uint64_t)DMAP_MAX_SIZE)

/*
 * The least RAM this kernel boots with, in MiB (QEMU -m), one CPU: the
 * boot allocations and every self-test fit (README, "Requirements").  With
 * less, kmain stops at once with one line (ram_check in kernel/main.c).
 */
#define	VM_MIN_RAM_MB		4

/* UBC windows (mm/ubc.h): 64 KiB x 1024 = 64 MiB of KVA (NetBSD amd64:
   64 KiB x 4096). */
#define	UBC_WINSHIFT_DEFAULT	16
#define	UBC_NWINS_DEFAULT	1024

#endif /* !_MACHINE_VMPARAM_H_ */
