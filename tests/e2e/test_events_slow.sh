#!/usr/bin/env bash
# A client of the event stream that stops reading is dropped once its
# unsent data passes the limit; the server keeps answering and the client
# that reads gets every event.
source "$(dirname "$0")/lib.sh"
start_hotline
read -r made got status < <(python3 "$E2E_DIR/ws_flood.py" "$HTTP_PORT" test-token 6000)
echo "# state changes $made, frames read $got, /health $status" >&2
check "the server stays responsive under the flood" test "$status" = 200
check "the reading client got every change ($got of $made)" test "${got:-0}" = "$made"
check "the client that stopped reading was dropped" \
	grep -q "event stream client dropped .*reason=too slow" "$T/hotline.log"
finish
