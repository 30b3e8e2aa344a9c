/* The ctx table a workflow's functions receive: input, vars, answers,
 * events, run, now(), log(). Built once per process per run; its vars,
 * answers and events are serialised at every checkpoint. */
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "hb/clock.h"
#include "hb/lua_json.h"
#include "hb/util.h"

static hb_exec *exec_of(lua_State *L)
{
    return hb_lua_get_userdata(hb_lua_from_state(L));
}

static int ctx_now(lua_State *L)
{
    char out[32];
    hb_time_format_seconds(hb_clock_now(), out);
    lua_pushstring(L, out);
    return 1;
}

/* ctx.log(...): the arguments joined by spaces become a note event. */
static int ctx_log(lua_State *L)
{
    hb_exec *x = exec_of(L);
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        if (i > 1)
            luaL_addchar(&b, ' ');
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    char *message = hb_xstrdup(lua_tostring(L, -1));
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "message", message);
    hb_err e;
    hb_status st = hb_exec_audit(x, "note", data, &e);
    cJSON_Delete(data);
    free(message);
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

hb_status hb_ctx_create(hb_exec *x, hb_err *e)
{
    lua_State *L = hb_lua_state(x->lua);
    lua_createtable(L, 0, 8);
    int ctx = lua_gettop(L);
    struct {
        const char *field;
        const char *json;
    } parts[] = {{"input", x->run.inputs_json},
                 {"vars", x->run.vars_json},
                 {"answers", x->run.answers_json},
                 {"events", x->run.events_json}};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        hb_status st = push_json_field(L, parts[i].json, parts[i].field, e);
        if (st != HB_OK) {
            lua_settop(L, ctx - 1);
            return st;
        }
        lua_setfield(L, ctx, parts[i].field);
    }
    lua_createtable(L, 0, 5);
    lua_pushstring(L, x->run.id);
    lua_setfield(L, -2, "id");
    lua_pushstring(L, x->actor);
    lua_setfield(L, -2, "actor");
    lua_pushstring(L, hb_run_target_name(x->run.target));
    lua_setfield(L, -2, "target");
    lua_pushboolean(L, x->run.dry_run);
    lua_setfield(L, -2, "dry_run");
    lua_pushstring(L, x->run.workflow);
    lua_setfield(L, -2, "workflow");
    lua_setfield(L, ctx, "run");
    lua_pushcfunction(L, ctx_now);
    lua_setfield(L, ctx, "now");
    lua_pushcfunction(L, ctx_log);
    lua_setfield(L, ctx, "log");
    x->ctx_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return HB_OK;
}

void hb_ctx_push(hb_exec *x)
{
    lua_rawgeti(hb_lua_state(x->lua), LUA_REGISTRYINDEX, x->ctx_ref);
}

static void set_in(hb_exec *x, const char *table, const char *step)
{
    lua_State *L = hb_lua_state(x->lua);
    hb_ctx_push(x);
    lua_getfield(L, -1, table);
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, step);
    lua_pop(L, 3);
}

void hb_ctx_set_answer(hb_exec *x, const char *step)
{
    set_in(x, "answers", step);
}

void hb_ctx_set_event(hb_exec *x, const char *step)
{
    set_in(x, "events", step);
}

static hb_status snapshot_field(hb_exec *x, const char *field, char **dst, hb_err *e)
{
    lua_State *L = hb_lua_state(x->lua);
    hb_ctx_push(x);
    lua_getfield(L, -1, field);
    hb_err inner;
    char root[32];
    snprintf(root, sizeof root, "ctx.%s", field);
    cJSON *json = hb_json_from_lua(L, -1, root, &inner);
    lua_pop(L, 2);
    if (!json)
        return hb_err_set(e, HB_EFAILED, "cannot checkpoint: %s", inner.msg);
    if (!cJSON_IsObject(json)) {
        cJSON_Delete(json);
        return hb_err_set(e, HB_EFAILED,
                          "cannot checkpoint: ctx.%s must stay a table of "
                          "named values",
                          field);
    }
    char *text = hb_json_print(json);
    cJSON_Delete(json);
    free(*dst);
    *dst = text;
    return HB_OK;
}

hb_status hb_ctx_snapshot(hb_exec *x, hb_err *e)
{
    hb_status st = snapshot_field(x, "vars", &x->run.vars_json, e);
    if (st == HB_OK)
        st = snapshot_field(x, "answers", &x->run.answers_json, e);
    if (st == HB_OK)
        st = snapshot_field(x, "events", &x->run.events_json, e);
    return st;
}

hb_status hb_ctx_call(hb_exec *x, int ref, int nresults, char **traceback, hb_err *e)
{
    lua_State *L = hb_lua_state(x->lua);
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    hb_ctx_push(x);
    return hb_lua_pcall(x->lua, 1, nresults, traceback, e);
}
