#!/usr/bin/env bash
# SIP input as RFC 3261 takes it (§8.2, §18.3), checked once before any
# handler: a request missing Call-ID, CSeq, From or To, or whose CSeq
# method is not its own, is answered 400; one without Via is dropped; a
# UDP body shorter than its Content-Length is 400, bytes past it are cut
# off; another SIP version is 505 over UDP, and over TCP ends the
# connection at once (libre's stream framing, see src/sip/input.c); what
# is not SIP is dropped.
# Well-formed OPTIONS and REGISTER still get 200 and 401. SDP offers:
# PCMU/PCMA by static payload type alone are answered (RFC 3551), a media
# port over 65535 or a bad connection address is 488.
source "$(dirname "$0")/lib.sh"
start_hotline


# req PROTO [-HEADER]... [+LINE]... [=METHOD] [~CSEQ-METHOD] [@VERSION] [%BODY]:
# sends a request built from the usual headers (Via, From, To, Call-ID,
# CSeq, Max-Forwards, Content-Length), less those named with -, plus the
# lines given with +, and prints the status lines it got.
req() {
	local proto=$1 met=OPTIONS cmet="" ver=SIP/2.0 body="" clen="" skip=" " extra="" a m
	shift
	for a in "$@"; do
		case $a in
		-*) skip="$skip${a#-} " ;;
		+Content-Length*) clen=${a#+Content-Length: } ;;
		+*) extra="$extra${a#+}"$'\r\n' ;;
		=*) met=${a#=} ;;
		~*) cmet=${a#\~} ;;
		@*) ver=${a#@} ;;
		%*) body=${a#%} ;;
		esac
	done
	n=$BASHPID # each call runs in its own subshell
	m="$met sip:5000@127.0.0.1:$SIP_PORT $ver"$'\r\n'
	[[ $skip == *" Via "* ]] ||
		m+="Via: SIP/2.0/${proto^^} 127.0.0.1:9;branch=z9hG4bKin$n;rport"$'\r\n'
	[[ $skip == *" From "* ]] || m+="From: <sip:probe@127.0.0.1>;tag=$n"$'\r\n'
	[[ $skip == *" To "* ]] || m+="To: <sip:5000@127.0.0.1>"$'\r\n'
	[[ $skip == *" Call-ID "* ]] || m+="Call-ID: input-$n@x"$'\r\n'
	[[ $skip == *" CSeq "* ]] || m+="CSeq: $n ${cmet:-$met}"$'\r\n'
	m+="Max-Forwards: 70"$'\r\n'"$extra"
	[[ $skip == *" Content-Length "* ]] || m+="Content-Length: ${clen:-${#body}}"$'\r\n'
	m+=$'\r\n'"$body"
	printf '%s' "$m" | python3 "$E2E_DIR/sip_send.py" "$proto" "$SIP_PORT" 1 | tail -n 1
}

# first, so that nothing came in on the socket before: the version check
# watches it from start-up
check "udp: SIP/3.0 as the first request: 505" \
	test "$(req udp @SIP/3.0)" = "SIP/2.0 505 Version Not Supported"
for p in udp tcp; do
	check "$p: well-formed OPTIONS: 200" test "$(req $p)" = "SIP/2.0 200 OK"
	check "$p: well-formed REGISTER: 401" \
		test "$(req $p =REGISTER '+Contact: <sip:1001@127.0.0.1:9>' '+Expires: 60' | cut -d' ' -f2)" = 401
	for h in Call-ID CSeq From To; do
		check "$p: no $h: 400" test "$(req $p -$h | cut -d' ' -f2)" = 400
	done
	check "$p: INVITE without $h (no call made): 400" \
		test "$(req $p =INVITE -To | cut -d' ' -f2)" = 400
	check "$p: CSeq method differs from the request's: 400" \
		test "$(req $p ~INVITE | cut -d' ' -f2)" = 400
done
check "udp: no Via: dropped (no answer)" test "$(req udp -Via)" = none
check "udp: body shorter than Content-Length: 400" \
	test "$(req udp '%v=0' '+Content-Type: application/sdp' '+Content-Length: 300' | cut -d' ' -f2)" = 400
check "udp: Content-Length not a number: 400" \
	test "$(req udp '+Content-Length: 1x' | cut -d' ' -f2)" = 400
check "udp: bytes past Content-Length are not the body: 200" \
	test "$(req udp '+Content-Length: 0' '%trailing junk')" = "SIP/2.0 200 OK"
check "udp: SIP/3.0: 505" test "$(req udp @SIP/3.0)" = "SIP/2.0 505 Version Not Supported"
check "udp: SIP/1.0: 505" test "$(req udp @SIP/1.0 | cut -d' ' -f2)" = 505
check "udp: sip/2.0 (the version is case-insensitive): 200" \
	test "$(req udp @sip/2.0)" = "SIP/2.0 200 OK"
# over TCP what follows a start line of another version cannot be framed:
# libre closes the connection (FIN, not a reset), which is the answer a
# stream transport gives; the listener goes on taking connections
v=$(python3 "$E2E_DIR/sip_tcp_version.py" "$SIP_PORT" new)
echo "# $v" >&2
check "tcp: SIP/3.0 as the first request: no answer, the connection closed at once" \
	grep -Eq '^first=- answer=- end=closed after=0\.[0-9]$' <<<"$v"
v=$(python3 "$E2E_DIR/sip_tcp_version.py" "$SIP_PORT" after)
echo "# $v" >&2
check "tcp: SIP/3.0 after a SIP/2.0 request (200) on the same connection: closed at once" \
	grep -Eq '^first=SIP/2.0 200 OK answer=- end=closed after=0\.[0-9]$' <<<"$v"
check "tcp: a new connection is answered (200)" test "$(req tcp)" = "SIP/2.0 200 OK"
r=$(printf 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' | python3 "$E2E_DIR/sip_send.py" udp "$SIP_PORT" 1)
check "udp: not SIP (HTTP): dropped" test "$r" = none
r=$(printf '\x00\x01 hello\r\n\r\n' | python3 "$E2E_DIR/sip_send.py" udp "$SIP_PORT" 1)
check "udp: not SIP (bytes): dropped" test "$r" = none
check "refusals are logged with their reason" \
	grep -q 'sip: request refused src=127.0.0.1:[0-9]* code=400 reason="Missing CSeq Header"' \
	"$T/hotline.log"
check "no call was made from a refused INVITE" \
	test "$(db "select count(*) from calls")" = 0

# SDP offers in INVITEs from a trunk (trusted: no auth) to the demo number.
sdp() { # M-LINE C-LINE [ATTRIBUTES]
	printf 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n%s\r\nt=0 0\r\n%s\r\n%s' "$2" "$1" "${3:-}"
}
invite() { # SDP
	req udp =INVITE '+Content-Type: application/sdp' '+Contact: <sip:0601@127.0.0.1:9>' \
		"%$1" | cut -d' ' -f2
}
check "an offer of PCMA by static payload type only (RFC 3551): 200" \
	test "$(invite "$(sdp "m=audio $MEDIA_PORT0 RTP/AVP 8" "c=IN IP4 127.0.0.1")")" = 200
check "PCMU by static payload type beside telephone-event: 200" \
	test "$(invite "$(sdp "m=audio $MEDIA_PORT1 RTP/AVP 0 101" "c=IN IP4 127.0.0.1" \
		$'a=rtpmap:101 telephone-event/8000\r\n')")" = 200
# with an rtpmap, so that only the port or the address is wrong (libre
# alone would keep the port's low 16 bits, or no address: hold)
pcmu=$'a=rtpmap:0 PCMU/8000\r\n'
check "a media port over 65535: 488" \
	test "$(invite "$(sdp "m=audio 70000 RTP/AVP 0" "c=IN IP4 127.0.0.1" "$pcmu")")" = 488
check "a connection address that is no address: 488" \
	test "$(invite "$(sdp "m=audio $MEDIA_PORT2 RTP/AVP 0" "c=IN IP4 127.0.0.300" "$pcmu")")" = 488
check "an IP6 connection with an IPv4 address: 488" \
	test "$(invite "$(sdp "m=audio $MEDIA_PORT2 RTP/AVP 0" "c=IN IP6 127.0.0.1" "$pcmu")")" = 488
check "the refusals are logged naming the line" \
	grep -q 'media: offer refused: bad media port in "m=audio 70000 RTP/AVP 0"' "$T/hotline.log"
check "and the connection line" \
	grep -q 'media: offer refused: bad connection address in "c=IN IP4 127.0.0.300"' \
	"$T/hotline.log"
row=$(wait_for "select group_concat(outcome || ':' || hangup_cause, ',') from calls where outcome = 'failed'" 3)
check "the refused calls are stored as failed with 488" test "$row" = "failed:488,failed:488,failed:488"
check "hotline still running" kill -0 "$HL_PID"
check "and answering" test "$(req udp)" = "SIP/2.0 200 OK"
finish
