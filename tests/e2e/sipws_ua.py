#!/usr/bin/env python3
"""A browser's phone as JsSIP and SIP.js behave on the wire (stdlib only):
SIP over WebSocket (RFC 7118) on /sip with the subprotocol "sip", a
Via of transport WSS and a Contact on an unroutable .invalid host, no
Content-Length on bodiless messages. It registers with digest auth, then
answers the INVITE it gets (180, 200 with an SDP) and either waits for
the BYE, hangs up after --talk seconds, or closes its WebSocket mid-call
(--drop). What it saw goes to --out as JSON, for the shell test to check.

  sipws_ua.py HTTP_PORT EXT PASSWORD --out FILE [--talk S | --drop S]
"""
import argparse, hashlib, json, os, random, re, socket, struct, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chat_visitor  # noqa: E402

HOST = "127.0.0.1"


class WSock(chat_visitor.WS):
    """chat_visitor's WebSocket, its messages SIP text rather than JSON."""

    def __init__(self, port, path="/sip", proto="sip", early=b""):
        super().__init__(port, path, [f"Sec-WebSocket-Protocol: {proto}"] if proto else [],
                         early)
        m = re.search(r"(?im)^sec-websocket-protocol:\s*(\S+)", self.head)
        self.protocol = m.group(1) if m else None

    def send(self, text, op=1):
        self.send_raw(text.encode() if isinstance(text, str) else text, op=op)

    def recv(self, secs):
        """The next text message, or None after secs (or once closed)."""
        end = time.time() + secs
        self.s.settimeout(0.05)
        while time.time() < end and not self.closed:
            if len(self.buf) >= 2:
                b1, b2 = self.buf[0], self.buf[1]
                n, off, whole = b2 & 0x7F, 2, True
                if n == 126:
                    whole = len(self.buf) >= 4
                    if whole:
                        n, off = struct.unpack(">H", self.buf[2:4])[0], 4
                if whole and len(self.buf) >= off + n:
                    payload, self.buf = self.buf[off:off + n], self.buf[off + n:]
                    op = b1 & 0x0F
                    if op in (1, 2):
                        return payload.decode(errors="replace")
                    if op == 9:
                        self.send(payload, op=10)
                    if op == 8:
                        self.closed = True
                        return None
                    continue
            try:
                chunk = self.s.recv(65536)
                if not chunk:
                    self.closed = True
                    return None
                self.buf += chunk
            except socket.timeout:
                pass
        return None

    def close(self):
        super().close()


def masked(text):
    """A client's text frame (RFC 6455 §5.3) of text."""
    payload, mask = text.encode(), os.urandom(4)
    n = len(payload)
    hdr = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else
                           bytes([0x80 | 126]) + struct.pack(">H", n))
    return hdr + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def parse(msg):
    head, _, body = msg.partition("\r\n\r\n")
    lines = head.split("\r\n")
    hdrs = []
    for l in lines[1:]:
        k, _, v = l.partition(":")
        hdrs.append((k.strip().lower(), v.strip()))
    return lines[0], hdrs, body


def hget(hdrs, name, compact=None):
    for k, v in hdrs:
        if k == name or (compact and k == compact):
            return v
    return None


def hall(hdrs, name):
    return [v for k, v in hdrs if k == name]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("ext")
    ap.add_argument("password")
    ap.add_argument("--out", required=True)
    ap.add_argument("--talk", type=float, default=0)
    ap.add_argument("--drop", type=float, default=0)
    ap.add_argument("--wait", type=float, default=30)
    ap.add_argument("--media-port", type=int, default=40000)
    ap.add_argument("--sdp-dir", help="hand the offer to a browser (offer.sdp), "
                    "answer with its answer.sdp")
    ap.add_argument("--eager", action="store_true",
                    help="the first REGISTER in the upgrade request's write")
    a = ap.parse_args()
    seen = {"ws_status": 0}

    def save():
        with open(a.out, "w") as f:
            json.dump(seen, f)

    host = "%08x.invalid" % random.getrandbits(32)
    contact = f"<sip:{a.ext}@{host};transport=ws>"
    tag = "%08x" % random.getrandbits(32)
    callid = "%016x" % random.getrandbits(64)
    domain = HOST
    ws = None

    def register(cseq, auth=""):
        br = "z9hG4bK%08x" % random.getrandbits(32)
        # no Content-Length: RFC 7118 frames by the WebSocket message
        msg = (f"REGISTER sip:{domain} SIP/2.0\r\n"
               f"Via: SIP/2.0/WSS {host};branch={br}\r\n"
               f"Max-Forwards: 69\r\n"
               f"To: <sip:{a.ext}@{domain}>\r\n"
               f"From: <sip:{a.ext}@{domain}>;tag={tag}\r\n"
               f"Call-ID: {callid}\r\nCSeq: {cseq} REGISTER\r\n"
               f"Contact: {contact};+sip.ice;reg-id=1;expires=600\r\n"
               f"{auth}Supported: path, outbound\r\n"
               f"User-Agent: sipws_ua\r\n\r\n")
        if ws:
            ws.send(msg)
        return msg

    # eager: the first REGISTER in the upgrade request's write, before the
    # 101 (the server's relay has it before its own connection to SIP is up)
    ws = WSock(a.port, early=masked(register(1))) if a.eager else WSock(a.port)
    seen["ws_status"] = ws.status
    seen["ws_protocol"] = ws.protocol == "sip"
    if ws.status != 101:
        save()
        return 1
    if not a.eager:
        register(1)
    r = ws.recv(5)
    if not r or not r.startswith("SIP/2.0 401"):
        seen["register"] = r.split("\r\n")[0] if r else None
        save()
        return 1
    _, h, _ = parse(r)
    ch = hget(h, "www-authenticate")
    realm = re.search(r'realm="([^"]*)"', ch).group(1)
    nonce = re.search(r'nonce="([^"]*)"', ch).group(1)
    uri = f"sip:{domain}"
    ha1 = hashlib.md5(f"{a.ext}:{realm}:{a.password}".encode()).hexdigest()
    ha2 = hashlib.md5(f"REGISTER:{uri}".encode()).hexdigest()
    qop = re.search(r'qop="([^"]*)"', ch)
    if qop:
        cnonce = "%08x" % random.getrandbits(32)
        resp = hashlib.md5(f"{ha1}:{nonce}:00000001:{cnonce}:auth:{ha2}".encode()).hexdigest()
        auth = (f'Authorization: Digest username="{a.ext}", realm="{realm}", nonce="{nonce}", '
                f'uri="{uri}", response="{resp}", algorithm=MD5, qop=auth, nc=00000001, '
                f'cnonce="{cnonce}"\r\n')
    else:
        resp = hashlib.md5(f"{ha1}:{nonce}:{ha2}".encode()).hexdigest()
        auth = (f'Authorization: Digest username="{a.ext}", realm="{realm}", nonce="{nonce}", '
                f'uri="{uri}", response="{resp}", algorithm=MD5\r\n')
    register(2, auth)
    r = ws.recv(5)
    seen["register"] = r.split("\r\n")[0] if r else None
    if r:
        _, h, _ = parse(r)
        seen["register_via"] = hget(h, "via", "v")
        seen["register_contact"] = hget(h, "contact", "m")
    save()
    if not r or not r.startswith("SIP/2.0 200"):
        return 1
    print("registered", flush=True)

    # the call: INVITE to us, answered
    end = time.time() + a.wait
    inv = None
    while time.time() < end:
        m = ws.recv(0.5)
        if m and m.startswith("INVITE "):
            inv = m
            break
        if ws.closed:
            break
    if not inv:
        seen["invite"] = None
        save()
        return 1
    line, h, body = parse(inv)
    seen["invite_uri"] = line.split(" ")[1]
    seen["invite_sdp"] = body
    vias = [v for k, v in h if k in ("via", "v")]
    copy = "".join(f"Via: {v}\r\n" for v in vias)
    frm, to, cid, cseq = hget(h, "from", "f"), hget(h, "to", "t"), hget(h, "call-id", "i"), hget(h, "cseq")
    totag = "%08x" % random.getrandbits(32)
    to_t = f"{to};tag={totag}"
    common = f"{copy}From: {frm}\r\nTo: {to_t}\r\nCall-ID: {cid}\r\nCSeq: {cseq}\r\n"
    ws.send(f"SIP/2.0 180 Ringing\r\n{common}Contact: {contact}\r\n\r\n")
    sdp = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
           f"m=audio {a.media_port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")
    if a.sdp_dir:
        # a browser does the media: our offer to it, its answer back
        with open(os.path.join(a.sdp_dir, "offer.sdp.tmp"), "w") as f:
            f.write(body)
        os.rename(os.path.join(a.sdp_dir, "offer.sdp.tmp"), os.path.join(a.sdp_dir, "offer.sdp"))
        ans = os.path.join(a.sdp_dir, "answer.sdp")
        t_end = time.time() + 15
        while not os.path.exists(ans) and time.time() < t_end:
            time.sleep(0.05)
        sdp = open(ans).read().replace("\r\n", "\n").replace("\n", "\r\n")
    ws.send(f"SIP/2.0 200 OK\r\n{common}Contact: {contact}\r\n"
            f"Content-Type: application/sdp\r\nContent-Length: {len(sdp)}\r\n\r\n{sdp}")
    ack = None
    t_end = time.time() + 5
    while time.time() < t_end:
        m = ws.recv(0.5)
        if m and m.startswith("ACK "):
            ack = m
            break
    seen["ack_uri"] = ack.split(" ")[1] if ack else None
    save()
    if a.drop:
        time.sleep(a.drop)
        seen["dropped"] = True
        save()
        ws.s.close()  # as a closed tab: no close frame, no BYE
        return 0
    if a.talk:
        time.sleep(a.talk)
        # our BYE to the dialog's remote target (the Contact of the 200)
        _, ah, _ = parse(ack) if ack else ("", [], "")
        target = re.search(r"<([^>]*)>", hget(h, "contact", "m") or "<sip:x>").group(1)
        br = "z9hG4bK%08x" % random.getrandbits(32)
        ws.send(f"BYE {target} SIP/2.0\r\nVia: SIP/2.0/WSS {host};branch={br}\r\n"
                f"Max-Forwards: 70\r\nFrom: {to_t}\r\nTo: {frm}\r\nCall-ID: {cid}\r\n"
                f"CSeq: 1 BYE\r\n\r\n")
        r = ws.recv(5)
        while r and not r.startswith("SIP/2.0"):
            r = ws.recv(5)
        seen["bye"] = r.split("\r\n")[0] if r else None
        if r:
            _, bh, _ = parse(r)
            seen["bye_via"] = hget(bh, "via", "v")
        save()
        ws.close()
        return 0
    # wait for the caller's BYE and answer it
    t_end = time.time() + a.wait
    while time.time() < t_end:
        m = ws.recv(0.5)
        if m and m.startswith("BYE "):
            seen["got_bye"] = m.split(" ")[1]
            line, bh, _ = parse(m)
            bv = "".join(f"Via: {v}\r\n" for v in [v for k, v in bh if k in ("via", "v")])
            ws.send(f"SIP/2.0 200 OK\r\n{bv}From: {hget(bh, 'from', 'f')}\r\n"
                    f"To: {hget(bh, 'to', 't')}\r\nCall-ID: {hget(bh, 'call-id', 'i')}\r\n"
                    f"CSeq: {hget(bh, 'cseq')}\r\nContent-Length: 0\r\n\r\n")
            break
        if ws.closed:
            break
    save()
    ws.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
