#!/usr/bin/env bash
# hb backtest on recorded runs of a shipped workflow (offering-migration),
# made against a separate `hb sandbox` server that hb reaches as a live
# service, so its request log is what reached "the services": the version
# on disk gives "same" for every run; a changed branch label and target
# "changed" for exactly the run that took it, naming the step; a new read
# "not replayable" naming the request; a changed write names the write.
# No request reaches the sandbox during any backtest and the recorded runs
# are not modified.
set -e
. "$HB_E2E_LIB"
export HB_WORKFLOW_PATH="$HB_SRC/workflows"

trap '[ -n "$SB_PID" ] && kill -TERM "$SB_PID" 2>/dev/null; rm -rf "$TEST_TMP"' EXIT
start_sandbox sandbox
requests() {
  curl -s "$ZENDESK_URL/__sandbox/requests" >"$TEST_TMP/requests.json"
  sqlite3 :memory: "select json_array_length(readfile('$TEST_TMP/requests.json'))"
}

# Four recorded runs: the customer gives the level and the date (A), only the
# date (B: the engineer gives the level), out of scope (C), no reply yet (D).
run_hb run offering-migration ticket=1001 --answer involves_unpaid_offering=yes
A=$(run_id)
run_hb resume "$A" --event 'customer_reply={"level":"Premium","date":"2026-12-31"}'
expect_out "status=waiting step=support_ops_done" "A waits for Support Ops"
run_hb run offering-migration ticket=1001 --allow-duplicate --answer involves_unpaid_offering=yes
B=$(run_id)
run_hb resume "$B" --event 'customer_reply={"date":"2027-01-15"}' --answer ask_level=ultimate
expect_out "status=waiting step=support_ops_done" "B waits for Support Ops"
run_hb run offering-migration ticket=1003 --answer involves_unpaid_offering=no
expect_out "status=succeeded step=out_of_scope"
C=$(run_id)
run_hb run offering-migration ticket=1001 --allow-duplicate --answer involves_unpaid_offering=yes
expect_out "status=waiting step=customer_reply"
D=$(run_id)

BEFORE=$(requests)
[ "$BEFORE" -gt 10 ] || fail "the recorded runs reached the sandbox ($BEFORE requests)"
STORE_BEFORE=$(db "select group_concat(id||status||step||vars_json, '|') from runs; select count(*), max(seq) from audit")

run_hb backtest offering-migration
expect_rc 0 "a completed backtest exits 0"
for r in "$A" "$B" "$C" "$D"; do expect_out "$r +[a-z]+ +same" "the version on disk: $r is the same"; done
expect_out "^changes the outcome of 0 of 4 runs; 0 not replayable$"

# A changed branch label and target: only A took "Given" at level_given.
mkdir -p "$TEST_TMP/wf"
cp -r "$HB_SRC/workflows/lib" "$TEST_TMP/wf/lib"
NEW="$TEST_TMP/wf/offering-migration.lua"
sed 's/{ label = "Given", when = is_set("vars.level"), next = "date_given" }/{ label = "Level known", when = is_set("vars.level"), next = "open_ops_issue" }/' \
  "$HB_SRC/workflows/offering-migration.lua" >"$NEW"
grep -q '"Level known"' "$NEW" || fail "the test's edit of the branch applies"
run_hb backtest "$NEW"
expect_rc 0
expect_out "$A +waiting +changed at level_given: was \"Given → date_given\", now \"Level known → open_ops_issue\"" \
  "the run that took the branch changed, at that step"
for r in "$B" "$C" "$D"; do expect_out "$r +[a-z]+ +same" "$r did not take the branch"; done
expect_out "^changes the outcome of 1 of 4 runs; 0 not replayable$"
run_hb backtest "$NEW" --fail-on-change
expect_rc 1 "--fail-on-change fails a pipeline on a change"
run_hb backtest "$NEW" --format json
expect_rc 0
printf '%s' "$OUT" >"$TEST_TMP/report.json"
[ "$(sqlite3 :memory: "select json_extract(readfile('$TEST_TMP/report.json'), '\$.changed')")" = 1 ] ||
  fail "json: one run changed"
run_hb backtest "$NEW" --format markdown
expect_out "^\*\*hb backtest\*\* of \`offering-migration\`: changes the outcome of 1 of 4 runs"
expect_out "\| \`$A\` \| changed \| level_given \|" "markdown: a row for the changed run"

# A new read: the runs that reach record_reply (A and B) cannot be replayed.
sed 's/^      ctx.vars.level, ctx.vars.target_date = support.migration_reply/      zendesk.organizations.get(2002)\n&/' \
  "$HB_SRC/workflows/offering-migration.lua" >"$NEW"
run_hb backtest "$NEW"
expect_rc 0
for r in "$A" "$B"; do
  expect_out "$r +waiting +not replayable: the new version reads GET /api/v2/organizations/2002.json" \
    "$r: the request it never made is named"
done
for r in "$C" "$D"; do expect_out "$r +[a-z]+ +same" "$r never reaches the new read"; done
expect_out "^changes the outcome of 0 of 4 runs; 2 not replayable$"

# A changed write: the issue gets another label.
sed 's/labels = { support.migration_issue_label },/labels = { support.migration_issue_label, "reviewed" },/' \
  "$HB_SRC/workflows/offering-migration.lua" >"$NEW"
run_hb backtest "$NEW"
expect_out "$A +waiting +changed at open_ops_issue" "the step of the write"
expect_out "write changed: gitlab.issues.create POST /api/v4/projects/[^ ]+/issues"
expect_out "^changes the outcome of 2 of 4 runs; 0 not replayable$"

# The runs as a file, for a pipeline with no store and no credentials.
run_hb export runs --workflow offering-migration
expect_rc 0
printf '%s\n' "$OUT" >"$TEST_TMP/runs.jsonl"
[ "$(wc -l <"$TEST_TMP/runs.jsonl")" = 4 ] || fail "one line a run"
for secret in "$ZENDESK_API_TOKEN" "$GITLAB_TOKEN" "$ZUORA_CLIENT_SECRET" "$SALESFORCE_CLIENT_SECRET"; do
  CHECKS=$((CHECKS + 1))
  if grep -qF "$secret" "$TEST_TMP/runs.jsonl"; then fail "the export holds a credential"; fi
done
sed 's/{ label = "Given", when = is_set("vars.level"), next = "date_given" }/{ label = "Level known", when = is_set("vars.level"), next = "open_ops_issue" }/' \
  "$HB_SRC/workflows/offering-migration.lua" >"$NEW"
set +e
env -u ZENDESK_URL -u ZENDESK_WEB_URL -u GITLAB_URL -u GITLAB_WEB_URL -u ZENDESK_EMAIL \
  -u ZENDESK_API_TOKEN -u GITLAB_TOKEN HB_HOME="$TEST_TMP/no-store" \
  "$HB" backtest "$NEW" --from "$TEST_TMP/runs.jsonl" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
RC=$?
set -e
OUT=$(cat "$TEST_TMP/out") ERR=$(cat "$TEST_TMP/err")
expect_rc 0 "--from needs no store and no credentials"
expect_out "$A +waiting +changed at level_given: was \"Given → date_given\", now \"Level known → open_ops_issue\""
expect_out "^changes the outcome of 1 of 4 runs; 0 not replayable$" "the file gives what the store gave"
[ ! -e "$TEST_TMP/no-store/hb.db" ] || fail "--from opened a store"
printf 'not json\n' >"$TEST_TMP/bad.jsonl"
run_hb backtest offering-migration --from "$TEST_TMP/bad.jsonl"
expect_rc 2 "a broken runs file is bad input"
expect_err "bad.jsonl:1: not a recorded run"
run_hb backtest offering-migration --from "$TEST_TMP/missing.jsonl"
expect_rc 2 "a missing runs file is bad input"
run_hb export runs
expect_rc 2 "export needs --workflow"
run_hb export runs --workflow offering-migratio
expect_rc 2 "a misspelt workflow with no runs is bad input, not an empty export"
expect_err "did you mean: offering-migration"

# --runs and bad input.
run_hb backtest offering-migration --runs 1
expect_out "on 1 recorded run$"
expect_out "$D +waiting +same" "--runs 1: the latest"
run_hb backtest no-such-workflow
expect_rc 2 "an unknown workflow is bad input"
run_hb backtest offering-migration --since yesterday
expect_rc 2 "a bad duration is bad input"

[ "$(requests)" = "$BEFORE" ] || fail "a backtest sent $(($(requests) - BEFORE)) request(s) to the sandbox"
[ "$(db "select group_concat(id||status||step||vars_json, '|') from runs; select count(*), max(seq) from audit")" = "$STORE_BEFORE" ] ||
  fail "the backtests changed the recorded runs or their audit trail"
run_hb audit verify
expect_rc 0
finish
