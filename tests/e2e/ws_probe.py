#!/usr/bin/env python3
"""Probes hotline's WebSocket (src/api/ws.c) on the event stream: opens
one, sends the frames of CASE, and prints "CASE name ..." with what came
back: the handshake's status and whether its accept key is right, pongs,
the close frame's code, and whether TCP then ended.
Usage: ws_probe.py PORT TOKEN CASE"""
import base64, hashlib, os, socket, struct, sys, time

port, token, case = int(sys.argv[1]), sys.argv[2], sys.argv[3]
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def handshake(version="13", key=None, after=b""):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    key = key or base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET /api/v1/events?types=none.&access_token={token} HTTP/1.1\r\n"
               f"Host: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: {version}\r\n\r\n").encode()
              + after)
    buf = b""
    while b"\r\n\r\n" not in buf:
        c = s.recv(4096)
        if not c:
            break
        buf += c
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode(errors="replace").split("\r\n")
    want = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
    acc = [h.split(":", 1)[1].strip() for h in lines[1:]
           if h.lower().startswith("sec-websocket-accept:")]
    return s, lines[0], bool(acc) and acc[0] == want, rest


def frame(op, payload=b"", fin=True, masked=True, rsv=0):
    b0 = (0x80 if fin else 0) | rsv | op
    n = len(payload)
    if n < 126:
        hdr = bytes([b0, (0x80 if masked else 0) | n])
    elif n < 65536:
        hdr = bytes([b0, (0x80 if masked else 0) | 126]) + struct.pack(">H", n)
    else:
        hdr = bytes([b0, (0x80 if masked else 0) | 127]) + struct.pack(">Q", n)
    if not masked:
        return hdr + payload
    m = os.urandom(4)
    return hdr + m + bytes(p ^ m[i % 4] for i, p in enumerate(payload))


def frames(s, buf, secs=3.0):
    """[(opcode, payload)] the server sent until it closed or secs
    passed; and how it ended."""
    out, end = [], time.time() + secs
    s.settimeout(0.3)
    how = "open"
    while True:
        while len(buf) >= 2:
            n, off = buf[1] & 0x7F, 2
            if n == 126:
                n, off = struct.unpack(">H", buf[2:4])[0], 4
            elif n == 127:
                n, off = struct.unpack(">Q", buf[2:10])[0], 10
            if len(buf) < off + n:
                break
            out.append((buf[0] & 0x0F, buf[off:off + n]))
            buf = buf[off + n:]
        if time.time() >= end:
            break
        try:
            c = s.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            how = "reset"
            break
        if not c:
            how = "closed"
            break
        buf += c
    return out, how


def report(s, rest, sent):
    try:
        s.sendall(sent)
    except (BrokenPipeError, ConnectionResetError):
        pass
    got, how = frames(s, rest)
    pongs = [p.decode(errors="replace") for op, p in got if op == 0xA]
    closes = [struct.unpack(">H", p[:2])[0] for op, p in got if op == 0x8 and len(p) >= 2]
    texts = sum(1 for op, _ in got if op == 0x1 and b"queue.stats" not in _)
    print(f"CASE {case} pongs={','.join(pongs) or '-'} close={closes[0] if closes else '-'} "
          f"end={how} texts={texts}", flush=True)


if case in ("version8", "shortkey"):
    s, status, _, rest = handshake(version="8") if case == "version8" else \
        handshake(key=base64.b64encode(b"short").decode())
    print(f"CASE {case} status={status}", flush=True)
    sys.exit(0)

# "eager": frames in the same packet as the handshake are the socket's
# first WebSocket bytes, taken once the upgrade is done
s, status, accept_ok, rest = handshake(
    after=frame(0x9, b"early") + frame(0x8, struct.pack(">H", 1000)) if case == "eager" else b"")
if " 101 " not in status:
    print(f"CASE {case} status={status}", flush=True)
    sys.exit(1)
if case == "eager":
    report(s, rest, b"")
elif case == "handshake":
    print(f"CASE handshake status={status} accept={accept_ok}", flush=True)
elif case == "ping_close":
    report(s, rest, frame(0x9, b"hi") + frame(0x1, b"\xe5\xbc", fin=False) + frame(0x9, b"mid")
           + frame(0x0, b"\xa0\xe4\xbc\x9f") + frame(0x8, struct.pack(">H", 1000) + b"bye"))
elif case == "unmasked":
    report(s, rest, frame(0x1, b"hello", masked=False))
elif case == "too_big":
    report(s, rest, frame(0x2, b"x" * 3000, fin=False) + frame(0x0, b"y" * 3000))
elif case == "too_big_frame":
    report(s, rest, frame(0x2, b"x" * 70000))
elif case == "bad_utf8":
    report(s, rest, frame(0x1, b"ok \xc0\x80"))
elif case == "bad_utf8_fragments":
    report(s, rest, frame(0x1, b"\xe5\xbc", fin=False) + frame(0x0, b"\x41"))
elif case == "orphan_cont":
    report(s, rest, frame(0x0, b"x"))
elif case == "rsv":
    report(s, rest, frame(0x1, b"x", rsv=0x40))
else:
    sys.exit("unknown case " + case)
