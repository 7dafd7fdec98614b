/* glue.c: proxy-glue's life: the thread, its event_base, the timers, nudges
 * and the status (see glue.h; glue_proxy.c holds each proxy's state machine).
 *
 * Everything below runs on the glue thread except glue_start, glue_nudge,
 * glue_status_json and glue_stop. Cross-thread wake-ups use event_active on
 * user events of the glue's base, which libevent makes safe once
 * evthread_use_pthreads() ran (done once, before the base exists). The
 * figures that glue_status_json reads are copied under `ctx.lock`.
 *
 * Timers: `poll` (glue-poll-ms) reads the outbox of every in-sync proxy even
 * without a nudge, which also catches writers that do not nudge (another
 * front-end, another process); `tick` (GLUE_PROBE_MS) probes every proxy,
 * refreshes lag figures, logs the status every minute and, every minute,
 * marks the cursors of in-sync proxies as seen, drops cursors nobody marked
 * for glue-cursor-expire seconds, and prunes the outbox.
 *
 * Write-through (glue_nudge / glue_wait). Every glue_nudge takes a ticket
 * from `seq` (after the caller's COMMIT returned). Each proxy reads glue_ctx_seq()
 * before it reads the outbox; when every event of that read is acknowledged
 * (a batch that was not cut at GLUE_BATCH, or a read that found nothing
 * new), its acked_seq becomes that value. Invariants:
 *  W1. acked_seq >= t implies the proxy acknowledged a read that began after
 *      the nudge of ticket t, hence after that writer's COMMIT: its events
 *      were visible to the read (above hwm, or in a gap range, which is read
 *      again first), so the proxy holds the writer's change (or a later one).
 *  W2. Only proxies in-sync count: a waiter re-checks on every state change
 *      (stats_update broadcasts `acked`), so a proxy that goes down or starts
 *      a resync releases the writes waiting for it at once; one that is in
 *      sync but stops answering holds them until its call times out or the
 *      bound passes, whichever comes first.
 *  W3. A wait never exceeds its bound; a reply sent on the bound is logged
 *      (at most one line per 10 s, with the count) and counted in the status.
 * The ticket is not an outbox id: the writer needs to know nothing of its
 * rows (one or many), and gaps (a lower id committing late) are covered by W1
 * without waiting for unrelated transactions. Only the glue in this process
 * can be waited for: a front-end whose proxies are served by ngnprod-glue
 * (another process) has no glue and never waits (proxy-glue/README.md). */
#include <event2/event.h>
#include <event2/thread.h>
#include <json-c/json.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "core/cfg.h"
#include "core/clock.h"
#include "core/db.h"
#include "glue.h"
#include "glue-internal.h"
#include "core/log.h"

#define GLUE_LOG_EVERY_MS 60000
#define GLUE_PRUNE_EVERY_MS 60000
#define GLUE_PRUNE_MIN_AGE_S 600
/* cursors are marked as seen once per pruning round; an expiry shorter than
 * three rounds could drop a live one */
#define GLUE_CURSOR_EXPIRE_MIN_S 180
#define GLUE_WT_LOG_EVERY_MS 10000

struct glue {
	struct glue_ctx ctx;        /* base, db, id, lock, tickets: shared with the proxies */
	unsigned poll_ms;
	struct db_cfg dbc;          /* strings owned */
	struct event *nudge_ev, *stop_ev, *poll_ev, *tick_ev;
	pthread_t thread;
	int thread_started;
	unsigned cursor_expire_s;   /* 0: never */
	unsigned write_through_ms;
	/* under ctx.lock: figures of glue_wait and of cursor expiry */
	uint64_t wt_waits, wt_timeouts, wt_unlogged, cursors_expired;
	double wt_total_ms, wt_max_ms;
	int64_t wt_logged_ms;
	int64_t next_log_ms, next_prune_ms;
	size_t np;
	struct glue_proxy *p[CFG_MAX_PROXIES];
};

/* Proxy i's figures, copied under ctx.lock (log_status, glue_status_json). */
static void stats_copy(struct glue *g, size_t i, struct glue_pstats *s)
{
	pthread_mutex_lock(&g->ctx.lock);
	glue_proxy_stats(g->p[i], s);
	pthread_mutex_unlock(&g->ctx.lock);
}

static void log_status(struct glue *g)
{
	for (size_t i = 0; i < g->np; i++) {
		struct glue_pstats s;
		stats_copy(g, i, &s);
		log_info("glue: status proxy#%zu %s cursor=%lld lag=%lld events/%lld ms last_push=%.3f ms"
			 " pushed=%llu errors=%llu resyncs=%llu", i, glue_pstate_name(s.state),
			 (long long)s.cursor, (long long)s.lag_events, (long long)s.lag_ms, s.last_push_ms,
			 (unsigned long long)s.pushed, (unsigned long long)s.errors,
			 (unsigned long long)s.resyncs);
	}
}

static void kick_all(struct glue *g)
{
	for (size_t i = 0; i < g->np && !glue_ctx_stopping(&g->ctx); i++)
		glue_proxy_kick(g->p[i]);
}

static void nudge_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	kick_all(arg);
}

static void poll_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	kick_all(arg);
}

static void cursor_dropped(void *arg, const char *name, int64_t id, int64_t age_s)
{
	struct glue *g = arg;
	log_warn("glue: cursor '%s' (at outbox id %lld) not seen for %lld s (glue-cursor-expire %u):"
		 " dropped, it no longer holds back pruning; that proxy is rebuilt should it come back",
		 name, (long long)id, (long long)age_s, g->cursor_expire_s);
}

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct glue *g = arg;
	for (size_t i = 0; i < g->np && !glue_ctx_stopping(&g->ctx); i++)
		glue_proxy_probe(g->p[i]);
	int64_t now = clock_mono_ms();
	if (now >= g->next_log_ms) {
		g->next_log_ms = now + GLUE_LOG_EVERY_MS;
		log_status(g);
	}
	if (now >= g->next_prune_ms) {
		g->next_prune_ms = now + GLUE_PRUNE_EVERY_MS;
		for (size_t i = 0; i < g->np && !glue_ctx_stopping(&g->ctx); i++)
			glue_proxy_touch(g->p[i]);
		enum ngn_status st = NGN_OK;
		if (g->cursor_expire_s && !glue_ctx_db_held(&g->ctx)) {
			uint64_t dropped = 0;
			st = glue_cursor_expire(g->ctx.db, g->cursor_expire_s, cursor_dropped, g, &dropped);
			glue_ctx_db_note(&g->ctx, st);
			pthread_mutex_lock(&g->ctx.lock);
			g->cursors_expired += dropped;
			pthread_mutex_unlock(&g->ctx.lock);
		}
		/* in slices of 10000 rows, at most 100000 a minute */
		uint64_t total = 0, n = 10000;
		for (int i = 0; i < 10 && n == 10000 && st == NGN_OK && !glue_ctx_stopping(&g->ctx); i++) {
			st = glue_ctx_db_held(&g->ctx) ? NGN_E_DB_UNAVAILABLE
				: glue_outbox_prune(g->ctx.db, GLUE_PRUNE_MIN_AGE_S, &n);
			glue_ctx_db_note(&g->ctx, st);
			if (st == NGN_OK)
				total += n;
		}
		if (total)
			log_info("glue: pruned %llu outbox rows that every cursor is past",
				 (unsigned long long)total);
	}
}

static void stop_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(((struct glue *)arg)->ctx.base);
}

static void *glue_main(void *arg)
{
	struct glue *g = arg;
	log_info("glue: started as '%s' for %zu proxies (poll %u ms, timeout %u ms, write-through %u ms,"
		 " cursor expiry %u s)", g->ctx.id, g->np, g->poll_ms, g->ctx.timeout_ms, g->write_through_ms,
		 g->cursor_expire_s);
	event_active(g->tick_ev, EV_TIMEOUT, 0); /* probe at once */
	event_base_dispatch(g->ctx.base);
	return NULL;
}

static pthread_once_t threads_once = PTHREAD_ONCE_INIT;
static int threads_ok;
static void threads_init(void)
{
	threads_ok = evthread_use_pthreads() == 0;
}

static char *dup_opt(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void glue_free(struct glue *g)
{
	for (size_t i = 0; i < g->np; i++)
		glue_proxy_free(g->p[i]);
	if (g->nudge_ev)
		event_free(g->nudge_ev);
	if (g->stop_ev)
		event_free(g->stop_ev);
	if (g->poll_ev)
		event_free(g->poll_ev);
	if (g->tick_ev)
		event_free(g->tick_ev);
	if (g->ctx.base)
		event_base_free(g->ctx.base);
	db_free(g->ctx.db);
	free((char *)g->dbc.host);
	free((char *)g->dbc.socket);
	free((char *)g->dbc.user);
	free((char *)g->dbc.password);
	free((char *)g->dbc.database);
	glue_ctx_destroy(&g->ctx);
	free(g);
}

struct glue *glue_start(const struct cfg *cfg)
{
	if (cfg->nproxies == 0) {
		log_info("glue: no proxy configured: proxy-glue not started");
		return NULL;
	}
	pthread_once(&threads_once, threads_init);
	if (!threads_ok) {
		log_error("glue: libevent has no thread support");
		return NULL;
	}
	struct glue *g = calloc(1, sizeof *g);
	if (g == NULL)
		return NULL;
	if (glue_ctx_init(&g->ctx) != 0) {
		free(g);
		return NULL;
	}
	g->cursor_expire_s = cfg->glue_cursor_expire;
	if (g->cursor_expire_s && g->cursor_expire_s < GLUE_CURSOR_EXPIRE_MIN_S)
		g->cursor_expire_s = GLUE_CURSOR_EXPIRE_MIN_S;
	g->write_through_ms = cfg->glue_write_through_ms;
	char host[256] = "ngnprod";
	if (cfg->glue_id && *cfg->glue_id)
		snprintf(host, sizeof host, "%s", cfg->glue_id);
	else if (gethostname(host, sizeof host - 1) != 0)
		snprintf(host, sizeof host, "ngnprod");
	g->ctx.id = strdup(host);
	g->poll_ms = cfg->glue_poll_ms ? cfg->glue_poll_ms : 200;
	g->ctx.timeout_ms = cfg->glue_timeout_ms ? cfg->glue_timeout_ms : 2000;
	g->dbc = cfg->db;
	g->dbc.host = dup_opt(cfg->db.host);
	g->dbc.socket = dup_opt(cfg->db.socket);
	g->dbc.user = dup_opt(cfg->db.user);
	g->dbc.password = dup_opt(cfg->db.password);
	g->dbc.database = dup_opt(cfg->db.database);
	g->ctx.db = db_new(&g->dbc);
	g->ctx.base = event_base_new();
	if (g->ctx.id == NULL || g->ctx.db == NULL || g->ctx.base == NULL)
		goto fail;
	g->nudge_ev = event_new(g->ctx.base, -1, 0, nudge_cb, g);
	g->stop_ev = event_new(g->ctx.base, -1, 0, stop_cb, g);
	g->poll_ev = event_new(g->ctx.base, -1, EV_PERSIST, poll_cb, g);
	g->tick_ev = event_new(g->ctx.base, -1, EV_PERSIST, tick_cb, g);
	if (!g->nudge_ev || !g->stop_ev || !g->poll_ev || !g->tick_ev)
		goto fail;
	for (size_t i = 0; i < cfg->nproxies; i++) {
		g->p[i] = glue_proxy_new(&g->ctx, cfg->proxy_names[i], cfg->proxies[i], i);
		if (g->p[i] == NULL)
			goto fail;
		g->np++;
		for (size_t j = 0; j < i; j++)
			if (strcmp(glue_proxy_name(g->p[j]), glue_proxy_name(g->p[i])) == 0) {
				log_error("glue: two proxies are named '%s': each needs a cursor of its own",
					  glue_proxy_name(g->p[i]));
				goto fail;
			}
	}
	struct timeval poll = { g->poll_ms / 1000, (g->poll_ms % 1000) * 1000 };
	struct timeval tick = { GLUE_PROBE_MS / 1000, (GLUE_PROBE_MS % 1000) * 1000 };
	event_add(g->poll_ev, &poll);
	event_add(g->tick_ev, &tick);
	g->next_log_ms = clock_mono_ms() + GLUE_LOG_EVERY_MS;
	g->next_prune_ms = clock_mono_ms() + GLUE_PRUNE_EVERY_MS / 6;
	if (pthread_create(&g->thread, NULL, glue_main, g) != 0) {
		log_error("glue: cannot start its thread");
		goto fail;
	}
	g->thread_started = 1;
	return g;
fail:
	log_error("glue: cannot start (out of memory or bad proxy URL)");
	glue_free(g);
	return NULL;
}

unsigned long long glue_nudge(struct glue *g)
{
	if (g == NULL)
		return 0;
	uint64_t t = atomic_fetch_add(&g->ctx.seq, 1) + 1;
	event_active(g->nudge_ev, EV_TIMEOUT, 0);
	return t;
}

/* The first in-sync proxy that has not acknowledged ticket, or -1. Under lock. */
static ssize_t lagging_proxy(struct glue *g, uint64_t ticket)
{
	for (size_t i = 0; i < g->np; i++) {
		struct glue_pstats s;
		glue_proxy_stats(g->p[i], &s);
		if (s.state == GP_SYNC && s.acked_seq < ticket)
			return (ssize_t)i;
	}
	return -1;
}

int glue_wait(struct glue *g, unsigned long long ticket, unsigned ms)
{
	if (g == NULL || ticket == 0)
		return -1;
	struct timespec t0, deadline;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	deadline = t0;
	deadline.tv_sec += ms / 1000;
	deadline.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&g->ctx.lock);
	ssize_t lag;
	while ((lag = lagging_proxy(g, ticket)) >= 0 && !glue_ctx_stopping(&g->ctx))
		if (pthread_cond_timedwait(&g->ctx.acked, &g->ctx.lock, &deadline) != 0)
			break; /* ETIMEDOUT (W3) */
	lag = lagging_proxy(g, ticket);
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double waited = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	g->wt_waits++;
	g->wt_total_ms += waited;
	if (waited > g->wt_max_ms)
		g->wt_max_ms = waited;
	if (lag >= 0) {
		g->wt_timeouts++;
		g->wt_unlogged++;
		int64_t now = clock_mono_ms();
		if (now - g->wt_logged_ms >= GLUE_WT_LOG_EVERY_MS) {
			log_warn("glue: write-through: %llu repl%s sent on the bound (glue-write-through-ms %u)"
				 " without the acknowledgement of every in-sync proxy (proxy %s lagging)",
				 (unsigned long long)g->wt_unlogged, g->wt_unlogged == 1 ? "y" : "ies",
				 g->write_through_ms, glue_proxy_url(g->p[lag]));
			g->wt_logged_ms = now;
			g->wt_unlogged = 0;
		}
	}
	pthread_mutex_unlock(&g->ctx.lock);
	return lag >= 0 ? 1 : 0;
}

size_t glue_status_json(struct glue *g, char *buf, size_t len)
{
	if (g == NULL)
		return (size_t)snprintf(buf, len, "{}");
	struct json_object *o = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	json_object_object_add(o, "glue_id", json_object_new_string(g->ctx.id));
	struct json_object *wt = json_object_new_object();
	pthread_mutex_lock(&g->ctx.lock);
	json_object_object_add(wt, "ms", json_object_new_int64(g->write_through_ms));
	json_object_object_add(wt, "waits", json_object_new_int64((int64_t)g->wt_waits));
	json_object_object_add(wt, "timeouts", json_object_new_int64((int64_t)g->wt_timeouts));
	json_object_object_add(wt, "wait_ms_avg",
			       json_object_new_double(g->wt_waits ? g->wt_total_ms / (double)g->wt_waits : 0));
	json_object_object_add(wt, "wait_ms_max", json_object_new_double(g->wt_max_ms));
	json_object_object_add(o, "cursor_expire_s", json_object_new_int64(g->cursor_expire_s));
	json_object_object_add(o, "cursors_expired", json_object_new_int64((int64_t)g->cursors_expired));
	pthread_mutex_unlock(&g->ctx.lock);
	json_object_object_add(o, "write_through", wt);
	for (size_t i = 0; i < g->np; i++) {
		struct glue_pstats s;
		stats_copy(g, i, &s);
		struct json_object *p = json_object_new_object();
		json_object_object_add(p, "name", json_object_new_string(glue_proxy_name(g->p[i])));
		json_object_object_add(p, "url", json_object_new_string(glue_proxy_url(g->p[i])));
		json_object_object_add(p, "state", json_object_new_string(glue_pstate_name(s.state)));
		json_object_object_add(p, "cursor", json_object_new_int64(s.cursor));
		json_object_object_add(p, "pushed_id", json_object_new_int64(s.pushed_id));
		json_object_object_add(p, "lag_events", json_object_new_int64(s.lag_events));
		json_object_object_add(p, "lag_ms", json_object_new_int64(s.lag_ms));
		json_object_object_add(p, "last_push_ms", json_object_new_double(s.last_push_ms));
		json_object_object_add(p, "last_batch_ms", json_object_new_double(s.last_batch_ms));
		json_object_object_add(p, "pushed", json_object_new_int64((int64_t)s.pushed));
		json_object_object_add(p, "errors", json_object_new_int64((int64_t)s.errors));
		json_object_object_add(p, "resyncs", json_object_new_int64((int64_t)s.resyncs));
		json_object_object_add(p, "last_resync_ms", json_object_new_double(s.last_resync_ms));
		json_object_object_add(p, "last_resync_keys",
				       json_object_new_int64((int64_t)s.last_resync_keys));
		json_object_object_add(p, "last_resync_stale",
				       json_object_new_int64((int64_t)s.last_resync_stale));
		json_object_object_add(p, "epoch", json_object_new_string(s.epoch));
		json_object_array_add(arr, p);
	}
	json_object_object_add(o, "proxies", arr);
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	size_t n = (size_t)snprintf(buf, len, "%s", text);
	json_object_put(o);
	return n;
}

void glue_stop(struct glue *g)
{
	if (g == NULL)
		return;
	atomic_store(&g->ctx.stopping, 1);
	pthread_mutex_lock(&g->ctx.lock);
	pthread_cond_broadcast(&g->ctx.acked); /* no writer waits on a stopped glue */
	pthread_mutex_unlock(&g->ctx.lock);
	if (g->thread_started) {
		event_active(g->stop_ev, EV_TIMEOUT, 0);
		pthread_join(g->thread, NULL);
	}
	log_info("glue: stopped");
	glue_free(g);
}
