#!/usr/bin/env bash
# Call control: the agent holds and resumes by re-INVITE (the caller hears
# music meanwhile); the agent transfers the caller blind by REFER to
# another agent; a direct call to an extension is answered; a call whose
# RTP stops is hung up.
RTP_TIMEOUT=3s
source "$(dirname "$0")/lib.sh"
start_hotline

# 1. hold and resume, then the caller hangs up
make_agent_custom agent-hold.xml "$(pause 1000)
$(agent_req INVITE 2 "" sendonly)
  <recv response=\"200\"/>
$(agent_ack 2)
$(pause 1500)
$(agent_req INVITE 3 "" sendrecv)
  <recv response=\"200\"/>
$(agent_ack 3)
$blk_wait_bye"
agent_up 1003 carol-1003 "$AGENT_PORT1" "$MEDIA_PORT0" agent-hold.xml || finish
make_ivr_caller caller-hold.xml rfc4733 2 5000
sipp_run caller-hold caller-hold.xml "$CALLER_PORT" -s 5000 -key caller 0401 \
	-mp "$MEDIA_PORT2"
check "hold: call completes" test $? -eq 0
wait_peers
check "hold: agent's re-INVITEs accepted" grep -q "Successful call.*|.*1 " "$T/agent-1003-agent-hold.out"
# the events are written by the store's thread: wait for the last one
wait_for "select 1 from events e join calls c on e.call = c.id where c.caller = '0401' and e.type = 'call.ended'" 10 >/dev/null
ev=$(wait_for "select group_concat(type, ',') from (select e.type from events e join calls c on e.call = c.id where c.caller = '0401' and e.type like 'call.%' order by e.id)" 3)
check "hold: held and resumed are events" test "$ev" = "call.created,call.answered,call.held,call.resumed,call.ended"

# 2. blind transfer by REFER from 1004 (idle longest, so offered first)
#    to 1003
make_agent_custom agent-refer.xml "$(pause 1000)
$(agent_req REFER 2 "
      Refer-To: <sip:1003@127.0.0.1>
      Referred-By: <sip:1004@127.0.0.1>")
  <recv response=\"202\"/>
$blk_wait_bye"
make_agent agent-target.xml answer
agent_up 1004 dave-1004 "$AGENT_PORT2" "$MEDIA_PORT1" agent-refer.xml || finish
agent_up 1003 carol-1003 "$AGENT_PORT1" "$MEDIA_PORT0" agent-target.xml || finish
make_ivr_caller caller-refer.xml rfc4733 2 6000
sipp_run caller-refer caller-refer.xml "$CALLER_PORT" -s 5000 -key caller 0402 \
	-mp "$MEDIA_PORT2"
check "REFER: call completes" test $? -eq 0
wait_peers
row=$(wait_for "select outcome, agent from calls where caller = '0402' and ended > 0" 5)
check "REFER: the caller ends up with 1003" test "$row" = "answered|1003"
ev=$(db "select data from events e join calls c on e.call = c.id where c.caller = '0402' and e.type = 'call.transferred'")
check "REFER: the transfer is an event" test "$ev" = '{"to":"1003","kind":"blind"}'

# 3. a direct call to an extension, answered
make_agent agent-direct.xml answer
agent_up 1002 bob-1002 "$AGENT_PORT1" "$MEDIA_PORT0" agent-direct.xml || finish
make_caller caller-direct.xml "0 8 101" "$blk_answered
$(play "$PCAP_AUDIO")
$(pause 3000)
$blk_bye"
sipp_run caller-direct caller-direct.xml "$CALLER_PORT" -s 1002 -key caller 1001 \
	-mp "$MEDIA_PORT2"
check "extension call: answered" test $? -eq 0
wait_peers
row=$(wait_for "select outcome, agent, queue from calls where caller = '1001' and ended > 0" 5)
check "extension call: stored with the agent, no queue" test "$row" = "answered|1002|"

# 4. RTP stops: hotline hangs up (the caller sends no audio, waits)
make_caller caller-silent.xml "0 8 101" "$blk_answered
$blk_wait_bye"
sipp_run caller-silent caller-silent.xml "$CALLER_PORT" -s 5000 -key caller 0404 \
	-mp "$MEDIA_PORT2"
check "RTP timeout: hotline sends BYE" test $? -eq 0
row=$(wait_for "select hangup_side, hangup_reason from calls where caller = '0404' and ended > 0" 5)
check "RTP timeout: stored" test "$row" = "system|rtp timeout"
finish
