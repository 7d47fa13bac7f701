/*
 * Kernel command line parsing (see kernel/cmdline.h).  Later subsystems
 * add their options to known_opts[] with a line of help each, which the
 * "unknown option" message prints so a typo is easy to fix.
 *
 * Every problem is printed on the console and counted; the count
 * (cmdline_problems()) decides what the kernel does with a bad command
 * line: ktest and bench refuse to run, an idle boot exits with the
 * failure code instead of halting, so a harness never waits on a typo.
 */
#include <kernel/systm.h>
#include <kernel/cmdline.h>
#include <kernel/pcpu.h>
#include <lib/string.h>
#include <lib/printf.h>

enum opt_arg { ARG_NONE, ARG_OPTIONAL, ARG_REQUIRED };

static const struct known_opt {
	const char	*name;
	enum opt_arg	 arg;
	unsigned	 max;		/* > 0: value is a number 1..max */
	const char	*needs;		/* meaningless without this option */
	const char	*help;
} known_opts[] = {
	{ "ktest", ARG_OPTIONAL, 0, NULL,
	    "run self-tests: ktest[=SUITE[.TEST],...]" },
	{ "ktest.after", ARG_REQUIRED, 0, "ktest",
	    "with ktest, start after this test: ktest.after=SUITE.TEST" },
	{ "bench", ARG_OPTIONAL, 0, NULL,
	    "run benchmarks: bench[=NAME|boot,...]" },
	{ "ncpus", ARG_REQUIRED, MAXCPU, NULL,
	    "expected CPU count, for tests: ncpus=N (1..64)" },
	{ "nswbuf", ARG_REQUIRED, 0, NULL,
	    "pbufs in the pool (16..256): nswbuf=N" },
	{ "quickmap", ARG_REQUIRED, 0, NULL,
	    "x86_64 quick maps: quickmap=slot|dmap" },
	{ "sfbuf", ARG_REQUIRED, 0, NULL, "x86_64 sf_bufs: sfbuf=map|dmap" },
	{ "nsfbufs", ARG_REQUIRED, 0, NULL, "sf_buf pool size: nsfbufs=N" },
	{ "sfstress", ARG_REQUIRED, 0, NULL,
	    "sf_buf stress test operations: sfstress=N" },
	{ "ubc", ARG_REQUIRED, 0, NULL,
	    "UBC copy path: ubc=window|direct (mm/ubc.h)" },
	{ "ubc_nwins", ARG_REQUIRED, 0, NULL,
	    "UBC windows: ubc_nwins=16..65536" },
	{ "ubc_winshift", ARG_REQUIRED, 0, NULL,
	    "UBC window size 1<<S: ubc_winshift=12..18" },
};

static struct cmdline kernel_cmdline;
static int kernel_cmdline_problems;

/*
 * cmdline_vis: C escapes for control bytes, quotes and backslashes, so
 * that what a loader passed is shown exactly and cannot move the cursor
 * or fake a line of output.  Like NetBSD's vis(3) with VIS_CSTYLE, except
 * that a byte without a C escape is written \xNN (vis uses octal).
 */
size_t
cmdline_vis(char *dst, size_t size, const char *s, size_t len)
{
	static const char cesc[] = "\tt\nn\rr\\\\\"\"";
	const char *e;
	char esc[5];
	size_t i, o = 0, n;
	unsigned char c;

	for (i = 0; i < len; i++, o += n) {
		c = s[i];
		e = memchr(cesc, c, sizeof(cesc) - 1);
		if (e != NULL && (e - cesc) % 2 == 0)
			n = snprintf(esc, sizeof(esc), "\\%c", e[1]);
		else if (c < 0x20 || c >= 0x7f)
			n = snprintf(esc, sizeof(esc), "\\x%02x", c);
		else
			n = snprintf(esc, sizeof(esc), "%c", c);
		if (o + n >= size)
			break;
		memcpy(dst + o, esc, n);
	}
	if (size > 0)
		dst[o] = '\0';
	return (i);
}

void
cmdline_putvis(const char *s, size_t len)
{
	char buf[80];
	size_t n;

	while (len > 0) {
		n = cmdline_vis(buf, sizeof(buf), s, len);
		kprintf("%s", buf);
		s += n;
		len -= n;
	}
}

static const struct known_opt *
known_lookup(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < nitems(known_opts); i++)
		if (strlen(known_opts[i].name) == len &&
		    strncmp(known_opts[i].name, name, len) == 0)
			return (&known_opts[i]);
	return (NULL);
}

static int
complain(bool report, const char *what, const char *w, size_t len)
{
	size_t i;

	if (!report)
		return (1);
	kprintf("cmdline: %s \"", what);
	cmdline_putvis(w, len);
	kprintf("\" (ignored)");
	if (strcmp(what, "unknown option") == 0) {
		kprintf("; known options:\n");
		for (i = 0; i < nitems(known_opts); i++)
			kprintf("cmdline:   %-11s %s\n", known_opts[i].name,
			    known_opts[i].help);
	} else
		kprintf("\n");
	return (1);
}

/* Is v[0..len) a decimal number from 1 to max? */
static bool
number_in_range(const char *v, size_t len, unsigned max)
{
	unsigned n = 0;
	size_t i;

	if (len == 0 || len > 10)
		return (false);
	for (i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return (false);
		n = n * 10 + (v[i] - '0');
		if (n > max)
			return (false);
	}
	return (n >= 1);
}

/* Set or replace an option; a repeated option keeps the last value. */
static int
set_opt(struct cmdline *cl, const char *w, size_t nlen, const char *val,
    size_t vlen, bool report)
{
	struct cmdline_opt *o = NULL;
	int i;

	for (i = 0; i < cl->cl_nopts; i++)
		if (strlen(cl->cl_opts[i].co_name) == nlen &&
		    strncmp(cl->cl_opts[i].co_name, w, nlen) == 0)
			o = &cl->cl_opts[i];
	if (o == NULL && cl->cl_nopts == CMDLINE_OPTS_MAX)
		return (complain(report, "too many options at", w, nlen));
	if (vlen >= sizeof(o->co_value))
		return (complain(report, "value too long (127 bytes at most) "
		    "for", w, nlen));
	if (o == NULL)
		o = &cl->cl_opts[cl->cl_nopts++];
	memcpy(o->co_name, w, nlen);
	o->co_name[nlen] = '\0';
	memcpy(o->co_value, val, vlen);
	o->co_value[vlen] = '\0';
	return (0);
}

/* One word w[0..len): name, or name=value. */
static int
parse_word(struct cmdline *cl, const char *w, size_t len, bool report)
{
	const char *eq = memchr(w, '=', len);
	size_t nlen = eq != NULL ? (size_t)(eq - w) : len;
	size_t vlen = eq != NULL ? len - nlen - 1 : 0;
	const struct known_opt *k;

	if (nlen == 0)
		return (complain(report, "malformed option", w, len));
	if ((k = known_lookup(w, nlen)) == NULL)
		return (complain(report, "unknown option", w, len));
	if ((eq == NULL && k->arg == ARG_REQUIRED) ||
	    (eq != NULL && (k->arg == ARG_NONE || vlen == 0)))
		return (complain(report, "malformed option", w, len));
	if (k->max > 0 && !number_in_range(eq + 1, vlen, k->max))
		return (complain(report, "not a number in range in", w, len));
	if (eq == NULL)
		return (set_opt(cl, w, nlen, "", 0, report));
	return (set_opt(cl, w, nlen, eq + 1, vlen, report));
}

/* An option given without the one it needs ("ktest.after" alone). */
static int
check_needs(struct cmdline *cl, bool report)
{
	const struct known_opt *k;
	int bad = 0;

	for (k = known_opts; k < known_opts + nitems(known_opts); k++) {
		if (k->needs == NULL || cmdline_lookup(cl, k->name) == NULL ||
		    cmdline_lookup(cl, k->needs) != NULL)
			continue;
		if (report)
			kprintf("cmdline: %s needs %s (ignored)\n", k->name,
			    k->needs);
		bad++;
	}
	return (bad);
}

/* Parse the words of s[0..len); see cmdline_parse(). */
static int
parse_words(struct cmdline *cl, const char *s, size_t len, bool report)
{
	const char *w, *end = s + len;
	int bad = 0;
	bool first = true;

	cl->cl_nopts = 0;
	for (;;) {
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (s == end)
			break;
		for (w = s; s < end && *s != ' ' && *s != '\t'; s++)
			;
		len = s - w;
		/* qemu -kernel passes the image path as the first word. */
		if (first && memchr(w, '/', len) && !memchr(w, '=', len)) {
			first = false;
			continue;
		}
		first = false;
		bad += parse_word(cl, w, len, report);
	}
	return (bad + check_needs(cl, report));
}

int
cmdline_parse(struct cmdline *cl, const char *s, bool report)
{
	return (parse_words(cl, s, strlen(s), report));
}

const char *
cmdline_lookup(const struct cmdline *cl, const char *name)
{
	int i;

	for (i = 0; i < cl->cl_nopts; i++)
		if (strcmp(cl->cl_opts[i].co_name, name) == 0)
			return (cl->cl_opts[i].co_value);
	return (NULL);
}

/*
 * A loader's command line longer than the copy kept (s is its first
 * CMDLINE_MAX - 1 bytes): say so, and drop the word the cut went through
 * rather than act on half of it ("ktest=li" for "ktest=lib").
 */
static size_t
cmdline_cut(const char *s, size_t full)
{
	size_t len = strlen(s), keep = len;

	while (keep > 0 && s[keep - 1] != ' ' && s[keep - 1] != '\t')
		keep--;
	kprintf("cmdline: the command line is %zu bytes long but only %d are "
	    "kept; ignored from \"", full, CMDLINE_MAX - 1);
	cmdline_putvis(s + keep, len - keep);
	kprintf("\" on\n");
	return (keep);
}

void
cmdline_init(const char *s, size_t full_len)
{
	size_t len = strlen(s);
	int bad = 0;

	if (full_len > len) {
		len = cmdline_cut(s, full_len);
		bad++;
	}
	bad += parse_words(&kernel_cmdline, s, len, true);
	kernel_cmdline_problems = bad;
}

int
cmdline_problems(void)
{
	return (kernel_cmdline_problems);
}

const char *
cmdline_get(const char *name)
{
	return (cmdline_lookup(&kernel_cmdline, name));
}
