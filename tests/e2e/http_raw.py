#!/usr/bin/env python3
"""Sends raw bytes to an HTTP server and prints what came back: one line
"STATUS <status line>" per response read (a body is skipped by its
Content-Length), "HEADER <line>" for each header, "BODY <text>" for each
body, then "CLOSED" if the server closed the connection or "OPEN" if it
was still open after SECONDS. Usage: http_raw.py PORT SECONDS < bytes
(the request is read from stdin as is, \\r\\n included)."""
import socket, sys, time

def main():
    port, secs = int(sys.argv[1]), float(sys.argv[2])
    data = sys.stdin.buffer.read()
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        print("RESET-ON-SEND", flush=True)
    buf, closed = b"", False
    end = time.time() + secs
    s.settimeout(0.2)
    while time.time() < end:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            print("RESET", flush=True)
            closed = True
            break
        if not chunk:
            closed = True
            break
        buf += chunk
    while b"\r\n\r\n" in buf:
        head, rest = buf.split(b"\r\n\r\n", 1)
        lines = head.decode(errors="replace").split("\r\n")
        print("STATUS " + lines[0])
        n = 0
        for h in lines[1:]:
            print("HEADER " + h)
            if h.lower().startswith("content-length:"):
                n = int(h.split(":", 1)[1])
        print("BODY " + rest[:n].decode(errors="replace").strip())
        buf = rest[n:]
    print("CLOSED" if closed else "OPEN", flush=True)
    return 0

sys.exit(main())
