#!/usr/bin/env bash
# The customer timeline and export show what the calls and tickets routes
# let the user open, nothing more: they leaked another queue's call
# wrap-up and the internal notes of tickets an agent cannot see. Ann has a
# sales call alice took and a support call carol took (each wrapped up),
# a sales ticket and a support ticket (each with an internal note). alice
# (agent of sales) sees her call and the sales ticket with its note; sam
# (supervisor of sales) exports the same; the admin sees all four.
source "$(dirname "$0")/lib.sh"
start_hotline
URL="http://127.0.0.1:$HTTP_PORT/api/v1"
req POST /users '{"name":"alice","role":"agent","extension":"1001","password":"alice-secret"}' >/dev/null
req POST /users '{"name":"sam","role":"supervisor","queues":["sales"],"password":"sam-secret"}' >/dev/null
c=$(req POST /customers '{"name":"Ann Lee","identities":[{"kind":"phone","value":"4155550100"}]}')
ann=$(j 'j["id"]')
check "Ann is made" test "$c" = 201
c=$(req POST /tickets "{\"subject\":\"Upgrade\",\"group\":\"sales\",\"customer\":\"$ann\"}")
t_sales=$(j 'j["id"]')
c=$(req POST /tickets "{\"subject\":\"Broken\",\"group\":\"support\",\"customer\":\"$ann\"}")
t_support=$(j 'j["id"]')
c=$(req POST "/tickets/$t_sales/notes" '{"text":"sales internal: discount ok","public":false}')
c=$(req POST "/tickets/$t_support/notes" '{"text":"support internal: password is hunter2","public":false}')
check "two tickets, each with an internal note" test "$c" = 204 -a -n "$t_sales" -a -n "$t_support"

# two finished calls of Ann's, wrapped up, as the call controller stores them
stop_hotline
now=$(($(date +%s) * 1000))
db "INSERT INTO calls (id, caller, called, queue, agent, created, answered, ended, outcome, customer)
      VALUES ('c-sales', '4155550100', '5000', 'sales', '1001', $((now - 9000)), $((now - 8000)), $((now - 7000)), 'answered', '$ann'),
             ('c-support', '4155550100', '5000', 'support', '1003', $((now - 6000)), $((now - 5000)), $((now - 4000)), 'answered', '$ann');
    INSERT INTO events (ts, type, call, agent, queue) VALUES
      ($((now - 8000)), 'call.answered', 'c-sales', '1001', 'sales'),
      ($((now - 5000)), 'call.answered', 'c-support', '1003', 'support');
    INSERT INTO wrapups (call, agent, disposition, notes, ts) VALUES
      ('c-sales', '1001', 'sale', 'sales wrap: sold the pro plan', $((now - 7000))),
      ('c-support', '1003', 'resolved', 'support wrap: card ending 4242', $((now - 4000)));"
start_hotline
check "alice signs in" session_jar alice alice-secret
check "sam signs in" session_jar sam sam-secret
# as USER METHOD PATH: the status, the body in $T/r.json
as() { curl -s -o "$T/r.json" -w '%{http_code}' -b "$T/$1.jar" -X "$2" "$URL$3"; }

c=$(as alice GET /calls/c-support)
check "alice may not open carol's support call on its route (403)" test "$c" = 403
c=$(as alice GET "/tickets/$t_support")
check "... nor the support ticket (403)" test "$c" = 403
c=$(as alice GET "/customers/$ann/timeline")
check "alice's timeline of Ann: her sales call with its wrap-up" \
	is 200 '[i["id"] for i in j["timeline"] if i["kind"] == "call"] == ["c-sales"] and "sold the pro plan" in json.dumps(j)'
check "... not the support call's wrap-up" bash -c "! grep -q 'card ending 4242' '$T/r.json'"
check "... the sales ticket and its internal note" \
	bash -c "grep -q '$t_sales' '$T/r.json' && grep -q 'discount ok' '$T/r.json'"
check "... not the support ticket nor its internal note" \
	bash -c "! grep -q '$t_support' '$T/r.json' && ! grep -q 'hunter2' '$T/r.json'"
# the newest call and ticket are support's: a limit of 1 must page past
# them to what alice may see, not answer an empty timeline
c=$(as alice GET "/customers/$ann/timeline?limit=1")
check "alice's timeline with limit=1: one item of hers, not none" \
	is 200 'len(j["timeline"]) == 1 and "'"$t_support"'" not in json.dumps(j)'
c=$(as sam GET "/customers/$ann/export")
check "sam's export of Ann (supervisor of sales): the sales call and ticket" \
	is 200 '"c-sales" in json.dumps(j) and "'"$t_sales"'" in json.dumps(j)'
check "... not the support call's wrap-up, ticket or note" \
	bash -c "! grep -q 'c-support\|4242\|$t_support\|hunter2' '$T/r.json'"
c=$(req GET "/customers/$ann/timeline")
check "the admin sees both calls, both tickets and both notes" \
	is 200 'sum(i["kind"] == "call" for i in j["timeline"]) == 2 and sum(i["kind"] == "ticket" for i in j["timeline"]) == 2 and "hunter2" in json.dumps(j) and "4242" in json.dumps(j)'
finish
