#!/usr/bin/env bash
# How calls end: the agent hangs up; a busy agent passes the call to the
# next agent of the queue; a caller cancels an extension call while it
# rings; an unknown number gets 404; an offer without a common codec 488;
# outside business hours the caller hears the closed message and hotline
# hangs up; nobody answers within the queue's max wait.
source "$(dirname "$0")/lib.sh"
start_hotline

# 1. agent hangs up (the caller waits for the BYE)
make_agent agent-bye.xml answer-bye 3000
agent_up 1003 carol-1003 "$AGENT_PORT1" "$MEDIA_PORT0" agent-bye.xml || finish
make_ivr_caller caller-wait.xml rfc4733 2 wait
sipp_run caller-wait caller-wait.xml "$CALLER_PORT" -s 5000 -key caller 0302 \
	-mp "$MEDIA_PORT2"
check "agent hangs up: caller gets the BYE" test $? -eq 0
row=$(wait_for "select outcome, agent, hangup_side from calls where caller = '0302' and ended > 0" 5)
check "agent hangs up: stored as answered, side agent" test "$row" = "answered|1003|agent"
wait_peers

# 2. busy agent, then the next one: 1004 (idle longest) answers 486,
#    then 1003 answers
make_agent agent-busy.xml busy
make_agent agent-ok.xml answer
agent_up 1004 dave-1004 "$AGENT_PORT2" "$MEDIA_PORT1" agent-busy.xml || finish
agent_up 1003 carol-1003 "$AGENT_PORT1" "$MEDIA_PORT0" agent-ok.xml || finish
make_ivr_caller caller-busy.xml rfc4733 2 3000
sipp_run caller-busy caller-busy.xml "$CALLER_PORT" -s 5000 -key caller 0303 \
	-mp "$MEDIA_PORT2"
check "busy agent: call completes" test $? -eq 0
row=$(wait_for "select outcome, agent from calls where caller = '0303' and ended > 0" 5)
echo "# busy row: $row" >&2
check "busy agent: answered by the next agent (1003)" test "$row" = "answered|1003"
ev=$(db "select count(*) from events e join calls c on e.call = c.id where c.caller = '0303' and e.type = 'agent.noanswer' and e.agent = '1004'")
check "busy agent: the refusal is an event" test "$ev" = 1
wait_peers

# 3. CANCEL while an extension rings
make_agent agent-ring.xml noanswer
agent_up 1002 bob-1002 "$AGENT_PORT1" "$MEDIA_PORT0" agent-ring.xml || finish
make_caller caller-cancel.xml "0 8 101" '  <recv response="100" optional="true"/>
  <recv response="180"/>
  <pause milliseconds="1000"/>
  <send>
    <![CDATA[
      CANCEL sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      [last_Via:]
      From: "Caller" <sip:[caller]@[local_ip]:[local_port]>;tag=[pid]C[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 CANCEL
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>
  <recv response="487"/>
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      [last_Via:]
      From: "Caller" <sip:[caller]@[local_ip]:[local_port]>;tag=[pid]C[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>'
sipp_run caller-cancel caller-cancel.xml "$CALLER_PORT" -s 1002 -key caller 0304 \
	-mp "$MEDIA_PORT2"
check "CANCEL: caller gets 487" test $? -eq 0
row=$(wait_for "select outcome, hangup_side, hangup_cause from calls where caller = '0304' and ended > 0" 5)
check "CANCEL: stored as abandoned by the caller" test "$row" = "abandoned|caller|487"
wait_peers
check "CANCEL: the agent's phone stopped ringing (got CANCEL)" \
	grep -q "^CANCEL sip:" "$T/agent-1002-agent-ring.msg"

# 4. unknown number, 5. no common codec
make_refused_caller caller-404.xml "0 8" 404
sipp_run caller-404 caller-404.xml "$CALLER_PORT" -s 9999 -key caller 0305
check "unknown number: 404" test $? -eq 0
make_refused_caller caller-488.xml "18" 488
sipp_run caller-488 caller-488.xml "$CALLER_PORT" -s 5000 -key caller 0306
check "G.729-only offer: 488" test $? -eq 0
row=$(wait_for "select outcome, hangup_cause from calls where caller = '0306'" 5)
check "488 is stored as failed" test "$row" = "failed|488"

# 6. closed: the message, then hotline hangs up
make_caller caller-closed.xml "0 8 101" "$blk_answered
$blk_wait_bye"
start=$(date +%s)
sipp_run caller-closed caller-closed.xml "$CALLER_PORT" -s 5009 -key caller 0307 \
	-mp "$MEDIA_PORT2"
check "closed: hotline hangs up after the message" test $? -eq 0
took=$(( $(date +%s) - start ))
check "closed: the message played first (${took}s)" test "$took" -ge 3
row=$(wait_for "select outcome, ivr_path, hangup_side from calls where caller = '0307' and ended > 0" 5)
check "closed: stored" test "$row" = "ivr_hangup|check>closed>bye|system"

# 7. nobody answers within the queue's max wait (2 s): hotline ends the
#    call by rule, counted apart from abandons
make_caller caller-maxwait.xml "0 8 101" "$blk_answered
$(play "$PCAP_AUDIO")
$blk_wait_bye"
sipp_run caller-maxwait caller-maxwait.xml "$CALLER_PORT" -s 5002 -key caller 0308 \
	-mp "$MEDIA_PORT2"
check "max wait: hotline hangs up" test $? -eq 0
row=$(wait_for "select outcome, queue, hangup_side from calls where caller = '0308' and ended > 0" 5)
check "max wait: stored as exited_timeout" test "$row" = "exited_timeout|short|system"
finish
