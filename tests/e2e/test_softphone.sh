#!/usr/bin/env bash
# A real softphone: baresip 1.0 registers as agent 1003 (digest auth) and
# auto-answers a queued call from a SIPp caller who pressed 2 (support).
# baresip will not run with loopback alone, so the whole test runs in a
# private network namespace with a veth pair of its own (10.200.0.1 and
# 10.200.0.2): nothing leaves the machine.
if [ "${IN_NETNS:-}" != 1 ]; then
	if ! command -v baresip >/dev/null; then
		echo "not ok - softphone: baresip is not installed"; exit 1
	fi
fi
NETNS_DEV0=hl0 NETNS_DEV1=hl1 NETNS_A=10.200.0.1 NETNS_B=10.200.0.2
source "$(dirname "$0")/netns.sh"

source "$(dirname "$0")/lib.sh"
HOST=10.200.0.1
PHONE=10.200.0.2
write_config
sed -i "s/127.0.0.1:$SIP_PORT/$HOST:$SIP_PORT/; s/address: 127.0.0.1/address: $HOST/; s|trusted: \[127.0.0.0/8\]|trusted: [127.0.0.0/8, $HOST/32]|" "$T/hotline.yaml"
start_hotline

# baresip's own folder: config, account, an audio file to speak from
B="$T/baresip"
mkdir -p "$B"
sox -n -r 8000 -c 1 -b 16 "$B/voice.wav" synth 30 sine 300-900 vol 0.5
cat > "$B/config" <<CFG
poll_method		epoll
sip_listen		$PHONE:$((BASE + 46))
sip_trans_def		udp
net_interface		hl1
audio_path		/usr/share/baresip
audio_source		aufile,$B/voice.wav
audio_player		aubridge,nil
audio_alert		aubridge,nil
rtp_ports		$((BASE + 47))-$((BASE + 49))
module_path		/usr/lib/baresip/modules
module			g711.so
module			aufile.so
module			aubridge.so
module_app		account.so
module_app		contact.so
module_app		menu.so
CFG
echo "<sip:1003@$HOST:$SIP_PORT;transport=udp>;auth_pass=carol-1003;answermode=auto;regint=600" > "$B/accounts"
: > "$B/contacts"
baresip -f "$B" -t 60 </dev/null >"$T/baresip.log" 2>&1 &
SIPP_PIDS+=($!)

reg=$(wait_for "select aor from bindings where aor = '1003'" 10)
check "baresip registers as 1003 with digest auth" test "$reg" = 1003

make_ivr_caller caller.xml rfc4733 2 5000
(cd "$T" && sipp "$HOST:$SIP_PORT" -sf "$T/caller.xml" -i "$HOST" -p "$CALLER_PORT" \
	-mp "$MEDIA_PORT2" -m 1 -timeout 60s -timeout_error -nostdin -s 5000 \
	-key caller 0309 -trace_err -error_file "$T/caller.err" >"$T/caller.out" 2>&1)
check "caller's call completes" test $? -eq 0
row=$(wait_for "select outcome, queue, agent, recording, answered, ended from calls where caller = '0309' and ended > 0" 5)
IFS='|' read -r outcome queue agent rec answered ended <<<"$row"
check "answered by baresip (agent 1003) from the support queue" \
	test "$outcome|$queue|$agent" = "answered|support|1003"
check "recording has both voices" check_recording "$T/data/$rec" \
	"$(awk -v a="$answered" -v e="$ended" 'BEGIN { printf "%.2f", (e - a) / 1000 }')"
[ "$FAILS" -gt 0 ] && tail -n 30 "$T/baresip.log" >&2
finish
