#!/usr/bin/env bash
# Calls from outside the trusted networks (phones, not trunks) must prove
# who they are: an INVITE without credentials is challenged with 407,
# wrong credentials get 403, the agent's own credentials go through and
# ring the extension dialled.
TRUSTED='[192.0.2.0/24]'
source "$(dirname "$0")/lib.sh"
start_hotline

make_agent agent.xml answer
agent_up 1002 bob-1002 "$AGENT_PORT1" "$MEDIA_PORT0" agent.xml || finish

invite=$phone_invite
ack407=$ack_first

make_caller caller-auth.xml "0 8 101" "  <recv response=\"100\" optional=\"true\"/>
  <recv response=\"407\" auth=\"true\"/>
$ack407
  <send retrans=\"500\">
    <![CDATA[
$invite
    ]]>
  </send>
$blk_answered
$(play "$PCAP_AUDIO")
$(pause 2000)
$blk_bye"
sipp_run caller-auth caller-auth.xml "$CALLER_PORT" -s 1002 -key caller 1001 \
	-au 1001 -ap alice-1001 -mp "$MEDIA_PORT2"
check "untrusted caller: 407, then through with the agent's credentials" test $? -eq 0
wait_peers
row=$(wait_for "select outcome, agent from calls where caller = '1001' and ended > 0" 5)
check "the authenticated call reached 1002" test "$row" = "answered|1002"

make_caller caller-bad.xml "0 8 101" "  <recv response=\"100\" optional=\"true\"/>
  <recv response=\"407\" auth=\"true\"/>
$ack407
  <send retrans=\"500\">
    <![CDATA[
$invite
    ]]>
  </send>
  <recv response=\"100\" optional=\"true\"/>
  <recv response=\"403\"/>
$ack407"
sipp_run caller-bad caller-bad.xml "$CALLER_PORT" -s 1002 -key caller 1001 \
	-au 1001 -ap wrong -mp "$MEDIA_PORT2"
check "untrusted caller with a wrong password: 403" test $? -eq 0
check "no call was stored for the refused attempt" \
	test "$(db "select count(*) from calls")" = 1
finish
