#!/usr/bin/env bash
# The consult before a three-way, from the desktop (POST /calls/{id}/
# consult, consult/cancel, consult/join): agent bob consults dave (1004)
# and cancels, then consults carol (1003) and joins. Each phone is
# rtp_tone.py saying its own tone (customer 500 Hz, bob 900, carol 1400,
# dave 1900): during a consult the customer hears music, neither bob nor
# the target, who hear each other only; after cancel the customer and bob
# hear each other again; after join each of the three hears the two
# others. Another agent may not consult on bob's call (403), join without
# a consult is 409, a target that is no agent 400.
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
DAVE_TONE=$((PEER_PORTS + 46))
tone_peer cust "$CUST_PORT" 500 16
tone_peer agent "$AGENT_TONE" 900 16
tone_peer third "$THIRD_TONE" 1400 16
tone_agent 1002 bob-1002 "$AGENT_PORT1" "$MEDIA_PORT0" "$AGENT_TONE" || finish
tone_agent 1003 carol-1003 "$AGENT_PORT2" "$MEDIA_PORT1" "$THIRD_TONE" || finish
tone_agent 1004 dave-1004 "$CALLER_PORT2" $((PEER_PORTS + 60)) "$DAVE_TONE" || finish

tone_customer 5002 "$CUST_PORT"
call=$(wait_for "SELECT id FROM calls WHERE caller='0961' AND agent='1002' AND answered>0" 15)
check "the call is answered by 1002" test -n "$call"
check "join without a consult is 409" test "$(as "$bob" -X POST "$URL/api/v1/calls/$call/consult/join")" = 409
check "dave may not consult on bob's call (403)" \
	test "$(as "$dave" -d '{"target":"1003"}' "$URL/api/v1/calls/$call/consult")" = 403
check "a target that is no agent is 400" \
	test "$(as "$bob" -d '{"target":"9999"}' "$URL/api/v1/calls/$call/consult")" = 400
# dave's audio stops soon after the cancel, as a phone's does after its
# BYE (rtp_tone.py would go on sending to the port hotline frees, which
# carol's leg may be given next)
tone_peer dave "$DAVE_TONE" 1900 3.8
check "bob consults dave (202)" \
	test "$(as "$bob" -d '{"target":"1004"}' "$URL/api/v1/calls/$call/consult")" = 202
t_c1=$(date +%s.%N)
sleep 3
check "bob cancels (200)" test "$(as "$bob" -X POST "$URL/api/v1/calls/$call/consult/cancel")" = 200
t_cancel=$(date +%s.%N)
check "cancelling twice is 409" test "$(as "$bob" -X POST "$URL/api/v1/calls/$call/consult/cancel")" = 409
sleep 2.5
check "bob consults carol (202)" \
	test "$(as "$bob" -d '{"target":"1003"}' "$URL/api/v1/calls/$call/consult")" = 202
t_c2=$(date +%s.%N)
sleep 3
check "bob joins the three (200)" test "$(as "$bob" -X POST "$URL/api/v1/calls/$call/consult/join")" = 200
t_join=$(date +%s.%N)
sleep 3
t_end=$(date +%s.%N)
check "the admin's hang-up ends it" test "$(adm -X POST "$URL/api/v1/calls/$call/hangup")" = 204
tones_wait
wait_peers
ev=$(wait_for "SELECT group_concat(json_extract(data,'\$.state') || ':' || json_extract(data,'\$.mode') || ':' || json_extract(data,'\$.supervisor'), ' ') FROM (SELECT data FROM events WHERE call='$call' AND type='call.monitor' ORDER BY id)" 5)
echo "# events: $ev" >&2
check "call.monitor events: dave consulted and left, carol consulted and joined" \
	test "$ev" = "ringing:consult:1004 joined:consult:1004 left:consult:1004 ringing:consult:1003 joined:consult:1003 changed:conference:1003 left:conference:1003"
tones_heard cust=500,agent=900,third=1400,dave=1900 \
	"consult1:$t_c1+1.2:$t_cancel-0.2" \
	"back:$t_cancel+0.4:$t_c2-0.2" \
	"consult2:$t_c2+1.2:$t_join-0.2" \
	"three:$t_join+0.4:$t_end-0.2"
check "consult: the customer hears neither bob nor dave (music)" heard "consult1 cust -"
check "consult: bob hears dave only" heard "consult1 agent dave"
check "consult: dave hears bob only" heard "consult1 dave agent"
check "cancel: the customer and bob hear each other again" \
	bash -c "grep -qx 'back cust agent' '$T/heard.txt' && grep -qx 'back agent cust' '$T/heard.txt'"
check "second consult: the customer hears neither bob nor carol" heard "consult2 cust -"
check "second consult: bob and carol hear each other" \
	bash -c "grep -qx 'consult2 agent third' '$T/heard.txt' && grep -qx 'consult2 third agent' '$T/heard.txt'"
check "join: the customer hears bob and carol" heard "three cust agent,third"
check "join: bob hears the customer and carol" heard "three agent cust,third"
check "join: carol hears the customer and bob" heard "three third cust,agent"
finish
