/* hb retry: a failed run goes on again instead of being started anew (which
 * repeats every write it made). It re-enters its failed step, or an earlier
 * step it entered, under the workflow version it started with; the steps it
 * goes through again keep their visits (engine_once.c), so each marked
 * write already made is found by its marker, not sent again. What the run
 * did after an earlier step may not be what it will do now (a branch taken
 * on data that has changed): a step after which writes were made is
 * refused unless forced. A `retried` event records who, why and from
 * where. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "hb/util.h"

static hb_status check_retryable(const hb_exec *x, hb_err *e)
{
    const hb_run *r = &x->run;
    if (hb_str_starts_with(r->workflow, HB_CALL_PREFIX))
        return hb_err_set(e, HB_EUSAGE,
                          "run %s is an `hb call` (%s); a call is not retried: run the "
                          "call again",
                          r->id, r->workflow);
    if (r->status == HB_RUN_FAILED)
        return HB_OK;
    const char *hint = r->status == HB_RUN_WAITING || r->status == HB_RUN_RUNNING
                           ? "; continue it with `hb resume`"
                       : r->status == HB_RUN_PLANNED
                           ? " (a dry run); start a real run with `hb run`"
                           : "";
    return hb_err_set(e, HB_EUSAGE, "run %s is %s; only a failed run can be retried%s", r->id,
                      hb_run_status_name(r->status), hint);
}

static void list_steps(const hb_workflow *wf, hb_buf *b)
{
    for (size_t k = 0; k < wf->nsteps; k++)
        hb_buf_printf(b, "%s%s", k ? ", " : "", wf->steps[k].id);
}

/* The step to re-enter: --from, else where the run failed. */
static hb_status retry_step(const hb_exec *x, const char **out, hb_err *e)
{
    const char *from = x->req->retry_from;
    const char *at = from ? from : x->run.step;
    int idx = at ? hb_workflow_step_index(x->wf, at) : -1;
    if (idx < 0) {
        hb_buf b;
        hb_buf_init(&b);
        list_steps(x->wf, &b);
        hb_err_set(e, HB_EUSAGE, "%s%s: workflow '%s' has no step '%s' (its steps: %s)",
                   from ? "--from " : "retry", from ? from : "", x->wf->name, at ? at : "",
                   b.data ? b.data : "none");
        hb_buf_free(&b);
        return HB_EUSAGE;
    }
    if (!from && x->wf->steps[idx].kind == HB_STEP_FAIL)
        return hb_err_set(e, HB_EUSAGE,
                          "run %s ended at fail step '%s': the workflow chose to fail there, "
                          "so re-entering it fails again; retry --from an earlier step",
                          x->run.id, at);
    *out = x->wf->steps[idx].id;
    return HB_OK;
}

/* The writes the run made after its last entry into `step`, in other steps. */
typedef struct later_writes {
    const char *step;
    int64_t entered; /* seq of the step's last step_started; 0: not yet */
    hb_buf found;    /* "step: op on object" for each, up to a few */
    int count;
} later_writes;

static int scan_later(const hb_audit_event *ev, void *ud)
{
    later_writes *w = ud;
    if (!strcmp(ev->type, "step_started") && ev->step && !strcmp(ev->step, w->step)) {
        w->entered = ev->seq;
        hb_buf_reset(&w->found);
        w->count = 0;
    } else if (w->entered && !strcmp(ev->type, "intent") && ev->step &&
               strcmp(ev->step, w->step) != 0) {
        cJSON *d = ev->data ? cJSON_Parse(ev->data) : NULL;
        const cJSON *op = cJSON_GetObjectItemCaseSensitive(d, "op");
        if (w->count++ < 3)
            hb_buf_printf(&w->found, "%s%s: %s on %s", w->found.len ? "; " : "", ev->step,
                          cJSON_IsString(op) ? op->valuestring : "a write",
                          ev->object ? ev->object : "?");
        cJSON_Delete(d);
    }
    return 0;
}

static hb_status refuse_later_writes(hb_exec *x, const char *step, hb_err *e)
{
    later_writes w = {.step = step};
    hb_buf_init(&w.found);
    hb_status st = x->store->ops->audit_iter(x->store, x->run.id, scan_later, &w, e);
    if (st == HB_OK && w.count > 0) {
        st = hb_err_set(e, HB_EUSAGE,
                        "retry --from %s: the run made %d write%s after entering %s (%s%s); "
                        "going through those steps again repeats what it does differently "
                        "this time: pass --force to retry from %s anyway",
                        step, w.count, w.count == 1 ? "" : "s", step, w.found.data,
                        w.count > 3 ? "; ..." : "", step);
    }
    hb_buf_free(&w.found);
    return st;
}

static cJSON *retried_data(const hb_exec *x, const char *step, cJSON *visits)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "by", x->actor);
    if (x->req->reason)
        cJSON_AddStringToObject(d, "reason", x->req->reason);
    else
        cJSON_AddNullToObject(d, "reason");
    cJSON_AddStringToObject(d, "from", step);
    cJSON_AddStringToObject(d, "failed_at", x->run.step ? x->run.step : "");
    if (x->run.error)
        cJSON_AddStringToObject(d, "error", x->run.error);
    cJSON_AddBoolToObject(d, "force", x->req->retry_force);
    cJSON_AddItemToObject(d, "visits", visits);
    return d;
}

static hb_status retry_run(hb_exec *x, hb_err *e)
{
    const char *step = NULL;
    hb_status st = hb_exec_reopen_workflow(x, e);
    if (st != HB_OK || (st = retry_step(x, &step, e)) != HB_OK)
        return st;
    cJSON *visits = NULL;
    if ((st = hb_once_visits_at(x, step, &visits, e)) != HB_OK)
        return st;
    /* A run that failed before its first step started (its services could
     * not open) re-enters that first step as its first visit. */
    bool first = !strcmp(step, x->wf->steps[0].id);
    if (!visits && !first)
        return hb_err_set(e, HB_EUSAGE, "retry --from %s: run %s never reached step %s", step,
                          x->run.id, step);
    if (!visits) {
        visits = cJSON_CreateObject();
        cJSON_AddNumberToObject(visits, step, 1);
    }
    if (!x->req->retry_force && (st = refuse_later_writes(x, step, e)) != HB_OK) {
        cJSON_Delete(visits);
        return st;
    }
    cJSON *d = retried_data(x, step, visits);
    free(x->run.step);
    x->run.step = hb_xstrdup(step);
    free(x->run.error);
    x->run.error = NULL;
    st = hb_exec_go_on(x, "retried", d, e);
    cJSON_Delete(d);
    return st;
}

hb_status hb_engine_retry(const hb_engine *eng, hb_run_request *req, hb_err *e)
{
    hb_exec x;
    hb_status st = hb_exec_open_run(&x, eng, req, e);
    /* Judged again once claimed: another process may have retried it. */
    if (st == HB_OK && (st = check_retryable(&x, e)) == HB_OK &&
        (st = hb_exec_claim_current(&x, e)) == HB_OK && (st = check_retryable(&x, e)) == HB_OK)
        st = retry_run(&x, e);
    hb_exec_free(&x);
    return st;
}
