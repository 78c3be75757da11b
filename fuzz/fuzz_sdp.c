/*
 * fuzz_sdp.c — SDP offers and answers as the call controller handles
 * them: any bytes offered to a stream (answered or refused) and taken as
 * an answer to our offer, under each SRTP policy in turn (the crypto
 * lines of SDES, RFC 4568). Never a crash.
 */
#include <string.h>
#include <re.h>
#include "core/cfg.h"
#include "media/media.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void no_event(struct media_stream *s, enum media_evt evt, char d, void *arg)
{
	(void)s;
	(void)evt;
	(void)d;
	(void)arg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct media *m;
	static struct cfg_node node;
	struct media_stream *s = NULL;
	struct mbuf *mb, *out = NULL;

	if (!m) {
		libre_init();
		strcpy(node.media_addr, "127.0.0.1");
		node.rtp_port_min = 40000;
		node.rtp_port_max = 49999;
		if (media_alloc(&m, &node))
			return 0;
	}
	mb = mbuf_alloc(size + 1);
	if (!mb)
		return 0;
	mbuf_write_mem(mb, data, size);
	if (!media_stream_alloc(&s, m, no_event, NULL)) {
		/* the policy follows the input's length: each in turn */
		media_stream_srtp_policy(s, (enum media_srtp_policy)(size % 3));
		mb->pos = 0;
		(void)media_stream_answer(s, mb, &out);
		out = mem_deref(out);
		mb->pos = 0;
		(void)media_stream_offer(s, &out);
		(void)media_stream_accept(s, mb);
		mem_deref(out);
		mem_deref(s);
	}
	mem_deref(mb);
	return 0;
}
