/*
 * ACPI, just enough to count the CPUs: find the RSDP, follow it to the
 * XSDT or RSDT, find the MADT ("APIC") and read its enabled processors
 * and the local APIC address (ACPI 6.5: 5.2.5 RSDP, 5.2.7 RSDT, 5.2.8
 * XSDT, 5.2.12 MADT).  Every checksum is checked.
 *
 * The tables live in firmware memory that the kernel does not map: each
 * is mapped with pmap_mapdev() while it is read, first its header (to
 * learn the length), then the whole of it, since a table may straddle
 * pages.  Anything missing or malformed gives one line on the console
 * (what went wrong last, in acpi_err) and false: the caller tries the
 * MP table (mptable.c), then carries on with the boot CPU alone.
 */
#include <kernel/systm.h>
#include <kernel/bootinfo.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/pmap.h>
#include <machine/vmparam.h>
#include <x86/x86_var.h>

#define	RSDP_V1_LEN	20
#define	RSDP_V2_LEN	36
#define	SDT_HDR_LEN	36
#define	SDT_MAX_LEN	(1u << 20)	/* sanity bound on a table length */
#define	MADT_HDR_LEN	44		/* header, local APIC address, flags */
#define	BDA_EBDA_SEG	0x40e		/* BIOS data area: EBDA segment */
#define	BIOS_ROM_START	0xe0000
#define	BIOS_ROM_LEN	0x20000

/* MADT entry types. */
#define	MADT_LAPIC	0		/* processor local APIC */
#define	MADT_LAPIC_ADDR	5		/* 64-bit local APIC address */
#define	MADT_X2APIC	9		/* processor local x2APIC */
#define	MADT_ENABLED	0x1		/* flags: processor usable */
#define	XAPIC_MAX_ID	0xfe		/* 0xff is the broadcast address */

struct rsdp_info {
	int		ri_rev;
	paddr_t		ri_rsdt;
	paddr_t		ri_xsdt;	/* 0 without a valid ACPI 2.0 part */
	const char	*ri_where;
};

static char acpi_err[96];		/* why the last lookup failed */

static uint32_t
rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return (v);
}

static uint64_t
rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return (v);
}

static bool
acpi_sum_ok(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len-- > 0)
		sum += *p++;
	return (sum == 0);
}

/*
 * An RSDP candidate at p, with avail bytes readable.  The ACPI 1.0 part
 * must check out; the 2.0 part (XSDT) is used only if its own checksum
 * does too.
 */
static bool
rsdp_check(const uint8_t *p, size_t avail, struct rsdp_info *ri)
{
	uint32_t len;

	if (avail < RSDP_V1_LEN || memcmp(p, "RSD PTR ", 8) != 0 ||
	    !acpi_sum_ok(p, RSDP_V1_LEN))
		return (false);
	ri->ri_rev = p[15];
	ri->ri_rsdt = rd32(p + 16);
	ri->ri_xsdt = 0;
	if (ri->ri_rev < 2 || avail < RSDP_V2_LEN)
		return (true);
	len = rd32(p + 20);
	if (len >= RSDP_V2_LEN && len <= avail && acpi_sum_ok(p, len))
		ri->ri_xsdt = rd64(p + 24);
	else
		kprintf("acpi: RSDP 2.0 checksum is wrong; using the RSDT\n");
	return (true);
}

/* Search [pa, pa + len) on 16-byte boundaries, as the spec places it. */
static bool
rsdp_scan(paddr_t pa, size_t len, struct rsdp_info *ri)
{
	const uint8_t *p = pmap_mapdev(pa, len);
	size_t off;
	bool found = false;

	if (p == NULL)
		return (false);
	for (off = 0; off + RSDP_V1_LEN <= len && !found; off += 16)
		found = rsdp_check(p + off, len - off, ri);
	pmap_unmapdev((void *)(uintptr_t)p, len);
	return (found);
}

/* The loader's copy (multiboot 2), else the EBDA's first KiB, else ROM. */
static bool
rsdp_find(struct rsdp_info *ri)
{
	const uint16_t *bda;
	paddr_t ebda;

	ri->ri_where = "multiboot 2";
	if (bootinfo.bi_rsdp_len != 0 &&
	    rsdp_check(bootinfo.bi_rsdp, bootinfo.bi_rsdp_len, ri))
		return (true);
	if ((bda = pmap_mapdev(BDA_EBDA_SEG, sizeof(*bda))) == NULL)
		return (false);
	ebda = (paddr_t)*bda << 4;
	pmap_unmapdev((void *)(uintptr_t)bda, sizeof(*bda));
	ri->ri_where = "EBDA";
	if (ebda >= 0x400 && ebda + 1024 <= 0xa0000 &&
	    rsdp_scan(ebda, 1024, ri))
		return (true);
	ri->ri_where = "BIOS ROM";
	return (rsdp_scan(BIOS_ROM_START, BIOS_ROM_LEN, ri));
}

/* Does the table at pa carry signature sig?  Its length: *lenp. */
static bool
sdt_peek(paddr_t pa, const char *sig, uint32_t *lenp)
{
	const uint8_t *h;
	bool match;

	if (pa == 0 || pa + SDT_HDR_LEN > VM_MAX_PHYS ||
	    (h = pmap_mapdev(pa, SDT_HDR_LEN)) == NULL)
		return (false);
	match = memcmp(h, sig, 4) == 0;
	*lenp = rd32(h + 4);
	pmap_unmapdev((void *)(uintptr_t)h, SDT_HDR_LEN);
	return (match);
}

/*
 * Map the whole table sig at pa; NULL (and a message) if it is not there,
 * has a silly length, or a wrong checksum.  sdt_unmap() undoes it.
 */
static const uint8_t *
sdt_map(paddr_t pa, const char *sig)
{
	const uint8_t *t;
	uint32_t len;

	if (!sdt_peek(pa, sig, &len) || len < SDT_HDR_LEN ||
	    len > SDT_MAX_LEN || pa + len > VM_MAX_PHYS) {
		snprintf(acpi_err, sizeof(acpi_err), "no valid %.4s table at "
		    "%#llx", sig, (unsigned long long)pa);
		return (NULL);
	}
	if ((t = pmap_mapdev(pa, len)) == NULL)
		return (NULL);
	if (!acpi_sum_ok(t, len)) {
		snprintf(acpi_err, sizeof(acpi_err), "%.4s table at %#llx: "
		    "wrong checksum", sig, (unsigned long long)pa);
		pmap_unmapdev((void *)(uintptr_t)t, len);
		return (NULL);
	}
	return (t);
}

static void
sdt_unmap(const uint8_t *t)
{
	pmap_unmapdev((void *)(uintptr_t)t, rd32(t + 4));
}

/* The MADT's address from the XSDT (8-byte entries) or RSDT (4-byte). */
static paddr_t
madt_locate(paddr_t root, bool xsdt)
{
	const uint8_t *t;
	size_t esz = xsdt ? 8 : 4, i, n;
	paddr_t pa, found = 0;
	uint32_t len;

	if ((t = sdt_map(root, xsdt ? "XSDT" : "RSDT")) == NULL)
		return (0);
	snprintf(acpi_err, sizeof(acpi_err), "no MADT in the %s",
	    xsdt ? "XSDT" : "RSDT");
	n = (rd32(t + 4) - SDT_HDR_LEN) / esz;
	for (i = 0; i < n && found == 0; i++) {
		pa = xsdt ? rd64(t + SDT_HDR_LEN + i * esz) :
		    rd32(t + SDT_HDR_LEN + i * esz);
		if (sdt_peek(pa, "APIC", &len))
			found = pa;
	}
	sdt_unmap(t);
	return (found);
}

/*
 * Add an enabled CPU to ac (the MADT's, or the MP table's: mptable.c),
 * once.  Past MAXCPU it is only counted: as FreeBSD, the kernel runs on
 * the first MAXCPU and says so (mp_start).
 */
void
acpi_cpus_add(struct acpi_cpus *ac, uint32_t apic_id)
{
	int i;

	if (apic_id > XAPIC_MAX_ID) {
		kprintf("acpi: CPU with APIC ID %u needs x2APIC mode; "
		    "ignored\n", apic_id);
		return;
	}
	for (i = 0; i < ac->ac_ncpus; i++)
		if (ac->ac_apic_id[i] == apic_id)
			return;
	if (ac->ac_ncpus == MAXCPU) {
		ac->ac_nbeyond++;
		return;
	}
	ac->ac_apic_id[ac->ac_ncpus++] = apic_id;
}

/* Walk the MADT's variable-length entries (type, length, body). */
static bool
madt_parse(const uint8_t *m, struct acpi_cpus *ac)
{
	uint32_t len = rd32(m + 4), off;
	const uint8_t *e;

	if (len < MADT_HDR_LEN) {
		snprintf(acpi_err, sizeof(acpi_err), "MADT too short");
		return (false);
	}
	ac->ac_lapic_pa = rd32(m + SDT_HDR_LEN);
	for (off = MADT_HDR_LEN; off + 2 <= len; off += e[1]) {
		e = m + off;
		if (e[1] < 2 || off + e[1] > len) {
			snprintf(acpi_err, sizeof(acpi_err), "MADT entry at "
			    "offset %u is malformed", off);
			return (false);
		}
		if (e[0] == MADT_LAPIC && e[1] >= 8 &&
		    (rd32(e + 4) & MADT_ENABLED))
			acpi_cpus_add(ac, e[3]);
		else if (e[0] == MADT_X2APIC && e[1] >= 16 &&
		    (rd32(e + 8) & MADT_ENABLED))
			acpi_cpus_add(ac, rd32(e + 4));
		else if (e[0] == MADT_LAPIC_ADDR && e[1] >= 12)
			ac->ac_lapic_pa = rd64(e + 4);
	}
	if (ac->ac_ncpus == 0)
		snprintf(acpi_err, sizeof(acpi_err), "MADT lists no usable CPU");
	return (ac->ac_ncpus > 0);
}

bool
acpi_find_cpus(struct acpi_cpus *ac)
{
	struct rsdp_info ri;
	const uint8_t *madt = NULL;
	paddr_t pa = 0;
	bool ok;

	memset(ac, 0, sizeof(*ac));
	if (!rsdp_find(&ri)) {
		kprintf("acpi: no RSDP found (no ACPI)\n");
		return (false);
	}
	if (ri.ri_xsdt != 0)
		pa = madt_locate(ri.ri_xsdt, true);
	if (pa == 0)
		pa = madt_locate(ri.ri_rsdt, false);
	ok = pa != 0 && (madt = sdt_map(pa, "APIC")) != NULL;
	if (ok) {
		ok = madt_parse(madt, ac);
		sdt_unmap(madt);
	}
	if (!ok) {
		kprintf("acpi: %s\n", acpi_err);
		return (false);
	}
	kprintf("acpi: RSDP rev %d (from %s), MADT: %d CPU%s, local APIC at "
	    "%#llx\n", ri.ri_rev, ri.ri_where, ac->ac_ncpus + ac->ac_nbeyond,
	    ac->ac_ncpus + ac->ac_nbeyond == 1 ? "" : "s",
	    (unsigned long long)ac->ac_lapic_pa);
	return (true);
}
