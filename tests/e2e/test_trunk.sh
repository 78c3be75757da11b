#!/usr/bin/env bash
# SIP trunks (issue 15) against a real carrier-side server: Kamailio on the
# loopback as the provider's registrar and proxy with digest auth
# (tests/e2e/kamailio/kamailio.cfg), SIPp behind it as the PSTN phones.
# Trunk "carrier" registers (and re-registers: the carrier grants 10 s),
# trunk "refused" is refused (403: state failed, tried again with a
# backoff), trunk "fail" answers 503, trunk "silent" nothing at all.
# Agent 1001's phone dials a national number: the guard allows the class,
# the route tries "fail" (503), then "carrier" (407 answered with the
# trunk's credentials), offering the carrier's codec only; the PSTN phone
# answers and both hear each other (the recording). Through "silent"
# first (its timeout 2 s), a call goes on to the carrier after 2 s. The
# carrier's proxy is given as localhost: resolved, its requests are known
# as the trunk's. A premium-rate number is
# refused (403) before any trunk sees it. Click-to-call takes a plain
# number. The PSTN calls the carrier's DID, which reaches the queue. The
# carrier's max_calls (1) refuses the next call, out or in, while one is
# up. A caller from the PSTN promised a callback is called back through
# the trunks at its number. A blind transfer to a premium-rate number is
# refused, to a national one goes out through the carrier. The tenant
# reloaded without a trunk keeps the others. At shutdown the carrier trunk
# un-REGISTERs: Kamailio then has no contact for its DIDs (480).
TRUSTED="[]"
source "$(dirname "$0")/lib.sh"

command -v kamailio >/dev/null || { not_ok "kamailio installed" "scripts/deps --test"; finish; }
KAM_PORT=$((PEER_PORTS + 0))
FAIL_PORT=$((PEER_PORTS + 1))
SILENT_PORT=$((PEER_PORTS + 3))
PSTN_PORT=$((PEER_PORTS + 2))
PSTN_MEDIA=$((PEER_PORTS + 10))
TRUNK_PW="carrier-secret-$$"

sed -e "s/@KAM_PORT@/$KAM_PORT/g; s/@FAIL_PORT@/$FAIL_PORT/g; s/@PSTN_PORT@/$PSTN_PORT/g" \
	-e "s/@SILENT_PORT@/$SILENT_PORT/g" \
	-e "s/@HOTLINE_PORT@/$SIP_PORT/g; s/@PASSWORD@/$TRUNK_PW/g; s/@EXPIRES@/10/g" \
	"$E2E_DIR/kamailio/kamailio.cfg" >"$T/kamailio.cfg"
mkdir -p "$T/kam"
kamailio -f "$T/kamailio.cfg" -DD -E -m 16 -M 4 -Y "$T/kam" -P "$T/kam/pid" \
	>"$T/kamailio.log" 2>&1 &
KAM_PID=$!
trap 'kill $KAM_PID 2>/dev/null; cleanup' EXIT
sleep 0.5
kill -0 $KAM_PID 2>/dev/null || { not_ok "kamailio starts" "$(tail -5 "$T/kamailio.log")"; finish; }

cp "$E2E_DIR/tenant.yaml" "$T/tenant.yaml"
# a queue that sends its callers to a callback after 2 s
sed -i 's/^queues:$/queues:\n  - {name: cbt, strategy: longest-idle, members: ["1003"], max_wait: 2s, overflow: callback, ring_timeout: 10s}/' \
	"$T/tenant.yaml"
cat >>"$T/tenant.yaml" <<YAML
trunks:
  - {name: fail, proxy: "127.0.0.1:$FAIL_PORT", username: hotline, password: "$TRUNK_PW"}
  - {name: silent, proxy: "127.0.0.1:$SILENT_PORT", username: hotline, password: "$TRUNK_PW",
     timeout: 2s}
  - name: carrier
    proxy: "localhost:$KAM_PORT"
    username: hotline
    password: "$TRUNK_PW"
    register: true
    expires: 60s
    caller_id: "2025550123"
    codecs: [PCMA]
    max_calls: 1
    dids: {"2025550123": {queue: sales}, "2025550124": {queue: cbt}}
  - {name: refused, proxy: "127.0.0.1:$KAM_PORT", username: refused, password: wrong-password-1,
     register: true}
outbound:
  routes:
    - {match: [303NXXXXXX], trunks: [silent, carrier], format: e164}
    - {match: [NXXNXXXXXX, 1NXXNXXXXXX], trunks: [fail, carrier], format: e164}
  caller_id: {agents: {"1002": "2025550122"}, queues: {cbt: "2025550125"}}
YAML
TENANT="$T/tenant.yaml"
write_config
start_hotline

# The PSTN phone behind the carrier: answers one call (its 200 keeps the
# carrier's Record-Route, which SIPp's built-in uas drops: Hotline's BYE
# would then go around the carrier, and SIPp answers it to the carrier),
# echoes the audio, waits for the BYE.
cat >"$T/pstn.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<scenario name="pstn">
  <recv request="INVITE"/>
  <send>
    <![CDATA[
      SIP/2.0 180 Ringing
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]P[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      [last_Record-Route:]
      Contact: <sip:pstn@[local_ip]:[local_port]>
      Content-Length: 0

    ]]>
  </send>
  <send retrans="500">
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]P[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      [last_Record-Route:]
      Contact: <sip:pstn@[local_ip]:[local_port]>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=- 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 8
      a=rtpmap:8 PCMA/8000
    ]]>
  </send>
  <recv request="ACK"/>
  <recv request="BYE"/>
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
  </send>
</scenario>
XML

# --- registration ----------------------------------------------------------
trunk() { # NAME FIELD
	api /api/v1/trunks | python3 -c "import json,sys
t=[t for t in json.load(sys.stdin)['trunks'] if t['name']=='$1'][0]; print(t['$2'])"
}
for _ in $(seq 1 50); do [ "$(trunk carrier state)" = registered ] && break; sleep 0.1; done
check "trunk carrier registers with digest auth" test "$(trunk carrier state)" = registered
check "... /metrics says so" \
	bash -c "curl -s http://127.0.0.1:$HTTP_PORT/metrics | grep -q '^hotline_trunk_registered{trunk=\"carrier\"} 1'"
sleep 10
check "... and registers again before the 10 s the carrier granted run out" \
	test "$(trunk carrier registrations)" -ge 2
check "trunk refused: state failed, the carrier's 403 its last error" \
	test "$(trunk refused state)/$(trunk refused last_error)" = "failed/403 Forbidden"
check "... tried again with a backoff (2 s, then 4 s)" test "$(trunk refused failures)" -ge 2
check "... the next try is ahead" \
	test "$(trunk refused next_try)" -gt "$(($(date +%s) * 1000))"
check "... /metrics counts its failures" \
	bash -c "curl -s http://127.0.0.1:$HTTP_PORT/metrics | grep -q '^hotline_trunk_register_failures_total{trunk=\"refused\"} [1-9]'"
check "trunk fail, not registering: unregistered" test "$(trunk fail state)" = unregistered
check "GET /trunks: each trunk's timeout (silent 2 s, the default 5 s)" \
	test "$(trunk silent timeout_ms)/$(trunk carrier timeout_ms)" = 2000/5000
check "the carrier's proxy, given as localhost, was resolved" \
	grep -q "trunk: proxy resolved trunk=carrier host=localhost addr=127.0.0.1:$KAM_PORT" "$T/hotline.log"

pstn_uas() { # NAME
	(cd "$T" && exec sipp -sf "$T/pstn.xml" -i 127.0.0.1 -p "$PSTN_PORT" -mp "$PSTN_MEDIA" -rtp_echo \
		-m 1 -timeout 30s -nostdin -trace_msg -message_file "$T/$1.msg" >"$T/$1.out" 2>&1) &
	SIPP_PIDS+=($!)
	sleep 0.3
}
# --- out: agent 1001's phone -------------------------------------------------
phone_out() { # NAME NUMBER BODY [EXT PASSWORD MEDIA_PORT SIP_PORT]
	local ext=${4:-1001} pw=${5:-alice-1001}
	make_caller "$1.xml" 8 "  <recv response=\"100\" optional=\"true\"/>
  <recv response=\"407\" auth=\"true\"/>
$ack_first
  <send retrans=\"500\">
    <![CDATA[
$(sed "s/RTP\/AVP 0 101/RTP\/AVP 8 101/; s/1001/$ext/g" <<<"$phone_invite")
    ]]>
  </send>
$3"
	(cd "$T" && sipp "127.0.0.1:$SIP_PORT" -sf "$T/$1.xml" -i 127.0.0.1 -p "${7:-$CALLER_PORT}" \
		-m 1 -timeout 20s -timeout_error -nostdin -s "$2" -key caller "$ext" \
		-au "$ext" -ap "$pw" -mp "${6:-$MEDIA_PORT0}" -trace_err -error_file "$T/$1.err" \
		-trace_msg -message_file "$T/$1.msg" >"$T/$1.out" 2>&1)
}
talk="  <recv response=\"100\" optional=\"true\"/>
  <recv response=\"180\" optional=\"true\"/>
  <recv response=\"200\" rrs=\"true\"/>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      CSeq: 2 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
$(play "$PCAP_AUDIO")
$(pause 3000)
$blk_bye"

(cd "$T" && exec sipp -sf "$T/pstn.xml" -i 127.0.0.1 -p "$PSTN_PORT" -mp "$PSTN_MEDIA" -rtp_echo -m 1 \
	-timeout 30s -nostdin -trace_msg -message_file "$T/pstn.msg" >"$T/pstn.out" 2>&1) &
SIPP_PIDS+=($!)
sleep 0.3
phone_out national 2025550100 "$talk"
check "the phone dials a national number: answered through the carrier" test $? -eq 0
wait_peers 10
check "... the PSTN phone took it (+12025550100, E.164)" \
	grep -q "INVITE sip:+12025550100@" "$T/pstn.msg"
check "... from the trunk's caller ID" grep -q "^From: <sip:2025550123@" "$T/pstn.msg"
check "... offering the trunk's codecs only (PCMA)" \
	bash -c "grep -q '^m=audio [0-9]* RTP/AVP 8 101' '$T/pstn.msg' && ! grep -q 'rtpmap:0 PCMU' '$T/pstn.msg'"
check "... trunk fail answered 503 first, then the carrier" \
	test "$(wait_for "select group_concat(json_extract(data, '$.trunk')) from events where type = 'call.trunk' having count(*) = 2")" = fail,carrier
check "... the carrier's challenge was answered (it relayed the INVITE)" \
	grep -q "out to the PSTN: +12025550100" "$T/kamailio.log"
id=$(db "select id from calls where direction = 'outbound' and caller = '1001' order by rowid desc limit 1")
rec=$(db "select recording from calls where id = '$id'")
check "... both heard each other (the recording's two channels)" \
	check_recording "$T/data/$rec" 3

before=$(grep -c "request INVITE" "$T/kamailio.log")
make_caller premium.xml 8 "  <recv response=\"100\" optional=\"true\"/>
  <recv response=\"407\" auth=\"true\"/>
$ack_first
  <send retrans=\"500\">
    <![CDATA[
$phone_invite
    ]]>
  </send>
  <recv response=\"100\" optional=\"true\"/>
  <recv response=\"403\"/>
$ack_first"
(cd "$T" && sipp "127.0.0.1:$SIP_PORT" -sf "$T/premium.xml" -i 127.0.0.1 -p "$CALLER_PORT" \
	-m 1 -timeout 10s -timeout_error -nostdin -s 19005550100 -key caller 1001 \
	-au 1001 -ap alice-1001 -mp "$MEDIA_PORT0" >"$T/premium.out" 2>&1)
check "a premium-rate number: 403" test $? -eq 0
check "... no trunk saw it" test "$(grep -c "request INVITE" "$T/kamailio.log")" = "$before"

# --- a trunk that answers nothing ----------------------------------------------
pstn_uas pstn-silent
phone_out silent 3035550100 "$talk"
check "a route whose first trunk answers nothing: the call goes out through the next" \
	test $? -eq 0
gap=$(db "select max(e.ts) - min(e.ts) from events e join calls c on c.id = e.call where e.type = 'call.trunk' and c.called = '3035550100'")
check "... after the silent one was given up (its timeout, 2 s, not 5 s: ${gap} ms)" \
	test "${gap:-0}" -ge 1900 -a "${gap:-0}" -lt 4000
wait_peers 10
check "... trunk silent, then the carrier" \
	test "$(db "select group_concat(json_extract(e.data, '$.trunk')) from events e join calls c on c.id = e.call where e.type = 'call.trunk' and c.called = '3035550100'")" = silent,carrier

# --- click-to-call with a plain number ---------------------------------------
pstn_uas pstn-c2c
make_agent agent-c2c.xml answer-bye 3000
agent_up 1002 bob-1002 "$AGENT_PORT2" "$MEDIA_PORT1" agent-c2c.xml || finish
c=$(req POST /calls '{"agent": "1002", "to": "202-555-0100"}')
check "click-to-call takes a plain number: 201" is 201 "j['id']"
wait_peers 15
check "... the agent answered, then the PSTN phone (+12025550100)" \
	grep -q "INVITE sip:+12025550100@" "$T/pstn-c2c.msg"
check "... from agent 1002's caller ID" grep -q "^From: <sip:2025550122@" "$T/pstn-c2c.msg"
check "... the call answered" \
	test "$(wait_for "select count(*) from calls where caller = '1002' and outcome = 'answered' having count(*) = 1")" = 1
c=$(req POST /calls '{"agent": "1002", "to": "12345"}')
check "... a number no route takes: 400" is 400 "j['error']['code'] == 'bad_field'"
c=$(req POST /calls '{"agent": "1002", "to": "1-900-555-0100"}')
check "... a premium-rate one: 403 (dial_class)" is 403 "j['error']['code'] == 'dial_class'"

# --- in: the PSTN calls the carrier's DID -------------------------------------
make_agent agent-in.xml answer
agent_up 1001 alice-1001 "$AGENT_PORT1" "$MEDIA_PORT1" agent-in.xml || finish
make_caller pstn-in.xml "8 101" "$blk_answered
$(play "$PCAP_AUDIO")
$(pause 3000)
$blk_bye"
(cd "$T" && sipp "127.0.0.1:$KAM_PORT" -sf "$T/pstn-in.xml" -i 127.0.0.1 -p "$CALLER_PORT2" \
	-m 1 -timeout 20s -timeout_error -nostdin -s 2025550123 -key caller 2025550199 \
	-mp "$MEDIA_PORT2" -trace_err -error_file "$T/pstn-in.err" -trace_msg \
	-message_file "$T/pstn-in.msg" >"$T/pstn-in.out" 2>&1)
check "the PSTN calls the carrier's DID through Kamailio: answered" test $? -eq 0
wait_peers 10
check "... it reached queue sales and agent 1001, the caller hung up" \
	test "$(wait_for "select queue || '/' || agent || '/' || hangup_side from calls where called = '2025550123' and ended > 0")" = sales/1001/caller
make_refused_caller pstn-404.xml "8 101" 404
(cd "$T" && sipp "127.0.0.1:$KAM_PORT" -sf "$T/pstn-404.xml" -i 127.0.0.1 -p "$CALLER_PORT2" \
	-m 1 -timeout 10s -timeout_error -nostdin -s 2025550100 -key caller 2025550199 \
	-mp "$MEDIA_PORT2" >"$T/pstn-404.out" 2>&1)
check "... a number that is not its DID: 404 (a carrier never dials out)" test $? -eq 0

# --- max_calls: the carrier carries one call at once ---------------------------
pstn_uas pstn-max
phone_out first 2025550100 "${talk/$(pause 3000)/$(pause 8000)}" &
first=$!
sleep 1.5
phone_out second 2025550101 "  <recv response=\"100\" optional=\"true\"/>
  <recv response=\"180\" optional=\"true\"/>
  <recv response=\"503\"/>
$(sed 's/CSeq: 1 ACK/CSeq: 2 ACK/' <<<"$ack_first")" 1002 bob-1002 "$MEDIA_PORT1" "$CALLER_PORT2"
check "while the carrier carries one call (max_calls 1), the next gets 503" test $? -eq 0
# (Kamailio's tm passes a 503 on as 500, RFC 3261 §16.7)
make_refused_caller pstn-busy.xml "8 101" 500
(cd "$T" && sipp "127.0.0.1:$KAM_PORT" -sf "$T/pstn-busy.xml" -i 127.0.0.1 -p "$CALLER_PORT2" \
	-m 1 -timeout 10s -timeout_error -nostdin -s 2025550123 -key caller 2025550199 \
	-mp "$MEDIA_PORT2" >"$T/pstn-busy.out" 2>&1)
check "... and a call in from it is refused too (503, which the carrier passes on as 500)" \
	test $? -eq 0
check "... as hotline says" grep -q "full, a call in refused trunk=carrier" "$T/hotline.log"
agent_state() { api /api/v1/agents | python3 -c "import json,sys; print([a['state'] for a in json.load(sys.stdin)['agents'] if a['ext']=='$1'][0])"; }
check "agent 1001, on the first call, is busy" test "$(agent_state 1001)" = busy
phone_out beside 3035550100 "  <recv response=\"100\" optional=\"true\"/>
  <recv response=\"180\" optional=\"true\"/>
  <recv response=\"503\"/>
$(sed 's/CSeq: 1 ACK/CSeq: 2 ACK/' <<<"$ack_first")" 1001 alice-1001 "$MEDIA_PORT2" "$CALLER_PORT2"
check "... its phone dials out beside it: silent, then the carrier full (503)" test $? -eq 0
check "... that call's end leaves 1001 busy with the first (not freed under it)" \
	test "$(agent_state 1001)" = busy
wait $first
check "... the first talked on" test $? -eq 0
wait_peers 10
check "... and the carrier is free again" test "$(trunk carrier calls)" = 0

# --- a blind transfer to a number outside -------------------------------------
pstn_uas pstn-xfer
make_agent agent-xfer.xml answer
agent_up 1001 alice-1001 "$AGENT_PORT1" "$MEDIA_PORT1" agent-xfer.xml || finish
make_caller pstn-xfer-in.xml "8 101" "$blk_answered
$(play "$PCAP_AUDIO")
$(pause 7000)
$blk_bye"
(cd "$T" && exec sipp "127.0.0.1:$KAM_PORT" -sf "$T/pstn-xfer-in.xml" -i 127.0.0.1 \
	-p "$CALLER_PORT2" -m 1 -timeout 25s -timeout_error -nostdin -s 2025550123 \
	-key caller 2025550177 -mp "$MEDIA_PORT2" -trace_err -error_file "$T/pstn-xfer-in.err" \
	>"$T/pstn-xfer-in.out" 2>&1) &
caller=$!
id=$(wait_for "select id from calls where caller = '2025550177' and answered > 0")
c=$(req POST "/calls/$id/transfer" '{"to": "19005550100"}')
check "agent 1001 transfers its caller to a premium-rate number: 403 (dial_class)" \
	is 403 "j['error']['code'] == 'dial_class'"
c=$(req POST "/calls/$id/transfer" '{"to": "2025550100"}')
check "... to a national number: 202" is 202 "j['to'] == '2025550100'"
wait $caller
check "... the caller talked on through the carrier, then hung up" test $? -eq 0
wait_peers 10
check "... the PSTN phone took it" grep -q "INVITE sip:+12025550100@" "$T/pstn-xfer.msg"
check "... the call was transferred outside, then ended by the caller" \
	test "$(wait_for "select hangup_side from calls where id = '$id' and ended > 0")" = caller
check "... a call.transferred event says so" \
	test "$(db "select json_extract(data, '$.outside') from events where call = '$id' and type = 'call.transferred'")" = 1

# --- a callback to a caller who came in through the carrier ------------------
pstn_uas pstn-cb
make_agent agent-cb.xml answer-bye 3000
agent_up 1003 carol-1003 "$AGENT_PORT1" "$MEDIA_PORT1" agent-cb.xml || finish
c=$(req POST /agents/1003/state '{"state": "paused"}')
make_caller pstn-cb-in.xml "8 101" "$blk_answered
$blk_wait_bye"
(cd "$T" && sipp "127.0.0.1:$KAM_PORT" -sf "$T/pstn-cb-in.xml" -i 127.0.0.1 -p "$CALLER_PORT2" \
	-m 1 -timeout 20s -timeout_error -nostdin -s 2025550124 -key caller 2025550188 \
	-mp "$MEDIA_PORT2" -trace_err -error_file "$T/pstn-cb-in.err" >"$T/pstn-cb-in.out" 2>&1)
check "a caller from the PSTN waits 2 s, is promised a callback and hung up" test $? -eq 0
c=$(req POST /agents/1003/state '{"state": "available"}')
row=$(wait_for "select outcome || '|' || agent from calls where caller = '2025550188' and ended > 0" 20)
check "... called back through the trunks and answered by 1003 ($row)" test "$row" = "answered|1003"
wait_peers 10
check "... at its number (E.164), from queue cbt's caller ID" \
	bash -c "grep -q 'INVITE sip:+12025550188@' '$T/pstn-cb.msg' && grep -q '^From: <sip:2025550125@' '$T/pstn-cb.msg'"

# --- the tenant applied live --------------------------------------------------
regs=$(trunk carrier registrations)
sed -i '/name: refused/,+1d' "$T/tenant.yaml"
c=$(req POST /tenant/reload)
check "the tenant reloaded without trunk refused: 200" test "$c" = 200
check "... GET /trunks lists the others" \
	test "$(api /api/v1/trunks | python3 -c "import json,sys; print(','.join(t['name'] for t in json.load(sys.stdin)['trunks']))")" = fail,silent,carrier
check "... the carrier, unchanged, kept its registration" \
	test "$(trunk carrier state)" = registered -a "$(trunk carrier registrations)" -ge "$regs"

# --- shutdown: the carrier trunk un-REGISTERs ----------------------------------
t0=$(date +%s.%N)
stop_hotline
check "at shutdown the carrier trunk un-REGISTERs (expires 0), answered 200" \
	grep -q "trunk: unregistered trunk=carrier code=200" "$T/hotline.log"
check "... and hotline stops within the 2 s it waits" \
	awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { exit !(b - a < 3) }'
make_refused_caller pstn-gone.xml "8 101" 480
(cd "$T" && sipp "127.0.0.1:$KAM_PORT" -sf "$T/pstn-gone.xml" -i 127.0.0.1 -p "$CALLER_PORT2" \
	-m 1 -timeout 10s -timeout_error -nostdin -s 2025550123 -key caller 2025550199 \
	-mp "$MEDIA_PORT2" >"$T/pstn-gone.out" 2>&1)
check "... the carrier has no contact for its DID any more (480)" test $? -eq 0

finish
