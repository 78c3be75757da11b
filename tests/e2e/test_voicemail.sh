#!/usr/bin/env bash
# Voicemail as a queue's overflow: nobody takes the call within the
# queue's max wait (3 s), the call goes to a flow whose voicemail node
# greets the caller and records its message until # is pressed. The
# message is stored as the call's recording (left: the caller) and can be
# fetched over the API; the call's outcome is voicemail.
source "$(dirname "$0")/lib.sh"
cat > "$T/tenant.yaml" <<'YAML'
name: Voicemail
agents:
  - {ext: "3201", name: Nobody, password: pw-3201}
queues:
  - {name: vmq, strategy: longest-idle, members: ["3201"], max_wait: 3s,
     overflow: "flow:vm"}
numbers:
  - {number: "7201", flow: main}
flows:
  - name: main
    start: q
    nodes:
      - {id: q, type: queue, queue: vmq}
  - name: vm
    start: greet
    nodes:
      - {id: greet, type: voicemail, text: Please leave a message. Press pound when done., max: 20s}
YAML
TENANT=$T/tenant.yaml
write_config
start_hotline

# wait in the queue, listen to the greeting, speak (the 8 s test
# recording), press #, then wait for hotline's BYE
make_caller vm.xml "0 8 101" "$blk_answered
$(pause 7000)
$(play "$PCAP_AUDIO")
$(pause 8500)
$(play /usr/share/sip-tester/dtmf_2833_pound.pcap)
$blk_wait_bye"
sipp_run vm vm.xml "$CALLER_PORT" -s 7201 -key caller 0971 -mp "$MEDIA_PORT0"
check "the caller leaves a message and is hung up" test $? -eq 0
row=$(wait_for "select outcome || '|' || ivr_path || '|' || recording from calls where caller = '0971' and ended > 0" 5)
IFS='|' read -r outcome path rec <<<"$row"
check "outcome voicemail ($row)" test "$outcome" = voicemail
check "the path goes from the queue node to the voicemail node" test "$path" = "q>greet"
check "queue.exited to flow:vm after the max wait" \
	test -n "$(db "select 1 from events where type = 'queue.exited' and json_extract(data, '$.to') = 'flow:vm'")"
ms=$(db "select json_extract(data, '$.ms') from events where type = 'call.voicemail'")
check "call.voicemail event, about 10 s recorded ($ms ms)" test "${ms:-0}" -gt 6000 -a "${ms:-0}" -lt 14000
dur=$(soxi -D "$T/data/$rec" 2>/dev/null)
rms=$(sox "$T/data/$rec" -n remix 1 stat 2>&1 | awk '/RMS +amplitude/ {print $3}')
echo "# voicemail $rec: ${dur}s rms=$rms" >&2
check "the message is a WAV with the caller's voice" \
	awk -v d="$dur" -v r="$rms" 'BEGIN { exit !(d > 6 && d < 14 && r > 0.005) }'
id=$(db "select id from calls where caller = '0971'")
api "/api/v1/calls/$id/recording" > "$T/vm.wav"
check "the API serves the message" cmp -s "$T/vm.wav" "$T/data/$rec"
finish
