/* clock.h: the monotonic clock, the one time source for timeouts, back-offs
 * and durations (never the wall clock, which NTP and operators may step).
 *
 * CLOCK_MONOTONIC starts at an arbitrary point: only differences mean
 * anything, and values are not comparable across processes. Both readings
 * are of the same clock, so clock_mono_ms() * 1e-3 and clock_mono_sec()
 * agree to the millisecond. Safe from any thread. */
#ifndef NGN_CLOCK_H
#define NGN_CLOCK_H
#include <stdint.h>

/* Seconds, with nanosecond resolution (durations, log figures). */
double clock_mono_sec(void);
/* Whole milliseconds, truncated (deadlines and timers). */
int64_t clock_mono_ms(void);
/* Nanoseconds (cheap per-call timing counters). */
uint64_t clock_mono_ns(void);

#endif
