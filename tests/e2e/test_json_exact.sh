#!/usr/bin/env bash
# 9007199254740991 (2^53 - 1, the largest integer a JSON double holds
# exactly) survives every JSON text hb writes that the command line reaches:
# the request body hb call sends, the response it prints (indented and
# --json), the bodies stored in the audit store, the sandbox's state file and
# its /__sandbox endpoints. cJSON's own printer made it 9.00719925474099e+15.
set -e
. "$HB_E2E_LIB"
export HB_WORKFLOW_PATH="$HB_SRC/workflows"
BIG=9007199254740991
ROUNDED='9\.00719925474099e\+15'
STATE="$HB_HOME/sandbox/state.json"

no_rounding() { # WHAT TEXT
  CHECKS=$((CHECKS + 1))
  if printf '%s' "$2" | grep -qE "$ROUNDED"; then fail "$1 rounds $BIG"; fi
  CHECKS=$((CHECKS + 1))
  printf '%s' "$2" | grep -q "$BIG" || fail "$1 lacks $BIG"
}

# hb call: a write whose body carries the number, then a read of it back.
run_hb_tty 1 "" call zendesk.tickets.update 1001 "{\"custom_fields\":[{\"id\":900001,\"value\":$BIG}]}" --sandbox
expect_rc 0 "the write"
no_rounding "hb call's indented output (stdout a terminal)" "$OUT"
expect_out "^  \"id\": 1001,$" "indented two spaces a level, as jq does"
[ "$(printf '%s\n' "$OUT" | jq .)" = "$OUT" ] || fail "hb call prints what jq would"
no_rounding "the sandbox state file" "$(cat "$STATE")"
no_rounding "the request body stored in the audit store" \
  "$(db "select group_concat(cast(content as text)) from bodies where cast(content as text) like '%custom_fields%' and cast(content as text) not like '%\"subject\"%'")"
no_rounding "the response body stored in the audit store" \
  "$(db "select group_concat(cast(content as text)) from bodies where cast(content as text) like '%\"subject\"%'")"
run_hb call zendesk.tickets.get 1001 --sandbox --json
expect_rc 0 "the read back"
no_rounding "hb call --json" "$OUT"
[ "$(printf '%s' "$OUT" | jq -r '.custom_fields[0].value')" = "$BIG" ] || fail "the value read back"

# hb sandbox: its endpoints answer with the number as it was patched in.
"$HB" sandbox --port 0 --state "$TEST_TMP/state.json" >"$TEST_TMP/env.sh" 2>/dev/null &
SB=$!
trap 'kill $SB 2>/dev/null || true; rm -rf "$TEST_TMP"' EXIT
for _ in $(seq 200); do grep -q SALESFORCE_CLIENT_SECRET "$TEST_TMP/env.sh" && break; sleep 0.1; done
. "$TEST_TMP/env.sh"
curl -s -X POST -H 'Content-Type: application/json' \
  -d "{\"zendesk\":{\"tickets\":{\"1001\":{\"priority_score\":$BIG}}}}" \
  "$ZENDESK_URL/__sandbox/patch" >/dev/null
no_rounding "GET /__sandbox/state" "$(curl -s "$ZENDESK_URL/__sandbox/state")"
no_rounding "the shared state file" "$(cat "$TEST_TMP/state.json")"
no_rounding "a Zendesk reply" "$(curl -s -u "$ZENDESK_EMAIL/token:$ZENDESK_API_TOKEN" \
  "$ZENDESK_URL/api/v2/tickets/1001.json")"
curl -s -X PUT -u "$ZENDESK_EMAIL/token:$ZENDESK_API_TOKEN" -H 'Content-Type: application/json' \
  -d "{\"ticket\":{\"custom_fields\":[{\"id\":900001,\"value\":$BIG}]}}" \
  "$ZENDESK_URL/api/v2/tickets/1002.json" >/dev/null
no_rounding "GET /__sandbox/requests" "$(curl -s "$ZENDESK_URL/__sandbox/requests")"
kill $SB; wait $SB || true

# lint --format gitlab goes through the same printer: jq's layout exactly.
run_hb lint --format gitlab "$HB_SRC/tests/fixtures/review/lint/unused-service.lua"
CHECKS=$((CHECKS + 1))
[ "$(printf '%s\n' "$OUT" | jq .)" = "$OUT" ] || fail "the Code Quality report is laid out as jq does"
finish
