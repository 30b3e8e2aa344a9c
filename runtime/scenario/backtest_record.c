/* Recorded runs as hb backtest reads them (hb/backtest.h): a run's row, its
 * audit events and the bodies they name, read from the store and nothing
 * written; `hb export runs` prints the same objects. */
#include <stdlib.h>
#include <string.h>

#include "hb/backtest.h"
#include "hb/util.h"

static cJSON *parse_or(const char *json, cJSON *fallback)
{
    cJSON *v = json ? cJSON_Parse(json) : NULL;
    if (v) {
        cJSON_Delete(fallback);
        return v;
    }
    return fallback;
}

typedef struct record_ctx {
    hb_store *store;
    cJSON *audit;
    cJSON *bodies;
    hb_status st;
    hb_err *e;
} record_ctx;

/* The body a digest names, when the store still has it. */
static void keep_body(record_ctx *c, const cJSON *data, const char *field)
{
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(data, field);
    if (!cJSON_IsString(d) || cJSON_GetObjectItemCaseSensitive(c->bodies, d->valuestring))
        return;
    char *text = NULL;
    size_t len = 0;
    hb_err ignored;
    if (c->store->ops->body_get(c->store, d->valuestring, &text, &len, &ignored) == HB_OK)
        cJSON_AddStringToObject(c->bodies, d->valuestring, text);
    free(text); /* purged: absent, and the replay says so */
}

static int add_event(const hb_audit_event *ev, void *ud)
{
    record_ctx *c = ud;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "seq", (double)ev->seq);
    cJSON_AddStringToObject(o, "type", ev->type);
    if (ev->step)
        cJSON_AddStringToObject(o, "step", ev->step);
    cJSON_AddStringToObject(o, "ts", ev->ts);
    cJSON_AddStringToObject(o, "actor", ev->actor ? ev->actor : "");
    cJSON *data = parse_or(ev->data, cJSON_CreateObject());
    keep_body(c, data, "request_body");
    keep_body(c, data, "response_body");
    cJSON_AddItemToObject(o, "data", data);
    cJSON_AddItemToArray(c->audit, o);
    return 0;
}

hb_status hb_backtest_record(hb_store *store, const hb_run *run, cJSON **out, hb_err *e)
{
    *out = NULL;
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "id", run->id);
    cJSON_AddStringToObject(r, "workflow", run->workflow);
    cJSON_AddStringToObject(r, "version", run->version);
    cJSON_AddStringToObject(r, "status", hb_run_status_name(run->status));
    cJSON_AddStringToObject(r, "step", run->step ? run->step : "");
    cJSON_AddStringToObject(r, "target", hb_run_target_name(run->target));
    cJSON_AddStringToObject(r, "actor", run->actor ? run->actor : "");
    char ts[32];
    hb_time_format(run->created_at, ts);
    cJSON_AddStringToObject(r, "created_at", ts);
    cJSON_AddItemToObject(r, "inputs", parse_or(run->inputs_json, cJSON_CreateObject()));
    cJSON_AddItemToObject(r, "events", parse_or(run->events_json, cJSON_CreateObject()));
    record_ctx c = {.store = store,
                    .audit = cJSON_AddArrayToObject(r, "audit"),
                    .bodies = cJSON_AddObjectToObject(r, "bodies"),
                    .e = e};
    hb_status st = store->ops->audit_iter(store, run->id, add_event, &c, e);
    if (st != HB_OK) {
        cJSON_Delete(r);
        return st;
    }
    *out = r;
    return HB_OK;
}

static bool picked_status(hb_run_status s)
{
    return s == HB_RUN_WAITING || s == HB_RUN_SUCCEEDED || s == HB_RUN_FAILED ||
           s == HB_RUN_CANCELLED;
}

typedef struct collect_ctx {
    const hb_backtest_select *sel;
    hb_run *runs;
    size_t n;
} collect_ctx;

static int pick(const hb_run *r, void *ud)
{
    collect_ctx *c = ud;
    if (r->dry_run || !picked_status(r->status) || (c->sel->since && r->created_at < c->sel->since))
        return 0;
    c->runs = hb_xrealloc(c->runs, (c->n + 1) * sizeof *c->runs);
    hb_run_copy(&c->runs[c->n++], r);
    return 0;
}

hb_status hb_backtest_collect(hb_store *store, const hb_backtest_select *sel, cJSON *runs,
                              hb_err *e)
{
    hb_run_filter f = {.workflow = sel->workflow};
    collect_ctx c = {.sel = sel};
    hb_status st = store->ops->run_list(store, &f, pick, &c, e);
    size_t from = sel->last > 0 && c.n > (size_t)sel->last ? c.n - (size_t)sel->last : 0;
    for (size_t i = 0; i < c.n; i++) {
        if (st == HB_OK && i >= from) {
            cJSON *rec;
            if ((st = hb_backtest_record(store, &c.runs[i], &rec, e)) == HB_OK)
                cJSON_AddItemToArray(runs, rec);
        }
        hb_run_free(&c.runs[i]);
    }
    free(c.runs);
    return st;
}

bool hb_backtest_selects(const hb_backtest_select *sel, const cJSON *rec)
{
    const cJSON *wf = cJSON_GetObjectItemCaseSensitive(rec, "workflow");
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(rec, "status");
    const cJSON *created = cJSON_GetObjectItemCaseSensitive(rec, "created_at");
    hb_run_status s;
    if (!cJSON_IsString(wf) || (sel->workflow && strcmp(wf->valuestring, sel->workflow)) ||
        !cJSON_IsString(status) || !hb_run_status_parse(status->valuestring, &s) ||
        !picked_status(s))
        return false;
    hb_time_us at = 0;
    if (sel->since && (!cJSON_IsString(created) ||
                       hb_time_parse(created->valuestring, &at, NULL) != HB_OK || at < sel->since))
        return false;
    return true;
}
