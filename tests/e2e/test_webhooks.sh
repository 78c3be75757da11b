#!/usr/bin/env bash
# Outgoing webhooks: registered over the API (bad input refused with the
# field named), every matching event POSTed as JSON with an HMAC-SHA256
# signature, a failed delivery retried, the registration kept across a
# restart, and a removed webhook sent nothing more.
source "$(dirname "$0")/lib.sh"
start_hotline
SINK_PORT=$((PEER_PORTS + 45))
SECRET=0123456789abcdef-test
H=(-H "Authorization: Bearer test-token")
U="http://127.0.0.1:$HTTP_PORT/api/v1"

post() { curl -s -o "$T/r.json" -w '%{http_code}' "${H[@]}" -X POST -d "$1" "$U/webhooks"; }
c=$(post '{"url":"ftp://x","types":["agent."]}')
check "a non-http URL: 400 naming url" bash -c "[ $c = 400 ] && grep -q '\"message\":\"url:' '$T/r.json'"
c=$(post '{"url":"http://127.0.0.1:1/x","types":[]}')
check "no types: 400 naming types" bash -c "[ $c = 400 ] && grep -q '\"message\":\"types:' '$T/r.json'"
c=$(post '{"url":"http://127.0.0.1:1/x","types":["agent."],"secret":"short"}')
check "a short secret: 400 naming secret" bash -c "[ $c = 400 ] && grep -q '\"message\":\"secret:' '$T/r.json'"
c=$(post '{"url":"http://127.0.0.1:1/x","types":["agent."],"colour":"red"}')
check "an unknown field: 400 naming it" bash -c "[ $c = 400 ] && grep -q 'colour: unknown field' '$T/r.json'"

python3 "$E2E_DIR/webhook_sink.py" "$SINK_PORT" "$SECRET" "$T/hooks.jsonl" 1 14 &
SINK=$!
sleep 0.3
c=$(post "{\"url\":\"http://127.0.0.1:$SINK_PORT/hook\",\"types\":[\"agent.state\"],\"secret\":\"$SECRET\"}")
check "registered: 201 with the secret" bash -c "[ $c = 201 ] && grep -q '\"secret\":\"$SECRET\"' '$T/r.json'"
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$T/r.json")
curl -s -o /dev/null "${H[@]}" -X POST -d '{"state":"paused","reason":"lunch"}' "$U/agents/1001/state"
# the first delivery gets a 500, the retry (after 1 s) a 200
for _ in $(seq 1 50); do [ "$(grep -c '"code": 200' "$T/hooks.jsonl" 2>/dev/null)" -ge 1 ] && break; sleep 0.1; done
check "the event arrives signed, once refused and retried" python3 - "$T/hooks.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
ok = len(rows) == 2 and rows[0]["code"] == 500 and rows[1]["code"] == 200
ok = ok and all(r["signed"] and r["event"] == "agent.state" for r in rows)
b = rows[1]["body"]
ok = ok and b["type"] == "agent.state" and b["agent"] == "1001" and b["data"]["state"] == "paused"
ok = ok and rows[0]["delivery"] == rows[1]["delivery"] == b["id"]
sys.exit(not ok)
PY
c=$(curl -s -o "$T/l.json" -w '%{http_code}' "${H[@]}" "$U/webhooks")
check "listed without its secret" bash -c "[ $c = 200 ] && grep -q '$id' '$T/l.json' && ! grep -q secret '$T/l.json'"
m=$(curl -s "http://127.0.0.1:$HTTP_PORT/metrics")
check "/metrics counts the delivery" bash -c "grep -q '^hotline_webhook_deliveries_total{result=\"delivered\"} 1$' <<<'$m'"

stop_hotline
start_hotline
check "kept across a restart" bash -c "curl -s -H 'Authorization: Bearer test-token' '$U/webhooks' | grep -q '$id'"
c=$(curl -s -o /dev/null -w '%{http_code}' "${H[@]}" -X DELETE "$U/webhooks/$id")
check "removed: 204" test "$c" = 204
c=$(curl -s -o /dev/null -w '%{http_code}' "${H[@]}" -X DELETE "$U/webhooks/$id")
check "removed twice: 404" test "$c" = 404
curl -s -o /dev/null "${H[@]}" -X POST -d '{"state":"available"}' "$U/agents/1001/state"
sleep 1.5
check "nothing sent after the removal" test "$(wc -l < "$T/hooks.jsonl")" = 2
kill "$SINK" 2>/dev/null
finish
