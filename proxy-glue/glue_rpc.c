/* glue_rpc.c: one Kamailio JSON-RPC call (jsonrpcs over xhttp) per HTTP
 * request, on the proxy's keep-alive evhttp connection.
 *
 * Requests and replies are built and read with json-c. Batches are not used:
 * Kamailio's jsonrpcs ignores JSON-RPC batch arrays. Kamailio answers an RPC
 * error with the same HTTP status as the JSON-RPC error code, so the HTTP
 * status decides: 200 is success, and so is 404 for htable.delete (the key
 * was already absent). A request that got no reply at all (refused, reset,
 * timed out) reports reached = 0; evhttp reconnects the same connection by
 * itself on the next request. */
#include <event2/buffer.h>
#include <event2/http.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include "core/clock.h"
#include "glue-internal.h"

struct glue_rpc_call {
	struct glue_rpc_call *next, **pprev;
	glue_rpc_cb cb;
	void *arg;
	enum glue_rpc_kind kind;
	double t0;
};

static const char *const methods[] = {
	[RPC_SETI] = "htable.seti", [RPC_DELETE] = "htable.delete", [RPC_SETS] = "htable.sets",
	[RPC_GET] = "htable.get", [RPC_UPTIME] = "core.uptime", [RPC_DUMP] = "htable.dump",
	[RPC_FLUSH] = "htable.flush",
};

static void rpc_done(struct evhttp_request *req, void *arg)
{
	struct glue_rpc_call *c = arg;
	struct glue_rpc_result r = { 0 };
	struct json_object *doc = NULL;
	*c->pprev = c->next;
	if (c->next)
		c->next->pprev = c->pprev;
	r.ms = (clock_mono_sec() - c->t0) * 1000.0;
	r.code = req ? evhttp_request_get_response_code(req) : 0;
	r.reached = r.code != 0;
	if (r.reached) {
		struct evbuffer *in = evhttp_request_get_input_buffer(req);
		size_t n = evbuffer_get_length(in);
		if (n) {
			const char *body = (const char *)evbuffer_pullup(in, -1);
			struct json_tokener *tok = json_tokener_new_ex(64);
			if (tok) {
				doc = json_tokener_parse_ex(tok, body, (int)n);
				json_tokener_free(tok);
			}
		}
		struct json_object *res = NULL;
		if (doc && json_object_object_get_ex(doc, "result", &res))
			r.result = res;
		r.ok = (r.code == 200 && r.result != NULL) || (c->kind == RPC_DELETE && r.code == 404);
	}
	c->cb(c->arg, &r);
	json_object_put(doc);
	free(c);
}

int glue_rpc_call(struct evhttp_connection *conn, struct glue_rpc_list *list, const char *host,
		  const char *path, enum glue_rpc_kind kind, const char *table, const char *key,
		  int64_t ival, const char *sval, glue_rpc_cb cb, void *arg)
{
	struct json_object *o = json_object_new_object();
	struct json_object *params = json_object_new_array();
	if (o == NULL || params == NULL) {
		json_object_put(o);
		json_object_put(params);
		return -1;
	}
	json_object_object_add(o, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(o, "method", json_object_new_string(methods[kind]));
	if (table)
		json_object_array_add(params, json_object_new_string(table));
	if (key)
		json_object_array_add(params, json_object_new_string(key));
	if (kind == RPC_SETI)
		json_object_array_add(params, json_object_new_int64(ival)); /* a number: "4" reads as 0 */
	if (kind == RPC_SETS)
		json_object_array_add(params, json_object_new_string(sval ? sval : ""));
	json_object_object_add(o, "params", params);
	json_object_object_add(o, "id", json_object_new_int(1));
	size_t len = 0;
	const char *body = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);

	struct glue_rpc_call *c = malloc(sizeof *c);
	struct evhttp_request *req = c ? evhttp_request_new(rpc_done, c) : NULL;
	if (req == NULL) {
		free(c);
		json_object_put(o);
		return -1;
	}
	*c = (struct glue_rpc_call){ list->head, &list->head, cb, arg, kind, clock_mono_sec() };
	if (list->head)
		list->head->pprev = &c->next;
	list->head = c;
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Host", host);
	evhttp_add_header(h, "Content-Type", "application/json");
	evbuffer_add(evhttp_request_get_output_buffer(req), body, len);
	json_object_put(o);
	if (evhttp_make_request(conn, req, EVHTTP_REQ_POST, path) != 0) {
		/* evhttp_make_request frees req on failure */
		*c->pprev = c->next;
		if (c->next)
			c->next->pprev = c->pprev;
		free(c);
		return -1;
	}
	return 0;
}

void glue_rpc_abandon(struct glue_rpc_list *list)
{
	while (list->head) {
		struct glue_rpc_call *c = list->head;
		list->head = c->next;
		free(c);
	}
}
