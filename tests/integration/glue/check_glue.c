/* check_glue.c: proxy-glue against a real MariaDB and a real Kamailio running
 * proxy-glue/kamailio/ngnprod.cfg (started by check_glue.sh, which passes
 * NGN_TEST_KAM_RPC). Membership changes are written the way the store writes
 * them: grp rows and a proxy_event row in one transaction, then glue_nudge.
 * Correctness only; timing figures belong to bench/glue_bench. */
#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/cfg.h"
#include "core/db.h"
#include "glue.h"
#include "glue-internal.h"
#include "gluetest.h"
#include "core/log.h"

static int kam_rpc;

static void make_cfg_t(struct cfg *c, const char *id, unsigned poll_ms, const char *timeout_ms)
{
	char err[256], url[128];
	cfg_defaults(c);
	cfg_set(c, "db-socket", getenv("NGN_TEST_DB_SOCKET"), err, sizeof err);
	cfg_set(c, "db-user", "root", err, sizeof err);
	cfg_set(c, "db-password", "", err, sizeof err);
	cfg_set(c, "glue-id", id, err, sizeof err);
	char ms[32];
	snprintf(ms, sizeof ms, "%u", poll_ms);
	cfg_set(c, "glue-poll-ms", ms, err, sizeof err);
	cfg_set(c, "glue-timeout-ms", timeout_ms, err, sizeof err);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/RPC", kam_rpc);
	cfg_set(c, "proxy", url, err, sizeof err);
}

static void make_cfg(struct cfg *c, const char *id, unsigned poll_ms)
{
	make_cfg_t(c, id, poll_ms, "1000");
}

static struct glue *start(const char *id, unsigned poll_ms)
{
	struct cfg c;
	make_cfg(&c, id, poll_ms);
	struct glue *g = glue_start(&c);
	cfg_free(&c);
	ck_assert_ptr_nonnull(g);
	return g;
}

/* the state of proxy i in the status JSON */
static int proxy_state_is(struct glue *g, size_t i, const char *state)
{
	char buf[4096];
	glue_status_json(g, buf, sizeof buf);
	struct json_object *o = json_tokener_parse(buf), *arr, *st;
	int ok = o && json_object_object_get_ex(o, "proxies", &arr)
		 && json_object_object_get_ex(json_object_array_get_idx(arr, i), "state", &st)
		 && strcmp(json_object_get_string(st), state) == 0;
	json_object_put(o);
	return ok;
}

static long long proxy_figure(struct glue *g, size_t i, const char *name)
{
	char buf[4096];
	glue_status_json(g, buf, sizeof buf);
	struct json_object *o = json_tokener_parse(buf), *arr, *v;
	long long r = -1;
	if (o && json_object_object_get_ex(o, "proxies", &arr)
	    && json_object_object_get_ex(json_object_array_get_idx(arr, i), name, &v))
		r = json_object_get_int64(v);
	json_object_put(o);
	return r;
}

static void wait_in_sync(struct glue *g, size_t i)
{
	double t0 = clock_mono_sec();
	while (!proxy_state_is(g, i, "in-sync")) {
		ck_assert_msg(clock_mono_sec() - t0 < 10, "proxy %zu not in sync after 10 s", i);
		usleep(10000);
	}
}

/* waits (nudging) until the proxy holds want for key (-1: absent) */
static void wait_value(struct glue *g, struct rpcc *rc, const char *key, int want, double limit)
{
	double t0 = clock_mono_sec();
	int have;
	while ((have = rpcc_get(rc, "acct", key)) != want) {
		ck_assert_msg(clock_mono_sec() - t0 < limit, "%s: proxy has %d, want %d", key, have, want);
		glue_nudge(g);
		usleep(2000);
	}
}

static void wait_no_diff(struct glue **gs, size_t ng, struct rpcc *rc, MYSQL *my, double limit)
{
	double t0 = clock_mono_sec();
	while (rpcc_diff_db(rc, my) != 0) {
		ck_assert_msg(clock_mono_sec() - t0 < limit, "proxy table differs from the database after %.0f s", limit);
		for (size_t i = 0; i < ng; i++)
			glue_nudge(gs[i]);
		usleep(100000);
	}
}

/* ---- unit: gaps and dedup ----------------------------------------------------- */

START_TEST(gaps_track_late_commits)
{
	struct glue_gaps g;
	glue_gaps_init(&g, 10);
	ck_assert_int_eq(glue_gaps_cursor(&g), 10);
	glue_gaps_advance(&g, 11, 0);
	glue_gaps_advance(&g, 14, 0);       /* 12, 13 not visible yet */
	ck_assert_int_eq(g.hwm, 14);
	ck_assert_int_eq(glue_gaps_cursor(&g), 11);
	ck_assert_int_eq(glue_gaps_missing(&g), 2);
	glue_gaps_fill(&g, 13);
	ck_assert_int_eq(glue_gaps_cursor(&g), 11);
	glue_gaps_fill(&g, 12);
	ck_assert_int_eq(glue_gaps_cursor(&g), 14);
	/* a gap in the middle of a range splits it */
	glue_gaps_advance(&g, 20, 100);     /* 15..19 */
	glue_gaps_fill(&g, 17);
	ck_assert_uint_eq(g.n, 2);
	ck_assert_int_eq(glue_gaps_cursor(&g), 14);
	/* expiry only after the grace */
	ck_assert_uint_eq(glue_gaps_expire(&g, 100 + GLUE_GAP_GRACE_MS - 1, GLUE_GAP_GRACE_MS), 0);
	ck_assert_uint_eq(glue_gaps_expire(&g, 100 + GLUE_GAP_GRACE_MS, GLUE_GAP_GRACE_MS), 2);
	ck_assert_int_eq(glue_gaps_cursor(&g), 20);
	/* ids at or below hwm do not move it */
	glue_gaps_advance(&g, 5, 0);
	ck_assert_int_eq(g.hwm, 20);
}
END_TEST

START_TEST(gaps_merge_when_full)
{
	struct glue_gaps g;
	glue_gaps_init(&g, 0);
	for (int i = 0; i < GLUE_GAPS_MAX + 10; i++)
		glue_gaps_advance(&g, 2 * (i + 1), i);  /* every odd id missing */
	ck_assert_uint_eq(g.n, GLUE_GAPS_MAX);
	ck_assert_int_eq(glue_gaps_cursor(&g), 0);
	/* nothing was dropped: the merged range covers every missing id */
	ck_assert_int_ge(glue_gaps_missing(&g), GLUE_GAPS_MAX + 10);
	for (int i = 0; i < GLUE_GAPS_MAX + 10; i++)
		glue_gaps_fill(&g, 2 * i + 1);
	ck_assert_int_ge(glue_gaps_cursor(&g), 2 * (GLUE_GAPS_MAX - 2));
}
END_TEST

START_TEST(items_dedup_keeps_last)
{
	struct glue_items it = { 0 };
	glue_items_add(&it, 1, "a", 1, "x", 1, 1, 0);
	glue_items_add(&it, 2, "b", 1, "x", 1, 2, 0);
	glue_items_add(&it, 3, "a", 1, "x", 1, 3, 0);
	glue_items_add(&it, 4, "c", 1, "x", 1, 4, 0);
	glue_items_dedup(&it);
	ck_assert_uint_eq(it.n, 3);
	ck_assert_str_eq(it.v[0].key, "b@x");
	ck_assert_str_eq(it.v[1].key, "a@x");
	ck_assert_int_eq(it.v[1].mask, 3);
	ck_assert_str_eq(it.v[2].key, "c@x");
	glue_items_clear(&it);
}
END_TEST

/* ---- start-up ------------------------------------------------------------------ */

START_TEST(start_refuses_without_proxy_or_with_bad_url)
{
	struct cfg c;
	char err[128];
	cfg_defaults(&c);
	ck_assert_ptr_null(glue_start(&c));
	cfg_set(&c, "proxy", "ftp://127.0.0.1/RPC", err, sizeof err);
	ck_assert_ptr_null(glue_start(&c));
	cfg_free(&c);
	glue_stop(NULL);
	glue_nudge(NULL);
}
END_TEST

/* ---- pushes ------------------------------------------------------------------- */

START_TEST(a_new_glue_resumes_after_settled_events)
{
	/* an outbox with only old events: the resync covers them all, so the
	 * glue must resume after them instead of replaying them */
	MYSQL *my = gt_connect();
	for (int i = 0; i < 50; i++)
		gt_set_mask(my, "old", "settled.test", i & 1 ? GLUE_G_FREEPSTN : 0);
	gt_exec(my, "UPDATE proxy_event SET created = created - INTERVAL 1 HOUR");
	struct glue *g = start("settled", 600000);
	wait_in_sync(g, 0);
	usleep(300000);
	long long pushed = proxy_figure(g, 0, "pushed");
	long long keys = proxy_figure(g, 0, "last_resync_keys") + proxy_figure(g, 0, "last_resync_stale");
	ck_assert_int_eq(pushed, keys);
	ck_assert_int_eq(proxy_figure(g, 0, "cursor"), gt_scalar(my, "SELECT MAX(id) FROM proxy_event"));
	glue_stop(g);
	mysql_close(my);
}
END_TEST

START_TEST(every_mask_reaches_the_proxy_on_nudge)
{
	/* no poll within the test: only glue_nudge makes pushes happen */
	struct glue *g = start("nudge", 600000);
	struct rpcc *rc = rpcc_new(kam_rpc);
	MYSQL *my = gt_connect();
	wait_in_sync(g, 0);
	ck_assert(rpcc_has_epoch(rc));
	char user[32], key[64];
	for (int round = 0; round < 2; round++)
		for (int m = 0; m < 16; m++) {
			int mask = round ? 15 - m : m;
			snprintf(user, sizeof user, "m%d", m);
			snprintf(key, sizeof key, "%s@push.test", user);
			gt_set_mask(my, user, "push.test", mask);
			glue_nudge(g);
			wait_value(g, rc, key, mask ? mask : -1, 10);
		}
	/* the cursor row follows the outbox */
	long long max = gt_scalar(my, "SELECT MAX(id) FROM proxy_event");
	double t0 = clock_mono_sec();
	while (gt_scalar(my, "SELECT last_event_id FROM proxy_cursor WHERE proxy LIKE 'nudge %'") != max) {
		ck_assert_msg(clock_mono_sec() - t0 < 10, "cursor did not reach %lld", max);
		glue_nudge(g);
		usleep(10000);
	}
	ck_assert_int_ge(proxy_figure(g, 0, "pushed"), 32);
	ck_assert_int_eq(rpcc_diff_db(rc, my), 0);
	glue_stop(g);
	rpcc_free(rc);
	mysql_close(my);
}
END_TEST

START_TEST(late_commit_of_a_lower_id_is_pushed)
{
	struct glue *g = start("late", 600000);
	struct rpcc *rc = rpcc_new(kam_rpc);
	MYSQL *a = gt_connect(), *b = gt_connect(), *c = gt_connect();
	wait_in_sync(g, 0);
	/* A takes the lower id and commits last */
	gt_exec(a, "BEGIN");
	gt_exec(a, "DELETE FROM grp WHERE username = 'early' AND domain = 'late.test'");
	gt_exec(a, "INSERT INTO grp (username, domain, grp) VALUES ('early', 'late.test', 'blocked')");
	gt_exec(a, "INSERT INTO proxy_event (username, domain) VALUES ('early', 'late.test')");
	long long ida = gt_scalar(a, "SELECT LAST_INSERT_ID()");
	gt_set_mask(b, "later", "late.test", GLUE_G_QUOTA);
	long long idb = gt_scalar(b, "SELECT MAX(id) FROM proxy_event");
	ck_assert_int_gt(idb, ida);
	glue_nudge(g);
	wait_value(g, rc, "later@late.test", GLUE_G_QUOTA, 10);
	/* the cursor must stay below A's id while A is open */
	usleep(200000);
	glue_nudge(g);
	usleep(50000);
	ck_assert_int_lt(gt_scalar(c, "SELECT last_event_id FROM proxy_cursor WHERE proxy LIKE 'late %'"), ida);
	gt_exec(a, "COMMIT");
	glue_nudge(g);
	wait_value(g, rc, "early@late.test", GLUE_G_BLOCKED, 4); /* within the gap grace */
	double t0 = clock_mono_sec();
	while (gt_scalar(c, "SELECT last_event_id FROM proxy_cursor WHERE proxy LIKE 'late %'") < idb) {
		ck_assert_msg(clock_mono_sec() - t0 < 10, "cursor did not pass the filled gap");
		glue_nudge(g);
		usleep(10000);
	}
	/* a rolled-back insert leaves a gap that the cursor passes after the grace */
	gt_exec(c, "BEGIN");
	gt_exec(c, "INSERT INTO proxy_event (username, domain) VALUES ('ghost', 'late.test')");
	long long idc = gt_scalar(c, "SELECT LAST_INSERT_ID()");
	gt_exec(c, "ROLLBACK");
	gt_set_mask(b, "after", "late.test", GLUE_G_ANON);
	glue_nudge(g);
	wait_value(g, rc, "after@late.test", GLUE_G_ANON, 10);
	ck_assert_int_lt(gt_scalar(b, "SELECT last_event_id FROM proxy_cursor WHERE proxy LIKE 'late %'"), idc);
	t0 = clock_mono_sec();
	while (gt_scalar(b, "SELECT last_event_id FROM proxy_cursor WHERE proxy LIKE 'late %'") <= idc) {
		ck_assert_msg(clock_mono_sec() - t0 < GLUE_GAP_GRACE_MS / 1000.0 + 8, "cursor stuck at the rolled-back id");
		glue_nudge(g);
		usleep(50000);
	}
	ck_assert_int_ge(clock_mono_sec() - t0, GLUE_GAP_GRACE_MS / 1000.0 - 1.5);
	glue_stop(g);
	rpcc_free(rc);
	mysql_close(a);
	mysql_close(b);
	mysql_close(c);
}
END_TEST

START_TEST(lost_table_is_rebuilt_without_stale_keys)
{
	struct glue *g = start("rebuild", 50);
	struct rpcc *rc = rpcc_new(kam_rpc);
	MYSQL *my = gt_connect();
	wait_in_sync(g, 0);
	gt_set_mask(my, "r1", "rebuild.test", GLUE_G_FREEPSTN);
	gt_set_mask(my, "r2", "rebuild.test", GLUE_G_FREEPSTN | GLUE_G_QUOTA);
	glue_nudge(g);
	wait_value(g, rc, "r2@rebuild.test", GLUE_G_FREEPSTN | GLUE_G_QUOTA, 10);
	long long before = proxy_figure(g, 0, "resyncs");
	/* the proxy forgets and invents: as after a restart plus garbage */
	rpcc_seti(rc, "acct", "ghost@rebuild.test", 5);
	rpcc_seti(rc, "acct", "no-domain-key", 3);
	rpcc_delete(rc, "acct", "r1@rebuild.test");
	rpcc_seti(rc, "acct", "r2@rebuild.test", 1);
	rpcc_delete(rc, "meta", "epoch");
	double t0 = clock_mono_sec();
	while (!rpcc_has_epoch(rc)) {
		ck_assert_msg(clock_mono_sec() - t0 < 15, "epoch not set again");
		usleep(20000);
	}
	ck_assert_int_eq(rpcc_diff_db(rc, my), 0);
	ck_assert_int_eq(rpcc_get(rc, "acct", "ghost@rebuild.test"), -1);
	ck_assert_int_eq(rpcc_get(rc, "acct", "no-domain-key"), -1);
	ck_assert_int_gt(proxy_figure(g, 0, "resyncs"), before);
	/* no epoch: the table was flushed first, nothing stale was left to find */
	ck_assert_int_eq(proxy_figure(g, 0, "last_resync_stale"), 0);
	glue_stop(g);
	rpcc_free(rc);
	mysql_close(my);
}
END_TEST

START_TEST(a_restarted_glue_trusts_only_its_own_epoch)
{
	struct rpcc *rc = rpcc_new(kam_rpc);
	MYSQL *my = gt_connect();
	struct glue *g = start("again", 20);
	wait_in_sync(g, 0);
	glue_stop(g);
	/* the proxy still carries this glue's epoch: resume from the cursor */
	g = start("again", 20);
	wait_in_sync(g, 0);
	ck_assert_int_eq(proxy_figure(g, 0, "resyncs"), 0);
	gt_set_mask(my, "ag", "again.test", GLUE_G_QUOTA);
	glue_nudge(g);
	wait_value(g, rc, "ag@again.test", GLUE_G_QUOTA, 10);
	glue_stop(g);
	/* another glue rebuilds the proxy meanwhile: no more trust */
	g = start("other", 20);
	wait_in_sync(g, 0);
	glue_stop(g);
	g = start("again", 20);
	wait_in_sync(g, 0);
	ck_assert_int_eq(proxy_figure(g, 0, "resyncs"), 1);
	ck_assert_int_eq(rpcc_diff_db(rc, my), 0);
	glue_stop(g);
	rpcc_free(rc);
	mysql_close(my);
}
END_TEST

START_TEST(two_glues_one_proxy_end_as_the_database)
{
	struct glue *gs[2] = { start("twin-a", 20), start("twin-b", 20) };
	struct rpcc *rc = rpcc_new(kam_rpc);
	MYSQL *my = gt_connect();
	wait_in_sync(gs[0], 0);
	wait_in_sync(gs[1], 0);
	srand(42);
	char user[32];
	for (int i = 0; i < 400; i++) {
		snprintf(user, sizeof user, "t%d", rand() % 25);
		gt_set_mask(my, user, "twin.test", rand() % 16);
		glue_nudge(gs[rand() % 2]);
	}
	wait_no_diff(gs, 2, rc, my, 15);
	long long max = gt_scalar(my, "SELECT MAX(id) FROM proxy_event");
	double t0 = clock_mono_sec();
	while (gt_scalar(my, "SELECT MIN(last_event_id) FROM proxy_cursor WHERE proxy LIKE 'twin-%'") != max) {
		/* a gap left by an earlier test may hold them for the grace */
		ck_assert_msg(clock_mono_sec() - t0 < GLUE_GAP_GRACE_MS / 1000.0 + 8, "both cursors should reach %lld", max);
		usleep(10000);
	}
	glue_stop(gs[0]);
	glue_stop(gs[1]);
	rpcc_free(rc);
	mysql_close(my);
}
END_TEST

/* the proxy carries another glue's epoch and keys nobody has: the resync
 * cannot flush (SIP is served meanwhile), it finds them with htable.dump */
START_TEST(a_foreign_table_loses_its_stale_keys)
{
	struct rpcc *rc = rpcc_new(kam_rpc);
	MYSQL *my = gt_connect();
	struct glue *g = start("foreign", 20);
	wait_in_sync(g, 0);
	glue_stop(g);
	rpcc_seti(rc, "acct", "ghost@foreign.test", 9);
	ck_assert_int_eq(rpcc_seti(rc, "meta", "epoch", 7), 200);
	g = start("foreign", 20);
	wait_in_sync(g, 0);
	ck_assert_int_eq(proxy_figure(g, 0, "resyncs"), 1);
	ck_assert_int_ge(proxy_figure(g, 0, "last_resync_stale"), 1);
	ck_assert_int_eq(rpcc_get(rc, "acct", "ghost@foreign.test"), -1);
	ck_assert_int_eq(rpcc_diff_db(rc, my), 0);
	glue_stop(g);
	rpcc_free(rc);
	mysql_close(my);
}
END_TEST

static void wait_in_sync_for(struct glue *g, double limit)
{
	double t0 = clock_mono_sec();
	while (!proxy_state_is(g, 0, "in-sync")) {
		ck_assert_msg(clock_mono_sec() - t0 < limit, "not in sync after %.0f s", limit);
		usleep(20000);
	}
}

/* A table far larger than one RPC timeout's worth of dump: 20k policy keys
 * with a 300 ms timeout, rebuilt both ways (flush after a lost epoch; dump
 * under a foreign epoch, whose timeout grows with the table). */
START_TEST(a_large_table_resyncs_despite_a_short_timeout)
{
	struct rpcc *rc = rpcc_new(kam_rpc);
	MYSQL *my = gt_connect();
	gt_exec(my, "INSERT IGNORE INTO grp (username, domain, grp)"
		    " SELECT CONCAT('b', seq), 'big.test', 'free-pstn' FROM seq_1_to_20000");
	struct cfg c;
	make_cfg_t(&c, "big", 20, "300");
	rpcc_delete(rc, "meta", "epoch");
	struct glue *g = glue_start(&c);
	ck_assert_ptr_nonnull(g);
	wait_in_sync_for(g, 40);
	ck_assert_int_ge(proxy_figure(g, 0, "last_resync_keys"), 20000);
	glue_stop(g);
	rpcc_seti(rc, "acct", "ghost@big.test", 1);
	ck_assert_int_eq(rpcc_seti(rc, "meta", "epoch", 8), 200);
	g = glue_start(&c);
	ck_assert_ptr_nonnull(g);
	wait_in_sync_for(g, 40);
	ck_assert_int_ge(proxy_figure(g, 0, "last_resync_keys"), 20000);
	ck_assert_int_ge(proxy_figure(g, 0, "last_resync_stale"), 1);
	ck_assert_int_eq(rpcc_get(rc, "acct", "ghost@big.test"), -1);
	ck_assert_int_eq(rpcc_get(rc, "acct", "b19999@big.test"), GLUE_G_FREEPSTN);
	glue_stop(g);
	cfg_free(&c);
	rpcc_free(rc);
	mysql_close(my);
}
END_TEST

START_TEST(a_dead_proxy_blocks_nobody)
{
	struct cfg c;
	char err[128], url[128];
	make_cfg(&c, "deadpeer", 20);
	/* a port nobody listens on, first in the list */
	snprintf(url, sizeof url, "http://127.0.0.1:%s/RPC", getenv("NGN_TEST_DEAD_PORT"));
	free(c.proxies[0]);
	c.proxies[0] = strdup(url);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/RPC", kam_rpc);
	cfg_set(&c, "proxy", url, err, sizeof err);
	struct glue *g = glue_start(&c);
	cfg_free(&c);
	ck_assert_ptr_nonnull(g);
	struct rpcc *rc = rpcc_new(kam_rpc);
	MYSQL *my = gt_connect();
	wait_in_sync(g, 1);
	gt_set_mask(my, "alive", "dead.test", GLUE_G_BLOCKED | GLUE_G_ANON);
	glue_nudge(g);
	wait_value(g, rc, "alive@dead.test", GLUE_G_BLOCKED | GLUE_G_ANON, 10);
	ck_assert(proxy_state_is(g, 0, "down"));
	ck_assert(proxy_state_is(g, 1, "in-sync"));
	/* the dead proxy's lag is visible */
	double t0 = clock_mono_sec();
	while (proxy_figure(g, 0, "lag_events") <= 0) {
		ck_assert_msg(clock_mono_sec() - t0 < 10, "no lag reported for the dead proxy");
		usleep(50000);
	}
	char buf[4096];
	size_t need = glue_status_json(g, buf, 16);
	ck_assert_uint_gt(need, 15);
	ck_assert_uint_eq(strlen(buf), 15);
	ck_assert_uint_lt(glue_status_json(g, buf, sizeof buf), sizeof buf);
	glue_stop(g);
	rpcc_free(rc);
	mysql_close(my);
}
END_TEST

/* write-through (glue.c W1-W3): glue_wait returns once every in-sync proxy
 * has the change, and a proxy that is down does not count */
START_TEST(write_through_waits_for_in_sync_proxies_only)
{
	struct cfg c;
	char err[128], url[128];
	make_cfg(&c, "wtwait", 600000);
	snprintf(url, sizeof url, "dead=http://127.0.0.1:%s/RPC", getenv("NGN_TEST_DEAD_PORT"));
	cfg_set(&c, "proxy", url, err, sizeof err);
	struct glue *g = glue_start(&c);
	cfg_free(&c);
	ck_assert_ptr_nonnull(g);
	struct rpcc *rc = rpcc_new(kam_rpc);
	MYSQL *my = gt_connect();
	wait_in_sync(g, 0);
	ck_assert(proxy_state_is(g, 1, "down"));
	ck_assert_int_eq(glue_wait(NULL, 1, 10), -1);
	ck_assert_int_eq(glue_wait(g, 0, 10), -1);
	for (int i = 0; i < 20; i++) {
		int mask = i & 1 ? GLUE_G_BLOCKED : GLUE_G_FREEPSTN | GLUE_G_QUOTA;
		gt_set_mask(my, "wt", "wtwait.test", mask);
		double t0 = clock_mono_sec();
		ck_assert_int_eq(glue_wait(g, glue_nudge(g), 10000), 0);
		ck_assert_msg(clock_mono_sec() - t0 < 5, "the dead proxy made the write wait");
		/* no polling: the proxy has it when glue_wait returns */
		ck_assert_int_eq(rpcc_get(rc, "acct", "wt@wtwait.test"), mask);
	}
	glue_stop(g);
	rpcc_free(rc);
	mysql_close(my);
}
END_TEST

START_TEST(prune_only_what_every_cursor_passed)
{
	MYSQL *my = gt_connect();
	for (int i = 0; i < 10; i++)
		gt_set_mask(my, "pr", "prune.test", i & 1);
	long long max = gt_scalar(my, "SELECT MAX(id) FROM proxy_event");
	/* a cursor far behind holds everything above it */
	char num[32];
	snprintf(num, sizeof num, "%lld", max - 5);
	const char *v[1] = { num };
	gt_execp(my, "INSERT INTO proxy_cursor (proxy, last_event_id) VALUES ('prune-test x', ?)", 1, v);
	long long floor = gt_scalar(my, "SELECT MIN(last_event_id) FROM proxy_cursor");
	long long above = gt_scalar(my, "SELECT COUNT(*) FROM proxy_event WHERE id > (SELECT MIN(last_event_id) FROM proxy_cursor)");
	struct db_cfg dc = { .socket = getenv("NGN_TEST_DB_SOCKET"), .user = "root", .password = "",
			     .database = "ngnprod" };
	struct db *db = db_new(&dc);
	uint64_t n = 0, total = 0;
	do {
		ck_assert_int_eq(glue_outbox_prune(db, 0, &n), NGN_OK);
		total += n;
	} while (n == 10000);
	ck_assert_int_eq(gt_scalar(my, "SELECT COUNT(*) FROM proxy_event WHERE id <= (SELECT MIN(last_event_id) FROM proxy_cursor)"), 0);
	ck_assert_int_eq(gt_scalar(my, "SELECT COUNT(*) FROM proxy_event"), above);
	ck_assert_int_le(floor, max - 5);
	/* rows younger than the minimum age stay */
	snprintf(num, sizeof num, "%lld", max);
	gt_execp(my, "UPDATE proxy_cursor SET last_event_id = ?", 1, v);
	ck_assert_int_eq(glue_outbox_prune(db, 600, &n), NGN_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(gt_scalar(my, "SELECT COUNT(*) FROM proxy_event"), above);
	db_free(db);
	mysql_close(my);
}
END_TEST

static Suite *glue_suite(void)
{
	Suite *s = suite_create("glue");
	TCase *u = tcase_create("unit");
	tcase_add_test(u, gaps_track_late_commits);
	tcase_add_test(u, gaps_merge_when_full);
	tcase_add_test(u, items_dedup_keeps_last);
	tcase_add_test(u, start_refuses_without_proxy_or_with_bad_url);
	suite_add_tcase(s, u);
	TCase *t = tcase_create("kamailio");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, a_new_glue_resumes_after_settled_events);
	tcase_add_test(t, every_mask_reaches_the_proxy_on_nudge);
	tcase_add_test(t, late_commit_of_a_lower_id_is_pushed);
	tcase_add_test(t, lost_table_is_rebuilt_without_stale_keys);
	tcase_add_test(t, a_restarted_glue_trusts_only_its_own_epoch);
	tcase_add_test(t, two_glues_one_proxy_end_as_the_database);
	tcase_add_test(t, a_dead_proxy_blocks_nobody);
	tcase_add_test(t, a_foreign_table_loses_its_stale_keys);
	tcase_add_test(t, a_large_table_resyncs_despite_a_short_timeout);
	tcase_add_test(t, write_through_waits_for_in_sync_proxies_only);
	tcase_add_test(t, prune_only_what_every_cursor_passed); /* last: it empties the outbox */
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	const char *rpc = getenv("NGN_TEST_KAM_RPC");
	if (rpc == NULL || getenv("NGN_TEST_DB_SOCKET") == NULL) {
		fprintf(stderr, "run under tests/integration/glue/check_glue.sh\n");
		return 99;
	}
	kam_rpc = atoi(rpc);
	log_set_level(getenv("NGN_TEST_VERBOSE") ? LOG_LVL_DEBUG : LOG_LVL_WARN);
	mysql_library_init(0, NULL, NULL);
	SRunner *sr = srunner_create(glue_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	mysql_library_end();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
