/* glue_gaps.c: which outbox ids are settled, so a cursor never skips an
 * event that commits late.
 *
 * AUTO_INCREMENT ids are handed out at INSERT and become visible at COMMIT,
 * so under concurrent transactions id 11 may appear after id 12. The glue
 * pushes whatever it sees at once (latency never waits for a gap) and keeps
 * the ids it skipped as ranges. The durable cursor stops below the lowest
 * open range; each range is re-read on every outbox step until its ids show
 * up or GLUE_GAP_GRACE_MS passed, after which the missing ids are taken to be
 * rolled-back inserts (or another node's auto_increment_increment share).
 *
 * Invariants:
 *  1. Ranges are disjoint, sorted by lo, and lie in (cursor, hwm).
 *  2. glue_gaps_cursor() == hwm when there is no range, else lo(first) - 1.
 *  3. When the table is full, the two last ranges are merged into one that
 *     also covers the ids between them: ids already seen may be read again,
 *     which is harmless, and none is ever dropped before its grace. */
#include <string.h>
#include "glue-internal.h"

void glue_gaps_init(struct glue_gaps *g, int64_t cursor)
{
	memset(g, 0, sizeof *g);
	g->hwm = cursor;
}

void glue_gaps_advance(struct glue_gaps *g, int64_t id, int64_t now_ms)
{
	if (id <= g->hwm)
		return;
	if (id > g->hwm + 1) {
		if (g->n == GLUE_GAPS_MAX) {
			/* invariant 3: merge the last two, keeping the older time */
			struct glue_gap *a = &g->r[g->n - 2], *b = &g->r[g->n - 1];
			a->hi = b->hi;
			if (b->since_ms < a->since_ms)
				a->since_ms = b->since_ms;
			g->n--;
		}
		g->r[g->n++] = (struct glue_gap){ g->hwm + 1, id - 1, now_ms };
	}
	g->hwm = id;
}

void glue_gaps_fill(struct glue_gaps *g, int64_t id)
{
	for (size_t i = 0; i < g->n; i++) {
		struct glue_gap *r = &g->r[i];
		if (id < r->lo || id > r->hi)
			continue;
		if (r->lo == r->hi) {
			memmove(r, r + 1, (g->n - i - 1) * sizeof *r);
			g->n--;
		} else if (id == r->lo) {
			r->lo++;
		} else if (id == r->hi) {
			r->hi--;
		} else if (g->n < GLUE_GAPS_MAX) {
			memmove(r + 2, r + 1, (g->n - i - 1) * sizeof *r);
			r[1] = (struct glue_gap){ id + 1, r->hi, r->since_ms };
			r->hi = id - 1;
			g->n++;
		}
		/* else: leave the range whole (invariant 3) */
		return;
	}
}

size_t glue_gaps_expire(struct glue_gaps *g, int64_t now_ms, int64_t grace_ms)
{
	size_t w = 0, dropped = 0;
	for (size_t i = 0; i < g->n; i++) {
		if (now_ms - g->r[i].since_ms >= grace_ms)
			dropped++;
		else
			g->r[w++] = g->r[i];
	}
	g->n = w;
	return dropped;
}

int64_t glue_gaps_cursor(const struct glue_gaps *g)
{
	return g->n ? g->r[0].lo - 1 : g->hwm;
}

int64_t glue_gaps_missing(const struct glue_gaps *g)
{
	int64_t m = 0;
	for (size_t i = 0; i < g->n; i++)
		m += g->r[i].hi - g->r[i].lo + 1;
	return m;
}
