/* The ctx table a workflow's functions receive (hb/lua_call.h builds it):
 * the run's input, vars, answers and events, ctx.run, ctx.now() on the
 * engine's clock and ctx.log(...) into the audit trail. Built once per
 * process per run; its vars, answers and events are serialised at every
 * checkpoint. */
#include <stdlib.h>

#include "engine_internal.h"

/* ctx.log(...): a note event of the current step. */
static hb_status log_note(void *ud, const char *message, hb_err *e)
{
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "message", message);
    hb_status st = hb_exec_audit(ud, "note", data, e);
    cJSON_Delete(data);
    return st;
}

hb_status hb_ctx_create(hb_exec *x, hb_err *e)
{
    hb_lua_ctx_init init = {
        .input_json = x->run.inputs_json,
        .vars_json = x->run.vars_json,
        .answers_json = x->run.answers_json,
        .events_json = x->run.events_json,
        .run_id = x->run.id,
        .actor = x->actor,
        .target = hb_run_target_name(x->run.target),
        .workflow = x->run.workflow,
        .dry_run = x->run.dry_run,
        .clock = x->eng->clock,
        .log = log_note,
        .log_ud = x,
    };
    return hb_lua_ctx_new(x->lua, &init, &x->ctx, e);
}

static hb_status snapshot_into(hb_exec *x, hb_lua_ctx_table t, char **dst, hb_err *e)
{
    char *json = NULL;
    hb_status st = hb_lua_ctx_snapshot(x->ctx, t, &json, e);
    if (st != HB_OK)
        return st;
    free(*dst);
    *dst = json;
    return HB_OK;
}

hb_status hb_ctx_snapshot(hb_exec *x, hb_err *e)
{
    hb_status st = snapshot_into(x, HB_CTX_VARS, &x->run.vars_json, e);
    if (st == HB_OK)
        st = snapshot_into(x, HB_CTX_ANSWERS, &x->run.answers_json, e);
    if (st == HB_OK)
        st = snapshot_into(x, HB_CTX_EVENTS, &x->run.events_json, e);
    return st;
}
