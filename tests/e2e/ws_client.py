#!/usr/bin/env python3
"""A minimal WebSocket client (RFC 6455) for the tests: connects to
hotline's event stream and prints every text frame on a line of its own
until SECONDS pass, then "CLOSED CODE REASON" if the server closed it.
Usage: ws_client.py URL SECONDS [HEADER...]
URL is ws://host:port/path?query, or wss:// (TLS, the server's certificate
checked against the CA file in $WS_CAFILE). Answers pings; sends nothing
else."""
import base64, os, socket, ssl, struct, sys, time, urllib.parse

def main():
    url = urllib.parse.urlsplit(sys.argv[1])
    secs = float(sys.argv[2])
    extra = sys.argv[3:]
    path = url.path + ("?" + url.query if url.query else "")
    s = socket.create_connection((url.hostname, url.port), timeout=5)
    if url.scheme == "wss":
        s = ssl.create_default_context(cafile=os.environ.get("WS_CAFILE")).wrap_socket(
            s, server_hostname=url.hostname)
    key = base64.b64encode(os.urandom(16)).decode()
    req = (f"GET {path} HTTP/1.1\r\nHost: {url.hostname}:{url.port}\r\n"
           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n")
    for h in extra:
        req += h + "\r\n"
    s.sendall((req + "\r\n").encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(4096)
        if not chunk:
            print("HANDSHAKE closed", flush=True)
            return 1
        buf += chunk
    head, buf = buf.split(b"\r\n\r\n", 1)
    status = head.split(b"\r\n")[0].decode()
    print("HANDSHAKE " + status, flush=True)
    if " 101 " not in status:
        print("BODY " + buf.decode(errors="replace").strip(), flush=True)
        return 1
    end = time.time() + secs
    s.settimeout(0.2)
    while time.time() < end:
        try:
            chunk = s.recv(65536)
            if not chunk:
                print("CLOSED", flush=True)
                return 0
            buf += chunk
        except socket.timeout:
            pass
        while len(buf) >= 2:
            b1, b2 = buf[0], buf[1]
            n, off = b2 & 0x7F, 2
            if n == 126:
                if len(buf) < 4: break
                n, off = struct.unpack(">H", buf[2:4])[0], 4
            elif n == 127:
                if len(buf) < 10: break
                n, off = struct.unpack(">Q", buf[2:10])[0], 10
            if len(buf) < off + n:
                break
            payload, buf = buf[off:off + n], buf[off + n:]
            op = b1 & 0x0F
            if op == 1:
                print(payload.decode(), flush=True)
            elif op == 9:  # ping: answer with a masked pong
                mask = os.urandom(4)
                data = bytes(p ^ mask[i % 4] for i, p in enumerate(payload))
                s.sendall(bytes([0x8A, 0x80 | len(payload)]) + mask + data)
            elif op == 8:  # close: its code and reason, when given
                code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else 0
                print(f"CLOSED {code} {payload[2:].decode(errors='replace')}".rstrip(),
                      flush=True)
                return 0
    return 0

if __name__ == "__main__":
    sys.exit(main())
