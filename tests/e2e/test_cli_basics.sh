#!/usr/bin/env bash
# list, show, help and version; the design document's example workflow still loads.
set -e
. "$HB_E2E_LIB"

run_hb --help
expect_rc 0 ; expect_out "run +start a run"
run_hb frobnicate
expect_rc 2 ; expect_err "unknown command 'frobnicate'"
for cmd in list show run resume cancel runs audit; do
  run_hb "$cmd" --help
  expect_rc 0 "$cmd --help"
  expect_out "usage: hb $cmd" "$cmd --help prints usage"
done

run_hb list
expect_rc 0
expect_out "ask-and-finish +Ask two questions and finish"
expect_out "bad-syntax +\(does not load"

run_hb show "$HB_SRC/tests/fixtures/design_example.lua"
expect_rc 0 "the design document's example loads and validates"
expect_out "offering-migration: Handle a product offering migration ticket"
expect_out "uses: +zendesk gitlab"
expect_out "support_ops_done \[wait\]"
expect_out "on timeout → ping_support_ops"

run_hb show ask-and-finish
expect_rc 0
expect_out "yes → level"
finish
