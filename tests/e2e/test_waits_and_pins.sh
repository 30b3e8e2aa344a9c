#!/usr/bin/env bash
# Event and timer waits pause and resume; a paused run resumes under the
# versions it pinned even after its files change.
set -e
. "$HB_E2E_LIB"

export HB_NOW=2026-11-22T09:00:00Z
run_hb run event-wait ticket=5
expect_rc 3
RUN=$(run_id)
expect_out "status=waiting step=customer_reply"
expect_err "waiting for event 'customer_reply'"
run_hb resume "$RUN" --event payment_received
expect_rc 2 "an event the run does not wait for"
expect_err "not waiting for event 'payment_received'; it waits for event 'customer_reply'"
run_hb resume "$RUN" --event 'customer_reply={"date":"2026-12-01"}'
expect_rc 0
expect_out "status=succeeded step=done"
[ "$(db "select json_extract(vars_json,'\$.date') from runs where id='$RUN'")" = "2026-12-01" ] || fail "event payload reached ctx.events"

# The timeout counts from the first arrival at the wait.
run_hb run event-wait ticket=6
RUN=$(run_id)
HB_NOW=2026-11-23T09:00:00Z run_hb resume "$RUN"
expect_rc 3 "a day later it still waits"
HB_NOW=2026-11-24T09:00:01Z run_hb resume "$RUN"
expect_rc 0 "after two days the timeout edge is taken"
[ "$(db "select json_extract(vars_json,'\$.chased') from runs where id='$RUN'")" = "1" ] || fail "on_timeout ran"
run_hb audit show "$RUN" --json
expect_out '"label":"timeout"'

run_hb run timer-wait
expect_rc 3
RUN=$(run_id)
run_hb runs --status waiting --json
expect_out '"kind":"time"'
HB_NOW=2026-11-23T09:00:00Z run_hb resume "$RUN"
expect_rc 0 "24h later the timer has passed"

# Pinning: copy the workflows, pause, edit, resume.
mkdir -p "$TEST_TMP/wf/lib"
cp "$HB_SRC/tests/fixtures/workflows/pinned.lua" "$TEST_TMP/wf/"
cp "$HB_SRC/tests/fixtures/workflows/lib/helper.lua" "$TEST_TMP/wf/lib/"
export HB_WORKFLOW_PATH="$TEST_TMP/wf"
run_hb run pinned
expect_rc 3
RUN=$(run_id)
sed -i 's/"v1"/"v2"/' "$TEST_TMP/wf/pinned.lua"
sed -i 's/helper v1/helper v2/' "$TEST_TMP/wf/lib/helper.lua"
run_hb runs --outdated
expect_rc 0
expect_out "$RUN" "hb runs --outdated lists the run pinned to the old file"
expect_out "pinned to version"
run_hb resume "$RUN" --answer go=yes
expect_rc 0
[ "$(db "select json_extract(vars_json,'\$.version') from runs where id='$RUN'")" = "v1" ] || fail "the workflow ran pinned"
[ "$(db "select json_extract(vars_json,'\$.greeting') from runs where id='$RUN'")" = "hello from helper v1" ] || fail "the module ran pinned"
run_hb run pinned --answer go=yes
expect_rc 0
NEW=$(run_id)
[ "$(db "select json_extract(vars_json,'\$.version') from runs where id='$NEW'")" = "v2" ] || fail "a new run uses the new file"
finish
