#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "hb/util.h"
#include "lua_fixture.h"
#include "test_support.h"

hb_lua_limits hbt_lua_test_limits(void)
{
    hb_lua_limits l = {
        .instructions = 100000000, .wall_ms = 60000, .memory_bytes = (size_t)64 << 20};
    return l;
}

static hb_status on_lookup(void *ud, const char *module, const char **content, size_t *len,
                           bool *is_stdlib, hb_err *e)
{
    hbt_lua *t = ud;
    t->lookups++;
    if (t->pinned_module && !strcmp(module, t->pinned_module)) {
        *content = t->pinned_text;
        *len = strlen(t->pinned_text);
        *is_stdlib = t->pinned_stdlib;
        return HB_OK;
    }
    *content = NULL;
    if (t->lookup_status != HB_EUSAGE)
        return hb_err_set(e, t->lookup_status, "the pinned sources are unreadable");
    return HB_EUSAGE;
}

static hb_status on_loaded(void *ud, const char *module, const char *path, const char *content,
                           size_t len, hb_err *e)
{
    (void)content;
    (void)len;
    hbt_lua *t = ud;
    t->loads++;
    snprintf(t->loaded_module, sizeof t->loaded_module, "%s", module);
    snprintf(t->loaded_path, sizeof t->loaded_path, "%s", path);
    if (t->loaded_status != HB_OK)
        return hb_err_set(e, t->loaded_status, "cannot pin module '%s'", module);
    return HB_OK;
}

hbt_lua *hbt_lua_open(const hb_lua_limits *limits)
{
    hbt_lua *t = hb_xcalloc(1, sizeof *t);
    t->root = hbt_tempdir();
    t->stdlib = hb_path_join(t->root, "stdlib");
    t->wfdir = hb_path_join(t->root, "wf");
    t->flow = hb_path_join(t->wfdir, "flow.lua");
    t->lookup_status = HB_EUSAGE;
    t->loaded_status = HB_OK;
    hb_err e;
    assert_int_equal(hb_mkdirs(t->stdlib, 0700, &e), HB_OK);
    assert_int_equal(hb_mkdirs(t->wfdir, 0700, &e), HB_OK);
    hb_lua_limits l = limits ? *limits : hbt_lua_test_limits();
    hb_lua_modules mods = {.stdlib_dir = t->stdlib,
                           .workflow_dir = t->wfdir,
                           .lookup = on_lookup,
                           .loaded = on_loaded,
                           .ud = t};
    t->h = hb_lua_new(&l, &mods, &e);
    if (!t->h)
        fail_msg("hb_lua_new: %s", e.msg);
    return t;
}

void hbt_lua_close(hbt_lua *t)
{
    if (!t)
        return;
    hb_lua_free(t->h);
    hbt_rmtree(t->root);
    free(t->root);
    free(t->stdlib);
    free(t->wfdir);
    free(t->flow);
    free(t->traceback);
    free(t);
}

void hbt_lua_write(hbt_lua *t, const char *rel, const char *text)
{
    char *path = hb_path_join(t->root, rel);
    char *dir = hb_dirname(path);
    hb_err e;
    assert_int_equal(hb_mkdirs(dir, 0700, &e), HB_OK);
    hbt_write(path, text);
    free(dir);
    free(path);
}

hb_status hbt_lua_run(hbt_lua *t, const char *src)
{
    free(t->traceback);
    t->traceback = NULL;
    hb_err_clear(&t->e);
    hb_status st = hb_lua_load(t->h, t->flow, src, strlen(src), false, &t->e);
    if (st != HB_OK)
        return st;
    return hb_lua_pcall(t->h, 0, 1, &t->traceback, &t->e);
}

char *hbt_lua_eval(hbt_lua *t, const char *src)
{
    lua_State *L = hb_lua_state(t->h);
    int top = lua_gettop(L);
    if (hbt_lua_run(t, src) != HB_OK) {
        assert_int_equal(lua_gettop(L), top);
        return NULL;
    }
    char *out = hb_xstrdup(luaL_tolstring(L, -1, NULL));
    lua_settop(L, top);
    return out;
}

void hbt_lua_expect_error(hbt_lua *t, const char *src, const char *fragment1, const char *fragment2)
{
    char *out = hbt_lua_eval(t, src);
    if (out)
        fail_msg("expected `%s` to fail, it returned %s", src, out);
    if (fragment1 && !strstr(t->e.msg, fragment1))
        fail_msg("`%s` failed with \"%s\", which lacks \"%s\"", src, t->e.msg, fragment1);
    if (fragment2 && !strstr(t->e.msg, fragment2))
        fail_msg("`%s` failed with \"%s\", which lacks \"%s\"", src, t->e.msg, fragment2);
}
