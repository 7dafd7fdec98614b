/* cfg.h: ngnprod's configuration, built once by main and passed down.
 *
 * One table of keys serves the configuration file ("key = value" lines) and
 * the command line ("--key=value"); the README's configuration reference
 * lists the same keys. No code reads configuration from globals. */
#ifndef NGN_CFG_H
#define NGN_CFG_H
#include <stddef.h>
#include "db.h"

#define CFG_MAX_PROXIES 16

struct cfg {
	char *listen;             /* address to bind, default 127.0.0.1 */
	unsigned port;            /* default 9200 */
	unsigned workers;         /* SOAP workers, each with one DB connection */
	struct db_cfg db;
	int store_clear_text_passwords; /* default 1, as NGNPro */
	size_t max_body;          /* bytes */
	size_t max_headers;       /* bytes */
	unsigned max_connections;
	unsigned idle_timeout;    /* seconds a keep-alive connection may sit idle */
	unsigned max_array;       /* items in one SOAP-ENC array */
	unsigned max_depth;       /* XML nesting */
	size_t max_string;        /* bytes in one string value */
	unsigned queue_limit;     /* requests waiting for a worker before 9003 */
	unsigned auth_cache_ttl;  /* seconds a verified login is remembered */
	unsigned voucher_max_failures; /* wrong card numbers per card/account before a lock-out */
	unsigned voucher_login_max_failures; /* ... per API login (shared by many users) */
	unsigned voucher_lockout;      /* seconds of lock-out */
	int migrate;              /* apply schema migrations at start */
	int log_level;            /* 0 error .. 3 debug */
	char *proxies[CFG_MAX_PROXIES]; /* Kamailio JSON-RPC URLs for proxy-glue */
	char *proxy_names[CFG_MAX_PROXIES]; /* each one's stable name ("proxy = NAME=URL"),
					     * NULL: the URL is its name (as before names) */
	size_t nproxies;
	char *glue_id;            /* this front-end's name in proxy_cursor rows */
	unsigned glue_poll_ms;    /* outbox poll interval when not nudged */
	unsigned glue_timeout_ms; /* per JSON-RPC call */
	unsigned glue_cursor_expire; /* seconds before an unseen cursor stops holding back pruning (0: never) */
	unsigned glue_write_through_ms; /* a policy change's reply waits this long for the proxies (0: off) */
};

void cfg_defaults(struct cfg *c);
/* Applies one "key=value" (or key, value) setting. Returns 0, or -1 with a
 * message in err. */
int cfg_set(struct cfg *c, const char *key, const char *value, char *err, size_t errlen);
/* Reads a configuration file. Returns 0, or -1 with a message in err. */
int cfg_load_file(struct cfg *c, const char *path, char *err, size_t errlen);
/* Parses --key=value / --key value / --config FILE from argv. Returns 0, 1
 * when --help was printed, or -1 with a message in err. */
int cfg_parse_args(struct cfg *c, int argc, char **argv, char *err, size_t errlen);
void cfg_free(struct cfg *c);

#endif
