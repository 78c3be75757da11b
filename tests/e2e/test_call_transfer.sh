#!/usr/bin/env bash
# Attended transfer (RFC 3515 REFER with an RFC 3891 Replaces): agent
# 1001 takes a sales call, calls 1003 from its phone to talk first (the
# consultation call), then transfers: the caller and 1003 are joined,
# both of 1001's calls end, the consultation call ends, the caller's call
# carries on with 1003 to its end, and the transfer is an event.
source "$(dirname "$0")/lib.sh"
start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
curl -s -o /dev/null -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' \
	-d '{"state":"paused","reason":"lunch"}' "$URL/api/v1/agents/1002/state"

# 1001's phone, receiving the sales call: answers, talks, then REFERs
# with Replaces naming its consultation call
make_agent_custom agent-xfer.xml "$(pause 6500)
$(agent_req REFER 2 "
      Refer-To: <sip:1003@127.0.0.1?Replaces=consult-1%40127.0.0.1>
      Referred-By: <sip:1001@127.0.0.1>")
  <recv response=\"202\"/>
$blk_wait_bye"
# 1003's phone: answers the consultation call, stays to the end
make_agent agent-target.xml answer
agent_up 1001 alice-1001 "$AGENT_PORT1" "$MEDIA_PORT0" agent-xfer.xml || finish
agent_up 1003 carol-1003 "$AGENT_PORT2" "$MEDIA_PORT1" agent-target.xml || finish
# 1001's phone again, placing the consultation call (its Call-ID is
# consult-1@127.0.0.1, which the REFER names); hotline hangs it up when
# the transfer is done
make_caller consult.xml "0 8 101" "$blk_answered
$(play "$PCAP_AUDIO")
$blk_wait_bye"
# the customer: 1 for sales, talks, hangs up after 16 s
make_ivr_caller caller.xml rfc4733 1 16000
sipp_bg caller caller.xml "$CALLER_PORT" -s 5000 -key caller 0403 -m 1 -mp "$MEDIA_PORT2" >/dev/null
x=$(wait_for "SELECT id FROM calls WHERE caller='0403' AND agent='1001' AND answered > 0" 15)
check "1001 answers the sales call" test -n "$x"
sipp_bg consult consult.xml "$CALLER_PORT2" -s 1003 -key caller 1001 -m 1 -mp "$((PEER_PORTS + 10))" \
	-cid_str 'consult-%u@%s' >/dev/null
y=$(wait_for "SELECT id FROM calls WHERE caller='1001' AND called='1003' AND answered > 0" 10)
check "1001 consults 1003 on a second call" test -n "$y"
ev=$(wait_for "SELECT data FROM events WHERE call='$x' AND type='call.transferred'" 15)
check "the attended transfer is an event naming the consultation" \
	test "$ev" = "{\"to\":\"1003\",\"kind\":\"attended\",\"consult\":\"$y\"}"
check "the queue counts it as transferred, attended" \
	test -n "$(db "SELECT 1 FROM events WHERE call='$x' AND type='queue.transferred' AND data LIKE '%\"kind\":\"attended\"%'")"
check "the consultation call ends" \
	test "$(wait_for "SELECT hangup_reason FROM calls WHERE id='$y' AND ended > 0" 5)" = "attended transfer"
check "the caller talks on with 1003" test "$(db "SELECT ended = 0 FROM calls WHERE id='$x'")" = 1
wait_peers 30
check "the call ends at the caller's hang-up, answered by 1003" \
	test "$(wait_for "SELECT outcome || '/' || agent || '/' || hangup_side FROM calls WHERE id='$x' AND ended > 0" 10)" = "answered/1003/caller"
for f in agent-1001-agent-xfer consult agent-1003-agent-target caller; do
	check "$f: its SIPp scenario completed" grep -q "Successful call.*|.*1 " "$T/$f.out"
done
st() { curl -s -H "Authorization: Bearer test-token" "$URL/api/v1/agents/$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])'; }
check "both agents are free again" test "$(st 1001)/$(st 1003)" = available/available
stop_hotline
"$HOTLINE" export-queue-log --config "$T/hotline.yaml" > "$T/queue_log" 2>"$T/export.err"
check "queue_log: the transfer is an ATTENDEDTRANSFER to 1003" \
	grep -q "|$x|sales|1001|ATTENDEDTRANSFER|BRIDGE|1003|" "$T/queue_log"
finish
