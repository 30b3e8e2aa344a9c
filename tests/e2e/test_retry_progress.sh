#!/usr/bin/env bash
# A call that waits to try again says so on the terminal, one line per
# wait ("zendesk 429, attempt 2/5 in 0 ms"), at the step it belongs to; on
# a pipe or a file it says nothing (the attempts are in the audit trail).
set -e
. "$HB_E2E_LIB"
set +e

# 1. hb call at a terminal: two 429s, two lines, then the value.
HB_SANDBOX_FAULTS='429@zendesk,next=2,retry-after=0' run_hb_tty 2 "" call zendesk.tickets.get 1001 --sandbox
expect_rc 0 "the third attempt succeeds"
expect_err "^  call: zendesk 429, attempt 2/5 in 0 ms" "the first wait"
expect_err "call: zendesk 429, attempt 3/5 in 0 ms" "the second wait"
expect_no_err "attempt 4/5" "no wait after the attempt that succeeded"
CHECKS=$((CHECKS + 1))
[ "$(printf '%s' "$OUT" | jq -r .id)" = 1001 ] || fail "stdout has only the value"

# 2. The same on a file: not a line of it; the audit trail has the attempts.
HB_SANDBOX_FAULTS='429@zendesk,next=2,retry-after=0' run_hb call zendesk.tickets.get 1001 --sandbox
expect_rc 0
expect_no_err "attempt" "quiet when stderr is not a terminal"
RUN=$(db "select id from runs order by created_at desc, id desc limit 1")
CHECKS=$((CHECKS + 1))
[ "$(db "select count(*) from audit where run='$RUN' and type='api_call'")" = 3 ] ||
  fail "three api_call events for three attempts"

# 3. A run: the line names the step; a 500 waits the backoff
#    (HB_HTTP_BACKOFF_BASE_MS), the limit is HB_HTTP_MAX_ATTEMPTS.
HB_HTTP_BACKOFF_BASE_MS=1 HB_HTTP_MAX_ATTEMPTS=3 HB_SANDBOX_FAULTS='500@zendesk,next=1' \
  run_hb_tty 2 "" run four-services ticket=1001 --sandbox
expect_rc 0 "the run succeeds after the retry"
expect_err "^  read: zendesk 500, attempt 2/3 in [0-9]+ ms" "the step and the backoff"
finish
