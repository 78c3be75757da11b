"""G.711 for the test peers (rtp_sink.py, rtp_tone.py): U and A decode
PCMU and PCMA bytes to 16-bit samples; ulaw_enc encodes one sample."""

def ulaw(b):
    b = ~b & 0xFF
    t = ((b & 0x0F) << 3) + 0x84
    t <<= (b & 0x70) >> 4
    return (0x84 - t) if (b & 0x80) else (t - 0x84)

def alaw(b):
    b ^= 0x55
    t = (b & 0x0F) << 4
    seg = (b & 0x70) >> 4
    if seg == 0:
        t += 8
    elif seg == 1:
        t += 0x108
    else:
        t = (t + 0x108) << (seg - 1)
    return t if (b & 0x80) else -t

U = [ulaw(i) for i in range(256)]
A = [alaw(i) for i in range(256)]

def ulaw_enc(x):
    sign = 0x80 if x < 0 else 0
    x = min(abs(x), 32635) + 0x84
    exp = 7
    while exp > 0 and not (x & (0x4000 >> (7 - exp))):
        exp -= 1
    mant = (x >> (exp + 3)) & 0x0F
    return ~(sign | (exp << 4) | mant) & 0xFF
