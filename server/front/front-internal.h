/* front-internal.h: the request framing check of the front (front_frame.c),
 * shared with front.c only.
 *
 * evhttp 2.1 parses framing leniently: it reads Content-Length with strtoll
 * (so " \v968", "+1028" and "0x10"-style chunk sizes pass), takes the first
 * of several Content-Length fields, lets Transfer-Encoding win silently over
 * Content-Length, treats any Transfer-Encoding other than exactly "chunked"
 * as absent, keeps "Content-Length :" (space before the colon) as another
 * field, does not require the CRLF after chunk data, and waits for a line
 * end before it looks at the first byte. A front that reads another message
 * boundary than a proxy or firewall before it invites request smuggling, so
 * front.c runs every byte of a connection through this scanner as it
 * arrives, before evhttp's parser sees it, and refuses the connection at
 * the first byte that RFC 9112 does not allow.
 *
 * What it enforces (RFC 9112 sections in brackets):
 *   1. request-line = method SP request-target SP HTTP-version, method a
 *      token [3]; the first byte of a request must be a token character, so
 *      a TLS ClientHello or other binary is refused at once [2.2, 3].
 *   2. Header lines are field-name ":" OWS value OWS; no whitespace before
 *      the colon [5.1], no obs-fold [5.2], no NUL and no bare CR [2.2]. A
 *      line may end with CRLF or a bare LF (evhttp accepts both) [2.2].
 *   3. Content-Length is 1*DIGIT [6.3 step 5]; repeated fields must agree;
 *      Transfer-Encoding must be exactly "chunked" (case-insensitive), at
 *      most once, never with Content-Length and never in HTTP/1.0 [6.1, 6.3
 *      step 3-4]. Only POST may carry a body (framing with a length > 0 or
 *      chunked on any other method is refused: evhttp reads no body for HEAD
 *      and TRACE, so the body would be parsed as the next request).
 *   4. chunk = 1*HEXDIG CRLF data CRLF, last-chunk "0" CRLF, trailer lines,
 *      CRLF [7.1]; chunk extensions are refused (evhttp cannot parse them).
 *   5. A body larger than max_body stops the checks for that connection:
 *      evhttp answers 413 and closes it before reading the body.
 *
 * The scanner only reads; what to do on a refusal is front.c's business. */
#ifndef NGN_FRONT_INTERNAL_H
#define NGN_FRONT_INTERNAL_H
#include <stddef.h>
#include <stdint.h>

struct front_frame {
	uint64_t pos;        /* stream offset of the next byte to scan */
	uint64_t req_start;  /* stream offset of the current request's first byte */
	uint64_t max_body;
	uint64_t remaining;  /* body or chunk-data bytes still to skip */
	uint64_t length;     /* Content-Length, or the chunk size being read */
	uint64_t body_total; /* chunked: sum of the chunk sizes */
	unsigned state;
	unsigned idx;        /* position inside the token being matched */
	unsigned digits;     /* digits of the number being read */
	unsigned field;      /* which field the current line is (FIELD_*) */
	unsigned post : 1, http10 : 1, seen_cl : 1, seen_te : 1, value_done : 1, trailer : 1;
	char method[8];
	char name[17];       /* the current field-name's first bytes, lower case */
};

/* Starts the scan of a new connection. */
void front_frame_init(struct front_frame *fr, uint64_t max_body);

/* Scans the next len bytes of the connection's stream. Returns 0 while all
 * of it is valid framing (or the checks are over, see 5.), -1 at the first
 * byte that is not; fr->req_start is then the stream offset of the request
 * that byte belongs to, and further calls keep returning -1. */
int front_frame_scan(struct front_frame *fr, const unsigned char *p, size_t len);

#endif
