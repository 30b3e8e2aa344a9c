# hb call is a one-step run of the engine, recorded as every run is: the
# same events, its modules pinned under the names a workflow run's are
# (stdlib:NAME), its times on the wall clock as a run's are, the faults of
# the in-process sandbox (HB_SANDBOX_FAULTS) applied as they are to a run.
# A call's run cannot be resumed, and the worker passes over one that a
# dead process left running instead of stopping.
. "$HB_E2E_LIB"
set +e
export HB_HTTP_BACKOFF_BASE_MS=1
call_run() { sed -n 's/^hb: run \([0-9A-Z]*\) .*/\1/p' <<<"$ERR" | head -1; }

# 1. the record of a call
HB_NOW=2020-01-01T00:00:00Z run_hb_tty 1 "" call --sandbox zendesk.tickets.get 1001
expect_rc 0 "a sandbox call"
expect_out '"id": 1001,' "the ticket (indented: stdout is a terminal)"
RUN=$(call_run)
CHECKS=$((CHECKS + 1))
[ -n "$RUN" ] || fail "no run id on stderr"
CHECKS=$((CHECKS + 1))
[ "$(db "select workflow || ' ' || status || ' ' || step || ' ' || target from runs where id='$RUN'")" \
  = "call:zendesk.tickets.get succeeded call sandbox" ] || fail "the run row: $(db "select * from runs where id='$RUN'")"
CHECKS=$((CHECKS + 1))
[ "$(db "select group_concat(type, ' ') from (select type from audit where run='$RUN' order by seq)")" \
  = "run_started step_started api_call step_finished run_finished" ] ||
  fail "events: $(db "select type from audit where run='$RUN' order by seq")"
CHECKS=$((CHECKS + 1))
[ "$(db "select count(*) from run_sources where run='$RUN'")" -ge 1 ] || fail "no module pinned"
CHECKS=$((CHECKS + 1))
[ "$(db "select count(*) from run_sources where run='$RUN' and module not like 'stdlib:%'")" = 0 ] ||
  fail "pins without the stdlib: prefix: $(db "select module from run_sources where run='$RUN'")"
CHECKS=$((CHECKS + 1))
db "select module from run_sources where run='$RUN'" | grep -qx 'stdlib:zendesk' ||
  fail "the bindings are not pinned as stdlib:zendesk"
# Runs are stamped with the wall clock (HB_NOW moves only what the run sees).
CHECKS=$((CHECKS + 1))
[ "$(db "select created_at > 1700000000000000 and updated_at >= created_at from runs where id='$RUN'")" = 1 ] ||
  fail "the call's times follow HB_NOW: $(db "select created_at, updated_at from runs where id='$RUN'")"

# 2. the in-process sandbox's faults apply to a call as to a run
HB_SANDBOX_FAULTS='500@zendesk' run_hb_tty 1 "" call --sandbox zendesk.tickets.get 1001
expect_rc 1 "a faulted call fails"
expect_out '"status": 500' "with the uniform error of the 500"
FAULTED=$(call_run)
CHECKS=$((CHECKS + 1))
[ "$(db "select status from runs where id='$FAULTED'")" = failed ] || fail "the faulted call's run is not failed"

# 3. a call left running by a process that died cannot be resumed; the
#    worker says so and goes on
db "update runs set status='running', lease_holder=NULL, lease_until=0 where id='$RUN'"
run_hb resume "$RUN"
expect_rc 2 "a call's run is not resumable"
expect_err "is an .hb call. \(call:zendesk.tickets.get\); a call cannot be resumed" "says why"
run_hb worker --once
expect_rc 0 "the worker goes on"
expect_err "hb worker: run $RUN: .*a call cannot be resumed" "and names the run"
finish
