#!/usr/bin/env bash
# The admin's forms over the API, on a running hotline with a writable
# tenant file: a new agent (POST /agents) registers its phone at once; its
# skills changed (PATCH) show in GET /skills; pause reasons replaced (PUT)
# and an agent pauses with a new one; dispositions replaced; business
# hours added and changed, listed with open_now; flows listed with the
# numbers that reach them; lists paged (limit, offset, total) and
# filtered; every refusal with its status (400 unknown field, 401, 403
# wrong role, 404, 409, 422 naming the key); and the file keeps its
# comments and layout.
source "$(dirname "$0")/lib.sh"
cp "$E2E_DIR/tenant.yaml" "$T/tenant.yaml"
TENANT=$T/tenant.yaml start_hotline
URL="http://127.0.0.1:$HTTP_PORT/api/v1"

# --- agents ---------------------------------------------------------------
c=$(req POST /agents '{"ext":"1009","name":"Nina","password":"nina-1009","skills":{"english":7,"billing":3},"capacity":{"voice":1,"chat":2}}')
check "POST /agents makes agent 1009: saved and applied (201)" is 201 'j["saved"] and j["applied"] and j["next_start"] == []'
c=$(req GET /agents/1009)
check "agent 1009 is there at once, with its skills and capacity" \
	is 200 'j["name"] == "Nina" and j["state"] == "available" and j["skills"] == {"english": 7, "billing": 3} and j["capacity"]["chat"] == 2'
check "its phone registers with the new password at once" register 1009 nina-1009 "$AGENT_PORT1"
check "the new agent's line is at the agents' indentation, after Dave" \
	grep -A1 -q '^  - {ext: "1004", name: Dave, password: dave-1004}$' "$T/tenant.yaml"
check "... written as one flow line" \
	grep -q '^  - {"ext": "1009", "name": "Nina", "password": "nina-1009", "skills": {"english": 7, "billing": 3}, "capacity": {"voice": 1, "chat": 2}}$' "$T/tenant.yaml"
c=$(req POST /agents '{"ext":"1009","name":"Again","password":"x-1009"}')
check "the same extension again is 409" is 409 '"1009" in j["error"]["message"]'
c=$(req POST /agents '{"ext":"1010","password":"p","colour":"red"}')
check "an unknown field is 400 naming it" is 400 'j["error"]["message"].startswith("colour: unknown field")'
c=$(req POST /agents '{"ext":"1010","name":"Zed"}')
check "no password is 422 naming it" is 422 'j["error"]["errors"][0]["key"] == "password"'
c=$(req POST /agents '{"ext":"1010","password":"p","skills":{"english":11}}')
check "a skill level out of range is 422 with the check's line and key" \
	is 422 'j["error"]["errors"][0]["key"] == "agents.skills" and j["error"]["errors"][0]["line"] > 0'
c=$(req POST /agents '{"ext":"1010","password":"p","capacity":{"fax":1}}')
check "an unknown channel is 422 naming agents.capacity" is 422 '"fax" in j["error"]["errors"][0]["message"]'
check "... and nothing was written" bash -c "! grep -q '1010' '$T/tenant.yaml'"

c=$(req PATCH /agents/1009 '{"skills":{"english":9,"spanish":4},"name":"Nina Ray"}')
check "PATCH /agents/1009 changes skills and name in place" is 200 'j["applied"]'
c=$(req GET /agents/1009)
check "... applied at once" is 200 'j["name"] == "Nina Ray" and j["skills"] == {"english": 9, "spanish": 4}'
check "... the password kept when not sent" grep -q '"password": "nina-1009"' "$T/tenant.yaml"
c=$(req GET /skills)
check "GET /skills lists english and spanish with 1009 and its levels" \
	is 200 'j["total"] == 2 and [s["name"] for s in j["skills"]] == ["english", "spanish"] and j["skills"][1]["agents"] == [{"ext": "1009", "name": "Nina Ray", "level": 4}]'
c=$(req GET '/skills?agent=1001')
check "GET /skills?agent=1001: none (Alice has no skills)" is 200 'j["total"] == 0 and j["skills"] == []'
c=$(req GET '/skills?agent=1009&limit=1&offset=1')
check "GET /skills?agent=1009 paged: the second of two" is 200 'j["total"] == 2 and [s["name"] for s in j["skills"]] == ["spanish"]'
c=$(req PATCH /agents/9999 '{"name":"Nobody"}')
check "PATCH of an unknown agent is 404" is 404 'True'
c=$(req PATCH /agents/1009 '{"ext":"1010"}')
check "PATCH cannot change the extension (400 naming it)" is 400 'j["error"]["message"].startswith("ext: unknown field")'
c=$(req PATCH /agents/1009 '{"capacity":{"voice":"many"}}')
check "PATCH with a bad capacity is 422 with the check's error, nothing changed" \
	is 422 'j["error"]["errors"][0]["key"].startswith("agents.capacity")'
check "... the file keeps the good capacity" grep -q '"capacity": {"voice": 1, "chat": 2}}$' "$T/tenant.yaml"

# --- pause reasons and dispositions ------------------------------------------
c=$(req PUT /pause-reasons '{"codes":["lunch","coffee","training"]}')
check "PUT /pause-reasons replaces the codes" is 200 'j["applied"]'
c=$(req GET /pause-reasons)
check "GET /pause-reasons has the new list" is 200 'j["pause_reasons"] == ["lunch", "coffee", "training"]'
c=$(req POST /agents/1009/state '{"state":"paused","reason":"coffee"}')
check "agent 1009 pauses with the new reason coffee" is 200 'j["state"] == "paused" and j["reason"] == "coffee"'
c=$(req POST /agents/1002/state '{"state":"paused","reason":"break"}')
check "... a reason no longer in the list is refused" is 400 '"break" in j["error"]["message"]'
c=$(req PUT /pause-reasons '{"codes":["lunch","Coffee Break"]}')
check "a bad code is 422 naming pause_reasons" is 422 'j["error"]["errors"][0]["key"] == "pause_reasons" and "Coffee Break" in j["error"]["errors"][0]["message"]'
c=$(req PUT /pause-reasons '{"codes":[]}')
check "no pause reason at all is 422" is 422 'j["error"]["errors"][0]["key"] == "pause_reasons"'
c=$(req PUT /pause-reasons '{"reasons":["x"]}')
check "an unknown field is 400" is 400 'j["error"]["message"].startswith("reasons: unknown field")'
c=$(req PUT /dispositions '{"codes":["sale","callback","no-action"]}')
check "PUT /dispositions replaces them" is 200 'j["applied"]'
c=$(req GET /dispositions)
check "GET /dispositions has the new list" is 200 'j["dispositions"] == ["sale", "callback", "no-action"]'
check "the codes are top-level lists in the file" \
	bash -c "grep -q '^pause_reasons: \[\"lunch\", \"coffee\", \"training\"\]$' '$T/tenant.yaml' && grep -q '^dispositions: \[\"sale\", \"callback\", \"no-action\"\]$' '$T/tenant.yaml'"

# --- business hours ----------------------------------------------------------
c=$(req POST /hours '{"name":"office","timezone":"Europe/Berlin","week":{"mon":"09:00-17:00","tue":"09:00-17:00","wed":"09:00-17:00","thu":"09:00-17:00","fri":"09:00-15:00","sat":"closed","sun":"closed"},"holidays":["2026-12-25"]}')
check "POST /hours adds calendar office (201)" is 201 'j["applied"]'
c=$(req GET /hours)
check "GET /hours lists three calendars, each with open_now" \
	is 200 'j["total"] == 3 and [h["name"] for h in j["hours"]] == ["always", "never", "office"] and j["hours"][0]["open_now"] is True and j["hours"][1]["open_now"] is False and isinstance(j["hours"][2]["open_now"], bool)'
check "... office as written: its zone, days and holiday" \
	is 200 'j["hours"][2]["timezone"] == "Europe/Berlin" and j["hours"][2]["week"]["fri"] == "09:00-15:00" and j["hours"][2]["week"]["sun"] == "closed" and j["hours"][2]["holidays"] == ["2026-12-25"]'
c=$(req GET '/hours?limit=1&offset=1')
check "GET /hours?limit=1&offset=1: never, of three" is 200 'j["total"] == 3 and [h["name"] for h in j["hours"]] == ["never"]'
c=$(req PATCH /hours/office '{"holidays":["2026-12-25","2026-12-26"],"week":{"mon":"08:00-18:00"}}')
check "PATCH /hours/office changes holidays and week" is 200 'j["applied"]'
c=$(req GET /hours)
check "... shown at once (a day not given is closed)" \
	is 200 'j["hours"][2]["holidays"] == ["2026-12-25", "2026-12-26"] and j["hours"][2]["week"]["mon"] == "08:00-18:00" and j["hours"][2]["week"]["tue"] == "closed"'
c=$(req PATCH /hours/office '{"workdays":["2026-02-14","2026-02-28"],"workday_hours":"10:00-16:00"}')
check "PATCH /hours/office takes workdays (调休) and their hours" is 200 'j["applied"]'
c=$(req GET /hours)
check "... listed, the calendar's holidays kept" \
	is 200 'j["hours"][2]["workdays"] == ["2026-02-14", "2026-02-28"] and j["hours"][2]["holidays"] == ["2026-12-25", "2026-12-26"]'
c=$(req POST /hours '{"name":"cn","timezone":"Asia/Shanghai","week":{"mon":"09:00-18:00"},"holidays":["2026-02-16"],"workdays":["2026-02-14"]}')
check "POST /hours takes workdays too (201)" is 201 'j["applied"]'
c=$(req POST /hours '{"name":"clash","holidays":["2026-02-14"],"workdays":["2026-02-14"]}')
check "a date both a holiday and a workday is 422 saying so" is 422 '"also a holiday" in j["error"]["errors"][0]["message"]'
c=$(req POST /hours '{"name":"office"}')
check "a calendar name taken is 409" is 409 'True'
c=$(req POST /hours '{"name":"bad","week":{"mon":"9-5"}}')
check "a bad day is 422 naming hours.week and the day" is 422 'j["error"]["errors"][0]["key"] == "hours.week" and "mon" in j["error"]["errors"][0]["message"]'
c=$(req POST /hours '{"name":"bad","timezone":"Mars/Olympus"}')
check "an unknown time zone is 422" is 422 '"Mars/Olympus" in j["error"]["errors"][0]["message"]'
c=$(req PATCH /hours/nope '{"timezone":"UTC"}')
check "PATCH of an unknown calendar is 404" is 404 'True'

# --- flows -------------------------------------------------------------------
c=$(req GET /flows)
check "GET /flows: four flows, main reached by 5000" \
	is 200 'j["total"] == 4 and j["flows"][0]["name"] == "main" and j["flows"][0]["numbers"] == ["5000"] and j["flows"][0]["start"] == "check-hours"'
check "... main's menu with where it goes" \
	is 200 '[n for n in j["flows"][0]["nodes"] if n["id"] == "menu"][0]["next"] == ["sales", "support"] and [n for n in j["flows"][0]["nodes"] if n["id"] == "sales"][0]["queue"] == "sales"'
c=$(req GET '/flows?number=5009')
check "GET /flows?number=5009: closed-test only" is 200 'j["total"] == 1 and j["flows"][0]["name"] == "closed-test"'
c=$(req GET '/flows?limit=2&offset=2')
check "GET /flows?limit=2&offset=2: the last two of four" is 200 'j["total"] == 4 and [f["name"] for f in j["flows"]] == ["wrap-q", "closed-test"]'
c=$(req GET /flows/short-wait)
check "GET /flows/short-wait" is 200 'j["numbers"] == ["5002"] and j["nodes"] == [{"id": "q", "type": "queue", "next": [], "queue": "short"}] and j["survey"] is False'
c=$(req GET /flows/nope)
check "an unknown flow is 404" is 404 'True'
c=$(req GET '/flows?limit=0')
check "a limit of 0 is 400 naming it" is 400 'j["error"]["message"].startswith("limit:")'

# --- the agents list: paged and filtered ---------------------------------------
c=$(req GET '/agents?limit=2&offset=1')
check "GET /agents?limit=2&offset=1: two of five" is 200 'j["total"] == 5 and [a["ext"] for a in j["agents"]] == ["1002", "1003"]'
c=$(req GET '/agents?state=paused')
check "GET /agents?state=paused: 1009" is 200 'j["total"] == 1 and j["agents"][0]["ext"] == "1009"'
c=$(req GET '/agents?state=sleeping')
check "an unknown state is 400" is 400 'j["error"]["message"].startswith("state:")'

# --- who may ------------------------------------------------------------------
c=$(curl -s -o "$T/r.json" -w '%{http_code}' -H 'Content-Type: application/json' -d '{"ext":"1011","password":"p"}' "$URL/agents")
check "POST /agents without a token is 401" is 401 'True'
c=$(curl -s -o "$T/r.json" -w '%{http_code}' "$URL/skills")
check "GET /skills without a token is 401" is 401 'True'
req POST /users '{"name":"sam","role":"supervisor","queues":["sales"],"password":"sam-secret"}' >/dev/null
req POST /users '{"name":"alice","role":"agent","extension":"1001","password":"alice-secret"}' >/dev/null
curl -s -o /dev/null -c "$T/sam.jar" -H 'Content-Type: application/json' -d '{"user":"sam","password":"sam-secret"}' "$URL/session"
curl -s -o /dev/null -c "$T/alice.jar" -H 'Content-Type: application/json' -d '{"user":"alice","password":"alice-secret"}' "$URL/session"
as() { # JAR METHOD PATH [JSON]
	local jar=$1 m=$2 p=$3
	shift 3
	curl -s -o "$T/r.json" -w '%{http_code}' -b "$T/$jar.jar" -X "$m" -H 'Content-Type: application/json' ${1:+-d "$1"} "$URL$p"
}
c=$(as sam POST /agents '{"ext":"1011","password":"p"}')
check "a supervisor may not make agents (403)" is 403 'True'
c=$(as sam PATCH /agents/1001 '{"name":"A"}')
check "... nor change them (403)" is 403 'True'
c=$(as sam PUT /pause-reasons '{"codes":["lunch"]}')
check "... nor the pause reasons (403)" is 403 'True'
c=$(as sam PUT /dispositions '{"codes":["sale"]}')
check "... nor the dispositions (403)" is 403 'True'
c=$(as sam POST /hours '{"name":"x"}')
check "... nor add hours (403)" is 403 'True'
c=$(as sam PATCH /hours/office '{"timezone":"UTC"}')
check "... nor change them (403)" is 403 'True'
c=$(as sam GET /skills)
check "a supervisor lists skills of its queues' agents only (none in sales)" is 200 'j["total"] == 0'
c=$(as sam GET /flows)
check "a supervisor lists the flows" is 200 'j["total"] == 4'
c=$(as alice GET /skills)
check "an agent may not list skills (403)" is 403 'True'
c=$(as alice GET /flows/main)
check "... nor flows (403)" is 403 'True'
c=$(as alice GET /hours)
check "an agent sees the business hours" is 200 'j["total"] == 4'
c=$(as alice GET /agents)
check "an agent's list of agents is itself, with total 1" is 200 'j["total"] == 1 and j["agents"][0]["ext"] == "1001"'

# --- the file ----------------------------------------------------------------
check "the file keeps its comments" \
	bash -c "grep -q '^# The end-to-end tests. tenant: the demo.s shape' '$T/tenant.yaml' && grep -q '^# crm stays on one line' '$T/tenant.yaml'"
c=$(curl -s -o "$T/r.json" -w '%{http_code}' -H "Authorization: Bearer test-token" --data-binary @"$T/tenant.yaml" "$URL/tenant/check")
check "the file passes the check, the one before kept as .bak" bash -c "[ $c = 200 ] && test -s '$T/tenant.yaml.bak'"
check "every change is audited (eight saves)" test "$(db "select count(*) from audit where action = 'tenant.save'")" = 8
finish
