/*
 * Suite "lib", continued: the intrusive lists of lib/queue.h and the
 * bitmaps of lib/bitmap.h, checked inside the kernel on both
 * architectures (tests/lib_test.c has the string and printf tests).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kernel/ktest.h>
#include <lib/bitmap.h>
#include <lib/queue.h>
#include <lib/string.h>

/* ------------------------------------------------------------- queue */

struct node {
	int			v;
	SLIST_ENTRY(node)	sl;
	LIST_ENTRY(node)	li;
	STAILQ_ENTRY(node)	sq;
	TAILQ_ENTRY(node)	tq;
};
SLIST_HEAD(nslist, node);
LIST_HEAD(nlist, node);
STAILQ_HEAD(nstailq, node);
TAILQ_HEAD(ntailq, node);

static struct node	nodes[10];

static void
init_nodes(void)
{
	int i;

	memset(nodes, 0, sizeof(nodes));
	for (i = 0; i < 10; i++)
		nodes[i].v = i;
}

/*
 * The values on a list in traversal order, as a string of digits in
 * rbuf: one function per kind, each walking with that kind's FOREACH.
 */
static char	rbuf[16];

#define	RENDER_FN(name, headname, FOREACH, field)			\
static const char *							\
name(struct headname *h)						\
{									\
	struct node *n;							\
	int i = 0;							\
									\
	FOREACH(n, h, field)						\
		rbuf[i++] = (char)('0' + n->v);				\
	rbuf[i] = '\0';							\
	return (rbuf);							\
}
#define	TAILQ_FOREACH_BACK(v, h, f)	TAILQ_FOREACH_REVERSE(v, h, ntailq, f)

RENDER_FN(render_slist, nslist, SLIST_FOREACH, sl)
RENDER_FN(render_list, nlist, LIST_FOREACH, li)
RENDER_FN(render_stailq, nstailq, STAILQ_FOREACH, sq)
RENDER_FN(render_tailq, ntailq, TAILQ_FOREACH, tq)
RENDER_FN(render_tailq_back, ntailq, TAILQ_FOREACH_BACK, tq)

KTEST(lib, queue_slist_is_a_stack)
{
	struct nslist h = SLIST_HEAD_INITIALIZER(h);
	struct node *n = &nodes[0];

	init_nodes();
	KT_EXPECT_TRUE(SLIST_EMPTY(&h));
	SLIST_INSERT_HEAD(&h, &nodes[1], sl);
	SLIST_INSERT_HEAD(&h, &nodes[2], sl);
	SLIST_INSERT_HEAD(&h, &nodes[3], sl);
	KT_EXPECT_STREQ(render_slist(&h), "321");
	KT_EXPECT_TRUE(SLIST_FIRST(&h) == &nodes[3]);
	KT_EXPECT_TRUE(SLIST_NEXT(&nodes[3], sl) == &nodes[2]);
	SLIST_INSERT_AFTER(&nodes[3], &nodes[4], sl);
	KT_EXPECT_STREQ(render_slist(&h), "3421");
	SLIST_REMOVE(&h, &nodes[2], node, sl);		/* middle */
	KT_EXPECT_STREQ(render_slist(&h), "341");
	SLIST_REMOVE(&h, &nodes[1], node, sl);		/* last */
	KT_EXPECT_STREQ(render_slist(&h), "34");
	SLIST_REMOVE_AFTER(&nodes[3], sl);
	SLIST_REMOVE_HEAD(&h, sl);
	KT_EXPECT_TRUE(SLIST_EMPTY(&h));
	SLIST_INIT(&h);
	SLIST_INSERT_HEAD(&h, n, sl);
	SLIST_REMOVE(&h, n, node, sl);			/* first */
	KT_EXPECT_NULL(SLIST_FIRST(&h));
}

KTEST(lib, queue_list_insert_before_after_and_remove)
{
	struct nlist h;

	init_nodes();
	LIST_INIT(&h);
	KT_EXPECT_TRUE(LIST_EMPTY(&h));
	LIST_INSERT_HEAD(&h, &nodes[1], li);
	LIST_INSERT_AFTER(&nodes[1], &nodes[3], li);
	LIST_INSERT_BEFORE(&nodes[3], &nodes[2], li);
	LIST_INSERT_BEFORE(&nodes[1], &nodes[0], li);	/* new first */
	KT_EXPECT_STREQ(render_list(&h), "0123");
	KT_EXPECT_TRUE(LIST_FIRST(&h) == &nodes[0]);
	LIST_INSERT_AFTER(&nodes[3], &nodes[4], li);	/* new last */
	KT_EXPECT_STREQ(render_list(&h), "01234");
	LIST_REMOVE(&nodes[0], li);
	LIST_REMOVE(&nodes[4], li);
	LIST_REMOVE(&nodes[2], li);
	KT_EXPECT_STREQ(render_list(&h), "13");
	KT_EXPECT_TRUE(LIST_NEXT(&nodes[1], li) == &nodes[3]);
	LIST_REMOVE(&nodes[1], li);
	LIST_REMOVE(&nodes[3], li);
	KT_EXPECT_TRUE(LIST_EMPTY(&h));
	LIST_INSERT_HEAD(&h, &nodes[5], li);
	KT_EXPECT_STREQ(render_list(&h), "5");
}

KTEST(lib, queue_stailq_is_a_fifo)
{
	struct nstailq h = STAILQ_HEAD_INITIALIZER(h);
	struct nstailq h2 = STAILQ_HEAD_INITIALIZER(h2);

	init_nodes();
	STAILQ_INSERT_TAIL(&h, &nodes[1], sq);
	STAILQ_INSERT_TAIL(&h, &nodes[2], sq);
	STAILQ_INSERT_HEAD(&h, &nodes[0], sq);
	STAILQ_INSERT_AFTER(&h, &nodes[2], &nodes[3], sq);	/* at tail */
	STAILQ_INSERT_TAIL(&h, &nodes[4], sq);
	KT_EXPECT_STREQ(render_stailq(&h), "01234");
	STAILQ_REMOVE(&h, &nodes[4], node, sq);		/* tail moves back */
	STAILQ_INSERT_TAIL(&h, &nodes[5], sq);
	KT_EXPECT_STREQ(render_stailq(&h), "01235");
	STAILQ_REMOVE(&h, &nodes[2], node, sq);
	STAILQ_REMOVE_HEAD(&h, sq);
	KT_EXPECT_STREQ(render_stailq(&h), "135");
	STAILQ_INSERT_TAIL(&h2, &nodes[7], sq);
	STAILQ_INSERT_TAIL(&h2, &nodes[8], sq);
	STAILQ_CONCAT(&h, &h2);
	KT_EXPECT_STREQ(render_stailq(&h), "13578");
	KT_EXPECT_TRUE(STAILQ_EMPTY(&h2));
	STAILQ_INSERT_TAIL(&h, &nodes[9], sq);		/* tail after concat */
	while (!STAILQ_EMPTY(&h))
		STAILQ_REMOVE_HEAD(&h, sq);
	STAILQ_INSERT_TAIL(&h, &nodes[6], sq);		/* tail after empty */
	KT_EXPECT_STREQ(render_stailq(&h), "6");
	STAILQ_INSERT_TAIL(&h2, &nodes[0], sq);		/* h2 still usable */
	KT_EXPECT_STREQ(render_stailq(&h2), "0");
}

KTEST(lib, queue_tailq_order_last_prev_concat)
{
	struct ntailq h = TAILQ_HEAD_INITIALIZER(h), h2;

	init_nodes();
	TAILQ_INIT(&h2);
	KT_EXPECT_NULL(TAILQ_LAST(&h, ntailq));
	TAILQ_INSERT_TAIL(&h, &nodes[1], tq);
	TAILQ_INSERT_TAIL(&h, &nodes[2], tq);
	TAILQ_INSERT_HEAD(&h, &nodes[0], tq);
	TAILQ_INSERT_AFTER(&h, &nodes[2], &nodes[4], tq);	/* at tail */
	TAILQ_INSERT_BEFORE(&nodes[4], &nodes[3], tq);
	TAILQ_INSERT_BEFORE(&nodes[0], &nodes[9], tq);	/* new first */
	KT_EXPECT_STREQ(render_tailq(&h), "901234");
	KT_EXPECT_STREQ(render_tailq_back(&h), "432109");
	KT_EXPECT_TRUE(TAILQ_LAST(&h, ntailq) == &nodes[4]);
	KT_EXPECT_TRUE(TAILQ_PREV(&nodes[4], ntailq, tq) == &nodes[3]);
	KT_EXPECT_NULL(TAILQ_PREV(&nodes[9], ntailq, tq));
	TAILQ_REMOVE(&h, &nodes[4], tq);		/* last */
	TAILQ_REMOVE(&h, &nodes[9], tq);		/* first */
	TAILQ_REMOVE(&h, &nodes[2], tq);		/* middle */
	KT_EXPECT_STREQ(render_tailq(&h), "013");
	KT_EXPECT_TRUE(TAILQ_LAST(&h, ntailq) == &nodes[3]);
	TAILQ_INSERT_TAIL(&h2, &nodes[7], tq);
	TAILQ_INSERT_TAIL(&h2, &nodes[8], tq);
	TAILQ_CONCAT(&h, &h2, tq);
	KT_EXPECT_TRUE(TAILQ_EMPTY(&h2));
	KT_EXPECT_STREQ(render_tailq_back(&h), "87310");
	TAILQ_REMOVE_HEAD(&h, tq);
	TAILQ_CONCAT(&h, &h2, tq);			/* empty: no change */
	KT_EXPECT_STREQ(render_tailq(&h), "1378");
	KT_EXPECT_TRUE(TAILQ_NEXT(&nodes[3], tq) == &nodes[7]);
}

/* Removing (the current element) while iterating, for every kind. */
KTEST(lib, queue_foreach_safe_allows_removal)
{
	struct nslist sh = SLIST_HEAD_INITIALIZER(sh);
	struct nlist lh = LIST_HEAD_INITIALIZER(lh);
	struct nstailq sqh = STAILQ_HEAD_INITIALIZER(sqh);
	struct ntailq th = TAILQ_HEAD_INITIALIZER(th);
	struct node *n, *t;
	int i;

	init_nodes();
	for (i = 9; i >= 0; i--) {
		SLIST_INSERT_HEAD(&sh, &nodes[i], sl);
		LIST_INSERT_HEAD(&lh, &nodes[i], li);
		STAILQ_INSERT_HEAD(&sqh, &nodes[i], sq);
		TAILQ_INSERT_HEAD(&th, &nodes[i], tq);
	}
	SLIST_FOREACH_SAFE(n, &sh, sl, t)
		if (n->v % 2 == 0)
			SLIST_REMOVE(&sh, n, node, sl);
	LIST_FOREACH_SAFE(n, &lh, li, t)
		if (n->v % 2 == 1)
			LIST_REMOVE(n, li);
	STAILQ_FOREACH_SAFE(n, &sqh, sq, t)
		if (n->v % 3 != 0)
			STAILQ_REMOVE(&sqh, n, node, sq);
	TAILQ_FOREACH_REVERSE_SAFE(n, &th, ntailq, tq, t)
		if (n->v >= 5)
			TAILQ_REMOVE(&th, n, tq);
	KT_EXPECT_STREQ(render_slist(&sh), "13579");
	KT_EXPECT_STREQ(render_list(&lh), "02468");
	KT_EXPECT_STREQ(render_stailq(&sqh), "0369");
	KT_EXPECT_STREQ(render_tailq(&th), "01234");
	TAILQ_FOREACH_SAFE(n, &th, tq, t)
		TAILQ_REMOVE(&th, n, tq);
	KT_EXPECT_TRUE(TAILQ_EMPTY(&th));
	KT_EXPECT_NULL(TAILQ_LAST(&th, ntailq));
}

/* ------------------------------------------------------------ bitmap */

#define	W	BITMAP_WORD_BITS

KTEST(lib, bitmap_set_clear_test_across_words)
{
	unsigned long map[BITMAP_WORDS(3 * W + 5)] = { 0 };
	size_t last = 3 * W + 4;

	KT_EXPECT_EQ(BITMAP_WORDS(0), 0);
	KT_EXPECT_EQ(BITMAP_WORDS(1), 1);
	KT_EXPECT_EQ(BITMAP_WORDS(W), 1);
	KT_EXPECT_EQ(BITMAP_WORDS(W + 1), 2);
	KT_EXPECT_EQ(sizeof(map), 4 * sizeof(unsigned long));
	bitmap_set(map, 0);
	bitmap_set(map, W - 1);
	bitmap_set(map, W);
	bitmap_set(map, last);
	KT_EXPECT_EQ(map[0], 1UL | 1UL << (W - 1));
	KT_EXPECT_EQ(map[1], 1);
	KT_EXPECT_EQ(map[2], 0);
	KT_EXPECT_EQ(map[3], 1UL << 4);
	KT_EXPECT_TRUE(bitmap_test(map, W - 1) && bitmap_test(map, W));
	KT_EXPECT_FALSE(bitmap_test(map, 1) || bitmap_test(map, W + 1));
	KT_EXPECT_TRUE(bitmap_test(map, last));
	bitmap_clear(map, W);
	bitmap_clear(map, W + 1);			/* already clear */
	KT_EXPECT_FALSE(bitmap_test(map, W));
	KT_EXPECT_EQ(map[1], 0);
	KT_EXPECT_EQ(map[0], 1UL | 1UL << (W - 1));
}

KTEST(lib, bitmap_ffs_and_ffc_across_words)
{
	unsigned long map[BITMAP_WORDS(2 * W + 3)] = { 0 };
	size_t n = 2 * W + 3;

	KT_EXPECT_EQ(bitmap_ffs(map, n, 0), n);		/* none set */
	KT_EXPECT_EQ(bitmap_ffc(map, n, 0), 0);
	KT_EXPECT_EQ(bitmap_ffc(map, n, W + 1), W + 1);
	bitmap_set(map, W + 1);
	KT_EXPECT_EQ(bitmap_ffs(map, n, 0), W + 1);
	KT_EXPECT_EQ(bitmap_ffs(map, n, W + 1), W + 1);
	KT_EXPECT_EQ(bitmap_ffs(map, n, W + 2), n);
	KT_EXPECT_EQ(bitmap_ffs(map, n, n), n);		/* start past end */
	KT_EXPECT_EQ(bitmap_ffs(map, n, n + 100), n);
	/* A bit past nbits, in the last word's tail, is not reported. */
	bitmap_set(map, n + 2);
	KT_EXPECT_EQ(bitmap_ffs(map, n, W + 2), n);
	memset(map, 0xff, sizeof(map));
	KT_EXPECT_EQ(bitmap_ffc(map, n, 0), n);		/* all set */
	bitmap_clear(map, 2 * W);
	KT_EXPECT_EQ(bitmap_ffc(map, n, 0), 2 * W);
	KT_EXPECT_EQ(bitmap_ffc(map, n, 2 * W + 1), n);
	map[2] = 0xff;			/* bits in range set, tail clear */
	KT_EXPECT_EQ(bitmap_ffc(map, n, W), n);
	bitmap_clear(map, W - 1);
	KT_EXPECT_EQ(bitmap_ffc(map, n, 0), W - 1);
	KT_EXPECT_EQ(bitmap_ffs(map, n, W - 1), W);
}

KTEST(lib, bitmap_count_ignores_tail)
{
	unsigned long map[BITMAP_WORDS(2 * W + 7)] = { 0 };

	KT_EXPECT_EQ(bitmap_count(map, 2 * W + 7), 0);
	bitmap_set(map, 0);
	bitmap_set(map, W - 1);
	bitmap_set(map, W);
	bitmap_set(map, 2 * W);
	bitmap_set(map, 2 * W + 6);
	KT_EXPECT_EQ(bitmap_count(map, 2 * W + 7), 5);
	KT_EXPECT_EQ(bitmap_count(map, W), 2);		/* whole words only */
	KT_EXPECT_EQ(bitmap_count(map, 0), 0);
	memset(map, 0xff, sizeof(map));
	KT_EXPECT_EQ(bitmap_count(map, 2 * W + 7), 2 * W + 7);
	KT_EXPECT_EQ(bitmap_count(map, 3 * W), 3 * W);
	KT_EXPECT_EQ(bitmap_count(map, 1), 1);
}
