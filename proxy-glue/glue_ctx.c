/* glue_ctx.c: the state a glue shares with its proxies (see glue-internal.h).
 * Its own file so that glue_proxy.c reaches its glue only through this
 * struct: glue.c drives the proxies, the proxies never call glue.c. */
#include <stdlib.h>
#include <time.h>
#include "core/clock.h"
#include "glue-internal.h"

int glue_ctx_init(struct glue_ctx *c)
{
	if (pthread_mutex_init(&c->lock, NULL) != 0)
		return -1;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	int rc = pthread_cond_init(&c->acked, &ca);
	pthread_condattr_destroy(&ca);
	if (rc != 0) {
		pthread_mutex_destroy(&c->lock);
		return -1;
	}
	return 0;
}

void glue_ctx_destroy(struct glue_ctx *c)
{
	free(c->id);
	c->id = NULL;
	pthread_cond_destroy(&c->acked);
	pthread_mutex_destroy(&c->lock);
}

uint64_t glue_ctx_seq(struct glue_ctx *c) { return atomic_load(&c->seq); }
void glue_ctx_acked_changed(struct glue_ctx *c) { pthread_cond_broadcast(&c->acked); }
int glue_ctx_stopping(struct glue_ctx *c) { return atomic_load(&c->stopping); }

int glue_ctx_db_held(const struct glue_ctx *c)
{
	return clock_mono_ms() < c->db_hold_until_ms;
}

void glue_ctx_db_note(struct glue_ctx *c, enum ngn_status st)
{
	if (st == NGN_E_DB_UNAVAILABLE) {
		c->db_backoff_ms = c->db_backoff_ms ? c->db_backoff_ms * 2 : 100;
		if (c->db_backoff_ms > 2000)
			c->db_backoff_ms = 2000;
		c->db_hold_until_ms = clock_mono_ms() + c->db_backoff_ms;
	} else if (st == NGN_OK) {
		c->db_backoff_ms = 0;
		c->db_hold_until_ms = 0;
	}
}
