#!/usr/bin/env python3
"""A phone's audio for the mixer tests: on PORT it says a tone of FREQ Hz
(PCMU, 20 ms packets) to whoever sends it RTP (symmetric RTP: hotline's
port for the leg), for SECONDS, and writes what it hears to OUT as 16-bit
8 kHz mono PCM placed by arrival time (gaps filled with silence), so that
a window of OUT is a window of wall time; OUT.start holds the wall time of
OUT's first sample. Usage: rtp_tone.py PORT FREQ SECONDS OUT"""
import math, socket, struct, sys, time

from g711 import U, A, ulaw_enc
port, freq, secs, out = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for attempt in range(30):
    try:
        s.bind(("127.0.0.1", port))
        break
    except OSError:
        time.sleep(0.1)
s.settimeout(0.005)
t0 = time.time()
start = None
pcm = []
peer = None
seq, ts, ssrc, phase = 0, 0, 0x1234 + port, 0
next_send = None
while time.time() - t0 < secs:
    now = time.time()
    if peer and now >= next_send:
        pay = bytes(ulaw_enc(int(8000 * math.sin(2 * math.pi * freq * (phase + i) / 8000))) for i in range(160))
        phase += 160
        s.sendto(struct.pack("!BBHII", 0x80, 0, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc) + pay, peer)
        seq += 1
        ts += 160
        next_send += 0.02
    try:
        data, src = s.recvfrom(2048)
    except socket.timeout:
        continue
    if len(data) < 12:
        continue
    if peer is None:
        peer = src
        next_send = time.time()
    pt = data[1] & 0x7F
    if pt not in (0, 8):
        continue
    cc = data[0] & 0x0F
    body = data[12 + 4 * cc:]
    t = time.time()
    if start is None:
        start = t
    at = int((t - start) * 8000)
    if at > len(pcm) + 800:  # more than 100 ms late: a gap, not jitter
        pcm.extend([0] * (at - len(pcm)))
    pcm.extend((U if pt == 0 else A)[b] for b in body)
with open(out, "wb") as f:
    f.write(struct.pack("<%dh" % len(pcm), *pcm))
with open(out + ".start", "w") as f:
    f.write("%.3f\n" % (start or 0))
