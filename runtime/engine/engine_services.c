/* Wiring a run to the services it declares in `uses` (a workflow's, or the
 * one service of hb call): the one place a run's target becomes where its
 * requests go. Live: the credentials ($HB_HOME/credentials behind the
 * environment). Sandbox: the sandbox the embedder serves (hb test), else
 * one started here on $HB_HOME/sandbox/state.json with the engine's fault
 * spec and clock. Replay (hb backtest): the recording answers, nothing is
 * sent (services_replay.c). Then the bindings' audit sink, and the stdlib modules
 * exposed as globals. A service not in `uses` is absent. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "hb/audit.h"
#include "hb/credentials.h"
#include "hb/sandbox.h"
#include "hb/services.h"
#include "hb/util.h"

typedef struct exec_services {
    hb_sandbox *own_sandbox;
    cJSON *sandbox_vars;
    hb_credentials *creds;
    hb_services *svc;
    const char **forbid; /* NULL-terminated, as the bindings take it */
    const char **uses;   /* likewise: the services it may call */
} exec_services;

static const char *sandbox_getvar(void *ud, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive((const cJSON *)ud, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void collect_var(const char *name, const char *value, void *ud)
{
    cJSON_AddStringToObject((cJSON *)ud, name, value);
}

static hb_status audit_event(void *ud, const char *type, const cJSON *data, hb_err *e)
{
    cJSON *copy = cJSON_Duplicate(data, true);
    hb_status st = hb_exec_audit(ud, type, copy, e);
    cJSON_Delete(copy);
    return st;
}

static hb_status audit_body(void *ud, const char *content, size_t len, char digest[65], hb_err *e)
{
    hb_exec *x = ud;
    return hb_audit_put_body(x->store, content, len, digest, e);
}

/* The sandbox of a run: the embedder's, else one of this run's own on the
 * state under $HB_HOME, which outlives it (resumes and hb sandbox --state
 * see the same data). *own is set when it was started here. */
static hb_status open_sandbox(const hb_engine *eng, hb_sandbox **sb, hb_sandbox **own, hb_err *e)
{
    *own = NULL;
    *sb = eng->sandbox;
    if (*sb)
        return HB_OK;
    char *dir = hb_path_join(eng->home, "sandbox");
    char *state = hb_path_join(dir, "state.json");
    hb_sandbox_config cfg = {
        .state_path = state, .faults = eng->sandbox_faults, .clock = eng->clock};
    hb_status st = hb_mkdirs(dir, 0700, e);
    if (st == HB_OK)
        st = hb_sandbox_start(&cfg, own, e);
    free(dir);
    free(state);
    if (st != HB_OK)
        return hb_err_wrap(e, "starting the sandbox");
    *sb = *own;
    return HB_OK;
}

static hb_status start_sandbox(hb_exec *x, exec_services *es, hb_err *e)
{
    hb_sandbox *sb;
    hb_status st = open_sandbox(x->eng, &sb, &es->own_sandbox, e);
    if (st != HB_OK)
        return st;
    es->sandbox_vars = cJSON_CreateObject();
    hb_sandbox_each_var(sb, collect_var, es->sandbox_vars);
    return HB_OK;
}

hb_status hb_engine_sandbox_patch(const hb_engine *eng, const char *patch_json, hb_err *e)
{
    if (!eng->home && !eng->sandbox)
        return hb_err_set(e, HB_EINTERNAL, "the engine has no home for the sandbox's state");
    hb_sandbox *sb, *own;
    hb_status st = open_sandbox(eng, &sb, &own, e);
    if (st == HB_OK && (st = hb_sandbox_patch(sb, patch_json, e)) != HB_OK)
        hb_err_wrap(e, "the sandbox patch");
    hb_sandbox_stop(own);
    return st;
}

static hb_status load_credentials(hb_exec *x, exec_services *es, hb_err *e)
{
    char *path = hb_path_join(x->eng->home, "credentials");
    hb_status st = hb_credentials_load(path, &es->creds, e);
    free(path);
    return st;
}

/* A call waiting to try again, told to the reporter at the current step. */
static void services_progress(void *ud, const char *message)
{
    hb_exec *x = ud;
    hb_report_progress(x, x->current_step, message);
}

hb_status hb_exec_services_open(hb_exec *x, const hb_exec_uses *u, hb_err *e)
{
    if (u->nuses == 0)
        return HB_OK;
    exec_services *es = hb_xcalloc(1, sizeof *es);
    x->services = es;
    bool replay = x->eng->replay != NULL;
    bool sandbox = !replay && x->run.target == HB_TARGET_SANDBOX;
    hb_status st = replay ? HB_OK : sandbox ? start_sandbox(x, es, e) : load_credentials(x, es, e);
    if (st != HB_OK)
        return st;
    es->forbid = hb_xcalloc(u->nforbid + 1, sizeof *es->forbid);
    for (size_t i = 0; i < u->nforbid; i++)
        es->forbid[i] = u->forbid[i];
    es->uses = hb_xcalloc(u->nuses + 1, sizeof *es->uses);
    for (size_t i = 0; i < u->nuses; i++)
        es->uses[i] = u->uses[i];
    hb_services_config cfg = {
        .getvar = sandbox ? sandbox_getvar : hb_credentials_getvar,
        .getvar_ud = sandbox ? (void *)es->sandbox_vars : (void *)es->creds,
        .dry_run = x->run.dry_run,
        .forbid = es->forbid,
        .uses = es->uses,
        .workflow = x->run.workflow,
        .audit = {.ud = x, .event = audit_event, .body = audit_body},
        .clock = x->eng->clock,
        .progress = services_progress,
        .progress_ud = x,
        .replay = x->eng->replay,
    };
    es->svc = hb_services_new(&cfg, e);
    if (!es->svc)
        return e->code ? e->code : HB_EUSAGE;
    st = hb_services_open_lua(es->svc, x->lua, e);
    if (st == HB_OK)
        st = hb_once_open(x, e);
    for (size_t i = 0; st == HB_OK && i < u->nuses; i++)
        st = hb_lua_expose_module(x->lua, u->uses[i], e);
    return st;
}

hb_services *hb_exec_services(hb_exec *x)
{
    exec_services *es = x->services;
    return es ? es->svc : NULL;
}

void hb_exec_services_close(hb_exec *x)
{
    cJSON_Delete(x->step_visits);
    cJSON_Delete(x->step_raised);
    x->step_visits = x->step_raised = NULL;
    exec_services *es = x->services;
    if (!es)
        return;
    hb_services_free(es->svc);
    hb_sandbox_stop(es->own_sandbox);
    hb_credentials_free(es->creds);
    cJSON_Delete(es->sandbox_vars);
    free(es->forbid);
    free(es->uses);
    free(es);
    x->services = NULL;
}
