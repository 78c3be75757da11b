#!/usr/bin/env bash
# A supervisor changes its queue's members only among the agents it
# supervises already: adding an agent that serves none of its queues (and
# so controlling it next) takes an admin, 403 with a clear error and the
# tenant file untouched. The admin may; then the supervisor sees the agent.
source "$(dirname "$0")/lib.sh"
cp "$E2E_DIR/tenant.yaml" "$T/tenant.yaml"
TENANT=$T/tenant.yaml start_hotline
URL="http://127.0.0.1:$HTTP_PORT/api/v1"
req POST /users '{"name":"sam","role":"supervisor","queues":["sales"],"password":"sam-secret"}' >/dev/null
check "sam signs in" session_jar sam sam-secret
# sam METHOD PATH [JSON]: the status, the body in $T/r.json
sam() {
	curl -s -o "$T/r.json" -w '%{http_code}' -b "$T/sam.jar" -X "$1" \
		-H 'Content-Type: application/json' ${3:+-d "$3"} "$URL$2"
}
cp "$T/tenant.yaml" "$T/before.yaml"

c=$(sam PUT /queues/sales '{"members":["1002","1001"]}')
check "sam reorders sales' own members (200)" is 200 'j["applied"]'
cp "$T/tenant.yaml" "$T/before.yaml"
c=$(sam PUT /queues/sales '{"members":["1001","1002","1003"]}')
check "sam adding carol (1003, support only) to sales is 403 naming her and the admin" \
	is 403 '"1003" in j["error"]["message"] and "admin" in j["error"]["message"]'
check "... the tenant file is untouched" cmp -s "$T/before.yaml" "$T/tenant.yaml"
c=$(sam PUT /queues/sales '{"members":["1001",{"agent":"1004","tier":1}]}')
check "... nor as {agent, tier} (403)" is 403 '"1004" in j["error"]["message"]'
c=$(sam POST /agents/1003/state '{"state":"paused","reason":"lunch"}')
check "sam still may not control carol (403)" test "$c" = 403
c=$(sam PUT /queues/sales '{"members":["1001","9999"]}')
check "an extension that is no agent is the tenant check's 422" is 422 'True'
c=$(req PUT /queues/sales '{"members":["1001","1002","1003"]}')
check "the admin adds carol to sales (200)" is 200 'j["applied"]'
c=$(sam POST /agents/1003/state '{"state":"paused","reason":"lunch"}')
check "... and now sam supervises her" test "$c" = 200
c=$(sam PUT /queues/sales '{"members":["1003","1001"]}')
check "... and may keep her or take others out" is 200 'j["applied"]'
finish
