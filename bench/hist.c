/* hist.c: see hist.h. Bucket index: for v < 2^SUB_BITS the value itself;
 * above, the top SUB_BITS+1 bits select the sub-bucket within the
 * magnitude of v's highest set bit. */
#include <time.h>
#include "hist.h"

static unsigned bucket_of(uint64_t v)
{
	if (v < (1u << HIST_SUB_BITS))
		return (unsigned)v;
	unsigned msb = 63u - (unsigned)__builtin_clzll(v);
	unsigned shift = msb - HIST_SUB_BITS;
	unsigned mag = shift + 1;
	unsigned sub = (unsigned)(v >> shift) & ((1u << HIST_SUB_BITS) - 1);
	unsigned idx = (mag << HIST_SUB_BITS) + sub;
	return idx < HIST_BUCKETS ? idx : HIST_BUCKETS - 1;
}

/* upper bound (inclusive) of bucket idx */
static uint64_t bucket_top(unsigned idx)
{
	unsigned mag = idx >> HIST_SUB_BITS;
	uint64_t sub = idx & ((1u << HIST_SUB_BITS) - 1);
	if (mag == 0)
		return sub;
	unsigned shift = mag - 1;
	return (((1ull << HIST_SUB_BITS) + sub + 1) << shift) - 1;
}

void hist_add(struct hist *h, uint64_t ns)
{
	h->b[bucket_of(ns)]++;
	h->count++;
	h->sum_ns += ns;
	if (ns > h->max_ns)
		h->max_ns = ns;
}

void hist_merge(struct hist *into, const struct hist *from)
{
	for (unsigned i = 0; i < HIST_BUCKETS; i++)
		into->b[i] += from->b[i];
	into->count += from->count;
	into->sum_ns += from->sum_ns;
	if (from->max_ns > into->max_ns)
		into->max_ns = from->max_ns;
}

uint64_t hist_quantile(const struct hist *h, double q)
{
	if (h->count == 0)
		return 0;
	uint64_t rank = (uint64_t)(q * (double)h->count + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > h->count)
		rank = h->count;
	uint64_t seen = 0;
	for (unsigned i = 0; i < HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank) {
			uint64_t top = bucket_top(i);
			return top < h->max_ns ? top : h->max_ns;
		}
	}
	return h->max_ns;
}

uint64_t bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
