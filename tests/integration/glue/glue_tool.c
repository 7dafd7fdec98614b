/* glue_tool.c: the shell tests' hands on the database and the proxy (test
 * code only). The database is NGN_TEST_DB_SOCKET.
 *   glue_tool set USER DOMAIN MASK          one change, as the store writes it
 *   glue_tool flip DOMAIN ACCOUNTS COUNT SEED [PAUSE_MS]
 *                                           COUNT random changes of ACCOUNTS accounts
 *   glue_tool same RPC_PORT SECONDS         waits until the proxy's acct table
 *                                           equals the database (exit 1 if not)
 *   glue_tool epoch RPC_PORT SECONDS        waits until meta=>epoch is set
 *   glue_tool get RPC_PORT KEY              prints the key's value (-1 absent)
 *   glue_tool wait RPC_PORT KEY VALUE SECONDS  waits until the key holds VALUE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "gluetest.h"

static int usage(void)
{
	fprintf(stderr, "usage: glue_tool set|flip|same|epoch|get ...\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	const char *cmd = argv[1];
	if (!strcmp(cmd, "set") && argc == 5) {
		MYSQL *my = gt_connect();
		gt_set_mask(my, argv[2], argv[3], atoi(argv[4]));
		mysql_close(my);
		return 0;
	}
	if (!strcmp(cmd, "flip") && argc >= 6) {
		MYSQL *my = gt_connect();
		int n = atoi(argv[3]), count = atoi(argv[4]), pause_ms = argc > 6 ? atoi(argv[6]) : 0;
		srand((unsigned)atoi(argv[5]));
		char user[32];
		for (int i = 0; i < count; i++) {
			snprintf(user, sizeof user, "k%d", rand() % n);
			gt_set_mask(my, user, argv[2], rand() % 16);
			if (pause_ms)
				usleep((useconds_t)pause_ms * 1000);
		}
		mysql_close(my);
		return 0;
	}
	if ((!strcmp(cmd, "same") || !strcmp(cmd, "epoch")) && argc == 4) {
		struct rpcc *rc = rpcc_new(atoi(argv[2]));
		MYSQL *my = gt_connect();
		double t0 = clock_mono_sec(), limit = atof(argv[3]);
		int ok;
		for (;;) {
			ok = !strcmp(cmd, "same") ? rpcc_diff_db(rc, my) == 0 : rpcc_has_epoch(rc);
			if (ok || clock_mono_sec() - t0 > limit)
				break;
			usleep(100000);
		}
		if (ok)
			printf("%s after %.2f s\n", cmd, clock_mono_sec() - t0);
		rpcc_free(rc);
		mysql_close(my);
		return ok ? 0 : 1;
	}
	if (!strcmp(cmd, "get") && argc == 4) {
		struct rpcc *rc = rpcc_new(atoi(argv[2]));
		printf("%d\n", rpcc_get(rc, "acct", argv[3]));
		rpcc_free(rc);
		return 0;
	}
	if (!strcmp(cmd, "wait") && argc == 6) {
		struct rpcc *rc = rpcc_new(atoi(argv[2]));
		int want = atoi(argv[4]), have;
		double t0 = clock_mono_sec();
		while ((have = rpcc_get(rc, "acct", argv[3])) != want && clock_mono_sec() - t0 < atof(argv[5]))
			usleep(5000);
		rpcc_free(rc);
		if (have != want)
			fprintf(stderr, "%s: %d, not %d\n", argv[3], have, want);
		return have == want ? 0 : 1;
	}
	return usage();
}
