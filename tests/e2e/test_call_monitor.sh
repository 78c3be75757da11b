#!/usr/bin/env bash
# A supervisor on an agent's call (POST/PATCH /calls/{id}/monitor): the
# supervisor's phone (sam, extension 1003) is called and joins in listen,
# then whisper, then barge, then takes the call over (the agent's leg
# ends). Each leg's phone is rtp_tone.py saying a tone
# of its own (customer 500 Hz, agent 900 Hz, supervisor 1400 Hz) and
# keeping what it hears by time, so Goertzel filters over each mode's
# seconds tell who heard whom. A supervisor of another queue gets 403, an
# agent 403, a bad mode 400, a call that ended 409; every use is an event
# and audited.
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
session() { curl -s -H 'Content-Type: application/json' -d "{\"user\":\"$1\",\"password\":\"$1-secret\"}" "$URL/api/v1/session" -c - | awk '/hl_session/ {print $7}'; }
bob=$(session bob)
sam=$(session sam)
ursula=$(session ursula)
as() { local c=$1 m=$2; shift 2; curl -s -o "$T/body.json" -w '%{http_code}' -X "$m" -b "hl_session=$c" -H 'Content-Type: application/json' "$@"; }

CUST_PORT=$((PEER_PORTS + 40))
AGENT_TONE=$((PEER_PORTS + 42))
SUP_TONE=$((PEER_PORTS + 44))
tone_peer cust "$CUST_PORT" 500 19
tone_peer agent "$AGENT_TONE" 900 19
tone_peer sup "$SUP_TONE" 1400 19

# the agent's and the supervisor's phones answer and stay until the BYE,
# their audio at the tone peers
tone_agent 1002 bob-1002 "$AGENT_PORT1" "$MEDIA_PORT0" "$AGENT_TONE" || finish
tone_agent 1003 carol-1003 "$AGENT_PORT2" "$MEDIA_PORT1" "$SUP_TONE" || finish

tone_customer 5002 "$CUST_PORT"
call=$(wait_for "SELECT id FROM calls WHERE caller='0961' AND agent='1002' AND answered>0" 15)
check "the call is answered by 1002" test -n "$call"
sleep 1
check "a supervisor of another queue may not monitor it (403)" \
	test "$(as "$ursula" POST -d '{"mode":"listen"}' "$URL/api/v1/calls/$call/monitor")" = 403
check "an agent may not monitor (403)" \
	test "$(as "$bob" POST -d '{"mode":"listen"}' "$URL/api/v1/calls/$call/monitor")" = 403
check "a bad mode is 400" \
	test "$(as "$sam" POST -d '{"mode":"shout"}' "$URL/api/v1/calls/$call/monitor")" = 400
check "sam listens (202)" \
	test "$(as "$sam" POST -d '{"mode":"listen"}' "$URL/api/v1/calls/$call/monitor")" = 202
t_listen=$(date +%s.%N)
sleep 3
check "sam whispers to the agent (PATCH, 202)" \
	test "$(as "$sam" PATCH -d '{"mode":"whisper"}' "$URL/api/v1/calls/$call/monitor")" = 202
t_whisper=$(date +%s.%N)
sleep 2.5
check "sam barges in (202)" \
	test "$(as "$sam" POST -d '{"mode":"barge"}' "$URL/api/v1/calls/$call/monitor")" = 202
t_barge=$(date +%s.%N)
sleep 2.5
check "sam takes the call over (202)" \
	test "$(as "$sam" POST -d '{"mode":"takeover"}' "$URL/api/v1/calls/$call/monitor")" = 202
t_take=$(date +%s.%N)
sleep 2.5
t_end=$(date +%s.%N)
check "the admin's hang-up ends it" test "$(adm -X POST "$URL/api/v1/calls/$call/hangup")" = 204
check "a call that ended cannot be monitored (409)" \
	test "$(as "$sam" POST -d '{"mode":"listen"}' "$URL/api/v1/calls/$call/monitor")" = 409
tones_wait
wait_peers
check "after the take-over the call's agent is sam's extension" \
	test "$(wait_for "SELECT agent FROM calls WHERE id='$call' AND ended>0" 5)" = 1003
ev=$(wait_for "SELECT group_concat(json_extract(data,'\$.state') || ':' || json_extract(data,'\$.mode'), ' ') FROM (SELECT data FROM events WHERE call='$call' AND type='call.monitor' ORDER BY id)" 5)
echo "# events: $ev" >&2
check "call.monitor events: ringing, joined, changed to whisper, barge and takeover" \
	test "$ev" = "ringing:listen joined:listen changed:whisper changed:barge changed:takeover"
au=$(curl -s -H "Authorization: Bearer test-token" "$URL/api/v1/audit?action=call.monitor" | python3 -c "import json,sys; print(len(json.load(sys.stdin)['entries']))" 2>/dev/null)
check "each use is audited (4)" test "$au" = 4

# who heard whom, mode by mode: a second after each request (the phone
# answers in 0.6 s) to just before the next
tones_heard cust=500,agent=900,sup=1400 \
	"listen:$t_listen+1.2:$t_whisper-0.2" \
	"whisper:$t_whisper+0.4:$t_barge-0.2" \
	"barge:$t_barge+0.4:$t_take-0.2" \
	"takeover:$t_take+0.4:$t_end-0.2"
check "listen: the customer hears the agent only" heard "listen cust agent"
check "listen: the agent hears the customer only" heard "listen agent cust"
check "listen: the supervisor hears both" heard "listen sup cust,agent"
check "whisper: the customer hears the agent only" heard "whisper cust agent"
check "whisper: the agent hears the customer and the supervisor" heard "whisper agent cust,sup"
check "whisper: the supervisor hears both" heard "whisper sup cust,agent"
check "barge: the customer hears both" heard "barge cust agent,sup"
check "barge: the agent hears both" heard "barge agent cust,sup"
check "takeover: the customer hears the supervisor only (the agent's leg ended)" heard "takeover cust sup"
check "takeover: the supervisor hears the customer" heard "takeover sup cust"
finish
