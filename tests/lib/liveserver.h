/* liveserver.h: extra ngnprod instances and direct SQL for the live tests.
 *
 * Some cases need a server with other limits (--idle-timeout,
 * --max-connections, ...) or one they may kill (SIGTERM drain). These start
 * their own ngnprod from NGN_BUILDDIR on the private MariaDB that
 * tests/lib/with-server.sh (via with-mariadb.sh) already runs, on a port the
 * kernel picks (--port=0; the port is read back from the "listening" line),
 * and stop it by pid. The child dies with the test process (PR_SET_PDEATHSIG),
 * so a failed assertion never leaves a server behind.
 *
 * The SQL helpers open one connection as root on NGN_TEST_DB_SOCKET for
 * checks of stored state. Test code only. */
#ifndef NGN_LIVESERVER_H
#define NGN_LIVESERVER_H
#include <sys/types.h>

struct ls_server {
	pid_t pid;
	int port;
	char out[512]; /* its stdout file */
	char log[512]; /* its stderr (the log) */
};

/* A live test's main calls this first. Without NGN_TEST_PORT in the
 * environment it re-executes the program under tests/lib/with-server.sh
 * (found through $srcdir, which automake's harness sets, or the source tree
 * this was built from) and never returns; with a server it returns. */
void ls_run_under_server(int argc, char **argv);

/* Starts ngnprod with the test DB settings plus extra (NULL-terminated list
 * of "--key=value", may be NULL). Waits up to 20 s for it to listen.
 * 0 on success, -1 (and prints the log) otherwise. */
int ls_start(struct ls_server *s, const char *const *extra);

/* Waits up to timeout_ms for the process to exit. Returns its exit status
 * (0..255), 128+signal when killed by a signal, or -1 if still running. */
int ls_wait(struct ls_server *s, int timeout_ms);

/* SIGTERM, then ls_wait(timeout_ms); SIGKILL if it did not exit (returns -1
 * then). Returns -2 when its log holds a sanitizer report (printed). */
int ls_stop(struct ls_server *s, int timeout_ms);

/* 1 when the log file has no AddressSanitizer/LeakSanitizer/UBSan report;
 * else prints the report and returns 0. */
int ls_log_clean(const char *path);

/* Resident set size of pid in kB (-1 if unknown). */
long ls_rss_kb(pid_t pid);

/* The first column of the first row of a SELECT on the test DB as a number;
 * -1 when there is no row or it is NULL. Aborts on SQL errors. */
long long ls_sql_scalar(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Runs one statement; 0 or -1 (error printed). */
int ls_sql_exec(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* ls_sql_exec without the error message, for statements that may lose a race
 * (KILL of a connection that just went away). */
int ls_sql_try(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
