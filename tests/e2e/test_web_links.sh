#!/usr/bin/env bash
# Links for people: zendesk.tickets.web_url and gitlab.issues.web_url make
# a ticket's agent page and an issue's page from ids alone (no request),
# from <SERVICE>_WEB_URL, else <SERVICE>_URL. The sandbox's links, and its
# GitLab web_url fields, use HB_SANDBOX_WEB_URL: the same in every run,
# although each in-process sandbox listens on a new port.
set -e
. "$HB_E2E_LIB"
set +e
unset ZENDESK_WEB_URL GITLAB_WEB_URL HB_SANDBOX_WEB_URL

# 1. The sandbox: one link in two runs (two sandboxes, two ports).
run_hb call zendesk.tickets.web_url 1001 --sandbox
expect_rc 0
expect_out '^"http://127\.0\.0\.1:8080/agent/tickets/1001"$' "the default stable base"
FIRST=$OUT
run_hb call zendesk.tickets.web_url 1001 --sandbox
CHECKS=$((CHECKS + 1))
[ "$OUT" = "$FIRST" ] || fail "a second run links elsewhere: $OUT"
run_hb call zendesk.tickets.agent_url 1001 --sandbox
CHECKS=$((CHECKS + 1))
[ "$OUT" = "$FIRST" ] || fail "agent_url and web_url differ: $OUT"
run_hb call gitlab.issues.get gitlab-com/support/support-ops/zendesk-organizations 1 --sandbox
expect_rc 0
CHECKS=$((CHECKS + 1))
[ "$(printf '%s' "$OUT" | jq -r .web_url)" = \
  "http://127.0.0.1:8080/gitlab-com/support/support-ops/zendesk-organizations/-/issues/1" ] ||
  fail "the sandbox's issue web_url is not on the stable base: $OUT"
run_hb call gitlab.issues.web_url gitlab-com/support/support-ops/zendesk-organizations 1 --sandbox
expect_out '^"http://127\.0\.0\.1:8080/gitlab-com/support/support-ops/zendesk-organizations/-/issues/1"$' \
  "web_url makes the link the API gives"

HB_SANDBOX_WEB_URL=https://sandbox.example.com/ run_hb call zendesk.tickets.web_url 7 --sandbox
expect_out '^"https://sandbox\.example\.com/agent/tickets/7"$' "HB_SANDBOX_WEB_URL, its trailing / dropped"
HB_SANDBOX_WEB_URL=ftp://x run_hb call zendesk.tickets.web_url 7 --sandbox
expect_rc 2 "a base that is not http(s)"
expect_err "HB_SANDBOX_WEB_URL='ftp://x' is not an http:// or https:// address"

# hb sandbox prints the web bases with the rest.
"$HB" sandbox --port 0 >"$TEST_TMP/env.sh" 2>/dev/null &
SB=$!
for _ in $(seq 200); do grep -q '^export GITLAB_WEB_URL=' "$TEST_TMP/env.sh" && break; sleep 0.1; done
kill "$SB"; wait "$SB"
CHECKS=$((CHECKS + 1))
grep -qx 'export ZENDESK_WEB_URL=http://127.0.0.1:8080' "$TEST_TMP/env.sh" ||
  fail "hb sandbox does not print ZENDESK_WEB_URL: $(cat "$TEST_TMP/env.sh")"

# 2. Live: no request is made (nothing listens at these addresses).
export ZENDESK_URL=https://acme.zendesk.com ZENDESK_EMAIL=agent@acme.test ZENDESK_API_TOKEN=not-used
export GITLAB_URL=https://gitlab.example.com GITLAB_TOKEN=not-used
run_hb call zendesk.tickets.web_url 123
expect_rc 0 "a live link without a request"
expect_out '^"https://acme\.zendesk\.com/agent/tickets/123"$'
ZENDESK_WEB_URL=https://support.acme.com run_hb call zendesk.tickets.web_url 123
expect_out '^"https://support\.acme\.com/agent/tickets/123"$' "ZENDESK_WEB_URL wins"
run_hb call gitlab.issues.web_url grp/proj 3
expect_out '^"https://gitlab\.example\.com/grp/proj/-/issues/3"$'
RUN=$(db "select id from runs order by created_at desc, id desc limit 1")
CHECKS=$((CHECKS + 1))
[ "$(db "select count(*) from audit where run='$RUN' and type='api_call'")" = 0 ] || fail "a link sent a request"

# 3. Bad arguments say what is wanted.
run_hb call gitlab.issues.web_url 20001 3
expect_err 'project must be a path like "group/project"'
run_hb call zendesk.tickets.web_url abc
expect_err "ticket"
finish
