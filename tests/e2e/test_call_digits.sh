#!/usr/bin/env bash
# The same IVR choice made by SIP INFO (press 2: support) and by in-band
# tones in the audio (press 1: sales); each reaches a SIPp agent of the
# right queue and is recorded with sound on both sides.
source "$(dirname "$0")/lib.sh"
start_hotline

run_case() { # METHOD DIGIT EXT PASSWORD QUEUE
	local method=$1 digit=$2 ext=$3 pw=$4 queue=$5 row id rec answered ended
	make_agent "agent-$method.xml" answer
	agent_up "$ext" "$pw" "$AGENT_PORT1" "$MEDIA_PORT0" "agent-$method.xml" || return
	make_ivr_caller "caller-$method.xml" "$method" "$digit" 4000
	sipp_run "caller-$method" "caller-$method.xml" "$CALLER_PORT" -s 5000 \
		-key caller 0301112222 -mp "$MEDIA_PORT2"
	check "$method: call completes" test $? -eq 0
	row=$(wait_for "select outcome, queue, agent, digits, id, recording, answered, ended from calls where ended > 0 and digits = '$digit'" 5)
	IFS='|' read -r outcome q agent digits id rec answered ended <<<"$row"
	check "$method: answered in $queue by $ext after digit $digit" \
		test "$outcome|$q|$agent|$digits" = "answered|$queue|$ext|$digit"
	check "$method: recording" check_recording "$T/data/$rec" \
		"$(awk -v a="$answered" -v e="$ended" 'BEGIN { printf "%.2f", (e - a) / 1000 }')"
	wait_peers
}

run_case info 2 1003 carol-1003 support
run_case inband 1 1002 bob-1002 sales
finish
