#!/usr/bin/env bash
# hb's benchmarks (not tests: nothing here asserts on time). Measures what a
# run costs beyond its HTTP calls:
#   1. per-step engine overhead: a 500-step workflow of no-op tasks, so the
#      cost is audit events, checkpoints and Lua calls;
#   2. a sandbox run of a handbook workflow (HTTP over loopback included);
#   3. workflow loading (hb show), i.e. start-up.
# Usage: bench/run.sh [path/to/hb]   (default build/hb; build Release first)
set -euo pipefail
HB=$(realpath "${1:-build/hb}")
SRC=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export HB_HOME="$WORK/home" HB_WORKFLOW_PATH="$WORK/wf:$SRC/workflows" HB_ACTOR=bench
mkdir -p "$WORK/wf"

steps=500
{
  echo 'return workflow "many-steps" {'
  echo '  title = "Benchmark: many no-op steps",'
  echo '  inputs = { n = "integer" },'
  for i in $(seq 1 $steps); do
    echo "  task \"s$i\" { \"Step $i.\", run = function(ctx) ctx.vars.count = (ctx.vars.count or 0) + 1 end },"
  done
  echo '  succeed "done" { "Done." },'
  echo '}'
} > "$WORK/wf/many-steps.lua"

now_ms() { date +%s%3N; }
measure() { # name repetitions command...
  local name=$1 reps=$2; shift 2
  local t0 t1
  t0=$(now_ms)
  for i in $(seq 1 "$reps"); do "$@" >/dev/null 2>&1 || true; done
  t1=$(now_ms)
  printf '%-44s %8.2f ms per run (%d runs)\n' "$name" "$(awk -v a="$t0" -v b="$t1" -v r="$reps" 'BEGIN{print (b-a)/r}')" "$reps"
}

echo "hb benchmarks ($("$HB" --version), $(nproc) cores)"
i=0
run_many() { i=$((i + 1)); "$HB" run many-steps n=$i --no-input; }
measure "run: $steps no-op steps" 5 run_many
t_total=$( { t0=$(now_ms); run_many >/dev/null 2>&1; t1=$(now_ms); echo $((t1 - t0)); } )
printf '%-44s %8.3f ms per step\n' "  per-step engine overhead" "$(awk -v t="$t_total" -v s="$steps" 'BEGIN{print t/s}')"
measure "show: load and validate a workflow" 20 "$HB" show many-steps
if "$HB" list 2>/dev/null | grep -q '^support-ops-portal-change'; then
  j=0
  run_sandbox() { j=$((j + 1)); "$HB" run support-ops-portal-change ticket=1013 --sandbox --no-input \
      --answer confirm_portal_request=yes --allow-duplicate; }
  measure "sandbox run: support-ops-portal-change" 10 run_sandbox
fi
measure "audit verify (whole chain)" 5 "$HB" audit verify
echo "events in the chain: $("$HB" audit head | cut -d: -f1)"
