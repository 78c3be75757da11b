#!/usr/bin/env bash
# Conference rooms (the tenant's conferences): five callers in room 7001
# (no PIN), each phone rtp_tone.py saying its own tone, each hears the
# other four and not itself. Room 7000 asks a PIN (INFO digits, then #):
# a caller with the right PIN joins, three wrong PINs are hung up, and a
# third caller to the room of two hears it is full and is hung up.
RTP_TIMEOUT=60s
source "$(dirname "$0")/lib.sh"
source "$E2E_DIR/tones.sh"
write_config
start_hotline

freqs=(400 700 1000 1300 1700)
names=(p0 p1 p2 p3 p4)
tones=""
for i in 0 1 2 3 4; do
	tone_peer "${names[$i]}" "$((PEER_PORTS + 40 + 2 * i))" "${freqs[$i]}" 10
	tones="$tones${tones:+,}${names[$i]}=${freqs[$i]}"
done
make_caller room.xml "0 8 101" "$blk_answered
$(pause 6500)
$blk_bye"
for i in 0 1 2 3 4; do
	tone_sdp room.xml "room$i.xml" "$((PEER_PORTS + 40 + 2 * i))"
	sipp_bg "room$i" "room$i.xml" "$((PEER_PORTS + 10 + i))" -s 7001 -key caller "060$i" -m 1 \
		-mp "$((PEER_PORTS + 20 + 4 * i))" >/dev/null
done
t0=$(date +%s.%N)
sleep 6
t1=$(date +%s.%N)
tones_wait
wait_peers 10
for i in 0 1 2 3 4; do
	check "room caller $i's call went through" grep -q "Successful call *|[^|]*| *1" "$T/room$i.out"
done
tones_heard "$tones" "room:$t0+2.5:$t1-0.3"
for i in 0 1 2 3 4; do
	others=$(for j in 0 1 2 3 4; do [ "$j" != "$i" ] && printf '%s,' "${names[$j]}"; done)
	check "${names[$i]} hears the other four, not itself" heard "room ${names[$i]} ${others%,}"
done

pin() { for ((k = 0; k < ${#1}; k++)); do blk_info "${1:$k:1}"; [ $((k + 1)) -lt ${#1} ] && pause 150; done; }
make_caller pin_ok.xml "0 8 101" "$blk_answered
$(pause 300)
$(pin '1234#')
$(pause 5000)
$blk_bye"
make_caller pin_bad.xml "0 8 101" "$blk_answered
$(pause 300)
$(pin '99#')
$(pause 300)
$(pin '98#')
$(pause 300)
$(pin '97#')
$blk_wait_bye"
make_caller pin_full.xml "0 8 101" "$blk_answered
$(pause 300)
$(pin '1234#')
$blk_wait_bye"
sipp_bg ok1 pin_ok.xml "$((PEER_PORTS + 10))" -s 7000 -key caller 0701 -m 1 -mp "$((PEER_PORTS + 20))" >/dev/null
sipp_bg ok2 pin_ok.xml "$((PEER_PORTS + 11))" -s 7000 -key caller 0702 -m 1 -mp "$((PEER_PORTS + 24))" >/dev/null
sleep 1.5
check "three wrong PINs: hotline hangs up" \
	sipp_run bad pin_bad.xml "$((PEER_PORTS + 12))" -s 7000 -key caller 0703 -mp "$((PEER_PORTS + 28))"
check "a third caller to the room of two hears it is full and is hung up" \
	sipp_run full pin_full.xml "$((PEER_PORTS + 13))" -s 7000 -key caller 0704 -mp "$((PEER_PORTS + 32))"
wait_peers 10
check "both callers with the right PIN got in" \
	test "$(grep -c 'conference: joined room=7000' "$T/hotline.log")" = 2
check "the wrong PIN was counted three times" \
	test "$(grep -c 'conference: wrong PIN room=7000' "$T/hotline.log")" = 3
check "the full room was logged" grep -q 'conference: full room=7000' "$T/hotline.log"
finish
