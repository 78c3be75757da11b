#!/usr/bin/env bash
# The web chat in Chromium (tests/web/chat.mjs): a visitor on a shop's
# page served from another origin (python's http.server on a port of this
# test's block) chats through hotline's widget with agent alice, who is
# on a SIPp call, while supervisor sam watches on the wallboard.
# Screenshots (chat-*.png) land in $T and $BUILD/screenshots/.
source "$(dirname "$0")/../e2e/lib.sh"
source "$(dirname "$0")/web.sh"
WEB_DIR=$ROOT/tests/web
[ -d "$WEB_DIR/node_modules/playwright-core" ] || (cd "$WEB_DIR" && npm ci --no-audit --no-fund >/dev/null)

TENANT=$E2E_DIR/tenant.yaml start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
web_users
check "hotline serves the widget to any origin, its catalogs too" \
	test "$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$URL/chat/widget.js")/$(curl -s -D - -o /dev/null "$URL/chat/i18n-zh-CN.json" | tr -d '\r' | grep -ci '^access-control-allow-origin: \*$')" = "200 text/javascript; charset=utf-8/1"
check "... and nothing outside web/chat/ under /chat/" \
	test "$(curl -s -o /dev/null -w '%{http_code}' "$URL/chat/agent.js")/$(curl -s -o /dev/null -w '%{http_code}' "$URL/chat/..%2Fagent.js")" = 404/404

# the shop: another origin, its own styles on every button
SITE_PORT=$((PEER_PORTS + 40))
mkdir -p "$T/site"
page() { # FILE LANG ENTRY
	cat >"$T/site/$1" <<HTML
<!doctype html><html lang="$2"><head><meta charset="utf-8"><title>Shop</title>
<style>button { background: red !important; font-size: 40px !important; } * { font-family: serif; }</style></head>
<body><h1>Shop</h1><p>Our products.</p>
<script src="$URL/chat/widget.js" data-entry="$3" async></script></body></html>
HTML
}
page shop.html en web
page night.html en night
page shop-zh.html zh-CN web
(cd "$T/site" && exec python3 -m http.server "$SITE_PORT" --bind 127.0.0.1 >"$T/site.log" 2>&1) &
SITE=$!
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$SITE_PORT/shop.html" && break; sleep 0.1; done
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
HOTLINE_URL=$URL SITE_URL="http://127.0.0.1:$SITE_PORT" SHOT_DIR="$T/shots" CALL_CMD=$CALL_CMD PNG_FILE="$T/photo.png" \
	node "$WEB_DIR/chat.mjs" 2>"$T/browser.err"
rc=$?
kill "$SITE" 2>/dev/null
[ $rc -ne 0 ] && cat "$T/browser.err" >&2
mkdir -p "$ROOT/$BUILD/screenshots" && cp "$T"/shots/chat-*.png "$ROOT/$BUILD/screenshots/" 2>/dev/null
check "the screenshots of the widget and of the desktop with a call and two chats are saved" \
	test -s "$T/shots/chat-widget.png" -a -s "$T/shots/chat-desktop.png" -a -s "$T/shots/chat-widget-zh.png"
finish
