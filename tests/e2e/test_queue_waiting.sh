#!/usr/bin/env bash
# What a caller hears while waiting: the queue's music from a folder of
# WAV files played in turn (two test tones, 300 Hz and 500 Hz), and every
# 10 s the place in line and the estimated wait, spoken (TTS), the music
# going on after. The caller's ear is rtp_sink.py, which decodes the RTP
# hotline sends; the audio is checked for both tones and for speech, and
# the announcements are queue.announced events.
source "$(dirname "$0")/lib.sh"
mkdir -p "$T/data/media/moh/tones"
sox -n -r 8000 -c 1 -b 16 "$T/data/media/moh/tones/a.wav" synth 2 sine 300 vol 0.5
sox -n -r 8000 -c 1 -b 16 "$T/data/media/moh/tones/b.wav" synth 2 sine 500 vol 0.5
cat > "$T/tenant.yaml" <<'YAML'
name: Waiting
agents:
  - {ext: "3001", name: Nobody, password: pw-3001}
queues:
  - {name: wait, strategy: longest-idle, members: ["3001"], moh: tones,
     announce: 10s, max_wait: 16s}
numbers:
  - {number: "7001", flow: wait}
flows:
  - name: wait
    start: q
    nodes:
      - {id: q, type: queue, queue: wait}
YAML
TENANT=$T/tenant.yaml
RTP_TIMEOUT=60s
write_config
start_hotline

SINK_PORT=$((PEER_PORTS + 40))
python3 "$E2E_DIR/rtp_sink.py" "$SINK_PORT" 19 "$T/heard.raw" &
SINK=$!
# a caller whose SDP points at the sink
make_caller ear.xml "0 8 101" "$blk_answered
$blk_wait_bye"
sed -i "s/m=audio \[media_port\]/m=audio $SINK_PORT/" "$T/ear.xml"
sipp_run ear ear.xml "$CALLER_PORT" -s 7001 -key caller 0951 -mp "$MEDIA_PORT0"
check "the caller waits, then is hung up at max wait" test $? -eq 0
wait $SINK

ann=$(db "select group_concat(data, ' ') from (select e.data from events e join calls c on e.call = c.id where c.caller = '0951' and e.type = 'queue.announced' order by e.id)")
echo "# announcements: $ann" >&2
check "two announcements (3 s and 13 s in)" \
	test "$(db "select count(*) from events e join calls c on e.call = c.id where c.caller = '0951' and e.type = 'queue.announced'")" = 2
check "position 1, estimated wait 3 min (no handle time yet, one agent staffed)" \
	bash -c "[[ '$ann' == *'\"position\":1,\"ewt_ms\":180000'* ]]"
check "outcome exited_timeout" test "$(db "select outcome from calls where caller = '0951'")" = exited_timeout
sox -t raw -r 8000 -e signed -b 16 -c 1 "$T/heard.raw" "$T/heard.wav" 2>/dev/null
parts=$(python3 - "$T/heard.raw" <<'PY'
import math, struct, sys
raw = open(sys.argv[1], "rb").read()
x = struct.unpack("<%dh" % (len(raw) // 2), raw)
def power(w, f):
    k = 2 * math.cos(2 * math.pi * f / 8000)
    s1 = s2 = 0.0
    for v in w:
        s1, s2 = v + k * s1 - s2, s1
    return s1 * s1 + s2 * s2 - k * s1 * s2
n = 400  # 50 ms
t300 = t500 = speech = 0
for i in range(0, len(x) - n, n):
    w = x[i:i + n]
    e = sum(v * v for v in w)
    if e < n * 200 ** 2:
        continue
    share300 = power(w, 300) * 2 / n / e
    share500 = power(w, 500) * 2 / n / e
    if share300 > 0.8:
        t300 += 1
    elif share500 > 0.8:
        t500 += 1
    elif share300 < 0.3 and share500 < 0.3:
        speech += 1
print(len(x) / 8000.0, t300 * 0.05, t500 * 0.05, speech * 0.05)
PY
)
read -r heard s300 s500 sspeech <<<"$parts"
echo "# heard ${heard}s: 300 Hz ${s300}s, 500 Hz ${s500}s, speech ${sspeech}s" >&2
# up to max wait (16 s); a machine busy with other tests may lose a few
# seconds of packets on the way to the sink, never add any
check "the caller heard about 16 s" awk -v h="$heard" 'BEGIN { exit !(h > 10 && h < 18) }'
check "the first tone of the folder (>= 2 s)" awk -v s="$s300" 'BEGIN { exit !(s >= 2) }'
check "the second tone of the folder (>= 1 s)" awk -v s="$s500" 'BEGIN { exit !(s >= 1) }'
check "spoken announcements (>= 2 s of speech)" awk -v s="$sspeech" 'BEGIN { exit !(s >= 2) }'
finish
