#!/usr/bin/env bash
# The server's texts in the reader's language (issue 14): error reasons
# come from a catalog per language (web/server/zh-CN.json; English needs
# none) in the user's own language (PATCH /session locale), else the
# browser's (Accept-Language), else English; the reasons passed into a
# message are translated too, and the ticket history lines the server
# wrote (stored as a message key and its arguments, worded in the
# reader's language when read: shown, beside text in English). Every translation in the shipped catalog
# takes the English text's arguments (none left out at load).
source "$(dirname "$0")/lib.sh"
start_hotline
URL="http://127.0.0.1:$HTTP_PORT/api/v1"
# msg [curl args...]: the error message of the answer
msg() { curl -s -o "$T/r.json" -H 'Content-Type: application/json' "$@" >/dev/null; j 'j["error"]["message"]'; }
check "the Chinese catalog loads whole" \
	bash -c "grep -q 'msg: catalog lang=zh-CN texts=$(python3 -c "import json; print(len(json.load(open('$ROOT/web/server/zh-CN.json'))))")' '$T/hotline.log' && ! grep -q 'left out' '$T/hotline.log'"
check "every error text the API writes has its Chinese (server_texts.py)" \
	python3 "$E2E_DIR/server_texts.py" "$ROOT/src" "$ROOT/web/server/zh-CN.json"
check "English by default" \
	test "$(msg -H 'Authorization: Bearer test-token' "$URL/tickets/tk_nope")" = "no ticket 'tk_nope'"
check "the browser's language when the caller has none of its own" \
	test "$(msg -H 'Authorization: Bearer test-token' -H 'Accept-Language: zh-CN,zh;q=0.9,en;q=0.8' "$URL/tickets/tk_nope")" = "没有工单“tk_nope”"
check "... a language alone finds its catalog (zh)" \
	test "$(msg -H 'Authorization: Bearer test-token' -H 'Accept-Language: zh' -d '{"name":"a\u0007"}' "$URL/customers")" = "name：含有控制字符"
check "a language without a catalog is English" \
	test "$(msg -H 'Authorization: Bearer test-token' -H 'Accept-Language: fr-FR' "$URL/tickets/tk_nope")" = "no ticket 'tk_nope'"
req POST /users '{"name":"wang","role":"supervisor","queues":["sales"],"password":"wang-secret"}' >/dev/null
session_jar wang wang-secret
curl -s -o /dev/null -b "$T/wang.jar" -X PATCH -H 'Content-Type: application/json' -d '{"locale":"zh-CN"}' "$URL/session"
check "the user's own language, whatever the browser says" \
	test "$(msg -b "$T/wang.jar" -H 'Accept-Language: en' -d '{"name":"张伟","tier":"gold"}' "$URL/customers")" = "tier：“gold”不是本租户的客户等级（crm.tiers）"
check "... a length in characters, in Chinese" \
	test "$(msg -b "$T/wang.jar" -d "{\"subject\":\"$(python3 -c "print('工'*256)")\"}" "$URL/tickets")" = "subject：最多 255 个字符"
# the reasons and our words passed into a text are translated with it
check "a module's reason passed whole (ticket.c's why)" \
	test "$(msg -b "$T/wang.jar" -d '{"subject":"退款","group":"sales","assignee":"9999"}' "$URL/tickets")" = "assignee：不是本租户的坐席"
check "... and one inside a text, with the kind of identity (crm.c's why)" \
	test "$(msg -b "$T/wang.jar" -d '{"name":"张伟","identities":[{"kind":"phone","value":"12"}]}' "$URL/customers")" = "identities[0].value：“12”不是有效的 电话：作为电话号码太短"
check "... and a custom field's, written in the reader's words (crm_fields_check)" \
	test "$(msg -b "$T/wang.jar" -d '{"name":"张伟","fields":{"plan":"gold"}}' "$URL/customers")" = "fields.plan：“gold”不是可选项之一（basic, pro, enterprise）"
check "a route for admins, and the role, in Chinese" \
	test "$(msg -b "$T/wang.jar" -d '{"name":"x","role":"agent","password":"x-secret-123"}' "$URL/users")" = "此接口仅供管理员使用；wang 是主管"
check "what a user may not do, in Chinese" \
	test "$(msg -b "$T/wang.jar" -X PUT -d '{"strategy":"linear"}' "$URL/queues/support")" = "wang 无权修改这个队列"
check "a method a route does not take, in the browser's language (before the user is known)" \
	test "$(msg -H 'Accept-Language: zh-CN' -X DELETE "$URL/queues/support")" = "这个接口不接受该请求方法"

# ticket history: the lines the server wrote, in the reader's language;
# notes are people's words and stay as written
c=$(req POST /tickets '{"subject":"退款","priority":"high","category":"billing","group":"sales"}')
tk=$(j 'j["id"]')
req PATCH "/tickets/$tk" '{"status":"open"}' >/dev/null
req POST "/tickets/$tk/notes" '{"text":"open → closed, as typed"}' >/dev/null
# (the created line without whom it was assigned to: whoever was free)
hist() { curl -s -o "$T/r.json" "$@" "$URL/tickets/$tk"; j '" | ".join(h["kind"] + "=" + h["shown"].split(", assigned")[0].split("，分配")[0] for h in j["history"])'; }
check "in English for an English reader, as stored" \
	test "$(hist -H 'Authorization: Bearer test-token')" = "created=退款; high, billing | status=new → open | note=open → closed, as typed"
check "in Chinese for wang: the line's key worded in Chinese with our words (status, priority), the note as typed" \
	test "$(hist -b "$T/wang.jar")" = "created=创建工单：退款；高，billing | status=工单状态：新建 → 处理中 | note=open → closed, as typed"
check "the line is stored as a key and its arguments, no English text" \
	test "$(sqlite3 "$T/data/hotline.db" "SELECT text || '|' || msg FROM ticket_history WHERE ticket='$tk' AND kind='status'")" = '|{"key":"ticket.status","args":[{"w":"new"},{"w":"open"}]}'
check "... the answer has text in English beside shown, and the key with its arguments" \
	python3 -c 'import json,sys; h=[h for h in json.load(open("'"$T"'/r.json"))["history"] if h["kind"] == "status"][0]; sys.exit(not (h["text"] == "new → open" and h["key"] == "ticket.status" and h["args"] == [{"w": "new"}, {"w": "open"}]))'
# a line from before the keys that no format reads (migration 14 left it
# text): shown as stored to every reader
sqlite3 "$T/data/hotline.db" "INSERT INTO ticket_history (ticket, ts, user, kind, text, public, msg) VALUES ('$tk', 1, 'system', 'sla', 'an old line of ours', 0, '')"
en=$(hist -H 'Authorization: Bearer test-token')
zh=$(hist -b "$T/wang.jar")
check "an old line kept as text is shown as stored, in English and in Chinese" \
	test "${en##* | }/${zh##* | }" = "sla=an old line of ours/sla=an old line of ours"
finish
