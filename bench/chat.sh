#!/usr/bin/env bash
# Web chat load (issue 13): VISITORS visitors with open chats, each sending
# a message every PERIOD (10) seconds over its WebSocket to AGENTS (200)
# scripted agents (their desktops' event streams) that take every offer and
# answer a share (REPLY, 0.1) of the messages; chat_load.py (one Python
# process, one epoll loop) plays them all. Prints hotline's CPU and RSS per
# open chat and the visitor -> agent latency p50/p99.
#   make bench && bench/chat.sh [VISITORS=10000] [SECONDS=60]
# PERF=file records hotline with `perf record -g` from the start.
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"
visitors=${1:-10000}
secs=${2:-60}
agents=${AGENTS:-200}
cap=$(( (visitors + agents - 1) / agents ))
[ "$cap" -le 50 ] || { echo "$visitors chats need more than 50 each of $agents agents: AGENTS=$(( (visitors + 49) / 50 ))"; exit 1; }

need=$((visitors + agents + 200))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
	ulimit -n "$need" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fi
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
	echo "ulimit -n is $(ulimit -n) (hard $(ulimit -Hn)): $visitors chats need $need"
	exit 1
fi

# a tenant of AGENTS agents, each taking up to cap chats, all in one queue
{
	echo "name: chat bench"
	echo "agents:"
	for k in $(seq 0 $((agents - 1))); do
		echo "  - {ext: \"$((2000 + k))\", name: A$k, password: bench-pw-$((2000 + k))x, capacity: {voice: 1, chat: $cap}}"
	done
	echo "queues:"
	echo "  - name: chat"
	echo "    channel: chat"
	echo "    strategy: longest-idle"
	echo "    ring_timeout: 120s"
	echo "    members:"
	for k in $(seq 0 $((agents - 1))); do echo "      - \"$((2000 + k))\""; done
	cat <<YAML
chat:
  entries:
    - {name: bench, origins: ["http://shop.test"], topics: [{label: Bench, queue: chat}]}
  limits: {per_visitor_per_min: 600, chats_per_address_per_hour: 100000}
YAML
} >"$T/tenant.yaml"

start_hotline "$T/tenant.yaml"
echo "hotline $HOTLINE, pid $HL_PID; $visitors visitors, $agents agents (chat capacity $cap)," \
	"a message every ${PERIOD:-10} s each, $secs s; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "hotline rss idle: $(rss_kb "$HL_PID") KB"
if [ -n "${PERF:-}" ]; then
	perf record ${PERF_OPTS:--g} -o "$PERF" -p "$HL_PID" >"$T/perf.out" 2>&1 &
	PIDS="$PIDS $!"
fi
HL_PID=$HL_PID python3 "$ROOT/bench/chat_load.py" "$HTTP_PORT" "$visitors" "$secs"
rc=$?
nlog=$(grep -ci 'warn\|err' "$T/hotline.log")
echo "hotline log: $nlog warning/error lines"
grep -i 'warn\|err' "$T/hotline.log" | head -5
exit $rc
