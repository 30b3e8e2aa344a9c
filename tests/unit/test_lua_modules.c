/* require: stdlib first, then the workflow's lib/; each environment sees
 * what it should; modules load once; the engine's pinning hooks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "hb/util.h"
#include "lua_fixture.h"
#include "test_support.h"

static int setup(void **state)
{
    hbt_lua *t = hbt_lua_open(NULL);
    hbt_lua_write(t, "stdlib/util/greet.lua",
                  "local name, path = ...\n"
                  "return { hello = function(who) return 'hi ' .. who end,\n"
                  "         sees_hbi = type(rawget(_ENV, 'hbi')), name = name, path = path }\n");
    hbt_lua_write(t, "wf/lib/helpers.lua",
                  "local name, path = ...\n"
                  "return { sees_hbi = type(rawget(_ENV, 'hbi')), name = name, path = path }\n");
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    hbt_lua_close(*state);
    return 0;
}

static void expect_result(hbt_lua *t, const char *src, const char *expected)
{
    char *out = hbt_lua_eval(t, src);
    if (!out)
        fail_msg("`%s` failed: %s", src, t->e.msg);
    if (strcmp(out, expected) != 0)
        fail_msg("`%s` gave \"%s\", expected \"%s\"", src, out, expected);
    free(out);
}

static void stdlib_and_lib_environments(void **state)
{
    hbt_lua *t = *state;
    expect_result(t, "return require('util.greet').hello('ops')", "hi ops");
    expect_result(t, "return require('util.greet').sees_hbi", "table");
    expect_result(t, "return require('helpers').sees_hbi", "nil");
    expect_result(t, "return require('helpers').name", "helpers");
    char expected[1200];
    snprintf(expected, sizeof expected, "%s/lib/helpers.lua", t->wfdir);
    expect_result(t, "return require('helpers').path", expected);
    /* A lib module that reaches for hbi gets the guard's error. */
    hbt_lua_write(t, "wf/lib/sneaky.lua", "return hbi.where(1)\n");
    hbt_lua_expect_error(t, "return require('sneaky')",
                         "sneaky.lua:1: ", "undeclared global 'hbi'");
}

static void loaded_once_per_state(void **state)
{
    hbt_lua *t = *state;
    expect_result(t, "return require('helpers') == require('helpers')", "true");
    expect_result(t, "return require('helpers') == require('helpers')", "true");
    assert_int_equal(t->loads, 1);
    assert_string_equal(t->loaded_module, "helpers");
    char expected[1200];
    snprintf(expected, sizeof expected, "%s/lib/helpers.lua", t->wfdir);
    assert_string_equal(t->loaded_path, expected);
    /* A module returning nothing is cached as true. */
    hbt_lua_write(t, "wf/lib/quiet.lua", "local x = 1\n");
    expect_result(t, "return require('quiet')", "true");
    expect_result(t, "return require('quiet')", "true");
    assert_int_equal(t->loads, 2);
}

static void stdlib_wins_over_lib(void **state)
{
    hbt_lua *t = *state;
    hbt_lua_write(t, "stdlib/same.lua", "return 'stdlib'\n");
    hbt_lua_write(t, "wf/lib/same.lua", "return 'lib'\n");
    expect_result(t, "return require('same')", "stdlib");
}

static void missing_and_invalid_names(void **state)
{
    hbt_lua *t = *state;
    char expected[3000];
    snprintf(expected, sizeof expected,
             "%s:2: module 'nope.missing' not found (looked in: %s/nope/missing.lua, "
             "%s/lib/nope/missing.lua)",
             t->flow, t->stdlib, t->wfdir);
    assert_int_equal(hbt_lua_run(t, "local x = 1\nlocal m = require('nope.missing')"), HB_EFAILED);
    assert_string_equal(t->e.msg, expected);

    static const char *const bad[] = {"'../secret'", "'a..b'", "''", "'.a'", "'a/b'", "'a\\0b'"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char src[64];
        snprintf(src, sizeof src, "return require(%s)", bad[i]);
        hbt_lua_expect_error(t, src, "is not valid", NULL);
    }
    hbt_lua_expect_error(t, "return require({})", "bad argument #1 to 'require'", NULL);
}

static void cycles_and_failures(void **state)
{
    hbt_lua *t = *state;
    hbt_lua_write(t, "stdlib/ring/a.lua", "return { b = require('ring.b') }\n");
    hbt_lua_write(t, "stdlib/ring/b.lua", "return { a = require('ring.a') }\n");
    hbt_lua_expect_error(t, "return require('ring.a')",
                         "module 'ring.a' requires itself (directly or through other modules)",
                         "b.lua:1: ");

    /* A module that failed is tried again by the next require. */
    hbt_lua_write(t, "wf/lib/boom.lua", "error('boom at load', 0)\n");
    int loads_before = t->loads;
    expect_result(t,
                  "local ok1, e1 = pcall(require, 'boom')\n"
                  "local ok2, e2 = pcall(require, 'boom')\n"
                  "return tostring(ok1) .. tostring(ok2) .. ' ' .. e2",
                  "falsefalse boom at load");
    assert_int_equal(t->loads, loads_before + 2);

    hbt_lua_write(t, "wf/lib/broken.lua", "local = 1\n");
    char expected[1200];
    snprintf(expected, sizeof expected, "%s/lib/broken.lua:1: ", t->wfdir);
    hbt_lua_expect_error(t, "return require('broken')", expected, NULL);
}

static void lookup_serves_pinned_text(void **state)
{
    hbt_lua *t = *state;
    hbt_lua_write(t, "stdlib/pinned/mod.lua", "return { env = 'from the file' }\n");
    t->pinned_module = "pinned.mod";
    t->pinned_text = "return { env = type(rawget(_ENV, 'hbi')) }\n";
    t->pinned_stdlib = true;
    expect_result(t, "return require('pinned.mod').env", "table");
    assert_int_equal(t->loads, 0);
    assert_true(t->lookups >= 1);

    /* Served as a lib module, it runs in the workflow environment. */
    t->pinned_module = "pinned.lib";
    t->pinned_stdlib = false;
    expect_result(t, "return require('pinned.lib').env", "nil");

    /* Errors in served text name the path the module would have had. */
    t->pinned_module = "pinned.bad";
    t->pinned_text = "\nerror('pinned failure')\n";
    t->pinned_stdlib = true;
    char expected[1200];
    snprintf(expected, sizeof expected, "%s/pinned/bad.lua:2: pinned failure", t->stdlib);
    hbt_lua_expect_error(t, "return require('pinned.bad')", expected, NULL);
}

static void hook_errors_become_lua_errors(void **state)
{
    hbt_lua *t = *state;
    t->lookup_status = HB_EINTERNAL;
    hbt_lua_expect_error(t, "local m = require('helpers')",
                         "flow.lua:1: ", "the pinned sources are unreadable");
    t->lookup_status = HB_EUSAGE;

    t->loaded_status = HB_EINTERNAL;
    hbt_lua_expect_error(t, "local m = require('helpers')", "cannot pin module 'helpers'", NULL);
    t->loaded_status = HB_OK;
    expect_result(t, "return require('helpers').name", "helpers");
}

/* A stdlib module is one table shared by everyone who requires it: the
 * workflow gets a read-only view, nested tables included, that reads,
 * iterates and converts like the module itself. */
static void stdlib_modules_are_read_only(void **state)
{
    hbt_lua *t = *state;
    hbt_lua_write(t, "stdlib/shared.lua",
                  "local M = { levels = { premium = 'Premium' }, order = { 'a', 'b', 'c' } }\n"
                  "function M.level(k) return M.levels[k] end\n"
                  "return M\n");
    static const char *const writes[] = {
        "require('shared').level = function() return 'Bronze' end",
        "require('shared').levels.premium = 'Bronze'",
        "require('shared').order[4] = 'd'",
        "rawset(require('shared').levels, 'premium', 'Bronze')",
        "table.insert(require('shared').order, 'd')",
        "setmetatable(require('shared'), nil)",
    };
    for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
        char *src = hb_xasprintf("local ok, err = pcall(function() %s end)\n"
                                 "return tostring(ok) .. ' ' .. require('shared').level('premium')",
                                 writes[i]);
        char *out = hbt_lua_eval(t, src);
        if (!out || !hb_str_starts_with(out, "false Premium"))
            fail_msg("`%s` was allowed or broke the module: %s", writes[i], out ? out : t->e.msg);
        free(out);
        free(src);
    }
    hbt_lua_expect_error(t, "require('shared').levels.premium = 1", "shared.levels.premium",
                         "read-only");
    expect_result(t,
                  "local m = require('shared')\n"
                  "local n, s = 0, ''\n"
                  "for k, v in pairs(m.levels) do n = n + 1 s = s .. k .. '=' .. v end\n"
                  "for _, v in ipairs(m.order) do s = s .. v end\n"
                  "return n .. s .. #m.order .. table.concat(m.order, ',') .. "
                  "tostring(m.levels == require('shared').levels) .. json.encode(m.levels)",
                  "1premium=Premiumabc3a,b,ctrue{\"premium\":\"Premium\"}");
    expect_result(t, "return tostring(getmetatable(require('shared')))", "false");
}

/* The modules the bindings are built on are theirs, not the workflow's. */
static void internal_modules_are_not_the_workflows(void **state)
{
    hbt_lua *t = *state;
    hbt_lua_write(t, "stdlib/hb/plumbing.lua", "return { secret_door = true }\n");
    hbt_lua_write(t, "stdlib/uses_plumbing.lua",
                  "local p = require 'hb.plumbing'\nreturn { door = p.secret_door }\n");
    hbt_lua_expect_error(t, "return require('hb.plumbing')", "module 'hb.plumbing' is internal",
                         NULL);
    hbt_lua_expect_error(t, "return pcall(require, 'hb.plumbing') and 'reached' or error('no')",
                         "no", NULL);
    hbt_lua_expect_error(t, "local r = require return (function() return r('hb') end)()",
                         "module 'hb' is internal", NULL);
    /* The stdlib may, and the workflow gets what the stdlib exports. */
    expect_result(t, "return tostring(require('uses_plumbing').door)", "true");
    hbt_lua_write(t, "wf/lib/mine.lua", "return require('hb.plumbing')\n");
    hbt_lua_expect_error(t, "return require('mine')", "internal", NULL);
    /* The workflow language is public, read-only like any stdlib module;
     * the transport, and any hb.* module not named public, is not. */
    hbt_lua_write(t, "stdlib/hb/when.lua", "return { is = function(a, b) return a == b end }\n");
    hbt_lua_write(t, "stdlib/hb/when/deeper.lua", "return {}\n");
    hbt_lua_write(t, "stdlib/hb/service.lua", "return { call = function() end }\n");
    expect_result(t, "return tostring(require('hb.when').is(1, 1))", "true");
    hbt_lua_expect_error(t, "require('hb.when').is = nil", "hb.when.is cannot be assigned",
                         "read-only");
    hbt_lua_expect_error(t, "return require('hb.service')", "module 'hb.service' is internal",
                         NULL);
    hbt_lua_expect_error(t, "return require('hb.when.deeper')",
                         "module 'hb.when.deeper' is internal", NULL);
}

static void require_from_c(void **state)
{
    hbt_lua *t = *state;
    lua_State *L = hb_lua_state(t->h);
    int top = lua_gettop(L);
    hb_err e;
    assert_int_equal(hb_lua_require(t->h, "util.greet", &e), HB_OK);
    assert_int_equal(lua_type(L, -1), LUA_TTABLE);
    lua_getfield(L, -1, "name");
    assert_string_equal(lua_tostring(L, -1), "util.greet");
    lua_settop(L, top);

    assert_int_equal(hb_lua_require(t->h, "not.there", &e), HB_EFAILED);
    assert_int_equal(lua_gettop(L), top);
    assert_true(hb_str_starts_with(e.msg, "module 'not.there' not found (looked in: "));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(stdlib_and_lib_environments, setup, teardown),
        cmocka_unit_test_setup_teardown(loaded_once_per_state, setup, teardown),
        cmocka_unit_test_setup_teardown(stdlib_wins_over_lib, setup, teardown),
        cmocka_unit_test_setup_teardown(missing_and_invalid_names, setup, teardown),
        cmocka_unit_test_setup_teardown(cycles_and_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(lookup_serves_pinned_text, setup, teardown),
        cmocka_unit_test_setup_teardown(hook_errors_become_lua_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(stdlib_modules_are_read_only, setup, teardown),
        cmocka_unit_test_setup_teardown(internal_modules_are_not_the_workflows, setup, teardown),
        cmocka_unit_test_setup_teardown(require_from_c, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
