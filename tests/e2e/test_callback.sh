#!/usr/bin/env bash
# Callback (virtual hold): a caller waiting in a queue whose only agent
# is paused presses 5, hears the confirmation and is hung up, keeping its
# place. When the agent becomes available, hotline rings the agent first,
# then calls the customer back at the Contact of its first call (another
# SIPp, the caller's "phone"), bridges and records them. Then the same by
# rule: a queue whose max wait overflows to "callback".
source "$(dirname "$0")/lib.sh"
cat > "$T/tenant.yaml" <<'YAML'
name: Callback
agents:
  - {ext: "3101", name: Agent, password: pw-3101}
pause_reasons: [break]
queues:
  - {name: cb, strategy: longest-idle, members: ["3101"], callback_key: "5",
     ring_timeout: 10s}
  - {name: cbt, strategy: longest-idle, members: ["3101"], max_wait: 3s,
     overflow: callback, ring_timeout: 10s}
numbers:
  - {number: "7101", flow: cb}
  - {number: "7102", flow: cbt}
flows:
  - name: cbt
    start: q
    nodes:
      - {id: q, type: queue, queue: cbt}
  - name: cb
    start: q
    nodes:
      - {id: q, type: queue, queue: cb}
YAML
TENANT=$T/tenant.yaml
RTP_MIN=$WIDE_RTP_MIN
RTP_MAX=$WIDE_RTP_MAX
write_config
start_hotline
CB_PORT=$((PEER_PORTS + 1))

# the agent answers and hangs up after 3 s; the customer's phone answers
# the callback and waits for the BYE
make_agent agent.xml answer-bye 3000
# The caller's phone: the same SIPp takes the BYE that ends the first
# call (its Contact points here) and then the callback's INVITE.
cat > "$T/phone.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<scenario name="phone">
  <recv request="BYE" optional="true" next="bye"/>
  <recv request="INVITE" crlf="true" rrs="true"/>
  <send>
    <![CDATA[
      SIP/2.0 180 Ringing
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]A[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0

    ]]>
  </send>
$agent_200
$(play "$PCAP_AUDIO")
  <recv request="BYE" timeout="60000"/>
  <label id="bye"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
</scenario>
XML
register 3101 pw-3101 "$PEER_PORTS" || { not_ok "agent registers" "see $T"; finish; }
sipp_bg agent agent.xml "$PEER_PORTS" -mp "$MEDIA_PORT0" -m 2 >/dev/null
sipp_bg phone phone.xml "$CB_PORT" -mp "$MEDIA_PORT1" -m 4 >/dev/null
curl -s -o /dev/null -H "Authorization: Bearer test-token" -X POST \
	-d '{"state":"paused"}' "http://127.0.0.1:$HTTP_PORT/api/v1/agents/3101/state"

make_caller caller.xml "0 8 101" "$blk_answered
$(pause 1500)
$(play /usr/share/sip-tester/dtmf_2833_5.pcap)
$(pause 6000)"
sed -i "s|^\( *Contact: <sip:\[caller\]@\[local_ip\]:\)\[local_port\]>|\1$CB_PORT>|" "$T/caller.xml"
sipp_run caller caller.xml "$CALLER_PORT" -s 7101 -key caller 0961 -mp "$MEDIA_PORT2"
check "the caller asks for a callback" test $? -eq 0
sleep 0.5
check "the BYE reached the caller's phone" grep -q "^BYE sip:" "$T/phone.msg"
check "queue.callback event" test -n "$(wait_for "select 1 from events where type = 'queue.callback'" 3)"
check "still waiting in the queue" \
	bash -c "curl -s -H 'Authorization: Bearer test-token' http://127.0.0.1:$HTTP_PORT/api/v1/queues/cb | grep -q '\"waiting\":1'"

curl -s -o /dev/null -H "Authorization: Bearer test-token" -X POST \
	-d '{"state":"available"}' "http://127.0.0.1:$HTTP_PORT/api/v1/agents/3101/state"
row=$(wait_for "select outcome || '|' || agent || '|' || recording from calls where caller = '0961' and ended > 0" 20)
IFS='|' read -r outcome agent rec <<<"$row"
check "the callback is answered by 3101 ($row)" test "$outcome|$agent" = "answered|3101"
order=$(db "select group_concat(type, ',') from (select type from events where type in ('queue.callback','agent.ringing','queue.answered','call.callback_dialled','call.answered') order by id)")
check "agent rung and answering first, then the customer dialled, then connected" \
	test "$order" = "queue.callback,agent.ringing,queue.answered,call.callback_dialled,call.answered"
check "the customer's phone got the INVITE from the dialled number" \
	grep -q "^From: <sip:7101@127.0.0.1>" "$T/phone.msg"
check "the conversation is recorded with both sides" check_recording "$T/data/$rec" 2.4

# by rule: max wait 3 s, overflow callback
curl -s -o /dev/null -H "Authorization: Bearer test-token" -X POST \
	-d '{"state":"paused"}' "http://127.0.0.1:$HTTP_PORT/api/v1/agents/3101/state"
make_caller waiter.xml "0 8 101" "$blk_answered
$(pause 9000)"
sed -i "s|^\( *Contact: <sip:\[caller\]@\[local_ip\]:\)\[local_port\]>|\1$CB_PORT>|" "$T/waiter.xml"
sipp_run waiter waiter.xml "$CALLER_PORT" -s 7102 -key caller 0962 -mp "$MEDIA_PORT2"
ev=$(db "select group_concat(type || ':' || coalesce(json_extract(data, '$.to'), json_extract(data, '$.callback'), ''), ',') from (select e.type, e.data from events e join calls c on e.call = c.id where c.caller = '0962' and e.type like 'queue.%' order by e.id)")
check "max wait sends the caller to a callback ($ev)" \
	test "$ev" = "queue.entered:,queue.exited:callback,queue.entered:1,queue.callback:"
check "the caller was hung up (the third BYE its phone got)" test "$(grep -c '^BYE sip:' "$T/phone.msg")" = 3
curl -s -o /dev/null -H "Authorization: Bearer test-token" -X POST \
	-d '{"state":"available"}' "http://127.0.0.1:$HTTP_PORT/api/v1/agents/3101/state"
row=$(wait_for "select outcome || '|' || agent from calls where caller = '0962' and ended > 0" 20)
check "called back and answered by 3101 ($row)" test "$row" = "answered|3101"
wait_peers 5
finish
