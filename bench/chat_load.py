#!/usr/bin/env python3
"""Web chat load (issue 13): VISITORS visitors with open chats, each sending
a message every PERIOD seconds over its WebSocket, to AGENTS scripted agents
whose desktops (event streams) take every offer and answer a share of the
messages. All in this one process, one epoll loop, stdlib only.

Usage: chat_load.py PORT [VISITORS=10000] [SECONDS=60]
Environment: AGENTS (200), PERIOD (10 s between one visitor's messages),
REPLY (0.1: the share of messages an agent answers), TOKEN (bench: the
node's API token), HL_PID (hotline's pid: CPU and RSS), ORIGIN.

Measured:
  latency  from just before a visitor's frame is written to when the
           agent's stream had the chat.message event (the socket's
           kernel timestamp, SO_TIMESTAMPNS, so this process's own pace
           does not count), p50/p99/max;
  cpu      hotline's CPU (user+system, /proc) over the measured seconds,
           as % of one core and per open chat;
  rss      hotline's RSS before the first chat and with every chat open,
           per open chat.
Exit status 1 when chats could not be opened or messages were lost."""
import base64, http.client, json, os, resource, selectors, socket, struct, sys, time

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
ANCBUF = socket.CMSG_SPACE(16)
CLK_TCK = os.sysconf("SC_CLK_TCK")


def pct(v, p):
    v = sorted(v)
    return v[max(0, -(-len(v) * p // 100) - 1)] if v else 0


def cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        x = f.read().rsplit(")", 1)[1].split()
    return (int(x[11]) + int(x[12])) / CLK_TCK


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for ln in f:
            if ln.startswith("VmRSS:"):
                return int(ln.split()[1])
    return 0


def ws_handshake(port, path, headers):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    key = base64.b64encode(os.urandom(16)).decode()
    req = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
           "Sec-WebSocket-Version: 13\r\n" + "".join(h + "\r\n" for h in headers) + "\r\n")
    s.sendall(req.encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        c = s.recv(4096)
        if not c:
            raise OSError("closed in the handshake")
        buf += c
    head, rest = buf.split(b"\r\n\r\n", 1)
    if b" 101 " not in head.split(b"\r\n")[0] + b" ":
        raise OSError(head.split(b"\r\n")[0].decode())
    return s, rest


def frame(payload, op=1):
    mask = os.urandom(4)
    n = len(payload)
    if n < 126:
        hdr = bytes([0x80 | op, 0x80 | n])
    elif n < 65536:
        hdr = bytes([0x80 | op, 0x80 | 126]) + struct.pack(">H", n)
    else:
        hdr = bytes([0x80 | op, 0x80 | 127]) + struct.pack(">Q", n)
    return hdr + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def frames(conn):
    """The whole frames in conn.buf: (op, payload); the rest stays."""
    out = []
    b = conn.buf
    while len(b) >= 2:
        n, off = b[1] & 0x7F, 2
        if n == 126:
            if len(b) < 4:
                break
            n, off = struct.unpack(">H", b[2:4])[0], 4
        elif n == 127:
            if len(b) < 10:
                break
            n, off = struct.unpack(">Q", b[2:10])[0], 10
        if len(b) < off + n:
            break
        out.append((b[0] & 0x0F, b[off:off + n]))
        b = b[off + n:]
    conn.buf = b
    return out


class Conn:
    __slots__ = ("s", "buf", "kind", "i", "chat", "closed")

    def __init__(self, s, buf, kind, i):
        self.s, self.buf, self.kind, self.i = s, buf, kind, i
        self.chat = None
        self.closed = False


def main():
    port = int(sys.argv[1])
    nvis = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    secs = float(sys.argv[3]) if len(sys.argv) > 3 else 60
    nag = int(os.environ.get("AGENTS", "200"))
    period = float(os.environ.get("PERIOD", "10"))
    reply = float(os.environ.get("REPLY", "0.1"))
    token = os.environ.get("TOKEN", "bench")
    origin = os.environ.get("ORIGIN", "http://shop.test")
    hl = int(os.environ.get("HL_PID", "0"))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < nvis + nag + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(nvis + nag + 64, hard), hard))

    api = http.client.HTTPConnection("127.0.0.1", port)

    def call(method, path, body=None, tok=token, hdrs=None):
        h = {"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
        h.update(hdrs or {})
        api.request(method, path, json.dumps(body) if body is not None else None, h)
        r = api.getresponse()
        return r.status, r.read()

    # --- the agents: users with a token each, their desktops open
    t0 = time.monotonic()
    toks = {}
    for k in range(nag):
        ext = str(2000 + k)
        call("POST", "/api/v1/users", {"name": f"a{ext}", "role": "agent", "extension": ext,
                                       "password": f"pw-{ext}-bench-123"})
        st, b = call("POST", "/api/v1/tokens", {"user": f"a{ext}"})
        if st not in (200, 201):
            print(f"token for {ext}: {st} {b[:200]}")
            return 1
        toks[ext] = json.loads(b)["token"]
    sel = selectors.DefaultSelector()
    agents = {}
    for ext, tk in toks.items():
        s, rest = ws_handshake(port, "/api/v1/events?types=chat.offered,chat.message",
                               ["Authorization: Bearer " + tk])
        s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        s.setblocking(False)
        c = Conn(s, rest, "agent", ext)
        agents[ext] = c
        sel.register(s, selectors.EVENT_READ, c)
    print(f"agents: {nag} desktops open in {time.monotonic() - t0:.1f} s", flush=True)
    time.sleep(0.5)
    rss0 = rss_kb(hl) if hl else 0

    offers = []     # (agent, chat id) to accept
    lat = []        # ms, visitor frame written -> agent stream had the event
    sent_at = {}    # text -> monotonic ns when written
    got = 0
    replies = []    # (agent, chat id) to answer
    dropped = []

    def on_agent(c, kt):
        nonlocal got
        for op, p in frames(c):
            if op == 9:
                c.s.send(frame(p, 10))
                continue
            if op == 8:
                c.closed = True
                dropped.append(("agent", c.i, p[2:].decode(errors="replace")))
                continue
            if op != 1:
                continue
            ev = json.loads(p)
            if ev["type"] == "chat.offered":
                offers.append((c.i, ev["call"]))
            elif ev["type"] == "chat.message" and ev["data"].get("from") == "visitor":
                t = sent_at.pop(ev["data"]["text"], None)
                if t is not None:
                    got += 1
                    lat.append((kt - t) / 1e6)
                    if reply and got % max(1, round(1 / reply)) == 0:
                        replies.append((c.i, ev["call"]))

    def read(c, each=None):
        """Reads what c has; the kernel's time of the last segment (ns on
        CLOCK_REALTIME, made monotonic below). With each, the socket is read
        in small pieces and each(c, kt) runs after every piece: the stamp is
        the one of the last segment a read takes, so a large read after this
        process was held up would stamp every event in it late."""
        kt = None
        while True:
            try:
                data, anc, _, _ = c.s.recvmsg(1024 if each else 262144, ANCBUF)
            except BlockingIOError:
                break
            except OSError:
                data, anc = b"", []
            if not data:
                if not c.closed:
                    c.closed = True
                    dropped.append((c.kind, c.i, "socket closed"))
                sel.unregister(c.s)
                return None
            c.buf += data
            for lvl, typ, d in anc:
                if lvl == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS:
                    sec, ns = struct.unpack("qq", d[:16])
                    kt = sec * 10**9 + ns
            if each:
                # the stamp is CLOCK_REALTIME: onto the monotonic clock
                each(c, kt - time.time_ns() + time.monotonic_ns() if kt
                     else time.monotonic_ns())
        if kt is not None:
            kt = kt - time.time_ns() + time.monotonic_ns()
        return kt if kt is not None else time.monotonic_ns()

    def pump(timeout):
        for key, _ in sel.select(timeout):
            c = key.data
            if c.kind == "agent":
                read(c, on_agent)
                continue
            kt = read(c)
            if kt is None:
                continue
            else:
                for op, p in frames(c):
                    if op == 9:
                        c.s.send(frame(p, 10))
                    elif op == 8:
                        c.closed = True
                        dropped.append(("visitor", c.i, p[2:].decode(errors="replace")))

    def take_offers():
        while offers:
            ext, cid = offers.pop()
            st, b = call("POST", f"/api/v1/interactions/{cid}/accept", tok=toks[ext])
            if st != 200:
                print(f"accept {cid} by {ext}: {st} {b[:120]}")

    # --- the visitors: a chat each, its socket, hello; agents take the offers
    t0 = time.monotonic()
    visitors = []
    for i in range(nvis):
        st, b = call("POST", "/chat/v1/entries/bench/chats",
                     {"name": f"访客 {i}", "topic": "0"}, hdrs={"Origin": origin})
        if st != 201:
            print(f"chat {i}: {st} {b[:200]}")
            break
        j = json.loads(b)
        s, rest = ws_handshake(port, "/chat/v1/ws", ["Origin: " + origin])
        s.send(frame(json.dumps({"type": "hello", "token": j["token"], "last_seq": 0}).encode()))
        s.setblocking(False)
        c = Conn(s, rest, "visitor", i)
        c.chat = j["chat_id"]
        visitors.append(c)
        sel.register(s, selectors.EVENT_READ, c)
        if i % 200 == 199:
            pump(0)
            take_offers()
    deadline = time.monotonic() + 30
    accepted = 0
    while time.monotonic() < deadline:
        pump(0.05)
        accepted += len(offers)
        take_offers()
        st, b = call("GET", "/api/v1/queues/chat")
        if st == 200 and json.loads(b).get("waiting", 1) == 0 and not offers:
            break
    print(f"visitors: {len(visitors)} chats open and taken in {time.monotonic() - t0:.1f} s",
          flush=True)
    if len(visitors) < nvis:
        return 1
    time.sleep(1)
    pump(0.2)
    rss1 = rss_kb(hl) if hl else 0

    # --- the measured run: visitor i writes at i/nvis of each period
    sent = 0
    n = 0
    c0 = cpu_s(hl) if hl else 0
    t_start = time.monotonic()
    t_end = t_start + secs
    nexti = 0
    rnd = 0
    while True:
        now = time.monotonic()
        if now >= t_end:
            break
        due = t_start + (rnd * nvis + nexti) * period / nvis
        while due <= now and now < t_end:
            c = visitors[nexti]
            if not c.closed:
                text = f"m{c.i}.{rnd} 你好"
                sent_at[text] = time.monotonic_ns()
                try:
                    c.s.send(frame(json.dumps({"type": "msg", "cid": f"{rnd}",
                                               "text": text}, ensure_ascii=False).encode()))
                    sent += 1
                except OSError:
                    c.closed = True
            nexti += 1
            if nexti == nvis:
                nexti, rnd = 0, rnd + 1
            due = t_start + (rnd * nvis + nexti) * period / nvis
        pump(max(0, min(0.01, due - time.monotonic())))
        while replies:
            ext, cid = replies.pop()
            call("POST", f"/api/v1/interactions/{cid}/messages", {"text": "好的"},
                 tok=toks[ext])
    elapsed = time.monotonic() - t_start
    c1 = cpu_s(hl) if hl else 0
    end = time.monotonic() + 2
    while time.monotonic() < end and sent_at:
        pump(0.05)
    lost = len(sent_at)
    cpu_pct = 100 * (c1 - c0) / elapsed
    print(f"run: {elapsed:.1f} s, {sent} visitor messages ({sent / elapsed:.0f}/s), "
          f"{got} at the agents, {lost} not arrived; agents answered {int(got * reply)}")
    print(f"visitor -> agent latency (kernel stamp at the agent's socket): "
          f"p50 {pct(lat, 50):.2f} ms, p99 {pct(lat, 99):.2f} ms, max {max(lat or [0]):.2f} ms")
    if hl:
        print(f"hotline CPU: {cpu_pct:.1f} % of one core, {cpu_pct * 10 / nvis:.4f} ms of CPU "
              f"per open chat per second")
        print(f"hotline RSS: {rss0} KB with the agents, {rss1} KB with {nvis} chats: "
              f"{(rss1 - rss0) / nvis:.1f} KB per open chat")
    if dropped:
        print(f"closed by the server: {len(dropped)}, e.g. {dropped[:3]}")
    return 1 if lost or dropped else 0


if __name__ == "__main__":
    sys.exit(main())
