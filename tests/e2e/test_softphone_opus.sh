#!/usr/bin/env bash
# Opus on a real softphone: baresip 1.0 with its opus module and no other
# codec, saying a 440 Hz tone, bridged to a G.711 SIPp peer that says
# back what it hears (-rtp_echo), so the recording has the tone on the
# G.711 side's channel only if that side heard it: the call is transcoded
# both ways on the media tick. First baresip is agent 1003 and answers
# our offer (Opus first) for a queued PCMU caller; then it calls in
# itself, offering Opus alone, and our answer takes it (its payload type)
# to a queue whose PCMA agent answers. As test_softphone, in a network
# namespace of its own (baresip will not run with loopback alone).
if [ "${IN_NETNS:-}" != 1 ]; then
	if ! command -v baresip >/dev/null; then
		echo "not ok - softphone opus: baresip is not installed"; exit 1
	fi
	if [ ! -f /usr/lib/baresip/modules/opus.so ]; then
		echo "not ok - softphone opus: baresip has no opus module"; exit 1
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

# baresip's folder: Opus alone, its voice a 440 Hz tone (48 kHz mono,
# what its Opus encoder takes)
B="$T/baresip"
mkdir -p "$B"
sox -n -r 48000 -c 1 -b 16 "$B/voice.wav" synth 30 sine 440 vol 0.5
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
module			opus.so
module			aufile.so
module			aubridge.so
module_app		account.so
module_app		contact.so
module_app		menu.so
opus_stereo		no
opus_sprop_stereo	no
CFG
echo "<sip:1003@$HOST:$SIP_PORT;transport=udp>;auth_pass=carol-1003;answermode=auto;regint=600" > "$B/accounts"
: > "$B/contacts"
baresip -f "$B" -t 60 </dev/null >"$T/baresip.log" 2>&1 &
BARESIP=$!
SIPP_PIDS+=($BARESIP)

reg=$(wait_for "select aor from bindings where aor = '1003'" 10)
check "baresip (Opus only) registers as 1003" test "$reg" = 1003

# The caller: PCMU only, presses 2 (support), then echoes what it hears
# for 5 s and hangs up.
make_caller caller.xml "0 101" "$blk_answered
$(pause 2200)
$(play /usr/share/sip-tester/dtmf_2833_2.pcap)
$(pause 7000)
$blk_bye"
(cd "$T" && sipp "$HOST:$SIP_PORT" -sf "$T/caller.xml" -i "$HOST" -p "$CALLER_PORT" \
	-mp "$MEDIA_PORT2" -rtp_echo -m 1 -timeout 60s -timeout_error -nostdin -s 5000 \
	-key caller 0310 -trace_err -error_file "$T/caller.err" >"$T/caller.out" 2>&1)
check "caller's call completes" test $? -eq 0
row=$(wait_for "select outcome, queue, agent, recording, answered, ended from calls where caller = '0310' and ended > 0" 5)
IFS='|' read -r outcome queue agent rec answered ended <<<"$row"
check "answered by baresip (agent 1003) from the support queue" \
	test "$outcome|$queue|$agent" = "answered|support|1003"

# The tone's level against another frequency's, in each channel of the
# recording while the agent talked (Goertzel over 20 ms windows, median).
tone_in() { # FILE CHANNEL
	python3 - "$1" "$2" "$answered" "$ended" <<'PY'
import math, statistics, struct, sys, wave
f, ch = sys.argv[1], int(sys.argv[2])
w = wave.open(f)
n = w.getnframes()
data = struct.unpack("<%dh" % (n * 2), w.readframes(n))
x = data[ch - 1::2]
def level(seg, freq):
    c = 2 * math.cos(2 * math.pi * freq / 8000); s1 = s2 = 0.0
    for v in seg:
        s1, s2 = v + c * s1 - s2, s1
    return 2 * math.sqrt(max(s1 * s1 + s2 * s2 - c * s1 * s2, 0)) / len(seg)
# the last 4 s before the caller's BYE: the agent is on the line
tail = x[-4 * 8000:-400] if len(x) > 5 * 8000 else x
wins = [tail[i:i + 160] for i in range(0, len(tail) - 160, 160)]
t = statistics.median(level(s, 440) for s in wins)
o = statistics.median(level(s, 1300) for s in wins)
print("%.0f %.0f" % (t, o))
sys.exit(0 if t > 1000 and t > 10 * o else 1)
PY
}
if [ -f "$T/data/$rec" ]; then
	echo "# recording: $(soxi -c "$T/data/$rec") channels, $(soxi -r "$T/data/$rec") Hz" >&2
	a=$(tone_in "$T/data/$rec" 2); ra=$?
	c=$(tone_in "$T/data/$rec" 1); rc=$?
	echo "# 440 Hz / 1300 Hz level: agent $a, caller $c" >&2
	check "recording (8 kHz stereo) has the Opus phone's tone on the agent's channel" \
		test "$ra" = 0 -a "$(soxi -r "$T/data/$rec")" = 8000
	check "the PCMU caller heard the tone (its echo is on the caller's channel): transcoded" \
		test "$rc" = 0
else
	not_ok "recording (8 kHz stereo) has the Opus phone's tone" "no recording $rec"
fi
check "baresip sent and received Opus" grep -q "Set audio encoder: opus" "$T/baresip.log"
[ "$FAILS" -gt 0 ] && tail -n 40 "$T/baresip.log" >&2

# --- baresip calls in with Opus alone ------------------------------------
kill "$BARESIP" 2>/dev/null
wait "$BARESIP" 2>/dev/null
# agent 1004 (queue wrap, number 5003): a SIPp phone in PCMA that echoes
(cd "$T" && sipp "$HOST:$SIP_PORT" -sf "$SIPP_DIR/register.xml" -i "$HOST" -p "$AGENT_PORT2" \
	-m 1 -timeout 10s -timeout_error -nostdin -key user 1004 -au 1004 -ap dave-1004 \
	-key expires 600 >"$T/register-1004.out" 2>&1)
check "agent 1004 (PCMA) registers" test $? -eq 0
make_agent agent_echo.xml answer
sed -i '/play_pcap_audio/d' "$T/agent_echo.xml"
(cd "$T" && exec sipp "$HOST:$SIP_PORT" -sf "$T/agent_echo.xml" -i "$HOST" -p "$AGENT_PORT2" \
	-mp "$MEDIA_PORT1" -rtp_echo -m 1 -timeout 60s -nostdin -trace_err \
	-error_file "$T/agent_echo.err" >"$T/agent_echo.out" 2>&1) &
SIPP_PIDS+=($!)
sleep 0.3
baresip -f "$B" -t 12 -e "/dial sip:5003@$HOST:$SIP_PORT" </dev/null >"$T/baresip2.log" 2>&1 &
SIPP_PIDS+=($!)
row=$(wait_for "select outcome, queue, agent, recording, answered, ended from calls where caller = '1003' and ended > 0" 25)
IFS='|' read -r outcome queue agent rec answered ended <<<"$row"
check "baresip's Opus-only call answered by agent 1004 from queue wrap" \
	test "$outcome|$queue|$agent" = "answered|wrap|1004"
check "... our answer took its Opus" grep -q "Set audio encoder: opus" "$T/baresip2.log"
if [ -f "$T/data/$rec" ]; then
	c=$(tone_in "$T/data/$rec" 1); rc=$?
	a=$(tone_in "$T/data/$rec" 2); ra=$?
	echo "# 440 Hz / 1300 Hz level: caller $c, agent $a" >&2
	check "recording has the Opus caller's tone on the caller's channel" test "$rc" = 0
	check "the PCMA agent heard it (its echo is on the agent's channel): transcoded" \
		test "$ra" = 0
else
	not_ok "recording of baresip's call" "no recording $rec"
fi
[ "$FAILS" -gt 0 ] && tail -n 40 "$T/baresip2.log" >&2
finish
