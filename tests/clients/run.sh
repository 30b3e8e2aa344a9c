#!/usr/bin/env bash
# Checks that the official client libraries work unchanged against
# `hb sandbox`. Not part of ctest: it needs node and the npm registry.
#   tests/clients/run.sh path/to/hb [node_modules cache dir]
set -u
HB=${1:?usage: run.sh path/to/hb [cache dir]}
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${2:-${TMPDIR:-/tmp}/hb-client-checks}
command -v node >/dev/null || { echo "node is not installed: nothing checked"; exit 0; }
mkdir -p "$CACHE"
cp "$HERE/package.json" "$HERE/check.mjs" "$CACHE/"
if [ ! -d "$CACHE/node_modules" ]; then
  (cd "$CACHE" && npm install --no-audit --no-fund --silent) || exit 2
fi
ENV_FILE=$(mktemp)
"$HB" sandbox --port 0 >"$ENV_FILE" 2>/dev/null &
PID=$!
trap 'kill $PID 2>/dev/null; rm -f "$ENV_FILE"' EXIT
for _ in $(seq 100); do grep -q SALESFORCE_CLIENT_SECRET "$ENV_FILE" && break; sleep 0.1; done
set -a; . "$ENV_FILE"; set +a
(cd "$CACHE" && node check.mjs)
