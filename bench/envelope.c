/* envelope.c: see envelope.h. The bodies are fixed templates; only ids,
 * names and per-call values vary. */
#include <stdio.h>
#include "envelope.h"

#define ENV_HEAD \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\n" \
	"<SOAP-ENV:Envelope  xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\"\n" \
	" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"\n" \
	" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n" \
	" xmlns:SOAP-ENC=\"http://schemas.xmlsoap.org/soap/encoding/\"\n" \
	" xmlns:ns4=\"urn:AGProjects:NGNPro\"\n" \
	" xmlns:ns5=\"urn:AGProjects:NGNPro:Sip\"\n" \
	" SOAP-ENV:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">\n" \
	"<SOAP-ENV:Header>\n\n<auth>\n" \
	"<username xsi:type=\"xsd:string\">%s</username>\n" \
	"<password xsi:type=\"xsd:string\">%s</password>\n" \
	"<admin xsi:type=\"xsd:boolean\">true</admin></auth>\n" \
	"</SOAP-ENV:Header>\n<SOAP-ENV:Body>\n\n"
#define ENV_TAIL "\n</SOAP-ENV:Body>\n</SOAP-ENV:Envelope>\n"

#define SIPID(tag) \
	"<" tag " xsi:type=\"ns4:SipId\">\n" \
	"<username xsi:type=\"xsd:string\">%s</username>\n" \
	"<domain xsi:type=\"xsd:string\">%s</domain></" tag ">"

int envelope_build(char *buf, size_t cap, const struct wl_op *op, const char *group,
		   const char *login, const char *password)
{
	int n = -1;
	unsigned long long seq = (unsigned long long)op->seq;
	switch (op->kind) {
	case WL_GET_ACCOUNT:
		n = snprintf(buf, cap, ENV_HEAD "<ns5:getAccount>\n" SIPID("sipId") "</ns5:getAccount>" ENV_TAIL,
			     login, password, op->user, op->domain);
		break;
	case WL_ADD_ACCOUNT:
	case WL_ADD_ACCOUNT_1D:
		n = snprintf(buf, cap, ENV_HEAD
			     "<ns5:addAccount>\n<account xsi:type=\"ns4:SipAccount\">\n<id>\n"
			     "<username xsi:type=\"xsd:string\">%s</username>\n"
			     "<domain xsi:type=\"xsd:string\">%s</domain></id>\n"
			     "<firstName xsi:type=\"xsd:string\">First%llu</firstName>\n"
			     "<lastName xsi:type=\"xsd:string\">Last%llu</lastName>\n"
			     "<password xsi:type=\"xsd:string\">pw%llu</password>\n"
			     "<timezone xsi:type=\"xsd:string\">Europe/Amsterdam</timezone>\n"
			     "<email xsi:type=\"xsd:string\">%s@%s</email>\n"
			     "<owner xsi:type=\"xsd:int\">0</owner>\n"
			     "<rpid xsi:type=\"xsd:string\"></rpid>\n"
			     "<groups xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"xsd:string[2]\" SOAP-ENC:offset=\"[0]\">\n"
			     "<item xsi:type=\"xsd:string\">free-pstn</item>\n"
			     "<item xsi:type=\"xsd:string\">prepaid</item></groups>\n"
			     "<prepaid xsi:type=\"xsd:int\">1</prepaid>\n"
			     "<quota xsi:type=\"xsd:int\">0</quota>\n"
			     "<acl xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"xsd:anyType[0]\"/>\n"
			     "<properties xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"Struct[1]\" SOAP-ENC:offset=\"[0]\">\n"
			     "<item>\n<name xsi:type=\"xsd:string\">language</name>\n"
			     "<value xsi:type=\"xsd:string\">en</value></item></properties>\n"
			     "<callLimit xsi:type=\"xsd:int\">0</callLimit></account></ns5:addAccount>" ENV_TAIL,
			     login, password, op->user, op->domain, seq, seq, seq, op->user, op->domain);
		break;
	case WL_UPDATE_ACCOUNT:
		n = snprintf(buf, cap, ENV_HEAD
			     "<ns5:updateAccount>\n<account xsi:type=\"ns4:SipAccount\">\n<id>\n"
			     "<username xsi:type=\"xsd:string\">%s</username>\n"
			     "<domain xsi:type=\"xsd:string\">%s</domain></id>\n"
			     "<firstName xsi:type=\"xsd:string\">First%llu</firstName>\n"
			     "<lastName xsi:type=\"xsd:string\">Last%llu</lastName>\n"
			     "<email xsi:type=\"xsd:string\">m%llu@%s</email>\n"
			     "<quota xsi:type=\"xsd:int\">%llu</quota>\n"
			     "</account></ns5:updateAccount>" ENV_TAIL,
			     login, password, op->user, op->domain, seq, seq, seq, op->domain, seq % 1000);
		break;
	case WL_FLIP:
		n = snprintf(buf, cap, ENV_HEAD "<ns5:%s>\n" SIPID("sipId")
			     "\n<group xsi:type=\"xsd:string\">%s</group></ns5:%s>" ENV_TAIL,
			     login, password, op->add ? "addToGroup" : "removeFromGroup", op->user, op->domain,
			     group, op->add ? "addToGroup" : "removeFromGroup");
		break;
	case WL_BALANCE:
	case WL_BALANCE_HOT:
		n = snprintf(buf, cap, ENV_HEAD "<ns5:addBalance>\n" SIPID("sipId")
			     "\n<value xsi:type=\"xsd:float\">1.25</value>\n"
			     "<description xsi:type=\"xsd:string\">bench %llu</description></ns5:addBalance>" ENV_TAIL,
			     login, password, op->user, op->domain, seq);
		break;
	case WL_GET_ACCOUNTS:
		n = snprintf(buf, cap, ENV_HEAD
			     "<ns5:getAccounts>\n<query xsi:type=\"ns4:SipQuery\">\n<filter>\n"
			     "<domain xsi:type=\"xsd:string\">%s</domain></filter>\n"
			     "<range>\n<start xsi:type=\"xsd:int\">0</start>\n"
			     "<count xsi:type=\"xsd:int\">50</count></range></query></ns5:getAccounts>" ENV_TAIL,
			     login, password, op->domain);
		break;
	default:
		return -1;
	}
	if (n < 0 || (size_t)n >= cap)
		return -1;
	return n;
}
