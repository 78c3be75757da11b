#!/usr/bin/env bash
# The web chat's bad input (issue 13, docs/CHAT.md), each refused with a
# reason while the other chats carry on: an origin not allowed (HTTP and
# WebSocket), an unknown token, no hello, frames that are not JSON, binary,
# invalid UTF-8 (1007) or over 64 KiB (1009), a message over message_chars
# characters, a flood from one visitor (refused, then closed), too many
# chats from one address; attachments whose content is not a type taken
# or over the limit (the chat's own, 5 MiB: a 2 MiB file is taken, a
# 6 MiB one refused from its head), a good one shown to the agent; outside the entry's
# hours the offline form, which becomes a ticket.
source "$(dirname "$0")/lib.sh"
TENANT=tenant_chat.yaml
start_hotline

c=$(req POST /users '{"name":"alice","role":"agent","extension":"1001","password":"pw-alice-123456"}')
c=$(req POST /tokens '{"user":"alice"}')
j "j['token']" >"$T/alice.token"

PORT=$HTTP_PORT T=$T E2E_DIR=$E2E_DIR python3 - <<'PY'
import json, os, socket, sys, time
sys.path.insert(0, os.environ["E2E_DIR"])
from chat_visitor import http, jbody, WS, Checks

P = int(os.environ["PORT"])
T = os.environ["T"]
ck = Checks()
ORIGIN = "http://shop.test:8000"
OH = {"Origin": ORIGIN}
atok = open(f"{T}/alice.token").read().strip()
AH = {"Authorization": "Bearer " + atok}
alice = WS(P, "/api/v1/events?types=chat.", ["Authorization: Bearer " + atok])
time.sleep(0.3)

def start(name="Zoë"):
    s, _, b = http(P, "POST", "/chat/v1/entries/web/chats", {"name": name, "topic": "0"}, OH)
    return s, jbody(b) or {}

def visitor(token, origin=ORIGIN):
    v = WS(P, "/chat/v1/ws", ["Origin: " + origin] if origin else [])
    if token is not None:
        v.send({"type": "hello", "token": token, "last_seq": 0})
        v.wait(lambda m: m["type"] == "welcome", 3)
    return v

# origins
s, _, b = http(P, "GET", "/chat/v1/entries/web", headers={"Origin": "http://evil.test"})
ck.check("an origin not allowed: 403 bad_origin",
         s == 403 and jbody(b)["error"]["code"] == "bad_origin", f"{s} {b}")
s, _, b = http(P, "POST", "/chat/v1/entries/web/chats", {"name": "x", "topic": "0"},
               {"Origin": "https://shop.test:8000"})
ck.check("another scheme is another origin: 403", s == 403, f"{s} {b}")
w = WS(P, "/chat/v1/ws", ["Origin: http://evil.test"])
ck.check("the socket from an origin not allowed: 403", w.status == 403, str(w.status))
s, _, b = http(P, "GET", "/chat/v1/entries/nope", headers=OH)
ck.check("an unknown entry: 404", s == 404, f"{s} {b}")
s, _, b = http(P, "POST", "/chat/v1/entries/web/chats", {"name": "x", "topic": "9"}, OH)
ck.check("an unknown topic: 400 naming it", s == 400 and "topic" in b.decode(), f"{s} {b}")
s, _, b = http(P, "POST", "/chat/v1/entries/web/chats", {"topic": "0"}, OH)
ck.check("no name: 400 naming it", s == 400 and "name" in b.decode(), f"{s} {b}")

# tokens and hello
v = visitor(None)
v.send({"type": "hello", "token": "A" * 43, "last_seq": 0})
e = v.wait(lambda m: m["type"] == "error", 3)
cl = v.wait_closed(3)
ck.check("an unknown token: error bad_token, closed 1008",
         e and e["code"] == "bad_token" and cl and cl[0] == 1008, f"{e} {cl}")
v = visitor(None)
v.send({"type": "msg", "text": "hi"})
e = v.wait(lambda m: m["type"] == "error", 3)
cl = v.wait_closed(3)
ck.check("no hello first: error bad_hello, closed 1008",
         e and e["code"] == "bad_hello" and cl and cl[0] == 1008, f"{e} {cl}")

s, st = start()
tok = st.get("token")
off = alice.wait(lambda m: m["type"] == "chat.offered" and m["call"] == st.get("chat_id"))
s, _, b = http(P, "POST", f"/api/v1/interactions/{st['chat_id']}/accept", headers=AH)
ck.check("a chat to test with, accepted", s == 200 and off, f"{s} {b}")
v = visitor(tok)
v.send_raw(b"not json {")
e = v.wait(lambda m: m["type"] == "error", 3)
ck.check("a frame that is not JSON: error bad_json, the socket stays",
         e and e["code"] == "bad_json" and not v.closed, f"{e} {v.closed}")
v.send({"type": "msg", "cid": "l1", "text": "x" * 41})
e = v.wait(lambda m: m["type"] == "error", 3)
ck.check("41 characters (limit 40): error too_long naming the limit",
         e and e["code"] == "too_long" and "40" in e["reason"], str(e))
v.send({"type": "msg", "cid": "l2", "text": "汉" * 40})
m = v.wait(lambda m: m["type"] == "msg", 3)
ck.check("40 Chinese characters are taken", m and m["text"] == "汉" * 40, str(m))
v.send({"type": "wat"})
e = v.wait(lambda m: m["type"] == "error", 3)
ck.check("an unknown type: error bad_frame", e and e["code"] == "bad_frame", str(e))
v.send_raw(b'{"type":"msg","cid":"u","text":"\xff\xfe"}')
e = v.wait(lambda m: m["type"] == "error", 3)
cl = v.wait_closed(3)
# the WebSocket layer refuses it before the chat sees it (RFC 6455 §8.1)
ck.check("invalid UTF-8: closed 1007 with a reason naming it",
         cl and cl[0] == 1007 and "UTF-8" in cl[1] and (not e or e["code"] == "bad_utf8"),
         f"{e} {cl}")
v = visitor(tok)
v.send_raw(b"\x00\x01\x02", op=2)
cl = v.wait_closed(3)
ck.check("a binary frame: closed 1003", cl and cl[0] == 1003, str(cl))
v = visitor(tok)
v.send_raw(json.dumps({"type": "msg", "cid": "big", "text": "y" * 70000}).encode())
cl = v.wait_closed(5)
ck.check("a frame over 64 KiB: closed 1009", cl and cl[0] == 1009, str(cl))

# a flood: 8 a minute are taken (those sent above count too), then refused,
# ten refusals in a row close the socket
v = visitor(tok)
for i in range(20):
    v.send({"type": "msg", "cid": f"f{i}", "text": f"flood {i}"})
frames = v.drain(2)
floods = [f for f in frames if f.get("type") == "error" and f.get("code") == "flood"]
ck.check("a flood: refused with flood, then closed 1008",
         len(floods) >= 2 and v.closed and v.closed[0] == 1008, f"{len(floods)} {v.closed}")
stored = len([f for f in frames if f.get("type") == "msg"])
ck.check("no more than per_visitor_per_min taken", stored <= 8, str(stored))
v = visitor(tok)
v.send({"type": "msg", "cid": "again", "text": "a new socket"})
e = v.wait(lambda m: m["type"] == "error" or m.get("cid") == "again", 3)
ck.check("a new socket of the same chat is still refused: the window is the chat's",
         e and e.get("code") == "flood", str(e))
v.close()
s, _, b = http(P, "POST", f"/api/v1/interactions/{st['chat_id']}/messages",
               {"text": "still here"}, AH)
ck.check("the chat carries on for the agent", s == 201, f"{s} {b}")

# attachments
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
s, _, b = http(P, "POST", f"/chat/v1/chats/{st['chat_id']}/attachments",
               headers=dict(OH, **{"Authorization": "Bearer " + tok, "X-Filename": "%E5%9B%BE.png",
                                   "Content-Type": "image/png"}), raw=PNG)
att = jbody(b) or {}
ck.check("a PNG: 201 with its id and seq", s == 201 and att.get("id") and att.get("seq"),
         f"{s} {b}")
am = alice.wait(lambda m: m["type"] == "chat.message" and m["data"].get("attachment"))
ck.check("the agent sees it as a message with the attachment, typed by content",
         am and am["data"]["attachment"]["type"] == "image/png"
         and am["data"]["attachment"]["size"] == len(PNG)
         and am["data"]["attachment"]["name"] == "图.png", str(am))
s, h, b = http(P, "GET", f"/chat/v1/chats/{st['chat_id']}/attachments/{att.get('id')}",
               headers={"Authorization": "Bearer " + tok})
ck.check("the visitor gets the file back as image/png",
         s == 200 and b == PNG and h.get("Content-Type") == "image/png", f"{s} {h}")
s, _, b = http(P, "GET", f"/api/v1/interactions/{st['chat_id']}/attachments/{att.get('id')}",
               headers=AH)
ck.check("the agent gets the file", s == 200 and b == PNG, f"{s}")
s, _, b = http(P, "POST", f"/chat/v1/chats/{st['chat_id']}/attachments",
               headers={"Authorization": "Bearer " + tok, "Content-Type": "image/png"},
               raw=b"MZ\x90\x00\x03" + b"\x00" * 40)
ck.check("an executable called a PNG: 415 bad_type",
         s == 415 and jbody(b)["error"]["code"] == "bad_type", f"{s} {b}")
# the attachment routes take the chat's attachment_bytes (5 MiB by
# default), not the server's 256 KiB for a JSON body
s, _, b = http(P, "POST", f"/chat/v1/chats/{st['chat_id']}/attachments",
               headers={"Authorization": "Bearer " + tok}, raw=PNG + b"\x00" * (2 << 20))
ck.check("a 2 MiB file: 201", s == 201, f"{s} {b[:100]}")
s, _, b = http(P, "POST", f"/api/v1/interactions/{st['chat_id']}/attachments",
               headers=dict(AH, **{"X-Filename": "big.png"}), raw=PNG + b"\x00" * (2 << 20))
ck.check("the agent's 2 MiB file: 201", s == 201, f"{s} {b[:100]}")
# over it: 413 from the head alone, before any of the body is sent
sk = socket.create_connection(("127.0.0.1", P), timeout=5)
sk.sendall(f"POST /chat/v1/chats/{st['chat_id']}/attachments HTTP/1.1\r\nHost: x\r\n"
           f"Origin: {ORIGIN}\r\nAuthorization: Bearer {tok}\r\n"
           f"Content-Length: {6 << 20}\r\n\r\n".encode())
ans = b""
while b"\r\n\r\n" not in ans:
    c = sk.recv(65536)
    if not c:
        break
    ans += c
sk.close()
ck.check("a 6 MiB file: 413 too_large before its body is sent, readable by the page",
         ans.startswith(b"HTTP/1.1 413") and b"5242880" in ans
         and f"Access-Control-Allow-Origin: {ORIGIN}".encode() in ans, ans[:400])
s, _, b = http(P, "POST", f"/chat/v1/chats/{st['chat_id']}/attachments",
               headers={"Authorization": "Bearer nope"}, raw=PNG)
ck.check("a file without the chat's token: 401", s == 401, f"{s} {b}")

# too many chats from one address (50 an hour in this tenant)
codes = [start(f"v{i}")[0] for i in range(52)]
ck.check("chats from one address past chats_per_address_per_hour: 429",
         codes.count(429) >= 1 and codes[0] == 201, str(codes[-4:]))

# outside the entry's hours: the offline form, a ticket
s, _, b = http(P, "GET", "/chat/v1/entries/night", headers=OH)
ck.check("an entry outside its hours is closed", s == 200 and jbody(b)["open"] is False, b)
s, _, b = http(P, "POST", "/chat/v1/entries/night/chats", {"name": "x", "topic": "0"}, OH)
ck.check("a chat there: 409 closed", s == 409, f"{s} {b}")
s, _, b = http(P, "POST", "/chat/v1/entries/night/offline",
               {"name": "李雷", "topic": "0", "message": "请回电 <b>"}, OH)
ck.check("the offline form without email or phone: 400", s == 400, f"{s} {b}")
s, _, b = http(P, "POST", "/chat/v1/entries/night/offline",
               {"name": "李雷", "email": "ll@example.com", "topic": "0",
                "message": "请回电 <b>"}, OH)
tk = (jbody(b) or {}).get("ticket_id")
ck.check("the offline form: 201 with a ticket", s == 201 and tk, f"{s} {b}")
open(f"{T}/ticket", "w").write(tk or "")
print(f"# {ck.fails} failed", flush=True)
sys.exit(1 if ck.fails else 0)
PY
[ $? -eq 0 ] || FAILS=$((FAILS + 1))

TK=$(cat "$T/ticket")
check "the offline ticket: in the entry's group, the message and the address in it" \
	bash -c "[ \"\$(sqlite3 '$T/data/hotline.db' \"SELECT grp FROM tickets WHERE id='$TK' AND description LIKE '%请回电 <b>%ll@example.com%'\")\" = chat-support ]"
check "attachment files are the owner's only (0600)" \
	bash -c "[ -n \"\$(ls '$T/data/attachments')\" ] && [ -z \"\$(find '$T/data/attachments' -type f ! -perm 600)\" ]"
check "hotline is still up" curl -sf "http://127.0.0.1:$HTTP_PORT/health" -o /dev/null
finish
