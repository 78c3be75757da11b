#!/usr/bin/env python3
"""Drives every operation of docs/openapi.yaml against a running hotline
the way a careless or hostile client would, and checks that each kind of
bad request gets its documented status and the shared error body:

- no credentials: 401 where credentials are needed, never 401 where not;
- a role that may not use the route (an agent on admin routes): 403;
- an object that does not exist: 404;
- a body that is not JSON, and one with an unknown field: 400;
- a query value out of its documented range: 400;
- HEAD wherever GET is: the GET's status and headers, no body;
- a method the path does not take: 405 with an Allow header.

    api_contract.py BASE_URL ADMIN_TOKEN AGENT_COOKIE SPEC

Every answer is also held to the document by the trace check that
tests/e2e/lib.sh runs at the end (status listed, body fits the schema).
Prints ok/not ok lines.
"""
import http.client
import json
import sys
import urllib.parse

import yaml

base, admin_token, agent_cookie, spec = sys.argv[1:5]
u = urllib.parse.urlsplit(base)
doc = yaml.safe_load(open(spec, encoding="utf-8"))
fails = 0


def request(method, path, body=None, headers=None):
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    h = dict(headers or {})
    if body is not None and not isinstance(body, bytes):
        body = body.encode()
    if body is not None:
        h.setdefault("Content-Type", "application/json")
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    hdrs = {k.lower(): v for k, v in r.getheaders()}
    c.close()
    return r.status, hdrs, data


def report(ok, name, why=""):
    global fails
    if ok:
        print(f"ok - {name}")
    else:
        fails += 1
        print(f"not ok - {name}: {why}")


def is_error_body(data):
    try:
        e = json.loads(data)["error"]
        return isinstance(e["code"], str) and isinstance(e["message"], str) and e["message"]
    except (ValueError, KeyError, TypeError):
        return False


def fill(path):
    return path.replace("{id}", "no-such-object-0")


ops = []
for path, item in doc["paths"].items():
    for m, op in item.items():
        if m in ("get", "post", "put", "patch", "delete"):
            ops.append((path, m.upper(), op))

ADMIN = {"Authorization": "Bearer " + admin_token}
AGENT = {"Cookie": "hl_session=" + agent_cookie}


def listed(op, status):
    return str(status) in op.get("responses", {})


def json_body(op):
    rb = op.get("requestBody")
    return rb is not None and "application/json" in rb.get("content", {})


# 1. no credentials
bad = []
for path, m, op in ops:
    public = op.get("security") == []
    body = "{}" if m in ("POST", "PUT", "PATCH") else None
    st, _, data = request(m, fill(path), body)
    if public and st == 401:
        bad.append(f"{m} {path}: 401 on a route that needs no credentials")
    elif not public and (st != 401 or not is_error_body(data)):
        bad.append(f"{m} {path}: {st} without credentials")
    elif not listed(op, st):
        bad.append(f"{m} {path}: {st} is not documented")
report(not bad, f"without credentials, all {len(ops)} operations answer as documented",
       "; ".join(bad[:5]))

# 2. an agent on routes for supervisors or admins: 403 with the error body
bad, n = [], 0
for path, m, op in ops:
    roles = op.get("x-roles")
    if op.get("security") == [] or roles is None or "agent" in roles:
        continue
    n += 1
    body = "{}" if m in ("POST", "PUT", "PATCH") else None
    st, _, data = request(m, fill(path), body, AGENT)
    if st != 403 or not is_error_body(data):
        bad.append(f"{m} {path}: {st} for an agent")
report(n > 0 and not bad, f"an agent gets 403 and the error body on the {n} routes "
       "its role may not use", "; ".join(bad[:5]) or "none checked")

# 3. objects that do not exist: 404
bad, n = [], 0
for path, m, op in ops:
    if "{id}" not in path or op.get("security") == []:
        continue
    n += 1
    body = "{}" if m in ("POST", "PUT", "PATCH") else None
    st, _, data = request(m, fill(path), body, ADMIN)
    if st != 404 or not is_error_body(data):
        bad.append(f"{m} {path}: {st}")
report(not bad, f"a missing object is 404 with the error body on {n} operations",
       "; ".join(bad[:5]))

# 4. bodies: not JSON, an unknown field
bad, n = [], 0
for path, m, op in ops:
    if m not in ("POST", "PUT", "PATCH") or not json_body(op) or "{id}" in path:
        continue
    hdr = {} if op.get("security") == [] else ADMIN
    n += 1
    st, _, data = request(m, path, "{not json", hdr)
    if st != 400 or not is_error_body(data):
        bad.append(f"{m} {path}: {st} for a body that is not JSON")
    st, _, data = request(m, path, '{"no_such_field_x": 1}', hdr)
    if st != 400 or not is_error_body(data):
        bad.append(f"{m} {path}: {st} for an unknown field")
report(n > 0 and not bad, f"a body that is not JSON or has an unknown field is 400 "
       f"on {n} operations", "; ".join(bad[:5]))

# 4b. a field of the wrong type: 400 or 422, with the error body
WRONG = {"string": 12345, "integer": "twelve", "number": "twelve", "boolean": "yes",
         "array": "not-a-list", "object": ["not", "an", "object"]}
bad, n = [], 0
for path, m, op in ops:
    if m not in ("POST", "PUT", "PATCH") or not json_body(op) or "{id}" in path:
        continue
    sch = op["requestBody"]["content"]["application/json"].get("schema", {})
    while "$ref" in sch:
        sch = doc
        for k in op["requestBody"]["content"]["application/json"]["schema"]["$ref"][2:].split("/"):
            sch = sch[k]
    props = sch.get("properties") or {}
    name = next((k for k, v in props.items() if v.get("type") in WRONG), None)
    if not name:
        continue
    hdr = {} if op.get("security") == [] else ADMIN
    n += 1
    st, _, data = request(m, path, json.dumps({name: WRONG[props[name]["type"]]}), hdr)
    if st not in (400, 422) or not is_error_body(data) or not listed(op, st):
        bad.append(f"{m} {path} with {name} of the wrong type: {st}")
report(n > 0 and not bad, f"a field of the wrong type is 400 or 422 with the error body "
       f"on {n} operations", "; ".join(bad[:5]))

# 4c. another agent's objects: 403 for an agent
bad = []
for m, path in (("GET", "/api/v1/agents/1002"), ("GET", "/api/v1/agents/1002/stats"),
                ("POST", "/api/v1/agents/1002/state")):
    body = '{"state": "available"}' if m == "POST" else None
    st, _, data = request(m, path, body, AGENT)
    if st != 403 or not is_error_body(data):
        bad.append(f"{m} {path}: {st}")
report(not bad, "an agent gets 403 for another agent, its figures and its state",
       "; ".join(bad))

# 5. query values out of their documented range
bad, n = [], 0
for path, m, op in ops:
    if m != "GET" or "{id}" in path or op.get("security") == []:
        continue
    for prm in op.get("parameters", []):
        sch = prm.get("schema", {})
        if prm.get("in") != "query" or sch.get("type") != "integer":
            continue
        for v in ([sch["minimum"] - 1] if "minimum" in sch else []) + \
                 ([sch["maximum"] + 1] if "maximum" in sch else []) + ["abc"]:
            n += 1
            st, _, data = request(m, f"{path}?{prm['name']}={v}", None, ADMIN)
            if st != 400 or not is_error_body(data):
                bad.append(f"GET {path}?{prm['name']}={v}: {st}")
report(n > 0 and not bad, f"{n} query values out of range are 400 with the error body",
       "; ".join(bad[:5]))

# 6. HEAD answers as GET, without a body
bad, n = [], 0
for path, m, op in ops:
    if m != "GET" or "{id}" in path or path == "/api/v1/events":
        continue
    hdr = {} if op.get("security") == [] else ADMIN
    n += 1
    gs, gh, _ = request("GET", path, None, hdr)
    hs, hh, hdata = request("HEAD", path, None, hdr)
    if hs != gs or hdata or hh.get("content-type") != gh.get("content-type"):
        bad.append(f"HEAD {path}: {hs} ({len(hdata)} bytes) where GET is {gs}")
report(n > 0 and not bad, f"HEAD on {n} GET routes answers as GET without a body",
       "; ".join(bad[:5]))

# 7. a method the path does not take: 405 with Allow
st, h, data = request("DELETE", "/health")
report(st == 405 and "GET" in h.get("allow", "") and "HEAD" in h.get("allow", "")
       and is_error_body(data), "DELETE /health is 405 with Allow: GET, HEAD",
       f"{st} allow={h.get('allow')}")

# 8. the polled lists carry an ETag; If-None-Match with it is 304 until
# the list changes
bad = []
for path in ("/api/v1/customers", "/api/v1/tickets", "/api/v1/calls", "/api/v1/queues"):
    st, h, data = request("GET", path, None, ADMIN)
    tag = h.get("etag")
    if st != 200 or not tag:
        bad.append(f"GET {path}: {st}, ETag {tag}")
        continue
    st2, h2, data2 = request("GET", path, None, dict(ADMIN, **{"If-None-Match": tag}))
    if st2 != 304 or data2 or h2.get("etag") != tag:
        bad.append(f"GET {path} If-None-Match: {st2} ({len(data2)} bytes)")
st, h, _ = request("GET", "/api/v1/customers", None, ADMIN)
request("POST", "/api/v1/customers", '{"name": "\u5f20\u4f1f"}', ADMIN)
st2, h2, data2 = request("GET", "/api/v1/customers", None,
                         dict(ADMIN, **{"If-None-Match": h.get("etag", "")}))
if st2 != 200 or h2.get("etag") == h.get("etag") or "\u5f20\u4f1f" not in data2.decode():
    bad.append(f"after a new customer: {st2}, ETag {h2.get('etag')} was {h.get('etag')}, "
               f"{data2[:200]!r}")
report(not bad, "polled lists carry an ETag, 304 while unchanged, 200 and a new "
       "ETag after a change", "; ".join(bad[:5]))

sys.exit(1 if fails else 0)
