#!/usr/bin/env python3
"""Registers many agents with digest MD5 (for the benchmarks): every
binding's Contact is the one SIPp UAS that answers all agents' calls.
register_agents.py SERVER_PORT CONTACT_PORT FIRST_EXT COUNT PASSWORD_PREFIX"""
import hashlib, re, socket, sys

port, contact, first, count, prefix = sys.argv[1:6]
port, contact, first, count = int(port), int(contact), int(first), int(count)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(3)
me = s.getsockname()[1]
md5 = lambda x: hashlib.md5(x.encode()).hexdigest()
ok = 0
for i in range(count):
    ext, pw = str(first + i), prefix + str(i)
    uri = "sip:127.0.0.1:%d" % port
    def req(cseq, auth=""):
        return ("REGISTER %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%d-%d\r\n"
                "From: <sip:%s@127.0.0.1>;tag=%d\r\nTo: <sip:%s@127.0.0.1>\r\n"
                "Call-ID: bench-%s\r\nCSeq: %d REGISTER\r\n"
                "Contact: <sip:%s@127.0.0.1:%d>\r\nExpires: 3600\r\n%s"
                "Content-Length: 0\r\n\r\n" % (uri, me, i, cseq, ext, i, ext, ext, cseq,
                                               ext, contact, auth)).encode()
    s.sendto(req(1), ("127.0.0.1", port))
    nonce = re.search(r'nonce="([^"]+)"', s.recv(4000).decode()).group(1)
    ha1 = md5("%s:hotline:%s" % (ext, pw))
    ha2 = md5("REGISTER:%s" % uri)
    resp = md5("%s:%s:00000001:abc:auth:%s" % (ha1, nonce, ha2))
    auth = ('Authorization: Digest username="%s", realm="hotline", nonce="%s", '
            'uri="%s", response="%s", algorithm=MD5, qop=auth, nc=00000001, '
            'cnonce="abc"\r\n' % (ext, nonce, uri, resp))
    s.sendto(req(2, auth), ("127.0.0.1", port))
    if s.recv(4000).startswith(b"SIP/2.0 200"):
        ok += 1
print("agents registered: %d of %d" % (ok, count))
