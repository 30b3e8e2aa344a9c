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

# A marker counts only as the trailer hb appended. Run C stops right after
# the intent of its issue; meanwhile someone opens an issue whose text quotes
# C's marker in its middle; C's resume opens its own issue, not that one.
n=1
while :; do
  set +e
  ( HB_FAULT_ABORT_AFTER_COMMITS=$n exec "$HB" run once-writes --sandbox ticket=1001 "tag=quoted$n" >/dev/null 2>&1 </dev/null ) 2>/dev/null
  set -e
  C=$(run_of "quoted$n")
  [ -n "$C" ] && [ "$(db "select group_concat(type) from audit where run='$C'")" = run_started,step_started,intent ] && break
  n=$((n + 1))
  [ $n -lt 20 ] || { fail "no commit left run C between its intent and its request"; break; }
done
MARK=$(db "select json_extract(data,'\$.marker') from audit where run='$C' and type='intent'")
run_hb call gitlab.issues.create "$PROJECT" "{\"title\":\"quotes $MARK\",\"description\":\"As the issue said: <!-- $MARK -->\n\nand more.\"}" --sandbox
expect_rc 0 "an issue quoting run C's marker"
printf '%s' "$OUT" > "$TEST_TMP/quoting.json"
QUOTING=$(sqlite3 :memory: "select json_extract(readfile('$TEST_TMP/quoting.json'),'\$.iid')")
run_hb resume "$C"
expect_rc 0 "run C resumes"
CHECKS=$((CHECKS + 1))
[ "$(db "select json_extract(vars_json,'\$.iid') from runs where id='$C'")" != "$QUOTING" ] ||
  fail "run C took the issue that quotes its marker for its own"
check_once "quoted$n" "a marker quoted in another issue"

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

# Two runs post the same reply on one ticket. Run A aborts right after its
# intent, before sending (commit 7 on a fresh store); run B posts the same
# text; A's resume must send its own reply, never take B's for its own: each
# write is known by the marker Zendesk keeps in its ticket audit's metadata.
export HB_HOME="$TEST_TMP/two-runs"
STATE="$HB_HOME/sandbox/state.json"
TEXT="the same reply from two runs"
set +e
( HB_FAULT_ABORT_AFTER_COMMITS=7 exec "$HB" run reply-once --sandbox ticket=1002 "text=$TEXT" >/dev/null 2>&1 </dev/null ) 2>/dev/null
set -e
A=$(db "select id from runs where workflow='reply-once'")
CHECKS=$((CHECKS + 1))
[ -n "$A" ] && [ "$(db "select group_concat(type) from audit where run='$A'")" = run_started,step_started,intent ] ||
  fail "run A stopped between its intent and its request"
run_hb run reply-once --sandbox ticket=1002 "text=$TEXT" --allow-duplicate
expect_rc 0 "run B replies"
B=$(run_id)
run_hb resume "$A"
expect_rc 0 "run A resumes and finishes"
# marker_of_comments: each comment with TEXT on ticket 1002, by the marker
# of the ticket audit that made it.
markers() {
  sqlite3 :memory: "select json_extract(a.value,'\$.metadata.custom.hb_marker')
    from json_each(readfile('$STATE'),'\$.data.zendesk.tickets') t,
         json_each(t.value,'\$.comments') c, json_each(t.value,'\$.audits') a
    where json_extract(t.value,'\$.id')=1002 and json_extract(c.value,'\$.body')='$TEXT'
      and json_extract(a.value,'\$.id')=json_extract(c.value,'\$.audit_id')
    order by json_extract(c.value,'\$.id')"
}
CHECKS=$((CHECKS + 1))
COMMENTS=$(sqlite3 :memory: "select count(*) from json_each(readfile('$STATE'),'\$.data.zendesk.tickets') t, json_each(t.value,'\$.comments') c where json_extract(t.value,'\$.id')=1002 and json_extract(c.value,'\$.body')='$TEXT'")
[ "$COMMENTS" = 2 ] || fail "the ticket has $COMMENTS comments with the text, not one per run"
CHECKS=$((CHECKS + 1))
[ "$(markers)" = "$(printf 'hb:%s:reply:1:1\nhb:%s:reply:1:1' "$B" "$A")" ] ||
  fail "each comment carries its own run's marker: $(markers)"
for r in "$A" "$B"; do
  CHECKS=$((CHECKS + 1))
  [ "$(db "select count(*) from audit where run='$r' and type='api_call' and json_extract(data,'\$.op')='zendesk.tickets.comment' and json_extract(data,'\$.status')=200")" = 1 ] ||
    fail "run $r sent its reply once"
  CHECKS=$((CHECKS + 1))
  [ "$(db "select count(*) from audit where run='$r' and type='note' and json_extract(data,'\$.kind')='reconciled'")" = 0 ] ||
    fail "run $r took no other run's comment for its own"
done

run_hb audit verify
expect_rc 0 "the audit chain of the two runs verifies"
finish
