#!/usr/bin/env bash
# HTTP API reads with keep-alive: wrk (1 thread, a few connections, each
# keeping its connection) against GET /api/v1/queues, the read a
# wallboard polls, then GET /api/v1/agents and GET /health. For each:
# requests/s, latency p50/p99 (wrk --latency), hotline's CPU (its main
# loop serves HTTP on one core), CPU and handler time per request, and
# that every answer was a 2xx (wrk counts the others; hotline's own
# request counter from /metrics must match what wrk sent).
#   make bench && bench/api_requests.sh [SECONDS=10] [CONNECTIONS=4]
# PATHS="/api/v1/queues /api/v1/agents /health" (what to read).
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"
secs=${1:-10}
conns=${2:-4}
paths=${PATHS:-/api/v1/queues /api/v1/agents /health}
auth='Authorization: Bearer bench'

if ! command -v wrk >/dev/null; then
	echo "api_requests.sh: installing wrk"
	sudo=""
	[ "$(id -u)" -ne 0 ] && sudo="sudo"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends wrk >/dev/null ||
		{ echo "could not install wrk"; exit 1; }
fi

start_hotline "$ROOT/bench/tenant_api.yaml"
hz=$(getconf CLK_TCK)
echo "hotline $HOTLINE, pid $HL_PID; wrk 1 thread, $conns connections, ${secs} s each;" \
	"$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# CPU ticks the whole machine has been busy (all cores)
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
# CPU seconds of this shell's finished children, from `times >FILE`
child_s() { awk 'NR == 2 { gsub(/[ms]/, " "); print $1 * 60 + $2 + $3 * 60 + $4 }' "$1"; }

# a value of hotline's /metrics
metric() { awk -v m="$2" '$1 == m { print $2 }' "$1"; }

rc=0
for path in $paths; do
	url="http://127.0.0.1:$HTTP_PORT$path"
	code=$(curl -s -o "$T/body" -w '%{http_code}' -H "$auth" "$url")
	if [ "${code:0:1}" != 2 ]; then
		echo "$path: curl got $code, not measured"; cat "$T/body"; rc=1; continue
	fi
	size=$(wc -c <"$T/body")
	curl -s -H "$auth" "http://127.0.0.1:$HTTP_PORT/metrics" >"$T/m0"
	c0=$(cpu_ticks "$HL_PID")
	m0=$(machine_ticks)
	t0=$(date +%s.%N)
	times >"$T/times0"
	wrk -t1 -c"$conns" -d"${secs}s" --latency -H "$auth" "$url" >"$T/wrk.out" 2>&1
	times >"$T/times1"
	c1=$(cpu_ticks "$HL_PID")
	m1=$(machine_ticks)
	t1=$(date +%s.%N)
	curl -s -H "$auth" "http://127.0.0.1:$HTTP_PORT/metrics" >"$T/m1"
	[ "${KEEP:-0}" = 1 ] && cp "$T/wrk.out" "$T/wrk$(echo "$path" | tr / _).out"

	rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$T/wrk.out")
	n=$(awk '/requests in/ { print $1 }' "$T/wrk.out")
	p50=$(awk '$1 == "50%" { print $2 }' "$T/wrk.out")
	p99=$(awk '$1 == "99%" { print $2 }' "$T/wrk.out")
	non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$T/wrk.out")
	sockerr=$(awk '/Socket errors:/ { sub(/.*Socket errors: /, ""); print }' "$T/wrk.out")
	if [ -z "$rps" ] || [ -z "$n" ]; then
		echo "$path: wrk failed"; cat "$T/wrk.out"; rc=1; continue
	fi
	# /metrics counts itself: the second read is one more than wrk's
	# requests, plus those wrk had in flight when it stopped (at most one
	# per connection)
	req=$(( $(metric "$T/m1" hotline_http_requests_total) - $(metric "$T/m0" hotline_http_requests_total) - 1 ))
	hsum=$(awk -v a="$(metric "$T/m0" hotline_http_request_duration_seconds_sum)" \
		-v b="$(metric "$T/m1" hotline_http_request_duration_seconds_sum)" -v n="$req" \
		'BEGIN { printf "%.1f", n ? 1e6 * (b - a) / n : 0 }')
	read -r cpu cpureq < <(awk -v a="$c0" -v b="$c1" -v t0="$t0" -v t1="$t1" -v hz="$hz" -v n="$req" \
		'BEGIN { printf "%.1f %.1f\n", 100 * (b - a) / hz / (t1 - t0), n ? 1e6 * (b - a) / hz / n : 0 }')
	# what else ran: the machine's busy time less hotline's and wrk's
	others=$(awk -v a="$m0" -v b="$m1" -v h=$((c1 - c0)) -v w0="$(child_s "$T/times0")" \
		-v w1="$(child_s "$T/times1")" -v t0="$t0" -v t1="$t1" -v hz="$hz" 'BEGIN {
		t = t1 - t0; w = w1 - w0
		o = 100 * ((b - a - h) / hz - w) / t
		printf "wrk %.0f %%, everything else ~%.0f %% of one core", 100 * w / t, (o > 0 ? o : 0) }')
	echo "GET $path ($size bytes): $rps requests/s, latency p50 $p50, p99 $p99;" \
		"hotline at $cpu % of one core, $cpureq us CPU per request ($hsum us in the handler)"
	echo "  the machine meanwhile: $others"
	ok=1
	if [ -n "$non2xx" ] || [ -n "$sockerr" ]; then
		echo "  not all 2xx: ${non2xx:-0} non-2xx answers; socket errors: ${sockerr:-none}"
		ok=0; rc=1
	fi
	if [ "$req" -lt "$n" ] || [ "$req" -gt $((n + conns)) ]; then
		echo "  hotline counted $req requests, wrk $n"
		ok=0; rc=1
	fi
	[ "$ok" = 1 ] && echo "  $n requests, all 2xx (hotline counted $req)"
	if [ "$path" = /api/v1/queues ]; then
		echo "  target > 20000 requests/s: $([ "$rps" -gt 20000 ] && echo met || echo "not met")"
	fi
done
nlog=$(grep -ci 'warn\|err' "$T/hotline.log")
echo "hotline log: $nlog warning/error lines"
grep -i 'warn\|err' "$T/hotline.log" | head -5
exit $rc
