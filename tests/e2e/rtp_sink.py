#!/usr/bin/env python3
"""Plays the caller's ear: listens for RTP on PORT for SECONDS and writes
what it hears as 16-bit 8 kHz mono PCM (PCMU and PCMA decoded) to OUT,
in arrival order. Usage: rtp_sink.py PORT SECONDS OUT"""
import socket, struct, sys, time

from g711 import U, A
port, secs, out = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
# the port block's last owner may still be letting go of it
for attempt in range(30):
    try:
        s.bind(("127.0.0.1", port))
        break
    except OSError:
        if attempt == 29:
            raise
        time.sleep(0.1)
s.settimeout(0.2)
pcm = bytearray()
end = time.time() + secs
while time.time() < end:
    try:
        pkt, _ = s.recvfrom(2048)
    except socket.timeout:
        continue
    if len(pkt) < 12 or pkt[0] >> 6 != 2:
        continue
    pt = pkt[1] & 0x7F
    cc = pkt[0] & 0x0F
    body = pkt[12 + 4 * cc:]
    table = U if pt == 0 else A if pt == 8 else None
    if table:
        pcm += b"".join(struct.pack("<h", table[x]) for x in body)
open(out, "wb").write(pcm)
