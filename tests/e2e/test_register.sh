#!/usr/bin/env bash
# Registration: good password over UDP and TCP, wrong password 403,
# unregister, bindings kept across a restart, OPTIONS answered, garbage
# ignored, and an address that keeps failing is banned (no answers).
source "$(dirname "$0")/lib.sh"
start_hotline

register 1001 alice-1001 "$AGENT_PORT1"
check "REGISTER with the right password (UDP): 200" test $? -eq 0
sipp_run register-tcp register.xml "$AGENT_PORT2" -t t1 -key user 1002 -au 1002 \
	-ap bob-1002 -key expires 600
check "REGISTER over TCP: 200" test $? -eq 0
row=$(wait_for "select group_concat(aor || ':' || transport, ',') from bindings order by aor" 3)
check "bindings stored (udp and tcp)" test "$row" = "1001:udp,1002:tcp"

sipp_run register-bad register_bad.xml "$CALLER_PORT" -key user 1003 -au 1003 \
	-ap wrong -key expires 600
check "wrong password: 403" test $? -eq 0
sipp_run register-unknown register_bad.xml "$CALLER_PORT" -key user 1999 -au 1999 \
	-ap x -key expires 600
check "unknown user: 403" test $? -eq 0

sipp_run unregister register.xml "$AGENT_PORT2" -t t1 -key user 1002 -au 1002 \
	-ap bob-1002 -key expires 0
check "unregister (Expires: 0): 200" test $? -eq 0
sleep 0.3
check "binding removed" test "$(db "select count(*) from bindings where aor = '1002'")" = 0

# OPTIONS keepalive and garbage
printf 'OPTIONS sip:127.0.0.1:%s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%s;branch=z9hG4bK77\r\nFrom: <sip:probe@127.0.0.1>;tag=1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: opt1@x\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n' \
	"$SIP_PORT" "$CALLER_PORT2" > "$T/options.txt"
reply=$(timeout 3 python3 - "$SIP_PORT" "$CALLER_PORT2" "$T/options.txt" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[2])))
s.settimeout(2)
s.sendto(b"\x00\xffgarbage that is not SIP\r\n\r\n", ("127.0.0.1", int(sys.argv[1])))
s.sendto(open(sys.argv[3], "rb").read(), ("127.0.0.1", int(sys.argv[1])))
print(s.recv(4000).decode(errors="replace").splitlines()[0])
PY
)
check "OPTIONS answered 200 (garbage before it ignored)" test "$reply" = "SIP/2.0 200 OK"
check "hotline still running after garbage" kill -0 "$HL_PID"

# The binding of 1001 survives a restart.
stop_hotline
check "clean stop" test $? -eq 0
start_hotline
check "binding restored after restart" grep -q "restored 1 bindings" "$T/hotline.log"

# A scanner: 5 failures from one address, then silence.
for i in 1 2 3 4; do
	sipp_run "scan-$i" register_bad.xml "$CALLER_PORT" -key user 1003 -au 1003 \
		-ap "guess$i" -key expires 600
done
sipp_run scan-5 register_bad.xml "$CALLER_PORT" -key user 1003 -au 1003 -ap guess5 \
	-key expires 600
sipp_run scan-6 register.xml "$CALLER_PORT" -key user 1003 -au 1003 -ap carol-1003 \
	-key expires 600 -timeout 4s
check "banned address gets no answer, even with the right password" test $? -ne 0
check "the ban is a sip.address_banned event and an audit line" \
	test "$(db "select count(*) from events where type = 'sip.address_banned' and json_extract(data, '$.address') = '127.0.0.1'")/$(db "select count(*) from audit where action = 'sip.address_banned' and addr = '127.0.0.1'")" = 1/1
check "the ban is logged" grep -q "banning address=127.0.0.1" "$T/hotline.log"
finish
