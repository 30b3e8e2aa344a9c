/* Wrappers that keep a tripped limit from being escaped.
 *
 * The limits hook stops a script by raising an error from inside the hook.
 * Lua turns hooks off while a hook runs and turns them back on only where a
 * protected call catches the error (pcall, also after a yield, restores
 * them). Two places would run script code before that, unhooked, so a
 * `while true do end` there would never be stopped:
 *  - xpcall's message handler runs before the catch: it is skipped once a
 *    limit has tripped;
 *  - a coroutine that died of the stop keeps hooks off for good, and
 *    closing it (coroutine.close, or coroutine.wrap after an error) would
 *    run its __close handlers unhooked: such a coroutine is not closed.
 * Likewise a few library functions loop in C, where no hook reaches them,
 * as often as their arguments say: those are bounded. */
#include <lauxlib.h>

#include "lua_host_internal.h"

static const char key_stopped_threads = 0;

static bool limit_tripped(lua_State *L)
{
    return hb_lua_current_trip(hb_lua_from_state(L)) != HB_TRIP_NONE;
}

static int guarded_handler(lua_State *L)
{
    lua_settop(L, 1);
    if (limit_tripped(L))
        return 1; /* the error as it is; the script's handler does not run */
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, 1, 1);
    return 1;
}

static int finish_xpcall(lua_State *L, int status, lua_KContext extra)
{
    if (status != LUA_OK && status != LUA_YIELD) {
        lua_pushboolean(L, 0);
        lua_pushvalue(L, -2);
        return 2;
    }
    return lua_gettop(L) - (int)extra;
}

/* xpcall as in the base library (yields may cross it), with the script's
 * message handler behind guarded_handler. */
static int guarded_xpcall(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, guarded_handler, 1);
    lua_replace(L, 2);
    lua_pushboolean(L, 1); /* first result */
    lua_pushvalue(L, 1);   /* the function */
    lua_rotate(L, 3, 2);   /* both below the function's arguments */
    int status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, finish_xpcall);
    return finish_xpcall(L, status, 2);
}

static bool died_of_error(lua_State *co)
{
    return lua_status(co) != LUA_OK && lua_status(co) != LUA_YIELD;
}

static void remember_stopped(lua_State *L, int co_idx)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_stopped_threads);
    lua_pushvalue(L, co_idx);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
    lua_pop(L, 1);
}

static bool was_stopped(lua_State *L, int co_idx)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_stopped_threads);
    lua_pushvalue(L, co_idx);
    bool stopped = lua_rawget(L, -2) != LUA_TNIL;
    lua_pop(L, 2);
    return stopped;
}

/* coroutine.resume, noting a coroutine that the stop killed. */
static int guarded_resume(lua_State *L)
{
    lua_State *co = lua_tothread(L, 1);
    luaL_argexpected(L, co, 1, "coroutine");
    int n = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1)); /* the library's resume */
    lua_insert(L, 2);
    lua_pushvalue(L, 1);
    lua_insert(L, 3); /* co, resume, co, args...: co stays at 1 for afterwards */
    lua_call(L, n, LUA_MULTRET);
    if (died_of_error(co) && limit_tripped(L))
        remember_stopped(L, 1);
    return lua_gettop(L) - 1;
}

static int guarded_close(lua_State *L)
{
    lua_State *co = lua_tothread(L, 1);
    luaL_argexpected(L, co, 1, "coroutine");
    if (was_stopped(L, 1)) {
        luaL_pushfail(L);
        lua_pushliteral(L, "the coroutine was stopped by a step limit");
        return 2;
    }
    lua_settop(L, 1);
    lua_pushvalue(L, lua_upvalueindex(1)); /* the library's close */
    lua_insert(L, 1);
    lua_call(L, 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* The function coroutine.wrap returns. Like the library's, it closes a
 * coroutine that died of an error, unless the stop killed it. */
static int wrapped_call(lua_State *L)
{
    lua_State *co = lua_tothread(L, lua_upvalueindex(1));
    int nargs = lua_gettop(L);
    if (died_of_error(co) || (lua_status(co) == LUA_OK && lua_gettop(co) == 0))
        return luaL_error(L, "cannot resume dead coroutine");
    if (!lua_checkstack(co, nargs + 1))
        return luaL_error(L, "too many arguments to resume");
    lua_xmove(L, co, nargs);
    int nres = 0;
    int status = lua_resume(co, L, nargs, &nres);
    if (status == LUA_OK || status == LUA_YIELD) {
        if (!lua_checkstack(L, nres + 1)) {
            lua_pop(co, nres);
            return luaL_error(L, "too many results to resume");
        }
        lua_xmove(co, L, nres);
        return nres;
    }
    if (!limit_tripped(L))
        status = lua_resetthread(co); /* runs its __close handlers, hooked */
    lua_xmove(co, L, 1);              /* the error */
    if (status != LUA_ERRMEM && lua_type(L, -1) == LUA_TSTRING) {
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
    }
    return lua_error(L);
}

static int guarded_wrap(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_State *co = lua_newthread(L);
    lua_pushvalue(L, 1);
    lua_xmove(L, co, 1);
    lua_pushcclosure(L, wrapped_call, 1);
    return 1;
}

/* --- library loops that run in C ---------------------------------------
 * The hook sees Lua instructions only; a loop inside a C function runs to
 * its end. These three can be made to loop ~2^63 times without allocating
 * anything, so the memory cap cannot stop them either. */

static void call_original(lua_State *L, int nresults)
{
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, nresults);
}

/* More elements than the memory cap could ever hold. */
static lua_Integer element_bound(lua_State *L)
{
    return (lua_Integer)(hb_lua_from_state(L)->limits.memory_bytes / 16);
}

/* string.rep("", huge) copies zero bytes, huge times. */
static int bounded_rep(lua_State *L)
{
    size_t len, sep_len;
    luaL_checklstring(L, 1, &len);
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &sep_len);
    if (n <= 0 || len + sep_len == 0) {
        lua_pushliteral(L, "");
        return 1;
    }
    call_original(L, 1);
    return 1;
}

/* table.move({}, 1, huge, 2) moves nils, which never allocate. */
static int bounded_move(lua_State *L)
{
    lua_Integer first = luaL_checkinteger(L, 2);
    lua_Integer last = luaL_checkinteger(L, 3);
    if (last >= first && (lua_Unsigned)last - (lua_Unsigned)first >= (lua_Unsigned)element_bound(L))
        return luaL_error(L, "%s: %I elements are more than a step can hold",
                          lua_tostring(L, lua_upvalueindex(2)),
                          (lua_Integer)((lua_Unsigned)last - (lua_Unsigned)first + 1));
    call_original(L, 1);
    return 1;
}

/* table.insert / table.remove shift every element up to #t, and __len can
 * claim any length. */
static int bounded_shift(lua_State *L)
{
    if (lua_type(L, 1) == LUA_TTABLE) {
        lua_Integer n = luaL_len(L, 1);
        if (n >= element_bound(L))
            return luaL_error(L, "%s: the table claims %I elements, more than a step can hold",
                              lua_tostring(L, lua_upvalueindex(2)), n);
    }
    call_original(L, LUA_MULTRET);
    return lua_gettop(L);
}

/* Upvalues: the library's function, and its name for messages. */
static void wrap_field(lua_State *L, int lib, const char *lib_name, const char *name,
                       lua_CFunction fn)
{
    lua_getfield(L, lib, name);
    lua_pushfstring(L, "%s.%s", lib_name, name);
    lua_pushcclosure(L, fn, 2);
    lua_setfield(L, lib, name);
}

void hb_lua_bound_library_loops(lua_State *L, int string_lib, int table_lib)
{
    string_lib = lua_absindex(L, string_lib);
    table_lib = lua_absindex(L, table_lib);
    wrap_field(L, string_lib, "string", "rep", bounded_rep);
    wrap_field(L, table_lib, "table", "move", bounded_move);
    wrap_field(L, table_lib, "table", "insert", bounded_shift);
    wrap_field(L, table_lib, "table", "remove", bounded_shift);
}

/* Replaces xpcall in the environment at env, and resume, close and wrap in
 * its coroutine table. */
void hb_lua_install_guards(lua_State *L, int env)
{
    env = lua_absindex(L, env);
    hb_lua_push_weak_registry_table(L, &key_stopped_threads);
    lua_pop(L, 1);

    lua_pushcfunction(L, guarded_xpcall);
    lua_setfield(L, env, "xpcall");

    lua_getfield(L, env, "coroutine");
    int co_lib = lua_gettop(L);
    lua_getfield(L, co_lib, "resume");
    lua_pushcclosure(L, guarded_resume, 1);
    lua_setfield(L, co_lib, "resume");
    lua_getfield(L, co_lib, "close");
    lua_pushcclosure(L, guarded_close, 1);
    lua_setfield(L, co_lib, "close");
    lua_pushcfunction(L, guarded_wrap);
    lua_setfield(L, co_lib, "wrap");
    lua_pop(L, 1);
}
