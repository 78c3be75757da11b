#!/usr/bin/env bash
# HTTPS on the HTTP listener (http.tls_cert, http.tls_key) with a
# certificate openssl makes here: pages and the API over https, the event
# stream over wss, a clear-text request on the port refused; hotline
# refuses to start, and says why, when a file is missing, the key is
# readable by every user, the key is not the certificate's, or one of the
# two keys is set alone.
source "$(dirname "$0")/lib.sh"
URL="https://127.0.0.1:$HTTP_PORT"
mk_cert() { # NAME
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
		-subj "/CN=localhost" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
		-keyout "$T/$1.key" -out "$T/$1.pem" 2>/dev/null
	chmod 600 "$T/$1.key"
}
mk_cert server
mk_cert other
write_config
cp "$T/hotline.yaml" "$T/base.yaml"
# tls CERT KEY: the config with those keys (empty: left out)
tls() {
	cp "$T/base.yaml" "$T/hotline.yaml"
	[ -n "$1" ] && echo "  tls_cert: $1" >>"$T/hotline.yaml"
	[ -n "$2" ] && echo "  tls_key: $2" >>"$T/hotline.yaml"
}
# refused WHY: hotline exits at start with WHY in its log
refused() {
	: >"$T/hotline.log"
	timeout 10 "$HOTLINE" serve --config "$T/hotline.yaml" >>"$T/hotline.log" 2>&1
	local rc=$?
	[ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q "$1" "$T/hotline.log" ||
		{ echo "# rc $rc: $(tail -n 3 "$T/hotline.log")" >&2; false; }
}

tls "$T/missing.pem" "$T/server.key"
check "a missing certificate file: no start, the file named" refused "http.tls_cert: \"$T/missing.pem\" is not a readable file"
chmod 644 "$T/server.key"
tls "$T/server.pem" "$T/server.key"
check "a key every user can read: no start, chmod 600 asked" refused "http.tls_key: \"$T/server.key\" is readable by everyone"
chmod 600 "$T/server.key"
tls "$T/server.pem" "$T/other.key"
check "a key of another certificate: no start" refused "http.tls_key $T/other.key is no PEM private key of http.tls_cert"
tls "$T/server.pem" ""
check "a certificate without its key: a configuration error" refused "http.tls_cert and http.tls_key go together"
# relative paths are the configuration file's folder's
tls server.pem server.key

: >"$T/hotline.log"
"$HOTLINE" serve --config "$T/hotline.yaml" >>"$T/hotline.log" 2>&1 &
HL_PID=$!
for _ in $(seq 1 100); do
	curl -sf --cacert "$T/server.pem" -o /dev/null "$URL/health" && break
	sleep 0.1
done
check "hotline serves https, the certificate checked by curl" \
	test "$(curl -s --cacert "$T/server.pem" -o /dev/null -w '%{http_code}' "$URL/health")" = 200
check "... and says so when it starts" grep -q "api: listening https=127.0.0.1:$HTTP_PORT" "$T/hotline.log"
check "the API over https" \
	test "$(curl -s --cacert "$T/server.pem" -o /dev/null -w '%{http_code}' -H "Authorization: Bearer test-token" "$URL/api/v1/agents")" = 200
check "the agent desktop's page over https" \
	test "$(curl -s --cacert "$T/server.pem" "$URL/agent" | grep -c 'agent.js')" -ge 1
check "a keep-alive connection takes several requests over TLS" \
	test "$(curl -s --cacert "$T/server.pem" -w '%{http_code}:%{num_connects} ' -o /dev/null "$URL/health" -o /dev/null "$URL/health" -o /dev/null "$URL/health")" = "200:1 200:0 200:0 "
# a big answer goes out whole through the TLS layer
big=$(curl -s --cacert "$T/server.pem" "$URL/web/i18n-zh-CN.json" | wc -c)
check "a page's whole body over TLS" test "$big" -eq "$(wc -c <"$ROOT/web/i18n-zh-CN.json")"
check "clear-text HTTP on the TLS port gets no answer" \
	test "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/health")" = 000
check "hotline is still up after it" \
	test "$(curl -s --cacert "$T/server.pem" -o /dev/null -w '%{http_code}' "$URL/health")" = 200

WS_CAFILE="$T/server.pem" python3 "$E2E_DIR/ws_client.py" "wss://127.0.0.1:$HTTP_PORT/api/v1/events?access_token=test-token&types=agent." 4 >"$T/wss.out" 2>&1 &
W=$!
for _ in $(seq 1 50); do grep -q '^HANDSHAKE' "$T/wss.out" && break; sleep 0.1; done
curl -s --cacert "$T/server.pem" -o /dev/null -H "Authorization: Bearer test-token" -H 'Content-Type: application/json' \
	-d '{"state":"paused","reason":"lunch"}' "$URL/api/v1/agents/1001/state"
wait $W
check "the event stream over wss: 101" grep -q "^HANDSHAKE HTTP/1.1 101" "$T/wss.out"
check "... and its events come through TLS" grep -q '"agent.state"' "$T/wss.out"
finish
