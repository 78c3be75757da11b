#!/usr/bin/env bash
# Registering phones (issue 18), in a private network namespace with
# hotline on 10.202.0.1 and two other addresses: agent 1001 may register
# only from 10.202.0.2 (register_from); with the right password from
# 10.202.0.3 it is refused (403), an event and an audit line. Each new
# address a phone registers from is an agent.registered_from event and an
# audit line, once. Agent 1002 is given by its HA1 (MD5) alone.
NETNS_DEV0=hr0 NETNS_DEV1=hr1 NETNS_A=10.202.0.1 NETNS_B=10.202.0.2
source "$(dirname "$0")/netns.sh"
ip addr add 10.202.0.3/24 dev hr1

source "$(dirname "$0")/lib.sh"
HOST=10.202.0.1
PHONE=10.202.0.2
ELSEWHERE=10.202.0.3
HA1=$(printf '1002:hotline:Bob-Phone-Secret-42' | md5sum | cut -d' ' -f1)
sed -e "s|{ext: \"1001\", name: Alice, password: alice-1001}|{ext: \"1001\", name: Alice, password: alice-1001, register_from: [$PHONE/32]}|" \
	-e "s|{ext: \"1002\", name: Bob, password: bob-1002}|{ext: \"1002\", name: Bob, ha1_md5: $HA1}|" \
	"$E2E_DIR/tenant.yaml" >"$T/tenant.yaml"
TENANT="$T/tenant.yaml"
write_config
sed -i "s/127.0.0.1:$SIP_PORT/$HOST:$SIP_PORT/" "$T/hotline.yaml"
start_hotline

reg() { # NAME SCENARIO FROM USER PASSWORD
	(cd "$T" && sipp "$HOST:$SIP_PORT" -sf "$SIPP_DIR/$2" -i "$3" -p "$AGENT_PORT1" \
		-m 1 -timeout 10s -timeout_error -nostdin -key user "$4" -au "$4" -ap "$5" \
		-key expires 600 -trace_err -error_file "$T/$1.err" >"$T/$1.out" 2>&1)
}
reg from-elsewhere register_bad.xml "$ELSEWHERE" 1001 alice-1001
check "1001 with the right password from outside register_from: 403" test $? -eq 0
check "... no binding" test "$(db "select count(*) from bindings where aor = '1001'")" = 0
ev=$(wait_for "select data from events where type = 'agent.register_refused' and agent = '1001'" 3)
check "... an agent.register_refused event naming the address" grep -q "\"address\":\"$ELSEWHERE\"" <<<"$ev"
check "... and an audit line" test "$(db "select count(*) from audit where action = 'agent.register_refused' and target = '1001' and addr = '$ELSEWHERE'")" = 1

reg from-phone register.xml "$PHONE" 1001 alice-1001
check "1001 from its register_from network: 200" test $? -eq 0
ev=$(wait_for "select data from events where type = 'agent.registered_from' and agent = '1001'" 3)
check "a new address is an agent.registered_from event" grep -q "\"address\":\"$PHONE\"" <<<"$ev"
check "... and an audit line" test "$(db "select count(*) from audit where action = 'agent.registered_from' and target = '1001' and addr = '$PHONE'")" = 1
reg again register.xml "$PHONE" 1001 alice-1001
check "registering again from there: 200" test $? -eq 0
sleep 0.3
check "... an address already known is no new event" \
	test "$(db "select count(*) from events where type = 'agent.registered_from' and agent = '1001'")" = 1

reg ha1-good register.xml "$ELSEWHERE" 1002 Bob-Phone-Secret-42
check "1002 given by its HA1 registers with its password: 200" test $? -eq 0
reg ha1-bad register_bad.xml "$ELSEWHERE" 1002 bob-1002
check "... a wrong password: 403" test $? -eq 0

# A scanner's user name with a control character cannot forge a log line.
python3 - "$HOST" "$SIP_PORT" "$ELSEWHERE" <<'PY' >"$T/forge.out" 2>&1
import re, socket, sys
host, port, me = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((me, 0)); s.settimeout(3)
def req(cseq, auth=""):
    m = (f"REGISTER sip:{host} SIP/2.0\r\nVia: SIP/2.0/UDP {me}:{s.getsockname()[1]};branch=z9hG4bKf{cseq}\r\n"
         f"From: <sip:1001@{host}>;tag=f\r\nTo: <sip:1001@{host}>\r\nCall-ID: forge@x\r\n"
         f"CSeq: {cseq} REGISTER\r\nContact: <sip:1001@{me}>\r\n{auth}Content-Length: 0\r\n\r\n")
    s.sendto(m.encode("latin-1"), (host, port))
    return s.recv(4000).decode("latin-1")
nonce = re.search(r'nonce="([^"]+)"', req(1)).group(1)
a = (f'Authorization: Digest username="x\x1b[2Kregistrar: FORGED", realm="hotline", nonce="{nonce}", '
     f'uri="sip:{host}", response="00000000000000000000000000000000"\r\n')
print(req(2, a).splitlines()[0])
PY
check "a name with an escape sequence: refused (400, not text)" grep -q "^SIP/2.0 400" "$T/forge.out"
check "... and the log line holds no control character" bash -c "! grep -q \$'\x1b' '$T/hotline.log'"

# The admin page cannot give an agent a published password.
c=$(curl -s -o "$T/r.json" -w '%{http_code}' -H 'Authorization: Bearer test-token' -X PATCH \
	-d '{"password":"carol-1003"}' "http://127.0.0.1:$HTTP_PORT/api/v1/agents/1003")
check "PATCH an agent's password to a published one: 422 naming password" \
	bash -c "[ $c = 422 ] && grep -q 'published in the repository' '$T/r.json'"
c=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer test-token' -X PATCH \
	-d '{"password":"Carol-Own-Secret-77"}' "http://127.0.0.1:$HTTP_PORT/api/v1/agents/1003")
check "... one's own: 200" test "$c" = 200

# A restart knows the phones registered before: no new event for them.
stop_hotline
start_hotline
reg after-restart register.xml "$PHONE" 1001 alice-1001
check "after a restart 1001 registers again: 200" test $? -eq 0
sleep 0.3
check "... not a new address" \
	test "$(db "select count(*) from events where type = 'agent.registered_from' and agent = '1001'")" = 1
finish
