#!/usr/bin/env bash
# An ask pauses the run (exit 3); hb resume --answer finishes it (exit 0);
# the audit chain verifies, and detects an edited or truncated trail.
set -e
. "$HB_E2E_LIB"

run_hb run ask-and-finish ticket=1001 --answer in_scope=yes
expect_rc 3 "the run pauses at the unanswered 'level' ask"
RUN=$(run_id)
expect_out "^[0-9A-Z]{26}$" "run id first"
expect_out "status=waiting step=level" "status line"
expect_err "waiting for an answer: Which support level" "says what it waits for"
expect_err "hb resume $RUN --answer level=" "says how to continue"

run_hb runs --status waiting
expect_rc 0
expect_out "$RUN" "hb runs lists the waiting run"
expect_out "waits for ask" "hb runs says what it waits for"

run_hb resume "$RUN" --answer level=gold
expect_rc 2 "an answer outside the choices is a usage error"
expect_err "'gold' is not one of the choices of ask 'level' \(premium, ultimate\)"
[ "$(db "select status from runs where id='$RUN'")" = waiting ] || fail "run must stay waiting after a bad answer"

run_hb resume "$RUN" --answer level=premium --answer seats=25
expect_rc 0 "answers finish the run"
expect_out "status=succeeded step=done"
[ "$(db "select json_extract(vars_json,'\$.summary') from runs where id='$RUN'")" = "premium:25" ] || fail "vars hold the answers"
[ "$(db "select json_extract(vars_json,'\$.double') from runs where id='$RUN'")" = "50" ] || fail "integer answers stay integers"
[ "$(db "select vars_json from runs where id='$RUN'" | grep -c '"tags":\[\]')" = 1 ] || fail "an empty json.array stays []"
[ "$(db "select vars_json from runs where id='$RUN'" | grep -c '"big":9007199254740991')" = 1 ] || fail "2^53-1 survives a checkpoint exactly"

run_hb resume "$RUN"
expect_rc 2 "a finished run cannot be resumed"
expect_err "is succeeded; only a waiting run can be resumed"
run_hb resume 01ZZZZZZZZZZZZZZZZZZZZZZZZ
expect_rc 2 "an unknown run"

run_hb audit show "$RUN"
expect_rc 0
expect_out "run_started" ; expect_out "answered" ; expect_out "run_finished"
run_hb audit show "$RUN" --json
expect_out '"type":"transition"'
expect_out '"actor":"e2e-tester"'

run_hb audit verify
expect_rc 0 "an untouched chain verifies"
run_hb audit head
HEAD=$OUT
[[ "$HEAD" =~ ^[0-9]+:[0-9a-f]{64}$ ]] || fail "audit head prints SEQ:HASH"

# Any single edited row breaks the chain.
cp "$HB_HOME/hb.db" "$TEST_TMP/pristine.db"
db "update audit set data=replace(data,'premium','ultimate') where type='answered' and data like '%premium%'"
run_hb audit verify
expect_rc 1 "an edited event is detected"
expect_err "event [0-9]+"
cp "$TEST_TMP/pristine.db" "$HB_HOME/hb.db"; rm -f "$HB_HOME/hb.db-wal" "$HB_HOME/hb.db-shm"
db "update audit set actor='mallory' where seq=3"
run_hb audit verify
expect_rc 1 "an edited actor is detected"

# Deleting the last event passes a plain verify but not one against the head.
cp "$TEST_TMP/pristine.db" "$HB_HOME/hb.db"; rm -f "$HB_HOME/hb.db-wal" "$HB_HOME/hb.db-shm"
db "delete from audit where seq=(select max(seq) from audit)"
run_hb audit verify
expect_rc 0 "a truncated tail still chains"
run_hb audit verify --head "$HEAD"
expect_rc 1 "the recorded head catches the truncation"

# The out-of-scope branch ends at once.
run_hb run ask-and-finish ticket=1002 --answer in_scope=no
expect_rc 0
expect_out "status=succeeded step=out_of_scope"
finish
