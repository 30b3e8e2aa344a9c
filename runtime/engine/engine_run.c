/* The run in the store. Every write of a run row happens here, once each:
 * hb_exec_create (the row, its pins and run_started in one transaction),
 * hb_exec_claim (the lease, before anything changes), hb_exec_checkpoint
 * (the row with a step's events), hb_exec_release. Runs, hb call and hb
 * test all go through these. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "hb/audit.h"
#include "hb/clock.h"
#include "hb/util.h"

static cJSON *parse_or_empty(const char *json)
{
    cJSON *v = json ? cJSON_Parse(json) : NULL;
    return v ? v : cJSON_CreateObject();
}

hb_status hb_exec_end_tx(hb_exec *x, hb_status st, hb_err *e)
{
    if (st == HB_OK)
        return hb_store_commit(x->store, e);
    hb_store_rollback(x->store);
    return st;
}

static cJSON *run_started_data(const hb_exec *x)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "workflow", x->run.workflow);
    cJSON_AddStringToObject(d, "version", x->run.version);
    cJSON_AddStringToObject(d, "file", x->run.workflow_file);
    cJSON_AddItemToObject(d, "inputs", parse_or_empty(x->run.inputs_json));
    cJSON_AddStringToObject(d, "actor", x->actor);
    cJSON_AddStringToObject(d, "target", hb_run_target_name(x->run.target));
    cJSON_AddBoolToObject(d, "dry_run", x->run.dry_run);
    return d;
}

hb_status hb_exec_create(hb_exec *x, char id_out[HB_RUN_ID_LEN + 1], hb_err *e)
{
    hb_status st = hb_store_begin(x->store, e);
    if (st != HB_OK)
        return st;
    hb_run_scrub(&x->run); /* no secret in the row, whatever field holds it */
    cJSON *d = run_started_data(x);
    if ((st = x->store->ops->run_insert(x->store, &x->run, e)) == HB_OK &&
        (st = hb_pins_write(x, e)) == HB_OK)
        st = hb_audit_append(x->store, x->run.id, "run_started", NULL, x->actor, d, NULL, e);
    cJSON_Delete(d);
    if ((st = hb_exec_end_tx(x, st, e)) != HB_OK)
        return st;
    x->run_inserted = true;
    memcpy(id_out, x->run.id, HB_RUN_ID_LEN + 1);
    return hb_exec_claim(x, e);
}

hb_status hb_exec_claim(hb_exec *x, hb_err *e)
{
    if (x->eng->lease_holder)
        snprintf(x->lease_holder, sizeof x->lease_holder, "%s", x->eng->lease_holder);
    else
        hb_store_lease_holder_self(x->lease_holder);
    hb_status st = x->store->ops->run_claim(x->store, x->run.id, x->lease_holder,
                                            hb_clock_wall() + x->eng->lease_seconds * 1000000, e);
    x->claimed = st == HB_OK;
    return st;
}

void hb_exec_release(hb_exec *x)
{
    if (!x->claimed)
        return;
    hb_err ignored;
    x->store->ops->run_release(x->store, x->run.id, x->lease_holder, &ignored);
    x->claimed = false;
}

hb_status hb_exec_checkpoint(hb_exec *x, cJSON *ev1_data, const char *ev1, cJSON *ev2_data,
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
    return hb_exec_end_tx(x, st, e);
}

hb_status hb_exec_audit(hb_exec *x, const char *type, cJSON *data, hb_err *e)
{
    hb_status st = hb_store_begin(x->store, e);
    if (st != HB_OK)
        return st;
    st = hb_audit_append(x->store, x->run.id, type, x->current_step, x->actor, data, NULL, e);
    return hb_exec_end_tx(x, st, e);
}

cJSON *hb_exec_step_finished_data(const char *kind, const hb_outcome *o, double ms)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "kind", kind);
    cJSON_AddStringToObject(d, "outcome", o->result ? o->result : "");
    cJSON_AddNumberToObject(d, "ms", (double)(long long)ms);
    if (o->error)
        cJSON_AddStringToObject(d, "error", o->error);
    if (o->traceback)
        cJSON_AddStringToObject(d, "traceback", o->traceback);
    return d;
}

hb_status hb_exec_finish(hb_exec *x, hb_run_status status, const char *kind, const hb_outcome *o,
                         double ms, hb_err *e)
{
    x->run.status = status;
    free(x->run.wait_json);
    x->run.wait_json = NULL;
    x->run.due_at = 0;
    if (o && o->error && status != HB_RUN_SUCCEEDED) {
        free(x->run.error);
        x->run.error = hb_xstrdup(o->error);
    }
    cJSON *fin = cJSON_CreateObject();
    cJSON_AddStringToObject(fin, "status", hb_run_status_name(status));
    if (x->run.error)
        cJSON_AddStringToObject(fin, "error", x->run.error);
    cJSON *sf = kind && o ? hb_exec_step_finished_data(kind, o, ms) : NULL;
    hb_status st = hb_exec_checkpoint(x, sf, sf ? "step_finished" : NULL, fin, "run_finished", e);
    cJSON_Delete(sf);
    cJSON_Delete(fin);
    return st;
}
