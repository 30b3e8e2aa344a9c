#!/usr/bin/env bash
# A dry run stops at the first wait or unanswered ask, prints the whole plan
# and exits 0: a wait's condition, timeout and times are never evaluated
# against a planned result (a planned issue has no iid to look up).
set -e
. "$HB_E2E_LIB"

# A planned write, then a condition wait that would read the planned issue.
run_hb run ops-issue-wait --sandbox --dry-run
expect_rc 0 "a dry run that reaches a condition wait after a planned write exits 0"
expect_out "status=planned step=closed" "it stops at the wait"
expect_out "plan: 1 change \(dry run: nothing was sent\)" "it prints the whole plan"
expect_out "gitlab.issues.create" "the planned issue is in the plan"
expect_err "closed +wait +dry run ends here" "the trace says where the dry run ended"
expect_no_err "failed|iid must be" "the condition was never evaluated"
RUN=$(printf "%s\n" "$OUT" | grep -E "^[0-9A-Z]{26}$")
[ "$(db "select count(*) from audit where run='$RUN' and type='api_call' and json_extract(data,'\$.op')='gitlab.issues.get'")" = 0 ] ||
  fail "the condition's read was never sent"
[ "$(db "select status from runs where id='$RUN'")" = planned ] || fail "the run is planned"

# The same with --json: the plan, then the result, each one JSON value.
run_hb run ops-issue-wait --sandbox --dry-run --json
expect_rc 0 "--json dry run"
printf '%s\n' "$OUT" | head -1 | grep -q '"op":"gitlab.issues.create"' || fail "the JSON plan comes first"
printf '%s\n' "$OUT" | tail -1 | grep -q '"status":"planned"' || fail "the JSON result comes last"

# A time wait stops a dry run too, whatever its time.
run_hb run timer-wait --dry-run
expect_rc 0 "a dry run at a time wait"
expect_out "status=planned"
finish
