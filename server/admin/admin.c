/* admin.c: ngnprod-admin, the operator's command-line tool.
 *
 *   ngnprod-admin [DB settings] migrate
 *   ngnprod-admin [DB settings] login add NAME [--role R] [--customer N] [--reseller N]
 *   ngnprod-admin [DB settings] login passwd NAME
 *   ngnprod-admin [DB settings] login disable|enable NAME
 *   ngnprod-admin [DB settings] login list
 *   ngnprod-admin [DB settings] voucher create|list|disable ...  (voucher_cli.c)
 *   ngnprod-admin [DB settings] customer add|list|show|delete ...  (customer_cli.c)
 *
 * DB settings are the server's keys (--config FILE, --db-socket, --db-host,
 * ...). A new or changed password is read from NGNPROD_PASSWORD or from the
 * first line of standard input when --password-stdin is given; otherwise a
 * random one is generated and printed once. Passwords are never accepted as
 * command-line arguments (they would show in ps and shell history). */
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include "core/auth.h"
#include "core/cfg.h"
#include "core/db.h"
#include "core/log.h"
#include "core/migrate.h"
#include "customer_cli.h"
#include "voucher_cli.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: ngnprod-admin [--config FILE] [--db-KEY=VALUE ...] COMMAND\n"
		"commands:\n"
		"  migrate                              apply pending schema migrations\n"
		"  login add NAME [--role admin|reseller|customer] [--customer N] [--reseller N]\n"
		"                 [--password-stdin]    create an API login (prints a generated password)\n"
		"  login passwd NAME [--password-stdin] set a new password\n"
		"  login disable NAME | login enable NAME\n"
		"  login list\n"
		"  voucher create --count N --value V [--expires YYYY-MM-DD] [--name NAME] --csv FILE\n"
		"                                       create a batch of prepaid cards (numbers written once to FILE)\n"
		"  voucher list                         batches with their spent counts\n"
		"  voucher disable BATCH_ID             refuse the rest of a batch\n"
		"  customer add USERNAME [--reseller N] [--first-name S] [--last-name S] [--organization S]\n"
		"               [--email S] [--password-stdin]\n"
		"                                       create a customer and its login (no --reseller: a reseller)\n"
		"  customer list [--reseller N] [--resellers] | customer show ID | customer delete ID\n"
		"The password comes from NGNPROD_PASSWORD, from stdin with --password-stdin,\n"
		"or is generated and printed.\n");
}

static int gen_password(char *out, size_t len)
{
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	unsigned char r[32];
	if (len < 21 || getrandom(r, 20, 0) != 20)
		return -1;
	for (int i = 0; i < 20; i++)
		out[i] = alphabet[r[i] % (sizeof alphabet - 1)];
	out[20] = '\0';
	return 0;
}

static int get_password(int from_stdin, char *out, size_t len, int *generated)
{
	*generated = 0;
	const char *env = getenv("NGNPROD_PASSWORD");
	if (from_stdin) {
		if (fgets(out, (int)len, stdin) == NULL)
			return -1;
		out[strcspn(out, "\r\n")] = '\0';
		return 0;
	}
	if (env && *env) {
		snprintf(out, len, "%s", env);
		return 0;
	}
	*generated = 1;
	return gen_password(out, len);
}

static void print_login(void *arg, const char *user, const char *role, unsigned customer, unsigned reseller,
			int disabled)
{
	(void)arg;
	printf("%-32s %-9s customer=%u reseller=%u%s\n", user, role, customer, reseller, disabled ? " DISABLED" : "");
}

static int fail(const char *what, enum ngn_status st, struct db *db)
{
	const char *why = st == NGN_E_CONFLICT ? "already exists"
			  : st == NGN_E_INVALID_PASSWORD ? "password must be 8 to 256 characters"
			  : st == NGN_E_INVALID_USERNAME ? "invalid login name"
			  : st == NGN_E_INVALID_VALUE ? "invalid role"
			  : st == NGN_E_AUTH_FAILED ? "no such login"
			  : st == NGN_E_CUSTOMER_NOT_FOUND ? "no such customer or reseller record (customer add first)"
			  : st == NGN_E_CUSTOMER_EXISTS ? "the login belongs to a customer record; change it there"
			  : db_error(db);
	fprintf(stderr, "ngnprod-admin: %s: %s\n", what, why);
	return 1;
}

static int cmd_login(struct db *db, int argc, char **argv)
{
	if (argc < 1) {
		usage();
		return 2;
	}
	const char *sub = argv[0];
	if (!strcmp(sub, "list")) {
		enum ngn_status st = auth_list_logins(db, print_login, NULL);
		return st == NGN_OK ? 0 : fail("login list", st, db);
	}
	if (argc < 2) {
		usage();
		return 2;
	}
	const char *name = argv[1];
	const char *role = "admin";
	unsigned customer = 0, reseller = 0;
	int from_stdin = 0;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--role") && i + 1 < argc)
			role = argv[++i];
		else if (!strcmp(argv[i], "--customer") && i + 1 < argc)
			customer = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--reseller") && i + 1 < argc)
			reseller = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--password-stdin"))
			from_stdin = 1;
		else {
			usage();
			return 2;
		}
	}
	if (!strcmp(sub, "disable") || !strcmp(sub, "enable")) {
		enum ngn_status st = auth_disable_login(db, name, !strcmp(sub, "disable"));
		return st == NGN_OK ? 0 : fail(sub, st, db);
	}
	if (strcmp(sub, "add") && strcmp(sub, "passwd")) {
		usage();
		return 2;
	}
	char pw[300];
	int generated;
	if (get_password(from_stdin, pw, sizeof pw, &generated)) {
		fprintf(stderr, "ngnprod-admin: no password\n");
		return 1;
	}
	enum ngn_status st = auth_set_login(db, name, pw, role, customer, reseller, !strcmp(sub, "passwd"));
	if (st != NGN_OK)
		return fail(sub, st, db);
	if (generated)
		printf("login %s password %s\n", name, pw);
	else
		printf("login %s saved\n", name);
	return 0;
}

int main(int argc, char **argv)
{
	struct cfg cfg;
	char err[512];
	cfg_defaults(&cfg);
	/* settings come first (--key=value or --key value), then the command */
	int first = 1;
	while (first < argc && strncmp(argv[first], "--", 2) == 0) {
		if (!strcmp(argv[first], "--help")) {
			usage();
			return 0;
		}
		first += strchr(argv[first], '=') ? 1 : 2;
	}
	if (first > argc || cfg_parse_args(&cfg, first, argv, err, sizeof err) != 0) {
		fprintf(stderr, "ngnprod-admin: %s\n", first > argc ? "missing value" : err);
		return 2;
	}
	if (first >= argc) {
		usage();
		return 2;
	}
	log_set_level(LOG_LVL_WARN);
	mysql_library_init(0, NULL, NULL);
	struct db *db = db_new(&cfg.db);
	int rc;
	if (db == NULL || db_connect(db) != NGN_OK) {
		fprintf(stderr, "ngnprod-admin: cannot connect to the database: %s\n", db ? db_error(db) : "");
		rc = 1;
	} else if (!strcmp(argv[first], "migrate")) {
		int applied = 0;
		enum ngn_status st = migrate_apply(db, &applied);
		if (st == NGN_OK)
			printf("%d migration(s) applied\n", applied);
		rc = st == NGN_OK ? 0 : fail("migrate", st, db);
	} else if (!strcmp(argv[first], "login")) {
		rc = cmd_login(db, argc - first - 1, argv + first + 1);
	} else if (!strcmp(argv[first], "customer")) {
		rc = customer_cli(db, argc - first, argv + first);
	} else if (!strcmp(argv[first], "voucher")) {
		rc = voucher_cli(db, argc - first, argv + first);
	} else {
		usage();
		rc = 2;
	}
	db_free(db);
	mysql_library_end();
	cfg_free(&cfg);
	return rc;
}
