#!/usr/bin/env bash
# Recovery after a crash (issue 12): hotline killed (-9) during an answered,
# recorded call. The recording's header follows the writes, so the file
# plays up to the crash as it is; a file whose header a crash left at zero
# sizes (an older version's) is mended at start. The call no longer stays
# "answered" with no end: the next start closes it as failed, reason
# interrupted, at its last known activity, with a call.ended event.
source "$(dirname "$0")/lib.sh"
start_hotline

make_agent agent.xml answer
agent_up 1002 bob-1002 "$AGENT_PORT1" "$MEDIA_PORT0" agent.xml || finish
make_ivr_caller caller.xml info 1 30000
sipp_bg caller caller.xml "$CALLER_PORT" -s 5000 -key caller 0301112222 -m 1 \
	-mp "$MEDIA_PORT2" >/dev/null
row=$(wait_for "SELECT id, recording FROM calls WHERE answered > 0 AND recording != ''" 20)
IFS='|' read -r id rec <<<"$row"
check "the call is answered and recorded" test -n "$id" -a -n "$rec"
# three seconds of talk written out (8 kHz stereo, 16-bit: 32,000 bytes a
# second), however slow the machine
for _ in $(seq 1 150); do
	[ "$(stat -c %s "$T/data/$rec" 2>/dev/null || echo 0)" -ge 96044 ] && break
	sleep 0.1
done
kill -9 "$HL_PID"
wait "$HL_PID" 2>/dev/null
HL_PID=""
wait_peers 1
f=$T/data/$rec
check "left live by the crash (answered, no end)" \
	test "$(db "SELECT outcome, ended FROM calls WHERE id='$id'")" = "answered|0"
dur=$(soxi -D "$f" 2>/dev/null)
check "the recording plays up to the crash as it is (header kept up to date): ${dur}s" \
	awk -v d="$dur" 'BEGIN { exit !(d >= 2) }'

# what a crash before the header was written leaves: both sizes zero
size=$(stat -c %s "$f")
off=$(python3 -c "
import struct, sys
b = open('$f', 'rb').read()
p = 12
while p + 8 <= len(b):
    cid, n = b[p:p + 4], struct.unpack('<I', b[p + 4:p + 8])[0]
    if cid == b'data':
        print(p + 4); sys.exit()
    p += 8 + n + (n & 1)
")
printf '\0\0\0\0' | dd of="$f" bs=1 seek=4 conv=notrunc status=none
printf '\0\0\0\0' | dd of="$f" bs=1 seek="$off" conv=notrunc status=none
printf '\1' >>"$f" # half a frame
check "a zeroed header does not play" test "$(soxi -s "$f" 2>/dev/null || echo 0)" = 0

start_hotline
row=$(db "SELECT outcome, hangup_side, hangup_reason, ended >= answered, ended <= $(date +%s)000 FROM calls WHERE id='$id'")
check "the next start closes it: failed, system, interrupted, ended after answered ($row)" \
	test "$row" = "failed|system|interrupted|1|1"
check "with a call.ended event saying so" \
	test "$(db "SELECT count(*) FROM events WHERE call='$id' AND type='call.ended' AND data LIKE '%\"reason\":\"interrupted\"%'")" = 1
check "the recording is mended: whole frames, the audio up to the crash" \
	test "$(stat -c %s "$f")" = "$size"
check "and it plays again ($(soxi -D "$f" 2>/dev/null)s)" \
	awk -v d="$(soxi -D "$f" 2>/dev/null)" -v w="$dur" 'BEGIN { exit !(d == w && d >= 2) }'
check "sox reads all of it" sox "$f" -n stat
check "no interaction is live" test "$(db "SELECT count(*) FROM calls WHERE ended = 0")" = 0
check "the API shows it ended" \
	test "$(api "/api/v1/calls/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("outcome"))')" = failed
stop_hotline
start_hotline
check "a second start finds nothing to close" \
	test "$(grep -c 'was live at a crash' "$T/hotline.log")" = 1
finish
