/*
 * Suite "boot": what the loader told us, as kernel/bootinfo.c and
 * kernel/cmdline.c understood it.  The memory map sanitiser and the
 * command-line parser are also fed hand-made inputs with the defects
 * real firmware and real users produce.
 */
#include <kernel/systm.h>
#include <kernel/bootinfo.h>
#include <kernel/cmdline.h>
#include <kernel/ktest.h>
#include <lib/string.h>
#include <mm/vm_page.h>
#include <machine/vmparam.h>

extern char kernel_start[], kernel_end[];

#define	KIB	1024ULL
#define	MIB	(1024 * KIB)
#define	GIB	(1024 * MIB)

/* Is word one of the space-separated words of s? */
static bool
has_word(const char *s, const char *word)
{
	size_t len = strlen(word);

	for (; *s != '\0'; s++) {
		if ((s[len] == ' ' || s[len] == '=' || s[len] == '\0') &&
		    strncmp(s, word, len) == 0)
			return (true);
		s = strchr(s, ' ');
		if (s == NULL)
			return (false);
	}
	return (false);
}

/* The invariants of a sanitised map, checked on any map. */
static void
check_sanitised(const struct memseg *m, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		KT_EXPECT_LT(m[i].ms_start, m[i].ms_end);
		if (i == 0)
			continue;
		KT_EXPECT_LE(m[i - 1].ms_end, m[i].ms_start);
		if (m[i - 1].ms_end == m[i].ms_start)
			KT_EXPECT_NE(m[i - 1].ms_type, m[i].ms_type);
	}
}

KTEST(boot, loader_identified)
{
	KT_EXPECT_TRUE(bootinfo.bi_proto == 1 || bootinfo.bi_proto == 2);
	KT_EXPECT_NE(bootinfo.bi_loader[0], '\0');
	KT_EXPECT_EQ(bootinfo.bi_truncated, 0);
}

KTEST(boot, memmap_sorted_disjoint)
{
	KT_ASSERT_GT(bootinfo.bi_nraw, 0);
	KT_ASSERT_GT(bootinfo.bi_nmem, 0);
	check_sanitised(bootinfo.bi_mem, bootinfo.bi_nmem);
}

/* QEMU's smallest configuration in the matrix has 16 MiB. */
KTEST(boot, memmap_has_ram)
{
	uint64_t avail = memmap_total(bootinfo.bi_mem, bootinfo.bi_nmem,
	    MEMSEG_AVAILABLE);

	/* kmain stops below VM_MIN_RAM_MB, less 1 MiB of holes (ram_check). */
	KT_EXPECT_GE(avail + MIB, (uint64_t)VM_MIN_RAM_MB * MIB);
	/* Every page the VM manages is RAM in the map. */
	KT_EXPECT_GE(avail, (uint64_t)vm_cnt.v_page_count * PAGE_SIZE);
	/* Conventional memory below 640 KiB is reported as RAM. */
	KT_EXPECT_EQ(bootinfo.bi_mem[0].ms_start, 0);
	KT_EXPECT_EQ(bootinfo.bi_mem[0].ms_type, MEMSEG_AVAILABLE);
}

KTEST(boot, kernel_inside_ram)
{
	uint64_t ks = (uintptr_t)kernel_start - KERNBASE;
	uint64_t ke = (uintptr_t)kernel_end - KERNBASE;
	int i, found = 0;

	KT_EXPECT_EQ(ks, KERNLOAD);
	for (i = 0; i < bootinfo.bi_nmem; i++) {
		const struct memseg *m = &bootinfo.bi_mem[i];

		if (m->ms_type == MEMSEG_AVAILABLE && m->ms_start <= ks &&
		    ke <= m->ms_end)
			found++;
	}
	KT_EXPECT_EQ(found, 1);
}

KTEST(boot, reserved_ranges_recorded)
{
	uint64_t ks = (uintptr_t)kernel_start - KERNBASE;
	int i, kernel = 0, info = 0, low = 0;

	for (i = 0; i < bootinfo.bi_nrsv; i++) {
		const struct physrsv *r = &bootinfo.bi_rsv[i];

		KT_EXPECT_LT(r->pr_start, r->pr_end);
		kernel += (r->pr_start == ks);
		low += (r->pr_start == 0 && r->pr_end >= 0x100000);
		info += (strncmp(r->pr_what, "multiboot", 9) == 0);
	}
	KT_EXPECT_EQ(kernel, 1);
	KT_EXPECT_EQ(low, 1);
	KT_EXPECT_GE(info, 1);
}

KTEST(boot, sanitize_sorts_and_merges)
{
	const struct memseg in[] = {
		{ 2 * MIB, 4 * MIB, MEMSEG_AVAILABLE },
		{ 0, 640 * KIB, MEMSEG_AVAILABLE },
		{ 1 * MIB, 2 * MIB, MEMSEG_AVAILABLE },	/* adjacent: merge */
		{ 5 * MIB, 5 * MIB, MEMSEG_RESERVED },	/* empty: dropped */
	};
	struct memseg out[8];
	int n = memmap_sanitize(in, nitems(in), out, nitems(out));

	KT_ASSERT_EQ(n, 2);
	KT_EXPECT_EQ(out[0].ms_start, 0);
	KT_EXPECT_EQ(out[0].ms_end, 640 * KIB);
	KT_EXPECT_EQ(out[1].ms_start, 1 * MIB);	/* the hole stays a hole */
	KT_EXPECT_EQ(out[1].ms_end, 4 * MIB);
	check_sanitised(out, n);
}

KTEST(boot, sanitize_reserved_wins_overlap)
{
	const struct memseg in[] = {
		{ 0, 16 * MIB, MEMSEG_AVAILABLE },
		{ 4 * MIB, 5 * MIB, MEMSEG_RESERVED },
		{ 15 * MIB, 17 * MIB, MEMSEG_ACPI_NVS },
		{ 4 * MIB + 4 * KIB, 8 * MIB, MEMSEG_BAD },
	};
	struct memseg out[8];
	int n = memmap_sanitize(in, nitems(in), out, nitems(out));

	KT_ASSERT_EQ(n, 5);
	KT_EXPECT_EQ(out[0].ms_end, 4 * MIB);
	KT_EXPECT_EQ(out[1].ms_type, MEMSEG_RESERVED);
	KT_EXPECT_EQ(out[1].ms_end, 4 * MIB + 4 * KIB);
	KT_EXPECT_EQ(out[2].ms_type, MEMSEG_BAD);	/* bad beats reserved */
	KT_EXPECT_EQ(out[2].ms_end, 8 * MIB);
	KT_EXPECT_EQ(out[3].ms_type, MEMSEG_AVAILABLE);
	KT_EXPECT_EQ(out[3].ms_end, 15 * MIB);
	KT_EXPECT_EQ(out[4].ms_type, MEMSEG_ACPI_NVS);
	KT_EXPECT_EQ(out[4].ms_end, 17 * MIB);
	check_sanitised(out, n);
}

/* Memory above 4 GiB and entries that would wrap past 2^64. */
KTEST(boot, sanitize_high_and_wrapping)
{
	const struct memseg in[] = {
		{ 4 * GIB, 6 * GIB, MEMSEG_AVAILABLE },
		{ 0xfffffffffffff000ULL, UINT64_MAX, MEMSEG_RESERVED },
		{ 3 * GIB, 4 * GIB, 77 },		/* unknown type */
	};
	struct memseg out[8];
	int n = memmap_sanitize(in, nitems(in), out, nitems(out));

	KT_ASSERT_EQ(n, 3);
	KT_EXPECT_EQ(out[0].ms_type, 77);
	KT_EXPECT_EQ(out[1].ms_start, 4 * GIB);
	KT_EXPECT_EQ(out[1].ms_end, 6 * GIB);
	KT_EXPECT_EQ(out[2].ms_end, UINT64_MAX);
	KT_EXPECT_EQ(memmap_total(out, n, MEMSEG_AVAILABLE), 2 * GIB);
}

KTEST(boot, sanitize_output_bounded)
{
	const struct memseg in[] = {
		{ 0, 1 * MIB, MEMSEG_AVAILABLE },
		{ 2 * MIB, 3 * MIB, MEMSEG_AVAILABLE },
		{ 4 * MIB, 5 * MIB, MEMSEG_AVAILABLE },
	};
	struct memseg out[2];

	KT_EXPECT_EQ(memmap_sanitize(in, nitems(in), out, 2), 2);
	KT_EXPECT_EQ(out[1].ms_start, 2 * MIB);
	KT_EXPECT_EQ(memmap_sanitize(in, 0, out, 2), 0);
}

KTEST(boot, cmdline_of_this_boot)
{
	/* This suite only runs when the kernel was booted with "ktest". */
	KT_EXPECT_NOTNULL(cmdline_get("ktest"));
	KT_EXPECT_NULL(cmdline_get("no-such-option"));
	KT_EXPECT_TRUE(has_word(bootinfo.bi_cmdline, "ktest"));
	/* ktest refuses to run on a cut or otherwise bad command line. */
	KT_EXPECT_EQ(bootinfo.bi_cmdline_len, strlen(bootinfo.bi_cmdline));
	KT_EXPECT_EQ(cmdline_problems(), 0);
}

KTEST(boot, cmdline_flags_and_values)
{
	struct cmdline cl;

	KT_ASSERT_EQ(cmdline_parse(&cl, "ktest  bench=ctx,lock\tktest=lib", false), 0);
	KT_EXPECT_EQ(cl.cl_nopts, 2);
	KT_EXPECT_STREQ(cmdline_lookup(&cl, "ktest"), "lib");	/* last wins */
	KT_EXPECT_STREQ(cmdline_lookup(&cl, "bench"), "ctx,lock");
	KT_ASSERT_EQ(cmdline_parse(&cl, "bench", false), 0);
	KT_EXPECT_STREQ(cmdline_lookup(&cl, "bench"), "");
	KT_EXPECT_NULL(cmdline_lookup(&cl, "ktest"));
	KT_ASSERT_EQ(cmdline_parse(&cl, "", false), 0);
	KT_EXPECT_EQ(cl.cl_nopts, 0);
}

/* qemu -kernel puts the image path first; GRUB's multiboot2 does not. */
KTEST(boot, cmdline_skips_image_path)
{
	struct cmdline cl;

	KT_EXPECT_EQ(cmdline_parse(&cl, "/build/x86_64/minnow.elf ktest", false), 0);
	KT_EXPECT_STREQ(cmdline_lookup(&cl, "ktest"), "");
	KT_EXPECT_EQ(cl.cl_nopts, 1);
	/* Only the first word may be the path. */
	KT_EXPECT_EQ(cmdline_parse(&cl, "ktest /etc/passwd", false), 1);
}

KTEST(boot, cmdline_rejects_bad_words)
{
	struct cmdline cl;

	KT_EXPECT_EQ(cmdline_parse(&cl, "ktset", false), 1);
	KT_EXPECT_EQ(cl.cl_nopts, 0);
	KT_EXPECT_EQ(cmdline_parse(&cl, "=lib ktest= ktest", false), 2);
	KT_EXPECT_EQ(cl.cl_nopts, 1);
	KT_EXPECT_STREQ(cmdline_lookup(&cl, "ktest"), "");
	KT_EXPECT_EQ(cmdline_parse(&cl, "ktestx=1 ktes", false), 2);
	KT_EXPECT_EQ(cl.cl_nopts, 0);
}

/* ncpus= takes a number from 1 to MAXCPU; anything else is reported. */
KTEST(boot, cmdline_checks_numbers)
{
	struct cmdline cl;

	KT_EXPECT_EQ(cmdline_parse(&cl, "ncpus=abc", false), 1);
	KT_EXPECT_EQ(cmdline_parse(&cl, "ncpus=0", false), 1);
	KT_EXPECT_EQ(cmdline_parse(&cl, "ncpus=65", false), 1);
	KT_EXPECT_EQ(cmdline_parse(&cl, "ncpus=-1", false), 1);
	KT_EXPECT_EQ(cmdline_parse(&cl, "ncpus=4x", false), 1);
	KT_EXPECT_EQ(cmdline_parse(&cl, "ncpus=4294967297", false), 1);
	KT_EXPECT_EQ(cmdline_parse(&cl, "ncpus= ncpus", false), 2);
	KT_EXPECT_EQ(cl.cl_nopts, 0);
	KT_ASSERT_EQ(cmdline_parse(&cl, "ncpus=1 ncpus=64", false), 0);
	KT_EXPECT_STREQ(cmdline_lookup(&cl, "ncpus"), "64");
}

KTEST(boot, cmdline_limits)
{
	static char line[300];
	struct cmdline cl;

	/* A value of 127 bytes fits, 128 do not. */
	memcpy(line, "ktest=", 6);
	memset(line + 6, 'a', 128);
	line[6 + 128] = '\0';
	KT_EXPECT_EQ(cmdline_parse(&cl, line, false), 1);
	line[6 + 127] = '\0';
	KT_EXPECT_EQ(cmdline_parse(&cl, line, false), 0);
	KT_EXPECT_EQ(strlen(cmdline_lookup(&cl, "ktest")), 127);
	/* The option-name prefix rule: "ktest.after" is its own option. */
	KT_ASSERT_EQ(cmdline_parse(&cl, "ktest ktest.after=boot.x", false), 0);
	KT_EXPECT_STREQ(cmdline_lookup(&cl, "ktest"), "");
	KT_EXPECT_STREQ(cmdline_lookup(&cl, "ktest.after"), "boot.x");
	KT_EXPECT_EQ(cmdline_parse(&cl, "ktest.after ktest.afte=x", false), 2);
	/* ktest.after means nothing without ktest. */
	KT_EXPECT_EQ(cmdline_parse(&cl, "ktest.after=boot.x", false), 1);
	KT_EXPECT_EQ(cmdline_parse(&cl, "ktest.after=boot.x ktest=lib", false),
	    0);
}

/* Control bytes, quotes and backslashes are echoed escaped. */
KTEST(boot, cmdline_vis_escapes)
{
	char buf[64];

	KT_EXPECT_EQ(cmdline_vis(buf, sizeof(buf), "a\tb\x01\"\\\x1b[2J", 10),
	    10);
	KT_EXPECT_STREQ(buf, "a\\tb\\x01\\\"\\\\\\x1b[2J");
	KT_EXPECT_EQ(cmdline_vis(buf, sizeof(buf), "\n\r\x7f\xff", 4), 4);
	KT_EXPECT_STREQ(buf, "\\n\\r\\x7f\\xff");
	/* Only whole escapes: 4 bytes of room hold "ab" and not "\x01". */
	KT_EXPECT_EQ(cmdline_vis(buf, 5, "ab\x01z", 4), 2);
	KT_EXPECT_STREQ(buf, "ab");
	KT_EXPECT_EQ(cmdline_vis(buf, sizeof(buf), "", 0), 0);
	KT_EXPECT_STREQ(buf, "");
}

/* The ktest= filter and ktest.after= rules (kernel/ktest.h). */
KTEST(boot, ktest_filter_rules)
{
	int nboot = ktest_count_selected("boot", NULL);
	int nall = ktest_count_selected("", NULL);

	KT_ASSERT_GE(nboot, 10);
	KT_EXPECT_GT(nall, nboot);
	KT_EXPECT_EQ(ktest_count_selected("all", NULL), nall);
	KT_EXPECT_EQ(ktest_count_selected("boot,boot", NULL), nboot);
	KT_EXPECT_EQ(ktest_count_selected("boot.ktest_filter_rules", NULL), 1);
	/* A typo or an empty item refuses the whole filter. */
	KT_EXPECT_SEQ(ktest_count_selected("nosuch", NULL), -1);
	KT_EXPECT_SEQ(ktest_count_selected("boot,nosuch", NULL), -1);
	KT_EXPECT_SEQ(ktest_count_selected("boot,,lib", NULL), -1);
	KT_EXPECT_SEQ(ktest_count_selected("boot,", NULL), -1);
	KT_EXPECT_SEQ(ktest_count_selected(",boot", NULL), -1);
	KT_EXPECT_SEQ(ktest_count_selected("boo", NULL), -1);
	KT_EXPECT_SEQ(ktest_count_selected("boot.", NULL), -1);
	KT_EXPECT_SEQ(ktest_count_selected("boot.nosuch", NULL), -1);
	/* ktest.after: an exact test, applied after the filter. */
	KT_EXPECT_EQ(ktest_count_selected("boot.ktest_filter_rules",
	    "boot.ktest_filter_rules"), 0);
	KT_EXPECT_EQ(ktest_count_selected("boot", "boot.loader_identified"),
	    nboot - 1);
	/* A file's tests run in source order: format_size_units is last. */
	KT_EXPECT_EQ(ktest_count_selected("boot", "boot.ktest_filter_rules"),
	    1);
	KT_EXPECT_EQ(ktest_count_selected("boot", "boot.format_size_units"),
	    0);
	KT_EXPECT_LT(ktest_count_selected("", "boot.loader_identified"),
	    nall - 1);
	KT_EXPECT_SEQ(ktest_count_selected("", "boot"), -1);
	KT_EXPECT_SEQ(ktest_count_selected("", "boot.nosuch"), -1);
	KT_EXPECT_SEQ(ktest_count_selected("", ""), -1);
}

KTEST(boot, format_size_units)
{
	char buf[24];

	format_size(buf, sizeof(buf), 654336);
	KT_EXPECT_STREQ(buf, "639 KiB");
	format_size(buf, sizeof(buf), 128 * MIB);
	KT_EXPECT_STREQ(buf, "128 MiB");
	format_size(buf, sizeof(buf), 3 * GIB);
	KT_EXPECT_STREQ(buf, "3 GiB");
	format_size(buf, sizeof(buf), 1000);
	KT_EXPECT_STREQ(buf, "1000 B");
}
