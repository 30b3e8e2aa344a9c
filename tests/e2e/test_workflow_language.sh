#!/usr/bin/env bash
# The workflow language for ops authors, as the review tools see it
# (tests/fixtures/workflows/dsl-sample.lua): a `when` helper shows its
# comparison in the graph, the doc and hb diff; a fragment's steps keep their
# ids; lint knows the helpers; a misspelt placeholder or word is a load-time
# error at its own file:line; coverage counts the values of an ask a choice
# branches on.
set -e
. "$HB_E2E_LIB"
FIX="$HB_SRC/tests/fixtures/workflows"

run_hb graph dsl-sample
expect_rc 0 "graph"
expect_out 'route -->\|"Bug \[kind == #quot;bug#quot;\]"\| note' "the helper's comparison on the edge"
expect_out 'route -->\|"Other"\| confirm' "a default branch as before"
expect_out '^    confirm\{"Confirm with Support Ops in #35;ops\."\}' "the fragment's step, its words filled"
expect_out 'confirm -->\|"skipped"\| done' "the fragment's target filled"
expect_out 'thank --> done' "and its task's"
expect_no_err . "nothing on stderr"

run_hb doc dsl-sample
expect_rc 0 "doc"
expect_out '"Bug" when `kind == "bug"` → `note`' "the doc shows the comparison"
expect_out 'Confirm with Support Ops in #ops\. \*\(fragment `confirm_tail`\)\*' "and the fragment"
expect_out 'Which kind of request is it\? Ask in #ops when unsure\.' "a long string folded, a word filled"
expect_out '\| `request` \| string \| yes \| what is asked, in #ops \|' "words in input descriptions"

run_hb lint dsl-sample
expect_rc 0 "lint"
expect_err "0 errors, 0 warnings in 1 file" "an input read only by a helper is read"

# hb diff shows a changed comparison, not the helper's code.
mkdir -p "$TEST_TMP/v2/lib"
cp "$FIX"/lib/dsl_*.lua "$TEST_TMP/v2/lib/"
sed 's/is("kind", "bug")/is("kind", "defect")/' "$FIX/dsl-sample.lua" >"$TEST_TMP/v2/dsl-sample.lua"
run_hb diff "$FIX/dsl-sample.lua" "$TEST_TMP/v2/dsl-sample.lua"
expect_rc 0 "diff"
expect_out '^step changed: route \(choice\): branch "Bug" when kind == "bug" -> kind == "defect"$'
CHECKS=$((CHECKS + 1))
if printf '%s' "$OUT" | grep -q "when.lua"; then fail "diff shows the helper's own source"; fi
run_hb diff "$FIX/dsl-sample.lua" "$FIX/dsl-sample.lua"
expect_out '^no changes$' "the same helpers are no change"
# A fragment's code is compared by its text: the same files in another
# folder are no change either.
mkdir -p "$TEST_TMP/v3/lib"
cp "$FIX"/lib/dsl_*.lua "$TEST_TMP/v3/lib/"
cp "$FIX/dsl-sample.lua" "$TEST_TMP/v3/"
run_hb diff "$FIX/dsl-sample.lua" "$TEST_TMP/v3/dsl-sample.lua"
expect_out '^no changes$' "the same fragment elsewhere"
sed -i 's/ctx.vars.thanked = true/ctx.vars.thanked = "yes"/' "$TEST_TMP/v3/lib/dsl_tail.lua"
run_hb diff "$FIX/dsl-sample.lua" "$TEST_TMP/v3/dsl-sample.lua"
expect_out '^step changed: thank \(task\): run body changed \(lines .*dsl_tail.lua:[0-9]+-[0-9]+ -> .*dsl_tail.lua:[0-9]+-[0-9]+\)$' \
  "a fragment's changed code, at its module's lines"

# The input read only through is("request", ...): without that helper lint
# warns, so the rule above is not vacuous.
sed 's/is("request", "merge")/is("kind", "feature")/' "$FIX/dsl-sample.lua" >"$TEST_TMP/v2/no-input.lua"
run_hb lint "$TEST_TMP/v2/no-input.lua"
expect_out "no-input.lua:[0-9]+: warning: input 'request' is never read"

# A misspelt placeholder in a message template: a load-time error at its line.
mkdir -p "$TEST_TMP/bad/lib" "$TEST_TMP/bad/tests"
cp "$FIX/dsl-sample.lua" "$TEST_TMP/bad/"
cp "$FIX/lib/dsl_tail.lua" "$TEST_TMP/bad/lib/"
sed 's/Hello {customer},/Hello {custmer},/' "$FIX/lib/dsl_messages.lua" >"$TEST_TMP/bad/lib/dsl_messages.lua"
LINE=$(grep -n '{custmer}' "$TEST_TMP/bad/lib/dsl_messages.lua" | cut -d: -f1)
run_hb lint "$TEST_TMP/bad/dsl-sample.lua"
expect_rc 1 "lint fails"
expect_out "lib/dsl_messages.lua:$LINE: error: message hello uses \{custmer\}, which is not a placeholder \(did you mean \{customer\}\?\)"
HB_WORKFLOW_PATH="$TEST_TMP/bad" run_hb run dsl-sample request=x --answer kind=bug
expect_rc 2 "a run refuses to start"
expect_err "dsl_messages.lua:$LINE: message hello uses \{custmer\}"

# A misspelt word in a description: at its step's line.
cp "$FIX/lib/dsl_messages.lua" "$TEST_TMP/bad/lib/"
sed 's/Ask in {channel}/Ask in {chanel}/' "$FIX/dsl-sample.lua" >"$TEST_TMP/bad/dsl-sample.lua"
LINE=$(grep -n 'ask "kind"' "$TEST_TMP/bad/dsl-sample.lua" | cut -d: -f1)
run_hb lint "$TEST_TMP/bad/dsl-sample.lua"
expect_rc 1 "lint fails"
expect_out "dsl-sample.lua:$LINE: error: ask 'kind' description uses \{chanel\}, which is not defined here \(did you mean \{channel\}\?\)"

# Coverage: every value of the `kind` ask, which the route choice branches on.
run_hb test dsl-sample --coverage
expect_rc 0 "coverage complete"
expect_out '^  taken    ask kind = question$'
cp "$FIX/dsl-sample.lua" "$TEST_TMP/bad/"
sed 's/kind = "question", confirm = "confirmed"/kind = "feature", confirm = "confirmed"/' \
  "$FIX/tests/dsl-sample_test.lua" >"$TEST_TMP/bad/tests/dsl-sample_test.lua"
HB_WORKFLOW_PATH="$TEST_TMP/bad" run_hb test dsl-sample --coverage
expect_rc 1 "a value never answered"
expect_out '^  UNTAKEN  ask kind = question$'
expect_out '^coverage: 1 edge untaken$'

# A helper's values may come from a stdlib list, which a workflow sees as a
# read-only view: the loader reads what the view shows, so coverage counts
# each value of a free-text ask the choice compares it with.
mkdir -p "$TEST_TMP/views/tests"
cat >"$TEST_TMP/views/view-values.lua" <<'LUA'
local support = require "support"
return workflow "view-values" {
  title = "Helper values from a stdlib list",
  handbook = "hb/tests/view-values",
  ask "criticality" { [[How critical is the system?]], value = "string" },
  choice "route" {
    [[Does its clock start at once?]],
    { label = "At once", when = one_of("criticality", support.clock_starts_at_once), next = "now" },
    { label = "Later", next = "later" },
  },
  succeed "now" { [[Now.]] },
  succeed "later" { [[Later.]] },
}
LUA
cat >"$TEST_TMP/views/tests/view-values_test.lua" <<'LUA'
return scenarios "view-values" {
  scenario "mission critical starts at once" {
    answers = { criticality = "mission_critical" },
    path = { "criticality", "route", "now" },
    status = "succeeded",
    check = function(sb) sb:request_count({}, 0, "no service is called") end,
  },
}
LUA
HB_WORKFLOW_PATH="$TEST_TMP/views" run_hb test view-values --coverage
expect_rc 1 "one value of the list never answered"
expect_out '^  taken    ask criticality = mission_critical$'
expect_out '^  UNTAKEN  ask criticality = business_critical$'
finish
