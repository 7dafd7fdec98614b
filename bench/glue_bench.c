/* glue_bench.c: proxy-glue's speed against a real Kamailio (run through
 * bench/glue_bench.sh, which starts MariaDB and Kamailio on free ports).
 *   1. push to effect: N flips of one account's policy, each committed the way
 *      the store commits it (grp rows + proxy_event in one transaction), then
 *      glue_nudge; the time from COMMIT returned to htable.get on the proxy
 *      answering the new value (polled back to back). p50/p99/max.
 *   2. sustained rate: M events for M distinct accounts committed at once;
 *      time until the glue's cursor passes the last one.
 *   3. full resync of the M accounts after the proxy lost its epoch.
 * Prints figures only; asserts nothing about time. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/cfg.h"
#include "glue.h"
#include "gluetest.h"
#include "core/log.h"

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double figure(struct glue *g, const char *name)
{
	char buf[4096];
	glue_status_json(g, buf, sizeof buf);
	struct json_object *o = json_tokener_parse(buf), *arr, *v;
	double r = -1;
	if (o && json_object_object_get_ex(o, "proxies", &arr)
	    && json_object_object_get_ex(json_object_array_get_idx(arr, 0), name, &v))
		r = json_object_get_double(v);
	json_object_put(o);
	return r;
}

int main(int argc, char **argv)
{
	int flips = argc > 1 ? atoi(argv[1]) : 1000;
	int bulk = argc > 2 ? atoi(argv[2]) : 20000;
	int rpc = atoi(getenv("NGN_TEST_KAM_RPC") ? getenv("NGN_TEST_KAM_RPC") : "0");
	if (!rpc || !getenv("NGN_TEST_DB_SOCKET")) {
		fprintf(stderr, "run through bench/glue_bench.sh\n");
		return 2;
	}
	log_set_level(getenv("NGN_BENCH_VERBOSE") ? LOG_LVL_INFO : LOG_LVL_WARN);
	mysql_library_init(0, NULL, NULL);
	struct cfg c;
	char err[256], url[128];
	cfg_defaults(&c);
	cfg_set(&c, "db-socket", getenv("NGN_TEST_DB_SOCKET"), err, sizeof err);
	cfg_set(&c, "db-user", "root", err, sizeof err);
	cfg_set(&c, "db-password", "", err, sizeof err);
	cfg_set(&c, "glue-id", "bench", err, sizeof err);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/RPC", rpc);
	cfg_set(&c, "proxy", url, err, sizeof err);
	struct glue *g = glue_start(&c);
	cfg_free(&c);
	struct rpcc *rc = rpcc_new(rpc);
	MYSQL *my = gt_connect();
	double t0 = clock_mono_sec();
	while (!rpcc_has_epoch(rc) && clock_mono_sec() - t0 < 10)
		usleep(10000);

	/* 1. push to effect */
	double *lat = calloc((size_t)flips, sizeof *lat);
	int lost = 0;
	for (int i = 0; i < flips; i++) {
		int mask = (i & 1) ? 1 : 4 | 8;
		gt_set_mask(my, "flip", "bench.test", mask);
		double tc = clock_mono_sec();
		glue_nudge(g);
		while (rpcc_get(rc, "acct", "flip@bench.test") != mask) {
			if (clock_mono_sec() - tc > 2) {
				lost++;
				break;
			}
		}
		lat[i] = (clock_mono_sec() - tc) * 1000.0;
	}
	qsort(lat, (size_t)flips, sizeof *lat, cmp);
	printf("push to effect over %d flips (COMMIT returned -> htable.get shows it): p50 %.3f ms, p99 %.3f ms,"
	       " max %.3f ms, not seen within 2 s: %d\n", flips, lat[flips / 2], lat[flips * 99 / 100],
	       lat[flips - 1], lost);
	free(lat);

	/* 2. sustained rate */
	gt_exec(my, "CREATE TEMPORARY TABLE seq (n INT PRIMARY KEY)");
	char q[512];
	gt_exec(my, "INSERT INTO seq VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)");
	gt_exec(my, "INSERT INTO seq SELECT a.n + 10 * b.n FROM seq a, seq b WHERE a.n + 10 * b.n >= 10");
	gt_exec(my, "INSERT INTO seq SELECT a.n + 100 * b.n FROM seq a, seq b WHERE b.n BETWEEN 1 AND 9 AND a.n < 100");
	gt_exec(my, "INSERT INTO seq SELECT a.n + 1000 * b.n FROM seq a, seq b WHERE b.n BETWEEN 1 AND 99 AND a.n < 1000");
	gt_exec(my, "BEGIN");
	snprintf(q, sizeof q, "INSERT INTO grp (username, domain, grp) SELECT CONCAT('u', n), 'bulk.test',"
		 " 'free-pstn' FROM seq WHERE n < %d", bulk);
	gt_exec(my, q);
	snprintf(q, sizeof q, "INSERT INTO proxy_event (username, domain) SELECT CONCAT('u', n), 'bulk.test'"
		 " FROM seq WHERE n < %d ORDER BY n", bulk);
	gt_exec(my, q);
	gt_exec(my, "COMMIT");
	long long max = gt_scalar(my, "SELECT MAX(id) FROM proxy_event");
	double pushed0 = figure(g, "pushed");
	t0 = clock_mono_sec();
	glue_nudge(g);
	while (figure(g, "pushed_id") < (double)max && clock_mono_sec() - t0 < 120)
		usleep(1000);
	double dt = clock_mono_sec() - t0;
	double pushes = figure(g, "pushed") - pushed0;
	printf("sustained: %d events for %d accounts pushed in %.3f s: %.0f pushes/s (one keep-alive"
	       " connection, one call in flight)\n", bulk, bulk, dt, pushes / dt);

	/* 3. full resync */
	double resyncs = figure(g, "resyncs");
	rpcc_delete(rc, "meta", "epoch");
	t0 = clock_mono_sec();
	while (figure(g, "resyncs") <= resyncs && clock_mono_sec() - t0 < 120)
		usleep(10000);
	printf("resync after a lost epoch: %.0f keys in %.1f ms (glue figure), detected and done %.2f s after"
	       " the loss; table equals the database: %s\n", figure(g, "last_resync_keys"),
	       figure(g, "last_resync_ms"), clock_mono_sec() - t0, rpcc_diff_db(rc, my) == 0 ? "yes" : "NO");
	glue_stop(g);
	rpcc_free(rc);
	mysql_close(my);
	mysql_library_end();
	return 0;
}
