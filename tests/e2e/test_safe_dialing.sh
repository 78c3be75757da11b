#!/usr/bin/env bash
# Who may dial what (issue 18), without a trunk yet (issue 15 brings the
# carrier): the tenant's numbering plan is NANP (crm.country 1) and its
# dialing section is the default class (internal, emergency, national,
# mobile) with a daily cap of 3 s of national time. Click-to-call to a
# national number is placed; international and premium-rate numbers are
# refused (403 naming the class, a call.dial_refused event, an audit
# line); the national call's time trips the cap (a dialing.cap_warning
# and a dialing.cap_reached event, also delivered by a webhook) and the
# next national call is refused. A caller who leaves an international
# number for a callback is not called back.
source "$(dirname "$0")/lib.sh"
cat > "$T/tenant.yaml" <<'YAML'
name: Dialing
crm: {country: "1"}
agents:
  - {ext: "1001", name: Alice, password: alice-1001}
  - {ext: "3101", name: Agent, password: pw-3101}
queues:
  - {name: cbt, strategy: longest-idle, members: ["3101"], max_wait: 2s,
     overflow: callback, ring_timeout: 10s}
numbers:
  - {number: "7102", flow: cbt}
flows:
  - name: cbt
    start: q
    nodes:
      - {id: q, type: queue, queue: cbt}
dialing:
  limits:
    minutes_per_day: {national: 3s}
YAML
TENANT=$T/tenant.yaml
RTP_MIN=$WIDE_RTP_MIN
RTP_MAX=$WIDE_RTP_MAX
write_config
start_hotline
URL="http://127.0.0.1:$HTTP_PORT"
H="Authorization: Bearer test-token"
CUST_PORT=$((PEER_PORTS + 2))
CB_PORT=$((PEER_PORTS + 3))
HOOK_PORT=$((PEER_PORTS + 4))
dial() { curl -s -o "$T/r.json" -w '%{http_code}' -H "$H" -X POST -d "$1" "$URL/api/v1/calls"; }
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["error"][sys.argv[2]])' "$T/r.json" "$1"; }

# a webhook for the cap's alerts
python3 "$E2E_DIR/webhook_sink.py" "$HOOK_PORT" hook-secret-0123456789 "$T/hooks.jsonl" 0 40 >"$T/sink.log" 2>&1 &
SIPP_PIDS+=($!)
sleep 0.3
curl -s -o /dev/null -H "$H" -d "{\"url\":\"http://127.0.0.1:$HOOK_PORT/h\",\"types\":[\"dialing.\"],\"secret\":\"hook-secret-0123456789\"}" "$URL/api/v1/webhooks"

make_agent agent.xml answer-bye 4000
make_agent customer.xml answer
register 1001 alice-1001 "$PEER_PORTS" || { not_ok "agent registers" "see $T"; finish; }
sipp_bg agent agent.xml "$PEER_PORTS" -mp "$MEDIA_PORT0" -m 1 >/dev/null
sipp_bg customer customer.xml "$CUST_PORT" -mp "$MEDIA_PORT1" -m 1 >/dev/null
sleep 0.3

c=$(dial '{"agent":"1001","to":"sip:011442079460000@127.0.0.1"}')
check "an international number: 403 dial_class" test "$c/$(field code)" = 403/dial_class
check "... with a reason the desktop can show" \
	bash -c "grep -q 'international numbers may not be dialled' '$T/r.json'"
c=$(dial '{"agent":"1001","to":"sip:19005550100@127.0.0.1"}')
check "a premium-rate number (1-900): 403" test "$c/$(field code)" = 403/dial_class
c=$(dial '{"agent":"1001","to":"sip:18095550100@127.0.0.1"}')
check "a Caribbean NANP number (809) is international: 403" test "$c" = 403
# the event and the audit line are written beside the answer, not before it
check "refusals are call.dial_refused events for the agent" \
	wait_for "select 1 where (select count(*) from events where type = 'call.dial_refused' and agent = '1001') = 3"
check "... and audit lines" \
	wait_for "select 1 where (select count(*) from audit where action = 'call.dial_refused' and target = '1001') = 3"

c=$(dial "{\"agent\":\"1001\",\"to\":\"sip:2025550100@127.0.0.1:$CUST_PORT\"}")
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("id",""))' "$T/r.json")
check "a national number is placed: 201" test "$c" = 201
row=$(wait_for "select outcome from calls where id = '$id' and ended > 0" 20)
check "the national call is answered" test "$row" = answered
ev=$(wait_for "select group_concat(type, ',') from (select type from events where type like 'dialing.%' order by id)" 3)
check "its time passes 80% and 100% of the 3 s cap: both alerts ($ev)" \
	test "$ev" = "dialing.cap_warning,dialing.cap_reached"
sleep 1
check "the alerts reach the webhook" \
	bash -c "grep -q 'dialing.cap_warning' '$T/hooks.jsonl' && grep -q 'dialing.cap_reached' '$T/hooks.jsonl'"
c=$(dial "{\"agent\":\"1001\",\"to\":\"sip:2025550101@127.0.0.1:$CUST_PORT\"}")
check "the next national call: 403 minutes_cap" test "$c/$(field code)" = 403/minutes_cap
c=$(dial '{"agent":"1001","to":"sip:911@127.0.0.1"}')
check "an emergency number is never stopped by the cap" test "$c" != 403
check "the allowed call is a call.dial_allowed event with its class" \
	test "$(db "select json_extract(data, '$.class') from events where type = 'call.dial_allowed' and call = '$id'")" = national

# A restart does not reset today's time, nor say the alerts again.
stop_hotline
start_hotline
check "after a restart today's national time is known" grep -q "dial: today's national outbound time so far [3-9] s" "$T/hotline.log"
c=$(dial "{\"agent\":\"1001\",\"to\":\"sip:2025550102@127.0.0.1:$CUST_PORT\"}")
check "... and the cap still refuses: 403 minutes_cap" test "$c/$(field code)" = 403/minutes_cap
check "... no alert said twice" test "$(db "select count(*) from events where type like 'dialing.%'")" = 2

# A callback to a number the caller chose: the queue's class decides.
make_agent cbagent.xml answer
cat > "$T/phone.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<scenario name="phone">
$blk_wait_bye
  <recv request="INVITE" timeout="8000" ontimeout="done"/>
  <label id="done"/>
</scenario>
XML
register 3101 pw-3101 "$((PEER_PORTS + 5))" || { not_ok "agent 3101 registers" "see $T"; finish; }
curl -s -o /dev/null -H "$H" -X POST -d '{"state":"paused"}' "$URL/api/v1/agents/3101/state"
sipp_bg cbagent cbagent.xml "$((PEER_PORTS + 5))" -mp "$MEDIA_PORT2" -m 1 >/dev/null
sipp_bg phone phone.xml "$CB_PORT" -mp "$((PEER_PORTS + 30))" -m 1 >/dev/null
make_caller waiter.xml "0 8 101" "$blk_answered
$(pause 6000)"
sed -i "s|^\( *Contact: <sip:\[caller\]@\[local_ip\]:\)\[local_port\]>|\1$CB_PORT>|" "$T/waiter.xml"
sipp_run waiter waiter.xml "$CALLER_PORT" -s 7102 -key caller 011442079460000 -mp "$((PEER_PORTS + 40))"
check "the caller is sent to a callback" test -n "$(wait_for "select 1 from events where type = 'queue.callback'" 3)"
curl -s -o /dev/null -H "$H" -X POST -d '{"state":"available"}' "$URL/api/v1/agents/3101/state"
ev=$(wait_for "select data from events where type = 'call.dial_refused' and queue = 'cbt'" 15)
check "the callback to an international number is refused ($ev)" \
	grep -q '"class":"international"' <<<"$ev"
check "... an audit line naming the caller" \
	test "$(db "select count(*) from audit where action = 'call.dial_refused' and user = 'caller:011442079460000'")" = 1
sleep 1
check "... and the number is never dialled" bash -c "! grep -q '^INVITE' '$T/phone.msg'"
wait_peers 10
finish
