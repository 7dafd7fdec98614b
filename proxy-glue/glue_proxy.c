/* glue_proxy.c: one proxy's state machine: outbox pushes and full resyncs.
 *
 *   DOWN --probe answers, carries the epoch this glue set---> SYNC
 *   DOWN --probe answers, epoch absent or not ours, proxy
 *          restarted, or no cursor row for this glue-id-----> RESYNC
 *   SYNC --probe: epoch absent or up_since changed----------> RESYNC (when idle)
 *   RESYNC --snapshot pushed, stale keys gone, epoch set----> SYNC
 *   any  --a call got no reply or an error------------------> DOWN
 * (glue_proxy_probe drives DOWN->*, start_resync RESYNC, outbox_step SYNC.)
 *
 * Invariants (the no-lost-change argument):
 *  1. The cursor row (proxy_cursor, name "glue-id name") only moves to
 *     glue_gaps_cursor() of a state whose every read event was acknowledged
 *     by the proxy, so after any crash the glue re-reads from a point at or
 *     before the first event the proxy may lack. Re-pushing is harmless: every
 *     push is the account's absolute mask read from grp at push time.
 *  2. Batches are pushed one after another, in id order; the calls of one
 *     batch go over up to GLUE_LANES connections at once. That is safe
 *     because a batch is read by one statement (one view of grp), so every
 *     item of an account carries the same mask, and only the last one is
 *     pushed anyway (glue_items_dedup).
 *  3. A resync pushes every non-zero account of a snapshot of grp, then deletes
 *     (or re-reads and pushes) every key of the proxy the snapshot lacked (3a),
 *     then
 *     checks that the proxy is still the instance it began with (core.uptime
 *     up_since), then sets meta=>epoch LAST, and resumes the outbox at
 *     max(cursor, R) where R is the highest event older than the gap grace
 *     when the resync began: any change that committed after the snapshot has
 *     an event above R (or was in flight longer than the grace: see
 *     glue_gaps.c; `created` is compared on the database's clock, and every
 *     ngnprod session writes it in UTC).
 *     3a. Which keys the proxy holds is learnt from htable.dump, one reply
 *     with the whole table: seconds and megabytes at 100k keys, so it gets a
 *     timeout that grows with the snapshot. A proxy without an epoch (new,
 *     restarted, or its epoch lost: it answers 503 anyway) needs no dump:
 *     the resync deletes the epoch (in case another glue set one since the
 *     probe: fail closed), flushes the table, then pushes the snapshot, so
 *     no stale key can remain whatever the table's size.
 *  4. Per proxy one batch (up to GLUE_LANES calls) is outstanding at a time,
 *     plus at most one probe; a resync's snapshot goes over the same lanes,
 *     all acknowledged before the dump. A proxy never waits on another, and
 *     no DB lock is held while a call is in flight (every query is its own
 *     short transaction).
 *  5. While pushes flow, the cursor row is written at most every
 *     GLUE_CURSOR_SAVE_MS, and at once whenever the outbox is drained or a
 *     resync ends: its COMMIT waits for the log flush, which under a
 *     write-heavy load is the longest step of a batch. After a crash the
 *     glue re-pushes at most that window, harmless by 1.
 *  6. Outside a resync the cursor row is only UPDATEd, never created: when
 *     it is gone (dropped as stale by some glue's pruning, glue.c, which
 *     deletes it before any outbox row above it), the proxy is rebuilt
 *     (cursor_lost) instead of resumed; and a proxy that went down reloads
 *     its row before it resumes (go_down clears have_cursor). */
#include <event2/event.h>
#include <event2/http.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/clock.h"
#include "core/db.h"
#include "core/hash.h"
#include "glue-internal.h"
#include "core/log.h"

struct glue_proxy {
	struct glue_ctx *ctx;     /* the glue's shared state (glue.c owns it) */
	size_t index;
	char *url, *name, *host, *hosthdr, *path, *cursor_name;
	int port;
	struct evhttp_connection *conn;
	struct glue_rpc_list calls;
	struct event *kick_ev;

	enum glue_pstate state;
	int busy;             /* a push chain or a resync is running */
	int again;            /* kicked while busy */
	int probing;
	int need_resync;
	int have_cursor;      /* cursor row loaded (or known absent) */
	int db_trouble;       /* last DB call failed (logged once) */

	struct glue_gaps gaps;     /* acknowledged state */
	struct glue_gaps pending;  /* state once the running batch is acknowledged */
	int64_t saved_cursor;      /* what the cursor row holds */
	int64_t saved_at_ms;       /* when it was last written (invariant 5) */
	int epoch_absent;          /* the last probe found no meta=>epoch */
	int resync_flush;          /* this resync empties the table first (3a) */
	int batch_full;
	int64_t batch_age_us;      /* oldest event of the running batch, when read */
	uint64_t read_seq;         /* glue_ctx_seq() before the running batch was read */
	double batch_t0;

	char up_since[64];
	int64_t uptime;
	unsigned restarts;         /* proxy restarts seen by the probe */
	char epoch[64];            /* the proxy's epoch as last seen or set */
	char known_epoch[64];      /* the epoch this glue-id last set (cursor row) */

	/* the running push chain */
	struct glue_items items;
	struct glue_items *chain;
	size_t next;
	void (*chain_done)(struct glue_proxy *p, int ok);

	/* resync */
	struct glue_items snap;
	double resync_t0;
	int64_t resync_resume;
	unsigned resync_restarts;  /* restarts when the resync began */
	char resync_up_since[64];
	size_t resync_stale;

	/* the snapshot of a resync goes over GLUE_LANES connections at once (the
	 * keys are distinct, so their order does not matter); lane 0 is conn */
	struct glue_lane {
		struct glue_proxy *p;
		struct evhttp_connection *conn;
		struct glue_rpc_list calls;
	} lanes[GLUE_LANES];
	size_t inflight;
	int lanes_failed;

	struct glue_pstats st;     /* under ctx->lock */
};

const char *glue_pstate_name(enum glue_pstate s)
{
	switch (s) {
	case GP_SYNC: return "in-sync";
	case GP_RESYNC: return "resyncing";
	default: return "down";
	}
}

static void stats_update(struct glue_proxy *p)
{
	pthread_mutex_lock(&p->ctx->lock);
	p->st.state = p->state;
	p->st.cursor = p->saved_cursor;
	p->st.pushed_id = p->gaps.hwm;
	snprintf(p->st.epoch, sizeof p->st.epoch, "%s", p->epoch);
	glue_ctx_acked_changed(p->ctx);
	pthread_mutex_unlock(&p->ctx->lock);
}

/* Write-through: every event visible to the read that began at seq is
 * acknowledged by this proxy (see glue.c). */
static void acked_upto(struct glue_proxy *p, uint64_t seq)
{
	pthread_mutex_lock(&p->ctx->lock);
	if (seq > p->st.acked_seq)
		p->st.acked_seq = seq;
	pthread_mutex_unlock(&p->ctx->lock);
}

/* The cursor row is gone: it was not updated for glue-cursor-expire and a
 * glue's pruning dropped it, so outbox rows above it may be gone too. */
static void cursor_lost(struct glue_proxy *p)
{
	if (!p->need_resync)
		log_warn("glue: proxy %s: cursor row '%s' is gone (expired as stale): full resync", p->url,
			 p->cursor_name);
	p->need_resync = 1;
	p->saved_cursor = -1;
}

static void set_state(struct glue_proxy *p, enum glue_pstate s, const char *why)
{
	if (p->state != s)
		log_info("glue: proxy %s: %s -> %s (%s)", p->url, glue_pstate_name(p->state),
			 glue_pstate_name(s), why);
	p->state = s;
	stats_update(p);
}

static void count_error(struct glue_proxy *p)
{
	pthread_mutex_lock(&p->ctx->lock);
	p->st.errors++;
	pthread_mutex_unlock(&p->ctx->lock);
}

static void db_ok(struct glue_proxy *p)
{
	if (p->db_trouble)
		log_info("glue: proxy %s: database reachable again", p->url);
	p->db_trouble = 0;
	glue_ctx_db_note(p->ctx, NGN_OK);
}

static void db_failed(struct glue_proxy *p, const char *what, enum ngn_status st)
{
	glue_ctx_db_note(p->ctx, st);
	if (!p->db_trouble)
		log_warn("glue: proxy %s: %s failed (status %d: %s); retrying", p->url, what, (int)st,
			 db_error(p->ctx->db));
	p->db_trouble = 1;
}

static void go_down(struct glue_proxy *p, const char *why)
{
	count_error(p);
	p->busy = 0;
	p->pending = p->gaps;
	/* reloaded before resuming: it may expire while the proxy is away */
	p->have_cursor = 0;
	set_state(p, GP_DOWN, why);
}

static void schedule_kick(struct glue_proxy *p)
{
	event_active(p->kick_ev, EV_TIMEOUT, 0);
}

/* ---- pushes -------------------------------------------------------------------- */

/* Pushes every item of list over all lanes at once, then done(p, ok) once
 * every call has come back. Order between items is not kept, which is safe:
 * every item carries the absolute mask of its key, and the items of one
 * list come from one statement (one view of grp under READ COMMITTED), so
 * two items of the same key carry the same mask. Up to GLUE_LANES calls in
 * flight instead of one: a batch takes a quarter of the round trips' wall
 * time, which is what push-to-effect waits for when the cores are busy. */
static void lanes_send(struct glue_lane *l);

static void lanes_reply(void *arg, const struct glue_rpc_result *r)
{
	struct glue_lane *l = arg;
	struct glue_proxy *p = l->p;
	if (glue_ctx_stopping(p->ctx))
		return;
	p->inflight--;
	if (!r->ok) {
		if (!p->lanes_failed)
			log_warn("glue: proxy %s: resync push failed (HTTP %d)", p->url, r->code);
		p->lanes_failed = 1;
	} else {
		pthread_mutex_lock(&p->ctx->lock);
		p->st.pushed++;
		p->st.last_push_ms = r->ms;
		pthread_mutex_unlock(&p->ctx->lock);
	}
	lanes_send(l);
}

static void lanes_send(struct glue_lane *l)
{
	struct glue_proxy *p = l->p;
	if (!p->lanes_failed && p->next < p->chain->n) {
		const struct glue_item *it = &p->chain->v[p->next];
		if (glue_rpc_call(l->conn, &l->calls, p->hosthdr, p->path, it->mask ? RPC_SETI : RPC_DELETE,
				  "acct", it->key, it->mask, NULL, lanes_reply, l) == 0) {
			p->next++;
			p->inflight++;
			return;
		}
		p->lanes_failed = 1;
	}
	if (p->inflight == 0) {
		/* the last lane to finish reports, once */
		void (*done)(struct glue_proxy *, int) = p->chain_done;
		p->chain_done = NULL;
		if (done)
			done(p, !p->lanes_failed);
	}
}

static void lanes_start(struct glue_proxy *p, struct glue_items *list,
			void (*done)(struct glue_proxy *p, int ok))
{
	p->chain = list;
	p->next = 0;
	p->inflight = 0;
	p->lanes_failed = 0;
	p->chain_done = done;
	for (size_t i = 0; i < GLUE_LANES && p->chain_done; i++)
		lanes_send(&p->lanes[i]);
}

/* ---- outbox ------------------------------------------------------------------- */

static void start_resync(struct glue_proxy *p);

static void save_cursor(struct glue_proxy *p, const char *epoch)
{
	int64_t c = glue_gaps_cursor(&p->gaps);
	if ((c == p->saved_cursor && epoch == NULL) || glue_ctx_db_held(p->ctx))
		return; /* a later save catches up (invariant 1 holds either way) */
	int found = 0;
	enum ngn_status st = glue_cursor_save(p->ctx->db, p->cursor_name, c, epoch, &found);
	if (st != NGN_OK) {
		db_failed(p, "saving the cursor", st);
		return;
	}
	db_ok(p);
	if (!found) {
		cursor_lost(p);
		return;
	}
	p->saved_cursor = c;
	p->saved_at_ms = clock_mono_ms();
}

static void outbox_pushed(struct glue_proxy *p, int ok)
{
	if (!ok) {
		go_down(p, "push not acknowledged");
		return;
	}
	p->gaps = p->pending;
	if (!p->batch_full)
		acked_upto(p, p->read_seq);
	double now = clock_mono_sec();
	pthread_mutex_lock(&p->ctx->lock);
	p->st.last_batch_ms = (double)p->batch_age_us / 1000.0 + (now - p->batch_t0) * 1000.0;
	pthread_mutex_unlock(&p->ctx->lock);
	/* invariant 5: more is waiting, so this save may ride with a later one */
	if (!(p->again || p->batch_full) || clock_mono_ms() - p->saved_at_ms >= GLUE_CURSOR_SAVE_MS)
		save_cursor(p, NULL);
	stats_update(p);
	p->busy = 0;
	if (p->need_resync) {
		start_resync(p);
		return;
	}
	if (p->again || p->batch_full) {
		p->again = 0;
		schedule_kick(p);
	}
}

/* Reads what is new (and what filled a gap) and pushes it. */
static void outbox_step(struct glue_proxy *p)
{
	struct db *db = p->ctx->db;
	int64_t now = clock_mono_ms();
	if (glue_ctx_db_held(p->ctx))
		return; /* the poll timer comes back */
	p->again = 0;
	p->read_seq = glue_ctx_seq(p->ctx);
	p->pending = p->gaps;
	size_t dropped = glue_gaps_expire(&p->pending, now, GLUE_GAP_GRACE_MS);
	if (dropped)
		log_info("glue: proxy %s: %zu outbox gap(s) older than %d ms taken as rolled back",
			 p->url, dropped, GLUE_GAP_GRACE_MS);
	glue_items_clear(&p->items);
	enum ngn_status st = NGN_OK;
	struct glue_gaps open = p->pending;
	for (size_t i = 0; i < open.n && st == NGN_OK; i++)
		st = glue_outbox_read_range(db, open.r[i].lo, open.r[i].hi, &p->items);
	for (size_t i = 0; i < p->items.n; i++)
		glue_gaps_fill(&p->pending, p->items.v[i].id);
	size_t before = p->items.n;
	if (st == NGN_OK)
		st = glue_outbox_read(db, p->pending.hwm, GLUE_BATCH, &p->items);
	if (st != NGN_OK) {
		db_failed(p, "reading the outbox", st);
		p->pending = p->gaps;
		return;
	}
	db_ok(p);
	for (size_t i = before; i < p->items.n; i++)
		glue_gaps_advance(&p->pending, p->items.v[i].id, now);
	p->batch_full = p->items.n - before >= GLUE_BATCH;
	if (p->items.n == 0) {
		p->gaps = p->pending;
		acked_upto(p, p->read_seq);
		save_cursor(p, NULL);
		stats_update(p);
		return;
	}
	p->batch_age_us = 0;
	for (size_t i = 0; i < p->items.n; i++)
		if (p->items.v[i].age_us > p->batch_age_us)
			p->batch_age_us = p->items.v[i].age_us;
	p->batch_t0 = clock_mono_sec();
	glue_items_dedup(&p->items);
	p->busy = 1;
	lanes_start(p, &p->items, outbox_pushed);
}

void glue_proxy_kick(struct glue_proxy *p)
{
	if (p->busy) {
		p->again = 1;
		return;
	}
	if (p->state == GP_SYNC)
		outbox_step(p);
}

static void kick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	glue_proxy_kick(arg);
}

/* ---- resync ------------------------------------------------------------------- */

static void resync_failed(struct glue_proxy *p, const char *why)
{
	log_warn("glue: proxy %s: resync failed: %s", p->url, why);
	glue_items_clear(&p->snap);
	go_down(p, why);
}

/* The start of a resync step's reply callback: 0 when the resync ends here
 * (stopping, or the call failed: then it is abandoned as `what`). */
static int resync_step_ok(struct glue_proxy *p, const struct glue_rpc_result *r, const char *what)
{
	if (glue_ctx_stopping(p->ctx))
		return 0;
	if (!r->ok) {
		resync_failed(p, what);
		return 0;
	}
	return 1;
}

static void resync_epoch_set(void *arg, const struct glue_rpc_result *r)
{
	struct glue_proxy *p = arg;
	if (!resync_step_ok(p, r, "setting meta=>epoch"))
		return;
	glue_gaps_init(&p->gaps, p->resync_resume);
	p->pending = p->gaps;
	p->saved_cursor = -1;
	save_cursor(p, p->epoch);
	snprintf(p->known_epoch, sizeof p->known_epoch, "%s", p->epoch);
	double ms = (clock_mono_sec() - p->resync_t0) * 1000.0;
	log_info("glue: proxy %s: resync done in %.1f ms: %zu keys pushed, %zu stale keys fixed,"
		 " epoch %s, outbox resumes after id %lld", p->url, ms, p->snap.n, p->resync_stale,
		 p->epoch, (long long)p->resync_resume);
	pthread_mutex_lock(&p->ctx->lock);
	p->st.resyncs++;
	p->st.last_resync_ms = ms;
	p->st.last_resync_keys = p->snap.n;
	p->st.last_resync_stale = p->resync_stale;
	pthread_mutex_unlock(&p->ctx->lock);
	glue_items_clear(&p->snap);
	p->need_resync = p->restarts != p->resync_restarts;
	p->busy = 0;
	set_state(p, GP_SYNC, "table rebuilt");
	if (p->need_resync)
		start_resync(p); /* the proxy restarted meanwhile */
	else
		outbox_step(p);
}

/* Just before the epoch: the proxy must still be the instance that got the
 * whole table (evhttp reconnects by itself, so a proxy restarted between two
 * calls would otherwise get an epoch over a partial table). */
static void resync_checked(void *arg, const struct glue_rpc_result *r)
{
	struct glue_proxy *p = arg;
	if (glue_ctx_stopping(p->ctx))
		return;
	struct json_object *since = NULL;
	if (!r->ok || !json_object_object_get_ex(r->result, "up_since", &since)) {
		resync_failed(p, "core.uptime before the epoch");
		return;
	}
	if (strcmp(json_object_get_string(since), p->resync_up_since) != 0) {
		p->restarts++;
		snprintf(p->up_since, sizeof p->up_since, "%s", json_object_get_string(since));
		resync_failed(p, "the proxy restarted during the resync");
		return;
	}
	if (glue_rpc_call(p->conn, &p->calls, p->hosthdr, p->path, RPC_SETS, "meta", "epoch", 0,
			  p->epoch, resync_epoch_set, p) != 0)
		resync_failed(p, "cannot send");
}

static void resync_stale_done(struct glue_proxy *p, int ok)
{
	if (!ok) {
		resync_failed(p, "fixing stale keys");
		return;
	}
	p->resync_stale = p->items.n;
	snprintf(p->epoch, sizeof p->epoch, "%s-%lld", p->ctx->id, (long long)clock_mono_ms());
	if (glue_rpc_call(p->conn, &p->calls, p->hosthdr, p->path, RPC_UPTIME, NULL, NULL, 0, NULL,
			  resync_checked, p) != 0)
		resync_failed(p, "cannot send");
}

/* a set of the snapshot's keys, to find the proxy's stale ones */
struct keyset {
	const char **v;
	size_t cap;
};

static int keyset_build(struct keyset *ks, const struct glue_items *it)
{
	ks->cap = 16;
	while (ks->cap < it->n * 2)
		ks->cap <<= 1;
	ks->v = calloc(ks->cap, sizeof *ks->v);
	if (ks->v == NULL)
		return -1;
	for (size_t i = 0; i < it->n; i++) {
		size_t h = hash_str(it->v[i].key) & (ks->cap - 1);
		while (ks->v[h])
			h = (h + 1) & (ks->cap - 1);
		ks->v[h] = it->v[i].key;
	}
	return 0;
}

static int keyset_has(const struct keyset *ks, const char *key)
{
	size_t h = hash_str(key) & (ks->cap - 1);
	while (ks->v[h]) {
		if (strcmp(ks->v[h], key) == 0)
			return 1;
		h = (h + 1) & (ks->cap - 1);
	}
	return 0;
}

static void resync_dumped(void *arg, const struct glue_rpc_result *r)
{
	struct glue_proxy *p = arg;
	if (glue_ctx_stopping(p->ctx))
		return;
	unsigned ms = p->ctx->timeout_ms;
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	evhttp_connection_set_timeout_tv(p->conn, &tv);
	if (!r->ok || !json_object_is_type(r->result, json_type_array)) {
		resync_failed(p, "htable.dump acct");
		return;
	}
	struct keyset ks;
	if (keyset_build(&ks, &p->snap)) {
		resync_failed(p, "out of memory");
		return;
	}
	/* result: [{"entry":N,"size":n,"slot":[{"name":key,"value":v,"type":t}, ...]}, ...] */
	glue_items_clear(&p->items);
	enum ngn_status st = NGN_OK;
	size_t nb = json_object_array_length(r->result);
	for (size_t i = 0; i < nb && st == NGN_OK; i++) {
		struct json_object *slot;
		if (!json_object_object_get_ex(json_object_array_get_idx(r->result, i), "slot", &slot)
		    || !json_object_is_type(slot, json_type_array))
			continue;
		size_t ns = json_object_array_length(slot);
		for (size_t j = 0; j < ns && st == NGN_OK; j++) {
			struct json_object *name;
			if (!json_object_object_get_ex(json_object_array_get_idx(slot, j), "name", &name))
				continue;
			const char *key = json_object_get_string(name);
			if (key == NULL || keyset_has(&ks, key))
				continue;
			/* not in the snapshot: gone, or changed since (its event comes later) */
			int mask = 0;
			st = glue_outbox_mask(p->ctx->db, key, &mask);
			if (st == NGN_OK && glue_items_add_key(&p->items, key, mask))
				st = NGN_E_INTERNAL;
		}
	}
	free(ks.v);
	if (st != NGN_OK) {
		db_failed(p, "reading masks of stale keys", st);
		resync_failed(p, "database");
		return;
	}
	lanes_start(p, &p->items, resync_stale_done);
}

static void resync_pushed(struct glue_proxy *p, int ok)
{
	if (!ok) {
		resync_failed(p, "pushing the snapshot");
		return;
	}
	if (p->resync_flush) { /* 3a: the table held nothing but the snapshot */
		glue_items_clear(&p->items);
		resync_stale_done(p, 1);
		return;
	}
	/* 3a: the whole table in one reply, measured ~0.05 ms a key on a busy
	 * 2-core machine: allow 0.2 ms a key on top of the usual timeout */
	unsigned ms = p->ctx->timeout_ms + (unsigned)(p->snap.n / 5);
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	evhttp_connection_set_timeout_tv(p->conn, &tv);
	if (glue_rpc_call(p->conn, &p->calls, p->hosthdr, p->path, RPC_DUMP, "acct", NULL, 0, NULL,
			  resync_dumped, p) != 0)
		resync_failed(p, "cannot send");
}

static void resync_flushed(void *arg, const struct glue_rpc_result *r)
{
	struct glue_proxy *p = arg;
	if (!resync_step_ok(p, r, "htable.flush acct"))
		return;
	lanes_start(p, &p->snap, resync_pushed);
}

static void resync_unmarked(void *arg, const struct glue_rpc_result *r)
{
	struct glue_proxy *p = arg;
	if (!resync_step_ok(p, r, "deleting meta=>epoch"))
		return;
	if (glue_rpc_call(p->conn, &p->calls, p->hosthdr, p->path, RPC_FLUSH, "acct", NULL, 0, NULL,
			  resync_flushed, p) != 0)
		resync_failed(p, "cannot send");
}

static void start_resync(struct glue_proxy *p)
{
	struct db *db = p->ctx->db;
	int64_t settled = 0;
	p->again = 0;
	set_state(p, GP_RESYNC, "rebuilding the proxy's table");
	if (glue_ctx_db_held(p->ctx))
		return; /* the next probe tries again */
	p->resync_restarts = p->restarts;
	snprintf(p->resync_up_since, sizeof p->resync_up_since, "%s", p->up_since);
	p->resync_t0 = clock_mono_sec();
	enum ngn_status st = glue_outbox_settled_id(db, GLUE_GAP_GRACE_MS, &settled);
	if (st == NGN_OK)
		st = glue_outbox_snapshot(db, &p->snap);
	if (st != NGN_OK) {
		db_failed(p, "reading the snapshot", st);
		glue_items_clear(&p->snap);
		return; /* the next probe tries again */
	}
	db_ok(p);
	int64_t cur = glue_gaps_cursor(&p->gaps);
	p->resync_resume = settled > cur ? settled : cur;
	p->busy = 1;
	p->resync_flush = p->epoch_absent;
	log_info("glue: proxy %s: resync started: %zu accounts with a policy%s", p->url, p->snap.n,
		 p->resync_flush ? ", table flushed first (no epoch)" : "");
	if (!p->resync_flush)
		lanes_start(p, &p->snap, resync_pushed);
	else if (glue_rpc_call(p->conn, &p->calls, p->hosthdr, p->path, RPC_DELETE, "meta", "epoch", 0, NULL,
			       resync_unmarked, p) != 0)
		resync_failed(p, "cannot send");
}

/* ---- probe -------------------------------------------------------------------- */

/* Loads this proxy's cursor row once; 0 when known. */
static int ensure_cursor(struct glue_proxy *p)
{
	if (p->have_cursor)
		return 0;
	if (glue_ctx_db_held(p->ctx))
		return -1;
	int64_t id = 0;
	int found = 0;
	enum ngn_status st = glue_cursor_load(p->ctx->db, p->cursor_name, &id, p->known_epoch,
					      sizeof p->known_epoch, &found);
	if (st != NGN_OK) {
		db_failed(p, "loading the cursor", st);
		return -1;
	}
	db_ok(p);
	p->have_cursor = 1;
	glue_gaps_init(&p->gaps, id);
	p->pending = p->gaps;
	p->saved_cursor = found ? id : -1;
	if (!found) {
		p->need_resync = 1; /* never pushed to this proxy: its table is unknown */
		log_info("glue: proxy %s: no cursor '%s' yet", p->url, p->cursor_name);
	}
	stats_update(p);
	return 0;
}

/* The proxy answered: decide between resuming and rebuilding. */
static void probe_settle(struct glue_proxy *p)
{
	if (ensure_cursor(p) != 0)
		return;
	if (p->busy)
		return; /* the running chain looks at need_resync when it ends */
	if (p->need_resync) {
		start_resync(p);
		return;
	}
	if (p->state != GP_SYNC) {
		set_state(p, GP_SYNC, "proxy answers, its table is intact");
		outbox_step(p);
	}
}

static void probe_epoch(void *arg, const struct glue_rpc_result *r)
{
	struct glue_proxy *p = arg;
	if (glue_ctx_stopping(p->ctx))
		return;
	p->probing = 0;
	if (!r->reached) {
		if (p->state != GP_DOWN && !p->busy) /* else the running chain fails by itself */
			go_down(p, "no answer to the probe");
		return;
	}
	if (ensure_cursor(p) != 0)
		return; /* no database: nothing to decide with */
	struct json_object *item, *val;
	if (r->code == 200 && json_object_object_get_ex(r->result, "item", &item)
	    && json_object_object_get_ex(item, "value", &val)) {
		const char *v = json_object_get_string(val);
		if (p->state == GP_DOWN && !p->need_resync && strcmp(v, p->known_epoch) != 0) {
			/* rebuilt by another glue while we were not looking: our cursor
			 * speaks for an instance we cannot vouch for (a rebuild does not
			 * take the epoch away, so SIP is not disturbed) */
			log_info("glue: proxy %s: carries epoch '%s', not ours ('%s'): full resync", p->url,
				 v, p->known_epoch);
			p->need_resync = 1;
		}
		if (!p->need_resync)
			snprintf(p->epoch, sizeof p->epoch, "%s", v);
		p->epoch_absent = 0;
	} else {
		p->epoch_absent = 1;
		if (!p->need_resync && p->state != GP_RESYNC) { /* none yet while rebuilding */
			log_info("glue: proxy %s: has no meta=>epoch (new or restarted): full resync", p->url);
			p->need_resync = 1;
		}
	}
	probe_settle(p);
}

static void probe_uptime(void *arg, const struct glue_rpc_result *r)
{
	struct glue_proxy *p = arg;
	if (glue_ctx_stopping(p->ctx))
		return;
	if (!r->ok) {
		p->probing = 0;
		if (p->state != GP_DOWN && !p->busy)
			go_down(p, r->reached ? "core.uptime failed" : "no answer to the probe");
		return;
	}
	struct json_object *since = NULL, *up = NULL;
	json_object_object_get_ex(r->result, "up_since", &since);
	json_object_object_get_ex(r->result, "uptime", &up);
	const char *s = since ? json_object_get_string(since) : "";
	int64_t u = up ? json_object_get_int64(up) : 0;
	if (p->up_since[0] && (strcmp(s, p->up_since) != 0 || u < p->uptime)) {
		log_info("glue: proxy %s restarted (up since %s): full resync", p->url, s);
		p->need_resync = 1;
		p->restarts++;
	}
	snprintf(p->up_since, sizeof p->up_since, "%s", s);
	p->uptime = u;
	if (glue_rpc_call(p->conn, &p->calls, p->hosthdr, p->path, RPC_GET, "meta", "epoch", 0, NULL,
			  probe_epoch, p) != 0)
		p->probing = 0;
}

void glue_proxy_probe(struct glue_proxy *p)
{
	/* lag figures for the status, from the acknowledged position */
	int64_t count = 0, age = 0;
	if (ensure_cursor(p) == 0 && !glue_ctx_db_held(p->ctx)
	    && glue_outbox_lag(p->ctx->db, p->gaps.hwm, &count, &age) == NGN_OK) {
		pthread_mutex_lock(&p->ctx->lock);
		p->st.lag_events = count + glue_gaps_missing(&p->gaps);
		p->st.lag_ms = age / 1000;
		pthread_mutex_unlock(&p->ctx->lock);
	}
	if (p->probing)
		return;
	p->probing = 1;
	if (glue_rpc_call(p->conn, &p->calls, p->hosthdr, p->path, RPC_UPTIME, NULL, NULL, 0, NULL,
			  probe_uptime, p) != 0)
		p->probing = 0;
}

void glue_proxy_stats(struct glue_proxy *p, struct glue_pstats *out)
{
	*out = p->st;
}

const char *glue_proxy_url(const struct glue_proxy *p)
{
	return p->url;
}

const char *glue_proxy_name(const struct glue_proxy *p)
{
	return p->name;
}

void glue_proxy_touch(struct glue_proxy *p)
{
	if (p->state != GP_SYNC || p->saved_cursor < 0 || glue_ctx_db_held(p->ctx))
		return;
	int found = 0;
	enum ngn_status st = glue_cursor_touch(p->ctx->db, p->cursor_name, &found);
	if (st != NGN_OK) {
		db_failed(p, "marking the cursor as seen", st);
		return;
	}
	db_ok(p);
	if (!found)
		cursor_lost(p);
}

/* ---- life ------------------------------------------------------------------- */

struct glue_proxy *glue_proxy_new(struct glue_ctx *ctx, const char *name, const char *url, size_t index)
{
	struct evhttp_uri *u = evhttp_uri_parse(url);
	const char *scheme = u ? evhttp_uri_get_scheme(u) : NULL;
	const char *host = u ? evhttp_uri_get_host(u) : NULL;
	if (u == NULL || scheme == NULL || strcmp(scheme, "http") != 0 || host == NULL || !*host) {
		log_error("glue: proxy URL '%s' is not http://host[:port]/path", url);
		if (u)
			evhttp_uri_free(u);
		return NULL;
	}
	struct glue_proxy *p = calloc(1, sizeof *p);
	if (p == NULL) {
		evhttp_uri_free(u);
		return NULL;
	}
	p->ctx = ctx;
	p->index = index;
	p->port = evhttp_uri_get_port(u) > 0 ? evhttp_uri_get_port(u) : 80;
	const char *path = evhttp_uri_get_path(u);
	p->url = strdup(url);
	p->name = strdup(name ? name : url);
	p->host = strdup(host);
	p->path = strdup(path && *path ? path : "/RPC");
	size_t hl = strlen(host) + 8;
	p->hosthdr = malloc(hl);
	size_t cl = strlen(ctx->id) + strlen(name ? name : url) + 2;
	p->cursor_name = malloc(cl);
	evhttp_uri_free(u);
	if (!p->url || !p->name || !p->host || !p->path || !p->hosthdr || !p->cursor_name) {
		glue_proxy_free(p);
		return NULL;
	}
	snprintf(p->hosthdr, hl, "%s:%d", p->host, p->port);
	snprintf(p->cursor_name, cl, "%s %s", ctx->id, p->name);
	if (strlen(p->cursor_name) > 255) {
		log_error("glue: glue-id and proxy name together exceed 255 characters: %s", p->cursor_name);
		glue_proxy_free(p);
		return NULL;
	}
	p->conn = evhttp_connection_base_new(ctx->base, NULL, p->host, (unsigned short)p->port);
	p->kick_ev = event_new(ctx->base, -1, 0, kick_cb, p);
	if (p->conn == NULL || p->kick_ev == NULL) {
		glue_proxy_free(p);
		return NULL;
	}
	unsigned ms = ctx->timeout_ms;
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	for (size_t i = 0; i < GLUE_LANES; i++) {
		struct glue_lane *l = &p->lanes[i];
		l->p = p;
		l->conn = i == 0 ? p->conn
			: evhttp_connection_base_new(ctx->base, NULL, p->host, (unsigned short)p->port);
		if (l->conn == NULL) {
			glue_proxy_free(p);
			return NULL;
		}
		evhttp_connection_set_timeout_tv(l->conn, &tv);
		evhttp_connection_set_retries(l->conn, 0);
	}
	p->state = GP_DOWN;
	p->saved_cursor = -1;
	p->st.state = GP_DOWN;
	return p;
}

void glue_proxy_free(struct glue_proxy *p)
{
	if (p == NULL)
		return;
	for (size_t i = 1; i < GLUE_LANES; i++) {
		if (p->lanes[i].conn)
			evhttp_connection_free(p->lanes[i].conn);
		glue_rpc_abandon(&p->lanes[i].calls);
	}
	if (p->conn)
		evhttp_connection_free(p->conn);
	glue_rpc_abandon(&p->calls);
	glue_rpc_abandon(&p->lanes[0].calls);
	if (p->kick_ev)
		event_free(p->kick_ev);
	glue_items_clear(&p->items);
	glue_items_clear(&p->snap);
	free(p->url);
	free(p->name);
	free(p->host);
	free(p->hosthdr);
	free(p->path);
	free(p->cursor_name);
	free(p);
}
