/* main.c: ngnprod-glue, proxy-glue as a process of its own, for deployments
 * where several ngnprod front-ends share one database (and for tests).
 *
 * It reads the same configuration as ngnprod (--config FILE, --key=value:
 * proxy, glue-id, glue-poll-ms, glue-timeout-ms, glue-cursor-expire, db-*,
 * log-level, migrate; glue-write-through-ms has no effect here: no reply
 * waits on this process, see proxy-glue/README.md),
 * runs the glue until SIGINT or SIGTERM, and prints the glue's status as one
 * JSON line on stdout at each SIGUSR1. Not nudged by anyone, it finds new
 * outbox rows by polling every glue-poll-ms. */
#include <mysql.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include "core/cfg.h"
#include "core/db.h"
#include "glue.h"
#include "core/log.h"
#include "core/migrate.h"

int main(int argc, char **argv)
{
	struct cfg cfg;
	char err[512];
	cfg_defaults(&cfg);
	int rc = cfg_parse_args(&cfg, argc, argv, err, sizeof err);
	if (rc != 0) {
		if (rc < 0)
			fprintf(stderr, "ngnprod-glue: %s\n", err);
		cfg_free(&cfg);
		return rc < 0 ? 2 : 0;
	}
	log_set_level((enum log_level)(cfg.log_level > 3 ? 3 : cfg.log_level));
	if (mysql_library_init(0, NULL, NULL)) {
		fprintf(stderr, "ngnprod-glue: cannot initialise the MariaDB client library\n");
		cfg_free(&cfg);
		return 1;
	}
	if (cfg.nproxies == 0) {
		fprintf(stderr, "ngnprod-glue: no proxy configured (--proxy=[NAME=]http://HOST:PORT/RPC)\n");
		cfg_free(&cfg);
		return 2;
	}
	if (cfg.migrate) {
		struct db *db = db_new(&cfg.db);
		int applied = 0;
		if (db == NULL || migrate_apply(db, &applied) != NGN_OK)
			log_warn("glue: schema migrations not applied now (database down?)");
		db_free(db);
	}

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL); /* before the glue thread inherits the mask */

	struct glue *g = glue_start(&cfg);
	cfg_free(&cfg);
	if (g == NULL)
		return 1;
	for (;;) {
		int sig = 0;
		if (sigwait(&set, &sig) != 0)
			break;
		if (sig == SIGUSR1) {
			char buf[8192];
			glue_status_json(g, buf, sizeof buf);
			printf("%s\n", buf);
			fflush(stdout);
			continue;
		}
		if (sig == SIGPIPE)
			continue;
		break;
	}
	glue_stop(g);
	mysql_library_end();
	return 0;
}
