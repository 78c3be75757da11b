#!/usr/bin/env bash
# The tenant file applied while running: a caller already in a menu
# finishes it as it was while the next follows the new one; a changed
# queue, a new agent, a
# new queue, flow and number take effect at once (the new agent registers
# with its new password and takes a call to the new number), a file edited
# by hand is reloaded, what waits for a start is named, and a bad file
# changes nothing.
source "$(dirname "$0")/lib.sh"
cp "$E2E_DIR/tenant.yaml" "$T/tenant.yaml"
TENANT=$T/tenant.yaml start_hotline
URL="http://127.0.0.1:$HTTP_PORT/api/v1"
auth="Authorization: Bearer test-token"
field() { # PATH PYTHON-EXPR over the JSON as j
	curl -s -H "$auth" "$URL$1" | python3 -c "import json,sys; j=json.load(sys.stdin); print($2)"
}

check "before: sales hunts longest-idle, target 80 %" \
	test "$(field /queues/sales 'j["strategy"], j["service_level_target"]')" = "longest-idle 0.8"

# a caller in the menu while the tenant changes finishes it as it was: the
# new file swaps the menu's keys (1 support, 2 sales); 1 still means sales
# to the caller already listening, support to the next one
make_ivr_caller menu.xml rfc4733 1 4000
sed -i '0,/<pause milliseconds="2200"\/>/s//<pause milliseconds="4500"\/>/' "$T/menu.xml"
sipp_bg menu-1 menu.xml "$CALLER_PORT" -s 5000 -key caller 0801 -m 1 -mp "$MEDIA_PORT1" >/dev/null
wait_for "SELECT 1 FROM events e JOIN calls c ON c.id = e.call WHERE c.caller = '0801' AND e.type = 'call.created'" 10 >/dev/null
sed 's/options: {"1": sales, "2": support}/options: {"1": support, "2": sales}/' "$T/tenant.yaml" >"$T/swapped.yaml"
c=$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" -X PUT --data-binary @"$T/swapped.yaml" "$URL/tenant")
check "the menu's keys are swapped while a caller listens to it" test "$c" = 200
check "the caller already in the menu goes where 1 led when it came: sales" \
	test "$(wait_for "SELECT queue FROM calls WHERE caller = '0801' AND ended > 0" 20)" = sales
make_ivr_caller menu2.xml rfc4733 1 4000
sipp_run menu-2 menu2.xml "$CALLER_PORT" -s 5000 -key caller 0802 -mp "$MEDIA_PORT1"
check "the next caller's 1 leads to support" \
	test "$(wait_for "SELECT queue FROM calls WHERE caller = '0802' AND ended > 0" 10)" = support
wait_peers

# the admin's edit: sales rings all with a target of 95 %; agent 1009 and
# its queue vip, answered on number 5055
python3 - "$T/tenant.yaml" "$T/edited.yaml" <<'EOF'
import sys
s = open(sys.argv[1]).read()
old = '{name: sales, strategy: longest-idle, ring_timeout: 4s,'
assert s.count(old) == 1
s = s.replace(old, '{name: sales, strategy: ring-all, service_level_target: 95, ring_timeout: 4s,')
s = s.replace('  - {ext: "1004", name: Dave, password: dave-1004}\n',
              '  - {ext: "1004", name: Dave, password: dave-1004}\n'
              '  - {ext: "1009", name: Nina, password: nina-1009}\n')
s = s.replace('queues:\n', 'queues:\n  - {name: vip, strategy: linear, ring_timeout: 4s, members: ["1009"]}\n')
s = s.replace('numbers:\n', 'numbers:\n  - {number: "5055", flow: vip-line}\n')
s = s.replace('flows:\n', 'flows:\n  - name: vip-line\n    start: q\n    nodes:\n      - {id: q, type: queue, queue: vip}\n')
open(sys.argv[2], 'w').write(s)
EOF
c=$(curl -s -o "$T/put.json" -w '%{http_code}' -H "$auth" -X PUT --data-binary @"$T/edited.yaml" "$URL/tenant")
check "the edited file is saved and applied, nothing waits for a start" \
	bash -c "[ $c = 200 ] && python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j[\"applied\"] and j[\"next_start\"] == []' '$T/put.json'"
check "sales now rings all, target 95 %" \
	test "$(field /queues/sales 'j["strategy"], j["service_level_target"]')" = "ring-all 0.95"
check "queue vip exists with its member" test "$(field /queues/vip 'j["members"]')" = 1
check "agent 1009 exists" test "$(field /agents/1009 'j["state"]')" = available
check "the new agent and the changed and new queues are events" \
	test "$(wait_for "SELECT group_concat(type || ':' || coalesce(agent, queue), ',') FROM (SELECT type, agent, queue FROM events WHERE type IN ('agent.updated', 'queue.updated') ORDER BY id)" 5)" = "queue.updated:vip,queue.updated:sales,agent.updated:1009"

# 1009 registers with the password of the new file and answers a call to
# the new number
make_agent agent.xml answer-bye 1500
agent_up 1009 nina-1009 "$AGENT_PORT1" "$MEDIA_PORT0" agent.xml || finish
make_caller caller.xml "0 8 101" "$blk_answered
$(play "$PCAP_AUDIO")
$blk_wait_bye"
sipp_run caller caller.xml "$CALLER_PORT" -s 5055 -key caller 0555 -mp "$MEDIA_PORT2"
check "a call to the new number completes" test $? -eq 0
row=$(wait_for "select queue, agent, outcome from calls where caller = '0555' and ended > 0" 5)
check "it went through the new flow and queue to the new agent" test "$row" = "vip|1009|answered"
wait_peers

# a supervisor of sales changes it from the queue form: written into the
# file in place, applied at once; other queues and bad values refused
curl -s -o /dev/null -H "$auth" -H 'Content-Type: application/json' \
	-d '{"name":"sam","role":"supervisor","queues":["sales"],"password":"sam-secret"}' "$URL/users"
curl -s -o /dev/null -c "$T/sam.jar" -H 'Content-Type: application/json' \
	-d '{"user":"sam","password":"sam-secret"}' "$URL/session"
sam() { curl -s -o "$T/sam.json" -w '%{http_code}' -b "$T/sam.jar" -X PUT -H 'Content-Type: application/json' "$@"; }
c=$(sam -d '{"strategy":"linear","wrapup":"2s","members":["1002","1001"]}' "$URL/queues/sales")
check "the supervisor's queue change is saved and applied" test "$c" = 200
check "sales now hunts linear" test "$(field /queues/sales 'j["strategy"]')" = linear
check "the file has the change on the queue's own line, comments kept" \
	bash -c "grep -q '^  - {name: sales, wrapup: \"2s\", strategy: \"linear\", service_level_target: 95, ring_timeout: 4s, members: \[\"1002\", \"1001\"\]}' '$T/tenant.yaml' && grep -q '^# crm stays on one line' '$T/tenant.yaml'"
c=$(sam -d '{"strategy":"ring-all"}' "$URL/queues/support")
check "a queue the supervisor does not supervise is 403" test "$c" = 403
c=$(sam -d '{"colour":"red"}' "$URL/queues/sales")
check "an unknown setting is 400 naming it" bash -c "[ $c = 400 ] && grep -q 'colour: unknown field' '$T/sam.json'"
c=$(sam -d '{"strategy":"fastest"}' "$URL/queues/sales")
check "a bad value is 422 naming queues.strategy, nothing changed" \
	bash -c "[ $c = 422 ] && grep -q 'queues.strategy' '$T/sam.json' && grep -q 'strategy: \"linear\"' '$T/tenant.yaml'"
c=$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" -X PUT -d '{"strategy":"linear"}' "$URL/queues/nope")
check "an unknown queue is 404" test "$c" = 404

# the file edited by hand: queue short taken out, wrap waits 5 s; reload
sed -i -e '/name: short,/d' -e 's/wrapup: 3s/wrapup: 5s/' -e '/number: "5002"/d' \
	-e '/name: short-wait/,+3d' "$T/tenant.yaml"
c=$(curl -s -o "$T/reload.json" -w '%{http_code}' -H "$auth" -X POST "$URL/tenant/reload")
check "a reload applies the file on disk and names what waits for a start" \
	bash -c "[ $c = 200 ] && grep -q 'queue short is no longer in the file' '$T/reload.json'"
check "the removed queue still answers until the next start" test "$(field /queues/short 'j["name"]')" = short

# a broken file: 422 with its line, nothing changes
cp "$T/tenant.yaml" "$T/good.yaml"
sed -i 's/strategy: "linear"/strategy: ring-some/' "$T/tenant.yaml"
c=$(curl -s -o "$T/bad.json" -w '%{http_code}' -H "$auth" -X POST "$URL/tenant/reload")
check "a bad file is 422 naming the line, and nothing changes" \
	bash -c "[ $c = 422 ] && grep -q '\"line\"' '$T/bad.json' && [ \"\$(curl -s -H '$auth' '$URL/queues/sales' | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"strategy\"])')\" = linear ]"
c=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer nope" -X POST "$URL/tenant/reload")
check "reload without a valid token is 401" test "$c" = 401

# SIGHUP reloads the file as the route does: the bad one is refused (its
# line logged), the fixed one applied
kill -HUP "$HL_PID"
check "SIGHUP with the bad file: its error logged, nothing changed" \
	bash -c "for i in \$(seq 50); do grep -q 'not reloaded file=' '$T/hotline.log' && break; sleep 0.1; done; grep -q 'ring-some' '$T/hotline.log' && [ \"\$(curl -s -H '$auth' '$URL/queues/sales' | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"strategy\"])')\" = linear ]"
sed 's/strategy: "linear"/strategy: round-robin/' "$T/good.yaml" >"$T/tenant.yaml"
kill -HUP "$HL_PID"
check "SIGHUP with a good file: applied (sales hunts round-robin)" \
	bash -c "for i in \$(seq 50); do [ \"\$(curl -s -H '$auth' '$URL/queues/sales' | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"strategy\"])')\" = round-robin ] && exit 0; sleep 0.1; done; exit 1"
check "saves and reloads are audited, the signal's as user signal" \
	test "$(db "select count(*) from audit where action in ('tenant.save', 'tenant.reload')")/$(db "select count(*) from audit where user = 'signal'")" = 6/2
finish
