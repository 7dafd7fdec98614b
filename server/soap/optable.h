/* optable.h: the declared table of SOAP operations (optable.c).
 *
 * One row per operation of the WSDL, in the manner of Kamailio's cmds[] and
 * RPC export tables: what an operation is called, which generated function
 * serves it and which of our functions do the work, whether it writes,
 * whether it nudges proxy-glue, and who may call it. The dispatcher
 * (soap_setup.c) finds a request's row here, GET /status reports per-row
 * counters (op_stats), and tests/unit/check_optable.c checks the table
 * against wsdl/ngnpro.wsdl both ways. */
#ifndef NGN_OPTABLE_H
#define NGN_OPTABLE_H
#include <stdatomic.h>
#include <stddef.h>

struct soap;

/* Who may call an operation (struct op.allow), one bit per kind of login. */
enum op_caller {
	OP_ADMIN = 1u << 0,    /* the operator's API logins (ROLE_ADMIN, core/scope.h) */
	OP_RESELLER = 1u << 1, /* ROLE_RESELLER, within its own scope */
	OP_CUSTOMER = 1u << 2, /* ROLE_CUSTOMER, within its own scope */
	OP_SELFCARE = 1u << 3, /* a SIP account for itself (no such login yet) */
};

/* What an operation does (struct op.flags). */
enum op_flag {
	OP_WRITES = 1u << 0,      /* it may change stored state (one transaction, COMMIT) */
	OP_NUDGES_GLUE = 1u << 1, /* a committed change may nudge proxy-glue (policy groups) */
};

/* A function named by a row for the reader and the linker, never called
 * through the row (its real type differs per operation). */
typedef void (*op_fn)(void);

struct op {
	const char *port;  /* the WSDL port: "Sip" (SipPortType, SipBinding) or "Customer" */
	const char *name;  /* the WSDL operation, also the request element's local name;
			    * unique within a port (four names are on both ports) */
	const char *qname; /* the element as gSOAP matches it: "ngn1:" + name for the Sip
			    * port, "ngn3:" + name for the Customer port (prefixes of
			    * namespaces[], SipBinding.nsmap) */
	int (*serve)(struct soap *soap); /* generated soap_serve_ngn1__<name> (ngn3__ for
					  * Customer): decodes the parameters, calls
					  * handler, encodes the reply */
	op_fn handler;     /* ours, ngn1__<name> / ngn3__<name> in server/soap/soap_*.c */
	op_fn store;       /* the store call that runs the operation's transaction */
	unsigned flags;    /* enum op_flag */
	unsigned allow;    /* enum op_caller */
};

/* The rows, sorted by name without regard to ASCII case (op_find searches
 * them so), rows of one name by port; op_count of them. */
extern const struct op op_table[];
extern const size_t op_count;

/* The row whose element gSOAP matches tag (soap->tag after
 * soap_peek_element: "prefix:local" or "local"), NULL for none: an
 * operation we do not have. */
const struct op *op_find(struct soap *soap, const char *tag);

/* Per-operation counters, one per row (index: row - op_table). Updated with
 * relaxed atomics by whichever worker serves the call, read by GET /status
 * without a lock: each value is exact, the three together a near snapshot. */
struct op_stats {
	atomic_ullong calls;  /* requests that reached the row (login valid) */
	atomic_ullong faults; /* ... answered with a SOAP fault */
	atomic_ullong nsec;   /* from the operation element read to the reply or fault written */
};

/* op_count zeroed counters (free()), or NULL on out of memory. */
struct op_stats *op_stats_new(void);

/* Writes {"<key>":{"calls":N,"faults":N,"time_us":N},...} for every row, in
 * table order, NUL-ended. The key is the name for a Sip-port row (as before
 * the Customer port existed) and "<port>.<name>" for any other row. Returns the length, or -1 if it does not fit. */
int op_stats_json(const struct op_stats *stats, char *buf, size_t size);

#endif
