#!/usr/bin/env python3
"""API writes for test_crash_safety: tokens issued and revoked, users, tickets
and wrap-ups, one after another as fast as the server answers, until the
file STOP exists. Every write the server acknowledged (2xx) is appended to
ACKS at once (one line, flushed), so that a kill -9 of the server loses
nothing the client was told; a revocation or wrap-up is noted before it is
sent too (cut by the crash, it may or may not have been done). A refused
or cut connection is retried.

usage: crash_load.py URL TOKEN ROUND ACKS STOP
"""
import json
import os
import sys
import time
import urllib.error
import urllib.request

url, token, rnd, acks_path, stop = sys.argv[1:6]
acks = open(acks_path, "a", buffering=1)


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            text = r.read()
            return r.status, json.loads(text) if text.strip() else {}
    except urllib.error.HTTPError as e:
        return e.code, {}
    except (OSError, ValueError):
        return 0, {}


def ack(*words):
    acks.write(" ".join(str(w) for w in words) + "\n")


i = 0
# a call is wrapped up once over all rounds (an attempt cut by the crash
# may have been committed: its outcome is unknown, so none is made again)
wrapped = {l.split()[1] for l in open(acks_path) if l.startswith("wrapping ")}
while not os.path.exists(stop):
    i += 1
    n = "%s-%d" % (rnd, i)
    code, t = call("POST", "/api/v1/tokens", {"user": "admin", "name": "crash-" + n})
    if code == 201:
        ack("token", t["id"], t["token"])
        if i % 2 == 0:
            ack("revoking", t["id"])  # whatever the answer, maybe revoked
            code, _ = call("DELETE", "/api/v1/tokens/" + t["id"])
            if code == 204:
                ack("revoked", t["id"], t["token"])
    if i % 3 == 0:
        code, _ = call("POST", "/api/v1/users",
                       {"name": "u-" + n, "role": "supervisor", "queues": ["sales"],
                        "password": "secret-" + n})
        if code == 201:
            ack("user", "u-" + n)
    code, tk = call("POST", "/api/v1/tickets", {"subject": "crash " + n})
    if code == 201:
        ack("ticket", tk["id"])
    if i % 4 == 0 and rnd.endswith(".1"):  # one client wraps calls up
        code, calls = call("GET", "/api/v1/calls?limit=20")
        for c in calls.get("calls", []) if code == 200 else []:
            if c.get("answered") and c["id"] not in wrapped:
                wrapped.add(c["id"])
                ack("wrapping", c["id"])
                code, _ = call("POST", "/api/v1/calls/%s/wrapup" % c["id"],
                               {"disposition": "sale", "notes": "note " + n})
                if code == 200:
                    ack("wrapup", c["id"], "note " + n)
                break
    if code == 0:  # the server is gone: wait for the test to stop us
        time.sleep(0.05)
