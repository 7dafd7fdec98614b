/* check_fault.c: the status -> fault table (server/soap/fault.c). */
#include <string.h>
#include "suites.h"
#include "soapH.h"
#include "soap/fault.h"
#include "soap/soap_setup.h"

START_TEST(every_status_has_a_row)
{
	for (int st = 1; st < NGN_STATUS_COUNT; st++) {
		const struct fault_info *fi = fault_lookup((enum ngn_status)st);
		ck_assert_msg(fi->errorcode >= 1000, "status %d has no row", st);
		ck_assert_ptr_nonnull(fi->summary);
	}
}
END_TEST

START_TEST(codes_are_unique_and_contract_ones_hold)
{
	for (int a = 1; a < NGN_STATUS_COUNT; a++)
		for (int b = a + 1; b < NGN_STATUS_COUNT; b++)
			ck_assert_int_ne(fault_lookup((enum ngn_status)a)->errorcode,
					 fault_lookup((enum ngn_status)b)->errorcode);
	ck_assert_int_eq(fault_lookup(NGN_E_DOMAIN_EXISTS)->errorcode, 1001);
	ck_assert_int_eq(fault_lookup(NGN_E_ACCOUNT_EXISTS)->errorcode, 1011);
	ck_assert_int_eq(fault_lookup(NGN_E_ACCOUNT_NOT_FOUND)->errorcode, 1010);
	ck_assert_int_eq(fault_lookup(NGN_E_NOT_IN_GROUP)->errorcode, 1031);
	ck_assert_int_eq(fault_lookup(NGN_E_NOT_PREPAID)->errorcode, 2000);
	ck_assert(fault_lookup(NGN_E_ACCOUNT_EXISTS)->client);
	ck_assert(!fault_lookup(NGN_E_DB_UNAVAILABLE)->client);
}
END_TEST

START_TEST(fault_has_detail_and_no_header)
{
	struct edge_limits lim = { 1 << 20, 65536, 1000, 32 };
	struct soap *soap = edge_new(&lim);
	struct SOAP_ENV__Header h = { 0 };
	soap->header = &h;
	ck_assert_int_eq(ngn_fault(soap, NGN_E_ACCOUNT_EXISTS, "Account %s exists", "a@b"), SOAP_FAULT);
	ck_assert_ptr_null(soap->header);
	ck_assert_str_eq(soap->fault->faultcode, "SOAP-ENV:Client");
	ck_assert_int_eq(soap->fault->detail->exception->errorcode, 1011);
	ck_assert_str_eq(soap->fault->detail->exception->errorstring, "Account a@b exists");
	soap_destroy(soap);
	soap_end(soap);
	soap_free(soap);
}
END_TEST

/* Messages quote the caller's input (and gSOAP's quote element names):
 * whatever bytes they hold, the errorstring is text XML 1.0 can carry. */
START_TEST(fault_text_is_xml)
{
	struct edge_limits lim = { 1 << 20, 65536, 1000, 32 };
	struct soap *soap = edge_new(&lim);
	ngn_fault(soap, NGN_E_INVALID_VALUE, "v=%s",
		  "a\xC0\x80" "b\xEF\xBF\xBE" "c\xED\xA0\x80" "d\x1F" "e\xE2\x82" "f\xC3\xA9" "g\x7F" "h\xF4\x90\x80\x80"
		  "i\xF0\x9F\x98\x80\t\r\n");
	ck_assert_str_eq(soap->fault->detail->exception->errorstring,
			 "v=a??b???c???d?e??f\xC3\xA9g?h????i\xF0\x9F\x98\x80\t\r\n");
	soap_destroy(soap);
	soap_end(soap);
	soap_free(soap);
}
END_TEST

Suite *fault_suite(void)
{
	Suite *s = suite_create("fault");
	TCase *tc = tcase_create("table");
	tcase_add_test(tc, every_status_has_a_row);
	tcase_add_test(tc, codes_are_unique_and_contract_ones_hold);
	tcase_add_test(tc, fault_has_detail_and_no_header);
	tcase_add_test(tc, fault_text_is_xml);
	suite_add_tcase(s, tc);
	return s;
}
