#!/usr/bin/env python3
"""Floods hotline with agent state changes over one keep-alive HTTP
connection while a WebSocket client that never reads is connected, and a
second one reads everything. Prints: changes made, frames the reader got,
whether the server still answers. Usage: ws_flood.py PORT TOKEN N"""
import base64, http.client, json, os, socket, sys, time

port, token, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])

def ws_connect():
    s = socket.create_connection(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET /api/v1/events?types=agent.&access_token={token} HTTP/1.1\r\n"
               f"Host: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += s.recv(4096)
    assert b" 101 " in buf.split(b"\r\n")[0], buf[:80]
    return s, buf.split(b"\r\n\r\n", 1)[1]

slow, _ = ws_connect()
slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # and never read
fast, pending = ws_connect()
fast.setblocking(False)
frames, buf = 0, pending

def drain():
    global buf, frames
    try:
        while True:
            chunk = fast.recv(65536)
            if not chunk:
                return
            buf += chunk
    except BlockingIOError:
        pass
    while len(buf) >= 2:
        ln, off = buf[1] & 0x7F, 2
        if ln == 126:
            if len(buf) < 4: break
            ln, off = int.from_bytes(buf[2:4], "big"), 4
        elif ln == 127:
            if len(buf) < 10: break
            ln, off = int.from_bytes(buf[2:10], "big"), 10
        if len(buf) < off + ln:
            break
        if buf[0] & 0x0F == 1:
            frames += 1
        buf = buf[off + ln:]

h = http.client.HTTPConnection("127.0.0.1", port)
states = [{"state": "paused", "reason": "break"}, {"state": "available"}]
for i in range(n):
    body = json.dumps(states[i % 2])
    h.request("POST", "/api/v1/agents/1001/state", body,
              {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    r = h.getresponse(); r.read()
    if i % 50 == 0:
        drain()
end = time.time() + 3
while time.time() < end and frames < n:
    drain(); time.sleep(0.05)
h.request("GET", "/health"); r = h.getresponse(); r.read()
print(n, frames, r.status)
