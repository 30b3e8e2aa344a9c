/* What the engine tells its reporter (hb/engine.h): the start of a run in
 * this process, each step, notes, a dry run's plan and the result. How any
 * of it is shown is the reporter's business (cli/cli_report.c prints it);
 * here is only what it is. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"

void hb_report_begin(const hb_exec *x, const char *verb)
{
    if (x->reporter && x->reporter->begin)
        x->reporter->begin(x->reporter->ud, &x->run, verb);
}

void hb_report_step(const hb_exec *x, const char *step, const char *kind, const char *outcome,
                    double ms)
{
    if (x->reporter && x->reporter->step)
        x->reporter->step(x->reporter->ud, &x->run, step, kind, outcome ? outcome : "", ms);
}

void hb_report_note(const hb_exec *x, const char *step, const char *message)
{
    if (x->reporter && x->reporter->note)
        x->reporter->note(x->reporter->ud, &x->run, step, message);
}

void hb_report_progress(const hb_exec *x, const char *step, const char *message)
{
    if (x->reporter && x->reporter->progress)
        x->reporter->progress(x->reporter->ud, &x->run, step, message);
}

void hb_report_result(const hb_exec *x)
{
    if (x->reporter && x->reporter->result)
        x->reporter->result(x->reporter->ud, &x->run);
}

typedef struct plan_ctx {
    hb_exec *x;
    cJSON *changes;
} plan_ctx;

static const char *str_field(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int collect_intent(const hb_audit_event *ev, void *ud)
{
    plan_ctx *p = ud;
    if (strcmp(ev->type, "intent") != 0)
        return 0;
    cJSON *d = cJSON_Parse(ev->data);
    if (!d)
        return 0;
    cJSON *c = cJSON_CreateObject();
    static const char *const fields[] = {"service", "op", "method", "path", "object"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const char *v = str_field(d, fields[i]);
        if (v)
            cJSON_AddStringToObject(c, fields[i], v);
    }
    cJSON_AddStringToObject(c, "step", ev->step ? ev->step : "");
    const char *digest = str_field(d, "request_body");
    if (!digest)
        digest = str_field(d, "body");
    if (digest) {
        char *content = NULL;
        size_t len = 0;
        hb_err e;
        if (p->x->store->ops->body_get(p->x->store, digest, &content, &len, &e) == HB_OK) {
            cJSON *body = cJSON_ParseWithLength(content, len);
            cJSON_AddItemToObject(c, "body", body ? body : cJSON_CreateString(content));
            free(content);
        }
    }
    cJSON_AddItemToArray(p->changes, c);
    cJSON_Delete(d);
    return 0;
}

/* Every change the dry run planned: its intents, in order, with the
 * planned body read back from the store. */
void hb_report_plan(hb_exec *x)
{
    if (!x->reporter || !x->reporter->plan)
        return;
    plan_ctx p = {.x = x, .changes = cJSON_CreateArray()};
    hb_err e;
    x->store->ops->audit_iter(x->store, x->run.id, collect_intent, &p, &e);
    x->reporter->plan(x->reporter->ud, &x->run, p.changes);
    cJSON_Delete(p.changes);
}
