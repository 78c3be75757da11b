#!/usr/bin/env bash
# An answer larger than libre's 512 KiB send queue (the tenant file and
# the agents of a tenant with 30,000 agents, 3 and 8 MB) reaches the
# client whole: the connection's queue takes one answer of any size when
# nothing else waits in it. Before, the part the socket did not take at
# once overflowed the queue and the connection was dropped mid-answer.
source "$(dirname "$0")/lib.sh"
python3 - >"$T/big.yaml" <<'PY'
print("name: Big")
print("agents:")
for i in range(30000):
    print(f'  - {{ext: "{10000 + i}", name: "Agent {i} with a display name that makes the file large", password: "pw-{i:06d}-secret"}}')
print("queues:")
print("  - {name: sales, strategy: ring-all, members: []}")
PY
TENANT="$T/big.yaml"
start_hotline
URL="http://127.0.0.1:$HTTP_PORT/api/v1"
size=$(wc -c <"$T/big.yaml")
check "the tenant file is over 3 MB ($size bytes)" test "$size" -gt 3145728
curl -s -o "$T/tenant.out" -w '%{http_code} %{size_download}' -H 'Authorization: Bearer test-token' "$URL/tenant" >"$T/tenant.code"
check "GET /tenant: 200 with the whole file ($(cat "$T/tenant.code"))" \
	test "$(cat "$T/tenant.code")" = "200 $size"
curl -s -o "$T/agents.json" -w '%{http_code}' -H 'Authorization: Bearer test-token' "$URL/agents" >"$T/agents.code"
check "GET /agents: 200, all 30,000 in one JSON answer over 512 KiB" python3 -c '
import json, os, sys
code, path = sys.argv[1], sys.argv[2]
assert code == "200", code
assert os.path.getsize(path) > 524288, os.path.getsize(path)
assert len(json.load(open(path))["agents"]) == 30000' "$(cat "$T/agents.code")" "$T/agents.json"
# a tenant file of that size may be sent back (its routes take what the
# server reads at start, 4 MiB; the others stay at 256 KiB)
sed 's/^name: Big$/name: Bigger/' "$T/big.yaml" >"$T/big2.yaml"
c=$(curl -s -o "$T/check.json" -w '%{http_code}' -X POST -H 'Authorization: Bearer test-token' \
	--data-binary @"$T/big2.yaml" "$URL/tenant/check")
check "POST /tenant/check takes the 3 MB file (200)" test "$c" = 200
c=$(curl -s -o "$T/put.json" -w '%{http_code}' -X PUT -H 'Authorization: Bearer test-token' \
	--data-binary @"$T/big2.yaml" "$URL/tenant")
check "PUT /tenant takes it and applies it ($c)" bash -c "test $c = 200 && curl -s -H 'Authorization: Bearer test-token' '$URL/tenant' | head -1 | grep -q 'name: Bigger'"
head -c 300000 "$T/big.yaml" >"$T/part.yaml"
c=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Authorization: Bearer test-token' \
	-H 'Content-Type: application/json' --data-binary @"$T/part.yaml" "$URL/customers")
check "another route still refuses 300 KB (413)" test "$c" = 413
# a slow reader of a large answer still gets all of it
python3 - "$HTTP_PORT" "$size" >"$T/slow.out" <<'PY' || true
import json, socket, sys, time
port, size = int(sys.argv[1]), int(sys.argv[2])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small window
s.connect(("127.0.0.1", port))
s.sendall(b"GET /api/v1/agents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer test-token\r\nConnection: close\r\n\r\n")
time.sleep(1.0)  # the server has queued what the socket did not take
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
    time.sleep(0.001)
head, _, body = data.partition(b"\r\n\r\n")
print(head.split(b"\r\n")[0].decode(), len(json.loads(body)["agents"]))
PY
check "a slow reader gets all the agents ($(cat "$T/slow.out"))" test "$(cat "$T/slow.out")" = "HTTP/1.1 200 OK 30000"
finish
