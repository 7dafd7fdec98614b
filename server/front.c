/* front.c: the libevent side (see front.h).
 *
 * Threads: everything here runs on the event thread except done_cb's
 * producer side (pool_done), which workers call; it only appends to `done`
 * under `done_lock` and activates `done_ev`. Every evhttp call happens on the
 * event thread.
 *
 * Connection limit: libevent 2.1 has no evhttp connection cap. We create
 * each connection's bufferevent (evhttp_set_bevcb), keep one reference to
 * it, and count it closed once evhttp has freed it (its callbacks are then
 * cleared). At max-connections the listener is disabled, so new clients wait
 * in the kernel's backlog, and it is re-enabled by the sweep (on every new
 * connection and every 100 ms) once connections have closed.
 *
 * Drain (SIGTERM/SIGINT): stop accepting, keep serving what was read, send
 * every pending reply, then leave the loop; idle keep-alive connections are
 * closed by evhttp_free. */
#include "config.h"
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cfg.h"
#include "embed.h"
#include "fault.h"
#include "front.h"
#include "glue.h"
#include "log.h"
#include "worker.h"

/* A client connection as the front sees it. Freed by the sweep once evhttp
 * has freed the connection and none of its requests is with a worker. */
struct conn {
	struct bufferevent *bev;
	double req_start;   /* first byte of a request not yet read whole; 0: none */
	unsigned inflight;  /* its requests being served by workers */
	int gone;           /* evhttp freed the connection */
};

struct front {
	const struct cfg *cfg;
	struct glue *glue;
	struct event_base *base;
	struct evhttp *http;
	struct evhttp_bound_socket *bound;
	struct pool *pool;
	struct event *done_ev, *sigterm, *sigint, *drain_timer;
	pthread_mutex_t done_lock;
	struct job *done_head, *done_tail;
	unsigned connections;
	struct conn **conns;        /* one bufferevent reference each: see sweep_connections */
	unsigned nconns, conns_cap;
	struct event *sweep_ev;
	int accepting_paused;
	int draining;
	unsigned port;
	unsigned long served, faults, overloaded, cut_slow;
};

static double now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char OVERLOAD_FAULT[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\""
	" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\""
	" xmlns:ngn2=\"urn:AGProjects:NGNPro\"><SOAP-ENV:Body><SOAP-ENV:Fault>"
	"<faultcode xsi:type=\"xsd:QName\">SOAP-ENV:Server</faultcode>"
	"<faultstring xsi:type=\"xsd:string\">Server overloaded, try again</faultstring>"
	"<detail><exception xsi:type=\"ngn2:Error\"><errorcode xsi:type=\"xsd:int\">9003</errorcode>"
	"<errorstring xsi:type=\"xsd:string\">Too many requests are waiting; retry shortly</errorstring>"
	"</exception></detail></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>\n";

/* ---- connection accounting ---------------------------------------------- */

static void update_accepting(struct front *f)
{
	if (f->bound == NULL)
		return;
	struct evconnlistener *l = evhttp_bound_socket_get_listener(f->bound);
	if (!f->accepting_paused && f->connections >= f->cfg->max_connections) {
		evconnlistener_disable(l);
		f->accepting_paused = 1;
		log_warn("max-connections (%u) reached: not accepting until one closes", f->cfg->max_connections);
	} else if (f->accepting_paused && f->connections < f->cfg->max_connections) {
		evconnlistener_enable(l);
		f->accepting_paused = 0;
	}
}

/* A tracked bufferevent whose callbacks were cleared has been freed by
 * evhttp (bufferevent_free clears them); our reference keeps the struct
 * readable until we drop it here.
 *
 * Slow clients: evhttp's timeout restarts on every read, so a client that
 * trickles a byte at a time would never be cut. A request must arrive whole
 * within idle-timeout of its first byte; a connection still reading one
 * after that is closed (only while none of its requests is with a worker, so
 * no reply can be pending on it). */
static void sweep_connections(struct front *f)
{
	double now = now_mono();
	unsigned j = 0;
	for (unsigned i = 0; i < f->nconns; i++) {
		struct conn *c = f->conns[i];
		bufferevent_data_cb r, w;
		bufferevent_event_cb e;
		void *a;
		if (!c->gone) {
			bufferevent_getcb(c->bev, &r, &w, &e, &a);
			if (r == NULL && w == NULL && e == NULL) {
				c->gone = 1;
				bufferevent_decref(c->bev);
				c->bev = NULL;
			} else if (c->req_start > 0 && c->inflight == 0
				   && now - c->req_start > (double)f->cfg->idle_timeout && a != NULL) {
				f->cut_slow++;
				c->req_start = 0;
				evhttp_connection_free(a); /* a: the evhttp_connection */
				c->gone = 1;
				bufferevent_decref(c->bev);
				c->bev = NULL;
			}
		}
		if (c->gone && c->inflight == 0)
			free(c);
		else
			f->conns[j++] = c;
	}
	f->nconns = j;
	unsigned live = 0;
	for (unsigned i = 0; i < f->nconns; i++)
		live += !f->conns[i]->gone;
	f->connections = live;
	update_accepting(f);
}

static void sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sweep_connections(arg);
}

static void input_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	(void)buf;
	struct conn *c = arg;
	if (info->n_added > 0 && c->req_start == 0)
		c->req_start = now_mono();
}

static struct conn *conn_of(struct front *f, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
	for (unsigned i = 0; bev && i < f->nconns; i++)
		if (f->conns[i]->bev == bev)
			return f->conns[i];
	return NULL;
}

static struct bufferevent *make_bev(struct event_base *base, void *arg)
{
	struct front *f = arg;
	sweep_connections(f);
	/* no BEV_OPT_CLOSE_ON_FREE: evhttp then shuts down and closes the
	 * socket itself when it frees the connection, never later */
	struct bufferevent *bev = bufferevent_socket_new(base, -1, 0);
	if (bev == NULL || f->nconns >= f->conns_cap)
		return bev; /* untracked: only at the hard cap, see front_new */
	struct conn *c = calloc(1, sizeof *c);
	if (c == NULL)
		return bev;
	c->bev = bev;
	bufferevent_incref(bev);
	evbuffer_add_cb(bufferevent_get_input(bev), input_cb, c);
	f->conns[f->nconns++] = c;
	f->connections++;
	update_accepting(f);
	return bev;
}

/* ---- replies --------------------------------------------------------------- */

/* libevent sends Content-Length only to HTTP/1.1 and keep-alive clients;
 * HTTP/1.0 clients that close (CDRTool's PEAR) get it too. */
static void add_length(struct evkeyvalq *h, size_t len)
{
	char n[24];
	snprintf(n, sizeof n, "%zu", len);
	evhttp_add_header(h, "Content-Length", n);
}

static void free_body(const void *data, size_t len, void *arg)
{
	(void)len;
	(void)arg;
	free((void *)data);
}

/* Sends an XML reply. owned: body is malloc'd and taken over: the evbuffer
 * refers to it instead of copying it and frees it once it is written, so a
 * large reply (getAccounts: ~75 KB) is neither copied again on the event
 * thread nor held twice while it waits for the socket. */
static void send_xml_as(struct evhttp_request *req, int status, const char *body, size_t len, int owned)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *b = evbuffer_new();
	int ok = b != NULL && body != NULL
		 && (owned ? evbuffer_add_reference(b, body, len, free_body, NULL) : evbuffer_add(b, body, len)) == 0;
	if (owned && !ok)
		free((void *)body);
	add_length(h, ok ? len : 0); /* out of memory: the status without a body */
	evhttp_add_header(h, "Content-Type", "text/xml; charset=utf-8");
	evhttp_add_header(h, "Server", "ngnprod/" PACKAGE_VERSION);
	evhttp_send_reply(req, status, status == 200 ? "OK" : "Internal Server Error", b);
	if (b)
		evbuffer_free(b);
}

static void send_xml(struct evhttp_request *req, int status, const char *body, size_t len)
{
	send_xml_as(req, status, body, len, 0);
}

static void send_text(struct evhttp_request *req, int status, const char *reason, const char *ctype,
		      const char *body, size_t len)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	add_length(h, len);
	evhttp_add_header(h, "Content-Type", ctype);
	struct evbuffer *b = evbuffer_new();
	evbuffer_add(b, body, len);
	evhttp_send_reply(req, status, reason, b);
	evbuffer_free(b);
}

/* pool_done: on a worker thread */
static void pool_done(void *arg, struct job *job)
{
	struct front *f = arg;
	job->next = NULL;
	pthread_mutex_lock(&f->done_lock);
	if (f->done_tail)
		f->done_tail->next = job;
	else
		f->done_head = job;
	f->done_tail = job;
	pthread_mutex_unlock(&f->done_lock);
	event_active(f->done_ev, EV_READ, 0);
}

static void done_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct front *f = arg;
	pthread_mutex_lock(&f->done_lock);
	struct job *job = f->done_head;
	f->done_head = f->done_tail = NULL;
	pthread_mutex_unlock(&f->done_lock);
	while (job) {
		struct job *next = job->next;
		/* evhttp keeps the request alive until we reply, even if its
		 * connection died meanwhile (then the reply is just dropped) */
		send_xml_as(job->req, job->status, job->reply, job->reply_len, 1);
		if (job->conn)
			((struct conn *)job->conn)->inflight--;
		f->served++;
		if (job->status != 200)
			f->faults++;
		free(job->body);
		free(job);
		job = next;
	}
}

/* ---- WSDL ---------------------------------------------------------------------- */

static int host_ok(const char *h)
{
	if (h == NULL || !*h || strlen(h) > 255)
		return 0;
	for (const char *p = h; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
		      || *p == '.' || *p == '-' || *p == ':' || *p == '[' || *p == ']'))
			return 0;
	return 1;
}

static void send_wsdl(struct front *f, struct evhttp_request *req, const char *prefix)
{
	static const char placeholder[] = "http://127.0.0.1:9200/";
	const struct embedded_file *w = &embedded_wsdl[0];
	const char *at = strstr(w->data, placeholder);
	char url[512];
	const char *host = evhttp_find_header(evhttp_request_get_input_headers(req), "Host");
	if (host_ok(host))
		snprintf(url, sizeof url, "http://%s%s", host, prefix);
	else
		snprintf(url, sizeof url, "http://%s:%u%s", f->cfg->listen, f->port, prefix);
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Content-Type", "text/xml; charset=utf-8");
	struct evbuffer *b = evbuffer_new();
	size_t total = at ? w->len - (sizeof placeholder - 1) + strlen(url) : w->len;
	add_length(h, total);
	if (at) {
		evbuffer_add(b, w->data, (size_t)(at - w->data));
		evbuffer_add(b, url, strlen(url));
		evbuffer_add(b, at + sizeof placeholder - 1, w->len - (size_t)(at - w->data) - (sizeof placeholder - 1));
	} else {
		evbuffer_add(b, w->data, w->len);
	}
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

/* ---- status -------------------------------------------------------------------- */

static void send_status(struct front *f, struct evhttp_request *req)
{
	char glue[8192] = "null";
	if (f->glue)
		glue_status_json(f->glue, glue, sizeof glue);
	char body[9216];
	int n = snprintf(body, sizeof body,
			 "{\"version\":\"%s\",\"workers\":%u,\"pending\":%u,\"connections\":%u,"
			 "\"max_connections\":%u,\"served\":%lu,\"faults\":%lu,\"overloaded\":%lu,"
			 "\"slow_clients_cut\":%lu,\"draining\":%s,\"glue\":%s}\n",
			 PACKAGE_VERSION, f->cfg->workers, pool_pending(f->pool), f->connections,
			 f->cfg->max_connections, f->served, f->faults, f->overloaded,
			 f->cut_slow, f->draining ? "true" : "false", glue);
	if (n < 0 || (size_t)n >= sizeof body)
		n = snprintf(body, sizeof body, "{\"error\":\"status too large\"}\n");
	send_text(req, 200, "OK", "application/json", body, (size_t)n);
}

/* ---- routing ----------------------------------------------------------------------- */

static void route(struct evhttp_request *req, void *arg)
{
	struct front *f = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
	if (path == NULL || *path == '\0')
		path = "/";
	struct conn *c = conn_of(f, req);
	if (c) /* this request is whole; bytes already read belong to the next */
		c->req_start = evbuffer_get_length(bufferevent_get_input(c->bev)) ? now_mono() : 0;
	int soap_path = !strcmp(path, "/") || !strcmp(path, "/ngnpro/") || !strcmp(path, "/ngnpro");
	const char *prefix = strncmp(path, "/ngnpro", 7) == 0 ? "/ngnpro/" : "/";
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);

	if (cmd == EVHTTP_REQ_GET || cmd == EVHTTP_REQ_HEAD) {
		if ((soap_path && query && !strcmp(query, "wsdl")) || !strcmp(path, "/wsdl")
		    || !strcmp(path, "/ngnpro/wsdl")) {
			send_wsdl(f, req, prefix);
			return;
		}
		if (!strcmp(path, "/status")) {
			send_status(f, req);
			return;
		}
		if (soap_path) {
			static const char help[] = "ngnprod: NGNPro-compatible Sip port. POST SOAP 1.1 requests here;"
						   " the WSDL is at ?wsdl\n";
			send_text(req, 200, "OK", "text/plain; charset=utf-8", help, sizeof help - 1);
			return;
		}
		evhttp_send_error(req, 404, NULL);
		return;
	}
	if (cmd != EVHTTP_REQ_POST) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, HEAD, POST");
		evhttp_send_error(req, 405, NULL);
		return;
	}
	if (!soap_path) {
		evhttp_send_error(req, 404, NULL);
		return;
	}
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	struct job *job = calloc(1, sizeof *job);
	char *body = malloc(len + 1);
	if (job == NULL || body == NULL) {
		free(job);
		free(body);
		evhttp_send_error(req, 503, NULL);
		return;
	}
	evbuffer_remove(in, body, len);
	body[len] = '\0';
	if (c) {
		c->inflight++;
		job->conn = c;
	}
	job->req = req;
	job->body = body;
	job->len = len;
	if (f->draining || pool_submit(f->pool, job) != 0) {
		if (c)
			c->inflight--;
		f->overloaded++;
		free(body);
		free(job);
		send_xml(req, 500, OVERLOAD_FAULT, sizeof OVERLOAD_FAULT - 1);
	}
}

/* ---- signals and drain ------------------------------------------------------------ */

static void drain_check(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct front *f = arg;
	pthread_mutex_lock(&f->done_lock);
	int replies_pending = f->done_head != NULL;
	pthread_mutex_unlock(&f->done_lock);
	if (pool_pending(f->pool) == 0 && !replies_pending) {
		log_info("drained: %lu requests served", f->served);
		event_base_loopexit(f->base, NULL);
	}
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	struct front *f = arg;
	if (f->draining)
		return;
	log_info("signal %d: draining in-flight requests", (int)sig);
	f->draining = 1;
	if (f->bound) {
		evhttp_del_accept_socket(f->http, f->bound);
		f->bound = NULL;
	}
	struct timeval tv = { 0, 20000 };
	f->drain_timer = event_new(f->base, -1, EV_PERSIST, drain_check, f);
	event_add(f->drain_timer, &tv);
}

struct front *front_new(const struct cfg *cfg, struct glue *glue)
{
	struct front *f = calloc(1, sizeof *f);
	if (f == NULL)
		return NULL;
	f->cfg = cfg;
	f->glue = glue;
	pthread_mutex_init(&f->done_lock, NULL);
	/* the changelist folds a connection's read/write interest changes of
	 * one loop turn into one epoll_ctl (-1.5 system calls a request,
	 * bench/RESULTS.md); its caveat, dup()ed descriptors, does not apply */
	struct event_config *ecfg = event_config_new();
	if (ecfg) {
		event_config_set_flag(ecfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
		f->base = event_base_new_with_config(ecfg);
		event_config_free(ecfg);
	}
	f->http = f->base ? evhttp_new(f->base) : NULL;
	if (f->http == NULL)
		goto fail;
	evhttp_set_max_body_size(f->http, (ev_ssize_t)cfg->max_body);
	evhttp_set_max_headers_size(f->http, (ev_ssize_t)cfg->max_headers);
	evhttp_set_timeout(f->http, (int)cfg->idle_timeout);
	evhttp_set_allowed_methods(f->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD
						   | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS);
	f->conns_cap = cfg->max_connections + 64;
	f->conns = calloc(f->conns_cap, sizeof *f->conns);
	if (f->conns == NULL)
		goto fail;
	evhttp_set_bevcb(f->http, make_bev, f);
	evhttp_set_gencb(f->http, route, f);
	f->bound = evhttp_bind_socket_with_handle(f->http, cfg->listen, (ev_uint16_t)cfg->port);
	if (f->bound == NULL) {
		log_error("cannot listen on %s:%u", cfg->listen, cfg->port);
		goto fail;
	}
	{
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		evutil_socket_t fd = evhttp_bound_socket_get_fd(f->bound);
		/* Linux hands TCP_NODELAY down to accepted sockets (make_bev never
		 * sees their descriptor): without it the last segment of a reply
		 * larger than one segment waits for the client's delayed ACK, ~40 ms
		 * per getAccounts (bench/RESULTS.md: 16 -> ~110 calls/s at 1 conn) */
		int one = 1;
		if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
			log_warn("cannot set TCP_NODELAY on the listening socket");
		if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
			if (ss.ss_family == AF_INET)
				f->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
			else if (ss.ss_family == AF_INET6)
				f->port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		}
	}
	f->done_ev = event_new(f->base, -1, EV_PERSIST, done_cb, f);
	f->sweep_ev = event_new(f->base, -1, EV_PERSIST, sweep_cb, f);
	if (f->sweep_ev) {
		struct timeval tv = { 0, 100000 };
		event_add(f->sweep_ev, &tv);
	}
	f->sigterm = evsignal_new(f->base, SIGTERM, on_signal, f);
	f->sigint = evsignal_new(f->base, SIGINT, on_signal, f);
	if (!f->done_ev || !f->sigterm || !f->sigint)
		goto fail;
	event_add(f->done_ev, NULL);
	event_add(f->sigterm, NULL);
	event_add(f->sigint, NULL);
	f->pool = pool_new(cfg, pool_done, f, glue);
	if (f->pool == NULL)
		goto fail;
	return f;
fail:
	front_free(f);
	return NULL;
}

int front_run(struct front *f)
{
	log_info("serving the Sip port on http://%s:%u/ with %u workers", f->cfg->listen, f->port,
		 f->cfg->workers);
	event_base_dispatch(f->base);
	return 0;
}

unsigned front_port(const struct front *f)
{
	return f->port;
}

void front_free(struct front *f)
{
	if (f == NULL)
		return;
	if (f->pool)
		pool_free(f->pool);
	if (f->base) {
		/* replies of requests finished during pool_free */
		done_cb(-1, 0, f);
	}
	if (f->http)
		evhttp_free(f->http);
	for (unsigned i = 0; i < f->nconns; i++) {
		if (!f->conns[i]->gone)
			bufferevent_decref(f->conns[i]->bev);
		free(f->conns[i]);
	}
	free(f->conns);
	if (f->sweep_ev)
		event_free(f->sweep_ev);
	if (f->done_ev)
		event_free(f->done_ev);
	if (f->sigterm)
		event_free(f->sigterm);
	if (f->sigint)
		event_free(f->sigint);
	if (f->drain_timer)
		event_free(f->drain_timer);
	if (f->base)
		event_base_free(f->base);
	pthread_mutex_destroy(&f->done_lock);
	free(f);
}
