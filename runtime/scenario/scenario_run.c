/* Running one scenario: a fresh HB_HOME and sandbox, the workflow started
 * in-process, the scenario's actions played in order, then the outcome
 * compared and the scenario's check(sb) called. */
#include <lauxlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb/clock.h"
#include "hb/engine.h"
#include "hb/lua_json.h"
#include "hb/sandbox.h"
#include "hb/settings.h"
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
    hb_sandbox *sb;
    char run_id[27];
    hb_time_us now;
    hb_buf *report;
} run_state;

static void set_now(run_state *rs)
{
    char t[32];
    hb_time_format_seconds(rs->now, t);
    hb_setting_override("HB_NOW", t, NULL);
}

static hb_status resume(run_state *rs, hb_kv *answers, size_t nanswers, const char *event,
                        const char *payload)
{
    hb_run_request req = {.run_id = rs->run_id,
                          .answers = answers,
                          .nanswers = nanswers,
                          .event_name = event,
                          .event_json = payload,
                          .actor = "hb-test",
                          .quiet = true,
                          .sandbox_instance = rs->sb};
    hb_err e;
    hb_err_clear(&e);
    hb_status st = hb_engine_resume(&req, &e);
    if (st != HB_OK && st != HB_EPAUSED && st != HB_EFAILED)
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
        size_t n;
        hb_kv *kv = table_to_kv(L, top - 4, &n);
        resume(rs, kv, n, NULL, NULL);
        hb_kv_free(kv, n);
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
        resume(rs, NULL, 0, name, payload);
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
            rs->now += us;
            set_now(rs);
            resume(rs, NULL, 0, NULL, NULL); /* what the worker does once time has passed */
        }
    } else if (lua_toboolean(L, top)) {
        resume(rs, NULL, 0, NULL, NULL);
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

bool hb_scenario_run(hb_scenario_file *sf, int index, const char *home, hb_buf *report,
                     cJSON *transitions_out)
{
    lua_State *L = hb_lua_state(sf->lua);
    int top = lua_gettop(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, sf->scenarios_ref);
    lua_rawgeti(L, -1, index);
    lua_getfield(L, -1, "spec");
    int spec = lua_gettop(L);
    bool passed = true;
    hb_err e;
    hb_err_clear(&e);

    hb_setting_override("HB_HOME", home, NULL);
    run_state rs = {.report = report};
    char *now = opt_field_string(L, spec, "now");
    if (hb_time_parse(now ? now : DEFAULT_NOW, &rs.now, &e) != HB_OK) {
        note(report, "now: %s", e.msg);
        free(now);
        lua_settop(L, top);
        return false;
    }
    free(now);
    set_now(&rs);

    char *state_path = hb_xasprintf("%s/sandbox/state.json", home);
    char *state_dir = hb_dirname(state_path);
    hb_mkdirs(state_dir, 0700, NULL);
    free(state_dir);
    char *faults = opt_field_string(L, spec, "faults");
    hb_sandbox_config cfg = {.state_path = state_path, .faults = faults};
    bool bad = false;
    char *patch = field_json(L, spec, "sandbox", &e, &bad);
    if (bad || hb_sandbox_start(&cfg, &rs.sb, &e) != HB_OK ||
        (patch && hb_sandbox_patch(rs.sb, patch, &e) != HB_OK)) {
        note(report, "sandbox: %s", e.msg);
        passed = false;
    }
    free(patch);
    free(faults);
    free(state_path);

    if (passed) {
        lua_getfield(L, spec, "inputs");
        size_t ninputs, nanswers;
        hb_kv *inputs = table_to_kv(L, lua_gettop(L), &ninputs);
        lua_getfield(L, spec, "answers");
        hb_kv *answers = table_to_kv(L, lua_gettop(L), &nanswers);
        lua_pop(L, 2);
        hb_run_request req = {.workflow = sf->workflow_file,
                              .inputs = inputs,
                              .ninputs = ninputs,
                              .answers = answers,
                              .nanswers = nanswers,
                              .sandbox = true,
                              .allow_duplicate = true,
                              .actor = "hb-test",
                              .quiet = true,
                              .sandbox_instance = rs.sb};
        hb_status st = hb_engine_start(&req, &e);
        memcpy(rs.run_id, req.run_id_out, sizeof rs.run_id);
        hb_kv_free(inputs, ninputs);
        hb_kv_free(answers, nanswers);
        if (!rs.run_id[0]) {
            note(report, "the run did not start: %s", e.msg);
            passed = false;
        } else if (st != HB_OK && st != HB_EPAUSED && st != HB_EFAILED) {
            note(report, "run: %s", e.msg);
        }
    }
    if (passed) {
        lua_getfield(L, spec, "actions");
        int actions = lua_gettop(L);
        size_t n = lua_istable(L, actions) ? lua_rawlen(L, actions) : 0;
        for (size_t i = 1; i <= n && passed; i++) {
            lua_rawgeti(L, actions, (lua_Integer)i);
            passed = play_action(L, lua_gettop(L), &rs, (int)i);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    if (passed) {
        hb_store *store = NULL;
        hb_run run;
        memset(&run, 0, sizeof run);
        path_ctx p = {.transitions = transitions_out};
        hb_buf_init(&p.path);
        if (hb_store_open_default(&store, &e) != HB_OK ||
            store->ops->run_get(store, rs.run_id, &run, &e) != HB_OK ||
            store->ops->audit_iter(store, rs.run_id, collect_path, &p, &e) != HB_OK) {
            note(report, "store: %s", e.msg);
            passed = false;
        } else {
            char *want = expected_path(L, spec);
            if (want && strcmp(want, p.path.data ? p.path.data : "") != 0) {
                note(report, "path: expected %s", want);
                note(report, "      actual   %s", p.path.data ? p.path.data : "(none)");
                passed = false;
            }
            free(want);
            char *status = opt_field_string(L, spec, "status");
            if (status && strcmp(status, hb_run_status_name(run.status)) != 0) {
                note(report, "status: expected %s, actual %s (at step %s)%s%s", status,
                     hb_run_status_name(run.status), run.step, run.error ? ": " : "",
                     run.error ? run.error : "");
                passed = false;
            }
            free(status);
            char *step = opt_field_string(L, spec, "step");
            if (step && strcmp(step, run.step ? run.step : "") != 0) {
                note(report, "final step: expected %s, actual %s", step, run.step);
                passed = false;
            }
            free(step);
            if (!status && !step && !p.path.len)
                note(report, "(path %s, status %s)", p.path.data ? p.path.data : "",
                     hb_run_status_name(run.status));
        }
        hb_buf_free(&p.path);
        hb_run_free(&run);
        hb_store_close(store);
        int assertions = run_check(sf, spec, &rs);
        if (assertions < 0) {
            passed = false;
        } else if (assertions == 0) {
            note(report, "the scenario asserts nothing about the sandbox's state or requests: add "
                         "check = function(sb) ... end");
            passed = false;
        }
    }
    hb_sandbox_stop(rs.sb);
    lua_settop(L, top);
    return passed;
}
