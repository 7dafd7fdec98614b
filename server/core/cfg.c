/* cfg.c: the configuration keys (see cfg.h), in one table that serves the
 * configuration file, the command line and the usage text alike. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cfg.h"

enum kind { K_STR, K_UINT, K_SIZE, K_BOOL, K_PROXY };

struct key {
	const char *name;
	enum kind kind;
	size_t off;
	const char *help;
};

#define OFF(f) offsetof(struct cfg, f)
static const struct key keys[] = {
	{ "listen", K_STR, OFF(listen), "address to listen on (default 127.0.0.1)" },
	{ "port", K_UINT, OFF(port), "TCP port of the Sip port (default 9200)" },
	{ "workers", K_UINT, OFF(workers), "SOAP workers, one DB connection each (default 8)" },
	{ "db-host", K_STR, OFF(db.host), "MariaDB host (default localhost)" },
	{ "db-port", K_UINT, OFF(db.port), "MariaDB TCP port (default 3306)" },
	{ "db-socket", K_STR, OFF(db.socket), "MariaDB unix socket (overrides host/port)" },
	{ "db-user", K_STR, OFF(db.user), "MariaDB user (default ngnprod)" },
	{ "db-password", K_STR, OFF(db.password), "MariaDB password" },
	{ "db-name", K_STR, OFF(db.database), "MariaDB database (default ngnprod)" },
	{ "db-connect-timeout", K_UINT, OFF(db.connect_timeout), "seconds (default 2)" },
	{ "db-timeout", K_UINT, OFF(db.rw_timeout), "read/write timeout in seconds (default 10)" },
	{ "store-clear-text-passwords", K_BOOL, OFF(store_clear_text_passwords),
	  "keep clear-text SIP passwords besides ha1/ha1b (default yes)" },
	{ "max-body", K_SIZE, OFF(max_body), "largest request body in bytes (default 1048576)" },
	{ "max-headers", K_SIZE, OFF(max_headers), "largest HTTP header block in bytes (default 16384)" },
	{ "max-connections", K_UINT, OFF(max_connections), "open client connections (default 1024)" },
	{ "idle-timeout", K_UINT, OFF(idle_timeout), "seconds before an idle or stalled connection is closed (default 30)" },
	{ "max-array", K_UINT, OFF(max_array), "items in one array (default 10000)" },
	{ "max-depth", K_UINT, OFF(max_depth), "XML nesting depth (default 32)" },
	{ "max-string", K_SIZE, OFF(max_string), "bytes in one string value (default 65536)" },
	{ "queue-limit", K_UINT, OFF(queue_limit), "requests waiting for a worker before fault 9003 (default 4096)" },
	{ "auth-cache-ttl", K_UINT, OFF(auth_cache_ttl), "seconds a verified API login is remembered (default 60)" },
	{ "voucher-max-failures", K_UINT, OFF(voucher_max_failures),
	  "wrong card numbers on one card or for one account before a lock-out (default 5; 0: no throttle)" },
	{ "voucher-login-max-failures", K_UINT, OFF(voucher_login_max_failures),
	  "wrong card numbers through one API login before it is locked out (default 100; 0: off)" },
	{ "voucher-lockout", K_UINT, OFF(voucher_lockout), "lock-out in seconds (default 300)" },
	{ "migrate", K_BOOL, OFF(migrate), "apply schema migrations at start (default yes)" },
	{ "log-level", K_UINT, OFF(log_level), "0 error, 1 warn, 2 info, 3 debug (default 2)" },
	{ "proxy", K_PROXY, 0, "[NAME=]URL: a Kamailio JSON-RPC URL for proxy-glue, e.g. kamailio=http://127.0.0.1:5071/RPC;"
	  " NAME (letters, digits, . _ -) is its identity in the outbox cursors, default the URL (repeatable)" },
	{ "glue-id", K_STR, OFF(glue_id), "name of this front-end in the outbox cursors (default: host name)" },
	{ "glue-poll-ms", K_UINT, OFF(glue_poll_ms), "outbox poll interval in ms (default 200)" },
	{ "glue-timeout-ms", K_UINT, OFF(glue_timeout_ms), "timeout of one JSON-RPC call in ms (default 2000)" },
	{ "glue-cursor-expire", K_UINT, OFF(glue_cursor_expire),
	  "seconds after which a proxy cursor nobody updated is dropped and stops holding back outbox pruning"
	  " (default 86400, at least 180; 0: never)" },
	{ "glue-write-through-ms", K_UINT, OFF(glue_write_through_ms),
	  "a policy change's reply waits up to this long until every in-sync proxy has it (default 50; 0: off)" },
};
#define NKEYS (sizeof keys / sizeof keys[0])

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

void cfg_defaults(struct cfg *c)
{
	memset(c, 0, sizeof *c);
	c->listen = strdup("127.0.0.1");
	c->port = 9200;
	c->workers = 8;
	c->db.host = dup_or_null("localhost");
	c->db.user = dup_or_null("ngnprod");
	c->db.database = dup_or_null("ngnprod");
	c->db.connect_timeout = 2;
	c->db.rw_timeout = 10;
	c->store_clear_text_passwords = 1;
	c->max_body = 1048576;
	c->max_headers = 16384;
	c->max_connections = 1024;
	c->idle_timeout = 30;
	c->max_array = 10000;
	c->max_depth = 32;
	c->max_string = 65536;
	c->queue_limit = 4096;
	c->auth_cache_ttl = 60;
	c->voucher_max_failures = 5;
	c->voucher_login_max_failures = 100;
	c->voucher_lockout = 300;
	c->migrate = 1;
	c->log_level = 2;
	c->glue_poll_ms = 200;
	c->glue_timeout_ms = 2000;
	c->glue_cursor_expire = 86400;
	c->glue_write_through_ms = 50;
}

static int parse_ull(const char *v, unsigned long long max, unsigned long long *out)
{
	char *end;
	errno = 0;
	if (v == NULL || *v == '\0' || *v == '-')
		return -1;
	unsigned long long n = strtoull(v, &end, 10);
	if (errno || *end != '\0' || n > max)
		return -1;
	*out = n;
	return 0;
}

/* "proxy = [NAME=]URL": a '=' before the URL's "://" ends the name. */
static int proxy_add(struct cfg *c, const char *value)
{
	const char *scheme = strstr(value, "://");
	const char *eq = strchr(value, '=');
	char *name = NULL;
	if (eq && (scheme == NULL || eq < scheme)) {
		size_t n = (size_t)(eq - value);
		if (n == 0 || n > 64 || strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					    "0123456789._-") < n || eq[1] == '\0')
			return -1;
		name = strndup(value, n);
		value = eq + 1;
	}
	c->proxies[c->nproxies] = strdup(value);
	c->proxy_names[c->nproxies] = name;
	c->nproxies++;
	return 0;
}

int cfg_set(struct cfg *c, const char *key, const char *value, char *err, size_t errlen)
{
	for (size_t i = 0; i < NKEYS; i++) {
		const struct key *k = &keys[i];
		if (strcmp(k->name, key) != 0)
			continue;
		char *base = (char *)c;
		unsigned long long n;
		switch (k->kind) {
		case K_STR: {
			char **p = (char **)(base + k->off);
			free(*p);
			*p = strdup(value ? value : "");
			return 0;
		}
		case K_UINT:
			if (parse_ull(value, UINT_MAX, &n))
				break;
			*(unsigned *)(base + k->off) = (unsigned)n;
			return 0;
		case K_SIZE:
			if (parse_ull(value, SIZE_MAX, &n))
				break;
			*(size_t *)(base + k->off) = (size_t)n;
			return 0;
		case K_BOOL:
			if (value && (!strcmp(value, "yes") || !strcmp(value, "true") || !strcmp(value, "1"))) {
				*(int *)(base + k->off) = 1;
				return 0;
			}
			if (value && (!strcmp(value, "no") || !strcmp(value, "false") || !strcmp(value, "0"))) {
				*(int *)(base + k->off) = 0;
				return 0;
			}
			break;
		case K_PROXY:
			if (value == NULL || *value == '\0' || c->nproxies >= CFG_MAX_PROXIES
			    || proxy_add(c, value) != 0)
				break;
			return 0;
		}
		snprintf(err, errlen, "invalid value for %s: '%s'", key, value ? value : "");
		return -1;
	}
	snprintf(err, errlen, "unknown setting '%s'", key);
	return -1;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

int cfg_load_file(struct cfg *c, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char line[4096];
	int lineno = 0, rc = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char *s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (eq == NULL) {
			snprintf(err, errlen, "%s:%d: expected key = value", path, lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		char sub[512];
		if (cfg_set(c, trim(s), trim(eq + 1), sub, sizeof sub)) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, sub);
			rc = -1;
			break;
		}
	}
	fclose(f);
	return rc;
}

/* The --help text (cfg_parse_args prints it). */
static void cfg_usage(void)
{
	printf("usage: ngnprod [--config FILE] [--key=value ...]\n\nsettings (also valid as 'key = value' in FILE):\n");
	for (size_t i = 0; i < NKEYS; i++)
		printf("  --%-28s %s\n", keys[i].name, keys[i].help);
}

int cfg_parse_args(struct cfg *c, int argc, char **argv, char *err, size_t errlen)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			cfg_usage();
			return 1;
		}
		if (strncmp(a, "--", 2) != 0) {
			snprintf(err, errlen, "unexpected argument '%s'", a);
			return -1;
		}
		char key[128];
		const char *value;
		const char *eq = strchr(a + 2, '=');
		if (eq) {
			snprintf(key, sizeof key, "%.*s", (int)(eq - a - 2), a + 2);
			value = eq + 1;
		} else {
			snprintf(key, sizeof key, "%s", a + 2);
			if (i + 1 >= argc) {
				snprintf(err, errlen, "--%s needs a value", key);
				return -1;
			}
			value = argv[++i];
		}
		if (!strcmp(key, "config")) {
			if (cfg_load_file(c, value, err, errlen))
				return -1;
			continue;
		}
		if (cfg_set(c, key, value, err, errlen))
			return -1;
	}
	return 0;
}

void cfg_free(struct cfg *c)
{
	free(c->listen);
	free((char *)c->db.host);
	free((char *)c->db.socket);
	free((char *)c->db.user);
	free((char *)c->db.password);
	free((char *)c->db.database);
	free(c->glue_id);
	for (size_t i = 0; i < c->nproxies; i++) {
		free(c->proxies[i]);
		free(c->proxy_names[i]);
	}
	memset(c, 0, sizeof *c);
}
