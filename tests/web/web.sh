# web.sh — what the scripts of the browser tests that take calls share,
# sourced after tests/e2e/lib.sh: the users the pages are opened as,
# alice's SIPp phone, and the command of a caller to sales.

# adm ARGS...: a request to the API with the test token; prints the status.
adm() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' "$@"; }

# Agent alice (1001, password alice-secret) and supervisor sam (sales and
# support, sam-secret), made through the API as one check.
web_users() {
	check "users for the test" test "$(adm -d '{"name":"alice","role":"agent","extension":"1001","password":"alice-secret"}' "$URL/api/v1/users")/$(adm -d '{"name":"sam","role":"supervisor","queues":["sales","support"],"password":"sam-secret"}' "$URL/api/v1/users")" = 201/201
}

# alice's phone (1001): rings 2.5 s (the desktop shows the call ringing),
# answers, talks TALK ms and hangs up, CALLS times.
alice_phone() { # TALK CALLS
	make_agent agent.xml answer-bye "$1"
	sed -i '0,/<pause milliseconds="600"\/>/s//<pause milliseconds="2500"\/>/' "$T/agent.xml"
	agent_up 1001 alice-1001 "$AGENT_PORT1" "$MEDIA_PORT0" agent.xml -m "$2" || finish
}

# The command (for the browser script to start) of a caller from NUMBER
# who presses 1 for sales in the IVR and stays until the agent hangs up;
# SIPp on PORT with media on MEDIA, its output in $T/OUT.
sales_caller_cmd() { # PORT NUMBER MEDIA OUT
	[ -f "$T/caller.xml" ] || make_ivr_caller caller.xml rfc4733 1 wait
	echo "cd '$T' && exec sipp 127.0.0.1:$SIP_PORT -sf '$T/caller.xml' -p $1 -i 127.0.0.1 -timeout 90s -nostdin -m 1 -s 5000 -key caller $2 -mp $3 >'$T/$4' 2>&1"
}
