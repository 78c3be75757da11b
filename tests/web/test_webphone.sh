#!/usr/bin/env bash
# The agent desktop's browser phone in Chromium (tests/web/webphone.mjs):
# agent alice turns the phone on in the desktop; it registers over the SIP
# WebSocket with her digest credentials (from GET /api/v1/agents/1001/phone),
# rings, answers with Chromium's SDP, carries audio both ways (the agent's
# microphone a 1200 Hz WAV sox makes, the caller a second Chromium at
# 500 Hz, each checked by Goertzel on the received track), mutes, sends
# DTMF, hangs up, takes CANCEL and the far end's BYE, answers an INVITE
# without SDP with an offer. The SIP peer on the WebSocket is the test's
# own (hotline's registrar and call side, played by the script), so the
# phone's SIP is checked message by message.
# Then the same with hotline itself (tests/web/webphone_call.mjs): the
# phone registers over /sip, a SIPp caller (INFO 1 in the IVR for sales,
# its audio a 500 Hz tone peer) rings it through the queue, the agent
# answers in the page, hears the caller, hangs up; the recording's caller
# channel has 500 Hz and its agent channel the browser's 1200 Hz; a
# browser closed mid-call ends the call. Screenshots (webphone-*.png)
# land in $T and $BUILD/screenshots/.
source "$(dirname "$0")/../e2e/lib.sh"
source "$(dirname "$0")/web.sh"
source "$(dirname "$0")/../e2e/tones.sh"
WEB_DIR=$ROOT/tests/web
[ -d "$WEB_DIR/node_modules/playwright-core" ] || (cd "$WEB_DIR" && npm ci --no-audit --no-fund >/dev/null)

# the phone's SIP reading and digest hash alone (no browser)
node "$WEB_DIR/phone_sip.mjs" || FAILS=$((FAILS + 1))
start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
web_users
sox -n -r 48000 -c 1 -b 16 "$T/agent-1200.wav" synth 120 sine 1200 vol 0.5
check "the agent's microphone: a 1200 Hz WAV made by sox" test -s "$T/agent-1200.wav"
HOTLINE_URL=$URL SHOT_DIR="$T/shots" AGENT_WAV="$T/agent-1200.wav" \
	node "$WEB_DIR/webphone.mjs" 2>"$T/browser.err"
rc=$?
[ $rc -ne 0 ] && cat "$T/browser.err" >&2 && FAILS=$((FAILS + 1))

# the caller: INFO 1 in the IVR, then stays until hotline's BYE, its RTP
# at a tone peer saying 500 Hz
CALLER_TONE=$((PEER_PORTS + 40))
tone_peer caller "$CALLER_TONE" 500 90
make_caller ivr_ear.xml "0 8 101" "$blk_answered
$(pause 2200)
$(blk_info 1)
$blk_wait_bye"
tone_sdp ivr_ear.xml ivr_tone.xml "$CALLER_TONE"
CALL_CMD="cd '$T' && exec sipp 127.0.0.1:$SIP_PORT -sf '$T/ivr_tone.xml' -p $CALLER_PORT -i 127.0.0.1 -timeout 60s -nostdin -m 1 -s 5000 -key caller 4155550123 -mp $MEDIA_PORT2 >>'$T/caller.out' 2>&1"
HOTLINE_URL=$URL SHOT_DIR="$T/shots" AGENT_WAV="$T/agent-1200.wav" CALL_CMD=$CALL_CMD \
	node "$WEB_DIR/webphone_call.mjs" >"$T/call.out" 2>"$T/browser2.err"
rc=$?
grep -E '^(not )?ok - ' "$T/call.out"
grep -q '^not ok' "$T/call.out" && FAILS=$((FAILS + 1))
[ $rc -ne 0 ] && cat "$T/browser2.err" >&2
if grep -qx MEDIA "$T/call.out"; then
	call=$(db "SELECT id FROM calls WHERE caller LIKE '%4155550123' AND agent = '1001' AND answered > 0 ORDER BY created LIMIT 1")
	rec=$(wait_for "SELECT recording FROM calls WHERE id = '$call' AND ended > 0 AND recording != ''" 10)
	# Goertzel over each channel: the caller's (left) and the agent's (right)
	heard=$(python3 - "$T/data/$rec" <<'PY'
import math, struct, subprocess, sys
def level(x, f):
    c = 2 * math.cos(2 * math.pi * f / 8000); s1 = s2 = 0.0
    for v in x: s1, s2 = v + c * s1 - s2, s1
    return 2 * math.sqrt(max(s1 * s1 + s2 * s2 - c * s1 * s2, 0)) / max(len(x), 1)
out = []
for ch in (1, 2):
    raw = subprocess.run(['sox', sys.argv[1], '-t', 'raw', '-e', 'signed', '-b', '16', '-', 'remix', str(ch)], capture_output=True).stdout
    x = struct.unpack('<%dh' % (len(raw) // 2), raw)
    x = x[len(x) // 4: 3 * len(x) // 4]  # the middle of the talk
    out.append(','.join(str(f) for f in (500, 1200) if level(x, f) > 500) or '-')
print(' '.join(out))
PY
)
	echo "# recording $rec: caller/agent channels heard $heard" >&2
	check "the recording: the caller's channel has the caller's 500 Hz, the agent's the browser's 1200 Hz" test "$heard" = "500 1200"
fi

# over HTTPS: the same hotline with a certificate openssl makes here
stop_hotline
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj "/CN=localhost" \
	-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$T/tls.key" -out "$T/tls.pem" 2>/dev/null
chmod 600 "$T/tls.key"
printf '  tls_cert: %s\n  tls_key: %s\n' "$T/tls.pem" "$T/tls.key" >>"$T/hotline.yaml"
"$HOTLINE" serve --config "$T/hotline.yaml" >>"$T/hotline.log" 2>&1 &
HL_PID=$!
for _ in $(seq 1 100); do curl -sf --cacert "$T/tls.pem" -o /dev/null "https://127.0.0.1:$HTTP_PORT/health" && break; sleep 0.1; done
HOTLINE_URL="https://127.0.0.1:$HTTP_PORT" SHOT_DIR="$T/shots" node "$WEB_DIR/webphone_https.mjs" 2>"$T/browser3.err" ||
	{ cat "$T/browser3.err" >&2; FAILS=$((FAILS + 1)); }
mkdir -p "$ROOT/$BUILD/screenshots" && cp "$T"/shots/webphone-*.png "$ROOT/$BUILD/screenshots/" 2>/dev/null
check "the screenshots of the phone ringing, talking, in Chinese and ringing with hotline are saved" \
	test -s "$T/shots/webphone-ringing.png" -a -s "$T/shots/webphone-talking.png" -a -s "$T/shots/webphone-zh.png" -a -s "$T/shots/webphone-hotline-ringing.png"
finish
