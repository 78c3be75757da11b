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
# phone's SIP is checked message by message. Screenshots (webphone-*.png)
# land in $T and $BUILD/screenshots/.
source "$(dirname "$0")/../e2e/lib.sh"
source "$(dirname "$0")/web.sh"
WEB_DIR=$ROOT/tests/web
[ -d "$WEB_DIR/node_modules/playwright-core" ] || (cd "$WEB_DIR" && npm ci --no-audit --no-fund >/dev/null)

start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
web_users
sox -n -r 48000 -c 1 -b 16 "$T/agent-1200.wav" synth 120 sine 1200 vol 0.5
check "the agent's microphone: a 1200 Hz WAV made by sox" test -s "$T/agent-1200.wav"
HOTLINE_URL=$URL SHOT_DIR="$T/shots" AGENT_WAV="$T/agent-1200.wav" \
	node "$WEB_DIR/webphone.mjs" 2>"$T/browser.err"
rc=$?
[ $rc -ne 0 ] && cat "$T/browser.err" >&2
mkdir -p "$ROOT/$BUILD/screenshots" && cp "$T"/shots/webphone-*.png "$ROOT/$BUILD/screenshots/" 2>/dev/null
check "the screenshots of the phone ringing, talking and in Chinese are saved" \
	test -s "$T/shots/webphone-ringing.png" -a -s "$T/shots/webphone-talking.png" -a -s "$T/shots/webphone-zh.png"
finish
