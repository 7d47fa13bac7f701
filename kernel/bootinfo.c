/*
 * Read the multiboot 1 or multiboot 2 information into struct bootinfo.
 *
 * This runs before anything else, through the boot page tables' identity
 * map (physical 0 .. BOOT_IDMAP_END), and copies everything it keeps, so
 * that nothing later depends on where the loader put its tables.  It
 * also records the physical ranges the page allocator must leave alone:
 * low memory, the kernel image, the loader's tables, modules and strings.
 */
#include <kernel/systm.h>
#include <kernel/bootinfo.h>
#include <kernel/cmdline.h>
#include <lib/string.h>
#include <lib/printf.h>

#define	MB1_BOOT_MAGIC	0x2badb002
#define	MB2_BOOT_MAGIC	0x36d76289

/* Multiboot 1 info flags and field offsets (multiboot spec 0.6.96, 3.3). */
#define	MB1_F_MEM	(1 << 0)
#define	MB1_F_CMDLINE	(1 << 2)
#define	MB1_F_MODS	(1 << 3)
#define	MB1_F_MMAP	(1 << 6)
#define	MB1_F_LOADER	(1 << 9)
#define	MB1_INFO_SIZE	88

/* Multiboot 2 tag types (multiboot2 spec 3.6). */
#define	MB2_TAG_END	0
#define	MB2_TAG_CMDLINE	1
#define	MB2_TAG_LOADER	2
#define	MB2_TAG_MODULE	3
#define	MB2_TAG_MEMINFO	4
#define	MB2_TAG_MMAP	6
#define	MB2_TAG_ACPI1	14		/* copy of an ACPI 1.0 RSDP */
#define	MB2_TAG_ACPI2	15		/* copy of an ACPI 2.0+ RSDP */

#define	LOWMEM_END	0x100000	/* BIOS, VGA, real-mode structures */

struct bootinfo bootinfo;
extern char kernel_start[], kernel_end[];

/* A pointer to physical memory, or NULL outside the boot identity map. */
static const void *
boot_ptr(uint64_t pa, uint64_t len)
{
	if (pa == 0 || pa + len < pa || pa + len > BOOT_IDMAP_END)
		return (NULL);
	return ((const void *)(uintptr_t)pa);
}

void
bootinfo_reserve(uint64_t start, uint64_t end, const char *what)
{
	struct bootinfo *bi = &bootinfo;

	if (end <= start)
		return;
	if (bi->bi_nrsv == BI_RSV_MAX) {
		bi->bi_truncated++;
		return;
	}
	bi->bi_rsv[bi->bi_nrsv++] = (struct physrsv){ start, end, what };
}

/*
 * Copy a loader string and reserve the bytes it occupies; returns the
 * string's full length, which exceeds len - 1 when the copy was cut.
 */
static size_t
copy_string(char *dst, size_t len, uint64_t pa, const char *what)
{
	const char *s = boot_ptr(pa, 1);

	dst[0] = '\0';
	if (s == NULL)
		return (0);
	bootinfo_reserve(pa, pa + strlen(s) + 1, what);
	return (strlcpy(dst, s, len));
}

static void
mmap_add(uint64_t base, uint64_t len, uint32_t type)
{
	struct bootinfo *bi = &bootinfo;
	uint64_t end = base + len;

	if (end < base)
		end = UINT64_MAX;	/* clip entries that wrap */
	if (bi->bi_nraw == BI_MMAP_MAX) {
		bi->bi_truncated++;
		return;
	}
	bi->bi_raw[bi->bi_nraw++] = (struct memseg){ base, end, type };
}

static void
module_add(uint64_t start, uint64_t end, uint64_t name_pa)
{
	struct bootinfo *bi = &bootinfo;
	struct bootmod *m;

	if (bi->bi_nmods == BI_MODS_MAX) {
		bi->bi_truncated++;
		return;
	}
	m = &bi->bi_mods[bi->bi_nmods++];
	m->bm_start = start;
	m->bm_end = end;
	copy_string(m->bm_name, sizeof(m->bm_name), name_pa, "module name");
	bootinfo_reserve(trunc_page64(start), round_page64(end), "module");
}

static uint32_t
rd32(const uint8_t *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p + off, sizeof(v));
	return (v);
}

static uint64_t
rd64(const uint8_t *p, size_t off)
{
	uint64_t v;

	memcpy(&v, p + off, sizeof(v));
	return (v);
}

/* Multiboot 1 memory map entries: size, base, length, type; size excludes itself. */
static void
mb1_mmap(const uint8_t *mbi)
{
	uint64_t pa = rd32(mbi, 48), len = rd32(mbi, 44), off;
	const uint8_t *p = boot_ptr(pa, len);

	if (p == NULL)
		return;
	bootinfo_reserve(pa, pa + len, "multiboot memory map");
	for (off = 0; off + 24 <= len; off += rd32(p, off) + 4)
		mmap_add(rd64(p, off + 4), rd64(p, off + 12), rd32(p, off + 20));
}

static void
mb1_modules(const uint8_t *mbi)
{
	uint64_t pa = rd32(mbi, 24), n = rd32(mbi, 20), i;
	const uint8_t *p = boot_ptr(pa, n * 16);

	if (p == NULL)
		return;
	bootinfo_reserve(pa, pa + n * 16, "multiboot module list");
	for (i = 0; i < n; i++)
		module_add(rd32(p, i * 16), rd32(p, i * 16 + 4),
		    rd32(p, i * 16 + 8));
}

static void
mb1_parse(uint64_t pa)
{
	struct bootinfo *bi = &bootinfo;
	const uint8_t *mbi = boot_ptr(pa, MB1_INFO_SIZE);
	uint32_t flags;

	if (mbi == NULL)
		return;
	bootinfo_reserve(pa, pa + MB1_INFO_SIZE, "multiboot info");
	flags = rd32(mbi, 0);
	if (flags & MB1_F_CMDLINE)
		bi->bi_cmdline_len = copy_string(bi->bi_cmdline,
		    sizeof(bi->bi_cmdline), rd32(mbi, 16), "command line");
	if (flags & MB1_F_LOADER)
		copy_string(bi->bi_loader, sizeof(bi->bi_loader),
		    rd32(mbi, 64), "loader name");
	if (flags & MB1_F_MODS)
		mb1_modules(mbi);
	if (flags & MB1_F_MMAP)
		mb1_mmap(mbi);
	/* No map: fall back on the two sizes every loader gives (KiB). */
	if (bi->bi_nraw == 0 && (flags & MB1_F_MEM)) {
		mmap_add(0, (uint64_t)rd32(mbi, 4) << 10, MEMSEG_AVAILABLE);
		mmap_add(LOWMEM_END, (uint64_t)rd32(mbi, 8) << 10,
		    MEMSEG_AVAILABLE);
	}
}

/* Multiboot 2 memory map tag: entry_size, entry_version, then entries. */
static void
mb2_mmap(const uint8_t *tag, uint32_t size)
{
	uint32_t esize = rd32(tag, 8), off;

	if (esize < 24)
		return;
	for (off = 16; off + esize <= size; off += esize)
		mmap_add(rd64(tag, off), rd64(tag, off + 8),
		    rd32(tag, off + 16));
}

/* Keep the loader's RSDP copy; an ACPI 2.0 one wins over 1.0. */
static void
mb2_rsdp(const uint8_t *tag, uint32_t size, bool v2)
{
	struct bootinfo *bi = &bootinfo;

	if (bi->bi_rsdp_len != 0 && !v2)
		return;
	bi->bi_rsdp_len = MIN(size - 8, sizeof(bi->bi_rsdp));
	memcpy(bi->bi_rsdp, tag + 8, bi->bi_rsdp_len);
}

static void
mb2_tag(const uint8_t *tag, uint64_t tag_pa)
{
	struct bootinfo *bi = &bootinfo;
	uint32_t type = rd32(tag, 0), size = rd32(tag, 4);

	switch (type) {
	case MB2_TAG_CMDLINE:
		bi->bi_cmdline_len = strnlen((const char *)tag + 8, size - 8);
		strlcpy(bi->bi_cmdline, (const char *)tag + 8,
		    MIN(sizeof(bi->bi_cmdline), bi->bi_cmdline_len + 1));
		break;
	case MB2_TAG_LOADER:
		strlcpy(bi->bi_loader, (const char *)tag + 8,
		    MIN(sizeof(bi->bi_loader), size - 7));
		break;
	case MB2_TAG_MODULE:
		module_add(rd32(tag, 8), rd32(tag, 12), tag_pa + 16);
		break;
	case MB2_TAG_MMAP:
		mb2_mmap(tag, size);
		break;
	case MB2_TAG_ACPI1:
	case MB2_TAG_ACPI2:
		mb2_rsdp(tag, size, type == MB2_TAG_ACPI2);
		break;
	}
}

/* The tags are 8-byte aligned and end with a tag of type 0. */
static void
mb2_parse(uint64_t pa)
{
	const uint8_t *mbi = boot_ptr(pa, 8), *tag;
	uint32_t total, off, size;

	if (mbi == NULL || (total = rd32(mbi, 0)) < 16 ||
	    boot_ptr(pa, total) == NULL)
		return;
	bootinfo_reserve(pa, pa + total, "multiboot2 info");
	for (off = 8; off + 8 <= total; off += roundup2(size, 8)) {
		tag = mbi + off;
		size = rd32(tag, 4);
		if (rd32(tag, 0) == MB2_TAG_END || size < 8 ||
		    off + size > total)
			break;
		mb2_tag(tag, pa + off);
	}
}

void
bootinfo_init(uint32_t magic, uint64_t info)
{
	struct bootinfo *bi = &bootinfo;

	bootinfo_reserve(0, LOWMEM_END, "low memory (BIOS, real mode)");
	bootinfo_reserve((uintptr_t)kernel_start - KERNBASE,
	    (uintptr_t)kernel_end - KERNBASE, "kernel image");
	if (magic == MB2_BOOT_MAGIC) {
		bi->bi_proto = 2;
		mb2_parse(info);
	} else if (magic == MB1_BOOT_MAGIC) {
		bi->bi_proto = 1;
		mb1_parse(info);
	}
	bi->bi_nmem = memmap_sanitize(bi->bi_raw, bi->bi_nraw, bi->bi_mem,
	    BI_MMAP_MAX);
}

static void
print_seg(const struct memseg *m)
{
	char sz[24];

	format_size(sz, sizeof(sz), m->ms_end - m->ms_start);
	kprintf("  0x%016llx-0x%016llx %-17s %s\n",
	    (unsigned long long)m->ms_start, (unsigned long long)m->ms_end,
	    memseg_type_name(m->ms_type), sz);
}

void
bootinfo_print(void)
{
	const struct bootinfo *bi = &bootinfo;
	char sz[24];
	int i;

	kprintf("boot loader: %s (multiboot %d)\n",
	    bi->bi_loader[0] ? bi->bi_loader : "unnamed", bi->bi_proto);
	kprintf("command line: \"");
	cmdline_putvis(bi->bi_cmdline, strlen(bi->bi_cmdline));
	kprintf("\"%s\n", bi->bi_cmdline_len >= sizeof(bi->bi_cmdline) ?
	    " (cut)" : "");
	kprintf("memory map: %d entries from the loader, %d after sanitising\n",
	    bi->bi_nraw, bi->bi_nmem);
	for (i = 0; i < bi->bi_nmem; i++)
		print_seg(&bi->bi_mem[i]);
	for (i = 0; i < bi->bi_nmods; i++)
		kprintf("module %d: %#llx-%#llx \"%s\"\n", i,
		    (unsigned long long)bi->bi_mods[i].bm_start,
		    (unsigned long long)bi->bi_mods[i].bm_end,
		    bi->bi_mods[i].bm_name);
	format_size(sz, sizeof(sz), memmap_total(bi->bi_mem, bi->bi_nmem,
	    MEMSEG_AVAILABLE));
	kprintf("available RAM: %s\n", sz);
	if (bi->bi_truncated)
		kprintf("bootinfo: %d entries dropped: tables full\n",
		    bi->bi_truncated);
}
