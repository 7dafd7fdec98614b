/* customer_cli.c: `ngnprod-admin customer add|list|show|delete`
 * (customer_cli.h). Runs with the operator's scope: everything. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include "core/db.h"
#include "store/store_customer.h"
#include "customer_cli.h"

static const struct scope operator_scope = { ROLE_ADMIN, 0, 0 };

static int usage(void)
{
	fprintf(stderr,
		"usage: ngnprod-admin customer add USERNAME [--reseller N] [--first-name S] [--last-name S]\n"
		"                                  [--organization S] [--email S] [--password-stdin]\n"
		"       ngnprod-admin customer list [--reseller N] [--resellers]\n"
		"       ngnprod-admin customer show ID\n"
		"       ngnprod-admin customer delete ID\n"
		"add without --reseller creates a reseller.\n");
	return 2;
}

static int failed(const char *what, enum ngn_status st, struct store_res *res, struct db *db)
{
	fprintf(stderr, "ngnprod-admin: customer %s: %s\n", what,
		res->err.msg[0] ? res->err.msg : st == NGN_E_DB || st == NGN_E_DB_UNAVAILABLE ? db_error(db) : "failed");
	store_res_free(res);
	return 1;
}

static int id_arg(const char *s, int64_t *id)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v <= 0 || v > UINT32_MAX)
		return -1;
	*id = v;
	return 0;
}

static int new_password(int from_stdin, char *out, size_t len, int *generated)
{
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	const char *env = getenv("NGNPROD_PASSWORD");
	*generated = 0;
	if (from_stdin) {
		if (fgets(out, (int)len, stdin) == NULL)
			return -1;
		out[strcspn(out, "\r\n")] = '\0';
		return *out ? 0 : -1;
	}
	if (env && *env) {
		snprintf(out, len, "%s", env);
		return 0;
	}
	unsigned char r[16];
	if (len < 17 || getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
		return -1;
	for (size_t i = 0; i < sizeof r; i++)
		out[i] = alphabet[r[i] % (sizeof alphabet - 1)];
	out[sizeof r] = '\0';
	*generated = 1;
	return 0;
}

static void print_row(const struct customer *c)
{
	printf("%-8lld %-8lld %-9s %-32s %s %s\n", (long long)c->id, (long long)c->reseller.v,
	       c->id == c->reseller.v ? "reseller" : "customer", c->str[CF_USERNAME], c->str[CF_FIRST_NAME],
	       c->str[CF_LAST_NAME]);
}

static int cmd_add(struct db *db, int argc, char **argv)
{
	struct customer c;
	memset(&c, 0, sizeof c);
	c.str[CF_USERNAME] = argv[0];
	int from_stdin = 0;
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		int64_t id;
		if (!strcmp(o, "--password-stdin"))
			from_stdin = 1;
		else if (i + 1 >= argc)
			return usage();
		else if (!strcmp(o, "--reseller") && id_arg(argv[i + 1], &id) == 0)
			c.reseller = (struct opt_int){ 1, id }, i++;
		else if (!strcmp(o, "--first-name"))
			c.str[CF_FIRST_NAME] = argv[++i];
		else if (!strcmp(o, "--last-name"))
			c.str[CF_LAST_NAME] = argv[++i];
		else if (!strcmp(o, "--organization"))
			c.str[CF_ORGANIZATION] = argv[++i];
		else if (!strcmp(o, "--email"))
			c.str[CF_EMAIL] = argv[++i];
		else
			return usage();
	}
	char pw[STORE_PASSWORD_MAX + 2];
	int generated;
	if (new_password(from_stdin, pw, sizeof pw, &generated)) {
		fprintf(stderr, "ngnprod-admin: no password\n");
		return 1;
	}
	c.str[CF_PASSWORD] = pw;
	struct store_res res;
	store_res_init(&res);
	enum ngn_status st = customer_check(&c, 1, &res.err);
	struct customer out;
	if (st == NGN_OK)
		st = store_customer_add(db, &operator_scope, &c, &out, &res);
	if (st != NGN_OK)
		return failed("add", st, &res, db);
	printf("customer %lld (reseller %lld) login %s", (long long)out.id, (long long)out.reseller.v,
	       out.str[CF_USERNAME]);
	if (generated)
		printf(" password %s", pw);
	printf("\n");
	store_res_free(&res);
	return 0;
}

static int cmd_list(struct db *db, int argc, char **argv)
{
	struct customer_query q;
	memset(&q, 0, sizeof q);
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--resellers"))
			q.only_resellers = 1;
		else if (!strcmp(argv[i], "--reseller") && i + 1 < argc && id_arg(argv[i + 1], &q.reseller) == 0)
			i++;
		else
			return usage();
	}
	q.order.attribute = "customer";
	q.order.direction = "ASC";
	struct store_res res;
	store_res_init(&res);
	struct customer_list l;
	enum ngn_status st = store_customer_list(db, &operator_scope, &q, 0, &l, &res);
	if (st != NGN_OK)
		return failed("list", st, &res, db);
	for (size_t i = 0; i < l.n; i++)
		print_row(&l.v[i]);
	if ((int64_t)l.n < l.total)
		printf("(%zu of %lld shown)\n", l.n, (long long)l.total);
	store_res_free(&res);
	return 0;
}

static int cmd_show(struct db *db, int64_t id)
{
	struct store_res res;
	store_res_init(&res);
	struct customer c;
	enum ngn_status st = store_customer_get(db, &operator_scope, id, &c, &res);
	if (st != NGN_OK)
		return failed("show", st, &res, db);
	printf("id: %lld\nreseller: %lld\nimpersonate: %lld\nresellerActive: %lld\nbalance: %.4f\ncredit: %.4f\n",
	       (long long)c.id, (long long)c.reseller.v, (long long)c.impersonate.v, (long long)c.reseller_active.v,
	       c.balance, c.credit);
	for (int i = 0; i < CF_COUNT; i++)
		printf("%s: %s\n", customer_fields[i].wire, c.str[i]);
	printf("changeDate: %s\n", c.change_date);
	for (size_t i = 0; i < c.nprops; i++)
		printf("property %s = %s (%s, %s)\n", c.props[i].name, c.props[i].value, c.props[i].category,
		       c.props[i].permission);
	store_res_free(&res);
	return 0;
}

int customer_cli(struct db *db, int argc, char **argv)
{
	if (argc < 2)
		return usage();
	const char *sub = argv[1];
	if (!strcmp(sub, "list"))
		return cmd_list(db, argc - 2, argv + 2);
	if (argc < 3)
		return usage();
	if (!strcmp(sub, "add"))
		return cmd_add(db, argc - 2, argv + 2);
	int64_t id;
	if (argc != 3 || id_arg(argv[2], &id) != 0)
		return usage();
	if (!strcmp(sub, "show"))
		return cmd_show(db, id);
	if (!strcmp(sub, "delete")) {
		struct store_res res;
		store_res_init(&res);
		enum ngn_status st = store_customer_delete(db, &operator_scope, id, &res);
		if (st != NGN_OK)
			return failed("delete", st, &res, db);
		store_res_free(&res);
		printf("customer %lld deleted\n", (long long)id);
		return 0;
	}
	return usage();
}
