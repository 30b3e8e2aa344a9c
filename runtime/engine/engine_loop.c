/* The step loop: each step audited as it starts, executed, and its outcome
 * checkpointed (the next position, ctx.vars, step_finished and the
 * transition in one transaction) until the run waits or ends. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "hb/clock.h"
#include "hb/json_print.h"
#include "hb/util.h"

static hb_status pause_run(hb_exec *x, const hb_step *s, hb_outcome *o, double ms, hb_err *e)
{
    const char *kind = hb_step_kind_name(s->kind);
    if (x->run.dry_run) {
        hb_status st = hb_exec_finish(x, HB_RUN_PLANNED, NULL, NULL, 0, e);
        hb_report_step(x, s->id, kind, "dry run ends here", ms);
        return st;
    }
    x->run.status = HB_RUN_WAITING;
    free(x->run.wait_json);
    x->run.wait_json = hb_json_print(o->wait);
    x->run.due_at = o->due_at;
    hb_status st = hb_exec_checkpoint(x, o->wait, "waiting", NULL, NULL, e);
    hb_report_step(x, s->id, kind, o->result, ms);
    return st;
}

static hb_status step_next(hb_exec *x, const hb_step *s, hb_outcome *o, double ms, hb_err *e)
{
    cJSON *sf = hb_exec_step_finished_data(hb_step_kind_name(s->kind), o, ms);
    cJSON *tr = cJSON_CreateObject();
    cJSON_AddStringToObject(tr, "from", s->id);
    cJSON_AddStringToObject(tr, "to", o->next);
    if (o->label)
        cJSON_AddStringToObject(tr, "label", o->label);
    else
        cJSON_AddNullToObject(tr, "label");
    free(x->run.step);
    x->run.step = hb_xstrdup(o->next);
    free(x->run.wait_json);
    x->run.wait_json = NULL;
    x->run.due_at = 0;
    hb_status st = hb_exec_checkpoint(x, sf, "step_finished", tr, "transition", e);
    if (st == HB_OK)
        hb_once_transition(x, s->id, o->error != NULL, o->next);
    cJSON_Delete(sf);
    cJSON_Delete(tr);
    hb_report_step(x, s->id, hb_step_kind_name(s->kind), o->result, ms);
    return st;
}

/* What the run waited for at step s before this visit, or NULL. */
static cJSON *previous_wait(const hb_exec *x, const hb_step *s)
{
    cJSON *w = x->run.wait_json ? cJSON_Parse(x->run.wait_json) : NULL;
    const cJSON *step = cJSON_GetObjectItemCaseSensitive(w, "step");
    if (cJSON_IsString(step) && !strcmp(step->valuestring, s->id))
        return w;
    cJSON_Delete(w);
    return NULL;
}

/* A bad answer or event: the run waits at this step again, nothing is
 * lost; a wait keeps what it recorded (since when, until when, when it is
 * due), so a refused event does not restart its timeout. */
static hb_status step_refused(hb_exec *x, const hb_step *s, hb_outcome *o, double ms, hb_err *e)
{
    hb_status st = HB_OK;
    if (!x->run.dry_run) {
        hb_outcome w = {.kind = HB_OUT_PAUSE, .result = hb_xstrdup("waiting")};
        w.wait = previous_wait(x, s);
        w.due_at = w.wait ? x->run.due_at : 0;
        if (!w.wait) {
            w.wait = cJSON_CreateObject();
            cJSON_AddStringToObject(w.wait, "kind", s->kind == HB_STEP_ASK ? "ask" : "event");
            cJSON_AddStringToObject(w.wait, "step", s->id);
            if (s->event)
                cJSON_AddStringToObject(w.wait, "event", s->event);
        }
        st = pause_run(x, s, &w, ms, e);
        hb_outcome_free(&w);
    }
    if (st != HB_OK)
        return st;
    return hb_err_set(e, HB_EUSAGE, "%s", o->error);
}

static hb_status step_finish(hb_exec *x, const hb_step *s, hb_outcome *o, double ms, hb_err *e)
{
    hb_run_status status = x->run.dry_run ? HB_RUN_PLANNED
                           : o->succeeded ? HB_RUN_SUCCEEDED
                                          : HB_RUN_FAILED;
    hb_status st = hb_exec_finish(x, status, hb_step_kind_name(s->kind), o, ms, e);
    hb_report_step(x, s->id, hb_step_kind_name(s->kind), o->result, ms);
    if (st != HB_OK)
        return st;
    if (o->succeeded || x->run.dry_run)
        return HB_OK;
    if (o->error)
        return hb_err_set(e, HB_EFAILED, "%s", o->error);
    return hb_err_set(e, HB_EFAILED, "the workflow ended at fail step '%s'", s->id);
}

static hb_status step_failed(hb_exec *x, const hb_step *s, hb_outcome *o, double ms, hb_err *e)
{
    hb_status st = hb_exec_finish(x, HB_RUN_FAILED, hb_step_kind_name(s->kind), o, ms, e);
    hb_report_step(x, s->id, hb_step_kind_name(s->kind), o->result, ms);
    if (st != HB_OK)
        return st;
    return hb_err_set(e, HB_EFAILED, "step '%s' failed: %s", s->id, o->error);
}

/* Runs one step and records its outcome; HB_OK when the loop goes on, the
 * run's final status otherwise. *more says whether it does. */
static hb_status run_step(hb_exec *x, bool *more, hb_err *e)
{
    *more = false;
    int idx = hb_workflow_step_index(x->wf, x->run.step);
    if (idx < 0)
        return hb_err_set(e, HB_EINTERNAL,
                          "run %s is at step '%s', which its workflow does not have", x->run.id,
                          x->run.step);
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
    if (st != HB_OK)
        goto out;
    if (o.kind == HB_OUT_NEXT || o.kind == HB_OUT_PAUSE) {
        hb_err snap;
        if (hb_ctx_snapshot(x, &snap) != HB_OK) {
            hb_outcome_free(&o);
            hb_outcome_error(&o, snap.msg, NULL);
        }
    }
    switch (o.kind) {
    case HB_OUT_NEXT:
        st = step_next(x, s, &o, ms, e);
        *more = st == HB_OK;
        break;
    case HB_OUT_PAUSE:
        st = pause_run(x, s, &o, ms, e);
        if (st == HB_OK && !x->run.dry_run)
            st = HB_EPAUSED;
        break;
    case HB_OUT_USAGE:
        st = step_refused(x, s, &o, ms, e);
        break;
    case HB_OUT_FINISH:
        st = step_finish(x, s, &o, ms, e);
        break;
    case HB_OUT_ERROR:
        st = step_failed(x, s, &o, ms, e);
        break;
    }
out:
    hb_outcome_free(&o);
    return st;
}

hb_status hb_exec_drive(hb_exec *x, hb_err *e)
{
    hb_status st = hb_ctx_create(x, e);
    bool more = st == HB_OK;
    while (more)
        st = run_step(x, &more, e);
    if (x->run_inserted) {
        if (x->run.dry_run && st == HB_OK)
            hb_report_plan(x);
        hb_report_result(x);
    }
    return st;
}
