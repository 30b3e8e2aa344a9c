#!/usr/bin/env bash
# hb test: passing scenarios pass, a wrong path and a scenario without
# sandbox assertions fail with the reason, and --coverage lists edges.
set -e
. "$HB_E2E_LIB"

run_hb test four-services
expect_rc 0 "the four-services scenario passes"
expect_out "^ok   four-services: tags the ticket"
expect_out "1 passed, 0 failed"

run_hb test ask-and-finish
expect_rc 1 "two scenarios are wrong"
expect_out "ok   ask-and-finish: answers in two goes"
expect_out "FAIL ask-and-finish: expects the wrong path"
expect_out "path: expected prepare in_scope level"
expect_out "actual +prepare in_scope out_of_scope"
expect_out "FAIL ask-and-finish: asserts nothing about the sandbox"
expect_out "asserts nothing about the sandbox's state or requests"
expect_out "1 passed, 2 failed"

run_hb test ask-and-finish --coverage
expect_out "taken +ask in_scope yes"
expect_out "taken +ask in_scope no"

run_hb test no-such-workflow
expect_rc 2
finish
