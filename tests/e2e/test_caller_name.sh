#!/usr/bin/env bash
# The caller's display name (SIP From's, issue 14) is kept as the phone
# sent it: 张伟 "VIP" (a quoted-string with quoted-pairs) reaches the call
# row, call.created, agent.ringing, the API and the agent's phone, quotes
# and all; nothing rewrites it. A name that is not text (a control
# character) is left out, the call goes on; a number that is not text or
# would break our From (a quote) refuses the INVITE (400), never rewritten.
source "$(dirname "$0")/lib.sh"
start_hotline

make_agent agent.xml answer
agent_up 1003 carol-1003 "$AGENT_PORT1" "$MEDIA_PORT0" agent.xml || finish
make_ivr_caller caller.xml rfc4733 2 2000
sed -i 's|From: "Caller"|From: "张伟 \\"VIP\\""|' "$T/caller.xml"
sipp_run caller caller.xml "$CALLER_PORT" -s 5000 -key caller 4155550188 -mp "$MEDIA_PORT2"
check "张伟's call completes" test $? -eq 0
wait_peers
id=$(wait_for "SELECT id FROM calls WHERE caller = '4155550188' AND ended > 0" 5)
check "the call row has his name as sent" \
	test "$(db "SELECT caller_name FROM calls WHERE id = '$id'")" = '张伟 "VIP"'
check "... so have call.created and agent.ringing" \
	test "$(db "SELECT group_concat(type || '=' || json_extract(data, '\$.caller_name'), '|') FROM (SELECT * FROM events WHERE call = '$id' AND type IN ('call.created', 'agent.ringing') ORDER BY id)")" = 'call.created=张伟 "VIP"|agent.ringing=张伟 "VIP"'
check "... and the API's call" \
	test "$(api "/api/v1/calls/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["caller_name"])')" = '张伟 "VIP"'
check "the agent's phone is rung with his name, quoted-pairs and all" \
	grep -qF 'From: "张伟 \"VIP\"" <sip:4155550188@' "$T/agent-1003-agent.msg"

# a name with a control character in it: left out, the call goes on
make_ivr_caller bad.xml rfc4733 "" 500
sed -i "s|From: \"Caller\"|From: \"Bad$(printf '\x01')Name\"|" "$T/bad.xml"
sipp_run bad bad.xml "$CALLER_PORT" -s 5000 -key caller 4155550199 -mp "$MEDIA_PORT2"
row=$(wait_for "SELECT outcome || '/[' || caller_name || ']' FROM calls WHERE caller = '4155550199' AND ended > 0" 5)
check "a name that is not text is left out (logged), the call goes on" \
	bash -c "[[ '$row' == */[] ]] && grep -q 'display name left out: a control character' '$T/hotline.log'"

# a number with a quote in it: the INVITE refused, nothing stored
make_refused_caller quote.xml "0 8" 400
sipp_run quote quote.xml "$CALLER_PORT" -s 5000 -key caller '41"55' -mp "$MEDIA_PORT2"
check "a caller number with a quote: 400, no call stored" \
	bash -c "[ $? -eq 0 ] && [ \"\$(sqlite3 '$T/data/hotline.db' \"SELECT count(*) FROM calls WHERE caller LIKE '41%55'\")\" = 0 ]"
finish
