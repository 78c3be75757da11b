#!/usr/bin/env bash
# Recording pause and resume for card numbers (POST /calls/{id}/recording
# {action}): the agent pauses, a supervisor of the queue resumes, the
# agent pauses again and the call ends paused. The file keeps the call's
# length with digital silence in each gap and both tones around them;
# the gaps are in GET /calls/{id} (recording_gaps), in the download's
# X-Recording-Gaps header and in recording.paused / recording.resumed
# events, each use audited. Pausing twice or resuming a running
# recording is 409, another agent 403, a bad action 400, a call that
# ended 409.
RTP_TIMEOUT=60s
source "$(dirname "$0")/lib.sh"
source "$E2E_DIR/tones.sh"
write_config
start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
adm() { curl -s -o "$T/body.json" -w '%{http_code}' -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' "$@"; }
adm -d '{"name":"bob","role":"agent","extension":"1002","password":"bob-secret"}' "$URL/api/v1/users" >/dev/null
adm -d '{"name":"dave","role":"agent","extension":"1004","password":"dave-secret"}' "$URL/api/v1/users" >/dev/null
adm -d '{"name":"sam","role":"supervisor","queues":["short"],"extension":"1003","password":"sam-secret"}' "$URL/api/v1/users" >/dev/null
session() { curl -s -H 'Content-Type: application/json' -d "{\"user\":\"$1\",\"password\":\"$1-secret\"}" "$URL/api/v1/session" -c - | awk '/hl_session/ {print $7}'; }
bob=$(session bob)
dave=$(session dave)
sam=$(session sam)
as() { local c=$1; shift; curl -s -o "$T/body.json" -w '%{http_code}' -b "hl_session=$c" -H 'Content-Type: application/json' "$@"; }
rec() { as "$1" -d "{\"action\":\"$2\"}" "$URL/api/v1/calls/$call/recording"; }

CUST_PORT=$((PEER_PORTS + 40))
AGENT_TONE=$((PEER_PORTS + 42))
tone_peer cust "$CUST_PORT" 500 12
tone_peer agent "$AGENT_TONE" 900 12
tone_agent 1002 bob-1002 "$AGENT_PORT1" "$MEDIA_PORT0" "$AGENT_TONE" || finish

tone_customer 5002 "$CUST_PORT"
call=$(wait_for "SELECT id FROM calls WHERE caller='0961' AND agent='1002' AND answered>0" 15)
check "the call is answered by 1002" test -n "$call"
sleep 1.5
check "a bad action is 400" test "$(rec "$bob" stop)" = 400
check "resuming a running recording is 409" test "$(rec "$bob" resume)" = 409
check "another agent may not pause it (403)" test "$(rec "$dave" pause)" = 403
check "bob pauses the recording (200)" test "$(rec "$bob" pause)" = 200
check "the answer says paused" grep -q '"paused": *true' "$T/body.json"
check "pausing twice is 409" test "$(rec "$bob" pause)" = 409
gaps=$(api "/api/v1/calls/$call" | python3 -c "import json,sys; print(json.load(sys.stdin)['recording_gaps'])")
check "GET shows the open gap" test "$(echo "$gaps" | grep -c "'end_ms': None")" = 1
sleep 2
check "sam, supervisor of the queue, resumes it (200)" test "$(rec "$sam" resume)" = 200
sleep 2
check "bob pauses it again" test "$(rec "$bob" pause)" = 200
sleep 1.5
check "the admin's hang-up ends the call while paused" \
	test "$(adm -X POST "$URL/api/v1/calls/$call/hangup")" = 204
check "a call that ended has no recording to pause (409)" test "$(rec "$bob" resume)" = 409
tones_wait
wait_peers
wait_for "SELECT id FROM calls WHERE id='$call' AND ended>0" 5 >/dev/null

ev=$(wait_for "SELECT group_concat(type, ' ') FROM (SELECT type FROM events WHERE call='$call' AND type LIKE 'recording.%' ORDER BY id)" 5)
echo "# events: $ev" >&2
check "events: paused, resumed, paused, resumed (at the end)" \
	test "$ev" = "recording.paused recording.resumed recording.paused recording.resumed"
api "/api/v1/calls/$call" >"$T/call.json"
g=$(python3 -c "import json; print(','.join('%d-%s' % (x['start_ms'], '' if x['end_ms'] is None else x['end_ms']) for x in json.load(open('$T/call.json'))['recording_gaps']))")
echo "# gaps: $g" >&2
check "two gaps, both closed" python3 -c "
import json; g = json.load(open('$T/call.json'))['recording_gaps']
assert len(g) == 2 and all(x['end_ms'] is not None for x in g)
assert 1800 <= g[0]['end_ms'] - g[0]['start_ms'] <= 4000, g"
curl -s -D "$T/rec.hdr" -o "$T/rec.wav" -H "Authorization: Bearer test-token" "$URL/api/v1/calls/$call/recording"
check "the download names the gaps (X-Recording-Gaps)" \
	grep -qi "^X-Recording-Gaps: $g"$'\r'"\$" "$T/rec.hdr"
python3 "$E2E_DIR/rec_gaps.py" "$T/rec.wav" "$g" >"$T/gaps.txt"
sed 's/^/# /' "$T/gaps.txt" >&2
check "the file has silence in each gap, both tones around them" \
	test "$(grep -c '^ok' "$T/gaps.txt")" = 5 -a "$(grep -c '^bad' "$T/gaps.txt")" = 0
dur=$(python3 -c "import wave; w = wave.open('$T/rec.wav'); print(w.getnframes() * 1000 // 8000)")
check "the file keeps the call's length (the last gap ends with it)" python3 -c "
import json; g = json.load(open('$T/call.json'))['recording_gaps']
assert abs(g[1]['end_ms'] - $dur) <= 1100, (g, $dur)"
au=$(curl -s -H "Authorization: Bearer test-token" "$URL/api/v1/audit?limit=1000" | python3 -c "import json,sys; print(sum(1 for e in json.load(sys.stdin)['entries'] if e['target'] == '$call' and e['action'] in ('recording.pause', 'recording.resume')))" 2>/dev/null)
check "each pause and resume is audited (3)" test "$au" = 3
finish
