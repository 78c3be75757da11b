#!/usr/bin/env bash
# Concurrent bridged, recorded calls through the whole server: 500 SIPp
# agents (one SIPp registering them all, one answering every call) and
# N SIPp callers into one queue, RTP both ways all the time. Samples
# hotline's CPU and memory in the steady state.
#   make bench && bench/bridged_calls.sh [CALLS=500] [HOLD_SECONDS=60]
source "$(dirname "$0")/common.sh"
calls=${1:-500}
hold=${2:-60}
agents=$calls
sox -n -r 8000 -c 1 -e u-law "$T/talk.wav" synth 10 sine 300-600 vol 0.3

# the bench tenant: agents 2000.., one queue, number 5100 straight to it
{
	echo "name: Bench"
	echo "agents:"
	for i in $(seq 0 $((agents - 1))); do
		echo "  - {ext: \"$((2000 + i))\", password: pw$i}"
	done
	echo "queues:"
	echo "  - name: bench"
	echo "    strategy: longest-idle"
	echo "    ring_timeout: 10s"
	printf '    members: ['
	for i in $(seq 0 $((agents - 1))); do printf '"%d"%s' $((2000 + i)) "$([ $i -lt $((agents - 1)) ] && echo ,)"; done
	echo "]"
	echo "numbers: [{number: \"5100\", flow: bench}]"
	echo "flows:"
	echo "  - {name: bench, start: q, nodes: [{id: q, type: queue, queue: bench}]}"
} > "$T/tenant.yaml"
start_hotline "$T/tenant.yaml"
hz=$(getconf CLK_TCK)
rss_idle=$(rss_kb $HL_PID)

AGENT_PORT=$((BASE + 6))
python3 "$ROOT/bench/register_agents.py" "$SIP_PORT" "$AGENT_PORT" 2000 "$agents" pw

(cd "$T" && exec sipp "127.0.0.1:$SIP_PORT" -sf "$ROOT/bench/sipp/agent_uas.xml" -i 127.0.0.1 \
	-p "$AGENT_PORT" -mp $((BASE + 10)) -nostdin -timeout $((hold + 120))s \
	>"$T/agents.out" 2>&1) &
PIDS="$PIDS $!"
sleep 1
(cd "$T" && exec sipp "127.0.0.1:$SIP_PORT" -sf "$ROOT/bench/sipp/queue_call.xml" -s 5100 \
	-i 127.0.0.1 -p $((BASE + 7)) -mp $((BASE + 14)) -r 50 -m "$calls" -l "$calls" \
	-d $((hold * 1000)) -nostdin -timeout $((hold + 120))s >"$T/callers.out" 2>&1) &
CALLERS=$!
PIDS="$PIDS $CALLERS"

ramp=$(( calls / 50 + 5 ))
sleep "$ramp"
bridged=$(curl -s -H 'Authorization: Bearer bench' \
	"http://127.0.0.1:$HTTP_PORT/api/v1/calls?outcome=answered&limit=1000" |
	python3 -c 'import json,sys; print(sum(1 for c in json.load(sys.stdin)["calls"] if not c["ended"]))')
c0=$(cpu_ticks $HL_PID)
t0=$(date +%s.%N)
sleep 20
c1=$(cpu_ticks $HL_PID)
t1=$(date +%s.%N)
rss=$(rss_kb $HL_PID)
cpu=$(awk -v a="$c0" -v b="$c1" -v t0="$t0" -v t1="$t1" -v hz="$hz" \
	'BEGIN { printf "%.1f", 100 * (b - a) / hz / (t1 - t0) }')
echo "calls bridged in the steady state: $bridged"
echo "hotline cpu: $cpu % of one core"
awk -v c="$cpu" -v n="$bridged" 'BEGIN { if (n) printf "hotline cpu per call: %.3f %% of one core\n", c / n }'
echo "hotline rss: idle $rss_idle KB, with calls $rss KB"
awk -v a="$rss_idle" -v b="$rss" -v n="$bridged" 'BEGIN { if (n) printf "memory per call: %.1f KB\n", (b - a) / n }'

# RTP pacing as sent by hotline, seen on lo: 10 s of the flows whose
# source port is a multiple of 8 (1 in 8 streams keeps tcpdump light),
# taken after the CPU window so the capture does not count there.
if [ "$hold" -ge 45 ] && command -v tcpdump >/dev/null; then
	timeout 10 tcpdump -i lo -n -s 64 -B 16384 -w "$T/rtp.pcap" \
		'udp and src host 127.0.0.1 and udp[0:2] >= 20000 and udp[0:2] <= 39999 and (udp[0:2] & 7) = 0' \
		2>"$T/tcpdump.err"
	python3 "$ROOT/bench/rtp_jitter.py" "$T/rtp.pcap"
	grep -h "dropped by kernel" "$T/tcpdump.err" | sed 's/^/tcpdump: /'
fi

wait $CALLERS
sleep 2
done_calls=$(sqlite3 "$T/data/hotline.db" "select count(*) from calls where outcome = 'answered' and ended > 0")
echo "calls completed and stored as answered: $done_calls of $calls"
recs=$(sqlite3 "$T/data/hotline.db" "select recording from calls where recording != ''")
echo "recordings written: $(echo "$recs" | grep -c .) (stored in calls rows)," \
	"$(find "$T/data" -name '*.wav' -path '*recordings*' | wc -l) wav files"
for rec in $(echo "$recs" | shuf -n 3 --random-source=/dev/zero); do
	echo "a recording: $(soxi -c "$T/data/$rec") channels, $(soxi -D "$T/data/$rec") s" \
		"(calls held ${hold} s)"
done
