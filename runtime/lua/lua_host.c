/* The Lua host's lifecycle and protected calls: state creation under the
 * capped allocator, loading text chunks into one of the two environments,
 * and hb_lua_pcall, which arms the limits and turns any error into
 * "file:line: message" plus a traceback. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "hb/util.h"
#include "lua_host_internal.h"

const char hb_lua_key_workflow_env = 0;
const char hb_lua_key_stdlib_env = 0;
const char hb_lua_key_hbi = 0;
const char hb_lua_key_loaded = 0;
static const char key_last_error = 0;
static const char key_traceback = 0;

hb_lua *hb_lua_from_state(lua_State *L)
{
    return *(hb_lua **)lua_getextraspace(L);
}

lua_State *hb_lua_state(hb_lua *h)
{
    return h->L;
}

void hb_lua_set_userdata(hb_lua *h, void *ud)
{
    h->userdata = ud;
}

void *hb_lua_get_userdata(hb_lua *h)
{
    return h->userdata;
}

size_t hb_lua_memory_used(hb_lua *h)
{
    return h->mem_used;
}

/* Outside a protected call Lua cannot report an error to anyone; this only
 * happens when C code misuses the API, so say so and stop. */
static int panic_handler(lua_State *L)
{
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "hb: internal error: unprotected Lua error: %s\n",
            msg ? msg : "(not a string)");
    fflush(stderr);
    exit(HB_EINTERNAL);
}

static hb_status check_limits(const hb_lua_limits *l, hb_err *e)
{
    /* wall_ms is bounded so that the deadline in microseconds cannot
     * overflow. */
    if (l->instructions <= 0 || l->wall_ms <= 0 || l->wall_ms > INT64_MAX / 2000 ||
        l->memory_bytes == 0)
        return hb_err_set(e, HB_EUSAGE,
                          "Lua limits must be positive and sane (instructions %lld, "
                          "time %lld ms, memory %zu bytes)",
                          (long long)l->instructions, (long long)l->wall_ms, l->memory_bytes);
    return HB_OK;
}

hb_lua *hb_lua_new(const hb_lua_limits *limits, const hb_lua_modules *modules, hb_err *e)
{
    if (check_limits(limits, e) != HB_OK)
        return NULL;
    if (!modules || !modules->stdlib_dir) {
        hb_err_set(e, HB_EINTERNAL, "the Lua host needs the stdlib folder");
        return NULL;
    }
    hb_lua *h = hb_xcalloc(1, sizeof *h);
    h->limits = *limits;
    h->hooks = *modules;
    h->stdlib_dir = hb_xstrdup(modules->stdlib_dir);
    h->workflow_dir = modules->workflow_dir ? hb_xstrdup(modules->workflow_dir) : NULL;
    h->hooks.stdlib_dir = h->stdlib_dir;
    h->hooks.workflow_dir = h->workflow_dir;

    h->L = lua_newstate(hb_lua_alloc, h);
    if (!h->L) {
        hb_lua_free(h);
        hb_err_set(e, HB_EINTERNAL, "cannot create a Lua state: out of memory");
        return NULL;
    }
    *(hb_lua **)lua_getextraspace(h->L) = h;
    lua_atpanic(h->L, panic_handler);

    /* The cap applies while the libraries and environments are built, so a
     * cap too small to hold them is reported here rather than later. */
    h->enforce_depth++;
    lua_pushcfunction(h->L, hb_lua_open_sandbox);
    int rc = lua_pcall(h->L, 0, 0, 0);
    h->enforce_depth--;
    if (rc != LUA_OK) {
        const char *msg = lua_tostring(h->L, -1);
        hb_err_set(e, HB_EINTERNAL, "cannot set up the Lua sandbox: %s%s",
                   msg ? msg : "unknown error",
                   rc == LUA_ERRMEM ? " (raise HB_LUA_MEMORY_MB)" : "");
        hb_lua_free(h);
        return NULL;
    }
    return h;
}

void hb_lua_free(hb_lua *h)
{
    if (!h)
        return;
    if (h->L)
        lua_close(h->L);
    free(h->stdlib_dir);
    free(h->workflow_dir);
    free(h);
}

void hb_lua_push_workflow_env(hb_lua *h)
{
    lua_rawgetp(h->L, LUA_REGISTRYINDEX, &hb_lua_key_workflow_env);
}

void hb_lua_push_stdlib_env(hb_lua *h)
{
    lua_rawgetp(h->L, LUA_REGISTRYINDEX, &hb_lua_key_stdlib_env);
}

/* Sets t[name] = value without metamethods; the value is on top of the
 * stack and the table just below it; pops both. */
static void raw_set_named(lua_State *L, const char *name)
{
    lua_pushstring(L, name);
    lua_insert(L, -2);
    lua_rawset(L, -3);
    lua_pop(L, 1);
}

void hb_lua_register_internal(hb_lua *h, const char *name, lua_CFunction fn)
{
    lua_rawgetp(h->L, LUA_REGISTRYINDEX, &hb_lua_key_hbi);
    lua_pushcfunction(h->L, fn);
    raw_set_named(h->L, name);
}

void hb_lua_set_workflow_global(hb_lua *h, const char *name)
{
    hb_lua_push_workflow_env(h);
    lua_insert(h->L, -2); /* env value */
    raw_set_named(h->L, name);
}

void hb_lua_where(lua_State *L, int level, char *out, size_t outlen)
{
    lua_Debug ar;
    if (level < 0 || !lua_getstack(L, level, &ar) || !lua_getinfo(L, "Sl", &ar) ||
        (ar.currentline <= 0 && !strcmp(ar.what, "C"))) {
        snprintf(out, outlen, "?");
        return;
    }
    /* Chunk names are "@path" for files: show the whole path, which
     * short_src would shorten to 60 characters. */
    const char *src =
        ar.source && (ar.source[0] == '@' || ar.source[0] == '=') ? ar.source + 1 : ar.short_src;
    if (ar.currentline > 0)
        snprintf(out, outlen, "%s:%d", src, ar.currentline);
    else
        snprintf(out, outlen, "%s", src);
}

/* The line of the deepest bracket nesting of a Lua text (strings and
 * comments skipped): where a compiler that ran out of nesting levels gave
 * up, for a message that says nothing of where. */
static int deepest_line(const char *src, size_t len)
{
    int line = 1, depth = 0, max = 0, at = 1;
    for (size_t i = 0; i < len; i++) {
        char c = src[i];
        if (c == '\n') {
            line++;
        } else if (c == '"' || c == '\'') {
            for (i++; i < len && src[i] != c && src[i] != '\n'; i++)
                if (src[i] == '\\')
                    i++;
        } else if (c == '-' && i + 1 < len && src[i + 1] == '-') {
            bool long_comment = i + 3 < len && src[i + 2] == '[' && src[i + 3] == '[';
            for (i += 2;
                 i < len && (long_comment ? !(src[i] == ']' && i + 1 < len && src[i + 1] == ']')
                                          : src[i] != '\n');
                 i++)
                line += src[i] == '\n';
            if (i < len && src[i] == '\n')
                line++;
        } else if (c == '(' || c == '{' || c == '[') {
            if (++depth > max) {
                max = depth;
                at = line;
            }
        } else if (c == ')' || c == '}' || c == ']') {
            depth--;
        }
    }
    return at;
}

hb_status hb_lua_load_error(lua_State *L, int rc, const char *path, const char *src, size_t len,
                            hb_err *e)
{
    const char *msg = lua_tostring(L, -1);
    if (!msg)
        msg = "cannot load the chunk";
    hb_status st = rc == LUA_ERRMEM ? HB_EINTERNAL : HB_EUSAGE;
    size_t plen = strlen(path);
    if (!strncmp(msg, path, plen) && msg[plen] == ':')
        hb_err_set(e, st, "%s", msg); /* already "path:line: ..." */
    else if (strstr(msg, "binary chunk"))
        hb_err_set(e, st, "%s:1: a compiled (binary) chunk: hb loads Lua source text only", path);
    else if (strstr(msg, "stack overflow"))
        hb_err_set(e, st, "%s:%d: nested too deeply for Lua to compile (%s)", path,
                   deepest_line(src, len), msg);
    else
        hb_err_set(e, st, "%s:1: %s", path, msg);
    lua_pop(L, 1);
    return st;
}

hb_status hb_lua_load(hb_lua *h, const char *chunkname, const char *src, size_t len,
                      bool stdlib_env, hb_err *e)
{
    char *name = chunkname[0] == '@' || chunkname[0] == '=' ? hb_xstrdup(chunkname)
                                                            : hb_xasprintf("@%s", chunkname);
    int rc = luaL_loadbufferx(h->L, src, len, name, "t");
    if (rc != LUA_OK) {
        hb_status st = hb_lua_load_error(h->L, rc, name + 1, src, len, e);
        free(name);
        return st;
    }
    free(name);
    lua_rawgetp(h->L, LUA_REGISTRYINDEX,
                stdlib_env ? &hb_lua_key_stdlib_env : &hb_lua_key_workflow_env);
    lua_setupvalue(h->L, -2, 1); /* the chunk's only upvalue is _ENV */
    return HB_OK;
}

/* True when a frame's source lies in the stdlib folder: errors raised by
 * the stdlib on the workflow's behalf are located at the workflow's line. */
static bool source_in_stdlib(hb_lua *h, const char *source)
{
    size_t n = strlen(h->stdlib_dir);
    return source[0] == '@' && !strncmp(source + 1, h->stdlib_dir, n);
}

/* The nearest Lua frame above the error, preferring workflow code; with
 * workflow_only, "" when only stdlib code is on the stack. */
static void error_location(lua_State *L, char *out, size_t outlen, bool workflow_only)
{
    hb_lua *h = hb_lua_from_state(L);
    lua_Debug ar;
    int first_lua = 0;
    for (int level = 1; lua_getstack(L, level, &ar); level++) {
        if (!lua_getinfo(L, "Sl", &ar) || ar.currentline <= 0)
            continue;
        if (!first_lua)
            first_lua = level;
        if (!source_in_stdlib(h, ar.source)) {
            hb_lua_where(L, level, out, outlen);
            return;
        }
    }
    if (first_lua && !workflow_only)
        hb_lua_where(L, first_lua, out, outlen);
    else
        out[0] = '\0';
}

/* Pushes "<service> <status> <code>: <message>" from a service error table
 * (fields that are missing are left out); false when it has none of them. */
static bool push_service_error(lua_State *L, int idx)
{
    static const char *const fields[] = {"service", "status", "code", "message"};
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    bool any = false;
    for (int i = 0; i < 4; i++) {
        lua_getfield(L, idx, fields[i]);
        if (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER) {
            if (any)
                luaL_addstring(&b, i == 3 ? ": " : " ");
            luaL_addvalue(&b); /* also pops the field */
            any = true;
        } else {
            lua_pop(L, 1);
        }
    }
    luaL_pushresult(&b);
    if (!any)
        lua_pop(L, 1);
    return any;
}

/* Turns the error value into the text for people, remembers the value for
 * hb_lua_push_last_error and the traceback for the caller, and returns the
 * text. Strings already carry file:line (or deliberately none); other
 * values get the location of the nearest workflow frame. */
static int message_handler(lua_State *L)
{
    lua_settop(L, 1);
    lua_pushvalue(L, 1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_last_error);
    hb_lua *h = hb_lua_from_state(L);
    error_location(L, h->error_where, sizeof h->error_where, true);
    if (lua_type(L, 1) != LUA_TSTRING) {
        char where[512];
        error_location(L, where, sizeof where, false);
        if (luaL_getmetafield(L, 1, "__tostring") != LUA_TNIL) {
            lua_pop(L, 1);
            luaL_tolstring(L, 1, NULL);
        } else if (lua_type(L, 1) == LUA_TTABLE && push_service_error(L, 1)) {
            /* pushed */
        } else if (lua_type(L, 1) == LUA_TNUMBER) {
            luaL_tolstring(L, 1, NULL);
        } else {
            lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
        }
        if (where[0]) {
            lua_pushfstring(L, "%s: %s", where, lua_tostring(L, -1));
            lua_remove(L, -2);
        }
    } else {
        lua_pushvalue(L, 1);
    }
    luaL_traceback(L, L, NULL, 1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_traceback);
    return 1;
}

const char *hb_lua_last_error_where(const hb_lua *h)
{
    return h->trip_where[0] ? h->trip_where : h->error_where;
}

void hb_lua_push_last_error(hb_lua *h)
{
    lua_rawgetp(h->L, LUA_REGISTRYINDEX, &key_last_error);
}

static void clear_slot(lua_State *L, const void *key)
{
    lua_pushnil(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, key);
}

static char *take_traceback(lua_State *L)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_traceback);
    char *tb = lua_type(L, -1) == LUA_TSTRING ? hb_xstrdup(lua_tostring(L, -1)) : NULL;
    lua_pop(L, 1);
    clear_slot(L, &key_traceback);
    return tb;
}

hb_status hb_lua_pcall(hb_lua *h, int nargs, int nresults, char **traceback, hb_err *e)
{
    lua_State *L = h->L;
    if (traceback)
        *traceback = NULL;
    int handler = lua_gettop(L) - nargs; /* where the function is now */
    int base = handler - 1;              /* what stays below the results */
    lua_pushcfunction(L, message_handler);
    lua_insert(L, handler);
    bool outermost = h->armed_depth == 0;
    if (outermost) {
        clear_slot(L, &key_last_error);
        clear_slot(L, &key_traceback);
        h->error_where[0] = '\0';
        hb_lua_arm(h);
    }
    int rc = lua_pcall(L, nargs, nresults, handler);
    hb_lua_trip trip = outermost ? hb_lua_disarm(h) : hb_lua_current_trip(h);
    lua_remove(L, handler);

    if (rc == LUA_OK && trip == HB_TRIP_NONE)
        return HB_OK;
    char *tb = take_traceback(L);
    if (trip != HB_TRIP_NONE) {
        char limit[256];
        hb_lua_trip_message(h, trip, limit, sizeof limit);
        if (h->trip_where[0])
            hb_err_set(e, HB_EFAILED, "%s: %s", h->trip_where, limit);
        else
            hb_err_set(e, HB_EFAILED, "%s", limit);
        lua_settop(L, base); /* the results of a call that swallowed the stop */
        lua_pushstring(L, limit);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &key_last_error);
    } else {
        const char *msg = lua_tostring(L, -1);
        hb_err_set(e, HB_EFAILED, "%s", msg ? msg : "unknown Lua error");
        if (rc == LUA_ERRMEM || rc == LUA_ERRERR) {
            lua_pushvalue(L, -1);
            lua_rawsetp(L, LUA_REGISTRYINDEX, &key_last_error);
        }
        lua_settop(L, base);
    }
    if (traceback)
        *traceback = tb;
    else
        free(tb);
    return HB_EFAILED;
}

hb_status hb_lua_require(hb_lua *h, const char *module, hb_err *e)
{
    hb_lua_push_require(h->L, true);
    lua_pushstring(h->L, module);
    return hb_lua_pcall(h, 1, 1, NULL, e);
}
