/*
 * What the boot loader told us, copied out of the multiboot 1 or 2
 * information structure into kernel memory (kernel/bootinfo.c) before
 * the boot page tables' identity map goes away.
 *
 * Physical ranges are half-open, [start, end), and 64 bits wide even on
 * i386: the multiboot memory map has 64-bit bases.  bi_mem is the
 * sanitised map: sorted, non-overlapping, no empty entries, adjacent
 * entries of one type merged, and where a reserved range overlaps RAM,
 * the reserved range wins (memmap_sanitize).
 */
#ifndef _KERNEL_BOOTINFO_H_
#define _KERNEL_BOOTINFO_H_

#include <kernel/systm.h>
#include <kernel/cmdline.h>

#define	MEMSEG_AVAILABLE	1
#define	MEMSEG_RESERVED		2
#define	MEMSEG_ACPI_RECLAIM	3
#define	MEMSEG_ACPI_NVS		4
#define	MEMSEG_BAD		5

#define	BI_MMAP_MAX	128
#define	BI_MODS_MAX	16
#define	BI_RSV_MAX	(BI_MODS_MAX * 2 + 8)

struct memseg {
	uint64_t	ms_start;
	uint64_t	ms_end;
	uint32_t	ms_type;
};

struct bootmod {
	uint64_t	bm_start;
	uint64_t	bm_end;
	char		bm_name[64];
};

/* A physical range the page allocator must never hand out. */
struct physrsv {
	uint64_t	pr_start;
	uint64_t	pr_end;
	const char	*pr_what;
};

struct bootinfo {
	int		bi_proto;		/* multiboot 1 or 2 */
	char		bi_loader[64];
	char		bi_cmdline[CMDLINE_MAX];	/* cut if too long */
	size_t		bi_cmdline_len;		/* as the loader gave it */
	int		bi_nraw;		/* entries as the loader gave them */
	struct memseg	bi_raw[BI_MMAP_MAX];
	int		bi_nmem;		/* sanitised */
	struct memseg	bi_mem[BI_MMAP_MAX];
	int		bi_nmods;
	struct bootmod	bi_mods[BI_MODS_MAX];
	int		bi_nrsv;
	struct physrsv	bi_rsv[BI_RSV_MAX];
	int		bi_truncated;		/* entries dropped for lack of room */
	uint8_t		bi_rsdp[36];		/* ACPI RSDP, from multiboot 2 */
	uint32_t	bi_rsdp_len;		/* its length; 0: none given */
};

extern struct bootinfo bootinfo;

/*
 * => called once, first thing, while the boot identity map is in place.
 * => magic and info are EAX and EBX as the loader left them.
 */
void	bootinfo_init(uint32_t magic, uint64_t info);
void	bootinfo_print(void);
/* Add a range the page allocator must never hand out. */
void	bootinfo_reserve(uint64_t start, uint64_t end, const char *what);

/*
 * Sanitise a memory map: returns the number of entries written to out
 * (at most max).  in may be unsorted, overlapping, or hold empty entries.
 */
int	memmap_sanitize(const struct memseg *in, int n, struct memseg *out,
	    int max);
const char *memseg_type_name(uint32_t type);
/* Total bytes of the given type in a sanitised map. */
uint64_t memmap_total(const struct memseg *m, int n, uint32_t type);
/* "639 KiB", "127 MiB", "6 GiB": for people, rounded down. */
void	format_size(char *buf, size_t len, uint64_t bytes);

#endif /* !_KERNEL_BOOTINFO_H_ */
