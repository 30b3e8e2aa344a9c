/* Loading a workflow file: run it in the sandbox with the DSL constructors
 * in scope, read the returned table, validate the graph. */
#include <lauxlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/paths.h"
#include "hb/settings.h"
#include "workflow_internal.h"

const char *const hb_known_services[] = {"zendesk", "gitlab", "zuora", "salesforce", NULL};

const char *hb_step_kind_name(hb_step_kind k)
{
    switch (k) {
    case HB_STEP_TASK:
        return "task";
    case HB_STEP_CHOICE:
        return "choice";
    case HB_STEP_ASK:
        return "ask";
    case HB_STEP_WAIT:
        return "wait";
    case HB_STEP_SUCCEED:
        return "succeed";
    case HB_STEP_FAIL:
        return "fail";
    }
    return "?";
}

bool hb_step_is_terminal(const hb_step *s)
{
    return s->kind == HB_STEP_SUCCEED || s->kind == HB_STEP_FAIL;
}

void hb_problem(hb_problems *p, const char *file, int line, const char *fmt, ...)
{
    if (p->text.len)
        hb_buf_putc(&p->text, '\n');
    hb_buf_printf(&p->text, "%s:%d: ", file ? file : "?", line);
    va_list ap;
    va_start(ap, fmt);
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    hb_buf_puts(&p->text, msg);
    p->count++;
}

/* Lookups by id happen for every edge during validation and for every
 * transition of a run: a sorted index keeps them O(log n). */
static const hb_workflow *sorting;

static int compare_ids(const void *a, const void *b)
{
    int c = strcmp(sorting->steps[*(const size_t *)a].id, sorting->steps[*(const size_t *)b].id);
    if (c)
        return c;
    return *(const size_t *)a < *(const size_t *)b ? -1 : 1; /* first occurrence first */
}

void hb_workflow_index(hb_workflow *wf)
{
    free(wf->by_id);
    wf->by_id = hb_xcalloc(wf->nsteps ? wf->nsteps : 1, sizeof *wf->by_id);
    for (size_t i = 0; i < wf->nsteps; i++)
        wf->by_id[i] = i;
    sorting = wf;
    qsort(wf->by_id, wf->nsteps, sizeof *wf->by_id, compare_ids);
    sorting = NULL;
}

int hb_workflow_step_index(const hb_workflow *wf, const char *id)
{
    if (!id)
        return -1;
    if (!wf->by_id) {
        for (size_t i = 0; i < wf->nsteps; i++)
            if (!strcmp(wf->steps[i].id, id))
                return (int)i;
        return -1;
    }
    size_t lo = 0, hi = wf->nsteps;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(wf->steps[wf->by_id[mid]].id, id);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < wf->nsteps && !strcmp(wf->steps[wf->by_id[lo]].id, id))
        return (int)wf->by_id[lo];
    return -1;
}

const char *hb_step_default_next(const hb_workflow *wf, size_t index)
{
    const hb_step *s = &wf->steps[index];
    if (hb_step_is_terminal(s))
        return NULL;
    if (s->next)
        return s->next;
    return index + 1 < wf->nsteps ? wf->steps[index + 1].id : NULL;
}

const char *const hb_dsl_globals[] = {
    "workflow", "task",     "choice",   "ask",      "wait",    "succeed",
    "fail",     "fragment", "fact",     "is",       "is_not",  "one_of",
    "is_set",   "is_unset", "is_empty", "messages", "message", NULL,
};

/* hbi.setting(name): a setting the stdlib may read (HB_SETTING_STDLIB), as
 * configured, else its default; a workflow's own code has no hbi. */
static int hbi_setting(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    const hb_setting *s = hb_setting_find(name);
    if (!s || !(s->flags & HB_SETTING_STDLIB))
        return luaL_error(L, "hbi.setting: %s is not a setting the stdlib may read", name);
    char *text = hb_setting_text(name);
    if (text)
        lua_pushstring(L, text);
    else if (s->fallback)
        lua_pushstring(L, s->fallback);
    else
        lua_pushnil(L);
    free(text);
    return 1;
}

void hb_workflow_expose_settings(hb_lua *lua)
{
    hb_lua_register_internal(lua, "setting", hbi_setting);
}

/* Makes the DSL's names (hb_dsl_globals, all from stdlib/hb/workflow.lua)
 * globals of the workflow environment, and the settings the stdlib reads
 * (support.lua's Global Support Hours) reachable. */
static hb_status install_dsl(hb_lua *lua, hb_err *e)
{
    lua_State *L = hb_lua_state(lua);
    hb_workflow_expose_settings(lua);
    hb_status st = hb_lua_require(lua, "hb.workflow", e);
    if (st != HB_OK)
        return st;
    for (const char *const *name = hb_dsl_globals; *name; name++) {
        lua_getfield(L, -1, *name);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 2);
            return hb_err_set(e, HB_EINTERNAL, "stdlib/hb/workflow.lua does not define '%s'",
                              *name);
        }
        hb_lua_set_workflow_global(lua, *name);
    }
    lua_pop(L, 1);
    return HB_OK;
}

/* keep_read: when the returned table has structure problems, hand back what
 * was read anyway (the review tools show it beside the problems). */
static hb_status load(hb_lua *lua, const char *path, const char *src, size_t len, bool keep_read,
                      hb_workflow **out, hb_err *e)
{
    *out = NULL;
    hb_workflow *wf = hb_xcalloc(1, sizeof *wf);
    wf->lua = lua;
    wf->file = hb_xstrdup(path);
    lua_State *L = hb_lua_state(lua);
    int top = lua_gettop(L);

    hb_status st = install_dsl(lua, e);
    if (st == HB_OK)
        st = hb_lua_load(lua, path, src, len, false, e);
    if (st == HB_OK) {
        /* What the file's top level raises (a lib module included: a
         * misspelt placeholder in lib/messages.lua) is the author's to fix.
         * The message stays as raised; formatting e->msg into itself would
         * lose it. */
        st = hb_lua_pcall(lua, 0, 1, NULL, e);
        if (st != HB_OK) {
            st = HB_EUSAGE;
            if (e)
                e->code = st;
        }
    }
    if (st != HB_OK) {
        lua_settop(L, top);
        hb_workflow_free(wf);
        return st;
    }
    bool is_workflow = false;
    if (lua_istable(L, -1)) {
        lua_getfield(L, -1, "kind");
        is_workflow = lua_type(L, -1) == LUA_TSTRING && !strcmp(lua_tostring(L, -1), "workflow");
        lua_pop(L, 1);
    }
    if (!is_workflow) {
        lua_settop(L, top);
        hb_workflow_free(wf);
        return hb_err_set(e, HB_EUSAGE,
                          "%s:1: the file must return a workflow: return workflow \"name\" { ... }",
                          path);
    }
    hb_problems p = {.count = 0};
    hb_buf_init(&p.text);
    hb_workflow_read(L, wf, &p);
    lua_settop(L, top);
    hb_workflow_index(wf);
    hb_workflow_check(wf, &p);
    if (p.count > 0) {
        hb_err_set(e, HB_EUSAGE, "%s", p.text.data);
        hb_buf_free(&p.text);
        if (keep_read)
            *out = wf;
        else
            hb_workflow_free(wf);
        return HB_EUSAGE;
    }
    hb_buf_free(&p.text);
    *out = wf;
    return HB_OK;
}

hb_status hb_workflow_load(hb_lua *lua, const char *path, const char *src, size_t len,
                           hb_workflow **out, hb_err *e)
{
    return load(lua, path, src, len, false, out, e);
}

hb_status hb_workflow_load_readable(hb_lua *lua, const char *path, const char *src, size_t len,
                                    hb_workflow **out, hb_err *e)
{
    return load(lua, path, src, len, true, out, e);
}

hb_status hb_workflow_load_file(const char *path, hb_workflow **out, hb_err *e)
{
    size_t len;
    char *src = hb_read_file(path, &len, e);
    if (!src)
        return e ? e->code : HB_EUSAGE;
    hb_lua_limits limits;
    hb_status st = hb_lua_limits_from_env(&limits, e);
    if (st != HB_OK) {
        free(src);
        return st;
    }
    char *stdlib = hb_stdlib_dir();
    char *dir = hb_dirname(path);
    hb_lua_modules mods = {.stdlib_dir = stdlib, .workflow_dir = dir};
    hb_lua *lua = hb_lua_new(&limits, &mods, e);
    if (!lua) {
        free(src);
        free(stdlib);
        free(dir);
        return e ? e->code : HB_EINTERNAL;
    }
    st = hb_workflow_load(lua, path, src, len, out, e);
    free(src);
    free(stdlib);
    free(dir);
    return st;
}

static void free_timespec(hb_timespec *t)
{
    free(t->text);
}

void hb_inputs_free(hb_input *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(list[i].name);
        free(list[i].type);
        free(list[i].description);
    }
    free(list);
}

void hb_workflow_free(hb_workflow *wf)
{
    if (!wf)
        return;
    for (size_t i = 0; i < wf->nsteps; i++) {
        hb_step *s = &wf->steps[i];
        free(s->id);
        free(s->description);
        free(s->file);
        free(s->next);
        free(s->on_error);
        for (size_t k = 0; k < s->nedges; k++) {
            hb_edge *edge = &s->edges[k];
            free(edge->label);
            free(edge->target);
            free(edge->when_text);
            free(edge->when_fact);
            for (size_t v = 0; v < edge->nwhen_values; v++)
                free(edge->when_values[v]);
            free(edge->when_values);
        }
        free(s->fragment);
        free(s->edges);
        free(s->value_type);
        for (size_t k = 0; k < s->nchoices; k++)
            free(s->choices[k]);
        free(s->choices);
        free(s->event);
        for (size_t k = 0; k < s->nshows; k++)
            free(s->shows[k]);
        free(s->shows);
        hb_inputs_free(s->payload, s->npayload);
        free_timespec(&s->after);
        free_timespec(&s->timeout);
        free(s->on_timeout);
        free(s->message);
    }
    free(wf->steps);
    free(wf->by_id);
    for (size_t i = 0; i < wf->nuses; i++)
        free(wf->uses[i]);
    free(wf->uses);
    for (size_t i = 0; i < wf->nforbid; i++)
        free(wf->forbid[i]);
    free(wf->forbid);
    hb_inputs_free(wf->inputs, wf->ninputs);
    free(wf->name);
    free(wf->title);
    free(wf->handbook);
    free(wf->file);
    hb_lua_free(wf->lua);
    free(wf);
}
