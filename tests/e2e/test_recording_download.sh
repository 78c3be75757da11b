#!/usr/bin/env bash
# A recording download is streamed (issue 12, also 3): a 20 MB recording
# downloads intact to a slow client while the API answers other requests
# at once; Range gives a part (206 with Content-Range), a range outside
# the file gets 416; a client that goes away mid-download leaves the
# server well. (Before, the file was read whole on the main loop and
# passed libre's 512 KiB send queue: the body was cut short.)
source "$(dirname "$0")/lib.sh"
start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
AUTH="Authorization: Bearer test-token"

mkdir -p "$T/data/recordings"
head -c $((20 * 1024 * 1024)) /dev/urandom >"$T/data/recordings/big.wav"
db "INSERT INTO calls (id, caller, called, queue, agent, created, answered, ended, outcome, recording)
    VALUES ('c-big', '0301', '100', 'sales', '1001', $(date +%s)000, $(date +%s)000, $(date +%s)000, 'answered', 'recordings/big.wav')"

# a slow client (4 MB/s: about 5 s), /health asked meanwhile
curl -s --limit-rate 4M -H "$AUTH" -D "$T/big.h" -o "$T/big.out" "$URL/api/v1/calls/c-big/recording" &
DL=$!
sleep 0.5
slow=0
for _ in $(seq 1 10); do
	t=$(curl -s -o /dev/null -w '%{time_total}' "$URL/health")
	awk -v t="$t" 'BEGIN { exit !(t > 0.5) }' && slow=$((slow + 1))
	sleep 0.2
done
check "the download is still under way while /health is asked" kill -0 $DL
check "/health is answered at once during the download (10 of 10 in 0.5 s)" test $slow = 0
wait $DL
check "the 20 MB recording downloads intact" cmp -s "$T/big.out" "$T/data/recordings/big.wav"
check "200 with its Content-Length" \
	bash -c "grep -q '^HTTP/1.1 200' '$T/big.h' && grep -qi '^Content-Length: 20971520' '$T/big.h'"
check "it says ranges are taken" grep -qi '^Accept-Ranges: bytes' "$T/big.h"

c=$(curl -s -H "$AUTH" -H 'Range: bytes=1000-1999' -D "$T/r.h" -o "$T/r.out" -w '%{http_code}' "$URL/api/v1/calls/c-big/recording")
check "a range: 206" test "$c" = 206
check "with Content-Range" grep -qi '^Content-Range: bytes 1000-1999/20971520' "$T/r.h"
check "and those bytes" cmp -s "$T/r.out" <(tail -c +1001 "$T/data/recordings/big.wav" | head -c 1000)
curl -s -H "$AUTH" -H 'Range: bytes=-500' -o "$T/s.out" "$URL/api/v1/calls/c-big/recording"
check "a suffix range: the last 500 bytes" cmp -s "$T/s.out" <(tail -c 500 "$T/data/recordings/big.wav")
c=$(curl -s -H "$AUTH" -H 'Range: bytes=30000000-' -D "$T/u.h" -o /dev/null -w '%{http_code}' "$URL/api/v1/calls/c-big/recording")
check "a range past the end: 416 with the size" \
	bash -c "test '$c' = 416 && grep -qi '^Content-Range: bytes \*/20971520' '$T/u.h'"

# clients that leave mid-download
for _ in 1 2 3; do
	timeout 0.5 curl -s --limit-rate 1M -H "$AUTH" -o /dev/null "$URL/api/v1/calls/c-big/recording"
done
sleep 1.5
check "clients that left mid-download leave the server well" \
	test "$(curl -s -o /dev/null -w '%{http_code}' "$URL/health")" = 200
curl -s -H "$AUTH" -o "$T/again.out" "$URL/api/v1/calls/c-big/recording"
check "and the next download is intact" cmp -s "$T/again.out" "$T/data/recordings/big.wav"
check "every download is audited" \
	test "$(db "SELECT count(*) FROM audit WHERE action='recording.download' AND target='c-big'")" -ge 6
finish
