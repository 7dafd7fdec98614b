/* check_faults.c: every Sip-port operation under injected faults
 * (server/core/fault_inject.h). For each operation, in an order where each
 * call's success sets up the next one, and for each fault point (the Nth
 * allocation, the Nth statement execution, the Nth COMMIT), N walks from 1
 * until the call completes without reaching the Nth event. Every injected
 * failure must give
 *   - a clean SOAP fault with the stable code of its kind (9001 for the
 *     database, 9002 for memory),
 *   - no partial write: a fingerprint of every table the operations touch
 *     is the same before and after, and proxy-glue was not nudged,
 *   - a server still serving: a normal call right after succeeds,
 * and the sanitizer build (make check with --enable-sanitizers) runs the
 * same walk, so a leak or a use after free on any of these paths fails it.
 *
 * This program is linked with its own copies of server/core/db.c and
 * arena.c compiled with NGN_FAULT_INJECTION (Makefile.am); the production
 * objects have no hooks. It also wraps gSOAP's soap_malloc
 * (-Wl,--wrap=soap_malloc) for the calls of our edge code and of the
 * generated serializers, failing as gSOAP does: NULL and SOAP_EOM. Calls
 * inside the shared libgsoap itself are not reached. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "soapH.h"
#include "core/db.h"
#include "core/fault_inject.h"
#include "inproc.h"
#include "inproc_check.h"
#include "testdb.h"

void *__real_soap_malloc(struct soap *soap, size_t n);
void *__wrap_soap_malloc(struct soap *soap, size_t n);

void *__wrap_soap_malloc(struct soap *soap, size_t n)
{
	if (soap != NULL && FI_FAIL(FI_ALLOC)) {
		soap->error = SOAP_EOM;
		return NULL;
	}
	return __real_soap_malloc(soap, n);
}

static struct inproc T;

#define CARD_SALT "00112233445566778899aabbccddeeff"

/* Empties every table the operations write and adds the voucher card that
 * addBalanceFromVoucher.http redeems (id 42, number 123456789). */
static void reset_tables(void)
{
	static const char *const sql[] = {
		"DELETE FROM sip_account_property", "DELETE FROM sip_account_acl",
		"DELETE FROM sip_account", "DELETE FROM subscriber", "DELETE FROM grp", "DELETE FROM sip_alias",
		"DELETE FROM dbaliases", "DELETE FROM sip_domain", "DELETE FROM domain", "DELETE FROM proxy_event",
		"DELETE FROM prepaid_history", "DELETE FROM prepaid_balance", "DELETE FROM voucher_card",
		"DELETE FROM voucher_batch", "DELETE FROM voucher_throttle",
		"INSERT INTO voucher_batch (id, name, value, disabled) VALUES (1, 'fixture', 255000, 0)",
		"INSERT INTO voucher_card (id, batch_id, salt, number_hash) VALUES (42, 1, '" CARD_SALT "',"
		" SHA2(CONCAT(UNHEX('" CARD_SALT "'), '123456789'), 256))",
		NULL,
	};
	for (int i = 0; sql[i]; i++)
		testdb_scalar(T.db, sql[i]);
}

static void setup(void)
{
	inproc_open(&T);
	reset_tables();
}

static void teardown(void)
{
	fi_disarm();
	inproc_close(&T);
}

/* One call of each of the 21 operations (two of addAccount and deleteAccount:
 * an account with an ACL and properties takes other paths), in an order
 * where each success prepares the next: a captured client request (fixture) or a body. `before`
 * is SQL run first, outside the walk. `item_code`: an operation that
 * reports errors per item of its reply (getPrepaidStatus) may answer a
 * failure there instead of with a fault; the XPath of that item's code. */
static const struct op {
	const char *name;
	const char *fixture;
	const char *body;
	const char *before;
	const char *item_code;
} ops[] = {
	{ "addDomain", "addDomain", NULL, NULL, NULL },
	{ "updateDomain", "updateDomain", NULL, NULL, NULL },
	{ "getDomains", "getDomains", NULL, NULL, NULL },
	{ "addAccount", "addAccount", NULL, NULL, NULL },
	{ "addAccount (ACL, properties)", "addAccount_props", NULL, NULL, NULL },
	{ "getAccount", "getAccount", NULL, NULL, NULL },
	{ "getAccounts", "getAccounts", NULL, NULL, NULL },
	{ "updateAccount", "updateAccount_roundtrip", NULL, NULL, NULL },
	{ "addToGroup", "addToGroup", NULL, NULL, NULL },
	{ "getGroups", "getGroups", NULL, NULL, NULL },
	{ "removeFromGroup", NULL,
	  "<ns5:removeFromGroup>" SIPID("sipId", "alice", "example.com")
	  "<group xsi:type=\"xsd:string\">blocked</group></ns5:removeFromGroup>", NULL, NULL },
	{ "addAlias", "addAlias", NULL, NULL, NULL },
	{ "getAlias", NULL, "<ns5:getAlias>" SIPID("id", "al", "example.com") "</ns5:getAlias>", NULL, NULL },
	{ "updateAlias", NULL,
	  "<ns5:updateAlias><alias xsi:type=\"ns4:SipAlias\">" SIPID("id", "al", "example.com")
	  SIPID("target", "alice", "example.com") "<owner xsi:type=\"xsd:int\">7</owner></alias></ns5:updateAlias>", NULL, NULL },
	{ "getAliases", "getAliases", NULL, NULL, NULL },
	{ "addBalance", "addBalance", NULL,
	  "UPDATE sip_account SET prepaid = 1 WHERE subscriber_id = (SELECT id FROM subscriber WHERE username = 'alice')", NULL },
	{ "addBalanceFromVoucher", "addBalanceFromVoucher", NULL, NULL, NULL },
	{ "getPrepaidStatus", NULL,
	  "<ns5:getPrepaidStatus><sipIds xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"ns4:SipId[1]\">"
	  SIPID("item", "alice", "example.com") "</sipIds></ns5:getPrepaidStatus>", NULL,
	  "number(/SOAP-ENV:Envelope/SOAP-ENV:Body/*[1]/return/item[1]/errorcode)" },
	{ "getCreditHistory", "getCreditHistory", NULL, NULL, NULL },
	{ "deleteAlias", "deleteAlias", NULL, NULL, NULL },
	{ "deleteAccount", "deleteAccount", NULL, NULL, NULL },
	{ "deleteAccount (ACL, properties)", NULL,
	  "<ns5:deleteAccount>" SIPID("sipId", "bob", "example.com") "</ns5:deleteAccount>", NULL, NULL },
	{ "deleteDomain", "deleteDomain", NULL, NULL, NULL },
};

static enum ngn_status nothing(struct db *db, void *arg)
{
	(void)db;
	(void)arg;
	return NGN_OK;
}

/* Commits whatever the worker's connection has open, as the next write on
 * that worker would, so that a failed call that left its writes in an open
 * transaction shows up in the fingerprint. */
static void settle(void)
{
	ck_assert_int_eq(db_txn(T.db, nothing, NULL), NGN_OK);
}

static int call(const struct op *o)
{
	return o->fixture ? inproc_fixture(&T, o->fixture) : inproc_call(&T, o->body);
}

static const char *const point_name[FI_POINTS] = { "allocation", "statement execution", "COMMIT" };

/* A walk never needs this many events for one call; more means a loop. */
#define MAX_N 5000

/* Brings the tables back to the state before ops[i]: empty, then ops[0..i-1]
 * served normally. */
static void replay_until(size_t i)
{
	reset_tables();
	for (size_t j = 0; j < i; j++) {
		if (ops[j].before)
			testdb_scalar(T.db, ops[j].before);
		int st = call(&ops[j]);
		ck_assert_msg(st == 200, "replaying %s: HTTP %d: %s", ops[j].name, st, T.reply);
	}
	if (ops[i].before)
		testdb_scalar(T.db, ops[i].before);
}

struct walk_stats {
	unsigned long injected;     /* failures injected */
	unsigned long after_commit; /* of which after the call's COMMIT */
	unsigned long in_item;      /* answered in a reply item (item_code) */
};

/* Walks N over every operation for one fault point.
 *
 * A failure after the call's COMMIT (an allocation while encoding the reply
 * of a write) cannot undo the write: the client gets 9002 for a change that
 * was made, as when a reply is lost on the way. Those are counted apart,
 * checked for a clean fault and a server still serving, and the state is
 * rebuilt (replay_until) before the next N. */
static struct walk_stats walk(enum fi_point p, int code)
{
	struct walk_stats ws = { 0, 0, 0 };
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		const struct op *o = &ops[i];
		if (o->before)
			testdb_scalar(T.db, o->before);
		for (unsigned long n = 1;; n++) {
			ck_assert_msg(n < MAX_N, "%s: more than %d %s events", o->name, MAX_N, point_name[p]);
			unsigned long long fp = inproc_fingerprint(&T);
			int nudges = T.nudges;
			fi_arm(p, n);
			int st = call(o);
			int fired = fi_fired();
			int committed = p != FI_COMMIT && fi_count_at_fire(FI_COMMIT) > 0;
			fi_disarm();
			if (!fired) {
				ck_assert_msg(st == 200 && inproc_fault_code(&T) == 0, "%s without a fault: HTTP %d: %s",
					      o->name, st, T.reply);
				break;
			}
			ws.injected++;
			if (st == 200 && o->item_code != NULL && inproc_num(&T, o->item_code) == code)
				ws.in_item++;
			else
				ck_assert_msg(st == 500 && inproc_fault_code(&T) == code,
				      "%s, %s %lu failed: expected fault %d, got HTTP %d: %s", o->name, point_name[p], n,
				      code, st, T.reply);
			if (!committed) {
				settle();
				ck_assert_msg(inproc_fingerprint(&T) == fp, "%s, %s %lu failed: the database changed", o->name,
					      point_name[p], n);
				ck_assert_msg(T.nudges == nudges, "%s, %s %lu failed: proxy-glue was nudged", o->name,
					      point_name[p], n);
			}
			/* still serving */
			st = inproc_fixture(&T, "getDomains");
			ck_assert_msg(st == 200, "%s, %s %lu failed: the next call got HTTP %d: %s", o->name,
				      point_name[p], n, st, T.reply);
			if (committed) {
				ws.after_commit++;
				replay_until(i);
			}
		}
	}
	return ws;
}

START_TEST(every_operation_survives_failed_executions)
{
	struct walk_stats ws = walk(FI_EXEC, 9001);
	printf("statement execution: %lu injected failures over %zu calls\n", ws.injected,
	       sizeof ops / sizeof ops[0]);
	ck_assert_uint_ge(ws.injected, sizeof ops / sizeof ops[0]);
	ck_assert_uint_eq(ws.after_commit, 0);
}
END_TEST

START_TEST(every_operation_survives_failed_commits)
{
	struct walk_stats ws = walk(FI_COMMIT, 9001);
	printf("COMMIT: %lu injected failures\n", ws.injected);
	ck_assert_uint_gt(ws.injected, 0);
	ck_assert_uint_eq(ws.after_commit, 0);
}
END_TEST

START_TEST(every_operation_survives_failed_allocations)
{
	struct walk_stats ws = walk(FI_ALLOC, 9002);
	printf("allocation: %lu injected failures, %lu of them after the COMMIT, %lu answered in a reply item\n",
	       ws.injected, ws.after_commit, ws.in_item);
	ck_assert_uint_ge(ws.injected, sizeof ops / sizeof ops[0]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("faults");
	TCase *tc = tcase_create("walk");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, every_operation_survives_failed_executions);
	tcase_add_test(tc, every_operation_survives_failed_commits);
	tcase_add_test(tc, every_operation_survives_failed_allocations);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
