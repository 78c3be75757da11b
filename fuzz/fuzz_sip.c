/*
 * fuzz_sip.c — SIP message handling: whatever arrives on the wire is
 * checked (input.c), decoded by libre and then read by our own code (INFO
 * digits, the headers the call controller and registrar look at). Must
 * never crash.
 */
#include <string.h>
#include <re.h>
#include "core/core.h"
#include "core/cfg.h"
#include "sip/sip.h"
#include "sip/call_int.h"
#include "sip/input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mbuf *mb = mbuf_alloc(size + 1);
	struct sip_msg *msg = NULL;
	const char *why;
	char d, buf[256];

	if (!mb)
		return 0;
	mbuf_write_mem(mb, data, size);
	mb->pos = 0;
	/* the start line is read (and may be upper-cased) before libre */
	(void)sipinput_version(mbuf_buf(mb), size);
	if (!sip_msg_decode(&msg, mb)) {
		const struct sip_hdr *h;
		struct sip_addr addr;

		(void)sipinput_verdict(msg, mbuf_get_left(msg->mb), &why);
		(void)callctl__info_digit(msg, &d);
		pl_strcpy(&msg->uri.user, buf, sizeof(buf));
		pl_strcpy(&msg->from.uri.user, buf, sizeof(buf));
		h = sip_msg_hdr(msg, SIP_HDR_REFER_TO);
		if (h && !sip_addr_decode(&addr, &h->val))
			pl_strcpy(&addr.uri.user, buf, sizeof(buf));
		h = sip_msg_hdr(msg, SIP_HDR_CONTACT);
		if (h && !sip_addr_decode(&addr, &h->val))
			pl_strcpy(&addr.auri, buf, sizeof(buf));
	}
	mem_deref(msg);
	mem_deref(mb);
	return 0;
}
