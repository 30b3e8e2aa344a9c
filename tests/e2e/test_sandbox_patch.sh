#!/usr/bin/env bash
# Test data for the sandbox without editing the shipped seed: `hb run
# --sandbox --sandbox-patch FILE` applies a patch before the run exists (a
# bad one is refused with exit 2 and no run recorded), and `hb sandbox
# --patch FILE` before it serves; both keep it in the state they use, so
# later sandbox runs and calls see it.
set -e
. "$HB_E2E_LIB"
set +e
SB_PID=""
trap '[ -n "$SB_PID" ] && kill "$SB_PID" 2>/dev/null; rm -rf "$TEST_TMP"' EXIT

# A ticket the seed does not have, of the organization of ticket 1001.
cat >"$TEST_TMP/deletion.json" <<'JSON'
{"zendesk": {"tickets": {"4242": {"subject": "Please delete our account",
  "status": "open", "requester_id": 601, "organization_id": 2001,
  "tags": [], "comments": []}}}}
JSON

run_hb call zendesk.tickets.get 4242 --sandbox
expect_rc 1 "the seed has no ticket 4242"

# 1. hb run --sandbox-patch: the run reads the patched data.
run_hb run four-services ticket=4242 --sandbox --sandbox-patch "$TEST_TMP/deletion.json"
expect_rc 0 "the run finds ticket 4242"
expect_out "status=succeeded"
run_hb call zendesk.tickets.get 4242 --sandbox
expect_rc 0 "the patch stays in the sandbox's state"
CHECKS=$((CHECKS + 1))
[ "$(printf '%s' "$OUT" | jq -r .subject)" = "Please delete our account" ] || fail "the patched subject"

# 2. Bad patches: exit 2, the problem named, no run recorded.
before=$(db "select count(*) from runs")
run_hb run four-services ticket=4242 --sandbox --sandbox-patch "$TEST_TMP/missing.json"
expect_rc 2 "a missing patch file"
expect_err "--sandbox-patch: .*missing.json"
echo '[1, 2]' >"$TEST_TMP/list.json"
run_hb run four-services ticket=4242 --sandbox --sandbox-patch "$TEST_TMP/list.json" --allow-duplicate
expect_rc 2 "a patch that is not an object"
expect_err "the sandbox patch must be a JSON object"
run_hb run four-services ticket=4242 --sandbox-patch "$TEST_TMP/deletion.json" --allow-duplicate
expect_rc 2 "a patch for a live run"
expect_err "only for a sandbox run \(--sandbox\)"
CHECKS=$((CHECKS + 1))
[ "$(db "select count(*) from runs")" = "$before" ] || fail "a refused patch recorded a run"

# 3. hb sandbox --patch, on a state file of its own: served at once.
echo '{"zendesk": {"tickets": {"4343": {"subject": "Served patched", "status": "new"}}}}' \
  >"$TEST_TMP/served.json"
start_sandbox served --state "$TEST_TMP/state.json" --patch "$TEST_TMP/served.json"
got=$(curl -s -u "$ZENDESK_EMAIL/token:$ZENDESK_API_TOKEN" "$ZENDESK_URL/api/v2/tickets/4343.json" | jq -r .ticket.subject)
CHECKS=$((CHECKS + 1))
[ "$got" = "Served patched" ] || fail "hb sandbox --patch: the ticket is not served: $got $(cat "$TEST_TMP/served.err")"
kill "$SB_PID"; wait "$SB_PID"; SB_PID=""
CHECKS=$((CHECKS + 1))
jq -e '.data.zendesk.tickets[] | select(.id == 4343)' "$TEST_TMP/state.json" >/dev/null ||
  fail "the patch is kept in the --state file"

# A bad patch stops hb sandbox with exit 2 before it serves.
set +e
"$HB" sandbox --port 0 --patch "$TEST_TMP/list.json" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
RC=$?
OUT=$(cat "$TEST_TMP/out"); ERR=$(cat "$TEST_TMP/err")
expect_rc 2 "hb sandbox with a bad patch"
expect_err "--patch: the sandbox patch must be a JSON object"
CHECKS=$((CHECKS + 1))
[ -z "$OUT" ] || fail "no export lines for a sandbox that does not serve"
"$HB" sandbox --port 0 --patch "$TEST_TMP/missing.json" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
RC=$?; ERR=$(cat "$TEST_TMP/err")
expect_rc 2 "hb sandbox with a missing patch file"
finish
