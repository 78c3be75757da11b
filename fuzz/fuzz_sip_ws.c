/*
 * fuzz_sip_ws.c — the SIP over WebSocket relay's rewriting (ws_transport.c)
 * on any bytes: a frame from a browser rewritten for our listener and
 * back, and a TCP stream cut into messages: never a crash, never a read
 * past the buffer, a message cut is always inside the stream.
 */
#include <stdbool.h>
#include <string.h>
#include <re.h>
#include "sip/sip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	struct sipws_map map;
	struct mbuf *in = NULL, *out = NULL;
	size_t off = 0, skip, len;

	if (!init) {
		libre_init();
		init = true;
	}
	memset(&map, 0, sizeof(map));
	if (!sipws_inbound(&in, data, size, "127.0.0.1:40001", &map)) {
		if (!sipws_outbound(&out, mbuf_buf(in), mbuf_get_left(in), &map))
			mem_deref(out);
		mem_deref(in);
	}
	if (!sipws_outbound(&out, data, size, &map))
		mem_deref(out);
	while (off < size && !sipws_frame(data + off, size - off, &skip, &len)) {
		if (skip + len > size - off || !len)
			__builtin_trap();
		off += skip + len;
	}
	return 0;
}
