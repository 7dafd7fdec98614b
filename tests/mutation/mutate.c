/* mutate.c: the mutations of the mutation test (see mutation.h).
 *
 * A mutation works on the body text, not on a parsed tree, so that it can
 * produce what no serializer would: broken UTF-8, stray markup, bad
 * character references, truncation. The structural ones find elements with a
 * small tag scanner (scan()) that understands exactly what the fixtures and
 * earlier mutations contain (tags, attributes in quotes, comments, CDATA, PIs,
 * a DOCTYPE); after a mutation that broke the markup it finds fewer elements,
 * and a structural mutation then has less to choose from or reports -1.
 *
 * Everything is drawn from struct rng (splitmix64), seeded per case, so a case
 * is reproduced from (seed, case number) alone. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mutation.h"

/* ---- buffers ----------------------------------------------------------------------- */

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		abort();
	return p;
}

char *xstrndup(const char *p, size_t n)
{
	char *s = xmalloc(n + 1);
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

static void buf_reserve(struct buf *b, size_t extra)
{
	if (b->n + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->n + extra + 1)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (p == NULL)
		abort();
	b->p = p;
	b->cap = cap;
}

void buf_set(struct buf *b, const void *p, size_t n)
{
	b->n = 0;
	buf_add(b, p, n);
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->p + b->n, p, n);
	b->n += n;
	b->p[b->n] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->n += (size_t)n;
}

void buf_splice(struct buf *b, size_t off, size_t len, const void *p, size_t n)
{
	if (off > b->n)
		off = b->n;
	if (off + len > b->n)
		len = b->n - off;
	buf_reserve(b, n);
	memmove(b->p + off + n, b->p + off + len, b->n - off - len);
	memcpy(b->p + off, p, n);
	b->n = b->n - len + n;
	b->p[b->n] = '\0';
}

void buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

char *esc(const char *p, size_t n, size_t max)
{
	struct buf o = { 0 };
	buf_adds(&o, "");
	size_t lim = n < max ? n : max;
	for (size_t i = 0; i < lim; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '\r')
			buf_adds(&o, "\\r");
		else if (c == '\n')
			buf_adds(&o, "\\n");
		else if (c == '\t')
			buf_adds(&o, "\\t");
		else if (c == '\\')
			buf_adds(&o, "\\\\");
		else if (c < 0x20 || c >= 0x7f)
			buf_addf(&o, "\\x%02X", c);
		else
			buf_add(&o, &p[i], 1);
	}
	if (lim < n)
		buf_addf(&o, "...(%zu more bytes)", n - lim);
	return o.p;
}

/* ---- rng --------------------------------------------------------------------------- */

void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	r->s = seed * 0x9E3779B97F4A7C15ULL ^ (stream + 0x632BE59BD9B4E019ULL);
	rng_next(r);
}

uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

unsigned rng_below(struct rng *r, unsigned n)
{
	return n ? (unsigned)(rng_next(r) % n) : 0;
}

#define PICK(r, arr) ((arr)[rng_below((r), (unsigned)(sizeof(arr) / sizeof((arr)[0])))])

/* ---- a small tag scanner -------------------------------------------------------------- */

struct el {
	size_t open, open_end;   /* '<' of the start tag, just after its '>' */
	size_t close, close_end; /* '<' of the end tag, just after its '>' (= open_end if empty-element tag) */
	size_t name, name_len;   /* the qualified name in the start tag */
	int selfclose, parent, depth, kids;
};

struct scan {
	struct el *e;
	int n;
};

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static const char *find(const char *p, const char *end, const char *s)
{
	size_t l = strlen(s);
	for (; p + l <= end; p++)
		if (memcmp(p, s, l) == 0)
			return p;
	return NULL;
}

/* Elements of b in document order; stops at the first markup it cannot
 * follow. Only elements whose end tag was found are returned. */
static void scan(const struct buf *b, struct scan *s)
{
	const char *p = b->p, *end = b->p + b->n;
	int cap = 64, n = 0, stack[256], sp = 0;
	struct el *e = xmalloc(sizeof *e * (size_t)cap);
	size_t i = 0;
	while (i < b->n) {
		if (p[i] != '<') {
			i++;
			continue;
		}
		const char *q;
		if (i + 1 < b->n && p[i + 1] == '?') {
			if ((q = find(p + i, end, "?>")) == NULL)
				break;
			i = (size_t)(q - p) + 2;
		} else if (b->n - i >= 4 && memcmp(p + i, "<!--", 4) == 0) {
			if ((q = find(p + i, end, "-->")) == NULL)
				break;
			i = (size_t)(q - p) + 3;
		} else if (b->n - i >= 9 && memcmp(p + i, "<![CDATA[", 9) == 0) {
			if ((q = find(p + i, end, "]]>")) == NULL)
				break;
			i = (size_t)(q - p) + 3;
		} else if (i + 1 < b->n && p[i + 1] == '!') {
			const char *gt = memchr(p + i, '>', b->n - i), *br = memchr(p + i, '[', b->n - i);
			if (gt == NULL)
				break;
			if (br && br < gt && (q = find(br, end, "]>")) != NULL)
				gt = q + 1;
			i = (size_t)(gt - p) + 1;
		} else if (i + 1 < b->n && p[i + 1] == '/') {
			size_t nm = i + 2, nl = 0;
			while (nm + nl < b->n && !is_space(p[nm + nl]) && p[nm + nl] != '>')
				nl++;
			const char *gt = memchr(p + nm + nl, '>', b->n - nm - nl);
			if (gt == NULL || sp == 0)
				break;
			struct el *t = &e[stack[sp - 1]];
			if (t->name_len != nl || memcmp(p + t->name, p + nm, nl) != 0)
				break;
			t->close = i;
			t->close_end = (size_t)(gt - p) + 1;
			sp--;
			i = t->close_end;
		} else {
			size_t nm = i + 1, nl = 0;
			while (nm + nl < b->n && !is_space(p[nm + nl]) && p[nm + nl] != '>' && p[nm + nl] != '/')
				nl++;
			if (nl == 0)
				break;
			size_t j = nm + nl;
			char quote = 0;
			while (j < b->n && (quote || p[j] != '>')) {
				if (quote && p[j] == quote)
					quote = 0;
				else if (!quote && (p[j] == '"' || p[j] == '\''))
					quote = p[j];
				j++;
			}
			if (j >= b->n || sp >= 255)
				break;
			if (n == cap) {
				cap *= 2;
				struct el *ne = realloc(e, sizeof *e * (size_t)cap);
				if (ne == NULL)
					abort();
				e = ne;
			}
			struct el *t = &e[n];
			memset(t, 0, sizeof *t);
			t->open = i;
			t->open_end = j + 1;
			t->name = nm;
			t->name_len = nl;
			t->parent = sp ? stack[sp - 1] : -1;
			t->depth = sp;
			if (t->parent >= 0)
				e[t->parent].kids++;
			t->selfclose = p[j - 1] == '/';
			t->close = t->close_end = (size_t)-1;
			if (t->selfclose) {
				t->close = t->close_end = t->open_end;
			} else {
				stack[sp++] = n;
			}
			n++;
			i = j + 1;
		}
	}
	/* keep only closed elements (their indexes shift: fix parents) */
	int *map = xmalloc(sizeof *map * (size_t)(n ? n : 1));
	int m = 0;
	for (int k = 0; k < n; k++) {
		map[k] = -1;
		if (e[k].close_end != (size_t)-1) {
			map[k] = m;
			e[m++] = e[k];
		}
	}
	for (int k = 0; k < m; k++)
		e[k].parent = e[k].parent >= 0 ? map[e[k].parent] : -1;
	free(map);
	s->e = e;
	s->n = m;
}

static int el_named(const struct buf *b, const struct el *e, const char *local)
{
	const char *nm = b->p + e->name;
	const char *c = memchr(nm, ':', e->name_len);
	size_t off = c ? (size_t)(c - nm) + 1 : 0;
	return e->name_len - off == strlen(local) && memcmp(nm + off, local, e->name_len - off) == 0;
}

/* the first start-tag attribute of e whose name ends in `suffix`: value
 * range [*v, *ve) and the attribute's own range [*a, *ae) */
static int el_attr(const struct buf *b, const struct el *e, const char *suffix, size_t *a, size_t *ae, size_t *v,
		   size_t *ve)
{
	size_t sl = strlen(suffix);
	size_t i = e->name + e->name_len, end = e->open_end - 1;
	const char *p = b->p;
	while (i < end) {
		while (i < end && (is_space(p[i]) || p[i] == '/'))
			i++;
		size_t ns = i;
		while (i < end && p[i] != '=' && !is_space(p[i]))
			i++;
		size_t nl = i - ns;
		while (i < end && (is_space(p[i]) || p[i] == '='))
			i++;
		if (i >= end || (p[i] != '"' && p[i] != '\''))
			return 0;
		char q = p[i];
		size_t vs = ++i;
		while (i < end && p[i] != q)
			i++;
		if (i >= end)
			return 0;
		if (nl >= sl && memcmp(p + ns + nl - sl, suffix, sl) == 0 && (nl == sl || p[ns + nl - sl - 1] == ':')) {
			*a = ns;
			*ae = i + 1;
			*v = vs;
			*ve = i;
			return 1;
		}
		i++;
	}
	return 0;
}

static int is_leaf(const struct el *e)
{
	return !e->selfclose && e->kids == 0;
}

static const char *const ARRAYS[] = { "groups", "acl", "properties", "sipIds" };

static int is_array(const struct buf *b, const struct el *e)
{
	size_t a, ae, v, ve;
	if (el_attr(b, e, "arrayType", &a, &ae, &v, &ve))
		return 1;
	for (size_t i = 0; i < sizeof ARRAYS / sizeof ARRAYS[0]; i++)
		if (el_named(b, e, ARRAYS[i]))
			return 1;
	return 0;
}

/* index of the Body element, -1 if not found */
static int body_index(const struct buf *b, const struct scan *s)
{
	for (int i = 0; i < s->n; i++)
		if (el_named(b, &s->e[i], "Body"))
			return i;
	return -1;
}

static int below(const struct scan *s, int i, int anc)
{
	for (int p = s->e[i].parent; p >= 0; p = s->e[p].parent)
		if (p == anc)
			return 1;
	return 0;
}

typedef int (*el_pred)(const struct buf *b, const struct scan *s, int i);

/* a random element satisfying pred, preferring the Body's descendants
 * (where the data is) 4:1; -1 if none */
static int pick_el(struct rng *r, const struct buf *b, const struct scan *s, el_pred pred)
{
	int body = body_index(b, s);
	size_t cap = (size_t)(s->n ? s->n : 1);
	int *c = xmalloc(sizeof *c * cap), *d = xmalloc(sizeof *d * cap);
	int nc = 0, nd = 0;
	for (int i = 0; i < s->n; i++) {
		if (!pred(b, s, i))
			continue;
		if (body >= 0 && below(s, i, body))
			c[nc++] = i;
		else
			d[nd++] = i;
	}
	int res = -1;
	if (nc && (nd == 0 || rng_below(r, 5) != 0))
		res = c[rng_below(r, (unsigned)nc)];
	else if (nd)
		res = d[rng_below(r, (unsigned)nd)];
	free(c);
	free(d);
	return res;
}

static int p_any_but_root(const struct buf *b, const struct scan *s, int i)
{
	(void)b;
	return s->e[i].parent >= 0;
}

static int p_value(const struct buf *b, const struct scan *s, int i)
{
	(void)b;
	return is_leaf(&s->e[i]) && s->e[i].parent >= 0;
}

static int p_nonempty_value(const struct buf *b, const struct scan *s, int i)
{
	return p_value(b, s, i) && s->e[i].close > s->e[i].open_end;
}

static int p_array(const struct buf *b, const struct scan *s, int i)
{
	return is_array(b, &s->e[i]);
}

static int p_array_items(const struct buf *b, const struct scan *s, int i)
{
	return is_array(b, &s->e[i]) && s->e[i].kids > 0;
}

/* an element with members below the Body that is not an array (a nested
 * element there is an unknown member, which the server ignores) */
static int p_struct(const struct buf *b, const struct scan *s, int i)
{
	int body = body_index(b, s);
	return s->e[i].kids > 0 && body >= 0 && (i == body || below(s, i, body)) && !is_array(b, &s->e[i]);
}

static int p_typed(const struct buf *b, const struct scan *s, int i)
{
	size_t a, ae, v, ve;
	return el_attr(b, &s->e[i], "type", &a, &ae, &v, &ve);
}

static int p_member(const struct buf *b, const struct scan *s, int i)
{
	int body = body_index(b, s);
	/* below the method element, without a prefix */
	return body >= 0 && below(s, i, body) && s->e[i].parent != body
	       && memchr(b->p + s->e[i].name, ':', s->e[i].name_len) == NULL;
}

/* a position inside a value (between its tags, ends included), or anywhere */
static size_t pick_pos(struct rng *r, const struct buf *b, const struct scan *s)
{
	if (rng_below(r, 4) != 0) {
		int i = pick_el(r, b, s, p_value);
		if (i >= 0)
			return s->e[i].open_end + rng_below(r, (unsigned)(s->e[i].close - s->e[i].open_end + 1));
	}
	return rng_below(r, (unsigned)b->n + 1);
}

/* ---- the mutations ------------------------------------------------------------------------ */

const char *const mut_names[M_KINDS] = {
	"flip", "insert", "delete", "bad-utf8/control", "charref", "stray-markup", "truncate",
	"duplicate", "drop", "swap", "array-text", "array-mixed", "array-dims", "array-offset",
	"item-name", "doctype", "attributes", "nesting", "namespace", "xsi-type", "cdata", "whitespace",
};

static void describe_el(struct buf *d, const struct buf *b, const struct el *e)
{
	buf_addf(d, "<%.*s> at %zu", (int)e->name_len, b->p + e->name, e->open);
}

static int m_flip(struct rng *r, struct buf *b, const struct scan *s, struct buf *d)
{
	if (b->n == 0)
		return -1;
	size_t pos = pick_pos(r, b, s);
	if (pos >= b->n)
		pos = b->n - 1;
	unsigned bit = rng_below(r, 8);
	unsigned char old = (unsigned char)b->p[pos];
	b->p[pos] = (char)(old ^ (1u << bit));
	buf_addf(d, "byte %zu: 0x%02X -> 0x%02X", pos, old, (unsigned char)b->p[pos]);
	return 0;
}

static int m_insert(struct rng *r, struct buf *b, const struct scan *s, struct buf *d)
{
	static const unsigned char bytes[] = { 0x00, 0x01, 0x08, 0x0b, 0x1f, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xf5,
					       0xfe, 0xff, '<', '>', '&', '"', '\'', '/', '=', ' ', '\r', ':' };
	size_t pos = pick_pos(r, b, s);
	unsigned char c = rng_below(r, 4) == 0 ? (unsigned char)rng_below(r, 256) : PICK(r, bytes);
	buf_splice(b, pos, 0, &c, 1);
	buf_addf(d, "0x%02X at %zu", c, pos);
	return 0;
}

static int m_delete(struct rng *r, struct buf *b, const struct scan *s, struct buf *d)
{
	if (b->n == 0)
		return -1;
	size_t pos = pick_pos(r, b, s);
	size_t len = 1 + rng_below(r, 4);
	if (pos >= b->n)
		pos = b->n - 1;
	char *gone = esc(b->p + pos, pos + len > b->n ? b->n - pos : len, 8);
	buf_splice(b, pos, len, "", 0);
	buf_addf(d, "\"%s\" at %zu", gone, pos);
	free(gone);
	return 0;
}

static int insert_in_value(struct rng *r, struct buf *b, const struct scan *s, const char *what, size_t wl,
			   struct buf *d)
{
	size_t pos;
	int i = pick_el(r, b, s, p_value);
	if (i >= 0)
		pos = s->e[i].open_end + rng_below(r, (unsigned)(s->e[i].close - s->e[i].open_end + 1));
	else
		pos = rng_below(r, (unsigned)b->n + 1);
	buf_splice(b, pos, 0, what, wl);
	char *e = esc(what, wl, 40);
	buf_addf(d, "\"%s\" at %zu", e, pos);
	if (i >= 0) {
		buf_adds(d, " in ");
		describe_el(d, b, &s->e[i]);
	}
	free(e);
	return 0;
}

static int m_badseq(struct rng *r, struct buf *b, const struct scan *s, struct buf *d)
{
	static const char *const seqs[] = {
		"\xC0\x80", "\xC0\xAF", "\xE0\x80\x80", "\xED\xA0\x80", "\xED\xBF\xBF", "\xEF\xBF\xBE", "\xEF\xBF\xBF",
		"\xF4\x90\x80\x80", "\xF8\x88\x80\x80\x80", "\x80", "\xC3", "\x01", "\x1B", "\x1F", "\x0C", "\x7F",
		"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", /* é, €, U+1F600: valid */
	};
	const char *q = PICK(r, seqs);
	return insert_in_value(r, b, s, q, strlen(q), d);
}

static int m_charref(struct rng *r, struct buf *b, const struct scan *s, struct buf *d)
{
	static const char *const refs[] = {
		"&#0;", "&#1;", "&#31;", "&#x1F;", "&#9;", "&#xD800;", "&#xDFFF;", "&#xFFFE;", "&#xFFFF;", "&#x110000;",
		"&#1114112;", "&#99999999999;", "&#x41;", "&#233;", "&#x1F600;", "&lt;", "&amp;", "&gt;", "&quot;",
		"&apos;", "&#38;", "&#60;", "&#x;", "&#;", "&#-1;",
	};
	const char *q = PICK(r, refs);
	return insert_in_value(r, b, s, q, strlen(q), d);
}

static int m_stray(struct rng *r, struct buf *b, const struct scan *s, struct buf *d)
{
	static const char *const strays[] = { "&", "<", "&x", "&amp", "]]>", "</", "< x>", "</>", "<>", "&lt" };
	if (rng_below(r, 3) == 0) {
		/* into an attribute value */
		int i = pick_el(r, b, s, p_typed);
		size_t a, ae, v, ve;
		if (i >= 0 && el_attr(b, &s->e[i], "type", &a, &ae, &v, &ve)) {
			static const char *const in_attr[] = { "<", "&", "\"", "&x;", "'" };
			const char *q = PICK(r, in_attr);
			size_t pos = v + rng_below(r, (unsigned)(ve - v + 1));
			buf_splice(b, pos, 0, q, strlen(q));
			buf_addf(d, "\"%s\" into the xsi:type of ", q);
			describe_el(d, b, &s->e[i]);
			return 0;
		}
	}
	const char *q = PICK(r, strays);
	return insert_in_value(r, b, s, q, strlen(q), d);
}

static int m_truncate(struct rng *r, struct buf *b, const struct scan *s, struct buf *d)
{
	(void)s;
	if (b->n < 2)
		return -1;
	size_t at = rng_below(r, (unsigned)b->n);
	buf_addf(d, "at %zu of %zu", at, b->n);
	b->n = at;
	b->p[at] = '\0';
	return 0;
}

static int m_dup(struct rng *r, struct buf *b, const struct scan *s, struct buf *d)
{
	int i = pick_el(r, b, s, p_any_but_root);
	if (i < 0)
		return -1;
	const struct el *e = &s->e[i];
	char *copy = xstrndup(b->p + e->open, e->close_end - e->open);
	describe_el(d, b, e);
	buf_splice(b, e->close_end, 0, copy, e->close_end - e->open);
	free(copy);
	return 0;
}

static int m_drop(struct rng *r, struct buf *b, const struct scan *s, struct buf *d)
{
	int i = pick_el(r, b, s, p_any_but_root);
	if (i < 0)
		return -1;
	const struct el *e = &s->e[i];
	describe_el(d, b, e);
	buf_splice(b, e->open, e->close_end - e->open, "", 0);
	return 0;
}

static int m_swap(struct rng *r, struct buf *b, const struct scan *s, struct buf *d)
{
	int *c = xmalloc(sizeof *c * (size_t)(s->n ? s->n : 1)), nc = 0;
	for (int i = 0; i < s->n; i++)
		for (int j = i + 1; j < s->n; j++)
			if (s->e[j].parent == s->e[i].parent && s->e[i].parent >= 0 && s->e[j].open >= s->e[i].close_end) {
				c[nc++] = i;
				break;
			}
	if (nc == 0) {
		free(c);
		return -1;
	}
	int i = c[rng_below(r, (unsigned)nc)], j = i + 1;
	free(c);
	while (s->e[j].parent != s->e[i].parent || s->e[j].open < s->e[i].close_end)
		j++;
	const struct el *a = &s->e[i], *e2 = &s->e[j];
	struct buf o = { 0 };
	buf_add(&o, b->p + e2->open, e2->close_end - e2->open);
	buf_add(&o, b->p + a->close_end, e2->open - a->close_end);
	buf_add(&o, b->p + a->open, a->close_end - a->open);
	describe_el(d, b, a);
	buf_adds(d, " with ");
	describe_el(d, b, e2);
	buf_splice(b, a->open, e2->close_end - a->open, o.p, o.n);
	buf_free(&o);
	return 0;
}

/* the start tag of e rewritten as <name attrs> (not self-closing) */
static void open_tag(const struct buf *b, const struct el *e, struct buf *o)
{
	size_t end = e->open_end - 1;
	if (e->selfclose)
		end--;
	buf_add(o, b->p + e->open, end - e->open);
	buf_adds(o, ">");
}

static int m_array_text(struct rng *r, struct buf *b, const struct scan *s, struct buf *d)
{
	static const char *const texts[] = { "anonymous", "blocked", "x", "free-pstn blocked", "0", "&#x61;nonymous",
					     " blocked ", "10.0.0.1" };
	int i = pick_el(r, b, s, p_array);
	if (i < 0)
		return -1;
	const struct el *e = &s->e[i];
	const char *t = PICK(r, texts);
	struct buf o = { 0 };
	int retype = rng_below(r, 3) == 0;
	if (retype)
		buf_addf(&o, "<%.*s xsi:type=\"xsd:string\">", (int)e->name_len, b->p + e->name);
	else
		open_tag(b, e, &o);
	buf_addf(&o, "%s</%.*s>", t, (int)e->name_len, b->p + e->name);
	buf_addf(d, "content of ");
	describe_el(d, b, e);
	buf_addf(d, " -> \"%s\"%s", t, retype ? " typed xsd:string" : "");
	buf_splice(b, e->open, e->close_end - e->open, o.p, o.n);
	buf_free(&o);
	return 0;
}

static int m_array_mixed(struct rng *r, struct buf *b, const struct scan *s, struct buf *d)
{
	static const char *const texts[] = { "blocked", "x", "&#x62;", "<![CDATA[y]]>" };
	int i = pick_el(r, b, s, p_array_items);
	if (i < 0)
		return -1;
	/* item boundaries: before the first item, after each */
	size_t pos[64];
	int np = 0;
	for (int k = i + 1; k < s->n && np < 63; k++)
		if (s->e[k].parent == i) {
			if (np == 0)
				pos[np++] = s->e[k].open;
			pos[np++] = s->e[k].close_end;
		}
	if (np == 0)
		return -1;
	size_t at = pos[rng_below(r, (unsigned)np)];
	const char *t = PICK(r, texts);
	buf_addf(d, "\"%s\" at %zu among the items of ", t, at);
	describe_el(d, b, &s->e[i]);
	buf_splice(b, at, 0, t, strlen(t));
	return 0;
}

static int m_array_dims(struct rng *r, struct buf *b, const struct scan *s, struct buf *d)
{
	static const char *const dims[] = { "[0]", "[]", "[1]", "[7]", "[10000]", "[10001]", "[2147483647]",
					    "[2147483648]", "[4294967296]", "[-1]", "[-2147483648]", "[2,2]", "[abc]",
					    "[ 2 ]" };
	int i = pick_el(r, b, s, p_array);
	if (i < 0)
		return -1;
	const struct el *e = &s->e[i];
	const char *dm = PICK(r, dims);
	size_t a, ae, v, ve;
	if (el_attr(b, e, "arrayType", &a, &ae, &v, &ve)) {
		const char *br = memchr(b->p + v, '[', ve - v);
		size_t from = br ? (size_t)(br - b->p) : ve;
		buf_addf(d, "arrayType dims of ");
		describe_el(d, b, e);
		buf_addf(d, " -> %s", dm);
		buf_splice(b, from, ve - from, dm, strlen(dm));
	} else {
		struct buf o = { 0 };
		buf_addf(&o, " SOAP-ENC:arrayType=\"xsd:string%s\"", dm);
		buf_addf(d, "arrayType xsd:string%s added to ", dm);
		describe_el(d, b, e);
		buf_splice(b, e->name + e->name_len, 0, o.p, o.n);
		buf_free(&o);
	}
	return 0;
}

static int m_array_offset(struct rng *r, struct buf *b, const struct scan *s, struct buf *d)
{
	static const char *const vals[] = { "0", "1", "3", "-1", "-2147483648", "2147483647", "2147483648", "10001",
					    "9999999999" };
	int i = pick_el(r, b, s, rng_below(r, 2) ? p_array_items : p_array);
	if (i < 0)
		return -1;
	const struct el *e = &s->e[i];
	const char *v0 = PICK(r, vals);
	char val[40];
	snprintf(val, sizeof val, "[%s]", v0);
	int first = -1;
	for (int k = i + 1; k < s->n; k++)
		if (s->e[k].parent == i) {
			first = k;
			break;
		}
	size_t a, ae, v, ve;
	if (first >= 0 && rng_below(r, 2)) {
		char at[64];
		snprintf(at, sizeof at, " SOAP-ENC:position=\"%s\"", val);
		buf_addf(d, "position %s on the first item of ", val);
		describe_el(d, b, e);
		buf_splice(b, s->e[first].name + s->e[first].name_len, 0, at, strlen(at));
	} else if (el_attr(b, e, "offset", &a, &ae, &v, &ve)) {
		buf_addf(d, "offset %s on ", val);
		describe_el(d, b, e);
		buf_splice(b, v, ve - v, val, strlen(val));
	} else {
		char at[64];
		snprintf(at, sizeof at, " SOAP-ENC:offset=\"%s\"", val);
		buf_addf(d, "offset %s added to ", val);
		describe_el(d, b, e);
		buf_splice(b, e->name + e->name_len, 0, at, strlen(at));
	}
	return 0;
}

/* SOAP 1.1 section 5.4.2: the names of array members are not significant
 * ("elements may have any name"); stacks name them after their type */
static int m_item_name(struct rng *r, struct buf *b, const struct scan *s, struct buf *d)
{
	static const char *const names[] = { "x", "string", "SipId", "ns4:item", "SOAP-ENC:string" };
	int i = pick_el(r, b, s, p_array_items);
	if (i < 0)
		return -1;
	int items[64], n = 0;
	for (int k = i + 1; k < s->n && n < 64; k++)
		if (s->e[k].parent == i)
			items[n++] = k;
	const struct el *e = &s->e[items[rng_below(r, (unsigned)n)]];
	const char *nm = PICK(r, names);
	buf_addf(d, "item ");
	describe_el(d, b, e);
	buf_addf(d, " renamed <%s>", nm);
	/* the end tag first: the start tag's offsets stay valid */
	if (!e->selfclose) {
		char end[64];
		snprintf(end, sizeof end, "</%s>", nm);
		buf_splice(b, e->close, e->close_end - e->close, end, strlen(end));
	}
	buf_splice(b, e->name, e->name_len, nm, strlen(nm));
	return 0;
}

static size_t after_xmldecl(const struct buf *b)
{
	if (b->n > 5 && memcmp(b->p, "<?xml", 5) == 0) {
		const char *q = find(b->p, b->p + b->n, "?>");
		if (q)
			return (size_t)(q - b->p) + 2;
	}
	return 0;
}

static int m_doctype(struct rng *r, struct buf *b, const struct scan *s, struct buf *d)
{
	static const char *const dts[] = {
		"<!DOCTYPE x>",
		"<!DOCTYPE SOAP-ENV:Envelope [<!ENTITY g \"blocked\">]>",
		"<!DOCTYPE x [<!ENTITY % p SYSTEM \"http://127.0.0.1:9/x.dtd\">%p;]>",
		"<!DOCTYPE x SYSTEM \"file:///etc/passwd\">",
		"<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
		"<!ENTITY g \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>",
		"<!DOCTYPE x [<!ENTITY g SYSTEM \"file:///etc/hostname\">]>",
	};
	unsigned k = rng_below(r, sizeof dts / sizeof dts[0]);
	size_t at = after_xmldecl(b);
	int use = strstr(dts[k], "ENTITY g") != NULL;
	/* the entity is used in a value first (positions after `at` move) */
	if (use) {
		int i = pick_el(r, b, s, p_value);
		if (i >= 0 && s->e[i].open_end > at) {
			buf_splice(b, s->e[i].open_end, s->e[i].close - s->e[i].open_end, "&g;", 3);
			buf_adds(d, "&g; as the value of ");
			describe_el(d, b, &s->e[i]);
			buf_adds(d, ", ");
		}
	}
	buf_addf(d, "%s", dts[k]);
	buf_splice(b, at, 0, dts[k], strlen(dts[k]));
	return 0;
}

static int m_attrs(struct rng *r, struct buf *b, const struct scan *s, struct buf *d)
{
	int i = pick_el(r, b, s, p_any_but_root);
	if (i < 0)
		i = 0;
	if (s->n == 0)
		return -1;
	const struct el *e = &s->e[i];
	size_t at = e->name + e->name_len;
	unsigned how = rng_below(r, 4);
	size_t a, ae, v, ve;
	if (how == 0 && el_attr(b, e, "type", &a, &ae, &v, &ve)) {
		char *attr = xstrndup(b->p + a, ae - a);
		buf_adds(d, "attribute repeated on ");
		describe_el(d, b, e);
		buf_splice(b, at, 0, " ", 1);
		buf_splice(b, at + 1, 0, attr, strlen(attr));
		free(attr);
		return 0;
	}
	if (how == 1) {
		buf_adds(d, "undeclared prefix foo:bar on ");
		describe_el(d, b, e);
		buf_splice(b, at, 0, " foo:bar=\"1\"", 12);
		return 0;
	}
	static const unsigned counts[] = { 50, 500, 2000 };
	unsigned n = PICK(r, counts);
	struct buf o = { 0 };
	for (unsigned k = 0; k < n; k++)
		buf_addf(&o, " a%u=\"%u\"", k, k);
	buf_addf(d, "%u attributes on ", n);
	describe_el(d, b, e);
	buf_splice(b, at, 0, o.p, o.n);
	buf_free(&o);
	return 0;
}

static int m_nest(struct rng *r, struct buf *b, const struct scan *s, struct buf *d)
{
	static const unsigned depths[] = { 3, 10, 20, 26, 40 };
	int i = pick_el(r, b, s, p_struct);
	if (i < 0)
		return -1;
	unsigned n = PICK(r, depths);
	struct buf o = { 0 };
	for (unsigned k = 0; k < n; k++)
		buf_adds(&o, "<zz>");
	buf_adds(&o, "x");
	for (unsigned k = 0; k < n; k++)
		buf_adds(&o, "</zz>");
	buf_addf(d, "unknown member nested %u deep in ", n);
	describe_el(d, b, &s->e[i]);
	buf_splice(b, s->e[i].open_end, 0, o.p, o.n);
	buf_free(&o);
	return 0;
}

/* replaces every use of prefix `from` by `to` (tags, attribute names,
 * QName attribute values, the declaration) */
static int rename_prefix(struct buf *b, const char *from, const char *to)
{
	static const char *const before[] = { "<", "</", " ", "\n", "\r", "\t", "\"", "xmlns:" };
	int n = 0;
	for (size_t k = 0; k < sizeof before / sizeof before[0]; k++) {
		char pat[64], rep[64];
		snprintf(pat, sizeof pat, "%s%s%s", before[k], from, k == 7 ? "=" : ":");
		snprintf(rep, sizeof rep, "%s%s%s", before[k], to, k == 7 ? "=" : ":");
		size_t pl = strlen(pat), rl = strlen(rep), i = 0;
		const char *q;
		while ((q = find(b->p + i, b->p + b->n, pat)) != NULL) {
			size_t at = (size_t)(q - b->p);
			buf_splice(b, at, pl, rep, rl);
			i = at + rl;
			n++;
		}
	}
	return n;
}

static int m_namespace(struct rng *r, struct buf *b, const struct scan *s, struct buf *d)
{
	static const char *const prefixes[] = { "SOAP-ENV", "xsi", "xsd", "SOAP-ENC", "ns4", "ns5" };
	int body = body_index(b, s);
	unsigned how = rng_below(r, 7);
	if (how == 0) {
		const char *p = PICK(r, prefixes);
		if (rename_prefix(b, p, "q1") == 0)
			return -1;
		buf_addf(d, "prefix %s renamed q1 everywhere", p);
		return 0;
	}
	if (how == 1) {
		const char *p = PICK(r, prefixes);
		char pat[64];
		snprintf(pat, sizeof pat, "xmlns:%s=\"", p);
		const char *q = find(b->p, b->p + b->n, pat);
		if (q == NULL)
			return -1;
		const char *qe = memchr(q + strlen(pat), '"', (size_t)(b->p + b->n - q) - strlen(pat));
		if (qe == NULL)
			return -1;
		buf_addf(d, "declaration of %s removed", p);
		buf_splice(b, (size_t)(q - b->p), (size_t)(qe + 1 - q), "", 0);
		return 0;
	}
	if (how == 2 || how == 3) {
		static const char *const uris[] = { NS_SIP, NS_TYPES, "urn:example:other", "" };
		int i = pick_el(r, b, s, p_member);
		if (i < 0)
			return -1;
		const struct el *e = &s->e[i];
		const char *uri = PICK(r, uris);
		char *name = xstrndup(b->p + e->name, e->name_len);
		struct buf o = { 0 };
		buf_addf(&o, "<q2:%s xmlns:q2=\"%s\"", name, uri);
		buf_add(&o, b->p + e->name + e->name_len, e->open_end - e->name - e->name_len);
		if (!e->selfclose) {
			buf_add(&o, b->p + e->open_end, e->close - e->open_end);
			buf_addf(&o, "</q2:%s>", name);
		}
		buf_addf(d, "member <%s> at %zu qualified with \"%s\"", name, e->open, uri);
		buf_splice(b, e->open, e->close_end - e->open, o.p, o.n);
		buf_free(&o);
		free(name);
		return 0;
	}
	if (how == 4) {
		/* the method element in the default namespace: its members too */
		int m = -1;
		for (int k = body + 1; body >= 0 && k < s->n; k++)
			if (s->e[k].parent == body) {
				m = k;
				break;
			}
		if (m < 0)
			return -1;
		const struct el *e = &s->e[m];
		const char *nm = b->p + e->name;
		const char *c = memchr(nm, ':', e->name_len);
		size_t off = c ? (size_t)(c - nm) + 1 : 0;
		char *local = xstrndup(nm + off, e->name_len - off);
		struct buf o = { 0 };
		buf_addf(&o, "<%s xmlns=\"%s\">", local, NS_SIP);
		buf_add(&o, b->p + e->open_end, e->close - e->open_end);
		buf_addf(&o, "</%s>", local);
		buf_addf(d, "method <%s> in the default namespace (members too)", local);
		buf_splice(b, e->open, e->close_end - e->open, o.p, o.n);
		buf_free(&o);
		free(local);
		return 0;
	}
	/* namespace names changed */
	static const struct {
		const char *from, *to;
	} uris[] = {
		{ "\"" NS_SIP "\"", "\"urn:AGProjects:NGNPro:sip\"" },
		{ "\"" NS_SIP "\"", "\"" NS_TYPES "\"" },
		{ "\"" NS_TYPES "\"", "\"" NS_SIP "\"" },
		{ "\"" NS_SOAP11 "\"", "\"" NS_SOAP12 "\"" },
		{ "\"" NS_SOAP11 "\"", "\"http://schemas.xmlsoap.org/soap/envelope\"" },
		{ "\"" NS_XSI "\"", "\"http://www.w3.org/1999/XMLSchema-instance\"" },
	};
	unsigned k = rng_below(r, sizeof uris / sizeof uris[0]);
	const char *q = find(b->p, b->p + b->n, uris[k].from);
	if (q == NULL)
		return -1;
	buf_addf(d, "namespace %s -> %s", uris[k].from, uris[k].to);
	buf_splice(b, (size_t)(q - b->p), strlen(uris[k].from), uris[k].to, strlen(uris[k].to));
	return 0;
}

static int m_xsitype(struct rng *r, struct buf *b, const struct scan *s, struct buf *d)
{
	static const char *const types[] = { "xsd:int", "xsd:string", "xsd:boolean", "xsd:float", "SOAP-ENC:Array",
					     "SOAP-ENC:Struct", "ns4:SipAccount", "ns4:SipId", "undeclared:foo", "",
					     "xsd:", ":x", "xsd:string xsd:int", "xsd:base64Binary", "xsd:dateTime" };
	const char *t = PICK(r, types);
	size_t a, ae, v, ve;
	if (rng_below(r, 4) == 0) {
		int i = pick_el(r, b, s, p_any_but_root);
		if (i < 0 || el_attr(b, &s->e[i], "type", &a, &ae, &v, &ve))
			return -1;
		char at[80];
		snprintf(at, sizeof at, " xsi:type=\"%s\"", t);
		buf_addf(d, "xsi:type \"%s\" added to ", t);
		describe_el(d, b, &s->e[i]);
		buf_splice(b, s->e[i].name + s->e[i].name_len, 0, at, strlen(at));
		return 0;
	}
	int i = pick_el(r, b, s, p_typed);
	if (i < 0 || !el_attr(b, &s->e[i], "type", &a, &ae, &v, &ve))
		return -1;
	if (rng_below(r, 5) == 0) {
		buf_adds(d, "xsi:type removed from ");
		describe_el(d, b, &s->e[i]);
		buf_splice(b, a, ae - a, "", 0);
		return 0;
	}
	buf_addf(d, "xsi:type of ");
	describe_el(d, b, &s->e[i]);
	buf_addf(d, " -> \"%s\"", t);
	buf_splice(b, v, ve - v, t, strlen(t));
	return 0;
}

static int m_cdata(struct rng *r, struct buf *b, const struct scan *s, struct buf *d)
{
	int i = pick_el(r, b, s, p_nonempty_value);
	if (i < 0)
		return -1;
	const struct el *e = &s->e[i];
	size_t len = e->close - e->open_end;
	if (memchr(b->p + e->open_end, '&', len) || memchr(b->p + e->open_end, '<', len))
		return -1;
	size_t from = rng_below(r, (unsigned)len), to = from + 1 + rng_below(r, (unsigned)(len - from));
	struct buf o = { 0 };
	buf_add(&o, b->p + e->open_end, from);
	buf_adds(&o, "<![CDATA[");
	buf_add(&o, b->p + e->open_end + from, to - from);
	buf_adds(&o, "]]>");
	buf_add(&o, b->p + e->open_end + to, len - to);
	buf_addf(d, "bytes %zu..%zu of ", from, to);
	describe_el(d, b, e);
	buf_adds(d, " in CDATA");
	buf_splice(b, e->open_end, len, o.p, o.n);
	buf_free(&o);
	return 0;
}

static int m_space(struct rng *r, struct buf *b, const struct scan *s, struct buf *d)
{
	static const char *const ws[] = { " ", "\r\n", "\t", "  \n  ", "<!-- c -->", "<?pi x?>" };
	int i = pick_el(r, b, s, p_value);
	if (i < 0)
		return -1;
	const struct el *e = &s->e[i];
	const char *w = PICK(r, ws);
	unsigned where = rng_below(r, 3); /* before, after, inside */
	size_t len = e->close - e->open_end;
	size_t at = where == 0 ? e->open_end : where == 1 ? e->close : e->open_end + rng_below(r, (unsigned)len + 1);
	char *we = esc(w, strlen(w), 20);
	buf_addf(d, "\"%s\" %s the value of ", we, where == 0 ? "before" : where == 1 ? "after" : "inside");
	free(we);
	describe_el(d, b, e);
	buf_splice(b, at, 0, w, strlen(w));
	return 0;
}

typedef int (*mut_fn)(struct rng *, struct buf *, const struct scan *, struct buf *);
static const mut_fn fns[M_KINDS] = {
	m_flip, m_insert, m_delete, m_badseq, m_charref, m_stray, m_truncate,
	m_dup, m_drop, m_swap, m_array_text, m_array_mixed, m_array_dims, m_array_offset,
	m_item_name, m_doctype, m_attrs, m_nest, m_namespace, m_xsitype, m_cdata, m_space,
};

int mut_apply(struct rng *r, enum mut_kind kind, struct buf *body, struct buf *desc)
{
	struct scan s;
	scan(body, &s);
	size_t dl = desc->n;
	if (desc->n)
		buf_adds(desc, "; ");
	buf_addf(desc, "%s: ", mut_names[kind]);
	int rc = fns[kind](r, body, &s, desc);
	if (rc != 0) {
		desc->n = dl;
		if (desc->p)
			desc->p[dl] = '\0';
	}
	free(s.e);
	return rc;
}
