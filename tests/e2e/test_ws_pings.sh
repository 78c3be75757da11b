#!/usr/bin/env bash
# WebSocket pings from one timer (src/api/ws.c): with http.ws_ping at 1 s,
# idle event-stream sockets that answer are pinged every interval and stay
# open, however many there are; one that never answers is closed 1001
# after three pings, and the others carry on.
source "$(dirname "$0")/lib.sh"
write_config
echo "  ws_ping: 1s" >>"$T/hotline.yaml"
start_hotline

python3 - "$HTTP_PORT" >"$T/pings.out" 2>&1 <<'PY'
import base64, os, select, socket, struct, sys, time
P = int(sys.argv[1])

class Sock:
    def __init__(self, answers):
        self.s = socket.create_connection(("127.0.0.1", P), timeout=5)
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall((f"GET /api/v1/events?types=none. HTTP/1.1\r\nHost: x\r\n"
                        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                        "Authorization: Bearer test-token\r\n\r\n").encode())
        buf = b""
        while b"\r\n\r\n" not in buf:
            buf += self.s.recv(4096)
        head, self.buf = buf.split(b"\r\n\r\n", 1)
        self.ok = b" 101 " in head.split(b"\r\n")[0]
        self.answers, self.pings, self.close, self.ended = answers, 0, None, False

    def read(self):
        c = self.s.recv(65536)
        if not c:
            self.ended = True
            return
        self.buf += c
        while len(self.buf) >= 2:
            n, off = self.buf[1] & 0x7F, 2
            if n == 126:
                n, off = struct.unpack(">H", self.buf[2:4])[0], 4
            if len(self.buf) < off + n:
                break
            op, pay, self.buf = self.buf[0] & 0x0F, self.buf[off:off + n], self.buf[off + n:]
            if op == 9:
                self.pings += 1
                if self.answers:  # a pong, masked as a client's frames are
                    m = os.urandom(4)
                    self.s.sendall(bytes([0x8A, 0x80 | len(pay)]) + m +
                                   bytes(b ^ m[i % 4] for i, b in enumerate(pay)))
            elif op == 8:
                self.close = struct.unpack(">H", pay[:2])[0] if len(pay) >= 2 else 0

live = [Sock(True) for _ in range(6)]
dead = Sock(False)
print("handshakes", all(x.ok for x in live + [dead]))
t0, closed_at = time.time(), None
while time.time() - t0 < 8:
    socks = [x for x in live + [dead] if not x.ended]
    r, _, _ = select.select([x.s for x in socks], [], [], 0.2)
    for x in socks:
        if x.s in r:
            x.read()
    if dead.ended and closed_at is None:
        closed_at = time.time() - t0
print("live_pings", min(x.pings for x in live), "live_open", not any(x.ended or x.close for x in live))
print("dead_pings", dead.pings, "dead_close", dead.close, "dead_ended", dead.ended,
      "closed_after", round(closed_at or -1, 1))
PY
sed "s/^/# /" "$T/pings.out"
check "the sockets open (101)" grep -q 'handshakes True' "$T/pings.out"
check "idle sockets that answer are pinged every second and stay open" \
	bash -c "awk '/live_pings/ { exit !(\$2 >= 5 && \$4 == \"True\") }' '$T/pings.out'"
check "a socket that never answers got pings, then was closed 1001 once silent for three intervals" \
	bash -c "awk '/dead_pings/ { exit !(\$2 >= 2 && \$4 == 1001 && \$6 == \"True\" && \$8 >= 3 && \$8 <= 7) }' '$T/pings.out'"
check "the close is logged with its reason" grep -q 'reason=no answer to pings' "$T/hotline.log"
check "hotline is still up" curl -sf "http://127.0.0.1:$HTTP_PORT/health" -o /dev/null
finish
