/* check_query.c: listing statements (server/store/store_query.c): the SQL text is
 * assembled from fixed fragments only, values are bound, and bad orderBy or
 * range input is refused. */
#include <string.h>
#include "suites.h"
#include "store/store_query.h"
#include "store/store_sql.h"

static const struct query_sort sorts[] = {
	{ "changeDate", "a.change_date ASC, s.id ASC", "a.change_date DESC, s.id DESC", 1 },
	{ "username", "s.username ASC, s.domain ASC", "s.username DESC, s.domain DESC", 0 },
	{ NULL, NULL, NULL, 0 },
};
static const struct query_def def = {
	"SELECT s.id, s.username",
	" FROM subscriber s JOIN sip_account a ON a.subscriber_id = s.id",
	sorts,
};

#define FROM " FROM subscriber s JOIN sip_account a ON a.subscriber_id = s.id"

static void build(struct query *q, const struct list_order *o, const struct list_range *r)
{
	struct ngn_err e = { "" };
	ck_assert_int_eq(query_order(q, o, &e), NGN_OK);
	ck_assert_int_eq(query_range(q, r, &e), NGN_OK);
	ck_assert_int_eq(query_finish(q, &e), NGN_OK);
}

START_TEST(no_filter_default_order)
{
	struct query q;
	struct list_order o = { 0 };
	struct list_range r = { 0 };
	query_init(&q, &def);
	query_str(&q, "s.username = ?", "s.username LIKE ?", "");
	query_str(&q, "s.domain = ?", "s.domain LIKE ?", NULL);
	query_int(&q, "a.owner = ?", 0);
	build(&q, &o, &r);
	ck_assert_str_eq(q.count_sql, "SELECT COUNT(*)" FROM);
	ck_assert_str_eq(q.page_sql, "SELECT s.id, s.username" FROM
			 " ORDER BY a.change_date DESC, s.id DESC LIMIT ? OFFSET ?");
	ck_assert_uint_eq(q.nargs, 0);
	ck_assert_uint_eq(q.page_nargs, 2);
	ck_assert_int_eq(q.args[0].type, DB_INT);
	ck_assert_int_eq(q.args[0].i, QUERY_MAX_COUNT); /* no count: the largest page */
	ck_assert_int_eq(q.args[1].i, 0);
}
END_TEST

START_TEST(exact_and_wildcard_filters)
{
	struct query q;
	struct list_order o = { "username", "desc" };
	struct list_range r = { { 1, 40 }, { 1, 20 } };
	query_init(&q, &def);
	query_str(&q, "s.username = ?", "s.username LIKE ?", "al%");
	query_str(&q, "s.domain = ?", "s.domain LIKE ?", "example.com");
	query_str(&q, "a.email = ?", "a.email LIKE ?", "a_b@example.com");
	query_int(&q, "a.owner = ?", 7);
	build(&q, &o, &r);
	ck_assert_str_eq(q.count_sql, "SELECT COUNT(*)" FROM
			 " WHERE s.username LIKE ? AND s.domain = ? AND a.email LIKE ? AND a.owner = ?");
	ck_assert_str_eq(q.page_sql, "SELECT s.id, s.username" FROM
			 " WHERE s.username LIKE ? AND s.domain = ? AND a.email LIKE ? AND a.owner = ?"
			 " ORDER BY s.username DESC, s.domain DESC LIMIT ? OFFSET ?");
	ck_assert_uint_eq(q.nargs, 4);
	ck_assert_uint_eq(q.page_nargs, 6);
	ck_assert_int_eq(q.args[0].type, DB_STR);
	ck_assert_str_eq(q.args[0].s, "al%");
	ck_assert_str_eq(q.args[1].s, "example.com");
	ck_assert_uint_eq(q.args[1].len, strlen("example.com"));
	ck_assert_str_eq(q.args[2].s, "a_b@example.com");
	ck_assert_int_eq(q.args[3].type, DB_INT);
	ck_assert_int_eq(q.args[3].i, 7);
	ck_assert_int_eq(q.args[4].i, 20);
	ck_assert_int_eq(q.args[5].i, 40);
}
END_TEST

START_TEST(values_never_reach_the_text)
{
	struct query q;
	struct list_order o = { "changeDate", "ASC" };
	struct list_range r = { 0 };
	const char *evil = "x' OR 1=1; DROP TABLE subscriber; --";
	query_init(&q, &def);
	query_str(&q, "s.username = ?", "s.username LIKE ?", evil);
	build(&q, &o, &r);
	ck_assert_ptr_null(strstr(q.page_sql, "DROP"));
	ck_assert_ptr_null(strstr(q.count_sql, "OR 1=1"));
	ck_assert_str_eq(q.count_sql, "SELECT COUNT(*)" FROM " WHERE s.username = ?");
	ck_assert_str_eq(q.args[0].s, evil);
	ck_assert_ptr_nonnull(strstr(q.page_sql, "ORDER BY a.change_date ASC, s.id ASC"));
}
END_TEST

START_TEST(direction_default_per_attribute)
{
	struct query q;
	struct list_order o = { "USERNAME", NULL };
	struct list_range r = { 0 };
	query_init(&q, &def);
	build(&q, &o, &r);
	ck_assert_ptr_nonnull(strstr(q.page_sql, "ORDER BY s.username ASC, s.domain ASC"));
	struct list_order o2 = { "", "" };
	query_init(&q, &def);
	build(&q, &o2, &r);
	ck_assert_ptr_nonnull(strstr(q.page_sql, "ORDER BY a.change_date DESC"));
}
END_TEST

START_TEST(bad_order_is_refused)
{
	struct query q;
	struct ngn_err e = { "" };
	query_init(&q, &def);
	struct list_order o = { "password", "ASC" };
	ck_assert_int_eq(query_order(&q, &o, &e), NGN_E_INVALID_QUERY);
	ck_assert_ptr_nonnull(strstr(e.msg, "\"password\""));
	ck_assert_ptr_nonnull(strstr(e.msg, "changeDate, username"));
	struct list_order inj = { "username; DROP TABLE x", "ASC" };
	ck_assert_int_eq(query_order(&q, &inj, &e), NGN_E_INVALID_QUERY);
	struct list_order dir = { "username", "sideways" };
	ck_assert_int_eq(query_order(&q, &dir, &e), NGN_E_INVALID_QUERY);
	ck_assert_ptr_nonnull(strstr(e.msg, "\"sideways\""));
	struct list_order dir2 = { "username", "ASC, s.password" };
	ck_assert_int_eq(query_order(&q, &dir2, &e), NGN_E_INVALID_QUERY);
}
END_TEST

START_TEST(range_limits)
{
	struct query q;
	struct ngn_err e = { "" };
	query_init(&q, &def);
	struct list_range big = { { 1, 0 }, { 1, 5000 } };
	ck_assert_int_eq(query_range(&q, &big, &e), NGN_OK);
	ck_assert_int_eq(q.count, QUERY_MAX_COUNT); /* clamped, not refused */
	struct list_range zero = { { 0, 0 }, { 1, 0 } };
	ck_assert_int_eq(query_range(&q, &zero, &e), NGN_OK);
	ck_assert_int_eq(q.count, QUERY_MAX_COUNT);
	struct list_range neg_start = { { 1, -1 }, { 1, 10 } };
	ck_assert_int_eq(query_range(&q, &neg_start, &e), NGN_E_INVALID_QUERY);
	struct list_range neg_count = { { 1, 0 }, { 1, -10 } };
	ck_assert_int_eq(query_range(&q, &neg_count, &e), NGN_E_INVALID_QUERY);
}
END_TEST

START_TEST(too_many_conditions)
{
	struct query q;
	struct ngn_err e = { "" };
	query_init(&q, &def);
	for (int i = 0; i <= QUERY_MAX_ARGS; i++)
		query_str(&q, "s.username = ?", "s.username LIKE ?", "x");
	ck_assert_int_eq(query_finish(&q, &e), NGN_E_INVALID_QUERY);
}
END_TEST

/* bench/raw_ops.c runs getAccounts as the literal texts of store_sql.h;
 * they must be what list_body assembles from the same fragments for a
 * domain filter and the default order, so both sides run one statement. */
START_TEST(raw_baseline_listing_is_the_assembled_one)
{
	static const struct query_sort account_sorts[] = {
		{ "changeDate", ACCOUNT_BY_CHANGE_ASC, ACCOUNT_BY_CHANGE_DESC, 1 },
		{ NULL, NULL, NULL, 0 },
	};
	static const struct query_def accounts = { ACCOUNT_COLUMNS, ACCOUNT_FROM, account_sorts };
	struct query q;
	struct list_order o = { 0 };
	struct list_range r = { { 1, 0 }, { 1, 50 } };
	query_init(&q, &accounts);
	query_str(&q, ACCOUNT_DOMAIN_EQ, ACCOUNT_DOMAIN_LIKE, "d1.bench");
	build(&q, &o, &r);
	ck_assert_str_eq(q.count_sql, SQL_LIST_COUNT_DOMAIN);
	ck_assert_str_eq(q.page_sql, SQL_LIST_PAGE_DOMAIN);
	ck_assert_int_eq((int)q.nargs, 1);
	ck_assert_int_eq((int)q.page_nargs, 3);
	/* a wildcard keeps the LIKE on subscriber.domain */
	query_init(&q, &accounts);
	query_str(&q, ACCOUNT_DOMAIN_EQ, ACCOUNT_DOMAIN_LIKE, "d%.bench");
	build(&q, &o, &r);
	ck_assert_ptr_nonnull(strstr(q.count_sql, " WHERE s.domain LIKE ?"));
}
END_TEST

Suite *query_suite(void)
{
	Suite *s = suite_create("query");
	TCase *tc = tcase_create("build");
	tcase_add_test(tc, no_filter_default_order);
	tcase_add_test(tc, exact_and_wildcard_filters);
	tcase_add_test(tc, values_never_reach_the_text);
	tcase_add_test(tc, direction_default_per_attribute);
	tcase_add_test(tc, bad_order_is_refused);
	tcase_add_test(tc, range_limits);
	tcase_add_test(tc, too_many_conditions);
	tcase_add_test(tc, raw_baseline_listing_is_the_assembled_one);
	suite_add_tcase(s, tc);
	return s;
}
