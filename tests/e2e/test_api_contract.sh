#!/usr/bin/env bash
# The API document is the contract (docs/openapi.yaml): it is valid
# OpenAPI 3 (Redocly's linter finds no error), and every operation answers
# each kind of bad request with a documented status and the shared error
# body (tests/e2e/api_contract.py says which kinds). Every answer of this
# and every other end-to-end test is held to the document by lib.sh's
# trace check.
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$E2E_DIR/../.." && pwd)
URL="http://127.0.0.1:$HTTP_PORT"

redocly="$ROOT/tests/web/node_modules/.bin/redocly"
if [ -x "$redocly" ]; then
	if REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
		"$redocly" lint "$ROOT/docs/openapi.yaml" --format=stylish >"$T/lint.txt" 2>&1; then
		ok "docs/openapi.yaml is valid OpenAPI 3 (redocly lint: no errors)"
	else
		not_ok "docs/openapi.yaml is valid OpenAPI 3" "$(grep -E ' error ' "$T/lint.txt" | head -5)"
	fi
else
	not_ok "docs/openapi.yaml is valid OpenAPI 3" "no redocly: run scripts/deps --test"
fi
ids=$(/usr/bin/python3 -c "
import yaml,sys
d=yaml.safe_load(open('$ROOT/docs/openapi.yaml'))
ops=[op for p in d['paths'].values() for m,op in p.items() if m in ('get','post','put','patch','delete')]
ids=[op.get('operationId') for op in ops]
print(len(ops), sum(1 for i in ids if i), len(set(i for i in ids if i)))")
read -r nops nids nuniq <<<"$ids"
check "every operation has its own operationId ($nids of $nops)" \
	[ "$nops" -gt 0 ] && [ "$nops" = "$nids" ] && [ "$nids" = "$nuniq" ]

# every answer that is a JSON object says what it always holds
noreq=$(/usr/bin/python3 -c "
import yaml
d=yaml.safe_load(open('$ROOT/docs/openapi.yaml'))
def res(n):
    while isinstance(n,dict) and '\$ref' in n:
        x=d
        for k in n['\$ref'][2:].split('/'): x=x[k]
        n=x
    return n
miss=[]
for path,it in d['paths'].items():
    for m,op in it.items():
        if m not in ('get','post','put','patch','delete'): continue
        for code,r in op.get('responses',{}).items():
            sch=(res(r).get('content') or {}).get('application/json',{}).get('schema')
            s=res(sch) if sch else {}
            if code.startswith('2') and (s.get('type')=='object' or 'properties' in s or 'allOf' in s) and 'required' not in s:
                miss.append(m.upper()+' '+path+' '+code)
print(' '.join(miss))")
check "every JSON object answer lists what it always holds (required)${noreq:+: not $noreq}" test -z "$noreq"

start_hotline
curl -s -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' \
	-d '{"name":"ann","role":"agent","extension":"1001","password":"ann-secret-1"}' \
	"$URL/api/v1/users" >/dev/null
cookie=$(curl -s -H 'Content-Type: application/json' \
	-d '{"user":"ann","password":"ann-secret-1"}' "$URL/api/v1/session" -c - |
	awk '/hl_session/ {print $7}')
check "an agent signs in for the role checks" [ -n "$cookie" ]
/usr/bin/python3 "$E2E_DIR/api_contract.py" "$URL" test-token "$cookie" "$ROOT/docs/openapi.yaml" \
	>"$T/contract.out" 2>&1
cat "$T/contract.out"
FAILS=$((FAILS + $(grep -c '^not ok' "$T/contract.out")))
finish
