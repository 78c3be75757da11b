#!/usr/bin/env python3
"""Who heard whom, for the mixer tests: DIR holds NAME.raw (and
NAME.raw.start) from rtp_tone.py for each NAME=FREQ given; for every
window LABEL:FROM:TO (wall times, each maybe with an offset: T+1.2, T-0.2) it prints "LABEL NAME heard,..." (or "-")
with the others' tones that NAME heard above the floor (Goertzel).
Usage: tones_heard.py DIR cust=500,agent=900,sup=1400 LABEL:FROM:TO..."""
import math, os, re, struct, sys

def load(d, n):
    raw = open("%s/%s.raw" % (d, n), "rb").read()
    start = float(open("%s/%s.raw.start" % (d, n)).read())
    return struct.unpack("<%dh" % (len(raw) // 2), raw), start

def level(x, f):
    w = 2 * math.pi * f / 8000
    c = 2 * math.cos(w)
    s1 = s2 = 0.0
    for v in x:
        s1, s2 = v + c * s1 - s2, s1
    return 2 * math.sqrt(max(s1 * s1 + s2 * s2 - c * s1 * s2, 0)) / max(len(x), 1)

def when(expr):
    return sum(float(t) for t in re.findall(r"[+-]?[0-9.]+", expr))

d = sys.argv[1]
tones = {k: float(v) for k, v in (t.split("=") for t in sys.argv[2].split(","))}
for name in tones:
    if not os.path.exists("%s/%s.raw" % (d, name)):
        continue  # a prompt's tone, no phone's: only listened for
    x, start = load(d, name)
    for w in sys.argv[3:]:
        label, a, b = w.split(":")
        seg = x[int((when(a) - start) * 8000):int((when(b) - start) * 8000)]
        heard = [o for o, f in tones.items() if o != name and level(seg, f) > 1500]
        print("%s %s %s" % (label, name, ",".join(heard) or "-"))
