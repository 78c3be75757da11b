#!/usr/bin/env bash
# Event streams end with their credentials (issue 12, security 4): a
# stream whose token is revoked, whose session is signed out, or whose
# user is disabled, deleted or given other rights gets a close frame
# (1008 with the reason) at once, while other users' streams go on; one
# user holds at most http.streams_per_user streams (the next gets 429
# with a JSON error, others still get in); a browser page of another
# origin gets 403 (the server's own pages, configured origins and
# clients without Origin get in).
source "$(dirname "$0")/lib.sh"
write_config
cat >>"$T/hotline.yaml" <<YAML
  streams_per_user: 3
  stream_origins: https://crm.example, https://wall.example
YAML
start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
WS="ws://127.0.0.1:$HTTP_PORT/api/v1/events"
WSC="$E2E_DIR/ws_client.py"
adm() { curl -s -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' "$@"; }
pyj() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

for u in sup1 sup2 sup3 sup4 sup5; do
	adm -o /dev/null -d "{\"name\":\"$u\",\"role\":\"supervisor\",\"queues\":[\"support\"],\"password\":\"$u-secret\"}" "$URL/api/v1/users"
done
token() { adm -d "{\"user\":\"$1\"}" "$URL/api/v1/tokens" | pyj "d['token']+' '+d['id']"; }
read -r TOK1 TOK1_ID < <(token sup1)
read -r TOK2 _ < <(token sup2)
read -r TOK3 _ < <(token sup3)
read -r TOK4 _ < <(token sup4)
read -r TOK5 _ < <(token sup5)
curl -s -o /dev/null -c "$T/sup1.jar" -H 'Content-Type: application/json' \
	-d '{"user":"sup1","password":"sup1-secret"}' "$URL/api/v1/session"
COOKIE="hl_session=$(awk '/hl_session/ {print $7}' "$T/sup1.jar")"

# stream NAME SECONDS [HEADER...]: a client in the background
declare -A PIDS
stream() { local n=$1 s=$2; shift 2; python3 "$WSC" "$WS" "$s" "$@" >"$T/ws-$n.out" 2>&1 & PIDS[$n]=$!; }
# opened NAME...: each client's handshake is done (5 s at most)
opened() {
	for _ in $(seq 1 50); do
		local n all=1
		for n in "$@"; do grep -q '^HANDSHAKE' "$T/ws-$n.out" 2>/dev/null || all=0; done
		[ $all = 1 ] && return 0
		sleep 0.1
	done
	return 1
}
# closed_soon NAME: the client ended (close frame 1008) within 3 s
closed_soon() {
	for _ in $(seq 1 30); do
		kill -0 "${PIDS[$1]}" 2>/dev/null || break
		sleep 0.1
	done
	! kill -0 "${PIDS[$1]}" 2>/dev/null && grep -q "^CLOSED 1008 $2" "$T/ws-$1.out"
}

stream token 20 "Authorization: Bearer $TOK1"
stream session 20 "Cookie: $COOKIE"
stream disabled 20 "Authorization: Bearer $TOK2"
stream deleted 20 "Authorization: Bearer $TOK3"
stream rights 20 "Authorization: Bearer $TOK4"
stream other 8 "Authorization: Bearer $TOK5"
opened token session disabled deleted rights other
for n in token session disabled deleted rights other; do
	grep -q "^HANDSHAKE HTTP/1.1 101" "$T/ws-$n.out" || not_ok "stream $n opens" "$(head -2 "$T/ws-$n.out")"
done

adm -o /dev/null -X DELETE "$URL/api/v1/tokens/$TOK1_ID"
check "a revoked token's stream is closed (1008)" closed_soon token "the token was revoked"
curl -s -o /dev/null -b "$COOKIE" -X DELETE "$URL/api/v1/session"
check "a signed-out session's stream is closed (1008)" closed_soon session "signed out"
adm -o /dev/null -X PATCH -d '{"disabled":true}' "$URL/api/v1/users/sup2"
check "a disabled user's stream is closed (1008)" closed_soon disabled "the user changed"
adm -o /dev/null -X DELETE "$URL/api/v1/users/sup3"
check "a deleted user's stream is closed (1008)" closed_soon deleted "the user was deleted"
adm -o /dev/null -X PATCH -d '{"queues":["sales"]}' "$URL/api/v1/users/sup4"
check "a stream whose user's rights changed is closed (1008)" closed_soon rights "the user changed"
check "another user's stream goes on" kill -0 "${PIDS[other]}"
# events still reach it after all that
curl -s -o /dev/null -H "Authorization: Bearer test-token" -X POST \
	-d '{"state":"paused","reason":"lunch"}' "$URL/api/v1/agents/1003/state"
wait "${PIDS[other]}"
check "and still gets events" grep -q '"type":"agent.state".*"agent":"1003"' "$T/ws-other.out"
check "and was not closed" bash -c "! grep -q '^CLOSED' '$T/ws-other.out'"

# a few streams per user (3 here); the next is refused, others get in
for i in 1 2 3; do stream "many$i" 6 "Authorization: Bearer $TOK5"; done
opened many1 many2 many3
python3 "$WSC" "$WS" 1 "Authorization: Bearer $TOK5" >"$T/ws-many4.out" 2>&1
check "one user's streams up to the limit open" \
	bash -c "cat '$T'/ws-many[123].out | grep -c '^HANDSHAKE HTTP/1.1 101' | grep -qx 3"
check "the one past the limit gets 429" grep -q "^HANDSHAKE HTTP/1.1 429" "$T/ws-many4.out"
check "with the JSON error" grep -q '"code":"too_many_streams"' "$T/ws-many4.out"
python3 "$WSC" "$WS" 1 "Authorization: Bearer $TOK4" >"$T/ws-sup4.out" 2>&1
check "another user still gets a stream" grep -q "^HANDSHAKE HTTP/1.1 101" "$T/ws-sup4.out"
for i in 1 2 3; do wait "${PIDS[many$i]}"; done
python3 "$WSC" "$WS" 1 "Authorization: Bearer $TOK5" >"$T/ws-many5.out" 2>&1
check "a closed stream frees its place" grep -q "^HANDSHAKE HTTP/1.1 101" "$T/ws-many5.out"

# Origin: a browser page of another site may not open the stream
python3 "$WSC" "$WS" 1 "Cookie: x" "Authorization: Bearer $TOK4" "Origin: http://evil.example" >"$T/o-evil.out" 2>&1
check "another site's Origin: 403" grep -q "^HANDSHAKE HTTP/1.1 403" "$T/o-evil.out"
check "with the JSON error" grep -q '"code":"bad_origin"' "$T/o-evil.out"
python3 "$WSC" "$WS" 1 "Authorization: Bearer $TOK4" "Origin: null" >"$T/o-null.out" 2>&1
check "Origin null: 403" grep -q "^HANDSHAKE HTTP/1.1 403" "$T/o-null.out"
python3 "$WSC" "$WS" 1 "Authorization: Bearer $TOK4" "Origin: http://127.0.0.1:$HTTP_PORT" >"$T/o-own.out" 2>&1
check "the server's own origin: 101" grep -q "^HANDSHAKE HTTP/1.1 101" "$T/o-own.out"
python3 "$WSC" "$WS" 1 "Authorization: Bearer $TOK4" "Origin: https://wall.example" >"$T/o-list.out" 2>&1
check "a configured origin: 101" grep -q "^HANDSHAKE HTTP/1.1 101" "$T/o-list.out"
python3 "$WSC" "$WS" 1 "Authorization: Bearer $TOK4" "Origin: https://wall.example.evil" >"$T/o-near.out" 2>&1
check "a look-alike of a configured origin: 403" grep -q "^HANDSHAKE HTTP/1.1 403" "$T/o-near.out"
python3 "$WSC" "$WS" 1 "Authorization: Bearer $TOK4" >"$T/o-none.out" 2>&1
check "no Origin (not a browser): 101" grep -q "^HANDSHAKE HTTP/1.1 101" "$T/o-none.out"
finish
