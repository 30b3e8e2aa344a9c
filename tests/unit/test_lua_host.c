/* The sandbox: every escape is refused with a message that says so, the
 * allowed library works, and errors come back as file:line plus a
 * traceback. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#include "hb/util.h"
#include "lua_fixture.h"
#include "test_support.h"

static int setup(void **state)
{
    *state = hbt_lua_open(NULL);
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

static void escapes_are_refused(void **state)
{
    hbt_lua *t = *state;
    static const char *const cases[][3] = {
        {"return io.open('/etc/passwd')", "flow.lua:1: ", "undeclared global 'io'"},
        {"return os.execute('touch /tmp/hb-escaped')",
         "flow.lua:1: ", "os.execute is not available"},
        {"return os.getenv('HOME')", "flow.lua:1: ", "os.getenv is not available"},
        {"os.exit(0)", "flow.lua:1: ", "os.exit is not available"},
        {"os.remove('/tmp/x')", "os.remove is not available", NULL},
        {"return dofile('/etc/passwd')", "flow.lua:1: ", "undeclared global 'dofile'"},
        {"return loadfile('/etc/passwd')", "flow.lua:1: ", "undeclared global 'loadfile'"},
        {"return debug.getinfo(1)", "flow.lua:1: ", "undeclared global 'debug'"},
        {"return package.loaded", "flow.lua:1: ", "undeclared global 'package'"},
        {"return string.dump(print)", "flow.lua:1: ", "string.dump is not available"},
        {"return ('').dump(print)", "flow.lua:1: ", "attempt to call a nil value"},
        {"return getmetatable('').__index", "attempt to index a boolean value", NULL},
        {"setmetatable(_ENV, nil)", "flow.lua:1: ", "cannot change a protected metatable"},
        {"setmetatable(_ENV, {})", "cannot change a protected metatable", NULL},
        {"rawset(_ENV, 'sneaky', 1)", "flow.lua:1: ", "rawset cannot add globals"},
        {"local x = 1\nlocal y = undeclared_thing",
         "flow.lua:2: ", "undeclared global 'undeclared_thing'"},
        {"\n\ncounter = 1", "flow.lua:3: ", "assignment to undeclared global 'counter'"},
        {"function helper() end", "assignment to undeclared global 'helper'", NULL},
        {"collectgarbage()", "only collectgarbage(\"count\")", NULL},
        {"collectgarbage('stop')", "collectgarbage(\"stop\") is not available", NULL},
        {"return setmetatable({}, {__gc = function() end})", "__gc finalizers", NULL},
        {"return hbi", "undeclared global 'hbi'", NULL},
        {"return _G", "undeclared global '_G'", NULL},
        {"return load('return hbi')()", "undeclared global 'hbi'", NULL},
        {"return json.array(_ENV)", "metatable of its own", NULL},
        {"return setmetatable(json.decode('[]'), nil)", "protected metatable", NULL},
        {"return require('../../etc/passwd')", "is not valid", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        hbt_lua_expect_error(t, cases[i][0], cases[i][1], cases[i][2]);
}

static void metatables_reveal_nothing(void **state)
{
    hbt_lua *t = *state;
    expect_result(t, "return getmetatable(_ENV)", "false");
    expect_result(t, "return getmetatable('')", "false");
    expect_result(t, "return getmetatable(string)", "false");
    expect_result(t, "return getmetatable(os)", "false");
    expect_result(t, "return getmetatable(json.decode('{}'))", "json.object");
}

static int write_chunk(lua_State *L, const void *p, size_t n, void *ud)
{
    (void)L;
    hb_buf_append(ud, p, n);
    return 0;
}

/* Real bytecode from a plain state, handed to the sandbox as a global. */
static void set_bytecode_global(hbt_lua *t)
{
    lua_State *plain = luaL_newstate();
    assert_int_equal(luaL_loadstring(plain, "return 'from bytecode'"), LUA_OK);
    hb_buf code;
    hb_buf_init(&code);
    assert_int_equal(lua_dump(plain, write_chunk, &code, 0), 0);
    lua_close(plain);
    lua_State *L = hb_lua_state(t->h);
    lua_pushlstring(L, code.data, code.len);
    hb_lua_set_workflow_global(t->h, "chunk");
    hb_buf_free(&code);
}

static void bytecode_is_refused(void **state)
{
    hbt_lua *t = *state;
    set_bytecode_global(t);
    expect_result(t, "local f, err = load(chunk) return tostring(f) .. ': ' .. err",
                  "nil: load: bytecode is not allowed in the sandbox; load source text");
    expect_result(t, "local f, err = load(chunk, 'c', 'b') return tostring(f) .. ': ' .. err",
                  "nil: load: bytecode is not allowed in the sandbox; load source text");
    expect_result(t, "local f, err = load(chunk, 'c', 'bt', {}) return err:match('bytecode')",
                  "bytecode");
    /* A reader function cannot sneak it in piece by piece either. */
    expect_result(t,
                  "local sent = false\n"
                  "local f, err = load(function() if sent then return nil end sent = true "
                  "return chunk end, 'c', 'b')\n"
                  "return tostring(f) .. ': ' .. err",
                  "nil: attempt to load a binary chunk (mode is 't')");
}

static void allowed_library_works(void **state)
{
    hbt_lua *t = *state;
    expect_result(t,
                  "return string.format('%d-%s', 3, 'x') .. table.concat({1, 2}, ',') .. "
                  "utf8.char(233) .. math.max(1, 2) .. ('abc'):upper()",
                  "3-x1,2\xc3\xa9"
                  "2ABC");
    expect_result(t,
                  "return type(os.time()) .. type(os.clock()) .. os.date('!%Y', 0) .. "
                  "select('#', 1, 2) .. tostring(tonumber('7') + rawlen({1}))",
                  "numbernumber197028");
    expect_result(t,
                  "local co = coroutine.wrap(function(a) local b = coroutine.yield(a + 1) "
                  "return b * 2 end)\nreturn co(1) + co(10)",
                  "22");
    expect_result(t, "local ok, err = pcall(error, 'x', 0) return tostring(ok) .. err", "falsex");
    expect_result(t, "return load('return 1 + ...')(41)", "42");
    expect_result(t, "return load('return x', 'c', 't', {x = 5})()", "5");
    expect_result(t, "return type(collectgarbage('count'))", "number");
    expect_result(t, "return _VERSION", LUA_VERSION);
    expect_result(t, "local t = setmetatable({}, {__index = function() return 9 end}) return t.x",
                  "9");
}

/* A workflow that changes its string table changes only its own copy. */
static void environments_are_separate(void **state)
{
    hbt_lua *t = *state;
    hbt_lua_write(t, "stdlib/probe.lua",
                  "return { up = function(s) return string.upper(s) end,\n"
                  "         run = function(src) return load(src)() end }\n");
    expect_result(t, "string.upper = nil\nreturn require('probe').up('a')", "A");
    expect_result(t, "return require('probe').run('return type(hbi)')", "table");
    expect_result(t, "return type(string.upper)", "nil");
}

static void print_writes_to_stderr(void **state)
{
    hbt_lua *t = *state;
    char *path = hb_path_join(t->root, "stderr.txt");
    fflush(stderr);
    int saved = dup(2);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, 2);
    close(fd);
    char *out = hbt_lua_eval(t, "print('to stderr', 42, nil) return 'done'");
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    assert_non_null(out);
    free(out);
    size_t len;
    char *text = hb_read_file(path, &len, NULL);
    assert_non_null(text);
    assert_string_equal(text, "to stderr\t42\tnil\n");
    free(text);
    free(path);
}

static void syntax_error_names_file_and_line(void **state)
{
    hbt_lua *t = *state;
    assert_int_equal(hbt_lua_run(t, "local ok = 1\nlocal x = = 1\n"), HB_EUSAGE);
    char expected[1200];
    snprintf(expected, sizeof expected, "%s:2: ", t->flow);
    assert_non_null(strstr(t->e.msg, expected));
    assert_non_null(strstr(t->e.msg, "near '='"));
}

static void runtime_error_has_traceback(void **state)
{
    hbt_lua *t = *state;
    lua_State *L = hb_lua_state(t->h);
    int top = lua_gettop(L);
    assert_int_equal(hbt_lua_run(t, "local function explode()\n  error('kaboom')\nend\n"
                                    "explode()\n"),
                     HB_EFAILED);
    assert_int_equal(lua_gettop(L), top);
    char expected[1200];
    snprintf(expected, sizeof expected, "%s:2: kaboom", t->flow);
    assert_string_equal(t->e.msg, expected);
    assert_non_null(t->traceback);
    assert_non_null(strstr(t->traceback, "stack traceback:"));
    assert_non_null(strstr(t->traceback, "explode"));
    assert_non_null(strstr(t->traceback, "flow.lua:4:"));
}

static void service_error_tables(void **state)
{
    hbt_lua *t = *state;
    lua_State *L = hb_lua_state(t->h);
    assert_int_equal(hbt_lua_run(t, "local n = 5\nerror({service = 'zendesk', status = 404, "
                                    "code = 'RecordNotFound', message = 'Ticket 5 not found'})"),
                     HB_EFAILED);
    char expected[1200];
    snprintf(expected, sizeof expected, "%s:2: zendesk 404 RecordNotFound: Ticket 5 not found",
             t->flow);
    assert_string_equal(t->e.msg, expected);
    hb_lua_push_last_error(t->h);
    assert_int_equal(lua_type(L, -1), LUA_TTABLE);
    lua_getfield(L, -1, "status");
    assert_int_equal(lua_tointeger(L, -1), 404);
    lua_pop(L, 2);

    /* Raised inside the stdlib, located at the workflow's line. */
    hbt_lua_write(t, "stdlib/svc.lua",
                  "return { get = function()\n"
                  "  error({service = 'gitlab', status = 500, message = "
                  "'boom'})\nend }\n");
    assert_int_equal(hbt_lua_run(t, "local svc = require('svc')\n\nsvc.get()"), HB_EFAILED);
    snprintf(expected, sizeof expected, "%s:3: gitlab 500: boom", t->flow);
    assert_string_equal(t->e.msg, expected);

    hbt_lua_expect_error(t,
                         "error(setmetatable({}, {__tostring = function() return 'custom "
                         "failure' end}))",
                         "flow.lua:1: custom failure", NULL);
    hbt_lua_expect_error(t, "error()", "(error object is a nil value)", NULL);

    char *out = hbt_lua_eval(t, "return 1");
    free(out);
    hb_lua_push_last_error(t->h);
    assert_true(lua_isnil(L, -1));
    lua_pop(L, 1);
}

static void where_points_at_the_caller(void **state)
{
    hbt_lua *t = *state;
    hbt_lua_write(t, "stdlib/dsl.lua", "return { mark = function() return hbi.where(2) end }\n");
    char expected[1200];
    snprintf(expected, sizeof expected, "%s:3", t->flow);
    expect_result(t, "local dsl = require('dsl')\n\nlocal w = dsl.mark()\nreturn w", expected);
    /* Past the top of the stack there is nothing to name. */
    hbt_lua_write(t, "stdlib/far.lua", "return { mark = function() return hbi.where(50) end }\n");
    expect_result(t, "local w = require('far').mark()\nreturn w", "?");
}

static int answer(lua_State *L)
{
    lua_pushinteger(L, hb_lua_from_state(L) ? 42 : 0);
    return 1;
}

static void internals_and_globals(void **state)
{
    hbt_lua *t = *state;
    lua_State *L = hb_lua_state(t->h);
    hb_lua_register_internal(t->h, "answer", answer);
    hbt_lua_write(t, "stdlib/probe2.lua", "return hbi.answer()\n");
    hb_err e;
    assert_int_equal(hb_lua_require(t->h, "probe2", &e), HB_OK);
    assert_int_equal(lua_tointeger(L, -1), 42);
    lua_pop(L, 1);

    lua_pushstring(L, "hello");
    hb_lua_set_workflow_global(t->h, "greeting");
    expect_result(t, "return greeting", "hello");
    hbt_lua_expect_error(t, "return hbi.answer()", "undeclared global 'hbi'", NULL);

    hb_lua_push_stdlib_env(t->h);
    lua_getfield(L, -1, "hbi");
    assert_int_equal(lua_type(L, -1), LUA_TTABLE);
    lua_pop(L, 2);

    assert_ptr_equal(hb_lua_from_state(L), t->h);
    int marker;
    hb_lua_set_userdata(t->h, &marker);
    assert_ptr_equal(hb_lua_get_userdata(t->h), &marker);
    assert_true(hb_lua_memory_used(t->h) > 10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(escapes_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(metatables_reveal_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(bytecode_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(allowed_library_works, setup, teardown),
        cmocka_unit_test_setup_teardown(environments_are_separate, setup, teardown),
        cmocka_unit_test_setup_teardown(print_writes_to_stderr, setup, teardown),
        cmocka_unit_test_setup_teardown(syntax_error_names_file_and_line, setup, teardown),
        cmocka_unit_test_setup_teardown(runtime_error_has_traceback, setup, teardown),
        cmocka_unit_test_setup_teardown(service_error_tables, setup, teardown),
        cmocka_unit_test_setup_teardown(where_points_at_the_caller, setup, teardown),
        cmocka_unit_test_setup_teardown(internals_and_globals, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
