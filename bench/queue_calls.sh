#!/usr/bin/env bash
# Calls into queues through the whole server: SIPp callers into two
# queues with different strategies (longest-idle, skills), served by
# SIPp agents (one SIPp answering all of them), N calls at once. Samples
# hotline's CPU and memory in the steady state, then computes from
# hotline's own event log how long each call waited from entering its
# queue to the first agent's phone ringing, and how many were answered.
#   make bench && bench/queue_calls.sh [CONCURRENT=100] [HOLD_SECONDS=10]
# RATE=20 (calls/s offered), RUN=40 (seconds of calls, about).
source "$(dirname "$0")/common.sh"
conc=${1:-100}
hold=${2:-10}
rate=${RATE:-20}
run=${RUN:-40}
[ "$run" -lt $((hold * 3)) ] && run=$((hold * 3))
agents=$((conc * 6 / 5)) # a fifth more agents than calls: nobody waits for one
calls=$((conc * run / hold)) # the limit keeps conc at once, hold s each
sox -n -r 8000 -c 1 -e u-law "$T/talk.wav" synth 10 sine 300-600 vol 0.3

# The bench tenant: agents 2000.., every one in queue "sales" (longest
# idle) and with skill english at 4-9, so five in six also serve queue
# "support" (skills, english 5: every agent who has it, best match
# first). Number 5101 rings sales, 5102 support, each a one-node flow.
{
	echo "name: Bench queues"
	echo "agents:"
	for i in $(seq 0 $((agents - 1))); do
		echo "  - {ext: \"$((2000 + i))\", password: pw$i, skills: {english: $((4 + i % 6))}}"
	done
	echo "queues:"
	echo "  - name: sales"
	echo "    strategy: longest-idle"
	echo "    ring_timeout: 10s"
	printf '    members: ['
	for i in $(seq 0 $((agents - 1))); do printf '"%d"%s' $((2000 + i)) "$([ $i -lt $((agents - 1)) ] && echo ,)"; done
	echo "]"
	echo "  - {name: support, strategy: skills, skills: {english: 5}, ring_timeout: 10s}"
	echo "numbers:"
	echo "  - {number: \"5101\", flow: sales}"
	echo "  - {number: \"5102\", flow: support}"
	echo "flows:"
	echo "  - {name: sales, start: q, nodes: [{id: q, type: queue, queue: sales}]}"
	echo "  - {name: support, start: q, nodes: [{id: q, type: queue, queue: support}]}"
} > "$T/tenant.yaml"
start_hotline "$T/tenant.yaml"
hz=$(getconf CLK_TCK)
rss_idle=$(rss_kb $HL_PID)

AGENT_PORT=$((BASE + 6))
python3 "$ROOT/bench/register_agents.py" "$SIP_PORT" "$AGENT_PORT" 2000 "$agents" pw

# NO_RTP=1: neither side sends audio (issue 16's "without RTP" figure)
cp "$ROOT/bench/sipp/agent_uas.xml" "$T/agent_uas.xml"
sed 's/\[service\]/[field0]/g' "$ROOT/bench/sipp/queue_call.xml" >"$T/queue_call.xml"
if [ "${NO_RTP:-0}" = 1 ]; then
	sed -i '/rtp_stream=/d' "$T/agent_uas.xml" "$T/queue_call.xml"
fi
(cd "$T" && exec sipp "127.0.0.1:$SIP_PORT" -sf "$T/agent_uas.xml" -i 127.0.0.1 \
	-p "$AGENT_PORT" -mp $((BASE + 10)) -nostdin -timeout $((run + hold + 120))s \
	>"$T/agents.out" 2>&1) &
PIDS="$PIDS $!"
sleep 1

# one SIPp for all callers, at most conc at once: the number dialled is
# taken from an injection file, sales and support in turn
printf 'SEQUENTIAL\n5101;\n5102;\n' >"$T/numbers.csv"
(cd "$T" && exec sipp "127.0.0.1:$SIP_PORT" -sf "$T/queue_call.xml" -inf "$T/numbers.csv" \
	-i 127.0.0.1 -p $((BASE + 7)) -mp $((BASE + 14)) -r "$rate" -m "$calls" -l "$conc" \
	-d $((hold * 1000)) -nostdin -timeout $((run + hold + 120))s \
	-trace_stat -fd 1 -stf "$T/callers.csv" >"$T/callers.out" 2>&1) &
CALLERS=$!
PIDS="$PIDS $CALLERS"

# steady state: from conc calls up (ramp) until the last call starts
# (about ramp + run - hold), less a second or two either side
ramp=$(( (conc + rate - 1) / rate ))
window=$(( run - hold - 3 ))
sleep $((ramp + 2))
c0=$(cpu_ticks $HL_PID)
t0=$(date +%s.%N)
sleep $((window / 2))
inprog=$(curl -s -H 'Authorization: Bearer bench' \
	"http://127.0.0.1:$HTTP_PORT/api/v1/calls?outcome=answered&limit=1000" |
	python3 -c 'import json,sys; print(sum(1 for c in json.load(sys.stdin)["calls"] if not c["ended"]))')
sleep $((window - window / 2))
c1=$(cpu_ticks $HL_PID)
t1=$(date +%s.%N)
rss=$(rss_kb $HL_PID)
cpu=$(awk -v a="$c0" -v b="$c1" -v t0="$t0" -v t1="$t1" -v hz="$hz" \
	'BEGIN { printf "%.1f", 100 * (b - a) / hz / (t1 - t0) }')
echo "calls offered: $calls ($rate/s, at most $conc at once, held $hold s), $agents agents"
echo "calls answered and talking mid-window: $inprog"
echo "hotline cpu: $cpu % of one core (steady state, $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s)"
echo "hotline rss: idle $rss_idle KB, with calls $rss KB"

wait $CALLERS
sleep 2 # the last rows and events reach the store
ok=$(awk -F';' 'NR > 1 { v = $16 } END { print v + 0 }' "$T/callers.csv")
fail=$(awk -F';' 'NR > 1 { v = $18 } END { print v + 0 }' "$T/callers.csv")
echo "sipp callers: $ok calls successful, $fail failed"

# From hotline's event log: for each call, its queue.entered and the
# first agent.ringing of the same call after it (by id: the order they
# were emitted in); ts is ms, so 0 means under a millisecond.
python3 - "$T/data/hotline.db" "$calls" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
offered = int(sys.argv[2])
rows = db.execute("""
    SELECT e.queue,
           (SELECT r.ts FROM events r WHERE r.call = e.call AND r.id > e.id
              AND r.type = 'agent.ringing' ORDER BY r.id LIMIT 1) - e.ts
    FROM events e WHERE e.type = 'queue.entered'""").fetchall()

def pct(v, p):  # nearest rank
    return v[max(0, -(-len(v) * p // 100) - 1)]

def line(name, ds):
    never = sum(1 for d in ds if d is None)
    v = sorted(d for d in ds if d is not None)
    if not v:
        print("queue entry -> agent ringing, %s: no call rang an agent" % name)
        return
    print("queue entry -> agent ringing, %s: %d calls, p50 %d ms, p90 %d ms,"
          " p99 %d ms, max %d ms, mean %.2f ms%s"
          % (name, len(v), pct(v, 50), pct(v, 90), pct(v, 99), v[-1],
             sum(v) / len(v), ", %d never rang" % never if never else ""))

for q in sorted({q for q, _ in rows}):
    line(q, [d for qq, d in rows if qq == q])
line("all", [d for _, d in rows])
n, ans = db.execute("SELECT count(*), sum(outcome = 'answered') FROM calls").fetchone()
print("calls answered: %d of %d offered (%d stored by hotline)" % (ans or 0, offered, n))
for q, n, ans in db.execute("SELECT queue, count(*), sum(outcome = 'answered')"
                            " FROM calls GROUP BY queue ORDER BY queue"):
    print("  queue %s: %d answered of %d" % (q or "(none)", ans, n))
others = db.execute("SELECT outcome, count(*) FROM calls WHERE outcome != 'answered'"
                    " GROUP BY outcome").fetchall()
if others:
    print("  other outcomes: " + ", ".join("%s %d" % o for o in others))
PY

nlog=$(grep -ci 'warn\|err' "$T/hotline.log")
echo "hotline log: $nlog warning/error lines"
grep -i 'warn\|err' "$T/hotline.log" | sed -E 's/call=[^ ]+/call=…/g; s/[0-9]{2}:[0-9]{2}:[0-9.]+//' |
	sort | uniq -c | sort -rn | head -5
