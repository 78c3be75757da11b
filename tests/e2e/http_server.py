#!/usr/bin/env python3
"""Probes hotline's HTTP/1.1 server (src/api/httpd.c) on one connection
per case and prints one line per case: "CASE name key=value ...".
Usage: http_server.py PORT TOKEN CASE"""
import socket, sys, time

port, token, case = int(sys.argv[1]), sys.argv[2], sys.argv[3]


def conn():
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def read_all(s, secs=10.0):
    """Everything until the server closes (or secs pass): (bytes, how)."""
    buf, end = b"", time.time() + secs
    s.settimeout(0.5)
    while time.time() < end:
        try:
            c = s.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            return buf, "reset"
        if not c:
            return buf, "closed"
        buf += c
    return buf, "open"


def answers(buf):
    """[(status, headers dict, body)] of the answers in buf."""
    out = []
    while b"\r\n\r\n" in buf:
        head, buf = buf.split(b"\r\n\r\n", 1)
        lines = head.decode(errors="replace").split("\r\n")
        hdrs = {}
        for h in lines[1:]:
            k, _, v = h.partition(":")
            hdrs[k.strip().lower()] = v.strip()
        n = int(hdrs.get("content-length", "0"))
        out.append((int(lines[0].split()[1]), hdrs, buf[:n].decode(errors="replace")))
        buf = buf[n:]
    return out


def show(name, buf, how, extra=""):
    a = answers(buf)
    desc = " ".join(f"{st}" for st, _, _ in a)
    body = a[0][2].replace("\n", " ") if a else ""
    conn_hdr = a[-1][1].get("connection", "-") if a else "-"
    print(f"CASE {name} statuses={desc or '-'} end={how} connection={conn_hdr} "
          f"{extra}body={body}", flush=True)


def big_body(n):
    s = conn()
    head = (b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % n)
    how = ""
    try:
        s.sendall(head)
        sent, chunk = 0, b"x" * 65536
        while sent < n:
            sent += s.send(chunk[:min(65536, n - sent)])
    except (BrokenPipeError, ConnectionResetError) as e:
        how = "send-" + type(e).__name__ + " "
    buf, end = read_all(s)
    show(case, buf, end, how)


def chunked(total, path="/api/v1/session", body=None):
    s = conn()
    s.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
              "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".encode())
    try:
        if body is not None:
            for i in range(0, len(body), 5):  # in pieces of 5 bytes
                part = body[i:i + 5]
                s.sendall(b"%x;ext=1\r\n%s\r\n" % (len(part), part))
            s.sendall(b"0\r\nX-Trailer: 1\r\n\r\n")
        else:
            sent = 0
            while sent < total:
                s.sendall(b"10000\r\n" + b"y" * 0x10000 + b"\r\n")
                sent += 0x10000
            s.sendall(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError) as e:
        print("# send:", e, file=sys.stderr)
    buf, end = read_all(s, 5)
    show(case, buf, end)


if case in ("body600k", "body5m"):
    big_body(600 * 1024 if case == "body600k" else 5 * 1024 * 1024)
elif case == "chunked_big":
    chunked(400 * 1024)
elif case == "chunked_ext":
    # one-byte chunks with long extensions: a little data, much framing
    s = conn()
    s.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
    piece = (b"1;" + b"e" * 1000 + b"\r\nx\r\n") * 64
    try:
        for _ in range(200):  # 13 MB of framing for 12,800 bytes of data
            s.sendall(piece)
    except (BrokenPipeError, ConnectionResetError) as e:
        print("# send:", e, file=sys.stderr)
    buf, end = read_all(s, 5)
    show(case, buf, end)
elif case == "slow_body":
    # a body a byte at a time is read when whole
    s = conn()
    body = b'{"user":"nobody","password":"wrong-password"}'
    s.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: %d\r\n\r\n" % len(body))
    for b in body:
        s.sendall(bytes([b]))
        time.sleep(0.01)
    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    buf, end = read_all(s, 5)
    show(case, buf, end)
elif case == "unread":
    # many pipelined requests, their answers never read: once the
    # server's send queue is full the connection ends, never left hanging
    s = conn()
    req = (f"GET /api/v1/queues HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n"
           ).encode()
    sent = 0
    s.settimeout(5)
    try:
        for _ in range(100):
            s.sendall(req * 100)
            sent += 100
    except (socket.timeout, BrokenPipeError, ConnectionResetError):
        pass
    time.sleep(2)
    buf, end = read_all(s, 10)
    print(f"CASE unread sent={sent} answers={len(answers(buf))} end={end}", flush=True)
elif case == "maxconns":
    # past http.max_connections (the test sets 2000) a new one is refused
    # at once (closed), while those open are served
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4000), hard))
    held = [conn() for _ in range(2000 - 1)]  # /health polls hold none
    t0 = time.time()
    extra = [conn() for _ in range(20)]
    refused = 0
    for x in extra:
        x.settimeout(2)
        try:
            if x.recv(10) == b"":
                refused += 1
        except ConnectionResetError:
            refused += 1
        except socket.timeout:
            pass
    held[0].sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    held[0].settimeout(3)
    first = held[0].recv(100).split(b"\r\n")[0].decode(errors="replace")
    for x in held + extra:
        x.close()
    print(f"CASE maxconns refused={refused} held_answer={first!r}", flush=True)
elif case == "chunked_ok":
    chunked(0, "/api/v1/customers", "{\"name\":\"张伟 chunked\"}".encode())
elif case == "pipelined":
    # a committed write between two reads: the answers keep the order
    s = conn()
    body = "{\"name\":\"Pipe Lined\"}".encode()
    auth = f"Authorization: Bearer {token}\r\n"
    s.sendall((f"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
               f"POST /api/v1/customers HTTP/1.1\r\nHost: x\r\n{auth}"
               f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
              + body +
              (f"GET /api/v1/customers?q=Pipe HTTP/1.1\r\nHost: x\r\n{auth}"
               "Connection: close\r\n\r\n").encode())
    buf, end = read_all(s)
    a = answers(buf)
    print(f"CASE pipelined statuses={' '.join(str(x[0]) for x in a)} end={end} "
          f"listed={'Pipe Lined' in (a[2][2] if len(a) > 2 else '')}", flush=True)
elif case == "head_big":
    s = conn()
    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * (20 * 1024) + b"\r\n\r\n")
    buf, end = read_all(s)
    show(case, buf, end)
elif case == "http10":
    s = conn()
    s.sendall(b"GET /health HTTP/1.0\r\n\r\n")
    buf, end = read_all(s, 3)
    show(case, buf, end)
elif case == "http10_keep":
    s = conn()
    s.sendall(b"GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    buf, end = read_all(s, 1)
    show(case, buf, end)
elif case == "close":
    s = conn()
    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
              b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    buf, end = read_all(s, 3)
    show(case, buf, end)
elif case == "version":
    s = conn()
    s.sendall(b"GET /health HTTP/3.0\r\nHost: x\r\n\r\n")
    buf, end = read_all(s, 3)
    show(case, buf, end)
elif case == "expect":
    s = conn()
    body = b'{"user":"nobody","password":"wrong-password"}'
    s.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
              b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body))
    s.settimeout(3)
    first = s.recv(4096)
    s.sendall(body + b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    buf, end = read_all(s)
    print(f"CASE expect first={first.split(b' ')[1].decode() if first else '-'} "
          f"then={' '.join(str(x[0]) for x in answers(first + buf))} end={end}", flush=True)
elif case == "expect_big":
    s = conn()
    s.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
              b"Content-Type: application/json\r\nContent-Length: 9000000\r\n\r\n")
    buf, end = read_all(s, 5)
    show(case, buf, end)
elif case == "slowloris":
    # a head sent a byte a second is cut off at the head timeout (10 s)
    s = conn()
    t0, how = time.time(), "open"
    for b in b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"s" * 60:
        try:
            s.send(bytes([b]))
            s.settimeout(1)
            c = s.recv(100)
            if not c:
                how = "closed"
                break
        except socket.timeout:
            continue
        except (BrokenPipeError, ConnectionResetError):
            how = "closed"
            break
    print(f"CASE slowloris end={how} after={int(time.time() - t0)}", flush=True)
else:
    sys.exit("unknown case " + case)
