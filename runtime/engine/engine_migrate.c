/* hb migrate: a waiting run moved onto the version of its workflow on disk.
 * A run pins its sources so that it resumes under the version it started
 * with; migrating is the one deliberate way out of that, and says why in
 * the audit trail. Checked first (dry run or not): the run waits, the new
 * version loads, the run's step (or the one --map names) is in it and is
 * the same kind of wait, and the steps from there on find the vars they
 * read. Applied: under the run's claim, in one transaction, the old pins
 * dropped and the new ones written, the row (version, file, step, what it
 * waits for, answers and events of renamed steps) and a `migrated` event. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "hb/audit.h"
#include "hb/json_print.h"
#include "hb/sha256.h"
#include "hb/util.h"

void hb_migrate_result_free(hb_migrate_result *r)
{
    free(r->workflow);
    free(r->from_step);
    free(r->to_step);
    free(r->refused);
    memset(r, 0, sizeof *r);
}

static const char *mapped(const hb_migrate_request *req, const char *step)
{
    for (size_t i = 0; i < req->nmap; i++)
        if (!strcmp(req->map[i].key, step))
            return req->map[i].value;
    return step;
}

static const char *str(const cJSON *o, const char *field)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, field);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Why step s of the new version cannot take over the run's wait, or NULL. */
static char *wait_mismatch(const hb_run *r, const hb_step *s)
{
    cJSON *w = r->wait_json ? cJSON_Parse(r->wait_json) : NULL;
    const char *kind = str(w, "kind"), *event = str(w, "event");
    char *why = NULL;
    if (kind && !strcmp(kind, "ask")) {
        if (s->kind != HB_STEP_ASK)
            why = hb_xasprintf("step %s is a %s in the version on disk; the run waits for an "
                               "answer",
                               s->id, hb_step_kind_name(s->kind));
    } else if (event) {
        if (s->kind != HB_STEP_WAIT || !s->event || strcmp(s->event, event))
            why = hb_xasprintf("step %s does not wait for event %s in the version on disk, as "
                               "the run does",
                               s->id, event);
    } else if (s->kind != HB_STEP_WAIT || s->event) {
        why = hb_xasprintf("step %s is not a wait for %s in the version on disk, as the run's "
                           "step is",
                           s->id, kind ? kind : "time");
    }
    cJSON_Delete(w);
    return why;
}

/* The vars the steps from `to` on read that the run lacks, as a refusal. */
static char *missing_vars(const hb_exec *x, size_t to)
{
    size_t n;
    char **needed = hb_workflow_vars_read_from(x->wf, to, &n);
    cJSON *vars = x->run.vars_json ? cJSON_Parse(x->run.vars_json) : NULL;
    hb_buf b;
    hb_buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        if (!cJSON_GetObjectItemCaseSensitive(vars, needed[i]))
            hb_buf_printf(&b, "%s%s", b.len ? ", " : "", needed[i]);
        free(needed[i]);
    }
    free(needed);
    cJSON_Delete(vars);
    char *why = b.len ? hb_xasprintf("the steps from %s on read vars the run does not have: %s "
                                     "(set by steps of the version on disk it never ran)",
                                     x->wf->steps[to].id, b.data)
                      : NULL;
    hb_buf_free(&b);
    return why;
}

/* ctx.answers or ctx.events (a JSON object in *json) with renamed steps' keys renamed. */
static void rename_keys(char **json, const hb_migrate_request *req)
{
    cJSON *o = *json ? cJSON_Parse(*json) : NULL;
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return;
    }
    for (size_t i = 0; i < req->nmap; i++) {
        cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(o, req->map[i].key);
        if (v)
            cJSON_AddItemToObject(o, req->map[i].value, v);
    }
    free(*json);
    *json = hb_json_print(o);
    cJSON_Delete(o);
}

static hb_status apply(hb_exec *x, const hb_migrate_request *req, hb_migrate_result *out,
                       const char *file, hb_err *e)
{
    hb_status st = hb_exec_claim_current(x, e);
    if (st != HB_OK)
        return st;
    if (x->run.status != HB_RUN_WAITING || strcmp(x->run.version, out->from_version) ||
        strcmp(x->run.step, out->from_step))
        return hb_err_set(e, HB_EBUSY, "run %s moved while it was being migrated; try again",
                          x->run.id);
    if (!x->store->ops->run_sources_drop)
        return hb_err_set(e, HB_EUSAGE, "this store (%s) cannot migrate runs", x->store->ops->name);
    hb_run *r = &x->run;
    memcpy(r->version, out->to_version, sizeof r->version);
    free(r->workflow_file);
    char *real = realpath(file, NULL);
    r->workflow_file = real ? real : hb_xstrdup(file);
    free(r->step);
    r->step = hb_xstrdup(out->to_step);
    cJSON *w = r->wait_json ? cJSON_Parse(r->wait_json) : NULL;
    if (cJSON_IsObject(w) && cJSON_GetObjectItemCaseSensitive(w, "step")) {
        cJSON_ReplaceItemInObjectCaseSensitive(w, "step", cJSON_CreateString(out->to_step));
        free(r->wait_json);
        r->wait_json = hb_json_print(w);
    }
    cJSON_Delete(w);
    rename_keys(&r->answers_json, req);
    rename_keys(&r->events_json, req);
    r->updated_at = hb_clock_wall();

    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "by", x->actor);
    if (req->reason && *req->reason)
        cJSON_AddStringToObject(d, "reason", req->reason);
    cJSON_AddStringToObject(d, "from_version", out->from_version);
    cJSON_AddStringToObject(d, "to_version", out->to_version);
    cJSON_AddStringToObject(d, "from_step", out->from_step);
    cJSON_AddStringToObject(d, "to_step", out->to_step);
    cJSON_AddStringToObject(d, "file", r->workflow_file);
    if ((st = hb_store_begin(x->store, e)) != HB_OK) {
        cJSON_Delete(d);
        return st;
    }
    hb_run_scrub(r);
    st = x->store->ops->run_sources_drop(x->store, r->id, e);
    if (st == HB_OK)
        st = hb_pins_write(x, e);
    if (st == HB_OK)
        st = x->store->ops->run_update(x->store, r, e);
    if (st == HB_OK)
        st = hb_audit_append(x->store, r->id, "migrated", r->step, x->actor, d, NULL, e);
    cJSON_Delete(d);
    if ((st = hb_exec_end_tx(x, st, e)) == HB_OK)
        out->applied = true;
    return st;
}

hb_status hb_engine_migrate(const hb_engine *eng, const hb_migrate_request *req,
                            hb_migrate_result *out, hb_err *e)
{
    memset(out, 0, sizeof *out);
    hb_run_request rr = {.run_id = req->run_id, .actor = req->actor};
    hb_exec x;
    size_t len = 0;
    char *src = NULL;
    hb_status st = hb_exec_open_run(&x, eng, &rr, e);
    if (st != HB_OK)
        goto done;
    hb_run *r = &x.run;
    out->workflow = hb_xstrdup(r->workflow);
    out->from_step = hb_xstrdup(r->step ? r->step : "");
    memcpy(out->from_version, r->version, sizeof out->from_version);
    if (r->status != HB_RUN_WAITING) {
        st = hb_err_set(e, HB_EUSAGE, "run %s is %s; only a waiting run moves to another version",
                        r->id, hb_run_status_name(r->status));
        goto done;
    }
    if (!(src = hb_read_file(req->workflow_file, &len, e))) {
        st = HB_EUSAGE;
        goto done;
    }
    hb_sha256_hex(src, len, out->to_version);
    out->to_step = hb_xstrdup(mapped(req, out->from_step));
    if (!strcmp(out->to_version, out->from_version) && !strcmp(out->to_step, out->from_step)) {
        out->current = true;
        goto done;
    }
    if ((st = hb_exec_open_workflow(&x, req->workflow_file, src, len, e)) != HB_OK) {
        hb_err_wrap(e, "the version on disk does not load");
        st = HB_EUSAGE;
        goto done;
    }
    int to = hb_workflow_step_index(x.wf, out->to_step);
    if (to < 0 && strcmp(out->to_step, out->from_step))
        out->refused = hb_xasprintf("--map %s=%s: the version on disk has no step %s",
                                    out->from_step, out->to_step, out->to_step);
    else if (to < 0)
        out->refused = hb_xasprintf("step %s is gone from the version on disk (if it was "
                                    "renamed, name it: --map %s=NEW)",
                                    out->from_step, out->from_step);
    else if (!(out->refused = wait_mismatch(r, &x.wf->steps[to])))
        out->refused = missing_vars(&x, (size_t)to);
    if (!out->refused && req->apply)
        st = apply(&x, req, out, req->workflow_file, e);
done:
    free(src);
    hb_exec_free(&x);
    return st;
}
