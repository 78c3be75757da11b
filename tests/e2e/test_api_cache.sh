#!/usr/bin/env bash
# Answers of the API are private (issue 12, security 8): every answer
# under /api/ carries Cache-Control: no-store, whatever its status or
# body (JSON, the tenant's YAML, 204, a refusal), so no browser or proxy
# cache keeps one for the next user; the pages' files keep no-cache.
source "$(dirname "$0")/lib.sh"
start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
hdrs() { curl -s -o /dev/null -D - "$@" | tr -d '\r'; }
nostore() { grep -qi '^Cache-Control: no-store$'; }

check "GET /api/v1/queues: no-store" \
	bash -c "$(declare -f hdrs nostore); hdrs -H 'Authorization: Bearer test-token' '$URL/api/v1/queues' | nostore"
check "GET /api/v1/tenant (YAML): no-store" \
	bash -c "$(declare -f hdrs nostore); hdrs -H 'Authorization: Bearer test-token' '$URL/api/v1/tenant' | nostore"
check "sign-in (cookie set): no-store" \
	bash -c "$(declare -f hdrs nostore); hdrs -c '$T/jar' -H 'Content-Type: application/json' -d '{\"user\":\"admin\",\"password\":\"admin-pass\"}' '$URL/api/v1/session' | nostore"
check "GET /api/v1/session by cookie: no-store" \
	bash -c "$(declare -f hdrs nostore); hdrs -b '$T/jar' '$URL/api/v1/session' | nostore"
check "sign-out (204): no-store" \
	bash -c "$(declare -f hdrs nostore); hdrs -b '$T/jar' -X DELETE '$URL/api/v1/session' | nostore"
check "a 401: no-store" bash -c "$(declare -f hdrs nostore); hdrs '$URL/api/v1/queues' | nostore"
check "a 404 of a call: no-store" \
	bash -c "$(declare -f hdrs nostore); hdrs -H 'Authorization: Bearer test-token' '$URL/api/v1/calls/nope' | nostore"
f=$(curl -s "$URL/agent" | grep -o '/web/[a-z_]*\.js' | head -1)
check "a page's file keeps no-cache" \
	bash -c "hdrs() { curl -s -o /dev/null -D - \"\$@\" | tr -d '\r'; }; hdrs '$URL$f' | grep -qi '^Cache-Control: no-cache$'"
finish
