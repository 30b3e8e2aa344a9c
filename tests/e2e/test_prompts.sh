#!/usr/bin/env bash
# A person at a prompt: a wrong answer is asked again, saying what is
# accepted (options in any case or by a unique prefix, the date format);
# prompts and pauses show the run, the step, the ticket and the facts the
# step names in `shows`; an event wait says the payload it expects, checks
# it when the event comes, and keeps its timeout when one is refused.
set -e
. "$HB_E2E_LIB"
set +e

# 1. Answers in another case or by a prefix, bad ones asked again.
run_hb_tty 0,2 $'Y\ngold\nPrem\nmany\n25\n' run ask-and-finish ticket=1001
expect_rc 0 "every answer was eventually taken"
expect_out "status=succeeded step=done"
expect_err "'gold' is not one of the choices of ask 'level' \(premium, ultimate\); try again" "says why and asks again"
expect_err "'many' is not an integer \(ask 'seats'\); try again"
expect_err "\(in any case, or the start of one\)" "says what is accepted"
expect_err "\(a whole number\)"
RUN=$(run_id)
CHECKS=$((CHECKS + 1))
[ "$(db "select json_extract(vars_json,'\$.summary') from runs where id='$RUN'")" = "premium:25" ] ||
  fail "'Prem' stands for premium"
CHECKS=$((CHECKS + 1))
[ "$(db "select json_extract(data,'\$.value') from audit where run='$RUN' and type='answered' and step='in_scope'")" = yes ] ||
  fail "the audit trail records the option 'Y' stands for"

# The same rules for --answer.
run_hb run ask-and-finish ticket=1002 --answer in_scope=Y --answer level=ULT --answer seats=3
expect_rc 0 "--answer takes an option in any case or by a prefix"
RUN=$(run_id)
CHECKS=$((CHECKS + 1))
[ "$(db "select json_extract(vars_json,'\$.summary') from runs where id='$RUN'")" = "ultimate:3" ] ||
  fail "ULT stands for ultimate"

# HB_ASK_ATTEMPTS bounds the answers one ask takes; then the run waits.
HB_ASK_ATTEMPTS=2 run_hb_tty 0,2 $'maybe\nperhaps\n' run ask-and-finish ticket=1003
expect_rc 3 "after two refused answers the run waits"
expect_out "status=waiting step=in_scope"
expect_err "'maybe' is not an option of ask 'in_scope' \(options: yes, no\); try again"

# 2. What the question is about, and the date format shown.
run_hb_tty 0,2 $'y\n31/12/2026\n2026-12-31\n' run ask-context ticket=1001 --sandbox
expect_rc 3 "answered both asks, waits for the event"
RUN=$(run_id)
expect_err "run $RUN \(ask-context\), step approve" "the run and the step"
expect_err "ticket 1001: http://127.0.0.1:8080/agent/tickets/1001" "the ticket and its agent page"
expect_err "vars.plan = premium" "a fact the ask shows"
expect_err "seats = 40" "a bare fact is looked up as fact() does"
expect_err "vars.missing = \(not known yet\)"
expect_err "\(a date, YYYY-MM-DD\)" "the date format"
expect_err "'31/12/2026' is not a date YYYY-MM-DD \(ask 'renewal'\); try again"
# The pause: the event, its payload, the facts, the timeout.
expect_err "waiting for event 'confirmation' at step confirmation: The customer confirms the refund."
expect_err 'payload: \{"confirmed":"boolean","note":"string\?"\}' "the payload's shape"
expect_err "times out at 20[0-9-]+T[0-9:]+Z, then goes to done" "the timeout"
expect_err "continue with: hb resume $RUN --event confirmation="
CHECKS=$((CHECKS + 1))
[ "$(db "select json_extract(wait_json,'\$.shows.\"vars.plan\"') from runs where id='$RUN'")" = premium ] ||
  fail "the recorded wait keeps what the pause showed"
UNTIL=$(db "select json_extract(wait_json,'\$.until') from runs where id='$RUN'")

# A payload that does not fit is refused with the shape; nothing changes.
run_hb resume "$RUN" --event 'confirmation={"confirmed":"yes"}'
expect_rc 2 "a payload of the wrong type"
expect_err "the payload of event 'confirmation' does not fit the wait 'confirmation': 'confirmed' must be of type boolean"
expect_err 'expected \{"confirmed":"boolean","note":"string\?"\}'
run_hb resume "$RUN" --event 'confirmation={"note":"ok"}'
expect_rc 2 "a required field missing"
expect_err "'confirmed' is missing"
run_hb resume "$RUN" --event 'confirmation={"confirmed":true,"colour":"red"}'
expect_rc 2 "a field the wait does not declare"
expect_err "it has no field 'colour'"
CHECKS=$((CHECKS + 1))
[ "$(db "select status || ' ' || json_extract(wait_json,'\$.until') from runs where id='$RUN'")" = "waiting $UNTIL" ] ||
  fail "a refused event leaves the run waiting with its timeout"
run_hb resume "$RUN" --event 'confirmation={"confirmed":true}'
expect_rc 0 "a payload that fits"
expect_out "status=succeeded step=done"

# 3. Nobody at a terminal: the pause says the same on stderr.
run_hb run ask-context ticket=1004 --sandbox
expect_rc 3
expect_err "waiting for an answer: Approve the refund\? \(step approve\)"
expect_err "    ticket 1004: http://127.0.0.1:8080/agent/tickets/1004"
expect_err "    vars.plan = premium"
expect_err "    seats = 40"
finish
