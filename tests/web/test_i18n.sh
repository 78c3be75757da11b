#!/usr/bin/env bash
# The pages in Simplified Chinese and in English (tests/web/i18n.mjs):
# every catalog key used and present in every catalog, no text of the
# HTML or literal of a script on the page without the catalog, no
# Chinese text still English (i18n_keys.mjs, no browser), then Chromium with a Chinese browser: the desktop, wallboard,
# tickets and admin pages with no English left, 张伟 popping up on a SIPp
# call; the same pages in English for an English browser. Screenshots
# (zh-*.png, en-*.png) land in $BUILD/screenshots/. Last, the user's own
# setting (PATCH /api/v1/session) kept in the store and audited.
source "$(dirname "$0")/../e2e/lib.sh"
source "$(dirname "$0")/web.sh"
WEB_DIR=$ROOT/tests/web
[ -d "$WEB_DIR/node_modules/playwright-core" ] || (cd "$WEB_DIR" && npm ci --no-audit --no-fund >/dev/null)

node "$WEB_DIR/i18n_keys.mjs" "$ROOT/web"

TENANT=$E2E_DIR/tenant.yaml start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
web_users
# a Chinese customer with a ticket: the caller's number finds him
zw=$(curl -s -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' -d '{"name":"张伟","company":"北京华信科技有限公司","tier":"vip","notes":"老客户，偏好电话联系。","identities":[{"kind":"phone","value":"+1 415 555 0188"}]}' "$URL/api/v1/customers" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
check "张伟, a customer made through the API" test -n "$zw"
check "... with an open ticket" test "$(adm -d "{\"subject\":\"发票抬头需要修改\",\"description\":\"客户要求把发票抬头改为公司全称。\",\"customer\":\"$zw\",\"group\":\"sales\",\"assignee\":\"1001\"}" "$URL/api/v1/tickets")" = 201
adm -d '{"state":"logged_out"}' "$URL/api/v1/agents/1001/state" >/dev/null
adm -d '{"state":"paused","reason":"lunch"}' "$URL/api/v1/agents/1002/state" >/dev/null

# alice's phone takes one call of 8 s: 张伟 calling sales
alice_phone 8000 1
CALL_CMD=$(sales_caller_cmd "$CALLER_PORT" 4155550188 "$MEDIA_PORT2" caller.out)
# his phone sends his name with quotes in it (a quoted-pair each)
sed -i 's|From: "Caller"|From: "张伟 \\"VIP\\""|' "$T/caller.xml"
HOTLINE_URL=$URL SHOT_DIR="$ROOT/$BUILD/screenshots" CALL_CMD=$CALL_CMD TICKET_CUSTOMER=$zw \
	node "$WEB_DIR/i18n.mjs" 2>"$T/browser.err"
rc=$?
[ $rc -ne 0 ] && cat "$T/browser.err" >&2
check "alice's language is stored as her setting, sam's taken back" \
	test "$(db "SELECT name || '=' || locale FROM users WHERE name IN ('alice', 'sam') ORDER BY name" | tr '\n' ' ')" = "alice=zh-CN sam= "
check "... and the change is audited" test "$(db "SELECT count(*) FROM audit WHERE action = 'session.update' AND target = 'alice' AND detail = 'locale=zh-CN'")" = 1
check "the screenshots in both languages are saved" \
	test -s "$ROOT/$BUILD/screenshots/zh-agent.png" -a -s "$ROOT/$BUILD/screenshots/zh-admin.png" -a -s "$ROOT/$BUILD/screenshots/en-agent.png"
finish
