#!/usr/bin/env bash
# hb diff: a fixture for every kind of change against golden reports, the
# marked Mermaid graph, FILE@REV and NAME@REV from a git repository built
# here, and the waiting runs a change touches.
set -e
. "$HB_E2E_LIB"
cd "$HB_SRC"
FIX=tests/fixtures/review/diff

same_as() { # same_as FILE WHAT
  CHECKS=$((CHECKS + 1))
  [ "$OUT" = "$(cat "$1")" ] || { fail "$2: output differs from $1"; diff <(printf '%s\n' "$OUT") "$1" >&2 || true; }
}

for f in "$FIX"/*.lua; do
  [ "$(basename "$f")" = base.lua ] && continue
  run_hb diff "$FIX/base.lua" "$f"
  expect_rc 0 "diff base.lua $(basename "$f")"
  same_as "${f%.lua}.expected" "diff base.lua $(basename "$f")"
  expect_no_err . "nothing on stderr without a store"
done

# The issue's example: exactly one added step, one relabelled and retargeted
# branch reaching it, one new service.
run_hb diff "$FIX/base.lua" "$FIX/done-when.lua"
CHECKS=$((CHECKS + 1))
[ "$(printf '%s\n' "$OUT" | tail -n +3 | wc -l)" -eq 3 ] || fail "done-when: not exactly three changes"
expect_out '^uses: \+zuora '
expect_out '^step changed: in_grace \(choice\): branch 2 "No" -> "Ended", target done -> check_renewal$'
expect_out '^step added: check_renewal \(task\)'

run_hb diff "$FIX/base.lua" "$FIX/base.lua"
expect_rc 0 "no change"
expect_out '^no changes$'

# The other way round, the same changes undone.
run_hb diff "$FIX/done-when.lua" "$FIX/base.lua"
expect_out '^uses: -zuora \(capability lost'
expect_out '^step removed: check_renewal \(task\)'
expect_out 'target check_renewal -> done'

# Mermaid: the new graph with its changes marked.
run_hb diff "$FIX/base.lua" "$FIX/done-when.lua" --format mermaid
expect_rc 0 "mermaid diff"
same_as "$FIX/done-when.mmd" "mermaid diff"
run_hb diff "$FIX/base.lua" "$FIX/step-removed.lua" --format=mermaid
same_as "$FIX/step-removed.mmd" "mermaid diff with a removed step"
expect_out '^    class open_issue removed$'
expect_out '^    read_ticket -\.-> open_issue$'

# FILE@REV and NAME@REV from git.
REPO="$TEST_TMP/repo"
mkdir -p "$REPO/flows"
git -C "$REPO" init -q
git -C "$REPO" config user.email t@example.com
git -C "$REPO" config user.name tester
cp "$FIX/base.lua" "$REPO/flows/sample.lua"
git -C "$REPO" add flows/sample.lua
git -C "$REPO" commit -qm base
cp "$FIX/done-when.lua" "$REPO/flows/sample.lua"
git -C "$REPO" commit -qam change
body() { tail -n +3 "$1"; }

cd "$REPO"
run_hb diff flows/sample.lua@HEAD~1 flows/sample.lua
expect_rc 0 "FILE@REV against the working tree"
CHECKS=$((CHECKS + 1))
[ "$(printf '%s\n' "$OUT" | head -2)" = "$(printf -- '--- flows/sample.lua@HEAD~1\n+++ flows/sample.lua')" ] || fail "FILE@REV labels"
CHECKS=$((CHECKS + 1))
[ "$(printf '%s\n' "$OUT" | tail -n +3)" = "$(body "$HB_SRC/$FIX/done-when.expected")" ] || fail "FILE@REV report"

run_hb diff flows/sample.lua@HEAD~1 flows/sample.lua@HEAD
expect_rc 0 "two revisions"
CHECKS=$((CHECKS + 1))
[ "$(printf '%s\n' "$OUT" | tail -n +3)" = "$(body "$HB_SRC/$FIX/done-when.expected")" ] || fail "REV against REV"

cp "$HB_SRC/$FIX/transition.lua" flows/sample.lua   # an uncommitted edit
run_hb diff flows/sample.lua@HEAD~1 flows/sample.lua
CHECKS=$((CHECKS + 1))
[ "$(printf '%s\n' "$OUT" | tail -n +3)" = "$(body "$HB_SRC/$FIX/transition.expected")" ] || fail "working tree edit"

cd "$HB_SRC"
export HB_WORKFLOW_PATH="$REPO/flows"
run_hb diff sample@HEAD~1 sample
expect_rc 0 "NAME@REV"
expect_out "^--- $REPO/flows/sample.lua@HEAD~1$"
expect_out '^step changed: ping_ops \(task\): next wait_ops -> done$'
run_hb diff "$REPO/flows/sample.lua@HEAD~1" "$REPO/flows/sample.lua@no-such-rev"
expect_rc 2 "unknown revision"
expect_err "no-such-rev"
run_hb diff "$REPO/flows/sample.lua@--output=$TEST_TMP/x" sample
expect_rc 2 "an option is not a revision"
CHECKS=$((CHECKS + 1)); [ ! -e "$TEST_TMP/x" ] || fail "git took a revision for an option"
mkdir -p "$TEST_TMP/plain"
cp "$FIX/base.lua" "$TEST_TMP/plain/x.lua"
run_hb diff "$TEST_TMP/plain/x.lua@HEAD" "$TEST_TMP/plain/x.lua"
expect_rc 2 "not a git repository"

run_hb diff "$FIX/base.lua"
expect_rc 2 "one version only"
run_hb diff "$FIX/base.lua" "$FIX/done-when.lua" --format html
expect_rc 2 "unknown format"
run_hb diff "$FIX/base.lua" "$HB_SRC/tests/fixtures/workflows/bad-syntax.lua"
expect_rc 2 "a version that does not load"
expect_err "bad-syntax.lua:[0-9]+:"
expect_out '^steps not compared: .*bad-syntax.lua does not load far enough to read them$'

# A version with structure problems: its problems, and still its steps.
run_hb diff "$FIX/base.lua" "$HB_SRC/tests/fixtures/workflows/bad-structure.lua"
expect_rc 2 "structure problems"
expect_err "bad-structure.lua:4: task 'one': next names unknown step 'nowhere'"
expect_out '^step added: pick \(choice\)' "the steps that could be read"
# A bare name at the top level (`next = done`) stops the file at once; the
# steps are read again with a stand-in for the name.
sed 's/next = "wait_ops" }/next = wait_ops }/; s/{ label = "No", next = "done" }/{ label = "No", next = done }/' \
  "$FIX/base.lua" >"$TEST_TMP/bare-names.lua"
run_hb diff "$FIX/base.lua" "$TEST_TMP/bare-names.lua"
expect_rc 2 "bare names"
expect_err "bare-names.lua:[0-9]+: undeclared global 'wait_ops'"
expect_err "bare-names.lua:[0-9]+: undeclared global 'done'"
expect_no_err "unknown step" "no problem caused by the stand-ins"
expect_out '^step changed: in_grace \(choice\): branch "Yes" target wait_ops -> \(undeclared wait_ops\)$'
expect_out '^step changed: in_grace \(choice\): branch "No" target done -> \(undeclared done\)$'

# Mermaid: a legend, the old target of a changed transition, renames, and
# what no step shows.
run_hb diff "$FIX/base.lua" "$FIX/done-when.lua" --format mermaid
expect_out '^    subgraph legend \["Legend"\]$' "a legend"
expect_out '^        legend_added\["added step"\]:::added$'
expect_out '^        legend_changed\["changed step"\]:::changed$'
expect_out '^    in_grace -\.->\|"was: No"\| done$' "the old target of a retargeted branch"
expect_out 'legend_notes\["changed outside the steps:<br>uses: \+zuora ' "uses changes"
run_hb diff "$FIX/base.lua" "$FIX/step-renamed.lua" --format mermaid
same_as "$FIX/step-renamed.mmd" "mermaid diff with a renamed step"
expect_out '^    chase_ops\["Ask in #35;support_operations about the issue.<br>\(renamed from ping_ops\)"\]$'
expect_out '^    class chase_ops renamed$' "a rename is marked as one"
run_hb diff "$FIX/base.lua" "$FIX/uses-forbid.lua" --format mermaid
same_as "$FIX/uses-forbid.mmd" "mermaid diff of uses and forbid"
expect_out '<br>forbid: \+zendesk.tickets.update \(capability lost: now refused\)' "forbid changes"
run_hb diff "$FIX/base.lua" "$HB_SRC/tests/fixtures/workflows/bad-syntax.lua" --format mermaid
expect_rc 2 "nothing to draw"
expect_err "has none to read"

# The modules a workflow loads are part of what it runs: a change to one
# shows in every workflow that loads it, read at the revision (lib/ too).
MREPO="$TEST_TMP/modrepo"
mkdir -p "$MREPO/flows/lib" "$MREPO/flows/tests"
git -C "$MREPO" init -q
git -C "$MREPO" config user.email t@example.com
git -C "$MREPO" config user.name tester
cp "$HB_SRC/tests/fixtures/review/modules/texts.lua" "$MREPO/flows/lib/texts.lua"
cat >"$MREPO/flows/lib/steps.lua" <<'LUA'
local M = {}
function M.notify()
  return task "notify" { "Tell the customer.", run = function(ctx) ctx.log("told") end }
end
return M
LUA
cat >"$MREPO/flows/greet.lua" <<'LUA'
local texts = require "texts"
local steps = require "steps"
return workflow "greet" {
  title = "Greet", handbook = "h/greet",
  task "hello" { "Say hello.", run = function(ctx) ctx.vars.t = texts.hello("x") end },
  steps.notify(),
  succeed "done" { "Done." },
}
LUA
cat >"$MREPO/flows/later.lua" <<'LUA'
return workflow "later" {
  title = "Later", handbook = "h/later",
  task "bye" { "Say goodbye.", run = function(ctx)
    if ctx.vars.never then return require("sub/odd") end -- a name require refuses
    ctx.vars.t = require("texts").bye("y")
  end },
  succeed "done" { "Done." },
}
LUA
cat >"$MREPO/flows/plain.lua" <<'LUA'
return workflow "plain" { title = "Plain", handbook = "h/plain", succeed "done" { "Done." } }
LUA
printf 'return scenarios "greet" {}\n' >"$MREPO/flows/tests/greet_test.lua"
mkdir -p "$MREPO/flows/lib/sub"
echo 'return {}' >"$MREPO/flows/lib/sub/odd.lua"
git -C "$MREPO" add -A
git -C "$MREPO" commit -qm base
echo 'return { changed = true }' >"$MREPO/flows/lib/sub/odd.lua"
sed -i 's/"Bye "/"Goodbye "/' "$MREPO/flows/lib/texts.lua"
sed -i 's/"Tell the customer."/"Tell the customer by email."/; s/ctx.log("told")/ctx.log("told by email")/' \
  "$MREPO/flows/lib/steps.lua"
cd "$MREPO"
run_hb diff flows/greet.lua@HEAD flows/greet.lua
expect_rc 0 "a workflow whose modules changed"
expect_out '^module changed: texts \(flows/lib/texts.lua\)$'
expect_out '^  function M.bye\(name\), lines 8-12 -> 8-12:$' "the hunk names its function"
expect_out '^    -   return "Bye " \.\. name$'
expect_out '^    \+   return "Goodbye " \.\. name$'
expect_out '^module changed: steps \(flows/lib/steps.lua\)$'
expect_out '^step changed: notify \(task\): description "Tell the customer." -> "Tell the customer by email."$' \
  "the old version's steps were read with its own lib/"
expect_out '^step changed: notify \(task\): run body changed \(lines flows/lib/steps.lua:3-3 -> flows/lib/steps.lua:3-3\)$' \
  "and a fragment's function body with the revision's text"
expect_out '^    \+ function\(ctx\) ctx.log\("told by email"\) end$'
expect_no_err . "it loads"
run_hb diff flows/later.lua@HEAD flows/later.lua --exit-code
expect_rc 1 "--exit-code: a require inside a function body counts"
expect_out '^module changed: texts '
CHECKS=$((CHECKS + 1)); if printf '%s' "$OUT" | grep -q "sub/odd"; then fail "a module name require refuses was compared"; fi
run_hb diff flows/plain.lua@HEAD flows/plain.lua --exit-code
expect_rc 0 "--exit-code: no changes"
expect_out '^no changes$'
run_hb diff flows/lib/texts.lua@HEAD flows/lib/texts.lua
expect_rc 0 "a module"
expect_out '^module changed: texts '
expect_out '^workflows that load texts \(2\):$'
expect_out '^  greet \(flows/greet.lua\)$'
expect_out '^  later \(flows/later.lua\)$'
CHECKS=$((CHECKS + 1)); if printf '%s' "$OUT" | grep -q plain; then fail "plain does not load texts"; fi
run_hb diff flows/lib/texts.lua flows/greet.lua
expect_rc 2 "a module against a workflow"
expect_err "compare like with like"
# A scenario file is not a workflow: said so, by name.
run_hb diff flows/tests/greet_test.lua@HEAD flows/tests/greet_test.lua
expect_rc 2 "diff of a scenario file"
expect_err "flows/tests/greet_test.lua is the scenario file of workflow 'greet', not a workflow"
run_hb graph flows/tests/greet_test.lua
expect_rc 2 "graph of a scenario file"
expect_err "is the scenario file of workflow 'greet', not a workflow: give the workflow \(greet\) instead; \`hb test greet\` runs these scenarios"
run_hb graph flows/lib/texts.lua
expect_rc 2 "graph of a module"
expect_err "flows/lib/texts.lua is module 'texts' \(loaded with require\), not a workflow"
# A broken change: its problems, and still the report of what was read.
sed -i 's/steps.notify(),/steps.notify(), task "extra" { "Extra.", run = function(ctx) end, next = done },/' flows/greet.lua
run_hb diff flows/greet.lua@HEAD flows/greet.lua
expect_rc 2 "a broken workflow change"
expect_err "flows/greet.lua:6: undeclared global 'done'"
expect_out '^step added: extra \(task\) after notify: "Extra."$'
expect_out '^module changed: texts '
cd "$HB_SRC"

# Waiting runs: a run paused at an ask that the change alters is listed.
export HB_WORKFLOW_PATH="$HB_SRC/tests/fixtures/workflows"
sed 's/"Is the request in scope?"/"Is the request in scope for support?"/' \
  "$HB_SRC/tests/fixtures/workflows/ask-and-finish.lua" >"$TEST_TMP/ask-new.lua"
run_hb diff ask-and-finish "$TEST_TMP/ask-new.lua"
expect_no_err . "no store yet: nothing said about runs"
run_hb run ask-and-finish ticket=7 --no-input
expect_rc 3 "the run waits at its first ask"
RUN=$(run_id)
run_hb diff ask-and-finish "$TEST_TMP/ask-new.lua"
expect_rc 0 "diff with a store"
expect_out '^step changed: in_scope \(ask\): description'
expect_out "^  $RUN waits in step in_scope: this change alters it$"
run_hb diff ask-and-finish "$HB_SRC/tests/fixtures/workflows/ask-and-finish.lua"
expect_out '^no changes$'
CHECKS=$((CHECKS + 1))
if [ -z "$RUN" ] || printf "%s" "$OUT" | grep -q "$RUN"; then fail "an unchanged step listed a waiting run"; fi
finish
