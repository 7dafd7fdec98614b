/* mutation.h: the parts of the mutation test (tests/mutation/), shared by
 * its four files:
 *   mutate.c         deterministic byte-level and structural mutations of a
 *                    request body (the real client requests of the wire
 *                    fixtures);
 *   oracle.c         what a strict XML reader (libxml2, no recovery, no DTD)
 *                    says a body means: the method, its parameters as the
 *                    WSDL types them, and the conditions under which the
 *                    server must refuse it;
 *   state.c          the stored state of the accounts, domains and aliases a
 *                    case touches, read from MariaDB, and the snapshots the
 *                    cases start from;
 *   check_mutation.c the driver: state, request, oracles, report.
 * Test code only: out of memory aborts. */
#ifndef NGN_MUTATION_H
#define NGN_MUTATION_H
#include <stddef.h>
#include <stdint.h>

/* ---- byte buffers ---------------------------------------------------------------- */

struct buf {
	char *p;
	size_t n, cap;
};
void buf_set(struct buf *b, const void *p, size_t n);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* replaces [off, off+len) by p[0..n) */
void buf_splice(struct buf *b, size_t off, size_t len, const void *p, size_t n);
void buf_free(struct buf *b);
/* C-escaped copy of p[0..n) (printable ASCII kept, \r \n \t \xHH), at most
 * max input bytes (then "..."); malloc'd */
char *esc(const char *p, size_t n, size_t max);
void *xmalloc(size_t n);
char *xstrndup(const char *p, size_t n);

/* ---- mutations --------------------------------------------------------------------- */

struct rng {
	uint64_t s;
};
void rng_seed(struct rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_next(struct rng *r);
unsigned rng_below(struct rng *r, unsigned n);

enum mut_kind {
	M_FLIP, M_INSERT, M_DELETE, M_BADSEQ, M_CHARREF, M_STRAY, M_TRUNCATE,
	M_DUP, M_DROP, M_SWAP, M_ARRAY_TEXT, M_ARRAY_MIXED, M_ARRAY_DIMS, M_ARRAY_OFFSET,
	M_ITEM_NAME, M_DOCTYPE, M_ATTRS, M_NEST, M_NAMESPACE, M_XSITYPE, M_CDATA, M_SPACE,
	M_KINDS
};
extern const char *const mut_names[M_KINDS];

/* Applies one mutation of `kind` to body (the request body only). Appends a
 * short description ("kind: what, where") to desc. 0 when applied, -1 when
 * the body offers nothing for this kind (body unchanged). */
int mut_apply(struct rng *r, enum mut_kind kind, struct buf *body, struct buf *desc);

/* ---- the oracle ---------------------------------------------------------------------- */

#define NS_SOAP11 "http://schemas.xmlsoap.org/soap/envelope/"
#define NS_SOAP12 "http://www.w3.org/2003/05/soap-envelope"
#define NS_SOAPENC "http://schemas.xmlsoap.org/soap/encoding/"
#define NS_XSI "http://www.w3.org/2001/XMLSchema-instance"
#define NS_SIP "urn:AGProjects:NGNPro:Sip"
#define NS_TYPES "urn:AGProjects:NGNPro"
#define NS_CUSTOMER "urn:AGProjects:NGNPro:Customer"
#define MAX_ARRAY 10000 /* the server's max-array default (README) */

/* failure classes: the report counts failures per class */
enum fclass {
	F_TRANSPORT,      /* no complete HTTP reply, or a status other than 200/500 */
	F_REPLY_NOT_XML,  /* the reply is not well-formed XML */
	F_REPLY_STATUS,   /* 200 with a Fault, 500 without one */
	F_SANITIZER,      /* a sanitizer report in the server's log */
	F_DIED,           /* the server died or stopped answering */
	F_NOT_XML,        /* 200 for a body that is not (namespace-)well-formed XML */
	F_DOCTYPE,        /* 200 for a body with a DOCTYPE */
	F_ARRAY_TEXT,     /* 200 for an array member with text content */
	F_ARRAY_DIMS,     /* 200 for an array size/offset/position out of range */
	F_BAD_VALUE,      /* 200 for a value that is not of its type (int, boolean, decimal, nested elements) */
	F_BAD_ENVELOPE,   /* 200 for no SOAP envelope/Body or a method outside the Sip namespace */
	F_BAD_AUTH,       /* 200 although the auth header does not carry the test login */
	F_REFUSAL,        /* 200 for what the contract refuses (missing member, exists, not found, ...) */
	F_STATE,          /* 200, but the stored state is not what the body said */
	F_FAULT_CHANGED,  /* a fault (or a read) changed stored state */
	F_CLASSES
};
extern const char *const fclass_names[F_CLASSES];

/* a value as the body gives it, typed by the WSDL */
enum vkind { V_ABSENT, V_STR, V_INT, V_BOOL, V_DEC, V_STRUCT, V_ARRAY };
struct val {
	enum vkind k;
	int maybe_absent;    /* V_STR "" or an empty array without arrayType: the
				server may also read it as "not given" */
	char *s;             /* V_STR: text (NUL-terminated; no NUL inside) */
	long long i;         /* V_INT, V_BOOL, V_DEC (in 1/10000) */
	struct val *m;       /* V_STRUCT: members, in the order of the type's table */
	size_t nm;
	struct val *items;   /* V_ARRAY */
	size_t ni;
};

/* One reading of a request body. Some bodies have more than one honest
 * reading (a member given twice: the first or the last counts; a member
 * qualified with the Sip or the types namespace: node-soap style, which the
 * server may accept as the member or ignore as unknown), so the oracle makes
 * up to four and a reply is right when it agrees with any of them. */
struct reading {
	int refuse;          /* the server must refuse this body */
	enum fclass cls;     /* ...and this is the class of accepting it */
	char why[320];
	const char *method;  /* the Sip-port method (static string), NULL if none */
	const char *cmethod; /* or the Customer-port method (static string): its
				parameters are not read (params stays absent),
				only the envelope and the login are judged */
	int cwrite;          /* cmethod writes (add/update/deleteAccount, setProperties) */
	struct val params;   /* V_STRUCT of the method's parameters */
};

/* Strict parse: no recovery, no DTD loading, no entity substitution, no
 * network. *wf = well-formed and namespace-well-formed; *doctype = a DOCTYPE
 * is present. Returns the document (xmlDocPtr, NULL when not well-formed)
 * for oracle_read. why gets libxml2's first error. */
void *oracle_parse(const char *p, size_t n, int *wf, int *doctype, char *why, size_t wl);
void oracle_free_doc(void *doc);
/* Fills out[0..] with the distinct readings of doc (at most 4); returns how
 * many. login/password: what the auth header must carry. */
int oracle_read(void *doc, const char *login, const char *password, struct reading out[4]);
void reading_free(struct reading *r);
/* parameter `name` of the reading's method; member `name` of a value of
 * the WSDL type `type` ("SipId", "SipAccount", "SipDomain", "SipAlias",
 * "Property", "AccessListEntry", "PrepaidCard"). A V_ABSENT value when not
 * given. */
const struct val *param(const struct reading *r, const char *name);
const struct val *member(const struct val *v, const char *type, const char *name);
/* The errorcode of a SOAP fault reply (0: not a fault, -1: a fault without
 * a code); reply must be a parsed document. */
int oracle_fault_code(void *doc);

/* ---- stored state ------------------------------------------------------------------------- */

/* An entity's stored state as named fields, each a string ("" for SQL NULL
 * is not used: NULL reads as "(null)"). Sets are sorted and joined. */
#define ST_MAXF 32
struct state {
	int n;
	const char *name[ST_MAXF];
	char *v[ST_MAXF];
	size_t len[ST_MAXF];
};
void state_free(struct state *s);
const char *state_get(const struct state *s, const char *name);

/* Reads what is stored for an account, domain or alias (field "exists" is
 * "0"/"1"). Names are used as given (callers lower-case them). */
void state_account(const char *user, const char *domain, struct state *out);
void state_domain(const char *domain, struct state *out);
void state_alias(const char *user, const char *domain, struct state *out);
/* CHECKSUM TABLE of the Customer port's tables (customer, customer_property,
 * api_user: a customer owns its login) into *cust, and of every other table
 * the snapshots cover into *rest; both malloc'd, comparable with strcmp */
void state_sums(char **cust, char **rest);
/* the Customer port's keys: "c<id>" per customer and "p<id>/<name>" per
 * property, sorted and joined with 0x1E (malloc'd) */
char *state_cust_keys(void);
/* counts of subscriber, domain and dbaliases rows ("s/d/a") */
void state_counts(long long out[3]);

/* SQL on the test database (NGN_TEST_DB_*), one connection. */
void db_exec(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
long long db_scalar(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* the first column of the first row as a malloc'd string (NULL: no row/NULL) */
char *db_string(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* hex of p[0..n) for UNHEX('...') in SQL; malloc'd */
char *hexs(const char *p, size_t n);

/* Snapshots: every table of the database but the schema bookkeeping (the API
 * logins included: the Customer port creates and removes them) is copied to mutsnap_<slot>_<table> and restored from there in
 * one transaction. */
void snap_save(int slot);
void snap_restore(int slot);

#endif
