#!/usr/bin/env bash
# China's shipped holidays (conf/holidays/cn-*.ics) checked against a
# lunar-calendar computation (tests/web/holidays_cn.mjs, node with the
# test-only package lunar-javascript): no server, no browser.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WEB_DIR=$ROOT/tests/web
[ -d "$WEB_DIR/node_modules/lunar-javascript" ] || (cd "$WEB_DIR" && npm ci --no-audit --no-fund >/dev/null)
node "$WEB_DIR/holidays_cn.mjs" "$ROOT"/conf/holidays/cn-*.ics
