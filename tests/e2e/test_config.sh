#!/usr/bin/env bash
# Settings: hb config shows every one and where it came from; a bad one stops
# every command with exit 2 naming it; the README's Environment table lists
# exactly the settings hb reads, with the same defaults. Options: every
# command takes --opt=value, --help made from its table, and an unknown
# option exits 2 with a did-you-mean.
set -e
. "$HB_E2E_LIB"
mkdir -p "$HB_HOME"

# 1. hb config: values and their sources.
HB_LEASE_SECONDS=90 run_hb config
expect_rc 0 "hb config"
expect_out "^HB_LEASE_SECONDS +90 +\(environment\)" "a value from the environment"
expect_out "^HB_STEP_TIMEOUT_MS +30000 +\(default\)" "a default"
expect_out "^HB_HOME +$HB_HOME +\(environment\)"
expect_out "^HB_NOW +\(the wall clock\) +\(default\)" "an unset value says what stands in"
printf 'HB_DURABILITY=full\n# a comment\nHB_BUSY_TIMEOUT_MS=250\n' >"$HB_HOME/config"
chmod 600 "$HB_HOME/config"
run_hb config
expect_rc 0
expect_out "^HB_DURABILITY +full +\(file $HB_HOME/config:1\)" "a value from the file, with its line"
HB_BUSY_TIMEOUT_MS=10 run_hb config HB_BUSY_TIMEOUT_MS
expect_rc 0
[ "$OUT" = 10 ] || fail "the environment wins over the file, and hb config NAME prints the value alone"
run_hb config --json
expect_rc 0 "hb config --json"
[ "$(printf '%s' "$OUT" | jq -r '.[] | select(.name=="HB_DURABILITY") | .source')" = file ] ||
  fail "--json names the source"
[ "$(printf '%s' "$OUT" | jq -r '.[] | select(.name=="HB_LEASE_SECONDS") | .accepts')" = \
  "1 to 31536000 seconds" ] || fail "--json says what a setting accepts"
run_hb config HB_LEASE_SECOND
expect_rc 2 "an unknown NAME"
expect_err "did you mean HB_LEASE_SECONDS"

# The file is refused when others could change it, and names only settings.
chmod 666 "$HB_HOME/config"
run_hb runs
expect_rc 2 "a world-writable config file"
expect_err "chmod go-w"
printf 'HB_STEP_TIMEOUT=5\n' >"$HB_HOME/config"
chmod 600 "$HB_HOME/config"
run_hb list
expect_rc 2 "a misspelt setting in the file"
expect_err "config:1: HB_STEP_TIMEOUT is not an hb setting \(did you mean HB_STEP_TIMEOUT_MS\?\)"
rm "$HB_HOME/config"

# 2. A bad setting stops every command before it does anything (exit 2).
HB_NOW=yesterday run_hb list
expect_rc 2 "an invalid HB_NOW is no longer ignored"
expect_err "HB_NOW='yesterday' is not understood: expected an ISO 8601 time"
for bad in abc 0 -5 99999999999999999999; do
  HB_LEASE_SECONDS=$bad run_hb run ask-and-finish ticket=1 --no-input
  expect_rc 2 "HB_LEASE_SECONDS=$bad"
  expect_err "HB_LEASE_SECONDS='$bad' is (not a whole number|out of range): expected 1 to 31536000 seconds"
done
[ ! -f "$HB_HOME/hb.db" ] || [ "$(db "select count(*) from runs")" = 0 ] || fail "no run was started"
HB_LEASE_SECONDS=abc run_hb config
expect_rc 2 "hb config shows the problem and exits 2"
expect_out "^HB_LEASE_SECONDS +600 +\(environment\)"
expect_err "HB_LEASE_SECONDS='abc'"
HB_LEASE_SECONDS=abc run_hb run --help
expect_rc 0 "--help works whatever the settings"
touch "$TEST_TMP/a-file"
HB_HOME="$TEST_TMP/a-file" run_hb runs
expect_rc 2 "an HB_HOME that is a file is a configuration error (it was exit 5)"
expect_err "HB_HOME='$TEST_TMP/a-file' is not a folder"
HB_DURABILITY=sometimes run_hb runs
expect_rc 2
expect_err "expected normal or full"

# 3. The README's Environment table and the settings table agree.
readme_rows() { # NAME<TAB>DEFAULT for each HB_* row of the Environment table
  awk '/^## Environment/ {on=1; next} /^## / {on=0} on && /^\| `HB_/' "$HB_SRC/README.md" |
    while IFS='|' read -r _ names default _; do
      default=$(printf '%s' "$default" | tr -d '`' | sed 's/^ *//; s/ *$//')
      for n in $(printf '%s' "$names" | grep -oE 'HB_[A-Z_]+'); do printf '%s\t%s\n' "$n" "$default"; done
    done
}
run_hb config --json
table=$(printf '%s' "$OUT" | jq -r '.[] | "\(.name)\t\(.default)"' | sort)
readme=$(readme_rows | sort)
CHECKS=$((CHECKS + 1))
if [ "$table" != "$readme" ]; then
  fail "README Environment table differs from the settings table (< settings, > README):
$(diff <(printf '%s\n' "$table") <(printf '%s\n' "$readme"))"
fi

# 4. Options: --opt=value everywhere, bounded values, did you mean.
run_hb run ask-and-finish ticket=7 --actor=ann --answer=in_scope=no --no-input --json
expect_rc 0 "--answer=STEP=VALUE and --actor=NAME"
RUN=$(printf '%s' "$OUT" | jq -r .run)
[ "$(db "select actor from runs where id='$RUN'")" = ann ] || fail "--actor=ann"
run_hb runs --status=succeeded --workflow=ask-and-finish
expect_rc 0
expect_out "$RUN"
run_hb runs --status=finished
expect_rc 2 "an unknown status"
expect_err "unknown status 'finished' \(running, waiting, succeeded, failed, cancelled or planned\)"
run_hb audit show --object=zendesk:ticket:1
expect_rc 0
run_hb runs --josn
expect_rc 2
expect_err "unknown option '--josn' \(did you mean --json\?\)"
for bad in abc 0 99999999999999999999 ' 5' 86401; do
  run_hb worker --once --interval "$bad"
  expect_rc 2 "worker --interval '$bad'"
  expect_err "--interval '$bad' is (not a whole number|out of range) \(expected 1 to 86400\)"
done
run_hb worker --once --interval=5
expect_rc 0 "worker --interval=5"
run_hb worker --once
expect_rc 0
HB_ACTOR= run_hb run ask-and-finish ticket=8 --answer in_scope=no --no-input
expect_rc 0
[ "$(db "select actor from runs where id='$(run_id)'")" = "$(id -un)" ] ||
  fail "HB_ACTOR has one default, the login name"

# Every command's --help comes from its table.
for cmd in $("$HB" --help | awk '/^commands:/ {on=1; next} on && /^  [a-z]/ {print $1}'); do
  run_hb "$cmd" --help
  expect_rc 0 "$cmd --help"
  expect_out "^usage: hb $cmd" "$cmd --help starts with its usage"
  # A group of subcommands (audit, export) lists its commands instead.
  printf '%s' "$OUT" | grep -q '^commands:' ||
    expect_out "-h, --help +print this help" "$cmd --help lists its options"
done
run_hb audit shwo
expect_rc 2
expect_err "did you mean show"
finish
