#!/usr/bin/env bash
# The lookup hook: a caller hotline does not know is looked up in an
# external CRM over HTTP (crm.lookup) without the main loop waiting; its
# tier (vip) puts the call ahead in the queue and its name goes to the
# screen pop; the answer is cached (a second call does not ask again); a
# CRM slower than the timeout delays nothing; an answer that is not text
# is refused, never rewritten.
source "$(dirname "$0")/lib.sh"
STUB_PORT=$((PEER_PORTS + 40))
python3 "$E2E_DIR/crm_stub.py" "$STUB_PORT" >"$T/stub.out" 2>&1 &
SIPP_PIDS+=($!)
cp "$E2E_DIR/tenant.yaml" "$T/tenant.yaml"
sed -i "s|^crm: .*|crm: {country: \"1\", tiers: {normal: 0, vip: 10}, lookup: {url: \"http://127.0.0.1:$STUB_PORT/lookup?number={number}\", timeout: 1s, cache: 1m}}|" "$T/tenant.yaml"
TENANT=$T/tenant.yaml start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
req() { curl -s -o "$T/body.json" -w '%{http_code}' -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' "$@"; }
req -d '{"state":"logged_out"}' "$URL/api/v1/agents/1001/state" >/dev/null
req -d '{"state":"paused","reason":"lunch"}' "$URL/api/v1/agents/1002/state" >/dev/null

make_agent agent.xml answer
agent_up 1001 alice-1001 "$AGENT_PORT1" "$MEDIA_PORT0" agent.xml || finish
make_ivr_caller caller.xml rfc4733 1 wait
# first an unknown caller whose CRM answers too late, then the external VIP
sipp_bg slow caller.xml "$CALLER_PORT" -s 5000 -key caller 4155550199 -m 1 -mp "$MEDIA_PORT1" >/dev/null
sleep 0.5 # the CRM now sits on the question for 3 s
took=$(curl -s -o /dev/null -w '%{time_total}' "$URL/health")
check "the main loop is not held while the CRM is slow (/health in ${took}s)" \
	awk -v t="$took" 'BEGIN { exit !(t < 0.5) }'
check "the slow lookup does not hold the caller: queued" \
	test -n "$(wait_for "SELECT 1 FROM events WHERE type='queue.entered' AND data LIKE '%4155550199%'" 15)"
sipp_bg zoe caller.xml "$CALLER_PORT2" -s 5000 -key caller 4155550142 -m 1 -mp "$MEDIA_PORT2" >/dev/null
check "the external VIP waits with priority 10" \
	test -n "$(wait_for "SELECT 1 FROM events WHERE type='queue.entered' AND data LIKE '%4155550142%' AND data LIKE '%\"priority\":10%'" 15)"
req -d '{"state":"available"}' "$URL/api/v1/agents/1001/state" >/dev/null
first=$(wait_for "SELECT c.caller FROM events e JOIN calls c ON c.id = e.call WHERE e.type='call.answered' ORDER BY e.id LIMIT 1" 15)
check "the external VIP is answered first" test "$first" = 4155550142
check "the ringing event has the external CRM's name as sent (quotes, ë), tier and id" \
	test -n "$(db "SELECT 1 FROM events WHERE type='agent.ringing' AND json_extract(data, '\$.customer_name') = 'Zoë \"Z\" Ext' AND data LIKE '%\"customer_tier\":\"vip\"%' AND data LIKE '%\"customer_ext\":\"X-42\"%'")"
check "the CRM was asked once for each number" test "$(grep -c '^ASK' "$T/stub.out")" = 2
for p in "${SIPP_PIDS[@]:1}"; do kill "$p" 2>/dev/null; done
# Zoe calls again: the cached answer, no new request
sipp_bg zoe2 caller.xml "$CALLER_PORT2" -s 5000 -key caller 4155550142 -m 1 -mp "$MEDIA_PORT2" >/dev/null
check "a second call: queued with the cached VIP priority" \
	test "$(wait_for "SELECT count(*) FROM events WHERE type='queue.entered' AND data LIKE '%4155550142%' AND data LIKE '%\"priority\":10%' HAVING count(*) = 2" 15)" = 2
check "... without asking the CRM again" test "$(grep -c '+14155550142' "$T/stub.out")" = 1
# an answer with a name that is not text is refused, not rewritten: the
# caller is a stranger (no VIP priority), and the log says which field
for p in "${SIPP_PIDS[@]:1}"; do kill "$p" 2>/dev/null; done
sipp_bg bad caller.xml "$CALLER_PORT2" -s 5000 -key caller 4155550143 -m 1 -mp "$MEDIA_PORT2" >/dev/null
check "a CRM answer whose name has a control character is refused: no VIP priority" \
	test -n "$(wait_for "SELECT 1 FROM events WHERE type='queue.entered' AND data LIKE '%4155550143%' AND data NOT LIKE '%\"priority\":10%'" 15)"
check "... logged naming the field" grep -q 'crm: lookup answer refused: name: a control character' "$T/hotline.log"
finish
