/* JSON <-> Lua: [] and {} survive, integers stay integers, 2^53 and
 * beyond are refused, null has a sentinel, and the paths of values that
 * cannot be stored are named. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <lauxlib.h>

#include "hb/lua_json.h"
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

/* text -> Lua -> text */
static char *round_trip(lua_State *L, const char *text)
{
    hb_err e;
    if (!hb_json_push_text(L, text, strlen(text), &e))
        fail_msg("cannot read %s: %s", text, e.msg);
    cJSON *json = hb_json_from_lua(L, -1, "value", &e);
    lua_pop(L, 1);
    if (!json)
        fail_msg("cannot write %s back: %s", text, e.msg);
    char *out = hb_json_print(json);
    cJSON_Delete(json);
    return out;
}

static void expect_round_trip(lua_State *L, const char *text, const char *expected)
{
    char *out = round_trip(L, text);
    if (strcmp(out, expected) != 0)
        fail_msg("%s came back as %s, expected %s", text, out, expected);
    free(out);
}

static void arrays_and_objects_survive(void **state)
{
    hbt_lua *t = *state;
    lua_State *L = hb_lua_state(t->h);
    int top = lua_gettop(L);
    expect_round_trip(L, "[]", "[]");
    expect_round_trip(L, "{}", "{}");
    expect_round_trip(L, "{\"a\":[],\"b\":{}}", "{\"a\":[],\"b\":{}}");
    expect_round_trip(L, " {\"z\":1,\"a\":[1,[2,[3,{}]]],\"m\":{\"y\":true,\"x\":false}} ",
                      "{\"a\":[1,[2,[3,{}]]],\"m\":{\"x\":false,\"y\":true},\"z\":1}");
    expect_round_trip(L, "[null,{\"k\":null}]", "[null,{\"k\":null}]");
    assert_int_equal(lua_gettop(L), top);
}

static void integers_stay_integers(void **state)
{
    hbt_lua *t = *state;
    lua_State *L = hb_lua_state(t->h);
    hb_err e;
    const char *text = "{\"id\":123,\"ratio\":1.5,\"neg\":-7,\"big\":9007199254740991}";
    assert_int_equal(hb_json_push_text(L, text, strlen(text), &e), 1);
    lua_getfield(L, -1, "id");
    assert_true(lua_isinteger(L, -1));
    assert_string_equal(lua_tostring(L, -1), "123");
    lua_getfield(L, -2, "ratio");
    assert_false(lua_isinteger(L, -1));
    assert_true(lua_tonumber(L, -1) == 1.5);
    lua_getfield(L, -3, "neg");
    assert_int_equal(lua_tointeger(L, -1), -7);
    lua_getfield(L, -4, "big");
    assert_true(lua_isinteger(L, -1));
    assert_int_equal(lua_tointeger(L, -1), 9007199254740991LL);
    lua_pop(L, 5);
    expect_round_trip(L, text, "{\"big\":9007199254740991,\"id\":123,\"neg\":-7,\"ratio\":1.5}");
}

static void beyond_2_53_is_refused(void **state)
{
    hbt_lua *t = *state;
    lua_State *L = hb_lua_state(t->h);
    int top = lua_gettop(L);
    hb_err e;
    static const char *const texts[] = {"9007199254740993", "[9007199254740992]",
                                        "{\"id\":-9007199254740993}", "1e300"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        hb_err_clear(&e);
        assert_int_equal(hb_json_push_text(L, texts[i], strlen(texts[i]), &e), 0);
        assert_int_equal(e.code, HB_EUSAGE);
        assert_non_null(strstr(e.msg, "cannot be represented exactly (beyond 2^53)"));
        assert_int_equal(lua_gettop(L), top);
    }
    lua_pushinteger(L, 9007199254740993LL);
    assert_null(hb_json_from_lua(L, -1, "vars.id", &e));
    assert_string_equal(e.msg, "vars.id: integer 9007199254740993 cannot be represented exactly "
                               "(beyond 2^53)");
    lua_pop(L, 1);
    lua_pushnumber(L, 1e20);
    assert_null(hb_json_from_lua(L, -1, "vars.x", &e));
    assert_non_null(strstr(e.msg, "beyond 2^53"));
    lua_pop(L, 1);
    lua_pushnumber(L, 0.0 / 0.0);
    assert_null(hb_json_from_lua(L, -1, "vars.x", &e));
    assert_non_null(strstr(e.msg, "NaN"));
    lua_pop(L, 1);
}

static void null_sentinel(void **state)
{
    hbt_lua *t = *state;
    lua_State *L = hb_lua_state(t->h);
    hb_err e;
    const char *text = "{\"gone\":null}";
    assert_int_equal(hb_json_push_text(L, text, strlen(text), &e), 1);
    lua_getfield(L, -1, "gone");
    hb_json_push_null(L);
    assert_true(lua_rawequal(L, -1, -2));
    lua_pop(L, 3);
    lua_pushnil(L);
    cJSON *json = hb_json_from_lua(L, -1, "value", &e);
    assert_true(cJSON_IsNull(json));
    cJSON_Delete(json);
    lua_pop(L, 1);
}

static void unicode_strings(void **state)
{
    hbt_lua *t = *state;
    lua_State *L = hb_lua_state(t->h);
    hb_err e;
    const char *text = "[\"h\\u00e9llo \\u65e5\\u672c \\ud83d\\ude00\", \"caf\xc3\xa9\"]";
    assert_int_equal(hb_json_push_text(L, text, strlen(text), &e), 1);
    lua_rawgeti(L, -1, 1);
    assert_string_equal(lua_tostring(L, -1),
                        "h\xc3\xa9llo \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80");
    lua_pop(L, 2);
    expect_round_trip(
        L, text, "[\"h\xc3\xa9llo \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80\",\"caf\xc3\xa9\"]");
    lua_pushstring(L, "bad \xff byte");
    assert_null(hb_json_from_lua(L, -1, "vars.note", &e));
    assert_string_equal(e.msg,
                        "vars.note: a string that is not valid UTF-8 cannot be stored as JSON");
    lua_pop(L, 1);
    lua_pushstring(L, "cut \xe6\x97");
    assert_null(hb_json_from_lua(L, -1, "vars.note", &e));
    lua_pop(L, 1);
}

/* Runs src (which returns one table) and converts it with root "vars";
 * the message is left in t->e. */
static void expect_from_lua_error(hbt_lua *t, const char *src, const char *expected)
{
    lua_State *L = hb_lua_state(t->h);
    if (hbt_lua_run(t, src) != HB_OK)
        fail_msg("`%s` failed: %s", src, t->e.msg);
    cJSON *json = hb_json_from_lua(L, -1, "vars", &t->e);
    lua_pop(L, 1);
    if (json)
        fail_msg("`%s` converted to %s", src, hb_json_print(json));
    if (expected && strcmp(t->e.msg, expected) != 0)
        fail_msg("`%s`: \"%s\", expected \"%s\"", src, t->e.msg, expected);
}

static void from_lua_names_the_path(void **state)
{
    hbt_lua *t = *state;
    expect_from_lua_error(t, "return { customer = { tags = { 'a', 'b', print } } }",
                          "vars.customer.tags[3]: a function cannot be stored as JSON");
    expect_from_lua_error(t, "return { list = { 1, 2, x = 3 } }",
                          "vars.list: a table mixing list items and named keys cannot be "
                          "stored as JSON");
    expect_from_lua_error(t, "local t = { a = {} }\nt.a.back = t\nreturn t",
                          "vars.a.back: a table that contains itself cannot be stored as JSON");
    expect_from_lua_error(t, "return { holes = { 1, nil, 3 } }",
                          "vars.holes: a list with holes cannot be stored as JSON (2 items, "
                          "but index 3)");
    expect_from_lua_error(t, "return { [true] = 1 }",
                          "vars: a table with a boolean key cannot be stored as JSON (keys "
                          "must be strings, or 1..n for a list)");
    expect_from_lua_error(t, "return { ['odd key'] = { co = coroutine.create(print) } }",
                          "vars[\"odd key\"].co: a thread cannot be stored as JSON");
    expect_from_lua_error(t, "return json.array({ x = 1 })",
                          "vars: a table mixing list items and named keys cannot be stored as "
                          "JSON");
    expect_from_lua_error(t, "return json.object({ 1 })",
                          "vars: a table marked json.object has number keys, which JSON "
                          "objects cannot");
    expect_from_lua_error(t,
                          "local t = {}\nlocal cur = t\nfor i = 1, 250 do cur[1] = {} "
                          "cur = cur[1] end\nreturn t",
                          NULL);
    assert_true(hb_str_starts_with(t->e.msg, "vars[1][1][1]"));
    assert_true(hb_str_ends_with(t->e.msg, ": tables nested deeper than 200 levels cannot be "
                                           "stored as JSON"));
    /* A shared (not circular) table is fine, and so is a foreign metatable. */
    char *out = hbt_lua_eval(t, "local shared = { 1 }\n"
                                "return json.encode({ a = shared, b = shared, "
                                "c = setmetatable({ k = 'v' }, { __index = print }) })");
    assert_non_null(out);
    assert_string_equal(out, "{\"a\":[1],\"b\":[1],\"c\":{\"k\":\"v\"}}");
    free(out);
}

static void deep_text_is_refused(void **state)
{
    hbt_lua *t = *state;
    lua_State *L = hb_lua_state(t->h);
    hb_buf b;
    hb_buf_init(&b);
    for (int i = 0; i < 300; i++)
        hb_buf_putc(&b, '[');
    for (int i = 0; i < 300; i++)
        hb_buf_putc(&b, ']');
    hb_err e;
    assert_int_equal(hb_json_push_text(L, b.data, b.len, &e), 0);
    assert_non_null(strstr(e.msg, "nested deeper than 200 levels"));
    hb_buf_free(&b);
}

static void bad_text_names_the_position(void **state)
{
    hbt_lua *t = *state;
    lua_State *L = hb_lua_state(t->h);
    int top = lua_gettop(L);
    hb_err e;
    const char *text = "{\n  \"a\": 1,\n  \"b\": ]\n}";
    assert_int_equal(hb_json_push_text(L, text, strlen(text), &e), 0);
    assert_int_equal(e.code, HB_EUSAGE);
    assert_string_equal(e.msg, "invalid JSON at line 3, column 8 (byte 20)");
    assert_int_equal(hb_json_push_text(L, "[1] x", 5, &e), 0);
    assert_string_equal(e.msg, "unexpected text after the JSON value at line 1, column 5 (byte 5)");
    assert_int_equal(hb_json_push_text(L, "", 0, &e), 0);
    /* Only len bytes are read: the rest of the buffer is not part of it. */
    assert_int_equal(hb_json_push_text(L, "[1]garbage", 3, &e), 1);
    lua_pop(L, 1);
    assert_int_equal(lua_gettop(L), top);
}

static void json_library_from_lua(void **state)
{
    hbt_lua *t = *state;
    static const char *const cases[][2] = {
        {"return json.encode({ b = 1, a = { json.null, true, 'x', 1.5 } })",
         "{\"a\":[null,true,\"x\",1.5],\"b\":1}"},
        {"return json.encode(json.decode('{\"x\":[],\"y\":{}}'))", "{\"x\":[],\"y\":{}}"},
        {"return json.encode({})", "{}"},
        {"return json.encode(json.array())", "[]"},
        {"return json.encode(json.array({}))", "[]"},
        {"return json.encode(json.object())", "{}"},
        {"return json.encode('quote \" and \\n')", "\"quote \\\" and \\n\""},
        {"return math.type(json.decode('{\"id\":123}').id)", "integer"},
        {"return math.type(json.decode('1.5'))", "float"},
        {"return json.decode('[null]')[1] == json.null", "true"},
        {"return getmetatable(json.decode('[]'))", "json.array"},
        {"return getmetatable(json.array({ 1 }))", "json.array"},
        {"local t = json.array({}) json.object(t) return json.encode(t)", "{}"},
        {"return #json.decode('[1,2,3]')", "3"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = hbt_lua_eval(t, cases[i][0]);
        if (!out)
            fail_msg("`%s` failed: %s", cases[i][0], t->e.msg);
        if (strcmp(out, cases[i][1]) != 0)
            fail_msg("`%s` gave %s, expected %s", cases[i][0], out, cases[i][1]);
        free(out);
    }
    hbt_lua_expect_error(t, "return json.decode('{\"a\":')",
                         "flow.lua:1: json.decode: ", "invalid JSON at line 1, column 5");
    hbt_lua_expect_error(t, "return json.decode('[9007199254740993]')",
                         "json.decode: ", "beyond 2^53");
    hbt_lua_expect_error(t, "return json.encode({ f = print })",
                         "json.encode: value.f: a function cannot be stored as JSON", NULL);
    hbt_lua_expect_error(t, "return json.encode(math.maxinteger)", "beyond 2^53", NULL);
    hbt_lua_expect_error(t, "return json.array(setmetatable({}, {}))",
                         "json.array: the table already has a metatable of its own", NULL);
    hbt_lua_expect_error(t, "return json.decode()", "bad argument #1 to 'decode'", NULL);
}

/* Numbers print exactly (cJSON's printer would round the first one) and
 * strings escape what JSON requires. */
static void printing_is_exact(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"[9007199254740991,-9007199254740991,1234567890123456]",
         "[9007199254740991,-9007199254740991,1234567890123456]"},
        {"[0.1,1.5,-2.25,1e-7,1.7976931348623157e308,5e-324]",
         "[0.1,1.5,-2.25,1e-07,1.7976931348623157e+308,4.94065645841247e-324]"},
        {"[-0,0,1e20]", "[0,0,1e+20]"},
        {"\"tab\\t nl\\n quote\\\" back\\\\ ctl\\u0001 \u00e9\"",
         "\"tab\\t nl\\n quote\\\" back\\\\ ctl\\u0001 \u00e9\""},
        {"{\"b\":null,\"a\":[true,false,{}]}", "{\"b\":null,\"a\":[true,false,{}]}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *tree = cJSON_Parse(cases[i][0]);
        assert_non_null(tree);
        char *out = hb_json_print(tree);
        cJSON_Delete(tree);
        if (strcmp(out, cases[i][1]) != 0)
            fail_msg("%s printed as %s, expected %s", cases[i][0], out, cases[i][1]);
        /* and it reads back to the same text */
        tree = cJSON_Parse(out);
        char *again = hb_json_print(tree);
        assert_string_equal(again, out);
        cJSON_Delete(tree);
        free(again);
        free(out);
    }
}

/* The library works on its own too (services convert without a host). */
static void plain_state(void **state)
{
    (void)state;
    lua_State *L = luaL_newstate();
    hb_luaopen_json(L);
    lua_getfield(L, -1, "decode");
    lua_pushstring(L, "{\"n\":[1,2]}");
    assert_int_equal(lua_pcall(L, 1, 1, 0), LUA_OK);
    hb_err e;
    cJSON *json = hb_json_from_lua(L, -1, NULL, &e);
    char *text = hb_json_print(json);
    assert_string_equal(text, "{\"n\":[1,2]}");
    free(text);
    cJSON_Delete(json);

    cJSON *tree = cJSON_Parse("{\"deep\":[true]}");
    hb_json_push(L, tree);
    cJSON_Delete(tree);
    lua_getfield(L, -1, "deep");
    lua_rawgeti(L, -1, 1);
    assert_true(lua_toboolean(L, -1));
    lua_close(L);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(arrays_and_objects_survive, setup, teardown),
        cmocka_unit_test_setup_teardown(integers_stay_integers, setup, teardown),
        cmocka_unit_test_setup_teardown(beyond_2_53_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(null_sentinel, setup, teardown),
        cmocka_unit_test_setup_teardown(unicode_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(from_lua_names_the_path, setup, teardown),
        cmocka_unit_test_setup_teardown(deep_text_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_text_names_the_position, setup, teardown),
        cmocka_unit_test_setup_teardown(json_library_from_lua, setup, teardown),
        cmocka_unit_test(printing_is_exact),
        cmocka_unit_test(plain_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
