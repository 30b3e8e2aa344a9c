/* The domain rules of stdlib/support.lua (dates, the 24 h rule, grace
 * period, level tags, the trial-only license helper) and the workflow
 * language's own (stdlib/hb/: texts, message templates, facts, `when`
 * helpers, fragments), each checked by a Lua chunk run in the workflow
 * sandbox exactly as a workflow would require them. */
#include <stdlib.h>
#include <string.h>

#include "hb/lua_host.h"
#include "hb/workflow.h"
#include "hb/util.h"
#include "test_support.h"

/* Runs a Lua fixture in the workflow environment with the source tree's
 * stdlib; returns its status and leaves the message in e. */
static hb_status run_chunk(const char *name, const char *src, size_t len, bool stdlib, hb_err *e)
{
    hb_lua_limits limits;
    hb_status st = hb_lua_limits_from_env(&limits, e);
    if (st != HB_OK)
        return st;
    /* lib/ of the fixtures folder holds the checks the fixtures share. */
    hb_lua_modules mods = {.stdlib_dir = HB_SOURCE_DIR "/stdlib", .workflow_dir = HB_TEST_FIXTURES};
    hb_lua *h = hb_lua_new(&limits, &mods, e);
    if (!h)
        return HB_EINTERNAL;
    hb_workflow_expose_settings(h);
    st = hb_lua_load(h, name, src, len, stdlib, e);
    if (st == HB_OK)
        st = hb_lua_pcall(h, 0, 0, NULL, e);
    hb_lua_free(h);
    return st;
}

static hb_status run_fixture(const char *name, const char *src, size_t len, hb_err *e)
{
    return run_chunk(name, src, len, false, e);
}

static void fixture_holds(const char *name)
{
    hb_err e;
    size_t len;
    char *path = hb_path_join(HB_TEST_FIXTURES, name);
    char *src = hb_read_file(path, &len, &e);
    assert_non_null(src);
    hb_status st = run_fixture(name, src, len, &e);
    free(src);
    free(path);
    if (st != HB_OK)
        fail_msg("%s", e.msg);
}

static void support_rules_hold(void **state)
{
    (void)state;
    fixture_holds("support_rules.lua");
}

static void workflow_language_rules_hold(void **state)
{
    (void)state;
    fixture_holds("dsl_rules.lua");
}

/* The fixture's checks can fail: a broken rule is reported by name. */
static void a_broken_rule_is_reported(void **state)
{
    (void)state;
    static const char broken[] = "local support = require 'support'\n"
                                 "if support.more_than_24h_left('2026-11-23T10:00:00Z', "
                                 "'2026-11-22T10:00:00Z') == false then\n"
                                 "  error('24h rule: exactly 24h is not more', 0)\n"
                                 "end\n";
    hb_err e;
    assert_int_not_equal(run_fixture("broken.lua", broken, strlen(broken), &e), HB_OK);
    assert_non_null(strstr(e.msg, "exactly 24h is not more"));
}

/* hbi.setting gives the stdlib the settings flagged for it, as
 * configured, and nothing else; a workflow has no hbi at all. */
static void the_stdlib_reads_only_flagged_settings(void **state)
{
    (void)state;
    hbt_setenv("HB_SUPPORT_HOURS", "Mon-Thu 08:00-18:00 UTC");
    static const char reads[] =
        "assert(hbi.setting('HB_SUPPORT_HOURS') == 'Mon-Thu 08:00-18:00 UTC')\n"
        "for _, name in ipairs { 'HB_HOME', 'HB_LEASE_SECONDS', 'ZENDESK_API_TOKEN', 'X' } do\n"
        "  local ok, err = pcall(hbi.setting, name)\n"
        "  assert(not ok and tostring(err):find(name .. ' is not a setting the stdlib may read',\n"
        "    1, true), name .. ': ' .. tostring(err))\n"
        "end\n";
    hb_err e;
    if (run_chunk("reads.lua", reads, strlen(reads), true, &e) != HB_OK)
        fail_msg("%s", e.msg);
    hbt_unsetenv("HB_SUPPORT_HOURS");
    static const char workflow[] = "return hbi.setting('HB_SUPPORT_HOURS')\n";
    assert_int_not_equal(run_fixture("wf.lua", workflow, strlen(workflow), &e), HB_OK);
    assert_non_null(strstr(e.msg, "undeclared global 'hbi'"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(support_rules_hold),
        cmocka_unit_test(workflow_language_rules_hold),
        cmocka_unit_test(a_broken_rule_is_reported),
        cmocka_unit_test(the_stdlib_reads_only_flagged_settings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
