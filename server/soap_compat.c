/* soap_compat.c: the leniency real NGNPro clients need from gSOAP.
 *
 * soapC.c is compiled with -D renames (see Makefile.am) so that its calls to
 * the functions below land here first:
 *  - SOAP-ENC:arrayType: CDRTool's PEAR client sends "Struct[n]", PHP's
 *    non-WSDL mode "SOAP-ENC:Struct[n]", others xsd:anyType[0]. The generated
 *    code accepts only the declared item type; items are still validated one
 *    by one, so any declared array type is accepted here.
 *  - xsi:type: clients type values by their own runtime type (booleans arrive
 *    as xsd:int 0/1, dates as xsd:string, a float quota as xsd:float), and
 *    gSOAP refuses a mismatch. The schema decides how a value is read, so the
 *    xsi:type of every element the generated code reads is forgotten right
 *    after it is parsed; the value itself is still parsed strictly (a boolean
 *    must be true/false/1/0, an int an int). xsi:nil still works.
 * Nothing in the generated sources is edited. */
#include "stdsoap2.h"

int ngn_match_array(struct soap *soap, const char *type);
int ngn_element_begin_in(struct soap *soap, const char *tag, int nillable, const char *type);
char **ngn_instring(struct soap *soap, const char *tag, char **p, const char *type, int t,
		    int flag, long minlen, long maxlen, const char *pattern);
int *ngn_inint(struct soap *soap, const char *tag, int *p, const char *type, int t);
char *ngn_inbyte(struct soap *soap, const char *tag, char *p, const char *type, int t);
time_t *ngn_indateTime(struct soap *soap, const char *tag, time_t *p, const char *type, int t);

int ngn_match_array(struct soap *soap, const char *type)
{
	(void)soap_match_array(soap, type);
	return SOAP_OK;
}

static void forget_type(struct soap *soap)
{
	/* soap_peek_element parses the next start tag once (it is remembered
	 * as peeked), after which soap->type holds its xsi:type. */
	if (soap_peek_element(soap) == SOAP_OK)
		soap->type[0] = '\0';
}

int ngn_element_begin_in(struct soap *soap, const char *tag, int nillable, const char *type)
{
	(void)type;
	forget_type(soap);
	return soap_element_begin_in(soap, tag, nillable, NULL);
}

char **ngn_instring(struct soap *soap, const char *tag, char **p, const char *type, int t,
		    int flag, long minlen, long maxlen, const char *pattern)
{
	forget_type(soap);
	return soap_instring(soap, tag, p, type, t, flag, minlen, maxlen, pattern);
}

int *ngn_inint(struct soap *soap, const char *tag, int *p, const char *type, int t)
{
	forget_type(soap);
	return soap_inint(soap, tag, p, type, t);
}

char *ngn_inbyte(struct soap *soap, const char *tag, char *p, const char *type, int t)
{
	forget_type(soap);
	return soap_inbyte(soap, tag, p, type, t);
}

time_t *ngn_indateTime(struct soap *soap, const char *tag, time_t *p, const char *type, int t)
{
	forget_type(soap);
	return soap_indateTime(soap, tag, p, type, t);
}
