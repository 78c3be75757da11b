#!/usr/bin/env bash
# The ACD end to end: 20 callers into two skill-routed queues (english,
# billing) served by six SIPp agents with different skills.
#   - 8 patient callers to english, 7 to billing: all answered, each by an
#     agent that has the queue's skill;
#   - 4 impatient callers to english arrive a moment later and hang up
#     after 7 s, before their turn: abandoned (not short abandons);
#   - 1 VIP caller (priority 10) arrives after them and is answered ahead
#     of them.
# Agents talk 6 s and hang up. Then the live statistics are compared with
# the same figures rebuilt from the stored event log, with the calls
# table, and with the queue_log export.
source "$(dirname "$0")/lib.sh"
TENANT=tenant_acd.yaml
RTP_TIMEOUT=90s
RTP_MIN=$WIDE_RTP_MIN
RTP_MAX=$WIDE_RTP_MAX
write_config
start_hotline

make_agent agent.xml answer-bye 6000
for i in 1 2 3 4 5 6; do
	ext=200$i
	port=$((PEER_PORTS + i - 1))
	mport=$((PEER_PORTS + 6 + 4 * (i - 1)))
	register "$ext" "pw-$ext" "$port" || { not_ok "agent $ext registers" "see $T"; finish; }
	sipp_bg "agent-$ext" agent.xml "$port" -mp "$mport" -m 10 >/dev/null
done
sleep 0.5

make_caller patient.xml "0 8 101" "$blk_answered
$(play "$PCAP_AUDIO")
$blk_wait_bye"
make_caller impatient.xml "0 8 101" "$blk_answered
$(play "$PCAP_AUDIO")
$(pause 7000)
$blk_bye"

sipp_bg en patient.xml "$CALLER_PORT" -s 6001 -key caller 0601 -m 8 -r 20 -mp "$MEDIA_PORT0" >/dev/null
sleep 0.6
sipp_bg bi patient.xml "$CALLER_PORT2" -s 6002 -key caller 0602 -m 7 -r 20 -mp "$MEDIA_PORT1" >/dev/null
sleep 0.6
sipp_bg ab impatient.xml "$AGENT_PORT1" -s 6001 -key caller 0603 -m 4 -r 20 -mp "$MEDIA_PORT2" >/dev/null
sleep 0.8
sipp_bg vip patient.xml "$AGENT_PORT2" -s 6003 -key caller 0604 -m 1 -mp "$((PEER_PORTS + 30))" >/dev/null

# every caller's call ends: 20 rows
for _ in $(seq 1 600); do
	n=$(db "select count(*) from calls where ended > 0 and caller in ('0601','0602','0603','0604')" 2>/dev/null)
	[ "$n" = 20 ] && break
	sleep 0.1
done
check "all 20 calls ended" test "$n" = 20
wait_peers 20

count() { db "select count(*) from calls where $1"; }
check "8 patient english callers answered" test "$(count "caller = '0601' and outcome = 'answered'")" = 8
check "7 patient billing callers answered" test "$(count "caller = '0602' and outcome = 'answered'")" = 7
check "english calls answered only by agents with english" \
	test "$(count "queue = 'english' and outcome = 'answered' and agent not in ('2001','2002','2005','2006')")" = 0
check "billing calls answered only by agents with billing" \
	test "$(count "queue = 'billing' and outcome = 'answered' and agent not in ('2003','2004','2005','2006')")" = 0
check "every agent took calls" test "$(db "select count(distinct agent) from calls where outcome = 'answered'")" = 6
check "4 impatient callers abandoned the queue" test "$(count "caller = '0603' and outcome = 'abandoned_queue'")" = 4
check "4 queue.abandoned events, each after more than 5 s" \
	test "$(db "select count(*) from events where type = 'queue.abandoned' and json_extract(data, '$.wait_ms') > 5000")" = 4
vip=$(db "select outcome || ':' || (answered - queued < 7000) from calls where caller = '0604'")
check "the VIP caller, last to arrive, answered before the abandons ($vip)" test "$vip" = "answered:1"

# live statistics, the same rebuilt from the event log, and the calls table
now=$(( $(date +%s) * 1000 + 1000 ))
api /api/v1/queues/english/stats > "$T/live-en.json"
api "/api/v1/queues/english/stats?from=0&to=$now" > "$T/log-en.json"
api /api/v1/queues/billing/stats > "$T/live-bi.json"
api "/api/v1/queues/billing/stats?from=0&to=$now" > "$T/log-bi.json"
api /api/v1/queues > "$T/queues.json"
fig() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join(str(d["stats"][k]) for k in sys.argv[2:]))' "$@"; }
keys="offered answered abandoned short_abandoned exited handled service_level service_level_with_abandons abandon_rate"
check "english live: offered 13, answered 9, abandoned 4" \
	test "$(fig "$T/live-en.json" offered answered abandoned short_abandoned)" = "13 9 4 0"
check "billing live: offered 7, answered 7, abandoned 0" \
	test "$(fig "$T/live-bi.json" offered answered abandoned)" = "7 7 0"
check "english: live figures equal the event log's" \
	test "$(fig "$T/live-en.json" $keys)" = "$(fig "$T/log-en.json" $keys)"
check "billing: live figures equal the event log's" \
	test "$(fig "$T/live-bi.json" $keys)" = "$(fig "$T/log-bi.json" $keys)"
check "english abandon rate is 4/13" \
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["stats"]["abandon_rate"]; sys.exit(abs(r-4/13) > 1e-9)' "$T/live-en.json"
check "live answered equals the calls table" \
	test "$(fig "$T/live-en.json" answered)" = "$(count "queue = 'english' and outcome = 'answered'")"
check "AHT counts talk time (about 6 s)" \
	python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["stats"]["aht_ms"]; sys.exit(not 5000 < a < 9000)' "$T/live-bi.json"
check "GET /api/v1/queues lists both with no one waiting" \
	python3 -c 'import json,sys; q={x["name"]: x for x in json.load(open(sys.argv[1]))["queues"]}; sys.exit(not (q["english"]["waiting"] == 0 and q["billing"]["members"] == 4 and q["english"]["members"] == 4))' "$T/queues.json"

# an agent's figures, live and from the log
api /api/v1/agents/2006/stats > "$T/ag-live.json"
api "/api/v1/agents/2006/stats?from=0&to=$now" > "$T/ag-log.json"
check "agent 2006: answered calls and busy time, live equal to the log" \
	python3 -c '
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
ok = a["answered"] >= 1 and a["time_ms"]["busy"] >= 5000 and 0 < a["occupancy"] <= 1
ok = ok and a["answered"] == b["answered"] and abs(a["time_ms"]["busy"] - b["time_ms"]["busy"]) < 2
sys.exit(not ok)' "$T/ag-live.json" "$T/ag-log.json"

# the queue_log export
"$HOTLINE" export-queue-log --config "$T/hotline.yaml" > "$T/queue_log" 2>"$T/export.err"
check "export-queue-log runs" test $? -eq 0
verbs() { awk -F'|' -v v="$1" '$5 == v' "$T/queue_log" | wc -l; }
check "queue_log: 20 ENTERQUEUE" test "$(verbs ENTERQUEUE)" = 20
check "queue_log: 16 CONNECT" test "$(verbs CONNECT)" = 16
check "queue_log: 16 COMPLETEAGENT (agents hung up)" test "$(verbs COMPLETEAGENT)" = 16
check "queue_log: 4 ABANDON" test "$(verbs ABANDON)" = 4
check "queue_log lines have the Asterisk shape" \
	bash -c "grep -E '^[0-9]+\|[a-z0-9]+\|english\|20[0-9]{2}\|CONNECT\|[0-9]+\|[a-z0-9]+\|[0-9]+$' '$T/queue_log' | head -1 | grep -q ."
finish
