/* scope.h: who is calling, as every layer below the SOAP edge sees it.
 *
 * Its own header because the store, the login check and the edge all need it:
 * the store takes a scope in every call and must not include the handler's
 * request context (soap/ctx.h) to get it. */
#ifndef NGN_SCOPE_H
#define NGN_SCOPE_H

enum login_role { ROLE_ADMIN = 0, ROLE_RESELLER, ROLE_CUSTOMER };

/* An admin without impersonate sees everything; reseller/customer scoping
 * (a later issue) narrows listings and lookups to records whose
 * reseller/customer id matches. */
struct scope {
	enum login_role role;
	unsigned reseller;   /* 0: any */
	unsigned customer;   /* 0: any */
};

#endif
