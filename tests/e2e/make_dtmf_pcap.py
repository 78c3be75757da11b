#!/usr/bin/env python3
"""Writes a pcap of RTP PCMU packets carrying in-band DTMF tones (for
SIPp's play_pcap_audio): make_dtmf_pcap.py DIGITS OUT.pcap"""
import math, struct, sys

ROWS = {'1': 697, '2': 697, '3': 697, '4': 770, '5': 770, '6': 770,
        '7': 852, '8': 852, '9': 852, '*': 941, '0': 941, '#': 941}
COLS = {'1': 1209, '2': 1336, '3': 1477, '4': 1209, '5': 1336, '6': 1477,
        '7': 1209, '8': 1336, '9': 1477, '*': 1209, '0': 1336, '#': 1477}

def ulaw(x):
    """G.711 mu-law of a 16-bit sample."""
    x = int(x)
    sign = 0x80 if x < 0 else 0
    x = min(abs(x), 32635) + 0x84
    exp = min(7, max(0, (x >> 7).bit_length() - 1))
    mant = (x >> (exp + 3)) & 0x0f
    return (~(sign | (exp << 4) | mant)) & 0xff

assert len(sys.argv) == 3, __doc__
assert all(d in ROWS for d in sys.argv[1]), 'digits must be 0-9, * or #'
samples = []
for d in sys.argv[1]:
    for i in range(8000 * 120 // 1000):      # 120 ms tone
        t = i / 8000.0
        samples.append(8000 * (math.sin(2 * math.pi * ROWS[d] * t) +
                               math.sin(2 * math.pi * COLS[d] * t)))
    samples += [0] * (8000 * 120 // 1000)    # 120 ms gap
samples += [0] * 800

out = open(sys.argv[2], 'wb')
out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
seq, ts = 1, 0
for k in range(0, len(samples) - 159, 160):
    payload = bytes(ulaw(s) for s in samples[k:k + 160])
    rtp = struct.pack('!BBHII', 0x80, 0, seq, ts, 0x1234) + payload
    udp = struct.pack('!HHHH', 6000, 6002, 8 + len(rtp), 0) + rtp
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                     bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1])) + udp
    eth = b'\x00' * 12 + b'\x08\x00' + ip
    usec = seq * 20000
    out.write(struct.pack('<IIII', usec // 1000000, usec % 1000000, len(eth), len(eth)))
    out.write(eth)
    seq += 1
    ts += 160
