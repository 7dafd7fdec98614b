/* front.c: the libevent side (see front.h).
 *
 * Threads: everything here runs on the event thread except done_cb's
 * producer side (pool_done), which workers call; it only appends to `done`
 * under `done_lock` and activates `done_ev`. Every evhttp call happens on the
 * event thread.
 *
 * Connection limit: libevent 2.1 has no evhttp connection cap. We create
 * each connection's bufferevent (evhttp_set_bevcb) and learn that evhttp
 * closed the connection from its close callback, which link_cb installs
 * once evhttp has made the evhttp_connection (right after make_bev, in the
 * same loop turn). We hold no reference to the bufferevent past that: with
 * one, evhttp's close() of the socket came before the bufferevent's events
 * were deleted, so epoll kept a closed descriptor ("Epoll MOD(1) on fd N
 * failed ... Bad file descriptor" on every HTTP/1.0 or Connection: close
 * request and at shutdown), and a new connection given the same number
 * could get the old bufferevent's events. At max-connections the listener
 * is disabled, so new clients wait in the kernel's backlog, and it is
 * re-enabled by the sweep (on every new connection and every 100 ms) once
 * connections have closed.
 *
 * Framing: every byte a client sends goes through front_frame_scan
 * (front-internal.h) before evhttp's parser sees it; see refuse() for what
 * happens to a connection at the first byte RFC 9112 does not allow.
 *
 * HEAD gets the headers of GET and no body: every reply goes through
 * send_reply, which drops the body of a reply to HEAD.
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
#include <sys/socket.h>
#include "core/cfg.h"
#include "core/clock.h"
#include "core/embed.h"
#include "soap/fault.h"
#include "soap/optable.h"
#include "front-internal.h"
#include "front.h"
#include "glue.h"
#include "core/log.h"
#include "worker.h"

/* A client connection as the front sees it. Freed by the sweep once evhttp
 * has freed the connection and none of its requests is with a worker. */
struct conn {
	struct front *f;
	struct bufferevent *bev;  /* NULL once gone */
	struct evbuffer_cb_entry *in_cb;
	double req_start;   /* first byte of a request not yet read whole; 0: none */
	unsigned inflight;  /* its requests being served by workers */
	int linked;         /* conn_closed is installed; make_bev's reference dropped */
	int gone;           /* evhttp freed the connection */
	int refused;        /* REFUSE_*: the framing check failed */
	int mutating;       /* input_cb is changing the input buffer itself */
	uint64_t added;     /* bytes the client sent so far */
	struct front_frame frame;
};

enum { REFUSE_NONE, REFUSE_QUEUED, REFUSE_NOW };

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
	struct event *sweep_ev, *link_ev, *refuse_ev;
	int accepting_paused;
	int draining;
	unsigned port;
	unsigned long served, faults, overloaded, cut_slow;
};

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

/* Slow clients: evhttp's timeout restarts on every read, so a client that
 * trickles a byte at a time would never be cut. A request must arrive whole
 * within idle-timeout of its first byte; a connection still reading one
 * after that is closed (only while none of its requests is with a worker, so
 * no reply can be pending on it). */
static void sweep_connections(struct front *f)
{
	double now = clock_mono_sec();
	unsigned j = 0;
	for (unsigned i = 0; i < f->nconns; i++) {
		struct conn *c = f->conns[i];
		if (!c->gone && c->linked && c->req_start > 0 && c->inflight == 0
		    && now - c->req_start > (double)f->cfg->idle_timeout) {
			bufferevent_data_cb r, w;
			bufferevent_event_cb e;
			void *evcon;
			bufferevent_getcb(c->bev, &r, &w, &e, &evcon);
			if (evcon != NULL) {
				f->cut_slow++;
				c->req_start = 0;
				evhttp_connection_free(evcon); /* conn_closed marks c gone */
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

/* evhttp is freeing the connection (evhttp_connection_free, any path):
 * the bufferevent is still whole here and goes right after. */
static void conn_closed(struct evhttp_connection *evcon, void *arg)
{
	(void)evcon;
	struct conn *c = arg;
	if (c->gone)
		return;
	if (c->in_cb)
		evbuffer_remove_cb_entry(bufferevent_get_input(c->bev), c->in_cb);
	c->in_cb = NULL;
	c->gone = 1;
	c->bev = NULL;
}

/* Runs in the loop turn of make_bev, after evhttp has set up the connection
 * around the new bufferevent: installs conn_closed and drops make_bev's
 * reference. A bufferevent without callbacks by now was given up by evhttp
 * (out of memory) and is released. */
static void link_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct front *f = arg;
	for (unsigned i = 0; i < f->nconns; i++) {
		struct conn *c = f->conns[i];
		if (c->linked || c->gone)
			continue;
		bufferevent_data_cb r, w;
		bufferevent_event_cb e;
		void *evcon;
		bufferevent_getcb(c->bev, &r, &w, &e, &evcon);
		struct bufferevent *bev = c->bev;
		c->linked = 1;
		if (evcon != NULL && (r != NULL || w != NULL || e != NULL))
			evhttp_connection_set_closecb(evcon, conn_closed, c);
		else
			conn_closed(NULL, c);
		bufferevent_decref(bev);
	}
}

static const char REFUSAL[] = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 24\r\n"
			      "Connection: close\r\n\r\nMalformed HTTP framing.\n";

/* Closes the connections whose framing refuse() could not leave to evhttp:
 * evhttp is in the middle of reading their request, so its output is empty
 * (it reads a request only once the reply before it is written), and the
 * 400 goes straight to the socket before evhttp closes it. */
static void refuse_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct front *f = arg;
	for (unsigned i = 0; i < f->nconns; i++) {
		struct conn *c = f->conns[i];
		if (c->gone || c->refused != REFUSE_NOW)
			continue;
		bufferevent_data_cb r, w;
		bufferevent_event_cb e;
		void *evcon;
		bufferevent_getcb(c->bev, &r, &w, &e, &evcon);
		if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) /* else a 100 Continue is pending */
			(void)send(bufferevent_getfd(c->bev), REFUSAL, sizeof REFUSAL - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (evcon != NULL)
			evhttp_connection_free(evcon); /* conn_closed marks c gone */
	}
}

/* The byte at stream offset c->frame.pos is not valid framing. Nothing of
 * that request may reach evhttp's parser, and the client gets a 400 and a
 * close, after the replies to the requests before it:
 *   - the request starts inside the buffer (nothing of it parsed yet): the
 *     buffer is cut there and a line that evhttp refuses as a request-line
 *     is put in its place, so evhttp answers the requests before it, then
 *     400, then closes;
 *   - evhttp already parsed its start (it is reading the header section or
 *     the body of that very request): the buffer is emptied, reading stops
 *     and refuse_cb answers 400 and closes in this loop turn.
 * Bytes that arrive later are dropped unseen (input_cb), or in the first
 * case come after the refused line, where evhttp never reads. */
static void refuse(struct conn *c, struct evbuffer *buf)
{
	static const char poison[] = "\x01\r\n";
	size_t len = evbuffer_get_length(buf);
	uint64_t first = c->added - len; /* stream offset of the buffer's first byte */
	c->mutating = 1;
	if (c->frame.req_start >= first) {
		size_t keep = (size_t)(c->frame.req_start - first);
		struct evbuffer *head = evbuffer_new();
		if (head != NULL && evbuffer_remove_buffer(buf, head, keep) == (int)keep) {
			evbuffer_drain(buf, evbuffer_get_length(buf));
			evbuffer_add_buffer(buf, head);
			evbuffer_add(buf, poison, sizeof poison - 1);
			c->refused = REFUSE_QUEUED;
		}
		if (head != NULL)
			evbuffer_free(head);
	}
	if (c->refused != REFUSE_QUEUED) {
		evbuffer_drain(buf, evbuffer_get_length(buf));
		bufferevent_disable(c->bev, EV_READ);
		c->refused = REFUSE_NOW;
		event_active(c->f->refuse_ev, EV_READ, 0);
	}
	c->mutating = 0;
	log_debug("refused a request with malformed framing (stream offset %llu)",
		  (unsigned long long)c->frame.pos);
}

/* Called as bytes are added to a connection's input buffer (by the socket
 * read, before evhttp's read callback parses them) and removed (by evhttp). */
static void input_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	struct conn *c = arg;
	if (c->mutating || info->n_added == 0)
		return;
	if (c->req_start == 0)
		c->req_start = clock_mono_sec();
	c->added += info->n_added;
	if (c->refused) {
		if (c->refused == REFUSE_NOW) {
			c->mutating = 1;
			evbuffer_drain(buf, evbuffer_get_length(buf));
			c->mutating = 0;
		}
		return;
	}
	/* the new bytes are the last n_added of the buffer; a scan that cannot
	 * see all of them (never expected) refuses rather than lose its place */
	size_t todo = info->n_added;
	struct evbuffer_ptr at;
	if (evbuffer_ptr_set(buf, &at, evbuffer_get_length(buf) - todo, EVBUFFER_PTR_SET) != 0) {
		refuse(c, buf);
		return;
	}
	while (todo > 0) {
		struct evbuffer_iovec v[4];
		int n = evbuffer_peek(buf, (ev_ssize_t)todo, &at, v, 4);
		size_t seen = 0;
		for (int k = 0; k < n && k < 4 && seen < todo; k++) {
			size_t take = v[k].iov_len < todo - seen ? v[k].iov_len : todo - seen;
			if (front_frame_scan(&c->frame, v[k].iov_base, take) != 0) {
				refuse(c, buf);
				return;
			}
			seen += take;
		}
		todo -= seen;
		if (todo > 0 && (seen == 0 || evbuffer_ptr_set(buf, &at, seen, EVBUFFER_PTR_ADD) != 0)) {
			refuse(c, buf);
			return;
		}
	}
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
	/* no BEV_OPT_CLOSE_ON_FREE: evhttp shuts down and closes the socket
	 * itself when it frees the connection */
	struct bufferevent *bev = bufferevent_socket_new(base, -1, 0);
	if (bev == NULL || f->nconns >= f->conns_cap)
		return bev; /* untracked: only at the hard cap, see front_new */
	struct conn *c = calloc(1, sizeof *c);
	if (c == NULL)
		return bev;
	c->f = f;
	c->bev = bev;
	front_frame_init(&c->frame, f->cfg->max_body);
	/* held until link_cb: evhttp could give the bufferevent up before */
	bufferevent_incref(bev);
	c->in_cb = evbuffer_add_cb(bufferevent_get_input(bev), input_cb, c);
	f->conns[f->nconns++] = c;
	f->connections++;
	update_accepting(f);
	event_active(f->link_ev, EV_READ, 0);
	return bev;
}

/* ---- replies --------------------------------------------------------------- */

/* Every reply goes out here. A reply to HEAD keeps its headers (with the
 * Content-Length of the GET reply) and loses its body: evhttp 2.1 would
 * send it, and a keep-alive client would read it as the next reply. */
static void send_reply(struct evhttp_request *req, int status, const char *reason, struct evbuffer *body)
{
	if (body != NULL && evhttp_request_get_command(req) == EVHTTP_REQ_HEAD)
		evbuffer_drain(body, evbuffer_get_length(body));
	evhttp_send_reply(req, status, reason, body);
}

/* An error status with a short text body (evhttp_send_error's HTML body
 * would bypass send_reply). */
static void send_error(struct evhttp_request *req, int status, const char *reason)
{
	char body[96];
	int n = snprintf(body, sizeof body, "%d %s\n", status, reason);
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	char len[24];
	snprintf(len, sizeof len, "%d", n);
	evhttp_add_header(h, "Content-Length", len);
	evhttp_add_header(h, "Content-Type", "text/plain; charset=utf-8");
	struct evbuffer *b = evbuffer_new();
	if (b)
		evbuffer_add(b, body, (size_t)n);
	send_reply(req, status, reason, b);
	if (b)
		evbuffer_free(b);
}

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
	send_reply(req, status, status == 200 ? "OK" : "Internal Server Error", b);
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
	send_reply(req, status, reason, b);
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

/* which: embedded_wsdl[0] (the Sip port) or [2] (the Customer port) */
static void send_wsdl(struct front *f, struct evhttp_request *req, const char *prefix, int which)
{
	static const char placeholder[] = "http://127.0.0.1:9200/";
	const struct embedded_file *w = &embedded_wsdl[which];
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
	send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

/* ---- status -------------------------------------------------------------------- */

static void send_status(struct front *f, struct evhttp_request *req)
{
	char glue[8192] = "null";
	if (f->glue)
		glue_status_json(f->glue, glue, sizeof glue);
	/* per SOAP operation (soap/optable.h): calls, faults, time_us */
	char ops[8192];
	if (op_stats_json(pool_op_stats(f->pool), ops, sizeof ops) < 0)
		snprintf(ops, sizeof ops, "null");
	char body[sizeof glue + sizeof ops + 1024];
	int n = snprintf(body, sizeof body,
			 "{\"version\":\"%s\",\"workers\":%u,\"pending\":%u,\"connections\":%u,"
			 "\"max_connections\":%u,\"served\":%lu,\"faults\":%lu,\"overloaded\":%lu,"
			 "\"slow_clients_cut\":%lu,\"draining\":%s,\"operations\":%s,\"glue\":%s}\n",
			 PACKAGE_VERSION, f->cfg->workers, pool_pending(f->pool), f->connections,
			 f->cfg->max_connections, f->served, f->faults, f->overloaded,
			 f->cut_slow, f->draining ? "true" : "false", ops, glue);
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
		c->req_start = evbuffer_get_length(bufferevent_get_input(c->bev)) ? clock_mono_sec() : 0;
	int soap_path = !strcmp(path, "/") || !strcmp(path, "/ngnpro/") || !strcmp(path, "/ngnpro");
	const char *prefix = strncmp(path, "/ngnpro", 7) == 0 ? "/ngnpro/" : "/";
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);

	if (cmd == EVHTTP_REQ_GET || cmd == EVHTTP_REQ_HEAD) {
		if ((soap_path && query && !strcmp(query, "wsdl")) || !strcmp(path, "/wsdl")
		    || !strcmp(path, "/ngnpro/wsdl")) {
			send_wsdl(f, req, prefix, 0);
			return;
		}
		if (soap_path && query && !strcmp(query, "wsdl=Customer")) {
			send_wsdl(f, req, prefix, 2);
			return;
		}
		if (!strcmp(path, "/soap-encoding.xsd") || !strcmp(path, "/ngnpro/soap-encoding.xsd")) {
			/* the SOAP-ENC schema the WSDL imports by this relative name
			 * (wsdl/soap-encoding.xsd, embedded after the WSDL) */
			const struct embedded_file *x = &embedded_wsdl[1];
			send_text(req, 200, "OK", "text/xml; charset=utf-8", x->data, x->len);
			return;
		}
		if (!strcmp(path, "/status")) {
			send_status(f, req);
			return;
		}
		if (soap_path) {
			static const char help[] = "ngnprod: NGNPro-compatible Sip and Customer ports. POST SOAP 1.1"
						   " requests here; the WSDLs are at ?wsdl and ?wsdl=Customer\n";
			send_text(req, 200, "OK", "text/plain; charset=utf-8", help, sizeof help - 1);
			return;
		}
		send_error(req, 404, "Not Found");
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
	f->link_ev = event_new(f->base, -1, EV_PERSIST, link_cb, f);
	f->refuse_ev = event_new(f->base, -1, EV_PERSIST, refuse_cb, f);
	f->sweep_ev = event_new(f->base, -1, EV_PERSIST, sweep_cb, f);
	if (f->sweep_ev) {
		struct timeval tv = { 0, 100000 };
		event_add(f->sweep_ev, &tv);
	}
	f->sigterm = evsignal_new(f->base, SIGTERM, on_signal, f);
	f->sigint = evsignal_new(f->base, SIGINT, on_signal, f);
	if (!f->done_ev || !f->link_ev || !f->refuse_ev || !f->sigterm || !f->sigint)
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
	if (f->link_ev) /* connections accepted in the last loop turn */
		link_cb(-1, 0, f);
	f->bound = NULL; /* evhttp_free frees it */
	if (f->http)
		evhttp_free(f->http); /* conn_closed for every open connection */
	for (unsigned i = 0; i < f->nconns; i++)
		free(f->conns[i]);
	free(f->conns);
	if (f->sweep_ev)
		event_free(f->sweep_ev);
	if (f->link_ev)
		event_free(f->link_ev);
	if (f->refuse_ev)
		event_free(f->refuse_ev);
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
