#!/usr/bin/env bash
# Our HTTP/1.1 server (src/api/httpd.c, issue 12): a body over the limit
# (256 KiB) gets 413 with the JSON error as soon as its length shows, by
# Content-Length or chunk sizes, and the connection ends after the answer
# is read, never reset under it; a chunked body within the limit is read;
# pipelined requests are answered in order, a committed write among them;
# a head over 16 KiB gets 431; HTTP/1.0 and Connection: close end the
# connection; another HTTP version gets 505; Expect: 100-continue; a head
# sent a byte at a time is cut off (slowloris); past http.max_connections
# (2000 here) a new one is closed at once.
source "$(dirname "$0")/lib.sh"
write_config
printf '  max_connections: 2000\n' >>"$T/hotline.yaml"
start_hotline
P="$E2E_DIR/http_server.py"
probe() { python3 "$P" "$HTTP_PORT" test-token "$1" >"$T/$1.out" 2>"$T/$1.err"; cat "$T/$1.out" >&2; }
has() { grep -q -- "$2" "$T/$1.out"; }

python3 "$P" "$HTTP_PORT" test-token slowloris >"$T/slowloris.out" 2>&1 &
SLOW=$!

for c in body600k body5m; do
	probe $c
	check "$c with Content-Length: 413" has $c 'statuses=413 '
	check "$c: the JSON error" has $c 'body={"error":{"code":"too_large"'
	check "$c: closed after the answer, not reset" has $c 'end=closed connection=close '
	check "$c: no reset while sending" bash -c "! grep -q send- '$T/$c.out'"
done
probe chunked_big
check "a chunked body over the limit: 413 in JSON, closed" \
	has chunked_big 'statuses=413 end=closed connection=close body={"error":{"code":"too_large"'
probe chunked_ext
check "one-byte chunks with long extensions: 413 once the framing passes 8 times the limit" \
	has chunked_ext 'statuses=413 end=closed connection=close body={"error":{"code":"too_large"'
probe slow_body
check "a body a byte at a time: answered when whole, then the next request" \
	has slow_body 'statuses=401 200 end=closed'
probe unread
check "pipelined answers never read: the connection ends when its queue is full" \
	bash -c "grep -Eq 'end=(closed|reset)' '$T/unread.out'"
probe chunked_ok
check "a chunked body (5-byte chunks, an extension, a trailer) is read: 201" \
	has chunked_ok 'statuses=201 '
check "its UTF-8 survives" has chunked_ok '张伟 chunked'
probe pipelined
check "pipelined: three answers in order, the committed write second" \
	has pipelined 'statuses=200 201 200 end=closed listed=True'
probe head_big
check "a head over 16 KiB: 431 in JSON, closed" \
	has head_big 'statuses=431 end=closed connection=close body={"error":{"code":"header_too_large"'
probe http10
check "HTTP/1.0: answered, then closed" has http10 'statuses=200 end=closed'
probe http10_keep
check "HTTP/1.0 with keep-alive: answered (Connection: keep-alive), left open" \
	has http10_keep 'statuses=200 end=open connection=keep-alive'
probe close
check "Connection: close: one answer, closed" has close 'statuses=200 end=closed connection=close'
probe version
check "HTTP/3.0: 505, closed" has version 'statuses=505 end=closed'
probe expect
check "Expect: 100-continue: 100, then the answer, then the next request" \
	has expect 'first=100 then=100 401 200 end=closed'
probe expect_big
check "Expect: 100-continue over the limit: 413 at once" has expect_big 'statuses=413 end=closed'

wait $SLOW
cat "$T/slowloris.out" >&2
check "a head a byte a second is cut off in about 10 s (slowloris)" \
	bash -c "grep -Eq 'end=closed after=(9|10|11|12)$' '$T/slowloris.out'"
probe maxconns
check "past http.max_connections (2000) new ones are closed at once, those open answered" \
	has maxconns "refused=[0-9]* held_answer='HTTP/1.1 200 OK'"
check "... at least 19 of 20 extra ones refused" \
	bash -c "grep -Eq 'refused=(19|20) ' '$T/maxconns.out'"
n=$(grep -c 'http connections at the limit (2000)' "$T/hotline.log")
check "the limit is logged, at most a line a second ($n)" test "$n" -ge 1 -a "$n" -le 3
check "the server still answers" \
	test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/health")" = 200
finish
