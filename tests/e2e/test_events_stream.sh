#!/usr/bin/env bash
# The live event stream (/api/v1/events over WebSocket): the token by
# header or ?access_token=, 401 without it, 426 without an upgrade; a
# client gets agent state changes and queue events as they happen, and
# "queue.stats" frames with the queue's figures (waiting rises to 1 and
# falls to 0 as a caller waits and leaves at the queue's max wait); a
# client filtered to agent events gets nothing else.
source "$(dirname "$0")/lib.sh"
start_hotline
WS="ws://127.0.0.1:$HTTP_PORT/api/v1/events"
WSC="$E2E_DIR/ws_client.py"

python3 "$WSC" "$WS" 1 >"$T/ws-noauth.out" 2>&1
check "no token: 401" grep -q "^HANDSHAKE HTTP/1.1 401" "$T/ws-noauth.out"
c=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer test-token" \
	"http://127.0.0.1:$HTTP_PORT/api/v1/events")
check "no upgrade: 426" test "$c" = 426

python3 "$WSC" "$WS?types=agent.,queue." 12 "Authorization: Bearer test-token" >"$T/ws-a.out" 2>&1 &
A=$!
python3 "$WSC" "$WS?access_token=test-token&types=agent." 12 >"$T/ws-b.out" 2>&1 &
B=$!
# both are in before the pause (under ASan a fixed second was too short)
for _ in $(seq 1 50); do
	grep -q '^HANDSHAKE' "$T/ws-a.out" && grep -q '^HANDSHAKE' "$T/ws-b.out" && break
	sleep 0.1
done

curl -s -o /dev/null -H "Authorization: Bearer test-token" -X POST \
	-d '{"state":"paused","reason":"lunch"}' "http://127.0.0.1:$HTTP_PORT/api/v1/agents/1001/state"
# a caller waits in "short" (max wait 2 s, its agent not registered)
make_caller waiter.xml "0 8 101" "$blk_answered
$(play "$PCAP_AUDIO")
$blk_wait_bye"
sipp_run waiter waiter.xml "$CALLER_PORT" -s 5002 -key caller 0901 -mp "$MEDIA_PORT0"
check "the waiting caller is hung up at max wait" test $? -eq 0
wait $A $B

check "header token: 101" grep -q "^HANDSHAKE HTTP/1.1 101" "$T/ws-a.out"
check "?access_token=: 101" grep -q "^HANDSHAKE HTTP/1.1 101" "$T/ws-b.out"
check "the pause arrives as agent.state" \
	grep -q '"type":"agent.state".*"agent":"1001".*"state":"paused","reason":"lunch"' "$T/ws-a.out"
check "queue.entered and queue.exited arrive" \
	bash -c "grep -q '\"type\":\"queue.entered\".*\"queue\":\"short\"' '$T/ws-a.out' && grep -q '\"type\":\"queue.exited\".*\"reason\":\"timeout\"' '$T/ws-a.out'"
stats() { python3 - "$T/ws-a.out" <<'PY'
import json, sys
seen = []
for line in open(sys.argv[1]):
    if not line.startswith("{"):
        continue
    m = json.loads(line)
    if m.get("type") == "queue.stats" and m["queue"]["name"] == "short":
        q = m["queue"]
        seen.append((q["waiting"], q["today"]["offered"], q["today"]["exited"]))
print(" ".join("%d/%d/%d" % s for s in seen))
PY
}
st=$(stats)
echo "# short's queue.stats frames (waiting/offered/exited): $st" >&2
check "queue.stats: waiting rises to 1" bash -c "[[ ' $st ' == *' 1/1/0 '* ]]"
check "queue.stats: then 0 waiting, 1 exited" bash -c "[[ ' $st ' == *' 0/1/1 '* ]]"
check "the agent-only client got only agent events" \
	bash -c "! grep '^{' '$T/ws-b.out' | grep -v '\"type\":\"agent\.' | grep -q ."
check "the agent-only client got the pause" grep -q '"state":"paused"' "$T/ws-b.out"
finish
