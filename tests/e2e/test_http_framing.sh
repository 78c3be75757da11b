#!/usr/bin/env bash
# HTTP framing (issue 12, security 5): a request whose length is in
# doubt (Transfer-Encoding with a Content-Length or other than chunked,
# two different Content-Lengths, a malformed one) gets 400 and its
# connection is closed, so a request smuggled
# behind it is never answered; one Content-Length given twice alike is
# fine; a body over the limit gets 413 with the JSON error, not a reset.
source "$(dirname "$0")/lib.sh"
start_hotline
RAW="$E2E_DIR/http_raw.py"
SMUGGLED='GET /api/v1/queues HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer test-token\r\n\r\n'

# raw NAME BYTES: sends BYTES (printf escapes) on one connection
raw() { printf "$2" | python3 "$RAW" "$HTTP_PORT" 2 >"$T/$1.out" 2>&1; }
statuses() { grep -c '^STATUS ' "$T/$1.out"; }
refused() { # NAME: one 400 bad_framing, Connection: close, closed
	test "$(statuses "$1")" = 1 &&
		grep -q '^STATUS HTTP/1.1 400' "$T/$1.out" &&
		grep -qi '^HEADER Connection: close' "$T/$1.out" &&
		grep -q '^BODY {"error":{"code":"bad_framing"' "$T/$1.out" &&
		grep -q '^CLOSED' "$T/$1.out"
}

raw te "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n$SMUGGLED"
check "Transfer-Encoding with Content-Length: 400, closed" refused te
check "the request behind it is never answered" bash -c "! grep -q queues '$T/te.out'"

raw te_gzip "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n0\r\n\r\n$SMUGGLED"
check "Transfer-Encoding gzip: 400, closed" refused te_gzip
raw te_list "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n$SMUGGLED"
check "Transfer-Encoding gzip, chunked: 400, closed" refused te_list
raw te_two "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n$SMUGGLED"
check "Transfer-Encoding given twice: 400, closed" refused te_two
raw te_badchunk "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n$SMUGGLED"
check "a chunk size that is no number: 400, closed" refused te_badchunk
# RFC 9112 §7.1: chunked alone is read (its end is certain): what follows
# the last chunk is the next request
raw te_only "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n$SMUGGLED"
check "Transfer-Encoding: chunked alone is read, the request behind it answered" \
	bash -c "test \$(grep -c '^STATUS ' '$T/te_only.out') = 2 && grep -q '^STATUS HTTP/1.1 200' '$T/te_only.out'"

raw cl2 "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: 70\r\nContent-Length: 0\r\n\r\n$SMUGGLED"
check "two different Content-Lengths: 400, closed" refused cl2
check "the request behind them is never answered" bash -c "! grep -q queues '$T/cl2.out'"

raw clbad "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: 7x\r\n\r\n$SMUGGLED"
check "a malformed Content-Length: 400, closed" refused clbad
raw clbig "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: 4294967298\r\n\r\n$SMUGGLED"
check "a Content-Length past 32 bits: 400, closed" refused clbig
raw cllist "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: 0, 70\r\n\r\n$SMUGGLED"
check "a Content-Length list: 400, closed" refused cllist

raw clsame "GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n"
check "one Content-Length given twice alike is taken (200)" \
	bash -c "grep -q '^STATUS HTTP/1.1 200' '$T/clsame.out' && grep -q '^OPEN' '$T/clsame.out'"
raw pipelined "GET /health HTTP/1.1\r\nHost: x\r\n\r\n$SMUGGLED"
check "two honest requests on one connection are both answered" \
	bash -c "test \$(grep -c '^STATUS HTTP/1.1 200' '$T/pipelined.out') = 2"

# a body over the limit (256 KiB): 413 in JSON, the connection not reset
python3 - "$HTTP_PORT" >"$T/big.out" 2>&1 <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
body = b"x" * (300 * 1024)
s.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          b"Content-Length: %d\r\n\r\n" % len(body) + body)
buf = b""
while b"\r\n\r\n" not in buf or not buf.endswith(b"\n"):
    c = s.recv(65536)
    if not c:
        break
    buf += c
print(buf.decode(errors="replace"))
PY
check "a body over the limit: 413" grep -q '^HTTP/1.1 413' "$T/big.out"
check "the 413 has the JSON error" grep -q '{"error":{"code":"too_large"' "$T/big.out"
check "the server still answers" test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/health")" = 200
finish
