#!/usr/bin/env bash
# Custom fields against the real server: the tenant declares them
# (crm.fields, tickets.fields) and GET /api/v1/fields serves them to any
# signed-in user; a customer's declared fields are accepted and stored;
# an undeclared key, a value of the wrong type, a choice not among the
# options, a day that does not exist and a required field missing are
# 422s naming the field, and store nothing; a change that gives fields
# replaces them and is checked the same way. A tenant that declares
# nothing keeps free keys, and a bad declaration is refused at its line.
source "$(dirname "$0")/lib.sh"
cp "$E2E_DIR/tenant.yaml" "$T/tenant.yaml"
sed -i 's|^crm: .*|crm:\
  country: "1"\
  fields:\
    - {name: account, type: text, label: Account number}\
    - {name: plan, type: choice, label: Plan, options: [basic, pro], required: true}\
    - {name: since, type: date}\
    - {name: seats, type: number}\
    - {name: newsletter, type: bool}|' "$T/tenant.yaml"
cat >>"$T/tenant.yaml" <<'YAML'
tickets:
  fields:
    - {name: order_no, type: text, label: Order number, required: true}
YAML
TENANT=$T/tenant.yaml start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
req() { curl -s -o "$T/body.json" -w '%{http_code}' -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' "$@"; }
jq_() { python3 -c "import json,sys; d=json.load(open('$T/body.json')); print(eval(sys.argv[1]))" "$1"; }
signin() { curl -s -H 'Content-Type: application/json' -d "{\"user\":\"$1\",\"password\":\"$2\"}" "$URL/api/v1/session" -c - | awk '/hl_session/ {print $7}'; }
as() { local c=$1; shift; curl -s -o "$T/body.json" -w '%{http_code}' -b "hl_session=$c" -H 'Content-Type: application/json' "$@"; }
# the error's code and the message up to its first colon: "422/bad_custom_field/fields.plan"
refused() { echo "$1/$(jq_ 'd["error"]["code"]')/$(jq_ 'd["error"]["message"].split(":")[0]')"; }

# --- the declarations ---------------------------------------------------------
req -d '{"name":"alice","role":"agent","extension":"1001","password":"alice-secret"}' "$URL/api/v1/users" >/dev/null
alice=$(signin alice alice-secret)
c=$(as "$alice" "$URL/api/v1/fields")
check "GET /fields for an agent: the customer's and the ticket's fields, in order" \
	test "$c/$(jq_ '[f["name"] for f in d["customer"]]')/$(jq_ '[f["name"] for f in d["ticket"]]')" = \
	"200/['account', 'plan', 'since', 'seats', 'newsletter']/['order_no']"
check "GET /fields: type, label, options and required of each" \
	test "$(jq_ 'd["customer"][1]')/$(jq_ 'd["customer"][0]')/$(jq_ 'd["ticket"][0]["required"]')" = \
	"{'name': 'plan', 'label': 'Plan', 'type': 'choice', 'required': True, 'options': ['basic', 'pro']}/{'name': 'account', 'label': 'Account number', 'type': 'text', 'required': False}/True"
check "GET /fields without signing in: 401" \
	test "$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/v1/fields")" = 401

# --- customers ---------------------------------------------------------------
c=$(req -d '{"name":"Ann Lee","fields":{"account":"A-17","plan":"pro","since":"2024-02-29","seats":12,"newsletter":true}}' "$URL/api/v1/customers")
ann=$(jq_ 'd.get("id","")')
check "declared fields of every type are accepted (201) and returned" \
	test "$c/$(jq_ 'd["fields"]')" = "201/{'account': 'A-17', 'newsletter': True, 'plan': 'pro', 'seats': 12, 'since': '2024-02-29'}"
check "... and stored" \
	test "$(req "$URL/api/v1/customers/$ann")/$(jq_ 'd["fields"]["plan"]+"/"+str(d["fields"]["seats"])')" = 200/pro/12
c=$(req -d '{"name":"X","fields":{"plan":"pro","colour":"red"}}' "$URL/api/v1/customers")
check "an undeclared key: 422 naming it" \
	test "$(refused "$c")/$(jq_ '"not a declared field" in d["error"]["message"]')" = "422/bad_custom_field/fields.colour/True"
c=$(req -d '{"name":"X","fields":{"plan":"pro","seats":"twelve"}}' "$URL/api/v1/customers")
check "a number that is text: 422 naming the field and the type" \
	test "$(refused "$c")/$(jq_ 'd["error"]["message"]')" = "422/bad_custom_field/fields.seats/fields.seats: a number expected"
c=$(req -d '{"name":"X","fields":{"plan":"pro","newsletter":"yes"}}' "$URL/api/v1/customers")
check "a bool that is text: 422" test "$(refused "$c")" = "422/bad_custom_field/fields.newsletter"
c=$(req -d '{"name":"X","fields":{"plan":"gold"}}' "$URL/api/v1/customers")
check "a choice not among the options: 422 listing them" \
	test "$(refused "$c")/$(jq_ 'd["error"]["message"].split(": ",1)[1]')" = \
	"422/bad_custom_field/fields.plan/\"gold\" is not one of the options (basic, pro)"
c=$(req -d '{"name":"X","fields":{"plan":"pro","since":"2023-02-29"}}' "$URL/api/v1/customers")
check "a day that does not exist: 422" \
	test "$(refused "$c")/$(jq_ '"not a date" in d["error"]["message"]')" = "422/bad_custom_field/fields.since/True"
c=$(req -d '{"name":"X","fields":{"account":"A-18"}}' "$URL/api/v1/customers")
check "a required field missing: 422" \
	test "$(refused "$c")/$(jq_ 'd["error"]["message"]')" = "422/bad_custom_field/fields.plan/fields.plan: required"
c=$(req -d '{"name":"X"}' "$URL/api/v1/customers")
check "no fields at all, one of them required: 422" test "$(refused "$c")" = "422/bad_custom_field/fields.plan"
c=$(req -d '{"name":"X","fields":["plan"]}' "$URL/api/v1/customers")
check "fields that are not an object: 400 as before" test "$(refused "$c")" = "400/bad_field/fields"
check "nothing was made by the refused requests" test "$(db 'SELECT count(*) FROM customers')" = 1

c=$(req -X PATCH -d '{"fields":{"plan":"basic","account":"A-17b"}}' "$URL/api/v1/customers/$ann")
check "a change that gives fields replaces them (200)" \
	test "$c/$(jq_ 'd["fields"]')" = "200/{'account': 'A-17b', 'plan': 'basic'}"
c=$(req -X PATCH -d '{"fields":{"plan":"basic","colour":"red"}}' "$URL/api/v1/customers/$ann")
check "a change with an undeclared key: 422, nothing changed" \
	test "$(refused "$c")/$(req "$URL/api/v1/customers/$ann")/$(jq_ 'd["fields"]["account"]')" = "422/bad_custom_field/fields.colour/200/A-17b"
c=$(req -X PATCH -d '{"fields":{"account":"A-19"}}' "$URL/api/v1/customers/$ann")
check "a change whose fields lack a required one: 422" test "$(refused "$c")" = "422/bad_custom_field/fields.plan"
c=$(as "$alice" -X PATCH -d '{"notes":"called twice"}' "$URL/api/v1/customers/$ann")
check "a change without fields leaves them (an agent's, 200)" \
	test "$c/$(jq_ 'd["fields"]["plan"]+"/"+d["notes"]')" = "200/basic/called twice"

# --- a tenant that declares nothing; a bad declaration ---------------------------
stop_hotline
sed -i '/^crm:/,/^queues:/{/^queues:/!d}' "$T/tenant.yaml"
sed -i 's/^queues:/crm: {country: "1"}\nqueues:/' "$T/tenant.yaml"
sed -i '/^tickets:/,$d' "$T/tenant.yaml"
TENANT=$T/tenant.yaml start_hotline
c=$(req "$URL/api/v1/fields")
check "nothing declared: GET /fields has empty lists" test "$c/$(jq_ 'd')" = "200/{'customer': [], 'ticket': []}"
c=$(req -d '{"name":"Free Keys","fields":{"colour":"red"}}' "$URL/api/v1/customers")
check "nothing declared: any key with a text value, as before" test "$c/$(jq_ 'd["fields"]')" = "201/{'colour': 'red'}"
c=$(req -d '{"name":"X","fields":{"seats":12}}' "$URL/api/v1/customers")
check "nothing declared: a value that is not text is a 400, as before" test "$(refused "$c")" = "400/bad_field/fields.seats"
check "a customer stored under the declarations still reads" \
	test "$(req "$URL/api/v1/customers/$ann")/$(jq_ 'd["fields"]["plan"]')" = 200/basic

cat >"$T/bad.yaml" <<'YAML'
crm:
  fields:
    - {name: plan, type: choice}
    - {name: plan, type: colour}
YAML
out=$("$HOTLINE" check-config --tenant "$T/bad.yaml" 2>&1)
check "a bad declaration is refused at its line and key" \
	bash -c "grep -q '$T/bad.yaml:3: crm.fields.options: field \"plan\" is a choice and needs options' <<<'$out' &&
		grep -q '$T/bad.yaml:4: crm.fields.name: field \"plan\" is already declared on line 3' <<<'$out' &&
		grep -q '$T/bad.yaml:4: crm.fields.type: \"colour\" is not a field type' <<<'$out'"
finish
