/*
 * fuzz_http.c — what the API reads from a request before any route runs:
 * any bytes read as requests by httpd's reader (head, Content-Length or
 * chunked body, the limits), one after another as on a kept-alive
 * connection, then the session cookie and query parameters picked out of
 * each as api.c and users.c do. Never a crash, never a value longer than
 * its buffer, never a body over the limit; a request read has at most
 * one Content-Length value, and a Transfer-Encoding only alone and
 * chunked.
 */
#include <stdbool.h>
#include <string.h>
/* not <re.h>: its re_json.h clashes with jansson's enums (api_int.h) */
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_msg.h>
#include <re_http.h>
#include <re_main.h>
#include "api/api_int.h"
#include "api/httpd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct httpd_limits lim = {.max_head = 2048, .max_body = 4096};

static void check(const struct http_msg *msg)
{
	char val[160];

	if (api__cookie_get(msg, "hl_session", val, sizeof(val)) &&
	    strlen(val) >= sizeof(val))
		__builtin_trap();
	if (api__query_get(msg, "access_token", val, sizeof(val)) &&
	    strlen(val) >= sizeof(val))
		__builtin_trap();
	(void)api__query_get(msg, "types", val, 8);
	if (mbuf_get_left(msg->mb) > lim.max_body || msg->clen != mbuf_get_left(msg->mb))
		__builtin_trap();
	if (http_msg_hdr_count(msg, HTTP_HDR_TRANSFER_ENCODING) > 1 ||
	    (http_msg_hdr(msg, HTTP_HDR_TRANSFER_ENCODING) &&
	     http_msg_hdr(msg, HTTP_HDR_CONTENT_LENGTH)))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	struct mbuf *mb;

	if (!init) {
		libre_init();
		init = true;
	}
	mb = mbuf_alloc(size + 1);
	if (!mb)
		return 0;
	mbuf_write_mem(mb, data, size);
	mb->pos = 0;
	for (;;) {
		struct http_msg *msg = NULL;
		uint16_t scode;
		bool expect100;
		size_t pos = mb->pos;
		enum httpd_parse r = httpd_parse(mb, &lim, &msg, &scode, &expect100);

		if (r == HTTPD_REQUEST) {
			if (mb->pos <= pos)
				__builtin_trap(); /* a request read is consumed */
			check(msg);
			mem_deref(msg);
			continue;
		}
		if (r == HTTPD_MORE && (msg || mb->pos != pos))
			__builtin_trap();
		if (r == HTTPD_REFUSED && scode != 400 && scode != 413 && scode != 431 &&
		    scode != 505)
			__builtin_trap();
		mem_deref(msg);
		break;
	}
	mem_deref(mb);
	return 0;
}
