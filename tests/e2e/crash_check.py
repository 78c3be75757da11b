#!/usr/bin/env python3
"""Checks for test_crash_safety after a restart: everything the load
acknowledged (crash_load.py's ACKS) is in the database, revoked tokens stay
revoked and issued ones work, nothing half-written is visible. Prints
"ok - ..." / "not ok - ..." lines; the exit status is the number of
failures.

usage: crash_check.py DB URL ROUND
"""
import sqlite3
import sys
import urllib.error
import urllib.request

db_path, url, rnd = sys.argv[1:4]
acks = [l.split(" ", 2) for l in open(db_path.rsplit("/", 2)[0] + "/acks").read().splitlines()]
db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True)
fails = 0


def check(name, bad):
    global fails
    if bad:
        fails += 1
        print("not ok - round %s: %s: %s" % (rnd, name, ", ".join(map(str, bad[:5]))))
    else:
        print("ok - round %s: %s" % (rnd, name))


def status(secret):
    req = urllib.request.Request(url + "/api/v1/session")
    req.add_header("Authorization", "Bearer " + secret)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


rows = lambda sql: db.execute(sql).fetchall()
tokens = dict(rows("SELECT id, revoked FROM tokens"))
issued = {a[1]: a[2] for a in acks if a[0] == "token"}
revoked = {a[1]: a[2] for a in acks if a[0] == "revoked"}
revoking = {a[1] for a in acks if a[0] == "revoking"}
live = {k: v for k, v in issued.items() if k not in revoking}
check("every acknowledged token is stored (%d)" % len(issued),
      [k for k in issued if k not in tokens])
check("every acknowledged revocation is stored (%d)" % len(revoked),
      [k for k in revoked if not tokens.get(k)])
# the newest are the ones a crash could have lost: those are asked about
check("revoked tokens stay revoked (401)",
      [k for k, s in list(revoked.items())[-300:] if status(s) != 401])
check("issued tokens never revoked work (200)",
      [k for k, s in list(live.items())[-300:] if status(s) != 200])
audit = {r[0] for r in rows("SELECT target FROM audit WHERE action='token.create'")}
check("every acknowledged token has its audit line", [k for k in issued if k not in audit])
users = {r[0] for r in rows("SELECT name FROM users WHERE pw_hash LIKE '$argon2id$%'")}
acked = [a[1] for a in acks if a[0] == "user"]
check("every acknowledged user is stored with its hash (%d)" % len(acked),
      [u for u in acked if u not in users])
tickets = {r[0] for r in rows("SELECT id FROM tickets")}
created = {r[0] for r in rows("SELECT ticket FROM ticket_history WHERE kind='created'")}
acked = [a[1] for a in acks if a[0] == "ticket"]
check("every acknowledged ticket is stored with its history (%d)" % len(acked),
      [t for t in acked if t not in tickets or t not in created])
wrapups = dict(rows("SELECT call, notes FROM wrapups"))
acked = [a for a in acks if a[0] == "wrapup"]
check("every acknowledged wrap-up is stored (%d)" % len(acked),
      [a[1] for a in acked if wrapups.get(a[1]) != a[2]])
check("no ticket without its creation in the history, nor the reverse (%d)" % len(tickets),
      sorted(tickets ^ created))
check("the database is whole", [r[0] for r in rows("PRAGMA integrity_check") if r[0] != "ok"])
check("no interaction is live", [r[0] for r in rows("SELECT id FROM calls WHERE ended = 0")])
sys.exit(fails)
