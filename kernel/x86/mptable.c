/*
 * The Intel MultiProcessor Specification tables (version 1.4, chapter 4),
 * read for the CPUs when the machine has no ACPI MADT, as FreeBSD's
 * mptable.c does: QEMU with -no-acpi still has its BIOS build them.
 *
 * The MP floating pointer structure ("_MP_", 16 bytes, on a 16-byte
 * boundary) is in the first KiB of the EBDA, else in the last KiB of base
 * memory, else in the BIOS ROM at 0xf0000-0xfffff.  It gives either the
 * address of the configuration table ("PCMP": a 44-byte header, then
 * entries, a 20-byte one per processor and 8 bytes for the others) or,
 * with no table, one of the spec's default configurations: two CPUs with
 * local APIC IDs 0 and 1.  Both checksums are checked.
 *
 * The table predates multi-core processors, and SeaBIOS (QEMU's BIOS)
 * lists only the first logical CPU of each package: QEMU's -smp 4 is one
 * package of four cores, listed as one CPU.  As FreeBSD does
 * (mptable_hyperthread_fixup), when CPUID says a package holds n logical
 * CPUs and every listed APIC ID starts a block of n with none of the rest
 * listed, the other n - 1 IDs of each block are added.
 */
#include <kernel/systm.h>
#include <lib/string.h>
#include <mm/pmap.h>
#include <x86/cpufunc.h>
#include <x86/x86_var.h>

#define	MPFP_LEN	16
#define	MPCT_HDR_LEN	44
#define	MPCT_MAX_LEN	0x10000		/* its length field is 16 bits */
#define	MPE_PROC	0		/* processor entry, 20 bytes */
#define	MPE_PROC_LEN	20
#define	MPE_OTHER_LEN	8		/* bus, I/O APIC, interrupts */
#define	MPE_LAST_TYPE	4
#define	MPE_PROC_EN	0x1		/* flags: processor usable */
#define	BDA_EBDA_SEG	0x40e		/* BIOS data area: EBDA segment */
#define	BDA_BASEMEM	0x413		/* base memory in KiB */
#define	DEFAULT_LAPIC	0xfee00000
#define	CPUID_HTT	(1u << 28)	/* leaf 1 EDX: EBX[23:16] is valid */

static uint32_t
rd16(const uint8_t *p)
{
	return (p[0] | (uint32_t)p[1] << 8);
}

static uint32_t
rd32(const uint8_t *p)
{
	return (rd16(p) | rd16(p + 2) << 16);
}

static bool
sum_ok(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len-- > 0)
		sum += *p++;
	return (sum == 0);
}

/* Look for the floating pointer in [pa, pa + len); copy it to fp. */
static bool
mpfp_scan(paddr_t pa, size_t len, uint8_t fp[MPFP_LEN])
{
	const uint8_t *p;
	size_t off;
	bool found = false;

	if (pa == 0 || (p = pmap_mapdev(pa, len)) == NULL)
		return (false);
	for (off = 0; off + MPFP_LEN <= len && !found; off += 16) {
		found = memcmp(p + off, "_MP_", 4) == 0 && p[off + 8] == 1 &&
		    sum_ok(p + off, MPFP_LEN);
		if (found)
			memcpy(fp, p + off, MPFP_LEN);
	}
	pmap_unmapdev((void *)(uintptr_t)p, len);
	return (found);
}

static uint32_t
bda_read16(paddr_t off)
{
	const uint8_t *p = pmap_mapdev(off, 2);
	uint32_t v;

	if (p == NULL)
		return (0);
	v = rd16(p);
	pmap_unmapdev((void *)(uintptr_t)p, 2);
	return (v);
}

static bool
mpfp_find(uint8_t fp[MPFP_LEN])
{
	paddr_t ebda = (paddr_t)bda_read16(BDA_EBDA_SEG) << 4;
	paddr_t base = (paddr_t)bda_read16(BDA_BASEMEM) << 10;

	if (ebda >= 0x400 && ebda + 1024 <= 0xa0000 &&
	    mpfp_scan(ebda, 1024, fp))
		return (true);
	if (base >= 1024 && base <= 0xa0000 && mpfp_scan(base - 1024, 1024, fp))
		return (true);
	return (mpfp_scan(0xf0000, 0x10000, fp));
}

/* The processor entries of the configuration table t (checked). */
static bool
mpct_parse(const uint8_t *t, uint32_t len, struct acpi_cpus *ac)
{
	uint32_t off = MPCT_HDR_LEN, n = rd16(t + 34), i;
	const uint8_t *e;

	ac->ac_lapic_pa = rd32(t + 36);
	for (i = 0; i < n; i++) {
		e = t + off;
		if (off >= len || e[0] > MPE_LAST_TYPE ||
		    off + (e[0] == MPE_PROC ? MPE_PROC_LEN : MPE_OTHER_LEN) >
		    len) {
			kprintf("mptable: entry %u at offset %u is malformed\n",
			    i, off);
			return (false);
		}
		if (e[0] == MPE_PROC && (e[3] & MPE_PROC_EN))
			acpi_cpus_add(ac, e[1]);
		off += e[0] == MPE_PROC ? MPE_PROC_LEN : MPE_OTHER_LEN;
	}
	return (ac->ac_ncpus > 0);
}

/* Add the other logical CPUs of each listed package (see the top). */
static void
mptable_package_fixup(struct acpi_cpus *ac)
{
	uint32_t r[4], n, id, listed[MAXCPU];
	int i, j, nlisted = ac->ac_ncpus;

	cpuid_count(1, 0, r);
	n = (r[1] >> 16) & 0xff;
	if ((r[3] & CPUID_HTT) == 0 || n <= 1)
		return;
	for (i = 0; i < nlisted; i++) {
		listed[i] = ac->ac_apic_id[i];
		if (listed[i] % n != 0)
			return;
		for (j = 0; j < nlisted; j++)
			if (ac->ac_apic_id[j] > listed[i] &&
			    ac->ac_apic_id[j] < listed[i] + n)
				return;
	}
	for (i = 0; i < nlisted; i++)
		for (id = listed[i] + 1; id < listed[i] + n; id++)
			acpi_cpus_add(ac, id);
	kprintf("mptable: %d package%s of %u logical CPUs (CPUID)\n",
	    nlisted, nlisted == 1 ? "" : "s", n);
}

static bool
mpct_read(paddr_t pa, struct acpi_cpus *ac)
{
	const uint8_t *t;
	uint32_t len;
	bool ok;

	if ((t = pmap_mapdev(pa, MPCT_HDR_LEN)) == NULL)
		return (false);
	ok = memcmp(t, "PCMP", 4) == 0;
	len = rd16(t + 4);
	pmap_unmapdev((void *)(uintptr_t)t, MPCT_HDR_LEN);
	if (!ok || len < MPCT_HDR_LEN || (t = pmap_mapdev(pa, len)) == NULL) {
		kprintf("mptable: no valid configuration table at %#llx\n",
		    (unsigned long long)pa);
		return (false);
	}
	ok = sum_ok(t, len);
	if (!ok)
		kprintf("mptable: configuration table checksum is wrong\n");
	ok = ok && mpct_parse(t, len, ac);
	pmap_unmapdev((void *)(uintptr_t)t, len);
	return (ok);
}

bool
mptable_find_cpus(struct acpi_cpus *ac)
{
	uint8_t fp[MPFP_LEN];
	paddr_t pa;

	memset(ac, 0, sizeof(*ac));
	if (!mpfp_find(fp)) {
		kprintf("mptable: no MP table either; using the boot CPU "
		    "only\n");
		return (false);
	}
	pa = rd32(fp + 4);
	if (pa == 0 && fp[11] != 0) {	/* a default configuration */
		ac->ac_lapic_pa = DEFAULT_LAPIC;
		acpi_cpus_add(ac, 0);
		acpi_cpus_add(ac, 1);
	} else if (pa == 0 || !mpct_read(pa, ac)) {
		kprintf("mptable: unusable; using the boot CPU only\n");
		return (false);
	}
	mptable_package_fixup(ac);
	kprintf("mptable: MP spec 1.%d table: %d CPU%s, local APIC at %#llx\n",
	    fp[9], ac->ac_ncpus + ac->ac_nbeyond,
	    ac->ac_ncpus + ac->ac_nbeyond == 1 ? "" : "s",
	    (unsigned long long)ac->ac_lapic_pa);
	return (true);
}
