#!/usr/bin/env python3
"""Checks HTTP answers against docs/openapi.yaml, the API's contract.

    openapi_check.py TRACE [SPEC]

TRACE is the file hotline writes when HOTLINE_API_TRACE names it: one JSON
object a line for every answer it sent (method, path, query, status,
content type, body). Each answer must belong to a documented operation,
carry a status that operation lists, and, when the document gives a JSON
schema for that status, have a body that fits it (OpenAPI 3.0 schemas:
nullable, allOf/oneOf, $ref, required, enum, formats of dates).

Prints "ok - ..." for a clean trace, "not ok - ..." with each mismatch
(at most 20 of them) otherwise; exits 1 when something did not fit.
"""
import json
import re
import sys

import jsonschema
import yaml

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def to_json_schema(node):
    """OpenAPI 3.0 schema object -> JSON Schema (draft 4 validator):
    nullable becomes a null in the type; $ref keeps pointing into the
    document; keywords JSON Schema lacks (example, ...) are dropped."""
    if isinstance(node, list):
        return [to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for k, v in node.items():
        if k in ("example", "examples", "xml", "externalDocs", "discriminator",
                 "readOnly", "writeOnly", "deprecated", "nullable"):
            continue
        if k in ("properties", "patternProperties", "definitions"):
            out[k] = {pk: to_json_schema(pv) for pk, pv in v.items()}
        else:
            out[k] = to_json_schema(v)
    if node.get("nullable"):
        if "type" in out:
            t = out["type"]
            out["type"] = (t if isinstance(t, list) else [t]) + ["null"]
        if "enum" in out:
            out["enum"] = list(out["enum"]) + [None]
        for comb in ("oneOf", "anyOf"):
            if comb in out:
                out[comb] = list(out[comb]) + [{"type": "null"}]
        if "allOf" in out or "$ref" in out:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


class Contract:
    def __init__(self, spec_path):
        with open(spec_path, encoding="utf-8") as f:
            self.doc = yaml.safe_load(f)
        self.root = to_json_schema(self.doc)
        self.resolver = jsonschema.RefResolver("", self.root)
        self.ops = []  # (regex, path template, method, operation)
        for tmpl, item in self.doc["paths"].items():
            rx = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(tmpl)) + "$"
            for m, op in item.items():
                if m in METHODS:
                    self.ops.append((re.compile(rx), tmpl, m.upper(), op))
        # literal paths before templated ones (/api/v1/tenant/check is not
        # /api/v1/tenant/{id})
        self.ops.sort(key=lambda o: o[1].count("{"))

    def resolve(self, node):
        while isinstance(node, dict) and "$ref" in node:
            node = self.resolver.resolve(node["$ref"])[1]
        return node

    def operation(self, method, path):
        path_known = False
        for rx, tmpl, m, op in self.ops:
            if rx.match(path):
                path_known = True
                if m == method or (method == "HEAD" and m == "GET"):
                    return tmpl, op, True
        return None, None, path_known

    def check(self, rec):
        """Returns a list of what does not fit in one traced answer."""
        method, path, status = rec["method"], rec["path"], str(rec["status"])
        tmpl, op, path_known = self.operation(method, path)
        where = f"{method} {path} -> {status}"
        if op is None:
            # unknown paths and methods are answered by the router: 404, or
            # 405 naming what the path takes
            if not path_known and status == "404":
                return []
            if path_known and status == "405":
                return []
            return [f"{where}: no documented operation"]
        responses = op.get("responses", {})
        resp = responses.get(status) or responses.get(status[0] + "XX") \
            or responses.get("default")
        if resp is None:
            return [f"{where}: status not listed for {method} {tmpl} "
                    f"(lists {', '.join(sorted(responses))})"]
        resp = self.resolve(resp)
        content = resp.get("content") or {}
        ctype = (rec.get("ctype") or "").split(";")[0].strip()
        if method == "HEAD" or status in ("204", "304"):
            if rec.get("body"):
                return [f"{where}: a body where none may be"]
            return []
        if not content:
            return []
        if ctype not in content and "*/*" not in content:
            return [f"{where}: content type {ctype or 'none'} not documented "
                    f"({', '.join(content)})"]
        media = content.get(ctype) or content.get("*/*") or {}
        schema = media.get("schema")
        if ctype != "application/json" or not schema:
            return []
        if not rec.get("body") and rec.get("length", 0) > 0:
            return []  # over the trace's 256 KiB: the type is all we have
        try:
            body = json.loads(rec.get("body") or "")
        except ValueError as e:
            return [f"{where}: body is not JSON ({e})"]
        v = jsonschema.Draft4Validator(to_json_schema(schema),
                                       resolver=self.resolver,
                                       format_checker=jsonschema.FormatChecker())
        errs = sorted(v.iter_errors(body), key=lambda e: list(e.absolute_path))
        return [f"{where}: body at /{'/'.join(str(p) for p in e.absolute_path)}: "
                f"{e.message[:200]}" for e in errs[:3]]


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    spec = sys.argv[2] if len(sys.argv) > 2 else "docs/openapi.yaml"
    c = Contract(spec)
    problems, n = [], 0
    try:
        f = open(sys.argv[1], encoding="utf-8", errors="replace")
    except FileNotFoundError:
        print(f"not ok - answers fit docs/openapi.yaml: no trace {sys.argv[1]}")
        return 1
    with f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                problems.append(f"trace line not JSON: {line[:80]}")
                continue
            n += 1
            for p in c.check(rec):
                if p not in problems:
                    problems.append(p)
    if problems:
        print(f"not ok - {n} answers fit docs/openapi.yaml: "
              f"{len(problems)} do not")
        for p in problems[:20]:
            print(f"#   {p}", file=sys.stderr)
        return 1
    print(f"ok - {n} answers fit docs/openapi.yaml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
