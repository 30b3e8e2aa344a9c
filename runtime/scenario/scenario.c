/* hb test: finds each workflow's scenario file, runs its scenarios, prints
 * one line per scenario and `N passed, N failed`, and with --coverage lists
 * every choice branch, ask option, on_timeout and on_error edge with whether
 * a scenario took it. */
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb/workflow_find.h"
#include "hb/scenario.h"
#include "hb/workflow.h"
#include "scenario_internal.h"

char *hb_scenario_file_for(const char *workflow_file, const char *name)
{
    char *dir = hb_dirname(workflow_file);
    char *path = hb_xasprintf("%s/tests/%s_test.lua", dir, name);
    free(dir);
    return path;
}

static void scenario_file_free(hb_scenario_file *sf)
{
    hb_lua_free(sf->lua);
    free(sf->path);
    free(sf->workflow_file);
}

static hb_status load_scenarios(const hb_engine *eng, hb_scenario_file *sf, const char *name,
                                hb_err *e)
{
    size_t len;
    char *src = hb_read_file(sf->path, &len, e);
    if (!src)
        return HB_EUSAGE;
    char *dir = hb_dirname(sf->workflow_file);
    hb_lua_modules mods = {.stdlib_dir = eng->stdlib_dir, .workflow_dir = dir};
    sf->lua = hb_lua_new(&eng->lua_limits, &mods, e);
    hb_status st = sf->lua ? HB_OK : e->code ? e->code : HB_EINTERNAL;
    lua_State *L = sf->lua ? hb_lua_state(sf->lua) : NULL;
    if (st == HB_OK)
        st = hb_lua_require(sf->lua, "hb.scenario", e);
    if (st == HB_OK) {
        lua_getfield(L, -1, "scenario");
        hb_lua_set_workflow_global(sf->lua, "scenario");
        lua_getfield(L, -1, "scenarios");
        hb_lua_set_workflow_global(sf->lua, "scenarios");
        sf->module_ref = luaL_ref(L, LUA_REGISTRYINDEX);
        st = hb_lua_load(sf->lua, sf->path, src, len, false, e);
    }
    if (st == HB_OK && (st = hb_lua_pcall(sf->lua, 0, 1, NULL, e)) != HB_OK)
        st = HB_EUSAGE;
    if (st == HB_OK) {
        lua_getfield(L, -1, "kind");
        bool ok = lua_type(L, -1) == LUA_TSTRING && !strcmp(lua_tostring(L, -1), "scenarios");
        lua_pop(L, 1);
        lua_getfield(L, -1, "workflow");
        bool same = lua_type(L, -1) == LUA_TSTRING && !strcmp(lua_tostring(L, -1), name);
        lua_pop(L, 1);
        if (!ok)
            st = hb_err_set(e, HB_EUSAGE, "%s:1: the file must return scenarios \"%s\" { ... }",
                            sf->path, name);
        else if (!same)
            st = hb_err_set(e, HB_EUSAGE, "%s:1: these scenarios are not for workflow '%s'",
                            sf->path, name);
    }
    if (st == HB_OK) {
        lua_getfield(L, -1, "scenarios");
        sf->count = (int)lua_rawlen(L, -1);
        sf->scenarios_ref = luaL_ref(L, LUA_REGISTRYINDEX);
        lua_pop(L, 1);
    }
    free(src);
    free(dir);
    return st;
}

static bool answered(cJSON *transitions, const char *step, const char *value)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, transitions)
    {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(t, "answered");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, "value");
        if (cJSON_IsString(a) && cJSON_IsString(v) && !strcmp(a->valuestring, step) &&
            !strcmp(v->valuestring, value))
            return true;
    }
    return false;
}

/* Does a choice branch read the answer of ask `ask` through a `when`
 * helper (is("criticality", ...), is("answers.criticality", ...))? A bare
 * name is the ask's answer unless an input has that name (inputs are looked
 * up first). */
static bool reads_answer(const hb_workflow *wf, const hb_step *choice, const hb_edge *e,
                         const hb_step *ask)
{
    if (choice->kind != HB_STEP_CHOICE || !e->when_fact)
        return false;
    if (!strncmp(e->when_fact, "answers.", 8))
        return !strcmp(e->when_fact + 8, ask->id);
    for (size_t i = 0; i < wf->ninputs; i++)
        if (!strcmp(wf->inputs[i].name, ask->id))
            return false;
    return !strcmp(e->when_fact, ask->id);
}

/* The values of a value-collecting ask that a later choice branches on: an
 * enum's listed choices, else the values the helpers compare it with. Each
 * is covered when some scenario answered the ask with it. */
static void print_value_coverage(FILE *out, const hb_workflow *wf, const hb_step *s,
                                 cJSON *transitions, int *untaken)
{
    if (s->kind != HB_STEP_ASK || !s->value_type)
        return;
    const char *values[64];
    size_t n = 0;
    bool branched = false;
    for (size_t i = 0; i < wf->nsteps; i++)
        for (size_t k = 0; k < wf->steps[i].nedges; k++) {
            const hb_edge *e = &wf->steps[i].edges[k];
            if (!reads_answer(wf, &wf->steps[i], e, s))
                continue;
            branched = true;
            for (size_t v = 0; v < e->nwhen_values && n < 64 && s->nchoices == 0; v++) {
                bool seen = false;
                for (size_t j = 0; j < n; j++)
                    seen = seen || !strcmp(values[j], e->when_values[v]);
                if (!seen)
                    values[n++] = e->when_values[v];
            }
        }
    if (!branched)
        return;
    for (size_t k = 0; k < s->nchoices && n < 64; k++)
        values[n++] = s->choices[k];
    for (size_t k = 0; k < n; k++) {
        bool taken = answered(transitions, s->id, values[k]);
        fprintf(out, "  %-8s ask %s = %s\n", taken ? "taken" : "UNTAKEN", s->id, values[k]);
        if (!taken)
            (*untaken)++;
    }
}

/* The edges coverage looks for: (from, label) pairs of choices, ask
 * options, on_timeout and on_error; and the values of value-collecting asks
 * that a choice branches on. */
static void print_coverage(FILE *out, const hb_workflow *wf, cJSON *transitions, int *untaken)
{
    fprintf(out, "coverage of %s:\n", wf->name);
    for (size_t i = 0; i < wf->nsteps; i++) {
        const hb_step *s = &wf->steps[i];
        print_value_coverage(out, wf, s, transitions, untaken);
        const char *labels[64];
        size_t n = 0;
        for (size_t k = 0; k < s->nedges && n < 60; k++)
            labels[n++] = s->edges[k].label;
        if (s->on_timeout)
            labels[n++] = "timeout";
        if (s->on_error)
            labels[n++] = "error";
        for (size_t k = 0; k < n; k++) {
            bool taken = false;
            const cJSON *t;
            cJSON_ArrayForEach(t, transitions)
            {
                const cJSON *from = cJSON_GetObjectItemCaseSensitive(t, "from");
                const cJSON *label = cJSON_GetObjectItemCaseSensitive(t, "label");
                taken = taken || (cJSON_IsString(from) && cJSON_IsString(label) &&
                                  !strcmp(from->valuestring, s->id) &&
                                  !strcmp(label->valuestring, labels[k]));
            }
            fprintf(out, "  %-8s %s %s %s\n", taken ? "taken" : "UNTAKEN",
                    hb_step_kind_name(s->kind), s->id, labels[k]);
            if (!taken)
                (*untaken)++;
        }
    }
}

static hb_status test_workflow(const hb_test_options *o, const char *name, const char *file,
                               hb_test_totals *t, hb_err *e)
{
    hb_scenario_file sf = {.path = hb_scenario_file_for(file, name),
                           .workflow_file = hb_xstrdup(file)};
    if (!hb_file_exists(sf.path)) {
        fprintf(o->out, "no scenarios for %s (expected %s)\n", name, sf.path);
        t->failed++;
        scenario_file_free(&sf);
        return HB_OK;
    }
    hb_status st = load_scenarios(o->engine, &sf, name, e);
    if (st != HB_OK) {
        scenario_file_free(&sf);
        return st;
    }
    cJSON *transitions = cJSON_CreateArray();
    const char *tmp = getenv("TMPDIR");
    for (int i = 1; i <= sf.count; i++) {
        char *home = hb_xasprintf("%s/hb-test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(home)) {
            free(home);
            cJSON_Delete(transitions);
            scenario_file_free(&sf);
            return hb_err_set(e, HB_EINTERNAL, "cannot create a scratch folder for hb test");
        }
        lua_State *L = hb_lua_state(sf.lua);
        lua_rawgeti(L, LUA_REGISTRYINDEX, sf.scenarios_ref);
        lua_rawgeti(L, -1, i);
        lua_getfield(L, -1, "name");
        char *sname = hb_xstrdup(lua_tostring(L, -1));
        lua_pop(L, 3);
        hb_buf report;
        hb_buf_init(&report);
        bool ok = hb_scenario_run(o->engine, &sf, i, home, &report, transitions);
        fprintf(o->out, "%s %s: %s\n", ok ? "ok  " : "FAIL", name, sname);
        if (report.len && (!ok || o->verbose))
            fputs(report.data, o->out);
        if (ok)
            t->passed++;
        else
            t->failed++;
        hb_buf_free(&report);
        free(sname);
        hb_rmtree(home);
        free(home);
    }
    if (o->coverage) {
        hb_workflow *wf = NULL;
        if (hb_workflow_load_file(file, &wf, e) == HB_OK) {
            print_coverage(o->out, wf, transitions, &t->untaken_edges);
            hb_workflow_free(wf);
        }
    }
    cJSON_Delete(transitions);
    scenario_file_free(&sf);
    return HB_OK;
}

typedef struct each_ctx {
    const hb_test_options *o;
    hb_test_totals *t;
    hb_err *e;
    hb_status st;
    int found;
} each_ctx;

static void each_workflow(const char *name, const char *file, void *ud)
{
    each_ctx *c = ud;
    if (c->st != HB_OK)
        return;
    bool wanted = c->o->nnames == 0;
    for (size_t i = 0; i < c->o->nnames && !wanted; i++)
        wanted = !strcmp(c->o->names[i], name);
    if (!wanted)
        return;
    char *sfile = hb_scenario_file_for(file, name);
    bool has = hb_file_exists(sfile);
    if (!has && c->o->nnames == 0 && c->o->coverage) {
        /* Coverage is of every workflow: one without scenarios covers nothing. */
        fprintf(c->o->out, "coverage of %s: NO SCENARIOS (expected %s)\n", name, sfile);
        c->t->untested++;
    }
    free(sfile);
    if (!has && c->o->nnames == 0)
        return; /* otherwise only named workflows must have scenarios */
    c->found++;
    c->st = test_workflow(c->o, name, file, c->t, c->e);
}

hb_status hb_test_run(const hb_test_options *o, hb_test_totals *t, hb_err *e)
{
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < o->nnames; i++) {
        char *f = hb_workflow_find(o->names[i], e);
        if (!f)
            return HB_EUSAGE;
        free(f);
    }
    each_ctx c = {.o = o, .t = t, .e = e, .st = HB_OK};
    hb_workflow_each(each_workflow, &c);
    if (c.st != HB_OK)
        return c.st;
    fprintf(o->out, "%d passed, %d failed\n", t->passed, t->failed);
    if (o->coverage && t->untaken_edges)
        fprintf(o->out, "coverage: %d edge%s untaken\n", t->untaken_edges,
                t->untaken_edges == 1 ? "" : "s");
    if (o->coverage && t->untested)
        fprintf(o->out, "coverage: %d workflow%s without scenarios\n", t->untested,
                t->untested == 1 ? "" : "s");
    if (t->failed || (o->coverage && (t->untaken_edges || t->untested)))
        return HB_EFAILED;
    return HB_OK;
}
