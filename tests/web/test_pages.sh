#!/usr/bin/env bash
# The pages in Chromium (tests/web/pages.mjs): the agent desktop takes a
# SIPp call from ringing to wrap-up, the wallboard follows it live, the
# admin makes a user. Screenshots land in $BUILD/screenshots/.
source "$(dirname "$0")/../e2e/lib.sh"
source "$(dirname "$0")/web.sh"
WEB_DIR=$ROOT/tests/web
[ -d "$WEB_DIR/node_modules/playwright-core" ] || (cd "$WEB_DIR" && npm ci --no-audit --no-fund >/dev/null)
cp "$E2E_DIR/tenant.yaml" "$T/tenant.yaml" # the admin page saves it
# tickets need an order number: the desktop asks for it when making one
echo 'tickets: {fields: [{name: order_no, type: text, label: Order number, required: true}]}' >>"$T/tenant.yaml"
TENANT=$T/tenant.yaml start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
web_users
ann=$(curl -s -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' -d '{"name":"Ann Lee","company":"Acme Widgets","tier":"vip","fields":{"plan":"pro"},"identities":[{"kind":"phone","value":"+1 415 555 0123"}]}' "$URL/api/v1/customers" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
check "Ann Lee, a VIP customer on the pro plan" test -n "$ann"
check "... with an open ticket" test "$(adm -d "{\"subject\":\"Invoice question\",\"fields\":{\"order_no\":\"A-1\"},\"customer\":\"$ann\",\"group\":\"sales\",\"assignee\":\"1002\"}" "$URL/api/v1/tickets")" = 201
# the integrator's webhook that takes survey links to customers
SINK_PORT=$((PEER_PORTS + 45))
python3 "$E2E_DIR/webhook_sink.py" "$SINK_PORT" survey-secret-0123 "$T/hooks.jsonl" 0 300 &
SINK=$!
check "a webhook for survey links" test "$(adm -d "{\"url\":\"http://127.0.0.1:$SINK_PORT/hook\",\"types\":[\"survey.\"],\"secret\":\"survey-secret-0123\"}" "$URL/api/v1/webhooks")" = 201
adm -d '{"state":"logged_out"}' "$URL/api/v1/agents/1001/state" >/dev/null
adm -d '{"state":"paused","reason":"lunch"}' "$URL/api/v1/agents/1002/state" >/dev/null

# alice's phone takes two calls of 7 s; Ann calls, then an unknown caller
alice_phone 7000 2
CALL_CMD=$(sales_caller_cmd "$CALLER_PORT" 4155550123 "$MEDIA_PORT2" caller.out)
CALL2_CMD=$(sales_caller_cmd "$CALLER_PORT2" 4155550177 $((PEER_PORTS + 10)) caller2.out)
HOTLINE_URL=$URL SHOT_DIR="$ROOT/$BUILD/screenshots" CALL_CMD=$CALL_CMD CALL2_CMD=$CALL2_CMD DB="$T/data/hotline.db" \
	HOOKS="$T/hooks.jsonl" node "$WEB_DIR/pages.mjs" 2>"$T/browser.err"
rc=$?
kill "$SINK" 2>/dev/null
[ $rc -ne 0 ] && cat "$T/browser.err" >&2
check "the customer made on the desktop has the caller's number" \
	test "$(db "SELECT c.name FROM customers c JOIN identities i ON i.customer = c.id WHERE i.value = '+14155550177'")" = "Carl New"
check "the ticket holds Ann, the call, the notes, in sales" \
	test "$(db "SELECT t.grp || '/' || c.name || '/' || t.description || '/' || (t.calls = w.call) FROM tickets t JOIN customers c ON c.id = t.customer JOIN wrapups w WHERE t.calls != ''")/$(db "SELECT json_extract(fields, '$.order_no') FROM tickets WHERE calls != ''")" = "sales/Ann Lee/Wants the premium plan./1/A-77"
check "the tenant file has the supervisor's change on the queue's own line, the one before kept" \
	bash -c "grep -q 'name: sales, service_level_target: 90, wrapup: \"2s\", strategy: \"linear\"' '$T/tenant.yaml' && grep -q 'name: sales, strategy: ring-all' '$T/tenant.yaml.bak'"
check "the customer's score is on the ticket" test "$(db "SELECT csat FROM tickets WHERE status='resolved'")" = 5
check "the hold and the resume from the desktop are events" \
	test "$(db "SELECT group_concat(type, ',') FROM events WHERE type IN ('call.held','call.resumed') AND data LIKE '%desktop%'")" = call.held,call.resumed
wrap=$(db "SELECT disposition || ':' || notes FROM wrapups")
check "the wrap-up is stored with its disposition and notes" test "$wrap" = "sale:Wants the premium plan."
check "the screenshots of the three pages are saved" \
	test -s "$ROOT/$BUILD/screenshots/agent.png" -a -s "$ROOT/$BUILD/screenshots/wallboard.png" -a -s "$ROOT/$BUILD/screenshots/admin.png"
finish
