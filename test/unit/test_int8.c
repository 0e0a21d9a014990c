/*-------------------------------------------------------------------------
 *
 * test_int8.c
 *	  Server-free differential test of every 8-bit code kernel family.
 *
 * For every length 0..2048 and at start offsets 0..3 of each operand,
 * random codes (uniform, all 255, all 0, or a few set, by length) are
 * summed in 64-bit here and by every family this CPU supports; the sums
 * must agree exactly.  Each family also sums the longest arrays an index
 * stores (VECDB_U8_MAX_N codes of 255) without overflowing, and reads no
 * byte past either array: each is placed flush against a page no access is
 * allowed to.  Prints "N passed, M failed" last and exits non-zero on any
 * failure.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * test/unit/test_int8.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kernel/int8.h"
#include "unit_rng.h"

#define MAXN 2048

static int	n_pass,
			n_fail;

static void
check(const char *set, const char *what, int n, uint64_t got, uint64_t want)
{
	if (got == want)
	{
		n_pass++;
		return;
	}
	n_fail++;
	if (n_fail <= 20)
		printf("FAIL %s %s n=%d: got %llu, want %llu\n", set, what, n,
			   (unsigned long long) got, (unsigned long long) want);
}

static uint64_t
reference(const uint8_t *a, const uint8_t *b, int n)
{
	uint64_t	s = 0;

	for (int i = 0; i < n; i++)
		s += (uint64_t) a[i] * b[i];
	return s;
}

static void
fill(uint8_t *x, int n, int pattern)
{
	for (int i = 0; i < n; i++)
		switch (pattern)
		{
			case 0:
				x[i] = (uint8_t) rng_below(256);
				break;
			case 1:
				x[i] = 255;
				break;
			case 2:
				x[i] = 0;
				break;
			default:
				x[i] = rng_below(16) == 0 ? (uint8_t) rng_below(256) : 0;
		}
}

/* n bytes ending at a page that faults on access */
static uint8_t *
guarded(int n, uint8_t **region, size_t *len)
{
	long		page = sysconf(_SC_PAGESIZE);
	size_t		data = ((size_t) n + page - 1) / page * page;

	*len = data + page;
	*region = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*region == MAP_FAILED)
		return NULL;
	mprotect(*region + data, page, PROT_NONE);
	return *region + data - n;
}

int
main(void)
{
	const VecdbU8KernelSet *sets[4];
	int			nsets = VecdbU8KernelsAvailable(sets, 4);
	static uint8_t a[MAXN + 8],
				b[MAXN + 8];

	for (int k = 0; k < nsets; k++)
		printf("family %s\n", sets[k]->name);
	for (int n = 0; n <= MAXN; n++)
	{
		int			pattern = n % 4;

		for (int off = 0; off < 4; off++)
		{
			uint64_t	want;

			fill(a + off, n, pattern);
			fill(b + 3 - off, n, (pattern + off) % 4);
			want = reference(a + off, b + 3 - off, n);
			for (int k = 0; k < nsets; k++)
				check(sets[k]->name, "dot", n, sets[k]->dot(a + off, b + 3 - off, n), want);
		}
	}

	/* the longest arrays, all 255, at the edge of a page */
	{
		uint8_t    *ra,
				   *rb;
		size_t		la,
					lb;
		uint8_t    *x = guarded(VECDB_U8_MAX_N, &ra, &la);
		uint8_t    *y = guarded(VECDB_U8_MAX_N, &rb, &lb);

		if (x == NULL || y == NULL)
		{
			printf("mmap failed\n");
			return 1;
		}
		memset(x, 255, VECDB_U8_MAX_N);
		memset(y, 255, VECDB_U8_MAX_N);
		for (int k = 0; k < nsets; k++)
			for (int n = VECDB_U8_MAX_N - 40; n <= VECDB_U8_MAX_N; n++)
				check(sets[k]->name, "max", n,
					  sets[k]->dot(x + VECDB_U8_MAX_N - n, y + VECDB_U8_MAX_N - n, n),
					  (uint64_t) n * 255 * 255);
		munmap(ra, la);
		munmap(rb, lb);
	}
	printf("%d passed, %d failed\n", n_pass, n_fail);
	return n_fail == 0 ? 0 : 1;
}
