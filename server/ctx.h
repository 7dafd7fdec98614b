/* ctx.h: what a SOAP handler knows about the request it serves.
 *
 * The worker authenticates the auth header before dispatching, so a handler
 * is only ever called for a valid login; it finds the worker's database
 * connection, the configuration and the caller's scope here. Handlers pass
 * db and scope down to the store and never keep any of it past the request. */
#ifndef NGN_CTX_H
#define NGN_CTX_H
#include "status.h"

struct soap;
struct db;
struct cfg;

enum login_role { ROLE_ADMIN = 0, ROLE_RESELLER, ROLE_CUSTOMER };

/* Who is calling, as the store sees it. An admin without impersonate sees
 * everything; reseller/customer scoping (a later issue) narrows listings and
 * lookups to records whose reseller/customer id matches. */
struct scope {
	enum login_role role;
	unsigned reseller;   /* 0: any */
	unsigned customer;   /* 0: any */
};

struct req_ctx {
	struct db *db;
	const struct cfg *cfg;
	struct scope scope;
	const char *login;   /* API login name, for logs and history rows */
	struct glue *glue;   /* proxy-glue handle or NULL: nudged after commits */
};

/* The context of the request being served on soap; set by the worker. */
struct req_ctx *req_ctx(struct soap *soap);

#endif
