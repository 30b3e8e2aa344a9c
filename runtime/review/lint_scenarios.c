/* Lint of a scenario file (tests/NAME_test.lua) as a scenario file: the
 * globals of the scenario language instead of the workflow DSL, what
 * loading it reports, and every step, answer, input, event and status it
 * names checked against its workflow, so a misspelt step id in `path` is a
 * file:line in the editor rather than a failed `hb test` later.
 *
 * The file is loaded the way hb test loads it (its top level runs in the
 * sandbox with `scenario` and `scenarios` in scope); nothing else runs: no
 * scenario, no check function. */
#include <lauxlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/file_kind.h"
#include "hb/lua_host.h"
#include "hb/paths.h"
#include "lint_internal.h"

static const char *const STATUSES[] = {"running",   "waiting", "succeeded", "failed",
                                       "cancelled", "planned", NULL};

typedef struct scenario_lint {
    const lint_source *src;
    hb_lint_report *r;
    const hb_workflow *wf; /* NULL when the workflow does not load */
    const char *name;      /* the scenario being checked */
    int line;
} scenario_lint;

/* A problem of the scenario being checked, on the line that sets `field`
 * (from the scenario's own line on), else on the scenario's line. */
static void problem(scenario_lint *c, const char *field, const char *check, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void problem(scenario_lint *c, const char *field, const char *check, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int line = field ? hb_lint_line_assigning(c->src, c->line, field) : c->line;
    hb_lint_add(c->r, c->src->path, line, 0, HB_LINT_ERROR, check, "scenario \"%s\": %s", c->name,
                msg);
}

/* The string keys of the table at idx, sorted: Lua's traversal order is
 * not stable from one run to the next, the report must be. */
static size_t sorted_keys(lua_State *L, int idx, char ***out)
{
    char **keys = NULL;
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        keys = hb_xrealloc(keys, (n + 1) * sizeof *keys);
        keys[n++] = hb_xstrdup(lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "");
        lua_pop(L, 1);
    }
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
            char *t = keys[j];
            keys[j] = keys[j - 1];
            keys[j - 1] = t;
        }
    *out = keys;
    return n;
}

static void free_keys(char **keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
}

/* The step named id, reporting it when the workflow has none such. field
 * says where it was named ("path", "answers", "action 2's answer"); key is
 * the field the line is looked for by. */
static const hb_step *known_step(scenario_lint *c, const char *key, const char *field,
                                 const char *id)
{
    int i = hb_workflow_step_index(c->wf, id);
    if (i >= 0)
        return &c->wf->steps[i];
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t k = 0; k < c->wf->nsteps; k++) {
        size_t d = hb_edit_distance(c->wf->steps[k].id, id);
        if (d < best_d) {
            best_d = d;
            best = c->wf->steps[k].id;
        }
    }
    problem(c, key, "scenario-step", "%s names unknown step '%s' of workflow '%s'%s%s%s", field, id,
            c->wf->name, best ? " (did you mean '" : "", best ? best : "", best ? "'?)" : "");
    return NULL;
}

static void check_answers(scenario_lint *c, lua_State *L, int idx, const char *key,
                          const char *field)
{
    if (!lua_istable(L, idx))
        return;
    char **ids;
    size_t n = sorted_keys(L, idx, &ids);
    for (size_t i = 0; i < n; i++) {
        const hb_step *s = *ids[i] ? known_step(c, key, field, ids[i]) : NULL;
        if (!*ids[i])
            problem(c, key, "scenario-step", "%s has a key that is not a step id", field);
        else if (s && s->kind != HB_STEP_ASK)
            problem(c, key, "scenario-step",
                    "%s names '%s', a %s step: only ask steps take answers", field, ids[i],
                    hb_step_kind_name(s->kind));
    }
    free_keys(ids, n);
}

static void check_inputs(scenario_lint *c, lua_State *L, int idx)
{
    char **names = NULL;
    size_t n = lua_istable(L, idx) ? sorted_keys(L, idx, &names) : 0;
    for (size_t k = 0; k < n; k++) {
        bool declared = false;
        for (size_t i = 0; i < c->wf->ninputs && !declared; i++)
            declared = !strcmp(c->wf->inputs[i].name, names[k]);
        if (!declared)
            problem(c, "inputs", "scenario-input",
                    "inputs names '%s', which workflow '%s' does not take", names[k], c->wf->name);
    }
    free_keys(names, n);
    for (size_t i = 0; i < c->wf->ninputs; i++) {
        if (c->wf->inputs[i].optional)
            continue;
        bool given = false;
        if (lua_istable(L, idx)) {
            lua_getfield(L, idx, c->wf->inputs[i].name);
            given = !lua_isnil(L, -1);
            lua_pop(L, 1);
        }
        if (!given)
            problem(c, "inputs", "scenario-input",
                    "the required input '%s' is not given (inputs = { %s = ... })",
                    c->wf->inputs[i].name, c->wf->inputs[i].name);
    }
}

static void check_event(scenario_lint *c, const char *name, size_t number)
{
    for (size_t i = 0; i < c->wf->nsteps; i++)
        if (c->wf->steps[i].event && !strcmp(c->wf->steps[i].event, name))
            return;
    problem(c, "actions", "scenario-event",
            "action %zu sends event '%s', which no wait of workflow '%s' waits for", number, name,
            c->wf->name);
}

static void check_actions(scenario_lint *c, lua_State *L, int idx)
{
    if (!lua_istable(L, idx))
        return;
    size_t n = lua_rawlen(L, idx);
    for (size_t i = 1; i <= n; i++) {
        lua_rawgeti(L, idx, (lua_Integer)i);
        int a = lua_gettop(L);
        lua_getfield(L, a, "answer");
        lua_getfield(L, a, "event");
        lua_getfield(L, a, "sandbox");
        lua_getfield(L, a, "advance");
        lua_getfield(L, a, "resume");
        if (lua_istable(L, a + 1)) {
            char field[64];
            snprintf(field, sizeof field, "action %zu's answer", i);
            check_answers(c, L, a + 1, "actions", field);
        } else if (lua_type(L, a + 2) == LUA_TSTRING) {
            check_event(c, lua_tostring(L, a + 2), i);
        } else if (!lua_istable(L, a + 3) && lua_type(L, a + 4) != LUA_TSTRING &&
                   !lua_toboolean(L, a + 5)) {
            problem(c, "actions", "scenario-action",
                    "action %zu must be {answer={step=value}}, {event=name, payload=...}, "
                    "{sandbox={...}}, {advance=\"2h\"} or {resume=true}",
                    i);
        }
        lua_settop(L, a - 1);
    }
}

static void check_scenario(scenario_lint *c, lua_State *L, int spec)
{
    lua_getfield(L, spec, "path");
    if (lua_istable(L, -1)) {
        size_t n = lua_rawlen(L, -1);
        for (size_t i = 1; i <= n; i++) {
            lua_rawgeti(L, -1, (lua_Integer)i);
            if (lua_type(L, -1) == LUA_TSTRING)
                known_step(c, "path", "path", lua_tostring(L, -1));
            else
                problem(c, "path", "scenario-step", "path item %zu is not a step id", i);
            lua_pop(L, 1);
        }
    }
    lua_getfield(L, spec, "step");
    if (lua_type(L, -1) == LUA_TSTRING)
        known_step(c, "step", "step", lua_tostring(L, -1));
    lua_getfield(L, spec, "status");
    if (lua_type(L, -1) == LUA_TSTRING) {
        const char *status = lua_tostring(L, -1);
        bool known = false;
        for (const char *const *k = STATUSES; *k && !known; k++)
            known = !strcmp(*k, status);
        if (!known)
            problem(c, "status", "scenario-status",
                    "status '%s' is not a run status (running, waiting, succeeded, failed, "
                    "cancelled, planned)",
                    status);
    }
    lua_getfield(L, spec, "answers");
    check_answers(c, L, lua_gettop(L), "answers", "answers");
    lua_getfield(L, spec, "inputs");
    check_inputs(c, L, lua_gettop(L));
    lua_getfield(L, spec, "actions");
    check_actions(c, L, lua_gettop(L));
    lua_pop(L, 6);
}

static int line_of_where(const char *where)
{
    const char *colon = where ? strrchr(where, ':') : NULL;
    return colon ? atoi(colon + 1) : 1;
}

/* The table the file returned, at idx. */
static void check_returned(scenario_lint *c, lua_State *L, int idx, const char *workflow)
{
    lua_getfield(L, idx, "kind");
    bool ok = lua_type(L, -1) == LUA_TSTRING && !strcmp(lua_tostring(L, -1), "scenarios");
    lua_pop(L, 1);
    if (!ok) {
        hb_lint_add(c->r, c->src->path, 1, 0, HB_LINT_ERROR, "structure",
                    "the file must return scenarios \"%s\" { ... }", workflow);
        return;
    }
    lua_getfield(L, idx, "where");
    int line = line_of_where(lua_tostring(L, -1));
    lua_getfield(L, idx, "workflow");
    const char *named = lua_tostring(L, -1);
    if (!named || strcmp(named, workflow) != 0)
        hb_lint_add(c->r, c->src->path, line, 0, HB_LINT_ERROR, "scenario-workflow",
                    "these scenarios are for workflow '%s', but the file is the one of '%s' "
                    "(tests/%s_test.lua): hb test would refuse them",
                    named ? named : "(none)", workflow, workflow);
    lua_pop(L, 2);
    if (!c->wf)
        return;
    lua_getfield(L, idx, "scenarios");
    int list = lua_gettop(L);
    size_t n = lua_istable(L, list) ? lua_rawlen(L, list) : 0;
    for (size_t i = 1; i <= n; i++) {
        lua_rawgeti(L, list, (lua_Integer)i);
        lua_getfield(L, -1, "name");
        lua_getfield(L, -2, "where");
        lua_getfield(L, -3, "spec");
        c->name = lua_tostring(L, -3) ? lua_tostring(L, -3) : "?";
        c->line = line_of_where(lua_tostring(L, -2));
        if (lua_istable(L, -1))
            check_scenario(c, L, lua_gettop(L));
        lua_pop(L, 4);
    }
    lua_pop(L, 1);
}

/* The names hb test gives a scenario file (runtime/scenario/scenario.c),
 * from the hb.scenario module. */
static const char *const SCENARIO_GLOBALS[] = {"scenario", "scenarios", NULL};

/* A sandbox with the scenario language in scope, as hb test builds it. */
static hb_lua *scenario_sandbox(const char *home, hb_err *e)
{
    hb_lua_limits limits;
    if (hb_lua_limits_from_env(&limits, e) != HB_OK)
        return NULL;
    char *stdlib = hb_stdlib_dir();
    hb_lua_modules mods = {.stdlib_dir = stdlib, .workflow_dir = home};
    hb_lua *lua = hb_lua_new(&limits, &mods, e);
    free(stdlib);
    if (!lua)
        return NULL;
    lua_State *L = hb_lua_state(lua);
    if (hb_lua_require(lua, "hb.scenario", e) != HB_OK) {
        hb_lua_free(lua);
        return NULL;
    }
    for (const char *const *g = SCENARIO_GLOBALS; *g; g++) {
        lua_getfield(L, -1, *g);
        hb_lua_set_workflow_global(lua, *g);
    }
    lua_pop(L, 1);
    return lua;
}

/* Runs the file's top level; pushes what it returned. */
static hb_status run_scenarios(hb_lua *lua, const lint_source *src, hb_err *e)
{
    hb_status st = hb_lua_load(lua, src->path, src->text, src->len, false, e);
    if (st == HB_OK)
        st = hb_lua_pcall(lua, 0, 1, NULL, e);
    return st;
}

hb_status hb_lint_scenario_file(const char *path, hb_lint_report *r, hb_err *e)
{
    hb_file_info info;
    hb_file_info_of(path, &info);
    hb_err le;
    hb_lua *lua = scenario_sandbox(info.home, &le);
    lint_source src;
    hb_chunk_facts facts;
    lint_env env;
    hb_status st = hb_lint_begin(path, lua, &le, r, &src, &facts, &env, e);
    if (st != HB_OK) {
        hb_file_info_free(&info);
        return st == HB_EFAILED ? HB_OK : st;
    }
    hb_lint_check_globals(&env, &src, &facts, NULL, r);

    char *wf_file = hb_xasprintf("%s/%s.lua", info.home, info.name);
    hb_workflow *wf = NULL;
    hb_err we;
    if (!hb_file_exists(wf_file))
        hb_lint_add(r, path, 1, 0, HB_LINT_ERROR, "scenario-workflow",
                    "no workflow %s for this scenario file (expected %s)", info.name, wf_file);
    else if (hb_workflow_load_file(wf_file, &wf, &we) != HB_OK)
        wf = NULL; /* its own lint reports why */
    if (run_scenarios(lua, &src, &le) != HB_OK) {
        hb_lint_add_load_problems(&src, le.msg, &facts, r);
    } else {
        scenario_lint c = {.src = &src, .r = r, .wf = wf};
        lua_State *L = hb_lua_state(lua);
        check_returned(&c, L, lua_gettop(L), info.name);
    }
    hb_lua_free(lua);
    hb_workflow_free(wf);
    free(wf_file);
    hb_file_info_free(&info);
    hb_chunk_facts_free(&facts);
    free((char *)src.text);
    return HB_OK;
}
