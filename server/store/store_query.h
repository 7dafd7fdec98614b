/* store_query.h: builds the listing statements of getAccounts, getDomains
 * and getAliases.
 *
 * The SQL text is assembled only from fragments that are string literals of
 * the store modules (columns, joins, conditions, whitelisted sort keys);
 * every value a client sends is a bound parameter. The assembled text is run
 * with db_query_built. This module does no I/O, so its output is unit-tested
 * as text plus bound values (tests/unit/check_query.c). */
#ifndef NGN_STORE_QUERY_H
#define NGN_STORE_QUERY_H
#include <stddef.h>
#include <stdint.h>
#include "core/db.h"
#include "core/err.h"
#include "store.h"

/* Largest page: a larger range.count is clamped to it (total still counts
 * every match, so clients can tell). Also the page size when count is
 * absent or 0. */
#define QUERY_MAX_COUNT 1000
#define QUERY_MAX_ARGS 24
#define QUERY_SQL_MAX 2048

/* One orderBy attribute a listing accepts. The fragments end with a unique
 * key so that pages do not overlap when sort values tie. */
struct query_sort {
	const char *attribute;   /* as clients name it, e.g. "changeDate" */
	const char *asc;         /* e.g. "a.change_date ASC, s.id ASC" */
	const char *desc;
	int desc_default;        /* direction when the client names none */
};

struct query_def {
	const char *columns;     /* "SELECT ..." */
	const char *from;        /* " FROM ... JOIN ..." */
	const struct query_sort *sorts; /* ends with { NULL }; sorts[0] is the default order */
};

struct query {
	const struct query_def *def;
	char where[QUERY_SQL_MAX];
	size_t wlen;
	struct db_val args[QUERY_MAX_ARGS + 2]; /* + LIMIT, OFFSET */
	size_t nargs;            /* of the WHERE clause (count_sql) */
	const char *order;
	int64_t start, count;
	int overflow;
	/* by query_finish */
	char count_sql[QUERY_SQL_MAX];
	char page_sql[QUERY_SQL_MAX];
	size_t page_nargs;       /* nargs + 2 */
};

void query_init(struct query *q, const struct query_def *def);
/* Adds the condition eq (e.g. "s.username = ?"), or like ("s.username LIKE ?")
 * when value contains % or _, with value bound. Nothing when value is NULL
 * or "". */
void query_str(struct query *q, const char *eq, const char *like, const char *value);
/* Adds eq (e.g. "a.owner = ?") with v bound; nothing when v is 0. */
void query_int(struct query *q, const char *eq, int64_t v);
/* Picks the sort fragment; NGN_E_INVALID_QUERY for an attribute outside the
 * listing's whitelist or a direction other than ASC/DESC. */
enum ngn_status query_order(struct query *q, const struct list_order *o, struct ngn_err *e);
/* NGN_E_INVALID_QUERY for a negative start or count; count clamped. */
enum ngn_status query_range(struct query *q, const struct list_range *r, struct ngn_err *e);
/* Assembles count_sql and page_sql. NGN_E_INVALID_QUERY when there are more
 * conditions than QUERY_MAX_ARGS values, NGN_E_INTERNAL if the text does
 * not fit (a program error). */
enum ngn_status query_finish(struct query *q, struct ngn_err *e);

#endif
