#!/usr/bin/env bash
# Secrets by value: every credential hb is given and every token it obtains
# is kept out of everything it stores, prints or logs. A sandbox outside
# HB_HOME issues tokens that live one second, so Zuora and Salesforce hand
# out a new one on almost every call; hb runs against it as a live target,
# on all four services, then a workflow copies credentials a customer
# pasted into a ticket into ctx.vars, a note, stderr, a reply and an error.
# No credential and no issued token may then be found anywhere in HB_HOME
# (the database included), on stdout or on stderr.
set -e
. "$HB_E2E_LIB"
SB="$TEST_TMP/sandbox"
mkdir -p "$SB" "$TEST_TMP/outputs"
HB_SANDBOX_TOKEN_TTL=1 "$HB" sandbox --port 0 --state "$SB/state.json" >"$SB/env" 2>"$SB/err" &
SANDBOX_PID=$!
trap 'kill $SANDBOX_PID 2>/dev/null; rm -rf "$TEST_TMP"' EXIT
for _ in $(seq 200); do
  grep -q '^export SALESFORCE_CLIENT_SECRET=' "$SB/env" 2>/dev/null && break
  sleep 0.1
done
grep -q '^export SALESFORCE_CLIENT_SECRET=' "$SB/env" || { echo "no sandbox: $(cat "$SB/err")" >&2; exit 1; }
. "$SB/env"
admin() { curl -sf -X "$1" ${3:+-H 'Content-Type: application/json' -d "$3"} "$ZENDESK_URL$2"; }

# Every hb invocation's output is kept for the search at the end.
n=0
run_kept() {
  run_hb "$@"
  n=$((n + 1))
  cp "$TEST_TMP/out" "$TEST_TMP/outputs/$n.out"
  cp "$TEST_TMP/err" "$TEST_TMP/outputs/$n.err"
}

# A customer pastes credentials into ticket 1001.
admin POST /__sandbox/patch "{\"zendesk\":{\"tickets\":{\"1001\":{\"comments\":{\"+\":
  {\"author_id\":601,\"public\":true,\"body\":\"my keys: gitlab $GITLAB_TOKEN zendesk $ZENDESK_API_TOKEN zuora $ZUORA_CLIENT_SECRET\"}}}}}}" >/dev/null

# All four services, twice (tokens refreshed on the way), live target.
for i in 1 2; do
  run_kept run "$HB_SRC/tests/fixtures/workflows/four-services.lua" ticket=1001 --allow-duplicate
  expect_rc 0 "four services, run $i"
  sleep 1.2
done
run_kept run "$HB_SRC/tests/fixtures/workflows/four-services.lua" ticket=1001 --allow-duplicate --json
expect_rc 0 "four services as JSON"

# The echo: vars, note, stderr (print), a reply and the error.
run_kept run "$HB_SRC/tests/fixtures/secrets/echo-secret.lua" ticket=1001 --json
expect_rc 1 "the workflow gives up with the secret in its error"
RUN=$(printf "%s" "$OUT" | jq -r .run)
expect_err "stderr gets it too: my keys: gitlab \[redacted\] zendesk \[redacted\] zuora \[redacted\]"
expect_err "giving up on my keys: gitlab \[redacted\]"
[ "$(db "select count(*) from audit where run='$RUN' and type='note' and data like '%[redacted]%'")" -ge 1 ] ||
  fail "the note is stored, scrubbed"
[ "$(db "select vars_json from runs where id='$RUN'")" != "" ] || fail "vars stored"
db "select vars_json from runs where id='$RUN'" | jq -e '.nested.deeper[1] | startswith("and my keys: gitlab [redacted]")' >/dev/null ||
  fail "nested vars scrubbed and still JSON"
db "select error from runs where id='$RUN'" | grep -q "giving up on my keys: gitlab \[redacted\]" ||
  fail "the run's error is stored scrubbed"
# What the workflow sent to Zendesk had the keys (it is the workflow's reply):
# hb's own copy of the request body does not.
curl -sf "$ZENDESK_URL/__sandbox/state" | grep -qF "noted: my keys: gitlab $GITLAB_TOKEN" ||
  fail "the reply reached the service as the workflow wrote it"

# Reading it all back prints nothing secret either.
run_kept audit show "$RUN" --json
expect_rc 0
run_kept audit show "$RUN"
run_kept runs
run_kept call zendesk.tickets.comments 1001
expect_rc 0 "hb call prints the comments"
expect_out "my keys: gitlab \[redacted\]"
run_kept audit verify
expect_rc 0 "the scrubbed chain verifies"

# The tokens the sandbox issued: at least one refresh on Zuora and
# Salesforce each, all of them looked for.
curl -sf "$ZENDESK_URL/__sandbox/tokens" | jq -r '.issued[]' >"$TEST_TMP/tokens"
[ "$(wc -l <"$TEST_TMP/tokens")" -ge 6 ] || fail "tokens were refreshed: $(wc -l <"$TEST_TMP/tokens") issued"
{
  cat "$TEST_TMP/tokens"
  printf '%s\n' "$ZENDESK_API_TOKEN" "$GITLAB_TOKEN" "$ZUORA_CLIENT_ID" "$ZUORA_CLIENT_SECRET" \
    "$SALESFORCE_CLIENT_ID" "$SALESFORCE_CLIENT_SECRET"
  printf '%s/token:%s' "$ZENDESK_EMAIL" "$ZENDESK_API_TOKEN" | base64 -w0
  echo
} >"$TEST_TMP/secrets"
[ -s "$HB_HOME/hb.db" ] || fail "the store was written"
while IFS= read -r secret; do
  [ -n "$secret" ] || continue
  CHECKS=$((CHECKS + 1))
  if grep -rlaF -- "$secret" "$HB_HOME" "$TEST_TMP/outputs" >"$TEST_TMP/found"; then
    fail "a secret (${secret:0:6}...) is in: $(tr '\n' ' ' <"$TEST_TMP/found")"
  fi
done <"$TEST_TMP/secrets"
finish
