#!/usr/bin/env bash
# Ring no answer: the agent offered first (1003: both are idle since the
# start, and a tie goes to the first member of the queue) does not answer
# within the queue's ring timeout (4 s); hotline cancels that offer and
# rings the next agent (1004), who answers.
source "$(dirname "$0")/lib.sh"
start_hotline

make_agent agent-ring.xml noanswer
make_agent agent-ok.xml answer
agent_up 1003 carol-1003 "$AGENT_PORT1" "$MEDIA_PORT0" agent-ring.xml || finish
agent_up 1004 dave-1004 "$AGENT_PORT2" "$MEDIA_PORT1" agent-ok.xml || finish
make_ivr_caller caller.xml rfc4733 2 9000
sipp_run caller caller.xml "$CALLER_PORT" -s 5000 -key caller 0501 -mp "$MEDIA_PORT2"
check "caller's call completes" test $? -eq 0
wait_peers
row=$(wait_for "select outcome, agent from calls where caller = '0501' and ended > 0" 5)
rung=$(db "select group_concat(agent, ',') from (select e.agent from events e join calls c on e.call = c.id where c.caller = '0501' and e.type = 'agent.ringing' order by e.id)")
rna=$(db "select e.agent || ':' || e.data from events e join calls c on e.call = c.id where c.caller = '0501' and e.type = 'agent.noanswer'")
check "1003 rung first, then 1004" test "$rung" = "1003,1004"
check "1003 did not answer in time (408)" bash -c "[[ '$rna' == '1003:{\"code\":408,\"ring_ms\":'* ]]"
check "1004 answered" test "$row" = "answered|1004"
check "1003's phone got CANCEL" grep -q "^CANCEL sip:" "$T/agent-1003-agent-ring.msg"
finish
