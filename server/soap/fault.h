/* fault.h: the single place where an internal status becomes a SOAP fault.
 *
 * Faults have the shape NGNPro clients decode: HTTP 500, faultcode
 * SOAP-ENV:Client or SOAP-ENV:Server, no faultactor, and
 * detail/exception/{errorcode, errorstring} with a non-empty errorstring. */
#ifndef NGN_FAULT_H
#define NGN_FAULT_H
#include "core/status.h"

struct soap;

struct fault_info {
	int errorcode;       /* NGNPro-style code, e.g. 1011 */
	int client;          /* 1: SOAP-ENV:Client (caller's fault); 0: SOAP-ENV:Server */
	const char *summary; /* faultstring when no message is given */
};

/* The row for a status; never NULL (unknown statuses map to the internal error). */
const struct fault_info *fault_lookup(enum ngn_status st);

/* Builds the fault on soap and returns SOAP_FAULT, for a handler to return.
 * msg (printf format, may be NULL) becomes errorstring; the faultstring is the
 * row's summary. st must not be NGN_OK. */
int ngn_fault(struct soap *soap, enum ngn_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* After gSOAP itself failed (parse error, type error, unknown method, ...):
 * turns soap->error into a fault with our detail (4000/4001) unless a handler
 * already built one. */
void fault_from_soap(struct soap *soap);

#endif
