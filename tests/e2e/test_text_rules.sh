#!/usr/bin/env bash
# Text rules (issue 14): what is not text in a customer, a ticket, a note
# or a custom field — invalid UTF-8, an overlong form, a surrogate (raw
# or a lone \ud800 escape), a control character (a line break in a
# one-line field), a bidi override — is a 400 bad_text naming the field,
# and nothing is stored; limits count characters, so 张伟, Zoë and emoji
# at the limit are taken and read back byte for byte, one more refused;
# a right-to-left mark and mixed scripts are text.
source "$(dirname "$0")/lib.sh"
start_hotline
URL="http://127.0.0.1:$HTTP_PORT/api/v1"
# send METHOD PATH [FILE]: the bytes of $T/FILE as the body; the status, the body in $T/r.json
send() {
	local d=()
	[ -n "${3:-}" ] && d=(--data-binary "@$T/$3")
	curl -s -o "$T/r.json" -w '%{http_code}' -X "$1" -H "Authorization: Bearer test-token" \
		-H 'Content-Type: application/json' "${d[@]}" "$URL$2"
}
# body FILE PYTHON-BYTES: writes a body made of bytes
body() { python3 -c "import sys; open(sys.argv[1],'wb').write($2)" "$T/$1"; }
# refused METHOD PATH FIELD VALUE-BYTES [PREFIX]: {FIELD: VALUE} is 400 bad_text naming FIELD
refused() {
	local key=${3##*.} outer=""
	[ "$key" != "$3" ] && outer=${3%%.*}
	if [ -n "$outer" ]; then
		body bad.json "b'{${5:-}\"$outer\":{\"$key\":\"' + $4 + b'\"}}'"
	else
		body bad.json "b'{${5:-}\"$key\":\"' + $4 + b'\"}'"
	fi
	c=$(send "$1" "$2" bad.json)
	[ "$c/$(j 'j["error"]["code"]')/$(j 'j["error"]["message"].split(":")[0]')" = "400/bad_text/$3" ] ||
		{ echo "# $3=$4: got $c $(cat "$T/r.json")" >&2; return 1; }
}
BAD_KINDS=(
	"b'Zo\\xeb'"                 # Latin-1, not UTF-8
	"b'a\\xc0\\xaf'"             # overlong '/'
	"b'\\xe0\\x80\\xaf'"         # overlong, 3 bytes
	"b'\\xed\\xa0\\x80'"         # a surrogate encoded
	"b'\\xe5\\xbc'"              # a cut character
	"b'x\\\\ud800y'"             # a lone surrogate escape
	"b'\\\\udc00'"               # a lone low surrogate
	"b'a\\\\u0007b'"             # a bell
	"b'a\\\\u001b[2J'"           # an escape sequence
	"b'a\\\\u0000b'"             # NUL
	"b'a\\xc2\\x85b'"            # a C1 control (NEL)
	"b'exe.\\xe2\\x80\\xaegpj'"  # a right-to-left override
)

# --- customers: name, company, notes, a custom field -------------------------
for f in name company notes fields.account; do
	bad=0
	for k in "${BAD_KINDS[@]}"; do refused POST /customers "$f" "$k" || bad=$((bad + 1)); done
	check "customers: each kind of bad text in $f is 400 bad_text naming $f" test "$bad" = 0
done
check "customers: a line break in a one-line field (name) is refused" \
	refused POST /customers name "b'Ann\\\\nLee'"
check "customers: nothing was stored" test "$(db 'SELECT count(*) FROM customers')" = 0

# at the limits, in characters: 127 for names, 2047 for notes, 256 for a field
python3 - "$T" <<'PY'
import json, sys
t = sys.argv[1]
ok = {"name": "张伟" * 63 + "张", "company": "Zoë" * 42 + "Z",
      "notes": "😀" * 2046 + "\n", "fields": {"account": "\u200fعلي Wei 张伟 " + "👍" * 243}}
open(t + "/ok.json", "w", encoding="utf-8").write(json.dumps(ok, ensure_ascii=False))
open(t + "/ok_esc.json", "w").write(json.dumps(ok))  # the same as \u escapes
for k, v in (("name", "张" * 128), ("company", "ë" * 128), ("notes", "😀" * 2048)):
    open(t + "/long_%s.json" % k, "w", encoding="utf-8").write(json.dumps({k: v}, ensure_ascii=False))
open(t + "/long_fields.json", "w", encoding="utf-8").write(json.dumps({"name": "x", "fields": {"account": "伟" * 257}}, ensure_ascii=False))
PY
c=$(send POST /customers ok.json)
cu=$(j 'j.get("id","")')
check "customers: 张伟, Zoë and emoji at the character limits are taken (201)" test "$c" = 201
c=$(send GET "/customers/$cu")
check "customers: read back byte for byte (RLM and mixed scripts kept)" python3 -c "
import json,sys
got=json.load(open('$T/r.json')); want=json.load(open('$T/ok.json',encoding='utf-8'))
sys.exit(not all(got[k]==want[k] for k in want))"
check "customers: the stored row holds the same bytes" \
	test "$(db "SELECT hex(name) FROM customers WHERE id='$cu'")" = "$(python3 -c "print(('张伟'*63+'张').encode().hex().upper())")"
c=$(send POST /customers ok_esc.json)
check "customers: the same text sent as \\u escapes (surrogate pairs) is taken" test "$c" = 201
for k in name company notes fields; do
	c=$(send POST /customers "long_$k.json")
	want=400
	[ $k = fields ] && want=422 # a declared field's value: 422 as any of its checks
	check "customers: one character past the limit of $k is $want naming it" \
		test "$c/$(j 'j["error"]["message"].split(":")[0].split(".")[0]')" = "$want/$k"
done
check "customers: the long ones stored nothing" test "$(db 'SELECT count(*) FROM customers')" = 2
refused PATCH "/customers/$cu" name "b'\\xff'"
check "customers: a change with bad text is refused and changes nothing" \
	test "$?/$(db "SELECT name = '$(python3 -c "print('张伟'*63+'张')")' FROM customers WHERE id='$cu'")" = 0/1

# --- tickets: subject, description, a custom field, notes ----------------------
for f in subject description fields.order_no; do
	bad=0
	for k in "${BAD_KINDS[@]}"; do refused POST /tickets "$f" "$k" || bad=$((bad + 1)); done
	check "tickets: each kind of bad text in $f is 400 bad_text naming $f" test "$bad" = 0
done
check "tickets: a line break in the subject is refused, one in the description is text" \
	refused POST /tickets subject "b'a\\\\nb'"
check "tickets: nothing was stored" test "$(db 'SELECT count(*) FROM tickets')" = 0
python3 - "$T" <<'PY'
import json, sys
t = sys.argv[1]
w = lambda n, o: open(t + "/" + n, "w", encoding="utf-8").write(json.dumps(o, ensure_ascii=False))
w("tk.json", {"subject": "张伟" * 127 + "张", "description": "第一行\n\t😀" + "😀" * 4089, "fields": {"remark": "Zoë" * 85 + "!"}})
w("tk_long.json", {"subject": "张" * 256})
w("note.json", {"text": "\u200fשלום 张伟\n" + "伟" * 1990})
w("note_long.json", {"text": "伟" * 2001})
PY
c=$(send POST /tickets tk.json)
tk=$(j 'j.get("id","")')
check "tickets: 255 Chinese characters of subject, 4095 of description are taken" test "$c" = 201
c=$(send GET "/tickets/$tk")
check "tickets: read back byte for byte" python3 -c "
import json,sys
got=json.load(open('$T/r.json')); want=json.load(open('$T/tk.json',encoding='utf-8'))
sys.exit(not all(got[k]==want[k] for k in want))"
c=$(send POST /tickets tk_long.json)
check "tickets: a subject of 256 characters is 400 naming it" \
	test "$c/$(j 'j["error"]["message"].split(":")[0]')" = 400/subject
bad=0
for k in "${BAD_KINDS[@]}"; do refused POST "/tickets/$tk/notes" text "$k" || bad=$((bad + 1)); done
check "notes: each kind of bad text is 400 bad_text naming text" test "$bad" = 0
c=$(send POST "/tickets/$tk/notes" note_long.json)
check "notes: 2001 characters is 400 naming text" test "$c/$(j 'j["error"]["message"].split(":")[0]')" = 400/text
check "notes: none stored" test "$(db "SELECT count(*) FROM ticket_history WHERE ticket='$tk' AND kind='note'")" = 0
c=$(send POST "/tickets/$tk/notes" note.json)
check "notes: 2000 characters with a line break and Hebrew after an RLM are taken" test "$c" = 204
c=$(send GET "/tickets/$tk")
check "notes: read back byte for byte" python3 -c "
import json,sys
got=json.load(open('$T/r.json')); want=json.load(open('$T/note.json',encoding='utf-8'))['text']
sys.exit(not any(h.get('text')==want for h in got.get('history',[])))"

# a survey's comment (the customer's words, no sign-in): the same rules
bad=0
for k in "${BAD_KINDS[@]}"; do refused POST /surveys comment "$k" '"token":"t0","score":4,' || bad=$((bad + 1)); done
check "surveys: each kind of bad text in comment is 400 bad_text naming comment" test "$bad" = 0
python3 -c "import json; open('$T/sv.json','w',encoding='utf-8').write(json.dumps({'token':'t0','score':4,'comment':'服务很好 👍\n谢谢'+'好'*502}, ensure_ascii=False))"
c=$(send POST /surveys sv.json)
check "... 511 characters of comment with a line break pass the text rules (404: no such link)" \
	test "$c/$(j 'j["error"]["code"]')" = 404/not_found
: as written, quotes and all
c=$(req POST /users '{"name":"zw","role":"admin","display":"张伟 \"Wei\" Zoë 👍","password":"zw-secret-1"}')
check "a user's display name is taken as written" test "$c/$(j 'j.get("display")')" = '201/张伟 "Wei" Zoë 👍'
refused POST /users display "b'a\\u0007'" '"name":"zx","role":"admin","password":"zx-secret-1",'
check "... bad text in it is 400 naming display, no user made" \
	test "$?/$(db "SELECT count(*) FROM users WHERE name='zx'")" = 0/0
finish
