/*
 * Helpers shared by the sf_buf suite's files (tests/sf_buf_test.c,
 * tests/sf_buf_smp_test.c).
 */
#ifndef _TESTS_SF_BUF_TEST_H_
#define _TESTS_SF_BUF_TEST_H_

#include <kernel/systm.h>
#include <mm/sf_buf.h>
#include <mm/vm_page.h>

/* A run of wired pages, and its release. */
struct sfpages {
	int		 n;
	vm_page_t	*m;
};
bool	sfpages_alloc(struct sfpages *p, int n);
void	sfpages_free(struct sfpages *p);

/*
 * Take pool sf_bufs (CPUPRIVATE, pinned) for fresh pages until only
 * leave are free; they are recorded in *held for sfpool_release().
 */
struct sfheld {
	int		 n;
	struct sf_buf	**sf;
	struct sfpages	 pages;
};
bool	sfpool_fill(struct sfheld *h, int leave);
/*
 * Are there pages for the whole pool plus extra (and some to spare)?
 * The default pool is sized so (mm/sf_buf.c, one sf_buf per 8 pages);
 * only a larger nsfbufs= on a small machine runs short.  The tests that
 * fill the pool skip without them, before they change anything.
 */
bool	sfpool_fits(int extra);
#define	SFPOOL_REQUIRE(extra) do {					\
	if (!sfpool_fits(extra))					\
		KT_SKIP("fewer free pages than sf_bufs (nsfbufs=)");	\
} while (0)
void	sfpool_release(struct sfheld *h);
/* Free sf_bufs in the pool now. */
unsigned long sfpool_free_count(void);

/*
 * sf_buf_use_map(map) and pmap_quick_use_slot(slot) for the rest of the
 * test: the path found is put back when the test ends, however it ends
 * (ktest_defer), so a failed assertion does not leave later tests on
 * the wrong path.  Each returns the path found, as the call it wraps.
 */
bool	sftest_use_map(bool map);
bool	sftest_use_slot(bool slot);

/* The contents check: every word of the page names it and a generation. */
void	sfpage_fill(vaddr_t va, uint32_t tag);
int	sfpage_bad_words(vaddr_t va, uint32_t tag);

#endif /* !_TESTS_SF_BUF_TEST_H_ */
