#!/usr/bin/env bash
# Secure signalling and media (issue 15): baresip 1.0 registers as agent
# 1003 over SIP over TLS and takes a queued call with SRTP keyed by SDES
# (mediaenc srtp-mand: RTP/SAVP only); the recording has both voices, the
# call's row says the agent's leg was tls + srtp and the caller's udp +
# rtp. With its agent's srtp: required, a phone offering plain RTP gets
# 488 (sip.srtp says off: the agent's setting wins); a
# private key others can read is refused at load. Certificates are made
# here with openssl, never kept. A trunk over TLS with srtp: required
# (baresip's TLS listener stands in for the carrier: Debian's SIPp has no
# TLS, Kamailio's TLS module is not installed) carries a click-to-call
# out, both legs tls + srtp. Runs in a private network namespace
# (baresip will not run with loopback alone), as test_softphone does.
if [ "${IN_NETNS:-}" != 1 ]; then
	if ! command -v baresip >/dev/null; then
		echo "not ok - srtp: baresip is not installed"; exit 1
	fi
fi
NETNS_DEV0=hs0 NETNS_DEV1=hs1 NETNS_A=10.201.0.1 NETNS_B=10.201.0.2
source "$(dirname "$0")/netns.sh"

source "$(dirname "$0")/lib.sh"
HOST=10.201.0.1
PHONE=10.201.0.2
TLS_PORT=$((BASE + 60))

# a throw-away certificate for the listener's address
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=$HOST" \
	-addext "subjectAltName=IP:$HOST" -keyout "$T/key.pem" -out "$T/cert.pem" \
	>/dev/null 2>&1
chmod 600 "$T/key.pem"
# the phone's own, for the TLS connections hotline opens to it
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=$PHONE" \
	-addext "subjectAltName=IP:$PHONE" -keyout "$T/phone.pem" -out "$T/phone.crt" \
	>/dev/null 2>&1
cat "$T/phone.crt" >> "$T/phone.pem"

# a carrier over TLS that requires SRTP: baresip's own TLS listener (it
# answers any call) stands in for it, its certificate the trunk's ca_file
cp "$E2E_DIR/tenant.yaml" "$T/tenant.yaml"
# agents 1001 and 1003 require SRTP of their phones (sip.srtp says off:
# the agent's own setting wins)
sed -i 's/\({ext: "100[13]", name: [A-Za-z]*, password: [a-z0-9-]*\)}/\1, srtp: required}/' "$T/tenant.yaml"
cat >>"$T/tenant.yaml" <<YAML
trunks:
  - name: secure
    proxy: "$PHONE:$((BASE + 47))"
    transport: tls
    srtp: required
    ca_file: phone.crt
outbound:
  routes:
    - {match: [NXXNXXXXXX], trunks: [secure], format: dialled}
YAML
TENANT="$T/tenant.yaml"
write_config
sed -i "s/127.0.0.1:$SIP_PORT/$HOST:$SIP_PORT/; s/address: 127.0.0.1/address: $HOST/; s|trusted: \[127.0.0.0/8\]|trusted: [127.0.0.0/8, $HOST/32]|" "$T/hotline.yaml"
sed -i "s|^  listen: $HOST:$SIP_PORT|&\n  tls_listen: $HOST:$TLS_PORT\n  tls_cert: cert.pem\n  tls_key: key.pem\n  srtp: \"off\"|" "$T/hotline.yaml"

# a key anyone can read is refused before anything listens
chmod 644 "$T/key.pem"
"$HOTLINE" check-config "$T/hotline.yaml" >"$T/check.out" 2>&1
rc=$?
check "a world-readable TLS key is refused at load" \
	sh -c "[ $rc -ne 0 ] && grep -q 'sip.tls_key.*readable by everyone' '$T/check.out'"
chmod 600 "$T/key.pem"
"$HOTLINE" check-config "$T/hotline.yaml" >"$T/check.out" 2>&1
check "the same configuration with the key private loads" test $? -eq 0

start_hotline
check "hotline listens on TLS" grep -q "sip: listening tls $HOST:$TLS_PORT" "$T/hotline.log"

B="$T/baresip"
mkdir -p "$B"
sox -n -r 8000 -c 1 -b 16 "$B/voice.wav" synth 30 sine 300-900 vol 0.5
cat > "$B/config" <<CFG
poll_method		epoll
sip_listen		$PHONE:$((BASE + 46))
sip_cafile		$T/cert.pem
sip_certificate		$T/phone.pem
net_interface		hs1
audio_path		/usr/share/baresip
audio_source		aufile,$B/voice.wav
audio_player		aubridge,nil
audio_alert		aubridge,nil
rtp_ports		$((BASE + 80))-$((BASE + 99))
module_path		/usr/lib/baresip/modules
module			g711.so
module			aufile.so
module			aubridge.so
module			srtp.so
module_app		account.so
module_app		contact.so
module_app		menu.so
CFG
echo "<sip:1003@$HOST:$TLS_PORT;transport=tls>;auth_pass=carol-1003;answermode=auto;mediaenc=srtp-mand;regint=600" > "$B/accounts"
# the carrier's side: the number called through the trunk (no registration)
echo "<sip:2025550100@$PHONE;transport=tls>;answermode=auto;mediaenc=srtp-mand;regint=0" >> "$B/accounts"
: > "$B/contacts"
baresip -f "$B" -t 90 </dev/null >"$T/baresip.log" 2>&1 &
SIPP_PIDS+=($!)

reg=$(wait_for "select aor || '|' || transport from bindings where aor = '1003'" 10)
check "baresip registers as 1003 over TLS" test "$reg" = "1003|tls"

make_ivr_caller caller.xml rfc4733 2 5000
(cd "$T" && sipp "$HOST:$SIP_PORT" -sf "$T/caller.xml" -i "$HOST" -p "$CALLER_PORT" \
	-mp "$MEDIA_PORT2" -m 1 -timeout 60s -timeout_error -nostdin -s 5000 \
	-key caller 0309 -trace_err -error_file "$T/caller.err" >"$T/caller.out" 2>&1)
check "caller's call completes" test $? -eq 0
row=$(wait_for "select id, outcome, agent, recording, answered, ended from calls where caller = '0309' and ended > 0" 5)
IFS='|' read -r id outcome agent rec answered ended <<<"$row"
check "answered by baresip (agent 1003) over TLS" test "$outcome|$agent" = "answered|1003"
check "recording has both voices through SRTP" check_recording "$T/data/$rec" \
	"$(awk -v a="$answered" -v e="$ended" 'BEGIN { printf "%.2f", (e - a) / 1000 }')"
check "baresip's audio was SRTP" grep -qi "srtp" "$T/baresip.log"

c=$(req GET "/calls/$id")
check "the API: caller udp + rtp, agent tls + srtp" is 200 \
	"j['signalling'] == 'udp' and j['media'] == 'rtp' and j['agent_signalling'] == 'tls' and j['agent_media'] == 'srtp'"
c=$(req GET "/calls?limit=5")
check "the list says the same" is 200 \
	"[c for c in j['calls'] if c['id'] == '$id'][0]['agent_media'] == 'srtp'"
check "no SRTP packet failed authentication" \
	sh -c "curl -s http://127.0.0.1:$HTTP_PORT/metrics | grep -q '^hotline_srtp_dropped_total 0$'"

# a phone (untrusted: it proves who it is) offering plain RTP while its
# agent (1001) requires SRTP
make_caller plain.xml "0 8 101" "  <recv response=\"100\" optional=\"true\"/>
  <recv response=\"407\" auth=\"true\"/>
$ack_first
  <send retrans=\"500\">
    <![CDATA[
$phone_invite
    ]]>
  </send>
  <recv response=\"100\" optional=\"true\"/>
  <recv response=\"488\"/>
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      [last_Via:]
      [last_From:]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 2 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>"
(cd "$T" && sipp "$HOST:$SIP_PORT" -sf "$T/plain.xml" -i "$PHONE" -p "$CALLER_PORT2" \
	-mp "$MEDIA_PORT1" -m 1 -timeout 20s -timeout_error -nostdin -s 5000 \
	-key caller 1001 -au 1001 -ap alice-1001 -trace_err -error_file "$T/plain.err" \
	>"$T/plain.out" 2>&1)
check "agent 1001's srtp: required: its phone's plain RTP offer gets 488" test $? -eq 0

# click-to-call: agent 1003's phone over TLS, then the number out through
# the TLS trunk; both legs SRTP
c=$(req POST /calls '{"agent": "1003", "to": "2025550100"}')
check "click-to-call out through the TLS trunk: 201" is 201 "j['id']"
cid=$(j "j['id']")
row=$(wait_for "select outcome from calls where id = '$cid' and outcome = 'answered'" 10)
check "... the carrier answered over TLS" test "$row" = answered
c=$(req GET "/calls/$cid")
check "... the API: both legs tls + srtp" is 200 \
	"j['signalling'] == 'tls' and j['media'] == 'srtp' and j['agent_signalling'] == 'tls' and j['agent_media'] == 'srtp'"
check "... through trunk secure" \
	grep -q "call: out through trunk call=$cid trunk=secure" "$T/hotline.log"

# the far end's certificate is checked (the SDES keys travel in this
# SIP): with no CA that vouches for baresip's (the trunk's ca_file gone),
# hotline calls neither the phone's TLS listener nor the carrier on it
stop_hotline
sed -i '/ca_file: phone.crt/d' "$T/tenant.yaml"
start_hotline
c=$(req POST /calls '{"agent": "1003", "to": "2025550101"}')
cid=$(j "j.get('id', '')" 2>/dev/null)
sleep 3
check "without a CA for its certificate: no connection to it, the log says why" \
	grep -q "the far end's certificate is not trusted" "$T/hotline.log"
check "... and nothing was answered" \
	test "$(db "select count(*) from calls where id = '$cid' and outcome = 'answered'")" = 0

[ "$FAILS" -gt 0 ] && tail -n 30 "$T/baresip.log" >&2
finish
