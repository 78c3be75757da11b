#!/usr/bin/env bash
# Calls through a SIP trunk per second with no failed call (issue 15):
# Kamailio on the loopback is the carrier (tests/e2e/kamailio/kamailio.cfg:
# registrar and proxy with digest auth; KAM_CHILDREN UDP workers, default
# 8), hotline's trunk "carrier" registers with it.
#  - in: SIPp as the PSTN callers calls the carrier's DID; Kamailio relays
#    to the contact hotline registered; the DID runs an IVR flow (a prompt;
#    the caller hangs up after 1 s, bench/sipp/ivr_call.xml).
#  - out: SIPp as the phones of AGENTS agents (default 1000, digest auth,
#    each call the next agent's: one call at a time each, as phones are)
#    dials a national number;
#    hotline sends it through the carrier (its 407 answered) to SIPp as the
#    PSTN phone (bench/sipp/pstn_uas.xml), 1 s of talk, the agent hangs up
#    (bench/sipp/trunk_out.xml).
# Each direction at each rate for SECS seconds (default 10): calls ok and
# failed, the rate SIPp achieved, INVITE->200 p50/p95/max (SIPp's
# response-time trace; out: from the authenticated INVITE), hotline's
# CPU; then the highest rate with 0 failed each way.
#   make bench && bench/trunk_calls.sh [RATES...]   (default 50 100 200)
# KEEP=1 keeps the temp dir; SIPP_TRACE=1 has the out SIPp log its
# messages there.
source "$(dirname "$0")/common.sh"
rates=${*:-50 100 200}
secs=${SECS:-10}
command -v kamailio >/dev/null || { echo "kamailio not installed (scripts/deps --test)"; exit 1; }
KAM_PORT=$((BASE + 2))
FAIL_PORT=$((BASE + 3))
SILENT_PORT=$((BASE + 4))
PSTN_PORT=$((BASE + 5))
CALLER_PORT=$((BASE + 6))
AGENT_PORT=$((BASE + 7))
PW="bench-carrier-$$"
AGENT_PW="bench-agent-$$"
agents=${AGENTS:-1000}

sed -e "s/@KAM_PORT@/$KAM_PORT/g; s/@FAIL_PORT@/$FAIL_PORT/g; s/@PSTN_PORT@/$PSTN_PORT/g" \
	-e "s/@SILENT_PORT@/$SILENT_PORT/g; s/@HOTLINE_PORT@/$SIP_PORT/g; s/@PASSWORD@/$PW/g" \
	-e "s/@EXPIRES@/3600/g; s/^children=1/children=${KAM_CHILDREN:-8}/" \
	"$ROOT/tests/e2e/kamailio/kamailio.cfg" >"$T/kamailio.cfg"
mkdir -p "$T/kam"
kamailio -f "$T/kamailio.cfg" -DD -E -m 64 -M 8 -Y "$T/kam" -P "$T/kam/pid" \
	>"$T/kamailio.log" 2>&1 &
KAM_PID=$!
PIDS="$PIDS $KAM_PID"
sleep 0.5

cat >"$T/tenant.yaml" <<YAML
name: Bench trunk
crm: {country: "1"}
agents:
$(for i in $(seq 0 $((agents - 1))); do echo "  - {ext: \"$((3000 + i))\", password: $AGENT_PW-$i}"; done)
flows:
  - name: ivr
    start: hello
    nodes:
      - {id: hello, type: say, text: "Thank you for calling the benchmark line. Please hold while this sentence is read to you in full.", next: bye}
      - {id: bye, type: hangup}
dialing:
  allow: [internal, emergency, national, mobile]
  limits: {agent_calls: 0, tenant_calls: 0, attempts_per_minute: 0}
trunks:
  - name: carrier
    proxy: "127.0.0.1:$KAM_PORT"
    username: hotline
    password: "$PW"
    register: true
    dids: {"2025550123": {flow: ivr}}
outbound:
  routes:
    - {match: [NXXNXXXXXX], trunks: [carrier], format: e164}
YAML
# common.sh's node, but nothing trusted: the trunk is the only way in
# and the agent's phone authenticates (a trusted address is not asked)
cat >"$T/hotline.yaml" <<YAML
data_dir: $T/data
tenant: $T/tenant.yaml
log_level: ${LOG_LEVEL:-warn}
sip: {listen: 127.0.0.1:$SIP_PORT, trusted: []}
media: {address: 127.0.0.1, rtp_ports: 20000-39999, rtp_timeout: 60s, threads: ${MEDIA_THREADS:-0}}
http: {listen: 127.0.0.1:$HTTP_PORT, api_token: bench}
limits: {max_calls: 5000}
YAML
"$HOTLINE" serve --config "$T/hotline.yaml" 2>"$T/hotline.log" &
HL_PID=$!
for _ in $(seq 1 50); do
	curl -s -H "Authorization: Bearer bench" "http://127.0.0.1:$HTTP_PORT/api/v1/trunks" |
		grep -q '"state": *"registered"' && break
	sleep 0.1
done
curl -s -H "Authorization: Bearer bench" "http://127.0.0.1:$HTTP_PORT/api/v1/trunks" |
	grep -q '"state": *"registered"' || { echo "trunk carrier did not register"; tail "$T/hotline.log"; exit 1; }

# the phones' credentials, an agent a call in turn
{
	echo SEQUENTIAL
	for i in $(seq 0 $((agents - 1))); do
		echo "$((3000 + i));[authentication username=$((3000 + i)) password=$AGENT_PW-$i]"
	done
} >"$T/agents.csv"
(cd "$T" && exec sipp -sf "$ROOT/bench/sipp/pstn_uas.xml" -i 127.0.0.1 -p "$PSTN_PORT" \
	-mp $((BASE + 8)) -nostdin -timeout 3600s >"$T/pstn.out" 2>&1) &
PIDS="$PIDS $!"
sleep 0.3

hz=$(getconf CLK_TCK)
best_in=0
best_out=0
# run NAME RATE SIPP-ARGS...: one direction at one rate; prints its line
run() {
	local name=$1 r=$2 n c0 c1 t0 t1 ok fail cpu achieved rtt
	shift 2
	n=$((r * secs))
	rm -f "$T"/*_rtt.csv "$T/stat.csv"
	c0=$(cpu_ticks $HL_PID)
	t0=$(date +%s.%N)
	(cd "$T" && sipp "$@" -i 127.0.0.1 -r "$r" -m "$n" -l $((r * 4)) -nostdin \
		-timeout $((secs + 60))s -trace_stat -stf "$T/stat.csv" -trace_rtt -rtt_freq 1 \
		>"$T/$name-$r.out" 2>&1)
	t1=$(date +%s.%N)
	c1=$(cpu_ticks $HL_PID)
	ok=$(awk -F';' 'NR > 1 { v = $16 } END { print v + 0 }' "$T/stat.csv")
	fail=$(awk -F';' 'NR > 1 { v = $18 } END { print v + 0 }' "$T/stat.csv")
	cpu=$(awk -v a="$c0" -v b="$c1" -v t0="$t0" -v t1="$t1" -v hz="$hz" \
		'BEGIN { printf "%.1f", 100 * (b - a) / hz / (t1 - t0) }')
	achieved=$(awk -v n="$ok" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.0f", n / (t1 - t0 - 1) }')
	rtt=$(cat "$T"/*_rtt.csv 2>/dev/null | awk -F';' '$2 ~ /^[0-9.]+$/ { print $2 }' | sort -n |
		awk '{ v[NR] = $1 } END { if (!NR) { print "none"; exit }
			i = int(NR * 0.95) + 1; if (i > NR) i = NR
			printf "p50 %d ms, p95 %d ms, max %d ms", v[int(NR / 2) + 1], v[i], v[NR] }')
	echo "$name $r/s: $ok ok, $fail failed, achieved ~$achieved/s, INVITE->200 $rtt, hotline cpu $cpu % of one core"
	[ "$fail" = 0 ] && [ "$ok" -gt 0 ] && [ "$achieved" -ge $((r * 90 / 100)) ]
}
for r in $rates; do
	run in "$r" "127.0.0.1:$KAM_PORT" -sf "$ROOT/bench/sipp/ivr_call.xml" -s 2025550123 \
		-p "$CALLER_PORT" -mp $((BASE + 12)) && best_in=$r
	sleep 2 # the last calls end
	run out "$r" "127.0.0.1:$SIP_PORT" -sf "$ROOT/bench/sipp/trunk_out.xml" -s 2025550100 \
		-inf "$T/agents.csv" ${SIPP_TRACE:+-trace_msg} -p "$AGENT_PORT" -mp $((BASE + 16)) &&
		best_out=$r
	sleep 2
done
stored=$(sqlite3 "$T/data/hotline.db" "select direction || ' ' || outcome || ' ' || count(*) from calls group by direction, outcome" | tr '\n' ',')
echo "stored by hotline: ${stored%,}"
echo "hotline warnings/errors: $(grep -c ' warn \| error ' "$T/hotline.log")"
echo "highest rate with 0 failed: in $best_in calls/s, out $best_out calls/s"
# hotline first, while the carrier is there for its un-REGISTER
kill "$HL_PID"
wait "$HL_PID" 2>/dev/null
HL_PID=""
