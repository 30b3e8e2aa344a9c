#!/usr/bin/env bash
# hb call prints JSON for whoever reads it: indented two spaces a level (as
# jq prints it) when stdout is a terminal, one line when it is a pipe or a
# file, or with --compact. Without credentials it says what to set, with no
# internal file path, and records no run.
set -e
. "$HB_E2E_LIB"
set +e
unset ZENDESK_URL ZENDESK_EMAIL ZENDESK_API_TOKEN ZENDESK_OAUTH_TOKEN GITLAB_URL GITLAB_TOKEN

# 1. a pipe or a file: one line, which jq reads as the same value
run_hb call zendesk.tickets.get 1001 --sandbox
expect_rc 0 "a sandbox call"
CHECKS=$((CHECKS + 1))
[ "$(printf '%s\n' "$OUT" | wc -l)" = 1 ] || fail "not one line when stdout is a file"
expect_out '^\{"allow_attachments":true|^\{"[a-z_]+":' "compact JSON"
CHECKS=$((CHECKS + 1))
[ "$(printf '%s' "$OUT" | jq -r .id)" = 1001 ] || fail "jq reads it"

# 2. a terminal: as jq prints it; --compact keeps one line there too
run_hb_tty 1 "" call zendesk.tickets.get 1001 --sandbox
expect_rc 0
expect_out '^  "id": 1001,$' "two spaces a level"
CHECKS=$((CHECKS + 1))
[ "$(printf '%s\n' "$OUT" | jq .)" = "$OUT" ] || fail "exactly what jq prints"
run_hb_tty 1 "" call zendesk.tickets.get 1001 --sandbox --compact
expect_rc 0
CHECKS=$((CHECKS + 1))
[ "$(printf '%s\n' "$OUT" | wc -l)" = 1 ] || fail "--compact on a terminal: not one line"

# 3. no credentials: a clear message, no Lua path, no run recorded
BEFORE=$(db "select count(*) from runs")
run_hb call zendesk.tickets.get 1001
expect_rc 2 "missing credentials are a configuration error"
expect_err "zendesk is not configured: set ZENDESK_URL, ZENDESK_EMAIL, ZENDESK_API_TOKEN" "says what to set"
expect_no_err '\.lua' "no internal Lua path"
expect_no_err "hb audit show" "no run to look at"
CHECKS=$((CHECKS + 1))
[ "$(db "select count(*) from runs")" = "$BEFORE" ] || fail "a run was recorded: $(db "select id, workflow, target, status from runs")"
CHECKS=$((CHECKS + 1))
[ "$(db "select count(*) from audit where run not in (select id from runs)")" = 0 ] || fail "stray audit events"
run_hb call gitlab.issues.get group/project 1 --dry-run
expect_rc 2 "a dry run needs them too (its reads are sent)"
expect_err "gitlab is not configured: set GITLAB_URL, GITLAB_TOKEN"
expect_no_err '\.lua'
finish
