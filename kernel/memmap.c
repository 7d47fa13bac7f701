/*
 * Memory map sanitising.  Firmware maps can be unsorted, overlap, hold
 * zero-length entries, or mark the same bytes both available and
 * reserved.  memmap_sanitize() cuts the address space at every entry's
 * start and end, gives each piece the strongest type of the entries that
 * cover it (anything beats "available": RAM the firmware also claims is
 * not ours to use), and merges neighbours of one type.  Pieces no entry
 * covers are holes and are left out.
 */
#include <kernel/systm.h>
#include <kernel/bootinfo.h>
#include <lib/printf.h>

/* How strongly a type claims memory; unknown types count as reserved. */
static int
type_rank(uint32_t type)
{
	switch (type) {
	case MEMSEG_AVAILABLE:		return (0);
	case MEMSEG_ACPI_RECLAIM:	return (1);
	case MEMSEG_ACPI_NVS:		return (2);
	case MEMSEG_BAD:		return (4);
	default:			return (3);
	}
}

/* Sorted, duplicate-free list of every start and end; returns count. */
static int
collect_bounds(const struct memseg *in, int n, uint64_t *b)
{
	int i, j, k, nb = 0;

	for (i = 0; i < n; i++) {
		uint64_t v[2] = { in[i].ms_start, in[i].ms_end };

		if (in[i].ms_end <= in[i].ms_start)
			continue;
		for (k = 0; k < 2; k++) {
			for (j = 0; j < nb && b[j] < v[k]; j++)
				;
			if (j < nb && b[j] == v[k])
				continue;
			for (int m = nb; m > j; m--)
				b[m] = b[m - 1];
			b[j] = v[k];
			nb++;
		}
	}
	return (nb);
}

/* Strongest type covering [lo, hi), or 0 if no entry covers it. */
static uint32_t
piece_type(const struct memseg *in, int n, uint64_t lo, uint64_t hi)
{
	uint32_t type = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (in[i].ms_start > lo || in[i].ms_end < hi ||
		    in[i].ms_end <= in[i].ms_start)
			continue;
		if (type == 0 || type_rank(in[i].ms_type) > type_rank(type))
			type = in[i].ms_type;
	}
	return (type);
}

int
memmap_sanitize(const struct memseg *in, int n, struct memseg *out, int max)
{
	static uint64_t b[2 * BI_MMAP_MAX];
	int i, nb, nout = 0;

	KASSERT(n <= BI_MMAP_MAX, ("memmap_sanitize: %d entries", n));
	nb = collect_bounds(in, n, b);
	for (i = 0; i + 1 < nb; i++) {
		uint32_t type = piece_type(in, n, b[i], b[i + 1]);

		if (type == 0)
			continue;
		if (nout > 0 && out[nout - 1].ms_type == type &&
		    out[nout - 1].ms_end == b[i]) {
			out[nout - 1].ms_end = b[i + 1];
			continue;
		}
		if (nout == max)
			break;
		out[nout].ms_start = b[i];
		out[nout].ms_end = b[i + 1];
		out[nout].ms_type = type;
		nout++;
	}
	return (nout);
}

const char *
memseg_type_name(uint32_t type)
{
	switch (type) {
	case MEMSEG_AVAILABLE:		return ("available");
	case MEMSEG_RESERVED:		return ("reserved");
	case MEMSEG_ACPI_RECLAIM:	return ("ACPI reclaimable");
	case MEMSEG_ACPI_NVS:		return ("ACPI NVS");
	case MEMSEG_BAD:		return ("bad RAM");
	default:			return ("unknown (reserved)");
	}
}

uint64_t
memmap_total(const struct memseg *m, int n, uint32_t type)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < n; i++)
		if (m[i].ms_type == type)
			sum += m[i].ms_end - m[i].ms_start;
	return (sum);
}

void
format_size(char *buf, size_t len, uint64_t bytes)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (u < 4 && bytes >= 1024 * 10) {
		bytes >>= 10;
		u++;
	}
	if (u < 4 && bytes >= 1024 && bytes % 1024 == 0) {
		bytes >>= 10;
		u++;
	}
	snprintf(buf, len, "%llu %s", (unsigned long long)bytes, unit[u]);
}
