#!/usr/bin/env bash
# The worker advances timer and condition waits when due, two workers on one
# store advance each run exactly once, and a killed run resumes to the end.
set -e
. "$HB_E2E_LIB"
export HB_NOW=2026-11-22T09:00:00Z

# Timer wait: nothing happens before its time, the worker ends it after.
run_hb run timer-wait
RUN=$(run_id)
run_hb worker --once
expect_rc 0
[ "$(db "select status from runs where id='$RUN'")" = waiting ] || fail "not due yet"
HB_NOW=2026-11-23T09:00:01Z run_hb worker --once
expect_rc 0
[ "$(db "select status from runs where id='$RUN'")" = succeeded ] || fail "the worker ended the timer wait"

# Condition wait against the sandbox: the worker sees the issue closed.
run_hb run ops-issue-wait --sandbox
expect_rc 3
RUN=$(run_id)
IID=$(db "select json_extract(vars_json,'\$.iid') from runs where id='$RUN'")
HB_NOW=2026-11-22T10:00:01Z run_hb worker --once
[ "$(db "select status from runs where id='$RUN'")" = waiting ] || fail "the issue is still open"
"$HB" sandbox --port 0 --state "$HB_HOME/sandbox/state.json" > "$TEST_TMP/env.sh" 2>/dev/null &
SB=$!
for _ in $(seq 50); do grep -q GITLAB_URL "$TEST_TMP/env.sh" && break; sleep 0.1; done
. "$TEST_TMP/env.sh"
curl -sf -X POST "$GITLAB_URL/__sandbox/patch" -d "{\"gitlab\":{\"projects\":{\"gitlab-com/support/support-ops/zendesk-organizations\":{\"issues\":{\"$IID\":{\"state\":\"closed\"}}}}}}" >/dev/null || fail "patch"
kill -TERM $SB; wait $SB || true
HB_NOW=2026-11-22T10:30:00Z run_hb worker --once
[ "$(db "select status from runs where id='$RUN'")" = waiting ] || fail "not checked again before 'every'"
HB_NOW=2026-11-22T11:00:01Z run_hb worker --once
[ "$(db "select status from runs where id='$RUN'")" = succeeded ] || fail "the worker saw the issue closed"

# Two workers racing on 100 due runs advance each exactly once.
for i in $(seq 100); do "$HB" run timer-wait --allow-duplicate >/dev/null 2>&1 || true; done
[ "$(db "select count(*) from runs where workflow='timer-wait' and status='waiting'")" = 100 ] || fail "100 waiting runs"
export HB_NOW=2026-11-24T09:00:00Z
"$HB" worker --once >"$TEST_TMP/w1" 2>&1 & W1=$!
"$HB" worker --once >"$TEST_TMP/w2" 2>&1 & W2=$!
wait $W1; R1=$?; wait $W2; R2=$?
[ "$R1" = 0 ] && [ "$R2" = 0 ] || fail "workers exit 0 ($R1, $R2)"
[ "$(db "select count(*) from runs where workflow='timer-wait' and status='succeeded'")" = 101 ] || fail "every run advanced"
[ -z "$(db "select run from audit where type='resumed' and run in (select id from runs where workflow='timer-wait') group by run having count(*) <> 1")" ] || fail "a run was resumed twice"
[ -z "$(db "select run from audit where type='run_finished' group by run having count(*) <> 1")" ] || fail "a run finished twice"
W1N=$(grep -c "status=succeeded" "$TEST_TMP/w1" || true); W2N=$(grep -c "status=succeeded" "$TEST_TMP/w2" || true)
echo "worker 1 advanced $W1N runs, worker 2 advanced $W2N"
# A run the other worker took or finished first is passed over in silence.
CHECKS=$((CHECKS + 1))
FALSE=$(cat "$TEST_TMP/w1" "$TEST_TMP/w2" | grep -c . || true)
[ "$FALSE" = 0 ] || { ERR=$(cat "$TEST_TMP/w1" "$TEST_TMP/w2" | head -5); fail "racing workers printed $FALSE line(s)"; }
run_hb audit verify
expect_rc 0

# A worker stops cleanly on SIGTERM.
"$HB" worker --interval 1 >/dev/null 2>&1 & W=$!
sleep 0.5; kill -TERM $W; wait $W; RC=$?
expect_rc 0 "worker exits 0 on SIGTERM"

# kill -9 inside a step; hb resume completes the run from its last checkpoint.
unset HB_NOW
"$HB" run slow-step >/dev/null 2>&1 & P=$!
sleep 1.2
kill -9 $P; wait $P || true
RUN=$(db "select id from runs where workflow='slow-step'")
[ "$(db "select status from runs where id='$RUN'")" = running ] || fail "the killed run was mid-step"
[ "$(db "select step from runs where id='$RUN'")" = slow ] || fail "its last checkpoint is before the slow step"
run_hb resume "$RUN"
expect_rc 0 "resume completes a killed run"
[ "$(db "select json_extract(vars_json,'\$.slow') from runs where id='$RUN'")" = 1 ] || fail "vars are those of the last finished step, then the rerun"
run_hb audit verify
expect_rc 0

# A worker on a store it cannot open exits 5.
printf 'garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage' > "$HB_HOME/hb.db"
rm -f "$HB_HOME/hb.db-wal" "$HB_HOME/hb.db-shm"
run_hb worker --once
expect_rc 5 "unopenable store"
finish
