#!/usr/bin/env bash
# What the agent desktop does to a call, through the API: a call answered
# by 1001 is transferred to 1003 (POST /calls/{id}/transfer: 1003's phone
# rings and takes the caller), then hung up (POST /calls/{id}/hangup);
# agent alice may act only on her own call; the wrap-up takes one of the
# tenant's dispositions (GET /dispositions) and refuses others, naming the
# field; hourly figures count the call.
source "$(dirname "$0")/lib.sh"
start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
adm() { curl -s -o "$T/body.json" -w '%{http_code}' -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' "$@"; }
jq_() { python3 -c "import json,sys; d=json.load(open('$T/body.json')); print(eval(sys.argv[1]))" "$1"; }
adm -d '{"name":"alice","role":"agent","extension":"1001","password":"alice-secret"}' "$URL/api/v1/users" >/dev/null
adm -d '{"name":"dave","role":"agent","extension":"1004","password":"dave-secret"}' "$URL/api/v1/users" >/dev/null
alice=$(curl -s -H 'Content-Type: application/json' -d '{"user":"alice","password":"alice-secret"}' "$URL/api/v1/session" -c - | awk '/hl_session/ {print $7}')
dave=$(curl -s -H 'Content-Type: application/json' -d '{"user":"dave","password":"dave-secret"}' "$URL/api/v1/session" -c - | awk '/hl_session/ {print $7}')
as() { local c=$1; shift; curl -s -o "$T/body.json" -w '%{http_code}' -b "hl_session=$c" -H 'Content-Type: application/json' "$@"; }
adm -d '{"state":"paused","reason":"lunch"}' "$URL/api/v1/agents/1002/state" >/dev/null

check "the tenant's dispositions are listed" test "$(adm "$URL/api/v1/dispositions")/$(jq_ '",".join(d["dispositions"])')" = "200/resolved,follow-up,sale,no-action,wrong-number"
check "the tenant's pause reasons are listed" test "$(adm "$URL/api/v1/pause-reasons")/$(jq_ 'len(d["pause_reasons"])')" = 200/4

make_agent agent.xml answer
agent_up 1001 alice-1001 "$AGENT_PORT1" "$MEDIA_PORT0" agent.xml || finish
agent_up 1003 carol-1003 "$AGENT_PORT2" "$MEDIA_PORT1" agent.xml || finish
make_ivr_caller caller.xml rfc4733 1 wait
sipp_bg caller caller.xml "$CALLER_PORT" -s 5000 -key caller 0711 -m 1 -mp "$MEDIA_PORT2" >/dev/null
call=$(wait_for "SELECT id FROM calls WHERE caller='0711' AND agent='1001' AND answered>0" 15)
check "the call is answered by 1001" test -n "$call"
sleep 1
check "dave (1004) may not transfer alice's call (403)" test "$(as "$dave" -d '{"to":"1003"}' "$URL/api/v1/calls/$call/transfer")" = 403
check "dave may not hang it up (403)" test "$(as "$dave" -X POST "$URL/api/v1/calls/$call/hangup")" = 403
check "a transfer to nowhere: 400 naming the field" test "$(as "$alice" -d '{"to":"9999"}' "$URL/api/v1/calls/$call/transfer")/$(jq_ 'd["error"]["message"].split(":")[0]')" = 400/to
check "alice transfers her call to 1003 (202)" test "$(as "$alice" -d '{"to":"1003"}' "$URL/api/v1/calls/$call/transfer")" = 202
check "1003 takes the caller" test -n "$(wait_for "SELECT 1 FROM events WHERE call='$call' AND type='call.answered' AND agent='1003'" 10)"
check "the transfer is an event" test -n "$(wait_for "SELECT 1 FROM events WHERE call='$call' AND type='call.transferred' AND agent='1001' AND data LIKE '%1003%'" 5)"
check "alice may not hang up the call now 1003's (403)" test "$(as "$alice" -X POST "$URL/api/v1/calls/$call/hangup")" = 403
check "a supervisor's (admin's) hang-up ends it (204)" test "$(adm -X POST "$URL/api/v1/calls/$call/hangup")" = 204
check "the call ended, hung up on the agent's side" test "$(wait_for "SELECT hangup_side || ':' || hangup_reason FROM calls WHERE id='$call' AND ended>0" 10)" = "agent:API"
check "a call no longer in progress: 409" test "$(adm -X POST "$URL/api/v1/calls/$call/hangup")" = 409
check "an unknown call: 404" test "$(adm -X POST "$URL/api/v1/calls/nope/hangup")" = 404

check "a wrap-up with an unknown disposition: 400 naming the field" test "$(as "$alice" -d '{"disposition":"maybe"}' "$URL/api/v1/calls/$call/wrapup")/$(jq_ 'd["error"]["message"].split(":")[0]')" = 400/disposition
check "alice wraps up her call" test "$(as "$alice" -d '{"disposition":"follow-up","notes":"call back Friday"}' "$URL/api/v1/calls/$call/wrapup")" = 200
check "the call shows its wrap-up" test "$(adm "$URL/api/v1/calls/$call")/$(jq_ 'd["wrapup"]["disposition"]+"/"+d["wrapup"]["notes"]')" = "200/follow-up/call back Friday"
check "the wrap-up is an event" test -n "$(wait_for "SELECT 1 FROM events WHERE call='$call' AND type='call.wrapup' AND agent='1001'" 5)"
# the last two hours, summed: the call may have fallen in the one before
# when the hour turned during the test
check "the hourly figures count the call offered and answered" test "$(adm "$URL/api/v1/stats/hourly?hours=2")/$(jq_ 'str(sum(h["offered"] for h in d["hours"]))+"/"+str(sum(h["answered"] for h in d["hours"]))+"/"+str(len(d["hours"]))')" = "200/1/1/2"
check "hours out of range: 400" test "$(adm "$URL/api/v1/stats/hourly?hours=99")" = 400
check "per channel: the call among voice, none among chats" test "$(adm "$URL/api/v1/stats/hourly?hours=2&channel=voice")/$(jq_ 'str(sum(h["offered"] for h in d["hours"]))')/$(adm "$URL/api/v1/stats/hourly?hours=2&channel=chat")/$(jq_ 'str(sum(h["offered"] for h in d["hours"]))')" = "200/1/200/0"
check "an unknown channel: 400" test "$(adm "$URL/api/v1/stats/hourly?channel=fax")" = 400
finish
