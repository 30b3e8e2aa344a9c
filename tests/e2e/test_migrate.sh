#!/usr/bin/env bash
# hb migrate on a shipped workflow (support-ops-request) whose file changes
# under waiting runs: a run whose step was renamed is refused without --map,
# moves with it (a dry run first, changing nothing), is audited with who and
# why, and resumes under the new version to success; a run whose step was
# removed is refused and left as it was; hb runs --outdated and hb diff
# point to hb migrate.
set -e
. "$HB_E2E_LIB"
mkdir -p "$TEST_TMP/wf"
cp -r "$HB_SRC/workflows/." "$TEST_TMP/wf/"
export HB_WORKFLOW_PATH="$TEST_TMP/wf"
WF="$TEST_TMP/wf/support-ops-request.lua"
mkdir -p "$TEST_TMP/old"
cp -r "$HB_SRC/workflows/lib" "$TEST_TMP/old/lib"
cp "$WF" "$TEST_TMP/old/support-ops-request.lua"

run_hb run support-ops-request 'title=Fix the macro' --answer what_kind=bug --answer expectations=yes --sandbox
expect_out "status=waiting step=validate_and_sign_off"
A=$(run_id)
run_hb run support-ops-request 'title=Ask in channel' --answer what_kind='not sure yet' --sandbox
expect_out "status=waiting step=rfc_or_change"
B=$(run_id)
run_hb migrate "$A" --to-current
expect_rc 0 "nothing to do on the same version"
expect_out "$A  already on the version on disk"

# The new version: the sign-off wait renamed, the rfc_or_change ask removed.
sed -i 's/validate_and_sign_off/sign_off_on_staging/g' "$WF"
sed -i 's/{ "not sure yet", next = "rfc_or_change" }/{ "not sure yet", next = "change_management" }/' "$WF"
sed -i '/^  ask "rfc_or_change" {/,/^  },/d' "$WF"
sed -i 's/{ label = "RFC", when = is("rfc_or_change", "rfc"), next = "rfc_issue" },/{ label = "RFC", when = is("what_kind", "not sure yet"), next = "rfc_issue" },/' "$WF"
grep -q sign_off_on_staging "$WF" && ! grep -q 'ask "rfc_or_change"' "$WF" || fail "the test's edits apply"
run_hb lint "$WF"
expect_rc 0 "the new version is a sound workflow"

run_hb runs --outdated
expect_out "hb migrate $A --to-current" "hb runs --outdated points to hb migrate"
run_hb diff "$TEST_TMP/old/support-ops-request.lua" "$WF"
expect_out "hb migrate $A --to-current --map validate_and_sign_off=sign_off_on_staging" \
  "hb diff names the migration of a renamed step"

ROW_A=$(db "select version||step||answers_json from runs where id='$A'")
run_hb migrate "$A" --to-current
expect_rc 1 "a step gone is refused"
expect_out "$A  refused: step validate_and_sign_off is gone from the version on disk \(if it was renamed, name it: --map validate_and_sign_off=NEW\)"
run_hb migrate "$A" --to-current --map validate_and_sign_off=nowhere
expect_rc 1
expect_out "the version on disk has no step nowhere"
run_hb migrate "$A" --to-current --map validate_and_sign_off=sign_off_on_staging
expect_rc 0 "the dry run says it can move"
expect_out "$A  can move: step validate_and_sign_off -> sign_off_on_staging.*dry run"
[ "$(db "select version||step||answers_json from runs where id='$A'")" = "$ROW_A" ] || fail "a dry run changed the run"
[ "$(db "select count(*) from audit where type='migrated'")" = 0 ] || fail "a dry run audited a migration"

run_hb migrate "$A" --to-current --map validate_and_sign_off=sign_off_on_staging --apply \
  --reason "the sign-off step was renamed" --actor lead
expect_rc 0
expect_out "$A  moved: step validate_and_sign_off -> sign_off_on_staging"
[ "$(db "select step from runs where id='$A'")" = sign_off_on_staging ] || fail "the run is at the renamed step"
[ "$(db "select version from runs where id='$A'")" = "$(sha256sum "$WF" | cut -d' ' -f1)" ] || fail "the run is on the new version"
[ "$(db "select json_extract(data,'\$.reason')||'/'||actor||'/'||json_extract(data,'\$.from_step') from audit where run='$A' and type='migrated'")" = "the sign-off step was renamed/lead/validate_and_sign_off" ] ||
  fail "the migration is audited with who, why and from where"
run_hb resume "$A" --event signed_off --answer roll_out=done
expect_rc 0 "the migrated run resumes under the new version"
expect_out "status=succeeded step=done"
expect_err "sign_off_on_staging +wait +event" "it went on from the renamed step"

# B waits in the ask the new version removed: refused, left as it is.
ROW_B=$(db "select version||step||coalesce(wait_json,'') from runs where id='$B'")
run_hb migrate --workflow support-ops-request --to-current --apply --reason "move them all"
expect_rc 1 "a refused run fails the command"
expect_out "$B  refused: step rfc_or_change is gone from the version on disk"
[ "$(db "select version||step||coalesce(wait_json,'') from runs where id='$B'")" = "$ROW_B" ] || fail "the refused run was changed"
run_hb resume "$B" --answer rfc_or_change=rfc --answer expectations=yes
expect_rc 0 "the refused run still goes on under its own version"
expect_out "status=succeeded step=rfc_done"
expect_err "rfc_or_change +ask +rfc" "through the ask only its own version has"

# Vars the rest of the run reads and the run does not have: a new step before
# the wait sets one that the step after it reads.
run_hb run support-ops-request 'title=Another' --answer what_kind=bug --answer expectations=yes --sandbox
C=$(run_id)
sed -i 's/      local v = ctx.vars$/      local v = ctx.vars\n      assert(v.reviewer)/' "$WF"
grep -q 'assert(v.reviewer)' "$WF" || fail "the test's edit of record_sign_off applies"
run_hb migrate "$C" --to-current --map validate_and_sign_off=sign_off_on_staging
expect_rc 1
expect_out "$C  refused: the steps from sign_off_on_staging on read vars the run does not have: reviewer"

run_hb migrate
expect_rc 2 "no run named"
run_hb migrate "$A"
expect_rc 2 "--to-current is required"
run_hb migrate "$A" --to-current
expect_rc 2 "a finished run is bad input"
expect_err "only a waiting run"
run_hb migrate 01NOSUCHRUN000000000000000 --to-current
expect_rc 2
run_hb audit verify
expect_rc 0
finish
