# common.sh — sourced by the benchmark scripts: a release hotline on its
# own ports in a temp dir, and CPU/RSS sampling from /proc.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HOTLINE=${HOTLINE:-$ROOT/build/hotline} # another build: HOTLINE=build-x/hotline
T=$(mktemp -d /tmp/hotline-bench.XXXXXX)
BASE=$(( 15000 + ($$ % 100) * 20 )) # below the kernel's ephemeral ports (32768-)
SIP_PORT=$BASE
HTTP_PORT=$((BASE + 1))
HL_PID=""
PIDS="" # other processes of the run (SIPp), ended with hotline
trap 'for p in $PIDS $HL_PID; do kill $p 2>/dev/null; done; wait 2>/dev/null; [ "${KEEP:-0}" = 1 ] || rm -rf "$T"' EXIT

start_hotline() { # TENANT-FILE (LIMITS: more keys of limits, "max_setup: 50")
	cat > "$T/hotline.yaml" <<YAML
data_dir: $T/data
tenant: $1
log_level: ${LOG_LEVEL:-warn}
sip: {listen: 127.0.0.1:$SIP_PORT, trusted: [127.0.0.0/8]}
media: {address: 127.0.0.1, rtp_ports: 20000-39999, rtp_timeout: 60s, threads: ${MEDIA_THREADS:-0}}
http: {listen: 127.0.0.1:$HTTP_PORT, api_token: bench}
limits: {max_calls: 5000${LIMITS:+, $LIMITS}}
YAML
	"$HOTLINE" serve --config "$T/hotline.yaml" 2>"$T/hotline.log" &
	HL_PID=$!
	for _ in $(seq 1 100); do
		curl -sf "http://127.0.0.1:$HTTP_PORT/health" >/dev/null && return 0
		sleep 0.1
	done
	echo "hotline did not start"; cat "$T/hotline.log"; exit 1
}

# CPU seconds (user+system) the process has used
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_kb() { awk '/VmRSS/ { print $2 }' "/proc/$1/status"; }
