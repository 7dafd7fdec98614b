/* front.h: the HTTP side of ngnprod.
 *
 * One libevent thread accepts connections, parses HTTP (keep-alive,
 * HTTP/1.0, size limits and timeouts are evhttp's), serves the WSDL and the
 * status page itself, and queues each SOAP POST for the worker pool. A worker
 * serves exactly one request and hands the reply back to the event thread,
 * which sends it; the connection stays with libevent between requests, so
 * many keep-alive clients share a few workers fairly, and a slow client can
 * never pin a worker (it is read completely before a worker sees it). */
#ifndef NGN_FRONT_H
#define NGN_FRONT_H

struct cfg;
struct front;
struct glue;

/* Binds the listening socket and starts the workers. NULL on error (logged). */
struct front *front_new(const struct cfg *cfg, struct glue *glue);

/* Runs the event loop until SIGTERM/SIGINT, then drains: stops accepting,
 * finishes the requests in flight, sends their replies, and returns 0. */
int front_run(struct front *f);

void front_free(struct front *f);

/* The bound port (useful with port 0). */
unsigned front_port(const struct front *f);

#endif
