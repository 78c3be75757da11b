#!/usr/bin/env bash
# SIP over WebSocket (RFC 7118): a browser's phone (sipws_ua.py, on the
# wire as JsSIP) registers over GET /sip with digest auth, gets the
# queue's call through the IVR, answers it; the caller hangs up and the
# BYE reaches the browser. Then a browser that closes its WebSocket
# mid-call (a closed tab: no BYE): the call ends, the caller gets a BYE,
# the agent is freed and its binding ends. Last a browser that answers
# but never does ICE and DTLS: the call ends after 10 s with the reason. The handshake's refusals: no subprotocol sip,
# another site's Origin, no Upgrade.
source "$(dirname "$0")/lib.sh"
start_hotline

ws_status() { # PATH EXTRA-HEADERS...: the status of a WebSocket handshake
	local path=$1; shift
	local h=()
	for x in "$@"; do h+=(-H "$x"); done
	curl -s -o /dev/null -w '%{http_code}' --max-time 2 -H 'Connection: Upgrade' \
		-H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' \
		-H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' "${h[@]}" \
		"http://127.0.0.1:$HTTP_PORT$path"
}
c=$(ws_status /sip)
check "no subprotocol sip: 400" test "$c" = 400
c=$(ws_status /sip 'Sec-WebSocket-Protocol: sip' 'Origin: http://evil.example')
check "another site's page: 403" test "$c" = 403
c=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/sip")
check "no upgrade: 426" test "$c" = 426

# the browser's agent 1001 waits for a call; its first REGISTER goes
# with the upgrade request (the relay holds it until SIP is reached)
python3 "$E2E_DIR/sipws_ua.py" "$HTTP_PORT" 1001 alice-1001 --out "$T/ua.json" --eager \
	--wait 30 --media-port "$MEDIA_PORT0" >"$T/ua.out" 2>&1 &
UA=$!
for _ in $(seq 1 50); do grep -q registered "$T/ua.out" && break; sleep 0.1; done
u() { python3 -c "import json; j=json.load(open('$T/ua.json')); print($1)" 2>/dev/null; }
check "the socket answers the subprotocol sip" test "$(u "j['ws_status'], j['ws_protocol']")" = "101 True"
check "REGISTER with digest over the WebSocket: 200" test "$(u "j['register']")" = "SIP/2.0 200 OK"
check "the response's Via is the browser's WSS again" \
	bash -c "case '$(u "j['register_via']")' in 'SIP/2.0/WSS '*.invalid*) true ;; *) false ;; esac"
row=$(wait_for "select transport from bindings where aor = '1001'" 5)
check "the binding is a TCP phone's (through the relay)" test "$row" = tcp

make_ivr_caller caller.xml rfc4733 1 3000
sipp_run caller caller.xml "$CALLER_PORT" -s 5000 -key caller 0611 -mp "$MEDIA_PORT2"
check "the caller's call through the IVR completes" test $? -eq 0
wait "$UA"
check "the INVITE reaches the browser at its own Contact" \
	bash -c "case '$(u "j['invite_uri']")' in sip:1001@*.invalid\;transport=ws) true ;; *) false ;; esac"
sdp=$(u "j['invite_sdp']")
check "the offer to the browser is WebRTC's: SAVPF, ICE-lite, a host candidate, rtcp-mux" \
	bash -c "grep -q 'm=audio [0-9]* UDP/TLS/RTP/SAVPF ' <<<'$sdp' && grep -q '^a=ice-lite' <<<'$sdp' &&
		grep -q '^a=candidate:1 1 UDP 2130706431 127.0.0.1 [0-9]* typ host' <<<'$sdp' &&
		grep -q '^a=rtcp-mux' <<<'$sdp' && grep -q '^a=ice-pwd:' <<<'$sdp'"
check "the ACK too" bash -c "case '$(u "j['ack_uri']")' in sip:1001@*.invalid\;transport=ws) true ;; *) false ;; esac"
check "the caller's BYE reaches the browser" test -n "$(u "j.get('got_bye') or ''")"
row=$(wait_for "select outcome, queue, agent from calls where caller = '0611' and ended > 0" 5)
check "answered in sales by the browser's agent" test "$row" = "answered|sales|1001"

# a tab closed mid-call
python3 "$E2E_DIR/sipws_ua.py" "$HTTP_PORT" 1001 alice-1001 --out "$T/ua2.json" \
	--wait 30 --drop 2 --media-port "$MEDIA_PORT0" >"$T/ua2.out" 2>&1 &
UA=$!
for _ in $(seq 1 50); do grep -q registered "$T/ua2.out" && break; sleep 0.1; done
make_ivr_caller caller2.xml rfc4733 1 wait
sipp_run caller2 caller2.xml "$CALLER_PORT" -s 5000 -key caller 0612 -mp "$MEDIA_PORT2"
check "the caller gets a BYE when the browser's socket closes" test $? -eq 0
wait "$UA"
check "the browser answered before it went" test "$(python3 -c "import json; print(json.load(open('$T/ua2.json')).get('dropped'))")" = True
row=$(wait_for "select outcome, agent, ended - answered < 4000 from calls where caller = '0612' and ended > 0" 5)
check "the call ends as answered by 1001, at the close" test "$row" = "answered|1001|1"
check "its binding ended" test -z "$(db "select aor from bindings where aor = '1001'")"
st=$(api /api/v1/agents/1001 | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
check "the agent is freed (not on a call)" bash -c "case '$st' in available|wrapup) true ;; *) false ;; esac"
grep -q 'agent.s phone gone call=.* agent=1001' "$T/hotline.log"
check "the log says why" test $? -eq 0

# answered, then no ICE check ever comes (sipws_ua.py does none)
python3 "$E2E_DIR/sipws_ua.py" "$HTTP_PORT" 1001 alice-1001 --out "$T/ua3.json" \
	--wait 40 --media-port "$MEDIA_PORT0" >"$T/ua3.out" 2>&1 &
UA=$!
for _ in $(seq 1 50); do grep -q registered "$T/ua3.out" && break; sleep 0.1; done
make_ivr_caller caller3.xml rfc4733 1 wait
sipp_run caller3 caller3.xml "$CALLER_PORT" -s 5000 -key caller 0613 -mp "$MEDIA_PORT2"
check "the caller gets a BYE when the browser's media never comes up" test $? -eq 0
wait "$UA"
check "so does the browser" test -n "$(python3 -c "import json; print(json.load(open('$T/ua3.json')).get('got_bye') or '')")"
row=$(wait_for "select hangup_side, hangup_reason, (ended - answered) / 1000 from calls where caller = '0613' and ended > 0" 5)
check "ended by the system 10 s after the answer: ICE did not complete" \
	test "$row" = "system|ICE did not complete|10"
st=$(api /api/v1/agents/1001 | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
check "the agent is freed" bash -c "case '$st' in available|wrapup) true ;; *) false ;; esac"
finish
