#!/usr/bin/env python3
"""sip_send.py PROTO PORT [WAIT]: sends stdin (a raw SIP message, bytes as
they are) to 127.0.0.1:PORT over udp or tcp and prints the status line of
each response that comes within WAIT seconds (default 2), "none" when none
came. With SDP=FILE in the environment the body of the last response is
written there."""
import os
import socket
import sys
import time

proto, port = sys.argv[1], int(sys.argv[2])
wait = float(sys.argv[3]) if len(sys.argv) > 3 else 2.0
data = sys.stdin.buffer.read()
dst = ("127.0.0.1", port)


def split(buf):
    """Complete messages at the head of buf (by Content-Length)."""
    out = []
    while b"\r\n\r\n" in buf:
        head, rest = buf.split(b"\r\n\r\n", 1)
        clen = 0
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            if k.strip().lower() in (b"content-length", b"l"):
                clen = int(v.strip() or 0)
        if len(rest) < clen:
            break
        out.append((head, rest[:clen]))
        buf = rest[clen:]
    return out, buf


msgs = []
end = time.time() + wait
if proto == "udp":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.sendto(data, dst)
    while time.time() < end:
        s.settimeout(max(0.01, end - time.time()))
        try:
            pkt = s.recv(65535)
        except socket.timeout:
            break
        got, _ = split(pkt)
        msgs += got
        if got and not got[-1][0].split(b" ", 2)[1].startswith(b"1"):
            break
else:
    s = socket.create_connection(dst, timeout=wait)
    s.sendall(data)
    buf = b""
    while time.time() < end:
        s.settimeout(max(0.01, end - time.time()))
        try:
            chunk = s.recv(65535)
        except socket.timeout:
            break
        if not chunk:
            break
        buf += chunk
        got, buf = split(buf)
        msgs += got
        if got and not got[-1][0].split(b" ", 2)[1].startswith(b"1"):
            break
for head, _ in msgs:
    print(head.split(b"\r\n")[0].decode(errors="replace"))
if not msgs:
    print("none")
if msgs and os.environ.get("SDP"):
    with open(os.environ["SDP"], "wb") as f:
        f.write(msgs[-1][1])
