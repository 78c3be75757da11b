#!/usr/bin/env bash
# The post-call survey in the IVR: after the conversation the agent
# transfers the caller (REFER) to a flow marked survey; the caller presses
# 4; the score is stored for the call (a survey of the call) and on the
# ticket the call is linked to, and is a call.rated event. The call stays
# answered by the agent in the records.
source "$(dirname "$0")/lib.sh"
cp "$E2E_DIR/tenant.yaml" "$T/tenant.yaml"
cat >> "$T/tenant.yaml" <<'YAML'
  - name: survey
    survey: true
    start: rate
    nodes:
      - id: rate
        type: menu
        text: Please rate our service, from 1 to 5.
        timeout: 5s
        retries: 0
        options: {"1": thanks, "2": thanks, "3": thanks, "4": thanks, "5": thanks}
      - {id: thanks, type: say, text: Thank you., next: bye}
      - {id: bye, type: hangup}
YAML
TENANT=$T/tenant.yaml start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
req() { curl -s -o "$T/body.json" -w '%{http_code}' -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' "$@"; }
req -d '{"state":"paused","reason":"lunch"}' "$URL/api/v1/agents/1002/state" >/dev/null

# 1001 talks, then sends the caller to the survey
make_agent_custom agent-survey.xml "$(pause 2500)
$(agent_req REFER 2 "
      Refer-To: <sip:survey@127.0.0.1>
      Referred-By: <sip:1001@127.0.0.1>")
  <recv response=\"202\"/>
$blk_wait_bye"
agent_up 1001 alice-1001 "$AGENT_PORT1" "$MEDIA_PORT0" agent-survey.xml || finish
# the caller: 1 for sales; after the transfer, presses 4 and waits for
# hotline to hang up
make_caller caller.xml "0 8 101" "$blk_answered
$(pause 2200)
$(play /usr/share/sip-tester/dtmf_2833_1.pcap)
$(pause 9000)
$(play /usr/share/sip-tester/dtmf_2833_4.pcap)
$blk_wait_bye"
sipp_bg caller caller.xml "$CALLER_PORT" -s 5000 -key caller 0405 -m 1 -mp "$MEDIA_PORT2" >/dev/null
x=$(wait_for "SELECT id FROM calls WHERE caller='0405' AND agent='1001' AND answered > 0" 15)
check "1001 answers" test -n "$x"
c=$(req -d "{\"subject\":\"Billing question\",\"call\":\"$x\",\"group\":\"sales\"}" "$URL/api/v1/tickets")
t=$(python3 -c "import json; print(json.load(open('$T/body.json'))['id'])")
check "a ticket is made from the call" test "$c" = 201
check "the transfer to the survey is an event" \
	test -n "$(wait_for "SELECT 1 FROM events WHERE call='$x' AND type='call.transferred' AND data LIKE '%\"to\":\"survey\"%'" 10)"
check "the caller's 4 is the call's score" \
	test -n "$(wait_for "SELECT 1 FROM events WHERE call='$x' AND type='call.rated' AND data LIKE '%\"score\":4%'" 20)"
check "hotline hangs up after thanking: the caller's scenario completes" \
	bash -c "sleep 3; grep -q 'Successful call.*|.*1 ' '$T/caller.out'"
check "the call is still answered by 1001" \
	test "$(wait_for "SELECT outcome || '/' || agent FROM calls WHERE id='$x' AND ended > 0" 10)" = answered/1001
check "the score is kept as a survey of the call" \
	test "$(wait_for "SELECT score || '/' || ticket FROM surveys WHERE call='$x'" 5)" = "4/$t"
check "... and on the ticket" test "$(req "$URL/api/v1/tickets/$t")/$(python3 -c "import json; print(json.load(open('$T/body.json'))['csat'])")" = 200/4
finish
