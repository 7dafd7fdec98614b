/* hist.h: latency histogram for the benchmark programs (HDR-style).
 *
 * Values are nanoseconds. Buckets are log-linear: 2^SUB_BITS sub-buckets per
 * power of two, so every recorded value is reported within 1/128 (0.8 %) of
 * itself, from 1 us to ~70 s, in a fixed 40 KB table: memory does not grow
 * with the number of samples, and histograms of several threads merge by
 * adding counts. */
#ifndef BENCH_HIST_H
#define BENCH_HIST_H
#include <stdint.h>

#define HIST_SUB_BITS 7
#define HIST_MAGS 40
#define HIST_BUCKETS (HIST_MAGS << HIST_SUB_BITS)

struct hist {
	uint64_t count;
	uint64_t sum_ns;
	uint64_t max_ns;
	uint64_t b[HIST_BUCKETS];
};

void hist_add(struct hist *h, uint64_t ns);
void hist_merge(struct hist *into, const struct hist *from);
/* The value at quantile q (0..1): the upper bound of its bucket, in ns.
 * 0 when the histogram is empty. */
uint64_t hist_quantile(const struct hist *h, double q);

/* monotonic clock in ns */
uint64_t bench_now_ns(void);

#endif
