/*
 * fuzz_rtp.c — any datagram as the RTP a phone sends to a stream that
 * agreed Opus (and G.711 beside it): header, payload type, sequence
 * (loss and its concealment), the payload through the decoder, then a
 * tick that encodes what it sends. Never a crash, never a read or write
 * past a buffer.
 */
#include <string.h>
#include <re.h>
#include "core/cfg.h"
#include "media/media.h"
#include "media/media_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void no_event(struct media_stream *s, enum media_evt evt, char d, void *arg)
{
	(void)s;
	(void)evt;
	(void)d;
	(void)arg;
}

static const char offer[] = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
			    "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
			    "m=audio 9 RTP/AVP 109 0 8 101\r\n"
			    "a=rtpmap:109 opus/48000/2\r\n"
			    "a=fmtp:109 useinbandfec=1\r\n"
			    "a=rtpmap:101 telephone-event/8000\r\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct media *m;
	static struct media_stream *s;
	static struct cfg_node node;
	static uint64_t t;
	static uint8_t buf[1500];
	struct sa src;

	if (!m) {
		struct mbuf *mb, *ans = NULL;

		libre_init();
		node.media_threads = 1;
		strcpy(node.media_addr, "127.0.0.1");
		node.rtp_port_min = 40000;
		node.rtp_port_max = 49999;
		if (media_alloc(&m, &node) || media_stream_alloc(&s, m, no_event, NULL))
			return 0;
		mb = mbuf_alloc(sizeof(offer));
		mbuf_write_str(mb, offer);
		mb->pos = 0;
		(void)media_stream_answer(s, mb, &ans);
		mem_deref(ans);
		mem_deref(mb);
		t = m->next_us;
	}
	if (size > sizeof(buf))
		size = sizeof(buf);
	/* media__stream_rx reads the datagram in place, as the shard's
	 * receive buffer: a copy the size of the input */
	memcpy(buf, data, size);
	sa_set_str(&src, "127.0.0.1", 9);
	media__stream_rx(s, &src, buf, size);
	media__tick(m, t);
	t += 20000;
	return 0;
}
