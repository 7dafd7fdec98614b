/* store_query.c: see store_query.h.
 *
 * Why = unless there is a wildcard: LIKE with a constant prefix can use an
 * index too, but "=" lets MariaDB use the unique and prefix indexes fully and
 * keeps exact names like "john_doe" from matching "johnXdoe" more often than
 * clients expect. A value with a wildcard is the client asking for LIKE. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "store_query.h"

void query_init(struct query *q, const struct query_def *def)
{
	memset(q, 0, sizeof *q);
	q->def = def;
	q->order = def->sorts[0].desc_default ? def->sorts[0].desc : def->sorts[0].asc;
	q->count = QUERY_MAX_COUNT;
}

static void add_cond(struct query *q, const char *frag, struct db_val v)
{
	const char *join = q->wlen ? " AND " : " WHERE ";
	size_t a = strlen(join), b = strlen(frag);
	if (q->nargs >= QUERY_MAX_ARGS || q->wlen + a + b >= sizeof q->where) {
		q->overflow = 1;
		return;
	}
	memcpy(q->where + q->wlen, join, a);
	memcpy(q->where + q->wlen + a, frag, b + 1);
	q->wlen += a + b;
	q->args[q->nargs++] = v;
}

void query_str(struct query *q, const char *eq, const char *like, const char *value)
{
	if (value == NULL || *value == '\0')
		return;
	int wild = strpbrk(value, "%_") != NULL;
	add_cond(q, wild && like ? like : eq, DB_S(value));
}

void query_int(struct query *q, const char *eq, int64_t v)
{
	if (v != 0)
		add_cond(q, eq, DB_I(v));
}

enum ngn_status query_order(struct query *q, const struct list_order *o, struct ngn_err *e)
{
	const struct query_sort *s = &q->def->sorts[0];
	if (o->attribute && *o->attribute) {
		for (s = q->def->sorts; s->attribute; s++)
			if (strcasecmp(s->attribute, o->attribute) == 0)
				break;
		if (s->attribute == NULL) {
			char vb[ERR_VALUE_BUF], list[256];
			size_t n = 0;
			list[0] = '\0';
			for (const struct query_sort *t = q->def->sorts; t->attribute && n + 1 < sizeof list; t++)
				n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", n ? ", " : "", t->attribute);
			return err_set(e, NGN_E_INVALID_QUERY, "Cannot order by \"%s\"; use one of: %s",
				       err_value(o->attribute, vb), list);
		}
	}
	int desc = s->desc_default;
	if (o->direction && *o->direction) {
		if (strcasecmp(o->direction, "ASC") == 0) {
			desc = 0;
		} else if (strcasecmp(o->direction, "DESC") == 0) {
			desc = 1;
		} else {
			char vb[ERR_VALUE_BUF];
			return err_set(e, NGN_E_INVALID_QUERY, "Invalid order direction \"%s\"; use ASC or DESC",
				       err_value(o->direction, vb));
		}
	}
	q->order = desc ? s->desc : s->asc;
	return NGN_OK;
}

enum ngn_status query_range(struct query *q, const struct list_range *r, struct ngn_err *e)
{
	q->start = r->start.set ? r->start.v : 0;
	q->count = r->count.set && r->count.v != 0 ? r->count.v : QUERY_MAX_COUNT;
	if (q->start < 0)
		return err_set(e, NGN_E_INVALID_QUERY, "Invalid range start %lld", (long long)q->start);
	if (q->count < 0)
		return err_set(e, NGN_E_INVALID_QUERY, "Invalid range count %lld", (long long)q->count);
	if (q->count > QUERY_MAX_COUNT)
		q->count = QUERY_MAX_COUNT;
	return NGN_OK;
}

static int cat(char *dst, size_t cap, size_t *len, const char *s)
{
	size_t n = strlen(s);
	if (*len + n >= cap)
		return -1;
	memcpy(dst + *len, s, n + 1);
	*len += n;
	return 0;
}

enum ngn_status query_finish(struct query *q, struct ngn_err *e)
{
	if (q->overflow)
		return err_set(e, NGN_E_INVALID_QUERY, "The query has too many filter values (at most %d)",
			       QUERY_MAX_ARGS);
	size_t c = 0, p = 0;
	if (cat(q->count_sql, sizeof q->count_sql, &c, "SELECT COUNT(*)")
	    || cat(q->count_sql, sizeof q->count_sql, &c, q->def->from)
	    || cat(q->count_sql, sizeof q->count_sql, &c, q->where)
	    || cat(q->page_sql, sizeof q->page_sql, &p, q->def->columns)
	    || cat(q->page_sql, sizeof q->page_sql, &p, q->def->from)
	    || cat(q->page_sql, sizeof q->page_sql, &p, q->where)
	    || cat(q->page_sql, sizeof q->page_sql, &p, " ORDER BY ")
	    || cat(q->page_sql, sizeof q->page_sql, &p, q->order)
	    || cat(q->page_sql, sizeof q->page_sql, &p, " LIMIT ? OFFSET ?"))
		return err_set(e, NGN_E_INTERNAL, "listing statement too long");
	q->args[q->nargs] = DB_I(q->count);
	q->args[q->nargs + 1] = DB_I(q->start);
	q->page_nargs = q->nargs + 2;
	return NGN_OK;
}
