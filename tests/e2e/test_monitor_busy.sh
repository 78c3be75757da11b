#!/usr/bin/env bash
# The routing engine knows who is on a call without being its agent: a
# supervisor listening (sam, extension 1003: carol's seat, a member of
# queue support) is busy for voice while on the call and free again when
# the call ends; on a take-over the supervisor stays busy and the agent
# who handed the call over (bob, 1002) goes to the queue's wrap-up (3 s
# here), then is available. The third party of a three-way (carol again)
# is busy while in it and freed when it ends. States as GET /agents shows
# them (the engine's own).
RTP_TIMEOUT=60s
source "$(dirname "$0")/lib.sh"
source "$E2E_DIR/tones.sh"
# queue short with a wrap-up, so the hand-over's wrap-up shows
sed 's/- {name: short, strategy: longest-idle, ring_timeout: 4s, max_wait: 2s,/- {name: short, strategy: longest-idle, ring_timeout: 4s, max_wait: 2s, wrapup: 3s,/' \
	"$E2E_DIR/tenant.yaml" >"$T/tenant.yaml"
TENANT=$T/tenant.yaml write_config
start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
adm() { curl -s -o "$T/body.json" -w '%{http_code}' -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' "$@"; }
adm -d '{"name":"bob","role":"agent","extension":"1002","password":"bob-secret"}' "$URL/api/v1/users" >/dev/null
adm -d '{"name":"sam","role":"supervisor","queues":["short"],"extension":"1003","password":"sam-secret"}' "$URL/api/v1/users" >/dev/null
session() { curl -s -H 'Content-Type: application/json' -d "{\"user\":\"$1\",\"password\":\"$1-secret\"}" "$URL/api/v1/session" -c - | awk '/hl_session/ {print $7}'; }
bob=$(session bob)
sam=$(session sam)
as() { local c=$1 m=$2; shift 2; curl -s -o "$T/body.json" -w '%{http_code}' -X "$m" -b "hl_session=$c" -H 'Content-Type: application/json' "$@"; }
# state EXT: the engine's state of the agent
state() { api /api/v1/agents | python3 -c "import json,sys; print([a['state'] for a in json.load(sys.stdin)['agents'] if a['ext']=='$1'][0])"; }
# state_is EXT STATE [SECONDS]: the agent gets there in time
state_is() {
	local s
	for _ in $(seq 1 $((${3:-5} * 10))); do
		s=$(state "$1")
		[ "$s" = "$2" ] && return 0
		sleep 0.1
	done
	echo "# $1 is $s, not $2" >&2
	return 1
}

CUST_PORT=$((PEER_PORTS + 40))
AGENT_TONE=$((PEER_PORTS + 42))
SUP_TONE=$((PEER_PORTS + 44))
tone_peer cust "$CUST_PORT" 500 30
tone_peer agent "$AGENT_TONE" 900 30
tone_peer sup "$SUP_TONE" 1400 30

tone_agent 1002 bob-1002 "$AGENT_PORT1" "$MEDIA_PORT0" "$AGENT_TONE" || finish
tone_agent 1003 carol-1003 "$AGENT_PORT2" "$MEDIA_PORT1" "$SUP_TONE" || finish
check "before: the supervisor's seat is available" state_is 1003 available

tone_customer 5002 "$CUST_PORT"
call=$(wait_for "SELECT id FROM calls WHERE caller='0961' AND agent='1002' AND answered>0" 15)
check "the call is answered by 1002" test -n "$call"
check "sam listens (202)" \
	test "$(as "$sam" POST -d '{"mode":"listen"}' "$URL/api/v1/calls/$call/monitor")" = 202
check "listening, the supervisor is busy for the engine" state_is 1003 busy
sleep 1
check "and stays busy while on the call" test "$(state 1003)" = busy
check "sam takes the call over (202)" \
	test "$(as "$sam" POST -d '{"mode":"takeover"}' "$URL/api/v1/calls/$call/monitor")" = 202
check "the agent who handed over goes to the queue's wrap-up" state_is 1002 wrapup
check "the supervisor is busy with the call now" test "$(state 1003)" = busy
check "the wrap-up ends: the agent is available" state_is 1002 available 6
check "the admin's hang-up ends it" test "$(adm -X POST "$URL/api/v1/calls/$call/hangup")" = 204
check "the call ended: the supervisor is available again" state_is 1003 available
wait_peers 5

# a three-way: bob adds carol (1003), busy while in it
tone_agent 1002 bob-1002 "$AGENT_PORT1" "$MEDIA_PORT0" "$AGENT_TONE" || finish
tone_agent 1003 carol-1003 "$AGENT_PORT2" "$MEDIA_PORT1" "$SUP_TONE" || finish
tone_customer 5002 "$CUST_PORT"
call2=$(wait_for "SELECT id FROM calls WHERE caller='0961' AND agent='1002' AND answered>0 AND id!='$call'" 15)
check "the second call is answered by 1002" test -n "$call2"
check "bob adds 1003 (202)" \
	test "$(as "$bob" POST -d '{"target":"1003"}' "$URL/api/v1/calls/$call2/conference")" = 202
check "in the three-way, the third party is busy" state_is 1003 busy
check "the admin's hang-up ends it" test "$(adm -X POST "$URL/api/v1/calls/$call2/hangup")" = 204
check "the three-way ended: the third party is available again" state_is 1003 available
check "bob is in the queue's wrap-up, then available" state_is 1002 available 6
wait_peers 5
check "no agent state needed the periodic repair" test "$(grep -c "interaction: repair agent" "$T/hotline.log")" = 0
finish
