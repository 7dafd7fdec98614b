/* check_cfg.c: configuration keys, files and command lines (server/core/cfg.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "suites.h"
#include "core/cfg.h"

START_TEST(defaults_are_safe)
{
	struct cfg c;
	cfg_defaults(&c);
	ck_assert_str_eq(c.listen, "127.0.0.1");
	ck_assert_uint_eq(c.port, 9200);
	ck_assert_int_eq(c.store_clear_text_passwords, 1);
	ck_assert_uint_gt(c.max_body, 0);
	ck_assert_uint_gt(c.max_connections, 0);
	cfg_free(&c);
}
END_TEST

START_TEST(values_are_checked)
{
	struct cfg c;
	char err[256];
	cfg_defaults(&c);
	ck_assert_int_eq(cfg_set(&c, "port", "9300", err, sizeof err), 0);
	ck_assert_uint_eq(c.port, 9300);
	ck_assert_int_eq(cfg_set(&c, "port", "-1", err, sizeof err), -1);
	ck_assert_int_eq(cfg_set(&c, "port", "12x", err, sizeof err), -1);
	ck_assert_int_eq(cfg_set(&c, "port", "", err, sizeof err), -1);
	ck_assert_int_eq(cfg_set(&c, "workers", "99999999999999", err, sizeof err), -1);
	ck_assert_int_eq(cfg_set(&c, "store-clear-text-passwords", "no", err, sizeof err), 0);
	ck_assert_int_eq(c.store_clear_text_passwords, 0);
	ck_assert_int_eq(cfg_set(&c, "store-clear-text-passwords", "maybe", err, sizeof err), -1);
	ck_assert_int_eq(cfg_set(&c, "no-such-key", "1", err, sizeof err), -1);
	ck_assert_int_eq(cfg_set(&c, "proxy", "http://127.0.0.1:5071/RPC", err, sizeof err), 0);
	ck_assert_int_eq(cfg_set(&c, "proxy", "http://127.0.0.1:5072/RPC", err, sizeof err), 0);
	ck_assert_uint_eq(c.nproxies, 2);
	cfg_free(&c);
}
END_TEST

/* issue 11 item 2: proxy = [NAME=]URL; the glue settings of item 5 */
START_TEST(proxy_names_and_glue_settings)
{
	struct cfg c;
	char err[256];
	cfg_defaults(&c);
	ck_assert_uint_eq(c.glue_cursor_expire, 86400);
	ck_assert_uint_eq(c.glue_write_through_ms, 50);
	ck_assert_int_eq(cfg_set(&c, "proxy", "kamailio=http://127.0.0.1:5071/RPC", err, sizeof err), 0);
	ck_assert_str_eq(c.proxies[0], "http://127.0.0.1:5071/RPC");
	ck_assert_str_eq(c.proxy_names[0], "kamailio");
	/* without a name the URL is the name (as before), even with '=' after "://" */
	ck_assert_int_eq(cfg_set(&c, "proxy", "http://127.0.0.1:5072/RPC?a=b", err, sizeof err), 0);
	ck_assert_str_eq(c.proxies[1], "http://127.0.0.1:5072/RPC?a=b");
	ck_assert_ptr_null(c.proxy_names[1]);
	ck_assert_int_eq(cfg_set(&c, "proxy", "=http://127.0.0.1:5073/RPC", err, sizeof err), -1);
	ck_assert_int_eq(cfg_set(&c, "proxy", "bad name=http://127.0.0.1:5073/RPC", err, sizeof err), -1);
	ck_assert_int_eq(cfg_set(&c, "proxy", "k1=", err, sizeof err), -1);
	ck_assert_uint_eq(c.nproxies, 2);
	ck_assert_int_eq(cfg_set(&c, "glue-cursor-expire", "0", err, sizeof err), 0);
	ck_assert_uint_eq(c.glue_cursor_expire, 0);
	ck_assert_int_eq(cfg_set(&c, "glue-write-through-ms", "0", err, sizeof err), 0);
	ck_assert_uint_eq(c.glue_write_through_ms, 0);
	cfg_free(&c);
}
END_TEST

START_TEST(file_and_arguments)
{
	char path[] = "/tmp/ngn-cfg-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	FILE *f = fdopen(fd, "w");
	fprintf(f, "# comment\n\nport = 9400\n db-socket = /run/x.sock \nworkers=3\n");
	fclose(f);
	struct cfg c;
	char err[256];
	cfg_defaults(&c);
	char *argv[] = { "ngnprod", "--config", path, "--workers=5", "--listen", "0.0.0.0", NULL };
	ck_assert_int_eq(cfg_parse_args(&c, 6, argv, err, sizeof err), 0);
	ck_assert_uint_eq(c.port, 9400);
	ck_assert_str_eq(c.db.socket, "/run/x.sock");
	ck_assert_uint_eq(c.workers, 5); /* later settings win */
	ck_assert_str_eq(c.listen, "0.0.0.0");
	char *bad[] = { "ngnprod", "--port", NULL };
	ck_assert_int_eq(cfg_parse_args(&c, 2, bad, err, sizeof err), -1);
	char *stray[] = { "ngnprod", "port=1", NULL };
	ck_assert_int_eq(cfg_parse_args(&c, 2, stray, err, sizeof err), -1);
	cfg_free(&c);
	f = fopen(path, "w");
	fprintf(f, "port 9400\n");
	fclose(f);
	cfg_defaults(&c);
	ck_assert_int_eq(cfg_load_file(&c, path, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, ":1:"));
	cfg_free(&c);
	unlink(path);
	ck_assert_int_eq(cfg_load_file(&c, "/nonexistent/ngnprod.conf", err, sizeof err), -1);
}
END_TEST

Suite *cfg_suite(void)
{
	Suite *s = suite_create("cfg");
	TCase *tc = tcase_create("cfg");
	tcase_add_test(tc, defaults_are_safe);
	tcase_add_test(tc, values_are_checked);
	tcase_add_test(tc, proxy_names_and_glue_settings);
	tcase_add_test(tc, file_and_arguments);
	suite_add_tcase(s, tc);
	return s;
}
