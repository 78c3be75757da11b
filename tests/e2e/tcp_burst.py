#!/usr/bin/env python3
"""tcp_burst.py PORT N: N phones connect to 127.0.0.1:PORT over TCP at
once, then each sends a REGISTER on its connection. Prints how many were
connected within 1 s, how many got a final answer within 5 s more, and the
slowest connect: "connected=N answered=N slowest_ms=N"."""
import selectors
import socket
import sys
import time

port, n = int(sys.argv[1]), int(sys.argv[2])
dst = ("127.0.0.1", port)
sel = selectors.DefaultSelector()
socks = []
start = time.monotonic()
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    s.connect_ex(dst)
    socks.append(s)
    sel.register(s, selectors.EVENT_WRITE, i)

connected = {}
deadline = start + 1.0
while len(connected) < n and time.monotonic() < deadline:
    for key, _ in sel.select(timeout=max(0.0, deadline - time.monotonic())):
        s = key.fileobj
        if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
            connected[key.data] = time.monotonic() - start
        sel.unregister(s)
slowest = max(connected.values()) if connected else 0

answered = 0
bufs = {}
for i, s in enumerate(socks):
    if i not in connected:
        continue
    msg = ("REGISTER sip:127.0.0.1:%d SIP/2.0\r\n"
           "Via: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKburst%d;rport\r\n"
           "From: <sip:1001@127.0.0.1>;tag=b%d\r\n"
           "To: <sip:1001@127.0.0.1>\r\n"
           "Call-ID: burst-%d@x\r\n"
           "CSeq: 1 REGISTER\r\n"
           "Contact: <sip:1001@127.0.0.1:9;transport=tcp>\r\n"
           "Expires: 60\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
           % (port, i, i, i))
    try:
        s.sendall(msg.encode())
    except OSError:
        continue
    bufs[i] = b""
    sel.register(s, selectors.EVENT_READ, i)
deadline = time.monotonic() + 5.0
while bufs and time.monotonic() < deadline:
    for key, _ in sel.select(timeout=max(0.0, deadline - time.monotonic())):
        i = key.data
        try:
            chunk = key.fileobj.recv(4096)
        except OSError:
            chunk = b""
        if chunk:
            bufs[i] += chunk
        if not chunk or b"\r\n\r\n" in bufs[i]:
            if bufs[i].startswith(b"SIP/2.0 4") or bufs[i].startswith(b"SIP/2.0 2"):
                answered += 1
            sel.unregister(key.fileobj)
            del bufs[i]
for s in socks:
    s.close()
print("connected=%d answered=%d slowest_ms=%d" % (len(connected), answered, slowest * 1000))
