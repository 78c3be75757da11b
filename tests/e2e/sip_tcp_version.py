#!/usr/bin/env python3
"""sip_tcp_version.py PORT FIRST: over one TCP connection, sends an
OPTIONS of SIP/2.0 first when FIRST is "after" (and reads its answer),
then one of SIP/3.0; prints "first=<status line or -> answer=<status line
or -> end=closed|open|reset after=<seconds>" for the SIP/3.0 one."""
import socket
import sys
import time

port, first = int(sys.argv[1]), sys.argv[2]


def options(ver, n):
    return (f"OPTIONS sip:5000@127.0.0.1:{port} {ver}\r\n"
            f"Via: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKver{n};rport\r\n"
            f"From: <sip:probe@127.0.0.1>;tag={n}\r\nTo: <sip:5000@127.0.0.1>\r\n"
            f"Call-ID: ver{n}@x\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
            "Content-Length: 0\r\n\r\n").encode()


s = socket.create_connection(("127.0.0.1", port), timeout=3)
got = "-"
if first == "after":
    s.sendall(options("SIP/2.0", 1))
    got = s.recv(4096).split(b"\r\n")[0].decode(errors="replace") or "-"
t0 = time.time()
s.sendall(options("SIP/3.0", 2))
buf, how = b"", "open"
s.settimeout(0.2)
while time.time() - t0 < 3:
    try:
        c = s.recv(4096)
    except socket.timeout:
        continue
    except ConnectionResetError:
        how = "reset"
        break
    if not c:
        how = "closed"
        break
    buf += c
ans = buf.split(b"\r\n")[0].decode(errors="replace") or "-"
print(f"first={got} answer={ans} end={how} after={time.time() - t0:.1f}")
