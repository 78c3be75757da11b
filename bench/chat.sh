#!/usr/bin/env bash
# Web chat load (issue 13): VISITORS visitors with open chats, each sending
# a message every PERIOD (10) seconds over its WebSocket to AGENTS (200)
# scripted agents (their desktops' event streams) that take every offer and
# answer a share (REPLY, 0.1) of the messages; chat_load.py (one Python
# process, one epoll loop) plays them all. Prints hotline's CPU and RSS per
# open chat and the visitor -> agent latency p50/p99.
#   make bench && bench/chat.sh [VISITORS=10000] [SECONDS=60]
# PERF=file records hotline with `perf record -g` from the start (PERF_OPTS:
# its options, "--call-graph dwarf" for whole stacks).
# BRIDGED=N runs N bridged calls against the same hotline meanwhile (as
# bench/bridged_calls.sh: agents 3000.. on one SIPp UAS, SIPp callers with
# looped PCMU into a voice queue) and prints the RTP pacing hotline sends
# (10 s of tcpdump on lo in the middle of the chat run, rtp_jitter.py)
# beside the chat latency, with the load average before and after.
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"
visitors=${1:-10000}
secs=${2:-60}
agents=${AGENTS:-200}
bridged=${BRIDGED:-0}
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
	for k in $(seq 0 $((bridged - 1))); do
		echo "  - {ext: \"$((3000 + k))\", password: pw$k, capacity: {voice: 1, chat: 0}}"
	done
	echo "queues:"
	if [ "$bridged" -gt 0 ]; then
		echo "  - name: calls"
		echo "    strategy: longest-idle"
		echo "    ring_timeout: 10s"
		echo "    members:"
		for k in $(seq 0 $((bridged - 1))); do echo "      - \"$((3000 + k))\""; done
	fi
	echo "  - name: chat"
	echo "    channel: chat"
	echo "    strategy: longest-idle"
	echo "    ring_timeout: 120s"
	echo "    members:"
	for k in $(seq 0 $((agents - 1))); do echo "      - \"$((2000 + k))\""; done
	cat <<YAML
$([ "$bridged" -gt 0 ] && printf '%s\n' 'numbers: [{number: "5100", flow: calls}]' \
		'flows:' '  - {name: calls, start: q, nodes: [{id: q, type: queue, queue: calls}]}')
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
if [ "$bridged" -gt 0 ]; then
	# the calls of bench/bridged_calls.sh, held past the chat run (ended
	# with it), ramping at 50 a second while the agents sign in
	AGENT_PORT=$((BASE + 6))
	sox -n -r 8000 -c 1 -e u-law "$T/talk.wav" synth 10 sine 300-600 vol 0.3
	python3 "$ROOT/bench/register_agents.py" "$SIP_PORT" "$AGENT_PORT" 3000 "$bridged" pw
	(cd "$T" && exec sipp "127.0.0.1:$SIP_PORT" -sf "$ROOT/bench/sipp/agent_uas.xml" \
		-i 127.0.0.1 -p "$AGENT_PORT" -mp $((BASE + 10)) -nostdin -timeout 3600s \
		>"$T/agents.out" 2>&1) &
	PIDS="$PIDS $!"
	sleep 1
	(cd "$T" && exec sipp "127.0.0.1:$SIP_PORT" -sf "$ROOT/bench/sipp/queue_call.xml" \
		-s 5100 -i 127.0.0.1 -p $((BASE + 7)) -mp $((BASE + 14)) -r 50 -m "$bridged" \
		-l "$bridged" -d 3600000 -nostdin -timeout 3600s >"$T/callers.out" 2>&1) &
	PIDS="$PIDS $!"
	# 10 s of the RTP hotline sends (1 flow in 8, as bridged_calls.sh),
	# from the middle of the chat run: chat_load.py says when it starts
	(
		until grep -q '^visitors: .* chats open' "$T/load.out" 2>/dev/null; do sleep 0.5; done
		sleep $(( secs / 2 > 5 ? secs / 2 - 5 : 0 ))
		echo "load average in the chat run: $(cut -d' ' -f1-3 /proc/loadavg)" >"$T/load_mid"
		timeout 10 tcpdump -i lo -n -s 64 -B 16384 -w "$T/rtp.pcap" \
			'udp and src host 127.0.0.1 and udp[0:2] >= 20000 and udp[0:2] <= 39999 and (udp[0:2] & 7) = 0' \
			2>"$T/tcpdump.err"
	) &
	CAPTURE=$!
fi
HL_PID=$HL_PID python3 "$ROOT/bench/chat_load.py" "$HTTP_PORT" "$visitors" "$secs" | tee "$T/load.out"
rc=${PIPESTATUS[0]}
if [ "$bridged" -gt 0 ]; then
	wait "$CAPTURE"
	up=$(curl -s -H 'Authorization: Bearer bench' \
		"http://127.0.0.1:$HTTP_PORT/api/v1/calls?outcome=answered&limit=1000" |
		python3 -c 'import json,sys; print(sum(1 for c in json.load(sys.stdin)["calls"] if not c["ended"]))')
	echo "bridged calls up at the end: $up of $bridged"
	cat "$T/load_mid" 2>/dev/null
	[ -s "$T/rtp.pcap" ] && python3 "$ROOT/bench/rtp_jitter.py" "$T/rtp.pcap" | sed 's/^/RTP beside the chats: /'
	grep -h "dropped by kernel" "$T/tcpdump.err" | sed 's/^/tcpdump: /'
fi
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
nlog=$(grep -ci 'warn\|err' "$T/hotline.log")
echo "hotline log: $nlog warning/error lines"
grep -i 'warn\|err' "$T/hotline.log" | head -5
exit $rc
