/* liveserver.c: see liveserver.h. */
#include <errno.h>
#include <fcntl.h>
#include <mysql.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "liveserver.h"
#include "soapclient.h"

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static void dump_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return;
	char line[1024];
	while (fgets(line, sizeof line, f))
		fprintf(stderr, "  | %s", line);
	fclose(f);
}

#ifndef NGN_ABS_SRCDIR
#define NGN_ABS_SRCDIR "."
#endif

void ls_run_under_server(int argc, char **argv)
{
	if (getenv("NGN_TEST_PORT") != NULL)
		return;
	const char *src = getenv("srcdir");
	char wrapper[2048], self[2048];
	snprintf(wrapper, sizeof wrapper, "%s/tests/lib/with-server.sh", src && *src ? src : NGN_ABS_SRCDIR);
	if (access(wrapper, X_OK) != 0)
		snprintf(wrapper, sizeof wrapper, "%s/tests/lib/with-server.sh", NGN_ABS_SRCDIR);
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0) {
		fprintf(stderr, "cannot find my own executable\n");
		exit(99);
	}
	self[n] = '\0';
	char **av = calloc((size_t)argc + 2, sizeof *av);
	if (av == NULL)
		exit(99);
	av[0] = wrapper;
	av[1] = self;
	for (int i = 1; i < argc; i++)
		av[i + 1] = argv[i];
	fflush(NULL);
	execv(wrapper, av);
	fprintf(stderr, "cannot run %s: %s\n", wrapper, strerror(errno));
	exit(99);
}

int ls_start(struct ls_server *s, const char *const *extra)
{
	static unsigned seq;
	memset(s, 0, sizeof s[0]);
	const char *tmp = sc_env("NGN_TEST_TMP");
	snprintf(s->out, sizeof s->out, "%s/ls-%d-%u.out", tmp, (int)getpid(), seq);
	snprintf(s->log, sizeof s->log, "%s/ls-%d-%u.log", tmp, (int)getpid(), seq++);
	char bin[1024], sock[600], name[200];
	snprintf(bin, sizeof bin, "%s/ngnprod", sc_env("NGN_BUILDDIR"));
	snprintf(sock, sizeof sock, "--db-socket=%s", sc_env("NGN_TEST_DB_SOCKET"));
	snprintf(name, sizeof name, "--db-name=%s", sc_env("NGN_TEST_DB_NAME"));
	const char *argv[64] = { bin, sock, "--db-user=root", "--db-password=", name, "--port=0", "--workers=4" };
	int argc = 7;
	for (int i = 0; extra && extra[i] && argc < 62; i++)
		argv[argc++] = extra[i];
	argv[argc] = NULL;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		int o = open(s->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (o < 0 || e < 0)
			_exit(127);
		dup2(o, 1);
		dup2(e, 2);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	s->pid = pid;
	for (int i = 0; i < 400; i++) {
		FILE *f = fopen(s->out, "r");
		char line[512] = "";
		if (f) {
			if (fgets(line, sizeof line, f) == NULL)
				line[0] = '\0';
			fclose(f);
		}
		const char *p = strstr(line, "listening on http://");
		if (p && (p = strrchr(p, ':')) != NULL && atoi(p + 1) > 0) {
			s->port = atoi(p + 1);
			return 0;
		}
		if (ls_wait(s, 0) >= 0)
			break;
		sleep_ms(50);
	}
	fprintf(stderr, "extra ngnprod did not start; its log:\n");
	dump_file(s->log);
	ls_stop(s, 1000);
	return -1;
}

int ls_wait(struct ls_server *s, int timeout_ms)
{
	if (s->pid <= 0)
		return -1;
	double deadline = sc_now() + timeout_ms / 1000.0;
	for (;;) {
		int st;
		pid_t r = waitpid(s->pid, &st, WNOHANG);
		if (r == s->pid) {
			s->pid = 0;
			if (WIFEXITED(st))
				return WEXITSTATUS(st);
			return 128 + WTERMSIG(st);
		}
		if (r < 0 && errno != EINTR)
			return -1;
		if (sc_now() >= deadline)
			return -1;
		sleep_ms(10);
	}
}

int ls_log_clean(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return 1;
	char line[2048];
	int bad = 0;
	while (fgets(line, sizeof line, f)) {
		if (!bad && (strstr(line, "ERROR: AddressSanitizer") || strstr(line, "ERROR: LeakSanitizer")
			     || strstr(line, "runtime error:"))) {
			bad = 1;
			fprintf(stderr, "sanitizer report in %s:\n", path);
		}
		if (bad)
			fprintf(stderr, "  | %s", line);
	}
	fclose(f);
	return !bad;
}

int ls_stop(struct ls_server *s, int timeout_ms)
{
	if (s->pid <= 0)
		return -1;
	kill(s->pid, SIGTERM);
	int st = ls_wait(s, timeout_ms);
	if (st < 0 && s->pid > 0) {
		kill(s->pid, SIGKILL);
		ls_wait(s, 5000);
		return -1;
	}
	if (!ls_log_clean(s->log))
		return -2;
	return st;
}

long ls_rss_kb(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	long kb = -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = atol(line + 6);
	fclose(f);
	return kb;
}

/* ---- SQL ------------------------------------------------------------------------ */

static MYSQL *my;

static MYSQL *conn(void)
{
	if (my != NULL)
		return my;
	my = mysql_init(NULL);
	if (my == NULL || !mysql_real_connect(my, "localhost", "root", "", sc_env("NGN_TEST_DB_NAME"), 0,
					      sc_env("NGN_TEST_DB_SOCKET"), 0)) {
		fprintf(stderr, "test SQL connection: %s\n", my ? mysql_error(my) : "no memory");
		abort();
	}
	mysql_autocommit(my, 1);
	return my;
}

__attribute__((format(printf, 2, 0)))
static int run(int quiet, const char *fmt, va_list ap)
{
	char sql[4096];
	vsnprintf(sql, sizeof sql, fmt, ap);
	if (mysql_query(conn(), sql) != 0) {
		if (!quiet)
			fprintf(stderr, "test SQL failed: %s\n  %s\n", mysql_error(my), sql);
		return -1;
	}
	return 0;
}

long long ls_sql_scalar(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = run(0, fmt, ap);
	va_end(ap);
	if (rc != 0)
		abort();
	MYSQL_RES *res = mysql_store_result(my);
	if (res == NULL)
		return -1;
	MYSQL_ROW row = mysql_fetch_row(res);
	long long v = row && row[0] ? atoll(row[0]) : -1;
	mysql_free_result(res);
	return v;
}

static int exec_v(int quiet, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static int exec_v(int quiet, const char *fmt, va_list ap)
{
	int rc = run(quiet, fmt, ap);
	MYSQL_RES *res = mysql_store_result(my);
	if (res)
		mysql_free_result(res);
	return rc;
}

int ls_sql_exec(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = exec_v(0, fmt, ap);
	va_end(ap);
	return rc;
}

int ls_sql_try(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = exec_v(1, fmt, ap);
	va_end(ap);
	return rc;
}
