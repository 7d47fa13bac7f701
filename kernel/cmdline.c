/*
 * Kernel command line parsing (see kernel/cmdline.h).  Later subsystems
 * add their options to known_opts[] with a line of help each, which the
 * "unknown option" message prints so a typo is easy to fix.
 */
#include <kernel/systm.h>
#include <kernel/cmdline.h>
#include <lib/string.h>

enum opt_arg { ARG_NONE, ARG_OPTIONAL, ARG_REQUIRED };

static const struct known_opt {
	const char	*name;
	enum opt_arg	 arg;
	const char	*help;
} known_opts[] = {
	{ "ktest", ARG_OPTIONAL, "run self-tests: ktest[=SUITE[.TEST],...]" },
	{ "bench", ARG_OPTIONAL, "run benchmarks: bench[=NAME,...]" },
	{ "ncpus", ARG_REQUIRED, "expected CPU count, for tests: ncpus=N" },
	{ "nswbuf", ARG_REQUIRED, "pbufs in the pool (16..256): nswbuf=N" },
	{ "quickmap", ARG_REQUIRED, "x86_64 quick maps: quickmap=slot|dmap" },
	{ "sfbuf", ARG_REQUIRED, "x86_64 sf_bufs: sfbuf=map|dmap" },
	{ "nsfbufs", ARG_REQUIRED, "sf_buf pool size: nsfbufs=N" },
	{ "sfstress", ARG_REQUIRED, "sf_buf stress test operations: sfstress=N" },
	{ "ubc", ARG_REQUIRED, "UBC copy path: ubc=window|direct (mm/ubc.h)" },
	{ "ubc_nwins", ARG_REQUIRED, "UBC windows: ubc_nwins=16..65536" },
	{ "ubc_winshift", ARG_REQUIRED, "UBC window size 1<<S: ubc_winshift=12..18" },
};

static struct cmdline kernel_cmdline;

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
	kprintf("cmdline: %s \"%.*s\" (ignored)", what, (int)len, w);
	if (strcmp(what, "unknown option") == 0) {
		kprintf("; known options:\n");
		for (i = 0; i < nitems(known_opts); i++)
			kprintf("cmdline:   %-6s %s\n", known_opts[i].name,
			    known_opts[i].help);
	} else
		kprintf("\n");
	return (1);
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
		return (complain(report, "value too long for", w, nlen));
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
	const struct known_opt *k;

	if (nlen == 0)
		return (complain(report, "malformed option", w, len));
	if ((k = known_lookup(w, nlen)) == NULL)
		return (complain(report, "unknown option", w, len));
	if ((eq == NULL && k->arg == ARG_REQUIRED) ||
	    (eq != NULL && (k->arg == ARG_NONE || eq + 1 == w + len)))
		return (complain(report, "malformed option", w, len));
	if (eq == NULL)
		return (set_opt(cl, w, nlen, "", 0, report));
	return (set_opt(cl, w, nlen, eq + 1, len - nlen - 1, report));
}

int
cmdline_parse(struct cmdline *cl, const char *s, bool report)
{
	const char *w;
	size_t len;
	int bad = 0;
	bool first = true;

	cl->cl_nopts = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		for (w = s; *s != '\0' && *s != ' ' && *s != '\t'; s++)
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
	return (bad);
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

void
cmdline_init(const char *s)
{
	cmdline_parse(&kernel_cmdline, s, true);
}

const char *
cmdline_get(const char *name)
{
	return (cmdline_lookup(&kernel_cmdline, name));
}
