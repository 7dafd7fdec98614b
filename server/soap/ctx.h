/* ctx.h: what a SOAP handler knows about the request it serves.
 *
 * The worker authenticates the auth header before dispatching, so a handler
 * is only ever called for a valid login; it finds the worker's database
 * connection, the configuration and the caller's scope here. Handlers pass
 * db and scope down to the store and never keep any of it past the request. */
#ifndef NGN_CTX_H
#define NGN_CTX_H
#include "core/scope.h"
#include "core/status.h"

struct soap;
struct db;
struct cfg;

struct req_ctx {
	struct db *db;
	const struct cfg *cfg;
	struct scope scope;
	const char *login;   /* API login name, for logs and history rows */
	/* Called after a transaction that wrote proxy_event rows has committed,
	 * so proxy-glue pushes at once instead of at its next poll, and the
	 * worker holds the reply until the proxies have it (write-through,
	 * worker.c). May be NULL. */
	void (*policy_changed)(void *arg);
	void *policy_arg;
};

/* The context of the request being served on soap: soap->user points to it
 * (the worker sets it; in-process tests set it the same way). */
struct req_ctx *req_ctx(struct soap *soap);

static inline void req_policy_changed(const struct req_ctx *r)
{
	if (r->policy_changed)
		r->policy_changed(r->policy_arg);
}

#endif
