# The bindings end to end, against `hb sandbox` serving the four services'
# real shapes: `hb call` for one operation of each service (a list printed
# as one array, an error as the uniform error with exit 1), and a dry run of
# a workflow that writes to every service: it sends no write (the sandbox's
# request log), prints the plan and exits 0; the same run for real does
# write, so the check above cannot pass by accident.
. "$HB_E2E_LIB"
set +e
SANDBOX_PID=""
stop_sandbox() { [ -n "$SANDBOX_PID" ] && kill "$SANDBOX_PID" 2>/dev/null && wait "$SANDBOX_PID"; }
trap 'stop_sandbox; rm -rf "$TEST_TMP"' EXIT

"$HB" sandbox --port 0 --state "$TEST_TMP/sandbox.json" >"$TEST_TMP/sandbox.env" 2>"$TEST_TMP/sandbox.err" &
SANDBOX_PID=$!
for _ in $(seq 200); do
  grep -q '^export SALESFORCE_CLIENT_SECRET=' "$TEST_TMP/sandbox.env" 2>/dev/null && break
  sleep 0.1
done
. "$TEST_TMP/sandbox.env"
export HB_HTTP_BACKOFF_BASE_MS=1

# writes_sent: the service requests that change something (token fetches
# and ZOQL queries are POSTs that only read).
writes_sent() {
  curl -s "$ZENDESK_URL/__sandbox/requests" |
    grep -oE '"method":"(POST|PUT|PATCH|DELETE)","path":"[^"]*"' |
    grep -vE '"path":"(/oauth/token|/services/oauth2/token|/v1/action/query(More)?)"'
}

# 1. one call of each service
run_hb call zendesk.tickets.get 1001
expect_rc 0 "zendesk.tickets.get"
expect_out '"id":[[:space:]]*1001,' "the ticket, its id an integer"
run_hb call --json gitlab.issues.get gitlab-com/support/support-ops/zendesk-organizations 1
expect_rc 0 "gitlab.issues.get by project path"
expect_out '"iid":1,' "the issue"
run_hb call --json zuora.accounts.summary A00002001
expect_rc 0 "zuora.accounts.summary"
expect_out '"accountNumber":"A00002001"' "the account"
run_hb call --json salesforce.query "SELECT Id, StageName FROM Opportunity"
expect_rc 0 "salesforce.query"
expect_out '^\[\{.*"Id":"0065e0000ACMENBAAA"' "every record of every page, one array"
run_hb call --json zendesk.search "type:ticket organization:2001"
expect_rc 0 "zendesk.search"
expect_out '^\[' "search results as one array"
run_hb call --json zuora.subscriptions.get A-S99999999
expect_rc 1 "an unknown subscription"
expect_out '"code":"50000040"' "the uniform error on stdout"
expect_err 'zuora answered 200 50000040' "and in words on stderr"
run_hb call zendesk.tickets.gett 1001
expect_rc 2 "an unknown operation"
expect_err 'zendesk.tickets.get' "names the operations that exist"
CHECKS=$((CHECKS + 1))
[ -z "$(writes_sent)" ] || fail "reads sent writes: $(writes_sent)"

# 2. a dry run writes nothing and prints the plan
run_hb run touch-every-service ticket=1003 --dry-run
expect_rc 0 "the dry run"
expect_out 'status=planned' "ends planned"
expect_out 'zendesk\.tickets\.add_tags' "plans the tags"
expect_out 'zendesk\.tickets\.comment' "plans the note"
expect_out 'gitlab\.issues\.create' "plans the issue"
expect_out 'salesforce\.sobjects\.update' "plans the opportunity change"
CHECKS=$((CHECKS + 1))
[ -z "$(writes_sent)" ] || fail "the dry run sent: $(writes_sent)"
run_hb run touch-every-service ticket=1003 --dry-run --json
expect_rc 0 "the dry run as JSON"
expect_out '"object":"zendesk:ticket:1003"' "names the changed objects"

# 3. the same run for real writes to each of them
run_hb run touch-every-service ticket=1003
expect_rc 0 "the real run"
expect_out 'status=succeeded' "succeeds"
for w in 'PUT","path":"/api/v2/tickets/1003/tags.json' 'PUT","path":"/api/v2/tickets/1003.json' \
         'POST","path":"/api/v4/projects/gitlab-com%2Fsupport%2Fsupport-team-meta/issues' \
         'PATCH","path":"/services/data/v60.0/sobjects/Opportunity/0065e0000SOYLTRAAA'; do
  CHECKS=$((CHECKS + 1))
  writes_sent | grep -qF "$w" || fail "the real run did not send $w"
done
run_hb audit show --object zendesk:ticket:1003
expect_rc 0 "the ticket's history"
expect_out 'intent' "lists the intents"
expect_out 'touch-every-service' "with their workflow"
run_hb audit verify
expect_rc 0 "the chain holds"
finish
