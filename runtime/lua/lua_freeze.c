/* Read-only views of the stdlib's module tables.
 *
 * Every caller of require("zendesk") shares one module table: the bindings
 * use it themselves (gitlab.issues.create looks for its marker through
 * M.issues.list), and the stdlib's data tables (support.levels) feed the
 * domain rules. A workflow that could assign to them would change what the
 * stdlib does for everyone in the run. So require hands out a view: an
 * empty table whose metatable reads through to the module (wrapping each
 * table it reaches in a view of its own, so nested tables are read-only
 * too), refuses every assignment, and answers #, pairs and ipairs as the
 * module would. Its metatable is protected; the module keeps the original
 * and sees its own changes.
 *
 * Tables that carry a metatable of their own are objects, not data, and
 * stay as they are. C code that must see the contents raw (the JSON
 * conversion) asks hb_lua_push_unfrozen for the original. */
#include <lauxlib.h>

#include "lua_host_internal.h"

/* Registry keys: original -> view (ephemeron: keys weak), view -> original
 * (keys weak). */
static const char key_views = 0;
static const char key_originals = 0;

void hb_lua_push_weak_registry_table(lua_State *L, const void *key)
{
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, key) == LUA_TTABLE)
        return;
    lua_pop(L, 1);
    lua_newtable(L);
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, key);
}

static bool is_data_table(lua_State *L, int idx)
{
    if (lua_type(L, idx) != LUA_TTABLE || lua_getmetatable(L, idx) == 0)
        return lua_type(L, idx) == LUA_TTABLE;
    lua_pop(L, 1);
    return false;
}

static void push_view(lua_State *L, int idx, const char *name);

/* The value on top, replaced by its view when it is a data table. */
static void wrap_top(lua_State *L, const char *parent, int key)
{
    if (!is_data_table(L, -1))
        return;
    const char *k = lua_type(L, key) == LUA_TSTRING ? lua_tostring(L, key) : "?";
    lua_pushfstring(L, "%s.%s", parent, k);
    push_view(L, -2, lua_tostring(L, -1));
    lua_replace(L, -3);
    lua_pop(L, 1);
}

/* __index(view, key). Upvalues: the original, its name. */
static int view_index(lua_State *L)
{
    lua_settop(L, 2);
    lua_pushvalue(L, 2);
    lua_gettable(L, lua_upvalueindex(1));
    wrap_top(L, lua_tostring(L, lua_upvalueindex(2)), 2);
    return 1;
}

static int view_newindex(lua_State *L)
{
    const char *name = lua_tostring(L, lua_upvalueindex(2));
    if (lua_type(L, 2) == LUA_TSTRING)
        return luaL_error(L,
                          "%s.%s cannot be assigned: %s belongs to hb's stdlib and is "
                          "read-only (copy what you need into a local)",
                          name, lua_tostring(L, 2), name);
    return luaL_error(L, "%s cannot be changed: it belongs to hb's stdlib and is read-only", name);
}

static int view_len(lua_State *L)
{
    lua_pushinteger(L, luaL_len(L, lua_upvalueindex(1)));
    return 1;
}

/* The iterator pairs(view) returns: next over the original, values
 * wrapped. */
static int view_next(lua_State *L)
{
    lua_settop(L, 2);
    if (!lua_next(L, lua_upvalueindex(1)))
        return 0;
    wrap_top(L, lua_tostring(L, lua_upvalueindex(2)), 2); /* 1 view, 2 key, 3 value */
    return 2;
}

static int view_pairs(lua_State *L)
{
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_pushcclosure(L, view_next, 2);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

static void push_view(lua_State *L, int idx, const char *name)
{
    idx = lua_absindex(L, idx);
    luaL_checkstack(L, 8, "freezing a stdlib table");
    hb_lua_push_weak_registry_table(L, &key_views);
    lua_pushvalue(L, idx);
    if (lua_rawget(L, -2) == LUA_TTABLE) {
        lua_remove(L, -2);
        return;
    }
    lua_pop(L, 1);
    lua_newtable(L); /* the view */
    int view = lua_gettop(L);
    lua_createtable(L, 0, 5);
    static const struct {
        const char *event;
        lua_CFunction fn;
    } events[] = {{"__index", view_index},
                  {"__newindex", view_newindex},
                  {"__len", view_len},
                  {"__pairs", view_pairs}};
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++) {
        lua_pushvalue(L, idx);
        lua_pushstring(L, name);
        lua_pushcclosure(L, events[i].fn, 2);
        lua_setfield(L, -2, events[i].event);
    }
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, view);
    lua_pushvalue(L, idx);
    lua_pushvalue(L, view);
    lua_rawset(L, -4); /* views[original] = view */
    hb_lua_push_weak_registry_table(L, &key_originals);
    lua_pushvalue(L, view);
    lua_pushvalue(L, idx);
    lua_rawset(L, -3); /* originals[view] = original */
    lua_pop(L, 1);
    lua_remove(L, -2); /* the views table */
}

void hb_lua_push_frozen(lua_State *L, int idx, const char *name)
{
    if (!is_data_table(L, idx)) {
        lua_pushvalue(L, idx);
        return;
    }
    push_view(L, idx, name);
}

void hb_lua_push_unfrozen(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    if (lua_type(L, idx) == LUA_TTABLE &&
        lua_rawgetp(L, LUA_REGISTRYINDEX, &key_originals) == LUA_TTABLE) {
        lua_pushvalue(L, idx);
        if (lua_rawget(L, -2) == LUA_TTABLE) {
            lua_remove(L, -2);
            return;
        }
        lua_pop(L, 2);
    } else if (lua_type(L, idx) == LUA_TTABLE) {
        lua_pop(L, 1);
    }
    lua_pushvalue(L, idx);
}

bool hb_lua_is_frozen(lua_State *L, int idx)
{
    hb_lua_push_unfrozen(L, idx);
    bool frozen = !lua_rawequal(L, -1, idx < 0 && idx > LUA_REGISTRYINDEX ? idx - 1 : idx);
    lua_pop(L, 1);
    return frozen;
}
