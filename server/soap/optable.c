/* optable.c: every SOAP operation ngnprod serves, declared in one table.
 *
 * Why a table: the next issues add about forty operations. With a row each,
 * adding one is a row here (plus its handler and store call), and everything
 * that must know the set of operations reads it instead of keeping a list of
 * its own: the dispatcher (soap_setup.c) finds the row of the request's
 * element and calls its serve function, GET /status counts calls, faults
 * and time per row, and the tenancy issue will check the permission column
 * there. tests/unit/check_optable.c holds the table to the WSDL in
 * both directions, so an operation cannot be added to one and forgotten in
 * the other.
 *
 * The columns (struct op, optable.h):
 *  - serve is gSOAP's generated soap_serve_ngn1__<name> (gen/soapServer.c):
 *    it decodes the parameters, calls our handler ngn1__<name> and encodes
 *    the reply. gSOAP's own soap_serve_request would try the operations one
 *    soap_match_tag after another; we find the row by name instead and call
 *    the same generated function, so the reply is byte for byte the same.
 *  - handler and store name our code for the reader and the linker (a row
 *    naming a function that does not exist does not link); neither is called
 *    through the table, because every handler and store call has its own
 *    signature. store is the call that runs the operation's one
 *    transaction; where a handler calls more (getCreditHistory also frees
 *    the list with store_prepaid_history_free), the row names that one.
 *  - flags: OP_WRITES for an operation that may change stored state (a
 *    read skips its COMMIT, see db.c), OP_NUDGES_GLUE for one whose
 *    committed change may move an account's policy groups, so proxy-glue is
 *    nudged and the reply may wait for the proxies (write-through,
 *    worker.c). Both describe what the store does today (check_optable.c
 *    holds them to the names: NGNPro's reads are its get* operations);
 *    nothing reads them on the path of a request yet.
 *  - allow: who may call. Every row allows admin only, because the store
 *    does not yet narrow every call by scope, and the worker refuses every
 *    other login before dispatch (check_login, front/worker.c). The
 *    dispatcher does not check the column yet: the in-process tests call
 *    handlers with reseller and customer scopes to test the store's
 *    narrowing (tests/integration/check_core.c), which such a check would
 *    refuse. The tenancy issue moves the role check from check_login to the
 *    dispatcher, against this column, and widens the rows it opens.
 *
 * The Customer port (OPC rows) shares four operation names with the Sip
 * port; its rows sit next to the Sip rows of the same name (Customer
 * first) and gSOAP's namespace match picks between them.
 *
 * Invariant: rows are sorted by name, ASCII case ignored (check_optable.c
 * fails otherwise), because op_find searches them in halves that way: a
 * gSOAP built WITH_CASEINSENSITIVETAGS matches element names either way
 * (Debian's does not). The search only narrows the rows down; gSOAP's
 * soap_match_tag, namespace included, decides as it did in
 * soap_serve_request. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "soapH.h"
#include "store/store.h"
#include "store/store_prepaid.h"
#include "store/store_voucher.h"
#include "store/store_customer.h"
#include "optable.h"

#define W OP_WRITES
#define WG (OP_WRITES | OP_NUDGES_GLUE)
#define OP(name, store_fn, flags, allow) \
	{ "Sip", #name, "ngn1:" #name, soap_serve_ngn1__##name, (op_fn)ngn1__##name, (op_fn)store_fn, flags, allow }
/* a Customer-port row (urn:AGProjects:NGNPro:Customer, soap_customer.c) */
#define OPC(name, store_fn, flags, allow) \
	{ "Customer", #name, "ngn3:" #name, soap_serve_ngn3__##name, (op_fn)ngn3__##name, (op_fn)store_fn, \
	  flags, allow }

const struct op op_table[] = {
	/* name                  store call               flags  who may call
	 * (OP: Sip port, OPC: Customer port) */
	OPC(addAccount,           store_customer_add,      W,     OP_ADMIN),
	OP(addAccount,            store_account_add,       WG,    OP_ADMIN),
	OP(addAlias,              store_alias_add,         W,     OP_ADMIN),
	OP(addBalance,            store_prepaid_add,       W,     OP_ADMIN),
	OP(addBalanceFromVoucher, store_voucher_redeem,    W,     OP_ADMIN),
	OP(addDomain,             store_domain_add,        W,     OP_ADMIN),
	OP(addToGroup,            store_group_add,         WG,    OP_ADMIN),
	OPC(deleteAccount,        store_customer_delete,   W,     OP_ADMIN),
	OP(deleteAccount,         store_account_delete,    WG,    OP_ADMIN),
	OP(deleteAlias,           store_alias_delete,      W,     OP_ADMIN),
	OP(deleteDomain,          store_domain_delete,     W,     OP_ADMIN),
	OPC(getAccount,           store_customer_get,      0,     OP_ADMIN),
	OP(getAccount,            store_account_get,       0,     OP_ADMIN),
	OP(getAccounts,           store_account_list,      0,     OP_ADMIN),
	OP(getAlias,              store_alias_get,         0,     OP_ADMIN),
	OP(getAliases,            store_alias_list,        0,     OP_ADMIN),
	OP(getCreditHistory,      store_prepaid_history,   0,     OP_ADMIN),
	OPC(getCustomers,         store_customer_list,     0,     OP_ADMIN),
	OP(getDomains,            store_domain_list,       0,     OP_ADMIN),
	OP(getGroups,             store_group_list,        0,     OP_ADMIN),
	OP(getPrepaidStatus,      store_prepaid_status,    0,     OP_ADMIN),
	OPC(getProperties,        store_customer_get_props, 0,    OP_ADMIN),
	OPC(getResellers,         store_customer_list,     0,     OP_ADMIN),
	OP(removeFromGroup,       store_group_remove,      WG,    OP_ADMIN),
	OPC(setProperties,        store_customer_set_props, W,    OP_ADMIN),
	OPC(updateAccount,        store_customer_update,   W,     OP_ADMIN),
	OP(updateAccount,         store_account_update,    WG,    OP_ADMIN),
	OP(updateAlias,           store_alias_update,      W,     OP_ADMIN),
	OP(updateDomain,          store_domain_update,     W,     OP_ADMIN),
};
const size_t op_count = sizeof op_table / sizeof op_table[0];

/* strcasecmp for ASCII only, whatever the locale (as gSOAP compares tags) */
static int ascii_casecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int x = (unsigned char)*a, y = (unsigned char)*b;
		if (x == y) { /* the common case: fold only bytes that differ */
			if (x == 0)
				return 0;
			continue;
		}
		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return x - y;
	}
}

const struct op *op_find(struct soap *soap, const char *tag)
{
	if (tag == NULL)
		return NULL;
	const char *colon = strchr(tag, ':');
	const char *local = colon ? colon + 1 : tag;
	size_t lo = 0, hi = op_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ascii_casecmp(op_table[mid].name, local) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* the rows named local, ASCII case ignored (two for the names of both
	 * ports); gSOAP's own match decides, namespace included */
	for (; lo < op_count && ascii_casecmp(op_table[lo].name, local) == 0; lo++)
		if (soap_match_tag(soap, tag, op_table[lo].qname) == SOAP_OK)
			return &op_table[lo];
	return NULL;
}

struct op_stats *op_stats_new(void)
{
	struct op_stats *s = malloc(op_count * sizeof *s);
	for (size_t i = 0; s && i < op_count; i++) {
		atomic_init(&s[i].calls, 0);
		atomic_init(&s[i].faults, 0);
		atomic_init(&s[i].nsec, 0);
	}
	return s;
}

int op_stats_json(const struct op_stats *stats, char *buf, size_t size)
{
	size_t n = 0;
	for (size_t i = 0; i <= op_count; i++) {
		int w;
		int sip = i < op_count && strcmp(op_table[i].port, "Sip") == 0;
		if (i == op_count)
			w = snprintf(buf + n, size - n, "}");
		else
			w = snprintf(buf + n, size - n, "%s\"%s%s%s\":{\"calls\":%llu,\"faults\":%llu,\"time_us\":%llu}",
				     i ? "," : "{", sip ? "" : op_table[i].port, sip ? "" : ".", op_table[i].name,
				     atomic_load_explicit(&stats[i].calls, memory_order_relaxed),
				     atomic_load_explicit(&stats[i].faults, memory_order_relaxed),
				     atomic_load_explicit(&stats[i].nsec, memory_order_relaxed) / 1000);
		if (w < 0 || (size_t)w >= size - n)
			return -1;
		n += (size_t)w;
	}
	return (int)n;
}
