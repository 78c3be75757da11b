#!/usr/bin/env bash
# Click-to-call (POST /api/v1/calls): hotline rings the agent's phone
# first; when the agent answers it calls the customer, then bridges and
# records them like any call. Bad requests are refused with the field
# named; an agent without a phone is a 409. The call is a voice
# interaction (/api/v1/interactions), outbound.
source "$(dirname "$0")/lib.sh"
start_hotline
U="http://127.0.0.1:$HTTP_PORT/api/v1/calls"
CUST_PORT=$((PEER_PORTS + 2))
dial() { curl -s -o "$T/r.json" -w '%{http_code}' -H "Authorization: Bearer test-token" -X POST -d "$1" "$U"; }

make_agent agent.xml answer-bye 4000
make_agent customer.xml answer
register 1001 alice-1001 "$PEER_PORTS" || { not_ok "agent registers" "see $T"; finish; }
sipp_bg agent agent.xml "$PEER_PORTS" -mp "$MEDIA_PORT0" -m 1 >/dev/null
sipp_bg customer customer.xml "$CUST_PORT" -mp "$MEDIA_PORT1" -m 1 >/dev/null
sleep 0.3

c=$(dial '{"agent":"1001","to":"tel:+4930123"}')
check "a non-SIP target: 400 naming to" bash -c "[ $c = 400 ] && grep -q '\"message\":\"to:' '$T/r.json'"
c=$(dial '{"agent":"9999","to":"sip:0555@127.0.0.1"}')
check "an unknown agent: 404" test "$c" = 404
c=$(dial '{"agent":"1002","to":"sip:0555@127.0.0.1"}')
check "an agent without a phone: 409" bash -c "[ $c = 409 ] && grep -q agent_unreachable '$T/r.json'"
c=$(dial '{"agent":"1001","to":"sip:0555@127.0.0.1","colour":1}')
check "an unknown field: 400" test "$c" = 400

c=$(dial "{\"agent\":\"1001\",\"to\":\"sip:0555@127.0.0.1:$CUST_PORT\"}")
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("id",""))' "$T/r.json")
check "placed: 201 with the call's id" bash -c "[ $c = 201 ] && [ -n '$id' ]"
row=$(wait_for "select outcome || '|' || caller || '|' || called || '|' || agent || '|' || recording from calls where id = '$id' and ended > 0" 20)
wait_peers 5
IFS='|' read -r outcome caller called agent rec <<<"$row"
check "answered, from 1001 to 0555 ($row)" test "$outcome|$caller|$called|$agent" = "answered|1001|0555|1001"
order=$(db "select group_concat(type, ',') from (select type from events where call = '$id' and type in ('call.created','agent.ringing','call.callback_dialled','call.answered','call.ended') order by id)")
check "the agent first, then the customer ($order)" \
	test "$order" = "call.created,agent.ringing,call.callback_dialled,call.answered,call.ended"
check "outbound in call.created" \
	test "$(db "select json_extract(data, '$.direction') from events where call = '$id' and type = 'call.created'")" = outbound
check "the customer's phone saw the agent's extension as caller" grep -q "^From: <sip:1001@127.0.0.1>" "$T/customer.msg"
check "recorded with both sides" check_recording "$T/data/$rec" 3.4
# the interactions: the call is a voice one placed outbound; /calls is the
# voice view of the same rows, a chat (as the chat adapter stores it) is
# only among the interactions
check "stored as voice, outbound" \
	test "$(db "select channel || '|' || direction from calls where id = '$id'")" = "voice|outbound"
api "/api/v1/interactions?channel=voice" >"$T/ia.json"
check "listed among the voice interactions, outbound" python3 -c '
import json, sys
l = json.load(open(sys.argv[1]))["interactions"]
sys.exit(not any(i["id"] == sys.argv[2] and i["channel"] == "voice" and i["direction"] == "outbound" for i in l))' "$T/ia.json" "$id"
api "/api/v1/interactions/$id" >"$T/one.json"
check "one interaction with its events" python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
sys.exit(not (o["channel"] == "voice" and any(e["type"] == "call.ended" for e in o["events"])))' "$T/one.json"
db "insert into calls (id, caller, created, ended, outcome, channel, direction) values ('chat1', 'visitor-7', 1, 2, 'answered', 'chat', 'inbound')"
api "/api/v1/interactions?channel=chat" >"$T/chat.json"
check "a chat among the chat interactions only" python3 -c '
import json, sys
l = json.load(open(sys.argv[1]))["interactions"]
sys.exit(not ([i["id"] for i in l] == ["chat1"] and l[0]["channel"] == "chat"))' "$T/chat.json"
api "/api/v1/calls" >"$T/calls.json"
check "not among the calls" python3 -c '
import json, sys
l = json.load(open(sys.argv[1]))["calls"]
sys.exit(not (l and all(i["channel"] == "voice" for i in l)))' "$T/calls.json"
c=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer test-token" "http://127.0.0.1:$HTTP_PORT/api/v1/calls/chat1")
check "a chat is no call: 404" test "$c" = 404
c=$(curl -s -o "$T/bad.json" -w '%{http_code}' -H "Authorization: Bearer test-token" "http://127.0.0.1:$HTTP_PORT/api/v1/interactions?channel=fax")
check "an unknown channel: 400 naming it" bash -c "[ $c = 400 ] && grep -q 'channel:' '$T/bad.json'"
# the customer's timeline shows each item's real channel
cust=$(curl -s -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' \
	-d '{"name":"Vi Sitor"}' "http://127.0.0.1:$HTTP_PORT/api/v1/customers" |
	python3 -c 'import json,sys; print(json.load(sys.stdin).get("id",""))')
db "update calls set customer = '$cust' where id in ('chat1', '$id')"
api "/api/v1/customers/$cust/timeline" >"$T/tl.json"
check "the timeline: a chat and a call, each its channel" python3 -c '
import json, sys
l = json.load(open(sys.argv[1]))["timeline"]
got = sorted((i["kind"], i["channel"]) for i in l)
sys.exit(got != [("call", "voice"), ("interaction", "chat")])' "$T/tl.json"
api "/api/v1/queues" >"$T/queues.json"
check "queues tell their channel" python3 -c '
import json, sys
l = json.load(open(sys.argv[1]))["queues"]
sys.exit(not (l and all(q["channel"] == "voice" for q in l)))' "$T/queues.json"
finish
