#!/usr/bin/env bash
# SIP over TCP: a caller on TCP goes through the IVR (RFC 4733 digit 1)
# to an agent whose phone registered over TCP.
source "$(dirname "$0")/lib.sh"
start_hotline

make_agent agent.xml answer
sipp_run register-tcp register.xml "$AGENT_PORT1" -t t1 -key user 1002 -au 1002 \
	-ap bob-1002 -key expires 600
check "agent registers over TCP" test $? -eq 0
sipp_bg agent-tcp agent.xml "$AGENT_PORT1" -t t1 -mp "$MEDIA_PORT0" -m 1 >/dev/null
sleep 0.3
make_ivr_caller caller.xml rfc4733 1 3000
sipp_run caller caller.xml "$CALLER_PORT" -t t1 -s 5000 -key caller 0601 \
	-mp "$MEDIA_PORT2"
check "TCP caller's call completes" test $? -eq 0
wait_peers
row=$(wait_for "select outcome, queue, agent from calls where caller = '0601' and ended > 0" 5)
check "answered in sales by the TCP agent" test "$row" = "answered|sales|1002"
finish
