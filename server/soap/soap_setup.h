/* soap_setup.h: the SOAP edge's entry points (prefix edge_; soap_ is
 * gSOAP's): gSOAP contexts configured the way ngnprod serves (in-memory XML,
 * strict limits, output typed with xsi:type everywhere), and serving one
 * request on one, dispatched through the operation table (optable.h). */
#ifndef NGN_SOAP_SETUP_H
#define NGN_SOAP_SETUP_H
#include <stddef.h>

struct soap;
struct op_stats;

struct edge_limits {
	size_t max_body;     /* recv_maxlength */
	size_t max_string;   /* maxlength */
	unsigned max_array;  /* maxoccurs */
	unsigned max_depth;  /* maxlevel */
};

/* A context that parses a request from memory and writes its reply to
 * memory (see edge_serve). NULL on out of memory. */
struct soap *edge_new(const struct edge_limits *lim);

/* Serves one request held in body (NUL-ended, len bytes) on soap, calling
 * before_dispatch(soap, arg) once the header is parsed (it authenticates
 * and may build a fault, returning non-zero to stop). The operation is
 * found in op_table (an unknown one is fault 4001). If stats is not NULL
 * (op_count counters, op_stats_new), the call is counted in its row's
 * counters there. On return *reply points to the reply XML
 * (owned by soap until soap_end) and the result is the HTTP status to send:
 * 200, or 500 for a fault. */
int edge_serve(struct soap *soap, const char *body, size_t len,
	       int (*before_dispatch)(struct soap *, void *), void *arg, struct op_stats *stats,
	       const char **reply, size_t *reply_len);

#endif
