/* Running one scenario: a scratch store and sandbox state in a folder of
 * their own and a clock of its own (all handed to the engine, none through
 * the process's settings), the workflow started in-process, the scenario's
 * actions played in order, then the outcome compared and the scenario's
 * check(sb) called. */
#include <lauxlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/clock.h"
#include "hb/engine.h"
#include "hb/lua_json.h"
#include "hb/sandbox.h"
#include "hb/store.h"
#include "hb/util.h"
#include "scenario_internal.h"

#define DEFAULT_NOW "2026-11-22T10:00:00Z"

static void note(hb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(hb_buf *b, const char *fmt, ...)
{
    char line[2400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    hb_buf_printf(b, "      %s\n", line);
}

/* Lua table {k = v} at idx → hb_kv list with values as text. */
static hb_kv *table_to_kv(lua_State *L, int idx, size_t *n)
{
    *n = 0;
    if (!lua_istable(L, idx))
        return NULL;
    hb_kv *kv = NULL;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        kv = hb_xrealloc(kv, (*n + 1) * sizeof *kv);
        kv[*n].key = hb_xstrdup(luaL_tolstring(L, -2, NULL));
        lua_pop(L, 1);
        kv[*n].value = hb_xstrdup(luaL_tolstring(L, -1, NULL));
        lua_pop(L, 1);
        (*n)++;
        lua_pop(L, 1);
    }
    return kv;
}

static char *field_json(lua_State *L, int idx, const char *field, hb_err *e, bool *bad)
{
    lua_getfield(L, idx, field);
    char *text = NULL;
    if (!lua_isnil(L, -1)) {
        cJSON *j = hb_json_from_lua(L, -1, field, e);
        if (j) {
            text = hb_json_print(j);
            cJSON_Delete(j);
        } else {
            *bad = true;
        }
    }
    lua_pop(L, 1);
    return text;
}

typedef struct run_state {
    hb_engine eng; /* the scenario's: its store, clock and sandbox */
    hb_sandbox *sb;
    hb_clock clock; /* frozen; {advance = "2h"} moves it */
    char run_id[HB_RUN_ID_LEN + 1];
    hb_buf *report;
} run_state;

/* Starts the run (req->run_id NULL) or resumes it, acting as "hb-test". */
static hb_status to_engine(run_state *rs, hb_run_request *req, hb_err *e)
{
    req->actor = "hb-test";
    hb_err_clear(e);
    if (req->run_id)
        return hb_engine_resume(&rs->eng, req, e);
    hb_status st = hb_engine_start(&rs->eng, req, e);
    memcpy(rs->run_id, req->run_id_out, sizeof rs->run_id);
    return st;
}

/* The run's own outcomes (succeeded, waiting, failed) are the scenario's to
 * judge; any other status is a problem worth a note. */
static bool run_outcome(hb_status st)
{
    return st == HB_OK || st == HB_EPAUSED || st == HB_EFAILED;
}

/* Resumes the run with what req brings (answers, an event, or nothing: the
 * worker's look once time has passed). */
static hb_status resume(run_state *rs, hb_run_request *req)
{
    req->run_id = rs->run_id;
    hb_err e;
    hb_status st = to_engine(rs, req, &e);
    if (!run_outcome(st))
        note(rs->report, "resume: %s", e.msg);
    return st;
}

/* Plays one action table at idx. Returns false (with a note) when broken. */
static bool play_action(lua_State *L, int idx, run_state *rs, int number)
{
    hb_err e;
    lua_getfield(L, idx, "answer");
    lua_getfield(L, idx, "event");
    lua_getfield(L, idx, "sandbox");
    lua_getfield(L, idx, "advance");
    lua_getfield(L, idx, "resume");
    int top = lua_gettop(L);
    bool ok = true;
    if (lua_istable(L, top - 4)) {
        hb_run_request req = {0};
        req.answers = table_to_kv(L, top - 4, &req.nanswers);
        resume(rs, &req);
        hb_kv_free(req.answers, req.nanswers);
    } else if (lua_type(L, top - 3) == LUA_TSTRING) {
        const char *name = lua_tostring(L, top - 3);
        lua_getfield(L, idx, "payload");
        char *payload = NULL;
        if (!lua_isnil(L, -1)) {
            cJSON *j = hb_json_from_lua(L, -1, "payload", &e);
            payload = j ? hb_json_print(j) : NULL;
            cJSON_Delete(j);
        }
        lua_pop(L, 1);
        hb_run_request req = {.event_name = name, .event_json = payload};
        resume(rs, &req);
        free(payload);
    } else if (lua_istable(L, top - 2)) {
        cJSON *j = hb_json_from_lua(L, top - 2, "sandbox", &e);
        char *patch = j ? hb_json_print(j) : NULL;
        cJSON_Delete(j);
        if (!patch || hb_sandbox_patch(rs->sb, patch, &e) != HB_OK) {
            note(rs->report, "action %d: sandbox change refused: %s", number, e.msg);
            ok = false;
        }
        free(patch);
    } else if (lua_type(L, top - 1) == LUA_TSTRING) {
        int64_t us;
        if (hb_duration_parse(lua_tostring(L, top - 1), &us, &e) != HB_OK) {
            note(rs->report, "action %d: %s", number, e.msg);
            ok = false;
        } else {
            rs->clock.at += us;
            hb_run_request req = {0};
            resume(rs, &req);
        }
    } else if (lua_toboolean(L, top)) {
        hb_run_request req = {0};
        resume(rs, &req);
    } else {
        note(rs->report,
             "action %d must be {answer={step=value}}, {event=name, payload=...}, "
             "{sandbox={...}}, {advance=\"2h\"} or {resume=true}",
             number);
        ok = false;
    }
    lua_settop(L, top - 5);
    return ok;
}

typedef struct path_ctx {
    hb_buf path;
    char last[256];
    cJSON *transitions;
} path_ctx;

static int collect_path(const hb_audit_event *ev, void *ud)
{
    path_ctx *p = ud;
    if (!strcmp(ev->type, "step_started") && ev->step && strcmp(ev->step, p->last) != 0) {
        hb_buf_printf(&p->path, "%s%s", p->path.len ? " " : "", ev->step);
        snprintf(p->last, sizeof p->last, "%s", ev->step);
    } else if (!strcmp(ev->type, "transition")) {
        cJSON_AddItemToArray(p->transitions, cJSON_Parse(ev->data));
    } else if (!strcmp(ev->type, "answered") && ev->step) {
        /* For coverage of the values a value-collecting ask gave. */
        cJSON *data = cJSON_Parse(ev->data);
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(data, "value");
        if (cJSON_IsString(value)) {
            cJSON *a = cJSON_CreateObject();
            cJSON_AddStringToObject(a, "answered", ev->step);
            cJSON_AddStringToObject(a, "value", value->valuestring);
            cJSON_AddItemToArray(p->transitions, a);
        }
        cJSON_Delete(data);
    }
    return 0;
}

/* The expected path as one space-separated line, from the Lua list at idx. */
static char *expected_path(lua_State *L, int idx)
{
    lua_getfield(L, idx, "path");
    char *out = NULL;
    if (lua_istable(L, -1)) {
        hb_buf b;
        hb_buf_init(&b);
        size_t n = lua_rawlen(L, -1);
        for (size_t i = 1; i <= n; i++) {
            lua_rawgeti(L, -1, (lua_Integer)i);
            hb_buf_printf(&b, "%s%s", b.len ? " " : "",
                          lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
            lua_pop(L, 1);
        }
        out = hb_buf_take(&b);
    }
    lua_pop(L, 1);
    return out;
}

static char *opt_field_string(lua_State *L, int idx, const char *f)
{
    lua_getfield(L, idx, f);
    char *s = lua_type(L, -1) == LUA_TSTRING ? hb_xstrdup(lua_tostring(L, -1)) : NULL;
    lua_pop(L, 1);
    return s;
}

/* Calls spec.check(sb); returns the number of assertions made, -1 when the
 * check raised. Failures are appended to the report. */
static int run_check(hb_scenario_file *sf, int spec, run_state *rs)
{
    lua_State *L = hb_lua_state(sf->lua);
    lua_getfield(L, spec, "check");
    if (!lua_isfunction(L, -1)) {
        lua_pop(L, 1);
        return 0;
    }
    int fn = lua_gettop(L);
    hb_err e;
    lua_rawgeti(L, LUA_REGISTRYINDEX, sf->module_ref);
    lua_getfield(L, -1, "sandbox_view");
    lua_remove(L, -2);
    char *state = hb_sandbox_state_json(rs->sb);
    char *requests = hb_sandbox_requests_json(rs->sb);
    bool pushed = hb_json_push_text(L, state, strlen(state), &e) &&
                  hb_json_push_text(L, requests, strlen(requests), &e);
    free(state);
    free(requests);
    if (!pushed) {
        note(rs->report, "the sandbox state is not JSON: %s", e.msg);
        lua_settop(L, fn - 1);
        return -1;
    }
    if (hb_lua_pcall(sf->lua, 2, 1, NULL, &e) != HB_OK) {
        note(rs->report, "%s", e.msg);
        lua_settop(L, fn - 1);
        return -1;
    }
    int sb = lua_gettop(L);
    lua_pushvalue(L, fn);
    lua_pushvalue(L, sb);
    if (hb_lua_pcall(sf->lua, 1, 0, NULL, &e) != HB_OK) {
        note(rs->report, "check raised: %s", e.msg);
        lua_settop(L, fn - 1);
        return -1;
    }
    lua_getfield(L, sb, "failures");
    size_t n = lua_rawlen(L, -1);
    for (size_t i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, (lua_Integer)i);
        note(rs->report, "%s", lua_tostring(L, -1));
        lua_pop(L, 1);
    }
    lua_getfield(L, sb, "assertions");
    int count = (int)lua_tointeger(L, -1);
    lua_settop(L, fn - 1);
    return n > 0 ? -(int)n - 1 : count;
}

/* The scenario's clock, store and sandbox (seeded, then patched by its
 * `sandbox` table), on an engine like base. false with a note when any is
 * refused. */
static bool open_scenario(const hb_engine *base, lua_State *L, int spec, const char *home,
                          run_state *rs)
{
    hb_err e;
    char *now = opt_field_string(L, spec, "now");
    hb_status st = hb_time_parse(now ? now : DEFAULT_NOW, &rs->clock.at, &e);
    free(now);
    if (st != HB_OK) {
        note(rs->report, "now: %s", e.msg);
        return false;
    }
    rs->clock.frozen = true;
    rs->eng = *base;
    rs->eng.clock = &rs->clock;
    rs->eng.home = home;
    hb_store_options so;
    hb_store_options_from_env(&so);
    char *db = hb_path_join(home, "hb.db");
    st = hb_store_open_sqlite(db, &so, &rs->eng.store, &e);
    free(db);
    if (st != HB_OK) {
        note(rs->report, "store: %s", e.msg);
        return false;
    }
    hb_store_set_clock(rs->eng.store, &rs->clock);

    char *state_dir = hb_path_join(home, "sandbox");
    char *state_path = hb_path_join(state_dir, "state.json");
    char *faults = opt_field_string(L, spec, "faults");
    hb_sandbox_config cfg = {.state_path = state_path, .faults = faults, .clock = &rs->clock};
    bool bad = false;
    char *patch = field_json(L, spec, "sandbox", &e, &bad);
    bool ok = !bad && hb_mkdirs(state_dir, 0700, &e) == HB_OK &&
              hb_sandbox_start(&cfg, &rs->sb, &e) == HB_OK &&
              (!patch || hb_sandbox_patch(rs->sb, patch, &e) == HB_OK);
    if (!ok)
        note(rs->report, "sandbox: %s", e.msg);
    rs->eng.sandbox = rs->sb;
    free(patch);
    free(faults);
    free(state_path);
    free(state_dir);
    return ok;
}

/* Starts the scenario's run with its inputs and answers. */
static bool start_run(hb_scenario_file *sf, lua_State *L, int spec, run_state *rs)
{
    lua_getfield(L, spec, "inputs");
    size_t ninputs, nanswers;
    hb_kv *inputs = table_to_kv(L, lua_gettop(L), &ninputs);
    lua_getfield(L, spec, "answers");
    hb_kv *answers = table_to_kv(L, lua_gettop(L), &nanswers);
    lua_pop(L, 2);
    hb_run_request req = {.workflow_file = sf->workflow_file,
                          .inputs = inputs,
                          .ninputs = ninputs,
                          .answers = answers,
                          .nanswers = nanswers,
                          .sandbox = true,
                          .allow_duplicate = true};
    hb_err e;
    hb_status st = to_engine(rs, &req, &e);
    hb_kv_free(inputs, ninputs);
    hb_kv_free(answers, nanswers);
    if (!rs->run_id[0]) {
        note(rs->report, "the run did not start: %s", e.msg);
        return false;
    }
    if (!run_outcome(st))
        note(rs->report, "run: %s", e.msg);
    return true;
}

static bool play_actions(lua_State *L, int spec, run_state *rs)
{
    lua_getfield(L, spec, "actions");
    int actions = lua_gettop(L);
    size_t n = lua_istable(L, actions) ? lua_rawlen(L, actions) : 0;
    bool passed = true;
    for (size_t i = 1; i <= n && passed; i++) {
        lua_rawgeti(L, actions, (lua_Integer)i);
        passed = play_action(L, lua_gettop(L), rs, (int)i);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return passed;
}

/* Compares the expected text field (may be absent) with the actual one. */
static bool expect_field(lua_State *L, int spec, const char *field, const char *actual, bool *given)
{
    char *want = opt_field_string(L, spec, field);
    *given = want != NULL;
    bool same = !want || !strcmp(want, actual);
    free(want);
    return same;
}

/* The run's path, status and final step against the scenario's. */
static bool check_outcome(lua_State *L, int spec, run_state *rs, cJSON *transitions_out)
{
    hb_store *store = rs->eng.store;
    hb_run run;
    memset(&run, 0, sizeof run);
    path_ctx p = {.transitions = transitions_out};
    hb_buf_init(&p.path);
    hb_err e;
    bool passed = true;
    if (store->ops->run_get(store, rs->run_id, &run, &e) != HB_OK ||
        store->ops->audit_iter(store, rs->run_id, collect_path, &p, &e) != HB_OK) {
        note(rs->report, "store: %s", e.msg);
        passed = false;
        goto out;
    }
    const char *path = p.path.data ? p.path.data : "";
    char *want = expected_path(L, spec);
    if (want && strcmp(want, path) != 0) {
        note(rs->report, "path: expected %s", want);
        note(rs->report, "      actual   %s", p.path.len ? path : "(none)");
        passed = false;
    }
    free(want);
    bool has_status, has_step;
    if (!expect_field(L, spec, "status", hb_run_status_name(run.status), &has_status)) {
        char *status = opt_field_string(L, spec, "status");
        note(rs->report, "status: expected %s, actual %s (at step %s)%s%s", status,
             hb_run_status_name(run.status), run.step, run.error ? ": " : "",
             run.error ? run.error : "");
        free(status);
        passed = false;
    }
    if (!expect_field(L, spec, "step", run.step ? run.step : "", &has_step)) {
        char *step = opt_field_string(L, spec, "step");
        note(rs->report, "final step: expected %s, actual %s", step, run.step);
        free(step);
        passed = false;
    }
    if (!has_status && !has_step && !p.path.len)
        note(rs->report, "(path %s, status %s)", path, hb_run_status_name(run.status));
out:
    hb_buf_free(&p.path);
    hb_run_free(&run);
    return passed;
}

bool hb_scenario_run(const hb_engine *base, hb_scenario_file *sf, int index, const char *home,
                     hb_buf *report, cJSON *transitions_out)
{
    lua_State *L = hb_lua_state(sf->lua);
    int top = lua_gettop(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, sf->scenarios_ref);
    lua_rawgeti(L, -1, index);
    lua_getfield(L, -1, "spec");
    int spec = lua_gettop(L);
    run_state rs = {.report = report};
    bool passed = open_scenario(base, L, spec, home, &rs) && start_run(sf, L, spec, &rs) &&
                  play_actions(L, spec, &rs);
    if (passed) {
        /* Both, so the report says every way the scenario is off. */
        passed = check_outcome(L, spec, &rs, transitions_out);
        int assertions = run_check(sf, spec, &rs);
        if (assertions == 0)
            note(report, "the scenario asserts nothing about the sandbox's state or requests: add "
                         "check = function(sb) ... end");
        passed = passed && assertions > 0;
    }
    hb_sandbox_stop(rs.sb);
    hb_store_close(rs.eng.store);
    lua_settop(L, top);
    return passed;
}
