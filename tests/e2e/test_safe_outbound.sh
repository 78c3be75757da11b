#!/usr/bin/env bash
# Phones and trusted addresses dialling out (issue 18), in a private
# network namespace: hotline on 10.203.0.1, a registered agent's phone on
# 10.203.0.2, a carrier trusted for inbound calls on 10.203.0.3. Real
# SIPp, digest auth. The phone (the default class) is refused (SIP 403)
# for an international and a premium-rate number, and may dial a national
# one (404 until a trunk carries it, issue 15); the carrier can never dial
# out (403), yet still calls in. Each refusal is an event and an audit
# line.
NETNS_DEV0=ho0 NETNS_DEV1=ho1 NETNS_A=10.203.0.1 NETNS_B=10.203.0.2
source "$(dirname "$0")/netns.sh"
ip addr add 10.203.0.3/24 dev ho1

HOST=10.203.0.1
PHONE=10.203.0.2
CARRIER=10.203.0.3
TRUSTED="[$CARRIER/32]"
source "$(dirname "$0")/lib.sh"
write_config
sed -i "s/127.0.0.1:$SIP_PORT/$HOST:$SIP_PORT/; s/address: 127.0.0.1/address: $HOST/" "$T/hotline.yaml"
start_hotline

phone_call() { # NAME NUMBER CODE: the phone dials NUMBER, expects CODE
	make_caller "$1.xml" 0 "  <recv response=\"100\" optional=\"true\"/>
  <recv response=\"407\" auth=\"true\"/>
$ack_first
  <send retrans=\"500\">
    <![CDATA[
$phone_invite
    ]]>
  </send>
  <recv response=\"100\" optional=\"true\"/>
  <recv response=\"$3\"/>
$ack_first"
	(cd "$T" && sipp "$HOST:$SIP_PORT" -sf "$T/$1.xml" -i "$PHONE" -p "$CALLER_PORT" \
		-m 1 -timeout 10s -timeout_error -nostdin -s "$2" -key caller 1001 \
		-au 1001 -ap alice-1001 -mp "$MEDIA_PORT0" -trace_err -error_file "$T/$1.err" \
		>"$T/$1.out" 2>&1)
}
carrier_call() { # NAME NUMBER CODE: the carrier (no auth) dials NUMBER
	make_refused_caller "$1.xml" 0 "$3"
	(cd "$T" && sipp "$HOST:$SIP_PORT" -sf "$T/$1.xml" -i "$CARRIER" -p "$CALLER_PORT2" \
		-m 1 -timeout 10s -timeout_error -nostdin -s "$2" -key caller 2025550199 \
		-mp "$MEDIA_PORT1" -trace_err -error_file "$T/$1.err" >"$T/$1.out" 2>&1)
}

phone_call intl 011442079460000 403
check "the phone dials an international number: 403" test $? -eq 0
phone_call premium 19005550100 403
check "... a premium-rate number: 403" test $? -eq 0
phone_call national 2025550100 404
check "... a national number passes the class (404: no trunk yet)" test $? -eq 0
carrier_call carrier-out 2025550100 403
check "the trusted carrier dials out: 403 (inbound only)" test $? -eq 0
carrier_call carrier-in 9999 404
check "... its calls in are not refused by the guard (unknown internal number: 404)" test $? -eq 0
check "three call.dial_refused events" \
	test "$(wait_for "select count(*) from events where type = 'call.dial_refused'" 3)" = 3
check "... the phone's for agent 1001" \
	test "$(db "select count(*) from events where type = 'call.dial_refused' and agent = '1001'")" = 2
check "three audit lines, one naming the carrier's address" \
	test "$(db "select count(*) from audit where action = 'call.dial_refused'")/$(db "select count(*) from audit where action = 'call.dial_refused' and user = 'address:$CARRIER'")" = 3/1
finish
