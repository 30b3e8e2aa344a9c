/* Per-call limits: instructions, wall time and memory stop a step even when
 * the script catches errors, and the state stays usable afterwards. */
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "hb/util.h"
#include "lua_fixture.h"
#include "test_support.h"

static hbt_lua *open_with(int64_t instructions, int64_t wall_ms, size_t memory_mb)
{
    hb_lua_limits l = {instructions, wall_ms, memory_mb << 20};
    return hbt_lua_open(&l);
}

static void expect_stop(hbt_lua *t, const char *src, const char *limit_text)
{
    hbt_lua_expect_error(t, src, limit_text, NULL);
    lua_State *L = hb_lua_state(t->h);
    assert_null(lua_gethook(L));
    /* The state is still good for the next step. */
    char *out = hbt_lua_eval(t, "return 1 + 1");
    assert_non_null(out);
    assert_string_equal(out, "2");
    free(out);
}

static void limits_from_environment(void **state)
{
    (void)state;
    hbt_unsetenv("HB_STEP_INSTRUCTIONS");
    hbt_unsetenv("HB_STEP_TIMEOUT_MS");
    hbt_unsetenv("HB_LUA_MEMORY_MB");
    hb_lua_limits l;
    hb_err e;
    assert_int_equal(hb_lua_limits_from_env(&l, &e), HB_OK);
    assert_int_equal(l.instructions, 100000000);
    assert_int_equal(l.wall_ms, 30000);
    assert_int_equal(l.memory_bytes, (size_t)256 << 20);

    hbt_setenv("HB_STEP_INSTRUCTIONS", "100000000000");
    hbt_setenv("HB_STEP_TIMEOUT_MS", "300");
    hbt_setenv("HB_LUA_MEMORY_MB", "64");
    assert_int_equal(hb_lua_limits_from_env(&l, &e), HB_OK);
    assert_int_equal(l.instructions, 100000000000LL);
    assert_int_equal(l.wall_ms, 300);
    assert_int_equal(l.memory_bytes, (size_t)64 << 20);

    static const char *const bad[] = {"abc", "0", "-5", "10x", "", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hbt_setenv("HB_STEP_TIMEOUT_MS", bad[i]);
        hb_err_clear(&e);
        assert_int_equal(hb_lua_limits_from_env(&l, &e), HB_EUSAGE);
        assert_non_null(strstr(e.msg, "HB_STEP_TIMEOUT_MS"));
    }
    hbt_unsetenv("HB_STEP_TIMEOUT_MS");
    hbt_setenv("HB_LUA_MEMORY_MB", "lots");
    assert_int_equal(hb_lua_limits_from_env(&l, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "HB_LUA_MEMORY_MB"));
    hbt_unsetenv("HB_LUA_MEMORY_MB");
    hbt_unsetenv("HB_STEP_INSTRUCTIONS");

    hb_lua_limits zero = {0, 1000, 1 << 20};
    hb_lua_modules mods = {.stdlib_dir = "/nonexistent"};
    assert_null(hb_lua_new(&zero, &mods, &e));
    assert_int_equal(e.code, HB_EUSAGE);
}

static void instruction_limit(void **state)
{
    (void)state;
    hbt_lua *t = open_with(200000, 60000, 64);
    expect_stop(t, "local x = 0\nwhile true do x = x + 1 end",
                "flow.lua:2: step exceeded its instruction limit (200000 instructions; "
                "HB_STEP_INSTRUCTIONS)");
    /* pcall cannot swallow the stop, nor can an error handler that spins. */
    expect_stop(t, "while true do pcall(function() while true do end end) end",
                "step exceeded its instruction limit");
    expect_stop(t,
                "while true do xpcall(function() while true do end end, "
                "function() while true do end end) end",
                "step exceeded its instruction limit");
    /* Nor a coroutine. */
    expect_stop(t, "local co = coroutine.wrap(function() while true do end end)\nco()",
                "step exceeded its instruction limit");
    expect_stop(t,
                "while true do\n"
                "  local co = coroutine.create(function() while true do end end)\n"
                "  coroutine.resume(co)\nend",
                "step exceeded its instruction limit");
    /* A script that catches the stop and returns still fails. */
    expect_stop(t, "pcall(function() while true do end end)\nreturn 'escaped'",
                "step exceeded its instruction limit");
    hb_lua_push_last_error(t->h);
    lua_State *L = hb_lua_state(t->h);
    assert_true(lua_isnil(L, -1)); /* the follow-up `return 1 + 1` succeeded */
    lua_pop(L, 1);
    hbt_lua_close(t);
}

/* The budget is per call: three calls of 60% each all succeed. */
static void budget_resets_per_call(void **state)
{
    (void)state;
    hbt_lua *t = open_with(1000000, 60000, 64);
    for (int i = 0; i < 3; i++) {
        char *out = hbt_lua_eval(t, "local x = 0 for i = 1, 200000 do x = x + 1 end return x");
        if (!out)
            fail_msg("call %d: %s", i, t->e.msg);
        assert_string_equal(out, "200000");
        free(out);
    }
    hbt_lua_close(t);
}

/* A coroutine created in one call keeps its hook into the next one. */
static void coroutine_from_an_earlier_call(void **state)
{
    (void)state;
    hbt_lua *t = open_with(300000, 60000, 64);
    lua_State *L = hb_lua_state(t->h);
    assert_int_equal(hbt_lua_run(t, "return coroutine.create(function() coroutine.yield() "
                                    "while true do end end)"),
                     HB_OK);
    hb_lua_set_workflow_global(t->h, "co");
    expect_stop(t, "coroutine.resume(co)\ncoroutine.resume(co)",
                "step exceeded its instruction limit");
    (void)L;
    hbt_lua_close(t);
}

/* Code that Lua would run with hooks off after the stop -- a message
 * handler, the __close handlers of a coroutine the stop killed -- cannot
 * keep the step alive. */
static void no_unhooked_escape(void **state)
{
    (void)state;
    hbt_lua *t = open_with(300000, 60000, 64);
    expect_stop(t,
                "local spin = setmetatable({}, {__close = function() while true do end end})\n"
                "local x <close> = spin\nwhile true do end",
                "step exceeded its instruction limit");
    expect_stop(t,
                "coroutine.wrap(function()\n"
                "  local x <close> = setmetatable({}, {__close = function() while true do end "
                "end})\n  while true do end\nend)()",
                "step exceeded its instruction limit");
    expect_stop(t,
                "local co = coroutine.create(function()\n"
                "  local x <close> = setmetatable({}, {__close = function() while true do end "
                "end})\n  while true do end\nend)\n"
                "coroutine.resume(co)\nreturn coroutine.close(co)",
                "step exceeded its instruction limit");

    /* Killed in one call, closed in the next: refused, not run unhooked. */
    lua_State *L = hb_lua_state(t->h);
    assert_int_equal(hbt_lua_run(t, "return coroutine.create(function()\n"
                                    "  local x <close> = setmetatable({}, {__close = "
                                    "function() while true do end end})\n"
                                    "  while true do end\nend)"),
                     HB_OK);
    lua_pushvalue(L, -1);
    hb_lua_set_workflow_global(t->h, "co");
    lua_pop(L, 1);
    expect_stop(t, "coroutine.resume(co)", "step exceeded its instruction limit");
    char *out = hbt_lua_eval(t, "local ok, err = coroutine.close(co)\n"
                                "return tostring(ok) .. ': ' .. err");
    assert_non_null(out);
    assert_string_equal(out, "nil: the coroutine was stopped by a step limit");
    free(out);
    hbt_lua_close(t);
}

/* The guarded coroutine functions and xpcall behave like the library's. */
static void guarded_functions_behave(void **state)
{
    (void)state;
    hbt_lua *t = hbt_lua_open(NULL);
    static const char *const cases[][2] = {
        {"local co = coroutine.wrap(function() return xpcall(function() "
         "coroutine.yield(1) return 2 end, function(m) return 'handled ' .. m end) end)\n"
         "local a = co()\nlocal ok, b = co()\nreturn a .. tostring(ok) .. b",
         "1true2"},
        {"local co = coroutine.wrap(function() return pcall(function() coroutine.yield(1) "
         "error('late', 0) end) end)\nco()\nlocal ok, err = co()\n"
         "return tostring(ok) .. err",
         "falselate"},
        {"local ok, err = xpcall(error, function(m) return 'handled ' .. m end, 'boom', 0)\n"
         "return tostring(ok) .. ' ' .. err",
         "false handled boom"},
        {"local closed = false\n"
         "local co = coroutine.create(function()\n"
         "  local x <close> = setmetatable({}, {__close = function() closed = true end})\n"
         "  coroutine.yield()\nend)\n"
         "coroutine.resume(co)\nlocal ok = coroutine.close(co)\n"
         "return tostring(ok) .. tostring(closed)",
         "truetrue"},
        {"local closed = false\n"
         "local f = coroutine.wrap(function()\n"
         "  local x <close> = setmetatable({}, {__close = function() closed = true end})\n"
         "  error('inner', 0)\nend)\n"
         "local ok, err = pcall(f)\nreturn tostring(ok) .. err .. tostring(closed)",
         "falseinnertrue"},
        {"local f = coroutine.wrap(function() end)\nf()\n"
         "local ok, err = pcall(f)\nreturn err",
         "cannot resume dead coroutine"},
        {"local co = coroutine.create(function(a, b) return a + b end)\n"
         "local ok, v = coroutine.resume(co, 2, 3)\nreturn tostring(ok) .. v .. "
         "coroutine.status(co)",
         "true5dead"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = hbt_lua_eval(t, cases[i][0]);
        if (!out)
            fail_msg("`%s` failed: %s", cases[i][0], t->e.msg);
        if (!strstr(out, cases[i][1]))
            fail_msg("`%s` gave \"%s\", expected \"%s\"", cases[i][0], out, cases[i][1]);
        free(out);
    }
    hbt_lua_close(t);
}

/* Library loops that run in C, out of the hook's reach, are bounded. */
static void c_loops_are_bounded(void **state)
{
    (void)state;
    hbt_lua *t = open_with(1000000, 60000, 64);
    static const char *const results[][2] = {
        {"return #string.rep('', math.maxinteger)", "0"},
        {"return #(''):rep(math.maxinteger)", "0"},
        {"return #string.rep('', math.maxinteger, '')", "0"},
        {"return string.rep('ab', 3, '-')", "ab-ab-ab"},
        {"local t = {1, 2}\ntable.insert(t, 1, 0)\ntable.insert(t, 9)\n"
         "return table.concat(t, ',') .. ';' .. table.remove(t, 1) .. table.remove(t)",
         "0,1,2,9;09"},
        {"return table.concat(table.move({1, 2, 3}, 1, 3, 2), ',')", "1,1,2,3"},
    };
    for (size_t i = 0; i < sizeof results / sizeof results[0]; i++) {
        char *out = hbt_lua_eval(t, results[i][0]);
        if (!out)
            fail_msg("`%s` failed: %s", results[i][0], t->e.msg);
        assert_string_equal(out, results[i][1]);
        free(out);
    }
    hbt_lua_expect_error(t, "table.move({}, 1, math.maxinteger - 1, 2)",
                         "table.move: 9223372036854775806 elements are more than a step can "
                         "hold",
                         NULL);
    hbt_lua_expect_error(
        t,
        "local liar = setmetatable({}, {__len = function() return "
        "math.maxinteger end})\ntable.remove(liar, 1)",
        "flow.lua:2: ", "table.remove: the table claims 9223372036854775807 elements");
    hbt_lua_expect_error(t,
                         "local liar = setmetatable({}, {__len = function() return "
                         "math.maxinteger - 1 end})\ntable.insert(liar, 1, 'x')",
                         "table.insert: the table claims", NULL);
    hbt_lua_close(t);
}

static void time_limit(void **state)
{
    (void)state;
    hbt_lua *t = open_with(INT64_MAX / 4, 50, 64);
    expect_stop(t, "while true do end",
                "flow.lua:1: step exceeded its time limit (50 ms; HB_STEP_TIMEOUT_MS)");
    expect_stop(t, "while true do pcall(function() while true do end end) end",
                "step exceeded its time limit");
    hbt_lua_close(t);
}

static void memory_limit(void **state)
{
    (void)state;
    hbt_lua *t = open_with(INT64_MAX / 4, 60000, 16);
    expect_stop(t, "local s = string.rep('x', 64 * 1024 * 1024)",
                "step exceeded its memory limit (16 MiB; HB_LUA_MEMORY_MB)");
    expect_stop(t, "local s = 'x'\nwhile true do s = s .. s end", "step exceeded its memory limit");
    /* Caught by the script, the step still fails. */
    expect_stop(t, "pcall(string.rep, 'x', 1e9)\nreturn 'swallowed'",
                "step exceeded its memory limit");
    expect_stop(t,
                "local ok = pcall(function() local t = {} for i = 1, 1e9 do t[i] = i end end)\n"
                "return 'swallowed'",
                "step exceeded its memory limit");
    expect_stop(t,
                "while true do pcall(function() local t = {} for i = 1, 1e9 do t[i] = i end "
                "end) end",
                "step exceeded its memory limit");
    hbt_lua_close(t);
}

/* Garbage past the cap is not a trip: Lua collects and retries. With the
 * collector stopped the garbage reaches the cap many times over. */
static void garbage_is_not_a_trip(void **state)
{
    (void)state;
    hbt_lua *t = open_with(INT64_MAX / 4, 60000, 8);
    lua_State *L = hb_lua_state(t->h);
    lua_gc(L, LUA_GCSTOP);
    char *out = hbt_lua_eval(t, "local n = 0\n"
                                "for i = 1, 300000 do local t = {i, i, i} n = n + #t end\n"
                                "return n");
    if (!out)
        fail_msg("garbage churn failed: %s", t->e.msg);
    assert_string_equal(out, "900000");
    free(out);
    lua_gc(L, LUA_GCRESTART);
    assert_true(hb_lua_memory_used(t->h) < (size_t)8 << 20);
    hbt_lua_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(limits_from_environment),
        cmocka_unit_test(instruction_limit),
        cmocka_unit_test(budget_resets_per_call),
        cmocka_unit_test(coroutine_from_an_earlier_call),
        cmocka_unit_test(no_unhooked_escape),
        cmocka_unit_test(guarded_functions_behave),
        cmocka_unit_test(c_loops_are_bounded),
        cmocka_unit_test(time_limit),
        cmocka_unit_test(memory_limit),
        cmocka_unit_test(garbage_is_not_a_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
