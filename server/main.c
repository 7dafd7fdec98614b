/* main.c: ngnprod's entry point. Builds the configuration, prepares the
 * database (migrations), starts proxy-glue and the front end, and runs until
 * SIGTERM/SIGINT, after which in-flight requests are drained. */
#include <event2/thread.h>
#include <mysql.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "core/cfg.h"
#include "core/db.h"
#include "front/front.h"
#include "glue.h"
#include "core/log.h"
#include "core/migrate.h"

/* Waits up to 60 s for the database (it may still be starting), then
 * applies pending migrations. */
static int prepare_db(const struct cfg *cfg)
{
	struct db *db = db_new(&cfg->db);
	if (db == NULL)
		return -1;
	enum ngn_status st = NGN_E_DB_UNAVAILABLE;
	for (int i = 0; i < 600; i++) {
		st = db_connect(db);
		if (st == NGN_OK)
			break;
		struct timespec ts = { 0, 100000000L };
		nanosleep(&ts, NULL);
	}
	if (st != NGN_OK) {
		log_error("database unreachable: %s", db_error(db));
		db_free(db);
		return -1;
	}
	int applied = 0;
	if (cfg->migrate) {
		st = migrate_apply(db, &applied);
		if (st != NGN_OK) {
			log_error("schema migration failed: %s", db_error(db));
			db_free(db);
			return -1;
		}
		if (applied)
			log_info("applied %d schema migration(s)", applied);
	}
	db_free(db);
	return 0;
}

int main(int argc, char **argv)
{
	struct cfg cfg;
	char err[512];
	cfg_defaults(&cfg);
	int rc = cfg_parse_args(&cfg, argc, argv, err, sizeof err);
	if (rc != 0) {
		if (rc < 0)
			fprintf(stderr, "ngnprod: %s (see --help)\n", err);
		cfg_free(&cfg);
		return rc < 0 ? 2 : 0;
	}
	log_set_level((enum log_level)(cfg.log_level > 3 ? 3 : cfg.log_level));
	signal(SIGPIPE, SIG_IGN);
	if (mysql_library_init(0, NULL, NULL) || evthread_use_pthreads()) {
		log_error("library initialisation failed");
		return 1;
	}
	if (prepare_db(&cfg)) {
		cfg_free(&cfg);
		return 1;
	}
	struct glue *glue = cfg.nproxies ? glue_start(&cfg) : NULL;
	if (cfg.nproxies && glue == NULL) {
		log_error("proxy-glue could not start");
		cfg_free(&cfg);
		return 1;
	}
	struct front *front = front_new(&cfg, glue);
	if (front == NULL) {
		glue_stop(glue);
		cfg_free(&cfg);
		return 1;
	}
	fprintf(stdout, "ngnprod listening on http://%s:%u/\n", cfg.listen, front_port(front));
	fflush(stdout);
	front_run(front);
	front_free(front);
	glue_stop(glue);
	mysql_library_end();
	cfg_free(&cfg);
	log_info("stopped");
	return 0;
}
