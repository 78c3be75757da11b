#!/usr/bin/env bash
# Ad-hoc three-way from the desktop (POST /calls/{id}/conference): agent
# bob adds carol (1003); her phone is called and joins the customer and
# bob. Each phone is rtp_tone.py saying its own tone (customer 500 Hz,
# bob 900 Hz, carol 1400 Hz): each hears the other two. Another agent may
# not (403), a target that is no agent is 400, a call that ended 409.
RTP_TIMEOUT=60s
source "$(dirname "$0")/lib.sh"
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
python3 "$E2E_DIR/rtp_tone.py" "$CUST_PORT" 500 10 "$T/cust.raw" &
P1=$!
python3 "$E2E_DIR/rtp_tone.py" "$AGENT_TONE" 900 10 "$T/agent.raw" &
P2=$!
python3 "$E2E_DIR/rtp_tone.py" "$THIRD_TONE" 1400 10 "$T/third.raw" &
P3=$!
t=$(<"$SIPP_DIR/agent.xml.in")
t=${t//@ANSWER@/"$agent_200
  <nop><action><log message=\"answered [\$local_to] from [\$remote_from]\"/></action></nop>
$blk_wait_bye"}
printf '%s\n' "$t" >"$T/quiet.xml"
sed "s/m=audio \[media_port\]/m=audio $AGENT_TONE/" "$T/quiet.xml" >"$T/agent_tone.xml"
sed "s/m=audio \[media_port\]/m=audio $THIRD_TONE/" "$T/quiet.xml" >"$T/third_tone.xml"
agent_up 1002 bob-1002 "$AGENT_PORT1" "$MEDIA_PORT0" agent_tone.xml || finish
agent_up 1003 carol-1003 "$AGENT_PORT2" "$MEDIA_PORT1" third_tone.xml || finish

make_caller ear.xml "0 8 101" "$blk_answered
$blk_wait_bye"
sed -i "s/m=audio \[media_port\]/m=audio $CUST_PORT/" "$T/ear.xml"
sipp_bg ear ear.xml "$CALLER_PORT" -s 5002 -key caller 0961 -m 1 -mp "$MEDIA_PORT2" >/dev/null
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
wait $P1 $P2 $P3
wait_peers
python3 "$E2E_DIR/tones_heard.py" "$T" cust=500,agent=900,third=1400 "three:$t0+1.5:$t1-0.2" >"$T/heard.txt"
sed 's/^/# /' "$T/heard.txt" >&2
heard() { grep -qx "$1" "$T/heard.txt"; }
check "the customer hears bob and carol" heard "three cust agent,third"
check "bob hears the customer and carol" heard "three agent cust,third"
check "carol hears the customer and bob" heard "three third cust,agent"
finish
