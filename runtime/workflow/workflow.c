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
    va_list ap;
    va_start(ap, fmt);
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    p->items = hb_xrealloc(p->items, (p->n + 1) * sizeof *p->items);
    p->items[p->n++] = (hb_load_problem){
        .file = hb_xstrdup(file ? file : "?"), .line = line, .message = hb_xstrdup(msg)};
}

void hb_load_problems_free(hb_load_problems *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        free(p->items[i].file);
        free(p->items[i].message);
    }
    free(p->items);
    p->items = NULL;
    p->n = 0;
}

bool hb_workflow_name_valid(const char *name, size_t len)
{
    if (!name || len == 0 || len > 100 || strlen(name) != len)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        bool word =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        if (!word && (i == 0 || (c != '-' && c != '.')))
            return false;
        if (c == '.' && name[i + 1] == '.')
            return false;
    }
    return true;
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
 * configured, else its default; a workflow's own code has no hbi. Only the
 * rows flagged for it, and never a secret, whatever its flags say: what the
 * stdlib reads can end up in a message or a reply. */
static int hbi_setting(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    const hb_setting *s = hb_setting_find(name);
    if (!s || !(s->flags & HB_SETTING_STDLIB) || (s->flags & HB_SETTING_SECRET))
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

/* "file:line: rest" (as Lua and the DSL write locations) into p; without
 * a location, at `where` ("file:line" of the failing code) or the file's
 * first line. */
static void add_located(hb_problems *p, const char *path, const char *where, const char *msg)
{
    if (!strncmp(msg, "?: ", 3))
        msg += 3; /* the DSL could not tell where (a tail call) */
    for (const char *c = strchr(msg, ':'); c; c = strchr(c + 1, ':')) {
        const char *d = c + 1;
        while (*d >= '0' && *d <= '9')
            d++;
        if (d > c + 1 && *d == ':' && c > msg) {
            char *file = hb_xstrndup(msg, (size_t)(c - msg));
            const char *rest = d + 1;
            while (*rest == ' ')
                rest++;
            hb_problem(p, file, atoi(c + 1), "%s", rest);
            free(file);
            return;
        }
    }
    char *file = NULL;
    int line = 1;
    if (where && *where && strcmp(where, "?"))
        hb_split_where(where, &file, &line);
    hb_problem(p, file ? file : path, line ? line : 1, "%s", msg);
    free(file);
}

typedef struct read_job {
    hb_workflow *wf;
    hb_problems *p;
    bool done; /* the read ran to its end: every step is whole */
} read_job;

/* lua_CFunction(job, value): reads what the file returned, under the
 * caller's protected call and limits. */
static int read_returned(lua_State *L)
{
    read_job *job = lua_touserdata(L, 1);
    job->done = hb_workflow_read(L, 2, job->wf, job->p);
    return 0;
}

/* Runs the file's top level and reads what it returned into wf; every
 * failure on the way is a problem. True when the steps were read whole, so
 * the graph can be checked. */
static bool load_into(hb_lua *lua, hb_workflow *wf, const char *src, size_t len, hb_problems *p)
{
    lua_State *L = hb_lua_state(lua);
    hb_err e;
    hb_err_clear(&e);
    hb_status st = install_dsl(lua, &e);
    if (st != HB_OK) {
        hb_problem(p, wf->file, 1, "cannot set up the workflow language: %s", e.msg);
        return false;
    }
    if (hb_lua_load(lua, wf->file, src, len, false, &e) != HB_OK) {
        add_located(p, wf->file, NULL, e.msg);
        return false;
    }
    if (hb_lua_pcall(lua, 0, 1, NULL, &e) != HB_OK) {
        add_located(p, wf->file, hb_lua_last_error_where(lua), e.msg);
        return false;
    }
    int value = lua_gettop(L);
    read_job job = {.wf = wf, .p = p};
    lua_pushcfunction(L, read_returned);
    lua_pushlightuserdata(L, &job);
    lua_pushvalue(L, value);
    if (hb_lua_pcall(lua, 2, 0, NULL, &e) != HB_OK)
        add_located(p, wf->file, hb_lua_last_error_where(lua), e.msg);
    return job.done && wf->steps;
}

/* The problems as e->msg lines, as many as fit, then how many did not. */
static hb_status problems_to_err(const hb_problems *p, hb_err *e)
{
    hb_buf b;
    hb_buf_init(&b);
    size_t shown = 0;
    for (; shown < p->n; shown++) {
        const hb_load_problem *q = &p->items[shown];
        char line[1200];
        snprintf(line, sizeof line, "%s%s:%d: %s", shown ? "\n" : "", q->file, q->line, q->message);
        if (b.len + strlen(line) + 64 >= sizeof e->msg)
            break;
        hb_buf_puts(&b, line);
    }
    if (shown < p->n)
        hb_buf_printf(&b, "\n(and %zu more problems: hb lint lists them all)", p->n - shown);
    hb_err_set(e, HB_EUSAGE, "%s", b.data ? b.data : "");
    hb_buf_free(&b);
    return HB_EUSAGE;
}

/* keep_read: when the returned table was read whole but has structure
 * problems, hand back what was read anyway (the review tools show it beside
 * the problems). */
static hb_status load(hb_lua *lua, const char *path, const char *src, size_t len, bool keep_read,
                      hb_workflow **out, hb_load_problems *problems, hb_err *e)
{
    *out = NULL;
    hb_workflow *wf = hb_xcalloc(1, sizeof *wf);
    wf->lua = lua;
    wf->file = hb_xstrdup(path);
    lua_State *L = hb_lua_state(lua);
    int top = lua_gettop(L);
    hb_problems p = {0};
    bool whole = load_into(lua, wf, src, len, &p);
    lua_settop(L, top);
    if (whole) {
        hb_workflow_index(wf);
        hb_workflow_check(wf, &p);
    }
    if (p.n > 0) {
        problems_to_err(&p, e);
        if (problems)
            *problems = p;
        else
            hb_load_problems_free(&p);
        if (keep_read && whole)
            *out = wf;
        else
            hb_workflow_free(wf);
        return HB_EUSAGE;
    }
    *out = wf;
    return HB_OK;
}

hb_status hb_workflow_load(hb_lua *lua, const char *path, const char *src, size_t len,
                           hb_workflow **out, hb_err *e)
{
    return load(lua, path, src, len, false, out, NULL, e);
}

hb_status hb_workflow_load_report(hb_lua *lua, const char *path, const char *src, size_t len,
                                  hb_workflow **out, hb_load_problems *problems, hb_err *e)
{
    return load(lua, path, src, len, false, out, problems, e);
}

hb_status hb_workflow_load_readable(hb_lua *lua, const char *path, const char *src, size_t len,
                                    hb_workflow **out, hb_err *e)
{
    return load(lua, path, src, len, true, out, NULL, e);
}

/* A host with the default limits and modules for a file in dir. */
static hb_lua *new_host(const char *dir, hb_err *e)
{
    hb_lua_limits limits;
    if (hb_lua_limits_from_env(&limits, e) != HB_OK)
        return NULL;
    char *stdlib = hb_stdlib_dir();
    hb_lua_modules mods = {.stdlib_dir = stdlib, .workflow_dir = dir};
    hb_lua *lua = hb_lua_new(&limits, &mods, e);
    free(stdlib);
    return lua;
}

hb_lua *hb_workflow_sandbox_new(const char *workflow_dir, hb_err *e)
{
    hb_lua *lua = new_host(workflow_dir, e);
    if (lua && install_dsl(lua, e) != HB_OK) {
        hb_lua_free(lua);
        return NULL;
    }
    return lua;
}

hb_status hb_workflow_load_file_report(const char *path, hb_workflow **out,
                                       hb_load_problems *problems, hb_err *e)
{
    *out = NULL;
    size_t len;
    char *src = hb_read_file(path, &len, e);
    if (!src)
        return e ? e->code : HB_EUSAGE;
    char *dir = hb_dirname(path);
    hb_lua *lua = new_host(dir, e);
    free(dir);
    if (!lua) {
        free(src);
        return e && e->code ? e->code : HB_EINTERNAL;
    }
    hb_status st = hb_workflow_load_report(lua, path, src, len, out, problems, e);
    free(src);
    return st;
}

hb_status hb_workflow_load_file(const char *path, hb_workflow **out, hb_err *e)
{
    return hb_workflow_load_file_report(path, out, NULL, e);
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
