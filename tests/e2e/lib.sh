# Shared helpers for the end-to-end tests: each test gets a fresh HB_HOME,
# runs the real hb binary and asserts on exit codes, output and the store.
set -u
: "${HB:?HB must point at the hb binary}"
: "${HB_SRC:?HB_SRC must point at the source tree}"
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/hb-e2e.XXXXXX")
export HB_HOME="$TEST_TMP/home"
export HB_WORKFLOW_PATH="$HB_SRC/tests/fixtures/workflows"
export HB_ACTOR="e2e-tester"
unset HB_NOW CI
FAILURES=0
CHECKS=0
trap 'rm -rf "$TEST_TMP"' EXIT

# run_hb: runs hb with the given arguments, capturing stdout, stderr and the
# exit code in $OUT, $ERR and $RC.
run_hb() {
  set +e
  "$HB" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" </dev/null
  RC=$?
  set -e
  OUT=$(cat "$TEST_TMP/out")
  ERR=$(cat "$TEST_TMP/err")
}

# run_hb_tty FDS INPUT ARGS...: runs hb with a pseudo-terminal as the fds
# FDS names ("0,2": stdin and stderr; tests/support/pty/pty_run.c), INPUT
# typed at it (lines separated by \n, then end of input). $TTY is what hb
# wrote to the terminal; $OUT and $ERR are stdout and stderr, whichever is
# the terminal being $TTY.
run_hb_tty() {
  local fds=$1 input=$2
  shift 2
  : "${HB_PTY:?HB_PTY must point at the pty_run helper}"
  set +e
  "$HB_PTY" --tty "$fds" --stdout "$TEST_TMP/out" --input "$input" -- "$HB" "$@" \
    >"$TEST_TMP/tty" 2>"$TEST_TMP/err"
  RC=$?
  set -e
  TTY=$(cat "$TEST_TMP/tty")
  case $fds in *1*) OUT=$TTY ;; *) OUT=$(cat "$TEST_TMP/out") ;; esac
  case $fds in *2*) ERR=$TTY ;; *) ERR=$(cat "$TEST_TMP/err") ;; esac
}

fail() {
  FAILURES=$((FAILURES + 1))
  echo "FAIL: $*" >&2
  echo "  exit: $RC" >&2
  echo "  stdout: $OUT" | head -20 >&2
  echo "  stderr: $ERR" | head -20 >&2
}

expect_rc() {
  CHECKS=$((CHECKS + 1))
  [ "$RC" = "$1" ] || fail "expected exit $1: ${2:-}"
}

expect_out() {
  CHECKS=$((CHECKS + 1))
  printf '%s' "$OUT" | grep -qE -- "$1" || fail "stdout lacks /$1/: ${2:-}"
}

expect_err() {
  CHECKS=$((CHECKS + 1))
  printf '%s' "$ERR" | grep -qE -- "$1" || fail "stderr lacks /$1/: ${2:-}"
}

expect_no_err() {
  CHECKS=$((CHECKS + 1))
  if printf '%s' "$ERR" | grep -qE -- "$1"; then fail "stderr has /$1/: ${2:-}"; fi
}

# The run id is the first line of stdout of run/resume.
run_id() { printf '%s\n' "$OUT" | head -1; }

db() { sqlite3 "$HB_HOME/hb.db" "$@"; }

# start_sandbox NAME [OPTION...]: `hb sandbox` in the background with the
# environment as it stands, its pid in SB_PID, its exports (in
# $TEST_TMP/NAME.sh, its stderr in NAME.err) sourced once it has printed the
# last of them. The test's own trap stops it.
SB_PID=""
start_sandbox() {
  local name=$1
  shift
  "$HB" sandbox --port 0 "$@" >"$TEST_TMP/$name.sh" 2>"$TEST_TMP/$name.err" &
  SB_PID=$!
  for _ in $(seq 200); do
    grep -q '^export GITLAB_WEB_URL=' "$TEST_TMP/$name.sh" 2>/dev/null && break
    kill -0 "$SB_PID" 2>/dev/null || break
    sleep 0.1
  done
  . "$TEST_TMP/$name.sh"
}

finish() {
  if [ "$FAILURES" -gt 0 ]; then
    echo "$CHECKS checks, $FAILURES failed" >&2
    exit 1
  fi
  echo "$CHECKS checks passed"
  exit 0
}
