#!/usr/bin/env bash
# Conference rooms (the tenant's conferences): five callers in room 7001
# (no PIN), each phone rtp_tone.py saying its own tone, each hears the
# other four and not itself. Room 7000 asks a PIN (INFO digits, then #):
# a caller with the right PIN joins, three wrong PINs are hung up, and a
# third caller to the room of two hears it is full and is hung up.
# Each caller is an interaction: a stored row (voice, outcome
# conference, called the room, its times), call.created,
# conference.joined/left and call.ended, and a supervisor of another
# queue sees the rows in GET /calls.
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

sleep 0.5 # the last rows reach the store
check "room 7001's five callers are stored as voice calls with outcome conference" \
	test "$(db "SELECT count(*) FROM calls WHERE called='7001' AND outcome='conference' AND coalesce(nullif(channel,''),'voice')='voice' AND created>0 AND ended>=created AND hangup_side='caller'")" = 5
check "each of them joined and left the room, then ended (events in order)" \
	test "$(db "SELECT count(*) FROM calls c WHERE called='7001' AND (SELECT group_concat(type, ' ') FROM (SELECT type FROM events WHERE call=c.id AND type IN ('call.created','conference.joined','conference.left','call.ended') ORDER BY id)) = 'call.created conference.joined conference.left call.ended'")" = 5
check "conference.joined names the room" \
	test "$(db "SELECT count(*) FROM events WHERE type='conference.joined' AND json_extract(data,'\$.room')='7001'")" = 5
check "the two who got into room 7000 joined it, the wrong PIN and the full room did not" \
	test "$(db "SELECT count(*) FROM events e JOIN calls c ON c.id=e.call WHERE e.type='conference.joined' AND c.called='7000'")" = 2
check "the callers who never got in are stored too" \
	test "$(db "SELECT count(*) FROM calls WHERE called='7000' AND outcome='conference'")" = 4
c=$(req POST /users '{"name":"sue","role":"supervisor","queues":["sales"],"password":"sue-secret-1"}')
check "a supervisor is made" test "$c" = 201
session_jar sue sue-secret-1
c=$(curl -s -o "$T/r.json" -w '%{http_code}' -b "$T/sue.jar" "http://127.0.0.1:$HTTP_PORT/api/v1/calls?outcome=conference&limit=50")
check "a supervisor (of another queue) lists the rooms' calls" is 200 "len(j['calls']) == 9 and all(x['outcome'] == 'conference' for x in j['calls'])"
id=$(db "SELECT id FROM calls WHERE called='7001' LIMIT 1")
c=$(curl -s -o "$T/r.json" -w '%{http_code}' -b "$T/sue.jar" "http://127.0.0.1:$HTTP_PORT/api/v1/calls/$id")
check "and reads one" is 200 "j['called'] == '7001'"
finish
