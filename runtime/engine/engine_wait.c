/* Wait steps: for an event, a condition polled on a schedule, or a time;
 * each with an optional timeout. A wait that cannot end now pauses the run
 * and says when a worker should look again (due_at). The moment the wait
 * began is kept across resumes, so a timeout counts from the first arrival. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "hb/clock.h"
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

/* The step fails with "what: message". */
static bool fail(hb_outcome *o, const char *what, const hb_err *err, char *traceback)
{
    char *msg = hb_xasprintf("%s: %s", what, err->msg);
    hb_outcome_error(o, msg, traceback);
    free(msg);
    return false;
}

/* Evaluates a duration given literally or by function(ctx) returning "8h"
 * or a number of seconds. */
static bool eval_duration(hb_exec *x, const hb_timespec *t, int64_t *us, hb_outcome *o,
                          const char *what)
{
    if (t->fn_ref == HB_LUA_NOREF) {
        *us = t->literal_us;
        return true;
    }
    hb_err err;
    char *tb = NULL;
    if (hb_lua_ctx_call_duration(x->ctx, t->fn_ref, us, &tb, &err) != HB_OK)
        return fail(o, what, &err, tb);
    return true;
}

static bool eval_at(hb_exec *x, const hb_step *s, hb_time_us *due, hb_outcome *o)
{
    hb_err err;
    char *tb = NULL;
    char *text = NULL;
    if (hb_lua_ctx_call_string(x->ctx, s->at_ref, &text, &tb, &err) != HB_OK)
        return fail(o, "at", &err, tb);
    bool ok = text && hb_time_parse(text, due, &err) == HB_OK;
    free(text);
    if (!ok)
        hb_outcome_error(o, "at(ctx) must return an ISO 8601 time such as 2026-11-23T09:00:00Z",
                         NULL);
    return ok;
}

/* A wait for an event that the request delivers: ctx.events[step]. */
static void take_event(hb_exec *x, const hb_step *s, const char *next, hb_outcome *o)
{
    hb_err err;
    const char *json = x->req->event_json ? x->req->event_json : "null";
    char *problem = hb_payload_check(s, json);
    if (problem) {
        o->kind = HB_OUT_USAGE;
        o->error = problem;
        o->result = hb_xstrdup("invalid");
        return;
    }
    if (hb_lua_ctx_set(x->ctx, HB_CTX_EVENTS, s->id, json, &err) != HB_OK) {
        o->kind = HB_OUT_USAGE;
        o->error = hb_xasprintf("the payload of event '%s' is not JSON: %s", s->event, err.msg);
        o->result = hb_xstrdup("invalid");
        return;
    }
    x->event_used = true;
    hb_outcome_next(o, next, s->event, "event");
}

static void add_time(cJSON *obj, const char *name, hb_time_us t)
{
    char buf[32];
    hb_time_format_seconds(t, buf);
    cJSON_AddStringToObject(obj, name, buf);
}

static hb_time_us earliest(hb_time_us a, hb_time_us b)
{
    if (a == 0)
        return b;
    if (b == 0)
        return a;
    return a < b ? a : b;
}

/* The outcome of a wait that cannot end now: what it waits for. */
static void pause_at(hb_exec *x, const hb_step *s, hb_outcome *o)
{
    o->kind = HB_OUT_PAUSE;
    o->result = hb_xstrdup("waiting");
    o->wait = cJSON_CreateObject();
    const char *kind = s->event ? "event" : s->condition_ref != HB_LUA_NOREF ? "condition" : "time";
    cJSON_AddStringToObject(o->wait, "kind", kind);
    cJSON_AddStringToObject(o->wait, "step", s->id);
    if (s->description)
        cJSON_AddStringToObject(o->wait, "description", s->description);
    if (s->event)
        cJSON_AddStringToObject(o->wait, "event", s->event);
    if (s->npayload)
        cJSON_AddItemToObject(o->wait, "payload", hb_payload_shape(s));
    if (s->every_us) {
        char *every = hb_duration_text(s->every_us);
        cJSON_AddStringToObject(o->wait, "every", every);
        free(every);
    }
    if (s->timeout.set && s->on_timeout)
        cJSON_AddStringToObject(o->wait, "on_timeout", s->on_timeout);
    hb_context c;
    hb_context_build(x, s, &c);
    hb_context_add_to(&c, o->wait);
    hb_context_free(&c);
}

hb_status hb_exec_wait(hb_exec *x, size_t i, hb_outcome *o, hb_err *e)
{
    (void)e;
    const hb_step *s = &x->wf->steps[i];
    /* A dry run ends at its first wait, before any of the wait's functions
     * runs: they would see planned results (an issue that was never
     * created has no iid to look up). */
    if (x->run.dry_run) {
        pause_at(x, s, o);
        return HB_OK;
    }
    const char *next = hb_step_default_next(x->wf, i);
    hb_time_us now = hb_exec_now(x);
    hb_time_us since = wait_since(x, s, now);
    hb_time_us deadline = 0, due = 0, next_check = 0;
    if (s->timeout.set) {
        int64_t us;
        if (!eval_duration(x, &s->timeout, &us, o, "timeout"))
            return HB_OK;
        deadline = since + us;
    }

    if (s->event && x->req && x->req->event_name && !x->event_used &&
        !strcmp(x->req->event_name, s->event)) {
        take_event(x, s, next, o);
        return HB_OK;
    }
    if (s->after.set) {
        int64_t us;
        if (!eval_duration(x, &s->after, &us, o, "after"))
            return HB_OK;
        due = since + us;
        if (now >= due) {
            hb_outcome_next(o, next, NULL, "time reached");
            return HB_OK;
        }
    }
    if (s->at_ref != HB_LUA_NOREF) {
        if (!eval_at(x, s, &due, o))
            return HB_OK;
        if (now >= due) {
            hb_outcome_next(o, next, NULL, "time reached");
            return HB_OK;
        }
    }
    if (s->condition_ref != HB_LUA_NOREF) {
        hb_err err;
        char *tb = NULL;
        bool met = false;
        if (hb_lua_ctx_call_bool(x->ctx, s->condition_ref, &met, &tb, &err) != HB_OK) {
            fail(o, "condition", &err, tb);
            return HB_OK;
        }
        if (met) {
            hb_outcome_next(o, next, NULL, "condition met");
            return HB_OK;
        }
        next_check = now + s->every_us;
    }
    if (deadline && now >= deadline) {
        hb_outcome_next(o, s->on_timeout, "timeout", "timeout");
        return HB_OK;
    }

    pause_at(x, s, o);
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
