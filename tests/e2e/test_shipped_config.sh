#!/usr/bin/env bash
# The shipped configuration works as shipped: `hotline serve --config
# conf/hotline.yaml` (only the data directory moved, with --data-dir)
# listens for SIP on every local address (sip.listen 0.0.0.0:5060) and
# for HTTP on 127.0.0.1:8080; OPTIONS over UDP and TCP and /health
# answer, and a call's SDP names the address it came in on (media.address
# is unset), never 0.0.0.0. `make run` starts that same configuration.
# The ports are fixed, so runs take a lock; ports held by someone else are
# a failure, said so.
source "$(dirname "$0")/lib.sh"

exec 9>/tmp/hotline-default-ports.lock
if ! flock -w 300 9; then
	not_ok "lock /tmp/hotline-default-ports.lock" "another run held it for 300 s"
	finish
fi

recipe=$(make -s -n -C "$ROOT" run BUILD="$BUILD" MAKE=true 2>/dev/null)
check "make run starts the shipped configuration" \
	grep -qx "$BUILD/hotline serve --config conf/hotline.yaml" <<<"$recipe"

for p in 5060 8080; do
	taken=$(ss -Hlntu "sport = :$p" 2>/dev/null)
	if [ -n "$taken" ]; then
		not_ok "port $p free for the shipped configuration" \
			"something on this machine already listens there: $taken"
		finish
	fi
done

(cd "$ROOT" && exec "$HOTLINE" serve --config conf/hotline.yaml --data-dir "$T/data") \
	>>"$T/hotline.log" 2>&1 &
HL_PID=$!
for _ in $(seq 1 100); do
	grep -q "hotline: ready" "$T/hotline.log" && break
	kill -0 "$HL_PID" 2>/dev/null || break
	sleep 0.1
done
check "hotline starts with conf/hotline.yaml unmodified" grep -q "hotline: ready" "$T/hotline.log"
if ! kill -0 "$HL_PID" 2>/dev/null; then
	not_ok "hotline runs" "it exited: $(grep -m1 error "$T/hotline.log")"
	finish
fi
check "SIP listens on the loopback" grep -q "sip: listening udp+tcp 127.0.0.1:5060" "$T/hotline.log"
for a in $(ip -4 -o addr show 2>/dev/null | awk '{print $4}' | cut -d/ -f1 | grep -v '^127\.'); do
	check "SIP listens on $a too" grep -q "sip: listening udp+tcp $a:5060" "$T/hotline.log"
done

options() { # PROTO
	printf 'OPTIONS sip:127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/%s 127.0.0.1:9;branch=z9hG4bKship%s;rport\r\nFrom: <sip:probe@127.0.0.1>;tag=1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: ship-%s@x\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n' \
		"${1^^}" "$1" "$1" | python3 "$E2E_DIR/sip_send.py" "$1" 5060
}
check "OPTIONS over UDP on 127.0.0.1:5060: 200" test "$(options udp)" = "SIP/2.0 200 OK"
check "OPTIONS over TCP on 127.0.0.1:5060: 200" test "$(options tcp)" = "SIP/2.0 200 OK"
check "GET /health on 127.0.0.1:8080" curl -sf http://127.0.0.1:8080/health -o /dev/null

# A trunk on the loopback calls the demo number: the answer's SDP names
# 127.0.0.1, where the INVITE came in.
sdp='v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n'
body=$(printf "$sdp")
printf 'INVITE sip:5000@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKshipinv;rport\r\nFrom: <sip:0601@127.0.0.1>;tag=2\r\nTo: <sip:5000@127.0.0.1>\r\nCall-ID: ship-inv@x\r\nCSeq: 1 INVITE\r\nContact: <sip:0601@127.0.0.1:9>\r\nMax-Forwards: 70\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s\r\n' \
	$((${#body} + 2)) "$body" | SDP="$T/answer.sdp" python3 "$E2E_DIR/sip_send.py" udp 5060 3 >"$T/invite.out"
check "a call on the demo number is answered" grep -q "^SIP/2.0 200" "$T/invite.out"
check "its SDP names 127.0.0.1 (where it came in), not 0.0.0.0" \
	grep -q "^c=IN IP4 127.0.0.1" "$T/answer.sdp"
finish
