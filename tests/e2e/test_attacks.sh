#!/usr/bin/env bash
# Attacks on the workflow sandbox (tests/fixtures/attacks): a hand-made or
# mutated table, errors and limits at a file's top level, deep nesting, a
# backtracking pattern, names that are paths or control characters, a
# binary lib module. Each is exit 2 with file:line in show, graph, doc and
# run, file:line problems in lint, never a crash or a hang; `hb list` and
# `hb lint` still cover the rest of the folder. Then workflows that try to
# go around the bindings.
set -e
. "$HB_E2E_LIB"
ATTACKS="$HB_SRC/tests/fixtures/attacks"
export HB_WORKFLOW_PATH="$ATTACKS"

# run_bounded: run_hb under a time limit; a hang is exit 124.
run_bounded() {
  set +e
  timeout 60 "$HB" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" </dev/null
  RC=$?
  set -e
  OUT=$(cat "$TEST_TMP/out")
  ERR=$(cat "$TEST_TMP/err")
}

# attack FILE LINE: the problem every command must name.
check_attack() {
  local name=$1 where=$2
  for cmd in show graph doc; do
    run_bounded "$cmd" "$name"
    expect_rc 2 "$cmd $name"
    expect_err "$where" "$cmd $name names $where"
  done
  run_bounded run "$name"
  expect_rc 2 "run $name"
  expect_err "$where" "run $name names $where"
  run_bounded lint "$ATTACKS/$name.lua"
  expect_rc 1 "lint $name"
  expect_out "$where(:[0-9]+)?: error: " "lint $name reports $where"
}

check_attack handmade "handmade.lua:1"
check_attack step-kind-removed "step-kind-removed.lua:3"
check_attack unknown-kind "unknown-kind.lua:3"
check_attack steps-string "steps-string.lua:2"
check_attack spec-number "spec-number.lua:2"
check_attack index-loops "index-loops.lua:1"
check_attack top-error "top-error.lua:3"
check_attack top-error-table "top-error-table.lua:2"
check_attack top-undeclared "top-undeclared.lua:2"
check_attack workflow-42 "workflow-42.lua:1"
check_attack nesting-250 "nesting-250.lua:2"
check_attack name-newline "name-newline.lua:2"
check_attack name-dotdot "name-dotdot.lua:2"
check_attack step-nul "step-nul.lua:3"
check_attack duration-overflow "duration-overflow.lua:3"
check_attack binary-lib "lib/binary.lua:1"
HB_STEP_TIMEOUT_MS=1000 check_attack top-limit "top-limit.lua:2"
HB_STEP_TIMEOUT_MS=1000 check_attack pattern-top "pattern-top.lua:4"

# What each says.
run_bounded show top-error
expect_err "the file gave up at its top level"
run_bounded show top-undeclared
expect_err "undeclared global 'max_seats'"
run_bounded show unknown-kind
expect_err "unknown kind 'tsak'"
run_bounded show name-newline
expect_err "report\\\\x0astatus" "a newline in a name is shown escaped"
[ "$(printf '%s' "$ERR" | wc -l)" = 0 ] || fail "the name broke the message into lines"
run_bounded show duration-overflow
expect_err "longer than hb waits"
# Which limit stops the pattern is pinned, not left to the machine's speed:
# with the instruction budget out of reach only the time limit can, and the
# other way round.
HB_STEP_INSTRUCTIONS=1000000000000000 HB_STEP_TIMEOUT_MS=1000 run_bounded show pattern-top
expect_err "pattern-top.lua:4: step exceeded its time limit"
HB_STEP_INSTRUCTIONS=1000000 HB_STEP_TIMEOUT_MS=600000 run_bounded show pattern-top
expect_err "pattern-top.lua:4: step exceeded its instruction limit"

# Forty problems travel whole, none cut.
run_bounded lint "$ATTACKS/forty-targets.lua"
expect_rc 1
[ "$(printf '%s\n' "$OUT" | grep -c "names unknown step 'nowhere_at_all_")" = 40 ] ||
  fail "lint reports 40 unknown targets"
expect_out "forty-targets.lua:43: error: task 't39': next names unknown step 'nowhere_at_all_39'$"

# One bad file does not take down the folder.
HB_STEP_TIMEOUT_MS=1000 run_bounded list
expect_rc 0 "hb list"
expect_out "^control +A workflow that loads"
expect_out "^handmade +\(does not load"
expect_out "^require-service +Reach for the plumbing"
expect_err "handmade.lua:1: " "list names the broken file's problem"
HB_STEP_TIMEOUT_MS=1000 run_bounded lint
expect_rc 1 "lint of the folder finds the problems"
expect_out "step-kind-removed.lua:3: error"
expect_err "in 2[0-9] files" "lint checked every file"

# Dates that do not exist are input errors, before any run is made.
for bad in 2026-02-30 2025-02-29 2026-13-01; do
  run_bounded run date-input due=$bad
  expect_rc 2 "due=$bad"
  expect_err "input 'due' must be a date"
done
run_bounded run date-input due=2028-02-29
expect_rc 0 "a leap day is a date"

# --- going around the bindings -------------------------------------------
state="$HB_HOME/sandbox/state.json"
tags_of_1001() { jq -c '[.data.zendesk.tickets[] | select(.id == 1001) | .tags] | .[0]' "$state"; }
issues() { jq '[.data.gitlab.projects[].issues // [] | length] | add' "$state"; }

run_bounded run require-service --sandbox ticket=1001
expect_rc 1 "the plumbing is not requireable"
expect_err "module 'hb.service' is internal to hb's bindings"
[ "$(jq '[.data.zendesk.tickets[] | select(.id == 1001)] | length' "$state")" = 1 ] || fail "ticket 1001 survives"
before=$(tags_of_1001)

for what in function namespace table; do
  run_bounded run replace-binding --sandbox what=$what
  expect_rc 1 "replace-binding $what"
  expect_err "cannot be (assigned|changed).*read-only" "$what is read-only"
done

issues_before=$(issues)
run_bounded run other-service --sandbox --dry-run ticket=1001
expect_rc 1 "a service outside uses, in a dry run"
expect_err "does not declare gitlab in uses"
expect_no_err "0 changes" "no clean plan is claimed"
run_bounded run other-service --sandbox ticket=1001
expect_rc 1 "a service outside uses"
[ "$(issues)" = "$issues_before" ] || fail "no issue was opened"

run_bounded run forbid-delete --sandbox ticket=1001
expect_rc 1 "a DELETE under forbid zendesk.delete"
expect_err 'it would exercise "zendesk.delete"'
[ "$(tags_of_1001)" = "$before" ] || fail "the tag is still there"

# A backtracking pattern inside a step stops at the step's time limit (the
# instruction budget out of reach), or at its instruction limit (the time
# limit out of reach).
t0=$(date +%s)
HB_STEP_INSTRUCTIONS=1000000000000000 HB_STEP_TIMEOUT_MS=1000 run_bounded run pattern-step
expect_rc 1
expect_err "pattern-step.lua:8: step exceeded its time limit"
[ $(($(date +%s) - t0)) -lt 15 ] || fail "the pattern ran past its limit"
HB_STEP_INSTRUCTIONS=1000000 HB_STEP_TIMEOUT_MS=600000 run_bounded run pattern-step
expect_rc 1
expect_err "pattern-step.lua:8: step exceeded its instruction limit"

# Lint and the documents show the capability.
run_bounded lint "$ATTACKS/forbid-delete.lua"
expect_rc 0 "zendesk.delete is a capability lint knows"
run_bounded doc forbid-delete
expect_out "zendesk.delete"
expect_out "any HTTP DELETE to zendesk"
run_bounded graph forbid-delete
expect_out "zendesk.delete"
finish
