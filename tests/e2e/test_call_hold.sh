#!/usr/bin/env bash
# Hold from the desktop (POST /calls/{id}/hold): the caller hears music on
# hold while held and the agent again after; the caller's ear is
# rtp_sink.py (the agent's phone sends nothing, so anything loud is the
# music). Only the call's agent (or a supervisor) may hold it; holding
# twice, or a call that is not bridged, is 409; held and resumed are
# events.
RTP_TIMEOUT=60s
source "$(dirname "$0")/lib.sh"
write_config
start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
adm() { curl -s -o "$T/body.json" -w '%{http_code}' -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' "$@"; }
for u in bob:1002 dave:1004; do
	adm -d "{\"name\":\"${u%:*}\",\"role\":\"agent\",\"extension\":\"${u#*:}\",\"password\":\"${u%:*}-secret\"}" "$URL/api/v1/users" >/dev/null
done
session() { curl -s -H 'Content-Type: application/json' -d "{\"user\":\"$1\",\"password\":\"$1-secret\"}" "$URL/api/v1/session" -c - | awk '/hl_session/ {print $7}'; }
bob=$(session bob)
dave=$(session dave)
as() { local c=$1; shift; curl -s -o "$T/body.json" -w '%{http_code}' -b "hl_session=$c" -H 'Content-Type: application/json' "$@"; }

# bob's phone answers and stays quiet until the BYE
t=$(<"$SIPP_DIR/agent.xml.in")
t=${t//@ANSWER@/"$agent_200
  <nop><action><log message=\"answered [\$local_to] from [\$remote_from]\"/></action></nop>
$blk_wait_bye"}
printf '%s\n' "$t" >"$T/quiet.xml"
agent_up 1002 bob-1002 "$AGENT_PORT1" "$MEDIA_PORT0" quiet.xml || finish

SINK_PORT=$((PEER_PORTS + 40))
python3 "$E2E_DIR/rtp_sink.py" "$SINK_PORT" 9 "$T/heard.raw" &
SINK=$!
make_caller ear.xml "0 8 101" "$blk_answered
$blk_wait_bye"
sed -i "s/m=audio \[media_port\]/m=audio $SINK_PORT/" "$T/ear.xml"
sipp_bg ear ear.xml "$CALLER_PORT" -s 5002 -key caller 0961 -m 1 -mp "$MEDIA_PORT2" >/dev/null
call=$(wait_for "SELECT id FROM calls WHERE caller='0961' AND agent='1002' AND answered>0" 15)
check "the call is answered by 1002" test -n "$call"
sleep 1.5
check "dave may not hold bob's call (403)" test "$(as "$dave" -d '{"hold":true}' "$URL/api/v1/calls/$call/hold")" = 403
check "hold must be true or false (400 naming it)" \
	bash -c "[ \"\$(curl -s -o '$T/b.json' -w '%{http_code}' -b 'hl_session=$bob' -d '{\"hold\":1}' '$URL/api/v1/calls/$call/hold')\" = 400 ] && grep -q '\"hold: ' '$T/b.json'"
check "bob holds his call (200)" test "$(as "$bob" -d '{"hold":true}' "$URL/api/v1/calls/$call/hold")" = 200
check "holding it again is 409" test "$(as "$bob" -d '{"hold":true}' "$URL/api/v1/calls/$call/hold")" = 409
sleep 3
check "bob resumes it (200)" test "$(as "$bob" -d '{"hold":false}' "$URL/api/v1/calls/$call/hold")" = 200
sleep 2
check "a supervisor's (admin's) hang-up ends it" test "$(adm -X POST "$URL/api/v1/calls/$call/hangup")" = 204
check "a call that ended cannot be held (409)" test "$(as "$bob" -d '{"hold":true}' "$URL/api/v1/calls/$call/hold")" = 409
wait $SINK
wait_peers
ev=$(wait_for "SELECT group_concat(type || ':' || data, ' ') FROM (SELECT type, data FROM events WHERE call='$call' AND type IN ('call.held','call.resumed') ORDER BY id)" 5)
check "held and resumed are events, by the desktop" test "$ev" = 'call.held:{"by":"desktop"} call.resumed:{"by":"desktop"}'

# what the caller heard, in 50 ms windows: the queue's music while it
# rang, quiet while bridged, about 3 s of music while held, quiet again
runs=$(python3 - "$T/heard.raw" <<'PY'
import struct, sys
raw = open(sys.argv[1], "rb").read()
x = struct.unpack("<%dh" % (len(raw) // 2), raw)
n = 400
loud = [sum(v * v for v in x[i:i + n]) > n * 300 ** 2 for i in range(0, len(x) - n, n)]
runs, start = [], 0
for i in range(1, len(loud) + 1):
    if i == len(loud) or loud[i] != loud[start]:
        runs.append(("music" if loud[start] else "quiet") + ":%.2f" % ((i - start) * 0.05))
        start = i
print(" ".join(runs))
PY
)
echo "# heard: $runs" >&2
check "the caller heard quiet, then about 3 s of music while held, then quiet" \
	python3 - "$runs" <<'PY'
import sys
runs = [(k, float(v)) for k, v in (r.split(":") for r in sys.argv[1].split())]
held = [i for i, (k, v) in enumerate(runs) if k == "music" and 2.3 <= v <= 3.7]
ok = held and 0 < held[-1] < len(runs) - 1 and runs[held[-1] - 1][1] >= 1.0 and runs[held[-1] + 1][1] >= 1.0
sys.exit(not ok)
PY
finish
