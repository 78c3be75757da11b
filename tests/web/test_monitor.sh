#!/usr/bin/env bash
# The wallboard's monitor and the desktop's call buttons in Chromium
# (tests/web/monitor.mjs): supervisor sam (queue short, phone 1003) sees
# bob's live call on the wallboard, listens (his SIPp phone rings and
# answers), switches to whisper, ends it; the API's events say each step.
# Bob, on the desktop, pauses and resumes the recording and consults dave
# (1004) then goes back to the customer. Screenshots in $BUILD/screenshots/.
RTP_TIMEOUT=90s
source "$(dirname "$0")/../e2e/lib.sh"
source "$E2E_DIR/tones.sh"
WEB_DIR=$ROOT/tests/web
[ -d "$WEB_DIR/node_modules/playwright-core" ] || (cd "$WEB_DIR" && npm ci --no-audit --no-fund >/dev/null)
write_config
start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
adm() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' "$@"; }
check "users for the test" test "$(adm -d '{"name":"bob","role":"agent","extension":"1002","password":"bob-secret"}' "$URL/api/v1/users")/$(adm -d '{"name":"sam","role":"supervisor","queues":["short"],"extension":"1003","password":"sam-secret"}' "$URL/api/v1/users")/$(adm -d '{"name":"ursula","role":"supervisor","queues":["support"],"password":"ursula-secret"}' "$URL/api/v1/users")" = 201/201/201

CUST_PORT=$((PEER_PORTS + 40))
tone_peer cust "$CUST_PORT" 500 60
tone_peer agent $((PEER_PORTS + 42)) 900 60
tone_peer sup $((PEER_PORTS + 44)) 1400 60
tone_peer dave $((PEER_PORTS + 46)) 1900 60
tone_agent 1002 bob-1002 "$AGENT_PORT1" "$MEDIA_PORT0" $((PEER_PORTS + 42)) || finish
tone_agent 1003 carol-1003 "$AGENT_PORT2" "$MEDIA_PORT1" $((PEER_PORTS + 44)) || finish
tone_agent 1004 dave-1004 "$CALLER_PORT2" $((PEER_PORTS + 60)) $((PEER_PORTS + 46)) || finish
# the pages are open before the customer calls (the desktop shows a call
# from its events): the browser script says when ($T/ready)
HOTLINE_URL=$URL SHOT_DIR="$ROOT/$BUILD/screenshots" READY="$T/ready" \
	node "$WEB_DIR/monitor.mjs" >"$T/browser.out" 2>"$T/browser.err" &
NODE=$!
for _ in $(seq 300); do [ -f "$T/ready" ] && break; sleep 0.1; done
tone_customer 5002 "$CUST_PORT"
call=$(wait_for "SELECT id FROM calls WHERE caller='0961' AND agent='1002' AND answered>0" 15)
check "the call is answered by 1002" test -n "$call"
wait "$NODE"
rc=$?
cat "$T/browser.out"
[ $rc -ne 0 ] && cat "$T/browser.err" >&2
check "the recording's pause and resume from the desktop are events" \
	test "$(db "SELECT group_concat(type, ',') FROM (SELECT type FROM events WHERE call='$call' AND type LIKE 'recording.%' ORDER BY id)")" = recording.paused,recording.resumed
kill "${TONE_PIDS[@]}" 2>/dev/null
check "the screenshots are saved" \
	test -s "$ROOT/$BUILD/screenshots/wallboard-monitor.png" -a -s "$ROOT/$BUILD/screenshots/agent-consult.png"
finish
