/* hb call SERVICE.FUNC ARGS…: one binding operation as a one-step run of
 * its own, recorded like every run (engine_run.c): workflow
 * "call:zendesk.tickets.get", step "call", inputs {"args": [...]}, version
 * the sha256 of the service's stdlib module, every module it loads pinned,
 * its target chosen where every run's is (engine_services.c). Events:
 * run_started, step_started, the bindings' intent/api_call, step_finished,
 * run_finished. Whatever can refuse the call (an unknown service or
 * operation, missing credentials) does so before anything is recorded. A
 * call is never re-entered, so its writes carry no exactly-once marker. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "hb/canonical_json.h"
#include "hb/service_table.h"
#include "hb/services.h"
#include "hb/sha256.h"
#include "hb/util.h"

typedef struct call_target {
    char *service;
    const char *func; /* points into the operation, after the first '.' */
} call_target;

static hb_status split_operation(const char *op, call_target *t, hb_err *e)
{
    const char *dot = strchr(op, '.');
    if (!dot || !dot[1])
        return hb_err_set(e, HB_EUSAGE, "call: '%s' is not SERVICE.FUNC (e.g. zendesk.tickets.get)",
                          op);
    t->service = hb_xstrndup(op, (size_t)(dot - op));
    t->func = dot + 1;
    if (hb_service_lookup(t->service))
        return HB_OK;
    return hb_err_set(e, HB_EUSAGE, "call: unknown service '%s' (hb knows %s)", t->service,
                      hb_service_names_text());
}

/* The run's row, before it is written; its id first, since the bindings'
 * audit sink names it. */
static hb_status new_call_run(hb_exec *x, const hb_call_request *req, const call_target *t,
                              hb_err *e)
{
    hb_run *r = &x->run;
    hb_new_run_id(r->id);
    r->workflow = hb_xasprintf("%s%s", HB_CALL_PREFIX, req->operation);
    char *module = hb_xasprintf("%s.lua", t->service);
    r->workflow_file = hb_path_join(x->eng->stdlib_dir, module);
    free(module);
    size_t len = 0;
    char *src = hb_read_file(r->workflow_file, &len, e);
    if (!src)
        return hb_err_wrap(e, "call: the %s bindings are not installed", t->service);
    hb_sha256_hex(src, len, r->version);
    free(src);
    r->status = HB_RUN_RUNNING;
    r->step = hb_xstrdup(HB_CALL_STEP);
    r->target = req->sandbox ? HB_TARGET_SANDBOX : HB_TARGET_LIVE;
    r->dry_run = req->dry_run;
    r->actor = hb_xstrdup(req->actor);
    cJSON *inputs = cJSON_CreateObject();
    cJSON_AddItemToObject(inputs, "args", cJSON_Duplicate(req->args, true));
    r->inputs_json = hb_canonical_json(inputs, e);
    cJSON_Delete(inputs);
    if (!r->inputs_json)
        return hb_err_wrap(e, "call: arguments");
    hb_run_prepare_new(r);
    r->created_at = r->updated_at = hb_clock_wall();
    return HB_OK;
}

/* The operation must be one of the operation table's (service_table.h)
 * that workflows may use, and its module must offer it; else HB_EUSAGE
 * naming the service's operations, as the table lists them. */
static hb_status find_operation(hb_exec *x, const char *operation, const call_target *t, hb_err *e)
{
    const hb_operation_def *op = hb_operation_lookup(operation);
    hb_status st = HB_EUSAGE;
    if (op && !op->internal &&
        (st = hb_lua_operation_find(x->lua, t->service, t->func, e)) != HB_EUSAGE)
        return st;
    hb_buf names;
    hb_buf_init(&names);
    hb_buf_puts(&names, "");
    for (size_t i = 0; i < hb_operation_count; i++) {
        const hb_operation_def *d = &hb_operation_defs[i];
        if (!d->internal && !strcmp(d->service, t->service))
            hb_buf_printf(&names, "%s%s", names.len ? ", " : "", d->name);
    }
    st = hb_err_set(e, HB_EUSAGE, "call: %s has no operation '%s'%s%s", t->service, t->func,
                    names.len ? "; it has: " : "", names.data);
    hb_buf_free(&names);
    return st;
}

/* Runs the operation and reports its value (or the uniform error); o
 * describes the step for the audit trail. */
static hb_status invoke(hb_exec *x, const hb_call_request *req, const call_target *t, hb_outcome *o,
                        hb_err *e)
{
    cJSON *result = NULL, *error = NULL;
    hb_status st =
        hb_lua_operation_call(x->lua, t->service, t->func, req->args, &result, &error, e);
    if (x->reporter && x->reporter->value && (result || error))
        x->reporter->value(x->reporter->ud, &x->run, result ? result : error, !result);
    cJSON_Delete(result);
    cJSON_Delete(error);
    if (st == HB_OK) {
        o->result = hb_xstrdup(x->run.dry_run ? "planned" : "ok");
        return HB_OK;
    }
    hb_outcome_error(o, e->msg, NULL);
    hb_status raised = hb_services_lua_last_status(x->lua);
    return raised != HB_OK ? raised : HB_EFAILED;
}

/* The call's step, audited as a task: step_started, the operation,
 * step_finished with run_finished. */
static hb_status run_call(hb_exec *x, const hb_call_request *req, const call_target *t, hb_err *e)
{
    x->current_step = HB_CALL_STEP;
    cJSON *started = cJSON_CreateObject();
    cJSON_AddStringToObject(started, "kind", "task");
    hb_status st = hb_exec_audit(x, "step_started", started, e);
    cJSON_Delete(started);
    if (st != HB_OK)
        return st;
    int64_t t0 = hb_clock_monotonic_us();
    hb_outcome o = {0};
    st = invoke(x, req, t, &o, e);
    double ms = (double)(hb_clock_monotonic_us() - t0) / 1000.0;
    hb_run_status status = st != HB_OK      ? HB_RUN_FAILED
                           : x->run.dry_run ? HB_RUN_PLANNED
                                            : HB_RUN_SUCCEEDED;
    hb_err fe;
    hb_status fst = hb_exec_finish(x, status, "task", &o, ms, &fe);
    hb_outcome_free(&o);
    if (fst != HB_OK && st == HB_OK) {
        *e = fe;
        return fst;
    }
    return st;
}

hb_status hb_engine_call(const hb_engine *eng, hb_call_request *req, hb_err *e)
{
    hb_exec x;
    call_target t = {0};
    hb_status st = hb_exec_init(&x, eng, NULL, req->actor, req->reporter, e);
    if (st != HB_OK || (st = split_operation(req->operation, &t, e)) != HB_OK ||
        (st = new_call_run(&x, req, &t, e)) != HB_OK ||
        (st = hb_exec_open_lua(&x, NULL, e)) != HB_OK)
        goto out;
    const char *uses[] = {t.service};
    hb_exec_uses u = {.uses = uses, .nuses = 1};
    if ((st = hb_exec_services_open(&x, &u, e)) != HB_OK ||
        (st = find_operation(&x, req->operation, &t, e)) != HB_OK ||
        (st = hb_services_check(hb_exec_services(&x), t.service, e)) != HB_OK)
        goto out;
    if ((st = hb_exec_create(&x, req->run_id_out, e)) != HB_OK)
        goto out;
    hb_report_begin(&x, "call");
    st = run_call(&x, req, &t, e);
out:
    free(t.service);
    hb_exec_free(&x);
    return st;
}
