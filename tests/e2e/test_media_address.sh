#!/usr/bin/env bash
# media.address unset (the shipped default): RTP listens on every address
# and each leg's SDP names where its phone reaches us: the caller's the
# address its INVITE came in on, the agent's the one that routes to its
# phone (both 127.0.0.1 here, never the default route's address nor
# 0.0.0.0); the From of the INVITE to the agent names it too. Audio flows
# both ways (the recording has both sides).
source "$(dirname "$0")/lib.sh"
write_config
sed -i '/^  address: 127.0.0.1$/d' "$T/hotline.yaml"
start_hotline
check "RTP on every address" grep -q "media: engine up addr=any" "$T/hotline.log"

# received_c FILE METHOD-OR-STATUS: the c= line of the first message of
# that kind SIPp received (its -trace_msg file)
received_c() {
	awk -v want="$2" '
		/message received/ { inmsg = 1; first = 1; next }
		/^----/ || /message sent/ { inmsg = 0 }
		inmsg && first && NF { hit = index($0, want) == 1; first = 0 }
		inmsg && hit && /^c=/ { sub(/\r$/, ""); print; exit }' "$1"
}

make_agent agent-direct.xml answer
agent_up 1002 bob-1002 "$AGENT_PORT1" "$MEDIA_PORT0" agent-direct.xml || finish
make_caller caller-direct.xml "0 8 101" "$blk_answered
$(play "$PCAP_AUDIO")
$(pause 3000)
$blk_bye"
sipp_run caller-direct caller-direct.xml "$CALLER_PORT" -s 1002 -key caller 1001 \
	-mp "$MEDIA_PORT2"
check "a call to an extension is answered" test $? -eq 0
wait_peers
c=$(received_c "$T/agent-1002-agent-direct.msg" "INVITE ")
check "the agent's INVITE offers 127.0.0.1 (got: $c)" test "$c" = "c=IN IP4 127.0.0.1"
check "its From names 127.0.0.1 (with the caller's display name as sent)" \
	grep -q '^From: "Caller" <sip:1001@127.0.0.1>' "$T/agent-1002-agent-direct.msg"
c=$(received_c "$T/caller-direct.msg" "SIP/2.0 200")
check "the caller's answer names 127.0.0.1 (got: $c)" test "$c" = "c=IN IP4 127.0.0.1"
row=$(wait_for "select recording, answered, ended from calls where caller = '1001' and ended > 0" 5)
IFS='|' read -r rec answered ended <<<"$row"
check "audio both ways through RTP on every address" check_recording "$T/data/$rec" \
	"$(awk -v a="$answered" -v e="$ended" 'BEGIN { printf "%.2f", (e - a) / 1000 }')"
finish
