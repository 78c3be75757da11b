#!/usr/bin/env bash
# The WebSocket protocol of our server (src/api/ws.c, RFC 6455) on the
# event stream: the accept key, a bad handshake refused; pings answered,
# a fragmented text (a character cut between fragments, a ping between
# them) taken, the close handshake answered with the peer's code and TCP
# ended; an unmasked frame, a reserved bit or a continuation of nothing
# closed 1002; a text that is not UTF-8 1007; a message or frame over the
# limit 1009.
source "$(dirname "$0")/lib.sh"
start_hotline
P="$E2E_DIR/ws_probe.py"
probe() { python3 "$P" "$HTTP_PORT" test-token "$1" >"$T/$1.out" 2>"$T/$1.err"; cat "$T/$1.out" "$T/$1.err" >&2; }
has() { grep -q -- "$2" "$T/$1.out"; }

probe handshake
check "101 with the right Sec-WebSocket-Accept" has handshake 'status=HTTP/1.1 101 .* accept=True'
probe version8
check "another version: 400" has version8 'status=HTTP/1.1 400'
probe shortkey
check "a key that is not 16 bytes: 400" has shortkey 'status=HTTP/1.1 400'
probe ping_close
check "pings answered with their payload, a fragmented text taken" has ping_close 'pongs=hi,mid '
check "the close answered with the peer's code, then TCP ends" has ping_close 'close=1000 end=closed'
probe eager
check "frames sent with the handshake: the ping answered, the close too" \
	has eager 'pongs=early close=1000 end=closed'
for c in unmasked orphan_cont rsv; do
	probe $c
	check "$c: closed 1002" has $c 'close=1002 end=closed'
done
for c in bad_utf8 bad_utf8_fragments; do
	probe $c
	check "$c: closed 1007" has $c 'close=1007 end=closed'
done
for c in too_big too_big_frame; do
	probe $c
	check "$c: closed 1009" has $c 'close=1009 end=closed'
done
check "the server still answers" \
	test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/health")" = 200
finish
