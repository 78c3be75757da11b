# lib.sh — sourced by every end-to-end test: a hotline on its own ports and
# data dir, SIPp helpers, checks, and "ok - name" / "not ok - name" lines.
# Everything talks to 127.0.0.1 only.
set -u
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$E2E_DIR/../.." && pwd)
BUILD=${BUILD:-build}
HOTLINE="$ROOT/$BUILD/hotline"
SIPP_DIR="$E2E_DIR/sipp"
T=$(mktemp -d /tmp/hotline-e2e.XXXXXX)
FAILS=0
HL_PID=""
SIPP_PIDS=()

# Ports: a block of 200 chosen from the PID, so parallel runs don't meet,
# 54 of them in 9000-19799: below 32768 where the kernel picks ephemeral
# ports for outgoing connections (which could take one of ours and fail a
# bind), above the control ports every SIPp binds on all addresses (8888
# up, one more for each SIPp running), and clear of what the shipped
# configuration uses (SIP 5060, HTTP 8080, RTP 20000-29999), which
# test_shipped_config runs beside them.
# Each run claims its block with a directory (mkdir is atomic), so that
# runs side by side (two suites, a developer's test beside CI) never pick
# the same one; a block whose owner is gone is taken over.
claim_block() {
	local dir=/tmp/hotline-e2e-ports b d p
	mkdir -p "$dir" 2>/dev/null
	for i in $(seq 0 53); do
		b=$(( ($$ + i) % 54 ))
		d=$dir/$b
		if mkdir "$d" 2>/dev/null; then
			echo $$ >"$d/pid"
			echo "$b"
			return
		fi
		p=$(cat "$d/pid" 2>/dev/null)
		if [ -n "$p" ] && ! kill -0 "$p" 2>/dev/null && rm -rf "$d" && mkdir "$d" 2>/dev/null; then
			echo $$ >"$d/pid"
			echo "$b"
			return
		fi
	done
	echo $(( $$ % 54 ))
}
PORT_BLOCK=$(claim_block)
BASE=$(( 9000 + PORT_BLOCK * 200 ))
SIP_PORT=$BASE
HTTP_PORT=$((BASE + 1))
RTP_MIN=$((BASE + 2))          # hotline's RTP: BASE+2 .. BASE+21
RTP_MAX=$((BASE + 21))
AGENT_PORT1=$((BASE + 22))     # SIPp peers: BASE+22 .. BASE+29
AGENT_PORT2=$((BASE + 24))
CALLER_PORT=$((BASE + 26))
CALLER_PORT2=$((BASE + 28))
MEDIA_PORT0=$((BASE + 30))     # SIPp's RTP (each takes 4): BASE+30 .. BASE+45
MEDIA_PORT1=$((BASE + 36))
MEDIA_PORT2=$((BASE + 42))
PEER_PORTS=$((BASE + 50))       # more SIPp peers: BASE+50 .. BASE+99
WIDE_RTP_MIN=$((BASE + 100))    # hotline's RTP for tests with many calls
WIDE_RTP_MAX=$((BASE + 199))

ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1: $2"; FAILS=$((FAILS + 1)); }
check() { # check NAME CONDITION-COMMAND...
	local name=$1; shift
	if "$@"; then ok "$name"; else not_ok "$name" "$*"; fi
}

cleanup() {
	for p in "${SIPP_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	# nothing started here outlives the test and its port block
	# (sinks, helpers in the background); hotline is stopped below
	for p in $(pgrep -P $$); do [ "$p" != "$HL_PID" ] && kill "$p" 2>/dev/null; done
	[ "$(cat "/tmp/hotline-e2e-ports/$PORT_BLOCK/pid" 2>/dev/null)" = $$ ] &&
		rm -rf "/tmp/hotline-e2e-ports/$PORT_BLOCK"
	if [ -n "$HL_PID" ]; then
		kill "$HL_PID" 2>/dev/null
		wait "$HL_PID" 2>/dev/null
	fi
	if [ "${KEEP:-0}" = 1 ] || [ "$FAILS" -gt 0 ]; then
		echo "# kept $T" >&2
		[ -f "$T/hotline.log" ] && tail -n 40 "$T/hotline.log" >&2
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT

# Every answer hotline sent during the test (HOTLINE_API_TRACE, see
# src/api/wire.c) must fit docs/openapi.yaml: a documented operation, a
# status it lists, a body its schema allows.
export HOTLINE_API_TRACE="$T/api-trace.jsonl"
# The tests' tenants use the demo's SIP passwords (alice-1001 ...), on the
# loopback: keep them (test_safe_secrets unsets this to see them replaced).
export HOTLINE_KEEP_DEMO_SECRETS=1
contract_check() {
	[ -s "$HOTLINE_API_TRACE" ] || return 0
	local out
	out=$(/usr/bin/python3 "$E2E_DIR/openapi_check.py" "$HOTLINE_API_TRACE" \
		"$E2E_DIR/../../docs/openapi.yaml")
	echo "$out"
	case $out in "not ok"*) FAILS=$((FAILS + 1)) ;; esac
}

finish() {
	contract_check
	[ "$FAILS" -eq 0 ]
	exit $?
}

# Writes the node config for this run (tenant: tests/e2e/tenant.yaml).
write_config() {
	cat > "$T/hotline.yaml" <<YAML
data_dir: $T/data
tenant: $(case ${TENANT:-tenant.yaml} in /*) echo "$TENANT" ;; *) echo "$E2E_DIR/${TENANT:-tenant.yaml}" ;; esac)
log_level: ${LOG_LEVEL:-info}
sip:
  listen: 127.0.0.1:$SIP_PORT
  trusted: ${TRUSTED:-[127.0.0.0/8]}
  auth:
    fail_limit: 5
    fail_window: 60
    ban_time: 30
media:
  address: 127.0.0.1
  rtp_ports: $RTP_MIN-$RTP_MAX
  rtp_timeout: ${RTP_TIMEOUT:-20s}
  threads: ${MEDIA_THREADS:-2}
http:
  listen: 127.0.0.1:$HTTP_PORT
  api_token: test-token
  admin_password: ${ADMIN_PASSWORD:-admin-pass}
YAML
}

start_hotline() {
	[ -f "$T/hotline.yaml" ] || write_config
	"$HOTLINE" serve --config "$T/hotline.yaml" >>"$T/hotline.log" 2>&1 &
	HL_PID=$!
	for _ in $(seq 1 100); do
		# our own hotline must be the one answering (another run's
		# could hold the same ports)
		if curl -sf "http://127.0.0.1:$HTTP_PORT/health" >/dev/null 2>&1 &&
			grep -q "hotline: ready sip=[^ ]*:$SIP_PORT " "$T/hotline.log" &&
			kill -0 "$HL_PID" 2>/dev/null; then
			return 0
		fi
		kill -0 "$HL_PID" 2>/dev/null || break
		sleep 0.1
	done
	not_ok "hotline starts" "no /health after 10 s"
	tail -n 20 "$T/hotline.log" >&2
	finish
}

stop_hotline() {
	kill "$HL_PID" 2>/dev/null
	wait "$HL_PID" 2>/dev/null
	local rc=$?
	HL_PID=""
	return $rc
}

db() { sqlite3 -batch -noheader "$T/data/hotline.db" "$@"; }

# wait_for "SQL" [seconds]: until the query prints something non-empty.
wait_for() {
	local sql=$1 secs=${2:-5} out
	for _ in $(seq 1 $((secs * 10))); do
		out=$(db "$sql" 2>/dev/null)
		if [ -n "$out" ]; then echo "$out"; return 0; fi
		sleep 0.1
	done
	return 1
}

api() { curl -s -H "Authorization: Bearer test-token" "http://127.0.0.1:$HTTP_PORT$1"; }

# req METHOD PATH [JSON]: an API request as the admin token; prints the
# status, the body is in $T/r.json (tests with other callers define their own)
req() {
	local m=$1 p=$2
	shift 2
	curl -s -o "$T/r.json" -w '%{http_code}' -X "$m" -H "Authorization: Bearer test-token" \
		-H 'Content-Type: application/json' ${1:+-d "$1"} "http://127.0.0.1:$HTTP_PORT/api/v1$p"
}
# session_jar USER PASSWORD: a session cookie in $T/USER.jar (tried for a while:
# a user just made may not be stored yet)
session_jar() {
	for _ in $(seq 1 50); do
		[ "$(curl -s -o /dev/null -w '%{http_code}' -c "$T/$1.jar" -H 'Content-Type: application/json' \
			-d "{\"user\":\"$1\",\"password\":\"$2\"}" "http://127.0.0.1:$HTTP_PORT/api/v1/session")" = 200 ] && return 0
		sleep 0.1
	done
	return 1
}
# j PYTHON-EXPR: over the last body as j
j() { python3 -c "import json,sys; j=json.load(open('$T/r.json')); print($1)"; }
# is STATUS PYTHON-CONDITION: the last status ($c) and body are as expected
is() { [ "$c" = "$1" ] && [ "$(j "bool($2)")" = True ] || { echo "# got $c: $(cat "$T/r.json")" >&2; false; }; }

# sipp_run NAME SCENARIO PORT [args...]: one call, foreground.
sipp_run() {
	local name=$1 sf=$2 port=$3; shift 3
	(cd "$T" && sipp "127.0.0.1:$SIP_PORT" -sf "$(scenario_path "$sf")" -p "$port" \
		-i 127.0.0.1 -m 1 -timeout 60s -timeout_error -nostdin \
		-trace_err -error_file "$T/$name.err" -trace_msg -message_file "$T/$name.msg" \
		"$@" >"$T/$name.out" 2>&1)
}

# sipp_bg NAME SCENARIO PORT [args...]: a peer in the background (agents).
sipp_bg() {
	local name=$1 sf=$2 port=$3; shift 3
	(cd "$T" && exec sipp "127.0.0.1:$SIP_PORT" -sf "$(scenario_path "$sf")" -p "$port" \
		-i 127.0.0.1 -timeout 90s -nostdin \
		-trace_err -error_file "$T/$name.err" -trace_msg -message_file "$T/$name.msg" \
		"$@" >"$T/$name.out" 2>&1) &
	SIPP_PIDS+=($!)
	echo $!
}

# wait_peers [SECONDS]: waits for the background SIPp peers to finish
# (killing them after SECONDS, default 15), never for hotline itself.
wait_peers() {
	local secs=${1:-15} p
	for _ in $(seq 1 $((secs * 10))); do
		local alive=0
		for p in "${SIPP_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ "$alive" = 0 ] && break
		sleep 0.1
	done
	for p in "${SIPP_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	SIPP_PIDS=()
}

# register EXT PASSWORD PORT: the agent's phone at 127.0.0.1:PORT.
register() {
	sipp_run "register-$1" register.xml "$3" -key user "$1" -au "$1" -ap "$2" \
		-key expires 600
}

# An agent that answers one call at PORT and stays until BYE.
agent_up() { # EXT PASSWORD PORT MEDIAPORT SCENARIO [args]
	local ext=$1 pw=$2 port=$3 mport=$4 sf=$5; shift 5
	register "$ext" "$pw" "$port" || { not_ok "agent $ext registers" "see $T"; return 1; }
	sipp_bg "agent-$ext-${sf%.xml}" "$sf" "$port" -mp "$mport" -m 1 "$@" >/dev/null
	sleep 0.3
}

# check_recording FILE SECONDS: stereo, 8 kHz, about that long, both
# channels carry sound.
check_recording() {
	local f=$1 want=$2 ch rate dur rms1 rms2
	[ -f "$f" ] || { echo "no file $f"; return 1; }
	ch=$(soxi -c "$f"); rate=$(soxi -r "$f"); dur=$(soxi -D "$f")
	rms1=$(sox "$f" -n remix 1 stat 2>&1 | awk '/RMS +amplitude/ {print $3}')
	rms2=$(sox "$f" -n remix 2 stat 2>&1 | awk '/RMS +amplitude/ {print $3}')
	echo "# recording $f: ch=$ch rate=$rate dur=$dur want=$want rms=$rms1/$rms2" >&2
	[ "$ch" = 2 ] && [ "$rate" = 8000 ] &&
		awk -v d="$dur" -v w="$want" 'BEGIN { x = d - w; if (x < 0) x = -x; exit !(x <= 0.5) }' &&
		awk -v a="$rms1" -v b="$rms2" 'BEGIN { exit !(a > 0.005 && b > 0.005) }'
}

# --- scenario blocks ------------------------------------------------------

PCAP_AUDIO=/usr/share/sip-tester/g711a.pcap

blk_answered='  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true" rrs="true"/>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>'

blk_bye='  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      CSeq: 10 BYE
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>'

blk_wait_bye='  <recv request="BYE" timeout="60000"/>
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
  </send>'

play() { echo "  <nop><action><exec play_pcap_audio=\"$1\"/></action></nop>"; }
pause() { echo "  <pause milliseconds=\"$1\"/>"; }

# An in-dialog INFO with a digit (RFC 2976 style dtmf-relay).
blk_info() {
	echo '  <send retrans="500">
    <![CDATA[
      INFO [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      CSeq: 2 INFO
      Max-Forwards: 70
      Content-Type: application/dtmf-relay
      Content-Length: [len]

      Signal='"$1"'
      Duration=160
    ]]>
  </send>
  <recv response="200"/>'
}

# make_caller FILE CODECS BODY: writes $T/FILE from the template.
make_caller() {
	local t
	t=$(<"$SIPP_DIR/caller.xml.in")
	t=${t//@CODECS@/$2}
	t=${t//@BODY@/$3}
	printf '%s\n' "$t" > "$T/$1"
}

# The IVR caller: dials, waits for the menu, enters DIGITS by METHOD
# (rfc4733, info, inband), talks, then hangs up after TALK ms
# ("wait" instead: waits for the agent's BYE).
make_ivr_caller() { # FILE METHOD DIGITS TALK
	local f=$1 method=$2 digits=$3 talk=$4 body d
	body="$blk_answered
$(pause 2200)"
	for ((i = 0; i < ${#digits}; i++)); do
		d=${digits:$i:1}
		case $method in
		rfc4733) body="$body
$(play /usr/share/sip-tester/dtmf_2833_$d.pcap)
$(pause 400)" ;;
		info) body="$body
$(blk_info "$d")
$(pause 200)" ;;
		inband) python3 "$E2E_DIR/make_dtmf_pcap.py" "$d" "$T/inband_$d.pcap"
			body="$body
$(play "$T/inband_$d.pcap")
$(pause 700)" ;;
		esac
	done
	body="$body
$(play "$PCAP_AUDIO")"
	if [ "$talk" = wait ]; then
		body="$body
$blk_wait_bye"
	else
		body="$body
$(pause "$talk")
$blk_bye"
	fi
	make_caller "$f" "0 8 101" "$body"
}

# A phone's call: the INVITE from agent 1001 with the credentials SIPp
# computed from the 407 before it ([authentication]), and the ACK of a
# final answer to the first INVITE (CSeq 1).
phone_invite='      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Alice" <sip:1001@[local_ip]:[local_port]>;tag=[pid]C[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 2 INVITE
      Contact: <sip:1001@[local_ip]:[local_port]>
      [authentication]
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=- 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000'
ack_first='  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      [last_Via:]
      [last_From:]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>'

# A caller whose INVITE is refused with CODE (404, 488, ...).
make_refused_caller() { # FILE CODECS CODE
	make_caller "$1" "$2" '  <recv response="100" optional="true"/>
  <recv response="'"$3"'"/>
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>'
}

agent_200='  <pause milliseconds="600"/>
  <send retrans="500">
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]A[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=- 2 2 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 8 101
      a=rtpmap:8 PCMA/8000
      a=rtpmap:101 telephone-event/8000
    ]]>
  </send>
  <recv request="ACK" crlf="true"/>'

# make_agent FILE MODE [TALK]: MODE answer (waits for BYE), answer-bye
# (hangs up after TALK ms), busy (486), noanswer (rings until CANCEL).
make_agent() {
	local f=$1 mode=$2 talk=${3:-4000} body t
	case $mode in
	answer) body="$agent_200
$(play "$PCAP_AUDIO")
$blk_wait_bye" ;;
	answer-bye) body="$agent_200
$(play "$PCAP_AUDIO")
$(pause "$talk")
  <send retrans=\"500\">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: [\$local_to];tag=[pid]A[call_number]
      To: [\$remote_from]
      [last_Call-ID:]
      CSeq: 1 BYE
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response=\"200\"/>" ;;
	busy) body='  <send>
    <![CDATA[
      SIP/2.0 486 Busy Here
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]A[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
  <recv request="ACK"/>' ;;
	noanswer) body='  <recv request="CANCEL"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]A[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
  <send>
    <![CDATA[
      SIP/2.0 487 Request Terminated
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]A[call_number]
      [last_Call-ID:]
      CSeq: [cseq] INVITE
      Content-Length: 0

    ]]>
  </send>
  <recv request="ACK"/>' ;;
	esac
	t=$(<"$SIPP_DIR/agent.xml.in")
	t=${t//@ANSWER@/$body}
	if [ "$mode" != answer-bye ]; then
		# SIPp refuses variables that are set but never used
		t=$(grep -v 'assign_to=' <<<"$t" | grep -v '^ *<\?/\?action> *$')
	fi
	printf '%s\n' "$t" > "$T/$f"
}

# A scenario is a generated one in $T, or a kept one in tests/e2e/sipp.
scenario_path() { if [ -f "$T/$1" ]; then echo "$T/$1"; else echo "$SIPP_DIR/$1"; fi; }

# An in-dialog request from the agent's side (the UAS of the call):
# agent_req METHOD CSEQ EXTRA-HEADERS [SDP-DIRECTION]
agent_req() {
	local method=$1 cseq=$2 extra=$3 dir=${4:-} body="" ctype=""
	if [ -n "$dir" ]; then
		ctype='
      Content-Type: application/sdp'
		body='
      v=0
      o=- 2 '"$cseq"' IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 8 101
      a=rtpmap:8 PCMA/8000
      a=rtpmap:101 telephone-event/8000
      a='"$dir"
	fi
	echo '  <send retrans="500">
    <![CDATA[
      '"$method"' [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: [$local_to];tag=[pid]A[call_number]
      To: [$remote_from]
      [last_Call-ID:]
      CSeq: '"$cseq $method"'
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70'"$extra$ctype"'
      Content-Length: [len]
'"$body"'
    ]]>
  </send>'
}

agent_ack() { # CSEQ
	echo '  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: [$local_to];tag=[pid]A[call_number]
      To: [$remote_from]
      [last_Call-ID:]
      CSeq: '"$1"' ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>'
}

# make_agent_custom FILE BODY: the answering agent followed by BODY
# (which may use the dialog variables).
make_agent_custom() {
	local t
	t=$(<"$SIPP_DIR/agent.xml.in")
	t=${t//@ANSWER@/"$agent_200
$(play "$PCAP_AUDIO")
$2"}
	printf '%s\n' "$t" > "$T/$1"
}
