#!/usr/bin/env bash
# The recording-consent announcement (recording_notice): queue short plays
# a prompt file of the tenant's (notice.wav, a 1 kHz tone of 1.5 s) to
# each caller before the call enters it, so the agent is rung (and the
# recording starts) only after it; number 5010 says the built-in words in
# Mandarin before its flow, and its caller, who then waits in short, does
# not hear the queue's notice again. The customer's phone is rtp_tone.py
# keeping what it hears; Goertzel filters tell the notice (1000 Hz) and
# the agent (900 Hz) apart.
RTP_TIMEOUT=60s
source "$(dirname "$0")/lib.sh"
source "$E2E_DIR/tones.sh"
sed -e 's/{name: short, strategy: longest-idle, ring_timeout: 4s, max_wait: 2s,/{name: short, strategy: longest-idle, ring_timeout: 4s, max_wait: 8s, recording_notice: notice.wav,/' \
	-e 's/  - {number: "5002", flow: short-wait}/&\n  - {number: "5010", flow: short-wait, language: zh, recording_notice: default}/' \
	"$E2E_DIR/tenant.yaml" >"$T/tenant.yaml"
mkdir -p "$T/data/media/prompts"
python3 - "$T/data/media/prompts/notice.wav" <<'PY'
import math, struct, sys, wave
w = wave.open(sys.argv[1], "wb")
w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 1000 * i / 8000))) for i in range(12000)))
PY
TENANT=$T/tenant.yaml write_config
start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
adm() { curl -s -o "$T/body.json" -w '%{http_code}' -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' "$@"; }
# ms of an event of the call ($1) of type $2
ev_ts() { wait_for "SELECT ts FROM events WHERE call='$1' AND type='$2' ORDER BY id LIMIT 1" 5; }
secs() { python3 -c "print($1 / 1000)"; }

CUST_PORT=$((PEER_PORTS + 40))
AGENT_TONE=$((PEER_PORTS + 42))
tone_peer cust "$CUST_PORT" 500 9
tone_peer agent "$AGENT_TONE" 900 9
tone_agent 1002 bob-1002 "$AGENT_PORT1" "$MEDIA_PORT0" "$AGENT_TONE" || finish
tone_customer 5002 "$CUST_PORT"
call=$(wait_for "SELECT id FROM calls WHERE caller='0961' AND agent='1002' AND answered>0" 15)
check "the call to the queue is answered by 1002" test -n "$call"
sleep 2.5
adm -X POST "$URL/api/v1/calls/$call/hangup" >/dev/null
tones_wait
wait_peers
created=$(ev_ts "$call" call.created)
entered=$(ev_ts "$call" queue.entered)
answered=$(ev_ts "$call" call.answered)
echo "# created $created entered $entered answered $answered" >&2
check "the caller enters the queue after the notice (1.5 s)" test $((entered - created)) -ge 1400
check "the agent answers (the recording starts) after it" test $((answered - created)) -ge 1500
tones_heard cust=500,agent=900,notice=1000 \
	"notice:$(secs "$created")+0.4:$(secs "$created")+1.3" \
	"talk:$(secs "$answered")+0.6:$(secs "$answered")+2.2"
check "the caller hears the notice's tone, no agent yet" heard "notice cust notice"
check "then the agent, the notice no more" heard "talk cust agent"

# number 5010: the built-in notice in Mandarin, then the queue (no second notice)
tone_peer cust2 "$CUST_PORT" 500 10
tone_peer agent "$AGENT_TONE" 900 10
tone_agent 1002 bob-1002 "$AGENT_PORT1" "$MEDIA_PORT0" "$AGENT_TONE" || finish
tone_customer 5010 "$CUST_PORT"
call2=$(wait_for "SELECT id FROM calls WHERE called='5010' AND agent='1002' AND answered>0" 20)
check "the call to 5010 is answered by 1002" test -n "$call2"
sleep 1.5
adm -X POST "$URL/api/v1/calls/$call2/hangup" >/dev/null
tones_wait
wait_peers
created=$(ev_ts "$call2" call.created)
entered=$(ev_ts "$call2" queue.entered)
answered=$(ev_ts "$call2" call.answered)
echo "# created $created entered $entered answered $answered" >&2
check "the number's notice is said before its flow (the queue entered 2 s on at least)" \
	test $((entered - created)) -ge 2000
tones_heard cust2=500,agent=900,notice=1000 \
	"words:$(secs "$created")+0.3:$(secs "$entered")-0.2" \
	"queue:$(secs "$entered")+0.1:$(secs "$answered")"
check "its caller hears words (speech, not the queue's tone)" heard "words cust2 -"
check "... and the queue's notice is not played again" heard "queue cust2 -"
python3 - "$T/cust2.raw" "$(python3 -c "print($created / 1000 - $(cat "$T/cust2.raw.start") )")" "$(python3 -c "print(($entered - $created) / 1000)")" >"$T/words.txt" <<'PY'
import struct, sys
raw = open(sys.argv[1], "rb").read()
x = struct.unpack("<%dh" % (len(raw) // 2), raw)
a = int((float(sys.argv[2]) + 0.3) * 8000); b = a + int((float(sys.argv[3]) - 0.5) * 8000)
seg = x[a:b]
print(int((sum(v * v for v in seg) / max(len(seg), 1)) ** 0.5))
PY
echo "# words rms $(cat "$T/words.txt")" >&2
check "... words that are sound, not silence" test "$(cat "$T/words.txt")" -gt 300
check "both notices are logged" test "$(grep -c 'recording notice call=' "$T/hotline.log")" = 2
finish
