/* validate.c: see validate.h.
 *
 * Why so strict: usernames, domains and groups end up in Kamailio's tables
 * and in the proxies' htable keys, where a space or an upper-case letter
 * makes an account unreachable rather than failing loudly. Lower-casing here
 * is what makes "Alice@Example.COM" and "alice@example.com" one account. */
#include <arpa/inet.h>
#include <string.h>
#include "core/digest.h"
#include "core/utf8.h"
#include "validate.h"

static int is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

void valid_fold(char *s)
{
	for (; s && *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

enum ngn_status valid_username(char *s, struct ngn_err *e)
{
	char vb[ERR_VALUE_BUF];
	size_t n = s ? strlen(s) : 0;
	if (n == 0)
		return err_set(e, NGN_E_INVALID_USERNAME, "Invalid username: it is empty");
	if (n > STORE_USERNAME_MAX)
		return err_set(e, NGN_E_INVALID_USERNAME, "Invalid username \"%s\": longer than %d characters",
			       err_value(s, vb), STORE_USERNAME_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (is_alnum(c) || strchr("-_.!~*'()&=+$,;?/", c) != NULL)
			continue;
		if (c == '%' && i + 2 < n && is_hex((unsigned char)s[i + 1]) && is_hex((unsigned char)s[i + 2])) {
			i += 2;
			continue;
		}
		return err_set(e, NGN_E_INVALID_USERNAME,
			       "Invalid username \"%s\": not a SIP user part (letters, digits and -_.!~*'()&=+$,;?/ only)",
			       err_value(s, vb));
	}
	valid_fold(s);
	return NGN_OK;
}

/* Host name check shared by domains and e-mail addresses. */
static int hostname_ok(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n > max)
		return 0;
	size_t label = 0;
	for (size_t i = 0; i <= n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.' || c == '\0') {
			if (label == 0 || label > 63 || s[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!is_alnum(c) && c != '-')
			return 0;
		if (label == 0 && c == '-')
			return 0;
		label++;
	}
	return 1;
}

enum ngn_status valid_domain(char *s, struct ngn_err *e)
{
	char vb[ERR_VALUE_BUF];
	if (s == NULL || *s == '\0')
		return err_set(e, NGN_E_INVALID_DOMAIN, "Invalid domain: it is empty");
	if (!hostname_ok(s, STORE_DOMAIN_MAX))
		return err_set(e, NGN_E_INVALID_DOMAIN,
			       "Invalid domain \"%s\": not a host name of at most %d characters",
			       err_value(s, vb), STORE_DOMAIN_MAX);
	valid_fold(s);
	return NGN_OK;
}

enum ngn_status valid_group(char *s, struct ngn_err *e)
{
	char vb[ERR_VALUE_BUF];
	size_t n = s ? strlen(s) : 0;
	int ok = n >= 1 && n <= STORE_GROUP_MAX;
	for (size_t i = 0; ok && i < n; i++)
		ok = is_alnum((unsigned char)s[i]) || s[i] == '.' || s[i] == '_' || s[i] == '-';
	if (!ok)
		return err_set(e, NGN_E_INVALID_GROUP,
			       "Invalid group name \"%s\": use 1 to %d of a-z 0-9 . _ -",
			       err_value(s ? s : "", vb), STORE_GROUP_MAX);
	valid_fold(s);
	return NGN_OK;
}

enum ngn_status valid_email(char *s, struct ngn_err *e)
{
	char vb[ERR_VALUE_BUF];
	if (s == NULL || *s == '\0')
		return NGN_OK;
	size_t n = strlen(s);
	const char *at = strrchr(s, '@');
	int ok = n <= STORE_EMAIL_MAX && at != NULL && at > s && at - s <= 64;
	for (const char *p = s; ok && p < at; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '.')
			ok = p != s && p + 1 != at && p[1] != '.';
		else
			ok = is_alnum(c) || strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL;
	}
	ok = ok && hostname_ok(at + 1, 253);
	if (!ok)
		return err_set(e, NGN_E_INVALID_EMAIL, "Invalid e-mail address \"%s\"", err_value(s, vb));
	valid_fold(s);
	return NGN_OK;
}

enum ngn_status valid_password(const char *s, struct password *pw, struct ngn_err *e)
{
	memset(pw, 0, sizeof *pw);
	if (digest_parse_pair(s, pw->ha1, pw->ha1b)) {
		pw->kind = PW_DIGEST;
		return NGN_OK;
	}
	int ctl;
	long n = s ? utf8_chars(s, &ctl) : 0;
	if (n <= 0 || n > STORE_PASSWORD_MAX || ctl)
		return err_set(e, NGN_E_INVALID_PASSWORD,
			       "Invalid password: give 1 to %d characters without control characters, or digest1:digest2 (two 32-digit hex MD5 digests)",
			       STORE_PASSWORD_MAX);
	pw->kind = PW_CLEAR;
	pw->clear = s;
	return NGN_OK;
}

enum ngn_status valid_acl(const char *ip, int64_t mask, const char *tag, struct ngn_err *e)
{
	char vb[ERR_VALUE_BUF];
	struct in_addr a;
	if (ip == NULL || inet_pton(AF_INET, ip, &a) != 1)
		return err_set(e, NGN_E_INVALID_ACL, "Invalid access list entry: \"%s\" is not an IPv4 address",
			       err_value(ip ? ip : "", vb));
	if (mask < 0 || mask > 32)
		return err_set(e, NGN_E_INVALID_ACL, "Invalid access list entry %s/%lld: the mask must be 0 to 32",
			       ip, (long long)mask);
	int ctl;
	long n = tag ? utf8_chars(tag, &ctl) : 0;
	if (n < 0 || n > STORE_ACL_TAG_MAX || (tag && ctl))
		return err_set(e, NGN_E_INVALID_ACL, "Invalid access list tag \"%s\": at most %d characters, no control characters",
			       err_value(tag, vb), STORE_ACL_TAG_MAX);
	return NGN_OK;
}

enum ngn_status valid_property(const char *name, const char *value, struct ngn_err *e)
{
	char vb[ERR_VALUE_BUF];
	size_t n = name ? strlen(name) : 0;
	int ok = n >= 1 && n <= STORE_PROPERTY_NAME_MAX;
	for (size_t i = 0; ok && i < n; i++)
		ok = is_alnum((unsigned char)name[i]) || strchr("_.:-", name[i]) != NULL;
	if (!ok)
		return err_set(e, NGN_E_INVALID_PROPERTY,
			       "Invalid property name \"%s\": use 1 to %d of A-Z a-z 0-9 _ . : -",
			       err_value(name ? name : "", vb), STORE_PROPERTY_NAME_MAX);
	int ctl;
	if (value == NULL)
		return err_set(e, NGN_E_INVALID_PROPERTY, "Property %s has no value", name);
	if (strlen(value) > STORE_PROPERTY_VALUE_MAX || utf8_chars(value, &ctl) < 0 || (ctl & UTF8_CTL_XML))
		return err_set(e, NGN_E_INVALID_PROPERTY,
			       "Invalid value of property %s: at most %d bytes of UTF-8 text",
			       name, STORE_PROPERTY_VALUE_MAX);
	return NGN_OK;
}

enum ngn_status valid_text(const char *field, const char *s, size_t max, struct ngn_err *e)
{
	char vb[ERR_VALUE_BUF];
	int ctl;
	long n = s ? utf8_chars(s, &ctl) : 0;
	if (n < 0)
		return err_set(e, NGN_E_INVALID_VALUE, "Invalid %s: not valid UTF-8 text", field);
	if (s && ctl)
		return err_set(e, NGN_E_INVALID_VALUE, "Invalid %s \"%s\": control characters are not allowed",
			       field, err_value(s, vb));
	if ((size_t)n > max)
		return err_set(e, NGN_E_INVALID_VALUE, "Invalid %s \"%s\": longer than %zu characters",
			       field, err_value(s, vb), max);
	return NGN_OK;
}

enum ngn_status valid_blob(const char *field, const char *s, size_t max, struct ngn_err *e)
{
	int ctl;
	if (s && (strlen(s) > max || utf8_chars(s, &ctl) < 0 || (ctl & UTF8_CTL_XML)))
		return err_set(e, NGN_E_INVALID_VALUE, "Invalid %s: at most %zu bytes of UTF-8 text", field, max);
	return NGN_OK;
}

enum ngn_status valid_uint(const char *field, int64_t v, struct ngn_err *e)
{
	if (v < 0 || v > (int64_t)UINT32_MAX)
		return err_set(e, NGN_E_INVALID_VALUE, "Invalid %s %lld: must be 0 or a positive number",
			       field, (long long)v);
	return NGN_OK;
}
