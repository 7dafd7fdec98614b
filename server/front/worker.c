/* worker.c: the worker pool (see worker.h).
 *
 * Queue invariants: `head..tail` holds jobs not yet taken, in arrival order;
 * `queued` counts them and `busy` counts jobs being served, both under
 * `lock`. A job leaves the pool exactly once, through done(). Workers exit
 * only when `stopping` is set and the queue is empty, so pool_free never
 * drops a request that was accepted.
 *
 * Idle workers wait on their own condition variable, on a stack: a new job
 * wakes the worker that went idle last (LIFO). At low load the same one or
 * two workers, their caches and their DB connections stay hot, and a wake-up
 * goes to exactly one thread. Before it waits, a worker ends the read its
 * DB connection may have left open (db_idle), so the COMMIT of a read costs
 * no request its round trip.
 *
 * Write-through: a handler whose transaction changed policy calls
 * req_policy_changed after COMMIT, which nudges the in-process glue and keeps
 * its ticket. Once the reply is encoded the worker parks the job (`parked`
 * list, under `lock`) and takes the next one: the write-through thread
 * (wt_run) hands each parked reply over once every in-sync proxy has the
 * change (glue_wait), or at its deadline (glue-write-through-ms after the
 * reply was ready), in parking order. A worker never waits for a proxy, so
 * policy writes cost the pool no throughput, only their own latency.
 * Tickets grow with time and a proxy acknowledges them in order, so the
 * parked head's wait also covers most of the jobs behind it. Without an
 * in-process glue (no --proxy: the proxies are ngnprod-glue's) nothing is
 * parked. pool_free stops the workers first, then the write-through thread,
 * which hands over every parked reply before it exits. */
#include <mysql.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "soapH.h"
#include "core/auth.h"
#include "core/cfg.h"
#include "core/clock.h"
#include "soap/ctx.h"
#include "core/db.h"
#include "soap/fault.h"
#include "glue.h"
#include "core/log.h"
#include "soap/optable.h"
#include "soap/soap_setup.h"
#include "worker.h"

struct worker {
	pthread_t th;
	struct pool *pool;
	struct soap *soap;
	struct db *db;
	struct req_ctx ctx;
	char login[65];
	unsigned long long ticket; /* glue_nudge ticket of this request's policy change, 0: none */
	pthread_cond_t wake;
	struct worker *next_idle;
	int idle;               /* on the pool's idle stack */
};

struct pool {
	const struct cfg *cfg;
	pthread_mutex_t lock;
	struct worker *idle;    /* idle stack, most recent first */
	struct job *head, *tail;
	unsigned queued, busy;
	int stopping;
	pool_done_fn done;
	void *done_arg;
	struct auth_cache *auth;
	struct glue *glue;      /* in-process proxy-glue, or NULL */
	unsigned nworkers;
	struct worker *workers;
	struct op_stats *ops;   /* per-operation counters (optable.h), for GET /status */
	/* write-through: replies held until the proxies have the change */
	struct job *parked_head, *parked_tail;
	unsigned parked;
	int wt_stopping, wt_started;
	pthread_cond_t wt_wake;
	pthread_t wt_th;
};

/* The write-through thread: parked replies, oldest first. */
static void *wt_run(void *arg)
{
	struct pool *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->lock);
		while (p->parked_head == NULL && !p->wt_stopping)
			pthread_cond_wait(&p->wt_wake, &p->lock);
		struct job *job = p->parked_head;
		if (job == NULL) {
			pthread_mutex_unlock(&p->lock);
			break;
		}
		p->parked_head = job->next;
		if (p->parked_head == NULL)
			p->parked_tail = NULL;
		pthread_mutex_unlock(&p->lock);
		long long left = job->wt_deadline_ms - clock_mono_ms();
		glue_wait(p->glue, job->wt_ticket, left > 0 ? (unsigned)left : 0);
		pthread_mutex_lock(&p->lock);
		p->parked--;
		pthread_mutex_unlock(&p->lock);
		p->done(p->done_arg, job);
	}
	return NULL;
}

/* Runs after the header is parsed, before the operation: the login must be
 * valid, and the header is dropped so it is never echoed in the reply. */
static int check_login(struct soap *soap, void *arg)
{
	struct worker *w = arg;
	struct ngn2__Login *login = NULL;
	if (soap->header)
		login = soap->header->auth ? soap->header->auth : soap->header->ngn2__auth;
	soap->header = NULL;
	if (login == NULL || login->username == NULL || login->password == NULL) {
		ngn_fault(soap, NGN_E_AUTH_MISSING, "The auth header with username and password is required");
		return 1;
	}
	struct scope scope;
	enum ngn_status st = auth_check(w->pool->auth, w->db, login->username, login->password, &scope);
	if (st != NGN_OK) {
		if (st == NGN_E_AUTH_FAILED)
			ngn_fault(soap, st, "Login failed for '%s'", login->username);
		else
			ngn_fault(soap, st, NULL);
		return 1;
	}
	/* Reseller/customer scoping is not enforced by the store yet: such logins
	 * would see and change everything, so they are refused until it is. */
	if (scope.role != ROLE_ADMIN) {
		ngn_fault(soap, NGN_E_FORBIDDEN, "Login '%s' is a reseller or customer login; only operator"
			  " (admin) logins are supported by this version", login->username);
		return 1;
	}
	w->ctx.scope = scope;
	snprintf(w->login, sizeof w->login, "%s", login->username);
	w->ctx.login = w->login;
	return 0;
}

static void serve(struct worker *w, struct job *job)
{
	const char *reply;
	size_t len;
	job->status = edge_serve(w->soap, job->body, job->len, check_login, w, w->pool->ops, &reply, &len);
	job->reply = malloc(len + 1);
	if (job->reply) {
		memcpy(job->reply, reply, len + 1);
		job->reply_len = len;
	} else {
		job->status = 503;
		job->reply_len = 0;
	}
	/* soap_dealloc rather than soap_end: the next soap_begin clears the
	 * temporary tables anyway, and each clear walks gSOAP's fixed-size hash
	 * tables (bench/RESULTS.md: ~50k instructions a call) */
	soap_destroy(w->soap);
	soap_dealloc(w->soap, NULL);
	w->ctx.login = NULL;
}

/* req_policy_changed, after COMMIT: push now, and remember what to wait for */
static void policy_changed(void *arg)
{
	struct worker *w = arg;
	unsigned long long t = glue_nudge(w->pool->glue);
	if (t > w->ticket)
		w->ticket = t;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	struct pool *p = w->pool;
	mysql_thread_init();
	for (;;) {
		pthread_mutex_lock(&p->lock);
		while (p->head == NULL && !p->stopping) {
			if (db_read_open(w->db)) {
				pthread_mutex_unlock(&p->lock);
				db_idle(w->db);
				pthread_mutex_lock(&p->lock);
				continue;
			}
			if (!w->idle) {
				w->idle = 1;
				w->next_idle = p->idle;
				p->idle = w;
			}
			pthread_cond_wait(&w->wake, &p->lock);
		}
		struct job *job = p->head;
		if (job == NULL) {
			pthread_mutex_unlock(&p->lock);
			break;
		}
		p->head = job->next;
		if (p->head == NULL)
			p->tail = NULL;
		p->queued--;
		p->busy++;
		pthread_mutex_unlock(&p->lock);

		serve(w, job);
		/* write-through: park the reply (in the same critical section as
		 * busy--, so pool_pending never misses it) */
		int park = w->ticket && p->wt_started;
		if (park) {
			job->wt_ticket = w->ticket;
			job->wt_deadline_ms = clock_mono_ms() + p->cfg->glue_write_through_ms;
			job->next = NULL;
		}
		w->ticket = 0;

		pthread_mutex_lock(&p->lock);
		p->busy--;
		if (park) {
			if (p->parked_tail)
				p->parked_tail->next = job;
			else
				p->parked_head = job;
			p->parked_tail = job;
			p->parked++;
			pthread_cond_signal(&p->wt_wake);
		}
		pthread_mutex_unlock(&p->lock);
		if (!park)
			p->done(p->done_arg, job);
	}
	mysql_thread_end();
	return NULL;
}

struct pool *pool_new(const struct cfg *cfg, pool_done_fn done, void *done_arg, struct glue *glue)
{
	struct pool *p = calloc(1, sizeof *p);
	if (p == NULL)
		return NULL;
	p->cfg = cfg;
	p->done = done;
	p->done_arg = done_arg;
	p->glue = glue;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wt_wake, NULL);
	p->auth = auth_cache_new(cfg->auth_cache_ttl);
	p->nworkers = cfg->workers ? cfg->workers : 1;
	p->workers = calloc(p->nworkers, sizeof *p->workers);
	p->ops = op_stats_new();
	if (p->auth == NULL || p->workers == NULL || p->ops == NULL)
		goto fail;
	struct edge_limits lim = { cfg->max_body, cfg->max_string, cfg->max_array, cfg->max_depth };
	for (unsigned i = 0; i < p->nworkers; i++) {
		struct worker *w = &p->workers[i];
		w->pool = p;
		pthread_cond_init(&w->wake, NULL);
		w->soap = edge_new(&lim);
		w->db = db_new(&cfg->db);
		if (w->soap == NULL || w->db == NULL)
			goto fail;
		w->ctx.db = w->db;
		w->ctx.cfg = cfg;
		w->ctx.policy_changed = glue ? policy_changed : NULL;
		w->ctx.policy_arg = w;
		w->soap->user = &w->ctx;
	}
	if (glue && cfg->glue_write_through_ms) {
		if (pthread_create(&p->wt_th, NULL, wt_run, p) != 0)
			log_warn("cannot start the write-through thread: replies do not wait for the proxies");
		else
			p->wt_started = 1;
	}
	for (unsigned i = 0; i < p->nworkers; i++) {
		if (pthread_create(&p->workers[i].th, NULL, run, &p->workers[i]) != 0) {
			log_error("cannot start worker %u", i);
			p->nworkers = i;
			pool_free(p);
			return NULL;
		}
	}
	return p;
fail:
	log_error("cannot create the worker pool (out of memory)");
	for (unsigned i = 0; p->workers && i < p->nworkers; i++) {
		if (p->workers[i].soap)
			soap_free(p->workers[i].soap);
		db_free(p->workers[i].db);
	}
	free(p->workers);
	free(p->ops);
	auth_cache_free(p->auth);
	free(p);
	return NULL;
}

int pool_submit(struct pool *p, struct job *job)
{
	job->next = NULL;
	pthread_mutex_lock(&p->lock);
	if (p->stopping || p->queued >= p->cfg->queue_limit) {
		pthread_mutex_unlock(&p->lock);
		return -1;
	}
	if (p->tail)
		p->tail->next = job;
	else
		p->head = job;
	p->tail = job;
	p->queued++;
	struct worker *w = p->idle;
	if (w) {
		p->idle = w->next_idle;
		w->idle = 0;
		pthread_cond_signal(&w->wake);
	}
	pthread_mutex_unlock(&p->lock);
	return 0;
}

unsigned pool_pending(struct pool *p)
{
	pthread_mutex_lock(&p->lock);
	unsigned n = p->queued + p->busy + p->parked;
	pthread_mutex_unlock(&p->lock);
	return n;
}

const struct op_stats *pool_op_stats(const struct pool *p)
{
	return p->ops;
}

void pool_free(struct pool *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = 1;
	for (unsigned i = 0; i < p->nworkers; i++)
		pthread_cond_signal(&p->workers[i].wake);
	pthread_mutex_unlock(&p->lock);
	for (unsigned i = 0; i < p->nworkers; i++)
		pthread_join(p->workers[i].th, NULL);
	if (p->wt_started) { /* after the workers: nothing is parked any more */
		pthread_mutex_lock(&p->lock);
		p->wt_stopping = 1;
		pthread_cond_signal(&p->wt_wake);
		pthread_mutex_unlock(&p->lock);
		pthread_join(p->wt_th, NULL);
	}
	for (unsigned i = 0; i < p->nworkers; i++) {
		soap_destroy(p->workers[i].soap);
		soap_end(p->workers[i].soap);
		soap_free(p->workers[i].soap);
		db_free(p->workers[i].db);
		pthread_cond_destroy(&p->workers[i].wake);
	}
	free(p->workers);
	free(p->ops);
	auth_cache_free(p->auth);
	pthread_cond_destroy(&p->wt_wake);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
