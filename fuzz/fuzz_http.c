/*
 * fuzz_http.c — what the API reads from a request before any route runs:
 * any bytes decoded as an HTTP request by libre, then the session cookie
 * and query parameters picked out of it as api.c and users.c do, and the
 * framing check that refuses a request of doubtful length. Never a
 * crash, never a value longer than its buffer; a request that passes the
 * check has at most one Content-Length value and no Transfer-Encoding.
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	struct http_msg *msg = NULL;
	struct mbuf *mb;
	char val[160];

	if (!init) {
		libre_init();
		init = true;
	}
	mb = mbuf_alloc(size + 1);
	if (!mb)
		return 0;
	mbuf_write_mem(mb, data, size);
	mb->pos = 0;
	if (!http_msg_decode(&msg, mb, true)) {
		if (api__cookie_get(msg, "hl_session", val, sizeof(val)) &&
		    strlen(val) >= sizeof(val))
			__builtin_trap();
		if (api__query_get(msg, "access_token", val, sizeof(val)) &&
		    strlen(val) >= sizeof(val))
			__builtin_trap();
		(void)api__query_get(msg, "types", val, 8);
		if (!api__http_framing(msg) &&
		    http_msg_hdr(msg, HTTP_HDR_TRANSFER_ENCODING))
			__builtin_trap();
		mem_deref(msg);
	}
	mem_deref(mb);
	return 0;
}
