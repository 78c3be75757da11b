#!/usr/bin/env python3
"""A webhook receiver on 127.0.0.1:PORT: writes each POST as a JSON line
(headers, body, whether the HMAC-SHA256 signature checks with SECRET) to
OUT. Answers 500 to the first FAIL requests, 200 after. Runs SECONDS.
Usage: webhook_sink.py PORT SECRET OUT FAIL SECONDS"""
import hashlib, hmac, http.server, json, sys, threading

port, secret, out, fail, secs = (int(sys.argv[1]), sys.argv[2], sys.argv[3],
                                 int(sys.argv[4]), float(sys.argv[5]))
seen = [0]

class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        want = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        seen[0] += 1
        code = 500 if seen[0] <= fail else 200
        with open(out, "a") as f:
            f.write(json.dumps({"n": seen[0], "code": code,
                                "event": self.headers.get("X-Hotline-Event"),
                                "delivery": self.headers.get("X-Hotline-Delivery"),
                                "signed": self.headers.get("X-Hotline-Signature") == want,
                                "body": json.loads(body)}) + "\n")
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass

srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), H)
threading.Timer(secs, srv.shutdown).start()
srv.serve_forever()
