#!/usr/bin/env bash
# A call waits in a queue whose only agent is available but has no phone
# registered (nobody reachable). When the agent's phone registers, the
# waiting call rings it at once (within a second), not at the next
# arrival or change in the queue: the registrar tells the voice adapter,
# which pokes the routing engine for that agent.
#
# The phone's UAS runs on its own port before the REGISTER, which names
# it as the Contact, so the first INVITE finds it listening.
source "$(dirname "$0")/lib.sh"
cat > "$T/tenant.yaml" <<'YAML'
name: Reachable
agents:
  - {ext: "3001", name: Late Phone, password: pw-3001}
queues:
  - {name: late, strategy: longest-idle, members: ["3001"], max_wait: 30s}
numbers:
  - {number: "7001", flow: late}
flows:
  - name: late
    start: q
    nodes:
      - {id: q, type: queue, queue: late}
YAML
TENANT=$T/tenant.yaml
write_config
start_hotline

UAS_PORT=$((PEER_PORTS + 10))
make_agent agent.xml answer-bye 1000
sipp_bg agent agent.xml "$UAS_PORT" -mp "$MEDIA_PORT1" -m 1 >/dev/null
make_caller caller.xml "0 8 101" "$blk_answered
$blk_wait_bye"
sipp_bg caller caller.xml "$CALLER_PORT" -s 7001 -key caller 0961 -m 1 -mp "$MEDIA_PORT0" >/dev/null
wait_for "select 1 from events where type = 'queue.entered'" 10 >/dev/null
sleep 2
check "the call waits: nobody reachable, nothing rung" \
	test "$(db "select count(*) from events where type = 'agent.ringing'")" = 0

# the phone registers, its Contact the UAS's port
sed "s/@\[local_ip\]:\[local_port\];transport/@[local_ip]:$UAS_PORT;transport/" \
	"$SIPP_DIR/register.xml" > "$T/register-uas.xml"
sipp_run register register-uas.xml "$AGENT_PORT1" -key user 3001 -au 3001 -ap pw-3001 \
	-key expires 600
check "the phone registers" test $? -eq 0
wait_peers 20

gap=$(db "select (select ts from events where type = 'agent.ringing' and agent = '3001' order by id limit 1) - (select ts from events where type = 'agent.registered' and agent = '3001' order by id limit 1)")
echo "# rung ${gap:-never} ms after the phone registered" >&2
check "the waiting call rings the phone within a second of its registration" \
	bash -c "[ -n '$gap' ] && [ '$gap' -ge 0 ] && [ '$gap' -lt 1000 ]"
row=$(wait_for "select outcome, agent from calls where caller = '0961' and ended > 0" 10)
check "the agent answers it" test "$row" = "answered|3001"
finish
