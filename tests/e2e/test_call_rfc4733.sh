#!/usr/bin/env bash
# An IVR call that presses 1 by RFC 4733 reaches a SIPp agent of the sales
# queue; caller and agent talk through hotline; the caller hangs up. The
# stored interaction and its stereo recording are checked, also via the API.
source "$(dirname "$0")/lib.sh"
start_hotline

make_agent agent.xml answer
agent_up 1001 alice-1001 "$AGENT_PORT1" "$MEDIA_PORT0" agent.xml || finish
make_ivr_caller caller.xml rfc4733 1 5000
sipp_run caller caller.xml "$CALLER_PORT" -s 5000 -key caller 0301234567 \
	-mp "$MEDIA_PORT2"
check "caller's call through IVR and queue completes" test $? -eq 0

row=$(wait_for "select outcome,queue,agent,digits,ivr_path,hangup_side,hangup_reason,caller,called from calls where ended > 0" 5)
echo "# row: $row" >&2
IFS='|' read -r outcome queue agent digits path side reason caller called <<<"$row"
check "outcome answered" test "$outcome" = answered
check "queue sales" test "$queue" = sales
check "answered by agent 1001" test "$agent" = 1001
check "digits 1" test "$digits" = 1
check "IVR path" test "$path" = "check-hours>welcome>menu>sales"
check "caller hung up" test "$side" = caller
check "caller and called numbers" test "$caller|$called" = "0301234567|5000"

read -r id rec answered ended <<<"$(db "select id, recording, answered, ended from calls" | tr '|' ' ')"
want=$(awk -v a="$answered" -v e="$ended" 'BEGIN { printf "%.2f", (e - a) / 1000 }')
check "recording: stereo, bridged length, sound on both sides" \
	check_recording "$T/data/$rec" "$want"

json=$(api "/api/v1/calls/$id")
check "API returns the call with its events" \
	bash -c "grep -q '\"outcome\":\"answered\"' <<<'$json' && grep -q 'call.answered' <<<'$json'"
api "/api/v1/calls/$id/recording" > "$T/api.wav"
check "API serves the recording" cmp -s "$T/api.wav" "$T/data/$rec"
check "API refuses without a token" \
	test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/api/v1/calls")" = 401
u="http://127.0.0.1:$HTTP_PORT/api/v1/calls"
auth="Authorization: Bearer test-token"
c=$(curl -s -o "$T/b1.json" -w '%{http_code}' -H "$auth" "$u?limit=0")
check "API: a bad filter is 400 naming it" \
	bash -c "[ '$c' = 400 ] && grep -q '\"limit: ' '$T/b1.json'"
c=$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$u/nosuchcall")
check "API: an unknown call is 404" test "$c" = 404
c=$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" -X DELETE "$u/$id")
check "API: a wrong method is 405" test "$c" = 405
c=$(curl -s -o "$T/b2.json" -w '%{http_code}' -H "$auth" "$u?queue=sales&agent=1001")
check "API: filters by queue and agent" bash -c "[ '$c' = 200 ] && grep -q '$id' '$T/b2.json'"
finish
