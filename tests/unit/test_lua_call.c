/* The call facade (hb/lua_call.h): ctx built from a run's JSON and read
 * back at a checkpoint, each typed call with what it accepts and refuses,
 * ctx.now() on the clock it was given, ctx.log through its callback, hb
 * call's operations; and every entry point leaves the Lua stack as it was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "hb/lua_call.h"
#include "hb/util.h"
#include "lua_fixture.h"
#include "test_support.h"

static const char FUNCTIONS[] =
    "return {\n"
    "  bump = function(ctx) ctx.vars.n = ctx.input.n + 1 end,\n"
    "  whoami = function(ctx) return ctx.run.id .. ' ' .. ctx.run.target .. ' ' .. ctx.now() end,\n"
    "  number = function(ctx) return 42 end,\n"
    "  table = function(ctx) return {} end,\n"
    "  truthy = function(ctx) return 0 end,\n"
    "  falsy = function(ctx) return nil end,\n"
    "  list = function(ctx) return { 'a', 2, {} } end,\n"
    "  hours = function(ctx) return '8h' end,\n"
    "  seconds = function(ctx) return 90 end,\n"
    "  fraction = function(ctx) return 1.5 end,\n"
    "  soon = function(ctx) return 'soon' end,\n"
    "  value = function(ctx) return { ids = json.array({ 1, 2 }), ok = true } end,\n"
    "  unstorable = function(ctx) return { f = print } end,\n"
    "  boom = function(ctx) error('boom') end,\n"
    "  log = function(ctx) ctx.log('two', 'words', 3) end,\n"
    "  answer = function(ctx) return math.type(ctx.answers.pick) .. ' ' .. ctx.events.w.x end,\n"
    "  spoil = function(ctx) ctx.vars.f = print end,\n"
    "  replace = function(ctx) ctx.vars = 5 end,\n"
    "}\n";

typedef struct fx {
    hbt_lua *t;
    hb_clock clock;
    hb_lua_ctx *ctx;
    char logged[256];
    hb_status log_status;
    int refs_table; /* the registry ref of the FUNCTIONS table */
} fx;

static hb_status on_log(void *ud, const char *message, hb_err *e)
{
    fx *f = ud;
    snprintf(f->logged, sizeof f->logged, "%s", message);
    if (f->log_status != HB_OK)
        return hb_err_set(e, f->log_status, "the store is locked");
    return HB_OK;
}

static int setup(void **state)
{
    fx *f = hb_xcalloc(1, sizeof *f);
    f->t = hbt_lua_open(NULL);
    hb_err e;
    assert_int_equal(hb_time_parse("2026-11-22T10:00:00Z", &f->clock.at, &e), HB_OK);
    f->clock.frozen = true;
    assert_int_equal(hbt_lua_run(f->t, FUNCTIONS), HB_OK);
    f->refs_table = luaL_ref(hb_lua_state(f->t->h), LUA_REGISTRYINDEX);
    hb_lua_ctx_init init = {.input_json = "{\"n\":41}",
                            .vars_json = "{\"kept\":\"yes\"}",
                            .answers_json = NULL,
                            .events_json = "",
                            .run_id = "01RUN",
                            .actor = "tester",
                            .target = "sandbox",
                            .workflow = "w",
                            .clock = &f->clock,
                            .log = on_log,
                            .log_ud = f};
    assert_int_equal(hb_lua_ctx_new(f->t->h, &init, &f->ctx, &e), HB_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    hb_lua_ctx_free(f->ctx);
    hbt_lua_close(f->t);
    free(f);
    return 0;
}

/* The registry reference of FUNCTIONS[name], as the workflow model keeps one. */
static int fn(fx *f, const char *name)
{
    lua_State *L = hb_lua_state(f->t->h);
    lua_rawgeti(L, LUA_REGISTRYINDEX, f->refs_table);
    lua_getfield(L, -1, name);
    int ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pop(L, 1);
    return ref;
}

static int top(fx *f)
{
    return lua_gettop(hb_lua_state(f->t->h));
}

static void ctx_is_built_from_the_run_and_read_back(void **state)
{
    fx *f = *state;
    int before = top(f);
    hb_err e;
    assert_int_equal(hb_lua_ctx_call(f->ctx, fn(f, "bump"), NULL, &e), HB_OK);
    char *vars = NULL;
    assert_int_equal(hb_lua_ctx_snapshot(f->ctx, HB_CTX_VARS, &vars, &e), HB_OK);
    assert_string_equal(vars, "{\"kept\":\"yes\",\"n\":42}");
    free(vars);
    char *text = NULL;
    assert_int_equal(hb_lua_ctx_call_string(f->ctx, fn(f, "whoami"), &text, NULL, &e), HB_OK);
    assert_string_equal(text, "01RUN sandbox 2026-11-22T10:00:00Z");
    free(text);
    /* The clock is read when ctx.now() runs: moving it moves now. */
    f->clock.at += 3600 * 1000000LL;
    assert_int_equal(hb_lua_ctx_call_string(f->ctx, fn(f, "whoami"), &text, NULL, &e), HB_OK);
    assert_string_equal(text, "01RUN sandbox 2026-11-22T11:00:00Z");
    free(text);
    assert_int_equal(top(f), before);
}

static void answers_and_events_are_set_from_json(void **state)
{
    fx *f = *state;
    int before = top(f);
    hb_err e;
    assert_int_equal(hb_lua_ctx_set(f->ctx, HB_CTX_ANSWERS, "pick", "7", &e), HB_OK);
    assert_int_equal(hb_lua_ctx_set(f->ctx, HB_CTX_EVENTS, "w", "{\"x\":\"y\"}", &e), HB_OK);
    char *text = NULL;
    assert_int_equal(hb_lua_ctx_call_string(f->ctx, fn(f, "answer"), &text, NULL, &e), HB_OK);
    assert_string_equal(text, "integer y");
    free(text);
    char *events = NULL;
    assert_int_equal(hb_lua_ctx_snapshot(f->ctx, HB_CTX_EVENTS, &events, &e), HB_OK);
    assert_string_equal(events, "{\"w\":{\"x\":\"y\"}}");
    free(events);
    assert_int_equal(hb_lua_ctx_set(f->ctx, HB_CTX_EVENTS, "w", "{oops", &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "invalid JSON"));
    assert_int_equal(top(f), before);
}

static void typed_results(void **state)
{
    fx *f = *state;
    int before = top(f);
    hb_err e;
    bool b = false;
    assert_int_equal(hb_lua_ctx_call_bool(f->ctx, fn(f, "truthy"), &b, NULL, &e), HB_OK);
    assert_true(b);
    assert_int_equal(hb_lua_ctx_call_bool(f->ctx, fn(f, "falsy"), &b, NULL, &e), HB_OK);
    assert_false(b);

    char *text = NULL;
    assert_int_equal(hb_lua_ctx_call_string(f->ctx, fn(f, "number"), &text, NULL, &e), HB_OK);
    assert_string_equal(text, "42");
    free(text);
    assert_int_equal(hb_lua_ctx_call_string(f->ctx, fn(f, "table"), &text, NULL, &e), HB_OK);
    assert_null(text);

    char **list = NULL;
    assert_int_equal(hb_lua_ctx_call_list(f->ctx, fn(f, "list"), &list, NULL, &e), HB_OK);
    assert_string_equal(list[0], "a");
    assert_string_equal(list[1], "2");
    assert_string_equal(list[2], "");
    assert_null(list[3]);
    hb_lua_list_free(list);
    assert_int_equal(hb_lua_ctx_call_list(f->ctx, fn(f, "number"), &list, NULL, &e), HB_EUSAGE);
    assert_string_equal(e.msg, "must return a list of strings");
    assert_null(list);

    int64_t us = 0;
    assert_int_equal(hb_lua_ctx_call_duration(f->ctx, fn(f, "hours"), &us, NULL, &e), HB_OK);
    assert_int_equal(us, 8 * 3600 * 1000000LL);
    assert_int_equal(hb_lua_ctx_call_duration(f->ctx, fn(f, "seconds"), &us, NULL, &e), HB_OK);
    assert_int_equal(us, 90 * 1000000LL);
    assert_int_equal(hb_lua_ctx_call_duration(f->ctx, fn(f, "fraction"), &us, NULL, &e), HB_EUSAGE);
    assert_string_equal(e.msg, "must return a duration such as \"8h\", not a number");
    assert_int_equal(hb_lua_ctx_call_duration(f->ctx, fn(f, "soon"), &us, NULL, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "'soon' is not a duration"));

    cJSON *v = NULL;
    assert_int_equal(hb_lua_ctx_call_json(f->ctx, fn(f, "value"), &v, NULL, &e), HB_OK);
    char *json = cJSON_PrintUnformatted(v);
    assert_string_equal(json, "{\"ids\":[1,2],\"ok\":true}");
    free(json);
    cJSON_Delete(v);
    assert_int_equal(hb_lua_ctx_call_json(f->ctx, fn(f, "unstorable"), &v, NULL, &e), HB_EUSAGE);
    assert_non_null(strstr(e.msg, "result.f"));
    assert_int_equal(top(f), before);
}

static void a_raise_is_a_failure_with_its_place_and_traceback(void **state)
{
    fx *f = *state;
    int before = top(f);
    hb_err e;
    char *tb = NULL;
    bool b;
    assert_int_equal(hb_lua_ctx_call_bool(f->ctx, fn(f, "boom"), &b, &tb, &e), HB_EFAILED);
    assert_non_null(strstr(e.msg, "flow.lua:15: boom"));
    assert_non_null(tb);
    assert_non_null(strstr(tb, "stack traceback"));
    free(tb);
    assert_int_equal(top(f), before);
}

static void log_goes_to_the_callback(void **state)
{
    fx *f = *state;
    hb_err e;
    assert_int_equal(hb_lua_ctx_call(f->ctx, fn(f, "log"), NULL, &e), HB_OK);
    assert_string_equal(f->logged, "two words 3");
    f->log_status = HB_EBUSY;
    assert_int_equal(hb_lua_ctx_call(f->ctx, fn(f, "log"), NULL, &e), HB_EFAILED);
    assert_non_null(strstr(e.msg, "ctx.log could not write the audit trail: the store is locked"));
}

static void a_checkpoint_refuses_what_json_cannot_hold(void **state)
{
    fx *f = *state;
    int before = top(f);
    hb_err e;
    char *json = NULL;
    assert_int_equal(hb_lua_ctx_call(f->ctx, fn(f, "spoil"), NULL, &e), HB_OK);
    assert_int_equal(hb_lua_ctx_snapshot(f->ctx, HB_CTX_VARS, &json, &e), HB_EFAILED);
    assert_non_null(strstr(e.msg, "cannot checkpoint: ctx.vars.f"));
    assert_int_equal(hb_lua_ctx_call(f->ctx, fn(f, "replace"), NULL, &e), HB_OK);
    assert_int_equal(hb_lua_ctx_snapshot(f->ctx, HB_CTX_VARS, &json, &e), HB_EFAILED);
    assert_string_equal(e.msg, "cannot checkpoint: ctx.vars must stay a table of named values");
    assert_null(json);
    assert_int_equal(top(f), before);
}

static const char SERVICE[] =
    "local failure = setmetatable({ service = 'svc', status = 404, code = 'not_found' },\n"
    "  { __tostring = function() return 'svc answered 404 not_found' end })\n"
    "return {\n"
    "  things = {\n"
    "    get = function(id, opts) return { id = id, opts = opts } end,\n"
    "    list = function()\n"
    "      local i = 0\n"
    "      return function() i = i + 1; if i <= 3 then return i end end\n"
    "    end,\n"
    "    missing = function() return nil, failure end,\n"
    "    broken = function() error('not a service error', 0) end,\n"
    "  },\n"
    "  _private = function() end,\n"
    "}\n";

static cJSON *args_of(const char *json)
{
    return cJSON_Parse(json);
}

static void operations_are_found_and_called_with_json(void **state)
{
    fx *f = *state;
    hbt_lua_write(f->t, "stdlib/svc.lua", SERVICE);
    int before = top(f);
    hb_err e;
    /* Found through the read-only view require hands out; which
     * operations exist is the C table's (test_cli_call: the listing). */
    assert_int_equal(hb_lua_operation_find(f->t->h, "svc", "things.get", &e), HB_OK);
    assert_int_equal(hb_lua_operation_find(f->t->h, "svc", "things.nope", &e), HB_EUSAGE);
    assert_string_equal(e.msg, "svc has no operation 'things.nope'");
    assert_int_equal(hb_lua_operation_find(f->t->h, "svc", "_private", &e), HB_EUSAGE);

    cJSON *args = args_of("[5, {\"deep\": true}]");
    cJSON *result = NULL, *error = NULL;
    assert_int_equal(hb_lua_operation_call(f->t->h, "svc", "things.get", args, &result, &error, &e),
                     HB_OK);
    char *text = cJSON_PrintUnformatted(result);
    assert_string_equal(text, "{\"id\":5,\"opts\":{\"deep\":true}}");
    free(text);
    cJSON_Delete(result);
    cJSON_Delete(args);

    args = args_of("[]");
    assert_int_equal(
        hb_lua_operation_call(f->t->h, "svc", "things.list", args, &result, &error, &e), HB_OK);
    text = cJSON_PrintUnformatted(result);
    assert_string_equal(text, "[1,2,3]");
    free(text);
    cJSON_Delete(result);

    assert_int_equal(
        hb_lua_operation_call(f->t->h, "svc", "things.missing", args, &result, &error, &e),
        HB_EFAILED);
    assert_null(result);
    assert_non_null(error);
    assert_string_equal(cJSON_GetObjectItem(error, "service")->valuestring, "svc");
    assert_string_equal(e.msg, "svc answered 404 not_found");
    cJSON_Delete(error);

    assert_int_equal(
        hb_lua_operation_call(f->t->h, "svc", "things.broken", args, &result, &error, &e),
        HB_EFAILED);
    assert_null(error);
    assert_string_equal(e.msg, "not a service error");
    cJSON_Delete(args);
    assert_int_equal(top(f), before);
}

/* Every test gets a fresh host and ctx. */
#define WITH_CTX(test) cmocka_unit_test_setup_teardown(test, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        WITH_CTX(ctx_is_built_from_the_run_and_read_back),
        WITH_CTX(answers_and_events_are_set_from_json),
        WITH_CTX(typed_results),
        WITH_CTX(a_raise_is_a_failure_with_its_place_and_traceback),
        WITH_CTX(log_goes_to_the_callback),
        WITH_CTX(a_checkpoint_refuses_what_json_cannot_hold),
        WITH_CTX(operations_are_found_and_called_with_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
