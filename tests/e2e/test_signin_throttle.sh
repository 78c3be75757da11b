#!/usr/bin/env bash
# Sign-in throttling (issue 12, security 6): wrong passwords slow down the
# address they come from, for that user only (5 in 15 minutes, then 429
# with Retry-After), and never lock the user out: the right password from
# another address still signs in. An admin unlocks a user at once (POST
# /api/v1/users/{id}/unlock, audited); others may not.
# The second address is 127.0.0.2, a loopback source (curl --interface)
# talking to the server on 127.0.0.1.
source "$(dirname "$0")/lib.sh"
start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
code() { curl -s -o "$T/body.json" -D "$T/h" -w '%{http_code}' "$@"; }
signin() { # ADDRESS USER PASSWORD
	code --interface "$1" -H 'Content-Type: application/json' \
		-d "{\"user\":\"$2\",\"password\":\"$3\"}" "$URL/api/v1/session"
}

for i in 1 2 3 4 5; do
	c=$(signin 127.0.0.1 admin wrong-$i)
	[ "$c" = 401 ] || not_ok "wrong password $i gets 401" "$c"
done
c=$(signin 127.0.0.1 admin admin-pass)
check "after 5 failures from one address: 429 there, even with the right password" test "$c" = 429
check "with Retry-After" grep -qi '^Retry-After: [0-9]' "$T/h"
c=$(signin 127.0.0.2 admin admin-pass)
check "the right password from another address signs in (200)" test "$c" = 200
c=$(signin 127.0.0.2 admin wrong-6)
check "a wrong one from there counts on its own (401, not 429)" test "$c" = 401
c=$(signin 127.0.0.1 admin admin-pass)
check "the first address is still slowed down (429)" test "$c" = 429

# an agent may not unlock; an unknown user is 404; the admin unlocks
curl -s -o /dev/null -H 'Authorization: Bearer test-token' -H 'Content-Type: application/json' \
	-d '{"name":"alice","role":"agent","extension":"1001","password":"alice-secret"}' "$URL/api/v1/users"
curl -s -o /dev/null -c "$T/alice.jar" -H 'Content-Type: application/json' \
	-d '{"user":"alice","password":"alice-secret"}' "$URL/api/v1/session"
c=$(code -b "$T/alice.jar" -X POST "$URL/api/v1/users/admin/unlock")
check "an agent may not unlock (403)" test "$c" = 403
c=$(code -H 'Authorization: Bearer test-token' -X POST "$URL/api/v1/users/ghost/unlock")
check "unlocking an unknown user: 404" test "$c" = 404
c=$(code -H 'Authorization: Bearer test-token' -X POST "$URL/api/v1/users/admin/unlock")
check "the admin unlocks admin (200, 6 failures forgotten)" \
	test "$c/$(python3 -c "import json; print(json.load(open('$T/body.json'))['failures_forgotten'])")" = 200/6
c=$(signin 127.0.0.1 admin admin-pass)
check "after the unlock the first address signs in (200)" test "$c" = 200
check "the unlock is audited" test "$(db "SELECT count(*) FROM audit WHERE action='user.unlock' AND target='admin'")" = 1
finish
