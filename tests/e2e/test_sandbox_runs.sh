#!/usr/bin/env bash
# A workflow touching all four services runs against the in-process sandbox,
# pauses and resumes against the same sandbox data, and a dry run against a
# separate `hb sandbox` server (reached as a live target over loopback HTTP)
# sends no write and prints the plan.
set -e
. "$HB_E2E_LIB"
state() { sqlite3 :memory: "select json_extract(readfile('$HB_HOME/sandbox/state.json'), '$1')"; }

run_hb run four-services ticket=1001 --sandbox
expect_rc 0 "runs against the sandbox"
expect_out "status=succeeded step=done"
expect_err "target: SANDBOX"
RUN=$(run_id)
[ "$(db "select json_extract(vars_json,'\$.public_reply_refused') from runs where id='$RUN'")" = 1 ] || fail "forbid refused the public reply"
db "select json_extract(vars_json,'\$.refusal') from runs where id='$RUN'" | grep -q "public_reply" || fail "the refusal names the rule"
state '$.data.zendesk.tickets' | grep -q hb_touched || fail "the tag reached the sandbox state"
[ "$(db "select count(*) from audit where run='$RUN' and type='intent'")" -ge 4 ] || fail "intents audited"
[ "$(db "select count(*) from audit where run='$RUN' and type='api_call'")" -ge 6 ] || fail "api calls audited"
run_hb audit show --object zendesk:ticket:1001
expect_rc 0
expect_out "$RUN" "hb audit show --object lists the run's changes to the ticket"
run_hb audit verify
expect_rc 0

# A separate sandbox server; hb reaches it as it would a live service.
"$HB" sandbox --port 0 > "$TEST_TMP/env.sh" 2>"$TEST_TMP/sandbox.err" &
SB=$!
for _ in $(seq 50); do grep -q SALESFORCE_CLIENT_SECRET "$TEST_TMP/env.sh" && break; sleep 0.1; done
. "$TEST_TMP/env.sh"
run_hb run four-services ticket=1001 --dry-run
expect_rc 0 "a dry run that printed its plan exits 0"
expect_out "status=planned"
expect_out "plan: [0-9]+ changes \(dry run: nothing was sent\)"
expect_out "zendesk zendesk:ticket:1001"
expect_out "gitlab"
expect_out "salesforce"
DRY=$(run_id)
curl -s "$ZENDESK_URL/__sandbox/requests" > "$TEST_TMP/requests.json"
count_requests() { sqlite3 :memory: "select count(*) from json_each(readfile('$TEST_TMP/requests.json')) where $1"; }
[ "$(count_requests "json_extract(value,'\$.method') = 'GET'")" -ge 4 ] || fail "the dry run's reads went through"
SENT=$(count_requests "json_extract(value,'\$.method') in ('PUT','PATCH','DELETE') or (json_extract(value,'\$.method') = 'POST' and json_extract(value,'\$.path') not like '%token%' and json_extract(value,'\$.path') not like '/v1/action/query%')")
[ "$SENT" = 0 ] || fail "the dry run sent $SENT write(s)"
run_hb resume "$DRY"
expect_rc 2 "a dry run cannot be resumed"
kill -TERM $SB; wait $SB || true
finish
