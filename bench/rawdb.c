/* rawdb.c: the database's own limit for each benchmark operation.
 *
 * Runs, over N connections (one thread and one MariaDB connection each, the
 * same connection settings as server/core/db.c: unix socket, utf8mb4,
 * READ-COMMITTED, autocommit off, CLIENT_FOUND_ROWS), the same SQL that
 * ngnprod runs for the operation: the same prepared statements, in the same
 * order, with the same number of round trips and the same COMMIT. What is
 * missing is everything of ours: HTTP, XML, SOAP, the worker hand-off. The
 * statements are copied from server/store/store_*.c (see raw_ops.c); run.sh checks
 * that both sides execute the same number of statements and commits per
 * operation (Com_stmt_execute, Com_commit), so a drift shows up in the table.
 *
 * Output: one key=value line, the same keys as loadgen.
 *
 * Usage: rawdb --socket PATH --workload NAME [--conns N] [--secs S]
 *        [--warmup S] [--accounts N] [--new-base N] [--group G] [--user U]
 *        [--db NAME] [--seed N] */
#include <mysql.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "hist.h"
#include "raw_ops.h"
#include "workload.h"

struct opts {
	const char *socket, *user, *db;
	unsigned conns;
	double secs, warmup;
	struct wl_cfg wl;
	uint64_t seed;
};

static struct opts o = { .user = "root", .db = "ngnprod", .conns = 1, .secs = 5, .warmup = 1 };
static _Atomic uint64_t seq_counter, errors, all_ok;
static uint64_t win_start, t_end;
static pthread_barrier_t ready, go;

struct thread {
	pthread_t th;
	unsigned idx;
	struct raw_conn rc;
	struct wl_conn wl;
	struct hist h;
	uint64_t done;
	int failed;
};

static void *run(void *arg)
{
	struct thread *t = arg;
	mysql_thread_init();
	if (raw_connect(&t->rc, o.socket, o.user, o.db)) {
		fprintf(stderr, "rawdb: connect: %s\n", raw_error(&t->rc));
		t->failed = 1;
	}
	pthread_barrier_wait(&ready);
	pthread_barrier_wait(&go);
	int shown = 0;
	while (!t->failed) {
		uint64_t s = bench_now_ns();
		if (s >= t_end)
			break;
		struct wl_op op;
		wl_next(&o.wl, &t->wl, atomic_fetch_add(&seq_counter, 1), &op);
		int r = raw_op(&t->rc, &op, o.wl.group);
		uint64_t e = bench_now_ns();
		if (r != 0) {
			atomic_fetch_add(&errors, 1);
			if (!shown++)
				fprintf(stderr, "rawdb: %s failed: %s\n", wl_name(op.kind), raw_error(&t->rc));
			if (raw_reconnect_if_needed(&t->rc, o.socket, o.user, o.db))
				break;
			continue;
		}
		atomic_fetch_add(&all_ok, 1);
		if (e >= win_start && e <= t_end) {
			hist_add(&t->h, e - s);
			t->done++;
		}
	}
	raw_close(&t->rc);
	mysql_thread_end();
	return NULL;
}

static void usage(void)
{
	fprintf(stderr, "usage: rawdb --socket PATH --workload NAME [--conns N] [--secs S] [--warmup S]\n"
			"       [--accounts N] [--new-base N] [--group G] [--user U] [--db NAME] [--seed N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	o.wl.kind = WL_COUNT;
	o.wl.accounts = 10000;
	o.wl.group = "bench-flip";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (v == NULL)
			usage();
		i++;
		if (!strcmp(a, "--socket"))
			o.socket = v;
		else if (!strcmp(a, "--user"))
			o.user = v;
		else if (!strcmp(a, "--db"))
			o.db = v;
		else if (!strcmp(a, "--conns"))
			o.conns = (unsigned)atoi(v);
		else if (!strcmp(a, "--secs"))
			o.secs = atof(v);
		else if (!strcmp(a, "--warmup"))
			o.warmup = atof(v);
		else if (!strcmp(a, "--accounts"))
			o.wl.accounts = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--new-base"))
			o.wl.new_base = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--group"))
			o.wl.group = v;
		else if (!strcmp(a, "--seed"))
			o.seed = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--workload")) {
			if (wl_parse(v, &o.wl.kind))
				usage();
		} else
			usage();
	}
	if (o.socket == NULL || o.conns == 0 || o.wl.kind == WL_COUNT)
		usage();
	o.wl.conns = o.conns;
	if (mysql_library_init(0, NULL, NULL))
		return 2;
	struct thread *ts = calloc(o.conns, sizeof *ts);
	if (ts == NULL)
		return 2;
	pthread_barrier_init(&ready, NULL, o.conns + 1);
	pthread_barrier_init(&go, NULL, o.conns + 1);
	for (unsigned i = 0; i < o.conns; i++) {
		ts[i].idx = i;
		wl_conn_init(&ts[i].wl, i, o.seed);
		pthread_attr_t at;
		pthread_attr_init(&at);
		pthread_attr_setstacksize(&at, 256 * 1024);
		if (pthread_create(&ts[i].th, &at, run, &ts[i])) {
			perror("pthread_create");
			return 2;
		}
		pthread_attr_destroy(&at);
	}
	/* the clock starts once every connection is up */
	pthread_barrier_wait(&ready);
	uint64_t t0 = bench_now_ns();
	win_start = t0 + (uint64_t)(o.warmup * 1e9);
	t_end = win_start + (uint64_t)(o.secs * 1e9);
	pthread_barrier_wait(&go);
	struct hist *h = calloc(1, sizeof *h);
	uint64_t cmin = UINT64_MAX, cmax = 0;
	int failed = 0;
	for (unsigned i = 0; i < o.conns; i++) {
		pthread_join(ts[i].th, NULL);
		hist_merge(h, &ts[i].h);
		failed |= ts[i].failed;
		if (ts[i].done < cmin)
			cmin = ts[i].done;
		if (ts[i].done > cmax)
			cmax = ts[i].done;
	}
	double window = o.secs;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	long long cpu = (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec
			+ (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec;
	printf("workload=%s conns=%u all=%llu ops=%llu errors=%llu reconnects=0 secs=%.3f rps=%.1f"
	       " mean_us=%.1f p50_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f conn_min=%llu conn_max=%llu cpu_us=%lld\n",
	       wl_name(o.wl.kind), o.conns, (unsigned long long)atomic_load(&all_ok), (unsigned long long)h->count,
	       (unsigned long long)atomic_load(&errors), window, (double)h->count / window,
	       h->count ? (double)h->sum_ns / (double)h->count / 1e3 : 0.0, (double)hist_quantile(h, 0.50) / 1e3,
	       (double)hist_quantile(h, 0.99) / 1e3, (double)hist_quantile(h, 0.999) / 1e3,
	       (double)h->max_ns / 1e3, (unsigned long long)cmin, (unsigned long long)cmax, cpu);
	free(h);
	free(ts);
	mysql_library_end();
	return failed ? 1 : 0;
}
