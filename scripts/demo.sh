#!/usr/bin/env bash
# The README's first command: runs a handbook workflow end to end against the
# built-in sandbox (no live service, no typing), then shows its audit trail.
set -euo pipefail
HB=$(realpath "$1")
export HB_HOME="$2"
SRC=$(cd "$(dirname "$0")/.." && pwd)
export HB_WORKFLOW_PATH="$SRC/workflows"
export HB_NOW="${HB_NOW:-2026-11-22T10:00:00Z}"
mkdir -p "$HB_HOME"

echo "== hb list"
"$HB" list
echo
echo "== hb run support-ops-portal-change ticket=1013 --sandbox"
out=$("$HB" run support-ops-portal-change ticket=1013 --sandbox --no-input \
  --answer confirm_portal_request=yes --allow-duplicate)
echo "$out"
run=$(echo "$out" | head -1)
echo
echo "== hb audit show $run"
"$HB" audit show "$run"
echo
echo "== hb audit verify"
"$HB" audit verify
echo
echo "The audit trail is in $HB_HOME/hb.db; see it again with:"
echo "  HB_HOME=$HB_HOME $HB audit show $run"
