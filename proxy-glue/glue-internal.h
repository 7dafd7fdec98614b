/* glue-internal.h: what the files of proxy-glue share (never included from
 * outside proxy-glue/ except by its tests).
 *
 *   glue.c         lifecycle, thread, nudge, timers, status
 *   glue_ctx.c     what glue.c shares with every proxy (lock, tickets, back-off)
 *   glue_proxy.c   one proxy's state machine: outbox pushes and resync
 *   glue_rpc.c     JSON-RPC calls over one evhttp keep-alive connection
 *   glue_outbox.c  the SQL: outbox, masks from grp, cursors, pruning
 *   glue_gaps.c    which outbox ids are settled (the cursor) */
#ifndef NGN_GLUE_INTERNAL_H
#define NGN_GLUE_INTERNAL_H
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include "core/status.h"

struct db;
struct event;
struct event_base;
struct evhttp_connection;

/* Policy bits, as the shipped Kamailio script reads them. */
enum {
	GLUE_G_BLOCKED = 1,
	GLUE_G_ANON = 2,
	GLUE_G_FREEPSTN = 4,
	GLUE_G_QUOTA = 8,
};

/* Seconds after which an id missing below a visible higher one is taken as a
 * rolled-back insert, and milliseconds between proxy probes. */
#define GLUE_GAP_GRACE_MS 5000
#define GLUE_PROBE_MS 1000
#define GLUE_BATCH 1000
#define GLUE_CURSOR_SAVE_MS 100 /* cursor row writes while pushes flow (glue_proxy.c, 5) */
#define GLUE_LANES 4    /* connections per proxy for a resync's snapshot */

/* ---- glue_gaps.c -----------------------------------------------------------
 * Outbox ids are AUTO_INCREMENT values that may become visible out of order
 * (a lower id may commit after a higher one). The tracker keeps
 *   hwm: the highest id read (and pushed once acknowledged),
 *   ranges of ids below hwm not seen yet, each with the time it was noticed.
 * Invariant: every id <= glue_gaps_cursor() has been seen or was given up on
 * after GLUE_GAP_GRACE_MS. Ranges may be merged when there are too many
 * (reading a seen id again is harmless: pushes are absolute). */
#define GLUE_GAPS_MAX 64
struct glue_gap {
	int64_t lo, hi;     /* inclusive */
	int64_t since_ms;   /* monotonic time it was noticed */
};
struct glue_gaps {
	int64_t hwm;
	size_t n;
	struct glue_gap r[GLUE_GAPS_MAX];
};
void glue_gaps_init(struct glue_gaps *g, int64_t cursor);
/* An id read above hwm: opens a gap range for the ids skipped. */
void glue_gaps_advance(struct glue_gaps *g, int64_t id, int64_t now_ms);
/* An id found inside a gap: removes it from its range. */
void glue_gaps_fill(struct glue_gaps *g, int64_t id);
/* Gives up on ranges noticed more than grace_ms ago; returns how many. */
size_t glue_gaps_expire(struct glue_gaps *g, int64_t now_ms, int64_t grace_ms);
/* Highest id below which nothing is pending: the durable cursor. */
int64_t glue_gaps_cursor(const struct glue_gaps *g);
/* Ids still awaited (bounded by the ranges' sizes). */
int64_t glue_gaps_missing(const struct glue_gaps *g);

/* ---- glue_outbox.c -------------------------------------------------------- */
struct glue_item {
	int64_t id;         /* outbox id, 0 for resync items */
	char *key;          /* "user@domain", owned */
	int mask;
	int64_t age_us;     /* age of the outbox row when read */
};
struct glue_items {
	struct glue_item *v;
	size_t n, cap;
};
void glue_items_clear(struct glue_items *it);
int glue_items_add(struct glue_items *it, int64_t id, const char *user, size_t ulen,
		   const char *dom, size_t dlen, int mask, int64_t age_us);
/* Appends a copy of key (a proxy's "user@domain") with its mask. */
int glue_items_add_key(struct glue_items *it, const char *key, int mask);
/* Keeps only the last item of each key, in order. */
void glue_items_dedup(struct glue_items *it);

/* Events with id > after (at most limit), each with the account's current
 * mask, in id order. */
enum ngn_status glue_outbox_read(struct db *db, int64_t after, unsigned limit, struct glue_items *out);
/* Events with lo <= id <= hi. */
enum ngn_status glue_outbox_read_range(struct db *db, int64_t lo, int64_t hi, struct glue_items *out);
/* Highest id of events older than grace_ms (the resync resume point). */
enum ngn_status glue_outbox_settled_id(struct db *db, unsigned grace_ms, int64_t *id);
/* Every account with a non-zero mask. */
enum ngn_status glue_outbox_snapshot(struct db *db, struct glue_items *out);
/* The current mask of "user@domain". */
enum ngn_status glue_outbox_mask(struct db *db, const char *key, int *mask);
/* Cursor row of name: *found = 0 when there is none. epoch (size epochsz)
 * may be NULL. */
enum ngn_status glue_cursor_load(struct db *db, const char *name, int64_t *id, char *epoch,
				 size_t epochsz, int *found);
/* Creates or moves the cursor row and sets its epoch; with epoch NULL only
 * moves an existing row, and *found (may be NULL) says whether there was one
 * (none: it expired, see glue_cursor_expire). */
enum ngn_status glue_cursor_save(struct db *db, const char *name, int64_t id, const char *epoch,
				 int *found);
/* Marks the cursor row as seen now (`updated`), without moving it; *found as
 * above. */
enum ngn_status glue_cursor_touch(struct db *db, const char *name, int *found);
/* Deletes the cursor rows not updated for expire_s seconds, calling
 * dropped(arg, name, last_event_id, age_s) for each one deleted (NULL: none
 * is called); *n (may be NULL) counts them. */
typedef void (*glue_cursor_dropped_fn)(void *arg, const char *name, int64_t id, int64_t age_s);
enum ngn_status glue_cursor_expire(struct db *db, unsigned expire_s, glue_cursor_dropped_fn dropped,
				   void *arg, uint64_t *n);
/* Unacknowledged events above id: count (capped) and age of the oldest. */
enum ngn_status glue_outbox_lag(struct db *db, int64_t after, int64_t *count, int64_t *age_us);
/* Deletes events that every cursor row is past and that are older than
 * min_age_s; *deleted may be NULL. */
enum ngn_status glue_outbox_prune(struct db *db, unsigned min_age_s, uint64_t *deleted);

/* ---- glue_rpc.c ----------------------------------------------------------- */
enum glue_rpc_kind { RPC_SETI, RPC_DELETE, RPC_SETS, RPC_GET, RPC_UPTIME, RPC_DUMP, RPC_FLUSH };
struct glue_rpc_result {
	int ok;             /* the call succeeded (a 404 delete counts) */
	int reached;        /* an HTTP reply came back */
	int code;           /* HTTP status, 0 when none */
	struct json_object *result; /* the "result" member, or NULL; owned by the reply */
	double ms;          /* round trip */
};
typedef void (*glue_rpc_cb)(void *arg, const struct glue_rpc_result *r);
/* The calls in flight on one connection (evhttp_connection_free drops its
 * requests without calling back: glue_rpc_abandon frees what they held). */
struct glue_rpc_call;
struct glue_rpc_list {
	struct glue_rpc_call *head;
};
/* Sends one JSON-RPC call on conn (requests on one connection go in order).
 * key/ival/sval are the parameters of the kind. Returns 0, or -1 when the
 * request could not be made (cb is then not called). */
int glue_rpc_call(struct evhttp_connection *conn, struct glue_rpc_list *list, const char *host,
		  const char *path, enum glue_rpc_kind kind, const char *table, const char *key,
		  int64_t ival, const char *sval, glue_rpc_cb cb, void *arg);
/* After evhttp_connection_free(conn): frees the calls that never completed. */
void glue_rpc_abandon(struct glue_rpc_list *list);

/* ---- glue_ctx.c -------------------------------------------------------------
 * What a proxy's state machine needs of its glue, given to glue_proxy_new:
 * glue.c keeps it inside struct glue, fills it before it makes the first
 * proxy and tears it down after freeing the last, so glue_proxy.c never
 * calls back into glue.c (glue.c -> glue_proxy.c -> glue_ctx.c, no circle).
 * Threads: base, db, id, timeout_ms and the back-off belong to the glue
 * thread; `lock` guards every proxy's figures (struct glue_pstats) and the
 * glue's own, and is also taken by glue_wait and glue_status_json on other
 * threads; seq and stopping are atomics that glue_nudge and glue_stop write
 * from other threads. */
struct glue_ctx {
	struct event_base *base;
	struct db *db;
	char *id;                   /* glue-id: cursor rows are "glue-id name"; owned */
	unsigned timeout_ms;        /* of one JSON-RPC call */
	pthread_mutex_t lock;
	pthread_cond_t acked;       /* under lock: a proxy's acked_seq or state changed */
	_Atomic uint64_t seq;       /* the last glue_nudge ticket */
	atomic_int stopping;
	int64_t db_hold_until_ms, db_backoff_ms; /* glue thread only */
};
/* Sets up lock and acked (acked waits on the monotonic clock); returns 0
 * or -1. The other fields are the caller's (zeroed memory is fine). */
int glue_ctx_init(struct glue_ctx *c);
/* Destroys lock and acked and frees id; base and db stay the caller's. */
void glue_ctx_destroy(struct glue_ctx *c);
/* The latest glue_nudge ticket: read it before an outbox read, so that the
 * read sees every commit that preceded that nudge. */
uint64_t glue_ctx_seq(struct glue_ctx *c);
/* After a proxy's state or acked_seq changed (the caller holds lock): wakes
 * the write-through waiters. */
void glue_ctx_acked_changed(struct glue_ctx *c);
int glue_ctx_stopping(struct glue_ctx *c);
/* Database back-off shared by the glue's proxies: glue_ctx_db_held() is
 * true while calls should not be tried (the last one found the server
 * gone); glue_ctx_db_note() records each call's status. */
int glue_ctx_db_held(const struct glue_ctx *c);
void glue_ctx_db_note(struct glue_ctx *c, enum ngn_status st);

/* ---- glue_proxy.c ------------------------------------------------------------ */
enum glue_pstate { GP_DOWN = 0, GP_RESYNC, GP_SYNC };
const char *glue_pstate_name(enum glue_pstate s);

struct glue_proxy;

/* Public figures of one proxy, copied under glue_ctx.lock for glue_status_json. */
struct glue_pstats {
	enum glue_pstate state;
	int64_t cursor, pushed_id;
	int64_t lag_events, lag_ms;
	double last_push_ms, last_batch_ms;
	uint64_t pushed, errors, resyncs;
	double last_resync_ms;
	uint64_t last_resync_keys, last_resync_stale;
	char epoch[64];
	/* write-through: the glue_nudge ticket of the last outbox read whose
	 * every event is acknowledged by this proxy (glue.c, "Write-through") */
	uint64_t acked_seq;
};

/* name: the proxy's identity in its cursor row ("glue-id name"); NULL: url.
 * ctx must outlive the proxy. */
struct glue_proxy *glue_proxy_new(struct glue_ctx *ctx, const char *name, const char *url, size_t index);
void glue_proxy_free(struct glue_proxy *p);
/* The outbox may have grown: push what is new (no-op while busy or down). */
void glue_proxy_kick(struct glue_proxy *p);
/* Once per GLUE_PROBE_MS: health probe, restart detection, lag figures. */
void glue_proxy_probe(struct glue_proxy *p);
/* Once per pruning round: marks an in-sync proxy's cursor row as seen, so
 * that glue_cursor_expire never drops a live one. */
void glue_proxy_touch(struct glue_proxy *p);
/* Copies the figures; the caller holds the glue_ctx lock. */
void glue_proxy_stats(struct glue_proxy *p, struct glue_pstats *out);
const char *glue_proxy_url(const struct glue_proxy *p);
const char *glue_proxy_name(const struct glue_proxy *p);

#endif
