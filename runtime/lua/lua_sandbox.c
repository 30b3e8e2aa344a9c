/* The two environments of the Lua host, built by allow-list.
 *
 * Only base, string, table, math, utf8 and coroutine are opened (and os, to
 * copy three functions). Each environment gets its own copies of the
 * library tables, so a workflow that reassigns string.format changes only
 * its own view, never the stdlib's. Functions that could reach outside the
 * sandbox are never copied, and are also removed from the library tables
 * themselves so that no path to them remains. */
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "hb/lua_json.h"
#include "lua_host_internal.h"

static const char *const safe_base[] = {
    "assert",   "error",    "ipairs", "next",     "pairs",  "pcall",
    "xpcall",   "rawequal", "rawget", "rawlen",   "select", "getmetatable",
    "tonumber", "tostring", "type",   "_VERSION", NULL,
};

/* Library functions that are left out, named so that reaching for one
 * says so instead of "attempt to call a nil value". */
static const char *const removed_os[] = {"execute", "getenv",    "exit",     "remove", "rename",
                                         "tmpname", "setlocale", "difftime", NULL};
static const char *const removed_string[] = {"dump", NULL};
static const char *const kept_os[] = {"time", "date", "clock", NULL};

/* The field of a library copy's metatable listing its members in order. */
#define MEMBERS_FIELD "__members"

static bool in_list(const char *const *list, const char *name)
{
    for (size_t i = 0; list[i]; i++)
        if (!strcmp(list[i], name))
            return true;
    return false;
}

/* The location of the Lua code running the C function, for messages. */
static void push_where_prefix(lua_State *L)
{
    char where[512];
    hb_lua_where(L, 1, where, sizeof where);
    if (strcmp(where, "?") != 0)
        lua_pushfstring(L, "%s: ", where);
    else
        lua_pushliteral(L, "");
}

static const char *key_text(lua_State *L, int idx)
{
    if (lua_type(L, idx) == LUA_TSTRING || lua_type(L, idx) == LUA_TNUMBER)
        return lua_tostring(L, idx);
    return luaL_typename(L, idx);
}

static int guard_index(lua_State *L)
{
    push_where_prefix(L);
    lua_pushfstring(L, "%sundeclared global '%s'", lua_tostring(L, -1), key_text(L, 2));
    return lua_error(L);
}

static int guard_newindex(lua_State *L)
{
    push_where_prefix(L);
    lua_pushfstring(L, "%sassignment to undeclared global '%s' (declare it local)",
                    lua_tostring(L, -1), key_text(L, 2));
    return lua_error(L);
}

/* __index of a library copy: names that were removed raise, anything else
 * is simply absent (code may probe for optional functions). */
static int library_index(lua_State *L)
{
    const char *lib = lua_tostring(L, lua_upvalueindex(1));
    const char *const *removed = lua_touserdata(L, lua_upvalueindex(2));
    if (lua_type(L, 2) != LUA_TSTRING || !in_list(removed, lua_tostring(L, 2)))
        return 0;
    push_where_prefix(L);
    lua_pushfstring(L, "%s%s.%s is not available in the sandbox", lua_tostring(L, -1), lib,
                    lua_tostring(L, 2));
    return lua_error(L);
}

static bool is_environment(lua_State *L, int idx)
{
    static const char *const keys[] = {&hb_lua_key_workflow_env, &hb_lua_key_stdlib_env};
    for (size_t i = 0; i < 2; i++) {
        lua_rawgetp(L, LUA_REGISTRYINDEX, keys[i]);
        bool same = lua_rawequal(L, idx, -1);
        lua_pop(L, 1);
        if (same)
            return true;
    }
    return false;
}

static int sandbox_rawset(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checkany(L, 2);
    luaL_checkany(L, 3);
    if (is_environment(L, 1))
        return luaL_error(L, "rawset cannot add globals to the sandbox environment; use a local");
    if (hb_lua_is_frozen(L, 1))
        return luaL_error(L, "rawset cannot change a stdlib table: it is read-only");
    lua_settop(L, 3);
    lua_rawset(L, 1);
    return 1;
}

/* Finalizers run with debug hooks off, outside every limit, and even when
 * the state is closed: a table with __gc would escape the sandbox. Lua only
 * marks an object for finalization when its metatable already has __gc as
 * it is set, so checking here is enough. */
static int sandbox_setmetatable(lua_State *L)
{
    int mt_type = lua_type(L, 2);
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_argexpected(L, mt_type == LUA_TNIL || mt_type == LUA_TTABLE, 2, "nil or table");
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
        return luaL_error(L, "cannot change a protected metatable");
    if (mt_type == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "setmetatable: __gc finalizers are not available in the sandbox");
        lua_pop(L, 1);
    }
    lua_settop(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}

static int sandbox_collectgarbage(lua_State *L)
{
    const char *opt = luaL_optstring(L, 1, "collect");
    if (strcmp(opt, "count") != 0)
        return luaL_error(L,
                          "collectgarbage(\"%s\") is not available in the sandbox; only "
                          "collectgarbage(\"count\") is",
                          opt);
    int kib = lua_gc(L, LUA_GCCOUNT);
    int bytes = lua_gc(L, LUA_GCCOUNTB);
    lua_pushnumber(L, (lua_Number)kib + (lua_Number)bytes / 1024);
    return 1;
}

/* stdout is the results channel of the CLI, so print goes to stderr. */
static int sandbox_print(lua_State *L)
{
    int n = lua_gettop(L);
    for (int i = 1; i <= n; i++) {
        size_t len;
        const char *s = luaL_tolstring(L, i, &len);
        if (i > 1)
            fputc('\t', stderr);
        fwrite(s, 1, len, stderr);
        lua_pop(L, 1);
    }
    fputc('\n', stderr);
    fflush(stderr);
    return 0;
}

/* Pushes the _ENV of the Lua function that called the running C function,
 * or the workflow environment when it has none (the least privilege). */
static void push_caller_env(lua_State *L)
{
    lua_Debug ar;
    if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "f", &ar)) {
        for (int i = 1;; i++) {
            const char *name = lua_getupvalue(L, -1, i);
            if (!name)
                break;
            if (!strcmp(name, "_ENV")) {
                lua_remove(L, -2); /* the function */
                return;
            }
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    lua_rawgetp(L, LUA_REGISTRYINDEX, &hb_lua_key_workflow_env);
}

/* load(chunk [, chunkname [, mode [, env]]]) of the base library with the
 * mode forced to text and the environment defaulting to the caller's. */
static int sandbox_load(lua_State *L)
{
    int nargs = lua_gettop(L);
    size_t len = 0;
    const char *text = lua_tolstring(L, 1, &len);
    if (text && len > 0 && text[0] == LUA_SIGNATURE[0]) {
        luaL_pushfail(L);
        lua_pushliteral(L, "load: bytecode is not allowed in the sandbox; load source text");
        return 2;
    }
    lua_settop(L, 4);
    lua_pushvalue(L, lua_upvalueindex(1)); /* the base library's load */
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_pushliteral(L, "t");
    if (nargs >= 4)
        lua_pushvalue(L, 4);
    else
        push_caller_env(L);
    lua_call(L, 4, LUA_MULTRET);
    return lua_gettop(L) - 4;
}

static int hbi_where(lua_State *L)
{
    char where[512];
    hb_lua_where(L, (int)luaL_optinteger(L, 1, 1), where, sizeof where);
    lua_pushstring(L, where);
    return 1;
}

/* Gives a library copy (below the list of its members' names, on top of
 * the stack; popped) the metatable that names what was left out of it and
 * keeps the members in the order the sandbox offers them, for
 * hb_lua_workflow_members. */
static void set_library_metatable(lua_State *L, const char *lib, const char *const *removed)
{
    lua_createtable(L, 0, 3);
    lua_insert(L, -2);
    lua_setfield(L, -2, MEMBERS_FIELD);
    lua_pushstring(L, lib);
    lua_pushlightuserdata(L, (void *)removed);
    lua_pushcclosure(L, library_index, 2);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
}

/* Pushes a copy of the library table at src without the `removed` names. */
static void push_library_copy(lua_State *L, int src, const char *lib, const char *const *removed)
{
    lua_newtable(L);
    int dst = lua_gettop(L);
    lua_newtable(L);
    int names = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, src)) {
        if (lua_type(L, -2) == LUA_TSTRING && in_list(removed, lua_tostring(L, -2))) {
            lua_pop(L, 1);
            continue;
        }
        lua_pushvalue(L, -2);
        lua_rawseti(L, names, (lua_Integer)lua_rawlen(L, names) + 1);
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, dst);
    }
    set_library_metatable(L, lib, removed);
}

static void push_os_subset(lua_State *L, int os_lib)
{
    lua_newtable(L);
    lua_newtable(L);
    for (size_t i = 0; kept_os[i]; i++) {
        lua_getfield(L, os_lib, kept_os[i]);
        lua_setfield(L, -3, kept_os[i]);
        lua_pushstring(L, kept_os[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    set_library_metatable(L, "os", removed_os);
}

static void push_guard_metatable(lua_State *L)
{
    lua_createtable(L, 0, 3);
    lua_pushcfunction(L, guard_index);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, guard_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
}

typedef struct opened_libs {
    int globals, string, table, math, utf8, coroutine, os, base_load, guard;
} opened_libs;

static void build_environment(lua_State *L, const opened_libs *libs, const void *key, bool stdlib)
{
    lua_newtable(L);
    int env = lua_gettop(L);
    for (size_t i = 0; safe_base[i]; i++) {
        lua_getfield(L, libs->globals, safe_base[i]);
        lua_setfield(L, env, safe_base[i]);
    }
    static const struct {
        const char *name;
        lua_CFunction fn;
    } wrapped[] = {{"print", sandbox_print},
                   {"rawset", sandbox_rawset},
                   {"setmetatable", sandbox_setmetatable},
                   {"collectgarbage", sandbox_collectgarbage}};
    for (size_t i = 0; i < sizeof wrapped / sizeof wrapped[0]; i++) {
        lua_pushcfunction(L, wrapped[i].fn);
        lua_setfield(L, env, wrapped[i].name);
    }
    hb_lua_push_require(L, stdlib);
    lua_setfield(L, env, "require");
    lua_pushvalue(L, libs->base_load);
    lua_pushcclosure(L, sandbox_load, 1);
    lua_setfield(L, env, "load");

    push_library_copy(L, libs->string, "string", removed_string);
    lua_setfield(L, env, "string");
    static const char *const no_removals[] = {NULL};
    const struct {
        const char *name;
        int idx;
    } copies[] = {{"table", libs->table},
                  {"math", libs->math},
                  {"utf8", libs->utf8},
                  {"coroutine", libs->coroutine}};
    for (size_t i = 0; i < sizeof copies / sizeof copies[0]; i++) {
        push_library_copy(L, copies[i].idx, copies[i].name, no_removals);
        lua_setfield(L, env, copies[i].name);
    }
    push_os_subset(L, libs->os);
    lua_setfield(L, env, "os");
    hb_luaopen_json(L);
    lua_setfield(L, env, "json");

    hb_lua_install_guards(L, env);

    if (stdlib) {
        lua_newtable(L);
        lua_pushcfunction(L, hbi_where);
        lua_setfield(L, -2, "where");
        lua_pushvalue(L, -1);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &hb_lua_key_hbi);
        lua_setfield(L, env, "hbi");
    }
    lua_pushvalue(L, libs->guard);
    lua_setmetatable(L, env);
    lua_rawsetp(L, LUA_REGISTRYINDEX, key);
}

static void open_library(lua_State *L, const char *name, lua_CFunction open, int *slot)
{
    luaL_requiref(L, name, open, 0);
    *slot = lua_gettop(L);
}

/* Removes what must not be reachable even through the library tables that
 * Lua itself keeps (the string metatable's __index, the registry). */
static void strip_originals(lua_State *L, const opened_libs *libs)
{
    for (size_t i = 0; removed_os[i]; i++) {
        lua_pushnil(L);
        lua_setfield(L, libs->os, removed_os[i]);
    }
    lua_pushnil(L);
    lua_setfield(L, libs->string, "dump");
    static const char *const unsafe_globals[] = {"dofile", "loadfile", NULL};
    for (size_t i = 0; unsafe_globals[i]; i++) {
        lua_pushnil(L);
        lua_setfield(L, libs->globals, unsafe_globals[i]);
    }
    /* getmetatable("") would otherwise hand out the string library table
     * shared by every environment. */
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);
}

int hb_lua_open_sandbox(lua_State *L)
{
    opened_libs libs;
    open_library(L, LUA_GNAME, luaopen_base, &libs.globals);
    lua_getfield(L, libs.globals, "load");
    libs.base_load = lua_gettop(L);
    open_library(L, LUA_STRLIBNAME, luaopen_string, &libs.string);
    open_library(L, LUA_TABLIBNAME, luaopen_table, &libs.table);
    open_library(L, LUA_MATHLIBNAME, luaopen_math, &libs.math);
    open_library(L, LUA_UTF8LIBNAME, luaopen_utf8, &libs.utf8);
    open_library(L, LUA_COLIBNAME, luaopen_coroutine, &libs.coroutine);
    open_library(L, LUA_OSLIBNAME, luaopen_os, &libs.os);
    push_guard_metatable(L);
    libs.guard = lua_gettop(L);

    hb_lua_open_modules(L);
    hb_lua_bound_library_loops(L, libs.string, libs.table);
    hb_lua_bound_patterns(L, libs.string);
    build_environment(L, &libs, &hb_lua_key_workflow_env, false);
    build_environment(L, &libs, &hb_lua_key_stdlib_env, true);
    strip_originals(L, &libs);
    return 0;
}

/* --- what the workflow environment offers, for lint ------------------- */

size_t hb_lua_workflow_globals(hb_lua *h, const char **out, size_t max)
{
    lua_State *L = h->L;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &hb_lua_key_workflow_env);
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        if (lua_type(L, -2) == LUA_TSTRING && n < max)
            out[n++] = lua_tostring(L, -2); /* the environment keeps the key alive */
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return n;
}

bool hb_lua_workflow_member(hb_lua *h, const char *lib, const char *member)
{
    lua_State *L = h->L;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &hb_lua_key_workflow_env);
    bool found = false;
    lua_pushstring(L, lib);
    if (lua_rawget(L, -2) == LUA_TTABLE) {
        hb_lua_push_unfrozen(L, -1);
        lua_pushstring(L, member);
        found = lua_rawget(L, -2) != LUA_TNIL;
        lua_pop(L, 2);
    }
    lua_pop(L, 2);
    return found;
}

size_t hb_lua_workflow_members(hb_lua *h, const char *lib, const char **out, size_t max)
{
    lua_State *L = h->L;
    size_t n = 0;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &hb_lua_key_workflow_env);
    lua_pushstring(L, lib);
    if (lua_rawget(L, -2) != LUA_TTABLE) {
        lua_pop(L, 2);
        return 0;
    }
    if (lua_getmetatable(L, -1)) {
        if (lua_getfield(L, -1, MEMBERS_FIELD) == LUA_TTABLE) {
            lua_Integer len = (lua_Integer)lua_rawlen(L, -1);
            for (lua_Integer i = 1; i <= len && n < max; i++) {
                lua_rawgeti(L, -1, i);
                out[n++] = lua_tostring(L, -1); /* the list keeps it alive */
                lua_pop(L, 1);
            }
        }
        lua_pop(L, 2);
    } else {
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            if (lua_type(L, -2) == LUA_TSTRING && n < max)
                out[n++] = lua_tostring(L, -2);
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 2);
    return n;
}
