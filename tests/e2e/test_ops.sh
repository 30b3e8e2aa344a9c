#!/usr/bin/env bash
# hb ops [SERVICE]: what a workflow can call, service by service, with read
# or write, the signature and a line of doc; an unknown service exits 2
# with a "did you mean".
set -e
. "$HB_E2E_LIB"
set +e

run_hb ops
expect_rc 0
expect_out "^zendesk \(needs ZENDESK_URL" "services with what they need"
expect_out "^gitlab \(needs GITLAB_URL and GITLAB_TOKEN\)"
expect_out "^  read   gitlab\.groups\.member\(group: integer\|string, user_id: integer\) -> " \
  "GitLab's group-membership lookup, with its signature"
expect_out "^  write  zendesk\.tickets\.update\(id: integer, fields: table\) -> zendesk\.Ticket\|hb\.Planned" \
  "a write says so"
expect_out "^         Changes ticket fields" "a line of doc"
expect_out "zendesk\.tickets\.set_status\(id: integer, status: \"new\"\|\"open\"\|\"pending\"\|\"hold\"\|\"solved\", comment\?: " \
  "an optional parameter keeps its ?"
expect_no_err "." "nothing on stderr"

run_hb ops gitlab
expect_rc 0
expect_out "gitlab\.issues\.create"
CHECKS=$((CHECKS + 1))
if printf '%s' "$OUT" | grep -q "zendesk\."; then fail "hb ops gitlab lists zendesk"; fi

run_hb ops --json
expect_rc 0
CHECKS=$((CHECKS + 1))
[ "$(printf '%s' "$OUT" | jq -r '.[] | select(.name == "zuora.subscriptions.get") | .access')" = read ] ||
  fail "--json: name and access"

run_hb ops gitlb
expect_rc 2 "an unknown service"
expect_err "unknown service 'gitlb' \(did you mean gitlab\?\)"
run_hb ops jira
expect_rc 2
expect_err "services: zendesk, gitlab, zuora, salesforce"
finish
