#!/usr/bin/env bash
# The shipped Chinese demo tenant (conf/demo-zh.yaml): check-config finds
# it a good tenant file, warning only of its published demo passwords
# (replaced at start, as conf/demo.yaml's); it starts, its agents, queues
# (UTF-8 names, in URLs percent-encoded) and calendar are served as
# written; and a call through its Mandarin IVR presses 1 and waits in
# 销售. For the call the hours are made open around the clock (the shipped
# ones are Shanghai's office hours with China's 2026 holidays).
source "$(dirname "$0")/lib.sh"
DEMO=$E2E_DIR/../../conf/demo-zh.yaml
out=$("$HOTLINE" check-config "$DEMO" 2>&1)
check "check-config conf/demo-zh.yaml: OK as a tenant file, no unknown key" \
	bash -c "[[ '$out' == *'OK as a tenant file (4 agents, 2 queues, 1 flows'* && '$out' != *unknown* ]]"
check "... its only warnings: the 4 published demo passwords" \
	test "$(grep -c warning <<<"$out")/$(grep -c 'warning: agent 10..: a password published' <<<"$out")" = 4/4
check "... China's 2026: 33 holidays and 6 make-up workdays" \
	test "$(sed -n '/^    holidays:/,/^    workdays:/p' "$DEMO" | grep -c '^      - 2026-')$(sed -n '/^    workdays:/,/^$/p' "$DEMO" | grep -c '^      - 2026-')" = 336

sed -e 's/09:00-18:00/00:00-24:00/; s/: closed$/: 00:00-24:00/' \
	-e '/^      - 202[67]-/d; /^    holidays:$/d; /^    workdays:$/d; /holidays_ics:/d' "$DEMO" >"$T/tenant.yaml"
TENANT=$T/tenant.yaml start_hotline

c=$(req GET /agents/1001)
check "agent 1001 is 张伟" is 200 'j["name"] == "张伟"'
c=$(req GET /queues/%E9%94%80%E5%94%AE)
check "queue 销售 by its percent-encoded name" is 200 'j["name"] == "销售"'
c=$(req GET /queues/%E9%94%80%E5%94%AE%2Fx)
check "... a '/' escaped in it matches no queue (404)" is 404 'j["error"]["code"] == "not_found"'
c=$(req GET /queues/%E9%94%80%E5%94%A)
check "... nor a broken escape (404)" is 404 'j["error"]["code"] == "not_found"'
c=$(req GET /hours)
check "the calendar is Shanghai's" is 200 'j["hours"][0]["timezone"] == "Asia/Shanghai"'

make_caller zh.xml "0 8 101" "$blk_answered
$(pause 9000)
$(blk_info 1)
$(pause 3000)
$blk_bye"
sipp_run zh zh.xml "$CALLER_PORT" -s 5000 -key caller 0953 -mp "$MEDIA_PORT0"
check "a caller through the Mandarin IVR presses 1 and hangs up waiting" test $? -eq 0
wait_for "select 1 from calls where caller = '0953' and ended > 0" 10 >/dev/null
check "... its path: hours, welcome, menu, sales" \
	test "$(db "select ivr_path from calls where caller = '0953'")" = "check-hours>welcome>menu>sales"
check "... it waited in 销售" test "$(db "select queue from calls where caller = '0953'")" = "销售"
finish
