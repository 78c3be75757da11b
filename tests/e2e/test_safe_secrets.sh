#!/usr/bin/env bash
# No published secret opens a running Hotline (issue 18). In a private
# network namespace with two addresses (the server on 10.201.0.1, an
# attacker on 10.201.0.2): hotline runs with the shipped secrets
# (demo-token, demo-admin, the demo tenant's alice-1001 ...) on an ordinary
# address; from the other address each is refused, and the generated ones
# in <data>/initial-secrets (0600, named on the console, never printed)
# work as the README says. An admin an older Hotline made with demo-admin
# gets the generated password too.
NETNS_DEV0=hs0 NETNS_DEV1=hs1 NETNS_A=10.201.0.1 NETNS_B=10.201.0.2
source "$(dirname "$0")/netns.sh"

source "$(dirname "$0")/lib.sh"
unset HOTLINE_KEEP_DEMO_SECRETS HOTLINE_API_TOKEN HOTLINE_ADMIN_PASSWORD
HOST=10.201.0.1
ATTACKER=10.201.0.2
URL="http://$HOST:$HTTP_PORT"
TENANT="$ROOT/conf/demo.yaml"
write_config
sed -i "s/127.0.0.1:$SIP_PORT/$HOST:$SIP_PORT/; s/127.0.0.1:$HTTP_PORT/0.0.0.0:$HTTP_PORT/; s/address: 127.0.0.1/address: $HOST/; s/api_token: test-token/api_token: demo-token/; s/admin_password: .*/admin_password: demo-admin/" "$T/hotline.yaml"
code() { curl -s -o /dev/null -w '%{http_code}' --interface "$ATTACKER" "$@"; }

# A Hotline from before this rule made user admin with demo-admin:
HOTLINE_KEEP_DEMO_SECRETS=1 start_hotline
check "(an older install: admin / demo-admin signs in)" test "$(code -c "$T/old.jar" -H 'Content-Type: application/json' \
	-d '{"user":"admin","password":"demo-admin"}' "$URL/api/v1/session")" = 200
stop_hotline
start_hotline

S="$T/data/initial-secrets"
check "the generated secrets are in <data>/initial-secrets" test -s "$S"
check "... readable by the owner only (0600)" test "$(stat -c %a "$S")" = 600
check "the console names the file" grep -q "safe: .*secrets replaced.* $S" "$T/hotline.log"
secret() { sed -n "s/^$1: //p" "$S"; }
TOKEN=$(secret api_token)
ADMIN=$(secret admin_password)
ALICE=$(secret sip.1001)
check "a token, an admin password and the demo agents' SIP passwords generated" \
	test "${#TOKEN}" -ge 32 -a "${#ADMIN}" -ge 24 -a "${#ALICE}" -ge 20
check "no secret in the log" bash -c "! grep -qF -e '$TOKEN' -e '$ADMIN' -e '$ALICE' '$T/hotline.log'"

check "the admin of the older install is told of" grep -q "safe: user admin signed in with the published admin password" "$T/hotline.log"
check "demo-token from the other address: 401" \
	test "$(code -H 'Authorization: Bearer demo-token' "$URL/api/v1/agents")" = 401
check "the generated token: 200" \
	test "$(code -H "Authorization: Bearer $TOKEN" "$URL/api/v1/agents")" = 200
check "the session signed in with demo-admin has ended (401)" \
	test "$(code -b "$T/old.jar" "$URL/api/v1/session")" = 401
check "admin / demo-admin: 401" test "$(code -H 'Content-Type: application/json' \
	-d '{"user":"admin","password":"demo-admin"}' "$URL/api/v1/session")" = 401
check "admin with the generated password: 200" test "$(code -H 'Content-Type: application/json' \
	-d "{\"user\":\"admin\",\"password\":\"$ADMIN\"}" "$URL/api/v1/session")" = 200

reg() { # NAME SCENARIO PASSWORD
	(cd "$T" && sipp "$HOST:$SIP_PORT" -sf "$SIPP_DIR/$2" -i "$ATTACKER" -p "$AGENT_PORT1" \
		-m 1 -timeout 10s -timeout_error -nostdin -key user 1001 -au 1001 -ap "$3" \
		-key expires 600 -trace_err -error_file "$T/$1.err" >"$T/$1.out" 2>&1)
}
reg reg-demo register_bad.xml alice-1001
check "REGISTER as 1001 with alice-1001 from the other address: 403" test $? -eq 0
reg reg-gen register.xml "$ALICE"
check "REGISTER with the generated password: 200" test $? -eq 0

# Secrets appear nowhere else: not in /metrics, the events, the audit log.
curl -s "$URL/metrics" >"$T/metrics.txt"
check "no secret in /metrics" bash -c "[ -s '$T/metrics.txt' ] && ! grep -qF -e '$TOKEN' -e '$ADMIN' -e '$ALICE' '$T/metrics.txt'"
check "no secret in the stored events or audit lines" test "$(db "select count(*) from events where data like '%$TOKEN%' or data like '%$ADMIN%' or data like '%$ALICE%'")/$(db "select count(*) from audit where detail like '%$ADMIN%' or detail like '%$ALICE%' or target like '%$TOKEN%'")" = 0/0

# The next start keeps them (phones keep registering), and says nothing new.
stop_hotline
start_hotline
check "the same secrets after a restart" test "$(secret api_token)" = "$TOKEN"
check "the console said it once" test "$(grep -c 'secrets replaced' "$T/hotline.log")" = 1
check "the token still works" \
	test "$(code -H "Authorization: Bearer $TOKEN" "$URL/api/v1/agents")" = 200
finish
