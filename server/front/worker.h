/* worker.h: the SOAP worker pool (used by front.c only).
 *
 * A job is one HTTP request body. Each worker thread owns one gSOAP context
 * and one database connection, takes a job, authenticates the auth header,
 * dispatches the operation, and leaves the reply in the job for the event
 * thread. Jobs are served in arrival order. */
#ifndef NGN_WORKER_H
#define NGN_WORKER_H
#include <stddef.h>

struct cfg;
struct glue;
struct op_stats;
struct pool;

struct job {
	void *req;          /* evhttp_request, owned by the event thread */
	void *conn;         /* the front's connection record (event thread only) */
	char *body;         /* NUL-ended request body (malloc) */
	size_t len;
	int status;         /* HTTP status of the reply */
	char *reply;        /* malloc'd reply XML */
	size_t reply_len;
	struct job *next;
	unsigned long long wt_ticket; /* write-through: parked until the proxies have it (worker.c) */
	long long wt_deadline_ms;     /* ... or until then (monotonic) */
};

/* Called from a worker thread when a job's reply is ready. */
typedef void (*pool_done_fn)(void *arg, struct job *job);

/* glue: the in-process proxy-glue (NULL: none); a request that changed policy
 * nudges it and, with glue-write-through-ms, its reply is held (not its
 * worker) until the proxies have the change (worker.c). */
struct pool *pool_new(const struct cfg *cfg, pool_done_fn done, void *done_arg, struct glue *glue);
/* Queues a job; returns -1 when queue-limit jobs are already waiting. */
int pool_submit(struct pool *p, struct job *job);
/* Jobs queued, being served, or with their reply held for write-through. */
unsigned pool_pending(struct pool *p);
/* The pool's per-operation counters: op_count of them (soap/optable.h),
 * updated by the workers with relaxed atomics, valid until pool_free. */
const struct op_stats *pool_op_stats(const struct pool *p);
/* Stops the workers after the queue is empty and joins them. */
void pool_free(struct pool *p);

#endif
