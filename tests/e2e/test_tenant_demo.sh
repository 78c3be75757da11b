#!/usr/bin/env bash
# The shipped demo tenant (conf/demo.yaml) under the admin forms: its first
# line has an em dash, and libyaml counts characters where the edits cut
# bytes, so every queue and agent form answered 422 on it. The queue form
# and an agent's form change it in place, the em dash and the comments
# kept, and the result is applied. check-config, given the demo file
# alone, checks it as the tenant file it is.
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
# check-config tells the tenant file by its keys (it reported every
# top-level key as unknown unless --tenant was given)
out=$("$HOTLINE" check-config "$E2E_DIR/../../conf/demo.yaml" 2>&1)
check "check-config conf/demo.yaml checks it as a tenant file" \
	bash -c "[[ '$out' == *'checked as a tenant file'* && '$out' == *'OK as a tenant file (4 agents'* && '$out' != *unknown* ]]"
sed 's/strategy: skills/strategy: fastest/' "$E2E_DIR/../../conf/demo.yaml" >"$T/bad.yaml"
out=$("$HOTLINE" check-config "$T/bad.yaml" 2>&1)
check "... a broken one named alone: the tenant's error with its line, exit 1" \
	bash -c "! '$HOTLINE' check-config '$T/bad.yaml' >/dev/null 2>&1 && [[ '$out' == *'bad.yaml:'*'queues.strategy'* && '$out' != *'unknown key'* ]]"
out=$("$HOTLINE" check-config "$T/hotline.yaml" 2>&1)
check "... and a node file is still checked as one, with its tenant" \
	bash -c "[[ '$out' == *'checked as a node file'* && '$out' == *'OK as its tenant file'* ]]"
finish
