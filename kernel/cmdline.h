/*
 * Kernel command line options: space-separated "name" or "name=value"
 * words.  Only the options in the table in kernel/cmdline.c are accepted;
 * anything else is reported on the console and ignored, as is a malformed
 * word ("=x", "name=" for an option that needs a value).  When QEMU
 * -kernel boots us it puts the image path first; a first word with a
 * '/' and no '=' is taken for that path and skipped.
 */
#ifndef _KERNEL_CMDLINE_H_
#define _KERNEL_CMDLINE_H_

#include <kernel/systm.h>

#define	CMDLINE_OPTS_MAX	16

struct cmdline {
	int	cl_nopts;
	struct cmdline_opt {
		char	co_name[24];
		char	co_value[128];
	}	cl_opts[CMDLINE_OPTS_MAX];
};

/*
 * Parse s into cl; returns the number of problems found.  With report,
 * each problem is printed as "cmdline: ..." on the console.
 */
int	cmdline_parse(struct cmdline *cl, const char *s, bool report);
/* Value of option name in cl: "" for a bare flag, NULL when absent. */
const char *cmdline_lookup(const struct cmdline *cl, const char *name);

/* The kernel's own command line, parsed once at boot. */
void	cmdline_init(const char *s);
const char *cmdline_get(const char *name);

#endif /* !_KERNEL_CMDLINE_H_ */
