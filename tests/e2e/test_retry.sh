#!/usr/bin/env bash
# hb retry: a failed run goes on from its failed step (or --from an earlier
# one) without repeating a write it made. The sandbox applies the public
# reply and answers 500 (500-after-write): the run fails, though the
# customer has the reply; the retry must find it by its marker and post
# nothing. A task's own retry and an on_error path back to the task must do
# the same. Everything is asserted on the sandbox's state and the audit.
set -e
. "$HB_E2E_LIB"
STATE="$HB_HOME/sandbox/state.json"
REPLY_500="500-after-write@PUT /api/v2/tickets/{id},next=1"
AFTER_NOTE_500="500-after-write@PUT /api/v2/tickets/{id},after=1,next=1" # the note passes

# comments TICKET BODY PUBLIC: how many comments with that body the ticket has.
comments() {
  sqlite3 :memory: "select count(*) from json_each(readfile('$STATE'),'\$.data.zendesk.tickets') t,
      json_each(t.value,'\$.comments') c
    where json_extract(t.value,'\$.id')=$1 and json_extract(c.value,'\$.body')='$2'
      and json_extract(c.value,'\$.public')=$3"
}
events() { db "select count(*) from audit where run='$1' and type='$2'${3:+ and $3}"; }
status() { db "select status||' '||step from runs where id='$1'"; }

# 1. The reply's answer is a 500, after Zendesk made it: the run fails.
HB_SANDBOX_FAULTS="$AFTER_NOTE_500" run_hb run retry-reply --sandbox ticket=1002 "text=sorry for the wait"
expect_rc 1 "the run fails on the reply's 500"
R=$(run_id)
CHECKS=$((CHECKS + 1))
[ "$(status "$R")" = "failed reply" ] || fail "the run failed at reply: $(status "$R")"
CHECKS=$((CHECKS + 1))
[ "$(comments 1002 'sorry for the wait' 1)" = 1 ] || fail "the reply was made once, despite the 500"

# hb resume refuses a failed run; a new run would post the reply again.
run_hb resume "$R"
expect_rc 2 "resume refuses a failed run"
expect_err "only a waiting run" "resume says why"

# 2. --from a step after which writes were made is refused, and changes nothing.
TRAIL=$(db "select count(*) from audit where run='$R'")
run_hb retry "$R" --from note
expect_rc 2 "retry --from note, after which the reply was sent, is refused"
expect_err "retry --from note: the run made 1 write after entering note \(reply: zendesk.tickets.comment on zendesk:ticket:1002\)" "the refusal names the write"
expect_err "--force" "the refusal says how to go ahead"
CHECKS=$((CHECKS + 1))
[ "$(db "select count(*) from audit where run='$R'")" = "$TRAIL" ] && [ "$(status "$R")" = "failed reply" ] ||
  fail "a refused retry changes nothing"
run_hb retry "$R" --from nowhere
expect_rc 2 "retry --from an unknown step"
expect_err "workflow 'retry-reply' has no step 'nowhere' \(its steps: note, reply, done\)" "names the steps"

# 3. The retry re-enters reply: the reply is found by its marker, not posted again.
run_hb retry "$R" --reason "Zendesk answered 500 during the outage" --actor ops-on-call
expect_rc 0 "the retried run succeeds"
expect_out "status=succeeded step=done" "and says so"
expect_err "run $R retried: retry-reply" "the trace names the retry"
CHECKS=$((CHECKS + 1))
[ "$(comments 1002 'sorry for the wait' 1)" = 1 ] || fail "the customer has exactly one reply: $(comments 1002 'sorry for the wait' 1)"
CHECKS=$((CHECKS + 1))
[ "$(comments 1002 'note: sorry for the wait' 0)" = 1 ] || fail "and one internal note"
CHECKS=$((CHECKS + 1))
[ "$(db "select json_extract(data,'\$.by')||'|'||json_extract(data,'\$.reason')||'|'||json_extract(data,'\$.from')||'|'||json_extract(data,'\$.failed_at')||'|'||actor from audit where run='$R' and type='retried'")" = \
  "ops-on-call|Zendesk answered 500 during the outage|reply|reply|ops-on-call" ] ||
  fail "the retried event records who, why and from where: $(db "select data from audit where run='$R' and type='retried'")"
CHECKS=$((CHECKS + 1))
[ "$(events "$R" api_call "step='reply' and json_extract(data,'\$.op')='zendesk.tickets.comment'")" = 1 ] ||
  fail "the reply was sent once (the 500), never again"
CHECKS=$((CHECKS + 1))
[ "$(events "$R" note "step='reply' and json_extract(data,'\$.kind')='reconciled'")" = 1 ] ||
  fail "the retry reconciled the reply by its marker"
CHECKS=$((CHECKS + 1))
[ "$(db "select count(distinct json_extract(data,'\$.marker')) from audit where run='$R' and type='intent' and step='reply'")" = 1 ] ||
  fail "both entries of reply used one marker"
run_hb audit show "$R"
expect_out "retried +reply +ops-on-call +from reply by ops-on-call: Zendesk answered 500 during the outage" "audit show summarises the retry"

# 4. Only a failed run is retried.
run_hb retry "$R"
expect_rc 2 "a succeeded run is not retried"
expect_err "run $R is succeeded; only a failed run can be retried" "says why"
run_hb retry 01ZZZZZZZZZZZZZZZZZZZZZZZZ
expect_rc 2 "an unknown run"

# A live run without credentials fails at its first request, saying what
# is missing; a retry that still has none fails again the same way and
# leaves the run failed (its retry recorded), never running with no process.
run_hb run retry-reply ticket=1002 "text=no credentials"
expect_rc 1 "a live run without credentials fails"
L=$(run_id)
run_hb retry "$L" --reason "credentials not set yet"
expect_rc 1 "the retry still has no credentials"
expect_err "zendesk is not configured: set ZENDESK_URL" "and says what is missing"
CHECKS=$((CHECKS + 1))
[ "$(status "$L")" = "failed note" ] && [ "$(events "$L" retried)" = 1 ] &&
  [ "$(events "$L" api_call)" = 0 ] || fail "the run stays failed, its retry recorded: $(status "$L")"

# 5. --force from an earlier step: every step it goes through again keeps
# its markers, so neither the note nor the reply is made twice.
HB_SANDBOX_FAULTS="$AFTER_NOTE_500" run_hb run retry-reply --sandbox ticket=1003 "text=forced retry"
F=$(run_id)
run_hb retry "$F" --from note --force --reason "start over"
expect_rc 0 "a forced retry from note succeeds"
CHECKS=$((CHECKS + 1))
[ "$(comments 1003 'forced retry' 1)" = 1 ] && [ "$(comments 1003 'note: forced retry' 0)" = 1 ] ||
  fail "a forced retry from note repeats neither write: reply=$(comments 1003 'forced retry' 1) note=$(comments 1003 'note: forced retry' 0)"
CHECKS=$((CHECKS + 1))
[ "$(events "$F" note "json_extract(data,'\$.kind')='reconciled'")" = 2 ] ||
  fail "both writes were found by their markers"
CHECKS=$((CHECKS + 1))
[ "$(db "select json_extract(data,'\$.force') from audit where run='$F' and type='retried'")" = 1 ] ||
  fail "the retried event says it was forced"

# 6. A task's own retry: the second attempt finds the first's reply.
HB_SANDBOX_FAULTS="$REPLY_500" run_hb run retry-reply-attempts --sandbox ticket=1004 "text=tried twice"
expect_rc 0 "the task's second attempt succeeds"
A=$(run_id)
CHECKS=$((CHECKS + 1))
[ "$(comments 1004 'tried twice' 1)" = 1 ] || fail "the task's retry posted no second reply: $(comments 1004 'tried twice' 1)"
CHECKS=$((CHECKS + 1))
[ "$(events "$A" note "json_extract(data,'\$.kind')='reconciled'")" = 1 ] || fail "the second attempt reconciled it"

# 7. on_error back to the task continues its visit (the reply is found);
# a later pass through a transition is a new visit and posts again.
HB_SANDBOX_FAULTS="$REPLY_500" run_hb run retry-reply-recover --sandbox ticket=1005 "text=recovered"
expect_rc 0 "the run recovers through on_error"
V=$(run_id)
CHECKS=$((CHECKS + 1))
[ "$(comments 1005 'recovered' 1)" = 2 ] || fail "one reply per deliberate visit, none for the recovery: $(comments 1005 'recovered' 1)"
CHECKS=$((CHECKS + 1))
[ "$(db "select group_concat(m, ' ') from (select distinct json_extract(data,'\$.marker') m from audit where run='$V' and type='intent' order by seq)")" = \
  "hb:$V:reply:1:1 hb:$V:reply:2:1" ] || fail "markers by visits through transitions: $(db "select group_concat(json_extract(data,'\$.marker'),' ') from audit where run='$V' and type='intent'")"

# 8. A shipped workflow's service task rides out an outage by itself
# (retry = support.outage_retry): its note, answered 500 though made, is
# found on the next attempt; the run succeeds with one note.
HB_WORKFLOW_PATH="$HB_SRC/workflows" HB_OUTAGE_RETRY_BACKOFF=0s HB_SANDBOX_FAULTS="$REPLY_500" run_hb run support-ops-portal-change --sandbox ticket=1013 --answer confirm_portal_request=yes
expect_rc 0 "the handbook's change_form succeeds on its second attempt"
P=$(run_id)
CHECKS=$((CHECKS + 1))
[ "$(sqlite3 :memory: "select count(*) from json_each(readfile('$STATE'),'\$.data.zendesk.tickets') t,
    json_each(t.value,'\$.comments') c where json_extract(t.value,'\$.id')=1013
    and json_extract(c.value,'\$.body') like '%moved to the Support Ops form%'")" = 1 ] ||
  fail "the outage left one internal note, not two"
CHECKS=$((CHECKS + 1))
[ "$(events "$P" note "step='change_form' and json_extract(data,'\$.message') like 'attempt 1 of 3 failed%'")" = 1 ] &&
  [ "$(events "$P" note "step='change_form' and json_extract(data,'\$.kind')='reconciled'")" = 1 ] ||
  fail "the task tried again (support.outage_retry) and found its note"

# 9. A refusal is not an outage: support.outage_retry (on = "outage") fails
# the task at once on a 403 instead of trying again after the backoff.
rm -f "$STATE" # ticket 1013 back on its seed form (test 8 moved it)
HB_WORKFLOW_PATH="$HB_SRC/workflows" HB_SANDBOX_FAULTS="403@PUT /api/v2/tickets/{id},next=1" run_hb run support-ops-portal-change --sandbox ticket=1013 --answer confirm_portal_request=yes
expect_rc 1 "a 403 fails the handbook's change_form at once"
Q=$(run_id)
CHECKS=$((CHECKS + 1))
[ "$(events "$Q" note "json_extract(data,'\$.message') like 'attempt % failed%'")" = 0 ] ||
  fail "a refusal was tried again as if it were an outage"

# 10. retry.on takes only "any" or "outage", named at its line.
cat >"$HB_HOME/bad-retry.lua" <<'LUA'
return workflow "bad-retry" {
  task "t" {
    "Try.",
    run = function(ctx) end,
    retry = { attempts = 2, backoff = "1s", on = "sometimes" },
  },
  succeed "done" { "Done." },
}
LUA
run_hb lint "$HB_HOME/bad-retry.lua"
expect_rc 1 "lint refuses an unknown retry.on"
expect_out 'retry.on must be "any" or "outage"' "the message names the field"

run_hb audit verify
expect_rc 0 "the audit chain verifies"
finish
