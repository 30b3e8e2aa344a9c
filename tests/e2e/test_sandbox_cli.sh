# hb sandbox from the command line: the export lines, a real request with
# them, a clean exit on SIGTERM and SIGINT, --state across restarts, and
# exit 2 for bad arguments.
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
    grep -q '^export SALESFORCE_CLIENT_SECRET=' "$TMP/$name.env" 2>/dev/null && return 0
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
           SALESFORCE_CLIENT_SECRET; do
    grep -q "^export $v=" "$TMP/first.env" || fail "no export line for $v"
  done
  . "$TMP/first.env"
  case "$ZENDESK_URL" in http://127.0.0.1:[0-9]*) ;; *) fail "ZENDESK_URL is $ZENDESK_URL" ;; esac
  zendesk GET /api/v2/tickets/1001.json | grep -q '"id":1001' || fail "GET ticket 1001"
  curl -s -H "PRIVATE-TOKEN: $GITLAB_TOKEN" \
    "$GITLAB_URL/api/v4/projects/gitlab-com%2Fsupport%2Fsupport-team-meta" |
    grep -q '"id":20003' || fail "GET GitLab project by encoded path"
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

# 3. usage errors exit 2; --help exits 0
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
