#!/usr/bin/env bash
# hb runs lists runs newest first under a header (id, workflow, status,
# target, step, object, updated, waiting until); hb call's one-step runs
# only with --all; --json carries the same. hb cancel --reason keeps who
# cancelled and why in the audit trail.
set -e
. "$HB_E2E_LIB"
set +e

HB_NOW=2026-11-22T09:00:00Z run_hb run timer-wait
expect_rc 3 "the timer run waits"
TIMER=$(run_id)
run_hb run ask-and-finish ticket=1001 --answer in_scope=yes
expect_rc 3
ASK=$(run_id)
run_hb call zendesk.tickets.get 1001 --sandbox
expect_rc 0
CALL=$(sed -n 's/^hb: run \([0-9A-Z]*\) .*/\1/p' <<<"$ERR")
run_hb run ask-and-finish ticket=1002 --answer in_scope=no
expect_rc 0
DONE=$(run_id)

# 1. newest first, a header, hb call's runs hidden
run_hb runs
expect_rc 0
expect_out '^ID +WORKFLOW +STATUS +TARGET +STEP +OBJECT +UPDATED +WAITING UNTIL$' "the header"
CHECKS=$((CHECKS + 1))
[ "$(printf '%s\n' "$OUT" | grep -oE '^[0-9A-Z]{26}' | tr '\n' ' ')" = "$DONE $ASK $TIMER " ] ||
  fail "not newest first, or hb call's run shown: $(printf '%s\n' "$OUT" | grep -oE '^[0-9A-Z]{26}' | tr '\n' ' ')"
expect_out "^$ASK +ask-and-finish +waiting +live +level +zendesk:ticket:1001 +20[0-9-]{8}T[0-9:]{8}Z +an answer$" "a waiting ask's row"
expect_out "^    waits for ask: Which support level\?" "and what it waits for"
expect_out "^$TIMER +timer-wait +waiting +live +a_day +- +20[0-9-]{8}T[0-9:]{8}Z +2026-11-23T09:00:00Z$" "a timer's row: until when"
expect_out "^$DONE +ask-and-finish +succeeded +live +out_of_scope +zendesk:ticket:1002 .* -$" "a finished run"

# 2. --all includes hb call's runs, in their place
run_hb runs --all
expect_rc 0
CHECKS=$((CHECKS + 1))
[ "$(printf '%s\n' "$OUT" | grep -oE '^[0-9A-Z]{26}' | tr '\n' ' ')" = "$DONE $CALL $ASK $TIMER " ] ||
  fail "--all: $(printf '%s\n' "$OUT" | grep -oE '^[0-9A-Z]{26}' | tr '\n' ' ')"
expect_out "^$CALL +call:zendesk.tickets.get +succeeded +sandbox +call "

# 3. --json: one object a line, newest first, with the same facts
run_hb runs --json
expect_rc 0
CHECKS=$((CHECKS + 1))
[ "$(printf '%s\n' "$OUT" | jq -r .run | tr '\n' ' ')" = "$DONE $ASK $TIMER " ] || fail "--json order"
CHECKS=$((CHECKS + 1))
[ "$(printf '%s\n' "$OUT" | jq -r "select(.run==\"$TIMER\") | .waiting_until")" = 2026-11-23T09:00:00Z ] ||
  fail "--json lacks waiting_until"
CHECKS=$((CHECKS + 1))
[ "$(printf '%s\n' "$OUT" | jq -r "select(.run==\"$ASK\") | .object + \" \" + (.updated|tostring)")" != "" ] ||
  fail "--json lacks object/updated"
expect_out '"object":"zendesk:ticket:1001"'

# 4. hb cancel --reason: recorded with who cancelled
run_hb cancel "$ASK" --reason "customer withdrew the request"
expect_rc 0
expect_out "status=cancelled"
CHECKS=$((CHECKS + 1))
[ "$(db "select json_extract(data,'\$.reason') || '|' || json_extract(data,'\$.by') from audit where run='$ASK' and type='cancelled'")" \
  = "customer withdrew the request|e2e-tester" ] || fail "the cancelled event: $(db "select data from audit where run='$ASK' and type='cancelled'")"
run_hb audit show "$ASK"
expect_out "cancelled .* by e2e-tester: customer withdrew the request" "audit show reads it"
run_hb audit verify
expect_rc 0
run_hb cancel "$TIMER" --reason
expect_rc 2 "--reason needs its text"
finish
