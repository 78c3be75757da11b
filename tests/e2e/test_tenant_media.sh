#!/usr/bin/env bash
# A queue's music and a flow's prompt files come from the media folders
# under the data directory only: a supervisor's queue form naming
# /etc/shadow, ../../recordings, a symbolic link out of the folder or a
# file that is not there gets 422 naming queues.moh, the same words for
# the link out and the missing file, and the tenant file is not touched;
# so does the whole file over PUT /tenant (a prompt of /etc/passwd). A
# file in the folder that is no WAV cannot be applied, so it is never
# written. Music from the folder is saved and played, and the server
# starts again on the file it saved. A supervisor uploads music into the
# folder (POST /media/moh?name=NAME): only what can be played is kept.
source "$(dirname "$0")/lib.sh"
cp "$E2E_DIR/tenant.yaml" "$T/tenant.yaml"
mkdir -p "$T/data/media/moh" "$T/data/recordings"
sox -n -r 8000 -c 1 -b 16 "$T/data/media/moh/calm.wav" synth 2 sine 300 vol 0.5
cp "$T/data/media/moh/calm.wav" "$T/data/recordings/secret.wav"
ln -s "$T/data/recordings" "$T/data/media/moh/calls"
echo "not music" >"$T/data/media/moh/notes.wav"
TENANT=$T/tenant.yaml start_hotline
URL="http://127.0.0.1:$HTTP_PORT/api/v1"
cp "$T/tenant.yaml" "$T/before.yaml"

req POST /users '{"name":"sam","role":"supervisor","queues":["sales"],"password":"sam-secret"}' >/dev/null
check "sam signs in" session_jar sam sam-secret
# moh NAME: the supervisor's queue form sets sales' music; the status
moh() {
	curl -s -o "$T/r.json" -w '%{http_code}' -b "$T/sam.jar" -X PUT \
		-H 'Content-Type: application/json' -d "{\"moh\":\"$1\"}" "$URL/queues/sales"
}
unchanged() { cmp -s "$T/before.yaml" "$T/tenant.yaml"; }
msg() { j 'j["error"]["errors"][0]["message"]' | sed "s|\"$1\"|NAME|"; }

c=$(moh /etc/shadow)
check "moh /etc/shadow is 422 naming queues.moh" is 422 'j["error"]["errors"][0]["key"] == "queues.moh"'
check "... and the tenant file is not touched" unchanged
c=$(moh ../../recordings)
check "moh ../../recordings is 422 naming queues.moh" is 422 'j["error"]["errors"][0]["key"] == "queues.moh"'
check "... not touched" unchanged
c=$(moh calls)
check "moh through a symbolic link out of the folder is 422" is 422 'j["error"]["errors"][0]["key"] == "queues.moh"'
out_msg=$(msg calls)
c=$(moh nothing.wav)
check "a name that is not there is 422" is 422 'j["error"]["errors"][0]["key"] == "queues.moh"'
check "... in the same words as the link out (no telling which files exist)" \
	test "$(msg nothing.wav)" = "$out_msg"
check "... not touched" unchanged
c=$(moh notes.wav)
check "a file in the folder that is not a WAV cannot be applied: 422, not saved" \
	is 422 'j["error"]["errors"][0]["key"] == "media"'
check "... not touched" unchanged
sed 's|type: queue, queue: sales}|type: queue, queue: sales}\n      - {id: leak, type: say, file: /etc/passwd}|' "$T/tenant.yaml" >"$T/prompt.yaml"
c=$(curl -s -o "$T/r.json" -w '%{http_code}' -H "Authorization: Bearer test-token" -X PUT \
	--data-binary @"$T/prompt.yaml" "$URL/tenant")
check "PUT /tenant with a prompt file /etc/passwd is 422 naming nodes.file" \
	is 422 'j["error"]["errors"][0]["key"] == "nodes.file"'
check "... not touched" unchanged

# music uploaded into the folder by the supervisor
sox -n -r 16000 -c 1 -b 16 "$T/upload.wav" synth 3 sine 440 vol 0.5
up() { # NAME FILE: sam uploads FILE as NAME
	curl -s -o "$T/r.json" -w '%{http_code}' -b "$T/sam.jar" -X POST \
		-H 'Content-Type: audio/wav' --data-binary @"$2" "$URL/media/moh?name=$1"
}
c=$(up jingle.wav "$T/upload.wav")
check "sam uploads jingle.wav into the media folder (201)" is 201 'j["name"] == "jingle.wav"'
check "... private to the service (0600)" test "$(stat -c %a "$T/data/media/moh/jingle.wav")" = 600
c=$(up jingle.wav "$T/upload.wav")
check "... again: replaced (200)" is 200 'True'
echo "not music either" >"$T/junk.wav"
c=$(up junk.wav "$T/junk.wav")
check "a file that cannot be played is 422 and not kept" \
	bash -c "[ $c = 422 ] && [ ! -e '$T/data/media/moh/junk.wav' ] && ! ls -A '$T/data/media/moh' | grep -q upload"
c=$(up notes.txt "$T/upload.wav")
check "a name that is no .wav file name is 400" test "$c" = 400
c=$(curl -s -o "$T/r.json" -w '%{http_code}' -b "$T/sam.jar" "$URL/media/moh")
check "the music to choose from is listed" is 200 'j["moh"] == ["calls", "calm.wav", "jingle.wav", "notes.wav"]'
c=$(moh jingle.wav)
check "sales plays the uploaded music (saved and applied)" is 200 'j["applied"]'
c=$(moh calm.wav)
check "music from the media folder is saved and applied" is 200 'j["applied"]'
check "... written as its name" grep -q 'moh: "calm.wav"' "$T/tenant.yaml"
stop_hotline
check "the server starts again on the file it saved" start_hotline
check "... its music loaded (the one music error logged is notes.wav's, refused before)" \
	test "$(grep -c 'error moh' "$T/hotline.log")" = 1
finish
