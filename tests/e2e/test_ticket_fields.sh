#!/usr/bin/env bash
# Tickets' custom fields against the real server: the tenant declares
# tickets.fields; a new ticket's fields are checked, stored and returned
# (by id and in lists); an undeclared key, a value of the wrong type and a
# required field missing are 422s naming the field and store nothing. A
# change merges the keys it gives into the stored ones, null removing an
# optional one (a required one cannot go), is checked the same way, is a
# "fields" line of the history naming the keys and a ticket.updated
# event. A key the tenant no longer declares stays until removed; with
# nothing declared, any key with a text value is kept.
source "$(dirname "$0")/lib.sh"
cp "$E2E_DIR/tenant.yaml" "$T/tenant.yaml"
cat >>"$T/tenant.yaml" <<'YAML'
tickets:
  fields:
    - {name: order_no, type: text, label: Order number, required: true}
    - {name: refund, type: bool, label: Refund requested}
    - {name: amount, type: number, label: Amount}
    - {name: delivered, type: date, label: Delivered on}
    - {name: reason, type: choice, label: Reason, options: [damaged, late, wrong_item]}
YAML
TENANT=$T/tenant.yaml start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
req() { curl -s -o "$T/body.json" -w '%{http_code}' -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' "$@"; }
jq_() { python3 -c "import json,sys; d=json.load(open('$T/body.json')); print(eval(sys.argv[1]))" "$1"; }
signin() { curl -s -H 'Content-Type: application/json' -d "{\"user\":\"$1\",\"password\":\"$2\"}" "$URL/api/v1/session" -c - | awk '/hl_session/ {print $7}'; }
as() { local c=$1; shift; curl -s -o "$T/body.json" -w '%{http_code}' -b "hl_session=$c" -H 'Content-Type: application/json' "$@"; }
# the error's code and the message up to its first colon: "422/bad_custom_field/fields.reason"
refused() { echo "$1/$(jq_ 'd["error"]["code"]')/$(jq_ 'd["error"]["message"].split(":")[0]')"; }
# what is stored: the tickets, their fields, the history lines
stored() { db "SELECT count(*) || '/' || group_concat(fields, ' ') FROM tickets"; }
lines() { db 'SELECT count(*) FROM ticket_history'; }

req -d '{"name":"carol","role":"agent","extension":"1003","password":"carol-secret"}' "$URL/api/v1/users" >/dev/null
carol=$(signin carol carol-secret)

# --- a new ticket ------------------------------------------------------------------
c=$(as "$carol" -d '{"subject":"Broken on arrival","group":"support","fields":{"order_no":"A-1017","refund":true,"amount":49.5,"delivered":"2026-02-28","reason":"damaged"}}' "$URL/api/v1/tickets")
t1=$(jq_ 'd.get("id","")')
check "declared fields of every type: 201, returned" \
	test "$c/$(jq_ 'd["fields"]')" = "201/{'amount': 49.5, 'delivered': '2026-02-28', 'order_no': 'A-1017', 'reason': 'damaged', 'refund': True}"
check "... stored as one JSON object" \
	test "$(db "SELECT fields FROM tickets WHERE id='$t1'")" = '{"amount":49.5,"delivered":"2026-02-28","order_no":"A-1017","reason":"damaged","refund":true}'
check "... read back by id and in the list" \
	test "$(req "$URL/api/v1/tickets/$t1")/$(jq_ 'd["fields"]["order_no"]')/$(req "$URL/api/v1/tickets")/$(jq_ '[t["fields"].get("reason") for t in d["tickets"]]')" = "200/A-1017/200/['damaged']"
before=$(stored); hist=$(lines)

c=$(req -d '{"subject":"X","fields":{"order_no":"A-1","colour":"red"}}' "$URL/api/v1/tickets")
check "an undeclared key: 422 naming it and the declared ones" \
	test "$(refused "$c")/$(jq_ 'd["error"]["message"]')" = \
	"422/bad_custom_field/fields.colour/fields.colour: not a declared field (order_no, refund, amount, delivered, reason)"
c=$(req -d '{"subject":"X","fields":{"order_no":"A-1","amount":"ten"}}' "$URL/api/v1/tickets")
check "a number that is text: 422 naming the field and the type" \
	test "$(refused "$c")/$(jq_ 'd["error"]["message"]')" = "422/bad_custom_field/fields.amount/fields.amount: a number expected"
c=$(req -d '{"subject":"X","fields":{"order_no":"A-1","refund":"yes"}}' "$URL/api/v1/tickets")
check "a bool that is text: 422" test "$(refused "$c")" = "422/bad_custom_field/fields.refund"
c=$(req -d '{"subject":"X","fields":{"order_no":"A-1","delivered":"2026-02-30"}}' "$URL/api/v1/tickets")
check "a day that does not exist: 422" test "$(refused "$c")" = "422/bad_custom_field/fields.delivered"
c=$(req -d '{"subject":"X","fields":{"order_no":"A-1","reason":"bored"}}' "$URL/api/v1/tickets")
check "a choice not among the options: 422 listing them" \
	test "$(refused "$c")/$(jq_ 'd["error"]["message"].split(": ",1)[1]')" = \
	"422/bad_custom_field/fields.reason/\"bored\" is not one of the options (damaged, late, wrong_item)"
c=$(req -d '{"subject":"X","fields":{"refund":true}}' "$URL/api/v1/tickets")
check "a required field missing: 422" \
	test "$(refused "$c")/$(jq_ 'd["error"]["message"]')" = "422/bad_custom_field/fields.order_no/fields.order_no: required"
c=$(req -d '{"subject":"X"}' "$URL/api/v1/tickets")
check "no fields at all, one of them required: 422" test "$(refused "$c")" = "422/bad_custom_field/fields.order_no"
c=$(req -d '{"subject":"X","fields":{"order_no":""}}' "$URL/api/v1/tickets")
check "a required field empty: 422" test "$(refused "$c")" = "422/bad_custom_field/fields.order_no"
c=$(req -d '{"subject":"X","fields":{"order_no":null}}' "$URL/api/v1/tickets")
check "a required field null: 422" test "$(refused "$c")/$(jq_ 'd["error"]["message"]')" = "422/bad_custom_field/fields.order_no/fields.order_no: required"
c=$(req -d '{"subject":"X","fields":["order_no"]}' "$URL/api/v1/tickets")
check "fields that are not an object: 400" test "$(refused "$c")" = "400/bad_field/fields"
check "nothing was stored by the refused requests" test "$(stored)/$(lines)" = "$before/$hist"
c=$(req -d '{"subject":"Late","fields":{"order_no":"A-2","reason":null}}' "$URL/api/v1/tickets")
t2=$(jq_ 'd.get("id","")')
check "an optional field null on a new ticket: left out" test "$c/$(jq_ 'd["fields"]')" = "201/{'order_no': 'A-2'}"

# --- changes merge --------------------------------------------------------------------
c=$(as "$carol" -X PATCH -d '{"fields":{"refund":false,"reason":"late"}}' "$URL/api/v1/tickets/$t1")
check "a change merges the keys it gives (200), the others kept" \
	test "$c/$(jq_ 'd["fields"]')" = "200/{'amount': 49.5, 'delivered': '2026-02-28', 'order_no': 'A-1017', 'reason': 'late', 'refund': False}"
c=$(as "$carol" -X PATCH -d '{"fields":{"reason":null,"amount":null}}' "$URL/api/v1/tickets/$t1")
check "null removes an optional field" \
	test "$c/$(jq_ 'sorted(d["fields"])')" = "200/['delivered', 'order_no', 'refund']"
before=$(stored); hist=$(lines)
c=$(req -X PATCH -d '{"fields":{"order_no":null}}' "$URL/api/v1/tickets/$t1")
check "a required field cannot be removed: 422" \
	test "$(refused "$c")/$(jq_ 'd["error"]["message"]')" = "422/bad_custom_field/fields.order_no/fields.order_no: required"
c=$(req -X PATCH -d '{"fields":{"order_no":""}}' "$URL/api/v1/tickets/$t1")
check "... nor emptied" test "$(refused "$c")" = "422/bad_custom_field/fields.order_no"
c=$(req -X PATCH -d '{"fields":{"colour":"red"}}' "$URL/api/v1/tickets/$t1")
check "a change with an undeclared key: 422" test "$(refused "$c")" = "422/bad_custom_field/fields.colour"
c=$(req -X PATCH -d '{"fields":{"colour":null}}' "$URL/api/v1/tickets/$t1")
check "... removing one the ticket does not have: 422 too" test "$(refused "$c")" = "422/bad_custom_field/fields.colour"
c=$(req -X PATCH -d '{"status":"open","fields":{"amount":"ten"}}' "$URL/api/v1/tickets/$t1")
check "a change with a wrong type: 422, its other parts not made either" \
	test "$(refused "$c")/$(db "SELECT status FROM tickets WHERE id='$t1'")" = "422/bad_custom_field/fields.amount/new"
check "nothing was stored by the refused changes" test "$(stored)/$(lines)" = "$before/$hist"
c=$(as "$carol" -X PATCH -d '{"status":"open"}' "$URL/api/v1/tickets/$t1")
check "a change without fields leaves them" test "$c/$(jq_ 'sorted(d["fields"])')" = "200/['delivered', 'order_no', 'refund']"
c=$(req -X PATCH -d '{"fields":{"refund":false}}' "$URL/api/v1/tickets/$t1")
check "the same value again: 200, no history line" test "$c/$(lines)" = "200/$((hist + 1))"

req "$URL/api/v1/tickets/$t1" >/dev/null
check "the history has each change of fields by whom, naming the keys" \
	test "$(jq_ '"|".join(h["user"]+":"+h["text"] for h in d["history"] if h["kind"] == "fields")')" = \
	"carol:reason, refund|carol:removed: amount, reason"
check "each is a ticket.updated event saying fields" \
	test "$(wait_for "SELECT count(*) FROM events WHERE type='ticket.updated' AND data LIKE '%$t1%' AND json_extract(data, '\$.what') LIKE '%fields%' AND json_extract(data, '\$.by') = 'carol'" 5)" -ge 2

# --- a declaration withdrawn; nothing declared --------------------------------------------
stop_hotline
sed -i '/{name: delivered/d' "$T/tenant.yaml"
TENANT=$T/tenant.yaml start_hotline
c=$(req -X PATCH -d '{"fields":{"refund":true}}' "$URL/api/v1/tickets/$t1")
check "a key no longer declared stays through a change of the others" \
	test "$c/$(jq_ 'd["fields"]')" = "200/{'delivered': '2026-02-28', 'order_no': 'A-1017', 'refund': True}"
c=$(req -X PATCH -d '{"fields":{"delivered":"2026-03-01"}}' "$URL/api/v1/tickets/$t1")
check "... may not be set again (422)" test "$(refused "$c")" = "422/bad_custom_field/fields.delivered"
c=$(req -X PATCH -d '{"fields":{"delivered":null}}' "$URL/api/v1/tickets/$t1")
check "... and goes with null" test "$c/$(jq_ 'd["fields"]')" = "200/{'order_no': 'A-1017', 'refund': True}"

stop_hotline
sed -i '/^tickets:/,$d' "$T/tenant.yaml"
TENANT=$T/tenant.yaml start_hotline
c=$(req -d '{"subject":"Free","fields":{"colour":"red"}}' "$URL/api/v1/tickets")
check "nothing declared: a new ticket needs no fields, any key with a text value is kept" \
	test "$c/$(jq_ 'd["fields"]')/$(req -d '{"subject":"None"}' "$URL/api/v1/tickets")" = "201/{'colour': 'red'}/201"
c=$(req -d '{"subject":"X","fields":{"seats":12}}' "$URL/api/v1/tickets")
check "nothing declared: a value that is not text is a 400" test "$(refused "$c")" = "400/bad_field/fields.seats"
check "tickets stored under the declarations still read" \
	test "$(req "$URL/api/v1/tickets/$t2")/$(jq_ 'd["fields"]')" = "200/{'order_no': 'A-2'}"
finish
