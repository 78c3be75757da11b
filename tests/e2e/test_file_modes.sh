#!/usr/bin/env bash
# Files private to the service (issue 12, Security 7): under a loose umask
# (022) the data folder, the database and its WAL, recordings and a tenant
# file saved through the API are the service user's alone (folders 0700,
# files 0600); what an older version left world-readable is fixed at start.
source "$(dirname "$0")/lib.sh"
umask 022
mkdir -p "$T/data/recordings/2020/01/01"
echo old >"$T/data/recordings/2020/01/01/old.wav"
chmod 755 "$T/data" "$T/data/recordings"
chmod 644 "$T/data/recordings/2020/01/01/old.wav"
cp "$E2E_DIR/tenant.yaml" "$T/tenant.yaml"
chmod 644 "$T/tenant.yaml"
TENANT=$T/tenant.yaml start_hotline

mode() { stat -c %a "$1" 2>/dev/null; }

check "data folder 0700 (was 0755)" test "$(mode "$T/data")" = 700
check "database 0600" test "$(mode "$T/data/hotline.db")" = 600
check "an old recording made private at start (was 0644)" \
	test "$(mode "$T/data/recordings/2020/01/01/old.wav")" = 600

make_agent agent.xml answer
agent_up 1002 bob-1002 "$AGENT_PORT1" "$MEDIA_PORT0" agent.xml || finish
make_ivr_caller caller.xml info 1 2000
sipp_run caller caller.xml "$CALLER_PORT" -s 5000 -key caller 0301112222 -mp "$MEDIA_PORT2"
rec=$(wait_for "SELECT recording FROM calls WHERE ended > 0 AND recording != ''" 10)
wait_peers
check "the call was recorded" test -n "$rec" -a -f "$T/data/$rec"
check "recording 0600" test "$(mode "$T/data/$rec")" = 600
d=$(dirname "$T/data/$rec")
check "recordings' folders 0700" \
	test "$(mode "$d")/$(mode "$(dirname "$d")")/$(mode "$T/data/recordings")" = 700/700/700
check "WAL 0600" test "$(mode "$T/data/hotline.db-wal")" = 600
bad=$(find "$T/data" \( -type f -perm /077 \) -o \( -type d -perm /077 \))
check "nothing in the data folder is open to others" test -z "$bad"

c=$(curl -s -o "$T/put.json" -w '%{http_code}' -H "Authorization: Bearer test-token" \
	-X PUT --data-binary @"$T/tenant.yaml" "http://127.0.0.1:$HTTP_PORT/api/v1/tenant")
check "the tenant saved through the API (200)" test "$c" = 200
check "the saved tenant file is 0600 (was 0644)" test "$(mode "$T/tenant.yaml")" = 600
check "the old one kept as .bak too (its SIP passwords)" test "$(mode "$T/tenant.yaml.bak")" = 600
c=$(curl -s -o "$T/put.json" -w '%{http_code}' -H "Authorization: Bearer test-token" \
	-X PUT --data-binary @"$T/tenant.yaml" "http://127.0.0.1:$HTTP_PORT/api/v1/tenant")
check "saved again, it stays 0600 ($c)" test "$c/$(mode "$T/tenant.yaml")" = 200/600
check "no temporary tenant file is left" test ! -e "$T/tenant.yaml.new"
finish
