#!/usr/bin/env bash
# Agent presence: the phone's feature codes (*51 pause, *52 resume, *59
# log out, *50 log in) and the API change it; a paused agent is skipped
# by routing; every change is an agent.state event; nonsense is refused.
source "$(dirname "$0")/lib.sh"
start_hotline
u="http://127.0.0.1:$HTTP_PORT/api/v1/agents"
auth="Authorization: Bearer test-token"
state() { curl -s -H "$auth" "$u/$1" | python3 -c 'import json,sys; a=json.load(sys.stdin); print(a["state"] + ":" + a["reason"])'; }

# the feature-code call: answered, a confirmation is spoken, hotline hangs up
make_caller feature.xml "0 8 101" "$blk_answered
$blk_wait_bye"
feature() { # EXT CODE
	sipp_run "feature-$1-${2#\*}" feature.xml "$CALLER_PORT" -s "$2" -key caller "$1" \
		-mp "$MEDIA_PORT2"
}

feature 1001 '*51'
check "*51: answered, confirmed, hung up" test $? -eq 0
check "*51: 1001 is paused (first reason code)" test "$(state 1001)" = "paused:break"

# a sales call skips the paused 1001 (first member) and rings 1002
make_agent agent.xml answer
agent_up 1001 alice-1001 "$AGENT_PORT1" "$MEDIA_PORT0" agent.xml || finish
agent_up 1002 bob-1002 "$AGENT_PORT2" "$MEDIA_PORT1" agent.xml || finish
make_ivr_caller caller.xml rfc4733 1 2000
sipp_run caller caller.xml "$CALLER_PORT" -s 5000 -key caller 0701 -mp "$MEDIA_PORT2"
check "sales call completes" test $? -eq 0
row=$(wait_for "select agent from calls where caller = '0701' and ended > 0" 5)
check "the paused agent was skipped: 1002 answered" test "$row" = 1002
wait_peers

feature 1001 '*52'
check "*52: 1001 is available again" test "$(state 1001)" = "available:"
feature 1001 '*59'
check "*59: 1001 is logged out" test "$(state 1001)" = "logged_out:"
c=$(curl -s -o "$T/b.json" -w '%{http_code}' -H "$auth" -X POST -d '{"state":"paused"}' "$u/1001/state")
check "API: pausing a logged-out agent is 409" test "$c" = 409
feature 1001 '*50'
check "*50: 1001 is logged in" test "$(state 1001)" = "available:"

c=$(curl -s -o "$T/b.json" -w '%{http_code}' -H "$auth" -X POST -d '{"state":"paused","reason":"lunch"}' "$u/1001/state")
check "API: pause with reason lunch" bash -c "[ '$c' = 200 ] && [ '$(state 1001)' = 'paused:lunch' ]"
c=$(curl -s -o "$T/b.json" -w '%{http_code}' -H "$auth" -X POST -d '{"state":"paused","reason":"nap"}' "$u/1001/state")
check "API: a reason not configured is 400 naming reason" \
	bash -c "[ '$c' = 400 ] && grep -q '\"reason: ' '$T/b.json'"
c=$(curl -s -o "$T/b.json" -w '%{http_code}' -H "$auth" -X POST -d '{"state":"asleep"}' "$u/1001/state")
check "API: a state that does not exist is 400" test "$c" = 400
c=$(curl -s -o "$T/b.json" -w '%{http_code}' -H "$auth" -X POST -d '{"state":"paused"}' "$u/7777/state")
check "API: an unknown agent is 404" test "$c" = 404
c=$(curl -s -o "$T/b.json" -w '%{http_code}' -H "$auth" -X POST -d 'nonsense' "$u/1001/state")
check "API: malformed JSON is 400" test "$c" = 400
check "API: lists all four agents" \
	test "$(curl -s -H "$auth" "$u" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["agents"]))')" = 4

sleep 0.3
ev=$(db "select group_concat(data, ' ') from (select data from events where type = 'agent.state' and agent = '1001' order by id)")
check "every change is an agent.state event" test "$ev" = '{"state":"paused","reason":"break"} {"state":"available","reason":""} {"state":"logged_out","reason":""} {"state":"available","reason":""} {"state":"paused","reason":"lunch"}'
check "feature-code calls are not stored as interactions" \
	test "$(db "select count(*) from calls where called like '*%'")" = 0
c=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$HTTP_PORT/api/v1/agents/1001/state")
check "API: no token is 401" test "$c" = 401

# wrap-up: queue "wrap" gives 1004 3 s of after-call work; a second call
# waiting meanwhile is offered only when it is over
make_agent agent-twice.xml answer
register 1004 dave-1004 "$AGENT_PORT2" || not_ok "1004 registers" "see $T"
sipp_bg agent-1004-twice agent-twice.xml "$AGENT_PORT2" -mp "$MEDIA_PORT1" -m 2 >/dev/null
sleep 0.3
make_caller short-call.xml "0 8 101" "$blk_answered
$(play "$PCAP_AUDIO")
$(pause 1500)
$blk_bye"
sipp_run wrap1 short-call.xml "$CALLER_PORT" -s 5003 -key caller 0801 -mp "$MEDIA_PORT2"
check "wrap-up: first call completes" test $? -eq 0
make_caller long-call.xml "0 8 101" "$blk_answered
$(play "$PCAP_AUDIO")
$(pause 6000)
$blk_bye"
sipp_run wrap2 long-call.xml "$CALLER_PORT" -s 5003 -key caller 0802 -mp "$MEDIA_PORT2"
check "wrap-up: second call completes" test $? -eq 0
gap=$(wait_for "select b.answered - a.ended from calls a, calls b where a.caller = '0801' and b.caller = '0802' and b.ended > 0" 5)
echo "# wrap-up gap: $gap ms" >&2
check "wrap-up: the second call waited for the 3 s of after-call work" \
	test "${gap:-0}" -ge 2900
wait_peers
finish
