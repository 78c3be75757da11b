#!/usr/bin/env bash
# A chat's first response and its customer (issue 13, docs/METRICS.md,
# docs/CHAT.md): a visitor who gives only an e-mail address the CRM knows
# (written in another case) is that customer on the agent's offer and in
# the interaction's row (chat.created, which the queue's agent now gets,
# says it too); the agent accepts, waits 2 s and replies: the
# chat's first response (its start to that reply) is in the queue's live
# figures, in its figures over a range and in the hourly figures of the chat
# channel, the same number in all three since they come from one event.
source "$(dirname "$0")/lib.sh"
TENANT=tenant_chat.yaml
start_hotline

c=$(req POST /customers '{"name":"李娜","identities":[{"kind":"email","value":"li.na@example.cn"}]}')
is 201 "j['id']" || is 200 "j['id']"
check "a customer with only an e-mail identity" test -n "$(j "j['id']")"
CU=$(j "j['id']")
c=$(req POST /users '{"name":"alice","role":"agent","extension":"1001","password":"pw-alice-123456"}')
c=$(req POST /tokens '{"user":"alice"}')
j "j['token']" >"$T/alice.token"

PORT=$HTTP_PORT T=$T CU=$CU E2E_DIR=$E2E_DIR python3 - <<'PY'
import json, os, sys, time
sys.path.insert(0, os.environ["E2E_DIR"])
from chat_visitor import http, jbody, WS, Checks

P = int(os.environ["PORT"])
T = os.environ["T"]
CU = os.environ["CU"]
ck = Checks()
ORIGIN = "http://shop.test:8000"
OH = {"Origin": ORIGIN}
tok = open(f"{T}/alice.token").read().strip()
AH = {"Authorization": "Bearer " + tok}
ADMIN = {"Authorization": "Bearer test-token"}

alice = WS(P, "/api/v1/events?types=chat.,queue.", ["Authorization: Bearer " + tok])
ck.check("the agent's stream opens", alice.status == 101, str(alice.status))
time.sleep(0.3)
s, _, b = http(P, "POST", "/chat/v1/entries/web/chats",
               {"name": "Li", "email": "Li.Na@Example.CN", "topic": "0"}, OH)
cid = (jbody(b) or {}).get("chat_id")
ck.check("a chat with only an e-mail: 201", s == 201 and cid, f"{s} {b}")
cr = alice.wait(lambda m: m["type"] == "chat.created" and m["call"] == cid, 1)
ck.check("chat.created reaches the queue's agent, with the customer matched by e-mail",
         cr and cr["queue"] == "chat-sales" and cr["data"]["customer"] == CU, str(cr))
off = alice.wait(lambda m: m["type"] == "chat.offered" and m["call"] == cid)
ck.check("the offer pops the customer (id and name) on the agent's desktop",
         off and off["data"]["customer"] == CU and off["data"]["customer_name"] == "李娜",
         str(off))
s, _, b = http(P, "POST", f"/api/v1/interactions/{cid}/accept", headers=AH)
ck.check("accepted", s == 200, f"{s} {b}")
s, _, b = http(P, "POST", f"/api/v1/interactions/{cid}/messages",
               {"text": "note", "internal": True}, AH)
ck.check("an internal note first: 201", s == 201, f"{s} {b}")
time.sleep(2)
s, _, b = http(P, "POST", f"/api/v1/interactions/{cid}/messages", {"text": "您好"}, AH)
ck.check("the agent replies after 2 s: 201", s == 201, f"{s} {b}")
s, _, b = http(P, "POST", f"/api/v1/interactions/{cid}/messages", {"text": "again"}, AH)
msgs = [m for m in [alice.wait(lambda m: m["type"] == "chat.message" and m["data"]["text"] == t)
                    for t in ("note", "您好", "again")]]
fr = msgs[1]["data"].get("first_response_ms") if msgs[1] else None
ck.check("only the first reply in words is marked, with the time since the chat began",
         msgs[0] and "reply" not in msgs[0]["data"] and msgs[1]
         and msgs[1]["data"].get("reply") == "first" and fr is not None and 2000 <= fr < 10000
         and msgs[2] and "reply" not in msgs[2]["data"], str(msgs))

qs = alice.wait(lambda m: m["type"] == "queue.stats" and m["queue"]["name"] == "chat-sales"
                and m["queue"]["today"].get("first_responses") == 1, 3)
ck.check("the wallboard's stream: a queue.stats frame with the first response",
         qs and qs["queue"]["today"]["first_response_ms"] == fr, str(qs)[:300])
s, _, b = http(P, "GET", "/api/v1/queues/chat-sales", headers=ADMIN)
today = (jbody(b) or {}).get("today", {})
ck.check("live: the queue's today has the first response",
         s == 200 and today.get("first_responses") == 1
         and today.get("first_response_ms") == fr, f"{s} {today}")
s, _, b = http(P, "GET", "/api/v1/queues/chat-support", headers=ADMIN)
ck.check("live: a queue without replies has none (null)",
         s == 200 and jbody(b)["today"]["first_response_ms"] is None
         and jbody(b)["today"]["first_responses"] == 0, b[:300])
time.sleep(0.5)  # the events committed
s, _, b = http(P, "GET", "/api/v1/queues/chat-sales/stats", headers=ADMIN)
st = (jbody(b) or {}).get("stats", {})
ck.check("over a range: the same first response",
         s == 200 and st.get("first_responses") == 1 and st.get("first_response_ms") == fr,
         f"{s} {b[:400]}")
s, _, b = http(P, "GET", "/api/v1/stats/hourly?hours=2&channel=chat", headers=ADMIN)
hrs = (jbody(b) or {}).get("hours", [])
ck.check("hourly (chat): this hour has the same first response",
         s == 200 and len(hrs) == 2 and hrs[-1]["first_responses"] == 1
         and hrs[-1]["first_response_ms"] == fr and hrs[0]["first_response_ms"] is None,
         f"{s} {hrs}")
s, _, b = http(P, "GET", "/api/v1/stats/hourly?hours=1&channel=voice", headers=ADMIN)
hrs = (jbody(b) or {}).get("hours", [])
ck.check("hourly (voice): none", s == 200 and hrs and hrs[-1]["first_responses"] == 0,
         f"{s} {hrs}")
open(f"{T}/cid", "w").write(cid or "")
print(f"# {ck.fails} failed", flush=True)
sys.exit(1 if ck.fails else 0)
PY
[ $? -eq 0 ] || FAILS=$((FAILS + 1))

CID=$(cat "$T/cid")
check "the chat's row has the customer matched by e-mail" \
	test "$(wait_for "SELECT customer FROM calls WHERE id='$CID' AND customer != ''")" = "$CU"
finish
