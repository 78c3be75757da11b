#!/usr/bin/env bash
# The web chat end to end (issue 13, docs/CHAT.md) with a scripted visitor
# over the WebSocket and agents on the API and their event streams: the
# entry and CORS, queue -> offer -> accept, messages both ways with 张伟
# and HTML kept exactly as text, an internal note the visitor never gets,
# typing and read receipts, a reconnect with last_seq (nothing lost or
# twice) and a resent cid stored once, transfer to another agent, the
# agent's end, wrap-up, rating, transcript, the chat's messages in GET
# /interactions/{id}; an offer not taken goes to the next agent.
source "$(dirname "$0")/lib.sh"
TENANT=tenant_chat.yaml
start_hotline

# agents: users tied to their extensions, each with a token
c=$(req POST /users '{"name":"sue","role":"supervisor","queues":["chat-sales"],"password":"pw-sue-1234567"}')
c=$(req POST /tokens '{"user":"sue"}')
j "j['token']" >"$T/sue.token"
for u in alice:1001 bob:1002; do
	c=$(req POST /users "{\"name\":\"${u%%:*}\",\"role\":\"agent\",\"extension\":\"${u#*:}\",\"password\":\"pw-${u%%:*}-123456\"}")
	[ "$c" = 201 ] || [ "$c" = 200 ] || echo "# user ${u%%:*}: $c $(cat "$T/r.json")" >&2
	c=$(req POST /tokens "{\"user\":\"${u%%:*}\"}")
	j "j['token']" >"$T/${u%%:*}.token"
done

PORT=$HTTP_PORT T=$T E2E_DIR=$E2E_DIR python3 - <<'PY'
import json, os, sys, time, urllib.parse
sys.path.insert(0, os.environ["E2E_DIR"])
from chat_visitor import http, jbody, WS, Checks

P = int(os.environ["PORT"])
T = os.environ["T"]
ck = Checks()
ORIGIN = "http://shop.test:8000"
OH = {"Origin": ORIGIN}
tok = {a: open(f"{T}/{a}.token").read().strip() for a in ("alice", "bob")}
AH = {a: {"Authorization": "Bearer " + t} for a, t in tok.items()}

def stream(agent):
    w = WS(P, "/api/v1/events?types=chat.,queue.", ["Authorization: Bearer " + tok[agent]])
    return w

# the entry, with CORS for its origin
s, h, b = http(P, "GET", "/chat/v1/entries/web", headers=OH)
e = jbody(b)
ck.check("entry: open, topics by id, limits", s == 200 and e and e["open"] is False
         and [t["label"] for t in e["topics"]] == ["Sales", "售后"]
         and e["limits"]["message_chars"] == 40, f"{s} {b[:200]}")
ck.check("entry: CORS for its origin",
         h.get("Access-Control-Allow-Origin") == ORIGIN, str(h))
s, h, b = http(P, "OPTIONS", "/chat/v1/entries/web/chats", headers=dict(OH, **{
    "Access-Control-Request-Method": "POST"}))
ck.check("preflight: 204 with the methods and headers", s == 204 and "POST" in
         h.get("Access-Control-Allow-Methods", "") and "Authorization" in
         h.get("Access-Control-Allow-Headers", ""), f"{s} {h}")

# nobody's desktop is open: closed, the offline form instead
s, _, b = http(P, "POST", "/chat/v1/entries/web/chats", {"name": "x", "topic": "0"}, OH)
ck.check("no desktop open: 409 closed", s == 409 and jbody(b)["error"]["code"] == "closed",
         f"{s} {b}")

alice, bob = stream("alice"), stream("bob")
ck.check("agents' streams open", alice.status == 101 and bob.status == 101,
         f"{alice.status} {bob.status}")
time.sleep(0.3)
s, _, b = http(P, "GET", "/chat/v1/entries/web", headers=OH)
ck.check("a desktop open: the entry is open", s == 200 and jbody(b)["open"] is True, b)

s, h, b = http(P, "POST", "/chat/v1/entries/web/chats",
               {"name": "张伟", "email": "zw@example.com", "topic": "0"}, OH)
start = jbody(b) or {}
ck.check("a chat starts: 201 with id and a 43-character token",
         s == 201 and len(start.get("token", "")) == 43 and start.get("chat_id"), f"{s} {b}")
cid, token = start.get("chat_id"), start.get("token")

v = WS(P, "/chat/v1/ws", ["Origin: " + ORIGIN])
v.send({"type": "hello", "token": token, "last_seq": 0})
w = v.wait(lambda m: m["type"] == "welcome")
ck.check("hello: welcome, queued", w and w["chat_id"] == cid and w["state"] in ("queued",),
         str(w))

off = alice.wait(lambda m: m["type"] == "chat.offered")
ck.check("offered to the first agent's desktop (chat.offered with its timeout)",
         off and off["call"] == cid and off["agent"] == "1001" and off["data"]["timeout"] == 2000,
         str(off))
s, _, b = http(P, "POST", f"/api/v1/interactions/{cid}/accept", headers=AH["bob"])
ck.check("another agent cannot accept it: 409", s == 409, f"{s} {b}")
s, _, b = http(P, "POST", f"/api/v1/interactions/{cid}/accept", headers=AH["alice"])
ck.check("the offered agent accepts: 200", s == 200, f"{s} {b}")
st = v.wait(lambda m: m["type"] == "state")
ck.check("the visitor sees it active with the agent's name",
         st and st["state"] == "active" and st.get("agent") == "Alice", str(st))

TEXT = "张伟 <img src=x onerror=alert(1)>"
v.send({"type": "msg", "cid": "c1", "text": TEXT})
echo = v.wait(lambda m: m["type"] == "msg")
ck.check("the visitor's message comes back with its seq and cid",
         echo and echo["seq"] == 1 and echo["cid"] == "c1" and echo["text"] == TEXT
         and echo["from"] == "visitor" and echo["name"] == "张伟", str(echo))
am = alice.wait(lambda m: m["type"] == "chat.message")
ck.check("the agent gets it exactly (chat.message)",
         am and am["data"]["text"] == TEXT and am["data"]["seq"] == 1
         and am["data"]["internal"] is False, str(am))

REPLY = "您好 <b>hi</b> & \"ok\""
s, _, b = http(P, "POST", f"/api/v1/interactions/{cid}/messages", {"text": REPLY},
               AH["alice"])
ck.check("the agent answers: 201 with seq 2", s == 201 and jbody(b)["seq"] == 2, f"{s} {b}")
m = v.wait(lambda m: m["type"] == "msg")
ck.check("the visitor gets the answer exactly",
         m and m["seq"] == 2 and m["text"] == REPLY and m["from"] == "agent"
         and m["name"] == "Alice", str(m))
s, _, b = http(P, "POST", f"/api/v1/interactions/{cid}/messages",
               {"text": "VIP, be nice", "internal": True}, AH["alice"])
ck.check("an internal note: 201 seq 3", s == 201 and jbody(b)["seq"] == 3, f"{s} {b}")
s, _, b = http(P, "POST", f"/api/v1/interactions/{cid}/messages", {"text": "x" * 41},
               AH["alice"])
ck.check("an agent's message over 40 characters: 422", s == 422, f"{s} {b}")
s, _, b = http(P, "POST", f"/api/v1/interactions/{cid}/messages", {"text": "字" * 40},
               AH["alice"])
ck.check("40 Chinese characters (120 bytes) are 40 characters: 201", s == 201, f"{s} {b}")

s, _, _ = http(P, "POST", f"/api/v1/interactions/{cid}/typing", {"on": True}, AH["alice"])
t = v.wait(lambda m: m["type"] == "typing")
ck.check("agent typing reaches the visitor", s == 204 and t and t["on"] is True, f"{s} {t}")
v.send({"type": "typing", "on": True})
t = alice.wait(lambda m: m["type"] == "chat.typing" and m["data"]["from"] == "visitor")
ck.check("visitor typing reaches the agent", t and t["data"] == {"from": "visitor", "on": True},
         str(t))
s, _, _ = http(P, "POST", f"/api/v1/interactions/{cid}/read", {"seq": 1}, AH["alice"])
r = v.wait(lambda m: m["type"] == "read")
ck.check("the agent's read receipt reaches the visitor", s == 204 and r and r["seq"] == 1,
         f"{s} {r}")
v.send({"type": "read", "seq": 4})
r = alice.wait(lambda m: m["type"] == "chat.read" and m["data"]["from"] == "visitor")
ck.check("the visitor's read receipt reaches the agent",
         r and r["data"] == {"from": "visitor", "seq": 4}, str(r))
notes = [x for x in v.drain() + v.got if x.get("type") == "msg" and x.get("seq") == 3]
ck.check("the visitor never gets the internal note", not notes, str(notes))

# the visitor drops; the agent writes meanwhile; back with last_seq 2
v.close()
time.sleep(0.2)
s, _, b = http(P, "POST", f"/api/v1/interactions/{cid}/messages", {"text": "还在吗？"},
               AH["alice"])
ck.check("a message while the visitor is away: seq 5", s == 201 and jbody(b)["seq"] == 5,
         f"{s} {b}")
v = WS(P, "/chat/v1/ws", ["Origin: " + ORIGIN])
v.send({"type": "hello", "token": token, "last_seq": 2})
v.wait(lambda m: m["type"] == "welcome")
got = [m for m in v.drain(0.5) if m["type"] == "msg"]
ck.check("reconnect with last_seq 2: 4 and 5 once each, no note",
         [m["seq"] for m in got] == [4, 5] and got[1]["text"] == "还在吗？", str(got))
v.send({"type": "msg", "cid": "c1", "text": TEXT})
again = v.wait(lambda m: m["type"] == "msg")
time.sleep(0.3)
ck.check("a resent cid is answered with the stored message, not stored twice",
         again and again["seq"] == 1 and again["cid"] == "c1", str(again))

# transfer to Bob, who ends it and wraps up with the calls' wrap-up
s, _, b = http(P, "POST", f"/api/v1/interactions/{cid}/transfer", {"agent": "1002"},
               AH["alice"])
ck.check("transfer to another agent: 202", s == 202, f"{s} {b}")
st = v.wait(lambda m: m["type"] == "state")
ck.check("the visitor sees the new agent", st and st.get("agent") == "Bob", str(st))
s, _, b = http(P, "POST", f"/api/v1/interactions/{cid}/messages", {"text": "no"},
               AH["alice"])
ck.check("the first agent no longer writes in it: 409", s == 409, f"{s} {b}")
s, _, b = http(P, "POST", f"/api/v1/interactions/{cid}/messages", {"text": "Bob here"},
               AH["bob"])
ck.check("the new agent writes: 201", s == 201, f"{s} {b}")
s, _, b = http(P, "POST", f"/api/v1/interactions/{cid}/end", headers=AH["bob"])
ck.check("the agent ends the chat: 200", s == 200, f"{s} {b}")
st = v.wait(lambda m: m["type"] == "state" and m["state"] == "ended")
ck.check("the visitor sees it ended", st is not None, str(v.got[-3:]))
v.send({"type": "msg", "cid": "c9", "text": "late"})
er = v.wait(lambda m: m["type"] == "error")
ck.check("a message after the end: error ended", er and er["code"] == "ended", str(er))
v.send({"type": "rate", "score": 5, "comment": "很好"})
time.sleep(0.3)
s, _, b = http(P, "POST", f"/api/v1/interactions/{cid}/customer", {"create": True},
               AH["bob"])
cu = jbody(b) or {}
ck.check("a customer made from what the visitor gave", s == 200 and cu.get("created") is True
         and cu.get("customer_id"), f"{s} {b}")
s, _, b = http(P, "POST", f"/api/v1/interactions/{cid}/customer", {"create": True},
               AH["bob"])
ck.check("again: the same customer, found by the visitor's e-mail address",
         s == 200 and jbody(b)["created"] is False
         and jbody(b)["customer_id"] == cu.get("customer_id"), f"{s} {b}")
s, _, b = http(P, "POST", f"/api/v1/interactions/{cid}/wrapup",
               {"disposition": "resolved", "notes": "售后 done",
                "ticket": {"subject": "退款 for 张伟", "priority": "high"}}, AH["bob"])
wu = jbody(b) or {}
ck.check("wrap-up with a ticket in one step (the calls' wrap-up): 200 with its id",
         s == 200 and wu.get("ticket_id", "").startswith("tk_"), f"{s} {b}")
s, _, b = http(P, "GET", f"/api/v1/customers/{cu.get('customer_id')}/timeline",
               headers={"Authorization": "Bearer test-token"})
tl = json.dumps(jbody(b), ensure_ascii=False)
ck.check("the customer's timeline shows the chat and its ticket",
         s == 200 and cid in tl and '"channel": "chat"' in tl and wu.get("ticket_id", "-") in tl,
         f"{s} {tl[:400]}")
open(f"{T}/ticket", "w").write(wu.get("ticket_id", ""))

s, h, b = http(P, "GET", f"/chat/v1/chats/{cid}/transcript",
               headers=dict(OH, Authorization="Bearer " + token))
tx = b.decode()
ck.check("transcript: UTF-8 text with both sides, no note",
         s == 200 and "text/plain" in h.get("Content-Type", "") and TEXT in tx
         and REPLY in tx and "VIP, be nice" not in tx, f"{s} {tx[:300]}")
s, _, _ = http(P, "GET", f"/chat/v1/chats/{cid}/transcript",
               headers={"Authorization": "Bearer " + "A" * 43})
ck.check("transcript with another token: 401", s == 401)

s, _, b = http(P, "GET", f"/api/v1/interactions/{cid}",
               headers={"Authorization": "Bearer test-token"})
ia = jbody(b) or {}
msgs = ia.get("messages", [])
ck.check("GET /interactions/{id}: channel chat, its messages with the note",
         s == 200 and ia.get("channel") == "chat"
         and [m["seq"] for m in msgs] == [1, 2, 3, 4, 5, 6]
         and msgs[0]["text"] == TEXT and msgs[2]["internal"] is True, f"{s} {b[:400]}")

# the chats' search: the messages' index, one Chinese character too
def found(q):
    s, _, b = http(P, "GET", "/api/v1/interactions?channel=chat&q=" + urllib.parse.quote(q),
                   headers={"Authorization": "Bearer test-token"})
    return s, [i["id"] for i in (jbody(b) or {}).get("interactions", [])]
ck.check("the chat found by one character of a message (您)", found("您") == (200, [cid]),
         str(found("您")))
ck.check("... by two (您好) and by a Latin word's start (hi)",
         found("您好") == (200, [cid]) and found("hi") == (200, [cid]), str(found("hi")))
ck.check("... not by words it has not", found("好您") == (200, []) and found("zebra") == (200, []),
         str(found("好您")))

# a supervisor of the queue reads the chat, live, and cannot write in it
sue = {"Authorization": "Bearer " + open(f"{T}/sue.token").read().strip()}
s, _, b = http(P, "GET", f"/api/v1/interactions/{cid}", headers=sue)
ck.check("a supervisor of the queue reads the chat with its messages",
         s == 200 and len((jbody(b) or {}).get("messages", [])) == 6, f"{s} {b[:200]}")
s, _, b = http(P, "POST", f"/api/v1/interactions/{cid}/messages", {"text": "hi"}, sue)
ck.check("a supervisor cannot write in it: 403", s == 403, f"{s} {b}")

# an offer nobody takes goes to the next agent
s, _, b = http(P, "POST", "/chat/v1/entries/web/chats", {"name": "Zoë", "topic": "0"}, OH)
c2 = (jbody(b) or {}).get("chat_id")
o1 = alice.wait(lambda m: m["type"] == "chat.offered" and m["call"] == c2)
wd = alice.wait(lambda m: m["type"] == "chat.withdrawn" and m["call"] == c2, 5)
o2 = bob.wait(lambda m: m["type"] == "chat.offered" and m["call"] == c2, 5)
ck.check("offer timeout: withdrawn from the first agent, offered to the next",
         o1 and wd and wd["data"]["reason"] == "timeout" and o2 and o2["agent"] == "1002",
         f"{o1} {wd} {o2}")
s, _, b = http(P, "POST", f"/api/v1/interactions/{c2}/accept", headers=AH["alice"])
ck.check("the timed-out agent can no longer accept: 409", s == 409, f"{s} {b}")
s, _, b = http(P, "POST", f"/api/v1/interactions/{c2}/accept", headers=AH["bob"])
ck.check("the next agent accepts: 200", s == 200, f"{s} {b}")

# declined: the next agent; then handed on to a queue, where it waits again
s, _, b = http(P, "POST", "/chat/v1/entries/web/chats", {"name": "李雷", "topic": "0"}, OH)
c3 = (jbody(b) or {}).get("chat_id")
t3 = (jbody(b) or {}).get("token")
o = alice.wait(lambda m: m["type"] == "chat.offered" and m["call"] == c3)
s, _, b = http(P, "POST", f"/api/v1/interactions/{c3}/decline", headers=AH["alice"])
o2 = bob.wait(lambda m: m["type"] == "chat.offered" and m["call"] == c3)
ck.check("declined: 204, offered to the next agent", s == 204 and o and o2, f"{s} {b} {o2}")
s, _, b = http(P, "POST", f"/api/v1/interactions/{c3}/accept", headers=AH["bob"])
v3 = WS(P, "/chat/v1/ws", ["Origin: " + ORIGIN])
v3.send({"type": "hello", "token": t3, "last_seq": 0})
v3.wait(lambda m: m["type"] == "welcome")
s, _, b = http(P, "POST", f"/api/v1/interactions/{c3}/transfer", {"queue": "sales"},
               AH["bob"])
ck.check("transfer to a voice queue: 422 bad_target",
         s == 422 and jbody(b)["error"]["code"] == "bad_target", f"{s} {b}")
s, _, b = http(P, "POST", f"/api/v1/interactions/{c3}/transfer", {"queue": "chat-support"},
               AH["bob"])
st = v3.wait(lambda m: m["type"] == "state")
ck.check("transfer to a chat queue: 202, the visitor waits there again",
         s == 202 and st and st["state"] == "queued", f"{s} {b} {st}")
v3.send({"type": "end"})
st = v3.wait(lambda m: m["type"] == "state" and m["state"] == "ended")
ck.check("the visitor ends it while it waits", st is not None, str(v3.got[-2:]))

s, _, b = http(P, "GET", "/api/v1/chat/canned", headers=AH["alice"])
ck.check("canned replies", s == 200 and jbody(b)["canned"][0]["shortcut"] == "/hi", b)
print(f"# {ck.fails} failed", flush=True)
sys.exit(1 if ck.fails else 0)
PY
[ $? -eq 0 ] || FAILS=$((FAILS + 1))

check "the rating is stored as the chat's survey" \
	test "$(db "SELECT score || comment FROM surveys WHERE call = (SELECT id FROM calls WHERE channel='chat' ORDER BY created LIMIT 1)")" = "5很好"
check "messages stored once each, in order" \
	test "$(db "SELECT group_concat(seq) FROM (SELECT seq FROM messages WHERE interaction = (SELECT id FROM calls WHERE channel='chat' ORDER BY created LIMIT 1) ORDER BY seq)")" = "1,2,3,4,5,6"
TK=$(cat "$T/ticket")
check "the ticket: the chat's, with its customer, subject and priority" \
	test "$(db "SELECT subject || '/' || priority || '/' || (calls LIKE '%'||(SELECT id FROM calls WHERE channel='chat' ORDER BY created LIMIT 1)||'%') || '/' || (customer != '') FROM tickets WHERE id='$TK'")" = "退款 for 张伟/high/1/1"
check "the chat's row: answered by Bob, wrapped up" \
	test "$(db "SELECT c.outcome || ' ' || c.agent || ' ' || w.disposition FROM calls c JOIN wrapups w ON w.call = c.id WHERE c.channel='chat'")" = "answered 1002 resolved"
finish
