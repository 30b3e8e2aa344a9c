/* The call facade (hb/lua_call.h): the ctx table and calls of a workflow's
 * functions with it. Each entry point notes the stack top and restores it,
 * so no caller ever sees a Lua value. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "hb/lua_call.h"
#include "hb/lua_json.h"
#include "hb/util.h"

static_assert(HB_LUA_NOREF == LUA_NOREF, "HB_LUA_NOREF must be Lua's LUA_NOREF");

struct hb_lua_ctx {
    hb_lua *h;
    int ref; /* the ctx table in the registry */
    const hb_clock *clock;
    hb_status (*log)(void *ud, const char *message, hb_err *e);
    void *log_ud;
};

static const char *const TABLE_NAMES[] = {
    [HB_CTX_VARS] = "vars",
    [HB_CTX_ANSWERS] = "answers",
    [HB_CTX_EVENTS] = "events",
};

hb_status hb_lua_expose_module(hb_lua *h, const char *module, hb_err *e)
{
    hb_status st = hb_lua_require(h, module, e);
    if (st == HB_OK)
        hb_lua_set_workflow_global(h, module); /* pops the module */
    return st;
}

static hb_lua_ctx *ctx_of(lua_State *L)
{
    return lua_touserdata(L, lua_upvalueindex(1));
}

static int ctx_now(lua_State *L)
{
    char out[32];
    hb_time_format_seconds(hb_clock_time(ctx_of(L)->clock), out);
    lua_pushstring(L, out);
    return 1;
}

/* ctx.log(...): the arguments joined by spaces go to the embedder (a note
 * event in the audit trail). */
static int ctx_log(lua_State *L)
{
    hb_lua_ctx *c = ctx_of(L);
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        if (i > 1)
            luaL_addchar(&b, ' ');
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b); /* the message, owned by Lua until we return */
    hb_err e;
    hb_status st = c->log ? c->log(c->log_ud, lua_tostring(L, -1), &e) : HB_OK;
    if (st != HB_OK)
        return luaL_error(L, "ctx.log could not write the audit trail: %s", e.msg);
    return 0;
}

static hb_status push_json_field(lua_State *L, const char *json, const char *what, hb_err *e)
{
    const char *text = json && *json ? json : "{}";
    if (!hb_json_push_text(L, text, strlen(text), e))
        return hb_err_wrap(e, "the stored %s are not valid JSON", what);
    return HB_OK;
}

static void set_string(lua_State *L, const char *field, const char *value)
{
    lua_pushstring(L, value ? value : "");
    lua_setfield(L, -2, field);
}

static void set_closure(lua_State *L, hb_lua_ctx *c, const char *field, lua_CFunction fn)
{
    lua_pushlightuserdata(L, c);
    lua_pushcclosure(L, fn, 1);
    lua_setfield(L, -2, field);
}

hb_status hb_lua_ctx_new(hb_lua *h, const hb_lua_ctx_init *init, hb_lua_ctx **out, hb_err *e)
{
    *out = NULL;
    lua_State *L = hb_lua_state(h);
    int top = lua_gettop(L);
    lua_createtable(L, 0, 8); /* ctx */
    const struct {
        const char *field;
        const char *json;
    } parts[] = {{"input", init->input_json},
                 {"vars", init->vars_json},
                 {"answers", init->answers_json},
                 {"events", init->events_json}};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        hb_status st = push_json_field(L, parts[i].json, parts[i].field, e);
        if (st != HB_OK) {
            lua_settop(L, top);
            return st;
        }
        lua_setfield(L, -2, parts[i].field);
    }
    lua_createtable(L, 0, 5); /* ctx run */
    set_string(L, "id", init->run_id);
    set_string(L, "actor", init->actor);
    set_string(L, "target", init->target);
    lua_pushboolean(L, init->dry_run);
    lua_setfield(L, -2, "dry_run");
    set_string(L, "workflow", init->workflow);
    lua_setfield(L, -2, "run");
    hb_lua_ctx *c = hb_xcalloc(1, sizeof *c);
    *c = (hb_lua_ctx){.h = h, .clock = init->clock, .log = init->log, .log_ud = init->log_ud};
    set_closure(L, c, "now", ctx_now);
    set_closure(L, c, "log", ctx_log);
    c->ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_settop(L, top);
    *out = c;
    return HB_OK;
}

void hb_lua_ctx_free(hb_lua_ctx *c)
{
    if (!c)
        return;
    luaL_unref(hb_lua_state(c->h), LUA_REGISTRYINDEX, c->ref);
    free(c);
}

/* Pushes ctx.<table>. */
static void push_table(hb_lua_ctx *c, hb_lua_ctx_table t)
{
    lua_State *L = hb_lua_state(c->h);
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->ref);
    lua_getfield(L, -1, TABLE_NAMES[t]);
    lua_remove(L, -2);
}

hb_status hb_lua_ctx_set(hb_lua_ctx *c, hb_lua_ctx_table t, const char *key, const char *json,
                         hb_err *e)
{
    lua_State *L = hb_lua_state(c->h);
    int top = lua_gettop(L);
    push_table(c, t);
    if (!hb_json_push_text(L, json, strlen(json), e)) {
        lua_settop(L, top);
        return HB_EUSAGE;
    }
    lua_setfield(L, -2, key);
    lua_settop(L, top);
    return HB_OK;
}

hb_status hb_lua_ctx_snapshot(hb_lua_ctx *c, hb_lua_ctx_table t, char **json_out, hb_err *e)
{
    lua_State *L = hb_lua_state(c->h);
    int top = lua_gettop(L);
    push_table(c, t);
    char root[32];
    snprintf(root, sizeof root, "ctx.%s", TABLE_NAMES[t]);
    hb_err inner;
    cJSON *json = hb_json_from_lua(L, -1, root, &inner);
    lua_settop(L, top);
    if (!json)
        return hb_err_set(e, HB_EFAILED, "cannot checkpoint: %s", inner.msg);
    if (!cJSON_IsObject(json)) {
        cJSON_Delete(json);
        return hb_err_set(e, HB_EFAILED,
                          "cannot checkpoint: ctx.%s must stay a table of named values",
                          TABLE_NAMES[t]);
    }
    *json_out = hb_json_print(json);
    cJSON_Delete(json);
    return HB_OK;
}

/* Converts the result on top of the stack into *out. */
typedef hb_status (*convert_fn)(lua_State *L, void *out, hb_err *e);

/* fn(ctx) with nresults results, the first converted by conv (when not
 * NULL); the stack as it was, whatever happens. */
static hb_status call_as(hb_lua_ctx *c, int ref, int nresults, convert_fn conv, void *out,
                         char **traceback, hb_err *e)
{
    lua_State *L = hb_lua_state(c->h);
    int top = lua_gettop(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->ref);
    hb_status st = hb_lua_pcall(c->h, 1, nresults, traceback, e);
    if (st == HB_OK && conv)
        st = conv(L, out, e);
    lua_settop(L, top);
    return st;
}

static hb_status to_bool(lua_State *L, void *out, hb_err *e)
{
    (void)e;
    *(bool *)out = lua_toboolean(L, -1);
    return HB_OK;
}

static hb_status to_string(lua_State *L, void *out, hb_err *e)
{
    (void)e;
    *(char **)out = lua_isstring(L, -1) ? hb_xstrdup(lua_tostring(L, -1)) : NULL;
    return HB_OK;
}

static hb_status to_list(lua_State *L, void *out, hb_err *e)
{
    if (!lua_istable(L, -1))
        return hb_err_set(e, HB_EUSAGE, "must return a list of strings");
    hb_lua_push_unfrozen(L, -1); /* a stdlib list (support.level_order) is a view */
    lua_replace(L, -2);
    size_t n = lua_rawlen(L, -1);
    char **list = hb_xcalloc(n + 1, sizeof *list);
    for (size_t k = 0; k < n; k++) {
        lua_rawgeti(L, -1, (lua_Integer)k + 1);
        const char *v = lua_tostring(L, -1);
        list[k] = hb_xstrdup(v ? v : "");
        lua_pop(L, 1);
    }
    *(char ***)out = list;
    return HB_OK;
}

static hb_status to_duration(lua_State *L, void *out, hb_err *e)
{
    if (lua_isinteger(L, -1)) {
        *(int64_t *)out = lua_tointeger(L, -1) * 1000000;
        return HB_OK;
    }
    if (lua_type(L, -1) == LUA_TSTRING)
        return hb_duration_parse(lua_tostring(L, -1), out, e);
    return hb_err_set(e, HB_EUSAGE, "must return a duration such as \"8h\", not a %s",
                      luaL_typename(L, -1));
}

static hb_status to_json(lua_State *L, void *out, hb_err *e)
{
    cJSON *v = hb_json_from_lua(L, -1, "result", e); /* e names the path of the bad value */
    *(cJSON **)out = v;
    return v ? HB_OK : (e->code = HB_EUSAGE);
}

hb_status hb_lua_ctx_call(hb_lua_ctx *c, int ref, char **traceback, hb_err *e)
{
    return call_as(c, ref, 0, NULL, NULL, traceback, e);
}

hb_status hb_lua_ctx_call_bool(hb_lua_ctx *c, int ref, bool *out, char **traceback, hb_err *e)
{
    return call_as(c, ref, 1, to_bool, out, traceback, e);
}

hb_status hb_lua_ctx_call_string(hb_lua_ctx *c, int ref, char **out, char **traceback, hb_err *e)
{
    *out = NULL;
    return call_as(c, ref, 1, to_string, out, traceback, e);
}

hb_status hb_lua_ctx_call_list(hb_lua_ctx *c, int ref, char ***out, char **traceback, hb_err *e)
{
    *out = NULL;
    return call_as(c, ref, 1, to_list, out, traceback, e);
}

hb_status hb_lua_ctx_call_duration(hb_lua_ctx *c, int ref, int64_t *us_out, char **traceback,
                                   hb_err *e)
{
    return call_as(c, ref, 1, to_duration, us_out, traceback, e);
}

hb_status hb_lua_ctx_call_json(hb_lua_ctx *c, int ref, cJSON **out, char **traceback, hb_err *e)
{
    *out = NULL;
    return call_as(c, ref, 1, to_json, out, traceback, e);
}

void hb_lua_list_free(char **list)
{
    for (size_t k = 0; list && list[k]; k++)
        free(list[k]);
    free(list);
}
