#!/usr/bin/env python3
"""sip_burst.py PORT PID N: stops hotline (SIGSTOP, as a loop busy for a
moment), sends it N out-of-dialog OPTIONS from one socket, lets it run
again (SIGCONT) and prints how many were answered within 5 s:
"answered=K of N". Each datagram is a different request (own Call-ID and
branch), so none is a retransmission of another."""
import os
import signal
import socket
import sys
import time

port, pid, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
s.bind(("127.0.0.1", 0))
lport = s.getsockname()[1]
os.kill(pid, signal.SIGSTOP)
try:
    time.sleep(0.1)
    for i in range(n):
        msg = (
            f"OPTIONS sip:127.0.0.1:{port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{lport};branch=z9hG4bKburst{i}\r\n"
            f"From: <sip:burst@127.0.0.1:{lport}>;tag=b{i}\r\n"
            f"To: <sip:hotline@127.0.0.1:{port}>\r\n"
            f"Call-ID: burst-{i}@127.0.0.1\r\n"
            "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
        )
        s.sendto(msg.encode(), ("127.0.0.1", port))
finally:
    os.kill(pid, signal.SIGCONT)
seen = set()
end = time.time() + 5
s.settimeout(0.2)
while len(seen) < n and time.time() < end:
    try:
        data = s.recv(65535)
    except socket.timeout:
        continue
    for line in data.split(b"\r\n"):
        if line.lower().startswith(b"call-id:"):
            seen.add(line.split(b":", 1)[1].strip())
print(f"answered={len(seen)} of {n}")
