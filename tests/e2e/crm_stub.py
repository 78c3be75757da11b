#!/usr/bin/env python3
"""An external CRM for the lookup-hook test: GET /lookup?number=+1...
answers {"id","name","tier"} for the numbers it knows, 404 for others,
and for +14155550199 only after 3 s (slower than hotline waits). Every
request is logged as a line "ASK <number>" on stdout.
Usage: crm_stub.py PORT"""
import json, sys, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KNOWN = {"+14155550142": {"id": "X-42", "name": "Zo\u00eb \"Z\" Ext", "tier": "vip"},
         # a name that is not text (a bell): hotline refuses the answer
         "+14155550143": {"id": "X-43", "name": "Bad\u0007Name", "tier": "vip"}}

class H(BaseHTTPRequestHandler):
    def do_GET(self):
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        num = q.get("number", [""])[0]
        print("ASK " + num, flush=True)
        if num == "+14155550199":
            time.sleep(3)
        body = KNOWN.get(num)
        self.send_response(200 if body else 404)
        data = json.dumps(body or {}).encode()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *a):
        pass

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
