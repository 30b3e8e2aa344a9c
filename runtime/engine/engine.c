/* Starting, resuming and cancelling runs: what each checks before it
 * touches a run, and the order of the run's records (engine_run.c writes
 * them; engine_loop.c runs the steps). */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "hb/sha256.h"
#include "hb/util.h"

static hb_status engine_check(const hb_engine *eng, hb_err *e)
{
    /* Each would otherwise fall back to the process's settings or crash. */
    const char *missing = !eng->store        ? "store"
                          : !eng->clock      ? "clock"
                          : !eng->stdlib_dir ? "stdlib folder"
                          : !eng->home       ? "home folder"
                                             : NULL;
    if (missing)
        return hb_err_set(e, HB_EINTERNAL, "the engine was given no %s", missing);
    return HB_OK;
}

hb_status hb_exec_init(hb_exec *x, const hb_engine *eng, const hb_run_request *req,
                       const char *actor, const hb_engine_reporter *reporter, hb_err *e)
{
    memset(x, 0, sizeof *x);
    x->eng = eng;
    x->store = eng->store;
    x->req = req;
    x->actor = actor;
    x->reporter = reporter;
    x->answer_used = hb_xcalloc((req ? req->nanswers : 0) + 1, sizeof(bool));
    return engine_check(eng, e);
}

void hb_exec_free(hb_exec *x)
{
    hb_exec_release(x);
    hb_lua_ctx_free(x->ctx);
    /* The Lua state before the services: it may hold references to them. */
    if (x->wf)
        hb_workflow_free(x->wf);
    else
        hb_lua_free(x->lua);
    hb_exec_services_close(x);
    hb_pins_free(x);
    hb_run_free(&x->run);
    free(x->answer_used);
}

hb_time_us hb_exec_now(const hb_exec *x)
{
    return hb_clock_time(x->eng->clock);
}

hb_status hb_exec_open_lua(hb_exec *x, const char *workflow_dir, hb_err *e)
{
    hb_lua_modules mods = {.stdlib_dir = x->eng->stdlib_dir, .workflow_dir = workflow_dir};
    hb_pins_hooks(x, &mods);
    x->lua = hb_lua_new(&x->eng->lua_limits, &mods, e);
    if (!x->lua)
        return e->code ? e->code : HB_EINTERNAL;
    return HB_OK;
}

/* The workflow in a fresh state of its own; its functions stay there. */
static hb_status open_workflow(hb_exec *x, const char *file, const char *src, size_t len, hb_err *e)
{
    char *dir = hb_dirname(file);
    hb_status st = hb_exec_open_lua(x, dir, e);
    free(dir);
    if (st != HB_OK)
        return st;
    hb_lua *lua = x->lua;
    x->lua = NULL; /* hb_workflow_load owns it now, even when it fails */
    st = hb_workflow_load(lua, file, src, len, &x->wf, e);
    if (st != HB_OK)
        return st;
    x->lua = x->wf->lua;
    return HB_OK;
}

hb_status hb_exec_open_workflow(hb_exec *x, const char *file, const char *src, size_t len,
                                hb_err *e)
{
    hb_pins_add_workflow(x, file, src, len);
    return open_workflow(x, file, src, len, e);
}

static hb_status open_services(hb_exec *x, hb_err *e)
{
    hb_exec_uses u = {.uses = (const char *const *)x->wf->uses,
                      .nuses = x->wf->nuses,
                      .forbid = (const char *const *)x->wf->forbid,
                      .nforbid = x->wf->nforbid};
    return hb_exec_services_open(x, &u, e);
}

/* An --answer that cannot be right whatever the run does: checked before
 * the run exists (or, resuming, before anything is written), so a refused
 * answer leaves nothing behind. An enum whose choices(ctx) only the run can
 * list is checked when its ask is reached. */
static hb_status check_answer_value(const hb_step *s, const char *value, hb_err *e)
{
    if (s->value_type && !strcmp(s->value_type, "enum") && s->choices_ref != HB_LUA_NOREF)
        return HB_OK;
    /* The workflow keeps a literal enum's values counted, not terminated. */
    const char **choices = hb_xcalloc(s->nchoices + 1, sizeof *choices);
    for (size_t k = 0; k < s->nchoices; k++)
        choices[k] = s->choices[k];
    char *json = NULL;
    char *problem = hb_ask_check_answer(s, (char *const *)choices, value, &json);
    free(choices);
    free(json);
    if (!problem)
        return HB_OK;
    hb_err_set(e, HB_EUSAGE, "--answer %s: %s", s->id, problem);
    free(problem);
    return HB_EUSAGE;
}

/* Every --answer must name an ask step of the workflow, with a value that
 * ask can take. */
static hb_status check_answers(const hb_exec *x, hb_err *e)
{
    for (size_t i = 0; i < x->req->nanswers; i++) {
        int idx = hb_workflow_step_index(x->wf, x->req->answers[i].key);
        if (idx >= 0 && x->wf->steps[idx].kind == HB_STEP_ASK) {
            hb_status st = check_answer_value(&x->wf->steps[idx], x->req->answers[i].value, e);
            if (st != HB_OK)
                return st;
            continue;
        }
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

/* The new run's row, before it is written. */
static void new_run(hb_exec *x, const char *file, const char *src, size_t len, char *inputs)
{
    const hb_run_request *req = x->req;
    hb_run *r = &x->run;
    if (req->replay_of && strlen(req->replay_of) == HB_RUN_ID_LEN)
        memcpy(r->id, req->replay_of, HB_RUN_ID_LEN + 1);
    else
        hb_new_run_id(r->id);
    r->workflow = hb_xstrdup(x->wf->name);
    char *real = realpath(file, NULL);
    r->workflow_file = real ? real : hb_xstrdup(file);
    hb_sha256_hex(src, len, r->version);
    r->status = HB_RUN_RUNNING;
    r->step = hb_xstrdup(x->wf->steps[0].id);
    r->target = req->sandbox ? HB_TARGET_SANDBOX : HB_TARGET_LIVE;
    r->dry_run = req->dry_run;
    r->actor = hb_xstrdup(req->actor);
    r->inputs_json = inputs;
    hb_run_prepare_new(r);
    r->created_at = r->updated_at = hb_clock_wall();
}

/* Services that cannot open fail the run: it exists, and says why. */
static hb_status fail_to_open(hb_exec *x, hb_err *e)
{
    hb_outcome o = {.error = hb_xstrdup(e->msg), .result = hb_xstrdup("error")};
    hb_err ignored;
    hb_exec_finish(x, HB_RUN_FAILED, NULL, &o, 0, &ignored);
    hb_outcome_free(&o);
    hb_report_result(x);
    return e->code;
}

hb_status hb_engine_start(const hb_engine *eng, hb_run_request *req, hb_err *e)
{
    hb_exec x;
    size_t len = 0;
    char *inputs = NULL, *src = NULL;
    hb_status st = hb_exec_init(&x, eng, req, req->actor, req->reporter, e);
    if (st != HB_OK)
        goto out;
    if (!(src = hb_read_file(req->workflow_file, &len, e))) {
        st = e->code;
        goto out;
    }
    hb_pins_add_workflow(&x, req->workflow_file, src, len);
    if ((st = open_workflow(&x, req->workflow_file, src, len, e)) != HB_OK ||
        (st = check_answers(&x, e)) != HB_OK ||
        (st = hb_inputs_build(x.wf, req->inputs, req->ninputs, &inputs, e)) != HB_OK)
        goto out;
    new_run(&x, req->workflow_file, src, len, inputs);
    inputs = NULL;
    if (!req->allow_duplicate && !req->dry_run && (st = refuse_duplicate(&x, e)) != HB_OK)
        goto out;
    /* Test data for this run, in place before it is recorded: a patch the
     * sandbox refuses leaves no run behind. */
    if (req->sandbox_patch && !req->sandbox) {
        st = hb_err_set(e, HB_EUSAGE, "a sandbox patch is only for a sandbox run (--sandbox)");
        goto out;
    }
    if (req->sandbox_patch && (st = hb_engine_sandbox_patch(eng, req->sandbox_patch, e)) != HB_OK)
        goto out;
    if ((st = hb_exec_create(&x, req->run_id_out, e)) != HB_OK)
        goto out;
    hb_report_begin(&x, "started");
    if ((st = open_services(&x, e)) != HB_OK)
        st = fail_to_open(&x, e);
    else
        st = hb_exec_drive(&x, e);
out:
    free(inputs);
    free(src);
    hb_exec_free(&x);
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
    if (hb_str_starts_with(r->workflow, HB_CALL_PREFIX))
        return hb_err_set(e, HB_EUSAGE,
                          "run %s is an `hb call` (%s); a call cannot be resumed: "
                          "see `hb audit show %s`",
                          r->id, r->workflow, r->id);
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
 * by a process that died (once we hold its lease, its holder is gone). Any
 * other run was taken or finished by someone else since the worker listed
 * it: passed over in silence. (An hb call's run a dead process left running
 * is due, and check_resumable says why it is not resumed: the worker names
 * it and goes on.) */
static bool still_due(const hb_exec *x, const hb_run *r)
{
    if (r->status == HB_RUN_RUNNING)
        return true;
    return r->status == HB_RUN_WAITING && r->due_at > 0 && r->due_at <= hb_exec_now(x);
}

hb_status hb_exec_reopen_workflow(hb_exec *x, hb_err *e)
{
    hb_status st = hb_pins_load_for_resume(x, e);
    const hb_pin *wfpin = st == HB_OK ? hb_pins_workflow(x) : NULL;
    if (st == HB_OK && !wfpin)
        st = hb_err_set(e, HB_EINTERNAL, "run %s has no pinned workflow source", x->run.id);
    if (st != HB_OK)
        return st;
    return open_workflow(x, x->run.workflow_file, wfpin->content, wfpin->len, e);
}

hb_status hb_exec_go_on(hb_exec *x, const char *event, cJSON *data, hb_err *e)
{
    x->run.status = HB_RUN_RUNNING;
    x->current_step = x->run.step;
    hb_status st = hb_exec_checkpoint(x, data, event, NULL, NULL, e);
    if (st != HB_OK)
        return st;
    hb_report_begin(x, event);
    /* Not left running with no process on it (a worker would take it for
     * one whose process died): failed, saying why, and retryable. */
    if ((st = open_services(x, e)) != HB_OK)
        return fail_to_open(x, e);
    return hb_exec_drive(x, e);
}

static hb_status continue_run(hb_exec *x, hb_err *e)
{
    const hb_run_request *req = x->req;
    hb_status st = hb_exec_reopen_workflow(x, e);
    if (st != HB_OK || (st = check_answers(x, e)) != HB_OK)
        return st;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "by", x->actor);
    if (req->event_name)
        cJSON_AddStringToObject(d, "event", req->event_name);
    st = hb_exec_go_on(x, "resumed", d, e);
    cJSON_Delete(d);
    return st;
}

hb_status hb_exec_open_run(hb_exec *x, const hb_engine *eng, hb_run_request *req, hb_err *e)
{
    hb_status st = hb_exec_init(x, eng, req, req->actor, req->reporter, e);
    if (st != HB_OK)
        return st;
    return x->store->ops->run_get(x->store, req->run_id, &x->run, e);
}

hb_status hb_exec_claim_current(hb_exec *x, hb_err *e)
{
    hb_status st = hb_exec_claim(x, e);
    if (st != HB_OK)
        return st;
    x->run_inserted = true;
    hb_run_free(&x->run);
    return x->store->ops->run_get(x->store, x->req->run_id, &x->run, e);
}

hb_status hb_engine_resume(const hb_engine *eng, hb_run_request *req, hb_err *e)
{
    hb_exec x;
    hb_status st = hb_exec_open_run(&x, eng, req, e);
    if (st != HB_OK || (req->only_if_due && !still_due(&x, &x.run)) ||
        (st = check_resumable(&x, e)) != HB_OK || (st = hb_exec_claim_current(&x, e)) != HB_OK)
        goto out;
    /* Another process may have advanced the run between our read and our
     * claim: judge it again as it is now that we hold it. */
    if (req->only_if_due && !still_due(&x, &x.run))
        goto out;
    if ((st = check_resumable(&x, e)) == HB_OK)
        st = continue_run(&x, e);
out:
    hb_exec_free(&x);
    return st;
}

hb_status hb_engine_cancel(const hb_engine *eng, hb_run_request *req, hb_err *e)
{
    hb_exec x;
    hb_status st = hb_exec_open_run(&x, eng, req, e);
    if (st == HB_OK && x.run.status != HB_RUN_WAITING && x.run.status != HB_RUN_RUNNING)
        st =
            hb_err_set(e, HB_EUSAGE, "run %s is %s; only a waiting or running run can be cancelled",
                       req->run_id, hb_run_status_name(x.run.status));
    if (st != HB_OK || (st = hb_exec_claim(&x, e)) != HB_OK)
        goto out;
    x.run_inserted = true;
    x.run.status = HB_RUN_CANCELLED;
    free(x.run.wait_json);
    x.run.wait_json = NULL;
    x.run.due_at = 0;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "by", x.actor);
    if (req->reason && *req->reason)
        cJSON_AddStringToObject(d, "reason", req->reason);
    x.current_step = x.run.step;
    st = hb_exec_checkpoint(&x, d, "cancelled", NULL, NULL, e);
    cJSON_Delete(d);
    if (st == HB_OK)
        hb_report_result(&x);
out:
    hb_exec_free(&x);
    return st;
}
