# tones.sh — what the mixer tests share (source after lib.sh): phones whose
# audio is rtp_tone.py saying a tone of their own and keeping what they
# hear ($T/NAME.raw), and the check of who heard whom (tones_heard.py).

TONE_PIDS=()

# tone_peer NAME PORT FREQ SECONDS: the phone's audio, in the background.
tone_peer() {
	python3 "$E2E_DIR/rtp_tone.py" "$2" "$3" "$4" "$T/$1.raw" &
	TONE_PIDS+=($!)
}

# tone_sdp SCENARIO OUT PORT: OUT is SCENARIO with its SDP naming the
# tone peer's PORT, so hotline's RTP for that phone goes there.
tone_sdp() {
	sed "s/m=audio \[media_port\]/m=audio $3/" "$T/$1" >"$T/$2"
}

# tone_agent EXT PASSWORD SIPPORT MEDIAPORT TONEPORT: an agent's phone
# that answers one call (its audio at the tone peer) and stays until BYE.
tone_agent() {
	local t
	t=$(<"$SIPP_DIR/agent.xml.in")
	t=${t//@ANSWER@/"$agent_200
  <nop><action><log message=\"answered [\$local_to] from [\$remote_from]\"/></action></nop>
$blk_wait_bye"}
	printf '%s\n' "$t" >"$T/tone_agent.xml"
	tone_sdp tone_agent.xml "agent_$1.xml" "$5"
	agent_up "$1" "$2" "$3" "$4" "agent_$1.xml"
}

# tone_customer NUMBER TONEPORT: a customer calls NUMBER from 0961 and
# stays until hotline's BYE; its audio at the tone peer.
tone_customer() {
	make_caller ear.xml "0 8 101" "$blk_answered
$blk_wait_bye"
	tone_sdp ear.xml ear_tone.xml "$2"
	sipp_bg ear ear_tone.xml "$CALLER_PORT" -s "$1" -key caller 0961 -m 1 -mp "$MEDIA_PORT2" >/dev/null
}

# tones_wait: the tone peers have written what they heard.
tones_wait() {
	wait "${TONE_PIDS[@]}"
	TONE_PIDS=()
}

# tones_heard TONES WINDOW...: $T/heard.txt, one line "LABEL NAME heard,..."
# per phone and window (see tones_heard.py); heard LINE checks one.
tones_heard() {
	python3 "$E2E_DIR/tones_heard.py" "$T" "$@" >"$T/heard.txt"
	sed 's/^/# /' "$T/heard.txt" >&2
}
heard() { grep -qx "$1" "$T/heard.txt"; }
