#!/usr/bin/env bash
# A burst of phones connecting over TCP at once (200 in the same
# instant, as after a restart or a network coming back): every connection
# is accepted at once (libre's listen backlog of 5 is raised) and a
# REGISTER over each is answered.
source "$(dirname "$0")/lib.sh"
start_hotline

out=$(python3 "$E2E_DIR/tcp_burst.py" "$SIP_PORT" 200)
echo "# $out" >&2
check "200 TCP connects in a burst all accepted within 1 s" grep -q "connected=200 " <<<"$out"
check "a REGISTER over each answered" grep -q "answered=200 " <<<"$out"
check "no backlog warning at start" test -z "$(grep "keeps libre's backlog" "$T/hotline.log")"
check "hotline still running" kill -0 "$HL_PID"
finish
