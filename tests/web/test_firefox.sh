#!/usr/bin/env bash
# The pages in Firefox (tests/web/firefox.mjs): Debian's firefox-esr at a
# laptop's 1366x768, driven by puppeteer-core over WebDriver BiDi. The
# desktop, the live wallboard, the admin page and the tickets page, with no script errors
# and nothing wider than the window. Screenshots firefox-*.png land in
# $BUILD/screenshots/.
source "$(dirname "$0")/../e2e/lib.sh"
WEB_DIR=$ROOT/tests/web
FIREFOX=${FIREFOX:-/usr/bin/firefox-esr}
[ -d "$WEB_DIR/node_modules/puppeteer-core" ] || (cd "$WEB_DIR" && npm ci --no-audit --no-fund >/dev/null)
start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
adm() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' "$@"; }
# a customer with a ticket in sales, for the tickets page
ann=$(curl -s -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' -d '{"name":"Ann Lee","tier":"vip","identities":[{"kind":"phone","value":"+1 415 555 0123"}]}' "$URL/api/v1/customers" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
TICKET=$(curl -s -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' -d "{\"subject\":\"Invoice shows the wrong plan\",\"customer\":\"$ann\",\"group\":\"sales\"}" "$URL/api/v1/tickets" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
export TICKET
check "users for the test" test "$(adm -d '{"name":"alice","role":"agent","extension":"1001","password":"alice-secret"}' "$URL/api/v1/users")/$(adm -d '{"name":"sam","role":"supervisor","queues":["sales","support"],"password":"sam-secret"}' "$URL/api/v1/users")" = 201/201
adm -d '{"state":"logged_out"}' "$URL/api/v1/agents/1001/state" >/dev/null
adm -d '{"state":"paused","reason":"lunch"}' "$URL/api/v1/agents/1002/state" >/dev/null

# firefox.mjs prints "PASS\tname" or "FAIL\tname\twhy" per check, END last
no_error() { [ -z "$1" ]; }
rm -f "$ROOT/$BUILD/screenshots/firefox-"*.png
ended=0
while IFS=$'\t' read -r result name why; do
	case $result in
	PASS) check "$name" true ;;
	FAIL) check "$name" no_error "${why:-failed}" ;;
	END) ended=1 ;;
	esac
done < <(HOTLINE_URL=$URL API_TOKEN=test-token SHOT_DIR="$ROOT/$BUILD/screenshots" FIREFOX=$FIREFOX \
	node "$WEB_DIR/firefox.mjs" 2>"$T/firefox.err")
check "firefox.mjs ran to its end" test $ended = 1
[ $ended = 1 ] || cat "$T/firefox.err" >&2
check "the screenshots of the four pages in Firefox are saved" \
	test -s "$ROOT/$BUILD/screenshots/firefox-agent.png" -a -s "$ROOT/$BUILD/screenshots/firefox-wallboard.png" -a -s "$ROOT/$BUILD/screenshots/firefox-admin.png" -a -s "$ROOT/$BUILD/screenshots/firefox-tickets.png"
finish
