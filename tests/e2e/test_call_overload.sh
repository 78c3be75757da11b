#!/usr/bin/env bash
# Admission control (issue 16): past limits.max_setup calls in set-up
# (INVITE taken, not yet answered), a new INVITE gets 503 with the
# configured Retry-After, counted in /metrics and logged at most once a
# second, while every call admitted goes on to its end. A burst of 20
# callers who each take 250 ms to ACK the 200 meets a limit of 5. Past
# limits.max_lag (the main loop running late, here stopped) the same.
source "$(dirname "$0")/lib.sh"
write_config
sed -i "s/^  rtp_ports: .*/  rtp_ports: $WIDE_RTP_MIN-$WIDE_RTP_MAX/" "$T/hotline.yaml"
cat >>"$T/hotline.yaml" <<YAML
limits:
  max_calls: 100
  max_setup: 5
  max_lag: 0
  retry_after: 7
YAML
start_hotline

# A caller of the IVR: ACKs the 200 after 250 ms (in set-up meanwhile),
# listens 1 s, hangs up; or is refused with 503 and ACKs that.
cat >"$T/burst.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<scenario name="burst caller">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[caller]@[local_ip]:[local_port]>;tag=[pid]B[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:[caller]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=- 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="503" optional="true" next="refused"/>
  <recv response="200" rrs="true"/>
  <pause milliseconds="250"/>
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
  </send>
  <pause milliseconds="1000"/>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      CSeq: 2 BYE
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" next="end"/>
  <label id="refused"/>
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <label id="end"/>
</scenario>
XML

# burst CALLER COUNT: COUNT calls at 400/s, all set up at once
burst() {
	(cd "$T" && sipp "127.0.0.1:$SIP_PORT" -sf "$T/burst.xml" -s 5000 -key caller "$1" \
		-p "$CALLER_PORT" -mp "$MEDIA_PORT0" -i 127.0.0.1 -r 400 -m "$2" -l "$2" \
		-timeout 30s -timeout_error -nostdin -trace_msg -message_file "$T/$1.msg" \
		-trace_stat -stf "$T/$1.csv" >"$T/$1.out" 2>&1)
}

burst 0316 20
rc=$?
# calls_with FILE STATUS: the calls (Call-IDs) that got a final STATUS to
# their INVITE (a retransmitted answer counts once); with HEADER also
# printed, those whose answer carried it
calls_with() {
	awk -v st="SIP/2.0 $2 " -v hdr="${3:-}" '
		/^SIP\/2.0 / { ans = index($0, st) == 1; id = ""; has = hdr == ""; inv = 0 }
		/^(INVITE|ACK|BYE|CANCEL) / { ans = 0 }
		ans && /^Call-ID:/ { id = $2 }
		ans && /^CSeq: 1 INVITE/ { inv = 1 }
		ans && hdr != "" && index($0, hdr) == 1 { has = 1 }
		ans && inv && has && id != "" { seen[id] = 1 }
		END { n = 0; for (k in seen) n++; print n }' "$1"
}
refused=$(calls_with "$T/0316.msg" 503)
retry=$(calls_with "$T/0316.msg" 503 "Retry-After: 7")
admitted=$(calls_with "$T/0316.msg" 200)
echo "# burst: sipp rc=$rc admitted=$admitted refused=$refused retry-after=$retry" >&2
check "burst: SIPp saw no failed call" test "$rc" -eq 0
check "burst: some calls over the limit refused with 503" test "$refused" -ge 5
check "burst: every 503 says Retry-After: 7" test "$retry" -eq "$refused"
check "burst: the limit's worth of calls admitted" test "$admitted" -ge 5
check "burst: every call admitted or refused" test $((admitted + refused)) -eq 20
rows=$(wait_for "select count(*) from calls where caller = '0316' and ended > 0 and hangup_side = 'caller' having count(*) = $admitted" 10)
check "burst: every admitted call completed (the caller's BYE)" test "${rows:-0}" = "$admitted"
check "burst: no refused call stored" test "$(db "select count(*) from calls where caller = '0316'")" = "$admitted"

m=$(api /metrics)
n=$(echo "$m" | awk '/^hotline_calls_refused_total\{reason="setup"\}/ { print $2 }')
check "metrics: hotline_calls_refused_total{reason=\"setup\"} counts the 503s" test "${n:-x}" = "$refused"
check "metrics: nothing refused for lag or max_calls" \
	test "$(echo "$m" | grep -c '^hotline_calls_refused_total{reason="\(lag\|calls\)"} 0$')" = 2
lines=$(grep -c 'refusing new calls reason=setup' "$T/hotline.log")
check "log: the refusals said, one line a second at most" test "$lines" -ge 1 -a "$lines" -le 2

# once the burst is over nothing is left in set-up: a call goes through
burst 0317 1
check "after the burst: a new call is admitted and completes" \
	test "$(calls_with "$T/0317.msg" 503)" = 0 -a "$(wait_for "select count(*) from calls where caller = '0317' and hangup_side = 'caller'" 5)" = 1

# A loop that lags: hotline stopped for 2 s (as if busy), then a call 50 ms
# after it runs again, while its ticks still run late: refused for lag
# (max_lag set low for this); a moment later calls are taken again.
stop_hotline_for() { kill -STOP "$HL_PID"; sleep "$1"; kill -CONT "$HL_PID"; }
sed -i 's/^  max_lag: 0$/  max_lag: 20ms/' "$T/hotline.yaml"
stop_hotline && start_hotline
sleep 0.5
stop_hotline_for 2
sleep 0.05
burst 0318 1
check "lag: a call while the loop lags is refused with 503" test "$(calls_with "$T/0318.msg" 503 "Retry-After: 7")" = 1
check "metrics: hotline_calls_refused_total{reason=\"lag\"} counts it" \
	test "$(api /metrics | awk '/^hotline_calls_refused_total\{reason="lag"\}/ { print $2 }')" = 1
sleep 1
burst 0319 1
check "lag: once the loop keeps time again the next call is taken" test "$(calls_with "$T/0319.msg" 200)" = 1

finish
