#!/usr/bin/env bash
# An agent on a call still gets chats (issue 13): 1001's SIPp phone takes
# a call from the voice queue; meanwhile a visitor's chat is offered to
# 1001's desktop, accepted and answered, the agent showing one call and
# one chat at once (load per channel); the chat's end leaves the call
# alone, which ends when the caller hangs up.
source "$(dirname "$0")/lib.sh"
TENANT=tenant_chat.yaml
start_hotline

c=$(req POST /users '{"name":"alice","role":"agent","extension":"1001","password":"pw-alice-123456"}')
c=$(req POST /tokens '{"user":"alice"}')
j "j['token']" >"$T/alice.token"

make_agent agent.xml answer
agent_up 1001 alice-1001 "$AGENT_PORT1" "$MEDIA_PORT0" agent.xml || finish
make_caller caller.xml "0 8 101" "$blk_answered
$(play "$PCAP_AUDIO")
$(pause 6000)
$blk_bye"
sipp_bg caller caller.xml "$CALLER_PORT" -s 5000 -key caller 0711 -m 1 -mp "$MEDIA_PORT2" >/dev/null
call=$(wait_for "SELECT id FROM calls WHERE caller='0711' AND agent='1001' AND answered>0" 15)
check "the call is answered by 1001's phone" test -n "$call"

PORT=$HTTP_PORT T=$T E2E_DIR=$E2E_DIR CALL=$call python3 - <<'PY'
import json, os, sys, time
sys.path.insert(0, os.environ["E2E_DIR"])
from chat_visitor import http, jbody, WS, Checks

P = int(os.environ["PORT"])
T = os.environ["T"]
ck = Checks()
OH = {"Origin": "http://shop.test:8000"}
atok = open(f"{T}/alice.token").read().strip()
AH = {"Authorization": "Bearer " + atok}
alice = WS(P, "/api/v1/events?types=chat.", ["Authorization: Bearer " + atok])
time.sleep(0.3)
s, _, b = http(P, "POST", "/chat/v1/entries/web/chats", {"name": "张伟", "topic": "0"}, OH)
st = jbody(b) or {}
ck.check("a chat starts while the agent is on the call", s == 201, f"{s} {b}")
v = WS(P, "/chat/v1/ws", ["Origin: http://shop.test:8000"])
v.send({"type": "hello", "token": st.get("token"), "last_seq": 0})
off = alice.wait(lambda m: m["type"] == "chat.offered" and m["call"] == st.get("chat_id"))
ck.check("it is offered to the agent on the call", off and off["agent"] == "1001", str(off))
s, _, b = http(P, "POST", f"/api/v1/interactions/{st.get('chat_id')}/accept", headers=AH)
ck.check("the agent accepts it", s == 200, f"{s} {b}")
s, _, b = http(P, "GET", "/api/v1/agents/1001", headers=AH)
ag = jbody(b) or {}
ck.check("the agent holds a call and a chat at once",
         s == 200 and ag["load"]["voice"] == 1 and ag["load"]["chat"] == 1, f"{s} {b}")
v.send({"type": "msg", "cid": "1", "text": "在吗"})
m = alice.wait(lambda m: m["type"] == "chat.message")
s, _, b = http(P, "POST", f"/api/v1/interactions/{st.get('chat_id')}/messages",
               {"text": "在，请讲"}, AH)
r = v.wait(lambda m: m["type"] == "msg" and m["from"] == "agent")
ck.check("messages both ways during the call", m and r and r["text"] == "在，请讲",
         f"{m} {r}")
s, _, b = http(P, "POST", f"/api/v1/interactions/{st.get('chat_id')}/end", headers=AH)
ck.check("the chat ends", s == 200, f"{s} {b}")
s, _, b = http(P, "GET", f"/api/v1/calls/{os.environ['CALL']}", headers=AH)
ck.check("the call goes on", s == 200 and jbody(b)["ended"] in (0, None), f"{s} {b[:200]}")
sys.exit(1 if ck.fails else 0)
PY
[ $? -eq 0 ] || FAILS=$((FAILS + 1))
wait_peers 20
check "the call ends when the caller hangs up, answered" \
	test "$(wait_for "SELECT outcome FROM calls WHERE id='$call' AND ended>0" 10)" = answered
finish
