/* utf8.c: see utf8.h. One copy of what validate.c, store_prepaid.c and
 * store_voucher.c each carried. Own code rather than libxml2's xmlGetUTF8Char:
 * that one accepts surrogates and U+FFFE/U+FFFF, which XML 1.0 cannot carry,
 * and reports no control characters. */
#include "utf8.h"

long utf8_chars(const char *str, int *ctl)
{
	const unsigned char *s = (const unsigned char *)str;
	long n = 0;
	int bits = 0;
	while (*s) {
		unsigned c = *s;
		int len;
		unsigned cp;
		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				bits |= UTF8_CTL_ANY;
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				bits |= UTF8_CTL_XML;
			s++;
			n++;
			continue;
		} else if (c >= 0xC2 && c <= 0xDF) {
			len = 2;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			len = 3;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4;
			cp = c & 0x07;
		} else {
			n = -1;
			break;
		}
		int i;
		for (i = 1; i < len; i++) {
			if ((s[i] & 0xC0) != 0x80)
				break;
			cp = (cp << 6) | (s[i] & 0x3F);
		}
		if (i < len || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))
		    || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF) {
			n = -1;
			break;
		}
		s += len;
		n++;
	}
	if (ctl)
		*ctl = bits;
	return n;
}

size_t utf8_count(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}
