#!/usr/bin/env bash
# Users, roles, sign-in, tokens and the audit log, against the real server:
# the first admin from the node config; sign-in with a cookie (HttpOnly,
# SameSite) and sign-out; wrong passwords and the rate limit (429); users
# made by the admin with argon2id hashes in the store; tokens shown once,
# stored hashed, revoked; each role sees only its own (agent: itself and
# its calls, supervisor: its queues and their agents, admin: all) and gets
# 403 elsewhere; bad input gets 400/404/409 naming the field; the audit log
# records sign-ins, failures, changes and recording downloads; users,
# tokens and sessions survive a restart.
source "$(dirname "$0")/lib.sh"
start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
adm() { curl -s -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' "$@"; }
code() { curl -s -o "$T/body.json" -w '%{http_code}' "$@"; }
jq_() { python3 -c "import json,sys; d=json.load(open('$T/body.json')); print(eval(sys.argv[1]))" "$1"; }

# sign-in as the first admin, from the node config
c=$(code -c "$T/admin.jar" -D "$T/h" -H 'Content-Type: application/json' \
	-d '{"user":"admin","password":"admin-pass"}' "$URL/api/v1/session")
check "the first admin signs in (200)" test "$c" = 200
check "the session cookie is HttpOnly and SameSite" \
	grep -qi '^Set-Cookie: hl_session=[A-Za-z0-9_-]\{40,\}; Path=/; HttpOnly; SameSite=Strict' "$T/h"
check "the reply says who: admin" test "$(jq_ 'd["user"]+"/"+d["role"]')" = admin/admin
c=$(code -b "$T/admin.jar" "$URL/api/v1/session")
check "the cookie signs later requests in" test "$c/$(jq_ 'd["user"]')" = 200/admin
check "the cookie itself is not in the store" \
	test "$(db "SELECT count(*) FROM sessions WHERE hash='$(grep hl_session "$T/admin.jar" | awk '{print $7}')'")" = 0
check "no request without credentials (401)" test "$(code "$URL/api/v1/queues")" = 401

# wrong password: 401, audited; the same time as a right one (argon2 both)
c=$(code -H 'Content-Type: application/json' -d '{"user":"admin","password":"nope"}' "$URL/api/v1/session")
check "a wrong password gets 401 bad_credentials" test "$c/$(jq_ 'd["error"]["code"]')" = 401/bad_credentials
c=$(code -H 'Content-Type: application/json' -d '{"user":"ghost","password":"whatever1"}' "$URL/api/v1/session")
check "an unknown user gets the same 401" test "$c/$(jq_ 'd["error"]["code"]')" = 401/bad_credentials

# users: an agent (1001, in sales), a supervisor of support, bad input
c=$(code -b "$T/admin.jar" -H 'Content-Type: application/json' \
	-d '{"name":"alice","role":"agent","extension":"1001","password":"alice-secret","display":"Alice A."}' "$URL/api/v1/users")
check "the admin creates agent alice (201)" test "$c/$(jq_ 'd["extension"]')" = 201/1001
c=$(code -b "$T/admin.jar" -H 'Content-Type: application/json' \
	-d '{"name":"sam","role":"supervisor","queues":["support"],"password":"sam-secret"}' "$URL/api/v1/users")
check "the admin creates supervisor sam of support (201)" test "$c/$(jq_ 'd["queues"]')" = "201/['support']"
h=$(db "SELECT pw_hash FROM users WHERE name='alice'")
check "the password is stored as argon2id" test "${h:0:10}" = '$argon2id$'
c=$(code -b "$T/admin.jar" -H 'Content-Type: application/json' \
	-d '{"name":"alice","role":"agent","extension":"1002","password":"x-secret-1"}' "$URL/api/v1/users")
check "a user name taken: 409" test "$c" = 409
c=$(code -b "$T/admin.jar" -H 'Content-Type: application/json' \
	-d '{"name":"bob","role":"agent","extension":"1001","password":"bob-secret"}' "$URL/api/v1/users")
check "an extension taken: 409 naming its user" test "$c/$(jq_ '"alice" in d["error"]["message"]')" = 409/True
c=$(code -b "$T/admin.jar" -H 'Content-Type: application/json' \
	-d '{"name":"bob","role":"agent","extension":"9999","password":"bob-secret"}' "$URL/api/v1/users")
check "an unknown extension: 400 naming the field" test "$c/$(jq_ 'd["error"]["message"].split(":")[0]')" = 400/extension
c=$(code -b "$T/admin.jar" -H 'Content-Type: application/json' \
	-d '{"name":"bob","role":"boss","password":"bob-secret"}' "$URL/api/v1/users")
check "an unknown role: 400 naming the field" test "$c/$(jq_ 'd["error"]["message"].split(":")[0]')" = 400/role
c=$(code -b "$T/admin.jar" -H 'Content-Type: application/json' \
	-d '{"name":"bob","role":"agent","extension":"1002","password":"short"}' "$URL/api/v1/users")
check "a short password: 400 naming the field" test "$c/$(jq_ 'd["error"]["message"].split(":")[0]')" = 400/password
c=$(code -b "$T/admin.jar" -H 'Content-Type: application/json' \
	-d '{"name":"bob","role":"agent","extension":"1002","password":"bob-secret","colour":"red"}' "$URL/api/v1/users")
check "an unknown field: 400 naming it" test "$c/$(jq_ 'd["error"]["code"]')/$(jq_ 'd["error"]["message"].split(":")[0]')" = 400/unknown_field/colour
c=$(code -b "$T/admin.jar" -H 'Content-Type: application/json' -d '{"name":' "$URL/api/v1/users")
check "malformed JSON: 400 bad_json" test "$c/$(jq_ 'd["error"]["code"]')" = 400/bad_json
c=$(code -b "$T/admin.jar" -X PATCH -H 'Content-Type: application/json' -d '{"display":"x"}' "$URL/api/v1/users/nobody")
check "PATCH of an unknown user: 404" test "$c" = 404
check "nothing was stored by the refused requests" test "$(db 'SELECT group_concat(name) FROM (SELECT name FROM users ORDER BY name)')" = "admin,alice,sam"

# agent alice: signs in, sees herself and her queue, nothing else
code -c "$T/alice.jar" -H 'Content-Type: application/json' -d '{"user":"alice","password":"alice-secret"}' "$URL/api/v1/session" >/dev/null
c=$(code -b "$T/alice.jar" "$URL/api/v1/agents")
check "agent alice lists only herself" test "$c/$(jq_ '[a["ext"] for a in d["agents"]]')" = "200/['1001']"
check "agent alice reads her own agent" test "$(code -b "$T/alice.jar" "$URL/api/v1/agents/1001")" = 200
check "agent alice may not read agent 1002 (403)" test "$(code -b "$T/alice.jar" "$URL/api/v1/agents/1002")/$(jq_ 'd["error"]["code"]')" = 403/forbidden
c=$(code -b "$T/alice.jar" -H 'Content-Type: application/json' -d '{"state":"paused","reason":"lunch"}' "$URL/api/v1/agents/1002/state")
check "agent alice may not change 1002's state (403)" test "$c" = 403
c=$(code -b "$T/alice.jar" -H 'Content-Type: application/json' -d '{"state":"available"}' "$URL/api/v1/agents/1001/state")
check "agent alice changes her own state" test "$c" = 200
c=$(code -b "$T/alice.jar" "$URL/api/v1/queues")
check "agent alice sees only sales" test "$c/$(jq_ '[q["name"] for q in d["queues"]]')" = "200/['sales']"
check "agent alice may not read support (403)" test "$(code -b "$T/alice.jar" "$URL/api/v1/queues/support")" = 403
check "agent alice may not list users (403)" test "$(code -b "$T/alice.jar" "$URL/api/v1/users")/$(jq_ 'd["error"]["code"]')" = 403/forbidden
check "agent alice may not list webhooks (403)" test "$(code -b "$T/alice.jar" "$URL/api/v1/webhooks")" = 403
check "agent alice may not read the tenant file (403)" test "$(code -b "$T/alice.jar" "$URL/api/v1/tenant")" = 403
check "the admin exports the tenant file" bash -c "curl -s -b '$T/admin.jar' '$URL/api/v1/tenant' | grep -q '^queues:'"
printf 'name: X\nagents:\n  - {ext: "1001"}\n' > "$T/bad.yaml"
c=$(code -b "$T/admin.jar" -X POST --data-binary @"$T/bad.yaml" "$URL/api/v1/tenant/check")
check "a bad tenant file: 422 with each error at its line" test "$c/$(jq_ 'd["error"]["errors"][0]["line"]')" = 422/3
check "agent alice may not read the audit log (403)" test "$(code -b "$T/alice.jar" "$URL/api/v1/audit")" = 403
c=$(code -b "$T/alice.jar" "$URL/api/v1/calls?agent=1002")
check "agent alice may not list 1002's calls (403)" test "$c" = 403
c=$(code -b "$T/alice.jar" -H 'Content-Type: application/json' -d '{"agent":"1002","to":"sip:x@127.0.0.1"}' "$URL/api/v1/calls")
check "agent alice may not click-to-call for 1002 (403)" test "$c" = 403

# supervisor sam: support and its agents 1003, 1004
code -c "$T/sam.jar" -H 'Content-Type: application/json' -d '{"user":"sam","password":"sam-secret"}' "$URL/api/v1/session" >/dev/null
c=$(code -b "$T/sam.jar" "$URL/api/v1/agents")
check "supervisor sam lists the agents of support" test "$c/$(jq_ 'sorted(a["ext"] for a in d["agents"])')" = "200/['1003', '1004']"
check "supervisor sam reads support's stats" test "$(code -b "$T/sam.jar" "$URL/api/v1/queues/support/stats")" = 200
check "supervisor sam may not read sales (403)" test "$(code -b "$T/sam.jar" "$URL/api/v1/queues/sales")" = 403
c=$(code -b "$T/sam.jar" -H 'Content-Type: application/json' -d '{"state":"paused","reason":"lunch"}' "$URL/api/v1/agents/1003/state")
check "supervisor sam pauses agent 1003" test "$c/$(jq_ 'd["state"]')" = 200/paused
check "supervisor sam may not change 1001 (403)" \
	test "$(code -b "$T/sam.jar" -H 'Content-Type: application/json' -d '{"state":"available"}' "$URL/api/v1/agents/1001/state")" = 403
check "supervisor sam may not create users (403)" \
	test "$(code -b "$T/sam.jar" -H 'Content-Type: application/json' -d '{"name":"x","role":"admin","password":"xxxxxxxxx"}' "$URL/api/v1/users")" = 403

# calls: a caller in sales answered by 1001 is alice's, not sam's
adm -d '{"state":"paused","reason":"lunch"}' "$URL/api/v1/agents/1002/state" >/dev/null
make_agent agent.xml answer
agent_up 1001 alice-1001 "$AGENT_PORT1" "$MEDIA_PORT0" agent.xml
make_ivr_caller caller.xml rfc4733 1 2000
sipp_run caller caller.xml "$CALLER_PORT" -s 5000 -key caller 0701 -mp "$MEDIA_PORT2" >/dev/null 2>&1
call=$(wait_for "SELECT id FROM calls WHERE agent='1001' AND outcome='answered' AND recording<>''" 10)
if [ -n "$call" ]; then
	check "agent alice sees her call" test "$(code -b "$T/alice.jar" "$URL/api/v1/calls/$call")" = 200
	check "agent alice lists her call" test "$(code -b "$T/alice.jar" "$URL/api/v1/calls")/$(jq_ 'len(d["calls"])')" = 200/1
	check "supervisor sam may not see a sales call (403)" test "$(code -b "$T/sam.jar" "$URL/api/v1/calls/$call")" = 403
	check "supervisor sam's list has no sales call" test "$(code -b "$T/sam.jar" "$URL/api/v1/calls")/$(jq_ 'len(d["calls"])')" = 200/0
	check "agent alice downloads her recording" test "$(code -b "$T/alice.jar" "$URL/api/v1/calls/$call/recording")" = 200
else
	not_ok "a call answered by 1001 with a recording" "none in the calls table"
fi

# tokens: made by the admin, shown once, stored hashed, revoked
c=$(code -b "$T/admin.jar" -H 'Content-Type: application/json' -d '{"user":"sam","name":"wallboard-tv"}' "$URL/api/v1/tokens")
tok=$(jq_ 'd["token"]'); tid=$(jq_ 'd["id"]')
check "the admin makes a token for sam (201)" test "$c/${tok:0:3}" = 201/hl_
check "the token is not in the store, its SHA-256 is" \
	test "$(db "SELECT count(*) FROM tokens WHERE hash='$(printf %s "$tok" | sha256sum | cut -d' ' -f1)'")/$(db "SELECT count(*) FROM tokens WHERE hash='$tok'")" = 1/0
c=$(code -H "Authorization: Bearer $tok" "$URL/api/v1/session")
check "the token acts as sam" test "$c/$(jq_ 'd["user"]')" = 200/sam
check "the token list shows no secret" bash -c "[ \"\$(curl -s -b '$T/admin.jar' '$URL/api/v1/tokens' | grep -c '$tok')\" = 0 ]"
check "a token is revoked (204)" test "$(code -b "$T/admin.jar" -X DELETE "$URL/api/v1/tokens/$tid")" = 204
check "a revoked token gets 401" test "$(code -H "Authorization: Bearer $tok" "$URL/api/v1/session")" = 401

# PATCH: disable sam: his session ends
c=$(code -b "$T/admin.jar" -X PATCH -H 'Content-Type: application/json' -d '{"disabled":true}' "$URL/api/v1/users/sam")
check "the admin disables sam" test "$c/$(jq_ 'd["disabled"]')" = 200/True
check "a disabled user's session is refused (401)" test "$(code -b "$T/sam.jar" "$URL/api/v1/session")" = 401
check "an admin cannot delete itself (409)" test "$(code -b "$T/admin.jar" -X DELETE "$URL/api/v1/users/admin")" = 409

# a new password signs out everyone who signed in with the old one, but
# the session that set it
code -b "$T/admin.jar" -H 'Content-Type: application/json' \
	-d '{"name":"vic","role":"supervisor","queues":["support"],"password":"vic-secret-1"}' "$URL/api/v1/users" >/dev/null
for n in 1 2; do
	code -c "$T/vic$n.jar" -H 'Content-Type: application/json' -d '{"user":"vic","password":"vic-secret-1"}' "$URL/api/v1/session" >/dev/null
done
check "vic has two sessions" test "$(code -b "$T/vic1.jar" "$URL/api/v1/session")/$(code -b "$T/vic2.jar" "$URL/api/v1/session")" = 200/200
c=$(code -b "$T/admin.jar" -X PATCH -H 'Content-Type: application/json' -d '{"password":"vic-secret-2"}' "$URL/api/v1/users/vic")
check "the admin gives vic a new password" test "$c" = 200
check "both of vic's sessions end (401)" test "$(code -b "$T/vic1.jar" "$URL/api/v1/session")/$(code -b "$T/vic2.jar" "$URL/api/v1/session")" = 401/401
check "... and stay ended in the store" test "$(db "SELECT count(*) FROM sessions WHERE user = 'vic' AND expires > $(($(date +%s) * 1000))")" = 0
check "vic signs in with the new one" test "$(code -H 'Content-Type: application/json' -d '{"user":"vic","password":"vic-secret-2"}' "$URL/api/v1/session")" = 200
check "the admin's own session (which set it) still works" test "$(code -b "$T/admin.jar" "$URL/api/v1/session")" = 200

# sign-out
check "alice signs out (204)" test "$(code -b "$T/alice.jar" -X DELETE "$URL/api/v1/session")" = 204
check "her cookie no longer works (401)" test "$(code -b "$T/alice.jar" "$URL/api/v1/session")" = 401

# rate limit: 5 failures for a user, then 429 even with the right password
for _ in 1 2 3 4 5; do
	code -H 'Content-Type: application/json' -d '{"user":"alice","password":"wrong-one"}' "$URL/api/v1/session" >/dev/null
done
c=$(code -D "$T/h429" -H 'Content-Type: application/json' -d '{"user":"alice","password":"alice-secret"}' "$URL/api/v1/session")
check "after 5 failures alice gets 429 with Retry-After" bash -c "[ $c = 429 ] && grep -qi '^Retry-After: [0-9]' '$T/h429'"
c=$(code -H 'Content-Type: application/json' -d '{"user":"admin","password":"admin-pass"}' "$URL/api/v1/session")
check "another user still signs in from the same address" test "$c" = 200

# the audit log
adm "$URL/api/v1/audit?limit=1000" >"$T/audit.json"
aud() { python3 -c "import json,sys; d=json.load(open('$T/audit.json'))['entries']; print(sum(1 for e in d if e['action']==sys.argv[1] and (len(sys.argv)<3 or e['target']==sys.argv[2])))" "$@"; }
check "audit: sign-ins" test "$(aud signin alice)" -ge 1
check "audit: failed sign-ins with the name" test "$(aud signin_failed alice)" -ge 5
check "audit: refused sign-ins" test "$(aud signin_refused alice)" -ge 1
check "audit: users made and changed" test "$(aud user.create sam)/$(aud user.update sam)" = 1/1
check "audit: tokens made and revoked" test "$(aud token.create "$tid")/$(aud token.revoke "$tid")" = 1/1
[ -n "$call" ] && check "audit: the recording download" test "$(aud recording.download "$call")" = 1
check "audit entries say from where" python3 -c "import json; d=json.load(open('$T/audit.json'))['entries']; assert all(e['addr'].startswith('127.0.0.1:') for e in d if e['action']=='signin')"

# a restart keeps users, tokens and sessions
stop_hotline
start_hotline
check "after a restart the admin's session still works" test "$(code -b "$T/admin.jar" "$URL/api/v1/session")" = 200
c=$(code -H 'Content-Type: application/json' -d '{"user":"alice","password":"alice-secret"}' "$URL/api/v1/session")
check "after a restart alice signs in (rate limits are memory)" test "$c" = 200
finish
