/*
 * Intrusive linked lists in the style of BSD <sys/queue.h>.
 *
 * The links live inside the element (a FOO_ENTRY(type) member named by the
 * "field" argument), so putting an object on a list never allocates, and
 * one object can sit on several lists through several entry members.
 * Four kinds, from cheapest to richest:
 *
 *	SLIST	singly linked, head pointer only: a stack.  REMOVE is O(n).
 *	LIST	doubly linked, head pointer only: O(1) removal anywhere,
 *		insertion before or after an element, no tail.
 *	STAILQ	singly linked with a tail pointer: a FIFO.  REMOVE is O(n).
 *	TAILQ	doubly linked with a tail pointer: O(1) everything, reverse
 *		traversal, LAST, PREV and CONCAT.
 *
 * Contract:
 *  - A head must be initialised (FOO_INIT or FOO_HEAD_INITIALIZER) before
 *    use.  STAILQ and TAILQ heads point into themselves, so a non-empty
 *    head must not be copied or moved; use CONCAT to move the elements.
 *  - An element is on at most one list per entry member.  Inserting an
 *    element that is already on the list, or removing one that is not,
 *    corrupts the list; nothing checks it.  Removal leaves the element's
 *    links stale: do not follow them.
 *  - FOREACH must not remove the current element; FOREACH_SAFE may remove
 *    (or free) the current element, but no other.
 *  - The macros may evaluate their arguments more than once: pass plain
 *    variables, not expressions with side effects.
 *  - No locking: the owner of the list serialises access.
 *  - TAILQ_LAST and TAILQ_PREV read a head and an entry through the same
 *    two-pointer layout (the head's tail pointer and an entry's back
 *    pointer both point at a "next" slot); the kernel is built with
 *    -fno-strict-aliasing, which this relies on.  Every other macro uses
 *    only the declared types.
 *
 * Member names differ between the four kinds so that using, say, a LIST
 * macro on a TAILQ is a compile error rather than silent corruption.
 */
#ifndef _LIB_QUEUE_H_
#define _LIB_QUEUE_H_

#include <stddef.h>

/* ------------------------------------------------------------- SLIST */

#define	SLIST_HEAD(name, type)						\
	struct name { struct type *sl_first; }
#define	SLIST_HEAD_INITIALIZER(head)	{ NULL }
#define	SLIST_ENTRY(type)						\
	struct { struct type *sl_next; }

#define	SLIST_INIT(head)	((head)->sl_first = NULL)
#define	SLIST_EMPTY(head)	((head)->sl_first == NULL)
#define	SLIST_FIRST(head)	((head)->sl_first)
#define	SLIST_NEXT(elm, field)	((elm)->field.sl_next)

#define	SLIST_INSERT_HEAD(head, elm, field) do {			\
	(elm)->field.sl_next = (head)->sl_first;			\
	(head)->sl_first = (elm);					\
} while (0)

#define	SLIST_INSERT_AFTER(slelm, elm, field) do {			\
	(elm)->field.sl_next = (slelm)->field.sl_next;			\
	(slelm)->field.sl_next = (elm);					\
} while (0)

#define	SLIST_REMOVE_HEAD(head, field) do {				\
	(head)->sl_first = (head)->sl_first->field.sl_next;		\
} while (0)

#define	SLIST_REMOVE_AFTER(elm, field) do {				\
	(elm)->field.sl_next = (elm)->field.sl_next->field.sl_next;	\
} while (0)

/* O(n): walk the "next" slots until the one that points at elm. */
#define	SLIST_REMOVE(head, elm, type, field) do {			\
	struct type **_slp = &(head)->sl_first;				\
	while (*_slp != (elm))						\
		_slp = &(*_slp)->field.sl_next;				\
	*_slp = (elm)->field.sl_next;					\
} while (0)

#define	SLIST_FOREACH(var, head, field)					\
	for ((var) = (head)->sl_first; (var) != NULL;			\
	    (var) = (var)->field.sl_next)

#define	SLIST_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = (head)->sl_first;					\
	    (var) != NULL && ((tvar) = (var)->field.sl_next, 1);	\
	    (var) = (tvar))

/* -------------------------------------------------------------- LIST */

/* l_prevp points at the slot that points at this element. */
#define	LIST_HEAD(name, type)						\
	struct name { struct type *l_first; }
#define	LIST_HEAD_INITIALIZER(head)	{ NULL }
#define	LIST_ENTRY(type)						\
	struct { struct type *l_next; struct type **l_prevp; }

#define	LIST_INIT(head)		((head)->l_first = NULL)
#define	LIST_EMPTY(head)	((head)->l_first == NULL)
#define	LIST_FIRST(head)	((head)->l_first)
#define	LIST_NEXT(elm, field)	((elm)->field.l_next)

#define	LIST_INSERT_HEAD(head, elm, field) do {				\
	(elm)->field.l_next = (head)->l_first;				\
	if ((elm)->field.l_next != NULL)				\
		(elm)->field.l_next->field.l_prevp =			\
		    &(elm)->field.l_next;				\
	(head)->l_first = (elm);					\
	(elm)->field.l_prevp = &(head)->l_first;			\
} while (0)

#define	LIST_INSERT_AFTER(lelm, elm, field) do {			\
	(elm)->field.l_next = (lelm)->field.l_next;			\
	if ((elm)->field.l_next != NULL)				\
		(elm)->field.l_next->field.l_prevp =			\
		    &(elm)->field.l_next;				\
	(lelm)->field.l_next = (elm);					\
	(elm)->field.l_prevp = &(lelm)->field.l_next;			\
} while (0)

#define	LIST_INSERT_BEFORE(lelm, elm, field) do {			\
	(elm)->field.l_prevp = (lelm)->field.l_prevp;			\
	(elm)->field.l_next = (lelm);					\
	*(lelm)->field.l_prevp = (elm);					\
	(lelm)->field.l_prevp = &(elm)->field.l_next;			\
} while (0)

#define	LIST_REMOVE(elm, field) do {					\
	if ((elm)->field.l_next != NULL)				\
		(elm)->field.l_next->field.l_prevp =			\
		    (elm)->field.l_prevp;				\
	*(elm)->field.l_prevp = (elm)->field.l_next;			\
} while (0)

#define	LIST_FOREACH(var, head, field)					\
	for ((var) = (head)->l_first; (var) != NULL;			\
	    (var) = (var)->field.l_next)

#define	LIST_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = (head)->l_first;					\
	    (var) != NULL && ((tvar) = (var)->field.l_next, 1);		\
	    (var) = (tvar))

/* ------------------------------------------------------------ STAILQ */

/* stq_lastp points at the last element's "next" slot (or stq_first). */
#define	STAILQ_HEAD(name, type)						\
	struct name { struct type *stq_first; struct type **stq_lastp; }
#define	STAILQ_HEAD_INITIALIZER(head)	{ NULL, &(head).stq_first }
#define	STAILQ_ENTRY(type)						\
	struct { struct type *stq_next; }

#define	STAILQ_INIT(head) do {						\
	(head)->stq_first = NULL;					\
	(head)->stq_lastp = &(head)->stq_first;				\
} while (0)
#define	STAILQ_EMPTY(head)	((head)->stq_first == NULL)
#define	STAILQ_FIRST(head)	((head)->stq_first)
#define	STAILQ_NEXT(elm, field)	((elm)->field.stq_next)

#define	STAILQ_INSERT_HEAD(head, elm, field) do {			\
	(elm)->field.stq_next = (head)->stq_first;			\
	if ((elm)->field.stq_next == NULL)				\
		(head)->stq_lastp = &(elm)->field.stq_next;		\
	(head)->stq_first = (elm);					\
} while (0)

#define	STAILQ_INSERT_TAIL(head, elm, field) do {			\
	(elm)->field.stq_next = NULL;					\
	*(head)->stq_lastp = (elm);					\
	(head)->stq_lastp = &(elm)->field.stq_next;			\
} while (0)

#define	STAILQ_INSERT_AFTER(head, qelm, elm, field) do {		\
	(elm)->field.stq_next = (qelm)->field.stq_next;			\
	if ((elm)->field.stq_next == NULL)				\
		(head)->stq_lastp = &(elm)->field.stq_next;		\
	(qelm)->field.stq_next = (elm);					\
} while (0)

#define	STAILQ_REMOVE_HEAD(head, field) do {				\
	(head)->stq_first = (head)->stq_first->field.stq_next;		\
	if ((head)->stq_first == NULL)					\
		(head)->stq_lastp = &(head)->stq_first;			\
} while (0)

/* O(n): find the slot pointing at elm; fix the tail if elm was last. */
#define	STAILQ_REMOVE(head, elm, type, field) do {			\
	struct type **_stqp = &(head)->stq_first;			\
	while (*_stqp != (elm))						\
		_stqp = &(*_stqp)->field.stq_next;			\
	*_stqp = (elm)->field.stq_next;					\
	if (*_stqp == NULL)						\
		(head)->stq_lastp = _stqp;				\
} while (0)

/* Move every element of head2 to the end of head1; head2 ends empty. */
#define	STAILQ_CONCAT(head1, head2) do {				\
	if (!STAILQ_EMPTY(head2)) {					\
		*(head1)->stq_lastp = (head2)->stq_first;		\
		(head1)->stq_lastp = (head2)->stq_lastp;		\
		STAILQ_INIT(head2);					\
	}								\
} while (0)

#define	STAILQ_FOREACH(var, head, field)				\
	for ((var) = (head)->stq_first; (var) != NULL;			\
	    (var) = (var)->field.stq_next)

#define	STAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = (head)->stq_first;					\
	    (var) != NULL && ((tvar) = (var)->field.stq_next, 1);	\
	    (var) = (tvar))

/* ------------------------------------------------------------- TAILQ */

/*
 * tq_lastp points at the last element's "next" slot (or tq_first), and
 * an element's tq_prevp at the slot that points at it.  Head and entry
 * have the same layout on purpose: see LAST and PREV.
 */
#define	TAILQ_HEAD(name, type)						\
	struct name { struct type *tq_first; struct type **tq_lastp; }
#define	TAILQ_HEAD_INITIALIZER(head)	{ NULL, &(head).tq_first }
#define	TAILQ_ENTRY(type)						\
	struct { struct type *tq_next; struct type **tq_prevp; }

#define	TAILQ_INIT(head) do {						\
	(head)->tq_first = NULL;					\
	(head)->tq_lastp = &(head)->tq_first;				\
} while (0)
#define	TAILQ_EMPTY(head)	((head)->tq_first == NULL)
#define	TAILQ_FIRST(head)	((head)->tq_first)
#define	TAILQ_NEXT(elm, field)	((elm)->field.tq_next)

/*
 * A "next" slot is the first member of an entry (or of the head), so the
 * slot address doubles as the address of a {next, prevp} pair whose
 * second member leads one step further back.  Both give NULL at the end.
 */
#define	TAILQ_LAST(head, headname)					\
	(*(((struct headname *)(void *)(head)->tq_lastp)->tq_lastp))
#define	TAILQ_PREV(elm, headname, field)				\
	(*(((struct headname *)(void *)(elm)->field.tq_prevp)->tq_lastp))

#define	TAILQ_INSERT_HEAD(head, elm, field) do {			\
	(elm)->field.tq_next = (head)->tq_first;			\
	if ((elm)->field.tq_next != NULL)				\
		(elm)->field.tq_next->field.tq_prevp =			\
		    &(elm)->field.tq_next;				\
	else								\
		(head)->tq_lastp = &(elm)->field.tq_next;		\
	(head)->tq_first = (elm);					\
	(elm)->field.tq_prevp = &(head)->tq_first;			\
} while (0)

#define	TAILQ_INSERT_TAIL(head, elm, field) do {			\
	(elm)->field.tq_next = NULL;					\
	(elm)->field.tq_prevp = (head)->tq_lastp;			\
	*(head)->tq_lastp = (elm);					\
	(head)->tq_lastp = &(elm)->field.tq_next;			\
} while (0)

#define	TAILQ_INSERT_AFTER(head, qelm, elm, field) do {			\
	(elm)->field.tq_next = (qelm)->field.tq_next;			\
	if ((elm)->field.tq_next != NULL)				\
		(elm)->field.tq_next->field.tq_prevp =			\
		    &(elm)->field.tq_next;				\
	else								\
		(head)->tq_lastp = &(elm)->field.tq_next;		\
	(qelm)->field.tq_next = (elm);					\
	(elm)->field.tq_prevp = &(qelm)->field.tq_next;			\
} while (0)

#define	TAILQ_INSERT_BEFORE(qelm, elm, field) do {			\
	(elm)->field.tq_prevp = (qelm)->field.tq_prevp;			\
	(elm)->field.tq_next = (qelm);					\
	*(qelm)->field.tq_prevp = (elm);				\
	(qelm)->field.tq_prevp = &(elm)->field.tq_next;			\
} while (0)

#define	TAILQ_REMOVE(head, elm, field) do {				\
	if ((elm)->field.tq_next != NULL)				\
		(elm)->field.tq_next->field.tq_prevp =			\
		    (elm)->field.tq_prevp;				\
	else								\
		(head)->tq_lastp = (elm)->field.tq_prevp;		\
	*(elm)->field.tq_prevp = (elm)->field.tq_next;			\
} while (0)

#define	TAILQ_REMOVE_HEAD(head, field)					\
	TAILQ_REMOVE(head, (head)->tq_first, field)

/* Move every element of head2 to the end of head1; head2 ends empty. */
#define	TAILQ_CONCAT(head1, head2, field) do {				\
	if (!TAILQ_EMPTY(head2)) {					\
		*(head1)->tq_lastp = (head2)->tq_first;			\
		(head2)->tq_first->field.tq_prevp = (head1)->tq_lastp;	\
		(head1)->tq_lastp = (head2)->tq_lastp;			\
		TAILQ_INIT(head2);					\
	}								\
} while (0)

#define	TAILQ_FOREACH(var, head, field)					\
	for ((var) = (head)->tq_first; (var) != NULL;			\
	    (var) = (var)->field.tq_next)

#define	TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = (head)->tq_first;					\
	    (var) != NULL && ((tvar) = (var)->field.tq_next, 1);	\
	    (var) = (tvar))

#define	TAILQ_FOREACH_REVERSE(var, head, headname, field)		\
	for ((var) = TAILQ_LAST(head, headname); (var) != NULL;		\
	    (var) = TAILQ_PREV(var, headname, field))

#define	TAILQ_FOREACH_REVERSE_SAFE(var, head, headname, field, tvar)	\
	for ((var) = TAILQ_LAST(head, headname);			\
	    (var) != NULL &&						\
	    ((tvar) = TAILQ_PREV(var, headname, field), 1);		\
	    (var) = (tvar))

#endif /* !_LIB_QUEUE_H_ */
