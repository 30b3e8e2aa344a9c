#!/usr/bin/env bash
# hb graph (Mermaid and DOT) and hb doc against golden files; a sample that
# holds every step kind, every edge kind and text that needs escaping.
set -e
. "$HB_E2E_LIB"
cd "$HB_SRC"
FIX=tests/fixtures/review
export HB_WORKFLOW_PATH="$HB_SRC/$FIX"

same_as() { # same_as FILE WHAT: stdout equals FILE (as $(...) reads both)
  CHECKS=$((CHECKS + 1))
  [ "$OUT" = "$(cat "$1")" ] || { fail "$2: output differs from $1"; diff <(printf '%s\n' "$OUT") "$1" >&2 || true; }
}

for cmd in graph lint diff doc; do
  run_hb "$cmd" --help
  expect_rc 0 "$cmd --help"
  expect_out "^usage: hb $cmd" "$cmd --help prints its usage"
done
run_hb --help
expect_out "graph +draw a workflow's decision graph"

run_hb graph "$FIX/review-sample.lua"
expect_rc 0 "graph of a file"
same_as "$FIX/review-sample.mmd" "mermaid is the default"

run_hb graph review-sample --format mermaid
expect_rc 0 "graph by name"
same_as "$FIX/review-sample.mmd" "graph by name"

run_hb graph review-sample --format=dot
expect_rc 0 "dot"
same_as "$FIX/review-sample.dot" "dot"

# What the golden files hold, spelled out: the rules of the graph.
run_hb graph review-sample
expect_out 'has_org\{"Does the ticket have an organization\?"\}' "a choice is a diamond"
expect_out 'has_org -->\|"No"\| level' "branch labels on edges"
expect_out 'in_scope -->\|"no"\| end_step' "ask options on edges; 'end' is not a Mermaid id"
expect_out 'customer_reply -\.->\|"timeout"\| chase' "timeout edges"
expect_out 'read_ticket -\.->\|"error"\| broken' "on_error edges"
expect_out 'class end_step succeed' "succeed styled"
expect_out 'class broken fail' "fail styled"
expect_out '#quot;as is#quot; \(#35;1 #lt;first#gt;\)' "quotes, # and < escaped"

if command -v dot >/dev/null 2>&1; then
  CHECKS=$((CHECKS + 1))
  dot -Tsvg "$FIX/review-sample.dot" >/dev/null || fail "Graphviz rejects the DOT output"
fi

run_hb graph review-sample --format svg
expect_rc 2 "unknown format"
expect_err "unknown graph format 'svg' \(use mermaid or dot\)"
run_hb graph
expect_rc 2 "no workflow named"
run_hb graph review-sampel
expect_rc 2 "unknown workflow"
expect_err "did you mean: review-sample"
run_hb graph "$HB_SRC/tests/fixtures/workflows/bad-structure.lua"
expect_rc 2 "a workflow that does not load"
expect_err "bad-structure.lua:1: .*unknown service 'jira'"

# A top level that raises: its message, not an empty line.
printf 'return workflow "x" {\n  task "a" { "A.", next = done },\n}\n' >"$TEST_TMP/raises.lua"
run_hb graph "$TEST_TMP/raises.lua"
expect_rc 2 "a top level that raises"
expect_err "raises.lua:2: undeclared global 'done'"

run_hb doc "$FIX/review-sample.lua"
expect_rc 0 "doc"
same_as "$FIX/review-sample.md" "doc"
expect_out '^# Sample process for the review tools'
expect_out '```mermaid'
expect_out '^   - ends the run: failed, with the message "ticket unreadable"$' "a fail step's message"
run_hb doc "$FIX/review-sample.lua" --out "$TEST_TMP/page.md"
expect_rc 0 "doc --out"
CHECKS=$((CHECKS + 1))
[ "$(cat "$TEST_TMP/page.md")" = "$(cat "$FIX/review-sample.md")" ] || fail "doc --out wrote something else"
CHECKS=$((CHECKS + 1)); [ -z "$OUT" ] || fail "doc --out also printed the page"
run_hb doc nothing-here
expect_rc 2 "doc of an unknown workflow"
finish
