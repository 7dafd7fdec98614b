/* front_frame.c: the RFC 9112 framing check of incoming requests (see
 * front-internal.h for why and what it enforces).
 *
 * A byte-at-a-time state machine over the connection's stream, so it needs
 * no buffer and works however the bytes are split across reads. Bodies and
 * chunk data are skipped by count, not looked at, and the long runs of a
 * header section (request-target, values of fields other than
 * Content-Length and Transfer-Encoding) by a tight loop that stops only at
 * CR, LF, NUL (or space and DEL in the target): about 3000 instructions
 * for a CDRTool-sized header section. */
#include "config.h"
#include <string.h>
#include "front-internal.h"

enum {
	S_START,     /* first byte of a request-line */
	S_METHOD,
	S_TARGET0,   /* first byte of the request-target */
	S_TARGET,
	S_VERSION,   /* "HTTP/" DIGIT "." DIGIT */
	S_RL_LF,     /* CR seen at the end of the request-line */
	S_FIELD,     /* first byte of a field line, or of the empty line */
	S_NAME,
	S_VALUE,
	S_FL_LF,     /* CR seen at the end of a field line */
	S_END_LF,    /* CR seen on the empty line */
	S_BODY,      /* skipping `remaining` Content-Length bytes */
	S_CSIZE0,    /* first HEXDIG of a chunk-size */
	S_CSIZE,
	S_CSIZE_LF,
	S_CDATA,     /* skipping `remaining` chunk-data bytes */
	S_CDATA_CR,  /* the CRLF after chunk data */
	S_CDATA_LF,
	S_PASS,      /* checks over: evhttp refuses the body as too large */
	S_FAIL
};

enum { FIELD_OTHER, FIELD_CL, FIELD_TE };

#define MAX_METHOD 32  /* longer is no method evhttp knows */
#define MAX_CL_DIGITS 18  /* more saturates: larger than any max-body */
#define MAX_CHUNK_DIGITS 15

static const char CL_NAME[] = "content-length";
static const char TE_NAME[] = "transfer-encoding";
static const char CHUNKED[] = "chunked";

/* RFC 9110 5.6.2 tchar: ALPHA DIGIT and !#$%&'*+-.^_`|~ */
static const unsigned char TCHAR[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static int is_tchar(unsigned char b)
{
	return TCHAR[b];
}

static int is_digit(unsigned char b)
{
	return b >= '0' && b <= '9';
}

static int hex_value(unsigned char b)
{
	if (is_digit(b))
		return b - '0';
	if (b >= 'a' && b <= 'f')
		return b - 'a' + 10;
	if (b >= 'A' && b <= 'F')
		return b - 'A' + 10;
	return -1;
}

static unsigned char lower(unsigned char b)
{
	return b >= 'A' && b <= 'Z' ? (unsigned char)(b + 32) : b;
}

void front_frame_init(struct front_frame *fr, uint64_t max_body)
{
	*fr = (struct front_frame){ .max_body = max_body, .state = S_START };
}

static void request_done(struct front_frame *fr)
{
	fr->state = S_START;
}

/* The end of a field line (in the header section, not the trailer). */
static int field_end(struct front_frame *fr)
{
	if (fr->trailer)
		return 0;
	if (fr->field == FIELD_CL) {
		if (fr->digits == 0 || (fr->seen_cl && fr->length != fr->remaining))
			return -1;
		fr->seen_cl = 1;
		fr->length = fr->remaining;
		fr->remaining = 0;
	} else if (fr->field == FIELD_TE) {
		if (fr->idx != sizeof CHUNKED - 1 || fr->seen_te || fr->http10)
			return -1;
		fr->seen_te = 1;
	}
	return fr->seen_cl && fr->seen_te ? -1 : 0;
}

/* The empty line: the header section (or the trailer) is complete. */
static int head_end(struct front_frame *fr)
{
	if (fr->trailer) {
		request_done(fr);
		return 0;
	}
	if (!fr->post && (fr->seen_te || fr->length > 0))
		return -1;
	if (fr->seen_te) {
		fr->body_total = 0;
		fr->state = S_CSIZE0;
	} else if (fr->length > fr->max_body) {
		fr->state = S_PASS;
	} else if (fr->length > 0) {
		fr->remaining = fr->length;
		fr->state = S_BODY;
	} else {
		request_done(fr);
	}
	return 0;
}

/* One byte of a field value. */
static int value_byte(struct front_frame *fr, unsigned char b)
{
	int ows = b == ' ' || b == '\t';
	if (b == '\0')
		return -1;
	switch (fr->field) {
	case FIELD_CL:
		if (is_digit(b) && !fr->value_done) {
			if (++fr->digits <= MAX_CL_DIGITS)
				fr->remaining = fr->remaining * 10 + (b - '0');
			else
				fr->remaining = UINT64_MAX;
			return 0;
		}
		if (ows) {
			fr->value_done = fr->digits > 0;
			return 0;
		}
		return -1;
	case FIELD_TE:
		if (ows) {
			fr->value_done = fr->idx > 0;
			return 0;
		}
		if (!fr->value_done && fr->idx < sizeof CHUNKED - 1 && lower(b) == (unsigned char)CHUNKED[fr->idx]) {
			fr->idx++;
			return 0;
		}
		return -1;
	default:
		return 0;
	}
}

/* A field-name byte: the first bytes are kept, lower-cased, to be compared
 * with the two names that matter once the colon comes. */
static void name_byte(struct front_frame *fr, unsigned char b)
{
	if (fr->idx < sizeof fr->name)
		fr->name[fr->idx] = (char)lower(b);
	if (fr->idx <= sizeof fr->name)
		fr->idx++;
}

/* One byte outside bodies and chunk data. 0: valid so far. */
static int step(struct front_frame *fr, unsigned char b)
{
	switch (fr->state) {
	case S_START:
		fr->req_start = fr->pos; /* also when b is refused: the refusal belongs here */
		if (!is_tchar(b))
			return -1;
		fr->post = fr->http10 = fr->seen_cl = fr->seen_te = fr->trailer = 0;
		fr->length = 0;
		fr->method[0] = (char)b;
		fr->idx = 1;
		fr->state = S_METHOD;
		return 0;
	case S_METHOD:
		if (b == ' ') {
			fr->post = fr->idx == 4 && fr->method[0] == 'P' && fr->method[1] == 'O' && fr->method[2] == 'S'
				   && fr->method[3] == 'T';
			fr->state = S_TARGET0;
			return 0;
		}
		if (!is_tchar(b) || fr->idx >= MAX_METHOD)
			return -1;
		if (fr->idx < sizeof fr->method)
			fr->method[fr->idx] = (char)b;
		fr->idx++;
		return 0;
	case S_TARGET0:
	case S_TARGET:
		if (b == ' ' && fr->state == S_TARGET) {
			fr->idx = 0;
			fr->state = S_VERSION;
			return 0;
		}
		if (b <= ' ' || b == 0x7f)
			return -1;
		fr->state = S_TARGET;
		return 0;
	case S_VERSION:
		if (fr->idx < 5) {
			if (b != (unsigned char)"HTTP/"[fr->idx])
				return -1;
		} else if (fr->idx == 5) {
			if (b != '1') /* HTTP/1.x only */
				return -1;
		} else if (fr->idx == 6) {
			if (b != '.')
				return -1;
		} else if (fr->idx == 7) {
			if (!is_digit(b))
				return -1;
			fr->http10 = b == '0';
		} else if (b == '\r') {
			fr->state = S_RL_LF;
			return 0;
		} else if (b == '\n') {
			fr->state = S_FIELD;
			return 0;
		} else {
			return -1;
		}
		fr->idx++;
		return 0;
	case S_RL_LF:
		if (b != '\n')
			return -1;
		fr->state = S_FIELD;
		return 0;
	case S_FIELD:
		if (b == '\r') {
			fr->state = S_END_LF;
			return 0;
		}
		if (b == '\n')
			return head_end(fr);
		if (!is_tchar(b)) /* also SP/HTAB: obs-fold, or space before the first field */
			return -1;
		fr->idx = 0;
		fr->state = S_NAME; /* b is the name's first byte */
		/* FALLTHROUGH */
	case S_NAME:
		if (b == ':') {
			if (fr->trailer)
				fr->field = FIELD_OTHER;
			else if (fr->idx == sizeof CL_NAME - 1 && memcmp(fr->name, CL_NAME, sizeof CL_NAME - 1) == 0)
				fr->field = FIELD_CL;
			else if (fr->idx == sizeof TE_NAME - 1 && memcmp(fr->name, TE_NAME, sizeof TE_NAME - 1) == 0)
				fr->field = FIELD_TE;
			else
				fr->field = FIELD_OTHER;
			fr->idx = 0;
			fr->digits = 0;
			fr->remaining = 0;
			fr->value_done = 0;
			fr->state = S_VALUE;
			return 0;
		}
		if (!is_tchar(b)) /* also whitespace before the colon */
			return -1;
		name_byte(fr, b);
		return 0;
	case S_VALUE:
		if (b == '\r') {
			fr->state = S_FL_LF;
			return 0;
		}
		if (b == '\n') {
			fr->state = S_FIELD;
			return field_end(fr);
		}
		return value_byte(fr, b);
	case S_FL_LF:
		if (b != '\n')
			return -1;
		fr->state = S_FIELD;
		return field_end(fr);
	case S_END_LF:
		if (b != '\n')
			return -1;
		return head_end(fr);
	case S_CSIZE0:
	case S_CSIZE:
		if (b == '\r' && fr->state == S_CSIZE) {
			fr->state = S_CSIZE_LF;
			return 0;
		}
		if (hex_value(b) < 0)
			return -1; /* also chunk extensions, whitespace, signs */
		if (fr->state == S_CSIZE0) {
			fr->length = 0;
			fr->digits = 0;
			fr->state = S_CSIZE;
		}
		if (++fr->digits > MAX_CHUNK_DIGITS)
			return -1;
		fr->length = fr->length * 16 + (uint64_t)hex_value(b);
		return 0;
	case S_CSIZE_LF:
		if (b != '\n')
			return -1;
		if (fr->length == 0) {
			fr->trailer = 1;
			fr->state = S_FIELD;
			return 0;
		}
		fr->body_total += fr->length;
		if (fr->body_total > fr->max_body) {
			fr->state = S_PASS;
			return 0;
		}
		fr->remaining = fr->length;
		fr->state = S_CDATA;
		return 0;
	case S_CDATA_CR:
		if (b != '\r')
			return -1;
		fr->state = S_CDATA_LF;
		return 0;
	case S_CDATA_LF:
		if (b != '\n')
			return -1;
		fr->state = S_CSIZE0;
		return 0;
	default:
		return -1;
	}
}

int front_frame_scan(struct front_frame *fr, const unsigned char *p, size_t len)
{
	size_t i = 0;
	while (i < len) {
		if (fr->state == S_FAIL)
			return -1;
		if (fr->state == S_PASS) {
			fr->pos += len - i;
			return 0;
		}
		if (fr->state == S_BODY || fr->state == S_CDATA) {
			uint64_t take = len - i < fr->remaining ? len - i : fr->remaining;
			i += (size_t)take;
			fr->pos += take;
			fr->remaining -= take;
			if (fr->remaining == 0) {
				if (fr->state == S_BODY)
					request_done(fr);
				else
					fr->state = S_CDATA_CR;
			}
			continue;
		}
		if (fr->state == S_VALUE && fr->field == FIELD_OTHER) {
			/* most header bytes: a run of value bytes, checked only for
			 * what ends or breaks a line */
			size_t j = i;
			while (j < len && p[j] != '\r' && p[j] != '\n' && p[j] != '\0')
				j++;
			fr->pos += j - i;
			i = j;
			if (i == len)
				break;
		} else if (fr->state == S_NAME) {
			size_t j = i;
			while (j < len && is_tchar(p[j]))
				name_byte(fr, p[j++]);
			fr->pos += j - i;
			i = j;
			if (i == len)
				break;
		} else if (fr->state == S_TARGET) {
			size_t j = i;
			while (j < len && p[j] > ' ' && p[j] != 0x7f)
				j++;
			fr->pos += j - i;
			i = j;
			if (i == len)
				break;
		}
		if (step(fr, p[i]) != 0) {
			fr->state = S_FAIL;
			return -1;
		}
		i++;
		fr->pos++;
	}
	return fr->state == S_FAIL ? -1 : 0;
}
