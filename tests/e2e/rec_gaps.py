#!/usr/bin/env python3
"""Checks a paused recording (test_recording_pause.sh): WAV, GAPS as
"start-end,..." in ms (an empty end: to the file's end). Prints one line
per check, "ok NAME" or "bad NAME: why"; inside each gap (20 ms in from
its edges, the tick's grain) both channels are digital silence, and the
half second before and after each gap (where the call was bridged) has
the caller's tone on the left and the agent's on the right.
Usage: rec_gaps.py WAV GAPS"""
import struct, sys, wave

w = wave.open(sys.argv[1])
assert w.getnchannels() == 2 and w.getframerate() == 8000
raw = w.readframes(w.getnframes())
s = struct.unpack("<%dh" % (len(raw) // 2), raw)
left, right = s[0::2], s[1::2]
n = len(left)

def ms(x):
    return int(x) * 8

def loud(ch, a, b):
    seg = ch[max(a, 0):min(b, n)]
    return seg and sum(v * v for v in seg) / len(seg) > 100 * 100

gaps = []
for g in sys.argv[2].split(","):
    a, b = g.split("-")
    gaps.append((ms(a), ms(b) if b else n))
for i, (a, b) in enumerate(gaps):
    inside = left[a + 160:b - 160] + right[a + 160:b - 160]
    bad = sum(1 for v in inside if v)
    print("ok gap%d_silent" % i if inside and not bad
          else "bad gap%d_silent: %d of %d samples not 0" % (i, bad, len(inside)))
    before = loud(left, a - 4000, a - 160) and loud(right, a - 4000, a - 160)
    print("ok gap%d_before" % i if before else "bad gap%d_before: no audio" % i)
    if b < n - 4000:
        after = loud(left, b + 160, b + 4000) and loud(right, b + 160, b + 4000)
        print("ok gap%d_after" % i if after else "bad gap%d_after: no audio" % i)
