#!/usr/bin/env python3
"""Event fan-out over hotline's WebSocket stream: opens CLIENTS WebSocket
clients to /api/v1/events?types=agent. (all in this one process, one
epoll loop, stdlib only), waits until every handshake got 101, then
ROUNDS times changes an agent's state with POST /api/v1/agents/{ext}/state
and measures when each client had the matching agent.state frame.

Usage: ws_fanout.py PORT [CLIENTS=1000] [ROUNDS=20]
Environment: TOKEN (bench), AGENTS (1001-1012), GAP (seconds between
rounds, 0.2), TIMEOUT (seconds a round may take, 5), WINDOW (handshakes
under way at once, 4), HL_PID (hotline's pid: its CPU over the rounds),
VERBOSE=1.

Two clocks per client:
  kernel  when the frame reached the client's socket (SO_TIMESTAMPNS on
          the TCP socket: the stamp of the last segment read), so the
          time this process takes to get round to 1000 sockets is not
          counted;
  read    when this process read it (CLOCK_MONOTONIC), which is.
Both from just before the POST is written. Also: when the POST's answer
came (hotline answers after it has written the event to every client).

A client the server closes (it drops slow readers, see src/api/stream.c)
or that stops receiving is reported. Exit status 1 if a handshake failed,
a client was dropped or a round timed out."""
import base64, json, os, resource, selectors, socket, struct, sys, time

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
ANCBUF = socket.CMSG_SPACE(16)


def pct(v, p):  # nearest rank
    v = sorted(v)
    return v[max(0, -(-len(v) * p // 100) - 1)]


class Client:
    __slots__ = ("i", "s", "buf", "state", "hit_k", "hit_r", "hit_p", "why",
                 "frames")

    def __init__(self, i, s):
        self.i, self.s = i, s
        self.buf = b""
        self.state = "connecting"  # handshake, open, closed
        self.hit_k = self.hit_r = None  # this round: kernel ns, monotonic ns
        self.hit_p = None
        self.why = ""
        self.frames = 0


def main():
    port = int(sys.argv[1])
    nclients = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    token = os.environ.get("TOKEN", "bench")
    agents = os.environ.get("AGENTS", " ".join(str(e) for e in range(1001, 1013))).split()
    gap = float(os.environ.get("GAP", "0.2"))
    tmo = float(os.environ.get("TIMEOUT", "5"))
    verbose = os.environ.get("VERBOSE") == "1"
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = nclients + 64
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    addr = ("127.0.0.1", port)
    sel = selectors.DefaultSelector()
    clients = []
    failed = []  # (client, why)
    dropped = []  # (client, round, why)

    # --- handshakes: at most WINDOW under way at once. Hotline's HTTP
    # socket listens with a backlog of 5 (libre's tcp_listen): with more
    # connects at once the kernel drops handshakes that overflow the accept
    # queue, and those clients wait for retransmissions (1 s, 2 s, ...) or
    # never get in. WINDOW=100 shows it.
    def handshake_request():
        key = base64.b64encode(os.urandom(16)).decode()
        return (f"GET /api/v1/events?types=agent. HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                f"Sec-WebSocket-Version: 13\r\nAuthorization: Bearer {token}\r\n"
                "\r\n").encode()

    WINDOW = int(os.environ.get("WINDOW", "4"))
    t_start = time.monotonic()
    pending = 0
    opened = 0
    nexti = 0
    while opened + len(failed) < nclients:
        while nexti < nclients and pending < WINDOW:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            s.setblocking(False)
            c = Client(nexti, s)
            clients.append(c)
            s.connect_ex(addr)
            sel.register(s, selectors.EVENT_WRITE, c)
            nexti += 1
            pending += 1
        if time.monotonic() - t_start > 30 + nclients / 50:
            break
        for key, ev in sel.select(1.0):
            c = key.data
            if c.state == "connecting":
                err = c.s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    c.state, c.why = "closed", "connect: " + os.strerror(err)
                else:
                    try:
                        c.s.send(handshake_request())
                        c.state = "handshake"
                        sel.modify(c.s, selectors.EVENT_READ, c)
                        continue
                    except OSError as e:
                        c.state, c.why = "closed", "send: %s" % e
            else:  # handshake
                try:
                    chunk = c.s.recv(4096)
                except OSError as e:
                    chunk, c.why = b"", "recv: %s" % e
                c.buf += chunk
                if chunk and b"\r\n\r\n" not in c.buf:
                    continue
                if chunk:
                    head, c.buf = c.buf.split(b"\r\n\r\n", 1)
                    status = head.split(b"\r\n")[0].decode(errors="replace")
                    if " 101 " in status + " ":
                        c.state = "open"
                        opened += 1
                        pending -= 1
                        continue
                    c.why = status
                c.state = "closed"
                c.why = c.why or "closed during the handshake"
            sel.unregister(c.s)
            c.s.close()
            failed.append((c, c.why))
            pending -= 1
    for c in clients:
        if c.state in ("connecting", "handshake"):
            c.state, c.why = "closed", "no answer to the handshake"
            sel.unregister(c.s)
            c.s.close()
            failed.append((c, c.why))
    t_hs = time.monotonic() - t_start
    live = [c for c in clients if c.state == "open"]
    print("clients: %d of %d WebSocket handshakes got 101 in %.2f s"
          % (len(live), nclients, t_hs), flush=True)
    if failed:
        whys = {}
        for c, why in failed:
            whys[why] = whys.get(why, 0) + 1
        for why, n in sorted(whys.items(), key=lambda x: -x[1]):
            print("  handshake failed: %d x %s" % (n, why))
    if not live:
        return 1

    # --- the API connection (keep-alive) the state changes go through
    api = socket.create_connection(addr)
    api.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    api.setblocking(False)
    api_buf = b""
    sel.register(api, selectors.EVENT_READ, None)

    api_closed = False

    def api_recv():
        """What the API connection has (b"" for nothing yet); once it is
        closed, api_closed is set and the socket no longer watched."""
        nonlocal api_closed
        try:
            chunk = api.recv(65536)
        except BlockingIOError:
            return b""
        except OSError:
            chunk = b""
        if not chunk and not api_closed:
            api_closed = True
            sel.unregister(api)
            print("  the API connection was closed by the server", flush=True)
        return chunk

    def api_answer(buf):
        """(status, rest) when buf holds a whole answer, else None."""
        if b"\r\n\r\n" not in buf:
            return None
        head, body = buf.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        n = 0
        for ln in lines[1:]:
            k, _, v = ln.partition(b":")
            if k.strip().lower() == b"content-length":
                n = int(v)
        if len(body) < n:
            return None
        return int(lines[0].split()[1]), body[n:]

    def read_client(c, when, want_agent, want_state, t_read):
        """Reads what c has; notes the first matching frame of the round."""
        try:
            data, anc, _, _ = c.s.recvmsg(65536, ANCBUF)
        except BlockingIOError:
            return
        except OSError as e:
            data, anc = b"", []
            c.why = "recv: %s" % e
        if not data:
            close_client(c, when, c.why or "closed by the server")
            return
        kns = None
        for lvl, typ, cd in anc:
            if lvl == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS and len(cd) >= 16:
                sec, nsec = struct.unpack("qq", cd[:16])
                kns = sec * 1_000_000_000 + nsec
        buf = c.buf + data
        while len(buf) >= 2:
            b1, b2 = buf[0], buf[1]
            n, off = b2 & 0x7F, 2
            if n == 126:
                if len(buf) < 4:
                    break
                n, off = struct.unpack(">H", buf[2:4])[0], 4
            elif n == 127:
                if len(buf) < 10:
                    break
                n, off = struct.unpack(">Q", buf[2:10])[0], 10
            if len(buf) < off + n:
                break
            payload, buf = buf[off:off + n], buf[off + n:]
            op = b1 & 0x0F
            if op == 1:
                c.frames += 1
                if (c.hit_r is None and want_agent in payload
                        and want_state in payload and b'"agent.state"' in payload):
                    c.hit_k, c.hit_r, c.hit_p = kns, t_read, payload
            elif op == 9:  # ping: a masked pong
                mask = os.urandom(4)
                pong = bytes(p ^ mask[i % 4] for i, p in enumerate(payload))
                try:
                    c.s.send(bytes([0x8A, 0x80 | len(payload)]) + mask + pong)
                except OSError:
                    pass
            elif op == 8:
                code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else 0
                c.buf = b""
                close_client(c, when, "close frame %d" % code)
                return
        c.buf = buf

    def close_client(c, when, why):
        c.state, c.why = "closed", why
        sel.unregister(c.s)
        c.s.close()
        dropped.append((c, when, why))
        print("  client %d dropped %s: %s" % (c.i, when, why), flush=True)

    # --- the rounds; hotline's CPU over them when HL_PID says which it is
    def cpu_s():
        pid = os.environ.get("HL_PID")
        if not pid:
            return None
        with open("/proc/%s/stat" % pid) as f:
            v = f.read().rsplit(")", 1)[1].split()
        return (int(v[11]) + int(v[12])) / os.sysconf("SC_CLK_TCK")

    def machine_s():  # CPU seconds the whole machine has been busy
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:9]]
        return (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")

    def own_s():
        t = os.times()
        return t.user + t.system

    def idle(secs, when):  # reads whatever comes (pings, strays) for secs
        nonlocal api_buf
        end = time.monotonic() + secs
        while True:
            left = end - time.monotonic()
            if left <= 0:
                break
            for key, _ in sel.select(left):
                if key.data is None:
                    api_buf += api_recv()
                else:
                    read_client(key.data, when, b"\0", b"\0", 0)

    # what hotline costs with the clients connected and nothing happening
    # (after the figures every new client is sent at first)
    if os.environ.get("HL_PID"):
        with open("/proc/%s/status" % os.environ["HL_PID"]) as f:
            rss = [ln.split()[1] for ln in f if ln.startswith("VmRSS")]
        print("hotline rss with %d clients: %s KB" % (len(live), rss[0] if rss else "?"))
    idle(1.0, "before the rounds")
    cpu0, ti0 = cpu_s(), time.monotonic()
    idle(2.0, "before the rounds")
    if cpu0 is not None:
        print("hotline cpu idle with %d clients: %.2f %% of one core"
              % (len(live), 100 * (cpu_s() - cpu0) / (time.monotonic() - ti0)))
    cpu0, tr0, mach0, own0 = cpu_s(), time.monotonic(), machine_s(), own_s()
    presence = {a: "available" for a in agents}  # the tenant starts them so
    reasons = ["break", "lunch", "training", "meeting"]
    last_k, last_r, first_k, posts = [], [], [], []
    timeouts = 0
    bad_payloads = 0
    nround = len([c for c in clients if c.state == "open"])
    done = 0
    for rnd in range(1, rounds + 1):
        if api_closed:
            break
        done = rnd
        agent = agents[(rnd - 1) % len(agents)]
        if presence[agent] == "available":
            state, body = "paused", {"state": "paused", "reason": reasons[rnd % len(reasons)]}
        else:
            state, body = "available", {"state": "available"}
        presence[agent] = state
        live = [c for c in clients if c.state == "open"]
        for c in live:
            c.hit_k = c.hit_r = c.hit_p = None
        want_agent = b'"agent":"%s"' % agent.encode()
        want_state = b'"state":"%s"' % state.encode()
        js = json.dumps(body).encode()
        req = (b"POST /api/v1/agents/%s/state HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
               b"Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
               b"Content-Length: %d\r\n\r\n%s"
               % (agent.encode(), port, token.encode(), len(js), js))
        missing = len(live)
        when = "in round %d" % rnd
        api_status = None
        t_api = None
        t0_real = time.time_ns()
        t0 = time.monotonic_ns()
        try:
            api.sendall(req)
        except OSError as e:
            print("round %2d: the state change could not be sent: %s" % (rnd, e))
            timeouts += 1
            break
        deadline = t0 + int(tmo * 1e9)
        while missing or api_status is None:
            now = time.monotonic_ns()
            if now > deadline or api_closed:
                break
            events = sel.select((deadline - now) / 1e9)
            t_read = time.monotonic_ns()
            for key, _ in events:
                c = key.data
                if c is None:
                    api_buf += api_recv()
                    got = api_answer(api_buf)
                    if got:
                        api_status, api_buf = got
                        t_api = t_read
                    continue
                had = c.hit_r is not None
                read_client(c, when, want_agent, want_state, t_read)
                if not had and c.hit_r is not None:
                    missing -= 1
                elif had is False and c.state == "closed":
                    missing -= 1
        got = [c for c in live if c.hit_r is not None]
        lost = sum(1 for c in live if c.hit_r is None and c.state == "closed")
        # the frames that matched are checked properly, after the timing
        for c in got:
            try:
                f = json.loads(c.hit_p)
                ok = (f.get("type") == "agent.state" and f.get("agent") == agent
                      and (f.get("data") or {}).get("state") == state)
            except ValueError:
                ok = False
            if not ok:
                bad_payloads += 1
        api_ms = (t_api - t0) / 1e6 if t_api else float("nan")
        if missing:
            timeouts += 1
            print("round %2d: agent %s -> %s: %d of %d clients still without it after"
                  " %.1f s (POST answered %s, %.2f ms)"
                  % (rnd, agent, state, missing, len(live), tmo, api_status, api_ms),
                  flush=True)
        if lost:
            print("round %2d: %d clients dropped before they had it" % (rnd, lost))
        if got:
            rk = [(c.hit_k - t0_real) / 1e6 for c in got if c.hit_k is not None]
            rr = [(c.hit_r - t0) / 1e6 for c in got]
            if len(got) == len(live):
                last_r.append(max(rr))
                if len(rk) == len(got):
                    last_k.append(max(rk))
                    first_k.append(min(rk))
            posts.append(api_ms)
            print("round %2d: agent %s -> %-9s %4d clients: kernel first %6.2f ms, "
                  "last %6.2f ms | read first %6.2f ms, last %6.2f ms | "
                  "POST answered %s in %6.2f ms"
                  % (rnd, agent, state + ":", len(got),
                     min(rk) if rk else float("nan"), max(rk) if rk else float("nan"),
                     min(rr), max(rr), api_status, api_ms), flush=True)
            if verbose and rk:
                print("          kernel p50 %.2f ms, p90 %.2f ms"
                      % (pct(rk, 50), pct(rk, 90)))
        if api_status != 200:
            print("  the state change was answered %s" % api_status)
        if api_closed:
            timeouts += 1
            break
        # between rounds: keep reading (pings, strays), then go on
        idle(gap, "after round %d" % rnd)

    cpu1, tr1, mach1, own1 = cpu_s(), time.monotonic(), machine_s(), own_s()
    live = [c for c in clients if c.state == "open"]
    print()
    if cpu0 is not None:
        print("hotline cpu over the rounds: %.1f %% of one core (%.1f s, gaps of %.1f s"
              " included), %.1f ms per state change"
              % (100 * (cpu1 - cpu0) / (tr1 - tr0), tr1 - tr0, gap,
                 1000 * (cpu1 - cpu0) / max(done, 1)))
        other = 100 * (mach1 - mach0 - (cpu1 - cpu0) - (own1 - own0)) / (tr1 - tr0)
        print("the machine meanwhile: this client %.0f %%, everything else ~%.0f %% of"
              " one core" % (100 * (own1 - own0) / (tr1 - tr0), max(other, 0)))
    print("clients connected at the end: %d of %d (%d dropped)"
          % (len(live), nclients, len(dropped)))
    for c, when, why in dropped:
        print("  dropped: client %d %s: %s" % (c.i, when, why))
    if bad_payloads:
        print("frames that matched but did not parse as the event: %d" % bad_payloads)
    if live:
        print("frames received per client: min %d, max %d (one per round expected)"
              % (min(c.frames for c in live), max(c.frames for c in live)))
    n = nround  # the clients there when the rounds began
    if last_k:
        print("all %d clients had it (kernel): over %d rounds p50 %.2f ms, p99 %.2f ms,"
              " max %.2f ms; the first client p50 %.2f ms"
              % (n, len(last_k), pct(last_k, 50), pct(last_k, 99), max(last_k),
                 pct(first_k, 50)))
    if last_r:
        print("all %d clients had read it (this process): p50 %.2f ms, p99 %.2f ms,"
              " max %.2f ms" % (n, pct(last_r, 50), pct(last_r, 99), max(last_r)))
    if posts:
        print("POST answered (hotline has written to every client): p50 %.2f ms,"
              " p99 %.2f ms, max %.2f ms" % (pct(posts, 50), pct(posts, 99), max(posts)))
    if last_k:
        print("target: %d clients within 50 ms (kernel, p99): %s"
              % (nclients, "met" if pct(last_k, 99) <= 50 and n == nclients
                 and len(last_k) == rounds and not dropped else "not met"))
    # closed with a reset, so that 1000 ports of the ephemeral range are not
    # left in TIME_WAIT (where the next bench's hotline may want to listen)
    for c in live:
        c.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.s.close()
    return 1 if failed or dropped or timeouts or bad_payloads else 0


if __name__ == "__main__":
    sys.exit(main())
