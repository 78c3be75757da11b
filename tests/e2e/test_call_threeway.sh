#!/usr/bin/env bash
# Ad-hoc three-way from the desktop (POST /calls/{id}/conference): agent
# bob adds carol (1003); her phone is called and joins the customer and
# bob. Each phone is rtp_tone.py saying its own tone (customer 500 Hz,
# bob 900 Hz, carol 1400 Hz): each hears the other two. Another agent may
# not (403), a target that is no agent is 400, a call that ended 409.
RTP_TIMEOUT=60s
source "$(dirname "$0")/lib.sh"
source "$E2E_DIR/tones.sh"
write_config
start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
adm() { curl -s -o "$T/body.json" -w '%{http_code}' -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' "$@"; }
for u in bob:1002 dave:1004; do
	adm -d "{\"name\":\"${u%:*}\",\"role\":\"agent\",\"extension\":\"${u#*:}\",\"password\":\"${u%:*}-secret\"}" "$URL/api/v1/users" >/dev/null
done
session() { curl -s -H 'Content-Type: application/json' -d "{\"user\":\"$1\",\"password\":\"$1-secret\"}" "$URL/api/v1/session" -c - | awk '/hl_session/ {print $7}'; }
bob=$(session bob)
dave=$(session dave)
as() { local c=$1; shift; curl -s -o "$T/body.json" -w '%{http_code}' -b "hl_session=$c" -H 'Content-Type: application/json' "$@"; }

CUST_PORT=$((PEER_PORTS + 40))
AGENT_TONE=$((PEER_PORTS + 42))
THIRD_TONE=$((PEER_PORTS + 44))
tone_peer cust "$CUST_PORT" 500 10
tone_peer agent "$AGENT_TONE" 900 10
tone_peer third "$THIRD_TONE" 1400 10
tone_agent 1002 bob-1002 "$AGENT_PORT1" "$MEDIA_PORT0" "$AGENT_TONE" || finish
tone_agent 1003 carol-1003 "$AGENT_PORT2" "$MEDIA_PORT1" "$THIRD_TONE" || finish

tone_customer 5002 "$CUST_PORT"
call=$(wait_for "SELECT id FROM calls WHERE caller='0961' AND agent='1002' AND answered>0" 15)
check "the call is answered by 1002" test -n "$call"
check "dave may not add to bob's call (403)" \
	test "$(as "$dave" -d '{"target":"1003"}' "$URL/api/v1/calls/$call/conference")" = 403
check "a target that is no agent is 400" \
	test "$(as "$bob" -d '{"target":"9999"}' "$URL/api/v1/calls/$call/conference")" = 400
check "bob adds 1003 (202)" \
	test "$(as "$bob" -d '{"target":"1003"}' "$URL/api/v1/calls/$call/conference")" = 202
t0=$(date +%s.%N)
sleep 4
t1=$(date +%s.%N)
check "the admin's hang-up ends it" test "$(adm -X POST "$URL/api/v1/calls/$call/hangup")" = 204
check "a call that ended takes no third party (409)" \
	test "$(as "$bob" -d '{"target":"1003"}' "$URL/api/v1/calls/$call/conference")" = 409
tones_wait
wait_peers
tones_heard cust=500,agent=900,third=1400 "three:$t0+1.5:$t1-0.2"
check "the customer hears bob and carol" heard "three cust agent,third"
check "bob hears the customer and carol" heard "three agent cust,third"
check "carol hears the customer and bob" heard "three third cust,agent"
finish
