#!/usr/bin/env python3
"""A scripted web chat visitor and agent for the tests (stdlib only):
the visitor's HTTP routes and WebSocket (RFC 6455, masked client frames)
as docs/CHAT.md gives them, an agent's API calls with its token, and the
agent's event stream. Imported by tests/e2e/test_chat*.sh."""
import base64, json, os, socket, struct, time, urllib.error, urllib.request

HOST = "127.0.0.1"


def http(port, method, path, body=None, headers=None, raw=None):
    """(status, headers, body bytes) of one request."""
    h = dict(headers or {})
    data = raw
    if body is not None:
        data = json.dumps(body).encode()
        h.setdefault("Content-Type", "application/json")
    rq = urllib.request.Request(f"http://{HOST}:{port}{path}", data=data, method=method,
                                headers=h)
    try:
        with urllib.request.urlopen(rq, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def jbody(b):
    try:
        return json.loads(b)
    except ValueError:
        return None


class WS:
    """One WebSocket: frames(), send(obj), close state."""

    def __init__(self, port, path, headers=(), early=b""):
        """early: bytes sent in the same write as the upgrade request."""
        self.s = socket.create_connection((HOST, port), timeout=5)
        key = base64.b64encode(os.urandom(16)).decode()
        req = (f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
               "Sec-WebSocket-Version: 13\r\n")
        for h in headers:
            req += h + "\r\n"
        self.s.sendall((req + "\r\n").encode() + early)
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = self.s.recv(4096)
            if not chunk:
                break
            buf += chunk
        head, _, self.buf = buf.partition(b"\r\n\r\n")
        self.head = head.decode(errors="replace")
        self.status = int(head.split(b" ")[1]) if head else 0
        self.closed = None  # (code, reason) once the server closed
        self.got = []       # every JSON frame received, in order

    def send_raw(self, payload, op=1, fin=True):
        mask = os.urandom(4)
        n = len(payload)
        hdr = bytes([(0x80 if fin else 0) | op])
        if n < 126:
            hdr += bytes([0x80 | n])
        elif n < 65536:
            hdr += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            hdr += bytes([0x80 | 127]) + struct.pack(">Q", n)
        data = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        try:
            self.s.sendall(hdr + mask + data)
        except OSError:
            pass

    def send(self, obj):
        self.send_raw(json.dumps(obj, ensure_ascii=False).encode())

    def _frames(self, secs):
        end = time.time() + secs
        self.s.settimeout(0.05)
        while time.time() < end and not self.closed:
            while len(self.buf) >= 2:
                b1, b2 = self.buf[0], self.buf[1]
                n, off = b2 & 0x7F, 2
                if n == 126:
                    if len(self.buf) < 4:
                        break
                    n, off = struct.unpack(">H", self.buf[2:4])[0], 4
                elif n == 127:
                    if len(self.buf) < 10:
                        break
                    n, off = struct.unpack(">Q", self.buf[2:10])[0], 10
                if len(self.buf) < off + n:
                    break
                payload, self.buf = self.buf[off:off + n], self.buf[off + n:]
                op = b1 & 0x0F
                if op == 1:
                    m = json.loads(payload)
                    self.got.append(m)
                    yield m
                elif op == 9:
                    self.send_raw(payload, op=10)
                elif op == 8:
                    code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else 0
                    self.closed = (code, payload[2:].decode(errors="replace"))
                    return
            try:
                chunk = self.s.recv(65536)
                if not chunk:
                    self.closed = self.closed or (0, "")
                    return
                self.buf += chunk
            except socket.timeout:
                pass
            except OSError:
                self.closed = self.closed or (0, "")
                return

    def wait(self, pred, secs=5):
        """The first frame (new) for which pred holds, or None."""
        for m in self._frames(secs):
            if pred(m):
                return m
        return None

    def drain(self, secs=0.3):
        return list(self._frames(secs))

    def wait_closed(self, secs=5):
        for _ in self._frames(secs):
            pass
        return self.closed

    def close(self):
        try:
            self.send_raw(struct.pack(">H", 1000), op=8)
            self.s.close()
        except OSError:
            pass


class Checks:
    def __init__(self):
        self.fails = 0

    def check(self, name, cond, detail=""):
        if cond:
            print(f"ok - {name}", flush=True)
        else:
            self.fails += 1
            print(f"not ok - {name}: {detail}", flush=True)
        return cond
