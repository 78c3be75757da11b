#!/usr/bin/env bash
# Event fan-out through the WebSocket stream: CLIENTS clients on
# /api/v1/events?types=agent. (one Python process, ws_fanout.py), then
# ROUNDS agent state changes over the REST API; for each, the time until
# the first and until every client had the agent.state frame, and over
# all rounds p50/p99/max of "every client". Reports any client hotline
# dropped (it drops slow readers: src/api/stream.c).
#   make bench && bench/ws_fanout.sh [CLIENTS=1000] [ROUNDS=20]
# GAP=0.2 (seconds between rounds), WINDOW=4 (handshakes at once).
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"
clients=${1:-1000}
rounds=${2:-20}

# hotline raises its own limit to the hard one; the client needs one fd
# per connection too
need=$((clients + 100))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
	ulimit -n "$need" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fi
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
	echo "ulimit -n is $(ulimit -n) (hard $(ulimit -Hn)): $clients clients need $need"
	exit 1
fi

start_hotline "$ROOT/bench/tenant_api.yaml"
echo "hotline $HOTLINE, pid $HL_PID; $clients clients, $rounds rounds, $(nproc) cores," \
	"load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "hotline rss idle: $(rss_kb "$HL_PID") KB"
HL_PID=$HL_PID python3 "$ROOT/bench/ws_fanout.py" "$HTTP_PORT" "$clients" "$rounds"
rc=$?
nlog=$(grep -ci 'warn\|err' "$T/hotline.log")
echo "hotline log: $nlog warning/error lines"
grep -i 'warn\|err' "$T/hotline.log" | head -5
exit $rc
