#!/usr/bin/env bash
# Click-to-call (POST /api/v1/calls): hotline rings the agent's phone
# first; when the agent answers it calls the customer, then bridges and
# records them like any call. Bad requests are refused with the field
# named; an agent without a phone is a 409.
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
finish
