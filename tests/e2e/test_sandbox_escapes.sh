#!/usr/bin/env bash
# A workflow reaching for os.execute or io.open fails with a clear error.
set -e
. "$HB_E2E_LIB"
rm -f /tmp/hb-escaped

run_hb run escape-os
expect_rc 1 "os.execute is not there"
expect_err "escape-os.lua:6: .*undeclared global|escape-os.lua:6: .*(execute|nil)" "names file:line"
expect_out "status=failed step=shell"
[ ! -e /tmp/hb-escaped ] || fail "the command ran"

run_hb run escape-io
expect_rc 1 "io is not there"
expect_err "escape-io.lua:6: .*undeclared global 'io'" "names io with file:line"

# A failed task leaves its error and traceback in the audit trail.
run_hb run raises
expect_rc 1
expect_err "helper exploded: kaboom"
RUN=$(run_id)
[ "$(db "select count(*) from audit where run='$RUN' and type='step_finished' and data like '%traceback%'")" = 1 ] || fail "traceback audited"
[ "$(db "select error from runs where id='$RUN'")" != "" ] || fail "error stored on the run"

# Runaway steps are stopped even when they catch errors.
HB_STEP_INSTRUCTIONS=200000 run_hb run spin
expect_rc 1
expect_err "instruction limit"
HB_STEP_TIMEOUT_MS=300 HB_STEP_INSTRUCTIONS=100000000000 run_hb run spin
expect_rc 1
expect_err "time limit"
HB_STEP_TIMEOUT_MS=abc run_hb run spin
expect_rc 2 "a bad limit is a configuration error"
expect_err "HB_STEP_TIMEOUT_MS"

run_hb audit verify
expect_rc 0
finish
