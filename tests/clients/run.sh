#!/usr/bin/env bash
# Checks that the official client libraries of Zendesk, GitLab, Salesforce,
# Slack and PagerDuty work unchanged against `hb sandbox` (tests/clients/
# README.md). Part of ctest: it fails when node is missing; it is skipped
# (exit 77) only when the npm registry cannot be reached.
#   tests/clients/run.sh path/to/hb [cache root]
set -u
HB=${1:?usage: run.sh path/to/hb [cache root]}
HERE=$(cd "$(dirname "$0")" && pwd)
fail() { echo "FAIL: $*"; echo "0 passed, 1 failed"; exit 1; }

command -v node >/dev/null || fail "node is not installed (scripts/install-deps.sh installs Debian's nodejs and npm)"
MAJOR=$(node -p 'process.versions.node.split(".")[0]')
[ "$MAJOR" -ge 18 ] || fail "node $(node --version) is too old: the clients need node 18 or newer"
command -v openssl >/dev/null || fail "openssl is not installed (scripts/install-deps.sh installs it)"
MODULES=$("$HERE/install.sh" ${2:+"$2"})
case $? in
0) ;;
# A machine that cannot reach the npm registry cannot have the clients:
# ctest reports the check skipped (SKIP_RETURN_CODE), not passed.
3) echo "SKIP: the npm registry cannot be reached: the official clients were not checked"; exit 77 ;;
*) fail "the client libraries could not be installed" ;;
esac

WORK=$(mktemp -d) || fail "no temporary folder (TMPDIR=${TMPDIR:-})"
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
# ESM resolves packages next to the script: a per-run folder links them.
cp "$HERE/check.mjs" "$WORK/"
ln -s "$MODULES/node_modules" "$WORK/node_modules"

# pdjs builds https:// URLs from a host name, whatever it is: the checks
# put a TLS front (check.mjs) with this throwaway certificate before the
# sandbox, and node trusts it through NODE_EXTRA_CA_CERTS.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$WORK/tls-key.pem" -out "$WORK/tls-cert.pem" \
  >/dev/null 2>&1 || fail "openssl could not make the test certificate"

"$HB" sandbox --port 0 >"$WORK/env.sh" 2>"$WORK/sandbox.log" &
PID=$!
for _ in $(seq 100); do grep -q '^export PAGERDUTY_ROUTING_KEY=' "$WORK/env.sh" && break; sleep 0.1; done
grep -q '^export PAGERDUTY_ROUTING_KEY=' "$WORK/env.sh" || fail "hb sandbox did not start: $(cat "$WORK/sandbox.log")"
set -a
. "$WORK/env.sh"
set +a
export HB_CLIENT_TLS_KEY="$WORK/tls-key.pem" NODE_EXTRA_CA_CERTS="$WORK/tls-cert.pem"
(cd "$WORK" && node --no-warnings check.mjs)
RC=$?
kill "$PID" 2>/dev/null
wait "$PID"
SANDBOX_RC=$?
PID=
# The sandbox must stop cleanly too (under ASan, a leak or an error shows here).
if [ "$SANDBOX_RC" -ne 0 ]; then
  echo "FAIL: hb sandbox exited with $SANDBOX_RC"
  cat "$WORK/sandbox.log"
  exit 1
fi
exit "$RC"
