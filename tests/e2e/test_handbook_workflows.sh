#!/usr/bin/env bash
# The handbook processes in workflows/: all nine are listed, lint-clean, and
# every scenario passes with every branch, option, timeout and error edge
# taken. The prohibitions fixture shows the refusals' own messages.
set -e
. "$HB_E2E_LIB"

export HB_WORKFLOW_PATH="$HB_SRC/workflows"
run_hb list
expect_rc 0 "hb list"
for name in offering-migration offering-migration-setup offering-migration-followup \
  star-plan-license star-validity subscription-merge-split support-ops-portal-change \
  support-ops-request support-ops-incident; do
  expect_out "^$name " "hb list shows $name"
done

run_hb lint
expect_rc 0 "the handbook workflows have no lint error"
expect_err "0 errors, 0 warnings in 18 files" # the 9 workflows and their scenario files

run_hb test --coverage
expect_rc 0 "every scenario passes and every edge is taken"
expect_out "^[0-9]+ passed, 0 failed"
expect_no_err "UNTAKEN"
CHECKS=$((CHECKS + 1))
if printf '%s' "$OUT" | grep -qE "UNTAKEN|^FAIL"; then fail "a scenario failed or an edge is untaken"; fi

# The trace says why a run waits and until when: outside Global Support Hours
# an Administrative system's post waits for Monday; a Mission Critical one
# does not wait at all.
export HB_NOW=2026-11-21T09:00:00Z # a Saturday
run_hb run support-ops-incident system=Zendesk "problem=A typo." --answer criticality=administrative
expect_rc 3 "an Administrative incident on a Saturday waits"
expect_out "step=wait_for_support_hours"
expect_err "waiting at wait_for_support_hours until 2026-11-23T00:00:00Z: Outside Global Support Hours \(Mon-Fri 00:00-24:00 UTC\)" "the trace says why and until when"
run_hb run support-ops-incident system=Zendesk "problem=Agents cannot log in." \
  --answer criticality=mission_critical --answer post_in_channel=posted
expect_rc 3 "a Mission Critical incident on a Saturday waits only for a response"
expect_out "step=response"
expect_err "support_hours +choice +Critical: the clock starts now" "the trace names the branch"
# The hours are a setting: hb config shows it, a run follows it, a bad one
# stops hb before it starts.
export HB_SUPPORT_HOURS="Mon-Fri 08:00-18:00 UTC+01:00" HB_NOW=2026-11-23T06:00:00Z # Monday 07:00 local
run_hb config HB_SUPPORT_HOURS
expect_out "^Mon-Fri 08:00-18:00 UTC\+01:00$"
run_hb run support-ops-incident system=Zendesk "problem=A typo." --answer criticality=administrative \
  --allow-duplicate
expect_rc 3 "before the window opens"
expect_err "until 2026-11-23T07:00:00Z: Outside Global Support Hours \(Mon-Fri 08:00-18:00 UTC\+01:00\)" \
  "the configured hours, and when they begin"
HB_SUPPORT_HOURS="Mon-Fri 18:00-08:00 UTC" run_hb run support-ops-incident system=Zendesk problem=x
expect_rc 2 "hours that run backward"
expect_err "HB_SUPPORT_HOURS='Mon-Fri 18:00-08:00 UTC' has a daily window that does not run forward"
unset HB_NOW HB_SUPPORT_HOURS

export HB_WORKFLOW_PATH="$HB_SRC/tests/fixtures/workflows"
run_hb test prohibitions --coverage
expect_rc 0 "the prohibitions scenarios pass"

# The GitLab members and users operations, Zendesk's lookups, status with a
# reply and labels kept: every way through a test workflow that uses them.
run_hb test requester-roles --coverage
expect_rc 0 "the requester-roles scenarios pass, every edge taken"
expect_out "^4 passed, 0 failed"

run_hb run prohibitions attempt=license ticket=1004 --sandbox
expect_rc 1 "a non-trial license request fails the step"
expect_err "refused: hb requests trial licenses only"
expect_err "prohibitions.lua:[0-9]+" "the refusal points at the workflow's line"

run_hb run prohibitions attempt=reply ticket=1004 --sandbox
expect_rc 1 "a forbidden public reply fails the step"
expect_err "forbid"

run_hb run prohibitions attempt=trial ticket=1004 --sandbox
expect_rc 0 "a trial license may go to another address"
RUN=$(run_id)
CHECKS=$((CHECKS + 1))
[ "$(db "select json_extract(vars_json,'\$.license_to_other_email_allowed') from runs where id='$RUN'")" = 0 ] ||
  fail "a non-trial license to another address is not allowed"
CHECKS=$((CHECKS + 1))
db "select json_extract(vars_json,'\$.why') from runs where id='$RUN'" | grep -q "goes only to the license contact" ||
  fail "the refusal says why"
finish
