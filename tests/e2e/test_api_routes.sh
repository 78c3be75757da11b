#!/usr/bin/env bash
# The API as documented: every route in docs/openapi.yaml is one the server
# has (same methods), and every route of the server's table is documented;
# each documented route answers (no 404 "no route", no 405). /metrics in
# the Prometheus text format follows a call: calls active, waiting in the
# queue, then the call's outcome and the events counted.
source "$(dirname "$0")/lib.sh"
start_hotline

python3 - "$ROOT/docs/openapi.yaml" "$ROOT/src/api/api.c" >"$T/routes.out" <<'PY'
import re, sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
documented = set()
for path, ops in doc["paths"].items():
    for m in ops:
        if m in ("get", "post", "put", "patch", "delete"):
            documented.add((m.upper(), path))
table = set(re.findall(r'\{"(GET|POST|PUT|PATCH|DELETE)", "(/[^"]*)"', open(sys.argv[2]).read()))
# a placeholder's name is the document's ({aid}); the table writes {id}
def shape(routes):
    return {(m, re.sub(r"\{[^}]*\}", "{}", p)) for m, p in routes}
for m, p in sorted(shape(documented) - shape(table)):
    print("undocumented-in-server", m, p)
for m, p in sorted(shape(table) - shape(documented)):
    print("missing-in-doc", m, p)
for m, p in sorted(documented):
    print("route", m, p)
PY
check "every documented route is in the server's table" bash -c "! grep -q '^undocumented-in-server' '$T/routes.out'"
check "every route of the server is documented" bash -c "! grep -q '^missing-in-doc' '$T/routes.out'"
bad=""
while read -r _ m p; do
	url="http://127.0.0.1:$HTTP_PORT${p//\{id\}/1001}"
	code=$(curl -s -o "$T/r.json" -w '%{http_code}' -X "$m" -H "Authorization: Bearer test-token" \
		${m/GET/} ${m/POST/-d {\}} "$url")
	if [ "$code" = 405 ] || { [ "$code" = 404 ] && grep -q '"no route' "$T/r.json"; }; then
		bad="$bad $m:$p:$code"
	fi
done < <(grep '^route ' "$T/routes.out")
check "each documented route answers ($bad)" test -z "$bad"

m1=$(curl -s -D "$T/m.hdr" "http://127.0.0.1:$HTTP_PORT/metrics")
check "/metrics is Prometheus text" grep -qi '^Content-Type: text/plain; version=0.0.4' "$T/m.hdr"
check "/metrics: no calls, four agents available" \
	bash -c "grep -q '^hotline_calls_active 0$' <<<'$m1' && grep -q '^hotline_agents{state=\"available\"} 4$' <<<'$m1'"
# a caller waits in "short" (max wait 2 s, nobody to take it)
make_caller waiter.xml "0 8 101" "$blk_answered
$(play "$PCAP_AUDIO")
$blk_wait_bye"
sipp_bg waiter waiter.xml "$CALLER_PORT" -s 5002 -key caller 0991 -m 1 -mp "$MEDIA_PORT0" >/dev/null
sleep 1
m2=$(curl -s "http://127.0.0.1:$HTTP_PORT/metrics")
check "/metrics while waiting: one call, one caller in short" \
	bash -c "grep -q '^hotline_calls_active 1$' <<<'$m2' && grep -q '^hotline_queue_waiting{queue=\"short\"} 1$' <<<'$m2'"
wait_peers 10
m3=$(curl -s "http://127.0.0.1:$HTTP_PORT/metrics")
check "/metrics after: the outcome and the events counted" \
	bash -c "grep -q '^hotline_calls_ended_total{outcome=\"exited_timeout\"} 1$' <<<'$m3' && grep -q '^hotline_events_total{type=\"queue.entered\"} 1$' <<<'$m3' && grep -q '^hotline_calls_active 0$' <<<'$m3'"
finish
