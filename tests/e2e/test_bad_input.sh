#!/usr/bin/env bash
# Bad input gets a clear error, exit 2, and loses nothing already written.
set -e
. "$HB_E2E_LIB"

run_hb run ask-and-finsh ticket=1
expect_rc 2 "unknown workflow"
expect_err "unknown workflow 'ask-and-finsh'; did you mean: ask-and-finish"

run_hb run bad-syntax
expect_rc 2 "syntax error"
expect_err "bad-syntax.lua:[0-9]+:" "file:line"

run_hb run bad-structure
expect_rc 2 "structure errors"
expect_err "bad-structure.lua:[0-9]+: .*unknown service 'jira'"
run_hb show bad-structure
expect_rc 2
expect_err "unknown step 'nowhere'" ; expect_err "used twice"

run_hb run ask-and-finish
expect_rc 2 "missing input"
expect_err "missing input 'ticket' \(integer\)"
run_hb run ask-and-finish ticket=abc
expect_rc 2 "ill-typed input"
expect_err "input 'ticket' must be an integer, not 'abc'"
run_hb run ask-and-finish ticket=1 colour=red
expect_rc 2 "unknown input"
expect_err "has no input 'colour' \(its inputs: note, ticket\)"
run_hb run ask-and-finish ticket=1 --answer nosuch=1
expect_rc 2 "answer for a step that is not an ask"
expect_err "no ask step 'nosuch'"
run_hb run ask-and-finish ticket=1 --frobnicate
expect_rc 2 "unknown option"

# Duplicate active runs are refused unless asked for.
run_hb run ask-and-finish ticket=7
expect_rc 3
FIRST=$(run_id)
run_hb run ask-and-finish ticket=7
expect_rc 2 "a second active run with the same inputs"
expect_err "run $FIRST of ask-and-finish with the same inputs is already waiting"
run_hb run ask-and-finish ticket=7 --allow-duplicate
expect_rc 3

# An answer that cannot be right is refused before the run exists: nothing
# is written, so the corrected command is no duplicate of a waiting run.
RUNS=$(db "select count(*) from runs"); EVENTS=$(db "select count(*) from audit")
run_hb run ask-and-finish ticket=11 --answer in_scope=maybe
expect_rc 2 "an answer that is not an option"
expect_err "'maybe' is not an option of ask 'in_scope' \(options: yes, no\)"
run_hb run ask-and-finish ticket=11 --answer in_scope=yes --answer seats=many
expect_rc 2 "an answer that is not an integer"
expect_err "'many' is not an integer \(ask 'seats'\)"
run_hb run dsl-sample request=x --answer kind=nope
expect_rc 2 "an answer outside a literal enum"
expect_err "--answer kind: 'nope' is not one of the choices of ask 'kind' \(bug, feature, question\)"
[ "$(db "select count(*) from runs")" = "$RUNS" ] || fail "a refused answer creates no run"
[ "$(db "select count(*) from audit")" = "$EVENTS" ] || fail "a refused answer writes no event"
run_hb run ask-and-finish ticket=11 --answer in_scope=yes --answer level=premium --answer seats=3
expect_rc 0 "the corrected command runs: nothing blocks it"
expect_out "status=succeeded step=done"
# Resuming with one: refused before anything is written, the run still waits.
run_hb run ask-and-finish ticket=12
expect_rc 3
WAITING=$(run_id)
EVENTS=$(db "select count(*) from audit")
run_hb resume "$WAITING" --answer in_scope=maybe
expect_rc 2 "resume with an answer that is not an option"
[ "$(db "select count(*) from audit")" = "$EVENTS" ] || fail "a refused answer on resume writes no event"
[ "$(db "select status from runs where id='$WAITING'")" = waiting ] || fail "the run still waits"
# Choices only the workflow can list (choices(ctx)) are checked at the ask:
# the run then waits there, and the message says how to continue it.
run_hb run ask-and-finish ticket=13 --answer in_scope=yes --answer level=gold
expect_rc 2 "a choice the workflow's choices(ctx) does not list"
LATE=$(db "select id from runs where json_extract(inputs_json,'\$.ticket')=13")
expect_err "'gold' is not one of the choices of ask 'level' \(premium, ultimate\)"
expect_err "hb resume $LATE --answer level=VALUE"

# Cancel, then resume is refused.
run_hb cancel "$FIRST"
expect_rc 0
expect_out "status=cancelled"
run_hb resume "$FIRST" --answer in_scope=yes
expect_rc 2
expect_err "is cancelled"

# A locked store: exit 4, retry later.
( echo "BEGIN IMMEDIATE;"; sleep 4; echo "COMMIT;" ) | sqlite3 "$HB_HOME/hb.db" &
LOCKER=$!
sleep 1
HB_BUSY_TIMEOUT_MS=200 run_hb run ask-and-finish ticket=8
expect_rc 4 "locked store"
expect_err "locked"
wait $LOCKER || true

# A corrupted store: exit 5, clear message, no crash.
BEFORE=$(db "select count(*) from audit")
cp "$HB_HOME/hb.db" "$TEST_TMP/good.db"
printf 'this is not a database at all, not even close.................................................................................................' > "$HB_HOME/hb.db"
rm -f "$HB_HOME/hb.db-wal" "$HB_HOME/hb.db-shm"
run_hb runs
expect_rc 5 "corrupted store"
expect_err "hb.db"
cp "$TEST_TMP/good.db" "$HB_HOME/hb.db"
[ "$(db "select count(*) from audit")" = "$BEFORE" ] || fail "nothing lost"
finish
