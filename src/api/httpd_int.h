/*
 * httpd_int.h — what httpd.c (the connections) and httpd_read.c (the
 * request reader) share.
 */
#ifndef HOTLINE_HTTPD_INT_H
#define HOTLINE_HTTPD_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHUNK_LINE_MAX 1024 /* a chunk-size line with its extensions */
/* Chunk lines and extensions count too: a body of one-byte chunks is six
 * times its size; no more than this is read. */
#define CHUNKED_RAW_MAX(max_body) (8 * (max_body) + CHUNK_LINE_MAX)

/* What a parse that wants more learnt of the request: the connection
 * parses again only when the bytes that came could finish it. */
struct httpd__parse_info {
	bool head_done;
	bool chunked;
	size_t need;	 /* head and Content-Length body: the bytes it takes */
	size_t max_body; /* once the head is read: the body it may have */
};

/* httpd_parse, telling what it learnt of a request not yet whole. */
enum httpd_parse httpd__parse(struct mbuf *mb, const struct httpd_limits *lim,
			      struct http_msg **msgp, uint16_t *scodep, bool *expect100,
			      struct httpd__parse_info *info);

#endif
