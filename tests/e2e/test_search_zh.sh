#!/usr/bin/env bash
# Search by any part of Chinese text (issue 14): customers found through
# the API by one character of a name, the given name, the whole name and
# a part of the company, English prefixes still as typed; tickets by a
# part of the subject or the description, their old text forgotten when
# it changes. Chinese punctuation between words is a separator.
source "$(dirname "$0")/lib.sh"
start_hotline
# names ?q=...: the names (or subjects) found, ';'-separated, sorted
q() { curl -s -G -H "Authorization: Bearer test-token" --data-urlencode "q=$2" \
	"http://127.0.0.1:$HTTP_PORT/api/v1/$1" -o "$T/r.json"
	j "';'.join(sorted(x.get('name') or x.get('subject') for x in (j.get('customers') or j.get('tickets') or [])))"; }
for body in '{"name":"张伟","company":"上海浦东发展银行"}' '{"name":"王伟","company":"北京华信科技有限公司"}' \
	'{"name":"欧阳娜娜","company":"Acme 深圳"}' '{"name":"Ann Lee","company":"Acme Widgets"}'; do
	c=$(req POST /customers "$body")
	[ "$c" = 201 ] || echo "# $body: $c $(cat "$T/r.json")" >&2
done
check "one character of a name finds every name with it" test "$(q customers 伟)" = "张伟;王伟"
check "a surname alone" test "$(q customers 张)" = "张伟"
check "a whole 2-character name" test "$(q customers 张伟)" = "张伟"
check "the characters out of order are not a match" test "$(q customers 伟张)" = ""
check "a 2-character given name inside a 4-character name" test "$(q customers 娜娜)" = "欧阳娜娜"
check "a part from inside a company's name" test "$(q customers 浦东)" = "张伟"
check "another: 科技 in 北京华信科技有限公司" test "$(q customers 科技)" = "王伟"
check "English and Chinese words together, both needed" test "$(q customers 'acme 深圳')" = "欧阳娜娜"
check "Chinese punctuation separates words" test "$(q customers '上海，银行')" = "张伟"
check "English prefixes as before" test "$(q customers 'an le')" = "Ann Lee"

for body in '{"subject":"退款申请","description":"客户要求退还订单费用"}' '{"subject":"发票","description":"需要增值税专用发票"}'; do
	c=$(req POST /tickets "$body")
	[ "$c" = 201 ] || echo "# $body: $c $(cat "$T/r.json")" >&2
done
tk=$(db "SELECT id FROM tickets WHERE subject='退款申请'")
check "a ticket by two characters of its subject" test "$(q tickets 退款)" = "退款申请"
check "a ticket by a part of its description" test "$(q tickets 订单)" = "退款申请"
check "one character (票) finds its ticket" test "$(q tickets 票)" = "发票"
c=$(req PATCH "/tickets/$tk" '{"subject":"换货申请"}')
check "a changed subject is found by its new text, not its old" \
	test "$c/$(q tickets 换货)/$(q tickets 退款)" = "200/换货申请/"
finish
