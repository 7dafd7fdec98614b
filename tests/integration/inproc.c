/* inproc.c: see inproc.h. Test code only. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/xpathInternals.h>
#include "soapH.h"
#include "core/db.h"
#include "soap/soap_setup.h"
#include "testdb.h"
#include "inproc.h"

#ifndef NGN_FIXTURES
#error "NGN_FIXTURES must name the directory of the captured requests"
#endif

static void nudge(void *arg)
{
	(*(int *)arg)++;
}

static void drop_reply(struct inproc *t)
{
	if (t->xp)
		xmlXPathFreeContext(t->xp);
	if (t->doc)
		xmlFreeDoc(t->doc);
	free(t->reply);
	t->xp = NULL;
	t->doc = NULL;
	t->reply = NULL;
}

/* Empties the tables the Sip-port core writes. DELETE on these small tables
 * takes ~10 ms where testdb_reset's TRUNCATEs take ~0.5 s, which per test
 * would dominate the suite's run time. */
static void empty_core_tables(struct db *db)
{
	static const char *const sql[] = {
		"SET FOREIGN_KEY_CHECKS = 0", "DELETE FROM sip_account_property", "DELETE FROM sip_account_acl",
		"DELETE FROM sip_account", "DELETE FROM subscriber", "DELETE FROM grp", "DELETE FROM sip_alias",
		"DELETE FROM dbaliases", "DELETE FROM sip_domain", "DELETE FROM domain", "DELETE FROM proxy_event",
		NULL,
	};
	for (int i = 0; sql[i]; i++)
		testdb_scalar(db, sql[i]);
}

void inproc_open(struct inproc *t)
{
	memset(t, 0, sizeof *t);
	t->db = testdb_open();
	ck_assert_msg(t->db != NULL, "no test database");
	empty_core_tables(t->db);
	cfg_defaults(&t->cfg);
	t->ctx.db = t->db;
	t->ctx.cfg = &t->cfg;
	t->ctx.scope = (struct scope){ ROLE_ADMIN, 0, 0 };
	t->ctx.login = INPROC_LOGIN;
	t->ctx.policy_changed = nudge;
	t->ctx.policy_arg = &t->nudges;
	struct edge_limits lim = { t->cfg.max_body, t->cfg.max_string, t->cfg.max_array, t->cfg.max_depth };
	t->soap = edge_new(&lim);
	ck_assert_ptr_nonnull(t->soap);
	t->soap->user = &t->ctx;
}

void inproc_close(struct inproc *t)
{
	drop_reply(t);
	if (t->soap) {
		soap_destroy(t->soap);
		soap_end(t->soap);
		soap_free(t->soap);
	}
	db_free(t->db);
	cfg_free(&t->cfg);
	memset(t, 0, sizeof *t);
}

int inproc_call_envelope(struct inproc *t, const char *envelope)
{
	drop_reply(t);
	const char *out = NULL;
	size_t outlen = 0;
	t->status = edge_serve(t->soap, envelope, strlen(envelope), NULL, NULL, NULL, &out, &outlen);
	t->reply = strndup(out, outlen);
	soap_destroy(t->soap);
	soap_end(t->soap);
	ck_assert_ptr_nonnull(t->reply);
	ck_assert_msg(strstr(t->reply, INPROC_LOGIN) == NULL && strstr(t->reply, INPROC_PASSWORD) == NULL
			      && strstr(t->reply, "<auth") == NULL,
		      "the reply echoes the auth header: %s", t->reply);
	t->doc = xmlReadMemory(t->reply, (int)strlen(t->reply), "reply.xml", NULL, XML_PARSE_NONET);
	ck_assert_msg(t->doc != NULL, "reply is not XML: %s", t->reply);
	t->xp = xmlXPathNewContext(t->doc);
	static const char *const ns[][2] = {
		{ "SOAP-ENV", "http://schemas.xmlsoap.org/soap/envelope/" },
		{ "SOAP-ENC", "http://schemas.xmlsoap.org/soap/encoding/" },
		{ "xsi", "http://www.w3.org/2001/XMLSchema-instance" },
		{ "xsd", "http://www.w3.org/2001/XMLSchema" },
		{ "sip", "urn:AGProjects:NGNPro:Sip" },
		{ "ngn", "urn:AGProjects:NGNPro" },
	};
	for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
		xmlXPathRegisterNs(t->xp, BAD_CAST ns[i][0], BAD_CAST ns[i][1]);
	return t->status;
}

int inproc_call(struct inproc *t, const char *body)
{
	static const char head[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\""
		" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\""
		" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
		" xmlns:SOAP-ENC=\"http://schemas.xmlsoap.org/soap/encoding/\""
		" xmlns:ns4=\"urn:AGProjects:NGNPro\" xmlns:ns5=\"urn:AGProjects:NGNPro:Sip\""
		" SOAP-ENV:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">\n"
		"<SOAP-ENV:Header><auth><username xsi:type=\"xsd:string\">" INPROC_LOGIN "</username>"
		"<password xsi:type=\"xsd:string\">" INPROC_PASSWORD "</password>"
		"<admin xsi:type=\"xsd:boolean\">true</admin></auth></SOAP-ENV:Header>\n<SOAP-ENV:Body>";
	static const char tail[] = "</SOAP-ENV:Body>\n</SOAP-ENV:Envelope>\n";
	size_t n = strlen(head) + strlen(body) + strlen(tail) + 1;
	char *env = malloc(n);
	ck_assert_ptr_nonnull(env);
	snprintf(env, n, "%s%s%s", head, body, tail);
	int st = inproc_call_envelope(t, env);
	free(env);
	return st;
}

int inproc_fixture(struct inproc *t, const char *name)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s.http", NGN_FIXTURES, name);
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	static char buf[65536];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *body = strstr(buf, "\r\n\r\n");
	ck_assert_msg(body != NULL, "%s has no HTTP head", path);
	body += 4;
	/* the fixtures' own login: swap in ours so the echo check covers them */
	char *p;
	while ((p = strstr(body, ">soapadmin<")) != NULL)
		memcpy(p + 1, "SOAPADMIN", 9);
	while ((p = strstr(body, ">secret</password>")) != NULL)
		memcpy(p + 1, "SECRET", 6);
	int st = inproc_call_envelope(t, body);
	ck_assert_msg(strstr(t->reply, "SOAPADMIN") == NULL && strstr(t->reply, ">SECRET<") == NULL,
		      "the reply echoes the fixture's auth header: %s", t->reply);
	return st;
}

const char *inproc_str(struct inproc *t, const char *expr)
{
	char q[1024];
	snprintf(q, sizeof q, "string(%s)", expr);
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST q, t->xp);
	ck_assert_msg(o != NULL, "bad XPath %s", expr);
	char *buf = t->sbuf[t->sidx++ % 4];
	snprintf(buf, sizeof t->sbuf[0], "%s", o->stringval ? (const char *)o->stringval : "");
	xmlXPathFreeObject(o);
	return buf;
}

double inproc_num(struct inproc *t, const char *expr)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, t->xp);
	ck_assert_msg(o != NULL, "bad XPath %s", expr);
	double v = xmlXPathCastToNumber(o);
	xmlXPathFreeObject(o);
	return v;
}

int inproc_fault_code(struct inproc *t)
{
	const char *s = inproc_str(t, "/SOAP-ENV:Envelope/SOAP-ENV:Body/SOAP-ENV:Fault/detail/exception/errorcode");
	return *s ? atoi(s) : 0;
}

/* A fingerprint of every table an operation may write: accounts, domains,
 * aliases, groups and the outbox, money (balances, history, cards, voucher
 * throttles), customers and logins. Equal fingerprints before and after a
 * call: it changed nothing. */
unsigned long long inproc_fingerprint(struct inproc *t)
{
	static const char *const q[] = {
		"SELECT COUNT(*) + COALESCE(SUM(CRC32(CONCAT_WS('|', id, username, domain, password, ha1, ha1b))), 0) FROM subscriber",
		"SELECT COUNT(*) + COALESCE(SUM(CRC32(CONCAT_WS('|', subscriber_id, domain_id, first_name, last_name, email,"
		" rpid, timezone, owner, customer, reseller, prepaid, quota, call_limit, region, timeout, quickdial_prefix,"
		" create_date, change_date))), 0) FROM sip_account",
		"SELECT COUNT(*) + COALESCE(SUM(CRC32(CONCAT_WS('|', subscriber_id, name, value))), 0) FROM sip_account_property",
		"SELECT COUNT(*) + COALESCE(SUM(CRC32(CONCAT_WS('|', subscriber_id, seq, ip, mask, tag))), 0) FROM sip_account_acl",
		"SELECT COUNT(*) + COALESCE(SUM(CRC32(CONCAT_WS('|', id, username, domain, grp, last_modified))), 0) FROM grp",
		"SELECT COUNT(*) + COALESCE(SUM(CRC32(CONCAT_WS('|', id, domain, last_modified))), 0) FROM domain",
		"SELECT COUNT(*) + COALESCE(SUM(CRC32(CONCAT_WS('|', domain_id, customer, reseller, certificate, private_key,"
		" match_ip_address, match_sip_domain, verify_cert, require_cert, auto_username, change_date))), 0) FROM sip_domain",
		"SELECT COUNT(*) + COALESCE(SUM(CRC32(CONCAT_WS('|', id, alias_username, alias_domain, username, domain))), 0) FROM dbaliases",
		"SELECT COUNT(*) + COALESCE(SUM(CRC32(CONCAT_WS('|', alias_id, owner, customer, reseller, change_date))), 0) FROM sip_alias",
		"SELECT COUNT(*) + COALESCE(SUM(CRC32(CONCAT_WS('|', id, username, domain))), 0) FROM proxy_event",
		"SELECT COUNT(*) + COALESCE(SUM(CRC32(CONCAT_WS('|', subscriber_id, balance, change_date))), 0) FROM prepaid_balance",
		"SELECT COUNT(*) + COALESCE(SUM(CRC32(CONCAT_WS('|', id, subscriber_id, date, action, description, value,"
		" balance, login, voucher_card_id, session))), 0) FROM prepaid_history",
		"SELECT COUNT(*) + COALESCE(SUM(CRC32(CONCAT_WS('|', id, batch_id, spent_date, spent_by, spent_login))), 0) FROM voucher_card",
		"SELECT COUNT(*) + COALESCE(SUM(CRC32(CONCAT_WS('|', kind, name, failures, last_failure, locked_until))), 0) FROM voucher_throttle",
			"SELECT COUNT(*) + COALESCE(SUM(CRC32(CONCAT_WS('|', id, reseller, impersonate, reseller_active,"
		" balance, credit, username, password, first_name, last_name, language, change_date))), 0) FROM customer",
		"SELECT COUNT(*) + COALESCE(SUM(CRC32(CONCAT_WS('|', customer_id, name, value, category, permission))), 0)"
		" FROM customer_property",
		"SELECT COUNT(*) + COALESCE(SUM(CRC32(CONCAT_WS('|', id, username, pw_hash, role, customer, reseller,"
		" customer_id))), 0) FROM api_user",
	};
	unsigned long long h = 0;
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
		h = h * 1000003u + (unsigned long long)testdb_scalar(t->db, q[i]);
	return h;
}
