#!/usr/bin/env bash
# Crash safety under mixed load (issue 12): calls answered by a SIPp agent
# and recorded, and API writes (tokens issued and revoked, users, tickets,
# wrap-ups; crash_load.py) while hotline is killed with -9 three times,
# each time during an answered call. After each restart everything the
# client was acknowledged (every 2xx) is there, revoked tokens stay
# revoked, nothing half-written is visible, no interaction stays live and
# every recording opens (crash_check.py and the checks here).
source "$(dirname "$0")/lib.sh"
URL=http://127.0.0.1:$HTTP_PORT
: >"$T/acks"

for round in 1 2 3; do
	start_hotline
	if [ "$round" -gt 1 ]; then
		python3 "$E2E_DIR/crash_check.py" "$T/data/hotline.db" "$URL" "$round" ||
			FAILS=$((FAILS + 1))
	fi
	rm -f "$T/stop"
	# three clients at once keep the store's writer busy
	loads=()
	for k in 1 2 3; do
		python3 "$E2E_DIR/crash_load.py" "$URL" test-token "$round.$k" "$T/acks" "$T/stop" &
		loads+=($!)
	done
	make_agent agent.xml answer
	agent_up 1002 bob-1002 "$AGENT_PORT1" "$MEDIA_PORT0" agent.xml -m 1000 || finish
	make_ivr_caller caller.xml info 1 6000
	sipp_bg caller caller.xml "$CALLER_PORT" -s 5000 -key caller 0301112222 \
		-m 1000 -l 1 -mp "$MEDIA_PORT2" >/dev/null
	check "round $round: a call is being recorded under load" \
		test -n "$(wait_for "SELECT 1 FROM calls WHERE answered > 0 AND ended = 0 AND recording != ''" 30)"
	sleep 1.5
	kill -9 "$HL_PID"
	wait "$HL_PID" 2>/dev/null
	HL_PID=""
	touch "$T/stop"
	wait "${loads[@]}"
	wait_peers 1
	check "round $round: a live call was cut by the crash" \
		test "$(db "SELECT count(*) FROM calls WHERE ended = 0")" -ge 1
done
start_hotline
python3 "$E2E_DIR/crash_check.py" "$T/data/hotline.db" "$URL" 4 || FAILS=$((FAILS + 1))
check "the load was acknowledged tokens, revocations, users, tickets and wrap-ups" \
	test "$(cut -d' ' -f1 "$T/acks" | grep -v ing | sort -u | tr '\n' ,)" = "revoked,ticket,token,user,wrapup,"
bad=""
n=0
while read -r rec; do
	n=$((n + 1))
	soxi -s "$T/data/$rec" >/dev/null 2>&1 && sox "$T/data/$rec" -n stat >/dev/null 2>&1 ||
		bad="$bad $rec"
done < <(db "SELECT recording FROM calls WHERE recording != ''")
check "every recording opens with sox ($n)" test -z "$bad" -a "$n" -ge 3
check "each cut call was closed as interrupted (3)" \
	test "$(db "SELECT count(*) FROM calls WHERE hangup_reason = 'interrupted' AND outcome = 'failed'")" -ge 3
finish
