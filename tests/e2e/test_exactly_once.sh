#!/usr/bin/env bash
# Exactly-once writes across crashes. The once-writes workflow creates a
# GitLab issue and note, posts a Zendesk internal note and adds a tag. For
# every store commit N of the run, hb aborts right after commit N
# (HB_FAULT_ABORT_AFTER_COMMITS); `hb resume` then completes the run. The
# same loop runs again with each write route losing its reply after the
# write is applied (sandbox fault drop-after-write). After every run the
# sandbox state must hold each change exactly once and the audit verify.
set -e
. "$HB_E2E_LIB"
STATE="$HB_HOME/sandbox/state.json"
PROJECT="gitlab-com/support/support-ops/zendesk-organizations"

# count FILTER: evaluates a jq expression over the sandbox state.
state() { jq -r "$1" "$STATE"; }

check_once() { # TAG CONTEXT
  local tag=$1 ctx=$2
  local issues notes comments tags
  issues=$(state "[.data.gitlab.projects[] | select(.path_with_namespace==\"$PROJECT\") | .issues[] | select(.title==\"once issue $tag\")] | length")
  notes=$(state "[.data.gitlab.projects[] | .issues[]? | .notes[]? | select(.body | startswith(\"once gitlab note $tag\n\"))] | length")
  comments=$(state "[.data.zendesk.tickets[] | select(.id==1001) | .comments[] | select(.body==\"once note $tag\")] | length")
  tags=$(state "[.data.zendesk.tickets[] | select(.id==1001) | .tags[] | select(.==\"$tag\")] | length")
  CHECKS=$((CHECKS + 1))
  [ "$issues" = 1 ] && [ "$notes" = 1 ] && [ "$comments" = 1 ] && [ "$tags" = 1 ] ||
    fail "$ctx: issues=$issues notes=$notes comments=$comments tags=$tags, each must be 1"
}

run_of() { db "select id from runs where json_extract(inputs_json,'\$.tag')='$1'"; }

# A run with no fault: how many commits it makes bounds the loop.
run_hb run once-writes --sandbox ticket=1001 tag=plain
expect_rc 0 "a run without faults succeeds"
check_once plain "no fault"
[ -z "$(db "select 1 from audit where type='note'")" ] || fail "nothing to reconcile without a fault"

# kill_loop LABEL FAULTSPEC: abort after commit N for every N, then resume.
kill_loop() {
  local label=$1 faults=$2 n=1 tag run
  while :; do
    tag="${label}$n"
    set +e
    ( # a subshell, so the shell does not report each abort
      HB_SANDBOX_FAULTS="$faults" HB_FAULT_ABORT_AFTER_COMMITS=$n \
        exec "$HB" run once-writes --sandbox ticket=1001 "tag=$tag" >/dev/null 2>&1 </dev/null
    ) 2>/dev/null
    RC=$?
    set -e
    if [ "$RC" = 0 ]; then
      break # N passed the run's last commit: nothing was interrupted
    fi
    run=$(run_of "$tag")
    if [ -z "$run" ]; then
      run_hb run once-writes --sandbox ticket=1001 "tag=$tag" # aborted before the run existed
    elif [ "$(db "select status from runs where id='$run'")" = succeeded ]; then
      RC=0 # aborted after its last commit: the run had already finished
    else
      run_hb resume "$run"
    fi
    expect_rc 0 "$label: abort after commit $n, then resume completes the run"
    check_once "$tag" "$label: abort after commit $n"
    n=$((n + 1))
    [ $n -lt 200 ] || { fail "$label: the run never finished without aborting"; break; }
  done
  CHECKS=$((CHECKS + 1))
  [ $n -gt 10 ] || fail "$label: only $n commits were interrupted"
  check_once "$tag" "$label: the run past every abort point"
}

kill_loop abort ""
kill_loop issue "drop-after-write@POST /api/v4/projects/{id}/issues,next=1"
kill_loop note "drop-after-write@POST /api/v4/projects/{id}/issues/{iid}/notes,next=1"
kill_loop comment "drop-after-write@PUT /api/v2/tickets/{id},next=1"
kill_loop tag "drop-after-write@PUT /api/v2/tickets/{id}/tags,next=1"

# The lost replies were reconciled by listing, not re-sent.
CHECKS=$((CHECKS + 1))
[ "$(db "select count(*) from audit where type='note' and json_extract(data,'\$.kind')='reconciled'")" -gt 0 ] ||
  fail "some writes were found by their marker"
# No marked write was ever sent twice: each marker has one answered api_call.
CHECKS=$((CHECKS + 1))
DUP=$(db "select json_extract(data,'\$.marker') m from audit where type='api_call' and m is not null and json_extract(data,'\$.status') between 200 and 299 group by m having count(*) > 1")
[ -z "$DUP" ] || fail "a marked write was answered twice: $DUP"

run_hb audit verify
expect_rc 0 "the audit chain verifies after every crash"
finish
