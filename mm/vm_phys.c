/*
 * The buddy allocator over physical memory, after FreeBSD's vm_phys.
 *
 * A free block of order o is 2^o pages, physically aligned to its size,
 * inside one segment.  Only its first page is on a free list; it carries
 * PG_FREE and its order.  Freeing a block merges it with its buddy (the
 * block at pa ^ size) while the buddy is a free block of the same order,
 * so the free lists always hold the largest aligned blocks possible:
 * whatever order pages are freed in, the shape comes out the same.
 */
#include <kernel/systm.h>
#include <mm/vm_phys.h>
#include <mm/testhooks.h>

struct vm_freelist {
	TAILQ_HEAD(, vm_page) fl_pages;
	unsigned long	fl_count;
};

struct vm_phys_seg vm_phys_segs[VM_PHYSSEG_MAX];
int vm_phys_nsegs;
static struct vm_freelist vm_freelists[VM_NFREEORDER];

bool
vm_phys_add_seg(paddr_t start, paddr_t end)
{
	int i;

	if (vm_phys_nsegs == VM_PHYSSEG_MAX)
		return (false);
	if (vm_phys_nsegs == 0)
		for (i = 0; i < VM_NFREEORDER; i++)
			TAILQ_INIT(&vm_freelists[i].fl_pages);
	vm_phys_segs[vm_phys_nsegs].start = start;
	vm_phys_segs[vm_phys_nsegs].end = end;
	vm_phys_nsegs++;
	return (true);
}

static void
fl_add(vm_page_t m, int order)
{
	m->flags |= PG_FREE;
	m->order = order;
	TAILQ_INSERT_HEAD(&vm_freelists[order].fl_pages, m, plinks);
	vm_freelists[order].fl_count++;
}

static void
fl_remove(vm_page_t m, int order)
{
	TAILQ_REMOVE(&vm_freelists[order].fl_pages, m, plinks);
	vm_freelists[order].fl_count--;
	m->flags &= ~PG_FREE;
}

/* Give back the upper halves of an order-o block until it is order. */
static void
split(vm_page_t m, int o, int order)
{
	while (o > order) {
		o--;
		fl_add(&m[1UL << o], o);
	}
}

vm_page_t
vm_phys_alloc_pages(int order)
{
	vm_page_t m;
	int o;

	for (o = order; o < VM_NFREEORDER; o++) {
		m = TAILQ_FIRST(&vm_freelists[o].fl_pages);
		if (m != NULL) {
			fl_remove(m, o);
			split(m, o, order);
			return (m);
		}
	}
	return (NULL);
}

void
vm_phys_free_pages(vm_page_t m, int order)
{
	const struct vm_phys_seg *seg = &vm_phys_segs[m->segind];
	paddr_t pa = m->phys_addr, bpa, size;
	vm_page_t b;

	for (; order < VM_NFREEORDER - 1; order++) {
		size = (paddr_t)PAGE_SIZE << order;
		bpa = pa ^ size;
		if (bpa < seg->start || bpa + size > seg->end)
			break;
		b = &seg->first_page[(bpa - seg->start) >> PAGE_SHIFT];
		if ((b->flags & PG_FREE) == 0 || b->order != order)
			break;
		fl_remove(b, order);
		pa &= ~(2 * size - 1);
	}
	fl_add(&seg->first_page[(pa - seg->start) >> PAGE_SHIFT], order);
}

/* Largest order of an aligned block at pa that ends by end. */
static int
max_order(paddr_t pa, paddr_t end)
{
	int order = 0;

	while (order < VM_NFREEORDER - 1 &&
	    (pa & (((paddr_t)PAGE_SIZE << (order + 1)) - 1)) == 0 &&
	    pa + ((paddr_t)PAGE_SIZE << (order + 1)) <= end)
		order++;
	return (order);
}

void
vm_phys_free_run(vm_page_t m, unsigned long npages)
{
	paddr_t pa = m->phys_addr, end = pa + (paddr_t)npages * PAGE_SIZE;
	int order;

	while (pa < end) {
		order = max_order(pa, end);
		vm_phys_free_pages(m, order);
		m += 1UL << order;
		pa += (paddr_t)PAGE_SIZE << order;
	}
}

/*
 * A block of the smallest order that holds npages and is aligned to
 * align; the pages past npages go straight back.
 */
vm_page_t
vm_phys_alloc_contig(unsigned long npages, unsigned long align)
{
	int order = 0;
	vm_page_t m;

	while ((1UL << order) < npages ||
	    ((unsigned long)PAGE_SIZE << order) < align)
		if (++order >= VM_NFREEORDER)
			return (NULL);
	if ((m = vm_phys_alloc_pages(order)) == NULL)
		return (NULL);
	if ((1UL << order) > npages)
		vm_phys_free_run(&m[npages], (1UL << order) - npages);
	return (m);
}

void
vm_phys_free_counts(unsigned long counts[VM_NFREEORDER])
{
	int i;

	for (i = 0; i < VM_NFREEORDER; i++)
		counts[i] = vm_freelists[i].fl_count;
}
