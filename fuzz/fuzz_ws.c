/*
 * fuzz_ws.c — the WebSocket frame reader (ws.c) on any bytes, read one
 * frame after another as a connection would: never a crash, never a
 * payload past the buffer or over the limit, and a frame read is always
 * masked, with no reserved bits, and a control frame whole and short.
 * Text payloads go through the UTF-8 check.
 */
#include <stdbool.h>
#include <string.h>
#include <re_types.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_main.h>
#include "api/ws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
		struct ws_hdr hdr;
		size_t pos = mb->pos;
		int err = ws_frame_decode(&hdr, mb, 4096);

		if (err) {
			if (mb->pos != pos)
				__builtin_trap(); /* a refusal consumes nothing */
			break;
		}
		if (!hdr.mask || hdr.len > 4096 || hdr.len > mbuf_get_left(mb) ||
		    (hdr.opcode >= WS_CLOSE && (!hdr.fin || hdr.len > 125)))
			__builtin_trap();
		if (hdr.opcode == WS_TEXT)
			(void)ws_utf8_valid(mbuf_buf(mb), (size_t)hdr.len);
		mb->pos += (size_t)hdr.len;
	}
	mem_deref(mb);
	return 0;
}
