#!/usr/bin/env bash
# Past the limit: SIPp calls the demo IVR (answer, 1 s of prompt, hang up)
# at RATE calls/s for SECONDS, twice what holds on the machine; hotline's
# admission control (limits.max_setup, limits.max_lag) refuses what it
# cannot take with 503. Prints the calls admitted (stored by hotline),
# completed (the caller's BYE), refused (503, by reason from /metrics) and
# failed (SIPp: timeouts, unexpected messages), hotline's CPU, and how
# fast a refusal came.
#   make bench && bench/overload.sh [RATE] [SECONDS]
# MAX_SETUP and MAX_LAG set the limits (default: the shipped 200, 250ms);
# PERF=file records hotline with `perf record -g` while SIPp calls.
source "$(dirname "$0")/common.sh"
rate=${1:-1000}
secs=${2:-10}
n=$((rate * secs))
sed -E 's/^( +(mon|tue|wed|thu|fri|sat|sun)): .*/\1: 00:00-23:59/' \
	"$ROOT/conf/demo.yaml" >"$T/tenant.yaml"
LIMITS="max_setup: ${MAX_SETUP:-200}, max_lag: ${MAX_LAG:-250ms}, retry_after: 5" \
	start_hotline "$T/tenant.yaml"
hz=$(getconf CLK_TCK)
c0=$(cpu_ticks $HL_PID)
t0=$(date +%s.%N)
# SIPp is single-threaded and, on a small machine, the first to saturate:
# PROCS callers (default 2) share the rate
procs=${PROCS:-2}
pids=""
if [ -n "${PERF:-}" ]; then
	perf record ${PERF_OPTS:--g} -o "$PERF" -p "$HL_PID" -- sleep "$secs" >"$T/perf.out" 2>&1 &
	PIDS="$PIDS $!"
fi
for i in $(seq 1 "$procs"); do
	sipp "127.0.0.1:$SIP_PORT" -sf "$ROOT/bench/sipp/ivr_call_or_503.xml" -s 5000 \
		-i 127.0.0.1 -p $((BASE + 2 + i)) -mp $((BASE + 10 + 4 * i)) \
		-r "$(awk -v r="$rate" -v p="$procs" 'BEGIN { printf "%.2f", r / p }')" \
		-m $((n / procs)) -l $((rate * 4 / procs)) -nostdin -timeout $((secs + 60))s \
		-trace_stat -stf "$T/stat$i.csv" -trace_err -error_file "$T/sipp$i.err" \
		>"$T/sipp$i.out" 2>&1 &
	pids="$pids $!"
done
PIDS="$PIDS $pids"
wait $pids
t1=$(date +%s.%N)
c1=$(cpu_ticks $HL_PID)
sleep 1 # the last calls' rows reach the store
ok=0
fail=0
for i in $(seq 1 "$procs"); do
	ok=$((ok + $(awk -F';' 'NR > 1 { v = $16 } END { print v + 0 }' "$T/stat$i.csv")))
	fail=$((fail + $(awk -F';' 'NR > 1 { v = $18 } END { print v + 0 }' "$T/stat$i.csv")))
done
# what the kernel dropped on hotline's SIP socket (receive buffer full)
drops=$(awk -v p="$(printf '%04X' "$SIP_PORT")" \
	'$2 ~ ":" p "$" { print $NF }' /proc/net/udp)
stored=$(sqlite3 "$T/data/hotline.db" "select count(*) from calls")
done_=$(sqlite3 "$T/data/hotline.db" "select count(*) from calls where hangup_side = 'caller'")
m=$(curl -s "http://127.0.0.1:$HTTP_PORT/metrics")
ref() { echo "$m" | awk -v r="$1" 'index($0, "hotline_calls_refused_total{reason=\"" r "\"}") == 1 { print $2 }'; }
cpu=$(awk -v a="$c0" -v b="$c1" -v t0="$t0" -v t1="$t1" -v hz="$hz" \
	'BEGIN { printf "%.1f", 100 * (b - a) / hz / (t1 - t0) }')
echo "offered $((n / procs * procs)) calls at $rate/s over $secs s from $procs SIPp (SIPp took $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s)"
echo "admitted $stored (completed with the caller's BYE: $done_)," \
	"refused $(( $(ref setup) + $(ref lag) + $(ref calls) )) (setup $(ref setup), lag $(ref lag), max_calls $(ref calls))," \
	"failed $fail (SIPp), SIPp ended $ok calls well"
echo "hotline's SIP socket dropped ${drops:-?} datagrams (receive buffer full); stuck calls (still up): $(curl -s "http://127.0.0.1:$HTTP_PORT/metrics" | awk '/^hotline_calls_active / { print $2 }')"
echo "hotline cpu $cpu % of one core; its warnings: $(grep -c 'refusing new calls' "$T/hotline.log") refusal lines, $(grep -vc 'refusing new calls' "$T/hotline.log") others"
