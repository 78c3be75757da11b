#!/usr/bin/env python3
"""The pacing of the RTP hotline sends, as the network sees it: reads a
tcpdump capture (Ethernet framing, as on lo) and, per RTP flow (source
port, destination port), the gap between one packet and the next;
prints p50/p99/max of |gap - 20 ms| over all flows.
rtp_jitter.py FILE.pcap [SKIP_SECONDS=1]"""
import struct, sys

path = sys.argv[1]
skip = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
data = open(path, "rb").read()
magic = struct.unpack("<I", data[:4])[0]
endian, scale = {0xA1B2C3D4: ("<", 1e-6), 0xA1B23C4D: ("<", 1e-9),
                 0xD4C3B2A1: (">", 1e-6), 0x4D3CB2A1: (">", 1e-9)}[magic]
linktype = struct.unpack(endian + "I", data[20:24])[0]
l2 = {1: 14, 113: 16, 276: 20}[linktype]  # Ethernet, Linux SLL, SLL2
off, last, jit, first = 24, {}, [], None
while off + 16 <= len(data):
    sec, frac, caplen, _ = struct.unpack(endian + "IIII", data[off:off + 16])
    pkt = data[off + 16:off + 16 + caplen]
    off += 16 + caplen
    t = sec + frac * scale
    if first is None:
        first = t
    ip = pkt[l2:]
    if len(ip) < 28 or ip[9] != 17:
        continue
    udp = ip[(ip[0] & 15) * 4:]
    flow = struct.unpack(">HH", udp[:4])
    if flow in last and t - first > skip:
        jit.append(abs((t - last[flow]) - 0.020))
    last[flow] = t
jit.sort()
if not jit:
    print("rtp pacing: no packets captured")
    sys.exit(1)
pct = lambda p: jit[min(len(jit) - 1, int(len(jit) * p))] * 1e6
print("rtp flows captured: %d" % len(last))
print("rtp send pacing |gap - 20 ms|, p50: %.0f us" % pct(0.50))
print("rtp send pacing |gap - 20 ms|, p99: %.0f us" % pct(0.99))
print("rtp send pacing |gap - 20 ms|, max: %.0f us (%d gaps)" % (jit[-1] * 1e6, len(jit)))
