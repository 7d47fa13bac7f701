/*
 * Kernel command line options: space- or tab-separated "name" or
 * "name=value" words.  Only the options in the table in kernel/cmdline.c
 * are accepted; anything else is reported on the console and ignored, as
 * is a malformed word ("=x", "name=" with an empty value, a number out of
 * range) and an option given without the one it needs (ktest.after
 * without ktest).  When QEMU -kernel boots us it puts the image path first; a
 * first word with a '/' and no '=' is taken for that path and skipped.
 *
 * Limits: the kernel keeps the first CMDLINE_MAX - 1 bytes of the line
 * (a longer line is reported and its cut word ignored), at most
 * CMDLINE_OPTS_MAX distinct options, and values of up to 127 bytes.
 */
#ifndef _KERNEL_CMDLINE_H_
#define _KERNEL_CMDLINE_H_

#include <kernel/systm.h>

#define	CMDLINE_MAX		2048	/* bytes kept, with the NUL */
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

/*
 * cmdline_init: parse the kernel's own command line, once, at boot.
 * => s: the loader's line as kept (at most CMDLINE_MAX - 1 bytes);
 *    full_len: its length as the loader gave it, longer if s was cut.
 * => prints each problem on the console.
 */
void	cmdline_init(const char *s, size_t full_len);
/* Problems cmdline_init() found (cut line, unknown or malformed words). */
int	cmdline_problems(void);
const char *cmdline_get(const char *name);
/*
 * cmdline_vis: s[0..len) with control bytes, '"' and '\\' escaped C-style
 * ("\t", "\x1b"), written NUL-terminated into dst[0..size).
 * => returns the bytes of s consumed: fewer than len if dst was too small.
 */
size_t	cmdline_vis(char *dst, size_t size, const char *s, size_t len);
/* Print s[0..len) escaped as cmdline_vis() does. */
void	cmdline_putvis(const char *s, size_t len);

#endif /* !_KERNEL_CMDLINE_H_ */
