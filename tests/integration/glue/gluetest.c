/* gluetest.c: see gluetest.h. */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gluetest.h"

struct rpcc {
	struct event_base *base;
	struct evhttp_connection *conn;
	int port;
	int code;
	struct json_object *doc;
};

struct rpcc *rpcc_new(int port)
{
	struct rpcc *c = calloc(1, sizeof *c);
	c->port = port;
	c->base = event_base_new();
	c->conn = evhttp_connection_base_new(c->base, NULL, "127.0.0.1", (unsigned short)port);
	evhttp_connection_set_timeout(c->conn, 5);
	return c;
}

void rpcc_free(struct rpcc *c)
{
	if (c == NULL)
		return;
	evhttp_connection_free(c->conn);
	event_base_free(c->base);
	json_object_put(c->doc);
	free(c);
}

static void done(struct evhttp_request *req, void *arg)
{
	struct rpcc *c = arg;
	c->code = req ? evhttp_request_get_response_code(req) : 0;
	if (c->code) {
		struct evbuffer *in = evhttp_request_get_input_buffer(req);
		size_t n = evbuffer_get_length(in);
		char *s = malloc(n + 1);
		evbuffer_remove(in, s, n);
		s[n] = '\0';
		c->doc = json_tokener_parse(s);
		free(s);
	}
	event_base_loopexit(c->base, NULL);
}

/* one call; the reply stays in c->doc until the next call */
static int call(struct rpcc *c, const char *method, const char *table, const char *key, int v, int with_v)
{
	json_object_put(c->doc);
	c->doc = NULL;
	c->code = 0;
	struct json_object *o = json_object_new_object(), *p = json_object_new_array();
	json_object_object_add(o, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(o, "method", json_object_new_string(method));
	if (table)
		json_object_array_add(p, json_object_new_string(table));
	if (key)
		json_object_array_add(p, json_object_new_string(key));
	if (with_v)
		json_object_array_add(p, json_object_new_int(v));
	json_object_object_add(o, "params", p);
	json_object_object_add(o, "id", json_object_new_int(1));
	struct evhttp_request *req = evhttp_request_new(done, c);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Host", "127.0.0.1");
	const char *body = json_object_to_json_string(o);
	evbuffer_add(evhttp_request_get_output_buffer(req), body, strlen(body));
	json_object_put(o);
	if (evhttp_make_request(c->conn, req, EVHTTP_REQ_POST, "/RPC") != 0)
		return 0;
	event_base_dispatch(c->base);
	return c->code;
}

int rpcc_get(struct rpcc *c, const char *table, const char *key)
{
	int code = call(c, "htable.get", table, key, 0, 0);
	if (code == 0)
		return -2;
	struct json_object *r, *item, *val;
	if (code != 200 || !json_object_object_get_ex(c->doc, "result", &r)
	    || !json_object_object_get_ex(r, "item", &item) || !json_object_object_get_ex(item, "value", &val))
		return -1;
	return json_object_get_int(val);
}

int rpcc_has_epoch(struct rpcc *c)
{
	return call(c, "htable.get", "meta", "epoch", 0, 0) == 200;
}

int rpcc_seti(struct rpcc *c, const char *table, const char *key, int v)
{
	return call(c, "htable.seti", table, key, v, 1);
}

int rpcc_delete(struct rpcc *c, const char *table, const char *key)
{
	return call(c, "htable.delete", table, key, 0, 0);
}

int rpcc_diff_db(struct rpcc *c, MYSQL *my)
{
	if (call(c, "htable.dump", "acct", NULL, 0, 0) != 200) {
		fprintf(stderr, "diff: htable.dump failed\n");
		return 1000000;
	}
	struct json_object *res;
	json_object_object_get_ex(c->doc, "result", &res);
	/* proxy side: key -> value, as a json object */
	struct json_object *have = json_object_new_object();
	size_t nb = json_object_array_length(res);
	for (size_t i = 0; i < nb; i++) {
		struct json_object *slot, *name, *value;
		if (!json_object_object_get_ex(json_object_array_get_idx(res, i), "slot", &slot))
			continue;
		for (size_t j = 0; j < json_object_array_length(slot); j++) {
			struct json_object *e = json_object_array_get_idx(slot, j);
			if (json_object_object_get_ex(e, "name", &name) && json_object_object_get_ex(e, "value", &value))
				json_object_object_add(have, json_object_get_string(name), json_object_get(value));
		}
	}
	int diffs = 0;
	if (mysql_query(my, "SELECT CONCAT(username, '@', domain), CAST(BIT_OR(CASE grp WHEN 'blocked' THEN 1"
			    " WHEN 'anonymous' THEN 2 WHEN 'free-pstn' THEN 4 WHEN 'quota' THEN 8 ELSE 0 END) AS SIGNED) m"
			    " FROM grp GROUP BY username, domain HAVING m <> 0")) {
		fprintf(stderr, "diff: %s\n", mysql_error(my));
		json_object_put(have);
		return 1000000;
	}
	MYSQL_RES *r = mysql_store_result(my);
	MYSQL_ROW row;
	while ((row = mysql_fetch_row(r)) != NULL) {
		struct json_object *v;
		int want = atoi(row[1]);
		if (!json_object_object_get_ex(have, row[0], &v)) {
			if (diffs++ < 10)
				fprintf(stderr, "diff: %s missing on the proxy (db %d)\n", row[0], want);
			continue;
		}
		if (json_object_get_int(v) != want && diffs++ < 10)
			fprintf(stderr, "diff: %s proxy %d db %d\n", row[0], json_object_get_int(v), want);
		json_object_object_del(have, row[0]);
	}
	mysql_free_result(r);
	mysql_commit(my);
	json_object_object_foreach(have, k, v) {
		if (diffs++ < 10)
			fprintf(stderr, "diff: %s stale on the proxy (%d)\n", k, json_object_get_int(v));
	}
	json_object_put(have);
	return diffs;
}

MYSQL *gt_connect(void)
{
	MYSQL *my = mysql_init(NULL);
	const char *sock = getenv("NGN_TEST_DB_SOCKET");
	if (!mysql_real_connect(my, "localhost", "root", "", "ngnprod", 0, sock, 0)) {
		fprintf(stderr, "connect: %s\n", mysql_error(my));
		exit(99);
	}
	mysql_query(my, "SET SESSION tx_isolation = 'READ-COMMITTED'");
	mysql_autocommit(my, 1);
	return my;
}

void gt_exec(MYSQL *my, const char *sql)
{
	if (mysql_query(my, sql)) {
		fprintf(stderr, "%s: %s\n", sql, mysql_error(my));
		exit(99);
	}
	MYSQL_RES *r = mysql_store_result(my);
	if (r)
		mysql_free_result(r);
}

void gt_execp(MYSQL *my, const char *sql, unsigned n, const char *const *vals)
{
	MYSQL_STMT *st = mysql_stmt_init(my);
	MYSQL_BIND b[8];
	unsigned long len[8];
	memset(b, 0, sizeof b);
	for (unsigned i = 0; i < n && i < 8; i++) {
		len[i] = strlen(vals[i]);
		b[i].buffer_type = MYSQL_TYPE_STRING;
		b[i].buffer = (void *)vals[i];
		b[i].buffer_length = len[i];
		b[i].length = &len[i];
	}
	if (st == NULL || n > 8 || mysql_stmt_prepare(st, sql, strlen(sql)) || mysql_stmt_bind_param(st, b)
	    || mysql_stmt_execute(st)) {
		fprintf(stderr, "%s: %s\n", sql, st ? mysql_stmt_error(st) : mysql_error(my));
		exit(99);
	}
	mysql_stmt_close(st);
}

long long gt_scalar(MYSQL *my, const char *sql)
{
	if (mysql_query(my, sql)) {
		fprintf(stderr, "%s: %s\n", sql, mysql_error(my));
		exit(99);
	}
	long long v = -1;
	MYSQL_RES *r = mysql_store_result(my);
	if (r) {
		MYSQL_ROW row = mysql_fetch_row(r);
		if (row && row[0])
			v = atoll(row[0]);
		mysql_free_result(r);
	}
	return v;
}

void gt_set_mask(MYSQL *my, const char *user, const char *domain, int mask)
{
	static const char *const names[] = { "blocked", "anonymous", "free-pstn", "quota" };
	static const char SQL_INSERT[] = "INSERT IGNORE INTO grp (username, domain, grp) VALUES (?, ?, ?)";
	gt_exec(my, "BEGIN");
	const char *id[3] = { user, domain, "sms" };
	gt_execp(my, "DELETE FROM grp WHERE username = ? AND domain = ?", 2, id);
	gt_execp(my, SQL_INSERT, 3, id);
	for (int b = 0; b < 4; b++) {
		if (!(mask & (1 << b)))
			continue;
		const char *g[3] = { user, domain, names[b] };
		gt_execp(my, SQL_INSERT, 3, g);
	}
	gt_execp(my, "INSERT INTO proxy_event (username, domain) VALUES (?, ?)", 2, id);
	gt_exec(my, "COMMIT");
}
