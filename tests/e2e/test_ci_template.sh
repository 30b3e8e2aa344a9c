#!/usr/bin/env bash
# The merge request jobs of .ci/workflow-review.gitlab-ci.yml, run as GitLab
# Runner runs them: each job's before_script and script taken from the YAML
# (tests/support/gitlab_ci_job.py), under bash -eo pipefail, with the CI
# variables of a merge request pipeline, in a fresh clone of a scratch
# project that has a lib/ module, scenario files in tests/ and, in the merge
# request, a broken workflow; the comment goes to the sandbox's GitLab.
set -e
. "$HB_E2E_LIB"
python3 -c 'import yaml' 2>/dev/null || { echo "FAIL: python3 with PyYAML is needed (scripts/install-deps.sh)" >&2; exit 1; }
JOB_PY="$HB_SRC/tests/support/gitlab_ci_job.py"
TEMPLATE="$HB_SRC/.ci/workflow-review.gitlab-ci.yml"

# An image with hb on its PATH.
mkdir -p "$TEST_TMP/bin"
ln -s "$HB" "$TEST_TMP/bin/hb"

# GitLab: the sandbox, with merge request !7 in project 20002.
"$HB" sandbox --port 0 --state "$TEST_TMP/gitlab.json" >"$TEST_TMP/gitlab.env" 2>"$TEST_TMP/gitlab.err" &
SB_PID=$!
trap 'kill "$SB_PID" 2>/dev/null; wait "$SB_PID" 2>/dev/null; rm -rf "$TEST_TMP"' EXIT
for _ in $(seq 200); do
  grep -q '^export SALESFORCE_CLIENT_SECRET=' "$TEST_TMP/gitlab.env" 2>/dev/null && break
  sleep 0.1
done
. "$TEST_TMP/gitlab.env"
curl -sf -X POST "$GITLAB_URL/__sandbox/patch" -d '{"gitlab":{"projects":{"20002":{"merge_requests":[
  {"iid":7,"id":5007,"title":"Workflow changes","state":"opened"},
  {"iid":8,"id":5008,"title":"Texts only","state":"opened"}]}}}}' >/dev/null
notes() { # IID: the bodies of the merge request's notes, as JSON
  curl -sf "$GITLAB_URL/__sandbox/state" |
    jq -c --argjson iid "$1" '[.gitlab.projects[] | select(.id == 20002) | .merge_requests[]
      | select(.iid == $iid) | .notes // [] | .[].body]'
}

# The project: main, and two merge request branches.
ORIGIN="$TEST_TMP/origin.git"
AUTHOR="$TEST_TMP/author"
git init -q --bare -b main "$ORIGIN"
git init -q -b main "$AUTHOR"
git -C "$AUTHOR" config user.email author@example.com
git -C "$AUTHOR" config user.name author
W="$AUTHOR/workflows"
mkdir -p "$W/lib" "$W/tests"
cp "$HB_SRC/tests/fixtures/review/modules/texts.lua" "$W/lib/texts.lua"
workflow() { # NAME BODY-LINES: a two-step workflow and its scenario file
  cat >"$W/$1.lua" <<LUA
$3
return workflow "$1" {
  title = "The $1 process", handbook = "h/$1",
  task "speak" { "Say it.", run = function(ctx) $2 end },
  succeed "done" { "Done." },
}
LUA
  cat >"$W/tests/$1_test.lua" <<LUA
return scenarios "$1" {
  scenario "says it and ends" {
    path = { "speak", "done" }, status = "succeeded",
    check = function(sb) sb:request_count({}, 0, "nothing was sent") end,
  },
}
LUA
}
workflow greet 'ctx.log(texts.hello("x"))' 'local texts = require "texts"'
workflow later 'ctx.log(require("texts").bye("y"))' ''
workflow plain 'ctx.log("plain")' ''
workflow old 'ctx.log("old")' ''
git -C "$AUTHOR" add -A
git -C "$AUTHOR" commit -qm base
git -C "$AUTHOR" remote add origin "$ORIGIN"
git -C "$AUTHOR" push -q origin main

# Merge request !7: a module, a scenario file, a broken workflow, one added
# (without scenarios), one removed.
git -C "$AUTHOR" checkout -q -b change
sed -i 's/"Hello "/"Hi "/' "$W/lib/texts.lua"
sed -i 's/says it and ends/says hello and ends/' "$W/tests/greet_test.lua"
sed -i 's/run = function(ctx) ctx.log("plain") end },/run = function(ctx) ctx.log("plain") end, next = done },/' "$W/plain.lua"
cat >"$W/added.lua" <<'LUA'
return workflow "added" {
  title = "Added", handbook = "h/added",
  task "work" { "Do the work.", run = function(ctx) ctx.log("work") end },
  succeed "done" { "Done." },
}
LUA
git -C "$AUTHOR" rm -q "$W/old.lua" "$W/tests/old_test.lua"
git -C "$AUTHOR" add -A
git -C "$AUTHOR" commit -qm change
git -C "$AUTHOR" push -q origin change
# Merge request !8: only the module.
git -C "$AUTHOR" checkout -q -b texts-only main
sed -i 's/"Bye "/"Goodbye "/' "$W/lib/texts.lua"
git -C "$AUTHOR" commit -qam texts
git -C "$AUTHOR" push -q origin texts-only

PROJECT="$TEST_TMP/builds/project"
# run_job JOB BRANCH IID [NAME=VALUE...]: the job in a fresh clone at the
# branch's head, as a merge request pipeline; sets RC, and OUT to its log.
run_job() {
  local job=$1 branch=$2 iid=$3
  shift 3
  rm -rf "$PROJECT"
  git clone -q "$ORIGIN" "$PROJECT"
  git -C "$PROJECT" checkout -q --detach "origin/$branch"
  python3 "$JOB_PY" "$TEMPLATE" "$job" >"$TEST_TMP/$job.sh"
  set +e
  (cd "$PROJECT" && env -i PATH="$TEST_TMP/bin:$PATH" HOME="$TEST_TMP" TMPDIR="${TMPDIR:-/tmp}" \
    HB_HOME="$TEST_TMP/ci-home" CI=true GITLAB_CI=true CI_PIPELINE_SOURCE=merge_request_event \
    CI_PROJECT_DIR="$PROJECT" CI_PROJECT_ID=20002 CI_SERVER_URL="$GITLAB_URL" \
    CI_API_V4_URL="$GITLAB_URL/api/v4" CI_MERGE_REQUEST_IID="$iid" \
    CI_MERGE_REQUEST_SOURCE_BRANCH_NAME="$branch" CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main \
    CI_COMMIT_SHA="$(git -C "$PROJECT" rev-parse HEAD)" "$@" \
    bash "$TEST_TMP/$job.sh") >"$TEST_TMP/log" 2>&1
  RC=$?
  set -e
  OUT=$(cat "$TEST_TMP/log")
  ERR=""
}
artifact_has() { # LINE-REGEX WHAT
  CHECKS=$((CHECKS + 1))
  grep -qE -- "$1" "$PROJECT/workflow-diff.md" || fail "workflow-diff.md lacks /$1/: $2"
}
artifact_lacks() {
  CHECKS=$((CHECKS + 1))
  if grep -qE -- "$1" "$PROJECT/workflow-diff.md"; then fail "workflow-diff.md has /$1/: $2"; fi
}

# hb-diff on !7, with a good token: the comment is the report.
run_job hb-diff change 7 HB_REVIEW_TOKEN="$GITLAB_TOKEN"
expect_rc 0 "hb-diff posts its report"
expect_out "hb-diff: posted the report as a comment on !7"
CHECKS=$((CHECKS + 1))
[ "$(notes 7 | jq -r 'length')" = 1 ] || fail "one comment on !7: $(notes 7)"
CHECKS=$((CHECKS + 1))
[ "$(notes 7 | jq -j '.[0]')" = "$(cat "$PROJECT/workflow-diff.md")" ] || fail "the comment is the artifact"
CHECKS=$((CHECKS + 1))
if grep -qF "$GITLAB_TOKEN" "$TEST_TMP/log" "$PROJECT/workflow-diff.md"; then fail "the token was printed"; fi
artifact_has '^### Workflow changes \(`hb diff` against `main`\)$'
artifact_has '^#### `workflows/lib/texts.lua` \(module\)$' "the module has its section"
artifact_has '^workflows that load texts \(2\):$' "with the workflows it reaches"
artifact_has '^#### `workflows/greet.lua`$' "a workflow whose module changed"
artifact_has '^Its file is unchanged; a module it loads changed.$'
artifact_has '^module changed: texts \(workflows/lib/texts.lua\)$'
artifact_has '^#### `workflows/later.lua`$' "a require inside a step counts"
artifact_has '^#### `workflows/plain.lua`$' "the broken workflow is reported"
artifact_has "^workflows/plain.lua:4: undeclared global 'done'$" "with its problems"
artifact_has '^step changed: speak \(task\): next done -> \(undeclared done\)$' "and its steps"
artifact_has '^#### `workflows/added.lua`$'
artifact_has '^New workflow.$'
artifact_has '^#### `workflows/old.lua`$'
artifact_has '^Workflow removed.$'
artifact_has '^- `workflows/tests/greet_test.lua`$' "scenario files are listed as such"
artifact_has '^```mermaid$'
artifact_lacks '^#### `workflows/tests/' "a scenario file is not a workflow"
artifact_lacks '^#### `workflows/lib/texts.lua`$' "a module is not a workflow"
artifact_lacks 'cannot read|is the scenario file' "no workflow diff of a non-workflow"

# The token missing, refused (401) or without the permission (403): said
# in the log, the artifact kept, exit 3 (a warning, not a failed pipeline).
run_job hb-diff change 7
expect_rc 3 "no token"
expect_out "hb-diff: HB_REVIEW_TOKEN is not set in this pipeline, so the report was not posted"
expect_out "make it masked, not protected"
artifact_has '^#### `workflows/plain.lua`$' "the artifact without a token"
run_job hb-diff change 7 HB_REVIEW_TOKEN=glpat-revoked
expect_rc 3 "a refused token"
expect_out "GitLab refused HB_REVIEW_TOKEN \(401 Unauthorized"
expect_no_err glpat-revoked
CHECKS=$((CHECKS + 1)); if grep -q glpat-revoked "$TEST_TMP/log"; then fail "the refused token was printed"; fi
artifact_has '^#### `workflows/plain.lua`$' "the artifact with a refused token"
curl -sf -X POST "$GITLAB_URL/__sandbox/faults" \
  -d '{"faults":"403@POST /api/v4/projects/{id}/merge_requests/{iid}/notes,next=1"}' >/dev/null
run_job hb-diff change 7 HB_REVIEW_TOKEN="$GITLAB_TOKEN"
expect_rc 3 "a token without the permission"
expect_out "HB_REVIEW_TOKEN may not comment on this merge request \(403 Forbidden: it needs the api scope"
run_job hb-diff change 99 HB_REVIEW_TOKEN="$GITLAB_TOKEN"
expect_rc 3 "a merge request GitLab does not have"
expect_out "failed \(HTTP 404"
run_job hb-diff change 7 HB_REVIEW_COMMENT=off
expect_rc 0 "comments turned off"
expect_out "HB_REVIEW_COMMENT is off"
CHECKS=$((CHECKS + 1))
[ "$(notes 7 | jq -r 'length')" = 1 ] || fail "only the first run commented: $(notes 7)"

# hb-lint fails on the broken workflow and keeps the Code Quality report;
# hb-test fails coverage, by name, for the workflow without scenarios.
run_job hb-lint change 7
expect_rc 1 "hb-lint fails the pipeline"
expect_out "^workflows/plain.lua:4:[0-9]+: error: read of undeclared global 'done'"
CHECKS=$((CHECKS + 1))
jq -e 'map(select(.location.path == "workflows/plain.lua")) | length > 0' \
  "$PROJECT/gl-code-quality-report.json" >/dev/null || fail "the Code Quality report names plain.lua"
run_job hb-test change 7
expect_rc 1 "hb-test fails"
expect_out "^coverage of added: NO SCENARIOS \(expected workflows/tests/added_test.lua\)$"

# !8 changes only the module: the workflows that load it are reported, and
# the other jobs pass.
run_job hb-diff texts-only 8 HB_REVIEW_TOKEN="$GITLAB_TOKEN"
expect_rc 0 "a module-only change"
artifact_has '^#### `workflows/lib/texts.lua` \(module\)$'
artifact_has '^#### `workflows/greet.lua`$'
artifact_has '^#### `workflows/later.lua`$'
artifact_has '^    \+   return "Goodbye " \.\. name$'
artifact_lacks '^#### `workflows/plain.lua`$' "a workflow that does not load the module"
CHECKS=$((CHECKS + 1))
[ "$(notes 8 | jq -j '.[0]')" = "$(cat "$PROJECT/workflow-diff.md")" ] || fail "the comment on !8 is its artifact"
run_job hb-test texts-only 8
expect_rc 0 "hb-test passes with every workflow covered"
expect_out "4 passed, 0 failed"
run_job hb-lint texts-only 8
expect_rc 0 "hb-lint passes"
# hb-backtest (optional): the runs a team recorded at main, exported, replayed
# under !8's versions of the workflows it changes; posted like hb-diff's.
git -C "$AUTHOR" checkout -q main
TEAM="$TEST_TMP/team"
for wf in greet later; do
  HB_HOME="$TEAM" HB_WORKFLOW_PATH="$W" "$HB" run "$wf" >/dev/null 2>&1
done
HB_HOME="$TEAM" "$HB" export runs --workflow greet >"$TEST_TMP/runs.jsonl" 2>/dev/null
HB_HOME="$TEAM" "$HB" export runs --workflow later >>"$TEST_TMP/runs.jsonl" 2>/dev/null
CHECKS=$((CHECKS + 1))
[ "$(wc -l <"$TEST_TMP/runs.jsonl")" = 2 ] || fail "two recorded runs exported"
CHECKS=$((CHECKS + 1))
python3 - "$TEMPLATE" <<'PY' || fail "hb-backtest runs only when HB_BACKTEST_RUNS is given"
import sys, yaml
rules = yaml.safe_load(open(sys.argv[1]))["hb-backtest"]["rules"]
assert all("$HB_BACKTEST_RUNS" in r["if"] for r in rules), rules
PY
run_job hb-backtest texts-only 8
expect_rc 0 "without a runs file the job does nothing"
expect_out "hb-backtest: HB_BACKTEST_RUNS names no readable runs file"
NOTES_BEFORE=$(notes 8 | jq -r 'length')
run_job hb-backtest texts-only 8 HB_BACKTEST_RUNS="$TEST_TMP/runs.jsonl" HB_REVIEW_TOKEN="$GITLAB_TOKEN"
expect_rc 0 "hb-backtest posts its report"
expect_out "hb-backtest: posted the report as a comment on !8"
CHECKS=$((CHECKS + 1))
grep -qE '^#### `workflows/greet.lua`$' "$PROJECT/workflow-backtest.md" || fail "greet, whose module changed, is backtested"
CHECKS=$((CHECKS + 1))
grep -qE '^\*\*hb backtest\*\* of `greet`: changes the outcome of 0 of 1 run; 0 not replayable$' "$PROJECT/workflow-backtest.md" ||
  fail "with its summary: $(cat "$PROJECT/workflow-backtest.md")"
CHECKS=$((CHECKS + 1))
if grep -q 'plain.lua' "$PROJECT/workflow-backtest.md"; then fail "a workflow !8 does not change is not backtested"; fi
CHECKS=$((CHECKS + 1))
[ "$(notes 8 | jq -r 'length')" = $((NOTES_BEFORE + 1)) ] || fail "one more comment on !8"
CHECKS=$((CHECKS + 1))
[ "$(notes 8 | jq -j '.[-1]')" = "$(cat "$PROJECT/workflow-backtest.md")" ] || fail "the comment is the backtest artifact"
finish
