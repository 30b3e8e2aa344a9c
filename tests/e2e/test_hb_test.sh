#!/usr/bin/env bash
# hb test: passing scenarios pass, a wrong path and a scenario without
# sandbox assertions fail with the reason, and --coverage lists edges.
set -e
. "$HB_E2E_LIB"

run_hb test four-services
expect_rc 0 "the four-services scenario passes"
expect_out "^ok   four-services: tags the ticket"
expect_out "1 passed, 0 failed"

run_hb test ask-and-finish
expect_rc 1 "two scenarios are wrong"
expect_out "ok   ask-and-finish: answers in two goes"
expect_out "FAIL ask-and-finish: expects the wrong path"
expect_out "path: expected prepare in_scope level"
expect_out "actual +prepare in_scope out_of_scope"
expect_out "FAIL ask-and-finish: asserts nothing about the sandbox"
expect_out "asserts nothing about the sandbox's state or requests"
expect_out "1 passed, 2 failed"

run_hb test ask-and-finish --coverage
expect_out "taken +ask in_scope yes"
expect_out "taken +ask in_scope no"

run_hb test no-such-workflow
expect_rc 2

# Coverage is of every workflow: one with no scenario file fails it, by name.
COV="$TEST_TMP/coverage"
mkdir -p "$COV/tests"
cat >"$COV/tested.lua" <<'LUA'
return workflow "tested" {
  title = "Tested", handbook = "tests/tested",
  task "note" { "Note it.", run = function(ctx) ctx.log("noted") end },
  succeed "done" { "Done." },
}
LUA
sed 's/"tested"/"untested"/; s/"Tested"/"Untested"/; s|tests/tested|tests/untested|' "$COV/tested.lua" >"$COV/untested.lua"
cat >"$COV/tests/tested_test.lua" <<'LUA'
return scenarios "tested" {
  scenario "notes and ends" {
    path = { "note", "done" }, status = "succeeded",
    check = function(sb) sb:request_count({}, 0, "nothing was sent") end,
  },
}
LUA
export HB_WORKFLOW_PATH="$COV"
run_hb test
expect_rc 0 "without --coverage, the workflows that have scenarios pass"
expect_out "1 passed, 0 failed"
run_hb test --coverage
expect_rc 1 "a workflow without scenarios fails coverage"
expect_out "^coverage of untested: NO SCENARIOS \(expected $COV/tests/untested_test.lua\)$"
expect_out "^coverage: 1 workflow without scenarios$"
run_hb test tested --coverage
expect_rc 0 "coverage of a named workflow with scenarios"
finish
