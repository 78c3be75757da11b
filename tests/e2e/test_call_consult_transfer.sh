#!/usr/bin/env bash
# A consult that is not joined ends when the agent hands the call on: bob
# consults dave (1004), then transfers the customer to carol (1003) from
# the desktop; dave's leg gets its BYE at the transfer (call.monitor left
# before carol answers), not when the call ends, and the customer talks
# with carol (tones: customer 500 Hz, carol 1400 Hz).
RTP_TIMEOUT=60s
source "$(dirname "$0")/lib.sh"
source "$E2E_DIR/tones.sh"
write_config
start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
adm() { curl -s -o "$T/body.json" -w '%{http_code}' -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' "$@"; }
adm -d '{"name":"bob","role":"agent","extension":"1002","password":"bob-secret"}' "$URL/api/v1/users" >/dev/null
bob=$(curl -s -H 'Content-Type: application/json' -d '{"user":"bob","password":"bob-secret"}' "$URL/api/v1/session" -c - | awk '/hl_session/ {print $7}')
as() { local c=$1; shift; curl -s -o "$T/body.json" -w '%{http_code}' -b "hl_session=$c" -H 'Content-Type: application/json' "$@"; }

CUST_PORT=$((PEER_PORTS + 40))
AGENT_TONE=$((PEER_PORTS + 42))
THIRD_TONE=$((PEER_PORTS + 44))
DAVE_TONE=$((PEER_PORTS + 46))
tone_peer cust "$CUST_PORT" 500 12
tone_peer third "$THIRD_TONE" 1400 12
# bob and dave say nothing: a tone peer would go on sending to the port
# hotline frees when their leg ends, which carol's leg may be given next
tone_agent 1002 bob-1002 "$AGENT_PORT1" "$MEDIA_PORT0" "$AGENT_TONE" || finish
tone_agent 1003 carol-1003 "$AGENT_PORT2" "$MEDIA_PORT1" "$THIRD_TONE" || finish
tone_agent 1004 dave-1004 "$CALLER_PORT2" $((PEER_PORTS + 60)) "$DAVE_TONE" || finish
tone_customer 5002 "$CUST_PORT"
call=$(wait_for "SELECT id FROM calls WHERE caller='0961' AND agent='1002' AND answered>0" 15)
check "the call is answered by 1002" test -n "$call"
check "bob consults dave (202)" \
	test "$(as "$bob" -d '{"target":"1004"}' "$URL/api/v1/calls/$call/consult")" = 202
sleep 2
check "bob transfers the customer to carol (202)" \
	test "$(as "$bob" -d '{"to":"1003"}' "$URL/api/v1/calls/$call/transfer")" = 202
t_carol=$(date +%s.%N)
check "carol answers" test -n "$(wait_for "SELECT id FROM calls WHERE id='$call' AND agent='1003'" 10)"
sleep 3
t_end=$(date +%s.%N)
left=$(db "SELECT ts FROM events WHERE call='$call' AND type='call.monitor' AND json_extract(data,'\$.state')='left'")
answered=$(db "SELECT ts FROM events WHERE call='$call' AND type='call.answered' AND agent='1003'")
echo "# dave left at $left, carol answered at $answered" >&2
check "dave's consult leg ends at the transfer, before carol answers" \
	test -n "$left" -a -n "$answered" -a "${left:-0}" -lt "${answered:-0}"
check "the admin's hang-up ends it" test "$(adm -X POST "$URL/api/v1/calls/$call/hangup")" = 204
tones_wait
wait_peers
tones_heard cust=500,agent=900,third=1400,dave=1900 "carol:$t_carol+1.2:$t_end-0.2"
check "the customer talks with carol only" heard "carol cust third"
check "carol hears the customer only" heard "carol third cust"
finish
