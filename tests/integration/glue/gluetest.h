/* gluetest.h: helpers of the proxy-glue tests and benchmark: a blocking
 * JSON-RPC client for the test's Kamailio (own event_base, one keep-alive
 * connection) and SQL fixtures that write what the store writes (grp rows
 * and a proxy_event row in one transaction). Test code only: the SQL here is
 * fixture text, never input. */
#ifndef NGN_GLUETEST_H
#define NGN_GLUETEST_H
#include <mysql.h>
#include <stdint.h>
#include "core/clock.h"

struct rpcc;
struct rpcc *rpcc_new(int port);
void rpcc_free(struct rpcc *c);
/* htable.get acct key: the mask, or -1 when absent, -2 on transport error. */
int rpcc_get(struct rpcc *c, const char *table, const char *key);
/* htable.get meta epoch present? */
int rpcc_has_epoch(struct rpcc *c);
/* Plain calls used to tamper with the proxy. Return the HTTP status. */
int rpcc_seti(struct rpcc *c, const char *table, const char *key, int v);
int rpcc_delete(struct rpcc *c, const char *table, const char *key);
/* Compares the proxy's acct table with the database's masks; prints each
 * difference (at most 10) to stderr and returns how many there are. */
int rpcc_diff_db(struct rpcc *c, MYSQL *my);

MYSQL *gt_connect(void);
void gt_exec(MYSQL *my, const char *sql);
/* A statement with its values bound as strings (at most 8). */
void gt_execp(MYSQL *my, const char *sql, unsigned n, const char *const *vals);
long long gt_scalar(MYSQL *my, const char *sql);
/* In one transaction: the account's policy groups become those of mask (plus
 * an unrelated group that must not count), and one proxy_event row. */
void gt_set_mask(MYSQL *my, const char *user, const char *domain, int mask);
#endif
