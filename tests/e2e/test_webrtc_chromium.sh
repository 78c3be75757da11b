#!/usr/bin/env bash
# Chromium's WebRTC against our ICE-lite and DTLS-SRTP: a browser's phone
# (sipws_ua.py) takes a queue call and hands our SDP offer to Chromium,
# whose answer goes back; Chromium's ICE checks, DTLS handshake and SRTP
# must then carry audio both ways.
source "$(dirname "$0")/lib.sh"
NODE_DIR=$E2E_DIR/../web
[ -d "$NODE_DIR/node_modules/playwright-core" ] || { echo "ok - skipped: no playwright-core (scripts/deps --test)"; exit 0; }
start_hotline

mkdir -p "$T/sdp"
python3 "$E2E_DIR/sipws_ua.py" "$HTTP_PORT" 1001 alice-1001 --out "$T/ua.json" \
	--wait 40 --sdp-dir "$T/sdp" >"$T/ua.out" 2>&1 &
UA=$!
(cd "$NODE_DIR" && node "$NODE_DIR/chromium_media.mjs" "$T/sdp" 5 "http://127.0.0.1:$HTTP_PORT/health") >"$T/chromium.out" 2>&1 &
CR=$!
for _ in $(seq 1 50); do grep -q registered "$T/ua.out" && break; sleep 0.1; done
make_ivr_caller caller.xml rfc4733 1 9000
sipp_run caller caller.xml "$CALLER_PORT" -s 5000 -key caller 0621 -mp "$MEDIA_PORT2"
check "the caller's call completes" test $? -eq 0
wait "$CR"
cat "$T/chromium.out" | sed 's/^/# /' >&2
check "Chromium answered our offer" grep -q '^ok - chromium answered' "$T/chromium.out"
stats=$(grep '^{' "$T/chromium.out")
check "ICE and DTLS connected, SRTP on" bash -c "grep -q '\"dtls\":\"connected SRTP_AES128_CM_HMAC_SHA1_80\"' <<<'$stats' && grep -q 'ice:connected' <<<'$stats'"
check "Chromium received our audio" python3 -c "import json,sys; sys.exit(not json.loads('$stats').get('in', 0) > 50)"
check "and sent its own" python3 -c "import json,sys; sys.exit(not json.loads('$stats').get('out', 0) > 50)"
drops=$(curl -s "http://127.0.0.1:$HTTP_PORT/metrics" | awk '/^hotline_srtp_dropped_total/ {print $2}')
check "every SRTP packet from Chromium authenticated here" test "${drops:-x}" = 0
wait "$UA"
row=$(wait_for "select outcome, agent from calls where caller = '0621' and ended > 0" 5)
check "answered by the browser's agent" test "$row" = "answered|1001"
finish
