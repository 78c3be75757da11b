#!/usr/bin/env bash
# The admin page's tenant forms in Chromium (tests/web/admin_config.mjs):
# the admin makes an agent, edits its skills, replaces the pause reasons
# and dispositions and adds business hours (and a make-up workday), uploads
# a recorded prompt (an MP3; a text file refused with the reason), each shown in the reloaded
# tables, a bad value shown with the field it names. Then, from outside
# the browser: the new agent's phone registers, the file has every change
# and keeps its comments. A screenshot lands in $BUILD/screenshots/.
source "$(dirname "$0")/../e2e/lib.sh"
WEB_DIR=$ROOT/tests/web
[ -d "$WEB_DIR/node_modules/playwright-core" ] || (cd "$WEB_DIR" && npm ci --no-audit --no-fund >/dev/null)
cp "$E2E_DIR/tenant.yaml" "$T/tenant.yaml" # the page saves it
TENANT=$T/tenant.yaml start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
HOTLINE_URL=$URL SHOT_DIR="$ROOT/$BUILD/screenshots" PROMPT_MP3="$ROOT/tests/data/tone-2s.mp3" \
	node "$WEB_DIR/admin_config.mjs" 2>"$T/browser.err"
rc=$?
[ $rc -ne 0 ] && cat "$T/browser.err" >&2
check "the agent made in the page registers its phone" register 1009 nina-1009 "$AGENT_PORT1"
check "its skills as edited are applied" \
	test "$(api /api/v1/agents/1009 | python3 -c 'import json,sys; print(json.load(sys.stdin)["skills"])')" = "{'english': 9, 'spanish': 4}"
check "agent 1009 pauses with the page's new reason coffee" \
	test "$(curl -s -H 'Authorization: Bearer test-token' -d '{"state":"paused","reason":"coffee"}' "$URL/api/v1/agents/1009/state" | python3 -c 'import json,sys; print(json.load(sys.stdin)["reason"])')" = coffee
check "the file has the changes and keeps its comments" \
	bash -c "grep -q '^pause_reasons: \[\"lunch\", \"coffee\", \"training\"\]$' '$T/tenant.yaml' && grep -q '\"name\": \"office\"' '$T/tenant.yaml' && grep -q '^# crm stays on one line' '$T/tenant.yaml'"
check "the prompt uploaded in the page is kept as 8 kHz WAV" test "$(soxi -r "$T/data/media/prompts/welcome.wav" 2>/dev/null)" = 8000
check "the screenshot is saved" test -s "$ROOT/$BUILD/screenshots/admin-config.png"
[ $rc -eq 0 ] || FAILS=$((FAILS + 1))
finish
