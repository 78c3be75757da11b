#!/usr/bin/env bash
# The ACD's queue rules end to end, one after another in one hotline
# (tenant: tenant_acd_rules.yaml, a queue and a number per rule):
#   1. max_len: a second caller is refused by a full queue and overflows
#      to another queue, where an agent answers;
#   2. exit_key: a waiting caller presses 0 (RFC 4733) and is hung up;
#   3. max_wait: after 3 s the caller overflows to an extension;
#   4. join_empty false: with every member logged out the caller is sent
#      to the overflow (hangup) at once;
#   5. auto_pause: a member who lets it ring past ring_timeout is paused
#      (reason "missed") and the next member answers;
#   6. wrapup: after the call the agent is in wrap-up for 4 s, seen in the
#      API and in the agent.state events.
# Each is checked in the calls and events tables and, where it shows
# there, in the API.
source "$(dirname "$0")/lib.sh"
TENANT=tenant_acd_rules.yaml
RTP_MIN=$WIDE_RTP_MIN
RTP_MAX=$WIDE_RTP_MAX
write_config
start_hotline
# /health may come from another run's hotline that holds the same ports
# (lib.sh picks them from the PID): make sure it is this one
for _ in $(seq 1 20); do
	grep -q 'hotline: ready' "$T/hotline.log" && break
	kill -0 "$HL_PID" 2>/dev/null || break
	sleep 0.1
done
check "this run's hotline is up on its ports" \
	grep -q "hotline: ready sip=127.0.0.1:$SIP_PORT " "$T/hotline.log"
[ "$FAILS" = 0 ] || finish

auth="Authorization: Bearer test-token"
# set_state EXT STATE [REASON]: prints the HTTP status
set_state() {
	local body="{\"state\":\"$2\"${3:+,\"reason\":\"$3\"}}"
	curl -s -o "$T/state-$1.json" -w '%{http_code}' -H "$auth" \
		-H 'Content-Type: application/json' -X POST -d "$body" \
		"http://127.0.0.1:$HTTP_PORT/api/v1/agents/$1/state"
}
# agent_get EXT KEY...: the agent's fields from the API, joined by ':'
agent_get() {
	api "/api/v1/agents/$1" | python3 -c 'import json,sys
a = json.load(sys.stdin)
print(":".join(str(a[k]) for k in sys.argv[1:]))' "${@:2}" 2>/dev/null
}
# A phone for agent EXT at PORT (media MPORT) that takes one call.
agent_phone() { # EXT PORT MPORT SCENARIO
	register "$1" "pw-$1" "$2" || { not_ok "agent $1 registers" "see $T"; return 1; }
	sipp_bg "agent-$1" "$4" "$2" -mp "$3" -m 1 >/dev/null
}
# wait_pid PID [SECONDS]: waits for one background SIPp, returns its status
wait_pid() {
	local pid=$1 secs=${2:-15}
	for _ in $(seq 1 $((secs * 10))); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}
# row CALLER COLUMNS: the ended calls row of that caller
row() { wait_for "select $2 from calls where caller = '$1' and ended > 0" 5; }
# ev CALLER TYPE EXPR: EXPR over the events of that type of the caller's call
ev() {
	wait_for "select $3 from events e join calls c on c.id = e.call
		where c.caller = '$1' and e.type = '$2' order by e.id limit 1" 5
}

# --- the agents' phones, and the members who must not take calls ---------

make_agent answer.xml answer-bye 1000
make_agent answer2.xml answer-bye 2000
make_agent noanswer.xml noanswer
agent_phone 3102 "$PEER_PORTS" "$((PEER_PORTS + 10))" answer.xml || finish
agent_phone 3301 "$((PEER_PORTS + 1))" "$((PEER_PORTS + 14))" answer.xml || finish
agent_phone 3501 "$((PEER_PORTS + 2))" "$((PEER_PORTS + 18))" noanswer.xml || finish
agent_phone 3502 "$((PEER_PORTS + 3))" "$((PEER_PORTS + 22))" answer.xml || finish
agent_phone 3601 "$((PEER_PORTS + 4))" "$((PEER_PORTS + 26))" answer2.xml || finish

codes=""
for ext in 3101 3201 3302; do codes="$codes $(set_state "$ext" paused break)"; done
for ext in 3401 3402; do codes="$codes $(set_state "$ext" logged_out)"; done
check "API: members paused (break) and logged out" test "$codes" = " 200 200 200 200 200"
check "API: 3101 shows paused, reason break" test "$(agent_get 3101 presence reason)" = "paused:break"
sleep 0.3

# the callers: one that waits 3 s and hangs up, one that waits for
# hotline's BYE, one that presses 0 after 1.5 s and waits for the BYE,
# one that expects the BYE at once (no step between the ACK and the BYE:
# SIPp takes a BYE that comes while a step is pending as unexpected)
make_caller waiter.xml "0 8 101" "$blk_answered
$(play "$PCAP_AUDIO")
$(pause 3000)
$blk_bye"
make_caller waitbye.xml "0 8 101" "$blk_answered
$(play "$PCAP_AUDIO")
$blk_wait_bye"
make_caller hungup.xml "0 8 101" "$blk_answered
$blk_wait_bye"
make_caller key.xml "0 8 101" "$blk_answered
$(pause 1500)
$(play /usr/share/sip-tester/dtmf_2833_0.pcap)
$blk_wait_bye"

# --- 1. max_len 1: the second caller overflows to queue other ------------

sipp_bg c1-first waiter.xml "$CALLER_PORT" -s 7101 -key caller 0711 -m 1 \
	-mp "$MEDIA_PORT0" >/dev/null
first=${SIPP_PIDS[-1]}
q=$(ev 0711 queue.entered e.queue)
check "1: the first caller waits in tiny ($q)" test "$q" = tiny
sipp_run c1-second waitbye.xml "$CALLER_PORT2" -s 7101 -key caller 0712 -mp "$MEDIA_PORT1"
check "1: the second caller's call completes (other's agent hangs up)" test $? -eq 0
wait_pid "$first" 10
check "1: the first caller's call completes" test $? -eq 0
r=$(row 0711 "queue || ':' || outcome")
check "1: the first caller abandoned tiny ($r)" test "$r" = "tiny:abandoned_queue"
x=$(ev 0712 queue.exited "e.queue || ':' || json_extract(e.data, '$.reason') || ':' || json_extract(e.data, '$.to')")
check "1: the second caller left tiny: queue.exited full, to queue:other ($x)" \
	test "$x" = "tiny:full:queue:other"
r=$(row 0712 "queue || ':' || outcome || ':' || agent")
check "1: the second caller was answered in other by 3102 ($r)" test "$r" = "other:answered:3102"
r=$(db "select count(*) from events e join calls c on c.id = e.call
	where c.caller = '0712' and e.type = 'queue.entered' and e.queue = 'other'")
check "1: the second caller entered other" test "$r" = 1
r=$(db "select (select e.ts from events e join calls c on c.id = e.call
		where c.caller = '0712' and e.type = 'queue.exited')
	< (select ended from calls where caller = '0711')")
check "1: it was refused while the first caller was waiting" test "$r" = 1

# --- 2. exit key 0: hung up ----------------------------------------------

sipp_run c2 key.xml "$AGENT_PORT1" -s 7201 -key caller 0721 -mp "$MEDIA_PORT2"
check "2: the caller presses 0 and hotline hangs up" test $? -eq 0
r=$(row 0721 "queue || ':' || outcome || ':' || hangup_side")
check "2: outcome exited_key, hung up by the system ($r)" test "$r" = "keyq:exited_key:system"
x=$(ev 0721 queue.exited "json_extract(e.data, '$.reason') || ':' || json_extract(e.data, '$.key') || ':' || json_extract(e.data, '$.to')")
check "2: queue.exited reason key, key 0, to hangup ($x)" test "$x" = "key:0:hangup"

# --- 3. max_wait 3 s, overflow to extension 3301 -------------------------

sipp_run c3 waitbye.xml "$AGENT_PORT2" -s 7301 -key caller 0731 -mp "$((PEER_PORTS + 30))"
check "3: the call completes (3301 hangs up)" test $? -eq 0
r=$(row 0731 "outcome || ':' || agent")
check "3: answered by extension 3301 ($r)" test "$r" = "answered:3301"
x=$(ev 0731 queue.exited "e.queue || ':' || json_extract(e.data, '$.reason') || ':' || json_extract(e.data, '$.to')")
check "3: queue.exited reason timeout, to extension:3301 ($x)" \
	test "$x" = "slow:timeout:extension:3301"
w=$(ev 0731 queue.exited "json_extract(e.data, '$.wait_ms')")
check "3: it left slow after about 3 s (wait_ms $w)" test "${w:-0}" -ge 3000 -a "${w:-0}" -le 4000
w=$(row 0731 "answered - queued")
check "3: answered about 3 s after queueing ($w ms)" test "${w:-0}" -ge 3000 -a "${w:-0}" -le 5000

# --- 4. join_empty false, every member logged out: exited_empty ----------

check "4: 3401 and 3402 are logged out" \
	test "$(agent_get 3401 state):$(agent_get 3402 state)" = "logged_out:logged_out"
sipp_run c4 hungup.xml "$((PEER_PORTS + 5))" -s 7401 -key caller 0741 -mp "$((PEER_PORTS + 34))"
check "4: hotline hangs up on the caller" test $? -eq 0
r=$(row 0741 "queue || ':' || outcome || ':' || hangup_side")
check "4: outcome exited_empty ($r)" test "$r" = "empty:exited_empty:system"
x=$(ev 0741 queue.exited "json_extract(e.data, '$.reason') || ':' || json_extract(e.data, '$.to')")
check "4: queue.exited reason empty, to hangup ($x)" test "$x" = "empty:hangup"

# --- 5. ring no answer: 3501 auto-paused, 3502 answers -------------------

sipp_run c5 waitbye.xml "$((PEER_PORTS + 6))" -s 7501 -key caller 0751 -mp "$((PEER_PORTS + 38))"
check "5: the call completes (3502 hangs up)" test $? -eq 0
r=$(row 0751 "queue || ':' || outcome || ':' || agent")
check "5: answered in nap by 3502 ($r)" test "$r" = "nap:answered:3502"
w=$(row 0751 "answered - queued")
check "5: after 3501 rang 2 s ($w ms)" test "${w:-0}" -ge 2000 -a "${w:-0}" -le 4500
x=$(ev 0751 agent.noanswer "e.agent || ':' || json_extract(e.data, '$.code')")
check "5: agent.noanswer for 3501 with code 408 ($x)" test "$x" = "3501:408"
r=$(db "select count(*) from events e join calls c on c.id = e.call
	where c.caller = '0751' and e.type = 'agent.noanswer'")
check "5: only one agent.noanswer" test "$r" = 1
a=$(agent_get 3501 presence state reason)
check "5: API: 3501 is paused, reason missed ($a)" test "$a" = "paused:paused:missed"
s=$(wait_for "select 1 from events where type = 'agent.state' and agent = '3501'
	and json_extract(data, '$.state') = 'paused' and json_extract(data, '$.reason') = 'missed'" 5)
check "5: an agent.state event: 3501 paused, reason missed" test "$s" = 1
a=$(agent_get 3502 presence)
check "5: 3502 stays available ($a)" test "$a" = available

# --- 6. wrap-up 4 s ------------------------------------------------------

sipp_run c6 waitbye.xml "$((PEER_PORTS + 7))" -s 7601 -key caller 0761 -mp "$((PEER_PORTS + 42))"
check "6: the call completes (3601 hangs up)" test $? -eq 0
ms() { echo $(( $(date +%s%N) / 1000000 )); }
t0=$(ms)
st=""
while [ $(( $(ms) - t0 )) -lt 1000 ]; do
	st=$(agent_get 3601 state)
	[ "$st" = wrapup ] && break
	sleep 0.1
done
check "6: API: 3601 is in wrapup within 1 s after the end ($st)" test "$st" = wrapup
for _ in $(seq 1 80); do
	st=$(agent_get 3601 state)
	[ "$st" = available ] && break
	sleep 0.1
done
el=$(( $(ms) - t0 ))
check "6: API: then available again ($st, after $el ms)" test "$st" = available -a "$el" -ge 3000
r=$(row 0761 "outcome || ':' || agent || ':' || hangup_side")
check "6: answered by 3601, who hung up ($r)" test "$r" = "answered:3601:agent"
seq=$(db "select group_concat(s, ' ') from (select json_extract(data, '$.state') s
	from events where type = 'agent.state' and agent = '3601' order by id)")
check "6: agent.state events of 3601: busy, wrapup, available ($seq)" \
	bash -c "[[ '$seq' =~ busy\ wrapup\ available$ ]]"
w=$(db "select (select max(ts) from events where type = 'agent.state' and agent = '3601'
		and json_extract(data, '$.state') = 'available')
	- (select ended from calls where caller = '0761')")
check "6: wrap-up lasted about 4 s ($w ms)" test "${w:-0}" -ge 4000 -a "${w:-0}" -le 5000

# --- the queues' live statistics count what happened ---------------------

qstat() { # QUEUE PATH...: a figure of the queue's stats, e.g. exits full
	api "/api/v1/queues/$1/stats" | python3 -c 'import json,sys
d = json.load(sys.stdin)["stats"]
for k in sys.argv[1:]:
    d = d[k]
print(d)' "${@:2}" 2>/dev/null
}
x="$(qstat tiny exits full) $(qstat keyq exits key) $(qstat slow exits timeout) $(qstat empty exits empty)"
check "API: stats count one exit each: tiny full, keyq key, slow timeout, empty empty ($x)" \
	test "$x" = "1 1 1 1"
x="$(qstat other answered) $(qstat nap answered) $(qstat nap ring_no_answer) $(qstat wrap answered)"
check "API: stats: answered in other, nap (one ring-no-answer), wrap ($x)" test "$x" = "1 1 1 1"

wait_peers 5
finish
