#!/usr/bin/env bash
# hb audit show --object KEY says what each write changed (a public reply,
# an internal note, a status, tags), from the request body the trail
# stored; an object hb created is found by its own key; a malformed key is
# refused with the format; hb audit body DIGEST prints a stored body.
set -e
. "$HB_E2E_LIB"
set +e

run_hb run four-services ticket=1001 --sandbox
RUN=$(run_id)
IID=$(db "select json_extract(vars_json,'\$.issue') from runs where id='$RUN'")
CHECKS=$((CHECKS + 1))
[ -n "$IID" ] || fail "the run created no issue"
run_hb call zendesk.tickets.comment 1001 '{"body":"Hello, we are on it","public":true}' --sandbox
expect_rc 0 "a public reply by hb call"
run_hb call zendesk.tickets.set_status 1001 pending --sandbox
expect_rc 0 "a status change"

# 1. Each change in words, under its write.
run_hb audit show --object zendesk:ticket:1001
expect_rc 0
expect_out "^        change: tags = hb_touched$" "tags added"
expect_out '^        change: internal note "hb was here \(internal\)"$' "an internal note"
expect_out '^        change: public reply "Hello, we are on it"$' "a public reply"
expect_out '^        change: status = "pending"$' "a status"

# 2. The issue the run created, by its own key.
KEY="gitlab:issue:gitlab-com/support/support-ops/zendesk-organizations#$IID"
run_hb audit show --object "$KEY"
expect_rc 0 "a created object is found by its key"
expect_out "created +$KEY by gitlab.issues.create \(in gitlab:project:" "the creation"
run_hb audit show --object "$KEY" --json
CHECKS=$((CHECKS + 1))
[ "$(printf '%s\n' "$OUT" | head -1 | jq -r .type)" = created ] || fail "--json: the created event"

# 3. Keys: a malformed one gets the format; a well-formed one with nothing
#    recorded says so.
run_hb audit show --object zendesk:1001
expect_rc 2 "a key without a type"
expect_err "--object 'zendesk:1001' is not an object key: SERVICE:TYPE:ID"
expect_err "gitlab:issue:group/project#3"
run_hb audit show --object jira:issue:1
expect_rc 2 "an unknown service"
run_hb audit show --object zendesk:ticket:999999
expect_rc 0
expect_err "no changes to zendesk:ticket:999999 are recorded"

# 4. hb audit body DIGEST.
DIGEST=$(db "select json_extract(data,'\$.request_body') from audit where type='intent' and json_extract(data,'\$.op')='gitlab.issues.create'")
run_hb audit body "$DIGEST"
expect_rc 0
CHECKS=$((CHECKS + 1))
[ "$(printf '%s' "$OUT" | jq -r .title)" = "hb test issue for ticket 1001" ] || fail "the stored body"
run_hb audit body abc
expect_rc 2 "not a digest"
expect_err "'abc' is not a digest: 64 lowercase hex digits"
run_hb audit body 0000000000000000000000000000000000000000000000000000000000000000
expect_rc 2 "no such body"
expect_err "no body 0{64} in the store"
finish
