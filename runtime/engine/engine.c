/* Starting, resuming and cancelling runs, and the step loop with its
 * checkpoints. Each step: step_started → execute → one transaction holding
 * the new position, ctx.vars, step_finished and the transition. */
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine_internal.h"
#include "hb/audit.h"
#include "hb/clock.h"
#include "hb/paths.h"
#include "hb/workflow_find.h"
#include "hb/settings.h"
#include "hb/sha256.h"
#include "hb/lua_json.h"
#include "hb/util.h"

hb_status hb_exec_audit(hb_exec *x, const char *type, cJSON *data, hb_err *e)
{
    hb_status st = hb_store_begin(x->store, e);
    if (st != HB_OK)
        return st;
    st = hb_audit_append(x->store, x->run.id, type, x->current_step, x->actor, data, NULL, e);
    if (st == HB_OK)
        return hb_store_commit(x->store, e);
    hb_store_rollback(x->store);
    return st;
}

static void exec_free(hb_exec *x)
{
    if (x->store && x->run_inserted && x->lease_holder[0]) {
        hb_err ignored;
        x->store->ops->run_release(x->store, x->run.id, x->lease_holder, &ignored);
    }
    if (x->wf)
        hb_workflow_free(x->wf); /* the Lua state first: it may hold references to the services */
    hb_exec_services_close(x);
    hb_pins_free(x);
    hb_run_free(&x->run);
    hb_store_close(x->store);
    free(x->answer_used);
    free(x->stdlib_dir);
}

static hb_status open_workflow(hb_exec *x, const char *file, const char *src, size_t len, hb_err *e)
{
    hb_lua_limits limits;
    hb_status st = hb_lua_limits_from_env(&limits, e);
    if (st != HB_OK)
        return st;
    x->stdlib_dir = hb_stdlib_dir();
    char *dir = hb_dirname(file);
    hb_lua_modules mods = {.stdlib_dir = x->stdlib_dir, .workflow_dir = dir};
    hb_pins_hooks(x, &mods);
    hb_lua *lua = hb_lua_new(&limits, &mods, e);
    free(dir);
    if (!lua)
        return e->code ? e->code : HB_EINTERNAL;
    hb_lua_set_userdata(lua, x);
    st = hb_workflow_load(lua, file, src, len, &x->wf, e);
    if (st != HB_OK)
        return st;
    x->lua = x->wf->lua;
    return HB_OK;
}

/* Every --answer must name an ask step of the workflow. */
static hb_status check_answer_steps(const hb_exec *x, hb_err *e)
{
    for (size_t i = 0; i < x->req->nanswers; i++) {
        int idx = hb_workflow_step_index(x->wf, x->req->answers[i].key);
        if (idx >= 0 && x->wf->steps[idx].kind == HB_STEP_ASK)
            continue;
        hb_buf asks;
        hb_buf_init(&asks);
        for (size_t k = 0; k < x->wf->nsteps; k++)
            if (x->wf->steps[k].kind == HB_STEP_ASK)
                hb_buf_printf(&asks, "%s%s", asks.len ? ", " : "", x->wf->steps[k].id);
        hb_err_set(e, HB_EUSAGE, "--answer %s: workflow '%s' has no ask step '%s' (its asks: %s)",
                   x->req->answers[i].key, x->wf->name, x->req->answers[i].key,
                   asks.len ? asks.data : "none");
        hb_buf_free(&asks);
        return HB_EUSAGE;
    }
    return HB_OK;
}

typedef struct dup_ctx {
    char id[HB_RUN_ID_LEN + 1];
    hb_run_status status;
    char *step;
} dup_ctx;

static int found_duplicate(const hb_run *r, void *ud)
{
    dup_ctx *d = ud;
    memcpy(d->id, r->id, sizeof d->id);
    d->status = r->status;
    d->step = hb_xstrdup(r->step ? r->step : "");
    return 1;
}

static hb_status refuse_duplicate(hb_exec *x, hb_err *e)
{
    hb_run_filter f = {.input_key = x->run.input_key, .active_only = true, .limit = 1};
    dup_ctx d = {.step = NULL};
    hb_status st = x->store->ops->run_list(x->store, &f, found_duplicate, &d, e);
    if (st != HB_OK)
        return st;
    if (!d.step)
        return HB_OK;
    hb_err_set(e, HB_EUSAGE,
               "run %s of %s with the same inputs is already %s (at step %s); continue it with "
               "`hb resume %s`, or pass --allow-duplicate to start another",
               d.id, x->wf->name, hb_run_status_name(d.status), d.step, d.id);
    free(d.step);
    return HB_EUSAGE;
}

static hb_status claim(hb_exec *x, hb_err *e)
{
    hb_store_lease_holder_self(x->lease_holder);
    int64_t lease_s;
    hb_status st = hb_setting_int("HB_LEASE_SECONDS", &lease_s, e);
    if (st != HB_OK)
        return st;
    return x->store->ops->run_claim(x->store, x->run.id, x->lease_holder,
                                    hb_clock_wall() + lease_s * 1000000, e);
}

static cJSON *parse_or_empty(const char *json)
{
    cJSON *v = json ? cJSON_Parse(json) : NULL;
    return v ? v : cJSON_CreateObject();
}

/* Writes the run row and the events of a checkpoint in one transaction. */
static hb_status checkpoint(hb_exec *x, cJSON *ev1_data, const char *ev1, cJSON *ev2_data,
                            const char *ev2, hb_err *e)
{
    x->run.updated_at = hb_clock_wall();
    hb_status st = hb_store_begin(x->store, e);
    if (st != HB_OK)
        return st;
    hb_run_scrub(&x->run);
    st = x->store->ops->run_update(x->store, &x->run, e);
    if (st == HB_OK && ev1)
        st =
            hb_audit_append(x->store, x->run.id, ev1, x->current_step, x->actor, ev1_data, NULL, e);
    if (st == HB_OK && ev2)
        st =
            hb_audit_append(x->store, x->run.id, ev2, x->current_step, x->actor, ev2_data, NULL, e);
    if (st == HB_OK)
        return hb_store_commit(x->store, e);
    hb_store_rollback(x->store);
    return st;
}

static void set_status(hb_exec *x, const char *status)
{
    hb_run_status_parse(status, &x->run.status);
}

static cJSON *step_finished_data(const hb_step *s, const hb_outcome *o, double ms)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "kind", hb_step_kind_name(s->kind));
    cJSON_AddStringToObject(d, "outcome", o->result ? o->result : "");
    cJSON_AddNumberToObject(d, "ms", (double)(long long)ms);
    if (o->error)
        cJSON_AddStringToObject(d, "error", o->error);
    if (o->traceback)
        cJSON_AddStringToObject(d, "traceback", o->traceback);
    return d;
}

static hb_status finish(hb_exec *x, const char *status, const hb_step *s, const hb_outcome *o,
                        double ms, hb_err *e)
{
    set_status(x, status);
    free(x->run.wait_json);
    x->run.wait_json = NULL;
    x->run.due_at = 0;
    if (o && o->error && strcmp(status, "succeeded") != 0) {
        free(x->run.error);
        x->run.error = hb_xstrdup(o->error);
    }
    cJSON *fin = cJSON_CreateObject();
    cJSON_AddStringToObject(fin, "status", status);
    if (x->run.error)
        cJSON_AddStringToObject(fin, "error", x->run.error);
    cJSON *sf = s && o ? step_finished_data(s, o, ms) : NULL;
    hb_status st = checkpoint(x, sf, sf ? "step_finished" : NULL, fin, "run_finished", e);
    cJSON_Delete(sf);
    cJSON_Delete(fin);
    return st;
}

static hb_status pause_run(hb_exec *x, const hb_step *s, hb_outcome *o, double ms, hb_err *e)
{
    if (x->run.dry_run) {
        hb_status st = finish(x, "planned", NULL, NULL, 0, e);
        hb_trace_step(x, s, "dry run ends here", ms);
        return st;
    }
    set_status(x, "waiting");
    free(x->run.wait_json);
    x->run.wait_json = hb_json_print(o->wait);
    x->run.due_at = o->due_at;
    hb_status st = checkpoint(x, o->wait, "waiting", NULL, NULL, e);
    hb_trace_step(x, s, o->result, ms);
    return st;
}

/* Runs steps from x->run.step until the run pauses or ends. */
static hb_status step_loop(hb_exec *x, hb_err *e)
{
    for (;;) {
        int idx = hb_workflow_step_index(x->wf, x->run.step);
        if (idx < 0)
            return hb_err_set(e, HB_EINTERNAL,
                              "run %s is at step '%s', which its workflow does not "
                              "have",
                              x->run.id, x->run.step);
        const hb_step *s = &x->wf->steps[idx];
        x->current_step = s->id;
        cJSON *started = cJSON_CreateObject();
        cJSON_AddStringToObject(started, "kind", hb_step_kind_name(s->kind));
        hb_status st = hb_exec_audit(x, "step_started", started, e);
        cJSON_Delete(started);
        if (st != HB_OK)
            return st;
        hb_once_step_started(x, s->id);

        int64_t t0 = hb_clock_monotonic_us();
        hb_outcome o;
        st = hb_exec_step(x, (size_t)idx, &o, e);
        double ms = (double)(hb_clock_monotonic_us() - t0) / 1000.0;
        if (st != HB_OK) {
            hb_outcome_free(&o);
            return st;
        }
        if (o.kind == HB_OUT_NEXT || o.kind == HB_OUT_PAUSE) {
            hb_err snap;
            if (hb_ctx_snapshot(x, &snap) != HB_OK) {
                hb_outcome_free(&o);
                o.kind = HB_OUT_ERROR;
                o.error = hb_xstrdup(snap.msg);
                o.result = hb_xstrdup("error");
            }
        }
        switch (o.kind) {
        case HB_OUT_NEXT: {
            cJSON *sf = step_finished_data(s, &o, ms);
            cJSON *tr = cJSON_CreateObject();
            cJSON_AddStringToObject(tr, "from", s->id);
            cJSON_AddStringToObject(tr, "to", o.next);
            if (o.label)
                cJSON_AddStringToObject(tr, "label", o.label);
            else
                cJSON_AddNullToObject(tr, "label");
            free(x->run.step);
            x->run.step = hb_xstrdup(o.next);
            free(x->run.wait_json);
            x->run.wait_json = NULL;
            x->run.due_at = 0;
            st = checkpoint(x, sf, "step_finished", tr, "transition", e);
            if (st == HB_OK)
                hb_once_step_finished(x, s->id);
            cJSON_Delete(sf);
            cJSON_Delete(tr);
            hb_trace_step(x, s, o.result, ms);
            hb_outcome_free(&o);
            if (st != HB_OK)
                return st;
            continue;
        }
        case HB_OUT_PAUSE:
            st = pause_run(x, s, &o, ms, e);
            hb_outcome_free(&o);
            if (st != HB_OK)
                return st;
            return x->run.dry_run ? HB_OK : HB_EPAUSED;
        case HB_OUT_USAGE: {
            /* A bad answer: the run waits at this ask, nothing is lost. */
            char *msg = o.error;
            o.error = NULL;
            hb_outcome_free(&o);
            if (!x->run.dry_run) {
                hb_outcome w = {.kind = HB_OUT_PAUSE, .result = hb_xstrdup("waiting")};
                w.wait = cJSON_CreateObject();
                cJSON_AddStringToObject(w.wait, "kind", s->kind == HB_STEP_ASK ? "ask" : "event");
                cJSON_AddStringToObject(w.wait, "step", s->id);
                if (s->event)
                    cJSON_AddStringToObject(w.wait, "event", s->event);
                st = pause_run(x, s, &w, ms, e);
                hb_outcome_free(&w);
            }
            hb_err_set(e, HB_EUSAGE, "%s", msg);
            free(msg);
            return st != HB_OK ? st : HB_EUSAGE;
        }
        case HB_OUT_FINISH: {
            const char *status = x->run.dry_run ? "planned" : o.succeeded ? "succeeded" : "failed";
            st = finish(x, status, s, &o, ms, e);
            hb_trace_step(x, s, o.result, ms);
            bool ok = o.succeeded || x->run.dry_run;
            if (!ok && o.error)
                hb_err_set(e, HB_EFAILED, "%s", o.error);
            else if (!ok)
                hb_err_set(e, HB_EFAILED, "the workflow ended at fail step '%s'", s->id);
            hb_outcome_free(&o);
            if (st != HB_OK)
                return st;
            return ok ? HB_OK : HB_EFAILED;
        }
        case HB_OUT_ERROR:
            st = finish(x, "failed", s, &o, ms, e);
            hb_trace_step(x, s, o.result, ms);
            if (st == HB_OK)
                hb_err_set(e, HB_EFAILED, "step '%s' failed: %s", s->id, o.error);
            hb_outcome_free(&o);
            return st != HB_OK ? st : HB_EFAILED;
        }
    }
}

/* Runs the loop and prints the result; the plan too for a dry run. */
static hb_status drive(hb_exec *x, hb_err *e)
{
    hb_status st = hb_ctx_create(x, e);
    if (st == HB_OK)
        st = step_loop(x, e);
    if (x->run_inserted) {
        if (x->run.dry_run && st == HB_OK)
            hb_print_plan(x);
        hb_print_result(x);
    }
    return st;
}

hb_status hb_engine_start(hb_run_request *req, hb_err *e)
{
    hb_exec x;
    memset(&x, 0, sizeof x);
    x.req = req;
    x.actor = req->actor;
    x.answer_used = hb_xcalloc(req->nanswers + 1, sizeof(bool));
    x.ctx_ref = LUA_NOREF;
    char *file = hb_workflow_find(req->workflow, e);
    size_t len = 0;
    char *src = file ? hb_read_file(file, &len, e) : NULL;
    hb_status st = src ? HB_OK : e->code;
    char *inputs = NULL;
    if (st == HB_OK) {
        hb_pins_add_workflow(&x, file, src, len);
        st = open_workflow(&x, file, src, len, e);
    }
    if (st == HB_OK)
        st = check_answer_steps(&x, e);
    if (st == HB_OK)
        st = hb_inputs_build(x.wf, req->inputs, req->ninputs, &inputs, e);
    if (st == HB_OK)
        st = hb_store_open_default(&x.store, e);
    if (st == HB_OK) {
        hb_run *r = &x.run;
        hb_new_run_id(r->id);
        r->workflow = hb_xstrdup(x.wf->name);
        char *real = realpath(file, NULL);
        r->workflow_file = real ? real : hb_xstrdup(file);
        hb_sha256_hex(src, len, r->version);
        set_status(&x, "running");
        r->step = hb_xstrdup(x.wf->steps[0].id);
        r->target = req->sandbox ? HB_TARGET_SANDBOX : HB_TARGET_LIVE;
        r->dry_run = req->dry_run;
        r->actor = hb_xstrdup(req->actor);
        r->inputs_json = inputs;
        inputs = NULL;
        hb_run_prepare_new(r);
        r->created_at = r->updated_at = hb_clock_wall();
        if (!req->allow_duplicate && !req->dry_run)
            st = refuse_duplicate(&x, e);
    }
    if (st == HB_OK) {
        st = hb_store_begin(x.store, e);
        if (st == HB_OK) {
            cJSON *d = cJSON_CreateObject();
            cJSON_AddStringToObject(d, "workflow", x.run.workflow);
            cJSON_AddStringToObject(d, "version", x.run.version);
            cJSON_AddStringToObject(d, "file", x.run.workflow_file);
            cJSON_AddItemToObject(d, "inputs", parse_or_empty(x.run.inputs_json));
            cJSON_AddStringToObject(d, "actor", x.actor);
            cJSON_AddStringToObject(d, "target", hb_run_target_name(x.run.target));
            cJSON_AddBoolToObject(d, "dry_run", x.run.dry_run);
            hb_run_scrub(&x.run);
            st = x.store->ops->run_insert(x.store, &x.run, e);
            if (st == HB_OK)
                st = hb_pins_write(&x, e);
            if (st == HB_OK)
                st = hb_audit_append(x.store, x.run.id, "run_started", NULL, x.actor, d, NULL, e);
            cJSON_Delete(d);
            if (st == HB_OK)
                st = hb_store_commit(x.store, e);
            else
                hb_store_rollback(x.store);
            x.run_inserted = st == HB_OK;
        }
    }
    if (x.run_inserted)
        memcpy(req->run_id_out, x.run.id, sizeof x.run.id);
    if (st == HB_OK)
        st = claim(&x, e);
    if (st == HB_OK) {
        hb_trace_header(&x, "started");
        st = hb_exec_services_open(&x, e);
        if (st != HB_OK) {
            hb_outcome o = {.error = hb_xstrdup(e->msg), .result = hb_xstrdup("error")};
            hb_err ignored;
            finish(&x, "failed", NULL, &o, 0, &ignored);
            hb_outcome_free(&o);
            hb_print_result(&x);
        }
    }
    if (st == HB_OK)
        st = drive(&x, e);
    free(inputs);
    free(src);
    free(file);
    exec_free(&x);
    return st;
}

/* What a waiting run waits for, in words, for error messages. */
static char *waits_for(const hb_run *r)
{
    cJSON *w = r->wait_json ? cJSON_Parse(r->wait_json) : NULL;
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(w, "kind");
    const cJSON *step = cJSON_GetObjectItemCaseSensitive(w, "step");
    const cJSON *event = cJSON_GetObjectItemCaseSensitive(w, "event");
    char *out;
    if (cJSON_IsString(event))
        out = hb_xasprintf("event '%s' at step %s", event->valuestring,
                           cJSON_IsString(step) ? step->valuestring : "?");
    else if (cJSON_IsString(kind) && !strcmp(kind->valuestring, "ask"))
        out = hb_xasprintf("an answer to ask '%s' (--answer %s=...)",
                           cJSON_IsString(step) ? step->valuestring : "?",
                           cJSON_IsString(step) ? step->valuestring : "STEP");
    else if (cJSON_IsString(kind))
        out = hb_xasprintf("a %s at step %s", kind->valuestring,
                           cJSON_IsString(step) ? step->valuestring : "?");
    else
        out = hb_xstrdup("nothing");
    cJSON_Delete(w);
    return out;
}

static hb_status check_resumable(hb_exec *x, hb_err *e)
{
    const hb_run *r = &x->run;
    if (r->status == HB_RUN_PLANNED)
        return hb_err_set(e, HB_EUSAGE,
                          "run %s was a dry run (status planned); it cannot be "
                          "resumed: start a real run with `hb run %s ...`",
                          r->id, r->workflow);
    if (r->status != HB_RUN_WAITING && r->status != HB_RUN_RUNNING)
        return hb_err_set(e, HB_EUSAGE, "run %s is %s; only a waiting run can be resumed", r->id,
                          hb_run_status_name(r->status));
    if (x->req->sandbox && r->target != HB_TARGET_SANDBOX)
        return hb_err_set(e, HB_EUSAGE,
                          "run %s targets the live services; --sandbox contradicts "
                          "its recorded target",
                          r->id);
    if (x->req->dry_run)
        return hb_err_set(e, HB_EUSAGE, "--dry-run applies to new runs only");
    if (x->req->event_name) {
        cJSON *w = r->wait_json ? cJSON_Parse(r->wait_json) : NULL;
        const cJSON *event = cJSON_GetObjectItemCaseSensitive(w, "event");
        bool match = cJSON_IsString(event) && !strcmp(event->valuestring, x->req->event_name);
        cJSON_Delete(w);
        if (!match) {
            char *what = waits_for(r);
            hb_err_set(e, HB_EUSAGE, "run %s is not waiting for event '%s'; it waits for %s", r->id,
                       x->req->event_name, what);
            free(what);
            return HB_EUSAGE;
        }
    }
    return HB_OK;
}

/* For the worker: a waiting run whose time has come, or a run left running
 * by a process that died (we hold its lease now, so its holder is gone). */
static bool still_due(const hb_run *r)
{
    if (r->status == HB_RUN_RUNNING)
        return true;
    return r->status == HB_RUN_WAITING && r->due_at > 0 && r->due_at <= hb_clock_now();
}

hb_status hb_engine_resume(const hb_run_request *req, hb_err *e)
{
    hb_exec x;
    memset(&x, 0, sizeof x);
    x.req = req;
    x.actor = req->actor;
    x.answer_used = hb_xcalloc(req->nanswers + 1, sizeof(bool));
    x.ctx_ref = LUA_NOREF;
    hb_status st = hb_store_open_default(&x.store, e);
    if (st == HB_OK)
        st = x.store->ops->run_get(x.store, req->run_id, &x.run, e);
    if (st == HB_OK)
        st = check_resumable(&x, e);
    if (st == HB_OK)
        st = claim(&x, e);
    if (st == HB_OK) {
        /* Another process may have advanced the run between our read and our
         * claim: judge it again as it is now that we hold it. */
        x.run_inserted = true;
        hb_run_free(&x.run);
        st = x.store->ops->run_get(x.store, req->run_id, &x.run, e);
        if (st == HB_OK && req->only_if_due && !still_due(&x.run)) {
            exec_free(&x);
            return HB_OK;
        }
        if (st == HB_OK)
            st = check_resumable(&x, e);
    }
    if (st == HB_OK)
        st = hb_pins_load_for_resume(&x, e);
    const hb_pin *wfpin = st == HB_OK ? hb_pins_workflow(&x) : NULL;
    if (st == HB_OK && !wfpin)
        st = hb_err_set(e, HB_EINTERNAL, "run %s has no pinned workflow source", x.run.id);
    if (st == HB_OK)
        st = open_workflow(&x, x.run.workflow_file, wfpin->content, wfpin->len, e);
    if (st == HB_OK)
        st = check_answer_steps(&x, e);
    if (st == HB_OK) {
        set_status(&x, "running");
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "by", x.actor);
        if (req->event_name)
            cJSON_AddStringToObject(d, "event", req->event_name);
        x.current_step = x.run.step;
        st = checkpoint(&x, d, "resumed", NULL, NULL, e);
        cJSON_Delete(d);
    }
    if (st == HB_OK) {
        hb_trace_header(&x, "resumed");
        st = hb_exec_services_open(&x, e);
    }
    if (st == HB_OK)
        st = drive(&x, e);
    exec_free(&x);
    return st;
}

hb_status hb_engine_cancel(const char *run_id, const char *actor, hb_err *e)
{
    hb_exec x;
    memset(&x, 0, sizeof x);
    x.actor = actor;
    hb_status st = hb_store_open_default(&x.store, e);
    if (st == HB_OK)
        st = x.store->ops->run_get(x.store, run_id, &x.run, e);
    if (st == HB_OK && x.run.status != HB_RUN_WAITING && x.run.status != HB_RUN_RUNNING)
        st = hb_err_set(e, HB_EUSAGE,
                        "run %s is %s; only a waiting or running run can be "
                        "cancelled",
                        run_id, hb_run_status_name(x.run.status));
    if (st == HB_OK)
        st = claim(&x, e);
    if (st == HB_OK) {
        x.run_inserted = true;
        set_status(&x, "cancelled");
        free(x.run.wait_json);
        x.run.wait_json = NULL;
        x.run.due_at = 0;
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "by", actor);
        x.current_step = x.run.step;
        st = checkpoint(&x, d, "cancelled", NULL, NULL, e);
        cJSON_Delete(d);
    }
    if (st == HB_OK)
        printf("%s\nstatus=%s step=%s\n", x.run.id, hb_run_status_name(x.run.status), x.run.step);
    exec_free(&x);
    return st;
}
