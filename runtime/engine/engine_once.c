/* The engine's side of exactly-once writes (services.h): at every step start
 * the bindings learn the step and its visit, so their markers name it; on
 * re-entry they learn which markers the run's audit trail already holds an
 * intent for, so they look for those changes before making them again. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "hb/services.h"
#include "hb/util.h"

typedef struct trail_scan {
    cJSON *visits;  /* step -> finished executions */
    cJSON *pending; /* marker -> time of its first intent */
} trail_scan;

static void bump(cJSON *counts, const char *step)
{
    cJSON *n = cJSON_GetObjectItemCaseSensitive(counts, step);
    if (n)
        cJSON_SetNumberValue(n, n->valuedouble + 1);
    else
        cJSON_AddNumberToObject(counts, step, 1);
}

static int scan_event(const hb_audit_event *ev, void *ud)
{
    trail_scan *t = ud;
    if (!strcmp(ev->type, "step_finished") && ev->step) {
        bump(t->visits, ev->step);
    } else if (!strcmp(ev->type, "intent") && ev->data) {
        cJSON *d = cJSON_Parse(ev->data);
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(d, "marker");
        if (cJSON_IsString(m) && !cJSON_GetObjectItemCaseSensitive(t->pending, m->valuestring))
            cJSON_AddStringToObject(t->pending, m->valuestring, ev->ts);
        cJSON_Delete(d);
    }
    return 0;
}

hb_status hb_once_open(hb_exec *x, hb_err *e)
{
    hb_services *svc = hb_exec_services(x);
    if (!svc)
        return HB_OK;
    trail_scan t = {.visits = cJSON_CreateObject(), .pending = cJSON_CreateObject()};
    hb_status st = x->store->ops->audit_iter(x->store, x->run.id, scan_event, &t, e);
    if (st == HB_OK) {
        hb_services_set_pending(svc, t.pending);
        cJSON_Delete(x->step_visits);
        x->step_visits = t.visits;
        t.visits = NULL;
    }
    cJSON_Delete(t.visits);
    cJSON_Delete(t.pending);
    return st;
}

void hb_once_step_started(hb_exec *x, const char *step)
{
    hb_services *svc = hb_exec_services(x);
    if (!svc)
        return;
    const cJSON *done = cJSON_GetObjectItemCaseSensitive(x->step_visits, step);
    long visit = cJSON_IsNumber(done) ? (long)done->valuedouble + 1 : 1;
    hb_services_begin_step(svc, x->run.id, step, visit);
}

void hb_once_step_finished(hb_exec *x, const char *step)
{
    if (x->step_visits)
        bump(x->step_visits, step);
}
