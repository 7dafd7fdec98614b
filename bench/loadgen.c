/* loadgen.c: HTTP/1.1 keep-alive load generator for ngnprod's SOAP port.
 *
 * One thread, epoll, N connections to 127.0.0.1 (nothing else is allowed).
 * Closed loop by default: each connection sends its next request as soon as
 * the previous reply is complete. With --rate, requests are due at fixed
 * times (open loop) and a request's latency counts from when it was due, so
 * a stalled server is not hidden by the generator waiting for it
 * (coordinated omission).
 *
 * A run is bounded by time (--secs after --warmup) and/or by the number of
 * requests (--max). Only replies completed inside the measured window count.
 * Output is one line of key=value pairs on stdout (see print_result); the
 * first failed reply is shown on stderr.
 *
 * Usage: loadgen --port P --workload NAME [--conns N] [--secs S] [--warmup S]
 *        [--max N] [--rate R] [--accounts N] [--new-base N] [--group G]
 *        [--login L --password P] [--server-pid PID] [--idle S] [--seed N]
 *        [--probe-port RPC_PORT [--probe-every N] [--probe-bit B]] */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "envelope.h"
#include "hist.h"
#include "workload.h"

#define OUT_CAP 16384
#define BODY_CAP 12288

struct probe {
	char key[64];           /* user@domain */
	int want;               /* the policy bit must be set (1) or clear (0) */
	uint64_t t_sent, t_reply, t_deadline;
};

struct conn {
	int fd;
	unsigned idx;
	unsigned port;
	int is_probe;           /* a JSON-RPC connection to Kamailio */
	int busy;               /* a request is in flight */
	struct wl_op op;        /* the operation in flight */
	struct probe pr;        /* probe connections: the probe being polled */
	char out[OUT_CAP];
	size_t out_len, out_off;
	char *in;
	size_t in_len, in_cap;
	uint64_t t_start;       /* send time, or due time with --rate */
	uint64_t done;          /* replies counted in the window */
	struct wl_conn wl;
};

struct opts {
	unsigned port, conns;
	double secs, warmup, rate, idle;
	uint64_t max;
	struct wl_cfg wl;
	const char *login, *password;
	int server_pid;
	uint64_t seed;
	unsigned probe_port, probe_every, probe_bit;
};

static struct opts o = {
	.conns = 1, .secs = 5, .warmup = 1, .login = "bench", .password = "bench-secret-1",
};
static int ep;
static struct hist hist;
static uint64_t issued, errors, reconnects, bytes_in, all_ok;
static int shown_error;

/* push-to-effect probes: after every probe_every-th flip reply, poll the
 * proxy's htable (htable.get acct user@domain) until the account's policy
 * bit shows the flip; latency from the flip's reply (and from its send) */
#define PROBE_CONNS 4
#define PROBE_QUEUE 4096
#define PROBE_GIVE_UP_NS 3000000000ull
static struct conn probes[PROBE_CONNS];
static struct probe pq[PROBE_QUEUE];
static unsigned pq_head, pq_len;
static struct hist probe_hist, probe_send_hist;
static uint64_t probe_timeouts, probe_dropped, probe_polls;

/* CPU time (user + system) this process used so far, in microseconds */
static long long cpu_us(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec + (long long)ru.ru_stime.tv_sec * 1000000
	       + ru.ru_stime.tv_usec;
}

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static long rss_kb(int pid)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	long kb = -1;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "VmRSS:", 6)) {
			kb = strtol(line + 6, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

static void conn_open(struct conn *c)
{
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (c->fd < 0)
		die("socket");
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)c->port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		die("connect");
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
		die("epoll_ctl");
	c->busy = 0;
	c->in_len = 0;
}

static void conn_reopen(struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	reconnects++;
	conn_open(c);
}

static void set_events(struct conn *c, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = c };
	epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Sends what is left of c->out; arms EPOLLOUT only if the socket is full. */
static void conn_flush(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
		if (n < 0) {
			if (errno == EAGAIN) {
				set_events(c, EPOLLIN | EPOLLOUT);
				return;
			}
			if (errno == EINTR)
				continue;
			errors++;
			conn_reopen(c);
			return;
		}
		c->out_off += (size_t)n;
	}
}

static void conn_send(struct conn *c, uint64_t t_start)
{
	struct wl_op op;
	char body[BODY_CAP];
	wl_next(&o.wl, &c->wl, issued, &op);
	issued++;
	c->op = op;
	int blen = envelope_build(body, sizeof body, &op, o.wl.group, o.login, o.password);
	if (blen < 0) {
		fprintf(stderr, "loadgen: envelope too large\n");
		exit(2);
	}
	int hlen = snprintf(c->out, OUT_CAP,
			    "POST /ngnpro/ HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nUser-Agent: ngnprod-loadgen\r\n"
			    "Content-Type: text/xml; charset=UTF-8\r\nSOAPAction: \"\"\r\n"
			    "Content-Length: %d\r\n\r\n",
			    o.port, blen);
	if (hlen < 0 || (size_t)hlen + (size_t)blen >= OUT_CAP) {
		fprintf(stderr, "loadgen: request too large\n");
		exit(2);
	}
	memcpy(c->out + hlen, body, (size_t)blen);
	c->out_len = (size_t)hlen + (size_t)blen;
	c->out_off = 0;
	c->busy = 1;
	c->t_start = t_start;
	conn_flush(c);
}

static void probe_send(struct conn *c)
{
	char body[256];
	int blen = snprintf(body, sizeof body,
			    "{\"jsonrpc\":\"2.0\",\"method\":\"htable.get\",\"params\":[\"acct\",\"%s\"],\"id\":1}",
			    c->pr.key);
	int n = snprintf(c->out, OUT_CAP,
			 "POST /RPC HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nContent-Type: application/json\r\n"
			 "Content-Length: %d\r\n\r\n%s",
			 c->port, blen, body);
	c->out_len = (size_t)n;
	c->out_off = 0;
	c->busy = 1;
	probe_polls++;
	conn_flush(c);
}

static void probe_enqueue(const struct conn *c, uint64_t now)
{
	if (pq_len == PROBE_QUEUE) {
		probe_dropped++;
		return;
	}
	struct probe *p = &pq[(pq_head + pq_len++) % PROBE_QUEUE];
	snprintf(p->key, sizeof p->key, "%s@%s", c->op.user, c->op.domain);
	p->want = c->op.add;
	p->t_sent = c->t_start;
	p->t_reply = now;
	p->t_deadline = now + PROBE_GIVE_UP_NS;
}

static void probe_dispatch(void)
{
	for (unsigned i = 0; i < PROBE_CONNS && pq_len > 0; i++) {
		struct conn *c = &probes[i];
		if (c->busy || c->fd < 0)
			continue;
		c->pr = pq[pq_head];
		pq_head = (pq_head + 1) % PROBE_QUEUE;
		pq_len--;
		probe_send(c);
	}
}

/* a reply of htable.get: {"result":{"item":{"name":..,"value":N}}} or an
 * error for a missing key (mask 0) */
static void on_probe_reply(struct conn *c, const char *body, size_t len, uint64_t now)
{
	long v = 0;
	const char *at = memmem(body, len, "\"value\":", 8);
	if (at != NULL)
		v = strtol(at + 8, NULL, 10);
	int set = (v & (long)o.probe_bit) != 0;
	c->busy = 0;
	if (set == c->pr.want) {
		hist_add(&probe_hist, now - c->pr.t_reply);
		hist_add(&probe_send_hist, now - c->pr.t_sent);
		return;
	}
	if (now > c->pr.t_deadline) {
		probe_timeouts++;
		return;
	}
	probe_send(c); /* not there yet: ask again at once */
}

/* Returns 1 when c->in holds a complete reply; sets *status, *hdr_len, *total
 * (header + body) and *close_after. -1 on a reply we cannot parse. */
static int parse_reply(struct conn *c, int *status, size_t *hdr_len, size_t *total, int *close_after)
{
	if (c->in_len < 12)
		return 0;
	char *end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
	if (end == NULL)
		return 0;
	size_t hdr = (size_t)(end - c->in) + 4;
	*status = atoi(c->in + 9);
	long clen = -1;
	*close_after = !strncmp(c->in, "HTTP/1.0", 8);
	for (char *p = c->in; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (!strncasecmp(p, "Content-Length:", 15))
			clen = strtol(p + 15, NULL, 10);
		else if (!strncasecmp(p, "Connection:", 11)) {
			const char *v = p + 11;
			while (*v == ' ')
				v++;
			*close_after = !strncasecmp(v, "close", 5);
		}
		p = nl + 1;
	}
	if (clen < 0)
		return -1;
	if (c->in_len < hdr + (size_t)clen)
		return 0;
	*hdr_len = hdr;
	*total = hdr + (size_t)clen;
	return 1;
}

static void on_reply(struct conn *c, int status, uint64_t now, uint64_t win_start, uint64_t win_end)
{
	int ok = status == 200;
	all_ok += ok;
	if (!ok) {
		errors++;
		if (!shown_error) {
			shown_error = 1;
			fprintf(stderr, "loadgen: %s: first failed reply (HTTP %d): %.*s\n", wl_name(o.wl.kind),
				status, (int)(c->in_len < 1500 ? c->in_len : 1500), c->in);
		}
	}
	if (ok && now >= win_start && now <= win_end) {
		hist_add(&hist, now - c->t_start);
		c->done++;
	}
	c->busy = 0;
}

/* Reads what is there; completes at most one reply (one request in flight
 * per connection). Returns 1 if a reply completed. */
static int conn_read(struct conn *c, uint64_t win_start, uint64_t win_end)
{
	for (;;) {
		if (c->in_cap - c->in_len < 16384) {
			c->in_cap = c->in_cap ? c->in_cap * 2 : 65536;
			c->in = realloc(c->in, c->in_cap);
			if (c->in == NULL)
				die("realloc");
		}
		ssize_t n = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
		if (n < 0) {
			if (errno == EAGAIN)
				break;
			if (errno == EINTR)
				continue;
			n = 0;
		}
		if (n == 0) {
			/* closed by the server: a reply in flight is lost */
			if (c->busy)
				errors++;
			conn_reopen(c);
			return 0;
		}
		c->in_len += (size_t)n;
		bytes_in += (uint64_t)n;
		if ((size_t)n < c->in_cap - c->in_len)
			break;
	}
	int status = 0, close_after = 0;
	size_t total = 0, hdr = 0;
	int r = parse_reply(c, &status, &hdr, &total, &close_after);
	if (r == 0)
		return 0;
	if (r < 0) {
		fprintf(stderr, "loadgen: unparsable reply: %.*s\n", (int)(c->in_len < 400 ? c->in_len : 400), c->in);
		errors++;
		conn_reopen(c);
		return 1;
	}
	uint64_t now = bench_now_ns();
	if (c->is_probe) {
		on_probe_reply(c, c->in + hdr, total - hdr, now);
	} else {
		on_reply(c, status, now, win_start, win_end);
		if (status == 200 && o.probe_port && c->op.kind == WL_FLIP && now >= win_start && now <= win_end
		    && c->op.seq % o.probe_every == 0)
			probe_enqueue(c, now);
	}
	memmove(c->in, c->in + total, c->in_len - total);
	c->in_len -= total;
	if (close_after)
		conn_reopen(c);
	return 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: loadgen --port P --workload NAME [--conns N] [--secs S] [--warmup S] [--max N]\n"
			"       [--rate R] [--accounts N] [--new-base N] [--group G] [--login L] [--password P]\n"
			"       [--server-pid PID] [--idle S] [--seed N]\n");
	exit(2);
}

static void parse_args(int argc, char **argv)
{
	o.wl.kind = WL_COUNT;
	o.wl.accounts = 10000;
	o.wl.group = "bench-flip";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (v == NULL)
			usage();
		i++;
		if (!strcmp(a, "--port"))
			o.port = (unsigned)atoi(v);
		else if (!strcmp(a, "--conns"))
			o.conns = (unsigned)atoi(v);
		else if (!strcmp(a, "--secs"))
			o.secs = atof(v);
		else if (!strcmp(a, "--warmup"))
			o.warmup = atof(v);
		else if (!strcmp(a, "--max"))
			o.max = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--rate"))
			o.rate = atof(v);
		else if (!strcmp(a, "--idle"))
			o.idle = atof(v);
		else if (!strcmp(a, "--accounts"))
			o.wl.accounts = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--new-base"))
			o.wl.new_base = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--group"))
			o.wl.group = v;
		else if (!strcmp(a, "--login"))
			o.login = v;
		else if (!strcmp(a, "--password"))
			o.password = v;
		else if (!strcmp(a, "--server-pid"))
			o.server_pid = atoi(v);
		else if (!strcmp(a, "--seed"))
			o.seed = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--probe-port"))
			o.probe_port = (unsigned)atoi(v);
		else if (!strcmp(a, "--probe-every"))
			o.probe_every = (unsigned)atoi(v);
		else if (!strcmp(a, "--probe-bit"))
			o.probe_bit = (unsigned)atoi(v);
		else if (!strcmp(a, "--workload")) {
			if (wl_parse(v, &o.wl.kind))
				usage();
		} else
			usage();
	}
	if (o.port == 0 || o.conns == 0 || o.wl.kind == WL_COUNT)
		usage();
	if (o.wl.kind >= WL_POINT_SELECT) {
		fprintf(stderr, "loadgen: %s is a raw-only workload (rawdb)\n", wl_name(o.wl.kind));
		exit(2);
	}
	o.wl.conns = o.conns;
	if (o.probe_every == 0)
		o.probe_every = 10;
	if (o.probe_bit == 0)
		o.probe_bit = 1;
}

static void print_result(double window, long rss0, long rss1, long rss_idle, uint64_t cmin, uint64_t cmax)
{
	printf("workload=%s conns=%u all=%llu ops=%llu errors=%llu reconnects=%llu secs=%.3f rps=%.1f"
	       " mean_us=%.1f p50_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f conn_min=%llu conn_max=%llu"
	       " kb_per_reply=%.2f rss_before_kb=%ld rss_after_kb=%ld rss_idle_kb=%ld cpu_us=%lld\n",
	       wl_name(o.wl.kind), o.conns, (unsigned long long)all_ok, (unsigned long long)hist.count,
	       (unsigned long long)errors,
	       (unsigned long long)reconnects, window, window > 0 ? (double)hist.count / window : 0.0,
	       hist.count ? (double)hist.sum_ns / (double)hist.count / 1e3 : 0.0,
	       (double)hist_quantile(&hist, 0.50) / 1e3, (double)hist_quantile(&hist, 0.99) / 1e3,
	       (double)hist_quantile(&hist, 0.999) / 1e3, (double)hist.max_ns / 1e3,
	       (unsigned long long)cmin, (unsigned long long)cmax,
	       issued ? (double)bytes_in / (double)issued / 1024.0 : 0.0, rss0, rss1, rss_idle, cpu_us());
	if (o.probe_port)
		printf("probe_n=%llu probe_p50_us=%.1f probe_p99_us=%.1f probe_p999_us=%.1f probe_max_us=%.1f"
		       " probe_send_p50_us=%.1f probe_send_p99_us=%.1f probe_timeouts=%llu probe_dropped=%llu"
		       " probe_polls=%llu\n",
		       (unsigned long long)probe_hist.count, (double)hist_quantile(&probe_hist, 0.5) / 1e3,
		       (double)hist_quantile(&probe_hist, 0.99) / 1e3, (double)hist_quantile(&probe_hist, 0.999) / 1e3,
		       (double)probe_hist.max_ns / 1e3, (double)hist_quantile(&probe_send_hist, 0.5) / 1e3,
		       (double)hist_quantile(&probe_send_hist, 0.99) / 1e3, (unsigned long long)probe_timeouts,
		       (unsigned long long)probe_dropped, (unsigned long long)probe_polls);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	parse_args(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	ep = epoll_create1(0);
	if (ep < 0)
		die("epoll_create1");
	struct conn *cs = calloc(o.conns, sizeof *cs);
	if (cs == NULL)
		die("calloc");
	for (unsigned i = 0; i < o.conns; i++) {
		cs[i].idx = i;
		cs[i].port = o.port;
		wl_conn_init(&cs[i].wl, i, o.seed);
		conn_open(&cs[i]);
	}
	for (unsigned i = 0; i < PROBE_CONNS; i++) {
		probes[i].fd = -1;
		probes[i].is_probe = 1;
		probes[i].port = o.probe_port;
		if (o.probe_port)
			conn_open(&probes[i]);
	}
	long rss0 = o.server_pid ? rss_kb(o.server_pid) : -1, rss_idle = -1;

	uint64_t t0 = bench_now_ns();
	uint64_t win_start = t0 + (uint64_t)(o.warmup * 1e9);
	uint64_t t_end = o.secs > 0 ? win_start + (uint64_t)(o.secs * 1e9) : UINT64_MAX;
	if (o.idle > 0) {
		/* one request on every connection, then hold them all open and idle */
		win_start = t0;
		t_end = UINT64_MAX;
		o.max = o.conns;
		o.rate = 0;
	}
	uint64_t interval = o.rate > 0 ? (uint64_t)(1e9 / o.rate) : 0;
	unsigned *idle = malloc(o.conns * sizeof *idle);
	unsigned nidle = 0;
	if (idle == NULL)
		die("malloc");
	for (unsigned i = o.conns; i-- > 0;)
		idle[nidle++] = i;
	struct epoll_event evs[256];
	uint64_t inflight = 0;

	for (;;) {
		uint64_t now = bench_now_ns();
		int stop_issuing = now >= t_end || (o.max && issued >= o.max);
		/* issue */
		while (!stop_issuing && nidle > 0) {
			uint64_t due = interval ? t0 + issued * interval : now;
			if (due > now)
				break;
			struct conn *c = &cs[idle[--nidle]];
			conn_send(c, due);
			if (c->busy)
				inflight++;
			else
				idle[nidle++] = c->idx; /* the write failed; reconnected */
			if (o.max && issued >= o.max)
				break;
		}
		probe_dispatch();
		int probes_busy = pq_len > 0;
		for (unsigned i = 0; i < PROBE_CONNS; i++)
			probes_busy |= probes[i].busy;
		if (stop_issuing && inflight == 0 && !probes_busy)
			break;
		if (t_end != UINT64_MAX && now >= t_end + 2000000000ull)
			break; /* replies still missing 2 s after the end: give up on them */
		int timeout = 100;
		if (interval && !stop_issuing) {
			uint64_t due = t0 + issued * interval;
			timeout = due > now ? (int)((due - now) / 1000000) : 0;
		}
		int n = epoll_wait(ep, evs, 256, timeout);
		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		uint64_t we = t_end;
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			if (c->is_probe) {
				if ((evs[i].events & EPOLLOUT) && c->out_off < c->out_len) {
					conn_flush(c);
					if (c->busy && c->out_off >= c->out_len)
						set_events(c, EPOLLIN);
				}
				if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
					conn_read(c, win_start, we);
				continue;
			}
			int was_busy = c->busy;
			if ((evs[i].events & EPOLLOUT) && c->out_off < c->out_len) {
				conn_flush(c);
				if (c->busy && c->out_off >= c->out_len)
					set_events(c, EPOLLIN);
			}
			if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
				conn_read(c, win_start, we); /* on an idle one, only a close can arrive */
			if (was_busy && !c->busy) {
				inflight--;
				idle[nidle++] = c->idx;
			}
		}
	}
	uint64_t t_last = bench_now_ns();
	double window = (double)((t_end < t_last ? t_end : t_last) - win_start) / 1e9;
	if (o.idle > 0) {
		struct timespec ts = { (time_t)o.idle, (long)((o.idle - (double)(time_t)o.idle) * 1e9) };
		nanosleep(&ts, NULL);
		rss_idle = o.server_pid ? rss_kb(o.server_pid) : -1;
		window = 0;
	}
	long rss1 = o.server_pid ? rss_kb(o.server_pid) : -1;
	uint64_t cmin = UINT64_MAX, cmax = 0;
	for (unsigned i = 0; i < o.conns; i++) {
		if (cs[i].done < cmin)
			cmin = cs[i].done;
		if (cs[i].done > cmax)
			cmax = cs[i].done;
	}
	print_result(window, rss0, rss1, rss_idle, cmin, cmax);
	for (unsigned i = 0; i < o.conns; i++) {
		close(cs[i].fd);
		free(cs[i].in);
	}
	for (unsigned i = 0; i < PROBE_CONNS; i++) {
		if (probes[i].fd >= 0)
			close(probes[i].fd);
		free(probes[i].in);
	}
	free(cs);
	free(idle);
	return 0;
}
