#!/usr/bin/env bash
# Feature codes from a supervisor's phone: *2<ext> whispers into the call
# agent ext is on (*1 listens, *3 barges): the phone's own call joins it.
# Each phone is rtp_tone.py saying its own tone (customer 500 Hz, agent
# 900 Hz, supervisor 1400 Hz); the agent hears both, the customer the
# agent only. A supervisor of another queue is refused (403), a code for
# an agent on no call is 404; the use is audited and an event.
RTP_TIMEOUT=60s
source "$(dirname "$0")/lib.sh"
source "$E2E_DIR/tones.sh"
write_config
start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
adm() { curl -s -o "$T/body.json" -w '%{http_code}' -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' "$@"; }
adm -d '{"name":"bob","role":"agent","extension":"1002","password":"bob-secret"}' "$URL/api/v1/users" >/dev/null
adm -d '{"name":"sam","role":"supervisor","queues":["short"],"extension":"1003","password":"sam-secret"}' "$URL/api/v1/users" >/dev/null
adm -d '{"name":"ursula","role":"supervisor","queues":["support"],"extension":"1004","password":"ursula-secret"}' "$URL/api/v1/users" >/dev/null

CUST_PORT=$((PEER_PORTS + 40))
AGENT_TONE=$((PEER_PORTS + 42))
SUP_TONE=$((PEER_PORTS + 44))
tone_peer cust "$CUST_PORT" 500 11
tone_peer agent "$AGENT_TONE" 900 11
tone_peer sup "$SUP_TONE" 1400 11

tone_agent 1002 bob-1002 "$AGENT_PORT1" "$MEDIA_PORT0" "$AGENT_TONE" || finish

tone_customer 5002 "$CUST_PORT"
call=$(wait_for "SELECT id FROM calls WHERE caller='0961' AND agent='1002' AND answered>0" 15)
check "the call is answered by 1002" test -n "$call"

make_refused_caller refused403.xml "0 8 101" 403
check "*21002 from a supervisor of another queue is 403" \
	sipp_run code403 refused403.xml "$AGENT_PORT2" -s '*21002' -key caller 1004 -mp "$MEDIA_PORT1"
make_refused_caller refused404.xml "0 8 101" 404
check "*21001 (an agent on no call) is 404" \
	sipp_run code404 refused404.xml "$AGENT_PORT2" -s '*21001' -key caller 1003 -mp "$MEDIA_PORT1"

make_caller sup.xml "0 8 101" "$blk_answered
$(pause 4500)
$blk_bye"
tone_sdp sup.xml sup_tone.xml "$SUP_TONE"
t_join=$(date +%s.%N)
sipp_bg sup sup_tone.xml "$AGENT_PORT2" -s '*21002' -key caller 1003 -m 1 -mp "$MEDIA_PORT1" >/dev/null
sleep 4
t_end=$(date +%s.%N)
sleep 1.5
check "the admin's hang-up ends the call" test "$(adm -X POST "$URL/api/v1/calls/$call/hangup")" = 204
tones_wait
wait_peers
ev=$(wait_for "SELECT group_concat(json_extract(data,'\$.state') || ':' || json_extract(data,'\$.mode') || ':' || json_extract(data,'\$.supervisor'), ' ') FROM (SELECT data FROM events WHERE call='$call' AND type='call.monitor' ORDER BY id)" 5)
echo "# events: $ev" >&2
check "call.monitor events: joined and left, whisper, by 1003" \
	test "$ev" = "joined:whisper:1003 left:whisper:1003"
au=$(curl -s -H "Authorization: Bearer test-token" "$URL/api/v1/audit?action=call.monitor" | python3 -c "import json,sys; e=json.load(sys.stdin)['entries']; print(len(e), e[0]['user'], e[0]['target'])" 2>/dev/null)
check "the use is audited (by 1003, the call)" test "$au" = "1 1003 $call"

tones_heard cust=500,agent=900,sup=1400 "whisper:$t_join+1.5:$t_end"
check "whisper by code: the customer hears the agent only" heard "whisper cust agent"
check "whisper by code: the agent hears the customer and the supervisor" heard "whisper agent cust,sup"
check "whisper by code: the supervisor hears both" heard "whisper sup cust,agent"
finish
