#!/usr/bin/env bash
# hb lint: one fixture per rule with its expected line, several files at
# once, the GitLab Code Quality report, and the default of linting every
# workflow on the path.
set -e
. "$HB_E2E_LIB"
cd "$HB_SRC"
FIX=tests/fixtures/review/lint

for f in "$FIX"/*.lua; do
  expected_file="${f%.lua}.expected"
  case "$(basename "$f")" in
    unknown-operation.lua | unknown-forbid.lua)
      # Checked against the binding's own list of operations.
      [ -f "$HB_SRC/stdlib/zendesk.lua" ] || continue ;;
  esac
  run_hb lint "$f"
  CHECKS=$((CHECKS + 1))
  [ "$OUT" = "$(cat "$expected_file")" ] || fail "lint $f printed something else than $expected_file"
  if grep -q ': error: ' "$expected_file"; then
    expect_rc 1 "$f has an error"
  else
    expect_rc 0 "$f has only warnings"
  fi
  expect_err "in 1 file"
done

# Files with no problem print nothing.
run_hb lint tests/fixtures/review/review-sample.lua tests/fixtures/review/star-validity.lua \
  tests/fixtures/design_example.lua
expect_rc 0 "clean files"
CHECKS=$((CHECKS + 1)); [ -z "$OUT" ] || fail "clean files produced output"
expect_err "0 errors, 0 warnings in 3 files"

# What lint takes for the sandbox's globals, the sandbox has: the fixture
# reads each of them while loading.
run_hb lint tests/fixtures/review/all-globals.lua
expect_rc 0 "lint knows every sandbox global"
run_hb graph tests/fixtures/review/all-globals.lua
expect_rc 0 "the sandbox has every global lint knows"

# Several files: sorted by file, errors decide the exit code.
run_hb lint "$FIX/unused-input.lua" "$FIX/syntax.lua"
expect_rc 1 "an error in one of two files"
CHECKS=$((CHECKS + 1))
[ "$OUT" = "$(cat "$FIX/syntax.expected" "$FIX/unused-input.expected")" ] || fail "two files, sorted"
expect_err "1 error, 1 warning in 2 files"

# GitLab Code Quality report.
run_hb lint --format gitlab "$FIX/unused-service.lua" "$FIX/undeclared-global.lua"
expect_rc 1 "gitlab format keeps the exit code"
CHECKS=$((CHECKS + 1))
[ "$OUT" = "$(cat tests/fixtures/review/lint-gitlab.json)" ] || fail "gitlab report differs from lint-gitlab.json"
expect_out '"check_name":[[:space:]]*"undeclared-global"'
expect_out '"begin":[[:space:]]*8'

# Names resolve on HB_WORKFLOW_PATH; no name lints every workflow there.
export HB_WORKFLOW_PATH="$HB_SRC/tests/fixtures/review"
run_hb lint star-validity
expect_rc 0 "lint by name"
expect_err "in 1 file"
run_hb lint
expect_rc 0 "every workflow on the path"
expect_err "0 errors, 0 warnings in 3 files"
run_hb lint no-such-workflow
expect_rc 2 "unknown name"
expect_err "unknown workflow 'no-such-workflow'"
run_hb lint --format xml
expect_rc 2 "unknown format"

# Scenario files are linted as scenario files: their own language's globals,
# and what they name checked against their workflow.
SL=tests/fixtures/review/scenario-lint
run_hb lint "$SL/tests/ask-flow_test.lua"
expect_rc 1 "a scenario file with mistakes"
CHECKS=$((CHECKS + 1))
[ "$OUT" = "$(cat "$SL/tests/ask-flow_test.expected")" ] || { fail "scenario lint differs from ask-flow_test.expected"; diff <(printf '%s\n' "$OUT") "$SL/tests/ask-flow_test.expected" >&2 || true; }
expect_no_err "undeclared global 'scenario" "scenarios and scenario are the file's globals"
run_hb lint "$SL/tests/ask-flow_test.lua" --format gitlab
expect_out '"check_name":[[:space:]]*"scenario-step"'
run_hb lint "$HB_SRC/workflows/tests/star-validity_test.lua"
expect_rc 0 "a shipped scenario file is clean"
CHECKS=$((CHECKS + 1)); [ -z "$OUT" ] || fail "a shipped scenario file has lint problems"
# Without arguments, each workflow's scenario file comes with it.
export HB_WORKFLOW_PATH="$HB_SRC/$SL"
run_hb lint
expect_rc 1 "the default covers scenario files"
expect_err "9 errors, 0 warnings in 2 files"
run_hb lint ask-flow
expect_rc 0 "a name is the workflow alone"
expect_err "in 1 file"

# The repository's own workflows must have no lint error.
if ls "$HB_SRC"/workflows/*.lua >/dev/null 2>&1; then
  export HB_WORKFLOW_PATH="$HB_SRC/workflows"
  run_hb lint
  expect_rc 0 "workflows/ has no lint error (scenario files included)"
  if [ -n "$OUT" ]; then
    echo "note: lint warnings in workflows/:" >&2
    printf '%s\n' "$OUT" >&2
  fi
fi
finish
