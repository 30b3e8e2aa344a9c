# hb sandbox from the command line: the export lines, a real request with
# them, a clean exit on SIGTERM and SIGINT, --state across restarts (and a
# state from before Slack and PagerDuty gaining them), and exit 2 for bad
# arguments.
set -u
: "${HB:?HB must point at the hb binary}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/hb-sandbox-e2e.XXXXXX")
PIDS=""
cleanup() {
  for p in $PIDS; do kill "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT
unset HB_NOW HB_SANDBOX_SEED
FAILURES=0
fail() { FAILURES=$((FAILURES + 1)); echo "FAIL: $*" >&2; }

# start_sandbox NAME ARGS...: runs it in the background and waits (at most
# 20 s) for its last export line; sets PID.
start_sandbox() {
  local name=$1; shift
  "$HB" sandbox --port 0 "$@" >"$TMP/$name.env" 2>"$TMP/$name.err" &
  PID=$!
  PIDS="$PIDS $PID"
  for _ in $(seq 200); do
    grep -q '^export PAGERDUTY_ROUTING_KEY=' "$TMP/$name.env" 2>/dev/null && return 0
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
  done
  fail "$name: no export lines: $(cat "$TMP/$name.err")"
  return 1
}

stop_sandbox() { # PID SIGNAL → exit status in RC
  kill -"$2" "$1"
  wait "$1"
  RC=$?
}

zendesk() { # METHOD PATH [BODY]
  curl -s -X "$1" -u "$ZENDESK_EMAIL/token:$ZENDESK_API_TOKEN" \
    -H 'Content-Type: application/json' ${3:+-d "$3"} "$ZENDESK_URL$2"
}

# 1. exports, one request, SIGTERM → 0
if start_sandbox first; then
  for v in ZENDESK_URL ZENDESK_EMAIL ZENDESK_API_TOKEN GITLAB_URL GITLAB_TOKEN ZUORA_URL \
           ZUORA_CLIENT_ID ZUORA_CLIENT_SECRET SALESFORCE_URL SALESFORCE_CLIENT_ID \
           SALESFORCE_CLIENT_SECRET SLACK_URL SLACK_BOT_TOKEN PAGERDUTY_URL PAGERDUTY_TOKEN \
           PAGERDUTY_FROM PAGERDUTY_EVENTS_URL PAGERDUTY_ROUTING_KEY; do
    grep -q "^export $v=" "$TMP/first.env" || fail "no export line for $v"
  done
  . "$TMP/first.env"
  case "$ZENDESK_URL" in http://127.0.0.1:[0-9]*) ;; *) fail "ZENDESK_URL is $ZENDESK_URL" ;; esac
  zendesk GET /api/v2/tickets/1001.json | grep -q '"id":1001' || fail "GET ticket 1001"
  curl -s -H "PRIVATE-TOKEN: $GITLAB_TOKEN" \
    "$GITLAB_URL/api/v4/projects/gitlab-com%2Fsupport%2Fsupport-team-meta" |
    grep -q '"id":20003' || fail "GET GitLab project by encoded path"
  [ "$SLACK_URL" = "$ZENDESK_URL/slack" ] || fail "SLACK_URL is $SLACK_URL"
  curl -s -H "Authorization: Bearer $SLACK_BOT_TOKEN" "$SLACK_URL/api/auth.test" |
    grep -q '"ok":true' || fail "Slack auth.test with SLACK_BOT_TOKEN"
  curl -s -H "Authorization: Token token=$PAGERDUTY_TOKEN" \
    "$PAGERDUTY_URL/services?query=Customer%20Support%20Operations" |
    grep -q '"id":"PCSOPS1"' || fail "PagerDuty service by name"
  curl -s -H 'Content-Type: application/json' \
    -d "{\"routing_key\":\"$PAGERDUTY_ROUTING_KEY\",\"event_action\":\"trigger\",
         \"payload\":{\"summary\":\"e2e\",\"source\":\"hb\",\"severity\":\"info\"}}" \
    "$PAGERDUTY_EVENTS_URL/v2/enqueue" | grep -q '"status":"success"' || fail "Events API trigger"
  stop_sandbox "$PID" TERM
  [ "$RC" = 0 ] || fail "SIGTERM: exit $RC, expected 0"
  grep -q "sandbox stopped" "$TMP/first.err" || fail "no stop message"
fi

# 2. --state keeps writes across a restart; SIGINT → 0
if start_sandbox keep --state "$TMP/state/state.json"; then
  . "$TMP/keep.env"
  zendesk PUT /api/v2/tickets/1001/tags.json '{"tags":["e2e_kept"]}' | grep -q e2e_kept ||
    fail "PUT tags"
  stop_sandbox "$PID" INT
  [ "$RC" = 0 ] || fail "SIGINT: exit $RC, expected 0"
fi
if start_sandbox again --state "$TMP/state/state.json"; then
  . "$TMP/again.env"
  zendesk GET /api/v2/tickets/1001/tags.json | grep -q e2e_kept || fail "tag lost across restart"
  stop_sandbox "$PID" TERM
fi

# 3. a state saved before Slack and PagerDuty existed gets their seed and
#    credentials on the next start, keeping everything else
if start_sandbox older --state "$TMP/state/state.json"; then
  stop_sandbox "$PID" TERM
  jq 'del(.data.slack, .data.pagerduty, .data.sandbox.slack_bot_user,
          .credentials.slack_bot_token, .credentials.pagerduty_token,
          .credentials.pagerduty_routing_key)' "$TMP/state/state.json" >"$TMP/older.json" &&
    mv "$TMP/older.json" "$TMP/state/state.json" || fail "could not age the state file"
  if start_sandbox upgraded --state "$TMP/state/state.json"; then
    . "$TMP/upgraded.env"
    [ -n "$SLACK_BOT_TOKEN" ] || fail "no SLACK_BOT_TOKEN after the upgrade"
    curl -s -X POST -H "Authorization: Bearer $SLACK_BOT_TOKEN" \
      -d 'channel=support-operations&text=hi' "$SLACK_URL/api/chat.postMessage" |
      grep -q '"ok":true' || fail "Slack after the upgrade"
    zendesk GET /api/v2/tickets/1001/tags.json | grep -q e2e_kept || fail "tag lost in the upgrade"
    stop_sandbox "$PID" TERM
  fi
fi

# 4. usage errors exit 2; --help exits 0
expect_exit() { # CODE ARGS...
  local want=$1; shift
  "$HB" sandbox "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
  local got=$?
  [ "$got" = "$want" ] || fail "hb sandbox $*: exit $got, expected $want ($(cat "$TMP/err"))"
}
expect_exit 2 --bogus
expect_exit 2 --port
expect_exit 2 --port 99999
expect_exit 2 --port 0 --bind 10.1.2.3
expect_exit 2 --port 0 --faults 'explode@all'
expect_exit 2 --port 0 --data "$TMP/missing.json"
expect_exit 0 --help
grep -q 'drop-after-write' "$TMP/out" || fail "--help does not document the fault spec"

if [ "$FAILURES" -gt 0 ]; then
  echo "$FAILURES failed" >&2
  exit 1
fi
echo "sandbox CLI checks passed"
