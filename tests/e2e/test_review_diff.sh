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
