# web.sh — what the scripts of the browser tests that take calls share,
# sourced after tests/e2e/lib.sh: the users the pages are opened as,
# alice's SIPp phone, and the command of a caller to sales.

# adm ARGS...: a request to the API with the test token; prints the status.
adm() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' "$@"; }

# Agent alice (1001, password alice-secret) and supervisor sam (sales and
# support, sam-secret), made through the API as one check.
web_users() {
	check "users for the test" test "$(adm -d '{"name":"alice","role":"agent","extension":"1001","password":"alice-secret"}' "$URL/api/v1/users")/$(adm -d '{"name":"sam","role":"supervisor","queues":["sales","support"],"password":"sam-secret"}' "$URL/api/v1/users")" = 201/201
}

# alice's phone (1001): rings 2.5 s (the desktop shows the call ringing),
# answers, talks TALK ms and hangs up, CALLS times.
alice_phone() { # TALK CALLS
	make_agent agent.xml answer-bye "$1"
	sed -i '0,/<pause milliseconds="600"\/>/s//<pause milliseconds="2500"\/>/' "$T/agent.xml"
	agent_up 1001 alice-1001 "$AGENT_PORT1" "$MEDIA_PORT0" agent.xml -m "$2" || finish
}

# The command (for the browser script to start) of a caller from NUMBER
# who presses 1 for sales in the IVR and stays until the agent hangs up;
# SIPp on PORT with media on MEDIA, its output in $T/OUT.
sales_caller_cmd() { # PORT NUMBER MEDIA OUT
	[ -f "$T/caller.xml" ] || make_ivr_caller caller.xml rfc4733 1 wait
	echo "cd '$T' && exec sipp 127.0.0.1:$SIP_PORT -sf '$T/caller.xml' -p $1 -i 127.0.0.1 -timeout 90s -nostdin -m 1 -s 5000 -key caller $2 -mp $3 >'$T/$4' 2>&1"
}

# The web chat's tenant in $T/tenant.yaml: tenant.yaml with alice (1001)
# taking a call and three chats at once, from two chat queues; the entry
# web open to the shop's origin SITE, the entry night never open, the
# entry quick to a queue whose offers last 3 s.
chat_tenant() { # SITE
	python3 - "$E2E_DIR/tenant.yaml" "$T/tenant.yaml" "$1" <<'PY'
import sys
src, dst, site = sys.argv[1:]
out = []
for line in open(src, encoding='utf-8'):
    if line.startswith('  - {ext: "1001"'):
        line = line.replace('}', ', capacity: {voice: 1, chat: 3}}', 1)
    out.append(line)
    if line.startswith('queues:'):
        out.append('  - {name: chat-sales, channel: chat, strategy: linear, ring_timeout: 20s, members: ["1001"]}\n')
        out.append('  - {name: chat-support, channel: chat, strategy: linear, ring_timeout: 20s, members: ["1001"]}\n')
        out.append('  - {name: chat-quick, channel: chat, strategy: linear, ring_timeout: 3s, members: ["1001"]}\n')
out.append(f'''chat:
  entries:
    - {{name: web, origins: ["{site}"], hours: always, offline_group: support,
       topics: [{{label: Sales, queue: chat-sales}}, {{label: 售后, queue: chat-support}}]}}
    - {{name: night, origins: ["{site}"], hours: never, offline_group: support,
       topics: [{{label: Sales, queue: chat-sales}}]}}
    - {{name: quick, origins: ["{site}"], hours: always, offline_group: support,
       topics: [{{label: Quick, queue: chat-quick}}]}}
  canned:
    - {{shortcut: /hi, text: 您好，请问有什么可以帮您？}}
''')
open(dst, 'w', encoding='utf-8').write(''.join(out))
PY
}

# The shop's site on PORT (another origin than hotline's, $URL): pages
# shop.html (English) and shop-zh.html (Chinese) with the widget of entry
# web, night.html and quick.html with the entries of those names, each
# page with styles of its own on every button; python's http.server in
# the background (lib.sh's cleanup ends it).
chat_site() { # PORT
	local f file lang entry
	mkdir -p "$T/site"
	for f in shop.html:en:web night.html:en:night quick.html:en:quick shop-zh.html:zh-CN:web; do
		IFS=: read -r file lang entry <<<"$f"
		cat >"$T/site/$file" <<HTML
<!doctype html><html lang="$lang"><head><meta charset="utf-8"><title>Shop</title>
<style>button { background: red !important; font-size: 40px !important; } * { font-family: serif; }</style></head>
<body><h1>Shop</h1><p>Our products.</p>
<script src="$URL/chat/widget.js" data-entry="$entry" async></script></body></html>
HTML
	done
	(cd "$T/site" && exec python3 -m http.server "$1" --bind 127.0.0.1 >"$T/site.log" 2>&1) &
	for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$1/shop.html" && break; sleep 0.1; done
}
