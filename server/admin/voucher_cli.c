/* voucher_cli.c: `ngnprod-admin voucher ...` (see voucher_cli.h).
 *
 * The only place where card numbers are ever written down: create makes the
 * batch (disabled) with store_voucher_create, writes id, number, value and
 * expiry to a CSV file that did not exist before (O_EXCL, mode 0600), syncs
 * it, and only then enables the batch. If the file cannot be written the
 * batch stays disabled and the file is removed, so no card is ever live
 * without a printed record, and the numbers are never shown again.
 *
 * The tool is the operator's: it calls the voucher store with the
 * unnarrowed admin scope, the only one that may manage batches. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "core/db.h"
#include "core/money.h"
#include "store/store_voucher.h"
#include "voucher_cli.h"

enum { EXIT_DONE = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

static const struct scope admin_scope = { ROLE_ADMIN, 0, 0 };

static int usage(const char *cmd)
{
	fprintf(stderr,
		"usage: ngnprod-admin %s create --count N --value V [--expires YYYY-MM-DD] [--name NAME] --csv FILE\n"
		"       ngnprod-admin %s list\n"
		"       ngnprod-admin %s disable BATCH_ID\n"
		"  create   makes N prepaid cards worth V each (up to 4 fraction digits), valid\n"
		"           through the UTC day --expires, and writes them once to FILE (which\n"
		"           must not exist): card_id,number,value,expires\n"
		"  list     shows every batch with its card and spent counts\n"
		"  disable  makes the unspent cards of a batch unusable\n",
		cmd, cmd, cmd);
	return EXIT_USAGE;
}

/* --name value or --name=value at argv[*i]; advances *i. Returns the value,
 * or NULL when argv[*i] is not this option (or its value is missing, which
 * sets *missing). */
static const char *option(int argc, char **argv, int *i, const char *name, int *missing)
{
	size_t n = strlen(name);
	const char *a = argv[*i];
	if (strncmp(a, name, n) != 0)
		return NULL;
	if (a[n] == '=') {
		return a + n + 1;
	}
	if (a[n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = 1;
		return NULL;
	}
	(*i)++;
	return argv[*i];
}

static int parse_u32(const char *s, unsigned long max, unsigned long *out)
{
	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end != '\0' || v < 1 || v > max)
		return -1;
	*out = v;
	return 0;
}

static void today_utc(char out[11])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static int write_csv(int fd, const struct voucher_batch_spec *spec, const struct voucher_new_card *cards)
{
	FILE *f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		return -1;
	}
	char value[MONEY_STR_MAX];
	money_format(spec->value, value);
	int bad = fprintf(f, "card_id,number,value,expires\n") < 0;
	for (size_t i = 0; i < spec->count && !bad; i++) {
		const char *d = cards[i].number;
		/* grouped by 4, so that spreadsheets keep it text and people can read it */
		bad = fprintf(f, "%" PRIu32 ",%.4s-%.4s-%.4s-%.4s-%.4s,%s,%s\n", cards[i].id,
			      d, d + 4, d + 8, d + 12, d + 16, value, spec->expires ? spec->expires : "") < 0;
	}
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		bad = 1;
	if (fclose(f) != 0)
		bad = 1;
	return bad ? -1 : 0;
}

static int cmd_create(struct db *db, int argc, char **argv)
{
	const char *count_s = NULL, *value_s = NULL, *expires = NULL, *name = NULL, *csv = NULL;
	for (int i = 2; i < argc; i++) {
		int missing = 0;
		const char *v;
		if ((v = option(argc, argv, &i, "--count", &missing)))
			count_s = v;
		else if ((v = option(argc, argv, &i, "--value", &missing)))
			value_s = v;
		else if ((v = option(argc, argv, &i, "--expires", &missing)))
			expires = v;
		else if ((v = option(argc, argv, &i, "--name", &missing)))
			name = v;
		else if ((v = option(argc, argv, &i, "--csv", &missing)))
			csv = v;
		else {
			fprintf(stderr, "%s create: %s '%s'\n", argv[0],
				missing ? "missing value for" : "unknown argument", argv[i]);
			return usage(argv[0]);
		}
	}
	unsigned long count;
	if (parse_u32(count_s, VOUCHER_BATCH_MAX, &count)) {
		fprintf(stderr, "%s create: --count must be 1 to %d\n", argv[0], VOUCHER_BATCH_MAX);
		return usage(argv[0]);
	}
	money_t value = 0;
	enum money_err me = money_parse_amount(value_s, &value);
	if (me != MONEY_OK || value < 0) {
		fprintf(stderr, "%s create: --value: %s\n", argv[0],
			me != MONEY_OK ? money_strerror(me) : "the amount must be positive");
		return usage(argv[0]);
	}
	if (expires != NULL) {
		char today[11];
		today_utc(today);
		struct tm tm;
		memset(&tm, 0, sizeof tm);
		const char *end = strptime(expires, "%Y-%m-%d", &tm);
		if (end == NULL || *end != '\0' || strlen(expires) != 10 || strcmp(expires, today) < 0) {
			fprintf(stderr, "%s create: --expires must be a date YYYY-MM-DD, today (%s) or later\n",
				argv[0], today);
			return usage(argv[0]);
		}
	}
	if (csv == NULL || *csv == '\0') {
		fprintf(stderr, "%s create: --csv FILE is required\n", argv[0]);
		return usage(argv[0]);
	}
	struct voucher_batch_spec spec = { name, value, expires, count };
	int fd = open(csv, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "%s create: %s: %s%s\n", argv[0], csv, strerror(errno),
			errno == EEXIST ? " (refusing to overwrite it)" : "");
		return EXIT_FAILED;
	}
	struct voucher_new_card *cards = calloc(count, sizeof *cards);
	if (cards == NULL) {
		close(fd);
		unlink(csv);
		fprintf(stderr, "%s create: out of memory\n", argv[0]);
		return EXIT_FAILED;
	}
	uint32_t batch = 0;
	int rc = EXIT_FAILED;
	enum ngn_status st = store_voucher_create(db, &admin_scope, &spec, &batch, cards);
	if (st == NGN_E_INVALID_VALUE) {
		close(fd);
		unlink(csv);
		fprintf(stderr, "%s create: invalid batch (name longer than %d characters or bad date)\n",
			argv[0], VOUCHER_NAME_MAX);
		rc = usage(argv[0]);
	} else if (st != NGN_OK) {
		close(fd);
		unlink(csv);
		fprintf(stderr, "%s create: cannot create the batch: %s\n", argv[0], db_error(db));
	} else if (write_csv(fd, &spec, cards) != 0) {
		unlink(csv);
		fprintf(stderr, "%s create: cannot write %s; batch %" PRIu32 " is left disabled "
			"and its numbers are lost\n", argv[0], csv, batch);
	} else {
		int found = 0;
		st = store_voucher_set_disabled(db, &admin_scope, batch, 0, &found);
		if (st != NGN_OK || !found) {
			fprintf(stderr, "%s create: batch %" PRIu32 " is in %s but could not be enabled; "
				"its cards stay unusable\n", argv[0], batch, csv);
		} else {
			char v[MONEY_STR_MAX];
			printf("batch %" PRIu32 ": %lu cards of %s%s%s written to %s\n", batch, count,
			       money_format(value, v), expires ? ", valid through " : "", expires ? expires : "", csv);
			rc = EXIT_DONE;
		}
	}
	explicit_bzero(cards, count * sizeof *cards);
	free(cards);
	return rc;
}

static enum ngn_status print_batch(void *arg, const struct voucher_batch_info *b)
{
	(void)arg;
	char v[MONEY_STR_MAX];
	printf("%-6" PRIu32 " %8" PRIu64 " %8" PRIu64 " %18s %-10s %-8s %-19s %s\n", b->id, b->cards, b->spent,
	       money_format(b->value, v), *b->expires ? b->expires : "-", b->disabled ? "yes" : "no",
	       b->created, b->name);
	return NGN_OK;
}

static int cmd_list(struct db *db, int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "%s list: takes no arguments\n", argv[0]);
		return usage(argv[0]);
	}
	printf("%-6s %8s %8s %18s %-10s %-8s %-19s %s\n", "batch", "cards", "spent", "value", "expires",
	       "disabled", "created (UTC)", "name");
	enum ngn_status st = store_voucher_list(db, &admin_scope, print_batch, NULL);
	if (st != NGN_OK) {
		fprintf(stderr, "%s list: %s\n", argv[0], db_error(db));
		return EXIT_FAILED;
	}
	return EXIT_DONE;
}

static int cmd_disable(struct db *db, int argc, char **argv)
{
	unsigned long id;
	if (argc != 3 || parse_u32(argv[2], UINT32_MAX, &id)) {
		fprintf(stderr, "%s disable: needs one BATCH_ID\n", argv[0]);
		return usage(argv[0]);
	}
	int found = 0;
	enum ngn_status st = store_voucher_set_disabled(db, &admin_scope, (uint32_t)id, 1, &found);
	if (st != NGN_OK) {
		fprintf(stderr, "%s disable: %s\n", argv[0], db_error(db));
		return EXIT_FAILED;
	}
	if (!found) {
		fprintf(stderr, "%s disable: no batch %lu\n", argv[0], id);
		return EXIT_FAILED;
	}
	printf("batch %lu disabled\n", id);
	return EXIT_DONE;
}

int voucher_cli(struct db *db, int argc, char **argv)
{
	const char *cmd = argc > 0 && argv[0] ? argv[0] : "voucher";
	if (argc < 2)
		return usage(cmd);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(cmd);
		return EXIT_DONE;
	}
	if (strcmp(argv[1], "create") == 0)
		return cmd_create(db, argc, argv);
	if (strcmp(argv[1], "list") == 0)
		return cmd_list(db, argc, argv);
	if (strcmp(argv[1], "disable") == 0)
		return cmd_disable(db, argc, argv);
	fprintf(stderr, "%s: unknown command '%s'\n", cmd, argv[1]);
	return usage(cmd);
}
