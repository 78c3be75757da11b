#!/usr/bin/env bash
# The web chat in Chromium (tests/web/chat.mjs): a visitor on a shop's
# page served from another origin (python's http.server on a port of this
# test's block) chats through hotline's widget with agent alice, who is
# on a SIPp call, while supervisor cathy watches on the wallboard. The
# shell checks what the store kept. Screenshots (chat-*.png) land in $T
# and $BUILD/screenshots/. Named apart from tests/e2e/test_chat.sh (the
# scripted visitor), so that their logs in build/test-logs do not mix.
source "$(dirname "$0")/../e2e/lib.sh"
source "$(dirname "$0")/web.sh"
WEB_DIR=$ROOT/tests/web
[ -d "$WEB_DIR/node_modules/playwright-core" ] || (cd "$WEB_DIR" && npm ci --no-audit --no-fund >/dev/null)

SITE_PORT=$((PEER_PORTS + 40))
SITE_URL="http://127.0.0.1:$SITE_PORT"
chat_tenant "$SITE_URL"
# alice's caller sends no RTP while it waits on her: the call outlives the test
RTP_TIMEOUT=300s TENANT=$T/tenant.yaml start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
web_users
# Zoë is a customer already: the phone number she gives finds her
zoe=$(curl -s -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' -d '{"name":"Zoë 张","identities":[{"kind":"phone","value":"+1 415 555 0199"}]}' "$URL/api/v1/customers" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
check "Zoë 张, a customer with her phone number" test -n "$zoe"
check "supervisor cathy, of the chat queues" test "$(adm -d '{"name":"cathy","role":"supervisor","queues":["chat-sales","chat-support"],"password":"cathy-secret"}' "$URL/api/v1/users")" = 201
check "hotline serves the widget to any origin, its catalogs too" \
	test "$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$URL/chat/widget.js")/$(curl -s -D - -o /dev/null "$URL/chat/i18n-zh-CN.json" | tr -d '\r' | grep -ci '^access-control-allow-origin: \*$')" = "200 text/javascript; charset=utf-8/1"
check "... and nothing outside web/chat/ under /chat/" \
	test "$(curl -s -o /dev/null -w '%{http_code}' "$URL/chat/agent.js")/$(curl -s -o /dev/null -w '%{http_code}' "$URL/chat/..%2Fagent.js")" = 404/404

chat_site "$SITE_PORT"
# a 40x30 PNG for the visitor to send
python3 - "$T/photo.png" <<'PY'
import struct, sys, zlib
w, h = 40, 30
raw = b''.join(b'\0' + b''.join(bytes([200, 60 + 4 * x, 40 + 6 * y]) for x in range(w)) for y in range(h))
def chunk(k, d): return struct.pack('>I', len(d)) + k + d + struct.pack('>I', zlib.crc32(k + d) & 0xffffffff)
open(sys.argv[1], 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
PY

adm -d '{"state":"logged_out"}' "$URL/api/v1/agents/1001/state" >/dev/null
adm -d '{"state":"logged_out"}' "$URL/api/v1/agents/1002/state" >/dev/null
# alice's phone takes one long call: the chats come while she is on it
alice_phone 90000 1
CALL_CMD=$(sales_caller_cmd "$CALLER_PORT" 4155550123 "$MEDIA_PORT2" caller.out)
HOTLINE_URL=$URL SITE_URL=$SITE_URL SHOT_DIR="$T/shots" CALL_CMD=$CALL_CMD PNG_FILE="$T/photo.png" \
	CUSTOMER=$zoe node "$WEB_DIR/chat.mjs" 2>"$T/browser.err"
rc=$?
[ $rc -ne 0 ] && cat "$T/browser.err" >&2
chat=$(db "SELECT id FROM calls WHERE channel = 'chat' AND customer = '$zoe'")
check "the chat is stored on Zoë, wrapped up as a sale with its notes" \
	test "$(db "SELECT disposition || ':' || notes FROM wrapups WHERE call = '$chat'")" = "sale:订单已确认"
check "the ticket made from the chat holds Zoë, the chat, high priority" \
	test "$(db "SELECT customer || '/' || calls || '/' || priority FROM tickets WHERE subject = 'Chat with Zoë 张'")" = "$zoe/$chat/high"
check "the messages are stored once each, the note as internal, the image by its name" \
	test "$(db "SELECT count(*) FROM messages WHERE interaction = '$chat' AND text = 'Sent while offline'")/$(db "SELECT internal FROM messages WHERE interaction = '$chat' AND text LIKE 'VIP?%'")/$(db "SELECT name FROM attachments WHERE interaction = '$chat'")" = "1/1/发票.png"
check "the visitor's rating is kept" test -n "$(db "SELECT 1 FROM surveys WHERE call = '$chat' AND score = 5" 2>/dev/null)"
check "the customer made from the second chat has her phone number" \
	test "$(db "SELECT count(*) FROM customers c JOIN identities i ON i.customer = c.id WHERE c.name = 'Wang Fang' AND i.kind = 'phone'")" = 1
check "the offline form became a ticket in support" \
	test "$(db "SELECT grp FROM tickets WHERE subject LIKE 'Chat offline: Li Lei%'")" = support
mkdir -p "$ROOT/$BUILD/screenshots" && cp "$T"/shots/chat-*.png "$ROOT/$BUILD/screenshots/" 2>/dev/null
check "the screenshots of the widget and of the desktop with a call and two chats are saved" \
	test -s "$T/shots/chat-widget.png" -a -s "$T/shots/chat-desktop.png" -a -s "$T/shots/chat-widget-zh.png"
finish
