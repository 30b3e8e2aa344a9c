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
