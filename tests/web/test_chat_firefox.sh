#!/usr/bin/env bash
# The web chat in Firefox (tests/web/chat_firefox.mjs): firefox-esr,
# driven by puppeteer-core over WebDriver BiDi as test_firefox.sh does. A
# visitor on the shop's page (another origin) chats through hotline's
# widget with alice on the desktop: messages both ways, HTML as text, a
# reload resumed. Screenshots firefox-chat-*.png land in $BUILD/screenshots/.
source "$(dirname "$0")/../e2e/lib.sh"
source "$(dirname "$0")/web.sh"
WEB_DIR=$ROOT/tests/web
FIREFOX=${FIREFOX:-/usr/bin/firefox-esr}
[ -d "$WEB_DIR/node_modules/puppeteer-core" ] || (cd "$WEB_DIR" && npm ci --no-audit --no-fund >/dev/null)
SITE_PORT=$((PEER_PORTS + 40))
SITE_URL="http://127.0.0.1:$SITE_PORT"
chat_tenant "$SITE_URL"
TENANT=$T/tenant.yaml start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
web_users
# 张伟 is a customer; what he gives in the chat does not find him: alice links him
CUSTOMER=$(curl -s -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' -d '{"name":"张伟","identities":[{"kind":"phone","value":"+1 415 555 0177"}]}' "$URL/api/v1/customers" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
export CUSTOMER
adm -d '{"state":"logged_out"}' "$URL/api/v1/agents/1001/state" >/dev/null
chat_site "$SITE_PORT"

# chat_firefox.mjs prints "PASS\tname" or "FAIL\tname\twhy" per check, END last
no_error() { [ -z "$1" ]; }
rm -f "$ROOT/$BUILD/screenshots/firefox-chat-"*.png
ended=0
while IFS=$'\t' read -r result name why; do
	case $result in
	PASS) check "$name" true ;;
	FAIL) check "$name" no_error "${why:-failed}" ;;
	END) ended=1 ;;
	esac
done < <(HOTLINE_URL=$URL SITE_URL=$SITE_URL SHOT_DIR="$ROOT/$BUILD/screenshots" FIREFOX=$FIREFOX \
	node "$WEB_DIR/chat_firefox.mjs" 2>"$T/firefox.err")
check "chat_firefox.mjs ran to its end" test $ended = 1
check "the chat is stored on the customer alice linked" \
	test "$(db "SELECT count(*) FROM calls WHERE channel = 'chat' AND customer = '$CUSTOMER'")" = 1
[ $ended = 1 ] || cat "$T/firefox.err" >&2
check "the screenshots of the chat in Firefox are saved" \
	test -s "$ROOT/$BUILD/screenshots/firefox-chat-widget.png" -a -s "$ROOT/$BUILD/screenshots/firefox-chat-desktop.png"
finish
