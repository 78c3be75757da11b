#!/usr/bin/env bash
# The shipped demo tenant (conf/demo.yaml) under the admin forms: its first
# line has an em dash, and libyaml counts characters where the edits cut
# bytes, so every queue and agent form answered 422 on it. The queue form
# and an agent's form change it in place, the em dash and the comments
# kept, and the result is applied.
source "$(dirname "$0")/lib.sh"
cp "$E2E_DIR/../../conf/demo.yaml" "$T/tenant.yaml"
TENANT=$T/tenant.yaml start_hotline

c=$(req PUT /queues/support '{"strategy":"linear","wrapup":"3s"}')
check "the queue form changes the demo's support queue (200, applied)" is 200 'j["applied"]'
c=$(req GET /queues/support)
check "... support hunts linear now" is 200 'j["strategy"] == "linear"'
check "... written on its own line, the next key intact" \
	grep -q '^    strategy: "linear"$' "$T/tenant.yaml"
c=$(req PATCH /agents/1002 '{"name":"Bob Bauer","skills":{"english":7}}')
check "an agent's form changes Bob on the demo tenant (200, applied)" is 200 'j["applied"]'
c=$(req GET /agents/1002)
check "... Bob's new name and skills are applied" is 200 'j["name"] == "Bob Bauer" and j["skills"] == {"english": 7}'
c=$(req POST /agents '{"ext":"1005","name":"Eve","password":"eve-1005"}')
check "a new agent is appended to the demo tenant (201)" is 201 'j["applied"]'
check "the em dash and the comments are kept as written" \
	bash -c "head -1 '$T/tenant.yaml' | grep -q '^# demo.yaml — the demo tenant' && grep -q '^    # capacity: {voice: 1, chat: 2}$' '$T/tenant.yaml'"
finish
