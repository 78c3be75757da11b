#!/usr/bin/env bash
# Customers through the API and on calls: made with identities normalised
# (E.164, lower-case e-mail); a number that is someone else's is a 409
# naming them, one that cannot be E.164 a 422 with the reason; search by
# name, company, tag, number and e-mail; a VIP caller (tier vip, priority
# +10) waiting after a normal one is answered first, and the call is tied
# to the customer (timeline); export; merge (identities and calls move,
# audited); forget (confirmed; identity, recording and caller number gone,
# the call still counted).
source "$(dirname "$0")/lib.sh"
start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
req() { curl -s -o "$T/body.json" -w '%{http_code}' -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' "$@"; }
jq_() { python3 -c "import json,sys; d=json.load(open('$T/body.json')); print(eval(sys.argv[1]))" "$1"; }

c=$(req -d '{"name":"Ann Lee","company":"Acme Widgets","tier":"vip","tags":["gold","renewal"],"identities":[{"kind":"phone","value":"(415) 555-0100"},{"kind":"email","value":"Ann@Example.com"}],"fields":{"account":"A-17"}}' "$URL/api/v1/customers")
ann=$(jq_ 'd.get("id","")')
check "a VIP customer is made (201) with identities normalised" \
	test "$c/$(jq_ '[i["value"] for i in d["identities"]]')" = "201/['ann@example.com', '+14155550100']"
c=$(req -d '{"name":"Bob Stone","identities":[{"kind":"phone","value":"415-555-0101"}]}' "$URL/api/v1/customers")
bob=$(jq_ 'd.get("id","")')
check "a normal customer is made, tier defaulting to the first" test "$c/$(jq_ 'd["tier"]')" = 201/normal
c=$(req -d '{"name":"Copy Cat","identities":[{"kind":"phone","value":"+1 415 555 0100"}]}' "$URL/api/v1/customers")
check "a number that is Ann's: 409 naming her" test "$c/$(jq_ 'd["error"]["customer"]')" = "409/$ann"
c=$(req -d '{"name":"Bad Number","identities":[{"kind":"phone","value":"12ab"}]}' "$URL/api/v1/customers")
check "a number that cannot be E.164: 422 with the reason" \
	test "$c/$(jq_ 'd["error"]["code"]')/$(jq_ '"only digits" in d["error"]["message"]')" = 422/bad_identity/True
c=$(req -d '{"name":"X","tier":"platinum"}' "$URL/api/v1/customers")
check "an unknown tier: 400 naming the field" test "$c/$(jq_ 'd["error"]["message"].split(":")[0]')" = 400/tier
check "nothing was made by the refused requests" test "$(db 'SELECT count(*) FROM customers')" = 2

got=""
for q in "ann" "acme" "gold" "4155550100" "%2B1%20415%20555%200100" "ann%40example.com" "sto"; do
	req "$URL/api/v1/customers?q=$q" >/dev/null
	got="$got $(jq_ '",".join(c["name"] for c in d["customers"])')"
done
check "search by name, company, tag, number (any form), e-mail, prefix" \
	test "$got" = " Ann Lee Ann Lee Ann Lee Ann Lee Ann Lee Ann Lee Bob Stone"

# a VIP caller jumps the queue: both wait in sales (nobody free), Bob first
adm_state() { req -d "$2" "$URL/api/v1/agents/$1/state" >/dev/null; }
adm_state 1001 '{"state":"logged_out"}'
adm_state 1002 '{"state":"paused","reason":"lunch"}'
make_agent agent.xml answer
agent_up 1001 alice-1001 "$AGENT_PORT1" "$MEDIA_PORT0" agent.xml || finish
make_ivr_caller caller.xml rfc4733 1 wait
sipp_bg bob caller.xml "$CALLER_PORT" -s 5000 -key caller 4155550101 -m 1 -mp "$MEDIA_PORT1" >/dev/null
wait_for "SELECT 1 FROM events WHERE type='queue.entered' AND data LIKE '%4155550101%'" 15 >/dev/null
sipp_bg ann caller.xml "$CALLER_PORT2" -s 5000 -key caller 4155550100 -m 1 -mp "$MEDIA_PORT2" >/dev/null
check "both callers wait in sales, Ann with priority 10" \
	test -n "$(wait_for "SELECT 1 FROM events WHERE type='queue.entered' AND data LIKE '%\"priority\":10%'" 15)"
adm_state 1001 '{"state":"available"}'
first=$(wait_for "SELECT c.caller FROM events e JOIN calls c ON c.id = e.call WHERE e.type='call.answered' ORDER BY e.id LIMIT 1" 15)
check "the VIP is answered first, though she came second" test "$first" = 4155550100
annc=$(db "SELECT id FROM calls WHERE caller='4155550100'")
check "the call is tied to Ann" test "$(db "SELECT customer FROM calls WHERE id='$annc'")" = "$ann"
check "the ringing event carries the customer for the screen pop" \
	test -n "$(db "SELECT 1 FROM events WHERE call='$annc' AND type='agent.ringing' AND data LIKE '%\"customer_name\":\"Ann Lee\"%'")"
bobc=$(db "SELECT id FROM calls WHERE caller='4155550101'")

# Bob is still waiting on the line: he cannot be forgotten now; merged into
# Ann, his call goes on as hers and is stored so when it ends
check "a customer on a call is not forgotten (409 saying so)" \
	bash -c "[ \"\$(curl -s -o '$T/f.json' -w '%{http_code}' -H 'Authorization: Bearer test-token' -X DELETE '$URL/api/v1/customers/$bob?confirm=$bob')\" = 409 ] && grep -q 'on a call' '$T/f.json'"
c=$(req -d "{\"from\":\"$bob\"}" "$URL/api/v1/customers/$ann/merge")
check "Bob is merged into Ann while his call goes on" test "$c/$(jq_ 'len(d["identities"])')" = 200/3
check "Bob is gone (404)" test "$(req "$URL/api/v1/customers/$bob")" = 404
for p in "${SIPP_PIDS[@]}"; do kill "$p" 2>/dev/null; done
wait_for "SELECT 1 FROM calls WHERE id='$annc' AND ended > 0" 10 >/dev/null
wait_for "SELECT 1 FROM calls WHERE id='$bobc' AND ended > 0" 10 >/dev/null
check "Bob's call, live at the merge, is stored as Ann's when it ends" \
	test "$(db "SELECT customer FROM calls WHERE id='$bobc'")" = "$ann"
check "Ann's timeline has both calls" test "$(req "$URL/api/v1/customers/$ann/timeline")/$(jq_ 'sorted(t["id"] for t in d["timeline"])')" = "200/$(python3 -c "print(sorted(['$annc','$bobc']))")"
check "the export holds her record, identities and calls" \
	test "$(req "$URL/api/v1/customers/$ann/export")/$(jq_ 'd["fields"]["account"]+"/"+str(len(d["identities"]))+"/"+str(len(d["interactions"]))')" = "200/A-17/3/2"

# a ticket for Ann and a note on it join her timeline, newest first
req -d "{\"subject\":\"Wants a refund\",\"customer\":\"$ann\",\"call\":\"$annc\"}" "$URL/api/v1/tickets" >/dev/null
tk=$(jq_ 'd["id"]')
sleep 0.05
req -d '{"text":"Refund approved."}' "$URL/api/v1/tickets/$tk/notes" >/dev/null
sleep 0.3 # the store's thread writes the history
check "the timeline: the note, the ticket, then the calls" \
	test "$(req "$URL/api/v1/customers/$ann/timeline")/$(jq_ '",".join(t["kind"] for t in d["timeline"])')/$(jq_ 'd["timeline"][0]["text"]+"/"+d["timeline"][1]["ticket"]["subject"]')" = "200/note,ticket,call,call/Refund approved./Wants a refund"
check "the export has the ticket and the note too" \
	test "$(req "$URL/api/v1/customers/$ann/export")/$(jq_ 'len(d["interactions"])')" = 200/4

# an agent may not forget customers; forgetting needs confirming
curl -s -o /dev/null -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' \
	-d '{"name":"alice","role":"agent","extension":"1001","password":"alice-secret"}' "$URL/api/v1/users"
alice=$(curl -s -H 'Content-Type: application/json' -d '{"user":"alice","password":"alice-secret"}' "$URL/api/v1/session" -c - | awk '/hl_session/ {print $7}')
check "an agent may not forget a customer (403)" \
	test "$(curl -s -o /dev/null -w '%{http_code}' -b "hl_session=$alice" -X DELETE "$URL/api/v1/customers/$ann?confirm=$ann")" = 403
check "an agent finds Ann by number" \
	test "$(curl -s -b "hl_session=$alice" "$URL/api/v1/customers?q=4155550100" | python3 -c 'import json,sys; print(json.load(sys.stdin)["customers"][0]["name"])')" = "Ann Lee"
check "forgetting without confirming: 409" test "$(req -X DELETE "$URL/api/v1/customers/$ann")" = 409
rec=$(db "SELECT recording FROM calls WHERE id='$annc'")
check "forgotten with confirming (204)" test "$(req -X DELETE "$URL/api/v1/customers/$ann?confirm=$ann")" = 204
check "her record and identities are gone" test "$(db 'SELECT count(*) FROM customers')/$(db 'SELECT count(*) FROM identities')" = 0/0
check "her calls stay, without number, recording or link" \
	test "$(db "SELECT count(*) FROM calls WHERE caller='forgotten' AND recording='' AND customer IS NULL")" = 2
[ -n "$rec" ] && check "her recording file is removed" test ! -e "$T/data/$rec"
check "her number is gone from the events" test "$(db "SELECT count(*) FROM events WHERE data LIKE '%4155550100%'")" = 0
check "the queue's figures still count her call" \
	test "$(req "$URL/api/v1/queues/sales/stats")/$(jq_ 'd["stats"]["answered"]')" = 200/1
check "search finds her no more" test "$(req "$URL/api/v1/customers?q=ann")/$(jq_ 'len(d["customers"])')" = 200/0
req "$URL/api/v1/audit?action=customer.forget" >/dev/null
check "the forgetting is audited" test "$(jq_ 'd["entries"][0]["target"]')" = "$ann"
finish
