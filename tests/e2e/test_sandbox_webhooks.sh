#!/usr/bin/env bash
# The sandbox sends Zendesk's and GitLab's webhooks when its state changes,
# as the real services do: a real `hb sandbox` process POSTs to a real
# loopback receiver (tests/support/webhooks/receiver.py). Asserted: the
# headers, a signature openssl verifies, the payload fields for an API
# update, a customer reply and a new ticket by patch, an issue closed by
# patch, a note and an issue through the API; the first delivery answered
# 500 comes again with the same invocation id; every attempt is in the
# request log; the secrets are nowhere in it; bad settings exit 2. Then hb
# call's in-process sandbox delivers before the process ends (and sends
# nothing unset), a receiver that keeps failing gets exactly the configured
# attempts, and `hb sandbox --patch` (hb_sandbox_patch) sends too.
set -e
. "$HB_E2E_LIB"
set +e
SB_PID="" RX_PID=""
trap '[ -n "$SB_PID" ] && kill "$SB_PID" 2>/dev/null; [ -n "$RX_PID" ] && kill "$RX_PID" 2>/dev/null; rm -rf "$TEST_TMP"' EXIT

check() { # check DESCRIPTION COMMAND...: one assertion on a command's success
  local what=$1
  shift
  CHECKS=$((CHECKS + 1))
  "$@" || fail "$what"
}

ZD_SECRET="zd-signing-secret-0123456789abcdef"
GL_TOKEN="gl-webhook-token-0123456789abcdef"
export HB_SANDBOX_WEBHOOK_RETRY_DELAY=0s

# 1. Bad settings: exit 2 naming the setting, before anything serves.
HB_SANDBOX_ZENDESK_WEBHOOK_URL=http://127.0.0.1:9/hooks run_hb sandbox --port 0
expect_rc 2 "a webhook URL without its secret"
expect_err "HB_SANDBOX_ZENDESK_WEBHOOK_URL is set but HB_SANDBOX_ZENDESK_WEBHOOK_SECRET is not"
HB_SANDBOX_GITLAB_WEBHOOK_URL=https://hooks.example.com/x HB_SANDBOX_GITLAB_WEBHOOK_TOKEN=$GL_TOKEN \
  run_hb sandbox --port 0
expect_rc 2 "a webhook URL that is not loopback http"
expect_err "HB_SANDBOX_GITLAB_WEBHOOK_URL: .*not an http:// URL"
HB_SANDBOX_ZENDESK_WEBHOOK_URL=http://example.com:80/x HB_SANDBOX_ZENDESK_WEBHOOK_SECRET=$ZD_SECRET \
  run_hb sandbox --port 0
expect_rc 2 "a webhook URL off this machine"
expect_err "not on this machine"
expect_no_err "$ZD_SECRET" "the secret in an error"

# 2. The receiver (its first answer is a 500) and the sandbox pointed at it.
python3 "$HB_SRC/tests/support/webhooks/receiver.py" "$TEST_TMP/rx.port" "$TEST_TMP/rx.log" \
  --fail-first 1 &
RX_PID=$!
for _ in $(seq 100); do [ -s "$TEST_TMP/rx.port" ] && break; sleep 0.1; done
RX="http://127.0.0.1:$(cat "$TEST_TMP/rx.port")"
HB_SANDBOX_ZENDESK_WEBHOOK_URL="$RX/hooks/zendesk" HB_SANDBOX_ZENDESK_WEBHOOK_SECRET=$ZD_SECRET \
  HB_SANDBOX_GITLAB_WEBHOOK_URL="$RX/hooks/gitlab" HB_SANDBOX_GITLAB_WEBHOOK_TOKEN=$GL_TOKEN \
  start_sandbox sb
zd() { curl -s -u "$ZENDESK_EMAIL/token:$ZENDESK_API_TOKEN" -H 'Content-Type: application/json' "$@"; }
gl() { curl -s -H "PRIVATE-TOKEN: $GITLAB_TOKEN" "$@"; }
patch() { curl -s -X POST -H 'Content-Type: application/json' --data "$1" "$ZENDESK_URL/__sandbox/patch"; }

# wait_for N: until the receiver has N requests (or gives up: the asserts
# below then fail on what is missing).
wait_for() {
  for _ in $(seq 300); do
    [ "$(wc -l <"$TEST_TMP/rx.log" 2>/dev/null || echo 0)" -ge "$1" ] && return 0
    sleep 0.1
  done
  return 0
}
# nth JQ_FILTER: the receiver's requests, answered 200 (the accepted ones),
# as a JSON array with bodies parsed, through the filter.
got() { jq -s '[.[] | select(.answered == 200) | .body |= fromjson]' "$TEST_TMP/rx.log" | jq "$@"; }

# 3. An agent's update through the API: a comment, a status and tags.
zd -X PUT --data '{"ticket": {"status": "pending", "additional_tags": ["hb_waiting"],
  "comment": {"body": "Could you send the job log?", "public": true}}}' \
  "$ZENDESK_URL/api/v2/tickets/1001.json" >/dev/null
# The first delivery is answered 500 and comes again: 3 events, 4 requests.
wait_for 4
check "the first delivery answered 500 is tried again with the same invocation id" \
  test "$(jq -s -r '[.[0], .[1]] | map(.headers["X-Zendesk-Webhook-Invocation-Id"]) | unique | length' "$TEST_TMP/rx.log")" = 1
check "the retried delivery was first answered 500, then 200" \
  test "$(jq -s -r '[.[0].answered, .[1].answered] | join(",")' "$TEST_TMP/rx.log")" = "500,200"
check "the retry is the same body" \
  test "$(jq -s -r '.[0].body == .[1].body' "$TEST_TMP/rx.log")" = true
check "three events, in the order they happened" \
  test "$(got -r '[.[] | .body.type] | join(" ")')" = \
  "zen:event-type:ticket.comment_added zen:event-type:ticket.status_changed zen:event-type:ticket.tags_changed"
check "comment_added: the agent's comment, staff" \
  test "$(got -r '.[0].body.event.comment | "\(.body)|\(.is_public)|\(.author.id)|\(.author.is_staff)"')" = \
  "Could you send the job log?|true|501|true"
check "status_changed: previous and current" \
  test "$(got -r '.[1].body.event | "\(.previous)>\(.current)"')" = "open>pending"
check "tags_changed: the tag added" \
  test "$(got -r '.[2].body.event | "\(.tags_added|join(","))|\(.tags_removed|length)"')" = "hb_waiting|0"
check "the envelope: account, subject, version, detail ids as strings" \
  test "$(got -r '.[0].body | "\(.account_id)|\(.subject)|\(.zendesk_event_version)|\(.detail.id)|\(.detail.requester_id)|\(.detail.status)"')" = \
  "1000001|zen:ticket:1001|2022-11-06|1001|601|pending"
check "Zendesk's headers" \
  test "$(got -r '.[0].headers | "\(.["Content-Type"])|\(.["X-Zendesk-Webhook-Id"])|\(.["User-Agent"])"')" = \
  "application/json|01HBSANDBOXWEBHOOK|Zendesk Webhook"
check "the path of the URL" test "$(got -r '.[0].path')" = "/hooks/zendesk"
check "the timestamp is RFC 3339 UTC" \
  bash -c "$(declare -f got); TEST_TMP=$TEST_TMP; got -r '.[0].headers[\"X-Zendesk-Webhook-Signature-Timestamp\"]' | grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'"

# Every Zendesk request's signature verifies with openssl, over the bytes
# as received; a wrong secret does not.
verify() { # verify INDEX SECRET
  local ts sig body
  ts=$(jq -s -r ".[$1].headers[\"X-Zendesk-Webhook-Signature-Timestamp\"]" "$TEST_TMP/rx.log")
  sig=$(jq -s -r ".[$1].headers[\"X-Zendesk-Webhook-Signature\"]" "$TEST_TMP/rx.log")
  jq -s -j ".[$1].body" "$TEST_TMP/rx.log" >"$TEST_TMP/body"
  [ "$(printf '%s' "$ts" | cat - "$TEST_TMP/body" | openssl dgst -sha256 -hmac "$2" -binary | base64)" = "$sig" ]
}
for i in 0 1 2 3; do check "signature $i verifies" verify "$i" "$ZD_SECRET"; done
CHECKS=$((CHECKS + 1))
verify 1 "not-the-secret" && fail "a signature verified with the wrong secret"

# 4. The customer replies (a patch standing for them): a public comment by
# the requester, not staff.
patch '{"zendesk": {"tickets": {"1001": {"comments": {"+": {"author_id": 601,
  "body": "Here is the log.", "public": true}}}}}}' >/dev/null
wait_for 5
check "the customer's reply is a comment_added by the requester, not staff" \
  test "$(got -r '.[3].body | "\(.type)|\(.event.comment.author.id == .detail.requester_id)|\(.event.comment.author.is_staff)|\(.event.comment.body)|\(.detail.actor_id)"')" = \
  "zen:event-type:ticket.comment_added|true|false|Here is the log.|601"

# 5. A ticket created by patch.
patch '{"zendesk": {"tickets": {"4242": {"subject": "New one", "status": "new", "requester_id": 602}}}}' >/dev/null
wait_for 6
check "ticket.created" \
  test "$(got -r '.[4].body | "\(.type)|\(.detail.id)|\(.detail.subject)|\(.event | length)"')" = \
  "zen:event-type:ticket.created|4242|New one|0"

# 6. GitLab: Support Ops closes an issue (a patch), a note and an issue
# through the API.
P=gitlab-com%2Fsupport%2Fsupport-ops%2Fzendesk-organizations
patch '{"gitlab": {"projects": {"20001": {"issues": {"2": {"state": "closed", "closed_by_id": 2}}}}}}' >/dev/null
wait_for 7
check "Issue Hook: close, by Support Ops" \
  test "$(got -r '.[5] | "\(.headers["X-Gitlab-Event"])|\(.body.object_kind)|\(.body.object_attributes.action)|\(.body.object_attributes.state)|\(.body.object_attributes.iid)|\(.body.project.path_with_namespace)|\(.body.user.username)|\(.body.changes.state_id.previous)>\(.body.changes.state_id.current)"')" = \
  "Issue Hook|issue|close|closed|2|gitlab-com/support/support-ops/zendesk-organizations|sofia.ops|1>2"
check "GitLab's headers: the token verbatim, the instance, ids" \
  test "$(got -r --arg t "$GL_TOKEN" --arg i "$GITLAB_URL" '.[5].headers | "\(.["X-Gitlab-Token"] == $t)|\(.["X-Gitlab-Instance"] == $i)|\(.["X-Gitlab-Event-UUID"] | test("^[0-9a-f-]{36}$"))|\(.["Idempotency-Key"] | test("^[0-9a-f-]{36}$"))|\(.["Content-Type"])"')" = \
  "true|true|true|true|application/json"
check "the GitLab path" test "$(got -r '.[5].path')" = "/hooks/gitlab"
gl -X POST --data-urlencode "body=Done on our side." "$GITLAB_URL/api/v4/projects/$P/issues/2/notes" >/dev/null
wait_for 8
check "Note Hook: the note and its issue" \
  test "$(got -r '.[6] | "\(.headers["X-Gitlab-Event"])|\(.body.object_kind)|\(.body.object_attributes.note)|\(.body.object_attributes.noteable_type)|\(.body.issue.iid)|\(.body.issue.state)"')" = \
  "Note Hook|note|Done on our side.|Issue|2|closed"
gl -X POST --data-urlencode "title=Webhook test" "$GITLAB_URL/api/v4/projects/$P/issues" >/dev/null
wait_for 9
check "Issue Hook: open, by the API's user" \
  test "$(got -r '.[7].body | "\(.object_attributes.action)|\(.object_attributes.title)|\(.object_attributes.state)|\(.user.id)"')" = \
  "open|Webhook test|opened|1"
check "each event its own Idempotency-Key" \
  test "$(got -r '[.[5:] | .[] | .headers["Idempotency-Key"]] | unique | length')" = 3

# 7. The request log: every attempt as an outgoing entry; no secret in it.
curl -s "$ZENDESK_URL/__sandbox/requests" >"$TEST_TMP/requests.json"
check "the log has each attempt of the retried delivery" \
  test "$(jq -r --arg id "$(jq -s -r '.[0].headers["X-Zendesk-Webhook-Invocation-Id"]' "$TEST_TMP/rx.log")" \
    '[.[] | select(.direction == "outgoing" and .id == $id) | "\(.attempt):\(.status)"] | join(" ")' "$TEST_TMP/requests.json")" = "1:500 2:200"
check "eight deliveries, nine attempts logged" \
  test "$(jq '[.[] | select(.direction == "outgoing")] | length' "$TEST_TMP/requests.json")" = 9
CHECKS=$((CHECKS + 1))
grep -qF -e "$ZD_SECRET" -e "$GL_TOKEN" "$TEST_TMP/requests.json" "$TEST_TMP/sb.err" && fail "a webhook secret in the log"

# 8. Reads send nothing.
zd "$ZENDESK_URL/api/v2/tickets/1001.json" >/dev/null
patch '{"zendesk": {"tickets": {"1001": {"comments": {"+": {"author_id": 601, "body": "last", "public": true}}}}}}' >/dev/null
wait_for 10
check "a read sends nothing: the next delivery is the next change" \
  test "$(got -r '.[8].body.event.comment.body')" = "last"

# 9. The in-process sandbox of hb call sends them too, and a process that
# ends right after its change still delivers what it queued; without the
# settings nothing is sent.
kill "$SB_PID" 2>/dev/null
wait "$SB_PID" 2>/dev/null
SB_PID=""
before=$(wc -l <"$TEST_TMP/rx.log")
run_hb call zendesk.tickets.comment 1002 '{"body":"Not sent anywhere","public":true}' --sandbox
expect_rc 0 "hb call without webhook settings"
HB_SANDBOX_ZENDESK_WEBHOOK_URL="$RX/hooks/zendesk" HB_SANDBOX_ZENDESK_WEBHOOK_SECRET=$ZD_SECRET \
  run_hb call zendesk.tickets.comment 1002 '{"body":"From hb call","public":true}' --sandbox
expect_rc 0 "hb call with the webhook settings"
check "the in-process sandbox delivered before hb call ended, and only that one" \
  test "$(tail -n +$((before + 1)) "$TEST_TMP/rx.log" | jq -s -r 'map(.body | fromjson | .event.comment.body) | join("|")')" = "From hb call"
expect_no_err "$ZD_SECRET" "the secret on hb call's stderr"

# 10. A receiver that keeps failing: HB_SANDBOX_WEBHOOK_ATTEMPTS attempts,
# all logged, then no more.
python3 "$HB_SRC/tests/support/webhooks/receiver.py" "$TEST_TMP/rx2.port" "$TEST_TMP/rx2.log" \
  --fail-first 1000 &
RX2_PID=$!
for _ in $(seq 100); do [ -s "$TEST_TMP/rx2.port" ] && break; sleep 0.1; done
HB_SANDBOX_WEBHOOK_ATTEMPTS=3 HB_SANDBOX_GITLAB_WEBHOOK_TOKEN=$GL_TOKEN \
  HB_SANDBOX_GITLAB_WEBHOOK_URL="http://127.0.0.1:$(cat "$TEST_TMP/rx2.port")/hooks/gitlab" \
  start_sandbox sb2
patch '{"gitlab": {"projects": {"20001": {"issues": {"2": {"state": "closed"}}}}}}' >/dev/null
for _ in $(seq 300); do
  [ "$(curl -s "$GITLAB_URL/__sandbox/requests" | jq '[.[] | select(.direction == "outgoing")] | length')" -ge 3 ] && break
  sleep 0.1
done
patch '{"gitlab": {"projects": {"20001": {"issues": {"1": {"title": "Renamed"}}}}}}' >/dev/null
for _ in $(seq 300); do
  [ "$(curl -s "$GITLAB_URL/__sandbox/requests" | jq '[.[] | select(.direction == "outgoing")] | length')" -ge 6 ] && break
  sleep 0.1
done
curl -s "$GITLAB_URL/__sandbox/requests" >"$TEST_TMP/requests2.json"
check "three attempts of the close, all 500, then the next event" \
  test "$(jq -r '[.[] | select(.direction == "outgoing") | "\(.body.object_attributes.action):\(.attempt):\(.status)"] | join(" ")' "$TEST_TMP/requests2.json")" = \
  "close:1:500 close:2:500 close:3:500 update:1:500 update:2:500 update:3:500"
check "the receiver saw each event three times under one key" \
  test "$(jq -s -r 'group_by(.headers["Idempotency-Key"]) | map(length) | join(",")' "$TEST_TMP/rx2.log")" = "3,3"
check "an update's changes name the field" \
  test "$(jq -s -r '.[-1].body | fromjson | "\(.changes.title.previous)>\(.changes.title.current)"' "$TEST_TMP/rx2.log")" = \
  "Offering migration: Globex Corporation (ticket #1002)>Renamed"
kill "$RX2_PID" 2>/dev/null
kill "$SB_PID" 2>/dev/null
wait "$SB_PID" 2>/dev/null

# 11. hb_sandbox_patch, the in-process patch (here `hb sandbox --patch`;
# hb test's actions use the same): the patch's comment is sent too.
echo '{"zendesk": {"tickets": {"1003": {"comments": {"+": {"body": "Patched at start"}}}}}}' \
  >"$TEST_TMP/start.json"
before=$(wc -l <"$TEST_TMP/rx.log")
HB_SANDBOX_ZENDESK_WEBHOOK_URL="$RX/hooks/zendesk" HB_SANDBOX_ZENDESK_WEBHOOK_SECRET=$ZD_SECRET \
  start_sandbox sb3 --patch "$TEST_TMP/start.json"
wait_for $((before + 1))
check "an in-process patch's comment is sent, by the requester" \
  test "$(tail -n +$((before + 1)) "$TEST_TMP/rx.log" | jq -s -r '.[0].body | fromjson | "\(.event.comment.body)|\(.event.comment.author.id)|\(.detail.requester_id)"')" = \
  "Patched at start|$(jq -r '.zendesk.tickets[] | select(.id == 1003) | .requester_id' "$HB_SRC/workflows/sandbox/seed.json")|$(jq -r '.zendesk.tickets[] | select(.id == 1003) | .requester_id' "$HB_SRC/workflows/sandbox/seed.json")"

finish
