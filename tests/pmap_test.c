/*
 * Suite "pmap": the kernel page tables (mm/i386/pmap.c, mm/x86_64/pmap.c,
 * mm/x86/pmap_tlb.c) against mm/pmap.h: mappings entered, replaced and
 * removed at KVA addresses, pmap_extract, the protection of the kernel
 * image (text and rodata read-only, everything but text no-execute where
 * the CPU has NX), the x86_64 direct map, and the page zero/copy helpers.
 *
 * The first test checksums the kernel text and the last one compares:
 * nothing the suite did, on purpose or not, may have written there.
 */
#include <kernel/systm.h>
#include <kernel/bootinfo.h>
#include <kernel/ktest.h>
#include <kernel/trap.h>
#include <lib/string.h>
#include <mm/kva.h>
#include <mm/pmap.h>
#include <mm/vm_page.h>
#include <machine/cpufunc.h>
#include <machine/vmparam.h>

#define	NQ		6	/* pages of the qenter tests */
#define	NQ_BIG		40	/* more than pmap_tlb.c's invlpg limit */
#define	MSR_EFER	0xc0000080
#define	EFER_NXE	(1ULL << 11)
#define	OP_RET		0xc3

extern char kernel_start[], kernel_etext[], kernel_erodata[], kernel_end[];

static uint32_t	text_sum0;
static bool	text_sum_taken;

/* Read-only data the write tests aim at; its value must survive. */
static const uint32_t ro_word = 0x0badf00d;
static const uint8_t ro_ret[16] __aligned(16) = { OP_RET };
static uint8_t data_ret[16] __aligned(16) = { OP_RET };
static uint8_t bss_ret[16] __aligned(16);

/* FNV-1a over the kernel text, a word at a time. */
static uint32_t
text_checksum(void)
{
	const uint32_t *p = (const uint32_t *)kernel_start;
	uint32_t h = 2166136261u;

	for (; p < (const uint32_t *)kernel_etext; p++)
		h = (h ^ *p) * 16777619u;
	return (h);
}

/* Map pa at a fresh KVA page. */
static vaddr_t
map_pa(paddr_t pa)
{
	vaddr_t va = kva_alloc(PAGE_SIZE);

	KT_ASSERT_NE(va, 0);
	pmap_kenter(va, pa);
	/* The range may have been mapped before: no stale translation. */
	pmap_invalidate_page(va);
	return (va);
}

static void
unmap_va(vaddr_t va)
{
	pmap_kremove(va);
	pmap_invalidate_page(va);
	kva_free(va, PAGE_SIZE);
}

static vm_page_t
page_alloc(void)
{
	vm_page_t m = vm_page_alloc(VM_ALLOC_NOWAIT);

	KT_ASSERT_NOTNULL(m);
	return (m);
}

/* Word i of the pattern for a page, different for every seed. */
static uint32_t
pattern(uint32_t seed, unsigned int i)
{
	return ((seed + i) * 2654435761u ^ (i << 7));
}

static void
fill(vaddr_t va, uint32_t seed)
{
	uint32_t *p = (uint32_t *)va;
	unsigned int i;

	for (i = 0; i < PAGE_SIZE / 4; i++)
		p[i] = pattern(seed, i);
}

/* The number of words of the page at va that differ from the pattern. */
static unsigned int
mismatches(vaddr_t va, uint32_t seed)
{
	const volatile uint32_t *p = (const volatile uint32_t *)va;
	unsigned int i, bad = 0;

	for (i = 0; i < PAGE_SIZE / 4; i++)
		bad += (p[i] != pattern(seed, i));
	return (bad);
}

/* The first word of a page, looked at through a mapping of its own. */
static uint32_t
peek_page(vm_page_t m)
{
	vaddr_t va = map_pa(VM_PAGE_TO_PHYS(m));
	uint32_t v = *(volatile uint32_t *)va;

	unmap_va(va);
	return (v);
}

static void
poke_page(vm_page_t m, uint32_t v)
{
	vaddr_t va = map_pa(VM_PAGE_TO_PHYS(m));

	*(volatile uint32_t *)va = v;
	unmap_va(va);
}

/*
 * Access addr under a page-fault catch; true if it faulted, with kc
 * saying how.  PROBE_REWRITE writes back the byte it read, so a write
 * that wrongly succeeds changes nothing.
 */
enum probe { PROBE_READ, PROBE_WRITE, PROBE_REWRITE, PROBE_EXEC };

static bool __attribute__((noinline))
probe(vaddr_t addr, enum probe how, struct kcatch *kc)
{
	volatile uint8_t *p = (volatile uint8_t *)addr;

	kcatch_arm(kc, KCATCH_VEC(T_PAGEFLT));
	if (setjmp(kc->kc_jb) == 0) {
		if (how == PROBE_READ)
			(void)*p;
		else if (how == PROBE_WRITE)
			*p = 0x5a;
		else if (how == PROBE_REWRITE)
			*p = *p;
		else
			((void (*)(void))addr)();
	}
	kcatch_disarm(kc);
	return (kc->kc_count != 0);
}

/*
 * Expect a page fault at addr with exactly the error bits want among
 * those in mask; a failure is reported at the caller's line.
 */
static void
expect_fault_at(vaddr_t addr, enum probe how, uintptr_t mask, uintptr_t want,
    int line)
{
	static const char *const name[] = { "read", "write", "rewrite",
	    "call" };
	struct kcatch kc;

	if (!probe(addr, how, &kc))
		ktest_diag("%s of %p did not fault", name[how], (void *)addr);
	else if (kc.kc_addr != addr || (kc.kc_err & mask) != want)
		ktest_diag("%s of %p: fault at %p, error %#lx, want %#lx "
		    "under %#lx", name[how], (void *)addr, (void *)kc.kc_addr,
		    (unsigned long)kc.kc_err, (unsigned long)want,
		    (unsigned long)mask);
	else
		return;
	ktest_fail_msg(__FILE__, line, "expected a page fault", false);
}
#define	EXPECT_FAULT(addr, how, mask, want)				\
	expect_fault_at(addr, how, mask, want, __LINE__)
/* A write to a present, read-only page. */
#define	EXPECT_READ_ONLY(addr)						\
	EXPECT_FAULT(addr, PROBE_REWRITE, PGEX_P | PGEX_W, PGEX_P | PGEX_W)
/* An instruction fetch from a present, no-execute page. */
#define	EXPECT_NX(addr)							\
	EXPECT_FAULT(addr, PROBE_EXEC, PGEX_P | PGEX_W | PGEX_I,	\
	    PGEX_P | PGEX_I)

KTEST(pmap, text_checksum_begin)
{
	KT_EXPECT_EQ((vaddr_t)kernel_start, KERNBASE + KERNLOAD);
	KT_EXPECT_EQ((vaddr_t)kernel_etext & PAGE_MASK, 0);
	KT_ASSERT_GT(kernel_etext - kernel_start, PAGE_SIZE);
	text_sum0 = text_checksum();
	text_sum_taken = true;
}

/* Two KVA mappings of one page (and the direct map) see the same bytes. */
KTEST(pmap, aliases_share_memory)
{
	vm_page_t m = page_alloc();
	paddr_t pa = VM_PAGE_TO_PHYS(m);
	vaddr_t va1 = map_pa(pa), va2 = map_pa(pa);

	KT_EXPECT_NE(va1, va2);
	fill(va1, 1);
	KT_EXPECT_EQ(mismatches(va2, 1), 0);
	fill(va2, 2);
	KT_EXPECT_EQ(mismatches(va1, 2), 0);
#if PMAP_HAS_DMAP
	KT_EXPECT_EQ(mismatches(PHYS_TO_DMAP(pa), 2), 0);
	fill(PHYS_TO_DMAP(pa), 3);
	KT_EXPECT_EQ(mismatches(va1, 3), 0);
	KT_EXPECT_EQ(mismatches(va2, 3), 0);
#endif
	unmap_va(va1);
	unmap_va(va2);
	vm_page_free(m);
}

/*
 * pmap_extract follows pmap_kenter, offset included; re-entering a live
 * mapping and invalidating it takes effect at once.
 */
KTEST(pmap, kenter_extract_and_replace)
{
	vm_page_t m1 = page_alloc(), m2 = page_alloc();
	paddr_t pa1 = VM_PAGE_TO_PHYS(m1), pa2 = VM_PAGE_TO_PHYS(m2);
	vaddr_t va;

	poke_page(m1, 0x11111111);
	poke_page(m2, 0x22222222);
	va = map_pa(pa1);
	KT_EXPECT_EQ(pmap_extract(va), pa1);
	KT_EXPECT_EQ(pmap_extract(va + 0x123), pa1 + 0x123);
	KT_EXPECT_EQ(pmap_extract(va + PAGE_SIZE - 1), pa1 + PAGE_SIZE - 1);
	/* Read it, so the TLB holds the translation to m1. */
	KT_EXPECT_EQ(*(volatile uint32_t *)va, 0x11111111);
	pmap_kenter(va, pa2);
	pmap_invalidate_page(va);
	KT_EXPECT_EQ(pmap_extract(va), pa2);
	KT_EXPECT_EQ(*(volatile uint32_t *)va, 0x22222222);
	unmap_va(va);
	KT_EXPECT_EQ(peek_page(m1), 0x11111111);
	vm_page_free(m1);
	vm_page_free(m2);
}

static void __attribute__((noinline))
some_function(void)
{
	__asm__ volatile("");
}

KTEST(pmap, extract_kernel_image)
{
	static int data_word = 1;
	static int bss_word;
	vaddr_t last = KERNBASE + vm_boot_alloc_end() - 1;

	KT_EXPECT_EQ(pmap_extract((vaddr_t)kernel_start), KERNLOAD);
	KT_EXPECT_EQ(pmap_extract((vaddr_t)some_function),
	    (vaddr_t)some_function - KERNBASE);
	KT_EXPECT_EQ(pmap_extract((vaddr_t)&ro_word),
	    (vaddr_t)&ro_word - KERNBASE);
	KT_EXPECT_EQ(pmap_extract((vaddr_t)&data_word),
	    (vaddr_t)&data_word - KERNBASE);
	KT_EXPECT_EQ(pmap_extract((vaddr_t)&bss_word),
	    (vaddr_t)&bss_word - KERNBASE);
	KT_EXPECT_EQ(pmap_extract((vaddr_t)kernel_end - 1),
	    (vaddr_t)kernel_end - 1 - KERNBASE);
	/* The boot allocations after the image: page tables, vm_page array. */
	KT_EXPECT_EQ(pmap_extract(last), last - KERNBASE);
	KT_EXPECT_EQ(data_word + bss_word, 1);
}

/* Addresses nothing maps. */
KTEST(pmap, extract_unmapped)
{
	vm_page_t m;
	vaddr_t va;

	KT_EXPECT_EQ(pmap_extract(0), PMAP_NO_PA);
	KT_EXPECT_EQ(pmap_extract(PAGE_SIZE - 1), PMAP_NO_PA);
	/* The boot identity map of low memory is gone. */
	KT_EXPECT_EQ(pmap_extract(KERNLOAD), PMAP_NO_PA);
	KT_EXPECT_EQ(pmap_extract(KERNBASE - PAGE_SIZE), PMAP_NO_PA);
	va = kva_alloc(PAGE_SIZE);
	KT_ASSERT_NE(va, 0);
	pmap_kremove(va);	/* whatever an earlier owner left */
	pmap_invalidate_page(va);
	KT_EXPECT_EQ(pmap_extract(va), PMAP_NO_PA);
	m = page_alloc();
	pmap_kenter(va, VM_PAGE_TO_PHYS(m));
	KT_EXPECT_EQ(pmap_extract(va), VM_PAGE_TO_PHYS(m));
	pmap_kremove(va);
	pmap_invalidate_page(va);
	KT_EXPECT_EQ(pmap_extract(va), PMAP_NO_PA);
	kva_free(va, PAGE_SIZE);
	vm_page_free(m);
}

/* After kremove and invalidation, reads and writes fault: not present. */
KTEST(pmap, kremove_then_access_faults)
{
	vm_page_t m = page_alloc();
	vaddr_t va = map_pa(VM_PAGE_TO_PHYS(m));

	*(volatile uint32_t *)(va + 8) = 0xfeedface;
	pmap_kremove(va);
	pmap_invalidate_page(va);
	EXPECT_FAULT(va + 8, PROBE_READ, PGEX_P | PGEX_W | PGEX_I, 0);
	EXPECT_FAULT(va + 100, PROBE_WRITE, PGEX_P | PGEX_W, PGEX_W);
	kva_free(va, PAGE_SIZE);
	/* The page itself is untouched: only the mapping went away. */
	va = map_pa(VM_PAGE_TO_PHYS(m));
	KT_EXPECT_EQ(*(volatile uint32_t *)(va + 8), 0xfeedface);
	unmap_va(va);
	vm_page_free(m);
}

static void
alloc_pages(vm_page_t *pages, int n)
{
	int i;

	for (i = 0; i < n; i++)
		pages[i] = page_alloc();
}

static void
free_pages(vm_page_t *pages, int n)
{
	int i;

	for (i = 0; i < n; i++)
		vm_page_free(pages[i]);
}

/* qenter maps each page at its slot, qremove unmaps them all. */
KTEST(pmap, qenter_qremove)
{
	vm_page_t pages[NQ];
	vaddr_t va = kva_alloc(NQ * PAGE_SIZE);
	int i, bad = 0;

	KT_ASSERT_NE(va, 0);
	alloc_pages(pages, NQ);
	pmap_qenter(va, pages, NQ);
	for (i = 0; i < NQ; i++) {
		KT_EXPECT_EQ(pmap_extract(va + i * PAGE_SIZE),
		    VM_PAGE_TO_PHYS(pages[i]));
		*(volatile uint32_t *)(va + i * PAGE_SIZE) = 0xc0de0000 + i;
	}
	for (i = 0; i < NQ; i++)
		bad += (peek_page(pages[i]) != 0xc0de0000u + i);
	KT_EXPECT_EQ(bad, 0);
	pmap_qremove(va, NQ);
	for (i = 0; i < NQ; i++) {
		KT_EXPECT_EQ(pmap_extract(va + i * PAGE_SIZE), PMAP_NO_PA);
		EXPECT_FAULT(va + i * PAGE_SIZE + 4, PROBE_READ, PGEX_P, 0);
	}
	kva_free(va, NQ * PAGE_SIZE);
	free_pages(pages, NQ);
}

/*
 * qenter over live mappings replaces them at once: it invalidates the
 * range itself, page by page for a few pages, a full flush for many.
 */
static void
qenter_replace(int n)
{
	vm_page_t a[NQ_BIG], b[NQ_BIG];
	vaddr_t va = kva_alloc(n * PAGE_SIZE);
	int i, bad = 0;

	KT_ASSERT_NE(va, 0);
	alloc_pages(a, n);
	alloc_pages(b, n);
	for (i = 0; i < n; i++) {
		poke_page(a[i], 0xa0000000 + i);
		poke_page(b[i], 0xb0000000 + i);
	}
	pmap_qenter(va, a, n);
	for (i = 0; i < n; i++)	/* load the TLB with a's translations */
		bad += (*(volatile uint32_t *)(va + i * PAGE_SIZE) !=
		    0xa0000000u + i);
	pmap_qenter(va, b, n);
	for (i = 0; i < n; i++)
		bad += (*(volatile uint32_t *)(va + i * PAGE_SIZE) !=
		    0xb0000000u + i);
	KT_EXPECT_EQ(bad, 0);
	pmap_qremove(va, n);
	kva_free(va, n * PAGE_SIZE);
	free_pages(a, n);
	free_pages(b, n);
}

KTEST(pmap, qenter_replaces_few)
{
	qenter_replace(NQ);
}

KTEST(pmap, qenter_replaces_many)
{
	qenter_replace(NQ_BIG);
}

KTEST(pmap, null_page_unmapped)
{
	EXPECT_FAULT(0, PROBE_READ, PGEX_P | PGEX_W, 0);
	EXPECT_FAULT(PAGE_SIZE - 1, PROBE_READ, PGEX_P | PGEX_W, 0);
	EXPECT_FAULT(0, PROBE_WRITE, PGEX_P | PGEX_W, PGEX_W);
	/* Nor is the rest of low memory, identity-mapped during boot. */
	EXPECT_FAULT(KERNLOAD, PROBE_READ, PGEX_P, 0);
}

/* Writes to text fault as protection violations, at both ends too. */
KTEST(pmap, text_read_only)
{
	EXPECT_READ_ONLY((vaddr_t)some_function);
	EXPECT_READ_ONLY((vaddr_t)text_checksum);
	EXPECT_READ_ONLY((vaddr_t)kernel_start);
	EXPECT_READ_ONLY((vaddr_t)kernel_etext - 1);
}

KTEST(pmap, rodata_read_only)
{
	KT_ASSERT_GE((vaddr_t)&ro_word, (vaddr_t)kernel_etext);
	KT_ASSERT_LT((vaddr_t)&ro_word, (vaddr_t)kernel_erodata);
	EXPECT_READ_ONLY((vaddr_t)&ro_word);
	EXPECT_READ_ONLY((vaddr_t)kernel_etext);
	EXPECT_READ_ONLY((vaddr_t)kernel_erodata - 1);
	KT_EXPECT_EQ(*(volatile const uint32_t *)&ro_word, 0x0badf00d);
}

/* Does the CPU have NX (CPUID 0x80000001 EDX bit 20)? */
static bool
cpu_has_nx(void)
{
	uint32_t r[4];

	cpuid_count(0x80000000, 0, r);
	if (r[0] < 0x80000001)
		return (false);
	cpuid_count(0x80000001, 0, r);
	return ((r[3] >> 20) & 1);
}

static void
require_nx(void)
{
#if !defined(__x86_64__)
	KT_SKIP("i386 without PAE has no NX");
#endif
	if (!cpu_has_nx())
		KT_SKIP("the CPU has no NX");
}

KTEST(pmap, nx_enabled)
{
	require_nx();
	KT_EXPECT_NE(rdmsr(MSR_EFER) & EFER_NXE, 0);
}

/*
 * A "ret" placed in data, bss, rodata, the stack, a kenter'd page and
 * the direct-map alias of text must not run; text itself does.
 */
KTEST(pmap, nx_outside_text)
{
	uint8_t stack_ret[16] __aligned(16) = { OP_RET };
	struct kcatch kc;
	vm_page_t m;
	vaddr_t va;

	require_nx();
	bss_ret[0] = OP_RET;
	KT_EXPECT_FALSE(probe((vaddr_t)some_function, PROBE_EXEC, &kc));
	EXPECT_NX((vaddr_t)data_ret);
	EXPECT_NX((vaddr_t)bss_ret);
	EXPECT_NX((vaddr_t)ro_ret);
	EXPECT_NX((vaddr_t)stack_ret);
	m = page_alloc();
	va = map_pa(VM_PAGE_TO_PHYS(m));
	*(volatile uint8_t *)va = OP_RET;
	EXPECT_NX(va);
#if PMAP_HAS_DMAP
	EXPECT_NX(PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m)));
	EXPECT_NX(PHYS_TO_DMAP((vaddr_t)some_function - KERNBASE));
#endif
	unmap_va(va);
	vm_page_free(m);
}

#if PMAP_HAS_DMAP
/*
 * Write and read back a word of physical page pa through the direct map
 * and check a KVA alias sees it; the word is restored, with interrupts
 * off, as the page may be in use.
 */
static void
dmap_poke(paddr_t pa)
{
	volatile uint64_t *p = (volatile uint64_t *)(PHYS_TO_DMAP(pa) + 8);
	vaddr_t va = map_pa(pa);
	uintptr_t psl = intr_disable();
	uint64_t old = *p, seen, alias;

	*p = pa ^ 0x0123456789abcdefULL;
	seen = *p;
	alias = *(volatile uint64_t *)(va + 8);
	*p = old;
	intr_restore(psl);
	unmap_va(va);
	KT_EXPECT_EQ(seen, pa ^ 0x0123456789abcdefULL);
	KT_EXPECT_EQ(alias, pa ^ 0x0123456789abcdefULL);
}
#endif

/* Every available range is in the direct map, end to end. */
KTEST(pmap, dmap_covers_ram)
{
#if PMAP_HAS_DMAP
	paddr_t first, last, top = 0;
	int i;

	for (i = 0; i < bootinfo.bi_nmem; i++) {
		const struct memseg *ms = &bootinfo.bi_mem[i];

		if (ms->ms_type != MEMSEG_AVAILABLE)
			continue;
		first = round_page64(ms->ms_start);
		last = trunc_page64(ms->ms_end) - PAGE_SIZE;
		KT_EXPECT_EQ(pmap_extract(PHYS_TO_DMAP(first) + 0x10),
		    first + 0x10);
		KT_EXPECT_EQ(pmap_extract(PHYS_TO_DMAP(last) + 0xff8),
		    last + 0xff8);
		top = MAX(top, last);
	}
	KT_ASSERT_NE(top, 0);
	dmap_poke(top);
	/* Low firmware areas below 4 GiB are covered too. */
	KT_EXPECT_EQ(pmap_extract(PHYS_TO_DMAP(0xfffff000ULL)), 0xfffff000ULL);
#else
	KT_SKIP("i386 has no direct map");
#endif
}

/*
 * A page from a largest free block, if there is one: usually a high one,
 * as boot frees memory bottom up onto LIFO free lists (on i386 with
 * 3 GiB, far above anything KERNBASE + pa could reach).
 */
static vm_page_t
far_page(void)
{
	vm_page_t m;

	m = vm_page_alloc_contig(1, (unsigned long)PAGE_SIZE <<
	    (VM_NFREEORDER - 1), VM_ALLOC_NOWAIT);
	return (m != NULL ? m : page_alloc());
}

/*
 * pmap_zero_page and pmap_copy_page work on any page: pages outside the
 * kernel-linear region (on i386, mapped only for the operation) and a
 * page of the kernel image.
 */
KTEST(pmap, zero_and_copy_page)
{
	vm_page_t src = page_alloc(), dst = far_page(), kern;
	vaddr_t vs, vd;

	KT_EXPECT_GE(VM_PAGE_TO_PHYS(src), vm_boot_alloc_end());
	KT_EXPECT_GE(VM_PAGE_TO_PHYS(dst), vm_boot_alloc_end());
	vs = map_pa(VM_PAGE_TO_PHYS(src));
	vd = map_pa(VM_PAGE_TO_PHYS(dst));
	fill(vs, 7);
	fill(vd, 8);
	pmap_copy_page(src, dst);
	KT_EXPECT_EQ(mismatches(vd, 7), 0);
	KT_EXPECT_EQ(mismatches(vs, 7), 0);
	pmap_zero_page(dst);
	KT_EXPECT_EQ(memcmp((void *)vd, (void *)(vd + 4), PAGE_SIZE - 4), 0);
	KT_EXPECT_EQ(*(volatile uint32_t *)vd, 0);
	KT_EXPECT_EQ(mismatches(vs, 7), 0);
	kern = PHYS_TO_VM_PAGE(KERNLOAD);
	KT_ASSERT_NOTNULL(kern);
	pmap_copy_page(kern, dst);
	KT_EXPECT_EQ(memcmp((void *)vd, kernel_start, PAGE_SIZE), 0);
	unmap_va(vs);
	unmap_va(vd);
	vm_page_free(src);
	vm_page_free(dst);
}

KTEST(pmap, text_checksum_end)
{
	if (!text_sum_taken)
		KT_SKIP("needs pmap.text_checksum_begin to run first");
	KT_EXPECT_EQ(text_checksum(), text_sum0);
}
