/* envelope.h: the SOAP requests of the benchmark, in the shape CDRTool's
 * PEAR client puts on the wire (see /work/shared/ngnpro-wire/requests), with
 * the values of one struct wl_op filled in. */
#ifndef BENCH_ENVELOPE_H
#define BENCH_ENVELOPE_H
#include <stddef.h>
#include "workload.h"

/* Writes the SOAP envelope for op into buf (NUL-ended). Returns its length,
 * or -1 if it does not fit. */
int envelope_build(char *buf, size_t cap, const struct wl_op *op, const char *group,
		   const char *login, const char *password);

#endif
