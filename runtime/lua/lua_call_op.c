/* hb call's side of the call facade (hb/lua_call.h): finding one operation
 * of a service's stdlib module and calling it with JSON arguments. */
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "hb/lua_call.h"
#include "hb/lua_json.h"
#include "hb/util.h"

/* Runs the operation in the stdlib environment. A list operation returns an
 * iterator: drain it into one array. A get-style read that found nothing
 * returns nil, err: the error is the result. */
static const char RUNNER[] = "local fn, args_json = ...\n"
                             "local args = json.decode(args_json)\n"
                             "local r1, r2 = fn(table.unpack(args, 1, #args))\n"
                             "if type(r1) == 'function' then\n"
                             "  local all = json.array({})\n"
                             "  for item in r1 do all[#all + 1] = item end\n"
                             "  return all\n"
                             "end\n"
                             "if r1 == nil and r2 ~= nil then error(r2, 0) end\n"
                             "return r1\n";

/* Pushes module.<path>: the function, or nil when the path leads nowhere
 * or names a private field. */
static hb_status push_operation(hb_lua *h, const char *module, const char *path, hb_err *e)
{
    lua_State *L = hb_lua_state(h);
    hb_status st = hb_lua_require(h, module, e);
    if (st != HB_OK)
        return st;
    char *parts = hb_xstrdup(path);
    char *save = NULL;
    for (char *part = strtok_r(parts, ".", &save); part; part = strtok_r(NULL, ".", &save)) {
        if (lua_type(L, -1) != LUA_TTABLE) {
            lua_pop(L, 1);
            lua_pushnil(L);
            break;
        }
        hb_lua_push_unfrozen(L, -1); /* a stdlib module is a read-only view */
        lua_pushstring(L, part);
        lua_rawget(L, -2);
        lua_replace(L, -3);
        lua_pop(L, 1);
    }
    free(parts);
    if (lua_type(L, -1) != LUA_TFUNCTION || path[0] == '_') {
        lua_pop(L, 1);
        lua_pushnil(L);
    }
    return HB_OK;
}

hb_status hb_lua_operation_find(hb_lua *h, const char *module, const char *path, hb_err *e)
{
    lua_State *L = hb_lua_state(h);
    int top = lua_gettop(L);
    hb_status st = push_operation(h, module, path, e);
    if (st != HB_OK)
        return st;
    bool found = !lua_isnil(L, -1);
    lua_settop(L, top);
    if (found)
        return HB_OK;
    return hb_err_set(e, HB_EUSAGE, "%s has no operation '%s'", module, path);
}

/* The raised value as the uniform error, when it is one (a table with a
 * string `service`), and its own words in e. */
static cJSON *uniform_error(hb_lua *h, hb_err *e)
{
    lua_State *L = hb_lua_state(h);
    cJSON *err = NULL;
    hb_lua_push_last_error(h);
    if (lua_istable(L, -1)) {
        lua_getfield(L, -1, "service");
        bool uniform = lua_isstring(L, -1);
        lua_pop(L, 1);
        hb_err conv;
        err = uniform ? hb_json_from_lua(L, -1, "error", &conv) : NULL;
        if (err) {
            hb_err_set(e, HB_EFAILED, "%s", luaL_tolstring(L, -1, NULL));
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    return err;
}

hb_status hb_lua_operation_call(hb_lua *h, const char *module, const char *path, const cJSON *args,
                                cJSON **result, cJSON **error, hb_err *e)
{
    lua_State *L = hb_lua_state(h);
    int top = lua_gettop(L);
    *result = NULL;
    *error = NULL;
    hb_status st = hb_lua_load(h, "=hb call", RUNNER, sizeof RUNNER - 1, true, e);
    if (st == HB_OK)
        st = push_operation(h, module, path, e);
    if (st == HB_OK && lua_isnil(L, -1))
        st = hb_err_set(e, HB_EUSAGE, "%s has no operation '%s'", module, path);
    if (st != HB_OK)
        goto out;
    char *text = hb_json_print(args);
    lua_pushstring(L, text);
    free(text);
    st = hb_lua_pcall(h, 2, 1, NULL, e);
    if (st == HB_OK) {
        *result = hb_json_from_lua(L, -1, "result", e);
        if (!*result)
            st = hb_err_wrap(e, "call: the result");
    } else {
        *error = uniform_error(h, e);
    }
out:
    lua_settop(L, top);
    return st;
}
