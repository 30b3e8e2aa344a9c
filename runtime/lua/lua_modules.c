/* `require` for the sandbox: "a.b" is stdlib/a/b.lua, then the workflow's
 * lib/a/b.lua. Stdlib modules run in the stdlib environment, lib modules in
 * the workflow environment. Each module runs once per state; the cache lives
 * in the registry, out of the scripts' reach.
 *
 * The engine's hooks pin sources: lookup may serve a recorded text instead
 * of the file (a resumed run), loaded hears of every file read (a fresh
 * run). */
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "hb/util.h"
#include "lua_host_internal.h"

/* Marks a module whose chunk is running, to report require cycles. */
static const char loading_sentinel = 0;
static const char key_closer_mt = 0;

typedef struct module_source {
    const char *text; /* borrowed from the lookup hook or owned (owned_text) */
    size_t len;
    char *owned_text;
    char *path; /* what messages show, without '@' */
    bool is_stdlib;
} module_source;

static void source_free(module_source *s)
{
    free(s->owned_text);
    free(s->path);
}

/* Letters, digits, '_' and '-', in segments separated by single dots: no
 * way to name a file outside the two module folders. */
static bool valid_module_name(const char *name, size_t len)
{
    if (len == 0 || name[0] == '.' || name[len - 1] == '.')
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
        if (c == '.' ? name[i + 1] == '.' : !word)
            return false;
    }
    return true;
}

/* "a.b" -> "a/b.lua", newly allocated. */
static char *relative_path(const char *name)
{
    char *rel = hb_xasprintf("%s.lua", name);
    for (char *p = rel; p < rel + strlen(name); p++)
        if (*p == '.')
            *p = '/';
    return rel;
}

static char *lib_dir(const hb_lua *h)
{
    return hb_path_join(h->workflow_dir ? h->workflow_dir : ".", "lib");
}

/* Asks the lookup hook for a pinned text. HB_OK with s->text set when it
 * served one, HB_OK with s->text NULL to read the files. */
static hb_status ask_lookup(hb_lua *h, const char *name, const char *rel, module_source *s,
                            hb_err *e)
{
    if (!h->hooks.lookup)
        return HB_OK;
    const char *content = NULL;
    size_t len = 0;
    bool is_stdlib = false;
    hb_status st = h->hooks.lookup(h->hooks.ud, name, &content, &len, &is_stdlib, e);
    if (st == HB_EUSAGE || (st == HB_OK && !content))
        return HB_OK;
    if (st != HB_OK)
        return st;
    s->text = content;
    s->len = len;
    s->is_stdlib = is_stdlib;
    char *dir = is_stdlib ? hb_xstrdup(h->stdlib_dir) : lib_dir(h);
    s->path = hb_path_join(dir, rel);
    free(dir);
    return HB_OK;
}

/* Reads the first of the candidate files that exists. HB_EUSAGE with the
 * list of places looked in when none does. */
static hb_status read_module_file(hb_lua *h, const char *name, const char *rel, module_source *s,
                                  hb_err *e)
{
    char *candidates[2];
    size_t n = 0;
    candidates[n++] = hb_path_join(h->stdlib_dir, rel);
    if (h->workflow_dir) {
        char *dir = lib_dir(h);
        candidates[n++] = hb_path_join(dir, rel);
        free(dir);
    }
    hb_status st = HB_EUSAGE;
    for (size_t i = 0; i < n && st == HB_EUSAGE; i++) {
        if (!hb_file_exists(candidates[i]))
            continue;
        s->owned_text = hb_read_file(candidates[i], &s->len, e);
        if (!s->owned_text) {
            st = HB_EFAILED;
            break;
        }
        s->text = s->owned_text;
        s->is_stdlib = i == 0;
        s->path = candidates[i];
        candidates[i] = NULL;
        st = HB_OK;
    }
    if (st == HB_EUSAGE)
        hb_err_set(e, HB_EUSAGE, "module '%s' not found (looked in: %s%s%s)", name, candidates[0],
                   n > 1 ? ", " : "", n > 1 ? candidates[1] : "");
    for (size_t i = 0; i < n; i++)
        free(candidates[i]);
    if (st == HB_OK && h->hooks.loaded)
        st = h->hooks.loaded(h->hooks.ud, name, s->path, s->text, s->len, e);
    return st;
}

static hb_status find_module(hb_lua *h, const char *name, module_source *s, hb_err *e)
{
    char *rel = relative_path(name);
    hb_status st = ask_lookup(h, name, rel, s, e);
    if (st == HB_OK && !s->text)
        st = read_module_file(h, name, rel, s, e);
    free(rel);
    return st;
}

/* Finds and compiles the module; pushes the chunk (with its _ENV set) and
 * the path shown in messages, and says whether it is a stdlib module.
 * Every C allocation is released before an error is raised. */
static bool push_module_chunk(lua_State *L, const char *name)
{
    hb_lua *h = hb_lua_from_state(L);
    module_source s = {0};
    hb_err e;
    hb_err_clear(&e);
    if (find_module(h, name, &s, &e) != HB_OK) {
        source_free(&s);
        char where[512];
        hb_lua_where(L, 1, where, sizeof where); /* the code that called require */
        if (strcmp(where, "?") != 0)
            lua_pushfstring(L, "%s: %s", where, e.msg);
        else
            lua_pushstring(L, e.msg);
        lua_error(L);
    }
    char *chunkname = hb_xasprintf("@%s", s.path);
    int rc = luaL_loadbufferx(L, s.text, s.len, chunkname, "t");
    free(chunkname);
    if (rc != LUA_OK)
        hb_lua_load_error(L, rc, s.path, s.text, s.len, &e); /* "path:line: ..." */
    bool is_stdlib = s.is_stdlib;
    char path[4096];
    snprintf(path, sizeof path, "%s", s.path);
    source_free(&s);
    if (rc != LUA_OK) {
        lua_pushstring(L, e.msg);
        lua_error(L);
    }
    lua_rawgetp(L, LUA_REGISTRYINDEX,
                is_stdlib ? &hb_lua_key_stdlib_env : &hb_lua_key_workflow_env);
    lua_setupvalue(L, -2, 1);
    lua_pushstring(L, path);
    return is_stdlib;
}

/* hb's own modules (hb.*) are internal unless they are the workflow
 * language: hb.workflow, hb.when and hb.text define the names a workflow
 * already has as globals (workflow, task, is, fact, messages, ...; see
 * hb_dsl_globals), and they give nothing beyond that language. Everything
 * else under hb.* stays with the stdlib, first of all hb.service, which
 * hands out the transport (hbi.request, hbi.marker, hbi.reconciled): a
 * module added there is internal until it is listed here. */
static const char *const PUBLIC_HB_MODULES[] = {"hb.workflow", "hb.when", "hb.text", NULL};

static bool is_internal(const char *name)
{
    if (strcmp(name, "hb") && strncmp(name, "hb.", 3))
        return false;
    for (const char *const *m = PUBLIC_HB_MODULES; *m; m++)
        if (!strcmp(name, *m))
            return false;
    return true;
}

/* __close of the guard require keeps while a chunk runs: if the chunk
 * failed, the module is not left marked as loading, so a later require
 * (a retried step) tries again. */
static int clear_loading(lua_State *L)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &hb_lua_key_loaded);
    lua_rawgeti(L, 1, 1); /* the module name */
    lua_pushvalue(L, -1);
    lua_rawget(L, -3);
    if (lua_touserdata(L, -1) == &loading_sentinel) {
        lua_pop(L, 1);
        lua_pushnil(L);
        lua_rawset(L, -3);
    }
    return 0;
}

int hb_lua_require_function(lua_State *L)
{
    size_t len;
    const char *name = luaL_checklstring(L, 1, &len);
    if (!valid_module_name(name, len) || strlen(name) != len)
        return luaL_error(L,
                          "module name '%s' is not valid: use letters, digits, '_' and '-' "
                          "separated by dots",
                          name);
    /* Upvalue 1: true for the stdlib environment's require (and C's). */
    if (!lua_toboolean(L, lua_upvalueindex(1)) && is_internal(name))
        return luaL_error(L,
                          "module '%s' is internal to hb's bindings: workflows reach a service "
                          "through its module (zendesk, gitlab, ...) once it is in uses",
                          name);
    lua_settop(L, 1);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &hb_lua_key_loaded); /* 2: cache */
    lua_pushvalue(L, 1);
    lua_rawget(L, 2); /* 3: cached value */
    if (lua_touserdata(L, 3) == &loading_sentinel)
        return luaL_error(L, "module '%s' requires itself (directly or through other modules)",
                          name);
    if (!lua_isnil(L, 3))
        return 1;
    lua_pop(L, 1);

    bool is_stdlib = push_module_chunk(L, name); /* 3: chunk, 4: path */
    lua_pushvalue(L, 1);
    lua_pushlightuserdata(L, (void *)&loading_sentinel);
    lua_rawset(L, 2);
    lua_createtable(L, 1, 0); /* 5: closer */
    lua_pushvalue(L, 1);
    lua_rawseti(L, -2, 1);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_closer_mt);
    lua_setmetatable(L, -2);
    lua_toclose(L, 5);

    lua_pushvalue(L, 3);
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 4);
    lua_call(L, 2, 1); /* 6: the module's value */
    if (lua_isnil(L, 6)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    if (is_stdlib) {
        /* Everyone who requires it shares it: hand out a read-only view. */
        hb_lua_push_frozen(L, 6, name);
        lua_replace(L, 6);
    }
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 6);
    lua_rawset(L, 2);
    lua_closeslot(L, 5);
    return 1;
}

void hb_lua_push_require(lua_State *L, bool stdlib)
{
    lua_pushboolean(L, stdlib);
    lua_pushcclosure(L, hb_lua_require_function, 1);
}

void hb_lua_open_modules(lua_State *L)
{
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &hb_lua_key_loaded);
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, clear_loading);
    lua_setfield(L, -2, "__close");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_closer_mt);
}
