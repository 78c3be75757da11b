#!/usr/bin/env bash
# A flow speaks its language: the tenant's language is zh, so a flow that
# names none says its prompt with eSpeak NG's Mandarin voice (cmn); a flow
# with language: en says the very same text in English, a prompt of its
# own (the cache is keyed by voice and text). The caller's ear
# (rtp_sink.py) hears speech as long as the synthesised WAV's. A number
# with a language of its own (7003: the English flow, in cmn) is heard in
# it. The queue's
# announcements, the callback's words, the conference PIN prompt and the
# feature codes' confirmations are rendered in Mandarin too, in Chinese
# words (src/sip/said.c).
source "$(dirname "$0")/lib.sh"
SAID="您好，欢迎致电热线。"
cat > "$T/tenant.yaml" <<YAML
name: 语音
language: zh
agents:
  - {ext: "3001", name: 张伟, password: pw-3001}
queues:
  - {name: sales, strategy: longest-idle, members: ["3001"], announce: 10s}
numbers:
  - {number: "7001", flow: zh}
  - {number: "7002", flow: en}
  - {number: "7003", flow: en, language: cmn}
flows:
  - name: zh
    start: hi
    nodes:
      - {id: hi, type: say, text: "$SAID"}
  - name: en
    language: en
    start: hi
    nodes:
      - {id: hi, type: say, text: "$SAID"}
YAML
TENANT=$T/tenant.yaml
write_config
start_hotline

# the cache file's name: sha256 of voice, rate and text (src/media/tts.c)
wav_of() {
	python3 -c 'import hashlib, sys
h = hashlib.sha256(sys.argv[1].encode() + b"\x00" + b"160\x00" + sys.argv[2].encode())
print(sys.argv[3] + "/tts-" + h.hexdigest()[:16] + ".wav")' "$1" "$2" "$T/data/prompts"
}
ZH_WAV=$(wav_of cmn "$SAID")
EN_WAV=$(wav_of en-us "$SAID")
check "the Mandarin prompt is rendered with the cmn voice" test -s "$ZH_WAV"
check "the same text in the English flow is a prompt of its own" \
	bash -c "test -s '$EN_WAV' && ! cmp -s '$ZH_WAV' '$EN_WAV'"
check "the queue announces in Chinese words, in Mandarin" \
	test -s "$(wav_of cmn "您前面还有 1 位客户，")"
check "... and the estimated wait" test -s "$(wav_of cmn "预计等待 3 分钟。")"
check "feature codes confirm in Chinese" test -s "$(wav_of cmn "坐席已就绪。")"
check "the callback's confirmation is in Chinese, in Mandarin" \
	test -s "$(wav_of cmn "谢谢。轮到您时我们会给您回电，再见。")"
check "... and what the agent hears as the customer is called back" \
	test -s "$(wav_of cmn "正在回拨客户。")"
check "a conference room asks for its PIN in Chinese" \
	test -s "$(wav_of cmn "请输入会议密码，然后按井号键。")"

SINK_PORT=$((PEER_PORTS + 40))
make_caller ear.xml "0 8 101" "$blk_answered
$blk_wait_bye"
sed -i "s/m=audio \[media_port\]/m=audio $SINK_PORT/" "$T/ear.xml"

# listen NUMBER CALLER: a call to NUMBER, what it heard in $T/heard-NUMBER.raw
listen() {
	python3 "$E2E_DIR/rtp_sink.py" "$SINK_PORT" 8 "$T/heard-$1.raw" &
	local sink=$!
	sipp_run "ear$1" ear.xml "$CALLER_PORT" -s "$1" -key caller "$2" -mp "$MEDIA_PORT0"
	local rc=$?
	wait $sink
	return $rc
}
# speech: 50 ms windows with energy, in a raw recording or a WAV
speech() {
	python3 - "$1" <<'PY'
import struct, sys, wave
f = sys.argv[1]
if f.endswith(".wav"):
    w = wave.open(f)
    b = w.readframes(w.getnframes())
else:
    b = open(f, "rb").read()
x = struct.unpack("<%dh" % (len(b) // 2), b)
n = 400
print(sum(1 for i in range(0, len(x) - n, n)
          if sum(v * v for v in x[i:i + n]) > n * 200 ** 2) * 0.05)
PY
}
near() { awk -v h="$1" -v m="$2" 'BEGIN { exit !(h >= m * 0.8 && h <= m * 1.2) }'; }

listen 7001 0952
check "the Mandarin flow answers, speaks and hangs up" test $? -eq 0
sheard=$(speech "$T/heard-7001.raw")
smade=$(speech "$ZH_WAV")
sen=$(speech "$EN_WAV")
echo "# speech heard ${sheard}s, in the Mandarin WAV ${smade}s, the English ${sen}s" >&2
check "the caller hears speech (>= 1 s)" awk -v s="$sheard" 'BEGIN { exit !(s >= 1) }'
# a busy machine may lose a few packets on the way to the sink, never add
check "... as long as the synthesised Mandarin prompt (within 20 %)" near "$sheard" "$smade"

far() { ! near "$@"; }
check "(the English rendering of the text is of another length)" far "$sen" "$smade"
listen 7003 0953
check "number 7003 runs the English flow" test $? -eq 0
s7003=$(speech "$T/heard-7003.raw")
echo "# speech heard on 7003 ${s7003}s" >&2
check "... in its own language: as long as the Mandarin prompt" near "$s7003" "$smade"
finish
