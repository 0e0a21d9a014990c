/*-------------------------------------------------------------------------
 *
 * test_bit.c
 *	  Server-free differential test of every bit kernel family.
 *
 * For every length 0..4096 bits, a pair of bit strings (random, all zeros,
 * all ones or sparse, by length) is counted bit by bit, the way the bit
 * type numbers its bits; then every family this CPU supports counts the
 * same strings placed at every start offset 0..15 bytes (the second operand
 * at another offset each time), with bytes of all ones and all zeros around
 * them that a kernel reading past either end would count.  Each family must
 * match the bit-by-bit counts and the scalar reference exactly: Hamming,
 * the AND and OR counts, and the Jaccard distance from them.  Then each
 * string is placed flush against a page no access is allowed to, so a read
 * of one byte too many faults.  Prints "N passed, M failed" last and exits
 * non-zero on any failure.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * test/unit/test_bit.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kernel/bit.h"

#define MAXBITS 4096
#define MAXBYTES (MAXBITS / 8)
#define NOFFSETS 16
#define GUARD 64				/* sentinel bytes on each side */

/* splitmix64: a fixed sequence, so a failure repeats */
static uint64_t rng_state = 0x2545F4914F6CDD1DULL;

static uint64_t
rng_next(void)
{
	uint64_t	z = (rng_state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

typedef struct Counts
{
	uint64_t	hamming,
				and_count,
				or_count;
} Counts;

static int	n_pass = 0,
			n_fail = 0,
			n_fail_reported = 0;

static void
check(const char *family, const char *what, int nbits, int off_a, int off_b,
	  uint64_t got, uint64_t want)
{
	if (got == want)
		n_pass++;
	else
	{
		n_fail++;
		if (n_fail_reported++ < 20)
			printf("FAIL %s %s nbits=%d off=%d/%d got=%llu want=%llu\n",
				   family, what, nbits, off_a, off_b,
				   (unsigned long long) got, (unsigned long long) want);
	}
}

/* bit i of a bit string: the bit type stores bit 0 as the high bit of byte 0 */
static int
bit_at(const uint8_t *p, int i)
{
	return (p[i / 8] >> (7 - i % 8)) & 1;
}

/* the reference: one bit at a time, no popcount */
static void
count_bits(const uint8_t *a, const uint8_t *b, int nbits, Counts *c)
{
	memset(c, 0, sizeof(*c));
	for (int i = 0; i < nbits; i++)
	{
		int			x = bit_at(a, i),
					y = bit_at(b, i);

		c->hamming += (uint64_t) (x ^ y);
		c->and_count += (uint64_t) (x & y);
		c->or_count += (uint64_t) (x | y);
	}
}

/* fills the string of nbits bits in p, padding bits zero as in the bit type */
static void
fill(uint8_t *p, int nbits, int pattern)
{
	int			nbytes = (nbits + 7) / 8;

	for (int i = 0; i < nbytes; i++)
	{
		uint64_t	r = rng_next();

		switch (pattern)
		{
			case 0:				/* random */
				p[i] = (uint8_t) (r >> 24);
				break;
			case 1:				/* all zeros */
				p[i] = 0;
				break;
			case 2:				/* all ones */
				p[i] = 0xFF;
				break;
			default:			/* sparse: about one bit in 32 */
				p[i] = (uint8_t) ((r >> 40) % 4 == 0 ? 1u << (r % 8) : 0);
				break;
		}
	}
	if (nbits % 8 != 0)
		p[nbytes - 1] &= (uint8_t) (0xFF << (8 - nbits % 8));
}

/* one family's counts of a and b, checked against want */
static void
check_family(const VecdbBitKernelSet *k, const uint8_t *a, const uint8_t *b,
			 int nbits, int off_a, int off_b, const Counts *want)
{
	size_t		nbytes = (size_t) (nbits + 7) / 8;
	uint64_t	and_count = 0,
				or_count = 0;
	double		jaccard;

	check(k->name, "hamming", nbits, off_a, off_b, k->hamming(a, b, nbytes), want->hamming);
	k->jaccard_parts(a, b, nbytes, &and_count, &or_count);
	check(k->name, "and", nbits, off_a, off_b, and_count, want->and_count);
	check(k->name, "or", nbits, off_a, off_b, or_count, want->or_count);
	check(k->name, "and_count", nbits, off_a, off_b, k->and_count(a, b, nbytes),
		  want->and_count);
	jaccard = VecdbJaccardFromParts(and_count, or_count);
	check(k->name, "jaccard", nbits, off_a, off_b, jaccard ==
		  VecdbJaccardFromParts(want->and_count, want->or_count), 1);
}

int
main(void)
{
	const VecdbBitKernelSet *sets[8];
	int			nsets = VecdbBitKernelsAvailable(sets, 8);
	/* two strings, and room to place each at any offset between sentinels */
	static uint8_t src_a[MAXBYTES],
				src_b[MAXBYTES];
	static uint8_t buf_a[GUARD + NOFFSETS + MAXBYTES + GUARD],
				buf_b[GUARD + NOFFSETS + MAXBYTES + GUARD];
	long		pagesize = sysconf(_SC_PAGESIZE);
	size_t		region = ((MAXBYTES + pagesize - 1) / pagesize + 1) * pagesize;
	uint8_t    *page_a,
			   *page_b;

	printf("bit kernel families:");
	for (int k = 0; k < nsets; k++)
		printf(" %s", sets[k]->name);
	printf("\n");

	/* buffers whose last page may not be touched */
	page_a = mmap(NULL, region, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	page_b = mmap(NULL, region, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page_a == MAP_FAILED || page_b == MAP_FAILED ||
		mprotect(page_a + region - pagesize, pagesize, PROT_NONE) != 0 ||
		mprotect(page_b + region - pagesize, pagesize, PROT_NONE) != 0)
	{
		perror("mmap");
		return 2;
	}

	for (int nbits = 0; nbits <= MAXBITS; nbits++)
	{
		int			nbytes = (nbits + 7) / 8;
		Counts		want;

		fill(src_a, nbits, nbits % 4);
		fill(src_b, nbits, (nbits / 4) % 4);
		count_bits(src_a, src_b, nbits, &want);

		for (int off_a = 0; off_a < NOFFSETS; off_a++)
		{
			/* b's offset runs through 0..15 in another order */
			int			off_b = (off_a * 5 + 3) % NOFFSETS;
			uint8_t    *a = buf_a + GUARD + off_a;
			uint8_t    *b = buf_b + GUARD + off_b;

			/* a kernel that reads past either end counts these */
			memset(buf_a, 0xFF, sizeof(buf_a));
			memset(buf_b, 0x00, sizeof(buf_b));
			memset(buf_b, 0xFF, GUARD / 2);
			memcpy(a, src_a, nbytes);
			memcpy(b, src_b, nbytes);
			memset(b + nbytes, 0x5A, GUARD);

			for (int k = 0; k < nsets; k++)
			{
				Counts		scalar;

				check_family(sets[k], a, b, nbits, off_a, off_b, &want);
				/* and the family against the scalar reference */
				scalar.hamming = vecdb_bit_kernels_scalar.hamming(a, b, nbytes);
				vecdb_bit_kernels_scalar.jaccard_parts(a, b, nbytes,
													   &scalar.and_count, &scalar.or_count);
				check_family(sets[k], a, b, nbits, off_a, off_b, &scalar);
			}
		}

		/* flush against the forbidden page */
		{
			uint8_t    *a = page_a + region - pagesize - nbytes;
			uint8_t    *b = page_b + region - pagesize - nbytes;

			memcpy(a, src_a, nbytes);
			memcpy(b, src_b, nbytes);
			for (int k = 0; k < nsets; k++)
				check_family(sets[k], a, b, nbits, -1, -1, &want);
		}
	}

	/* pgvector's fixed points: two all-zero strings are at Jaccard distance 1 */
	{
		uint8_t		z[3] = {0, 0, 0};
		uint8_t		o[3] = {0xFF, 0xFF, 0xE0};

		for (int k = 0; k < nsets; k++)
		{
			uint64_t	n_and,
						n_or;

			sets[k]->jaccard_parts(z, z, 3, &n_and, &n_or);
			check(sets[k]->name, "jaccard(0,0)=1", 19, 0, 0,
				  VecdbJaccardFromParts(n_and, n_or) == 1.0, 1);
			sets[k]->jaccard_parts(o, o, 3, &n_and, &n_or);
			check(sets[k]->name, "jaccard(1,1)=0", 19, 0, 0,
				  VecdbJaccardFromParts(n_and, n_or) == 0.0, 1);
			check(sets[k]->name, "hamming(0,1)=19", 19, 0, 0,
				  sets[k]->hamming(z, o, 3), 19);
			check(sets[k]->name, "hamming(empty)=0", 0, 0, 0,
				  sets[k]->hamming(z, o, 0), 0);
		}
	}

	munmap(page_a, region);
	munmap(page_b, region);
	printf("%d passed, %d failed\n", n_pass, n_fail);
	return n_fail == 0 ? 0 : 1;
}
