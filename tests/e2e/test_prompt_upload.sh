#!/usr/bin/env bash
# Recorded prompts (issue 14): an admin uploads a WAV or an MP3 (or FLAC, Ogg) of any
# rate and channels (POST /media/prompts?name=NAME); it is kept as 8 kHz
# mono NAME.wav under the data dir (0600) and a flow's say node plays it
# (file: NAME.wav): a SIPp caller hears it as long as it is. What is not
# audio and what plays longer than 120 s are refused with their reasons,
# nothing kept; a bad name is 400, a supervisor 403.
source "$(dirname "$0")/lib.sh"
cat >"$T/tenant.yaml" <<'YAML'
name: prompts
agents:
  - {ext: "3001", name: 张伟, password: pw-3001}
queues:
  - {name: sales, strategy: longest-idle, members: ["3001"]}
numbers:
  - {number: "7001", flow: hi}
flows:
  - name: hi
    start: hi
    nodes:
      - {id: hi, type: say, text: "Hello."}
YAML
TENANT=$T/tenant.yaml
write_config
start_hotline
URL="http://127.0.0.1:$HTTP_PORT/api/v1"
DIR="$T/data/media/prompts"
# up NAME FILE [AUTH]: FILE uploaded as NAME; the status, the answer in $T/r.json
up() { curl -s -o "$T/r.json" -w '%{http_code}' ${3:--H "Authorization: Bearer test-token"} \
	-H 'Content-Type: application/octet-stream' --data-binary "@$2" "$URL/media/prompts?name=$1"; }

c=$(up greeting.mp3 "$E2E_DIR/../data/tone-2s.mp3")
check "an MP3 (22.05 kHz stereo, 2 s) is taken as greeting.wav (201)" \
	is 201 'j["name"] == "greeting.wav" and 1900 <= j["ms"] <= 2200'
check "... kept as 8 kHz mono 16-bit WAV" \
	test "$(soxi -r "$DIR/greeting.wav")/$(soxi -c "$DIR/greeting.wav")/$(soxi -b "$DIR/greeting.wav")" = "8000/1/16"
check "... 2 s long (the MP3's padding aside)" awk -v d="$(soxi -D "$DIR/greeting.wav")" 'BEGIN { exit !(d >= 1.9 && d <= 2.1) }'
check "... private to the service (0600), nothing else left" \
	bash -c "[ \$(stat -c %a '$DIR/greeting.wav') = 600 ] && [ \"\$(ls -A '$DIR')\" = greeting.wav ]"
# the prompts route takes 20 MiB (a JSON route 256 KiB): a 1 MiB WAV
sox -n -r 16000 -c 1 -b 16 "$T/long16k.wav" synth 33 sine 400 vol 0.5
c=$(up welcome.wav "$T/long16k.wav")
check "a 1 MiB WAV (33 s at 16 kHz) is taken (201)" \
	bash -c "[ $(stat -c %s "$T/long16k.wav") -gt 1048576 ] && [ $c = 201 ] && [ \$(soxi -r '$DIR/welcome.wav') = 8000 ]"
rm -f "$DIR/welcome.wav"
sox -n -r 44100 -c 2 -b 16 "$T/menu.wav" synth 1 sine 300 vol 0.5
c=$(up menu.wav "$T/menu.wav")
check "a 44.1 kHz stereo WAV is taken and converted (201)" \
	bash -c "[ $c = 201 ] && [ \$(soxi -r '$DIR/menu.wav') = 8000 ] && [ \$(soxi -c '$DIR/menu.wav') = 1 ]"
c=$(up menu.wav "$T/menu.wav")
check "... again: replaced (200)" test "$c" = 200

echo "these are not the droids" >"$T/text.wav"
c=$(up notes.wav "$T/text.wav")
check "a file that is not audio is 422 not_playable saying so, nothing kept" \
	bash -c "[ $c = 422 ] && grep -q '\"not_playable\"' '$T/r.json' && grep -q 'not WAV, MP3, FLAC or Ogg' '$T/r.json' && [ ! -e '$DIR/notes.wav' ]"
sox -D -n -r 8000 -c 1 -b 16 "$T/long.flac" trim 0 150 # silence: small enough to send
c=$(up long.flac "$T/long.flac")
check "a prompt of 150 s is 422 too_long with its length and the limit, nothing kept" \
	bash -c "[ $c = 422 ] && grep -q '\"too_long\"' '$T/r.json' && grep -q '150.0 s long; a prompt is at most 120 s' '$T/r.json' && [ ! -e '$DIR/long.wav' ] && [ ! -e '$DIR/long.flac' ]"
check "no upload left behind" test "$(ls -A "$DIR" | tr '\n' ' ')" = "greeting.wav menu.wav "
c=$(up ../evil.wav "$T/menu.wav")
check "a name with a path is 400" test "$c" = 400
c=$(up song.aiff "$T/menu.wav")
check "a name that is no .wav, .mp3, .flac or .ogg is 400" test "$c" = 400
req POST /users '{"name":"sam","role":"supervisor","queues":["sales"],"password":"sam-secret"}' >/dev/null
session_jar sam sam-secret
c=$(up x.wav "$T/menu.wav" "-b $T/sam.jar")
check "a supervisor may not upload prompts (403)" test "$c" = 403
c=$(req GET /media/prompts)
check "the prompts are listed for the flow editor" is 200 'j["prompts"] == ["greeting.wav", "menu.wav"]'

# the flow plays it: the tenant now names the uploaded file
sed -i 's|{id: hi, type: say, text: "Hello."}|{id: hi, type: say, file: greeting.wav}|' "$T/tenant.yaml"
c=$(curl -s -o "$T/r.json" -w '%{http_code}' -H "Authorization: Bearer test-token" -X PUT \
	--data-binary @"$T/tenant.yaml" "$URL/tenant")
check "a flow's say node names the uploaded prompt (applied)" is 200 'j["applied"]'

SINK_PORT=$((PEER_PORTS + 40))
make_caller ear.xml "0 8 101" "$blk_answered
$blk_wait_bye"
sed -i "s/m=audio \[media_port\]/m=audio $SINK_PORT/" "$T/ear.xml"
python3 "$E2E_DIR/rtp_sink.py" "$SINK_PORT" 8 "$T/heard.raw" &
sink=$!
sipp_run ear ear.xml "$CALLER_PORT" -s 7001 -key caller 0952 -mp "$MEDIA_PORT0"
rc=$?
wait $sink
check "the caller is answered, hears the prompt and is hung up on" test "$rc" -eq 0
heard=$(python3 - "$T/heard.raw" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
x = struct.unpack("<%dh" % (len(b) // 2), b)
n = 400  # 50 ms windows with the tone's energy
print(sum(1 for i in range(0, len(x) - n, n) if sum(v * v for v in x[i:i + n]) > n * 200 ** 2) * 0.05)
PY
)
echo "# heard ${heard}s of tone" >&2
# a busy machine may lose a few packets on the way to the sink, never add
check "... the uploaded prompt, as long as it is (2 s; -25 % for packets a loaded machine loses)" \
	awk -v h="$heard" 'BEGIN { exit !(h >= 1.5 && h <= 2.4) }'
finish
