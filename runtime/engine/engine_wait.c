/* Wait steps: for an event, a condition polled on a schedule, or a time;
 * each with an optional timeout. A wait that cannot end now pauses the run
 * and says when a worker should look again (due_at). The moment the wait
 * began is kept across resumes, so a timeout counts from the first arrival. */
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "hb/clock.h"
#include "hb/lua_json.h"
#include "hb/util.h"

/* When this run first reached the wait step (now, unless it waits here already). */
static hb_time_us wait_since(const hb_exec *x, const hb_step *s, hb_time_us now)
{
    if (!x->run.wait_json)
        return now;
    cJSON *w = cJSON_Parse(x->run.wait_json);
    hb_time_us since = now;
    const cJSON *step = cJSON_GetObjectItemCaseSensitive(w, "step");
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(w, "since");
    if (cJSON_IsString(step) && !strcmp(step->valuestring, s->id) && cJSON_IsString(at))
        hb_time_parse(at->valuestring, &since, NULL);
    cJSON_Delete(w);
    return since;
}

/* Evaluates a duration given literally or by function(ctx) returning "8h"
 * or a number of seconds. */
static bool eval_duration(hb_exec *x, const hb_timespec *t, int64_t *us, hb_outcome *o,
                          const char *what)
{
    if (t->fn_ref == LUA_NOREF) {
        *us = t->literal_us;
        return true;
    }
    lua_State *L = hb_lua_state(x->lua);
    int top = lua_gettop(L);
    hb_err err;
    char *tb = NULL;
    if (hb_ctx_call(x, t->fn_ref, 1, &tb, &err) != HB_OK) {
        o->kind = HB_OUT_ERROR;
        o->error = hb_xasprintf("%s: %s", what, err.msg);
        o->traceback = tb;
        o->result = hb_xstrdup("error");
        return false;
    }
    bool ok = true;
    if (lua_isinteger(L, -1)) {
        *us = lua_tointeger(L, -1) * 1000000;
    } else if (lua_type(L, -1) == LUA_TSTRING) {
        ok = hb_duration_parse(lua_tostring(L, -1), us, &err) == HB_OK;
    } else {
        ok = false;
        snprintf(err.msg, sizeof err.msg, "must return a duration such as \"8h\", not a %s",
                 luaL_typename(L, -1));
    }
    lua_settop(L, top);
    if (!ok) {
        o->kind = HB_OUT_ERROR;
        o->error = hb_xasprintf("%s: %s", what, err.msg);
        o->result = hb_xstrdup("error");
    }
    return ok;
}

static bool eval_at(hb_exec *x, const hb_step *s, hb_time_us *due, hb_outcome *o)
{
    lua_State *L = hb_lua_state(x->lua);
    int top = lua_gettop(L);
    hb_err err;
    char *tb = NULL;
    if (hb_ctx_call(x, s->at_ref, 1, &tb, &err) != HB_OK) {
        o->kind = HB_OUT_ERROR;
        o->error = hb_xasprintf("at: %s", err.msg);
        o->traceback = tb;
        o->result = hb_xstrdup("error");
        return false;
    }
    const char *text = lua_tostring(L, -1);
    bool ok = text && hb_time_parse(text, due, &err) == HB_OK;
    lua_settop(L, top);
    if (!ok) {
        o->kind = HB_OUT_ERROR;
        o->error = hb_xstrdup("at(ctx) must return an ISO 8601 time such as 2026-11-23T09:00:00Z");
        o->result = hb_xstrdup("error");
    }
    return ok;
}

static void add_time(cJSON *obj, const char *name, hb_time_us t)
{
    char buf[32];
    hb_time_format_seconds(t, buf);
    cJSON_AddStringToObject(obj, name, buf);
}

static void proceed(hb_outcome *o, const char *next, const char *label, const char *result)
{
    o->kind = HB_OUT_NEXT;
    o->next = next;
    o->label = label ? hb_xstrdup(label) : NULL;
    o->result = hb_xstrdup(result);
}

static hb_time_us earliest(hb_time_us a, hb_time_us b)
{
    if (a == 0)
        return b;
    if (b == 0)
        return a;
    return a < b ? a : b;
}

hb_status hb_exec_wait(hb_exec *x, size_t i, hb_outcome *o, hb_err *e)
{
    (void)e;
    const hb_step *s = &x->wf->steps[i];
    const char *next = hb_step_default_next(x->wf, i);
    hb_time_us now = hb_clock_now();
    hb_time_us since = wait_since(x, s, now);
    hb_time_us deadline = 0, due = 0, next_check = 0;
    if (s->timeout.set) {
        int64_t us;
        if (!eval_duration(x, &s->timeout, &us, o, "timeout"))
            return HB_OK;
        deadline = since + us;
    }

    if (s->event && x->req->event_name && !x->event_used && !strcmp(x->req->event_name, s->event)) {
        lua_State *L = hb_lua_state(x->lua);
        const char *json = x->req->event_json ? x->req->event_json : "null";
        hb_err err;
        if (!hb_json_push_text(L, json, strlen(json), &err)) {
            o->kind = HB_OUT_USAGE;
            o->error = hb_xasprintf("the payload of event '%s' is not JSON: %s", s->event, err.msg);
            o->result = hb_xstrdup("invalid");
            return HB_OK;
        }
        hb_ctx_set_event(x, s->id);
        x->event_used = true;
        proceed(o, next, s->event, "event");
        return HB_OK;
    }
    if (s->after.set) {
        int64_t us;
        if (!eval_duration(x, &s->after, &us, o, "after"))
            return HB_OK;
        due = since + us;
        if (now >= due) {
            proceed(o, next, NULL, "time reached");
            return HB_OK;
        }
    }
    if (s->at_ref != LUA_NOREF) {
        if (!eval_at(x, s, &due, o))
            return HB_OK;
        if (now >= due) {
            proceed(o, next, NULL, "time reached");
            return HB_OK;
        }
    }
    if (s->condition_ref != LUA_NOREF) {
        lua_State *L = hb_lua_state(x->lua);
        int top = lua_gettop(L);
        hb_err err;
        char *tb = NULL;
        if (hb_ctx_call(x, s->condition_ref, 1, &tb, &err) != HB_OK) {
            o->kind = HB_OUT_ERROR;
            o->error = hb_xasprintf("condition: %s", err.msg);
            o->traceback = tb;
            o->result = hb_xstrdup("error");
            return HB_OK;
        }
        bool met = lua_toboolean(L, -1);
        lua_settop(L, top);
        if (met) {
            proceed(o, next, NULL, "condition met");
            return HB_OK;
        }
        next_check = now + s->every_us;
    }
    if (deadline && now >= deadline) {
        proceed(o, s->on_timeout, "timeout", "timeout");
        return HB_OK;
    }

    o->kind = HB_OUT_PAUSE;
    o->result = hb_xstrdup("waiting");
    o->wait = cJSON_CreateObject();
    const char *kind = s->event ? "event" : s->condition_ref != LUA_NOREF ? "condition" : "time";
    cJSON_AddStringToObject(o->wait, "kind", kind);
    cJSON_AddStringToObject(o->wait, "step", s->id);
    if (s->description)
        cJSON_AddStringToObject(o->wait, "description", s->description);
    if (s->event)
        cJSON_AddStringToObject(o->wait, "event", s->event);
    add_time(o->wait, "since", since);
    if (deadline)
        add_time(o->wait, "until", deadline);
    if (due)
        add_time(o->wait, "due", due);
    if (next_check)
        add_time(o->wait, "next_check", next_check);
    o->due_at = earliest(earliest(deadline, due), next_check);
    return HB_OK;
}
